//! A real S3 server for tests: SeaweedFS (`weed server -s3 -filer`) on loopback, in a fresh temporary directory, on
//! free ports, so the relay's S3 mailbox ([`kindred_s3::S3Mailbox`]) is tested against what it will meet.
//!
//! `weed` is `$KINDRED_WEED` if set, else what `tests/tools/install-seaweedfs.sh` installs under the repository's
//! `target/tools` (the script runs once if it is not there yet; its header has what was found out about `weed`: its
//! ports, anonymous access, SigV4, timings). Each server has a small `sh` supervisor reading commands from a pipe
//! whose write end only this process holds: `start`, `stop` (SIGINT, keeping the data), `quit`. When the pipe
//! closes without a word (the test process ended, panicked or was killed, even with SIGKILL) the supervisor sends
//! `weed` SIGINT, then SIGKILL after 2 s, and removes the server's directory, whether the server was running or
//! stopped. So no server outlives its test binary, and the workspace's `unsafe_code = "deny"` holds (no `pre_exec`
//! with `prctl(PR_SET_PDEATHSIG)`).
//!
//! [`Seaweed::shared`] is one server per test binary for the tests that never stop it; each of them takes its own
//! bucket ([`Seaweed::mailbox_in_new_bucket`]) or prefix ([`Seaweed::fresh_prefix`]) so they never see each other's
//! objects. A test that stops and restarts a server starts its own ([`Seaweed::start`]).

// A harness that cannot start its server has nothing to hand back: it fails the test, saying why and where the
// server's log is (the workspace denies panics in library code, not in test support).
#![allow(clippy::panic, clippy::expect_used)]

use std::fs::File;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use kindred_core::relay::Mailbox as _;
use kindred_s3::S3Mailbox;

/// How long a server may take to serve S3 (it takes about 3 s on 2 cores, fresh or restarted).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The bucket every server starts with, which [`Seaweed::mailbox`] uses.
const BUCKET: &str = "kindred-relay";
/// A bucket of the harness's own: an object put there at the first start proves, after a restart, that what was
/// stored before is readable again (S3 answers before the volumes are back).
const PROBE_BUCKET: &str = "kindred-harness-probe";
const PROBE: &str = "probe";
const PROBE_BYTES: &[u8] = b"kindred seaweed harness probe";

/// The supervisor: `sh -c SUPERVISOR sh ROOT SOCKETS WEED ARGS...`, reading commands on its standard input (the
/// pipe from this process) and answering each on its standard output. `start` runs `weed` (output to
/// ROOT/weed.log) and answers `started PID`; `stop` sends it SIGINT, waits (SIGKILL after 30 s) and answers
/// `stopped STATUS`; `quit`, or the pipe's end without a word, sends SIGINT, then SIGKILL after 2 s, and after the
/// pipe's end removes ROOT. It removes the gRPC sockets `weed` leaves in /tmp (SOCKETS) once `weed` has exited. An
/// answer to a process that is gone fails in a subshell, so the supervisor lives on to clean up.
const SUPERVISOR: &str = r#"
root=$1; sockets=$2; shift 2
reply() { ( printf '%s\n' "$*" ) 2>/dev/null; }
weed=
end() {
    kill -INT "$weed" 2>/dev/null
    ( sleep "$1"; kill -KILL "$weed" 2>/dev/null ) &
    timer=$!
    wait "$weed"
    status=$?
    kill "$timer" 2>/dev/null
    weed=
    for socket in $sockets; do [ -S "$socket" ] && rm -f "$socket"; done
}
while :; do
    IFS= read -r command || command=gone
    case $command in
    start)
        "$@" </dev/null >>"$root/weed.log" 2>&1 &
        weed=$!
        reply "started $weed"
        ;;
    stop)
        end 30
        reply "stopped $status"
        ;;
    *)
        [ -n "$weed" ] && end 2
        [ "$command" = gone ] && rm -rf "$root"
        reply quit
        exit 0
        ;;
    esac
done
"#;

