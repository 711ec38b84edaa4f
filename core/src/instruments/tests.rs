use super::*;
use crate::ErrorKind;
use crate::model::SafetyPlanStep;

fn instrument(id: &str) -> &'static Instrument {
    shipped().iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{id} is shipped"))
}

/// Answers to `id` whose total is `total`, spread from the first item on (each item as high as it goes).
fn answers_totalling(i: &Instrument, total: u32) -> Vec<u8> {
    let low = i.options.iter().map(|o| o.value).min().unwrap();
    let high = i.options.iter().map(|o| o.value).max().unwrap();
    let mut left = total - i.min_score;
    i.items
        .iter()
        .map(|_| {
            let extra = left.min(u32::from(high - low));
            left -= extra;
            low + extra as u8
        })
        .collect()
}

#[test]
fn every_shipped_definition_parses() {
    let ids: Vec<&str> = shipped().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["who5", "phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "k10", "k6"]);
    for (id, items, min, max) in [
        ("who5", 5, 0, 25),
        ("phq9", 9, 0, 27),
        ("phq8", 8, 0, 24),
        ("phq2", 2, 0, 6),
        ("gad7", 7, 0, 21),
        ("gad2", 2, 0, 6),
        ("phq4", 4, 0, 12),
        ("k10", 10, 10, 50),
        ("k6", 6, 0, 24),
    ] {
        let i = instrument(id);
        assert_eq!((i.items.len(), i.min_score, i.max_score), (items, min, max), "{id}");
    }
    assert_eq!(instrument("phq9").private_items(), [9]);
    assert!(shipped().iter().filter(|i| i.id != "phq9").all(|i| i.private_items().is_empty()));
}

/// An instrument's bands as (lowest, highest, label).
type Bands = &'static [(u32, u32, &'static str)];

#[test]
fn every_band_edge_of_every_instrument() {
    let cases: &[(&str, Bands)] = &[
        (
            "phq9",
            &[
                (0, 4, "Minimal"),
                (5, 9, "Mild"),
                (10, 14, "Moderate"),
                (15, 19, "Moderately severe"),
                (20, 27, "Severe"),
            ],
        ),
        (
            "phq8",
            &[
                (0, 4, "Minimal"),
                (5, 9, "Mild"),
                (10, 14, "Moderate"),
                (15, 19, "Moderately severe"),
                (20, 24, "Severe"),
            ],
        ),
        ("gad7", &[(0, 4, "Minimal"), (5, 9, "Mild"), (10, 14, "Moderate"), (15, 21, "Severe")]),
        ("phq4", &[(0, 2, "Normal"), (3, 5, "Mild"), (6, 8, "Moderate"), (9, 12, "Severe")]),
        ("k10", &[(10, 15, "Low"), (16, 21, "Moderate"), (22, 29, "High"), (30, 50, "Very high")]),
    ];
    for (id, bands) in cases {
        let i = instrument(id);
        for (min, max, label) in *bands {
            for total in [*min, *max] {
                let score = i.score(&answers_totalling(i, total)).unwrap();
                assert_eq!(score.score, total, "{id}");
                assert_eq!(score.band.as_deref(), Some(*label), "{id} at {total}");
            }
        }
    }
    for id in ["who5", "phq2", "gad2", "k6"] {
        assert!(instrument(id).bands.is_empty(), "{id} has no bands");
        assert_eq!(instrument(id).score(&answers_totalling(instrument(id), 0)).unwrap().band, None);
    }
}

