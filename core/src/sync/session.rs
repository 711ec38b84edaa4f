//! A sync session with one peer over one link: a state machine of bytes in, bytes out.
//!
//! The app (or the CLI over TCP) carries frames; the session does the rest:
//!
//! 1. **Handshake** ([`super::channel`]): Noise KK when the peer's member key is known (about 100 bytes), XX
//!    otherwise, or when the peer does not know the dialler yet (it asks, and the same link goes on with XX). Both
//!    sides learn, cryptographically, which member they talk to.
//! 2. **Hello**: a 16-byte digest of every group both are in (each document's version vector, with head hashes), and
//!    any invitations this side wants to use. Equal digests and no invitations: the session ends here, a reconnect
//!    with nothing new costs the handshake and two tiny messages whatever the number of groups.
//! 3. **Groups**: per-group digests, so only groups that differ go further. A member receiving an invitation checks it
//!    and admits the invitee first ([`crate::membership::admit`]).
//! 4. **Clocks**: each document's version vector (each actor's newest sequence number, with that change's hash).
//!    Automerge numbers an actor's changes without gaps, so a version vector names exactly the changes a peer holds:
//!    no bloom filters, no guessing. A head hash this side does not know means the peer holds a different history of
//!    that actor (an equivocation): then all of this side's changes of that actor go over, so both sides see it.
//! 5. **Data**: each side sends exactly what the other lacks, as signed change batches when small, otherwise as a
//!    blob offered by content hash (a snapshot for a document the peer lacks entirely, or a compressed list of
//!    changes) and sent in chunks of at most one frame that the receiver stores as they arrive: after a dropped link,
//!    the next session asks only for the rest.
//! 6. **Done** from both sides (all sent), then **Finish** from both (all received and accepted).
//!
//! Everything received goes through [`super::ingest`]; a session that receives anything it refuses fails with
//! [`Error::Rejected`] and the app drops that link. Sessions are independent: a bad peer never stops sync with others.
//! Data of a group is only ever sent to a peer who is an active member of it, with one exception: someone this phone
//! admitted whose admission turned out to have no effect gets the group document alone, which tells them so. Version
//! vectors go only to known members; a peer not known as a member yet is asked for the group document alone. See
//! `docs/sync-protocol.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use automerge::{Automerge, Change, ReadDoc};
use sha2::{Digest, Sha256};

use super::channel::{ChannelConfig, ChannelEvent, SecureChannel};
use super::ingest::{DocBatch, IngestReport, ingest};
use super::wire::{
    DocClock, FORM_CHANGES, FORM_SNAPSHOT, JoinRequest, Message, PROTOCOL_VERSION, Place, Vouchers, parse_changes,
};
use crate::am;
use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::invite::{Invitation, InviteCode};
use crate::kindred::{Kindred, WriteCtx};
use crate::membership::admit;
use crate::storage::documents::{self, DocKind, DocPlace};
use crate::storage::transfers::{self, TransferPlace};
use crate::storage::{groups as group_store, joins};
use crate::time::now_ms;
use crate::verify;

/// Most bytes of a transferred blob per chunk (less on small frames: a chunk always fits one frame). Small enough
/// that a link dropping every 64 KiB loses little (at most one chunk in flight), large enough that per-chunk
/// overhead stays around 1%.
pub const TRANSFER_CHUNK: usize = 4 * 1024;
/// Room a chunk message needs besides its bytes: the message encoding and the frame's own overhead.
const CHUNK_MESSAGE_OVERHEAD: usize = 96;
/// Missing changes beyond this size travel as a resumable blob instead of one change batch, so that a link that
/// keeps dropping still makes progress: a batch is one message, lost whole if the link drops before its last frame.
const MAX_BATCH_BYTES: usize = 32 * 1024;
/// On small frames the batch limit shrinks to this many frames, so a link that drops every few frames (BLE) loses
/// at most that much of a batch: anything larger goes as a blob, stored chunk by chunk.
const MAX_BATCH_FRAMES: usize = 2;
/// Largest blob of changes accepted once decompressed.
const MAX_CHANGES_BLOB: u64 = 64 * 1024 * 1024;
/// A document the peer lacks entirely travels as a snapshot once it has more changes than this.
const SNAPSHOT_AFTER_CHANGES: usize = 64;

fn refuse(reason: impl Into<String>) -> Error {
    Error::Rejected(reason.into())
}

/// How a session is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Largest frame on the link (bytes): 32 KiB by default; as low as 256 for constrained links such as BLE.
    pub max_frame: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { max_frame: 32 * 1024 }
    }
}

