//! An in-process exchange of one group's documents between two profiles on the same machine, for tests and the
//! benchmark (the demo uses real sync sessions over `sync::link`).
//!
//! Changes travel with their actors' signed heads and certificates and go through the same ingest path as sync
//! (signatures, equivocation, authorisation), but whole change sets move through memory with no session, framing
//! or encryption. It is compiled only with the `test-support` feature; phones use the sync sessions.

use std::collections::HashMap;

use automerge::{Change, ChangeHash, ReadDoc};

use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId};
use crate::kindred::{Inner, Kindred};
use crate::storage::documents::{self, DocKind, DocPlace, SignedHead};
use crate::sync::ingest::{DocBatch, ingest};
use crate::verify::{self, ActorCertificate};

/// How much one exchange moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeStats {
    /// Changes applied, both directions together (changes the receiver already had are not counted).
    pub changes: usize,
    /// Bytes of the raw changes handed over, both directions, including any the receiver already had.
    pub bytes: usize,
}

/// One document's missing changes, as `from` holds them, with what vouches for them.
struct Outgoing {
    doc: DocId,
    place: DocPlace,
    changes: Vec<Change>,
    heads: Vec<SignedHead>,
    certificates: Vec<ActorCertificate>,
}

fn collect(from: &Kindred, to_heads: &HashMap<DocId, Vec<ChangeHash>>, group: &GroupId) -> Result<Vec<Outgoing>> {
    let actor = from.with_identity(|id| id.actor().clone());
    let mut inner = from.lock();
    let Inner { db, cache, .. } = &mut *inner;
    db.read(|tx| {
        let mut out = Vec::new();
        for (doc_id, place) in documents::shared_documents(tx, group)? {
            let doc = cache.get(tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
            let known: Vec<_> = to_heads
                .get(&doc_id)
                .into_iter()
                .flatten()
                .filter(|h| doc.get_change_by_hash(h).is_some())
                .copied()
                .collect();
            let changes = doc.get_changes(&known);
            if changes.is_empty() {
                continue;
            }
            let (heads, certificates) = verify::stored_vouchers(tx, &doc_id, &changes)?;
            out.push(Outgoing { doc: doc_id, place, changes, heads, certificates });
        }
        Ok(out)
    })
}

fn apply(to: &Kindred, mut incoming: Vec<Outgoing>) -> Result<ExchangeStats> {
    let mut stats = ExchangeStats::default();
    // The group document first, so members are known before their messages are checked.
    crate::sorting::sort_by_u64_key(&mut incoming, |o| u64::from(o.place.kind != DocKind::Group));
    let mut refused = None;
    to.write(|ctx| {
        for o in incoming {
            stats.bytes += o.changes.iter().map(|c| c.raw_bytes().len()).sum::<usize>();
            let batch = DocBatch {
                live: false,
                doc: o.doc,
                place: o.place,
                changes: o.changes,
                heads: o.heads,
                certificates: o.certificates,
            };
            // A profile that was added to the group but has not received it yet takes its document here.
            let ingested = ingest(ctx, &batch, true)?;
            stats.changes += ingested.report.applied as usize;
            if refused.is_none() {
                refused = ingested.refused;
            }
        }
        Ok(())
    })?;
    // Evidence of an equivocation is committed; the refusal that came with it is reported now.
    match refused {
        Some((kind, reason)) => Err(kind.because(reason)),
        None => Ok(stats),
    }
}

fn one_way(from: &Kindred, to: &Kindred, group: &GroupId) -> Result<ExchangeStats> {
    // What `to` already has, per document.
    let heads = {
        let actor = to.with_identity(|id| id.actor().clone());
        let mut inner = to.lock();
        let Inner { db, cache, .. } = &mut *inner;
        db.read(|tx| {
            let mut heads = HashMap::new();
            for (doc_id, ..) in documents::shared_documents(tx, group)? {
                if let Some(doc) = cache.get(tx, &doc_id, &actor)? {
                    heads.insert(doc_id, doc.get_heads());
                }
            }
            Ok(heads)
        })?
    };
    let outgoing = collect(from, &heads, group)?;
    let mut stats = apply(to, outgoing)?;
    stats.bytes += bodies_one_way(from, to, group)?;
    Ok(stats)
}

/// Hands `to` the message bodies it lacks that `from` holds (`crate::bodies`), as a sync session would; returns their
/// bytes.
fn bodies_one_way(from: &Kindred, to: &Kindred, group: &GroupId) -> Result<usize> {
    let tags: Vec<[u8; 8]> = to.read(|tx, _| {
        let Some(group_ref) = crate::storage::groups::group_ref(tx, group)? else { return Ok(Vec::new()) };
        crate::bodies::wanted_tags(tx, group_ref)
    })?;
    if tags.is_empty() {
        return Ok(0);
    }
    let bodies = from.read(|tx, _| {
        let Some(group_ref) = crate::storage::groups::group_ref(tx, group)? else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for tag in &tags {
            out.extend(crate::storage::messages::bodies_tagged(tx, group_ref, tag)?);
        }
        Ok(out)
    })?;
    let bytes = bodies.iter().map(Vec::len).sum();
    to.write(|ctx| crate::bodies::receive(ctx, group, &bodies))?;
    Ok(bytes)
}

/// Brings `a` and `b` to the same state of `group`, in both directions.
pub fn exchange_group(a: &Kindred, b: &Kindred, group: &GroupId) -> Result<ExchangeStats> {
    if std::ptr::eq(a, b) {
        return Ok(ExchangeStats::default());
    }
    let ab = one_way(a, b, group)?;
    let ba = one_way(b, a, group)?;
    Ok(ExchangeStats { changes: ab.changes + ba.changes, bytes: ab.bytes + ba.bytes })
}
