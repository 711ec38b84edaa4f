//! The personal safety plan: written step by step, kept in the person's order, bounded, exported as plain text,
//! kept across restarts, and announced to listeners. (That it never leaves the phone, and that it reads on a full
//! disk, is `tests/scenarios/tests/safety_plan.rs`.)
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::Recorder;

use std::sync::Arc;

use kindred_core::limits::{MAX_SAFETY_PLAN_CONTACT_CHARS, MAX_SAFETY_PLAN_ITEM_CHARS, MAX_SAFETY_PLAN_ITEMS_PER_STEP};
use kindred_core::{Error, ErrorKind, Kindred, SafetyPlanItemId, SafetyPlanStep, Update};

use SafetyPlanStep::{Coping, Distractions, Environment, People, Professionals, Reasons, WarningSigns};

/// The texts of one step, in order.
fn texts(k: &Kindred, step: SafetyPlanStep) -> Vec<String> {
    k.safety_plan().unwrap().section(step).unwrap().items.iter().map(|i| i.text.clone()).collect()
}

#[test]
fn a_plan_is_written_step_by_step_and_read_back_in_the_plans_order() {
    let (_dir, k) = common::profile("Ada");
    let empty = k.safety_plan().unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.sections.iter().map(|s| s.step).collect::<Vec<_>>(), SafetyPlanStep::ALL);

    // Written in any order, one item at a time, as a person fills it in over days.
    k.add_safety_plan_item(Reasons, "My daughter", None).unwrap();
    k.add_safety_plan_item(WarningSigns, "Not sleeping for two nights", None).unwrap();
    k.add_safety_plan_item(WarningSigns, "Staying in my room", None).unwrap();
    k.add_safety_plan_item(Coping, "A long walk\nwith music", None).unwrap();
    k.add_safety_plan_item(Distractions, "The library café", None).unwrap();
    let sister = k.add_safety_plan_item(People, "  My sister Ana ", Some(" +44 20 7946 0101 ")).unwrap();
    let line = k.add_safety_plan_item(Professionals, "Crisis line", Some("988")).unwrap();
    k.add_safety_plan_item(Environment, "Give the spare pills to Ana", None).unwrap();

    assert_eq!(sister.step, People);
    assert_eq!(sister.text, "My sister Ana", "trimmed");
    assert_eq!(sister.contact.as_deref(), Some("+44 20 7946 0101"));
    assert_eq!(sister.created_at, sister.updated_at);

    let plan = k.safety_plan().unwrap();
    assert!(!plan.is_empty());
    assert_eq!(plan.sections.iter().map(|s| s.step).collect::<Vec<_>>(), SafetyPlanStep::ALL);
    assert_eq!(plan.sections.iter().map(|s| s.items.len()).collect::<Vec<_>>(), [2, 1, 1, 1, 1, 1, 1]);
    assert_eq!(texts(&k, WarningSigns), ["Not sleeping for two nights", "Staying in my room"]);
    assert_eq!(texts(&k, Coping), ["A long walk\nwith music"]);
    assert_eq!(plan.section(Professionals).unwrap().items, vec![line]);
    assert_eq!(plan.section(People).unwrap().heading, "People I can ask for help");
    assert!(plan.section(People).unwrap().takes_contact && !plan.section(Coping).unwrap().takes_contact);
}

