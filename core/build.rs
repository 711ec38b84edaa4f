//! Builds two things into `OUT_DIR`.
//!
//! SQLite: the SQLite3 Multiple Ciphers amalgamation (SQLite with page-level encryption), compiled with ChaCha20-Poly1305
//! as its only cipher, temporary tables and indexes in memory (so nothing of a profile is ever written to a temporary
//! file), and the options in `LIBSQLITE3_FLAGS` (`.cargo/config.toml`: what Kindred leaves out of SQLite). rusqlite's
//! `in_gecko` feature makes libsqlite3-sys link nothing itself; this static library is the SQLite the core runs on.
//!
//! Shipped texts: compresses the texts the library ships (the crisis check's phrase lists, the instruments' definitions, the schema
//! migrations) with raw DEFLATE into `OUT_DIR`, so the phone library carries about a third of their bytes; the core inflates each once, on
//! first use (`crate::shipped`). The sources stay plain text in the repository, reviewed as such.
//!
//! The storage modules' SQL statements (`src/storage/sql/queries/*.sql`, format in `crate::storage::queries`): read
//! into one text, deflated into `queries.sql.z`, with `queries.rs` naming where each statement lies in that text.

use std::io::Write as _;
use std::path::Path;

/// The shipped texts: each output file in `OUT_DIR` and its sources. Texts always read together go in one stream,
/// joined with NUL (which no text holds): one dictionary for them all deflates better (about 5 KB less for the
/// instruments and the migrations), and `crate::shipped::parts` splits them again.
const SHIPPED: &[(&str, &[&str])] = &[
    ("en.txt.z", &["src/crisis/lists/en.txt"]),
    ("es.txt.z", &["src/crisis/lists/es.txt"]),
    ("sw.txt.z", &["src/crisis/lists/sw.txt"]),
    ("guidance.txt.z", &["src/crisis/guidance.txt"]),
    (
        "instruments.txt.z",
        &[
            "src/instruments/definitions/who5.txt",
            "src/instruments/definitions/phq9.txt",
            "src/instruments/definitions/phq8.txt",
            "src/instruments/definitions/phq2.txt",
            "src/instruments/definitions/gad7.txt",
            "src/instruments/definitions/gad2.txt",
            "src/instruments/definitions/phq4.txt",
            "src/instruments/definitions/k10.txt",
            "src/instruments/definitions/k6.txt",
        ],
    ),
    (
        "migrations.sql.z",
        &[
            "src/storage/sql/v1.sql",
            "src/storage/sql/v2.sql",
            "src/storage/sql/v3.sql",
            "src/storage/sql/v4.sql",
            "src/storage/sql/v5.sql",
            "src/storage/sql/v6.sql",
            "src/storage/sql/v7.sql",
            "src/storage/sql/v8.sql",
            "src/storage/sql/v9.sql",
            "src/storage/sql/v10.sql",
            "src/storage/sql/v11.sql",
        ],
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    build_sqlite();
    let out = std::env::var("OUT_DIR")?;
    for (name, sources) in SHIPPED {
        let mut joined = Vec::new();
        for (i, source) in sources.iter().enumerate() {
            println!("cargo:rerun-if-changed={source}");
            let text = std::fs::read(source).map_err(|e| format!("reading {source}: {e}"))?;
            if text.contains(&0) {
                return Err(format!("{source} holds a NUL byte").into());
            }
            if i > 0 {
                joined.push(0);
            }
            joined.extend_from_slice(&text);
        }
        std::fs::write(Path::new(&out).join(name), deflate(&joined)?)?;
    }
    queries(Path::new(&out))?;
    println!("cargo:rerun-if-changed=build.rs");
    Ok(())
}

fn deflate(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Where the storage modules' SQL statements are: one file per module.
const QUERIES: &str = "src/storage/sql/queries";

/// One entry of a query file: its name, whether it is a fragment (part of other statements, not one itself), and its
/// text as SQLite gets it (continuations joined, fragments not yet put in).
type Entry = (String, bool, String);

/// Writes the statements of every query file, one after the other, deflated to `queries.sql.z`, and `queries.rs`:
/// a `Query` constant per statement (its name in capitals) saying where it lies in that text.
fn queries(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed={QUERIES}");
    let mut files = std::fs::read_dir(QUERIES)?.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>()?;
    files.retain(|path| path.extension().is_some_and(|e| e == "sql"));
    files.sort();
    let mut entries: Vec<Entry> = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let source = std::fs::read_to_string(path)?;
        let mut current: Option<(String, bool, Vec<&str>)> = None;
        for line in source.lines() {
            let header = match (line.strip_prefix("-- name: "), line.strip_prefix("-- fragment: ")) {
                (Some(name), _) => Some((name, false)),
                (_, Some(name)) => Some((name, true)),
                _ => None,
            };
            if let Some((name, fragment)) = header {
                if let Some(entry) = current.take() {
                    entries.push(entry_text(entry)?);
                }
                current = Some((name.trim().to_owned(), fragment, Vec::new()));
            } else if let Some((_, _, lines)) = &mut current {
                lines.push(line);
            }
        }
        if let Some(entry) = current.take() {
            entries.push(entry_text(entry)?);
        }
    }
    let mut text = String::new();
    let mut constants = String::new();
    let mut all = String::new();
    for (name, fragment, statement) in &entries {
        let ok = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok || name.is_empty() || entries.iter().filter(|(other, _, _)| other == name).count() > 1 {
            return Err(format!("{QUERIES}: the name {name:?} is not a unique lowercase identifier").into());
        }
        if *fragment {
            continue;
        }
        // Fragments put in where `{name}` stands.
        let mut expanded = statement.clone();
        for (part, _, part_text) in entries.iter().filter(|(_, fragment, _)| *fragment) {
            expanded = expanded.replace(&format!("{{{part}}}"), part_text);
        }
        if expanded.contains(['{', '}']) || expanded.trim().is_empty() {
            return Err(format!("{QUERIES}: {name} is empty or names a fragment there is not").into());
        }
        let (start, end) = (text.len(), text.len() + expanded.len());
        text.push_str(&expanded);
        let constant = name.to_ascii_uppercase();
        constants.push_str(&format!("pub(crate) const {constant}: Query = Query {{ start: {start}, end: {end} }};\n"));
        all.push_str(&format!("    (\"{name}\", {constant}),\n"));
    }
    std::fs::write(out.join("queries.sql.z"), deflate(text.as_bytes())?)?;
    let rust = format!(
        "// Generated by build.rs from {QUERIES}/*.sql.\n{constants}\n/// Every statement, by its name.\n\
         #[cfg(test)]\npub(crate) const ALL: &[(&str, Query)] = &[\n{all}];\n"
    );
    std::fs::write(out.join("queries.rs"), rust)?;
    Ok(())
}

/// An entry's lines as one text: a line ending in a backslash goes on with the next, without that line's leading
/// whitespace (as in a Rust string); trailing blank lines are not part of it.
fn entry_text((name, fragment, lines): (String, bool, Vec<&str>)) -> Result<Entry, String> {
    let joined = lines.join("\n");
    let mut text = String::new();
    let mut rest = joined.trim_end();
    while let Some(at) = rest.find('\\') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if !after.starts_with('\n') {
            return Err(format!("{QUERIES}: {name} has a backslash that does not end a line"));
        }
        rest = after.trim_start();
    }
    text.push_str(rest);
    Ok((name, fragment, text))
}

