//! kindred-bench: measures Kindred against the design's performance targets, with raw automerge measured in the
//! same run as the baseline (the README's benchmark section lists the targets and the last figures). The targets, what
//! meets them and the printed table are in `report.rs`; this file holds the options, the `Report` and the run.
//!
//! ```text
//! cargo run --release -p kindred-bench                   # full sizes (10k and 100k messages), a few minutes
//! cargo run --release -p kindred-bench -- --json         # the same, plus one JSON object on the last line of stdout
//! cargo run --release -p kindred-bench -- --quick --json # 2k and 10k messages, 200 posts: a smoke run
//! ```
//!
//! `--release` is the canonical profile: it is the profile the phone libraries ship with (opt-level "z", fat LTO),
//! so the figures are those of the code people run. `--profile bench-release` (opt-level 3, thin LTO) builds
//! faster and runs faster; the build's opt-level is printed and recorded in the JSON as `opt_level`. Both sides of
//! every comparison are compiled with the same profile in the same binary.
//!
//! What is measured (one function per metric in `kindred_side` and `automerge_side`). The main keys measure profiles
//! encrypted at rest, as apps run them: each generated history is copied into a vault (`Profiles::adopt`) and opened
//! with an app key (`kindred_side::bench_key`); the `_plain` keys measure the unencrypted originals in the same run.
//! - open: opening the profile, then `messages(&group, 50, None)`, in a fresh process (the binary
//!   re-executes itself with a hidden `__child` subcommand, see `rss`); median over `--runs` processes. Its peak RSS
//!   is the child's VmHWM (max over the runs). The baseline child reads the `save()`d file, `Automerge::load`s it
//!   and picks the 50 newest messages by `ts`.
//! - post: latency of durable, signed `post` calls into the large group, one message at a time, printed beside
//!   the disk's own floor (a 4 KiB append + `fdatasync` in the same directory, sampled right after each post):
//!   every durable post pays at least one such sync, so on a slow or shared disk the floor says how much of the
//!   latency is the disk's. `post_p50_over_floor` and `post_p99_over_floor` are the post's p50 and p99 over the
//!   floor's, both from this run (targets 2x and 3x): unlike the absolute figures they stay comparable between a
//!   quiet disk and a busy one. The posts run back to back with no `maintain` call between them, so whatever a post
//!   does itself (compaction past its bound, SQLite's own WAL checkpoint) is in the figures. `--post-trace FILE`
//!   keeps both series, post by post.
//! - disk: the data dir's files after a reopen and close (which checkpoints the WAL), over the message count.
//! - privacy: `panic_wipe_100k_ms`, the panic wipe of an open, encrypted copy of the large profile (key first, then
//!   files); `passphrase_kdf_ms`, what a passphrase adds to an open (Argon2id and unwrapping the key).
//! - sync (`sync_side`, baselines in `automerge_sync`): whole profiles syncing over the core's simulated link, every
//!   frame's bytes counted both ways: a reconnect with nothing new between two phones sharing 5 groups; a catch-up
//!   after 100 new messages on each side; a newcomer joining the small history's group by invitation, over a clean
//!   link and over one that drops every 64 KiB (reconnecting, a fresh session each time, until one completes); and
//!   the largest frame on any link. The baselines are raw automerge sync of the research schema, half-duplex
//!   ping-pong with every message encoded and decoded and the sync states persisted between connections.
//!   A sync scenario that fails is reported (`sync_failures`, its figures `null`) and the others still run.
//! - crisis check (`crisis`): `check_draft_us`, the median time to check a 1,000-character draft against every
//!   shipped phrase list of the on-device crisis check; `check_draft_offer_us`, the whole `Kindred::check_draft` on
//!   it with a safety plan and two resource directories to offer.
//! - wellbeing (`wellbeing`): `trends_2y_ms`, the median time to compute every trend over two years of daily
//!   check-ins and weekly PHQ-9 and WHO-5 results.
//!
//! JSON keys keep their `_10k` / `_100k` names in `--quick` mode; `small_messages`, `large_messages` and the
//! `sync_*` / `join_messages` sizes say what was measured. The process exits 0 whether or not targets are met (a
//! shared machine is noisy; the numbers matter), and non-zero only if the benchmark itself failed. Progress goes to
//! stderr; stdout holds only the table and the JSON line.

mod automerge_side;
mod automerge_sync;
mod crisis;
mod hostile;
mod kindred_side;
mod privacy;
mod relay;
mod report;
mod rss;
mod sync_side;
mod wellbeing;
mod workload;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::report::{print_table, targets};
use crate::rss::{ChildReport, kb_to_mib, ms};

/// Every run writes the same histories.
const SEED: u64 = 2026;

