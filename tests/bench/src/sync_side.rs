//! Kindred's sync sessions, measured over the core's in-process simulated link (`kindred_core::sync::link`): whole
//! profiles on disk, a real session on each side (Noise handshake, digests, clocks, signed batches, snapshot
//! transfers), every byte of every frame counted in both directions. One function per metric; each builds its own
//! phones in its own directory, so a failure in one leaves the others' figures standing.
//!
//! A session that does not complete is reported as a failure with its numbers (bytes, frames, flights and the
//! session's error), never worked around: the bench prints it and carries on.

use std::error::Error;
use std::path::Path;

use kindred_core::limits::DEFAULT_INVITE_VALIDITY_MS;
use kindred_core::sync::link::{self, Ending, Link, Outcome};
use kindred_core::{Bundle, GroupId, Kindred, MemberId, MessageId, NewGroup, NewMessage};

use crate::kindred_side::{KindredHistory, copy_dir, create_profile, open_profile};
use crate::workload::Workload;

/// The simulated link's speed, for the simulated seconds: about what Bluetooth LE gives in practice.
pub const BYTES_PER_SECOND: u64 = 20_000;
/// The dropping link of the resumable-join target: it dies after this many bytes, each connection afresh.
pub const DROP_EVERY_BYTES: u64 = 64 * 1024;
/// A join over the dropping link that has not completed after this many connections is a failure.
const MAX_CONNECTIONS: u64 = 100;
/// ... as is one where this many connections in a row end in something other than the link dropping.
const MAX_REFUSALS_IN_A_ROW: u64 = 3;
/// Setting up: sync until a session finds nothing new, at most this many times.
const SETTLE_CONNECTIONS: usize = 4;
/// Messages per `post_many` call while building histories.
const BATCH: usize = 1000;

/// A clean link at the simulated speed, with the default 32 KiB frames.
fn clean_link() -> Link {
    Link { bytes_per_second: Some(BYTES_PER_SECOND), ..Link::default() }
}

/// One connection's traffic (both directions).
#[derive(Debug, Clone, Copy, Default)]
pub struct Traffic {
    pub bytes: u64,
    pub frames: u64,
    pub flights: u64,
    pub largest_frame: u64,
    /// At [`BYTES_PER_SECOND`].
    pub seconds: f64,
}

impl From<&Outcome> for Traffic {
    fn from(o: &Outcome) -> Self {
        Traffic {
            bytes: o.bytes,
            frames: o.frames,
            flights: o.flights,
            largest_frame: o.largest_frame,
            seconds: o.simulated_seconds,
        }
    }
}

/// How a connection went, in one line, for errors and progress.
fn describe(o: &Outcome) -> String {
    format!(
        "{} B in {} frames, {} flights, largest frame {} B, {}",
        o.bytes, o.frames, o.flights, o.largest_frame, o.ending
    )
}

/// Whether `a` holds `b` as a member of one of its groups; then it dials `b` expecting that key (Noise KK).
fn knows(a: &Kindred, b: &Kindred) -> Result<Option<MemberId>, Box<dyn Error>> {
    let b_id = b.profile().member_id;
    Ok(a.knows_member(&b_id)?.then_some(b_id))
}

/// Every connection of the run goes through here, so the largest frame seen on any link is known.
#[derive(Debug, Default)]
pub struct Net {
    pub largest_frame: u64,
    pub connections: u64,
}

impl Net {
    /// `a` dials `b` over `link` (KK if `a` knows `b`, XX otherwise) and runs the session to its end.
    pub fn connect(&mut self, a: &Kindred, b: &Kindred, link: Link) -> Result<Outcome, Box<dyn Error>> {
        let expected = knows(a, b)?;
        let outcome = link::connect(a, b, expected, link)?;
        self.largest_frame = self.largest_frame.max(outcome.largest_frame);
        self.connections += 1;
        Ok(outcome)
    }

    /// Connects over a clean link and insists that the session completes.
    fn sync(&mut self, a: &Kindred, b: &Kindred, what: &str) -> Result<Outcome, Box<dyn Error>> {
        let outcome = self.connect(a, b, clean_link())?;
        if !outcome.completed() {
            return Err(format!("{what}: the session did not complete ({})", describe(&outcome)).into());
        }
        Ok(outcome)
    }

