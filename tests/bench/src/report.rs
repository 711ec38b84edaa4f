//! What the benchmark reports against its targets: each target, whether it is met, and the table printed for
//! people (the JSON is `Report` itself, in `main.rs`).

use super::*;

/// The design's targets.
const TARGET_OPEN_LARGE_MS: f64 = 100.0;
const TARGET_OPEN_LARGE_RSS_MB: f64 = 40.0;
const TARGET_OPEN_SMALL_MS: f64 = 20.0;
const TARGET_POST_P99_MS: f64 = 5.0;
/// A post's latency over the disk floor measured beside it: at the median, and at the 99th percentile.
const TARGET_POST_P50_OVER_FLOOR: f64 = 2.0;
const TARGET_POST_P99_OVER_FLOOR: f64 = 3.0;
const TARGET_SYNC_NOOP_BYTES: f64 = 400.0;
const TARGET_SYNC_CATCH_UP_BYTES: f64 = 35_000.0;
const TARGET_JOIN_RATIO: f64 = 1.2;
const TARGET_JOIN_RESENT_PCT: f64 = 10.0;
const TARGET_MAX_FRAME_BYTES: f64 = 32_768.0;
/// A relay round with nothing new: one listing request.
const TARGET_RELAY_NOOP_REQUESTS: f64 = 1.0;
/// The privacy issue's bound for a panic wipe of a 100k-message profile (its aim is 100 ms).
const TARGET_PANIC_WIPE_MS: f64 = 1000.0;

/// One design target and the figure it judges. A figure that could not be measured (NaN) does not meet it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target {
    value: f64,
    limit: f64,
    /// The figure must be strictly below the limit (beating a baseline), not just at most.
    strictly_below: bool,
}

impl Target {
    fn at_most(value: f64, limit: f64) -> Self {
        Self { value, limit, strictly_below: false }
    }

    fn below(value: f64, limit: f64) -> Self {
        Self { value, limit, strictly_below: true }
    }

    pub(super) fn met(&self) -> bool {
        if self.strictly_below { self.value < self.limit } else { self.value <= self.limit }
    }

    fn describe(&self) -> String {
        if self.strictly_below { format!("< {}", self.limit) } else { format!("<= {}", self.limit) }
    }
}

/// A figure that may be missing (its scenario failed), as a number for a target.
fn or_nan<T: Into<f64>>(value: Option<T>) -> f64 {
    value.map_or(f64::NAN, Into::into)
}

fn bytes_f64(value: Option<u64>) -> f64 {
    value.map_or(f64::NAN, |v| v as f64)
}

/// The design's targets, by name.
#[derive(Debug, Clone, Copy)]
pub(super) struct Targets {
    open_large: Target,
    rss_large: Target,
    open_small: Target,
    post_p99: Target,
    post_p50_over_floor: Target,
    post_p99_over_floor: Target,
    sync_noop: Target,
    sync_catch_up: Target,
    sync_catch_up_vs_automerge: Target,
    join_ratio: Target,
    join_resent: Target,
    max_frame: Target,
    check_draft: Target,
    trends: Target,
    panic_wipe: Target,
    relay_noop: Target,
}

impl Targets {
    pub(super) fn all(&self) -> [Target; 16] {
        [
            self.open_large,
            self.rss_large,
            self.open_small,
            self.post_p99,
            self.post_p50_over_floor,
            self.post_p99_over_floor,
            self.sync_noop,
            self.sync_catch_up,
            self.sync_catch_up_vs_automerge,
            self.join_ratio,
            self.join_resent,
            self.max_frame,
            self.check_draft,
            self.trends,
            self.panic_wipe,
            self.relay_noop,
        ]
    }
}

