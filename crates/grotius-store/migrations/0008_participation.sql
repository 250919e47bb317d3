-- Women's participation per process: people at the table by role, sex and seniority, one
-- person or an aggregate per row (count). Labels at least as strict as the process.
CREATE TABLE participation (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'not-recorded')),
    seniority TEXT NOT NULL,
    party TEXT NOT NULL,
    actor_id TEXT,
    round TEXT NOT NULL,
    date TEXT,
    count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 10000),
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX participation_process ON participation(process_id, role);