/// What a session did, for people and for the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    pub peer: Option<MemberId>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub frames_sent: u64,
    pub frames_received: u64,
    pub largest_frame: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    /// Changes (and snapshot-carried changes) applied here.
    pub changes_applied: u64,
    pub changes_sent: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// Snapshot bytes sent, and of those, bytes a resumed transfer did not need to send again.
    pub snapshot_bytes_sent: u64,
    pub snapshot_bytes_resumed: u64,
    /// Groups this profile joined in this session, and peers it admitted.
    #[cfg_attr(feature = "uniffi", uniffi(name = "joined_groups"))]
    pub joined: Vec<GroupId>,
    #[cfg_attr(feature = "uniffi", uniffi(name = "admitted_members"))]
    pub admitted: Vec<MemberId>,
    /// Invitations the peer did not accept, with its reason (another member may still accept them: they stay in
    /// `pending_joins`).
    pub join_refusals: Vec<JoinRefusal>,
    /// The session ended at the Hello: nothing new on either side.
    pub nothing_new: bool,
}

/// An invitation of this profile that the peer did not accept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JoinRefusal {
    pub group_id: GroupId,
    pub reason: String,
}

/// Written as the `[group id, reason]` pair it was before it had names, so the CLI's JSON report is unchanged.
impl serde::Serialize for JoinRefusal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        (&self.group_id, &self.reason).serialize(serializer)
    }
}

/// One sync session. See the module documentation.
#[derive(Debug)]
pub struct SyncSession {
    channel: SecureChannel,
    chunk: usize,
    /// Missing changes above this many bytes go as a blob ([`MAX_BATCH_BYTES`], less on small frames).
    max_batch: usize,
    my_hello: Option<([u8; 16], bool)>,
    their_hello: Option<([u8; 16], Vec<JoinRequest>)>,
    /// Groups this side asked to join in its Hello, each awaiting one answer.
    joins_asked: HashSet<[u8; 16]>,
    /// Groups whose group document alone this side asked of a peer it does not know as a member yet.
    partial_asked: HashSet<GroupId>,
    sent_groups: bool,
    their_groups: Option<HashMap<GroupId, [u8; 16]>>,
    sent_clocks: bool,
    answered_clocks: bool,
    offers_waiting: HashSet<[u8; 32]>,
    /// Blobs still to offer, one at a time: a reconnect then re-offers only what is left, and the member never holds
    /// more than one document's chunks in its send queue.
    offer_queue: std::collections::VecDeque<PendingOffer>,
    receiving: HashSet<[u8; 32]>,
    sent_done: bool,
    got_done: bool,
    sent_finish: bool,
    got_finish: bool,
    finished: bool,
    report: SyncReport,
}

impl Kindred {
    /// Starts a session as the side that dialled. With `peer`, the peer's member key is known: the handshake is Noise
    /// KK (XX if the peer does not know this profile yet), and it fails unless the other side holds that key.
    pub fn connect_sync(&self, peer: Option<MemberId>, options: SyncOptions) -> Result<SyncSession> {
        let config = ChannelConfig { max_frame: options.max_frame, ..ChannelConfig::default() };
        let channel = self.with_identity(|identity| SecureChannel::initiator(identity, peer, config))?;
        Ok(SyncSession::new(channel, options))
    }

    /// Whether `member` is a current member of one of this profile's groups. Such a peer recognises this profile's
    /// key too (once it has synced since this profile joined), so dial it with `connect_sync(Some(member))`.
    pub fn knows_member(&self, member: &MemberId) -> Result<bool> {
        self.read(|tx, _| group_store::is_member_anywhere(tx, member))
    }

    /// Starts a session as the side that was dialled. It recognises every member of this profile's groups (KK)
    /// and anyone else by their handshake (XX), such as someone joining with an invitation.
    pub fn accept_sync(&self, options: SyncOptions) -> Result<SyncSession> {
        let config = ChannelConfig { max_frame: options.max_frame, ..ChannelConfig::default() };
        let known = self.read(|tx, me| {
            let mut all = group_store::all_members(tx)?;
            all.retain(|m| m != me);
            all.truncate(super::channel::MAX_KNOWN_PEERS);
            Ok(all)
        })?;
        let channel =
            self.with_identity(|identity| SecureChannel::responder_with_known_peers(identity, &known, config))?;
        Ok(SyncSession::new(channel, options))
    }
}

impl SyncSession {
    fn new(channel: SecureChannel, options: SyncOptions) -> Self {
        Self {
            channel,
            chunk: TRANSFER_CHUNK.min(options.max_frame.saturating_sub(CHUNK_MESSAGE_OVERHEAD)).max(1),
            max_batch: MAX_BATCH_BYTES.min(options.max_frame.saturating_mul(MAX_BATCH_FRAMES)),
            my_hello: None,
            their_hello: None,
            joins_asked: HashSet::new(),
            partial_asked: HashSet::new(),
            sent_groups: false,
            their_groups: None,
            sent_clocks: false,
            answered_clocks: false,
            offers_waiting: HashSet::new(),
            offer_queue: std::collections::VecDeque::new(),
            receiving: HashSet::new(),
            sent_done: false,
            got_done: false,
            sent_finish: false,
            got_finish: false,
            finished: false,
            report: SyncReport::default(),
        }
    }

