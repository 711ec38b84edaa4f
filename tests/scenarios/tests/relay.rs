//! Sync across distance through an end-to-end encrypted mailbox on an S3-compatible store: phones that never meet
//! converge (joining through it too), a removed member's phone learns nothing written after its removal, a store that
//! drops, reorders, duplicates, truncates, swaps or fills the bucket with junk delays at most, and the bucket's bytes
//! name no group, member or word. Run against a real SeaweedFS server (`kindred_scenarios::seaweed`); the hostile
//! store wraps it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kindred_core::relay::{Mailbox, RelayReport};
use kindred_core::{GroupId, NewMessage};
use kindred_scenarios::mailbox::{Hostile, Misbehaviour, OnNextPut, Put};
use kindred_scenarios::scan::{files, holds, unique};
use kindred_scenarios::seaweed::Seaweed;
use kindred_scenarios::{Phone, exchange, group_with};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// An empty bucket of its own on the real server this test binary shares.
fn bucket() -> kindred_s3::S3Mailbox {
    Seaweed::shared().mailbox_in_new_bucket()
}

fn round(phone: &Phone, group: &GroupId, store: &dyn Mailbox) -> RelayReport {
    phone.kindred.relay_sync(group, store).unwrap_or_else(|e| panic!("{}'s round: {e}", phone.name))
}

/// Rounds for every phone, in turn, `times` over.
fn rounds(phones: &[&Phone], group: &GroupId, store: &dyn Mailbox, times: usize) {
    for _ in 0..times {
        for phone in phones {
            round(phone, group, store);
        }
    }
}

fn post(phone: &Phone, group: &GroupId, text: &str) {
    phone.kindred.post(group, NewMessage { text: text.into(), ..Default::default() }).unwrap();
}

/// alice and bob meet; carol and dave never meet anyone: they join with invitations sent as text, through the
/// mailbox, and the four converge.
#[test]
fn four_phones_two_never_meeting_converge_through_the_mailbox() {
    let store = bucket();
    let (alice, bob, carol, dave) = (Phone::new("alice"), Phone::new("bob"), Phone::new("carol"), Phone::new("dave"));
    let group = group_with(&alice, "Circle", &[&bob]).id;
    post(&alice, &group, "hello from alice");
    exchange(&alice, &bob, &group);
    for joiner in [&carol, &dave] {
        let code = alice.kindred.create_invite(&group, 7 * DAY_MS).unwrap();
        joiner.kindred.join_group(&code).unwrap();
    }
    let everyone = [&alice, &bob, &carol, &dave];
    rounds(&everyone, &group, &store, 3);
    for joiner in [&carol, &dave] {
        assert!(joiner.kindred.group(&group).is_ok(), "{} joined through the mailbox", joiner.name);
    }
    post(&bob, &group, "bob, far away");
    post(&carol, &group, "carol writes");
    post(&dave, &group, "dave writes");
    rounds(&everyone, &group, &store, 3);
    let expected = alice.timeline(&group);
    assert_eq!(expected.len(), 4, "{expected:?}");
    for phone in everyone {
        assert_eq!(phone.timeline(&group), expected, "{}", phone.name);
    }
    // Once the last acknowledgements are read (they ask for none back), nothing is new: one listing request each.
    rounds(&everyone, &group, &store, 1);
    for phone in everyone {
        let report = round(phone, &group, &store);
        assert_eq!(report.requests, 1, "{}: {report:?}", phone.name);
    }
}

/// Every object in the bucket, through the store's own listing.
fn bucket_bytes(store: &dyn Mailbox) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.list("", after.as_deref()).unwrap();
        for object in &page.objects {
            out.push((object.name.clone(), store.get(&object.name).unwrap().unwrap_or_default()));
        }
        after = page.objects.last().map(|o| o.name.clone());
        if !page.more || after.is_none() {
            return out;
        }
    }
}

