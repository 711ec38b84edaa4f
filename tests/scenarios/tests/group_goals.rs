//! Group goals: members work on their own targets privately and every phone sees only how many met theirs each week.
//! Nothing on any other phone, nor in any bundle, says who joined or who did not meet theirs; a mark written as
//! someone else, on a goal that is not a group goal, or for a day that is not a week's Monday is refused at the door;
//! a removed member's marks do not count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue};
use chrono::{Datelike, Duration, Local, NaiveDate, TimeZone};
use kindred_core::{Cadence, CadencePeriod, Error, ErrorKind, GROUP_GOAL_WEEKS, NewGoal, Refusal};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

fn now_ms() -> i64 {
    Local::now().timestamp_millis()
}

/// Noon of `day` in this computer's calendar, in ms.
fn noon(day: NaiveDate) -> i64 {
    Local.from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap()).earliest().unwrap().timestamp_millis()
}

fn this_monday() -> NaiveDate {
    let today = Local::now().date_naive();
    today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
}

/// The met counts of the group's only goal, oldest week first.
fn counts(phone: &Phone, group: &kindred_core::GroupId) -> Vec<u32> {
    let goals = phone.kindred.group_goals(group).unwrap();
    assert_eq!(goals.len(), 1, "{}", phone.name);
    goals[0].weeks.iter().map(|w| w.met).collect()
}

