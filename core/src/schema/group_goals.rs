//! Group goals inside a group's document: a goal each member works on with their own target, of which the group sees
//! only how many met theirs each week.
//!
//! Layout, in the group's `goals` map beside the goals members share, under `goals."group-<goal hex>"` (a key that
//! does not parse as a goal id, so versions that predate group goals pass over it): `{ owner: bytes(32) (the member
//! who proposed it), kind: "group", title, created_at, ended_at?, met: { "<YYYY-MM-DD> <member hex>": timestamp } }`.
//! A `met` entry is one member's signed word that they met their own target in the week starting on that Monday; only
//! that member writes it (checked at the door, `sync::authorize`). Who took part and did not meet theirs is written
//! nowhere: a member's own target is a private goal on their phone (its `for` link, see [`super::goals`]).

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue};

use super::{MapReader, write_err};
use crate::error::Result;
use crate::ids::{DocId, GoalId, MemberId};

/// The prefix of a group goal's key in the `goals` map.
pub(crate) const KEY_PREFIX: &str = "group-";

/// The key of a group goal in the `goals` map.
pub(crate) fn key_of(id: &GoalId) -> String {
    format!("{KEY_PREFIX}{}", id.to_hex())
}

/// The key of `member`'s mark for the week starting on Monday `week` (`YYYY-MM-DD`).
pub(crate) fn met_key(week: &str, member: &MemberId) -> String {
    format!("{week} {}", member.to_hex())
}

/// A met mark's key split into its week and member, if it has that shape and the week is a Monday.
pub(crate) fn parse_met_key(key: &str) -> Option<(chrono::NaiveDate, MemberId)> {
    use chrono::Datelike;
    let (week, member) = key.split_once(' ')?;
    let week = crate::time::parse_day(week)?;
    (week.weekday() == chrono::Weekday::Mon).then_some(())?;
    Some((week, member.parse().ok()?))
}

/// A group goal as the document holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredGroupGoal {
    pub id: GoalId,
    pub owner: MemberId,
    pub title: String,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    /// Each mark: the week's Monday (`YYYY-MM-DD`) and the member who met their target in it.
    pub met: Vec<(String, MemberId)>,
}

/// Writes a new group goal into the group's `goals` map.
pub(crate) fn write_new<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    owner: &MemberId,
    title: &str,
    at: i64,
) -> Result<()> {
    let err = write_err(doc_id);
    let obj = tx.put_object(goals, key_of(id), ObjType::Map).map_err(&err)?;
    tx.put(&obj, "owner", ScalarValue::Bytes(owner.as_bytes().to_vec())).map_err(&err)?;
    tx.put(&obj, "kind", "group").map_err(&err)?;
    tx.put(&obj, "title", title).map_err(&err)?;
    tx.put(&obj, "created_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    tx.put_object(&obj, "met", ObjType::Map).map_err(&err)?;
    Ok(())
}

fn goal_obj<T: ReadDoc>(doc: &T, doc_id: &DocId, goals: &ObjId, id: &GoalId) -> Result<ObjId> {
    MapReader::new(doc, doc_id, goals.clone())
        .map(&key_of(id))?
        .ok_or_else(|| crate::error::Error::not_found("group goal", id))
}

/// Records that `member` met their own target in the week starting on Monday `week`.
pub(crate) fn write_met<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    week: &str,
    member: &MemberId,
    at: i64,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, id)?;
    let met = MapReader::new(tx, doc_id, obj)
        .map("met")?
        .ok_or_else(|| crate::error::Error::document(*doc_id, "a group goal without its met map"))?;
    tx.put(&met, met_key(week, member), ScalarValue::Timestamp(at)).map_err(write_err(doc_id))?;
    Ok(())
}

/// Ends a group goal (its proposer's right).
pub(crate) fn write_end<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    at: i64,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, id)?;
    tx.put(&obj, "ended_at", ScalarValue::Timestamp(at)).map_err(write_err(doc_id))?;
    Ok(())
}

/// Reads every group goal in the group's `goals` map.
pub(crate) fn read_all<T: ReadDoc>(doc: &T, doc_id: &DocId, goals: &ObjId) -> Result<Vec<StoredGroupGoal>> {
    let reader = MapReader::new(doc, doc_id, goals.clone());
    let mut out = Vec::new();
    for key in reader.keys() {
        let Some(Ok(id)) = key.strip_prefix(KEY_PREFIX).map(str::parse::<GoalId>) else { continue };
        let Some(obj) = reader.map(&key)? else { continue };
        let g = MapReader::new(doc, doc_id, obj);
        let mut met = Vec::new();
        if let Some(m) = g.map("met")? {
            for key in MapReader::new(doc, doc_id, m).keys() {
                if let Some((week, member)) = parse_met_key(&key) {
                    met.push((week.to_string(), member));
                }
            }
        }
        out.push(StoredGroupGoal {
            id,
            owner: MemberId::from_bytes(g.bytes("owner")?),
            title: g.str("title")?,
            created_at: g.int("created_at")?,
            ended_at: g.opt_int("ended_at")?,
            met,
        });
    }
    Ok(out)
}
