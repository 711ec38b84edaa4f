//! Group rules, suspensions and premoderation: which posts count, decided by signed moderation log entries and the
//! members' own signed acknowledgments, the same on every phone in any delivery order. Hand-made posts (before
//! accepting the rules, during a suspension with old dependencies) never show anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ScalarValue};
use kindred_core::{Error, ErrorKind, GroupId, MessageId, ModerationKind, NewGroup, NewMessage, Premoderation, Role};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::{Phone, exchange};

fn post(phone: &Phone, group: &GroupId, text: &str) -> kindred_core::Result<MessageId> {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).map(|m| m.id)
}

/// The texts of the group's timeline as `phone` shows it.
fn timeline(phone: &Phone, group: &GroupId) -> Vec<String> {
    phone.kindred.messages(group, 100, None).unwrap().into_iter().map(|m| m.text).collect()
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

/// Alice owns a group with rules, Mo moderates it, Bob and Carol are members (who have not accepted the rules).
fn circle(rules: &str) -> Circle {
    let (alice, mo, bob, carol) = (Phone::new("alice"), Phone::new("mo"), Phone::new("bob"), Phone::new("carol"));
    let group = alice
        .kindred
        .create_group(NewGroup { name: "Circle".into(), guidelines: rules.into(), ..Default::default() })
        .unwrap()
        .id;
    alice.kindred.add_member(&group, &mo.id(), "mo", Role::Moderator).unwrap();
    for p in [&bob, &carol] {
        alice.kindred.add_member(&group, &p.id(), p.name, Role::Member).unwrap();
    }
    for p in [&mo, &bob, &carol] {
        exchange(&alice, p, &group);
    }
    Circle { alice, mo, bob, carol, group }
}

/// A bundle from `writer` with one hand-made post in their own first segment, signed by them correctly from another
/// of their devices (so their phone's own later posts do not collide with it), acknowledging nothing: it rests on
/// what their segment held when it was made.
fn forged_post(writer: &Phone, group: &GroupId, text: &str) -> (Vec<u8>, MessageId) {
    let mut bytes = [0u8; 16];
    bytes[..text.len().min(16)].copy_from_slice(&text.as_bytes()[..text.len().min(16)]);
    let id = MessageId::from_bytes(bytes);
    let mut bundle = forge::unseal(&writer.kindred.export_bundle(group).unwrap());
    let mut body = Vec::new();
    forge::forge(forge::segment_of(&mut bundle, &writer.id()), &Writer::another_device(&writer.kindred), |tx| {
        body = forge::write_message(tx, &id, 1_800_000_000_000, text);
    });
    bundle.bodies.push(body);
    (forge::seal(bundle, &writer.kindred), id)
}

#[test]
fn members_accept_the_rules_before_posting_and_again_after_a_new_version() {
    let c = circle("Be kind. What is said here stays here.");
    let rules = c.bob.kindred.rules(&c.group).unwrap();
    assert_eq!(rules.text, "Be kind. What is said here stays here.");
    assert!(!rules.accepted);
    assert!(c.alice.kindred.rules(&c.group).unwrap().accepted, "setting them accepts them");
    assert!(c.bob.kindred.posting_status(&c.group).unwrap().must_accept_rules);
    assert!(matches!(post(&c.bob, &c.group, "hello").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));

    post(&c.alice, &c.group, "welcome").unwrap();
    assert!(c.bob.kindred.accept_rules(&c.group).unwrap().accepted);
    post(&c.bob, &c.group, "hello").unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["welcome", "hello"], "{}", p.name);
    }

    // A new version asks again; what was posted before stays.
    let v2 = c.mo.kindred.set_rules(&c.group, "Be kind. No advice on medication doses.").unwrap();
    assert!(v2.accepted);
    sync_all(&c.all());
    assert!(!c.bob.kindred.rules(&c.group).unwrap().accepted);
    assert!(matches!(post(&c.bob, &c.group, "again").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
    c.bob.kindred.accept_rules(&c.group).unwrap();
    post(&c.bob, &c.group, "again").unwrap();
    post(&c.mo, &c.group, "thanks").unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["welcome", "hello", "again", "thanks"], "{}", p.name);
    }
    let kinds: Vec<_> = c.alice.kindred.moderation_log(&c.group, 10).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [ModerationKind::Rules, ModerationKind::Rules]);

    // Clearing the rules asks nothing; plain members may not set them.
    assert!(matches!(
        c.carol.kindred.set_rules(&c.group, "anything goes").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    c.alice.kindred.set_rules(&c.group, "").unwrap();
    sync(&c.alice, &c.carol);
    post(&c.carol, &c.group, "no rules now").unwrap();
}

#[test]
fn a_group_without_rules_asks_nothing() {
    let (alice, bob) = (Phone::new("alice"), Phone::new("bob"));
    let group = kindred_scenarios::group_with(&alice, "Plain", &[&bob]).id;
    assert!(bob.kindred.rules(&group).unwrap().version.is_none());
    post(&bob, &group, "hi").unwrap();
    sync(&bob, &alice);
    assert_eq!(timeline(&alice, &group), ["hi"]);
}

#[test]
fn a_hand_made_post_before_accepting_the_rules_shows_nowhere() {
    let c = circle("Be kind.");
    c.bob.kindred.accept_rules(&c.group).unwrap();
    post(&c.bob, &c.group, "accepted, so shown").unwrap();
    sync_all(&c.all());
    // A new version; Bob's modified app posts without accepting it.
    c.alice.kindred.set_rules(&c.group, "Be kind. No selling.").unwrap();
    sync(&c.alice, &c.bob);
    let (file, id) = forged_post(&c.bob, &c.group, "buy my pills");
    c.carol.kindred.import_bundle(&file).unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["accepted, so shown"], "{}", p.name);
        assert!(
            matches!(p.kindred.message(&c.group, &id).as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })),
            "{}",
            p.name
        );
    }
}

