-- The SQL of `storage/documents.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: documents_get_or_create
INSERT INTO documents (doc_id, kind, group_id, author, segment) VALUES (?1, ?2, ?3, ?4, ?5)

-- name: documents_stored_generation
SELECT generation FROM documents WHERE doc_id = ?1

-- name: documents_stored_bytes
SELECT bytes FROM document_chunks WHERE doc_id = ?1 ORDER BY kind = 'incremental', chunk_id

-- name: documents_store_changes_insert_document_chunks
INSERT INTO document_chunks (doc_id, kind, bytes) VALUES (?1, 'incremental', ?2)

-- name: documents_store_changes_insert_actor_heads
INSERT INTO actor_heads (doc_id, actor, seq, change_hash, signature) VALUES (?1, ?2, ?3, ?4, ?5) \
ON CONFLICT (doc_id, actor) DO UPDATE SET seq = excluded.seq, change_hash = excluded.change_hash, \
    signature = excluded.signature \
WHERE excluded.seq > actor_heads.seq

-- name: documents_store_changes_update_documents
UPDATE documents SET generation = generation + 1, incremental_count = incremental_count + ?2, \
    incremental_bytes = incremental_bytes + ?3 \
WHERE doc_id = ?1 \
RETURNING generation, snapshot_bytes, incremental_count, incremental_bytes

-- name: documents_compact_if_due
SELECT incremental_count, incremental_bytes, snapshot_bytes FROM documents WHERE doc_id = ?1

-- name: documents_due_for_compaction
SELECT d.doc_id FROM documents d \
WHERE d.incremental_count > 0 \
  AND (d.incremental_count >= ?1 OR d.incremental_bytes >= max(d.snapshot_bytes, ?2) \
       OR (d.kind = 'segment' AND d.author = ?3 \
           AND d.segment < (SELECT g.current_segment FROM groups g WHERE g.group_id = d.group_id))) \
ORDER BY d.incremental_count DESC

-- name: documents_compact_select_documents
SELECT incremental_count FROM documents WHERE doc_id = ?1

-- name: documents_compact_delete_document_chunks
DELETE FROM document_chunks WHERE doc_id = ?1

-- name: documents_compact_insert_document_chunks
INSERT INTO document_chunks (doc_id, kind, bytes) VALUES (?1, 'snapshot', ?2)

-- name: documents_compact_update_documents
UPDATE documents SET generation = generation + 1, snapshot_bytes = ?2, incremental_count = 0, \
    incremental_bytes = 0 \
WHERE doc_id = ?1 RETURNING generation

-- name: documents_actor_certificate
SELECT member, certificate FROM actor_certificates WHERE actor = ?1

-- name: documents_actors_of_member
SELECT actor FROM actor_certificates WHERE member = ?1

-- name: documents_insert_actor_certificate
INSERT OR IGNORE INTO actor_certificates (actor, member, certificate) VALUES (?1, ?2, ?3)

-- name: documents_signed_head
SELECT seq, change_hash, signature FROM actor_heads WHERE doc_id = ?1 AND actor = ?2

-- name: documents_clock
SELECT actor, seq, change_hash FROM actor_heads WHERE doc_id = ?1 ORDER BY actor
