//! Sealed items: what only one member may read (a report to a moderator, a warning to the member warned), carried
//! between members' phones so that no one else can tell who made an item, for whom, or whether it holds anything.
//!
//! **The seal.** An item is one Noise `N` message (`Noise_N_25519_ChaChaPoly_BLAKE2s`, by `snow`, the crate the sync
//! channel already uses): an ephemeral X25519 key, then [`PLAINTEXT_LEN`] bytes encrypted to the recipient's member
//! key in X25519 form (the same key their sync handshakes prove), with the group's id in the prologue, so an item
//! opens only as an item of its own group. Inside, padded: a payload signed by its author's member key.
//!
//! **Steady and covered.** Every member's phone makes [`ITEMS_PER_SLOT`] items per group in each [`SLOT_MS`] slot
//! (at its first sync or maintenance in the slot): what it has queued (a report for each moderator, a warning), and
//! for the rest cover items, sealed the same way to a throwaway key nobody holds. Real and cover items are the same
//! size and made at the same rate whether or not anyone reported anything.
//!
//! **Relayed, bounded, expiring.** A sync session sends the peer the items of shared groups it lacks (at most
//! [`MAX_ITEMS_PER_SESSION`] a group); phones keep at most [`MAX_POOL`] items a group (their own first), each for
//! [`ITEM_TTL_MS`]. The recipient's phone, which alone can open an item, takes in what it holds and goes on relaying
//! the item like any other until it expires: one that stopped would tell its peers whom the item was for. What a
//! relaying phone can still infer is in `docs/trust.md`.

use rusqlite::Connection;
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId};
use crate::kindred::WriteCtx;
use crate::storage::groups::{self as group_store, GroupRef};
use crate::storage::sealed as store;
use crate::time::now_ms;

/// Bytes of an item's plaintext (a payload, its length and padding).
pub const PLAINTEXT_LEN: usize = 768;
/// Bytes of every item: the ephemeral key, the sealed plaintext and its tag.
pub const ITEM_LEN: usize = 32 + PLAINTEXT_LEN + 16;
/// How often a phone makes a group's items: twice a day.
pub const SLOT_MS: i64 = 12 * 3600 * 1000;
/// Items a phone makes per group per slot, real or cover.
pub const ITEMS_PER_SLOT: usize = 2;
/// Items a phone keeps per group.
pub const MAX_POOL: usize = 256;
/// How long a phone keeps an item: three days.
pub const ITEM_TTL_MS: i64 = 3 * 24 * 3600 * 1000;
/// Items a peer may send per group in one session.
pub const MAX_ITEMS_PER_SESSION: usize = 32;

const PARAMS: &str = "Noise_N_25519_ChaChaPoly_BLAKE2s";

fn prologue(group: &GroupId) -> Vec<u8> {
    let mut p = b"kindred/sealed/v1".to_vec();
    p.extend_from_slice(group.as_bytes());
    p
}

fn snow_error(e: snow::Error) -> Error {
    Error::internal(format!("sealing: {e}"))
}

