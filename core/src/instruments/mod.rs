//! Validated outcome measures: instruments defined as data ([`Instrument`], the text format in `definition`), scored
//! exactly as published, and the person's results kept on this phone.
//!
//! Kindred ships WHO-5, PHQ-9, PHQ-8, PHQ-2, GAD-7, GAD-2, PHQ-4, K10 and K6 in English (`definitions/*.txt`); an app
//! adds translations or further instruments with [`Kindred::add_instrument`] (a definition in the same format; a
//! translation keeps the id and must score the same way).
//!
//! Results are personal data: they live only in this profile's database, never in a document, a bundle or a sync
//! session. A **private** item's answer (PHQ-9 item 9, thoughts of self-harm) is kept with the result on this phone
//! and is never part of anything shared. A **crisis** flag (PHQ-9 item 9 above 0) makes
//! [`Kindred::take_instrument`] return the person's safety plan and the crisis resources for their region at once,
//! for the app to show before anything else.

mod definition;

use std::sync::OnceLock;

use serde::Serialize;

pub use definition::{
    AnswerOption, FlagComparison, FlagSubject, Instrument, InstrumentFlag, InstrumentItem, InstrumentScore,
    MAX_DEFINITION_BYTES, MAX_ITEMS, MAX_OPTIONS, MAX_TEXT_CHARS, ScoreBand,
};

use crate::crisis::FoundResource;
use crate::crisis::offer::OfferRecords;
use crate::error::{Error, Result};
use crate::ids::InstrumentResultId;
use crate::kindred::Kindred;
use crate::model::{SafetyPlan, Update};
use crate::storage::instruments::{self as store, ResultRow};
use crate::time::{local_offset_minutes, now_ms};
use crate::wellbeing::validate_time;

/// The shipped instruments, parsed once. A shipped definition that does not parse is a build defect, caught by the
/// tests; it is left out rather than failing every call.
pub fn shipped() -> &'static [Instrument] {
    static PARSED: OnceLock<Vec<Instrument>> = OnceLock::new();
    PARSED.get_or_init(|| {
        // The shipped definitions, in the order they are listed, in one compressed stream (`crate::shipped`).
        let texts = crate::shipped::parts(include_bytes!(concat!(env!("OUT_DIR"), "/instruments.txt.z")));
        texts.iter().filter_map(|text| Instrument::parse(text).ok()).collect()
    })
}

/// A result the person recorded: the answers (private items included: they stay on this phone) and the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentResult {
    /// The result.
    pub id: InstrumentResultId,
    /// When it was taken, in milliseconds since the Unix epoch.
    pub at: i64,
    /// Every answer, in item order.
    pub answers: Vec<u8>,
    /// The score, band and flags.
    pub score: InstrumentScore,
}

/// What taking an instrument gives back: the result and, when a crisis flag was raised, what to show at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentOutcome {
    /// The stored result.
    pub result: InstrumentResult,
    /// On a crisis flag (`result.score.crisis`): the person's safety plan, when it has an item.
    pub safety_plan: Option<SafetyPlan>,
    /// On a crisis flag: the crisis services for the person's region, as [`Kindred::crisis_resources`] gives them
    /// (empty when no directory lists one: the app shows its own fallback, such as the local emergency number).
    pub resources: Vec<FoundResource>,
}

/// The instruments a profile scores: the shipped ones, with the app's added definitions in front.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    added: Vec<Instrument>,
}

impl Registry {
    /// The instrument `id` in `language` if there is one, else in English, else in any language.
    fn find(&self, id: &str, language: Option<&str>) -> Option<&Instrument> {
        let all = || self.added.iter().chain(shipped()).filter(|i| i.id == id);
        let primary = language.map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase());
        primary
            .and_then(|l| all().find(|i| i.language == l))
            .or_else(|| all().find(|i| i.language == "en"))
            .or_else(|| all().next())
    }

    fn list(&self, language: Option<&str>) -> Vec<Instrument> {
        let mut ids: Vec<&str> = Vec::new();
        for i in self.added.iter().chain(shipped()) {
            if !ids.contains(&i.id.as_str()) {
                ids.push(&i.id);
            }
        }
        ids.into_iter().filter_map(|id| self.find(id, language).cloned()).collect()
    }
}

