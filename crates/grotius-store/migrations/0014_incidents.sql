-- Incidents in the HURIDOCS events model (issue 6). They sit beside the evidence, always in a
-- compartment. Acts (violation, casualties by sex x age group x status, ratings) are kept as JSON
-- on the incident with two derived columns for filtering and counting (violations, killed,
-- injured). Coordinates are integer micro-degrees. `description` is encrypted with the keyring (AAD incidents.description:<id>).
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT,
    title TEXT NOT NULL,
    description TEXT,
    date TEXT NOT NULL,
    date_precision TEXT NOT NULL,
    year INTEGER NOT NULL,
    place TEXT NOT NULL,
    admin_area TEXT NOT NULL,
    place_precision TEXT NOT NULL,
    lat INTEGER,
    lon INTEGER,
    country TEXT,
    context TEXT NOT NULL,
    reliability TEXT NOT NULL,
    credibility TEXT NOT NULL,
    verification TEXT NOT NULL CHECK (verification IN ('reported', 'plausible', 'verified')),
    verified_by TEXT,
    verified_at INTEGER,
    acts TEXT NOT NULL,
    violations TEXT NOT NULL,
    killed INTEGER NOT NULL,
    injured INTEGER NOT NULL,
    aid TEXT,
    extra TEXT NOT NULL,
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT NOT NULL REFERENCES compartments(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX incidents_country ON incidents(country);
CREATE INDEX incidents_year ON incidents(year);
CREATE INDEX incidents_date ON incidents(date);

-- Persons of an incident under a pseudonym (V-0001, S-0002, ...). No names here.
CREATE TABLE incident_persons (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    seq INTEGER NOT NULL UNIQUE,
    pseudonym TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    actor_id TEXT,
    consent TEXT NOT NULL,
    risk TEXT NOT NULL,
    sex TEXT NOT NULL,
    age_group TEXT NOT NULL,
    reliability TEXT NOT NULL,
    credibility TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX incident_persons_incident ON incident_persons(incident_id);

-- The real identities, encrypted with the identity keyring (a key file of its own in the key
-- directory, identity/keyring.json), AAD person_identities.identity:<person id>.
CREATE TABLE person_identities (
    person_id TEXT PRIMARY KEY REFERENCES incident_persons(id),
    identity TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Evidence items supporting an incident.
CREATE TABLE incident_evidence (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    item_id TEXT NOT NULL REFERENCES evidence_items(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, item_id)
);

-- The editable vocabulary of violation types: codes stable, terms deprecated, never deleted.
CREATE TABLE violation_types (
    code TEXT PRIMARY KEY,
    label_en TEXT NOT NULL,
    label_nl TEXT NOT NULL,
    deprecated INTEGER NOT NULL CHECK (deprecated IN (0, 1)),
    created_at INTEGER NOT NULL
);
INSERT INTO violation_types (code, label_en, label_nl, deprecated, created_at) VALUES
    ('attack-on-civilians', 'Attack on civilians', 'Aanval op burgers', 0, 0),
    ('attack-on-aid-workers', 'Attack on aid workers', 'Aanval op hulpverleners', 0, 0),
    ('attack-on-medical', 'Attack on medical facilities or personnel', 'Aanval op medische voorzieningen of personeel', 0, 0),
    ('attack-on-schools', 'Attack on schools', 'Aanval op scholen', 0, 0),
    ('air-raid', 'Air raid', 'Luchtaanval', 0, 0),
    ('sexual-violence', 'Sexual violence', 'Seksueel geweld', 0, 0),
    ('enforced-disappearance', 'Enforced disappearance', 'Gedwongen verdwijning', 0, 0),
    ('torture', 'Torture or ill-treatment', 'Foltering of mishandeling', 0, 0),
    ('arbitrary-detention', 'Arbitrary detention', 'Willekeurige detentie', 0, 0),
    ('forced-displacement', 'Forced displacement', 'Gedwongen ontheemding', 0, 0),
    ('child-recruitment', 'Recruitment or use of children', 'Rekrutering of inzet van kinderen', 0, 0),
    ('denial-of-access', 'Denial of humanitarian access', 'Weigering van humanitaire toegang', 0, 0),
    ('killing', 'Unlawful killing', 'Onrechtmatige doding', 0, 0),
    ('destruction-of-property', 'Destruction of civilian property', 'Vernieling van civiel eigendom', 0, 0);
