//! The records an app fills in with ids it holds as text, and the one enum (`ModerationAction`): the only types not
//! derived on the core's own (`kindred_core::model` derives the rest, and the ids, with its `uniffi` feature).
//!
//! An id inside a core record is a uniffi custom type, and a string that is not an id fails while uniffi lifts the
//! arguments, before the call. uniffi reports such a failure as the call's error only when it is of that very type (it
//! downcasts to [`KindredError`]); otherwise it becomes uniffi's own internal error. The core's conversion can only
//! fail with the core's error: it cannot name this crate's. Apps must get a malformed id back as
//! `KindredError.InvalidInput` naming the field, so these records keep their ids as strings, parsed here inside the
//! call, as are the id parameters of every method. Everything else in them is the core's.

use kindred_core as core;

use crate::error::{KindredError, parse_id};

/// What posting takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewMessage {
    pub text: String,
    /// The id of the message this one answers.
    #[uniffi(default = None)]
    pub reply_to: Option<String>,
    /// Shown before the text, which stays hidden until the reader chooses to see it.
    #[uniffi(default = None)]
    pub content_warning: Option<String>,
}

impl NewMessage {
    pub(crate) fn parse(self) -> Result<core::NewMessage, KindredError> {
        Ok(core::NewMessage {
            text: self.text,
            reply_to: self.reply_to.as_deref().map(parse_id).transpose()?,
            content_warning: self.content_warning,
        })
    }
}

/// Where to page back from: the first message of the page already shown.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MessageCursor {
    pub created_at: i64,
    /// That message's id.
    pub id: String,
}

impl MessageCursor {
    pub(crate) fn parse(self) -> Result<core::MessageCursor, KindredError> {
        Ok(core::MessageCursor { created_at: self.created_at, id: parse_id(&self.id)? })
    }
}

/// What creating a goal takes.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewGoal {
    pub title: String,
    pub cadence: core::Cadence,
    /// The id of the group to share it with (its members see the goal and its progress); without one it is private.
    #[uniffi(default = None)]
    pub share_with: Option<String>,
}

impl NewGoal {
    pub(crate) fn parse(self) -> Result<core::NewGoal, KindredError> {
        let share_with = self.share_with.as_deref().map(parse_id).transpose()?;
        Ok(core::NewGoal { title: self.title, cadence: self.cadence, share_with })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug, KindredError>) -> String {
        match result {
            Err(KindredError::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn a_malformed_id_in_an_input_record_is_invalid_input_naming_the_field() {
        let cadence = core::Cadence::new(1, core::CadencePeriod::Day);
        let goal = NewGoal { title: "Walk".into(), cadence, share_with: Some("not-an-id".into()) };
        assert_eq!(field(goal.parse()), "group id");
        let reply = NewMessage { text: "Hi".into(), reply_to: Some("zz".into()), content_warning: None };
        assert_eq!(field(reply.parse()), "message id");
        assert_eq!(field(MessageCursor { created_at: 0, id: "zz".into() }.parse()), "message id");
    }

    #[test]
    fn well_formed_input_records_become_the_cores() {
        let group = core::GroupId::from_bytes([7; 16]);
        let cadence = core::Cadence::new(3, core::CadencePeriod::Week);
        let goal = NewGoal { title: "Walk".into(), cadence: cadence.clone(), share_with: Some(group.to_hex()) }
            .parse()
            .unwrap();
        assert_eq!((goal.title.as_str(), goal.cadence, goal.share_with), ("Walk", cadence, Some(group)));
        let message = core::MessageId::from_bytes([9; 16]);
        let reply =
            NewMessage { text: "Hi".into(), reply_to: Some(message.to_hex()), content_warning: Some("cw".into()) };
        let reply = reply.parse().unwrap();
        assert_eq!((reply.reply_to, reply.content_warning.as_deref()), (Some(message), Some("cw")));
        let cursor = MessageCursor { created_at: 5, id: message.to_hex() }.parse().unwrap();
        assert_eq!(cursor, core::MessageCursor { created_at: 5, id: message });
    }
}

/// What a moderator does to a message or a member, for `KindredGroup.moderate` (ids as text, parsed inside the call).
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ModerationAction {
    /// Hide a message from the group (its author and the moderators still see it), with a reason its author reads.
    Hide { message_id: String, why: String },
    /// Show a hidden message again.
    Restore { message_id: String, why: String },
    /// Erase a message's words from every phone running Kindred (the log keeps who, when and why, never the words).
    Erase { message_id: String, why: String },
    /// Remove a member (the rights of removing members), recorded with the reason.
    Remove { member_id: String, why: String },
    /// Take a removed member back as a plain member.
    Readd { member_id: String, why: String },
    /// Suspend a member's posting until lifted or, with `days`, until a moderator's phone sees the period pass.
    Suspend { member_id: String, days: Option<u32>, why: String },
    /// Lift a member's suspension.
    Lift { member_id: String, why: String },
    /// Approve a message waiting for approval (premoderation).
    Approve { message_id: String },
    /// Warn a member: the words are sealed to them alone (at most 120 characters); the log keeps who warned whom.
    Warn { member_id: String, words: String },
    /// Set whose posts wait for a moderator's approval.
    Premoderate { premoderation: core::Premoderation },
    /// Set how many distinct members' reports of one message hide it pending review (1-50).
    ReportThreshold { members: u32 },
    /// Set the causal rate limit: at most `posts` posts by a plain member between two messages by others (1-100;
    /// 0 turns it off).
    RateLimit { posts: u32 },
}

/// What a moderator does with reports on their own phone (nothing is signed or sent).
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ReportHandling {
    /// Dismiss a report (found false, or dealt with): it counts against its reporter.
    Dismiss { report_id: String },
    /// Mute a member's reports (or count them again): they stay listed and count for nothing.
    MuteReporter { member_id: String, muted: bool },
}
