//! Shared goals across phones: a skipped day and a pause travel with the goal, so every member's phone shows the
//! same habit strength; and the door holds a goal's new fields to their shape (a skip is a date marked true).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::ScalarValue;
use automerge::transaction::Transactable;
use kindred_core::{Cadence, CadencePeriod, GoalStatus, NewGoal, Refusal};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::sync;
use kindred_scenarios::{Phone, assert_refused, group_with};

#[test]
fn a_shared_goals_skips_and_pauses_reach_every_member_and_its_strength_agrees() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let group = group_with(&alice, "Circle", &[&bob]).id;
    let goal = alice
        .kindred
        .create_goal(NewGoal {
            title: "Walk".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: Some(group),
        })
        .unwrap();
    alice.kindred.log_progress(&goal.id, 1, None, None).unwrap();
    alice.kindred.skip_goal_day(&goal.id, None).unwrap();
    alice.kindred.set_goal_status(&goal.id, GoalStatus::Paused).unwrap();
    alice.kindred.set_goal_status(&goal.id, GoalStatus::Active).unwrap();
    sync(&alice, &bob);
    assert_eq!(bob.kindred.goal_strength(&goal.id).unwrap(), alice.kindred.goal_strength(&goal.id).unwrap());
    assert!(matches!(
        bob.kindred.skip_goal_day(&goal.id, None).as_ref().map_err(kindred_core::Error::kind),
        Err(kindred_core::ErrorKind::NotPermitted(_))
    ));

    // A skip that is not a date, written by hand into alice's own goal, is refused at bob's door.
    let bytes = alice.kindred.export_bundle(&group).unwrap();
    let mut bundle = forge::unseal(&bytes);
    let writer = Writer::of(&alice.kindred);
    let goal_hex = goal.id.to_hex();
    forge::forge(forge::group_document(&mut bundle), &writer, |tx| {
        let goals = forge::obj(tx, &automerge::ROOT, "goals");
        let g = forge::obj(tx, &goals, &goal_hex);
        let skips = forge::obj(tx, &g, "skips");
        tx.put(&skips, "tomorrow-ish", ScalarValue::Boolean(true)).unwrap();
    });
    let file = forge::seal(bundle, &alice.kindred);
    assert_refused(&bob, &group, &file, Refusal::Malformed, "a skip that is not a date");
}

#[test]
fn a_goal_made_by_hand_in_someone_elses_name_is_refused() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let mallory = Phone::new("mallory");
    let group = group_with(&alice, "Circle", &[&bob, &mallory]).id;
    // Mallory makes a goal whose owner she writes first as herself, then as bob: the goal would show as bob's.
    let mut bundle = forge::unseal(&mallory.kindred.export_bundle(&group).unwrap());
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&mallory.kindred), |tx| {
        let goals = forge::obj(tx, &automerge::ROOT, "goals");
        let g = tx.put_object(&goals, "ab".repeat(16).as_str(), automerge::ObjType::Map).unwrap();
        tx.put(&g, "owner", ScalarValue::Bytes(mallory.id().as_bytes().to_vec())).unwrap();
        tx.put(&g, "title", "Skip the meetings").unwrap();
        tx.put(&g, "times", 1).unwrap();
        tx.put(&g, "period", "day").unwrap();
        tx.put(&g, "status", "active").unwrap();
        tx.put(&g, "created_at", ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
        tx.put(&g, "updated_at", ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
        tx.put(&g, "owner", ScalarValue::Bytes(bob.id().as_bytes().to_vec())).unwrap();
    });
    let file = forge::seal(bundle, &mallory.kindred);
    assert_refused(&alice, &group, &file, Refusal::NotPermitted, "a goal made in someone else's name");
    assert!(alice.kindred.goals(true, Some(&group)).unwrap().is_empty());
}
