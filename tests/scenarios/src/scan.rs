//! Searching what a phone holds or hands out for something that must not be there (a marker string or byte
//! pattern): raw bytes, every file of a data directory (database, WAL, shared memory), and bundles decoded down to
//! every operation of every change.

use std::path::Path;

use automerge::{Automerge, Change};
use kindred_core::Bundle;

/// A string no phone holds unless it came from here: `prefix` and 128 random bits.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:032x}", rand::random::<u128>())
}

/// Whether `haystack` holds `needle`'s bytes.
pub fn holds(haystack: &[u8], needle: impl AsRef<[u8]>) -> bool {
    let needle = needle.as_ref();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every operation of every change, as Automerge decodes them: map keys and values, deleted ones included.
pub fn changes_text<'c>(changes: impl IntoIterator<Item = &'c Change>) -> String {
    changes.into_iter().map(|c| format!("{:?}\n", c.decode())).collect()
}

/// Everything a document snapshot holds: its whole history, decoded.
pub fn snapshot_text(bytes: &[u8]) -> String {
    let doc = Automerge::load(bytes).unwrap_or_else(|e| crate::fail(&format!("a snapshot loads: {e}")));
    changes_text(&doc.get_changes(&[]))
}

/// Everything a bundle file holds, decoded: its fields, every change of every document in it, and the message bodies
/// beside them (their words are UTF-8 in the clear inside).
pub fn bundle_text(bytes: &[u8]) -> String {
    let bundle = Bundle::from_file_bytes(bytes).unwrap_or_else(|e| crate::fail(&format!("a bundle decodes: {e}")));
    let mut text = format!("{bundle:?}\n");
    for document in &bundle.documents {
        text.push_str(&snapshot_text(&document.snapshot));
    }
    for body in &bundle.bodies {
        text.push_str(&String::from_utf8_lossy(body));
        text.push('\n');
    }
    text
}

/// The path and bytes of every file under `dir`.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| crate::fail(&format!("listing {}: {e}", dir.display())));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}
