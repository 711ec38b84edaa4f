//! SQL for sealed items (the pool a phone relays, its outbox and the slot it last made items in), and for what this
//! profile opened: reports (it moderates the group), warnings (to it), and the reporters it muted.

use rusqlite::{Connection, OptionalExtension, params};

use super::groups::GroupRef;
use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{MemberId, MessageId, ReportId};
use crate::model::{Report, Warning};

/// Keeps an item; `false` if the pool holds it already.
pub(crate) fn insert_item(
    conn: &Connection,
    group_ref: GroupRef,
    hash: &[u8; 32],
    item: &[u8],
    at: i64,
    mine: bool,
) -> Result<bool> {
    let changed =
        conn.prepare_cached(sql(q::SEALED_INSERT_ITEM))?.execute(params![group_ref, &hash[..], item, at, mine])?;
    Ok(changed == 1)
}

/// Drops items received before `expired`, then the oldest others' items past `most` (this phone's own last).
pub(crate) fn prune(conn: &Connection, group_ref: GroupRef, expired: i64, most: usize) -> Result<()> {
    conn.prepare_cached(sql(q::SEALED_PRUNE_EXPIRED))?.execute(params![group_ref, expired])?;
    conn.prepare_cached(sql(q::SEALED_PRUNE_PAST_MOST))?.execute(params![group_ref, most as i64])?;
    Ok(())
}

