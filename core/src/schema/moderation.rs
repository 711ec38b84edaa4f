//! The moderation log inside a group's document: every action a moderator takes, signed by them, never changed or
//! deleted once written.
//!
//! Layout, under the root map `modlog` (made by the first action; concurrent first actions may make two maps, of
//! which Automerge shows one, which is why the log is read from the changes by path, by the group's rules in
//! [`crate::sync::authority`], never from Automerge's merged view): `modlog.<action hex>: { by: bytes(32), at:
//! timestamp, kind: "hide"|"restore"|"remove"|"readd", message?: bytes(16) (hide and restore), member: bytes(32) (the
//! message's author, or the member removed or taken back), why }`. An entry is written whole in one change, a remove
//! or readd in the same change as the removal or taking back it records; the door (`sync::authorize`) refuses any
//! later write to it.

use automerge::transaction::Transactable;
use automerge::{ObjType, ScalarValue};

use super::write_err;
use crate::error::Result;
use crate::ids::{DocId, MemberId, MessageId, ModerationId};
use crate::model::ModerationKind;

/// Longest reason a moderator gives, in characters.
pub const MAX_MODERATION_REASON_CHARS: usize = 500;

/// A moderator's action as a change writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredModeration {
    pub id: ModerationId,
    pub by: MemberId,
    pub at: i64,
    pub kind: ModerationKind,
    pub message: Option<MessageId>,
    pub member: MemberId,
    pub why: String,
}

/// Writes one action into the group's `modlog` map (made if the group has none yet).
pub(crate) fn write_action<T: Transactable>(tx: &mut T, doc_id: &DocId, a: &StoredModeration) -> Result<()> {
    let err = write_err(doc_id);
    let log = super::group::root_map_or_new(tx, doc_id, "modlog")?;
    let entry = tx.put_object(&log, a.id.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&entry, "by", ScalarValue::Bytes(a.by.as_bytes().to_vec())).map_err(&err)?;
    tx.put(&entry, "at", ScalarValue::Timestamp(a.at)).map_err(&err)?;
    tx.put(&entry, "kind", a.kind.as_str()).map_err(&err)?;
    if let Some(message) = &a.message {
        tx.put(&entry, "message", ScalarValue::Bytes(message.as_bytes().to_vec())).map_err(&err)?;
    }
    tx.put(&entry, "member", ScalarValue::Bytes(a.member.as_bytes().to_vec())).map_err(&err)?;
    tx.put(&entry, "why", a.why.as_str()).map_err(&err)?;
    Ok(())
}
