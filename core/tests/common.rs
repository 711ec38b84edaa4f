//! Shared helpers for the core's integration tests.
#![allow(dead_code, clippy::expect_used)]

use kindred_core::{GroupDetails, Kindred, NewGroup, NewMessage};

pub fn profile(name: &str) -> (tempfile::TempDir, Kindred) {
    let dir = tempfile::tempdir().expect("temp dir");
    let k = Kindred::create(dir.path(), name).expect("create profile");
    (dir, k)
}

pub fn group(k: &Kindred, name: &str) -> GroupDetails {
    k.create_group(NewGroup { name: name.into(), description: "A test group".into(), guidelines: "Be kind.".into() })
        .expect("create group")
}

pub fn text(text: &str) -> NewMessage {
    NewMessage { text: text.into(), ..Default::default() }
}