/// The pool's item hashes, in order.
pub(crate) fn hashes(conn: &Connection, group_ref: GroupRef) -> Result<Vec<[u8; 32]>> {
    let mut stmt = conn.prepare_cached(sql(q::SEALED_HASHES))?;
    let rows = stmt.query_map([group_ref], |r| r.get::<_, [u8; 32]>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The pool's items with their hashes, oldest first.
pub(crate) fn items(conn: &Connection, group_ref: GroupRef) -> Result<Vec<([u8; 32], Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(sql(q::SEALED_ITEMS))?;
    let rows = stmt.query_map([group_ref], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn slot(conn: &Connection, group_ref: GroupRef) -> Result<Option<i64>> {
    Ok(conn.prepare_cached(sql(q::SEALED_SLOT))?.query_row([group_ref], |r| r.get(0)).optional()?)
}

pub(crate) fn set_slot(conn: &Connection, group_ref: GroupRef, slot: i64) -> Result<()> {
    conn.prepare_cached(sql(q::SEALED_SET_SLOT))?.execute(params![group_ref, slot])?;
    Ok(())
}

/// Queues a payload to seal for `recipient` in a coming slot.
pub(crate) fn outbox_push(
    conn: &Connection,
    group_ref: GroupRef,
    recipient: &MemberId,
    payload: &[u8],
    at: i64,
) -> Result<()> {
    conn.prepare_cached(sql(q::SEALED_OUTBOX_PUSH))?.execute(params![group_ref, recipient, payload, at])?;
    Ok(())
}

/// How many payloads wait in a group's outbox.
pub(crate) fn outbox_len(conn: &Connection, group_ref: GroupRef) -> Result<u32> {
    Ok(conn.prepare_cached(sql(q::SEALED_OUTBOX_LEN))?.query_row([group_ref], |r| r.get(0))?)
}

/// Takes the oldest `most` queued payloads of a group out of the outbox.
pub(crate) fn outbox_take(conn: &Connection, group_ref: GroupRef, most: usize) -> Result<Vec<(MemberId, Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(sql(q::SEALED_OUTBOX_TAKE_SELECT_SEALED_OUTBOX))?;
    let rows = stmt.query_map(params![group_ref, most as i64], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, recipient, payload) = row?;
        conn.prepare_cached(sql(q::SEALED_OUTBOX_TAKE_DELETE_SEALED_OUTBOX))?.execute([id])?;
        out.push((recipient, payload));
    }
    Ok(out)
}

/// A report this phone opened.
pub(crate) struct OpenedReport<'a> {
    pub id: &'a ReportId,
    pub reporter: &'a MemberId,
    pub message: Option<&'a MessageId>,
    pub member: &'a MemberId,
    pub reason: &'a str,
    pub note: &'a str,
    pub at: i64,
}

/// Keeps a report (once); `false` if it was known already.
pub(crate) fn insert_report(conn: &Connection, group_ref: GroupRef, r: &OpenedReport<'_>, now: i64) -> Result<bool> {
    let message = r.message.map(|m| m.as_bytes().to_vec()).unwrap_or_default();
    let changed = conn
        .prepare_cached(sql(q::SEALED_INSERT_REPORT))?
        .execute(params![group_ref, r.id, r.reporter, message, r.member, r.reason, r.note, r.at, now])?;
    Ok(changed == 1)
}

/// Open reports by `reporter` in a group (not dismissed).
pub(crate) fn open_reports_by(conn: &Connection, group_ref: GroupRef, reporter: &MemberId) -> Result<u32> {
    Ok(conn.prepare_cached(sql(q::SEALED_OPEN_REPORTS_BY))?.query_row(params![group_ref, reporter], |r| r.get(0))?)
}

/// Distinct members with an open report of `message` whose reports are not muted.
pub(crate) fn reporters_of(conn: &Connection, group_ref: GroupRef, message: &MessageId) -> Result<u32> {
    Ok(conn.prepare_cached(sql(q::SEALED_REPORTERS_OF))?.query_row(params![group_ref, message], |r| r.get(0))?)
}

/// A group's reports, newest first, with each reporter's dismissed count and whether they are muted.
pub(crate) fn reports(conn: &Connection, group_ref: GroupRef) -> Result<Vec<Report>> {
    let mut stmt = conn.prepare_cached(sql(q::SEALED_REPORTS))?;
    let rows = stmt.query_map([group_ref], |r| {
        let message: Vec<u8> = r.get(2)?;
        let reason: String = r.get(4)?;
        Ok((r.get(0)?, r.get(1)?, message, r.get(3)?, reason, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
    })?;
    rows.map(|row| {
        let (id, reporter, message, member, reason, note, at, dismissed, reporter_dismissed, reporter_muted) = row?;
        Ok(Report {
            id,
            reporter,
            message_id: <[u8; 16]>::try_from(message).ok().map(MessageId::from_bytes),
            member,
            reason: reason.parse()?,
            note,
            at,
            dismissed,
            reporter_dismissed,
            reporter_muted,
        })
    })
    .collect()
}

/// Marks a report dismissed; `false` if there is no such report.
pub(crate) fn dismiss(conn: &Connection, group_ref: GroupRef, report: &ReportId) -> Result<bool> {
    let changed = conn.prepare_cached(sql(q::SEALED_DISMISS))?.execute(params![group_ref, report])?;
    Ok(changed == 1)
}

pub(crate) fn mute_reporter(
    conn: &Connection,
    group_ref: GroupRef,
    member: &MemberId,
    muted: bool,
    at: i64,
) -> Result<()> {
    if muted {
        conn.prepare_cached(sql(q::SEALED_MUTE_REPORTER_INSERT_MUTED_REPORTERS))?
            .execute(params![group_ref, member, at])?;
    } else {
        conn.prepare_cached(sql(q::SEALED_MUTE_REPORTER_DELETE_MUTED_REPORTERS))?
            .execute(params![group_ref, member])?;
    }
    Ok(())
}

pub(crate) fn insert_warning(conn: &Connection, group_ref: GroupRef, w: &Warning) -> Result<()> {
    conn.prepare_cached(sql(q::SEALED_INSERT_WARNING))?.execute(params![group_ref, w.id, w.by, w.text, w.at])?;
    Ok(())
}

pub(crate) fn warnings(conn: &Connection, group_ref: GroupRef) -> Result<Vec<Warning>> {
    let mut stmt = conn.prepare_cached(sql(q::SEALED_WARNINGS))?;
    let rows =
        stmt.query_map([group_ref], |r| Ok(Warning { id: r.get(0)?, by: r.get(1)?, text: r.get(2)?, at: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
