//! Ingest: the one path by which another phone's changes enter this profile, whatever carried them (a sync session,
//! a bundle file, the in-process test exchange).
//!
//! In order, and before anything reaches the stored document: bounds (batch size, change size, dependency count),
//! authorship ([`crate::verify`]: every change covered by its own author's signature), equivocation (a second,
//! different change at an actor's sequence number is quarantined with the proof, its author flagged, and whatever in
//! the batch depends on it set aside; the rest goes on), complete history (no orphans are ever kept), and
//! authorisation ([`super::authorize`], checked change by change on a working copy in causal order). Only then are
//! the changes applied, stored with their signatures, and the read model refreshed, in the caller's transaction.

use std::collections::{HashMap, HashSet};

use automerge::{Automerge, Change, ChangeHash, ReadDoc};

use super::authorize;
use crate::am;
use crate::error::{Error, ErrorKind, Refusal, Result};
use crate::ids::{DocId, MemberId};
use crate::kindred::WriteCtx;
use crate::read_model;
use crate::schema;
use crate::storage::documents::{self, DocKind, DocPlace, SignedHead};
use crate::storage::{groups as group_store, joins, trust};
use crate::time::now_ms;
use crate::verify::{self, ActorCertificate};

/// Most changes checked and applied in one step: a longer batch (a long-running group's whole history on a
/// newcomer's first sync, from a snapshot or a bundle) goes through in slices of this many, in one transaction.
pub const MAX_BATCH_CHANGES: usize = 20_000;
/// Most changes one document may bring in at once (its whole history, for a newcomer): far above what a group writes
/// in years of daily use (a message, an edit or a goal update is one change), and the byte limits of transfers and
/// bundles come first.
pub const MAX_DOCUMENT_CHANGES: usize = 1_000_000;
/// Largest single change accepted: far above a 4,000-character message, far below anything that could hurt.
pub const MAX_CHANGE_BYTES: usize = 64 * 1024;
/// Most changes without effect (by a removed member, or resting on an admission without effect) one member may make
/// a phone keep per document: enough for what an honest phone writes before it hears of a removal, far below a flood.
pub const MAX_WITHOUT_EFFECT: usize = 1_000;
/// Most actors (installs, restored backups) one member may write from: a person's phones over years, with room.
pub const MAX_ACTORS_PER_MEMBER: usize = 128;
/// Most dependencies one change may name (an honest change names the heads it saw: a handful).
pub const MAX_DEPS: usize = 64;

/// One document's worth of changes from a peer, with what vouches for them.
#[derive(Debug, Clone)]
pub(crate) struct DocBatch {
    pub doc: DocId,
    pub place: DocPlace,
    pub changes: Vec<Change>,
    pub heads: Vec<SignedHead>,
    pub certificates: Vec<ActorCertificate>,
    /// From a live session, where a peer that is ahead may send a newcomer's messages before the group document
    /// that admits them: those are set aside (not stored) instead of refused. A bundle carries its group document
    /// first, so a stranger's messages in it are refused.
    pub live: bool,
}

/// What ingesting a batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IngestReport {
    /// Changes applied.
    pub applied: u64,
    /// Changes this profile already had.
    pub duplicates: u64,
    /// Changes set aside: equivocations, changes by flagged members, and changes that depend on those.
    pub quarantined: u64,
    /// Messages of a key without an entry in effect here (an admission without effect, or one not heard of yet in
    /// a live session), not stored.
    pub without_standing: u64,
}

/// What ingesting a batch did, and why the rest of a batch carrying an equivocation was refused: the evidence of the
/// equivocation is kept, so the caller commits it and only then treats the batch as refused ([`Self::into_result`]).
#[derive(Debug, Default)]
pub(crate) struct Ingested {
    pub report: IngestReport,
    pub refused: Option<(Refusal, String)>,
}

impl From<IngestReport> for Ingested {
    fn from(report: IngestReport) -> Self {
        Self { report, refused: None }
    }
}

impl std::ops::AddAssign for IngestReport {
    fn add_assign(&mut self, other: Self) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.without_standing += other.without_standing;
    }
}