    /// The member on the other end, once the handshake has proved it.
    pub fn peer(&self) -> Option<MemberId> {
        self.channel.peer()
    }

    /// Whether the session has done everything; the link can be closed.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Frames to put on the link now, in order.
    pub fn take_outgoing(&mut self) -> Vec<Vec<u8>> {
        let frames = self.channel.take_outgoing();
        for frame in &frames {
            self.report.frames_sent += 1;
            self.report.largest_frame = self.report.largest_frame.max(frame.len() as u64);
        }
        frames
    }

    /// What the session has done so far.
    pub fn report(&self) -> SyncReport {
        SyncReport {
            peer: self.channel.peer(),
            bytes_sent: self.channel.bytes_sent(),
            bytes_received: self.channel.bytes_received(),
            ..self.report.clone()
        }
    }

    /// Feeds one frame from the link. An error means the peer sent something refused (or the profile failed): drop
    /// the link; nothing refused was stored.
    pub fn receive(&mut self, kindred: &Kindred, frame: &[u8]) -> Result<()> {
        self.report.frames_received += 1;
        self.report.largest_frame = self.report.largest_frame.max(frame.len() as u64);
        for event in self.channel.receive_frame(frame)? {
            match event {
                ChannelEvent::Established { .. } => self.send_hello(kindred)?,
                ChannelEvent::Message(bytes) => {
                    self.report.messages_received += 1;
                    let message = Message::decode(&bytes)?;
                    self.handle(kindred, message)?;
                }
            }
        }
        Ok(())
    }

    /// Test support: sends any protocol message over the authenticated, encrypted channel, as a modified app could.
    #[cfg(feature = "test-exchange")]
    pub fn send_any(&mut self, message: &Message) -> Result<()> {
        self.send(message)
    }

    fn send(&mut self, message: &Message) -> Result<()> {
        self.report.messages_sent += 1;
        self.channel.send_message(&message.encode()?)
    }

    /// Documents are taken only from a peer who is an active member of their group on this phone, for a group this
    /// phone is joining, or (the group document alone) from a peer asked for it because it may have been admitted
    /// since: before anything is parsed, inflated or stored, anything else (a stranger's, a removed member's) is
    /// refused and the session ends.
    fn check_sender(&self, kindred: &Kindred, place: &Place) -> Result<()> {
        let peer = self.peer_id()?;
        let group = place.group();
        let group_document = place.kind == 0;
        let asked = group_document && self.partial_asked.contains(&group);
        let allowed = asked
            || kindred.read(|tx, _| {
                Ok(match group_store::group_ref(tx, &group)? {
                    Some(group_ref) => group_store::role_of(tx, group_ref, &peer)?.is_some(),
                    None => joins::all(tx)?.iter().any(|j| j.group_id == group),
                })
            })?;
        if allowed {
            Ok(())
        } else {
            Err(refuse(format!("documents of group {group} from a peer who is not a member of it")))
        }
    }

    fn peer_id(&self) -> Result<MemberId> {
        self.channel.peer().ok_or_else(|| Error::Internal("sync message before the handshake completed".into()))
    }

    fn send_hello(&mut self, kindred: &Kindred) -> Result<()> {
        let peer = self.peer_id()?;
        let (digest, codes, name, me) = kindred.read(|tx, me| {
            let codes: Vec<InviteCode> =
                joins::all(tx)?.into_iter().filter_map(|j| InviteCode::parse(&j.code).ok()).collect();
            Ok((overall_digest(tx, me, &peer)?, codes, kindred_display_name(tx)?, *me))
        })?;
        self.joins_asked = codes.iter().map(|code| *code.group_id.as_bytes()).collect();
        let joins: Vec<JoinRequest> = codes
            .iter()
            .map(|code| JoinRequest {
                invitation: code.invitation().to_bytes(),
                proof: code.prove(&me).to_vec(),
                display_name: name.clone(),
            })
            .collect();
        self.my_hello = Some((digest, !joins.is_empty()));
        self.send(&Message::Hello { version: PROTOCOL_VERSION, digest, joins })?;
        self.after_hellos(kindred)
    }

