-- The SQL of `storage/instruments.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: instruments_insert
INSERT INTO instrument_results (result_id, instrument, at, utc_offset_minutes, answers, score, max_score, \
    percentage, band, flags, crisis, created_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)

-- name: instruments_delete
DELETE FROM instrument_results WHERE result_id = ?1
