-- Conversations run inside Grotius: languages, opening and closing time, moderation mode and
-- the participation link's token; statements submitted by participants with their moderation
-- (reason kept, meta/off-topic mark); anonymous participants known only by the hash of their
-- random cookie value. No personal data anywhere.
ALTER TABLE dialogues ADD COLUMN languages TEXT NOT NULL DEFAULT 'en';
ALTER TABLE dialogues ADD COLUMN opens_at INTEGER;
ALTER TABLE dialogues ADD COLUMN closes_at INTEGER;
-- 'before': a participant's statement is shown once a moderator accepts it; 'after': at once.
ALTER TABLE dialogues ADD COLUMN moderation_mode TEXT NOT NULL DEFAULT 'before';
-- The token of the participation link /p/{token} (NULL: not open to participants, e.g. imports).
ALTER TABLE dialogues ADD COLUMN link_token TEXT;
CREATE UNIQUE INDEX dialogues_link_token ON dialogues(link_token);
-- 1: a closed consultation, reached only through personal invitation links (the shared link
-- shows the conversation but takes no one in).
ALTER TABLE dialogues ADD COLUMN invitation_only INTEGER NOT NULL DEFAULT 0;

ALTER TABLE dialogue_statements ADD COLUMN meta INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogue_statements ADD COLUMN reason TEXT;
-- The participant (number) who submitted it; NULL for the team's seed statements and imports.
ALTER TABLE dialogue_statements ADD COLUMN submitted_by INTEGER;
ALTER TABLE dialogue_statements ADD COLUMN moderated_at INTEGER;

-- SHA-256 (hex) of the participant's random cookie value; NULL for imported participants.
ALTER TABLE dialogue_participants ADD COLUMN secret_hash TEXT;
ALTER TABLE dialogue_participants ADD COLUMN joined_at INTEGER;
CREATE UNIQUE INDEX dialogue_participants_secret ON dialogue_participants(dialogue_id, secret_hash);

-- A moderator's translation of a statement into one of the conversation's languages (shown to
-- participants reading in that language; the original stays the statement of the mathematics).
CREATE TABLE dialogue_statement_translations (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    translated_at INTEGER NOT NULL,
    PRIMARY KEY (dialogue_id, number, lang)
);
