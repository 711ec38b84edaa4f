//! The clinician's summary, chosen by the person: a CSV of their check-ins and instrument results, and a one-page
//! printable HTML summary of a chosen period with a chart of mood and scores over time (an inline SVG: no network, no
//! script), the instruments' bands, and only the parts the person ticked ([`SummaryParts`]).
//!
//! What never goes in, whatever is ticked: instrument answers (so never PHQ-9 item 9) and crisis flags; notes only
//! when ticked. Every text is escaped for its format: HTML-escaped in the page, and in the CSV quoted as RFC 4180 says
//! and with a leading `'` before a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Result;
use crate::instruments::{Instrument, InstrumentResult};
use crate::kindred::Kindred;
use crate::model::Checkin;
use crate::storage::checkins::CheckinRow;
use crate::time::{local_date, now_ms};
use crate::trends::{ChangeJudgement, FactorKind, Trends};
use crate::wellbeing::recent_window;

/// Which parts go into the summary (the CSV and the page alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SummaryParts {
    /// Days to cover, today included (1 to 3660).
    #[cfg_attr(feature = "uniffi", uniffi(default = 90))]
    pub days: u32,
    /// Check-ins: mood, energy, sleep, medication, emotions, activities (and the mood chart).
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub checkins: bool,
    /// Check-in notes (off unless ticked).
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub notes: bool,
    /// Instrument scores and bands (never the answers).
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub instruments: bool,
    /// What went with the person's mood (associations with activities, emotions, tags and sleep).
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub associations: bool,
}

impl Default for SummaryParts {
    fn default() -> Self {
        Self { days: 90, checkins: true, notes: false, instruments: true, associations: false }
    }
}

/// The summary's two files, for the app to save or hand over as the person chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ClinicianSummary {
    /// The CSV: one row per check-in and per instrument result, oldest first, with a header row.
    pub csv: String,
    /// The one-page HTML summary (self-contained: inline SVG and CSS, no script, no link to anything).
    pub html: String,
}

/// Escapes text for HTML (element content and attribute values alike).
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One table row of the page, each cell HTML-escaped.
fn table_row(page: &mut String, cells: &[&str]) {
    page.push_str("<tr>");
    for cell in cells {
        page.push_str("<td>");
        page.push_str(&html(cell));
        page.push_str("</td>");
    }
    page.push_str("</tr>");
}

/// One CSV cell: a cell a spreadsheet would run as a formula gets a leading `'`, and a cell holding a comma, a
/// quote or a line break is quoted with its quotes doubled.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `YYYY-MM-DD` and `HH:MM` of a time in the person's calendar when it was recorded.
fn date_time(at: i64, offset_minutes: i32) -> (String, String) {
    let local = chrono::DateTime::from_timestamp_millis(at + i64::from(offset_minutes) * 60_000).map(|d| d.naive_utc());
    match local {
        Some(d) => {
            (d.date().to_string(), format!("{:02}:{:02}", chrono::Timelike::hour(&d), chrono::Timelike::minute(&d)))
        }
        None => (String::new(), String::new()),
    }
}

const CSV_HEADER: &str = "date,time,record,mood,energy,sleep_hours,medication_taken,emotions,activities,tags,note,\
                          instrument,score,max_score,percentage,band,flags";

/// One CSV line: the cells, each escaped ([`cell`]), separated by commas.
fn csv_line(cells: &[&str]) -> String {
    let mut line = String::new();
    for (i, text) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&cell(text));
    }
    line
}

fn checkin_csv(row: &CheckinRow, parts: &SummaryParts) -> String {
    let c = &row.checkin;
    let (date, time) = date_time(c.at, row.utc_offset_minutes);
    let note = if parts.notes { c.note.as_deref().unwrap_or_default() } else { "" };
    let energy = c.energy.map(|e| e.to_string()).unwrap_or_default();
    let sleep = c.sleep_hours.map(num).unwrap_or_default();
    let medication = c.medication_taken.map(|m| if m { "yes" } else { "no" }).unwrap_or_default();
    let mut line = csv_line(&[
        &date,
        &time,
        "checkin",
        &c.mood.to_string(),
        &energy,
        &sleep,
        medication,
        &c.emotions.join("; "),
        &c.activities.join("; "),
        &c.tags.join("; "),
        note,
    ]);
    line.push_str(",,,,,,");
    line
}

