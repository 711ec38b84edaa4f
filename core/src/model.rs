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
use crate::ids::{
    CheckinId, GoalId, GroupId, MemberId, MessageId, ModerationId, ProgressId, ReportId, SafetyPlanItemId,
};

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
    /// When the profile was created on this phone.
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

/// A goal's rhythm: `times` per `period` ("3 times a week"), or on chosen weekdays ("Monday, Wednesday and Friday").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cadence {
    /// How many times per period: 1 to [`MAX_CADENCE_TIMES`](crate::limits::MAX_CADENCE_TIMES).
    pub times: u32,
    /// The period the times are counted in.
    pub period: CadencePeriod,
    /// For a daily cadence only: the days of the week it asks for, as ISO 8601 numbers (1 Monday ... 7 Sunday), kept
    /// in order; `None` for every day. Work done on a day off counts towards the chosen day before it, so Monday's
    /// walk taken on Tuesday still counts.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub weekdays: Option<Vec<u32>>,
}

impl Cadence {
    /// `times` per `period`, every day of it.
    pub fn new(times: u32, period: CadencePeriod) -> Self {
        Cadence { times, period, weekdays: None }
    }

    /// `times` on each of the chosen `weekdays` (1 Monday ... 7 Sunday).
    pub fn on_weekdays(times: u32, weekdays: &[u32]) -> Self {
        Cadence { times, period: CadencePeriod::Day, weekdays: Some(weekdays.to_vec()) }
    }

    /// The chosen weekdays as bits (bit 0 Monday ... bit 6 Sunday), 0 for every day; days outside 1-7 are ignored.
    pub(crate) fn weekday_bits(&self) -> u8 {
        self.weekdays.iter().flatten().filter(|d| (1..=7).contains(*d)).fold(0, |bits, d| bits | 1 << (d - 1))
    }

    /// The weekdays of `bits` (as [`Cadence::weekday_bits`] makes them), in order; `None` for 0 (every day).
    pub(crate) fn weekdays_of(bits: u8) -> Option<Vec<u32>> {
        (bits != 0).then(|| (1..=7).filter(|d| bits & (1 << (d - 1)) != 0).collect())
    }
}

/// The period of a [`Cadence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CadencePeriod {
    /// A calendar day, from local midnight.
    Day,
    /// A calendar week, from Monday.
    Week,
    /// A calendar month, from its first day.
    Month,
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GoalStatus {
    /// Being worked on. New goals start here, and paused or archived ones come back here.
    Active,
    /// Set aside for a while: still listed, and progress can still be logged.
    Paused,
    /// Put away: listed only when archived goals are asked for, and no progress can be logged while it is.
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
                    _ => Err(Error::invalid($field, format!("is not one of: {}", [$($text),+].join(", ")))),
                }
            }
        }
    };
}
string_enum!(Role, "role", Owner => "owner", Moderator => "moderator", Member => "member");
string_enum!(CadencePeriod, "cadence period", Day => "day", Week => "week", Month => "month");
string_enum!(GoalStatus, "goal status", Active => "active", Paused => "paused", Archived => "archived");
string_enum!(
    ReportReason, "report reason",
    Harassment => "harassment", Hostile => "hostile", MisleadingHealth => "misleading_health",
    SelfHarm => "self_harm", Spam => "spam", Other => "other"
);
string_enum!(
    ModerationKind, "moderation action",
    Hide => "hide", Restore => "restore", Remove => "remove", Readd => "readd", Suspend => "suspend", Lift => "lift",
    Approve => "approve", Rules => "rules", Policy => "policy", Warn => "warn", Erase => "erase"
);

/// What creating a group takes.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewGroup {
    /// One line, at most [`MAX_GROUP_NAME_CHARS`](crate::limits::MAX_GROUP_NAME_CHARS); trimmed, must not be blank.
    pub name: String,
    /// What the group is about, shown in lists. May be empty, or span lines up to
    /// [`MAX_GROUP_DESCRIPTION_CHARS`](crate::limits::MAX_GROUP_DESCRIPTION_CHARS).
    #[cfg_attr(feature = "uniffi", uniffi(default = ""))]
    pub description: String,
    /// How members agree to treat each other. May be empty, or span lines up to
    /// [`MAX_GUIDELINES_CHARS`](crate::limits::MAX_GUIDELINES_CHARS).
    #[cfg_attr(feature = "uniffi", uniffi(default = ""))]
    pub guidelines: String,
}

