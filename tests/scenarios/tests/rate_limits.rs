//! Causal rate limits: at most N posts by a plain member between two messages by others, counted from what each post
//! says its author had seen, the same on every phone in any delivery order, and never by clock. Hand-made posts
//! (naming a message already used, their own, one that does not exist, or rewriting what an old post named) get no
//! further than the limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ROOT, ScalarValue};
use kindred_core::sync::wire::PlaceKind;
use kindred_core::{Error, ErrorKind, GroupId, MessageId, NewMessage, Refusal};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

fn post(phone: &Phone, group: &GroupId, text: &str) -> kindred_core::Result<MessageId> {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).map(|m| m.id)
}

fn timeline(phone: &Phone, group: &GroupId) -> Vec<String> {
    let mut texts: Vec<String> =
        phone.kindred.messages(group, 100, None).unwrap().into_iter().map(|m| m.text).collect();
    texts.sort();
    texts
}

/// Alice owns the group; Bob and Carol are members.
fn circle() -> (Phone, Phone, Phone, GroupId) {
    let (alice, bob, carol) = (Phone::new("alice"), Phone::new("bob"), Phone::new("carol"));
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    (alice, bob, carol, group)
}

/// Alice sets a limit of 2 posts between two messages by others, and everyone holds it.
fn limit(alice: &Phone, bob: &Phone, carol: &Phone, group: &GroupId) {
    alice.kindred.set_rate_limit(group, Some(2)).unwrap();
    sync_all(&[alice, bob, carol]);
}

fn limited() -> (Phone, Phone, Phone, GroupId) {
    let (alice, bob, carol, group) = circle();
    limit(&alice, &bob, &carol, &group);
    (alice, bob, carol, group)
}

/// One hand-made post: its id (chosen), its text, and what it says its author had seen.
struct Forged {
    id: u8,
    text: &'static str,
    seen: Option<MessageId>,
}

/// A bundle from `writer` holding `posts`, each a correctly signed change by `device` (one of the writer's devices)
/// in the writer's first segment, and nothing of the group's other segments but what `keep` names.
fn forged(writer: &Phone, group: &GroupId, device: &Writer<'_>, posts: &[Forged], keep: &[&Phone]) -> Vec<u8> {
    let mut bundle = forge::unseal(&writer.kindred.export_bundle(group).unwrap());
    for p in posts {
        let mut body = Vec::new();
        forge::forge(forge::segment_of(&mut bundle, &writer.id()), device, |tx| {
            let id = MessageId::from_bytes([p.id; 16]);
            body = forge::write_message(tx, &id, 1_800_000_000_000, p.text);
            let m = forge::obj(tx, &ROOT, &id.to_hex());
            if let Some(seen) = p.seen {
                tx.put(&m, "seen", ScalarValue::Bytes(seen.as_bytes().to_vec())).unwrap();
            }
        });
        bundle.bodies.push(body);
    }
    let kept: Vec<[u8; 32]> = keep.iter().chain([&writer]).map(|p| *p.id().as_bytes()).collect();
    bundle.documents.retain(|d| d.place.kind != PlaceKind::Segment || kept.contains(&d.place.author));
    forge::seal(bundle, &writer.kindred)
}

