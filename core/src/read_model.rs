//! Keeps the SQLite read model equal to what the documents say.
//!
//! Every change, local or from a peer, ends here: the touched part of the document is read back and written over
//! its read-model rows in the same transaction. Screens then list from indexed tables and never load a document.
//! Deriving rows from the document (rather than from what the caller meant to write) keeps one source of truth.

use automerge::ReadDoc;

use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MessageId};
use crate::model::Update;
use crate::kindred::WriteCtx;
use crate::schema;
use crate::storage::{self, groups::GroupRef};

fn load<'a>(ctx: &'a mut WriteCtx<'_, '_>, doc: &DocId) -> Result<&'a mut automerge::Automerge> {
    ctx.cache.get(ctx.tx, doc, ctx.identity.actor())?.ok_or_else(|| Error::not_found("document", doc))
}

/// Re-reads a group document: the group row, its members and the goals shared with it. Members removed since the
/// last refresh have their messages re-read too, so what they wrote after the removal disappears from view.
pub(crate) fn refresh_group(ctx: &mut WriteCtx<'_, '_>, group: &GroupId) -> Result<GroupRef> {
    let doc_id = group.doc_id();
    let doc = load(ctx, &doc_id)?;
    let stored = schema::group::read(doc, &doc_id)?;
    let goals = schema::goals::read_all(doc, &doc_id, &schema::group::goals_obj(doc, &doc_id)?)?;
    let previous = match storage::groups::group_ref(ctx.tx, group)? {
        Some(group_ref) => storage::groups::removed_members(ctx.tx, group_ref)?,
        None => Vec::new(),
    };
    let group_ref = storage::groups::upsert(ctx.tx, group, &stored)?;
    storage::goals::replace_for_doc(ctx.tx, &doc_id, Some(group), &goals)?;
    ctx.updates.push(Update::Group { group_id: *group });
    ctx.updates.push(Update::Goals { group_id: Some(*group) });
    let newly_removed = stored.members.iter().filter(|m| m.removal.is_some() && !previous.contains(&m.member));
    for member in newly_removed.map(|m| m.member).collect::<Vec<_>>() {
        let mut by_segment: std::collections::BTreeMap<u32, Vec<MessageId>> = std::collections::BTreeMap::new();
        for (id, segment) in storage::messages::by_author(ctx.tx, group_ref, &member)? {
            by_segment.entry(segment).or_default().push(id);
        }
        for (segment, ids) in by_segment {
            refresh_messages(ctx, group_ref, group, segment, ids)?;
        }
    }
    Ok(group_ref)
}

/// Re-reads the personal document's private goals.
pub(crate) fn refresh_personal(ctx: &mut WriteCtx<'_, '_>, personal: &DocId) -> Result<()> {
    let doc = load(ctx, personal)?;
    let goals = schema::goals::read_all(doc, personal, &schema::goals::personal_goals_obj(doc, personal)?)?;
    storage::goals::replace_for_doc(ctx.tx, personal, None, &goals)?;
    ctx.updates.push(Update::Goals { group_id: None });
    Ok(())
}

/// Re-reads the given messages of one segment.
pub(crate) fn refresh_messages(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    segment: u32,
    ids: impl IntoIterator<Item = MessageId>,
) -> Result<()> {
    let removed = removed_members(ctx, group)?;
    let doc_id = group.segment_doc_id(segment);
    let doc = load(ctx, &doc_id)?;
    let mut messages = Vec::new();
    for id in ids {
        if let Some(m) = schema::segment::read(doc, &doc_id, &id)? {
            messages.push(m);
        }
    }
    for m in &mut messages {
        // A removed member's reactions go; their messages stay only if written before the removal (the cutoff).
        m.reactions.retain(|(member, _)| !removed.iter().any(|(r, _)| r == member));
        let cutoff = removed.iter().find(|(r, _)| *r == m.author).map(|(_, c)| c);
        let before_removal = |c: &schema::group::Cutoff| {
            m.origin.as_ref().is_some_and(|(actor, seq)| c.allows(&doc_id, actor.to_bytes(), *seq))
        };
        if cutoff.is_some_and(|c| !before_removal(c)) {
            storage::messages::hide(ctx.tx, group_ref, segment, m)?;
        } else {
            storage::messages::upsert(ctx.tx, group_ref, segment, m)?;
        }
    }
    if !messages.is_empty() {
        ctx.updates.push(Update::Messages { group_id: *group, message_ids: messages.iter().map(|m| m.id).collect() });
    }
    storage::groups::note_segment(ctx.tx, group_ref, segment)
}

/// The group's removed members and their cutoffs (from its document, which stays cached: it is small).
fn removed_members(ctx: &mut WriteCtx<'_, '_>, group: &GroupId) -> Result<Vec<(crate::ids::MemberId, schema::group::Cutoff)>> {
    let doc_id = group.doc_id();
    let doc = load(ctx, &doc_id)?;
    Ok(schema::group::read(doc, &doc_id)?
        .members
        .into_iter()
        .filter_map(|m| m.removal.map(|r| (m.member, r.cutoff)))
        .collect())
}

/// Number of messages a segment holds (by this profile's view), or 0 if it does not exist yet.
pub(crate) fn segment_len(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, segment: u32) -> Result<usize> {
    let doc_id = group.segment_doc_id(segment);
    Ok(ctx.cache.get(ctx.tx, &doc_id, ctx.identity.actor())?.map(|doc| doc.length(automerge::ROOT)).unwrap_or(0))
}