/// A group as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupSummary {
    /// The group.
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// Its description; empty when it has none.
    pub description: String,
    /// Current members, this profile included; removed members are not counted.
    pub member_count: u32,
    /// This profile's role; `None` when it is no longer a member (removed, or its admission turned out to have no
    /// effect): the group and its history stay here.
    pub my_role: Option<Role>,
    /// Messages by others that arrived since the group was last marked read, not counting removed ones.
    pub unread_count: u64,
    /// When the newest message shown here was posted (by its author's clock); `None` before the first one. Hidden
    /// messages (a removed member's later writing, an equivocator's) do not count.
    pub last_message_at: Option<i64>,
}

/// Everything about one group except its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupDetails {
    /// The group.
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// What it is about; empty when it has no description.
    pub description: String,
    /// How members agree to treat each other; empty when it has none.
    pub guidelines: String,
    /// When its owner created it, by the owner's clock.
    pub created_at: i64,
    /// The member who created it: its owner.
    pub created_by: MemberId,
    /// Current members (removed ones are left out): the owner first, then moderators, then members, each in the
    /// order they were added.
    pub members: Vec<Member>,
    /// The keys the owner trusts to publish crisis resource directories into the group, besides the owner
    /// ([`Kindred::trust_publisher`](crate::Kindred::trust_publisher)).
    pub trusted_publishers: Vec<MemberId>,
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Member {
    /// Their member key.
    pub member_id: MemberId,
    /// The name to show: the one the member chose, followed by a short form of their key when another member of the
    /// group goes by the same name (so no one can pass as someone else by taking their name).
    pub display_name: String,
    /// What they may do in the group.
    pub role: Role,
    /// When they were first added or admitted (a member taken back keeps it), by the clock of the member who let
    /// them in; for the owner, when the group was created.
    pub added_at: i64,
}

/// An invitation this profile holds, waiting for the first sync with a member of the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PendingJoin {
    /// The group the invitation admits to.
    pub group_id: GroupId,
    /// The group's name as the invitation carries it (its name when the code was made), to show before joining.
    pub group_name: String,
    /// The member who made the invitation code.
    pub inviter: MemberId,
}

/// What posting a message takes.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// The message, up to [`MAX_MESSAGE_CHARS`](crate::limits::MAX_MESSAGE_CHARS) and possibly several lines;
    /// trimmed, must not be blank.
    pub text: String,
    /// The message this one answers, which must be in the group; `None` for a message that answers none.
    pub reply_to: Option<MessageId>,
    /// Shown before the text, which stays hidden until the reader chooses to see it. One line, at most
    /// [`MAX_CONTENT_WARNING_CHARS`](crate::limits::MAX_CONTENT_WARNING_CHARS); blank means none.
    pub content_warning: Option<String>,
}

/// A message as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Message {
    /// The message.
    pub id: MessageId,
    /// The group it was posted in.
    pub group_id: GroupId,
    /// The member who wrote it.
    pub author: MemberId,
    /// The author as [`Member::display_name`] shows them.
    pub author_name: String,
    /// When it was posted, by the author's clock. Timelines are ordered by it (then by id).
    pub created_at: i64,
    /// Empty once the message is removed, and while [`Message::text_pending`].
    pub text: String,
    /// The message this one answers, if any. It may have been removed, or not have reached this phone yet.
    pub reply_to: Option<MessageId>,
    /// Shown before the text, which stays hidden until the reader chooses to see it; `None` once removed.
    pub content_warning: Option<String>,
    /// When it was last edited or removed, by the author's clock; `None` if neither.
    pub edited_at: Option<i64>,
    /// Whether it was erased, by its author or (see [`Message::erased_by_moderator`]) a moderator: its words are gone
    /// from this phone and from every phone running Kindred that has received the erasure; the text is empty, and
    /// there is no content warning and no reaction. Show a placeholder ("removed by its author"), so that replies
    /// still make sense. (A modified app may have kept a copy: erasure reaches phones running Kindred.)
    pub removed: bool,
    /// Erased by a moderator (the moderation log says who and why, never the words).
    pub erased_by_moderator: bool,
    /// Its words have not reached this phone yet: they travel beside the history, and the next sync with a member
    /// who holds them brings them. Show the message as arriving.
    pub text_pending: bool,
    /// Whether this profile wrote it (only the author can edit or remove a message).
    pub is_mine: bool,
    /// Current members' reactions, one entry per emoji, the most given first; empty for a removed message.
    pub reactions: Vec<ReactionCount>,
    /// Set while a moderator has the message hidden. Its text and content warning are then empty for everyone but
    /// its author and the group's moderators (who see them, and why it was hidden).
    pub moderation: Option<ModerationNote>,
    /// Set when this reader chose to see such a message folded, behind a tap: it has a content warning (and the
    /// reader folds those), holds a word they muted, or comes from a member they muted or blocked (such messages
    /// are left out of timelines; this shows when one is asked for by id, say as the target of a reply).
    pub fold: Option<Fold>,
    /// Waiting for a moderator's approval (the group premoderates its newer members): only its author and the
    /// moderators see it until a moderator approves it ([`Kindred::approve_message`](crate::Kindred)).
    pub awaiting_approval: bool,
}

