//! Habit strength: how established a goal is, as a score that grows with each period the goal is met and fades with
//! each period it is missed, instead of a streak that drops to zero after one bad day (Loop Habit Tracker's smoothed
//! score is the model). Skipped days and paused spans count for nothing, neither for nor against.
//!
//! Each whole period (day, week or month, by the goal's cadence, in the person's calendar) from the goal's creation
//! to now is judged: its value is what was done over what the cadence asks (at most 1: a partial week counts in
//! part). The strength moves towards that value by a fixed share each period, so a period's weight halves after
//! [`half_life`] periods:
//!
//! `strength = strength * m + value * (1 - m)`, with `m = 0.5 ^ (1 / half_life)`.
//!
//! A period that is not met and holds a skipped day, or overlaps a pause, leaves the strength as it was. The current
//! period counts only once it is met, so being halfway through the week costs nothing.
//!
//! | case (a daily goal) | strength |
//! |---|---|
//! | new, nothing yet | 0 % |
//! | done 14 days running | 50 % (a half-life of 14 days) |
//! | then one day missed | 50 % x 0.952 = 48 % |
//! | then one day skipped instead | 50 %, unchanged |
//! | then a week paused | 50 %, unchanged |
//! | then done again the next day (recovery) | rises from where it was: 48 % to 50 % |
//! | Monday, Wednesday, Friday goal, done on those days for two weeks | 50 % (a half-life of 6 chosen days) |
//! | then Monday's walk taken on Tuesday | counts for Monday: 50 % to 56 % |
//! | then Tuesday, Thursday and the weekend without it | days off: not judged |
//!
//! The tests in `habit/tests.rs` check each row.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::model::{Cadence, CadencePeriod};
use crate::time::week_start;

/// How a period went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PeriodOutcome {
    /// Done as often as the cadence asks, or more.
    Met,
    /// Done, but less often than the cadence asks: counts in part.
    Partial,
    /// Not done.
    Missed,
    /// Not met, with a skipped day in it: no penalty.
    Skipped,
    /// Not met, and paused for some of it: no penalty.
    Paused,
    /// The current period, not met yet: not judged.
    InProgress,
}

/// One period of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PeriodScore {
    /// Its first day, `YYYY-MM-DD` in the person's calendar.
    pub start: String,
    /// How many times it was done.
    pub done: u32,
    /// How many times the cadence asks.
    pub target: u32,
    /// How it went.
    pub outcome: PeriodOutcome,
}

/// A goal's habit strength and its recent periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HabitStrength {
    /// 0 to 100: how established the habit is.
    pub strength: u32,
    /// The most recent periods (at most [`RECENT_PERIODS`]), oldest first, the current one last.
    pub recent: Vec<PeriodScore>,
}

/// How many recent periods [`HabitStrength::recent`] lists.
pub const RECENT_PERIODS: usize = 14;

/// Periods after which a period's weight in the strength halves: two weeks of days (of chosen days, for a goal on
/// chosen weekdays: 6 periods for three days a week), four weeks, three months.
pub fn half_life(cadence: &Cadence) -> f64 {
    match cadence.period {
        CadencePeriod::Day => match cadence.weekday_bits() {
            0 => 14.0,
            bits => f64::from(2 * bits.count_ones()),
        },
        CadencePeriod::Week => 4.0,
        CadencePeriod::Month => 3.0,
    }
}

fn is_chosen(day: NaiveDate, bits: u8) -> bool {
    bits & (1 << day.weekday().num_days_from_monday()) != 0
}

/// The first day of the period holding `day`. For a goal on chosen weekdays a period runs from one chosen day to
/// the next, so what is done on a day off counts towards the chosen day before it.
pub(crate) fn period_start(day: NaiveDate, cadence: &Cadence) -> NaiveDate {
    match cadence.period {
        CadencePeriod::Day => {
            let bits = cadence.weekday_bits();
            let mut start = day;
            // At most six steps back: some weekday is chosen whenever `bits` is not 0.
            while bits != 0 && !is_chosen(start, bits) {
                start = start.pred_opt().unwrap_or(start);
            }
            start
        }
        CadencePeriod::Week => week_start(day),
        CadencePeriod::Month => day.with_day(1).unwrap_or(day),
    }
}