#[test]
fn items_are_edited_moved_and_removed_in_place() {
    let (_dir, k) = common::profile("Ada");
    let ids: Vec<SafetyPlanItemId> =
        ["Ana", "Bo", "Chidi", "Dee"].iter().map(|n| k.add_safety_plan_item(People, n, None).unwrap().id).collect();

    // Editing keeps the item's place and id, and replaces the contact (none removes it).
    let edited = k.edit_safety_plan_item(&ids[1], "Bo, my neighbour", Some("555 0102")).unwrap();
    assert_eq!(
        (edited.id, edited.text.as_str(), edited.contact.as_deref()),
        (ids[1], "Bo, my neighbour", Some("555 0102"))
    );
    assert!(edited.updated_at >= edited.created_at);
    assert_eq!(texts(&k, People), ["Ana", "Bo, my neighbour", "Chidi", "Dee"]);
    assert_eq!(k.edit_safety_plan_item(&ids[1], "Bo, my neighbour", None).unwrap().contact, None);

    // Moving: the most important first; the others keep their order.
    let section = k.move_safety_plan_item(&ids[3], 0).unwrap();
    assert_eq!(
        section.items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
        ["Dee", "Ana", "Bo, my neighbour", "Chidi"]
    );
    k.move_safety_plan_item(&ids[0], 3).unwrap();
    assert_eq!(texts(&k, People), ["Dee", "Bo, my neighbour", "Chidi", "Ana"]);
    k.move_safety_plan_item(&ids[2], 2).unwrap();
    assert_eq!(texts(&k, People), ["Dee", "Bo, my neighbour", "Chidi", "Ana"], "to where it is: nothing moves");
    assert!(matches!(
        k.move_safety_plan_item(&ids[2], 4).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { field: "position", .. })
    ));

    // Removing returns the item; the rest close up, and a new item goes last.
    let removed = k.remove_safety_plan_item(&ids[1]).unwrap();
    assert_eq!(removed.text, "Bo, my neighbour");
    assert_eq!(texts(&k, People), ["Dee", "Chidi", "Ana"]);
    k.add_safety_plan_item(People, "Eve", None).unwrap();
    k.move_safety_plan_item(&ids[0], 0).unwrap();
    assert_eq!(texts(&k, People), ["Ana", "Dee", "Chidi", "Eve"]);

    // A removed or unknown id is NotFound, for every operation.
    let gone = ids[1];
    assert!(matches!(
        k.remove_safety_plan_item(&gone).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { kind: "safety plan item", .. })
    ));
    assert!(matches!(
        k.edit_safety_plan_item(&gone, "x", None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(matches!(k.move_safety_plan_item(&gone, 0).as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })));

    // Other steps are untouched by all of it, and clearing empties every step.
    k.add_safety_plan_item(Reasons, "My cat", None).unwrap();
    assert_eq!(k.clear_safety_plan().unwrap(), 5);
    assert!(k.safety_plan().unwrap().is_empty());
    assert_eq!(k.clear_safety_plan().unwrap(), 0);
}

#[test]
fn input_is_bounded_and_errors_never_repeat_what_was_written() {
    let (_dir, k) = common::profile("Ada");
    let private = "the pills are in the blue box";
    let refused =
        |result: Result<kindred_core::SafetyPlanItem, Error>, field: &str| match result.as_ref().map_err(Error::kind) {
            Err(err @ ErrorKind::InvalidInput { field: f, .. }) if *f == field => {
                assert!(!err.to_string().contains("blue box"), "an error quoted the plan: {err}");
            }
            other => panic!("expected InvalidInput for {field}, got {other:?}"),
        };
    refused(k.add_safety_plan_item(Environment, "   ", None), "safety plan item");
    let long = format!("{private} {}", "x".repeat(MAX_SAFETY_PLAN_ITEM_CHARS));
    refused(k.add_safety_plan_item(Environment, &long, None), "safety plan item");
    refused(k.add_safety_plan_item(Environment, &format!("{private}\u{1b}[2J"), None), "safety plan item");
    refused(k.add_safety_plan_item(Environment, private, Some("555 0101")), "contact");
    refused(k.add_safety_plan_item(People, "Ana", Some(&"5".repeat(MAX_SAFETY_PLAN_CONTACT_CHARS + 1))), "contact");
    refused(k.add_safety_plan_item(People, "Ana", Some("555\n0101")), "contact");
    // Exactly at the limits is fine; line breaks and tabs are allowed in the text.
    let longest = "é".repeat(MAX_SAFETY_PLAN_ITEM_CHARS);
    let item = k.add_safety_plan_item(Reasons, &longest, None).unwrap();
    k.add_safety_plan_item(People, "Ana", Some(&"5".repeat(MAX_SAFETY_PLAN_CONTACT_CHARS))).unwrap();
    k.add_safety_plan_item(Coping, "Breathe:\tin for 4,\nout for 6", None).unwrap();
    refused(k.edit_safety_plan_item(&item.id, "", None), "safety plan item");
    refused(k.edit_safety_plan_item(&item.id, private, Some("555")), "contact");
    assert_eq!(texts(&k, Reasons), [longest], "a refused edit changed nothing");

    // A step holds at most MAX_SAFETY_PLAN_ITEMS_PER_STEP items; the others still take more.
    for i in 0..MAX_SAFETY_PLAN_ITEMS_PER_STEP {
        k.add_safety_plan_item(WarningSigns, &format!("sign {i}"), None).unwrap();
    }
    refused(k.add_safety_plan_item(WarningSigns, private, None), "safety plan step");
    assert_eq!(texts(&k, WarningSigns).len(), MAX_SAFETY_PLAN_ITEMS_PER_STEP);
    k.add_safety_plan_item(Coping, "Cold water on my face", None).unwrap();
}

