-- The SQL of `storage/relay.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: relay_load
SELECT state FROM relay_state WHERE group_id = ?1

-- name: relay_save
INSERT OR REPLACE INTO relay_state (group_id, state) VALUES (?1, ?2)

-- name: relay_bodies_after
SELECT DISTINCT body, salt, text, content_warning FROM messages \
WHERE group_ref = ?1 AND local_seq > ?2 AND body != x'' AND body_held = 1 AND hidden = 0

-- name: relay_newest_message
SELECT coalesce(max(local_seq), 0) FROM messages WHERE group_ref = ?1
