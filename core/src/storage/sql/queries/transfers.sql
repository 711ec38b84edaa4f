-- The SQL of `storage/transfers.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: transfers_save_outgoing_insert_outgoing_transfers
INSERT OR IGNORE INTO outgoing_transfers (hash, group_id, doc_id, kind, author, segment, snapshot, vouchers, created_at, form) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)

-- name: transfers_save_outgoing_delete_outgoing_transfers
DELETE FROM outgoing_transfers WHERE created_at < ?1

-- name: transfers_outgoing
SELECT group_id, doc_id, kind, author, segment, snapshot, vouchers, form FROM outgoing_transfers WHERE hash = ?1

-- name: transfers_start_incoming_expired
SELECT hash FROM incoming_transfers WHERE updated_at < ?1 AND hash != ?2

-- name: transfers_start_incoming_total
SELECT coalesce(sum(total_len), 0), \
       (SELECT hash FROM incoming_transfers WHERE hash != ?1 ORDER BY updated_at LIMIT 1) \
FROM incoming_transfers WHERE hash != ?1

-- name: transfers_start_incoming_insert_incoming_transfers
INSERT OR IGNORE INTO incoming_transfers (hash, group_id, doc_id, kind, author, segment, total_len, vouchers, updated_at, form) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)

-- name: transfers_incoming
SELECT group_id, doc_id, kind, author, segment, total_len, received, vouchers, form FROM incoming_transfers WHERE hash = ?1

-- name: transfers_append_incoming_update_incoming_transfers
UPDATE incoming_transfers SET received = received + ?3, updated_at = ?4 \
WHERE hash = ?1 AND received = ?2 AND received + ?3 <= total_len

-- name: transfers_append_incoming_insert_incoming_transfer_chunks
INSERT INTO incoming_transfer_chunks (hash, offset, bytes) VALUES (?1, ?2, ?3)

-- name: transfers_incoming_bytes
SELECT bytes FROM incoming_transfer_chunks WHERE hash = ?1 ORDER BY offset

-- name: transfers_drop_incoming_delete_incoming_transfer_chunks
DELETE FROM incoming_transfer_chunks WHERE hash = ?1

-- name: transfers_drop_incoming_delete_incoming_transfers
DELETE FROM incoming_transfers WHERE hash = ?1
