//! Sync across the FFI: a session object the app feeds with frames from whatever link it has (Bluetooth, Wi-Fi
//! Direct, Nearby, MultipeerConnectivity, TCP...), and the invitation and bundle calls around it.

use std::sync::{Arc, Mutex};

use kindred_core as core;

use crate::error::{KindredError, off_thread, parse_id};
use crate::profile::KindredProfile;

/// What a session did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncReport {
    /// The peer's member id, once the handshake proved it.
    pub peer: Option<String>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub frames_sent: u64,
    pub frames_received: u64,
    /// The largest frame either way, in bytes.
    pub largest_frame: u64,
    /// Changes stored and applied here, and changes sent to the peer.
    pub changes_applied: u64,
    pub changes_sent: u64,
    /// Changes received that this phone already had.
    pub duplicates: u64,
    /// Changes set aside as evidence of a member forking their history (see the group's flagged members).
    pub quarantined: u64,
    /// Groups this profile joined by invitation in this session.
    pub joined_groups: Vec<String>,
    /// Members this profile admitted by their invitation in this session.
    pub admitted_members: Vec<String>,
    /// Invitations of this profile that the peer did not accept, and why (another member may still accept them:
    /// they stay in `pending_joins`).
    pub join_refusals: Vec<JoinRefusal>,
    /// Both sides already had everything.
    pub nothing_new: bool,
}

/// An invitation a peer did not accept.
#[derive(Debug, Clone, uniffi::Record)]
pub struct JoinRefusal {
    pub group_id: String,
    pub reason: String,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        Self {
            peer: r.peer.map(|p| p.to_hex()),
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            frames_sent: r.frames_sent,
            frames_received: r.frames_received,
            largest_frame: r.largest_frame,
            changes_applied: r.changes_applied,
            changes_sent: r.changes_sent,
            duplicates: r.duplicates,
            quarantined: r.quarantined,
            joined_groups: r.joined.iter().map(|g| g.to_hex()).collect(),
            admitted_members: r.admitted.iter().map(|m| m.to_hex()).collect(),
            join_refusals: r
                .join_refusals
                .into_iter()
                .map(|(group, reason)| JoinRefusal { group_id: group.to_hex(), reason })
                .collect(),
            nothing_new: r.nothing_new,
        }
    }
}

/// An invitation this profile holds, waiting for its first sync with a member.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PendingJoin {
    pub group_id: String,
    pub group_name: String,
    pub inviter: String,
}

impl From<core::PendingJoin> for PendingJoin {
    fn from(p: core::PendingJoin) -> Self {
        Self { group_id: p.group_id.to_hex(), group_name: p.group_name, inviter: p.inviter.to_hex() }
    }
}

/// What importing a bundle did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BundleImport {
    pub group_id: Option<String>,
    pub documents: u32,
    pub applied: u64,
    pub duplicates: u64,
    pub quarantined: u64,
}

impl From<core::BundleImport> for BundleImport {
    fn from(b: core::BundleImport) -> Self {
        Self {
            group_id: b.group.map(|g| g.to_hex()),
            documents: u32::try_from(b.documents).unwrap_or(u32::MAX),
            applied: b.report.applied as u64,
            duplicates: b.report.duplicates as u64,
            quarantined: b.report.quarantined as u64,
        }
    }
}

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
    pub async fn receive(self: Arc<Self>, frame: Vec<u8>) -> Result<(), KindredError> {
        let core = self.profile.core()?;
        off_thread(move || Ok(self.lock().receive(&core, &frame)?)).await
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
    pub fn peer(&self) -> Option<String> {
        self.lock().peer().map(|p| p.to_hex())
    }

    /// What the session has done so far.
    pub fn report(&self) -> SyncReport {
        self.lock().report().into()
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
