//! Keeps the SQLite read model equal to what the documents say.
//!
//! Every change, local or from a peer, ends here: the touched part of the document is read back and written over
//! its read-model rows in the same transaction. Screens then list from indexed tables and never load a document.
//! Deriving rows from the document (rather than from what the caller meant to write) keeps one source of truth.

use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId, MessageId};
use crate::kindred::WriteCtx;
use crate::model::{ModerationKind, Update};
use crate::posting::Effect;
use crate::schema;
use crate::storage::{self, groups::GroupRef};
use crate::sync::authority;

fn load<'a>(ctx: &'a mut WriteCtx<'_, '_>, doc: &DocId) -> Result<&'a mut automerge::Automerge> {
    ctx.cache.get(ctx.tx, doc, ctx.identity.actor())?.ok_or_else(|| Error::not_found("document", doc))
}

/// Works out what a group is from every change of its document ([`authority::Cache::resolve`]), with the actors'
/// members taken from the certificates this phone holds (`extra` adds those of a batch not stored yet).
pub(crate) fn resolve_group(
    tx: &rusqlite::Connection,
    identity: &crate::identity::LocalIdentity,
    doc: &automerge::Automerge,
    group: &GroupId,
    extra: &std::collections::HashMap<automerge::ActorId, MemberId>,
    cache: &mut authority::Cache,
) -> Result<authority::Resolution> {
    let known = std::cell::RefCell::new(std::collections::HashMap::new());
    let author_of = |actor: &automerge::ActorId| -> Option<MemberId> {
        if actor == identity.actor() {
            return Some(identity.member_id());
        }
        if let Some(m) = extra.get(actor) {
            return Some(*m);
        }
        *known.borrow_mut().entry(actor.clone()).or_insert_with(|| {
            storage::documents::actor_certificate(tx, actor).ok().flatten().map(|(m, _)| MemberId::from_bytes(m))
        })
    };
    cache.resolve(doc, group, &author_of)
}

