#!/usr/bin/env bash
# Builds the library that ships inside the apps: kindred-ffi as a cdylib with the size-tuned `release` profile
# (fat LTO, opt-level "z", stripped, panic = "unwind"), then prints its path and size.
#
# Usage: bindings/scripts/build-release-library.sh
#   Builds for this computer. The library's path is the only line on stdout; the build log and the size go to
#   stderr. tests/run-all.sh checks the size against the 4 MiB budget. (Phone builds run the same cargo command with
#   a target: android/build.gradle.kts, ios/build-xcframework.sh.)
#
# Why `cargo rustc --crate-type cdylib` and not `cargo build`: kindred-ffi's crate types are cdylib, staticlib and
# lib, and rustc cannot run LTO for a build that also emits an rlib, so for such a package cargo silently drops
# `lto = "fat"` from the profile. Asking for the cdylib alone gets the profile's LTO; without it the library is
# about 20% larger (4.38 MB instead of 3.61 MB on x86_64 Linux).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

cd "$root"
# uniffi's interface metadata is left out of the shipped library (see link-without-metadata.sh).
cargo rustc --release -p kindred-ffi --lib --crate-type cdylib -- -C linker="$root/bindings/scripts/link-without-metadata.sh" >&2

dir="${CARGO_TARGET_DIR:-$root/target}/release"
lib=""
for name in libkindred_ffi.so libkindred_ffi.dylib kindred_ffi.dll; do
    [[ -f "$dir/$name" ]] && lib="$dir/$name" && break
done
[[ -n "$lib" ]] || { echo "error: no kindred_ffi library in $dir" >&2; exit 1; }

# A shared library links even with undefined symbols (a C option that compiles a function out while a caller stays),
# and then fails only when an app loads it: refuse that here, where the host's dynamic linker can tell.
if command -v ldd > /dev/null && [[ "$lib" == *.so ]]; then
    undefined=$(ldd -r "$lib" 2>&1 | grep "undefined symbol" || true)
    [[ -z "$undefined" ]] || { echo "error: $lib has undefined symbols:" >&2; echo "$undefined" >&2; exit 1; }
fi

bytes=$(wc -c <"$lib")
gz=$(gzip -9 -c "$lib" | wc -c)
echo "$lib: $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }') MiB; $gz bytes gzipped)" >&2
echo "$lib"
