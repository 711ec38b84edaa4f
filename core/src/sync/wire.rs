//! The sync protocol's messages, as they travel inside the secure channel, and their parsing.
//!
//! Messages are postcard-encoded (compact, and bounded: lengths are checked against the input before anything is
//! allocated). Parsing is guarded: whatever a peer sends becomes either a message or [`ErrorKind::Rejected`](crate::ErrorKind::Rejected). Automerge
//! change bytes are parsed here too, under the same guard, and only after their size was checked.

use automerge::{ActorId, Change, ChangeHash};
use serde::{Deserialize, Serialize};

use crate::am;
use crate::error::{Error, Refusal, Result};
use crate::ids::{DocId, GroupId, MemberId};
use crate::storage::documents::{DocKind, DocPlace, SignedHead};
use crate::sync::ingest::MAX_CHANGE_BYTES;
use crate::verify::ActorCertificate;

/// The protocol version both sides must speak.
pub(crate) const PROTOCOL_VERSION: u16 = 4;

/// Which kind of document a [`Place`] names. On the wire `Group` is 0 and `Segment` is 1; any other value does not
/// parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PlaceKind {
    /// The group document (members, roles, details, goals).
    Group,
    /// One segment of one member's messages.
    Segment,
}

/// Where a document belongs, on the wire. The receiver recomputes the document id from the rest and refuses a
/// mismatch, so a sender cannot file a document under someone else's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The group's id.
    pub group: [u8; 16],
    /// The document's id, which must be the one the other fields derive.
    pub doc: [u8; 16],
    /// Group document or message segment.
    pub kind: PlaceKind,
    /// A segment's author (zeros for the group document).
    pub author: [u8; 32],
    /// Which of its author's segments, counting from 0 (0 for the group document).
    pub segment: u32,
}

impl Place {
    pub(crate) fn new(doc: &DocId, place: &DocPlace) -> Self {
        Self {
            group: place.group.map(|g| *g.as_bytes()).unwrap_or_default(),
            doc: *doc.as_bytes(),
            kind: if place.kind == DocKind::Segment { PlaceKind::Segment } else { PlaceKind::Group },
            author: place.author.map(|a| *a.as_bytes()).unwrap_or([0; 32]),
            segment: place.segment,
        }
    }
    pub(crate) fn group(&self) -> GroupId {
        GroupId::from_bytes(self.group)
    }
    pub(crate) fn doc(&self) -> DocId {
        DocId::from_bytes(self.doc)
    }
    /// The place as the core knows it; the document id must be the one it derives.
    pub(crate) fn to_doc_place(self) -> Result<DocPlace> {
        let group = self.group();
        let place = match self.kind {
            PlaceKind::Group => DocPlace::group(group),
            PlaceKind::Segment => DocPlace::segment(group, MemberId::from_bytes(self.author), self.segment),
        };
        if place.expected_id() != Some(self.doc()) {
            return Err(Refusal::Malformed
                .because(format!("document {} does not belong where the sender placed it", self.doc())));
        }
        Ok(place)
    }
}

/// An actor's newest change and its member's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireHead {
    /// The Automerge actor id (16 bytes for Kindred's actors).
    pub actor: Vec<u8>,
    /// The change's sequence number among that actor's changes, from 1.
    pub seq: u64,
    /// The change's hash. The change must be in the batch, with this actor and sequence number, or the batch is
    /// refused.
    pub hash: [u8; 32],
    /// 64 bytes: the ed25519 signature, by the member the actor is certified for, over
    /// [`change_signature_bytes`](crate::identity::change_signature_bytes) of the document and `hash`.
    pub signature: Vec<u8>,
}

/// A member's certificate for one of its actors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCertificate {
    /// The Automerge actor id it certifies.
    pub actor: Vec<u8>,
    /// The member key the actor writes for.
    pub member: [u8; 32],
    /// The certificate itself, [`ACTOR_CERTIFICATE_LEN`](crate::identity::ACTOR_CERTIFICATE_LEN) bytes: the
    /// 16-byte nonce the actor id derives from (with the member key), then the member's signature over
    /// [`actor_certificate_bytes`](crate::identity::actor_certificate_bytes).
    pub signature: Vec<u8>,
}

