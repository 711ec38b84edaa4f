//! What is inside a mailbox object once it is opened, and the signatures that say who wrote it.
//!
//! A data object carries one member's put: the changes of the group's documents this phone has not put before (or
//! that a member's acknowledgements show they lack), with what vouches for them, the message bodies that go with
//! them, and the writer's *declaration*: how far it has read every other member's objects, what it holds of each
//! document, and which bodies it still lacks. Signed by the writer's member key as a whole, so a store (or another
//! key holder) can neither forge nor alter one; the changes inside are still checked one by one on ingest.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Refusal, Result};
use crate::identity::{LocalIdentity, verify_signature};
use crate::ids::{GroupId, MemberId};
use crate::storage::documents::ClockEntry;
use crate::sync::codec;
use crate::sync::wire::{JoinRequest, Place, Vouchers};

const DATA_DOMAIN: &[u8] = b"kindred/relay/data/v1";
const EPOCH_DOMAIN: &[u8] = b"kindred/relay/epoch/v1";
const JOIN_DOMAIN: &[u8] = b"kindred/relay/join/v1";
/// Largest put once inflated: far above a group's whole history (a 10,000-message group is under 1 MB compressed).
const MAX_INFLATED: usize = 64 * 1024 * 1024;

/// A document's version vector: each actor's newest sequence number and change hash.
pub(crate) type DocClocks = Vec<([u8; 16], Vec<ClockEntry>)>;

/// One document's changes in a put.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Delta {
    pub place: Place,
    /// Raw Automerge changes, in causal order.
    pub changes: Vec<Vec<u8>>,
    pub vouchers: Vouchers,
    /// Or, for a member that lacks the whole document, its snapshot (`changes` then empty).
    pub snapshot: Vec<u8>,
}

/// One member's put to a group's mailbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Put {
    pub group: [u8; 16],
    pub writer: [u8; 32],
    /// The writer's object number: each put takes the next one.
    pub seq: u64,
    /// The highest object number the writer has taken from each other member.
    pub acks: Vec<([u8; 32], u64)>,
    /// What the writer holds of each of the group's documents, once it had read the mailbox.
    pub clocks: DocClocks,
    /// Bodies the writer lacks, by the first 8 bytes of their hashes (at most 256).
    pub wanted: Vec<[u8; 8]>,
    pub docs: Vec<Delta>,
    pub bodies: Vec<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct Signed {
    put: Vec<u8>,
    signature: Vec<u8>,
}

impl Put {
    /// Whether it carries anything besides the declaration (an acknowledgement alone needs no acknowledgement).
    pub(crate) fn carries_data(&self) -> bool {
        !self.docs.is_empty() || !self.bodies.is_empty()
    }

    /// Signed by `identity` and compressed: what goes, sealed, into the object.
    pub(crate) fn seal(&self, identity: &LocalIdentity) -> Result<Vec<u8>> {
        let put = encode(self)?;
        let signature = identity.sign(&[DATA_DOMAIN, &put].concat()).to_vec();
        codec::deflate(&encode(&Signed { put, signature })?)
    }

    /// Inflates (bounded), parses and checks the signature of an opened object: the put, or why it was refused.
    pub(crate) fn open(bytes: &[u8]) -> Result<Self> {
        // Puts carry mostly compressed Automerge changes, so an honest one barely grows when inflated: a cap relative
        // to its size keeps a small "bomb" from costing a phone much.
        let limit = MAX_INFLATED.min(bytes.len().saturating_mul(16).saturating_add(1024 * 1024));
        let inflated = codec::inflate_bounded(bytes, limit)?;
        let signed: Signed = decode(&inflated)?;
        let put: Put = decode(&signed.put)?;
        verify_signature(&MemberId::from_bytes(put.writer), &[DATA_DOMAIN, &signed.put].concat(), &signed.signature)
            .map_err(|_| Refusal::Forged.because("a mailbox object whose signature does not match"))?;
        Ok(put)
    }
}

/// The header of a key object: who made the epoch, for which members, signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EpochHeader {
    pub group: [u8; 16],
    pub epoch: [u8; 16],
    /// SHA-256 of the epoch key: the signature covers the key the slots hand out.
    pub key_hash: [u8; 32],
    /// The members it is sealed to, sorted.
    pub members: Vec<[u8; 32]>,
    pub made_by: [u8; 32],
    pub signature: Vec<u8>,
}

impl EpochHeader {
    fn signed_bytes(&self) -> Result<Vec<u8>> {
        Ok([EPOCH_DOMAIN, &encode(&EpochHeader { signature: Vec::new(), ..self.clone() })?].concat())
    }

    /// A header signed by `identity`.
    pub(crate) fn new(
        identity: &LocalIdentity,
        group: &GroupId,
        epoch: [u8; 16],
        key: &[u8; 32],
        members: Vec<[u8; 32]>,
    ) -> Result<Self> {
        let mut header = EpochHeader {
            group: *group.as_bytes(),
            epoch,
            key_hash: crate::sealed::hash_of(key),
            members,
            made_by: *identity.member_id().as_bytes(),
            signature: Vec::new(),
        };
        header.signature = identity.sign(&header.signed_bytes()?).to_vec();
        Ok(header)
    }

    /// Parses a header opened with `key` and checks it: its signature, its group, and that it names this key.
    pub(crate) fn open(bytes: &[u8], group: &GroupId, epoch: &[u8; 16], key: &[u8; 32]) -> Result<Self> {
        let header: EpochHeader = decode(bytes)?;
        let made_by = MemberId::from_bytes(header.made_by);
        verify_signature(&made_by, &header.signed_bytes()?, &header.signature)
            .map_err(|_| Refusal::Forged.because("an epoch whose signature does not match"))?;
        if header.group != *group.as_bytes() || header.epoch != *epoch || header.key_hash != crate::sealed::hash_of(key)
        {
            return Err(Refusal::Malformed.because("an epoch of another group or key"));
        }
        Ok(header)
    }

    pub(crate) fn encode(&self) -> Result<Vec<u8>> {
        encode(self)
    }
}

/// A request to join, sealed to the inviter, signed by the joiner (so it admits only the key that asked).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JoinAsk {
    pub request: JoinRequest,
    pub joiner: [u8; 32],
    pub signature: Vec<u8>,
}

impl JoinAsk {
    pub(crate) fn signed(identity: &LocalIdentity, group: &GroupId, request: JoinRequest) -> Result<Vec<u8>> {
        let signed = [JOIN_DOMAIN, group.as_bytes(), &encode(&request)?].concat();
        encode(&JoinAsk {
            request,
            joiner: *identity.member_id().as_bytes(),
            signature: identity.sign(&signed).to_vec(),
        })
    }

    pub(crate) fn open(bytes: &[u8], group: &GroupId) -> Result<Self> {
        let ask: JoinAsk = decode(bytes)?;
        let signed = [JOIN_DOMAIN, group.as_bytes(), &encode(&ask.request)?].concat();
        verify_signature(&MemberId::from_bytes(ask.joiner), &signed, &ask.signature)
            .map_err(|_| Refusal::Forged.because("a join request whose signature does not match"))?;
        Ok(ask)
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    postcard::to_stdvec(value).map_err(|e| Error::internal(format!("encoding a mailbox object: {e}")))
}

fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T> {
    crate::am::guarded_peer("parsing a mailbox object", || {
        postcard::from_bytes(bytes).map_err(|_| Refusal::Malformed.because("a mailbox object that does not parse"))
    })
}