/// Why a message is shown folded ([`Message::fold`]); the text is there, for the reader to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Fold {
    /// It has a content warning, and the reader folds those ([`Kindred::set_fold_warnings`](crate::Kindred)).
    ContentWarning,
    /// It holds a word the reader muted.
    MutedWord,
    /// Its author is a member the reader muted or blocked.
    MutedMember,
}

/// What this profile does with one member's posts, on this phone only: nobody else learns of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MemberControl {
    /// Shown as usual.
    None,
    /// Their posts left out of this profile's timelines and unread counts.
    Muted,
    /// Muted, and their reactions not counted either (their replies are posts, so they are left out too). They are
    /// not told, and what this profile posts still reaches them: blocking is about what this phone shows.
    Blocked,
}

/// A member this profile muted or blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MutedMember {
    /// The member.
    pub member: MemberId,
    /// Muted or blocked.
    pub control: MemberControl,
    /// Since when.
    pub at: i64,
}

/// Why a message is hidden, as [`Message::moderation`] carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ModerationNote {
    /// The moderator who hid it.
    pub by: MemberId,
    /// When, by their clock.
    pub at: i64,
    /// Their reason, for the message's author and the group's moderators; `None` for everyone else.
    pub why: Option<String>,
}

/// What a moderator did, as the group's moderation log lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ModerationKind {
    /// Hid a message from the group (its author and the moderators still see it).
    Hide,
    /// Showed a hidden message again.
    Restore,
    /// Removed a member from the group (the same change as the removal itself).
    Remove,
    /// Took a removed member back (the same change as the taking back).
    Readd,
    /// Suspended a member: what they post from then on shows nowhere until a moderator lifts it.
    Suspend,
    /// Lifted a member's suspension (by hand, or signed by a moderator's phone when its period was over).
    Lift,
    /// Approved a premoderated message: it is shown to the whole group.
    Approve,
    /// Set the group's rules (a new version, which members accept before posting again).
    Rules,
    /// Set the group's moderation settings (premoderation, how many members' reports hide a message).
    Policy,
    /// Warned a member: the words were sealed to them alone; the log keeps who warned whom and when.
    Warn,
    /// Erased a message's words from every phone running Kindred that receives the entry (a doxxed address,
    /// self-harm instructions); the log keeps who, when and why, never the words.
    Erase,
}

/// Why a member reports a message or a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ReportReason {
    /// Harassment of a member.
    Harassment,
    /// Hostile or derogatory.
    Hostile,
    /// Misleading health information.
    MisleadingHealth,
    /// Content about self-harm.
    SelfHarm,
    /// Spam.
    Spam,
    /// Something else (the note says what).
    Other,
}

/// A report as the moderator whose phone opened it sees it. Only moderators ever read reports; who reported is
/// sealed to them alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    /// The report.
    pub id: ReportId,
    /// Who reported (their signature inside the seal proves it).
    pub reporter: MemberId,
    /// The message reported, if a message was.
    pub message_id: Option<MessageId>,
    /// The member reported, or the reported message's author.
    pub member: MemberId,
    /// Why.
    pub reason: ReportReason,
    /// The reporter's note; empty without one.
    pub note: String,
    /// When, by the reporter's clock.
    pub at: i64,
    /// Set once a moderator dismissed it (a report found false or resolved).
    pub dismissed: bool,
    /// Reports of this reporter that moderators dismissed: a member who sends many false reports shows here.
    pub reporter_dismissed: u32,
    /// Whether this moderator muted the reporter's reports (they count for nothing).
    pub reporter_muted: bool,
}