impl Ingested {
    /// The report, or the refusal it carries as an error (once the evidence was committed).
    pub(crate) fn into_result(self) -> Result<IngestReport> {
        match self.refused {
            Some((kind, reason)) => Err(kind.because(reason)),
            None => Ok(self.report),
        }
    }
}

/// Ingests a batch from a peer in a live session, joining the group if this profile holds a pending invitation to
/// it. Returns the report and whether this completed a join. Authorises the author, not the sender: any peer may
/// relay a group's changes (ingest checks who wrote each one and whether they were allowed to); what a peer may
/// send and receive is decided by the session before (`plan::may_send`, `plan::answer`).
pub(crate) fn ingest_from_peer(ctx: &mut WriteCtx<'_, '_>, batch: &DocBatch) -> Result<(Ingested, bool)> {
    let group = batch.place.group.ok_or_else(|| Refusal::Malformed.because("personal documents never travel"))?;
    let pending = joins::all(ctx.tx)?.into_iter().any(|j| j.group_id == group);
    let holds = group_store::group_ref(ctx.tx, &group)?.is_some();
    let report = ingest(ctx, batch, pending && !holds)?;
    let mut joined = false;
    if pending
        && let Some(group_ref) = group_store::group_ref(ctx.tx, &group)?
        && group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_some()
    {
        joins::mark_joined(ctx.tx, &group, now_ms())?;
        joined = true;
    }
    Ok((report, joined))
}

