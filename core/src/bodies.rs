//! Message bodies: the words of a message, kept outside the Automerge history so that they can be erased.
//!
//! A message's segment never holds its words: a post's id is the first 16 bytes of the SHA-256 of its body, and an
//! edit writes the whole SHA-256 of the new body (`body`); the body is a small separate object, `postcard(Body)`, that phones exchange beside the history (`crate::sync::session`: a phone asks
//! a member for the bodies its messages name and it lacks; bundles carry the bodies their exporter holds). A body is
//! taken only when a message this phone holds names its hash, so nobody can make a phone keep words no message
//! names, and a body is accepted only in its canonical encoding, so the words a phone holds re-encode to the very
//! bytes the history names and it can pass them on.
//!
//! Erasing a message (its author's signed change, a moderator's signed entry, or the author leaving with erasure)
//! deletes its `body` from the map; every phone that receives that drops the words from its read model (SQLite's
//! `secure_delete` overwrites them; the write-ahead log is truncated after an erasure) and never asks for them again,
//! and since the history never held them, no Automerge chunk, snapshot, bundle or later join carries them.
//!
//! Each body starts with 8 random bytes (`salt`), erased with it: what stays in the history, the hash, cannot be
//! used to confirm a guess at the erased words. An edit writes a new body (with a new salt) and the old one is
//! dropped at once, so an edited message's earlier words are not kept either.

use rusqlite::Transaction;
use sha2::{Digest, Sha256};

use crate::error::{Error, Refusal, Result};
use crate::ids::{GroupId, MemberId};
use crate::kindred::WriteCtx;
use crate::messages::{MAX_CONTENT_WARNING_CHARS, MAX_MESSAGE_CHARS};
use crate::model::Update;
use crate::storage::groups::{self as group_store, GroupRef};
use crate::storage::messages as message_store;
use crate::sync::wire::Message;

/// Random bytes at the start of every body.
pub(crate) const SALT_LEN: usize = 8;

/// Largest body accepted from a peer, in bytes: the longest message and content warning in UTF-8, and framing.
pub(crate) const MAX_BODY_BYTES: usize = SALT_LEN + 4 * (MAX_MESSAGE_CHARS + MAX_CONTENT_WARNING_CHARS) + 16;

/// Most body hashes one request names (by their first 8 bytes): small answers, so that a link that drops loses little
/// of one in flight (each answer is taken in as it arrives), and far under the channel's 4 MiB message.
pub(crate) const MAX_WANTED: usize = 256;

/// The words of one version of a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Body {
    pub salt: [u8; SALT_LEN],
    pub text: String,
    pub content_warning: Option<String>,
}

/// The SHA-256 of a body's encoding.
pub(crate) type BodyHash = [u8; 32];

/// How a message's map names its words now: a post's id is the first 16 bytes of its first body's hash (so the
/// history names it at no cost); an edit names the new body by its whole hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyName {
    Id([u8; 16]),
    Hash(BodyHash),
}

impl BodyName {
    /// As the read model stores it: 16 or 32 bytes (a body whose hash starts with these is the one named).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Id(id) => id,
            Self::Hash(hash) => hash,
        }
    }
}

/// Whether `hash` is the hash of a body named `name` (16 bytes: its start; 32: all of it), as stored.
pub(crate) fn names(name: &[u8], hash: &BodyHash) -> bool {
    !name.is_empty() && hash.starts_with(name)
}

impl Body {
    /// A new body with a fresh salt.
    pub(crate) fn new(text: &str, content_warning: Option<&str>) -> Self {
        let mut salt = [0u8; SALT_LEN];
        rand::fill(&mut salt);
        Self { salt, text: text.to_owned(), content_warning: content_warning.map(str::to_owned) }
    }

    /// The bytes that travel and that the hash covers.
    pub(crate) fn encode(&self) -> Result<Vec<u8>> {
        postcard::to_stdvec(self).map_err(|e| Error::internal(format!("encoding a message body: {e}")))
    }

    /// The hash the history names.
    pub(crate) fn hash(&self) -> Result<BodyHash> {
        Ok(hash_of(&self.encode()?))
    }

    /// Parses a body from a peer: within the sizes local input obeys, and in its one canonical encoding (anything
    /// else could not be passed on under the hash that names it).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_BODY_BYTES {
            return Err(Refusal::Oversized.because(format!("a message body of {} bytes", bytes.len())));
        }
        let body: Self =
            postcard::from_bytes(bytes).map_err(|_| Refusal::Malformed.because("a malformed message body"))?;
        let bad_text = |s: &str, max: usize, lines: bool| {
            s.chars().count() > max || s.chars().any(|c| c.is_control() && !(lines && (c == '\n' || c == '\t')))
        };
        if bad_text(&body.text, MAX_MESSAGE_CHARS, true)
            || body
                .content_warning
                .as_deref()
                .is_some_and(|cw| cw.trim().is_empty() || bad_text(cw, MAX_CONTENT_WARNING_CHARS, false))
        {
            return Err(Refusal::Malformed.because("a message body beyond what a post may hold"));
        }
        if body.encode()? != bytes {
            return Err(Refusal::Malformed.because("a message body not in its canonical encoding"));
        }
        Ok(body)
    }
}

/// The SHA-256 of body bytes.
pub(crate) fn hash_of(bytes: &[u8]) -> BodyHash {
    Sha256::digest(bytes).into()
}

/// The first 8 bytes of a body's name: how a request names it.
pub(crate) fn tag_of(name: &[u8]) -> [u8; 8] {
    let mut tag = [0u8; 8];
    for (to, from) in tag.iter_mut().zip(name) {
        *to = *from;
    }
    tag
}

