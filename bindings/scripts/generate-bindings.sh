#!/usr/bin/env bash
# Builds the kindred-ffi library for this machine and generates its Kotlin and Swift sources (uniffi library mode),
# with the generator from this workspace so its version always matches the runtime's.
#
# Usage: bindings/scripts/generate-bindings.sh [--release] [OUT_DIR]
#   OUT_DIR defaults to target/bindings. Afterwards it holds:
#     lib/libkindred_ffi.so                the host library (JNA and SwiftPM link against it)
#     kotlin/org/kindred/core/kindred.kt   generated Kotlin
#     swift/KindredCore.swift, swift/KindredFFI.h, swift/module.modulemap   generated Swift and its C module
# Generated sources are build outputs: never commit them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
profile=debug
cargo_flags=()
if [[ "${1:-}" == "--release" ]]; then
    profile=release
    cargo_flags=(--release)
    shift
fi
out="${1:-$root/target/bindings}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cd "$root"
# The library alone, without the generator's `cli` feature.
cargo build -p kindred-ffi "${cargo_flags[@]}"
lib="$root/target/$profile/libkindred_ffi.so"
cargo build -p kindred-uniffi-bindgen
bindgen="$root/target/debug/uniffi-bindgen"

rm -rf "$out/kotlin" "$out/swift" "$out/lib"
mkdir -p "$out/lib"
cp "$lib" "$out/lib/"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" --no-format
# SwiftPM wants the C module's map under this exact name, linking the library.
sed 's/^}$/    link "kindred_ffi"\n}/' "$out/swift/KindredFFI.modulemap" > "$out/swift/module.modulemap"
rm "$out/swift/KindredFFI.modulemap"
echo "bindings generated in $out"
