//! Several profiles in one process: alice, bob and carol exchange a group in different orders and end up showing
//! the same thing. (The authenticated peer-to-peer sync builds on the same document model.)

use kindred_core::{Error, ErrorKind, NewMessage};
use kindred_scenarios::{Phone, exchange, group_with};

#[test]
fn alice_bob_and_carol_converge_after_concurrent_posts() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    assert_eq!(bob.kindred.group(&group).unwrap().members.len(), 3);

    // Offline, everyone posts.
    alice.say(&group, "Morning, all");
    bob.say(&group, "Slept 7 hours!");
    carol.say(&group, "First time here, hello");
    bob.say(&group, "Walk later?");

    // They meet in pairs, in different orders.
    exchange(&alice, &bob, &group);
    exchange(&bob, &carol, &group);
    exchange(&carol, &alice, &group);

    let a = alice.timeline(&group);
    assert_eq!(a.len(), 4);
    assert_eq!(a, bob.timeline(&group));
    assert_eq!(a, carol.timeline(&group));
    assert!(a.contains(&"carol: First time here, hello".to_string()));
}

#[test]
fn edits_reactions_and_removals_travel_and_merge() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let group = group_with(&alice, "Circle", &[&bob]).id;
    let m = alice.kindred.post(&group, NewMessage { text: "typo hree".into(), ..Default::default() }).unwrap();
    let doomed =
        alice.kindred.post(&group, NewMessage { text: "oops, wrong group".into(), ..Default::default() }).unwrap();
    exchange(&alice, &bob, &group);

    // Concurrently: alice edits and removes, bob reacts to both messages.
    alice.kindred.edit_message(&group, &m.id, "typo here").unwrap();
    alice.kindred.remove_message(&group, &doomed.id).unwrap();
    bob.kindred.react(&group, &m.id, Some("👍")).unwrap();
    alice.kindred.react(&group, &m.id, Some("❤️")).unwrap();
    exchange(&alice, &bob, &group);

    for phone in [&alice, &bob] {
        let msg = phone.kindred.message(&group, &m.id).unwrap();
        assert_eq!(msg.text, "typo here", "{}", phone.name);
        assert_eq!(msg.reactions.len(), 2, "{}", phone.name);
        let gone = phone.kindred.message(&group, &doomed.id).unwrap();
        assert!(gone.removed && gone.text.is_empty(), "{}", phone.name);
    }
    // Bob cannot edit Alice's message.
    assert!(matches!(
        bob.kindred.edit_message(&group, &m.id, "mine now").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
}

#[test]
fn unread_counts_follow_arrivals_from_others() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let group = group_with(&alice, "Circle", &[&bob]).id;
    alice.say(&group, "one");
    alice.say(&group, "two");
    exchange(&alice, &bob, &group);
    assert_eq!(bob.kindred.unread_count(&group).unwrap(), 2);
    assert_eq!(bob.kindred.groups().unwrap()[0].unread_count, 2);
    bob.kindred.mark_read(&group).unwrap();
    assert_eq!(bob.kindred.unread_count(&group).unwrap(), 0);
    alice.say(&group, "three");
    exchange(&alice, &bob, &group);
    assert_eq!(bob.kindred.unread_count(&group).unwrap(), 1);
}

#[test]
fn repeated_and_reordered_exchanges_are_harmless() {
    let alice = Phone::new("alice");
    let mut bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    for i in 0..5 {
        alice.say(&group, &format!("a{i}"));
        carol.say(&group, &format!("c{i}"));
    }
    // Bob hears carol's news through alice before hearing from carol herself, several times over.
    exchange(&carol, &alice, &group);
    exchange(&alice, &bob, &group);
    exchange(&alice, &bob, &group);
    exchange(&carol, &bob, &group);
    exchange(&bob, &carol, &group);
    bob.restart();
    let b = bob.timeline(&group);
    assert_eq!(b.len(), 10);
    assert_eq!(b, alice.timeline(&group));
    assert_eq!(b, carol.timeline(&group));
}

#[test]
fn shared_goals_are_seen_by_the_group() {
    use kindred_core::{Cadence, CadencePeriod, NewGoal};
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let group = group_with(&alice, "Circle", &[&bob]).id;
    let goal = bob
        .kindred
        .create_goal(NewGoal {
            title: "Walk 3x a week".into(),
            cadence: Cadence::new(3, CadencePeriod::Week),
            share_with: Some(group),
        })
        .unwrap();
    let private = bob
        .kindred
        .create_goal(NewGoal {
            title: "Private".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: None,
        })
        .unwrap();
    bob.kindred.log_progress(&goal.id, 1, None, None).unwrap();
    exchange(&alice, &bob, &group);
    let seen = alice.kindred.goals(false, Some(&group)).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].title, "Walk 3x a week");
    assert!(!seen[0].is_mine);
    assert_eq!(seen[0].total_logged, 1);
    // Private goals never leave bob's phone.
    assert!(alice.kindred.goal(&private.id).is_err());
    // Only the owner changes a goal.
    assert!(matches!(
        alice.kindred.log_progress(&goal.id, 1, None, None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
}

#[test]
fn moderators_add_members_but_cannot_promote() {
    use kindred_core::Role;
    let ada = Phone::new("ada");
    let bea = Phone::new("bea");
    let cy = Phone::new("cy");
    let g = group_with(&ada, "Circle", &[]).id;
    ada.kindred.add_member(&g, &bea.kindred.profile().member_id, "bea", Role::Moderator).unwrap();
    exchange(&ada, &bea, &g);
    let cy_id = cy.kindred.profile().member_id;
    bea.kindred.add_member(&g, &cy_id, "cy", Role::Member).unwrap();
    assert!(matches!(
        bea.kindred.add_member(&g, &cy_id, "cy", Role::Moderator).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    let ada_id = ada.kindred.profile().member_id;
    assert!(matches!(
        bea.kindred.add_member(&g, &ada_id, "ada", Role::Member).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
}
