//! End-to-end tests of the `kindred` binary: each runs the built program on a fresh temporary data directory and
//! checks what a person (text) or a script (`--json`) would see, and that bad input fails cleanly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

use common::Kindred;

/// Posts through `--json` and returns the new message's id.
fn post(k: &Kindred, args: &[&str]) -> String {
    let mut post = vec!["post"];
    post.extend_from_slice(args);
    k.json(&post)["id"].as_str().expect("message id").to_owned()
}

fn id8(id: &str) -> &str {
    &id[..8]
}

/// The position of `needle` in `haystack`, which must contain it.
fn at(haystack: &str, needle: &str) -> usize {
    haystack.find(needle).unwrap_or_else(|| panic!("{needle:?} not found in:\n{haystack}"))
}

#[test]
fn the_issue_end_to_end_flow() {
    let k = Kindred::empty();
    let init = k.ok(&["init", "--name", "Ada", "--unencrypted"]);
    assert!(init.contains("Ada"), "{init}");
    let me = k.json(&["whoami"]);
    assert_eq!(me["display_name"], "Ada");
    assert_eq!(me["member_id"].as_str().map(str::len), Some(64));

    let group = k.json(&[
        "group",
        "create",
        "Tuesday circle",
        "--description",
        "We meet on Tuesdays",
        "--guidelines",
        "Be kind.",
    ]);
    assert_eq!(group["name"], "Tuesday circle");
    assert_eq!(group["members"][0]["role"], "owner");
    let list = k.ok(&["group", "list"]);
    let row = list.lines().find(|l| l.starts_with("Tuesday circle")).unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["Tuesday", "circle", "1", "0", id8(group["id"].as_str().expect("id"))]
    );

    // Three messages: a plain one, a reply to it, and one behind a content warning.
    let hello = post(&k, &["Tuesday circle", "Hello, everyone"]);
    let reply = post(&k, &["Tuesday circle", "Welcome!", "--reply-to", &hello[..6]]);
    let heavy = post(&k, &["Tuesday circle", "My dog died last week.", "--cw", "grief"]);

    let reacted = k.json(&["react", "Tuesday circle", id8(&hello), "❤️"]);
    assert_eq!(reacted["reactions"][0]["emoji"], "❤️");
    assert_eq!(reacted["reactions"][0]["count"], 1);
    let edited = k.json(&["edit", "Tuesday circle", id8(&reply), "Welcome, Ada!"]);
    assert_eq!(edited["text"], "Welcome, Ada!");

    // Oldest first, with the markers a person needs.
    let text = k.ok(&["read", "Tuesday circle"]);
    assert!(at(&text, "Hello, everyone") < at(&text, "Welcome, Ada!"), "{text}");
    assert!(at(&text, "Welcome, Ada!") < at(&text, "My dog died"), "{text}");
    let reply_header = text.lines().find(|l| l.contains(id8(&reply))).expect("reply header");
    assert!(reply_header.contains(&format!("↪ reply to {}", id8(&hello))), "{reply_header}");
    assert!(reply_header.contains("(edited)"), "{reply_header}");
    assert!(reply_header.contains("Ada"), "{reply_header}");
    // The warning comes first, on the header line; the text follows on its own indented line.
    let heavy_header = text.lines().find(|l| l.contains(id8(&heavy))).expect("cw header");
    assert!(heavy_header.contains("[CW: grief]") && !heavy_header.contains("My dog"), "{heavy_header}");
    assert!(text.contains("\n    My dog died last week.\n"), "{text}");
    assert!(text.contains("❤️ 1"), "{text}");

    k.json(&["remove", "Tuesday circle", id8(&reply)]);
    let text = k.ok(&["read", "Tuesday circle"]);
    assert!(text.contains("[removed by its author]") && !text.contains("Welcome, Ada!"), "{text}");

    let messages = k.json(&["read", "Tuesday circle"]);
    let messages = messages.as_array().expect("an array of messages");
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["id"], hello.as_str());
    assert_eq!(messages[0]["text"], "Hello, everyone");
    assert_eq!(messages[0]["reactions"][0]["count"], 1);
    assert_eq!(messages[0]["reactions"][0]["mine"], true);
    assert_eq!(messages[1]["id"], reply.as_str());
    assert_eq!(messages[1]["removed"], true);
    assert_eq!(messages[1]["text"], "");
    assert_eq!(messages[1]["reply_to"], hello.as_str());
    assert_eq!(messages[2]["content_warning"], "grief");
    assert_eq!(messages[2]["text"], "My dog died last week.");
    assert_eq!(messages[2]["author_name"], "Ada");

    // A goal, shared with the group, and some progress on it.
    let goal = k.json(&["goal", "add", "Walk outside", "--times", "3", "--per", "week", "--group", "Tuesday circle"]);
    assert_eq!(goal["cadence"]["times"], 3);
    assert_eq!(goal["cadence"]["period"], "week");
    assert_eq!(goal["group_id"], group["id"]);
    let logged = k.json(&["goal", "log", "Walk outside", "--note", "around the park"]);
    assert_eq!(logged["entry"]["amount"], 1);
    assert_eq!(logged["goal"]["done_this_period"], 1);
    let goals = k.ok(&["goal", "list"]);
    assert!(
        goals.contains("Walk outside") && goals.contains("1/3 this week") && goals.contains("Tuesday circle"),
        "{goals}"
    );

    // Check-ins and their averages.
    let first =
        k.json(&["checkin", "--mood", "4", "--energy", "3", "--sleep", "7.5", "--tag", "calm", "--note", "Good day"]);
    assert_eq!(first["mood"], 4);
    assert_eq!(first["tags"][0], "calm");
    k.ok(&["checkin", "--mood", "2"]);
    let listed = k.ok(&["checkins"]);
    assert!(at(&listed, "Good day") < at(&listed, "Daily averages"), "{listed}");
    assert!(at(&listed, "Daily averages") < at(&listed, "Weekly averages"), "{listed}");
    assert!(listed.contains("3.00"), "the mood average of 4 and 2: {listed}");
    let recent = k.json(&["checkins", "--days", "3"]);
    assert_eq!(recent["checkins"].as_array().map(Vec::len), Some(2));
    assert_eq!(recent["summary"]["daily"][0]["checkins"], 2);
    assert_eq!(recent["summary"]["daily"][0]["mood"], 3.0);
    assert_eq!(recent["summary"]["weekly"][0]["energy"], 3.0);
}

