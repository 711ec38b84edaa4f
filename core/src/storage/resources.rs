//! SQL for crisis resource directories: those installed on this phone (one row per publisher, holding its verified
//! signed file) and those in effect in each group (read model of the group document: one row per group and publisher,
//! and the publishers each group trusts).

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::schema::group::PublishedDirectory;

/// A stored directory's row, without its file.
pub(crate) struct Installed {
    pub publisher: [u8; 32],
    pub version: i64,
    pub content_hash: [u8; 32],
    pub title: String,
    pub example: bool,
    pub entry_count: i64,
}

fn blob32(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<[u8; 32]> {
    let bytes: Vec<u8> = r.get(i)?;
    bytes.try_into().map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, 32))
}

fn installed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Installed> {
    Ok(Installed {
        publisher: blob32(r, 0)?,
        version: r.get(1)?,
        content_hash: blob32(r, 2)?,
        title: r.get(3)?,
        example: r.get(4)?,
        entry_count: r.get(5)?,
    })
}

pub(crate) fn get(conn: &Connection, publisher: &[u8; 32]) -> Result<Option<Installed>> {
    Ok(conn.prepare_cached(sql(q::RESOURCES_GET))?.query_row([&publisher[..]], installed).optional()?)
}

pub(crate) fn files(conn: &Connection) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(sql(q::RESOURCES_FILES))?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Puts `row` and its file in place of whatever the publisher had.
pub(crate) fn put(conn: &Connection, row: &Installed, issued_at: i64, file: &[u8], now: i64) -> Result<()> {
    conn.prepare_cached(sql(q::RESOURCES_PUT))?.execute(params![
        &row.publisher[..],
        row.version,
        &row.content_hash[..],
        issued_at,
        row.title,
        row.example,
        row.entry_count,
        file,
        now
    ])?;
    Ok(())
}

/// Removes the publisher's directory; whether there was one.
pub(crate) fn remove(conn: &Connection, publisher: &[u8; 32]) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::RESOURCES_REMOVE))?.execute([&publisher[..]])? > 0)
}

/// The directories in effect in a group, as (publisher, content hash).
pub(crate) fn group_hashes(conn: &Connection, group_ref: i64) -> Result<Vec<([u8; 32], [u8; 32])>> {
    let mut stmt = conn.prepare_cached(sql(q::RESOURCES_GROUP_HASHES))?;
    Ok(stmt.query_map([group_ref], |r| Ok((blob32(r, 0)?, blob32(r, 1)?)))?.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the directories in effect in a group.
pub(crate) fn replace_group(conn: &Connection, group_ref: i64, directories: &[&PublishedDirectory]) -> Result<()> {
    conn.prepare_cached(sql(q::RESOURCES_REPLACE_GROUP_DELETE_GROUP_DIRECTORIES))?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(sql(q::RESOURCES_REPLACE_GROUP_INSERT_GROUP_DIRECTORIES))?;
    for d in directories {
        let version = i64::try_from(d.version).unwrap_or(i64::MAX);
        insert.execute(params![group_ref, &d.publisher.as_bytes()[..], version, &d.content_hash[..], d.file])?;
    }
    Ok(())
}

/// Every group's directory files, with the group's id, for lookups and listings.
pub(crate) fn group_files(conn: &Connection) -> Result<Vec<([u8; 16], Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(sql(q::RESOURCES_GROUP_FILES))?;
    Ok(stmt
        .query_map([], |r| {
            let id: Vec<u8> = r.get(0)?;
            let id: [u8; 16] = id.try_into().map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, 16))?;
            Ok((id, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The publishers a group trusts.
pub(crate) fn trusted_publishers(conn: &Connection, group_ref: i64) -> Result<Vec<[u8; 32]>> {
    let mut stmt = conn.prepare_cached(sql(q::RESOURCES_TRUSTED_PUBLISHERS))?;
    Ok(stmt.query_map([group_ref], |r| blob32(r, 0))?.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the publishers a group trusts.
pub(crate) fn replace_trusted(conn: &Connection, group_ref: i64, publishers: &[[u8; 32]]) -> Result<()> {
    conn.prepare_cached(sql(q::RESOURCES_REPLACE_TRUSTED_DELETE_GROUP_PUBLISHERS))?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(sql(q::RESOURCES_REPLACE_TRUSTED_INSERT_GROUP_PUBLISHERS))?;
    for publisher in publishers {
        insert.execute(params![group_ref, &publisher[..]])?;
    }
    Ok(())
}
