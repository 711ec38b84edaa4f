//! SQL for the message read model: what a conversation screen lists, without loading any Automerge document.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::groups::GroupRef;
use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{GroupId, MemberId, MessageId};
use crate::model::{Fold, Message, MessageCursor, ModerationNote, ReactionCount};
use crate::names;
use crate::schema::segment::{StoredMessage, StoredReaction};

/// Writes a message as its segment document now says it is. Arrival order (`local_seq`) is kept when the message is
/// already there, and so are its words while the document names the same body (`crate::bodies`: they arrive
/// beside the history and are not in the document); a new body's words are empty until they arrive. `erased`: a
/// moderator erased it (then it names no body and keeps no words).
pub(crate) fn upsert(
    conn: &Connection,
    group_ref: GroupRef,
    segment: u32,
    m: &StoredMessage,
    pending: bool,
    erased: bool,
) -> Result<()> {
    let body = if erased { None } else { m.body };
    // Words written inline by an older version are the document's own; otherwise they come with the body.
    let inline = body.is_none() && !erased;
    conn.prepare_cached(sql(q::MESSAGES_UPSERT))?.execute(params![
        group_ref,
        m.id,
        segment,
        m.author,
        m.created_at,
        if inline { m.text.as_deref().unwrap_or("") } else { "" },
        m.reply_to.as_ref().map(|r| &r.as_bytes()[..]).unwrap_or(&[]),
        if inline { m.content_warning.as_deref().unwrap_or("") } else { "" },
        m.edited_at.unwrap_or(0),
        m.removed,
        pending,
        seen_bytes(m.seen.as_ref()),
        body.as_ref().map(crate::bodies::BodyName::as_bytes).unwrap_or(&[]),
        inline,
        erased,
    ])?;
    Ok(())
}

/// Takes in a body: the words of every message of the group that names it and lacks them. Returns those messages
/// (none: no message here names it, or they already hold it, and nothing is kept).
pub(crate) fn fill_body(
    conn: &Connection,
    group_ref: GroupRef,
    hash: &crate::bodies::BodyHash,
    body: &crate::bodies::Body,
) -> Result<Vec<MessageId>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_FILL_BODY))?;
    // Named by its whole hash (an edit) or by the first 16 bytes (a post's id).
    let rows = stmt.query_map(
        params![
            group_ref,
            &hash[..],
            body.text,
            body.content_warning.as_deref().unwrap_or(""),
            &body.salt[..],
            &hash[..16]
        ],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The names (`crate::bodies::BodyName`: 16 or 32 bytes) of the bodies this phone lacks for messages it shows (or
/// keeps for their author and moderators), at most `limit`, in order (a digest covers them).
pub(crate) fn wanted_bodies(conn: &Connection, group_ref: GroupRef, limit: usize) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_WANTED_BODIES))?;
    let rows = stmt.query_map(params![group_ref, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The bodies this phone holds whose hash starts with `tag`, encoded as they travel.
pub(crate) fn bodies_tagged(conn: &Connection, group_ref: GroupRef, tag: &[u8; 8]) -> Result<Vec<Vec<u8>>> {
    let mut high = tag.to_vec();
    high.extend_from_slice(&[0xff; 24]);
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_BODIES_TAGGED))?;
    held_bodies(stmt.query(params![group_ref, &tag[..], high])?)
}

/// The bodies of rows `(body, salt, text, content_warning)`, encoded as they travel: only those that re-encode to
/// the very bytes the history names are passed on.
pub(super) fn held_bodies(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let (name, salt, text, cw): (Vec<u8>, Vec<u8>, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let Ok(salt) = <[u8; crate::bodies::SALT_LEN]>::try_from(salt) else { continue };
        let bytes = crate::bodies::Body { salt, text, content_warning: (!cw.is_empty()).then_some(cw) }.encode()?;
        if crate::bodies::names(&name, &crate::bodies::hash_of(&bytes)) {
            out.push(bytes);
        }
    }
    Ok(out)
}

/// `author`'s messages in the group that are not erased, by segment (what leaving with erasure erases).
pub(crate) fn own_live_messages(
    conn: &Connection,
    group_ref: GroupRef,
    author: &MemberId,
) -> Result<Vec<(u32, Vec<MessageId>)>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_OWN_LIVE_MESSAGES))?;
    let rows = stmt.query_map(params![group_ref, author], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, MessageId>(1)?)))?;
    let mut out: Vec<(u32, Vec<MessageId>)> = Vec::new();
    for row in rows {
        let (segment, id) = row?;
        match out.last_mut() {
            Some((s, ids)) if *s == segment => ids.push(id),
            _ => out.push((segment, vec![id])),
        }
    }
    Ok(out)
}