#[test]
fn bad_input_gives_one_line_and_leaves_the_profile_usable() {
    let k = Kindred::named("Ada");
    k.ok(&["group", "create", "Circle"]);

    let (code, line) = k.fails(&["post", "Circle", ""]);
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("message text") && line.contains("empty"), "{line}");
    let (code, line) = k.fails(&["post", "Circle", "   "]);
    assert_eq!(code, 2, "{line}");

    let (code, line) = k.fails(&["checkin", "--mood", "9"]);
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("mood"), "{line}");
    let (code, _) = k.fails(&["checkin", "--mood", "300"]);
    assert_eq!(code, 2);

    let (code, line) = k.fails(&["read", "No such group"]);
    assert_ne!(code, 0);
    assert_eq!(line, "error: group not found: no group has that name");
    k.fails(&["post", "No such group", "hello"]);

    k.fails(&["react", "Circle", "ab", "👍"]);
    k.fails(&["edit", "Circle", "abcdef", "new text"]);
    k.fails(&["goal", "log", "No such goal"]);
    k.fails(&["goal", "add", "Rest", "--times", "0", "--per", "day"]);
    k.fails(&["group", "add-member", "Circle", "not-a-key", "Bob"]);
    k.fails(&["init", "--name", "Someone else", "--unencrypted"]);

    // Nothing was written by the failures, and the profile opens as before.
    assert_eq!(k.json(&["whoami"])["display_name"], "Ada");
    assert_eq!(k.json(&["read", "Circle"]).as_array().map(Vec::len), Some(0));
    assert_eq!(k.json(&["checkins"])["checkins"].as_array().map(Vec::len), Some(0));
}

#[test]
fn commands_without_a_profile_say_how_to_make_one() {
    let k = Kindred::empty();
    let (code, line) = k.fails(&["whoami"]);
    assert_eq!(code, 1);
    assert!(line.contains("kindred init"), "{line}");
    // The failed open did not create a profile by accident.
    k.fails(&["group", "list"]);
    k.fails(&["init", "--name", "Ada"]);
    k.ok(&["init", "--name", "Ada", "--unencrypted"]);
    assert!(k.ok(&["whoami"]).starts_with("Ada\n"));
}

#[test]
fn the_data_directory_can_come_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("nested").join("profile");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kindred"))
            .args(args)
            .env("KINDRED_DATA_DIR", &data)
            .output()
            .expect("run kindred")
    };
    assert!(run(&["init", "--name", "Env", "--unencrypted"]).status.success());
    assert!(data.join("kindred.sqlite3").exists());
    let out = run(&["--json", "whoami"]);
    let me: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(me["display_name"], "Env");
    assert_eq!(me["data_dir"], data.to_str().expect("utf-8 path"));

    // --data-dir wins over the environment.
    let other = Kindred::named("Ada");
    let out = Command::new(env!("CARGO_BIN_EXE_kindred"))
        .args(["--json", "whoami", "--data-dir"])
        .arg(other.path())
        .env("KINDRED_DATA_DIR", &data)
        .output()
        .expect("run kindred");
    let me: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(me["display_name"], "Ada");
}

#[test]
fn groups_and_messages_resolve_by_id_name_and_prefix() {
    let k = Kindred::named("Ada");
    let group = k.json(&["group", "create", "Circle"]);
    let gid = group["id"].as_str().expect("id").to_owned();
    let first = post(&k, &[&gid, "By the group's id"]);
    post(&k, &["Circle", "By its name"]);
    let shown = k.json(&["group", "show", &gid]);
    assert_eq!(shown["name"], "Circle");

    let reacted = k.json(&["react", "Circle", &first[..4], "👍"]);
    assert_eq!(reacted["id"], first.as_str());
    let cleared = k.json(&["react", "Circle", &first, "--clear"]);
    assert_eq!(cleared["reactions"].as_array().map(Vec::len), Some(0));
    let text = k.ok(&["react", "Circle", &first[..8], "🌱"]);
    assert!(text.contains("🌱"), "{text}");

    // A second group with the same name makes the name ambiguous; the id still works.
    k.ok(&["group", "create", "Circle"]);
    let (code, line) = k.fails(&["read", "Circle"]);
    assert_eq!(code, 2);
    assert!(line.contains("ambiguous"), "{line}");
    assert_eq!(k.json(&["read", &gid]).as_array().map(Vec::len), Some(2));
}

#[test]
fn read_pages_back_with_before_and_limit() {
    let k = Kindred::named("Ada");
    k.ok(&["group", "create", "Circle"]);
    let ids: Vec<String> = (1..=5).map(|n| post(&k, &["Circle", &format!("message {n}")])).collect();

    let newest = k.json(&["read", "Circle", "--limit", "2"]);
    let texts: Vec<&str> = newest.as_array().expect("array").iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(texts, ["message 4", "message 5"]);
    let text = k.ok(&["read", "Circle", "--limit", "2"]);
    assert!(text.contains(&format!("--before {}", id8(&ids[3]))), "a hint to page back: {text}");

    let older = k.json(&["read", "Circle", "--limit", "2", "--before", id8(&ids[3])]);
    let texts: Vec<&str> = older.as_array().expect("array").iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(texts, ["message 2", "message 3"]);
    k.fails(&["read", "Circle", "--limit", "0"]);
}

