//! Sync sessions over TCP: the core's frames on a `std::net` stream, one session to completion.
//!
//! Each frame travels as a 4-byte big-endian length and then its bytes. A length above the session's largest frame
//! (plus a little slack) is refused before anything is read or allocated. A small writer thread sends while the
//! caller's thread reads, so two peers sending large batches at once never wait on each other's full buffers. The
//! core's session does everything else (handshake, encryption, what to send); this file only moves bytes and says
//! what went wrong.
//!
//! Two deadlines bound a session, so that a slow, idle or hostile peer never holds this side for long:
//! - **progress**: the session fails when, for `timeout`, the peer has sent nothing *and* none of this side's own
//!   bytes have left (been taken by the link). A slow link that is still draining this side's data is not idle: the
//!   socket's send buffer is kept small (a few kilobytes, a few seconds at GPRS speed), so what leaves tracks what
//!   the link carries, rather than piling up where silence from the peer would look like a dead link.
//! - **session**: no session lasts longer than `session_limit`, whatever arrives (liveness frames included).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use kindred_core::{Error, Kindred, MemberId, SyncReport, SyncSession};

/// Bytes a frame may exceed the configured largest frame by before the length alone refuses it. The core itself
/// keeps frames within `max_frame`; the slack only keeps a slightly different configuration from being cut off here
/// rather than with the core's clearer refusal.
const FRAME_SLACK: usize = 64;
/// How long to wait for the peer to close its side after this one finished.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// How often the reader looks up from the socket to check the deadlines.
const POLL: Duration = Duration::from_millis(250);
/// The socket's send buffer (the kernel doubles it): what may sit between this side and the link. 4 KiB is about
/// 7 s at 9.6 kbit/s, and nothing at Wi-Fi speeds, where the buffer refills as fast as it drains.
const SEND_BUFFER: usize = 2 * 1024;
/// Bytes the writer hands the socket at a time: each piece taken is progress.
const WRITE_PIECE: usize = 1024;

/// Why a session over TCP ended without finishing.
#[derive(Debug)]
pub enum SessionError {
    /// The core refused something the peer sent (or failed): its error says what.
    Core(Error),
    /// The peer announced a frame larger than allowed.
    FrameTooLarge { len: usize, max: usize },
    /// The peer closed the connection before the session finished (`dialled`: this side dialled it).
    Closed { handshake_done: bool, dialled: bool },
    /// Nothing arrived and nothing left within the timeout.
    TimedOut(Duration),
    /// The session ran past its whole-session limit.
    SessionLimit(Duration),
    /// Any other socket error.
    Io(io::Error),
    /// Sending stopped (the writer's own error says why).
    WriterStopped,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Core(err) => err.fmt(f),
            SessionError::FrameTooLarge { len, max } => {
                write!(f, "refused a frame of {len} bytes (the largest allowed is {max}); closed the connection")
            }
            SessionError::Closed { handshake_done: false, dialled: true } => f.write_str(
                "the peer closed the connection during the handshake (with --peer: is it really that member? \
                 a listener also refuses a frame size larger than its own)",
            ),
            SessionError::Closed { handshake_done: false, dialled: false } => {
                f.write_str("the peer closed the connection during the handshake")
            }
            SessionError::Closed { handshake_done: true, .. } => f.write_str(
                "the peer closed the connection before the session finished (it may have refused what this side sent)",
            ),
            SessionError::TimedOut(after) => {
                write!(f, "no progress for {} s (the peer sent nothing and took nothing); gave up", after.as_secs())
            }
            SessionError::SessionLimit(limit) => {
                write!(f, "the session ran past its limit of {} s; closed the connection", limit.as_secs())
            }
            SessionError::Io(err) => write!(f, "connection failed: {err}"),
            SessionError::WriterStopped => f.write_str("connection failed while sending"),
        }
    }
}

impl From<Error> for SessionError {
    fn from(err: Error) -> Self {
        SessionError::Core(err)
    }
}

/// What one session did on the wire, besides the core's report.
#[derive(Debug)]
pub struct Finished {
    pub report: SyncReport,
    pub elapsed: Duration,
}

/// A session that ended early: why, and who the peer was if the handshake got that far.
#[derive(Debug)]
pub struct Failed {
    pub error: SessionError,
    pub peer: Option<MemberId>,
}

