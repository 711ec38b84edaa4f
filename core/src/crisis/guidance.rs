//! Guidance for the reader of a message that raised the check: a few short lines on answering supportively, in
//! the reader's language. The lines follow what gatekeeper and peer-support training teaches (listen without
//! judging, ask about suicide directly and calmly, share resources, never promise secrecy, look after yourself) and
//! the finding that peer supporters given feedback as they answer respond with markedly more empathy (Sharma et al.
//! 2023). They speak about the message, never about its author, and are shown on the reader's phone only.
//!
//! The lines are `guidance.txt`, shipped deflated (`crate::shipped`): one `[language]` section each, whose lines are
//! `urging:` (shown first, for a message that tells someone to harm themselves), `self-harm:` (shown after the first
//! general line, for a message that speaks of self-harm) and `general:` (for every message with a sign of risk, in
//! order).

use std::sync::OnceLock;

/// The languages guidance is written in (English is the fallback).
const LANGUAGES: &[&str] = &["en", "es", "sw"];

/// `guidance.txt`, inflated on first use.
fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| crate::shipped::text(include_bytes!(concat!(env!("OUT_DIR"), "/guidance.txt.z"))))
}

/// The lines of `language`'s section that start with `kind`, in order.
fn lines(language: &str, kind: &str) -> Vec<&'static str> {
    let mut section = "";
    let mut found = Vec::new();
    for line in text().lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
        } else if section == language
            && let Some(rest) = line.strip_prefix(kind).and_then(|l| l.strip_prefix(": "))
        {
            found.push(rest);
        }
    }
    found
}

/// Lines for every message with a sign of risk, in order.
fn general(language: &str) -> Vec<&'static str> {
    lines(language, "general")
}

/// Whether guidance is written in `language` (a primary tag).
pub(crate) fn has_language(language: &str) -> bool {
    LANGUAGES.contains(&language)
}

/// The guidance for a message whose matches have these categories, in `language` if written in it (else
/// English), and the language it is in.
pub(crate) fn for_reader(language: &str, categories: &[&str]) -> (String, Vec<String>) {
    let language = if has_language(language) { language } else { "en" };
    let mut lines: Vec<String> = Vec::new();
    if categories.contains(&super::category::URGING_SELF_HARM) {
        lines.extend(self::lines(language, "urging").into_iter().map(str::to_owned));
    }
    let general = general(language);
    let (first, rest) = general.split_at(1.min(general.len()));
    lines.extend(first.iter().map(|l| (*l).to_owned()));
    if categories.contains(&super::category::SELF_HARM) {
        lines.extend(self::lines(language, "self-harm").into_iter().map(str::to_owned));
    }
    lines.extend(rest.iter().map(|l| (*l).to_owned()));
    (language.to_owned(), lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crisis::category::{SELF_HARM, SUICIDAL_IDEATION, URGING_SELF_HARM};

    #[test]
    fn every_language_has_the_same_lines_and_short_ones() {
        assert_eq!(general("en").len(), 6);
        for language in LANGUAGES {
            assert_eq!(general(language).len(), general("en").len(), "{language}");
            assert_eq!(lines(language, "urging").len(), 1, "{language}");
            assert_eq!(lines(language, "self-harm").len(), 1, "{language}");
            let (_, lines) = for_reader(language, &[SELF_HARM, URGING_SELF_HARM]);
            assert_eq!(lines.len(), general("en").len() + 2);
            for line in lines {
                assert!(line.chars().count() <= 260, "{language}: {line}");
                assert!(!line.contains("  "), "{language}: {line}");
            }
        }
    }

    #[test]
    fn falls_back_to_english_and_adds_lines_by_category() {
        let (language, lines) = for_reader("fr", &[SUICIDAL_IDEATION]);
        assert_eq!(language, "en");
        assert_eq!(lines.len(), general("en").len());
        let (_, lines) = for_reader("es", &[SELF_HARM]);
        assert!(lines.iter().any(|l| l.contains("herida")));
        let (_, lines) = for_reader("sw", &[URGING_SELF_HARM]);
        assert!(lines.first().is_some_and(|l| l.contains("ujidhuru")));
    }
}