const USAGE: &str = "usage: kindred-bench [--quick] [--json] [--runs N] [--dir DIR] [--keep]
  --quick    2k and 10k messages and 200 posts instead of 10k, 100k and 1000, a 2k-message join and 50 instead
             of 200 messages a side in the 5 synced groups (a smoke run)
  --json     also print one JSON object with every figure on the last line of stdout
  --runs N   fresh processes per open measurement (default 7, quick 5)
  --dir DIR  where to create the temporary data (default: the system temp dir; use a real disk, not tmpfs)
  --keep     keep the generated data and print where it is
  --post-trace FILE  write each post's latency and the fsync probe's right after it, in posting order, to FILE (CSV)";

#[derive(Debug, Clone)]
struct Options {
    quick: bool,
    json: bool,
    runs: Option<usize>,
    dir: Option<PathBuf>,
    keep: bool,
    post_trace: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options { quick: false, json: false, runs: None, dir: None, keep: false, post_trace: None };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--json" => options.json = true,
            "--keep" => options.keep = true,
            "--post-trace" => options.post_trace = Some(args.next().ok_or("--post-trace needs a file")?.into()),
            "--runs" => {
                let n = args.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0);
                options.runs = Some(n.ok_or("--runs needs a positive number")?);
            }
            "--dir" => options.dir = Some(args.next().ok_or("--dir needs a directory")?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// The sizes one run measures.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    small: usize,
    large: usize,
    posts: usize,
    runs: usize,
    /// The reconnect with nothing new: groups shared, and messages each phone posted in each.
    noop_groups: usize,
    noop_per_side: usize,
    /// The catch-up: the synced history (half from each phone), then new messages on each side.
    catch_up_history: usize,
    catch_up_new: usize,
}

impl Sizes {
    fn for_options(options: &Options) -> Self {
        let (small, large, posts, runs, noop_per_side) =
            if options.quick { (2_000, 10_000, 200, 5, 50) } else { (10_000, 100_000, 1_000, 7, 200) };
        Sizes {
            small,
            large,
            posts,
            runs: options.runs.unwrap_or(runs),
            noop_groups: 5,
            noop_per_side,
            catch_up_history: 1_000,
            catch_up_new: 100,
        }
    }
}

/// Every figure of a run; serialised as the JSON line.
#[derive(Debug, Serialize)]
struct Report {
    /// The main keys measure profiles encrypted at rest, as apps run them (a vault profile opened with an app key);
    /// the `_plain` keys the same histories without encryption, in the same run.
    open_10k_ms: f64,
    open_100k_ms: f64,
    open_10k_peak_rss_mb: f64,
    open_100k_peak_rss_mb: f64,
    open_100k_open_ms: f64,
    open_100k_read_ms: f64,
    post_p50_ms: f64,
    post_p99_ms: f64,
    post_max_ms: f64,
    fsync_p50_ms: f64,
    fsync_p99_ms: f64,
    /// `post_p50_ms / fsync_p50_ms` and `post_p99_ms / fsync_p99_ms`.
    post_p50_over_floor: f64,
    post_p99_over_floor: f64,
    disk_bytes_per_msg: f64,
    disk_bytes: u64,
    disk_wal_bytes: u64,
    open_10k_ms_plain: f64,
    open_100k_ms_plain: f64,
    open_10k_peak_rss_mb_plain: f64,
    open_100k_peak_rss_mb_plain: f64,
    post_p50_ms_plain: f64,
    post_p99_ms_plain: f64,
    post_p50_over_floor_plain: f64,
    post_p99_over_floor_plain: f64,
    disk_bytes_per_msg_plain: f64,
    /// The panic wipe of the open, encrypted 100k-message profile: its key destroyed, then its files.
    panic_wipe_100k_ms: f64,
    /// What a passphrase adds to an open: Argon2id (19 MiB, 2 passes) and unwrapping the key, median of 5.
    passphrase_kdf_ms: f64,
    /// Application-level encryption's unit of work: seal and open one message's words, median us.
    app_level_seal_us: f64,
    am_load_10k_ms: f64,
    am_load_100k_ms: f64,
    am_load_10k_peak_rss_mb: f64,
    am_load_100k_peak_rss_mb: f64,
    am_load_100k_load_ms: f64,
    am_load_100k_read_ms: f64,
    am_save_bytes_per_msg: f64,
    am_save_100k_ms: f64,
    am_build_seconds: f64,
    generate_seconds: f64,
    generate_100k_seconds: f64,
    generate_us_per_msg: f64,
    text_zlib_ratio: f64,
    /// Median time to check a 1,000-character draft against every shipped crisis phrase list.
    check_draft_us: f64,
    /// Median time to seal one report to one moderator (a Noise N message of one fixed size).
    report_seal_us: f64,
    /// Erase one message in the 100k-message group, durable: median over 20 (`docs/erasure.md`).
    erase_ms: f64,
    /// Median time of `Kindred::check_draft` on that draft, offering a plan and two directories' services.
    check_draft_offer_us: f64,
    /// Median time to compute every trend over two years of daily check-ins and weekly instruments.
    trends_2y_ms: f64,
    targets_met: bool,
    small_messages: usize,
    large_messages: usize,
    posts: usize,
    runs: usize,
    quick: bool,
    opt_level: &'static str,
    #[serde(flatten)]
    sync: SyncFigures,
}

