-- v10: causal rate limits, and message words kept outside the history so that they can be erased.
-- A post says which message by someone else its author had seen when posting (`seen`, empty: none; one zero byte:
-- a post the limit does not count); a rate limit counts a member's posts resting on the same one. Looked up by what
-- they rest on (a message arriving late makes the posts that name it count) and by member within that.
ALTER TABLE messages ADD COLUMN seen BLOB NOT NULL DEFAULT x'';
CREATE INDEX messages_by_seen ON messages (group_ref, seen, author, message_id);
-- A message's words travel beside the history as a body the history names by hash (`body`, empty for words written
-- inline by an older version and for an erased message). `text` and `content_warning` hold the body's words once it
-- is here (`body_held`), with its `salt`, so that this phone can pass it on; `erased` marks a message a moderator
-- erased (its author's erasure is `removed`).
ALTER TABLE messages ADD COLUMN body BLOB NOT NULL DEFAULT x'';
ALTER TABLE messages ADD COLUMN salt BLOB NOT NULL DEFAULT x'';
ALTER TABLE messages ADD COLUMN body_held INTEGER NOT NULL DEFAULT 0 CHECK (body_held IN (0, 1));
ALTER TABLE messages ADD COLUMN erased INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1));
-- Bodies asked of a peer by the first 8 bytes of their hash, and bodies this phone still lacks.
CREATE INDEX messages_by_body ON messages (group_ref, body) WHERE body != x'';
CREATE INDEX messages_wanting_body ON messages (group_ref) WHERE body_held = 0 AND body != x'';
-- The moderation log takes erasures (`erase`), and entries' details gained two last optional fields (the rate limit
-- and its cutoff), encoded by postcard: an entry written before them reads as "none" twice with two more zero bytes.
-- (Rebuilt through a copy, as in v9.)
CREATE TABLE moderation_actions_copy AS SELECT * FROM moderation_actions;
DROP TABLE moderation_actions;
CREATE TABLE moderation_actions (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    action_id  BLOB    NOT NULL CHECK (length(action_id) = 16),
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('hide', 'restore', 'remove', 'readd', 'suspend', 'lift', 'approve',
                                                'rules', 'policy', 'warn', 'erase')),
    by_member  BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    message_id BLOB    NOT NULL DEFAULT x'',
    member     BLOB    NOT NULL DEFAULT x'',
    why        TEXT    NOT NULL DEFAULT '',
    details    BLOB    NOT NULL DEFAULT x'',
    PRIMARY KEY (group_ref, action_id)
) STRICT, WITHOUT ROWID;
INSERT INTO moderation_actions (group_ref, action_id, seq, kind, by_member, at, message_id, member, why, details)
    SELECT group_ref, action_id, seq, kind, by_member, at, message_id, member, why,
           CASE WHEN length(details) > 0 THEN details || x'0000' ELSE details END
    FROM moderation_actions_copy;
DROP TABLE moderation_actions_copy;
CREATE INDEX moderation_actions_by_kind ON moderation_actions (group_ref, kind, seq);
