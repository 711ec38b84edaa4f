//! Goals and mood check-ins.

mod common;

use kindred_core::{Cadence, CadencePeriod, ChoiceKind, Error, ErrorKind, GoalStatus, Kindred, NewCheckin, NewGoal};

fn week(times: u32) -> Cadence {
    Cadence::new(times, CadencePeriod::Week)
}

#[test]
fn private_goal_progress_pause_resume_archive() {
    let (dir, k) = common::profile("Ada");
    let goal = k.create_goal(NewGoal { title: "Walk".into(), cadence: week(3), share_with: None }).unwrap();
    assert_eq!(goal.status, GoalStatus::Active);
    assert!(goal.is_mine && goal.group_id.is_none());
    k.log_progress(&goal.id, 1, Some("around the block"), None).unwrap();
    k.log_progress(&goal.id, 2, None, None).unwrap();
    let g = k.goal(&goal.id).unwrap();
    assert_eq!((g.done_this_period, g.total_logged), (3, 3));
    let history = k.goal_progress(&goal.id, None, 10).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().any(|p| p.note.as_deref() == Some("around the block")));

    assert_eq!(k.set_goal_status(&goal.id, GoalStatus::Paused).unwrap().status, GoalStatus::Paused);
    assert_eq!(k.set_goal_status(&goal.id, GoalStatus::Active).unwrap().status, GoalStatus::Active);
    k.set_goal_status(&goal.id, GoalStatus::Archived).unwrap();
    assert!(k.goals(false, None).unwrap().is_empty());
    assert_eq!(k.goals(true, None).unwrap().len(), 1);
    assert!(matches!(
        k.log_progress(&goal.id, 1, None, None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.goal(&goal.id).unwrap().total_logged, 3);
}

#[test]
fn shared_goal_lives_in_the_group() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle").id;
    let goal = k
        .create_goal(NewGoal {
            title: "Sleep by 11".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: Some(g),
        })
        .unwrap();
    assert_eq!(goal.group_id, Some(g));
    assert_eq!(k.goals(false, Some(&g)).unwrap().len(), 1);
    k.log_progress(&goal.id, 1, None, None).unwrap();
    assert_eq!(k.goal(&goal.id).unwrap().done_this_period, 1);
    assert_eq!(k.resolve_goal("Sleep by 11").unwrap(), goal.id);
    assert_eq!(k.resolve_goal(&goal.id.to_hex()[..6]).unwrap(), goal.id);
}

