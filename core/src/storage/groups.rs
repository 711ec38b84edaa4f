//! SQL for the group read model: groups, their members, read markers and unread counts.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId};
use crate::model::{GroupDetails, GroupSummary, Member, Role};
use crate::names;
use crate::schema::group::{Cutoff, StoredGroup};

/// A group's local row number, used as a compact foreign key by the other read-model tables.
pub(crate) type GroupRef = i64;

/// Inserts or refreshes a group and its members from its document; returns its local row number.
pub(crate) fn upsert(conn: &Connection, id: &GroupId, g: &StoredGroup) -> Result<GroupRef> {
    let group_ref: GroupRef = conn
        .prepare_cached(sql(q::GROUPS_UPSERT_INSERT_GROUPS))?
        .query_row(params![id, g.name, g.description, g.guidelines, g.created_by, g.created_at], |r| r.get(0))?;
    conn.prepare_cached(sql(q::GROUPS_UPSERT_DELETE_GROUP_MEMBERS))?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(sql(q::GROUPS_UPSERT_INSERT_GROUP_MEMBERS))?;
    for m in &g.members {
        let removed_at = m.removal.as_ref().map_or(0, |r| r.at);
        let cutoff = match &m.removal {
            Some(r) => {
                postcard::to_stdvec(&r.cutoff).map_err(|e| Error::internal(format!("encoding a cutoff: {e}")))?
            }
            None => Vec::new(),
        };
        insert.execute(params![
            group_ref,
            m.member,
            m.name,
            m.role.as_str(),
            m.added_at,
            m.added_by,
            removed_at,
            m.removal.is_some(),
            cutoff
        ])?;
    }
    Ok(group_ref)
}

/// A member's standing in the read model: their role, removed or not, and if removed, what of theirs came before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Standing {
    pub role: String,
    pub removed: bool,
    pub cutoff: Cutoff,
}

/// The standing of `member` in a group, or `None` if they hold no entry there (never admitted, or an admission
/// without effect).
pub(crate) fn standing(conn: &Connection, group_ref: GroupRef, member: &MemberId) -> Result<Option<Standing>> {
    let row: Option<(String, bool, Vec<u8>)> = conn
        .prepare_cached(sql(q::GROUPS_STANDING))?
        .query_row(params![group_ref, member], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(role, removed, cutoff)| Ok(Standing { role, removed, cutoff: decode_cutoff(removed, &cutoff)? }))
        .transpose()
}

/// Every entry's standing in a group.
pub(crate) fn standings(conn: &Connection, group_ref: GroupRef) -> Result<HashMap<MemberId, Standing>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_STANDINGS))?;
    let rows = stmt.query_map([group_ref], |r| {
        Ok((r.get::<_, MemberId>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, Vec<u8>>(3)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (member, role, removed, cutoff) = row?;
        out.insert(member, Standing { role, removed, cutoff: decode_cutoff(removed, &cutoff)? });
    }
    Ok(out)
}

fn decode_cutoff(removed: bool, bytes: &[u8]) -> Result<Cutoff> {
    if !removed || bytes.is_empty() {
        return Ok(Cutoff::default());
    }
    postcard::from_bytes(bytes).map_err(|e| Error::internal(format!("a stored cutoff is unreadable: {e}")))
}

/// Every group this profile holds, with its local row number.
pub(crate) fn all_groups(conn: &Connection) -> Result<Vec<(GroupId, GroupRef)>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_ALL_GROUPS))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every active member of every group this profile holds (each once).
pub(crate) fn all_members(conn: &Connection) -> Result<Vec<MemberId>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_ALL_MEMBERS))?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether `member` is a current member of any group here.
pub(crate) fn is_member_anywhere(conn: &Connection, member: &MemberId) -> Result<bool> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_IS_MEMBER_ANYWHERE))?;
    Ok(stmt.exists([member])?)
}

/// The local row number of a group, if this profile holds it.
pub(crate) fn group_ref(conn: &Connection, id: &GroupId) -> Result<Option<GroupRef>> {
    Ok(conn.prepare_cached(sql(q::GROUPS_GROUP_REF))?.query_row([id], |r| r.get(0)).optional()?)
}

/// Like [`group_ref`], but a missing group is an error.
pub(crate) fn require(conn: &Connection, id: &GroupId) -> Result<GroupRef> {
    group_ref(conn, id)?.ok_or_else(|| Error::not_found("group", id))
}

