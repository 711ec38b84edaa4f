//! Export of one's own data: everything this person wrote or recorded in the profile, as one JSON file and one CSV
//! file per kind, for them to keep, read or take elsewhere. Other members' words never go in: of a group, only its
//! id and name; of others' messages and goals, only the ids one's reactions and cheers point at.
//!
//! It is read in one transaction (one consistent snapshot), through the storage the public read methods use.
//! JSON and CSV are written by hand (a few lines each): serde_json and a CSV crate would cost the phone library
//! room it does not have.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::MemberId;
use crate::kindred::Kindred;
use crate::model::{ChoiceKind, MessageCursor, SafetyPlanStep};
use crate::storage::{self, groups};
use crate::time::{local_offset_minutes, now_ms, period_starts};

/// The JSON file's format version: raised whenever a field changes meaning or goes away.
const FORMAT_VERSION: i64 = 1;
/// The JSON file holding everything.
const JSON_FILE: &str = "kindred-export.json";

/// What [`Kindred::export_mine`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportSummary {
    /// The files written into the folder, by name: one CSV per kind, then `kindred-export.json`.
    pub files: Vec<String>,
    /// How many records of each kind were written, in the order of the files.
    pub counts: Vec<ExportCount>,
}

/// How many records of one kind an export holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportCount {
    /// The kind, as its CSV file is named without `.csv` ("messages", "checkins", ...).
    pub kind: String,
    /// Its records (rows of the CSV file).
    pub count: u32,
}

/// One value. A column whose name is `at` or ends in `_at` holds `Time`s, written twice: as RFC 3339 UTC under its
/// name and as milliseconds under the name with `_ms`.
enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    Time(Option<i64>),
    List(Vec<Cell>),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}
impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Int(n.into())
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}
fn hex(id: impl std::fmt::Display) -> Cell {
    Cell::Text(id.to_string())
}
fn time(ms: impl Into<Option<i64>>) -> Cell {
    Cell::Time(ms.into())
}
fn list<T: Into<Cell>>(items: impl IntoIterator<Item = T>) -> Cell {
    Cell::List(items.into_iter().map(Into::into).collect())
}

fn timed(column: &str) -> bool {
    column == "at" || column.ends_with("_at")
}

fn rfc3339(ms: i64) -> Option<String> {
    let t = chrono::DateTime::from_timestamp_millis(ms)?.naive_utc();
    Some(format!("{}T{}Z", t.date(), t.time()))
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A cell as JSON; a `Time` gives its RFC 3339 text (its milliseconds are written by the caller).
fn json(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Null | Cell::Time(None) => out.push_str("null"),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Cell::Int(n) => out.push_str(&n.to_string()),
        Cell::Num(x) if x.is_finite() => out.push_str(&x.to_string()),
        Cell::Num(_) => out.push_str("null"),
        Cell::Text(s) => json_string(out, s),
        Cell::Time(Some(ms)) => match rfc3339(*ms) {
            Some(s) => json_string(out, &s),
            None => out.push_str("null"),
        },
        Cell::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(out, item);
            }
            out.push(']');
        }
    }
}

