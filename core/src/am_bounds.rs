//! What a peer's Automerge bytes would cost, worked out before Automerge sees them.
//!
//! Automerge stores operations in run-length-encoded columns, so a few kilobytes can describe millions of
//! operations: a 2 KB snapshot of a 2,000,000-character text, or a 1 KB change inserting a million characters.
//! Loading such bytes costs about 94 bytes of memory per operation (measured: 1,000,000 operations, 94 MB peak and
//! 0.8 s) before any check of what they say. So every document snapshot and every change from a peer is first read
//! here, column header by column header, counting the entries each column would expand to, without building any of
//! them: the work is bounded by the bytes themselves, and the memory is a few counters (plus a capped buffer for a
//! DEFLATE-compressed column). Bytes that would expand beyond the limits below are refused.
//!
//! The layout is Automerge's binary format: a chunk is `magic (4) | checksum (4) | type (1) | length (uLEB) |
//! body`; a document body lists actors, heads, change and operation column headers (`spec`, `length`), then the
//! column data; a change body lists dependencies, actor, sequence number, first operation, time, message, other
//! actors, operation column headers and data.

use crate::error::{Error, Refusal};

/// Most operations one document a peer sends may hold: about 47 MB to load. A group document with 100,000 goal
/// updates holds about half of it.
pub(crate) const MAX_DOCUMENT_OPS: u64 = 500_000;
/// Most changes one document a peer sends may hold.
pub(crate) const MAX_DOCUMENT_CHANGES: u64 = crate::sync::ingest::MAX_DOCUMENT_CHANGES as u64;
/// Most operations one change may carry (a batch of 1,000 posts is about 6,000).
pub(crate) const MAX_CHANGE_OPS: u64 = 50_000;
/// Most bytes the compressed columns of one document may inflate to.
const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;
/// Most bytes a compressed change may inflate to (a change itself is at most 64 KiB).
const MAX_INFLATED_CHANGE: usize = 256 * 1024;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;

fn truncated() -> Error {
    Refusal::Malformed.because("truncated")
}

/// A cursor over untrusted bytes: every read is checked, nothing panics.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Error> {
        let n = usize::try_from(n).map_err(|_| Refusal::Oversized.because("a length beyond memory"))?;
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or_else(truncated)?;
        let out = self.bytes.get(self.at..end).ok_or_else(truncated)?;
        self.at = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn uleb(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Refusal::Malformed.because("an overlong number"))
    }

    fn sleb(&mut self) -> Result<i64, Error> {
        let mut value = 0i64;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return Err(Refusal::Malformed.because("an overlong number"));
            }
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
        }
    }

    /// A length-prefixed list of `item`s.
    fn list(&mut self, mut item: impl FnMut(&mut Self) -> Result<(), Error>) -> Result<u64, Error> {
        let n = self.uleb()?;
        for _ in 0..n {
            item(self)?;
        }
        Ok(n)
    }

    /// Column headers: `(spec, length)` pairs.
    fn columns(&mut self) -> Result<Vec<(u64, u64)>, Error> {
        let n = self.uleb()?;
        if n > 64 {
            return Err(Refusal::Oversized.because(format!("{n} columns")));
        }
        (0..n).map(|_| Ok((self.uleb()?, self.uleb()?))).collect()
    }
}

/// How many entries a column's data expands to, refusing as soon as it passes `limit`.
fn entries(spec: u64, data: &[u8], limit: u64) -> Result<u64, Error> {
    let kind = spec & 0x7;
    let mut r = Reader::new(data);
    let mut total = 0u64;
    let add = |n: u64, total: &mut u64| -> Result<(), Error> {
        *total = total
            .checked_add(n)
            .filter(|t| *t <= limit)
            .ok_or_else(|| Refusal::Oversized.because(format!("more than {limit} entries")))?;
        Ok(())
    };
    match kind {
        // Raw values: their size is their length.
        7 => {}
        // Booleans: alternating run lengths.
        4 => {
            while !r.done() {
                let n = r.uleb()?;
                add(n, &mut total)?;
            }
        }
        // Run-length encoded: a run of one value, a run of literals, or a run of nulls.
        _ => {
            let skip = |r: &mut Reader<'_>| -> Result<(), Error> {
                match kind {
                    3 => r.sleb().map(|_| ()),
                    5 => {
                        let len = r.uleb()?;
                        r.take(len).map(|_| ())
                    }
                    _ => r.uleb().map(|_| ()),
                }
            };
            while !r.done() {
                let n = r.sleb()?;
                if n > 0 {
                    skip(&mut r)?;
                    add(n.unsigned_abs(), &mut total)?;
                } else if n < 0 {
                    add(n.unsigned_abs(), &mut total)?;
                    for _ in 0..n.unsigned_abs() {
                        skip(&mut r)?;
                    }
                } else {
                    let nulls = r.uleb()?;
                    add(nulls, &mut total)?;
                }
            }
        }
    }
    Ok(total)
}

/// The most entries any of `columns` expands to (inflating compressed ones within `inflate_budget`).
fn rows(columns: &[(u64, u64)], r: &mut Reader<'_>, limit: u64, inflate_budget: &mut usize) -> Result<u64, Error> {
    let mut most = 0u64;
    for &(spec, len) in columns {
        let data = r.take(len)?;
        let count = if spec & 0x8 != 0 {
            let inflated = inflate(data, *inflate_budget, "compressed columns")?;
            *inflate_budget -= inflated.len();
            entries(spec & !0x8, &inflated, limit)?
        } else {
            entries(spec, data, limit)?
        };
        most = most.max(count);
    }
    Ok(most)
}

