-- The SQL of `storage/goals.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: goals_replace_for_doc_delete_goals
DELETE FROM goals WHERE doc_id = ?1

-- name: goals_replace_for_doc_insert_goals
INSERT INTO goals (goal_id, doc_id, group_id, owner, title, cadence_times, cadence_period, status, created_at, \
    updated_at, weekdays, link_group, link_goal) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)

-- name: goals_replace_for_doc_insert_goal_progress
INSERT INTO goal_progress (goal_id, progress_id, at, amount, note) VALUES (?1, ?2, ?3, ?4, ?5)

-- name: goals_replace_for_doc_insert_goal_skips
INSERT OR IGNORE INTO goal_skips (goal_id, day) VALUES (?1, ?2)

-- name: goals_replace_for_doc_insert_goal_pauses
INSERT OR REPLACE INTO goal_pauses (goal_id, paused_at, resumed_at) VALUES (?1, ?2, ?3)

-- name: goals_replace_for_doc_insert_goal_cheers
INSERT OR REPLACE INTO goal_cheers (goal_id, member, at) VALUES (?1, ?2, ?3)

-- name: goals_skips_and_pauses_select_goal_skips
SELECT day FROM goal_skips WHERE goal_id = ?1 ORDER BY day

-- name: goals_skips_and_pauses_select_goal_pauses
SELECT paused_at, resumed_at FROM goal_pauses WHERE goal_id = ?1 ORDER BY paused_at

-- name: goals_cheers
SELECT member, at FROM goal_cheers WHERE goal_id = ?1 ORDER BY at DESC

-- name: goals_amounts
SELECT at, amount FROM goal_progress WHERE goal_id = ?1 ORDER BY at

-- fragment: goals_columns
g.goal_id, g.owner, g.title, g.cadence_times, g.cadence_period, g.status, g.group_id,
    g.created_at, g.updated_at,
    (SELECT coalesce(sum(amount), 0) FROM goal_progress p WHERE p.goal_id = g.goal_id AND p.at >=
        CASE g.cadence_period WHEN 'day' THEN ?1 WHEN 'week' THEN ?2 ELSE ?3 END),
    (SELECT coalesce(sum(amount), 0) FROM goal_progress p WHERE p.goal_id = g.goal_id),
    g.weekdays, g.link_goal
    FROM goals g

-- name: goals_finish
SELECT coalesce(sum(amount), 0) FROM goal_progress WHERE goal_id = ?1 AND at >= ?2

-- name: goals_list
SELECT {goals_columns} \
WHERE (?4 OR g.status != 'archived') AND (?5 IS NULL OR g.group_id = ?5) \
ORDER BY g.owner != ?6, g.status = 'archived', g.created_at

-- name: goals_get
SELECT {goals_columns} WHERE g.goal_id = ?4

-- name: goals_get_doc
SELECT doc_id FROM goals WHERE goal_id = ?1

-- name: goals_progress
SELECT progress_id, at, amount, note FROM goal_progress WHERE goal_id = ?1 AND at >= ?2 \
ORDER BY at DESC, progress_id DESC LIMIT ?3
