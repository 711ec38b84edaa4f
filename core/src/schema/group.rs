//! The group document: what a group is, who is in it, and who may join.
//!
//! Layout: `{ v, name, description, guidelines, created_at: timestamp, created_by: bytes(32), nonce: bytes(16),
//!            members: { <member hex>: { name, role, status: "active" | "removed", added_at: timestamp,
//!                                       added_by: bytes(32), removed_at?, removed_by?, cutoff?: bytes,
//!                                       restored_at?, restored_by? } },
//!            invites: { <invitation key hex>: { by: bytes(32), expires_at: timestamp, gname, pk: bytes(32),
//!                                               sig: bytes(64), used_by?: bytes(32), used_at?, proof?: bytes(64) } },
//!            goals: { <goal hex>: goal },
//!            publishers: { <publisher key hex>: { trusted: bool, by: bytes(32), at: timestamp } },
//!            directories: { <content hash hex>: bytes (a signed resource directory file) } }`
//! (goals as in [`super::goals`]; directories as in [`crate::crisis::directory`]).
//! The creator writes every container in the document's first change; the group id is derived from the creator's
//! key and `nonce` (`GroupId::derive`), so peers can tell the genuine first change from a forged one.
//!
//! A member entry is made once and never replaced or deleted: later changes set its role, mark it removed (with when,
//! by whom, and the `cutoff`: how far each of their actors had written in each document when they were removed) or
//! restored. So every later phone can still verify a removed member's earlier writes. An invitation is recorded as
//! the inviter signed it ([`crate::invite::Invitation`]), and its use with the invitee's proof of possession.
//!
//! What this module writes is what a change *says*; what the group *is* (who holds which role, given every change
//! and the rules) is worked out by [`crate::sync::authority`].

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue};

use super::{DOC_SCHEMA_VERSION, MapReader, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId};
use crate::invite::Invitation;
use crate::model::Role;

/// A group's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredGroup {
    pub name: String,
    pub description: String,
    pub guidelines: String,
    pub created_at: i64,
    pub created_by: MemberId,
    pub nonce: [u8; 16],
    pub members: Vec<StoredMember>,
    pub invites: Vec<StoredInvite>,
    /// The publishers the owner marks trusted to publish resource directories (besides the owner).
    pub trusted_publishers: Vec<MemberId>,
    /// The resource directories in effect: each trusted publisher's (and the owner's) newest file.
    pub directories: Vec<PublishedDirectory>,
    /// The moderation log's entries with effect, in the order the rules replay them.
    pub moderation: Vec<crate::schema::moderation::StoredModeration>,
}

/// A resource directory in effect in a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublishedDirectory {
    pub publisher: MemberId,
    pub version: u64,
    pub content_hash: [u8; 32],
    pub file: Vec<u8>,
}

/// One member entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMember {
    pub member: MemberId,
    pub name: String,
    pub role: Role,
    pub added_at: i64,
    pub added_by: MemberId,
    pub removal: Option<Removal>,
}

/// When and by whom a member was removed, and what of theirs came before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removal {
    pub at: i64,
    pub by: MemberId,
    pub cutoff: Cutoff,
}

/// For each document and each of the removed member's actors, the last sequence number the remover had seen: their
/// changes up to it came before the removal and stay visible; later ones are kept (for causality) but never shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cutoff {
    pub entries: Vec<CutoffEntry>,
}

/// One (document, actor) line of a [`Cutoff`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct CutoffEntry {
    pub doc: [u8; 16],
    pub actor: Vec<u8>,
    pub seq: u64,
}

impl Cutoff {
    /// Whether the change `seq` of `actor` in `doc` came before the removal.
    pub(crate) fn allows(&self, doc: &DocId, actor: &[u8], seq: u64) -> bool {
        self.entries.iter().any(|e| &e.doc == doc.as_bytes() && e.actor == actor && seq <= e.seq)
    }
}

/// An invitation recorded in the group (its code is held by the invitee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredInvite {
    pub key: String,
    pub by: MemberId,
    pub expires_at: i64,
    pub used_by: Option<MemberId>,
}

/// What a new group says about itself.
#[derive(Debug)]
pub(crate) struct NewGroupFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub guidelines: &'a str,
    pub at: i64,
    pub creator: MemberId,
    pub creator_name: &'a str,
    pub nonce: [u8; 16],
}

fn bytes(value: &[u8]) -> ScalarValue {
    ScalarValue::Bytes(value.to_vec())
}

