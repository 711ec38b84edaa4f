//! Messages: posting, replying, editing, removing, reacting, and reading a group's timeline page by page.
//!
//! Writes go to the group's newest message segment (see [`crate::schema::segment`]) as one signed change each and
//! update the read model in the same SQLite transaction; reads come from the read model only.

use crate::bodies::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GroupId, MessageId};
use crate::kindred::{Kindred, WriteCtx};
use crate::model::{Message, MessageCursor, NewMessage};
use crate::read_model;
use crate::schema::segment::{self, NewMessageFields, SEGMENT_CAPACITY, Touched};
use crate::storage::documents::{self, DocPlace};
use crate::storage::groups::{self as group_store, GroupRef};
use crate::storage::messages as store;
use crate::text;
use crate::time::now_ms;

/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest content warning.
pub const MAX_CONTENT_WARNING_CHARS: usize = 100;
/// Longest reaction (an emoji can be several characters joined).
pub const MAX_REACTION_CHARS: usize = 16;
/// Most messages one page returns.
pub const MAX_PAGE: u32 = 500;

struct ValidMessage {
    text: String,
    reply_to: Option<MessageId>,
    content_warning: Option<String>,
}

fn validate(m: &NewMessage) -> Result<ValidMessage> {
    Ok(ValidMessage {
        text: text::multi_line("message text", &m.text, MAX_MESSAGE_CHARS)?,
        reply_to: m.reply_to,
        content_warning: text::optional_single_line(
            "content warning",
            m.content_warning.as_deref(),
            MAX_CONTENT_WARNING_CHARS,
        )?,
    })
}

/// The group's row, if this profile may write in it.
fn writable_group(ctx: &WriteCtx<'_, '_>, group: &GroupId) -> Result<GroupRef> {
    let group_ref = group_store::require(ctx.tx, group)?;
    if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
        return Err(Error::not_permitted("only members can write in this group"));
    }
    Ok(group_ref)
}

/// A message this profile wrote and has not removed: (its segment).
fn own_live_message(ctx: &WriteCtx<'_, '_>, group_ref: GroupRef, id: &MessageId) -> Result<u32> {
    let (author, segment, removed) =
        store::author_and_segment(ctx.tx, group_ref, id)?.ok_or_else(|| Error::not_found("message", id))?;
    if author != ctx.me() {
        return Err(Error::not_permitted("only the author can edit or remove a message"));
    }
    if removed {
        return Err(Error::not_permitted("the message was removed"));
    }
    Ok(segment)
}

/// How far ahead of this phone's clock the group's newest message may be for a new post to be placed after it.
const MAX_CLOCK_LEAD_MS: i64 = 60_000;

/// The time to stamp a new post with: now, or just after the group's newest message when that is (slightly) ahead,
/// so that a burst of posts within one millisecond, or a clock a little behind a peer's, still lists in the order
/// written. A peer clock far ahead is not followed, so one wrong clock cannot drag everyone's times along.
fn post_time(ctx: &WriteCtx<'_, '_>, group_ref: GroupRef) -> Result<i64> {
    let now = now_ms();
    Ok(match store::latest_time(ctx.tx, group_ref)? {
        Some(latest) if latest >= now && latest < now + MAX_CLOCK_LEAD_MS => latest + 1,
        _ => now,
    })
}

