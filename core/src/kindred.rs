//! The opened profile: the one handle an app holds.
//!
//! [`Kindred`] owns the profile's database, its identity and a small cache of Automerge documents. It is `Send` and
//! `Sync`; calls are serialised by one internal lock, which is right for a phone (one person, short operations) and
//! keeps every write a single SQLite transaction. Domain operations live beside their concern, as further `impl
//! Kindred` blocks: [`crate::groups`], [`crate::messages`], [`crate::goals`], [`crate::wellbeing`],
//! [`crate::safety_plan`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::Transaction;

use crate::error::{Error, Result};
use crate::identity::{LocalIdentity, validate_display_name};
use crate::ids::{DocId, MemberId};
use crate::model::{ProfileInfo, Update};
use crate::schema;
use crate::storage::documents::{self, DocCache, DocKind, DocPlace};
use crate::storage::{self, Db, DbKey};
use crate::time::now_ms;
use crate::updates::{Listeners, Subscription, UpdateListener, coalesce};

/// How many Automerge documents stay loaded. Segments are bounded (about 0.4 MB in memory each), so a handful is
/// enough for the newest segment of a few groups plus the personal document.
const DOC_CACHE_CAPACITY: usize = 6;

/// An open Kindred profile.
#[derive(Debug)]
pub struct Kindred {
    dir: PathBuf,
    /// The database file's name in `dir`.
    db_file: &'static str,
    /// Whether the profile is kept in a vault ([`crate::Profiles`]): its folder then holds its wrapped key too, which
    /// [`Kindred::wipe`] destroys first.
    in_vault: bool,
    /// The keys, fixed once opened: read without the lock, so a sync handshake never waits behind a long write.
    identity: LocalIdentity,
    /// What [`Kindred::profile`] returns, outside the lock for the same reason (an app reads it on its UI thread).
    info: RwLock<ProfileInfo>,
    inner: Mutex<Inner>,
    listeners: Listeners,
    /// The crisis phrase lists an app set for this profile ([`Kindred::extend_crisis_phrases`]); `None` for the
    /// shipped ones. Outside the lock: a check never waits behind a write.
    crisis_checker: RwLock<Option<Arc<crate::crisis::Checker>>>,
    /// The instruments an app added for this profile ([`Kindred::add_instrument`]), besides the shipped ones.
    pub(crate) instruments: RwLock<crate::instruments::Registry>,
}

/// A profile's crisis checker: the shared shipped one, or the app's.
pub(crate) enum CrisisChecker {
    Shipped,
    Own(Arc<crate::crisis::Checker>),
}

impl std::ops::Deref for CrisisChecker {
    type Target = crate::crisis::Checker;

    fn deref(&self) -> &crate::crisis::Checker {
        match self {
            CrisisChecker::Shipped => crate::crisis::shipped(),
            CrisisChecker::Own(checker) => checker,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) db: Db,
    pub(crate) cache: DocCache,
    /// The groups' last worked-out membership (see [`crate::sync::authority::Cache`]).
    pub(crate) resolutions: crate::sync::authority::Cache,
    pub(crate) personal_doc: DocId,
}

/// What a write closure gets: the SQLite transaction, the document cache, the identity to sign with, and a list to
/// report what changed (dispatched to listeners once the transaction has committed).
pub(crate) struct WriteCtx<'a, 'c> {
    pub tx: &'a Transaction<'c>,
    pub cache: &'a mut DocCache,
    pub resolutions: &'a mut crate::sync::authority::Cache,
    pub identity: &'a LocalIdentity,
    pub personal_doc: DocId,
    pub display_name: &'a str,
    pub updates: Vec<Update>,
    /// Words were erased in this write (`crate::bodies`): once it commits, the write-ahead log is emptied, so their
    /// old pages do not linger there.
    pub erased: bool,
}

impl WriteCtx<'_, '_> {
    pub(crate) fn me(&self) -> MemberId {
        self.identity.member_id()
    }
}

impl Kindred {
    /// Creates a new profile in `dir` with a fresh member key, install actor and personal document.
    ///
    /// Fails with `ErrorKind::ProfileExists` if `dir` already holds one; an existing file is never touched.
    ///
    /// The profile is **not encrypted**: for tests, tools and people who chose so (`kindred init --unencrypted`).
    /// Apps keep profiles in a [`crate::Profiles`] vault, where every profile is encrypted.
    pub fn create(dir: impl AsRef<Path>, display_name: &str) -> Result<Self> {
        Self::create_in(dir.as_ref(), storage::DATABASE_FILE, None, false, display_name)
    }