#[test]
fn members_can_be_added_with_a_role() {
    let k = Kindred::named("Ada");
    k.ok(&["group", "create", "Circle"]);
    let bob = "ab".repeat(32);
    let group = k.json(&["group", "add-member", "Circle", &bob, "Bob", "--role", "moderator"]);
    let members = group["members"].as_array().expect("members");
    assert_eq!(members.len(), 2);
    assert!(members.iter().any(|m| m["member_id"] == bob.as_str() && m["role"] == "moderator"));
    let list = k.ok(&["group", "list"]);
    assert!(list.lines().any(|l| l.starts_with("Circle") && l.split_whitespace().nth(1) == Some("2")), "{list}");
    let shown = k.ok(&["group", "show", "Circle"]);
    assert!(shown.contains("Bob") && shown.contains("moderator") && shown.contains(&bob), "{shown}");

    // Adding yourself would demote you from owner; it is refused.
    let me = k.json(&["whoami"])["member_id"].as_str().expect("member id").to_owned();
    let (code, _) = k.fails(&["group", "add-member", "Circle", &me, "Ada again"]);
    assert_eq!(code, 2);
    assert_eq!(k.json(&["group", "show", "Circle"])["members"][0]["role"], "owner");
}

#[test]
fn goals_pause_resume_archive_and_keep_history() {
    let k = Kindred::named("Ada");
    let goal = k.json(&["goal", "add", "Drink water", "--times", "1", "--per", "day"]);
    let id = goal["id"].as_str().expect("id").to_owned();
    assert_eq!(goal["group_id"], Value::Null);
    k.ok(&["goal", "log", &id[..6], "--amount", "2", "--note", "two glasses"]);
    k.ok(&["goal", "log", "Drink water"]);

    assert_eq!(k.json(&["goal", "pause", "Drink water"])["status"], "paused");
    assert_eq!(k.json(&["goal", "resume", &id])["status"], "active");
    let archived = k.ok(&["goal", "archive", "Drink water"]);
    assert!(archived.contains("archived"), "{archived}");
    assert!(!k.ok(&["goal", "list"]).contains("Drink water"));
    let all = k.json(&["goal", "list", "--all"]);
    assert_eq!(all[0]["status"], "archived");
    assert_eq!(all[0]["total_logged"], 3);
    k.fails(&["goal", "log", "Drink water"]);

    let history = k.json(&["goal", "history", "Drink water"]);
    let entries = history["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["note"], "two glasses", "newest first");
    assert_eq!(
        k.json(&["goal", "history", "Drink water", "--limit", "1"])["entries"].as_array().map(Vec::len),
        Some(1)
    );
    let text = k.ok(&["goal", "history", "Drink water"]);
    assert!(text.contains("+2") && text.contains("two glasses"), "{text}");
}

#[test]
fn the_safety_plan_is_written_step_by_step_shown_and_exported_for_printing() {
    let k = Kindred::named("Amara");
    let empty = k.json(&["safety-plan", "show"]);
    let steps: Vec<&str> =
        empty["sections"].as_array().expect("sections").iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["warning-signs", "coping", "distractions", "people", "professionals", "environment", "reasons"]);
    assert!(empty["sections"].as_array().unwrap().iter().all(|s| s["items"].as_array().map(Vec::len) == Some(0)));
    assert!(k.ok(&["safety-plan", "show"]).contains("safety-plan add STEP TEXT"));

    // Step by step, each command with --json too.
    let added = k.json(&["safety-plan", "add", "warning-signs", "Not sleeping"]);
    assert_eq!(
        (added["number"].as_u64(), added["step"].as_str(), added["text"].as_str()),
        (Some(1), Some("warning-signs"), Some("Not sleeping"))
    );
    assert_eq!(added["contact"], Value::Null);
    k.ok(&["safety-plan", "add", "warning-signs", "Staying in my room"]);
    let ana = k.json(&["safety-plan", "add", "people", "My sister Ana", "--contact", "555 0101"]);
    assert_eq!(ana["contact"], "555 0101");
    let text = k.ok(&["safety-plan", "add", "people", "Bo"]);
    assert_eq!(text, "Added to people as number 2: Bo\n");
    k.ok(&["safety-plan", "add", "professionals", "Crisis line", "--contact", "988"]);
    k.ok(&["safety-plan", "add", "reasons", "My daughter"]);
    let moved = k.json(&["safety-plan", "move", "people", "2", "1"]);
    let order: Vec<&str> = moved["items"].as_array().unwrap().iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(order, ["Bo", "My sister Ana"]);
    let edited = k.json(&["safety-plan", "edit", "warning-signs", "2", "Staying in bed all day"]);
    assert_eq!((edited["number"].as_u64(), edited["text"].as_str()), (Some(2), Some("Staying in bed all day")));
    let removed = k.json(&["safety-plan", "remove", "warning-signs", "1"]);
    assert_eq!(removed["text"], "Not sleeping");

    let shown = k.ok(&["safety-plan", "show"]);
    assert!(at(&shown, "1. Warning signs") < at(&shown, "1) Staying in bed all day"), "{shown}");
    assert!(at(&shown, "4. People I can ask for help [people]") < at(&shown, "1) Bo"), "{shown}");
    assert!(at(&shown, "1) Bo") < at(&shown, "2) My sister Ana\n      contact: 555 0101"), "{shown}");
    assert!(at(&shown, "My reasons for living [reasons]") < at(&shown, "1) My daughter"), "{shown}");
    let plan = k.json(&["safety-plan", "show"]);
    assert_eq!(plan["sections"][3]["items"][1]["contact"], "555 0101");
    assert_eq!(plan["sections"][3]["takes_contact"], true);

    // Export: plain text for printing, readable by its owner alone, with nothing else about the person.
    let file = k.path().join("plan.txt");
    let exported = k.json(&["safety-plan", "export", file.to_str().unwrap()]);
    let printed = std::fs::read_to_string(&file).expect("the exported plan");
    assert_eq!(exported["bytes"].as_u64(), Some(printed.len() as u64));
    assert_eq!(exported["lines"].as_u64(), Some(printed.lines().count() as u64));
    assert!(printed.starts_with("MY SAFETY PLAN\nPrinted on "), "{printed}");
    assert!(
        printed.contains("\n4. People I can ask for help\n   - Bo\n   - My sister Ana\n     Contact: 555 0101\n"),
        "{printed}"
    );
    assert!(printed.ends_with("My reasons for living\n   - My daughter\n"), "{printed}");
    assert!(!printed.contains("Amara"), "{printed}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the printed plan is readable by its owner alone: {mode:o}");
    }
    assert!(k.ok(&["safety-plan", "export", file.to_str().unwrap()]).contains("somewhere private"));

    // Refusals: one line, nothing written, never the text itself.
    let (code, line) = k.fails(&["safety-plan", "add", "coping", "Walk", "--contact", "555 0199"]);
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("contact") && !line.contains("555"), "{line}");
    let (code, line) = k.fails(&["safety-plan", "remove", "people", "3"]);
    assert_eq!(code, 1, "{line}");
    assert_eq!(line, "error: safety plan item not found: people number 3 (the step has 2 items)");
    k.fails(&["safety-plan", "edit", "coping", "1", "Walk"]);
    k.fails(&["safety-plan", "move", "people", "1", "3"]);
    let (code, _) = k.fails(&["safety-plan", "add", "warning-signs", "   "]);
    assert_eq!(code, 2);
    let unknown = k.run(&["safety-plan", "add", "hope", "Spring"]);
    assert_eq!(unknown.status.code(), Some(2), "an unknown step is a usage error");
    assert_eq!(k.run(&["safety-plan", "remove", "people", "0"]).status.code(), Some(2), "items count from 1");
    assert_eq!(k.json(&["safety-plan", "show"]), plan, "the refusals changed nothing");
}