/// A moderator's warning, as the member warned reads it (nobody else sees its words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Warning {
    /// The warning.
    pub id: ReportId,
    /// The moderator who warned.
    pub by: MemberId,
    /// Their words.
    pub text: String,
    /// When, by their clock.
    pub at: i64,
}

/// One entry of a group's moderation log: signed by the moderator, kept in the group's document, never erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ModerationEntry {
    /// The entry.
    pub id: ModerationId,
    /// What was done.
    pub kind: ModerationKind,
    /// The moderator (or owner) who did it.
    pub by: MemberId,
    /// Their name in the group.
    pub by_name: String,
    /// When, by their clock.
    pub at: i64,
    /// The message it was done to (hide, restore, approve); `None` for what was done to a member or the group.
    pub message_id: Option<MessageId>,
    /// The member it was done to: the message's author, or the member removed, taken back, suspended or lifted
    /// (for rules and settings, the moderator themselves).
    pub member: MemberId,
    /// A suspension's end, by the suspending moderator's clock, when it was made for a period; `None` otherwise.
    pub until: Option<i64>,
    /// Why, in the moderator's words.
    pub why: String,
}

/// What the author of a hidden message is shown: a kind explanation, the moderator's reason and, for the person's
/// region, crisis services they can reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HiddenMessageHelp {
    /// A few kind sentences, in English (apps translate by this struct's meaning, not its words).
    pub explanation: String,
    /// The moderator's reason.
    pub why: String,
    /// When it was hidden, by the moderator's clock.
    pub at: i64,
    /// Crisis services for the person's region, from the directories this profile holds.
    pub resources: crate::crisis::ResourceLookup,
}

/// A group's rules as this profile sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupRules {
    /// The version in effect; `None` when the group has no rules (then nobody is asked to accept anything).
    pub version: Option<ModerationId>,
    /// The rules, in the words of whoever set them; empty when there are none.
    pub text: String,
    /// Who set this version.
    pub set_by: Option<MemberId>,
    /// When, by their clock (0 without rules).
    pub set_at: i64,
    /// Whether this profile has accepted this version (setting rules accepts them). Posting needs it.
    pub accepted: bool,
}

/// Whose posts wait for a moderator's approval before the group sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Premoderation {
    /// Nobody's: every post is shown at once.
    Off,
    /// A member who joined after premoderation was turned on, until that many of their posts were approved.
    UntilApproved {
        /// Approved posts after which a member's posts are shown at once.
        posts: u32,
    },
    /// Every member who joined after premoderation was turned on, always.
    Always,
}

/// This profile's standing in a group, for the app to say why it cannot post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PostingStatus {
    /// Whether a post now would be shown (perhaps after approval).
    pub may_post: bool,
    /// The group has rules this profile has not accepted yet.
    pub must_accept_rules: bool,
    /// Suspended: posts are refused until a moderator lifts it (or a moderator's phone does, once its own clock
    /// passes the end of the suspension's period).
    pub suspended: bool,
    /// The end of the suspension's period, by the suspending moderator's clock, if it has one.
    pub suspended_until: Option<i64>,
    /// This profile's posts wait for a moderator's approval.
    pub premoderated: bool,
    /// The group's rate limit is reached: this profile has posted as many messages as it allows since the last
    /// message by someone else reached this phone. Posting resumes when another member writes.
    pub rate_limited: bool,
    /// The group's causal rate limit, if it has one: how many posts a plain member may make between two messages by
    /// others (owners and moderators are not limited).
    pub rate_limit: Option<u32>,
}

/// How many members reacted to a message with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReactionCount {
    /// The reaction as members typed it: usually one emoji, which can be several characters joined.
    pub emoji: String,
    /// How many current members reacted with it (each member has at most one reaction per message).
    pub count: u32,
    /// Whether this profile's reaction is among them.
    pub mine: bool,
}

/// A position in a group's timeline, for paging backwards: the messages strictly older than this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessageCursor {
    /// The [`Message::created_at`] of the message to page back from.
    pub created_at: i64,
    /// Its id, which orders messages posted in the same millisecond.
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
    /// One line, at most [`MAX_GOAL_TITLE_CHARS`](crate::limits::MAX_GOAL_TITLE_CHARS); trimmed, must not be blank.
    pub title: String,
    /// How often the person means to do it.
    pub cadence: Cadence,
    /// Share with this group (its members see the goal and its progress), or keep private with `None`.
    pub share_with: Option<GroupId>,
}

