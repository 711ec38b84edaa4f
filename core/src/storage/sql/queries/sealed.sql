-- The SQL of `storage/sealed.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: sealed_insert_item
INSERT OR IGNORE INTO sealed_items (group_ref, item_hash, item, received_at, mine) VALUES (?1, ?2, ?3, ?4, ?5)

-- name: sealed_prune_expired
DELETE FROM sealed_items WHERE group_ref = ?1 AND received_at < ?2

-- name: sealed_prune_past_most
DELETE FROM sealed_items WHERE group_ref = ?1 AND item_hash IN ( \
    SELECT item_hash FROM sealed_items WHERE group_ref = ?1 \
    ORDER BY mine DESC, received_at DESC, item_hash LIMIT -1 OFFSET ?2)

-- name: sealed_hashes
SELECT item_hash FROM sealed_items WHERE group_ref = ?1 ORDER BY item_hash

-- name: sealed_items
SELECT item_hash, item FROM sealed_items WHERE group_ref = ?1 ORDER BY received_at, item_hash

-- name: sealed_slot
SELECT slot FROM sealed_slots WHERE group_ref = ?1

-- name: sealed_set_slot
INSERT OR REPLACE INTO sealed_slots (group_ref, slot) VALUES (?1, ?2)

-- name: sealed_outbox_push
INSERT INTO sealed_outbox (group_ref, recipient, payload, queued_at) VALUES (?1, ?2, ?3, ?4)

-- name: sealed_outbox_len
SELECT count(*) FROM sealed_outbox WHERE group_ref = ?1

-- name: sealed_outbox_take_select_sealed_outbox
SELECT id, recipient, payload FROM sealed_outbox WHERE group_ref = ?1 ORDER BY id LIMIT ?2

-- name: sealed_outbox_take_delete_sealed_outbox
DELETE FROM sealed_outbox WHERE id = ?1

-- name: sealed_insert_report
INSERT OR IGNORE INTO reports (group_ref, report_id, reporter, message_id, member, reason, note, at, \
                               received_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)

-- name: sealed_open_reports_by
SELECT count(*) FROM reports WHERE group_ref = ?1 AND reporter = ?2 AND dismissed = 0

-- name: sealed_reporters_of
SELECT count(DISTINCT reporter) FROM reports r WHERE group_ref = ?1 AND message_id = ?2 AND dismissed = 0 \
    AND NOT EXISTS (SELECT 1 FROM muted_reporters m WHERE m.group_ref = r.group_ref AND m.member = r.reporter)

-- name: sealed_reports
SELECT report_id, reporter, message_id, member, reason, note, at, dismissed, \
       (SELECT count(*) FROM reports d WHERE d.group_ref = r.group_ref AND d.reporter = r.reporter \
            AND d.dismissed = 1), \
       EXISTS (SELECT 1 FROM muted_reporters m WHERE m.group_ref = r.group_ref AND m.member = r.reporter) \
FROM reports r WHERE group_ref = ?1 ORDER BY at DESC, report_id LIMIT 1000

-- name: sealed_dismiss
UPDATE reports SET dismissed = 1 WHERE group_ref = ?1 AND report_id = ?2

-- name: sealed_mute_reporter_insert_muted_reporters
INSERT OR REPLACE INTO muted_reporters (group_ref, member, at) VALUES (?1, ?2, ?3)

-- name: sealed_mute_reporter_delete_muted_reporters
DELETE FROM muted_reporters WHERE group_ref = ?1 AND member = ?2

-- name: sealed_insert_warning
INSERT OR IGNORE INTO warnings (group_ref, warning_id, by_member, text, at) VALUES (?1, ?2, ?3, ?4, ?5)

-- name: sealed_warnings
SELECT warning_id, by_member, text, at FROM warnings WHERE group_ref = ?1 ORDER BY at DESC
