//! Who is writing: the member key, the install's Automerge actor, and the signatures that bind them.
//!
//! A profile has one long-term ed25519 **member key**; its public half is the member's id in every group. Each
//! install has one Automerge **ActorId**, created with the profile and reused for every change on every document.
//! Minting actors per message or per launch costs memory and time superlinearly in Automerge (see the design brief),
//! and reusing one actor on two devices forks its change sequence, so a restored backup must get a new one.
//!
//! An actor id is derived from the member key and a random nonce (`sha256(domain, member key, nonce)`, first 16
//! bytes), so an actor belongs to exactly one member: nobody can certify someone else's actor as their own. The
//! member key signs an **actor certificate** (the nonce and "this actor writes for me") and every change it makes
//! (`domain || document id || change hash`). Signatures travel beside changes, never inside them, because a change's
//! bytes are what its hash covers. Peers verify both before a change reaches Automerge (the sync module).

use automerge::{ActorId, ChangeHash};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId};

const ACTOR_CERT_DOMAIN: &[u8] = b"kindred/actor-cert/v1";
const ACTOR_DOMAIN: &[u8] = b"kindred/actor/v1";
const CHANGE_SIG_DOMAIN: &[u8] = b"kindred/change/v1";

/// Longest display name (pseudonym), in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// Bytes of an actor certificate: the nonce the actor id derives from, then the member's signature.
pub const ACTOR_CERTIFICATE_LEN: usize = 16 + 64;

/// The secret side of a profile: its member key and this install's actor.
pub(crate) struct LocalIdentity {
    signing_key: SigningKey,
    actor: ActorId,
    /// The nonce `actor` derives from and the member key's signature over [`actor_certificate_bytes`].
    actor_certificate: [u8; ACTOR_CERTIFICATE_LEN],
}

impl std::fmt::Debug for LocalIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key.
        f.debug_struct("LocalIdentity")
            .field("member", &self.member_id())
            .field("actor", &self.actor.to_hex_string())
            .finish_non_exhaustive()
    }
}

impl LocalIdentity {
    /// A fresh member key and actor, as made when a profile is created.
    pub(crate) fn generate() -> Self {
        let signing_key = SigningKey::generate(&mut rand::rng());
        Self::with_new_actor(signing_key)
    }

    /// Keeps the member key but starts a new actor, as a restore onto a new install must.
    pub(crate) fn with_new_actor(signing_key: SigningKey) -> Self {
        let member = MemberId::from_bytes(signing_key.verifying_key().to_bytes());
        let mut nonce = [0u8; 16];
        rand::fill(&mut nonce);
        let actor = derive_actor(&member, &nonce);
        let signature = signing_key.sign(&actor_certificate_bytes(&actor, &member)).to_bytes();
        let mut actor_certificate = [0u8; ACTOR_CERTIFICATE_LEN];
        actor_certificate.iter_mut().zip(nonce.iter().chain(signature.iter())).for_each(|(o, b)| *o = *b);
        Self { signing_key, actor, actor_certificate }
    }

    /// The same member key with a fresh actor (a second device of the same member).
    #[cfg_attr(not(feature = "test-support"), allow(dead_code))]
    pub(crate) fn with_another_actor(&self) -> Self {
        Self::with_new_actor(self.signing_key.clone())
    }

    /// Rebuilds the identity from what storage kept.
    pub(crate) fn from_stored(secret: &[u8], actor: &[u8], certificate: &[u8]) -> Result<Self> {
        let secret: [u8; 32] =
            secret.try_into().map_err(|_| Error::internal("stored member key has the wrong length"))?;
        let signing_key = SigningKey::from_bytes(&secret);
        let actor = ActorId::from(actor);
        let actor_certificate: [u8; ACTOR_CERTIFICATE_LEN] =
            certificate.try_into().map_err(|_| Error::internal("stored actor certificate has the wrong length"))?;
        let identity = Self { signing_key, actor, actor_certificate };
        verify_actor_certificate(&identity.actor, &identity.member_id(), &identity.actor_certificate)
            .map_err(|_| Error::internal("stored actor certificate does not match the member key"))?;
        Ok(identity)
    }

    pub(crate) fn member_id(&self) -> MemberId {
        MemberId::from_bytes(self.signing_key.verifying_key().to_bytes())
    }

    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub(crate) fn secret_bytes(&self) -> [u8; 32] {
        self.signing_key.to_bytes()
    }

    pub(crate) fn actor_certificate(&self) -> [u8; ACTOR_CERTIFICATE_LEN] {
        self.actor_certificate
    }

    /// The member key's secret in X25519 form: the ed25519 secret scalar (first half of SHA-512 of the seed), the
    /// same conversion as libsodium's `crypto_sign_ed25519_sk_to_curve25519` (X25519 clamps it on use). Its public
    /// half is the Montgomery form of the member id. Only the sync channel uses it, as its Noise static key, so a
    /// handshake proves possession of the member key itself (see `sync::channel`).
    pub(crate) fn x25519_secret(&self) -> [u8; 32] {
        self.signing_key.to_scalar_bytes()
    }

    /// Signs `message` with the member key (callers add their own domain prefix).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key.sign(message).to_bytes()
    }

    /// Signs one change of `doc`. Runs of changes may later share a signature on their last change; locally every
    /// change is signed on its own, which costs about 20 microseconds.
    pub(crate) fn sign_change(&self, doc: &DocId, change: &ChangeHash) -> [u8; 64] {
        self.signing_key.sign(&change_signature_bytes(doc, change)).to_bytes()
    }
}

