//! The safety plan never leaves the phone, and it reads on a full disk.
//!
//! Alice writes a plan in which every item and contact holds a marker (random per run, so it cannot be there by
//! chance), then lives an ordinary group life: she syncs with bob and carol (dialling and answering), admits dave
//! with an invitation (his first sync brings whole documents as snapshot blobs), and everyone exports bundles and
//! imports alice's. An attacker who gets any of these bytes must not find the plan. What the test proves, and how:
//!
//! 1. **Other phones' storage.** Every file in bob's, carol's and dave's data directories (the database, its WAL and
//!    shared-memory files) is searched for the marker's bytes. Read-model text is stored as plain UTF-8, so the
//!    search does see what sync brings: alice's canary message (a second random string she posts) is found there.
//!    Automerge documents are stored compressed, which a byte search cannot see into; that gap is closed by
//!    point 3, which decodes every document each phone holds of the group.
//! 2. **Every byte of the sessions.** Four sessions are recorded whole: alice dialling bob (twice: a first catch-up
//!    and a long one), carol dialling alice, and dave joining through alice; the later `sync_all` rounds are covered
//!    by point 4. The frames on the link are recorded (the tamper hook of `sync::link::run_sessions`) and searched,
//!    but they are encrypted: not even the canary shows in them, so this alone proves nothing. What proves it is the
//!    plaintext: each session records every message it sends before the channel compresses and encrypts it
//!    (`SyncSession::record_sent_messages`), and the test decodes every one completely, the way a peer running a
//!    modified app would read it: the protocol message itself, each Automerge change in it (every operation, deleted
//!    values too), and every blob reassembled from its chunks (snapshots loaded, compressed change lists inflated;
//!    the sessions are made to send both kinds). The canary is found in this decoding; the marker is not.
//! 3. **Every bundle byte.** Each phone's bundle of the group (what it holds of the group's documents) is searched
//!    raw and decoded: its fields, and every change of every document snapshot in it (the canary is found; the
//!    marker is not).
//! 4. **The code paths themselves.** Every session on alice's phone (recorded or not) and her export run under
//!    SQLite's authorizer (`testing::tables_touched`), which sees every statement as it is prepared: the safety plan's
//!    table is never read or written by them, while reading the plan does show up (a check that the watch works). So
//!    nothing in sync or export can have carried plan content, whatever its encoding, as long as the plan lives only
//!    in that table and in no memory cache (the core keeps none; `storage::safety_plan` and the core's tests).
//!
//! Each check was seen to fail when the plan was leaked on purpose (into a message, and read during an export).
//! What it does not prove: that a path not run here (a future message type, a relay upload) is clean; point 4 is the
//! guard that generalises, as any such path would have to read the plan's table. Text a person copies from their
//! plan into a message is theirs to share, and not the core's to stop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use automerge::Change;
use kindred_core::limits::DEFAULT_INVITE_VALIDITY_MS;
use kindred_core::sync::link::run_sessions;
use kindred_core::sync::wire::{Form, Message};
use kindred_core::testing::{limit_storage, tables_touched};
use kindred_core::{Error, ErrorKind, SafetyPlanStep, SyncOptions};
use kindred_scenarios::net::{Link, knows, sync, sync_all};
use kindred_scenarios::scan::{bundle_text, changes_text, files, holds, snapshot_text, unique};
use kindred_scenarios::{Phone, group_with};

