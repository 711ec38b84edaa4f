//! Housekeeping that writes leave for an idle moment, so that a post never pauses for it.
//!
//! A document is stored as a snapshot plus one incremental chunk per change (see [`crate::storage::documents`]);
//! folding the chunks into a fresh snapshot re-saves the whole document, several milliseconds for a full segment and
//! several times that on a low-cost phone. Batch writes and sync compact what is due as they go; a single local write
//! (a post, a reaction, an edit) does not, short of a hard bound, and leaves it to [`Kindred::maintain`]. Likewise the
//! database's write-ahead log is copied back into the database file here, rather than by whichever write happens to
//! fill it (SQLite still does that itself as a safety net, far past the usual size).

use crate::error::Result;
use crate::kindred::{Inner, Kindred};
use crate::storage::documents;

impl Kindred {
    /// Folds documents' piled-up change chunks into fresh snapshots (those due, and this profile's closed message
    /// segments) and checkpoints the database's write-ahead log. Call it when the app is idle or goes to the
    /// background. Does nothing when nothing is due; safe to call at any time. Each document is compacted in its own
    /// transaction, so a post made meanwhile waits for one compaction at most. In groups this profile moderates, it
    /// also lifts suspensions whose period is over by this phone's clock ([`Kindred::lift_due_suspensions`]).
    /// Returns how many documents it compacted.
    pub fn maintain(&self) -> Result<u32> {
        // Suspensions whose period is over, by this phone's clock, in groups this profile moderates.
        self.lift_due_suspensions()?;
        // This slot's sealed items (reports, warnings, cover), if not made yet; a failure here (a full disk) leaves
        // compaction and the checkpoint below to run.
        let _made = self.write(crate::sealed::emit_due);
        let me = self.profile().member_id;
        let due = self.lock().db.read(|tx| documents::due_for_compaction(tx, &me))?;
        let mut compacted = 0;
        for id in &due {
            let mut inner = self.lock();
            let Inner { db, cache, .. } = &mut *inner;
            match db.write(|tx| documents::compact(tx, cache, id)) {
                Ok(done) => compacted += u32::from(done),
                Err(e) => {
                    // The cached copies may have been told a generation the database never committed.
                    cache.clear();
                    return Err(e);
                }
            }
        }
        self.lock().db.checkpoint()?;
        Ok(compacted)
    }
}