#[test]
fn thresholds_and_flags_as_published() {
    let flags = |id: &str, answers: &[u8]| instrument(id).score(answers).unwrap().flags;
    // PHQ-9 and PHQ-8: 10 or more flags further evaluation.
    for id in ["phq9", "phq8", "gad7"] {
        let i = instrument(id);
        assert!(i.score(&answers_totalling(i, 9)).unwrap().flags.is_empty(), "{id} at 9");
        assert_eq!(i.score(&answers_totalling(i, 10)).unwrap().flags, ["Further evaluation recommended"], "{id}");
    }
    // PHQ-2 and GAD-2: positive at 3 or more.
    for id in ["phq2", "gad2"] {
        assert!(flags(id, &[1, 1]).is_empty());
        assert_eq!(flags(id, &[2, 1]), ["Positive screen"]);
    }
    // PHQ-4: each part on its own (anxiety items 1-2, depression items 3-4).
    assert!(flags("phq4", &[1, 1, 1, 1]).is_empty());
    assert_eq!(flags("phq4", &[2, 1, 1, 1]), ["Anxiety screen positive"]);
    assert_eq!(flags("phq4", &[0, 0, 3, 0]), ["Depression screen positive"]);
    assert_eq!(flags("phq4", &[3, 3, 3, 3]), ["Anxiety screen positive", "Depression screen positive"]);
    // K6: 13 or more is serious psychological distress.
    let k6 = instrument("k6");
    assert!(k6.score(&answers_totalling(k6, 12)).unwrap().flags.is_empty());
    assert_eq!(k6.score(&answers_totalling(k6, 13)).unwrap().flags, ["Serious psychological distress"]);
    // K10 items score 1-5: a 0 is not an answer.
    assert!(instrument("k10").score(&[0; 10]).is_err());
}

#[test]
fn who5_percentage_and_poor_wellbeing() {
    let who5 = instrument("who5");
    let score = who5.score(&[3, 3, 3, 2, 2]).unwrap();
    assert_eq!((score.score, score.percentage), (13, Some(52)));
    assert!(score.flags.is_empty(), "13 with no item below 2 is not poor wellbeing");
    assert_eq!(who5.score(&[3, 3, 3, 2, 1]).unwrap().flags, ["Poor wellbeing"], "raw 12");
    assert_eq!(who5.score(&[5, 5, 5, 5, 1]).unwrap().flags, ["Poor wellbeing"], "an item at 1");
    assert_eq!(who5.score(&[5, 5, 5, 5, 0]).unwrap().flags, ["Poor wellbeing"], "an item at 0, said once");
    assert_eq!(who5.score(&[5; 5]).unwrap().percentage, Some(100));
    assert_eq!((who5.meaningful_change, who5.change_in_percentage, who5.higher_is_better), (Some(10), true, true));
}

