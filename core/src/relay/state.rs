//! What a phone remembers of one group's mailbox between rounds, kept as one value per group
//! (`crate::storage::relay`): its own object numbers and live objects, the names it has already fetched, what each
//! other member last declared, and the group's epoch keys.

use serde::{Deserialize, Serialize};

use super::payload::DocClocks;
use crate::error::{Error, Result};
use crate::ids::GroupId;

/// Most epochs a phone keeps for a group (the oldest go first): one per change of membership, for months.
const MAX_EPOCHS: usize = 64;
/// Most names of fetched objects kept (a mailbox lists far fewer; a store listing more than a round reads cannot
/// grow this without bound).
const MAX_SEEN: usize = 20_000;
/// Rounds an object that does not open is fetched in before it is taken as junk.
pub(crate) const MAX_TRIES: u8 = 3;
/// Most other members a phone keeps declarations of.
pub(crate) const MAX_PEERS: usize = 256;

/// One group's mailbox, as this phone knows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct MailboxState {
    /// The number the next object this phone puts takes.
    pub next_seq: u64,
    /// The number of this phone's last data object (0: none yet).
    pub last_put: u64,
    /// What this phone held of each document when it last put: a put carries what is new since.
    pub published: DocClocks,
    /// The newest local message row whose body a put has carried.
    pub bodies_mark: i64,
    /// This phone's objects still in the store: number (0 for key objects), name, when put.
    pub puts: Vec<(u64, String, i64)>,
    /// Names of objects already fetched (and this phone's own), so each is fetched once.
    pub seen: Vec<String>,
    /// Objects that did not open, with how many rounds they failed: fetched again (a store that served them damaged
    /// may serve them whole; a key may come later) until [`MAX_TRIES`], then taken as junk.
    pub failed: Vec<(String, u8)>,
    /// What each other member last declared.
    pub peers: Vec<Peer>,
    /// The group's epoch keys this phone holds.
    pub epochs: Vec<Epoch>,
    /// Objects carrying data were taken since this phone last put: its next round says so.
    pub owe_ack: bool,
    /// When this phone last put a request to join (joining through the mailbox).
    pub asked_to_join_at: i64,
    /// Whether this phone has put to this mailbox before (see `prepare_put`).
    pub started: bool,
}

/// Another member's last declaration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Peer {
    pub member: [u8; 32],
    /// The newest object number taken from them.
    pub latest: u64,
    /// The newest of this phone's objects they have taken.
    pub acked: u64,
    pub clocks: DocClocks,
    pub wanted: Vec<[u8; 8]>,
    /// Their object number this phone last answered (their wanted bodies, or what their holdings lack).
    pub answered: u64,
    /// Their newest object number when this phone last put: a member who has put twice since and still has not
    /// read that put lost it (a dropped or damaged object), and is sent what it lacks.
    pub latest_at_put: u64,
    /// Their holdings when this phone last sent them what those lacked: a lack that outlives a resend (a change
    /// they set aside) is not sent again until their holdings change.
    pub resent_for: [u8; 32],
}

/// An epoch: a key the group's objects are sealed with, and the members it was sealed to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Epoch {
    pub id: [u8; 16],
    pub key: [u8; 32],
    /// Sorted member keys.
    pub members: Vec<[u8; 32]>,
    pub made_at: i64,
    /// Made by this phone: it puts the key objects handing it out (`key_objects`, once put: one per
    /// [`super::envelope::MAX_SLOTS`] members).
    pub mine: bool,
    pub key_objects: Vec<String>,
}

impl MailboxState {
    pub(crate) fn load(conn: &rusqlite::Connection, group: &GroupId) -> Result<Self> {
        match crate::storage::relay::load(conn, group)? {
            None => Ok(Self { next_seq: 1, owe_ack: true, ..Default::default() }),
            Some(bytes) => postcard::from_bytes(&bytes)
                .map_err(|e| Error::internal(format!("a stored mailbox state is unreadable: {e}"))),
        }
    }

