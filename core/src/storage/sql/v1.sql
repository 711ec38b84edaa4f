-- Kindred schema version 1.

-- The profile that owns this file: its member key, this install's Automerge actor and the key's certificate for it.
CREATE TABLE profile (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    display_name      TEXT    NOT NULL,
    member_secret     BLOB    NOT NULL,
    actor_id          BLOB    NOT NULL,
    actor_certificate BLOB    NOT NULL,
    personal_doc      BLOB    NOT NULL,
    created_at        INTEGER NOT NULL
) STRICT;

-- Every Automerge document this profile holds. Message segments belong to one author (`author`, the member key),
-- who alone writes them. `generation` counts writes, so a cached copy can tell it is stale;
-- the byte and chunk counts decide when to compact.
CREATE TABLE documents (
    doc_id     BLOB    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('group', 'segment', 'personal')),
    group_id   BLOB    NOT NULL DEFAULT x'',
    author     BLOB    NOT NULL DEFAULT x'',
    segment    INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0,
    snapshot_bytes    INTEGER NOT NULL DEFAULT 0,
    incremental_count INTEGER NOT NULL DEFAULT 0,
    incremental_bytes INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A document is its snapshot (at most one) plus the incremental change chunks written since; compaction folds the
-- chunks into a new snapshot in one transaction. (Plain rowids, not AUTOINCREMENT: a new row always gets a higher id
-- than every row present, which is all the ordering needs, and it spares a write per post.)
CREATE TABLE document_chunks (
    chunk_id INTEGER PRIMARY KEY,
    doc_id   BLOB    NOT NULL REFERENCES documents (doc_id),
    kind     TEXT    NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
    bytes    BLOB    NOT NULL
) STRICT;
CREATE INDEX document_chunks_by_doc ON document_chunks (doc_id, chunk_id);

-- Which member key each Automerge actor writes for, with the member's signature over that claim.
CREATE TABLE actor_certificates (
    actor       BLOB PRIMARY KEY,
    member      BLOB NOT NULL,
    certificate BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- The newest change of each actor in each document, with its author's signature over (document, change hash). An
-- actor's changes form a hash chain (each depends, directly or not, on the actor's previous one), so this one
-- signature covers the whole run; it travels with the changes so other phones can check them.
CREATE TABLE actor_heads (
    doc_id      BLOB    NOT NULL,
    actor       BLOB    NOT NULL,
    seq         INTEGER NOT NULL,
    change_hash BLOB    NOT NULL,
    signature   BLOB    NOT NULL,
    PRIMARY KEY (doc_id, actor)
) STRICT, WITHOUT ROWID;

-- Read model: groups this profile belongs to. `last_read_seq` is the read marker (a messages.local_seq).
CREATE TABLE groups (
    group_ref       INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id        BLOB    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    guidelines      TEXT    NOT NULL DEFAULT '',
    created_by      BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    current_segment INTEGER NOT NULL DEFAULT 0,
    last_read_seq   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX groups_by_name ON groups (name);

-- Read model: members of each group and their roles, from the group document. Removed members keep a row (their
-- name still labels their earlier messages) with `removed_at` set.
CREATE TABLE group_members (
    group_ref    INTEGER NOT NULL REFERENCES groups (group_ref),
    member       BLOB    NOT NULL,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    added_at     INTEGER NOT NULL,
    added_by     BLOB    NOT NULL,
    removed_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_ref, member)
) STRICT, WITHOUT ROWID;

-- Read model: messages of every segment. `local_seq` is arrival order on this phone (for unread counts; rows are
-- never deleted, so plain rowids only grow); `created_at` is the author's clock (for display order). Removed
-- messages keep their row, without text; `hidden` rows (a removed member's posts after the removal) list nowhere.
CREATE TABLE messages (
    local_seq       INTEGER PRIMARY KEY,
    group_ref       INTEGER NOT NULL REFERENCES groups (group_ref),
    message_id      BLOB    NOT NULL,
    segment         INTEGER NOT NULL,
    author          BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    reply_to        BLOB    NOT NULL DEFAULT x'',
    content_warning TEXT    NOT NULL DEFAULT '',
    edited_at       INTEGER NOT NULL DEFAULT 0,
    removed         INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    UNIQUE (group_ref, message_id)
) STRICT;
CREATE INDEX messages_timeline ON messages (group_ref, created_at, message_id);
CREATE INDEX messages_arrival ON messages (group_ref, local_seq);

-- Read model: one reaction per member per message (the newest the member wrote; an empty emoji is "taken back").
CREATE TABLE reactions (
    group_ref  INTEGER NOT NULL REFERENCES groups (group_ref),
    message_id BLOB    NOT NULL,
    member     BLOB    NOT NULL,
    emoji      TEXT    NOT NULL,
    at         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_ref, message_id, member)
) STRICT, WITHOUT ROWID;

