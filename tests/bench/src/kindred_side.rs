//! The Kindred side: builds a profile holding one group with a long history through the public `kindred-core` API,
//! then measures opening it, its size on disk and the latency of durable posts.
//!
//! The history is posted by the profile itself with `post_many` (1000 messages per call: one SQLite transaction,
//! but each message still its own signed Automerge change in the group's current segment, exactly like single
//! posts). Kindred stamps `created_at` with the clock at post time, so unlike the automerge baseline these
//! timestamps are not spread over months; the read model orders by `created_at` either way.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kindred_core::{GroupId, Kindred, MemberId, MessageId, NewGroup, NewMessage, Profiles, Role, Secret};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::rss::{self, ChildTask, OpenTiming};
use crate::workload::{self, Workload};

/// Messages per `post_many` call while generating.
const BATCH: usize = 1000;
/// Share of generated messages that reply to an earlier one, and that carry a content warning.
const REPLY_SHARE: f64 = 0.05;
const CONTENT_WARNING_SHARE: f64 = 0.01;
/// How many of the newest messages get a reaction, so the page read also reads reactions.
const REACTED_RECENT: usize = 10;
/// What the benchmark reads when it opens a group, as a conversation screen would.
pub const PAGE: u32 = 50;
/// In the large history: messages by another member that the owner hides, and members the owner mutes (the issue's
/// "open with 1,000 hidden messages and 100 muted members").
pub const HIDDEN: usize = 1000;
pub const MUTED: usize = 100;

/// The key the benchmark's encrypted profiles open with: an app's key from Android Keystore or iOS Keychain, used
/// as it is (a passphrase adds Argon2id once per open: `passphrase_kdf_ms`).
pub fn bench_key() -> Secret {
    Secret::Key(vec![0x5a; 32])
}

/// Creates a profile called `name`: in a vault at `dir`, encrypted, or unencrypted in `dir`.
pub fn create_profile(dir: &Path, name: &str, encrypted: bool) -> Result<Kindred, Box<dyn Error>> {
    Ok(if encrypted { Profiles::new(dir)?.create(&bench_key(), name, None)? } else { Kindred::create(dir, name)? })
}

/// Opens the profile [`create_profile`] made.
pub fn open_profile(dir: &Path, encrypted: bool) -> Result<Kindred, Box<dyn Error>> {
    Ok(if encrypted { Profiles::new(dir)?.open(&bench_key())? } else { Kindred::open(dir)? })
}

/// A profile on disk holding one group with `messages` messages.
#[derive(Debug, Clone)]
pub struct KindredHistory {
    /// The profile's data directory; for an encrypted one, its vault.
    pub dir: PathBuf,
    pub encrypted: bool,
    pub group: GroupId,
    pub messages: usize,
    /// How long generating it took.
    pub generate: Duration,
}

