-- The SQL of `storage/checkins.rs`: each statement under `-- name: x`, which that file runs as `sql(q::X)`.
-- The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: checkins_upsert_insert_checkins
INSERT INTO checkins (checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note, medication, \
    created_at) \
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
ON CONFLICT (checkin_id) DO UPDATE SET at = excluded.at, utc_offset_minutes = excluded.utc_offset_minutes, \
    mood = excluded.mood, energy = excluded.energy, sleep_minutes = excluded.sleep_minutes, \
    note = excluded.note, medication = excluded.medication

-- name: checkins_upsert_delete_checkin_tags
DELETE FROM checkin_tags WHERE checkin_id = ?1

-- name: checkins_upsert_delete_checkin_labels
DELETE FROM checkin_labels WHERE checkin_id = ?1

-- name: checkins_upsert_insert_checkin_tags
INSERT OR IGNORE INTO checkin_tags (checkin_id, tag) VALUES (?1, ?2)

-- name: checkins_upsert_insert_checkin_labels
INSERT OR IGNORE INTO checkin_labels (checkin_id, kind, label) VALUES (?1, ?2, ?3)

-- fragment: checkins_select
SELECT checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note, medication,
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM checkin_tags t WHERE t.checkin_id = c.checkin_id ORDER BY tag)),
        (SELECT group_concat(label, char(31)) FROM (SELECT label FROM checkin_labels l \
             WHERE l.checkin_id = c.checkin_id AND kind = 'emotion' ORDER BY label)),
        (SELECT group_concat(label, char(31)) FROM (SELECT label FROM checkin_labels l \
             WHERE l.checkin_id = c.checkin_id AND kind = 'activity' ORDER BY label))
    FROM checkins c

-- name: checkins_between
{checkins_select} WHERE at >= ?1 AND at < ?2 ORDER BY at, checkin_id

-- name: checkins_get
{checkins_select} WHERE checkin_id = ?1

-- name: checkins_delete
DELETE FROM checkins WHERE checkin_id = ?1

-- name: checkins_choices
SELECT label FROM checkin_choices WHERE kind = ?1 ORDER BY position

-- name: checkins_choices_listed
SELECT EXISTS (SELECT 1 FROM checkin_choice_lists WHERE kind = ?1)

-- name: checkins_set_choices_delete_checkin_choices
DELETE FROM checkin_choices WHERE kind = ?1

-- name: checkins_set_choices_insert_checkin_choice_lists
INSERT OR IGNORE INTO checkin_choice_lists (kind) VALUES (?1)

-- name: checkins_set_choices_insert_checkin_choices
INSERT INTO checkin_choices (kind, position, label) VALUES (?1, ?2, ?3)
