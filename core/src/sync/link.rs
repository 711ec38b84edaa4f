//! An in-process link between two profiles' sync sessions, for tests, the demo and the benchmark: frames cross it
//! in memory, and it can be small-framed, slow (a simulated clock), cut after a number of bytes (a dropped
//! Bluetooth link) and tampered with frame by frame (dropped, duplicated, reordered, altered, injected). It counts
//! bytes, frames and flights (one-way bursts; two flights make a round trip). Compiled with the `test-support`
//! feature only.

use crate::error::{ErrorKind, Refusal};
use crate::ids::MemberId;
use crate::kindred::Kindred;
use crate::sync::session::{SyncOptions, SyncReport, SyncSession};

/// How the simulated link behaves.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Largest frame either side sends, in bytes (as [`SyncOptions::max_frame`]).
    pub max_frame: usize,
    /// Cut the link once this many bytes have crossed it (both directions together).
    pub drop_after_bytes: Option<u64>,
    /// Bytes per second, for the simulated clock (about 20 KB/s for Bluetooth LE in practice).
    pub bytes_per_second: Option<u64>,
}

impl Default for Link {
    fn default() -> Self {
        Self { max_frame: 32 * 1024, drop_after_bytes: None, bytes_per_second: None }
    }
}

/// How one connection ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Ending {
    /// Both sessions finished.
    Completed,
    /// The link was cut after [`Link::drop_after_bytes`].
    Dropped,
    /// Neither side had anything to send, yet the sessions had not finished.
    Stalled,
    /// A session refused what arrived.
    Refused {
        /// Which rule it broke.
        kind: Refusal,
        /// The refusal in words.
        reason: String,
    },
    /// A session failed for another reason (its storage, a bug), in words.
    Failed(String),
}

/// What happened on one connection.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    /// How it ended.
    pub ending: Ending,
    /// Bytes put on the link, both directions, as sent (before any tampering); on a drop, exactly the limit.
    pub bytes: u64,
    /// Frames put on the link, both directions, before any tampering; the one cut by a drop is not counted.
    pub frames: u64,
    /// One-way bursts: each change of direction starts one, so two flights make a round trip.
    pub flights: u64,
    /// The largest frame put on the link, in bytes.
    pub largest_frame: u64,
    /// How long `bytes` take at [`Link::bytes_per_second`]; 0 without a rate.
    pub simulated_seconds: f64,
    /// The dialling session's own report.
    pub dialler: SyncReport,
    /// The listening session's own report.
    pub listener: SyncReport,
    /// Time each side spent taking in what arrived (verifying, applying, storing, answering): on one thread, its
    /// processing cost. For a newcomer's join, `dialler_busy` is what the newcomer's phone spent.
    pub dialler_busy: std::time::Duration,
    /// The same for the listening side.
    pub listener_busy: std::time::Duration,
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Completed => f.write_str("completed"),
            Ending::Dropped => f.write_str("link dropped"),
            Ending::Stalled => f.write_str("the session stalled"),
            Ending::Refused { kind, reason } => write!(f, "refused ({kind}): {reason}"),
            Ending::Failed(detail) => f.write_str(detail),
        }
    }
}

impl Outcome {
    /// Whether both sessions finished.
    pub fn completed(&self) -> bool {
        self.ending == Ending::Completed
    }
}

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the dialling side to the listening side.
    Out,
    /// Back from the listener to the dialler.
    Back,
}

/// Connects `a` (dialling; with `expected`, it knows who it dials) to `b` over `link` and runs the session until it
/// finishes, fails, stalls or the link drops. Only setting up the sessions can fail; everything after is reported.
pub fn connect(a: &Kindred, b: &Kindred, expected: Option<MemberId>, link: Link) -> crate::error::Result<Outcome> {
    connect_tampered(a, b, expected, link, |_, _, frame| vec![frame])
}

/// Like [`connect`], but every frame passes through `tamper` on its way: it gets the direction, the frame's number
/// (counting both directions, from 1) and the frame, and returns what arrives instead (nothing: dropped; several:
/// duplicated or injected).
pub fn connect_tampered(
    a: &Kindred,
    b: &Kindred,
    expected: Option<MemberId>,
    link: Link,
    tamper: impl FnMut(Direction, usize, Vec<u8>) -> Vec<Vec<u8>>,
) -> crate::error::Result<Outcome> {
    let options = SyncOptions { max_frame: link.max_frame };
    let mut dialler = a.connect_sync(expected, options)?;
    let mut listener = b.accept_sync(options)?;
    Ok(run_sessions(a, b, &mut dialler, &mut listener, link, tamper))
}

/// Like [`connect_tampered`], with sessions the caller started (`dialler` by `a`, `listener` by `b`; their frame size
/// is their own, [`Link::max_frame`] is not used) and keeps: for tests that look into the sessions afterwards, such as
/// what each one sent ([`SyncSession::record_sent_messages`]).
pub fn run_sessions(
    a: &Kindred,
    b: &Kindred,
    dialler: &mut SyncSession,
    listener: &mut SyncSession,
    link: Link,
    mut tamper: impl FnMut(Direction, usize, Vec<u8>) -> Vec<Vec<u8>>,
) -> Outcome {
    let mut out = Outcome {
        ending: Ending::Stalled,
        bytes: 0,
        frames: 0,
        flights: 0,
        largest_frame: 0,
        simulated_seconds: 0.0,
        dialler: SyncReport::default(),
        listener: SyncReport::default(),
        dialler_busy: std::time::Duration::ZERO,
        listener_busy: std::time::Duration::ZERO,
    };
    let mut last_direction = None;
    let mut count = 0usize;
    'run: for _ in 0..1_000_000 {
        let mut moved = false;
        for direction in [Direction::Out, Direction::Back] {
            let (from, to, profile): (&mut SyncSession, &mut SyncSession, &Kindred) = match direction {
                Direction::Out => (&mut *dialler, &mut *listener, b),
                Direction::Back => (&mut *listener, &mut *dialler, a),
            };
            let frames = from.take_outgoing();
            if frames.is_empty() {
                continue;
            }
            moved = true;
            if last_direction != Some(direction) {
                out.flights += 1;
                last_direction = Some(direction);
            }
            for frame in frames {
                if let Some(limit) = link.drop_after_bytes
                    && out.bytes + frame.len() as u64 > limit
                {
                    // The link dies partway through this frame: the part that crossed is wasted.
                    out.bytes = limit;
                    out.ending = Ending::Dropped;
                    break 'run;
                }
                out.bytes += frame.len() as u64;
                out.frames += 1;
                out.largest_frame = out.largest_frame.max(frame.len() as u64);
                count += 1;
                for delivered in tamper(direction, count, frame) {
                    let started = std::time::Instant::now();
                    let received = to.receive(profile, &delivered);
                    // The side that received the frame did the work.
                    *match direction {
                        Direction::Out => &mut out.listener_busy,
                        Direction::Back => &mut out.dialler_busy,
                    } += started.elapsed();
                    if let Err(e) = received {
                        out.ending = match e.into_kind() {
                            ErrorKind::Rejected { kind, reason } => Ending::Refused { kind, reason },
                            other => Ending::Failed(other.to_string()),
                        };
                        break 'run;
                    }
                }
            }
        }
        if dialler.is_finished() && listener.is_finished() {
            out.ending = Ending::Completed;
            break;
        }
        if !moved {
            break;
        }
    }
    if let Some(rate) = link.bytes_per_second {
        out.simulated_seconds = out.bytes as f64 / rate as f64;
    }
    out.dialler = dialler.report();
    out.listener = listener.report();
    out
}