    /// Syncs until a session finds nothing new on either side.
    fn settle(&mut self, a: &Kindred, b: &Kindred, what: &str) -> Result<(), Box<dyn Error>> {
        for _ in 0..SETTLE_CONNECTIONS {
            let outcome = self.sync(a, b, what)?;
            if outcome.dialler.nothing_new && outcome.listener.nothing_new {
                return Ok(());
            }
        }
        Err(format!("{what}: still not in step after {SETTLE_CONNECTIONS} sessions").into())
    }
}

/// `count` messages of the seeded workload.
pub(crate) fn drafts(count: usize, seed: u64) -> Vec<NewMessage> {
    let mut workload = Workload::new(seed, count);
    (0..count).map(|_| NewMessage { text: workload.draft().text, ..NewMessage::default() }).collect()
}

pub(crate) fn post_history(me: &Kindred, group: &GroupId, count: usize, seed: u64) -> Result<(), Box<dyn Error>> {
    let mut all = drafts(count, seed);
    while !all.is_empty() {
        let rest = all.split_off(all.len().min(BATCH));
        me.post_many(group, all)?;
        all = rest;
    }
    Ok(())
}

/// The ids of a group's `count` newest messages on one phone.
pub(crate) fn latest_ids(me: &Kindred, group: &GroupId, count: u32) -> Result<Vec<MessageId>, Box<dyn Error>> {
    Ok(me.messages(group, count, None)?.into_iter().map(|m| m.id).collect())
}

/// Invites `joiner` to `group` (as `member`) and has it accept the code; the first sync with `member` admits it.
pub(crate) fn invite(member: &Kindred, joiner: &Kindred, group: &GroupId) -> Result<(), Box<dyn Error>> {
    let code = member.create_invite(group, DEFAULT_INVITE_VALIDITY_MS)?;
    joiner.join_group(&code)?;
    Ok(())
}

/// A reconnect with nothing new between two phones sharing `groups` groups.
#[derive(Debug, Clone, Copy)]
pub struct Noop {
    pub traffic: Traffic,
    /// Both sessions ended at the Hello.
    pub nothing_new: bool,
    /// The first reconnect after both phones made a slot's sealed items (reports or cover: `kindred_core::sealed`),
    /// nothing else new: what the steady rate of sealed items costs a link, per slot.
    pub slot: Traffic,
}

/// Alice and bob share `groups` groups, each with `per_side` messages from each of them, fully synced; alice dials
/// bob again (KK: they know each other) with nothing new on either side.
pub fn measure_noop(
    net: &mut Net,
    dir: &Path,
    groups: usize,
    per_side: usize,
    seed: u64,
    encrypted: bool,
) -> Result<Noop, Box<dyn Error>> {
    let alice = create_profile(&dir.join("alice"), "Alice", encrypted)?;
    let bob = create_profile(&dir.join("bob"), "Bob", encrypted)?;
    let mut ids = Vec::new();
    for i in 0..groups {
        let group = alice.create_group(NewGroup { name: format!("Circle {}", i + 1), ..NewGroup::default() })?.id;
        invite(&alice, &bob, &group)?;
        ids.push(group);
    }
    net.sync(&bob, &alice, "bob joining the groups")?;
    let held = bob.groups()?.len();
    if held != groups {
        return Err(format!("bob joined {held} of {groups} groups in his first session").into());
    }
    for (i, group) in ids.iter().enumerate() {
        post_history(&alice, group, per_side, seed + 2 * i as u64)?;
        post_history(&bob, group, per_side, seed + 2 * i as u64 + 1)?;
    }
    net.settle(&alice, &bob, "syncing the histories")?;
    let outcome = net.connect(&alice, &bob, clean_link())?;
    if !outcome.completed() {
        return Err(format!("the reconnect did not complete ({})", describe(&outcome)).into());
    }
    kindred_core::testing::next_sealed_slot(&alice)?;
    kindred_core::testing::next_sealed_slot(&bob)?;
    let slot = net.connect(&alice, &bob, clean_link())?;
    if !slot.completed() {
        return Err(format!("the reconnect after a slot did not complete ({})", describe(&slot)).into());
    }
    Ok(Noop {
        traffic: Traffic::from(&outcome),
        nothing_new: outcome.dialler.nothing_new && outcome.listener.nothing_new,
        slot: Traffic::from(&slot),
    })
}

/// Catching up after both phones wrote while apart.
#[derive(Debug, Clone, Copy)]
pub struct CatchUp {
    pub traffic: Traffic,
    /// Changes applied by the dialler (alice) and the listener (bob).
    pub applied: (u64, u64),
}

