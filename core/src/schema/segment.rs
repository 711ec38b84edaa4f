//! Message segments: a group's history split into bounded Automerge documents.
//!
//! Segment `n` of group `g` is the document with id `g.segment_doc_id(n)`, an id every peer derives the same way, so
//! concurrent peers that start a segment independently start the *same* document and merge without talking. A writer
//! posts into the newest segment it knows of until that segment holds [`SEGMENT_CAPACITY`] messages, then moves to
//! the next. Peers decide with their own view, so a segment can exceed the capacity by what writers posted before
//! they saw it fill: at most the capacity once per writer, which bounds every segment. Loading one segment (the only
//! thing posting, editing or reacting loads) therefore costs a few milliseconds however long the history is.
//!
//! Layout: the root map holds one map per message, keyed by the message id in hex:
//! `{ by: bytes(32) author, at: timestamp, text, re?: bytes(16) reply-to, cw?: content warning,
//!    edited?: timestamp, removed?: true, react: { <member hex>: emoji } }`.
//! Each message map, and its `react` map, is created by the author's post, so no two peers ever create the same
//! container; reactions are keyed by member, so each member has one reaction per message and concurrent reactions
//! from different members never collide.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjType, Patch, Prop, ROOT, ReadDoc, ScalarValue};

use super::{MapReader, put_opt, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId, MessageId};

/// Messages per segment before writers move on to the next one.
pub const SEGMENT_CAPACITY: i64 = 1000;

/// A message as its segment document holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMessage {
    pub id: MessageId,
    pub author: MemberId,
    pub created_at: i64,
    /// `None` once removed.
    pub text: Option<String>,
    pub reply_to: Option<MessageId>,
    pub content_warning: Option<String>,
    pub edited_at: Option<i64>,
    pub removed: bool,
    pub reactions: Vec<(MemberId, String)>,
    /// The actor and sequence number of the change that created the message: who really posted it, and when in
    /// their history (a removed member's posts after their removal are hidden).
    pub origin: Option<(automerge::ActorId, u64)>,
}

/// What a new message says.
#[derive(Debug)]
pub(crate) struct NewMessageFields<'a> {
    pub id: MessageId,
    pub author: MemberId,
    pub at: i64,
    pub text: &'a str,
    pub reply_to: Option<MessageId>,
    pub content_warning: Option<&'a str>,
}

fn message_obj<T: ReadDoc>(doc: &T, doc_id: &DocId, id: &MessageId) -> Result<Option<automerge::ObjId>> {
    MapReader::new(doc, doc_id, ROOT).map(&id.to_hex())
}

/// Writes a new message (and its empty reaction map) in the caller's Automerge transaction.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, doc_id: &DocId, m: &NewMessageFields<'_>) -> Result<()> {
    let err = write_err(doc_id);
    let obj = tx.put_object(ROOT, m.id.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&obj, "by", ScalarValue::Bytes(m.author.as_bytes().to_vec())).map_err(&err)?;
    tx.put(&obj, "at", ScalarValue::Timestamp(m.at)).map_err(&err)?;
    tx.put(&obj, "text", m.text).map_err(&err)?;
    if let Some(reply_to) = m.reply_to {
        tx.put(&obj, "re", ScalarValue::Bytes(reply_to.as_bytes().to_vec())).map_err(&err)?;
    }
    if let Some(cw) = m.content_warning {
        tx.put(&obj, "cw", cw).map_err(&err)?;
    }
    tx.put_object(&obj, "react", ObjType::Map).map_err(&err)?;
    Ok(())
}