/// Everything a list of messages tells the peer, fully decoded (see the module header, point 2).
fn plaintext(messages: &[Vec<u8>]) -> String {
    let mut text = String::new();
    let mut offers: HashMap<[u8; 32], Form> = HashMap::new();
    let mut blobs: HashMap<[u8; 32], Vec<u8>> = HashMap::new();
    for bytes in messages {
        text.push_str(&String::from_utf8_lossy(bytes));
        let message = Message::decode(bytes).expect("a message this phone sent decodes");
        text.push_str(&format!("{message:?}\n"));
        match message {
            Message::Changes { changes, .. } => {
                let changes: Vec<Change> = changes.into_iter().map(|c| Change::from_bytes(c).unwrap()).collect();
                text.push_str(&changes_text(&changes));
            }
            Message::Offer { hash, form, .. } => {
                offers.insert(hash, form);
            }
            Message::Chunk { hash, offset, bytes } => {
                let blob = blobs.entry(hash).or_default();
                assert_eq!(blob.len() as u64, offset, "chunks in order, from the start (no resumed transfer here)");
                blob.extend_from_slice(&bytes);
            }
            _ => {}
        }
    }
    for (hash, blob) in blobs {
        match offers.get(&hash).expect("a chunk of an offered blob") {
            Form::Snapshot => text.push_str(&snapshot_text(&blob)),
            Form::Changes => {
                let mut inflated = Vec::new();
                flate2::read::DeflateDecoder::new(blob.as_slice()).read_to_end(&mut inflated).unwrap();
                let raw: Vec<Vec<u8>> = postcard::from_bytes(&inflated).unwrap();
                let changes: Vec<Change> = raw.into_iter().map(|c| Change::from_bytes(c).unwrap()).collect();
                text.push_str(&changes_text(&changes));
            }
            Form::Bodies => {
                let mut inflated = Vec::new();
                flate2::read::DeflateDecoder::new(blob.as_slice()).read_to_end(&mut inflated).unwrap();
                let bodies: Vec<Vec<u8>> = postcard::from_bytes(&inflated).unwrap();
                for body in bodies {
                    text.push_str(&String::from_utf8_lossy(&body));
                }
            }
        }
    }
    text
}

