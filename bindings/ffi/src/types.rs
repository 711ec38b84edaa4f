//! Records and enums the apps see: mirrors of `kindred_core::model`, with ids as hex strings and times as
//! milliseconds since the Unix epoch. Conversions only; no logic lives here.

use kindred_core as core;

/// The opened profile's public identity.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProfileInfo {
    pub member_id: String,
    pub display_name: String,
    pub actor_id: String,
    pub created_at: i64,
}

/// A member's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    Owner,
    Moderator,
    Member,
}

/// A goal's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CadencePeriod {
    Day,
    Week,
    Month,
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GoalStatus {
    Active,
    Paused,
    Archived,
}

/// "`times` per `period`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Cadence {
    pub times: u32,
    pub period: CadencePeriod,
}

/// What creating a group takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewGroup {
    pub name: String,
    #[uniffi(default = "")]
    pub description: String,
    #[uniffi(default = "")]
    pub guidelines: String,
}

/// A group in a list.
#[derive(Debug, Clone, uniffi::Record)]
pub struct GroupSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub member_count: u32,
    pub my_role: Option<Role>,
    pub unread_count: u64,
    pub last_message_at: Option<i64>,
}

/// A member of a group.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Member {
    pub member_id: String,
    /// The name to show: the member's own, followed by a short form of their key when another member of the group
    /// goes by the same name (so no one can pass as someone else by taking their name).
    pub display_name: String,
    pub role: Role,
    pub added_at: i64,
}

/// A group's details.
#[derive(Debug, Clone, uniffi::Record)]
pub struct GroupDetails {
    pub id: String,
    pub name: String,
    pub description: String,
    pub guidelines: String,
    pub created_at: i64,
    pub created_by: String,
    pub members: Vec<Member>,
}

/// What posting takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewMessage {
    pub text: String,
    #[uniffi(default = None)]
    pub reply_to: Option<String>,
    #[uniffi(default = None)]
    pub content_warning: Option<String>,
}

/// Reactions with one emoji.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReactionCount {
    pub emoji: String,
    pub count: u32,
    pub mine: bool,
}

/// A message as a screen shows it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Message {
    pub id: String,
    pub group_id: String,
    pub author: String,
    /// The author as `Member.display_name` shows them.
    pub author_name: String,
    pub created_at: i64,
    pub text: String,
    pub reply_to: Option<String>,
    pub content_warning: Option<String>,
    pub edited_at: Option<i64>,
    pub removed: bool,
    pub is_mine: bool,
    pub reactions: Vec<ReactionCount>,
}

/// Where to page back from: the first message of the page already shown.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MessageCursor {
    pub created_at: i64,
    pub id: String,
}

/// What creating a goal takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewGoal {
    pub title: String,
    pub cadence: Cadence,
    #[uniffi(default = None)]
    pub share_with: Option<String>,
}

/// A goal and how it is going.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Goal {
    pub id: String,
    pub owner: String,
    pub is_mine: bool,
    pub title: String,
    pub cadence: Cadence,
    pub status: GoalStatus,
    pub group_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub done_this_period: u32,
    pub total_logged: u32,
}

/// One logged step.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProgressEntry {
    pub id: String,
    pub goal_id: String,
    pub at: i64,
    pub amount: u32,
    pub note: Option<String>,
}

/// What a mood check-in takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewCheckin {
    pub mood: u8,
    #[uniffi(default = None)]
    pub energy: Option<u8>,
    #[uniffi(default = None)]
    pub sleep_hours: Option<f64>,
    #[uniffi(default = [])]
    pub tags: Vec<String>,
    #[uniffi(default = None)]
    pub note: Option<String>,
    #[uniffi(default = None)]
    pub at: Option<i64>,
}

/// A recorded check-in (private to this phone).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Checkin {
    pub id: String,
    pub at: i64,
    pub mood: u8,
    pub energy: Option<u8>,
    pub sleep_hours: Option<f64>,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

/// Averages over a day or a week.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CheckinAverage {
    pub period_start: String,
    pub checkins: u32,
    pub mood: f64,
    pub energy: Option<f64>,
    pub sleep_hours: Option<f64>,
}

/// Daily and weekly averages.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CheckinSummary {
    pub daily: Vec<CheckinAverage>,
    pub weekly: Vec<CheckinAverage>,
}

/// What changed, for live updates.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Update {
    Group { group_id: String },
    Messages { group_id: String, message_ids: Vec<String> },
    Goals { group_id: Option<String> },
    ReadMarker { group_id: String },
    Checkins,
}

