-- E-mail notifications: who wants to be told that something waits for them, at which address,
-- and which waiting items each was already told about (so a message goes out once per new item).
--
-- `checked_at` (Unix seconds) is claimed by one node per round with a conditional update, so
-- several app nodes on one database never send the same message twice. `item` is the inbox
-- item's key (reason, record id, assignment id): no title, no text of any record.
CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    checked_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE notified_items (
    user_id TEXT NOT NULL,
    item TEXT NOT NULL,
    notified_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, item)
);
