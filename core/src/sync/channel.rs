//! The secure channel: one Noise session between two profiles over one link, carrying whole messages in frames.
//!
//! This module owns everything between "a message the sync session wants to send" and "opaque frames the app puts on
//! Bluetooth, Wi-Fi Direct, Nearby, MultipeerConnectivity or TCP": mutual authentication with the member keys,
//! encryption, compression, fragmentation and every bound on what a peer can make us allocate. It is a pure state
//! machine (bytes in, bytes out; no I/O, threads, clocks or async), so it runs the same on every transport and in
//! tests. Above it, the sync session decides what to say and checks membership; below it, the link must deliver
//! frames whole and in order (TCP, BLE L2CAP, Nearby BYTES, MultipeerConnectivity reliable mode). A dropped link ends
//! the channel and the next connection starts a new one, so there is no resumption, reordering window or rekeying.
//!
//! ## Keys: the Noise static key *is* the member key
//! The Noise static key of a profile is the X25519 form of its ed25519 member key (secret: the ed25519 secret scalar,
//! [`LocalIdentity::x25519_secret`]; public: the Montgomery form of the member id). This is the conversion libsodium
//! ships as `crypto_sign_ed25519_{sk,pk}_to_curve25519` and that Scuttlebutt's private boxes and age's `ssh-ed25519`
//! recipients rely on. Sharing one key pair between Ed25519 signatures and X25519 key agreement has been analysed
//! (Thormarker, "On using the same key pair for Ed25519 and an X25519 based KEM", ePrint 2021/509) and proved
//! jointly secure: signatures never reveal the scalar, and Noise only ever uses it in DH with fresh ephemeral keys.
//! What it gives us: a completed handshake proves possession of the member key, with no extra signature and no second
//! key to certify, store or back up, and in KK the member id alone tells us a peer's static key.
//!
//! The Montgomery form drops the sign of the Edwards point, so it names a member key only up to sign. XX therefore
//! carries the full ed25519 member key in the encrypted handshake payload, and we check that its Montgomery form
//! equals the Noise remote static key. We also refuse member keys that are small-order (their X25519 form is
//! low-order, every DH with it is zero, so anyone could "prove" possession: snow does not reject all-zero DH
//! outputs), that have a torsion component, or that are not canonically encoded: every peer this channel reports is
//! a key an honest profile could have generated. The one alias left is a key's negation, whose secret its holder
//! knows anyway (a KK responder that knows both refuses to choose); membership checks above compare exact keys.
//!
//! ## Handshakes
//! - **KK** (`Noise_KK_25519_ChaChaPoly_BLAKE2s`), when the initiator names the peer it expects: two messages, 49 + 48
//!   bytes, and no identity on the air at all. Because KK needs the responder to know the initiator's key in advance
//!   and the first frame carries none, the responder is given the members it knows
//!   ([`SecureChannel::responder_with_known_peers`]) and tries each: about three X25519 operations per candidate, at
//!   most [`MAX_KNOWN_PEERS`]. KK's first message can be replayed, so the responder reports the peer only when the
//!   initiator's first transport frame proves it is live; the initiator sends a 16-byte empty frame for that if it
//!   has no message of its own queued by its next [`SecureChannel::take_outgoing`].
//! - **KK, then XX**: a member who has not synced since someone joined does not know the newcomer's key yet, so the
//!   newcomer's KK cannot be answered. Instead of refusing, the responder answers once with a bare `0x02` byte ("start
//!   again with XX") and the initiator does, on the same link, at the cost of one round trip. The XX initiator still
//!   expects the member it dialled and checks the responder's key in message 2 before it reveals its own in message
//!   3, so a forged `0x02` from an active attacker only costs bytes (XX exposes the responder's key to whoever
//!   initiates anyway). A second KK on the same link is refused.
//! - **XX** (`Noise_XX_25519_ChaChaPoly_BLAKE2s`), for first contact: three messages, 33 + 128 + 96 bytes. Each
//!   side's ed25519 member key rides encrypted in its handshake payload. The initiator's identity is hidden even from
//!   active attackers; the responder's is revealed to anyone who initiates (an XX property).
//!
//! Both use ephemeral keys, so recorded traffic stays secret if a member key leaks later. The prologue binds the
//! protocol name and version and the one cleartext byte (the pattern tag), so nothing on the wire is unauthenticated.
//!
//! ## Wire format
//! - First frame: one tag byte (`0x01` KK, `0x02` XX; anything else is refused, which is also how a future version
//!   would be told apart) followed by the first Noise message. Other handshake frames are bare Noise messages of a
//!   fixed length, checked before any DH, except the responder's one-byte `0x02` asking a KK initiator for XX.
//! - Transport frames: a Noise transport message (ChaCha20-Poly1305, 16-byte tag) whose plaintext is one flags byte
//!   (`0x01` more fragments follow, `0x02` the message is raw deflate; other bits must be zero) and a slice of the
//!   message. Frame boundaries come from the link, so there are no length fields; sequence numbers are Noise's
//!   implicit nonces, so a dropped, reordered, replayed, truncated or forged frame fails authentication. An empty
//!   plaintext (a bare tag) is the KK liveness frame and is accepted at any time. Per-frame overhead: 17 bytes.
//! - A message is deflated only when that makes it smaller. The receiver refuses a message whose fragments exceed
//!   `max_message` before growing its buffer, and inflates with the output capped at `max_message`, so a deflate bomb
//!   fails cleanly. Compression leaks the compressed length, as any length does; messages are whole sync batches
//!   between two members who can read all of them anyway.
//!
//! Both ends must use the same [`ChannelConfig`] (or the receiver a larger one): a frame larger than the receiver's
//! `max_frame` is refused unread.
//!
//! ## Failure
//! Anything wrong that a peer sent is [`Error::Rejected`] and closes the channel for good: every later call fails,
//! queued frames are dropped, and [`SecureChannel::peer`] still says who it was. Snow, ed25519 and deflate are called
//! inside `catch_unwind` (as in `am.rs`), so a panic inside them on hostile bytes is a refusal, not a crash. Neither
//! the channel nor the session has a clock: whoever carries the frames (the app, the CLI's `--timeout`) gives up on
//! a link that goes silent.

use std::io::Write as _;

use ed25519_dalek::VerifyingKey;
use flate2::{Compression, Decompress, FlushDecompress, Status};
use snow::{HandshakeState, TransportState};

use crate::error::{Error, Refusal, Result};
use crate::identity::LocalIdentity;
use crate::ids::MemberId;

/// Hashed into every handshake: a Kindred sync channel, wire version 1.
const PROLOGUE: &[u8] = b"kindred/sync/v1";
const KK_PARAMS: &str = "Noise_KK_25519_ChaChaPoly_BLAKE2s";
const XX_PARAMS: &str = "Noise_XX_25519_ChaChaPoly_BLAKE2s";
/// The cleartext first byte of a channel: which handshake follows.
const TAG_KK: u8 = 0x01;
const TAG_XX: u8 = 0x02;

const AEAD_TAG: usize = 16;
const DH_KEY: usize = 32;
const MEMBER_KEY: usize = 32;
/// Handshake messages have fixed lengths (empty payloads in KK, exactly one member key in XX), so anything else is
/// refused before spending a DH on it.
const KK_MSG1: usize = DH_KEY + AEAD_TAG;
const KK_MSG2: usize = DH_KEY + AEAD_TAG;
const XX_MSG1: usize = DH_KEY;
const XX_MSG2: usize = DH_KEY + (DH_KEY + AEAD_TAG) + (MEMBER_KEY + AEAD_TAG);
const XX_MSG3: usize = (DH_KEY + AEAD_TAG) + (MEMBER_KEY + AEAD_TAG);

/// Flags byte at the start of every transport plaintext.
const FLAG_MORE: u8 = 0x01;
const FLAG_DEFLATE: u8 = 0x02;
const KNOWN_FLAGS: u8 = FLAG_MORE | FLAG_DEFLATE;
/// Bytes a transport frame adds to a slice of a message: the flags byte and the AEAD tag.
pub(crate) const FRAME_OVERHEAD: usize = 1 + AEAD_TAG;

/// Smallest `max_frame` accepted: the largest handshake frame (XX message 2, 128 bytes) must fit, and a frame should
/// carry a useful slice of a message.
pub(crate) const MIN_FRAME: usize = 256;
/// Noise caps every message at 65535 bytes.
pub(crate) const MAX_FRAME: usize = 65535;
/// Most members a KK responder will try. Each costs about three X25519 operations on every KK first frame, which a
/// stranger can send, so the list is bounded. Measured worst case at 256 on one desktop core: 45 ms with
/// curve25519-dalek at `opt-level = 3`, 0.75 s at the release profile's `"z"`. Peer-support groups are small; the
/// session picks whom to list.
pub(crate) const MAX_KNOWN_PEERS: usize = 256;

/// Sizes the channel works with. Both ends of a link should use the same values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChannelConfig {
    /// Largest frame on the link, in bytes, everything included. 32 KiB by default (Nearby's BYTES cap); from
    /// [`MIN_FRAME`] to [`MAX_FRAME`].
    pub max_frame: usize,
    /// Largest message, in bytes, both as reassembled from frames and after decompression. 4 MiB by default.
    pub max_message: usize,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self { max_frame: 32 * 1024, max_message: 4 * 1024 * 1024 }
    }
}

impl ChannelConfig {
    fn validate(&self) -> Result<()> {
        if !(MIN_FRAME..=MAX_FRAME).contains(&self.max_frame) {
            return Err(Error::invalid("max_frame", format!("must be from {MIN_FRAME} to {MAX_FRAME} bytes")));
        }
        if self.max_message == 0 {
            return Err(Error::invalid("max_message", "must be at least one byte"));
        }
        Ok(())
    }

    /// The largest slice of a message one transport frame carries.
    fn chunk(&self) -> usize {
        self.max_frame.saturating_sub(FRAME_OVERHEAD).max(1)
    }
}

