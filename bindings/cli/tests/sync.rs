//! End-to-end sync between real `kindred` processes, each with its own data directory: a listener on a loopback
//! port (`--listen 127.0.0.1:0 --once`, its port read from its first line) and a dialler (`--connect`). Also
//! invitation codes, bundle files, and what strangers and removed members get.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::Kindred as Phone;

/// What the sync tests do with a phone beyond running commands.
trait PhoneExt {
    fn member_id(&self) -> String;
    fn invite(&self, group: &str) -> String;
    fn messages(&self, group: &str) -> Vec<String>;
    fn listen(&self, extra: &[&str]) -> Listener;
    fn sync_with(&self, other: &Phone, extra: &[&str]) -> (String, String);
}

impl PhoneExt for Phone {
    fn member_id(&self) -> String {
        self.json(&["whoami"])["member_id"].as_str().expect("member id").to_owned()
    }

    fn invite(&self, group: &str) -> String {
        self.json(&["group", "invite", group])["code"].as_str().expect("code").to_owned()
    }

    /// Every message shown, oldest first, as "author: text".
    fn messages(&self, group: &str) -> Vec<String> {
        let messages = self.json(&["read", group, "--limit", "500"]);
        messages
            .as_array()
            .expect("an array of messages")
            .iter()
            .map(|m| format!("{}: {}", m["author_name"].as_str().unwrap_or("?"), m["text"].as_str().unwrap_or("?")))
            .collect()
    }

    /// Starts `sync --listen 127.0.0.1:0 --once` and returns it with the port it printed.
    fn listen(&self, extra: &[&str]) -> Listener {
        let mut args = vec!["sync", "--listen", "127.0.0.1:0", "--once", "--timeout", "20"];
        args.extend_from_slice(extra);
        let mut child =
            self.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn listener");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("the listener's first line");
        let port = if first.trim_start().starts_with('{') {
            let v: Value = serde_json::from_str(&first).expect("json first line");
            v["listening"].as_str().expect("listening").rsplit(':').next().expect("port").parse().expect("port number")
        } else {
            first
                .trim()
                .strip_prefix("listening on 127.0.0.1:")
                .unwrap_or_else(|| panic!("first line: {first:?}"))
                .parse()
                .expect("port number")
        };
        Listener { child, stdout, port }
    }

    /// `self` dials `other` (which listens for one session); returns (dialler's stdout, listener's stdout).
    fn sync_with(&self, other: &Phone, extra: &[&str]) -> (String, String) {
        let listener = other.listen(&[]);
        let address = format!("127.0.0.1:{}", listener.port);
        let mut args = vec!["sync", "--connect", address.as_str()];
        args.extend_from_slice(extra);
        let dialled = self.ok(&args);
        let (ok, out, err) = listener.finish();
        assert!(ok && err.is_empty(), "listener failed: {err}");
        (dialled, out)
    }
}

struct Listener {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    port: u16,
}

impl Listener {
    /// Waits (at most 30 s) for the listener to exit; returns (success, the rest of stdout, stderr).
    fn finish(mut self) -> (bool, String, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the listener did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut out = String::new();
        self.stdout.read_to_string(&mut out).expect("stdout");
        let mut err = String::new();
        self.child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
        (status.success(), out, err)
    }
}

