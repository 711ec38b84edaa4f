//! The app-facing calls of the crisis check: [`Kindred::check_draft`] (before posting: the check and, when it shows a
//! sign of risk, the person's own safety plan to offer) and [`Kindred::check_received`] (for the reader: the check and
//! guidance on answering supportively), against the profile's phrase lists ([`Kindred::extend_crisis_phrases`],
//! [`Kindred::replace_crisis_phrases`]; the shipped ones until an app sets its own).
//!
//! Neither call stores, logs or sends the text, nor blocks anything: the draft is read, checked and forgotten, and
//! errors name the field and the limit, never the words. Neither flags anyone: nothing about the author of a draft or
//! of a received message is recorded, counted or told to anyone.

use std::sync::Arc;

use serde::Serialize;

use crate::crisis::{self, Checker, FoundResource, Lexicon, Match, ReaderGuidance};
use crate::error::{Error, Result};
use crate::kindred::Kindred;
use crate::messages::MAX_MESSAGE_CHARS;
use crate::model::SafetyPlan;

/// Field names in errors (never the text itself).
const DRAFT_FIELD: &str = "draft text";
const RECEIVED_FIELD: &str = "message text";

/// The check of a draft before it is posted, and what to offer the person who wrote it. The app shows the offer, if
/// the person wants it, and posts the draft either way: nothing here blocks a post.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DraftCheck {
    /// Whether the draft shows a sign of risk to self (some phrase matched and no exception cancelled it).
    pub risk: bool,
    /// What matched, as in [`crisis::Check::matches`]: phrases of the lists, never the person's words.
    pub matches: Vec<Match>,
    /// The person's own safety plan, to offer: only when `risk` is true and the plan has at least one item. It is
    /// read from this phone's database for this answer and is not stored, logged or sent anywhere.
    pub safety_plan: Option<SafetyPlan>,
    /// Crisis services for the person's region ([`Kindred::set_region`]) and the draft's language, from the
    /// resource directories the profile holds (imported or published in its groups), best first, as [`Kindred::crisis_resources`] gives them: only when `risk` is
    /// true. Entries of an example directory are marked `example` and are not real services. Empty when nothing
    /// matches (the app then shows its own fallback, such as the local emergency number).
    pub resources: Vec<FoundResource>,
}

/// What is offered to a person on a sign of risk (a draft, PHQ-9 item 9), as read in one transaction so that the
/// plan and the services come from one state of the profile: the plan's items, their region and the directory files
/// held. [`OfferRecords::offer`] builds the offer after the read (checking directories' signatures outside it).
pub(crate) struct OfferRecords {
    items: Vec<crate::model::SafetyPlanItem>,
    region: Option<String>,
    files: Vec<crisis::resources::HeldFile>,
}

impl OfferRecords {
    pub(crate) fn read(tx: &rusqlite::Connection) -> Result<Self> {
        Ok(Self {
            items: crate::storage::safety_plan::all(tx)?,
            region: crate::storage::profile::region(tx)?,
            files: crisis::resources::held_files(tx)?,
        })
    }

    /// The person's safety plan (when it has an item) and the crisis services for their region and `language`.
    pub(crate) fn offer(self, language: Option<&str>) -> Result<(Option<SafetyPlan>, Vec<FoundResource>)> {
        let safety_plan = Some(crate::safety_plan::assemble(self.items)).filter(|plan| !plan.is_empty());
        let resources = crisis::resources::lookup_in_files(&self.files, self.region.as_deref(), language)?.entries;
        Ok((safety_plan, resources))
    }
}

/// `text` if it is no longer than a message can be; `InvalidInput` naming `field` and the limit otherwise. Empty and
/// blank text is fine (a draft being typed): it shows no sign of risk.
fn bounded<'a>(field: &'static str, text: &'a str) -> Result<&'a str> {
    // Counting stops past the limit, so a huge text costs no more than a message.
    let count = text.chars().take(MAX_MESSAGE_CHARS + 1).count();
    if count > MAX_MESSAGE_CHARS {
        return Err(Error::invalid(field, format!("is longer than {MAX_MESSAGE_CHARS} characters, the limit")));
    }
    Ok(text)
}

impl Kindred {
    /// Checks a draft for signs of risk to self before it is posted, against the list of `language` (every list when
    /// `None` or a language without one; see [`Checker::check`]). When there is a sign of risk and the person's
    /// safety plan has at least one item, the answer carries the plan (one indexed read of this phone's database), so
    /// the app can offer it next to the post button, and the crisis resources of the directories the profile holds for the
    /// person's region ([`Kindred::set_region`]) and `language`.
    ///
    /// It never blocks the post, and the draft goes nowhere: it is not stored, logged or sent, and the answer names
    /// phrases of the lists, never the draft's words. Fails with `InvalidInput` (naming the field and the limit, never
    /// the text) for a draft longer than [`MAX_MESSAGE_CHARS`](crate::limits::MAX_MESSAGE_CHARS), which could not be
    /// posted either; an empty draft shows no sign of risk.
    pub fn check_draft(&self, text: &str, language: Option<&str>) -> Result<DraftCheck> {
        let text = bounded(DRAFT_FIELD, text)?;
        let check = self.crisis_checker().check(text, language);
        if !check.risk {
            return Ok(DraftCheck { risk: false, matches: check.matches, ..DraftCheck::default() });
        }
        let (safety_plan, resources) = self.read(|tx, _| OfferRecords::read(tx))?.offer(language)?;
        Ok(DraftCheck { risk: true, matches: check.matches, safety_plan, resources })
    }