/// alice removes mallory; from then on alice and bob write under a key mallory's phone was never given: it reads
/// the bucket round after round and learns nothing written after the removal (nor does any file on it hold it).
#[test]
fn a_removed_members_phone_reads_the_bucket_and_learns_nothing_new() {
    let store = bucket();
    let (alice, bob, mallory) = (Phone::new("alice"), Phone::new("bob"), Phone::new("mallory"));
    let group = group_with(&alice, "Circle", &[&bob, &mallory]).id;
    let all = [&alice, &bob, &mallory];
    post(&alice, &group, "before the removal");
    rounds(&all, &group, &store, 2);
    assert!(mallory.timeline(&group).iter().any(|l| l.contains("before the removal")));
    alice.kindred.remove_member(&group, &mallory.id()).unwrap();
    rounds(&[&alice, &bob], &group, &store, 1);
    let marker = unique("after-removal");
    post(&alice, &group, &format!("{marker} alice"));
    post(&bob, &group, &format!("{marker} bob"));
    rounds(&[&alice, &bob], &group, &store, 2);
    assert!(bob.timeline(&group).iter().any(|l| l.contains(&format!("{marker} alice"))));
    for _ in 0..3 {
        let report = round(&mallory, &group, &store);
        assert_eq!(report.applied, 0, "{report:?}");
    }
    assert!(!mallory.timeline(&group).iter().any(|l| l.contains(&marker)));
    assert!(files(&mallory.dir).iter().all(|(_, bytes)| !holds(bytes, &marker)), "no file on mallory's phone holds it");
    // What mallory's phone writes after the removal (it has not heard of it) carries no authority: alice and bob
    // take none of it.
    post(&mallory, &group, "mallory after removal");
    round(&mallory, &group, &store);
    rounds(&[&alice, &bob], &group, &store, 1);
    for phone in [&alice, &bob] {
        assert!(!phone.timeline(&group).iter().any(|l| l.contains("mallory after removal")), "{}", phone.name);
    }
}

/// The bucket's bytes, names and contents, hold no word anyone wrote, no member key and no group id, in bytes or
/// in hex.
#[test]
fn a_byte_scan_of_the_bucket_finds_no_words_keys_or_group_ids() {
    let store = bucket();
    let (alice, bob) = (Phone::new("alice"), Phone::new("bob"));
    let group = group_with(&alice, "Marker group name", &[&bob]).id;
    let marker = unique("scanned-words");
    post(&alice, &group, &marker);
    post(&bob, &group, &format!("{marker} again"));
    rounds(&[&alice, &bob], &group, &store, 2);
    assert!(bob.timeline(&group).iter().any(|l| l.contains(&marker)));
    let objects = bucket_bytes(&store);
    assert!(!objects.is_empty());
    let mut needles: Vec<Vec<u8>> = vec![marker.clone().into_bytes(), b"Marker group name".to_vec()];
    needles.push(group.as_bytes().to_vec());
    needles.push(group.to_string().into_bytes());
    for phone in [&alice, &bob] {
        needles.push(phone.id().as_bytes().to_vec());
        needles.push(phone.id().to_string().into_bytes());
        needles.push(phone.id().as_bytes()[..8].to_vec());
    }
    for (name, bytes) in &objects {
        for needle in &needles {
            assert!(!holds(name.as_bytes(), needle) && !holds(bytes, needle), "{name} holds a needle");
        }
        let len = bytes.len();
        let bucket = len.is_power_of_two() || (len % 3 == 0 && (len / 3).is_power_of_two()) || len % (1024 * 1024) == 0;
        assert!(bucket && len >= 1024, "{name}: {len} bytes");
    }
}

/// A store that drops puts, scrambles and repeats its listings, serves objects truncated or under each other's
/// names, fails outright, or is filled with junk: honest phones take nothing wrong, lose nothing, and converge once
/// it behaves.
#[test]
fn a_hostile_store_delays_at_most() {
    let inner = bucket();
    let store = Hostile::new(&inner);
    let (alice, bob, carol) = (Phone::new("alice"), Phone::new("bob"), Phone::new("carol"));
    let group = group_with(&alice, "Circle", &[&bob, &carol]).id;
    let all = [&alice, &bob, &carol];
    rounds(&all, &group, &store, 2);
    let mut said = 0;
    let mut say_all = |label: &str| {
        for phone in all {
            post(phone, &group, &format!("{label} from {}", phone.name));
            said += 1;
        }
    };
    for (label, mode) in [
        ("dropped", Misbehaviour { drop_puts: true, ..Default::default() }),
        ("scrambled", Misbehaviour { scramble_listing: true, ..Default::default() }),
        ("truncated", Misbehaviour { truncate: true, ..Default::default() }),
    ] {
        say_all(label);
        store.set(mode);
        for phone in all {
            let report = round(phone, &group, &store);
            assert!(report.applied == 0 || label == "scrambled", "{label}: {report:?}");
        }
        store.set(Misbehaviour::default());
    }
    // Down: a clear error, nothing taken, nothing lost.
    say_all("while down");
    store.set(Misbehaviour { down: true, ..Default::default() });
    for phone in all {
        let err = phone.kindred.relay_sync(&group, &store).unwrap_err();
        assert!(matches!(err.kind(), kindred_core::ErrorKind::RelayUnavailable(_)), "{err}");
    }
    store.set(Misbehaviour::default());
    // Junk under the mailbox's prefix (well named and not), and objects swapped between names.
    let names: Vec<String> = bucket_bytes(&inner).into_iter().map(|(name, _)| name).collect();
    let prefix = names[0].rsplit_once('/').unwrap().0.to_owned();
    for i in 0..200u32 {
        inner.put(&format!("{prefix}/{:032x}", u128::from(i) * 7919), &vec![i as u8; 1024]).unwrap();
        inner.put(&format!("{prefix}/junk-{i}"), b"junk").unwrap();
    }
    store.swaps.lock().unwrap().insert(names[0].clone(), names[1].clone());
    store.swaps.lock().unwrap().insert(names[1].clone(), names[0].clone());
    say_all("after the junk");
    for _ in 0..4 {
        rounds(&all, &group, &store, 1);
    }
    store.swaps.lock().unwrap().clear();
    rounds(&all, &group, &store, 4);
    let expected = alice.timeline(&group);
    assert_eq!(expected.len(), said, "{expected:#?}");
    for phone in all {
        assert_eq!(phone.timeline(&group), expected, "{}", phone.name);
    }
}

