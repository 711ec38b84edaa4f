//! The one public error of the bindings, and the one place the core's error becomes it.
//!
//! Kotlin sees `KindredException.<Variant>`, Swift `KindredError.<variant>`. Every export that can fail returns it,
//! and every export body runs inside `guard`, so even a bug that panics in Rust arrives as
//! [`KindredError::Internal`] instead of crashing the app.

use std::panic::{AssertUnwindSafe, catch_unwind};

use kindred_core::Refusal;
use kindred_core::{Error, ErrorKind};

/// What went wrong, in a form apps can match on: the variant and its fields. Its sentence (below each variant) is
/// Kotlin's `toString()` and Swift's `description`; Kotlin's `message` lists the fields instead (uniffi's format).
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum KindredError {
    /// An argument was rejected: `field` names it, `reason` says why (show it to the person).
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// The group, message, goal or profile asked for does not exist.
    #[error("{kind} not found: {id}")]
    NotFound { kind: String, id: String },
    /// A name matched several things; use the id.
    #[error("{kind} {name:?} matches {count} items")]
    Ambiguous { kind: String, name: String, count: u32 },
    /// The person may not do this (edit someone else's message, write in a group they are not in...).
    #[error("not permitted: {reason}")]
    NotPermitted { reason: String },
    /// There is already a profile in this directory.
    #[error("a profile already exists in {path}")]
    ProfileExists { path: String },
    /// There is no profile in this directory yet.
    #[error("no profile in {path}")]
    NoProfile { path: String },
    /// The database is damaged. It was left untouched; offer the person a way to export or get help, never delete it.
    #[error("the database {path} is damaged: {detail}")]
    CorruptDatabase { path: String, detail: String },
    /// The file belongs to another program. It was left untouched.
    #[error("{path} is not a Kindred database")]
    ForeignDatabase { path: String },
    /// The database was written by a newer version of the app.
    #[error("the database has schema version {found}; this version supports up to {supported}")]
    NewerSchema { found: i64, supported: i64 },
    /// The phone's storage is full: nothing was lost and everything can still be read; ask the person to free some
    /// space, then try the write or sync again.
    #[error("the phone's storage is full")]
    StorageFull,
    /// The disk or the file system failed (read-only, I/O error).
    #[error("storage error: {detail}")]
    Storage { detail: String },
    /// Data from another phone (or a bundle) was refused; nothing of it was kept. Switch on `kind` (which rule it
    /// broke); `reason` says it in words for logs.
    #[error("refused data from a peer ({kind}): {reason}")]
    Rejected { kind: Refusal, reason: String },
    /// No profile opens with this passphrase or key. Nothing was changed; ask again.
    #[error("wrong passphrase or key")]
    WrongPassphrase,
    /// The relay's object store failed a request (no network, a timeout, an error status): nothing is lost, try the
    /// round again later.
    #[error("the relay store is unavailable: {detail}")]
    RelayUnavailable { detail: String },
    /// The profile was closed; open it again.
    #[error("the profile is closed")]
    Closed,
    /// A bug in Kindred. The library stays usable; please report the detail.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl From<Error> for KindredError {
    fn from(err: Error) -> Self {
        match err.into_kind() {
            ErrorKind::InvalidInput { field, reason } => KindredError::InvalidInput { field: field.into(), reason },
            ErrorKind::NotFound { kind, id } => KindredError::NotFound { kind: kind.into(), id },
            ErrorKind::Ambiguous { kind, name, count } => {
                KindredError::Ambiguous { kind: kind.into(), name, count: u32::try_from(count).unwrap_or(u32::MAX) }
            }
            ErrorKind::NotPermitted(reason) => KindredError::NotPermitted { reason },
            ErrorKind::ProfileExists(path) => KindredError::ProfileExists { path: path.display().to_string() },
            ErrorKind::NoProfile(path) => KindredError::NoProfile { path: path.display().to_string() },
            ErrorKind::CorruptDatabase { path, detail } => {
                KindredError::CorruptDatabase { path: path.display().to_string(), detail }
            }
            ErrorKind::ForeignDatabase(path) => KindredError::ForeignDatabase { path: path.display().to_string() },
            ErrorKind::NewerSchema { found, supported } => KindredError::NewerSchema { found, supported },
            ErrorKind::Rejected { kind, reason } => KindredError::Rejected { kind, reason },
            ErrorKind::StorageFull => KindredError::StorageFull,
            ErrorKind::WrongPassphrase => KindredError::WrongPassphrase,
            ErrorKind::RelayUnavailable(detail) => KindredError::RelayUnavailable { detail },
            err @ (ErrorKind::Storage(_) | ErrorKind::Io { .. }) => KindredError::Storage { detail: err.to_string() },
            err @ (ErrorKind::Document { .. } | ErrorKind::Internal(_)) => {
                KindredError::Internal { detail: err.to_string() }
            }
            other => KindredError::Internal { detail: other.to_string() },
        }
    }
}

fn panic_detail(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panic: {message}")
}

/// Runs an export's body, turning a panic into [`KindredError::Internal`].
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, KindredError>) -> Result<T, KindredError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panicked(payload)))
}

/// The error for a caught panic, built (and its payload dropped) here once rather than in every instance of [`guard`].
#[cold]
#[inline(never)]
fn panicked(payload: Box<dyn std::any::Any + Send>) -> KindredError {
    KindredError::Internal { detail: panic_detail(payload.as_ref()) }
}

/// Parses an id the app passed in.
pub(crate) fn parse_id<T: std::str::FromStr<Err = Error>>(text: &str) -> Result<T, KindredError> {
    text.parse().map_err(KindredError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal_and_the_next_call_works() {
        let failed: Result<(), KindredError> = guard(|| panic!("boom"));
        assert!(matches!(failed, Err(KindredError::Internal { detail }) if detail.contains("boom")));
        assert!(matches!(guard(|| Ok(7)), Ok(7)));
    }

    #[test]
    fn core_errors_keep_their_meaning() {
        let invalid: KindredError = Error::invalid("mood", "9 is not on the 1 to 5 scale").into();
        assert!(matches!(invalid, KindredError::InvalidInput { ref field, .. } if field == "mood"));
        let missing: KindredError = Error::not_found("group", "abc").into();
        assert!(matches!(missing, KindredError::NotFound { ref kind, .. } if kind == "group"));
        let corrupt: KindredError =
            Error::from(ErrorKind::CorruptDatabase { path: "/x".into(), detail: "bad page".into() }).into();
        assert!(matches!(corrupt, KindredError::CorruptDatabase { ref path, .. } if path == "/x"));
        assert!(matches!(KindredError::from(Error::internal("x")), KindredError::Internal { .. }));
        assert!(matches!(parse_id::<kindred_core::GroupId>("nope"), Err(KindredError::InvalidInput { .. })));
        assert!(matches!(
            parse_id::<kindred_core::SafetyPlanItemId>("nope"),
            Err(KindredError::InvalidInput { ref field, .. }) if field == "safety plan item id"
        ));
    }
}