/// A SeaweedFS server with S3 on a loopback port, and its bucket [`Seaweed::bucket`].
#[derive(Debug)]
pub struct Seaweed {
    /// Holds the data (`data/`), the log (`weed.log`) and the local sockets; removed when the server is dropped.
    root: Option<tempfile::TempDir>,
    ports: Ports,
    supervisor: Option<Supervisor>,
    /// `weed`'s process id while it runs.
    running: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Ports {
    master: u16,
    master_grpc: u16,
    volume: u16,
    volume_grpc: u16,
    filer: u16,
    filer_grpc: u16,
    s3: u16,
    s3_grpc: u16,
}

#[derive(Debug)]
struct Supervisor {
    child: Child,
    /// The pipe the supervisor reads; its end (this process ending) stops the server and removes its directory.
    commands: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Seaweed {
    /// Starts a server of its own in a fresh temporary directory on free ports, waits until it stores and serves
    /// objects, and creates [`Seaweed::bucket`]. Fails the test if that takes over a minute, naming the log.
    pub fn start() -> Self {
        let root = tempfile::Builder::new().prefix("kindred-seaweed-").tempdir().expect("a temporary directory");
        std::fs::create_dir(root.path().join("data")).expect("the server's data directory");
        let mut server = Self { root: Some(root), ports: free_ports(), supervisor: None, running: None };
        server.supervise();
        server.run();
        server.wait_until_ready(false);
        server
    }

    /// The server every test of this binary that never stops it shares, started on first use. Take a bucket of
    /// your own ([`Seaweed::mailbox_in_new_bucket`]) or a prefix ([`Seaweed::fresh_prefix`]).
    pub fn shared() -> &'static Seaweed {
        static SHARED: OnceLock<Seaweed> = OnceLock::new();
        SHARED.get_or_init(Seaweed::start)
    }

    /// The S3 endpoint, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.s3)
    }

    /// The bucket created at the start, which [`Seaweed::mailbox`] uses.
    pub fn bucket(&self) -> &str {
        BUCKET
    }

    /// The server's log (it stays there if the test fails, for as long as the directory does).
    pub fn log_path(&self) -> PathBuf {
        self.root().join("weed.log")
    }

    /// An anonymous mailbox on [`Seaweed::bucket`] (the server has no identities configured).
    pub fn mailbox(&self) -> S3Mailbox {
        self.mailbox_for(BUCKET)
    }

    /// An anonymous mailbox on `bucket`, which need not exist.
    pub fn mailbox_for(&self, bucket: &str) -> S3Mailbox {
        S3Mailbox::new(&self.endpoint(), bucket, kindred_s3::DEFAULT_REGION, None)
            .unwrap_or_else(|e| panic!("a mailbox on {}: {e}", self.endpoint()))
    }

    /// A mailbox on a bucket created for the caller alone.
    pub fn mailbox_in_new_bucket(&self) -> S3Mailbox {
        let bucket = format!("test-{}", unique());
        let mailbox = self.mailbox_for(&bucket);
        mailbox
            .create_bucket_if_missing()
            .unwrap_or_else(|e| panic!("creating bucket {bucket}: {e} (SeaweedFS log: {})", self.log_path().display()));
        mailbox
    }

    /// A prefix no other caller gets (`p<n>-<random>/`), for objects in a shared bucket.
    pub fn fresh_prefix(&self) -> String {
        format!("{}/", unique())
    }

    /// Stops the server (SIGINT) and waits for it to exit: about 16 s, most of it the filer's hard-coded 15 s gRPC
    /// drain. On a loaded machine its shutdown sometimes hangs (the master waiting on a volume server already gone);
    /// after 30 s it is killed (SIGKILL, status 137), which loses nothing it acknowledged (its volume and metadata
    /// writes are in the files already; the tests that stop it read everything back after [`Seaweed::start_again`]).
    /// Its data stays. Stopping a stopped server does nothing.
    pub fn stop(&mut self) {
        if self.running.take().is_none() {
            return;
        }
        let answer = self.command("stop");
        assert!(
            ["stopped 0", "stopped 130", "stopped 137"].contains(&answer.as_str()),
            "SeaweedFS did not stop ({answer}); its log: {}",
            self.log_path().display()
        );
    }

    /// Starts the stopped server again, on the same directory and ports, and waits until what it stored before is
    /// readable again.
    pub fn start_again(&mut self) {
        assert!(self.running.is_none(), "start_again: the server is running");
        self.run();
        self.wait_until_ready(true);
    }

    fn root(&self) -> &Path {
        self.root.as_ref().expect("the server's directory").path()
    }

