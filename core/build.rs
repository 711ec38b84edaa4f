//! Compresses the texts the library ships (the crisis check's phrase lists, the instruments' definitions, the schema
//! migrations) with raw DEFLATE into `OUT_DIR`, so the phone library carries about a third of their bytes; the core inflates each once, on
//! first use (`crate::shipped`). The sources stay plain text in the repository, reviewed as such.

use std::io::Write as _;
use std::path::Path;

const SHIPPED: &[&str] = &[
    "src/crisis/lists/en.txt",
    "src/crisis/lists/es.txt",
    "src/crisis/lists/sw.txt",
    "src/instruments/definitions/who5.txt",
    "src/instruments/definitions/phq9.txt",
    "src/instruments/definitions/phq8.txt",
    "src/instruments/definitions/phq2.txt",
    "src/instruments/definitions/gad7.txt",
    "src/instruments/definitions/gad2.txt",
    "src/instruments/definitions/phq4.txt",
    "src/instruments/definitions/k10.txt",
    "src/instruments/definitions/k6.txt",
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
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var("OUT_DIR")?;
    for source in SHIPPED {
        println!("cargo:rerun-if-changed={source}");
        let text = std::fs::read(source).map_err(|e| format!("reading {source}: {e}"))?;
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&text)?;
        let compressed = encoder.finish()?;
        let name = Path::new(source).file_name().and_then(|n| n.to_str()).ok_or("a file name")?;
        std::fs::write(Path::new(&out).join(format!("{name}.z")), compressed)?;
    }
    println!("cargo:rerun-if-changed=build.rs");
    Ok(())
}
