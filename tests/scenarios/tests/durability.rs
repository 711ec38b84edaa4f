//! Kill-mid-write: a child process posts durably and is killed with SIGKILL at arbitrary moments; every message it
//! reported as posted must be there after reopening, and the profile must keep working.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kindred_core::{Kindred, MessageId, NewGroup, NewMessage};

#[test]
fn every_acknowledged_post_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let group = {
        let k = Kindred::create(dir.path(), "Ada").unwrap();
        k.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id
    };
    let mut acknowledged: Vec<MessageId> = Vec::new();
    // Several rounds, each killed after a different number of acknowledged writes, so the kill lands at different
    // points of the write path (chunk insert, read-model update, commit) and of the writer's maintenance (compaction,
    // checkpoint).
    for (round, wanted) in [7usize, 33, 90, 150, 260].into_iter().enumerate() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_durability-writer"))
            .arg(dir.path())
            .arg(group.to_hex())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let started = Instant::now();
        let mut this_round = 0;
        while this_round < wanted {
            match lines.next() {
                Some(Ok(line)) => {
                    acknowledged.push(line.trim().parse().unwrap());
                    this_round += 1;
                }
                other => panic!("round {round}: writer stopped early: {other:?}"),
            }
            assert!(started.elapsed() < Duration::from_secs(120), "writer too slow");
        }
        // SIGKILL: no destructors, no flush, no chance to finish the write in progress.
        child.kill().unwrap();
        child.wait().unwrap();
        // Anything printed after our last read but before the kill was also acknowledged.
        for line in lines.map_while(Result::ok) {
            acknowledged.push(line.trim().parse().unwrap());
        }

        let k = Kindred::open(dir.path()).unwrap();
        for id in &acknowledged {
            k.message(&group, id).unwrap_or_else(|e| panic!("round {round}: acknowledged message {id} lost: {e}"));
        }
        // The profile keeps working after the crash.
        k.post(&group, NewMessage { text: format!("after crash {round}"), ..Default::default() }).unwrap();
        k.check_integrity().unwrap();
    }
    assert!(acknowledged.len() >= 540);
}
