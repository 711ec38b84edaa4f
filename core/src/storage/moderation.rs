//! SQL for the moderation read model: a group's log of moderator actions with effect, and the messages hidden now.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use super::groups::GroupRef;
use crate::error::Result;
use crate::ids::{MemberId, MessageId};
use crate::model::{ModerationEntry, ModerationKind};
use crate::schema::moderation::StoredModeration;

/// A message hidden now: by whom, when and why (the last hide or restore of it decides).
type Hidden = (MemberId, MemberId, i64, String);

/// Replaces a group's moderation log and hidden messages with what its rules make them (`actions` in the replay's
/// order). Returns the messages whose hidden state changed, for the updates. Rewrites nothing when nothing changed
/// (every group refresh comes here).
pub(crate) fn replace(conn: &Connection, group_ref: GroupRef, actions: &[StoredModeration]) -> Result<Vec<MessageId>> {
    let held: i64 = conn
        .prepare_cached("SELECT count(*) FROM moderation_actions WHERE group_ref = ?1")?
        .query_row([group_ref], |r| r.get(0))?;
    if usize::try_from(held).ok() == Some(actions.len()) && same_log(conn, group_ref, actions)? {
        return Ok(Vec::new());
    }
    let mut now: BTreeMap<MessageId, Hidden> = BTreeMap::new();
    for a in actions {
        match (a.kind, a.message) {
            (ModerationKind::Hide, Some(message)) => {
                now.insert(message, (a.member, a.by, a.at, a.why.clone()));
            }
            (ModerationKind::Restore, Some(message)) => {
                now.remove(&message);
            }
            _ => {}
        }
    }
    let before = hidden(conn, group_ref)?;
    conn.prepare_cached("DELETE FROM moderation_actions WHERE group_ref = ?1")?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO moderation_actions (group_ref, action_id, seq, kind, by_member, at, message_id, member, why)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (seq, a) in actions.iter().enumerate() {
        insert.execute(params![
            group_ref,
            a.id,
            seq as i64,
            a.kind.as_str(),
            a.by,
            a.at,
            a.message.map(|m| m.as_bytes().to_vec()).unwrap_or_default(),
            a.member,
            a.why
        ])?;
    }
    conn.prepare_cached("DELETE FROM moderated_messages WHERE group_ref = ?1")?.execute([group_ref])?;
    let mut hide = conn.prepare_cached(
        "INSERT INTO moderated_messages (group_ref, message_id, member, by_member, at, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (message, (member, by, at, why)) in &now {
        hide.execute(params![group_ref, message, member, by, at, why])?;
    }
    let mut changed: Vec<MessageId> = before.iter().filter(|(m, h)| now.get(*m) != Some(*h)).map(|(m, _)| *m).collect();
    changed.extend(now.iter().filter(|(m, _)| !before.contains_key(*m)).map(|(m, _)| *m));
    Ok(changed)
}

fn same_log(conn: &Connection, group_ref: GroupRef, actions: &[StoredModeration]) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT action_id FROM moderation_actions WHERE group_ref = ?1 ORDER BY seq")?;
    let ids = stmt.query_map([group_ref], |r| r.get::<_, crate::ids::ModerationId>(0))?;
    let ids = ids.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids.iter().eq(actions.iter().map(|a| &a.id)))
}

fn hidden(conn: &Connection, group_ref: GroupRef) -> Result<BTreeMap<MessageId, Hidden>> {
    let mut stmt = conn
        .prepare_cached("SELECT message_id, member, by_member, at, why FROM moderated_messages WHERE group_ref = ?1")?;
    let rows = stmt.query_map([group_ref], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A group's moderation log, newest first, each entry with its moderator's name in the group.
pub(crate) fn log(conn: &Connection, group_ref: GroupRef, limit: u32) -> Result<Vec<ModerationEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.action_id, a.kind, a.by_member, coalesce(gm.display_name, ''), a.at, a.message_id, a.member, a.why
         FROM moderation_actions a
         LEFT JOIN group_members gm ON gm.group_ref = a.group_ref AND gm.member = a.by_member
         WHERE a.group_ref = ?1 ORDER BY a.seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![group_ref, limit], |r| {
        Ok((r.get(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
    })?;
    rows.map(|row| {
        let (id, kind, by, by_name, at, message_id, member, why): (_, _, _, _, _, Vec<u8>, _, _) = row?;
        let message_id = <[u8; 16]>::try_from(message_id).ok().map(MessageId::from_bytes);
        Ok(ModerationEntry { id, kind: kind.parse()?, by, by_name, at, message_id, member, why })
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
        .prepare_cached(
            "SELECT member, by_member, at, why FROM moderated_messages WHERE group_ref = ?1 AND message_id = ?2",
        )?
        .query_row(params![group_ref, message], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?)
}
