//! The group document: what a group is and who is in it.
//!
//! Layout: `{ v, name, description, guidelines, created_at: timestamp, created_by: bytes(32),
//!            members: { <member hex>: { name, role, added_at: timestamp, added_by: bytes(32) } },
//!            goals: { <goal hex>: goal } }` (goals as in [`super::goals`]).
//! The creator writes every container in the document's first change; later changes only set keys inside them.

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
    pub members: Vec<StoredMember>,
}

/// One member entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMember {
    pub member: MemberId,
    pub name: String,
    pub role: Role,
    pub added_at: i64,
    pub added_by: MemberId,
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
}

/// Writes a new group document's first change: every field and container, and the creator as owner.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, doc_id: &DocId, g: &NewGroupFields<'_>) -> Result<()> {
    let err = write_err(doc_id);
    tx.put(ROOT, "v", DOC_SCHEMA_VERSION).map_err(&err)?;
    tx.put(ROOT, "name", g.name).map_err(&err)?;
    tx.put(ROOT, "description", g.description).map_err(&err)?;
    tx.put(ROOT, "guidelines", g.guidelines).map_err(&err)?;
    tx.put(ROOT, "created_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put(ROOT, "created_by", ScalarValue::Bytes(g.creator.as_bytes().to_vec())).map_err(&err)?;
    tx.put_object(ROOT, "members", ObjType::Map).map_err(&err)?;
    tx.put_object(ROOT, "goals", ObjType::Map).map_err(&err)?;
    write_member(tx, doc_id, &g.creator, g.creator_name, Role::Owner, g.at, &g.creator)
}

fn members_obj<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<automerge::ObjId> {
    MapReader::new(doc, doc_id, ROOT).map("members")?.ok_or_else(|| Error::document(doc_id, "group has no members map"))
}

/// The map holding the goals shared with this group.
pub(crate) fn goals_obj<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<automerge::ObjId> {
    MapReader::new(doc, doc_id, ROOT).map("goals")?.ok_or_else(|| Error::document(doc_id, "group has no goals map"))
}

/// Adds a member, or updates their name and role.
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
    let members = members_obj(tx, doc_id)?;
    let entry = tx.put_object(&members, member.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&entry, "name", name).map_err(&err)?;
    tx.put(&entry, "role", role.as_str()).map_err(&err)?;
    tx.put(&entry, "added_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put(&entry, "added_by", ScalarValue::Bytes(by.as_bytes().to_vec())).map_err(&err)?;
    Ok(())
}

/// Reads the group's fields and members.
pub(crate) fn read<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<StoredGroup> {
    let root = MapReader::new(doc, doc_id, ROOT);
    let members_reader = MapReader::new(doc, doc_id, members_obj(doc, doc_id)?);
    let mut members = Vec::new();
    for key in members_reader.keys() {
        let Ok(member) = key.parse::<MemberId>() else { continue };
        let Some(entry) = members_reader.map(&key)? else { continue };
        let m = MapReader::new(doc, doc_id, entry);
        let role = m.str("role")?;
        members.push(StoredMember {
            member,
            name: m.str("name")?,
            role: role.parse().map_err(|_| Error::document(doc_id, format!("unknown role {role:?}")))?,
            added_at: m.int("added_at")?,
            added_by: MemberId::from_bytes(m.bytes("added_by")?),
        });
    }
    Ok(StoredGroup {
        name: root.str("name")?,
        description: root.opt_str("description")?.unwrap_or_default(),
        guidelines: root.opt_str("guidelines")?.unwrap_or_default(),
        created_at: root.int("created_at")?,
        created_by: MemberId::from_bytes(root.bytes("created_by")?),
        members,
    })
}
