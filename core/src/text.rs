//! Validation of text that people type: names, messages, notes, tags.
//!
//! One place decides what "empty", "too long" and "not printable" mean, so every input gets the same clear error.
//! Lengths are counted in Unicode scalar values (what a person thinks of as characters), not bytes.

use crate::error::{Error, Result};

fn check_chars(field: &'static str, text: &str, allow_newlines: bool) -> Result<()> {
    match text.chars().find(|c| c.is_control() && !(allow_newlines && (*c == '\n' || *c == '\t'))) {
        Some(c) => Err(Error::invalid(field, format!("contains the control character U+{:04X}", u32::from(c)))),
        None => Ok(()),
    }
}

fn check_len(field: &'static str, text: &str, max_chars: usize) -> Result<()> {
    if text.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let count = text.chars().count();
    if count > max_chars {
        return Err(Error::invalid(field, format!("is {count} characters long; the limit is {max_chars}")));
    }
    Ok(())
}

/// A required one-line value (a name, a title, a tag): trimmed, non-empty, at most `max_chars`, no control characters.
pub(crate) fn single_line(field: &'static str, text: &str, max_chars: usize) -> Result<String> {
    let text = text.trim();
    check_len(field, text, max_chars)?;
    check_chars(field, text, false)?;
    Ok(text.to_owned())
}

/// A required text that may span lines (a message): trimmed, non-empty, at most `max_chars`.
pub(crate) fn multi_line(field: &'static str, text: &str, max_chars: usize) -> Result<String> {
    let text = text.trim();
    check_len(field, text, max_chars)?;
    check_chars(field, text, true)?;
    Ok(text.to_owned())
}

/// An optional text that may span lines: blank means "none".
pub(crate) fn optional_multi_line(field: &'static str, text: Option<&str>, max_chars: usize) -> Result<Option<String>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => multi_line(field, text, max_chars).map(Some),
    }
}

/// An optional one-line text: blank means "none".
pub(crate) fn optional_single_line(
    field: &'static str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => single_line(field, text, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_long_and_control_text() {
        assert!(single_line("name", "  ", 10).is_err());
        assert!(single_line("name", "abcdefghijk", 10).is_err());
        assert!(single_line("name", "a\nb", 10).is_err());
        assert!(single_line("name", "a\u{0}b", 10).is_err());
        assert_eq!(single_line("name", "  Ada ", 10).ok().as_deref(), Some("Ada"));
        // Ten characters, more than ten bytes.
        assert!(single_line("name", "ééééééééé", 10).is_ok());
        assert!(multi_line("text", "line one\nline two", 40).is_ok());
        assert_eq!(optional_multi_line("cw", Some("   "), 10).ok(), Some(None));
    }
}
