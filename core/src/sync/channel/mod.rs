//! The secure channel: one Noise session between two profiles over one link, carrying whole messages in frames.
//!
//! This file is the state machine (bytes in, bytes out; no I/O or clocks): configuration, events, which frame is
//! expected when, and closing for good on the first refusal. [`handshake`] authenticates the member keys,
//! [`framing`] encrypts, compresses and fragments. The design (keys, handshakes, wire format, failure) is in
//! `docs/sync-protocol.md`.

use snow::{HandshakeState, TransportState};

use self::framing::{Inbound, open_frame, seal_frame, seal_message};
use self::handshake::{
    KK_MSG2, KnownPeer, Pattern, StaticSecret, TAG_KK, TAG_XX, XX_MSG1, XX_MSG2, XX_MSG3, first_handshake_frame,
    handshake_state, into_transport, kk_initiator_among, noise_static_key, peer_from_payload, read_handshake,
    write_handshake,
};
use crate::error::{Error, ErrorKind, Refusal, Result};
use crate::identity::LocalIdentity;
use crate::ids::MemberId;

mod framing;
mod handshake;
#[cfg(test)]
mod tests;

/// Bytes a transport frame adds to a slice of a message: the flags byte and the AEAD tag.
pub(crate) const FRAME_OVERHEAD: usize = 1 + handshake::AEAD_TAG;
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
}

/// What a received frame produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChannelEvent {
    /// The handshake is complete and the peer has proved, on this connection, that it holds this member key.
    Established { peer: MemberId },
    /// One whole message from the peer.
    Message(Vec<u8>),
}

/// A Noise channel with one peer over one link. The design is in `docs/sync-protocol.md`.
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
        let secret = StaticSecret::new(local.x25519_secret());
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
            known.extend(KnownPeer::new(*member));
        }
        let state = State::Listening { secret: StaticSecret::new(local.x25519_secret()), known, asked_for_xx: false };
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

    /// Feeds one frame from the link. Never panics; anything wrong is [`ErrorKind::Rejected`] and closes the channel.
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
                seal_message(transport, self.config.max_frame, message, &mut self.outgoing)
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
        let (kind, reason) = match error.kind() {
            ErrorKind::Rejected { kind, reason } => (*kind, reason.clone()),
            _ => (Refusal::Protocol, error.to_string()),
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
                if let Some(message) = self.inbound.accept(&plaintext, self.config.max_message)? {
                    events.push(ChannelEvent::Message(message));
                }
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
                let Some((mut handshake, peer)) = kk_initiator_among(&secret, &known, message)? else {
                    // Someone we do not know (a member admitted since we last synced), or a KK meant for another
                    // member: ask for XX, which tells us who it is. A message meant for someone else then fails XX's
                    // checks.
                    self.outgoing.push(vec![TAG_XX]);
                    return Ok(State::Listening { secret, known, asked_for_xx: true });
                };
                let reply = write_handshake(&mut handshake, &[], KK_MSG2)?;
                self.outgoing.push(reply);
                let mut transport = Box::new(into_transport(handshake)?);
                // We may send now (only the real initiator can read it), but report the peer only once it is live:
                // message 1 could be a recording.
                for message in std::mem::take(&mut self.pending) {
                    seal_message(&mut transport, self.config.max_frame, &message, &mut self.outgoing)?;
                }
                Ok(State::Open { transport, unconfirmed: Some(peer) })
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
            seal_message(&mut transport, self.config.max_frame, &message, &mut self.outgoing)?;
        }
        Ok(transport)
    }
}

/// Who a panic inside a dependency blames: hostile bytes from the peer, or us.
#[derive(Clone, Copy)]
enum Blame {
    Peer,
    Local,
}

/// Runs `f`, turning a panic inside snow or ed25519 into an error instead of unwinding into the app.
fn guarded<T>(blame: Blame, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match blame {
        Blame::Peer => crate::am::guarded_peer(what, f),
        Blame::Local => {
            crate::am::catch(f).unwrap_or_else(|panic| Err(Error::internal(format!("{what} panicked: {panic}"))))
        }
    }
}

/// Every call after a failure repeats it, with the kind of the refusal that closed the channel.
fn closed(kind: Refusal, reason: &str) -> Error {
    kind.because(format!("the channel is closed: {reason}"))
}

/// Snow's errors on our own calls are bugs; its detail stays out of anything a peer could see.
/// A member key in X25519 form (its Montgomery form, checked as the handshakes check it), for sealing to it.
pub(crate) fn member_x25519(member: &MemberId) -> Option<[u8; 32]> {
    handshake::noise_static_key(member)
}

fn local_snow(error: snow::Error) -> Error {
    Error::internal(format!("noise: {error}"))
}
