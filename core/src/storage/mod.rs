//! Storage: the one place that speaks SQL.
//!
//! A profile is one SQLite file in its data directory, opened in WAL mode with `synchronous = FULL`, so a write that
//! returned has reached the disk and survives a kill or a power cut. Everything else in the core calls the typed
//! functions of the submodules.
//!
//! Encryption at rest is SQLite's own business here: the SQLite the core is built on (SQLite3 Multiple Ciphers, see
//! `core/build.rs`) encrypts every page of the database and of its write-ahead log with ChaCha20-Poly1305 under the
//! profile's [`DbKey`], so tables, indexes, free pages and the log are all ciphertext; temporary storage never leaves
//! memory. A database opened without a key is a plain one (`kindred init --unencrypted`, tests that scan bytes).
//!
//! Safety of people's data comes first: a file that is damaged, or belongs to another program, gives a typed error and
//! is never deleted, truncated or rewritten. A profile is created in a temporary file and linked into place only when
//! complete, so a crash during creation never leaves a half-made profile behind.

pub(crate) mod checkins;
pub(crate) mod documents;
pub(crate) mod export;
pub(crate) mod goals;
pub(crate) mod group_goals;
pub(crate) mod groups;
pub(crate) mod instruments;
pub(crate) mod joins;
pub(crate) mod messages;
mod migrations;
pub(crate) mod moderation;
pub(crate) mod personal;
pub(crate) mod profile;
mod queries;
pub(crate) mod relay;
pub(crate) mod resources;
pub(crate) mod safety_plan;
pub(crate) mod sealed;
pub(crate) mod transfers;
pub(crate) mod trust;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{
    CheckinId, DocId, GoalId, GroupId, InstrumentResultId, MemberId, MessageId, ModerationId, ProgressId, ReportId,
    SafetyPlanItemId,
};

pub(crate) use migrations::SCHEMA_VERSION;

/// The database file inside a profile's data directory.
pub const DATABASE_FILE: &str = "kindred.sqlite3";

/// The page size of a new database. A post changes about a dozen pages (the message's row and its indexes, the
/// change and its document's heads), each written to the WAL and encrypted whole at commit: with SQLite's default
/// 4 KiB pages that was 48 KiB written and enciphered for a message of about 100 bytes, nearly half of a post's work
/// (3.40 M instructions a post, callgrind). With 1 KiB pages it is 12 KiB and 2.34 M instructions; opening, reading
/// and compacting cost the same, and a large history takes 5-10% more disk (each page carries the cipher's nonce and
/// tag). A database keeps the page size it was made with.
const PAGE_SIZE: i64 = 1024;

/// `PRAGMA application_id` of every Kindred database ("KNDR"), so a foreign SQLite file is recognised as such.
const APPLICATION_ID: i32 = 0x4B4E_4452;

/// The key of an encrypted profile's database: 32 random bytes (never derived from a passphrase directly: the vault
/// wraps it, `crate::vault`). Wiped from memory when dropped.
#[derive(Clone)]
pub(crate) struct DbKey(pub(crate) [u8; 32]);

impl Drop for DbKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

impl DbKey {
    pub(crate) fn random() -> Self {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        DbKey(key)
    }

    /// Hands the key to SQLite: `pragma` "key" as the first statement on a connection, before anything reads the
    /// file, or "rekey" to encrypt a plain database under it. "raw:" and 64 hex digits is the cipher's own key, used
    /// as it is (no key derivation: it is random already).
    fn apply(&self, conn: &Connection, pragma: &str) -> rusqlite::Result<()> {
        let text = zeroize::Zeroizing::new(format!("raw:{}", hex::encode(self.0)));
        conn.pragma_update(None, pragma, text.as_str())
    }
}

/// An open profile database.
#[derive(Debug)]
pub(crate) struct Db {
    conn: Connection,
    path: PathBuf,
}

