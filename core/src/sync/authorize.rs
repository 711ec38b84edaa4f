//! The door: what is refused outright when another phone's changes arrive, because no honest app writes it.
//!
//! [`crate::verify`] has already established *who* wrote each change. This module reads *what* each change does
//! (its operations, resolved to paths in the document) and refuses, judged at the change's causal point: a
//! stranger's change, a plain member doing what only moderators do (details, invitations, adding or removing
//! members), anyone acting on the owner or on themselves, a moderator acting on a moderator, a role of "owner", an
//! admission without a genuine invitation and the invitee's proof of possession, a deleted membership record, an
//! unknown field, a value over the limits local input obeys, and in message segments anything but the author's own
//! messages and reactions.
//!
//! What passes can still be without effect: whether the author still held the right, given every removal and
//! demotion and whatever else happened concurrently, is [`super::authority`]'s to decide, identically on every
//! phone. Refusing such changes here would strand honest history that depends on them and wedge sync.

use std::collections::{HashMap, HashSet};

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Automerge, Change, ChangeHash, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value};

use crate::am;
use crate::error::{Refusal, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::model::Role;
use crate::schema::group::Cutoff;

/// One operation of a change, reduced to what the rules need.
#[derive(Debug)]
struct Edit {
    /// Keys from the root to the property written (the last one is the property).
    path: Vec<String>,
    kind: EditKind,
}

#[derive(Debug)]
enum EditKind {
    MakeMap,
    Put(ScalarValue),
    Delete,
    Other,
}

/// Resolves every operation of `change` to a path, using `doc` (which holds everything the change depends on) for
/// objects created earlier and the change itself for objects it creates.
fn edits(doc: &Automerge, doc_id: &DocId, change: &Change) -> Result<Vec<Edit>> {
    let expanded = am::guarded(doc_id, "decoding a change", || Ok(change.decode()))?;
    let actor = change.actor_id().to_hex_string();
    let start = expanded.start_op.get();
    let mut created: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = Vec::with_capacity(expanded.operations.len());
    for (i, op) in expanded.operations.iter().enumerate() {
        let mut path = match &op.obj {
            ObjectId::Root => Vec::new(),
            ObjectId::Id(id) => {
                let name = format!("{}@{}", id.0, id.1.to_hex_string());
                match created.get(&name) {
                    Some(path) => path.clone(),
                    None => existing_path(doc, doc_id, &name)?,
                }
            }
        };
        match &op.key {
            Key::Map(key) => path.push(key.to_string()),
            Key::Seq(_) => return Err(Refusal::Malformed.because("a list operation; Kindred documents have no lists")),
        }
        let kind = match &op.action {
            OpType::Make(ObjType::Map) => {
                created.insert(format!("{}@{actor}", start + i as u64), path.clone());
                EditKind::MakeMap
            }
            OpType::Put(value) => EditKind::Put(value.clone()),
            OpType::Delete => EditKind::Delete,
            _ => EditKind::Other,
        };
        out.push(Edit { path, kind });
    }
    Ok(out)
}

fn existing_path(doc: &Automerge, doc_id: &DocId, obj: &str) -> Result<Vec<String>> {
    am::guarded(doc_id, "resolving an object", || {
        let exid = doc
            .import_obj(obj)
            .map_err(|_| Refusal::Malformed.because(format!("an operation on unknown object {obj}")))?;
        let parents = doc
            .parents(&exid)
            .map_err(|_| Refusal::Malformed.because(format!("an operation on unknown object {obj}")))?;
        parents
            .path()
            .into_iter()
            .map(|(_, prop)| match prop {
                Prop::Map(key) => Ok(key),
                Prop::Seq(_) => Err(Refusal::Malformed.because("an operation inside a list")),
            })
            .collect()
    })
}

fn get_at<'a>(
    doc: &'a Automerge,
    obj: &automerge::ObjId,
    key: &str,
    heads: &[ChangeHash],
) -> Option<(Value<'a>, automerge::ObjId)> {
    doc.get_at(obj, key, heads).ok().flatten()
}

fn map_at(doc: &Automerge, obj: &automerge::ObjId, key: &str, heads: &[ChangeHash]) -> Option<automerge::ObjId> {
    match get_at(doc, obj, key, heads) {
        Some((Value::Object(ObjType::Map), id)) => Some(id),
        _ => None,
    }
}

fn scalar_at(doc: &Automerge, obj: &automerge::ObjId, key: &str, heads: &[ChangeHash]) -> Option<ScalarValue> {
    match get_at(doc, obj, key, heads) {
        Some((Value::Scalar(v), _)) => Some(v.into_owned()),
        _ => None,
    }
}

/// The role a key's entry names in the group document at `heads`, whether or not the entry is marked removed (what
/// is *effective* is [`super::authority`]'s to say; this only tells what no honest app could have written).
fn entry_role_at(group_doc: &Automerge, member: &MemberId, heads: &[ChangeHash]) -> Option<Role> {
    let entry = entry_at(group_doc, member, heads)?;
    match scalar_at(group_doc, &entry, "role", heads) {
        Some(ScalarValue::Str(role)) => role.parse().ok(),
        _ => None,
    }
}