/// Seals `plaintext` (at most [`PLAINTEXT_LEN`] - 2 bytes) to the X25519 key `recipient`, as an item of `group`.
pub(crate) fn seal(group: &GroupId, recipient: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>> {
    seal_padded(&prologue(group), recipient, plaintext, PLAINTEXT_LEN)
}

/// One Noise `N` message to `recipient` under `prologue`: `plaintext` with its length, padded to `padded_len`
/// bytes, so every message of one kind has one size (`padded_len` + 48). Also the relay's key slots and join
/// requests (`crate::relay`).
pub(crate) fn seal_padded(
    prologue: &[u8],
    recipient: &[u8; 32],
    plaintext: &[u8],
    padded_len: usize,
) -> Result<Vec<u8>> {
    let len = u16::try_from(plaintext.len()).ok().filter(|l| usize::from(*l) + 2 <= padded_len);
    let len = len.ok_or_else(|| Error::invalid("sealed item", "is too long"))?;
    let mut padded = Vec::with_capacity(padded_len);
    padded.extend_from_slice(&len.to_be_bytes());
    padded.extend_from_slice(plaintext);
    padded.resize(padded_len, 0);
    crate::am::catch(|| {
        let params = PARAMS.parse().map_err(snow_error)?;
        let builder = crate::noise::builder(params).prologue(prologue).map_err(snow_error)?;
        let mut handshake =
            builder.remote_public_key(recipient).map_err(snow_error)?.build_initiator().map_err(snow_error)?;
        let mut item = vec![0u8; padded_len + 48];
        let written = handshake.write_message(&padded, &mut item).map_err(snow_error)?;
        item.truncate(written);
        Ok(item)
    })
    .unwrap_or_else(|panic| Err(Error::internal(format!("sealing an item panicked: {panic}"))))
}

/// A cover item of `group`: sealed like any other, to a throwaway key that nobody holds.
pub(crate) fn cover(group: &GroupId) -> Result<Vec<u8>> {
    let mut throwaway = [0u8; 32];
    rand::fill(&mut throwaway);
    seal(group, &throwaway, &[])
}

/// Opens an item of `group` with this profile's X25519 secret: its plaintext, or `None` if it is not for this key
/// (or not of this group, or damaged).
pub(crate) fn open(group: &GroupId, secret: &[u8; 32], item: &[u8]) -> Option<Vec<u8>> {
    open_padded(&prologue(group), secret, item, PLAINTEXT_LEN)
}

/// Opens what [`seal_padded`] made with the same `prologue` and `padded_len`.
pub(crate) fn open_padded(prologue: &[u8], secret: &[u8; 32], item: &[u8], padded_len: usize) -> Option<Vec<u8>> {
    if item.len() != padded_len + 48 {
        return None;
    }
    crate::am::catch(|| {
        let params = PARAMS.parse().ok()?;
        let builder = crate::noise::builder(params).prologue(prologue).ok()?.local_private_key(secret).ok()?;
        let mut handshake = builder.build_responder().ok()?;
        let mut padded = vec![0u8; item.len()];
        let read = handshake.read_message(item, &mut padded).ok()?;
        let len = usize::from(u16::from_be_bytes([*padded.first()?, *padded.get(1)?]));
        padded.get(2..2 + len).filter(|_| read == padded_len).map(<[u8]>::to_vec)
    })
    .ok()
    .flatten()
}

/// The X25519 key that items for `member` are sealed to: their member key in Montgomery form.
pub(crate) fn key_of(member: &MemberId) -> Result<[u8; 32]> {
    crate::sync::channel::member_x25519(member).ok_or_else(|| Error::invalid("member", "has no usable key"))
}

pub(crate) fn hash_of(item: &[u8]) -> [u8; 32] {
    Sha256::digest(item).into()
}

/// Makes this slot's items for every group this profile is an active member of, if it has not yet: the queued
/// payloads first, cover for the rest. Also drops expired items. Returns how many items it made.
pub(crate) fn emit_due(ctx: &mut WriteCtx<'_, '_>) -> Result<usize> {
    let now = now_ms();
    let slot = now.div_euclid(SLOT_MS);
    let mut made = 0;
    for (group, group_ref) in group_store::all_groups(ctx.tx)? {
        if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
            continue;
        }
        store::prune(ctx.tx, group_ref, now - ITEM_TTL_MS, MAX_POOL)?;
        match store::slot(ctx.tx, group_ref)? {
            Some(last) if last >= slot => continue,
            // A group new to this phone (made or joined) starts making items at the next slot, as every phone does:
            // its first items say nothing about when it joined.
            None => {
                store::set_slot(ctx.tx, group_ref, slot)?;
                continue;
            }
            Some(_) => {}
        }
        let queued = store::outbox_take(ctx.tx, group_ref, ITEMS_PER_SLOT)?;
        let mut items = Vec::with_capacity(ITEMS_PER_SLOT);
        for (recipient, payload) in &queued {
            items.push(seal(&group, &key_of(recipient)?, payload)?);
        }
        while items.len() < ITEMS_PER_SLOT {
            items.push(cover(&group)?);
        }
        for item in &items {
            store::insert_item(ctx.tx, group_ref, &hash_of(item), item, now, true)?;
        }
        store::set_slot(ctx.tx, group_ref, slot)?;
        made += items.len();
    }
    Ok(made)
}

