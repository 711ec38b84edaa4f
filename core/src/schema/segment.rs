//! Message segments: each member's messages in a group, split into bounded Automerge documents.
//!
//! Segment `n` of member `m` in group `g` is the document `g.segment_doc_id(m, n)`, an id every peer derives the same
//! way. Only `m` writes it (from any of their devices): a member posts into their newest segment until it holds
//! [`SEGMENT_CAPACITY`] entries, then starts the next. So a segment is bounded, loading one (the only thing posting,
//! editing or reacting loads) costs a few milliseconds however long the history is, and no two members ever write
//! the same document. That last property is what keeps sync converging among honest members even when one member
//! misbehaves: their changes never depend on anyone else's, so a forged or forked history of one member can be
//! refused without stranding anybody else's messages.
//!
//! Layout: the root map holds one entry per message and one per reaction:
//! - `<message hex>`: `{ at: timestamp, body?: bytes(32), re?: bytes(16) reply-to, edited?: timestamp, removed?:
//!   true, seen?: bytes(16) }`. The message's words (text and content warning) travel beside the history and can be
//!   erased (`crate::bodies`): a post's id is the first 16 bytes of the SHA-256 of its first body, so the history
//!   names that body at no cost; an edit writes `body`, the whole SHA-256 of the new one; an erasure deletes `body`
//!   and sets `removed`. `seen` (written only by the post itself) names the newest message by someone else its author's phone
//!   held: what a causal rate limit counts (`crate::posting`). The author is the segment's; a `by: bytes(32)` naming
//!   them may be present (messages written before bodies carried it, and their words inline as `text` and `cw`,
//!   which are read but never written now);
//! - `r<message hex>`: the author's reaction to that message (in any member's segment): `{ emoji, at }`, where an
//!   empty emoji means "taken back". A member has one reaction per message: the newest by `at` counts.
//!
//! - `a<entry hex>`: `{ at }`, the author's acknowledgment of an entry of the group's moderation log: that they
//!   accepted a version of the group's rules, or saw their suspension lifted. A post counts under the group's rules
//!   only with the acknowledgments it needs in its causal past (`crate::posting`): what an author writes there is
//!   a signed statement that they had seen the entry, which they cannot make before it exists (its id is random).
//!
//! Each message map is created by its post; nothing is ever created twice.

use std::collections::{BTreeSet, HashMap};

use automerge::transaction::Transactable;
use automerge::{ObjType, Patch, Prop, ROOT, ReadDoc, ScalarValue, hydrate};

use super::{MapReader, put_opt, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId, MessageId, ModerationId};

/// Entries (messages and reactions) per segment before its author moves on to the next one.
pub const SEGMENT_CAPACITY: i64 = 1000;

/// A message as its segment document holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMessage {
    pub id: MessageId,
    pub author: MemberId,
    pub created_at: i64,
    /// The name of the words now (`crate::bodies::BodyName`); `None` once erased (and for words written inline).
    pub body: Option<crate::bodies::BodyName>,
    /// Words written inline by an older version (`None` for bodies, and once removed).
    pub text: Option<String>,
    pub reply_to: Option<MessageId>,
    pub content_warning: Option<String>,
    pub edited_at: Option<i64>,
    pub removed: bool,
    /// The actor and sequence number of the change that created the message: who really posted it, and when in
    /// their history (a removed member's posts after their removal are hidden).
    pub origin: Option<(automerge::ActorId, u64)>,
    /// The hash of that change.
    pub origin_hash: Option<automerge::ChangeHash>,
    /// The newest message by someone else its author had seen when posting, as the post says.
    pub seen: Option<MessageId>,
}

/// A reaction entry: the segment's author's reaction to `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredReaction {
    pub target: MessageId,
    /// `None`: taken back.
    pub emoji: Option<String>,
    pub at: i64,
}

/// What a new message's map says (its words go in a body whose hash its id starts with, `crate::bodies`).
#[derive(Debug)]
pub(crate) struct NewMessageFields {
    pub id: MessageId,
    pub at: i64,
    pub reply_to: Option<MessageId>,
    pub seen: Option<MessageId>,
}

fn message_obj<T: ReadDoc>(doc: &T, doc_id: &DocId, id: &MessageId) -> Result<Option<automerge::ObjId>> {
    MapReader::new(doc, doc_id, ROOT).map(&id.to_hex())
}

fn reaction_key(target: &MessageId) -> String {
    format!("r{}", target.to_hex())
}

