//! The test driver shared by the CLI's end-to-end tests: a data directory and a way to run the built `kindred` on it.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// A data directory (one phone) and a way to run `kindred` on it.
pub struct Kindred {
    dir: TempDir,
}

impl Kindred {
    /// A fresh data directory with no profile.
    pub fn empty() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// A fresh data directory with a profile called `name`, kept without encryption (these tests are about other
    /// things, and some scan its bytes; `privacy.rs` runs encrypted profiles).
    pub fn named(name: &str) -> Self {
        let k = Self::empty();
        k.ok(&["init", "--name", name, "--unencrypted"]);
        k
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The command, not yet run (for spawning long-lived listeners).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kindred"));
        command
            .arg("--data-dir")
            .arg(self.path())
            .args(args)
            .env_remove("KINDRED_DATA_DIR")
            .env_remove("KINDRED_PASSPHRASE");
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run kindred")
    }

    /// Runs a command that must succeed quietly on stderr; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "kindred {args:?} failed: {stderr}");
        assert!(stderr.is_empty(), "kindred {args:?} wrote to stderr: {stderr}");
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs a command with `--json`; its stdout must be exactly one JSON document.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let text = self.ok(&with_json);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("kindred {args:?} printed invalid JSON ({e}): {text}"))
    }

    /// Runs a command that must fail with one `error: ` line on stderr and nothing on stdout; returns (code, line).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert!(!out.status.success(), "kindred {args:?} should have failed");
        assert_eq!(stderr.lines().count(), 1, "kindred {args:?} should print exactly one line: {stderr:?}");
        assert!(stderr.starts_with("error: "), "{stderr:?}");
        assert!(
            out.stdout.is_empty(),
            "kindred {args:?} printed on stdout: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        (out.status.code().expect("exit code"), stderr.trim_end().to_owned())
    }
}