    /// Starts the supervisor (not the server yet).
    fn supervise(&mut self) {
        let root = self.root().to_owned();
        let log = File::options().create(true).append(true).open(self.log_path()).expect("the server's log");
        let p = self.ports;
        let sockets =
            [("master", p.master_grpc), ("volume", p.volume_grpc), ("filer", p.filer_grpc), ("s3", p.s3_grpc)]
                .map(|(server, port)| format!("/tmp/seaweedfs-{server}-grpc-{port}.sock"))
                .join(" ");
        let data = root.join("data");
        let args = [
            "server".to_owned(),
            format!("-dir={}", data.display()),
            "-ip=127.0.0.1".to_owned(),
            "-ip.bind=127.0.0.1".to_owned(),
            format!("-master.port={}", p.master),
            format!("-master.port.grpc={}", p.master_grpc),
            // A restart's raft election takes 13-20 s with the default 10 s.
            "-master.electionTimeout=1s".to_owned(),
            // On by default, and it would post to an outside address.
            "-master.telemetry=false".to_owned(),
            "-master.volumeSizeLimitMB=64".to_owned(),
            format!("-volume.port={}", p.volume),
            format!("-volume.port.grpc={}", p.volume_grpc),
            // Sparse files: room for a bucket per test (the default 8 gives a second bucket one volume, a third
            // none).
            "-volume.max=200".to_owned(),
            // The default 10 s wait before a volume server stops.
            "-volume.preStopSeconds=0".to_owned(),
            "-filer".to_owned(),
            format!("-filer.port={}", p.filer),
            format!("-filer.port.grpc={}", p.filer_grpc),
            format!("-filer.localSocket={}", root.join("filer.sock").display()),
            "-s3".to_owned(),
            format!("-s3.port={}", p.s3),
            format!("-s3.port.grpc={}", p.s3_grpc),
            format!("-s3.localSocket={}", root.join("s3.sock").display()),
            // Fixed ports by default (8181, 9101): two servers could not run at once.
            "-s3.port.iceberg=0".to_owned(),
            "-s3.port.lance=0".to_owned(),
        ];
        let weed = weed();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("sh")
            .arg(&root)
            .arg(sockets)
            .arg(weed)
            .args(args)
            // One volume per bucket instead of 7 (master.toml's volume_growth.copy_1).
            .env("WEED_MASTER_VOLUME_GROWTH_COPY_1", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting sh to supervise {}: {e}", weed.display()));
        let commands = child.stdin.take().expect("the supervisor's standard input");
        let answers = BufReader::new(child.stdout.take().expect("the supervisor's standard output"));
        self.supervisor = Some(Supervisor { child, commands, answers });
    }

    /// Starts `weed`.
    fn run(&mut self) {
        let answer = self.command("start");
        let pid = answer.strip_prefix("started ").and_then(|pid| pid.parse().ok());
        self.running = Some(pid.unwrap_or_else(|| panic!("the supervisor answered {answer:?} to start")));
    }

    /// Sends the supervisor `command` and returns its answer.
    fn command(&mut self, command: &str) -> String {
        let log = self.log_path();
        let supervisor = self.supervisor.as_mut().expect("the supervisor");
        let mut answer = String::new();
        let sent = writeln!(supervisor.commands, "{command}").and_then(|()| supervisor.commands.flush());
        match sent.and_then(|()| supervisor.answers.read_line(&mut answer)) {
            Ok(n) if n > 0 => answer.trim_end().to_owned(),
            Ok(_) => panic!("the SeaweedFS supervisor exited instead of answering {command:?}; see {}", log.display()),
            Err(e) => panic!("the SeaweedFS supervisor cannot be told {command:?}: {e}; see {}", log.display()),
        }
    }

    /// Waits until the server stores and serves objects: the buckets exist and a probe object can be put and read
    /// back; after a restart, the probe put before the stop is readable too (the old volumes are back).
    fn wait_until_ready(&mut self, restarted: bool) {
        let started = Instant::now();
        let probe = self.mailbox_for(PROBE_BUCKET);
        let mut last_error = String::from("nothing answered on the S3 port");
        loop {
            if self.running.is_some_and(exited) {
                self.running = None;
                self.fail("SeaweedFS exited while starting");
            }
            if started.elapsed() > START_TIMEOUT {
                self.fail(&format!("SeaweedFS did not serve S3 within {START_TIMEOUT:?} (last: {last_error})"));
            }
            // Cheap until the port is open; the S3 calls below may take up to their own timeouts.
            if TcpStream::connect_timeout(&([127, 0, 0, 1], self.ports.s3).into(), Duration::from_secs(1)).is_err() {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            match self.probe(&probe, restarted) {
                Ok(()) => return,
                Err(e) => last_error = e,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn probe(&self, probe: &S3Mailbox, restarted: bool) -> Result<(), String> {
        if restarted {
            match probe.get(PROBE) {
                Ok(Some(bytes)) if bytes == PROBE_BYTES => {}
                Ok(other) => return Err(format!("the probe put before the restart reads as {other:?}")),
                Err(e) => return Err(e.to_string()),
            }
        } else {
            probe.create_bucket_if_missing().map_err(|e| e.to_string())?;
            self.mailbox().create_bucket_if_missing().map_err(|e| e.to_string())?;
            probe.put(PROBE, PROBE_BYTES).map_err(|e| e.to_string())?;
        }
        match probe.get(PROBE) {
            Ok(Some(bytes)) if bytes == PROBE_BYTES => Ok(()),
            Ok(other) => Err(format!("the probe reads as {other:?}")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Stops the server, keeps its directory and fails the test with the end of the log.
    fn fail(&mut self, what: &str) -> ! {
        let log = self.log_path();
        self.quit();
        let kept = self.root.take().map(tempfile::TempDir::keep);
        let tail = tail(&log, 30);
        panic!("{what}\nSeaweedFS log {} (kept in {kept:?}), last lines:\n{tail}", log.display());
    }

    /// SIGINT, then SIGKILL after 2 s; the directory stays.
    fn quit(&mut self) {
        self.running = None;
        if let Some(mut supervisor) = self.supervisor.take() {
            let _ = writeln!(supervisor.commands, "quit").and_then(|()| supervisor.commands.flush());
            let _ = wait_for(&mut supervisor.child, Duration::from_secs(30));
        }
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The test failed: stop the server, and keep its directory and log to look at.
            self.quit();
            if let Some(root) = self.root.take() {
                eprintln!("SeaweedFS directory kept for the failed test: {}", root.keep().display());
            }
            return;
        }
        if let Some(mut supervisor) = self.supervisor.take() {
            // The pipe's end: the supervisor stops the server (SIGKILL after 2 s) and removes its directory, as it
            // would if this process died. Waiting for it means no server outlives the test.
            drop(supervisor.commands);
            let _ = wait_for(&mut supervisor.child, Duration::from_secs(30));
        }
    }
}

/// The `weed` binary: `$KINDRED_WEED`, else the one install-seaweedfs.sh installs (installing it the first time).
fn weed() -> &'static Path {
    static WEED: OnceLock<PathBuf> = OnceLock::new();
    WEED.get_or_init(|| {
        if let Some(path) = std::env::var_os("KINDRED_WEED").filter(|path| !path.is_empty()) {
            let path = PathBuf::from(path);
            assert!(path.is_file(), "KINDRED_WEED={} is no file", path.display());
            return path;
        }
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let installed = repo.join("target/tools/seaweedfs/bin/weed");
        if installed.is_file() {
            return installed;
        }
        let script = repo.join("tests/tools/install-seaweedfs.sh");
        let output = Command::new("bash")
            .arg(&script)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        assert!(
            output.status.success(),
            "{} failed ({}); set KINDRED_WEED to a weed binary",
            script.display(),
            output.status
        );
        let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        assert!(path.is_file(), "{} printed {path:?}, which is no file", script.display());
        path
    })
}

/// Eight free loopback ports, none handed out before in this process (two servers started at once must not get
/// the same). Binding port 0 picks them; a port freed here could in principle be taken by another program before
/// `weed` binds it, which then fails to start, naming the port in its log.
fn free_ports() -> Ports {
    static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut listeners = Vec::new();
    let mut ports = Vec::new();
    while ports.len() < 8 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let port = listener.local_addr().expect("the port bound").port();
        if !handed_out.contains(&port) && !ports.contains(&port) {
            ports.push(port);
            handed_out.push(port);
        }
        // Held until all are picked, so the same port is not picked twice.
        listeners.push(listener);
    }
    let [master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc] =
        <[u16; 8]>::try_from(ports).expect("eight ports");
    Ports { master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc }
}

/// `p<n>-<random hex>`: unique in this process by the counter, and across processes (sharing nothing) by chance.
fn unique() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("p{}-{:016x}", NEXT.fetch_add(1, Ordering::Relaxed), rand::random::<u64>())
}

/// Whether the process `pid` (a child of the supervisor, which reaps it only when told to stop) has exited.
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command's name in parentheses: Z is a zombie, X dead.
        Ok(stat) => {
            stat.rsplit_once(')').is_none_or(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X')))
        }
        Err(_) => true,
    }
}

/// Waits up to `timeout` for `child` to exit.
fn wait_for(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if started.elapsed() < timeout => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// The last `lines` lines of the file at `path`.
fn tail(path: &Path, lines: usize) -> String {
    let Ok(file) = File::open(path) else { return format!("({} cannot be read)", path.display()) };
    let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    all.get(all.len().saturating_sub(lines)..).unwrap_or_default().join("\n")
}