/// Whether two definitions score alike (same options' values, item count, private items, bands, multiplier, flags):
/// what a translation must keep.
fn scores_alike(a: &Instrument, b: &Instrument) -> bool {
    let values = |i: &Instrument| i.options.iter().map(|o| o.value).collect::<Vec<_>>();
    let bands = |i: &Instrument| i.bands.iter().map(|b| (b.min, b.max)).collect::<Vec<_>>();
    values(a) == values(b)
        && a.private_items() == b.private_items()
        && a.items.len() == b.items.len()
        && bands(a) == bands(b)
        && a.percentage_multiplier == b.percentage_multiplier
        && a.flags.iter().zip(&b.flags).all(|(x, y)| {
            (x.subject, x.comparison, x.threshold, x.crisis) == (y.subject, y.comparison, y.threshold, y.crisis)
        })
        && a.flags.len() == b.flags.len()
}

impl Kindred {
    /// The instruments this profile scores, each in `language` when there is a definition in it (else English): the
    /// shipped ones and those the app added.
    pub fn instruments(&self, language: Option<&str>) -> Vec<Instrument> {
        self.instruments_registry().list(language)
    }

    /// Adds an instrument, or a translation of one, from a definition in the text format of
    /// [`Instrument::parse`]. A translation (an id already known, another language) must score exactly as the
    /// original: otherwise `InvalidInput`. It lasts while the profile is open; an app adds it again after opening.
    pub fn add_instrument(&self, definition: &str) -> Result<Instrument> {
        let instrument = Instrument::parse(definition)?;
        let mut registry = self.instruments_registry_mut();
        if let Some(original) = registry.added.iter().chain(shipped()).find(|i| i.id == instrument.id)
            && !scores_alike(original, &instrument)
        {
            return Err(Error::invalid("instrument definition", "a translation must score exactly as the original"));
        }
        registry.added.retain(|i| !(i.id == instrument.id && i.language == instrument.language));
        registry.added.insert(0, instrument.clone());
        Ok(instrument)
    }

    /// Scores complete answers to instrument `id` (one per item, in order) and keeps the result on this phone, at
    /// `at` (now when `None`; back-dating as check-ins allow). On a crisis flag (PHQ-9 item 9 above 0) the outcome
    /// carries the person's safety plan and the crisis resources for their region, to show at once. Fails with
    /// `NotFound` for an unknown instrument and `InvalidInput` for incomplete or unknown answers (naming the item,
    /// never guessing).
    pub fn take_instrument(&self, id: &str, answers: &[u8], at: Option<i64>) -> Result<InstrumentOutcome> {
        let instrument = self
            .instruments_registry()
            .find(id, None)
            .cloned()
            .ok_or_else(|| Error::not_found("instrument", "no instrument has that id"))?;
        let score = instrument.score(answers)?;
        let now = now_ms();
        let at = validate_time(at, now)?;
        let result = InstrumentResult { id: InstrumentResultId::random(), at, answers: answers.to_vec(), score };
        let row = ResultRow { result: result.clone(), utc_offset_minutes: local_offset_minutes() };
        let crisis = result.score.crisis;
        let records = self.write(|ctx| {
            store::insert(ctx.tx, &row, now)?;
            ctx.updates.push(Update::Instruments);
            crisis.then(|| OfferRecords::read(ctx.tx)).transpose()
        })?;
        let (safety_plan, resources) = match records {
            Some(records) => records.offer(None)?,
            None => (None, Vec::new()),
        };
        Ok(InstrumentOutcome { result, safety_plan, resources })
    }

    /// The results of instrument `id` taken in `since <= at < until`, oldest first.
    pub fn instrument_history(&self, id: &str, since: i64, until: i64) -> Result<Vec<InstrumentResult>> {
        let rows = self.read(|tx, _| store::between(tx, Some(id), since, until))?;
        Ok(rows.into_iter().map(|r| r.result).collect())
    }

    /// Deletes one of the person's results; `NotFound` when there is none.
    pub fn delete_instrument_result(&self, id: &InstrumentResultId) -> Result<()> {
        self.write(|ctx| {
            if !store::delete(ctx.tx, id)? {
                return Err(Error::not_found("instrument result", id));
            }
            ctx.updates.push(Update::Instruments);
            Ok(())
        })
    }

    fn instruments_registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.instruments.read().unwrap_or_else(|p| p.into_inner())
    }

    fn instruments_registry_mut(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.instruments.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