    /// Creates a profile whose database is `dir/db_file`, encrypted with `key` if given.
    pub(crate) fn create_in(
        dir: &Path,
        db_file: &'static str,
        key: Option<&DbKey>,
        in_vault: bool,
        display_name: &str,
    ) -> Result<Self> {
        let display_name = validate_display_name(display_name)?;
        let identity = LocalIdentity::generate();
        let personal_doc = DocId::random();
        let now = now_ms();
        Db::create(dir, db_file, key, |tx| {
            storage::profile::insert(
                tx,
                &storage::profile::StoredProfile {
                    display_name: display_name.clone(),
                    member_secret: identity.secret_bytes().to_vec(),
                    actor_id: identity.actor().to_bytes().to_vec(),
                    actor_certificate: identity.actor_certificate().to_vec(),
                    personal_doc,
                    created_at: now,
                },
            )?;
            documents::insert_actor_certificate(
                tx,
                identity.actor(),
                identity.member_id().as_bytes(),
                &identity.actor_certificate(),
            )?;
            let mut cache = DocCache::new(1);
            let place = DocPlace { kind: DocKind::Personal, group: None, author: None, segment: 0 };
            documents::change_local(tx, &mut cache, &identity, &personal_doc, Some(place), now, |d| {
                schema::goals::write_personal_root(d, &personal_doc)
            })
        })?;
        Self::open_in(dir, db_file, key, in_vault)
    }

    /// Opens the unencrypted profile in `dir` (see [`Kindred::create`]), upgrading its database if needed.
    ///
    /// A missing profile is `ErrorKind::NoProfile`; a damaged or foreign file is reported and left exactly as it is.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_in(dir.as_ref(), storage::DATABASE_FILE, None, false)
    }

    /// Opens the profile whose database is `dir/db_file`, with `key` if it is encrypted.
    pub(crate) fn open_in(dir: &Path, db_file: &'static str, key: Option<&DbKey>, in_vault: bool) -> Result<Self> {
        let dir = dir.to_owned();
        let mut db = Db::open(&dir, db_file, key)?;
        let stored = db.read(|tx| storage::profile::load(tx))?;
        let identity = LocalIdentity::from_stored(&stored.member_secret, &stored.actor_id, &stored.actor_certificate)?;
        let info = ProfileInfo {
            member_id: identity.member_id(),
            display_name: stored.display_name,
            actor_id: identity.actor().to_hex_string(),
            created_at: stored.created_at,
        };
        let inner = Inner {
            db,
            cache: DocCache::new(DOC_CACHE_CAPACITY),
            resolutions: Default::default(),
            personal_doc: stored.personal_doc,
        };
        Ok(Self {
            dir,
            db_file,
            in_vault,
            identity,
            info: RwLock::new(info),
            inner: Mutex::new(inner),
            listeners: Listeners::default(),
            crisis_checker: RwLock::new(None),
            instruments: RwLock::new(crate::instruments::Registry::default()),
        })
    }

    /// Whether `dir` holds a profile (it may still fail to open, if damaged).
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        dir.as_ref().join(storage::DATABASE_FILE).exists()
    }

    /// The checker with this profile's crisis phrase lists: the app's if it set some, else the shipped ones.
    pub(crate) fn crisis_checker(&self) -> CrisisChecker {
        match self.crisis_checker.read().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref() {
            Some(checker) => CrisisChecker::Own(Arc::clone(checker)),
            None => CrisisChecker::Shipped,
        }
    }

    /// Sets this profile's crisis phrase lists (`None`: the shipped ones).
    pub(crate) fn set_crisis_checker(&self, checker: Option<Arc<crate::crisis::Checker>>) {
        *self.crisis_checker.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = checker;
    }

    /// The data directory this profile lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Panic wipe: destroys this profile at once. An encrypted profile's key goes first (its wrapped key is
    /// overwritten and removed, so the data is unreadable from that moment, even if deleting the files is cut
    /// short), then its files. Every later call on this handle fails. Nothing is left of a vault profile; of an
    /// unencrypted one, the database files are deleted (not overwritten: such a profile was never protected).
    pub fn wipe(&self) -> Result<()> {
        if self.in_vault {
            crate::vault::shred_keys(&self.dir)?;
        }
        self.lock().db.close_for_wipe()?;
        if self.in_vault {
            return crate::vault::remove_wiped(&self.dir);
        }
        for suffix in ["", "-wal", "-shm"] {
            let path = self.dir.join(format!("{}{suffix}", self.db_file));
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(path, e));
                }
                _ => {}
            }
        }
        // The directory goes too when nothing else is in it.
        let _ = std::fs::remove_dir(&self.dir);
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock means a panic happened while it was held. The database is transactional, so it is
        // consistent; only the document cache may be stale, so drop it and carry on.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            guard.cache.clear();
            guard.resolutions.clear();
            guard
        })
    }

    /// The profile's public identity.
    pub fn profile(&self) -> ProfileInfo {
        self.info.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Changes the pseudonym shown in groups joined from now on.
    pub fn set_display_name(&self, name: &str) -> Result<()> {
        let name = validate_display_name(name)?;
        let mut inner = self.lock();
        inner.db.write(|tx| storage::profile::set_display_name(tx, &name))?;
        self.info.write().unwrap_or_else(|poisoned| poisoned.into_inner()).display_name = name;
        Ok(())
    }

    /// Registers a listener for every change to this profile, local or from peers. Keep the returned
    /// [`Subscription`]: dropping it unregisters the listener.
    pub fn subscribe(&self, listener: Arc<dyn UpdateListener>) -> Subscription {
        self.listeners.add(listener)
    }

    /// Runs `f` in one durable write transaction, then tells listeners what changed (after the lock is released, so
    /// they may call back into the profile).
    ///
    /// Only this thin shim depends on `f`'s type: the locking, the transaction, its error handling and the listeners
    /// run in [`Kindred::write_dyn`], once in the library rather than once per caller (every write of the public API
    /// comes through here, and the phone library has a size budget).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut WriteCtx<'_, '_>) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.write_dyn(&mut |ctx| {
            let Some(f) = f.take() else { return Err(internal("a write's body ran twice")) };
            out = Some(f(ctx)?);
            Ok(())
        })?;
        out.ok_or_else(|| internal("a write's body did not run"))
    }

    fn write_dyn(&self, f: &mut dyn FnMut(&mut WriteCtx<'_, '_>) -> Result<()>) -> Result<()> {
        let display_name = self.profile().display_name;
        let updates = self.lock().write(&self.identity, &display_name, f)?;
        self.listeners.dispatch(&updates);
        Ok(())
    }

    /// Runs `f` with this profile's identity (for the sync channel's keys), without taking the lock.
    pub(crate) fn with_identity<T>(&self, f: impl FnOnce(&LocalIdentity) -> T) -> T {
        f(&self.identity)
    }

    /// Runs `f` in a read transaction, with this profile's member id. A thin shim over [`Kindred::read_dyn`], as
    /// [`Kindred::write`] is.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Transaction<'_>, &MemberId) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.read_dyn(&mut |tx, me| {
            let Some(f) = f.take() else { return Err(internal("a read's body ran twice")) };
            out = Some(f(tx, me)?);
            Ok(())
        })?;
        out.ok_or_else(|| internal("a read's body did not run"))
    }

    fn read_dyn(&self, f: &mut dyn FnMut(&Transaction<'_>, &MemberId) -> Result<()>) -> Result<()> {
        let me = self.identity.member_id();
        self.lock().db.read(|tx| f(tx, &me))
    }

    /// Runs SQLite's full consistency check (slow on large profiles). Damage is `ErrorKind::CorruptDatabase`.
    pub fn check_integrity(&self) -> Result<()> {
        self.lock().db.integrity_check()
    }
}

