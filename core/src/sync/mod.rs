//! Peer-to-peer sync: only members write, over any link.
//!
//! - [`channel`]: the secure channel. A Noise session keyed by the member keys (mutual authentication, encryption),
//!   carrying messages split into frames of at most a configurable size (32 KiB by default, 512 B for BLE),
//!   compressed.
//! - (more to come: membership checks, the session state machine, bundles.)

pub(crate) mod authorize;
pub(crate) mod channel;
pub(crate) mod ingest;
pub(crate) mod session;
pub(crate) mod wire;
