//! Trends over the person's own records, computed on the phone from indexed tables: daily, weekly and monthly mood
//! averages; each instrument's scores over time and the change against the person's baseline, judged by the
//! instrument's meaningful change; and simple associations of mood with activities, emotions, tags and sleep
//! ("on days with a walk, mood averaged 3.8; without, 2.9"), each with the number of days behind it, and no figure
//! where there are too few days on either side ([`MIN_DAYS_PER_SIDE`]).
//!
//! An association is a description of the person's own days, not a cause: the app words it as such.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::instruments::InstrumentResult;
use crate::kindred::Kindred;
use crate::model::{CheckinAverage, CheckinSummary};
use crate::storage::checkins::CheckinRow;
use crate::storage::instruments::ResultRow;
use crate::time::local_date;
use crate::wellbeing::{averages_by, recent_window, summarise};
use chrono::Datelike;

/// Fewest days on each side (with and without) before an association is given: fewer days say too little.
pub const MIN_DAYS_PER_SIDE: u32 = 5;
/// Sleep at or above this many hours counts as "slept 7 hours or more" in the sleep association.
pub const SLEEP_HOURS_THRESHOLD: f64 = 7.0;
/// Most days a trends window may span (ten years, as for recent check-ins).
pub const MAX_TREND_DAYS: u32 = crate::wellbeing::MAX_RECENT_DAYS;

/// How an instrument's latest score compares with the person's baseline (their first result in the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ChangeJudgement {
    /// Better by at least the instrument's meaningful change.
    Improved,
    /// Worse by at least the meaningful change.
    Worsened,
    /// Within the meaningful change either way.
    NoMeaningfulChange,
    /// The instrument defines no meaningful change, so none is judged.
    NoThreshold,
    /// Only one result: nothing to compare.
    OneResult,
}

/// One result of an instrument, as a point of its trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScorePoint {
    /// When it was taken.
    pub at: i64,
    /// Its total.
    pub score: u32,
    /// Its percentage (WHO-5), if the instrument has one.
    pub percentage: Option<u32>,
    /// Its band, if the instrument has bands.
    pub band: Option<String>,
}

/// An instrument's scores over the window and the change against the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstrumentTrend {
    /// The instrument's id and title.
    pub instrument: String,
    /// Its short title ("PHQ-9").
    pub title: String,
    /// Every result in the window, oldest first.
    pub points: Vec<ScorePoint>,
    /// The change from the first result (the baseline) to the latest, in the unit of the instrument's meaningful
    /// change (points of the total, or percentage points for WHO-5): positive is a higher score.
    pub change: i64,
    /// The instrument's meaningful change, if it defines one.
    pub meaningful_change: Option<u32>,
    /// Whether a higher score is better (WHO-5) or worse (PHQ-9, GAD-7).
    pub higher_is_better: bool,
    /// What the change means.
    pub judgement: ChangeJudgement,
}

/// What an association is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// An activity of the check-ins ("walk").
    Activity,
    /// An emotion of the check-ins ("anxious").
    Emotion,
    /// A tag of the check-ins.
    Tag,
    /// Sleep of at least [`SLEEP_HOURS_THRESHOLD`] hours, among days with sleep recorded.
    Sleep,
}

/// The person's mood on days with something and on days without it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Association {
    /// What it is about.
    pub kind: FactorKind,
    /// The activity, emotion or tag ("walk"); for sleep, "7 hours or more".
    pub label: String,
    /// The average of the daily mood on days with it, rounded to two decimals, and how many days that is.
    pub mood_with: f64,
    /// Days with it.
    pub days_with: u32,
    /// The same on days without it (for sleep: days with less sleep recorded).
    pub mood_without: f64,
    /// Days without it.
    pub days_without: u32,
}

/// Everything the trends screen shows, for one window of days.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Trends {
    /// The window: from the local midnight `days - 1` days ago up to now.
    pub days: u32,
    /// Daily averages of check-ins.
    pub daily: Vec<CheckinAverage>,
    /// Weekly averages (weeks start on Monday).
    pub weekly: Vec<CheckinAverage>,
    /// Monthly averages (`period_start` is the month's first day).
    pub monthly: Vec<CheckinAverage>,
    /// Each instrument taken in the window, with its scores and change.
    pub instruments: Vec<InstrumentTrend>,
    /// Associations with enough days on both sides, strongest difference first.
    pub associations: Vec<Association>,
    /// Days with at least one check-in in the window.
    pub checkin_days: u32,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Each instrument's trend, in the order the instruments are listed.
