//! Sharing by choice: the person posts a check-in, or an instrument's result, to one group as a message they can
//! read before it goes, made only of what they chose.
//!
//! A check-in is shared as just its face ([`ShareAs::Emoji`]) or as a short summary ([`ShareAs::Summary`]: the face
//! and word of the mood, and the energy, sleep, medication, emotions and activities it holds); its note only when
//! `with_note` says so, and its tags never. An instrument result is shared as its title, score, percentage and band:
//! never its answers, never its flags, and so never PHQ-9 item 9 or the crisis flag. What is shared is an ordinary
//! message in the group (signed, synced, edited or removed like any other); the check-in or result itself stays on
//! this phone, unchanged.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::{CheckinId, GroupId, InstrumentResultId};
use crate::kindred::Kindred;
use crate::model::{Checkin, Message, NewMessage};
use crate::wellbeing::MOOD_SCALE;

/// How much of a check-in to share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum ShareAs {
    /// Just the mood's face.
    Emoji,
    /// The mood's face and word, and the energy, sleep, medication, emotions and activities it holds.
    Summary,
}

fn mood_words(mood: u8) -> (&'static str, &'static str) {
    MOOD_SCALE.iter().find(|(v, _, _)| *v == mood).map_or(("", ""), |(_, emoji, word)| (*emoji, *word))
}

/// The text a check-in is shared as (what [`Kindred::share_checkin`] posts), for the app to show before posting.
pub fn checkin_share_text(checkin: &Checkin, share_as: ShareAs, with_note: bool) -> String {
    let (emoji, word) = mood_words(checkin.mood);
    let mut text = match share_as {
        ShareAs::Emoji => emoji.to_owned(),
        ShareAs::Summary => {
            let mut parts = vec![format!("{emoji} Feeling {word}")];
            if let Some(e) = checkin.energy {
                parts.push(format!("energy {e}/5"));
            }
            if let Some(s) = checkin.sleep_hours {
                parts.push(format!("slept {} h", (s * 10.0).round() / 10.0));
            }
            match checkin.medication_taken {
                Some(true) => parts.push("took my medication".to_owned()),
                Some(false) => parts.push("missed my medication".to_owned()),
                None => {}
            }
            if !checkin.emotions.is_empty() {
                parts.push(checkin.emotions.join(", "));
            }
            if !checkin.activities.is_empty() {
                parts.push(checkin.activities.join(", "));
            }
            parts.join(" · ")
        }
    };
    if with_note && let Some(note) = &checkin.note {
        text.push_str("\n\n");
        text.push_str(note);
    }
    text
}

impl Kindred {
    /// Shares check-in `id` with `group` as a message: just its face, or a short summary, with its note only when
    /// `with_note` (tags never). The message is the person's like any other (they can edit or remove it); the
    /// check-in stays on this phone. Fails with `NotFound` for an unknown check-in or group, and as
    /// [`Kindred::post`] does otherwise.
    pub fn share_checkin(
        &self,
        id: &CheckinId,
        group: &GroupId,
        share_as: ShareAs,
        with_note: bool,
    ) -> Result<Message> {
        let row = self
            .read(|tx, _| crate::storage::checkins::get(tx, id))?
            .ok_or_else(|| Error::not_found("check-in", id))?;
        let text = checkin_share_text(&row.checkin, share_as, with_note);
        self.post(group, NewMessage { text, ..Default::default() })
    }

    /// Shares instrument result `id` with `group` as a message: the instrument's title, the score (and percentage)
    /// and the band. Never its answers or flags, so never PHQ-9 item 9. Fails with `NotFound` for an unknown result
    /// or group.
    pub fn share_instrument_result(&self, id: &InstrumentResultId, group: &GroupId) -> Result<Message> {
        let result = self
            .read(|tx, _| crate::storage::instruments::get(tx, id))?
            .ok_or_else(|| Error::not_found("instrument result", id))?
            .result;
        let s = &result.score;
        let title = self
            .instruments(None)
            .into_iter()
            .find(|i| i.id == s.instrument)
            .map_or_else(|| s.instrument.clone(), |i| i.title);
        let mut text = format!("My {title}: {} of {}", s.score, s.max_score);
        if let Some(p) = s.percentage {
            text.push_str(&format!(" ({p}%)"));
        }
        if let Some(band) = &s.band {
            text.push_str(&format!(", {}", band.to_lowercase()));
        }
        self.post(group, NewMessage { text, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::model::{NewCheckin, NewGroup};

    fn profile() -> (tempfile::TempDir, Kindred, GroupId) {
        let dir = tempfile::tempdir().unwrap();
        let kindred = Kindred::create(dir.path(), "Ada").unwrap();
        let group = kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() }).unwrap().id;
        (dir, kindred, group)
    }

    #[test]
    fn a_checkin_is_shared_as_chosen_and_its_note_only_when_asked() {
        let (_dir, me, group) = profile();
        let checkin = me
            .record_checkin(NewCheckin {
                mood: 4,
                sleep_hours: Some(7.5),
                medication_taken: Some(true),
                activities: vec!["walk".into()],
                tags: vec!["secret-tag".into()],
                note: Some("private words".into()),
                ..Default::default()
            })
            .unwrap();
        let emoji = me.share_checkin(&checkin.id, &group, ShareAs::Emoji, false).unwrap();
        assert_eq!(emoji.text, "🙂");
        let summary = me.share_checkin(&checkin.id, &group, ShareAs::Summary, false).unwrap();
        assert_eq!(summary.text, "🙂 Feeling good · slept 7.5 h · took my medication · walk");
        assert!(!summary.text.contains("private words") && !summary.text.contains("secret-tag"));
        let with_note = me.share_checkin(&checkin.id, &group, ShareAs::Emoji, true).unwrap();
        assert_eq!(with_note.text, "🙂\n\nprivate words");
        assert!(matches!(
            me.share_checkin(&CheckinId::from_bytes([1; 16]), &group, ShareAs::Emoji, false)
                .as_ref()
                .map_err(Error::kind),
            Err(ErrorKind::NotFound { .. })
        ));
    }

    #[test]
    fn an_instrument_result_is_shared_without_its_answers_or_item_9() {
        let (_dir, me, group) = profile();
        let outcome = me.take_instrument("phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 3], None).unwrap();
        assert!(outcome.result.score.crisis);
        let shared = me.share_instrument_result(&outcome.result.id, &group).unwrap();
        assert_eq!(shared.text, "My PHQ-9: 11 of 27, moderate");
        assert!(!shared.text.to_lowercase().contains("self-harm"), "no flag is shared");
        let who5 = me.take_instrument("who5", &[3, 3, 3, 3, 3], None).unwrap();
        assert_eq!(me.share_instrument_result(&who5.result.id, &group).unwrap().text, "My WHO-5: 15 of 25 (60%)");
    }
}
