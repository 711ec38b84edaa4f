//! The CLI's encrypted profiles end to end: `init --passphrase-file`, `KINDRED_PASSPHRASE`, `profile
//! list|create|open|hide|show|set-duress|change-passphrase`, `wipe --yes` and `export-mine`, with byte scans of the
//! data directory.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A data directory and the passphrase files beside it (never inside it).
struct Vault {
    data: tempfile::TempDir,
    secrets: tempfile::TempDir,
}

impl Vault {
    fn new() -> Self {
        Vault { data: tempfile::tempdir().unwrap(), secrets: tempfile::tempdir().unwrap() }
    }

    /// A file holding `passphrase` (with the line break an editor adds).
    fn file(&self, passphrase: &str) -> PathBuf {
        let path = self.secrets.path().join(format!("{:x}", rand_name(passphrase)));
        std::fs::write(&path, format!("{passphrase}\n")).unwrap();
        path
    }

    fn run(&self, env: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kindred"));
        command.arg("--data-dir").arg(self.data.path()).args(args).env_remove("KINDRED_DATA_DIR");
        match env {
            Some(passphrase) => command.env("KINDRED_PASSPHRASE", passphrase),
            None => command.env_remove("KINDRED_PASSPHRASE"),
        };
        command.output().unwrap()
    }

