//! Export of one's own data: everything this person wrote or recorded in the profile, as one JSON file and one CSV
//! file per kind, for them to keep, read or take elsewhere. Other members' words never go in: of a group, only its
//! id and name; of others' messages and goals, only the ids one's reactions and cheers point at.
//!
//! Each kind is one SQL query of `storage::export`, read in one transaction (one consistent snapshot); its columns
//! are named as the files name them, and a name's ending says how the value is written: `at` and `..._at` are times
//! (RFC 3339 UTC, and milliseconds under `..._ms`), `...?` yes/no, `...[]` a list (items the storage keeps apart with
//! U+001F, or a blob's bytes as numbers); other blobs are ids, in hex. JSON and CSV are written by hand (a few lines
//! each): serde_json and a CSV crate would cost the phone library room it does not have, and so did an export built
//! on the public read methods (about 60 KB of it, measured).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use serde::Serialize;

use rusqlite::types::Value;

use crate::error::{Error, Result};
use crate::files::write_new;
use crate::kindred::Kindred;
use crate::storage;
use crate::time::now_ms;

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

/// How a column's values are written, from its name's ending.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Time,
    Bool,
    List,
}

/// A column: its name in the files and how its values are written.
struct Column {
    name: String,
    form: Form,
}

impl Column {
    fn new(sql_name: &str) -> Self {
        let (name, form) = if let Some(name) = sql_name.strip_suffix('?') {
            (name, Form::Bool)
        } else if let Some(name) = sql_name.strip_suffix("[]") {
            (name, Form::List)
        } else if sql_name == "at" || sql_name.ends_with("_at") {
            (sql_name, Form::Time)
        } else {
            (sql_name, Form::Plain)
        };
        Column { name: name.to_owned(), form }
    }
}

