//! Schema versions and the steps between them.
//!
//! The schema version lives in `PRAGMA user_version`. Migration `n` (the `n`-th file in [`MIGRATIONS`]) takes a
//! database from version `n - 1` to `n`; a fresh database runs every step from 0, so there is exactly one way the
//! schema comes to be. Rules (they keep old backups importable and downgrades harmless): migrations are append-only
//! and never edited once released (a test pins their checksums, and another upgrades a frozen dump of every released
//! version, `fixtures/`, to exactly the fresh schema), tables are STRICT, new columns are NOT NULL with a
//! default, and a column never changes meaning.

use rusqlite::Transaction;

use crate::error::{Error, Result};

/// Every migration, in order. Index 0 upgrades version 0 (empty) to version 1.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("sql/v1.sql"),
    include_str!("sql/v2.sql"),
    include_str!("sql/v3.sql"),
    include_str!("sql/v4.sql"),
    include_str!("sql/v5.sql"),
    include_str!("sql/v6.sql"),
    include_str!("sql/v7.sql"),
    include_str!("sql/v8.sql"),
    include_str!("sql/v9.sql"),
    include_str!("sql/v10.sql"),
];

/// The version a fully migrated database has.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Runs every migration after `from`, each followed by its version bump, inside the caller's transaction.
pub(crate) fn migrate(tx: &Transaction<'_>, from: i64) -> Result<()> {
    let start = usize::try_from(from).map_err(|_| Error::Internal(format!("negative schema version {from}")))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}