fn result_csv(result: &InstrumentResult, offset_minutes: i32, title: &str, flags: &[String]) -> String {
    let (date, time) = date_time(result.at, offset_minutes);
    let s = &result.score;
    let percentage = s.percentage.map(|p| p.to_string()).unwrap_or_default();
    csv_line(&[
        &date,
        &time,
        "instrument",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        title,
        &s.score.to_string(),
        &s.max_score.to_string(),
        &percentage,
        s.band.as_deref().unwrap_or_default(),
        &flags.join("; "),
    ])
}

/// The flags of a result that may leave the phone: every raised flag but the crisis ones.
fn shareable_flags(result: &InstrumentResult, definition: Option<&Instrument>) -> Vec<String> {
    let crisis: Vec<&str> =
        definition.map(|d| d.flags.iter().filter(|f| f.crisis).map(|f| f.label.as_str()).collect()).unwrap_or_default();
    result.score.flags.iter().filter(|f| !crisis.contains(&f.as_str())).cloned().collect()
}

/// The colours of the instruments' marks in the chart and its legend, in the instruments' order.
const COLOURS: [&str; 5] = ["#b5477e", "#d68a1f", "#2f8f5b", "#7a5cc7", "#8a6d3b"];

/// The chart: daily mood (1-5) and each instrument's scores as a share of its range, over the period's days.
fn chart(
    days: u32,
    first_day: chrono::NaiveDate,
    trends: &Trends,
    parts: &SummaryParts,
    definitions: &[Instrument],
) -> String {
    const W: f64 = 680.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 40.0;
    const TOP: f64 = 10.0;
    const PLOT_W: f64 = W - LEFT - 10.0;
    const PLOT_H: f64 = H - TOP - 30.0;
    let span = f64::from(days.max(2) - 1);
    let x = |day: chrono::NaiveDate| LEFT + (day - first_day).num_days() as f64 / span * PLOT_W;
    let y = |share: f64| TOP + (1.0 - share.clamp(0.0, 1.0)) * PLOT_H;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" \
         aria-label=\"Mood and scores over time\">"
    );
    // The frame and the mood grid (1 at the bottom to 5 at the top): fixed, so written out once.
    svg.push_str(
        "<rect x=\"40\" y=\"10\" width=\"630\" height=\"180\" fill=\"#fafafa\" stroke=\"#bbb\"/>\
         <path d=\"M40 190H670M40 145H670M40 100H670M40 55H670M40 10H670\" stroke=\"#e3e3e3\"/>\
         <g font-size=\"10\" text-anchor=\"end\"><text x=\"34\" y=\"193\">1</text><text x=\"34\" y=\"148\">2</text>\
         <text x=\"34\" y=\"103\">3</text><text x=\"34\" y=\"58\">4</text><text x=\"34\" y=\"13\">5</text></g>",
    );
    let last_day = first_day + chrono::Duration::days(i64::from(days) - 1);
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"{}\" font-size=\"10\">{first_day}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{last_day}</text>",
        H - 8.0,
        LEFT + PLOT_W,
        H - 8.0
    );
    if parts.checkins {
        let points: Vec<String> = trends
            .daily
            .iter()
            .filter_map(|d| crate::time::parse_day(&d.period_start).map(|day| (day, d.mood)))
            .map(|(day, mood)| format!("{:.1},{:.1}", x(day), y((mood - 1.0) / 4.0)))
            .collect();
        if !points.is_empty() {
            let _ = write!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#2a6fb0\" stroke-width=\"2\"/>",
                points.join(" ")
            );
        }
        // A mark on each day too, so a single day (or days far apart) still shows.
        for point in &points {
            if let Some((cx, cy)) = point.split_once(',') {
                let _ = write!(svg, "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"2.5\" fill=\"#2a6fb0\"/>");
            }
        }
    }
    if parts.instruments {
        for (i, t) in trends.instruments.iter().enumerate() {
            let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#555");
            let (low, high) = definitions
                .iter()
                .find(|d| d.id == t.instrument)
                .map_or((0.0, 1.0), |d| (f64::from(d.min_score), f64::from(d.max_score.max(d.min_score + 1))));
            for p in &t.points {
                let offset = crate::time::local_offset_minutes();
                let day = local_date(p.at, offset);
                let share = (f64::from(p.score) - low) / (high - low);
                let _ =
                    write!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"/>", x(day), y(share));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

impl Kindred {
    /// The clinician's summary of the last `parts.days` days, with only the parts ticked in `parts`: a CSV and a
    /// one-page printable HTML page, built on this phone and returned for the app to save or hand over. Instrument
    /// answers and crisis flags are never in it; notes only when ticked. Fails with `InvalidInput` for `days`
    /// outside 1 to 3660.
    pub fn clinician_summary(&self, parts: &SummaryParts) -> Result<ClinicianSummary> {
        // One read serves the CSV, the page and its trends; the window is the one `trends` uses.
        let (since, _) = recent_window(parts.days)?;
        let (rows, results) = self.records(parts.days)?;
        let trends = self.trends_of(parts.days, &rows, &results);
        let definitions = self.instruments(None);
        let definition = |id: &str| definitions.iter().find(|d| d.id == id);
        let first_day = local_date(since, crate::time::local_offset_minutes());

        // The CSV: check-ins and results, oldest first.
        let mut csv_rows: Vec<(i64, String)> = Vec::new();
        if parts.checkins {
            csv_rows.extend(rows.iter().map(|r| (r.checkin.at, checkin_csv(r, parts))));
        }
        if parts.instruments {
            for r in &results {
                let d = definition(&r.result.score.instrument);
                let title = d.map_or(r.result.score.instrument.as_str(), |d| d.title.as_str());
                let flags = shareable_flags(&r.result, d);
                csv_rows.push((r.result.at, result_csv(&r.result, r.utc_offset_minutes, title, &flags)));
            }
        }
        crate::sorting::sort_by_u64_key(&mut csv_rows, |(at, _)| crate::sorting::time_key(*at));
        let mut csv = format!("{CSV_HEADER}\r\n");
        for (_, line) in csv_rows {
            csv.push_str(&line);
            csv.push_str("\r\n");
        }

        let html = self.summary_page(parts, &trends, &rows, first_day, &definitions)?;
        Ok(ClinicianSummary { csv, html })
    }

    fn summary_page(
        &self,
        parts: &SummaryParts,
        trends: &Trends,
        rows: &[CheckinRow],
        first_day: chrono::NaiveDate,
        definitions: &[Instrument],
    ) -> Result<String> {
        let name = self.profile().display_name;
        let today = local_date(now_ms(), crate::time::local_offset_minutes());
        let mut page = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
             <title>Wellbeing summary</title><style>\
             body{font-family:sans-serif;margin:18mm;color:#222;font-size:11pt}h1{font-size:16pt;margin:0 0 4px}\
             h2{font-size:12pt;margin:14px 0 4px;border-bottom:1px solid #ccc}table{border-collapse:collapse;width:100%}\
             td,th{border:1px solid #ddd;padding:3px 5px;text-align:left;font-size:9.5pt}.muted{color:#666;font-size:9pt}\
             @page{size:A4;margin:12mm}@media print{body{margin:0}}</style></head><body>\n",
        );
        let _ = writeln!(
            page,
            "<h1>Wellbeing summary</h1><p class=\"muted\">{} &middot; {first_day} to {today} ({} days) &middot; made on \
             the person's phone, with the parts they chose</p>",
            html(&name),
            parts.days
        );
        if parts.checkins || parts.instruments {
            page.push_str("<h2>Mood and scores over time</h2>\n");
            page.push_str(&chart(parts.days, first_day, trends, parts, definitions));
            let mut legend = String::from(
                "<p class=\"muted\"><span style=\"color:#2a6fb0\">&#9679; daily mood</span> (1 very low to 5 very good)",
            );
            if parts.instruments {
                for (i, t) in trends.instruments.iter().enumerate() {
                    let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#555");
                    let _ =
                        write!(legend, " &middot; <span style=\"color:{colour}\">&#9679; {}</span>", html(&t.title));
                }
                if !trends.instruments.is_empty() {
                    legend.push_str(" (each as a share of its range, lowest to highest score)");
                }
            }
            legend.push_str("</p>\n");
            page.push_str(&legend);
        }
        if parts.checkins {
            let days = trends.checkin_days;
            let moods: Vec<f64> = rows.iter().map(|r| f64::from(r.checkin.mood)).collect();
            let mean = if moods.is_empty() { 0.0 } else { moods.iter().sum::<f64>() / moods.len() as f64 };
            let taken = rows.iter().filter(|r| r.checkin.medication_taken == Some(true)).count();
            let said = rows.iter().filter(|r| r.checkin.medication_taken.is_some()).count();
            let _ = writeln!(
                page,
                "<h2>Check-ins</h2><p>{} on {}; mood averaged {}.{}</p>",
                plural(rows.len(), "check-in"),
                plural(days as usize, "day"),
                num(mean),
                if said > 0 {
                    format!(" Medication taken on {taken} of {said} check-ins that say.")
                } else {
                    String::new()
                }
            );
            page.push_str(
                "<table><tr><th>Month</th><th>Check-ins</th><th>Mood</th><th>Energy</th><th>Sleep (h)</th></tr>",
            );
            for m in &trends.monthly {
                let energy = m.energy.map(num).unwrap_or_else(|| "-".into());
                let sleep = m.sleep_hours.map(num).unwrap_or_else(|| "-".into());
                table_row(&mut page, &[&m.period_start, &m.checkins.to_string(), &num(m.mood), &energy, &sleep]);
            }
            page.push_str("</table>\n");
            if parts.notes {
                let notes: Vec<&Checkin> = rows.iter().map(|r| &r.checkin).filter(|c| c.note.is_some()).collect();
                if !notes.is_empty() {
                    page.push_str("<h2>Notes</h2><table>");
                    for c in notes {
                        let (date, _) = date_time(c.at, crate::time::local_offset_minutes());
                        table_row(&mut page, &[&date, c.note.as_deref().unwrap_or_default()]);
                    }
                    page.push_str("</table>\n");
                }
            }
        }
        if parts.instruments && !trends.instruments.is_empty() {
            page.push_str("<h2>Instruments</h2><table><tr><th>Instrument</th><th>Results</th><th>Latest</th><th>Change</th><th>Bands</th></tr>");
            for t in &trends.instruments {
                let latest = t.points.last();
                let bands = definitions
                    .iter()
                    .find(|d| d.id == t.instrument)
                    .map(|d| {
                        d.bands
                            .iter()
                            .map(|b| format!("{}-{} {}", b.min, b.max, b.label))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let judged = match t.judgement {
                    ChangeJudgement::Improved => "meaningfully better",
                    ChangeJudgement::Worsened => "meaningfully worse",
                    ChangeJudgement::NoMeaningfulChange => "no meaningful change",
                    ChangeJudgement::NoThreshold => "not judged",
                    ChangeJudgement::OneResult => "one result",
                };
                let latest_text = latest.map_or_else(String::new, |p| {
                    let mut s = p.score.to_string();
                    if let Some(pc) = p.percentage {
                        let _ = write!(s, " ({pc}%)");
                    }
                    if let Some(b) = &p.band {
                        let _ = write!(s, ", {b}");
                    }
                    s
                });
                let change = format!("{:+} ({judged})", t.change);
                let bands = if bands.is_empty() { "-" } else { bands.as_str() };
                table_row(&mut page, &[&t.title, &t.points.len().to_string(), &latest_text, &change, bands]);
            }
            page.push_str("</table>\n");
        }
        if parts.associations && !trends.associations.is_empty() {
            page.push_str(
                "<h2>What went with mood</h2><p class=\"muted\">On the person's own days; not causes.</p><table>",
            );
            for a in &trends.associations {
                let figures = format!(
                    "mood {} on {} days with; {} on {} days without",
                    num(a.mood_with),
                    a.days_with,
                    num(a.mood_without),
                    a.days_without
                );
                let what = match a.kind {
                    FactorKind::Activity => a.label.clone(),
                    FactorKind::Emotion => format!("felt {}", a.label),
                    FactorKind::Tag => format!("tagged {}", a.label),
                    FactorKind::Sleep => format!("slept {}", a.label),
                };
                table_row(&mut page, &[&what, &figures]);
            }
            page.push_str("</table>\n");
        }
        page.push_str("</body></html>\n");
        Ok(page)
    }
}

#[cfg(test)]
mod tests;
