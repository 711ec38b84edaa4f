//! An in-process exchange of one group's documents between two profiles on the same machine, for tests and the
//! single-machine demo.
//!
//! It checks each change's signature against its actor's certificate, but **not** membership or roles, and it moves
//! whole change sets through memory. It is compiled only with the `test-exchange` feature; the peer-to-peer sync
//! module (authenticated sessions, causal membership checks, bounded frames) is what phones use.

use automerge::{ChangeHash, ReadDoc};

use crate::am;
use crate::error::{Error, Result};
use crate::identity::{verify_actor_certificate, verify_change_signature};
use crate::ids::{GroupId, MemberId};
use crate::kindred::{Inner, Kindred};
use crate::read_model;
use crate::schema;
use crate::storage::documents::{self, DocKind, DocPlace};
use crate::storage::groups as group_store;

/// How much one exchange moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeStats {
    pub changes: usize,
    pub bytes: usize,
}

/// One document's missing changes, signed, as `from` holds them.
struct Outgoing {
    doc: crate::ids::DocId,
    place: DocPlace,
    changes: Vec<(automerge::Change, [u8; 64], MemberId, Vec<u8>)>,
}

fn collect(from: &mut Inner, to_heads: &dyn Fn(&crate::ids::DocId) -> Vec<ChangeHash>, group: &GroupId) -> Result<Vec<Outgoing>> {
    let actor = from.identity.actor().clone();
    let Inner { db, cache, .. } = from;
    db.read(|tx| {
        let mut out = Vec::new();
        for (doc_id, kind, segment) in documents::group_documents(tx, group)? {
            let doc = cache.get(tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
            let known: Vec<_> = to_heads(&doc_id).into_iter().filter(|h| doc.get_change_by_hash(h).is_some()).collect();
            let mut changes = Vec::new();
            for change in doc.get_changes(&known) {
                let sig = documents::change_signature(tx, &doc_id, &change.hash())?
                    .ok_or_else(|| Error::Internal(format!("no signature stored for a change of {doc_id}")))?;
                let (member, cert) = documents::actor_certificate(tx, change.actor_id())?
                    .ok_or_else(|| Error::Internal("no certificate stored for an actor".into()))?;
                let sig: [u8; 64] = sig.try_into().map_err(|_| Error::Internal("stored signature has the wrong length".into()))?;
                changes.push((change, sig, MemberId::from_bytes(member), cert));
            }
            if !changes.is_empty() {
                out.push(Outgoing { doc: doc_id, place: DocPlace { kind, group: Some(*group), segment }, changes });
            }
        }
        Ok(out)
    })
}

fn apply(to: &Kindred, group: &GroupId, incoming: Vec<Outgoing>) -> Result<ExchangeStats> {
    let mut stats = ExchangeStats::default();
    to.write(|ctx| {
        // The group document first, so members are known before their messages are listed.
        let mut incoming = incoming;
        incoming.sort_by_key(|o| o.place.kind != DocKind::Group);
        for o in &incoming {
            for (change, sig, member, cert) in &o.changes {
                verify_actor_certificate(change.actor_id(), member, cert)?;
                verify_change_signature(&o.doc, &change.hash(), member, sig)?;
                documents::insert_actor_certificate(ctx.tx, change.actor_id(), member.as_bytes(), cert)?;
                stats.changes += 1;
                stats.bytes += change.raw_bytes().len();
            }
            let actor = ctx.identity.actor().clone();
            let doc = ctx.cache.get_or_create(ctx.tx, &o.doc, o.place, &actor)?;
            let before = doc.get_heads();
            let new: Vec<_> = o.changes.iter().filter(|(c, ..)| doc.get_change_by_hash(&c.hash()).is_none()).collect();
            am::guarded(&o.doc, "applying changes", || {
                doc.apply_changes(new.iter().map(|(c, ..)| c.clone())).map_err(|e| Error::document(o.doc, e))
            })?;
            let after = doc.get_heads();
            let touched = schema::segment::touched_messages(&doc.diff(&before, &after));
            let signed: Vec<_> = new.iter().map(|(c, sig, ..)| (c, *sig)).collect();
            documents::persist_changes(ctx.tx, ctx.cache, &actor, &o.doc, &signed)?;
            match o.place.kind {
                DocKind::Group => {
                    read_model::refresh_group(ctx, group)?;
                }
                DocKind::Segment => {
                    let group_ref = group_store::require(ctx.tx, group)?;
                    read_model::refresh_messages(ctx, group_ref, group, o.place.segment, touched)?;
                }
                DocKind::Personal => {}
            }
        }
        Ok(())
    })?;
    Ok(stats)
}

fn one_way(from: &Kindred, to: &Kindred, group: &GroupId) -> Result<ExchangeStats> {
    let outgoing = {
        let mut to_inner = to.lock();
        let actor = to_inner.identity.actor().clone();
        let Inner { db, cache, .. } = &mut *to_inner;
        // Snapshot of what `to` already has, per document.
        let heads = db.read(|tx| {
            let mut heads = std::collections::HashMap::new();
            for (doc_id, ..) in documents::group_documents(tx, group)? {
                if let Some(doc) = cache.get(tx, &doc_id, &actor)? {
                    heads.insert(doc_id, doc.get_heads());
                }
            }
            Ok(heads)
        })?;
        drop(to_inner);
        collect(&mut from.lock(), &|d| heads.get(d).cloned().unwrap_or_default(), group)?
    };
    apply(to, group, outgoing)
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
