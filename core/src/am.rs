//! Guarded entry points into Automerge for bytes that did not just come out of this process.
//!
//! Automerge 0.12 is not hardened against malformed input: a short fuzz run panicked on 0.72% of mutated documents
//! and change chunks. Bytes read back from disk (which a failing flash chip can damage) and, later, bytes from peers
//! are parsed here, inside `catch_unwind`, so a panic becomes a typed [`ErrorKind::Document`] instead of tearing down the
//! app. This relies on `panic = "unwind"`, which every profile of the workspace sets. Automerge calls are guarded
//! here ([`catch`] for any caller, [`guarded`] for stored documents, [`guarded_peer`] for peer bytes); the other
//! places that catch panics are the listener dispatch (`updates`: an app's listener must not break a write) and the
//! FFI boundary (no panic reaches Kotlin or Swift). Peer snapshots are also bounded before they get here
//! (`am_bounds`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::Automerge;

use crate::error::{Error, Refusal, Result};
use crate::ids::DocId;

/// Runs `f`; a panic comes back as `Err` with its message.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// A caught panic's message (one copy for every instance of [`catch`]).
#[cold]
#[inline(never)]
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let payload = payload.as_ref();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cold]
#[inline(never)]
fn panicked(doc: &DocId, what: &str, panic: String) -> Error {
    Error::document(doc, format!("{what} panicked inside Automerge: {panic}"))
}

#[cold]
#[inline(never)]
fn panicked_peer(what: &str, panic: String) -> Error {
    Refusal::Malformed.because(format!("{what} panicked on a peer's bytes: {panic}"))
}

/// Runs `f` on a stored document, turning a panic inside Automerge into an error about `doc`.
pub(crate) fn guarded<T>(doc: &DocId, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch(f).unwrap_or_else(|panic| Err(panicked(doc, what, panic)))
}

/// Runs `f` on bytes from a peer: a panic means the peer's bytes are refused ([`ErrorKind::Rejected`]).
pub(crate) fn guarded_peer<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch(f).unwrap_or_else(|panic| Err(panicked_peer(what, panic)))
}

/// Loads a document snapshot from a peer: refused ([`ErrorKind::Rejected`]) unless it is one document chunk whose
/// columns stay within [`crate::am_bounds`]'s limits, so Automerge never expands a crafted few kilobytes into
/// gigabytes.
pub(crate) fn load_peer(doc: &DocId, bytes: &[u8]) -> Result<Automerge> {
    crate::am_bounds::check_document(bytes).map_err(|e| e.context(format_args!("document {doc}")))?;
    guarded_peer("loading a peer's document", || {
        Automerge::load(bytes).map_err(|e| Refusal::Malformed.because(format!("document {doc} does not load: {e}")))
    })
}

/// Loads a document from a snapshot followed by any number of change chunks.
pub(crate) fn load(doc: &DocId, bytes: &[u8]) -> Result<Automerge> {
    guarded(doc, "loading", || Automerge::load(bytes).map_err(|e| Error::document(doc, e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let doc = DocId::from_bytes([1; 16]);
        for bytes in
            [&b"\x85\x6f\x4a\x83garbage"[..], &[0xff; 64][..], &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 200][..]]
        {
            assert!(matches!(load(&doc, bytes).as_ref().map_err(Error::kind), Err(ErrorKind::Document { .. })));
        }
        let caught = guarded(&doc, "test", || -> Result<()> { panic!("boom") });
        assert!(
            matches!(caught.as_ref().map_err(Error::kind), Err(ErrorKind::Document { detail, .. }) if detail.contains("boom"))
        );
    }
}
