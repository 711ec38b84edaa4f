//! SQL for the personal safety plan. The plan is personal data: it lives only in this table, and nothing that builds
//! a document, a sync message or a bundle reads it (`tests/scenarios/tests/safety_plan.rs` watches for that).

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::SafetyPlanItemId;
use crate::model::{SafetyPlanItem, SafetyPlanStep};

/// A row as stored, before its step name is parsed.
type Row = (SafetyPlanItemId, String, String, String, i64, i64);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn item((id, step, text, contact, created_at, updated_at): Row) -> Result<SafetyPlanItem> {
    Ok(SafetyPlanItem {
        id,
        // The table's CHECK admits only the names `SafetyPlanStep` parses.
        step: step.parse()?,
        text,
        contact: (!contact.is_empty()).then_some(contact),
        created_at,
        updated_at,
    })
}

/// Every item, each step's in their order (the caller groups them by step).
pub(crate) fn all(conn: &Connection) -> Result<Vec<SafetyPlanItem>> {
    let mut stmt = conn.prepare_cached(sql(q::SAFETY_PLAN_ALL))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(item).collect()
}

/// One step's items, in their order.
pub(crate) fn in_step(conn: &Connection, step: SafetyPlanStep) -> Result<Vec<SafetyPlanItem>> {
    let mut stmt = conn.prepare_cached(sql(q::SAFETY_PLAN_IN_STEP))?;
    let rows = stmt.query_map([step.as_str()], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(item).collect()
}

pub(crate) fn get(conn: &Connection, id: &SafetyPlanItemId) -> Result<Option<SafetyPlanItem>> {
    let found = conn.prepare_cached(sql(q::SAFETY_PLAN_GET))?.query_row([id], row).optional()?;
    found.map(item).transpose()
}

/// Adds `item` at `position` of its step (the caller passes the step's current length: the end).
pub(crate) fn insert(conn: &Connection, item: &SafetyPlanItem, position: usize) -> Result<()> {
    conn.prepare_cached(sql(q::SAFETY_PLAN_INSERT))?.execute(params![
        item.id,
        item.step.as_str(),
        position as i64,
        item.text,
        item.contact.as_deref().unwrap_or(""),
        item.created_at,
        item.updated_at
    ])?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, item: &SafetyPlanItem) -> Result<()> {
    conn.prepare_cached(sql(q::SAFETY_PLAN_UPDATE))?.execute(params![
        item.id,
        item.text,
        item.contact.as_deref().unwrap_or(""),
        item.updated_at
    ])?;
    Ok(())
}

/// Numbers one step's items 0, 1, 2... in the order given.
pub(crate) fn set_order(conn: &Connection, ids: &[SafetyPlanItemId]) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql(q::SAFETY_PLAN_SET_ORDER))?;
    for (position, id) in ids.iter().enumerate() {
        stmt.execute(params![id, position as i64])?;
    }
    Ok(())
}

pub(crate) fn delete(conn: &Connection, id: &SafetyPlanItemId) -> Result<()> {
    conn.prepare_cached(sql(q::SAFETY_PLAN_DELETE))?.execute([id])?;
    Ok(())
}

/// Deletes every item; returns how many there were.
pub(crate) fn delete_all(conn: &Connection) -> Result<usize> {
    Ok(conn.prepare_cached(sql(q::SAFETY_PLAN_DELETE_ALL))?.execute([])?)
}
