-- Early warning: conflict events (UCDP GED, ACLED), one row per event keyed by its source and the
-- source's own id for idempotent re-imports (an unchanged event, by the SHA-256 of its fields, is
-- not written). `violence` is GED's type_of_violence (1, 2, 3), 0 for ACLED events that are not
-- organised violence (protests, riots, strategic developments).
-- `country` is ISO 3166-1 alpha-2 (NULL when GED's country names no current state) and `month`
-- the YYYY-MM of date_start, so the country-month series is one indexed GROUP BY. Coordinates
-- are integer micro-degrees. Event data is public reference data: labels default public.
CREATE TABLE conflict_events (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('ged', 'acled')),
    source_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    country TEXT,
    country_name TEXT NOT NULL,
    gwno INTEGER NOT NULL,
    region TEXT NOT NULL,
    year INTEGER NOT NULL,
    month TEXT NOT NULL,
    date_start TEXT NOT NULL,
    date_end TEXT NOT NULL,
    date_prec INTEGER NOT NULL CHECK (date_prec BETWEEN 1 AND 5),
    violence INTEGER NOT NULL CHECK (violence IN (0, 1, 2, 3)),
    conflict_id INTEGER NOT NULL,
    conflict_name TEXT NOT NULL,
    dyad_id INTEGER NOT NULL,
    dyad_name TEXT NOT NULL,
    side_a TEXT NOT NULL,
    side_b TEXT NOT NULL,
    where_prec INTEGER NOT NULL CHECK (where_prec BETWEEN 1 AND 7),
    where_description TEXT NOT NULL,
    adm_1 TEXT NOT NULL,
    adm_2 TEXT NOT NULL,
    lat_micro INTEGER NOT NULL,
    lon_micro INTEGER NOT NULL,
    priogrid_gid INTEGER NOT NULL,
    deaths_a INTEGER NOT NULL,
    deaths_b INTEGER NOT NULL,
    deaths_civilians INTEGER NOT NULL,
    deaths_unknown INTEGER NOT NULL,
    best INTEGER NOT NULL,
    low INTEGER NOT NULL,
    high INTEGER NOT NULL,
    source_hash TEXT NOT NULL,
    classification INTEGER NOT NULL DEFAULT 0 CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX conflict_events_country_month ON conflict_events(country, month);
CREATE INDEX conflict_events_country_name ON conflict_events(country_name);
CREATE INDEX conflict_events_labels ON conflict_events(classification, compartment_id);

-- GED imports started from the web: progress and the final report, readable from any node.
CREATE TABLE event_imports (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    file_name TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_done INTEGER NOT NULL,
    report TEXT NOT NULL
);

-- Alerts: a signal that someone must follow up — assessment, recommendation, owner, deadline
-- and status (open, assessed, action-taken, closed with a reason). Labelled like every record;
-- every step is audited.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    signal TEXT NOT NULL CHECK (signal IN ('escalation', 'new-conflict', 'manual')),
    as_of TEXT NOT NULL,
    title TEXT NOT NULL,
    assessment TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assessed', 'action-taken', 'closed')),
    closed_reason TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX alerts_country ON alerts(country);
CREATE INDEX alerts_owner_deadline ON alerts(owner_id, deadline);
CREATE INDEX alerts_labels ON alerts(classification, compartment_id);