fn instrument_trends(kindred: &Kindred, results: Vec<InstrumentResult>) -> Vec<InstrumentTrend> {
    // A handful of instruments: a list found by id is enough (and costs the phone library no map of its own).
    let mut by_id: Vec<(String, Vec<InstrumentResult>)> = Vec::new();
    for r in results {
        match by_id.iter_mut().find(|(id, _)| *id == r.score.instrument) {
            Some((_, of_id)) => of_id.push(r),
            None => by_id.push((r.score.instrument.clone(), vec![r])),
        }
    }
    let listed = kindred.instruments(None);
    let mut out = Vec::new();
    for (id, results) in by_id {
        let definition = listed.iter().find(|i| i.id == id);
        let in_percent = definition.is_some_and(|d| d.change_in_percentage);
        let value = |r: &InstrumentResult| {
            i64::from(if in_percent { r.score.percentage.unwrap_or(r.score.score) } else { r.score.score })
        };
        let (first, last) = match (results.first(), results.last()) {
            (Some(f), Some(l)) => (value(f), value(l)),
            _ => continue,
        };
        let change = last - first;
        let meaningful_change = definition.and_then(|d| d.meaningful_change);
        let higher_is_better = definition.is_some_and(|d| d.higher_is_better);
        let judgement = match meaningful_change {
            _ if results.len() < 2 => ChangeJudgement::OneResult,
            None => ChangeJudgement::NoThreshold,
            Some(m) if change.unsigned_abs() < u64::from(m) => ChangeJudgement::NoMeaningfulChange,
            Some(_) if (change > 0) == higher_is_better => ChangeJudgement::Improved,
            Some(_) => ChangeJudgement::Worsened,
        };
        out.push(InstrumentTrend {
            title: definition.map_or_else(|| id.clone(), |d| d.title.clone()),
            instrument: id,
            points: results
                .iter()
                .map(|r| ScorePoint {
                    at: r.at,
                    score: r.score.score,
                    percentage: r.score.percentage,
                    band: r.score.band.clone(),
                })
                .collect(),
            change,
            meaningful_change,
            higher_is_better,
            judgement,
        });
    }
    let position = |id: &str| listed.iter().position(|i| i.id == id).unwrap_or(usize::MAX);
    crate::sorting::sort_by_u64_key(&mut out, |t| position(&t.instrument) as u64);
    out
}

/// One day of check-ins: its mood average and what it held.
#[derive(Default)]
struct Day {
    moods: Vec<f64>,
    activities: Vec<String>,
    emotions: Vec<String>,
    tags: Vec<String>,
    sleep: Option<f64>,
}

impl Day {
    fn mood(&self) -> f64 {
        self.moods.iter().sum::<f64>() / self.moods.len().max(1) as f64
    }
}

/// Which labels of a day a factor looks at.
type LabelsOf = fn(&Day) -> &[String];

