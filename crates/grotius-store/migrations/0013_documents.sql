-- The document library: a document row (metadata, labels, number of the latest version), its
-- linked processes, and immutable versions. Each version holds the original file and the
-- extracted text, both encrypted at rest (keyring, AAD `document_versions.<column>:<id>`).
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    language TEXT NOT NULL,
    author TEXT NOT NULL,
    countries TEXT NOT NULL,
    themes TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX documents_updated ON documents(updated_at);

CREATE TABLE document_processes (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    PRIMARY KEY (document_id, process_id)
);
CREATE INDEX document_processes_process ON document_processes(process_id);

CREATE TABLE document_versions (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (document_id, version)
);

-- Versions are immutable: only the ciphertexts may be rewritten (key rotation).
-- grotius:sqlite
CREATE TRIGGER document_versions_immutable BEFORE UPDATE ON document_versions
WHEN NEW.id IS NOT OLD.id OR NEW.document_id IS NOT OLD.document_id
  OR NEW.version IS NOT OLD.version OR NEW.filename IS NOT OLD.filename
  OR NEW.format IS NOT OLD.format OR NEW.size IS NOT OLD.size OR NEW.sha256 IS NOT OLD.sha256
  OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'document versions are immutable');
END;
-- grotius:end
-- grotius:postgres
CREATE FUNCTION document_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.document_id IS DISTINCT FROM OLD.document_id
       OR NEW.version IS DISTINCT FROM OLD.version OR NEW.filename IS DISTINCT FROM OLD.filename
       OR NEW.format IS DISTINCT FROM OLD.format OR NEW.size IS DISTINCT FROM OLD.size
       OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.created_by IS DISTINCT FROM OLD.created_by
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'document versions are immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER document_versions_immutable BEFORE UPDATE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION document_versions_immutable();
-- grotius:end
