-- Self-declared participant attributes: the questions the team asks per conversation (JSON:
-- [{"label": …, "options": […]}]) and each participant's answers as option numbers (never free
-- text; no answer: no row). Only aggregates with small cells suppressed leave the store.
ALTER TABLE dialogues ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]';

CREATE TABLE dialogue_participant_attributes (
    dialogue_id TEXT NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    participant INTEGER NOT NULL,
    question INTEGER NOT NULL,
    answer INTEGER NOT NULL,
    PRIMARY KEY (dialogue_id, participant, question)
);
