//! Nothing personal in errors: every error the public API gives back, provoked with marker words in names, titles,
//! messages, notes, reasons, codes and files, names ids, kinds and limits, never the words (an error may reach a log
//! or a crash report). Checked in both `Display` and `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Debug;

use kindred_core::{
    Cadence, CadencePeriod, CheckinId, ChoiceKind, GoalId, GroupId, Kindred, MessageId, NewCheckin, NewGoal, NewGroup,
    NewMessage, ReportReason, Role, SafetyPlanItemId, SafetyPlanStep,
};
use kindred_scenarios::net::sync_all;
use kindred_scenarios::{Phone, group_with};

const MARK: &str = "Zqxmarker";

/// `result` is an error, and neither its `Display` nor its `Debug` holds the marker (in any case).
#[track_caller]
fn clean<T: Debug>(what: &str, result: kindred_core::Result<T>) {
    match result {
        Ok(v) => panic!("{what}: expected an error, got {v:?}"),
        Err(e) => check(what, &e),
    }
}

#[track_caller]
fn check(what: &str, e: &kindred_core::Error) {
    let mark = MARK.to_lowercase();
    for shown in [format!("{e}"), format!("{e:?}")] {
        assert!(!shown.to_lowercase().contains(&mark), "{what}: the marker leaked: {shown}");
    }
}

fn long(n: usize) -> String {
    format!("{MARK} {}", "x".repeat(n))
}

#[test]
fn no_error_repeats_what_people_wrote() {
    let alice = Phone::new("Zqxmarker-alice");
    let bob = Phone::new("Zqxmarker-bob");
    let group = group_with(&alice, "Zqxmarker group", &[&bob]).id;
    let k = &alice.kindred;
    let text = |t: &str| NewMessage { text: t.into(), ..Default::default() };
    let bobs = bob.kindred.post(&group, text("Zqxmarker words of Bob")).unwrap().id;
    sync_all(&[&alice, &bob]);

    // Lookups by a name or title: not found, and ambiguous.
    clean("group by name", k.resolve_group(MARK));
    k.create_group(NewGroup { name: MARK.into(), ..Default::default() }).unwrap();
    k.create_group(NewGroup { name: MARK.into(), ..Default::default() }).unwrap();
    clean("ambiguous group", k.resolve_group(MARK));
    clean("goal by title", k.resolve_goal(MARK));
    let weekly = || Cadence::new(1, CadencePeriod::Week);
    for _ in 0..2 {
        k.create_goal(NewGoal { title: MARK.into(), cadence: weekly(), share_with: None }).unwrap();
    }
    clean("ambiguous goal", k.resolve_goal(MARK));
    clean("message by words", k.resolve_message(&group, MARK));
    clean("instrument by name", k.take_instrument(MARK, &[1, 2], None));

    // Parsing what people type.
    clean("role", MARK.parse::<Role>());
    clean("step", MARK.parse::<SafetyPlanStep>());
    clean("period", MARK.parse::<CadencePeriod>());
    clean("group id", MARK.parse::<GroupId>());
    clean("invitation code", k.join_group(MARK));
    clean("invitation code 2", k.join_group(&format!("KINDRED:{MARK}")));
    let goal = k.goals(true, None).unwrap()[0].id;
    clean("day", k.skip_goal_day(&goal, Some(MARK)));
    clean("region", k.set_region(Some(MARK)));
    clean("instrument definition", k.add_instrument(&format!("{MARK}: {MARK}\n")));
    clean("instrument definition 2", k.add_instrument(&format!("id: {MARK}\n{MARK}\n")));
    clean("crisis phrases", k.extend_crisis_phrases(&format!("{MARK}: {MARK}\n")));
    clean("crisis phrases 2", k.extend_crisis_phrases(&format!("language: en\n{MARK}\n")));
    clean("resource directory", k.import_resource_directory(MARK.as_bytes()));
    clean("bundle", k.import_bundle(MARK.as_bytes()));

    // Too long, too many, or on more lines than one, with the marker inside.
    clean("display name", Kindred::create(tempfile::tempdir().unwrap().path(), &long(200)));
    clean("display name 2", k.set_display_name(&format!("{MARK}\nsecond line")));
    clean("group name", k.create_group(NewGroup { name: long(200), ..Default::default() }));
    clean("group name 2", k.create_group(NewGroup { name: format!("{MARK}\nsecond"), ..Default::default() }));
    clean("message", k.post(&group, text(&long(5000))));
    clean("message 2", k.post(&group, text(&format!("{MARK}\u{7}"))));
    let warned = NewMessage { text: "hi".into(), content_warning: Some(format!("{MARK}\nline")), ..Default::default() };
    clean("content warning", k.post(&group, warned));
    clean("reaction", k.react(&group, &bobs, Some(&long(40))));
    clean("goal title", k.create_goal(NewGoal { title: long(300), cadence: weekly(), share_with: None }));
    clean("progress note", k.log_progress(&goal, 1, Some(&long(2000)), None));
    clean("group goal", k.create_group_goal(&group, &long(300)));
    let checkin = |note: Option<String>, tags: Vec<String>| NewCheckin { mood: 3, note, tags, ..Default::default() };
    clean("check-in note", k.record_checkin(checkin(Some(long(5000)), vec![])));
    clean("check-in tag", k.record_checkin(checkin(None, vec![long(100)])));
    clean("check-in tag 2", k.record_checkin(checkin(None, vec![format!("{MARK}\nsecond")])));
    clean("check-in tags", k.record_checkin(checkin(None, (0..100).map(|i| format!("{MARK}{i}")).collect())));
    clean("choices", k.set_checkin_choices(ChoiceKind::Emotion, &[long(100)]));
    clean("safety plan", k.add_safety_plan_item(SafetyPlanStep::Reasons, &long(3000), None));
    clean("safety plan contact", k.add_safety_plan_item(SafetyPlanStep::People, "Ana", Some(&format!("{MARK}\n1"))));
    clean("safety plan contact 2", k.add_safety_plan_item(SafetyPlanStep::Reasons, "x", Some(MARK)));
    clean("muted word", k.mute_word(&long(100), true));
    clean("report note", k.report_message(&group, &bobs, ReportReason::Other, &long(500)));
    clean("hide reason", k.hide_message(&group, &bobs, &long(2000)));
    clean("rules", k.set_rules(&group, &long(20_000)));
    clean("warning", k.warn_member(&group, &bob.id(), &long(500)));
    clean("draft", k.check_draft(&long(10_000), None));

    // Not permitted: a plain member's moderation, someone else's message, a stranger's group.
    let b = &bob.kindred;
    clean("edit another's message", k.edit_message(&group, &bobs, MARK));
    let alices = k.post(&group, text("Zqxmarker words of Alice")).unwrap().id;
    sync_all(&[&alice, &bob]);
    clean("erase another's message", b.erase_message(&group, &alices));
    clean("member hides", b.hide_message(&group, &alices, MARK));
    clean("member sets rules", b.set_rules(&group, MARK));
    clean("member adds", b.add_member(&group, &kindred_scenarios::Phone::new("carol").id(), MARK, Role::Member));
    clean("member invites", b.create_invite(&group, 60_000));
    clean("member suspends", b.suspend_member(&group, &alice.id(), None, MARK));
    clean("member warns", b.warn_member(&group, &alice.id(), MARK));
    clean("reports for moderators", b.reports(&group));
    clean("cheer own goal", k.cheer_goal(&goal));
    clean("owner leaves", k.leave_group(&group, false));
    let mine = k.create_goal(NewGoal { title: MARK.into(), cadence: weekly(), share_with: Some(group) }).unwrap().id;
    sync_all(&[&alice, &bob]);
    clean("log another's goal", b.log_progress(&mine, 1, Some(MARK), None));
    let strangers =
        bob.kindred.create_group(NewGroup { name: format!("{MARK} secret"), ..Default::default() }).unwrap();
    bob.kindred.post(&strangers.id, text(MARK)).unwrap();
    clean("a stranger's bundle", k.import_bundle(&b.export_bundle(&strangers.id).unwrap()));
    clean("post in a stranger's group", k.post(&strangers.id, text(MARK)));

    // Wrong ids.
    let nowhere = GroupId::from_bytes([9; 16]);
    clean("unknown group", k.post(&nowhere, text(MARK)));
    clean("unknown message", k.edit_message(&group, &MessageId::from_bytes([9; 16]), MARK));
    clean("unknown goal", k.log_progress(&GoalId::from_bytes([9; 16]), 1, Some(MARK), None));
    clean("unknown item", k.edit_safety_plan_item(&SafetyPlanItemId::from_bytes([9; 16]), MARK, None));
    clean("unknown check-in", k.edit_checkin(&CheckinId::from_bytes([9; 16]), checkin(Some(MARK.into()), vec![])));
    let reply = NewMessage { text: MARK.into(), reply_to: Some(MessageId::from_bytes([9; 16])), ..Default::default() };
    clean("unknown reply", k.post(&group, reply));
}