#[test]
fn phones_sync_both_ways_over_tcp_a_third_joins_by_code_and_a_bundle_reaches_a_fourth() {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    let chen = Phone::named("Chen");
    let dee = Phone::named("Dee");
    amara.ok(&["group", "create", "Circle"]);
    amara.ok(&["post", "Circle", "Welcome, whoever comes"]);

    // Bo joins with a code at his first sync: he dials Amara, who listens.
    let code = amara.invite("Circle");
    let joined = bo.ok(&["group", "join", &code]);
    assert!(joined.contains("\"Circle\"") && joined.contains("next sync"), "{joined}");
    assert_eq!(bo.json(&["group", "pending"]).as_array().map(Vec::len), Some(1));
    let (dialled, listened) = bo.sync_with(&amara, &[]);
    assert!(dialled.contains("joined     \"Circle\""), "{dialled}");
    assert!(listened.contains("admitted   Bo"), "{listened}");
    assert_eq!(bo.json(&["group", "pending"]).as_array().map(Vec::len), Some(0));
    assert_eq!(bo.messages("Circle"), ["Amara: Welcome, whoever comes"]);

    // Both write while apart; Amara dials Bo by name (Noise KK) and each gets the other's message.
    bo.ok(&["post", "Circle", "Hi Amara, Bo here"]);
    amara.ok(&["post", "Circle", "Hi Bo"]);
    let chen_code = amara.invite("Circle");
    let (dialled, _) = amara.sync_with(&bo, &["--peer", "Bo"]);
    assert!(dialled.starts_with("Synced with Bo"), "{dialled}");
    assert_eq!(amara.messages("Circle"), bo.messages("Circle"));
    assert_eq!(amara.messages("Circle").len(), 3);

    // The JSON report says what crossed.
    bo.ok(&["post", "Circle", "One more from Bo"]);
    let listener = amara.listen(&["--json"]);
    let address = format!("127.0.0.1:{}", listener.port);
    let report = bo.json(&["sync", "--connect", &address, "--peer", &amara.member_id()]);
    let (ok, listened, _) = listener.finish();
    assert!(ok);
    assert_eq!(report["outcome"], "synced");
    assert_eq!(report["peer"]["member_id"], amara.member_id().as_str());
    assert_eq!(report["report"]["changes_sent"], 1);
    assert!(
        report["report"]["bytes_sent"].as_u64().unwrap() > 0
            && report["report"]["frames_received"].as_u64().unwrap() > 0
    );
    let listened: Value = serde_json::from_str(listened.trim()).expect("one JSON line per session");
    assert_eq!(listened["report"]["changes_applied"], 1);

    // Chen joins with his own code at a sync with Bo: any member checks it.
    chen.ok(&["group", "join", &chen_code]);
    let (dialled, listened) = chen.sync_with(&bo, &[]);
    assert!(dialled.contains("joined"), "{dialled}");
    assert!(listened.contains("admitted   Chen"), "{listened}");
    chen.ok(&["post", "Circle", "Chen, glad to be here"]);
    chen.sync_with(&bo, &[]);
    amara.sync_with(&bo, &[]);

    // Dee joins at a sync with Amara; later news reaches her only as a bundle file from Chen.
    dee.ok(&["group", "join", &amara.invite("Circle")]);
    dee.sync_with(&amara, &[]);
    chen.ok(&["post", "Circle", "Sent by bundle"]);
    chen.sync_with(&bo, &[]);
    bo.sync_with(&amara, &[]);
    let file = chen.path().join("circle.kindred");
    let file = file.to_str().expect("utf-8 path");
    let exported = chen.json(&["bundle", "export", "Circle", file]);
    assert!(exported["bytes"].as_u64().unwrap() > 100 && exported["documents"].as_u64().unwrap() >= 2);
    let imported = dee.json(&["bundle", "import", file]);
    assert!(imported["report"]["applied"].as_u64().unwrap() >= 1, "{imported}");
    let again = dee.ok(&["bundle", "import", file]);
    assert!(again.contains("applied      0") && again.contains("Nothing new"), "{again}");

    let everyone = amara.messages("Circle");
    assert_eq!(everyone.len(), 6, "{everyone:?}");
    assert!(everyone.contains(&"Chen: Sent by bundle".to_owned()));
    assert_eq!(bo.messages("Circle"), everyone);
    assert_eq!(chen.messages("Circle"), everyone);
    assert_eq!(dee.messages("Circle"), everyone);
    assert_eq!(dee.json(&["group", "show", "Circle"])["members"].as_array().map(Vec::len), Some(4));

    // Nothing new: the session ends at the Hello.
    let (dialled, _) = bo.sync_with(&amara, &[]);
    assert!(dialled.starts_with("Nothing new"), "{dialled}");
}