/// Whether the group document holds an entry for `member` at all (in effect or not): someone who was at least
/// written in, as opposed to a stranger.
pub(crate) fn has_entry(group_doc: &Automerge, member: &MemberId) -> bool {
    entry_role_at(group_doc, member, &group_doc.get_heads()).is_some()
}

/// Who wrote the admission (or add) that made `member`'s entry, as the document holds it now (in effect or not).
pub(crate) fn entry_added_by(group_doc: &Automerge, member: &MemberId) -> Option<MemberId> {
    let heads = group_doc.get_heads();
    member_at(group_doc, &entry_at(group_doc, member, &heads)?, "added_by", &heads)
}

/// `member`'s entry map in the group document at `heads`.
fn entry_at(group_doc: &Automerge, member: &MemberId, heads: &[ChangeHash]) -> Option<automerge::ObjId> {
    map_at(group_doc, &map_at(group_doc, &ROOT, "members", heads)?, &member.to_hex(), heads)
}

/// A member key stored as 32 bytes at `obj.key`.
fn member_at(doc: &Automerge, obj: &automerge::ObjId, key: &str, heads: &[ChangeHash]) -> Option<MemberId> {
    scalar_at(doc, obj, key, heads)
        .as_ref()
        .and_then(bytes_of)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(MemberId::from_bytes)
}

/// Holds a peer's values to the limits this phone's own input obeys: a malicious client must not slip in a 20,000
/// character message, control characters, or a 3,000-emoji reaction that honest apps would then have to show.
fn check_value(path: &[&str], value: &ScalarValue) -> Result<()> {
    use crate::limits::*;
    let text = |max: usize, lines: bool, may_be_empty: bool| -> Result<()> {
        let ScalarValue::Str(s) = value else {
            return Err(Refusal::Malformed.because(format!("{path:?} is not text")));
        };
        let count = s.chars().count();
        let bad_char = s.chars().any(|c| c.is_control() && !(lines && (c == '\n' || c == '\t')));
        if count > max || bad_char || (!may_be_empty && s.trim().is_empty()) {
            return Err(Refusal::Malformed.because(format!("{path:?} is not acceptable text ({count} characters)")));
        }
        Ok(())
    };
    let int = |lo: i64, hi: i64| -> Result<()> {
        match value {
            ScalarValue::Int(i) if (lo..=hi).contains(i) => Ok(()),
            _ => Err(Refusal::Malformed.because(format!("{path:?} is out of range"))),
        }
    };
    let one_of = |allowed: &[&str]| -> Result<()> {
        match value {
            ScalarValue::Str(s) if allowed.contains(&s.as_str()) => Ok(()),
            _ => Err(Refusal::Malformed.because(format!("{path:?} has an unknown value"))),
        }
    };
    let bytes = |len: usize| -> Result<()> {
        match value {
            ScalarValue::Bytes(b) if b.len() == len => Ok(()),
            _ => Err(Refusal::Malformed.because(format!("{path:?} is not {len} bytes"))),
        }
    };
    let time = || -> Result<()> {
        match value {
            ScalarValue::Timestamp(_) => Ok(()),
            _ => Err(Refusal::Malformed.because(format!("{path:?} is not a time"))),
        }
    };
    match path {
        // A published resource directory: checked whole (size, shape, signature, content hash) before anything else.
        ["directories", key] => match value {
            ScalarValue::Bytes(file) => crate::crisis::directory::published_file(key, file).map(|_| ()),
            _ => Err(Refusal::Malformed.because("a published directory that is not a file")),
        },
        ["publishers", _, "trusted"] => match value {
            ScalarValue::Boolean(_) => Ok(()),
            _ => Err(Refusal::Malformed.because("a strange publisher mark")),
        },
        ["publishers", _, "at"] => time(),
        // Message segments.
        [_, "text"] => text(MAX_MESSAGE_CHARS, true, false),
        [_, "cw"] => text(MAX_CONTENT_WARNING_CHARS, false, false),
        [_, "emoji"] => text(MAX_REACTION_CHARS, false, true),
        [_, "by"] | [_, _, "owner"] | [_, _, "added_by" | "removed_by" | "restored_by" | "by" | "used_by" | "pk"] => {
            bytes(32)
        }
        ["invites", _, "sig" | "proof"] => bytes(64),
        ["invites", _, "gname"] => text(MAX_GROUP_NAME_CHARS, false, false),
        ["members", _, "status"] => one_of(&["active", "removed"]),
        [_, "re" | "seen"] => bytes(16),
        [_, "body"] => bytes(32),
        [_, "at" | "edited"]
        | [_, _, "added_at" | "removed_at" | "restored_at" | "expires_at" | "used_at" | "created_at" | "updated_at"] => {
            time()
        }
        [_, "removed"] => matches!(value, ScalarValue::Boolean(true))
            .then_some(())
            .ok_or_else(|| Refusal::Malformed.because("a strange removal")),
        // The group document.
        ["name"] => text(MAX_GROUP_NAME_CHARS, false, false),
        ["description"] => text(MAX_GROUP_DESCRIPTION_CHARS, true, true),
        ["guidelines"] => text(MAX_GUIDELINES_CHARS, true, true),
        ["members", _, "name"] => text(MAX_DISPLAY_NAME_CHARS, false, false),
        ["members", _, "role"] => one_of(&["owner", "moderator", "member"]),
        ["members", _, "cutoff"] => match value {
            ScalarValue::Bytes(b) if b.len() <= 64 * 1024 => Ok(()),
            _ => Err(Refusal::Oversized.because("an oversized removal record")),
        },
        ["goals", _, "title"] => text(MAX_GOAL_TITLE_CHARS, false, false),
        ["goals", _, "times"] => int(1, i64::from(MAX_CADENCE_TIMES)),
        ["goals", _, "period"] => one_of(&["day", "week", "month"]),
        ["goals", _, "status"] => one_of(&["active", "paused", "archived"]),
        ["goals", _, "progress", _, "amount"] => int(1, i64::from(MAX_PROGRESS_AMOUNT)),
        ["goals", _, "progress", _, "note"] => text(MAX_PROGRESS_NOTE_CHARS, true, true),
        ["goals", _, "progress", _, "at"] => time(),
        ["goals", _, "pauses", _, "from" | "until"] => time(),
        ["goals", _, "cheers", _] => time(),
        ["goals", _, "weekdays"] => int(0, 127),
        ["modlog", _, "kind"] => one_of(&[
            "hide", "restore", "remove", "readd", "suspend", "lift", "approve", "rules", "policy", "warn", "erase",
        ]),
        ["modlog", _, "cutoff" | "exempt" | "rate_cutoff"] => match value {
            ScalarValue::Bytes(b) if b.len() <= crate::schema::moderation::MAX_DETAIL_BYTES => Ok(()),
            _ => Err(Refusal::Oversized.because("an oversized moderation entry")),
        },
        ["modlog", _, "until"] => time(),
        ["modlog", _, "of"] => bytes(16),
        ["modlog", _, "text"] => text(MAX_GUIDELINES_CHARS, true, true),
        ["modlog", _, "threshold"] => int(1, 50),
        ["modlog", _, "rate"] => int(0, i64::from(crate::schema::moderation::MAX_RATE_POSTS)),
        ["modlog", _, "premod"] => int(-1, i64::from(crate::schema::moderation::MAX_PREMOD_POSTS)),
        ["modlog", _, "at"] => time(),
        ["modlog", _, "message"] => bytes(16),
        ["modlog", _, "member"] => bytes(32),
        ["modlog", _, "why"] => text(crate::schema::moderation::MAX_MODERATION_REASON_CHARS, true, false),
        ["goals", _, "kind"] => one_of(&["group"]),
        ["goals", _, "ended_at"] => time(),
        ["goals", _, "met", key] => match crate::schema::group_goals::parse_met_key(key) {
            Some(_) => time(),
            None => Err(Refusal::Malformed.because("a group goal's mark that is not a Monday and a member")),
        },
        ["goals", _, "skips", day] => {
            let is_day = crate::time::parse_day(day).is_some();
            if is_day && matches!(value, ScalarValue::Boolean(true)) {
                Ok(())
            } else {
                Err(Refusal::Malformed.because("a goal's skipped day that is not a date marked true"))
            }
        }
        _ => Ok(()),
    }
}

