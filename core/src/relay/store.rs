//! The mailbox's store, as the core sees it: four operations on named objects (put, get, list after a cursor,
//! delete), which the app implements with its own HTTP stack against any S3-compatible service (Kotlin and Swift
//! through the FFI's `RelayStore`, the CLI with a Rust S3 client). The core moves no bytes over a network itself.
//!
//! The store is trusted with nothing: whatever it returns is checked (`super::object`) before it costs more than
//! its bounded size, and a store that fails part-way leaves everything as it was, to try again.

/// One object a listing names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StoredObject {
    /// The object's full name (its key in the bucket).
    pub name: String,
    /// Its size in bytes, as the store reports it.
    pub size: u64,
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StoreListing {
    /// Objects whose names start with the prefix asked for, in ascending byte order of their names, after the
    /// cursor. At most 1,000 are looked at.
    pub objects: Vec<StoredObject>,
    /// Whether more follow: the next page starts after the last name of this one (S3's `IsTruncated`).
    pub more: bool,
}

/// Why a store operation failed: the link or the service, never the data (the core judges the data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the relay store failed: {0}")]
pub struct StoreError(pub String);

/// An S3-compatible bucket (or anything with the same four operations), as the app reaches it.
///
/// Every call may block on the network; the core calls them from the thread that runs
/// [`Kindred::relay_sync`](crate::Kindred::relay_sync), never while it holds the database.
pub trait Mailbox {
    /// Stores `bytes` under `name`, replacing an object of that name.
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// The bytes stored under `name`, or `None` if there is no such object (deleted, expired).
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The objects whose names start with `prefix`, in ascending order, starting after `after` if given (S3
    /// `ListObjectsV2` with `prefix` and `start-after`).
    fn list(&self, prefix: &str, after: Option<&str>) -> Result<StoreListing, StoreError>;
    /// Removes the object `name`; removing one that is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), StoreError>;
}
