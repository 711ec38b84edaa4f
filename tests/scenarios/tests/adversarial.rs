//! The adversarial suite: each defence of the sync design, attacked the way a modified app (or a relay, or a restored
//! backup) would, with a check that nothing refused was stored and that honest phones still sync afterwards.
//!
//! Cast: alice owns the group; bob and carol are members; mallory is a member who misbehaves (she signs with her
//! own keys through `kindred_core::testing` and crafts changes with Automerge directly); eve is not in the group.
//! Crafted changes travel inside bundles (the store-and-forward file), which go through the same ingest as a live
//! session; live sessions are attacked at the frame level (they are encrypted, so a peer can only send garbage or
//! honest-but-conflicting data).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT, ScalarValue};
use kindred_core::sync::bundle::BundleDocument;
use kindred_core::sync::wire::{Message, Place, PlaceKind, Vouchers};
use kindred_core::{
    Bundle, Cadence, CadencePeriod, DocId, Error, ErrorKind, GroupId, MemberId, NewGoal, NewMessage, Refusal, Role,
    SyncOptions,
};
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{Direction, Ending, assert_still_syncs, connect_tampered, sync, sync_all};
use kindred_scenarios::{Phone, assert_refused, group_with};

/// alice (owner), bob, carol and mallory (members), each with one message, all in sync.
struct Circle {
    alice: Phone,
    bob: Phone,
    carol: Phone,
    mallory: Phone,
    group: GroupId,
}

impl Circle {
    fn new() -> Self {
        let alice = Phone::new("alice");
        let bob = Phone::new("bob");
        let carol = Phone::new("carol");
        let mallory = Phone::new("mallory");
        let group = group_with(&alice, "Circle", &[&bob, &carol, &mallory]).id;
        for p in [&alice, &bob, &carol, &mallory] {
            p.say(&group, &format!("hello from {}", p.name));
        }
        sync_all(&[&alice, &bob, &carol, &mallory]);
        Self { alice, bob, carol, mallory, group }
    }

    fn all(&self) -> [&Phone; 4] {
        [&self.alice, &self.bob, &self.carol, &self.mallory]
    }

    /// A phone's current bundle, opened.
    fn bundle_of(&self, phone: &Phone) -> Bundle {
        forge::unseal(&phone.kindred.export_bundle(&self.group).unwrap())
    }

    /// Honest phones still sync with each other and with the attacker's honest state.
    fn still_syncs(&self) {
        assert_still_syncs(&self.alice, &self.carol, &self.group);
        assert_still_syncs(&self.carol, &self.bob, &self.group);
        assert_still_syncs(&self.mallory, &self.carol, &self.group);
    }
}

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn random_hex16() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes(b: &[u8]) -> ScalarValue {
    ScalarValue::Bytes(b.to_vec())
}

/// Writes a new message into a segment, as Kindred lays it out (its words in a body beside the history, named by
/// hash; the author named too, as older messages did); returns its id (hex).
fn put_message(tx: &mut impl Transactable, by: &MemberId, text: &str) -> String {
    let id = random_hex16();
    let (body, _) = kindred_core::testing::body_for(text, None).unwrap();
    let m = tx.put_object(ROOT, id.as_str(), ObjType::Map).unwrap();
    tx.put(&m, "by", bytes(by.as_bytes())).unwrap();
    tx.put(&m, "at", ScalarValue::Timestamp(now_ms())).unwrap();
    tx.put(&m, "body", bytes(&body)).unwrap();
    id
}

/// A copy of `bundle` in which `edit` changed one document, sealed by `exporter`.
fn tampered(bundle: &Bundle, exporter: &Phone, edit: impl FnOnce(&mut Bundle)) -> Vec<u8> {
    let mut copy = bundle.clone();
    edit(&mut copy);
    forge::seal(copy, &exporter.kindred)
}

// ---------------------------------------------------------------------------------------------------------------
// Authenticity: forged signatures, impersonation, unknown authors, non-members.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn forged_signatures_certificates_and_impersonation_are_refused() {
    let c = Circle::new();
    let (alice_id, mallory_id) = (c.alice.id(), c.mallory.id());
    c.alice.say(&c.group, "news carol has not seen");
    let alice_bundle = c.bundle_of(&c.alice);
    let mallory_bundle = c.bundle_of(&c.mallory);

    // A genuine signature with one bit flipped (the relay that passes it on seals the file with its own key).
    let file =
        tampered(&alice_bundle, &c.mallory, |b| forge::segment_of(b, &alice_id).vouchers.heads[0].signature[5] ^= 0x10);
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "a flipped bit in a change signature");

    // Mallory writes a message into alice's messages under alice's actor and certificate, signing with her own key.
    let alice_as_written_by_mallory = Writer { signer: &c.mallory.kindred, ..Writer::of(&c.alice.kindred) };
    let file = tampered(&alice_bundle, &c.mallory, |b| {
        forge::forge(forge::segment_of(b, &alice_id), &alice_as_written_by_mallory, |tx| {
            put_message(tx, &alice_id, "I quit, this group is pointless");
        });
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "mallory writing as alice");

    // The same message in mallory's own messages, but naming alice as its author.
    let file = tampered(&mallory_bundle, &c.mallory, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &Writer::of(&c.mallory.kindred), |tx| {
            put_message(tx, &alice_id, "alice says: you should stop your medication");
        });
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::NotPermitted, "a message naming someone else as its author");

    // Mallory's own change, signed for another document (a signature must not travel between documents).
    let file = tampered(&mallory_bundle, &c.mallory, |b| {
        let group_doc = DocId::from_bytes(b.group);
        let segment = forge::segment_of(b, &mallory_id);
        let change = forge::forge(segment, &Writer::of(&c.mallory.kindred), |tx| {
            put_message(tx, &mallory_id, "signed for the wrong document");
        });
        let head = segment.vouchers.heads.last_mut().unwrap();
        head.signature = kindred_core::testing::sign_change(&c.mallory.kindred, &group_doc, &change.hash()).to_vec();
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "a signature made for another document");

    // A certificate that claims mallory's actor writes for alice (alice never signed it).
    let file = tampered(&mallory_bundle, &c.mallory, |b| {
        let mallory_writer = Writer::of(&c.mallory.kindred);
        let claim = kindred_core::identity::actor_certificate_bytes(&mallory_writer.actor, &alice_id);
        let fake = Writer {
            member: alice_id,
            certificate: kindred_core::testing::sign(&c.mallory.kindred, &claim).to_vec(),
            ..mallory_writer
        };
        let segment = forge::segment_of(b, &mallory_id);
        segment.vouchers.certificates.clear();
        forge::forge(segment, &fake, |tx| {
            put_message(tx, &alice_id, "certified by nobody");
        });
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "a certificate the member never signed");

    // A bundle whose content changed after it was sealed.
    let mut altered = alice_bundle.clone();
    altered.exported_at += 1;
    let file = altered.to_file_bytes().unwrap();
    assert!(matches!(Bundle::from_file_bytes(&file).as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. })));
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "a bundle altered after sealing");

    // Control: the untouched bundle, relayed and sealed by mallory, is accepted (authors are checked, not senders).
    let relayed = forge::seal(alice_bundle, &c.mallory.kindred);
    let report = c.carol.kindred.import_bundle(&relayed).unwrap();
    assert!(report.report.applied >= 1, "{report:?}");
    assert!(c.carol.texts(&c.group).contains(&"alice: news carol has not seen".to_owned()));
    c.still_syncs();
}