fn bytes_of(value: &ScalarValue) -> Option<&[u8]> {
    match value {
        ScalarValue::Bytes(b) => Some(b),
        _ => None,
    }
}

/// Checks one change to a group document against `doc` holding it and everything it depends on (reads are made at
/// the change's dependencies); `was_empty` says whether the document was empty before this batch.
///
/// This refuses what no honest app ever writes, judged at the change's causal point: a stranger's change, a plain
/// member doing what only moderators do, anyone acting on the owner, an admission without a valid invitation and
/// proof of possession, a deleted entry, an unknown field. Whether a change that passes actually has effect (its
/// author may have been removed concurrently, or the invitation used by someone else first) is
/// [`super::authority`]'s to decide, on every phone alike; such changes are kept for causality, without effect.
pub(crate) fn check_group_change(
    doc: &Automerge,
    was_empty: bool,
    group: &GroupId,
    author: &MemberId,
    change: &Change,
) -> Result<()> {
    let doc_id = group.doc_id();
    let edits = edits(doc, &doc_id, change)?;
    let deps = change.deps().to_vec();
    let who = format!("member {}", &author.to_hex()[..8]);

    // The first change: only the creator, whom the group id names, and only into an empty document.
    if deps.is_empty() {
        let only_root = doc.get_changes(&[]).iter().filter(|c| c.deps().is_empty()).count() == 1;
        if !was_empty || !only_root {
            return Err(Refusal::Equivocation.because(format!("{who} sent a second first change for group {group}")));
        }
        let created_by = edits.iter().find_map(|e| match (&e.path[..], &e.kind) {
            ([k], EditKind::Put(v)) if k == "created_by" => bytes_of(v).map(<[u8]>::to_vec),
            _ => None,
        });
        let nonce = edits.iter().find_map(|e| match (&e.path[..], &e.kind) {
            ([k], EditKind::Put(v)) if k == "nonce" => bytes_of(v).and_then(|b| <[u8; 16]>::try_from(b).ok()),
            _ => None,
        });
        return match (created_by, nonce) {
            (Some(c), Some(n)) if c == author.as_bytes() && GroupId::derive(author, &n) == *group => Ok(()),
            _ => {
                Err(Refusal::NotPermitted.because(format!("a first change for group {group} not made by its creator")))
            }
        };
    }

    for edit in &edits {
        if let EditKind::Put(value) = &edit.kind {
            check_value(&edit.path.iter().map(String::as_str).collect::<Vec<_>>(), value)?;
        }
    }
    let Some(role) = entry_role_at(doc, author, &deps) else {
        return Err(Refusal::NotAMember.because(format!("{who} is not a member of group {group}")));
    };
    let creator = creator_of(doc, &deps);
    let is_owner = Some(*author) == creator;
    let moderates = is_owner || role == Role::Moderator;
    // Admissions in this change: invitation key -> invitee.
    let admitted: HashMap<&str, MemberId> = edits
        .iter()
        .filter_map(|e| match (&e.path[..], &e.kind) {
            ([a, key, f], EditKind::Put(v)) if a == "invites" && f == "used_by" => {
                bytes_of(v).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(|b| (key.as_str(), MemberId::from_bytes(b)))
            }
            _ => None,
        })
        .collect();
    let is_admitted = |m: &MemberId| admitted.values().any(|a| a == m);
    let names_author = |v: &ScalarValue| bytes_of(v) == Some(author.as_bytes());
    let author_bytes = ScalarValue::Bytes(author.as_bytes().to_vec());

    for edit in &edits {
        let path: Vec<&str> = edit.path.iter().map(String::as_str).collect();
        match (path.as_slice(), &edit.kind) {
            (["name" | "description" | "guidelines"], EditKind::Put(_)) if moderates => {}
            (["name" | "description" | "guidelines"], _) => {
                return Err(Refusal::NotPermitted.because(format!("{who} may not change the group's details")));
            }
            (["members", _, ..], EditKind::Delete) | (["invites", _, ..], EditKind::Delete) => {
                return Err(Refusal::NotPermitted
                    .because(format!("{who} deleted a membership record (they are never deleted)")));
            }
            (["members", target, rest @ ..], kind) => {
                let target_id: MemberId = target
                    .parse()
                    .map_err(|_| Refusal::Malformed.because("a member entry that is not a member key"))?;
                let target_role = entry_role_at(doc, &target_id, &deps);
                let not_owner_or_self = Some(target_id) != creator && target_id != *author;
                let allowed = if is_admitted(&target_id) {
                    // An admission makes a plain member's entry, nothing more.
                    match (rest, kind) {
                        ([], EditKind::MakeMap) => true,
                        (["name" | "added_at"], EditKind::Put(_)) => true,
                        (["role"], EditKind::Put(v)) => matches!(v, ScalarValue::Str(r) if r == "member"),
                        (["status"], EditKind::Put(v)) => matches!(v, ScalarValue::Str(r) if r == "active"),
                        (["added_by"], EditKind::Put(v)) => names_author(v),
                        _ => false,
                    }
                } else {
                    // Leaving: any member but the owner removes themselves (never takes themselves back).
                    let leaving = target_id == *author && Some(target_id) != creator;
                    match (rest, kind) {
                        (["name"], EditKind::Put(_)) if target_id == *author => true,
                        (["status"], EditKind::Put(ScalarValue::Str(s))) if leaving => s.as_str() == "removed",
                        (["removed_at" | "cutoff"], EditKind::Put(_)) if leaving => true,
                        (["removed_by"], EditKind::Put(v)) if leaving => names_author(v),
                        // A direct add (or a key with no entry yet): moderators add plain members, the owner anyone.
                        ([], EditKind::MakeMap) => moderates && not_owner_or_self,
                        (
                            ["name" | "added_at" | "status" | "removed_at" | "restored_at" | "cutoff"],
                            EditKind::Put(_),
                        )
                        | (["added_by" | "removed_by" | "restored_by"], EditKind::Put(_))
                            if !moderates || !not_owner_or_self =>
                        {
                            false
                        }
                        (["added_by" | "removed_by" | "restored_by"], EditKind::Put(v)) => {
                            names_author(v) && (is_owner || target_role.is_none_or(|r| r == Role::Member))
                        }
                        (
                            ["name" | "added_at" | "status" | "removed_at" | "restored_at" | "cutoff"],
                            EditKind::Put(_),
                        ) => is_owner || target_role.is_none_or(|r| r == Role::Member),
                        (["role"], EditKind::Put(ScalarValue::Str(r))) => {
                            not_owner_or_self
                                && ((is_owner && r.as_str() != "owner")
                                    || (moderates && r.as_str() == "member" && target_role.is_none()))
                        }
                        _ => false,
                    }
                };
                if !allowed {
                    return Err(Refusal::NotPermitted
                        .because(format!("{who} ({role}) may not change member {}", &target[..target.len().min(8)])));
                }
            }
            (["invites", key, rest @ ..], kind) => {
                let part_of_admission = admitted.contains_key(key);
                let allowed = match (rest, kind) {
                    (["used_by" | "used_at" | "proof"], EditKind::Put(_)) => part_of_admission,
                    ([], EditKind::MakeMap) | (["expires_at" | "gname" | "pk" | "sig"], EditKind::Put(_)) => {
                        part_of_admission || moderates
                    }
                    (["by"], EditKind::Put(v)) => part_of_admission || (moderates && names_author(v)),
                    _ => false,
                };
                if !allowed {
                    return Err(Refusal::NotPermitted
                        .because(format!("{who} ({role}) may not write invitation field {rest:?}")));
                }
            }
            (["publishers"], EditKind::MakeMap) if is_owner => {}
            (["publishers", key, rest @ ..], kind) => {
                let allowed = is_owner
                    && key.parse::<MemberId>().is_ok()
                    && match (rest, kind) {
                        ([], EditKind::MakeMap) | (["trusted" | "at"], EditKind::Put(_)) => true,
                        (["by"], EditKind::Put(v)) => names_author(v),
                        _ => false,
                    };
                if !allowed {
                    return Err(Refusal::NotPermitted
                        .because(format!("{who} ({role}) may not mark directory publishers; only the owner may")));
                }
            }
            (["directories"], EditKind::MakeMap) if moderates => {}
            (["directories", _], EditKind::Put(ScalarValue::Bytes(file))) if moderates => {
                check_publication(doc, creator.as_ref(), file, &edits, &deps)
                    .map_err(|why| Refusal::NotPermitted.because(format!("{who} published a directory: {why}")))?;
            }
            (["modlog"], EditKind::MakeMap) if moderates => {}
            (["modlog", key, rest @ ..], kind) if moderates => {
                check_moderation(doc, creator.as_ref(), key, rest, kind, author, &edits, &deps)
                    .map_err(|why| Refusal::NotPermitted.because(format!("{who} wrote a moderation entry: {why}")))?;
            }
            (["modlog", ..], _) => {
                return Err(
                    Refusal::NotPermitted.because(format!("{who} ({role}) may not moderate; owners and moderators do"))
                );
            }
            (["directories", ..], _) => {
                return Err(Refusal::NotPermitted.because(format!(
                    "{who} ({role}) may not change the group's directories; owners and moderators publish new ones"
                )));
            }
            // A group goal's weekly mark: a member's own word that they met their target that week, only as
            // themselves, only on a group goal.
            (["goals", goal, "met", rest @ ..], kind) => {
                check_group_goal_mark(doc, goal, rest, kind, author, &edits, &deps)
                    .map_err(|why| Refusal::NotPermitted.because(format!("{who} wrote a group goal mark: {why}")))?;
            }
            (["goals", _, "for", ..], _) => {
                return Err(Refusal::NotPermitted
                    .because(format!("{who} linked a shared goal to a group goal; only private goals are linked")));
            }
            // A cheer: another member's own entry on an existing goal (never the owner's on their own goal).
            (["goals", goal, "cheers", rest @ ..], kind) => {
                let owner_now = goal_at(doc, goal, &deps).and_then(|g| scalar_at(doc, &g, "owner", &deps));
                let others = owner_now.as_ref().is_some_and(|o| bytes_of(o) != Some(author.as_bytes()));
                // The owner makes the (empty) map when creating the goal, in the same change.
                let created_here = sets_goal_field(&edits, goal, "owner", &author_bytes);
                let allowed = match (rest, kind) {
                    ([], EditKind::MakeMap) => owner_now.is_some() || created_here,
                    ([member], EditKind::Put(_)) => others && *member == author.to_hex(),
                    _ => false,
                };
                if !allowed {
                    return Err(
                        Refusal::NotPermitted.because(format!("{who} may only cheer others' goals as themselves"))
                    );
                }
            }
            (["goals", goal, rest @ ..], _) => {
                let owner_now = goal_at(doc, goal, &deps).and_then(|g| scalar_at(doc, &g, "owner", &deps));
                if owner_now.is_none() && rest.is_empty() {
                    check_new_goal_key(doc, goal, &edits, &deps)
                        .map_err(|why| Refusal::NotPermitted.because(format!("{who} made a goal {why}")))?;
                }
                let allowed = match &owner_now {
                    Some(owner) => bytes_of(owner) == Some(author.as_bytes()),
                    // A new goal: its owner field, set in this change, must be the author.
                    None => sets_goal_field(&edits, goal, "owner", &author_bytes),
                };
                if !allowed || (rest == ["owner"] && owner_now.is_some()) {
                    return Err(Refusal::NotPermitted.because(format!("{who} changed a goal that is not theirs")));
                }
            }
            _ => {
                return Err(
                    Refusal::NotPermitted.because(format!("{who} wrote {:?}, which no member may change", edit.path))
                );
            }
        }
    }
    // Every admission carries a valid invitation and the invitee's proof of possession, and makes their entry.
    for (key, invitee) in &admitted {
        check_admission(doc, group, key, invitee, &edits, &deps)
            .map_err(|why| Refusal::Invitation.because(format!("{who} admitted {}: {why}", &invitee.to_hex()[..8])))?;
    }
    Ok(())
}

