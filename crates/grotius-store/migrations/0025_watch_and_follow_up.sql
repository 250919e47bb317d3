-- Early warning follow-up: what answers an alert (processes, requests for support, fund
-- applications linked to it), the countries a user and the unit watch, and the unit's own
-- thresholds of the escalation signals.

CREATE TABLE alert_links (
    alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('process', 'support-request', 'fund-application')),
    record_id TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (alert_id, kind, record_id)
);
CREATE INDEX alert_links_record ON alert_links(record_id);

-- owner: a user's id, or 'unit' for the unit's watchlist.
CREATE TABLE watchlist (
    owner TEXT NOT NULL,
    country TEXT NOT NULL,
    note TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (owner, country)
);

-- One row (id 1) once the unit changed the defaults; alpha in basis points (0.05 = 500).
CREATE TABLE signal_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    recent_months INTEGER NOT NULL CHECK (recent_months BETWEEN 1 AND 24),
    baseline_months INTEGER NOT NULL CHECK (baseline_months BETWEEN 1 AND 120),
    alpha_bp INTEGER NOT NULL CHECK (alpha_bp BETWEEN 1 AND 5000),
    quiet_months INTEGER NOT NULL CHECK (quiet_months BETWEEN 1 AND 240),
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