/// Short names of the items a phone holds of a group, for a peer to find what it lacks.
pub(crate) fn short_hashes(conn: &Connection, group_ref: GroupRef) -> Result<Vec<[u8; 4]>> {
    Ok(store::hashes(conn, group_ref)?.iter().map(|h| [h[0], h[1], h[2], h[3]]).collect())
}

/// The items of a group a peer holding `theirs` lacks (at most [`MAX_ITEMS_PER_SESSION`]).
pub(crate) fn lacking(conn: &Connection, group_ref: GroupRef, theirs: &[[u8; 4]]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for (hash, item) in store::items(conn, group_ref)? {
        if out.len() == MAX_ITEMS_PER_SESSION {
            break;
        }
        if !theirs.contains(&[hash[0], hash[1], hash[2], hash[3]]) {
            out.push(item);
        }
    }
    Ok(out)
}

/// Takes in an item of `group` from `peer` (an active member of it here): of the one size, kept unless held
/// already; if this profile can open it, what it holds goes to [`crate::reports::opened`]. Returns whether it was new.
pub(crate) fn receive(ctx: &mut WriteCtx<'_, '_>, peer: &MemberId, group: &GroupId, item: &[u8]) -> Result<bool> {
    use crate::error::Refusal;
    if item.len() != ITEM_LEN {
        return Err(Refusal::Malformed.because("a sealed item of the wrong size"));
    }
    let Some(group_ref) = group_store::group_ref(ctx.tx, group)? else { return Ok(false) };
    let me = ctx.me();
    if group_store::role_of(ctx.tx, group_ref, peer)?.is_none()
        || group_store::role_of(ctx.tx, group_ref, &me)?.is_none()
    {
        return Err(Refusal::NotAMember.because("a sealed item from a peer who is not a member of the group"));
    }
    let now = now_ms();
    if !store::insert_item(ctx.tx, group_ref, &hash_of(item), item, now, false)? {
        return Ok(false);
    }
    // Opened here, and still relayed like every other item: a phone that stopped passing on what it opened would
    // tell its peers whom the item was for. Items leave pools by age alone.
    if let Some(plaintext) = open(group, &ctx.identity.x25519_secret(), item) {
        crate::reports::opened(ctx, group, group_ref, &plaintext)?;
    }
    store::prune(ctx.tx, group_ref, now - ITEM_TTL_MS, MAX_POOL)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::LocalIdentity;

    #[test]
    fn an_item_opens_only_with_its_key_and_as_an_item_of_its_own_group() {
        let (a, b) = (GroupId::from_bytes([1; 16]), GroupId::from_bytes([2; 16]));
        let (moderator, other) = (LocalIdentity::generate(), LocalIdentity::generate());
        let item = seal(&a, &key_of(&moderator.member_id()).unwrap(), b"a report").unwrap();
        assert_eq!(item.len(), ITEM_LEN);
        assert_eq!(open(&a, &moderator.x25519_secret(), &item).as_deref(), Some(&b"a report"[..]));
        assert_eq!(open(&b, &moderator.x25519_secret(), &item), None, "the same key opens no other group's");
        assert_eq!(open(&a, &other.x25519_secret(), &item), None);
        let cover = cover(&a).unwrap();
        assert_eq!(cover.len(), ITEM_LEN);
        assert_eq!(open(&a, &moderator.x25519_secret(), &cover), None);
        let mut damaged = item.clone();
        damaged[100] ^= 1;
        assert_eq!(open(&a, &moderator.x25519_secret(), &damaged), None);
        assert!(seal(&a, &key_of(&other.member_id()).unwrap(), &[0; PLAINTEXT_LEN]).is_err(), "too long");
    }
}
