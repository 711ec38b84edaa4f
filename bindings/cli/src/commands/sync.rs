//! `sync --connect HOST:PORT | --listen HOST:PORT`: peer-to-peer sync between two `kindred` processes over TCP.
//!
//! The dialler runs one session and prints what was exchanged. The listener prints `listening on ADDR` (the real
//! port when asked for port 0), then serves up to `--max-sessions` peers at once, each on its own thread with its own
//! handle on the profile, printing a summary for each; a connection beyond that is closed at once (the peer tries
//! again later), so a slow, idle or hostile peer never keeps the others waiting. A session that fails is one `error:`
//! line on stderr and the listener goes on (with `--once` it serves the first connection only and exits, non-zero if
//! that failed). Every session has a progress deadline (`--timeout`) and a whole-session limit (`--session-limit`).
//! With `--json` the listener prints one JSON object per line. The wire itself is in `tcp.rs`.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use clap::{ArgGroup, Args};
use kindred_core::{GroupId, Kindred, MemberId, SyncOptions, SyncReport};
use serde::Serialize;

use crate::commands::groups::known_name;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::{count, plural, push_line, short};
use crate::tcp::{Failed, Finished, Wire, run_session};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("mode").required(true).args(["listen", "connect"])))]
pub struct SyncArgs {
    /// Wait for peers on this address (port 0 picks a free port, printed) and sync with each in turn. With --json,
    /// one JSON object per line: `{"listening": ADDR}`, then one per session.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// Dial a listening peer and sync once.
    #[arg(long, value_name = "HOST:PORT")]
    pub connect: Option<String>,
    /// With --connect: the member you expect to reach (member id, or a display name from your groups). The handshake
    /// is then shorter (Noise KK, if the listener knows you already) and fails unless the listener holds that
    /// member's key.
    #[arg(long, value_name = "MEMBER", requires = "connect")]
    pub peer: Option<String>,
    /// With --listen: exit after the first session (non-zero if it failed).
    #[arg(long, requires = "listen")]
    pub once: bool,
    /// Largest frame on the link, in bytes. A listener refuses frames larger than its own setting.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024, value_parser = clap::value_parser!(u32).range(256..=65_535))]
    pub max_frame: u32,
    /// Seconds a session may go without progress (the peer sends nothing and takes none of ours), and to wait
    /// for a connection, before giving up.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Seconds a session may last in all, however it goes (a newcomer's first sync of a large group over a GPRS link
    /// takes minutes).
    #[arg(long, value_name = "SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub session_limit: u64,
    /// With --listen: peers served at once; further connections are closed until one finishes.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "listen", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_sessions: u32,
}

/// A group by id and name.
#[derive(Debug, Serialize)]
struct NamedGroup {
    id: GroupId,
    name: String,
}

/// A member by id and the name this profile knows them by.
#[derive(Debug, Serialize)]
struct NamedMember {
    member_id: MemberId,
    name: String,
}

/// One finished session, for people and for `--json`.
#[derive(Debug, Serialize)]
struct Summary {
    address: String,
    peer: Option<NamedMember>,
    /// `synced`; `nothing_new` (already in step); `nothing_shared` (no group in common: nothing was sent);
    /// `nothing_exchanged` (groups in common here, but the peer sent and asked for nothing).
    outcome: &'static str,
    shared_groups: Vec<NamedGroup>,
    joined: Vec<NamedGroup>,
    admitted: Vec<NamedMember>,
    /// Invitations this profile still waits to use after the session.
    still_pending: Vec<NamedGroup>,
    /// Groups this profile holds but was removed from.
    removed_from: Vec<NamedGroup>,
    elapsed_ms: u64,
    report: SyncReport,
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> Outcome {
    let options = SyncOptions { max_frame: args.max_frame as usize };
    let wire = Wire {
        max_frame: options.max_frame,
        timeout: Duration::from_secs(args.timeout),
        session_limit: Duration::from_secs(args.session_limit),
        dialled: args.connect.is_some(),
    };
    match (&args.listen, &args.connect) {
        (Some(address), _) => listen(ctx, address, options, wire, args.max_sessions as usize, args.once),
        (None, Some(address)) => connect(ctx, address, args.peer.as_deref(), options, wire),
        (None, None) => Err(CliError::input("give --listen HOST:PORT or --connect HOST:PORT")),
    }
}

fn connect(ctx: &Ctx, address: &str, peer: Option<&str>, options: SyncOptions, wire: Wire) -> Outcome {
    let kindred = ctx.open()?;
    let expected = peer.map(|p| resolve_peer(&kindred, p, "--peer")).transpose()?;
    let stream = dial(address, wire.timeout)?;
    let remote = stream.peer_addr().map_or_else(|_| address.to_owned(), |a| a.to_string());
    let session = kindred.connect_sync(expected, options)?;
    match run_session(&kindred, session, stream, wire) {
        Ok(finished) => {
            let summary = summarise(&kindred, &remote, finished);
            ctx.render(&summary, summary_text)
        }
        Err(failed) => Err(CliError::Other(failure_line(&kindred, &remote, &failed))),
    }
}

/// Connects to the first address `address` resolves to that answers.
fn dial(address: &str, timeout: Duration) -> Result<TcpStream, CliError> {
    let addrs: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|e| CliError::input(format!("cannot use {address:?} as HOST:PORT: {e}")))?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(CliError::Other(match last {
        Some(e) => format!("could not connect to {address}: {e}"),
        None => format!("{address} resolves to no address"),
    }))
}