#[test]
fn check_offers_the_plan_on_a_risky_draft_and_guidance_to_a_reader() {
    let k = Kindred::named("Amara");
    let ordinary = k.json(&["check", "this week is killing me, see you Tuesday", "--language", "en"]);
    assert_eq!(ordinary["risk"], false);
    assert_eq!(ordinary["matches"].as_array().map(Vec::len), Some(0));
    assert_eq!(ordinary["resources"].as_array().map(Vec::len), Some(0));
    assert_eq!(ordinary["safety_plan"], Value::Null);
    assert!(k.ok(&["check", "see you Tuesday"]).contains("No sign of risk"));

    // A sign of risk with an empty plan: what matched, no plan, a pointer to start one.
    let risky = ["check", "honestly i just want to dieee", "--language", "en"];
    let draft = k.json(&risky);
    assert_eq!(draft["risk"], true);
    assert_eq!(draft["matches"][0]["category"], "suicidal_ideation");
    assert_eq!(draft["matches"][0]["language"], "en");
    assert_eq!(draft["resources"].as_array().map(Vec::len), Some(0));
    assert_eq!(draft["safety_plan"], Value::Null);
    let text = k.ok(&risky);
    assert!(text.contains("nothing is blocked") && text.contains("suicidal_ideation"), "{text}");
    assert!(text.contains("safety-plan add STEP TEXT") && text.contains("crisis-resource directory"), "{text}");
    assert!(!text.contains("dieee"), "the draft's words are not repeated:\n{text}");

    // Once the plan has an item, it is offered.
    k.ok(&["safety-plan", "add", "people", "My sister Ana", "--contact", "555 0101"]);
    let draft = k.json(&risky);
    let people = draft["safety_plan"]["sections"].as_array().unwrap().iter().find(|s| s["step"] == "people").unwrap();
    assert_eq!(people["items"][0]["text"], "My sister Ana");
    let text = k.ok(&risky);
    assert!(text.contains("Your safety plan") && text.contains("My sister Ana") && text.contains("555 0101"), "{text}");

    // The reader gets guidance, in their language, and never their own plan.
    let reader = k.json(&["check", "--reader", "ya no quiero vivir", "--language", "es"]);
    assert_eq!(reader["risk"], true);
    assert_eq!(reader["safety_plan"], Value::Null);
    assert_eq!(reader["resources"].as_array().map(Vec::len), Some(0));
    assert_eq!(reader["guidance_language"], "es");
    assert!(reader["guidance"].as_array().is_some_and(|g| !g.is_empty()));
    let text = k.ok(&["check", "--reader", "i want to kill myself"]);
    assert!(text.contains("Answering supportively") && !text.contains("My sister Ana"), "{text}");

    // A text longer than a message is invalid input that does not repeat it.
    let long = format!("{} Zanzibarquux", "a".repeat(4000));
    let (code, line) = k.fails(&["check", &long]);
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("draft text") && !line.contains("Zanzibarquux"), "{line}");
}

#[test]
fn empty_lists_say_so() {
    let k = Kindred::named("Ada");
    assert!(k.ok(&["group", "list"]).contains("No groups yet"));
    assert!(k.ok(&["goal", "list"]).contains("No goals yet"));
    assert!(k.ok(&["checkins"]).contains("No check-ins"));
    assert_eq!(k.json(&["group", "list"]), Value::Array(Vec::new()));
    k.ok(&["group", "create", "Quiet"]);
    assert!(k.ok(&["read", "Quiet"]).contains("No messages"));
}

