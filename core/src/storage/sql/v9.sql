-- v9: group rules, suspensions and premoderation.
-- The moderation log takes the new kinds of entry, with what some of them carry (`details`: a suspension's cutoff and
-- period, the suspension a lift lifts, a rules version's text, a premoderation setting). The table is the read model
-- of the group documents' logs, so it is rebuilt with its rows.
-- (Rebuilt through a copy: this SQLite is built without ALTER TABLE ... RENAME's temporary-schema support.)
CREATE TABLE moderation_actions_copy AS SELECT * FROM moderation_actions;
DROP TABLE moderation_actions;
CREATE TABLE moderation_actions (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    action_id  BLOB    NOT NULL CHECK (length(action_id) = 16),
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('hide', 'restore', 'remove', 'readd', 'suspend', 'lift', 'approve',
                                                'rules', 'policy')),
    by_member  BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    message_id BLOB    NOT NULL DEFAULT x'',
    member     BLOB    NOT NULL DEFAULT x'',
    why        TEXT    NOT NULL DEFAULT '',
    details    BLOB    NOT NULL DEFAULT x'',
    PRIMARY KEY (group_ref, action_id)
) STRICT, WITHOUT ROWID;
INSERT INTO moderation_actions (group_ref, action_id, seq, kind, by_member, at, message_id, member, why)
    SELECT group_ref, action_id, seq, kind, by_member, at, message_id, member, why FROM moderation_actions_copy;
DROP TABLE moderation_actions_copy;
-- The entries that decide which posts count are read at every post: found by kind, not by scanning every hide.
CREATE INDEX moderation_actions_by_kind ON moderation_actions (group_ref, kind, seq);
-- A message waiting for a moderator's approval: listed only for its author and the group's moderators.
ALTER TABLE messages ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
-- Each member's acknowledgments of moderation log entries (rules accepted, lifts seen), from their segments.
CREATE TABLE acknowledgments (
    group_ref INTEGER NOT NULL REFERENCES groups (group_ref),
    member    BLOB    NOT NULL,
    entry_id  BLOB    NOT NULL CHECK (length(entry_id) = 16),
    PRIMARY KEY (group_ref, member, entry_id)
) STRICT, WITHOUT ROWID;
