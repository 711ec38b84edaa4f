//! What the store sees, and how it is kept from reading it: names, sizes and sealed bytes.
//!
//! - **Names.** A group's mailbox is the prefix `kindred/<32 hex>/`, a keyed BLAKE2s of the group id (which only
//!   those holding an invitation or the group know); an object's name below it is a keyed hash, under the epoch key
//!   that encrypts it, of who wrote it and its number. The store learns no group id, member, key or order from a name.
//! - **Sizes.** Every object is padded to one of a few sizes: 1 KiB times a power of two, or one and a half times
//!   one (two sizes an octave, so padding adds at most half), up to 1 MiB; then whole MiB.
//! - **Data objects** are XChaCha20-Poly1305 under the group's epoch key (random 24-byte nonce), with the object's
//!   name as associated data, so an object moved to another name (or another group's mailbox) does not open.
//! - **Key objects** hand an epoch key to each of its members: one Noise `N` slot per member (`crate::sealed`'s
//!   seal, to the member key in X25519 form, the group id in the prologue), then the signed epoch header sealed under
//!   the key itself. Nothing in the clear says how many slots there are or whose they are.
//! - **Join requests** are one Noise `N` message to the inviter's key, padded like everything else.
//!
//! A reader tries what it holds (its epoch keys, then its own slot, then a join request for it) and takes an object
//! that opens no way as junk, fetched once and never again.

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};

use crate::error::{Error, Result};
use crate::ids::GroupId;
use crate::sealed::{open_padded, seal_padded};
use crate::vault::prf;

/// Smallest object size; sizes go up by halves and doubles (1, 1.5, 2, 3, 4, 6... KiB) up to
/// [`BUCKET_DOUBLING_UNTIL`].
const SMALLEST_OBJECT: usize = 1024;
/// Past this size, objects are padded to a whole multiple of it.
const BUCKET_DOUBLING_UNTIL: usize = 1024 * 1024;
/// Largest object a phone writes or fetches.
pub const MAX_OBJECT_BYTES: usize = 32 * 1024 * 1024;
/// Most key slots a reader tries in one object (a group's members, with room).
pub(crate) const MAX_SLOTS: usize = 64;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// A key slot's plaintext: epoch id, epoch key, slot count.
const SLOT_PLAIN: usize = 16 + 32 + 1;
/// A slot's padded plaintext (with its two length bytes) and its sealed size.
const SLOT_PADDED: usize = SLOT_PLAIN + 2;
const SLOT_LEN: usize = SLOT_PADDED + 48;
/// A join request's padded plaintext.
const JOIN_PADDED: usize = 1024 - 48;
const JOIN_LEN: usize = JOIN_PADDED + 48;

/// An epoch's id and key.
pub(crate) type EpochKey = ([u8; 16], [u8; 32]);

/// The prefix every object of `group`'s mailbox is named under.
pub(crate) fn mailbox(group: &GroupId) -> String {
    let tag = prf(group.as_bytes(), b"kindred/relay/mailbox/v1");
    format!("kindred/{}/", hex::encode(tag.get(..16).unwrap_or_default()))
}

/// The name of `writer`'s object number `seq` under the epoch key `key` (`kind` tells data from key objects).
pub(crate) fn object_name(prefix: &str, key: &[u8; 32], kind: &[u8], writer: &[u8; 32], seq: u64) -> String {
    let mut label = b"kindred/relay/object/v1".to_vec();
    label.extend_from_slice(kind);
    label.extend_from_slice(writer);
    label.extend_from_slice(&seq.to_be_bytes());
    let tag = prf(key, &label);
    format!("{prefix}{}", hex::encode(tag.get(..16).unwrap_or_default()))
}