#[test]
fn strangers_get_nothing_and_removed_members_are_not_shown() {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    let chen = Phone::named("Chen");
    let mal = Phone::named("Mal");
    amara.ok(&["group", "create", "Circle"]);
    amara.ok(&["post", "Circle", "Members only"]);
    for phone in [&bo, &chen] {
        phone.ok(&["group", "join", &amara.invite("Circle")]);
        phone.sync_with(&amara, &[]);
    }
    bo.sync_with(&amara, &[]);

    // A stranger completes a session and learns nothing.
    let (dialled, listened) = mal.sync_with(&amara, &[]);
    assert!(dialled.contains("Nothing to sync: you share no group with this peer"), "{dialled}");
    assert!(listened.contains("Nothing to sync"), "{listened}");
    assert_eq!(mal.json(&["group", "list"]), Value::Array(Vec::new()));
    let listener = amara.listen(&[]);
    let report = mal.json(&["sync", "--connect", &format!("127.0.0.1:{}", listener.port)]);
    listener.finish();
    assert_eq!(report["outcome"], "nothing_shared");
    assert_eq!(report["report"]["changes_applied"], 0);

    // Amara removes Bo. Bo, not knowing, posts and passes it to Chen, who has not heard of the removal either.
    let removed = amara.ok(&["group", "remove", "Circle", "bo"]);
    assert!(removed.contains("Removed Bo"), "{removed}");
    bo.ok(&["post", "Circle", "Written after my removal"]);
    let (dialled, _) = bo.sync_with(&amara, &[]);
    assert!(!dialled.contains("Synced"), "Amara shares nothing with a removed member: {dialled}");
    assert!(!amara.messages("Circle").iter().any(|m| m.contains("after my removal")));
    bo.sync_with(&chen, &[]);
    assert!(
        chen.messages("Circle").iter().any(|m| m.contains("after my removal")),
        "Chen has not heard of the removal yet"
    );

    // Once the removal reaches Chen, the post is hidden there, and it never shows on Amara's phone either.
    chen.sync_with(&amara, &[]);
    for phone in [&amara, &chen] {
        let shown = phone.messages("Circle");
        assert!(!shown.iter().any(|m| m.contains("after my removal")), "{shown:?}");
        assert!(shown.contains(&"Amara: Members only".to_owned()));
    }
    assert_eq!(chen.json(&["group", "show", "Circle"])["members"].as_array().map(Vec::len), Some(2));
    // A removed member cannot be removed twice, and unknown names are one clear line.
    let (_, line) = amara.fails(&["group", "remove", "Circle", "Bo"]);
    assert!(line.contains("member not found"), "{line}");
}

#[test]
fn malformed_codes_and_bad_sync_arguments_are_one_error_line() {
    let dee = Phone::named("Dee");
    for bad in ["hello", "KINDRED:", "KINDRED:AAAAAAAA", ""] {
        let (code, line) = dee.fails(&["group", "join", bad]);
        assert_eq!(code, 2, "{line}");
        assert!(line.contains("invitation code"), "{line}");
    }
    assert_eq!(dee.json(&["group", "pending"]), Value::Array(Vec::new()));

    let (code, line) = dee.fails(&["sync", "--connect", "not an address"]);
    assert_eq!(code, 2, "{line}");
    let (_, line) = dee.fails(&["sync", "--connect", "127.0.0.1:1", "--timeout", "2"]);
    assert!(line.contains("could not connect to 127.0.0.1:1"), "{line}");
    let (_, line) = dee.fails(&["sync", "--connect", "127.0.0.1:1", "--peer", "Nobody"]);
    assert!(line.contains("no member called"), "{line}");
    let (_, line) = dee.fails(&["bundle", "import", "/no/such/file"]);
    assert!(line.contains("cannot read"), "{line}");
    let (_, line) = dee.fails(&["group", "invite", "Circle"]);
    assert!(line.contains("group not found"), "{line}");
}

