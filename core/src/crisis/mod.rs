//! The on-device crisis check: does a text show signs of risk to self (thoughts of suicide, self-harm, a plan or
//! means, a farewell, hopelessness about living), and which phrases of which list say so.
//!
//! It runs on the phone, on text that stays there: checking a draft before it is posted, or a message as it is
//! read. It never blocks anything, never stores, logs or sends the text, and reports phrases of the lists, never the
//! person's words. It never flags anyone: the author of a message that raised it is not reported, counted or told
//! to anyone by this feature.
//!
//! - Before posting, [`Checker::check`] says whether there is a sign of risk and what matched. That [`Check`] is
//!   the seam the app's offer plugs into: [`Kindred::check_draft`](crate::Kindred::check_draft) combines it with
//!   the person's own safety plan ([`DraftCheck`]), and the app shows it, if the person wants, without stopping the
//!   post, with the crisis resources for their region and language from the installed signed directories
//!   ([`ResourceDirectory`], [`Kindred::crisis_resources`](crate::Kindred::crisis_resources)).
//! - For the reader, [`Checker::check_received`] (and [`Kindred::check_received`](crate::Kindred::check_received))
//!   adds short guidance on answering supportively ([`ReaderGuidance`]), shown only on the reader's phone.
//! - A profile checks against the shipped lists unless the app sets its own for it
//!   ([`Kindred::extend_crisis_phrases`](crate::Kindred::extend_crisis_phrases),
//!   [`Kindred::replace_crisis_phrases`](crate::Kindred::replace_crisis_phrases)).
//!
//! The phrase lists are data ([`Lexicon`], one per language, in a small text format): Kindred ships English,
//! Spanish and Swahili ([`BUILTIN_LANGUAGES`]), and an app or a clinical team can extend or replace them
//! ([`Checker::extend`], [`Checker::replace`]). A keyword list misses much, and its measured recall is on sentences
//! its authors wrote: see `docs/crisis-support.md`.
//!
//! ## How text is compared
//! The text and every word of the lists go through the same normalisation: Unicode lowercase; accents folded by a
//! small table (Latin-1 and Latin Extended-A) and combining marks dropped; "fancy font" and fullwidth letters read
//! as plain ones; apostrophes inside a word removed ("don't" is `dont`) and all other punctuation a word break;
//! digits inside a word read as the letters they stand for ("su1c1de"); each emoji a word of its own (skin tones,
//! variation selectors and joiners dropped). Words then match when they are the same once stretched letters are
//! allowed for: a run of three or more of a letter stands for one or two ("sooo", "kmsss"), and a doubled last
//! letter for one ("diee"). Abbreviations and misspellings are entries of the lists (`kms`, `unaliv*`,
//! `sewerslide~`); phrases may allow words in between (`..`), emoji count with context (`💊 & (all of them|...)`),
//! and listed figures of speech and negations ("this week is killing me", "I'm not suicidal") cancel the matches
//! they overlap.
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
pub(crate) mod directory;
mod guidance;
mod lexicon;
mod normalize;
pub(crate) mod offer;
mod publish;
pub(crate) mod resources;

#[cfg(test)]
mod eval;

use std::sync::OnceLock;

use serde::Serialize;

pub use check::{Checker, MAX_LISTS};
pub use directory::{
    FoundResource, MAX_AUDIENCE_CHARS, MAX_CONTACT_CHARS, MAX_DIRECTORY_BYTES, MAX_DIRECTORY_ENTRIES,
    MAX_ENTRY_LANGUAGES, MAX_GROUP_DIRECTORIES, MAX_HOURS_CHARS, MAX_NAME_CHARS, MAX_PUBLISHED_DIRECTORY_BYTES,
    MAX_TITLE_CHARS, ResourceDirectory, ResourceEntry, ResourceKind, ResourceLookup, ResourceMatch,
    example_directory_file, lookup as lookup_resources,
};
pub use lexicon::{
    BUILTIN_LANGUAGES, EXCEPTIONS, Lexicon, MAX_GAP, MAX_LEXICON_BYTES, MAX_NEAR, MAX_PHRASE_CHARS, MAX_PHRASES,
};
pub use offer::DraftCheck;
pub use resources::{DirectoryImport, DirectorySummary};

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
    /// Crisis services the reader can share, for the reader's region ([`Kindred::set_region`](crate::Kindred::set_region))
    /// and the message's language, best first, as [`Kindred::crisis_resources`](crate::Kindred::crisis_resources)
    /// gives them: only on a sign of risk, and only from [`Kindred::check_received`](crate::Kindred::check_received)
    /// (a bare [`Checker`] holds no directories). Entries of an example directory are marked `example`.
    pub resources: Vec<FoundResource>,
}

