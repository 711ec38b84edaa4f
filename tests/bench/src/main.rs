//! kindred-bench: measures Kindred against the design's performance targets, with raw automerge measured in the
//! same run as the baseline (see the performance table in DESIGN.md).
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
//! What is measured (one function per metric in `kindred_side` and `automerge_side`):
//! - open: `Kindred::open` on the data dir, then `messages(&group, 50, None)`, in a fresh process (the binary
//!   re-executes itself with a hidden `__child` subcommand, see `rss`); median over `--runs` processes. Its peak RSS
//!   is the child's VmHWM (max over the runs). The baseline child reads the `save()`d file, `Automerge::load`s it
//!   and picks the 50 newest messages by `ts`.
//! - post: latency of durable, signed `post` calls into the large group, one message at a time, printed beside
//!   the disk's own floor (a 4 KiB append + `fdatasync` in the same directory, sampled right after each post):
//!   every durable post pays at least one such sync, so on a slow or shared disk the floor says how much of the
//!   latency is the disk's. `--post-trace FILE` keeps both series, post by post.
//! - disk: the data dir's files after a reopen and close (which checkpoints the WAL), over the message count.
//!
//! JSON keys keep their `_10k` / `_100k` names in `--quick` mode; `small_messages` and `large_messages` say what was
//! measured. The process exits 0 whether or not targets are met (a shared machine is noisy; the numbers matter),
//! and non-zero only if the benchmark itself failed. Progress goes to stderr; stdout holds only the table and the
//! JSON line.

mod automerge_side;
mod kindred_side;
mod rss;
mod workload;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::rss::{ChildReport, kb_to_mib, ms};

/// Every run writes the same histories.
const SEED: u64 = 2026;

/// The design's targets.
const TARGET_OPEN_LARGE_MS: f64 = 100.0;
const TARGET_OPEN_LARGE_RSS_MB: f64 = 40.0;
const TARGET_OPEN_SMALL_MS: f64 = 20.0;
const TARGET_POST_P99_MS: f64 = 5.0;

const USAGE: &str = "usage: kindred-bench [--quick] [--json] [--runs N] [--dir DIR] [--keep]
  --quick    2k and 10k messages and 200 posts instead of 10k, 100k and 1000 (a smoke run)
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
}

impl Sizes {
    fn for_options(options: &Options) -> Self {
        let (small, large, posts, runs) =
            if options.quick { (2_000, 10_000, 200, 5) } else { (10_000, 100_000, 1_000, 7) };
        Sizes { small, large, posts, runs: options.runs.unwrap_or(runs) }
    }
}

/// Every figure of a run; serialised as the JSON line.
#[derive(Debug, Serialize)]
struct Report {
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
    disk_bytes_per_msg: f64,
    disk_bytes: u64,
    disk_wal_bytes: u64,
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
    targets_met: bool,
    small_messages: usize,
    large_messages: usize,
    posts: usize,
    runs: usize,
    quick: bool,
    opt_level: &'static str,
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
    let k_small = kindred_side::generate(&root.path().join("kindred-small"), sizes.small, SEED)?;
    let k_large = kindred_side::generate(&root.path().join("kindred-large"), sizes.large, SEED)?;
    eprintln!("building the automerge baselines...");
    let am_small = automerge_side::generate(&root.path().join("automerge-small.am"), sizes.small, SEED)?;
    let am_large = automerge_side::generate(&root.path().join("automerge-large.am"), sizes.large, SEED)?;

    let texts: Vec<String> = {
        let mut w = workload::Workload::new(SEED, sizes.small);
        (0..sizes.small).map(|_| w.draft().text).collect()
    };
    let text_zlib_ratio = workload::zlib_ratio(&texts);

    eprintln!("measuring disk use...");
    let disk = kindred_side::measure_disk(&k_large)?;