fn next_start(start: NaiveDate, cadence: &Cadence) -> NaiveDate {
    match cadence.period {
        CadencePeriod::Day => {
            let bits = cadence.weekday_bits();
            let mut next = start.succ_opt().unwrap_or(start);
            while bits != 0 && !is_chosen(next, bits) {
                next = next.succ_opt().unwrap_or(next);
            }
            next
        }
        CadencePeriod::Week => start + chrono::Duration::days(7),
        CadencePeriod::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(start),
    }
}

/// What a goal's record holds, in days of the person's calendar.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The day the goal was created.
    pub created: Option<NaiveDate>,
    /// Today.
    pub today: Option<NaiveDate>,
    /// Each progress entry's day and amount.
    pub done: Vec<(NaiveDate, u32)>,
    /// Skipped days.
    pub skipped: Vec<NaiveDate>,
    /// Paused spans, first and last day (the last `None`: still paused).
    pub paused: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// One period, `start` to `end` (exclusive), of a goal with this record: how many times it was done and how it
/// went (`current`: the period holding today, which is not judged until it is met).
fn judge(start: NaiveDate, end: NaiveDate, current: bool, target: u32, record: &Record) -> (u32, PeriodOutcome) {
    let inside = |day: &NaiveDate| *day >= start && *day < end;
    let done: u32 = record.done.iter().filter(|(d, _)| inside(d)).map(|(_, n)| n).sum();
    let skipped = record.skipped.iter().any(inside);
    let paused = record.paused.iter().any(|(from, until)| *from < end && until.is_none_or(|u| u >= start));
    let outcome = if done >= target {
        PeriodOutcome::Met
    } else if current {
        PeriodOutcome::InProgress
    } else if paused {
        PeriodOutcome::Paused
    } else if skipped {
        PeriodOutcome::Skipped
    } else if done > 0 {
        PeriodOutcome::Partial
    } else {
        PeriodOutcome::Missed
    };
    (done, outcome)
}

/// The habit strength of a goal with `cadence` and this record.
pub(crate) fn strength(cadence: &Cadence, record: &Record) -> HabitStrength {
    let (Some(created), Some(today)) = (record.created, record.today) else {
        return HabitStrength { strength: 0, recent: Vec::new() };
    };
    let m = 0.5_f64.powf(1.0 / half_life(cadence));
    let target = cadence.times.max(1);
    let mut score = 0.0_f64;
    let mut periods: Vec<PeriodScore> = Vec::new();
    let mut start = period_start(created, cadence);
    let current = period_start(today, cadence);
    while start <= current {
        let end = next_start(start, cadence);
        let (done, outcome) = judge(start, end, start == current, target, record);
        if matches!(outcome, PeriodOutcome::Met | PeriodOutcome::Partial | PeriodOutcome::Missed) {
            let value = (f64::from(done) / f64::from(target)).min(1.0);
            score = score * m + value * (1.0 - m);
        }
        periods.push(PeriodScore { start: start.to_string(), done, target, outcome });
        if end <= start {
            break;
        }
        start = end;
    }
    let recent = periods.split_off(periods.len().saturating_sub(RECENT_PERIODS));
    HabitStrength { strength: (score * 100.0).round().clamp(0.0, 100.0) as u32, recent }
}

/// Whether a goal with `cadence` (by the day or the week) met its target in the week starting on Monday `week`: every
/// period that begins in that week is met, skipped or paused, and at least one is met. A period after today is not
/// met yet, so a daily goal's week is met on its last day. What a group goal counts ([`crate::model::GroupGoal`]).
pub(crate) fn week_met(cadence: &Cadence, record: &Record, week: NaiveDate) -> bool {
    let Some(today) = record.today else { return false };
    let target = cadence.times.max(1);
    let current = period_start(today, cadence);
    let week_end = week + chrono::Duration::days(7);
    let mut start = period_start(week, cadence);
    if start < week {
        start = next_start(start, cadence);
    }
    let mut any_met = false;
    while start < week_end {
        let end = next_start(start, cadence);
        match judge(start, end, start >= current, target, record).1 {
            PeriodOutcome::Met => any_met = true,
            PeriodOutcome::Skipped | PeriodOutcome::Paused => {}
            _ => return false,
        }
        if end <= start {
            break;
        }
        start = end;
    }
    any_met
}

#[cfg(test)]
mod tests;
