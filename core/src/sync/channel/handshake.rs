//! The channel's Noise handshakes: the KK and XX patterns, their tags and fixed message lengths, member keys as
//! Noise static keys (and the keys no honest profile has), and building, reading and writing handshake messages.
//! Why KK, XX and this key conversion: `docs/sync-protocol.md`.

use ed25519_dalek::VerifyingKey;
use snow::{HandshakeState, TransportState};

use super::{Blame, guarded, local_snow};
use crate::error::{Error, Refusal, Result};
use crate::ids::MemberId;

/// Hashed into every handshake: a Kindred sync channel, wire version 1.
const PROLOGUE: &[u8] = b"kindred/sync/v1";
const KK_PARAMS: &str = "Noise_KK_25519_ChaChaPoly_BLAKE2s";
pub(super) const XX_PARAMS: &str = "Noise_XX_25519_ChaChaPoly_BLAKE2s";
/// The cleartext first byte of a channel: which handshake follows.
pub(super) const TAG_KK: u8 = 0x01;
pub(super) const TAG_XX: u8 = 0x02;

pub(super) const AEAD_TAG: usize = 16;
const DH_KEY: usize = 32;
const MEMBER_KEY: usize = 32;
/// Handshake messages have fixed lengths (empty payloads in KK, exactly one member key in XX), so anything else is
/// refused before spending a DH on it.
pub(super) const KK_MSG1: usize = DH_KEY + AEAD_TAG;
pub(super) const KK_MSG2: usize = DH_KEY + AEAD_TAG;
pub(super) const XX_MSG1: usize = DH_KEY;
pub(super) const XX_MSG2: usize = DH_KEY + (DH_KEY + AEAD_TAG) + (MEMBER_KEY + AEAD_TAG);
pub(super) const XX_MSG3: usize = (DH_KEY + AEAD_TAG) + (MEMBER_KEY + AEAD_TAG);

/// A member the KK responder accepts, with the Noise static key it implies.
pub(super) struct KnownPeer {
    pub(super) member: MemberId,
    static_key: [u8; DH_KEY],
}

impl KnownPeer {
    /// The member, unless its key could never complete a handshake (see [`candidate_static_key`]).
    pub(super) fn new(member: MemberId) -> Option<Self> {
        candidate_static_key(&member).map(|static_key| KnownPeer { member, static_key })
    }
}

/// The X25519 static secret, held only by a responder until the first frame says which handshake to answer.
pub(super) struct StaticSecret([u8; DH_KEY]);

impl StaticSecret {
    pub(super) fn new(secret: [u8; DH_KEY]) -> Self {
        StaticSecret(secret)
    }
}

impl Drop for StaticSecret {
    fn drop(&mut self) {
        // Best effort: snow keeps its own copy, and the member key lives in `LocalIdentity` anyway.
        self.0 = [0; DH_KEY];
        std::hint::black_box(&self.0);
    }
}

#[derive(Clone, Copy)]
pub(super) enum Pattern {
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
    pub(super) fn prologue(self) -> Vec<u8> {
        let mut prologue = PROLOGUE.to_vec();
        prologue.push(self.tag());
        prologue
    }
}

/// The Noise static key a member id implies, or `None` for a key no honest profile has: not a canonical encoding of
/// a curve point, small-order (its X25519 DH outputs are all zero, so anyone could complete a handshake as it) or
/// with a torsion component (several ids for one secret).
pub(super) fn noise_static_key(member: &MemberId) -> Option<[u8; DH_KEY]> {
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
pub(super) fn peer_from_payload(payload: &[u8], remote_static: Option<&[u8]>) -> Result<MemberId> {
    let bytes: [u8; MEMBER_KEY] =
        payload.try_into().map_err(|_| Refusal::Malformed.because("handshake payload is not a member key"))?;
    let member = MemberId::from_bytes(bytes);
    let expected =
        noise_static_key(&member).ok_or_else(|| Refusal::Malformed.because("the peer's member key is not usable"))?;
    let remote = remote_static.ok_or_else(|| Error::internal("Noise gave no remote static key"))?;
    if remote != expected.as_slice() {
        return Err(Refusal::Forged.because("the peer's member key does not match its Noise static key"));
    }
    Ok(member)
}

/// A KK responder's answer to message 1, which names no one: the handshake of the known member whose key
/// authenticates it, or `None` if none does (someone not known yet, or a KK meant for another member).
pub(super) fn kk_initiator_among(
    secret: &StaticSecret,
    known: &[KnownPeer],
    message: &[u8],
) -> Result<Option<(HandshakeState, MemberId)>> {
    if message.len() != KK_MSG1 {
        return Err(Refusal::Malformed.because(format!("KK message 1 must be {KK_MSG1} bytes, not {}", message.len())));
    }
    let mut found = None;
    for candidate in known {
        let mut handshake = handshake_state(Pattern::Kk, false, secret, Some(&candidate.static_key))?;
        if read_handshake(&mut handshake, message, KK_MSG1, "KK message 1").is_ok_and(|p| p.is_empty())
            && torsion_free(&candidate.member)
        {
            found = Some((handshake, candidate));
            break;
        }
    }
    let Some((handshake, peer)) = found else {
        return Ok(None);
    };
    // A key and its negation share a Montgomery form; if both are known we cannot tell which one this is.
    if known.iter().any(|k| k.static_key == peer.static_key && k.member != peer.member) {
        return Err(Refusal::Protocol.because("KK handshake matches two known members"));
    }
    Ok(Some((handshake, peer.member)))
}

pub(super) fn handshake_state(
    pattern: Pattern,
    initiator: bool,
    secret: &StaticSecret,
    remote: Option<&[u8; DH_KEY]>,
) -> Result<HandshakeState> {
    guarded(Blame::Local, "starting a Noise handshake", || {
        let params = pattern.params().parse().map_err(local_snow)?;
        let prologue = pattern.prologue();
        let mut builder = crate::noise::builder(params).local_private_key(&secret.0).map_err(local_snow)?;
        builder = builder.prologue(&prologue).map_err(local_snow)?;
        if let Some(remote) = remote {
            builder = builder.remote_public_key(remote).map_err(local_snow)?;
        }
        let built = if initiator { builder.build_initiator() } else { builder.build_responder() };
        built.map_err(local_snow)
    })
}

/// An initiator's handshake and its first frame: the pattern's tag byte, then Noise message 1.
pub(super) fn first_handshake_frame(
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
pub(super) fn write_handshake(handshake: &mut HandshakeState, payload: &[u8], len: usize) -> Result<Vec<u8>> {
    guarded(Blame::Local, "writing a Noise handshake message", || {
        // Snow wants room for a tag after the payload even where the payload goes unencrypted (XX message 1).
        let mut message = vec![0u8; len.saturating_add(AEAD_TAG)];
        let written = handshake.write_message(payload, &mut message).map_err(local_snow)?;
        if written != len {
            return Err(Error::internal(format!("handshake message of {written} bytes, expected {len}")));
        }
        message.truncate(written);
        Ok(message)
    })
}

/// Reads the peer's next handshake message, refusing any other length before doing any DH.
pub(super) fn read_handshake(
    handshake: &mut HandshakeState,
    message: &[u8],
    len: usize,
    what: &str,
) -> Result<Vec<u8>> {
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

pub(super) fn into_transport(handshake: HandshakeState) -> Result<TransportState> {
    guarded(Blame::Local, "finishing the Noise handshake", || handshake.into_transport_mode().map_err(local_snow))
}
