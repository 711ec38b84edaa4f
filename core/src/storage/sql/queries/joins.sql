-- The SQL of `storage/joins.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: joins_insert
INSERT INTO pending_joins (group_id, group_name, code, created_at) VALUES (?1, ?2, ?3, ?4) \
ON CONFLICT (group_id) DO UPDATE SET code = excluded.code, group_name = excluded.group_name

-- name: joins_all
SELECT group_id, group_name, code FROM pending_joins ORDER BY created_at

-- name: joins_mark_joined_insert_used_invitations
INSERT OR REPLACE INTO used_invitations (group_id, group_name, code, joined_at) \
SELECT group_id, group_name, code, ?2 FROM pending_joins WHERE group_id = ?1

-- name: joins_mark_joined_delete_pending_joins
DELETE FROM pending_joins WHERE group_id = ?1

-- name: joins_reopen_lost_insert_pending_joins
INSERT OR REPLACE INTO pending_joins (group_id, group_name, code, created_at) \
SELECT group_id, group_name, code, ?2 FROM used_invitations WHERE group_id = ?1

-- name: joins_reopen_lost_delete_used_invitations
DELETE FROM used_invitations WHERE group_id = ?1
