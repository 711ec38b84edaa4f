//! No document length wedges sync: a message segment with a very long history (one busy member's 100,000 edits,
//! arriving from a modified or simply very active app) catches up to another member over a link that drops, reaches a
//! newcomer on their first sync, and travels in a bundle, in bounded frames and resumably, and every phone shows the
//! same thing afterwards.
//!
//! `KINDRED_LONG_HISTORY` sets the number of changes (100,000 by default).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use automerge::ROOT;
use automerge::transaction::Transactable;
use kindred_core::NewMessage;
use kindred_core::limits::DEFAULT_INVITE_VALIDITY_MS;
use kindred_scenarios::forge::{self, Writer};
use kindred_scenarios::net::{Ending, Link, connect, sync};
use kindred_scenarios::{Phone, group_with};

fn changes_wanted() -> usize {
    std::env::var("KINDRED_LONG_HISTORY").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

#[test]
fn a_document_of_a_hundred_thousand_changes_syncs_joins_and_exports() {
    let n = changes_wanted();
    let alice = Phone::new("alice");
    let bob = Phone::new("bob");
    let dave = Phone::new("dave");
    let g = group_with(&alice, "Circle", &[&bob, &dave]).id;
    let message = bob.kindred.post(&g, NewMessage { text: "edit 0".into(), ..Default::default() }).unwrap();
    sync(&bob, &alice);

    // Bob's app edits his message n times (made here by hand: through the API it would take minutes of fsyncs).
    let started = std::time::Instant::now();
    let mut bundle = forge::unseal(&bob.kindred.export_bundle(&g).unwrap());
    let writer = Writer::of(&bob.kindred);
    let segment = forge::segment_of(&mut bundle, &bob.id());
    let mut doc = forge::load(segment).with_actor(writer.actor.clone());
    let key = message.id.to_hex();
    let obj = forge::obj(&doc, &ROOT, &key);
    let mut last = None;
    // Each edit names a new body (the words travel beside the history); only the last one's words are kept.
    let (final_hash, final_body) = kindred_core::testing::body_for(&format!("edit {n}"), None).unwrap();
    for i in 1..=n {
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&(i as u64).to_be_bytes());
        if i == n {
            hash = final_hash;
        }
        let mut tx = doc.transaction();
        tx.put(&obj, "body", automerge::ScalarValue::Bytes(hash.to_vec())).unwrap();
        tx.commit();
        last = doc.get_last_local_change();
    }
    forge::vouch(segment, &mut doc, &writer, &last.unwrap());
    bundle.bodies.push(final_body);
    let file = forge::seal(bundle, &bob.kindred);
    eprintln!("{n} changes made in {:?}; bundle {} B", started.elapsed(), file.len());

    let started = std::time::Instant::now();
    let report = bob.kindred.import_bundle(&file).unwrap();
    eprintln!("imported on bob's phone in {:?}: {:?}", started.elapsed(), report.report);
    assert_eq!(report.report.applied, n as u64);
    let expected = format!("edit {n}");
    assert_eq!(bob.kindred.messages(&g, 10, None).unwrap()[0].text, expected);

    // Alice catches up over a link of 1 KiB frames that drops every 6 KB: each connection resumes the transfer.
    let started = std::time::Instant::now();
    let link = Link { max_frame: 1024, drop_after_bytes: Some(6 * 1024), bytes_per_second: None };
    let (mut connections, mut bytes, mut largest) = (0, 0, 0);
    loop {
        connections += 1;
        let outcome = connect(&alice, &bob, link);
        bytes += outcome.bytes;
        largest = largest.max(outcome.largest_frame);
        if outcome.completed() {
            break;
        }
        assert_eq!(outcome.ending, Ending::Dropped);
        assert!(connections < 200, "no progress after {connections} connections");
    }
    eprintln!(
        "alice caught up: {connections} connections, {bytes} B, largest frame {largest} B, {:?}",
        started.elapsed()
    );
    assert!(largest <= 1024 && connections > 1, "{connections} connections, largest frame {largest} B");
    assert_eq!(alice.kindred.messages(&g, 10, None).unwrap()[0].text, expected);

    // A newcomer joins through alice, and dave, who has not synced since the start, takes alice's bundle.
    let carol = Phone::new("carol");
    carol.kindred.join_group(&alice.kindred.create_invite(&g, DEFAULT_INVITE_VALIDITY_MS).unwrap()).unwrap();
    let started = std::time::Instant::now();
    let outcome = sync(&carol, &alice);
    eprintln!("carol joined: {} B, largest frame {} B, {:?}", outcome.bytes, outcome.largest_frame, started.elapsed());
    assert!(outcome.largest_frame <= 32 * 1024);
    let file = alice.kindred.export_bundle(&g).unwrap();
    dave.kindred.import_bundle(&file).unwrap();
    sync(&bob, &alice);
    for p in [&alice, &carol, &dave] {
        assert_eq!(p.view(&g), bob.view(&g), "{} differs from bob", p.name);
    }
}
