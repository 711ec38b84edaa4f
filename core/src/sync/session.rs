//! A sync session with one peer over one link: a state machine of bytes in, bytes out.
//!
//! The session owns the protocol's order (Hello, join answers, Groups, Clocks, data, Done, Finish; see
//! `docs/sync-protocol.md`), dispatches each message from the peer, and keeps the report. What to say comes from
//! [`super::plan`] (digests, version vectors, what the peer lacks), large answers travel through [`super::transfer`],
//! and everything received goes through [`super::ingest`]. It touches no storage itself. A session that receives
//! anything it refuses fails with [`ErrorKind::Rejected`] and the app drops that link; sessions are independent, so a bad
//! peer never stops sync with others.

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::Change;

use super::channel::{ChannelConfig, ChannelEvent, SecureChannel};
use super::ingest::{DocBatch, Ingested, ingest_from_peer};
use super::plan::{self, PendingOffer, Turn};
use super::transfer;
use super::wire::{Form, JoinRequest, Message, PROTOCOL_VERSION, Place, Vouchers, parse_changes};
use crate::error::{Error, ErrorKind, Refusal, Result};
use crate::ids::{GroupId, MemberId};
use crate::invite::Invitation;
use crate::kindred::Kindred;
use crate::membership::admit;

/// On small frames the batch limit shrinks to this many frames, so a link that drops every few frames (BLE) loses
/// at most that much of a batch: anything larger goes as a blob, stored chunk by chunk.
const MAX_BATCH_FRAMES: usize = 2;

/// Requests for message bodies unanswered at once (see [`SyncSession::next_body_requests`]).
const BODY_REQUESTS_IN_FLIGHT: usize = 2;

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
    /// The member on the other end; `None` until the handshake has proved who it is.
    pub peer: Option<MemberId>,
    /// Bytes of the frames this side handed to the link, handshake included, as they travel (encrypted).
    pub bytes_sent: u64,
    /// Bytes of the frames fed in from the link, handshake included.
    pub bytes_received: u64,
    /// Frames this side handed to the link.
    pub frames_sent: u64,
    /// Frames fed in from the link.
    pub frames_received: u64,
    /// The largest frame sent or received, in bytes.
    pub largest_frame: u64,
    /// Protocol messages sent after the handshake (a large one spans several frames).
    pub messages_sent: u64,
    /// Protocol messages received after the handshake.
    pub messages_received: u64,
    /// Changes (and snapshot-carried changes) applied here.
    pub changes_applied: u64,
    /// Changes the peer lacked that this side sent in batches or offered in blobs (counted when offered, whether
    /// or not the blob then arrived).
    pub changes_sent: u64,
    /// Changes received that this profile already had.
    pub duplicates: u64,
    /// Sealed items received that were new here: reports, warnings and cover alike (nobody but their recipient can
    /// tell them apart; see `crate::sealed`).
    pub sealed_items: u64,
    /// Message bodies (the words of messages, which travel beside the history: `crate::bodies`) received and taken.
    pub bodies_received: u64,
    /// Changes received and set aside: equivocations, changes by flagged members, and changes that depend on those.
    pub quarantined: u64,
    /// Bytes of blobs (whole snapshots, long lists of changes) this side sent in chunks.
    pub snapshot_bytes_sent: u64,
    /// Bytes of those blobs not sent again because the peer kept them from an earlier, interrupted session.
    pub snapshot_bytes_resumed: u64,
    /// Groups this profile joined in this session: its admission arrived with the group.
    #[cfg_attr(feature = "uniffi", uniffi(name = "joined_groups"))]
    pub joined: Vec<GroupId>,
    /// The peer, once for each of its join requests this profile accepted (also when it already was a member,
    /// which changes nothing).
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
    /// The group the invitation is for.
    pub group_id: GroupId,
    /// Why, as the peer's phone put it (English, naming ids). Untrusted text from another phone.
    pub reason: String,
}

/// Written as the `[group id, reason]` pair it was before it had names, so the CLI's JSON report is unchanged.
impl serde::Serialize for JoinRefusal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        (&self.group_id, &self.reason).serialize(serializer)
    }
}

/// How far one direction of a session has got. Each side sends its steps in this order, and the peer's must arrive
/// in it: Hello, Groups, Clocks, then data until Done, then Finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Start,
    Hello,
    Groups,
    Clocks,
    Done,
    Finish,
}