/// What one recorded session showed: the frames as they crossed the link, and each side's plaintext messages.
#[derive(Default)]
struct Recording {
    frames: Vec<Vec<u8>>,
    /// (who sent them, their messages), one entry per side per session.
    sent: Vec<(&'static str, Vec<Vec<u8>>)>,
    /// How many blobs of each form were offered: (snapshots, lists of changes).
    blobs: (usize, usize),
}

/// `a` dials `b` over a clean link; both sessions record what they send, and the link records every frame.
fn recorded_sync(a: &Phone, b: &Phone, recording: &mut Recording) {
    let mut dialler = a.kindred.connect_sync(knows(a, b), SyncOptions::default()).unwrap();
    let mut listener = b.kindred.accept_sync(SyncOptions::default()).unwrap();
    dialler.record_sent_messages();
    listener.record_sent_messages();
    let outcome = run_sessions(&a.kindred, &b.kindred, &mut dialler, &mut listener, Link::default(), |_, _, frame| {
        recording.frames.push(frame.clone());
        vec![frame]
    });
    assert!(outcome.completed(), "{} -> {}: {:?}", a.name, b.name, outcome.ending);
    for (name, messages) in [(a.name, dialler.take_sent_messages()), (b.name, listener.take_sent_messages())] {
        for message in &messages {
            match Message::decode(message) {
                Ok(Message::Offer { form: Form::Snapshot, .. }) => recording.blobs.0 += 1,
                Ok(Message::Offer { form: Form::Changes, .. }) => recording.blobs.1 += 1,
                _ => {}
            }
        }
        recording.sent.push((name, messages));
    }
}

#[test]
fn the_safety_plan_never_leaves_the_phone() {
    let marker = unique("plan-marker");
    let canary = unique("group-canary");
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let dave = Phone::new("dave");
    let g = group_with(&alice, "Circle", &[&bob, &carol]).id;

    // Alice's plan, with the marker in every item and every contact; edited, moved and partly removed as a person
    // would, so every write path has run.
    let k = &alice.kindred;
    let mut ids = Vec::new();
    for step in SafetyPlanStep::ALL {
        let contact = step.takes_contact().then(|| format!("call {marker}"));
        ids.push(k.add_safety_plan_item(step, &format!("{step}: {marker}"), contact.as_deref()).unwrap().id);
        k.add_safety_plan_item(step, &format!("second {step} {marker}"), None).unwrap();
    }
    k.edit_safety_plan_item(&ids[0], &format!("edited {marker}"), None).unwrap();
    k.move_safety_plan_item(&ids[1], 1).unwrap();
    k.remove_safety_plan_item(&ids[2]).unwrap();
    assert!(k.export_safety_plan_text().unwrap().contains(&marker));

    // Group life that makes sessions use every form they have: a new member and a peer lacking a whole document get
    // it as a snapshot blob (more than 64 changes), a long catch-up goes as a compressed blob of changes (more than
    // 32 KiB), the rest in change batches.
    alice.say(&g, &format!("hello from alice {canary}"));
    for i in 0..400 {
        alice.say(&g, &format!("chatter {i}"));
    }
    bob.say(&g, "hello from bob");

    // Everything alice's phone does with others, under the authorizer's watch.
    let code = k.create_invite(&g, DEFAULT_INVITE_VALIDITY_MS).unwrap();
    dave.kindred.join_group(&code).unwrap();
    let mut recording = Recording::default();
    let ((), touched) = tables_touched(k, || {
        recorded_sync(&alice, &bob, &mut recording);
        recorded_sync(&carol, &alice, &mut recording);
        recorded_sync(&dave, &alice, &mut recording);
        // Enough new posts that what bob lacks goes as a list of changes in a blob (words travel beside them).
        for i in 0..300 {
            alice.say(&g, &format!("a long story, part {i}: {}", "and then ".repeat(40)));
        }
        recorded_sync(&alice, &bob, &mut recording);
        sync_all(&[&alice, &bob, &carol, &dave]);
    })
    .unwrap();
    let (alice_bundle, export_touched) = tables_touched(k, || k.export_bundle(&g).unwrap()).unwrap();
    for phone in [&bob, &carol, &dave] {
        phone.kindred.import_bundle(&alice_bundle).unwrap();
    }
    let mut bundles = vec![alice_bundle];
    bundles.extend([&bob, &carol, &dave].map(|p| p.kindred.export_bundle(&g).unwrap()));
    assert_eq!(dave.texts(&g), alice.texts(&g), "dave joined and caught up");

    // 4. The code paths: sessions (dialling and answering, a join) and the export never touched the plan's table.
    for (what, tables) in [("sync sessions", &touched), ("a bundle export", &export_touched)] {
        assert!(!tables.contains("safety_plan_items"), "{what} on alice's phone touched the safety plan: {tables:?}");
        assert!(tables.contains("documents"), "the watch saw nothing of {what}: {tables:?}");
    }
    let (_, read_touched) = tables_touched(k, || k.safety_plan().unwrap()).unwrap();
    assert_eq!(read_touched, BTreeSet::from(["safety_plan_items".to_owned()]), "the watch sees the plan being read");

    // 2. Every session: the frames are encrypted (not even the canary shows), so the plaintext decides.
    assert_eq!(recording.sent.len(), 8);
    assert!(
        recording.blobs.0 > 0 && recording.blobs.1 > 0,
        "both blob forms were sent and decoded: {:?}",
        recording.blobs
    );
    for frame in &recording.frames {
        assert!(!holds(frame, &marker), "a frame holds the marker");
        assert!(!holds(frame, &canary), "a frame holds the canary in the clear: frames are not encrypted?");
    }
    let mut canary_seen = false;
    for (sender, messages) in &recording.sent {
        let text = plaintext(messages);
        assert!(!text.contains(&marker), "{sender} sent the marker in a sync session");
        canary_seen |= *sender == "alice" && text.contains(&canary);
    }
    assert!(canary_seen, "the decoding finds what alice really sent (her canary message)");

    // 3. Every bundle, raw and decoded.
    for bytes in &bundles {
        assert!(!holds(bytes, &marker), "a bundle's bytes hold the marker");
        let text = bundle_text(bytes);
        assert!(text.contains(&canary), "the decoding reads the bundle's documents");
        assert!(!text.contains(&marker), "a bundle holds the marker");
    }

    // 1. Every other phone's files (database, WAL, shared memory), and what each shows.
    let alice_files = files(&alice.dir);
    assert!(alice_files.iter().any(|(_, bytes)| holds(bytes, &marker)), "the search finds the plan where it is");
    for phone in [&bob, &carol, &dave] {
        let phone_files = files(&phone.dir);
        assert!(phone_files.iter().any(|(name, _)| name.ends_with("-wal")), "{}: the WAL is searched too", phone.name);
        for (name, bytes) in &phone_files {
            assert!(!holds(bytes, &marker), "{name} holds alice's safety plan");
        }
        assert!(phone_files.iter().any(|(_, bytes)| holds(bytes, &canary)), "{}'s files show synced text", phone.name);
        assert!(phone.kindred.safety_plan().unwrap().is_empty());
        assert!(!phone.kindred.export_safety_plan_text().unwrap().contains(&marker));
    }
    // And alice still has her plan, all of it.
    assert_eq!(k.safety_plan().unwrap().sections.iter().map(|s| s.items.len()).sum::<usize>(), 13);
}

#[test]
fn on_a_full_disk_the_plan_still_reads_and_prints_and_writes_resume_with_space() {
    let mut alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let g = group_with(&alice, "Circle", &[&bob]).id;
    let k = &alice.kindred;
    k.add_safety_plan_item(SafetyPlanStep::People, "My sister Ana", Some("555 0101")).unwrap();
    k.add_safety_plan_item(SafetyPlanStep::Professionals, "Crisis line", Some("988")).unwrap();

    // The phone fills up (messages from a busy group, say): writes stop with StorageFull.
    limit_storage(k, Some(2)).unwrap();
    let mut full = false;
    for i in 0..5_000 {
        match alice
            .kindred
            .post(
                &g,
                kindred_core::NewMessage { text: format!("post {i} {}", "words ".repeat(20)), ..Default::default() },
            )
            .as_ref()
            .map_err(Error::kind)
        {
            Ok(_) => {}
            Err(ErrorKind::StorageFull) => {
                full = true;
                break;
            }
            Err(other) => panic!("post {i}: expected StorageFull, got {other:?}"),
        }
    }
    assert!(full, "the capped database never filled");
    // The plan's own writes run out of space too (each step takes at most 20 items; the space ends first).
    let mut acknowledged = Vec::new();
    let mut plan_full = false;
    for i in 0..200 {
        let step = SafetyPlanStep::ALL[i % 7];
        match k
            .add_safety_plan_item(step, &format!("written while full {i} {}", "x".repeat(400)), None)
            .map_err(Error::into_kind)
        {
            Ok(item) => acknowledged.push(item),
            Err(ErrorKind::StorageFull) => {
                plan_full = true;
                break;
            }
            Err(other) => panic!("expected StorageFull, got {other:?}"),
        }
    }
    assert!(plan_full, "{} plan items fitted into a full database", acknowledged.len());

    // With no free space, the plan reads and prints in full.
    let plan = k.safety_plan().unwrap();
    let people = &plan.section(SafetyPlanStep::People).unwrap().items;
    assert_eq!((people[0].text.as_str(), people[0].contact.as_deref()), ("My sister Ana", Some("555 0101")));
    for item in &acknowledged {
        assert!(plan.sections.iter().any(|s| s.items.contains(item)), "an acknowledged item was lost");
    }
    let text = k.export_safety_plan_text().unwrap();
    assert!(text.contains("My sister Ana") && text.contains("Contact: 988"), "{text}");

    // Space returns: the database is intact, writes resume, and a restart keeps everything.
    limit_storage(k, None).unwrap();
    k.check_integrity().unwrap();
    k.add_safety_plan_item(SafetyPlanStep::Reasons, "Spring", None).unwrap();
    let before = k.safety_plan().unwrap();
    alice.restart();
    assert_eq!(alice.kindred.safety_plan().unwrap(), before);
    sync(&alice, &bob);
}
