//! Schema versions and the steps between them.
//!
//! The schema version lives in `PRAGMA user_version`. Migration `n` (`sql/vn.sql`) takes a
//! database from version `n - 1` to `n`; a fresh database runs every step from 0, so there is exactly one way the
//! schema comes to be. Rules (they keep old backups importable and downgrades harmless): migrations are append-only
//! and never edited once released (a test pins their checksums, and another upgrades a frozen dump of every released
//! version, `fixtures/`, to exactly the fresh schema), tables are STRICT, new columns are NOT NULL with a
//! default, and a column never changes meaning.

use rusqlite::Transaction;

use crate::error::{Error, Result};

/// Every migration, in order, as `build.rs` compressed them, in one stream (the SQL with its comments, about 28 KB,
/// is a quarter of that in the phone library; [`migration_sql`] gives one's text). Index 0 upgrades version 0 (empty)
/// to version 1.
const MIGRATIONS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/migrations.sql.z"));

/// The SQL of migration `index` (0-based), as written in `sql/`.
pub(crate) fn migration_sql(index: usize) -> String {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| crate::shipped::parts(MIGRATIONS)).get(index).cloned().unwrap_or_default()
}

/// The version a fully migrated database has: the number of migrations (`build.rs` ships `sql/v1.sql` up to this
/// one; a test checks the two agree).
pub(crate) const SCHEMA_VERSION: i64 = 11;

/// Runs every migration after `from`, each followed by its version bump, inside the caller's transaction.
pub(crate) fn migrate(tx: &Transaction<'_>, from: i64) -> Result<()> {
    let start = usize::try_from(from).map_err(|_| Error::internal(format!("negative schema version {from}")))?;
    for index in start..SCHEMA_VERSION as usize {
        let sql = migration_sql(index);
        if sql.is_empty() {
            return Err(Error::internal(format!("migration {} does not inflate", index + 1)));
        }
        tx.execute_batch(&sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}
