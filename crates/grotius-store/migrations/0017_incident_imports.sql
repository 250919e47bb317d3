-- Incident imports run as background jobs: the file is checked while the request waits, the
-- rows are written by a job in batches whose progress and report any app node can read.
CREATE TABLE incident_imports (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    classification INTEGER NOT NULL,
    compartment_id TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_done INTEGER NOT NULL,
    report TEXT NOT NULL
);
