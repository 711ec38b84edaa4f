//! SQL for invitations this profile is waiting to use.

use rusqlite::{Connection, params};

use super::queries::{q, sql};
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
    conn.execute(sql(q::JOINS_INSERT), params![join.group_id, join.group_name, join.code, at])?;
    Ok(())
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<PendingJoin>> {
    let mut stmt = conn.prepare_cached(sql(q::JOINS_ALL))?;
    let rows =
        stmt.query_map([], |r| Ok(PendingJoin { group_id: r.get(0)?, group_name: r.get(1)?, code: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The invitation for `group` was used: it leaves the pending list, kept aside in case the admission turns out to
/// have had no effect.
pub(crate) fn mark_joined(conn: &Connection, group: &GroupId, at: i64) -> Result<()> {
    conn.execute(sql(q::JOINS_MARK_JOINED_INSERT_USED_INVITATIONS), params![group, at])?;
    conn.execute(sql(q::JOINS_MARK_JOINED_DELETE_PENDING_JOINS), [group])?;
    Ok(())
}

/// The admission with the invitation for `group` had no effect: the invitation is pending again (its next use
/// tells the person why, and they can ask for a new code). Returns whether there was one.
pub(crate) fn reopen_lost(conn: &Connection, group: &GroupId, at: i64) -> Result<bool> {
    let moved = conn.execute(sql(q::JOINS_REOPEN_LOST_INSERT_PENDING_JOINS), params![group, at])?;
    conn.execute(sql(q::JOINS_REOPEN_LOST_DELETE_USED_INVITATIONS), [group])?;
    Ok(moved > 0)
}
