-- A key check value of the audit key (a MAC of the instance id), so that a keyring of another
-- instance is reported as such, not as an edited audit entry.
ALTER TABLE instance ADD COLUMN key_check TEXT;
