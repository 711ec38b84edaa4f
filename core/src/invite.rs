//! Invitation codes: how a new person joins a group without a server, and how every phone checks that they did.
//!
//! An owner or moderator creates a code. It holds a fresh *invitation key pair* (its 32-byte secret seed travels only
//! inside the code) and the inviter's signature over the group's id and name, the inviter's member key, an expiry and
//! the invitation's public key: the [`Invitation`]. The group document records the invitation under its public key.
//!
//! The invitee never hands the code over. To join, their phone signs the group id and their own member key with the
//! invitation's secret (a *proof of possession*, [`InviteCode::prove`]) and sends the invitation and that proof to
//! whichever member it meets first. That member records both in the admission change, so every phone can check, from
//! signed data alone, that the admitted key held the code and that a then-entitled inviter issued it. The invitation
//! travels whole, so a member who has not yet heard of it can still admit its holder. Nobody, member or not, can admit
//! a key without the code's secret, and reading the group document reveals no secret.
//!
//! Expiry is the admitting phone's own check against its own clock: a change's timestamp is chosen by its author and
//! grants nothing. Single use is the group's rule: of several admissions with one invitation, every phone keeps the
//! same one (see `crate::sync::authority`).
//!
//! The text form is `KINDRED:` plus unpadded base32 (upper-case letters and digits, QR alphanumeric mode): about 250
//! characters, comfortably one QR code.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::error::{Error, Result};
use crate::identity::LocalIdentity;
use crate::ids::{GroupId, MemberId};

const PREFIX: &str = "KINDRED:";
const SIGN_DOMAIN: &[u8] = b"kindred/invite/v2";
const PROOF_DOMAIN: &[u8] = b"kindred/admit/v1";
/// Longest code text accepted, before any decoding.
pub const MAX_CODE_CHARS: usize = 400;
/// Longest an invitation may stay valid: 30 days.
pub const MAX_VALIDITY_MS: i64 = 30 * 24 * 3600 * 1000;

/// The public, inviter-signed part of an invitation: what the group document records and what a joining phone
/// presents. It carries no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The group it admits to.
    pub group_id: GroupId,
    /// The group's name when the code was made, to show the invitee before they join.
    pub group_name: String,
    /// Who issued it.
    pub inviter: MemberId,
    /// When it stops being accepted (by the admitting phone's clock).
    pub expires_at: i64,
    /// The invitation's public key: proofs of possession verify against it.
    pub key: [u8; 32],
    /// The inviter's signature over all of the above.
    pub signature: [u8; 64],
}

fn signed_bytes(group: &GroupId, name: &str, inviter: &MemberId, expires_at: i64, key: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGN_DOMAIN.len() + 16 + 32 + 8 + 32 + name.len());
    out.extend_from_slice(SIGN_DOMAIN);
    out.extend_from_slice(group.as_bytes());
    out.extend_from_slice(inviter.as_bytes());
    out.extend_from_slice(&expires_at.to_be_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(name.as_bytes());
    out
}

fn proof_bytes(group: &GroupId, invitee: &MemberId) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_DOMAIN.len() + 16 + 32);
    out.extend_from_slice(PROOF_DOMAIN);
    out.extend_from_slice(group.as_bytes());
    out.extend_from_slice(invitee.as_bytes());
    out
}

impl Invitation {
    /// Checks the inviter's signature (not the expiry, and not whether the inviter may invite: that depends on the
    /// group's history, see `crate::sync::authority`).
    pub fn verify(&self) -> Result<()> {
        let bad = |why: &str| Error::invalid("invitation", why.to_owned());
        if self.group_name.chars().count() > crate::groups::MAX_GROUP_NAME_CHARS {
            return Err(bad("the group name in it is too long"));
        }
        let inviter =
            VerifyingKey::from_bytes(self.inviter.as_bytes()).map_err(|_| bad("the inviter key is invalid"))?;
        inviter
            .verify_strict(
                &signed_bytes(&self.group_id, &self.group_name, &self.inviter, self.expires_at, &self.key),
                &Signature::from_bytes(&self.signature),
            )
            .map_err(|_| bad("its signature does not match (forged or damaged)"))
    }

    /// Checks a proof that `invitee` holds this invitation's secret.
    pub fn verify_proof(&self, invitee: &MemberId, proof: &[u8]) -> Result<()> {
        let bad = || Error::invalid("proof of invitation", "it does not verify (the code was not held by this key)");
        let key = VerifyingKey::from_bytes(&self.key).map_err(|_| bad())?;
        let proof = Signature::from_slice(proof).map_err(|_| bad())?;
        key.verify_strict(&proof_bytes(&self.group_id, invitee), &proof).map_err(|_| bad())
    }