fn post_one(ctx: &mut WriteCtx<'_, '_>, group_ref: GroupRef, group: &GroupId, m: &ValidMessage) -> Result<MessageId> {
    if let Some(reply_to) = &m.reply_to
        && store::author_and_segment(ctx.tx, group_ref, reply_to)?.is_none()
    {
        return Err(Error::not_found("message to reply to", reply_to));
    }
    let needs = posting_needs(ctx, group_ref)?;
    let seen = needs.seen;
    let needs = needs.acknowledgments;
    let seg = my_segment(ctx, group_ref, group)?;
    let doc_id = group.segment_doc_id(&ctx.me(), seg);
    // The words go in a body beside the history; the post's id is the start of its hash (`crate::bodies`).
    let body = Body::new(&m.text, m.content_warning.as_deref());
    let hash = body.hash()?;
    let mut id = [0u8; 16];
    id.copy_from_slice(&hash[..16]);
    let fields =
        NewMessageFields { id: MessageId::from_bytes(id), at: post_time(ctx, group_ref)?, reply_to: m.reply_to, seen };
    let place = DocPlace::segment(*group, ctx.me(), seg);
    // The post rests on the acknowledgments the group's rules ask of it (`crate::posting`), written with it when
    // this segment does not hold them yet.
    let mut acknowledged = false;
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, Some(place), fields.at, |d| {
        for entry in &needs {
            acknowledged |= segment::write_ack(d, &doc_id, entry, fields.at)?;
        }
        segment::write_new(d, &doc_id, &fields)
    })?;
    if !acknowledged {
        // A fresh random id: the post added one entry to the segment. (With an acknowledgment too, the count kept
        // for the segment is left behind and taken again when next asked.)
        ctx.cache.added_root_key(&doc_id);
    }
    let touched = Touched { messages: segment::ids([fields.id]), acknowledged, ..Default::default() };
    refresh_mine(ctx, group_ref, group, seg, touched)?;
    store::fill_body(ctx.tx, group_ref, &hash, &body)?;
    Ok(fields.id)
}

/// Erases this profile's messages `ids` of segment `seg`, in one change (see [`Kindred::erase_message`]).
pub(crate) fn erase_own(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    seg: u32,
    ids: &[MessageId],
) -> Result<()> {
    let doc_id = group.segment_doc_id(&ctx.me(), seg);
    let at = now_ms();
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
        ids.iter().try_for_each(|id| segment::write_removal(d, &doc_id, id, at))
    })?;
    refresh_mine(
        ctx,
        group_ref,
        group,
        seg,
        Touched { messages: segment::ids(ids.iter().copied()), ..Default::default() },
    )
}

/// What a new post by this profile must rest on and name, or why it may not post now.
fn posting_needs(ctx: &WriteCtx<'_, '_>, group_ref: GroupRef) -> Result<crate::posting::PostingNeeds> {
    let needs = crate::posting::status_of(ctx.tx, group_ref, &ctx.me())?;
    if needs.status.suspended {
        return Err(Error::not_permitted("a moderator has suspended your posting in this group for now"));
    }
    if needs.status.must_accept_rules {
        return Err(Error::not_permitted("accept the group's rules before posting"));
    }
    if needs.status.rate_limited {
        return Err(Error::not_permitted(
            "the group's rate limit is reached: you can post again once someone else has written",
        ));
    }
    Ok(needs)
}

/// Writes this profile's acknowledgment of moderation log entries into its current segment of the group (accepting
/// a rules version), as one change.
pub(crate) fn acknowledge(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    entries: &[crate::ids::ModerationId],
) -> Result<()> {
    let seg = my_segment(ctx, group_ref, group)?;
    let doc_id = group.segment_doc_id(&ctx.me(), seg);
    let place = DocPlace::segment(*group, ctx.me(), seg);
    let at = now_ms();
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, Some(place), at, |d| {
        for entry in entries {
            segment::write_ack(d, &doc_id, entry, at)?;
        }
        Ok(())
    })?;
    refresh_mine(ctx, group_ref, group, seg, Touched { acknowledged: true, ..Default::default() })
}

/// The segment this profile writes into now: its newest, or the next one when that is full. (The closed segment's
/// last chunks are folded into its snapshot later, by [`Kindred::maintain`] or at the end of a batch, not inside a
/// post.)
fn my_segment(ctx: &mut WriteCtx<'_, '_>, group_ref: GroupRef, group: &GroupId) -> Result<u32> {
    let seg = group_store::current_segment(ctx.tx, group_ref)?;
    if read_model::segment_len(ctx, group, seg)? < SEGMENT_CAPACITY as usize {
        return Ok(seg);
    }
    Ok(seg + 1)
}

