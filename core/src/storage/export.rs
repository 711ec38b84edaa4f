//! SQL for the export of one's own data (`crate::export`) that no read of the public API covers: this profile's own
//! reactions and cheers, with their times. Everything else the export reads through the public API's storage.

use rusqlite::Connection;

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{GoalId, GroupId, MemberId, MessageId};

/// `me`'s reactions (group, message, emoji, when), oldest first; taken-back ones and those on erased messages left
/// out, as the timeline leaves them out.
pub(crate) fn reactions(conn: &Connection, me: &MemberId) -> Result<Vec<(GroupId, MessageId, String, i64)>> {
    let mut stmt = conn.prepare_cached(sql(q::EXPORT_REACTIONS))?;
    let rows = stmt.query_map([me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `me`'s cheers on others' goals (goal, when), oldest first.
pub(crate) fn cheers(conn: &Connection, me: &MemberId) -> Result<Vec<(GoalId, i64)>> {
    let mut stmt = conn.prepare_cached(sql(q::EXPORT_CHEERS))?;
    Ok(stmt.query_map([me], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
}