#[test]
fn a_listener_refuses_oversized_frames_and_wrong_peers_are_told_clearly() {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    amara.ok(&["group", "create", "Circle"]);

    // A frame length far beyond the largest frame is refused before anything is read.
    let listener = amara.listen(&[]);
    let mut raw = TcpStream::connect(("127.0.0.1", listener.port)).expect("connect");
    raw.write_all(&[0xff, 0xff, 0xff, 0xff]).expect("write");
    let (ok, _, err) = listener.finish();
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: sync with 127.0.0.1:") && err.contains("refused a frame of 4294967295 bytes"),
        "{err}"
    );

    // Garbage that is not a handshake: refused by the core, one line.
    let listener = amara.listen(&[]);
    let mut raw = TcpStream::connect(("127.0.0.1", listener.port)).expect("connect");
    raw.write_all(&[0, 0, 0, 3, 9, 9, 9]).expect("write");
    let (ok, _, err) = listener.finish();
    assert!(!ok);
    assert!(err.starts_with("error: ") && err.contains("refused"), "{err}");

    // Dialling with --peer set to someone else: the KK handshake fails and the dialler says so.
    let listener = amara.listen(&[]);
    let someone_else = Phone::named("Eve").member_id();
    let (_, line) = bo.fails(&[
        "sync",
        "--connect",
        &format!("127.0.0.1:{}", listener.port),
        "--peer",
        &someone_else,
        "--timeout",
        "5",
    ]);
    listener.finish();
    assert!(line.contains("handshake") || line.contains("refused"), "{line}");
}

/// Starts a listener without `--once` on a loopback port; returns it, its stdout after the first line, and the port.
fn serve(phone: &Phone, extra: &[&str]) -> (Child, BufReader<std::process::ChildStdout>, u16) {
    let mut args = vec!["sync", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = phone.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn listener");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let port: u16 = first.trim().rsplit(':').next().expect("port").parse().expect("port number");
    (child, stdout, port)
}

#[test]
fn a_listener_without_once_reports_a_bad_session_and_goes_on_serving() {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    amara.ok(&["group", "create", "Circle"]);
    amara.ok(&["post", "Circle", "Still here"]);
    bo.ok(&["group", "join", &amara.invite("Circle")]);

    let (mut child, mut stdout, port) = serve(&amara, &["--timeout", "20"]);

    // A peer that sends garbage and one that hangs up at once: each is one error line, and the listener stays up.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    raw.write_all(&[0, 0, 0, 3, 9, 9, 9]).expect("write");
    drop(raw);
    drop(TcpStream::connect(("127.0.0.1", port)).expect("connect"));
    let joined = bo.ok(&["sync", "--connect", &format!("127.0.0.1:{port}")]);
    assert!(joined.contains("joined     \"Circle\""), "{joined}");
    let mut summary = String::new();
    stdout.read_line(&mut summary).expect("the session's summary");
    assert!(summary.starts_with("Synced with Bo"), "{summary}");

    child.kill().expect("stop the listener");
    child.wait().expect("wait");
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines.iter().all(|l| l.starts_with("error: sync with 127.0.0.1:")), "{err}");
    // (Sessions run side by side, so the two lines may come in either order.)
    assert!(lines.iter().any(|l| l.contains("refused")), "{err}");
    assert!(lines.iter().any(|l| l.contains("closed the connection during the handshake")), "{err}");
    assert_eq!(bo.messages("Circle"), ["Amara: Still here"]);
}