/// Creates a profile in `dir` with a group of 8 members and `messages` messages of the seeded workload. With
/// `moderated`, a ninth member (Bea, whose phone joins before the history) then posts [`HIDDEN`] messages, all of
/// which the owner hides, and the owner mutes [`MUTED`] members: the newest page then holds hidden messages.
pub fn generate(dir: &Path, messages: usize, seed: u64, moderated: bool) -> Result<KindredHistory, Box<dyn Error>> {
    let started = Instant::now();
    let mut workload = Workload::new(seed, messages);
    let mut shape = StdRng::seed_from_u64(seed ^ 0x5348_4150);
    let me = Kindred::create(dir, "Ada")?;
    let group = me
        .create_group(NewGroup {
            name: "Tuesday circle".into(),
            description: "A small group for people finding their feet after a diagnosis.".into(),
            guidelines: "Be kind. Share your own experience, not advice. What is said here stays here.".into(),
        })?
        .id;
    for (i, key) in workload::member_keys().iter().enumerate().skip(1) {
        me.add_member(&group, &MemberId::from_bytes(*key), &format!("Member {i}"), Role::Member)?;
    }
    let bea = if moderated {
        let bea = Kindred::create(dir.with_extension("bea"), "Bea")?;
        bea.join_group(&me.create_invite(&group, kindred_core::limits::DEFAULT_INVITE_VALIDITY_MS)?)?;
        let joined = kindred_core::sync::link::connect(&bea, &me, None, kindred_core::sync::link::Link::default())?;
        if !joined.completed() {
            return Err("Bea's phone did not join the benchmark group".into());
        }
        Some(bea)
    } else {
        None
    };
    let mut previous_batch: Vec<MessageId> = Vec::new();
    let mut posted = 0;
    let mut last_report = Instant::now();
    while posted < messages {
        let batch: Vec<NewMessage> = (0..BATCH.min(messages - posted))
            .map(|_| NewMessage {
                text: workload.draft().text,
                reply_to: if previous_batch.is_empty() || !shape.random_bool(REPLY_SHARE) {
                    None
                } else {
                    previous_batch.get(shape.random_range(0..previous_batch.len())).copied()
                },
                content_warning: shape.random_bool(CONTENT_WARNING_SHARE).then(|| "medication side effects".to_owned()),
            })
            .collect();
        posted += batch.len();
        previous_batch = me.post_many(&group, batch)?;
        if last_report.elapsed() > Duration::from_secs(10) || posted == messages {
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "  kindred: {posted}/{messages} messages posted, {secs:.1} s ({:.0} us/msg)",
                secs * 1e6 / posted as f64
            );
            last_report = Instant::now();
        }
    }
    for message in me.messages(&group, REACTED_RECENT as u32, None)? {
        me.react(&group, &message.id, Some(if shape.random_bool(0.5) { "❤️" } else { "👍" }))?;
    }
    if let Some(bea) = bea {
        let mut texts = Workload::new(seed ^ 0xbea, HIDDEN);
        bea.accept_rules(&group)?;
        let posted = bea.post_many(
            &group,
            (0..HIDDEN).map(|_| NewMessage { text: texts.draft().text, ..NewMessage::default() }).collect(),
        )?;
        me.import_bundle(&bea.export_bundle(&group)?)?;
        for id in &posted {
            me.hide_message(&group, id, "off topic")?;
        }
        for _ in 0..MUTED {
            let mut key = [0u8; 32];
            shape.fill(&mut key[..]);
            me.set_member_control(&MemberId::from_bytes(key), kindred_core::MemberControl::Muted)?;
        }
        eprintln!("  kindred: {HIDDEN} messages by another member hidden, {MUTED} members muted");
    }
    drop(me);
    Ok(KindredHistory { dir: dir.to_owned(), encrypted: false, group, messages, generate: started.elapsed() })
}

/// The same history, encrypted: a copy of the unencrypted profile moved into a vault at `root`
/// ([`Profiles::adopt`], which rekeys a copy of the database page by page).
pub fn encrypted_copy(history: &KindredHistory, root: &Path) -> Result<KindredHistory, Box<dyn Error>> {
    let plain = root.with_extension("plain-copy");
    copy_dir(&history.dir, &plain)?;
    drop(Profiles::new(root)?.adopt(&plain, &bench_key(), None)?);
    Ok(KindredHistory { dir: root.to_owned(), encrypted: true, ..history.clone() })
}

/// Copies a closed profile's folder (or vault) with everything in it.
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// `panic_wipe_ms`: the panic wipe of an open, encrypted copy of the history (its key destroyed, then its files).
pub fn measure_wipe(history: &KindredHistory, root: &Path) -> Result<f64, Box<dyn Error>> {
    copy_dir(&history.dir, root)?;
    let me = open_profile(root, history.encrypted)?;
    let started = Instant::now();
    me.wipe()?;
    let took = started.elapsed();
    if open_profile(root, history.encrypted).is_ok() {
        return Err("the wiped profile still opens".into());
    }
    Ok(rss::ms(took))
}

