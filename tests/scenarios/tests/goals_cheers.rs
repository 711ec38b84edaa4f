//! Cheers on a shared goal: another member cheers it as themselves and every phone shows it; a cheer written as
//! someone else, the owner cheering their own goal, or a cheer on a goal that does not exist is refused at the door;
//! a member removed before cheering cheers no one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::ScalarValue;
use automerge::transaction::Transactable;
use kindred_core::{Cadence, CadencePeriod, Error, ErrorKind, NewGoal, Refusal};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn members_cheer_each_others_goals_and_only_as_themselves() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    let goal = bob
        .kindred
        .create_goal(NewGoal {
            title: "Walk".into(),
            cadence: Cadence::new(3, CadencePeriod::Week),
            share_with: Some(group),
        })
        .unwrap();
    sync_all(&[&alice, &bob, &carol]);

    // Carol cheers; everyone sees it, with her name.
    let cheers = carol.kindred.cheer_goal(&goal.id).unwrap();
    assert_eq!(cheers.len(), 1);
    assert_eq!((cheers[0].member, cheers[0].name.as_deref()), (carol.id(), Some("carol")));
    assert!(
        matches!(bob.kindred.cheer_goal(&goal.id).as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))),
        "not one's own goal"
    );
    sync_all(&[&alice, &bob, &carol]);
    assert_eq!(bob.kindred.goal_cheers(&goal.id).unwrap().iter().map(|c| c.member).collect::<Vec<_>>(), [carol.id()]);

    // By hand: alice writes a cheer as carol, and bob cheers his own goal: both refused at the door.
    let goal_hex = goal.id.to_hex();
    for (writer, as_member, what) in [
        (&alice, carol.id().to_hex(), "a cheer written as someone else"),
        (&bob, bob.id().to_hex(), "the owner cheering their own goal"),
    ] {
        let mut bundle = forge::unseal(&writer.kindred.export_bundle(&group).unwrap());
        forge::forge(forge::group_document(&mut bundle), &Writer::of(&writer.kindred), |tx| {
            let goals = forge::obj(tx, &automerge::ROOT, "goals");
            let g = forge::obj(tx, &goals, &goal_hex);
            let cheers = forge::obj(tx, &g, "cheers");
            tx.put(&cheers, as_member.as_str(), ScalarValue::Timestamp(now_ms())).unwrap();
        });
        let file = forge::seal(bundle, &writer.kindred);
        assert_refused(&carol, &group, &file, Refusal::NotPermitted, what);
    }

    // Removed, then cheering on a phone that has not heard: the cheer shows nowhere else.
    alice.kindred.remove_member(&group, &carol.id()).unwrap();
    sync(&alice, &bob);
    carol.kindred.cheer_goal(&goal.id).unwrap();
    sync(&carol, &bob);
    bob.kindred.import_bundle(&carol.kindred.export_bundle(&group).unwrap()).unwrap();
    assert!(bob.kindred.goal_cheers(&goal.id).unwrap().is_empty(), "a removed member's cheers are not shown");
}
