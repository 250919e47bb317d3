-- Early warning, reference lists: UCDP's conflict-years (UCDP/PRIO Armed Conflict Dataset) and
-- dyad-years (UCDP Dyadic Dataset) in one table, keyed by the dataset and the source's own key
-- (`conflict_id:year` or `dyad_id:year`) for idempotent re-imports (unchanged rows, by the
-- SHA-256 of their fields, are not written). `countries` holds the ISO 3166-1 alpha-2 codes of
-- UCDP's `gwno_loc` as a JSON list (`["IQ","IR"]`, like other list columns), so a country's
-- conflicts are one LIKE; `gwno_loc` and `location` are kept as written. Public reference data: labels default public.
CREATE TABLE ucdp_conflict_years (
    id TEXT PRIMARY KEY,
    dataset TEXT NOT NULL CHECK (dataset IN ('acd', 'dyadic')),
    source_id TEXT NOT NULL,
    conflict_id INTEGER NOT NULL,
    dyad_id INTEGER,
    year INTEGER NOT NULL,
    location TEXT NOT NULL,
    gwno_loc TEXT NOT NULL,
    countries TEXT NOT NULL,
    side_a TEXT NOT NULL,
    side_a_2nd TEXT NOT NULL,
    side_b TEXT NOT NULL,
    side_b_2nd TEXT NOT NULL,
    incompatibility INTEGER NOT NULL CHECK (incompatibility BETWEEN 1 AND 3),
    territory_name TEXT NOT NULL,
    intensity_level INTEGER NOT NULL CHECK (intensity_level IN (1, 2)),
    cumulative_intensity INTEGER,
    type_of_conflict INTEGER NOT NULL CHECK (type_of_conflict BETWEEN 1 AND 4),
    start_date TEXT NOT NULL,
    start_date2 TEXT NOT NULL,
    ep_end INTEGER,
    ep_end_date TEXT NOT NULL,
    region TEXT NOT NULL,
    version TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    classification INTEGER NOT NULL DEFAULT 0 CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (dataset, source_id)
);
CREATE INDEX ucdp_conflict_years_dataset_year ON ucdp_conflict_years(dataset, year);
CREATE INDEX ucdp_conflict_years_labels ON ucdp_conflict_years(classification, compartment_id);

-- The Pacific Institute's Water Conflict Chronology, every row kept as written. It has no ids:
-- a row is known by the SHA-256 of its text (`row_key`, with `#2`… for identical copies), so an
-- edited row is a new one and the old one is removed. `year_from`/`year_to` are derived from the
-- free-text `date` (NULL when it fits no form; `year_to` NULL with `year_from` set is an open
-- end, "1978 onwards"); `countries` as in ucdp_conflict_years.
CREATE TABLE water_conflicts (
    id TEXT PRIMARY KEY,
    row_key TEXT NOT NULL UNIQUE,
    date_text TEXT NOT NULL,
    year_from INTEGER,
    year_to INTEGER,
    approximate INTEGER NOT NULL CHECK (approximate IN (0, 1)),
    headline TEXT NOT NULL,
    conflict_type TEXT NOT NULL,
    country_text TEXT NOT NULL,
    countries TEXT NOT NULL,
    region TEXT NOT NULL,
    description TEXT NOT NULL,
    sources TEXT NOT NULL,
    classification INTEGER NOT NULL DEFAULT 0 CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX water_conflicts_labels ON water_conflicts(classification, compartment_id);

-- Import jobs started from the web now run any of the event importers: which one.
ALTER TABLE event_imports ADD COLUMN kind TEXT NOT NULL DEFAULT 'ged';
