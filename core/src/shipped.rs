//! Texts the library ships (the crisis check's phrase lists, the instruments' definitions, the schema migrations and
//! the storage modules' SQL statements): compressed with raw DEFLATE by `build.rs` (about a third of their bytes in
//! the phone library, a fifth for the statements), inflated here on first use.

/// Largest shipped text, inflated.
const MAX_TEXT_BYTES: usize = 1 << 20;

/// The text a shipped file holds. A file that does not inflate to UTF-8 is a build defect the tests catch; it reads
/// as empty rather than failing every call.
pub(crate) fn text(compressed: &[u8]) -> String {
    crate::sync::codec::inflate_bounded(compressed, MAX_TEXT_BYTES)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// The texts a shipped file of several holds (`build.rs` joins them with NUL), in their order.
pub(crate) fn parts(compressed: &[u8]) -> Vec<String> {
    text(compressed).split('\0').map(str::to_owned).collect()
}