/// Runs `kindred demo` with `args`; returns its stdout.
fn demo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kindred"))
        .arg("demo")
        .args(args)
        .env_remove("KINDRED_DATA_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_demo_tells_the_multi_phone_story_and_cleans_up() {
    let text = demo(&[]);
    for expected in [
        "five phones",
        "Amara starts a group and invites Bo, Chen and Dee",
        "ROUND TRIPS",
        "Dee imports it:",
        "Importing it again: 0 applied",
        "Eli joins the long history over a link that drops every 64 KiB",
        "connections and",
        "Re-sent because of the drops",
        "Mal has 0 groups",
        "signature does not match",
        "Chen's phone is unchanged",
        "Eli sees Mal's new post.",
        "hidden on every honest phone",
        "Check-ins never left their phones",
        "Every honest phone, compared",
    ] {
        assert!(text.contains(expected), "demo output lacks {expected:?}:\n{text}");
    }
    // Every meeting row has its numbers; none of the meetings before the attacker failed.
    let before_mal = &text[..at(&text, "Mal, a stranger")];
    assert!(!before_mal.contains("FAILED"), "{before_mal}");
    // The phones lived in one temporary directory, gone afterwards.
    let dir = text
        .lines()
        .find_map(|l| l.strip_prefix("(Each phone is a real profile in its own directory under "))
        .expect("the demo names its directory");
    assert!(!Path::new(dir.trim_end_matches(')')).exists(), "{dir} was not removed");
}

