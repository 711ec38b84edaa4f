//! SQL for resumable document transfers (a new member's first sync, or a long catch-up): outgoing blobs kept by
//! content hash, incoming ones stored chunk by chunk, their expiry and their total bound. (The per-document clocks
//! sync compares are in `documents`.)

use rusqlite::{Connection, OptionalExtension, params};

use super::documents::DocPlace;
use super::queries::{q, sql};
use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::sync::wire::Form;

/// A transferred blob: the document it belongs to, where that belongs, and what the blob holds (a snapshot or a
/// list of changes, see `sync::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TransferPlace {
    pub doc: DocId,
    pub place: DocPlace,
    pub form: Form,
}

fn place_from(group: GroupId, kind: &str, author: Vec<u8>, segment: u32) -> Result<DocPlace> {
    match kind {
        "group" => Ok(DocPlace::group(group)),
        "segment" => {
            let author =
                <[u8; 32]>::try_from(author).map_err(|_| Error::internal("a segment transfer without an author"))?;
            Ok(DocPlace::segment(group, MemberId::from_bytes(author), segment))
        }
        other => Err(Error::internal(format!("unexpected transfer kind {other}"))),
    }
}

fn form_from(stored: u8) -> Result<Form> {
    Form::from_u8(stored).ok_or_else(|| Error::internal(format!("unexpected transfer form {stored}")))
}

fn author_bytes(place: &DocPlace) -> Vec<u8> {
    place.author.map(|a| a.as_bytes().to_vec()).unwrap_or_default()
}

fn group_of(place: &DocPlace) -> Result<GroupId> {
    place.group.ok_or_else(|| Error::internal("a transfer without a group"))
}

/// An outgoing transfer: the snapshot and what vouches for it.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub place: TransferPlace,
    pub snapshot: Vec<u8>,
    pub vouchers: Vec<u8>,
}

pub(crate) fn save_outgoing(conn: &Connection, hash: &[u8; 32], out: &Outgoing, at: i64) -> Result<()> {
    conn.execute(
        sql(q::TRANSFERS_SAVE_OUTGOING_INSERT_OUTGOING_TRANSFERS),
        params![
            &hash[..],
            group_of(&out.place.place)?,
            out.place.doc,
            out.place.place.kind.as_str(),
            author_bytes(&out.place.place),
            out.place.place.segment,
            out.snapshot,
            out.vouchers,
            at,
            out.place.form.as_u8()
        ],
    )?;
    // Old offers nobody resumed within a week are dropped: the document itself is still here to offer afresh.
    conn.execute(sql(q::TRANSFERS_SAVE_OUTGOING_DELETE_OUTGOING_TRANSFERS), [at - 7 * 24 * 3600 * 1000])?;
    Ok(())
}

pub(crate) fn outgoing(conn: &Connection, hash: &[u8; 32]) -> Result<Option<Outgoing>> {
    let row = conn
        .prepare_cached(sql(q::TRANSFERS_OUTGOING))?
        .query_row([&hash[..]], |r| {
            Ok((
                r.get::<_, GroupId>(0)?,
                r.get::<_, DocId>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, u32>(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get::<_, u8>(7)?,
            ))
        })
        .optional()?;
    row.map(|(group, doc, kind, author, segment, snapshot, vouchers, form)| {
        Ok(Outgoing {
            place: TransferPlace { doc, place: place_from(group, &kind, author, segment)?, form: form_from(form)? },
            snapshot,
            vouchers,
        })
    })
    .transpose()
}

/// An incoming transfer as far as it got.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub place: TransferPlace,
    pub total_len: u64,
    /// Bytes received so far.
    pub received: u64,
    pub vouchers: Vec<u8>,
}

/// How long an incoming transfer nobody continues is kept: a week (a member met again within it resumes).
pub(crate) const INCOMING_TRANSFER_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Most bytes all unfinished incoming transfers together may announce; starting one beyond it drops the least
/// recently continued ones first (they can start over), so peers cannot make a phone keep more than this.
pub(crate) const MAX_INCOMING_TRANSFER_BYTES: i64 = 96 * 1024 * 1024;