/// Writes a new group document's first change: every field and container, and the creator as owner.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, doc_id: &DocId, g: &NewGroupFields<'_>) -> Result<()> {
    let err = write_err(doc_id);
    tx.put(ROOT, "v", DOC_SCHEMA_VERSION).map_err(&err)?;
    tx.put(ROOT, "name", g.name).map_err(&err)?;
    tx.put(ROOT, "description", g.description).map_err(&err)?;
    tx.put(ROOT, "guidelines", g.guidelines).map_err(&err)?;
    tx.put(ROOT, "created_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put(ROOT, "created_by", bytes(g.creator.as_bytes())).map_err(&err)?;
    tx.put(ROOT, "nonce", bytes(&g.nonce)).map_err(&err)?;
    tx.put_object(ROOT, "members", ObjType::Map).map_err(&err)?;
    tx.put_object(ROOT, "invites", ObjType::Map).map_err(&err)?;
    tx.put_object(ROOT, "goals", ObjType::Map).map_err(&err)?;
    tx.put_object(ROOT, "publishers", ObjType::Map).map_err(&err)?;
    tx.put_object(ROOT, "directories", ObjType::Map).map_err(&err)?;
    write_member(tx, doc_id, &g.creator, g.creator_name, Role::Owner, g.at, &g.creator)
}

fn root_map<T: ReadDoc>(doc: &T, doc_id: &DocId, key: &str) -> Result<automerge::ObjId> {
    MapReader::new(doc, doc_id, ROOT)
        .map(key)?
        .ok_or_else(|| Error::document(doc_id, format!("group has no {key} map")))
}

/// The root map `key`, made if this document has none (a group created before it existed). Two phones making it
/// concurrently make two maps of which Automerge shows one; nothing is lost, because what the group holds is read
/// from the changes by path ([`crate::sync::authority`]), never from Automerge's merged view.
pub(crate) fn root_map_or_new<T: Transactable>(tx: &mut T, doc_id: &DocId, key: &str) -> Result<automerge::ObjId> {
    match MapReader::new(tx, doc_id, ROOT).map(key)? {
        Some(map) => Ok(map),
        None => tx.put_object(ROOT, key, ObjType::Map).map_err(write_err(doc_id)),
    }
}

