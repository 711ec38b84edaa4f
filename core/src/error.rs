//! The core's one internal error type.
//!
//! Every fallible operation in `kindred-core` returns [`Result`]. An [`Error`] is one pointer to its [`ErrorKind`]:
//! errors are rare and `Result`s are everywhere, so every `?` moves a pointer instead of a seven-word value (the
//! phone library was 179,456 bytes smaller for it, about 4%). Code that acts on an error matches on
//! [`Error::kind`] (or [`Error::into_kind`] to take its parts); [`Error::invalid`], [`Error::not_found`],
//! [`Error::not_permitted`] and [`Error::internal`] make the common ones. Kinds are grouped by what the caller can do about
//! them: fix the input ([`ErrorKind::InvalidInput`]), look for something else ([`ErrorKind::NotFound`]), ask someone
//! with the right role ([`ErrorKind::NotPermitted`]), or tell the person their data needs attention
//! ([`ErrorKind::CorruptDatabase`], [`ErrorKind::ForeignDatabase`], [`ErrorKind::NewerSchema`]). The FFI layer maps
//! the kinds to its public error in one place.

use std::path::PathBuf;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something that went wrong inside the core: what, in [`Error::kind`].
pub struct Error(Box<ErrorKind>);

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value supplied by the caller was rejected. `field` names the argument, `reason` says why in plain words,
    /// naming limits and lengths but never repeating what was typed (an error may reach a log or a crash report).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or value rejected, in words ("group name", "mood", "invitation code").
        field: &'static str,
        /// Why, in a short English phrase fit to show the person ("must not be empty", "is 70 characters long;
        /// the limit is 60").
        reason: String,
    },

    /// The thing asked for does not exist in this profile.
    #[error("{kind} not found: {id}")]
    NotFound {
        /// What was looked for: "group", "message", "goal", "member", "invitation", "document", ...
        kind: &'static str,
        /// The id looked for, in hex; for a name or a title looked for, a phrase saying no such thing exists (never
        /// the name itself: errors name ids, never what people wrote).
        id: String,
    },

    /// A name matched more than one thing (for example two groups with the same name).
    #[error("{kind} is ambiguous: it matches {count} items; use the id instead")]
    Ambiguous {
        /// What was looked for: "group", "goal" or "message id".
        kind: &'static str,
        /// The id prefix (hex) that matched more than one; empty for a name or a title, which an error never repeats.
        name: String,
        /// How many it matched (for a message id prefix, counted up to 100).
        count: usize,
    },

    /// The operation is not allowed for this member (editing someone else's message, posting in a group one is not a
    /// member of, ...). The words name roles and ids, never content.
    #[error("not permitted: {0}")]
    NotPermitted(String),

    /// `create` was called where a profile already exists.
    #[error("a profile already exists in {0}")]
    ProfileExists(PathBuf),

    /// `open` was called where there is no profile.
    #[error("no profile in {0}; create one first")]
    NoProfile(PathBuf),

    /// No profile opens with this passphrase or key, or the key does not open this database. Nothing was read,
    /// written or overwritten: the same profile opens with the right one.
    #[error("wrong passphrase or key: nothing opens with it, and nothing was changed")]
    WrongPassphrase,

    /// The database file is damaged. It is left exactly as it was: it may be the only copy of someone's history.
    #[error("the database {path} is damaged and was left untouched: {detail}")]
    CorruptDatabase {
        /// The database file.
        path: PathBuf,
        /// What is wrong, as SQLite or the header check reports it (for logs and support, not for people).
        detail: String,
    },

    /// The file is a database, but not a Kindred one. It is left untouched.
    #[error("{0} is not a Kindred database; it was left untouched")]
    ForeignDatabase(PathBuf),

    /// The database was written by a newer version of Kindred than this one.
    #[error("the database has schema version {found}, newer than this version of Kindred supports ({supported})")]
    NewerSchema {
        /// The schema version the database file records.
        found: i64,
        /// The newest schema version this version of Kindred can read.
        supported: i64,
    },

    /// Data from another phone (or a bundle) was refused: a forged or missing signature, an unknown author, a
    /// change the author was not allowed to make. Nothing of it was stored. `kind` says which rule it broke, for
    /// code to act on; `reason` says it in words, for logs and people (it names ids, never content).
    #[error("refused data from a peer ({kind}): {reason}")]
    Rejected {
        /// Which rule the data broke.
        kind: Refusal,
        /// What was refused and why, in English words, naming ids and limits only.
        reason: String,
    },

    /// A stored Automerge document could not be read or changed.
    #[error("document {doc_id}: {detail}")]
    Document {
        /// The document's id, in hex.
        doc_id: String,
        /// What went wrong, as Automerge or the core's reading of the document reports it.
        detail: String,
    },

    /// The phone's storage is full. Nothing acknowledged was lost and everything can still be read; the write or
    /// sync that ran out was not kept and can be tried again once there is space.
    #[error("the phone's storage is full; free some space and try again (nothing was lost)")]
    StorageFull,

    /// SQLite reported an error that is not corruption or a full disk (I/O error, busy, ...).
    #[error("storage error: {0}")]
    Storage(#[source] rusqlite::Error),

    /// A file system operation failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file or directory the operation was on.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// The relay's object store could not be reached, or failed a request (the app's store implementation said
    /// why, in words naming the operation and status, never an object's contents). Nothing is lost: the round that
    /// failed is finished by the next one.
    #[error("the relay store is unavailable: {0}")]
    RelayUnavailable(String),

    /// An invariant the core relies on did not hold. This is a bug in Kindred, reported instead of panicking.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Which rule refused data from a peer. Stable: apps and tests switch on it, never on the reason's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// A signature, a proof or an authenticated frame that does not verify: forged, damaged, replayed or
    /// reordered in transit.
    Forged,
    /// From, or about, someone who is not a member: an uncertified actor, a stranger's segment, a group this phone
    /// is not in, a peer asking for a group they are not in.
    NotAMember,
    /// A member wrote what their role does not allow (the group's details, someone else's goal, a field no member
    /// may change).
    NotPermitted,
    /// A member wrote after their removal (outside its causal past), or a change rests on such writing.
    Removed,
    /// An invitation that admits no one (any more): expired, already used, or its inviter lost the right to invite.
    Invitation,
    /// Two conflicting claims by one author: two different changes at one place in their history, one actor
    /// certified for two members, two first changes of a group.
    Equivocation,
    /// Over a size or count limit (a message, a document, a bundle, a decompressed stream, a history).
    Oversized,
    /// Bytes that do not parse as what they claim to be, or values out of range.
    Malformed,
    /// A well-formed message at the wrong time: out of order, unasked for, repeated, or after the channel closed.
    Protocol,
}