-- Read model: goals, private (from the personal document) or shared (from a group document).
CREATE TABLE goals (
    goal_id        BLOB    PRIMARY KEY,
    doc_id         BLOB    NOT NULL,
    group_id       BLOB    NOT NULL DEFAULT x'',
    owner          BLOB    NOT NULL,
    title          TEXT    NOT NULL,
    cadence_times  INTEGER NOT NULL CHECK (cadence_times > 0),
    cadence_period TEXT    NOT NULL CHECK (cadence_period IN ('day', 'week', 'month')),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX goals_by_doc ON goals (doc_id);

CREATE TABLE goal_progress (
    goal_id     BLOB    NOT NULL REFERENCES goals (goal_id),
    progress_id BLOB    NOT NULL,
    at          INTEGER NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    note        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (goal_id, progress_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX goal_progress_by_time ON goal_progress (goal_id, at);

-- Mood check-ins: personal, never synced. energy 0 and sleep_minutes -1 mean "not recorded".
CREATE TABLE checkins (
    checkin_id         BLOB    PRIMARY KEY,
    at                 INTEGER NOT NULL,
    utc_offset_minutes INTEGER NOT NULL DEFAULT 0,
    mood               INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    energy             INTEGER NOT NULL DEFAULT 0 CHECK (energy BETWEEN 0 AND 5),
    sleep_minutes      INTEGER NOT NULL DEFAULT -1 CHECK (sleep_minutes BETWEEN -1 AND 1440),
    note               TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX checkins_by_time ON checkins (at);

CREATE TABLE checkin_tags (
    checkin_id BLOB NOT NULL REFERENCES checkins (checkin_id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (checkin_id, tag)
) STRICT, WITHOUT ROWID;

-- Invitations this profile holds and wants to use: the first sync with a member of the group admits it.
CREATE TABLE pending_joins (
    group_id   BLOB    PRIMARY KEY,
    group_name TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Equivocation proofs: two different changes, both validly signed, at the same actor and sequence number. The one
-- that arrived second was never applied; both are kept here as evidence.
CREATE TABLE quarantine (
    quarantine_id INTEGER PRIMARY KEY,
    group_id      BLOB    NOT NULL,
    doc_id        BLOB    NOT NULL,
    member        BLOB    NOT NULL,
    actor         BLOB    NOT NULL,
    seq           INTEGER NOT NULL,
    kept_change   BLOB    NOT NULL,
    refused_change BLOB   NOT NULL,
    detected_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX quarantine_by_position ON quarantine (doc_id, actor, seq);

-- Members caught equivocating in a group: their further changes are refused and apps can warn about them.
CREATE TABLE flagged_members (
    group_id   BLOB    NOT NULL,
    member     BLOB    NOT NULL,
    reason     TEXT    NOT NULL,
    flagged_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, member)
) STRICT, WITHOUT ROWID;

-- Large pieces of documents offered to a peer (a whole snapshot for a new member, or a long list of changes; `form`
-- says which), kept by content hash so a transfer cut off by a dropped link resumes where it stopped, even on another
-- connection. `vouchers` holds the signed heads and actor certificates that cover the blob's changes.
CREATE TABLE outgoing_transfers (
    hash       BLOB    PRIMARY KEY,
    group_id   BLOB    NOT NULL,
    doc_id     BLOB    NOT NULL,
    kind       TEXT    NOT NULL,
    author     BLOB    NOT NULL DEFAULT x'',
    segment    INTEGER NOT NULL,
    form       INTEGER NOT NULL DEFAULT 0,
    snapshot   BLOB    NOT NULL,
    vouchers   BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- The receiving side of those transfers: what has arrived so far, so a new connection asks only for the rest.
CREATE TABLE incoming_transfers (
    hash       BLOB    PRIMARY KEY,
    group_id   BLOB    NOT NULL,
    doc_id     BLOB    NOT NULL,
    kind       TEXT    NOT NULL,
    author     BLOB    NOT NULL DEFAULT x'',
    segment    INTEGER NOT NULL,
    form       INTEGER NOT NULL DEFAULT 0,
    total_len  INTEGER NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    vouchers   BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE incoming_transfer_chunks (
    hash   BLOB    NOT NULL REFERENCES incoming_transfers (hash) ON DELETE CASCADE,
    offset INTEGER NOT NULL,
    bytes  BLOB    NOT NULL,
    PRIMARY KEY (hash, offset)
) STRICT, WITHOUT ROWID;