/// Options every Kindred SQLite has, before those of `LIBSQLITE3_FLAGS`.
const SQLITE_OPTIONS: &[&str] = &[
    "SQLITE_CORE",
    "SQLITE_THREADSAFE=1",
    "SQLITE_DEFAULT_FOREIGN_KEYS=1",
    "SQLITE_USE_URI",
    "HAVE_USLEEP=1",
    "HAVE_ISNAN",
    "HAVE_LOCALTIME_R",
    "_POSIX_THREAD_SAFE_FUNCTIONS",
    // Temporary tables, indexes and sorts stay in memory: an encrypted profile must never spill to a plain file.
    "SQLITE_TEMP_STORE=3",
    // One cipher: ChaCha20-Poly1305 (sqleet's scheme), with the database's random salt and a 16-byte tag per page.
    "CODEC_TYPE=CODEC_TYPE_CHACHA20",
    "HAVE_CIPHER_CHACHA20=1",
    "HAVE_CIPHER_AES_128_CBC=0",
    "HAVE_CIPHER_AES_256_CBC=0",
    "HAVE_CIPHER_SQLCIPHER=0",
    "HAVE_CIPHER_RC4=0",
    "HAVE_CIPHER_ASCON128=0",
    "HAVE_CIPHER_AEGIS=0",
    "SQLITE3MC_OMIT_AES_HARDWARE_SUPPORT",
];

fn build_sqlite() {
    let dir = sqlite3mc_src::source_dir();
    let source = dir.join(sqlite3mc_src::SOURCE_FILE);
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-env-changed=LIBSQLITE3_FLAGS");
    // SHA-2 with its loops rolled up: the cipher uses it only to derive keys, which Kindred's raw keys skip, and the
    // unrolled rounds the amalgamation selects with a hard `#if 1` cost about 13 KB of the phone library.
    let text = std::fs::read(&source).unwrap_or_default();
    let unrolled: &[u8] = b"#if 1\n#define UNROLL_LOOPS";
    let source = match text.windows(unrolled.len()).position(|w| w == unrolled) {
        Some(at) => {
            let mut rolled = text;
            rolled.splice(at..at + 5, b"#if 0".iter().copied());
            let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("sqlite3mc.c");
            match std::fs::write(&path, rolled) {
                Ok(()) => path,
                Err(_) => source,
            }
        }
        None => {
            println!("cargo:warning=sqlite3mc: the UNROLL_LOOPS switch was not found; SHA-2 stays unrolled");
            source
        }
    };
    let mut build = cc::Build::new();
    build.file(&source).include(dir).warnings(false);
    // The phone library's profile asks for the smallest code ("z"): the cc crate gives clang (Android, iOS) -Oz,
    // but gcc only -Os. gcc 12 and later know -Oz too (about 8 KB less SQLite on this host).
    if std::env::var("OPT_LEVEL").as_deref() == Ok("z") {
        build.flag_if_supported("-Oz");
    }
    for option in SQLITE_OPTIONS {
        build.flag(format!("-D{option}"));
    }
    // The authorizer callback serves only the tests' table watch (`test-support`, through rusqlite's `hooks`): about
    // 3 KB the phone library does without.
    if std::env::var_os("CARGO_FEATURE_TEST_SUPPORT").is_none() {
        build.flag("-DSQLITE_OMIT_AUTHORIZATION");
    }
    for flag in std::env::var("LIBSQLITE3_FLAGS").unwrap_or_default().split_whitespace() {
        if flag.starts_with("-D") || flag.starts_with("-U") {
            build.flag(flag);
        }
    }
    build.compile("kindred_sqlite3mc");
}