impl Db {
    /// Creates a new database in `dir`, failing if one is already there. `init` fills it (the profile row) inside
    /// the same transaction that creates the schema.
    pub(crate) fn create(
        dir: &Path,
        file: &str,
        key: Option<&DbKey>,
        init: impl FnOnce(&Transaction<'_>) -> Result<()>,
    ) -> Result<Self> {
        let path = dir.join(file);
        if path.exists() {
            return Err(ErrorKind::ProfileExists(dir.to_owned()).into());
        }
        fs::create_dir_all(dir).map_err(|source| Error::io(dir.to_owned(), source))?;
        let mut suffix = [0u8; 6];
        rand::fill(&mut suffix);
        let temp = dir.join(format!(".{file}.creating-{}", hex::encode(suffix)));
        let built = (|| -> Result<()> {
            let mut conn = Connection::open(&temp)?;
            if let Some(key) = key {
                key.apply(&conn, "key")?;
            }
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            let tx = conn.transaction()?;
            migrations::migrate(&tx, 0)?;
            init(&tx)?;
            tx.commit()?;
            conn.close().map_err(|(_, e)| ErrorKind::Storage(e))?;
            if key.is_some() { check_encrypted(&temp) } else { Ok(()) }
        })();
        // Link, not rename: linking fails if a profile appeared meanwhile, so nothing is ever overwritten.
        let linked = built.and_then(|()| {
            fs::hard_link(&temp, &path).map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => ErrorKind::ProfileExists(dir.to_owned()).into(),
                _ => Error::io(path.clone(), source),
            })
        });
        // The temporary file is ours alone and either linked or useless now.
        let _ = fs::remove_file(&temp);
        linked?;
        Self::open(dir, file, key)
    }

    /// Opens the database in `dir`, upgrading its schema if it is older than this version of Kindred.
    /// With a key, a file the key does not open is [`ErrorKind::WrongPassphrase`] (a damaged encrypted file looks the
    /// same; the vault tells them apart, as its wrapped key proves the key right).
    pub(crate) fn open(dir: &Path, file: &str, key: Option<&DbKey>) -> Result<Self> {
        let path = dir.join(file);
        check_header(dir, &path, key.is_some())?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| classify(&path, e))?;
        if let Some(key) = key {
            key.apply(&conn, "key").map_err(|e| classify(&path, e))?;
        }
        let mut db = Db { conn, path };
        let app_id: i32 = db.conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(|e| match e
            .sqlite_error_code()
        {
            Some(ErrorCode::NotADatabase) if key.is_some() => ErrorKind::WrongPassphrase.into(),
            _ => db.classify(e),
        })?;
        if app_id != APPLICATION_ID {
            return Err(ErrorKind::ForeignDatabase(db.path.clone()).into());
        }
        db.configure().map_err(|e| db.reclassify(e))?;
        let version: i64 =
            db.conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(|e| db.classify(e))?;
        if version > SCHEMA_VERSION {
            return Err(ErrorKind::NewerSchema { found: version, supported: SCHEMA_VERSION }.into());
        }
        if version < SCHEMA_VERSION {
            db.write(|tx| migrations::migrate(tx, version))?;
        }
        Ok(db)
    }

    fn configure(&self) -> Result<()> {
        // WAL: readers never block the writer, and a commit is one sequential append.
        let mode: String = self.conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::internal(format!("could not switch the database to WAL (got {mode})")));
        }
        // FULL: an acknowledged write survives power loss, not only a process kill.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Removed message text is overwritten on disk, not just unlinked from the b-tree.
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        // Two handles on one profile (an app and its share extension, say) wait for each other instead of failing.
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // The WAL is copied back into the database by `Kindred::maintain` when the app is idle; SQLite does it itself,
        // stalling the write that triggers it (a few ms), only once 2000 pages (2 MiB of 1 KiB pages, about 170
        // posts) have piled up without maintenance. After a checkpoint the WAL is reused from its start, and it is not
        // trimmed below its largest size (9 MiB covers it, whatever the page size): overwriting the log's own blocks
        // makes a commit's sync ~0.1 ms cheaper than appending to a file that has to grow (measured with 4 KiB pages:
        // 0.31 against 0.43 ms a post), and trimming it after each checkpoint made the next commit stall too. The file
        // goes when the profile is closed.
        self.conn.pragma_update(None, "wal_autocheckpoint", 2000)?;
        self.conn.pragma_update(None, "journal_size_limit", 9 * 1024 * 1024)?;
        // Keep memory small on 1-2 GB phones: a 2 MiB page cache is plenty for indexed reads.
        self.conn.pragma_update(None, "cache_size", -2048)?;
        // Prepared statements stay prepared. Without the query planner stability guarantee, SQLite marks a statement
        // whose plan could depend on a bound value (an equality filter bound to 0 or 1, such as a small group_ref, a
        // `LIMIT ?`, a MIN/MAX) to be compiled again whenever that value is re-bound, and rusqlite clears the bindings
        // of every cached statement it hands back: such statements were parsed and planned again on every call
        // (four on the posting path, about a sixth of a post's CPU). These queries are all indexed lookups whose plan
        // does not depend on the values.
        self.conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        // Room for every statement a write uses (a post alone runs about 16 distinct ones, rusqlite keeps 16 by
        // default), so a sync or a listing in between does not evict the posting path's statements.
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// Closes the database for a wipe: the handle then holds an empty in-memory database, so every later call on
    /// the profile fails instead of reaching files that are gone.
    pub(crate) fn close_for_wipe(&mut self) -> Result<()> {
        let old = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        old.close().map_err(|(_, e)| ErrorKind::Storage(e).into())
    }

    /// Test support: caps the database file at its current page count plus `extra` (`None`: no cap).
    #[cfg(feature = "test-support")]
    pub(crate) fn limit_pages(&self, extra: Option<u32>) -> Result<()> {
        let pages: i64 = self.conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
        let cap = extra.map_or(i64::from(u32::MAX), |e| pages + i64::from(e));
        self.conn.pragma_update(None, "max_page_count", cap)?;
        Ok(())
    }

    /// Test support: from now on, adds to `log` the name of every table a statement of this connection reads or
    /// writes (`None` stops watching). Through SQLite's authorizer, which sees every statement as it is prepared;
    /// the statement cache is emptied both ways, so no statement prepared before slips past it.
    #[cfg(feature = "test-support")]
    pub(crate) fn watch_tables(
        &mut self,
        log: Option<std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>>,
    ) -> Result<()> {
        use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
        self.conn.flush_prepared_statement_cache();
        let hook = log.map(|log| {
            move |context: AuthContext<'_>| {
                let table = match context.action {
                    AuthAction::Read { table_name, .. }
                    | AuthAction::Insert { table_name }
                    | AuthAction::Update { table_name, .. }
                    | AuthAction::Delete { table_name } => Some(table_name),
                    _ => None,
                };
                if let Some(table) = table {
                    log.lock().unwrap_or_else(|p| p.into_inner()).insert(table.to_owned());
                }
                Authorization::Allow
            }
        });
        self.conn.authorizer(hook)?;
        Ok(())
    }

    /// Runs `f` in an immediate (write-locking) transaction and commits it durably if it returns `Ok`.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let result = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|e| self.reclassify(e))
    }

    /// Runs `f` in a read transaction, so it sees one consistent state.
    pub(crate) fn read<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let result = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let value = f(&tx)?;
            tx.finish()?;
            Ok(value)
        })();
        result.map_err(|e| self.reclassify(e))
    }

    /// Copies what the write-ahead log holds back into the database file, as far as it can without waiting for a
    /// reader (PASSIVE), so the next write starts the log afresh instead of a later one pausing to do this.
    pub(crate) fn checkpoint(&mut self) -> Result<()> {
        let result = self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        result.map_err(|e| self.classify(e))
    }

    /// Copies the write-ahead log into the database file and truncates it to nothing (after an erasure: the log's
    /// older frames hold earlier versions of the pages, erased words included).
    pub(crate) fn empty_log(&mut self) -> Result<()> {
        let result = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        result.map_err(|e| self.classify(e))
    }

    /// Runs SQLite's own consistency check over the whole file (slow on big profiles; not done at open).
    pub(crate) fn integrity_check(&mut self) -> Result<()> {
        let path = self.path.clone();
        self.read(|tx| {
            let mut stmt = tx.prepare("PRAGMA integrity_check")?;
            let problems: Vec<String> = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
            if problems.len() == 1 && problems.first().map(String::as_str) == Some("ok") {
                Ok(())
            } else {
                Err(ErrorKind::CorruptDatabase { path, detail: problems.join("; ") }.into())
            }
        })
    }

    fn classify(&self, err: rusqlite::Error) -> Error {
        classify(&self.path, err)
    }

    fn reclassify(&self, err: Error) -> Error {
        match err.into_kind() {
            ErrorKind::Storage(e) => self.classify(e),
            other => other.into(),
        }
    }
}

