//! Measuring in a fresh process: the bench re-executes itself with a hidden `__child` subcommand that does exactly
//! one open-and-read, then reports its own timing and peak resident memory (VmHWM from /proc/self/status).
//!
//! A child does nothing else, so its VmHWM is what a phone app would pay to show the latest messages of a big
//! group after a cold start (page cache warm), plus the few MB that any process of this binary costs.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use kindred_core::GroupId;
use serde::{Deserialize, Serialize};

use crate::{automerge_side, kindred_side};

/// The hidden subcommand that marks a child run.
pub const CHILD_COMMAND: &str = "__child";

/// What one child run measures.
#[derive(Debug, Clone)]
pub enum ChildTask {
    /// Opening a profile (in a vault if `encrypted`), then `messages(&group, 50, None)`.
    KindredOpen { dir: PathBuf, group: GroupId, encrypted: bool },
    /// Read a `save()`d automerge document, `Automerge::load` it, then sort out its latest 50 messages.
    AutomergeLoad { file: PathBuf },
    /// `Kindred::open` on a data dir, then `import_bundle` of a file (reports `read` 1 if it was refused).
    Import { dir: PathBuf, file: PathBuf },
}

/// A child's report, one JSON line on its stdout.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ChildReport {
    /// From before opening (or reading the file) to after the latest 50 messages were read.
    pub total_ms: f64,
    /// The opening (Kindred::open; or fs::read + Automerge::load) alone.
    pub open_ms: f64,
    /// Reading the latest 50 messages alone.
    pub read_ms: f64,
    /// How many messages the read returned (50 unless the history is shorter).
    pub read: usize,
    /// The child's peak resident set, kB.
    pub vm_hwm_kb: u64,
}

/// Timings of one open-and-read, as the two sides report them to a child.
#[derive(Debug, Clone, Copy)]
pub struct OpenTiming {
    pub open: Duration,
    pub read: Duration,
    pub read_count: usize,
}

/// The value of a `kB` line (`VmHWM`, `VmRSS`, ...) of /proc/self/status.
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Runs `task` in a fresh process of this binary and returns its report.
pub fn run_child(task: &ChildTask) -> Result<ChildReport, Box<dyn Error>> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command.arg(CHILD_COMMAND);
    match task {
        ChildTask::KindredOpen { dir, group, encrypted } => {
            command.arg("kindred-open").arg(dir).arg(group.to_hex()).arg(if *encrypted { "encrypted" } else { "plain" })
        }
        ChildTask::AutomergeLoad { file } => command.arg("automerge-load").arg(file),
        ChildTask::Import { dir, file } => command.arg("import").arg(dir).arg(file),
    };
    let output = command.stdin(Stdio::null()).stderr(Stdio::inherit()).output()?;
    if !output.status.success() {
        return Err(format!("child {task:?} failed: {}", output.status).into());
    }
    let stdout = String::from_utf8(output.stdout)?;
    let line = stdout.lines().last().ok_or("child printed nothing")?;
    Ok(serde_json::from_str(line)?)
}

/// The body of a child process: `args` are what follows [`CHILD_COMMAND`]. Prints one [`ChildReport`] line.
pub fn child_main(args: &[String]) -> Result<(), Box<dyn Error>> {
    let timing = match args {
        [kind, dir, group, storage] if kind == "kindred-open" => {
            kindred_side::open_and_read_latest(Path::new(dir), &group.parse()?, storage == "encrypted")?
        }
        [kind, file] if kind == "automerge-load" => automerge_side::load_and_read_latest(Path::new(file))?,
        [kind, dir, file] if kind == "import" => {
            let kindred = kindred_core::Kindred::open(dir)?;
            let bytes = std::fs::read(file)?;
            let started = std::time::Instant::now();
            let refused = matches!(
                kindred.import_bundle(&bytes).as_ref().map_err(kindred_core::Error::kind),
                Err(kindred_core::ErrorKind::Rejected { .. })
            );
            OpenTiming { open: started.elapsed(), read: Duration::ZERO, read_count: usize::from(refused) }
        }
        _ => return Err(format!("unknown child task {args:?}").into()),
    };
    let report = ChildReport {
        total_ms: ms(timing.open + timing.read),
        open_ms: ms(timing.open),
        read_ms: ms(timing.read),
        read: timing.read_count,
        vm_hwm_kb: proc_status_kb("VmHWM").ok_or("no VmHWM in /proc/self/status")?,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// kB (as /proc reports them, which are KiB) to MiB.
pub fn kb_to_mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
