//! Resumable transfers: a large piece of a document sent as a blob, by content hash, in chunks that the receiver
//! stores as they arrive, so that after a dropped link the next session asks only for the rest.
//!
//! The only module that touches the stored transfers (`storage::transfers`). A blob is either a whole document as a
//! snapshot or a deflated list of changes ([`Form`]); the sender keeps what it offered for a week, the receiver what
//! it got so far within the bounds `storage::transfers` enforces.

use automerge::{Automerge, Change};
use sha2::{Digest, Sha256};

use super::codec;
use super::ingest::DocBatch;
use super::wire::{Form, Message, Place, Vouchers, parse_changes};
use crate::am;
use crate::error::{Error, Refusal, Result};
use crate::kindred::WriteCtx;
use crate::storage::transfers::{self, TransferPlace};
use crate::time::now_ms;

/// Most bytes of a transferred blob per chunk (less on small frames: a chunk always fits one frame). Small enough
/// that a link dropping every 64 KiB loses little (at most one chunk in flight), large enough that per-chunk
/// overhead stays around 1%.
pub const TRANSFER_CHUNK: usize = 4 * 1024;
/// Room a chunk message needs besides its bytes: the message encoding and the frame's own overhead.
const CHUNK_MESSAGE_OVERHEAD: usize = 96;
/// Largest blob offered or accepted.
const MAX_BLOB: u64 = 64 * 1024 * 1024;
/// Largest blob of changes accepted once decompressed.
const MAX_CHANGES_BLOB: usize = 64 * 1024 * 1024;

/// The chunk size for links of `max_frame` bytes: a chunk message always fits one frame.
pub(crate) fn chunk_size(max_frame: usize) -> usize {
    TRANSFER_CHUNK.min(max_frame.saturating_sub(CHUNK_MESSAGE_OVERHEAD)).max(1)
}

/// Offers a blob, stored by content hash so the transfer can resume: the whole document as a snapshot, or the
/// given changes as a compressed list (deterministic, so a resumed session offers the same bytes again). Returns the
/// Offer message and the hash.
pub(crate) fn offer(
    ctx: &mut WriteCtx<'_, '_>,
    place: Place,
    form: Form,
    changes: Option<&[Change]>,
) -> Result<(Message, [u8; 32])> {
    let doc_id = place.doc();
    let actor = ctx.identity.actor().clone();
    let doc: &Automerge =
        ctx.cache.get(ctx.tx, &doc_id, &actor)?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let (blob, covered) = match changes {
        None => (am::guarded(&doc_id, "saving", || Ok(doc.save()))?, doc.get_changes(&[])),
        Some(changes) => {
            let raw: Vec<&[u8]> = changes.iter().map(Change::raw_bytes).collect();
            let encoded = postcard::to_stdvec(&raw).map_err(|e| Error::internal(format!("encoding changes: {e}")))?;
            (codec::deflate(&encoded)?, changes.to_vec())
        }
    };
    let vouchers = super::plan::vouchers_for(ctx.tx, &doc_id, &covered)?;
    save_offer(ctx, place, form, blob, vouchers)
}

/// Stores an outgoing blob under its content hash (a resumed session offers it again) and makes its Offer.
fn save_offer(
    ctx: &mut WriteCtx<'_, '_>,
    place: Place,
    form: Form,
    blob: Vec<u8>,
    vouchers: Vouchers,
) -> Result<(Message, [u8; 32])> {
    let hash: [u8; 32] = Sha256::digest(&blob).into();
    let encoded = postcard::to_stdvec(&vouchers).map_err(|e| Error::internal(format!("encoding vouchers: {e}")))?;
    let target = TransferPlace { doc: place.doc(), place: place.to_doc_place()?, form };
    let len = blob.len() as u64;
    transfers::save_outgoing(
        ctx.tx,
        &hash,
        &transfers::Outgoing { place: target, snapshot: blob, vouchers: encoded },
        now_ms(),
    )?;
    Ok((Message::Offer { place, form, hash, len, vouchers }, hash))
}

/// Offers the message bodies of one segment as a blob (see [`Form::Bodies`]); `None` when this phone holds none.
pub(crate) fn offer_bodies(ctx: &mut WriteCtx<'_, '_>, place: Place) -> Result<Option<(Message, [u8; 32])>> {
    let Some(group_ref) = crate::storage::groups::group_ref(ctx.tx, &place.group())? else { return Ok(None) };
    let author = crate::ids::MemberId::from_bytes(place.author);
    let bodies = crate::storage::messages::segment_bodies(ctx.tx, group_ref, &author, place.segment)?;
    if bodies.is_empty() {
        return Ok(None);
    }
    let encoded = postcard::to_stdvec(&bodies).map_err(|e| Error::internal(format!("encoding bodies: {e}")))?;
    save_offer(ctx, place, Form::Bodies, codec::deflate(&encoded)?, Vouchers::default()).map(Some)
}

/// A complete blob: the changes a document's blob carries, or the bodies a segment's bodies blob carries.
#[derive(Debug)]
pub(crate) enum Assembled {
    Changes(DocBatch),
    Bodies { group: crate::ids::GroupId, bodies: Vec<Vec<u8>> },
}