/// The requests for the bodies this phone lacks in `groups` (those the peer's Clocks named) of which `peer` is an
/// active member here: the only peers bodies are taken from. `link_chunk` is the link's transfer chunk: a request
/// asks for about as many bodies as two carry (at least one, at most [`MAX_WANTED`]): answers large enough to
/// compress well, small enough that a link dropping every few frames still takes in whole ones.
pub(crate) fn requests(
    tx: &Transaction<'_>,
    peer: &MemberId,
    groups: &[[u8; 16]],
    link_chunk: usize,
) -> Result<Vec<Message>> {
    let per_request = (link_chunk * 2 / TYPICAL_BODY_BYTES).clamp(1, MAX_WANTED);
    let mut out = Vec::new();
    for group in groups {
        let Some(group_ref) = group_store::group_ref(tx, &GroupId::from_bytes(*group))? else { continue };
        if !active(tx, group_ref, peer)? {
            continue;
        }
        for chunk in wanted_tags(tx, group_ref)?.chunks(per_request) {
            out.push(Message::WantBodies { group: *group, tags: chunk.to_vec() });
        }
    }
    Ok(out)
}

/// How this phone asks for each body it lacks in the group: the first 8 bytes of its name.
pub(crate) fn wanted_tags(tx: &Transaction<'_>, group_ref: GroupRef) -> Result<Vec<[u8; 8]>> {
    Ok(message_store::wanted_bodies(tx, group_ref, usize::MAX)?.iter().map(|name| tag_of(name)).collect())
}

/// What this phone sends for a peer's request: the bodies it holds of those asked for, for an active member of the
/// group only (anyone else is refused: they would learn words they may not read).
pub(crate) fn answer(tx: &Transaction<'_>, peer: &MemberId, group: &GroupId, tags: &[[u8; 8]]) -> Result<Vec<Vec<u8>>> {
    let group_ref = group_store::group_ref(tx, group)?.filter(|g| active(tx, *g, peer).unwrap_or(false));
    let Some(group_ref) = group_ref else {
        return Err(
            Refusal::NotAMember.because(format!("a request for message bodies of group {group} by a non-member"))
        );
    };
    let mut out = Vec::new();
    let mut size = 0;
    for tag in tags {
        for body in message_store::bodies_tagged(tx, group_ref, tag)? {
            size += body.len();
            // Within what one message carries (the asker asks again for what is left at its next sync).
            if size > MAX_ANSWER_BYTES {
                return Ok(out);
            }
            out.push(body);
        }
    }
    Ok(out)
}

/// Takes in bodies from a peer for `group`, keeping each only if a message here names its hash and lacks it; returns
/// how many were taken. A body that is not well formed is the sender's doing: refused.
pub(crate) fn receive(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, bodies: &[Vec<u8>]) -> Result<u64> {
    let Some(group_ref) = group_store::group_ref(ctx.tx, group)? else { return Ok(0) };
    let mut filled = Vec::new();
    let mut taken = 0;
    for bytes in bodies {
        let body = Body::decode(bytes)?;
        let ids = message_store::fill_body(ctx.tx, group_ref, &hash_of(bytes), &body)?;
        taken += u64::from(!ids.is_empty());
        filled.extend(ids);
    }
    if !filled.is_empty() {
        ctx.updates.push(Update::Messages { group_id: *group, message_ids: filled });
    }
    Ok(taken)
}

/// Whether `member` is an active member of the group here.
fn active(tx: &Transaction<'_>, group_ref: GroupRef, member: &MemberId) -> Result<bool> {
    Ok(group_store::standing(tx, group_ref, member)?.is_some_and(|s| !s.removed))
}

/// A body's usual size on the wire, for sizing requests to a link (a message of a line or two, its salt and framing).
const TYPICAL_BODY_BYTES: usize = 128;

/// Most bytes of bodies in one answer (under the channel's 4 MiB message).
const MAX_ANSWER_BYTES: usize = 3 * 1024 * 1024;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_body_round_trips_and_names_itself_by_its_hash() {
        let body = Body::new("I told my sister today.", Some("family"));
        let bytes = body.encode().unwrap();
        assert_eq!(Body::decode(&bytes).unwrap(), body);
        assert_eq!(hash_of(&bytes), body.hash().unwrap());
        // The same words never make the same hash twice: the salt is fresh.
        assert_ne!(Body::new("I told my sister today.", Some("family")).hash().unwrap(), body.hash().unwrap());
    }

    #[test]
    fn oversized_malformed_and_non_canonical_bodies_are_refused() {
        let too_long = Body { salt: [0; SALT_LEN], text: "x".repeat(MAX_MESSAGE_CHARS + 1), content_warning: None };
        assert!(Body::decode(&too_long.encode().unwrap()).is_err());
        assert!(Body::decode(&[0xff; 40]).is_err());
        assert!(Body::decode(&vec![0; MAX_BODY_BYTES + 1]).is_err());
        let control = Body { salt: [0; SALT_LEN], text: "a\u{7}b".into(), content_warning: None };
        assert!(Body::decode(&control.encode().unwrap()).is_err());
        // A length written as a two-byte varint where one byte would do decodes to the same body but is not the
        // canonical encoding: refused.
        let plain = Body { salt: [0; SALT_LEN], text: "hi".into(), content_warning: None }.encode().unwrap();
        let mut overlong = plain[..SALT_LEN].to_vec();
        overlong.extend_from_slice(&[0x82, 0x00]);
        overlong.extend_from_slice(&plain[SALT_LEN + 1..]);
        assert!(Body::decode(&overlong).is_err());
        assert!(Body::decode(&plain).is_ok());
    }
}
