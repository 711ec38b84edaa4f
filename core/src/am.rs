//! Guarded entry points into Automerge for bytes that did not just come out of this process.
//!
//! Automerge 0.12 is not hardened against malformed input: a short fuzz run panicked on 0.72% of mutated documents
//! and change chunks. Bytes read back from disk (which a failing flash chip can damage) and, later, bytes from peers
//! are parsed here, inside `catch_unwind`, so a panic becomes a typed [`Error::Document`] instead of tearing down the
//! app. This relies on `panic = "unwind"`, which every profile of the workspace sets.

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::Automerge;

use crate::error::{Error, Result};
use crate::ids::DocId;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Runs `f`, turning a panic inside Automerge into an error about `doc`.
pub(crate) fn guarded<T>(doc: &DocId, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::document(doc, format!("{what} panicked inside Automerge: {}", panic_message(payload.as_ref()))))
    })
}

/// Loads a document from a snapshot followed by any number of change chunks.
pub(crate) fn load(doc: &DocId, bytes: &[u8]) -> Result<Automerge> {
    guarded(doc, "loading", || Automerge::load(bytes).map_err(|e| Error::document(doc, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let doc = DocId::from_bytes([1; 16]);
        for bytes in
            [&b"\x85\x6f\x4a\x83garbage"[..], &[0xff; 64][..], &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 200][..]]
        {
            assert!(matches!(load(&doc, bytes), Err(Error::Document { .. })));
        }
        let caught = guarded(&doc, "test", || -> Result<()> { panic!("boom") });
        assert!(matches!(caught, Err(Error::Document { detail, .. }) if detail.contains("boom")));
    }
}
