//! The on-device crisis check: does a text show signs of risk to self (thoughts of suicide, self-harm, a plan or
//! means, a farewell, hopelessness about living), and which phrases of which list say so.
//!
//! It runs on the phone, on text that stays there: checking a draft before it is posted, or a message as it is
//! read. It never blocks anything, never stores, logs or sends the text, and reports phrases of the lists, never the
//! person's words. It never flags anyone: the author of a message that raised it is not reported, counted or told
//! to anyone by this feature.
//!
//! - Before posting, [`Checker::check`] says whether there is a sign of risk and what matched. That [`Check`] is
//!   the seam the app's offer plugs into: `Kindred::check_draft` (to come) combines it with the person's own
//!   safety plan and the crisis resources for their region and language, and the app shows them, if the person
//!   wants, without stopping the post.
//! - For the reader, [`Checker::check_received`] adds short guidance on answering supportively ([`ReaderGuidance`]),
//!   shown only on the reader's phone.
//!
//! The phrase lists are data ([`Lexicon`], one per language, in a small text format): Kindred ships English,
//! Spanish and Swahili ([`BUILTIN_LANGUAGES`]), and an app or a clinical team can extend or replace them
//! ([`Checker::extend`], [`Checker::replace`]). Matching survives how people type: case, accents, punctuation,
//! stretched letters, digits for letters, abbreviations and misspellings (as list entries or `word~`), words in
//! between, emoji; listed figures of speech ("this week is killing me") do not raise it. A keyword list misses
//! much and its measured recall is on sentences its authors wrote: see `docs/crisis-support.md`.
//!
//! ```
//! use kindred_core::crisis::{self, Checker, Lexicon};
//! # fn main() -> kindred_core::Result<()> {
//! let check = crisis::shipped().check("honestly i just want to dieee", Some("en"));
//! assert!(check.risk);
//! assert_eq!(check.matches[0].category, crisis::category::SUICIDAL_IDEATION);
//! assert!(!crisis::shipped().check("this week is killing me", Some("en")).risk);
//!
//! // An app adds its own phrases to the shipped English list.
//! let mut checker = Checker::builtin();
//! checker.extend(Lexicon::parse("language: en\n[plan_or_means]\n(saving|hoarding) .. (meds|pills)\n")?)?;
//! assert!(checker.check("I've been hoarding my meds", Some("en")).risk);
//! # Ok(()) }
//! ```

mod check;
mod guidance;
mod lexicon;
mod normalize;

#[cfg(test)]
mod eval;

use std::sync::OnceLock;

use serde::Serialize;

pub use check::{Checker, MAX_LISTS};
pub use lexicon::{
    BUILTIN_LANGUAGES, EXCEPTIONS, Lexicon, MAX_GAP, MAX_LEXICON_BYTES, MAX_NEAR, MAX_PHRASE_CHARS, MAX_PHRASES,
};

/// The categories of the shipped lists. A list may define others; [`Match::category`] is whatever the list names.
pub mod category {
    /// Thoughts of suicide or of wanting to die: "I want to kill myself", "kms", "thinking about suicide".
    pub const SUICIDAL_IDEATION: &str = "suicidal_ideation";
    /// Self-harm, an urge or an act: "I cut myself again", "the urge to self harm".
    pub const SELF_HARM: &str = "self_harm";
    /// A plan or the means: saving pills, a rope, a place, a date.
    pub const PLAN_OR_MEANS: &str = "plan_or_means";
    /// A farewell: "goodbye everyone, this is my last message", "look after my cat when I'm gone".
    pub const FAREWELL: &str = "farewell";
    /// Hopelessness about living: "no reason to live", "everyone would be better off without me".
    pub const HOPELESSNESS: &str = "hopelessness";
    /// Telling someone else to kill or harm themselves ("kys"): content that promotes self-harm, whose reader may
    /// be the one at risk.
    pub const URGING_SELF_HARM: &str = "urging_self_harm";
}

/// What the check found in one text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Check {
    /// Whether the text shows a sign of risk (some phrase matched and no exception cancelled it).
    pub risk: bool,
    /// What matched, each phrase once, in the order found in the text.
    pub matches: Vec<Match>,
}

/// One phrase of a list found in a text. It names the list's phrase, never the person's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Match {
    /// The phrase's category: one of [`category`] for the shipped lists, or an app list's own.
    pub category: String,
    /// The phrase as written in the list ("(want|wanna) .. die").
    pub phrase: String,
    /// The list's language ("en").
    pub language: String,
}

/// The check of a received message, for its reader: what matched, and how to answer supportively. Shown on the
/// reader's phone only; the author is never flagged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReaderGuidance {
    /// Whether the message shows a sign of risk.
    pub risk: bool,
    /// What matched, as in [`Check::matches`].
    pub matches: Vec<Match>,
    /// Short lines for the reader on answering supportively (listen, don't judge, ask directly and calmly, share the
    /// resources, don't promise secrecy, look after yourself), in order; empty when there is no sign of risk. The
    /// app shows them with the crisis resources to share.
    pub guidance: Vec<String>,
    /// The language of `guidance` ("en", "es", "sw"); empty when there is none.
    pub guidance_language: String,
}

/// The checker with the shipped lists, compiled on first use and shared.
pub fn shipped() -> &'static Checker {
    static SHIPPED: OnceLock<Checker> = OnceLock::new();
    SHIPPED.get_or_init(Checker::builtin)
}