/// A directory published by a change must come from the owner or a publisher the owner marked trusted in the
/// change's causal past (at its dependencies), and fit under the group's bound on directory files. Its file was
/// checked whole by [`check_value`].
fn check_publication(
    doc: &Automerge,
    creator: Option<&MemberId>,
    file: &[u8],
    edits: &[Edit],
    deps: &[ChangeHash],
) -> std::result::Result<(), &'static str> {
    use crate::crisis::directory::{MAX_GROUP_DIRECTORIES, ResourceDirectory};
    let directory = ResourceDirectory::from_file_bytes(file).map_err(|_| "the file does not verify")?;
    let hex = directory.publisher.to_hex();
    let trusted_before = map_at(doc, &ROOT, "publishers", deps)
        .and_then(|publishers| map_at(doc, &publishers, &hex, deps))
        .and_then(|entry| scalar_at(doc, &entry, "trusted", deps))
        .is_some_and(|t| matches!(t, ScalarValue::Boolean(true)));
    if creator != Some(&directory.publisher) && !trusted_before {
        return Err("its publisher is neither the owner nor trusted by the owner");
    }
    let held = map_at(doc, &ROOT, "directories", deps).map_or(0, |d| doc.length_at(&d, deps));
    let new =
        edits.iter().filter(|e| e.path.len() == 2 && e.path.first().map(String::as_str) == Some("directories")).count();
    if held + new > MAX_GROUP_DIRECTORIES {
        return Err("the group holds as many directory files as it may");
    }
    Ok(())
}