#[test]
fn unknown_authors_and_non_members_are_refused_but_relays_are_not() {
    let c = Circle::new();
    let eve = Phone::new("eve");
    let mallory_id = c.mallory.id();
    let mallory_bundle = c.bundle_of(&c.mallory);

    // A change by an actor nobody certified, in mallory's messages, signed by mallory.
    let file = tampered(&mallory_bundle, &c.mallory, |b| {
        let stranger = Writer { actor: ActorId::from(rand::random::<[u8; 16]>()), ..Writer::of(&c.mallory.kindred) };
        let segment = forge::segment_of(b, &mallory_id);
        forge::forge(segment, &stranger, |tx| {
            put_message(tx, &mallory_id, "from an unknown device");
        });
        segment.vouchers.certificates.retain(|cert| cert.actor != stranger.actor.to_bytes());
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::NotAMember, "an uncertified actor");

    // Eve, who was never admitted, files messages of her own in the group, correctly signed with her own key.
    let eve_id = eve.id();
    let mut eve_doc = Automerge::new().with_actor(Writer::of(&eve.kindred).actor);
    let change = forge::commit(&mut eve_doc, |tx| {
        put_message(tx, &eve_id, "hi, I'm new (not really)");
    });
    let place = Place {
        group: *c.group.as_bytes(),
        doc: *c.group.segment_doc_id(&eve_id, 0).as_bytes(),
        kind: PlaceKind::Segment,
        author: *eve_id.as_bytes(),
        segment: 0,
    };
    let mut eve_segment = BundleDocument { place, snapshot: Vec::new(), vouchers: Vouchers::default() };
    forge::vouch(&mut eve_segment, &mut eve_doc, &Writer::of(&eve.kindred), &change);
    let file = tampered(&mallory_bundle, &eve, |b| b.documents = vec![eve_segment.clone()]);
    assert_refused(&c.carol, &c.group, &file, Refusal::NotAMember, "a non-member's messages");

    // Eve adds herself to the group document.
    let file = tampered(&mallory_bundle, &eve, |b| {
        forge::forge(forge::group_document(b), &Writer::of(&eve.kindred), |tx| {
            let members = forge::obj(tx, &ROOT, "members");
            let entry = tx.put_object(&members, eve_id.to_hex(), ObjType::Map).unwrap();
            tx.put(&entry, "name", "eve").unwrap();
            tx.put(&entry, "role", "member").unwrap();
            tx.put(&entry, "added_at", ScalarValue::Timestamp(now_ms())).unwrap();
            tx.put(&entry, "added_by", bytes(eve_id.as_bytes())).unwrap();
        });
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::NotAMember, "a non-member admitting herself");

    // Eve in a live session learns nothing and gives nothing.
    let outcome = sync(&eve, &c.alice);
    assert!(outcome.completed() && eve.kindred.groups().unwrap().is_empty());

    // Control: eve relays alice's genuine news in a bundle she seals herself: accepted, since alice wrote it.
    c.alice.say(&c.group, "carried by a stranger");
    let relayed = forge::seal(c.bundle_of(&c.alice), &eve.kindred);
    c.carol.kindred.import_bundle(&relayed).unwrap();
    assert!(c.carol.texts(&c.group).contains(&"alice: carried by a stranger".to_owned()));
    c.still_syncs();
}

// ---------------------------------------------------------------------------------------------------------------
// Authorisation: a removed member, and a member forging what only moderators and owners may do.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn a_removed_members_later_writes_are_kept_but_never_shown() {
    let c = Circle::new();
    let g = &c.group;
    let first = c.alice.kindred.messages(g, 10, None).unwrap()[0].id;
    c.alice.kindred.remove_member(g, &c.mallory.id()).unwrap();

    // Mallory has not heard: she posts and reacts, and meets bob, who has not heard either.
    c.mallory.say(g, "after my removal");
    c.mallory.kindred.react(g, &first, Some("👎")).unwrap();
    sync(&c.mallory, &c.bob);
    assert!(c.bob.texts(g).contains(&"mallory: after my removal".to_owned()), "bob cannot know yet");

    // Carol hears of the removal from alice, then gets mallory's later writes in a bundle: kept, not shown.
    sync(&c.alice, &c.carol);
    let report = c.carol.kindred.import_bundle(&c.mallory.kindred.export_bundle(g).unwrap()).unwrap();
    assert!(report.report.applied >= 1, "{report:?}");
    // Bob and alice meet: alice gets mallory's later writes from bob and hides them; bob learns of the removal.
    sync(&c.bob, &c.alice);
    sync_all(&[&c.alice, &c.bob, &c.carol]);
    for p in [&c.alice, &c.bob, &c.carol] {
        let texts = p.texts(g);
        assert!(texts.contains(&"mallory: hello from mallory".to_owned()), "{}: her earlier message stays", p.name);
        assert!(!texts.iter().any(|t| t.contains("after my removal")), "{}: {texts:?}", p.name);
        let reactions = p.view(g).messages.into_iter().find(|m| m.id == first).unwrap().reactions;
        assert!(reactions.is_empty(), "{}: a removed member's later reaction is hidden: {reactions:?}", p.name);
        assert!(!p.view(g).members.iter().any(|m| m.0 == c.mallory.id()), "{}", p.name);
    }
    assert_eq!(c.alice.view(g), c.bob.view(g));
    assert_eq!(c.alice.view(g), c.carol.view(g));

    // Mallory gets nothing of the group's later news from alice (alice now refuses her handshake, or shares nothing).
    c.alice.say(g, "after mallory left");
    let _ = kindred_scenarios::net::connect(&c.mallory, &c.alice, kindred_scenarios::net::Link::default());
    let _ = kindred_scenarios::net::connect(&c.alice, &c.mallory, kindred_scenarios::net::Link::default());
    assert!(!c.mallory.texts(g).iter().any(|t| t.contains("after mallory left")), "data only goes to members");
    assert_still_syncs(&c.alice, &c.carol, g);
    assert_still_syncs(&c.bob, &c.carol, g);
}

/// One forged group-document change by `writer` (an existing member), delivered in `writer`'s own bundle.
fn forged_group_change(
    c: &Circle,
    writer: &Phone,
    edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> Vec<u8> {
    tampered(&c.bundle_of(writer), writer, |b| {
        forge::forge(forge::group_document(b), &Writer::of(&writer.kindred), edit);
    })
}

#[test]
fn members_cannot_forge_what_moderators_and_owners_do() {
    let c = Circle::new();
    let g = &c.group;
    let goal = c
        .alice
        .kindred
        .create_goal(NewGoal {
            title: "Walk daily".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: Some(*g),
        })
        .unwrap();
    sync_all(&c.all());
    let (mallory_id, carol_id, eve_id) = (c.mallory.id(), c.carol.id(), MemberId::from_bytes(rand::random()));
    let m = &c.mallory;

    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "promoting herself to moderator",
            forged_group_change(&c, m, |tx| {
                let me = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &mallory_id.to_hex());
                tx.put(&me, "role", "moderator").unwrap();
            }),
        ),
        (
            "renaming the group",
            forged_group_change(&c, m, |tx| {
                tx.put(ROOT, "name", "Mallory's circle").unwrap();
            }),
        ),
        (
            "rewriting the guidelines",
            forged_group_change(&c, m, |tx| {
                tx.put(ROOT, "guidelines", "anything goes").unwrap();
            }),
        ),
        (
            "adding a member without an invitation",
            forged_group_change(&c, m, |tx| {
                let members = forge::obj(tx, &ROOT, "members");
                let entry = tx.put_object(&members, eve_id.to_hex(), ObjType::Map).unwrap();
                tx.put(&entry, "name", "eve").unwrap();
                tx.put(&entry, "role", "member").unwrap();
                tx.put(&entry, "added_at", ScalarValue::Timestamp(now_ms())).unwrap();
                tx.put(&entry, "added_by", bytes(mallory_id.as_bytes())).unwrap();
            }),
        ),
        (
            "removing another member",
            forged_group_change(&c, m, |tx| {
                let carol = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &carol_id.to_hex());
                tx.put(&carol, "removed_at", ScalarValue::Timestamp(now_ms())).unwrap();
                tx.put(&carol, "removed_by", bytes(mallory_id.as_bytes())).unwrap();
            }),
        ),
        (
            "renaming another member",
            forged_group_change(&c, m, |tx| {
                let carol = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &carol_id.to_hex());
                tx.put(&carol, "name", "carol (troll)").unwrap();
            }),
        ),
        (
            "issuing an invitation",
            forged_group_change(&c, m, |tx| {
                let invites = forge::obj(tx, &ROOT, "invites");
                let entry = tx.put_object(&invites, random_hex16().as_str(), ObjType::Map).unwrap();
                tx.put(&entry, "by", bytes(mallory_id.as_bytes())).unwrap();
                tx.put(&entry, "expires_at", ScalarValue::Timestamp(now_ms() + 3_600_000)).unwrap();
            }),
        ),
        (
            "changing someone else's goal",
            forged_group_change(&c, m, |tx| {
                let goal = forge::obj(tx, &forge::obj(tx, &ROOT, "goals"), &goal.id.to_hex());
                tx.put(&goal, "title", "Give up").unwrap();
            }),
        ),
        (
            "taking over someone else's goal",
            forged_group_change(&c, m, |tx| {
                let goal = forge::obj(tx, &forge::obj(tx, &ROOT, "goals"), &goal.id.to_hex());
                tx.put(&goal, "owner", bytes(mallory_id.as_bytes())).unwrap();
            }),
        ),
        (
            "writing a field no member may write",
            forged_group_change(&c, m, |tx| {
                tx.put(ROOT, "crisis_line", "call this premium number").unwrap();
            }),
        ),
    ];
    for (what, file) in &cases {
        assert_refused(&c.carol, g, file, Refusal::NotPermitted, what);
    }
    let second_first = tampered(&c.bundle_of(m), m, |b| {
        let group_doc = forge::group_document(b);
        let mut fresh = Automerge::new().with_actor(Writer::of(&m.kindred).actor);
        let change = forge::commit(&mut fresh, |tx| {
            tx.put(ROOT, "name", "Mallory's circle").unwrap();
            tx.put(ROOT, "created_by", bytes(mallory_id.as_bytes())).unwrap();
            tx.put(ROOT, "nonce", bytes(&[0; 16])).unwrap();
        });
        let mut merged = forge::load(group_doc);
        merged.apply_changes([change.clone()]).unwrap();
        forge::vouch(group_doc, &mut merged, &Writer::of(&m.kindred), &change);
    });
    assert_refused(&c.carol, g, &second_first, Refusal::Equivocation, "a second first change");

    // In her own messages: a reaction keyed as a message, or rewriting another member's message through a copy.
    let alice_message = c.alice.kindred.messages(g, 10, None).unwrap()[0].id.to_hex();
    let file = tampered(&c.bundle_of(m), m, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &Writer::of(&m.kindred), |tx| {
            let copy = tx.put_object(ROOT, alice_message.as_str(), ObjType::Map).unwrap();
            tx.put(&copy, "by", bytes(c.alice.id().as_bytes())).unwrap();
            tx.put(&copy, "text", "edited by mallory").unwrap();
        });
    });
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "a copy of alice's message in mallory's messages");
    let file = tampered(&c.bundle_of(m), m, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &Writer::of(&m.kindred), |tx| {
            tx.put(ROOT, "settings", "x").unwrap();
        });
    });
    assert_refused(&c.carol, g, &file, Refusal::NotPermitted, "an unknown entry in mallory's messages");

    // A moderator may not promote, demote the owner or remove the owner.
    c.alice.kindred.add_member(g, &c.bob.id(), "bob", Role::Moderator).unwrap();
    sync_all(&c.all());
    let alice_id = c.alice.id();
    let cases = [
        (
            "a moderator promoting a member",
            forged_group_change(&c, &c.bob, |tx| {
                let carol = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &carol_id.to_hex());
                tx.put(&carol, "role", "moderator").unwrap();
            }),
        ),
        (
            "a moderator demoting the owner",
            forged_group_change(&c, &c.bob, |tx| {
                let alice = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &alice_id.to_hex());
                tx.put(&alice, "role", "member").unwrap();
            }),
        ),
        (
            "a moderator removing the owner",
            forged_group_change(&c, &c.bob, |tx| {
                let alice = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &alice_id.to_hex());
                tx.put(&alice, "removed_at", ScalarValue::Timestamp(now_ms())).unwrap();
            }),
        ),
    ];
    for (what, file) in &cases {
        assert_refused(&c.carol, g, file, Refusal::NotPermitted, what);
    }
    c.still_syncs();
}

