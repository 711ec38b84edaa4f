-- v5: installed crisis resource directories, one per publisher (its newest version; of two files with the same
-- version, the lower content hash). `file` is the whole signed file as received, verified before it was kept;
-- the other columns are read from it, for listing without parsing.
CREATE TABLE resource_directories (
    publisher    BLOB    PRIMARY KEY CHECK (length(publisher) = 32),
    version      INTEGER NOT NULL CHECK (version >= 0),
    content_hash BLOB    NOT NULL CHECK (length(content_hash) = 32),
    issued_at    INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    example      INTEGER NOT NULL CHECK (example IN (0, 1)),
    entry_count  INTEGER NOT NULL CHECK (entry_count >= 0),
    file         BLOB    NOT NULL,
    installed_at INTEGER NOT NULL
) STRICT;
-- The person's region for crisis resources ('KE' or 'KE-30'; '' when not set). It stays on this phone.
ALTER TABLE profile ADD COLUMN region TEXT NOT NULL DEFAULT '';
