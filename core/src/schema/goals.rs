//! Goals inside a document: private goals in the personal document, shared goals in their group's document.
//!
//! Layout of one goal, under `goals.<goal hex>`: `{ owner: bytes(32), title, times: int, period: "day"|"week"|"month",
//! weekdays?: int (bits, bit 0 Monday; absent or 0: every day), for?: { group: bytes(16), goal: bytes(16) } (a private
//! goal that is one's own target in a group goal), status: "active"|"paused"|"archived", created_at, updated_at, progress: { <entry hex>: { at, amount, note? } },
//! skips: { "YYYY-MM-DD": true }, pauses: { <pause hex>: { from: timestamp, until?: timestamp } },
//! cheers: { <member hex>: timestamp } }`.
//! Only the owner writes a goal, except `cheers`: each other member of the group writes their own entry there. Progress entries and pauses are keyed by random ids, skips by their day, so what is
//! written on two devices merges. (Goals made before skips and pauses existed get those maps on first use.)

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue};

use super::{MapReader, put_opt, write_err};
use crate::error::{Error, Result};
use crate::ids::{DocId, GoalId, GroupId, MemberId, ProgressId};
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
    /// Days the owner skipped, as `YYYY-MM-DD` in their calendar.
    pub skips: Vec<String>,
    /// When the goal was paused, and resumed (`None`: still paused).
    pub pauses: Vec<(i64, Option<i64>)>,
    /// Who cheered it on (other members of its group), and when they last did.
    pub cheers: Vec<(MemberId, i64)>,
    /// The group goal this private goal is one's own target in: its group and id.
    pub group_goal: Option<(GroupId, GoalId)>,
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
    /// For one's own target in a group goal: its group and id.
    pub group_goal: Option<(GroupId, GoalId)>,
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
    if g.cadence.weekday_bits() != 0 {
        tx.put(&obj, "weekdays", i64::from(g.cadence.weekday_bits())).map_err(&err)?;
    }
    if let Some((group, goal)) = &g.group_goal {
        let link = tx.put_object(&obj, "for", ObjType::Map).map_err(&err)?;
        tx.put(&link, "group", ScalarValue::Bytes(group.as_bytes().to_vec())).map_err(&err)?;
        tx.put(&link, "goal", ScalarValue::Bytes(goal.as_bytes().to_vec())).map_err(&err)?;
    }
    tx.put(&obj, "status", GoalStatus::Active.as_str()).map_err(&err)?;
    tx.put(&obj, "created_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put(&obj, "updated_at", ScalarValue::Timestamp(g.at)).map_err(&err)?;
    tx.put_object(&obj, "progress", ObjType::Map).map_err(&err)?;
    tx.put_object(&obj, "skips", ObjType::Map).map_err(&err)?;
    tx.put_object(&obj, "pauses", ObjType::Map).map_err(&err)?;
    tx.put_object(&obj, "cheers", ObjType::Map).map_err(&err)?;
    Ok(())
}

/// Records `member`'s cheer on a goal (their latest, at `at`).
pub(crate) fn write_cheer<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    member: &MemberId,
    at: i64,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, id)?;
    let cheers = goal_map(tx, doc_id, &obj, "cheers")?;
    tx.put(&cheers, member.to_hex(), ScalarValue::Timestamp(at)).map_err(write_err(doc_id))?;
    Ok(())
}

/// The map `key` of a goal, made if the goal has none (a goal made before it existed).
fn goal_map<T: Transactable>(tx: &mut T, doc_id: &DocId, goal: &ObjId, key: &str) -> Result<ObjId> {
    match MapReader::new(tx, doc_id, goal.clone()).map(key)? {
        Some(map) => Ok(map),
        None => tx.put_object(goal, key, ObjType::Map).map_err(write_err(doc_id)),
    }
}

/// Marks `day` (`YYYY-MM-DD`) skipped: a day without penalty.
pub(crate) fn write_skip<T: Transactable>(
    tx: &mut T,
    doc_id: &DocId,
    goals: &ObjId,
    id: &GoalId,
    day: &str,
) -> Result<()> {
    let obj = goal_obj(tx, doc_id, goals, id)?;
    let skips = goal_map(tx, doc_id, &obj, "skips")?;
    tx.put(&skips, day, true).map_err(write_err(doc_id))?;
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
    // A pause is recorded with its span, so the days it covers count for nothing, neither for nor against.
    let pauses = goal_map(tx, doc_id, &obj, "pauses")?;
    if status == GoalStatus::Paused {
        let pause = tx.put_object(&pauses, ProgressId::random().to_hex(), ObjType::Map).map_err(&err)?;
        tx.put(&pause, "from", ScalarValue::Timestamp(at)).map_err(&err)?;
    } else {
        let reader = MapReader::new(tx, doc_id, pauses.clone());
        let open: Vec<ObjId> = reader
            .keys()
            .iter()
            .filter_map(|k| reader.map(k).ok().flatten())
            .filter(|p| MapReader::new(tx, doc_id, p.clone()).opt_int("until").ok().flatten().is_none())
            .collect();
        for pause in open {
            tx.put(&pause, "until", ScalarValue::Timestamp(at)).map_err(&err)?;
        }
    }
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
        let weekdays = u8::try_from(g.opt_int("weekdays")?.unwrap_or(0))
            .ok()
            .filter(|bits| *bits < 128)
            .ok_or_else(|| Error::document(doc_id, "goal weekdays out of range"))?;
        let group_goal = match g.map("for")? {
            Some(link) => {
                let link = MapReader::new(doc, doc_id, link);
                Some((GroupId::from_bytes(link.bytes("group")?), GoalId::from_bytes(link.bytes("goal")?)))
            }
            None => None,
        };
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
        let mut skips = Vec::new();
        if let Some(s) = g.map("skips")? {
            skips = MapReader::new(doc, doc_id, s).keys();
        }
        let mut pauses = Vec::new();
        if let Some(p) = g.map("pauses")? {
            let p = MapReader::new(doc, doc_id, p);
            for key in p.keys() {
                let Some(pause) = p.map(&key)? else { continue };
                let pause = MapReader::new(doc, doc_id, pause);
                pauses.push((pause.int("from")?, pause.opt_int("until")?));
            }
        }
        let mut cheers = Vec::new();
        if let Some(c) = g.map("cheers")? {
            let c = MapReader::new(doc, doc_id, c);
            for key in c.keys() {
                let (Ok(member), Some(at)) = (key.parse::<MemberId>(), c.opt_int(&key)?) else { continue };
                cheers.push((member, at));
            }
        }
        out.push(StoredGoal {
            id,
            skips,
            pauses,
            cheers,
            owner: MemberId::from_bytes(g.bytes("owner")?),
            title: g.str("title")?,
            cadence: Cadence {
                times,
                period: period.parse().map_err(|_| Error::document(doc_id, "unknown goal period"))?,
                weekdays: Cadence::weekdays_of(weekdays),
            },
            group_goal,
            status: status.parse().map_err(|_| Error::document(doc_id, "unknown goal status"))?,
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