/// A goal with how it is going.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Goal {
    /// The goal.
    pub id: GoalId,
    /// The member who created it: the only one who logs progress on it or changes its status.
    pub owner: MemberId,
    /// Whether this profile owns it.
    pub is_mine: bool,
    /// Its title.
    pub title: String,
    /// How often its owner means to do it.
    pub cadence: Cadence,
    /// Where it stands.
    pub status: GoalStatus,
    /// The group it is shared with; `None` for a private goal.
    pub group_id: Option<GroupId>,
    /// When its owner created it, by the owner's clock.
    pub created_at: i64,
    /// When it was created, its status last changed or progress was last logged (that entry's own time, which
    /// may be back-filled), by the owner's clock.
    pub updated_at: i64,
    /// Progress logged in the current day, week or month (by the cadence, in the local calendar): the sum of the
    /// entries' amounts, to compare with [`Cadence::times`].
    pub done_this_period: u32,
    /// The sum of the amounts of every progress entry ever logged.
    pub total_logged: u32,
    /// For a private goal that is this person's own target in a group goal: that group goal.
    pub group_goal: Option<GoalId>,
}

/// A group goal: each member who joins works on their own target, privately, and the group sees only how many met
/// theirs each week, never who joined or who did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GroupGoal {
    /// The group goal.
    pub id: GoalId,
    /// The group it belongs to.
    pub group_id: GroupId,
    /// What it is about ("Move a little more").
    pub title: String,
    /// The member who proposed it.
    pub created_by: MemberId,
    /// When they did, by their clock.
    pub created_at: i64,
    /// When its proposer ended it, by their clock; `None` while it runs.
    pub ended_at: Option<i64>,
    /// How many members met their own target, week by week: the last [`GROUP_GOAL_WEEKS`] weeks, oldest first,
    /// this week last.
    pub weeks: Vec<WeekCount>,
    /// This profile's own goal towards it, if it joined.
    pub my_goal: Option<GoalId>,
}

/// How many members met their own target in one week of a group goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WeekCount {
    /// The week's Monday, `YYYY-MM-DD`.
    pub week: String,
    /// How many members met theirs.
    pub met: u32,
}

/// How many weeks [`GroupGoal::weeks`] lists.
pub const GROUP_GOAL_WEEKS: usize = 4;

/// One logged step towards a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProgressEntry {
    /// The entry.
    pub id: ProgressId,
    /// The goal it counts towards.
    pub goal_id: GoalId,
    /// When the step was taken: the time given when logging it (which may be in the past), or when it was logged.
    pub at: i64,
    /// How many times it counts for: 1 to [`MAX_PROGRESS_AMOUNT`](crate::limits::MAX_PROGRESS_AMOUNT).
    pub amount: u32,
    /// What its owner wrote about it; `None` without a note.
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
    /// Words the person chose to label it ("work", "family"): at most [`MAX_TAGS`](crate::limits::MAX_TAGS), each
    /// one line of at most [`MAX_TAG_CHARS`](crate::limits::MAX_TAG_CHARS). Stored trimmed, sorted, without repeats.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub tags: Vec<String>,
    /// Free text, possibly several lines, at most [`MAX_NOTE_CHARS`](crate::limits::MAX_NOTE_CHARS); blank means
    /// none.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub note: Option<String>,
    /// Emotions felt, usually chosen from the person's list ([`Kindred::checkin_options`](crate::Kindred::checkin_options)):
    /// the same limits as tags. Stored trimmed, sorted, without repeats.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub emotions: Vec<String>,
    /// Activities done, usually chosen from the person's list: the same limits as tags.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub activities: Vec<String>,
    /// Whether medication was taken as planned; `None` when not said (or not relevant).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub medication_taken: Option<bool>,
    /// When it was true; `None` for now. Lets a person fill in yesterday. Must lie between the year 2000 and a
    /// day ahead of the phone's clock.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub at: Option<i64>,
}

