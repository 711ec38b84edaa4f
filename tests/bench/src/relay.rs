//! The relay mailbox against a real S3-compatible server (SeaweedFS, started for the run by
//! `kindred_scenarios::seaweed`): what a reconnect with nothing new, a catch-up and a newcomer's join cost in store
//! requests and bytes. Bytes are everything put and fetched by the phones involved, padding and encryption included,
//! to compare with direct sync's `sync_100x100_bytes` and `join_10k_bytes`.

use std::error::Error;
use std::path::Path;

use kindred_core::relay::{Mailbox, RelayReport};
use kindred_core::{GroupId, Kindred, NewGroup};

use crate::kindred_side::{KindredHistory, create_profile};
use crate::sync_side::{drafts, invite, latest_ids, post_history, prepare_join};

/// The relay's figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct RelayFigures {
    pub noop_requests: u64,
    pub catchup_requests: u64,
    pub catchup_bytes: u64,
    pub join_bytes: u64,
    pub join_requests: u64,
    /// What the newcomer fetched (the history as it came down; the member put as much up).
    pub join_fetched_bytes: u64,
    pub join_rounds: u64,
}

fn add(total: &mut (u64, u64), report: &RelayReport) {
    total.0 += u64::from(report.requests);
    total.1 += report.bytes_sent + report.bytes_received;
}

/// Rounds for each phone in turn until a whole pass makes no put; returns the requests and bytes of all of them.
fn settle(phones: &[&Kindred], group: &GroupId, store: &dyn Mailbox) -> Result<(u64, u64), Box<dyn Error>> {
    let mut total = (0, 0);
    for _ in 0..8 {
        let mut quiet = true;
        for phone in phones {
            let report = phone.relay_sync(group, store)?;
            quiet &= report.puts == 0 && report.objects_taken == 0;
            add(&mut total, &report);
        }
        if quiet {
            return Ok(total);
        }
    }
    Err("the mailbox did not settle in 8 passes".into())
}

/// Measures the three figures on `store` (an empty bucket): `history` messages half by each of two members, `new`
/// more by each while apart, and the join of `source`'s group by a newcomer.
pub fn measure(
    store: &dyn Mailbox,
    dir: &Path,
    history: usize,
    new: usize,
    source: &KindredHistory,
    seed: u64,
) -> Result<RelayFigures, Box<dyn Error>> {
    let mut f = RelayFigures::default();
    let alice = create_profile(&dir.join("alice"), "Alice", true)?;
    let bob = create_profile(&dir.join("bob"), "Bob", true)?;
    let group = alice.create_group(NewGroup { name: "Tuesday circle".into(), ..NewGroup::default() })?.id;
    post_history(&alice, &group, history / 2, seed)?;
    invite(&alice, &bob, &group)?;
    settle(&[&bob, &alice], &group, store)?;
    post_history(&bob, &group, history - history / 2, seed + 3)?;
    settle(&[&alice, &bob], &group, store)?;

    f.noop_requests = u64::from(alice.relay_sync(&group, store)?.requests);

    for message in drafts(new, seed + 1) {
        alice.post(&group, message)?;
    }
    for message in drafts(new, seed + 2) {
        bob.post(&group, message)?;
    }
    // alice puts hers; bob takes them and puts his; alice takes his (and acknowledges, which bob reads).
    let mut catchup = (0, 0);
    for phone in [&alice, &bob, &alice] {
        add(&mut catchup, &phone.relay_sync(&group, store)?);
    }
    let page = u32::try_from(2 * new).unwrap_or(u32::MAX).min(kindred_core::limits::MAX_PAGE);
    if latest_ids(&alice, &group, page)? != latest_ids(&bob, &group, page)? {
        return Err("after the relay catch-up the phones show different latest messages".into());
    }
    (f.catchup_requests, f.catchup_bytes) = catchup;

    // A newcomer joins a long group through the mailbox alone: its request, the admission and history, its join.
    let (member, joiner) = prepare_join(source, &dir.join("join"))?;
    let mut join = (0, 0);
    let mut rounds = 0;
    while member.group(&source.group).is_ok() && joiner.group(&source.group).is_err() && rounds < 6 {
        for phone in [&joiner, &member] {
            let report = phone.relay_sync(&source.group, store)?;
            if std::ptr::eq(phone, &joiner) {
                f.join_fetched_bytes += report.bytes_received;
            }
            add(&mut join, &report);
        }
        rounds += 1;
    }
    let last = joiner.relay_sync(&source.group, store)?;
    f.join_fetched_bytes += last.bytes_received;
    add(&mut join, &last);
    let page = crate::kindred_side::PAGE;
    if latest_ids(&joiner, &source.group, page)? != latest_ids(&member, &source.group, page)? {
        return Err("after the relay join the newcomer shows different latest messages".into());
    }
    (f.join_requests, f.join_bytes) = join;
    f.join_rounds = rounds;
    Ok(f)
}
