//! The one public error of the bindings, and the one place the core's error becomes it.
//!
//! Kotlin sees `KindredException.<Variant>`, Swift `KindredError.<variant>`. Every export that can fail returns it,
//! and every export body runs inside `guard`, so even a bug that panics in Rust arrives as
//! [`KindredError::Internal`] instead of crashing the app.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use kindred_core::Error;
use kindred_core::Refusal;

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
    /// The profile was closed; open it again.
    #[error("the profile is closed")]
    Closed,
    /// A bug in Kindred. The library stays usable; please report the detail.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl From<Error> for KindredError {
    fn from(err: Error) -> Self {
        match err {
            Error::InvalidInput { field, reason } => KindredError::InvalidInput { field: field.into(), reason },
            Error::NotFound { kind, id } => KindredError::NotFound { kind: kind.into(), id },
            Error::Ambiguous { kind, name, count } => {
                KindredError::Ambiguous { kind: kind.into(), name, count: u32::try_from(count).unwrap_or(u32::MAX) }
            }
            Error::NotPermitted(reason) => KindredError::NotPermitted { reason },
            Error::ProfileExists(path) => KindredError::ProfileExists { path: path.display().to_string() },
            Error::NoProfile(path) => KindredError::NoProfile { path: path.display().to_string() },
            Error::CorruptDatabase { path, detail } => {
                KindredError::CorruptDatabase { path: path.display().to_string(), detail }
            }
            Error::ForeignDatabase(path) => KindredError::ForeignDatabase { path: path.display().to_string() },
            Error::NewerSchema { found, supported } => KindredError::NewerSchema { found, supported },
            Error::Rejected { kind, reason } => KindredError::Rejected { kind, reason },
            Error::StorageFull => KindredError::StorageFull,
            err @ (Error::Storage(_) | Error::Io { .. }) => KindredError::Storage { detail: err.to_string() },
            err @ (Error::Document { .. } | Error::Internal(_)) => KindredError::Internal { detail: err.to_string() },
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
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(KindredError::Internal { detail: panic_detail(payload.as_ref()) }))
}

/// Runs blocking core work (disk, Automerge) on its own thread and returns a future of its result, so the caller's
/// coroutine or task is never blocked. No async runtime is needed: Kotlin and Swift drive the future, and the finished
/// thread wakes it. A thread per call is cheap next to the disk work it does (tens of microseconds against
/// milliseconds), and keeps the phone library small.
///
/// Size matters here because every exported method calls it, so all but the work itself is type-erased: the work is
/// boxed and its result boxed as `Any`, and the thread, the panic catching and the result slot exist once in the
/// library ([`spawn_worker`]); only [`Worker::poll`]'s downcast depends on the result type. (Measured: the thread
/// started once took 177 KB off the release library; erasing the result and the panic catching, 63 KB more.)
pub(crate) fn off_thread<T: Send + 'static>(f: impl FnOnce() -> Result<T, KindredError> + Send + 'static) -> Worker<T> {
    let job: Job = Box::new(move || f().map(|value| Box::new(value) as Box<dyn Any + Send>));
    Worker { slot: spawn_worker(job), _result: PhantomData }
}

/// Work for a worker thread, its result type-erased.
type Job = Box<dyn FnOnce() -> Result<Box<dyn Any + Send>, KindredError> + Send>;

/// What a worker leaves: its result (a panic is [`KindredError::Internal`]), and whom to wake.
#[derive(Default)]
struct Slot {
    result: Option<Result<Box<dyn Any + Send>, KindredError>>,
    waker: Option<Waker>,
}

/// Starts one worker thread running `job` and returns the slot its result will be left in (at once, with the
/// error, if no thread could be started): the one copy of the thread machinery and of the panic catching.
fn spawn_worker(job: Job) -> Result<Arc<Mutex<Slot>>, KindredError> {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let filled = Arc::clone(&slot);
    std::thread::Builder::new()
        .name("kindred-worker".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(job))
                .unwrap_or_else(|payload| Err(KindredError::Internal { detail: panic_detail(payload.as_ref()) }));
            let mut slot = filled.lock().unwrap_or_else(|p| p.into_inner());
            slot.result = Some(result);
            if let Some(waker) = slot.waker.take() {
                waker.wake();
            }
        })
        .map_err(|e| KindredError::Internal { detail: format!("could not start a worker thread: {e}") })?;
    Ok(slot)
}

/// The future of work started by [`off_thread`] (or an error known before it started).
pub(crate) struct Worker<T> {
    slot: Result<Arc<Mutex<Slot>>, KindredError>,
    _result: PhantomData<fn() -> T>,
}

impl<T> Worker<T> {
    /// A future that is ready at once with `error`.
    pub(crate) fn failed(error: KindredError) -> Self {
        Self { slot: Err(error), _result: PhantomData }
    }
}

/// Takes a finished worker's result out of its slot, or registers the waker: shared by every result type.
fn poll_slot(
    slot: &mut Result<Arc<Mutex<Slot>>, KindredError>,
    cx: &Context<'_>,
) -> Poll<Result<Box<dyn Any + Send>, KindredError>> {
    let slot = match slot {
        Ok(slot) => slot,
        Err(error) => {
            let error =
                std::mem::replace(error, KindredError::Internal { detail: "a finished call was polled again".into() });
            return Poll::Ready(Err(error));
        }
    };
    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
    match slot.result.take() {
        Some(result) => Poll::Ready(result),
        None => {
            slot.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl<T: 'static> Future for Worker<T> {
    type Output = Result<T, KindredError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_slot(&mut self.get_mut().slot, cx).map(|result| {
            result.and_then(|value| {
                value
                    .downcast::<T>()
                    .map(|value| *value)
                    .map_err(|_| KindredError::Internal { detail: "a worker's result was of another type".into() })
            })
        })
    }
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
        let invalid: KindredError =
            Error::InvalidInput { field: "mood", reason: "9 is not on the 1 to 5 scale".into() }.into();
        assert!(matches!(invalid, KindredError::InvalidInput { ref field, .. } if field == "mood"));
        let missing: KindredError = Error::NotFound { kind: "group", id: "abc".into() }.into();
        assert!(matches!(missing, KindredError::NotFound { ref kind, .. } if kind == "group"));
        let corrupt: KindredError = Error::CorruptDatabase { path: "/x".into(), detail: "bad page".into() }.into();
        assert!(matches!(corrupt, KindredError::CorruptDatabase { ref path, .. } if path == "/x"));
        assert!(matches!(KindredError::from(Error::Internal("x".into())), KindredError::Internal { .. }));
        assert!(matches!(parse_id::<kindred_core::GroupId>("nope"), Err(KindredError::InvalidInput { .. })));
        assert!(matches!(
            parse_id::<kindred_core::SafetyPlanItemId>("nope"),
            Err(KindredError::InvalidInput { ref field, .. }) if field == "safety plan item id"
        ));
    }
}