/// The segments (author, number) of which this phone lacks at least `least` bodies it would show.
pub(crate) fn segments_lacking_bodies(
    conn: &Connection,
    group_ref: GroupRef,
    least: u32,
) -> Result<Vec<(MemberId, u32)>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_SEGMENTS_LACKING_BODIES))?;
    let rows = stmt.query_map(params![group_ref, least], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The bodies this phone holds of one of `author`'s segments, encoded as they travel, in one order every time (a
/// blob of them offered again resumes where it stopped).
pub(crate) fn segment_bodies(
    conn: &Connection,
    group_ref: GroupRef,
    author: &MemberId,
    segment: u32,
) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_SEGMENT_BODIES))?;
    held_bodies(stmt.query(params![group_ref, author, segment])?)
}

/// Every body this phone holds for the group, encoded as they travel (what a bundle carries beside the documents).
pub(crate) fn all_bodies(conn: &Connection, group_ref: GroupRef) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_ALL_BODIES))?;
    held_bodies(stmt.query([group_ref])?)
}

fn seen_bytes(seen: Option<&MessageId>) -> &[u8] {
    seen.map(|s| &s.as_bytes()[..]).unwrap_or(&[])
}

/// The message by someone other than `me` that reached this phone last: what a new post says its author had seen.
pub(crate) fn latest_by_others(conn: &Connection, group_ref: GroupRef, me: &MemberId) -> Result<Option<MessageId>> {
    Ok(conn
        .prepare_cached(sql(q::MESSAGES_LATEST_BY_OTHERS))?
        .query_row(params![group_ref, me], |r| r.get(0))
        .optional()?)
}

/// The `seen` value of a post a rate limit does not count (it names no message and is not "none": one byte).
const UNCOUNTED: &[u8] = &[0];

/// Marks a post as one the group's rate limit does not count (by a moderator, from before the setting, or without
/// effect anyway): it leaves its author's count of posts naming what it named.
pub(crate) fn set_uncounted(conn: &Connection, group_ref: GroupRef, id: &MessageId) -> Result<()> {
    conn.prepare_cached(sql(q::MESSAGES_SET_UNCOUNTED))?.execute(params![group_ref, id, UNCOUNTED])?;
    Ok(())
}

/// Whether this phone holds `id` as a message (listed or not).
pub(crate) fn is_held(conn: &Connection, group_ref: GroupRef, id: &MessageId) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql(q::MESSAGES_IS_HELD))?
        .query_row(params![group_ref, id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether this phone holds `id` as a message by someone other than `author` (listed or not).
pub(crate) fn is_by_other(conn: &Connection, group_ref: GroupRef, id: &MessageId, author: &MemberId) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql(q::MESSAGES_IS_BY_OTHER))?
        .query_row(params![group_ref, id, author], |_| Ok(()))
        .optional()?
        .is_some())
}

/// How many of `author`'s counted posts rest on `seen` (name it as the newest message by others they had seen).
pub(crate) fn count_resting(
    conn: &Connection,
    group_ref: GroupRef,
    author: &MemberId,
    seen: Option<&MessageId>,
) -> Result<u64> {
    let count: i64 = conn
        .prepare_cached(sql(q::MESSAGES_COUNT_RESTING))?
        .query_row(params![group_ref, seen_bytes(seen), author], |r| r.get(0))?;
    Ok(count.unsigned_abs())
}

