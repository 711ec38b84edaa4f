-- The SQL of `storage/safety_plan.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- fragment: safety_plan_columns
item_id, step, text, contact, created_at, updated_at

-- name: safety_plan_all
SELECT {safety_plan_columns} FROM safety_plan_items ORDER BY step, position, created_at, item_id

-- name: safety_plan_in_step
SELECT {safety_plan_columns} FROM safety_plan_items WHERE step = ?1 ORDER BY position, created_at, item_id

-- name: safety_plan_get
SELECT {safety_plan_columns} FROM safety_plan_items WHERE item_id = ?1

-- name: safety_plan_insert
INSERT INTO safety_plan_items (item_id, step, position, text, contact, created_at, updated_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)

-- name: safety_plan_update
UPDATE safety_plan_items SET text = ?2, contact = ?3, updated_at = ?4 WHERE item_id = ?1

-- name: safety_plan_set_order
UPDATE safety_plan_items SET position = ?2 WHERE item_id = ?1

-- name: safety_plan_delete
DELETE FROM safety_plan_items WHERE item_id = ?1

-- name: safety_plan_delete_all
DELETE FROM safety_plan_items