/// Associations of the daily mood with each activity, emotion and tag seen, and with sleep.
fn associations(rows: &[CheckinRow]) -> Vec<Association> {
    let mut days: BTreeMap<chrono::NaiveDate, Day> = BTreeMap::new();
    for row in rows {
        let c = &row.checkin;
        let day = days.entry(local_date(c.at, row.utc_offset_minutes)).or_default();
        day.moods.push(f64::from(c.mood));
        day.activities.extend(c.activities.iter().cloned());
        day.emotions.extend(c.emotions.iter().cloned());
        day.tags.extend(c.tags.iter().cloned());
        if let Some(s) = c.sleep_hours {
            day.sleep = Some(day.sleep.map_or(s, |d: f64| d.max(s)));
        }
    }
    // Each label once a day, once all of the day's check-ins are in.
    for day in days.values_mut() {
        for labels in [&mut day.activities, &mut day.emotions, &mut day.tags] {
            crate::sorting::sort_and_dedup(labels);
        }
    }
    let compare = |kind: FactorKind, label: String, with: Vec<&Day>, without: Vec<&Day>| {
        let (days_with, days_without) = (with.len() as u32, without.len() as u32);
        if days_with < MIN_DAYS_PER_SIDE || days_without < MIN_DAYS_PER_SIDE {
            return None;
        }
        let mean = |ds: &[&Day]| round2(ds.iter().map(|d| d.mood()).sum::<f64>() / ds.len() as f64);
        Some(Association { kind, label, mood_with: mean(&with), days_with, mood_without: mean(&without), days_without })
    };
    let mut out = Vec::new();
    let all: Vec<&Day> = days.values().collect();
    let factors: [(FactorKind, LabelsOf); 3] = [
        (FactorKind::Activity, |d| d.activities.as_slice()),
        (FactorKind::Emotion, |d| d.emotions.as_slice()),
        (FactorKind::Tag, |d| d.tags.as_slice()),
    ];
    for (kind, of) in factors {
        let mut seen: Vec<String> = all.iter().flat_map(|d| of(d)).cloned().collect();
        crate::sorting::sort_and_dedup(&mut seen);
        for label in &seen {
            let (with, without): (Vec<&Day>, Vec<&Day>) = all.iter().partition(|d| of(d).contains(label));
            out.extend(compare(kind, label.clone(), with, without));
        }
    }
    let slept: Vec<&Day> = all.iter().copied().filter(|d| d.sleep.is_some()).collect();
    let (long, short): (Vec<&Day>, Vec<&Day>) =
        slept.iter().partition(|d| d.sleep.is_some_and(|s| s >= SLEEP_HOURS_THRESHOLD));
    out.extend(compare(FactorKind::Sleep, format!("{SLEEP_HOURS_THRESHOLD} hours or more"), long, short));
    // The widest gaps first, equal gaps by label: two stable sorts, the label's rank first.
    let mut labels: Vec<String> = out.iter().map(|a| a.label.clone()).collect();
    crate::sorting::sort_and_dedup(&mut labels);
    let rank = |a: &Association| labels.binary_search(&a.label).unwrap_or_default() as u64;
    crate::sorting::sort_by_u64_key(&mut out, rank);
    crate::sorting::sort_by_u64_key(&mut out, |a| !crate::sorting::float_key((a.mood_with - a.mood_without).abs()));
    out
}

impl Kindred {
    /// Trends over the last `days` calendar days, today included: mood averages by day, week and month; each
    /// instrument's scores and change against the person's first result in the window (judged by its meaningful
    /// change); and associations of mood with activities, emotions, tags and sleep where at least
    /// [`MIN_DAYS_PER_SIDE`] days stand on each side. Computed on this phone from its own tables; nothing is sent.
    /// Fails with `InvalidInput` for `days` outside 1 to [`MAX_TREND_DAYS`].
    pub fn trends(&self, days: u32) -> Result<Trends> {
        let (rows, results) = self.records(days)?;
        Ok(self.trends_of(days, &rows, &results))
    }

    /// The check-ins and instrument results of the last `days` calendar days (the window of [`Kindred::trends`]), in
    /// one read. `InvalidInput` for `days` outside 1 to [`MAX_TREND_DAYS`].
    pub(crate) fn records(&self, days: u32) -> Result<(Vec<CheckinRow>, Vec<ResultRow>)> {
        let (since, until) = recent_window(days)?;
        self.read(|tx, _| {
            Ok((
                crate::storage::checkins::between(tx, since, until)?,
                crate::storage::instruments::between(tx, None, since, until)?,
            ))
        })
    }

    /// The trends of records already read ([`Kindred::records`]).
    pub(crate) fn trends_of(&self, days: u32, rows: &[CheckinRow], results: &[ResultRow]) -> Trends {
        let CheckinSummary { daily, weekly } = summarise(rows);
        let checkin_days = daily.len() as u32;
        Trends {
            days,
            monthly: averages_by(rows, |day| day.with_day(1).unwrap_or(day)),
            associations: associations(rows),
            instruments: instrument_trends(self, results.iter().map(|r| r.result.clone()).collect()),
            daily,
            weekly,
            checkin_days,
        }
    }
}

#[cfg(test)]
mod tests;
