//! SQL for installed crisis resource directories (one row per publisher, holding its verified signed file).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

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

const COLUMNS: &str = "publisher, version, content_hash, title, example, entry_count";

pub(crate) fn get(conn: &Connection, publisher: &[u8; 32]) -> Result<Option<Installed>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM resource_directories WHERE publisher = ?1"))?
        .query_row([&publisher[..]], installed)
        .optional()?)
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Installed>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM resource_directories ORDER BY publisher"))?;
    Ok(stmt.query_map([], installed)?.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn files(conn: &Connection) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare_cached("SELECT file FROM resource_directories ORDER BY publisher")?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Puts `row` and its file in place of whatever the publisher had.
pub(crate) fn put(conn: &Connection, row: &Installed, issued_at: i64, file: &[u8], now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO resource_directories
             (publisher, version, content_hash, issued_at, title, example, entry_count, file, installed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
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
    Ok(conn.prepare_cached("DELETE FROM resource_directories WHERE publisher = ?1")?.execute([&publisher[..]])? > 0)
}