// ---------------------------------------------------------------------------------------------------------------
// Replays.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn replayed_bundles_and_syncs_are_harmless() {
    let c = Circle::new();
    let g = &c.group;
    let post = c.alice.kindred.post(g, NewMessage { text: "typo hree".into(), ..Default::default() }).unwrap();
    let doomed =
        c.alice.kindred.post(g, NewMessage { text: "wrong group, sorry".into(), ..Default::default() }).unwrap();
    let old = c.alice.kindred.export_bundle(g).unwrap();

    let first = c.carol.kindred.import_bundle(&old).unwrap();
    assert_eq!(first.report.applied, 2, "{first:?}");
    let seen = c.carol.view(g);
    let again = c.carol.kindred.import_bundle(&old).unwrap();
    assert_eq!(again.report.applied, 0, "{again:?}");
    assert!(again.report.duplicates > 0);
    assert_eq!(c.carol.view(g), seen);
    sync_all(&c.all());

    // Later: an edit, a removal, a reaction, a removed member. Then the old bundle arrives again, everywhere.
    c.alice.kindred.edit_message(g, &post.id, "typo here").unwrap();
    c.alice.kindred.remove_message(g, &doomed.id).unwrap();
    c.bob.kindred.react(g, &post.id, Some("🌱")).unwrap();
    c.alice.kindred.remove_member(g, &c.mallory.id()).unwrap();
    sync_all(&[&c.alice, &c.bob, &c.carol]);
    let settled = c.carol.view(g);
    for p in [&c.alice, &c.bob, &c.carol] {
        let replay = p.kindred.import_bundle(&old).unwrap();
        assert_eq!(replay.report.applied, 0, "{}: {replay:?}", p.name);
        assert_eq!(p.view(g), settled, "{}: an old bundle changed what is shown", p.name);
    }
    let message = settled.messages.iter().find(|m| m.id == post.id).unwrap();
    assert_eq!(message.text, "typo here");
    assert!(settled.messages.iter().find(|m| m.id == doomed.id).unwrap().removed);
    // A bundle from before mallory's removal does not bring her back.
    let from_before = c.bundle_of(&c.mallory);
    let replay = c.carol.kindred.import_bundle(&forge::seal(from_before, &c.mallory.kindred)).unwrap();
    assert_eq!(replay.report.applied, 0);
    assert!(!c.carol.view(g).members.iter().any(|m| m.0 == c.mallory.id()));

    // Syncing again and again finds nothing new.
    let outcome = sync(&c.alice, &c.carol);
    assert!(outcome.dialler.nothing_new && outcome.listener.nothing_new);
    assert_eq!(c.carol.view(g), settled);
}

