#!/usr/bin/env bash
# Runs every Kindred test: the Rust workspace (unit, integration, scenario, durability and CLI tests), lints, and a
# short benchmark smoke run. Safe to run twice; installs nothing it does not need.
#
# Usage: tests/run-all.sh            (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n=== %s ===\n' "$*"; }

section "Rust toolchain"
command -v cargo >/dev/null || { echo "error: cargo not found; install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
cargo --version
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

section "Rust tests (workspace)"
cargo test --workspace --all-targets
cargo test --workspace --doc

section "Lints (clippy, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

section "Benchmark smoke run (quick sizes; the real figures come from: cargo run --release -p kindred-bench)"
cargo run -p kindred-bench -- --quick --json | tail -n 1

section "All tests passed"
