//! Moderation: a moderator hides and restores a member's message by signed entries of the group's moderation log;
//! every phone shows the same, in any delivery order; the author and the moderators still see the words and why,
//! everyone else a hidden message; a moderator demoted concurrently loses the hide on every phone; hand-made entries
//! (by a plain member, against the owner, signed as someone else, rewriting or erasing the log) are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue};
use kindred_core::{Error, ErrorKind, GroupId, MessageId, ModerationKind, NewMessage, Refusal, Role};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

fn post(phone: &Phone, group: &GroupId, text: &str) -> MessageId {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).unwrap().id
}

/// (text, hidden) of a message as `phone` shows it.
fn seen(phone: &Phone, group: &GroupId, id: &MessageId) -> (String, bool) {
    let m = phone.kindred.message(group, id).unwrap();
    (m.text, m.moderation.is_some())
}

struct Circle {
    alice: Phone,
    mo: Phone,
    bob: Phone,
    carol: Phone,
    group: GroupId,
}

/// Alice owns the group, Mo moderates it, Bob and Carol are members.
fn circle() -> Circle {
    let (alice, mo, bob, carol) = (Phone::new("alice"), Phone::new("mo"), Phone::new("bob"), Phone::new("carol"));
    let group = group_with(&alice, "Circle", &[&mo, &bob, &carol]).id;
    alice.kindred.add_member(&group, &mo.id(), "mo", Role::Moderator).unwrap();
    sync_all(&[&alice, &mo, &bob, &carol]);
    Circle { alice, mo, bob, carol, group }
}

