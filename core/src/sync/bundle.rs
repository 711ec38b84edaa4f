//! Store-and-forward bundles: a signed, self-contained file of a group's documents, for links that are one-way or
//! days long (an SD card, a file sent through a chat app, a relay mailbox).
//!
//! A bundle holds, for each document of one group, an Automerge snapshot with the signed heads and certificates that
//! vouch for its changes, and it is signed as a whole by the member who exported it. Importing runs every document
//! through `super::ingest`, exactly like a live session: nothing unverified gets in, changes already held are
//! skipped, so importing a bundle twice, or an older bundle after a newer one, changes nothing.
//!
//! The words of messages are not in the documents (`crate::bodies`): a bundle carries, beside them, every message body
//! its exporter holds, and an importer keeps only those its messages name, so a body erased before the export is
//! not in the file, and one erased on the importing phone is not taken back from an older file.
//!
//! File layout: the magic line `KINDRED-BUNDLE-2\n`, then the DEFLATE-compressed postcard encoding of [`Bundle`].
//! Sizes are bounded before and while decompressing.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::codec;
use super::ingest::{DocBatch, IngestReport, ingest};
use super::wire::{Place, Vouchers};
use crate::am;
use crate::error::{Error, Refusal, Result};
use crate::identity::verify_signature;
use crate::ids::{GroupId, MemberId};
use crate::kindred::Kindred;
use crate::storage::documents;
use crate::storage::groups as group_store;
use crate::time::now_ms;
use crate::verify;

const MAGIC: &[u8] = b"KINDRED-BUNDLE-2\n";
const SIGN_DOMAIN: &[u8] = b"kindred/bundle/v1";
/// Largest bundle file accepted.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Largest bundle once decompressed.
const MAX_DECOMPRESSED_BYTES: usize = 256 * 1024 * 1024;

/// One document in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleDocument {
    /// Where the document belongs: it must be in the bundle's group, under the id its place derives.
    pub place: Place,
    /// An Automerge snapshot (`save()`) of the document.
    pub snapshot: Vec<u8>,
    /// What proves who wrote each change of the snapshot.
    pub vouchers: Vouchers,
}

/// The decoded content of a bundle file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The group's id.
    pub group: [u8; 16],
    /// The exporting member's key, which `signature` must verify against.
    pub exported_by: [u8; 32],
    /// When it was exported, in milliseconds since the Unix epoch by the exporter's clock. Informational: import
    /// does not depend on it.
    pub exported_at: i64,
    /// The group document and the message segments of every key with an entry in the group, as the exporter
    /// held them.
    pub documents: Vec<BundleDocument>,
    /// The message bodies the exporter held (`crate::bodies`), each as its hash covers it.
    pub bodies: Vec<Vec<u8>>,
    /// The exporter's signature over everything above.
    pub signature: Vec<u8>,
}

/// What importing a bundle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BundleImport {
    /// The bundle's group: always set by [`Kindred::import_bundle`] (`None` only in a `Default` value).
    #[cfg_attr(feature = "uniffi", uniffi(name = "group_id"))]
    pub group: Option<GroupId>,
    /// The member who exported and signed the bundle: always set by [`Kindred::import_bundle`].
    pub exported_by: Option<MemberId>,
    /// Documents in the bundle (the group document and its message segments).
    pub documents: u32,
    /// Changes applied, already held and set aside, over all its documents.
    pub report: IngestReport,
    /// Message bodies taken: the words of messages this phone held without them.
    pub bodies: u32,
}

impl Serialize for IngestReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("IngestReport", 3)?;
        st.serialize_field("applied", &self.applied)?;
        st.serialize_field("duplicates", &self.duplicates)?;
        st.serialize_field("quarantined", &self.quarantined)?;
        st.end()
    }
}

impl Bundle {
    /// What the exporter signs: a domain tag and the SHA-256 of the bundle's encoding with an empty signature.
    pub fn signed_bytes(&self) -> Result<Vec<u8>> {
        let unsigned = Bundle { signature: Vec::new(), ..self.clone() };
        let encoded = postcard::to_stdvec(&unsigned).map_err(|e| Error::internal(format!("encoding a bundle: {e}")))?;
        let mut out = SIGN_DOMAIN.to_vec();
        out.extend_from_slice(&Sha256::digest(&encoded));
        Ok(out)
    }