#[test]
fn replayed_session_frames_apply_nothing() {
    let c = Circle::new();
    c.alice.say(&c.group, "recorded on the air");
    // An eavesdropper records everything alice sends carol in one session.
    let mut recorded = Vec::new();
    connect_tampered(&c.alice, &c.carol, 32 * 1024, |direction, _, frame| {
        if direction == Direction::Out {
            recorded.push(frame.clone());
        }
        vec![frame]
    })
    .unwrap();
    // Later, after more news, the recording is played back to carol on a new connection, and to bob.
    c.alice.say(&c.group, "only the real alice can deliver this");
    for victim in [&c.carol, &c.bob] {
        let held = victim.holdings(&c.group);
        let mut session = victim.kindred.accept_sync(SyncOptions::default()).unwrap();
        let refused = recorded.iter().map(|frame| session.receive(&victim.kindred, frame)).any(|r| r.is_err());
        assert!(refused, "{}: a replayed session must fail", victim.name);
        assert!(!session.is_finished());
        assert_eq!(victim.holdings(&c.group), held, "{}: a replayed session stored something", victim.name);
    }
    c.still_syncs();
}

// ---------------------------------------------------------------------------------------------------------------
// Equivocation: a restored backup writes on with the same actor, and its two histories meet.
// ---------------------------------------------------------------------------------------------------------------

/// Mallory's phone and a restored copy of it write different things at the same positions (`copy_posts` on the
/// copy, one on the original); bob hears one history, carol the other, then they meet (by `meet`). Both forks must
/// be hidden on both, the proof kept, mallory flagged, and honest sync between them must go on. With `third_party`,
/// alice, who saw neither fork, then meets them both: every session must complete and all three must converge.
fn equivocation(copy_posts: usize, meet: impl Fn(&Circle), third_party: bool) {
    let c = Circle::new();
    let g = &c.group;
    let copy = c.mallory.restored_copy("mallory's restored backup");
    c.mallory.say(g, "fork A: only bob hears this");
    for i in 0..copy_posts {
        copy.say(g, &format!("fork B{i}: only carol hears this"));
    }
    sync(&c.mallory, &c.bob);
    sync(&copy, &c.carol);
    assert!(c.bob.texts(g).iter().any(|t| t.contains("fork A")));
    assert!(c.carol.texts(g).iter().any(|t| t.contains("fork B0")));
    // Honest news on all sides meanwhile.
    c.alice.say(g, "alice's news");
    c.bob.say(g, "bob's news");
    c.carol.say(g, "carol's news");

    meet(&c);

    for p in [&c.bob, &c.carol] {
        let texts = p.texts(g);
        assert!(!texts.iter().any(|t| t.contains("fork")), "{}: both forks must be hidden: {texts:?}", p.name);
        assert!(
            texts.contains(&"mallory: hello from mallory".to_owned()),
            "{}: her history before the fork stays",
            p.name
        );
        let (flagged, proofs) = p.kindred.flagged_members(g).unwrap();
        assert!(flagged.iter().any(|(m, _)| *m == c.mallory.id()), "{}: mallory must be flagged", p.name);
        assert!(proofs >= 1, "{}: the proof must be kept", p.name);
    }
    assert_still_syncs(&c.bob, &c.carol, g);
    assert_still_syncs(&c.carol, &c.bob, g);
    assert_eq!(c.bob.view(g), c.carol.view(g));
    // Her further writes are refused, and sessions with her still complete.
    c.mallory.say(g, "after being caught");
    let outcome = sync(&c.mallory, &c.bob);
    assert!(outcome.completed());
    assert!(!c.bob.texts(g).iter().any(|t| t.contains("after being caught")));
    assert_still_syncs(&c.bob, &c.carol, g);

    if third_party {
        for other in [&c.bob, &c.carol] {
            let outcome = kindred_scenarios::net::connect(&c.alice, other, kindred_scenarios::net::Link::default());
            assert!(outcome.completed(), "alice -> {}: {:?}", other.name, outcome.ending);
        }
        sync_all(&[&c.alice, &c.bob, &c.carol]);
        assert_eq!(c.alice.view(g), c.bob.view(g));
        assert_eq!(c.alice.view(g), c.carol.view(g));
    }
}