#[test]
fn idle_and_trickling_connections_never_keep_an_honest_peer_waiting() {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    amara.ok(&["group", "create", "Circle"]);
    amara.ok(&["post", "Circle", "Still here"]);
    bo.ok(&["group", "join", &amara.invite("Circle")]);

    let (mut child, _stdout, port) = serve(&amara, &["--timeout", "60", "--session-limit", "4", "--max-sessions", "3"]);

    // One connection that says nothing, and one that trickles a frame's length a byte at a time (progress, of a
    // kind, that would keep a per-read timeout happy forever).
    let idle = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let trickle = std::thread::spawn(move || {
        let mut raw = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        for byte in [0u8, 0, 0, 200, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
            if raw.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(700));
        }
    });
    std::thread::sleep(Duration::from_millis(300));

    // An honest peer is served at once, while both are still connected.
    let started = Instant::now();
    let joined = bo.ok(&["sync", "--connect", &format!("127.0.0.1:{port}")]);
    assert!(joined.contains("joined     \"Circle\""), "{joined}");
    assert!(started.elapsed() < Duration::from_secs(3), "the honest peer waited {:?}", started.elapsed());

    // The whole-session limit ends both of the others, however they behave.
    trickle.join().expect("trickler");
    std::thread::sleep(Duration::from_secs(1));
    drop(idle);
    child.kill().expect("stop the listener");
    child.wait().expect("wait");
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    assert_eq!(err.matches("ran past its limit of 4 s").count(), 2, "{err}");
    assert_eq!(bo.messages("Circle"), ["Amara: Still here"]);
}

#[test]
fn a_moderator_hides_and_restores_a_message_from_the_command_line() {
    let ada = Phone::named("Ada");
    let bo = Phone::named("Bo");
    ada.ok(&["group", "create", "Circle"]);
    bo.ok(&["group", "join", &ada.invite("Circle")]);
    bo.sync_with(&ada, &[]);
    let posted = bo.json(&["post", "Circle", "a hostile remark"]);
    let id = posted["id"].as_str().expect("id").to_owned();
    bo.sync_with(&ada, &[]);

    let (code, message) = bo.fails(&["mod", "hide", "Circle", &id[..8], "--why", "no"]);
    assert_eq!(code, 1, "{message}");
    let entry = ada.json(&["mod", "hide", "Circle", &id[..8], "--why", "hostile to the group"]);
    assert_eq!(entry["kind"], "hide");
    assert!(ada.ok(&["read", "Circle"]).contains("hidden by a moderator: hostile to the group"));
    bo.sync_with(&ada, &[]);
    assert!(bo.ok(&["read", "Circle"]).contains("hidden by a moderator: hostile to the group"), "its author reads why");
    let log = ada.json(&["mod", "log", "Circle"]);
    assert_eq!(log[0]["why"], "hostile to the group");
    assert!(ada.ok(&["mod", "log", "Circle"]).contains("hid"));
    ada.ok(&["mod", "restore", "Circle", &id[..8], "--why", "talked it through"]);
    assert_eq!(ada.json(&["mod", "log", "Circle"]).as_array().map(Vec::len), Some(2));
    let (code, _) = bo.fails(&["mod", "log", "Circle"]);
    assert_eq!(code, 1);
    assert!(ada.ok(&["mod", "remove", "Circle", "Bo", "--why", "a pause"]).contains("Removed"));
    let (code, _) = ada.fails(&["mod", "readd", "Circle", "Bo", "--why", "back"]);
    assert_eq!(code, 1, "a removed member is named by id");
    assert_eq!(ada.json(&["mod", "readd", "Circle", &bo.member_id(), "--why", "back"])["kind"], "readd");
    let log = ada.ok(&["mod", "log", "Circle"]);
    assert!(log.contains("took back") && log.contains("removed"), "{log}");
}