/// What vouches for a set of changes: signed heads and the certificates of their actors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouchers {
    /// For each actor with changes in the set, its newest change there, signed: it vouches for that actor's earlier
    /// changes too (an actor's changes form a hash chain).
    pub heads: Vec<WireHead>,
    /// Which member each of those actors writes for.
    pub certificates: Vec<WireCertificate>,
}

impl Vouchers {
    pub(crate) fn from_parts(heads: &[SignedHead], certificates: &[ActorCertificate]) -> Self {
        Self {
            heads: heads
                .iter()
                .map(|h| WireHead {
                    actor: h.actor.to_bytes().to_vec(),
                    seq: h.seq,
                    hash: h.hash.0,
                    signature: h.signature.to_vec(),
                })
                .collect(),
            certificates: certificates
                .iter()
                .map(|c| WireCertificate {
                    actor: c.actor.to_bytes().to_vec(),
                    member: *c.member.as_bytes(),
                    signature: c.signature.clone(),
                })
                .collect(),
        }
    }

    pub(crate) fn into_parts(self) -> Result<(Vec<SignedHead>, Vec<ActorCertificate>)> {
        let heads = self
            .heads
            .into_iter()
            .map(|h| {
                let signature: [u8; 64] = h
                    .signature
                    .try_into()
                    .map_err(|_| Refusal::Malformed.because("a signature that is not 64 bytes"))?;
                Ok(SignedHead { actor: ActorId::from(h.actor), seq: h.seq, hash: ChangeHash(h.hash), signature })
            })
            .collect::<Result<_>>()?;
        let certificates = self
            .certificates
            .into_iter()
            .map(|c| ActorCertificate {
                actor: ActorId::from(c.actor),
                member: MemberId::from_bytes(c.member),
                signature: c.signature,
            })
            .collect();
        Ok((heads, certificates))
    }
}

/// One document's version vector: each actor's newest sequence number, with that change's hash (so two different
/// histories of equal length, an equivocation, are told apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocClock {
    /// The document.
    pub place: Place,
    /// For each actor that wrote in it: the actor id, the newest sequence number the sender holds, and that change's
    /// hash. Empty when the sender lacks the document.
    pub actors: Vec<(Vec<u8>, u64, [u8; 32])>,
}

/// What an offered blob holds. On the wire, as in the database, `Snapshot` is 0 and `Changes` is 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    /// A whole document as Automerge saves it.
    Snapshot,
    /// A DEFLATE-compressed postcard list of raw changes.
    Changes,
    /// A DEFLATE-compressed postcard list of the message bodies of one segment (`crate::bodies`), for a peer that
    /// lacked the whole segment: one stream compresses the words far better than many small answers, and resumes.
    Bodies,
}

impl Form {
    /// The number stored for it.
    pub(crate) fn as_u8(self) -> u8 {
        match self {
            Form::Snapshot => 0,
            Form::Changes => 1,
            Form::Bodies => 2,
        }
    }

    /// The form a stored number names, if any.
    pub(crate) fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(Form::Snapshot),
            1 => Some(Form::Changes),
            2 => Some(Form::Bodies),
            _ => None,
        }
    }
}

/// A request to join a group with an invitation: the invitation as its inviter signed it (no secret) and the
/// joiner's proof that they hold its secret (a signature by it over the group id and the joiner's member key, so a
/// peer that sees the request cannot use it for anyone else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The invitation's binary form ([`Invitation::to_bytes`](crate::invite::Invitation::to_bytes)). A request
    /// whose invitation does not parse, or is for a group the receiver does not hold, gets no answer.
    pub invitation: Vec<u8>,
    /// 64 bytes: [`InviteCode::prove`](crate::invite::InviteCode::prove) for the joiner's member key.
    pub proof: Vec<u8>,
    /// The name the joiner goes by, which the admission records: one line, at most
    /// [`MAX_DISPLAY_NAME_CHARS`](crate::limits::MAX_DISPLAY_NAME_CHARS).
    pub display_name: String,
}

