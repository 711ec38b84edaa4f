//! Sync across distance through an end-to-end encrypted mailbox on an S3-compatible store: phones that never meet
//! converge (joining through it too), a removed member's phone learns nothing written after its removal, a store that
//! drops, reorders, duplicates, truncates, swaps or fills the bucket with junk delays at most, and the bucket's bytes
//! name no group, member or word. Run against a real SeaweedFS server (`kindred_scenarios::seaweed`); the hostile
//! store wraps it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kindred_core::relay::{Mailbox, RelayReport};
use kindred_core::{GroupId, NewGroup, NewMessage};
use kindred_scenarios::mailbox::{Hostile, MemoryMailbox, Misbehaviour};
use kindred_scenarios::{Phone, exchange, group_with};

const DAY_MS: i64 = 24 * 3600 * 1000;

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
    let store = MemoryMailbox::default();
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