/// Replaces a message's text.
pub(crate) fn write_edit<T: Transactable>(tx: &mut T, doc_id: &DocId, id: &MessageId, text: &str, at: i64) -> Result<()> {
    let obj = message_obj(tx, doc_id, id)?.ok_or_else(|| Error::not_found("message", id))?;
    let err = write_err(doc_id);
    tx.put(&obj, "text", text).map_err(&err)?;
    tx.put(&obj, "edited", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Removes a message: deletes its text and content warning from the current state and marks it removed.
///
/// What remains: Automerge keeps every change forever, and the change that posted the message (and any edit) still
/// carries the old text in this document's history, in its snapshots and in other members' copies. Changes are
/// hash-chained and signed by their authors, so dropping one would break every later change's dependencies and the
/// signatures peers verify, and peers would simply send it back. The core therefore never *shows* removed text: the
/// read model, every listing and every export read the current state, where the text is gone, and SQLite overwrites
/// the freed read-model pages (`secure_delete`). Erasing the text from history too needs per-message encryption keys
/// that removal destroys (crypto-shredding); that belongs with encryption at rest.
pub(crate) fn write_removal<T: Transactable>(tx: &mut T, doc_id: &DocId, id: &MessageId, at: i64) -> Result<()> {
    let obj = message_obj(tx, doc_id, id)?.ok_or_else(|| Error::not_found("message", id))?;
    let err = write_err(doc_id);
    put_opt(tx, &obj, "text", None).map_err(&err)?;
    put_opt(tx, &obj, "cw", None).map_err(&err)?;
    tx.put(&obj, "removed", true).map_err(&err)?;
    tx.put(&obj, "edited", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Sets (or, with `None`, clears) `member`'s reaction to a message.
pub(crate) fn write_reaction<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    id: &MessageId,
    member: &MemberId,
    emoji: Option<&str>,
) -> Result<()> {
    let obj = message_obj(tx, doc_id, id)?.ok_or_else(|| Error::not_found("message", id))?;
    let react = MapReader::new(tx, doc_id, obj)
        .map("react")?
        .ok_or_else(|| Error::document(doc_id, format!("message {id} has no reaction map")))?;
    put_opt(tx, &react, &member.to_hex(), emoji.map(ScalarValue::from)).map_err(write_err(doc_id))
}

/// Reads one message, or `None` if this segment does not hold it.
pub(crate) fn read(doc: &automerge::Automerge, doc_id: &DocId, id: &MessageId) -> Result<Option<StoredMessage>> {
    let Some(obj) = message_obj(doc, doc_id, id)? else {
        return Ok(None);
    };
    let origin = doc.hash_for_opid(&obj).and_then(|hash| doc.get_change_meta_by_hash(&hash)).map(|meta| (meta.actor.into_owned(), meta.seq));
    let m = MapReader::new(doc, doc_id, obj);
    let removed = m.bool("removed")?;
    let mut reactions = Vec::new();
    // A removed message shows nothing of itself, reactions included.
    if let Some(react) = m.map("react")?.filter(|_| !removed) {
        let r = MapReader::new(doc, doc_id, react);
        for key in r.keys() {
            // A key that is not a member id cannot have been written by Kindred; skip it rather than fail the message.
            if let (Ok(member), Some(emoji)) = (key.parse::<MemberId>(), r.opt_str(&key)?) {
                reactions.push((member, emoji));
            }
        }
    }
    Ok(Some(StoredMessage {
        id: *id,
        author: MemberId::from_bytes(m.bytes("by")?),
        created_at: m.int("at")?,
        text: if removed { None } else { m.opt_str("text")? },
        reply_to: m.opt_bytes("re")?.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(MessageId::from_bytes),
        content_warning: if removed { None } else { m.opt_str("cw")? },
        edited_at: m.opt_int("edited")?,
        removed,
        reactions,
        origin,
    }))
}

#[cfg_attr(not(feature = "test-exchange"), allow(dead_code))]
/// The messages that a set of patches (from applying remote changes) touched.
pub(crate) fn touched_messages(patches: &[Patch]) -> BTreeSet<MessageId> {
    patches
        .iter()
        .filter_map(|patch| {
            let key = match patch.path.first() {
                Some((_, Prop::Map(key))) => key,
                _ => match &patch.action {
                    automerge::PatchAction::PutMap { key, .. } | automerge::PatchAction::DeleteMap { key } => key,
                    _ => return None,
                },
            };
            key.parse().ok()
        })
        .collect()
}