/// One CSV field, quoted as RFC 4180 asks when it holds a comma, a quote or a line break. A list is its JSON text,
/// which keeps items apart whatever they hold.
fn csv_field(out: &mut String, cell: &Cell) {
    let text = match cell {
        Cell::Null | Cell::Time(None) => return,
        Cell::Text(s) => s.clone(),
        Cell::Time(Some(ms)) => rfc3339(*ms).unwrap_or_default(),
        other => {
            let mut s = String::new();
            json(&mut s, other);
            s
        }
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// The records of one kind.
struct Table {
    kind: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(kind: &'static str, columns: &'static [&'static str]) -> Self {
        Table { kind, columns, rows: Vec::new() }
    }

    fn csv(&self) -> String {
        let mut out = String::new();
        let header = self.columns.iter().flat_map(|c| [Some(c.to_string()), timed(c).then(|| format!("{c}_ms"))]);
        out.push_str(&header.flatten().collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            for (i, (column, cell)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                csv_field(&mut out, cell);
                if timed(column) {
                    out.push(',');
                    if let Cell::Time(Some(ms)) = cell {
                        out.push_str(&ms.to_string());
                    }
                }
            }
            out.push_str("\r\n");
        }
        out
    }

    fn json(&self, out: &mut String) {
        out.push('[');
        for (r, row) in self.rows.iter().enumerate() {
            out.push_str(if r > 0 { ",\n  {" } else { "\n  {" });
            for (i, (column, cell)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_string(out, column);
                out.push_str(": ");
                json(out, cell);
                if timed(column) {
                    let _ = write!(out, ", \"{column}_ms\": ");
                    match cell {
                        Cell::Time(Some(ms)) => out.push_str(&ms.to_string()),
                        _ => out.push_str("null"),
                    }
                }
            }
            out.push('}');
        }
        out.push_str(if self.rows.is_empty() { "]" } else { "\n]" });
    }
}

/// Writes `bytes` as `dir/name` without ever replacing a file: into a temporary name first, then linked into place
/// (linking fails if the name exists), so a reader never sees half a file.
fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    let temp = dir.join(format!(".{name}.writing"));
    let io = |source| Error::Io { path: path.clone(), source };
    fs::write(&temp, bytes).and_then(|()| fs::File::open(&temp)?.sync_all()).map_err(io)?;
    let linked = fs::hard_link(&temp, &path).map_err(io);
    let _ = fs::remove_file(&temp);
    linked
}

impl Kindred {
    /// Writes everything this person wrote or recorded in this profile into the folder `dir` (made if missing; it
    /// must hold no file, and nothing is ever overwritten): `kindred-export.json` with it all (a format version, the
    /// member id and display name, then one list per kind) and one CSV file per kind (RFC 4180, UTF-8, a header
    /// row, times as RFC 3339 UTC and as milliseconds): their own messages in every group (erased ones left out),
    /// reactions, the groups they are in (id, name and role), goals and their progress, cheers given, check-ins and
    /// their lists, instrument results, the safety plan, group goals proposed, moderation actions taken (with the
    /// reasons given), muted members and words, and settings. Reports filed are not included: they are sealed to
    /// the group's moderators and this phone cannot read them back. Other members' words are never included; nor
    /// invitation codes held (they are keys). A folder that holds files is `InvalidInput`.
    pub fn export_mine(&self, dir: impl AsRef<Path>) -> Result<ExportSummary> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
        let mut entries = fs::read_dir(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
        if entries.next().is_some() {
            return Err(Error::invalid("export folder", "already holds files; choose an empty or a new folder"));
        }
        let profile = self.profile();
        let tables = self.read(collect)?;
        let now = now_ms();
        let mut out = format!("{{\n\"format\": \"kindred-export\",\n\"format_version\": {FORMAT_VERSION},\n");
        out.push_str("\"exported_at\": ");
        json(&mut out, &time(now));
        let _ = write!(out, ",\n\"exported_at_ms\": {now},\n\"member_id\": \"{}\",\n", profile.member_id);
        out.push_str("\"display_name\": ");
        json_string(&mut out, &profile.display_name);
        let mut summary = ExportSummary { files: Vec::new(), counts: Vec::new() };
        for table in &tables {
            let file = format!("{}.csv", table.kind);
            write_new(dir, &file, table.csv().as_bytes())?;
            let _ = write!(out, ",\n\"{}\": ", table.kind);
            table.json(&mut out);
            summary.files.push(file);
            let count = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
            summary.counts.push(ExportCount { kind: table.kind.to_owned(), count });
        }
        out.push_str("\n}\n");
        // Last: a folder with the JSON file holds the whole export.
        write_new(dir, JSON_FILE, out.as_bytes())?;
        summary.files.push(JSON_FILE.to_owned());
        Ok(summary)
    }
}

/// Every kind of the person's own records, read in one transaction.
fn collect(tx: &rusqlite::Transaction<'_>, me: &MemberId) -> Result<Vec<Table>> {
    use crate::storage::{checkins, goals, group_goals, instruments, moderation, personal, safety_plan};
    let max_page = crate::messages::MAX_PAGE;
    let summaries = groups::list(tx, me)?;
    let mut group_table = Table::new("groups", &["group_id", "name", "my_role"]);
    let mut messages = Table::new(
        "messages",
        &[
            "group_id",
            "group_name",
            "message_id",
            "created_at",
            "text",
            "content_warning",
            "reply_to",
            "edited",
            "edited_at",
            "hidden_by_moderator",
            "awaiting_approval",
        ],
    );
    let mut group_goal_table =
        Table::new("group_goals", &["goal_id", "group_id", "group_name", "title", "created_at", "ended_at"]);
    let mut moderation_table = Table::new(
        "moderation_actions",
        &["entry_id", "group_id", "kind", "at", "message_id", "member_id", "suspended_until_at", "why"],
    );
    let mut names = std::collections::HashMap::new();
    for (group, group_ref) in groups::all_groups(tx)? {
        let summary = summaries.iter().find(|s| s.id == group);
        let name = summary.map(|s| s.name.clone()).unwrap_or_default();
        let before = (messages.rows.len(), group_goal_table.rows.len(), moderation_table.rows.len());
        let mut cursor: Option<MessageCursor> = None;
        loop {
            let page = storage::messages::page(tx, group_ref, me, max_page, cursor)?;
            cursor = page.first().map(|m| m.cursor());
            for m in page.iter().filter(|m| m.is_mine && !m.removed) {
                messages.rows.push(vec![
                    hex(group),
                    name.as_str().into(),
                    hex(m.id),
                    time(m.created_at),
                    m.text.clone().into(),
                    m.content_warning.clone().into(),
                    m.reply_to.map(hex).into(),
                    m.edited_at.is_some().into(),
                    time(m.edited_at),
                    m.moderation.is_some().into(),
                    m.awaiting_approval.into(),
                ]);
            }
            if page.len() < max_page as usize {
                break;
            }
        }
        for g in group_goals::list(tx, group_ref, &group, &[], me, None)?.into_iter().filter(|g| g.created_by == *me) {
            group_goal_table.rows.push(vec![
                hex(g.id),
                hex(group),
                name.as_str().into(),
                g.title.into(),
                time(g.created_at),
                time(g.ended_at),
            ]);
        }
        for e in moderation::log(tx, group_ref, u32::MAX)?.into_iter().filter(|e| e.by == *me) {
            moderation_table.rows.push(vec![
                hex(e.id),
                hex(group),
                e.kind.as_str().into(),
                time(e.at),
                e.message_id.map(hex).into(),
                hex(e.member),
                time(e.until),
                e.why.into(),
            ]);
        }
        let mine = before != (messages.rows.len(), group_goal_table.rows.len(), moderation_table.rows.len());
        // Only the groups the person is in, or wrote in: a group's name is no one's in particular.
        if let Some(s) = summary.filter(|s| s.my_role.is_some() || mine) {
            group_table.rows.push(vec![hex(group), name.as_str().into(), s.my_role.map(|r| r.as_str()).into()]);
        }
        names.insert(group, name);
    }

    let mut reactions = Table::new("reactions", &["group_id", "group_name", "message_id", "emoji", "at"]);
    for (group, message, emoji, at) in storage::export::reactions(tx, me)? {
        let name = names.get(&group).cloned();
        reactions.rows.push(vec![hex(group), name.into(), hex(message), emoji.into(), time(at)]);
    }

    let mut goal_table = Table::new(
        "goals",
        &[
            "goal_id",
            "title",
            "shared_with_group_id",
            "group_goal_id",
            "times",
            "period",
            "weekdays",
            "status",
            "created_at",
            "updated_at",
            "total_logged",
            "skipped_days",
            "pauses",
        ],
    );
    let mut progress = Table::new("goal_progress", &["progress_id", "goal_id", "goal_title", "at", "amount", "note"]);
    let starts = period_starts(now_ms(), local_offset_minutes());
    for g in goals::list(tx, me, starts, true, None)?.into_iter().filter(|g| g.is_mine) {
        for p in goals::progress(tx, &g.id, i64::MIN, u32::MAX)?.into_iter().rev() {
            let row = vec![hex(p.id), hex(g.id), g.title.as_str().into(), time(p.at), p.amount.into(), p.note.into()];
            progress.rows.push(row);
        }
        let (skips, pauses) = goals::skips_and_pauses(tx, &g.id)?;
        // A pause as an ISO 8601 interval, `start/end` (`start/..` while it lasts).
        let pauses = pauses.into_iter().map(|(from, until)| {
            let end = until.and_then(rfc3339).unwrap_or_else(|| "..".into());
            format!("{}/{end}", rfc3339(from).unwrap_or_default())
        });
        goal_table.rows.push(vec![
            hex(g.id),
            g.title.into(),
            g.group_id.map(hex).into(),
            g.group_goal.map(hex).into(),
            g.cadence.times.into(),
            g.cadence.period.as_str().into(),
            g.cadence.weekdays.map(list).into(),
            g.status.as_str().into(),
            time(g.created_at),
            time(g.updated_at),
            g.total_logged.into(),
            list(skips),
            list(pauses),
        ]);
    }
    let mut cheers = Table::new("cheers_given", &["goal_id", "at"]);
    for (goal, at) in storage::export::cheers(tx, me)? {
        cheers.rows.push(vec![hex(goal), time(at)]);
    }

    let mut checkin_table = Table::new(
        "checkins",
        &[
            "checkin_id",
            "at",
            "utc_offset_minutes",
            "mood",
            "energy",
            "sleep_hours",
            "medication_taken",
            "emotions",
            "activities",
            "tags",
            "note",
        ],
    );
    for row in checkins::between(tx, i64::MIN, i64::MAX)? {
        let c = row.checkin;
        checkin_table.rows.push(vec![
            hex(c.id),
            time(c.at),
            i64::from(row.utc_offset_minutes).into(),
            u32::from(c.mood).into(),
            c.energy.map(u32::from).into(),
            c.sleep_hours.map_or(Cell::Null, Cell::Num),
            c.medication_taken.into(),
            list(c.emotions),
            list(c.activities),
            list(c.tags),
            c.note.into(),
        ]);
    }
    let mut choices = Table::new("checkin_choices", &["kind", "position", "label"]);
    for (kind, name) in [(ChoiceKind::Emotion, "emotion"), (ChoiceKind::Activity, "activity")] {
        for (i, label) in checkins::choices(tx, kind)?.unwrap_or_default().into_iter().enumerate() {
            choices.rows.push(vec![name.into(), i64::try_from(i).unwrap_or(i64::MAX).into(), label.into()]);
        }
    }

    let mut results = Table::new(
        "instrument_results",
        &["result_id", "instrument", "at", "answers", "score", "max_score", "percentage", "band", "flags", "crisis"],
    );
    for row in instruments::between(tx, None, i64::MIN, i64::MAX)? {
        let crate::instruments::InstrumentResult { id, at, answers, score: s } = row.result;
        results.rows.push(vec![
            hex(id),
            s.instrument.into(),
            time(at),
            list(answers.into_iter().map(u32::from)),
            s.score.into(),
            s.max_score.into(),
            s.percentage.into(),
            s.band.into(),
            list(s.flags),
            s.crisis.into(),
        ]);
    }

    let mut plan = Table::new(
        "safety_plan",
        &["item_id", "step", "heading", "position", "text", "contact", "created_at", "updated_at"],
    );
    for step in SafetyPlanStep::ALL {
        for (i, item) in safety_plan::in_step(tx, step)?.into_iter().enumerate() {
            plan.rows.push(vec![
                hex(item.id),
                step.as_str().into(),
                step.heading().into(),
                i64::try_from(i + 1).unwrap_or(i64::MAX).into(),
                item.text.into(),
                item.contact.into(),
                time(item.created_at),
                time(item.updated_at),
            ]);
        }
    }

    let mut muted = Table::new("muted_members", &["member_id", "control", "at"]);
    for m in personal::muted_members(tx)? {
        let control = control_name(&m.control);
        muted.rows.push(vec![hex(m.member), control.into(), time(m.at)]);
    }
    let mut words = Table::new("muted_words", &["word"]);
    words.rows = personal::muted_words(tx)?.into_iter().map(|w| vec![w.into()]).collect();
    let mut settings = Table::new("settings", &["setting", "value"]);
    settings.rows.push(vec!["fold_content_warnings".into(), personal::fold_warnings(tx)?.into()]);
    settings.rows.push(vec!["crisis_region".into(), storage::profile::region(tx)?.into()]);

    Ok(vec![
        group_table,
        messages,
        reactions,
        goal_table,
        progress,
        cheers,
        group_goal_table,
        checkin_table,
        choices,
        results,
        plan,
        moderation_table,
        muted,
        words,
        settings,
    ])
}

fn control_name(control: &crate::model::MemberControl) -> &'static str {
    match control {
        crate::model::MemberControl::None => "none",
        crate::model::MemberControl::Muted => "muted",
        crate::model::MemberControl::Blocked => "blocked",
    }
}