#[test]
fn equivocation_with_forks_of_equal_length_is_detected_by_sync() {
    equivocation(
        1,
        |c| {
            sync(&c.bob, &c.carol);
        },
        true,
    );
}

#[test]
fn equivocation_with_forks_of_different_length_is_detected_by_sync() {
    equivocation(
        2,
        |c| {
            sync(&c.bob, &c.carol);
            sync(&c.carol, &c.bob);
        },
        true,
    );
}

fn meet_by_bundles(c: &Circle) {
    let from_carol = c.carol.kindred.export_bundle(&c.group).unwrap();
    let report = c.bob.kindred.import_bundle(&from_carol).unwrap();
    assert!(report.report.quarantined >= 1, "{report:?}");
    let from_bob = c.bob.kindred.export_bundle(&c.group).unwrap();
    c.carol.kindred.import_bundle(&from_bob).unwrap();
}

#[test]
fn equivocation_is_detected_by_bundles() {
    equivocation(1, meet_by_bundles, false);
    equivocation(2, meet_by_bundles, false);
}

#[test]
fn after_an_equivocation_a_phone_that_saw_neither_fork_still_converges() {
    equivocation(2, meet_by_bundles, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Oversized input: refused before it is parsed (or before it can cost anything).
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn oversized_changes_and_too_many_dependencies_are_refused() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let bundle = c.bundle_of(&c.mallory);
    let me = Writer::of(&c.mallory.kindred);

    // One change of about 80 KB (the limit is 64 KiB): random bytes where a body's hash goes, so compression cannot
    // shrink it (the size is checked before anything is parsed).
    let huge: Vec<u8> = (0..80_000).map(|_| rand::random::<u8>()).collect();
    let file = tampered(&bundle, &c.mallory, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &me, |tx| {
            let m = tx.put_object(ROOT, random_hex16().as_str(), ObjType::Map).unwrap();
            tx.put(&m, "at", ScalarValue::Timestamp(now_ms())).unwrap();
            tx.put(&m, "body", bytes(&huge)).unwrap();
        });
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::Oversized, "an 80 KB change");

    // A change naming `parents` heads, one per extra device of mallory's (all certified and signed by her), written
    // on yet another device of hers (her phone's own actor must stay untouched, or its next post would fork it).
    let device = || Writer::another_device(&c.mallory.kindred);
    let with_parents = |parents: u64| {
        tampered(&bundle, &c.mallory, |b| {
            let segment = forge::segment_of(b, &mallory_id);
            let base = forge::load(segment);
            let writer = device();
            let mut merged = base.fork().with_actor(writer.actor.clone());
            let mut heads = Vec::new();
            for _ in 0..parents {
                let parent = device();
                let mut branch = base.fork().with_actor(parent.actor.clone());
                let change = forge::commit(&mut branch, |tx| {
                    let r = tx.put_object(ROOT, format!("r{}", random_hex16()), ObjType::Map).unwrap();
                    tx.put(&r, "emoji", "🌱").unwrap();
                    tx.put(&r, "at", ScalarValue::Timestamp(now_ms())).unwrap();
                });
                merged.apply_changes([change.clone()]).unwrap();
                heads.push((parent, change));
            }
            let last = forge::commit(&mut merged, |tx| {
                put_message(tx, &mallory_id, "I depend on everything");
            });
            assert_eq!(last.deps().len() as u64, parents);
            for (parent, change) in &heads {
                forge::vouch(segment, &mut merged, parent, change);
            }
            forge::vouch(segment, &mut merged, &writer, &last);
        })
    };
    assert_refused(&c.carol, &c.group, &with_parents(65), Refusal::Oversized, "a change with 65 dependencies");
    // Control: exactly at the limit (64 dependencies) the same shape is accepted.
    let report = c.carol.kindred.import_bundle(&with_parents(64)).unwrap();
    assert_eq!(report.report.applied, 65, "{report:?}");
    c.still_syncs();
}

