-- v9: group rules, suspensions and premoderation.
-- The moderation log takes the new kinds of entry, with what some of them carry (`details`: a suspension's cutoff and
-- period, the suspension a lift lifts, a rules version's text, a premoderation setting). The table is the read model
-- of the group documents' logs, so it is rebuilt with its rows.
-- (Rebuilt through a copy: this SQLite is built without ALTER TABLE ... RENAME's temporary-schema support.)
CREATE TABLE moderation_actions_copy AS SELECT * FROM moderation_actions;
DROP TABLE moderation_actions;
CREATE TABLE moderation_actions (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    action_id  BLOB    NOT NULL CHECK (length(action_id) = 16),
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('hide', 'restore', 'remove', 'readd', 'suspend', 'lift', 'approve',
                                                'rules', 'policy', 'warn')),
    by_member  BLOB    NOT NULL,
    at         INTEGER NOT NULL,
    message_id BLOB    NOT NULL DEFAULT x'',
    member     BLOB    NOT NULL DEFAULT x'',
    why        TEXT    NOT NULL DEFAULT '',
    details    BLOB    NOT NULL DEFAULT x'',
    PRIMARY KEY (group_ref, action_id)
) STRICT, WITHOUT ROWID;
INSERT INTO moderation_actions (group_ref, action_id, seq, kind, by_member, at, message_id, member, why)
    SELECT group_ref, action_id, seq, kind, by_member, at, message_id, member, why FROM moderation_actions_copy;
DROP TABLE moderation_actions_copy;
-- The entries that decide which posts count are read at every post: found by kind, not by scanning every hide.
CREATE INDEX moderation_actions_by_kind ON moderation_actions (group_ref, kind, seq);
-- A message waiting for a moderator's approval: listed only for its author and the group's moderators.
ALTER TABLE messages ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
-- Each member's acknowledgments of moderation log entries (rules accepted, lifts seen), from their segments.
CREATE TABLE acknowledgments (
    group_ref INTEGER NOT NULL REFERENCES groups (group_ref),
    member    BLOB    NOT NULL,
    entry_id  BLOB    NOT NULL CHECK (length(entry_id) = 16),
    PRIMARY KEY (group_ref, member, entry_id)
) STRICT, WITHOUT ROWID;
-- Sealed items: reports and warnings, each sealed to one member's key, and cover items, all of one size, made at a
-- steady rate by every member's phone and relayed between members. Nothing in a row tells which is which, who made
-- it or for whom; `mine` only says this phone made it (kept until it expires, whatever else arrives).
CREATE TABLE sealed_items (
    group_ref   INTEGER NOT NULL REFERENCES groups (group_ref),
    item_hash   BLOB    NOT NULL CHECK (length(item_hash) = 32),
    item        BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    mine        INTEGER NOT NULL DEFAULT 0 CHECK (mine IN (0, 1)),
    PRIMARY KEY (group_ref, item_hash)
) STRICT, WITHOUT ROWID;
-- What this profile will seal into its next items (a report to each moderator, a warning to a member), and the
-- slot in which each group last made its items.
CREATE TABLE sealed_outbox (
    id        INTEGER PRIMARY KEY,
    group_ref INTEGER NOT NULL REFERENCES groups (group_ref),
    recipient BLOB    NOT NULL CHECK (length(recipient) = 32),
    payload   BLOB    NOT NULL,
    queued_at INTEGER NOT NULL
) STRICT;
CREATE TABLE sealed_slots (
    group_ref INTEGER PRIMARY KEY REFERENCES groups (group_ref),
    slot      INTEGER NOT NULL
) STRICT;
-- Reports this phone opened (it moderates the group): who reported what, and whether a moderator dismissed it.
CREATE TABLE reports (
    group_ref   INTEGER NOT NULL REFERENCES groups (group_ref),
    report_id   BLOB    NOT NULL CHECK (length(report_id) = 16),
    reporter    BLOB    NOT NULL,
    message_id  BLOB    NOT NULL DEFAULT x'',
    member      BLOB    NOT NULL,
    reason      TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    dismissed   INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1)),
    PRIMARY KEY (group_ref, report_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX reports_by_message ON reports (group_ref, message_id);
-- Members whose reports this moderator no longer counts, and warnings this profile received.
CREATE TABLE muted_reporters (
    group_ref INTEGER NOT NULL REFERENCES groups (group_ref),
    member    BLOB    NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (group_ref, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE warnings (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    warning_id BLOB    NOT NULL CHECK (length(warning_id) = 16),
    by_member  BLOB    NOT NULL,
    text       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (group_ref, warning_id)
) STRICT, WITHOUT ROWID;
