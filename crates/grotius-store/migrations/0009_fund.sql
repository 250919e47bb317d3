-- The flexible mediation fund: instruments, ceilings, the workflow as data, applications with
-- their steps, and the double-entry ledger (signed euro-cent postings, every transaction sums to
-- zero) with maintained balances and per-ceiling exposure.
CREATE TABLE fund_instruments (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    oda INTEGER NOT NULL CHECK (oda IN (0, 1)),
    max_months INTEGER NOT NULL,
    grant_ceiling INTEGER NOT NULL CHECK (grant_ceiling >= 0),
    fast_track_threshold INTEGER NOT NULL CHECK (fast_track_threshold >= 0),
    fast_target_days INTEGER NOT NULL,
    standard_target_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Limits per instrument and fiscal year. The 'budget' row (key '') is also the row every money
-- movement of that instrument-year locks first, so concurrent approvals queue behind it.
CREATE TABLE fund_ceilings (
    instrument_id TEXT NOT NULL REFERENCES fund_instruments(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('budget', 'country', 'theme')),
    key TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (instrument_id, year, scope, key)
);

-- Net committed euro cents per instrument-year and ceiling scope/key (maintained with every
-- commitment, amendment, de-commitment and refund; `grotius fund verify` recomputes it).
CREATE TABLE fund_exposure (
    instrument_id TEXT NOT NULL REFERENCES fund_instruments(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL,
    PRIMARY KEY (instrument_id, year, scope, key)
);

-- The workflow as data: who may move an application of a track from one state to another.
CREATE TABLE fund_workflow (
    track TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    four_eyes INTEGER NOT NULL CHECK (four_eyes IN (0, 1)),
    effect TEXT NOT NULL CHECK (effect IN ('none', 'prepare', 'appraise', 'commit', 'release')),
    PRIMARY KEY (track, from_state, to_state)
);
INSERT INTO fund_workflow (track, from_state, to_state, name, roles, four_eyes, effect) VALUES
    ('fast', 'draft', 'submitted', 'submit', '["partner","fund-officer"]', 0, 'prepare'),
    ('fast', 'draft', 'withdrawn', 'withdraw', '["partner","fund-officer"]', 0, 'none'),
    ('fast', 'submitted', 'draft', 'return', '["fund-officer"]', 0, 'none'),
    ('fast', 'submitted', 'approved', 'approve', '["fund-approver"]', 1, 'commit'),
    ('fast', 'submitted', 'rejected', 'reject', '["fund-approver"]', 1, 'none'),
    ('fast', 'approved', 'closed', 'close', '["controller","fund-officer"]', 0, 'release'),
    ('standard', 'draft', 'submitted', 'submit', '["partner","fund-officer"]', 0, 'prepare'),
    ('standard', 'draft', 'withdrawn', 'withdraw', '["partner","fund-officer"]', 0, 'none'),
    ('standard', 'submitted', 'appraisal', 'start appraisal', '["fund-officer"]', 0, 'none'),
    ('standard', 'submitted', 'draft', 'return', '["fund-officer"]', 0, 'none'),
    ('standard', 'appraisal', 'review', 'appraise', '["fund-officer"]', 0, 'appraise'),
    ('standard', 'appraisal', 'draft', 'return', '["fund-officer"]', 0, 'none'),
    ('standard', 'review', 'committee', 'send to committee', '["controller","fund-approver"]', 0, 'none'),
    ('standard', 'review', 'appraisal', 'back to appraisal', '["controller","fund-approver"]', 0, 'none'),
    ('standard', 'committee', 'approved', 'approve', '["fund-approver"]', 1, 'commit'),
    ('standard', 'committee', 'rejected', 'reject', '["fund-approver"]', 1, 'none'),
    ('standard', 'approved', 'closed', 'close', '["controller","fund-officer"]', 0, 'release');

CREATE TABLE fund_applications (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    instrument_id TEXT NOT NULL REFERENCES fund_instruments(id),
    title TEXT NOT NULL,
    partner TEXT NOT NULL,
    process_ids TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    rate INTEGER NOT NULL CHECK (rate > 0),
    amount_eur INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    months INTEGER NOT NULL,
    fiscal_year INTEGER NOT NULL,
    why_now TEXT NOT NULL,
    risk_note TEXT,
    purpose_code TEXT NOT NULL,
    gender_marker TEXT NOT NULL,
    themes TEXT NOT NULL,
    countries TEXT NOT NULL,
    exclude_from_publication INTEGER NOT NULL CHECK (exclude_from_publication IN (0, 1)),
    exclusion_reason TEXT NOT NULL,
    track TEXT NOT NULL CHECK (track IN ('fast', 'standard')),
    state TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    decided_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (exclude_from_publication = 0 OR exclusion_reason <> '')
);
CREATE INDEX fund_applications_partner ON fund_applications(partner);
CREATE INDEX fund_applications_instrument ON fund_applications(instrument_id, fiscal_year);
CREATE INDEX fund_applications_state ON fund_applications(state);

CREATE TABLE fund_steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL REFERENCES fund_applications(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    name TEXT NOT NULL,
    effect TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fund_steps_application ON fund_steps(application_id);

CREATE TABLE ledger_transactions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('allocation', 'commitment', 'amendment', 'disbursement', 'refund', 'decommitment')),
    instrument_id TEXT NOT NULL REFERENCES fund_instruments(id),
    year INTEGER NOT NULL,
    application_id TEXT REFERENCES fund_applications(id),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    rate INTEGER NOT NULL CHECK (rate > 0),
    amount_eur INTEGER NOT NULL,
    value_date TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX ledger_transactions_application ON ledger_transactions(application_id);
CREATE INDEX ledger_transactions_instrument ON ledger_transactions(instrument_id, year);

CREATE TABLE ledger_postings (
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions(id),
    account TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (transaction_id, account)
);
CREATE INDEX ledger_postings_account ON ledger_postings(account);

CREATE TABLE ledger_balances (
    account TEXT PRIMARY KEY,
    balance INTEGER NOT NULL
);

-- The ledger is append-only: corrections are new transactions, never edits.
-- grotius:append-only ledger_append_only ledger_transactions ledger_postings 'the ledger is append-only'
