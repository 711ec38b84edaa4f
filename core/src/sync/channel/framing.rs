//! Transport frames: sealing a message (deflated when that helps) into encrypted fragments of at most one frame, and
//! opening and reassembling them within the message limit. The wire format is in `docs/sync-protocol.md`.

use snow::TransportState;

use super::handshake::AEAD_TAG;
use super::{Blame, FRAME_OVERHEAD, guarded, local_snow};
use crate::error::{Refusal, Result};
use crate::sync::codec;

/// Flags byte at the start of every transport plaintext.
pub(super) const FLAG_MORE: u8 = 0x01;
pub(super) const FLAG_DEFLATE: u8 = 0x02;
pub(super) const KNOWN_FLAGS: u8 = FLAG_MORE | FLAG_DEFLATE;

/// Compresses (if that helps), fragments into frames of at most `max_frame` bytes and encrypts one message onto
/// `out`.
pub(super) fn seal_message(
    transport: &mut TransportState,
    max_frame: usize,
    message: &[u8],
    out: &mut Vec<Vec<u8>>,
) -> Result<()> {
    let compressed = codec::deflate(message)?;
    let (body, deflate_flag) =
        if compressed.len() < message.len() { (compressed.as_slice(), FLAG_DEFLATE) } else { (message, 0) };
    let chunk = max_frame.saturating_sub(FRAME_OVERHEAD).max(1);
    let count = body.len().div_ceil(chunk).max(1);
    let mut plaintext = Vec::with_capacity(1 + chunk.min(body.len()));
    for index in 0..count {
        let start = index.saturating_mul(chunk);
        let slice = body.get(start..body.len().min(start.saturating_add(chunk))).unwrap_or_default();
        let more = if index + 1 < count { FLAG_MORE } else { 0 };
        plaintext.clear();
        plaintext.push(deflate_flag | more);
        plaintext.extend_from_slice(slice);
        out.push(seal_frame(transport, &plaintext)?);
    }
    Ok(())
}

pub(super) fn seal_frame(transport: &mut TransportState, plaintext: &[u8]) -> Result<Vec<u8>> {
    guarded(Blame::Local, "encrypting a frame", || {
        let mut frame = vec![0u8; plaintext.len().saturating_add(AEAD_TAG)];
        let written = transport.write_message(plaintext, &mut frame).map_err(local_snow)?;
        frame.truncate(written);
        Ok(frame)
    })
}

pub(super) fn open_frame(transport: &mut TransportState, frame: &[u8]) -> Result<Vec<u8>> {
    if frame.len() < AEAD_TAG {
        return Err(
            Refusal::Malformed.because(format!("a {} byte frame is too short to be a transport frame", frame.len()))
        );
    }
    guarded(Blame::Peer, "decrypting a frame", || {
        let mut plaintext = vec![0u8; frame.len()];
        let read = transport.read_message(frame, &mut plaintext).map_err(|_| {
            Refusal::Forged.because("frame did not authenticate (forged, damaged, replayed, reordered or dropped)")
        })?;
        plaintext.truncate(read);
        Ok(plaintext)
    })
}

/// A message being reassembled from fragments.
#[derive(Default)]
pub(super) struct Inbound {
    pub(super) buffer: Vec<u8>,
    /// A fragment with [`FLAG_MORE`] has arrived; `deflated` is that message's flag, which every fragment must repeat.
    in_progress: bool,
    deflated: bool,
}

impl Inbound {
    /// One decrypted transport plaintext: a fragment of a message, or the empty liveness frame. Returns the message
    /// once its last fragment is in, refusing one over `limit` bytes (reassembled or inflated) before it is held.
    pub(super) fn accept(&mut self, plaintext: &[u8], limit: usize) -> Result<Option<Vec<u8>>> {
        let Some((&flags, slice)) = plaintext.split_first() else {
            return Ok(None);
        };
        if flags & !KNOWN_FLAGS != 0 {
            return Err(Refusal::Malformed.because(format!("unknown frame flags {flags:#04x}")));
        }
        let more = flags & FLAG_MORE != 0;
        let deflated = flags & FLAG_DEFLATE != 0;
        if self.in_progress && self.deflated != deflated {
            return Err(Refusal::Malformed.because("fragments of one message disagree on compression"));
        }
        if more && slice.is_empty() {
            return Err(Refusal::Malformed.because("empty fragment"));
        }
        let total = self.buffer.len().saturating_add(slice.len());
        if total > limit {
            return Err(Refusal::Oversized.because(format!("message is over the {limit} byte limit")));
        }
        grow_bounded(&mut self.buffer, total, limit);
        self.buffer.extend_from_slice(slice);
        if more {
            self.in_progress = true;
            self.deflated = deflated;
            return Ok(None);
        }
        let body = std::mem::take(self).buffer;
        if !deflated {
            return Ok(Some(body));
        }
        codec::inflate_bounded(&body, limit).map(Some).map_err(|e| e.context("compressed message"))
    }
}

/// Makes room for `total` bytes, doubling for amortised growth but never past `limit`.
fn grow_bounded(buffer: &mut Vec<u8>, total: usize, limit: usize) {
    if total > buffer.capacity() {
        let target = total.max(buffer.capacity().saturating_mul(2)).min(limit).max(total);
        buffer.reserve_exact(target.saturating_sub(buffer.len()));
    }
}
