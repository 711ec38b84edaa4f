use super::*;
use crate::model::NewCheckin;

fn profile() -> (tempfile::TempDir, Kindred) {
    let dir = tempfile::tempdir().unwrap();
    let kindred = Kindred::create(dir.path(), "Ada <b>").unwrap();
    (dir, kindred)
}

/// Parses the CSV as RFC 4180 says: quoted cells may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[test]
fn the_csv_parses_and_holds_only_what_was_ticked() {
    let (_dir, me) = profile();
    me.record_checkin(NewCheckin {
        mood: 2,
        activities: vec!["walk, then tea".into()],
        note: Some("private \"words\"\nsecond line".into()),
        medication_taken: Some(true),
        ..Default::default()
    })
    .unwrap();
    me.record_checkin(NewCheckin { mood: 4, tags: vec!["=HYPERLINK(\"x\")".into()], ..Default::default() }).unwrap();
    me.take_instrument("phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 3], None).unwrap();
    me.take_instrument("gad7", &[2, 2, 2, 2, 1, 1, 0], None).unwrap();

    let summary = me.clinician_summary(&SummaryParts { days: 7, ..SummaryParts::default() }).unwrap();
    let rows = parse_csv(&summary.csv);
    let header = &rows[0];
    assert_eq!(header.len(), 17);
    assert!(rows.iter().all(|r| r.len() == header.len()), "every row has every column");
    assert_eq!(rows.len(), 5, "a header, two check-ins, two results");
    let checkin = rows.iter().find(|r| r[2] == "checkin" && r[3] == "2").unwrap();
    assert_eq!((checkin[6].as_str(), checkin[8].as_str()), ("yes", "walk, then tea"));
    assert_eq!(checkin[10], "", "notes only when ticked");
    let tagged = rows.iter().find(|r| r[3] == "4").unwrap();
    assert_eq!(tagged[9], "'=HYPERLINK(\"x\")", "a formula is defused");
    let phq9 = rows.iter().find(|r| r[11] == "PHQ-9").unwrap();
    assert_eq!((phq9[12].as_str(), phq9[15].as_str()), ("11", "Moderate"));
    assert!(!phq9[16].contains("self-harm"), "no crisis flag leaves the phone: {:?}", phq9[16]);
    assert!(!summary.csv.contains("self-harm") && !summary.html.to_lowercase().contains("self-harm"));
    let gad7 = rows.iter().find(|r| r[11] == "GAD-7").unwrap();
    assert_eq!(gad7[16], "Further evaluation recommended", "other flags go with the score");

    let with_notes = me.clinician_summary(&SummaryParts { days: 7, notes: true, ..SummaryParts::default() }).unwrap();
    let rows = parse_csv(&with_notes.csv);
    assert!(rows.iter().any(|r| r[10] == "private \"words\"\nsecond line"), "a note survives quoting whole");
    assert!(with_notes.html.contains("private &quot;words&quot;"));

    let only_scores = me
        .clinician_summary(&SummaryParts { days: 7, checkins: false, instruments: true, ..SummaryParts::default() })
        .unwrap();
    assert_eq!(parse_csv(&only_scores.csv).len(), 3);
    assert!(!only_scores.html.contains("Check-ins</h2>"));
    assert!(me.clinician_summary(&SummaryParts { days: 0, ..SummaryParts::default() }).is_err());
}

#[test]
fn the_page_is_self_contained_escaped_and_has_a_chart_and_the_bands() {
    let (_dir, me) = profile();
    let day = 86_400_000;
    for i in 0..10 {
        me.record_checkin(NewCheckin {
            mood: (i % 5 + 1) as u8,
            note: Some("<script>alert(1)</script>".into()),
            at: Some(crate::time::now_ms() - i64::from(i) * day),
            ..Default::default()
        })
        .unwrap();
    }
    me.take_instrument("who5", &[3, 3, 3, 3, 3], None).unwrap();
    let page = me.clinician_summary(&SummaryParts { days: 30, notes: true, ..SummaryParts::default() }).unwrap().html;
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(page.contains("<svg") && page.contains("<polyline"), "the mood line");
    assert!(page.contains("<circle"), "the instrument results");
    assert!(!page.contains("<script"), "nothing runs: {page}");
    assert!(page.contains("&lt;script&gt;"), "the note is escaped, not dropped");
    assert!(page.contains("Ada &lt;b&gt;"), "the name is escaped");
    assert!(!page.contains("http://") || page.matches("http://").count() == 1, "only the SVG namespace");
    assert!(!page.contains("https://") && !page.contains("src="), "no network");
    let phq9_bands = me.clinician_summary(&SummaryParts::default()).unwrap().html;
    assert!(phq9_bands.contains("WHO-5"));
    me.take_instrument("phq9", &[0; 9], None).unwrap();
    let with_bands = me.clinician_summary(&SummaryParts::default()).unwrap().html;
    assert!(with_bands.contains("0-4 Minimal, 5-9 Mild"), "the instrument's bands");
}