#[test]
fn rules_suspension_and_premoderation_from_the_command_line() {
    let ada = Phone::named("Ada");
    let bo = Phone::named("Bo");
    let cy = Phone::named("Cy");
    ada.ok(&["group", "create", "Circle", "--guidelines", "Be kind."]);
    bo.ok(&["group", "join", &ada.invite("Circle")]);
    bo.sync_with(&ada, &[]);
    // Bo has not accepted the rules: posting is refused, with the reason.
    let rules = bo.json(&["rules", "show", "Circle"]);
    assert_eq!((rules["text"].as_str(), rules["accepted"].as_bool()), (Some("Be kind."), Some(false)));
    let (code, message) = bo.fails(&["post", "Circle", "hello"]);
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("accept the group's rules"), "{message}");
    assert!(bo.ok(&["rules", "accept", "Circle"]).contains("You have accepted them"));
    bo.ok(&["post", "Circle", "hello"]);
    bo.sync_with(&ada, &[]);

    // Suspended: refused until lifted; the log says so.
    let entry = ada.json(&["mod", "suspend", "Circle", "Bo", "--for", "2", "--why", "cool off"]);
    assert_eq!(entry["kind"], "suspend");
    assert!(entry["until"].as_i64().is_some());
    bo.sync_with(&ada, &[]);
    let (code, message) = bo.fails(&["post", "Circle", "let me"]);
    assert_eq!(code, 1, "{message}");
    let (code, _) = bo.fails(&["mod", "lift", "Circle", "Bo", "--why", "me"]);
    assert_eq!(code, 1);
    ada.ok(&["mod", "lift", "Circle", "Bo", "--why", "talked"]);
    bo.sync_with(&ada, &[]);
    bo.ok(&["post", "Circle", "sorry"]);

    // Premoderation: Cy joins afterwards; Cy's post waits for Ada's approval.
    assert!(ada.ok(&["mod", "premod", "Circle", "1"]).contains("until 1 approved posts"));
    let (code, _) = ada.fails(&["mod", "premod", "Circle", "sometimes"]);
    assert_eq!(code, 2);
    cy.ok(&["group", "join", &ada.invite("Circle")]);
    cy.sync_with(&ada, &[]);
    cy.ok(&["rules", "accept", "Circle"]);
    let posted = cy.json(&["post", "Circle", "new here"]);
    assert_eq!(posted["awaiting_approval"], true);
    let id = posted["id"].as_str().unwrap().to_owned();
    cy.sync_with(&ada, &[]);
    assert!(ada.ok(&["read", "Circle"]).contains("awaiting a moderator's approval"));
    bo.sync_with(&ada, &[]);
    assert!(!bo.ok(&["read", "Circle"]).contains("new here"));
    ada.ok(&["mod", "approve", "Circle", &id[..8]]);
    bo.sync_with(&ada, &[]);
    assert!(bo.ok(&["read", "Circle"]).contains("new here"));
    let log = ada.ok(&["mod", "log", "Circle"]);
    assert!(log.contains("approved") && log.contains("suspended") && log.contains("lifted"), "{log}");
}

#[test]
fn reports_and_warnings_from_the_command_line() {
    let ada = Phone::named("Ada");
    let bo = Phone::named("Bo");
    let cy = Phone::named("Cy");
    ada.ok(&["group", "create", "Circle"]);
    for phone in [&bo, &cy] {
        phone.ok(&["group", "join", &ada.invite("Circle")]);
        phone.sync_with(&ada, &[]);
    }
    let posted = bo.json(&["post", "Circle", "you are all pathetic"]);
    let id = posted["id"].as_str().expect("id").to_owned();
    bo.sync_with(&ada, &[]);
    cy.sync_with(&ada, &[]);

    // Cy reports: queued, sealed to the moderators; the reporter is told who will know.
    let out = cy.ok(&["report", "Circle", &id[..8], "--reason", "hostile", "--note", "aimed at me"]);
    assert!(out.contains("Only the group's moderators will know it was you"), "{out}");
    let (code, message) = cy.fails(&["report", "Circle", &id[..8], "--reason", "rude"]);
    assert_eq!(code, 2, "an unknown reason is invalid input: {message}");
    let (code, _) = cy.fails(&["mod", "reports", "Circle"]);
    assert_eq!(code, 1, "only moderators read reports");
    assert_eq!(ada.json(&["mod", "reports", "Circle"]).as_array().map(Vec::len), Some(0), "not arrived yet");
    assert!(ada.ok(&["mod", "threshold", "Circle", "2"]).contains("reports that hide a message: 2"));

    // A warning: logged without its words.
    let entry = ada.json(&["mod", "warn", "Circle", "Bo", "--why", "Please keep it kind."]);
    assert_eq!(entry["kind"], "warn");
    assert!(!entry["why"].as_str().unwrap_or_default().contains("kind."));
    assert!(bo.ok(&["warnings", "Circle"]).contains("No warnings"), "it leaves with Ada's next slot");
    assert!(ada.ok(&["mod", "mute-reporter", "Circle", "Cy"]).contains("muted on this phone"));
    let (code, _) = ada.fails(&["mod", "dismiss", "Circle", &"0".repeat(32)]);
    assert_eq!(code, 1);
}

