//! `kindred demo`: five phones and one peer-support group, with no server, in a fresh temporary directory.
//!
//! Each phone is a real profile in its own data directory. Phones meet in pairs over the core's simulated link
//! (frames of at most 32 KiB, about 20 KB/s like Bluetooth LE, cut every 64 KiB), and the demo prints what each
//! meeting cost. The story: an owner invites three people, who join at their first meeting; they write while apart
//! (check-ins stay private), the owner publishes a crisis resource directory and a member's worrying draft is met
//! on his own phone with his safety plan and crisis services; they meet in pairs; one who is away gets a bundle file; months of conversation pass and
//! a newcomer joins that long history over a link that keeps dropping; an attacker is refused (a stranger, forged
//! bundles, a copied phone signing two histories, posts after removal). At the end every honest phone must show the
//! same timeline, members and shared goals.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use kindred_core::sync::link::{self, Ending, Link, Outcome};
use kindred_core::testing::Phone;
use kindred_core::{
    Bundle, Cadence, CadencePeriod, GroupId, MemberId, NewCheckin, NewGoal, NewGroup, NewMessage, ReportReason,
};
use serde::Serialize;

mod chatter;
mod crisis;
mod mailbox;
mod story;

use chatter::chatter;

use crate::context::{CliError, Ctx, Outcome as CliOutcome};
use crate::output::{Align, Table, bytes, count, num, plural, push_line};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the phones' data directories (their paths are printed) to explore them with other commands.
    #[arg(long)]
    pub keep: bool,
}

/// The simulated link every meeting uses: 32 KiB frames, about 20 KB/s, and it drops every 64 KiB.
const LINK: Link = Link { max_frame: 32 * 1024, drop_after_bytes: Some(64 * 1024), bytes_per_second: Some(20_000) };
/// Most connections one meeting may take before the demo gives up on it.
const MAX_CONNECTIONS: u32 = 100;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
const GROUP_NAME: &str = "Tuesday circle";

/// What the demo did, for `--json`.
#[derive(Debug, Serialize)]
struct DemoReport {
    data_dir: String,
    kept: bool,
    group_id: String,
    meetings: Vec<Meeting>,
    bundle: BundleReport,
    late_join: LateJoin,
    attacks: Attacks,
    crisis: crisis::CrisisReport,
    moderation: ModerationReport,
    mailbox: mailbox::MailboxScene,
    phones: Vec<PhoneState>,
    honest_phones: usize,
    identical: bool,
    differences: Vec<String>,
}

/// One meeting of two phones: possibly several connections if the link dropped.
#[derive(Debug, Clone, Serialize)]
struct Meeting {
    step: String,
    dialler: String,
    listener: String,
    connections: u32,
    completed: bool,
    error: Option<String>,
    bytes: u64,
    frames: u64,
    flights: u64,
    round_trips: f64,
    simulated_seconds: f64,
    /// Changes applied on the listener's phone (sent by the dialler) and on the dialler's.
    changes_to_listener: u64,
    changes_to_dialler: u64,
    nothing_new: bool,
}

#[derive(Debug, Default, Serialize)]
struct BundleReport {
    bytes: u64,
    documents: usize,
    applied: u64,
    applied_again: u64,
    duplicates_again: u64,
}

#[derive(Debug, Default, Serialize)]
struct LateJoin {
    history_messages: usize,
    connections: u32,
    bytes: u64,
    clean_bytes: u64,
    resent_bytes: u64,
    resent_percent: f64,
    largest_frame: u64,
    messages_seen: usize,
}

#[derive(Debug, Default, Serialize)]
struct Attacks {
    stranger_groups_after: usize,
    stranger_bytes: u64,
    damaged_bundle_refused: Option<String>,
    tampered_bundle_refused: Option<String>,
    equivocation_flagged_on: Vec<String>,
    equivocation_quarantined: u64,
    removed_post_shown_before_removal_arrived: bool,
    removed_post_hidden_on_all_honest_phones: bool,
}

/// The moderation scene: Amara hides Mal's hostile post.
#[derive(Debug, Default, Serialize)]
struct ModerationReport {
    /// Bo's phone shows the post hidden, without its words.
    hidden_for_bo: bool,
    /// Mal's phone shows him why, with crisis services.
    author_told_why: bool,
    /// Dee's report reached Amara's phone through Bo's (Amara and Dee did not meet in between).
    report_reached_owner: bool,
    /// Bo's phone relayed the sealed report without being able to read it.
    relay_could_not_read: bool,
}

