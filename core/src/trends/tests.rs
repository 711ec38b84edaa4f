use super::*;
use crate::model::NewCheckin;
use crate::time::now_ms;

const DAY: i64 = 86_400_000;

fn profile() -> (tempfile::TempDir, Kindred) {
    let dir = tempfile::tempdir().unwrap();
    let kindred = Kindred::create(dir.path(), "Ada").unwrap();
    (dir, kindred)
}

/// Noon `days_ago` days before today, in the phone's own time zone.
fn noon(days_ago: i64) -> i64 {
    let today = crate::time::period_starts(now_ms(), crate::time::local_offset_minutes()).day;
    today - days_ago * DAY + 12 * 3_600_000
}

#[test]
fn mood_with_and_without_an_activity_and_no_claim_on_too_few_days() {
    let (_dir, me) = profile();
    for day in 0..12 {
        let walk = day % 2 == 0;
        let mut activities = if walk { vec!["walk".to_owned()] } else { vec![] };
        if day < 3 {
            activities.push("choir".into());
        }
        me.record_checkin(NewCheckin {
            mood: if walk { 4 } else { 2 },
            activities,
            sleep_hours: Some(if walk { 8.0 } else { 5.5 }),
            at: Some(noon(day)),
            ..Default::default()
        })
        .unwrap();
    }
    // A second check-in on one walking day: the day's mood is its average.
    me.record_checkin(NewCheckin { mood: 2, at: Some(noon(0) + 3_600_000), ..Default::default() }).unwrap();
    let trends = me.trends(30).unwrap();
    assert_eq!(trends.checkin_days, 12);
    let walk = trends.associations.iter().find(|a| a.label == "walk").expect("walk has enough days");
    assert_eq!((walk.kind, walk.days_with, walk.days_without), (FactorKind::Activity, 6, 6));
    assert_eq!((walk.mood_with, walk.mood_without), (3.83, 2.0), "day 0 averages 4 and 2");
    assert!(trends.associations.iter().all(|a| a.label != "choir"), "3 days is too few to say anything");
    let sleep = trends.associations.iter().find(|a| a.kind == FactorKind::Sleep).unwrap();
    assert_eq!((sleep.days_with, sleep.days_without), (6, 6));
    assert!(sleep.mood_with > sleep.mood_without);
    assert!(me.trends(0).is_err() && me.trends(MAX_TREND_DAYS + 1).is_err());
}

#[test]
fn averages_by_day_week_and_month() {
    let (_dir, me) = profile();
    for day in 0..40 {
        me.record_checkin(NewCheckin { mood: 3, energy: Some(4), at: Some(noon(day)), ..Default::default() }).unwrap();
    }
    let trends = me.trends(40).unwrap();
    assert_eq!(trends.daily.len(), 40);
    assert!(trends.weekly.len() >= 6 && trends.monthly.len() >= 2);
    assert_eq!(trends.monthly.iter().map(|m| m.checkins).sum::<u32>(), 40);
    assert!(trends.monthly.iter().all(|m| m.period_start.ends_with("-01") && m.mood == 3.0 && m.energy == Some(4.0)));
    assert!(me.trends(10).unwrap().daily.len() == 10, "the window holds only its days");
}

#[test]
fn an_instruments_change_is_judged_against_the_baseline() {
    let (_dir, me) = profile();
    me.take_instrument("phq9", &[2, 2, 2, 2, 2, 2, 2, 1, 0], Some(noon(60))).unwrap();
    me.take_instrument("phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 0], Some(noon(30))).unwrap();
    me.take_instrument("who5", &[3, 3, 3, 2, 2], Some(noon(20))).unwrap();
    me.take_instrument("who5", &[3, 3, 3, 3, 3], Some(noon(1))).unwrap();
    me.take_instrument("k10", &[2; 10], Some(noon(10))).unwrap();
    me.take_instrument("k10", &[4; 10], Some(noon(2))).unwrap();
    me.take_instrument("gad7", &[1; 7], Some(noon(3))).unwrap();
    let trends = me.trends(90).unwrap();
    let by = |id: &str| trends.instruments.iter().find(|t| t.instrument == id).unwrap();
    assert_eq!(
        trends.instruments.iter().map(|t| t.instrument.as_str()).collect::<Vec<_>>(),
        ["who5", "phq9", "gad7", "k10"]
    );
    let phq9 = by("phq9");
    assert_eq!((phq9.change, phq9.judgement), (-7, ChangeJudgement::Improved), "15 to 8: lower is better");
    assert_eq!(
        phq9.points.iter().map(|p| p.band.as_deref()).collect::<Vec<_>>(),
        [Some("Moderately severe"), Some("Mild")]
    );
    let who5 = by("who5");
    assert_eq!((who5.change, who5.judgement), (8, ChangeJudgement::NoMeaningfulChange), "52% to 60%: under 10 points");
    assert_eq!(by("k10").judgement, ChangeJudgement::NoThreshold);
    assert_eq!(by("gad7").judgement, ChangeJudgement::OneResult);
    // The baseline is the first result in the window.
    let recent = me.trends(45).unwrap();
    assert_eq!(
        recent.instruments.iter().find(|t| t.instrument == "phq9").unwrap().judgement,
        ChangeJudgement::OneResult
    );
}
