-- The actor network: persons and organisations, and typed, dated relationships between them.
CREATE TABLE actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    country TEXT,
    description TEXT NOT NULL,
    notes TEXT,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX actors_name ON actors(name);
CREATE INDEX actors_labels ON actors(classification, compartment_id);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    from_actor TEXT NOT NULL REFERENCES actors(id),
    to_actor TEXT NOT NULL REFERENCES actors(id),
    kind TEXT NOT NULL,
    since TEXT,
    until TEXT,
    holder TEXT,
    last_contact TEXT,
    channel TEXT,
    source TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (from_actor <> to_actor)
);
CREATE INDEX relationships_from ON relationships(from_actor);
CREATE INDEX relationships_to ON relationships(to_actor);