    /// The key under which the group document records this invitation: its public key in hex.
    pub fn record_key(&self) -> String {
        hex::encode(self.key)
    }

    /// Whether it has expired at `now`.
    pub fn expired(&self, now: i64) -> bool {
        now > self.expires_at
    }

    /// The binary form a joining phone sends: `version | group 16 | inviter 32 | expires_at 8 | key 32 |
    /// signature 64 | group name (the rest)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(INVITATION_FIXED_LEN + self.group_name.len());
        bytes.push(LAYOUT_VERSION);
        bytes.extend_from_slice(self.group_id.as_bytes());
        bytes.extend_from_slice(self.inviter.as_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.key);
        bytes.extend_from_slice(&self.signature);
        bytes.extend_from_slice(self.group_name.as_bytes());
        bytes
    }

    /// Reads the binary form and checks the inviter's signature.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = || Error::invalid("invitation", "it is damaged");
        if bytes.len() > MAX_CODE_CHARS {
            return Err(bad());
        }
        let (version, rest) = bytes.split_first().ok_or_else(bad)?;
        if *version != LAYOUT_VERSION {
            return Err(bad());
        }
        let (group, rest) = rest.split_first_chunk::<16>().ok_or_else(bad)?;
        let (inviter, rest) = rest.split_first_chunk::<32>().ok_or_else(bad)?;
        let (expires_at, rest) = rest.split_first_chunk::<8>().ok_or_else(bad)?;
        let (key, rest) = rest.split_first_chunk::<32>().ok_or_else(bad)?;
        let (signature, name) = rest.split_first_chunk::<64>().ok_or_else(bad)?;
        let invitation = Self {
            group_id: GroupId::from_bytes(*group),
            group_name: String::from_utf8(name.to_vec()).map_err(|_| bad())?,
            inviter: MemberId::from_bytes(*inviter),
            expires_at: i64::from_be_bytes(*expires_at),
            key: *key,
            signature: *signature,
        };
        invitation.verify()?;
        Ok(invitation)
    }
}

const INVITATION_FIXED_LEN: usize = 1 + 16 + 32 + 8 + 32 + 64;

/// A decoded invitation code: the invitation and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode {
    /// The group it admits to.
    pub group_id: GroupId,
    /// The group's name, to show the invitee before they join.
    pub group_name: String,
    /// The owner or moderator who made it.
    pub inviter: MemberId,
    /// When it stops being accepted (by the admitting phone's clock).
    pub expires_at: i64,
    seed: [u8; 32],
    signature: [u8; 64],
}

/// Layout version of the binary form: `version | group 16 | inviter 32 | expires_at 8 (big-endian) | seed 32 |
/// signature 64 | group name (UTF-8, the rest)`. Fixed offsets, nothing to misparse.
const LAYOUT_VERSION: u8 = 2;
const FIXED_LEN: usize = 1 + 16 + 32 + 8 + 32 + 64;

impl InviteCode {
    /// A new, signed invitation to `group`.
    pub(crate) fn create(identity: &LocalIdentity, group: GroupId, group_name: &str, expires_at: i64) -> Self {
        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        let key = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let inviter = identity.member_id();
        let signature = identity.sign(&signed_bytes(&group, group_name, &inviter, expires_at, &key));
        Self { group_id: group, group_name: group_name.to_owned(), inviter, expires_at, seed, signature }
    }

    /// The public part, as the group document records it and a joining phone presents it.
    pub fn invitation(&self) -> Invitation {
        Invitation {
            group_id: self.group_id,
            group_name: self.group_name.clone(),
            inviter: self.inviter,
            expires_at: self.expires_at,
            key: SigningKey::from_bytes(&self.seed).verifying_key().to_bytes(),
            signature: self.signature,
        }
    }

    /// A proof that `invitee` holds this code: the invitation's secret signs the group id and the invitee's key.
    pub fn prove(&self, invitee: &MemberId) -> [u8; 64] {
        use ed25519_dalek::Signer;
        SigningKey::from_bytes(&self.seed).sign(&proof_bytes(&self.group_id, invitee)).to_bytes()
    }

    /// The text to share (and put in a QR code).
    pub fn to_text(&self) -> Result<String> {
        let mut bytes = Vec::with_capacity(FIXED_LEN + self.group_name.len());
        bytes.push(LAYOUT_VERSION);
        bytes.extend_from_slice(self.group_id.as_bytes());
        bytes.extend_from_slice(self.inviter.as_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.seed);
        bytes.extend_from_slice(&self.signature);
        bytes.extend_from_slice(self.group_name.as_bytes());
        Ok(format!("{PREFIX}{}", crate::base32::encode(&bytes)))
    }

