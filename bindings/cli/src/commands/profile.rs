//! `init`, `whoami` and `maintain`: creating the profile, showing who it is, and its housekeeping.

use std::path::Path;

use clap::Args;
use kindred_core::{Kindred, ProfileInfo};
use serde::Serialize;

use crate::context::{Ctx, Outcome};
use crate::output::{date, push_line};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The pseudonym others see in groups.
    #[arg(long)]
    pub name: String,
}

/// The profile and where it lives.
#[derive(Debug, Serialize)]
struct Whoami<'a> {
    #[serde(flatten)]
    profile: ProfileInfo,
    data_dir: &'a Path,
}

pub fn init(ctx: &Ctx, args: InitArgs) -> Outcome {
    let kindred = Kindred::create(&ctx.data_dir, &args.name)?;
    let me = Whoami { profile: kindred.profile(), data_dir: kindred.dir() };
    ctx.render(&me, |me| {
        let mut out = String::new();
        push_line(&mut out, format!("Created a profile for {} in {}", me.profile.display_name, me.data_dir.display()));
        push_line(&mut out, format!("Member id: {}", me.profile.member_id));
        out
    })
}

pub fn whoami(ctx: &Ctx) -> Outcome {
    let kindred = ctx.open()?;
    let me = Whoami { profile: kindred.profile(), data_dir: kindred.dir() };
    ctx.render(&me, |me| {
        let mut out = String::new();
        push_line(&mut out, &me.profile.display_name);
        push_line(&mut out, format!("Member id: {}", me.profile.member_id));
        push_line(&mut out, format!("Since:     {}", date(me.profile.created_at)));
        push_line(&mut out, format!("Data dir:  {}", me.data_dir.display()));
        out
    })
}

/// What `maintain` did.
#[derive(Debug, Serialize)]
struct Maintained {
    compacted: u32,
}

/// The housekeeping an app runs when idle (posts leave it for later): folds stored changes into snapshots where that
/// is due and checkpoints the database's log.
pub fn maintain(ctx: &Ctx) -> Outcome {
    let kindred = ctx.open()?;
    let done = Maintained { compacted: kindred.maintain()? };
    ctx.render(&done, |done| {
        let mut out = String::new();
        push_line(
            &mut out,
            match done.compacted {
                0 => "Nothing to compact.".to_owned(),
                1 => "Compacted 1 document.".to_owned(),
                n => format!("Compacted {n} documents."),
            },
        );
        out
    })
}
