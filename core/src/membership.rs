//! Membership: invitations, joining, admitting and removing members.
//!
//! Roles live in the group document and change only through signed changes by someone entitled to make them: the
//! owner appoints moderators; owners and moderators invite and remove members (a moderator cannot remove the owner
//! or another moderator). Joining is offline-friendly: an invitee records a code ([`Kindred::join_group`]); the first
//! sync with any member of the group checks the code and admits them ([`admit`]), after which they receive the group.

use crate::error::{Error, Refusal, Result};
use crate::ids::{GroupId, MemberId};
use crate::invite::{Invitation, InviteCode, MAX_VALIDITY_MS};
use crate::kindred::{Kindred, WriteCtx};
use crate::model::{GroupDetails, PendingJoin, Role};
use crate::read_model;
use crate::schema;
use crate::schema::group::{Cutoff, CutoffEntry, Removal};
use crate::storage::documents;
use crate::storage::groups as store;
use crate::storage::{joins, trust};
use crate::sync::authority::Resolution;
use crate::time::now_ms;

/// How long an invitation stays valid unless told otherwise: 7 days.
pub const DEFAULT_INVITE_VALIDITY_MS: i64 = 7 * 24 * 3600 * 1000;

pub(crate) fn require_role(ctx: &WriteCtx<'_, '_>, group_ref: i64, allowed: &[Role], what: &str) -> Result<Role> {
    match store::role_of(ctx.tx, group_ref, &ctx.me())? {
        Some(role) if allowed.contains(&role) => Ok(role),
        _ => Err(Error::not_permitted(format!(
            "only {} can {what}",
            allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
        ))),
    }
}

/// The removal of `member` from `group` this profile may make now (owners remove anyone but themselves, moderators
/// plain members), with its cutoff: how far each of the member's actors had written in each of the group's
/// documents on this phone.
pub(crate) fn removal_of(ctx: &WriteCtx<'_, '_>, group: &GroupId, member: &MemberId) -> Result<Removal> {
    let group_ref = store::require(ctx.tx, group)?;
    if *member == ctx.me() {
        return Err(Error::not_permitted("you cannot remove yourself (leave the group instead)"));
    }
    let my_role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "remove members")?;
    match (my_role, store::role_of(ctx.tx, group_ref, member)?) {
        (_, None) => return Err(Error::not_found("member", member)),
        (Role::Moderator, Some(Role::Owner | Role::Moderator)) => {
            return Err(Error::not_permitted("only the owner can remove a moderator"));
        }
        _ => {}
    }
    removal_record(ctx, group, member)
}

/// A removal of `member` by this profile now: what it had seen of their writing is what counts of it.
fn removal_record(ctx: &WriteCtx<'_, '_>, group: &GroupId, member: &MemberId) -> Result<Removal> {
    let actors: Vec<Vec<u8>> =
        documents::actors_of_member(ctx.tx, member)?.iter().map(|a| a.to_bytes().to_vec()).collect();
    let cutoff = cutoff_where(ctx, group, |_, actor| actors.iter().any(|a| a == actor))?;
    Ok(Removal { at: now_ms(), by: ctx.me(), cutoff })
}

impl Kindred {
    /// Leaves a group: a signed change every phone checks (any member but the owner may leave; the owner hands the
    /// group on first). With `erase`, everything this profile wrote in the group is erased first, from this phone
    /// and from every phone running Kindred that receives it (`crate::bodies`; a modified app may have kept a
    /// copy). What it writes after leaving counts nowhere; a moderator can take it back later.
    pub fn leave_group(&self, group: &GroupId, erase: bool) -> Result<GroupDetails> {
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let me = ctx.me();
            match store::role_of(ctx.tx, group_ref, &me)? {
                None => return Err(Error::not_permitted("only members leave a group")),
                Some(Role::Owner) => {
                    return Err(Error::not_permitted("the owner cannot leave the group they made"));
                }
                Some(_) => {}
            }
            if erase {
                for (segment, ids) in crate::storage::messages::own_live_messages(ctx.tx, group_ref, &me)? {
                    crate::messages::erase_own(ctx, group_ref, group, segment, &ids)?;
                }
            }
            let removal = removal_record(ctx, group, &me)?;
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, removal.at, |d| {
                schema::group::write_removal(d, &doc_id, &me, &removal)
            })?;
            let group_ref = read_model::refresh_group(ctx, group)?;
            store::details(ctx.tx, group_ref)
        })
    }
}