/// The sync figures; `None` (JSON `null`) where a scenario failed, with the reason in `sync_failures`. The join
/// keys say `_10k` whatever the size; `join_messages` says what was measured.
#[derive(Debug, Default, Serialize)]
struct SyncFigures {
    sync_noop_5groups_bytes: Option<u64>,
    sync_noop_5groups_flights: Option<u64>,
    /// Both sides' sessions ended at the Hello.
    sync_noop_5groups_nothing_new: Option<bool>,
    /// The first reconnect after both phones made a slot's sealed items (twice a day), nothing else new.
    sync_slot_5groups_bytes: Option<u64>,
    am_sync_noop_5groups_bytes: Option<u64>,
    am_sync_noop_5groups_flights: Option<u64>,
    am_sync_noop_5groups_fresh_bytes: Option<u64>,
    sync_100x100_bytes: Option<u64>,
    /// The same reconnect and catch-up between unencrypted profiles.
    sync_noop_5groups_bytes_plain: Option<u64>,
    sync_100x100_bytes_plain: Option<u64>,
    sync_100x100_flights: Option<u64>,
    sync_100x100_seconds_at_20000_bytes_per_s: Option<f64>,
    /// Changes applied by each side.
    sync_100x100_applied: Option<(u64, u64)>,
    am_sync_100x100_bytes: Option<u64>,
    am_sync_100x100_flights: Option<u64>,
    am_sync_100x100_seconds_at_20000_bytes_per_s: Option<f64>,
    am_sync_100x100_fresh_bytes: Option<u64>,
    join_10k_bytes: Option<u64>,
    join_10k_flights: Option<u64>,
    join_10k_frames: Option<u64>,
    join_10k_largest_frame_bytes: Option<u64>,
    join_10k_seconds_at_20000_bytes_per_s: Option<f64>,
    /// The join's bytes over the links these groups really have (the link's floor: bytes at its bit rate).
    join_10k_seconds_at_9600_bit_per_s: Option<f64>,
    join_10k_seconds_at_20000_bit_per_s: Option<f64>,
    join_10k_seconds_at_64000_bit_per_s: Option<f64>,
    join_10k_snapshot_bytes: Option<u64>,
    join_10k_changes_applied: Option<u64>,
    /// Peak RSS of a fresh process taking in the worst input a member may send (a signed segment snapshot just
    /// under the operation limit), and of one taking in an honest bundle of the same group.
    hostile_session_peak_mb: Option<f64>,
    honest_import_peak_mb: Option<f64>,
    hostile_refused: Option<bool>,
    /// How long that process took to take it in and refuse it.
    hostile_session_ms: Option<f64>,
    /// Time the newcomer's phone spent taking in the join (verifying signatures and rights, applying, storing,
    /// building its read model), measured around its side of the session on one thread.
    join_10k_ingest_ms: Option<f64>,
    /// The clean session after the join found nothing new (and the latest pages agree).
    join_10k_followup_nothing_new: Option<bool>,
    /// The relay mailbox against a real SeaweedFS server (`relay.rs`): store requests of a round with nothing new
    /// (target 1).
    relay_noop_requests: Option<u64>,
    /// Store requests and bytes (put and fetched, by both phones) for the catch-up above through the mailbox.
    relay_catchup_100_requests: Option<u64>,
    relay_catchup_100_bytes: Option<u64>,
    /// The join above through the mailbox: every byte put and fetched by the newcomer and the member, and requests.
    relay_join_10k_bytes: Option<u64>,
    relay_join_10k_requests: Option<u64>,
    /// Of those bytes, what the newcomer fetched (against `join_10k_bytes`, which moves the history once).
    relay_join_10k_fetched_bytes: Option<u64>,
    am_join_10k_bytes: Option<u64>,
    am_join_10k_flights: Option<u64>,
    am_join_10k_largest_message_bytes: Option<u64>,
    am_join_10k_seconds_at_20000_bytes_per_s: Option<f64>,
    am_join_10k_save_bytes: Option<u64>,
    /// Sum of the `save()` sizes of the group's documents, from the member's `export_bundle` after the join.
    group_compressed_bytes_10k: Option<u64>,
    group_bundle_file_bytes_10k: Option<u64>,
    group_documents_10k: Option<usize>,
    join_10k_ratio: Option<f64>,
    /// Automerge's full sync over its own `save()` size.
    am_join_10k_ratio: Option<f64>,
    join_10k_resent_pct: Option<f64>,
    join_10k_connections: Option<u64>,
    join_10k_dropping_bytes: Option<u64>,
    join_10k_dropping_seconds_at_20000_bytes_per_s: Option<f64>,
    /// Snapshot bytes as the member's sessions count them: queued for the link, whether or not they crossed it
    /// before the drop.
    join_10k_dropping_snapshot_bytes_sent: Option<u64>,
    /// Snapshot bytes the reconnections did not send again (resumed transfers).
    join_10k_dropping_snapshot_bytes_resumed: Option<u64>,
    join_10k_dropping_completed: Option<bool>,
    /// Largest frame on any link of the run.
    max_frame_bytes: Option<u64>,
    sync_connections: u64,
    sync_noop_groups: usize,
    sync_noop_messages_per_side: usize,
    sync_catch_up_history: usize,
    sync_catch_up_new_per_side: usize,
    join_messages: usize,
    sync_failures: Vec<String>,
}