    eprintln!("opening, {} fresh processes each...", sizes.runs);
    let page = kindred_side::PAGE as usize;
    let open_small = summarise(&kindred_side::measure_open(&k_small, sizes.runs)?, page)?;
    let open_large = summarise(&kindred_side::measure_open(&k_large, sizes.runs)?, page)?;
    let am_load_small = summarise(&automerge_side::measure_load(&am_small, sizes.runs)?, page)?;
    let am_load_large = summarise(&automerge_side::measure_load(&am_large, sizes.runs)?, page)?;

    eprintln!("posting {} messages one by one...", sizes.posts);
    let mut probe = FsyncProbe::new(root.path())?;
    let mut latencies = kindred_side::measure_post_latency(&k_large, sizes.posts, SEED + 1, || probe.sample())?;
    let mut fsyncs = std::mem::take(&mut probe.samples);
    drop(probe);
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

    let generate = k_small.generate + k_large.generate;
    let mut report = Report {
        open_10k_ms: open_small.total_ms,
        open_100k_ms: open_large.total_ms,
        open_10k_peak_rss_mb: open_small.peak_rss_mb,
        open_100k_peak_rss_mb: open_large.peak_rss_mb,
        open_100k_open_ms: open_large.open_ms,
        open_100k_read_ms: open_large.read_ms,
        post_p50_ms: percentile_ms(&latencies, 50.0),
        post_p99_ms: percentile_ms(&latencies, 99.0),
        post_max_ms: percentile_ms(&latencies, 100.0),
        fsync_p50_ms: percentile_ms(&fsyncs, 50.0),
        fsync_p99_ms: percentile_ms(&fsyncs, 99.0),
        disk_bytes_per_msg: disk.total as f64 / k_large.messages as f64,
        disk_bytes: disk.total,
        disk_wal_bytes: disk.wal,
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
        targets_met: false,
        small_messages: sizes.small,
        large_messages: sizes.large,
        posts: sizes.posts,
        runs: sizes.runs,
        quick: options.quick,
        opt_level: env!("KINDRED_BENCH_OPT_LEVEL"),
    };
    report.targets_met = targets(&report).iter().all(|t| t.met());
    if options.keep {
        eprintln!("kept the data in {}", root.keep().display());
    }
    Ok(report)
}

/// One design target and the figure it judges.
#[derive(Debug, Clone, Copy)]
struct Target {
    value: f64,
    limit: f64,
}

impl Target {
    fn met(&self) -> bool {
        self.value <= self.limit
    }
}

/// The design's targets, in table order: open large, its peak RSS, open small, post p99.
fn targets(r: &Report) -> [Target; 4] {
    [
        Target { value: r.open_100k_ms, limit: TARGET_OPEN_LARGE_MS },
        Target { value: r.open_100k_peak_rss_mb, limit: TARGET_OPEN_LARGE_RSS_MB },
        Target { value: r.open_10k_ms, limit: TARGET_OPEN_SMALL_MS },
        Target { value: r.post_p99_ms, limit: TARGET_POST_P99_MS },
    ]
}

fn size_label(n: usize) -> String {
    if n.is_multiple_of(1000) { format!("{}k", n / 1000) } else { n.to_string() }
}

/// One line of the table.
#[derive(Debug)]
struct Row {
    metric: String,
    kindred: String,
    automerge: String,
    target: Option<Target>,
}

fn row(metric: impl Into<String>, kindred: String, automerge: impl Into<String>, target: Option<Target>) -> Row {
    Row { metric: metric.into(), kindred, automerge: automerge.into(), target }
}

