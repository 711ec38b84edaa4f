-- The SQL of `storage/personal.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: personal_control_of
SELECT blocked FROM muted_members WHERE member = ?1

-- name: personal_set_control_delete_muted_members
DELETE FROM muted_members WHERE member = ?1

-- name: personal_set_control_insert_muted_members
INSERT INTO muted_members (member, blocked, at) VALUES (?1, ?2, ?3) \
ON CONFLICT (member) DO UPDATE SET blocked = excluded.blocked, at = excluded.at

-- name: personal_muted_members
SELECT member, blocked, at FROM muted_members ORDER BY at DESC, member

-- name: personal_muted_words
SELECT word FROM muted_words ORDER BY word

-- name: personal_set_word_insert_muted_words
INSERT OR IGNORE INTO muted_words (word, at) VALUES (?1, ?2)

-- name: personal_set_word_delete_muted_words
DELETE FROM muted_words WHERE word = ?1

-- name: personal_fold_warnings
SELECT fold_warnings FROM profile WHERE id = 1

-- name: personal_set_fold_warnings
UPDATE profile SET fold_warnings = ?1 WHERE id = 1
