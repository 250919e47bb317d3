-- Who else is engaged in a process, and in what role: JSON list of {party, role}.
ALTER TABLE processes ADD COLUMN engaged TEXT NOT NULL DEFAULT '[]';