/// The ids of the groups with exactly this name or, if there are none, with this name in any letter case.
pub(crate) fn ids_named(conn: &Connection, name: &str) -> Result<Vec<GroupId>> {
    let mut exact = conn.prepare_cached(sql(q::GROUPS_IDS_NAMED_EXACTLY))?;
    let ids: Vec<GroupId> = exact.query_map([name], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if !ids.is_empty() {
        return Ok(ids);
    }
    // Rust's lowercase handles every script; SQLite's lower() only ASCII.
    let wanted = name.to_lowercase();
    let mut all = conn.prepare_cached(sql(q::GROUPS_IDS_NAMED_ANY_CASE))?;
    let rows = all.query_map([], |r| Ok((r.get::<_, GroupId>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, group_name) = row?;
        if group_name.to_lowercase() == wanted {
            out.push(id);
        }
    }
    Ok(out)
}

/// The role `member` holds in a group, or `None` if they are not a member.
pub(crate) fn role_of(conn: &Connection, group_ref: GroupRef, member: &MemberId) -> Result<Option<Role>> {
    let role: Option<String> =
        conn.prepare_cached(sql(q::GROUPS_ROLE_OF))?.query_row(params![group_ref, member], |r| r.get(0)).optional()?;
    role.map(|r| r.parse()).transpose()
}

/// Whether `member` is an owner or a moderator of the group (active).
pub(crate) fn moderates(conn: &Connection, group_ref: GroupRef, member: &MemberId) -> Result<bool> {
    Ok(matches!(role_of(conn, group_ref, member)?, Some(Role::Owner | Role::Moderator)))
}

/// Every group, newest activity first, with unread counts for `me`. Activity is the newest message a screen shows:
/// a hidden one (a removed member's writing after their removal, an equivocator's) never moves a group up the list.
/// The newest is found by walking the timeline index backwards to the first shown message.
pub(crate) fn list(conn: &Connection, me: &MemberId) -> Result<Vec<GroupSummary>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_LIST))?;
    let rows = stmt.query_map([me], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<String>>(4)?, r.get::<_, i64>(5)?, r.get(6)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, description, member_count, role, unread_count, last_message_at) = row?;
        out.push(GroupSummary {
            id,
            name,
            description,
            member_count,
            my_role: role.map(|r| r.parse()).transpose()?,
            unread_count: unread_count.unsigned_abs(),
            last_message_at,
        });
    }
    Ok(out)
}

/// A group's fields and members.
pub(crate) fn details(conn: &Connection, group_ref: GroupRef) -> Result<GroupDetails> {
    let (id, name, description, guidelines, created_at, created_by) =
        conn.query_row(sql(q::GROUPS_DETAILS_SELECT_GROUPS), [group_ref], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_DETAILS_SELECT_GROUP_MEMBERS))?;
    let rows = stmt.query_map([group_ref], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?)))?;
    let shared = shared_names(conn, group_ref)?;
    let mut members = Vec::new();
    for row in rows {
        let (member_id, name, role, added_at): (MemberId, String, String, i64) = row?;
        let display_name = names::shown(&name, &member_id, &shared);
        members.push(Member { member_id, display_name, role: role.parse()?, added_at });
    }
    let trusted_publishers =
        super::resources::trusted_publishers(conn, group_ref)?.into_iter().map(MemberId::from_bytes).collect();
    Ok(GroupDetails { id, name, description, guidelines, created_at, created_by, members, trusted_publishers })
}

/// The names more than one member of the group goes by (removed members included: their earlier messages still
/// show), as [`names::name_key`]s.
pub(crate) fn shared_names(conn: &Connection, group_ref: GroupRef) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUPS_SHARED_NAMES))?;
    let names = stmt.query_map([group_ref], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names::shared(names.iter().map(String::as_str)))
}

/// The newest segment this profile has seen in a group.
pub(crate) fn current_segment(conn: &Connection, group_ref: GroupRef) -> Result<u32> {
    Ok(conn.prepare_cached(sql(q::GROUPS_CURRENT_SEGMENT))?.query_row([group_ref], |r| r.get(0))?)
}

/// Raises the newest known segment to `segment` (never lowers it).
pub(crate) fn note_segment(conn: &Connection, group_ref: GroupRef, segment: u32) -> Result<()> {
    // Only when it moves: an unchanged row costs no page write.
    conn.prepare_cached(sql(q::GROUPS_NOTE_SEGMENT))?.execute(params![group_ref, segment])?;
    Ok(())
}

/// Marks every message that has arrived so far as read.
pub(crate) fn mark_read(conn: &Connection, group_ref: GroupRef) -> Result<()> {
    conn.prepare_cached(sql(q::GROUPS_MARK_READ))?.execute([group_ref])?;
    Ok(())
}

/// Messages by others that arrived after the read marker and are not removed.
pub(crate) fn unread_count(conn: &Connection, group_ref: GroupRef, me: &MemberId) -> Result<u64> {
    Ok(conn
        .prepare_cached(sql(q::GROUPS_UNREAD_COUNT))?
        .query_row(params![group_ref, me], |r| r.get::<_, i64>(0))?
        .unsigned_abs())
}

/// The role recorded for a removed member.
pub(crate) fn removed_role(conn: &Connection, group_ref: GroupRef, member: &MemberId) -> Result<Option<Role>> {
    let role: Option<String> = conn
        .prepare_cached(sql(q::GROUPS_REMOVED_ROLE))?
        .query_row(params![group_ref, member], |r| r.get(0))
        .optional()?;
    role.map(|r| r.parse()).transpose()
}