/// Inflates DEFLATE data within `cap` bytes (the one bounded inflation, `sync::codec`), naming `what` it was.
fn inflate(data: &[u8], cap: usize, what: &str) -> Result<Vec<u8>, Error> {
    crate::sync::codec::inflate_bounded(data, cap).map_err(|e| e.context(what))
}

/// A chunk's type and body.
fn chunk<'a>(r: &mut Reader<'a>) -> Result<(u8, &'a [u8]), Error> {
    if r.take(4)? != MAGIC {
        return Err(Refusal::Malformed.because("not an Automerge chunk"));
    }
    r.take(4)?;
    let kind = r.byte()?;
    let len = r.uleb()?;
    Ok((kind, r.take(len)?))
}

fn check_change_body(body: &[u8]) -> Result<(), Error> {
    let mut r = Reader::new(body);
    r.list(|r| r.take(32).map(|_| ()))?;
    let actor = r.uleb()?;
    r.take(actor)?;
    r.uleb()?;
    r.uleb()?;
    r.sleb()?;
    let message = r.uleb()?;
    r.take(message)?;
    r.list(|r| {
        let len = r.uleb()?;
        r.take(len).map(|_| ())
    })?;
    let columns = r.columns()?;
    let mut no_inflating = 0usize;
    rows(&columns, &mut r, MAX_CHANGE_OPS, &mut no_inflating)
        .map(|_| ())
        .map_err(|e| e.context("a change's operation columns"))
}

/// Checks one change's bytes (as sent on the wire) before Automerge parses them.
pub(crate) fn check_change(bytes: &[u8]) -> Result<(), Error> {
    let mut r = Reader::new(bytes);
    let (kind, body) = chunk(&mut r)?;
    if !r.done() {
        return Err(Refusal::Malformed.because("bytes after the change"));
    }
    match kind {
        CHANGE => check_change_body(body),
        COMPRESSED_CHANGE => check_change_body(&inflate(body, MAX_INFLATED_CHANGE, "a compressed change")?),
        other => Err(Refusal::Malformed.because(format!("a chunk of type {other} where a change belongs"))),
    }
}

/// Checks a document snapshot from a peer (one document chunk, as `save()` writes it) before Automerge loads it.
pub(crate) fn check_document(bytes: &[u8]) -> Result<(), Error> {
    let mut r = Reader::new(bytes);
    let (kind, body) = chunk(&mut r)?;
    if kind != DOCUMENT || !r.done() {
        return Err(Refusal::Malformed.because("a snapshot that is not one document chunk"));
    }
    let mut r = Reader::new(body);
    r.list(|r| {
        let len = r.uleb()?;
        r.take(len).map(|_| ())
    })?;
    r.list(|r| r.take(32).map(|_| ()))?;
    let change_columns = r.columns()?;
    let op_columns = r.columns()?;
    let mut budget = MAX_INFLATED_BYTES;
    rows(&change_columns, &mut r, MAX_DOCUMENT_CHANGES, &mut budget)
        .map_err(|e| e.context("a snapshot's change columns"))?;
    rows(&op_columns, &mut r, MAX_DOCUMENT_OPS, &mut budget)
        .map_err(|e| e.context("a snapshot's operation columns"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ObjType, ROOT};

    use super::*;
    use crate::error::ErrorKind;

    fn oversized(result: Result<(), Error>, place: &str) -> bool {
        matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { kind: Refusal::Oversized, reason }) if reason.contains(place))
    }

    #[test]
    fn honest_documents_and_changes_pass_and_bombs_do_not() {
        let mut doc = Automerge::new();
        for i in 0..300 {
            let mut tx = doc.transaction();
            let m = tx.put_object(ROOT, format!("m{i}"), ObjType::Map).unwrap();
            tx.put(&m, "text", format!("message {i} with some words")).unwrap();
            tx.put(&m, "at", i).unwrap();
            tx.commit();
        }
        check_document(&doc.save()).unwrap();
        for change in doc.get_changes(&[]) {
            check_change(change.raw_bytes()).unwrap();
        }
        // A million characters: about a kilobyte either way, refused before Automerge expands it.
        let mut bomb = Automerge::new();
        let mut tx = bomb.transaction();
        let t = tx.put_object(ROOT, "t", ObjType::Text).unwrap();
        tx.splice_text(&t, 0, 0, &"a".repeat(1_000_000)).unwrap();
        tx.commit();
        let snapshot = bomb.save();
        assert!(snapshot.len() < 4096, "{}", snapshot.len());
        assert!(oversized(check_document(&snapshot), "operation columns"));
        // A change of 200,000 list insertions of nothing: a few hundred bytes, well under the 64 KiB size limit.
        let mut tx = bomb.transaction();
        let list = tx.put_object(ROOT, "l", ObjType::List).unwrap();
        tx.splice(&list, 0, 0, std::iter::repeat_n(automerge::ScalarValue::Null, 200_000)).unwrap();
        tx.commit();
        let change = bomb.get_last_local_change().unwrap();
        assert!(change.raw_bytes().len() < 4096, "{}", change.raw_bytes().len());
        assert!(oversized(check_change(change.raw_bytes()), "operation columns"));
        // Garbage and truncations are refused, never a panic.
        for cut in 0..snapshot.len() {
            let _ = check_document(snapshot.get(..cut).unwrap_or_default());
        }
        assert!(check_document(b"").is_err() && check_change(&[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0xff]).is_err());
    }
}
