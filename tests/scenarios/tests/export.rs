//! Export of one's own data (`Kindred::export_mine`): every kind of the person's own records reaches the JSON file
//! and the CSV files, read back with their commas, quotes and line breaks intact, and nothing another member wrote.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use kindred_core::{
    Cadence, CadencePeriod, ChoiceKind, Error, ErrorKind, MemberControl, NewCheckin, NewGoal, NewMessage,
    SafetyPlanStep,
};
use kindred_scenarios::net::sync_all;
use kindred_scenarios::{Phone, group_with};

/// Alice's words: each must be found in her export, exactly as written.
const TRICKY: &str = "MINE-msg, with \"quotes\"\nand a second line";

/// Parses RFC 4180 CSV (CRLF line ends, quoted fields with doubled quotes) into rows of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(field.is_empty(), "a quote inside an unquoted field");
                quoted = true;
            }
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR without LF"),
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        }
    }
    assert!(!quoted && row.is_empty() && field.is_empty(), "the file ends with a complete record");
    rows
}

#[test]
fn an_export_holds_every_kind_of_ones_own_records_and_nothing_of_anyone_elses() {
    let alice = Phone::new("MINE-alice");
    let bob = Phone::new("OTHER-bob");
    let group = group_with(&alice, "MINE-group, \"circle\"", &[&bob]).id;
    let k = &alice.kindred;

    // Bob's writing: none of it may appear in Alice's export.
    let bobs = bob.kindred.post(&group, NewMessage { text: "OTHER-message".into(), ..Default::default() }).unwrap().id;
    let bob_goal = bob
        .kindred
        .create_goal(NewGoal {
            title: "OTHER-goal".into(),
            cadence: Cadence::new(1, CadencePeriod::Day),
            share_with: Some(group),
        })
        .unwrap();
    bob.kindred.log_progress(&bob_goal.id, 1, Some("OTHER-progress"), None).unwrap();
    bob.kindred.create_group_goal(&group, "OTHER-group-goal").unwrap();
    sync_all(&[&alice, &bob]);
    bob.kindred.react(&group, &bobs, Some("🦊")).unwrap();

    // Alice's: every kind.
    let post = |text: &str, cw: Option<&str>| {
        k.post(&group, NewMessage { text: text.into(), content_warning: cw.map(Into::into), ..Default::default() })
            .unwrap()
            .id
    };
    post(TRICKY, Some("MINE-warning"));
    let edited = post("GONE-before-edit", None);
    k.edit_message(&group, &edited, "MINE-after-edit").unwrap();
    let erased = post("GONE-erased", None);
    k.erase_message(&group, &erased).unwrap();
    k.react(&group, &bobs, Some("🤝")).unwrap();
    let goal = k
        .create_goal(NewGoal {
            title: "MINE-goal, \"walk\"".into(),
            cadence: Cadence::new(3, CadencePeriod::Week),
            share_with: None,
        })
        .unwrap();
    k.log_progress(&goal.id, 2, Some("MINE-progress\nnote"), None).unwrap();
    k.skip_goal_day(&goal.id, None).unwrap();
    k.create_goal(NewGoal {
        title: "MINE-shared-goal".into(),
        cadence: Cadence::on_weekdays(1, &[1, 3]),
        share_with: Some(group),
    })
    .unwrap();
    k.create_group_goal(&group, "MINE-group-goal").unwrap();
    k.cheer_goal(&bob_goal.id).unwrap();
    k.record_checkin(NewCheckin {
        mood: 3,
        energy: Some(2),
        sleep_hours: Some(6.5),
        tags: vec!["MINE-tag".into()],
        note: Some("MINE-checkin, \"note\"\nline two".into()),
        emotions: vec!["MINE-emotion".into()],
        activities: vec!["MINE-activity".into()],
        medication_taken: Some(true),
        at: None,
    })
    .unwrap();
    k.set_checkin_choices(ChoiceKind::Emotion, &["MINE-choice".into()]).unwrap();
    k.take_instrument("phq9", &[1, 1, 0, 1, 2, 0, 1, 0, 0], None).unwrap();
    k.add_safety_plan_item(SafetyPlanStep::People, "MINE-plan, my sister", Some("MINE-contact 555")).unwrap();
    k.add_safety_plan_item(SafetyPlanStep::Reasons, "MINE-reason", None).unwrap();
    k.hide_message(&group, &bobs, "MINE-why").unwrap();
    k.mute_word("mine-muted-word", true).unwrap();
    k.set_member_control(&bob.id(), MemberControl::Muted).unwrap();
    k.set_fold_warnings(false).unwrap();

    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("export");
    let summary = k.export_mine(&dir).unwrap();

    // The JSON file: format, who, and every kind.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kindred-export.json")).unwrap()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["member_id"], alice.id().to_hex());
    assert_eq!(json["display_name"], "MINE-alice");
    let messages = json["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "the erased one is left out: {messages:?}");
    assert_eq!(messages[0]["text"], TRICKY);
    assert_eq!(messages[0]["content_warning"], "MINE-warning");
    assert_eq!(messages[0]["group_name"], "MINE-group, \"circle\"");
    assert_eq!(messages[1]["text"], "MINE-after-edit");
    assert_eq!(messages[1]["edited"], true);
    assert!(messages[1]["edited_at_ms"].is_i64() && messages[1]["edited_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(json["reactions"][0]["emoji"], "🤝");
    assert_eq!(json["reactions"].as_array().unwrap().len(), 1, "Bob's reaction is his");
    assert_eq!(json["checkins"][0]["sleep_hours"], 6.5);
    assert_eq!(json["checkins"][0]["emotions"][0], "MINE-emotion");
    assert_eq!(json["instrument_results"][0]["instrument"], "phq9");
    assert_eq!(json["instrument_results"][0]["answers"][4], 2);
    assert_eq!(json["goals"].as_array().unwrap().len(), 2);
    assert_eq!(json["goal_progress"][0]["amount"], 2);
    assert_eq!(json["cheers_given"][0]["goal_id"], bob_goal.id.to_hex());
    assert_eq!(json["group_goals"].as_array().unwrap().len(), 1);
    assert_eq!(json["settings"][0]["fold_content_warnings"], false);
    assert_eq!(json["goal_skipped_days"].as_array().unwrap().len(), 1);
    assert_eq!(json["goals"][1]["weekdays"], serde_json::json!(["1", "3"]));
    assert_eq!(json["muted_members"][0]["member_id"], bob.id().to_hex());
    let json_text = json.to_string();

    // Each CSV file: a header, every record as many fields as it, read back whole.
    let mut csv_fields = Vec::new();
    let mut counts = BTreeMap::new();
    for file in summary.files.iter().filter(|f| f.ends_with(".csv")) {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let rows = parse_csv(&text);
        let (header, records) = rows.split_first().unwrap();
        assert!(records.iter().all(|r| r.len() == header.len()), "{file}: {rows:?}");
        let kind = file.trim_end_matches(".csv");
        assert_eq!(json[kind].as_array().map(Vec::len), Some(records.len()), "{kind}: the same in JSON and CSV");
        counts.insert(kind.to_owned(), records.len());
        // A time column comes with its milliseconds.
        for (i, column) in header.iter().enumerate().filter(|(_, c)| c.ends_with("_at") || *c == "at") {
            assert_eq!(header[i + 1], format!("{column}_ms"), "{file}");
        }
        csv_fields.extend(records.iter().flatten().cloned());
    }
    for c in &summary.counts {
        assert_eq!(counts.get(&c.kind), Some(&(c.count as usize)), "{}", c.kind);
    }
    for exact in [TRICKY, "MINE-goal, \"walk\"", "MINE-progress\nnote", "MINE-checkin, \"note\"\nline two"] {
        assert!(csv_fields.iter().any(|f| f == exact), "{exact:?} read back whole from the CSV files");
    }
    let markers = [
        "MINE-warning",
        "MINE-after-edit",
        "MINE-group, \\\"circle\\\"",
        "MINE-shared-goal",
        "MINE-group-goal",
        "MINE-tag",
        "MINE-emotion",
        "MINE-activity",
        "MINE-choice",
        "MINE-plan, my sister",
        "MINE-contact 555",
        "MINE-reason",
        "MINE-why",
        "mine-muted-word",
        "🤝",
    ];
    for marker in markers {
        assert!(json_text.contains(marker), "{marker} in the JSON file");
        let unescaped = marker.replace("\\\"", "\"");
        assert!(csv_fields.iter().any(|f| f.contains(&unescaped)), "{marker} in a CSV file");
    }

    // Nothing of Bob's words, nor the words Alice erased or replaced, in any file.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        for foreign in ["OTHER-", "GONE-", "🦊"] {
            assert!(!text.contains(foreign), "{foreign} found in the export");
        }
    }
    let mut written: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    written.sort();
    let mut listed: Vec<_> = summary.files.iter().map(std::ffi::OsString::from).collect();
    listed.sort();
    assert_eq!(written, listed, "no temporary file left behind");
    for kind in ["messages", "checkins", "goals", "goal_progress", "instrument_results", "safety_plan", "reactions"] {
        assert!(summary.files.contains(&format!("{kind}.csv")), "{kind}");
    }

    // A folder that holds files is refused, and nothing in it changes.
    let before = std::fs::read(dir.join("messages.csv")).unwrap();
    assert!(matches!(k.export_mine(&dir).as_ref().map_err(Error::kind), Err(ErrorKind::InvalidInput { .. })));
    assert_eq!(std::fs::read(dir.join("messages.csv")).unwrap(), before);
}