/// A store whose server is stopped in the middle of a round: before a put reaches it (the put fails), and after one
/// is stored but before the round ends (the phone never hears it succeeded). Started again, nothing is lost and
/// nothing is applied twice.
#[test]
fn the_server_stopped_mid_upload_and_started_again_loses_nothing_and_applies_nothing_twice() {
    let server = std::cell::RefCell::new(Seaweed::start());
    let store = server.borrow().mailbox();
    let (alice, bob) = (Phone::new("alice"), Phone::new("bob"));
    let group = group_with(&alice, "Circle", &[&bob]).id;
    rounds(&[&alice, &bob], &group, &store, 2);
    for stop_before in [true, false] {
        for i in 0..20 {
            post(&alice, &group, &format!("message {i}, stop before the put: {stop_before}"));
        }
        let stops = OnNextPut::new(
            &store,
            Box::new(|put: Put<'_>| {
                if stop_before {
                    server.borrow_mut().stop();
                    return put();
                }
                // Stored, and the server stops before its answer reaches the phone.
                put()?;
                server.borrow_mut().stop();
                Err(kindred_core::relay::StoreError("the connection closed before the answer".into()))
            }),
        );
        let err = alice.kindred.relay_sync(&group, &stops).unwrap_err();
        assert!(matches!(err.kind(), kindred_core::ErrorKind::RelayUnavailable(_)), "{err}");
        server.borrow_mut().start_again();
        let mut applied = 0;
        for _ in 0..3 {
            round(&alice, &group, &store);
            applied += round(&bob, &group, &store).applied;
        }
        assert_eq!(applied, 20, "each change applied once (stop before the put: {stop_before})");
    }
    let expected = alice.timeline(&group);
    assert_eq!(expected.len(), 40);
    assert_eq!(bob.timeline(&group), expected);
}

/// A removal heard by two phones at once: each makes a key for the members left, both key objects reach everyone,
/// every phone ends up writing under the same one (the lowest id), and the removed member reads none of what follows.
#[test]
fn two_phones_that_rekey_at_once_converge_and_the_removed_member_still_reads_nothing() {
    let store = bucket();
    let (alice, mo, bob, mallory) = (Phone::new("alice"), Phone::new("mo"), Phone::new("bob"), Phone::new("mallory"));
    let group = group_with(&alice, "Circle", &[&mo, &bob, &mallory]).id;
    alice.kindred.add_member(&group, &mo.id(), "mo", kindred_core::Role::Moderator).unwrap();
    exchange(&alice, &mo, &group);
    rounds(&[&alice, &mo, &bob, &mallory], &group, &store, 2);
    alice.kindred.remove_member(&group, &mallory.id()).unwrap();
    exchange(&alice, &mo, &group);
    // alice and mo both know, and neither has read the other's new key: mo's whole round runs just before alice's
    // first put reaches the store.
    let mo_made = std::cell::Cell::new(0);
    let interleaved = OnNextPut::new(
        &store,
        Box::new(|put: Put<'_>| {
            mo_made.set(round(&mo, &group, &store).puts);
            put()
        }),
    );
    let alice_made = round(&alice, &group, &interleaved).puts;
    assert_eq!((alice_made, mo_made.get()), (2, 2), "each put a key object and a put");
    let marker = unique("after-two-keys");
    rounds(&[&bob, &alice, &mo], &group, &store, 2);
    for phone in [&alice, &mo, &bob] {
        post(phone, &group, &format!("{marker} {}", phone.name));
    }
    rounds(&[&alice, &mo, &bob], &group, &store, 3);
    let expected = alice.timeline(&group);
    for phone in [&mo, &bob] {
        assert_eq!(phone.timeline(&group), expected, "{}", phone.name);
    }
    assert_eq!(expected.iter().filter(|l| l.contains(&marker)).count(), 3);
    rounds(&[&mallory], &group, &store, 2);
    assert!(!mallory.timeline(&group).iter().any(|l| l.contains(&marker)));
}
