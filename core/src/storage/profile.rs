//! SQL for the profile row: the member key, this install's actor and the personal document's id.

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::{Error, Result};
use crate::ids::DocId;

/// The profile row as stored.
#[derive(Debug)]
pub(crate) struct StoredProfile {
    pub display_name: String,
    pub member_secret: Vec<u8>,
    pub actor_id: Vec<u8>,
    pub actor_certificate: Vec<u8>,
    pub personal_doc: DocId,
    pub created_at: i64,
}

pub(crate) fn insert(conn: &Connection, p: &StoredProfile) -> Result<()> {
    conn.execute(
        sql(q::PROFILE_INSERT),
        params![p.display_name, p.member_secret, p.actor_id, p.actor_certificate, p.personal_doc, p.created_at],
    )?;
    Ok(())
}

pub(crate) fn load(conn: &Connection) -> Result<StoredProfile> {
    conn.query_row(sql(q::PROFILE_LOAD), [], |r| {
        Ok(StoredProfile {
            display_name: r.get(0)?,
            member_secret: r.get(1)?,
            actor_id: r.get(2)?,
            actor_certificate: r.get(3)?,
            personal_doc: r.get(4)?,
            created_at: r.get(5)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::internal("the database has no profile row"))
}

pub(crate) fn set_display_name(conn: &Connection, name: &str) -> Result<()> {
    conn.execute(sql(q::PROFILE_SET_DISPLAY_NAME), [name])?;
    Ok(())
}

/// The person's region for crisis resources ("KE", "KE-30"), if set.
pub(crate) fn region(conn: &Connection) -> Result<Option<String>> {
    let region: String = conn.prepare_cached(sql(q::PROFILE_REGION))?.query_row([], |r| r.get(0))?;
    Ok((!region.is_empty()).then_some(region))
}

/// Sets (or, with `None`, clears) the person's region.
pub(crate) fn set_region(conn: &Connection, region: Option<&str>) -> Result<()> {
    conn.execute(sql(q::PROFILE_SET_REGION), [region.unwrap_or("")])?;
    Ok(())
}