/// A write under the moderation log: an entry is new (never written before, so nobody rewrites or erases the log),
/// made whole in this change (the moderator as `by`, a kind, the message and its author, a reason), and acts on
/// someone junior to the author by the roles at the change's dependencies: never the owner or the author, and a
/// moderator only on plain members. (Whether the author still moderates, given concurrent demotions, is the
/// replay's to judge: `sync::authority`.)
#[allow(clippy::too_many_arguments)]
fn check_moderation(
    doc: &Automerge,
    creator: Option<&MemberId>,
    key: &str,
    rest: &[&str],
    kind: &EditKind,
    author: &MemberId,
    edits: &[Edit],
    deps: &[ChangeHash],
) -> std::result::Result<(), &'static str> {
    if key.parse::<crate::ids::ModerationId>().is_err() {
        return Err("its key is not an entry id");
    }
    let existing = map_at(doc, &ROOT, "modlog", deps).and_then(|log| map_at(doc, &log, key, deps));
    if existing.is_some() {
        return Err("the log is never rewritten");
    }
    let field = |f: &str| written(edits, &["modlog", key, f]).cloned();
    match (rest, kind) {
        ([], EditKind::MakeMap) | ([_], EditKind::Put(_)) => {}
        _ => return Err("an entry is a map of values"),
    }
    if field("by").as_ref().and_then(bytes_of) != Some(author.as_bytes().as_slice()) {
        return Err("it is signed as someone else");
    }
    if ["at", "kind", "why"].iter().any(|f| field(f).is_none()) {
        return Err("it is not whole");
    }
    let target = field("member")
        .as_ref()
        .and_then(bytes_of)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(MemberId::from_bytes)
        .ok_or("it names no member")?;
    // Hide and restore name a message; remove and readd record a removal or taking back made in this same change.
    let status = |want: &str| {
        edits.iter().any(|e| match (&e.kind, e.path.as_slice()) {
            (EditKind::Put(ScalarValue::Str(s)), [root, who, f]) => {
                root == "members" && *who == target.to_hex() && f == "status" && s.as_str() == want
            }
            _ => false,
        })
    };
    let cutoff =
        || field("cutoff").as_ref().and_then(bytes_of).is_some_and(|b| postcard::from_bytes::<Cutoff>(b).is_ok());
    let no_message = field("message").is_none();
    let kind_name = match field("kind") {
        Some(ScalarValue::Str(k)) => k.to_string(),
        _ => String::new(),
    };
    let consistent = match kind_name.as_str() {
        "hide" | "restore" | "approve" | "erase" => field("message").is_some(),
        "remove" => no_message && status("removed"),
        "readd" => no_message && status("active"),
        "suspend" => no_message && cutoff(),
        "warn" => no_message,
        // A lift names a suspension of the same member that the lifting moderator's phone holds.
        "lift" => {
            no_message
                && field("of").as_ref().and_then(bytes_of).is_some_and(|of| {
                    let suspension = crate::ids::ModerationId::from_bytes(<[u8; 16]>::try_from(of).unwrap_or([0; 16]));
                    let entry =
                        map_at(doc, &ROOT, "modlog", deps).and_then(|l| map_at(doc, &l, &suspension.to_hex(), deps));
                    entry.is_some_and(|e| {
                        matches!(scalar_at(doc, &e, "kind", deps), Some(ScalarValue::Str(k)) if k == "suspend")
                            && scalar_at(doc, &e, "member", deps).as_ref().and_then(bytes_of)
                                == Some(target.as_bytes().as_slice())
                    })
                })
        }
        // Group-wide entries name their own author, who acts on nobody.
        "rules" => no_message && target == *author && field("text").is_some() && cutoff(),
        "policy" => {
            no_message
                && target == *author
                && field("premod").is_some()
                && field("exempt").as_ref().and_then(bytes_of).is_some_and(|b| b.len() % 32 == 0)
                && cutoff()
        }
        _ => false,
    };
    if !consistent {
        return Err("its kind and what the change does disagree");
    }
    if kind_name == "rules" || kind_name == "policy" {
        return Ok(());
    }
    let senior = creator == Some(&target)
        || target == *author
        || (creator != Some(author) && entry_role_at(doc, &target, deps) != Some(Role::Member));
    if senior {
        return Err("it acts on someone not junior to its author");
    }
    Ok(())
}