#[test]
fn the_exported_text_is_the_plan_under_plain_headings_with_the_date_and_nothing_else() {
    let (_dir, k) = common::profile("Amara Okafor");
    common::group(&k, "Tuesday circle");
    k.add_safety_plan_item(WarningSigns, "Not sleeping", None).unwrap();
    k.add_safety_plan_item(People, "My sister Ana", Some("555 0101")).unwrap();
    k.add_safety_plan_item(Reasons, "Seeing my daughter grow up", None).unwrap();

    let before = today();
    let text = k.export_safety_plan_text().unwrap();
    let after = today();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "MY SAFETY PLAN");
    assert!(lines[1] == format!("Printed on {before}") || lines[1] == format!("Printed on {after}"), "{}", lines[1]);
    let headings = [
        "1. Warning signs that a crisis may be starting",
        "2. Things I can do on my own to take my mind off my problems",
        "3. People and places that take my mind off things",
        "4. People I can ask for help",
        "5. Professionals and crisis lines I can contact",
        "6. Making my surroundings safe",
        "My reasons for living",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| lines.iter().position(|l| l == h).unwrap_or_else(|| panic!("no {h:?} in\n{text}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "headings out of order:\n{text}");
    assert!(text.contains("   - Not sleeping\n"), "{text}");
    assert!(text.contains("   - My sister Ana\n     Contact: 555 0101\n"), "{text}");
    assert!(text.ends_with("   - Seeing my daughter grow up\n"), "{text}");
    // Nothing personal beyond the plan: no name, no key, no group.
    let me = k.profile();
    for absent in ["Amara", "Okafor", &me.member_id.to_hex()[..16], &me.actor_id[..16], "Tuesday"] {
        assert!(!text.contains(absent), "the export holds {absent:?}:\n{text}");
    }
}

/// Today's local date as `YYYY-MM-DD`, from the system's own `date` (so the test does not reuse the core's code).
fn today() -> String {
    let out = std::process::Command::new("date").arg("+%Y-%m-%d").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_plan_survives_a_restart_exactly() {
    let (dir, k) = common::profile("Ada");
    let a = k.add_safety_plan_item(Coping, "Colouring book", None).unwrap();
    let b = k.add_safety_plan_item(Coping, "Hot shower", None).unwrap();
    k.add_safety_plan_item(Professionals, "Dr Mensah", Some("clinic 555 0199")).unwrap();
    k.move_safety_plan_item(&b.id, 0).unwrap();
    k.edit_safety_plan_item(&a.id, "Colouring book and tea", None).unwrap();
    let before = k.safety_plan().unwrap();
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.safety_plan().unwrap(), before);
    assert_eq!(texts(&k, Coping), ["Hot shower", "Colouring book and tea"]);
}

#[test]
fn every_change_to_the_plan_is_one_update_and_nothing_else_is() {
    let (_dir, k) = common::profile("Ada");
    let rec = Arc::new(Recorder::default());
    let _sub = k.subscribe(rec.clone());
    let item = k.add_safety_plan_item(Coping, "Walk", None).unwrap();
    assert_eq!(rec.take(), [Update::SafetyPlan]);
    k.add_safety_plan_item(Coping, "Music", None).unwrap();
    k.edit_safety_plan_item(&item.id, "Walk the dog", None).unwrap();
    k.move_safety_plan_item(&item.id, 1).unwrap();
    k.remove_safety_plan_item(&item.id).unwrap();
    k.clear_safety_plan().unwrap();
    assert_eq!(rec.take(), vec![Update::SafetyPlan; 5]);
    assert_eq!(Update::SafetyPlan.group_id(), None);

    // Reading, exporting, a refused write and a change that changes nothing tell nobody anything.
    let item = k.add_safety_plan_item(Coping, "Walk", None).unwrap();
    rec.take();
    k.safety_plan().unwrap();
    k.export_safety_plan_text().unwrap();
    assert!(k.add_safety_plan_item(Coping, "", None).is_err());
    k.edit_safety_plan_item(&item.id, "Walk", None).unwrap();
    k.move_safety_plan_item(&item.id, 0).unwrap();
    assert!(rec.take().is_empty());
    assert_eq!(k.clear_safety_plan().unwrap(), 1);
    assert_eq!(rec.take(), [Update::SafetyPlan]);
    assert_eq!(k.clear_safety_plan().unwrap(), 0);
    assert!(rec.take().is_empty(), "clearing an empty plan changes nothing");
}
