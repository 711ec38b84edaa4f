-- The SQL of `storage/export.rs`: one statement per kind of the export of one's own data (`crate::export`), `?1`
-- being this profile's member key. Columns are named as the export's files name them; a name's ending says how the
-- value is written (`at`/`..._at` a time, `...?` yes/no, `...[]` a list). Each statement under `-- name: x`, which
-- that file runs as `sql(q::X)`. The format (line continuations, fragments) is described in `storage/queries.rs`.

-- name: export_groups
SELECT g.group_id, g.name, m.role AS my_role FROM groups g \
LEFT JOIN group_members m ON m.group_ref = g.group_ref AND m.member = ?1 AND m.removed = 0 \
WHERE m.member IS NOT NULL OR EXISTS (SELECT 1 FROM messages x WHERE x.group_ref = g.group_ref AND x.author = ?1) \
ORDER BY g.created_at, g.group_id

-- name: export_messages
SELECT g.group_id, g.name AS group_name, m.message_id, m.created_at, m.text, m.content_warning, m.reply_to, \
    m.edited_at != 0 AS "edited?", m.edited_at, m.hidden AS "hidden_by_moderator?", \
    m.pending AS "awaiting_approval?" \
FROM messages m JOIN groups g USING (group_ref) \
WHERE m.author = ?1 AND m.removed = 0 AND m.erased = 0 \
ORDER BY m.group_ref, m.local_seq

-- name: export_reactions
SELECT g.group_id, g.name AS group_name, r.message_id, r.emoji, r.at FROM reactions r JOIN groups g USING (group_ref) \
WHERE r.member = ?1 AND r.emoji != '' AND NOT EXISTS (SELECT 1 FROM messages m \
    WHERE m.group_ref = r.group_ref AND m.message_id = r.message_id AND (m.removed = 1 OR m.erased = 1)) \
ORDER BY r.at, g.group_id, r.message_id

-- name: export_goals
SELECT goal_id, title, group_id AS shared_with_group_id, link_goal AS group_goal_id, cadence_times AS times, \
    cadence_period AS period, \
    substr(iif(weekdays & 1, char(31) || '1', '') || iif(weekdays & 2, char(31) || '2', '') \
        || iif(weekdays & 4, char(31) || '3', '') || iif(weekdays & 8, char(31) || '4', '') \
        || iif(weekdays & 16, char(31) || '5', '') || iif(weekdays & 32, char(31) || '6', '') \
        || iif(weekdays & 64, char(31) || '7', ''), 2) AS "weekdays[]", \
    status, created_at, updated_at, \
    (SELECT coalesce(sum(amount), 0) FROM goal_progress p WHERE p.goal_id = goals.goal_id) AS total_logged \
FROM goals WHERE owner = ?1 ORDER BY created_at, goal_id

-- name: export_goal_progress
SELECT p.progress_id, p.goal_id, g.title AS goal_title, p.at, p.amount, p.note \
FROM goal_progress p JOIN goals g USING (goal_id) WHERE g.owner = ?1 ORDER BY p.at, p.progress_id

-- name: export_goal_skips
SELECT s.goal_id, s.day FROM goal_skips s JOIN goals g USING (goal_id) WHERE g.owner = ?1 ORDER BY s.goal_id, s.day

-- name: export_goal_pauses
SELECT p.goal_id, p.paused_at, p.resumed_at FROM goal_pauses p JOIN goals g USING (goal_id) \
WHERE g.owner = ?1 ORDER BY p.goal_id, p.paused_at

-- name: export_cheers
SELECT goal_id, at FROM goal_cheers WHERE member = ?1 ORDER BY at, goal_id

-- name: export_group_goals
SELECT gg.goal_id, g.group_id, g.name AS group_name, gg.title, gg.created_at, gg.ended_at \
FROM group_goals gg JOIN groups g USING (group_ref) WHERE gg.created_by = ?1 ORDER BY gg.created_at, gg.goal_id

-- name: export_checkins
SELECT c.checkin_id, c.at, c.utc_offset_minutes, c.mood, nullif(c.energy, 0) AS energy, \
    iif(c.sleep_minutes < 0, NULL, c.sleep_minutes / 60.0) AS sleep_hours, \
    nullif(c.medication, -1) AS "medication_taken?", \
    (SELECT group_concat(label, char(31)) FROM checkin_labels l WHERE l.checkin_id = c.checkin_id \
        AND l.kind = 'emotion') AS "emotions[]", \
    (SELECT group_concat(label, char(31)) FROM checkin_labels l WHERE l.checkin_id = c.checkin_id \
        AND l.kind = 'activity') AS "activities[]", \
    (SELECT group_concat(tag, char(31)) FROM checkin_tags t WHERE t.checkin_id = c.checkin_id) AS "tags[]", \
    c.note \
FROM checkins c ORDER BY c.at, c.checkin_id

-- name: export_checkin_choices
SELECT kind, position, label FROM checkin_choices ORDER BY kind, position

-- name: export_instrument_results
SELECT result_id, instrument, at, utc_offset_minutes, answers AS "answers[]", score, max_score, \
    nullif(percentage, -1) AS percentage, band, flags AS "flags[]", crisis AS "crisis?" \
FROM instrument_results ORDER BY at, result_id

-- name: export_safety_plan
SELECT item_id, step, position + 1 AS position, text, contact, created_at, updated_at FROM safety_plan_items \
ORDER BY instr('warning-signs coping distractions people professionals environment reasons', step), position

-- name: export_moderation_actions
SELECT a.action_id AS entry_id, g.group_id, a.kind, a.at, a.message_id, a.member AS member_id, a.why \
FROM moderation_actions a JOIN groups g USING (group_ref) WHERE a.by_member = ?1 ORDER BY a.at, a.seq

-- name: export_muted_members
SELECT member AS member_id, iif(blocked, 'blocked', 'muted') AS control, at FROM muted_members ORDER BY at, member

-- name: export_muted_words
SELECT word, at FROM muted_words ORDER BY at, word

-- name: export_settings
SELECT fold_warnings AS "fold_content_warnings?", nullif(region, '') AS crisis_region FROM profile
