-- v6: crisis resource directories published into groups, as each group's trust rules make them (read model: rewritten
-- from the group document whenever it changes). One row per group and publisher: the publisher's newest file in
-- effect in that group (the owner's own, or a publisher the owner marks trusted), verified before it was kept.
CREATE TABLE group_directories (
    group_ref    INTEGER NOT NULL REFERENCES groups (group_ref),
    publisher    BLOB    NOT NULL CHECK (length(publisher) = 32),
    version      INTEGER NOT NULL CHECK (version >= 0),
    content_hash BLOB    NOT NULL CHECK (length(content_hash) = 32),
    file         BLOB    NOT NULL,
    PRIMARY KEY (group_ref, publisher)
) STRICT, WITHOUT ROWID;
-- Read model: the publishers a group's owner marks trusted to publish directories into the group.
CREATE TABLE group_publishers (
    group_ref INTEGER NOT NULL REFERENCES groups (group_ref),
    publisher BLOB    NOT NULL CHECK (length(publisher) = 32),
    PRIMARY KEY (group_ref, publisher)
) STRICT, WITHOUT ROWID;
