//! `bundle export GROUP FILE | bundle import FILE`: store and forward. A bundle is a signed, self-contained file of a
//! group's documents for links that are one-way or days long (an SD card, a file sent through a chat app).
//! Importing checks every change exactly like a live sync; importing twice, or an older bundle, changes nothing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use kindred_core::sync::bundle::MAX_BUNDLE_BYTES;
use kindred_core::{Bundle, BundleImport, GroupId, MemberId};
use serde::Serialize;

use crate::commands::groups::known_name;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::{count, plural, push_line, when};

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write everything you hold of a group to a signed bundle file.
    Export {
        /// The group's id or name.
        group: String,
        /// Where to write it (replaced atomically if it exists).
        file: PathBuf,
    },
    /// Apply a bundle file someone gave you (you must be in its group).
    Import { file: PathBuf },
}

#[derive(Debug, Serialize)]
struct Exported {
    file: PathBuf,
    bytes: u64,
    group_id: GroupId,
    group_name: String,
    documents: usize,
}

#[derive(Debug, Serialize)]
struct Imported {
    file: PathBuf,
    group_name: Option<String>,
    exported_by_name: Option<String>,
    exported_at: i64,
    #[serde(flatten)]
    import: BundleImport,
}

pub fn run(ctx: &Ctx, command: BundleCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        BundleCommand::Export { group, file } => {
            let id = kindred.resolve_group(&group)?;
            let name = kindred.group(&id)?.name;
            let bytes = kindred.export_bundle(&id)?;
            let documents = Bundle::from_file_bytes(&bytes)?.documents.len();
            write_atomically(&file, &bytes)?;
            let exported = Exported { file, bytes: bytes.len() as u64, group_id: id, group_name: name, documents };
            ctx.render(&exported, |e| {
                let mut out = String::new();
                push_line(
                    &mut out,
                    format!(
                        "Wrote \"{}\" to {}: {}, {}, signed by you.",
                        e.group_name,
                        e.file.display(),
                        plural(e.bytes, "byte"),
                        plural(e.documents as u64, "document")
                    ),
                );
                push_line(&mut out, "A member of the group applies it with `kindred bundle import FILE`.");
                out
            })
        }
        BundleCommand::Import { file } => {
            let bytes = read_bounded(&file, MAX_BUNDLE_BYTES, "a bundle")?;
            let exported_at = Bundle::from_file_bytes(&bytes).map(|b| b.exported_at).unwrap_or_default();
            let import = kindred.import_bundle(&bytes)?;
            let group_name = import.group.and_then(|g| kindred.group(&g).ok()).map(|g| g.name);
            let exported_by_name = import.exported_by.map(|m: MemberId| known_name(&kindred, &m));
            let imported = Imported { file, group_name, exported_by_name, exported_at, import };
            ctx.render(&imported, import_text)
        }
    }
}

fn import_text(i: &Imported) -> String {
    let mut out = String::new();
    let group = i.group_name.as_deref().unwrap_or("a group");
    let by = i.exported_by_name.as_deref().unwrap_or("someone");
    push_line(
        &mut out,
        format!(
            "Imported \"{group}\" from {} (exported by {by}, {}): {}",
            i.file.display(),
            when(i.exported_at),
            plural(i.import.documents as u64, "document")
        ),
    );
    let r = &i.import.report;
    push_line(&mut out, format!("  applied      {}", plural(r.applied, "change")));
    push_line(&mut out, format!("  already had  {}", count(r.duplicates)));
    if r.quarantined > 0 {
        push_line(
            &mut out,
            format!(
                "  quarantined  {} (an equivocation; see `kindred group flagged \"{group}\"`)",
                count(r.quarantined)
            ),
        );
    } else {
        push_line(&mut out, "  quarantined  0");
    }
    if r.applied == 0 && r.quarantined == 0 {
        push_line(&mut out, "Nothing new in it.");
    }
    out
}

/// Reads a file the core will parse (a bundle, a resource directory: `what`), refusing one larger than the core
/// accepts (`limit` bytes) before reading it.
pub(crate) fn read_bounded(file: &Path, limit: usize, what: &str) -> Result<Vec<u8>, CliError> {
    let io_error = |e: std::io::Error| CliError::Other(format!("cannot read {}: {e}", file.display()));
    let len = fs::metadata(file).map_err(io_error)?.len();
    if len > limit as u64 {
        return Err(CliError::input(format!(
            "{} is {} bytes; {what} is at most {}",
            file.display(),
            count(len),
            count(limit as u64)
        )));
    }
    fs::read(file).map_err(io_error)
}

/// Writes `bytes` to a temporary file beside `file`, syncs it and renames it over `file`: a reader never sees half a
/// file, and a crash leaves either the old file or the new one. A new file is readable by its owner alone (the
/// temporary file's mode, 0600 on Unix), as fits a bundle or a safety plan.
pub(crate) fn write_atomically(file: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::Other(format!("cannot write {}: {e}", file.display()));
    let dir = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new().prefix(".kindred-write-").tempfile_in(dir).map_err(fail)?;
    temp.write_all(bytes).and_then(|()| temp.as_file().sync_all()).map_err(fail)?;
    temp.persist(file).map_err(|e| fail(e.error))?;
    Ok(())
}
