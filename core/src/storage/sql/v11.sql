-- v11: the relay mailbox (`relay/`): for each group this phone syncs through an object store, what it has put,
-- taken and been told there (its object numbers, the names it has fetched, each other member's acknowledgements and
-- holdings, the group's epoch keys), as one postcard-encoded value. Keyed by group id, not by row: a phone joining
-- through the mailbox keeps it before it holds the group.
CREATE TABLE relay_state (
    group_id BLOB NOT NULL PRIMARY KEY CHECK (length(group_id) = 16),
    state    BLOB NOT NULL
) STRICT, WITHOUT ROWID;
