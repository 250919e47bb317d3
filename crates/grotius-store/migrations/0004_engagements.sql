-- The engagements journal of a process: meetings, calls, visits, with participants (actors).
CREATE TABLE engagements (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    kind TEXT NOT NULL,
    track TEXT NOT NULL,
    place TEXT NOT NULL,
    participants TEXT NOT NULL,
    summary TEXT NOT NULL,
    notes TEXT,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX engagements_process ON engagements(process_id, date);