/// Writes a new message in the caller's Automerge transaction: the message map and its fields in one batch (the
/// same operations as a `put_object` followed by a `put` per field, inserted together instead of one search and
/// splice of the document's operations each).
pub(crate) fn write_new<T: Transactable>(tx: &mut T, doc_id: &DocId, m: &NewMessageFields) -> Result<()> {
    let scalar = |value: ScalarValue| hydrate::Value::Scalar(value);
    let mut fields: HashMap<&str, hydrate::Value> = HashMap::with_capacity(3);
    fields.insert("at", scalar(ScalarValue::Timestamp(m.at)));
    if let Some(reply_to) = m.reply_to {
        fields.insert("re", scalar(ScalarValue::Bytes(reply_to.as_bytes().to_vec())));
    }
    if let Some(seen) = m.seen {
        fields.insert("seen", scalar(ScalarValue::Bytes(seen.as_bytes().to_vec())));
    }
    tx.batch_create_object(ROOT, m.id.to_hex(), &hydrate::Value::Map(fields.into()), false)
        .map_err(write_err(doc_id))?;
    Ok(())
}

/// Replaces a message's words: its map names the new body.
pub(crate) fn write_edit<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    id: &MessageId,
    body: &crate::bodies::BodyHash,
    at: i64,
) -> Result<()> {
    let obj = message_obj(tx, doc_id, id)?.ok_or_else(|| Error::not_found("message", id))?;
    let err = write_err(doc_id);
    tx.put(&obj, "body", ScalarValue::Bytes(body.to_vec())).map_err(&err)?;
    tx.put(&obj, "edited", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Erases a message: deletes the hash of its words from its map and marks it removed (a placeholder stays, so
/// replies still make sense). The words themselves were never in the history: every phone that receives this drops
/// them (`crate::bodies`).
pub(crate) fn write_removal<T: Transactable>(tx: &mut T, doc_id: &DocId, id: &MessageId, at: i64) -> Result<()> {
    let obj = message_obj(tx, doc_id, id)?.ok_or_else(|| Error::not_found("message", id))?;
    let err = write_err(doc_id);
    put_opt(tx, &obj, "body", None).map_err(&err)?;
    // Words an older version wrote inline leave the current state too (their history cannot be erased).
    put_opt(tx, &obj, "text", None).map_err(&err)?;
    put_opt(tx, &obj, "cw", None).map_err(&err)?;
    tx.put(&obj, "removed", true).map_err(&err)?;
    tx.put(&obj, "edited", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Writes this segment's author's reaction to `target` (`None` takes it back), in the author's current segment.
pub(crate) fn write_reaction<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    target: &MessageId,
    emoji: Option<&str>,
    at: i64,
) -> Result<()> {
    let err = write_err(doc_id);
    let key = reaction_key(target);
    let entry = match MapReader::new(tx, doc_id, ROOT).map(&key)? {
        Some(entry) => entry,
        None => tx.put_object(ROOT, key, ObjType::Map).map_err(&err)?,
    };
    tx.put(&entry, "emoji", emoji.unwrap_or("")).map_err(&err)?;
    tx.put(&entry, "at", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Reads one message of `author`'s segment, or `None` if this segment does not hold it.
pub(crate) fn read(
    doc: &automerge::Automerge,
    doc_id: &DocId,
    author: &MemberId,
    id: &MessageId,
) -> Result<Option<StoredMessage>> {
    let Some(obj) = message_obj(doc, doc_id, id)? else {
        return Ok(None);
    };
    let origin_hash = doc.hash_for_opid(&obj);
    let origin =
        origin_hash.and_then(|hash| doc.get_change_meta_by_hash(&hash)).map(|meta| (meta.actor.into_owned(), meta.seq));
    let m = MapReader::all_fields(doc, doc_id, obj);
    let removed = m.bool("removed")?;
    let author = match m.opt_bytes("by")? {
        Some(_) => MemberId::from_bytes(m.bytes("by")?),
        None => *author,
    };
    Ok(Some(StoredMessage {
        id: *id,
        author,
        created_at: m.int("at")?,
        body: if removed {
            None
        } else {
            match m.opt_bytes("body")?.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                Some(hash) => Some(crate::bodies::BodyName::Hash(hash)),
                None if m.opt_str("text")?.is_none() => Some(crate::bodies::BodyName::Id(*id.as_bytes())),
                None => None,
            }
        },
        text: if removed { None } else { m.opt_str("text")? },
        reply_to: m.opt_bytes("re")?.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(MessageId::from_bytes),
        content_warning: if removed { None } else { m.opt_str("cw")? },
        edited_at: m.opt_int("edited")?,
        removed,
        origin,
        origin_hash,
        seen: m.opt_bytes("seen")?.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(MessageId::from_bytes),
    }))
}

/// Reads this segment's author's reaction to `target`, if this segment holds one.
pub(crate) fn read_reaction<T: ReadDoc>(doc: &T, doc_id: &DocId, target: &MessageId) -> Result<Option<StoredReaction>> {
    let Some(entry) = MapReader::new(doc, doc_id, ROOT).map(&reaction_key(target))? else {
        return Ok(None);
    };
    let r = MapReader::all_fields(doc, doc_id, entry);
    let emoji = r.opt_str("emoji")?.filter(|e| !e.is_empty());
    Ok(Some(StoredReaction { target: *target, emoji, at: r.int("at")? }))
}

/// A set of message ids, inserted one by one: `collect` and `From<[_; N]>` sort first, which would be one more sort
/// instantiation in the phone library for what is nearly always a single id.
pub(crate) fn ids(ids: impl IntoIterator<Item = MessageId>) -> BTreeSet<MessageId> {
    let mut set = BTreeSet::new();
    for id in ids {
        set.insert(id);
    }
    set
}

/// What a set of patches (from applying changes) touched: messages, and reactions by their target.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub messages: BTreeSet<MessageId>,
    pub reactions: BTreeSet<MessageId>,
    /// Whether an acknowledgment was written (what the author's later posts may rest on).
    pub acknowledged: bool,
}

/// The moderation log entry a root key acknowledges, if it is an acknowledgment.
pub(crate) fn acknowledged(key: &str) -> Option<ModerationId> {
    key.strip_prefix('a').and_then(|hex| hex.parse().ok())
}

fn ack_key(entry: &ModerationId) -> String {
    format!("a{}", entry.to_hex())
}

/// Writes this segment's author's acknowledgment of a moderation log entry, unless the segment holds it; returns
/// whether it wrote one.
pub(crate) fn write_ack<T: Transactable>(tx: &mut T, doc_id: &DocId, entry: &ModerationId, at: i64) -> Result<bool> {
    let key = ack_key(entry);
    if MapReader::new(tx, doc_id, ROOT).map(&key)?.is_some() {
        return Ok(false);
    }
    let err = write_err(doc_id);
    let obj = tx.put_object(ROOT, key, ObjType::Map).map_err(&err)?;
    tx.put(&obj, "at", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(true)
}

/// Whether an acknowledgment of `entry` is in the causal past of the change `at` (inclusive), which is change `seq`
/// of `actor`. An acknowledgment made by the same device is in the past exactly when its change comes no later in that
/// device's chain (two lookups); one made by another device of the member is looked up in the history at `at`.
pub(crate) fn acknowledged_at(
    doc: &automerge::Automerge,
    entry: &ModerationId,
    at: automerge::ChangeHash,
    actor: &automerge::ActorId,
    seq: u64,
) -> bool {
    let key = ack_key(entry);
    crate::am::catch(|| {
        let Ok(acks) = doc.get_all(ROOT, key.as_str()) else { return false };
        acks.iter().any(|(_, ack)| {
            let Some(hash) = doc.hash_for_opid(ack) else { return false };
            match doc.get_change_meta_by_hash(&hash) {
                _ if hash == at => true,
                Some(meta) if meta.actor.as_ref() == actor => meta.seq <= seq,
                _ => matches!(doc.get_at(ROOT, key.as_str(), &[at]), Ok(Some(_))),
            }
        })
    })
    .unwrap_or(false)
}

/// The moderation log entries a segment acknowledges.
pub(crate) fn acknowledgments<T: ReadDoc>(doc: &T) -> Vec<ModerationId> {
    doc.keys(ROOT).filter_map(|k| acknowledged(&k)).collect()
}

/// Sorts root keys into messages and reactions.
fn classify(touched: &mut Touched, key: &str) {
    if acknowledged(key).is_some() {
        touched.acknowledged = true;
    } else if let Some(target) = key.strip_prefix('r').and_then(|hex| hex.parse().ok()) {
        touched.reactions.insert(target);
    } else if let Ok(id) = key.parse() {
        touched.messages.insert(id);
    }
}

/// The messages and reactions that a set of patches touched.
pub(crate) fn touched(patches: &[Patch]) -> Touched {
    let mut out = Touched::default();
    for patch in patches {
        match patch.path.first() {
            Some((_, Prop::Map(key))) => classify(&mut out, key),
            _ => match &patch.action {
                automerge::PatchAction::PutMap { key, .. } | automerge::PatchAction::DeleteMap { key } => {
                    classify(&mut out, key)
                }
                _ => {}
            },
        }
    }
    out
}

/// Every message and reaction in a segment.
pub(crate) fn everything<T: ReadDoc>(doc: &T) -> Touched {
    let mut out = Touched::default();
    for key in doc.keys(ROOT) {
        classify(&mut out, &key);
    }
    out
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, Automerge, ROOT, ReadDoc, ScalarValue};

    use super::*;

    fn post(doc: &mut Automerge, doc_id: &DocId, fields: &NewMessageFields) {
        let mut tx = doc.transaction();
        write_new(&mut tx, doc_id, fields).unwrap();
        tx.commit();
    }

    /// The batched write makes the message map and the fields a `put` each would make: read back here, and on a
    /// peer that applies the change.
    #[test]
    fn a_new_message_reads_back_here_and_on_a_peer() {
        let doc_id = DocId::from_bytes([7; 16]);
        let author = MemberId::from_bytes([3; 32]);
        let mut doc = Automerge::new().with_actor(ActorId::from([1u8; 16]));
        let replied = MessageId::from_bytes([5; 16]);
        let plain =
            NewMessageFields { seen: None, id: MessageId::from_bytes([9; 16]), at: 1_700_000_000_000, reply_to: None };
        let full = NewMessageFields {
            seen: Some(plain.id),
            id: MessageId::from_bytes([10; 16]),
            at: 1_700_000_000_001,
            reply_to: Some(replied),
        };
        post(&mut doc, &doc_id, &plain);
        post(&mut doc, &doc_id, &full);

        let mut peer = Automerge::new();
        peer.apply_changes(doc.get_changes(&[])).unwrap();
        for d in [&doc, &peer] {
            assert_eq!(d.length(ROOT), 2);
            let m = read(d, &doc_id, &author, &plain.id).unwrap().unwrap();
            assert_eq!(
                (m.author, m.created_at, m.body, m.text, m.reply_to, m.removed),
                (author, plain.at, Some(crate::bodies::BodyName::Id([9; 16])), None, None, false)
            );
            let m = read(d, &doc_id, &author, &full.id).unwrap().unwrap();
            let named = Some(crate::bodies::BodyName::Id([10; 16]));
            assert_eq!((m.body, m.reply_to, m.seen, m.edited_at), (named, Some(replied), Some(plain.id), None));
            // The map holds no words: its id names its first body.
            let obj = d.get(ROOT, full.id.to_hex()).unwrap().unwrap().1;
            assert_eq!(d.keys(&obj).collect::<Vec<_>>(), ["at", "re", "seen"]);
            assert_eq!(d.get(&obj, "at").unwrap().unwrap().0.as_scalar(), Some(&ScalarValue::Timestamp(full.at)));
        }
        // The creating change is the message's origin, as for a field-by-field write.
        let m = read(&peer, &doc_id, &author, &full.id).unwrap().unwrap();
        assert_eq!(m.origin, Some((ActorId::from([1u8; 16]), 2)));
    }

    /// Reading a whole map at once answers exactly as field-by-field lookups, conflicts included.
    #[test]
    fn reading_all_fields_at_once_agrees_with_lookups_under_conflicts() {
        let doc_id = DocId::from_bytes([7; 16]);
        let mut a = Automerge::new().with_actor(ActorId::from([1u8; 16]));
        let obj = {
            let mut tx = a.transaction();
            let obj = tx.put_object(ROOT, "m", automerge::ObjType::Map).unwrap();
            tx.put(&obj, "text", "first").unwrap();
            tx.put(&obj, "at", ScalarValue::Timestamp(1)).unwrap();
            tx.commit();
            obj
        };
        let mut b = a.fork().with_actor(ActorId::from([2u8; 16]));
        for (doc, text) in [(&mut a, "from a"), (&mut b, "from b")] {
            let mut tx = doc.transaction();
            tx.put(&obj, "text", text).unwrap();
            tx.put(&obj, "removed", true).unwrap();
            tx.commit();
        }
        a.merge(&mut b).unwrap();
        let one_by_one = MapReader::new(&a, &doc_id, obj.clone());
        let at_once = MapReader::all_fields(&a, &doc_id, obj);
        for key in ["text", "missing"] {
            assert_eq!(one_by_one.opt_str(key).unwrap(), at_once.opt_str(key).unwrap());
        }
        assert_eq!(at_once.opt_str("text").unwrap().as_deref(), Some("from b"));
        assert_eq!(one_by_one.int("at").unwrap(), at_once.int("at").unwrap());
        assert_eq!(one_by_one.bool("removed").unwrap(), at_once.bool("removed").unwrap());
        assert!(at_once.opt_str("at").is_err() && one_by_one.opt_str("at").is_err());
    }
}