/// The bytes an actor certificate signs: domain, actor id, member key.
pub fn actor_certificate_bytes(actor: &ActorId, member: &MemberId) -> Vec<u8> {
    let actor = actor.to_bytes();
    let mut out = Vec::with_capacity(ACTOR_CERT_DOMAIN.len() + 1 + actor.len() + 32);
    out.extend_from_slice(ACTOR_CERT_DOMAIN);
    // Length prefix: actor ids are variable length, and the encoding must be unambiguous.
    out.push(u8::try_from(actor.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(actor);
    out.extend_from_slice(member.as_bytes());
    out
}

/// The bytes a change signature signs: domain, document id, change hash.
pub fn change_signature_bytes(doc: &DocId, change: &ChangeHash) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHANGE_SIG_DOMAIN.len() + 16 + 32);
    out.extend_from_slice(CHANGE_SIG_DOMAIN);
    out.extend_from_slice(doc.as_bytes());
    out.extend_from_slice(&change.0);
    out
}

fn verifying_key(member: &MemberId) -> Result<VerifyingKey> {
    VerifyingKey::from_bytes(member.as_bytes())
        .map_err(|_| Error::invalid("member id", "not a valid ed25519 public key"))
}

fn signature(bytes: &[u8]) -> Result<Signature> {
    Signature::from_slice(bytes).map_err(|_| Error::invalid("signature", "expected 64 bytes"))
}

/// The actor id a member's nonce gives.
fn derive_actor(member: &MemberId, nonce: &[u8; 16]) -> ActorId {
    let mut hasher = Sha256::new();
    hasher.update(ACTOR_DOMAIN);
    hasher.update(member.as_bytes());
    hasher.update(nonce);
    ActorId::from(crate::ids::digest16(hasher))
}

/// Checks that `actor` belongs to `member`: it derives from the member key and the certificate's nonce, and the
/// member signed the claim.
pub fn verify_actor_certificate(actor: &ActorId, member: &MemberId, certificate: &[u8]) -> Result<()> {
    let bad = |why: &str| Error::invalid("actor certificate", why.to_owned());
    let (nonce, sig) = certificate.split_first_chunk::<16>().ok_or_else(|| bad("too short"))?;
    if derive_actor(member, nonce) != *actor {
        return Err(bad("the actor does not belong to this member"));
    }
    verifying_key(member)?
        .verify_strict(&actor_certificate_bytes(actor, member), &signature(sig)?)
        .map_err(|_| bad("signature does not verify"))
}

/// Checks that `member` signed `change` of `doc`.
pub fn verify_change_signature(doc: &DocId, change: &ChangeHash, member: &MemberId, sig: &[u8]) -> Result<()> {
    verifying_key(member)?
        .verify_strict(&change_signature_bytes(doc, change), &signature(sig)?)
        .map_err(|_| Error::invalid("change signature", "signature does not verify"))
}

/// Checks `member`'s signature over `message` (callers include their own domain prefix).
pub fn verify_signature(member: &MemberId, message: &[u8], sig: &[u8]) -> Result<()> {
    verifying_key(member)?
        .verify_strict(message, &signature(sig)?)
        .map_err(|_| Error::invalid("signature", "does not verify"))
}

/// Validates a display name: trimmed, 1 to [`MAX_DISPLAY_NAME_CHARS`] characters, no control characters.
pub(crate) fn validate_display_name(name: &str) -> Result<String> {
    crate::text::single_line("display name", name, MAX_DISPLAY_NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_and_change_signatures_verify_and_reject_tampering() {
        let id = LocalIdentity::generate();
        let member = id.member_id();
        assert!(verify_actor_certificate(id.actor(), &member, &id.actor_certificate()).is_ok());
        let other = LocalIdentity::generate();
        assert!(verify_actor_certificate(other.actor(), &member, &id.actor_certificate()).is_err());

        let doc = DocId::random();
        let hash = ChangeHash([9; 32]);
        let sig = id.sign_change(&doc, &hash);
        assert!(verify_change_signature(&doc, &hash, &member, &sig).is_ok());
        assert!(verify_change_signature(&DocId::random(), &hash, &member, &sig).is_err());
        assert!(verify_change_signature(&doc, &ChangeHash([8; 32]), &member, &sig).is_err());
        assert!(verify_change_signature(&doc, &hash, &other.member_id(), &sig).is_err());
    }

    #[test]
    fn stored_identity_round_trips_and_detects_mismatch() {
        let id = LocalIdentity::generate();
        let other = LocalIdentity::generate();
        // An actor another member certifies as theirs does not verify: it does not derive from their key.
        let mut forged = other.actor_certificate();
        forged[16..].copy_from_slice(&other.sign(&actor_certificate_bytes(id.actor(), &other.member_id())));
        assert!(verify_actor_certificate(id.actor(), &other.member_id(), &forged).is_err());
        let back = LocalIdentity::from_stored(&id.secret_bytes(), id.actor().to_bytes(), &id.actor_certificate());
        assert_eq!(back.map(|b| b.member_id()).ok(), Some(id.member_id()));
        assert!(
            LocalIdentity::from_stored(&other.secret_bytes(), id.actor().to_bytes(), &id.actor_certificate()).is_err()
        );
    }
}
