//! Shared helpers for the core's integration tests.
#![allow(dead_code, clippy::expect_used)]

use std::sync::Mutex;

use kindred_core::{GroupDetails, Kindred, NewGroup, NewMessage, Update, UpdateListener};

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

/// A listener that keeps every update it hears, for tests to take and compare.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<Update>>);

impl UpdateListener for Recorder {
    fn on_update(&self, update: &Update) {
        self.0.lock().expect("recorder lock").push(update.clone());
    }
}

impl Recorder {
    /// The updates heard since the last call.
    pub fn take(&self) -> Vec<Update> {
        std::mem::take(&mut *self.0.lock().expect("recorder lock"))
    }
}
