-- v8: goals on chosen weekdays, group goals, the moderation read model and personal controls.
-- A daily goal's chosen weekdays as bits (bit 0 Monday ... bit 6 Sunday); 0: every day.
ALTER TABLE goals ADD COLUMN weekdays INTEGER NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127);
-- A private goal that is this person's own target in a group goal: the group and the group goal (empty: none).
ALTER TABLE goals ADD COLUMN link_group BLOB NOT NULL DEFAULT x'';
ALTER TABLE goals ADD COLUMN link_goal BLOB NOT NULL DEFAULT x'';
-- Read model of a group's goals: each member works on their own target, and the group sees only how many met theirs
-- in a week (`group_goal_met`: one row per member who did, from their signed mark in the group's document).
CREATE TABLE group_goals (
    goal_id    BLOB    PRIMARY KEY CHECK (length(goal_id) = 16),
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    title      TEXT    NOT NULL,
    created_by BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
CREATE INDEX group_goals_by_group ON group_goals (group_ref);
CREATE TABLE group_goal_met (
    goal_id BLOB NOT NULL REFERENCES group_goals (goal_id),
    week    TEXT NOT NULL,
    member  BLOB NOT NULL,
    PRIMARY KEY (goal_id, week, member)
) STRICT, WITHOUT ROWID;
-- Moderation: each group's log of moderator actions in effect, in the order the group's rules replay them (`seq`),
-- and the messages a moderator has hidden now (the last hide or restore of each decides), for the timeline's join.
CREATE TABLE moderation_actions (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    action_id  BLOB    NOT NULL CHECK (length(action_id) = 16),
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('hide', 'restore', 'remove', 'readd')),
    by_member  BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    message_id BLOB    NOT NULL DEFAULT x'',
    member     BLOB    NOT NULL DEFAULT x'',
    why        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (group_ref, action_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE moderated_messages (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    message_id BLOB    NOT NULL,
    member     BLOB    NOT NULL,
    by_member  BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    why        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (group_ref, message_id)
) STRICT, WITHOUT ROWID;
-- Personal controls, on this phone only (never in a document, a sync session or a bundle): members muted (their posts
-- hidden for me) or blocked (their posts, replies and reactions hidden for me; they are not told), words muted (posts
-- with them folded away), and whether posts with a content warning are shown folded (1, the default) or open.
CREATE TABLE muted_members (
    member  BLOB    PRIMARY KEY CHECK (length(member) = 32),
    blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE muted_words (
    word TEXT    PRIMARY KEY,
    at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
ALTER TABLE profile ADD COLUMN fold_warnings INTEGER NOT NULL DEFAULT 1 CHECK (fold_warnings IN (0, 1));