/// A recorded check-in. Check-ins are private: they never leave this profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Checkin {
    /// The check-in.
    pub id: CheckinId,
    /// When it was true: the time given when recording it, or when it was recorded.
    pub at: i64,
    /// 1 (very low) to 5 (very good).
    pub mood: u8,
    /// 1 (exhausted) to 5 (full of energy); `None` if not recorded.
    pub energy: Option<u8>,
    /// Hours slept, 0 to 24, rounded to the minute; `None` if not recorded.
    pub sleep_hours: Option<f64>,
    /// Its tags, trimmed, sorted and without repeats; empty without any.
    pub tags: Vec<String>,
    /// Its note; `None` without one.
    pub note: Option<String>,
    /// Emotions felt, sorted; empty without any.
    pub emotions: Vec<String>,
    /// Activities done, sorted; empty without any.
    pub activities: Vec<String>,
    /// Whether medication was taken as planned; `None` when not said.
    pub medication_taken: Option<bool>,
}

/// One step of the five-point mood scale, as an app shows it to people who read little: a face and a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MoodLevel {
    /// The mood value, 1 (very low) to 5 (very good).
    pub value: u8,
    /// Its face.
    pub emoji: String,
    /// Its word ("okay").
    pub label: String,
}

/// The lists a check-in is made from: the mood scale and the person's emotions and activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinOptions {
    /// The five steps of the mood scale, lowest first.
    pub moods: Vec<MoodLevel>,
    /// The emotions to choose from: the person's own list, or the suggested one until they change it.
    pub emotions: Vec<String>,
    /// The activities to choose from, likewise.
    pub activities: Vec<String>,
}

/// Which of the person's check-in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum ChoiceKind {
    /// Emotions ("calm", "anxious").
    Emotion,
    /// Activities ("walk", "time with others").
    Activity,
}

/// Averages over one day or one week of check-ins.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinAverage {
    /// The first day of the period, as `YYYY-MM-DD` in the person's calendar (weeks start on Monday).
    pub period_start: String,
    /// How many check-ins the period holds (at least one: periods without any are left out).
    pub checkins: u32,
    /// Their average mood, 1 to 5, rounded to two decimals.
    pub mood: f64,
    /// The average energy of the check-ins that recorded it, rounded to two decimals; `None` when none did.
    pub energy: Option<f64>,
    /// The average hours slept of the check-ins that recorded it, rounded to two decimals; `None` when none did.
    pub sleep_hours: Option<f64>,
}

/// Daily and weekly averages over a range of check-ins.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinSummary {
    /// One entry per calendar day with at least one check-in, oldest first.
    pub daily: Vec<CheckinAverage>,
    /// One entry per week (Monday to Sunday) with at least one check-in, oldest first.
    pub weekly: Vec<CheckinAverage>,
}

/// A step of the personal safety plan: the six steps of the Stanley-Brown Safety Planning Intervention, in the
/// order a person works through them in a crisis, then reasons for living. [`SafetyPlanStep::ALL`] lists them in
/// that order; the stable names (`as_str`, and the JSON form) are those the `kindred safety-plan` command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SafetyPlanStep {
    /// 1. Warning signs (thoughts, images, moods, situations, behaviours) that a crisis may be starting.
    WarningSigns,
    /// 2. Internal coping strategies: things the person can do alone to take their mind off their problems.
    Coping,
    /// 3. People and social settings that provide distraction.
    Distractions,
    /// 4. People the person can ask for help.
    People,
    /// 5. Professionals, agencies and crisis lines to contact in a crisis.
    Professionals,
    /// 6. Making the environment safe (keeping away the means of self-harm).
    Environment,
    /// Reasons for living: what matters most to the person and is worth living for.
    Reasons,
}
string_enum!(
    SafetyPlanStep, "safety plan step",
    WarningSigns => "warning-signs", Coping => "coping", Distractions => "distractions", People => "people",
    Professionals => "professionals", Environment => "environment", Reasons => "reasons"
);

impl SafetyPlanStep {
    /// Every step, in the plan's order.
    pub const ALL: [SafetyPlanStep; 7] = [
        SafetyPlanStep::WarningSigns,
        SafetyPlanStep::Coping,
        SafetyPlanStep::Distractions,
        SafetyPlanStep::People,
        SafetyPlanStep::Professionals,
        SafetyPlanStep::Environment,
        SafetyPlanStep::Reasons,
    ];

