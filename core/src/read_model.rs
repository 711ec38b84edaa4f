//! Keeps the SQLite read model equal to what the documents say.
//!
//! Every change, local or from a peer, ends here: the touched part of the document is read back and written over
//! its read-model rows in the same transaction. Screens then list from indexed tables and never load a document.
//! Deriving rows from the document (rather than from what the caller meant to write) keeps one source of truth.

use automerge::ReadDoc;

use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId, MessageId};
use crate::kindred::WriteCtx;
use crate::model::Update;
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
    // A removed member's goals leave the group with them (whatever they wrote concurrently with the removal).
    let removed: Vec<MemberId> = stored.members.iter().filter(|m| m.removal.is_some()).map(|m| m.member).collect();
    let goals: Vec<_> = goals.into_iter().filter(|g| !removed.contains(&g.owner)).collect();
    storage::goals::replace_for_doc(ctx.tx, &doc_id, Some(group), &goals)?;
    ctx.updates.push(Update::Group { group_id: *group });
    ctx.updates.push(Update::Goals { group_id: Some(*group) });
    let newly_removed: Vec<MemberId> = stored
        .members
        .iter()
        .filter(|m| m.removal.is_some() && !previous.contains(&m.member))
        .map(|m| m.member)
        .collect();
    for (_, place) in storage::documents::group_documents(ctx.tx, group)? {
        if let Some(author) = place.author.filter(|a| newly_removed.contains(a)) {
            refresh_whole_segment(ctx, group_ref, group, &author, place.segment)?;
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

/// Re-reads the given messages and reactions of one member's segment. A removed member's messages stay only if
/// written before the removal (the cutoff); an equivocating member's messages from the forked position on are
/// hidden on every phone, whichever fork it holds.
pub(crate) fn refresh_segment(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    author: &MemberId,
    segment: u32,
    touched: &schema::segment::Touched,
) -> Result<()> {
    let cutoff = removal_cutoff(ctx, group, author)?;
    let doc_id = group.segment_doc_id(author, segment);
    let quarantined = storage::trust::quarantined_positions(ctx.tx, &doc_id)?;
    let doc = load(ctx, &doc_id)?;
    let mut messages = Vec::new();
    for id in &touched.messages {
        if let Some(m) = schema::segment::read(doc, &doc_id, id)? {
            messages.push(m);
        }
    }
    let mut reactions = Vec::new();
    for target in &touched.reactions {
        if let Some(r) = schema::segment::read_reaction(doc, &doc_id, target)? {
            reactions.push(r);
        }
    }
    for m in &messages {
        let origin = m.origin.as_ref();
        let after_removal = cutoff
            .as_ref()
            .is_some_and(|c| !origin.is_some_and(|(actor, seq)| c.allows(&doc_id, actor.to_bytes(), *seq)));
        let forked = origin
            .is_some_and(|(actor, seq)| quarantined.iter().any(|(a, s)| a.as_slice() == actor.to_bytes() && seq >= s));
        // A message must name the segment's author; anything else cannot have passed ingest, but never list it.
        if after_removal || forked || m.author != *author {
            storage::messages::hide(ctx.tx, group_ref, segment, m)?;
        } else {
            storage::messages::upsert(ctx.tx, group_ref, segment, m)?;
        }
    }
    for r in &reactions {
        storage::messages::upsert_reaction(ctx.tx, group_ref, author, r)?;
    }
    let mut ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    ids.extend(reactions.iter().map(|r| r.target));
    if !ids.is_empty() {
        ctx.updates.push(Update::Messages { group_id: *group, message_ids: ids });
    }
    if *author == ctx.me() {
        storage::groups::note_segment(ctx.tx, group_ref, segment)?;
    }
    Ok(())
}

/// Re-reads every message and reaction in one member's segment (after a removal or an equivocation changed what
/// may be shown).
pub(crate) fn refresh_whole_segment(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    author: &MemberId,
    segment: u32,
) -> Result<()> {
    let doc_id = group.segment_doc_id(author, segment);
    let touched = schema::segment::everything(load(ctx, &doc_id)?);
    refresh_segment(ctx, group_ref, group, author, segment, &touched)
}

/// The cutoff recorded if `member` was removed from the group (read from its cached document: one member entry, not
/// the whole group, since every post passes here).
fn removal_cutoff(
    ctx: &mut WriteCtx<'_, '_>,
    group: &GroupId,
    member: &MemberId,
) -> Result<Option<schema::group::Cutoff>> {
    let doc_id = group.doc_id();
    let doc = load(ctx, &doc_id)?;
    Ok(schema::group::read_member(doc, &doc_id, member)?.and_then(|m| m.removal).map(|r| r.cutoff))
}

/// Number of entries (messages and reactions) in one of this profile's segments, or 0 if it does not exist yet.
pub(crate) fn segment_len(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, segment: u32) -> Result<usize> {
    let doc_id = group.segment_doc_id(&ctx.me(), segment);
    Ok(ctx.cache.get(ctx.tx, &doc_id, ctx.identity.actor())?.map(|doc| doc.length(automerge::ROOT)).unwrap_or(0))
}