/// Every message of the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// First message after the handshake: a digest of every group both are in, and invitations to use.
    Hello {
        /// The sender's sync protocol version; a peer speaking another ends the session.
        version: u16,
        /// A digest of what the sender holds of every group both are in (by its view). Equal digests and no join
        /// requests on either side: nothing is new, and the session ends here.
        digest: [u8; 16],
        /// A request for each invitation the sender is waiting to use; at most 16.
        joins: Vec<JoinRequest>,
    },
    /// Per-group digests, when the overall digests differ.
    Groups {
        /// Each group both are in (by the sender's view) and the digest of what the sender holds of it; at most
        /// 10,000.
        groups: Vec<([u8; 16], [u8; 16])>,
    },
    /// Version vectors of every document of the groups that differ (and of groups being joined: none).
    /// `partial` lists groups whose group document alone is asked for, from a peer this side does not know as a
    /// member yet (one admitted since it last synced can bring it up to date): such a peer gets no version vectors
    /// and sends no messages until its admission is here.
    Clocks {
        /// The groups to bring up to date: those whose digests differ, those being joined, and the `partial` ones;
        /// at most 10,000.
        groups: Vec<[u8; 16]>,
        /// The sender's version vector of each document it holds of those groups; for a `partial` group, of its group
        /// document alone (possibly empty). At most 100,000.
        docs: Vec<DocClock>,
        /// The groups, among `groups`, whose group document alone is asked for.
        partial: Vec<[u8; 16]>,
        /// For each group of `groups` the sender is a member of, the first 4 bytes of the hash of each sealed item it
        /// holds (`crate::sealed`), so the peer sends only those it lacks. At most 256 a group.
        sealed: Vec<([u8; 16], Vec<[u8; 4]>)>,
        /// Segments (document ids) of which the sender lacks many message bodies: the peer offers each one's bodies
        /// as one resumable blob ([`Form::Bodies`]) rather than answer a request per body. At most 100,000.
        lacking_bodies: Vec<[u8; 16]>,
    },
    /// Changes of one document the peer lacks, with what vouches for them.
    Changes {
        /// The document. Accepted only from a peer who may send it: an active member of its group, or one asked
        /// for it.
        place: Place,
        /// Raw Automerge changes, each at most 64 KiB (checked before it is parsed).
        changes: Vec<Vec<u8>>,
        /// What proves who wrote each change.
        vouchers: Vouchers,
    },
    /// A large piece of a document offered as a blob (a whole snapshot for a peer that lacks the document, or a long
    /// list of changes): sent in chunks and resumable, by content hash.
    Offer {
        /// The document, under the same rule as [`Message::Changes`].
        place: Place,
        /// What the blob holds.
        form: Form,
        /// The blob's SHA-256: it names the transfer, and a blob that does not match it once whole is refused.
        hash: [u8; 32],
        /// The blob's length in bytes; an offer over 64 MiB is refused.
        len: u64,
        /// What proves who wrote the changes the blob carries.
        vouchers: Vouchers,
    },
    /// Where to (re)start an offered transfer.
    Want {
        /// The offered blob's hash.
        hash: [u8; 32],
        /// How many bytes of it the receiver already holds (from an earlier session): the sender starts there.
        offset: u64,
    },
    /// A piece of an offered document.
    Chunk {
        /// The offered blob's hash.
        hash: [u8; 32],
        /// Where in the blob `bytes` start: exactly the number of bytes received so far, or the chunk is refused.
        offset: u64,
        /// The piece: at most [`TRANSFER_CHUNK`](crate::TRANSFER_CHUNK) bytes, fewer on small frames.
        bytes: Vec<u8>,
    },
    /// The outcome of a join request.
    JoinResult {
        /// The group the request was for; a result for a group not asked about ends the session.
        group: [u8; 16],
        /// Whether the sender admitted the requester.
        admitted: bool,
        /// Why not, in English words naming ids; empty when admitted.
        reason: String,
    },
    /// Everything this side had to send has been sent.
    Done,
    /// Everything the peer sent (up to its Done) was received and accepted: the session is complete.
    Finish,
    /// A sealed item of one group the peer lacks (a report, a warning or cover: nobody but its recipient can tell):
    /// exactly [`crate::sealed::ITEM_LEN`] bytes; at most [`crate::sealed::MAX_ITEMS_PER_SESSION`] per group and
    /// session, one per message so that a link carrying little per connection still moves them. Taken only from an
    /// active member of the group.
    Sealed {
        /// The group.
        group: [u8; 16],
        /// The item.
        item: Vec<u8>,
    },
    /// The message bodies (`crate::bodies`) of one group this side lacks, by the first 8 bytes of their hashes: sent
    /// once the peer is Done and every blob it offered has arrived, at most 256 a message.
    /// Answered only for an active member of the group, by exactly one [`Message::Bodies`].
    WantBodies {
        /// The group.
        group: [u8; 16],
        /// The hashes' first 8 bytes.
        tags: Vec<[u8; 8]>,
    },
    /// The answer to one [`Message::WantBodies`]: the bodies the sender holds of those asked for (possibly none).
    /// A body is kept only if a message the receiver holds names its hash.
    Bodies {
        /// The group.
        group: [u8; 16],
        /// Each body as its hash covers it, at most 16 KiB and a little (the longest post and content warning).
        bodies: Vec<Vec<u8>>,
    },
}

