-- v8: goals on chosen weekdays, and group goals.
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
