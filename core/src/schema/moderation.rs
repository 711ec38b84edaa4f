//! The moderation log inside a group's document: every action a moderator takes, signed by them, never changed or
//! deleted once written.
//!
//! Layout, under the root map `modlog` (made by the first action; concurrent first actions may make two maps, of
//! which Automerge shows one, which is why the log is read from the changes by path, by the group's rules in
//! [`crate::sync::authority`], never from Automerge's merged view): `modlog.<action hex>: { by: bytes(32), at:
//! timestamp, kind, message?: bytes(16), member: bytes(32), why, ...details }`, by kind:
//! - `hide`, `restore`, `approve`: `message` and its author as `member`;
//! - `remove`, `readd`: the member, in the same change as the removal or taking back it records;
//! - `suspend`: the member, `cutoff: bytes` (postcard [`Cutoff`]: how far the suspending moderator's phone had seen
//!   each of the member's devices write in each of the group's documents; only what lies past it is suspended) and,
//!   for a period, `until: timestamp` (by the moderator's clock);
//! - `lift`: the member and `of: bytes(16)`, the suspension lifted;
//! - `rules`: the moderator as `member`, `text` (the rules) and `cutoff` (every member's writing seen: what was
//!   posted before needs no acceptance of this version);
//! - `policy`: the moderator as `member`, `premod: int` (-1 off, 0 always, N: until N approved posts), `exempt:
//!   bytes` (the 32-byte keys of the members then in the group, who are not newcomers), `cutoff`, and `threshold:
//!   int` (how many members' reports hide a message pending review), `rate: int` (a causal rate limit: how many
//!   posts a plain member may make between two messages by others; 0 or absent: none, `crate::posting`) and
//!   `rate_cutoff` (what was posted before the limit was set, which it does not count);
//! - `warn`: the member warned (the words are sealed to them: `crate::reports`).
//!
//! An entry is written whole in one change; the door (`sync::authorize`) refuses any later write to it.

use automerge::transaction::Transactable;
use automerge::{ObjType, ScalarValue};

use super::write_err;
use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId, MessageId, ModerationId};
use crate::model::ModerationKind;
use crate::schema::group::Cutoff;

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
    pub details: ModerationDetails,
}

/// What some kinds of entry carry besides the common fields (see the module's layout).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ModerationDetails {
    pub cutoff: Option<Cutoff>,
    pub until: Option<i64>,
    pub of: Option<[u8; 16]>,
    pub text: Option<String>,
    pub premod: Option<i64>,
    pub exempt: Vec<[u8; 32]>,
    pub threshold: Option<i64>,
    /// A causal rate limit: how many posts a plain member may make between two messages by others (0: none).
    pub rate: Option<i64>,
    /// What the rate limit's setter had seen of the segments: posts within it are not counted against the limit.
    pub rate_cutoff: Option<Cutoff>,
}

/// Most approved posts premoderation can ask of a newcomer.
pub const MAX_PREMOD_POSTS: u32 = 100;

/// Most posts a causal rate limit can allow between two messages by others.
pub const MAX_RATE_POSTS: u32 = 100;

/// Longest cutoff or exemption list an entry may carry, in bytes.
pub const MAX_DETAIL_BYTES: usize = 64 * 1024;

impl ModerationDetails {
    /// Encoded for the read model's `details` column.
    pub(crate) fn encode(&self) -> Result<Vec<u8>> {
        if *self == Self::default() {
            return Ok(Vec::new());
        }
        postcard::to_stdvec(self).map_err(|e| Error::internal(format!("encoding moderation details: {e}")))
    }

    /// Decoded from the read model's `details` column.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Ok(Self::default());
        }
        postcard::from_bytes(bytes)
            .map_err(|e| Error::internal(format!("stored moderation details are unreadable: {e}")))
    }
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
    let d = &a.details;
    if let Some(cutoff) = &d.cutoff {
        let bytes = postcard::to_stdvec(cutoff).map_err(|e| Error::internal(format!("encoding a cutoff: {e}")))?;
        tx.put(&entry, "cutoff", ScalarValue::Bytes(bytes)).map_err(&err)?;
    }
    if let Some(until) = d.until {
        tx.put(&entry, "until", ScalarValue::Timestamp(until)).map_err(&err)?;
    }
    if let Some(of) = d.of {
        tx.put(&entry, "of", ScalarValue::Bytes(of.to_vec())).map_err(&err)?;
    }
    if let Some(text) = &d.text {
        tx.put(&entry, "text", text.as_str()).map_err(&err)?;
    }
    if let Some(premod) = d.premod {
        tx.put(&entry, "premod", ScalarValue::Int(premod)).map_err(&err)?;
        tx.put(&entry, "exempt", ScalarValue::Bytes(d.exempt.concat())).map_err(&err)?;
    }
    if let Some(threshold) = d.threshold {
        tx.put(&entry, "threshold", ScalarValue::Int(threshold)).map_err(&err)?;
    }
    if let Some(rate) = d.rate {
        tx.put(&entry, "rate", ScalarValue::Int(rate)).map_err(&err)?;
    }
    if let Some(cutoff) = &d.rate_cutoff {
        let bytes = postcard::to_stdvec(cutoff).map_err(|e| Error::internal(format!("encoding a cutoff: {e}")))?;
        tx.put(&entry, "rate_cutoff", ScalarValue::Bytes(bytes)).map_err(&err)?;
    }
    Ok(())
}