#[test]
fn a_suspension_holds_on_every_phone_until_lifted_and_what_was_written_during_it_never_counts() {
    let c = circle("");
    post(&c.bob, &c.group, "before").unwrap();
    sync_all(&c.all());

    // Offline from each other: Mo suspends Bob while Bob goes on posting.
    let suspension = c.mo.kindred.suspend_member(&c.group, &c.bob.id(), None, "hostile to others").unwrap();
    assert_eq!((suspension.kind, suspension.member, suspension.until), (ModerationKind::Suspend, c.bob.id(), None));
    post(&c.bob, &c.group, "during, unaware").unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["before"], "{}", p.name);
    }
    let status = c.bob.kindred.posting_status(&c.group).unwrap();
    assert!(status.suspended && !status.may_post);
    assert!(matches!(post(&c.bob, &c.group, "let me").as_ref().map_err(Error::kind), Err(ErrorKind::NotPermitted(_))));
    assert!(matches!(
        c.carol.kindred.suspend_member(&c.group, &c.bob.id(), None, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.mo.kindred.suspend_member(&c.group, &c.alice.id(), None, "x").as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));

    // Bob's modified app posts with his old dependencies: nowhere. Another such post is held back, to be sent
    // after the lifting.
    let (file, _) = forged_post(&c.bob, &c.group, "you cannot stop me");
    c.carol.kindred.import_bundle(&file).unwrap();
    let (held_back, _) = forged_post(&c.bob, &c.group, "told you");

    c.mo.kindred.lift_suspension(&c.group, &c.bob.id(), "talked it through").unwrap();
    sync_all(&c.all());
    post(&c.bob, &c.group, "sorry, everyone").unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["before", "sorry, everyone"], "{}", p.name);
    }
    // The post written during the suspension reaches a phone after the lifting: still nothing.
    c.alice.kindred.import_bundle(&held_back).unwrap();
    sync_all(&c.all());
    assert_eq!(timeline(&c.alice, &c.group), ["before", "sorry, everyone"]);
    let kinds: Vec<_> = c.alice.kindred.moderation_log(&c.group, 10).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [ModerationKind::Lift, ModerationKind::Suspend]);
}

#[test]
fn a_suspension_by_a_moderator_demoted_concurrently_has_no_effect_in_any_order() {
    let c = circle("");
    post(&c.bob, &c.group, "one").unwrap();
    sync_all(&c.all());
    c.mo.kindred.suspend_member(&c.group, &c.bob.id(), Some(3), "I disagree").unwrap();
    c.alice.kindred.add_member(&c.group, &c.mo.id(), "mo", Role::Member).unwrap();
    let from_mo = c.mo.kindred.export_bundle(&c.group).unwrap();
    let from_alice = c.alice.kindred.export_bundle(&c.group).unwrap();
    c.carol.kindred.import_bundle(&from_mo).unwrap();
    c.carol.kindred.import_bundle(&from_alice).unwrap();
    c.bob.kindred.import_bundle(&from_alice).unwrap();
    c.bob.kindred.import_bundle(&from_mo).unwrap();
    assert!(!c.bob.kindred.posting_status(&c.group).unwrap().suspended);
    post(&c.bob, &c.group, "two").unwrap();
    sync_all(&c.all());
    for p in c.all() {
        assert_eq!(timeline(p, &c.group), ["one", "two"], "{}", p.name);
    }
}

