//! Formatting shared by the commands' human output: times, short ids, cadences, reactions, numbers and aligned
//! tables. Each command composes its own text from these; JSON output goes through `Ctx::render` instead.

use std::fmt::Display;

use chrono::{DateTime, Local};
use kindred_core::{Cadence, CadencePeriod, ReactionCount};

/// Appends `line` and a newline to `out`.
pub fn push_line(out: &mut String, line: impl AsRef<str>) {
    out.push_str(line.as_ref());
    out.push('\n');
}

/// A time as people read it in a list, in the local time zone: `Tue 12 Nov 14:03`.
pub fn when(ms: i64) -> String {
    local(ms, "%a %d %b %H:%M")
}

/// A local calendar date: `2026-11-12`.
pub fn date(ms: i64) -> String {
    local(ms, "%Y-%m-%d")
}

fn local(ms: i64, format: &str) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(utc) => utc.with_timezone(&Local).format(format).to_string(),
        None => format!("@{ms}"),
    }
}

/// The first 8 characters of an id: enough to tell items apart, and accepted back wherever an id is.
pub fn short(id: &impl Display) -> String {
    id.to_string().chars().take(8).collect()
}

/// "once a day", "twice a week", "3 times a month".
pub fn cadence(c: &Cadence) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let times = match c.times {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    };
    if let Some(weekdays) = c.weekdays.as_ref().filter(|w| !w.is_empty()) {
        let days: Vec<&str> =
            weekdays.iter().filter_map(|d| DAYS.get((*d as usize).wrapping_sub(1))).copied().collect();
        return format!("{times} on {}", days.join(", "));
    }
    let period = match c.period {
        CadencePeriod::Day => "day",
        CadencePeriod::Week => "week",
        CadencePeriod::Month => "month",
    };
    format!("{times} a {period}")
}

/// The current period of a cadence, as a phrase: "today", "this week", "this month".
pub fn this_period(period: CadencePeriod) -> &'static str {
    match period {
        CadencePeriod::Day => "today",
        CadencePeriod::Week => "this week",
        CadencePeriod::Month => "this month",
    }
}

/// `❤️ 2  👍 1`.
pub fn reactions(reactions: &[ReactionCount]) -> String {
    reactions.iter().map(|r| format!("{} {}", r.emoji, r.count)).collect::<Vec<_>>().join("  ")
}

/// A number with at most two decimals and no trailing zeros: `7.5`, `3.25`, `8`.
pub fn num(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// A whole number with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and a noun, singular for one: `1 change`, `12 changes` (nouns with a plain plural `s`).
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", count(n)) }
}

/// A number of bytes as people read it: `812 B`, `14.2 KB`, `3.1 MB` (powers of 1000, like network speeds).
pub fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// An optional number, or a dash.
pub fn opt_num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), num)
}

/// Every line of `text` with `prefix` before it (blank lines stay blank).
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| if l.is_empty() { String::new() } else { format!("{prefix}{l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many terminal columns `text` takes, roughly (one per character).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` padded with spaces to `width` columns.
pub fn pad(text: &str, to: usize) -> String {
    format!("{text}{}", " ".repeat(to.saturating_sub(width(text))))
}

/// How a table column lines up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table with a header row, columns separated by two spaces and no trailing blanks.
#[derive(Debug)]
pub struct Table {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&'static str, Align)]) -> Self {
        Self { columns: columns.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table's lines, each ending in a newline.
    pub fn render(&self) -> String {
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (header, _))| {
                self.rows.iter().filter_map(|row| row.get(i)).map(|cell| width(cell)).fold(width(header), usize::max)
            })
            .collect();
        let header: Vec<String> = self.columns.iter().map(|(h, _)| (*h).to_owned()).collect();
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&self.rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(self.columns.iter().zip(&widths))
                .map(|(cell, ((_, align), w))| match align {
                    Align::Left => pad(cell, *w),
                    Align::Right => format!("{}{cell}", " ".repeat(w.saturating_sub(width(cell)))),
                })
                .collect();
            push_line(&mut out, cells.join("  ").trim_end());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(num(7.5), "7.5");
        assert_eq!(num(8.0), "8");
        assert_eq!(num(3.254), "3.25");
        assert_eq!(opt_num(None), "-");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(bytes(812), "812 B");
        assert_eq!(plural(1, "change"), "1 change");
        assert_eq!(plural(1200, "frame"), "1,200 frames");
        assert_eq!(bytes(14_230), "14.2 KB");
    }

    #[test]
    fn tables_align_columns_without_trailing_blanks() {
        let mut table = Table::new(&[("NAME", Align::Left), ("N", Align::Right), ("ID", Align::Left)]);
        table.row(vec!["Tuesday circle".into(), "12".into(), "ab".into()]);
        table.row(vec!["Me".into(), "3".into(), String::new()]);
        assert_eq!(table.render(), "NAME             N  ID\nTuesday circle  12  ab\nMe               3\n");
    }

    #[test]
    fn cadences_read_naturally() {
        assert_eq!(cadence(&Cadence::new(1, CadencePeriod::Day)), "once a day");
        assert_eq!(cadence(&Cadence::new(3, CadencePeriod::Week)), "3 times a week");
        assert_eq!(cadence(&Cadence::on_weekdays(1, &[1, 3, 5])), "once on Mon, Wed, Fri");
    }
}