/// The checker with the shipped lists, compiled on first use and shared.
pub fn shipped() -> &'static Checker {
    static SHIPPED: OnceLock<Checker> = OnceLock::new();
    SHIPPED.get_or_init(Checker::builtin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raises(text: &str, language: Option<&str>) -> bool {
        shipped().check(text, language).risk
    }

    #[test]
    fn figures_of_speech_and_negations_do_not_raise_it() {
        let cases = [
            ("en", "this week is killing me"),
            ("en", "I'd kill for a coffee"),
            ("en", "dying to see you on Sunday!"),
            ("en", "I nearly died laughing 😂"),
            ("en", "that cake was to die for"),
            ("en", "bored to death at the clinic"),
            ("en", "this commute will be the death of me"),
            ("en", "I'm killing myself at the gym lately"),
            ("en", "I want to die my hair purple"),
            ("en", "I wanted to die of embarrassment"),
            ("en", "goodbye everyone, see you next Tuesday"),
            ("en", "walked 10 kms today"),
            ("en", "I could sleep forever"),
            ("en", "I want to end it with him, he's toxic"),
            ("en", "I don't want to die, I want to see my kids grow up"),
            ("en", "I'm not suicidal, just tired"),
            ("en", "I cut myself shaving"),
            ("en", "the suicide prevention line is 988"),
            ("en", "I took all my meds today"),
            ("es", "me muero de risa"),
            ("es", "me muero de ganas de verte"),
            ("es", "estoy muerta de cansancio"),
            ("es", "mataría por un café"),
            ("es", "el pastel está para morirse"),
            ("es", "me mato trabajando toda la semana"),
            ("es", "adiós a todos, nos vemos el jueves"),
            ("es", "no quiero morir"),
            ("es", "me corté el pelo"),
            ("sw", "mgongo unaniua leo"),
            ("sw", "nimecheka hadi kufa 😂"),
            ("sw", "nitakupenda hadi nife"),
            ("sw", "kwaherini, tutaonana kesho"),
            ("sw", "sitaki kufa"),
            ("sw", "nimejikata kidole nikipika"),
        ];
        for (language, text) in cases {
            assert!(!raises(text, Some(language)), "{language}: {text}");
            assert!(!raises(text, None), "every list: {text}");
        }
    }

    #[test]
    fn how_people_type_does_not_hide_it() {
        let cases = [
            ("en", "I WANT TO KILL MYSELF"),
            ("en", "i want to kill myself."),
            ("en", "i want to dieeeee"),
            ("en", "i waaaant to die"),
            ("en", "kms"),
            ("en", "kmsssss"),
            ("en", "i wanna unalive myself"),
            ("en", "sewerslide thoughts"),
            ("en", "i feel suicdal"),
            ("en", "thinking about sucide"),
            ("en", "i want to k1ll mys3lf"),
            ("en", "i want so badly to die"),
            ("en", "i don't want to live anymore"),
            ("en", "i don’t want to live anymore"),
            ("en", "i do not want to live anymore"),
            ("en", "💊 all of them tonight"),
            ("en", "🔪 again, on my arm"),
            // Mathematical bold "kill myself".
            ("en", "\u{1D424}\u{1D422}\u{1D425}\u{1D425} \u{1D426}\u{1D432}\u{1D42C}\u{1D41E}\u{1D425}\u{1D41F}"),
            ("es", "Me quiero MORIR"),
            ("es", "quiero suicidarme"),
            ("es", "kiero morirmeee"),
            ("es", "no le veo sentido a la vída"),
            ("es", "estoy cansada de vivír"),
            ("es", "ya no quiero vivir..."),
            ("sw", "NATAKA KUJIUA"),
            ("sw", "nataka kufaaaa"),
            ("sw", "ntajiua leo"),
            ("sw", "nimechoka kuishi!!!"),
            // Swahili with English mixed in: the Swahili list checks the English one too.
            ("sw", "nimechoka, i want to die"),
        ];
        for (language, text) in cases {
            assert!(raises(text, Some(language)), "{language}: {text}");
            assert!(raises(text, None), "every list: {text}");
        }
    }

    #[test]
    fn a_check_names_phrases_of_the_lists_never_the_text() {
        let text = "Zanzibarquux, I want to kill myself";
        let check = shipped().check(text, None);
        assert!(check.risk);
        for m in &check.matches {
            let list = shipped().list(&m.language);
            assert!(list.is_some_and(|l| l.phrases(&m.category).contains(&m.phrase.as_str())), "{m:?}");
            assert!(!m.phrase.to_lowercase().contains("zanzibarquux"));
        }
        assert!(!format!("{check:?}").to_lowercase().contains("zanzibarquux"));
    }

    #[test]
    fn any_text_is_checked_without_failing() {
        for text in ["", " ", "\0\u{7}\u{FFFF}", "💊", "'", "..", "a\u{0301}\u{0301}\u{0301}", &"x".repeat(100_000)] {
            assert!(!shipped().check(text, None).risk);
            assert!(shipped().check_received(text, Some("")).guidance.is_empty());
        }
    }
}
