-- v3: invitations this profile joined with, kept after joining. If the admission turns out to have had no effect
-- (someone else used the same code first, on a phone this one had not met), the invitation goes back to
-- pending_joins, so the person is told at their next sync and can ask for a new code.
CREATE TABLE used_invitations (
    group_id   BLOB    PRIMARY KEY,
    group_name TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    joined_at  INTEGER NOT NULL
) STRICT;