/// What one phone shows at the end.
#[derive(Debug, Serialize)]
struct PhoneState {
    name: String,
    honest: bool,
    messages: usize,
    members: usize,
    shared_goals: usize,
    checkins: usize,
    flagged: usize,
}

pub fn run(ctx: &Ctx, args: DemoArgs) -> CliOutcome {
    let temp = tempfile::Builder::new()
        .prefix("kindred-demo-")
        .tempdir()
        .map_err(|e| CliError::Other(format!("no temporary directory: {e}")))?;
    let mut demo = Demo { root: temp.path().to_owned(), out: String::new(), meetings: Vec::new(), step: String::new() };
    let report = demo.story().map_err(|e| {
        if std::env::var_os("KINDRED_DEMO_DEBUG").is_some() {
            eprintln!("{}", demo.out);
        }
        CliError::Other(format!("the demo failed at \"{}\": {}", demo.step, e.one_line()))
    })?;
    let report = DemoReport { kept: args.keep, ..report };
    let mut out = std::mem::take(&mut demo.out);
    if args.keep {
        let kept = temp.keep();
        push_line(&mut out, format!("\nThe phones' data is kept in {}. Try:", kept.display()));
        push_line(&mut out, format!("  kindred --data-dir {} read \"{GROUP_NAME}\"", kept.join("amara").display()));
        push_line(
            &mut out,
            format!("  kindred --data-dir {} group flagged \"{GROUP_NAME}\"", kept.join("bo").display()),
        );
    }
    ctx.render(&report, |_| out)
}

/// A phone of the demo, in its own directory under `root`.
fn new_phone(root: &Path, name: &'static str) -> Result<Phone, CliError> {
    Ok(Phone::create(root.join(name.to_lowercase().replace([' ', '\''], "-")), name)?)
}

fn message_count(phone: &Phone, group: &GroupId) -> usize {
    phone.timeline(group).map(|t| t.len()).unwrap_or(0)
}

/// Members as "name (role)", and shared goals as "owner's goal: title, status, total", sorted.
fn group_state(phone: &Phone, group: &GroupId) -> Result<(Vec<String>, Vec<String>), CliError> {
    let details = phone.kindred.group(group)?;
    let mut members: Vec<String> = details
        .members
        .iter()
        .map(|m| format!("{} ({}, {})", m.display_name, m.role, &m.member_id.to_hex()[..8]))
        .collect();
    members.sort();
    let mut goals: Vec<String> = phone
        .kindred
        .goals(true, Some(group))?
        .iter()
        .map(|g| {
            format!(
                "{} by {}: {} ({}, {} logged)",
                g.id.to_hex().get(..8).unwrap_or_default(),
                &g.owner.to_hex()[..8],
                g.title,
                g.status,
                g.total_logged
            )
        })
        .collect();
    goals.sort();
    Ok((members, goals))
}

/// Closes the profile, copies its directory to `to` and reopens both: a second phone with the same keys.
fn clone_to(phone: Phone, to: &Path, name: &'static str) -> Result<(Phone, Phone), CliError> {
    let Phone { name: original, dir, kindred } = phone;
    // With no connection open, the directory's files are a complete, consistent copy.
    drop(kindred);
    copy_dir(&dir, to)?;
    Ok((Phone::open(dir, original)?, Phone::open(to, name)?))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::Other(format!("copying {}: {e}", from.display()));
    fs::create_dir_all(to).map_err(io)?;
    for entry in fs::read_dir(from).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).map_err(io)?;
        }
    }
    Ok(())
}

struct Demo {
    root: PathBuf,
    out: String,
    meetings: Vec<Meeting>,
    step: String,
}

impl Demo {
    fn line(&mut self, text: impl AsRef<str>) {
        push_line(&mut self.out, text);
    }

    fn step(&mut self, title: &str) {
        self.step = title.to_owned();
        self.line(format!("\n── {title} ──"));
    }

