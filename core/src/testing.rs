//! Test support: what an adversarial test needs to act as a misbehaving phone with its own keys (craft and sign
//! changes, bundles and certificates by hand). Compiled only with the `test-exchange` feature; apps never see it.

use automerge::ChangeHash;

use crate::ids::DocId;
use crate::kindred::Kindred;

/// This profile's actor id and the member key's certificate for it.
pub fn actor_and_certificate(kindred: &Kindred) -> (Vec<u8>, Vec<u8>) {
    kindred.with_identity(|id| (id.actor().to_bytes().to_vec(), id.actor_certificate().to_vec()))
}

/// A new actor for this profile's member, with its certificate: what a second device (or a restored backup) of the
/// same member would use.
pub fn certify_new_actor(kindred: &Kindred) -> (Vec<u8>, Vec<u8>) {
    kindred.with_identity(|id| {
        let fresh = id.with_another_actor();
        (fresh.actor().to_bytes().to_vec(), fresh.actor_certificate().to_vec())
    })
}

/// Signs `message` with this profile's member key.
pub fn sign(kindred: &Kindred, message: &[u8]) -> [u8; 64] {
    kindred.with_identity(|id| id.sign(message))
}

/// Signs a change of `doc` as this profile's member would.
pub fn sign_change(kindred: &Kindred, doc: &DocId, hash: &ChangeHash) -> [u8; 64] {
    kindred.with_identity(|id| id.sign_change(doc, hash))
}

/// Caps the profile's database at its current size plus `extra_pages` pages (`None` lifts the cap), as a full disk
/// would: what a phone with no free space does can be tested without filling a file system.
pub fn limit_storage(kindred: &Kindred, extra_pages: Option<u32>) -> crate::error::Result<()> {
    kindred.lock().db.limit_pages(extra_pages)
}

/// Whether a document snapshot stays within the limits a phone loads from a peer (see `am_bounds`): a test
/// harness that loads mutated snapshots itself checks this first, so its own memory stays bounded too.
pub fn snapshot_within_bounds(bytes: &[u8]) -> bool {
    crate::am_bounds::check_document(bytes).is_ok()
}
