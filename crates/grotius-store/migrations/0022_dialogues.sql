-- Inclusive digital dialogues (Pol.is-style conversations) of a process: statements, anonymous
-- participants, one current vote per participant and statement (earlier votes kept in
-- history), and the computed opinion groups. Labels at least as strict as the process.
CREATE TABLE dialogues (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Where the conversation came from: 'grotius', or the Pol.is export's URL or folder name.
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    classification INTEGER NOT NULL CHECK (classification BETWEEN 0 AND 3),
    compartment_id TEXT REFERENCES compartments(id),
    -- The computed results (JSON) and the version of the method that computed them.
    method TEXT,
    results TEXT,
    computed_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX dialogues_process ON dialogues(process_id);
CREATE INDEX dialogues_labels ON dialogues(classification, compartment_id);

-- Statements, numbered from 0 within their dialogue (the column of the vote matrix).
CREATE TABLE dialogue_statements (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    source_id TEXT,
    body TEXT NOT NULL,
    moderation TEXT NOT NULL CHECK (moderation IN ('accepted', 'unmoderated', 'rejected')),
    created_at INTEGER,
    PRIMARY KEY (dialogue_id, number)
);

-- Participants, numbered from 0 within their dialogue (the row of the vote matrix); no
-- personal data: `source_id` is the participant id of an imported export.
CREATE TABLE dialogue_participants (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    source_id TEXT,
    opinion_group INTEGER,
    PRIMARY KEY (dialogue_id, number)
);

CREATE TABLE dialogue_votes (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    participant INTEGER NOT NULL,
    statement INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    voted_at INTEGER,
    PRIMARY KEY (dialogue_id, participant, statement)
);

-- Votes replaced by a later vote of the same participant on the same statement.
CREATE TABLE dialogue_vote_history (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    participant INTEGER NOT NULL,
    statement INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    voted_at INTEGER,
    replaced_at INTEGER
);
CREATE INDEX dialogue_vote_history_vote ON dialogue_vote_history(dialogue_id, participant, statement);