pub(super) fn targets(r: &Report) -> Targets {
    let s = &r.sync;
    Targets {
        open_large: Target::at_most(r.open_100k_ms, TARGET_OPEN_LARGE_MS),
        rss_large: Target::at_most(r.open_100k_peak_rss_mb, TARGET_OPEN_LARGE_RSS_MB),
        open_small: Target::at_most(r.open_10k_ms, TARGET_OPEN_SMALL_MS),
        post_p99: Target::at_most(r.post_p99_ms, TARGET_POST_P99_MS),
        post_p50_over_floor: Target::at_most(r.post_p50_over_floor, TARGET_POST_P50_OVER_FLOOR),
        post_p99_over_floor: Target::at_most(r.post_p99_over_floor, TARGET_POST_P99_OVER_FLOOR),
        sync_noop: Target::at_most(bytes_f64(s.sync_noop_5groups_bytes), TARGET_SYNC_NOOP_BYTES),
        sync_catch_up: Target::at_most(bytes_f64(s.sync_100x100_bytes), TARGET_SYNC_CATCH_UP_BYTES),
        sync_catch_up_vs_automerge: Target::below(bytes_f64(s.sync_100x100_bytes), bytes_f64(s.am_sync_100x100_bytes)),
        join_ratio: Target::at_most(or_nan(s.join_10k_ratio), TARGET_JOIN_RATIO),
        join_resent: Target::at_most(or_nan(s.join_10k_resent_pct), TARGET_JOIN_RESENT_PCT),
        max_frame: Target::at_most(bytes_f64(s.max_frame_bytes), TARGET_MAX_FRAME_BYTES),
        check_draft: Target::at_most(r.check_draft_us, crisis::TARGET_CHECK_DRAFT_US),
        trends: Target::at_most(r.trends_2y_ms, wellbeing::TARGET_TRENDS_2Y_MS),
        panic_wipe: Target::below(r.panic_wipe_100k_ms, TARGET_PANIC_WIPE_MS),
        relay_noop: Target::at_most(bytes_f64(s.relay_noop_requests), TARGET_RELAY_NOOP_REQUESTS),
    }
}

fn size_label(n: usize) -> String {
    if n.is_multiple_of(1000) { format!("{}k", n / 1000) } else { n.to_string() }
}