#[test]
fn goal_input_is_validated() {
    let (_dir, k) = common::profile("Ada");
    assert!(matches!(
        k.create_goal(NewGoal { title: "".into(), cadence: week(3), share_with: None }).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(k.create_goal(NewGoal { title: "x".into(), cadence: week(0), share_with: None }).is_err());
    assert!(k.create_goal(NewGoal { title: "x".into(), cadence: week(101), share_with: None }).is_err());
    let unknown = kindred_core::GroupId::from_bytes([1; 16]);
    assert!(matches!(
        k.create_goal(NewGoal { title: "x".into(), cadence: week(1), share_with: Some(unknown) })
            .as_ref()
            .map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    let goal = k.create_goal(NewGoal { title: "Walk".into(), cadence: week(3), share_with: None }).unwrap();
    assert!(k.log_progress(&goal.id, 0, None, None).is_err());
    assert!(k.log_progress(&goal.id, 1, None, Some(i64::MAX)).is_err());
    assert!(matches!(
        k.log_progress(&kindred_core::GoalId::from_bytes([3; 16]), 1, None, None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!("fortnight".parse::<CadencePeriod>().is_err());
    assert!(matches!(
        k.goal_progress(&goal.id, None, 0).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert_eq!(k.resolve_goal("walk").unwrap(), goal.id, "titles resolve regardless of letter case");
}

#[test]
fn checkins_are_validated_recorded_and_averaged() {
    let (_dir, k) = common::profile("Ada");
    let bad = |c: NewCheckin| {
        matches!(k.record_checkin(c).as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. }))
    };
    assert!(bad(NewCheckin { mood: 9, ..Default::default() }));
    assert!(bad(NewCheckin { mood: 0, ..Default::default() }));
    assert!(bad(NewCheckin { mood: 3, energy: Some(6), ..Default::default() }));
    assert!(bad(NewCheckin { mood: 3, sleep_hours: Some(25.0), ..Default::default() }));
    assert!(bad(NewCheckin { mood: 3, sleep_hours: Some(f64::NAN), ..Default::default() }));
    assert!(bad(NewCheckin { mood: 3, tags: vec!["t".into(); 11], ..Default::default() }));
    assert!(bad(NewCheckin { mood: 3, tags: vec!["".into()], ..Default::default() }));
    assert!(k.recent_checkins(7).unwrap().is_empty());
    assert!(matches!(k.recent_checkins(0).as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })));

    // A week of check-ins, one a day at noon UTC, back-filled.
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000;
    let start = now - now.rem_euclid(day) - 7 * day + 12 * 3_600_000;
    for i in 0..7 {
        k.record_checkin(NewCheckin {
            mood: (i % 5 + 1) as u8,
            energy: (i % 2 == 0).then_some(3),
            sleep_hours: Some(6.5 + i as f64 * 0.25),
            tags: vec!["walk".into(), "family".into()],
            note: (i == 0).then(|| "first".into()),
            at: Some(start + i * day),
            ..Default::default()
        })
        .unwrap();
    }
    let recent = k.checkins(start, now + day).unwrap();
    assert_eq!(recent.len(), 7);
    assert_eq!(recent[0].tags, vec!["family".to_string(), "walk".to_string()]);
    assert_eq!(recent[0].note.as_deref(), Some("first"));
    let summary = k.checkin_summary(start, now + day).unwrap();
    assert_eq!(summary.daily.len(), 7);
    assert!(summary.daily.iter().all(|d| d.checkins == 1));
    let total: u32 = summary.weekly.iter().map(|w| w.checkins).sum();
    assert_eq!(total, 7);
    let overall_mood: f64 = recent.iter().map(|c| f64::from(c.mood)).sum::<f64>() / 7.0;
    let weighted: f64 = summary.weekly.iter().map(|w| w.mood * f64::from(w.checkins)).sum::<f64>() / 7.0;
    assert!((overall_mood - weighted).abs() < 0.02);
    assert_eq!(summary.daily[1].energy, None, "energy was not recorded on odd days");
    assert_eq!(summary.daily[0].sleep_hours, Some(6.5));
}

#[test]
fn checkins_persist_and_stay_private() {
    let (dir, k) = common::profile("Ada");
    k.record_checkin(NewCheckin { mood: 4, ..Default::default() }).unwrap();
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.recent_checkins(1).unwrap().len(), 1);
    let today = k.recent_checkin_summary(1).unwrap();
    assert_eq!(today.daily.len(), 1);
    assert_eq!(today.daily[0].mood, 4.0);
}

#[test]
fn a_checkin_carries_emotions_activities_and_medication_and_can_be_edited_and_deleted() {
    let (dir, k) = common::profile("Ada");
    let options = k.checkin_options().unwrap();
    assert_eq!(options.moods.iter().map(|m| m.value).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(options.moods.iter().all(|m| !m.emoji.is_empty() && !m.label.is_empty()), "a face and a word each");
    assert!(options.emotions.contains(&"anxious".to_owned()) && options.activities.contains(&"walk".to_owned()));

    let recorded = k
        .record_checkin(NewCheckin {
            mood: 2,
            emotions: vec!["anxious".into(), " tired ".into(), "anxious".into()],
            activities: vec!["walk".into()],
            medication_taken: Some(true),
            note: Some("rough night".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(recorded.emotions, ["anxious", "tired"], "trimmed, sorted, without repeats");
    assert_eq!((recorded.activities.as_slice(), recorded.medication_taken), (&["walk".to_owned()][..], Some(true)));

    // Editing replaces what it says and keeps its id and time.
    let edited = k
        .edit_checkin(
            &recorded.id,
            NewCheckin {
                mood: 4,
                activities: vec!["time with others".into()],
                medication_taken: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((edited.id, edited.at, edited.mood), (recorded.id, recorded.at, 4));
    assert!(edited.emotions.is_empty() && edited.note.is_none());
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.recent_checkins(1).unwrap(), std::slice::from_ref(&edited));
    assert!(matches!(
        k.edit_checkin(&recorded.id, NewCheckin { mood: 9, ..Default::default() }).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert_eq!(k.recent_checkins(1).unwrap(), [edited], "a refused edit changes nothing");

    k.delete_checkin(&recorded.id).unwrap();
    assert!(k.recent_checkins(1).unwrap().is_empty());
    assert!(matches!(k.delete_checkin(&recorded.id).as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })));
    let other = kindred_core::CheckinId::from_bytes([7; 16]);
    assert!(matches!(
        k.edit_checkin(&other, NewCheckin { mood: 3, ..Default::default() }).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
}

#[test]
fn the_person_makes_the_emotion_and_activity_lists_their_own() {
    let (_dir, k) = common::profile("Ada");
    let mine =
        k.set_checkin_choices(ChoiceKind::Activity, &["gardening".into(), "choir".into(), "gardening".into()]).unwrap();
    assert_eq!(mine, ["gardening", "choir"], "their order, without repeats");
    assert_eq!(k.checkin_options().unwrap().activities, mine);
    assert!(k.checkin_options().unwrap().emotions.contains(&"calm".to_owned()), "the other list is still suggested");
    assert!(k.set_checkin_choices(ChoiceKind::Emotion, &[]).unwrap().is_empty());
    assert!(k.checkin_options().unwrap().emotions.is_empty(), "an empty list stays empty");
    assert!(k.set_checkin_choices(ChoiceKind::Emotion, &["a\nb".into()]).is_err());
    let too_many: Vec<String> = (0..=kindred_core::limits::MAX_CHOICES).map(|i| format!("x{i}")).collect();
    assert!(k.set_checkin_choices(ChoiceKind::Emotion, &too_many).is_err());
}

#[test]
fn a_goals_habit_strength_grows_fades_and_ignores_skips_and_pauses() {
    let (_dir, k) = common::profile("Ada");
    let goal = k
        .create_goal(NewGoal { title: "Walk".into(), cadence: Cadence::new(1, CadencePeriod::Day), share_with: None })
        .unwrap();
    let fresh = k.goal_strength(&goal.id).unwrap();
    assert_eq!(fresh.strength, 0);
    assert_eq!(fresh.recent.len(), 1, "today, in progress");
    k.log_progress(&goal.id, 1, None, None).unwrap();
    let done = k.goal_strength(&goal.id).unwrap();
    assert_eq!(done.strength, 5, "one day met of a 14-day half-life");
    assert_eq!(done.recent[0].outcome, kindred_core::habit::PeriodOutcome::Met);

    // Skipping today is recorded, travels with the goal's document, and costs nothing.
    let skipped = k.skip_goal_day(&goal.id, None).unwrap();
    assert_eq!(skipped.strength, 5);
    assert!(k.skip_goal_day(&goal.id, Some("not a day")).is_err());
    assert!(k.skip_goal_day(&goal.id, Some("2001-01-01")).is_err(), "before the goal was made");
    // Pausing and resuming keeps it as it was.
    k.set_goal_status(&goal.id, GoalStatus::Paused).unwrap();
    k.set_goal_status(&goal.id, GoalStatus::Active).unwrap();
    assert_eq!(k.goal_strength(&goal.id).unwrap().strength, 5);
}
