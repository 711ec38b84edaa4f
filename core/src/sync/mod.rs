//! Peer-to-peer sync: only members write, over any link.
//!
//! - `channel`: the secure channel. A Noise session keyed by the member keys (mutual authentication, encryption),
//!   carrying messages split into frames of at most a configurable size (32 KiB by default, 512 B for BLE),
//!   compressed.
//! - `codec`: deflate, and inflation bounded by the caller's limit, for everything compressed a peer sends (channel
//!   messages, bundles, transferred lists of changes).
//! - `session`: the sync session state machine (the protocol's order, message dispatch, the report) and [`wire`],
//!   its messages; `plan` works out what each side has and lacks and what answers it; `transfer` owns resumable
//!   blob transfers (snapshots and long lists of changes) and their storage.
//! - `ingest`: the one path by which another phone's changes get in (bounds, signatures, equivocation,
//!   what no honest app writes refused in `authorize`), shared by sessions and `bundle`s (store-and-forward
//!   files).
//! - `authority`: what a group is (members, roles, removals) from every signed change of its group document, by
//!   the trust rules (strong removal and demotion, seniority), identically on every phone; see `docs/trust.md`.
//! - `link` (with the `test-support` feature): an in-process simulated link (frames, drops, a throttled clock, a
//!   tamper hook) for tests, the demo and the benchmark.

pub(crate) mod authority;
pub(crate) mod authorize;
pub mod bundle;
pub(crate) mod channel;
pub(crate) mod codec;
pub(crate) mod ingest;
#[cfg(feature = "test-support")]
pub mod link;
pub(crate) mod plan;
pub(crate) mod session;
pub(crate) mod transfer;
pub mod wire;