macro_rules! same_enum {
    ($ours:ident, $theirs:path, $($v:ident),+) => {
        impl From<$theirs> for $ours {
            fn from(v: $theirs) -> Self {
                use $theirs as T;
                match v { $(T::$v => $ours::$v),+ }
            }
        }
        impl From<$ours> for $theirs {
            fn from(v: $ours) -> Self {
                match v { $($ours::$v => <$theirs>::$v),+ }
            }
        }
    };
}
same_enum!(Role, core::Role, Owner, Moderator, Member);
same_enum!(CadencePeriod, core::CadencePeriod, Day, Week, Month);
same_enum!(GoalStatus, core::GoalStatus, Active, Paused, Archived);

impl From<core::Cadence> for Cadence {
    fn from(c: core::Cadence) -> Self {
        Self { times: c.times, period: c.period.into() }
    }
}

impl From<Cadence> for core::Cadence {
    fn from(c: Cadence) -> Self {
        Self { times: c.times, period: c.period.into() }
    }
}

impl From<core::ProfileInfo> for ProfileInfo {
    fn from(p: core::ProfileInfo) -> Self {
        Self {
            member_id: p.member_id.to_hex(),
            display_name: p.display_name,
            actor_id: p.actor_id,
            created_at: p.created_at,
        }
    }
}

impl From<core::GroupSummary> for GroupSummary {
    fn from(g: core::GroupSummary) -> Self {
        Self {
            id: g.id.to_hex(),
            name: g.name,
            description: g.description,
            member_count: g.member_count,
            my_role: g.my_role.map(Into::into),
            unread_count: g.unread_count,
            last_message_at: g.last_message_at,
        }
    }
}

impl From<core::GroupDetails> for GroupDetails {
    fn from(g: core::GroupDetails) -> Self {
        Self {
            id: g.id.to_hex(),
            name: g.name,
            description: g.description,
            guidelines: g.guidelines,
            created_at: g.created_at,
            created_by: g.created_by.to_hex(),
            members: g
                .members
                .into_iter()
                .map(|m| Member {
                    member_id: m.member_id.to_hex(),
                    display_name: m.display_name,
                    role: m.role.into(),
                    added_at: m.added_at,
                })
                .collect(),
        }
    }
}

impl From<core::Message> for Message {
    fn from(m: core::Message) -> Self {
        Self {
            id: m.id.to_hex(),
            group_id: m.group_id.to_hex(),
            author: m.author.to_hex(),
            author_name: m.author_name,
            created_at: m.created_at,
            text: m.text,
            reply_to: m.reply_to.map(|r| r.to_hex()),
            content_warning: m.content_warning,
            edited_at: m.edited_at,
            removed: m.removed,
            is_mine: m.is_mine,
            reactions: m
                .reactions
                .into_iter()
                .map(|r| ReactionCount { emoji: r.emoji, count: r.count, mine: r.mine })
                .collect(),
        }
    }
}

impl From<core::Goal> for Goal {
    fn from(g: core::Goal) -> Self {
        Self {
            id: g.id.to_hex(),
            owner: g.owner.to_hex(),
            is_mine: g.is_mine,
            title: g.title,
            cadence: g.cadence.into(),
            status: g.status.into(),
            group_id: g.group_id.map(|id| id.to_hex()),
            created_at: g.created_at,
            updated_at: g.updated_at,
            done_this_period: g.done_this_period,
            total_logged: g.total_logged,
        }
    }
}

impl From<core::ProgressEntry> for ProgressEntry {
    fn from(p: core::ProgressEntry) -> Self {
        Self { id: p.id.to_hex(), goal_id: p.goal_id.to_hex(), at: p.at, amount: p.amount, note: p.note }
    }
}

impl From<core::Checkin> for Checkin {
    fn from(c: core::Checkin) -> Self {
        Self {
            id: c.id.to_hex(),
            at: c.at,
            mood: c.mood,
            energy: c.energy,
            sleep_hours: c.sleep_hours,
            tags: c.tags,
            note: c.note,
        }
    }
}

impl From<core::CheckinAverage> for CheckinAverage {
    fn from(a: core::CheckinAverage) -> Self {
        Self {
            period_start: a.period_start,
            checkins: a.checkins,
            mood: a.mood,
            energy: a.energy,
            sleep_hours: a.sleep_hours,
        }
    }
}

impl From<core::CheckinSummary> for CheckinSummary {
    fn from(s: core::CheckinSummary) -> Self {
        Self {
            daily: s.daily.into_iter().map(Into::into).collect(),
            weekly: s.weekly.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<&core::Update> for Update {
    fn from(u: &core::Update) -> Self {
        match u {
            core::Update::Group { group_id } => Update::Group { group_id: group_id.to_hex() },
            core::Update::Messages { group_id, message_ids } => Update::Messages {
                group_id: group_id.to_hex(),
                message_ids: message_ids.iter().map(|m| m.to_hex()).collect(),
            },
            core::Update::Goals { group_id } => Update::Goals { group_id: group_id.map(|g| g.to_hex()) },
            core::Update::ReadMarker { group_id } => Update::ReadMarker { group_id: group_id.to_hex() },
            core::Update::Checkins => Update::Checkins,
        }
    }
}