/// What a received frame produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChannelEvent {
    /// The handshake is complete and the peer has proved, on this connection, that it holds this member key.
    Established { peer: MemberId },
    /// One whole message from the peer.
    Message(Vec<u8>),
}

/// A Noise channel with one peer over one link. See the module documentation.
pub(crate) struct SecureChannel {
    config: ChannelConfig,
    local_member: MemberId,
    state: State,
    /// Set with [`ChannelEvent::Established`], and kept if the channel later fails so the caller knows who it was.
    peer: Option<MemberId>,
    /// The KK initiator has not yet sent a transport frame, which the responder needs as proof of liveness.
    owes_liveness: bool,
    /// Messages handed to [`Self::send_message`] before the transport keys existed.
    pending: Vec<Vec<u8>>,
    outgoing: Vec<Vec<u8>>,
    inbound: Inbound,
    bytes_sent: u64,
    bytes_received: u64,
}

enum State {
    /// A responder before the first frame: all it needs to answer either handshake. `asked_for_xx`: it has already
    /// answered a KK it could not place with "start again with XX", so only XX is accepted now.
    Listening { secret: StaticSecret, known: Vec<KnownPeer>, asked_for_xx: bool },
    /// A KK initiator waiting for message 2 (or for the responder's request to start again with XX).
    KkInitiator { handshake: Box<HandshakeState>, secret: StaticSecret, peer: MemberId },
    /// An XX initiator waiting for message 2; `expected` is the member it dialled, if it fell back from KK.
    XxInitiator { handshake: Box<HandshakeState>, expected: Option<MemberId> },
    /// An XX responder waiting for message 3.
    XxResponder { handshake: Box<HandshakeState> },
    /// Transport keys are in place. `unconfirmed` is a KK responder's authenticated peer, reported once it is live.
    Open { transport: Box<TransportState>, unconfirmed: Option<MemberId> },
    /// Failed; every later call reports `reason`, refused as `kind`.
    Closed { kind: Refusal, reason: String },
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Listening { .. } => "listening",
            State::KkInitiator { .. } | State::XxInitiator { .. } | State::XxResponder { .. } => "handshaking",
            State::Open { .. } => "open",
            State::Closed { .. } => "closed",
        }
    }
}

/// A member the KK responder accepts, with the Noise static key it implies.
struct KnownPeer {
    member: MemberId,
    static_key: [u8; DH_KEY],
}

/// A message being reassembled from fragments.
#[derive(Default)]
struct Inbound {
    buffer: Vec<u8>,
    /// A fragment with [`FLAG_MORE`] has arrived; `deflated` is that message's flag, which every fragment must repeat.
    in_progress: bool,
    deflated: bool,
}

/// The X25519 static secret, held only by a responder until the first frame says which handshake to answer.
struct StaticSecret([u8; DH_KEY]);

impl Drop for StaticSecret {
    fn drop(&mut self) {
        // Best effort: snow keeps its own copy, and the member key lives in `LocalIdentity` anyway.
        self.0 = [0; DH_KEY];
        std::hint::black_box(&self.0);
    }
}

#[derive(Clone, Copy)]
enum Pattern {
    Kk,
    Xx,
}

impl Pattern {
    fn tag(self) -> u8 {
        match self {
            Pattern::Kk => TAG_KK,
            Pattern::Xx => TAG_XX,
        }
    }

    fn params(self) -> &'static str {
        match self {
            Pattern::Kk => KK_PARAMS,
            Pattern::Xx => XX_PARAMS,
        }
    }

    /// The protocol version and the cleartext tag byte, so a peer that flips the tag fails the handshake.
    fn prologue(self) -> Vec<u8> {
        let mut prologue = PROLOGUE.to_vec();
        prologue.push(self.tag());
        prologue
    }
}

impl std::fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecureChannel")
            .field("state", &self.state.name())
            .field("peer", &self.peer)
            .field("bytes_sent", &self.bytes_sent)
            .field("bytes_received", &self.bytes_received)
            .finish_non_exhaustive()
    }
}

impl SecureChannel {
    /// Initiator. With `expected_peer: Some(member)` use Noise KK (both static keys known: tiny handshake), else XX.
    /// The first frame is queued at once; collect it with [`Self::take_outgoing`].
    pub(crate) fn initiator(
        local: &LocalIdentity,
        expected_peer: Option<MemberId>,
        config: ChannelConfig,
    ) -> Result<Self> {
        config.validate()?;
        let secret = StaticSecret(local.x25519_secret());
        let (pattern, remote) = match expected_peer {
            Some(peer) => {
                let remote = noise_static_key(&peer)
                    .ok_or_else(|| Error::invalid("expected peer", "not a usable ed25519 member key"))?;
                (Pattern::Kk, Some(remote))
            }
            None => (Pattern::Xx, None),
        };
        let (handshake, frame) = first_handshake_frame(pattern, &secret, remote.as_ref())?;
        let state = match expected_peer {
            Some(peer) => State::KkInitiator { handshake, secret, peer },
            None => State::XxInitiator { handshake, expected: None },
        };
        let mut channel = Self::new(local, config, state);
        channel.outgoing.push(frame);
        Ok(channel)
    }

    /// Responder that knows no members: it answers XX, and asks a KK initiator to start again with XX.
    #[cfg_attr(not(test), allow(dead_code, reason = "the session always lists the members it knows"))]
    pub(crate) fn responder(local: &LocalIdentity, config: ChannelConfig) -> Result<Self> {
        Self::responder_with_known_peers(local, &[], config)
    }

    /// Responder that answers XX, and KK from any of `known_peers` (deduplicated, at most [`MAX_KNOWN_PEERS`]).
    /// Keys that could never complete a handshake (not valid, small-order or torsioned ed25519 keys) are skipped
    /// rather than refused: member lists come from peers, and one bad entry must not stop sync with everyone else.
    pub(crate) fn responder_with_known_peers(
        local: &LocalIdentity,
        known_peers: &[MemberId],
        config: ChannelConfig,
    ) -> Result<Self> {
        config.validate()?;
        if known_peers.len() > MAX_KNOWN_PEERS {
            return Err(Error::invalid("known peers", format!("at most {MAX_KNOWN_PEERS} members")));
        }
        let mut known: Vec<KnownPeer> = Vec::with_capacity(known_peers.len());
        for member in known_peers {
            if known.iter().any(|k| k.member == *member) {
                continue;
            }
            if let Some(static_key) = candidate_static_key(member) {
                known.push(KnownPeer { member: *member, static_key });
            }
        }
        let state = State::Listening { secret: StaticSecret(local.x25519_secret()), known, asked_for_xx: false };
        Ok(Self::new(local, config, state))
    }

    fn new(local: &LocalIdentity, config: ChannelConfig, state: State) -> Self {
        Self {
            config,
            local_member: local.member_id(),
            state,
            peer: None,
            owes_liveness: false,
            pending: Vec::new(),
            outgoing: Vec::new(),
            inbound: Inbound::default(),
            bytes_sent: 0,
            bytes_received: 0,
        }
    }

    /// Feeds one frame from the link. Never panics; anything wrong is [`Error::Rejected`] and closes the channel.
    pub(crate) fn receive_frame(&mut self, frame: &[u8]) -> Result<Vec<ChannelEvent>> {
        if let State::Closed { kind, reason } = &self.state {
            return Err(closed(*kind, reason));
        }
        self.bytes_received = self.bytes_received.saturating_add(u64::try_from(frame.len()).unwrap_or(u64::MAX));
        let result = self.process_frame(frame);
        if let Err(error) = &result {
            self.close(error);
        }
        result
    }

    /// Queues one message: compressed if that helps, split into frames of at most `max_frame` bytes, encrypted.
    /// Before the handshake has produced keys the message waits, and goes out as soon as they exist.
    pub(crate) fn send_message(&mut self, message: &[u8]) -> Result<()> {
        if let State::Closed { kind, reason } = &self.state {
            return Err(closed(*kind, reason));
        }
        if message.len() > self.config.max_message {
            return Err(Error::invalid(
                "message",
                format!("{} bytes is over the {} byte limit", message.len(), self.config.max_message),
            ));
        }
        let result = match &mut self.state {
            State::Open { transport, .. } => {
                self.owes_liveness = false;
                seal_message(transport, &self.config, message, &mut self.outgoing)
            }
            _ => {
                self.pending.push(message.to_vec());
                Ok(())
            }
        };
        if let Err(error) = &result {
            self.close(error);
        }
        result
    }

    /// The frames to put on the link, in order, each at most `max_frame` bytes.
    pub(crate) fn take_outgoing(&mut self) -> Vec<Vec<u8>> {
        if self.owes_liveness {
            self.owes_liveness = false;
            if let State::Open { transport, .. } = &mut self.state {
                match seal_frame(transport, &[]) {
                    Ok(frame) => self.outgoing.push(frame),
                    Err(error) => {
                        self.close(&error);
                        return Vec::new();
                    }
                }
            }
        }
        let frames = std::mem::take(&mut self.outgoing);
        let total: usize = frames.iter().map(Vec::len).sum();
        self.bytes_sent = self.bytes_sent.saturating_add(u64::try_from(total).unwrap_or(u64::MAX));
        frames
    }

    /// The authenticated peer, once [`ChannelEvent::Established`] has been reported.
    pub(crate) fn peer(&self) -> Option<MemberId> {
        self.peer
    }

    /// Whether the handshake is complete, the peer is known and live, and the channel has not failed.
    #[cfg_attr(not(test), allow(dead_code, reason = "the session reacts to `Established` instead"))]
    pub(crate) fn is_established(&self) -> bool {
        self.peer.is_some() && matches!(self.state, State::Open { .. })
    }

    /// Every frame byte handed out by [`Self::take_outgoing`], handshake included.
    pub(crate) fn bytes_sent(&self) -> u64 {
        self.bytes_sent
    }