/// What this change last puts at `path`, if it puts anything there.
fn written<'e>(edits: &'e [Edit], path: &[&str]) -> Option<&'e ScalarValue> {
    edits.iter().rev().find_map(|e| match &e.kind {
        EditKind::Put(v) if e.path.iter().map(String::as_str).eq(path.iter().copied()) => Some(v),
        _ => None,
    })
}

/// The goal `goal` of the group's `goals` map at `deps`, if it exists there.
fn goal_at(doc: &Automerge, goal: &str, deps: &[ChangeHash]) -> Option<automerge::ObjId> {
    map_at(doc, &ROOT, "goals", deps).and_then(|goals| map_at(doc, &goals, goal, deps))
}

/// Whether this change leaves `goals.<goal>.<field>` at `value`: its last write there, so that a change cannot name
/// its author first and someone else after.
fn sets_goal_field(edits: &[Edit], goal: &str, field: &str, value: &ScalarValue) -> bool {
    written(edits, &["goals", goal, field]) == Some(value)
}

/// A new entry in the group's `goals` map: a group goal's key (`group-<id>`) goes with `kind: "group"` set in the
/// same change, within the group's bound on group goals; a shared goal's key never has that kind.
fn check_new_goal_key(
    doc: &Automerge,
    goal: &str,
    edits: &[Edit],
    deps: &[ChangeHash],
) -> std::result::Result<(), &'static str> {
    use crate::schema::group_goals::KEY_PREFIX;
    let group_kind = ScalarValue::Str("group".into());
    let is_group_key = goal.strip_prefix(KEY_PREFIX).is_some_and(|id| id.parse::<crate::ids::GoalId>().is_ok());
    if is_group_key != sets_goal_field(edits, goal, "kind", &group_kind) {
        return Err("whose key and kind disagree");
    }
    if is_group_key {
        let held = map_at(doc, &ROOT, "goals", deps)
            .map_or(0, |goals| doc.keys_at(&goals, deps).filter(|k| k.starts_with(KEY_PREFIX)).count());
        let new = edits
            .iter()
            .filter(|e| e.path.len() == 2 && e.path.first().map(String::as_str) == Some("goals"))
            .filter(|e| e.path.get(1).is_some_and(|k| k.starts_with(KEY_PREFIX)))
            .count();
        if held + new > crate::group_goals::MAX_GROUP_GOALS {
            return Err("beyond the group's bound on group goals");
        }
    }
    Ok(())
}