impl Message {
    /// The bytes that travel: the message's postcard encoding.
    pub fn encode(&self) -> Result<Vec<u8>> {
        postcard::to_stdvec(self).map_err(|e| Error::internal(format!("encoding a sync message: {e}")))
    }

    /// Parses a message from a peer; anything malformed is [`ErrorKind::Rejected`](crate::ErrorKind::Rejected).
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        am::guarded_peer("parsing a sync message", || {
            postcard::from_bytes(bytes)
                .map_err(|e| Refusal::Malformed.because(format!("a malformed sync message: {e}")))
        })
    }
}

/// Parses change bytes from a peer, each bounded in size, where a panic cannot escape.
pub(crate) fn parse_changes(doc: &DocId, raw: Vec<Vec<u8>>) -> Result<Vec<Change>> {
    raw.into_iter()
        .map(|bytes| {
            if bytes.len() > MAX_CHANGE_BYTES {
                return Err(Refusal::Oversized.because(format!("a change of {} bytes", bytes.len())));
            }
            crate::am_bounds::check_change(&bytes).map_err(|e| e.context(format_args!("a change of {doc}")))?;
            am::guarded_peer("parsing a change", || {
                Change::from_bytes(bytes)
                    .map_err(|e| Refusal::Malformed.because(format!("a malformed change of {doc}: {e}")))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let m = Message::Hello {
            version: 1,
            digest: [7; 16],
            joins: vec![JoinRequest { invitation: vec![2; 180], proof: vec![1; 64], display_name: "Ada".into() }],
        };
        assert_eq!(Message::decode(&m.encode().unwrap()).unwrap(), m);
        for junk in [&b""[..], &[0xff; 10][..], &[3, 200, 200, 200, 200, 200, 200][..], &[42][..]] {
            assert!(matches!(
                Message::decode(junk).as_ref().map_err(Error::kind),
                Err(ErrorKind::Rejected { kind: Refusal::Malformed, .. })
            ));
        }
        // A length prefix far beyond the input must not allocate or panic.
        let mut huge = vec![2u8];
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(Message::decode(&huge).is_err());
        let doc = DocId::from_bytes([1; 16]);
        assert!(parse_changes(&doc, vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]]).is_err());
        assert!(parse_changes(&doc, vec![vec![0; MAX_CHANGE_BYTES + 1]]).is_err());
    }
}