    /// Every frame byte fed to [`Self::receive_frame`], handshake and refused frames included.
    pub(crate) fn bytes_received(&self) -> u64 {
        self.bytes_received
    }

    fn close(&mut self, error: &Error) {
        let (kind, reason) = match error {
            Error::Rejected { kind, reason } => (*kind, reason.clone()),
            other => (Refusal::Protocol, other.to_string()),
        };
        self.state = State::Closed { kind, reason };
        self.owes_liveness = false;
        self.pending = Vec::new();
        self.outgoing = Vec::new();
        self.inbound = Inbound::default();
    }

    fn process_frame(&mut self, frame: &[u8]) -> Result<Vec<ChannelEvent>> {
        if frame.len() > self.config.max_frame {
            return Err(Refusal::Oversized.because(format!(
                "a {} byte frame is over the {} byte limit",
                frame.len(),
                self.config.max_frame
            )));
        }
        // Taken out so that any early return leaves the channel closed; each arm puts back the next state.
        let state = std::mem::replace(
            &mut self.state,
            State::Closed { kind: Refusal::Protocol, reason: "an earlier call failed".into() },
        );
        let mut events = Vec::new();
        self.state = match state {
            State::Closed { kind, reason } => return Err(closed(kind, &reason)),
            State::Listening { secret, known, asked_for_xx } => {
                self.answer_first_frame(secret, known, asked_for_xx, frame)?
            }
            State::KkInitiator { secret, peer, .. } if frame == [TAG_XX] => {
                // The responder does not know us yet: start again with XX, still expecting the member we dialled.
                let (handshake, frame) = first_handshake_frame(Pattern::Xx, &secret, None)?;
                self.outgoing.push(frame);
                State::XxInitiator { handshake, expected: Some(peer) }
            }
            State::KkInitiator { mut handshake, peer, .. } => {
                let payload = read_handshake(&mut handshake, frame, KK_MSG2, "KK message 2")?;
                if !payload.is_empty() {
                    return Err(Refusal::Protocol.because("KK message 2 carries an unexpected payload"));
                }
                // Message 2 proved the responder live (it used our fresh ephemeral); the responder still needs proof
                // from us, which any transport frame gives. Queued messages already are one.
                self.owes_liveness = self.pending.is_empty();
                let transport = self.open_transport(*handshake, peer, &mut events)?;
                State::Open { transport, unconfirmed: None }
            }
            State::XxInitiator { mut handshake, expected } => {
                let payload = read_handshake(&mut handshake, frame, XX_MSG2, "XX message 2")?;
                let peer = peer_from_payload(&payload, handshake.get_remote_static())?;
                // Checked before message 3, which reveals who we are.
                if expected.is_some_and(|expected| expected != peer) {
                    return Err(Refusal::Forged.because("the responder is not the member this initiator dialled"));
                }
                let message = write_handshake(&mut handshake, self.local_member.as_bytes(), XX_MSG3)?;
                self.outgoing.push(message);
                let transport = self.open_transport(*handshake, peer, &mut events)?;
                State::Open { transport, unconfirmed: None }
            }
            State::XxResponder { mut handshake } => {
                let payload = read_handshake(&mut handshake, frame, XX_MSG3, "XX message 3")?;
                let peer = peer_from_payload(&payload, handshake.get_remote_static())?;
                let transport = self.open_transport(*handshake, peer, &mut events)?;
                State::Open { transport, unconfirmed: None }
            }
            State::Open { mut transport, unconfirmed } => {
                let plaintext = open_frame(&mut transport, frame)?;
                if let Some(peer) = unconfirmed {
                    self.peer = Some(peer);
                    events.push(ChannelEvent::Established { peer });
                }
                self.accept_plaintext(&plaintext, &mut events)?;
                State::Open { transport, unconfirmed: None }
            }
        };
        Ok(events)
    }

    /// The responder's first frame: the tag says which handshake, and the reply goes out at once.
    fn answer_first_frame(
        &mut self,
        secret: StaticSecret,
        known: Vec<KnownPeer>,
        asked_for_xx: bool,
        frame: &[u8],
    ) -> Result<State> {
        let (tag, message) = frame.split_first().ok_or_else(|| Refusal::Malformed.because("empty first frame"))?;
        match *tag {
            TAG_KK if asked_for_xx => Err(Refusal::Protocol.because("a second KK handshake after being asked for XX")),
            TAG_KK => {
                if message.len() != KK_MSG1 {
                    return Err(Refusal::Malformed
                        .because(format!("KK message 1 must be {KK_MSG1} bytes, not {}", message.len())));
                }
                // The message names no one: try each known member's key until one authenticates it.
                let mut found = None;
                for candidate in &known {
                    let mut handshake = handshake_state(Pattern::Kk, false, &secret, Some(&candidate.static_key))?;
                    if read_handshake(&mut handshake, message, KK_MSG1, "KK message 1").is_ok_and(|p| p.is_empty())
                        && torsion_free(&candidate.member)
                    {
                        found = Some((handshake, candidate));
                        break;
                    }
                }
                // Someone we do not know (a member admitted since we last synced), or a KK meant for another member:
                // ask for XX, which tells us who it is. A message meant for someone else then fails XX's checks.
                let Some((mut handshake, peer)) = found else {
                    self.outgoing.push(vec![TAG_XX]);
                    return Ok(State::Listening { secret, known, asked_for_xx: true });
                };
                // A key and its negation share a Montgomery form; if both are known we cannot tell which one this is.
                if known.iter().any(|k| k.static_key == peer.static_key && k.member != peer.member) {
                    return Err(Refusal::Protocol.because("KK handshake matches two known members"));
                }
                let reply = write_handshake(&mut handshake, &[], KK_MSG2)?;
                self.outgoing.push(reply);
                let mut transport = Box::new(into_transport(handshake)?);
                // We may send now (only the real initiator can read it), but report the peer only once it is live:
                // message 1 could be a recording.
                for message in std::mem::take(&mut self.pending) {
                    seal_message(&mut transport, &self.config, &message, &mut self.outgoing)?;
                }
                Ok(State::Open { transport, unconfirmed: Some(peer.member) })
            }
            TAG_XX => {
                let mut handshake = handshake_state(Pattern::Xx, false, &secret, None)?;
                let payload = read_handshake(&mut handshake, message, XX_MSG1, "XX message 1")?;
                if !payload.is_empty() {
                    return Err(Refusal::Protocol.because("XX message 1 carries an unexpected payload"));
                }
                let reply = write_handshake(&mut handshake, self.local_member.as_bytes(), XX_MSG2)?;
                self.outgoing.push(reply);
                Ok(State::XxResponder { handshake: Box::new(handshake) })
            }
            other => Err(Refusal::Malformed.because(format!("unknown handshake type {other:#04x}"))),
        }
    }

    /// Finishes a handshake: transport keys, the peer reported, queued messages sent.
    fn open_transport(
        &mut self,
        handshake: HandshakeState,
        peer: MemberId,
        events: &mut Vec<ChannelEvent>,
    ) -> Result<Box<TransportState>> {
        let mut transport = Box::new(into_transport(handshake)?);
        self.peer = Some(peer);
        events.push(ChannelEvent::Established { peer });
        for message in std::mem::take(&mut self.pending) {
            seal_message(&mut transport, &self.config, &message, &mut self.outgoing)?;
        }
        Ok(transport)
    }

    /// One decrypted transport plaintext: a fragment of a message, or the empty liveness frame.
    fn accept_plaintext(&mut self, plaintext: &[u8], events: &mut Vec<ChannelEvent>) -> Result<()> {
        let Some((&flags, slice)) = plaintext.split_first() else {
            return Ok(());
        };
        if flags & !KNOWN_FLAGS != 0 {
            return Err(Refusal::Malformed.because(format!("unknown frame flags {flags:#04x}")));
        }
        let more = flags & FLAG_MORE != 0;
        let deflated = flags & FLAG_DEFLATE != 0;
        if self.inbound.in_progress && self.inbound.deflated != deflated {
            return Err(Refusal::Malformed.because("fragments of one message disagree on compression"));
        }
        if more && slice.is_empty() {
            return Err(Refusal::Malformed.because("empty fragment"));
        }
        let limit = self.config.max_message;
        let total = self.inbound.buffer.len().saturating_add(slice.len());
        if total > limit {
            return Err(Refusal::Oversized.because(format!("message is over the {limit} byte limit")));
        }
        grow_bounded(&mut self.inbound.buffer, total, limit);
        self.inbound.buffer.extend_from_slice(slice);
        if more {
            self.inbound.in_progress = true;
            self.inbound.deflated = deflated;
            return Ok(());
        }
        let body = std::mem::take(&mut self.inbound).buffer;
        let message = if deflated { inflate_bounded(&body, limit)? } else { body };
        events.push(ChannelEvent::Message(message));
        Ok(())
    }
}

/// The Noise static key a member id implies, or `None` for a key no honest profile has: not a canonical encoding of
/// a curve point, small-order (its X25519 DH outputs are all zero, so anyone could complete a handshake as it) or
/// with a torsion component (several ids for one secret).
fn noise_static_key(member: &MemberId) -> Option<[u8; DH_KEY]> {
    candidate_static_key(member).filter(|_| torsion_free(member))
}

/// [`noise_static_key`] without the torsion check, which costs a full scalar multiplication: cheap enough to run on
/// every member a KK responder knows, on every connection. The one that matches gets the full check.
fn candidate_static_key(member: &MemberId) -> Option<[u8; DH_KEY]> {
    let bytes = member.as_bytes();
    guarded(Blame::Peer, "checking a member key", || {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| Refusal::Malformed.because("not an ed25519 key"))?;
        if key.is_weak() || key.to_edwards().compress().to_bytes() != *bytes {
            return Err(Refusal::Malformed.because("not a usable member key"));
        }
        Ok(key.to_montgomery().to_bytes())
    })
    .ok()
}

