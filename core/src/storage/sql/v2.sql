-- v2: the member read model follows the group's authority rules (see `sync::authority`). Whether a member was
-- removed is its own flag (the removal's time is chosen by whoever wrote it, so it cannot double as the flag), and
-- a removed member's cutoff (how far each of their actors had written in each document when they were removed,
-- postcard-encoded) is kept beside it, so showing their messages never needs the group document.
ALTER TABLE group_members ADD COLUMN removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1));
ALTER TABLE group_members ADD COLUMN cutoff BLOB NOT NULL DEFAULT X'';
UPDATE group_members SET removed = 1 WHERE removed_at != 0;