impl Inner {
    /// Runs `f` in one durable write transaction. If it fails, nothing is written and cached documents (which may
    /// hold the failed change in memory) are dropped.
    fn write(
        &mut self,
        identity: &LocalIdentity,
        display_name: &str,
        f: &mut dyn FnMut(&mut WriteCtx<'_, '_>) -> Result<()>,
    ) -> Result<Vec<Update>> {
        let Inner { db, cache, resolutions, personal_doc } = self;
        let result = db.write(|tx| {
            let mut ctx = WriteCtx {
                tx,
                cache,
                resolutions,
                identity,
                personal_doc: *personal_doc,
                display_name,
                updates: Vec::new(),
                erased: false,
            };
            f(&mut ctx)?;
            Ok((coalesce(ctx.updates), ctx.erased))
        });
        match result {
            Ok((updates, erased)) => {
                if erased {
                    // Best effort: a reader holding the log open (another process) only delays this to a later
                    // erasure or checkpoint; the erased words' pages are already overwritten (`secure_delete`).
                    let _ = db.empty_log();
                }
                Ok(updates)
            }
            Err(e) => {
                cache.clear();
                resolutions.clear();
                Err(e)
            }
        }
    }
}

/// `ErrorKind::Internal` with `what`: built once here, not in every instance of the generic shims (`write`, `read`,
/// `storage::documents::change_local`; about 13 KB of the phone library).
#[cold]
#[inline(never)]
pub(crate) fn internal(what: &'static str) -> Error {
    Error::internal(what)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::SyncOptions;

    /// While a write holds the profile's lock (a long sync import, say), the app's UI thread can still read who it
    /// is and start a sync session: neither waits for the lock.
    #[test]
    fn profile_info_and_starting_a_session_never_wait_for_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let kindred = Arc::new(Kindred::create(dir.path(), "Ada").unwrap());
        let (done, finished) = mpsc::channel();
        let writer = Arc::clone(&kindred);
        std::thread::spawn(move || {
            let _ = writer.write(|_| {
                // Inside the write: the lock is held. Before, both calls below waited on it (here, for ever).
                let info = writer.profile();
                let session = writer.connect_sync(None, SyncOptions::default()).map(|_| ());
                let _ = done.send((info.display_name, session.is_ok()));
                Ok(())
            });
        });
        // A liveness bound, not a timing measurement: a regression fails here instead of hanging the suite.
        let (name, started) = finished.recv_timeout(Duration::from_secs(60)).expect("blocked behind the write lock");
        assert_eq!((name.as_str(), started), ("Ada", true));
        kindred.set_display_name("Ada L").unwrap();
        assert_eq!(kindred.profile().display_name, "Ada L");
        drop(kindred);
        assert_eq!(Kindred::open(dir.path()).unwrap().profile().display_name, "Ada L");
    }
}
