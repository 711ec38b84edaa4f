-- The SQL of `storage/messages.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: messages_upsert
INSERT INTO messages (group_ref, message_id, segment, author, created_at, text, reply_to, content_warning, \
                      edited_at, removed, pending, seen, body, body_held, erased) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
ON CONFLICT (group_ref, message_id) DO UPDATE SET segment = excluded.segment, author = excluded.author, \
    created_at = excluded.created_at, reply_to = excluded.reply_to, edited_at = excluded.edited_at, \
    removed = excluded.removed, pending = excluded.pending, seen = excluded.seen, erased = excluded.erased, \
    hidden = 0, \
    text = CASE WHEN excluded.body = x'' OR messages.body != excluded.body OR messages.body_held = 0 \
                THEN excluded.text ELSE messages.text END, \
    content_warning = CASE WHEN excluded.body = x'' OR messages.body != excluded.body \
                                OR messages.body_held = 0 \
                           THEN excluded.content_warning ELSE messages.content_warning END, \
    salt = CASE WHEN messages.body = excluded.body THEN messages.salt ELSE x'' END, \
    body_held = CASE WHEN excluded.body = x'' THEN excluded.body_held \
                     WHEN messages.body = excluded.body THEN messages.body_held ELSE 0 END, \
    body = excluded.body

-- name: messages_fill_body
UPDATE messages INDEXED BY messages_by_body SET text = ?3, content_warning = ?4, salt = ?5, body_held = 1 \
WHERE group_ref = ?1 AND body IN (?2, ?6) AND body != x'' AND body_held = 0 RETURNING message_id

-- name: messages_wanted_bodies
SELECT DISTINCT body FROM messages INDEXED BY messages_wanting_body \
WHERE group_ref = ?1 AND body_held = 0 AND body != x'' AND hidden = 0 AND erased = 0 AND removed = 0 \
ORDER BY body LIMIT ?2

-- name: messages_bodies_tagged
SELECT DISTINCT body, salt, text, content_warning FROM messages INDEXED BY messages_by_body \
WHERE group_ref = ?1 AND body >= ?2 AND body <= ?3 AND body != x'' AND body_held = 1

-- name: messages_own_live_messages
SELECT segment, message_id FROM messages WHERE group_ref = ?1 AND author = ?2 AND removed = 0 \
ORDER BY segment

-- name: messages_segments_lacking_bodies
SELECT author, segment FROM messages INDEXED BY messages_wanting_body \
WHERE group_ref = ?1 AND body_held = 0 AND body != x'' AND hidden = 0 AND erased = 0 AND removed = 0 \
GROUP BY author, segment HAVING count(*) >= ?2

-- name: messages_segment_bodies
SELECT DISTINCT body, salt, text, content_warning FROM messages \
WHERE group_ref = ?1 AND author = ?2 AND segment = ?3 AND body != x'' AND body_held = 1 AND hidden = 0 \
ORDER BY body

-- name: messages_all_bodies
SELECT DISTINCT body, salt, text, content_warning FROM messages \
WHERE group_ref = ?1 AND body != x'' AND body_held = 1

-- name: messages_latest_by_others
SELECT message_id FROM messages WHERE group_ref = ?1 AND author != ?2 ORDER BY local_seq DESC LIMIT 1

-- name: messages_set_uncounted
UPDATE messages SET seen = ?3 WHERE group_ref = ?1 AND message_id = ?2

-- name: messages_is_held
SELECT 1 FROM messages WHERE group_ref = ?1 AND message_id = ?2

-- name: messages_is_by_other
SELECT 1 FROM messages WHERE group_ref = ?1 AND message_id = ?2 AND author != ?3

-- name: messages_count_resting
SELECT count(*) FROM messages WHERE group_ref = ?1 AND seen = ?2 AND author = ?3

-- name: messages_listed_resting_past
SELECT message_id, hidden FROM messages WHERE group_ref = ?1 AND seen = ?2 AND author = ?3 \
ORDER BY message_id LIMIT -1 OFFSET ?4

-- name: messages_hidden_resting_on
SELECT author, segment, message_id FROM messages \
WHERE group_ref = ?1 AND seen = ?2 AND author != ?3 AND hidden = 1

-- name: messages_upsert_reaction
INSERT INTO reactions (group_ref, message_id, member, emoji, at) VALUES (?1, ?2, ?3, ?4, ?5) \
ON CONFLICT (group_ref, message_id, member) DO UPDATE SET emoji = excluded.emoji, at = excluded.at \
WHERE excluded.at >= reactions.at

-- fragment: messages_columns
m.message_id, m.author, coalesce(gm.display_name, ''), m.created_at, m.text, m.reply_to,
     m.content_warning, m.edited_at, m.removed, g.group_id, mm.by_member, mm.at, mm.why,
     m.author IN (SELECT member FROM muted_members), m.pending, m.body != x'' AND m.body_held = 0, m.erased
     FROM messages m JOIN groups g ON g.group_ref = m.group_ref
     LEFT JOIN group_members gm ON gm.group_ref = m.group_ref AND gm.member = m.author
     LEFT JOIN moderated_messages mm ON mm.group_ref = m.group_ref AND mm.message_id = m.message_id \
         AND mm.member = m.author

-- name: messages_attach_reactions
SELECT r.emoji, count(*), max(r.member = ?3) FROM reactions r \
JOIN group_members gm ON gm.group_ref = r.group_ref AND gm.member = r.member AND gm.removed = 0 \
WHERE r.group_ref = ?1 AND r.message_id = ?2 AND r.emoji != '' \
    AND r.member NOT IN (SELECT member FROM muted_members WHERE blocked = 1) \
GROUP BY r.emoji ORDER BY count(*) DESC, r.emoji

-- name: messages_page
SELECT {messages_columns} \
WHERE m.group_ref = ?1 AND (m.created_at, m.message_id) < (?2, ?3) AND m.hidden = 0 \
    AND m.author NOT IN (SELECT member FROM muted_members) AND (m.pending = 0 OR m.author = ?5 OR ?6) \
ORDER BY m.created_at DESC, m.message_id DESC LIMIT ?4

-- name: messages_get
SELECT {messages_columns} WHERE m.group_ref = ?1 AND m.message_id = ?2 AND m.hidden = 0 \
    AND (m.pending = 0 OR m.author = ?3 OR ?4)

-- name: messages_author_and_segment
SELECT author, segment, removed FROM messages WHERE group_ref = ?1 AND message_id = ?2 AND hidden = 0

-- name: messages_pending_author
SELECT author FROM messages WHERE group_ref = ?1 AND message_id = ?2 AND pending = 1 AND hidden = 0

-- name: messages_hide_id
UPDATE messages SET hidden = 1 WHERE group_ref = ?1 AND message_id = ?2

-- name: messages_delete_reaction
DELETE FROM reactions WHERE group_ref = ?1 AND message_id = ?2 AND member = ?3

-- name: messages_latest_time
SELECT max(created_at) FROM messages WHERE group_ref = ?1

-- name: messages_ids_with_prefix
SELECT message_id FROM messages WHERE group_ref = ?1 AND substr(lower(hex(message_id)), 1, length(?2)) = ?2 LIMIT ?3