#[test]
fn a_hidden_message_shows_hidden_to_the_group_and_with_its_words_and_why_to_its_author_and_the_moderators() {
    let c = circle();
    let all = [&c.alice, &c.mo, &c.bob, &c.carol];
    let hostile = post(&c.bob, &c.group, "you are all pathetic");
    sync_all(&all);

    let entry = c.mo.kindred.hide_message(&c.group, &hostile, "hostile to the group").unwrap();
    assert_eq!((entry.kind, entry.by, entry.member), (ModerationKind::Hide, c.mo.id(), c.bob.id()));
    sync_all(&all);
    assert_eq!(seen(&c.carol, &c.group, &hostile), (String::new(), true), "hidden from the group");
    assert_eq!(c.carol.kindred.message(&c.group, &hostile).unwrap().moderation.unwrap().why, None);
    for phone in [&c.bob, &c.mo, &c.alice] {
        let m = phone.kindred.message(&c.group, &hostile).unwrap();
        assert_eq!(m.text, "you are all pathetic", "{} sees the words", phone.name);
        assert_eq!(m.moderation.unwrap().why.as_deref(), Some("hostile to the group"));
    }
    let help = c.bob.kindred.hidden_message_help(&c.group, &hostile).unwrap();
    assert!(help.explanation.contains("not a judgement"));
    assert_eq!(help.why, "hostile to the group");
    assert!(matches!(
        c.carol.kindred.hidden_message_help(&c.group, &hostile).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));

    // Only moderators read the log, newest first; plain members may not moderate.
    assert!(matches!(
        c.carol.kindred.moderation_log(&c.group, 50).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.carol.kindred.hide_message(&c.group, &hostile, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    let owners = post(&c.alice, &c.group, "welcome");
    sync(&c.alice, &c.mo);
    assert!(
        matches!(
            c.mo.kindred.hide_message(&c.group, &owners, "x").as_ref().map_err(Error::kind),
            Err(ErrorKind::NotPermitted(_))
        ),
        "not the owner's"
    );
    assert!(matches!(
        c.mo.kindred.hide_message(&c.group, &hostile, "again").as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));

    // Restored: everyone sees it again; the log keeps both entries.
    c.alice.kindred.restore_message(&c.group, &hostile, "talked it through").unwrap();
    sync_all(&all);
    for phone in all {
        assert_eq!(seen(phone, &c.group, &hostile), ("you are all pathetic".to_owned(), false), "{}", phone.name);
    }
    let log = c.mo.kindred.moderation_log(&c.group, 50).unwrap();
    let kinds: Vec<_> = log.iter().map(|e| (e.kind, e.by_name.as_str(), e.why.as_str())).collect();
    assert_eq!(
        kinds,
        [(ModerationKind::Restore, "alice", "talked it through"), (ModerationKind::Hide, "mo", "hostile to the group")]
    );
}

#[test]
fn a_moderator_demoted_concurrently_loses_the_hide_on_every_phone_in_any_order() {
    let c = circle();
    let all = [&c.alice, &c.mo, &c.bob, &c.carol];
    let message = post(&c.bob, &c.group, "a plain message");
    sync_all(&all);
    // An earlier hide and restore, so the log exists before (the demotion must void the entry itself).
    c.mo.kindred.hide_message(&c.group, &message, "checking").unwrap();
    c.mo.kindred.restore_message(&c.group, &message, "fine").unwrap();
    sync_all(&all);
    // Offline from each other: Mo hides Bob's message while Alice demotes Mo.
    c.mo.kindred.hide_message(&c.group, &message, "I did not like it").unwrap();
    c.alice.kindred.add_member(&c.group, &c.mo.id(), "mo", Role::Member).unwrap();
    let from_mo = c.mo.kindred.export_bundle(&c.group).unwrap();
    let from_alice = c.alice.kindred.export_bundle(&c.group).unwrap();
    c.carol.kindred.import_bundle(&from_mo).unwrap();
    assert!(seen(&c.carol, &c.group, &message).1, "before the demotion arrives, the hide holds");
    c.carol.kindred.import_bundle(&from_alice).unwrap();
    c.bob.kindred.import_bundle(&from_alice).unwrap();
    c.bob.kindred.import_bundle(&from_mo).unwrap();
    sync_all(&all);
    for phone in all {
        assert_eq!(seen(phone, &c.group, &message), ("a plain message".to_owned(), false), "{}", phone.name);
    }
    let log = c.alice.kindred.moderation_log(&c.group, 50).unwrap();
    assert_eq!(log.len(), 2, "an entry without effect is not in the log");
}

/// A bundle of `writer`'s group document with one hand-made change to its moderation log.
fn forged(writer: &Phone, group: &GroupId, edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) -> Vec<u8> {
    let mut bundle = forge::unseal(&writer.kindred.export_bundle(group).unwrap());
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&writer.kindred), edit);
    forge::seal(bundle, &writer.kindred)
}

/// Writes a whole entry into the log (made if missing).
fn entry(
    tx: &mut automerge::transaction::Transaction<'_>,
    key: &str,
    by: &Phone,
    kind: &str,
    message: &MessageId,
    member: &Phone,
) {
    let log = match tx.get(&ROOT, "modlog").unwrap() {
        Some((_, id)) => id,
        None => tx.put_object(&ROOT, "modlog", ObjType::Map).unwrap(),
    };
    let e = tx.put_object(&log, key, ObjType::Map).unwrap();
    tx.put(&e, "by", ScalarValue::Bytes(by.id().as_bytes().to_vec())).unwrap();
    tx.put(&e, "at", ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
    tx.put(&e, "kind", kind).unwrap();
    tx.put(&e, "message", ScalarValue::Bytes(message.as_bytes().to_vec())).unwrap();
    tx.put(&e, "member", ScalarValue::Bytes(member.id().as_bytes().to_vec())).unwrap();
    tx.put(&e, "why", "because").unwrap();
}

#[test]
fn hand_made_moderation_entries_are_refused_at_the_door() {
    let c = circle();
    let all = [&c.alice, &c.mo, &c.bob, &c.carol];
    let carols = post(&c.carol, &c.group, "carol's words");
    let owners = post(&c.alice, &c.group, "alice's words");
    sync_all(&all);
    let key = "ab".repeat(16);
    let cases = [
        (forged(&c.bob, &c.group, |tx| entry(tx, &key, &c.bob, "hide", &carols, &c.carol)), "a plain member hiding"),
        (
            forged(&c.mo, &c.group, |tx| entry(tx, &key, &c.mo, "hide", &owners, &c.alice)),
            "a moderator hiding the owner's",
        ),
        (
            forged(&c.mo, &c.group, |tx| entry(tx, &key, &c.alice, "hide", &carols, &c.carol)),
            "an entry signed as the owner",
        ),
        (
            forged(&c.mo, &c.group, |tx| {
                entry(tx, &key, &c.mo, "hide", &carols, &c.carol);
                let log = forge::obj(tx, &ROOT, "modlog");
                let e = forge::obj(tx, &log, &key);
                tx.delete(&e, "why").unwrap();
            }),
            "an entry without its reason",
        ),
    ];
    for (file, what) in cases {
        assert_refused(&c.carol, &c.group, &file, Refusal::NotPermitted, what);
    }

    // A real entry, then rewriting it and erasing it by hand: refused.
    c.mo.kindred.hide_message(&c.group, &carols, "off topic").unwrap();
    sync_all(&all);
    let id = c.mo.kindred.moderation_log(&c.group, 1).unwrap()[0].id.to_hex();
    let rewrite = forged(&c.mo, &c.group, |tx| {
        let log = forge::obj(tx, &ROOT, "modlog");
        let e = forge::obj(tx, &log, &id);
        tx.put(&e, "why", "something else").unwrap();
    });
    assert_refused(&c.carol, &c.group, &rewrite, Refusal::NotPermitted, "a rewritten log entry");
    let erase = forged(&c.alice, &c.group, |tx| {
        let log = forge::obj(tx, &ROOT, "modlog");
        tx.delete(&log, id.as_str()).unwrap();
    });
    assert_refused(&c.carol, &c.group, &erase, Refusal::NotPermitted, "an erased log entry");
    assert!(seen(&c.carol, &c.group, &carols).1);
}

#[test]
fn removing_and_taking_back_a_member_are_logged_with_the_reason_in_the_same_change() {
    let c = circle();
    let removal =
        c.mo.kindred.remove_member_for(&c.group, &c.carol.id(), "repeated hostility after a warning").unwrap();
    assert_eq!((removal.kind, removal.member, removal.message_id), (ModerationKind::Remove, c.carol.id(), None));
    sync_all(&[&c.alice, &c.mo, &c.bob]);
    let removed = |p: &Phone| p.kindred.group(&c.group).unwrap().members.iter().all(|m| m.member_id != c.carol.id());
    assert!(removed(&c.bob) && removed(&c.alice));
    assert!(matches!(
        c.mo.kindred.remove_member_for(&c.group, &c.alice.id(), "no").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.bob.kindred.readd_member(&c.group, &c.carol.id(), "no").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));

    let back = c.mo.kindred.readd_member(&c.group, &c.carol.id(), "talked it through").unwrap();
    assert_eq!(back.kind, ModerationKind::Readd);
    sync_all(&[&c.alice, &c.mo, &c.bob]);
    sync(&c.mo, &c.carol);
    assert!(!removed(&c.bob));
    let kinds: Vec<_> = c.alice.kindred.moderation_log(&c.group, 10).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [ModerationKind::Readd, ModerationKind::Remove]);

    // By hand: a removal entry without the removal, and a hide entry that names no message: refused.
    let key = "cd".repeat(16);
    let without_removal = forged(&c.mo, &c.group, |tx| {
        entry(tx, &key, &c.mo, "remove", &MessageId::from_bytes([0; 16]), &c.bob);
        let log = forge::obj(tx, &ROOT, "modlog");
        let e = forge::obj(tx, &log, &key);
        tx.delete(&e, "message").unwrap();
    });
    assert_refused(&c.bob, &c.group, &without_removal, Refusal::NotPermitted, "a removal entry without the removal");
    let no_message = forged(&c.mo, &c.group, |tx| {
        entry(tx, &key, &c.mo, "hide", &MessageId::from_bytes([0; 16]), &c.bob);
        let log = forge::obj(tx, &ROOT, "modlog");
        let e = forge::obj(tx, &log, &key);
        tx.delete(&e, "message").unwrap();
    });
    assert_refused(&c.bob, &c.group, &no_message, Refusal::NotPermitted, "a hide entry naming no message");
}
