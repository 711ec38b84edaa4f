//! Identifiers: groups, documents, messages, goals, check-ins, safety plan items and members.
//!
//! Ids are random 128-bit values written as 32 lowercase hex characters, so they are unique across phones without
//! coordination and safe to show, log and put in a QR code. Member ids are the 32-byte ed25519 public key in hex.
//! Segment document ids are derived, not random: every peer computes the same id for "segment n of group g" and so
//! agrees on segment boundaries without talking (see `crate::schema::segment`). With the `uniffi` feature, the ids
//! apps see are uniffi custom types (their hex form).

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

fn random_128() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes
}

/// The first 16 bytes of a SHA-256: every derived id (groups, segments, actors) and sync digest is this long.
pub(crate) fn digest16(hasher: Sha256) -> [u8; 16] {
    let digest = hasher.finalize();
    let mut out = [0u8; 16];
    out.iter_mut().zip(digest.iter()).for_each(|(o, b)| *o = *b);
    out
}

fn parse_hex<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text.trim(), &mut out)
        .map_err(|_| Error::invalid(field, format!("expected {} hex characters", N * 2)))?;
    Ok(out)
}

macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $len:expr, $field:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
            /// Builds the id from raw bytes.
            pub fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }
            /// The lowercase hex form used everywhere outside the core.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                parse_hex::<$len>($field, s).map(Self)
            }
        }
    };
}

hex_id!(
    /// A group. The group's own Automerge document has the same id.
    GroupId, 16, "group id"
);
hex_id!(
    /// An Automerge document stored in this profile (a group document, a message segment, the personal document).
    DocId, 16, "document id"
);
hex_id!(
    /// A message, unique across all phones.
    MessageId, 16, "message id"
);
hex_id!(
    /// A wellness goal.
    GoalId, 16, "goal id"
);
hex_id!(
    /// One entry in a goal's progress log.
    ProgressId, 16, "progress id"
);
hex_id!(
    /// A mood check-in.
    CheckinId, 16, "check-in id"
);
hex_id!(
    /// An entry of the personal safety plan. Like the plan itself, it never leaves this profile.
    SafetyPlanItemId, 16, "safety plan item id"
);
hex_id!(
    /// A result of a validated instrument (WHO-5, PHQ-9...). Like check-ins, it never leaves this profile.
    InstrumentResultId, 16, "instrument result id"
);
hex_id!(
    /// An entry of a group's moderation log.
    ModerationId, 16, "moderation id"
);
hex_id!(
    /// A report of a message or a member, sealed to the group's moderators; or a warning sealed to a member.
    ReportId, 16, "report id"
);
hex_id!(
    /// A member: the ed25519 public key of a profile.
    MemberId, 32, "member id"
);

// The ids apps see are uniffi custom types: hex strings in Kotlin and Swift (`typealias GroupId = String`), so the
// records that carry them are the core's own. A string that is not an id fails to lift with the core's
// `InvalidInput`, and uniffi passes a failed lift on as the call's typed error only if it is that error's very type:
// this one would reach the app as uniffi's internal error, since the typed `KindredError` is kindred-ffi's and this
// crate cannot name it. So the bindings take every id an app passes in as a `String` and parse it themselves (see
// kindred-ffi's `types`); these conversions lift nothing an app typed (the ids travel out, in records and updates).
#[cfg(feature = "uniffi")]
macro_rules! uniffi_id {
    ($($name:ident),+) => {$(
        uniffi::custom_type!($name, String, {
            lower: |id| id.to_hex(),
            try_lift: |text| Ok(text.parse::<$name>()?),
        });
    )+};
}
#[cfg(feature = "uniffi")]
uniffi_id!(
    GroupId,
    MessageId,
    GoalId,
    ProgressId,
    CheckinId,
    SafetyPlanItemId,
    InstrumentResultId,
    ModerationId,
    ReportId,
    MemberId
);

impl GroupId {
    /// A new group's id, bound to its creator: `sha256(domain, creator key, nonce)`. Peers check a group document's
    /// first change against it, so nobody but the creator can write a group's genesis.
    pub(crate) fn derive(creator: &MemberId, nonce: &[u8; 16]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"kindred/group/v1");
        hasher.update(creator.as_bytes());
        hasher.update(nonce);
        Self(digest16(hasher))
    }

    /// A fresh random nonce for [`GroupId::derive`].
    pub(crate) fn new_nonce() -> [u8; 16] {
        random_128()
    }
    /// The group's own document (name, guidelines, members, shared goals).
    pub fn doc_id(&self) -> DocId {
        DocId(self.0)
    }
    /// The document holding segment `index` of `author`'s messages in this group. Derived, so every peer agrees.
    pub fn segment_doc_id(&self, author: &MemberId, index: u32) -> DocId {
        let mut hasher = Sha256::new();
        hasher.update(b"kindred/segment/v2");
        hasher.update(self.0);
        hasher.update(author.0);
        hasher.update(index.to_be_bytes());
        DocId(digest16(hasher))
    }
}

impl DocId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl ReportId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl GoalId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl ModerationId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl ProgressId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl CheckinId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl SafetyPlanItemId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

impl InstrumentResultId {
    pub(crate) fn random() -> Self {
        Self(random_128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn hex_round_trip_and_rejects_garbage() {
        let id = MessageId::from_bytes(rand::random());
        assert_eq!(id.to_hex().parse::<MessageId>().ok(), Some(id));
        assert!(matches!(
            "xyz".parse::<MessageId>().as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { .. })
        ));
        assert!("00".parse::<GroupId>().is_err());
    }

    /// The bindings' form of an id is its hex; a string that is not one fails to lift with the core's own
    /// `InvalidInput` (which is why the bindings parse the ids apps pass in themselves: see `uniffi_id!`).
    #[cfg(feature = "uniffi")]
    #[test]
    fn ids_cross_to_kotlin_and_swift_as_hex() {
        use uniffi::{Lift, Lower};
        let id = GroupId::from_bytes([0xab; 16]);
        let text = <String as Lift<crate::UniFfiTag>>::try_lift(<GroupId as Lower<crate::UniFfiTag>>::lower(id));
        assert_eq!(text.unwrap(), id.to_hex());
        let back =
            <GroupId as Lift<crate::UniFfiTag>>::try_lift(<String as Lower<crate::UniFfiTag>>::lower(id.to_hex()));
        assert_eq!(back.unwrap(), id);
        let bad =
            <MemberId as Lift<crate::UniFfiTag>>::try_lift(<String as Lower<crate::UniFfiTag>>::lower("zz".into()));
        let err = bad.unwrap_err();
        assert!(
            matches!(
                err.downcast_ref::<Error>().map(Error::kind),
                Some(ErrorKind::InvalidInput { field: "member id", .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn segment_ids_are_deterministic_and_distinct() {
        let group = GroupId::from_bytes([7; 16]);
        let (a, b) = (MemberId::from_bytes([1; 32]), MemberId::from_bytes([2; 32]));
        assert_eq!(group.segment_doc_id(&a, 3), group.segment_doc_id(&a, 3));
        assert_ne!(group.segment_doc_id(&a, 3), group.segment_doc_id(&a, 4));
        assert_ne!(group.segment_doc_id(&a, 3), group.segment_doc_id(&b, 3));
        assert_ne!(group.segment_doc_id(&a, 0), group.doc_id());
    }
}