/// How far every device had written in the group's message segments on this phone (those of `member` only, when
/// given): what a moderation entry made now comes after.
pub(crate) fn segments_cutoff(ctx: &WriteCtx<'_, '_>, group: &GroupId, member: Option<&MemberId>) -> Result<Cutoff> {
    cutoff_where(ctx, group, |author, _| author.is_some_and(|a| member.is_none_or(|m| m == a)))
}

/// How far each actor had written in each of the group's documents on this phone, for the (document's author,
/// actor) pairs `keep` chooses (no author: the group document). A removal and the moderation entries that judge
/// posts record this.
fn cutoff_where(
    ctx: &WriteCtx<'_, '_>,
    group: &GroupId,
    keep: impl Fn(Option<&MemberId>, &[u8]) -> bool,
) -> Result<Cutoff> {
    let mut cutoff = Cutoff::default();
    for (doc, place) in documents::group_documents(ctx.tx, group)? {
        for (actor, seq, _) in documents::clock(ctx.tx, &doc)? {
            if keep(place.author.as_ref(), &actor) {
                cutoff.entries.push(CutoffEntry { doc: *doc.as_bytes(), actor, seq });
            }
        }
    }
    Ok(cutoff)
}

/// The group as its authority rules make it, from this phone's copy of the group document.
fn resolved(ctx: &mut WriteCtx<'_, '_>, group: &GroupId) -> Result<Option<Resolution>> {
    let doc_id = group.doc_id();
    let identity = ctx.identity;
    let Some(doc) = ctx.cache.get(ctx.tx, &doc_id, identity.actor())? else { return Ok(None) };
    read_model::resolve_group(ctx.tx, identity, doc, group, &Default::default(), ctx.resolutions).map(Some)
}

/// Checks an invitation presented by `invitee` (with their proof that they hold its secret) and, if it is good,
/// admits them with one signed change that records the invitation, its use and the proof, so that every phone can
/// check it. Returns whether anything was written (an invitee who is already a member needs nothing).
///
/// Refused, with the reason: a group this phone is not an active member of, a bad signature or proof, an expired
/// invitation (by this phone's clock), an inviter who may not invite, an invitation already used by someone else,
/// and a key that was removed (only an owner or moderator takes a removed member back).
pub(crate) fn admit(
    ctx: &mut WriteCtx<'_, '_>,
    invitation: &Invitation,
    proof: &[u8; 64],
    invitee: &MemberId,
    name: &str,
) -> Result<bool> {
    let group = invitation.group_id;
    let doc_id = group.doc_id();
    let refuse = |kind: Refusal, why: &str| kind.because(format!("invitation to group {group}: {why}"));
    let name = crate::identity::validate_display_name(name)
        .map_err(|_| refuse(Refusal::Malformed, "the invitee's name is not acceptable"))?;
    invitation.verify().map_err(|_| refuse(Refusal::Forged, "its signature does not verify"))?;
    invitation.verify_proof(invitee, proof).map_err(|_| refuse(Refusal::Forged, "the invitee does not hold it"))?;
    let resolution =
        resolved(ctx, &group)?.ok_or_else(|| refuse(Refusal::NotAMember, "this phone is not in that group"))?;
    if resolution.role_of(&ctx.me()).is_none() {
        return Err(refuse(Refusal::NotAMember, "this phone is not a member"));
    }
    if let Some(entry) = resolution.group.members.iter().find(|m| &m.member == invitee) {
        return match entry.removal {
            None => Ok(false),
            Some(_) => {
                Err(refuse(Refusal::Removed, "they were removed; only an owner or moderator can take them back"))
            }
        };
    }
    if invitation.expired(now_ms()) {
        return Err(refuse(Refusal::Invitation, "it has expired"));
    }
    if !matches!(resolution.role_of(&invitation.inviter), Some(Role::Owner | Role::Moderator)) {
        return Err(refuse(Refusal::Invitation, "the inviter may not invite (any more)"));
    }
    let key = invitation.record_key();
    if resolution.group.invites.iter().any(|i| i.key == key && i.used_by.is_some_and(|used| &used != invitee)) {
        return Err(refuse(Refusal::Invitation, "it has already been used"));
    }
    let (me, at) = (ctx.me(), now_ms());
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
        schema::group::write_admission(d, &doc_id, invitation, proof, invitee, &name, at, &me)
    })?;
    read_model::refresh_group(ctx, &group)?;
    Ok(true)
}