/// A write under a group goal's `met` map: the map itself only by the goal's proposer as they make the goal, and a
/// mark only on an existing group goal (or one made in this change), only as its author.
fn check_group_goal_mark(
    doc: &Automerge,
    goal: &str,
    rest: &[&str],
    kind: &EditKind,
    author: &MemberId,
    edits: &[Edit],
    deps: &[ChangeHash],
) -> std::result::Result<(), &'static str> {
    let group_kind = ScalarValue::Str("group".into());
    let existing = goal_at(doc, goal, deps);
    let made_here = existing.is_none()
        && sets_goal_field(edits, goal, "owner", &ScalarValue::Bytes(author.as_bytes().to_vec()))
        && sets_goal_field(edits, goal, "kind", &group_kind);
    let is_group_goal =
        made_here || existing.as_ref().is_some_and(|g| scalar_at(doc, g, "kind", deps).as_ref() == Some(&group_kind));
    match (rest, kind) {
        ([], EditKind::MakeMap) if made_here => Ok(()),
        ([], _) => Err("the map is made only with its goal"),
        ([key], EditKind::Put(_)) if is_group_goal => match crate::schema::group_goals::parse_met_key(key) {
            Some((_, member)) if member == *author => Ok(()),
            _ => Err("a mark is written only by the member it names"),
        },
        _ => Err("marks are only on group goals"),
    }
}

/// The group's creator, as its first change recorded it.
fn creator_of(doc: &Automerge, heads: &[ChangeHash]) -> Option<MemberId> {
    member_at(doc, &ROOT, "created_by", heads)
}