/// Checks and applies one batch. `joining` allows a group document for a group this profile does not hold yet
/// (the invitee's first sync); otherwise changes for unknown groups are refused.
pub(crate) fn ingest(ctx: &mut WriteCtx<'_, '_>, batch: &DocBatch, joining: bool) -> Result<Ingested> {
    let mut report = IngestReport::default();
    let mut refused = None;
    if batch.changes.is_empty() {
        return Ok(report.into());
    }
    // Bounds first: nothing unbounded is looked at.
    if batch.changes.len() > MAX_DOCUMENT_CHANGES {
        return Err(Refusal::Oversized
            .because(format!("a batch of {} changes (the limit is {MAX_DOCUMENT_CHANGES})", batch.changes.len())));
    }
    if let Some(big) =
        batch.changes.iter().find(|c| c.raw_bytes().len() > MAX_CHANGE_BYTES || c.deps().len() > MAX_DEPS)
    {
        return Err(Refusal::Oversized.because(format!(
            "an oversized change ({} bytes, {} dependencies)",
            big.raw_bytes().len(),
            big.deps().len()
        )));
    }
    // The document must be the one its place says, in a group this profile holds (or is joining).
    let place = batch.place;
    let group = place.group.ok_or_else(|| Refusal::Malformed.because("personal documents never travel"))?;
    if place.kind == DocKind::Personal || place.expected_id() != Some(batch.doc) {
        return Err(
            Refusal::Malformed.because(format!("document {} does not belong where the sender placed it", batch.doc))
        );
    }
    let holds_group = group_store::group_ref(ctx.tx, &group)?.is_some();
    if !holds_group && joining && batch.live && place.kind == DocKind::Segment {
        // A member's messages can overtake the group document (sent as a resumable blob on small frames) on a
        // newcomer's first sync: set aside, sent again once the group is here.
        report.without_standing = batch.changes.len() as u64;
        return Ok(report.into());
    }
    if !(holds_group || joining && place.kind == DocKind::Group) {
        return Err(Refusal::NotAMember.because(format!("changes for group {group}, which this phone is not in")));
    }

    // Who wrote what.
    let authors = verify::authors_of(&batch.doc, &batch.changes, &batch.heads, &batch.certificates)?;
    let author_of = |c: &Change| {
        authors.get(c.actor_id()).copied().ok_or_else(|| Refusal::NotAMember.because("a change without an author"))
    };
    // A segment is written by its author alone.
    if let Some(owner) = place.author
        && let Some(other) = batch.changes.iter().map(author_of).find(|a| !matches!(a, Ok(m) if *m == owner))
    {
        let who = other.map(|m| m.to_hex()).unwrap_or_default();
        return Err(Refusal::NotPermitted.because(format!(
            "a change by {} in {}'s messages",
            who.get(..8).unwrap_or("?"),
            owner.to_hex().get(..8).unwrap_or("?")
        )));
    }

    let actor = ctx.identity.actor().clone();
    // A segment of a key without an entry in effect is not taken: a stranger's is refused; one whose admission
    // turned out to have no effect (an honest phone may still hold and offer it) is set aside, not stored.
    let mut owner_standing = None;
    if let (DocKind::Segment, Some(owner)) = (place.kind, place.author) {
        let group_ref = group_store::require(ctx.tx, &group)?;
        owner_standing = group_store::standing(ctx.tx, group_ref, &owner)?;
        if owner_standing.is_none() {
            let group_doc = ctx.cache.get(ctx.tx, &group.doc_id(), &actor)?;
            if batch.live || group_doc.is_some_and(|d| authorize::has_entry(d, &owner)) {
                report.without_standing = batch.changes.len() as u64;
                return Ok(report.into());
            }
            return Err(Refusal::NotAMember.because(format!(
                "member {} is not a member of group {group}",
                owner.to_hex().get(..8).unwrap_or("?")
            )));
        }
    }
    let doc = ctx.cache.get_or_create(ctx.tx, &batch.doc, place, &actor)?;

    // Drop what we have; find equivocations and what hangs off them.
    let mut fresh: Vec<&Change> = Vec::new();
    let mut set_aside: HashSet<ChangeHash> = HashSet::new();
    let mut seen_position: HashMap<(Vec<u8>, u64), ChangeHash> = HashMap::new();
    // (author, actor, seq, the change kept, the change refused)
    let mut proofs: Vec<Proof> = Vec::new();
    for change in &batch.changes {
        if doc.get_change_by_hash(&change.hash()).is_some() {
            report.duplicates += 1;
            continue;
        }
        let member = author_of(change)?;
        let position = (change.actor_id().to_bytes().to_vec(), change.seq());
        // Our own record of how far this actor has written here tells, cheaply, whether the position is taken.
        let stored_seq = documents::signed_head(ctx.tx, &batch.doc, change.actor_id())?.map_or(0, |h| h.seq);
        let ours = if change.seq() <= stored_seq { existing_at(doc, change) } else { None };
        let twin = seen_position.get(&position).copied();
        if let Some(kept) = ours
            .or_else(|| twin.and_then(|h| batch.changes.iter().find(|c| c.hash() == h).map(|c| c.raw_bytes().to_vec())))
        {
            proofs.push((member, position.0.clone(), position.1, kept, change.raw_bytes().to_vec()));
            set_aside.insert(change.hash());
            continue;
        }
        if trust::is_flagged(ctx.tx, &group, &member)? {
            set_aside.insert(change.hash());
            continue;
        }
        seen_position.insert(position, change.hash());
        fresh.push(change);
    }
    // Anything depending on a set-aside change is set aside too (the batch is in causal order).
    let mut accepted: Vec<&Change> = Vec::new();
    for change in fresh {
        if change.deps().iter().any(|d| set_aside.contains(d)) {
            set_aside.insert(change.hash());
        } else {
            accepted.push(change);
        }
    }
    report.quarantined = set_aside.len() as u64;
    let accepted: Vec<Change> = accepted.into_iter().cloned().collect();

    // Evidence first, and kept even if the rest of the batch is refused: a validly signed fork proves itself.
    let now = now_ms();
    for (member, actor_bytes, seq, kept, refused) in &proofs {
        let e = trust::Equivocation {
            group: &group,
            doc: &batch.doc,
            member,
            actor: actor_bytes,
            seq: *seq,
            kept,
            refused,
        };
        trust::record_equivocation(ctx.tx, &e, now)?;
    }
    // Checked and applied a slice at a time (each slice's dependencies are in the document or earlier in it), so a
    // document of any length within the limit arrives whole, in this one transaction.
    let mut outcome: Result<(u64, schema::segment::Touched)> = Ok((0, Default::default()));
    for slice in accepted.chunks(MAX_BATCH_CHANGES) {
        match (check_and_apply(ctx, batch, group, &authors, owner_standing.as_ref(), slice.to_vec()), &mut outcome) {
            (Ok((applied, touched)), Ok((total, all))) => {
                *total += applied as u64;
                all.messages.extend(touched.messages);
                all.reactions.extend(touched.reactions);
            }
            (Err(e), _) => {
                outcome = Err(e);
                break;
            }
            (Ok(_), Err(_)) => break,
        }
    }
    let touched = match outcome.map_err(Error::into_kind) {
        Ok((applied, touched)) => {
            report.applied = applied;
            touched
        }
        Err(ErrorKind::Rejected { kind, reason }) if !proofs.is_empty() => {
            // Nothing of the refused part was stored; forget whatever the cached copy may hold of it.
            ctx.cache.clear();
            ctx.resolutions.clear();
            refused = Some((kind, reason));
            Default::default()
        }
        Err(other) => return Err(other.into()),
    };
    match (place.kind, place.author) {
        (DocKind::Segment, Some(author)) => {
            let group_ref = group_store::require(ctx.tx, &group)?;
            if proofs.is_empty() {
                read_model::refresh_segment(ctx, group_ref, &group, &author, place.segment, &touched)?;
            } else {
                // An equivocation hides the author's messages from the forked position on, including ones shown before.
                read_model::refresh_whole_segment(ctx, group_ref, &group, &author, place.segment)?;
            }
        }
        _ if report.applied > 0 || !proofs.is_empty() => {
            read_model::refresh_group(ctx, &group)?;
        }
        _ => {}
    }
    Ok(Ingested { report, refused })
}