/// `passphrase_kdf_ms`: what a passphrase adds to opening a profile (Argon2id, then unwrapping the key), median of 5.
pub fn measure_passphrase_kdf(root: &Path) -> Result<f64, Box<dyn Error>> {
    let vault = Profiles::new(root)?;
    let secret = Secret::Passphrase("a passphrase of some length".into());
    drop(vault.create(&secret, "Ada", None)?);
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            vault.find(&secret).map(|_| rss::ms(started.elapsed()))
        })
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times.get(2).copied().unwrap_or(f64::NAN))
}

/// What a child process times: open the profile and read the group's latest page.
pub fn open_and_read_latest(dir: &Path, group: &GroupId, encrypted: bool) -> Result<OpenTiming, Box<dyn Error>> {
    let started = Instant::now();
    let me = open_profile(dir, encrypted)?;
    let opened = Instant::now();
    let page = me.messages(group, PAGE, None)?;
    let read = opened.elapsed();
    std::hint::black_box(&page);
    Ok(OpenTiming { open: opened - started, read, read_count: page.len() })
}

/// Opens the history `runs` times, each in a fresh process.
pub fn measure_open(history: &KindredHistory, runs: usize) -> Result<Vec<rss::ChildReport>, Box<dyn Error>> {
    let task = ChildTask::KindredOpen { dir: history.dir.clone(), group: history.group, encrypted: history.encrypted };
    (0..runs).map(|_| rss::run_child(&task)).collect()
}

/// Sizes of the files of a data directory (or vault), after a reopen and close has checkpointed the WAL.
#[derive(Debug, Clone, Copy)]
pub struct DiskUsage {
    pub database: u64,
    pub wal: u64,
    pub total: u64,
}

/// Reopens and closes the profile (closing the last connection checkpoints the WAL), then adds up its files.
pub fn measure_disk(history: &KindredHistory) -> Result<DiskUsage, Box<dyn Error>> {
    drop(open_profile(&history.dir, history.encrypted)?);
    let mut usage = DiskUsage { database: 0, wal: 0, total: 0 };
    add_up(&history.dir, &mut usage)?;
    Ok(usage)
}

fn add_up(dir: &Path, usage: &mut DiskUsage) -> Result<(), Box<dyn Error>> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            add_up(&entry.path(), usage)?;
            continue;
        }
        let len = entry.metadata()?.len();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == kindred_core::DATABASE_FILE || name == "d" {
            usage.database += len;
        } else if name.ends_with("-wal") {
            usage.wal += len;
        }
        usage.total += len;
    }
    Ok(())
}

/// Posts `count` messages one by one (each `post` durable and signed) into the history's group and returns each
/// call's latency. The first post pays for loading the current segment, as the first post after a launch does.
/// `between_posts` runs after each timed post, outside the timing (the fsync probe).
/// `erase_ms`: erasing one of the owner's messages in the big group, durable (the erasure's signed change, the read
/// model, and the write-ahead log emptied after it), `count` times on the newest ones; returns each time.
pub fn measure_erase(history: &KindredHistory, count: usize) -> Result<Vec<Duration>, Box<dyn Error>> {
    let me = open_profile(&history.dir, history.encrypted)?;
    let mine = me.profile().member_id;
    let targets: Vec<_> = me
        .messages(&history.group, 500, None)?
        .into_iter()
        .rev()
        .filter(|m| m.author == mine && !m.removed)
        .take(count)
        .map(|m| m.id)
        .collect();
    let mut times = Vec::with_capacity(targets.len());
    for id in targets {
        let started = Instant::now();
        me.erase_message(&history.group, &id)?;
        times.push(started.elapsed());
    }
    Ok(times)
}

pub fn measure_post_latency(
    history: &KindredHistory,
    count: usize,
    seed: u64,
    mut between_posts: impl FnMut() -> Result<(), Box<dyn Error>>,
) -> Result<Vec<Duration>, Box<dyn Error>> {
    let mut workload = Workload::new(seed, count);
    let me = open_profile(&history.dir, history.encrypted)?;
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let message = NewMessage { text: workload.draft().text, ..NewMessage::default() };
        let started = Instant::now();
        me.post(&history.group, message)?;
        latencies.push(started.elapsed());
        between_posts()?;
    }
    Ok(latencies)
}