/// An admission must name a genuine invitation to this group (as recorded, completed by what the change writes),
/// carry the invitee's proof of possession of its secret, and make the invitee's entry.
fn check_admission(
    doc: &Automerge,
    group: &GroupId,
    key: &str,
    invitee: &MemberId,
    edits: &[Edit],
    deps: &[ChangeHash],
) -> std::result::Result<(), &'static str> {
    let written = |field: &str| written(edits, &["invites", key, field]).cloned();
    let recorded = map_at(doc, &ROOT, "invites", deps).and_then(|invites| map_at(doc, &invites, key, deps));
    let field = |f: &str| written(f).or_else(|| recorded.as_ref().and_then(|r| scalar_at(doc, r, f, deps)));
    let bytes_field = |f: &str| field(f).as_ref().and_then(bytes_of).map(<[u8]>::to_vec);
    let invitation = crate::invite::Invitation {
        group_id: *group,
        group_name: match field("gname") {
            Some(ScalarValue::Str(s)) => s.to_string(),
            _ => String::new(),
        },
        inviter: MemberId::from_bytes(
            bytes_field("by").and_then(|b| b.try_into().ok()).ok_or("the invitation names no inviter")?,
        ),
        expires_at: match field("expires_at") {
            Some(ScalarValue::Timestamp(t)) => t,
            _ => return Err("the invitation has no expiry"),
        },
        key: bytes_field("pk").and_then(|b| b.try_into().ok()).ok_or("the invitation has no key")?,
        signature: bytes_field("sig").and_then(|b| b.try_into().ok()).ok_or("the invitation is not signed")?,
    };
    if invitation.record_key() != key {
        return Err("the invitation is recorded under another key");
    }
    invitation.verify().map_err(|_| "the invitation's signature does not verify")?;
    let proof = written("proof").as_ref().and_then(bytes_of).map(<[u8]>::to_vec).unwrap_or_default();
    invitation.verify_proof(invitee, &proof).map_err(|_| "no valid proof that they hold the invitation")?;
    let makes_entry = edits.iter().any(|e| {
        matches!(e.kind, EditKind::MakeMap)
            && e.path.len() == 2
            && e.path.first().map(String::as_str) == Some("members")
            && e.path.get(1) == Some(&invitee.to_hex())
    });
    if !makes_entry {
        return Err("it makes no member entry");
    }
    Ok(())
}

/// Checks one change to a message segment (`doc` holds the change and everything it depends on). Ingest has already
/// made sure the author owns the segment; this checks the shape: messages that name their author truthfully and
/// reaction entries, nothing else, and no message created twice.
pub(crate) fn check_segment_change(doc: &Automerge, doc_id: &DocId, author: &MemberId, change: &Change) -> Result<()> {
    let edits = edits(doc, doc_id, change)?;
    let who = format!("member {}", author.to_hex().get(..8).unwrap_or("?"));
    let is_message = |key: &str| key.parse::<crate::ids::MessageId>().is_ok();
    let is_reaction = |key: &str| key.strip_prefix('r').is_some_and(|hex| hex.parse::<crate::ids::MessageId>().is_ok());
    let is_ack = |key: &str| crate::schema::segment::acknowledged(key).is_some();
    let new_messages: HashSet<&str> = edits
        .iter()
        .filter_map(|e| match (&e.path[..], &e.kind) {
            ([m], EditKind::MakeMap) if is_message(m) => Some(m.as_str()),
            _ => None,
        })
        .collect();
    for edit in &edits {
        let path: Vec<&str> = edit.path.iter().map(String::as_str).collect();
        if let EditKind::Put(value) = &edit.kind {
            check_value(&path, value)?;
        }
        let allowed = match (path.as_slice(), &edit.kind) {
            // A message map, made by its post (ids are random; the same author re-making one only replaces their own).
            ([m], EditKind::MakeMap) if is_message(m) => true,
            ([m, "by"], EditKind::Put(v)) if is_message(m) => {
                new_messages.contains(m) && bytes_of(v) == Some(author.as_bytes())
            }
            ([m, "at" | "body" | "re" | "edited" | "removed"], EditKind::Put(_) | EditKind::Delete)
                if is_message(m) =>
            {
                true
            }
            // Words are never written into the history (`crate::bodies`), only taken out of older messages.
            ([m, "text" | "cw"], EditKind::Delete) if is_message(m) => true,
            // What the author had seen is said by the post itself, never rewritten later (a rate limit counts it).
            ([m, "seen"], EditKind::Put(_)) if is_message(m) => new_messages.contains(m),
            ([r], EditKind::MakeMap) => is_reaction(r) || is_ack(r),
            ([r, "emoji"], EditKind::Put(_)) => is_reaction(r),
            ([r, "at"], EditKind::Put(_)) => is_reaction(r) || is_ack(r),
            _ => false,
        };
        if !allowed {
            return Err(Refusal::NotPermitted.because(format!("{who} may not write {:?} in their messages", edit.path)));
        }
    }
    Ok(())
}
