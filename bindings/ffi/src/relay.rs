//! The relay mailbox across the FFI: the store interface the app implements over its own HTTP stack (OkHttp,
//! URLSession...) against any S3-compatible service, and the round that uses it. The protocol, the encryption and
//! every check are the core's (`kindred_core::relay`); this file only adapts the app's store to it.

use std::sync::Arc;

use kindred_core as core;
use kindred_core::relay::{Mailbox, StoreError, StoreListing};

use crate::error::{KindredError, parse_id};
use crate::profile::KindredProfile;

/// Why a store operation failed, as the app's implementation reports it. Say what failed (operation, HTTP status),
/// never an object's contents.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum RelayStoreError {
    /// The request failed: no network, a timeout, an HTTP error status.
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for RelayStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        RelayStoreError::Failed { reason: e.reason }
    }
}

/// An S3-compatible bucket as the app reaches it (Kotlin and Swift implement this). Calls come from the thread
/// running `KindredProfile.relay_sync` and may block on the network; honour timeouts, and refuse to download an
/// object larger than `MAX_OBJECT_BYTES` (32 MiB).
#[uniffi::export(with_foreign)]
pub trait RelayStore: Send + Sync {
    /// PUT `bytes` at key `name` (replacing an object there).
    fn put(&self, name: String, bytes: Vec<u8>) -> Result<(), RelayStoreError>;
    /// GET the object at `name`: its bytes, or null when there is none (HTTP 404).
    fn get(&self, name: String) -> Result<Option<Vec<u8>>, RelayStoreError>;
    /// ListObjectsV2 with `prefix` and, when given, `start-after`: names and sizes in ascending order, and whether
    /// the listing was truncated (`IsTruncated`).
    fn list(&self, prefix: String, after: Option<String>) -> Result<StoreListing, RelayStoreError>;
    /// DELETE the object at `name` (no error when it is already gone).
    fn delete(&self, name: String) -> Result<(), RelayStoreError>;
}

/// The app's store as the core's mailbox.
struct AppStore(Arc<dyn RelayStore>);

fn failed(e: RelayStoreError) -> StoreError {
    StoreError(e.to_string())
}

impl Mailbox for AppStore {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.0.put(name.to_owned(), bytes.to_vec()).map_err(failed)
    }
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(name.to_owned()).map_err(failed)
    }
    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError> {
        self.0.list(prefix.to_owned(), after.map(str::to_owned)).map_err(failed)
    }
    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.0.delete(name.to_owned()).map_err(failed)
    }
}

#[uniffi::export]
impl KindredProfile {
    /// One round with a group's mailbox in `store`: takes in what other members left there, leaves what they lack,
    /// removes what everyone has read. Also joins a group this profile holds an invitation to (`join_group`) through
    /// the mailbox. Run it when the network returns and now and then; a failing store is `RelayUnavailable`, and
    /// the next round finishes what this one could not.
    pub fn relay_sync(
        &self,
        group_id: String,
        store: Arc<dyn RelayStore>,
    ) -> Result<core::relay::RelayReport, KindredError> {
        let group: core::GroupId = parse_id(&group_id)?;
        self.run(move |k| Ok(k.relay_sync(&group, &AppStore(store))?))
    }
}
