-- Several app nodes on one object store: the parts of an upload in progress are written by one
-- node at a time. A node takes the lease (`lease_owner`, a random token per transfer) when the
-- lease is free or has expired (`lease_until`, Unix microseconds), renews it while bytes arrive,
-- and gives it back at the end of the transfer. A node killed mid-transfer holds it until it
-- expires; then any node may resume the upload.
ALTER TABLE evidence_uploads ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_uploads ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