/// The median of some child runs' figures, and the highest peak RSS among them.
#[derive(Debug, Clone, Copy)]
struct OpenSummary {
    total_ms: f64,
    open_ms: f64,
    read_ms: f64,
    peak_rss_mb: f64,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match (values.get(n / 2), n.checked_sub(1).and_then(|i| values.get(i / 2))) {
        (Some(upper), Some(lower)) if n.is_multiple_of(2) => (upper + lower) / 2.0,
        (Some(middle), _) => *middle,
        _ => f64::NAN,
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of latencies, in ms.
fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).map_or(f64::NAN, |d| ms(*d))
}

fn summarise(reports: &[ChildReport], expected_read: usize) -> Result<OpenSummary, Box<dyn Error>> {
    if let Some(short) = reports.iter().find(|r| r.read != expected_read) {
        return Err(format!("a child read {} messages instead of {expected_read}", short.read).into());
    }
    Ok(OpenSummary {
        total_ms: median(reports.iter().map(|r| r.total_ms).collect()),
        open_ms: median(reports.iter().map(|r| r.open_ms).collect()),
        read_ms: median(reports.iter().map(|r| r.read_ms).collect()),
        peak_rss_mb: kb_to_mib(reports.iter().map(|r| r.vm_hwm_kb).max().unwrap_or(0)),
    })
}

/// The disk's own floor under a durable write: a 4 KiB append followed by `fdatasync`, in the data's directory. A
/// durable post costs at least one of these (SQLite in WAL mode with `synchronous = FULL` syncs the WAL on every
/// commit). A shared disk's latency swings by 20x from minute to minute, so the probe is sampled right after each
/// post: both see the same disk.
#[derive(Debug)]
struct FsyncProbe {
    path: PathBuf,
    file: std::fs::File,
    samples: Vec<Duration>,
}

impl FsyncProbe {
    fn new(dir: &Path) -> Result<Self, Box<dyn Error>> {
        let path = dir.join("fsync-probe.bin");
        let file = std::fs::File::create(&path)?;
        Ok(Self { path, file, samples: Vec::new() })
    }

    fn sample(&mut self) -> Result<(), Box<dyn Error>> {
        use std::io::Write;
        let started = Instant::now();
        self.file.write_all(&[0x5a; 4096])?;
        self.file.sync_data()?;
        self.samples.push(started.elapsed());
        Ok(())
    }
}

impl Drop for FsyncProbe {
    fn drop(&mut self) {
        // Only our own scratch file; the temporary directory goes soon anyway.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs one sync scenario; a failure (an error, or a panic) is printed, recorded in `failures` and yields `None`.
fn attempt<T>(
    failures: &mut Vec<String>,
    what: &str,
    scenario: impl FnOnce() -> Result<T, Box<dyn Error>>,
) -> Option<T> {
    eprintln!("  {what}...");
    let failure = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(scenario)) {
        Ok(Ok(value)) => return Some(value),
        Ok(Err(e)) => e.to_string(),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            format!("panicked: {message}")
        }
    };
    eprintln!("  FAILED: {what}: {failure}");
    failures.push(format!("{what}: {failure}"));
    None
}

fn seconds_at_link_speed(bytes: u64) -> f64 {
    bytes as f64 / sync_side::BYTES_PER_SECOND as f64
}

