-- grotius:sqlite
-- The expert roster and requests for support (SQLite). Lists are JSON text; timestamps Unix
-- grotius:end
-- grotius:postgres
-- The expert roster and requests for support (PostgreSQL). Lists are JSON text; timestamps Unix
-- grotius:end
-- microseconds; dates of availability and requests ISO 8601 text (comparable as text).
CREATE TABLE experts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'undisclosed')),
    expertise TEXT NOT NULL,
    languages TEXT NOT NULL,
    regions TEXT NOT NULL,
    tracks TEXT NOT NULL,
    availability TEXT NOT NULL,
    conflicts TEXT,
    clearance INTEGER NOT NULL CHECK (clearance BETWEEN 0 AND 3),
    network_member INTEGER NOT NULL DEFAULT 0,
    network_name TEXT,
    deployments TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX experts_labels ON experts(classification, compartment_id);
CREATE INDEX experts_name ON experts(name);

-- One row per availability window, for filtering in SQL.
CREATE TABLE expert_availability (
    expert_id TEXT NOT NULL REFERENCES experts(id) ON DELETE CASCADE,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL
);
CREATE INDEX expert_availability_expert ON expert_availability(expert_id);

CREATE TABLE support_requests (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    requester TEXT NOT NULL,
    process_id TEXT REFERENCES processes(id) ON DELETE SET NULL,
    request_type TEXT NOT NULL,
    modality TEXT NOT NULL,
    urgency TEXT NOT NULL,
    countries TEXT NOT NULL,
    expertise TEXT NOT NULL,
    languages TEXT NOT NULL,
    track TEXT,
    start_date TEXT,
    end_date TEXT,
    summary TEXT NOT NULL,
    notes TEXT,
    state TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX support_requests_labels ON support_requests(classification, compartment_id);
CREATE INDEX support_requests_state ON support_requests(state);

CREATE TABLE request_transitions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_transitions_request ON request_transitions(request_id);

CREATE TABLE deployments (
    request_id TEXT NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
    expert_id TEXT NOT NULL REFERENCES experts(id) ON DELETE CASCADE,
    assigned_by TEXT NOT NULL,
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, expert_id)
);
CREATE INDEX deployments_expert ON deployments(expert_id);