/// Writes an encrypted copy of the closed, unencrypted database `from` to `to` (which must not exist), under `key`.
/// `from` is left in rollback-journal mode with its write-ahead log folded in; the caller deletes it.
pub(crate) fn encrypt_copy(from: &Path, to: &Path, key: &DbKey) -> Result<()> {
    let plain = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|e| classify(from, e))?;
    // The cipher cannot encrypt a database in WAL mode in place: fold the log in and leave WAL mode first.
    let mode: String = plain.pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))?;
    plain.close().map_err(|(_, e)| ErrorKind::Storage(e))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::internal("the database is in use"));
    }
    copy_file(from, to).map_err(|source| Error::io(to.to_owned(), source))?;
    let copy = Connection::open(to)?;
    key.apply(&copy, "rekey")?;
    copy.close().map_err(|(_, e)| ErrorKind::Storage(e))?;
    check_encrypted(to)
}

/// Refuses a file that was to be encrypted but starts like a plain SQLite database: the key was not applied (a SQLite
/// without the cipher). A plain file is never left where a key was asked.
fn check_encrypted(path: &Path) -> Result<()> {
    if read_header(path)?.1 == *SQLITE_HEADER {
        return Err(Error::internal("the database was not encrypted"));
    }
    Ok(())
}

/// Copies a file through a buffer (`fs::copy`'s kernel-side copying costs the phone library about 3 KB for this one
/// rare use), syncing the copy.
fn copy_file(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut source = fs::File::open(from)?;
    let mut copy = fs::OpenOptions::new().write(true).create_new(true).open(to)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        copy.write_all(buffer.get(..read).unwrap_or_default())?;
    }
    copy.sync_all()
}