/// Starts (or, if it is already under way, keeps) an incoming transfer. Expired transfers go first, then the least
/// recently continued ones while the total would pass [`MAX_INCOMING_TRANSFER_BYTES`].
pub(crate) fn start_incoming(
    conn: &Connection,
    hash: &[u8; 32],
    place: &TransferPlace,
    total_len: u64,
    vouchers: &[u8],
    at: i64,
) -> Result<()> {
    let expired: Vec<Vec<u8>> = conn
        .prepare_cached(sql(q::TRANSFERS_START_INCOMING_EXPIRED))?
        .query_map(params![at - INCOMING_TRANSFER_TTL_MS, &hash[..]], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for old in expired {
        drop_incoming(conn, &old)?;
    }
    let wanted = i64::try_from(total_len).unwrap_or(i64::MAX);
    loop {
        let (total, oldest): (i64, Option<Vec<u8>>) = conn
            .prepare_cached(sql(q::TRANSFERS_START_INCOMING_TOTAL))?
            .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))?;
        match oldest {
            Some(oldest) if total.saturating_add(wanted) > MAX_INCOMING_TRANSFER_BYTES => drop_incoming(conn, &oldest)?,
            _ => break,
        }
    }
    conn.execute(
        sql(q::TRANSFERS_START_INCOMING_INSERT_INCOMING_TRANSFERS),
        params![
            &hash[..],
            group_of(&place.place)?,
            place.doc,
            place.place.kind.as_str(),
            author_bytes(&place.place),
            place.place.segment,
            i64::try_from(total_len).unwrap_or(i64::MAX),
            vouchers,
            at,
            place.form.as_u8()
        ],
    )?;
    Ok(())
}

pub(crate) fn incoming(conn: &Connection, hash: &[u8; 32]) -> Result<Option<Incoming>> {
    let row = conn
        .prepare_cached(sql(q::TRANSFERS_INCOMING))?
        .query_row([&hash[..]], |r| {
            Ok((
                (
                    r.get::<_, GroupId>(0)?,
                    r.get::<_, DocId>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, u32>(4)?,
                ),
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get(7)?,
                r.get::<_, u8>(8)?,
            ))
        })
        .optional()?;
    row.map(|((group, doc, kind, author, segment), total, received, vouchers, form)| {
        Ok(Incoming {
            place: TransferPlace { doc, place: place_from(group, &kind, author, segment)?, form: form_from(form)? },
            total_len: total.unsigned_abs(),
            received: received.unsigned_abs(),
            vouchers,
        })
    })
    .transpose()
}

/// Appends a chunk at `offset`, which must be exactly where the transfer stands; returns false (and stores nothing)
/// otherwise.
pub(crate) fn append_incoming(conn: &Connection, hash: &[u8; 32], offset: u64, bytes: &[u8], at: i64) -> Result<bool> {
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let changed =
        conn.execute(sql(q::TRANSFERS_APPEND_INCOMING_UPDATE_INCOMING_TRANSFERS), params![&hash[..], offset, len, at])?;
    if changed != 1 {
        return Ok(false);
    }
    conn.execute(sql(q::TRANSFERS_APPEND_INCOMING_INSERT_INCOMING_TRANSFER_CHUNKS), params![&hash[..], offset, bytes])?;
    Ok(true)
}

/// The bytes received so far, in order.
pub(crate) fn incoming_bytes(conn: &Connection, hash: &[u8; 32]) -> Result<Vec<u8>> {
    let mut stmt = conn.prepare_cached(sql(q::TRANSFERS_INCOMING_BYTES))?;
    let mut rows = stmt.query([&hash[..]])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.extend_from_slice(
            row.get_ref(0)?.as_blob().map_err(|e| Error::internal(format!("a transfer chunk: {e}")))?,
        );
    }
    Ok(out)
}

pub(crate) fn finish_incoming(conn: &Connection, hash: &[u8; 32]) -> Result<()> {
    drop_incoming(conn, hash)
}

fn drop_incoming(conn: &Connection, hash: &[u8]) -> Result<()> {
    conn.execute(sql(q::TRANSFERS_DROP_INCOMING_DELETE_INCOMING_TRANSFER_CHUNKS), [hash])?;
    conn.execute(sql(q::TRANSFERS_DROP_INCOMING_DELETE_INCOMING_TRANSFERS), [hash])?;
    Ok(())
}
