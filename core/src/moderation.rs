//! Moderation without a server: a group's owner and moderators hide and restore messages, and remove and take back
//! members with a reason, by signed entries in the group's moderation log ([`crate::schema::moderation`]), which every
//! phone checks by the group's rules (the door in `sync::authorize`, the replay in `sync::authority`: a moderator,
//! acting as themselves, on someone junior) and applies identically in any delivery order. The log is never rewritten
//! or erased; moderators read it here.
//!
//! A hidden message keeps its place in the timeline: for the group it shows as hidden, without its words; its author
//! and the moderators still see it, with the reason, and its author gets a kind explanation with crisis services for
//! their region ([`Kindred::hidden_message_help`]), not a bare removal.

use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId, MessageId, ModerationId};
use crate::kindred::{Kindred, WriteCtx};
use crate::membership::require_role;
use crate::model::{HiddenMessageHelp, ModerationEntry, ModerationKind, Role};
use crate::read_model;
use crate::schema::moderation::{MAX_MODERATION_REASON_CHARS, StoredModeration};
use crate::storage::{documents, groups as store, messages as message_store, moderation as log_store};
use crate::text;
use crate::time::now_ms;

/// Most log entries [`Kindred::moderation_log`] returns at once.
pub const MAX_LOG_PAGE: u32 = 500;

/// What the author of a hidden message reads first (apps translate it by meaning).
const HIDDEN_EXPLANATION: &str = "A moderator of this group has hidden one of your messages, so others in the group \
     no longer see it; you still do. This is not a judgement of you. If you are going through a hard time, the \
     services below can help, and you can talk to a moderator about it.";

impl Kindred {
    /// Hides a message from the group (owners and moderators; a moderator only a plain member's message, nobody the
    /// owner's or their own), with a reason its author will read. The hide is an entry of the group's moderation log
    /// and reaches every member with the next sync. Fails with `NotPermitted` for anyone else, `NotFound` for a
    /// message this phone does not hold, `InvalidInput` for a blank or overlong reason or a message already hidden.
    pub fn hide_message(&self, group: &GroupId, message: &MessageId, why: &str) -> Result<ModerationEntry> {
        self.moderate(group, message, ModerationKind::Hide, why)
    }

    /// Shows a hidden message again, with a reason (the same rights as [`Kindred::hide_message`]).
    pub fn restore_message(&self, group: &GroupId, message: &MessageId, why: &str) -> Result<ModerationEntry> {
        self.moderate(group, message, ModerationKind::Restore, why)
    }

