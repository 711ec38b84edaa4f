//! Tools for acting as a misbehaving phone: open a bundle, change what is inside it with Automerge directly, vouch
//! for the result with a profile's own keys (or someone else's, for forgeries), and seal it again.
//!
//! Everything here goes through the public wire types and `kindred_core::testing`, so a forged bundle is exactly
//! what a modified app could put on an SD card or a relay.

use automerge::transaction::Transaction;
use automerge::{ActorId, Automerge, Change};
use kindred_core::identity::actor_certificate_bytes;
use kindred_core::sync::bundle::BundleDocument;
use kindred_core::sync::wire::{PlaceKind, WireCertificate, WireHead};
use kindred_core::{Bundle, DocId, Kindred, MemberId, testing};
use sha2::{Digest, Sha256};

use crate::fail;

/// Parses a bundle file, insisting on success.
pub fn unseal(bytes: &[u8]) -> Bundle {
    Bundle::from_file_bytes(bytes).unwrap_or_else(|e| fail(&format!("unsealing a bundle: {e}")))
}

/// Signs `bundle` as exported by `exporter` and returns the file bytes.
pub fn seal(mut bundle: Bundle, exporter: &Kindred) -> Vec<u8> {
    bundle.exported_by = *exporter.profile().member_id.as_bytes();
    let signed = bundle.signed_bytes().unwrap_or_else(|e| fail(&format!("encoding a bundle: {e}")));
    bundle.signature = testing::sign(exporter, &signed).to_vec();
    bundle.to_file_bytes().unwrap_or_else(|e| fail(&format!("sealing a bundle: {e}")))
}

/// Loads a bundle document's snapshot.
pub fn load(document: &BundleDocument) -> Automerge {
    Automerge::load(&document.snapshot).unwrap_or_else(|e| fail(&format!("loading a bundle document: {e}")))
}

/// The bundle's group document.
pub fn group_document(bundle: &mut Bundle) -> &mut BundleDocument {
    bundle
        .documents
        .iter_mut()
        .find(|d| d.place.kind == PlaceKind::Group)
        .unwrap_or_else(|| fail("the bundle has no group document"))
}

/// `author`'s first message segment in the bundle.
pub fn segment_of<'b>(bundle: &'b mut Bundle, author: &MemberId) -> &'b mut BundleDocument {
    bundle
        .documents
        .iter_mut()
        .find(|d| d.place.kind == PlaceKind::Segment && d.place.author == *author.as_bytes() && d.place.segment == 0)
        .unwrap_or_else(|| fail("the bundle has no segment of that author"))
}

/// Who a forged change claims to be, and whose key signs it.
#[derive(Debug, Clone)]
pub struct Writer<'k> {
    pub actor: ActorId,
    /// The member the certificate names.
    pub member: MemberId,
    pub certificate: Vec<u8>,
    /// Whose key signs the change (the member's own, unless the test forges).
    pub signer: &'k Kindred,
}

impl<'k> Writer<'k> {
    /// A profile writing as itself, with its own actor.
    pub fn of(kindred: &'k Kindred) -> Self {
        let (actor, certificate) = testing::actor_and_certificate(kindred);
        Self { actor: ActorId::from(actor), member: kindred.profile().member_id, certificate, signer: kindred }
    }

    /// A further actor of `kindred`'s member (another device, or a restored backup), with its certificate.
    pub fn another_device(kindred: &'k Kindred) -> Self {
        let (actor, certificate) = testing::certify_new_actor(kindred);
        Self { actor: ActorId::from(actor), member: kindred.profile().member_id, certificate, signer: kindred }
    }

    /// Any actor id, claimed by `kindred`'s member key as one of its own: the claim is signed, but an actor id that
    /// was not derived from the member key makes it a forgery that receivers must refuse.
    pub fn claiming(kindred: &'k Kindred, actor: ActorId) -> Self {
        let member = kindred.profile().member_id;
        let mut certificate = vec![0u8; 16];
        certificate.extend_from_slice(&testing::sign(kindred, &actor_certificate_bytes(&actor, &member)));
        Self { actor, member, certificate, signer: kindred }
    }

    /// The head entry vouching for `change` of `doc`, signed by [`Self::signer`].
    pub fn head(&self, doc: &DocId, change: &Change) -> WireHead {
        WireHead {
            actor: change.actor_id().to_bytes().to_vec(),
            seq: change.seq(),
            hash: change.hash().0,
            signature: testing::sign_change(self.signer, doc, &change.hash()).to_vec(),
        }
    }

