//! Invitation codes: how a new person joins a group without a server.
//!
//! An owner or moderator creates a code: the group's id and name, the inviter's member key, an expiry, a fresh
//! single-use secret, and the inviter's signature over all of it. The group document records the invitation under a
//! key derived from the secret (never the secret itself), so any member can later check a presented code. The
//! invitee joins with the code; the first member they sync with checks it and admits them with one signed change
//! that adds them and marks the invitation used, which makes it single-use across the group.
//!
//! The text form is `KINDRED:` plus unpadded base32 (upper-case letters and digits, QR alphanumeric mode): about 220
//! characters, comfortably one QR code.

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::identity::LocalIdentity;
use crate::ids::{GroupId, MemberId};

const PREFIX: &str = "KINDRED:";
const SIGN_DOMAIN: &[u8] = b"kindred/invite/v1";
const KEY_DOMAIN: &[u8] = b"kindred/invite-key/v1";
/// Longest code text accepted, before any decoding.
pub const MAX_CODE_CHARS: usize = 400;
/// Longest an invitation may stay valid: 30 days.
pub const MAX_VALIDITY_MS: i64 = 30 * 24 * 3600 * 1000;

/// A decoded invitation code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode {
    pub group_id: GroupId,
    /// The group's name, to show the invitee before they join.
    pub group_name: String,
    pub inviter: MemberId,
    pub expires_at: i64,
    secret: [u8; 16],
    signature: [u8; 64],
}

/// Layout version of the binary form: `version | group 16 | inviter 32 | expires_at 8 (big-endian) | secret 16 |
/// signature 64 | group name (UTF-8, the rest)`. Fixed offsets, nothing to misparse.
const LAYOUT_VERSION: u8 = 1;
const FIXED_LEN: usize = 1 + 16 + 32 + 8 + 16 + 64;

fn signed_bytes(group: &GroupId, name: &str, inviter: &MemberId, expires_at: i64, secret: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGN_DOMAIN.len() + 16 + 32 + 8 + 16 + name.len());
    out.extend_from_slice(SIGN_DOMAIN);
    out.extend_from_slice(group.as_bytes());
    out.extend_from_slice(inviter.as_bytes());
    out.extend_from_slice(&expires_at.to_be_bytes());
    out.extend_from_slice(secret);
    out.extend_from_slice(name.as_bytes());
    out
}

impl InviteCode {
    /// A new, signed invitation to `group`.
    pub(crate) fn create(identity: &LocalIdentity, group: GroupId, group_name: &str, expires_at: i64) -> Self {
        let mut secret = [0u8; 16];
        rand::fill(&mut secret);
        let inviter = identity.member_id();
        let signature = identity.sign(&signed_bytes(&group, group_name, &inviter, expires_at, &secret));
        Self { group_id: group, group_name: group_name.to_owned(), inviter, expires_at, secret, signature }
    }

    /// The key under which the group document records this invitation.
    pub fn key(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(KEY_DOMAIN);
        hasher.update(self.secret);
        hex::encode(hasher.finalize().get(..16).unwrap_or_default())
    }

    /// The text to share (and put in a QR code).
    pub fn to_text(&self) -> Result<String> {
        let mut bytes = Vec::with_capacity(FIXED_LEN + self.group_name.len());
        bytes.push(LAYOUT_VERSION);
        bytes.extend_from_slice(self.group_id.as_bytes());
        bytes.extend_from_slice(self.inviter.as_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.secret);
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
        let code = Self::from_binary(&bytes).ok_or_else(|| bad("it is damaged"))?;
        if code.group_name.chars().count() > crate::groups::MAX_GROUP_NAME_CHARS {
            return Err(bad("the group name in it is too long"));
        }
        let key = VerifyingKey::from_bytes(code.inviter.as_bytes()).map_err(|_| bad("the inviter key is invalid"))?;
        key.verify_strict(
            &signed_bytes(&code.group_id, &code.group_name, &code.inviter, code.expires_at, &code.secret),
            &Signature::from_bytes(&code.signature),
        )
        .map_err(|_| bad("its signature does not match (forged or damaged)"))?;
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
        let (secret, rest) = rest.split_first_chunk::<16>()?;
        let signature: [u8; 64] = rest.try_into().ok()?;
        Some(Self {
            group_id: GroupId::from_bytes(*group),
            group_name: String::from_utf8(name.to_vec()).ok()?,
            inviter: MemberId::from_bytes(*inviter),
            expires_at: i64::from_be_bytes(*expires_at),
            secret: *secret,
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
        assert!(text.len() < 260, "{} chars", text.len());
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'));
        let back = InviteCode::parse(&format!("  {}\n", text.to_lowercase())).unwrap();
        assert_eq!(back, code);
        assert_eq!(back.key(), code.key());
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
}
