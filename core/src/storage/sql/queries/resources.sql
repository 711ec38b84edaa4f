-- The SQL of `storage/resources.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- fragment: resources_columns
publisher, version, content_hash, title, example, entry_count

-- name: resources_get
SELECT {resources_columns} FROM resource_directories WHERE publisher = ?1

-- name: resources_files
SELECT file FROM resource_directories ORDER BY publisher

-- name: resources_put
INSERT OR REPLACE INTO resource_directories \
    (publisher, version, content_hash, issued_at, title, example, entry_count, file, installed_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)

-- name: resources_remove
DELETE FROM resource_directories WHERE publisher = ?1

-- name: resources_group_hashes
SELECT publisher, content_hash FROM group_directories WHERE group_ref = ?1 ORDER BY publisher

-- name: resources_replace_group_delete_group_directories
DELETE FROM group_directories WHERE group_ref = ?1

-- name: resources_replace_group_insert_group_directories
INSERT INTO group_directories (group_ref, publisher, version, content_hash, file) VALUES (?1, ?2, ?3, ?4, ?5)

-- name: resources_group_files
SELECT g.group_id, d.file FROM group_directories d JOIN groups g USING (group_ref) \
ORDER BY d.publisher, g.group_id

-- name: resources_trusted_publishers
SELECT publisher FROM group_publishers WHERE group_ref = ?1 ORDER BY publisher

-- name: resources_replace_trusted_delete_group_publishers
DELETE FROM group_publishers WHERE group_ref = ?1

-- name: resources_replace_trusted_insert_group_publishers
INSERT INTO group_publishers (group_ref, publisher) VALUES (?1, ?2)
