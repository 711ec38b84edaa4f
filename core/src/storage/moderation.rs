//! SQL for the moderation read model: a group's log of moderator actions with effect, and the messages hidden now.

use rusqlite::{Connection, params};

use super::groups::GroupRef;
use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{MemberId, MessageId};
use crate::model::ModerationEntry;
use crate::schema::moderation::{ModerationDetails, StoredModeration};

/// Replaces a group's moderation log and hidden messages with what its rules make them (`actions` in the replay's
/// order). Returns the messages named by the log when it changed (for the updates; a superset of those whose
/// hidden state changed), none when it did not. Rewrites nothing when nothing changed (every group refresh comes
/// here).
pub(crate) fn replace(conn: &Connection, group_ref: GroupRef, actions: &[StoredModeration]) -> Result<Vec<MessageId>> {
    if same_log(conn, group_ref, actions)? {
        return Ok(Vec::new());
    }
    conn.prepare_cached(sql(q::MODERATION_REPLACE_DELETE_MODERATION_ACTIONS))?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(sql(q::MODERATION_REPLACE_INSERT_MODERATION_ACTIONS))?;
    for (seq, a) in actions.iter().enumerate() {
        let message = a.message.map(|m| m.as_bytes().to_vec()).unwrap_or_default();
        let details = a.details.encode()?;
        let kind = a.kind.as_str();
        insert.execute(params![group_ref, a.id, seq as i64, kind, a.by, a.at, message, a.member, a.why, details])?;
    }
    // Hidden now: each message whose last hide or restore, in the log's order, is a hide.
    conn.prepare_cached(sql(q::MODERATION_REPLACE_DELETE_MODERATED_MESSAGES))?.execute([group_ref])?;
    conn.prepare_cached(sql(q::MODERATION_REPLACE_INSERT_MODERATED_MESSAGES))?.execute([group_ref])?;
    let mut named = conn.prepare_cached(sql(q::MODERATION_REPLACE_SELECT_MODERATION_ACTIONS))?;
    let ids = named.query_map([group_ref], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// The entries that decide which posts count (rules, settings, suspensions, lifts, approvals) and moderators'
/// erasures, in the log's order.
pub(crate) fn posting_entries(conn: &Connection, group_ref: GroupRef) -> Result<Vec<StoredModeration>> {
    let mut stmt = conn.prepare_cached(sql(q::MODERATION_POSTING_ENTRIES))?;
    let rows = stmt.query_map([group_ref], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get::<_, Vec<u8>>(7)?,
        ))
    })?;
    rows.map(|row| {
        let (id, by, at, kind, message, member, why, details) = row?;
        Ok(StoredModeration {
            id,
            by,
            at,
            kind: kind.parse()?,
            message: <[u8; 16]>::try_from(message).ok().map(MessageId::from_bytes),
            member,
            why,
            details: ModerationDetails::decode(&details)?,
        })
    })
    .collect()
}

/// Whether the stored log is `actions`, entry for entry, in order.
fn same_log(conn: &Connection, group_ref: GroupRef, actions: &[StoredModeration]) -> Result<bool> {
    let mut stmt = conn.prepare_cached(sql(q::MODERATION_SAME_LOG))?;
    let ids = stmt.query_map([group_ref], |r| r.get::<_, crate::ids::ModerationId>(0))?;
    let ids = ids.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids.iter().eq(actions.iter().map(|a| &a.id)))
}

/// A group's moderation log, newest first, each entry with its moderator's name in the group.
pub(crate) fn log(conn: &Connection, group_ref: GroupRef, limit: u32) -> Result<Vec<ModerationEntry>> {
    let mut stmt = conn.prepare_cached(sql(q::MODERATION_LOG))?;
    let rows = stmt.query_map(params![group_ref, limit], |r| {
        let entry = (r.get(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        Ok((entry, r.get(7)?, r.get::<_, Vec<u8>>(8)?))
    })?;
    rows.map(|row| {
        let ((id, kind, by, by_name, at, message_id, member), why, details): ((_, _, _, _, _, Vec<u8>, _), _, _) = row?;
        let message_id = <[u8; 16]>::try_from(message_id).ok().map(MessageId::from_bytes);
        let until = ModerationDetails::decode(&details)?.until;
        Ok(ModerationEntry { id, kind: kind.parse()?, by, by_name, at, message_id, member, why, until })
    })
    .collect()
}

/// Why a message is hidden now, if it is: by whom, when and why.
pub(crate) fn hidden_message(
    conn: &Connection,
    group_ref: GroupRef,
    message: &MessageId,
) -> Result<Option<(MemberId, MemberId, i64, String)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(sql(q::MODERATION_HIDDEN_MESSAGE))?
        .query_row(params![group_ref, message], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?)
}

/// Replaces what one member's segments acknowledge (they are read whole when an acknowledgment arrives).
pub(crate) fn add_acknowledgments(
    conn: &Connection,
    group_ref: GroupRef,
    member: &MemberId,
    entries: &[crate::ids::ModerationId],
) -> Result<()> {
    let mut insert = conn.prepare_cached(sql(q::MODERATION_ADD_ACKNOWLEDGMENTS))?;
    for entry in entries {
        insert.execute(params![group_ref, member, entry])?;
    }
    Ok(())
}

/// Whether `member`'s segments acknowledge `entry`.
pub(crate) fn acknowledges(
    conn: &Connection,
    group_ref: GroupRef,
    member: &MemberId,
    entry: &crate::ids::ModerationId,
) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::MODERATION_ACKNOWLEDGES))?.exists(params![group_ref, member, entry])?)
}
