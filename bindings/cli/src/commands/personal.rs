//! `mute | unmute | block | unblock MEMBER`, `mute-word WORD`, `muted`: personal controls, on this phone only.

use clap::Args;
use kindred_core::{MemberControl, MutedMember};
use serde::Serialize;

use crate::commands::sync::resolve_peer;
use crate::context::{Ctx, Outcome};
use crate::output::{push_line, short, when};

#[derive(Debug, Args)]
pub struct MemberArg {
    /// The member's id (64 hex characters), or their name in one of your groups.
    pub member: String,
}

#[derive(Debug, Args)]
pub struct WordArgs {
    /// A word or short phrase; posts holding it (any case, as a whole word) are shown folded.
    pub word: String,
    /// Unmute it instead.
    #[arg(long)]
    pub remove: bool,
}

/// What `muted` lists.
#[derive(Debug, Serialize)]
struct Muted {
    members: Vec<MutedMember>,
    words: Vec<String>,
    fold_warnings: bool,
}

/// Sets what this phone does with one member's posts.
pub fn control(ctx: &Ctx, arg: MemberArg, control: MemberControl) -> Outcome {
    let kindred = ctx.open()?;
    let member = resolve_peer(&kindred, &arg.member, "member")?;
    kindred.set_member_control(&member, control)?;
    let state = match control {
        MemberControl::None => "shown again",
        MemberControl::Muted => "muted",
        MemberControl::Blocked => "blocked",
    };
    ctx.render(&serde_json::json!({ "member": member, "control": control }), |_| {
        format!("{} {state} on this phone (nobody is told).\n", short(&member))
    })
}

pub fn word(ctx: &Ctx, args: WordArgs) -> Outcome {
    let kindred = ctx.open()?;
    let words = kindred.mute_word(&args.word, !args.remove)?;
    ctx.render(&words, |w| format!("Muted words: {}\n", if w.is_empty() { "none".to_owned() } else { w.join(", ") }))
}

pub fn list(ctx: &Ctx) -> Outcome {
    let kindred = ctx.open()?;
    let muted = Muted {
        members: kindred.muted_members()?,
        words: kindred.muted_words()?,
        fold_warnings: kindred.fold_warnings()?,
    };
    ctx.render(&muted, |m| {
        let mut out = String::new();
        if m.members.is_empty() {
            push_line(&mut out, "No member muted or blocked.");
        }
        for member in &m.members {
            let state = if member.control == MemberControl::Blocked { "blocked" } else { "muted" };
            push_line(&mut out, format!("{}  {state} since {}", short(&member.member), when(member.at)));
        }
        push_line(
            &mut out,
            format!("Muted words: {}", if m.words.is_empty() { "none".to_owned() } else { m.words.join(", ") }),
        );
        push_line(
            &mut out,
            format!("Posts with a content warning: {}", if m.fold_warnings { "folded" } else { "open" }),
        );
        out
    })
}
