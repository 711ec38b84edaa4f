//! The trust rules against a hostile member: admission needs the invitation's secret, removal and demotion are
//! strong (what a removed member writes outside the causal past of their removal carries no authority, nor does
//! anything resting on it), seniority holds, entries are never replaced, one invitation admits one key, and every
//! write is judged by the change that makes it. Attacks are made both through the public API (a phone that has not
//! heard of its removal) and as a modified app would make them: hand-made, correctly signed changes, including ones
//! that point their dependencies at an old state of the group.
//!
//! Cast: alice owns the group; bob and carol are honest members; mallory turns hostile; eve, dee and eli are new.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjType, ROOT, ScalarValue};
use kindred_core::invite::{Invitation, InviteCode};
use kindred_core::sync::bundle::BundleDocument;
use kindred_core::sync::wire::Form;
use kindred_core::{Bundle, Error, ErrorKind, GroupId, MemberId, NewMessage, Refusal, Role};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{assert_still_syncs, send_raw, sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

const DAY_MS: i64 = 24 * 3600 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn bytes(b: &[u8]) -> ScalarValue {
    ScalarValue::Bytes(b.to_vec())
}

struct Circle {
    alice: Phone,
    bob: Phone,
    carol: Phone,
    mallory: Phone,
    group: GroupId,
}

impl Circle {
    /// alice (owner), bob, carol and mallory (members), each with one message, all in sync; mallory a moderator if
    /// `mallory_moderates`.
    fn new(mallory_moderates: bool) -> Self {
        let alice = Phone::new("alice");
        let bob = Phone::new("bob");
        let carol = Phone::new("carol");
        let mallory = Phone::new("mallory");
        let group = group_with(&alice, "Circle", &[&bob, &carol, &mallory]).id;
        if mallory_moderates {
            alice.kindred.add_member(&group, &mallory.id(), "mallory", Role::Moderator).unwrap();
        }
        for p in [&alice, &bob, &carol, &mallory] {
            p.say(&group, &format!("hello from {}", p.name));
        }
        sync_all(&[&alice, &bob, &carol, &mallory]);
        Self { alice, bob, carol, mallory, group }
    }

    fn honest(&self) -> [&Phone; 3] {
        [&self.alice, &self.bob, &self.carol]
    }

    fn bundle_of(&self, phone: &Phone) -> Bundle {
        forge::unseal(&phone.kindred.export_bundle(&self.group).unwrap())
    }

    /// The group document's heads as `phone` holds it now.
    fn heads_on(&self, phone: &Phone) -> Vec<ChangeHash> {
        forge::load(forge::group_document(&mut self.bundle_of(phone))).get_heads()
    }

    /// Every honest phone shows the same group, with these members and roles (others absent).
    fn assert_honest_agree(&self, members: &[(&Phone, Option<Role>)]) {
        let g = &self.group;
        let first = self.alice.view(g);
        for p in self.honest() {
            let view = p.view(g);
            assert_eq!(view.members, first.members, "{} disagrees with alice on members", p.name);
            assert_eq!(view.name, first.name, "{} disagrees with alice on the name", p.name);
            assert_eq!(view.messages, first.messages, "{} disagrees with alice on messages", p.name);
            for (who, role) in members {
                let held = view.members.iter().find(|m| m.0 == who.id()).map(|m| m.2);
                assert_eq!(held, *role, "{}: role of {}", p.name, who.name);
            }
        }
    }
}

/// A hand-made change to the group document of `bundle`, by `writer`, built on `heads` (an old state the writer
/// chooses) rather than on what the bundle holds. Returns the sealed bundle.
fn forged_at(
    bundle: &Bundle,
    sealer: &Phone,
    writer: &Writer<'_>,
    heads: &[ChangeHash],
    edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> Vec<u8> {
    let mut copy = bundle.clone();
    let document: &mut BundleDocument = forge::group_document(&mut copy);
    let full = forge::load(document);
    let mut old = full.fork_at(heads).unwrap().with_actor(writer.actor.clone());
    let change = forge::commit(&mut old, edit);
    let mut merged = forge::load(document);
    merged.apply_changes([change.clone()]).unwrap();
    forge::vouch(document, &mut merged, writer, &change);
    forge::seal(copy, &sealer.kindred)
}

/// Writes an admission of `invitee` with `invitation` and `proof`, as an honest app would, by `by`.
fn write_admission(
    tx: &mut automerge::transaction::Transaction<'_>,
    invitation: &Invitation,
    proof: &[u8],
    invitee: &MemberId,
    by: &MemberId,
) {
    let invites = forge::obj(tx, &ROOT, "invites");
    let key = invitation.record_key();
    let entry = match automerge::ReadDoc::get(tx, &invites, key.as_str()).unwrap() {
        Some((_, id)) => id,
        None => {
            let entry = tx.put_object(&invites, key.as_str(), ObjType::Map).unwrap();
            tx.put(&entry, "by", bytes(invitation.inviter.as_bytes())).unwrap();
            tx.put(&entry, "expires_at", ScalarValue::Timestamp(invitation.expires_at)).unwrap();
            tx.put(&entry, "gname", invitation.group_name.as_str()).unwrap();
            tx.put(&entry, "pk", bytes(&invitation.key)).unwrap();
            tx.put(&entry, "sig", bytes(&invitation.signature)).unwrap();
            entry
        }
    };
    tx.put(&entry, "used_by", bytes(invitee.as_bytes())).unwrap();
    tx.put(&entry, "used_at", ScalarValue::Timestamp(now_ms())).unwrap();
    tx.put(&entry, "proof", bytes(proof)).unwrap();
    let members = forge::obj(tx, &ROOT, "members");
    let m = tx.put_object(&members, invitee.to_hex(), ObjType::Map).unwrap();
    tx.put(&m, "name", "eve").unwrap();
    tx.put(&m, "role", "member").unwrap();
    tx.put(&m, "status", "active").unwrap();
    tx.put(&m, "added_at", ScalarValue::Timestamp(now_ms())).unwrap();
    tx.put(&m, "added_by", bytes(by.as_bytes())).unwrap();
}

#[test]
fn admission_needs_the_codes_secret_and_never_rewrites_an_entry() {
    let c = Circle::new(false);
    let g = &c.group;
    let m = &c.mallory;
    let eve = Phone::new("eve");
    // Alice's invitation is recorded in the group document, so every member can read its public half.
    let code = InviteCode::parse(&c.alice.kindred.create_invite(g, DAY_MS).unwrap()).unwrap();
    sync_all(&[&c.alice, &c.bob, &c.carol, m]);
    let invitation = code.invitation();
    let heads = c.heads_on(m);
    let writer = Writer::of(&m.kindred);
    let mallory_id = m.id();

    // Without the code's secret: no proof, a proof by mallory's own key, a proof made for another key.
    let own_key_proof = kindred_core::testing::sign(&m.kindred, b"anything");
    let proof_for_mallory = code.prove(&mallory_id);
    for (what, proof) in [
        ("an admission with no proof", vec![0u8; 64]),
        ("an admission proved with the admitter's own key", own_key_proof.to_vec()),
        ("an admission with a proof made for another key", proof_for_mallory.to_vec()),
    ] {
        let file = forged_at(&c.bundle_of(m), m, &writer, &heads, |tx| {
            write_admission(tx, &invitation, &proof, &eve.id(), &mallory_id);
        });
        assert_refused(&c.carol, g, &file, Refusal::Invitation, what);
    }

    // Re-making the owner's entry as a plain member, as a "re-admission": refused.
    let alice_id = c.alice.id();
    let file = forged_at(&c.bundle_of(m), m, &writer, &heads, |tx| {
        let members = forge::obj(tx, &ROOT, "members");
        let e = tx.put_object(&members, alice_id.to_hex(), ObjType::Map).unwrap();
        tx.put(&e, "name", "alice").unwrap();
        tx.put(&e, "role", "member").unwrap();
        tx.put(&e, "added_at", ScalarValue::Timestamp(now_ms())).unwrap();
        tx.put(&e, "added_by", bytes(mallory_id.as_bytes())).unwrap();
    });
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "re-making the owner's entry");

    // Even holding a real code, an admission of a key that already has an entry (the owner's) changes nothing.
    let file = forged_at(&c.bundle_of(m), m, &writer, &heads, |tx| {
        write_admission(tx, &invitation, &code.prove(&alice_id), &alice_id, &mallory_id);
    });
    let _ = c.carol.kindred.import_bundle(&file);
    sync_all(&c.honest());
    c.assert_honest_agree(&[(&c.alice, Some(Role::Owner)), (&c.bob, Some(Role::Member)), (&eve, None)]);
    // And the code it wasted is still good for the person it was meant for.
    eve.kindred.join_group(&code.to_text().unwrap()).unwrap();
    sync(&eve, &c.carol);
    sync_all(&[&c.alice, &c.bob, &c.carol, &eve]);
    c.assert_honest_agree(&[(&c.alice, Some(Role::Owner)), (&eve, Some(Role::Member))]);
    assert_still_syncs(&c.alice, &c.bob, g);
}

#[test]
fn a_removed_moderator_pointing_at_old_history_admits_nobody() {
    let c = Circle::new(true);
    let g = &c.group;
    let m = &c.mallory;
    let eve = Phone::new("eve");
    // While still a moderator, mallory makes an invitation (she keeps its secret) and notes the group's heads.
    let code = InviteCode::parse(&m.kindred.create_invite(g, DAY_MS).unwrap()).unwrap();
    let heads = c.heads_on(m);
    sync_all(&[&c.alice, &c.bob, &c.carol, m]);

    c.alice.kindred.remove_member(g, &m.id()).unwrap();
    sync_all(&c.honest());
    c.alice.say(g, "said after mallory left");
    sync_all(&c.honest());

    // A modified app: a second device of mallory's writes an admission of eve, built on the old heads (when mallory
    // moderated and the invitation was fresh), correctly signed. Every phone keeps it (other changes may come to
    // rest on it) but it admits nobody.
    let device = Writer::another_device(&m.kindred);
    let file = forged_at(&c.bundle_of(m), m, &device, &heads, |tx| {
        write_admission(tx, &code.invitation(), &code.prove(&eve.id()), &eve.id(), &m.id());
    });
    c.carol.kindred.import_bundle(&file).unwrap();
    // Also an invitation issued by mallory's key after her removal, and a rename on the old heads.
    let rename = forged_at(&c.bundle_of(m), m, &device, &heads, |tx| {
        tx.put(ROOT, "name", "Mallory's circle").unwrap();
    });
    c.bob.kindred.import_bundle(&rename).unwrap();
    sync_all(&c.honest());
    c.assert_honest_agree(&[(m, None), (&eve, None), (&c.alice, Some(Role::Owner))]);
    assert_eq!(c.carol.view(g).name, "Circle");

    // Eve, holding mallory's code, gets nothing from any honest phone.
    eve.kindred.join_group(&code.to_text().unwrap()).unwrap();
    for p in c.honest() {
        let outcome = sync(&eve, p);
        assert!(!outcome.dialler.join_refusals.is_empty(), "{} should refuse eve", p.name);
    }
    assert!(eve.kindred.group(g).is_err(), "eve holds nothing of the group");
    assert_still_syncs(&c.carol, &c.bob, g);
}

#[test]
fn a_removal_takes_effect_on_what_the_removed_member_did_concurrently() {
    let c = Circle::new(true);
    let g = &c.group;
    let m = &c.mallory;
    // Alice removes mallory; mallory, not knowing, removes carol, renames the group and edits the guidelines, and
    // meets bob before alice does.
    c.alice.kindred.remove_member(g, &m.id()).unwrap();
    m.kindred.remove_member(g, &c.carol.id()).unwrap();
    sync(m, &c.bob);
    // (No app screen renames a group yet: the rename is written by hand, on what mallory's phone holds.)
    let rename = forged_at(&c.bundle_of(m), m, &Writer::of(&m.kindred), &c.heads_on(m), |tx| {
        tx.put(ROOT, "name", "Mallory's circle").unwrap();
        tx.put(ROOT, "guidelines", "anything goes").unwrap();
    });
    c.bob.kindred.import_bundle(&rename).unwrap();
    assert_eq!(c.bob.view(g).name, "Mallory's circle", "bob cannot know yet");
    assert!(c.bob.view(g).members.iter().all(|x| x.0 != c.carol.id()), "bob cannot know yet");
    // Everyone honest meets, in every order: the removal wins over what mallory did outside its past.
    sync(&c.carol, &c.alice);
    sync(&c.bob, &c.alice);
    sync_all(&c.honest());
    c.assert_honest_agree(&[(&c.carol, Some(Role::Member)), (m, None), (&c.alice, Some(Role::Owner))]);
    let view = c.carol.view(g);
    assert_eq!(view.name, "Circle");
    assert_eq!(view.guidelines, "");
    // Mallory's phone hears nothing more from honest phones.
    c.alice.say(g, "after mallory left");
    sync(m, &c.carol);
    assert!(!m.texts(g).iter().any(|t| t.contains("after mallory left")));
    assert_still_syncs(&c.carol, &c.alice, g);
}

#[test]
fn a_removed_members_later_posts_do_not_move_the_group_up_the_list() {
    let c = Circle::new(false);
    let g = &c.group;
    let m = &c.mallory;
    let last_shown = |p: &Phone| p.kindred.groups().unwrap().iter().find(|s| &s.id == g).unwrap().last_message_at;
    let before = last_shown(&c.alice);
    c.alice.kindred.remove_member(g, &m.id()).unwrap();
    // Mallory, not knowing yet, keeps posting; bob, who has not heard of the removal either, relays it to alice.
    std::thread::sleep(std::time::Duration::from_millis(5));
    m.say(g, "later words nobody will see");
    sync(m, &c.bob);
    sync_all(&c.honest());
    assert!(!c.alice.texts(g).iter().any(|t| t.contains("later words")));
    for p in c.honest() {
        assert_eq!(last_shown(p), before, "{}: a hidden post counted as activity", p.name);
    }
}

#[test]
fn an_admission_by_a_member_removed_concurrently_falls_with_everything_the_admitted_key_wrote() {
    let c = Circle::new(false);
    let g = &c.group;
    let m = &c.mallory;
    let eve = Phone::new("eve");
    // Alice invites eve; eve meets only mallory, who admits her while alice, elsewhere, removes mallory.
    eve.kindred.join_group(&c.alice.kindred.create_invite(g, DAY_MS).unwrap()).unwrap();
    sync_all(&c.honest());
    c.alice.kindred.remove_member(g, &m.id()).unwrap();
    let outcome = sync(&eve, m);
    assert_eq!(outcome.listener.admitted, vec![eve.id()]);
    eve.say(g, "hi, I am eve");
    sync(&eve, m);
    sync(m, &c.bob);
    assert!(c.bob.texts(g).iter().any(|t| t.contains("I am eve")), "bob cannot know yet");
    // Once the removal reaches everyone: eve's admission rested on mallory, whose removal it is not in the past of.
    sync_all(&c.honest());
    c.assert_honest_agree(&[(&eve, None), (m, None)]);
    for p in c.honest() {
        assert!(!p.texts(g).iter().any(|t| t.contains("I am eve")), "{}: {:?}", p.name, p.texts(g));
    }
    assert_still_syncs(&c.bob, &c.carol, g);
}

#[test]
fn a_removed_member_cannot_rewrite_earlier_messages_or_react() {
    let c = Circle::new(false);
    let g = &c.group;
    let m = &c.mallory;
    let mine = m.kindred.post(g, NewMessage { text: "my own words".into(), ..Default::default() }).unwrap();
    sync_all(&[&c.alice, &c.bob, &c.carol, m]);
    let alices = c.alice.kindred.messages(g, 50, None).unwrap().into_iter().find(|x| x.is_mine).unwrap().id;
    c.alice.kindred.remove_member(g, &m.id()).unwrap();
    // Mallory has not heard: she rewrites her earlier message, removes another, and reacts.
    m.kindred.edit_message(g, &mine.id, "words I never said").unwrap();
    m.kindred.react(g, &alices, Some("👎")).unwrap();
    sync(m, &c.bob);
    sync_all(&c.honest());
    for p in c.honest() {
        let view = p.view(g);
        let shown = view.messages.iter().find(|x| x.id == mine.id).unwrap();
        assert_eq!(shown.text, "my own words", "{}: an edit after the removal is never shown", p.name);
        let reactions = &view.messages.iter().find(|x| x.id == alices).unwrap().reactions;
        assert!(reactions.is_empty(), "{}: {reactions:?}", p.name);
    }
    c.assert_honest_agree(&[(m, None)]);
}

#[test]
fn a_removed_members_old_code_does_not_bring_them_back() {
    let c = Circle::new(false);
    let g = &c.group;
    let eve = Phone::new("eve");
    // The same key on a phone that keeps no trace of the group (a modified app, or a reinstall with a key backup).
    let eve_again = eve.restored_copy("eve again");
    let code = c.alice.kindred.create_invite(g, DAY_MS).unwrap();
    eve.kindred.join_group(&code).unwrap();
    sync(&eve, &c.bob);
    sync_all(&[&c.alice, &c.bob, &c.carol, &eve]);
    c.alice.kindred.remove_member(g, &eve.id()).unwrap();
    sync_all(&c.honest());
    // Eve presents her old code again to a plain member.
    eve_again.kindred.join_group(&code).unwrap();
    let outcome = sync(&eve_again, &c.carol);
    assert!(!outcome.dialler.join_refusals.is_empty(), "carol must refuse: {:?}", outcome.dialler);
    c.assert_honest_agree(&[(&eve, None)]);
    assert!(c.carol.view(g).members.iter().all(|x| x.0 != eve.id()));
    // Only an explicit re-add by a moderator or the owner brings her back, with her history intact.
    c.alice.kindred.add_member(g, &eve.id(), "eve", Role::Member).unwrap();
    sync_all(&c.honest());
    c.assert_honest_agree(&[(&eve, Some(Role::Member))]);
    assert_still_syncs(&c.carol, &c.bob, g);
}

#[test]
fn one_code_used_by_two_people_on_partitioned_phones_admits_one_everywhere() {
    let c = Circle::new(false);
    let g = &c.group;
    let (dee, eli) = (Phone::new("dee"), Phone::new("eli"));
    let code = c.alice.kindred.create_invite(g, DAY_MS).unwrap();
    sync_all(&c.honest());
    dee.kindred.join_group(&code).unwrap();
    eli.kindred.join_group(&code).unwrap();
    assert_eq!(sync(&dee, &c.bob).listener.admitted, vec![dee.id()]);
    assert_eq!(sync(&eli, &c.carol).listener.admitted, vec![eli.id()]);
    // The partition heals: every phone keeps the same one, and sync goes on.
    sync_all(&c.honest());
    for p in c.honest() {
        sync(&dee, p);
        sync(&eli, p);
    }
    let members = c.alice.view(g).members;
    let dee_in = members.iter().any(|x| x.0 == dee.id());
    let eli_in = members.iter().any(|x| x.0 == eli.id());
    assert!(dee_in ^ eli_in, "exactly one of them is admitted: dee {dee_in}, eli {eli_in}");
    let (winner, loser) = if dee_in { (&dee, &eli) } else { (&eli, &dee) };
    c.assert_honest_agree(&[(winner, Some(Role::Member)), (loser, None)]);
    // The loser gets nothing said after the admission from anyone...
    c.alice.say(g, "after the partition healed");
    sync(loser, &c.alice);
    assert!(!loser.texts(g).iter().any(|t| t.contains("after the partition healed")));
    // ...but the member who let them in tells their phone (the group document alone): they are not a member, and
    // their invitation is pending again; its next use says why.
    let admitter = if dee_in { &c.carol } else { &c.bob };
    sync(loser, admitter);
    assert!(loser.view(g).members.iter().all(|m| m.0 != loser.id()), "the loser's own phone knows");
    assert!(!loser.texts(g).iter().any(|t| t.contains("after the partition healed")));
    assert_eq!(loser.kindred.pending_joins().unwrap().len(), 1);
    let told = sync(loser, &c.alice);
    assert!(
        told.dialler.join_refusals.iter().any(|r| &r.group_id == g && r.reason.contains("already been used")),
        "{:?}",
        told.dialler.join_refusals
    );
    // A new code lets them in, everywhere.
    loser.kindred.join_group(&c.alice.kindred.create_invite(g, DAY_MS).unwrap()).unwrap();
    sync(loser, &c.alice);
    sync_all(&c.honest());
    c.assert_honest_agree(&[(winner, Some(Role::Member)), (loser, Some(Role::Member))]);
    assert!(loser.kindred.pending_joins().unwrap().is_empty());
    assert_still_syncs(&c.bob, &c.carol, g);
}

#[test]
fn seniority_moderators_act_on_members_only_and_nobody_on_the_owner() {
    let c = Circle::new(true);
    let g = &c.group;
    let m = &c.mallory;
    assert!(matches!(
        m.kindred.remove_member(g, &c.alice.id()).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    c.alice.kindred.add_member(g, &c.bob.id(), "bob", Role::Moderator).unwrap();
    sync_all(&[&c.alice, &c.bob, &c.carol, m]);
    assert!(matches!(
        m.kindred.remove_member(g, &c.bob.id()).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        m.kindred.add_member(g, &c.carol.id(), "carol", Role::Moderator).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert!(matches!(
        c.alice.kindred.add_member(g, &c.bob.id(), "bob", Role::Owner).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    // A modified app: mallory (moderator) removes bob (moderator) and demotes alice, by hand.
    let writer = Writer::of(&m.kindred);
    let heads = c.heads_on(m);
    let (bob_id, alice_id) = (c.bob.id(), c.alice.id());
    for (what, target, field, value) in [
        ("a moderator removing a moderator", bob_id, "removed_at", ScalarValue::Timestamp(now_ms())),
        ("a moderator demoting the owner", alice_id, "role", ScalarValue::Str("member".into())),
        ("a moderator removing the owner", alice_id, "status", ScalarValue::Str("removed".into())),
    ] {
        let file = forged_at(&c.bundle_of(m), m, &writer, &heads, |tx| {
            let e = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &target.to_hex());
            tx.put(&e, field, value.clone()).unwrap();
        });
        assert_refused(&c.carol, g, &file, Refusal::NotPermitted, what);
    }
    // An entry is never deleted, by anyone.
    let file =
        forged_at(&c.bundle_of(&c.alice), &c.alice, &Writer::of(&c.alice.kindred), &c.heads_on(&c.alice), |tx| {
            let members = forge::obj(tx, &ROOT, "members");
            tx.delete(&members, c.carol.id().to_hex()).unwrap();
        });
    assert_refused(&c.bob, g, &file, Refusal::NotPermitted, "deleting a member entry");
    c.assert_honest_agree(&[(&c.alice, Some(Role::Owner)), (&c.bob, Some(Role::Moderator))]);
}

#[test]
fn in_a_live_session_strangers_and_removed_members_get_nothing_stored() {
    use kindred_core::sync::wire::Message;
    let c = Circle::new(false);
    let g = &c.group;
    let eve = Phone::new("eve");
    c.alice.kindred.remove_member(g, &c.mallory.id()).unwrap();
    sync_all(&c.honest());
    // Genuine, correctly signed changes (bob's messages), relayed by someone who is not a member.
    c.bob.say(g, "only for members");
    let mut bundle = c.bundle_of(&c.bob);
    let segment = forge::segment_of(&mut bundle, &c.bob.id()).clone();
    let changes: Vec<Vec<u8>> =
        forge::load(&segment).get_changes(&[]).iter().map(|ch| ch.raw_bytes().to_vec()).collect();
    let relayed = Message::Changes { place: segment.place, changes, vouchers: segment.vouchers.clone() };
    let offered = Message::Offer {
        place: segment.place,
        form: Form::Snapshot,
        hash: [9; 32],
        len: 1 << 20,
        vouchers: segment.vouchers,
    };
    for (who, sender) in [("a stranger", &eve), ("a removed member", &c.mallory)] {
        for (what, message) in [("changes", &relayed), ("an offer", &offered)] {
            let held = c.carol.holdings(g);
            let result = send_raw(sender, &c.carol, message);
            assert!(
                matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. })),
                "{who} sending {what}: {result:?}"
            );
            assert_eq!(c.carol.holdings(g), held, "{who} sending {what}: something was stored");
        }
    }
    // An answer to a join request nobody made ends the session.
    let unsolicited = Message::JoinResult { group: *g.as_bytes(), admitted: false, reason: "x".into() };
    assert!(matches!(
        send_raw(&c.bob, &c.carol, &unsolicited).as_ref().map_err(Error::kind),
        Err(ErrorKind::Rejected { .. })
    ));
    assert_still_syncs(&c.bob, &c.carol, g);
}

#[test]
fn a_members_snapshot_or_change_that_would_expand_is_refused_before_it_costs() {
    let c = Circle::new(false);
    let g = &c.group;
    let m = &c.mallory;
    let mallory_id = m.id();
    // A kilobyte-sized snapshot of mallory's messages that Automerge would expand to a million operations (about
    // 94 MB and a second of work), correctly signed by her.
    let file = {
        let mut bundle = c.bundle_of(m);
        let segment = forge::segment_of(&mut bundle, &mallory_id);
        let writer = Writer::another_device(&m.kindred);
        let mut doc = forge::load(segment).with_actor(writer.actor.clone());
        let change = forge::commit(&mut doc, |tx| {
            let t = tx.put_object(ROOT, "t", ObjType::Text).unwrap();
            tx.splice_text(&t, 0, 0, &"a".repeat(1_000_000)).unwrap();
        });
        forge::vouch(segment, &mut doc, &writer, &change);
        assert!(segment.snapshot.len() < 8 * 1024, "{} bytes", segment.snapshot.len());
        forge::seal(bundle, &m.kindred)
    };
    let started = std::time::Instant::now();
    let held = c.carol.holdings(g);
    let result = c.carol.kindred.import_bundle(&file);
    assert!(
        matches!(&result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { kind: Refusal::Oversized, .. })),
        "expected a refusal before loading: {result:?}"
    );
    eprintln!("refused in {:?}", started.elapsed());
    assert_eq!(c.carol.holdings(g), held);
    assert_still_syncs(&c.alice, &c.carol, g);
}
