//! Groups: creating them, listing them, their members, and where a person has read up to.

use std::ops::Not;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GroupId, MemberId};
use crate::kindred::Kindred;
use crate::model::{GroupDetails, GroupSummary, NewGroup, Role, Update};
use crate::read_model;
use crate::schema;
use crate::storage::documents::{self, DocPlace};
use crate::storage::groups as store;
use crate::text;
use crate::time::now_ms;

/// Longest group name, in characters.
pub const MAX_GROUP_NAME_CHARS: usize = 60;
/// Longest group description.
pub const MAX_GROUP_DESCRIPTION_CHARS: usize = 500;
/// Longest guidelines text.
pub const MAX_GUIDELINES_CHARS: usize = 4000;

impl Kindred {
    /// Creates a group owned by this profile. Its document is written in one signed change.
    pub fn create_group(&self, new: NewGroup) -> Result<GroupDetails> {
        let name = text::single_line("group name", &new.name, MAX_GROUP_NAME_CHARS)?;
        let description =
            text::optional_multi_line("description", Some(&new.description), MAX_GROUP_DESCRIPTION_CHARS)?;
        let guidelines = text::optional_multi_line("guidelines", Some(&new.guidelines), MAX_GUIDELINES_CHARS)?;
        let nonce = GroupId::new_nonce();
        let group = GroupId::derive(&self.profile().member_id, &nonce);
        self.write(|ctx| {
            let creator_name = ctx.display_name.to_owned();
            let doc_id = group.doc_id();
            let place = DocPlace::group(group);
            let fields = schema::group::NewGroupFields {
                name: &name,
                description: description.as_deref().unwrap_or(""),
                guidelines: guidelines.as_deref().unwrap_or(""),
                at: now_ms(),
                creator: ctx.me(),
                creator_name: &creator_name,
                nonce,
            };
            // Rules given at creation are the group's first rules version, in its first change; members accept them
            // before posting (the creator has, by setting them).
            let rules = fields.guidelines.trim().is_empty().not().then(|| {
                let details = schema::moderation::ModerationDetails {
                    cutoff: Some(Default::default()),
                    text: Some(fields.guidelines.to_owned()),
                    ..Default::default()
                };
                let (by, why) = (fields.creator, "the group's first rules".to_owned());
                crate::moderation::entry(by, fields.at, crate::model::ModerationKind::Rules, None, by, why, details)
            });
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, Some(place), fields.at, |d| {
                schema::group::write_new(d, &doc_id, &fields)?;
                rules.iter().try_for_each(|r| schema::moderation::write_action(d, &doc_id, r))
            })?;
            let group_ref = read_model::refresh_group(ctx, &group)?;
            store::details(ctx.tx, group_ref)
        })
    }

    /// Every group this profile holds, most recently active first, with unread counts.
    pub fn groups(&self) -> Result<Vec<GroupSummary>> {
        self.read(|tx, me| store::list(tx, me))
    }

    /// One group's details and members.
    pub fn group(&self, group: &GroupId) -> Result<GroupDetails> {
        self.read(|tx, _| store::details(tx, store::require(tx, group)?))
    }

    /// Finds a group by its id (hex) or by its exact name; a name shared by several groups is [`ErrorKind::Ambiguous`].
    pub fn resolve_group(&self, id_or_name: &str) -> Result<GroupId> {
        self.read(|tx, _| {
            if let Ok(id) = id_or_name.parse::<GroupId>()
                && store::group_ref(tx, &id)?.is_some()
            {
                return Ok(id);
            }
            let ids = store::ids_named(tx, id_or_name.trim())?;
            match ids.as_slice() {
                [id] => Ok(*id),
                // A group's name is never repeated in an error (errors reach logs); an id, in hex, is.
                [] => match id_or_name.parse::<GroupId>() {
                    Ok(id) => Err(Error::not_found("group", id)),
                    Err(_) => Err(Error::not_found("group", "no group has that name")),
                },
                _ => Err(ErrorKind::Ambiguous { kind: "group", name: String::new(), count: ids.len() }.into()),
            }
        })
    }

    /// Adds a member to a group by their key, changes an active member's role, or takes a removed member back
    /// (their entry, name and history stay as they were; they come back as a plain member unless the owner names
    /// another role). Seniority holds: moderators add and take back plain members only; only the owner appoints or
    /// demotes moderators; nobody makes another owner or changes their own role.
    pub fn add_member(
        &self,
        group: &GroupId,
        member: &MemberId,
        display_name: &str,
        role: Role,
    ) -> Result<GroupDetails> {
        let name = crate::identity::validate_display_name(display_name)?;
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            if *member == ctx.me() {
                // An owner demoting themselves could leave the group with nobody able to manage it.
                return Err(Error::not_permitted("you cannot change your own role"));
            }
            if role == Role::Owner {
                return Err(Error::not_permitted("a group has one owner, its creator"));
            }
            let my_role = store::role_of(ctx.tx, group_ref, &ctx.me())?;
            let standing = store::standing(ctx.tx, group_ref, member)?;
            let their_role = store::role_of(ctx.tx, group_ref, member)?;
            let restoring = standing.as_ref().is_some_and(|s| s.removed);
            match (my_role, their_role, role) {
                (Some(Role::Owner), Some(Role::Owner), _) => {
                    return Err(Error::not_permitted("nobody acts against the group's owner"));
                }
                (Some(Role::Owner), _, _) => {}
                // A moderator takes back only someone who was a plain member.
                (Some(Role::Moderator), None, Role::Member)
                    if !restoring || store::removed_role(ctx.tx, group_ref, member)? == Some(Role::Member) => {}
                (Some(Role::Moderator), ..) => {
                    return Err(Error::not_permitted(
                        "only the owner can appoint moderators, change roles or take a moderator back",
                    ));
                }
                _ => return Err(Error::not_permitted("only owners and moderators can add members")),
            }
            let doc_id = group.doc_id();
            let (me, at) = (ctx.me(), now_ms());
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| match &standing {
                None => schema::group::write_member(d, &doc_id, member, &name, role, at, &me),
                Some(s) if s.removed => {
                    schema::group::write_restore(d, &doc_id, member, at, &me)?;
                    if role != Role::Member {
                        schema::group::write_role(d, &doc_id, member, role)?;
                    }
                    Ok(())
                }
                Some(_) => schema::group::write_role(d, &doc_id, member, role),
            })?;
            let group_ref = read_model::refresh_group(ctx, group)?;
            store::details(ctx.tx, group_ref)
        })
    }

    /// Marks everything that has arrived in a group as read.
    pub fn mark_read(&self, group: &GroupId) -> Result<()> {
        self.write(|ctx| {
            store::mark_read(ctx.tx, store::require(ctx.tx, group)?)?;
            ctx.updates.push(Update::ReadMarker { group_id: *group });
            Ok(())
        })
    }

    /// Messages by others that arrived since the group was last marked read.
    pub fn unread_count(&self, group: &GroupId) -> Result<u64> {
        self.read(|tx, me| store::unread_count(tx, store::require(tx, group)?, me))
    }
}