/// A value as JSON (`csv` false) or as a CSV field's text (`csv` true: no quotes around text, nothing for null).
fn write_value(out: &mut String, column: &Column, value: &Value, csv: bool) {
    match (column.form, value) {
        (_, Value::Null) | (Form::Time, Value::Integer(0)) => {
            if !csv {
                out.push_str("null");
            }
        }
        (Form::Time, Value::Integer(ms)) => match rfc3339(*ms) {
            Some(text) if csv => out.push_str(&text),
            Some(text) => json_string(out, &text),
            None if csv => {}
            None => out.push_str("null"),
        },
        (Form::Bool, Value::Integer(n)) => out.push_str(if *n != 0 { "true" } else { "false" }),
        (Form::List, _) => {
            // A list is its JSON text in a CSV field too, which keeps items apart whatever they hold.
            out.push('[');
            match value {
                Value::Blob(bytes) => {
                    for (i, b) in bytes.iter().enumerate() {
                        let _ = write!(out, "{}{b}", if i > 0 { "," } else { "" });
                    }
                }
                Value::Text(text) => {
                    for (i, item) in text.split('\u{1f}').filter(|t| !t.is_empty()).enumerate() {
                        out.push_str(if i > 0 { "," } else { "" });
                        json_string(out, item);
                    }
                }
                _ => {}
            }
            out.push(']');
        }
        (_, Value::Integer(n)) => {
            let _ = write!(out, "{n}");
        }
        (_, Value::Real(x)) if x.is_finite() => {
            let _ = write!(out, "{x}");
        }
        (_, Value::Real(_)) => {}
        (_, Value::Text(text)) if csv => out.push_str(text),
        (_, Value::Text(text)) => json_string(out, text),
        (_, Value::Blob(bytes)) if bytes.is_empty() => {
            if !csv {
                out.push_str("null");
            }
        }
        (_, Value::Blob(bytes)) if csv => out.push_str(&hex::encode(bytes)),
        (_, Value::Blob(bytes)) => json_string(out, &hex::encode(bytes)),
    }
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

/// The records of one kind.
struct Table {
    kind: &'static str,
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
}

impl Table {
    fn csv(&self) -> String {
        let mut out = String::new();
        for (i, column) in self.columns.iter().enumerate() {
            let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, column.name);
            if column.form == Form::Time {
                let _ = write!(out, ",{}_ms", column.name);
            }
        }
        out.push_str("\r\n");
        let mut field = String::new();
        for row in &self.rows {
            for (i, (column, value)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                field.clear();
                write_value(&mut field, column, value, true);
                // RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
                if field.contains([',', '"', '\n', '\r']) {
                    let _ = write!(out, "\"{}\"", field.replace('"', "\"\""));
                } else {
                    out.push_str(&field);
                }
                if column.form == Form::Time {
                    out.push(',');
                    if let Value::Integer(ms) = value
                        && *ms != 0
                    {
                        let _ = write!(out, "{ms}");
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
            for (i, (column, value)) in self.columns.iter().zip(row).enumerate() {
                let _ = write!(out, "{}\"{}\": ", if i > 0 { ", " } else { "" }, column.name);
                write_value(out, column, value, false);
                if column.form == Form::Time {
                    let _ = write!(out, ", \"{}_ms\": ", column.name);
                    match value {
                        Value::Integer(ms) if *ms != 0 => {
                            let _ = write!(out, "{ms}");
                        }
                        _ => out.push_str("null"),
                    }
                }
            }
            out.push('}');
        }
        out.push_str(if self.rows.is_empty() { "]" } else { "\n]" });
    }
}

impl Kindred {
    /// Writes everything this person wrote or recorded in this profile into the folder `dir` (made if missing; it
    /// must hold no file, and nothing is ever overwritten): `kindred-export.json` with it all (a format version, the
    /// member id and display name, then one list per kind) and one CSV file per kind (RFC 4180, UTF-8, a header
    /// row, times as RFC 3339 UTC and as milliseconds): the groups they are in (id, name and role), their own
    /// messages in every group (erased ones left out), reactions, goals with their progress, skipped days and pauses,
    /// cheers given, group goals proposed, check-ins and their lists, instrument results, the safety plan,
    /// moderation actions taken (with the reasons given), muted members and words, and settings. Reports filed are
    /// not included: they are sealed to the group's moderators and this phone cannot read them back. Other members'
    /// words are never included; nor invitation codes held (they are keys). A folder that holds files is
    /// `InvalidInput`.
    pub fn export_mine(&self, dir: impl AsRef<Path>) -> Result<ExportSummary> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| Error::io(dir.to_owned(), source))?;
        let mut entries = fs::read_dir(dir).map_err(|source| Error::io(dir.to_owned(), source))?;
        if entries.next().is_some() {
            return Err(Error::invalid("export folder", "already holds files; choose an empty or a new folder"));
        }
        let profile = self.profile();
        let me = profile.member_id;
        let tables = self.read(|tx, _| {
            let mut tables = Vec::new();
            for (kind, query) in storage::export::KINDS {
                let (names, rows) = storage::export::rows(tx, query, &me)?;
                tables.push(Table { kind, columns: names.iter().map(|n| Column::new(n)).collect(), rows });
            }
            Ok(tables)
        })?;
        let now = now_ms();
        let mut out = format!("{{\n\"format\": \"kindred-export\",\n\"format_version\": {FORMAT_VERSION},\n");
        out.push_str("\"exported_at\": ");
        json_string(&mut out, &rfc3339(now).unwrap_or_default());
        let _ = write!(out, ",\n\"exported_at_ms\": {now},\n\"member_id\": \"{me}\",\n\"display_name\": ");
        json_string(&mut out, &profile.display_name);
        let mut summary = ExportSummary { files: Vec::new(), counts: Vec::new() };
        for table in &tables {
            let file = format!("{}.csv", table.kind);
            write_new(&dir.join(&file), table.csv().as_bytes())?;
            let _ = write!(out, ",\n\"{}\": ", table.kind);
            table.json(&mut out);
            summary.files.push(file);
            let count = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
            summary.counts.push(ExportCount { kind: table.kind.to_owned(), count });
        }
        out.push_str("\n}\n");
        // Last: a folder with the JSON file holds the whole export.
        write_new(&dir.join(JSON_FILE), out.as_bytes())?;
        summary.files.push(JSON_FILE.to_owned());
        Ok(summary)
    }
}