    /// The crisis services for the person's region and `language`, from the directories the profile holds.
    fn resources_to_offer(&self, language: Option<&str>) -> Result<Vec<FoundResource>> {
        let (region, files) =
            self.read(|tx, _| Ok((crate::storage::profile::region(tx)?, crisis::resources::held_files(tx)?)))?;
        Ok(crisis::resources::lookup_in_files(&files, region.as_deref(), language)?.entries)
    }

    /// Checks a received message for its reader: the same matches as a draft's and, when there is a sign of risk,
    /// short guidance on answering supportively (see [`Checker::check_received`]) and the crisis services the reader
    /// can share, for the reader's region ([`Kindred::set_region`]) and the message's language. It is for the
    /// reader's screen only: the author is never flagged, and nothing about the message or its author is recorded or
    /// sent. Fails with `InvalidInput` (never naming the text) for a text longer than
    /// [`MAX_MESSAGE_CHARS`](crate::limits::MAX_MESSAGE_CHARS), which no message can be.
    pub fn check_received(&self, text: &str, language: Option<&str>) -> Result<ReaderGuidance> {
        let text = bounded(RECEIVED_FIELD, text)?;
        let mut guidance = self.crisis_checker().check_received(text, language);
        if guidance.risk {
            guidance.resources = self.resources_to_offer(language)?;
        }
        Ok(guidance)
    }

    /// Adds the phrases of `list` (a phrase list in the [`Lexicon`] format) to this profile's list of its language,
    /// or adds the language: an app's or a clinical team's own phrases on top of the shipped ones. It lasts while the
    /// profile is open (nothing is stored), so an app sets it again after opening. Returns the languages checked now.
    /// Fails with `InvalidInput` naming the line for a list that does not parse or is over the limits, and leaves the
    /// lists as they were.
    pub fn extend_crisis_phrases(&self, list: &str) -> Result<Vec<String>> {
        let lexicon = Lexicon::parse(list)?;
        self.change_crisis_checker(|checker| checker.extend(lexicon))
    }

    /// Puts `list` in place of this profile's list of its language (or adds the language), as
    /// [`Kindred::extend_crisis_phrases`] otherwise.
    pub fn replace_crisis_phrases(&self, list: &str) -> Result<Vec<String>> {
        let lexicon = Lexicon::parse(list)?;
        self.change_crisis_checker(|checker| checker.replace(lexicon))
    }

    /// Goes back to the shipped phrase lists; returns their languages.
    pub fn reset_crisis_phrases(&self) -> Vec<String> {
        self.set_crisis_checker(None);
        crisis::shipped().languages().into_iter().map(str::to_owned).collect()
    }