    fn handle(&mut self, kindred: &Kindred, message: Message) -> Result<()> {
        match message {
            Message::Hello { version, digest, joins } => {
                if version != PROTOCOL_VERSION {
                    return Err(refuse(format!(
                        "the peer speaks sync protocol version {version}, this phone {PROTOCOL_VERSION}"
                    )));
                }
                if self.their_hello.is_some() {
                    return Err(refuse("a second Hello"));
                }
                if joins.len() > 16 {
                    return Err(refuse("too many join requests"));
                }
                self.their_hello = Some((digest, joins));
                self.after_hellos(kindred)
            }
            Message::Groups { groups } => {
                if self.their_groups.is_some() || groups.len() > 10_000 {
                    return Err(refuse("an unexpected Groups message"));
                }
                self.their_groups = Some(groups.into_iter().map(|(g, d)| (GroupId::from_bytes(g), d)).collect());
                self.send_clocks(kindred)
            }
            Message::Clocks { groups, docs, partial } => {
                if self.answered_clocks || docs.len() > 100_000 || groups.len() > 10_000 || partial.len() > groups.len()
                {
                    return Err(refuse("an unexpected Clocks message"));
                }
                self.answer_clocks(kindred, &groups, &docs, &partial)?;
                self.answered_clocks = true;
                self.maybe_done()
            }
            Message::Changes { place, changes, vouchers } => {
                self.check_sender(kindred, &place)?;
                let doc = place.doc();
                let changes = parse_changes(&doc, changes)?;
                self.ingest(kindred, place, changes, vouchers)
            }
            Message::Offer { place, form, hash, len, vouchers } => {
                self.check_sender(kindred, &place)?;
                self.accept_offer(kindred, place, form, hash, len, vouchers)
            }
            Message::Want { hash, offset } => self.send_transfer(kindred, hash, offset),
            Message::Chunk { hash, offset, bytes } => self.receive_chunk(kindred, hash, offset, &bytes),
            Message::JoinResult { group, admitted, reason } => {
                // Only an answer to a request this side made, once: anything else is a peer misbehaving.
                if !self.joins_asked.remove(&group) {
                    return Err(refuse("an unsolicited join result"));
                }
                if !admitted {
                    // Kept for the app to show; the invitation stays pending (another member may accept it).
                    self.report.join_refusals.push(JoinRefusal { group_id: GroupId::from_bytes(group), reason });
                }
                Ok(())
            }
            Message::Done => {
                if self.got_done {
                    return Err(refuse("a second Done"));
                }
                self.got_done = true;
                self.maybe_finish()
            }
            Message::Finish => {
                if self.got_finish || !self.sent_done {
                    return Err(refuse("an unexpected Finish"));
                }
                self.got_finish = true;
                self.check_finished();
                Ok(())
            }
        }
    }

    /// Once both Hellos are known: either nothing to do, or on to per-group digests (after admitting invitees).
    fn after_hellos(&mut self, kindred: &Kindred) -> Result<()> {
        let (Some((mine, i_join)), Some((theirs, joins))) = (self.my_hello, self.their_hello.clone()) else {
            return Ok(());
        };
        let peer = self.peer_id()?;
        for join in &joins {
            let Ok(invitation) = Invitation::from_bytes(&join.invitation) else { continue };
            let holds = kindred.read(|tx, _| Ok(group_store::group_ref(tx, &invitation.group_id)?.is_some()))?;
            if !holds {
                continue;
            }
            let proof: [u8; 64] = join.proof.as_slice().try_into().unwrap_or([0; 64]);
            let outcome = kindred.write(|ctx| admit(ctx, &invitation, &proof, &peer, &join.display_name));
            let (admitted, reason) = match outcome {
                Ok(_) => (true, String::new()),
                Err(Error::Rejected(reason)) => (false, reason),
                Err(other) => return Err(other),
            };
            if admitted {
                self.report.admitted.push(peer);
            }
            self.send(&Message::JoinResult { group: *invitation.group_id.as_bytes(), admitted, reason })?;
        }
        if mine == theirs && !i_join && joins.is_empty() {
            self.report.nothing_new = true;
            self.finished = true;
            return Ok(());
        }
        let groups = kindred.read(|tx, me| {
            let mut out = Vec::new();
            for group in shared_groups(tx, me, &peer)? {
                out.push((*group.as_bytes(), group_digest(tx, &group)?));
            }
            Ok(out)
        })?;
        self.sent_groups = true;
        self.send(&Message::Groups { groups })?;
        if self.their_groups.is_some() { self.send_clocks(kindred) } else { Ok(()) }
    }

