-- Incident imports run as background jobs: the file is checked while the request waits, the
-- rows are written by a job in batches whose progress and report any app node can read.
CREATE TABLE incident_imports (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    classification BIGINT NOT NULL,
    compartment_id TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    rows_total BIGINT NOT NULL,
    rows_done BIGINT NOT NULL,
    report TEXT NOT NULL
);
