//! SQL for invitations this profile is waiting to use.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::ids::GroupId;

/// An invitation waiting for the first sync with a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingJoin {
    pub group_id: GroupId,
    pub group_name: String,
    pub code: String,
}

pub(crate) fn insert(conn: &Connection, join: &PendingJoin, at: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO pending_joins (group_id, group_name, code, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (group_id) DO UPDATE SET code = excluded.code, group_name = excluded.group_name",
        params![join.group_id, join.group_name, join.code, at],
    )?;
    Ok(())
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<PendingJoin>> {
    let mut stmt = conn.prepare_cached("SELECT group_id, group_name, code FROM pending_joins ORDER BY created_at")?;
    let rows =
        stmt.query_map([], |r| Ok(PendingJoin { group_id: r.get(0)?, group_name: r.get(1)?, code: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The invitation for `group` was used: it leaves the pending list, kept aside in case the admission turns out to
/// have had no effect.
pub(crate) fn mark_joined(conn: &Connection, group: &GroupId, at: i64) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO used_invitations (group_id, group_name, code, joined_at) \
         SELECT group_id, group_name, code, ?2 FROM pending_joins WHERE group_id = ?1",
        params![group, at],
    )?;
    conn.execute("DELETE FROM pending_joins WHERE group_id = ?1", [group])?;
    Ok(())
}

/// The admission with the invitation for `group` had no effect: the invitation is pending again (its next use
/// tells the person why, and they can ask for a new code). Returns whether there was one.
pub(crate) fn reopen_lost(conn: &Connection, group: &GroupId, at: i64) -> Result<bool> {
    let moved = conn.execute(
        "INSERT OR REPLACE INTO pending_joins (group_id, group_name, code, created_at) \
         SELECT group_id, group_name, code, ?2 FROM used_invitations WHERE group_id = ?1",
        params![group, at],
    )?;
    conn.execute("DELETE FROM used_invitations WHERE group_id = ?1", [group])?;
    Ok(moved > 0)
}