/// How a session over TCP is set up.
#[derive(Debug, Clone, Copy)]
pub struct Wire {
    /// The session's largest frame: longer announced lengths are refused unread.
    pub max_frame: usize,
    /// How long a session may go without progress (nothing from the peer, and nothing of ours leaving).
    pub timeout: Duration,
    /// How long a session may last in all.
    pub session_limit: Duration,
    /// Whether this side dialled (only for the wording of errors).
    pub dialled: bool,
}

/// Runs `session` over `stream` until it finishes or fails.
///
/// A writer thread sends while this thread reads: both sides may have large batches to send at once, and two
/// peers that each block writing into a full socket buffer while neither reads would wait on each other until the
/// timeout.
pub fn run_session(
    kindred: &Kindred,
    mut session: SyncSession,
    mut stream: TcpStream,
    wire: Wire,
) -> Result<Finished, Failed> {
    let started = Instant::now();
    let result = drive(kindred, &mut session, &stream, wire);
    match result {
        Ok(()) => {
            close_gracefully(&mut stream);
            Ok(Finished { report: session.report(), elapsed: started.elapsed() })
        }
        Err(error) => {
            // Nothing more to say to a peer that misbehaved (or vanished): drop the connection now.
            let _ = stream.shutdown(Shutdown::Both);
            Err(Failed { error, peer: session.peer() })
        }
    }
}

/// What a socket error means for the session.
fn classify(err: io::Error, handshake_done: bool, wire: Wire) -> SessionError {
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => SessionError::TimedOut(wire.timeout),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => SessionError::Closed { handshake_done, dialled: wire.dialled },
        _ => SessionError::Io(err),
    }
}

/// When the session last made progress (a frame or part of one from the peer, or a piece of ours taken by the link).
#[derive(Debug)]
struct Progress {
    started: Instant,
    last_ms: AtomicU64,
}