#[test]
fn oversized_frames_messages_and_bundles_are_refused_before_parsing() {
    let c = Circle::new();

    // A frame over the listener's limit, as the very first frame and in the middle of a live session.
    let mut listener = c.carol.kindred.accept_sync(SyncOptions { max_frame: 512 }).unwrap();
    assert!(matches!(
        listener.receive(&c.carol.kindred, &[0x01; 513]).as_ref().map_err(Error::kind),
        Err(ErrorKind::Rejected { kind: Refusal::Oversized, .. })
    ));
    let result = connect_tampered(
        &c.alice,
        &c.carol,
        1024,
        |_, n, frame| if n == 3 { vec![vec![0; 1025]] } else { vec![frame] },
    );
    assert!(
        matches!(result, Err((Ending::Refused { kind: Refusal::Oversized, .. }, _))),
        "a 1025-byte frame on a 1024-byte link: {result:?}"
    );

    // Length prefixes far beyond the input, in each kind of message that carries a list or bytes.
    let huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
    let place = [0u8; 16 + 16 + 1 + 32 + 1];
    let prefixes: Vec<Vec<u8>> = vec![
        [&[0u8, 1][..], &[0; 16], &huge].concat(),    // Hello { joins: [..4 billion] }
        [&[1u8][..], &huge].concat(),                 // Groups
        [&[2u8][..], &huge].concat(),                 // Clocks
        [&[3u8][..], &place, &huge].concat(),         // Changes
        [&[3u8][..], &place, &[1], &huge].concat(),   // Changes, one change of 4 GB
        [&[6u8][..], &[0; 32], &[0], &huge].concat(), // Chunk
        [&[7u8][..], &[0; 16], &[0], &huge].concat(), // JoinResult { reason: 4 GB }
    ];
    for bytes in &prefixes {
        let started = Instant::now();
        assert!(
            matches!(Message::decode(bytes).as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. })),
            "{bytes:?}"
        );
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    // A bundle file over 64 MiB is refused without being read.
    let mut big = b"KINDRED-BUNDLE-2\n".to_vec();
    big.resize(kindred_core::sync::bundle::MAX_BUNDLE_BYTES + 1, 0);
    let started = Instant::now();
    assert!(matches!(
        c.carol.kindred.import_bundle(&big).as_ref().map_err(Error::kind),
        Err(ErrorKind::Rejected { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(1));
    c.still_syncs();
}

// ---------------------------------------------------------------------------------------------------------------
// Orphans: changes whose dependencies were never sent are refused and never stored.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn orphan_floods_are_bounded_and_never_stored() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let bundle = c.bundle_of(&c.mallory);
    let me = Writer::of(&c.mallory.kindred);

    // Mallory writes a chain of 2,000 changes on a parent she never sends, and appends them to her snapshot.
    let file = tampered(&bundle, &c.mallory, |b| {
        let segment = forge::segment_of(b, &mallory_id);
        let base = forge::load(segment);
        let mut hidden = base.fork().with_actor(me.actor.clone());
        forge::commit(&mut hidden, |tx| {
            put_message(tx, &mallory_id, "the parent nobody receives");
        });
        let mut orphans = Vec::new();
        for i in 0..2_000 {
            let change = forge::commit(&mut hidden, |tx| {
                put_message(tx, &mallory_id, &format!("orphan {i}"));
            });
            orphans.push(change);
        }
        let mut snapshot = base.save();
        for change in &orphans {
            snapshot.extend_from_slice(change.raw_bytes());
        }
        segment.snapshot = snapshot;
        segment.vouchers.heads.push(me.head(&DocId::from_bytes(segment.place.doc), orphans.last().unwrap()));
    });
    let held = c.carol.holdings(&c.group);
    let shown = c.carol.view(&c.group);
    let started = Instant::now();
    let result = c.carol.kindred.import_bundle(&file);
    assert!(started.elapsed() < Duration::from_secs(10), "an orphan flood took {:?}", started.elapsed());
    assert!(
        matches!(result.as_ref().map_err(Error::kind), Err(ErrorKind::Rejected { .. }))
            || result.as_ref().is_ok_and(|r| r.report.applied == 0),
        "{result:?}"
    );
    assert_eq!(c.carol.holdings(&c.group), held, "orphans were stored");
    assert_eq!(c.carol.view(&c.group), shown);

    // A document made only of later changes (no snapshot, the first ones missing) is refused outright.
    c.mallory.say(&c.group, "one");
    c.mallory.say(&c.group, "two");
    let fresh = c.bundle_of(&c.mallory);
    let file = tampered(&fresh, &c.mallory, |b| {
        let segment = forge::segment_of(b, &mallory_id);
        let changes = forge::load(segment).get_changes(&[]);
        segment.snapshot = changes.last().unwrap().raw_bytes().to_vec();
    });
    assert_refused(&c.carol, &c.group, &file, Refusal::Malformed, "a lone change whose parents were never sent");
    c.still_syncs();
}

// ---------------------------------------------------------------------------------------------------------------
// Garbage from a peer: typed errors, never a panic, and the profile carries on.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn garbage_from_a_peer_is_a_typed_error_and_sync_goes_on() {
    let c = Circle::new();
    let g = &c.group;
    let held = c.carol.holdings(g);
    let garbage: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0x01],
        vec![0x02],
        vec![0xff; 49],
        vec![0x01; 49],
        vec![0x02; 33],
        (0..=255).collect(),
        vec![0; 4096],
    ];
    for bytes in &garbage {
        // A first frame is a handshake: refused unless it is one (any 32 bytes after the XX tag are a valid key).
        let mut listener = c.carol.kindred.accept_sync(SyncOptions::default()).unwrap();
        match listener.receive(&c.carol.kindred, bytes).as_ref().map_err(Error::kind) {
            Err(ErrorKind::Rejected { .. }) => {
                assert!(listener.receive(&c.carol.kindred, &[0x02; 33]).is_err(), "a failed session stays failed")
            }
            Err(other) => panic!("{bytes:?}: not a refusal: {other}"),
            Ok(()) => assert!(listener.peer().is_none() && !listener.is_finished()),
        }
        let _ = Message::decode(bytes);
        assert!(matches!(
            c.carol.kindred.import_bundle(bytes).as_ref().map_err(Error::kind),
            Err(ErrorKind::Rejected { .. })
        ));
        assert!(matches!(
            c.carol.kindred.join_group(&String::from_utf8_lossy(bytes)).as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { .. })
        ));
    }
    assert!(c.carol.kindred.pending_joins().unwrap().is_empty());
    assert_eq!(c.carol.holdings(g), held);
    // A session with something to carry (many small frames), damaged in flight, one position at a time: it fails
    // cleanly at that frame.
    for i in 0..20 {
        c.alice.say(g, &format!("news {i} for a session with many frames"));
    }
    for target in 1..=8 {
        let result = connect_tampered(&c.alice, &c.carol, 512, |_, n, mut frame| {
            if n == target {
                let i = frame.len() / 2;
                frame[i] ^= 0x5a;
            }
            vec![frame]
        });
        if let Err((ending, at)) = &result {
            assert_eq!(*at, target, "failed at the wrong place: {ending}");
        }
    }
    // Dropped, duplicated and reordered frames inside one session fail it (the link must deliver in order). Each
    // session has news to carry, since a damaged first frame above may have ended in a complete session (a KK
    // message 1 no one can read gets a request for XX).
    for i in 0..20 {
        c.alice.say(g, &format!("more news {i} for a session that loses a frame"));
    }
    let dropped = connect_tampered(&c.alice, &c.carol, 512, |_, n, frame| if n == 5 { vec![] } else { vec![frame] });
    for i in 0..20 {
        c.alice.say(g, &format!("more news {i} for a session that gets a frame twice"));
    }
    let duplicated =
        connect_tampered(
            &c.alice,
            &c.carol,
            512,
            |_, n, frame| if n == 5 { vec![frame.clone(), frame] } else { vec![frame] },
        );
    assert!(dropped.is_err(), "a dropped frame must be noticed");
    assert!(duplicated.is_err(), "a duplicated frame must be refused");
    c.still_syncs();
    sync_all(&c.all());
    assert_eq!(c.alice.view(g), c.carol.view(g));
}

