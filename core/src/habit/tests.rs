//! The table of cases in the module header, row by row, and the weekly and monthly cadences.

use super::*;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(n)
}

fn daily() -> Cadence {
    Cadence { times: 1, period: CadencePeriod::Day }
}

/// A daily goal created on day 0, done on `done`, today being `today`.
fn record(done: &[i64], today: i64) -> Record {
    Record {
        created: Some(day(0)),
        today: Some(day(today)),
        done: done.iter().map(|d| (day(*d), 1)).collect(),
        ..Default::default()
    }
}

#[test]
fn the_table_of_cases() {
    // New, nothing yet: 0 %, and today is in progress.
    let new = strength(&daily(), &record(&[], 0));
    assert_eq!(new.strength, 0);
    assert_eq!(new.recent.last().map(|p| p.outcome), Some(PeriodOutcome::InProgress));

    // Done 14 days running: 50 % (the half-life).
    let fourteen: Vec<i64> = (0..14).collect();
    assert_eq!(strength(&daily(), &record(&fourteen, 14)).strength, 50);

    // Then one day missed: 50 % x 0.952 = 48 %.
    let missed = strength(&daily(), &record(&fourteen, 15));
    assert_eq!(missed.strength, 48);
    assert_eq!(missed.recent.iter().rev().nth(1).map(|p| p.outcome), Some(PeriodOutcome::Missed));

    // Then one day skipped instead: unchanged.
    let mut skipped = record(&fourteen, 15);
    skipped.skipped.push(day(14));
    let skipped = strength(&daily(), &skipped);
    assert_eq!(skipped.strength, 50);
    assert_eq!(skipped.recent.iter().rev().nth(1).map(|p| p.outcome), Some(PeriodOutcome::Skipped));

    // Then a week paused: unchanged.
    let mut paused = record(&fourteen, 21);
    paused.paused.push((day(14), Some(day(20))));
    assert_eq!(strength(&daily(), &paused).strength, 50);
    let mut still_paused = record(&fourteen, 21);
    still_paused.paused.push((day(14), None));
    assert_eq!(strength(&daily(), &still_paused).strength, 50, "a pause still running is no penalty either");

    // Then done again the next day (recovery): rises from where it was.
    let mut recovered: Vec<i64> = fourteen.clone();
    recovered.push(15);
    assert_eq!(strength(&daily(), &record(&recovered, 16)).strength, 50);

    // Being done today counts at once; not yet done today costs nothing.
    assert_eq!(strength(&daily(), &record(&fourteen, 13)).strength, 50);
    let mut partway: Vec<i64> = fourteen.clone();
    partway.pop();
    assert_eq!(strength(&daily(), &record(&partway, 13)).strength, strength(&daily(), &record(&partway, 12)).strength);
}

#[test]
fn weekly_goals_count_in_part_and_months_have_their_own_half_life() {
    let three_a_week = Cadence { times: 3, period: CadencePeriod::Week };
    // Day 0 is a Monday. Four weeks: met, twice of three, none, met.
    let done = [0, 1, 2, 7, 8, 21, 22, 23];
    let weekly = strength(&three_a_week, &record(&done, 28));
    let outcomes: Vec<PeriodOutcome> = weekly.recent.iter().map(|p| p.outcome).collect();
    use PeriodOutcome::*;
    assert_eq!(outcomes, [Met, Partial, Missed, Met, InProgress]);
    assert_eq!(weekly.recent[1].done, 2);
    let m: f64 = 0.5_f64.powf(1.0 / 4.0);
    let expected = ((((1.0 - m) * m + (2.0 / 3.0) * (1.0 - m)) * m) * m + (1.0 - m)) * 100.0;
    assert_eq!(weekly.strength, expected.round() as u32);

    let monthly = Cadence { times: 1, period: CadencePeriod::Month };
    let months = strength(
        &monthly,
        &Record {
            created: Some(day(0)),
            today: Some(day(100)),
            done: vec![(day(3), 1), (day(40), 1)],
            ..Default::default()
        },
    );
    assert_eq!(months.recent.first().map(|p| p.start.as_str()), Some("2026-01-01"));
    assert_eq!(months.recent.len(), 4, "January to April");
}

#[test]
fn only_the_recent_periods_are_listed_and_the_strength_stays_in_range() {
    let every_day: Vec<i64> = (0..400).collect();
    let long = strength(&daily(), &record(&every_day, 399));
    assert_eq!(long.recent.len(), RECENT_PERIODS);
    assert_eq!(long.strength, 100);
    assert!(long.recent.iter().all(|p| p.outcome == PeriodOutcome::Met));
    let many = Record {
        created: Some(day(0)),
        today: Some(day(3)),
        done: vec![(day(1), 1000), (day(2), 1000)],
        ..Default::default()
    };
    assert!(strength(&daily(), &many).strength <= 100, "doing more than asked counts as met, not more");
}
