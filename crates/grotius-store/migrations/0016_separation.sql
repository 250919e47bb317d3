-- Mediation and evidence apart: every compartment is on one side; a user who needs both gets
-- it only by a recorded decision (asked by an administrator, decided by someone else who answers
-- for the target side). Existing evidence compartments were named 'evidence-…'.
ALTER TABLE compartments ADD COLUMN domain TEXT NOT NULL DEFAULT 'mediation'
    CHECK (domain IN ('mediation', 'evidence'));
UPDATE compartments SET domain = 'evidence' WHERE id LIKE 'evidence-%';

CREATE TABLE access_decisions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    compartment_id TEXT NOT NULL REFERENCES compartments(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'refused')),
    decided_by TEXT,
    decided_at INTEGER,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_decisions_user ON access_decisions(user_id, compartment_id);

-- The decision a membership across sides was granted by (NULL: an ordinary membership).
ALTER TABLE memberships ADD COLUMN decision_id TEXT REFERENCES access_decisions(id);