#[test]
fn a_member_posts_at_most_n_between_messages_by_others_and_every_phone_agrees() {
    let (alice, bob, carol, group) = limited();
    assert_eq!(bob.kindred.rate_limit(&group).unwrap(), Some(2));
    assert_eq!(bob.kindred.posting_status(&group).unwrap().rate_limit, Some(2));
    post(&bob, &group, "b1").unwrap();
    post(&bob, &group, "b2").unwrap();
    let status = bob.kindred.posting_status(&group).unwrap();
    assert!(status.rate_limited && !status.may_post);
    assert!(matches!(post(&bob, &group, "b3").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));

    // Someone else writes: Bob may post twice more once his phone holds it.
    post(&carol, &group, "c1").unwrap();
    sync(&carol, &bob);
    assert!(!bob.kindred.posting_status(&group).unwrap().rate_limited);
    post(&bob, &group, "b3").unwrap();
    post(&bob, &group, "b4").unwrap();
    assert!(matches!(post(&bob, &group, "b5").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));

    // The owner (and moderators) are not limited.
    for i in 0..4 {
        post(&alice, &group, &format!("a{i}")).unwrap();
    }
    assert!(!alice.kindred.posting_status(&group).unwrap().rate_limited);
    sync_all(&[&alice, &bob, &carol]);
    let expected = ["a0", "a1", "a2", "a3", "b1", "b2", "b3", "b4", "c1"];
    for p in [&alice, &bob, &carol] {
        assert_eq!(timeline(p, &group), expected, "{}", p.name);
    }

    // Turning the limit off lets Bob write on; what was posted under it stays as it was.
    alice.kindred.set_rate_limit(&group, None).unwrap();
    sync(&alice, &bob);
    assert_eq!(bob.kindred.rate_limit(&group).unwrap(), None);
    post(&bob, &group, "b5").unwrap();
    post(&bob, &group, "b6").unwrap();
    post(&bob, &group, "b7").unwrap();
    sync_all(&[&alice, &bob, &carol]);
    assert_eq!(timeline(&carol, &group).len(), expected.len() + 3);

    // Plain members may not set it; out-of-range settings are refused.
    assert!(matches!(
        bob.kindred.set_rate_limit(&group, Some(1)).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        alice.kindred.set_rate_limit(&group, Some(0)).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(matches!(
        alice.kindred.set_rate_limit(&group, Some(101)).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn posts_made_before_the_limit_was_set_are_not_counted() {
    let (alice, bob, carol, group) = circle();
    for i in 0..5 {
        post(&bob, &group, &format!("early {i}")).unwrap();
    }
    sync_all(&[&alice, &bob, &carol]);
    limit(&alice, &bob, &carol, &group);
    for p in [&alice, &bob, &carol] {
        assert_eq!(timeline(p, &group).len(), 5, "{}", p.name);
    }
    // Bob's next posts count from the setting: naming the newest message by others (none here), two, then no more.
    post(&bob, &group, "late 1").unwrap();
    post(&bob, &group, "late 2").unwrap();
    assert!(matches!(post(&bob, &group, "late 3").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
}

#[test]
fn hand_made_posts_past_the_limit_show_nowhere_whatever_they_name_or_depend_on() {
    let (alice, bob, carol, group) = circle();
    let c1 = post(&carol, &group, "c1").unwrap();
    post(&bob, &group, "b0").unwrap();
    sync_all(&[&alice, &bob, &carol]);
    limit(&alice, &bob, &carol, &group);
    let b0 = bob.kindred.messages(&group, 10, None).unwrap().into_iter().find(|m| m.text == "b0").unwrap().id;
    let device = Writer::another_device(&bob.kindred);
    // Bob's modified app floods: three more naming Carol's message, and others naming his own post, a message that
    // does not exist, and nothing.
    let file = forged(
        &bob,
        &group,
        &device,
        &[
            Forged { id: 0x11, text: "flood 1", seen: Some(c1) },
            Forged { id: 0x12, text: "flood 2", seen: Some(c1) },
            Forged { id: 0x13, text: "flood 3", seen: Some(c1) },
            Forged { id: 0x14, text: "naming himself", seen: Some(b0) },
            Forged { id: 0x15, text: "naming nothing held", seen: Some(MessageId::from_bytes([0xee; 16])) },
            Forged { id: 0x16, text: "naming nothing 1", seen: None },
            Forged { id: 0x17, text: "naming nothing 2", seen: None },
            Forged { id: 0x18, text: "naming nothing 3", seen: None },
        ],
        &[&carol],
    );
    alice.kindred.import_bundle(&file).unwrap();
    sync_all(&[&alice, &bob, &carol]);
    // b0 came before the limit and is not counted. Of the three naming c1 and the three naming nothing, the first two
    // in id order count, whoever's phone holds them.
    let expected = ["b0", "c1", "flood 1", "flood 2", "naming nothing 1", "naming nothing 2"];
    for p in [&alice, &bob, &carol] {
        assert_eq!(timeline(p, &group), expected, "{}", p.name);
    }

    // What an old post named cannot be rewritten later.
    let mut bundle = forge::unseal(&bob.kindred.export_bundle(&group).unwrap());
    forge::forge(forge::segment_of(&mut bundle, &bob.id()), &device, |tx| {
        let m = forge::obj(tx, &ROOT, &MessageId::from_bytes([0x13; 16]).to_hex());
        tx.put(&m, "seen", ScalarValue::Bytes(b0.as_bytes().to_vec())).unwrap();
    });
    let dave = Phone::new("dave");
    let file = forge::seal(bundle, &bob.kindred);
    alice.kindred.add_member(&group, &dave.id(), "dave", kindred_core::Role::Member).unwrap();
    kindred_scenarios::exchange(&alice, &dave, &group);
    assert_refused(&dave, &group, &file, Refusal::NotPermitted, "a post's seen rewritten later");
}

#[test]
fn concurrent_floods_from_two_devices_resolve_the_same_in_any_delivery_order() {
    let (alice, bob, carol, group) = limited();
    let c1 = post(&carol, &group, "c1").unwrap();
    post(&bob, &group, "b0").unwrap();
    sync_all(&[&alice, &bob, &carol]);
    let (one, two) = (Writer::another_device(&bob.kindred), Writer::another_device(&bob.kindred));
    // Two devices, each within the limit on its own; together past it. Ids interleave, so which two count depends
    // on both batches.
    let first = forged(
        &bob,
        &group,
        &one,
        &[Forged { id: 0x22, text: "one a", seen: Some(c1) }, Forged { id: 0x44, text: "one b", seen: Some(c1) }],
        &[&carol],
    );
    let second = forged(
        &bob,
        &group,
        &two,
        &[Forged { id: 0x11, text: "two a", seen: Some(c1) }, Forged { id: 0x33, text: "two b", seen: Some(c1) }],
        &[&carol],
    );
    alice.kindred.import_bundle(&first).unwrap();
    assert_eq!(timeline(&alice, &group), ["b0", "c1", "one a", "one b"]);
    alice.kindred.import_bundle(&second).unwrap();
    carol.kindred.import_bundle(&second).unwrap();
    carol.kindred.import_bundle(&first).unwrap();
    for p in [&alice, &carol] {
        assert_eq!(timeline(p, &group), ["b0", "c1", "one a", "two a"], "{}", p.name);
    }
    sync_all(&[&alice, &bob, &carol]);
    assert_eq!(timeline(&bob, &group), ["b0", "c1", "one a", "two a"]);
}

#[test]
fn a_post_that_arrives_before_the_message_it_names_counts_once_that_message_comes() {
    let (alice, bob, carol, group) = limited();
    let c1 = post(&carol, &group, "c1").unwrap();
    post(&bob, &group, "b0").unwrap();
    sync(&carol, &bob);
    // Bob's phone (honest) names Carol's message; Alice gets Bob's segment without Carol's.
    post(&bob, &group, "after c1").unwrap();
    let only_bob = forged(&bob, &group, &Writer::another_device(&bob.kindred), &[], &[]);
    alice.kindred.import_bundle(&only_bob).unwrap();
    assert_eq!(timeline(&alice, &group), ["b0"], "a post naming a message not held here waits for it");
    sync(&carol, &alice);
    assert_eq!(timeline(&alice, &group), ["after c1", "b0", "c1"]);
    let named = alice.kindred.messages(&group, 10, None).unwrap();
    assert!(named.iter().any(|m| m.id == c1));
}