    /// Version vectors of the groups whose digests differ, plus the groups this side is joining (which it lacks).
    fn send_clocks(&mut self, kindred: &Kindred) -> Result<()> {
        let (true, Some(theirs), false) = (self.sent_groups, self.their_groups.as_ref(), self.sent_clocks) else {
            return Ok(());
        };
        let peer = self.peer_id()?;
        let (groups, docs, partial) = kindred.read(|tx, me| {
            let mut groups = Vec::new();
            let mut docs = Vec::new();
            let mut partial = Vec::new();
            // Groups both are in by this side's view get every document's version vector. A group the peer says it
            // is in, that this side holds, but where this side does not know the peer as a member (one admitted
            // since this phone last synced) gets an empty vector for its group document alone: the peer can bring
            // the membership up to date, and learns nothing of this phone's holdings. (A member this phone knows was
            // removed gets nothing.)
            let shared = shared_groups(tx, me, &peer)?;
            for group in &shared {
                if theirs.get(group) == Some(&group_digest(tx, group)?) {
                    continue;
                }
                groups.push(*group.as_bytes());
                for (doc, place) in documents::shared_documents(tx, group)? {
                    let actors = documents::clock(tx, &doc)?;
                    docs.push(DocClock { place: Place::new(&doc, &place), actors });
                }
            }
            for group in theirs.keys().filter(|g| !shared.contains(g)) {
                if let Some(group_ref) = group_store::group_ref(tx, group)?
                    && group_store::role_of(tx, group_ref, me)?.is_some()
                    && group_store::standing(tx, group_ref, &peer)?.is_none_or(|s| !s.removed)
                {
                    groups.push(*group.as_bytes());
                    partial.push(*group.as_bytes());
                    docs.push(group_document_clock(group, vec![]));
                }
            }
            for join in joins::all(tx)? {
                let id = *join.group_id.as_bytes();
                if group_store::group_ref(tx, &join.group_id)?.is_none() {
                    groups.push(id);
                } else if !groups.contains(&id) {
                    // Joining again a group this phone holds (an earlier admission had no effect): its group
                    // document, from where this phone's copy stands, brings the new admission.
                    groups.push(id);
                    partial.push(id);
                    docs.push(group_document_clock(&join.group_id, documents::clock(tx, &join.group_id.doc_id())?));
                }
            }
            Ok((groups, docs, partial))
        })?;
        self.sent_clocks = true;
        self.partial_asked = partial.iter().map(|g| GroupId::from_bytes(*g)).collect();
        self.send(&Message::Clocks { groups, docs, partial })
    }