/// Every file under `dir` that holds `marker`.
fn files_holding(dir: &std::path::Path, marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_holding(&path, marker));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
        {
            out.push(path.display().to_string());
        }
    }
    out
}

#[test]
fn erasing_leaving_and_a_rate_limit_from_the_command_line() {
    let ada = Phone::named("Ada");
    let bo = Phone::named("Bo");
    let cy = Phone::named("Cy");
    ada.ok(&["group", "create", "Circle"]);
    for p in [&bo, &cy] {
        p.ok(&["group", "join", &ada.invite("Circle")]);
        p.sync_with(&ada, &[]);
    }
    // Bo erases his own message; the words leave Ada's files after the next sync.
    let mine = bo.json(&["post", "Circle", "MARKER-ERASE-4711 my street"]);
    let mine = mine["id"].as_str().unwrap().to_owned();
    bo.sync_with(&ada, &[]);
    assert!(!files_holding(ada.path(), "MARKER-ERASE-4711").is_empty(), "the scan finds the words first");
    let erased = bo.json(&["erase", "Circle", &mine[..8]]);
    assert_eq!(erased["removed"], true);
    bo.sync_with(&ada, &[]);
    assert!(ada.ok(&["read", "Circle"]).contains("[removed by its author]"));
    assert_eq!(files_holding(ada.path(), "MARKER-ERASE-4711"), Vec::<String>::new());

    // Ada (the owner) erases Cy's doxxing post; Cy, a plain member, may not erase Ada's.
    let doxx = cy.json(&["post", "Circle", "MARKER-DOXX-0815 lives here"]);
    let doxx = doxx["id"].as_str().unwrap().to_owned();
    cy.sync_with(&ada, &[]);
    let entry = ada.json(&["mod", "erase", "Circle", &doxx[..8], "--why", "an address"]);
    assert_eq!(entry["kind"], "erase");
    let welcome = ada.json(&["post", "Circle", "welcome"]);
    cy.sync_with(&ada, &[]);
    let (code, _) = cy.fails(&["mod", "erase", "Circle", &welcome["id"].as_str().unwrap()[..8], "--why", "no"]);
    assert_eq!(code, 1);
    assert!(cy.ok(&["read", "Circle"]).contains("[removed by a moderator]"));
    assert!(ada.ok(&["mod", "log", "Circle"]).contains("erased"));
    for p in [&ada, &cy] {
        assert_eq!(files_holding(p.path(), "MARKER-DOXX-0815"), Vec::<String>::new());
    }

    // A rate limit of 1: Bo posts once, then waits for someone else.
    assert!(ada.ok(&["mod", "rate-limit", "Circle", "1"]).contains("at most 1 posts"));
    let (code, _) = ada.fails(&["mod", "rate-limit", "Circle", "often"]);
    assert_eq!(code, 2);
    bo.sync_with(&ada, &[]);
    bo.ok(&["post", "Circle", "one"]);
    let (code, message) = bo.fails(&["post", "Circle", "two"]);
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("rate limit"), "{message}");
    ada.ok(&["mod", "rate-limit", "Circle", "off"]);

    // Bo leaves, erasing what he wrote; the owner cannot leave.
    let (code, _) = ada.fails(&["group", "leave", "Circle"]);
    assert_eq!(code, 1);
    bo.sync_with(&ada, &[]);
    let left = bo.json(&["group", "leave", "Circle", "--erase"]);
    assert_eq!((left["left"].as_bool(), left["erased"].as_bool()), (Some(true), Some(true)));
    bo.sync_with(&ada, &[]);
    let members = ada.json(&["group", "show", "Circle"]);
    assert!(!members.to_string().contains(&bo.member_id()), "{members}");
}