/// Re-reads a group document: the group row, its members and the goals shared with it, as the group's authority
/// rules make them. Members whose standing changed since the last refresh have their messages re-read too, so what
/// they wrote after a removal disappears from view (and comes back if that removal turns out to be without effect).
pub(crate) fn refresh_group(ctx: &mut WriteCtx<'_, '_>, group: &GroupId) -> Result<GroupRef> {
    let doc_id = group.doc_id();
    let identity = ctx.identity;
    let doc = ctx.cache.get(ctx.tx, &doc_id, identity.actor())?.ok_or_else(|| Error::not_found("document", doc_id))?;
    let resolution = resolve_group(ctx.tx, identity, doc, group, &Default::default(), ctx.resolutions)?;
    let goals_obj = schema::group::goals_obj(doc, &doc_id)?;
    let goals = schema::goals::read_all(doc, &doc_id, &goals_obj)?;
    let mut group_goals = schema::group_goals::read_all(doc, &doc_id, &goals_obj)?;
    let stored = resolution.group;
    let (previous, previous_rules) = match storage::groups::group_ref(ctx.tx, group)? {
        Some(group_ref) => {
            (storage::groups::standings(ctx.tx, group_ref)?, storage::moderation::posting_entries(ctx.tx, group_ref)?)
        }
        None => Default::default(),
    };
    let group_ref = storage::groups::upsert(ctx.tx, group, &stored)?;
    refresh_directories(ctx.tx, group_ref, &stored)?;
    let moderated = storage::moderation::replace(ctx.tx, group_ref, &stored.moderation)?;
    if !moderated.is_empty() {
        ctx.updates.push(Update::Messages { group_id: *group, message_ids: moderated });
    }
    // An admission of this profile that turned out to have no effect (the invitation was used by someone else
    // first): the invitation is pending again, so the next sync says why and a new code can take its place.
    let me = ctx.me();
    if !stored.members.iter().any(|m| m.member == me) {
        storage::joins::reopen_lost(ctx.tx, group, crate::time::now_ms())?;
    }
    // Goals are shown only for active members (whatever a removed member wrote concurrently with the removal, and
    // anything by a key whose admission had no effect, stays out).
    let active: Vec<MemberId> = stored.members.iter().filter(|m| m.removal.is_none()).map(|m| m.member).collect();
    let goals: Vec<_> = goals
        .into_iter()
        .filter(|g| active.contains(&g.owner))
        .map(|mut g| {
            g.cheers.retain(|(member, _)| active.contains(member) && *member != g.owner);
            g
        })
        .collect();
    storage::goals::replace_for_doc(ctx.tx, &doc_id, Some(group), &goals)?;
    // Group goals likewise: a removed member's goals and marks do not count.
    group_goals.retain(|g| active.contains(&g.owner));
    for g in &mut group_goals {
        g.met.retain(|(_, member)| active.contains(member));
    }
    storage::group_goals::replace_for_group(ctx.tx, group_ref, &group_goals)?;
    ctx.updates.push(Update::Group { group_id: *group });
    ctx.updates.push(Update::Goals { group_id: Some(*group) });
    let now = storage::groups::standings(ctx.tx, group_ref)?;
    let mut changed: Vec<MemberId> = previous
        .iter()
        .filter(|(m, standing)| now.get(*m) != Some(*standing))
        .map(|(m, _)| *m)
        .chain(now.iter().filter(|(m, s)| s.removed && !previous.contains_key(*m)).map(|(m, _)| *m))
        .collect();
    // Posts are judged again when what judges them changed: a standing (a role exempts from premoderation), or the
    // entries of the log that decide which posts count (a rules version or setting concerns everyone; a suspension,
    // lift or approval its member).
    let rules_now = storage::moderation::posting_entries(ctx.tx, group_ref)?;
    let mut everyone = false;
    for e in rules_now
        .iter()
        .filter(|e| !previous_rules.contains(e))
        .chain(previous_rules.iter().filter(|e| !rules_now.contains(e)))
    {
        match e.kind {
            ModerationKind::Rules | ModerationKind::Policy => everyone = true,
            _ => changed.push(e.member),
        }
    }
    for (_, place) in storage::documents::group_documents(ctx.tx, group)? {
        if let Some(author) = place.author.filter(|a| everyone || changed.contains(a)) {
            refresh_whole_segment(ctx, group_ref, group, &author, place.segment)?;
        }
    }
    Ok(group_ref)
}