/// A damaged database: whatever opening and reading it gives, never its words.
#[test]
fn a_damaged_database_gives_errors_without_its_words() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("profile");
    let k = Kindred::create(&dir, MARK).unwrap();
    let group = k.create_group(NewGroup { name: MARK.into(), ..Default::default() }).unwrap().id;
    for i in 0..200 {
        k.post(&group, NewMessage { text: format!("{MARK} {i} {}", "words ".repeat(50)), ..Default::default() })
            .unwrap();
    }
    k.add_safety_plan_item(SafetyPlanStep::Reasons, MARK, None).unwrap();
    k.maintain().unwrap();
    drop(k);
    let path = dir.join(kindred_core::DATABASE_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    for (i, b) in bytes.iter_mut().enumerate().skip(len / 3).take(len / 3) {
        *b = (i % 251) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    match Kindred::open(&dir) {
        Err(e) => check("open a damaged database", &e),
        Ok(k) => {
            let text = NewMessage { text: MARK.into(), ..Default::default() };
            let errors = [
                k.check_integrity().err(),
                k.groups().err(),
                k.resolve_group(MARK).err(),
                k.safety_plan().err(),
                k.messages(&group, 500, None).err(),
                k.post(&group, text).err(),
                k.export_mine(temp.path().join("export")).err(),
            ];
            for e in errors.iter().flatten() {
                check("read a damaged database", e);
            }
            assert!(errors[0].is_some(), "the damage is found");
        }
    }
}
