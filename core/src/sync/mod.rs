//! Peer-to-peer sync: only members write, over any link.
//!
//! - (more to come: membership checks, the session state machine, bundles.)

pub(crate) mod authorize;
pub(crate) mod ingest;