/// One sync session. See the module documentation.
#[derive(Debug)]
pub struct SyncSession {
    channel: SecureChannel,
    /// Bytes per transfer chunk, and the size above which missing changes go as a blob, for this link's frames.
    chunk: usize,
    max_batch: usize,
    /// What this side has sent, and what has arrived from the peer.
    sent: Step,
    received: Step,
    /// This side's Hello digest, and whether it asked to join anything.
    my_digest: [u8; 16],
    joining: bool,
    /// Groups this side asked to join in its Hello, each awaiting one answer.
    joins_asked: HashSet<[u8; 16]>,
    /// Groups whose group document alone this side asked of a peer it does not know as a member yet.
    partial_asked: HashSet<GroupId>,
    /// Sealed items the peer sent in this session, per group.
    sealed_from: HashMap<[u8; 16], usize>,
    /// The blob offered and not yet asked for; the rest wait their turn, one at a time, so a reconnect re-offers
    /// only what is left and no document's chunks pile up in the send queue.
    offered: Option<[u8; 32]>,
    offer_queue: VecDeque<PendingOffer>,
    /// Blobs the peer offered that have not all arrived yet.
    receiving: HashSet<[u8; 32]>,
    /// The groups the peer's Clocks named: where this side asks for the message bodies it lacks, once the peer is
    /// Done. Whether it has asked, and how many of its requests are still unanswered (it finishes only after).
    body_groups: Vec<[u8; 16]>,
    bodies_asked: bool,
    bodies_awaited: usize,
    /// Requests for bodies not sent yet: at most [`BODY_REQUESTS_IN_FLIGHT`] are out at once, so a link that drops
    /// loses little, and the next session asks only for what is still missing.
    body_requests: VecDeque<Message>,
    report: SyncReport,
    /// Test support: every message this side sent, as encoded before the channel compresses and encrypts it, once
    /// [`SyncSession::record_sent_messages`] was called.
    #[cfg(feature = "test-support")]
    sent_log: Option<Vec<Vec<u8>>>,
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
        self.read(|tx, _| plan::knows(tx, member))
    }

    /// Starts a session as the side that was dialled. It recognises every member of this profile's groups (KK)
    /// and anyone else by their handshake (XX), such as someone joining with an invitation.
    pub fn accept_sync(&self, options: SyncOptions) -> Result<SyncSession> {
        let config = ChannelConfig { max_frame: options.max_frame, ..ChannelConfig::default() };
        let known = self.read(|tx, me| plan::known_peers(tx, me, super::channel::MAX_KNOWN_PEERS))?;
        let channel =
            self.with_identity(|identity| SecureChannel::responder_with_known_peers(identity, &known, config))?;
        Ok(SyncSession::new(channel, options))
    }
}

impl SyncSession {
    fn new(channel: SecureChannel, options: SyncOptions) -> Self {
        Self {
            channel,
            chunk: transfer::chunk_size(options.max_frame),
            max_batch: plan::MAX_BATCH_BYTES.min(options.max_frame.saturating_mul(MAX_BATCH_FRAMES)),
            sent: Step::Start,
            received: Step::Start,
            my_digest: [0; 16],
            joining: false,
            joins_asked: HashSet::new(),
            partial_asked: HashSet::new(),
            sealed_from: HashMap::new(),
            offered: None,
            offer_queue: VecDeque::new(),
            receiving: HashSet::new(),
            body_groups: Vec::new(),
            bodies_asked: false,
            bodies_awaited: 0,
            body_requests: VecDeque::new(),
            report: SyncReport::default(),
            #[cfg(feature = "test-support")]
            sent_log: None,
        }
    }

    /// The member on the other end, once the handshake has proved it.
    pub fn peer(&self) -> Option<MemberId> {
        self.channel.peer()
    }

