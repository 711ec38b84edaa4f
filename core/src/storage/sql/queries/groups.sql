-- The SQL of `storage/groups.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: groups_upsert_insert_groups
INSERT INTO groups (group_id, name, description, guidelines, created_by, created_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, description = excluded.description, \
    guidelines = excluded.guidelines, created_by = excluded.created_by, created_at = excluded.created_at \
RETURNING group_ref

-- name: groups_upsert_delete_group_members
DELETE FROM group_members WHERE group_ref = ?1

-- name: groups_upsert_insert_group_members
INSERT INTO group_members (group_ref, member, display_name, role, added_at, added_by, removed_at, removed, \
    cutoff) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)

-- name: groups_standing
SELECT role, removed, cutoff FROM group_members WHERE group_ref = ?1 AND member = ?2

-- name: groups_standings
SELECT member, role, removed, cutoff FROM group_members WHERE group_ref = ?1

-- name: groups_all_groups
SELECT group_id, group_ref FROM groups ORDER BY group_id

-- name: groups_all_members
SELECT DISTINCT member FROM group_members WHERE removed = 0

-- name: groups_is_member_anywhere
SELECT 1 FROM group_members WHERE member = ?1 AND removed = 0 LIMIT 1

-- name: groups_group_ref
SELECT group_ref FROM groups WHERE group_id = ?1

-- name: groups_ids_named_exactly
SELECT group_id FROM groups WHERE name = ?1

-- name: groups_ids_named_any_case
SELECT group_id, name FROM groups

-- name: groups_role_of
SELECT role FROM group_members WHERE group_ref = ?1 AND member = ?2 AND removed = 0

-- name: groups_list
SELECT g.group_id, g.name, g.description, \
       (SELECT count(*) FROM group_members WHERE group_ref = g.group_ref AND removed = 0), \
       (SELECT role FROM group_members WHERE group_ref = g.group_ref AND member = ?1 AND removed = 0), \
       (SELECT count(*) FROM messages m WHERE m.group_ref = g.group_ref AND m.local_seq > g.last_read_seq \
            AND m.author != ?1 AND m.removed = 0 AND m.hidden = 0 AND m.pending = 0 \
            AND m.author NOT IN (SELECT member FROM muted_members)), \
       (SELECT created_at FROM messages m WHERE m.group_ref = g.group_ref AND m.hidden = 0 AND m.pending = 0 \
            ORDER BY created_at DESC LIMIT 1) AS last_shown \
FROM groups g \
ORDER BY coalesce(last_shown, g.created_at) DESC

-- name: groups_details_select_groups
SELECT group_id, name, description, guidelines, created_at, created_by FROM groups WHERE group_ref = ?1

-- name: groups_details_select_group_members
SELECT member, display_name, role, added_at FROM group_members WHERE group_ref = ?1 AND removed = 0 \
ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, added_at

-- name: groups_shared_names
SELECT display_name FROM group_members WHERE group_ref = ?1

-- name: groups_current_segment
SELECT current_segment FROM groups WHERE group_ref = ?1

-- name: groups_note_segment
UPDATE groups SET current_segment = ?2 WHERE group_ref = ?1 AND current_segment < ?2

-- name: groups_mark_read
UPDATE groups SET last_read_seq = coalesce((SELECT max(local_seq) FROM messages WHERE group_ref = ?1), 0) \
WHERE group_ref = ?1

-- name: groups_unread_count
SELECT count(*) FROM messages m JOIN groups g ON g.group_ref = m.group_ref \
WHERE m.group_ref = ?1 AND m.local_seq > g.last_read_seq AND m.author != ?2 AND m.removed = 0 \
    AND m.hidden = 0 AND m.pending = 0 AND m.author NOT IN (SELECT member FROM muted_members)

-- name: groups_removed_role
SELECT role FROM group_members WHERE group_ref = ?1 AND member = ?2 AND removed = 1
