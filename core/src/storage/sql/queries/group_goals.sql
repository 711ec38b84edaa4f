-- The SQL of `storage/group_goals.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: group_goals_replace_for_group_delete_group_goal_met
DELETE FROM group_goal_met WHERE goal_id IN (SELECT goal_id FROM group_goals WHERE group_ref = ?1)

-- name: group_goals_replace_for_group_delete_group_goals
DELETE FROM group_goals WHERE group_ref = ?1

-- name: group_goals_replace_for_group_insert_group_goals
INSERT OR IGNORE INTO group_goals (goal_id, group_ref, title, created_by, created_at, ended_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6)

-- name: group_goals_replace_for_group_insert_group_goal_met
INSERT OR IGNORE INTO group_goal_met (goal_id, week, member) VALUES (?1, ?2, ?3)

-- name: group_goals_list
SELECT goal_id, title, created_by, created_at, ended_at, \
   (SELECT goal_id FROM goals WHERE link_goal = gg.goal_id AND owner = ?2 AND status != 'archived') \
FROM group_goals gg WHERE group_ref = ?1 AND (?3 IS NULL OR goal_id = ?3) \
ORDER BY ended_at != 0, created_at DESC

-- name: group_goals_list_met
SELECT count(*) FROM group_goal_met WHERE goal_id = ?1 AND week = ?2

-- name: group_goals_group_of
SELECT g.group_id FROM group_goals gg JOIN groups g USING (group_ref) WHERE gg.goal_id = ?1

-- name: group_goals_has_mark
SELECT 1 FROM group_goal_met WHERE goal_id = ?1 AND week = ?2 AND member = ?3