/// The first bytes of every plain SQLite database file (an encrypted one starts with its random salt).
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How many of a file's first 16 bytes could be read, and those bytes.
fn read_header(path: &Path) -> Result<(usize, [u8; 16])> {
    let mut file = fs::File::open(path).map_err(|source| Error::io(path.to_owned(), source))?;
    let mut header = [0u8; 16];
    let read = file.read(&mut header).map_err(|source| Error::io(path.to_owned(), source))?;
    Ok((read, header))
}

fn check_header(dir: &Path, path: &Path, encrypted: bool) -> Result<()> {
    let (read, header) = match read_header(path) {
        Err(e) if matches!(e.kind(), ErrorKind::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound) => {
            return Err(ErrorKind::NoProfile(dir.to_owned()).into());
        }
        other => other?,
    };
    if read == 0 {
        return Err(ErrorKind::CorruptDatabase { path: path.to_owned(), detail: "the file is empty".into() }.into());
    }
    if encrypted {
        // Ciphertext has no header to check: the key check at open tells.
        return Ok(());
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(ErrorKind::CorruptDatabase {
            path: path.to_owned(),
            detail: "the file is not an SQLite database".into(),
        }
        .into());
    }
    Ok(())
}

/// Turns SQLite's corruption codes into [`ErrorKind::CorruptDatabase`]; everything else stays a storage error.
fn classify(path: &Path, err: rusqlite::Error) -> Error {
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            ErrorKind::CorruptDatabase { path: path.to_owned(), detail: err.to_string() }.into()
        }
        _ => ErrorKind::Storage(err).into(),
    }
}

/// Ids are stored as BLOBs of their raw bytes: half the size of hex, and compared byte-wise.
macro_rules! blob_id {
    ($($name:ident),*) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.as_bytes())))
            }
        }
        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let bytes = value.as_blob()?;
                bytes.try_into().map($name::from_bytes).map_err(|_| FromSqlError::InvalidBlobSize {
                    expected_size: std::mem::size_of::<$name>(),
                    blob_size: bytes.len(),
                })
            }
        }
    )*};
}
blob_id!(
    GroupId,
    DocId,
    MessageId,
    GoalId,
    ProgressId,
    CheckinId,
    SafetyPlanItemId,
    InstrumentResultId,
    ModerationId,
    ReportId,
    MemberId
);

#[cfg(test)]
mod tests;