/// A byte count with thousands separators, or FAILED.
fn bytes_cell(value: Option<u64>) -> String {
    let Some(value) = value else { return "FAILED".to_owned() };
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cell<T>(value: Option<T>, format: impl Fn(T) -> String) -> String {
    value.map_or_else(|| "FAILED".to_owned(), format)
}

/// One line of the table.
#[derive(Debug)]
struct Row {
    metric: String,
    kindred: String,
    automerge: String,
    target: Option<Target>,
}

fn row(metric: impl Into<String>, kindred: String, automerge: impl Into<String>, target: Option<Target>) -> Row {
    Row { metric: metric.into(), kindred, automerge: automerge.into(), target }
}

fn sync_rows(r: &Report, t: &Targets) -> Vec<Row> {
    let s = &r.sync;
    let join = size_label(s.join_messages);
    let flights_and_seconds = |flights: Option<u64>, seconds: Option<f64>| match (flights, seconds) {
        (Some(flights), Some(seconds)) => format!("{flights} / {seconds:.1}"),
        _ => "FAILED".to_owned(),
    };
    vec![
        row(
            format!("sync, nothing new, {} groups, bytes (both ways)", s.sync_noop_groups),
            bytes_cell(s.sync_noop_5groups_bytes),
            format!(
                "{} (fresh state {})",
                bytes_cell(s.am_sync_noop_5groups_bytes),
                bytes_cell(s.am_sync_noop_5groups_fresh_bytes)
            ),
            Some(t.sync_noop),
        ),
        row(
            format!("  after a slot of sealed items (twice a day), {} groups, bytes", s.sync_noop_groups),
            bytes_cell(s.sync_slot_5groups_bytes),
            "-".to_owned(),
            None,
        ),
        row(
            "  flights",
            cell(s.sync_noop_5groups_flights, |f| f.to_string()),
            cell(s.am_sync_noop_5groups_flights, |f| f.to_string()),
            None,
        ),
        row(
            format!(
                "sync, catch-up {n}+{n} new msgs ({} synced before), bytes",
                size_label(s.sync_catch_up_history),
                n = s.sync_catch_up_new_per_side
            ),
            bytes_cell(s.sync_100x100_bytes),
            bytes_cell(s.am_sync_100x100_bytes),
            Some(t.sync_catch_up),
        ),
        row(
            "  below automerge's (persisted sync state)",
            bytes_cell(s.sync_100x100_bytes),
            "",
            Some(t.sync_catch_up_vs_automerge),
        ),
        row(
            "  flights / seconds at 20 KB/s",
            flights_and_seconds(s.sync_100x100_flights, s.sync_100x100_seconds_at_20000_bytes_per_s),
            flights_and_seconds(s.am_sync_100x100_flights, s.am_sync_100x100_seconds_at_20000_bytes_per_s),
            None,
        ),
        row(
            "  automerge with fresh sync state, bytes",
            "-".to_owned(),
            bytes_cell(s.am_sync_100x100_fresh_bytes),
            None,
        ),
        row(
            format!("new member joins a {join}-msg group, bytes"),
            bytes_cell(s.join_10k_bytes),
            bytes_cell(s.am_join_10k_bytes),
            None,
        ),
        row(
            "  over the group's compressed size",
            cell(s.join_10k_ratio, |x| format!("{x:.3}")),
            cell(s.am_join_10k_ratio, |x| format!("{x:.3} (of its save())")),
            Some(t.join_ratio),
        ),
        row(
            format!("  group's compressed size: sum of save(), {} docs", s.group_documents_10k.unwrap_or(0)),
            bytes_cell(s.group_compressed_bytes_10k),
            bytes_cell(s.am_join_10k_save_bytes),
            None,
        ),
        row(
            "  flights / seconds at 20 KB/s",
            flights_and_seconds(s.join_10k_flights, s.join_10k_seconds_at_20000_bytes_per_s),
            flights_and_seconds(s.am_join_10k_flights, s.am_join_10k_seconds_at_20000_bytes_per_s),
            None,
        ),
        row(
            "  its bytes at 9.6 / 20 / 64 kbit/s, s",
            match (
                s.join_10k_seconds_at_9600_bit_per_s,
                s.join_10k_seconds_at_20000_bit_per_s,
                s.join_10k_seconds_at_64000_bit_per_s,
            ) {
                (Some(a), Some(b), Some(c)) => format!("{a:.0} / {b:.0} / {c:.0}"),
                _ => "-".to_owned(),
            },
            "-",
            None,
        ),
        row(
            "  newcomer's time to verify and apply it, ms",
            cell(s.join_10k_ingest_ms, |x| format!("{x:.0}")),
            "-",
            None,
        ),
        row(
            "  largest frame / automerge message, bytes",
            bytes_cell(s.join_10k_largest_frame_bytes),
            bytes_cell(s.am_join_10k_largest_message_bytes),
            None,
        ),
        row(
            format!("  link drops every {} KiB: re-sent %", sync_side::DROP_EVERY_BYTES / 1024),
            cell(s.join_10k_resent_pct, |x| format!("{x:.1}")),
            "-",
            Some(t.join_resent),
        ),
        row(
            "    connections / bytes in all",
            format!(
                "{} / {}",
                s.join_10k_connections.map_or_else(|| "FAILED".to_owned(), |c| c.to_string()),
                bytes_cell(s.join_10k_dropping_bytes)
            ),
            "-",
            None,
        ),
        row(
            "worst input a member may send: peak RSS, MiB (honest bundle)",
            match (s.hostile_session_peak_mb, s.honest_import_peak_mb) {
                (Some(h), Some(b)) => format!("{h:.1} ({b:.1})"),
                _ => "FAILED".to_owned(),
            },
            "-",
            None,
        ),
        row(
            "relay mailbox (SeaweedFS), round with nothing new: requests",
            cell(s.relay_noop_requests, |x| x.to_string()),
            "-",
            Some(t.relay_noop),
        ),
        row(
            format!("  catch-up {n}+{n} new msgs: requests / bytes", n = s.sync_catch_up_new_per_side),
            match (s.relay_catchup_100_requests, s.relay_catchup_100_bytes) {
                (Some(r), Some(b)) => format!("{r} / {}", bytes_cell(Some(b))),
                _ => "FAILED".to_owned(),
            },
            "-",
            None,
        ),
        row(
            format!("  new member joins the {join}-msg group: requests / bytes (fetched by it)"),
            match (s.relay_join_10k_requests, s.relay_join_10k_bytes) {
                (Some(r), Some(b)) => {
                    format!("{r} / {} ({})", bytes_cell(Some(b)), bytes_cell(s.relay_join_10k_fetched_bytes))
                }
                _ => "FAILED".to_owned(),
            },
            "-",
            None,
        ),
        row(
            format!("largest frame on any link ({} connections), bytes", s.sync_connections),
            bytes_cell(s.max_frame_bytes),
            "-",
            Some(t.max_frame),
        ),
    ]
}

pub(super) fn print_table(r: &Report) {
    let (small, large) = (size_label(r.small_messages), size_label(r.large_messages));
    let t = targets(r);
    let am_us_per_msg = r.am_build_seconds * 1e6 / (r.small_messages + r.large_messages) as f64;
    let mut rows = vec![
        row(
            format!("open {large} msgs + read latest 50, median ms"),
            format!("{:.1}", r.open_100k_ms),
            format!("{:.1}", r.am_load_100k_ms),
            Some(t.open_large),
        ),
        row(
            "  of which open / read, ms",
            format!("{:.1} / {:.1}", r.open_100k_open_ms, r.open_100k_read_ms),
            format!("{:.1} / {:.1}", r.am_load_100k_load_ms, r.am_load_100k_read_ms),
            None,
        ),
        row(
            "  peak RSS of that process, MiB",
            format!("{:.1}", r.open_100k_peak_rss_mb),
            format!("{:.1}", r.am_load_100k_peak_rss_mb),
            Some(t.rss_large),
        ),
        row(
            format!("open {small} msgs + read latest 50, median ms"),
            format!("{:.1}", r.open_10k_ms),
            format!("{:.1}", r.am_load_10k_ms),
            Some(t.open_small),
        ),
        row(
            "  peak RSS of that process, MiB",
            format!("{:.1}", r.open_10k_peak_rss_mb),
            format!("{:.1}", r.am_load_10k_peak_rss_mb),
            None,
        ),
        row(
            format!("post, durable + signed, p99 ms (n={})", r.posts),
            format!("{:.2}", r.post_p99_ms),
            "-",
            Some(t.post_p99),
        ),
        row("  p50 / max, ms", format!("{:.2} / {:.2}", r.post_p50_ms, r.post_max_ms), "-", None),
        row(
            "  disk floor (4 KiB append + fdatasync), p50 / p99 ms",
            format!("{:.2} / {:.2}", r.fsync_p50_ms, r.fsync_p99_ms),
            "-",
            None,
        ),
        row("  p50 over the floor's p50", format!("{:.2}", r.post_p50_over_floor), "-", Some(t.post_p50_over_floor)),
        row("  p99 over the floor's p99", format!("{:.2}", r.post_p99_over_floor), "-", Some(t.post_p99_over_floor)),
        row(
            format!("unencrypted: open {large} / {small} msgs + read 50, median ms"),
            format!("{:.1} / {:.1}", r.open_100k_ms_plain, r.open_10k_ms_plain),
            "-",
            None,
        ),
        row(
            "unencrypted: post p50 / p99 ms (over their floor)",
            format!(
                "{:.2} / {:.2} ({:.2}x / {:.2}x)",
                r.post_p50_ms_plain, r.post_p99_ms_plain, r.post_p50_over_floor_plain, r.post_p99_over_floor_plain
            ),
            "-",
            None,
        ),
        row(
            format!("panic wipe of the open {large}-message profile, ms"),
            format!("{:.1}", r.panic_wipe_100k_ms),
            "-",
            Some(t.panic_wipe),
        ),
        row("a passphrase's Argon2id at open, median ms", format!("{:.1}", r.passphrase_kdf_ms), "-", None),
        row(
            "app-level alternative: seal + open one message's words, median us",
            format!("{:.2}", r.app_level_seal_us),
            "-",
            None,
        ),
        row(
            format!("bytes on disk per message ({large})"),
            format!("{:.0} ({:.0} unencrypted)", r.disk_bytes_per_msg, r.disk_bytes_per_msg_plain),
            format!("{:.1} (save())", r.am_save_bytes_per_msg),
            None,
        ),
        row(
            format!("generate {small} + {large} msgs, s"),
            format!("{:.1}", r.generate_seconds),
            format!("{:.1}", r.am_build_seconds),
            None,
        ),
        row("  per message, us", format!("{:.0}", r.generate_us_per_msg), format!("{am_us_per_msg:.0}"), None),
    ];
    rows.extend(sync_rows(r, &t));
    rows.push(row(
        "crisis check, 1,000-char draft, every list, median us",
        format!("{:.1}", r.check_draft_us),
        "-",
        Some(t.check_draft),
    ));
    rows.push(row(
        "trends over 2 years of daily check-ins and weekly instruments, median ms",
        format!("{:.1}", r.trends_2y_ms),
        "-",
        Some(t.trends),
    ));
    rows.push(row(
        "  the whole check_draft, offering a plan and 2 directories, us",
        format!("{:.1}", r.check_draft_offer_us),
        "-",
        None,
    ));
    rows.push(row("seal one report to one moderator, median us", format!("{:.1}", r.report_seal_us), "-", None));
    rows.push(row("erase one message in the 100k group, durable, median ms", format!("{:.2}", r.erase_ms), "-", None));
    let limit = |row: &Row| row.target.map(|t| t.describe()).unwrap_or_else(|| "-".to_owned());
    let met = |row: &Row| row.target.map(|t| if t.met() { "yes" } else { "NO" }).unwrap_or("");
    let width =
        |header: &str, cell: &dyn Fn(&Row) -> usize| rows.iter().map(cell).chain([header.len()]).max().unwrap_or(0);
    let w0 = width("metric", &|r| r.metric.len());
    let w1 = width("kindred", &|r| r.kindred.len());
    let w2 = width("automerge alone", &|r| r.automerge.len());
    let w3 = width("target", &|r| limit(r).len());
    println!(
        "kindred-bench ({}): {} / {} messages, {} posts, median of {} fresh processes per open, opt-level {}",
        if r.quick { "quick" } else { "full" },
        r.small_messages,
        r.large_messages,
        r.posts,
        r.runs,
        r.opt_level
    );
    println!("{:w0$} | {:>w1$} | {:>w2$} | {:w3$} | met", "metric", "kindred", "automerge alone", "target");
    println!("{}", "-".repeat(w0 + w1 + w2 + w3 + 15));
    for row in &rows {
        println!(
            "{:w0$} | {:>w1$} | {:>w2$} | {:w3$} | {}",
            row.metric,
            row.kindred,
            row.automerge,
            limit(row),
            met(row)
        );
    }
    println!(
        "text zlib ratio {:.2} (research baseline 0.51); data dir {} B ({} B WAL); automerge save() of {large}: {:.0} ms",
        r.text_zlib_ratio, r.disk_bytes, r.disk_wal_bytes, r.am_save_100k_ms
    );
    for failure in &r.sync.sync_failures {
        println!("SYNC FAILURE: {failure}");
    }
    let all = t.all();
    let met = all.iter().filter(|t| t.met()).count();
    println!(
        "targets met: {met} of {}{}",
        all.len(),
        if r.quick { " (quick sizes; the targets are for 10k and 100k messages and a 10k-message join)" } else { "" }
    );
}
