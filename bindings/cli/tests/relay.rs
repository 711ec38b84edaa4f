//! `kindred relay sync` end to end: two data directories that never sync directly join and talk through a mailbox on a
//! real S3 server (SeaweedFS, started by the scenarios' harness; anonymous, so no credentials in the environment),
//! and through a folder; a store that cannot be reached is one clear error line.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::Kindred as Phone;
use kindred_scenarios::seaweed::Seaweed;

fn messages(phone: &Phone, group: &str) -> Vec<String> {
    let read = phone.json(&["read", group, "--limit", "50"]);
    read.as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect()
}

/// Rounds for each phone in turn, `times` over, with `store` arguments; returns the last round's JSON of each.
fn rounds(phones: &[(&Phone, &str)], store: &[&str], times: usize) -> Vec<serde_json::Value> {
    let mut last = Vec::new();
    for _ in 0..times {
        last.clear();
        for (phone, group) in phones {
            let mut args = vec!["relay", "sync", group];
            args.extend_from_slice(store);
            last.push(phone.json(&args));
        }
    }
    last
}

fn join_and_talk(store: &[&str]) {
    let amara = Phone::named("Amara");
    let bo = Phone::named("Bo");
    amara.ok(&["group", "create", "Circle"]);
    amara.ok(&["post", "Circle", "Welcome, whoever comes"]);
    let code = amara.json(&["group", "invite", "Circle"])["code"].as_str().unwrap().to_owned();
    let pending = bo.json(&["group", "join", &code]);
    let id = pending["group_id"].as_str().unwrap().to_owned();
    // Bo's first round puts his request (the group is named by its id or its invitation's name until he holds it).
    let first = bo.json(&[&["relay", "sync", "Circle"][..], store].concat());
    assert_eq!(first["puts"], 1, "{first}");
    rounds(&[(&amara, "Circle"), (&bo, id.as_str())], store, 2);
    assert_eq!(messages(&bo, "Circle"), ["Welcome, whoever comes"]);
    bo.ok(&["post", "Circle", "Hello from far away"]);
    rounds(&[(&bo, "Circle"), (&amara, "Circle")], store, 2);
    assert_eq!(messages(&amara, "Circle"), ["Welcome, whoever comes", "Hello from far away"]);
    let quiet = rounds(&[(&amara, "Circle"), (&bo, "Circle")], store, 1);
    assert!(quiet.iter().all(|r| r["requests"] == 1), "{quiet:?}");
    let human = amara.ok(&[&["relay", "sync", "Circle"][..], store].concat());
    assert!(human.contains("Mailbox round") && human.contains("1 request"), "{human}");
}

#[test]
fn two_phones_join_and_talk_through_a_bucket_on_a_real_s3_server() {
    let server = Seaweed::shared();
    let endpoint = server.endpoint();
    join_and_talk(&["--endpoint", &endpoint, "--bucket", "cli-relay", "--create-bucket"]);
}

#[test]
fn two_phones_join_and_talk_through_a_folder() {
    let folder = tempfile::tempdir().unwrap();
    join_and_talk(&["--folder", folder.path().to_str().unwrap()]);
}

#[test]
fn an_unreachable_store_is_one_clear_error() {
    let amara = Phone::named("Amara");
    amara.ok(&["group", "create", "Circle"]);
    let (code, line) = amara.fails(&["relay", "sync", "Circle", "--endpoint", "http://127.0.0.1:9", "--bucket", "b"]);
    assert_ne!(code, 0);
    assert!(line.contains("relay store is unavailable"), "{line}");
    // Without a store: clap's usage text, naming the options.
    let out = amara.run(&["relay", "sync", "Circle"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--folder"));
}
