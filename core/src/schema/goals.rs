//! Goals inside a document: private goals in the personal document, shared goals in their group's document.
//!
//! Layout of one goal, under `goals.<goal hex>`: `{ owner: bytes(32), title, times: int, period: "day"|"week"|"month",
//! status: "active"|"paused"|"archived", created_at, updated_at, progress: { <entry hex>: { at, amount, note? } } }`.
//! Only the owner writes a goal. Progress entries are keyed by random ids so entries logged on two devices merge.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue};

use super::{MapReader, put_opt, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, GoalId, MemberId, ProgressId};
use crate::model::{Cadence, GoalStatus};

/// A goal as a document holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredGoal {
    pub id: GoalId,
    pub owner: MemberId,
    pub title: String,
    pub cadence: Cadence,
    pub status: GoalStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub progress: Vec<StoredProgress>,
}

/// One progress entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredProgress {
    pub id: ProgressId,
    pub at: i64,
    pub amount: u32,
    pub note: Option<String>,
}

fn goal_obj<T: ReadDoc>(doc: &T, doc_id: &DocId, goals: &ObjId, id: &GoalId) -> Result<ObjId> {
    MapReader::new(doc, doc_id, goals.clone()).map(&id.to_hex())?.ok_or_else(|| Error::not_found("goal", id))
}

/// What a new goal says.
#[derive(Debug)]
pub(crate) struct NewGoalFields<'a> {
    pub id: GoalId,
    pub owner: MemberId,
    pub title: &'a str,
    pub cadence: Cadence,
    pub at: i64,
}

/// Writes a new goal into the `goals` map.
pub(crate) fn write_new<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    g: &NewGoalFields<'_>,
) -> Result<()> {
    let err = write_err(doc_id);
    let obj = tx.put_object(goals, g.id.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&obj, "owner", ScalarValue::Bytes(g.owner.as_bytes().to_vec())).map_err(&err)?;
    tx.put(&obj, "title", g.title).map_err(&err)?;
    tx.put(&obj, "times", i64::from(g.cadence.times)).map_err(&err)?;
    tx.put(&obj, "period", g.cadence.period.as_str()).map_err(&err)?;
    tx.put(&obj, "status", GoalStatus::Active.as_str()).map_err(&err)?;
    tx.put(&obj, "created_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put(&obj, "updated_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put_object(&obj, "progress", ObjType::Map).map_err(&err)?;
    Ok(())
}

/// Changes a goal's status.
pub(crate) fn write_status<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    status: GoalStatus,
    at: i64,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, id)?;
    let err = write_err(doc_id);
    tx.put(&obj, "status", status.as_str()).map_err(&err)?;
    tx.put(&obj, "updated_at", ScalarValue::Timestamp(at)).map_err(&err)?;
    Ok(())
}

/// Adds a progress entry.
pub(crate) fn write_progress<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    goal: &GoalId,
    entry: &StoredProgress,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, goal)?;
    let progress = MapReader::new(tx, doc_id, obj.clone())
        .map("progress")?
        .ok_or_else(|| Error::document(doc_id, format!("goal {goal} has no progress map")))?;
    let err = write_err(doc_id);
    let e = tx.put_object(&progress, entry.id.to_hex(), ObjType::Map).map_err(&err)?;
    tx.put(&e, "at", ScalarValue::Timestamp(entry.at)).map_err(&err)?;
    tx.put(&e, "amount", i64::from(entry.amount)).map_err(&err)?;
    put_opt(tx, &e, "note", entry.note.as_deref().map(ScalarValue::from)).map_err(&err)?;
    tx.put(&obj, "updated_at", ScalarValue::Timestamp(entry.at)).map_err(&err)?;
    Ok(())
}

/// Reads every goal in the `goals` map, with its progress.
pub(crate) fn read_all<T: ReadDoc>(doc: &T, doc_id: &DocId, goals: &ObjId) -> Result<Vec<StoredGoal>> {
    let reader = MapReader::new(doc, doc_id, goals.clone());
    let mut out = Vec::new();
    for key in reader.keys() {
        let Ok(id) = key.parse::<GoalId>() else { continue };
        let Some(obj) = reader.map(&key)? else { continue };
        let g = MapReader::new(doc, doc_id, obj);
        let period = g.str("period")?;
        let status = g.str("status")?;
        let times = u32::try_from(g.int("times")?).map_err(|_| Error::document(doc_id, "goal cadence out of range"))?;
        let mut progress = Vec::new();
        if let Some(p) = g.map("progress")? {
            let p = MapReader::new(doc, doc_id, p);
            for key in p.keys() {
                let Ok(entry_id) = key.parse::<ProgressId>() else { continue };
                let Some(e) = p.map(&key)? else { continue };
                let e = MapReader::new(doc, doc_id, e);
                progress.push(StoredProgress {
                    id: entry_id,
                    at: e.int("at")?,
                    amount: u32::try_from(e.int("amount")?)
                        .map_err(|_| Error::document(doc_id, "progress amount out of range"))?,
                    note: e.opt_str("note")?,
                });
            }
        }
        out.push(StoredGoal {
            id,
            owner: MemberId::from_bytes(g.bytes("owner")?),
            title: g.str("title")?,
            cadence: Cadence {
                times,
                period: period.parse().map_err(|_| Error::document(doc_id, format!("unknown period {period:?}")))?,
            },
            status: status.parse().map_err(|_| Error::document(doc_id, format!("unknown goal status {status:?}")))?,
            created_at: g.int("created_at")?,
            updated_at: g.int("updated_at")?,
            progress,
        });
    }
    Ok(out)
}

/// Creates the personal document's root: its schema version and the goals map.
pub(crate) fn write_personal_root<T: Transactable>(tx: &mut T, doc_id: &DocId) -> Result<()> {
    let err = write_err(doc_id);
    tx.put(automerge::ROOT, "v", super::DOC_SCHEMA_VERSION).map_err(&err)?;
    tx.put_object(automerge::ROOT, "goals", ObjType::Map).map_err(&err)?;
    Ok(())
}

/// The personal document's goals map.
pub(crate) fn personal_goals_obj<T: ReadDoc>(doc: &T, doc_id: &DocId) -> Result<ObjId> {
    MapReader::new(doc, doc_id, automerge::ROOT)
        .map("goals")?
        .ok_or_else(|| Error::document(doc_id, "personal document has no goals map"))
}
