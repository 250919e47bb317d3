-- Work on records: comments and assignments (see grotius_domain::work).
--
-- Both name the record they are about by id and kind, and carry no labels of their own: they
-- are read through the record's current labels (linked::record_refs), so reclassifying a record
-- reclassifies its comments and assignments at once. Comment bodies and assignment notes are
-- sealed with the field key like other free text of labelled records (the AAD names the row).
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_record ON comments(record_id, created_at);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    assignee_id TEXT NOT NULL,
    assignee TEXT NOT NULL,
    assigned_by_id TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    due TEXT,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    done_by TEXT
);
CREATE INDEX assignments_record ON assignments(record_id, created_at);
CREATE INDEX assignments_open ON assignments(assignee_id, done_at);