    /// The file bytes.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>> {
        let encoded = postcard::to_stdvec(self).map_err(|e| Error::internal(format!("encoding a bundle: {e}")))?;
        let mut out = codec::deflate(&encoded)?;
        out.splice(..0, MAGIC.iter().copied());
        Ok(out)
    }

    /// Parses a bundle file and checks the exporter's signature (not yet the changes: import does that).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(Refusal::Oversized
                .because(format!("a bundle of {} bytes (the limit is {MAX_BUNDLE_BYTES})", bytes.len())));
        }
        let body = bytes.strip_prefix(MAGIC).ok_or_else(|| Refusal::Malformed.because("not a Kindred bundle"))?;
        // Bundles hold already-compressed snapshots, so an honest bundle barely grows when inflated; a cap relative to
        // the file keeps a small "bomb" from costing a phone hundreds of megabytes.
        let limit = MAX_DECOMPRESSED_BYTES.min(body.len().saturating_mul(16).saturating_add(1024 * 1024));
        let decoded = codec::inflate_bounded(body, limit).map_err(|e| match e.refusal() {
            Some(Refusal::Oversized) => Refusal::Oversized.because("a bundle that decompresses beyond the limit"),
            Some(_) => Refusal::Malformed.because("a damaged bundle (it does not decompress)"),
            None => e,
        })?;
        let bundle: Bundle = postcard::from_bytes(&decoded)
            .map_err(|_| Refusal::Malformed.because("a damaged bundle (it does not parse)"))?;
        verify_signature(&MemberId::from_bytes(bundle.exported_by), &bundle.signed_bytes()?, &bundle.signature)
            .map_err(|_| Refusal::Forged.because("a bundle whose signature does not match its content"))?;
        Ok(bundle)
    }
}

impl Kindred {
    /// Exports everything this profile holds of `group` as a signed bundle file (bytes to write anywhere).
    pub fn export_bundle(&self, group: &GroupId) -> Result<Vec<u8>> {
        let bundle = self.write(|ctx| {
            let group_ref = group_store::require(ctx.tx, group)?;
            if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
                return Err(Error::not_permitted("only members can export a group"));
            }
            let actor = ctx.identity.actor().clone();
            let mut docs = Vec::new();
            for (doc_id, place) in documents::shared_documents(ctx.tx, group)? {
                let doc =
                    ctx.cache.get(ctx.tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
                let snapshot = am::guarded(&doc_id, "saving", || Ok(doc.save()))?;
                let changes = doc.get_changes(&[]);
                let (heads, certificates) = verify::stored_vouchers(ctx.tx, &doc_id, &changes)?;
                docs.push(BundleDocument {
                    place: Place::new(&doc_id, &place),
                    snapshot,
                    vouchers: Vouchers::from_parts(&heads, &certificates),
                });
            }
            let mut bundle = Bundle {
                group: *group.as_bytes(),
                exported_by: *ctx.me().as_bytes(),
                exported_at: now_ms(),
                documents: docs,
                bodies: crate::storage::messages::all_bodies(ctx.tx, group_ref)?,
                signature: Vec::new(),
            };
            bundle.signature = ctx.identity.sign(&bundle.signed_bytes()?).to_vec();
            Ok(bundle)
        })?;
        bundle.to_file_bytes()
    }

    /// Imports a bundle file: every document goes through the same checks as a live sync. Importing twice, or out
    /// of order, is harmless. The importing profile must be in the group.
    pub fn import_bundle(&self, bytes: &[u8]) -> Result<BundleImport> {
        let bundle = Bundle::from_file_bytes(bytes)?;
        let group = GroupId::from_bytes(bundle.group);
        let mut result = BundleImport {
            group: Some(group),
            exported_by: Some(MemberId::from_bytes(bundle.exported_by)),
            ..Default::default()
        };
        // The group document first: its members decide who may write the rest.
        let mut documents = bundle.documents;
        crate::sorting::sort_by_u64_key(&mut documents, |d| u64::from(d.place.kind != super::wire::PlaceKind::Group));
        for document in documents {
            if document.place.group != bundle.group {
                return Err(Refusal::Malformed.because("a bundle document from another group"));
            }
            let doc = document.place.doc();
            let loaded = am::load_peer(&doc, &document.snapshot)?;
            let changes = am::guarded(&doc, "reading a bundle document", || Ok(loaded.get_changes(&[])))
                .map_err(|e| Refusal::Malformed.because(format!("a bundle document is damaged: {e}")))?;
            let (heads, certificates) = document.vouchers.into_parts()?;
            let batch =
                DocBatch { doc, place: document.place.to_doc_place()?, changes, heads, certificates, live: false };
            let report = self.write(|ctx| ingest(ctx, &batch, false))?.into_result()?;
            result.report += report;
            result.documents += 1;
        }
        // Then the words of the messages now held (a body no message here names is not kept; one not well formed is
        // left out, as the rest of the file was taken in).
        let bodies: Vec<Vec<u8>> =
            bundle.bodies.into_iter().filter(|b| crate::bodies::Body::decode(b).is_ok()).collect();
        if !bodies.is_empty() {
            let taken = self.write(|ctx| crate::bodies::receive(ctx, &group, &bodies))?;
            result.bodies = u32::try_from(taken).unwrap_or(u32::MAX);
        }
        Ok(result)
    }
}
