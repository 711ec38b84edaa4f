//! Reading a group-document change as the trust rules see it: its writes (paths and values, decoded from its
//! operations) and the actions they amount to (create, details, goal, own name, invite, admit, add, set a role,
//! remove, restore, trust a directory publisher, publish a directory, moderate, or something no rule allows).

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Change, ObjType, ScalarValue};

use crate::ids::MemberId;
use crate::model::Role;

/// One write of a change, with its path from the root (the last key is the property).
#[derive(Debug, Clone)]
pub(super) struct Write {
    pub path: Vec<String>,
    pub value: Option<ScalarValue>,
    pub makes_map: bool,
}

/// What one change wants to do, in the rules' terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    Create,
    Details,
    Goal,
    OwnName,
    Invite {
        key: String,
    },
    Admit {
        invitee: MemberId,
        key: String,
    },
    Add {
        member: MemberId,
        role: Role,
    },
    SetRole {
        member: MemberId,
        role: Role,
    },
    Remove {
        member: MemberId,
    },
    Restore {
        member: MemberId,
    },
    /// Marks directory publishers trusted or not (writes under `publishers`).
    Publishers,
    /// Publishes resource directories (writes under `directories`).
    Directories,
    /// Writes one entry of the moderation log (under `modlog`; `key` empty for the log's own map).
    Moderate {
        key: String,
    },
    /// Something no rule allows.
    Unknown,
}

/// Decodes a change's operations into writes, resolving object ids through `objects` (object id -> path), which it
/// extends with the maps the change makes. Changes must come in causal order.
pub(super) fn writes_of(change: &Change, objects: &mut HashMap<String, Vec<String>>) -> Option<Vec<Write>> {
    let expanded = crate::am::catch(|| change.decode()).ok()?;
    let actor = change.actor_id().to_hex_string();
    let start = expanded.start_op.get();
    let mut out = Vec::with_capacity(expanded.operations.len());
    for (i, op) in expanded.operations.iter().enumerate() {
        let mut path = match &op.obj {
            ObjectId::Root => Vec::new(),
            ObjectId::Id(id) => objects.get(&format!("{}@{}", id.0, id.1.to_hex_string()))?.clone(),
        };
        match &op.key {
            Key::Map(key) => path.push(key.to_string()),
            Key::Seq(_) => return None,
        }
        let (value, makes_map) = match &op.action {
            OpType::Make(ObjType::Map) => {
                objects.insert(format!("{}@{actor}", start + i as u64), path.clone());
                (None, true)
            }
            OpType::Put(value) => (Some(value.clone()), false),
            OpType::Delete => (None, false),
            _ => return None,
        };
        out.push(Write { path, value, makes_map });
    }
    Some(out)
}

fn member_key(s: &str) -> Option<MemberId> {
    s.parse().ok()
}

pub(super) fn bytes_of(value: Option<&ScalarValue>) -> Option<&[u8]> {
    match value {
        Some(ScalarValue::Bytes(b)) => Some(b),
        _ => None,
    }
}

pub(super) fn str_of(value: Option<&ScalarValue>) -> Option<&str> {
    match value {
        Some(ScalarValue::Str(s)) => Some(s),
        _ => None,
    }
}

pub(super) fn time_of(value: Option<&ScalarValue>) -> Option<i64> {
    match value {
        Some(ScalarValue::Timestamp(t) | ScalarValue::Int(t)) => Some(*t),
        _ => None,
    }
}

/// The value a change puts at `path`, if it does.
pub(super) fn put<'w>(writes: &'w [Write], path: &[&str]) -> Option<&'w ScalarValue> {
    writes
        .iter()
        .rev()
        .find(|w| w.path.iter().map(String::as_str).eq(path.iter().copied()))
        .and_then(|w| w.value.as_ref())
}

/// Reads what a change does, as actions (a change may do several: an admission records an invitation, marks it used
/// and makes the entry).
pub(super) fn actions_of(writes: &[Write], is_first: bool) -> Vec<Action> {
    if is_first {
        return vec![Action::Create];
    }
    let mut actions = Vec::new();
    let push = |a: Action, actions: &mut Vec<Action>| {
        if !actions.contains(&a) {
            actions.push(a);
        }
    };
    let admitted: Vec<(String, MemberId)> = writes
        .iter()
        .filter_map(|w| match (w.path.iter().map(String::as_str).collect::<Vec<_>>().as_slice(), &w.value) {
            (["invites", key, "used_by"], Some(ScalarValue::Bytes(b))) => {
                Some(((*key).to_owned(), MemberId::from_bytes(<[u8; 32]>::try_from(b.as_slice()).ok()?)))
            }
            _ => None,
        })
        .collect();
    for w in writes {
        let path: Vec<&str> = w.path.iter().map(String::as_str).collect();
        let action = match path.as_slice() {
            ["name" | "description" | "guidelines"] if w.value.is_some() => Action::Details,
            ["goals", _, ..] => Action::Goal,
            ["publishers", ..] => Action::Publishers,
            ["directories", ..] => Action::Directories,
            ["modlog"] => Action::Moderate { key: String::new() },
            ["modlog", key, ..] => Action::Moderate { key: (*key).to_owned() },
            ["invites", key, ..] => match admitted.iter().find(|(k, _)| k == key) {
                Some((key, invitee)) => Action::Admit { invitee: *invitee, key: key.clone() },
                None => Action::Invite { key: (*key).to_owned() },
            },
            ["members", target, rest @ ..] => {
                let Some(member) = member_key(target) else {
                    push(Action::Unknown, &mut actions);
                    continue;
                };
                let creates =
                    writes.iter().any(|x| x.makes_map && x.path.iter().map(String::as_str).eq(["members", *target]));
                if let Some((key, _)) = admitted.iter().find(|(_, m)| *m == member) {
                    Action::Admit { invitee: member, key: key.clone() }
                } else if creates {
                    let role = str_of(put(writes, &["members", target, "role"])).and_then(|r| r.parse().ok());
                    match role {
                        Some(role) => Action::Add { member, role },
                        None => Action::Unknown,
                    }
                } else {
                    match rest {
                        ["name"] if w.value.is_some() => Action::OwnName,
                        ["role"] => match str_of(w.value.as_ref()).and_then(|r| r.parse().ok()) {
                            Some(role) => Action::SetRole { member, role },
                            None => Action::Unknown,
                        },
                        ["removed_at" | "removed_by" | "cutoff"] => Action::Remove { member },
                        ["status"] => match str_of(w.value.as_ref()) {
                            Some("removed") => Action::Remove { member },
                            Some("active") => Action::Restore { member },
                            _ => Action::Unknown,
                        },
                        ["restored_at" | "restored_by"] => Action::Restore { member },
                        _ => Action::Unknown,
                    }
                }
            }
            _ => Action::Unknown,
        };
        push(action, &mut actions);
    }
    actions
}
