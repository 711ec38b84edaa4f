//! `export DIR [--days N] [--no-checkins] [--notes] [--no-instruments] [--associations]`: the clinician's summary,
//! with only the parts ticked: `DIR/kindred-summary.csv` and `DIR/kindred-summary.html` (one printable page, no
//! script, no network). Instrument answers and crisis flags are never in it; notes only with `--notes`.

use std::path::PathBuf;

use clap::Args;
use kindred_core::summary::SummaryParts;
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome};
use crate::output::push_line;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write the two files into (made if missing).
    pub dir: PathBuf,
    /// How many days to cover, today included.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
    /// Leave the check-ins out.
    #[arg(long)]
    pub no_checkins: bool,
    /// Include check-in notes.
    #[arg(long)]
    pub notes: bool,
    /// Leave instrument scores out.
    #[arg(long)]
    pub no_instruments: bool,
    /// Include what went with your mood.
    #[arg(long)]
    pub associations: bool,
}

#[derive(Debug, Serialize)]
struct Exported {
    csv: PathBuf,
    html: PathBuf,
    csv_rows: usize,
    html_bytes: usize,
}

pub fn run(ctx: &Ctx, args: ExportArgs) -> Outcome {
    let kindred = ctx.open()?;
    let parts = SummaryParts {
        days: args.days,
        checkins: !args.no_checkins,
        notes: args.notes,
        instruments: !args.no_instruments,
        associations: args.associations,
    };
    let summary = kindred.clinician_summary(&parts)?;
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CliError::Other(format!("making {}: {}", args.dir.display(), e.kind())))?;
    let (csv, html) = (args.dir.join("kindred-summary.csv"), args.dir.join("kindred-summary.html"));
    for (path, text) in [(&csv, &summary.csv), (&html, &summary.html)] {
        std::fs::write(path, text).map_err(|e| CliError::Other(format!("writing {}: {}", path.display(), e.kind())))?;
    }
    let exported = Exported {
        csv_rows: summary.csv.matches("\r\n").count().saturating_sub(1),
        html_bytes: summary.html.len(),
        csv,
        html,
    };
    ctx.render(&exported, |e| {
        let mut out = String::new();
        push_line(&mut out, format!("Wrote {} ({} rows) and {}.", e.csv.display(), e.csv_rows, e.html.display()));
        push_line(&mut out, "Open the page in a browser to print it; nothing in it runs or reaches the network.");
        out
    })
}