    fn change_crisis_checker(&self, change: impl FnOnce(&mut Checker) -> Result<()>) -> Result<Vec<String>> {
        let current = self.crisis_checker();
        let lists = current.languages().into_iter().filter_map(|l| current.list(l).cloned()).collect();
        let mut checker = Checker::with_lists(lists)?;
        change(&mut checker)?;
        let languages = checker.languages().into_iter().map(str::to_owned).collect();
        self.set_crisis_checker(Some(Arc::new(checker)));
        Ok(languages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::model::SafetyPlanStep;

    /// A new profile in a temporary directory (kept alive with it).
    fn profile() -> (tempfile::TempDir, Kindred) {
        let dir = tempfile::tempdir().unwrap();
        let kindred = Kindred::create(dir.path(), "Ada").unwrap();
        (dir, kindred)
    }

    const RISKY: &str = "honestly i just want to dieee";

    #[test]
    fn a_risky_draft_offers_the_plan_once_it_has_an_item() {
        let (_dir, me) = profile();
        let check = me.check_draft(RISKY, Some("en")).unwrap();
        assert!(check.risk);
        assert_eq!(check.matches[0].category, crisis::category::SUICIDAL_IDEATION);
        assert_eq!(check.safety_plan, None, "an empty plan is not offered");

        me.add_safety_plan_item(SafetyPlanStep::People, "Call my sister", Some("0700 000 000")).unwrap();
        let plan = me.check_draft(RISKY, None).unwrap().safety_plan.expect("the plan is offered");
        assert_eq!(plan, me.safety_plan().unwrap());

        assert!(check.resources.is_empty(), "no directory installed: nothing is invented");

        let ordinary = me.check_draft("this week is killing me, see you Tuesday", Some("en")).unwrap();
        assert_eq!(ordinary, DraftCheck::default());
        assert_eq!(me.check_draft("", None).unwrap(), DraftCheck::default());
    }

    #[test]
    fn a_risky_draft_offers_the_resources_for_the_persons_region_and_language() {
        let (dir, me) = profile();
        me.import_resource_directory(crisis::example_directory_file()).unwrap();
        assert!(me.check_draft("see you Tuesday", Some("sw")).unwrap().resources.is_empty());
        // No region: international services only.
        let names = |check: &DraftCheck| check.resources.iter().map(|f| f.entry.name.clone()).collect::<Vec<_>>();
        let check = me.check_draft("nataka kujiua", Some("sw")).unwrap();
        assert_eq!(names(&check), ["EXAMPLE international chat"]);
        assert_eq!(me.set_region(Some(" ke-30 ")).unwrap().as_deref(), Some("KE-30"));
        drop(me);
        let me = Kindred::open(dir.path()).unwrap();
        assert_eq!(me.region().unwrap().as_deref(), Some("KE-30"));
        let check = me.check_draft("nataka kujiua", Some("sw")).unwrap();
        assert_eq!(check.resources[0].entry.name, "EXAMPLE Nairobi walk-in centre");
        assert!(check.resources.iter().all(|f| f.example), "example entries are marked");
        assert!(check.resources.iter().any(|f| f.entry.country == "KE" && f.entry.subdivision.is_none()));
        assert!(me.set_region(Some("Kenya")).is_err());
        assert_eq!(me.region().unwrap().as_deref(), Some("KE-30"), "a refused region leaves the old one");
        assert_eq!(me.set_region(None).unwrap(), None);
        assert_eq!(me.region().unwrap(), None);
    }

    #[test]
    fn reader_guidance_comes_with_a_sign_of_risk_only() {
        let (_dir, me) = profile();
        let guidance = me.check_received("ya no quiero vivir", Some("es-MX")).unwrap();
        assert!(guidance.risk && !guidance.guidance.is_empty());
        assert_eq!(guidance.guidance_language, "es");
        assert!(guidance.resources.is_empty(), "no directory installed: nothing is invented");
        assert_eq!(me.check_received("see you Tuesday", Some("en")).unwrap(), ReaderGuidance::default());

        // With a directory and a region, the reader gets the services to share for their own region.
        me.import_resource_directory(crisis::example_directory_file()).unwrap();
        me.set_region(Some("KE-30")).unwrap();
        let guidance = me.check_received("nataka kujiua", Some("sw")).unwrap();
        assert_eq!(guidance.resources[0].entry.name, "EXAMPLE Nairobi walk-in centre");
        assert!(guidance.resources.iter().all(|f| f.example));
        assert!(me.check_received("tuonane Jumanne", Some("sw")).unwrap().resources.is_empty());
    }

    #[test]
    fn an_over_long_text_is_invalid_input_without_the_text() {
        let (_dir, me) = profile();
        let longest = "a".repeat(MAX_MESSAGE_CHARS);
        assert!(me.check_draft(&longest, None).is_ok());
        let too_long = format!("{longest} kms Zanzibarquux");
        for (result, field) in [
            (me.check_draft(&too_long, None).map(|_| ()), DRAFT_FIELD),
            (me.check_received(&too_long, None).map(|_| ()), RECEIVED_FIELD),
        ] {
            match result.as_ref().map_err(Error::kind) {
                Err(err @ ErrorKind::InvalidInput { field: f, .. }) => {
                    assert_eq!(*f, field);
                    assert!(!err.to_string().contains("Zanzibarquux"), "{err}");
                }
                other => panic!("expected InvalidInput, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_app_extends_and_replaces_the_profiles_lists() {
        let (_dir, me) = profile();
        let app_phrase = "the blue balloon is ready";
        assert!(!me.check_draft(app_phrase, Some("en")).unwrap().risk);

        let languages = me.extend_crisis_phrases("language: en\n[plan_or_means]\nblue .. balloon\n").unwrap();
        assert_eq!(languages.len(), crisis::shipped().languages().len());
        assert!(me.check_draft(app_phrase, Some("en")).unwrap().risk);
        assert!(me.check_draft(RISKY, Some("en")).unwrap().risk, "the shipped phrases stay");

        me.replace_crisis_phrases("language: en\n[plan_or_means]\nblue .. balloon\n").unwrap();
        assert!(!me.check_draft(RISKY, Some("en")).unwrap().risk, "the shipped English list is gone");
        assert!(me.check_draft("nataka kujiua", Some("sw")).unwrap().risk, "other languages stay");

        assert!(me.extend_crisis_phrases("no header\n").is_err());
        assert!(me.check_draft(app_phrase, Some("en")).unwrap().risk, "a failed change leaves the lists");

        me.reset_crisis_phrases();
        assert!(!me.check_draft(app_phrase, Some("en")).unwrap().risk);
        assert!(me.check_draft(RISKY, Some("en")).unwrap().risk);
    }
}