    /// Sends the peer everything it lacks of the groups it asked about (and is a member of).
    fn answer_clocks(
        &mut self,
        kindred: &Kindred,
        groups: &[[u8; 16]],
        docs: &[DocClock],
        partial: &[[u8; 16]],
    ) -> Result<()> {
        let peer = self.peer_id()?;
        let theirs: HashMap<DocId, PeerClock> = docs
            .iter()
            .map(|d| (d.place.doc(), d.actors.iter().map(|(a, s, h)| (a.clone(), (*s, *h))).collect()))
            .collect();
        let mut outgoing: Vec<Message> = Vec::new();
        let mut offers = Vec::new();
        let mut changes_sent = 0u64;
        let max_batch = self.max_batch;
        kindred.write(|ctx| {
            for group in groups.iter().map(|g| GroupId::from_bytes(*g)) {
                let Some(group_ref) = group_store::group_ref(ctx.tx, &group)? else { continue };
                if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
                    continue;
                }
                // Someone this phone admitted whose admission turned out to have no effect (another phone used the
                // same invitation first) gets the group document alone, which tells their phone so.
                let peer_is_member = group_store::role_of(ctx.tx, group_ref, &peer)?.is_some();
                let lost_admission = !peer_is_member && admitted_here_without_effect(ctx, group_ref, &group, &peer)?;
                if !peer_is_member && !lost_admission {
                    continue;
                }
                // The group document first: the peer needs the members before it can check their messages. A peer
                // that does not know this phone as a member yet asked for the group document alone.
                let group_only = partial.contains(group.as_bytes()) || lost_admission;
                for (doc, place) in documents::shared_documents(ctx.tx, &group)? {
                    if group_only && place.kind != DocKind::Group {
                        continue;
                    }
                    let their_clock = theirs.get(&doc);
                    let place = Place::new(&doc, &place);
                    match outgoing_for(ctx, place, their_clock, max_batch, false)? {
                        Some(Outgoing::Changes(message, count)) => {
                            changes_sent += count;
                            outgoing.push(message);
                        }
                        Some(Outgoing::Offer(pending)) => {
                            changes_sent += pending.count;
                            offers.push(pending);
                        }
                        Some(Outgoing::Offered(..)) | None => {}
                    }
                }
            }
            Ok(())
        })?;
        self.report.changes_sent += changes_sent;
        for message in &outgoing {
            self.send(message)?;
        }
        self.offer_queue.extend(offers);
        self.next_offer(kindred)
    }

    /// Offers the next queued blob once the previous one has been sent.
    fn next_offer(&mut self, kindred: &Kindred) -> Result<()> {
        if !self.offers_waiting.is_empty() {
            return Ok(());
        }
        while let Some(pending) = self.offer_queue.pop_front() {
            match kindred
                .write(|ctx| outgoing_for(ctx, pending.place, pending.their_clock.as_ref(), self.max_batch, true))?
            {
                Some(Outgoing::Offered(message, hash)) => {
                    self.offers_waiting.insert(hash);
                    return self.send(&message);
                }
                // Smaller than it was (or nothing left): send it as it is and go on to the next.
                Some(Outgoing::Changes(message, _)) => self.send(&message)?,
                Some(Outgoing::Offer(_)) | None => {}
            }
        }
        Ok(())
    }

    fn ingest(&mut self, kindred: &Kindred, place: Place, changes: Vec<Change>, vouchers: Vouchers) -> Result<()> {
        let (heads, certificates) = vouchers.into_parts()?;
        let batch =
            DocBatch { doc: place.doc(), place: place.to_doc_place()?, changes, heads, certificates, live: true };
        let (report, joined) = kindred.write(|ctx| ingest_from(ctx, &batch))?;
        if joined {
            self.report.joined.push(place.group());
        }
        self.note(report)
    }

    /// Counts what a batch did; a batch refused after its equivocation evidence was kept fails the session now.
    fn note(&mut self, r: IngestReport) -> Result<()> {
        self.report.changes_applied += r.applied;
        self.report.duplicates += r.duplicates;
        self.report.quarantined += r.quarantined;
        r.into_result().map(|_| ())
    }

    fn accept_offer(
        &mut self,
        kindred: &Kindred,
        place: Place,
        form: u8,
        hash: [u8; 32],
        len: u64,
        vouchers: Vouchers,
    ) -> Result<()> {
        if len > 64 * 1024 * 1024 {
            return Err(refuse(format!("an offered document of {len} bytes")));
        }
        if form != FORM_SNAPSHOT && form != FORM_CHANGES {
            return Err(refuse(format!("an offer of unknown form {form}")));
        }
        let target = TransferPlace { doc: place.doc(), place: place.to_doc_place()?, form };
        let vouchers =
            postcard::to_stdvec(&vouchers).map_err(|e| Error::Internal(format!("encoding vouchers: {e}")))?;
        let offset = kindred.write(|ctx| {
            transfers::start_incoming(ctx.tx, &hash, &target, len, &vouchers, now_ms())?;
            Ok(transfers::incoming(ctx.tx, &hash)?.map_or(0, |t| t.received))
        })?;
        self.receiving.insert(hash);
        self.send(&Message::Want { hash, offset })?;
        if offset >= len {
            self.complete_transfer(kindred, hash)?;
        }
        Ok(())
    }

    fn send_transfer(&mut self, kindred: &Kindred, hash: [u8; 32], offset: u64) -> Result<()> {
        if !self.offers_waiting.remove(&hash) {
            return Err(refuse("a request for a document that was not offered"));
        }
        let offer = kindred
            .read(|tx, _| transfers::outgoing(tx, &hash))?
            .ok_or_else(|| Error::Internal("offered transfer vanished".into()))?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(offer.snapshot.len());
        self.report.snapshot_bytes_resumed += start as u64;
        let rest = offer.snapshot.get(start..).unwrap_or_default();
        for (i, piece) in rest.chunks(self.chunk).enumerate() {
            let at = (start + i * self.chunk) as u64;
            self.report.snapshot_bytes_sent += piece.len() as u64;
            self.send(&Message::Chunk { hash, offset: at, bytes: piece.to_vec() })?;
        }
        self.next_offer(kindred)?;
        self.maybe_done()
    }

    fn receive_chunk(&mut self, kindred: &Kindred, hash: [u8; 32], offset: u64, bytes: &[u8]) -> Result<()> {
        if !self.receiving.contains(&hash) {
            return Err(refuse("a chunk of a document that was not offered"));
        }
        let complete = kindred.write(|ctx| {
            if !transfers::append_incoming(ctx.tx, &hash, offset, bytes, now_ms())? {
                return Err(refuse("a chunk out of place"));
            }
            Ok(transfers::incoming(ctx.tx, &hash)?.is_some_and(|t| t.received >= t.total_len))
        })?;
        if complete {
            self.complete_transfer(kindred, hash)?;
        }
        Ok(())
    }

    /// A whole snapshot arrived: check it is what was offered, then ingest its changes like any others.
    fn complete_transfer(&mut self, kindred: &Kindred, hash: [u8; 32]) -> Result<()> {
        let (transfer, received) = kindred.read(|tx, _| {
            let transfer =
                transfers::incoming(tx, &hash)?.ok_or_else(|| Error::Internal("transfer vanished".into()))?;
            Ok((transfer, transfers::incoming_bytes(tx, &hash)?))
        })?;
        let digest: [u8; 32] = Sha256::digest(&received).into();
        if digest != hash {
            kindred.write(|ctx| transfers::finish_incoming(ctx.tx, &hash))?;
            return Err(refuse("a transferred document does not match its hash"));
        }
        let doc = transfer.place.doc;
        let group = transfer.place.place.group.ok_or_else(|| Error::Internal("a transfer without a group".into()))?;
        let changes = match transfer.place.form {
            FORM_SNAPSHOT => {
                let loaded = am::load_peer(&doc, &received)?;
                am::guarded(&doc, "reading a transferred document", || Ok(loaded.get_changes(&[])))?
            }
            _ => {
                let mut inflated = Vec::new();
                flate2::read::DeflateDecoder::new(received.as_slice())
                    .take(MAX_CHANGES_BLOB + 1)
                    .read_to_end(&mut inflated)
                    .map_err(|_| refuse("a transferred list of changes does not decompress"))?;
                if inflated.len() as u64 > MAX_CHANGES_BLOB {
                    return Err(refuse("a transferred list of changes beyond the limit"));
                }
                let raw: Vec<Vec<u8>> =
                    postcard::from_bytes(&inflated).map_err(|_| refuse("a damaged list of changes"))?;
                parse_changes(&doc, raw)?
            }
        };
        let vouchers: Vouchers =
            postcard::from_bytes(&transfer.vouchers).map_err(|_| refuse("damaged transfer vouchers"))?;
        let (heads, certificates) = vouchers.into_parts()?;
        let batch = DocBatch { doc, place: transfer.place.place, changes, heads, certificates, live: true };
        let (report, joined) = kindred.write(|ctx| {
            let outcome = ingest_from(ctx, &batch)?;
            transfers::finish_incoming(ctx.tx, &hash)?;
            Ok(outcome)
        })?;
        if joined {
            self.report.joined.push(group);
        }
        self.note(report)?;
        self.receiving.remove(&hash);
        self.maybe_finish()
    }

    fn maybe_done(&mut self) -> Result<()> {
        if self.answered_clocks && self.offers_waiting.is_empty() && self.offer_queue.is_empty() && !self.sent_done {
            self.sent_done = true;
            self.send(&Message::Done)?;
        }
        self.maybe_finish()
    }

    /// Once both sides have sent everything and everything offered here has arrived and been accepted, say so.
    fn maybe_finish(&mut self) -> Result<()> {
        if self.sent_done && self.got_done && self.receiving.is_empty() && !self.sent_finish {
            self.sent_finish = true;
            self.send(&Message::Finish)?;
        }
        self.check_finished();
        Ok(())
    }

    fn check_finished(&mut self) {
        if self.sent_finish && self.got_finish {
            self.finished = true;
        }
    }
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