    /// `a` dials `b` (with Noise KK if it already knows b's key) and they sync, reconnecting after each drop.
    fn meet(&mut self, a: &Phone, b: &Phone) -> Result<Meeting, CliError> {
        let mut m = Meeting {
            step: self.step.clone(),
            dialler: a.name.to_owned(),
            listener: b.name.to_owned(),
            connections: 0,
            completed: false,
            error: None,
            bytes: 0,
            frames: 0,
            flights: 0,
            round_trips: 0.0,
            simulated_seconds: 0.0,
            changes_to_listener: 0,
            changes_to_dialler: 0,
            nothing_new: false,
        };
        while m.connections < MAX_CONNECTIONS {
            let expected = knows(a, b);
            let o: Outcome = link::connect(&a.kindred, &b.kindred, expected, LINK)?;
            m.connections += 1;
            m.bytes += o.bytes;
            m.frames += o.frames;
            m.flights += o.flights;
            m.simulated_seconds += o.simulated_seconds;
            m.changes_to_listener += o.listener.changes_applied;
            m.changes_to_dialler += o.dialler.changes_applied;
            m.nothing_new = o.dialler.nothing_new;
            if o.completed() {
                m.completed = true;
                m.error = None;
                break;
            }
            m.error = Some(o.ending.to_string());
            if o.ending != Ending::Dropped {
                break;
            }
        }
        m.round_trips = m.flights as f64 / 2.0;
        self.meetings.push(m.clone());
        Ok(m)
    }

    /// Runs the meetings in order and prints them as one table.
    fn meetings(&mut self, pairs: &[(&Phone, &Phone)]) -> Result<Vec<Meeting>, CliError> {
        let mut done = Vec::new();
        for (a, b) in pairs {
            done.push(self.meet(a, b)?);
        }
        self.table(&done);
        Ok(done)
    }

    fn table(&mut self, meetings: &[Meeting]) {
        let mut table = Table::new(&[
            ("MEETING", Align::Left),
            ("CONN", Align::Right),
            ("BYTES", Align::Right),
            ("FRAMES", Align::Right),
            ("ROUND TRIPS", Align::Right),
            ("SECONDS", Align::Right),
            ("CHANGES →", Align::Right),
            ("←", Align::Right),
            ("", Align::Left),
        ]);
        for m in meetings {
            let note = match (&m.error, m.nothing_new) {
                (Some(e), _) => format!("FAILED: {}", shorten_hashes(e)),
                (None, true) => "nothing new".to_owned(),
                (None, false) => String::new(),
            };
            table.row(vec![
                format!("{} → {}", m.dialler, m.listener),
                m.connections.to_string(),
                count(m.bytes),
                count(m.frames),
                num(m.round_trips),
                format!("{:.1}", m.simulated_seconds),
                count(m.changes_to_listener),
                count(m.changes_to_dialler),
                note,
            ]);
        }
        let text = crate::output::indent(&table.render(), "  ");
        self.line(text);
    }

    /// What each phone sees now: messages, members, shared goals, its own check-ins.
    fn phone_table(&mut self, group: &GroupId, phones: &[&Phone]) -> Result<(), CliError> {
        let mut table = Table::new(&[
            ("PHONE", Align::Left),
            ("MESSAGES", Align::Right),
            ("MEMBERS", Align::Right),
            ("SHARED GOALS", Align::Right),
            ("CHECK-INS", Align::Right),
        ]);
        for phone in phones {
            let (members, goals) = group_state(phone, group)?;
            table.row(vec![
                phone.name.to_owned(),
                count(message_count(phone, group) as u64),
                members.len().to_string(),
                goals.len().to_string(),
                phone.kindred.recent_checkins(30)?.len().to_string(),
            ]);
        }
        self.line(crate::output::indent(&table.render(), "  "));
        Ok(())
    }
}

/// Whether `a` knows `b` as a member of one of its groups (then it dials with Noise KK).
fn knows(a: &Phone, b: &Phone) -> Option<MemberId> {
    let id = b.id();
    a.kindred.knows_member(&id).ok()?.then_some(id)
}

fn first_difference(a: &[String], b: &[String]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!(
            ": message {} is \"{}\" there, \"{}\" on Amara's",
            i + 1,
            a.get(i).map_or("", String::as_str),
            b.get(i).map_or("", String::as_str)
        ),
        None => String::new(),
    }
}

/// `text` with every run of 32 or more hex digits (change hashes, ids) cut to its first 8 and an ellipsis.
fn shorten_hashes(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 32 {
            out.extend(run.chars().take(8));
            out.push('…');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_hex_runs_are_shortened() {
        let hash = "ab".repeat(32);
        assert_eq!(
            shorten_hashes(&format!("change {hash} depends on {hash}, x")),
            "change abababab… depends on abababab…, x"
        );
        assert_eq!(shorten_hashes("deadbeef and cafe"), "deadbeef and cafe");
    }
}
