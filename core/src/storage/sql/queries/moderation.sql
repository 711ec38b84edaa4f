-- The SQL of `storage/moderation.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: moderation_replace_delete_moderation_actions
DELETE FROM moderation_actions WHERE group_ref = ?1

-- name: moderation_replace_insert_moderation_actions
INSERT OR IGNORE INTO moderation_actions (group_ref, action_id, seq, kind, by_member, at, message_id, member, why, \
                                          details) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)

-- name: moderation_replace_delete_moderated_messages
DELETE FROM moderated_messages WHERE group_ref = ?1

-- name: moderation_replace_insert_moderated_messages
INSERT INTO moderated_messages (group_ref, message_id, member, by_member, at, why) \
SELECT a.group_ref, a.message_id, a.member, a.by_member, a.at, a.why FROM moderation_actions a \
WHERE a.group_ref = ?1 AND a.kind = 'hide' AND a.seq = ( \
    SELECT max(b.seq) FROM moderation_actions b \
    WHERE b.group_ref = a.group_ref AND b.message_id = a.message_id AND b.kind IN ('hide', 'restore'))

-- name: moderation_replace_select_moderation_actions
SELECT DISTINCT message_id FROM moderation_actions WHERE group_ref = ?1 AND kind IN ('hide', 'restore')

-- name: moderation_posting_entries
SELECT action_id, by_member, at, kind, message_id, member, why, details FROM moderation_actions \
WHERE group_ref = ?1 AND kind IN ('suspend', 'lift', 'approve', 'rules', 'policy', 'erase') ORDER BY seq

-- name: moderation_same_log
SELECT action_id FROM moderation_actions WHERE group_ref = ?1 ORDER BY seq

-- name: moderation_log
SELECT a.action_id, a.kind, a.by_member, coalesce(gm.display_name, ''), a.at, a.message_id, a.member, a.why, \
       a.details \
FROM moderation_actions a \
LEFT JOIN group_members gm ON gm.group_ref = a.group_ref AND gm.member = a.by_member \
WHERE a.group_ref = ?1 ORDER BY a.seq DESC LIMIT ?2

-- name: moderation_hidden_message
SELECT member, by_member, at, why FROM moderated_messages WHERE group_ref = ?1 AND message_id = ?2

-- name: moderation_add_acknowledgments
INSERT OR IGNORE INTO acknowledgments (group_ref, member, entry_id) VALUES (?1, ?2, ?3)

-- name: moderation_acknowledges
SELECT 1 FROM acknowledgments WHERE group_ref = ?1 AND member = ?2 AND entry_id = ?3
