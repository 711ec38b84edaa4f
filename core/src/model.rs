//! The values the core hands out and takes in: plain data, serialisable to JSON, free of storage and Automerge types.
//! With the `uniffi` feature they are also the Kotlin and Swift records and enums (derived here, so the bindings copy
//! nothing), except the inputs that carry an id an app typed (`NewMessage`, `NewGoal`, `MessageCursor`): kindred-ffi
//! takes those with string ids, so that a malformed one is its typed invalid-input error (see `crate::ids`).
//!
//! Times are milliseconds since the Unix epoch (UTC). Optional values are `Option`s, never sentinels.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::Error;
use crate::ids::{CheckinId, GoalId, GroupId, MemberId, MessageId, ProgressId};

/// The opened profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProfileInfo {
    /// The member key: how others know this person in every group.
    pub member_id: MemberId,
    /// The pseudonym shown to others.
    pub display_name: String,
    /// This install's Automerge actor, in hex (for diagnostics).
    pub actor_id: String,
    pub created_at: i64,
}

/// A member's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    /// Created the group; can do everything a moderator can, and appoint moderators.
    Owner,
    /// Can invite, remove and moderate.
    Moderator,
    /// Can read and write.
    Member,
}

/// A goal's rhythm: `times` per `period` ("3 times a week").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cadence {
    pub times: u32,
    pub period: CadencePeriod,
}

/// The period of a [`Cadence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CadencePeriod {
    Day,
    Week,
    Month,
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GoalStatus {
    Active,
    Paused,
    Archived,
}

macro_rules! string_enum {
    ($ty:ident, $field:literal, $($variant:ident => $text:literal),+) => {
        impl $ty {
            /// The stable name stored in documents and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(Error::invalid($field, format!("{s:?} is not one of: {}", [$($text),+].join(", ")))),
                }
            }
        }
    };
}
string_enum!(Role, "role", Owner => "owner", Moderator => "moderator", Member => "member");
string_enum!(CadencePeriod, "cadence period", Day => "day", Week => "week", Month => "month");
string_enum!(GoalStatus, "goal status", Active => "active", Paused => "paused", Archived => "archived");

/// What creating a group takes.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewGroup {
    pub name: String,
    #[cfg_attr(feature = "uniffi", uniffi(default = ""))]
    pub description: String,
    #[cfg_attr(feature = "uniffi", uniffi(default = ""))]
    pub guidelines: String,
}

/// A group as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupSummary {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub member_count: u32,
    pub my_role: Option<Role>,
    pub unread_count: u64,
    pub last_message_at: Option<i64>,
}

/// Everything about one group except its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupDetails {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub guidelines: String,
    pub created_at: i64,
    pub created_by: MemberId,
    pub members: Vec<Member>,
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Member {
    pub member_id: MemberId,
    /// The name to show: the one the member chose, followed by a short form of their key when another member of the
    /// group goes by the same name (so no one can pass as someone else by taking their name).
    pub display_name: String,
    pub role: Role,
    pub added_at: i64,
}

/// An invitation this profile holds, waiting for the first sync with a member of the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PendingJoin {
    pub group_id: GroupId,
    pub group_name: String,
    pub inviter: MemberId,
}

/// What posting a message takes.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub text: String,
    pub reply_to: Option<MessageId>,
    /// Shown before the text, which stays hidden until the reader chooses to see it.
    pub content_warning: Option<String>,
}

/// A message as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Message {
    pub id: MessageId,
    pub group_id: GroupId,
    pub author: MemberId,
    /// The author as [`Member::display_name`] shows them.
    pub author_name: String,
    pub created_at: i64,
    /// Empty once the message is removed.
    pub text: String,
    pub reply_to: Option<MessageId>,
    pub content_warning: Option<String>,
    pub edited_at: Option<i64>,
    pub removed: bool,
    pub is_mine: bool,
    pub reactions: Vec<ReactionCount>,
}

/// How many members reacted to a message with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReactionCount {
    pub emoji: String,
    pub count: u32,
    /// Whether this profile's reaction is among them.
    pub mine: bool,
}

/// A position in a group's timeline, for paging backwards: the messages strictly older than this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessageCursor {
    pub created_at: i64,
    pub id: MessageId,
}

impl Message {
    /// The cursor that pages back from this message.
    pub fn cursor(&self) -> MessageCursor {
        MessageCursor { created_at: self.created_at, id: self.id }
    }
}

/// What creating a goal takes.
#[derive(Debug, Clone)]
pub struct NewGoal {
    pub title: String,
    pub cadence: Cadence,
    /// Share with this group (its members see the goal and its progress), or keep private with `None`.
    pub share_with: Option<GroupId>,
}

/// A goal with how it is going.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Goal {
    pub id: GoalId,
    pub owner: MemberId,
    pub is_mine: bool,
    pub title: String,
    pub cadence: Cadence,
    pub status: GoalStatus,
    /// The group it is shared with; `None` for a private goal.
    pub group_id: Option<GroupId>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Progress logged in the current day, week or month (by the cadence, in the local calendar).
    pub done_this_period: u32,
    pub total_logged: u32,
}

/// One logged step towards a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProgressEntry {
    pub id: ProgressId,
    pub goal_id: GoalId,
    pub at: i64,
    pub amount: u32,
    pub note: Option<String>,
}

/// What recording a mood check-in takes.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewCheckin {
    /// 1 (very low) to 5 (very good).
    pub mood: u8,
    /// 1 (exhausted) to 5 (full of energy).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub energy: Option<u8>,
    /// Hours slept, 0 to 24, in steps of a minute.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub sleep_hours: Option<f64>,
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub tags: Vec<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub note: Option<String>,
    /// When it was true; `None` for now. Lets a person fill in yesterday.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub at: Option<i64>,
}

/// A recorded check-in. Check-ins are private: they never leave this profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Checkin {
    pub id: CheckinId,
    pub at: i64,
    pub mood: u8,
    pub energy: Option<u8>,
    pub sleep_hours: Option<f64>,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

/// Averages over one day or one week of check-ins.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinAverage {
    /// The first day of the period, as `YYYY-MM-DD` in the person's calendar (weeks start on Monday).
    pub period_start: String,
    pub checkins: u32,
    pub mood: f64,
    /// `None` when no check-in in the period recorded energy (and likewise for sleep).
    pub energy: Option<f64>,
    pub sleep_hours: Option<f64>,
}

/// Daily and weekly averages over a range of check-ins.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinSummary {
    pub daily: Vec<CheckinAverage>,
    pub weekly: Vec<CheckinAverage>,
}

/// Something that changed in the profile, for live updates. Delivered after the change is on disk, whether it was
/// made on this phone or arrived from a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Update {
    /// A group's name, description, guidelines or members changed, or the group is new here.
    Group { group_id: GroupId },
    /// Messages were posted, edited, removed or reacted to in a group.
    Messages { group_id: GroupId, message_ids: Vec<MessageId> },
    /// Goals changed: shared with a group, or private (`group_id: None`).
    Goals { group_id: Option<GroupId> },
    /// A group's unread count changed because it was marked read.
    ReadMarker { group_id: GroupId },
    /// A mood check-in was recorded.
    Checkins,
}

impl Update {
    /// The group this update is about, if any.
    pub fn group_id(&self) -> Option<&GroupId> {
        match self {
            Update::Group { group_id } | Update::Messages { group_id, .. } | Update::ReadMarker { group_id } => {
                Some(group_id)
            }
            Update::Goals { group_id } => group_id.as_ref(),
            Update::Checkins => None,
        }
    }
}