/// `author`'s listed counted posts resting on `seen` past the first `allowed` in id order (an order every phone
/// shares, whatever order the posts arrived in): over a rate limit of `allowed`.
pub(crate) fn listed_resting_past(
    conn: &Connection,
    group_ref: GroupRef,
    author: &MemberId,
    seen: Option<&MessageId>,
    allowed: u32,
) -> Result<Vec<MessageId>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_LISTED_RESTING_PAST))?;
    let rows = stmt.query_map(params![group_ref, seen_bytes(seen), author, allowed], |r| {
        Ok((r.get::<_, MessageId>(0)?, r.get::<_, bool>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, hidden) = row?;
        if !hidden {
            out.push(id);
        }
    }
    Ok(out)
}

/// The unlisted posts by others than `id`'s author that rest on `id` (said they had seen it), with their authors and
/// segments: judged again once `id` is held.
pub(crate) fn hidden_resting_on(
    conn: &Connection,
    group_ref: GroupRef,
    id: &MessageId,
    author: &MemberId,
) -> Result<Vec<(MemberId, u32, MessageId)>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_HIDDEN_RESTING_ON))?;
    let rows =
        stmt.query_map(params![group_ref, seen_bytes(Some(id)), author], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records `member`'s reaction to a message, unless a newer one of theirs is already recorded (a member's reactions
/// can sit in several of their segments; the newest counts).
pub(crate) fn upsert_reaction(
    conn: &Connection,
    group_ref: GroupRef,
    member: &MemberId,
    r: &StoredReaction,
) -> Result<()> {
    conn.prepare_cached(sql(q::MESSAGES_UPSERT_REACTION))?.execute(params![
        group_ref,
        r.target,
        member,
        r.emoji.as_deref().unwrap_or(""),
        r.at
    ])?;
    Ok(())
}

/// Who reads: this profile, whether it moderates the group (moderators see hidden messages and why), and its
/// personal controls (what it folds).
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    pub me: &'a MemberId,
    pub moderates: bool,
    pub muted_words: Vec<String>,
    pub fold_warnings: bool,
}

impl<'a> Reader<'a> {
    /// `me`, as a moderator of the group or not (by the read model's roles), with its personal controls.
    pub(crate) fn of(conn: &Connection, group_ref: GroupRef, me: &'a MemberId) -> Result<Self> {
        Ok(Reader {
            me,
            moderates: super::groups::moderates(conn, group_ref, me)?,
            muted_words: super::personal::muted_words(conn)?,
            fold_warnings: super::personal::fold_warnings(conn)?,
        })
    }

    /// Why this reader sees a message folded, if it does.
    fn fold(&self, m: &Message, author_muted: bool) -> Option<Fold> {
        if author_muted {
            Some(Fold::MutedMember)
        } else if m.content_warning.is_some() && self.fold_warnings {
            Some(Fold::ContentWarning)
        } else if super::personal::holds_any(&m.text, &self.muted_words) {
            Some(Fold::MutedWord)
        } else {
            None
        }
    }
}

/// A message row, its author shown as [`names::shown`] says given the group's `shared` names; a hidden one's text,
/// content warning and reason only for its author and the group's moderators.
fn message_from_row(row: &Row<'_>, reader: &Reader<'_>, shared: &HashSet<String>) -> rusqlite::Result<Message> {
    let me = reader.me;
    let author: MemberId = row.get(1)?;
    let name: String = row.get(2)?;
    let reply_to: Vec<u8> = row.get(5)?;
    let cw: String = row.get(6)?;
    let edited_at: i64 = row.get(7)?;
    let group_id: GroupId = row.get(9)?;
    let sees_hidden = &author == me || reader.moderates;
    let moderation = match row.get::<_, Option<MemberId>>(10)? {
        Some(by) => Some(ModerationNote { by, at: row.get(11)?, why: sees_hidden.then(|| row.get(12)).transpose()? }),
        None => None,
    };
    let shown = moderation.is_none() || sees_hidden;
    let mut message = Message {
        id: row.get(0)?,
        group_id,
        author_name: names::shown(&name, &author, shared),
        is_mine: &author == me,
        author,
        created_at: row.get(3)?,
        text: if shown { row.get(4)? } else { String::new() },
        reply_to: <[u8; 16]>::try_from(reply_to).ok().map(MessageId::from_bytes),
        content_warning: (shown && !cw.is_empty()).then_some(cw),
        edited_at: (edited_at != 0).then_some(edited_at),
        removed: row.get::<_, bool>(8)? || row.get::<_, bool>(16)?,
        erased_by_moderator: row.get(16)?,
        text_pending: row.get(15)?,
        reactions: Vec::new(),
        moderation,
        fold: None,
        awaiting_approval: row.get(14)?,
    };
    if !message.removed {
        message.fold = reader.fold(&message, row.get(13)?);
    }
    Ok(message)
}

/// Fills in a message's reactions: those of current members, none for a removed message (it shows nothing of
/// itself).
fn attach_reactions(conn: &Connection, group_ref: GroupRef, me: &MemberId, message: &mut Message) -> Result<()> {
    if message.removed {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_ATTACH_REACTIONS))?;
    let rows = stmt.query_map(params![group_ref, message.id, me], |r| {
        Ok(ReactionCount { emoji: r.get(0)?, count: r.get(1)?, mine: r.get(2)? })
    })?;
    message.reactions = rows.collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// Up to `limit` messages older than `before` (or the newest, without it), oldest first.
