//! The table of cases in the module header, row by row, and the weekly and monthly cadences.

use super::*;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(n)
}

fn daily() -> Cadence {
    Cadence::new(1, CadencePeriod::Day)
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
    let three_a_week = Cadence::new(3, CadencePeriod::Week);
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

    let monthly = Cadence::new(1, CadencePeriod::Month);
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

#[test]
fn a_goal_on_chosen_weekdays_judges_only_those_days_and_counts_a_day_off_for_the_day_before() {
    let mon_wed_fri = Cadence::on_weekdays(1, &[1, 3, 5]);
    assert_eq!(half_life(&mon_wed_fri), 6.0);
    // Day 0 is a Monday. Two weeks done on the chosen days: 50 % (the half-life).
    let two_weeks = [0, 2, 4, 7, 9, 11];
    let done = strength(&mon_wed_fri, &record(&two_weeks, 13));
    assert_eq!(done.strength, 50);
    assert_eq!(done.recent.last().map(|p| p.start.as_str()), Some("2026-01-16"), "Friday's period runs on");
    // Days off are not judged: the weekend and the next Tuesday and Thursday without it cost nothing.
    assert_eq!(strength(&mon_wed_fri, &record(&two_weeks, 14)).strength, 50);
    // Monday's walk taken on Tuesday counts for Monday: 50 % to 55 %.
    let mut moved = two_weeks.to_vec();
    moved.push(15);
    let recovered = strength(&mon_wed_fri, &record(&moved, 16));
    assert_eq!(recovered.strength, 55);
    assert_eq!(
        recovered.recent.iter().rev().nth(1).map(|p| (p.start.as_str(), p.outcome)),
        Some(("2026-01-19", PeriodOutcome::Met))
    );
    // A chosen day missed (Monday, not made up by Tuesday) fades it: 50 % x 0.891 = 45 %.
    assert_eq!(strength(&mon_wed_fri, &record(&two_weeks, 16)).strength, 45);
    // Every day chosen is a daily goal.
    let every = Cadence::on_weekdays(1, &[1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(strength(&every, &record(&[0, 1, 2], 3)), strength(&daily(), &record(&[0, 1, 2], 3)));
}

#[test]
fn a_week_is_met_when_every_period_in_it_is_met_skipped_or_paused() {
    use chrono::Duration;
    let week = day(0);
    // Three times a week: met once the third time is logged, even mid-week.
    let three = Cadence::new(3, CadencePeriod::Week);
    assert!(!week_met(&three, &record(&[0, 1], 2), week));
    assert!(week_met(&three, &record(&[0, 1, 2], 2), week));
    // Daily: only when the last day is done; a skipped day counts as kept.
    let all: Vec<i64> = (0..7).collect();
    assert!(!week_met(&daily(), &record(&all[..6], 6), week), "Sunday is not done yet");
    assert!(week_met(&daily(), &record(&all, 6), week));
    let mut with_skip = record(&[0, 1, 2, 4, 5, 6], 7);
    with_skip.skipped.push(day(3));
    assert!(week_met(&daily(), &with_skip, week));
    assert!(!week_met(&daily(), &record(&[0, 1, 2, 4, 5, 6], 7), week), "a missed day");
    // A week wholly paused or skipped is not met: nothing was done.
    let mut paused = record(&[], 7);
    paused.paused.push((day(0), None));
    assert!(!week_met(&daily(), &paused, week));
    // Chosen weekdays: the week's Monday, Wednesday and Friday periods.
    let mon_wed_fri = Cadence::on_weekdays(1, &[1, 3, 5]);
    assert!(week_met(&mon_wed_fri, &record(&[0, 3, 4], 8), week), "Wednesday's done on Thursday");
    assert!(!week_met(&mon_wed_fri, &record(&[0, 2], 8), week));
    // Another week is judged on its own.
    assert!(!week_met(&three, &record(&[0, 1, 2], 9), week + Duration::days(7)));
}