    /// Runs with `KINDRED_PASSPHRASE=env` (or none) and `--json`; must succeed.
    fn json(&self, env: Option<&str>, args: &[&str]) -> Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let out = self.run(env, &with_json);
        assert!(out.status.success(), "kindred {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns (exit code, its one line on stderr).
    fn fails(&self, env: Option<&str>, args: &[&str]) -> (i32, String) {
        let out = self.run(env, args);
        assert!(!out.status.success(), "kindred {args:?} should have failed");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        (out.status.code().unwrap(), stderr)
    }
}

fn rand_name(text: &str) -> u64 {
    text.bytes().fold(1469598103934665603u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
}

fn holds(dir: &Path, marker: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(holds(&path, marker));
        } else if std::fs::read(&path).unwrap().windows(marker.len()).any(|w| w == marker.as_bytes()) {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
fn an_encrypted_profile_from_the_command_line_keeps_nothing_readable() {
    let v = Vault::new();
    let pass = v.file("a long passphrase");
    let pass = pass.to_str().unwrap();
    // Neither a passphrase nor --unencrypted: refused, nothing created.
    let (code, line) = v.fails(None, &["init", "--name", "Ada"]);
    assert_eq!(code, 2);
    assert!(line.contains("--passphrase-file") && line.contains("--unencrypted"), "{line}");
    assert_eq!(std::fs::read_dir(v.data.path()).unwrap().count(), 0);

    let me = v.json(None, &["init", "--name", "Ada", "--passphrase-file", pass]);
    assert_eq!(me["display_name"], "Ada");
    let group = v.json(Some("a long passphrase"), &["group", "create", "SECRETGROUP"]);
    let group = group["id"].as_str().unwrap().to_owned();
    v.json(Some("a long passphrase"), &["post", &group, "SECRETWORDS in a message"]);
    v.json(Some("a long passphrase"), &["checkin", "--mood", "2", "--note", "SECRETNOTE"]);
    assert_eq!(v.json(None, &["--passphrase-file", pass, "read", &group]).as_array().unwrap().len(), 1);
    for marker in ["SECRETGROUP", "SECRETWORDS", "SECRETNOTE", "Ada"] {
        assert_eq!(holds(v.data.path(), marker), Vec::<String>::new(), "{marker}");
    }

    // No passphrase, or a wrong one: a clear error, naming nothing of the profile.
    let (code, line) = v.fails(None, &["whoami"]);
    assert_eq!(code, 2);
    assert!(line.contains("encrypted"), "{line}");
    let (code, line) = v.fails(Some("a wrong passphrase"), &["read", &group]);
    assert_eq!(code, 2);
    assert!(line.contains("wrong passphrase") && !line.contains("SECRET"), "{line}");

    // Export of one's own data.
    let out = tempfile::tempdir().unwrap();
    let export_dir = out.path().join("mine");
    let summary = v.json(Some("a long passphrase"), &["export-mine", export_dir.to_str().unwrap()]);
    assert!(!summary["files"].as_array().unwrap().is_empty(), "{summary}");
    assert!(!holds(&export_dir, "SECRETWORDS").is_empty(), "the export holds the person's own words");
    assert!(!holds(&export_dir, "SECRETNOTE").is_empty());

    // The panic wipe: refused without --yes; then nothing is left that opens.
    v.fails(Some("a long passphrase"), &["wipe"]);
    v.json(Some("a long passphrase"), &["wipe", "--yes"]);
    let (_, line) = v.fails(Some("a long passphrase"), &["whoami"]);
    assert!(line.contains("wrong passphrase"), "{line}");
    let left: Vec<_> = std::fs::read_dir(v.data.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "the last profile wiped leaves no file: {left:?}");
}

#[test]
fn listed_hidden_and_duress_profiles_and_a_passphrase_change() {
    let v = Vault::new();
    let (ada, hidden, duress, new) =
        (v.file("ada's passphrase"), v.file("the hidden one"), v.file("give this away"), v.file("ada's new one"));
    let [ada, hidden, duress, new] = [&ada, &hidden, &duress, &new].map(|p| p.to_str().unwrap().to_owned());
    let real = v.json(None, &["init", "--name", "Ada", "--label", "Me", "--passphrase-file", &ada]);
    v.json(None, &["profile", "create", "--name", "Nadia", "--hidden", "--passphrase-file", &hidden]);

    let listed = v.json(None, &["profile", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["label"], "Me");
    assert_eq!(v.json(None, &["profile", "open", "--passphrase-file", &hidden])["display_name"], "Nadia");

    // Duress: the real passphrase from the environment, the duress one from --passphrase-file.
    v.json(Some("ada's passphrase"), &["profile", "set-duress", "--passphrase-file", &duress]);
    let decoy = v.json(None, &["whoami", "--passphrase-file", &duress]);
    assert_eq!(decoy["display_name"], "Ada");
    assert_ne!(decoy["member_id"], real["member_id"]);
    assert_eq!(v.json(None, &["profile", "list"]).as_array().unwrap().len(), 1, "the decoy is not listed");

    // Hide and show again.
    v.json(None, &["profile", "hide", "--passphrase-file", &ada]);
    assert_eq!(v.json(None, &["profile", "list"]).as_array().unwrap().len(), 0);
    v.json(None, &["profile", "show", "--label", "Ada", "--passphrase-file", &ada]);

    // A new passphrase: the old one opens nothing, the new one the same profile.
    v.json(None, &["profile", "change-passphrase", "--new-passphrase-file", &new, "--passphrase-file", &ada]);
    v.fails(None, &["whoami", "--passphrase-file", &ada]);
    assert_eq!(v.json(None, &["whoami", "--passphrase-file", &new])["member_id"], real["member_id"]);

    // The panic button for all of them.
    v.json(None, &["wipe", "--all", "--yes"]);
    assert_eq!(std::fs::read_dir(v.data.path()).unwrap().count(), 0);
}

#[test]
fn an_unencrypted_profile_is_adopted_into_the_vault() {
    let v = Vault::new();
    let pass = v.file("a long passphrase");
    let pass = pass.to_str().unwrap();
    v.json(None, &["init", "--name", "Ada", "--unencrypted"]);
    let group = v.json(None, &["group", "create", "PLAINGROUP"])["id"].as_str().unwrap().to_owned();
    v.json(None, &["post", &group, "PLAINWORDS"]);
    assert!(!holds(v.data.path(), "PLAINWORDS").is_empty());
    v.json(None, &["profile", "adopt", "--label", "Me", "--passphrase-file", pass]);
    assert_eq!(holds(v.data.path(), "PLAINWORDS"), Vec::<String>::new());
    assert_eq!(v.json(None, &["read", &group, "--passphrase-file", pass]).as_array().unwrap().len(), 1);
    assert_eq!(v.json(None, &["profile", "list"])[0]["label"], "Me");
}