    fn moderate(
        &self,
        group: &GroupId,
        message: &MessageId,
        kind: ModerationKind,
        why: &str,
    ) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        let id = ModerationId::random();
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "moderate messages")?;
            let (member, _, _) = message_store::author_and_segment(ctx.tx, group_ref, message)?
                .ok_or_else(|| Error::not_found("message", message))?;
            let target_role = store::role_of(ctx.tx, group_ref, &member)?;
            if member == ctx.me() || target_role == Some(Role::Owner) {
                return Err(Error::NotPermitted("nobody moderates their own or the owner's messages".into()));
            }
            if role == Role::Moderator && target_role != Some(Role::Member) {
                return Err(Error::NotPermitted("moderators moderate plain members' messages only".into()));
            }
            let hidden = log_store::hidden_message(ctx.tx, group_ref, message)?.is_some();
            if hidden == (kind == ModerationKind::Hide) {
                let state = if hidden { "already hidden" } else { "not hidden" };
                return Err(Error::invalid("message", format!("is {state}")));
            }
            let entry = StoredModeration { id, by: ctx.me(), at: now_ms(), kind, message: Some(*message), member, why };
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, entry.at, |d| {
                crate::schema::moderation::write_action(d, &doc_id, &entry)
            })?;
            logged(ctx, group, group_ref, &id)
        })
    }

    /// Removes a member (the same rights as [`Kindred::remove_member`]) and records it, with a reason, in the
    /// group's moderation log, in one change.
    pub fn remove_member_for(&self, group: &GroupId, member: &MemberId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        let id = ModerationId::random();
        self.write(|ctx| {
            let removal = crate::membership::removal_of(ctx, group, member)?;
            let (by, at) = (ctx.me(), removal.at);
            let entry =
                StoredModeration { id, by, at, kind: ModerationKind::Remove, message: None, member: *member, why };
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, entry.at, |d| {
                crate::schema::group::write_removal(d, &doc_id, member, &removal)?;
                crate::schema::moderation::write_action(d, &doc_id, &entry)
            })?;
            let group_ref = store::require(ctx.tx, group)?;
            logged(ctx, group, group_ref, &id)
        })
    }

    /// Takes a removed member back as a plain member (owners; moderators only someone removed as a plain member) and
    /// records it, with a reason, in the group's moderation log, in one change.
    pub fn readd_member(&self, group: &GroupId, member: &MemberId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        let id = ModerationId::random();
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "take members back")?;
            if !store::standing(ctx.tx, group_ref, member)?.is_some_and(|s| s.removed) {
                return Err(Error::invalid("member", "is not a removed member of the group"));
            }
            if role == Role::Moderator && store::removed_role(ctx.tx, group_ref, member)? != Some(Role::Member) {
                return Err(Error::NotPermitted("moderators take back plain members only".into()));
            }
            let (by, at) = (ctx.me(), now_ms());
            let entry =
                StoredModeration { id, by, at, kind: ModerationKind::Readd, message: None, member: *member, why };
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, entry.at, |d| {
                crate::schema::group::write_restore(d, &doc_id, member, entry.at, &entry.by)?;
                crate::schema::moderation::write_action(d, &doc_id, &entry)
            })?;
            logged(ctx, group, group_ref, &id)
        })
    }

    /// The group's moderation log, newest first (at most `limit`, up to [`MAX_LOG_PAGE`]): who did what, to which
    /// message, when and why. Owners and moderators only (`NotPermitted` for anyone else).
    pub fn moderation_log(&self, group: &GroupId, limit: u32) -> Result<Vec<ModerationEntry>> {
        if limit == 0 || limit > MAX_LOG_PAGE {
            return Err(Error::invalid("limit", format!("must be between 1 and {MAX_LOG_PAGE}")));
        }
        self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            if !store::moderates(tx, group_ref, me)? {
                return Err(Error::NotPermitted("only owners and moderators read the moderation log".into()));
            }
            log_store::log(tx, group_ref, limit)
        })
    }

    /// For the author of a hidden message: a kind explanation, the moderator's reason and crisis services for the
    /// person's region. `NotFound` unless the message is hidden; `NotPermitted` for anyone but its author and the
    /// group's moderators.
    pub fn hidden_message_help(&self, group: &GroupId, message: &MessageId) -> Result<HiddenMessageHelp> {
        let (why, at) = self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            let (member, _, at, why) = log_store::hidden_message(tx, group_ref, message)?
                .ok_or_else(|| Error::not_found("hidden message", message))?;
            if member != *me && !store::moderates(tx, group_ref, me)? {
                return Err(Error::NotPermitted(
                    "only its author and the moderators read why a message is hidden".into(),
                ));
            }
            Ok((why, at))
        })?;
        let region = self.region()?;
        Ok(HiddenMessageHelp {
            explanation: HIDDEN_EXPLANATION.to_owned(),
            why,
            at,
            resources: self.crisis_resources(region.as_deref(), None)?,
        })
    }
}

/// Re-reads the group after a moderation change and returns its entry `id` from the log.
fn logged(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, group_ref: i64, id: &ModerationId) -> Result<ModerationEntry> {
    read_model::refresh_group(ctx, group)?;
    log_store::log(ctx.tx, group_ref, MAX_LOG_PAGE)?
        .into_iter()
        .find(|e| e.id == *id)
        .ok_or_else(|| Error::Internal("a moderation entry without effect".into()))
}