fn print_table(r: &Report) {
    let (small, large) = (size_label(r.small_messages), size_label(r.large_messages));
    let [open_large, rss_large, open_small, post_p99] = targets(r);
    let am_us_per_msg = r.am_build_seconds * 1e6 / (r.small_messages + r.large_messages) as f64;
    let rows = [
        row(
            format!("open {large} msgs + read latest 50, median ms"),
            format!("{:.1}", r.open_100k_ms),
            format!("{:.1}", r.am_load_100k_ms),
            Some(open_large),
        ),
        row(
            "  of which open / read, ms",
            format!("{:.1} / {:.1}", r.open_100k_open_ms, r.open_100k_read_ms),
            format!("{:.1} / {:.1}", r.am_load_100k_load_ms, r.am_load_100k_read_ms),
            None,
        ),
        row(
            "  peak RSS of that process, MiB",
            format!("{:.1}", r.open_100k_peak_rss_mb),
            format!("{:.1}", r.am_load_100k_peak_rss_mb),
            Some(rss_large),
        ),
        row(
            format!("open {small} msgs + read latest 50, median ms"),
            format!("{:.1}", r.open_10k_ms),
            format!("{:.1}", r.am_load_10k_ms),
            Some(open_small),
        ),
        row(
            "  peak RSS of that process, MiB",
            format!("{:.1}", r.open_10k_peak_rss_mb),
            format!("{:.1}", r.am_load_10k_peak_rss_mb),
            None,
        ),
        row(
            format!("post, durable + signed, p99 ms (n={})", r.posts),
            format!("{:.2}", r.post_p99_ms),
            "-",
            Some(post_p99),
        ),
        row("  p50 / max, ms", format!("{:.2} / {:.2}", r.post_p50_ms, r.post_max_ms), "-", None),
        row(
            "  disk floor (4 KiB append + fdatasync), p50 / p99 ms",
            format!("{:.2} / {:.2}", r.fsync_p50_ms, r.fsync_p99_ms),
            "-",
            None,
        ),
        row(
            format!("bytes on disk per message ({large})"),
            format!("{:.0}", r.disk_bytes_per_msg),
            format!("{:.1} (save())", r.am_save_bytes_per_msg),
            None,
        ),
        row(
            format!("generate {small} + {large} msgs, s"),
            format!("{:.1}", r.generate_seconds),
            format!("{:.1}", r.am_build_seconds),
            None,
        ),
        row("  per message, us", format!("{:.0}", r.generate_us_per_msg), format!("{am_us_per_msg:.0}"), None),
    ];
    let limit = |row: &Row| row.target.map(|t| format!("<= {}", t.limit)).unwrap_or_else(|| "-".to_owned());
    let met = |row: &Row| row.target.map(|t| if t.met() { "yes" } else { "NO" }).unwrap_or("");
    let width =
        |header: &str, cell: &dyn Fn(&Row) -> usize| rows.iter().map(cell).chain([header.len()]).max().unwrap_or(0);
    let w0 = width("metric", &|r| r.metric.len());
    let w1 = width("kindred", &|r| r.kindred.len());
    let w2 = width("automerge alone", &|r| r.automerge.len());
    let w3 = width("target", &|r| limit(r).len());
    println!(
        "kindred-bench ({}): {} / {} messages, {} posts, median of {} fresh processes per open, opt-level {}",
        if r.quick { "quick" } else { "full" },
        r.small_messages,
        r.large_messages,
        r.posts,
        r.runs,
        r.opt_level
    );
    println!("{:w0$} | {:>w1$} | {:>w2$} | {:w3$} | met", "metric", "kindred", "automerge alone", "target");
    println!("{}", "-".repeat(w0 + w1 + w2 + w3 + 15));
    for row in &rows {
        println!(
            "{:w0$} | {:>w1$} | {:>w2$} | {:w3$} | {}",
            row.metric,
            row.kindred,
            row.automerge,
            limit(row),
            met(row)
        );
    }
    println!(
        "text zlib ratio {:.2} (research baseline 0.51); data dir {} B ({} B WAL); automerge save() of {large}: {:.0} ms",
        r.text_zlib_ratio, r.disk_bytes, r.disk_wal_bytes, r.am_save_100k_ms
    );
    let met = targets(r).iter().filter(|t| t.met()).count();
    println!(
        "targets met: {met} of 4{}",
        if r.quick { " (quick sizes; the targets are for 10k and 100k)" } else { "" }
    );
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