/// The sync scenarios, each beside its automerge baseline. The join uses the small history's profile (copied, so
/// the open measurements' data stays as it was) and the small baseline document.
fn measure_sync(
    root: &Path,
    sizes: &Sizes,
    k_small: &kindred_side::KindredHistory,
    am_small: &automerge_side::AutomergeHistory,
) -> Result<SyncFigures, Box<dyn Error>> {
    let mut f = SyncFigures {
        sync_noop_groups: sizes.noop_groups,
        sync_noop_messages_per_side: sizes.noop_per_side,
        sync_catch_up_history: sizes.catch_up_history,
        sync_catch_up_new_per_side: sizes.catch_up_new,
        join_messages: k_small.messages,
        ..SyncFigures::default()
    };
    let mut failures = Vec::new();
    let mut net = sync_side::Net::default();
    let dir = root.join("sync");
    std::fs::create_dir_all(&dir)?;

    let what = format!("reconnect with nothing new, {} groups", sizes.noop_groups);
    if let Some(noop) = attempt(&mut failures, &what, || {
        sync_side::measure_noop(&mut net, &dir.join("noop"), sizes.noop_groups, sizes.noop_per_side, SEED + 10, true)
    }) {
        f.sync_noop_5groups_bytes = Some(noop.traffic.bytes);
        f.sync_noop_5groups_flights = Some(noop.traffic.flights);
        f.sync_noop_5groups_nothing_new = Some(noop.nothing_new);
        f.sync_slot_5groups_bytes = Some(noop.slot.bytes);
        if !noop.nothing_new {
            failures.push(format!("{what}: the sessions did not end at the Hello ({} B)", noop.traffic.bytes));
        }
    }
    if let Some(am) = attempt(&mut failures, "automerge: reconnect with nothing new", || {
        automerge_sync::measure_noop(sizes.noop_groups, sizes.noop_per_side, SEED + 10)
    }) {
        f.am_sync_noop_5groups_bytes = Some(am.persisted.bytes);
        f.am_sync_noop_5groups_flights = Some(am.persisted.flights);
        f.am_sync_noop_5groups_fresh_bytes = Some(am.fresh.bytes);
    }

    let what = format!("catch-up after {} new messages on each side", sizes.catch_up_new);
    if let Some(c) = attempt(&mut failures, &what, || {
        sync_side::measure_catch_up(
            &mut net,
            &dir.join("catch-up"),
            sizes.catch_up_history,
            sizes.catch_up_new,
            SEED + 20,
            true,
        )
    }) {
        f.sync_100x100_bytes = Some(c.traffic.bytes);
        f.sync_100x100_flights = Some(c.traffic.flights);
        f.sync_100x100_seconds_at_20000_bytes_per_s = Some(c.traffic.seconds);
        f.sync_100x100_applied = Some(c.applied);
    }
    let what = "the same reconnect and catch-up, unencrypted";
    if let Some((noop, c)) = attempt(&mut failures, what, || {
        let noop = sync_side::measure_noop(
            &mut net,
            &dir.join("noop-plain"),
            sizes.noop_groups,
            sizes.noop_per_side,
            SEED + 10,
            false,
        )?;
        let catch_up = sync_side::measure_catch_up(
            &mut net,
            &dir.join("catch-up-plain"),
            sizes.catch_up_history,
            sizes.catch_up_new,
            SEED + 20,
            false,
        )?;
        Ok((noop, catch_up))
    }) {
        f.sync_noop_5groups_bytes_plain = Some(noop.traffic.bytes);
        f.sync_100x100_bytes_plain = Some(c.traffic.bytes);
    }
    if let Some(am) = attempt(&mut failures, "automerge: catch-up", || {
        automerge_sync::measure_catch_up(sizes.catch_up_history, sizes.catch_up_new, SEED + 20)
    }) {
        f.am_sync_100x100_bytes = Some(am.persisted.bytes);
        f.am_sync_100x100_flights = Some(am.persisted.flights);
        f.am_sync_100x100_seconds_at_20000_bytes_per_s = Some(seconds_at_link_speed(am.persisted.bytes));
        f.am_sync_100x100_fresh_bytes = Some(am.fresh.bytes);
    }

    if let Some(peak) =
        attempt(&mut failures, "the worst input a member may send", || hostile::measure(&dir.join("hostile")))
    {
        f.hostile_session_peak_mb = Some(peak.hostile_mb);
        f.honest_import_peak_mb = Some(peak.honest_mb);
        f.hostile_refused = Some(peak.refused);
        f.hostile_session_ms = Some(peak.hostile_ms);
    }

    let what = format!("a newcomer joins a {}-message group", k_small.messages);
    if let Some(join) = attempt(&mut failures, &what, || sync_side::measure_join(&mut net, k_small, &dir.join("join")))
    {
        f.join_10k_bytes = Some(join.traffic.bytes);
        f.join_10k_flights = Some(join.traffic.flights);
        f.join_10k_frames = Some(join.traffic.frames);
        f.join_10k_largest_frame_bytes = Some(join.traffic.largest_frame);
        f.join_10k_seconds_at_20000_bytes_per_s = Some(join.traffic.seconds);
        let at_bits = |bits: f64| join.traffic.bytes as f64 * 8.0 / bits;
        f.join_10k_seconds_at_9600_bit_per_s = Some(at_bits(9_600.0));
        f.join_10k_seconds_at_20000_bit_per_s = Some(at_bits(20_000.0));
        f.join_10k_seconds_at_64000_bit_per_s = Some(at_bits(64_000.0));
        f.join_10k_snapshot_bytes = Some(join.snapshot_bytes_sent);
        f.join_10k_changes_applied = Some(join.changes_applied);
        f.join_10k_ingest_ms = Some(join.ingest_ms);
        f.join_10k_followup_nothing_new = Some(join.followup.nothing_new);
        f.group_compressed_bytes_10k = Some(join.size.snapshot_bytes);
        f.group_bundle_file_bytes_10k = Some(join.size.bundle_file_bytes);
        f.group_documents_10k = Some(join.size.documents);
        f.join_10k_ratio = Some(join.traffic.bytes as f64 / join.size.snapshot_bytes as f64);
        if !join.followup.nothing_new {
            failures.push(format!(
                "{what}: the clean session after the join still moved {} B (the join left something behind)",
                join.followup.traffic.bytes
            ));
        }
    }
    if let Some(am) =
        attempt(&mut failures, "automerge: full sync to an empty peer", || automerge_sync::measure_join(&am_small.file))
    {
        f.am_join_10k_bytes = Some(am.sync.bytes);
        f.am_join_10k_flights = Some(am.sync.flights);
        f.am_join_10k_largest_message_bytes = Some(am.sync.largest_message);
        f.am_join_10k_seconds_at_20000_bytes_per_s = Some(seconds_at_link_speed(am.sync.bytes));
        f.am_join_10k_save_bytes = Some(am.save_bytes);
        f.am_join_10k_ratio = Some(am.sync.bytes as f64 / am.save_bytes as f64);
    }

    let what = format!("the same join over a link dropping every {} KiB", sync_side::DROP_EVERY_BYTES / 1024);
    if let Some(d) = attempt(&mut failures, &what, || {
        sync_side::measure_join_dropping(&mut net, k_small, &dir.join("join-dropping"))
    }) {
        f.join_10k_connections = Some(d.connections);
        f.join_10k_dropping_bytes = Some(d.bytes);
        f.join_10k_dropping_seconds_at_20000_bytes_per_s = Some(d.seconds);
        f.join_10k_dropping_snapshot_bytes_sent = Some(d.snapshot_bytes_sent);
        f.join_10k_dropping_snapshot_bytes_resumed = Some(d.snapshot_bytes_resumed);
        f.join_10k_dropping_completed = Some(d.completed);
        if !d.completed {
            failures.push(format!(
                "{what}: no session completed in {} connections ({} B in all, snapshot bytes sent {}, resumed past {}); \
                 the last one ended: {}",
                d.connections,
                d.bytes,
                d.snapshot_bytes_sent,
                d.snapshot_bytes_resumed,
                d.last_error.as_deref().unwrap_or("?")
            ));
        } else if let Some(clean) = f.join_10k_bytes {
            f.join_10k_resent_pct = Some((d.bytes as f64 - clean as f64) / clean as f64 * 100.0);
        }
        if let Some(followup) = d.followup
            && !followup.nothing_new
        {
            failures.push(format!(
                "{what}: the clean session after the join still moved {} B (the join left something behind)",
                followup.traffic.bytes
            ));
        }
    }

    let what = "relay mailbox on a SeaweedFS server";
    if let Some(r) = attempt(&mut failures, what, || {
        let server = kindred_scenarios::seaweed::Seaweed::start();
        let store = server.mailbox_in_new_bucket();
        relay::measure(&store, &dir.join("relay"), sizes.catch_up_history, sizes.catch_up_new, k_small, SEED + 40)
    }) {
        f.relay_noop_requests = Some(r.noop_requests);
        f.relay_catchup_100_requests = Some(r.catchup_requests);
        f.relay_catchup_100_bytes = Some(r.catchup_bytes);
        f.relay_join_10k_bytes = Some(r.join_bytes);
        f.relay_join_10k_requests = Some(r.join_requests);
        f.relay_join_10k_fetched_bytes = Some(r.join_fetched_bytes);
    }

    f.max_frame_bytes = (net.connections > 0).then_some(net.largest_frame);
    f.sync_connections = net.connections;
    f.sync_failures = failures;
    Ok(f)
}

