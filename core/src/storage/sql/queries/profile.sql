-- The SQL of `storage/profile.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: profile_insert
INSERT INTO profile (id, display_name, member_secret, actor_id, actor_certificate, personal_doc, created_at) \
VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)

-- name: profile_load
SELECT display_name, member_secret, actor_id, actor_certificate, personal_doc, created_at FROM profile WHERE id = 1

-- name: profile_set_display_name
UPDATE profile SET display_name = ?1 WHERE id = 1

-- name: profile_region
SELECT region FROM profile WHERE id = 1

-- name: profile_set_region
UPDATE profile SET region = ?1 WHERE id = 1
