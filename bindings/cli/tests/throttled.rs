//! Slow honest links are not hostile: a newcomer joins a 2,000-message group (about 100 KB) over a real throttled
//! link, two network namespaces joined by a veth pair with each end limited by `tc tbf` to 9.6 kbit/s (GPRS class),
//! in one session, without stalling (within 3x of the link's floor, the bytes carried at the link's rate; usually
//! 1.1-1.3x, which it prints), and both sides report the same outcome.
//!
//! Needs root (CI has it) and `ip`/`tc`; elsewhere it says why it skipped. `KINDRED_THROTTLE_BITS` sets another
//! rate (in bit/s).
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

mod common;

use common::Kindred as Phone;

/// Two network namespaces joined by a throttled veth pair; removed on drop.
struct ThrottledLink {
    names: [String; 2],
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0]).args(&args[1..]).output().map_err(|e| format!("{}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

impl ThrottledLink {
    fn new(rate_bits: u32) -> Result<Self, String> {
        let tag = std::process::id() % 100_000;
        let names = [format!("kdA{tag}"), format!("kdB{tag}")];
        let link = Self { names: names.clone() };
        let [a, b] = [names[0].as_str(), names[1].as_str()];
        run(&["ip", "netns", "add", a])?;
        run(&["ip", "netns", "add", b])?;
        run(&["ip", "link", "add", a, "type", "veth", "peer", "name", b])?;
        run(&["ip", "link", "set", a, "netns", a])?;
        run(&["ip", "link", "set", b, "netns", b])?;
        let rate = format!("{rate_bits}bit");
        for (ns, addr) in [(a, "10.77.0.1/24"), (b, "10.77.0.2/24")] {
            run(&["ip", "-n", ns, "addr", "add", addr, "dev", ns])?;
            run(&["ip", "-n", ns, "link", "set", ns, "up"])?;
            run(&["ip", "-n", ns, "link", "set", "lo", "up"])?;
            run(&[
                "ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", ns, "root", "tbf", "rate", &rate, "burst",
                "1600", "latency", "2s",
            ])?;
        }
        Ok(link)
    }
}

impl Drop for ThrottledLink {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = run(&["ip", "netns", "del", ns]);
        }
    }
}

#[test]
fn a_newcomer_joins_a_large_group_in_one_session_over_a_gprs_class_link() {
    let rate: u32 = std::env::var("KINDRED_THROTTLE_BITS").ok().and_then(|v| v.parse().ok()).unwrap_or(9_600);
    let link = match ThrottledLink::new(rate) {
        Ok(link) => link,
        Err(why) => {
            eprintln!("skipped: a throttled link needs root, ip and tc ({why})");
            return;
        }
    };
    // The group: 2,000 messages, made through the core directly (2,000 `kindred post` processes would take long).
    let amara = Phone::named("Amara");
    let group = {
        let k = kindred_core::Kindred::open(amara.path()).unwrap();
        let g = k.create_group(kindred_core::NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
        let batch = (0..2_000)
            .map(|i| kindred_core::NewMessage {
                text: format!("message {i}: how did the week go, and what helped?"),
                ..Default::default()
            })
            .collect();
        k.post_many(&g, batch).unwrap();
        g
    };
    let bo = Phone::named("Bo");
    let code = amara.json(&["group", "invite", &group.to_string()])["code"].as_str().unwrap().to_owned();
    bo.ok(&["group", "join", &code]);

    let [a, b] = [link.names[0].as_str(), link.names[1].as_str()];
    let mut listener = Command::new("ip")
        .args(["netns", "exec", a, env!("CARGO_BIN_EXE_kindred"), "--json", "--data-dir"])
        .arg(amara.path())
        .args(["sync", "--listen", "10.77.0.1:7878", "--once", "--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let started = Instant::now();
    let dialled = Command::new("ip")
        .args(["netns", "exec", b, env!("CARGO_BIN_EXE_kindred"), "--json", "--data-dir"])
        .arg(bo.path())
        .args(["sync", "--connect", "10.77.0.1:7878", "--timeout", "60"])
        .output()
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    for ns in [a, b] {
        let stats = Command::new("ip").args(["netns", "exec", ns, "tc", "-s", "qdisc", "show", "dev", ns]).output();
        if let Ok(stats) = stats {
            eprintln!("{ns}: {}", String::from_utf8_lossy(&stats.stdout).replace('\n', " "));
        }
    }
    let listened = listener.wait_with_output_checked();
    let dialler_out = String::from_utf8_lossy(&dialled.stdout).to_string();
    assert!(
        dialled.status.success(),
        "the joiner failed after {elapsed:.1} s: {} (listener: {})",
        String::from_utf8_lossy(&dialled.stderr),
        listened.2
    );
    assert!(listened.0, "the listener failed: {}", listened.2);
    let d: Value = serde_json::from_str(&dialler_out).expect("dialler json");
    let l: Value = serde_json::from_str(listened.1.lines().last().expect("listener summary")).expect("listener json");
    assert_eq!(d["joined"].as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(l["admitted"].as_array().map(Vec::len), Some(1), "{l}");
    assert_eq!(d["outcome"], "synced");
    assert_eq!(l["outcome"], "synced");
    let sent = d["report"]["bytes_received"].as_u64().unwrap().max(d["report"]["bytes_sent"].as_u64().unwrap());
    let floor = sent as f64 * 8.0 / f64::from(rate);
    eprintln!(
        "joined over {rate} bit/s: {sent} B in {elapsed:.1} s, the link's floor {floor:.1} s: {:.2}x",
        elapsed / floor
    );
    // Not a speed check (the benchmark measures bytes and ratios; timed tests on this shared machine are noise: a run
    // took 1.55x the floor once, 1.1-1.3x usually): a bound that only a stalled session, or one that resends in a
    // loop, misses.
    assert!(elapsed <= floor * 3.0, "{elapsed:.1} s against a floor of {floor:.1} s");
    assert_eq!(bo.json(&["read", "Circle", "--limit", "5"]).as_array().map(Vec::len), Some(5));
}

/// Waits for a child and returns (success, stdout, stderr).
trait WaitChecked {
    fn wait_with_output_checked(&mut self) -> (bool, String, String);
}

impl WaitChecked for std::process::Child {
    fn wait_with_output_checked(&mut self) -> (bool, String, String) {
        use std::io::Read;
        let status = self.wait().unwrap();
        let mut out = String::new();
        let mut err = String::new();
        self.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        self.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status.success(), out, err)
    }
}