#[test]
fn the_group_sees_how_many_met_their_own_target_and_never_who_did_not() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let dan = Phone::new("dan");
    let phones = [&alice, &bob, &carol, &dan];
    let group = group_with(&alice, "Circle", &[&bob, &carol, &dan]).id;

    let proposed = alice.kindred.create_group_goal(&group, "Move a little more").unwrap();
    assert_eq!(proposed.weeks.len(), GROUP_GOAL_WEEKS);
    assert_eq!(proposed.weeks.last().unwrap().week, this_monday().to_string());
    sync_all(&phones);

    // Bob: three times a week, met this week. Carol: every day, last week all done (back-filled) and this week
    // not yet. Dan never joins.
    let bobs = bob.kindred.join_group_goal(&proposed.id, Cadence::new(3, CadencePeriod::Week)).unwrap();
    assert_eq!(bobs.group_goal, Some(proposed.id));
    assert!(matches!(
        bob.kindred.join_group_goal(&proposed.id, Cadence::new(1, CadencePeriod::Day)).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        carol
            .kindred
            .join_group_goal(&proposed.id, Cadence::new(1, CadencePeriod::Month))
            .as_ref()
            .map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    let carols = carol.kindred.join_group_goal(&proposed.id, Cadence::new(1, CadencePeriod::Day)).unwrap();
    for _ in 0..2 {
        bob.kindred.log_progress(&bobs.id, 1, None, None).unwrap();
    }
    assert_eq!(counts(&bob, &group), [0, 0, 0, 0], "two of three is not met");
    bob.kindred.log_progress(&bobs.id, 1, None, None).unwrap();
    assert_eq!(counts(&bob, &group), [0, 0, 0, 1]);
    let last_monday = this_monday() - Duration::days(7);
    for d in 0..7 {
        carol.kindred.log_progress(&carols.id, 1, None, Some(noon(last_monday + Duration::days(d)))).unwrap();
    }
    carol.kindred.log_progress(&carols.id, 1, None, None).unwrap();
    sync_all(&phones);
    for phone in phones {
        assert_eq!(counts(phone, &group), [0, 0, 1, 1], "{}", phone.name);
    }
    let listed = dan.kindred.group_goals(&group).unwrap().remove(0);
    assert_eq!((listed.my_goal, listed.created_by), (None, alice.id()));
    assert_eq!(bob.kindred.group_goals(&group).unwrap()[0].my_goal, Some(bobs.id));

    // Their own goals stay on their own phones: no other phone lists them, and no bundle names who joined; the only
    // trace of bob and carol is the mark of the week each met.
    for phone in [&alice, &dan] {
        assert!(phone.kindred.goals(true, None).unwrap().iter().all(|g| g.id != bobs.id && g.id != carols.id));
    }
    let mut bundle = forge::unseal(&alice.kindred.export_bundle(&group).unwrap());
    let doc = forge::load(forge::group_document(&mut bundle));
    let goals = forge::obj(&doc, &automerge::ROOT, "goals");
    let entry = forge::obj(&doc, &goals, &format!("group-{}", proposed.id.to_hex()));
    let met = forge::obj(&doc, &entry, "met");
    let mut marks: Vec<String> = doc.keys(&met).collect();
    marks.sort();
    let mut expected =
        vec![format!("{last_monday} {}", carol.id().to_hex()), format!("{} {}", this_monday(), bob.id().to_hex())];
    expected.sort();
    assert_eq!(marks, expected);
    for key in doc.keys(&goals) {
        let g = forge::obj(&doc, &goals, &key);
        assert!(doc.get(&g, "for").unwrap().is_none(), "no goal in the group's document links to a group goal");
    }

    // Ending: only the proposer; it stays listed with its weeks, and no one joins it any more.
    assert!(matches!(
        bob.kindred.end_group_goal(&proposed.id).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    let ended = alice.kindred.end_group_goal(&proposed.id).unwrap();
    assert!(ended.ended_at.is_some());
    sync(&alice, &dan);
    assert!(matches!(
        dan.kindred.join_group_goal(&proposed.id, Cadence::new(2, CadencePeriod::Week)).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert_eq!(counts(&dan, &group), [0, 0, 1, 1]);
}

#[test]
fn marks_are_only_ones_own_only_on_group_goals_and_only_for_a_monday() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    let proposed = alice.kindred.create_group_goal(&group, "Sleep by eleven").unwrap();
    let shared = bob
        .kindred
        .create_goal(NewGoal {
            title: "Walk".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: Some(group),
        })
        .unwrap();
    sync_all(&[&alice, &bob, &carol]);
    let key = format!("group-{}", proposed.id.to_hex());
    let monday = this_monday().to_string();

    let cases: [(&Phone, String, String, Refusal, &str); 4] = [
        (
            &bob,
            key.clone(),
            format!("{monday} {}", carol.id().to_hex()),
            Refusal::NotPermitted,
            "a mark as someone else",
        ),
        (
            &bob,
            shared.id.to_hex(),
            format!("{monday} {}", bob.id().to_hex()),
            Refusal::NotPermitted,
            "a mark on a shared goal",
        ),
        (
            &bob,
            key.clone(),
            format!("{} {}", this_monday() + Duration::days(2), bob.id().to_hex()),
            Refusal::Malformed,
            "a mark for a Wednesday",
        ),
        (&bob, key.clone(), format!("{monday} someone"), Refusal::Malformed, "a mark naming no member"),
    ];
    for (writer, goal_key, mark, kind, what) in cases {
        let mut bundle = forge::unseal(&writer.kindred.export_bundle(&group).unwrap());
        forge::forge(forge::group_document(&mut bundle), &Writer::of(&writer.kindred), |tx| {
            let goals = forge::obj(tx, &automerge::ROOT, "goals");
            let g = forge::obj(tx, &goals, &goal_key);
            let met = match tx.get(&g, "met").unwrap() {
                Some((_, id)) => id,
                None => tx.put_object(&g, "met", automerge::ObjType::Map).unwrap(),
            };
            tx.put(&met, mark.as_str(), ScalarValue::Timestamp(now_ms())).unwrap();
        });
        let file = forge::seal(bundle, &writer.kindred);
        assert_refused(&carol, &group, &file, kind, what);
    }

    // A group goal made without its kind, or a shared goal made with it: refused.
    for (key, kind) in [(format!("group-{}", "ab".repeat(16)), None), ("cd".repeat(16), Some("group"))] {
        let mut bundle = forge::unseal(&bob.kindred.export_bundle(&group).unwrap());
        forge::forge(forge::group_document(&mut bundle), &Writer::of(&bob.kindred), |tx| {
            let goals = forge::obj(tx, &automerge::ROOT, "goals");
            let g = tx.put_object(&goals, key.as_str(), automerge::ObjType::Map).unwrap();
            tx.put(&g, "owner", ScalarValue::Bytes(bob.id().as_bytes().to_vec())).unwrap();
            tx.put(&g, "title", "Mine").unwrap();
            if let Some(kind) = kind {
                tx.put(&g, "kind", kind).unwrap();
            }
        });
        let file = forge::seal(bundle, &bob.kindred);
        assert_refused(&carol, &group, &file, Refusal::NotPermitted, "a goal whose key and kind disagree");
    }

    // A member removed before marking: her mark, written on her stale phone, counts nowhere else.
    let carols = carol.kindred.join_group_goal(&proposed.id, Cadence::new(1, CadencePeriod::Week)).unwrap();
    alice.kindred.remove_member(&group, &carol.id()).unwrap();
    sync(&alice, &bob);
    carol.kindred.log_progress(&carols.id, 1, None, None).unwrap();
    assert_eq!(counts(&carol, &group).last(), Some(&1), "her own phone counted it before it heard");
    bob.kindred.import_bundle(&carol.kindred.export_bundle(&group).unwrap()).unwrap();
    assert_eq!(counts(&bob, &group).last(), Some(&0), "a removed member's mark does not count");
}

#[test]
fn a_group_holds_a_bounded_number_of_group_goals() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let group = group_with(&alice, "Circle", &[&bob]).id;
    for n in 0..kindred_core::limits::MAX_GROUP_GOALS {
        alice.kindred.create_group_goal(&group, &format!("Goal {n}")).unwrap();
    }
    assert!(matches!(
        alice.kindred.create_group_goal(&group, "One more").as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    sync(&alice, &bob);
    // By hand: one more than the bound, refused at the door.
    let mut bundle = forge::unseal(&alice.kindred.export_bundle(&group).unwrap());
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&alice.kindred), |tx| {
        let goals = forge::obj(tx, &automerge::ROOT, "goals");
        let g = tx.put_object(&goals, format!("group-{}", "ef".repeat(16)).as_str(), automerge::ObjType::Map).unwrap();
        tx.put(&g, "owner", ScalarValue::Bytes(alice.id().as_bytes().to_vec())).unwrap();
        tx.put(&g, "kind", "group").unwrap();
        tx.put(&g, "title", "One more").unwrap();
    });
    let file = forge::seal(bundle, &alice.kindred);
    assert_refused(&bob, &group, &file, Refusal::NotPermitted, "a group goal beyond the bound");
}
