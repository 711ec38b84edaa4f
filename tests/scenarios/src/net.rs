//! The in-process network for sync tests: phones (alice, bob, ...) meeting over the core's simulated link.

use kindred_core::MemberId;
pub use kindred_core::sync::link::{Direction, Ending, Link, Outcome};

use crate::Phone;

/// Whether `a` already knows `b` as a member of one of its groups (then it dials with Noise KK).
pub fn knows(a: &Phone, b: &Phone) -> Option<MemberId> {
    let b_id = b.kindred.profile().member_id;
    a.kindred.knows_member(&b_id).ok()?.then_some(b_id)
}

/// `a` dials `b` over `link`.
pub fn connect(a: &Phone, b: &Phone, link: Link) -> Outcome {
    connect_expecting(a, b, knows(a, b), link)
}

/// `a` dials `b` over `link`, expecting `b` (Noise KK) or anyone (`None`, Noise XX).
pub fn connect_expecting(a: &Phone, b: &Phone, expected: Option<MemberId>, link: Link) -> Outcome {
    kindred_core::sync::link::connect(&a.kindred, &b.kindred, expected, link)
        .unwrap_or_else(|e| crate::fail(&format!("setting up {} -> {}: {e}", a.name, b.name)))
}

/// Connects over a default link and insists on success.
pub fn sync(a: &Phone, b: &Phone) -> Outcome {
    let outcome = connect(a, b, Link::default());
    if !outcome.completed() {
        crate::fail(&format!("sync {} -> {} failed: {:?}", a.name, b.name, outcome.ending));
    }
    outcome
}

/// `a` dials `b` with frames of at most `max_frame` bytes, and every frame passes through `tamper` on its way (see
/// [`kindred_core::sync::link::connect_tampered`]). `Ok` if both sides finished, otherwise how the connection ended
/// (a refusal, a stall) and the number of the last frame that crossed. Never panics on what the sessions do.
pub fn connect_tampered(
    a: &Phone,
    b: &Phone,
    max_frame: usize,
    mut tamper: impl FnMut(Direction, usize, Vec<u8>) -> Vec<Vec<u8>>,
) -> Result<(), (Ending, usize)> {
    let link = Link { max_frame, ..Link::default() };
    let mut last = 0;
    let outcome = kindred_core::sync::link::connect_tampered(&a.kindred, &b.kindred, knows(a, b), link, |d, n, f| {
        last = n;
        tamper(d, n, f)
    })
    .unwrap_or_else(|e| crate::fail(&format!("setting up {} -> {}: {e}", a.name, b.name)));
    match outcome.ending {
        Ending::Completed => Ok(()),
        other => Err((other, last)),
    }
}

/// Syncs every pair of `phones` (each dialling the later ones) until a whole round finds nothing new; insists that
/// every session completes. Returns the number of rounds.
pub fn sync_all(phones: &[&Phone]) -> usize {
    for round in 1..=phones.len() + 3 {
        let mut quiet = true;
        for (i, a) in phones.iter().enumerate() {
            for b in phones.iter().skip(i + 1) {
                let outcome = sync(a, b);
                quiet &= outcome.dialler.nothing_new && outcome.listener.nothing_new;
            }
        }
        if quiet {
            return round;
        }
    }
    crate::fail("phones kept finding news after many full rounds of syncing")
}

/// After an attack: `a` posts something new and `b` receives it over a fresh session.
pub fn assert_still_syncs(a: &Phone, b: &Phone, group: &kindred_core::GroupId) {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let text = format!("{} to {}: still talking ({n})", a.name, b.name);
    a.say(group, &text);
    sync(a, b);
    let seen =
        b.kindred.messages(group, 500, None).unwrap_or_else(|e| crate::fail(&format!("{} reading: {e}", b.name)));
    if !seen.iter().any(|m| m.text == text) {
        crate::fail(&format!("{} did not receive {}'s new message after the attack", b.name, a.name));
    }
}

/// `from` (a modified app) dials `to`, completes the handshake, then sends `message` on the authenticated channel.
/// Returns what `to` made of it.
pub fn send_raw(from: &Phone, to: &Phone, message: &kindred_core::sync::wire::Message) -> kindred_core::Result<()> {
    let options = kindred_core::SyncOptions::default();
    let mut dialler = from.kindred.connect_sync(None, options)?;
    let mut listener = to.kindred.accept_sync(options)?;
    for _ in 0..8 {
        for frame in dialler.take_outgoing() {
            listener.receive(&to.kindred, &frame)?;
        }
        for frame in listener.take_outgoing() {
            dialler.receive(&from.kindred, &frame)?;
        }
        if dialler.peer().is_some() && listener.peer().is_some() {
            break;
        }
    }
    if listener.peer().is_none() {
        crate::fail("the handshake did not complete");
    }
    dialler.send_any(message)?;
    for frame in dialler.take_outgoing() {
        listener.receive(&to.kindred, &frame)?;
    }
    Ok(())
}