/// Ingests a batch from a peer, joining the group if this profile holds a pending invitation to it. Returns the
/// report and whether this completed a join.
fn ingest_from(ctx: &mut WriteCtx<'_, '_>, batch: &DocBatch) -> Result<(IngestReport, bool)> {
    let group = batch.place.group.ok_or_else(|| refuse("personal documents never travel"))?;
    let pending = joins::all(ctx.tx)?.into_iter().any(|j| j.group_id == group);
    // Authorise the author, not the sender: any peer may relay a group's changes (ingest checks who wrote each one
    // and whether they were allowed to); what a peer may *receive* is decided when answering its clocks.
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

/// A peer's version vector of one document: actor -> (newest sequence number, that change's hash).
type PeerClock = HashMap<Vec<u8>, (u64, [u8; 32])>;

enum Outgoing {
    /// A batch to send now.
    Changes(Message, u64),
    /// A blob to offer when its turn comes.
    Offer(PendingOffer),
    /// A blob offered now (its offer message and content hash).
    Offered(Message, [u8; 32]),
}

/// A document whose answer is large, to offer when its turn comes. What to send is worked out again then, against
/// the peer's version vector, so the blob and the signed heads vouching for it come from one state of the document.
#[derive(Debug)]
struct PendingOffer {
    place: Place,
    their_clock: Option<PeerClock>,
    count: u64,
}

/// The changes of a document the peer lacks, by its version vector. For each actor: those after the peer's head; all
/// of them if this side holds a *different* change at the peer's head position (an equivocation, which the peer must
/// see to detect); and if the peer's head is unknown here because the peer is further ahead, just this side's newest
/// change of that actor: a duplicate if the peer is simply ahead, the proof if the peer holds another fork.
fn missing_for(doc: &Automerge, their_clock: &PeerClock) -> (Vec<Change>, usize) {
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

/// What to send for one document now, given the peer's version vector (`None`: it lacks the document). Answers over
/// `max_batch` bytes become blobs (offered later, one at a time, when `now` is false).
fn outgoing_for(
    ctx: &mut WriteCtx<'_, '_>,
    place: Place,
    theirs: Option<&PeerClock>,
    max_batch: usize,
    now: bool,
) -> Result<Option<Outgoing>> {
    let doc_id = place.doc();
    let actor = ctx.identity.actor().clone();
    let doc = ctx.cache.get(ctx.tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let empty = HashMap::new();
    let (missing, total) = missing_for(doc, theirs.unwrap_or(&empty));
    if missing.is_empty() {
        return Ok(None);
    }
    let count = missing.len() as u64;
    let missing_bytes: usize = missing.iter().map(|c| c.raw_bytes().len()).sum();
    let lacks_document = theirs.is_none_or(HashMap::is_empty);
    // A peer lacking most of a long document gets a snapshot too: it is far smaller than the changes one by one
    // (25,000 edits: about 8 KB against 1.2 MB), and the receiver takes from it only what it lacks.
    let lacks_most = missing.len() > SNAPSHOT_AFTER_CHANGES && missing.len() * 2 >= total;
    let form = if (lacks_document || lacks_most) && missing.len() > SNAPSHOT_AFTER_CHANGES {
        Some(FORM_SNAPSHOT)
    } else if missing_bytes > max_batch {
        Some(FORM_CHANGES)
    } else {
        None
    };
    match form {
        Some(_) if !now => Ok(Some(Outgoing::Offer(PendingOffer { place, their_clock: theirs.cloned(), count }))),
        Some(form) => {
            let changes = (form == FORM_CHANGES).then_some(missing.as_slice());
            let (message, hash) = offer(ctx, place, &doc_id, form, changes)?;
            Ok(Some(Outgoing::Offered(message, hash)))
        }
        None => {
            let vouchers = vouchers_for(ctx, &doc_id, &missing)?;
            let changes = missing.iter().map(|c| c.raw_bytes().to_vec()).collect();
            Ok(Some(Outgoing::Changes(Message::Changes { place, changes, vouchers }, count)))
        }
    }
}

/// Signed heads and certificates covering `changes`, as sent on the wire.
fn vouchers_for(ctx: &WriteCtx<'_, '_>, doc: &DocId, changes: &[Change]) -> Result<Vouchers> {
    let (heads, certificates) = verify::stored_vouchers(ctx.tx, doc, changes)?;
    Ok(Vouchers::from_parts(&heads, &certificates))
}

/// Offers a blob, stored by content hash so the transfer can resume: the whole document as a snapshot, or the
/// given changes as a compressed list (deterministic, so a resumed session offers the same bytes again).
fn offer(
    ctx: &mut WriteCtx<'_, '_>,
    place: Place,
    doc_id: &DocId,
    form: u8,
    changes: Option<&[Change]>,
) -> Result<(Message, [u8; 32])> {
    let actor = ctx.identity.actor().clone();
    let doc: &Automerge = ctx.cache.get(ctx.tx, doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let (blob, covered) = match changes {
        None => (am::guarded(doc_id, "saving", || Ok(doc.save()))?, doc.get_changes(&[])),
        Some(changes) => {
            let raw: Vec<&[u8]> = changes.iter().map(Change::raw_bytes).collect();
            let encoded = postcard::to_stdvec(&raw).map_err(|e| Error::Internal(format!("encoding changes: {e}")))?;
            let mut blob = Vec::new();
            flate2::read::DeflateEncoder::new(encoded.as_slice(), flate2::Compression::default())
                .read_to_end(&mut blob)
                .map_err(|e| Error::Internal(format!("compressing changes: {e}")))?;
            (blob, changes.to_vec())
        }
    };
    let vouchers = vouchers_for(ctx, doc_id, &covered)?;
    let hash: [u8; 32] = Sha256::digest(&blob).into();
    let encoded = postcard::to_stdvec(&vouchers).map_err(|e| Error::Internal(format!("encoding vouchers: {e}")))?;
    let target = TransferPlace { doc: *doc_id, place: place.to_doc_place()?, form };
    let len = blob.len() as u64;
    transfers::save_outgoing(
        ctx.tx,
        &hash,
        &transfers::Outgoing { place: target, snapshot: blob, vouchers: encoded },
        now_ms(),
    )?;
    Ok((Message::Offer { place, form, hash, len, vouchers }, hash))
}

/// Groups where both this profile and `peer` are active members.
fn shared_groups(tx: &rusqlite::Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<Vec<GroupId>> {
    let mut out = Vec::new();
    for (group, group_ref) in group_store::all_groups(tx)? {
        if group_store::role_of(tx, group_ref, me)?.is_some() && group_store::role_of(tx, group_ref, peer)?.is_some() {
            out.push(group);
        }
    }
    out.sort();
    Ok(out)
}

/// A digest of everything this profile holds of a group: each document's version vector with head hashes. An actor
/// caught equivocating in a document is left out: honest phones hold different forks of it, and would otherwise
/// never agree that they have nothing new for each other.
fn group_digest(tx: &rusqlite::Transaction<'_>, group: &GroupId) -> Result<[u8; 16]> {
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
fn overall_digest(tx: &rusqlite::Transaction<'_>, me: &MemberId, peer: &MemberId) -> Result<[u8; 16]> {
    let mut hasher = Sha256::new();
    hasher.update(b"kindred/digest/v1");
    for group in shared_groups(tx, me, peer)? {
        hasher.update(group.as_bytes());
        hasher.update(group_digest(tx, &group)?);
    }
    Ok(crate::ids::digest16(hasher))
}

fn kindred_display_name(tx: &rusqlite::Transaction<'_>) -> Result<String> {
    Ok(crate::storage::profile::load(tx)?.display_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_refusal_is_written_as_the_pair_the_cli_has_always_shown() {
        let group = GroupId::from_bytes([1; 16]);
        let report = SyncReport {
            join_refusals: vec![JoinRefusal { group_id: group, reason: "expired".into() }],
            ..Default::default()
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["join_refusals"], serde_json::json!([[group.to_hex(), "expired"]]));
    }
}
