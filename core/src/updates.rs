//! Live updates: listeners an app registers to hear about changes as soon as they are on disk.
//!
//! Writes collect [`Update`]s while they run; once the transaction has committed and the profile's lock is released,
//! every listener is called in registration order. Calling outside the lock lets a listener read from (or write to)
//! the profile straight away. A listener that panics is skipped for that update and stays registered; it cannot
//! break the write that triggered it, which is already durable.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, Weak};

use crate::model::Update;

/// Receives updates. Implemented by apps (through the FFI layer) and by tests.
pub trait UpdateListener: Send + Sync {
    /// Called once per committed change, on the thread that made the change.
    fn on_update(&self, update: &Update);
}

type Entries = Mutex<Vec<(u64, Arc<dyn UpdateListener>)>>;

/// The registered listeners of one profile.
#[derive(Default)]
pub(crate) struct Listeners {
    entries: Arc<Entries>,
    next_id: Mutex<u64>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners").field("count", &lock(&self.entries).len()).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The lists stay consistent even if a holder panicked: every update to them is a single push or retain.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Listeners {
    pub(crate) fn add(&self, listener: Arc<dyn UpdateListener>) -> Subscription {
        let id = {
            let mut next = lock(&self.next_id);
            *next += 1;
            *next
        };
        lock(&self.entries).push((id, listener));
        Subscription { entries: Arc::downgrade(&self.entries), id }
    }

    pub(crate) fn dispatch(&self, updates: &[Update]) {
        if updates.is_empty() {
            return;
        }
        let listeners: Vec<_> = lock(&self.entries).iter().map(|(_, l)| Arc::clone(l)).collect();
        for update in updates {
            for listener in &listeners {
                let _ = catch_unwind(AssertUnwindSafe(|| listener.on_update(update)));
            }
        }
    }
}

/// A registered listener. Dropping it (or calling [`Subscription::cancel`]) unregisters the listener.
#[must_use = "the listener is unregistered when the subscription is dropped"]
#[derive(Debug)]
pub struct Subscription {
    entries: Weak<Entries>,
    id: u64,
}

impl Subscription {
    /// Unregisters the listener now.
    pub fn cancel(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(entries) = self.entries.upgrade() {
            lock(&entries).retain(|(id, _)| *id != self.id);
        }
    }
}

/// Merges updates about the same thing, so a batch of posts is one `Messages` update per group.
pub(crate) fn coalesce(updates: Vec<Update>) -> Vec<Update> {
    let mut out: Vec<Update> = Vec::new();
    for update in updates {
        match update {
            Update::Messages { group_id, message_ids } => {
                if let Some(Update::Messages { message_ids: existing, .. }) =
                    out.iter_mut().find(|u| matches!(u, Update::Messages { group_id: g, .. } if *g == group_id))
                {
                    for id in message_ids {
                        if !existing.contains(&id) {
                            existing.push(id);
                        }
                    }
                } else {
                    out.push(Update::Messages { group_id, message_ids });
                }
            }
            other => {
                if !out.contains(&other) {
                    out.push(other);
                }
            }
        }
    }
    out
}
