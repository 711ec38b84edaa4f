-- The SQL of `storage/trust.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: trust_record_equivocation_insert_quarantine
INSERT OR IGNORE INTO quarantine (group_id, doc_id, member, actor, seq, kept_change, refused_change, detected_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)

-- name: trust_record_equivocation_insert_flagged_members
INSERT OR IGNORE INTO flagged_members (group_id, member, reason, flagged_at) VALUES (?1, ?2, ?3, ?4)

-- name: trust_quarantined_positions
SELECT actor, min(seq) FROM quarantine WHERE doc_id = ?1 GROUP BY actor

-- name: trust_is_flagged
SELECT 1 FROM flagged_members WHERE group_id = ?1 AND member = ?2

-- name: trust_flagged
SELECT member, reason FROM flagged_members WHERE group_id = ?1 ORDER BY flagged_at

-- name: trust_proofs
SELECT count(*) FROM quarantine WHERE group_id = ?1