    /// The certificate entry for this writer's actor.
    pub fn certificate(&self) -> WireCertificate {
        WireCertificate {
            actor: self.actor.to_bytes().to_vec(),
            member: *self.member.as_bytes(),
            signature: self.certificate.clone(),
        }
    }
}

/// Adds `change` (already applied to `doc`) to `document`: the new snapshot, a signed head and the certificate.
pub fn vouch(document: &mut BundleDocument, doc: &mut Automerge, writer: &Writer<'_>, change: &Change) {
    let doc_id = DocId::from_bytes(document.place.doc);
    document.snapshot = doc.save();
    document.vouchers.heads.push(writer.head(&doc_id, change));
    let cert = writer.certificate();
    if !document.vouchers.certificates.contains(&cert) {
        document.vouchers.certificates.push(cert);
    }
}

/// Makes one change to `document` as `writer` (with `edit` run inside an Automerge transaction on the document as
/// the bundle holds it), and vouches for it. Returns the change.
pub fn forge(document: &mut BundleDocument, writer: &Writer<'_>, edit: impl FnOnce(&mut Transaction<'_>)) -> Change {
    let mut doc = load(document).with_actor(writer.actor.clone());
    let change = commit(&mut doc, edit);
    vouch(document, &mut doc, writer, &change);
    change
}

/// Writes a message map `id` as a post makes it (a time and the hash of its body: its words travel beside the history,
/// `kindred_core::bodies`), and returns the body's bytes, for the forged bundle's `bodies`.
pub fn write_message(tx: &mut Transaction<'_>, id: &kindred_core::MessageId, at: i64, text: &str) -> Vec<u8> {
    use automerge::transaction::Transactable;
    let (hash, bytes) = testing::body_for(text, None).unwrap_or_else(|e| fail(&format!("making a body: {e}")));
    let m = tx
        .put_object(&automerge::ROOT, id.to_hex(), automerge::ObjType::Map)
        .unwrap_or_else(|e| fail(&format!("writing a message: {e}")));
    tx.put(&m, "at", automerge::ScalarValue::Timestamp(at)).unwrap_or_else(|e| fail(&format!("{e}")));
    tx.put(&m, "body", automerge::ScalarValue::Bytes(hash.to_vec())).unwrap_or_else(|e| fail(&format!("{e}")));
    bytes
}

/// Runs `edit` in one transaction on `doc` and returns the change it made.
pub fn commit(doc: &mut Automerge, edit: impl FnOnce(&mut Transaction<'_>)) -> Change {
    let mut tx = doc.transaction();
    edit(&mut tx);
    tx.commit();
    doc.get_last_local_change().unwrap_or_else(|| fail("the forged transaction made no change"))
}

/// An Automerge object id that must exist (a test's precondition).
pub fn obj(doc: &impl automerge::ReadDoc, parent: &automerge::ObjId, key: &str) -> automerge::ObjId {
    match doc.get(parent, key) {
        Ok(Some((automerge::Value::Object(_), id))) => id,
        _ => fail(&format!("no object at {key:?}")),
    }
}

/// A chunk's checksum as Automerge computes it: the first 4 bytes of SHA-256 over type, length and data.
fn chunk_checksum(chunk_type: u8, data: &[u8]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update([chunk_type]);
    hasher.update(leb128(data.len() as u64));
    hasher.update(data);
    let digest = hasher.finalize();
    let mut out = [0u8; 4];
    out.iter_mut().zip(digest.iter()).for_each(|(o, d)| *o = *d);
    out
}

fn leb128(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Automerge's chunk magic bytes.
pub const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Splits an Automerge chunk into its type and data, if it has the chunk layout (magic, checksum, type, length).
pub fn chunk_parts(bytes: &[u8]) -> Option<(u8, &[u8])> {
    let rest = bytes.strip_prefix(&CHUNK_MAGIC)?;
    let rest = rest.get(4..)?;
    let (chunk_type, rest) = rest.split_first()?;
    let (len, used) = read_leb128(rest)?;
    let data = rest.get(used..)?.get(..usize::try_from(len).ok()?)?;
    Some((*chunk_type, data))
}

/// Builds a chunk with a correct checksum around `data`, so that mutated data reaches Automerge's parser instead of
/// failing the checksum (what Automerge's own fuzz target does).
pub fn chunk(chunk_type: u8, data: &[u8]) -> Vec<u8> {
    let mut out = CHUNK_MAGIC.to_vec();
    out.extend_from_slice(&chunk_checksum(chunk_type, data));
    out.push(chunk_type);
    out.extend_from_slice(&leb128(data.len() as u64));
    out.extend_from_slice(data);
    out
}