// ---------------------------------------------------------------------------------------------------------------
// Attacks on relays: a member's data that one honest phone accepts must not make it unable to sync with others.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn a_member_claiming_someone_elses_actor_is_refused_and_cannot_poison_a_relay() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let alice_actor = Writer::of(&c.alice.kindred).actor;
    // Mallory certifies alice's actor id (public: it is in every change alice makes) for herself and writes with it
    // in her own messages. Carol, who knows alice's real certificate, receives that from her.
    let squatter = Writer::claiming(&c.mallory.kindred, alice_actor);
    let file = tampered(&c.bundle_of(&c.mallory), &c.mallory, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &squatter, |tx| {
            put_message(tx, &mallory_id, "written with alice's actor id");
        });
    });
    // Actor ids derive from the member key, so the claim is a forgery: refused, nothing stored. Carol must go on
    // syncing with everyone, and so must the others.
    assert_refused(&c.carol, &c.group, &file, Refusal::Forged, "a certificate for someone else's actor");
    c.alice.say(&c.group, "after the squatting");
    for other in [&c.bob, &c.alice] {
        let outcome = kindred_scenarios::net::connect(&c.carol, other, kindred_scenarios::net::Link::default());
        assert!(outcome.completed(), "carol -> {}: {:?}", other.name, outcome.ending);
    }
    sync_all(&[&c.alice, &c.bob, &c.carol]);
    assert_eq!(c.alice.view(&c.group), c.bob.view(&c.group));
    assert_eq!(c.alice.view(&c.group), c.carol.view(&c.group));
}

#[test]
fn concurrent_writes_from_two_devices_of_one_member_do_not_wedge_honest_phones() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let bundle = c.bundle_of(&c.mallory);
    // Mallory's two extra devices both create the same message key, concurrently: one history reaches bob, the
    // other carol.
    let message = random_hex16();
    let device = |text: &str| {
        let writer = Writer::another_device(&c.mallory.kindred);
        tampered(&bundle, &c.mallory, |b| {
            let mut body = Vec::new();
            forge::forge(forge::segment_of(b, &mallory_id), &writer, |tx| {
                body = forge::write_message(tx, &message.parse().unwrap(), now_ms(), text);
            });
            b.bodies.push(body);
        })
    };
    c.bob.kindred.import_bundle(&device("from the tablet")).unwrap();
    c.carol.kindred.import_bundle(&device("from the phone")).unwrap();
    c.bob.say(&c.group, "bob's news");
    c.carol.say(&c.group, "carol's news");
    let outcome = kindred_scenarios::net::connect(&c.bob, &c.carol, kindred_scenarios::net::Link::default());
    assert!(outcome.completed(), "{:?}", outcome.ending);
    sync_all(&[&c.alice, &c.bob, &c.carol]);
    assert_eq!(c.bob.view(&c.group), c.carol.view(&c.group));
    assert_eq!(c.bob.holdings(&c.group), c.carol.holdings(&c.group));
}

// ---------------------------------------------------------------------------------------------------------------
// What the app would never let a person type must not arrive from a peer either.
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn peer_data_is_held_to_the_limits_local_input_is() {
    let c = Circle::new();
    let (mallory_id, g) = (c.mallory.id(), &c.group);
    let target = c.alice.kindred.messages(g, 10, None).unwrap()[0].id.to_hex();
    let device = Writer::another_device(&c.mallory.kindred);
    let message = |text: String, at: i64, cw: Option<String>| {
        move |tx: &mut automerge::transaction::Transaction<'_>| {
            let m = tx.put_object(ROOT, random_hex16().as_str(), ObjType::Map).unwrap();
            tx.put(&m, "by", bytes(mallory_id.as_bytes())).unwrap();
            tx.put(&m, "at", ScalarValue::Timestamp(at)).unwrap();
            tx.put(&m, "text", text.as_str()).unwrap();
            if let Some(cw) = &cw {
                tx.put(&m, "cw", cw.as_str()).unwrap();
            }
        }
    };
    let limits = kindred_core::limits::MAX_MESSAGE_CHARS;
    type Edit<'a> = Box<dyn Fn(&mut automerge::transaction::Transaction<'_>) + 'a>;
    let segment_cases: Vec<(&str, Edit<'_>)> = vec![
        ("a message 5x the length limit", Box::new(message("x".repeat(5 * limits), now_ms(), None))),
        ("a message with NUL and BEL control characters", Box::new(message("evil\u{0}\u{7}".into(), now_ms(), None))),
        ("a content warning of 5,000 characters", Box::new(message("hi".into(), now_ms(), Some("x".repeat(5000))))),
        (
            "a reaction of 3,000 emoji",
            Box::new(|tx: &mut automerge::transaction::Transaction<'_>| {
                let r = tx.put_object(ROOT, format!("r{target}"), ObjType::Map).unwrap();
                tx.put(&r, "emoji", "🌱".repeat(3000)).unwrap();
                tx.put(&r, "at", ScalarValue::Timestamp(now_ms())).unwrap();
            }),
        ),
    ];
    let mut accepted = Vec::new();
    for (what, edit) in &segment_cases {
        let file = tampered(&c.bundle_of(&c.mallory), &c.mallory, |b| {
            forge::forge(forge::segment_of(b, &mallory_id), &device, edit);
        });
        if c.carol.kindred.import_bundle(&file).is_ok() {
            accepted.push(*what);
        }
    }
    // Mallory renames herself (a member may change her own name) to 200 characters with a NUL in them.
    let file = tampered(&c.bundle_of(&c.mallory), &c.mallory, |b| {
        forge::forge(forge::group_document(b), &device, |tx| {
            let me = forge::obj(tx, &forge::obj(tx, &ROOT, "members"), &mallory_id.to_hex());
            tx.put(&me, "name", format!("{}\u{0}", "m".repeat(200))).unwrap();
        });
    });
    if c.carol.kindred.import_bundle(&file).is_ok() {
        accepted.push("a display name of 201 characters with a NUL");
    }
    assert!(accepted.is_empty(), "accepted from a peer: {accepted:#?}");
}

