//! Sync sessions between phones in one process: invitations, joining, catching up both ways, refusals.
#![allow(clippy::unwrap_used)]

use kindred_core::limits::DEFAULT_INVITE_VALIDITY_MS;
use kindred_core::{NewGroup, Role};
use kindred_scenarios::Phone;
use kindred_scenarios::net::{Link, connect, sync};

fn circle(owner: &Phone) -> kindred_core::GroupId {
    owner.kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id
}

#[test]
fn an_invitee_joins_at_the_first_sync_and_both_converge() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let g = circle(&alice);
    alice.say(&g, "welcome, whoever comes");
    let code = alice.kindred.create_invite(&g, DEFAULT_INVITE_VALIDITY_MS).unwrap();
    let pending = bob.kindred.join_group(&code).unwrap();
    assert_eq!(pending.group_name, "Circle");

    let first = sync(&bob, &alice);
    assert_eq!(first.dialler.joined, vec![g]);
    assert!(bob.kindred.pending_joins().unwrap().is_empty());
    assert_eq!(bob.timeline(&g), vec!["alice: welcome, whoever comes"]);
    assert!(bob.kindred.group(&g).unwrap().members.iter().any(|m| m.display_name == "bob" && m.role == Role::Member));

    // Both write while apart, then meet again: each gets the other's message.
    bob.say(&g, "hi alice");
    alice.say(&g, "hi bob");
    let second = sync(&alice, &bob);
    assert_eq!(second.dialler.changes_applied, 1);
    assert_eq!(second.listener.changes_applied, 1);
    assert_eq!(alice.timeline(&g), bob.timeline(&g));

    // Nothing new: a few hundred bytes, and the session ends at the Hello.
    let third = sync(&alice, &bob);
    assert!(third.dialler.nothing_new && third.listener.nothing_new);
    assert!(third.bytes < 400, "reconnect with nothing new cost {} bytes", third.bytes);
}

#[test]
fn a_stranger_gets_nothing_and_a_used_code_cannot_admit_a_second_person() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let eve = Phone::new("eve");
    let g = circle(&alice);
    alice.say(&g, "private");
    // Eve, with no invitation, learns nothing.
    let outcome = sync(&eve, &alice);
    assert!(outcome.completed());
    assert!(eve.kindred.groups().unwrap().is_empty());

    let code = alice.kindred.create_invite(&g, DEFAULT_INVITE_VALIDITY_MS).unwrap();
    bob.kindred.join_group(&code).unwrap();
    sync(&bob, &alice);
    // Eve copies bob's code: it is used up.
    eve.kindred.join_group(&code).unwrap();
    let copied = sync(&eve, &alice);
    assert!(copied.completed());
    assert!(eve.kindred.groups().unwrap().is_empty());
    assert_eq!(eve.kindred.pending_joins().unwrap().len(), 1);
}

#[test]
fn small_frames_carry_a_whole_group() {
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let g = circle(&alice);
    for i in 0..150 {
        alice.say(&g, &format!("message number {i} with a little text in it"));
    }
    let code = alice.kindred.create_invite(&g, DEFAULT_INVITE_VALIDITY_MS).unwrap();
    bob.kindred.join_group(&code).unwrap();
    let outcome = connect(&bob, &alice, Link { max_frame: 512, ..Link::default() });
    assert!(outcome.completed(), "{:?}", outcome.ending);
    assert!(outcome.largest_frame <= 512);
    assert_eq!(bob.timeline(&g).len(), 150);
}

#[test]
fn a_phone_waiting_on_many_invitations_asks_a_bounded_number_at_a_time_and_joins_them_all() {
    let alice = Phone::new("alice");
    let dana = Phone::new("dana");
    // More pending invitations than one Hello carries (16): the first session must not be refused for them.
    let groups: Vec<_> = (0..18)
        .map(|i| {
            let g = alice.kindred.create_group(NewGroup { name: format!("Circle {i}"), ..Default::default() }).unwrap();
            dana.kindred.join_group(&alice.kindred.create_invite(&g.id, DEFAULT_INVITE_VALIDITY_MS).unwrap()).unwrap();
            g.id
        })
        .collect();
    let first = sync(&dana, &alice);
    assert_eq!(first.dialler.joined.len(), 16, "{:?}", first.dialler);
    assert_eq!(first.listener.admitted.len(), 16);
    let second = sync(&dana, &alice);
    assert_eq!(second.dialler.joined.len(), 2);
    assert!(dana.kindred.pending_joins().unwrap().is_empty());
    for g in &groups {
        assert!(dana.kindred.group(g).unwrap().members.iter().any(|m| m.display_name == "dana"));
    }
    // Everything is in: the next meeting finds nothing new.
    let third = sync(&dana, &alice);
    assert!(third.dialler.nothing_new && third.listener.nothing_new);
    assert!(third.listener.admitted.is_empty());
}