fn run(options: &Options) -> Result<Report, Box<dyn Error>> {
    let sizes = Sizes::for_options(options);
    let base = options.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&base)?;
    let root = tempfile::Builder::new().prefix("kindred-bench-").tempdir_in(&base)?;
    eprintln!(
        "kindred-bench: {} and {} messages, {} posts, {} runs per open, opt-level {}, data in {}",
        sizes.small,
        sizes.large,
        sizes.posts,
        sizes.runs,
        env!("KINDRED_BENCH_OPT_LEVEL"),
        root.path().display()
    );

    eprintln!("generating Kindred histories (post_many, {} per call)...", 1000);
    let k_small = kindred_side::generate(&root.path().join("kindred-small"), sizes.small, SEED, false)?;
    let k_large = kindred_side::generate(&root.path().join("kindred-large"), sizes.large, SEED, true)?;
    eprintln!("building the automerge baselines...");
    let am_small = automerge_side::generate(&root.path().join("automerge-small.am"), sizes.small, SEED)?;
    let am_large = automerge_side::generate(&root.path().join("automerge-large.am"), sizes.large, SEED)?;

    let texts: Vec<String> = {
        let mut w = workload::Workload::new(SEED, sizes.small);
        (0..sizes.small).map(|_| w.draft().text).collect()
    };
    let text_zlib_ratio = workload::zlib_ratio(&texts);
    eprintln!("encrypting copies of the Kindred histories (Profiles::adopt)...");
    let e_small = kindred_side::encrypted_copy(&k_small, &root.path().join("vault-small"))?;
    let e_large = kindred_side::encrypted_copy(&k_large, &root.path().join("vault-large"))?;

    eprintln!("measuring disk use...");
    let disk = kindred_side::measure_disk(&e_large)?;
    let disk_plain = kindred_side::measure_disk(&k_large)?;

    eprintln!("opening, {} fresh processes each...", sizes.runs);
    let page = kindred_side::PAGE as usize;
    let open_small = summarise(&kindred_side::measure_open(&e_small, sizes.runs)?, page)?;
    let open_large = summarise(&kindred_side::measure_open(&e_large, sizes.runs)?, page)?;
    let open_small_plain = summarise(&kindred_side::measure_open(&k_small, sizes.runs)?, page)?;
    let open_large_plain = summarise(&kindred_side::measure_open(&k_large, sizes.runs)?, page)?;
    let am_load_small = summarise(&automerge_side::measure_load(&am_small, sizes.runs)?, page)?;
    let am_load_large = summarise(&automerge_side::measure_load(&am_large, sizes.runs)?, page)?;

    eprintln!("posting {} messages one by one...", sizes.posts);
    let mut probe = FsyncProbe::new(root.path())?;
    let mut latencies = kindred_side::measure_post_latency(&e_large, sizes.posts, SEED + 1, || probe.sample())?;
    let mut fsyncs = std::mem::take(&mut probe.samples);
    let mut plain_latencies = kindred_side::measure_post_latency(&k_large, sizes.posts, SEED + 1, || probe.sample())?;
    let mut plain_fsyncs = std::mem::take(&mut probe.samples);
    drop(probe);
    plain_latencies.sort();
    plain_fsyncs.sort();
    if let Some(path) = &options.post_trace {
        let lines: String = latencies
            .iter()
            .zip(&fsyncs)
            .enumerate()
            .map(|(i, (p, f))| format!("{i},{:.3},{:.3}\n", ms(*p), ms(*f)))
            .collect();
        std::fs::write(path, format!("post,post_ms,fsync_probe_ms\n{lines}"))?;
    }
    latencies.sort();
    fsyncs.sort();
    eprintln!("erasing messages...");
    let mut erasures = kindred_side::measure_erase(&e_large, 20)?;
    erasures.sort();
    let erase_ms = percentile_ms(&erasures, 50.0);
    eprintln!("wiping an encrypted copy of the large profile...");
    let panic_wipe_100k_ms = kindred_side::measure_wipe(&e_large, &root.path().join("wipe"))?;
    let passphrase_kdf_ms = kindred_side::measure_passphrase_kdf(&root.path().join("kdf"))?;

    eprintln!("syncing (simulated links, {} B/s)...", sync_side::BYTES_PER_SECOND);
    let sync = measure_sync(root.path(), &sizes, &e_small, &am_small)?;

    eprintln!("checking drafts for signs of risk...");
    let check_draft_us = crisis::check_draft_us();
    let report_seal_us = crisis::report_seal_us()?;
    let check_draft_offer_us = crisis::check_draft_offer_us(&root.path().join("crisis"))?;
    eprintln!("computing two years of trends...");
    let trends_2y_ms = wellbeing::trends_2y_ms(&root.path().join("wellbeing"))?;

    let generate = k_small.generate + k_large.generate;
    let (post_p50, post_p99) = (percentile_ms(&latencies, 50.0), percentile_ms(&latencies, 99.0));
    let (fsync_p50, fsync_p99) = (percentile_ms(&fsyncs, 50.0), percentile_ms(&fsyncs, 99.0));
    let (plain_p50, plain_p99) = (percentile_ms(&plain_latencies, 50.0), percentile_ms(&plain_latencies, 99.0));
    let (plain_floor_p50, plain_floor_p99) = (percentile_ms(&plain_fsyncs, 50.0), percentile_ms(&plain_fsyncs, 99.0));
    let mut report = Report {
        open_10k_ms: open_small.total_ms,
        open_100k_ms: open_large.total_ms,
        open_10k_peak_rss_mb: open_small.peak_rss_mb,
        open_100k_peak_rss_mb: open_large.peak_rss_mb,
        open_100k_open_ms: open_large.open_ms,
        open_100k_read_ms: open_large.read_ms,
        post_p50_ms: post_p50,
        post_p99_ms: post_p99,
        post_max_ms: percentile_ms(&latencies, 100.0),
        fsync_p50_ms: fsync_p50,
        fsync_p99_ms: fsync_p99,
        post_p50_over_floor: post_p50 / fsync_p50,
        post_p99_over_floor: post_p99 / fsync_p99,
        disk_bytes_per_msg: disk.total as f64 / k_large.messages as f64,
        disk_bytes: disk.total,
        disk_wal_bytes: disk.wal,
        open_10k_ms_plain: open_small_plain.total_ms,
        open_100k_ms_plain: open_large_plain.total_ms,
        open_10k_peak_rss_mb_plain: open_small_plain.peak_rss_mb,
        open_100k_peak_rss_mb_plain: open_large_plain.peak_rss_mb,
        post_p50_ms_plain: plain_p50,
        post_p99_ms_plain: plain_p99,
        post_p50_over_floor_plain: plain_p50 / plain_floor_p50,
        post_p99_over_floor_plain: plain_p99 / plain_floor_p99,
        disk_bytes_per_msg_plain: disk_plain.total as f64 / k_large.messages as f64,
        panic_wipe_100k_ms,
        passphrase_kdf_ms,
        app_level_seal_us: privacy::app_level_seal_us(SEED + 5, 1000),
        am_load_10k_ms: am_load_small.total_ms,
        am_load_100k_ms: am_load_large.total_ms,
        am_load_10k_peak_rss_mb: am_load_small.peak_rss_mb,
        am_load_100k_peak_rss_mb: am_load_large.peak_rss_mb,
        am_load_100k_load_ms: am_load_large.open_ms,
        am_load_100k_read_ms: am_load_large.read_ms,
        am_save_bytes_per_msg: am_large.save_bytes as f64 / am_large.messages as f64,
        am_save_100k_ms: ms(am_large.save),
        am_build_seconds: (am_small.build + am_large.build).as_secs_f64(),
        generate_seconds: generate.as_secs_f64(),
        generate_100k_seconds: k_large.generate.as_secs_f64(),
        generate_us_per_msg: generate.as_secs_f64() * 1e6 / (k_small.messages + k_large.messages) as f64,
        text_zlib_ratio,
        check_draft_us,
        report_seal_us,
        erase_ms,
        check_draft_offer_us,
        trends_2y_ms,
        targets_met: false,
        small_messages: sizes.small,
        large_messages: sizes.large,
        posts: sizes.posts,
        runs: sizes.runs,
        quick: options.quick,
        opt_level: env!("KINDRED_BENCH_OPT_LEVEL"),
        sync,
    };
    report.targets_met = targets(&report).all().iter().all(|t| t.met());
    if options.keep {
        eprintln!("kept the data in {}", root.keep().display());
    }
    Ok(report)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some((first, rest)) = args.split_first()
        && first == rss::CHILD_COMMAND
    {
        return match rss::child_main(rest) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("kindred-bench child: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match parse_options(&args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("kindred-bench: {message}");
            }
            eprintln!("{USAGE}");
            return if message.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("kindred-bench: warning: a debug build; run with --release for meaningful numbers");
    }
    match run(&options) {
        Ok(report) => {
            print_table(&report);
            if options.json {
                match serde_json::to_string(&report) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        eprintln!("kindred-bench: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kindred-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
