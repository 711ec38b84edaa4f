-- v7: results of validated instruments (WHO-5, PHQ-9, GAD-7, K10...). Personal data, like check-ins: they live only
-- here and never sync. `answers` holds one byte per item, private items (PHQ-9 item 9) included: they stay on this
-- phone. `flags` is the raised flags' labels joined by char(31); `percentage` is -1 when the instrument has none.
CREATE TABLE instrument_results (
    result_id          BLOB    PRIMARY KEY CHECK (length(result_id) = 16),
    instrument         TEXT    NOT NULL,
    at                 INTEGER NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    answers            BLOB    NOT NULL,
    score              INTEGER NOT NULL CHECK (score >= 0),
    max_score          INTEGER NOT NULL CHECK (max_score >= 0),
    percentage         INTEGER NOT NULL DEFAULT -1,
    band               TEXT    NOT NULL DEFAULT '',
    flags              TEXT    NOT NULL DEFAULT '',
    crisis             INTEGER NOT NULL DEFAULT 0 CHECK (crisis IN (0, 1)),
    created_at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX instrument_results_by_time ON instrument_results (instrument, at);
-- Richer check-ins: whether medication was taken (-1 not said, 0 no, 1 yes), the emotions and activities chosen, and
-- the lists the person chooses them from (their own order; empty until the person changes the suggested ones).
ALTER TABLE checkins ADD COLUMN medication INTEGER NOT NULL DEFAULT -1 CHECK (medication IN (-1, 0, 1));
CREATE TABLE checkin_labels (
    checkin_id BLOB NOT NULL REFERENCES checkins (checkin_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('emotion', 'activity')),
    label      TEXT NOT NULL,
    PRIMARY KEY (checkin_id, kind, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX checkin_labels_by_label ON checkin_labels (kind, label);
-- A kind listed here has the person's own list (possibly empty); otherwise the suggested one applies.
CREATE TABLE checkin_choice_lists (
    kind TEXT PRIMARY KEY CHECK (kind IN ('emotion', 'activity'))
) STRICT, WITHOUT ROWID;
CREATE TABLE checkin_choices (
    kind     TEXT    NOT NULL CHECK (kind IN ('emotion', 'activity')),
    position INTEGER NOT NULL CHECK (position >= 0),
    label    TEXT    NOT NULL,
    PRIMARY KEY (kind, position)
) STRICT, WITHOUT ROWID;
-- Read model of goals' skipped days (`YYYY-MM-DD`, the owner's calendar) and pauses (`resumed_at` 0: still paused),
-- from the goal's document: days without penalty in its habit strength.
CREATE TABLE goal_skips (
    goal_id BLOB NOT NULL REFERENCES goals (goal_id),
    day     TEXT NOT NULL,
    PRIMARY KEY (goal_id, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE goal_pauses (
    goal_id    BLOB    NOT NULL REFERENCES goals (goal_id),
    paused_at  INTEGER NOT NULL,
    resumed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (goal_id, paused_at)
) STRICT, WITHOUT ROWID;
-- Read model of cheers on shared goals: each other member's latest, from the goal's document.
CREATE TABLE goal_cheers (
    goal_id BLOB    NOT NULL REFERENCES goals (goal_id),
    member  BLOB    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (goal_id, member)
) STRICT, WITHOUT ROWID;