    /// Reads a code as a person pasted or scanned it: case and surrounding whitespace do not matter. Checks its
    /// signature, not its expiry or whether the group still accepts it.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid("invitation code", why.to_owned());
        if text.len() > MAX_CODE_CHARS {
            return Err(bad("too long"));
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let body = compact.strip_prefix(PREFIX).ok_or_else(|| bad("it does not start with KINDRED:"))?;
        let bytes = crate::base32::decode(body).ok_or_else(|| bad("it is not a valid code (a typo?)"))?;
        let code = Self::from_binary(&bytes).ok_or_else(|| bad("it is damaged (or made by an older version)"))?;
        code.invitation().verify().map_err(|_| bad("its signature does not match (forged or damaged)"))?;
        Ok(code)
    }

    fn from_binary(bytes: &[u8]) -> Option<Self> {
        let (fixed, name) = bytes.split_at_checked(FIXED_LEN)?;
        let (version, rest) = fixed.split_first()?;
        if *version != LAYOUT_VERSION {
            return None;
        }
        let (group, rest) = rest.split_first_chunk::<16>()?;
        let (inviter, rest) = rest.split_first_chunk::<32>()?;
        let (expires_at, rest) = rest.split_first_chunk::<8>()?;
        let (seed, rest) = rest.split_first_chunk::<32>()?;
        let signature: [u8; 64] = rest.try_into().ok()?;
        Some(Self {
            group_id: GroupId::from_bytes(*group),
            group_name: String::from_utf8(name.to_vec()).ok()?,
            inviter: MemberId::from_bytes(*inviter),
            expires_at: i64::from_be_bytes(*expires_at),
            seed: *seed,
            signature,
        })
    }

    /// Whether the code has expired at `now`.
    pub fn expired(&self, now: i64) -> bool {
        now > self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_resist_tampering() {
        let id = LocalIdentity::generate();
        let group = GroupId::from_bytes([9; 16]);
        let code = InviteCode::create(&id, group, "Tuesday circle", 1_900_000_000_000);
        let text = code.to_text().unwrap();
        assert!(text.len() < 280, "{} chars", text.len());
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'));
        let back = InviteCode::parse(&format!("  {}\n", text.to_lowercase())).unwrap();
        assert_eq!(back, code);
        assert_eq!(back.invitation(), code.invitation());
        assert!(!back.expired(1_800_000_000_000) && back.expired(1_900_000_000_001));

        // Flip each character in turn: every altered code is refused (never a panic).
        let body_start = PREFIX.len();
        for i in body_start..text.len() {
            let mut chars: Vec<char> = text.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            if altered != text {
                assert!(InviteCode::parse(&altered).is_err(), "accepted a code altered at {i}");
            }
        }
        assert!(InviteCode::parse("hello").is_err());
        assert!(InviteCode::parse(&"KINDRED:".repeat(100)).is_err());
        assert!(InviteCode::parse("KINDRED:").is_err());
    }

    #[test]
    fn only_the_code_holder_can_prove_it_and_the_proof_names_one_key() {
        let inviter = LocalIdentity::generate();
        let code = InviteCode::create(&inviter, GroupId::from_bytes([3; 16]), "Circle", 1_900_000_000_000);
        let invitation = code.invitation();
        invitation.verify().unwrap();
        let (ada, mal) = (LocalIdentity::generate().member_id(), LocalIdentity::generate().member_id());
        let proof = code.prove(&ada);
        invitation.verify_proof(&ada, &proof).unwrap();
        // The proof admits Ada only; a member who saw it cannot reuse it for someone else.
        assert!(invitation.verify_proof(&mal, &proof).is_err());
        // The inviter's own signature is not a proof of possession, and neither is a signature by any member key.
        assert!(invitation.verify_proof(&ada, &invitation.signature).is_err());
        assert!(invitation.verify_proof(&ada, &[0; 63]).is_err());
        // Any field changed breaks the inviter's signature.
        let mut later = invitation.clone();
        later.expires_at += 1;
        assert!(later.verify().is_err());
        let mut other_group = invitation.clone();
        other_group.group_id = GroupId::from_bytes([4; 16]);
        assert!(other_group.verify().is_err());
        // A proof for one group does not carry to another with the same key.
        let mut moved = invitation;
        moved.group_id = GroupId::from_bytes([4; 16]);
        assert!(moved.verify_proof(&ada, &proof).is_err());
    }
}
