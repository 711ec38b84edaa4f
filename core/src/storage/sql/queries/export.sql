-- The SQL of `storage/export.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: export_reactions
SELECT g.group_id, r.message_id, r.emoji, r.at FROM reactions r JOIN groups g USING (group_ref) \
WHERE r.member = ?1 AND r.emoji != '' AND NOT EXISTS (SELECT 1 FROM messages m \
    WHERE m.group_ref = r.group_ref AND m.message_id = r.message_id AND (m.removed = 1 OR m.erased = 1)) \
ORDER BY r.at, g.group_id, r.message_id

-- name: export_cheers
SELECT goal_id, at FROM goal_cheers WHERE member = ?1 ORDER BY at, goal_id
