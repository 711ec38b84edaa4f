//! The sync baselines: raw automerge 0.12 sync between two documents of the research schema (see `automerge_side`),
//! measured the way the measurements that set this project's targets did, so Kindred's sessions
//! sit beside them from the same run.
//!
//! The harness is half-duplex ping-pong: A speaks first, turns alternate, one `generate_sync_message` per turn, and
//! the run stops after two consecutive silent turns. Every message goes through `Message::encode` -> bytes ->
//! `Message::decode`; bytes are counted in both directions, and a flight is one message (one way). Between
//! connections each side keeps its `sync::State` as a phone would, through `State::encode` / `State::decode`.

use std::error::Error;
use std::path::Path;

use automerge::sync::{Message, State, SyncDoc};
use automerge::{ActorId, Automerge, ReadDoc};

use crate::automerge_side;
use crate::workload::Workload;

/// A ping-pong that has not gone quiet after this many turns is a failure, not a measurement.
const MAX_TURNS: usize = 200;

/// One connection's traffic.
#[derive(Debug, Clone, Copy, Default)]
pub struct PingPong {
    /// Both directions.
    pub bytes: u64,
    /// One-way messages.
    pub flights: u64,
    pub largest_message: u64,
}

/// Syncs `a` and `b` until both are quiet, `a` speaking first, and checks that they converged.
pub fn ping_pong(
    a: &mut Automerge,
    a_state: &mut State,
    b: &mut Automerge,
    b_state: &mut State,
) -> Result<PingPong, Box<dyn Error>> {
    let mut out = PingPong::default();
    let mut silent_turns = 0;
    for turn in 0..MAX_TURNS {
        let a_speaks = turn % 2 == 0;
        let message = if a_speaks { a.generate_sync_message(a_state) } else { b.generate_sync_message(b_state) };
        let Some(message) = message else {
            silent_turns += 1;
            if silent_turns == 2 {
                if a.get_heads() != b.get_heads() {
                    return Err("automerge sync went quiet before the documents converged".into());
                }
                return Ok(out);
            }
            continue;
        };
        silent_turns = 0;
        let bytes = message.encode();
        out.bytes += bytes.len() as u64;
        out.flights += 1;
        out.largest_message = out.largest_message.max(bytes.len() as u64);
        let decoded = Message::decode(&bytes)?;
        if a_speaks {
            b.receive_sync_message(b_state, decoded)?;
        } else {
            a.receive_sync_message(a_state, decoded)?;
        }
    }
    Err(format!("automerge sync still talking after {MAX_TURNS} turns").into())
}

/// A sync state as it comes back from storage between two connections.
fn persisted(state: &State) -> Result<State, Box<dyn Error>> {
    Ok(State::decode(&state.encode())?)
}

/// Two phones that have synced a document once and kept their sync states.
struct Pair {
    a: Automerge,
    a_state: State,
    b: Automerge,
    b_state: State,
}

impl Pair {
    /// `b` starts empty and receives `a` in a full sync; both keep their states.
    fn synced(mut a: Automerge, b_actor: ActorId) -> Result<Self, Box<dyn Error>> {
        let mut b = Automerge::new().with_actor(b_actor);
        let (mut a_state, mut b_state) = (State::new(), State::new());
        ping_pong(&mut a, &mut a_state, &mut b, &mut b_state)?;
        Ok(Self { a_state: persisted(&a_state)?, b_state: persisted(&b_state)?, a, b })
    }

    /// Reconnects with the persisted states.
    fn reconnect(&mut self) -> Result<PingPong, Box<dyn Error>> {
        self.a_state = persisted(&self.a_state)?;
        self.b_state = persisted(&self.b_state)?;
        ping_pong(&mut self.a, &mut self.a_state, &mut self.b, &mut self.b_state)
    }

    /// Reconnects as if neither side had kept a sync state, on copies (this pair is left as it was).
    fn reconnect_fresh(&self) -> Result<PingPong, Box<dyn Error>> {
        let (mut a, mut b) = (self.a.clone(), self.b.clone());
        ping_pong(&mut a, &mut State::new(), &mut b, &mut State::new())
    }
}

