//! Words that can be taken back: a message erased by its author, by a moderator, or by its author leaving with
//! erasure is gone from the store of every honest phone that receives the erasure (database, write-ahead log,
//! journal, any file of its data directory), from every later bundle and from a newcomer's join, in any delivery
//! order; an erasure received before its message holds; one by someone without the right has no effect; and a
//! moderator's erasure racing their demotion is decided the same everywhere. The byte scans run on profiles without
//! encryption at rest, so nothing could hide a leftover.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::ROOT;
use automerge::transaction::Transactable;
use kindred_core::sync::wire::PlaceKind;
use kindred_core::{Error, ErrorKind, GroupId, MessageId, ModerationKind, NewMessage, Refusal, Role};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{send_raw, sync, sync_all};
use kindred_scenarios::scan::{bundle_text, files, holds, unique};
use kindred_scenarios::{Phone, assert_refused, group_with};

fn post(phone: &Phone, group: &GroupId, text: &str) -> MessageId {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).unwrap().id
}

/// Every file of `phone`'s data directory that holds `marker`.
fn leftovers(phone: &Phone, marker: &str) -> Vec<String> {
    files(&phone.dir).into_iter().filter(|(_, bytes)| holds(bytes, marker)).map(|(name, _)| name).collect()
}

/// (text, removed, by a moderator) of a message as `phone` shows it.
fn shown(phone: &Phone, group: &GroupId, id: &MessageId) -> (String, bool, bool) {
    let m = phone.kindred.message(group, id).unwrap();
    (m.text, m.removed, m.erased_by_moderator)
}

struct Circle {
    alice: Phone,
    mo: Phone,
    bob: Phone,
    carol: Phone,
    group: GroupId,
}

impl Circle {
    fn all(&self) -> [&Phone; 4] {
        [&self.alice, &self.mo, &self.bob, &self.carol]
    }
}

/// Alice owns the group, Mo moderates it, Bob and Carol are members.
fn circle() -> Circle {
    let (alice, mo, bob, carol) = (Phone::new("alice"), Phone::new("mo"), Phone::new("bob"), Phone::new("carol"));
    let group = group_with(&alice, "Circle", &[&mo, &bob, &carol]).id;
    alice.kindred.add_member(&group, &mo.id(), "mo", Role::Moderator).unwrap();
    sync_all(&[&alice, &mo, &bob, &carol]);
    Circle { alice, mo, bob, carol, group }
}

/// A bundle of `from`'s copy of the group holding its group document alone (no member's messages).
fn group_document_only(from: &Phone, group: &GroupId) -> Vec<u8> {
    let mut bundle = forge::unseal(&from.kindred.export_bundle(group).unwrap());
    bundle.documents.retain(|d| d.place.kind == PlaceKind::Group);
    bundle.bodies.clear();
    forge::seal(bundle, &from.kindred)
}