    /// The step's heading in plain English words, as the printed plan shows it. Apps in other languages show their
    /// own translation and keep this as the fallback.
    pub fn heading(self) -> &'static str {
        match self {
            SafetyPlanStep::WarningSigns => "Warning signs that a crisis may be starting",
            SafetyPlanStep::Coping => "Things I can do on my own to take my mind off my problems",
            SafetyPlanStep::Distractions => "People and places that take my mind off things",
            SafetyPlanStep::People => "People I can ask for help",
            SafetyPlanStep::Professionals => "Professionals and crisis lines I can contact",
            SafetyPlanStep::Environment => "Making my surroundings safe",
            SafetyPlanStep::Reasons => "My reasons for living",
        }
    }

    /// Whether an item of this step may carry a contact (a phone number, an address): the steps that name people
    /// or services to reach (distractions, as the Stanley-Brown form has names and phone numbers there too, people
    /// and professionals).
    pub fn takes_contact(self) -> bool {
        matches!(self, SafetyPlanStep::Distractions | SafetyPlanStep::People | SafetyPlanStep::Professionals)
    }
}

/// One entry of the safety plan. Private: it never leaves this profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyPlanItem {
    /// The item: stays the same when it is edited or moved.
    pub id: SafetyPlanItemId,
    /// The step it belongs to.
    pub step: SafetyPlanStep,
    /// What the person wrote: at most [`MAX_SAFETY_PLAN_ITEM_CHARS`](crate::limits::MAX_SAFETY_PLAN_ITEM_CHARS),
    /// possibly several lines.
    pub text: String,
    /// How to reach the person or service (a phone number, an address), for the steps that
    /// [take one](SafetyPlanStep::takes_contact); `None` without one.
    pub contact: Option<String>,
    /// When it was added.
    pub created_at: i64,
    /// When its text or contact last changed (its creation time if never).
    pub updated_at: i64,
}

/// One step of the safety plan with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyPlanSection {
    /// The step.
    pub step: SafetyPlanStep,
    /// Its heading in plain English ([`SafetyPlanStep::heading`]).
    pub heading: String,
    /// Whether its items may carry a contact ([`SafetyPlanStep::takes_contact`]).
    pub takes_contact: bool,
    /// Its items in the person's order (most important first, as they arranged them); empty when the step has none
    /// yet.
    pub items: Vec<SafetyPlanItem>,
}

/// The person's own safety plan: every step, in the plan's order, each with its items (possibly none). It lives
/// only in this profile's database and never leaves the phone: no group document, bundle or sync session holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SafetyPlan {
    /// One section per step, in the order of [`SafetyPlanStep::ALL`], always all seven.
    pub sections: Vec<SafetyPlanSection>,
}

impl SafetyPlan {
    /// The section of `step`.
    pub fn section(&self, step: SafetyPlanStep) -> Option<&SafetyPlanSection> {
        self.sections.iter().find(|s| s.step == step)
    }

    /// Whether no step has any item yet.
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|s| s.items.is_empty())
    }
}

/// Something that changed in the profile, for live updates. Delivered after the change is on disk, whether it was
/// made on this phone or arrived from a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Update {
    /// A group's name, description, guidelines or members changed, or the group is new here; or this phone's personal
    /// controls (muted members and words, folded warnings) changed what its timeline shows.
    Group {
        /// The group.
        group_id: GroupId,
    },
    /// Messages were posted, edited, removed or reacted to in a group.
    Messages {
        /// The group they are in.
        group_id: GroupId,
        /// The messages that changed (posted, edited, removed or reacted to). One hidden by the change (written
        /// after its author's removal) is no longer found.
        message_ids: Vec<MessageId>,
    },
    /// Goals changed: shared with a group, or private (`group_id: None`).
    Goals {
        /// The group the goals are shared with; `None` for this profile's private goals.
        group_id: Option<GroupId>,
    },
    /// A group's unread count changed because it was marked read.
    ReadMarker {
        /// The group marked read.
        group_id: GroupId,
    },
    /// A mood check-in was recorded.
    Checkins,
    /// This profile's safety plan changed (an item was added, edited, moved or removed, or the plan was cleared).
    SafetyPlan,
    /// An instrument result (WHO-5, PHQ-9...) was recorded or deleted.
    Instruments,
}

impl Update {
    /// The group this update is about, if any.
    pub fn group_id(&self) -> Option<&GroupId> {
        match self {
            Update::Group { group_id } | Update::Messages { group_id, .. } | Update::ReadMarker { group_id } => {
                Some(group_id)
            }
            Update::Goals { group_id } => group_id.as_ref(),
            Update::Checkins | Update::SafetyPlan | Update::Instruments => None,
        }
    }
}