/// Takes up an offer: records it (or finds what already arrived of it) and returns where to start.
pub(crate) fn accept(
    ctx: &mut WriteCtx<'_, '_>,
    place: Place,
    form: Form,
    hash: &[u8; 32],
    len: u64,
    vouchers: &Vouchers,
) -> Result<u64> {
    if len > MAX_BLOB {
        return Err(Refusal::Oversized.because(format!("an offered document of {len} bytes")));
    }
    let target = TransferPlace { doc: place.doc(), place: place.to_doc_place()?, form };
    let vouchers = postcard::to_stdvec(vouchers).map_err(|e| Error::internal(format!("encoding vouchers: {e}")))?;
    transfers::start_incoming(ctx.tx, hash, &target, len, &vouchers, now_ms())?;
    Ok(transfers::incoming(ctx.tx, hash)?.map_or(0, |t| t.received))
}

/// What an offered blob sends from `offset` on.
#[derive(Debug, Default)]
pub(crate) struct Chunks {
    pub messages: Vec<Message>,
    /// Bytes sent now, and bytes before `offset` that a resumed transfer did not need to send again.
    pub sent: u64,
    pub resumed: u64,
}

/// The Chunk messages of an offered blob from `offset` on, `chunk` bytes each.
pub(crate) fn chunks(tx: &rusqlite::Transaction<'_>, hash: &[u8; 32], offset: u64, chunk: usize) -> Result<Chunks> {
    let offer = transfers::outgoing(tx, hash)?.ok_or_else(|| Error::internal("offered transfer vanished"))?;
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(offer.snapshot.len());
    let rest = offer.snapshot.get(start..).unwrap_or_default();
    let messages = rest
        .chunks(chunk)
        .enumerate()
        .map(|(i, piece)| Message::Chunk { hash: *hash, offset: (start + i * chunk) as u64, bytes: piece.to_vec() })
        .collect();
    Ok(Chunks { messages, sent: rest.len() as u64, resumed: start as u64 })
}

/// Stores one chunk where it belongs; returns whether the blob is now complete. A chunk anywhere but at the end of
/// what arrived is refused.
pub(crate) fn append(tx: &rusqlite::Transaction<'_>, hash: &[u8; 32], offset: u64, bytes: &[u8]) -> Result<bool> {
    if !transfers::append_incoming(tx, hash, offset, bytes, now_ms())? {
        return Err(Refusal::Protocol.because("a chunk out of place"));
    }
    Ok(transfers::incoming(tx, hash)?.is_some_and(|t| t.received >= t.total_len))
}

/// A complete blob as the batch of changes it carries, checked against its hash, bounded and parsed like any
/// changes from a peer (ingest does the rest).
pub(crate) fn assemble(tx: &rusqlite::Transaction<'_>, hash: &[u8; 32]) -> Result<Assembled> {
    let transfer = transfers::incoming(tx, hash)?.ok_or_else(|| Error::internal("transfer vanished"))?;
    let received = transfers::incoming_bytes(tx, hash)?;
    let digest: [u8; 32] = Sha256::digest(&received).into();
    if &digest != hash {
        return Err(Refusal::Forged.because("a transferred document does not match its hash"));
    }
    let doc = transfer.place.doc;
    let changes = match transfer.place.form {
        Form::Bodies => {
            let inflated = codec::inflate_bounded(&received, MAX_CHANGES_BLOB)
                .map_err(|e| e.context("a transferred list of message bodies"))?;
            let bodies: Vec<Vec<u8>> = postcard::from_bytes(&inflated)
                .map_err(|_| Refusal::Malformed.because("a damaged list of message bodies"))?;
            let group = transfer.place.place.group.ok_or_else(|| Error::internal("bodies without a group"))?;
            return Ok(Assembled::Bodies { group, bodies });
        }
        Form::Snapshot => {
            let loaded = am::load_peer(&doc, &received)?;
            am::guarded(&doc, "reading a transferred document", || Ok(loaded.get_changes(&[])))?
        }
        Form::Changes => {
            let inflated = codec::inflate_bounded(&received, MAX_CHANGES_BLOB)
                .map_err(|e| e.context("a transferred list of changes"))?;
            let raw: Vec<Vec<u8>> =
                postcard::from_bytes(&inflated).map_err(|_| Refusal::Malformed.because("a damaged list of changes"))?;
            parse_changes(&doc, raw)?
        }
    };
    let vouchers: Vouchers = postcard::from_bytes(&transfer.vouchers)
        .map_err(|_| Refusal::Malformed.because("damaged transfer vouchers"))?;
    let (heads, certificates) = vouchers.into_parts()?;
    Ok(Assembled::Changes(DocBatch { doc, place: transfer.place.place, changes, heads, certificates, live: true }))
}

/// Forgets a received blob: taken in, or refused.
pub(crate) fn discard(tx: &rusqlite::Transaction<'_>, hash: &[u8; 32]) -> Result<()> {
    transfers::finish_incoming(tx, hash)
}