impl Refusal {
    /// The error refusing data for this reason. `reason` names ids and limits, never personal content.
    pub fn because(self, reason: impl Into<String>) -> Error {
        ErrorKind::Rejected { kind: self, reason: reason.into() }.into()
    }

    /// A short stable name ("forged", "not a member", ...), as shown in error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Forged => "forged",
            Refusal::NotAMember => "not a member",
            Refusal::NotPermitted => "not permitted",
            Refusal::Removed => "removed",
            Refusal::Invitation => "invitation",
            Refusal::Equivocation => "equivocation",
            Refusal::Oversized => "oversized",
            Refusal::Malformed => "malformed",
            Refusal::Protocol => "protocol",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// What went wrong, taken out of the error.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The kind of refusal, if this is one.
    pub fn refusal(&self) -> Option<Refusal> {
        match self.kind() {
            ErrorKind::Rejected { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The same refusal with where it happened put first ("a snapshot's operation columns: more than ...").
    /// Other errors pass through unchanged.
    pub(crate) fn context(mut self, place: impl std::fmt::Display) -> Self {
        if let ErrorKind::Rejected { reason, .. } = &mut *self.0 {
            *reason = format!("{place}: {reason}");
        }
        self
    }

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ErrorKind::InvalidInput { field, reason: reason.into() }.into()
    }

    /// Shorthand for [`ErrorKind::NotFound`]: `id` is an id (or a phrase), never a name or words someone wrote.
    pub fn not_found(kind: &'static str, id: impl std::fmt::Display) -> Self {
        ErrorKind::NotFound { kind, id: id.to_string() }.into()
    }

    /// Shorthand for [`ErrorKind::NotPermitted`]: `reason` names roles and ids, never content.
    pub fn not_permitted(reason: impl Into<String>) -> Self {
        ErrorKind::NotPermitted(reason.into()).into()
    }

    /// Shorthand for [`ErrorKind::Internal`]: a broken invariant, reported instead of a panic.
    pub fn internal(what: impl Into<String>) -> Self {
        ErrorKind::Internal(what.into()).into()
    }

    /// Shorthand for [`ErrorKind::Io`]: a file system operation on `path` failed.
    pub(crate) fn io(path: PathBuf, source: std::io::Error) -> Self {
        ErrorKind::Io { path, source }.into()
    }

    /// Wraps an Automerge error with the document it happened in.
    pub(crate) fn document(doc_id: impl std::fmt::Display, err: impl std::fmt::Display) -> Self {
        ErrorKind::Document { doc_id: doc_id.to_string(), detail: err.to_string() }.into()
    }
}

impl From<ErrorKind> for Error {
    // Not inlined: each place that makes an error moves its kind here once, and the allocation is written once.
    #[inline(never)]
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        // Corruption can surface on any query, not just at open; the storage layer re-maps these with the path.
        match &err {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DiskFull => ErrorKind::StorageFull,
            _ => ErrorKind::Storage(err),
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error path stays one pointer wide (a `Result<(), Error>` is a nullable pointer): a field added to a kind
    /// costs nothing on the paths that do not fail.
    #[test]
    fn an_error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
        assert_eq!(std::mem::size_of::<Result<()>>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn an_error_reads_as_its_kind() {
        let refused = Refusal::Forged.because("a signature that does not verify").context("a change");
        assert_eq!(refused.refusal(), Some(Refusal::Forged));
        assert_eq!(
            refused.to_string(),
            "refused data from a peer (forged): a change: a signature that does not verify"
        );
        assert_eq!(format!("{refused:?}"), format!("{:?}", refused.kind()));
        let io = Error::io(PathBuf::from("/x"), std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(std::error::Error::source(&io).is_some(), "the operating system's error is its source");
        assert!(matches!(io.into_kind(), ErrorKind::Io { path, .. } if path == std::path::Path::new("/x")));
    }
}