/// A group with `history` messages, half by alice and half by bob (who joined by invitation), fully synced; then
/// each posts `new` messages one by one (durable, signed) while apart; then alice dials bob. Half from each means
/// both phones append to a segment they already share, the everyday case (with all the history by alice, at
/// 1,000 messages her segment would be exactly full and her new messages would open a new document).
pub fn measure_catch_up(
    net: &mut Net,
    dir: &Path,
    history: usize,
    new: usize,
    seed: u64,
    encrypted: bool,
) -> Result<CatchUp, Box<dyn Error>> {
    let alice = create_profile(&dir.join("alice"), "Alice", encrypted)?;
    let bob = create_profile(&dir.join("bob"), "Bob", encrypted)?;
    let group = alice.create_group(NewGroup { name: "Tuesday circle".into(), ..NewGroup::default() })?.id;
    post_history(&alice, &group, history / 2, seed)?;
    invite(&alice, &bob, &group)?;
    net.sync(&bob, &alice, "bob joining")?;
    post_history(&bob, &group, history - history / 2, seed + 3)?;
    net.settle(&alice, &bob, "syncing the history")?;
    for message in drafts(new, seed + 1) {
        alice.post(&group, message)?;
    }
    for message in drafts(new, seed + 2) {
        bob.post(&group, message)?;
    }
    let outcome = net.connect(&alice, &bob, clean_link())?;
    if !outcome.completed() {
        return Err(format!("the catch-up did not complete ({})", describe(&outcome)).into());
    }
    let page = u32::try_from(2 * new).unwrap_or(u32::MAX).min(kindred_core::limits::MAX_PAGE);
    if latest_ids(&alice, &group, page)? != latest_ids(&bob, &group, page)? {
        return Err(
            format!("after the catch-up ({}) the phones show different latest messages", describe(&outcome)).into()
        );
    }
    Ok(CatchUp {
        traffic: Traffic::from(&outcome),
        applied: (outcome.dialler.changes_applied, outcome.listener.changes_applied),
    })
}

/// The size of a group as stored: its documents' `save()` snapshots.
#[derive(Debug, Clone, Copy)]
pub struct GroupSize {
    pub documents: usize,
    /// Sum of the documents' `save()` sizes, and the message bodies (the words, which travel beside the documents:
    /// `docs/erasure.md`) deflated together: the group's compressed size.
    pub snapshot_bytes: u64,
    /// The signed bundle file of the group (DEFLATE over the snapshots and their vouchers).
    pub bundle_file_bytes: u64,
}

/// Measured from `member.export_bundle`: a bundle holds one `save()` snapshot per document of the group (with the
/// signed heads and certificates that vouch for them), so the snapshots' sizes add up to the group's compressed size.
pub fn group_size(member: &Kindred, group: &GroupId) -> Result<GroupSize, Box<dyn Error>> {
    use std::io::Write as _;
    let file = member.export_bundle(group)?;
    let bundle = Bundle::from_file_bytes(&file)?;
    let mut words = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    for body in &bundle.bodies {
        words.write_all(body)?;
    }
    let words = words.finish()?.len() as u64;
    Ok(GroupSize {
        documents: bundle.documents.len(),
        snapshot_bytes: bundle.documents.iter().map(|d| d.snapshot.len() as u64).sum::<u64>() + words,
        bundle_file_bytes: file.len() as u64,
    })
}

/// A copy of the generated history's profile (the member) and a new profile holding an invitation to its group.
pub(crate) fn prepare_join(source: &KindredHistory, dir: &Path) -> Result<(Kindred, Kindred), Box<dyn Error>> {
    copy_dir(&source.dir, &dir.join("member"))?;
    let member = open_profile(&dir.join("member"), source.encrypted)?;
    let joiner = create_profile(&dir.join("joiner"), "Newcomer", source.encrypted)?;
    invite(&member, &joiner, &source.group)?;
    Ok((member, joiner))
}

/// After a join: one more session over a clean link, which should find nothing new, and the same latest page.
#[derive(Debug, Clone, Copy)]
pub struct Followup {
    pub traffic: Traffic,
    pub nothing_new: bool,
}