fn torsion_free(member: &MemberId) -> bool {
    guarded(Blame::Peer, "checking a member key", || {
        let key = VerifyingKey::from_bytes(member.as_bytes())
            .map_err(|_| Refusal::Malformed.because("not an ed25519 key"))?;
        Ok(key.to_edwards().is_torsion_free())
    })
    .unwrap_or(false)
}

/// The peer's member key from an XX handshake payload, checked against the static key Noise authenticated.
fn peer_from_payload(payload: &[u8], remote_static: Option<&[u8]>) -> Result<MemberId> {
    let bytes: [u8; MEMBER_KEY] =
        payload.try_into().map_err(|_| Refusal::Malformed.because("handshake payload is not a member key"))?;
    let member = MemberId::from_bytes(bytes);
    let expected =
        noise_static_key(&member).ok_or_else(|| Refusal::Malformed.because("the peer's member key is not usable"))?;
    let remote = remote_static.ok_or_else(|| Error::Internal("Noise gave no remote static key".into()))?;
    if remote != expected.as_slice() {
        return Err(Refusal::Forged.because("the peer's member key does not match its Noise static key"));
    }
    Ok(member)
}

fn handshake_state(
    pattern: Pattern,
    initiator: bool,
    secret: &StaticSecret,
    remote: Option<&[u8; DH_KEY]>,
) -> Result<HandshakeState> {
    guarded(Blame::Local, "starting a Noise handshake", || {
        let params = pattern.params().parse().map_err(local_snow)?;
        let prologue = pattern.prologue();
        let mut builder = snow::Builder::new(params).local_private_key(&secret.0).map_err(local_snow)?;
        builder = builder.prologue(&prologue).map_err(local_snow)?;
        if let Some(remote) = remote {
            builder = builder.remote_public_key(remote).map_err(local_snow)?;
        }
        let built = if initiator { builder.build_initiator() } else { builder.build_responder() };
        built.map_err(local_snow)
    })
}

/// An initiator's handshake and its first frame: the pattern's tag byte, then Noise message 1.
fn first_handshake_frame(
    pattern: Pattern,
    secret: &StaticSecret,
    remote: Option<&[u8; DH_KEY]>,
) -> Result<(Box<HandshakeState>, Vec<u8>)> {
    let mut handshake = handshake_state(pattern, true, secret, remote)?;
    let first_len = match pattern {
        Pattern::Kk => KK_MSG1,
        Pattern::Xx => XX_MSG1,
    };
    let message = write_handshake(&mut handshake, &[], first_len)?;
    let mut frame = Vec::with_capacity(1 + message.len());
    frame.push(pattern.tag());
    frame.extend_from_slice(&message);
    Ok((Box::new(handshake), frame))
}

/// Writes our next handshake message, which has a fixed length.
fn write_handshake(handshake: &mut HandshakeState, payload: &[u8], len: usize) -> Result<Vec<u8>> {
    guarded(Blame::Local, "writing a Noise handshake message", || {
        // Snow wants room for a tag after the payload even where the payload goes unencrypted (XX message 1).
        let mut message = vec![0u8; len.saturating_add(AEAD_TAG)];
        let written = handshake.write_message(payload, &mut message).map_err(local_snow)?;
        if written != len {
            return Err(Error::Internal(format!("handshake message of {written} bytes, expected {len}")));
        }
        message.truncate(written);
        Ok(message)
    })
}

/// Reads the peer's next handshake message, refusing any other length before doing any DH.
fn read_handshake(handshake: &mut HandshakeState, message: &[u8], len: usize, what: &str) -> Result<Vec<u8>> {
    if message.len() != len {
        return Err(Refusal::Malformed.because(format!("{what} must be {len} bytes, not {}", message.len())));
    }
    guarded(Blame::Peer, what, || {
        let mut payload = vec![0u8; message.len()];
        let read = handshake
            .read_message(message, &mut payload)
            .map_err(|_| Refusal::Forged.because(format!("{what} did not authenticate")))?;
        payload.truncate(read);
        Ok(payload)
    })
}

fn into_transport(handshake: HandshakeState) -> Result<TransportState> {
    guarded(Blame::Local, "finishing the Noise handshake", || handshake.into_transport_mode().map_err(local_snow))
}

/// Compresses (if that helps), fragments and encrypts one message onto `out`.
fn seal_message(
    transport: &mut TransportState,
    config: &ChannelConfig,
    message: &[u8],
    out: &mut Vec<Vec<u8>>,
) -> Result<()> {
    let (body, deflate_flag) = match deflate(message)? {
        Some(smaller) => (smaller, FLAG_DEFLATE),
        None => (message.to_vec(), 0),
    };
    let chunk = config.chunk();
    let count = body.len().div_ceil(chunk).max(1);
    let mut plaintext = Vec::with_capacity(1 + chunk.min(body.len()));
    for index in 0..count {
        let start = index.saturating_mul(chunk);
        let slice = body.get(start..body.len().min(start.saturating_add(chunk))).unwrap_or_default();
        let more = if index + 1 < count { FLAG_MORE } else { 0 };
        plaintext.clear();
        plaintext.push(deflate_flag | more);
        plaintext.extend_from_slice(slice);
        out.push(seal_frame(transport, &plaintext)?);
    }
    Ok(())
}

fn seal_frame(transport: &mut TransportState, plaintext: &[u8]) -> Result<Vec<u8>> {
    guarded(Blame::Local, "encrypting a frame", || {
        let mut frame = vec![0u8; plaintext.len().saturating_add(AEAD_TAG)];
        let written = transport.write_message(plaintext, &mut frame).map_err(local_snow)?;
        frame.truncate(written);
        Ok(frame)
    })
}

fn open_frame(transport: &mut TransportState, frame: &[u8]) -> Result<Vec<u8>> {
    if frame.len() < AEAD_TAG {
        return Err(
            Refusal::Malformed.because(format!("a {} byte frame is too short to be a transport frame", frame.len()))
        );
    }
    guarded(Blame::Peer, "decrypting a frame", || {
        let mut plaintext = vec![0u8; frame.len()];
        let read = transport.read_message(frame, &mut plaintext).map_err(|_| {
            Refusal::Forged.because("frame did not authenticate (forged, damaged, replayed, reordered or dropped)")
        })?;
        plaintext.truncate(read);
        Ok(plaintext)
    })
}

/// Raw deflate of `message`, if it comes out smaller.
fn deflate(message: &[u8]) -> Result<Option<Vec<u8>>> {
    if message.is_empty() {
        return Ok(None);
    }
    guarded(Blame::Local, "compressing a message", || {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::with_capacity(message.len() / 2), Compression::default());
        encoder.write_all(message).map_err(|e| Error::Internal(format!("deflate: {e}")))?;
        let compressed = encoder.finish().map_err(|e| Error::Internal(format!("deflate: {e}")))?;
        Ok((compressed.len() < message.len()).then_some(compressed))
    })
}

/// Inflates a raw deflate stream, refusing output beyond `limit`, a truncated stream or trailing bytes. The output
/// buffer never grows past `limit + 1`, whatever the input claims.
fn inflate_bounded(input: &[u8], limit: usize) -> Result<Vec<u8>> {
    guarded(Blame::Peer, "inflating a message", || {
        let mut inflater = Decompress::new(false);
        let cap = limit.saturating_add(1);
        let mut out = Vec::with_capacity(input.len().saturating_mul(4).max(64).min(cap));
        loop {
            if out.len() == out.capacity() {
                if out.len() >= cap {
                    return Err(
                        Refusal::Oversized.because(format!("compressed message inflates past the {limit} byte limit"))
                    );
                }
                let target = out.capacity().saturating_mul(2).min(cap);
                out.reserve_exact(target.saturating_sub(out.len()));
            }
            let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
            let rest = input.get(consumed..).unwrap_or_default();
            let before = (consumed, out.len());
            let status = inflater
                .decompress_vec(rest, &mut out, FlushDecompress::Finish)
                .map_err(|_| Refusal::Malformed.because("compressed message is not valid deflate"))?;
            if out.len() > limit {
                return Err(
                    Refusal::Oversized.because(format!("compressed message inflates past the {limit} byte limit"))
                );
            }
            match status {
                Status::StreamEnd => break,
                Status::Ok | Status::BufError => {
                    let now = (usize::try_from(inflater.total_in()).unwrap_or(usize::MAX), out.len());
                    if now == before && out.len() < out.capacity() {
                        return Err(Refusal::Malformed.because("compressed message is truncated"));
                    }
                }
            }
        }
        if usize::try_from(inflater.total_in()).ok() != Some(input.len()) {
            return Err(Refusal::Malformed.because("compressed message has bytes after its end"));
        }
        Ok(out)
    })
}

/// Makes room for `total` bytes, doubling for amortised growth but never past `limit`.
fn grow_bounded(buffer: &mut Vec<u8>, total: usize, limit: usize) {
    if total > buffer.capacity() {
        let target = total.max(buffer.capacity().saturating_mul(2)).min(limit).max(total);
        buffer.reserve_exact(target.saturating_sub(buffer.len()));
    }
}

/// Who a panic inside a dependency blames: hostile bytes from the peer, or us.
#[derive(Clone, Copy)]
enum Blame {
    Peer,
    Local,
}

/// Runs `f`, turning a panic inside snow, ed25519 or deflate into an error instead of unwinding into the app.
fn guarded<T>(blame: Blame, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match blame {
        Blame::Peer => crate::am::guarded_peer(what, f),
        Blame::Local => {
            crate::am::catch(f).unwrap_or_else(|panic| Err(Error::Internal(format!("{what} panicked: {panic}"))))
        }
    }
}

/// Every call after a failure repeats it, with the kind of the refusal that closed the channel.
fn closed(kind: Refusal, reason: &str) -> Error {
    kind.because(format!("the channel is closed: {reason}"))
}

