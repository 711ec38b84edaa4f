//! Sync across the FFI: a session object the app feeds with frames from whatever link it has (Bluetooth, Wi-Fi
//! Direct, Nearby, MultipeerConnectivity, TCP...). Its report is the core's `SyncReport`.

use std::sync::{Arc, Mutex};

use kindred_core as core;

use crate::error::{KindredError, guard, parse_id};
use crate::profile::KindredProfile;

/// One sync session with one peer over one link. Put every frame from the link into `receive`, send every frame
/// from `take_outgoing` (in order) on the link, until `is_finished`. An error from `receive` means the peer sent
/// something refused: close that link (nothing refused was stored). Once the profile is closed, `receive` fails
/// with `Closed`.
#[derive(uniffi::Object)]
pub struct SyncSession {
    profile: Arc<KindredProfile>,
    session: Mutex<core::SyncSession>,
}

impl std::fmt::Debug for SyncSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncSession").finish_non_exhaustive()
    }
}

impl SyncSession {
    pub(crate) fn wrap(profile: Arc<KindredProfile>, session: core::SyncSession) -> Arc<Self> {
        Arc::new(Self { profile, session: Mutex::new(session) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, core::SyncSession> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[uniffi::export]
impl SyncSession {
    /// Feeds one frame received from the link (checks, stores and applies what it carries).
    pub fn receive(self: Arc<Self>, frame: Vec<u8>) -> Result<(), KindredError> {
        let core = self.profile.core()?;
        guard(move || Ok(self.lock().receive(&core, &frame)?))
    }

    /// Frames to send on the link now, in order.
    pub fn take_outgoing(&self) -> Vec<Vec<u8>> {
        self.lock().take_outgoing()
    }

    /// Whether the session is complete and the link can be closed.
    pub fn is_finished(&self) -> bool {
        self.lock().is_finished()
    }

    /// The peer's member id, once the handshake has proved it.
    pub fn peer(&self) -> Option<core::MemberId> {
        self.lock().peer()
    }

    /// What the session has done so far.
    pub fn report(&self) -> core::SyncReport {
        self.lock().report()
    }
}

/// The maximum frame size to use: the given one, or 32 KiB.
pub(crate) fn options(max_frame: Option<u32>) -> core::SyncOptions {
    core::SyncOptions { max_frame: max_frame.map_or(32 * 1024, |m| m as usize) }
}

/// Parses an optional member id.
pub(crate) fn peer(peer: Option<String>) -> Result<Option<core::MemberId>, KindredError> {
    peer.as_deref().map(parse_id).transpose()
}
