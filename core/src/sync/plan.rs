//! What each side of a sync session has and lacks, and what to say about it: digests, version vectors, who may send
//! or receive a group's documents, and the changes (or blobs to offer) that answer a peer's version vectors.
//!
//! Functions over one transaction that return wire messages. They keep no state between calls: the session decides
//! when to call them and remembers what it asked. Large answers become blobs through [`super::transfer`].

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::{Automerge, Change, ReadDoc};
use rusqlite::Transaction;
use sha2::{Digest, Sha256};

use super::transfer;
use super::wire::{DocClock, Form, JoinRequest, Message, Place, PlaceKind, Vouchers};
use crate::error::{Error, Refusal, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::invite::InviteCode;
use crate::kindred::WriteCtx;
use crate::storage::documents::{self, DocKind, DocPlace};
use crate::storage::{groups as group_store, joins};
use crate::verify;

/// Missing changes beyond this size travel as a resumable blob instead of one change batch, so that a link that
/// keeps dropping still makes progress: a batch is one message, lost whole if the link drops before its last frame.
pub(crate) const MAX_BATCH_BYTES: usize = 32 * 1024;
/// A document the peer lacks entirely travels as a snapshot once it has more changes than this.
const SNAPSHOT_AFTER_CHANGES: usize = 64;

/// Most join requests one Hello carries. A profile waiting on more invitations asks with the oldest ones first; the
/// rest go in a later session.
pub(crate) const MAX_JOIN_REQUESTS: usize = 16;

/// A peer's version vector of one document: actor -> (newest sequence number, that change's hash).
pub(crate) type PeerClock = HashMap<Vec<u8>, (u64, [u8; 32])>;

/// The members a listening session recognises in a KK handshake: everyone in this profile's groups but itself.
pub(crate) fn known_peers(tx: &Transaction<'_>, me: &MemberId, most: usize) -> Result<Vec<MemberId>> {
    let mut all = group_store::all_members(tx)?;
    all.retain(|m| m != me);
    all.truncate(most);
    Ok(all)
}

/// Whether `member` is a current member of one of this profile's groups.
pub(crate) fn knows(tx: &Transaction<'_>, member: &MemberId) -> Result<bool> {
    group_store::is_member_anywhere(tx, member)
}

/// This side's Hello: the digest of everything shared with `peer`, and a join request for each pending invitation
/// (the invitation as signed, and a proof that this side holds its secret, never the secret).
pub(crate) struct Hello {
    pub digest: [u8; 16],
    pub joins: Vec<JoinRequest>,
    /// The groups those requests are for, each awaiting one answer.
    pub asked: HashSet<[u8; 16]>,
}

pub(crate) fn hello(tx: &Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<Hello> {
    let display_name = crate::storage::profile::load(tx)?.display_name;
    let codes: Vec<InviteCode> =
        joins::all(tx)?.into_iter().filter_map(|j| InviteCode::parse(&j.code).ok()).take(MAX_JOIN_REQUESTS).collect();
    let joins = codes
        .iter()
        .map(|code| JoinRequest {
            invitation: code.invitation().to_bytes(),
            proof: code.prove(me).to_vec(),
            display_name: display_name.clone(),
        })
        .collect();
    let asked = codes.iter().map(|code| *code.group_id.as_bytes()).collect();
    Ok(Hello { digest: overall_digest(tx, me, peer)?, joins, asked })
}

/// Whether this profile holds `group` (and so can answer a request to join it).
pub(crate) fn holds_group(tx: &Transaction<'_>, group: &GroupId) -> Result<bool> {
    Ok(group_store::group_ref(tx, group)?.is_some())
}

/// The Groups message: a digest per group both are in, by this side's view.
pub(crate) fn groups(tx: &Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<Message> {
    let mut groups = Vec::new();
    for group in shared_groups(tx, me, peer)? {
        groups.push((*group.as_bytes(), group_digest(tx, &group)?));
    }
    Ok(Message::Groups { groups })
}

/// The Clocks message: version vectors of the groups whose digests differ from the peer's, plus the groups this side
/// is joining (which it lacks). Returns the groups whose group document alone it asks for (`partial`), which the
/// session remembers so that it accepts that document from a peer it does not know as a member yet.
pub(crate) fn clocks(
    tx: &Transaction<'_>,
    me: &MemberId,
    peer: &MemberId,
    theirs: &HashMap<GroupId, [u8; 16]>,
) -> Result<(Message, HashSet<GroupId>)> {
    let mut groups = Vec::new();
    let mut docs = Vec::new();
    let mut partial = Vec::new();
    // Groups both are in by this side's view get every document's version vector. A group the peer says it is in,
    // that this side holds, but where this side does not know the peer as a member (one admitted since this phone
    // last synced) gets an empty vector for its group document alone: the peer can bring the membership up to
    // date, and learns nothing of this phone's holdings. (A member this phone knows was removed gets nothing.)
    let mut sealed = Vec::new();
    let shared = shared_groups(tx, me, peer)?;
    for group in &shared {
        if theirs.get(group) == Some(&group_digest(tx, group)?) {
            continue;
        }
        groups.push(*group.as_bytes());
        if let Some(group_ref) = group_store::group_ref(tx, group)? {
            sealed.push((*group.as_bytes(), crate::sealed::short_hashes(tx, group_ref)?));
        }
        for (doc, place) in documents::shared_documents(tx, group)? {
            let actors = documents::clock(tx, &doc)?;
            docs.push(DocClock { place: Place::new(&doc, &place), actors });
        }
    }
    for group in theirs.keys().filter(|g| !shared.contains(g)) {
        let Some(group_ref) = group_store::group_ref(tx, group)? else { continue };
        if group_store::role_of(tx, group_ref, me)?.is_some()
            && group_store::standing(tx, group_ref, peer)?.is_none_or(|s| !s.removed)
        {
            groups.push(*group.as_bytes());
            partial.push(*group.as_bytes());
            docs.push(group_document_clock(group, vec![]));
        } else if left_or_removed(tx, group_ref, me)? && group_store::role_of(tx, group_ref, peer)?.is_some() {
            // This phone left the group (or was removed), and the peer still counts it a member: it has not heard
            // yet. The peer gets what this phone wrote until then (a leave, erasures before it) like any member's.
            groups.push(*group.as_bytes());
            for (doc, place) in documents::shared_documents(tx, group)? {
                docs.push(DocClock { place: Place::new(&doc, &place), actors: documents::clock(tx, &doc)? });
            }
        }
    }
    for join in joins::all(tx)? {
        let id = *join.group_id.as_bytes();
        if group_store::group_ref(tx, &join.group_id)?.is_none() {
            groups.push(id);
        } else if !groups.contains(&id) {
            // Joining again a group this phone holds (an earlier admission had no effect): its group document,
            // from where this phone's copy stands, brings the new admission.
            groups.push(id);
            partial.push(id);
            docs.push(group_document_clock(&join.group_id, documents::clock(tx, &join.group_id.doc_id())?));
        }
    }
    let asked = partial.iter().map(|g| GroupId::from_bytes(*g)).collect();
    // Segments of which this phone lacks many bodies (a join, or one a dropped link cut short): offered whole.
    let mut lacking_bodies = Vec::new();
    for group in &groups {
        if let Some(group_ref) = group_store::group_ref(tx, &GroupId::from_bytes(*group))? {
            for (author, segment) in crate::storage::messages::segments_lacking_bodies(tx, group_ref, BODIES_AS_BLOB)? {
                lacking_bodies.push(*GroupId::from_bytes(*group).segment_doc_id(&author, segment).as_bytes());
            }
        }
    }
    Ok((Message::Clocks { groups, docs, partial, sealed, lacking_bodies }, asked))
}

/// Documents are taken only from a peer who is an active member of their group on this phone, for a group this
/// phone is joining, or (the group document alone) from a peer asked for it (`partial_asked`) because it may have
/// been admitted since. Anything else (a stranger's, a removed member's) is refused before it is parsed, inflated or
/// stored.
pub(crate) fn may_send(
    tx: &Transaction<'_>,
    peer: &MemberId,
    place: &Place,
    partial_asked: &HashSet<GroupId>,
) -> Result<()> {
    let group = place.group();
    if place.kind == PlaceKind::Group && partial_asked.contains(&group) {
        return Ok(());
    }
    let allowed = match group_store::group_ref(tx, &group)? {
        Some(group_ref) => group_store::role_of(tx, group_ref, peer)?.is_some(),
        None => joins::all(tx)?.iter().any(|j| j.group_id == group),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::NotAMember.because(format!("documents of group {group} from a peer who is not a member of it")))
    }
}

/// How many bodies of one segment a phone must lack for it to ask for them as one blob ([`Form::Bodies`]).
const BODIES_AS_BLOB: u32 = 32;

/// A document whose answer is large, to offer when its turn comes. What to send is worked out again then, against
/// the peer's version vector, so the blob and the signed heads vouching for it come from one state of the document.
#[derive(Debug)]
pub(crate) struct PendingOffer {
    place: Place,
    their_clock: Option<PeerClock>,
    /// The segment's message bodies rather than the document (for a peer that lacked the whole segment).
    bodies: bool,
}

/// Everything that answers a peer's Clocks: batches to send now, blobs to offer one at a time, and how many changes
/// they carry.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub messages: Vec<Message>,
    pub offers: Vec<PendingOffer>,
    pub changes: u64,
}

/// What `peer` lacks of the `groups` it asked about, by its version vectors `docs`: only groups where it is an active
/// member here, or where this phone admitted it and the admission turned out to have no effect (it gets the group
/// document alone, which tells its phone so). For `partial` groups, the group document alone.
#[allow(clippy::too_many_arguments)]
pub(crate) fn answer(
    ctx: &mut WriteCtx<'_, '_>,
    peer: &MemberId,
    groups: &[[u8; 16]],
    docs: &[DocClock],
    partial: &[[u8; 16]],
    sealed: &[([u8; 16], Vec<[u8; 4]>)],
    lacking_bodies: &[[u8; 16]],
    max_batch: usize,
) -> Result<Answer> {
    let theirs: HashMap<DocId, PeerClock> = docs
        .iter()
        .map(|d| (d.place.doc(), d.actors.iter().map(|(a, s, h)| (a.clone(), (*s, *h))).collect()))
        .collect();
    let mut answer = Answer::default();
    // Documents to send after everything else (queued as offers, which go out last; a small one as a batch).
    let mut trailing = Vec::new();
    for group in groups.iter().map(|g| GroupId::from_bytes(*g)) {
        let Some(group_ref) = group_store::group_ref(ctx.tx, &group)? else { continue };
        let peer_is_member = group_store::role_of(ctx.tx, group_ref, peer)?.is_some();
        // A phone that left (or was removed) still answers a member who has not heard of it yet (see `clocks`).
        let i_left = left_or_removed(ctx.tx, group_ref, &ctx.me())?;
        if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() && !(i_left && peer_is_member) {
            continue;
        }
        let lost_admission = !peer_is_member && admitted_here_without_effect(ctx, group_ref, &group, peer)?;
        if !peer_is_member && !lost_admission {
            continue;
        }
        // The group document first: the peer needs the members before it can check their messages. A phone that
        // left sends it last instead: it carries the leave, after which the peer takes nothing more from this phone.
        let group_only = partial.contains(group.as_bytes()) || lost_admission;
        for (doc, place) in documents::shared_documents(ctx.tx, &group)? {
            if group_only && place.kind != DocKind::Group {
                continue;
            }
            let last = i_left && place.kind == DocKind::Group;
            let place = Place::new(&doc, &place);
            let their_clock = theirs.get(&doc);
            if last {
                trailing.push(PendingOffer { place, their_clock: their_clock.cloned(), bodies: false });
                continue;
            }
            let as_blob = match lacking(ctx, place, their_clock, max_batch)? {
                Lacking::Nothing => false,
                Lacking::Batch(message, count) => {
                    answer.changes += count;
                    answer.messages.push(message);
                    false
                }
                Lacking::Blob(_, missing) => {
                    answer.changes += missing.len() as u64;
                    answer.offers.push(PendingOffer { place, their_clock: their_clock.cloned(), bodies: false });
                    true
                }
            };
            // A segment's words follow it as one blob (`Form::Bodies`: one compressed stream, resumable, no request
            // per message) for a peer that lacked the whole segment, or says it lacks many of its bodies (a member).
            let segment = place.kind == PlaceKind::Segment;
            let lacked_whole = as_blob && their_clock.is_none_or(HashMap::is_empty);
            let lacks_many = peer_is_member && !i_left && lacking_bodies.contains(doc.as_bytes());
            if segment && (lacked_whole || lacks_many) {
                answer.offers.push(PendingOffer { place, their_clock: None, bodies: true });
            }
        }
        // Then the sealed items the peer lacks, to a member only (a peer whose admission had no effect gets none),
        // after the documents: what a short connection carries goes to the messages first.
        if peer_is_member
            && !i_left
            && let Some((_, theirs)) = sealed.iter().find(|(g, _)| g == group.as_bytes())
        {
            for item in crate::sealed::lacking(ctx.tx, group_ref, theirs)? {
                answer.messages.push(Message::Sealed { group: *group.as_bytes(), item });
            }
        }
    }
    answer.offers.extend(trailing);
    Ok(answer)
}

/// A queued offer's message when its turn comes: an Offer of a blob (with its content hash), or, if what is missing
/// has shrunk below the batch size since, a plain batch; nothing if the peer no longer lacks anything.
pub(crate) enum Turn {
    Offer(Message, [u8; 32]),
    Batch(Message),
    Nothing,
}

pub(crate) fn offer_turn(ctx: &mut WriteCtx<'_, '_>, pending: &PendingOffer, max_batch: usize) -> Result<Turn> {
    if pending.bodies {
        return Ok(match transfer::offer_bodies(ctx, pending.place)? {
            Some((message, hash)) => Turn::Offer(message, hash),
            None => Turn::Nothing,
        });
    }
    Ok(match lacking(ctx, pending.place, pending.their_clock.as_ref(), max_batch)? {
        Lacking::Nothing => Turn::Nothing,
        Lacking::Batch(message, _) => Turn::Batch(message),
        Lacking::Blob(form, missing) => {
            let changes = (form == Form::Changes).then_some(missing.as_slice());
            let (message, hash) = transfer::offer(ctx, pending.place, form, changes)?;
            Turn::Offer(message, hash)
        }
    })
}

/// What the peer lacks of one document, and in which form it should travel.
enum Lacking {
    Nothing,
    /// A batch to send now, and how many changes it carries.
    Batch(Message, u64),
    /// Too large for one batch: a blob of this form, for these changes.
    Blob(Form, Vec<Change>),
}

/// What to send for one document, given the peer's version vector (`None`: it lacks the document). Answers over
/// `max_batch` bytes become blobs.
fn lacking(ctx: &mut WriteCtx<'_, '_>, place: Place, theirs: Option<&PeerClock>, max_batch: usize) -> Result<Lacking> {
    let doc_id = place.doc();
    let actor = ctx.identity.actor().clone();
    let doc = ctx.cache.get(ctx.tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let empty = HashMap::new();
    let (missing, total) = missing_for(doc, theirs.unwrap_or(&empty));
    if missing.is_empty() {
        return Ok(Lacking::Nothing);
    }
    let count = missing.len() as u64;
    let missing_bytes: usize = missing.iter().map(|c| c.raw_bytes().len()).sum();
    let lacks_document = theirs.is_none_or(HashMap::is_empty);
    // A peer lacking most of a long document gets a snapshot too: it is far smaller than the changes one by one
    // (25,000 edits: about 8 KB against 1.2 MB), and the receiver takes from it only what it lacks.
    let lacks_most = missing.len() > SNAPSHOT_AFTER_CHANGES && missing.len() * 2 >= total;
    if (lacks_document || lacks_most) && missing.len() > SNAPSHOT_AFTER_CHANGES {
        return Ok(Lacking::Blob(Form::Snapshot, missing));
    }
    if missing_bytes > max_batch {
        return Ok(Lacking::Blob(Form::Changes, missing));
    }
    let vouchers = vouchers_for(ctx.tx, &doc_id, &missing)?;
    let changes = missing.iter().map(|c| c.raw_bytes().to_vec()).collect();
    Ok(Lacking::Batch(Message::Changes { place, changes, vouchers }, count))
}

/// The changes of a document the peer lacks, by its version vector. For each actor: those after the peer's head; all
/// of them if this side holds a *different* change at the peer's head position (an equivocation, which the peer must
/// see to detect); and if the peer's head is unknown here because the peer is further ahead, just this side's newest
/// change of that actor: a duplicate if the peer is simply ahead, the proof if the peer holds another fork. Also
/// returns how many changes the document has.
pub(crate) fn missing_for(doc: &Automerge, their_clock: &PeerClock) -> (Vec<Change>, usize) {
    let all = doc.get_changes(&[]);
    let total = all.len();
    let mut newest: HashMap<&[u8], u64> = HashMap::new();
    for c in &all {
        let seq = newest.entry(c.actor_id().to_bytes()).or_insert(0);
        *seq = (*seq).max(c.seq());
    }
    let unknown = |hash: &[u8; 32]| doc.get_change_by_hash(&automerge::ChangeHash(*hash)).is_none();
    let mut forked: HashSet<Vec<u8>> = HashSet::new();
    let mut behind: HashMap<Vec<u8>, u64> = HashMap::new();
    for (actor, (seq, hash)) in their_clock {
        match newest.get(actor.as_slice()) {
            Some(mine) if unknown(hash) && seq <= mine => {
                forked.insert(actor.clone());
            }
            Some(mine) if unknown(hash) => {
                behind.insert(actor.clone(), *mine);
            }
            _ => {}
        }
    }
    let missing = all
        .into_iter()
        .filter(|c| {
            let actor = c.actor_id().to_bytes();
            forked.contains(actor)
                || behind.get(actor).is_some_and(|mine| c.seq() == *mine)
                || their_clock.get(actor).is_none_or(|(seq, _)| c.seq() > *seq)
        })
        .collect();
    (missing, total)
}

/// Signed heads and certificates covering `changes`, as sent on the wire.
pub(crate) fn vouchers_for(tx: &Transaction<'_>, doc: &DocId, changes: &[Change]) -> Result<Vouchers> {
    let (heads, certificates) = verify::stored_vouchers(tx, doc, changes)?;
    Ok(Vouchers::from_parts(&heads, &certificates))
}

/// A group document's version vector in a Clocks message (`partial` groups carry only this one).
fn group_document_clock(group: &GroupId, actors: Vec<documents::ClockEntry>) -> DocClock {
    DocClock { place: Place::new(&group.doc_id(), &DocPlace::group(*group)), actors }
}

/// Whether `peer` holds no entry in effect in the group, but this profile's member wrote the admission that made
/// their (now powerless) entry: the loser of two admissions with one invitation, whom this phone let in.
fn admitted_here_without_effect(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: group_store::GroupRef,
    group: &GroupId,
    peer: &MemberId,
) -> Result<bool> {
    if group_store::standing(ctx.tx, group_ref, peer)?.is_some() {
        return Ok(false);
    }
    let me = ctx.me();
    let Some(doc) = ctx.cache.get(ctx.tx, &group.doc_id(), ctx.identity.actor())? else { return Ok(false) };
    Ok(crate::sync::authorize::entry_added_by(doc, peer) == Some(me))
}

/// Whether `member` has an entry in the group that says removed (they left, or a moderator removed them).
fn left_or_removed(tx: &Transaction<'_>, group_ref: group_store::GroupRef, member: &MemberId) -> Result<bool> {
    Ok(group_store::standing(tx, group_ref, member)?.is_some_and(|s| s.removed))
}

/// Groups where both this profile and `peer` are active members.
fn shared_groups(tx: &Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<Vec<GroupId>> {
    let mut out = Vec::new();
    for (group, group_ref) in group_store::all_groups(tx)? {
        if group_store::role_of(tx, group_ref, me)?.is_some() && group_store::role_of(tx, group_ref, peer)?.is_some() {
            out.push(group);
        }
    }
    crate::sorting::sort_by_bytes_key(&mut out, |g| crate::sorting::bytes_key(g.as_bytes()));
    Ok(out)
}

/// A digest of everything this profile holds of a group: each document's version vector with head hashes. An actor
/// caught equivocating in a document is left out: honest phones hold different forks of it, and would otherwise
/// never agree that they have nothing new for each other.
fn group_digest(tx: &Transaction<'_>, group: &GroupId) -> Result<[u8; 16]> {
    let mut docs: BTreeMap<DocId, Vec<documents::ClockEntry>> = BTreeMap::new();
    for (doc, _) in documents::shared_documents(tx, group)? {
        let forked: Vec<Vec<u8>> =
            crate::storage::trust::quarantined_positions(tx, &doc)?.into_iter().map(|(a, _)| a).collect();
        let mut clock = documents::clock(tx, &doc)?;
        clock.retain(|(actor, ..)| !forked.contains(actor));
        docs.insert(doc, clock);
    }
    let mut hasher = Sha256::new();
    hasher.update(b"kindred/group-digest/v1");
    hasher.update(group.as_bytes());
    // The sealed items held, so that a new one makes the digests differ and travels; and the message bodies this
    // phone lacks, so that a phone missing words a peer holds syncs even when their documents agree.
    if let Some(group_ref) = group_store::group_ref(tx, group)? {
        for hash in crate::storage::sealed::hashes(tx, group_ref)? {
            hasher.update(hash);
        }
        for hash in crate::storage::messages::wanted_bodies(tx, group_ref, usize::MAX)? {
            hasher.update(b"lacks");
            hasher.update(hash);
        }
    }
    for (doc, clock) in docs {
        hasher.update(doc.as_bytes());
        for (actor, seq, hash) in clock {
            hasher.update((actor.len() as u64).to_be_bytes());
            hasher.update(&actor);
            hasher.update(seq.to_be_bytes());
            hasher.update(hash);
        }
    }
    Ok(crate::ids::digest16(hasher))
}

/// A digest over every group shared with `peer`.
fn overall_digest(tx: &Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<[u8; 16]> {
    let mut hasher = Sha256::new();
    hasher.update(b"kindred/digest/v1");
    for group in shared_groups(tx, me, peer)? {
        hasher.update(group.as_bytes());
        hasher.update(group_digest(tx, &group)?);
    }
    Ok(crate::ids::digest16(hasher))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ROOT};

    use super::*;

    fn doc_with(actor: &[u8], edits: usize) -> Automerge {
        let mut doc = Automerge::new().with_actor(ActorId::from(actor));
        for i in 0..edits {
            let mut tx = doc.transaction();
            tx.put(ROOT, format!("k{i}"), i as i64).unwrap();
            tx.commit();
        }
        doc
    }

    fn clock_at(doc: &Automerge, actor: &[u8], seq: u64) -> PeerClock {
        let change = doc.get_changes(&[]).into_iter().find(|c| c.actor_id().to_bytes() == actor && c.seq() == seq);
        PeerClock::from([(actor.to_vec(), (seq, change.unwrap().hash().0))])
    }

    fn seqs(changes: &[Change]) -> Vec<u64> {
        changes.iter().map(Change::seq).collect()
    }

    #[test]
    fn a_version_vector_names_exactly_what_the_peer_lacks() {
        let doc = doc_with(b"alice", 5);
        let (all, total) = missing_for(&doc, &PeerClock::new());
        assert_eq!((seqs(&all), total), (vec![1, 2, 3, 4, 5], 5));
        assert_eq!(seqs(&missing_for(&doc, &clock_at(&doc, b"alice", 3)).0), vec![4, 5]);
        assert!(missing_for(&doc, &clock_at(&doc, b"alice", 5)).0.is_empty());
    }

    #[test]
    fn a_peer_ahead_gets_the_newest_change_and_a_fork_gets_the_whole_history() {
        let doc = doc_with(b"alice", 3);
        // The peer is further ahead on alice: her head is unknown here, at a later sequence number. Our newest
        // change goes over (a duplicate if the peer is simply ahead, the proof if it holds another fork).
        let ahead = PeerClock::from([(b"alice".to_vec(), (7, [9; 32]))]);
        assert_eq!(seqs(&missing_for(&doc, &ahead).0), vec![3]);
        // The peer holds a different change at a position this side has: all of alice's changes go, so the peer
        // sees the equivocation.
        let forked = PeerClock::from([(b"alice".to_vec(), (2, [9; 32]))]);
        assert_eq!(seqs(&missing_for(&doc, &forked).0), vec![1, 2, 3]);
    }
}
