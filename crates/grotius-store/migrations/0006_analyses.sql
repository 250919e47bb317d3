-- Versioned analyses of a process (actor maps, process maps, conflict analyses). The analysis
-- row holds identity, labels and the number of the latest version; each save adds an immutable
-- row to analysis_versions. The content (body and actor rows, JSON) is always encrypted.
CREATE TABLE analyses (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by_name TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX analyses_process ON analyses(process_id, updated_at);

CREATE TABLE analysis_versions (
    id TEXT PRIMARY KEY,
    analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    restored_from INTEGER,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (analysis_id, version)
);

-- Versions are immutable: only the ciphertext of the content may be rewritten (key rotation).
-- grotius:sqlite
CREATE TRIGGER analysis_versions_immutable
BEFORE UPDATE OF id, analysis_id, version, title, note, restored_from, author_id, author_name, created_at
ON analysis_versions
BEGIN SELECT RAISE(ABORT, 'analysis versions are immutable'); END;
-- grotius:end
-- grotius:postgres
CREATE FUNCTION analysis_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.analysis_id IS DISTINCT FROM OLD.analysis_id
       OR NEW.version IS DISTINCT FROM OLD.version OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.note IS DISTINCT FROM OLD.note OR NEW.restored_from IS DISTINCT FROM OLD.restored_from
       OR NEW.author_id IS DISTINCT FROM OLD.author_id OR NEW.author_name IS DISTINCT FROM OLD.author_name
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'analysis versions are immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER analysis_versions_immutable BEFORE UPDATE ON analysis_versions
    FOR EACH ROW EXECUTE FUNCTION analysis_versions_immutable();
-- grotius:end
