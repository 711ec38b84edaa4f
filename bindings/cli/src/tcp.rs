//! Sync sessions over TCP: the core's frames on a `std::net` stream, one session to completion.
//!
//! Each frame travels as a 4-byte big-endian length and then its bytes. A length above the session's largest frame
//! (plus a little slack) is refused before anything is read or allocated, and every read and write has a timeout,
//! so a peer that sends garbage or goes silent cannot make this side hang or grow. A small writer thread sends while
//! the caller's thread reads, so two peers sending large batches at once never wait on each other's full buffers.
//! The core's session does everything else (handshake, encryption, what to send); this file only moves bytes and
//! says what went wrong.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use kindred_core::{Error, Kindred, MemberId, SyncReport, SyncSession};

/// Bytes a frame may exceed the configured largest frame by before the length alone refuses it. The core itself
/// keeps frames within `max_frame`; the slack only keeps a slightly different configuration from being cut off here
/// rather than with the core's clearer refusal.
const FRAME_SLACK: usize = 64;
/// How long to wait for the peer to close its side after this one finished.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Why a session over TCP ended without finishing.
#[derive(Debug)]
pub enum SessionError {
    /// The core refused something the peer sent (or failed): its error says what.
    Core(Error),
    /// The peer announced a frame larger than allowed.
    FrameTooLarge { len: usize, max: usize },
    /// The peer closed the connection before the session finished (`dialled`: this side dialled it).
    Closed { handshake_done: bool, dialled: bool },
    /// Nothing arrived (or could be sent) within the timeout.
    TimedOut(Duration),
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
            SessionError::TimedOut(after) => write!(f, "the peer sent nothing for {} s; gave up", after.as_secs()),
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
    /// How long to wait for the peer on any read or write.
    pub timeout: Duration,
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

fn drive(kindred: &Kindred, session: &mut SyncSession, stream: &TcpStream, wire: Wire) -> Result<(), SessionError> {
    stream.set_read_timeout(Some(wire.timeout)).map_err(SessionError::Io)?;
    stream.set_write_timeout(Some(wire.timeout)).map_err(SessionError::Io)?;
    // Frames are small and the protocol waits for answers: send each burst at once.
    stream.set_nodelay(true).map_err(SessionError::Io)?;
    let mut writer_stream = stream.try_clone().map_err(SessionError::Io)?;
    let (bursts, queue) = mpsc::channel::<Vec<u8>>();
    let writer = thread::spawn(move || -> io::Result<()> {
        for burst in queue {
            writer_stream.write_all(&burst)?;
            writer_stream.flush()?;
        }
        Ok(())
    });
    let exchanged = exchange(kindred, session, stream, &bursts, wire);
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

/// Feeds the session with frames read from `stream` and queues what it says for the writer, until it finishes.
fn exchange(
    kindred: &Kindred,
    session: &mut SyncSession,
    mut stream: &TcpStream,
    bursts: &mpsc::Sender<Vec<u8>>,
    wire: Wire,
) -> Result<(), SessionError> {
    loop {
        let outgoing = session.take_outgoing();
        if !outgoing.is_empty() {
            let mut burst = Vec::with_capacity(outgoing.iter().map(|f| f.len() + 4).sum());
            for frame in &outgoing {
                let len = u32::try_from(frame.len())
                    .map_err(|_| SessionError::Core(Error::Internal("a frame beyond 4 GiB".into())))?;
                burst.extend_from_slice(&len.to_be_bytes());
                burst.extend_from_slice(frame);
            }
            bursts.send(burst).map_err(|_| SessionError::WriterStopped)?;
        }
        if session.is_finished() {
            return Ok(());
        }
        let handshake_done = session.peer().is_some();
        let frame = read_frame(&mut stream, wire.max_frame + FRAME_SLACK).map_err(|e| match e {
            ReadError::Io(err) => classify(err, handshake_done, wire),
            ReadError::TooLarge(len) => SessionError::FrameTooLarge { len, max: wire.max_frame },
        })?;
        match frame {
            Some(frame) => session.receive(kindred, &frame)?,
            None => return Err(SessionError::Closed { handshake_done, dialled: wire.dialled }),
        }
    }
}

enum ReadError {
    Io(io::Error),
    TooLarge(usize),
}

/// Reads one frame; `None` when the peer closed the connection cleanly between frames.
fn read_frame(stream: &mut &TcpStream, limit: usize) -> Result<Option<Vec<u8>>, ReadError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match stream.read(len.get_mut(got..).unwrap_or_default()) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    let len = usize::try_from(u32::from_be_bytes(len)).unwrap_or(usize::MAX);
    if len > limit {
        return Err(ReadError::TooLarge(len));
    }
    let mut frame = vec![0u8; len];
    stream.read_exact(&mut frame).map_err(ReadError::Io)?;
    Ok(Some(frame))
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