    /// Whether the session has done everything; the link can be closed.
    pub fn is_finished(&self) -> bool {
        self.report.nothing_new || (self.sent == Step::Finish && self.received == Step::Finish)
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
    #[cfg(feature = "test-support")]
    pub fn send_any(&mut self, message: &Message) -> Result<()> {
        self.send(message)
    }

    /// Test support: from now on, keeps a copy of every message this side sends, in the plaintext the protocol
    /// encodes (before the channel compresses, encrypts and frames it), for [`SyncSession::take_sent_messages`]. What
    /// a test needs to check what a phone tells its peers, which the encrypted frames cannot show.
    #[cfg(feature = "test-support")]
    pub fn record_sent_messages(&mut self) {
        self.sent_log.get_or_insert_with(Vec::new);
    }

    /// Test support: the messages recorded since the last call (see [`SyncSession::record_sent_messages`]), each
    /// decodable with [`Message::decode`].
    #[cfg(feature = "test-support")]
    pub fn take_sent_messages(&mut self) -> Vec<Vec<u8>> {
        self.sent_log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn send(&mut self, message: &Message) -> Result<()> {
        self.report.messages_sent += 1;
        let bytes = message.encode()?;
        #[cfg(feature = "test-support")]
        if let Some(log) = &mut self.sent_log {
            log.push(bytes.clone());
        }
        self.channel.send_message(&bytes)
    }

    fn peer_id(&self) -> Result<MemberId> {
        self.channel.peer().ok_or_else(|| Error::internal("sync message before the handshake completed"))
    }

    /// Refuses a message that arrives out of the protocol's order: the peer's steps must come one after another.
    fn expect(&mut self, after: Step, next: Step, what: &str) -> Result<()> {
        if self.received != after || self.report.nothing_new {
            return Err(Refusal::Protocol.because(format!("an unexpected {what}")));
        }
        self.received = next;
        Ok(())
    }

    /// The peer's data (changes, offers, chunks) comes between both Clocks and its Done. Its requests for this
    /// side's blobs answer offers, which can come after it is Done with its own, so they may come until its Finish.
    fn expect_data(&self, what: &str, latest: Step) -> Result<()> {
        if !(Step::Clocks..=latest).contains(&self.received) || self.sent < Step::Clocks {
            return Err(Refusal::Protocol.because(format!("{what} outside the data phase")));
        }
        Ok(())
    }

    fn send_hello(&mut self, kindred: &Kindred) -> Result<()> {
        let peer = self.peer_id()?;
        // This slot's sealed items, if this phone has not made them yet (`crate::sealed`): before the digests, so they
        // travel in this very session. A phone that cannot write now (a full disk) still syncs; it makes them at its
        // next chance.
        let _made = kindred.write(crate::sealed::emit_due);
        let hello = kindred.read(|tx, me| plan::hello(tx, me, &peer))?;
        self.my_digest = hello.digest;
        self.joining = !hello.joins.is_empty();
        self.joins_asked = hello.asked;
        self.sent = Step::Hello;
        self.send(&Message::Hello { version: PROTOCOL_VERSION, digest: hello.digest, joins: hello.joins })
    }

    fn handle(&mut self, kindred: &Kindred, message: Message) -> Result<()> {
        match message {
            Message::Hello { version, digest, joins } => {
                if version != PROTOCOL_VERSION {
                    return Err(Refusal::Protocol.because(format!(
                        "the peer speaks sync protocol version {version}, this phone {PROTOCOL_VERSION}"
                    )));
                }
                if joins.len() > plan::MAX_JOIN_REQUESTS {
                    return Err(Refusal::Oversized.because("too many join requests"));
                }
                self.expect(Step::Start, Step::Hello, "Hello")?;
                self.after_hellos(kindred, digest, &joins)
            }
            Message::Groups { groups } => {
                if groups.len() > 10_000 {
                    return Err(Refusal::Oversized.because("a Groups message of more than 10,000 groups"));
                }
                self.expect(Step::Hello, Step::Groups, "Groups message")?;
                let theirs = groups.into_iter().map(|(g, d)| (GroupId::from_bytes(g), d)).collect();
                let peer = self.peer_id()?;
                let (clocks, partial) = kindred.read(|tx, me| plan::clocks(tx, me, &peer, &theirs))?;
                self.partial_asked = partial;
                self.sent = Step::Clocks;
                self.send(&clocks)
            }
            Message::Clocks { groups, docs, partial, sealed, lacking_bodies } => {
                if docs.len() > 100_000
                    || lacking_bodies.len() > 100_000
                    || groups.len() > 10_000
                    || partial.len() > groups.len()
                    || sealed.len() > groups.len()
                    || sealed.iter().any(|(_, hashes)| hashes.len() > crate::sealed::MAX_POOL)
                {
                    return Err(Refusal::Oversized.because("a Clocks message beyond its bounds"));
                }
                self.expect(Step::Groups, Step::Clocks, "Clocks message")?;
                self.body_groups = groups.clone();
                let peer = self.peer_id()?;
                let max_batch = self.max_batch;
                let answer = kindred.write(|ctx| {
                    plan::answer(ctx, &peer, &groups, &docs, &partial, &sealed, &lacking_bodies, max_batch)
                })?;
                self.report.changes_sent += answer.changes;
                for message in &answer.messages {
                    self.send(message)?;
                }
                self.offer_queue.extend(answer.offers);
                self.next_offer(kindred)?;
                self.maybe_done(kindred)
            }
            Message::Changes { place, changes, vouchers } => {
                self.expect_data("changes", Step::Clocks)?;
                self.check_sender(kindred, &place)?;
                let changes = parse_changes(&place.doc(), changes)?;
                self.ingest(kindred, place, changes, vouchers)
            }
            Message::Offer { place, form, hash, len, vouchers } => {
                self.expect_data("an offer", Step::Clocks)?;
                self.check_sender(kindred, &place)?;
                self.accept_offer(kindred, place, form, hash, len, &vouchers)
            }
            Message::Want { hash, offset } => {
                self.expect_data("a request for a transfer", Step::Done)?;
                self.send_transfer(kindred, hash, offset)
            }
            Message::Chunk { hash, offset, bytes } => {
                self.expect_data("a chunk", Step::Clocks)?;
                self.receive_chunk(kindred, hash, offset, &bytes)
            }
            Message::Sealed { group, item } => {
                self.expect_data("a sealed item", Step::Clocks)?;
                // At most what `plan::answer` sends per group and session.
                let count = self.sealed_from.entry(group).or_insert(0);
                *count += 1;
                if *count > crate::sealed::MAX_ITEMS_PER_SESSION {
                    return Err(Refusal::Oversized.because("more sealed items than a session carries"));
                }
                let peer = self.peer_id()?;
                let group = GroupId::from_bytes(group);
                let new = kindred.write(|ctx| crate::sealed::receive(ctx, &peer, &group, &item))?;
                self.report.sealed_items += u64::from(new);
                Ok(())
            }
            Message::WantBodies { group, tags } => {
                // Asked once the asker has everything this side sent: until its Finish.
                self.expect_data("a request for message bodies", Step::Done)?;
                if tags.len() > crate::bodies::MAX_WANTED {
                    return Err(Refusal::Oversized.because("a request for more message bodies than one carries"));
                }
                let peer = self.peer_id()?;
                let group = GroupId::from_bytes(group);
                let bodies = kindred.read(|tx, _| crate::bodies::answer(tx, &peer, &group, &tags))?;
                self.send(&Message::Bodies { group: *group.as_bytes(), bodies })
            }
            Message::Bodies { group, bodies } => {
                self.expect_data("message bodies", Step::Finish)?;
                if self.bodies_awaited == 0 {
                    return Err(Refusal::Protocol.because("message bodies that were not asked for"));
                }
                if bodies.len() > 2 * crate::bodies::MAX_WANTED {
                    return Err(Refusal::Oversized.because("more message bodies than were asked for"));
                }
                self.bodies_awaited -= 1;
                let group = GroupId::from_bytes(group);
                let taken = kindred.write(|ctx| crate::bodies::receive(ctx, &group, &bodies))?;
                self.report.bodies_received += taken;
                self.next_body_requests()?;
                self.maybe_finish(kindred)
            }
            Message::JoinResult { group, admitted, reason } => {
                // Only an answer to a request this side made, once: anything else is a peer misbehaving.
                if !self.joins_asked.remove(&group) {
                    return Err(Refusal::Protocol.because("an unsolicited join result"));
                }
                if !admitted {
                    // Kept for the app to show; the invitation stays pending (another member may accept it).
                    self.report.join_refusals.push(JoinRefusal { group_id: GroupId::from_bytes(group), reason });
                }
                Ok(())
            }
            Message::Done => {
                self.expect(Step::Clocks, Step::Done, "Done")?;
                self.maybe_finish(kindred)
            }
            Message::Finish => {
                if self.sent < Step::Done {
                    return Err(Refusal::Protocol.because("a Finish before this side was done"));
                }
                self.expect(Step::Done, Step::Finish, "Finish")
            }
        }
    }

    /// Documents are taken only from a peer who may send them (see [`plan::may_send`]); anything else ends the
    /// session before it is parsed, inflated or stored.
    fn check_sender(&self, kindred: &Kindred, place: &Place) -> Result<()> {
        let peer = self.peer_id()?;
        kindred.read(|tx, _| plan::may_send(tx, &peer, place, &self.partial_asked))
    }

    /// Once both Hellos are known: answer the peer's join requests (admitting whom this phone can), then either
    /// nothing to do, or on to per-group digests.
    fn after_hellos(&mut self, kindred: &Kindred, their_digest: [u8; 16], joins: &[JoinRequest]) -> Result<()> {
        if self.sent < Step::Hello {
            return Err(Error::internal("the peer's Hello before this side's"));
        }
        let peer = self.peer_id()?;
        for join in joins {
            let Ok(invitation) = Invitation::from_bytes(&join.invitation) else { continue };
            if !kindred.read(|tx, _| plan::holds_group(tx, &invitation.group_id))? {
                continue;
            }
            let proof: [u8; 64] = join.proof.as_slice().try_into().unwrap_or([0; 64]);
            // Admitted now, or already a member (then it is not counted as admitted here).
            let (admitted, reason) = match kindred
                .write(|ctx| admit(ctx, &invitation, &proof, &peer, &join.display_name))
                .map_err(Error::into_kind)
            {
                Ok(newly) => {
                    if newly {
                        self.report.admitted.push(peer);
                    }
                    (true, String::new())
                }
                Err(ErrorKind::Rejected { reason, .. }) => (false, reason),
                Err(other) => return Err(other.into()),
            };
            self.send(&Message::JoinResult { group: *invitation.group_id.as_bytes(), admitted, reason })?;
        }
        if self.my_digest == their_digest && !self.joining && joins.is_empty() {
            self.report.nothing_new = true;
            return Ok(());
        }
        let groups = kindred.read(|tx, me| plan::groups(tx, me, &peer))?;
        self.sent = Step::Groups;
        self.send(&groups)
    }

    /// Offers the next queued blob once the previous one has been sent.
    fn next_offer(&mut self, kindred: &Kindred) -> Result<()> {
        if self.offered.is_some() {
            return Ok(());
        }
        while let Some(pending) = self.offer_queue.pop_front() {
            let max_batch = self.max_batch;
            match kindred.write(|ctx| plan::offer_turn(ctx, &pending, max_batch))? {
                Turn::Offer(message, hash) => {
                    self.offered = Some(hash);
                    return self.send(&message);
                }
                // Smaller than it was: send it as it is and go on to the next.
                Turn::Batch(message) => self.send(&message)?,
                Turn::Nothing => {}
            }
        }
        Ok(())
    }

    fn ingest(&mut self, kindred: &Kindred, place: Place, changes: Vec<Change>, vouchers: Vouchers) -> Result<()> {
        let (heads, certificates) = vouchers.into_parts()?;
        let batch =
            DocBatch { doc: place.doc(), place: place.to_doc_place()?, changes, heads, certificates, live: true };
        let (report, joined) = kindred.write(|ctx| ingest_from_peer(ctx, &batch))?;
        if joined {
            self.report.joined.push(place.group());
        }
        self.note(report)
    }

    /// Counts what a batch did; a batch refused after its equivocation evidence was kept fails the session now.
    fn note(&mut self, ingested: Ingested) -> Result<()> {
        let r = &ingested.report;
        self.report.changes_applied += r.applied;
        self.report.duplicates += r.duplicates;
        self.report.quarantined += r.quarantined;
        ingested.into_result().map(|_| ())
    }

    fn accept_offer(
        &mut self,
        kindred: &Kindred,
        place: Place,
        form: Form,
        hash: [u8; 32],
        len: u64,
        vouchers: &Vouchers,
    ) -> Result<()> {
        let offset = kindred.write(|ctx| transfer::accept(ctx, place, form, &hash, len, vouchers))?;
        self.receiving.insert(hash);
        self.send(&Message::Want { hash, offset })?;
        if offset >= len {
            self.complete_transfer(kindred, hash)?;
        }
        Ok(())
    }

    fn send_transfer(&mut self, kindred: &Kindred, hash: [u8; 32], offset: u64) -> Result<()> {
        if self.offered != Some(hash) {
            return Err(Refusal::Protocol.because("a request for a document that was not offered"));
        }
        self.offered = None;
        let chunk = self.chunk;
        let chunks = kindred.read(|tx, _| transfer::chunks(tx, &hash, offset, chunk))?;
        self.report.snapshot_bytes_resumed += chunks.resumed;
        self.report.snapshot_bytes_sent += chunks.sent;
        for message in &chunks.messages {
            self.send(message)?;
        }
        self.next_offer(kindred)?;
        self.maybe_done(kindred)
    }

    fn receive_chunk(&mut self, kindred: &Kindred, hash: [u8; 32], offset: u64, bytes: &[u8]) -> Result<()> {
        if !self.receiving.contains(&hash) {
            return Err(Refusal::Protocol.because("a chunk of a document that was not offered"));
        }
        if kindred.write(|ctx| transfer::append(ctx.tx, &hash, offset, bytes))? {
            self.complete_transfer(kindred, hash)?;
        }
        Ok(())
    }

    /// A whole blob arrived: check it is what was offered, then ingest its changes like any others. A blob refused
    /// is forgotten, so a later session starts it afresh.
    fn complete_transfer(&mut self, kindred: &Kindred, hash: [u8; 32]) -> Result<()> {
        let batch = match kindred.read(|tx, _| transfer::assemble(tx, &hash)) {
            Ok(transfer::Assembled::Changes(batch)) => batch,
            Ok(transfer::Assembled::Bodies { group, bodies }) => {
                let taken = kindred.write(|ctx| {
                    let taken = crate::bodies::receive(ctx, &group, &bodies)?;
                    transfer::discard(ctx.tx, &hash)?;
                    Ok(taken)
                })?;
                self.report.bodies_received += taken;
                self.receiving.remove(&hash);
                return self.maybe_finish(kindred);
            }
            Err(refused) if refused.refusal().is_some() => {
                kindred.write(|ctx| transfer::discard(ctx.tx, &hash))?;
                return Err(refused);
            }
            Err(other) => return Err(other),
        };
        let group = batch.place.group.ok_or_else(|| Error::internal("a transfer without a group"))?;
        let (report, joined) = kindred.write(|ctx| {
            let outcome = ingest_from_peer(ctx, &batch)?;
            transfer::discard(ctx.tx, &hash)?;
            Ok(outcome)
        })?;
        if joined {
            self.report.joined.push(group);
        }
        self.note(report)?;
        self.receiving.remove(&hash);
        self.maybe_finish(kindred)
    }

    /// Once the peer's Clocks are answered and every blob offered was sent, say so.
    fn maybe_done(&mut self, kindred: &Kindred) -> Result<()> {
        if self.received >= Step::Clocks
            && self.offered.is_none()
            && self.offer_queue.is_empty()
            && self.sent < Step::Done
        {
            self.sent = Step::Done;
            self.send(&Message::Done)?;
        }
        self.maybe_finish(kindred)
    }

    /// Sends queued requests for bodies while fewer than [`BODY_REQUESTS_IN_FLIGHT`] are unanswered.
    fn next_body_requests(&mut self) -> Result<()> {
        while self.bodies_awaited < BODY_REQUESTS_IN_FLIGHT {
            let Some(request) = self.body_requests.pop_front() else { break };
            self.send(&request)?;
            self.bodies_awaited += 1;
        }
        Ok(())
    }

    /// Once both sides have sent everything and everything offered here has arrived and been accepted, ask for the
    /// message bodies still lacking (`crate::bodies`), and once those answers are in, say so.
    fn maybe_finish(&mut self, kindred: &Kindred) -> Result<()> {
        if self.sent == Step::Done && self.received >= Step::Done && self.receiving.is_empty() {
            if !self.bodies_asked {
                self.bodies_asked = true;
                let peer = self.peer_id()?;
                let groups = std::mem::take(&mut self.body_groups);
                let chunk = self.chunk;
                self.body_requests = kindred.read(|tx, _| crate::bodies::requests(tx, &peer, &groups, chunk))?.into();
                self.next_body_requests()?;
            }
            if self.bodies_awaited == 0 && self.body_requests.is_empty() {
                self.sent = Step::Finish;
                self.send(&Message::Finish)?;
            }
        }
        Ok(())
    }
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