#[test]
fn a_suspension_for_a_period_is_lifted_by_a_moderators_phone_not_the_members() {
    let c = circle("");
    let entry = c.mo.kindred.suspend_member(&c.group, &c.bob.id(), Some(2), "cool off").unwrap();
    let until = entry.until.unwrap();
    assert!(until > entry.at + 2 * 86_400_000 - 1000 && until <= entry.at + 2 * 86_400_000);
    sync_all(&c.all());
    assert_eq!(c.bob.kindred.posting_status(&c.group).unwrap().suspended_until, Some(until));
    // Nobody's clock has passed the end yet: maintenance lifts nothing.
    c.mo.kindred.maintain().unwrap();
    c.bob.kindred.maintain().unwrap();
    assert_eq!(c.mo.kindred.lift_due_suspensions().unwrap(), 0);
    sync_all(&c.all());
    assert!(c.bob.kindred.posting_status(&c.group).unwrap().suspended);
}

#[test]
fn premoderated_posts_wait_for_approval_unseen_by_ordinary_members() {
    let c = circle("");
    c.alice.kindred.set_premoderation(&c.group, Premoderation::UntilApproved { posts: 1 }).unwrap();
    assert_eq!(c.alice.kindred.premoderation(&c.group).unwrap(), Premoderation::UntilApproved { posts: 1 });
    // Dave joins afterwards: a newcomer. Bob was there before: not premoderated.
    let dave = Phone::new("dave");
    c.alice.kindred.add_member(&c.group, &dave.id(), "dave", Role::Member).unwrap();
    exchange(&c.alice, &dave, &c.group);
    sync_all(&[&c.alice, &c.mo, &c.bob, &c.carol, &dave]);
    assert!(dave.kindred.posting_status(&c.group).unwrap().premoderated);
    assert!(!c.bob.kindred.posting_status(&c.group).unwrap().premoderated);

    let first = post(&dave, &c.group, "hi, I am new").unwrap();
    post(&c.bob, &c.group, "bob here").unwrap();
    let everyone = [&c.alice, &c.mo, &c.bob, &c.carol, &dave];
    sync_all(&everyone);
    assert!(dave.kindred.message(&c.group, &first).unwrap().awaiting_approval);
    assert_eq!(timeline(&dave, &c.group), ["hi, I am new", "bob here"]);
    assert_eq!(timeline(&c.mo, &c.group), ["hi, I am new", "bob here"], "moderators see it, to approve it");
    assert_eq!(timeline(&c.carol, &c.group), ["bob here"]);
    assert!(matches!(
        c.carol.kindred.message(&c.group, &first).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(matches!(
        c.carol.kindred.approve_message(&c.group, &first).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));

    let approval = c.mo.kindred.approve_message(&c.group, &first).unwrap();
    assert_eq!((approval.kind, approval.member), (ModerationKind::Approve, dave.id()));
    sync_all(&everyone);
    assert_eq!(timeline(&c.carol, &c.group), ["hi, I am new", "bob here"]);
    // One approved post was asked for: Dave's next post is shown at once, on every phone.
    assert!(!dave.kindred.posting_status(&c.group).unwrap().premoderated);
    post(&dave, &c.group, "thank you").unwrap();
    sync_all(&everyone);
    for p in everyone {
        assert_eq!(timeline(p, &c.group), ["hi, I am new", "bob here", "thank you"], "{}", p.name);
    }
}

#[test]
fn always_premoderated_newcomers_wait_every_time_and_turning_it_off_shows_what_waited() {
    let c = circle("");
    c.mo.kindred.set_premoderation(&c.group, Premoderation::Always).unwrap();
    let dave = Phone::new("dave");
    c.alice.kindred.add_member(&c.group, &dave.id(), "dave", Role::Member).unwrap();
    exchange(&c.alice, &dave, &c.group);
    let first = post(&dave, &c.group, "one").unwrap();
    sync_all(&[&c.alice, &c.mo, &dave, &c.carol]);
    c.mo.kindred.approve_message(&c.group, &first).unwrap();
    post(&dave, &c.group, "two").unwrap();
    sync_all(&[&c.alice, &c.mo, &dave, &c.carol]);
    assert_eq!(timeline(&c.carol, &c.group), ["one"]);
    c.alice.kindred.set_premoderation(&c.group, Premoderation::Off).unwrap();
    sync_all(&[&c.alice, &c.mo, &dave, &c.carol]);
    assert_eq!(timeline(&c.carol, &c.group), ["one", "two"]);
}

/// A bundle of `writer`'s group document with one hand-made entry of the moderation log: `kind`, by `by` (signed
/// by `writer`'s key, correctly), naming `member`, with the extra fields `fill` writes.
fn forged_entry(
    writer: &Phone,
    group: &GroupId,
    by: &Phone,
    kind: &str,
    member: &Phone,
    fill: impl FnOnce(&mut automerge::transaction::Transaction<'_>, &automerge::ObjId),
) -> Vec<u8> {
    let mut bundle = forge::unseal(&writer.kindred.export_bundle(group).unwrap());
    forge::forge(forge::group_document(&mut bundle), &Writer::of(&writer.kindred), |tx| {
        let log = match automerge::ReadDoc::get(tx, &ROOT, "modlog").unwrap() {
            Some((_, id)) => id,
            None => tx.put_object(&ROOT, "modlog", ObjType::Map).unwrap(),
        };
        let e = tx.put_object(&log, "ef".repeat(16), ObjType::Map).unwrap();
        tx.put(&e, "by", ScalarValue::Bytes(by.id().as_bytes().to_vec())).unwrap();
        tx.put(&e, "at", ScalarValue::Timestamp(1_800_000_000_000)).unwrap();
        tx.put(&e, "kind", kind).unwrap();
        tx.put(&e, "member", ScalarValue::Bytes(member.id().as_bytes().to_vec())).unwrap();
        tx.put(&e, "why", "because").unwrap();
        fill(tx, &e);
    });
    forge::seal(bundle, &writer.kindred)
}

fn empty_cutoff(tx: &mut automerge::transaction::Transaction<'_>, e: &automerge::ObjId) {
    // An empty postcard `Cutoff`: no entries.
    tx.put(e, "cutoff", ScalarValue::Bytes(vec![0])).unwrap();
}

#[test]
fn hand_made_suspensions_lifts_rules_settings_and_warnings_without_the_right_are_refused() {
    use kindred_core::Refusal;
    use kindred_scenarios::assert_refused;
    let c = circle("Be kind.");
    let suspension = c.mo.kindred.suspend_member(&c.group, &c.carol.id(), None, "a pause").unwrap();
    sync_all(&c.all());
    let cases = [
        (forged_entry(&c.bob, &c.group, &c.bob, "suspend", &c.carol, empty_cutoff), "a plain member suspending"),
        (forged_entry(&c.mo, &c.group, &c.mo, "suspend", &c.alice, empty_cutoff), "a moderator suspending the owner"),
        (forged_entry(&c.mo, &c.group, &c.alice, "suspend", &c.bob, empty_cutoff), "a suspension signed as the owner"),
        (forged_entry(&c.mo, &c.group, &c.mo, "suspend", &c.bob, |_, _| {}), "a suspension without its cutoff"),
        (
            forged_entry(&c.bob, &c.group, &c.bob, "lift", &c.carol, |tx, e| {
                tx.put(e, "of", ScalarValue::Bytes(suspension.id.as_bytes().to_vec())).unwrap();
            }),
            "a suspended member's friend lifting it",
        ),
        (
            forged_entry(&c.mo, &c.group, &c.mo, "lift", &c.bob, |tx, e| {
                tx.put(e, "of", ScalarValue::Bytes(suspension.id.as_bytes().to_vec())).unwrap();
            }),
            "a lift naming another member's suspension",
        ),
        (
            forged_entry(&c.bob, &c.group, &c.bob, "rules", &c.bob, |tx, e| {
                tx.put(e, "text", "anything goes").unwrap();
                empty_cutoff(tx, e);
            }),
            "a plain member setting the rules",
        ),
        (
            forged_entry(&c.mo, &c.group, &c.mo, "rules", &c.bob, |tx, e| {
                tx.put(e, "text", "anything goes").unwrap();
                empty_cutoff(tx, e);
            }),
            "rules that name someone else",
        ),
        (
            forged_entry(&c.carol, &c.group, &c.carol, "policy", &c.carol, |tx, e| {
                tx.put(e, "premod", ScalarValue::Int(-1)).unwrap();
                tx.put(e, "exempt", ScalarValue::Bytes(vec![])).unwrap();
                empty_cutoff(tx, e);
            }),
            "a plain member turning premoderation off",
        ),
        (forged_entry(&c.bob, &c.group, &c.bob, "warn", &c.carol, |_, _| {}), "a plain member warning"),
        (
            forged_entry(&c.bob, &c.group, &c.bob, "approve", &c.carol, |tx, e| {
                tx.put(e, "message", ScalarValue::Bytes(vec![1; 16])).unwrap();
            }),
            "a plain member approving",
        ),
    ];
    for (file, what) in cases {
        assert_refused(&c.alice, &c.group, &file, Refusal::NotPermitted, what);
    }
    assert!(c.carol.kindred.posting_status(&c.group).unwrap().suspended, "the real suspension holds");
}