    pub(crate) fn save(&self, conn: &rusqlite::Connection, group: &GroupId) -> Result<()> {
        crate::storage::relay::save(conn, group, &self.encode()?)
    }

    /// The value as stored.
    pub(crate) fn encode(&self) -> Result<Vec<u8>> {
        postcard::to_stdvec(self).map_err(|e| Error::internal(format!("encoding a mailbox state: {e}")))
    }

    /// Takes an object number.
    pub(crate) fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq.max(1);
        self.next_seq = seq + 1;
        seq
    }

    /// Counts as put what a round took from the mailbox: for each actor whose changes it brought (`before` ->
    /// `after`), if everything of that actor this phone held before was put already.
    pub(crate) fn published_from_mailbox(&mut self, before: &DocClocks, after: &DocClocks) {
        for (doc, now) in after {
            let was = before.iter().find(|(d, _)| d == doc).map_or(&[][..], |(_, c)| c.as_slice());
            let index = match self.published.iter().position(|(d, _)| d == doc) {
                Some(i) => i,
                None => {
                    self.published.push((*doc, Vec::new()));
                    self.published.len() - 1
                }
            };
            let Some((_, published)) = self.published.get_mut(index) else { continue };
            for entry in now {
                let held_before = was.iter().find(|(a, ..)| *a == entry.0);
                let put_before = published.iter().position(|(a, ..)| *a == entry.0);
                match (held_before, put_before) {
                    (None, None) => published.push(entry.clone()),
                    (Some(h), Some(p)) if published.get(p) == Some(h) => {
                        if let Some(slot) = published.get_mut(p) {
                            *slot = entry.clone();
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// Keeps at most [`MAX_SEEN`] names, the newest (and as many that failed to open).
    pub(crate) fn trim_seen(&mut self) {
        let excess = self.seen.len().saturating_sub(MAX_SEEN);
        self.seen.drain(..excess);
        let excess = self.failed.len().saturating_sub(MAX_SEEN);
        self.failed.drain(..excess);
    }

    /// Notes that the object `name` did not open; whether it is now taken as junk.
    pub(crate) fn failed_again(&mut self, name: &str) -> bool {
        let tries = match self.failed.iter_mut().find(|(n, _)| n == name) {
            Some((_, tries)) => {
                *tries += 1;
                *tries
            }
            None => {
                self.failed.push((name.to_owned(), 1));
                1
            }
        };
        if tries >= MAX_TRIES {
            self.failed.retain(|(n, _)| n != name);
            self.seen.push(name.to_owned());
        }
        tries >= MAX_TRIES
    }

    pub(crate) fn keys(&self) -> Vec<super::envelope::EpochKey> {
        self.epochs.iter().map(|e| (e.id, e.key)).collect()
    }

    pub(crate) fn add_epoch(&mut self, epoch: Epoch) {
        if self.epochs.iter().any(|e| e.id == epoch.id) {
            return;
        }
        self.epochs.push(epoch);
        if self.epochs.len() > MAX_EPOCHS
            && let Some(oldest) = self.epochs.iter().enumerate().min_by_key(|(_, e)| e.made_at).map(|(i, _)| i)
        {
            self.epochs.remove(oldest);
        }
    }

    /// The epoch to write with for `members` (sorted): of those sealed to exactly them, the lowest id, so that
    /// phones which made one each at once all end up writing with the same.
    pub(crate) fn epoch_for(&self, members: &[[u8; 32]]) -> Option<&Epoch> {
        self.epochs.iter().filter(|e| e.members == members).min_by_key(|e| e.id)
    }

    pub(crate) fn peer_mut(&mut self, member: &[u8; 32]) -> Option<&mut Peer> {
        if !self.peers.iter().any(|p| &p.member == member) {
            if self.peers.len() >= MAX_PEERS {
                return None;
            }
            self.peers.push(Peer { member: *member, ..Default::default() });
        }
        self.peers.iter_mut().find(|p| &p.member == member)
    }
}