/// Snow's errors on our own calls are bugs; its detail stays out of anything a peer could see.
fn local_snow(error: snow::Error) -> Error {
    Error::Internal(format!("noise: {error}"))
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    fn config(max_frame: usize) -> ChannelConfig {
        ChannelConfig { max_frame, ..ChannelConfig::default() }
    }

    fn is_rejected<T: std::fmt::Debug>(result: &Result<T>) -> bool {
        matches!(result, Err(Error::Rejected { .. }))
    }

    /// Everything that crossed the link while pumping, and what each side reported.
    #[derive(Default)]
    struct Transcript {
        a_to_b: Vec<Vec<u8>>,
        b_to_a: Vec<Vec<u8>>,
        a_events: Vec<ChannelEvent>,
        b_events: Vec<ChannelEvent>,
    }

    /// Delivers frames both ways, in order, until both sides are quiet. Every frame must be accepted.
    fn pump(a: &mut SecureChannel, b: &mut SecureChannel) -> Transcript {
        let mut t = Transcript::default();
        loop {
            let (from_a, from_b) = (a.take_outgoing(), b.take_outgoing());
            if from_a.is_empty() && from_b.is_empty() {
                return t;
            }
            for frame in from_a {
                t.b_events.extend(b.receive_frame(&frame).expect("b accepts a's frame"));
                t.a_to_b.push(frame);
            }
            for frame in from_b {
                t.a_events.extend(a.receive_frame(&frame).expect("a accepts b's frame"));
                t.b_to_a.push(frame);
            }
        }
    }

    fn kk_pair(config: ChannelConfig) -> (LocalIdentity, LocalIdentity, SecureChannel, SecureChannel) {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), config).unwrap();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], config).unwrap();
        pump(&mut a, &mut b);
        assert!(a.is_established() && b.is_established());
        (alice, bob, a, b)
    }

    fn xx_pair(config: ChannelConfig) -> (LocalIdentity, LocalIdentity, SecureChannel, SecureChannel) {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, None, config).unwrap();
        let mut b = SecureChannel::responder(&bob, config).unwrap();
        pump(&mut a, &mut b);
        assert!(a.is_established() && b.is_established());
        (alice, bob, a, b)
    }

    /// Encrypts an arbitrary plaintext as the next transport frame, to play a peer that breaks the framing rules.
    fn seal_raw(channel: &mut SecureChannel, plaintext: &[u8]) -> Vec<u8> {
        match &mut channel.state {
            State::Open { transport, .. } => seal_frame(transport, plaintext).unwrap(),
            _ => panic!("channel is not open"),
        }
    }

    fn raw_deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn random_bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; len];
        rng.fill(&mut bytes[..]);
        bytes
    }

    fn total(frames: &[Vec<u8>]) -> usize {
        frames.iter().map(Vec::len).sum()
    }

    #[test]
    fn kk_handshake_is_small_and_carries_messages_both_ways() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
        assert!(!a.is_established() && a.peer().is_none());

        let msg1 = a.take_outgoing();
        assert_eq!(msg1.len(), 1);
        assert_eq!(b.receive_frame(&msg1[0]).unwrap(), vec![]);
        // Authenticated, but not yet shown live: message 1 could be a recording.
        assert!(!b.is_established() && b.peer().is_none());
        let msg2 = b.take_outgoing();
        assert_eq!(msg2.len(), 1);
        assert_eq!(a.receive_frame(&msg2[0]).unwrap(), vec![ChannelEvent::Established { peer: bob.member_id() }]);
        assert!(a.is_established());
        assert_eq!(a.peer(), Some(bob.member_id()));

        // Nothing to say yet: the initiator proves liveness with an empty frame.
        let liveness = a.take_outgoing();
        assert_eq!(liveness.len(), 1);
        assert_eq!(b.receive_frame(&liveness[0]).unwrap(), vec![ChannelEvent::Established { peer: alice.member_id() }]);
        assert!(b.is_established());

        let handshake = total(&msg1) + total(&msg2);
        println!(
            "KK handshake: {} + {} = {handshake} bytes, plus a {} byte liveness frame if the initiator has nothing to \
             send; per-frame overhead {FRAME_OVERHEAD} bytes",
            msg1[0].len(),
            msg2[0].len(),
            liveness[0].len()
        );
        assert_eq!((msg1[0].len(), msg2[0].len(), liveness[0].len()), (1 + KK_MSG1, KK_MSG2, AEAD_TAG));
        assert!(handshake <= 128, "KK handshake is {handshake} bytes");
        assert!(handshake + liveness[0].len() <= 128);

        a.send_message(b"hello bob").unwrap();
        b.send_message(b"hello alice").unwrap();
        b.send_message(b"").unwrap();
        let t = pump(&mut a, &mut b);
        assert_eq!(t.b_events, vec![ChannelEvent::Message(b"hello bob".to_vec())]);
        assert_eq!(t.a_events, vec![ChannelEvent::Message(b"hello alice".to_vec()), ChannelEvent::Message(vec![])]);
        assert_eq!(t.a_to_b[0].len(), b"hello bob".len() + FRAME_OVERHEAD);
        assert_eq!(a.bytes_sent(), b.bytes_received());
        assert_eq!(b.bytes_sent(), a.bytes_received());
    }

    #[test]
    fn kk_reconnect_with_a_summary_each_way_needs_no_liveness_frame() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
        // Random, so that it does not compress: a summary of document digests looks like this.
        let summary = random_bytes(&mut StdRng::seed_from_u64(5), 40);
        // The session's usual flow: the initiator sends its summary as soon as the channel is up, which doubles as
        // its proof of liveness; the responder answers once it knows who it is talking to.
        for frame in a.take_outgoing() {
            b.receive_frame(&frame).unwrap();
        }
        for frame in b.take_outgoing() {
            assert_eq!(a.receive_frame(&frame).unwrap().len(), 1);
        }
        a.send_message(&summary).unwrap();
        let mut events = Vec::new();
        for frame in a.take_outgoing() {
            events.extend(b.receive_frame(&frame).unwrap());
        }
        assert_eq!(
            events,
            vec![ChannelEvent::Established { peer: alice.member_id() }, ChannelEvent::Message(summary.to_vec())]
        );
        b.send_message(&summary).unwrap();
        pump(&mut a, &mut b);
        println!("KK reconnect with a 40-byte summary each way: {} bytes in all", a.bytes_sent() + b.bytes_sent());
        assert_eq!(a.bytes_sent() + b.bytes_sent(), 97 + 2 * (40 + FRAME_OVERHEAD as u64));
    }

    #[test]
    fn xx_handshake_authenticates_both_member_keys() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, None, ChannelConfig::default()).unwrap();
        let mut b = SecureChannel::responder(&bob, ChannelConfig::default()).unwrap();
        a.send_message(b"queued before the handshake").unwrap();
        b.send_message(b"queued before the first frame").unwrap();
        let t = pump(&mut a, &mut b);
        let sizes: Vec<usize> = [&t.a_to_b[0], &t.b_to_a[0], &t.a_to_b[1]].iter().map(|f| f.len()).collect();
        println!("XX handshake: {sizes:?} = {} bytes", sizes.iter().sum::<usize>());
        assert_eq!(sizes, vec![1 + XX_MSG1, XX_MSG2, XX_MSG3]);
        assert_eq!(
            t.a_events,
            vec![
                ChannelEvent::Established { peer: bob.member_id() },
                ChannelEvent::Message(b"queued before the first frame".to_vec())
            ]
        );
        assert_eq!(
            t.b_events,
            vec![
                ChannelEvent::Established { peer: alice.member_id() },
                ChannelEvent::Message(b"queued before the handshake".to_vec())
            ]
        );
        assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));

        b.send_message(b"and back").unwrap();
        let t = pump(&mut a, &mut b);
        assert_eq!(t.a_events, vec![ChannelEvent::Message(b"and back".to_vec())]);
        assert_eq!(a.bytes_sent(), b.bytes_received());
        assert_eq!(b.bytes_sent(), a.bytes_received());
    }

    #[test]
    fn kk_messages_queued_before_the_handshake_are_delivered() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
        a.send_message(b"early from alice").unwrap();
        b.send_message(b"early from bob").unwrap();
        let t = pump(&mut a, &mut b);
        assert_eq!(
            t.a_events,
            vec![
                ChannelEvent::Established { peer: bob.member_id() },
                ChannelEvent::Message(b"early from bob".to_vec())
            ]
        );
        assert_eq!(
            t.b_events,
            vec![
                ChannelEvent::Established { peer: alice.member_id() },
                ChannelEvent::Message(b"early from alice".to_vec())
            ]
        );
        // The queued message was the liveness proof: no empty frame.
        assert_eq!(t.a_to_b.len(), 2);
    }

    #[test]
    fn large_messages_are_fragmented_within_max_frame() {
        let mut rng = StdRng::seed_from_u64(1);
        for max_frame in [MIN_FRAME, 512, 32 * 1024, MAX_FRAME] {
            let cfg = config(max_frame);
            let chunk = max_frame - FRAME_OVERHEAD;
            let (_, _, mut a, mut b) = if max_frame == 512 { xx_pair(cfg) } else { kk_pair(cfg) };
            for len in [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 7, 200_000, 1 << 20] {
                // Random bytes do not compress, so the frame count is exact.
                let message = random_bytes(&mut rng, len);
                a.send_message(&message).unwrap();
                let frames = a.take_outgoing();
                assert_eq!(frames.len(), len.div_ceil(chunk).max(1), "{len} bytes at max_frame {max_frame}");
                assert!(frames.iter().all(|f| f.len() <= max_frame));
                assert_eq!(total(&frames), len + frames.len() * FRAME_OVERHEAD);
                let mut events = Vec::new();
                for frame in &frames {
                    events.extend(b.receive_frame(frame).unwrap());
                }
                assert_eq!(events, vec![ChannelEvent::Message(message)]);
            }
            // The other way, and a compressible message.
            let text = "we walked by the river and talked about the week. ".repeat(40_000).into_bytes();
            b.send_message(&text).unwrap();
            let frames = b.take_outgoing();
            assert!(frames.iter().all(|f| f.len() <= max_frame));
            let mut events = Vec::new();
            for frame in &frames {
                events.extend(a.receive_frame(frame).unwrap());
            }
            assert_eq!(events, vec![ChannelEvent::Message(text)]);
        }
    }

    #[test]
    fn compression_shrinks_repetitive_text_and_skips_noise() {
        let (_, _, mut a, mut b) = kk_pair(ChannelConfig::default());
        let text = "Today I managed a short walk and felt a little calmer afterwards. ".repeat(150).into_bytes();
        a.send_message(&text).unwrap();
        let frames = a.take_outgoing();
        println!("{} bytes of repetitive text took {} bytes on the link", text.len(), total(&frames));
        assert!(total(&frames) * 10 < text.len());
        assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(text)]);

        let noise = random_bytes(&mut StdRng::seed_from_u64(2), 5000);
        a.send_message(&noise).unwrap();
        let frames = a.take_outgoing();
        assert_eq!(total(&frames), noise.len() + FRAME_OVERHEAD);
        assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(noise)]);
    }

    #[test]
    fn kk_to_the_wrong_member_fails_before_the_dialler_reveals_itself() {
        let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = ChannelConfig::default();
        // Alice expects Carol, but Bob answers (and knows both): Bob cannot read a KK made for Carol, so he asks for
        // XX, and Alice refuses his XX answer because it is not Carol's. She never sent message 3 (her identity).
        let mut a = SecureChannel::initiator(&alice, Some(carol.member_id()), cfg).unwrap();
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id(), carol.member_id()], cfg).unwrap();
        b.receive_frame(&a.take_outgoing().remove(0)).unwrap();
        assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
        a.receive_frame(&[TAG_XX]).unwrap();
        let xx_first = a.take_outgoing().remove(0);
        assert_eq!((xx_first[0], xx_first.len()), (TAG_XX, 1 + XX_MSG1));
        b.receive_frame(&xx_first).unwrap();
        let result = a.receive_frame(&b.take_outgoing().remove(0));
        assert!(
            matches!(&result, Err(Error::Rejected { kind: Refusal::Forged, reason: r }) if r.contains("not the member this initiator dialled"))
        );
        assert!(a.take_outgoing().is_empty() && a.peer().is_none() && !b.is_established());

        // Alice expects Bob but gets Carol's answer to someone else's KK: refused by Alice.
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
        a.take_outgoing();
        let mut other = SecureChannel::initiator(&alice, Some(carol.member_id()), cfg).unwrap();
        let mut c = SecureChannel::responder_with_known_peers(&carol, &[alice.member_id()], cfg).unwrap();
        c.receive_frame(&other.take_outgoing().remove(0)).unwrap();
        assert!(is_rejected(&a.receive_frame(&c.take_outgoing().remove(0))));
        assert!(!a.is_established() && a.peer().is_none());
    }

    /// A newcomer dials by KK a member who has not heard of them yet (knows other members, or no one): the channel
    /// falls back to XX on the same link, and each side learns the other's exact key.
    #[test]
    fn kk_to_someone_who_does_not_know_the_dialler_falls_back_to_xx() {
        let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = ChannelConfig::default();
        for known in [vec![carol.member_id()], vec![]] {
            let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
            let mut b = SecureChannel::responder_with_known_peers(&bob, &known, cfg).unwrap();
            a.send_message(b"queued before the handshake").unwrap();
            let t = pump(&mut a, &mut b);
            assert!(a.is_established() && b.is_established());
            assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));
            assert_eq!(t.b_events.last(), Some(&ChannelEvent::Message(b"queued before the handshake".to_vec())));
            // KK message 1, then XX's three messages; the request for XX is one byte.
            assert_eq!(t.b_to_a.first(), Some(&vec![TAG_XX]));
            assert_eq!(t.a_to_b.get(1).map(|f| (f[0], f.len())), Some((TAG_XX, 1 + XX_MSG1)));
        }
    }

    /// The responder asks for XX once per link; and a forged request for XX only costs the initiator a round trip.
    #[test]
    fn the_request_for_xx_is_bounded_and_cannot_be_abused() {
        let (alice, bob, carol) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = ChannelConfig::default();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[carol.member_id()], cfg).unwrap();
        let kk = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap().take_outgoing().remove(0);
        b.receive_frame(&kk).unwrap();
        assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
        assert!(is_rejected(&b.receive_frame(&kk)), "a second KK on the same link");

        // An attacker answers Alice's KK with "start again with XX" although Bob knows her: XX still reaches Bob.
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
        a.take_outgoing();
        a.receive_frame(&[TAG_XX]).unwrap();
        pump(&mut a, &mut b);
        assert_eq!((a.peer(), b.peer()), (Some(bob.member_id()), Some(alice.member_id())));
        // Once the handshake is under way, a stray request for XX is just a bad frame.
        let (_, _, mut a, _) = kk_pair(cfg);
        assert!(is_rejected(&a.receive_frame(&[TAG_XX])));
        let (_, _, mut a, _) = xx_pair(cfg);
        assert!(is_rejected(&a.receive_frame(&[TAG_XX])));
    }

    /// Plays an XX initiator by hand with snow: Alice's static key, but `claimed` in the payload.
    fn hand_built_xx_initiator(
        alice: &LocalIdentity,
        claimed: &MemberId,
        bob: &LocalIdentity,
    ) -> Result<Vec<ChannelEvent>> {
        let secret = alice.x25519_secret();
        let prologue = Pattern::Xx.prologue();
        let mut noise = snow::Builder::new(XX_PARAMS.parse().unwrap())
            .local_private_key(&secret)
            .unwrap()
            .prologue(&prologue)
            .unwrap()
            .build_initiator()
            .unwrap();
        let mut responder = SecureChannel::responder(bob, ChannelConfig::default()).unwrap();
        let mut buf = [0u8; 256];
        let n = noise.write_message(&[], &mut buf).unwrap();
        let mut first = vec![TAG_XX];
        first.extend_from_slice(&buf[..n]);
        assert_eq!(responder.receive_frame(&first).unwrap(), vec![]);
        let msg2 = responder.take_outgoing().remove(0);
        let mut payload = [0u8; 256];
        let n = noise.read_message(&msg2, &mut payload).unwrap();
        assert_eq!(&payload[..n], bob.member_id().as_bytes());
        let n = noise.write_message(claimed.as_bytes(), &mut buf).unwrap();
        responder.receive_frame(&buf[..n])
    }

    #[test]
    fn xx_payload_key_must_match_the_noise_static_key() {
        let (alice, bob, mallory) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
        // Control: the hand-built initiator is accepted when it tells the truth.
        assert_eq!(
            hand_built_xx_initiator(&alice, &alice.member_id(), &bob).unwrap(),
            vec![ChannelEvent::Established { peer: alice.member_id() }]
        );
        // Mallory's static key cannot claim Alice's member key, nor the other way round.
        assert!(is_rejected(&hand_built_xx_initiator(&mallory, &alice.member_id(), &bob)));
        assert!(is_rejected(&hand_built_xx_initiator(&alice, &mallory.member_id(), &bob)));
        // Keys no honest profile has: small-order (all DH outputs zero) and garbage.
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        assert!(is_rejected(&hand_built_xx_initiator(&alice, &MemberId::from_bytes(identity_point), &bob)));
        assert!(is_rejected(&hand_built_xx_initiator(&alice, &MemberId::from_bytes([0xff; 32]), &bob)));

        // The same check on the initiator's side: a hand-built responder claiming Mallory's key.
        let mut a = SecureChannel::initiator(&alice, None, ChannelConfig::default()).unwrap();
        let secret = bob.x25519_secret();
        let prologue = Pattern::Xx.prologue();
        let mut noise = snow::Builder::new(XX_PARAMS.parse().unwrap())
            .local_private_key(&secret)
            .unwrap()
            .prologue(&prologue)
            .unwrap()
            .build_responder()
            .unwrap();
        let first = a.take_outgoing().remove(0);
        let mut buf = [0u8; 256];
        noise.read_message(&first[1..], &mut buf).unwrap();
        let n = noise.write_message(mallory.member_id().as_bytes(), &mut buf).unwrap();
        assert!(is_rejected(&a.receive_frame(&buf[..n])));
        assert!(a.take_outgoing().is_empty());
    }

    #[test]
    fn unusable_member_keys_are_refused_or_skipped() {
        let alice = LocalIdentity::generate();
        let key = VerifyingKey::from_bytes(alice.member_id().as_bytes()).unwrap();
        let small_order = VerifyingKey::from_bytes(&[0u8; 32]).unwrap();
        assert!(small_order.is_weak());
        let torsioned = MemberId::from_bytes((key.to_edwards() + small_order.to_edwards()).compress().to_bytes());
        // y = p + 1 = 2^255 - 18, little-endian: a non-canonical encoding (of the identity point).
        let mut non_canonical = [0xffu8; 32];
        non_canonical[31] = 0x7f;
        non_canonical[0] = 0xee;
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        for bad in [
            MemberId::from_bytes([0; 32]),
            MemberId::from_bytes(identity_point),
            torsioned,
            MemberId::from_bytes(non_canonical),
        ] {
            assert!(noise_static_key(&bad).is_none(), "{bad:?}");
            assert!(matches!(
                SecureChannel::initiator(&alice, Some(bad), ChannelConfig::default()),
                Err(Error::InvalidInput { .. })
            ));
        }
        assert_eq!(noise_static_key(&alice.member_id()), Some(key.to_montgomery().to_bytes()));

        // Bad entries in a member list are skipped, not fatal; too long a list is the caller's mistake.
        let bob = LocalIdentity::generate();
        let known = [MemberId::from_bytes([0; 32]), torsioned, alice.member_id(), alice.member_id()];
        let mut b = SecureChannel::responder_with_known_peers(&bob, &known, ChannelConfig::default()).unwrap();
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        pump(&mut a, &mut b);
        assert_eq!(b.peer(), Some(alice.member_id()));
        let many = vec![alice.member_id(); MAX_KNOWN_PEERS + 1];
        assert!(matches!(
            SecureChannel::responder_with_known_peers(&bob, &many, ChannelConfig::default()),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn kk_matching_two_known_members_is_refused() {
        // A key and its negation share a Montgomery form, so KK alone cannot tell them apart.
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let key = VerifyingKey::from_bytes(alice.member_id().as_bytes()).unwrap();
        let negated = MemberId::from_bytes((-key.to_edwards()).compress().to_bytes());
        assert_eq!(noise_static_key(&negated), noise_static_key(&alice.member_id()));
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[negated, alice.member_id()], ChannelConfig::default())
                .unwrap();
        assert!(is_rejected(&b.receive_frame(&a.take_outgoing().remove(0))));
    }

    /// A KK pair with a two-frame message from Alice queued at `max_frame` 512, not yet delivered.
    fn pair_with_frames() -> (SecureChannel, SecureChannel, Vec<Vec<u8>>) {
        let (_, _, mut a, b) = kk_pair(config(512));
        let message = random_bytes(&mut StdRng::seed_from_u64(3), 700);
        a.send_message(&message).unwrap();
        a.send_message(b"second").unwrap();
        let frames = a.take_outgoing();
        assert_eq!(frames.len(), 3);
        (a, b, frames)
    }

    #[test]
    fn tampered_truncated_oversized_reordered_and_replayed_frames_are_rejected() {
        type Attack = Box<dyn Fn(&[Vec<u8>]) -> Vec<Vec<u8>>>;
        let cases: Vec<(&str, Attack)> = vec![
            (
                "flipped first byte",
                Box::new(|f| {
                    let mut x = f[0].clone();
                    x[0] ^= 1;
                    vec![x]
                }),
            ),
            (
                "flipped tag byte",
                Box::new(|f| {
                    let mut x = f[0].clone();
                    *x.last_mut().unwrap() ^= 0x80;
                    vec![x]
                }),
            ),
            ("truncated by one", Box::new(|f| vec![f[0][..f[0].len() - 1].to_vec()])),
            ("truncated to a tag", Box::new(|f| vec![f[0][..AEAD_TAG].to_vec()])),
            ("too short", Box::new(|f| vec![f[0][..AEAD_TAG - 1].to_vec()])),
            ("empty", Box::new(|_| vec![vec![]])),
            (
                "extended",
                Box::new(|f| {
                    let mut x = f[0].clone();
                    x.push(0);
                    vec![x]
                }),
            ),
            ("oversized", Box::new(|_| vec![vec![0u8; 513]])),
            ("reordered", Box::new(|f| vec![f[1].clone()])),
            ("dropped", Box::new(|f| vec![f[0].clone(), f[2].clone()])),
            ("replayed", Box::new(|f| vec![f[0].clone(), f[0].clone()])),
        ];
        for (name, attack) in cases {
            let (_, mut b, frames) = pair_with_frames();
            let delivered = attack(&frames);
            let (last, before) = delivered.split_last().unwrap();
            for frame in before {
                assert_eq!(b.receive_frame(frame).unwrap(), vec![], "{name}");
            }
            assert!(is_rejected(&b.receive_frame(last)), "{name}");
            // Closed for good: even the genuine frames are refused now.
            assert!(is_rejected(&b.receive_frame(&frames[0])), "{name}");
            assert!(is_rejected(&b.send_message(b"x")), "{name}");
            assert!(b.take_outgoing().is_empty() && !b.is_established(), "{name}");
            assert!(b.peer().is_some(), "{name}: the peer is still known, to blame it");
        }
    }

    #[test]
    fn tampered_handshake_messages_are_rejected() {
        let mut rng = StdRng::seed_from_u64(4);
        for kk in [true, false] {
            let handshake_frames = if kk { 2 } else { 3 };
            for target in 0..handshake_frames {
                let spoils: [fn(&mut Vec<u8>); 3] = [
                    |f| *f.last_mut().unwrap() ^= 1,
                    |f| {
                        f.pop();
                    },
                    |f| f.push(0),
                ];
                for (i, spoil) in spoils.iter().enumerate() {
                    let mut spoil_it = |frame: &[u8], _: &mut StdRng| {
                        let mut frame = frame.to_vec();
                        spoil(&mut frame);
                        frame
                    };
                    let (_, _, result) = session_with_spoiled_frame(&mut rng, kk, target, &mut spoil_it).unwrap();
                    // XX message 1 is a bare ephemeral key: changing its bits cannot be noticed, only its length. A
                    // KK message 1 with a changed bit authenticates for no known member, so the responder asks for
                    // XX (which authenticates everything again).
                    if target == 0 && i == 0 {
                        assert_eq!(result.unwrap(), vec![], "kk={kk}");
                    } else {
                        assert!(is_rejected(&result), "kk={kk} target={target} spoil={i}");
                    }
                }
            }
        }
    }

    #[test]
    fn garbage_first_frames_are_rejected() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let mut xx_long = vec![TAG_XX];
        xx_long.extend_from_slice(&[0x5a; XX_MSG1 + 1]);
        let garbage: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![TAG_KK],
            vec![TAG_XX],
            vec![0x7f; 49],
            vec![TAG_KK; KK_MSG1],
            vec![TAG_XX; XX_MSG1],
            xx_long,
            b"GET / HTTP/1.1\r\nHost: kindred\r\n\r\n".to_vec(),
            vec![0; 32 * 1024 + 1],
        ];
        for frame in &garbage {
            let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default())
                .unwrap();
            assert!(is_rejected(&b.receive_frame(frame)), "{:?}", &frame[..frame.len().min(8)]);
            assert!(b.take_outgoing().is_empty());
            assert_eq!(b.bytes_received(), frame.len() as u64);
        }
        // A KK message 1 of the right size that no known member made gets the one-byte request for XX, nothing else.
        let mut kk_sized = vec![TAG_KK];
        kk_sized.extend_from_slice(&[0x5a; KK_MSG1]);
        let mut b =
            SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], ChannelConfig::default()).unwrap();
        assert_eq!(b.receive_frame(&kk_sized).unwrap(), vec![]);
        assert_eq!(b.take_outgoing(), vec![vec![TAG_XX]]);
        assert!(b.peer().is_none() && !b.is_established());
        // A transport-sized frame sent to an initiator waiting for its handshake reply.
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), ChannelConfig::default()).unwrap();
        assert!(is_rejected(&a.receive_frame(&[0u8; 100])));
    }

    #[test]
    fn replayed_kk_first_message_never_establishes() {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = ChannelConfig::default();
        let mut a = SecureChannel::initiator(&alice, Some(bob.member_id()), cfg).unwrap();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
        let t = pump(&mut a, &mut b);
        assert!(b.is_established());

        // An eavesdropper replays Alice's first message (and her later frames) to Bob on a new connection.
        let mut replay = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
        assert_eq!(replay.receive_frame(&t.a_to_b[0]).unwrap(), vec![]);
        assert_eq!(replay.take_outgoing().len(), 1, "Bob answers; only the real Alice could read it");
        assert!(!replay.is_established() && replay.peer().is_none());
        assert!(is_rejected(&replay.receive_frame(&t.a_to_b[1])));
        assert!(replay.peer().is_none());
    }

    #[test]
    fn deflate_bombs_and_broken_streams_are_rejected() {
        let limit = 1 << 20;
        let cfg = ChannelConfig { max_frame: 32 * 1024, max_message: limit };
        // Exactly at the limit is fine, through the normal path.
        let (_, _, mut a, mut b) = kk_pair(cfg);
        a.send_message(&vec![0u8; limit]).unwrap();
        let frames = a.take_outgoing();
        assert_eq!(frames.len(), 1);
        assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(vec![0u8; limit])]);

        let bomb = raw_deflate(&vec![0u8; 16 << 20]);
        println!("deflate bomb: {} bytes inflating to 16 MiB", bomb.len());
        let one_over = raw_deflate(&vec![0u8; limit + 1]);
        let valid = raw_deflate(b"a perfectly fine message, a perfectly fine message");
        let mut trailing = valid.clone();
        trailing.push(0);
        let truncated = valid[..valid.len() - 2].to_vec();
        for (name, body) in [
            ("bomb", bomb),
            ("one over", one_over),
            ("trailing", trailing),
            ("truncated", truncated),
            ("garbage", vec![0xff; 64]),
        ] {
            let (_, _, mut a, mut b) = kk_pair(cfg);
            let chunks: Vec<&[u8]> = body.chunks(cfg.max_frame - FRAME_OVERHEAD).collect();
            let mut result = Ok(vec![]);
            for (i, chunk) in chunks.iter().enumerate() {
                let more = if i + 1 < chunks.len() { FLAG_MORE } else { 0 };
                let mut plaintext = vec![FLAG_DEFLATE | more];
                plaintext.extend_from_slice(chunk);
                result = b.receive_frame(&seal_raw(&mut a, &plaintext));
                if i + 1 < chunks.len() {
                    assert_eq!(result.as_ref().unwrap(), &vec![]);
                }
            }
            assert!(is_rejected(&result), "{name}");
            assert!(b.inbound.buffer.capacity() <= limit);
        }
        // A genuine compressed message hand-sealed the same way is accepted (the harness is sound).
        let (_, _, mut a, mut b) = kk_pair(cfg);
        let mut plaintext = vec![FLAG_DEFLATE];
        plaintext.extend_from_slice(&valid);
        assert_eq!(
            b.receive_frame(&seal_raw(&mut a, &plaintext)).unwrap(),
            vec![ChannelEvent::Message(b"a perfectly fine message, a perfectly fine message".to_vec())]
        );
    }

    #[test]
    fn fragment_streams_over_max_message_or_breaking_the_rules_are_rejected() {
        let cfg = ChannelConfig { max_frame: 512, max_message: 4096 };
        let (_, _, mut a, mut b) = kk_pair(cfg);
        let slice = vec![0x42u8; 512 - FRAME_OVERHEAD];
        let mut plaintext = vec![FLAG_MORE];
        plaintext.extend_from_slice(&slice);
        for _ in 0..4096 / slice.len() {
            assert_eq!(b.receive_frame(&seal_raw(&mut a, &plaintext)).unwrap(), vec![]);
        }
        assert!(b.inbound.buffer.capacity() <= cfg.max_message);
        // The frame that would cross the limit is refused before the buffer grows.
        assert!(is_rejected(&b.receive_frame(&seal_raw(&mut a, &plaintext))));

        // Sending more than max_message is the caller's mistake, and leaves the channel usable.
        let (_, _, mut a, mut b) = kk_pair(cfg);
        assert!(matches!(a.send_message(&[0; 4097]), Err(Error::InvalidInput { .. })));
        a.send_message(&[1; 4096]).unwrap();
        assert_eq!(pump(&mut a, &mut b).b_events, vec![ChannelEvent::Message(vec![1; 4096])]);

        for (name, frames) in [
            ("unknown flag", vec![vec![0x80, 1, 2, 3]]),
            ("empty fragment", vec![vec![FLAG_MORE]]),
            ("compression flag changes midway", vec![vec![FLAG_MORE, 1, 2], vec![FLAG_DEFLATE, 3, 4]]),
        ] {
            let (_, _, mut a, mut b) = kk_pair(cfg);
            let (last, before) = frames.split_last().unwrap();
            for plaintext in before {
                b.receive_frame(&seal_raw(&mut a, plaintext)).unwrap();
            }
            assert!(is_rejected(&b.receive_frame(&seal_raw(&mut a, last))), "{name}");
        }
    }

    #[test]
    fn tiny_max_message_still_works() {
        let cfg = ChannelConfig { max_frame: MIN_FRAME, max_message: 10 };
        let (_, _, mut a, mut b) = kk_pair(cfg);
        a.send_message(b"aaaaaaaaaa").unwrap();
        let frames = a.take_outgoing();
        assert!(frames[0].len() < 10 + FRAME_OVERHEAD, "compressed");
        assert_eq!(b.receive_frame(&frames[0]).unwrap(), vec![ChannelEvent::Message(b"aaaaaaaaaa".to_vec())]);
    }

    #[test]
    fn config_is_validated() {
        let alice = LocalIdentity::generate();
        for bad in [
            ChannelConfig { max_frame: MIN_FRAME - 1, ..ChannelConfig::default() },
            ChannelConfig { max_frame: MAX_FRAME + 1, ..ChannelConfig::default() },
            ChannelConfig { max_message: 0, ..ChannelConfig::default() },
        ] {
            assert!(matches!(SecureChannel::initiator(&alice, None, bad), Err(Error::InvalidInput { .. })));
            assert!(matches!(SecureChannel::responder(&alice, bad), Err(Error::InvalidInput { .. })));
        }
    }

    #[test]
    fn channel_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<SecureChannel>();
    }

    /// The genuine frame, what was delivered instead, and what the receiver said.
    type Spoiled = (Vec<u8>, Vec<u8>, Result<Vec<ChannelEvent>>);

    /// Runs a KK or XX session and hands the `target`th frame (counting both directions) to `spoil` instead of
    /// delivering it. Returns the original frame, the spoiled one and what the receiver said.
    fn session_with_spoiled_frame(
        rng: &mut StdRng,
        kk: bool,
        target: usize,
        spoil: &mut dyn FnMut(&[u8], &mut StdRng) -> Vec<u8>,
    ) -> Option<Spoiled> {
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = config(MIN_FRAME);
        let mut a = SecureChannel::initiator(&alice, kk.then(|| bob.member_id()), cfg).unwrap();
        let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
        a.send_message(&random_bytes(rng, 600)).unwrap();
        b.send_message(&"fine, thanks. ".repeat(100).into_bytes()).unwrap();
        b.send_message(b"bye").unwrap();
        let mut index = 0;
        loop {
            let mut quiet = true;
            for from_a in [true, false] {
                let (sender, receiver) = if from_a { (&mut a, &mut b) } else { (&mut b, &mut a) };
                for frame in sender.take_outgoing() {
                    quiet = false;
                    if index == target {
                        let spoiled = spoil(&frame, rng);
                        let result = receiver.receive_frame(&spoiled);
                        return Some((frame, spoiled, result));
                    }
                    index += 1;
                    receiver.receive_frame(&frame).unwrap();
                }
            }
            if quiet {
                return None;
            }
        }
    }

    fn mutate(rng: &mut StdRng, frame: &[u8]) -> Vec<u8> {
        let mut out = frame.to_vec();
        match rng.random_range(0..6) {
            0 => {
                let bit = rng.random_range(0..out.len() * 8);
                out[bit / 8] ^= 1 << (bit % 8);
            }
            1 => {
                for _ in 0..rng.random_range(1..8) {
                    let i = rng.random_range(0..out.len());
                    out[i] = rng.random();
                }
            }
            2 => out.truncate(rng.random_range(0..out.len())),
            3 => {
                let len = rng.random_range(1..64);
                out.extend(random_bytes(rng, len));
            }
            4 => rng.fill(&mut out[..]),
            _ => {
                let len = rng.random_range(0..600);
                out = random_bytes(rng, len);
            }
        }
        out
    }

    #[test]
    fn fuzz_random_and_mutated_frames_never_panic() {
        let mut rng = StdRng::seed_from_u64(0x6b_696e_6472_6564);
        let (alice, bob) = (LocalIdentity::generate(), LocalIdentity::generate());
        let cfg = config(MIN_FRAME);

        // Random first frames, biased towards the shapes a responder parses.
        for _ in 0..1500 {
            let len = match rng.random_range(0..4) {
                0 => 1 + KK_MSG1,
                1 => 1 + XX_MSG1,
                _ => rng.random_range(0..400),
            };
            let mut frame = random_bytes(&mut rng, len);
            if let Some(tag) = frame.first_mut()
                && rng.random_bool(0.8)
            {
                *tag = rng.random_range(0..4);
            }
            let mut b = SecureChannel::responder_with_known_peers(&bob, &[alice.member_id()], cfg).unwrap();
            // A random 32-byte XX ephemeral is a valid first message, and a random KK message 1 gets the request for
            // XX; everything else must be refused.
            match b.receive_frame(&frame) {
                Ok(events) => {
                    assert!(events.is_empty());
                    let (tag, len) = (frame.first().copied(), frame.len());
                    assert!(tag == Some(TAG_XX) && len == 1 + XX_MSG1 || tag == Some(TAG_KK) && len == 1 + KK_MSG1);
                }
                Err(e) => assert!(matches!(&e, Error::Rejected { reason: r, .. } if !r.contains("panicked")), "{e}"),
            }
        }

        // Mutated frames at every point of live KK and XX sessions (handshake, fragments, compressed messages).
        let mut spoiled_frames = 0;
        for round in 0..1500 {
            let kk = round % 2 == 0;
            // KK sessions here have 7 frames, XX sessions 8.
            let target = rng.random_range(0..if kk { 7 } else { 8 });
            let Some((original, spoiled, result)) =
                session_with_spoiled_frame(&mut rng, kk, target, &mut |f, r| mutate(r, f))
            else {
                continue;
            };
            spoiled_frames += 1;
            // Answered, not refused: an XX message 1 (a bare ephemeral key), and a KK message 1 no one known made
            // (the responder asks for XX).
            let first_kept = target == 0 && spoiled.len() == original.len() && spoiled.first() == original.first();
            if spoiled != original && !first_kept {
                assert!(is_rejected(&result), "kk={kk} target={target}: {result:?}");
            }
            // A panic inside snow or deflate would have been caught and turned into a refusal; make it visible.
            if let Err(e) = &result {
                assert!(!e.to_string().contains("panicked"), "{e}");
            }
        }
        assert_eq!(spoiled_frames, 1500);

        // Authenticated but arbitrary plaintexts, to reach the fragment and deflate parsers.
        let (_, _, mut a, mut b) = kk_pair(cfg);
        let mut fresh = 0;
        for _ in 0..2000 {
            let len = rng.random_range(0..200);
            let mut plaintext = random_bytes(&mut rng, len);
            if let Some(flags) = plaintext.first_mut() {
                *flags &= if rng.random_bool(0.9) { KNOWN_FLAGS } else { 0xff };
                if *flags & FLAG_DEFLATE != 0 && rng.random_bool(0.5) {
                    let text = random_bytes(&mut rng, 50).repeat(rng.random_range(1..40));
                    let mut deflated = raw_deflate(&text);
                    if rng.random_bool(0.5) {
                        let spoiled = mutate(&mut rng, &deflated);
                        deflated = spoiled;
                    }
                    plaintext.truncate(1);
                    plaintext.extend_from_slice(&deflated[..deflated.len().min(MIN_FRAME - FRAME_OVERHEAD)]);
                }
            }
            let frame = seal_raw(&mut a, &plaintext);
            if let Err(e) = b.receive_frame(&frame) {
                assert!(matches!(&e, Error::Rejected { reason: r, .. } if !r.contains("panicked")), "{e}");
                (_, _, a, b) = kk_pair(cfg);
                fresh += 1;
            }
        }
        println!("fuzz: {spoiled_frames} spoiled session frames, {fresh} channels refused random plaintexts");
    }
}
