//! # kindred-core
//!
//! The core of Kindred, an offline-first peer-support app: small groups talk, share wellness goals and check in on
//! their mood, on low-cost phones that sync with each other when they meet. This crate holds all domain logic,
//! storage and sync; the `kindred-ffi` crate exposes it to Kotlin and Swift, and the `kindred` command-line
//! program to desktops and scripts.
//!
//! ```no_run
//! use kindred_core::{Kindred, NewGroup, NewMessage};
//! # fn main() -> kindred_core::Result<()> {
//! let me = Kindred::create("/data/kindred", "Ada")?;
//! let group = me.create_group(NewGroup { name: "Tuesday circle".into(), ..Default::default() })?;
//! me.post(&group.id, NewMessage { text: "Hello, everyone".into(), ..Default::default() })?;
//! for message in me.messages(&group.id, 50, None)? {
//!     println!("{}: {}", message.author_name, message.text);
//! }
//! # Ok(()) }
//! ```
//!
//! ## How it is built
//! - [`Kindred`] is an opened profile: one SQLite database in a data directory, one ed25519 member key, one
//!   Automerge actor for this install.
//! - Group state lives in Automerge documents: a small group document and bounded message segments, so no operation
//!   ever loads a whole long history ([`schema`]).
//! - Screens read from indexed SQLite tables kept up to date in the same transaction as each change, so opening a
//!   group loads no Automerge document at all.
//! - Every change this profile makes is signed with its member key (over the document id and change hash), ready
//!   for peers to verify.
//! - Personal data (mood check-ins, private goals, the safety plan) stays on this phone: the safety plan and
//!   check-ins live only in SQL tables that nothing in sync or bundles reads ([`Kindred::safety_plan`]).
//! - Errors are one typed [`Error`]; no input can make the core panic.
//! - With the `uniffi` feature (enabled by `kindred-ffi` only), the model's records, enums and ids carry their
//!   Kotlin and Swift form: the bindings use these types as they are.

#![warn(missing_docs)]

pub mod crisis;
pub mod error;
pub mod habit;
pub mod identity;
pub mod ids;
pub mod instruments;
pub mod invite;
pub mod model;
pub mod schema;
pub mod sharing;
pub mod summary;
pub mod trends;

mod am;
mod am_bounds;
mod base32;
mod bodies;
mod export;
mod files;
mod goals;
mod group_goals;
mod groups;
mod kindred;
mod maintenance;
mod membership;
mod messages;
mod moderation;
mod names;
mod noise;
mod personal;
mod posting;
mod read_model;
pub mod relay;
pub mod reports;
mod safety_plan;
pub mod sealed;
mod shipped;
mod sorting;
mod storage;
pub mod sync;
mod text;
mod time;
mod updates;
mod vault;
mod verify;
mod wellbeing;

#[cfg(feature = "test-support")]
pub mod exchange;
#[cfg(feature = "test-support")]
pub mod testing;

pub use error::{Error, ErrorKind, Refusal, Result};
pub use export::{ExportCount, ExportSummary};
pub use goals::Cheer;
pub use ids::{
    CheckinId, DocId, GoalId, GroupId, InstrumentResultId, MemberId, MessageId, ModerationId, ProgressId, ReportId,
    SafetyPlanItemId,
};
pub use kindred::Kindred;
pub use model::*;
pub use storage::DATABASE_FILE;
pub use sync::bundle::{Bundle, BundleImport};
pub use sync::ingest::IngestReport;
pub use sync::session::{JoinRefusal, SyncOptions, SyncReport, SyncSession};
pub use sync::transfer::TRANSFER_CHUNK;
pub use updates::{Subscription, UpdateListener};
pub use vault::{ARGON2_MEMORY_KIB, ARGON2_PASSES, ListedProfile, Profiles, Secret};

// With the `uniffi` feature the model's records, enums and ids are the Kotlin and Swift bindings' own (derived where
// they are defined, see `model` and `ids`), so kindred-ffi copies none of them. uniffi gives every crate that derives
// its traits a component of its own: this is the core's.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

/// Limits on what people can type, for apps to show before the core rejects input.
pub mod limits {
    pub use crate::goals::{MAX_CADENCE_TIMES, MAX_GOAL_TITLE_CHARS, MAX_PROGRESS_AMOUNT, MAX_PROGRESS_NOTE_CHARS};
    pub use crate::group_goals::MAX_GROUP_GOALS;
    pub use crate::groups::{MAX_GROUP_DESCRIPTION_CHARS, MAX_GROUP_NAME_CHARS, MAX_GUIDELINES_CHARS};
    pub use crate::identity::MAX_DISPLAY_NAME_CHARS;
    pub use crate::invite::{MAX_CODE_CHARS, MAX_VALIDITY_MS};
    pub use crate::membership::DEFAULT_INVITE_VALIDITY_MS;
    pub use crate::messages::{MAX_CONTENT_WARNING_CHARS, MAX_MESSAGE_CHARS, MAX_PAGE, MAX_REACTION_CHARS};
    pub use crate::moderation::MAX_LOG_PAGE;
    pub use crate::personal::{MAX_MUTED_WORD_CHARS, MAX_MUTED_WORDS};
    pub use crate::safety_plan::{
        MAX_SAFETY_PLAN_CONTACT_CHARS, MAX_SAFETY_PLAN_ITEM_CHARS, MAX_SAFETY_PLAN_ITEMS_PER_STEP,
    };
    pub use crate::schema::moderation::MAX_MODERATION_REASON_CHARS;
    pub use crate::schema::segment::SEGMENT_CAPACITY;
    pub use crate::wellbeing::{MAX_CHOICES, MAX_NOTE_CHARS, MAX_RECENT_DAYS, MAX_TAG_CHARS, MAX_TAGS};
}