/// A batch compacts as it goes, as sync does: after each post, the segment it went into if that is now due.
fn compact_in_batch(ctx: &mut WriteCtx<'_, '_>, group_ref: GroupRef, group: &GroupId) -> Result<()> {
    let seg = group_store::current_segment(ctx.tx, group_ref)?;
    documents::compact_if_due(ctx.tx, ctx.cache, &group.segment_doc_id(&ctx.me(), seg))?;
    Ok(())
}

/// After a batch that wrote this profile's segments `first..=last` of a group: the segments it closed rest as one
/// snapshot each.
fn compact_closed(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, first: u32, last: u32) -> Result<()> {
    let me = ctx.me();
    for seg in first..last {
        documents::compact(ctx.tx, ctx.cache, &group.segment_doc_id(&me, seg))?;
    }
    Ok(())
}

fn refresh_mine(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    segment: u32,
    touched: Touched,
) -> Result<()> {
    let me = ctx.me();
    read_model::refresh_segment(ctx, group_ref, group, &me, segment, &touched)
}

impl Kindred {
    /// Posts a message (optionally a reply, optionally behind a content warning). Returns once it is on disk.
    pub fn post(&self, group: &GroupId, message: NewMessage) -> Result<Message> {
        let valid = validate(&message)?;
        self.write(|ctx| {
            let group_ref = writable_group(ctx, group)?;
            let id = post_one(ctx, group_ref, group, &valid)?;
            store::get(ctx.tx, group_ref, &ctx.me(), &id)?.ok_or_else(|| Error::internal("posted message missing"))
        })
    }

    /// Posts several messages in one durable transaction (an outbox flush, an import): all land or none. Each is
    /// still its own signed change, exactly as if posted one by one. Unlike a single post, the batch compacts the
    /// segments it writes as they fall due, and those it closes.
    pub fn post_many(&self, group: &GroupId, messages: Vec<NewMessage>) -> Result<Vec<MessageId>> {
        let valid = messages.iter().map(validate).collect::<Result<Vec<_>>>()?;
        self.write(|ctx| {
            let group_ref = writable_group(ctx, group)?;
            let first = group_store::current_segment(ctx.tx, group_ref)?;
            let mut ids = Vec::with_capacity(valid.len());
            for m in &valid {
                ids.push(post_one(ctx, group_ref, group, m)?);
                compact_in_batch(ctx, group_ref, group)?;
            }
            let last = group_store::current_segment(ctx.tx, group_ref)?;
            compact_closed(ctx, group, first, last)?;
            Ok(ids)
        })
    }