/// Whether `name` is shaped like a name this mailbox uses (anything else under the prefix is never fetched).
pub(crate) fn well_named(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The size an object of `len` bytes is padded to.
pub(crate) fn padded_size(len: usize) -> usize {
    if len <= BUCKET_DOUBLING_UNTIL {
        let power = len.max(SMALLEST_OBJECT).next_power_of_two();
        if power > SMALLEST_OBJECT && len <= power / 4 * 3 { power / 4 * 3 } else { power }
    } else {
        len.div_ceil(BUCKET_DOUBLING_UNTIL) * BUCKET_DOUBLING_UNTIL
    }
}

fn too_big() -> Error {
    Error::invalid("relay object", "is larger than a mailbox object may be")
}

/// Seals `plaintext` under `key` into exactly `size` bytes (nonce, then the padded plaintext with its length).
fn seal_to(key: &[u8; 32], name: &str, plaintext: &[u8], size: usize) -> Result<Vec<u8>> {
    let inner_len = size.checked_sub(NONCE_LEN + TAG_LEN).filter(|l| *l >= plaintext.len() + 4).ok_or_else(too_big)?;
    let len = u32::try_from(plaintext.len()).map_err(|_| too_big())?;
    let mut inner = Vec::with_capacity(inner_len);
    inner.extend_from_slice(&len.to_be_bytes());
    inner.extend_from_slice(plaintext);
    inner.resize(inner_len, 0);
    let mut nonce = [0u8; NONCE_LEN];
    rand::fill(&mut nonce);
    let sealed = XChaCha20Poly1305::new(key.into())
        .encrypt(&nonce.into(), Payload { msg: &inner, aad: name.as_bytes() })
        .map_err(|_| Error::internal("sealing a relay object"))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// Opens what [`seal_to`] made, or `None`.
fn open_from(key: &[u8; 32], name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let (nonce, sealed) = bytes.split_at_checked(NONCE_LEN)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let inner = XChaCha20Poly1305::new(key.into())
        .decrypt(&nonce.into(), Payload { msg: sealed, aad: name.as_bytes() })
        .ok()?;
    let len = u32::from_be_bytes(inner.get(..4)?.try_into().ok()?) as usize;
    inner.get(4..4 + len).map(<[u8]>::to_vec)
}

/// A data object: `plaintext` under the epoch key, padded.
pub(crate) fn seal_data(key: &[u8; 32], name: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    let size = padded_size(plaintext.len() + 4 + NONCE_LEN + TAG_LEN);
    if size > MAX_OBJECT_BYTES {
        return Err(too_big());
    }
    seal_to(key, name, plaintext, size)
}

/// Opens a data object with one of `keys`.
pub(crate) fn open_data(keys: &[EpochKey], name: &str, bytes: &[u8]) -> Option<([u8; 16], Vec<u8>)> {
    keys.iter().find_map(|(id, key)| open_from(key, name, bytes).map(|p| (*id, p)))
}

fn slot_prologue(group: &GroupId) -> Vec<u8> {
    [b"kindred/relay/key-slot/v1".as_slice(), group.as_bytes()].concat()
}

fn join_prologue(group: &GroupId) -> Vec<u8> {
    [b"kindred/relay/join/v1".as_slice(), group.as_bytes()].concat()
}

/// A key object: a slot for each of `recipients` (X25519 keys) holding `epoch`, then `header` under its key.
pub(crate) fn seal_key_object(
    group: &GroupId,
    epoch: &EpochKey,
    recipients: &[[u8; 32]],
    name: &str,
    header: &[u8],
) -> Result<Vec<u8>> {
    let count = u8::try_from(recipients.len()).ok().filter(|n| usize::from(*n) <= MAX_SLOTS).ok_or_else(too_big)?;
    let mut slot = Vec::with_capacity(SLOT_PLAIN);
    slot.extend_from_slice(&epoch.0);
    slot.extend_from_slice(&epoch.1);
    slot.push(count);
    let mut out = Vec::new();
    for recipient in recipients {
        out.extend(seal_padded(&slot_prologue(group), recipient, &slot, SLOT_PADDED)?);
    }
    let size = padded_size(out.len() + header.len() + 4 + NONCE_LEN + TAG_LEN);
    out.extend(seal_to(&epoch.1, name, header, size - out.len())?);
    Ok(out)
}

/// Opens a key object with this profile's X25519 secret: the epoch and its sealed header.
pub(crate) fn open_key_object(
    group: &GroupId,
    secret: &[u8; 32],
    name: &str,
    bytes: &[u8],
) -> Option<(EpochKey, Vec<u8>)> {
    let prologue = slot_prologue(group);
    for slot in bytes.chunks_exact(SLOT_LEN).take(MAX_SLOTS) {
        let Some(plain) = open_padded(&prologue, secret, slot, SLOT_PADDED) else { continue };
        let id: [u8; 16] = plain.get(..16)?.try_into().ok()?;
        let key: [u8; 32] = plain.get(16..48)?.try_into().ok()?;
        let count = usize::from(*plain.get(48)?);
        let header = open_from(&key, name, bytes.get(count * SLOT_LEN..)?)?;
        return Some(((id, key), header));
    }
    None
}

/// A join request sealed to the inviter's X25519 key, padded to the smallest object size.
pub(crate) fn seal_join(group: &GroupId, inviter: &[u8; 32], request: &[u8]) -> Result<Vec<u8>> {
    let mut out = seal_padded(&join_prologue(group), inviter, request, JOIN_PADDED)?;
    let mut padding = vec![0u8; padded_size(out.len()) - out.len()];
    rand::fill(padding.as_mut_slice());
    out.extend(padding);
    Ok(out)
}

/// Opens a join request sealed to this profile's key.
pub(crate) fn open_join(group: &GroupId, secret: &[u8; 32], bytes: &[u8]) -> Option<Vec<u8>> {
    open_padded(&join_prologue(group), secret, bytes.get(..JOIN_LEN)?, JOIN_PADDED)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::identity::LocalIdentity;

    #[test]
    fn objects_open_only_under_their_key_and_name_and_come_in_few_sizes() {
        let group = GroupId::from_bytes([3; 16]);
        let prefix = mailbox(&group);
        assert!(prefix.starts_with("kindred/") && !prefix.contains(&hex::encode([3u8; 16])));
        let key = [7u8; 32];
        let name = object_name(&prefix, &key, b"d", &[1; 32], 5);
        assert!(well_named(&prefix, &name));
        assert_ne!(name, object_name(&prefix, &key, b"d", &[1; 32], 6));
        let sealed = seal_data(&key, &name, b"marker words").unwrap();
        assert_eq!(sealed.len(), 1024);
        assert!(!sealed.windows(6).any(|w| w == b"marker"));
        assert_eq!(open_data(&[([0; 16], key)], &name, &sealed).unwrap().1, b"marker words");
        assert!(open_data(&[([0; 16], [8; 32])], &name, &sealed).is_none());
        let other = object_name(&prefix, &key, b"d", &[1; 32], 6);
        assert!(open_data(&[([0; 16], key)], &other, &sealed).is_none(), "moved to another name, it does not open");
        assert_eq!(padded_size(1025), 1536);
        assert_eq!(padded_size(1537), 2048);
        assert_eq!(padded_size(700 * 1024), 768 * 1024);
        assert_eq!(padded_size(1024 * 1024 + 1), 2 * 1024 * 1024);

        let (alice, bob, eve) = (LocalIdentity::generate(), LocalIdentity::generate(), LocalIdentity::generate());
        let keys: Vec<[u8; 32]> =
            [&alice, &bob].iter().map(|i| crate::sealed::key_of(&i.member_id()).unwrap()).collect();
        let epoch = ([9u8; 16], [4u8; 32]);
        let key_object = seal_key_object(&group, &epoch, &keys, &name, b"header").unwrap();
        assert_eq!(key_object.len(), 1024);
        for who in [&alice, &bob] {
            assert_eq!(
                open_key_object(&group, &who.x25519_secret(), &name, &key_object).unwrap(),
                (epoch, b"header".to_vec())
            );
        }
        assert!(open_key_object(&group, &eve.x25519_secret(), &name, &key_object).is_none());
        assert!(open_key_object(&GroupId::from_bytes([4; 16]), &bob.x25519_secret(), &name, &key_object).is_none());
        let join = seal_join(&group, &keys[0], b"let me in").unwrap();
        assert_eq!(join.len(), 1024);
        assert_eq!(open_join(&group, &alice.x25519_secret(), &join).unwrap(), b"let me in");
        assert!(open_join(&group, &bob.x25519_secret(), &join).is_none());
    }
}