#[test]
fn a_marker_edited_twice_then_erased_is_gone_from_every_phone_every_later_bundle_and_a_newcomer() {
    let c = circle();
    let marker = unique("ERASE-ME");
    let id = post(&c.bob, &c.group, &format!("my address is {marker} v1"));
    // Alice sees the first version, Carol the second, Mo the third.
    sync(&c.bob, &c.alice);
    c.bob.kindred.edit_message(&c.group, &id, &format!("my address is {marker} v2")).unwrap();
    sync(&c.bob, &c.carol);
    c.bob.kindred.edit_message(&c.group, &id, &format!("my address is {marker} v3")).unwrap();
    sync(&c.bob, &c.mo);
    assert_eq!(shown(&c.alice, &c.group, &id).0, format!("my address is {marker} v1"));
    assert_eq!(shown(&c.carol, &c.group, &id).0, format!("my address is {marker} v2"));
    assert!(!leftovers(&c.carol, &marker).is_empty(), "the scan finds the words before the erasure");

    // Bob erases it; the erasure reaches the others by different paths (a direct sync, a relay, a bundle).
    let erased = c.bob.kindred.erase_message(&c.group, &id).unwrap();
    assert!(erased.removed && erased.text.is_empty());
    sync(&c.bob, &c.mo);
    sync(&c.mo, &c.carol);
    c.alice.kindred.import_bundle(&c.carol.kindred.export_bundle(&c.group).unwrap()).unwrap();
    sync_all(&c.all());
    for phone in c.all() {
        assert_eq!(shown(phone, &c.group, &id), (String::new(), true, false), "{}", phone.name);
        assert_eq!(leftovers(phone, &marker), Vec::<String>::new(), "{}'s files still hold the words", phone.name);
    }

    // Every later bundle, and a newcomer who joins afterwards.
    for phone in c.all() {
        let bundle = phone.kindred.export_bundle(&c.group).unwrap();
        assert!(!holds(&bundle, &marker) && !bundle_text(&bundle).contains(&marker), "{}'s bundle", phone.name);
    }
    let dave = Phone::new("dave");
    dave.kindred.join_group(&c.alice.kindred.create_invite(&c.group, 3_600_000).unwrap()).unwrap();
    sync(&dave, &c.alice);
    assert_eq!(shown(&dave, &c.group, &id), (String::new(), true, false));
    assert_eq!(leftovers(&dave, &marker), Vec::<String>::new());
    // And it is erased for good: its author cannot edit it back.
    assert!(matches!(
        c.bob.kindred.edit_message(&c.group, &id, "back").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
}

#[test]
fn words_arrive_beside_the_history_and_a_phone_that_lacks_them_says_so_until_they_come() {
    let c = circle();
    let id = post(&c.bob, &c.group, "the words travel beside the history");
    // Carol gets Bob's segment by a bundle stripped of its bodies: the message is there, its words not yet.
    let mut bundle = forge::unseal(&c.bob.kindred.export_bundle(&c.group).unwrap());
    bundle.bodies.clear();
    c.carol.kindred.import_bundle(&forge::seal(bundle, &c.bob.kindred)).unwrap();
    let m = c.carol.kindred.message(&c.group, &id).unwrap();
    assert!(m.text_pending && m.text.is_empty(), "{m:?}");
    // Alice holds the same documents but not the words either: their sync brings nothing, Bob's does.
    c.alice.kindred.import_bundle(&c.carol.kindred.export_bundle(&c.group).unwrap()).unwrap();
    sync(&c.alice, &c.carol);
    assert!(c.carol.kindred.message(&c.group, &id).unwrap().text_pending);
    let outcome = sync(&c.carol, &c.bob);
    assert!(outcome.completed());
    let m = c.carol.kindred.message(&c.group, &id).unwrap();
    assert_eq!((m.text.as_str(), m.text_pending), ("the words travel beside the history", false));
    // Now Carol passes them on.
    sync(&c.alice, &c.carol);
    assert_eq!(shown(&c.alice, &c.group, &id).0, "the words travel beside the history");
}

#[test]
fn a_moderators_erasure_received_before_the_message_still_holds() {
    let c = circle();
    let marker = unique("DOXX");
    let id = post(&c.bob, &c.group, &format!("carol lives at {marker}"));
    sync(&c.bob, &c.mo);
    let entry = c.mo.kindred.erase_message_for(&c.group, &id, "someone's address").unwrap();
    assert_eq!((entry.kind, entry.member, entry.message_id), (ModerationKind::Erase, c.bob.id(), Some(id)));
    assert!(!entry.why.contains(&marker), "the log holds no words");
    assert_eq!(shown(&c.mo, &c.group, &id), (String::new(), true, true));
    assert!(leftovers(&c.mo, &marker).is_empty());

    // Carol gets the log entry first (the group document alone), then Bob's messages from Bob himself, who has not
    // heard of the erasure and still holds the words.
    c.carol.kindred.import_bundle(&group_document_only(&c.mo, &c.group)).unwrap();
    c.carol.kindred.import_bundle(&c.bob.kindred.export_bundle(&c.group).unwrap()).unwrap();
    sync(&c.carol, &c.bob);
    assert_eq!(shown(&c.carol, &c.group, &id), (String::new(), true, true));
    assert!(leftovers(&c.carol, &marker).is_empty(), "an erased body is never taken, even from a phone that has it");
    sync_all(&c.all());
    for phone in c.all() {
        assert_eq!(shown(phone, &c.group, &id), (String::new(), true, true), "{}", phone.name);
        assert!(leftovers(phone, &marker).is_empty(), "{}", phone.name);
    }
    let log = c.alice.kindred.moderation_log(&c.group, 10).unwrap();
    assert_eq!((log[0].kind, log[0].why.as_str()), (ModerationKind::Erase, "someone's address"));
    // Rights: not a plain member, not the owner's message, not twice.
    let owners = post(&c.alice, &c.group, "welcome");
    sync_all(&c.all());
    assert!(matches!(
        c.carol.kindred.erase_message_for(&c.group, &owners, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.mo.kindred.erase_message_for(&c.group, &owners, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.mo.kindred.erase_message_for(&c.group, &id, "again").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. } | ErrorKind::InvalidInput { .. })
    ));
}

#[test]
fn an_erasure_without_the_right_has_no_effect_and_a_hand_made_one_is_refused() {
    let c = circle();
    let id = post(&c.bob, &c.group, "still here");
    sync_all(&c.all());
    // Mo is removed; Mo's phone, not knowing yet, erases Bob's message. Carol hears of the removal first.
    c.alice.kindred.remove_member(&c.group, &c.mo.id()).unwrap();
    sync(&c.alice, &c.carol);
    c.mo.kindred.erase_message_for(&c.group, &id, "I can still do this").unwrap();
    c.carol.kindred.import_bundle(&c.mo.kindred.export_bundle(&c.group).unwrap()).unwrap();
    sync_all(&[&c.alice, &c.bob, &c.carol]);
    for phone in [&c.alice, &c.bob, &c.carol] {
        assert_eq!(shown(phone, &c.group, &id), ("still here".to_owned(), false, false), "{}", phone.name);
    }

    // Carol's modified app writes an erasure entry by hand (correctly signed, well formed): refused at the door.
    let mut bundle = forge::unseal(&c.carol.kindred.export_bundle(&c.group).unwrap());
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&c.carol.kindred), |tx| {
        let log = forge::obj(tx, &ROOT, "modlog");
        let e = tx.put_object(&log, MessageId::from_bytes(rand::random()).to_hex(), automerge::ObjType::Map).unwrap();
        tx.put(&e, "by", automerge::ScalarValue::Bytes(c.carol.id().as_bytes().to_vec())).unwrap();
        tx.put(&e, "at", automerge::ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
        tx.put(&e, "kind", "erase").unwrap();
        tx.put(&e, "message", automerge::ScalarValue::Bytes(id.as_bytes().to_vec())).unwrap();
        tx.put(&e, "member", automerge::ScalarValue::Bytes(c.bob.id().as_bytes().to_vec())).unwrap();
        tx.put(&e, "why", "because").unwrap();
    });
    let file = forge::seal(bundle, &c.carol.kindred);
    assert_refused(&c.alice, &c.group, &file, Refusal::NotPermitted, "an erasure by a plain member");
    // Nor can Carol erase Bob's message from her own messages: a map of his message's id in her segment, marked
    // removed, is refused at the door.
    post(&c.carol, &c.group, "mine");
    let mut bundle = forge::unseal(&c.carol.kindred.export_bundle(&c.group).unwrap());
    forge::forge(forge::segment_of(&mut bundle, &c.carol.id()), &Writer::another_device(&c.carol.kindred), |tx| {
        let copy = tx.put_object(ROOT, id.to_hex(), automerge::ObjType::Map).unwrap();
        tx.put(&copy, "removed", true).unwrap();
    });
    assert!(c.alice.kindred.import_bundle(&forge::seal(bundle, &c.carol.kindred)).is_err());
    assert_eq!(shown(&c.alice, &c.group, &id).0, "still here");
}

#[test]
fn a_moderators_erasure_racing_their_demotion_is_decided_the_same_on_every_phone() {
    let c = circle();
    let id = post(&c.bob, &c.group, "a plain message");
    sync_all(&c.all());
    // Offline from each other: Mo erases Bob's message while Alice demotes Mo.
    c.mo.kindred.erase_message_for(&c.group, &id, "I did not like it").unwrap();
    c.alice.kindred.add_member(&c.group, &c.mo.id(), "mo", Role::Member).unwrap();
    let from_mo = group_document_only(&c.mo, &c.group);
    let from_alice = group_document_only(&c.alice, &c.group);
    // Carol and Bob hear of them in opposite orders; Bob, the author, first of the erasure.
    c.carol.kindred.import_bundle(&from_alice).unwrap();
    c.carol.kindred.import_bundle(&from_mo).unwrap();
    c.bob.kindred.import_bundle(&from_mo).unwrap();
    assert!(shown(&c.bob, &c.group, &id).1, "before the demotion arrives, the erasure holds");
    c.bob.kindred.import_bundle(&from_alice).unwrap();
    sync_all(&c.all());
    sync_all(&c.all());
    // Strong demotion: the erasure has no effect anywhere, and the words come back from a phone that kept them.
    for phone in c.all() {
        assert_eq!(shown(phone, &c.group, &id), ("a plain message".to_owned(), false, false), "{}", phone.name);
    }
    let log = c.alice.kindred.moderation_log(&c.group, 10).unwrap();
    assert!(log.iter().all(|e| e.kind != ModerationKind::Erase), "an entry without effect is not in the log");
}

#[test]
fn a_member_who_leaves_with_erasure_takes_every_word_they_wrote_with_them() {
    let c = circle();
    let marker = unique("LEAVING");
    let first = post(&c.bob, &c.group, &format!("{marker} one"));
    let second = post(&c.bob, &c.group, &format!("{marker} two"));
    sync(&c.bob, &c.carol);
    let reply = c
        .carol
        .kindred
        .post(&c.group, NewMessage { text: "sorry to hear".into(), reply_to: Some(first), ..Default::default() })
        .unwrap()
        .id;
    sync_all(&c.all());
    // The owner cannot leave; a plain member can.
    assert!(matches!(
        c.alice.kindred.leave_group(&c.group, false).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    let details = c.bob.kindred.leave_group(&c.group, true).unwrap();
    assert!(!details.members.iter().any(|m| m.member_id == c.bob.id()), "{details:?}");
    assert!(
        matches!(post_result(&c.bob, &c.group).as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))),
        "no posting after leaving"
    );
    sync(&c.bob, &c.carol);
    sync_all(&c.all());
    for phone in c.all() {
        for id in [first, second] {
            assert_eq!(shown(phone, &c.group, &id), (String::new(), true, false), "{}", phone.name);
        }
        assert_eq!(shown(phone, &c.group, &reply).0, "sorry to hear", "{}: replies stay", phone.name);
        assert!(leftovers(phone, &marker).is_empty(), "{}", phone.name);
        assert!(!phone.kindred.group(&c.group).unwrap().members.iter().any(|m| m.member_id == c.bob.id()));
    }
    // What Bob's modified app writes after leaving counts nowhere.
    let mut bundle = forge::unseal(&c.alice.kindred.export_bundle(&c.group).unwrap());
    let late = MessageId::from_bytes(rand::random());
    let mut body = Vec::new();
    forge::forge(forge::segment_of(&mut bundle, &c.bob.id()), &Writer::another_device(&c.bob.kindred), |tx| {
        body = forge::write_message(tx, &late, 1_800_000_000_000, "back again");
    });
    bundle.bodies.push(body);
    let _ = c.carol.kindred.import_bundle(&forge::seal(bundle, &c.bob.kindred));
    assert!(matches!(
        c.carol.kindred.message(&c.group, &late).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
}

fn post_result(phone: &Phone, group: &GroupId) -> kindred_core::Result<MessageId> {
    phone.kindred.post(group, NewMessage { text: "after leaving".into(), ..Default::default() }).map(|m| m.id)
}

/// Random posts, edits, author and moderator erasures and syncs among four phones, in a few seeded runs (set
/// `KINDRED_ERASURE_CASES` for more): afterwards no erased or edited-away words are anywhere in any phone's files,
/// and every phone shows the same messages and placeholders.
#[test]
fn random_posts_edits_erasures_and_syncs_leave_no_erased_words_and_agree() {
    use rand::{RngExt, SeedableRng};
    let cases: u64 = std::env::var("KINDRED_ERASURE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    for case in 0..cases {
        let mut rng = rand::rngs::StdRng::seed_from_u64(case);
        let c = circle();
        let phones = c.all();
        // (author index, id, current marker)
        let mut live: Vec<(usize, MessageId, String)> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        for _ in 0..40 {
            match rng.random_range(0..6) {
                0 | 1 => {
                    let who = rng.random_range(0..4);
                    let marker = unique("WORD");
                    let id = post(phones[who], &c.group, &format!("{marker} said"));
                    live.push((who, id, marker));
                }
                2 if !live.is_empty() => {
                    let i = rng.random_range(0..live.len());
                    let (who, id, old) = live[i].clone();
                    let marker = unique("EDIT");
                    phones[who].kindred.edit_message(&c.group, &id, &format!("{marker} said")).unwrap();
                    gone.push(old);
                    live[i].2 = marker;
                }
                3 if !live.is_empty() => {
                    let (who, id, marker) = live.swap_remove(rng.random_range(0..live.len()));
                    phones[who].kindred.erase_message(&c.group, &id).unwrap();
                    gone.push(marker);
                }
                4 if !live.is_empty() => {
                    // Mo erases a plain member's message, if Mo's phone holds it.
                    let i = rng.random_range(0..live.len());
                    let (who, id, _) = &live[i];
                    if *who >= 2 && c.mo.kindred.erase_message_for(&c.group, id, "random erasure").is_ok() {
                        gone.push(live.swap_remove(i).2);
                    }
                }
                _ => {
                    let (a, b) = (rng.random_range(0..4), rng.random_range(0..4));
                    if a != b {
                        sync(phones[a], phones[b]);
                    }
                }
            }
        }
        sync_all(&phones);
        let reference = c.alice.view(&c.group);
        for phone in phones {
            assert_eq!(phone.view(&c.group), reference, "case {case}: {} differs from alice", phone.name);
            for marker in &gone {
                assert!(leftovers(phone, marker).is_empty(), "case {case}: {} still holds {marker}", phone.name);
            }
        }
        for (_, id, marker) in &live {
            let m = c.carol.kindred.message(&c.group, id).unwrap();
            assert_eq!(m.text, format!("{marker} said"), "case {case}: a live message lost its words");
        }
    }
}

#[test]
fn bodies_go_to_members_who_ask_in_turn_and_nobody_pushes_words_onto_a_phone() {
    use kindred_core::sync::wire::Message;
    let c = circle();
    let id = post(&c.bob, &c.group, "for members only");
    sync_all(&c.all());
    let tag: [u8; 8] = id.as_bytes()[..8].try_into().unwrap();
    let ask = Message::WantBodies { group: *c.group.as_bytes(), tags: vec![tag] };
    // A stranger, and a member out of the protocol's turn, are refused; nothing is answered.
    let eve = Phone::new("eve");
    for (who, from) in [("a stranger", &eve), ("a member out of turn", &c.carol)] {
        let result = send_raw(from, &c.bob, &ask);
        assert!(matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. })), "{who}: {result:?}");
    }
    // Bodies nobody asked for are refused, and a phone never keeps words no message of its names.
    let (_, stray) = kindred_core::testing::body_for("pushed words", None).unwrap();
    let push = Message::Bodies { group: *c.group.as_bytes(), bodies: vec![stray] };
    assert!(matches!(send_raw(&c.carol, &c.bob, &push).as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. })));
    let mut bundle = forge::unseal(&c.carol.kindred.export_bundle(&c.group).unwrap());
    let (_, stray) = kindred_core::testing::body_for("pushed words in a bundle", None).unwrap();
    bundle.bodies.push(stray);
    c.bob.kindred.import_bundle(&forge::seal(bundle, &c.carol.kindred)).unwrap();
    assert!(leftovers(&c.bob, "pushed words").is_empty());
}