impl Kindred {
    /// Creates a single-use invitation to `group`, valid for `valid_for_ms` (at most 30 days). Share the returned
    /// text (or its QR code) with the person; it carries no secret about the group beyond its name.
    pub fn create_invite(&self, group: &GroupId, valid_for_ms: i64) -> Result<String> {
        if valid_for_ms <= 0 || valid_for_ms > MAX_VALIDITY_MS {
            return Err(Error::invalid("validity", "must be between a moment and 30 days"));
        }
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "invite")?;
            let name = store::details(ctx.tx, group_ref)?.name;
            let at = now_ms();
            let code = InviteCode::create(ctx.identity, *group, &name, at + valid_for_ms);
            let doc_id = group.doc_id();
            let invitation = code.invitation();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
                schema::group::write_invite(d, &doc_id, &invitation)
            })?;
            read_model::refresh_group(ctx, group)?;
            code.to_text()
        })
    }

    /// Accepts an invitation: checks the code and keeps it until the first sync with a member of the group, which
    /// admits this profile and brings the group over.
    pub fn join_group(&self, code: &str) -> Result<PendingJoin> {
        let invite = InviteCode::parse(code)?;
        if invite.expired(now_ms()) {
            return Err(Error::invalid("invitation code", "it has expired; ask for a new one"));
        }
        self.write(|ctx| {
            if store::role_of(ctx.tx, store::group_ref(ctx.tx, &invite.group_id)?.unwrap_or(-1), &ctx.me())?.is_some() {
                return Err(Error::invalid("invitation code", "you are already a member of this group"));
            }
            let join = joins::PendingJoin {
                group_id: invite.group_id,
                group_name: invite.group_name.clone(),
                code: code.trim().to_owned(),
            };
            joins::insert(ctx.tx, &join, now_ms())?;
            Ok(PendingJoin {
                group_id: invite.group_id,
                group_name: invite.group_name.clone(),
                inviter: invite.inviter,
            })
        })
    }

    /// Members caught equivocating in a group (signing two different changes at one position), with the reason,
    /// and how many proofs this phone keeps. Their further changes are refused.
    pub fn flagged_members(&self, group: &GroupId) -> Result<(Vec<(MemberId, String)>, u64)> {
        self.read(|tx, _| Ok((trust::flagged(tx, group)?, trust::proofs(tx, group)?)))
    }

    /// Invitations this profile is waiting to use.
    pub fn pending_joins(&self) -> Result<Vec<PendingJoin>> {
        let rows = self.read(|tx, _| joins::all(tx))?;
        rows.into_iter()
            .map(|j| {
                let inviter = InviteCode::parse(&j.code)?.inviter;
                Ok(PendingJoin { group_id: j.group_id, group_name: j.group_name, inviter })
            })
            .collect()
    }

    /// Removes a member. Their messages so far stay; anything they write after this phone's view of them (the
    /// recorded cutoff) is kept for the history but never shown, here or on any phone that syncs the removal.
    pub fn remove_member(&self, group: &GroupId, member: &MemberId) -> Result<GroupDetails> {
        self.write(|ctx| {
            let removal = removal_of(ctx, group, member)?;
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, removal.at, |d| {
                schema::group::write_removal(d, &doc_id, member, &removal)
            })?;
            let group_ref = read_model::refresh_group(ctx, group)?;
            store::details(ctx.tx, group_ref)
        })
    }
}
