//! Check-ins and instrument results never leave the phone: not a private note, not PHQ-9 item 9.
//!
//! Alice records check-ins whose notes and tags hold a marker (random per run), and takes the PHQ-9 with a
//! distinctive answer pattern (item 9 answered 3) and the WHO-5. Then she lives an ordinary group life: syncs with
//! bob and carol (dialling and answering), and everyone exports bundles that the others import. The test proves:
//!
//! 1. **The code paths.** Every session on alice's phone and her export run under SQLite's authorizer
//!    (`testing::tables_touched`): the tables of check-ins and instrument results are never read or written by them,
//!    while reading them does show up (a check that the watch works).
//! 2. **Every bundle**, raw and decoded to every operation of every change, holds neither the marker nor alice's
//!    answer pattern (alice's canary message is found in the decoding).
//! 3. **Every other phone's files** (database, WAL, shared memory) hold neither, and their own check-in and
//!    instrument lists are empty.
//!
//! The marker search on alice's own files finds it (the search works); the session plaintext itself is covered in
//! `safety_plan.rs`, and point 1 is what generalises: anything that carried this data would have to read its tables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use kindred_core::NewCheckin;
use kindred_core::testing::tables_touched;
use kindred_scenarios::net::{sync, sync_all};
use kindred_scenarios::scan::{bundle_text, files, holds, unique};
use kindred_scenarios::{Phone, group_with};

/// Alice's PHQ-9 answers: item 9 (thoughts of self-harm) is 3. A pattern no other data here has.
const PHQ9: [u8; 9] = [3, 2, 1, 0, 3, 2, 1, 0, 3];

#[test]
fn check_ins_and_instrument_answers_never_leave_the_phone() {
    let marker = unique("note-marker");
    let canary = unique("group-canary");
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let carol = Phone::new("carol");
    let g = group_with(&alice, "Circle", &[&bob, &carol]).id;
    let k = &alice.kindred;

    for mood in [2, 3] {
        k.record_checkin(NewCheckin {
            mood,
            tags: vec![format!("tag {}", &marker[..20])],
            note: Some(format!("private note {marker}")),
            ..Default::default()
        })
        .unwrap();
    }
    let outcome = k.take_instrument("phq9", &PHQ9, None).unwrap();
    assert!(outcome.result.score.crisis, "item 9 above 0");
    k.take_instrument("who5", &[1, 2, 1, 2, 1], None).unwrap();
    alice.say(&g, &format!("hello {canary}"));
    bob.say(&g, "hello from bob");

    // 1. Everything alice's phone does with others, under the authorizer's watch.
    let ((), touched) = tables_touched(k, || {
        sync(&alice, &bob);
        sync(&carol, &alice);
        sync_all(&[&alice, &bob, &carol]);
    })
    .unwrap();
    let (alice_bundle, export_touched) = tables_touched(k, || k.export_bundle(&g).unwrap()).unwrap();
    let private = ["checkins", "checkin_tags", "instrument_results"];
    for (what, tables) in [("sync sessions", &touched), ("a bundle export", &export_touched)] {
        for table in private {
            assert!(!tables.contains(table), "{what} on alice's phone touched {table}: {tables:?}");
        }
        assert!(tables.contains("documents"), "the watch saw nothing of {what}: {tables:?}");
    }
    let (_, read_touched) = tables_touched(k, || k.instrument_history("phq9", 0, i64::MAX).unwrap()).unwrap();
    assert_eq!(read_touched, BTreeSet::from(["instrument_results".to_owned()]), "the watch sees results read");

    // 2. Every bundle, raw and decoded.
    for phone in [&bob, &carol] {
        phone.kindred.import_bundle(&alice_bundle).unwrap();
    }
    let mut bundles = vec![alice_bundle];
    bundles.extend([&bob, &carol].map(|p| p.kindred.export_bundle(&g).unwrap()));
    for bytes in &bundles {
        assert!(!holds(bytes, &marker) && !holds(bytes, PHQ9), "a bundle's bytes hold alice's private data");
        let text = bundle_text(bytes);
        assert!(text.contains(&canary), "the decoding reads the bundle's documents");
        assert!(!text.contains(&marker), "a bundle holds the note marker");
        assert!(!text.contains(&format!("{:?}", &PHQ9[..])), "a bundle holds alice's answers");
    }

    // 3. Every other phone's files, and what each lists.
    assert!(files(&alice.dir).iter().any(|(_, bytes)| holds(bytes, &marker)), "the search finds the note at home");
    assert!(files(&alice.dir).iter().any(|(_, bytes)| holds(bytes, PHQ9)), "and the answers");
    for phone in [&bob, &carol] {
        for (name, bytes) in files(&phone.dir) {
            assert!(!holds(&bytes, &marker), "{name} holds alice's private note");
            assert!(!holds(&bytes, PHQ9), "{name} holds alice's PHQ-9 answers");
        }
        assert!(phone.kindred.recent_checkins(30).unwrap().is_empty());
        assert!(phone.kindred.instrument_history("phq9", 0, i64::MAX).unwrap().is_empty());
    }
    assert_eq!(k.instrument_history("phq9", 0, i64::MAX).unwrap()[0].answers, PHQ9);
}