#[test]
fn phq9_item_9_above_zero_is_a_crisis_flag() {
    let phq9 = instrument("phq9");
    let calm = phq9.score(&[0; 9]).unwrap();
    assert!(!calm.crisis && calm.flags.is_empty());
    let worried = phq9.score(&[0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
    assert!(worried.crisis);
    assert_eq!(worried.flags, ["Thoughts of self-harm"]);
    assert_eq!(worried.band.as_deref(), Some("Minimal"), "the band is the total's; the flag is separate");
}

#[test]
fn incomplete_or_unknown_answers_are_refused_never_guessed() {
    let phq9 = instrument("phq9");
    for (answers, expected) in [
        (&[1u8; 8][..], "8 of 9 given"),
        (&[1u8; 10][..], "10 of 9 given"),
        (&[1, 1, 1, 1, 4, 1, 1, 1, 1][..], "item 5 has 4"),
    ] {
        match phq9.score(answers).as_ref().map_err(Error::kind) {
            Err(ErrorKind::InvalidInput { field, reason }) => {
                assert_eq!(*field, "answers");
                assert!(reason.contains(expected), "{reason}");
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
}

#[test]
fn definitions_are_checked_line_by_line() {
    let base = "id: x\ntitle: X\nlanguage: en\nrecall: lately\noption: 0 no\noption: 1 yes\nitem: a\nitem: b\n";
    assert!(Instrument::parse(base).is_ok());
    for (extra, expected) in [
        ("band: 0-1 low\n", "the bands end at 1"),
        ("band: 0-1 low\nband: 3-2 high\n", "gap or overlaps"),
        ("flag: item 3 >= 1: x\n", "items 3-3"),
        ("flag: total = 1: x\n", "line 9"),
        ("colour: blue\n", "unknown key"),
        ("change: 5%\n", "percentage"),
        ("option: 11 too high\n", "0 to 10"),
    ] {
        let err = Instrument::parse(&format!("{base}{extra}")).unwrap_err();
        assert!(err.to_string().contains(expected), "{extra:?}: {err}");
    }
    assert!(Instrument::parse("title: X\n").is_err(), "no id");
    assert!(Instrument::parse(&"# x\n".repeat(5000)).is_err(), "too long");
}

fn profile() -> (tempfile::TempDir, Kindred) {
    let dir = tempfile::tempdir().unwrap();
    let kindred = Kindred::create(dir.path(), "Ada").unwrap();
    (dir, kindred)
}

#[test]
fn results_are_kept_listed_and_deleted_and_survive_reopening() {
    let (dir, me) = profile();
    let day = 86_400_000;
    let now = crate::time::now_ms();
    let first = me.take_instrument("phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 0], Some(now - 14 * day)).unwrap();
    assert_eq!(first.result.score.score, 8);
    assert_eq!(first.result.score.band.as_deref(), Some("Mild"));
    assert!(first.safety_plan.is_none() && first.resources.is_empty());
    let second = me.take_instrument("phq9", &[2, 2, 2, 2, 2, 1, 1, 0, 0], None).unwrap();
    me.take_instrument("who5", &[3, 3, 3, 3, 3], None).unwrap();
    drop(me);

    let me = Kindred::open(dir.path()).unwrap();
    let history = me.instrument_history("phq9", 0, i64::MAX).unwrap();
    assert_eq!(history, [first.result.clone(), second.result.clone()]);
    assert_eq!(me.instrument_history("who5", 0, i64::MAX).unwrap()[0].score.percentage, Some(60));
    me.delete_instrument_result(&first.result.id).unwrap();
    assert_eq!(me.instrument_history("phq9", 0, i64::MAX).unwrap(), [second.result]);
    assert!(matches!(
        me.delete_instrument_result(&first.result.id).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(matches!(
        me.take_instrument("phq10", &[0; 10], None).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
    assert!(me.take_instrument("phq9", &[0; 9], Some(now + 7 * day)).is_err(), "a time in the future");
}

#[test]
fn item_9_above_zero_offers_the_plan_and_resources_at_once() {
    let (_dir, me) = profile();
    me.add_safety_plan_item(SafetyPlanStep::People, "Call my sister", Some("0700 000 000")).unwrap();
    me.import_resource_directory(crate::crisis::example_directory_file()).unwrap();
    me.set_region(Some("KE")).unwrap();
    let outcome = me.take_instrument("phq9", &[0, 0, 0, 0, 0, 0, 0, 0, 2], None).unwrap();
    assert!(outcome.result.score.crisis);
    assert_eq!(outcome.safety_plan, Some(me.safety_plan().unwrap()));
    assert!(!outcome.resources.is_empty() && outcome.resources.iter().all(|f| f.example));
    // The answer is kept on this phone with the result.
    assert_eq!(me.instrument_history("phq9", 0, i64::MAX).unwrap()[0].answers[8], 2);
}

#[test]
fn an_app_adds_a_translation_that_scores_alike_or_a_new_instrument() {
    let (_dir, me) = profile();
    let spanish = include_str!("definitions/gad2.txt")
        .replace("language: en", "language: es")
        .replace("Feeling nervous, anxious, or on edge", "Sentirse nervioso, ansioso o con los nervios de punta")
        .replace("Positive screen", "Cribado positivo");
    me.add_instrument(&spanish).unwrap();
    let listed = me.instruments(Some("es-MX"));
    assert_eq!(listed.iter().find(|i| i.id == "gad2").unwrap().language, "es");
    assert_eq!(listed.iter().find(|i| i.id == "gad7").unwrap().language, "en", "no translation: English");
    assert_eq!(me.instruments(None).iter().find(|i| i.id == "gad2").unwrap().language, "en");

    let rescored = include_str!("definitions/gad2.txt")
        .replace("language: en", "language: fr")
        .replace("option: 3 Nearly every day", "option: 3 Nearly every day\noption: 4 Always");
    assert!(me.add_instrument(&rescored).is_err(), "a translation must score as the original");

    let own = "id: sleep3\ntitle: Sleep-3\nlanguage: en\nrecall: This week\noption: 0 No\noption: 1 Yes\n\
               item: Hard to fall asleep\nitem: Woke at night\nitem: Tired on waking\nflag: total >= 2: Poor sleep\n";
    me.add_instrument(own).unwrap();
    let outcome = me.take_instrument("sleep3", &[1, 1, 0], None).unwrap();
    assert_eq!(outcome.result.score.flags, ["Poor sleep"]);
}