/// Keeps a group's resource directories in effect and trusted publishers equal to what its rules make them. The files
/// are rewritten only when they changed (every goal update refreshes the group too).
fn refresh_directories(tx: &rusqlite::Connection, group_ref: GroupRef, g: &schema::group::StoredGroup) -> Result<()> {
    let mut now: Vec<_> = g.directories.iter().collect();
    crate::sorting::sort_by_bytes_key(&mut now, |d| *d.publisher.as_bytes());
    let hashes: Vec<([u8; 32], [u8; 32])> = now.iter().map(|d| (*d.publisher.as_bytes(), d.content_hash)).collect();
    if storage::resources::group_hashes(tx, group_ref)? != hashes {
        storage::resources::replace_group(tx, group_ref, &now)?;
    }
    let mut trusted: Vec<[u8; 32]> = g.trusted_publishers.iter().map(|p| *p.as_bytes()).collect();
    crate::sorting::sort_by_bytes_key(&mut trusted, |p| *p);
    if storage::resources::trusted_publishers(tx, group_ref)? != trusted {
        storage::resources::replace_trusted(tx, group_ref, &trusted)?;
    }
    Ok(())
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
    let standing = storage::groups::standing(ctx.tx, group_ref, author)?;
    let doc_id = group.segment_doc_id(author, segment);
    let quarantined = storage::trust::quarantined_positions(ctx.tx, &doc_id)?;
    // The group's rules, suspensions and premoderation decide which posts count (`crate::posting`).
    let rules = crate::posting::PostingRules::load(ctx.tx, group_ref)?;
    let exempt_role = standing.as_ref().is_some_and(|s| !s.removed && matches!(s.role.as_str(), "owner" | "moderator"));
    let judged = rules.applies_to(author, exempt_role);
    let doc = load(ctx, &doc_id)?;
    // A removed member's segment is read as it stood at the removal (their changes up to the recorded cutoff), so
    // an edit, removal or reaction written after it is never shown, even on a message posted before it. A key with
    // no effective entry shows nothing at all.
    let at_removal;
    let doc: &automerge::Automerge = match &standing {
        Some(s) if s.removed => {
            at_removal = as_of_cutoff(doc, &doc_id, &s.cutoff)?;
            &at_removal
        }
        Some(_) => doc,
        None => {
            at_removal = automerge::Automerge::new();
            &at_removal
        }
    };
    let mut messages = Vec::new();
    for id in &touched.messages {
        if let Some(m) = schema::segment::read(doc, &doc_id, author, id)? {
            messages.push(m);
        }
    }
    let mut reactions = Vec::new();
    for target in &touched.reactions {
        if let Some(r) = schema::segment::read_reaction(doc, &doc_id, target)? {
            reactions.push(r);
        }
    }
    let acknowledgments = touched.acknowledged.then(|| schema::segment::acknowledgments(doc));
    let effects: Vec<Effect> = messages
        .iter()
        .map(|m| {
            let forked = m.origin.as_ref().is_some_and(|(actor, seq)| {
                quarantined.iter().any(|(a, s)| a.as_slice() == actor.to_bytes() && seq >= s)
            });
            // A message must name the segment's author; anything else cannot have passed ingest, but never list it.
            if forked || m.author != *author {
                return Effect::Refused;
            }
            if !judged {
                return Effect::Shown;
            }
            match (&m.origin, m.origin_hash) {
                (Some((actor, seq)), Some(hash)) => {
                    rules.judge(doc, &doc_id, author, exempt_role, &m.id, actor, *seq, hash)
                }
                _ => Effect::Refused,
            }
        })
        .collect();
    if let Some(entries) = acknowledgments {
        storage::moderation::add_acknowledgments(ctx.tx, group_ref, author, &entries)?;
    }
    // What the cut-off view no longer holds is hidden (a message) or taken back (a reaction).
    for id in &touched.messages {
        if !messages.iter().any(|m| &m.id == id) {
            storage::messages::hide_id(ctx.tx, group_ref, id)?;
        }
    }
    for target in &touched.reactions {
        if !reactions.iter().any(|r| &r.target == target) {
            storage::messages::delete_reaction(ctx.tx, group_ref, author, target)?;
        }
    }
    // Under a rate limit, which of the messages are new here (others' posts may have named them before they came).
    let limited = rules.rate_limit().is_some();
    let mut fresh = Vec::new();
    if limited {
        for m in &messages {
            fresh.push(!storage::messages::is_held(ctx.tx, group_ref, &m.id)?);
        }
    }
    for (m, effect) in messages.iter().zip(&effects) {
        // A moderator's erasure (`crate::bodies`) holds whenever the message arrives.
        let erased = rules.erases(&m.id, &m.author);
        match effect {
            Effect::Refused => storage::messages::hide(ctx.tx, group_ref, segment, m)?,
            Effect::Shown => storage::messages::upsert(ctx.tx, group_ref, segment, m, false, erased)?,
            Effect::Pending => storage::messages::upsert(ctx.tx, group_ref, segment, m, true, erased)?,
        }
        // An erasure, or an edit (its earlier words are dropped): the log is emptied after this write.
        ctx.erased |= m.removed || erased || m.edited_at.is_some();
    }
    if limited {
        judge_rate(ctx, group_ref, group, author, segment, &rules, exempt_role, &messages, &effects, &fresh)?;
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

/// Applies the group's causal rate limit (`crate::posting`) to messages just written to the read model (the count
/// includes them): of an author's counted posts naming one message, those past the limit in id order go, so a post
/// arriving late can outrank one already listed. Posts by others that named one of these messages before it was held
/// here (`fresh`) are judged again, once: each message is new here once.
#[allow(clippy::too_many_arguments)]
fn judge_rate(
    ctx: &mut WriteCtx<'_, '_>,
    group_ref: GroupRef,
    group: &GroupId,
    author: &MemberId,
    segment: u32,
    rules: &crate::posting::PostingRules,
    exempt_role: bool,
    messages: &[schema::segment::StoredMessage],
    effects: &[Effect],
    fresh: &[bool],
) -> Result<()> {
    let doc_id = group.segment_doc_id(author, segment);
    // What the limit does not count (a moderator's post, one from before the setting, one without effect anyway)
    // leaves the count first, so that the rest are ranked among counted posts only.
    let mut counted = Vec::with_capacity(messages.len());
    for (m, effect) in messages.iter().zip(effects) {
        let allowed = match &m.origin {
            Some((actor, seq)) if *effect != Effect::Refused => rules.rate_for(&doc_id, exempt_role, actor, *seq),
            _ => None,
        };
        if allowed.is_none() {
            storage::messages::set_uncounted(ctx.tx, group_ref, &m.id)?;
        }
        counted.push(allowed);
    }
    let mut waiting: Vec<(MemberId, u32, MessageId)> = Vec::new();
    for (i, (m, allowed)) in messages.iter().zip(counted).enumerate() {
        if let Some(allowed) = allowed {
            if crate::posting::names_held_message(ctx.tx, group_ref, author, m)? {
                // Counted posts past the limit in id order are over it, whichever came first (this one or others).
                let seen = m.seen.as_ref();
                for id in storage::messages::listed_resting_past(ctx.tx, group_ref, author, seen, allowed)? {
                    storage::messages::hide_id(ctx.tx, group_ref, &id)?;
                }
            } else {
                storage::messages::hide_id(ctx.tx, group_ref, &m.id)?;
            }
        }
        if fresh.get(i) == Some(&true) {
            waiting.extend(storage::messages::hidden_resting_on(ctx.tx, group_ref, &m.id, author)?);
        }
    }
    for (who, seg, id) in waiting {
        let touched = schema::segment::Touched { messages: schema::segment::ids([id]), ..Default::default() };
        refresh_segment(ctx, group_ref, group, &who, seg, &touched)?;
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

/// The document as it stood at a removal: only the changes the cutoff covers (each actor's first `seq` changes).
fn as_of_cutoff(
    doc: &automerge::Automerge,
    doc_id: &DocId,
    cutoff: &schema::group::Cutoff,
) -> Result<automerge::Automerge> {
    let covered: Vec<automerge::ChangeHash> = doc
        .get_changes(&[])
        .into_iter()
        .filter(|c| cutoff.allows(doc_id, c.actor_id().to_bytes(), c.seq()))
        .map(|c| c.hash())
        .collect();
    if covered.is_empty() {
        return Ok(automerge::Automerge::new());
    }
    crate::am::guarded(doc_id, "reading a removed member's messages", || {
        doc.fork_at(&covered).map_err(|e| Error::document(doc_id, e))
    })
}

/// Number of entries (messages and reactions) in one of this profile's segments, or 0 if it does not exist yet.
pub(crate) fn segment_len(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, segment: u32) -> Result<usize> {
    let doc_id = group.segment_doc_id(&ctx.me(), segment);
    Ok(ctx.cache.root_len(ctx.tx, &doc_id, ctx.identity.actor())?.unwrap_or(0))
}
