//! `init` and `whoami`: creating the profile and showing who it is.

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
