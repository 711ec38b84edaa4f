//! `post`, `read`, `react`, `edit`, `erase`: a group's conversation.

use clap::Args;
use kindred_core::{Fold, GroupId, Kindred, Message, MessageId, NewMessage};

use crate::context::{Ctx, Outcome};
use crate::output::{indent, pad, push_line, reactions, short, when, width};

/// Most messages `read` shows when not told otherwise.
const DEFAULT_PAGE: u32 = 30;

#[derive(Debug, Args)]
pub struct PostArgs {
    /// The group's id or name.
    pub group: String,
    pub text: String,
    /// Reply to this message (its id, or at least 4 hex characters of it).
    #[arg(long, value_name = "MSG")]
    pub reply_to: Option<String>,
    /// Put the text behind a content warning, such as "grief".
    #[arg(long, value_name = "TEXT")]
    pub cw: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The group's id or name.
    pub group: String,
    /// How many messages to show.
    #[arg(long, default_value_t = DEFAULT_PAGE)]
    pub limit: u32,
    /// Show the messages just older than this one (to page back).
    #[arg(long, value_name = "MSG_ID")]
    pub before: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReactArgs {
    /// The group's id or name.
    pub group: String,
    /// The message's id, or at least 4 hex characters of it.
    pub msg: String,
    /// The emoji to react with; replaces your earlier reaction.
    #[arg(required_unless_present = "clear")]
    pub emoji: Option<String>,
    /// Take your reaction back.
    #[arg(long, conflicts_with = "emoji")]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The group's id or name.
    pub group: String,
    /// The message's id, or at least 4 hex characters of it.
    pub msg: String,
    /// The new text.
    pub text: String,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The group's id or name.
    pub group: String,
    /// The message's id, or at least 4 hex characters of it.
    pub msg: String,
}

pub fn post(ctx: &Ctx, args: PostArgs) -> Outcome {
    let kindred = ctx.open()?;
    let group = kindred.resolve_group(&args.group)?;
    let reply_to = args.reply_to.map(|r| kindred.resolve_message(&group, &r)).transpose()?;
    let message = kindred.post(&group, NewMessage { text: args.text, reply_to, content_warning: args.cw })?;
    let name = kindred.group(&group)?.name;
    ctx.render(&message, |m| format!("Posted {} in \"{name}\"\n", short(&m.id)))
}

pub fn read(ctx: &Ctx, args: ReadArgs) -> Outcome {
    let kindred = ctx.open()?;
    let group = kindred.resolve_group(&args.group)?;
    let before = match &args.before {
        Some(msg) => Some(kindred.message(&group, &kindred.resolve_message(&group, msg)?)?.cursor()),
        None => None,
    };
    let messages = kindred.messages(&group, args.limit, before)?;
    let unread = kindred.unread_count(&group)?;
    let name = kindred.group(&group)?.name;
    let text = ctx.render(&messages, |messages| timeline_text(&name, messages, unread, args.limit, &args.group))?;
    // Reading never needs free space: on a full disk the messages are still shown, only the read marker waits.
    match kindred.mark_read(&group).map_err(kindred_core::Error::into_kind) {
        Ok(()) => {}
        Err(kindred_core::ErrorKind::StorageFull) => {
            eprintln!("note: the phone's storage is full, so the group was not marked read");
        }
        Err(other) => return Err(kindred_core::Error::from(other).into()),
    }
    Ok(text)
}

pub fn react(ctx: &Ctx, args: ReactArgs) -> Outcome {
    let kindred = ctx.open()?;
    let (group, id) = resolve(&kindred, &args.group, &args.msg)?;
    let emoji = if args.clear { None } else { args.emoji.as_deref() };
    let message = kindred.react(&group, &id, emoji)?;
    ctx.render(&message, |m| {
        let what = match emoji {
            Some(emoji) => format!("Reacted {emoji} to {}", short(&m.id)),
            None => format!("Took back your reaction to {}", short(&m.id)),
        };
        match reactions(&m.reactions) {
            all if all.is_empty() => format!("{what}\n"),
            all => format!("{what}  ({all})\n"),
        }
    })
}

pub fn edit(ctx: &Ctx, args: EditArgs) -> Outcome {
    let kindred = ctx.open()?;
    let (group, id) = resolve(&kindred, &args.group, &args.msg)?;
    let message = kindred.edit_message(&group, &id, &args.text)?;
    ctx.render(&message, |m| format!("Edited {}\n", short(&m.id)))
}

pub fn erase(ctx: &Ctx, args: RemoveArgs) -> Outcome {
    let kindred = ctx.open()?;
    let (group, id) = resolve(&kindred, &args.group, &args.msg)?;
    let message = kindred.erase_message(&group, &id)?;
    ctx.render(&message, |m| {
        format!("Erased {}: gone from this phone, and from each phone running Kindred once it syncs\n", short(&m.id))
    })
}

pub(crate) fn resolve(kindred: &Kindred, group: &str, msg: &str) -> Result<(GroupId, MessageId), kindred_core::Error> {
    let group = kindred.resolve_group(group)?;
    let id = kindred.resolve_message(&group, msg)?;
    Ok((group, id))
}

/// A page of messages, oldest first, each as a header line and its text indented below it.
pub(crate) fn timeline_text(name: &str, messages: &[Message], unread: u64, limit: u32, group_arg: &str) -> String {
    let mut out = String::new();
    if messages.is_empty() {
        push_line(&mut out, format!("No messages in \"{name}\"."));
        return out;
    }
    let new = if unread > 0 { format!(", {unread} new") } else { String::new() };
    push_line(&mut out, format!("{name} ({} shown{new})", messages.len()));
    let author_width = messages.iter().map(|m| width(&m.author_name)).max().unwrap_or(0);
    for m in messages {
        out.push('\n');
        message_text(&mut out, m, author_width);
    }
    if let Some(oldest) = messages.first()
        && u32::try_from(messages.len()).is_ok_and(|n| n >= limit)
    {
        push_line(&mut out, format!("\nOlder: kindred read {group_arg:?} --before {}", short(&oldest.id)));
    }
    out
}

fn message_text(out: &mut String, m: &Message, author_width: usize) {
    let mut header = format!("{}  {}  {}", when(m.created_at), pad(&m.author_name, author_width), short(&m.id));
    if let Some(reply_to) = &m.reply_to {
        header.push_str(&format!("  ↪ reply to {}", short(reply_to)));
    }
    if let Some(cw) = &m.content_warning
        && !m.removed
    {
        header.push_str(&format!("  [CW: {cw}]"));
    }
    if m.edited_at.is_some() && !m.removed {
        header.push_str("  (edited)");
    }
    if m.awaiting_approval {
        header.push_str("  [awaiting a moderator's approval; the group does not see it yet]");
    }
    push_line(out, header);
    match &m.moderation {
        _ if m.erased_by_moderator => push_line(out, "    [removed by a moderator]"),
        _ if m.removed => push_line(out, "    [removed by its author]"),
        _ if m.text_pending => push_line(out, "    [its words have not arrived yet]"),
        Some(note) if m.text.is_empty() => push_line(out, format!("    [hidden by a moderator {}]", when(note.at))),
        Some(note) => {
            let why = note.why.as_deref().map(|w| format!(": {}", w.lines().collect::<Vec<_>>().join(" / ")));
            push_line(
                out,
                format!("    [hidden by a moderator{}; the group does not see it]", why.unwrap_or_default()),
            );
            push_line(out, indent(&m.text, "    "));
        }
        None => {
            // What the reader chose to fold comes with a marker; the CLI's reader sees the text beneath it.
            let why = match m.fold {
                Some(Fold::MutedWord) => Some("holds a word you muted"),
                Some(Fold::MutedMember) => Some("from a member you muted"),
                Some(Fold::ContentWarning) | None => None,
            };
            if let Some(why) = why {
                push_line(out, format!("    [folded: {why}]"));
            }
            push_line(out, indent(&m.text, "    "))
        }
    }
    if !m.reactions.is_empty() && !m.removed {
        push_line(out, format!("    {}", reactions(&m.reactions)));
    }
}
