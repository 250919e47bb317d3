-- Evidence vault (Berkeley Protocol), chain of custody and transfer packages.
--
-- evidence_blobs: one row per distinct content (SHA-256 of the plaintext). The ciphertext lives
-- in the data directory under evidence/blobs/ab/cdef…, encrypted in 64 KiB segments with a key
-- of its own, which is stored here wrapped by the evidence master key (a key file, never here).
CREATE TABLE evidence_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL CHECK (size >= 0),
    segments INTEGER NOT NULL CHECK (segments >= 0),
    wrapped_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- An evidence item: capture metadata and labels over one blob. Items never change, except for
-- the signed head of their custody chain (custody_seq, custody_hash, custody_sig). A working copy
-- (redacted, transcoded, …) is an item of its own with parent_id and derivation.
-- `sensitive` is encrypted JSON: title, source URL, collector, original file name, description.
CREATE TABLE evidence_items (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL REFERENCES evidence_blobs(sha256),
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    parent_id TEXT REFERENCES evidence_items(id),
    derivation TEXT,
    incident_id TEXT,
    captured_at INTEGER NOT NULL,
    capture_tool TEXT NOT NULL,
    capture_tool_version TEXT NOT NULL,
    method TEXT NOT NULL,
    sensitive TEXT NOT NULL,
    metadata_hash TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    custody_seq INTEGER NOT NULL,
    custody_hash TEXT NOT NULL,
    custody_sig TEXT NOT NULL
);
CREATE INDEX evidence_items_sha ON evidence_items(sha256);
CREATE INDEX evidence_items_parent ON evidence_items(parent_id);
CREATE INDEX evidence_items_created ON evidence_items(created_at);

-- The chain of custody: one hash chain per item, each event signed (Ed25519) by the instance.
CREATE TABLE custody_events (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES evidence_items(id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (item_id, seq)
);
-- grotius:append-only custody_events_append_only custody_events 'custody_events is append-only'

-- Resumable uploads in progress (the ciphertext so far is in evidence/uploads/<id>.part).
-- length -1: not known in advance (a form upload); the size limit applies.
CREATE TABLE evidence_uploads (
    id TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    length INTEGER NOT NULL CHECK (length >= -1),
    wrapped_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Transfer packages: a signed manifest for a recipient; the files are decrypted into the
-- package when it is downloaded and checked against the manifest's hashes.
CREATE TABLE transfer_packages (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    recipient_kind TEXT NOT NULL,
    purpose TEXT NOT NULL,
    restrictions TEXT NOT NULL,
    manifest TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    signature TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE transfer_package_items (
    package_id TEXT NOT NULL REFERENCES transfer_packages(id),
    item_id TEXT NOT NULL REFERENCES evidence_items(id),
    PRIMARY KEY (package_id, item_id)
);
