//! Personal controls, on this phone only: mute or block a member, mute words, fold posts with a content warning. They
//! change what this profile's timelines show and count, never a document: nothing of them is synced, bundled or told
//! to anyone, so the member muted or blocked does not learn of it.

use crate::error::{Error, Result};
use crate::ids::MemberId;
use crate::kindred::Kindred;
use crate::model::{MemberControl, MutedMember};
use crate::storage::personal as store;
use crate::text;
use crate::time::now_ms;

/// Longest muted word or phrase, in characters.
pub const MAX_MUTED_WORD_CHARS: usize = 64;
/// Most muted words a profile keeps.
pub const MAX_MUTED_WORDS: usize = 200;

impl Kindred {
    /// Mutes, blocks or shows again (`MemberControl::None`) a member's posts on this phone. A muted member's posts
    /// are left out of timelines and unread counts; a blocked member's reactions are not counted either. Fails with
    /// `InvalidInput` for this profile's own key.
    pub fn set_member_control(&self, member: &MemberId, control: MemberControl) -> Result<()> {
        self.write(|ctx| {
            if *member == ctx.me() {
                return Err(Error::invalid("member", "is this profile"));
            }
            store::set_control(ctx.tx, member, control, now_ms())?;
            shown_differently(ctx)
        })
    }

    /// What this phone does with a member's posts.
    pub fn member_control(&self, member: &MemberId) -> Result<MemberControl> {
        self.read(|tx, _| store::control_of(tx, member))
    }

    /// Every member this profile muted or blocked, newest first.
    pub fn muted_members(&self) -> Result<Vec<MutedMember>> {
        self.read(|tx, _| store::muted_members(tx))
    }

    /// Mutes (or, with `muted` false, unmutes) a word or short phrase: posts holding it as a whole word, in any case,
    /// are shown folded. Returns the muted words. Fails with `InvalidInput` for a blank or overlong word, or past
    /// [`MAX_MUTED_WORDS`].
    pub fn mute_word(&self, word: &str, muted: bool) -> Result<Vec<String>> {
        let word = text::single_line("word", word, MAX_MUTED_WORD_CHARS)?.to_lowercase();
        self.write(|ctx| {
            let words = store::muted_words(ctx.tx)?;
            if muted && !words.contains(&word) && words.len() >= MAX_MUTED_WORDS {
                return Err(Error::invalid("word", format!("{MAX_MUTED_WORDS} words are muted already, the limit")));
            }
            store::set_word(ctx.tx, &word, muted, now_ms())?;
            shown_differently(ctx)?;
            store::muted_words(ctx.tx)
        })
    }

    /// The muted words, in order.
    pub fn muted_words(&self) -> Result<Vec<String>> {
        self.read(|tx, _| store::muted_words(tx))
    }

    /// Whether posts with a content warning are shown folded, behind a tap (the default), or open.
    pub fn set_fold_warnings(&self, fold: bool) -> Result<()> {
        self.write(|ctx| {
            store::set_fold_warnings(ctx.tx, fold)?;
            shown_differently(ctx)
        })
    }

    /// Whether posts with a content warning are shown folded.
    pub fn fold_warnings(&self) -> Result<bool> {
        self.read(|tx, _| store::fold_warnings(tx))
    }
}

/// Tells the listeners that every group may show differently now (its timeline and unread count), so screens refresh.
fn shown_differently(ctx: &mut crate::kindred::WriteCtx<'_, '_>) -> Result<()> {
    for (group_id, _) in crate::storage::groups::all_groups(ctx.tx)? {
        ctx.updates.push(crate::model::Update::Group { group_id });
    }
    Ok(())
}
