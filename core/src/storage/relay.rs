//! SQL for the relay mailbox (`crate::relay`): each group's mailbox state, and the message bodies a put carries.

use rusqlite::{Connection, OptionalExtension, params};

use super::groups::GroupRef;
use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::GroupId;

/// The stored state of `group`'s mailbox, if this phone has used it.
pub(crate) fn load(conn: &Connection, group: &GroupId) -> Result<Option<Vec<u8>>> {
    Ok(conn.prepare_cached(sql(q::RELAY_LOAD))?.query_row([group], |r| r.get(0)).optional()?)
}

/// Keeps `state` as `group`'s mailbox state.
pub(crate) fn save(conn: &Connection, group: &GroupId, state: &[u8]) -> Result<()> {
    conn.prepare_cached(sql(q::RELAY_SAVE))?.execute(params![group, state])?;
    Ok(())
}

/// The bodies of the group's messages stored after `mark` (a local row number).
pub(crate) fn bodies_after(conn: &Connection, group_ref: GroupRef, mark: i64) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(sql(q::RELAY_BODIES_AFTER))?;
    super::messages::held_bodies(stmt.query(params![group_ref, mark])?)
}

/// The group's newest local message row number (0: none).
pub(crate) fn newest_message(conn: &Connection, group_ref: GroupRef) -> Result<i64> {
    Ok(conn.prepare_cached(sql(q::RELAY_NEWEST_MESSAGE))?.query_row([group_ref], |r| r.get(0))?)
}