/// Marks a resource directory publisher trusted by the group (or no longer): the owner's right.
pub(crate) fn write_publisher_trust<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    publisher: &MemberId,
    trusted: bool,
    at: i64,
    by: &MemberId,
) -> Result<()> {
    let err = write_err(doc_id);
    let publishers = root_map_or_new(tx, doc_id, "publishers")?;
    let entry = match MapReader::new(tx, doc_id, publishers.clone()).map(&publisher.to_hex())? {
        Some(entry) => entry,
        None => tx.put_object(&publishers, publisher.to_hex(), ObjType::Map).map_err(&err)?,
    };
    tx.put(&entry, "trusted", trusted).map_err(&err)?;
    tx.put(&entry, "by", bytes(by.as_bytes())).map_err(&err)?;
    tx.put(&entry, "at", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Publishes a signed resource directory file into the group, under its content hash (so concurrent publications
/// never touch the same key, and the same file published twice is one entry).
pub(crate) fn write_directory<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    content_hash: &[u8; 32],
    file: &[u8],
) -> Result<()> {
    let directories = root_map_or_new(tx, doc_id, "directories")?;
    tx.put(&directories, hex::encode(content_hash), bytes(file)).map_err(write_err(doc_id))?;
    Ok(())
}

/// The map holding the goals shared with this group.
pub(crate) fn goals_obj<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<automerge::ObjId> {
    root_map(doc, doc_id, "goals")
}

/// Makes a member entry (for a key that has none: entries are never replaced).
pub(crate) fn write_member<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    member: &MemberId,
    name: &str,
    role: Role,
    at: i64,
    by: &MemberId,
) -> Result<()> {
    let err = write_err(doc_id);
    let members = root_map(tx, doc_id, "members")?;
    let entry = tx.put_object(&members, member.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&entry, "name", name).map_err(&err)?;
    tx.put(&entry, "role", role.as_str()).map_err(&err)?;
    tx.put(&entry, "status", "active").map_err(&err)?;
    tx.put(&entry, "added_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put(&entry, "added_by", bytes(by.as_bytes())).map_err(&err)?;
    Ok(())
}

fn entry_of<T: Transactable>(tx: &T, doc_id: &DocId, member: &MemberId) -> Result<automerge::ObjId> {
    let members = root_map(tx, doc_id, "members")?;
    MapReader::new(tx, doc_id, members).map(&member.to_hex())?.ok_or_else(|| Error::not_found("member", member))
}

/// Gives an existing member another role (the owner's right).
pub(crate) fn write_role<T: Transactable>(tx: &mut T, doc_id: &DocId, member: &MemberId, role: Role) -> Result<()> {
    let entry = entry_of(tx, doc_id, member)?;
    tx.put(&entry, "role", role.as_str()).map_err(write_err(doc_id))?;
    Ok(())
}

/// Takes a removed member back (an explicit re-add: their entry, role and history stay as they were).
pub(crate) fn write_restore<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    member: &MemberId,
    at: i64,
    by: &MemberId,
) -> Result<()> {
    let err = write_err(doc_id);
    let entry = entry_of(tx, doc_id, member)?;
    tx.put(&entry, "status", "active").map_err(&err)?;
    tx.put(&entry, "restored_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put(&entry, "restored_by", bytes(by.as_bytes())).map_err(&err)?;
    Ok(())
}

/// Replaces the group's guidelines (a new rules version writes its text here too, for readers of the document).
pub(crate) fn write_guidelines<T: Transactable>(tx: &mut T, doc_id: &DocId, text: &str) -> Result<()> {
    tx.put(ROOT, "guidelines", text).map_err(write_err(doc_id))?;
    Ok(())
}

/// Marks a member removed, recording the cutoff of what they wrote before.
pub(crate) fn write_removal<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    member: &MemberId,
    removal: &Removal,
) -> Result<()> {
    let err = write_err(doc_id);
    let entry = entry_of(tx, doc_id, member)?;
    let cutoff =
        postcard::to_stdvec(&removal.cutoff).map_err(|e| Error::internal(format!("encoding a cutoff: {e}")))?;
    tx.put(&entry, "removed_at", ScalarValue::Timestamp(removal.at)).map_err(&err)?;
    tx.put(&entry, "removed_by", bytes(removal.by.as_bytes())).map_err(&err)?;
    tx.put(&entry, "cutoff", bytes(&cutoff)).map_err(&err)?;
    tx.put(&entry, "status", "removed").map_err(&err)?;
    Ok(())
}

/// Records an invitation as its inviter signed it, under its public key.
pub(crate) fn write_invite<T: Transactable>(tx: &mut T, doc_id: &DocId, invitation: &Invitation) -> Result<()> {
    let err = write_err(doc_id);
    let invites = root_map(tx, doc_id, "invites")?;
    let entry = tx.put_object(&invites, invitation.record_key(), ObjType::Map).map_err(&err)?;
    tx.put(&entry, "by", bytes(invitation.inviter.as_bytes())).map_err(&err)?;
    tx.put(&entry, "expires_at", ScalarValue::Timestamp(invitation.expires_at)).map_err(&err)?;
    tx.put(&entry, "gname", invitation.group_name.as_str()).map_err(&err)?;
    tx.put(&entry, "pk", bytes(&invitation.key)).map_err(&err)?;
    tx.put(&entry, "sig", bytes(&invitation.signature)).map_err(&err)?;
    Ok(())
}

/// Admits an invitee in one change: records the invitation if this document has not seen it yet, marks it used by
/// the invitee with their proof of possession, and makes their member entry.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_admission<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    invitation: &Invitation,
    proof: &[u8; 64],
    invitee: &MemberId,
    name: &str,
    at: i64,
    by: &MemberId,
) -> Result<()> {
    let err = write_err(doc_id);
    let invites = root_map(tx, doc_id, "invites")?;
    let key = invitation.record_key();
    let entry = match MapReader::new(tx, doc_id, invites).map(&key)? {
        Some(entry) => entry,
        None => {
            write_invite(tx, doc_id, invitation)?;
            let invites = root_map(tx, doc_id, "invites")?;
            MapReader::new(tx, doc_id, invites)
                .map(&key)?
                .ok_or_else(|| Error::not_found("invitation", "its entry is missing"))?
        }
    };
    tx.put(&entry, "used_by", bytes(invitee.as_bytes())).map_err(&err)?;
    tx.put(&entry, "used_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put(&entry, "proof", bytes(proof)).map_err(&err)?;
    write_member(tx, doc_id, invitee, name, Role::Member, at, by)
}
