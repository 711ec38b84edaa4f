//! SQL for what sync learned about misbehaving members: equivocation proofs and flagged members.

use rusqlite::{Connection, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{DocId, GroupId, MemberId};

/// Evidence of one equivocation.
#[derive(Debug)]
pub(crate) struct Equivocation<'a> {
    pub group: &'a GroupId,
    pub doc: &'a DocId,
    pub member: &'a MemberId,
    pub actor: &'a [u8],
    pub seq: u64,
    pub kept: &'a [u8],
    pub refused: &'a [u8],
}

pub(crate) fn record_equivocation(conn: &Connection, e: &Equivocation<'_>, at: i64) -> Result<()> {
    conn.execute(
        sql(q::TRUST_RECORD_EQUIVOCATION_INSERT_QUARANTINE),
        params![e.group, e.doc, e.member, e.actor, i64::try_from(e.seq).unwrap_or(i64::MAX), e.kept, e.refused, at],
    )?;
    conn.execute(
        sql(q::TRUST_RECORD_EQUIVOCATION_INSERT_FLAGGED_MEMBERS),
        params![e.group, e.member, "signed two different changes at the same position (equivocation)", at],
    )?;
    Ok(())
}

/// Positions (actor, sequence number) in a document where an equivocation was found: that actor's changes from
/// there on are not shown, whichever fork this phone holds.
pub(crate) fn quarantined_positions(conn: &Connection, doc: &DocId) -> Result<Vec<(Vec<u8>, u64)>> {
    let mut stmt = conn.prepare_cached(sql(q::TRUST_QUARANTINED_POSITIONS))?;
    let rows = stmt.query_map([doc], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?.unsigned_abs())))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn is_flagged(conn: &Connection, group: &GroupId, member: &MemberId) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::TRUST_IS_FLAGGED))?.exists(params![group, member])?)
}

/// Flagged members of a group with the reason.
pub(crate) fn flagged(conn: &Connection, group: &GroupId) -> Result<Vec<(MemberId, String)>> {
    let mut stmt = conn.prepare_cached(sql(q::TRUST_FLAGGED))?;
    let rows = stmt.query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many equivocation proofs are kept for a group.
pub(crate) fn proofs(conn: &Connection, group: &GroupId) -> Result<u64> {
    Ok(conn.prepare_cached(sql(q::TRUST_PROOFS))?.query_row([group], |r| r.get::<_, i64>(0))?.unsigned_abs())
}
