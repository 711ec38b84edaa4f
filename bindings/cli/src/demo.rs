//! `kindred demo`: five phones and one peer-support group, with no server, in a fresh temporary directory.
//!
//! Each phone is a real profile in its own data directory. Phones meet in pairs over the core's simulated link
//! (frames of at most 32 KiB, about 20 KB/s like Bluetooth LE, cut every 64 KiB), and the demo prints what each
//! meeting cost. The story: an owner invites three people, who join at their first meeting; they write while apart
//! (check-ins stay private); they meet in pairs; one who is away gets a bundle file; months of conversation pass and
//! a newcomer joins that long history over a link that keeps dropping; an attacker is refused (a stranger, forged
//! bundles, a copied phone signing two histories, posts after removal). At the end every honest phone must show the
//! same timeline, members and shared goals.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use kindred_core::sync::link::{self, Ending, Link, Outcome};
use kindred_core::testing::Phone;
use kindred_core::{Bundle, Cadence, CadencePeriod, GroupId, MemberId, NewCheckin, NewGoal, NewGroup, NewMessage};
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome as CliOutcome};
use crate::output::{Align, Table, bytes, count, num, push_line};

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

    fn story(&mut self) -> Result<DemoReport, CliError> {
        let root = self.root.clone();
        self.line("Kindred demo: five phones, one peer-support group, no server.");
        self.line(format!("(Each phone is a real profile in its own directory under {})", root.display()));
        self.line("Phones meet in pairs over a simulated Bluetooth link: frames of at most 32 KiB, about 20 KB/s,");
        self.line(
            "and it drops every 64 KiB. For each meeting: connections (a drop means reconnecting), bytes and frames",
        );
        self.line("both ways, round trips, seconds at 20 KB/s, and changes applied: → on the phone dialled, ← on the dialler.");

        // ── The group and its first members ──
        self.step("Amara starts a group and invites Bo, Chen and Dee");
        let amara = new_phone(&root, "Amara")?;
        let group = amara
            .kindred
            .create_group(NewGroup {
                name: GROUP_NAME.into(),
                description: "Living with a new diagnosis: a small group from the clinic".into(),
                guidelines: "Speak from your own experience. No medical advice. What is shared here stays here.".into(),
            })?
            .id;
        amara.say(&group, "Welcome, everyone. This is our space between Tuesdays.")?;
        let mut phones = vec![];
        let mut code_len = 0;
        for name in ["Bo", "Chen", "Dee"] {
            let phone = new_phone(&root, name)?;
            let code = amara.kindred.create_invite(&group, WEEK_MS)?;
            code_len = code.len();
            let pending = phone.kindred.join_group(&code)?;
            self.line(format!(
                "{name} scans Amara's code for \"{}\": waiting to join at the first meeting.",
                pending.group_name
            ));
            phones.push(phone);
        }
        let [bo, chen, dee]: [Phone; 3] = phones.try_into().map_err(|_| CliError::Other("three phones".into()))?;
        self.line(format!("(A code is {code_len} characters, one QR code, single use, valid for a week.)"));

        self.step("At the clinic, each newcomer's phone meets Amara's and joins");
        self.meetings(&[(&bo, &amara), (&chen, &amara), (&dee, &amara)])?;
        let members = amara.kindred.group(&group)?.members;
        self.line(format!(
            "\"{GROUP_NAME}\" now has {} members: {}. Amara's phone checked each code; none can be used again.",
            members.len(),
            members.iter().map(|m| m.display_name.as_str()).collect::<Vec<_>>().join(", ")
        ));
        self.line(
            "(Noise XX handshakes: they did not know each other's keys yet. Phones that know each other use KK.)",
        );
        self.line("Bo joined first, so his phone has not heard of Chen and Dee yet. Before they leave, Amara's phone");
        self.line("meets Bo's and Chen's once more:");
        self.meetings(&[(&amara, &bo), (&amara, &chen)])?;

        // ── Offline ──
        self.step("A week apart: everyone writes offline");
        bo.say(&group, "Thank you for Tuesday. It helped to hear I'm not the only one who can't sleep.")?;
        chen.say(&group, "Second round of treatment tomorrow. Nervous, but ready.")?;
        dee.say(&group, "Off to my sister's for a while; the signal there is terrible. Thinking of you all.")?;
        amara.say(&group, "Reminder: no advice unless someone asks for it. Just listening is plenty.")?;
        let walk = bo.kindred.create_goal(NewGoal {
            title: "Walk outside".into(),
            cadence: Cadence { times: 3, period: CadencePeriod::Week },
            share_with: Some(group),
        })?;
        bo.kindred.log_progress(&walk.id, 1, Some("around the block"), None)?;
        let lights = chen.kindred.create_goal(NewGoal {
            title: "Lights out by 11".into(),
            cadence: Cadence { times: 5, period: CadencePeriod::Week },
            share_with: Some(group),
        })?;
        chen.kindred.log_progress(&lights.id, 1, None, None)?;
        amara.kindred.create_goal(NewGoal {
            title: "Journal".into(),
            cadence: Cadence { times: 1, period: CadencePeriod::Day },
            share_with: None,
        })?;
        let moods: [(&Phone, &[u8]); 4] = [(&amara, &[3, 4]), (&bo, &[2, 2, 3]), (&chen, &[2]), (&dee, &[4, 3])];
        for (phone, days) in moods {
            for (i, mood) in days.iter().enumerate() {
                let at = chrono::Utc::now().timestamp_millis() - (i as i64 + 1) * DAY_MS;
                phone.kindred.record_checkin(NewCheckin {
                    mood: *mood,
                    at: Some(at),
                    note: Some("private note".into()),
                    ..Default::default()
                })?;
            }
        }
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line(
            "Bo and Chen shared a goal with the group; Amara's \"Journal\" is private. Check-ins are private too.",
        );

        self.step("They meet in pairs: nobody meets everyone");
        self.meetings(&[(&bo, &chen), (&chen, &amara), (&amara, &bo)])?;
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line("Amara, Bo and Chen have each other's news; Dee is still away.");

        // ── Store and forward ──
        self.step("Dee is away: Bo sends her a bundle file through a chat app");
        let bundle_bytes = bo.kindred.export_bundle(&group)?;
        let bundle_file = root.join("tuesday-circle-from-bo.kindred");
        fs::write(&bundle_file, &bundle_bytes).map_err(|e| CliError::Other(format!("writing the bundle: {e}")))?;
        let documents = Bundle::from_file_bytes(&bundle_bytes)?.documents.len();
        let first = dee.kindred.import_bundle(&bundle_bytes)?;
        let again = dee.kindred.import_bundle(&bundle_bytes)?;
        self.line(format!(
            "Bo exports \"{GROUP_NAME}\": {} bytes, {documents} documents, signed by Bo.",
            count(bundle_bytes.len() as u64)
        ));
        self.line(format!(
            "Dee imports it: {} changes applied, {} already on her phone. Importing it again: {} applied, {} already there.",
            first.report.applied, first.report.duplicates, again.report.applied, again.report.duplicates
        ));
        self.line(format!(
            "Dee now sees {} messages. A bundle is one-way: her own news waits for a meeting.",
            message_count(&dee, &group)
        ));
        let bundle = BundleReport {
            bytes: bundle_bytes.len() as u64,
            documents,
            applied: first.report.applied,
            applied_again: again.report.applied,
            duplicates_again: again.report.duplicates,
        };

        // ── A long history ──
        self.step("Three months of Tuesdays");
        self.line("Every fortnight each of them writes a hundred-odd messages, and their phones meet in turn.");
        let rotation: [[(&Phone, &Phone); 2]; 3] =
            [[(&bo, &amara), (&dee, &chen)], [(&amara, &chen), (&bo, &dee)], [(&chen, &bo), (&dee, &amara)]];
        let authors: [(&Phone, usize); 4] = [(&amara, 140), (&bo, 130), (&chen, 120), (&dee, 100)];
        let mut seed = 7u64;
        let mut written = 0;
        let mut months = Vec::new();
        for fortnight in 0..6 {
            for (phone, n) in authors {
                // About one in five is a reply to something recent on this phone.
                let recent: Vec<_> = phone.kindred.messages(&group, 40, None)?.into_iter().map(|m| m.id).collect();
                let batch: Vec<NewMessage> = (0..n)
                    .map(|i| NewMessage {
                        text: chatter(&mut seed),
                        reply_to: if i % 5 == 4 {
                            recent.get((seed >> 40) as usize % recent.len().max(1)).copied()
                        } else {
                            None
                        },
                        ..Default::default()
                    })
                    .collect();
                phone.kindred.post_many(&group, batch)?;
                written += n;
            }
            for (a, b) in rotation.get(fortnight % rotation.len()).into_iter().flatten() {
                months.push(self.meet(a, b)?);
            }
        }
        self.table(&months);
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;
        self.line(format!("{} messages written; not every phone has all of them yet.", count(written as u64)));
        self.line(
            "Amara creates an invitation for Eli, who starts next week. At the clinic, everyone's phone meets hers:",
        );
        let eli_code = amara.kindred.create_invite(&group, WEEK_MS)?;
        self.meetings(&[(&bo, &amara), (&chen, &amara), (&dee, &amara), (&amara, &bo), (&amara, &chen)])?;
        self.phone_table(&group, &[&amara, &bo, &chen, &dee])?;

        // ── A newcomer joins the long history over a dropping link ──
        self.step("Eli joins the long history over a link that drops every 64 KiB");
        let eli = new_phone(&root, "Eli")?;
        eli.kindred.join_group(&eli_code)?;
        // A copy of Eli's phone as it is now, to measure the same join over a link that never drops.
        let (eli, control) = clone_to(eli, &root.join("eli-control"), "Eli (control)")?;
        self.line(
            "Eli has Amara's code, but the first member he meets is Chen, whose phone checks it (any member's can).",
        );
        let join = self.meet(&eli, &chen)?;
        let clean = link::connect(&control.kindred, &chen.kindred, None, Link { drop_after_bytes: None, ..LINK })?;
        let control_dir = control.dir.clone();
        drop(control);
        let _ = fs::remove_dir_all(control_dir);
        let resent = join.bytes.saturating_sub(clean.bytes);
        let late_join = LateJoin {
            history_messages: message_count(&chen, &group),
            connections: join.connections,
            bytes: join.bytes,
            clean_bytes: clean.bytes,
            resent_bytes: resent,
            resent_percent: if join.bytes == 0 { 0.0 } else { resent as f64 * 100.0 / join.bytes as f64 },
            largest_frame: clean.largest_frame,
            messages_seen: message_count(&eli, &group),
        };
        self.table(std::slice::from_ref(&join));
        self.line(format!(
            "It took {} connections and {} ({}): each new connection asked only for the rest of the transfer.",
            late_join.connections,
            bytes(late_join.bytes),
            count(late_join.bytes)
        ));
        self.line(format!(
            "The same join over a link that never drops: {} in one connection. Re-sent because of the drops: {} ({}%).",
            bytes(late_join.clean_bytes),
            bytes(late_join.resent_bytes),
            num(late_join.resent_percent)
        ));
        self.line(format!(
            "Eli now sees {} of the group's {} messages; frames were at most {} bytes; about {} s at 20 KB/s.",
            count(late_join.messages_seen as u64),
            count(late_join.history_messages as u64),
            count(late_join.largest_frame),
            num(join.simulated_seconds)
        ));
        eli.say(&group, "Hello all, Chen told me about this group. I've just been diagnosed too.")?;

        // ── An attacker ──
        let mut attacks = Attacks::default();
        self.step("Mal, a stranger, connects to Bo");
        let mal = new_phone(&root, "Mal")?;
        let stranger = self.meetings(&[(&mal, &bo)])?;
        attacks.stranger_groups_after = mal.kindred.groups()?.len();
        attacks.stranger_bytes = stranger.first().map_or(0, |m| m.bytes);
        self.line(format!(
            "The session completes, and Mal has {} groups: Bo sends a group's data only to its members. {} bytes crossed.",
            attacks.stranger_groups_after,
            count(attacks.stranger_bytes)
        ));

        self.step("Mal forges bundles");
        let before = message_count(&chen, &group);
        let mut damaged = bundle_bytes.clone();
        if let Some(byte) = damaged.get_mut(bundle_bytes.len() / 2) {
            *byte ^= 0x20;
        }
        attacks.damaged_bundle_refused = chen.kindred.import_bundle(&damaged).err().map(|e| e.to_string());
        let mut tampered = Bundle::from_file_bytes(&bundle_bytes)?;
        if let Some(byte) = tampered.documents.last_mut().and_then(|d| d.snapshot.last_mut()) {
            *byte ^= 0x01;
        }
        attacks.tampered_bundle_refused =
            chen.kindred.import_bundle(&tampered.to_file_bytes()?).err().map(|e| e.to_string());
        self.line("A copy of Bo's bundle with one byte flipped, given to Chen:");
        self.line(format!("  {}", attacks.damaged_bundle_refused.as_deref().unwrap_or("ACCEPTED (this is a bug)")));
        self.line("The same bundle decoded, one document altered, and re-encoded:");
        self.line(format!("  {}", attacks.tampered_bundle_refused.as_deref().unwrap_or("ACCEPTED (this is a bug)")));
        let after = message_count(&chen, &group);
        self.line(format!(
            "Chen's phone is unchanged: {} messages before, {} after.",
            count(before as u64),
            count(after as u64)
        ));

        self.step("Next Tuesday at the clinic: Eli's first time in person, and a newcomer, Mal");
        let code = amara.kindred.create_invite(&group, WEEK_MS)?;
        mal.kindred.join_group(&code)?;
        self.line("Amara invites Mal too. Everyone's phone meets hers, so everyone hears of Eli and Mal:");
        self.meetings(&[
            (&chen, &amara),
            (&mal, &amara),
            (&bo, &amara),
            (&dee, &amara),
            (&eli, &amara),
            (&amara, &chen),
        ])?;
        mal.say(&group, "Hi all, glad to be here.")?;
        self.line("Mal says hello, and his phone meets Amara's again:");
        self.meetings(&[(&mal, &amara)])?;

        self.step("Mal copies his phone and signs two different histories");
        let (mal, mal2) = clone_to(mal, &root.join("mal-second-phone"), "Mal's 2nd phone")?;
        mal.say(&group, "The Tuesday meeting has moved to Thursday.")?;
        mal2.say(&group, "The Tuesday meeting is cancelled for good.")?;
        mal2.say(&group, "Don't bother coming.")?;
        self.line(
            "Both of Mal's phones hold his key and install id: each signs different messages at the same positions.",
        );
        self.line("Mal's phone meets Bo; his second phone meets Chen. Then Bo and Chen meet:");
        let attack_start = self.meetings.len();
        self.meetings(&[(&mal, &bo), (&mal2, &chen), (&bo, &chen)])?;
        for phone in [&bo, &chen] {
            let (flagged, proofs) = phone.kindred.flagged_members(&group)?;
            match flagged.first() {
                Some((_, why)) => {
                    self.line(format!("  {} flagged Mal ({why}) and keeps {proofs} proof(s).", phone.name))
                }
                None => self.line(format!("  {} flagged no one.", phone.name)),
            }
        }
        self.line("The news spreads as the honest phones meet:");
        self.meetings(&[(&amara, &bo), (&dee, &chen), (&eli, &amara), (&dee, &amara), (&eli, &bo)])?;

        self.step("Amara removes Mal; Mal keeps posting");
        let left = amara.kindred.remove_member(&group, &mal.id())?.members.len();
        self.line(format!("Amara removes Mal from the group ({left} members left)."));
        mal.say(&group, "Don't listen to Amara, message me privately instead.")?;
        self.line("Mal's phone posts after the removal and meets Eli, who has not heard of it yet:");
        self.meetings(&[(&mal, &eli)])?;
        let seen_before = eli.timeline(&group)?.iter().any(|t| t.contains("message me privately"));
        attacks.removed_post_shown_before_removal_arrived = seen_before;
        self.line(format!("  Eli {} Mal's new post.", if seen_before { "sees" } else { "does not see" }));

        self.step("The honest phones meet twice more, each with the next");
        let honest: [&Phone; 5] = [&amara, &bo, &chen, &dee, &eli];
        let mut round = Vec::new();
        for (i, a) in honest.iter().enumerate() {
            if let Some(b) = honest.get((i + 1) % honest.len()) {
                round.push((*a, *b));
            }
        }
        self.meetings(&round)?;
        self.meetings(&round)?;
        let mut hidden_everywhere = true;
        for phone in honest {
            if phone.timeline(&group)?.iter().any(|t| t.contains("message me privately")) {
                hidden_everywhere = false;
                self.line(format!("  {} STILL SHOWS Mal's post from after his removal.", phone.name));
            }
        }
        attacks.removed_post_hidden_on_all_honest_phones = hidden_everywhere;
        if hidden_everywhere {
            self.line("Mal's post from after his removal is hidden on every honest phone, Eli's too (kept for history, never shown).");
        }
        let mut flagged_on = Vec::new();
        for phone in honest {
            let (flagged, proofs) = phone.kindred.flagged_members(&group)?;
            if flagged.iter().any(|(m, _)| *m == mal.id()) {
                flagged_on.push(phone.name.to_owned());
            }
            attacks.equivocation_quarantined += proofs;
        }
        if flagged_on.len() == honest.len() {
            self.line(format!(
                "Every honest phone flagged Mal for equivocating ({} proofs kept in all) and hides both versions.",
                attacks.equivocation_quarantined
            ));
        } else {
            let on = if flagged_on.is_empty() { "no phone".to_owned() } else { flagged_on.join(", ") };
            self.line(format!("NOT AS DESIGNED: Mal's two histories were flagged on {on}, not on every honest phone."));
            let failed = self.meetings.get(attack_start..).unwrap_or_default().iter().filter(|m| !m.completed).count();
            if failed > 0 {
                self.line(format!("  {failed} meetings since Mal's two phones met failed (see FAILED above); the comparison below shows the result."));
            }
        }
        attacks.equivocation_flagged_on = flagged_on;

        // ── The end ──
        self.step("Every honest phone, compared");
        let mut states = Vec::new();
        let reference = (amara.timeline(&group)?, group_state(&amara, &group)?);
        let mut differences = Vec::new();
        for phone in honest {
            let timeline = phone.timeline(&group)?;
            let (members, goals) = group_state(phone, &group)?;
            if timeline != reference.0 {
                differences.push(format!(
                    "{}'s timeline differs from Amara's ({} vs {} messages){}",
                    phone.name,
                    count(timeline.len() as u64),
                    count(reference.0.len() as u64),
                    first_difference(&timeline, &reference.0)
                ));
            }
            if members != reference.1.0 {
                differences.push(format!(
                    "{}'s members differ from Amara's: {:?} vs {:?}",
                    phone.name, members, reference.1.0
                ));
            }
            if goals != reference.1.1 {
                differences.push(format!(
                    "{}'s shared goals differ from Amara's: {:?} vs {:?}",
                    phone.name, goals, reference.1.1
                ));
            }
        }
        for phone in [&amara, &bo, &chen, &dee, &eli, &mal, &mal2] {
            let honest = !phone.name.starts_with("Mal");
            let (members, goals) = group_state(phone, &group).unwrap_or_default();
            states.push(PhoneState {
                name: phone.name.to_owned(),
                honest,
                messages: message_count(phone, &group),
                members: members.len(),
                shared_goals: goals.len(),
                checkins: phone.kindred.recent_checkins(30)?.len(),
                flagged: phone.kindred.flagged_members(&group).map(|(f, _)| f.len()).unwrap_or(0),
            });
        }
        let mut table = Table::new(&[
            ("PHONE", Align::Left),
            ("MESSAGES", Align::Right),
            ("MEMBERS", Align::Right),
            ("SHARED GOALS", Align::Right),
            ("CHECK-INS", Align::Right),
            ("FLAGGED", Align::Right),
        ]);
        for s in &states {
            table.row(vec![
                s.name.clone(),
                count(s.messages as u64),
                s.members.to_string(),
                s.shared_goals.to_string(),
                s.checkins.to_string(),
                s.flagged.to_string(),
            ]);
        }
        self.line(crate::output::indent(&table.render(), "  "));
        let own_checkins =
            [("Amara", 2), ("Bo", 3), ("Chen", 1), ("Dee", 2), ("Eli", 0), ("Mal", 0), ("Mal's 2nd phone", 0)];
        let private = states.iter().all(|s| own_checkins.iter().any(|(name, n)| *name == s.name && *n == s.checkins));
        if private {
            self.line("Check-ins never left their phones: each holds exactly the ones its owner recorded.");
        } else {
            self.line("CHECK-INS TRAVELLED: a phone holds check-ins its owner did not record.");
        }
        let identical = differences.is_empty();
        if identical {
            self.line(format!(
                "Timeline ({} messages), members and shared goals are identical on all {} honest phones.",
                count(reference.0.len() as u64),
                honest.len()
            ));
        } else {
            self.line(format!("The honest phones DIFFER ({} differences):", differences.len()));
            for d in &differences {
                self.line(format!("  {d}"));
            }
        }
        let total: u64 = self.meetings.iter().map(|m| m.bytes).sum();
        let seconds: f64 = self.meetings.iter().map(|m| m.simulated_seconds).sum();
        self.line(format!(
            "{} meetings in all: {} over the air, {} s at 20 KB/s.",
            self.meetings.len(),
            bytes(total),
            num(seconds)
        ));

        Ok(DemoReport {
            data_dir: root.display().to_string(),
            kept: false,
            group_id: group.to_hex(),
            meetings: std::mem::take(&mut self.meetings),
            bundle,
            late_join,
            attacks,
            phones: states,
            honest_phones: honest.len(),
            identical,
            differences,
        })
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

/// A plausible message for the long history: one to four sentences drawn from a few hundred phrases and numbers,
/// so it compresses roughly like real chat rather than like one repeated line (deterministic, so runs compare).
fn chatter(seed: &mut u64) -> String {
    const WHEN: [&str; 24] = [
        "Today",
        "This morning",
        "Last night",
        "After the appointment",
        "On the bus home",
        "At lunch",
        "Before bed",
        "This week",
        "On Sunday",
        "Yesterday afternoon",
        "At the pharmacy",
        "Around three in the morning",
        "While the kettle boiled",
        "In the waiting room",
        "After my sister called",
        "On my walk",
        "At work",
        "During the infusion",
        "After the school run",
        "Over breakfast",
        "At my mum's",
        "In the queue at the shop",
        "Between phone calls",
        "On the way to the clinic",
    ];
    const WHAT: [&str; 36] = [
        "I managed a short walk and it helped more than I expected",
        "the worry came back, so I tried the breathing we talked about",
        "I slept badly again but the tea trick made the morning easier",
        "I told my sister about the group and she wants to hear more",
        "the nurse finally explained the side effects properly",
        "I felt tired all day and let myself rest without guilt",
        "I caught myself laughing at something for the first time in weeks",
        "I read your messages to pass the time",
        "I cooked a real dinner, a small win but I'll take it",
        "the new tablets made me dizzy so I'm asking about the dose",
        "my hands were shaking before the scan",
        "I wrote down three things that went fine, like Dee suggested",
        "I skipped the news and sat in the garden instead",
        "the bills piled up and I couldn't face opening them",
        "a neighbour brought soup without being asked",
        "I cried in the car park, then felt lighter",
        "I said no to something and the world didn't end",
        "the pain was lower than last week",
        "I forgot my appointment time and panicked for nothing",
        "I managed the stairs without stopping",
        "my daughter drew me a picture of the hospital as a castle",
        "I couldn't concentrate on anything longer than a page",
        "the group chat was the first thing I opened",
        "the doctor used words I had to look up afterwards",
        "I finally rang the helpline number from the leaflet",
        "my partner and I argued about nothing, then apologised",
        "I noticed the blossom on the tree outside the ward",
        "I lost my temper with the receptionist and felt awful after",
        "I went to the pool and only swam two lengths, but I went",
        "the results letter came and I left it on the table unopened",
        "I took the medication on time every day",
        "a friend from work asked how I really was, and I told her",
        "the insomnia was back with a vengeance",
        "I sorted one drawer, which counts as spring cleaning now",
        "my appetite came back a little",
        "I sat with the feeling instead of fighting it",
    ];
    const FEEL: [&str; 24] = [
        "I feel more like myself.",
        "Still foggy.",
        "Honestly, I'm scared.",
        "It felt like a big deal to me.",
        "Proud of that one.",
        "Not sure what to make of it.",
        "My chest felt tight the whole time.",
        "I keep thinking about what Bo said last week.",
        "The tiredness is the worst part.",
        "Oddly calm about it all.",
        "Everything takes twice as long now.",
        "I didn't expect it to hit me so hard.",
        "Some days are just grey.",
        "It reminded me why I joined this group.",
        "I wish I'd asked more questions.",
        "My body feels like someone else's.",
        "I'm learning to ask for help.",
        "I could have done without the drama.",
        "Grateful, mostly.",
        "The waiting is harder than the treatment.",
        "I'm trying not to read too much online.",
        "Felt a bit brave, actually.",
        "Anxious but okay.",
        "Numb, if I'm honest.",
    ];
    const DETAIL: [&str; 10] = [
        "It took {n} minutes.",
        "I counted {n} breaths.",
        "Slept about {n} hours.",
        "That's day {n} in a row.",
        "Only {n} more sessions to go.",
        "Waited {n} minutes to be seen.",
        "Walked {n} minutes further than before.",
        "The pain was a {n} out of 40 on their odd scale.",
        "{n} days until the next scan.",
        "Drank {n} glasses of water.",
    ];
    const CLOSE: [&str; 24] = [
        "How is everyone doing?",
        "Thanks for listening.",
        "Small steps.",
        "See you Tuesday.",
        "Sending strength to all of you.",
        "One day at a time.",
        "Does anyone else find evenings hardest?",
        "Chen, how did the second round go?",
        "Bo, did the walking goal stick?",
        "Amara, thank you for keeping this going.",
        "Any tips for the waiting?",
        "I'm proud of us.",
        "Not a great day, but not the worst.",
        "Just needed to say it somewhere.",
        "Hugs if wanted.",
        "Back to bed now.",
        "Going to try again tomorrow.",
        "Is it normal to feel this flat?",
        "Rest well, everyone.",
        "Dee, hope your sister's place is treating you well.",
        "Anyone awake?",
        "Will report back after Thursday.",
        "No advice needed, just sharing.",
        "Thank you for the kind words yesterday.",
    ];
    let mut next = || {
        *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (*seed >> 33) as usize
    };
    let mut text =
        format!("{}, {}.", WHEN.get(next() % WHEN.len()).unwrap_or(&""), WHAT.get(next() % WHAT.len()).unwrap_or(&""));
    let roll = next() % 8;
    if roll < 5 {
        text = format!("{text} {}", FEEL.get(next() % FEEL.len()).unwrap_or(&""));
    }
    if roll % 3 == 0 {
        let n = (2 + next() % 38).to_string();
        text = format!("{text} {}", DETAIL.get(next() % DETAIL.len()).unwrap_or(&"").replace("{n}", &n));
    }
    if roll != 7 {
        text = format!("{text} {}", CLOSE.get(next() % CLOSE.len()).unwrap_or(&""));
    }
    text
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

    #[test]
    fn chatter_is_varied_and_deterministic() {
        let (mut a, mut b) = (7, 7);
        let first: Vec<String> = (0..50).map(|_| chatter(&mut a)).collect();
        let again: Vec<String> = (0..50).map(|_| chatter(&mut b)).collect();
        assert_eq!(first, again);
        let distinct: std::collections::HashSet<&String> = first.iter().collect();
        assert!(distinct.len() > 45);
    }
}