pub(crate) fn page(
    conn: &Connection,
    group_ref: GroupRef,
    me: &MemberId,
    limit: u32,
    before: Option<MessageCursor>,
) -> Result<Vec<Message>> {
    let reader = Reader::of(conn, group_ref, me)?;
    let (at, id): (i64, &[u8]) = match &before {
        Some(c) => (c.created_at, &c.id.as_bytes()[..]),
        // Past every real message: a time far in the future and the largest possible id.
        None => (i64::MAX, &[0xff; 17][..]),
    };
    let shared = super::groups::shared_names(conn, group_ref)?;
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_PAGE))?;
    let mut messages = stmt
        .query_map(params![group_ref, at, id, limit, me, reader.moderates], |r| message_from_row(r, &reader, &shared))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    messages.reverse();
    for message in &mut messages {
        attach_reactions(conn, group_ref, me, message)?;
    }
    Ok(messages)
}

/// One message, if the group has it.
pub(crate) fn get(conn: &Connection, group_ref: GroupRef, me: &MemberId, id: &MessageId) -> Result<Option<Message>> {
    let shared = super::groups::shared_names(conn, group_ref)?;
    let reader = Reader::of(conn, group_ref, me)?;
    let message = conn
        .prepare_cached(sql(q::MESSAGES_GET))?
        .query_row(params![group_ref, id, me, reader.moderates], |r| message_from_row(r, &reader, &shared))
        .optional()?;
    match message {
        Some(mut message) => {
            attach_reactions(conn, group_ref, me, &mut message)?;
            Ok(Some(message))
        }
        None => Ok(None),
    }
}

/// The author and segment of a message, if the group has it.
pub(crate) fn author_and_segment(
    conn: &Connection,
    group_ref: GroupRef,
    id: &MessageId,
) -> Result<Option<(MemberId, u32, bool)>> {
    Ok(conn
        .prepare_cached(sql(q::MESSAGES_AUTHOR_AND_SEGMENT))?
        .query_row(params![group_ref, id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The author of a message waiting for a moderator's approval, if it is one.
pub(crate) fn pending_author(conn: &Connection, group_ref: GroupRef, id: &MessageId) -> Result<Option<MemberId>> {
    Ok(conn
        .prepare_cached(sql(q::MESSAGES_PENDING_AUTHOR))?
        .query_row(params![group_ref, id], |r| r.get(0))
        .optional()?)
}

/// Hides a message from every listing: a post without effect (a removed member's from after their removal, one the
/// group's rules refuse). The row stays (rows are never deleted, so arrival order never reuses a number).
pub(crate) fn hide(conn: &Connection, group_ref: GroupRef, segment: u32, m: &StoredMessage) -> Result<()> {
    upsert(conn, group_ref, segment, m, false, false)?;
    hide_id(conn, group_ref, &m.id)
}

/// Hides a message by id (one a removed member's cut-off view no longer holds), if it is listed.
/// (Its words stay, unshown, while its document names them: a message without effect now can count again, say when
/// the entry that refused it turns out to have none, and its words live nowhere but in the phones that hold them.)
pub(crate) fn hide_id(conn: &Connection, group_ref: GroupRef, id: &MessageId) -> Result<()> {
    conn.prepare_cached(sql(q::MESSAGES_HIDE_ID))?.execute(params![group_ref, id])?;
    Ok(())
}

/// Takes back `member`'s recorded reaction to a message (one written after their removal).
pub(crate) fn delete_reaction(
    conn: &Connection,
    group_ref: GroupRef,
    member: &MemberId,
    target: &MessageId,
) -> Result<()> {
    conn.prepare_cached(sql(q::MESSAGES_DELETE_REACTION))?.execute(params![group_ref, target, member])?;
    Ok(())
}

/// The newest `created_at` in a group (uses the timeline index).
pub(crate) fn latest_time(conn: &Connection, group_ref: GroupRef) -> Result<Option<i64>> {
    Ok(conn.prepare_cached(sql(q::MESSAGES_LATEST_TIME))?.query_row([group_ref], |r| r.get(0))?)
}

/// The ids of the group's messages whose hex form starts with `prefix` (at most `limit`).
pub(crate) fn ids_with_prefix(
    conn: &Connection,
    group_ref: GroupRef,
    prefix: &str,
    limit: u32,
) -> Result<Vec<MessageId>> {
    let mut stmt = conn.prepare_cached(sql(q::MESSAGES_IDS_WITH_PREFIX))?;
    let ids = stmt
        .query_map(params![group_ref, prefix.to_ascii_lowercase(), limit], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