#[test]
fn a_hand_made_leave_by_the_owner_or_of_someone_else_is_refused() {
    let c = circle();
    // The owner's modified app writes her own removal (a leave): refused at the door.
    let mut bundle = forge::unseal(&c.alice.kindred.export_bundle(&c.group).unwrap());
    let owner = c.alice.id().to_hex();
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&c.alice.kindred), |tx| {
        let me = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &owner);
        tx.put(&me, "status", "removed").unwrap();
    });
    assert_refused(
        &c.carol,
        &c.group,
        &forge::seal(bundle, &c.alice.kindred),
        Refusal::NotPermitted,
        "the owner leaving",
    );
    // A plain member "leaving" on someone else's behalf: refused too.
    let mut bundle = forge::unseal(&c.bob.kindred.export_bundle(&c.group).unwrap());
    let carol = c.carol.id().to_hex();
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&c.bob.kindred), |tx| {
        let them = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &carol);
        tx.put(&them, "status", "removed").unwrap();
    });
    assert_refused(
        &c.alice,
        &c.group,
        &forge::seal(bundle, &c.bob.kindred),
        Refusal::NotPermitted,
        "bob removing carol",
    );
    for phone in c.all() {
        assert_eq!(phone.kindred.group(&c.group).unwrap().members.len(), 4, "{}", phone.name);
    }
}
