-- Peace agreements (PA-X): one row per agreement, keyed by the PA-X AgtId for idempotent
-- re-imports; the six facets as 0/1 columns so that filtering and counting is plain SQL; every
-- coded provision above 0 as JSON for the agreement and comparison pages. Labels default public.
CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    pax_id INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    year INTEGER NOT NULL,
    country_text TEXT NOT NULL,
    countries TEXT NOT NULL,
    region TEXT NOT NULL,
    agreement_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_sub TEXT NOT NULL,
    status TEXT NOT NULL,
    conflict_type TEXT NOT NULL,
    peace_process TEXT NOT NULL,
    parties TEXT NOT NULL,
    third_parties TEXT NOT NULL,
    women INTEGER NOT NULL CHECK (women IN (0, 1)),
    water INTEGER NOT NULL CHECK (water IN (0, 1)),
    human_rights INTEGER NOT NULL CHECK (human_rights IN (0, 1)),
    transitional_justice INTEGER NOT NULL CHECK (transitional_justice IN (0, 1)),
    ceasefire INTEGER NOT NULL CHECK (ceasefire IN (0, 1)),
    ssr_ddr INTEGER NOT NULL CHECK (ssr_ddr IN (0, 1)),
    provisions TEXT NOT NULL,
    extra TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    classification INTEGER NOT NULL DEFAULT 0 CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX agreements_date ON agreements(date);
CREATE INDEX agreements_year ON agreements(year);
CREATE INDEX agreements_labels ON agreements(classification, compartment_id);

-- The ISO 3166-1 countries of an agreement (from PA-X Con), for the country filter and facet.
CREATE TABLE agreement_countries (
    agreement_id TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    country TEXT NOT NULL,
    PRIMARY KEY (agreement_id, country)
);
CREATE INDEX agreement_countries_country ON agreement_countries(country);

-- Import jobs started from the web: progress and the final report, readable from any node.
CREATE TABLE agreement_imports (
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