/// Appends `count` messages of the seeded workload to `doc` as member `member`.
fn post(doc: &mut Automerge, member: usize, count: usize, seed: u64) -> Result<(), Box<dyn Error>> {
    let list = automerge_side::messages_list(doc)?;
    let actor = automerge_side::actors().get(member).cloned().ok_or("member out of range")?;
    let author = automerge_side::authors().get(member).cloned().ok_or("member out of range")?;
    let mut workload = Workload::new(seed, count);
    let end = doc.length(&list);
    for index in end..end + count {
        let draft = workload.draft();
        automerge_side::insert_message(doc, &list, index, &actor, &author, draft.text, draft.at_ms)?;
    }
    Ok(())
}

/// Reconnecting with nothing new, for `groups` documents (one per group) each with `per_side` messages by each of
/// two phones.
#[derive(Debug, Clone, Copy)]
pub struct NoopBaseline {
    /// Sum over the documents, with persisted sync states.
    pub persisted: PingPong,
    /// Sum over the documents, with fresh sync states (nothing kept between connections).
    pub fresh: PingPong,
}

pub fn measure_noop(groups: usize, per_side: usize, seed: u64) -> Result<NoopBaseline, Box<dyn Error>> {
    let (mut persisted, mut fresh) = (PingPong::default(), PingPong::default());
    for group in 0..groups as u64 {
        // Phone A holds member 0's messages and phone B member 1's; after a first sync each has both.
        let mut a = automerge_side::build(0, seed + group)?;
        post(&mut a, 0, per_side, seed + 100 + group)?;
        let actor_b = automerge_side::actors().get(1).cloned().ok_or("no second member")?;
        let mut pair = Pair::synced(a, actor_b)?;
        post(&mut pair.b, 1, per_side, seed + 200 + group)?;
        pair.reconnect()?;
        let again = pair.reconnect()?;
        let cold = pair.reconnect_fresh()?;
        persisted.bytes += again.bytes;
        persisted.flights += again.flights;
        persisted.largest_message = persisted.largest_message.max(again.largest_message);
        fresh.bytes += cold.bytes;
        fresh.flights += cold.flights;
        fresh.largest_message = fresh.largest_message.max(cold.largest_message);
    }
    Ok(NoopBaseline { persisted, fresh })
}

/// Catching up after both sides wrote while apart.
#[derive(Debug, Clone, Copy)]
pub struct CatchUpBaseline {
    pub persisted: PingPong,
    pub fresh: PingPong,
}

/// A `history`-message document synced to a second phone; then member 0 appends `new` messages on phone A and
/// member 1 `new` on phone B; then they reconnect.
pub fn measure_catch_up(history: usize, new: usize, seed: u64) -> Result<CatchUpBaseline, Box<dyn Error>> {
    let mut a = automerge_side::build(history, seed)?;
    // Phone A is member 0's, whatever actor wrote the history's last message.
    a.set_actor(automerge_side::actors().first().cloned().ok_or("no members")?);
    let actor_b = automerge_side::actors().get(1).cloned().ok_or("no second member")?;
    let mut pair = Pair::synced(a, actor_b)?;
    post(&mut pair.a, 0, new, seed + 1)?;
    post(&mut pair.b, 1, new, seed + 2)?;
    let fresh = pair.reconnect_fresh()?;
    let persisted = pair.reconnect()?;
    let list = automerge_side::messages_list(&pair.a)?;
    let messages_after = pair.a.length(&list);
    if messages_after != history + 2 * new {
        return Err(format!("after the catch-up the document holds {messages_after} messages").into());
    }
    Ok(CatchUpBaseline { persisted, fresh })
}

/// A new peer's first sync: the saved document at `file` to an empty document, with fresh states.
#[derive(Debug, Clone, Copy)]
pub struct JoinBaseline {
    pub sync: PingPong,
    /// `save()` size of the document.
    pub save_bytes: u64,
}

pub fn measure_join(file: &Path) -> Result<JoinBaseline, Box<dyn Error>> {
    let bytes = std::fs::read(file)?;
    let mut a = Automerge::load(&bytes)?;
    let actor_b = automerge_side::actors().get(1).cloned().ok_or("no second member")?;
    let mut b = Automerge::new().with_actor(actor_b);
    let sync = ping_pong(&mut a, &mut State::new(), &mut b, &mut State::new())?;
    Ok(JoinBaseline { sync, save_bytes: bytes.len() as u64 })
}