fn follow_up(net: &mut Net, joiner: &Kindred, member: &Kindred, group: &GroupId) -> Result<Followup, Box<dyn Error>> {
    let outcome = net.sync(joiner, member, "the session after the join")?;
    let page = crate::kindred_side::PAGE;
    if latest_ids(joiner, group, page)? != latest_ids(member, group, page)? {
        return Err("after the join the newcomer shows different latest messages".into());
    }
    Ok(Followup {
        traffic: Traffic::from(&outcome),
        nothing_new: outcome.dialler.nothing_new && outcome.listener.nothing_new,
    })
}

/// A new member's first sync of a long group.
#[derive(Debug, Clone, Copy)]
pub struct Join {
    pub traffic: Traffic,
    pub changes_applied: u64,
    /// Milliseconds the newcomer's side spent taking in what arrived.
    pub ingest_ms: f64,
    pub snapshot_bytes_sent: u64,
    /// The group as the member stores it after admitting the newcomer (what was sent).
    pub size: GroupSize,
    pub followup: Followup,
}

/// A newcomer with an invitation dials a member of the generated group (XX: the member does not know it yet) over
/// a clean link; the session admits it and brings the whole group over.
pub fn measure_join(net: &mut Net, source: &KindredHistory, dir: &Path) -> Result<Join, Box<dyn Error>> {
    let (member, joiner) = prepare_join(source, dir)?;
    let outcome = net.connect(&joiner, &member, clean_link())?;
    if !outcome.completed() || !outcome.dialler.joined.contains(&source.group) {
        return Err(
            format!("the join did not complete ({}; joined {:?})", describe(&outcome), outcome.dialler.joined).into()
        );
    }
    let followup = follow_up(net, &joiner, &member, &source.group)?;
    Ok(Join {
        traffic: Traffic::from(&outcome),
        changes_applied: outcome.dialler.changes_applied,
        ingest_ms: outcome.dialler_busy.as_secs_f64() * 1000.0,
        snapshot_bytes_sent: outcome.listener.snapshot_bytes_sent,
        size: group_size(&member, &source.group)?,
        followup,
    })
}

/// The same join over a link that drops every [`DROP_EVERY_BYTES`], reconnecting until a session completes.
#[derive(Debug, Clone, Default)]
pub struct DroppingJoin {
    pub completed: bool,
    pub connections: u64,
    /// Over all connections, including the part of a frame cut off by each drop.
    pub bytes: u64,
    pub seconds: f64,
    pub snapshot_bytes_sent: u64,
    /// Snapshot bytes a resumed transfer did not send again.
    pub snapshot_bytes_resumed: u64,
    /// Why the last connection ended, if the join never completed.
    pub last_error: Option<String>,
    pub followup: Option<Followup>,
}

/// Returns the figures whether or not the join completed (`completed` says); `Err` only for failing to set up.
pub fn measure_join_dropping(
    net: &mut Net,
    source: &KindredHistory,
    dir: &Path,
) -> Result<DroppingJoin, Box<dyn Error>> {
    let (member, joiner) = prepare_join(source, dir)?;
    let link =
        Link { drop_after_bytes: Some(DROP_EVERY_BYTES), bytes_per_second: Some(BYTES_PER_SECOND), ..Link::default() };
    let mut out = DroppingJoin::default();
    let mut refusals_in_a_row = 0;
    while out.connections < MAX_CONNECTIONS {
        let outcome = net.connect(&joiner, &member, link)?;
        out.connections += 1;
        out.bytes += outcome.bytes;
        out.seconds += outcome.simulated_seconds;
        out.snapshot_bytes_sent += outcome.listener.snapshot_bytes_sent;
        out.snapshot_bytes_resumed += outcome.listener.snapshot_bytes_resumed;
        eprintln!(
            "    connection {}: {} (snapshot sent {} B, resumed past {} B)",
            out.connections,
            describe(&outcome),
            outcome.listener.snapshot_bytes_sent,
            outcome.listener.snapshot_bytes_resumed
        );
        if outcome.completed() {
            out.completed = true;
            out.last_error = None;
            break;
        }
        let dropped = outcome.ending == Ending::Dropped;
        out.last_error = Some(outcome.ending.to_string());
        refusals_in_a_row = if dropped { 0 } else { refusals_in_a_row + 1 };
        if refusals_in_a_row >= MAX_REFUSALS_IN_A_ROW {
            break;
        }
    }
    if out.completed {
        out.followup = Some(follow_up(net, &joiner, &member, &source.group)?);
    }
    Ok(out)
}