#[test]
#[ignore = "core weakness: a message dated far in the future stays the newest; phones share no clock to judge it by, and refusing by each phone's own clock would split honest phones whose clocks differ"]
fn a_message_dated_far_in_the_future_is_not_pinned_to_the_top() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let device = Writer::another_device(&c.mallory.kindred);
    let file = tampered(&c.bundle_of(&c.mallory), &c.mallory, |b| {
        forge::forge(forge::segment_of(b, &mallory_id), &device, |tx| {
            let m = tx.put_object(ROOT, random_hex16().as_str(), ObjType::Map).unwrap();
            tx.put(&m, "by", bytes(mallory_id.as_bytes())).unwrap();
            tx.put(&m, "at", ScalarValue::Timestamp(32_503_680_000_000)).unwrap();
            tx.put(&m, "text", "pinned").unwrap();
        });
    });
    assert!(c.carol.kindred.import_bundle(&file).is_err(), "a message dated in the year 3000 was accepted");
}

#[test]
fn a_decompression_bomb_bundle_is_refused() {
    let c = Circle::new();
    // 300 MiB of zeros in a 2 MB raw-deflate stream (fixed Huffman, runs of 258), built bit by bit.
    let mut bomb = b"KINDRED-BUNDLE-2\n".to_vec();
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut put = |value: u64, count: u32| {
        acc |= value << bits;
        bits += count;
        while bits >= 8 {
            bomb.push((acc & 0xff) as u8);
            acc >>= 8;
            bits -= 8;
        }
    };
    let reversed = |code: u64, len: u32| (0..len).fold(0u64, |r, i| (r << 1) | ((code >> i) & 1));
    put(1, 1); // the final block
    put(1, 2); // fixed Huffman codes
    put(reversed(0b0011_0000, 8), 8); // one literal zero
    for _ in 0..(300 * 1024 * 1024 / 258) {
        put(reversed(0b1100_0101, 8), 8); // length 258
        put(0, 5); // distance 1
    }
    put(0, 7); // end of block
    put(0, 7);
    assert!(bomb.len() < 3 * 1024 * 1024);
    let started = Instant::now();
    assert!(matches!(
        c.carol.kindred.import_bundle(&bomb).as_ref().map_err(Error::kind),
        Err(ErrorKind::Rejected { kind: Refusal::Oversized, .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // The stream cut short, or followed by bytes it does not account for, is a damaged bundle.
    let valid = c.alice.kindred.export_bundle(&c.group).unwrap();
    let refused = |file: &[u8]| {
        matches!(
            c.carol.kindred.import_bundle(file).as_ref().map_err(Error::kind),
            Err(ErrorKind::Rejected { kind: Refusal::Malformed, .. })
        )
    };
    assert!(refused(&valid[..valid.len() - 1]));
    assert!(refused(&[valid.as_slice(), &[0]].concat()));
    c.carol.kindred.import_bundle(&valid).unwrap();
    c.still_syncs();
}

#[test]
fn equivocation_evidence_is_kept_even_when_the_rest_of_the_batch_is_refused() {
    let c = Circle::new();
    let mallory_id = c.mallory.id();
    let before = c.bundle_of(&c.mallory);
    c.mallory.say(&c.group, "the real next message");
    sync(&c.mallory, &c.carol);
    // From her state before that message: a change carol must refuse (on another device of hers), then a different
    // change at the position of the real one.
    let file = tampered(&before, &c.mallory, |b| {
        let segment = forge::segment_of(b, &mallory_id);
        forge::forge(segment, &Writer::another_device(&c.mallory.kindred), |tx| {
            tx.put(ROOT, "not a message", "x").unwrap();
        });
        forge::forge(segment, &Writer::of(&c.mallory.kindred), |tx| {
            put_message(tx, &mallory_id, "the other next message");
        });
    });
    assert!(matches!(
        c.carol.kindred.import_bundle(&file).as_ref().map_err(Error::kind),
        Err(ErrorKind::Rejected { .. })
    ));
    let (flagged, proofs) = c.carol.kindred.flagged_members(&c.group).unwrap();
    assert!(
        flagged.iter().any(|(m, _)| *m == mallory_id) && proofs >= 1,
        "the signed fork is proof on its own: {flagged:?}, {proofs}"
    );
}

/// Mal joins under the name of the group's owner. On every phone, both are shown with a short form of their key
/// after the shared name, in the member list and on their messages; Bo, whose name is his own, is shown as he is.
#[test]
fn a_member_taking_anothers_name_cannot_pass_as_them() {
    let amara = Phone::new("Amara");
    let bo = Phone::new("Bo");
    let mal = Phone::new("  AMARA ");
    let g = group_with(&amara, "Circle", &[&bo, &mal]).id;
    amara.say(&g, "I'm running late tonight");
    mal.say(&g, "Meet me outside instead");
    bo.say(&g, "OK");
    sync_all(&[&amara, &bo, &mal]);
    let short = |p: &Phone| p.id().to_hex()[..8].to_owned();
    for phone in [&amara, &bo, &mal] {
        let details = phone.kindred.group(&g).unwrap();
        let shown: Vec<(MemberId, String)> =
            details.members.iter().map(|m| (m.member_id, m.display_name.clone())).collect();
        assert!(shown.contains(&(amara.id(), format!("Amara ({})", short(&amara)))), "{}: {shown:?}", phone.name);
        assert!(shown.contains(&(mal.id(), format!("AMARA ({})", short(&mal)))), "{}: {shown:?}", phone.name);
        assert!(shown.contains(&(bo.id(), "Bo".to_owned())), "{}: {shown:?}", phone.name);
        let by_text = |text: &str| {
            phone.kindred.messages(&g, 10, None).unwrap().into_iter().find(|m| m.text == text).unwrap().author_name
        };
        assert_eq!(by_text("I'm running late tonight"), format!("Amara ({})", short(&amara)));
        assert_eq!(by_text("Meet me outside instead"), format!("AMARA ({})", short(&mal)));
        assert_eq!(by_text("OK"), "Bo");
    }
}
