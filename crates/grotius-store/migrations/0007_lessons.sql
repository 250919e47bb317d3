-- Lessons: debriefs of a process in the FDFA template (narrative columns encrypted), and
-- trainings with their participants (names encrypted).
CREATE TABLE debriefs (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id),
    engagement_id TEXT,
    moment TEXT NOT NULL,
    date TEXT NOT NULL,
    author TEXT NOT NULL,
    case_title TEXT NOT NULL,
    dutch_role TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    parties TEXT NOT NULL,
    other_parties TEXT,
    background TEXT,
    entry_points TEXT,
    process_design TEXT,
    key_lessons TEXT,
    follow_up TEXT,
    themes TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX debriefs_process ON debriefs(process_id, date);
CREATE INDEX debriefs_labels ON debriefs(classification, compartment_id);

CREATE TABLE trainings (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    place TEXT NOT NULL,
    remote INTEGER NOT NULL CHECK (remote IN (0, 1)),
    organiser TEXT NOT NULL,
    themes TEXT NOT NULL,
    process_ids TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX trainings_starts ON trainings(starts_on);

CREATE TABLE training_participants (
    id TEXT PRIMARY KEY,
    training_id TEXT NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
    name TEXT,
    sex TEXT NOT NULL,
    organisation TEXT NOT NULL,
    organisation_type TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX training_participants_training ON training_participants(training_id);
