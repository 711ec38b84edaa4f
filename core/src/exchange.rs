//! An in-process exchange of one group's documents between two profiles on the same machine, for tests and the
//! single-machine demo.
//!
//! Changes travel with their actors' signed heads and certificates and are checked by [`crate::verify`] before
//! they reach Automerge, but membership and roles are **not** checked and whole change sets move through memory.
//! It is compiled only with the `test-exchange` feature; phones use the peer-to-peer sync module.

use std::collections::HashMap;

use automerge::{Change, ChangeHash, ReadDoc};

use crate::am;
use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::kindred::{Inner, Kindred};
use crate::read_model;
use crate::schema;
use crate::storage::documents::{self, DocKind, DocPlace, SignedHead};
use crate::storage::groups as group_store;
use crate::verify::{self, ActorCertificate};

/// How much one exchange moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeStats {
    pub changes: usize,
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
    let mut inner = from.lock();
    let actor = inner.identity.actor().clone();
    let Inner { db, cache, .. } = &mut *inner;
    db.read(|tx| {
        let mut out = Vec::new();
        for (doc_id, kind, segment) in documents::group_documents(tx, group)? {
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
            let mut heads = Vec::new();
            let mut certificates = Vec::new();
            for newest in verify::newest_per_actor(&changes) {
                let head = documents::signed_head(tx, &doc_id, newest.actor_id())?
                    .ok_or_else(|| Error::Internal(format!("no signed head stored for an actor of {doc_id}")))?;
                heads.push(head);
                let (member, signature) = documents::actor_certificate(tx, newest.actor_id())?
                    .ok_or_else(|| Error::Internal("no certificate stored for an actor".into()))?;
                certificates.push(ActorCertificate { actor: newest.actor_id().clone(), member: MemberId::from_bytes(member), signature });
            }
            out.push(Outgoing { doc: doc_id, place: DocPlace { kind, group: Some(*group), segment }, changes, heads, certificates });
        }
        Ok(out)
    })
}

fn apply(to: &Kindred, group: &GroupId, mut incoming: Vec<Outgoing>) -> Result<ExchangeStats> {
    let mut stats = ExchangeStats::default();
    // The group document first, so members are known before their messages are listed.
    incoming.sort_by_key(|o| o.place.kind != DocKind::Group);
    to.write(|ctx| {
        for o in &incoming {
            verify::authors_of(&o.doc, &o.changes, &o.heads, &o.certificates)?;
            for cert in &o.certificates {
                documents::insert_actor_certificate(ctx.tx, &cert.actor, cert.member.as_bytes(), &cert.signature)?;
            }
            let actor = ctx.identity.actor().clone();
            let doc = ctx.cache.get_or_create(ctx.tx, &o.doc, o.place, &actor)?;
            let before = doc.get_heads();
            let new: Vec<Change> = o.changes.iter().filter(|c| doc.get_change_by_hash(&c.hash()).is_none()).cloned().collect();
            stats.changes += new.len();
            stats.bytes += new.iter().map(|c| c.raw_bytes().len()).sum::<usize>();
            am::guarded(&o.doc, "applying changes", || doc.apply_changes(new.clone()).map_err(|e| Error::document(o.doc, e)))?;
            let after = doc.get_heads();
            let touched = schema::segment::touched_messages(&doc.diff(&before, &after));
            documents::persist_changes(ctx.tx, ctx.cache, &actor, &o.doc, &new, &o.heads)?;
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
    // What `to` already has, per document.
    let heads = {
        let mut inner = to.lock();
        let actor = inner.identity.actor().clone();
        let Inner { db, cache, .. } = &mut *inner;
        db.read(|tx| {
            let mut heads = HashMap::new();
            for (doc_id, ..) in documents::group_documents(tx, group)? {
                if let Some(doc) = cache.get(tx, &doc_id, &actor)? {
                    heads.insert(doc_id, doc.get_heads());
                }
            }
            Ok(heads)
        })?
    };
    let outgoing = collect(from, &heads, group)?;
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
