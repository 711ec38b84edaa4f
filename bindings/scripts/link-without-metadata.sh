#!/usr/bin/env bash
# The linker for the phone library (ELF: Linux, Android): runs the real linker with rustc's own arguments, except that
# uniffi's interface metadata (the `UNIFFI_META_*` statics, about 58 KB of data and 170 exported symbols) is left out
# of the list of exported symbols, so the linker's garbage collection drops it.
#
# Why it is safe: nothing loads that metadata at run time. uniffi-bindgen reads it to generate the Kotlin and Swift
# sources, and generate-bindings.sh reads it from the debug build, which keeps it; the generated code checks the
# library's API checksums (ordinary exported functions, kept) when it loads the library, so a mismatch still fails.
# iOS needs nothing of the kind: its static library is linked into the app, whose dead-stripping drops the metadata.
#
# Usage: as rustc's linker for the final crate only, e.g.
#   cargo rustc --release -p kindred-ffi --lib --crate-type cdylib -- -C linker=bindings/scripts/link-without-metadata.sh
# KINDRED_REAL_LINKER names the linker to run (default `cc`; an Android build sets the NDK's clang).
set -euo pipefail
args=()
for arg in "$@"; do
    if [[ "$arg" == -Wl,--version-script=* ]]; then
        list="${arg#-Wl,--version-script=}"
        filtered="$list.without-metadata"
        grep -v 'UNIFFI_META_' "$list" > "$filtered"
        arg="-Wl,--version-script=$filtered"
    fi
    args+=("$arg")
done
exec "${KINDRED_REAL_LINKER:-cc}" "${args[@]}"