/// The checks that need the document (complete history, authorisation change by change, membership), then applying
/// and storing the accepted changes. Returns how many were applied and what they touched.
fn check_and_apply(
    ctx: &mut WriteCtx<'_, '_>,
    batch: &DocBatch,
    group: crate::ids::GroupId,
    authors: &HashMap<automerge::ActorId, MemberId>,
    owner_standing: Option<&group_store::Standing>,
    accepted: Vec<Change>,
) -> Result<(usize, schema::segment::Touched)> {
    let place = batch.place;
    let author_of = |c: &Change| {
        authors.get(c.actor_id()).copied().ok_or_else(|| Refusal::NotAMember.because("a change without an author"))
    };
    let actor = ctx.identity.actor().clone();
    let doc = ctx.cache.get(ctx.tx, &batch.doc, &actor)?.ok_or_else(|| Error::not_found("document", batch.doc))?;

    // Complete history only: every dependency is here already or comes in this batch (before its dependants).
    let mut known: HashSet<ChangeHash> = HashSet::new();
    for change in &accepted {
        if let Some(missing) = change.deps().iter().find(|d| !known.contains(d) && doc.get_change_by_hash(d).is_none())
        {
            return Err(Refusal::Malformed
                .because(format!("change {} depends on {missing}, which was not sent", change.hash())));
        }
        known.insert(change.hash());
    }

    // Authorisation, change by change, on a working copy holding the whole batch: each change is judged at its own
    // causal point (reads at its dependencies), so one batch apply serves them all. (Applying changes one at a time
    // costs Automerge time proportional to the history each time: 4 ms a change at 25,000, quadratic overall.)
    let was_empty = doc.get_heads().is_empty();
    let mut working = doc.fork();
    am::guarded(&batch.doc, "applying changes", || {
        working.apply_changes(accepted.iter().cloned()).map_err(|e| Error::document(batch.doc, e))
    })?;
    for change in &accepted {
        let author = author_of(change)?;
        match place.kind {
            DocKind::Segment => authorize::check_segment_change(&working, &batch.doc, &author, change)?,
            _ => authorize::check_group_change(&working, was_empty, &group, &author, change)?,
        }
    }
    if let Some(standing) = owner_standing.filter(|s| s.removed) {
        // A removed member's later writes to their segment are kept (never shown), up to a bound. Only they write
        // it, so every change past the cutoff, stored or arriving, is theirs.
        let stored = doc.get_changes(&[]);
        let later = stored
            .iter()
            .chain(&accepted)
            .filter(|c| !standing.cutoff.allows(&batch.doc, c.actor_id().to_bytes(), c.seq()))
            .count();
        if later > MAX_WITHOUT_EFFECT {
            return Err(Refusal::Removed.because(format!(
                "member {} was removed; more of their later writes than a phone keeps ({MAX_WITHOUT_EFFECT})",
                place.author.map(|a| a.to_hex()).unwrap_or_default().get(..8).unwrap_or("?")
            )));
        }
    } else if place.kind != DocKind::Segment && !accepted.is_empty() {
        // What a change without effect (a removed member's, one resting on it) can make a phone keep is bounded.
        // Worked out through the resolution cache: once these changes are stored, the group's refresh finds it there.
        let resolution =
            crate::read_model::resolve_group(ctx.tx, ctx.identity, &working, &group, authors, ctx.resolutions)?;
        let new_authors: HashSet<MemberId> = accepted.iter().map(author_of).collect::<Result<_>>()?;
        if let Some((member, count)) =
            resolution.without_effect_by.iter().find(|(m, n)| new_authors.contains(m) && **n > MAX_WITHOUT_EFFECT)
        {
            return Err(Refusal::Oversized.because(format!(
                "member {} has {count} changes without effect in group {group} (a phone keeps {MAX_WITHOUT_EFFECT})",
                member.to_hex().get(..8).unwrap_or("?")
            )));
        }
    }

    // Apply and store: the working copy already holds exactly the stored document plus these changes, so it takes
    // the cached document's place rather than applying them a second time.
    let doc = ctx.cache.get(ctx.tx, &batch.doc, &actor)?.ok_or_else(|| Error::not_found("document", batch.doc))?;
    let before = doc.get_heads();
    working.set_actor(actor.clone());
    *doc = working;
    let after = doc.get_heads();
    let touched = match place.kind {
        DocKind::Segment => schema::segment::touched(&doc.diff(&before, &after)),
        _ => Default::default(),
    };
    let accepted_hashes: HashSet<ChangeHash> = accepted.iter().map(Change::hash).collect();
    let heads: Vec<SignedHead> = batch.heads.iter().filter(|h| accepted_hashes.contains(&h.hash)).cloned().collect();
    // Certificates only for actors that wrote something kept here, and at most MAX_ACTORS_PER_MEMBER per member:
    // nobody can make a phone store certificates for devices that never wrote.
    let writers: HashSet<&automerge::ActorId> = accepted.iter().map(Change::actor_id).collect();
    for cert in batch.certificates.iter().filter(|c| writers.contains(&c.actor)) {
        let known = documents::actors_of_member(ctx.tx, &cert.member)?;
        if !known.contains(&cert.actor) && known.len() >= MAX_ACTORS_PER_MEMBER {
            return Err(Refusal::Oversized.because(format!(
                "member {} writes from more than {MAX_ACTORS_PER_MEMBER} devices",
                cert.member.to_hex().get(..8).unwrap_or("?")
            )));
        }
        documents::insert_actor_certificate(ctx.tx, &cert.actor, cert.member.as_bytes(), &cert.signature)?;
    }
    documents::persist_changes(ctx.tx, ctx.cache, &actor, &batch.doc, &accepted, &heads)?;
    Ok((accepted.len(), touched))
}

/// Evidence of one equivocation: author, actor, sequence number, the change kept, the change refused.
type Proof = (MemberId, Vec<u8>, u64, Vec<u8>, Vec<u8>);

/// The raw bytes of the change this document already holds at `change`'s actor and sequence number, if it holds a
/// different one there (an equivocation).
fn existing_at(doc: &Automerge, change: &Change) -> Option<Vec<u8>> {
    let ours =
        doc.get_changes(&[]).into_iter().find(|c| c.actor_id() == change.actor_id() && c.seq() == change.seq())?;
    (ours.hash() != change.hash()).then(|| ours.raw_bytes().to_vec())
}
