//! SQL for personal controls: muted and blocked members, muted words, folded content warnings. On this phone only.

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::MemberId;
use crate::model::{MemberControl, MutedMember};

/// What this profile does with `member`'s posts.
pub(crate) fn control_of(conn: &Connection, member: &MemberId) -> Result<MemberControl> {
    let blocked: Option<bool> =
        conn.prepare_cached(sql(q::PERSONAL_CONTROL_OF))?.query_row([member], |r| r.get(0)).optional()?;
    Ok(match blocked {
        None => MemberControl::None,
        Some(false) => MemberControl::Muted,
        Some(true) => MemberControl::Blocked,
    })
}

/// Sets what this profile does with `member`'s posts.
pub(crate) fn set_control(conn: &Connection, member: &MemberId, control: MemberControl, at: i64) -> Result<()> {
    match control {
        MemberControl::None => {
            conn.prepare_cached(sql(q::PERSONAL_SET_CONTROL_DELETE_MUTED_MEMBERS))?.execute([member])?;
        }
        MemberControl::Muted | MemberControl::Blocked => {
            conn.prepare_cached(sql(q::PERSONAL_SET_CONTROL_INSERT_MUTED_MEMBERS))?.execute(params![
                member,
                control == MemberControl::Blocked,
                at
            ])?;
        }
    }
    Ok(())
}

/// Every muted or blocked member, newest first.
pub(crate) fn muted_members(conn: &Connection) -> Result<Vec<MutedMember>> {
    let mut stmt = conn.prepare_cached(sql(q::PERSONAL_MUTED_MEMBERS))?;
    let rows = stmt.query_map([], |r| {
        let blocked: bool = r.get(1)?;
        Ok(MutedMember {
            member: r.get(0)?,
            control: if blocked { MemberControl::Blocked } else { MemberControl::Muted },
            at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The muted words, in order.
pub(crate) fn muted_words(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql(q::PERSONAL_MUTED_WORDS))?;
    Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Mutes (or, with `muted` false, unmutes) a word, kept lowercased.
pub(crate) fn set_word(conn: &Connection, word: &str, muted: bool, at: i64) -> Result<()> {
    if muted {
        conn.prepare_cached(sql(q::PERSONAL_SET_WORD_INSERT_MUTED_WORDS))?.execute(params![word, at])?;
    } else {
        conn.prepare_cached(sql(q::PERSONAL_SET_WORD_DELETE_MUTED_WORDS))?.execute([word])?;
    }
    Ok(())
}

/// Whether posts with a content warning are shown folded.
pub(crate) fn fold_warnings(conn: &Connection) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::PERSONAL_FOLD_WARNINGS))?.query_row([], |r| r.get(0))?)
}

/// Sets whether posts with a content warning are shown folded.
pub(crate) fn set_fold_warnings(conn: &Connection, fold: bool) -> Result<()> {
    conn.prepare_cached(sql(q::PERSONAL_SET_FOLD_WARNINGS))?.execute([fold])?;
    Ok(())
}

/// Whether `text` holds any of `words` (lowercased), as [`holds_word`] says. Lowercases the text once.
pub(crate) fn holds_any(text: &str, words: &[String]) -> bool {
    if words.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    words.iter().any(|w| holds_word(&text, w))
}

/// Whether `text` (lowercased) holds `word` (lowercased) as a whole word or phrase: not inside a longer word.
pub(crate) fn holds_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find(word)) {
        let start = from + found;
        let end = start + word.len();
        let before = text.get(..start).and_then(|t| t.chars().next_back());
        let after = text.get(end..).and_then(|t| t.chars().next());
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + word.chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{holds_any, holds_word};

    #[test]
    fn a_muted_word_matches_whole_words_in_any_case() {
        assert!(holds_any("That SPOILER was awful", &["spoiler".to_owned()]));
        assert!(!holds_any("That SPOILER was awful", &[]));
        assert!(holds_word("spoiler!", "spoiler"));
        assert!(holds_word("the last episode, ok?", "last episode"));
        assert!(!holds_word("spoilers everywhere", "spoiler"), "inside a longer word");
        assert!(!holds_word("unspoiler", "spoiler"));
        assert!(holds_word("spoilers and a spoiler", "spoiler"), "a later whole occurrence");
        assert!(holds_word("café crème", "crème"));
        assert!(!holds_word("anything", ""));
    }
}