#[test]
fn the_demo_json_reports_every_meeting_and_keep_leaves_the_phones() {
    let report: Value = serde_json::from_str(&demo(&["--json", "--keep"])).unwrap();
    let dir = Path::new(report["data_dir"].as_str().unwrap()).to_owned();
    assert_eq!(report["kept"], true);
    assert!(dir.join("amara").join("kindred.sqlite3").exists());

    let meetings = report["meetings"].as_array().unwrap();
    assert!(meetings.len() > 20, "{}", meetings.len());
    for m in meetings {
        assert!(
            m["bytes"].as_u64().unwrap() > 0
                && m["frames"].as_u64().unwrap() > 0
                && m["connections"].as_u64().unwrap() >= 1,
            "{m}"
        );
        assert_eq!(m["round_trips"].as_f64().unwrap(), m["flights"].as_f64().unwrap() / 2.0);
    }
    assert!(report["bundle"]["applied"].as_u64().unwrap() > 0);
    assert_eq!(report["bundle"]["applied_again"], 0);

    // Crisis support: the group's directory reached every honest phone; the draft check offered plan and services.
    let crisis = &report["crisis"];
    assert_eq!(crisis["directory_on"].as_array().map(Vec::len), Some(5), "{crisis}");
    assert_eq!((crisis["draft_risk"].as_bool(), crisis["plan_offered"].as_bool()), (Some(true), Some(true)));
    assert!(crisis["resources_offered"].as_u64().unwrap() > 0 && crisis["reader_resources"].as_u64().unwrap() > 0);
    assert!(crisis["reader_guidance_lines"].as_u64().unwrap() > 0, "{crisis}");
    let moderation = &report["moderation"];
    assert_eq!(
        (moderation["hidden_for_bo"].as_bool(), moderation["author_told_why"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        (moderation["report_reached_owner"].as_bool(), moderation["relay_could_not_read"].as_bool()),
        (Some(true), Some(true)),
        "{moderation}"
    );

    // The newcomer's join resumed across drops and re-sent little.
    let join = &report["late_join"];
    assert!(join["history_messages"].as_u64().unwrap() >= 2000, "{join}");
    assert_eq!(join["messages_seen"], join["history_messages"]);
    assert!(join["connections"].as_u64().unwrap() >= 2, "{join}");
    assert!(join["resent_percent"].as_f64().unwrap() <= 10.0, "{join}");
    assert!(join["largest_frame"].as_u64().unwrap() <= 32 * 1024);

    let attacks = &report["attacks"];
    assert_eq!(attacks["stranger_groups_after"], 0);
    assert!(attacks["damaged_bundle_refused"].as_str().unwrap().contains("refused"));
    assert!(attacks["tampered_bundle_refused"].as_str().unwrap().contains("refused"));
    assert_eq!(attacks["removed_post_shown_before_removal_arrived"], true);
    assert_eq!(attacks["removed_post_hidden_on_all_honest_phones"], true);

    // Check-ins stayed on their phones; the kept profiles open with the other commands.
    let phones = report["phones"].as_array().unwrap();
    assert_eq!(report["honest_phones"], 5);
    let amara = phones.iter().find(|p| p["name"] == "Amara").unwrap();
    assert_eq!(amara["checkins"], 2);
    assert_eq!(phones.iter().find(|p| p["name"] == "Eli").unwrap()["checkins"], 0);
    let out = Command::new(env!("CARGO_BIN_EXE_kindred"))
        .arg("--data-dir")
        .arg(dir.join("amara"))
        .args(["--json", "read", "Tuesday circle", "--limit", "5"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().map(Vec::len), Some(5));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What the issue asks of the demo's end: every honest phone identical, the equivocator flagged everywhere. The core
/// does not achieve it yet: live sessions never deliver the second version of a forked history (version vectors only
/// compare sequence numbers), and the longer fork's continuation is refused, which fails every later session between
/// holders of different forks. Run with `--ignored` once the core detects equivocation in sessions.
#[test]
fn the_demo_ends_with_identical_honest_phones() {
    let report: Value = serde_json::from_str(&demo(&["--json"])).unwrap();
    assert_eq!(report["differences"], Value::Array(Vec::new()));
    assert_eq!(report["identical"], true);
    assert_eq!(report["attacks"]["equivocation_flagged_on"].as_array().map(Vec::len), Some(5));
    assert!(report["meetings"].as_array().unwrap().iter().all(|m| m["completed"] == true));
}

#[test]
fn maintain_is_safe_at_any_time() {
    let k = Kindred::named("Ada");
    assert_eq!(k.ok(&["maintain"]), "Nothing to compact.\n");
    k.ok(&["group", "create", "Circle"]);
    post(&k, &["Circle", "hello"]);
    assert_eq!(k.json(&["maintain"])["compacted"], 0);
    assert_eq!(k.json(&["read", "Circle"]).as_array().map(Vec::len), Some(1));
}

#[test]
fn resources_import_the_example_directory_and_list_it_by_region_and_language() {
    let k = Kindred::named("Amara");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../core/src/crisis/example-directory.bin");
    let none = k.json(&["resources", "list", "--region", "KE"]);
    assert_eq!(none["matched"], "nothing");
    assert!(k.ok(&["resources", "list"]).contains("emergency number"));

    let import = k.json(&["resources", "import", example]);
    assert_eq!(import["installed"], true);
    assert_eq!(import["entries"], 6);
    let again = k.json(&["resources", "import", example]);
    assert_eq!(again["installed"], false, "the same file again changes nothing");
    let dirs = k.json(&["resources", "directories"]);
    assert_eq!(dirs[0]["example"], true);

    let found = k.json(&["resources", "list", "--region", "KE-30", "--language", "sw"]);
    assert_eq!(found["matched"], "subdivision");
    assert_eq!(found["entries"][0]["entry"]["name"], "EXAMPLE Nairobi walk-in centre");
    assert_eq!(found["entries"][0]["example"], true);
    assert!(k.ok(&["resources", "list", "--region", "MX"]).contains("[EXAMPLE, not a real service]"));
    let (code, _) = k.fails(&["resources", "list", "--region", "Kenya"]);
    assert_eq!(code, 2, "a region that is not an ISO code is bad input");

    assert_eq!(k.json(&["resources", "region", "ke-30"])["region"], "KE-30");
    let draft = k.json(&["check", "nataka kujiua", "--language", "sw"]);
    assert_eq!(draft["resources"][0]["entry"]["subdivision"], "KE-30");
    assert!(k.ok(&["check", "nataka kujiua", "--language", "sw"]).contains("EXAMPLE Nairobi walk-in centre"));
    assert_eq!(k.json(&["resources", "region", "--clear"])["region"], Value::Null);

    let publisher = dirs[0]["publisher"].as_str().unwrap().to_owned();
    k.ok(&["resources", "remove", &publisher]);
    assert_eq!(k.json(&["resources", "directories"]).as_array().map(Vec::len), Some(0));
    let forged = k.path().join("forged.bin");
    let mut bytes = std::fs::read(example).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&forged, bytes).unwrap();
    k.fails(&["resources", "import", forged.to_str().unwrap()]);
}

#[test]
fn an_owner_trusts_a_publisher_and_publishes_its_directory_into_a_group() {
    let k = Kindred::named("Amara");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../core/src/crisis/example-directory.bin");
    k.ok(&["group", "create", "Circle"]);
    // The example directory's publisher is not the owner: publishing needs the owner's mark first.
    let (code, message) = k.fails(&["resources", "publish", "Circle", example]);
    assert_ne!(code, 0);
    assert!(message.contains("trusted"), "{message}");
    let publisher = {
        let checker = Kindred::named("Checker");
        checker.json(&["resources", "import", example])["publisher"].as_str().unwrap().to_owned()
    };
    assert_eq!(k.json(&["group", "trust-publisher", "Circle"])["trusted_publishers"], Value::Array(Vec::new()));
    let trusted = k.json(&["group", "trust-publisher", "Circle", &publisher]);
    assert_eq!(trusted["trusted_publishers"][0], publisher.as_str());

    let published = k.json(&["resources", "publish", "Circle", example]);
    assert_eq!(published["installed"], true);
    assert!(k.ok(&["resources", "publish", "Circle", example]).contains("Nothing changed"));
    let dirs = k.json(&["resources", "directories"]);
    assert_eq!(dirs[0]["imported"], false);
    assert_eq!(dirs[0]["groups"].as_array().map(Vec::len), Some(1));
    assert!(k.ok(&["resources", "directories"]).contains("group "));
    let found = k.json(&["resources", "list", "--region", "KE-30", "--language", "sw"]);
    assert_eq!(found["entries"][0]["entry"]["name"], "EXAMPLE Nairobi walk-in centre");
    // The reader of a worrying message gets services to share, for the reader's own region.
    k.ok(&["resources", "region", "KE-30"]);
    let reader = k.json(&["check", "nataka kujiua", "--language", "sw", "--reader"]);
    assert_eq!(reader["risk"], true);
    assert_eq!(reader["resources"][0]["entry"]["subdivision"], "KE-30");
    assert!(reader["guidance"].as_array().is_some_and(|g| !g.is_empty()));
    assert!(k.ok(&["check", "nataka kujiua", "--reader"]).contains("Crisis services you can share"));

    // No longer trusted: the group's copy stops being used.
    let revoked = k.json(&["group", "trust-publisher", "Circle", &publisher, "--revoke"]);
    assert_eq!(revoked["trusted_publishers"], Value::Array(Vec::new()));
    assert_eq!(k.json(&["resources", "directories"]).as_array().map(Vec::len), Some(0));
    assert_eq!(k.json(&["check", "nataka kujiua", "--reader"])["resources"], Value::Array(Vec::new()));
}

#[test]
fn instruments_are_listed_taken_as_published_and_kept_in_history() {
    let k = Kindred::named("Amara");
    let list = k.json(&["instrument", "list"]);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["who5", "phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "k10", "k6"]);

    let who5 = k.json(&["instrument", "take", "who5", "--answers", "3,3,3,2,2"]);
    assert_eq!((who5["score"].as_u64(), who5["percentage"].as_u64()), (Some(13), Some(52)));
    assert_eq!(who5["flags"], Value::Array(Vec::new()));
    assert_eq!(who5["band"], Value::Null);
    let gad7 = k.json(&["instrument", "take", "GAD7", "--answers", "2,2,2,2,1,1,0"]);
    assert_eq!((gad7["score"].as_u64(), gad7["band"].as_str()), (Some(10), Some("Moderate")));
    assert_eq!(gad7["flags"][0], "Further evaluation recommended");

    // Item 9 above zero: the safety plan and crisis services come with the result.
    k.ok(&["safety-plan", "add", "people", "My sister Ana"]);
    let phq9 = k.json(&["instrument", "take", "phq9", "--answers", "0,0,0,0,0,0,0,0,1"]);
    assert_eq!(phq9["crisis"], true);
    assert_eq!(phq9["safety_plan"]["sections"].as_array().map(Vec::len), Some(7));
    assert!(k.ok(&["instrument", "take", "phq9", "--answers", "0,0,0,0,0,0,0,0,2"]).contains("My sister Ana"));

    let (code, message) = k.fails(&["instrument", "take", "phq9", "--answers", "1,1"]);
    assert_eq!(code, 2);
    assert!(message.contains("2 of 9 given"), "{message}");
    let history = k.json(&["instrument", "history", "phq9"]);
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let id = history[0]["id"].as_str().unwrap().to_owned();
    k.ok(&["instrument", "delete", &id]);
    assert_eq!(k.json(&["instrument", "history", "phq9"]).as_array().map(Vec::len), Some(1));
}

#[test]
fn a_checkin_is_recorded_with_emotions_and_activities_edited_and_deleted() {
    let k = Kindred::named("Amara");
    let options = k.json(&["checkin", "options"]);
    assert_eq!(options["moods"].as_array().map(Vec::len), Some(5));
    let recorded =
        k.json(&["checkin", "--mood", "2", "--emotion", "anxious", "--activity", "walk", "--medication", "yes"]);
    assert_eq!(
        (recorded["emotions"][0].as_str(), recorded["medication_taken"].as_bool()),
        (Some("anxious"), Some(true))
    );
    let id = recorded["id"].as_str().unwrap().to_owned();
    let yesterday = k.json(&["checkin", "--mood", "3", "--at", "2026-01-02T21:30"]);
    assert!(yesterday["at"].as_i64().unwrap() < recorded["at"].as_i64().unwrap(), "back-dated");
    assert_eq!(k.command(&["checkin", "--mood", "3", "--at", "soon"]).output().unwrap().status.code(), Some(2));
    let edited = k.json(&["checkin", "edit", &id, "--mood", "4", "--activity", "time with others"]);
    assert_eq!((edited["id"].as_str(), edited["mood"].as_u64()), (Some(id.as_str()), Some(4)));
    assert_eq!(edited["at"], recorded["at"], "the time stays");
    k.ok(&["checkin", "delete", &id]);
    assert_eq!(
        k.json(&["checkins", "--days", "1"])["checkins"].as_array().map(Vec::len),
        Some(0),
        "the back-dated one is older"
    );
    let (code, _) = k.fails(&["checkin", "delete", &id]);
    assert_ne!(code, 0);
    let mine = k.json(&["checkin", "choices", "activities", "gardening", "choir"]);
    assert_eq!(mine["activities"], serde_json::json!(["gardening", "choir"]));
}

#[test]
fn trends_show_averages_instrument_change_and_what_goes_with_mood() {
    let k = Kindred::named("Amara");
    k.ok(&["instrument", "take", "phq9", "--answers", "2,2,2,2,2,2,2,1,0"]);
    k.ok(&["instrument", "take", "phq9", "--answers", "1,1,1,1,1,1,1,1,0"]);
    k.ok(&["checkin", "--mood", "4", "--activity", "walk"]);
    let trends = k.json(&["trends", "--days", "7"]);
    assert_eq!(trends["days"], 7);
    assert_eq!(trends["daily"].as_array().map(Vec::len), Some(1));
    assert_eq!(trends["monthly"].as_array().map(Vec::len), Some(1));
    let phq9 = &trends["instruments"][0];
    assert_eq!((phq9["instrument"].as_str(), phq9["change"].as_i64()), (Some("phq9"), Some(-7)));
    assert_eq!(phq9["judgement"], "improved");
    assert_eq!(trends["associations"], Value::Array(Vec::new()), "one day says nothing");
    assert!(k.ok(&["trends"]).contains("PHQ-9: 15 → 8 (a meaningful improvement)"));
    let refused = k.command(&["trends", "--days", "0"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "a window of no days is bad input");
}

#[test]
fn a_checkin_and_a_result_are_shared_with_a_group_by_choice() {
    let k = Kindred::named("Amara");
    k.ok(&["group", "create", "Circle"]);
    let checkin = k.json(&["checkin", "--mood", "4", "--activity", "walk", "--note", "private words"]);
    let id = checkin["id"].as_str().unwrap().to_owned();
    assert_eq!(k.json(&["share-checkin", &id, "Circle", "--as", "emoji"])["text"], "🙂");
    let summary = k.json(&["share-checkin", &id, "Circle", "--as", "summary"]);
    assert_eq!(summary["text"], "🙂 Feeling good · walk");
    assert!(
        k.json(&["share-checkin", &id, "Circle", "--as", "emoji", "--with-note"])["text"]
            .as_str()
            .unwrap()
            .ends_with("private words")
    );
    let result = k.json(&["instrument", "take", "phq9", "--answers", "1,1,1,1,1,1,1,1,3"]);
    let shared = k.json(&["instrument", "share", result["id"].as_str().unwrap(), "Circle"]);
    assert_eq!(shared["text"], "My PHQ-9: 11 of 27, moderate");
    let texts: Vec<String> = k
        .json(&["read", "Circle"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 4);
    assert!(texts.iter().all(|t| !t.contains("Thoughts")), "no flag is shared");
}

#[test]
fn export_writes_the_csv_and_the_page_with_only_the_ticked_parts() {
    let k = Kindred::named("Amara");
    k.ok(&["checkin", "--mood", "3", "--activity", "walk", "--note", "private words"]);
    k.ok(&["instrument", "take", "phq9", "--answers", "1,1,1,1,1,1,1,1,2"]);
    let dir = k.path().join("for-my-nurse");
    let exported = k.json(&["export", dir.to_str().unwrap(), "--days", "30"]);
    assert_eq!(exported["csv_rows"], 2);
    let csv = std::fs::read_to_string(dir.join("kindred-summary.csv")).unwrap();
    let page = std::fs::read_to_string(dir.join("kindred-summary.html")).unwrap();
    assert!(csv.starts_with("date,time,record,mood,"));
    assert!(!csv.contains("private words") && !page.contains("private words"), "notes only when ticked");
    assert!(!csv.contains("self-harm") && !page.contains("self-harm"), "item 9 never leaves");
    assert!(page.contains("<svg") && !page.contains("<script"));
    k.ok(&["export", dir.to_str().unwrap(), "--notes", "--no-instruments"]);
    let csv = std::fs::read_to_string(dir.join("kindred-summary.csv")).unwrap();
    assert!(csv.contains("private words") && !csv.contains("PHQ-9"));
}

#[test]
fn a_goals_habit_strength_is_shown_and_a_day_is_skipped_without_penalty() {
    let k = Kindred::named("Amara");
    k.ok(&["goal", "add", "Walk", "--times", "1", "--per", "day"]);
    assert_eq!(k.json(&["goal", "strength", "Walk"])["strength"], 0);
    k.ok(&["goal", "log", "Walk"]);
    let strength = k.json(&["goal", "strength", "Walk"]);
    assert_eq!(strength["strength"], 5);
    assert_eq!(strength["recent"][0]["outcome"], "met");
    assert_eq!(k.json(&["goal", "skip", "Walk"])["strength"], 5, "a skip costs nothing");
    let (code, message) = k.fails(&["goal", "skip", "Walk", "--day", "someday"]);
    assert_eq!(code, 2);
    assert!(message.contains("day"), "{message}");
}

#[test]
fn cheering_ones_own_goal_is_refused_and_an_unknown_goal_is_bad_input() {
    let k = Kindred::named("Amara");
    k.ok(&["group", "create", "Circle"]);
    k.ok(&["goal", "add", "Walk", "--times", "3", "--per", "week", "--group", "Circle"]);
    let (code, message) = k.fails(&["cheer", "Circle", "Walk"]);
    assert_ne!(code, 0);
    assert!(message.contains("others' goals"), "{message}");
    let (code, _) = k.fails(&["cheer", "Circle", "Swim"]);
    assert_eq!(code, 2);
}

#[test]
fn goals_on_chosen_weekdays_and_group_goals_from_the_command_line() {
    let k = Kindred::named("Amara");
    let goal = k.json(&["goal", "add", "Swim", "--times", "1", "--on", "mon,wed,fri"]);
    assert_eq!(goal["cadence"]["weekdays"], serde_json::json!([1, 3, 5]));
    assert!(k.ok(&["goal", "list"]).contains("once on Mon, Wed, Fri"));
    let (code, message) = k.fails(&["goal", "add", "Run", "--times", "1", "--on", "someday"]);
    assert_eq!(code, 2);
    assert!(message.contains("weekday"), "{message}");

    k.ok(&["group", "create", "Circle"]);
    let proposed = k.json(&["group-goal", "propose", "Circle", "Move more"]);
    assert_eq!(proposed["weeks"].as_array().unwrap().len(), 4);
    let joined = k.json(&["group-goal", "join", "Circle", "Move more", "--times", "1", "--per", "week"]);
    assert_eq!(joined["group_goal"], proposed["id"]);
    assert_eq!(joined["group_id"], serde_json::Value::Null, "one's own target is private");
    k.ok(&["goal", "log", joined["id"].as_str().unwrap()]);
    let listed = k.json(&["group-goal", "list", "Circle"]);
    assert_eq!(listed[0]["weeks"][3]["met"], 1);
    assert!(k.ok(&["group-goal", "list", "Circle"]).contains("this week 1"));
    let (code, _) = k.fails(&["group-goal", "join", "Circle", "Move more", "--times", "1", "--per", "month"]);
    assert_eq!(code, 2);
    assert!(k.json(&["group-goal", "end", "Circle", "Move more"])["ended_at"].is_i64());
}

#[test]
fn muting_blocking_and_muted_words_from_the_command_line() {
    let k = Kindred::named("Ada");
    let someone = "cd".repeat(32);
    assert!(k.ok(&["mute", &someone]).contains("muted on this phone"));
    assert_eq!(k.json(&["muted"])["members"][0]["control"], "muted");
    assert_eq!(k.json(&["block", &someone])["control"], "blocked");
    assert_eq!(k.json(&["mute-word", "Spoiler"]), serde_json::json!(["spoiler"]));
    let listed = k.ok(&["muted"]);
    assert!(listed.contains("blocked") && listed.contains("spoiler") && listed.contains("folded"), "{listed}");
    k.ok(&["group", "create", "Circle"]);
    k.ok(&["post", "Circle", "The ending? Spoiler: they win"]);
    assert!(k.ok(&["read", "Circle"]).contains("[folded: holds a word you muted]"));
    assert_eq!(k.json(&["read", "Circle"])[0]["fold"], "muted_word");
    assert_eq!(k.json(&["mute-word", "spoiler", "--remove"]), serde_json::json!([]));
    k.ok(&["unblock", &someone]);
    assert_eq!(k.json(&["muted"])["members"], serde_json::json!([]));
    let (code, message) = k.fails(&["mute", "Nobody"]);
    assert_eq!(code, 2);
    assert!(message.contains("member"), "{message}");
}
