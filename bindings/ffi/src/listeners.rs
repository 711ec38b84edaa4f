//! Live updates across the FFI: a listener the app implements (a Kotlin or Swift object), and the handle that keeps
//! it registered. Closing or dropping the handle unregisters the listener.

use std::sync::{Arc, Mutex};

use kindred_core as core;

/// Implemented by the app to hear about changes. Called after each change is on disk, on the thread that made it (a
/// background thread of the platform layer, or the one a sync session runs on); hop to the UI thread before touching
/// views. Must not block for long.
#[uniffi::export(with_foreign)]
pub trait UpdateListener: Send + Sync {
    fn on_update(&self, update: core::Update);
}

/// Adapts an app listener to the core, optionally only for one group's updates.
pub(crate) struct Forward {
    pub(crate) listener: Arc<dyn UpdateListener>,
    pub(crate) only_group: Option<core::GroupId>,
}

impl core::UpdateListener for Forward {
    fn on_update(&self, update: &core::Update) {
        if self.only_group.is_none() || update.group_id() == self.only_group.as_ref() {
            self.listener.on_update(update.clone());
        }
    }
}

/// Keeps a listener registered. `close()` (Kotlin: `use {}` / `close()`, Swift: dropping the last reference)
/// unregisters it.
#[derive(Debug, uniffi::Object)]
pub struct SubscriptionHandle {
    subscription: Mutex<Option<core::Subscription>>,
}

impl SubscriptionHandle {
    pub(crate) fn new(subscription: core::Subscription) -> Arc<Self> {
        Arc::new(Self { subscription: Mutex::new(Some(subscription)) })
    }
}

#[uniffi::export]
impl SubscriptionHandle {
    /// Unregisters the listener now. Calling it again does nothing.
    pub fn cancel(&self) {
        self.subscription.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// Whether the listener is still registered.
    pub fn is_active(&self) -> bool {
        self.subscription.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }
}
