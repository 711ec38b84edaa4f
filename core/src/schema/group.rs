//! The group document: what a group is, who is in it, and who may join.
//!
//! Layout: `{ v, name, description, guidelines, created_at: timestamp, created_by: bytes(32), nonce: bytes(16),
//!            members: { <member hex>: { name, role, added_at: timestamp, added_by: bytes(32),
//!                                       removed_at?: timestamp, removed_by?: bytes(32), cutoff?: bytes } },
//!            invites: { <invite hex>: { by: bytes(32), expires_at: timestamp, used_by?: bytes(32), used_at? } },
//!            goals: { <goal hex>: goal } }` (goals as in [`super::goals`]).
//! The creator writes every container in the document's first change; the group id is derived from the creator's
//! key and `nonce` (`GroupId::derive`), so peers can tell the genuine first change from a forged one. Removed
//! members keep their entry (with when, by whom, and the `cutoff`: how far each of their actors had written in each
//! document when they were removed), because their earlier messages stay and their later ones must be recognised.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, ScalarValue};

use super::{DOC_SCHEMA_VERSION, MapReader, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, MemberId};
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
    write_member(tx, doc_id, &g.creator, g.creator_name, Role::Owner, g.at, &g.creator)
}

fn root_map<T: ReadDoc>(doc: &T, doc_id: &DocId, key: &str) -> Result<automerge::ObjId> {
    MapReader::new(doc, doc_id, ROOT)
        .map(key)?
        .ok_or_else(|| Error::document(doc_id, format!("group has no {key} map")))
}

/// The map holding the goals shared with this group.
pub(crate) fn goals_obj<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<automerge::ObjId> {
    root_map(doc, doc_id, "goals")
}

/// Adds a member (a fresh entry, so any earlier removal is gone), or replaces their entry with a new name and role.
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
    tx.put(&entry, "added_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put(&entry, "added_by", bytes(by.as_bytes())).map_err(&err)?;
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
    let members = root_map(tx, doc_id, "members")?;
    let entry =
        MapReader::new(tx, doc_id, members).map(&member.to_hex())?.ok_or_else(|| Error::not_found("member", member))?;
    let cutoff =
        postcard::to_stdvec(&removal.cutoff).map_err(|e| Error::Internal(format!("encoding a cutoff: {e}")))?;
    tx.put(&entry, "removed_at", ScalarValue::Timestamp(removal.at)).map_err(&err)?;
    tx.put(&entry, "removed_by", bytes(removal.by.as_bytes())).map_err(&err)?;
    tx.put(&entry, "cutoff", bytes(&cutoff)).map_err(&err)?;
    Ok(())
}

/// Records an invitation under `key` (derived from its secret; see [`crate::invite`]).
pub(crate) fn write_invite<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    key: &str,
    by: &MemberId,
    expires_at: i64,
) -> Result<()> {
    let err = write_err(doc_id);
    let invites = root_map(tx, doc_id, "invites")?;
    let entry = tx.put_object(&invites, key, ObjType::Map).map_err(&err)?;
    tx.put(&entry, "by", bytes(by.as_bytes())).map_err(&err)?;
    tx.put(&entry, "expires_at", ScalarValue::Timestamp(expires_at)).map_err(&err)?;
    Ok(())
}

/// Admits an invitee: marks the invitation used by them and adds them as a member, in one change.
pub(crate) fn write_admission<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    invite_key: &str,
    invitee: &MemberId,
    name: &str,
    at: i64,
    by: &MemberId,
) -> Result<()> {
    let err = write_err(doc_id);
    let invites = root_map(tx, doc_id, "invites")?;
    let entry = MapReader::new(tx, doc_id, invites)
        .map(invite_key)?
        .ok_or_else(|| Error::not_found("invitation", invite_key))?;
    tx.put(&entry, "used_by", bytes(invitee.as_bytes())).map_err(&err)?;
    tx.put(&entry, "used_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    write_member(tx, doc_id, invitee, name, Role::Member, at, by)
}

fn read_removal<T: ReadDoc>(m: &MapReader<'_, T>, doc_id: &DocId) -> Result<Option<Removal>> {
    let Some(at) = m.opt_int("removed_at")? else { return Ok(None) };
    let cutoff = match m.opt_bytes("cutoff")? {
        Some(bytes) => {
            postcard::from_bytes(&bytes).map_err(|e| Error::document(doc_id, format!("unreadable cutoff: {e}")))?
        }
        None => Cutoff::default(),
    };
    Ok(Some(Removal { at, by: MemberId::from_bytes(m.bytes("removed_by")?), cutoff }))
}

/// Reads one member entry, if there is one.
pub(crate) fn read_member<T: ReadDoc>(doc: &T, doc_id: &DocId, member: &MemberId) -> Result<Option<StoredMember>> {
    let members = MapReader::new(doc, doc_id, root_map(doc, doc_id, "members")?);
    let Some(entry) = members.map(&member.to_hex())? else { return Ok(None) };
    let m = MapReader::new(doc, doc_id, entry);
    let role = m.str("role")?;
    Ok(Some(StoredMember {
        member: *member,
        name: m.str("name")?,
        role: role.parse().map_err(|_| Error::document(doc_id, format!("unknown role {role:?}")))?,
        added_at: m.int("added_at")?,
        added_by: MemberId::from_bytes(m.bytes("added_by")?),
        removal: read_removal(&m, doc_id)?,
    }))
}

/// Reads the group's fields, members and invitations.
pub(crate) fn read<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<StoredGroup> {
    let root = MapReader::new(doc, doc_id, ROOT);
    let members_reader = MapReader::new(doc, doc_id, root_map(doc, doc_id, "members")?);
    let mut members = Vec::new();
    for key in members_reader.keys() {
        let Ok(member) = key.parse::<MemberId>() else { continue };
        if let Some(m) = read_member(doc, doc_id, &member)? {
            members.push(m);
        }
    }
    let mut invites = Vec::new();
    if let Some(obj) = root.map("invites")? {
        let reader = MapReader::new(doc, doc_id, obj);
        for key in reader.keys() {
            let Some(entry) = reader.map(&key)? else { continue };
            let i = MapReader::new(doc, doc_id, entry);
            invites.push(StoredInvite {
                by: MemberId::from_bytes(i.bytes("by")?),
                expires_at: i.int("expires_at")?,
                used_by: i.opt_bytes("used_by")?.and_then(|b| <[u8; 32]>::try_from(b).ok()).map(MemberId::from_bytes),
                key,
            });
        }
    }
    Ok(StoredGroup {
        name: root.str("name")?,
        description: root.opt_str("description")?.unwrap_or_default(),
        guidelines: root.opt_str("guidelines")?.unwrap_or_default(),
        created_at: root.int("created_at")?,
        created_by: MemberId::from_bytes(root.bytes("created_by")?),
        nonce: root.bytes("nonce")?,
        members,
        invites,
    })
}