    /// Replaces the text of one's own message (its content warning stays). The earlier words are not kept: the new
    /// version is a new body, and every phone that receives the edit drops the old one (`crate::bodies`).
    pub fn edit_message(&self, group: &GroupId, id: &MessageId, new_text: &str) -> Result<Message> {
        let new_text = text::multi_line("message text", new_text, MAX_MESSAGE_CHARS)?;
        self.write(|ctx| {
            let group_ref = writable_group(ctx, group)?;
            let seg = own_live_message(ctx, group_ref, id)?;
            let warning = store::get(ctx.tx, group_ref, &ctx.me(), id)?.and_then(|m| m.content_warning);
            let body = Body::new(&new_text, warning.as_deref());
            let hash = body.hash()?;
            let doc_id = group.segment_doc_id(&ctx.me(), seg);
            let at = now_ms();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
                segment::write_edit(d, &doc_id, id, &hash, at)
            })?;
            refresh_mine(ctx, group_ref, group, seg, Touched { messages: segment::ids([*id]), ..Default::default() })?;
            store::fill_body(ctx.tx, group_ref, &hash, &body)?;
            store::get(ctx.tx, group_ref, &ctx.me(), id)?.ok_or_else(|| Error::not_found("message", id))
        })
    }

    /// Erases one's own message: its words (text and content warning, every earlier version included) are gone from
    /// this phone now and from every phone running Kindred once the erasure reaches it by sync or bundle; a
    /// placeholder ("removed by its author") stays, so replies still make sense. A modified app may have kept a copy:
    /// this is erasure from phones running Kindred, not from everywhere (`crate::bodies`).
    pub fn erase_message(&self, group: &GroupId, id: &MessageId) -> Result<Message> {
        self.write(|ctx| {
            let group_ref = writable_group(ctx, group)?;
            let seg = own_live_message(ctx, group_ref, id)?;
            erase_own(ctx, group_ref, group, seg, &[*id])?;
            store::get(ctx.tx, group_ref, &ctx.me(), id)?.ok_or_else(|| Error::not_found("message", id))
        })
    }

    /// The same as [`Kindred::erase_message`] (the name it had before messages' words could be erased everywhere).
    pub fn remove_message(&self, group: &GroupId, id: &MessageId) -> Result<Message> {
        self.erase_message(group, id)
    }

    /// Sets this profile's reaction to a message, replacing any earlier one; `None` takes it back.
    pub fn react(&self, group: &GroupId, id: &MessageId, emoji: Option<&str>) -> Result<Message> {
        let emoji = text::optional_single_line("reaction", emoji, MAX_REACTION_CHARS)?;
        self.write(|ctx| {
            let group_ref = writable_group(ctx, group)?;
            let (_, _, removed) =
                store::author_and_segment(ctx.tx, group_ref, id)?.ok_or_else(|| Error::not_found("message", id))?;
            if removed {
                return Err(Error::not_permitted("the message was removed"));
            }
            // A reaction goes into the reactor's own segment, like everything they write.
            let seg = my_segment(ctx, group_ref, group)?;
            let me = ctx.me();
            let doc_id = group.segment_doc_id(&me, seg);
            let at = post_time(ctx, group_ref)?.max(now_ms());
            documents::change_local(
                ctx.tx,
                ctx.cache,
                ctx.identity,
                &doc_id,
                Some(DocPlace::segment(*group, me, seg)),
                at,
                |d| segment::write_reaction(d, &doc_id, id, emoji.as_deref(), at),
            )?;
            refresh_mine(ctx, group_ref, group, seg, Touched { reactions: segment::ids([*id]), ..Default::default() })?;
            store::get(ctx.tx, group_ref, &me, id)?.ok_or_else(|| Error::not_found("message", id))
        })
    }

    /// Up to `limit` messages, oldest first: the newest ones, or with `before` the ones just older than it (pass
    /// the first message's [`Message::cursor`] to page back). Reads only the read model.
    pub fn messages(&self, group: &GroupId, limit: u32, before: Option<MessageCursor>) -> Result<Vec<Message>> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::invalid("limit", format!("must be between 1 and {MAX_PAGE}")));
        }
        self.read(|tx, me| store::page(tx, group_store::require(tx, group)?, me, limit, before))
    }

    /// One message.
    pub fn message(&self, group: &GroupId, id: &MessageId) -> Result<Message> {
        self.read(|tx, me| {
            store::get(tx, group_store::require(tx, group)?, me, id)?.ok_or_else(|| Error::not_found("message", id))
        })
    }

    /// Finds a message by its id or a unique prefix of it (at least 4 hex characters), as people type them.
    pub fn resolve_message(&self, group: &GroupId, id_or_prefix: &str) -> Result<MessageId> {
        let prefix = id_or_prefix.trim();
        if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::invalid("message id", "expected at least 4 hex characters"));
        }
        self.read(|tx, _| {
            let ids = store::ids_with_prefix(tx, group_store::require(tx, group)?, prefix, 100)?;
            match ids.as_slice() {
                [id] => Ok(*id),
                [] => Err(Error::not_found("message", prefix)),
                _ => Err(ErrorKind::Ambiguous { kind: "message id", name: prefix.to_owned(), count: ids.len() }.into()),
            }
        })
    }
}