impl Progress {
    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.fetch_max(now, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        self.started.elapsed().saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

fn drive(kindred: &Kindred, session: &mut SyncSession, stream: &TcpStream, wire: Wire) -> Result<(), SessionError> {
    stream.set_read_timeout(Some(POLL)).map_err(SessionError::Io)?;
    stream.set_write_timeout(Some(wire.timeout)).map_err(SessionError::Io)?;
    // Frames are small and the protocol waits for answers: send each burst at once.
    stream.set_nodelay(true).map_err(SessionError::Io)?;
    // Best effort: a platform that refuses keeps its own buffer (progress is then coarser, nothing else changes).
    let _ = socket2::SockRef::from(stream).set_send_buffer_size(SEND_BUFFER);
    let progress = Arc::new(Progress { started: Instant::now(), last_ms: AtomicU64::new(0) });
    let mut writer_stream = stream.try_clone().map_err(SessionError::Io)?;
    let (bursts, queue) = mpsc::channel::<Vec<u8>>();
    let written_progress = Arc::clone(&progress);
    let writer = thread::spawn(move || -> io::Result<()> {
        for burst in queue {
            for piece in burst.chunks(WRITE_PIECE) {
                writer_stream.write_all(piece)?;
                written_progress.touch();
            }
            writer_stream.flush()?;
        }
        Ok(())
    });
    let exchanged = exchange(kindred, session, stream, &bursts, wire, &progress);
    // No more bursts: the writer finishes what is queued and stops. After a failure, shutting the socket down
    // also ends a write that is blocked on a peer that stopped reading.
    drop(bursts);
    if exchanged.is_err() {
        let _ = stream.shutdown(Shutdown::Both);
    }
    let written = writer.join().unwrap_or_else(|_| Err(io::Error::other("the sending thread panicked")));
    let handshake_done = session.peer().is_some();
    match (exchanged, written) {
        (Err(SessionError::WriterStopped), Err(err)) | (Ok(()), Err(err)) => Err(classify(err, handshake_done, wire)),
        (Err(err), _) => Err(err),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// Feeds the session with frames read from `stream` and queues what it says for the writer, until it finishes or a
/// deadline passes.
fn exchange(
    kindred: &Kindred,
    session: &mut SyncSession,
    mut stream: &TcpStream,
    bursts: &mpsc::Sender<Vec<u8>>,
    wire: Wire,
    progress: &Progress,
) -> Result<(), SessionError> {
    let mut reader = FrameReader::new(wire.max_frame + FRAME_SLACK);
    loop {
        let outgoing = session.take_outgoing();
        if !outgoing.is_empty() {
            let mut burst = Vec::with_capacity(outgoing.iter().map(|f| f.len() + 4).sum());
            for frame in &outgoing {
                let len = u32::try_from(frame.len())
                    .map_err(|_| SessionError::Core(Error::internal("a frame beyond 4 GiB")))?;
                burst.extend_from_slice(&len.to_be_bytes());
                burst.extend_from_slice(frame);
            }
            bursts.send(burst).map_err(|_| SessionError::WriterStopped)?;
        }
        if session.is_finished() {
            return Ok(());
        }
        let handshake_done = session.peer().is_some();
        loop {
            if progress.started.elapsed() > wire.session_limit {
                return Err(SessionError::SessionLimit(wire.session_limit));
            }
            if progress.idle() > wire.timeout {
                return Err(SessionError::TimedOut(wire.timeout));
            }
            match reader.poll(&mut stream, progress) {
                Ok(Poll::Frame(frame)) => {
                    session.receive(kindred, &frame)?;
                    break;
                }
                Ok(Poll::Pending) => {}
                Ok(Poll::Closed) => return Err(SessionError::Closed { handshake_done, dialled: wire.dialled }),
                Err(ReadError::Io(err)) => return Err(classify(err, handshake_done, wire)),
                Err(ReadError::TooLarge(len)) => {
                    return Err(SessionError::FrameTooLarge { len, max: wire.max_frame });
                }
            }
        }
    }
}

/// What one look at the socket gave.
enum Poll {
    Frame(Vec<u8>),
    /// Nothing complete yet (the read timed out, or a frame is only partly here).
    Pending,
    /// The peer closed the connection cleanly between frames.
    Closed,
}

/// Reads frames a piece at a time, keeping a partly read frame across polls.
struct FrameReader {
    limit: usize,
    header: [u8; 4],
    header_got: usize,
    body: Option<(Vec<u8>, usize)>,
}

impl FrameReader {
    fn new(limit: usize) -> Self {
        Self { limit, header: [0; 4], header_got: 0, body: None }
    }

    fn poll(&mut self, stream: &mut &TcpStream, progress: &Progress) -> Result<Poll, ReadError> {
        let pending = |e: &io::Error| matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
        if let Some((body, got)) = &mut self.body {
            match stream.read(body.get_mut(*got..).unwrap_or_default()) {
                Ok(0) if *got < body.len() => return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => {
                    *got += n;
                    progress.touch();
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted || pending(&e) => return Ok(Poll::Pending),
                Err(e) => return Err(ReadError::Io(e)),
            }
            if *got < body.len() {
                return Ok(Poll::Pending);
            }
            let (frame, _) = self.body.take().unwrap_or_default();
            return Ok(Poll::Frame(frame));
        }
        match stream.read(self.header.get_mut(self.header_got..).unwrap_or_default()) {
            Ok(0) if self.header_got == 0 => return Ok(Poll::Closed),
            Ok(0) => return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => {
                self.header_got += n;
                progress.touch();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted || pending(&e) => return Ok(Poll::Pending),
            Err(e) => return Err(ReadError::Io(e)),
        }
        if self.header_got < self.header.len() {
            return Ok(Poll::Pending);
        }
        self.header_got = 0;
        let len = usize::try_from(u32::from_be_bytes(self.header)).unwrap_or(usize::MAX);
        if len > self.limit {
            return Err(ReadError::TooLarge(len));
        }
        if len == 0 {
            return Ok(Poll::Frame(Vec::new()));
        }
        self.body = Some((vec![0u8; len], 0));
        Ok(Poll::Pending)
    }
}

enum ReadError {
    Io(io::Error),
    TooLarge(usize),
}

/// Says "no more from this side" and waits briefly for the peer to do the same, so the last frames are not lost to a
/// reset when one side closes with unread bytes.
fn close_gracefully(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(CLOSE_WAIT));
    let deadline = Instant::now() + CLOSE_WAIT;
    let mut sink = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}