fn listen(ctx: &Ctx, address: &str, options: SyncOptions, wire: Wire, max_sessions: usize, once: bool) -> Outcome {
    // Fail on a missing profile before announcing anything.
    drop(ctx.open()?);
    let listener =
        TcpListener::bind(address).map_err(|e| CliError::Other(format!("cannot listen on {address}: {e}")))?;
    let local = listener.local_addr().map_err(|e| CliError::Other(format!("cannot listen on {address}: {e}")))?;
    if ctx.json {
        emit(&format!("{}\n", serde_json::json!({ "listening": local.to_string() })))?;
    } else {
        emit(&format!("listening on {local}\n"))?;
    }
    let active = Arc::new(AtomicUsize::new(0));
    for incoming in listener.incoming() {
        let stream = match incoming {
            Ok(stream) => stream,
            Err(e) if once => return Err(CliError::Other(format!("accepting a connection failed: {e}"))),
            Err(e) => {
                complain(&format!("accepting a connection failed: {e}"));
                continue;
            }
        };
        let remote = stream.peer_addr().map_or_else(|_| "an unknown address".to_owned(), |a| a.to_string());
        if once {
            return serve(ctx, stream, &remote, options, wire).map_err(CliError::Other).and_then(|text| {
                emit(&text)?;
                Ok(String::new())
            });
        }
        if active.load(Ordering::SeqCst) >= max_sessions {
            complain(&format!("{max_sessions} sessions already under way; closed a connection from {remote}"));
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (ctx, active) = (ctx.clone(), Arc::clone(&active));
        thread::spawn(move || {
            match serve(&ctx, stream, &remote, options, wire) {
                Ok(text) => {
                    let _ = emit(&text);
                }
                Err(line) => complain(&line),
            }
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(String::new())
}

/// One session with a peer that connected: its summary to print, or the failure line.
fn serve(ctx: &Ctx, stream: TcpStream, remote: &str, options: SyncOptions, wire: Wire) -> Result<String, String> {
    // Opened per session, so posts made by other `kindred` commands in between are seen.
    let kindred = ctx.open().map_err(|e| e.to_string())?;
    let session = kindred.accept_sync(options).map_err(|e| e.to_string())?;
    match run_session(&kindred, session, stream, wire) {
        Ok(finished) => {
            let summary = summarise(&kindred, remote, finished);
            if ctx.json {
                serde_json::to_string(&summary)
                    .map(|line| line + "\n")
                    .map_err(|e| format!("could not write JSON: {e}"))
            } else {
                Ok(summary_text(&summary))
            }
        }
        Err(failed) => Err(failure_line(&kindred, remote, &failed)),
    }
}

/// Prints now (the listener runs for a long time; its output cannot wait for the end).
fn emit(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Other(format!("could not write output: {e}")))
}

/// One `error:` line on stderr for a session that failed while the listener goes on.
fn complain(line: &str) {
    let _ = writeln!(io::stderr().lock(), "error: {}", line.replace(['\r', '\n'], " "));
}

fn failure_line(kindred: &Kindred, remote: &str, failed: &Failed) -> String {
    let who = match &failed.peer {
        Some(peer) => format!("{} at {remote}", known_name(kindred, peer)),
        None => remote.to_owned(),
    };
    format!("sync with {who} failed: {}", failed.error)
}

/// A member id, or the display name of someone in one of this profile's groups.
pub(crate) fn resolve_peer(kindred: &Kindred, text: &str, arg: &str) -> Result<MemberId, CliError> {
    let text = text.trim();
    if text.len() == 64 {
        return Ok(text.parse()?);
    }
    let wanted = text.to_lowercase();
    let mut found: Vec<MemberId> = Vec::new();
    for g in kindred.groups()? {
        for m in kindred.group(&g.id)?.members {
            if m.display_name.to_lowercase() == wanted && !found.contains(&m.member_id) {
                found.push(m.member_id);
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::input(format!(
            "{arg}: no member called {text:?} in your groups; give their member id (64 hex characters)"
        ))),
        _ => Err(CliError::input(format!("{arg}: {text:?} names several members; give the member id"))),
    }
}

fn summarise(kindred: &Kindred, remote: &str, finished: Finished) -> Summary {
    let Finished { report, elapsed } = finished;
    let me = kindred.profile().member_id;
    let details: Vec<_> =
        kindred.groups().unwrap_or_default().iter().filter_map(|g| kindred.group(&g.id).ok()).collect();
    let named = |id: &GroupId| NamedGroup {
        id: *id,
        name: details.iter().find(|d| d.id == *id).map_or_else(|| short(id), |d| d.name.clone()),
    };
    let shared_groups = match &report.peer {
        Some(peer) => details
            .iter()
            .filter(|d| d.members.iter().any(|m| m.member_id == me) && d.members.iter().any(|m| m.member_id == *peer))
            .map(|d| NamedGroup { id: d.id, name: d.name.clone() })
            .collect(),
        None => Vec::new(),
    };
    let removed_from = details
        .iter()
        .filter(|d| !d.members.iter().any(|m| m.member_id == me))
        .map(|d| NamedGroup { id: d.id, name: d.name.clone() })
        .collect();
    let still_pending = kindred
        .pending_joins()
        .unwrap_or_default()
        .into_iter()
        .map(|j| NamedGroup { id: j.group_id, name: j.group_name })
        .collect();
    let outcome =
        if !report.joined.is_empty() || !report.admitted.is_empty() || report.changes_applied + report.changes_sent > 0
        {
            "synced"
        } else if shared_groups.is_empty() {
            "nothing_shared"
        } else if report.nothing_new {
            "nothing_new"
        } else {
            "nothing_exchanged"
        };
    Summary {
        address: remote.to_owned(),
        peer: report.peer.map(|p| NamedMember { member_id: p, name: known_name(kindred, &p) }),
        outcome,
        shared_groups,
        joined: report.joined.iter().map(named).collect(),
        admitted: report.admitted.iter().map(|m| NamedMember { member_id: *m, name: known_name(kindred, m) }).collect(),
        still_pending,
        removed_from,
        elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        report,
    }
}

fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let who = s.peer.as_ref().map_or_else(|| "an unknown peer".to_owned(), |p| p.name.clone());
    let r = &s.report;
    let seconds = s.elapsed_ms as f64 / 1000.0;
    let wire = format!("{} bytes sent, {} received", count(r.bytes_sent), count(r.bytes_received));
    match s.outcome {
        "nothing_shared" => {
            push_line(
                &mut out,
                format!("Nothing to sync: you share no group with this peer ({who} at {}).", s.address),
            );
            push_line(&mut out, format!("  Nothing of your groups was sent ({wire})."));
        }
        "nothing_new" => {
            push_line(&mut out, format!("Nothing new: already in step with {who} at {} ({wire}).", s.address));
        }
        "nothing_exchanged" => {
            push_line(
                &mut out,
                format!(
                    "Nothing exchanged with {who} at {}: the peer sent nothing and asked for nothing ({wire}).",
                    s.address
                ),
            );
            push_line(
                &mut out,
                "  (A member who removed you, or who has not heard of you yet, shares nothing with you.)",
            );
        }
        _ => {
            push_line(&mut out, format!("Synced with {who} at {} in {seconds:.2} s", s.address));
            let groups = s.shared_groups.iter().map(|g| format!("\"{}\"", g.name)).collect::<Vec<_>>().join(", ");
            let rows: [(&str, String); 2] = [
                (
                    "sent",
                    format!(
                        "{} in {} ({}), {}",
                        plural(r.bytes_sent, "byte"),
                        plural(r.frames_sent, "frame"),
                        plural(r.messages_sent, "message"),
                        plural(r.changes_sent, "change")
                    ),
                ),
                (
                    "received",
                    format!(
                        "{} in {} ({}), {} applied, {} already here",
                        plural(r.bytes_received, "byte"),
                        plural(r.frames_received, "frame"),
                        plural(r.messages_received, "message"),
                        plural(r.changes_applied, "change"),
                        count(r.duplicates)
                    ),
                ),
            ];
            if !groups.is_empty() {
                push_line(&mut out, format!("  groups     {groups}"));
            }
            for (label, text) in rows {
                push_line(&mut out, format!("  {label:<10} {text}"));
            }
            if r.snapshot_bytes_sent > 0 {
                push_line(
                    &mut out,
                    format!(
                        "  snapshots  {} of whole documents sent (for a peer that had none of them)",
                        plural(r.snapshot_bytes_sent, "byte")
                    ),
                );
            }
            if r.snapshot_bytes_resumed > 0 {
                push_line(
                    &mut out,
                    format!("  resumed    a transfer {} bytes in (not sent again)", count(r.snapshot_bytes_resumed)),
                );
            }
        }
    }
    for g in &s.joined {
        push_line(&mut out, format!("  joined     \"{}\"", g.name));
    }
    for m in &s.admitted {
        push_line(&mut out, format!("  admitted   {}, with their invitation", m.name));
    }
    if r.quarantined > 0 {
        push_line(
            &mut out,
            format!(
                "  quarantined {} (an equivocation; see `kindred group flagged GROUP`)",
                plural(r.quarantined, "change")
            ),
        );
    }
    for g in &s.still_pending {
        push_line(
            &mut out,
            format!(
                "  waiting    to join \"{}\": this peer did not admit you (not a member of it, or it refused the code)",
                g.name
            ),
        );
    }
    for g in &s.removed_from {
        push_line(&mut out, format!("  note       you are no longer a member of \"{}\"", g.name));
    }
    out
}
