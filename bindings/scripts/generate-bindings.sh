#!/usr/bin/env bash
# Builds the kindred-ffi library for this machine and generates its Kotlin and Swift sources (uniffi library mode),
# with the generator from this workspace so its version always matches the runtime's.
#
# Usage: bindings/scripts/generate-bindings.sh [--release] [OUT_DIR]
#   --release: put the release library, as it ships, in lib/ instead of the debug build.
#   OUT_DIR defaults to target/bindings (under CARGO_TARGET_DIR when that is set). Afterwards it holds:
#     lib/libkindred_ffi.so                the host library (JNA and SwiftPM link against it)
#     kotlin/org/kindred/core/kindred.kt   generated Kotlin: kindred-ffi's objects, error and input records
#     kotlin/org/kindred/core/model/kindred_core.kt   generated Kotlin: the core's records, enums and ids
#     swift/KindredCore.swift, swift/KindredModel.swift   generated Swift, both for the one module KindredCore
#     swift/KindredFFI.h, swift/KindredModelFFI.h, swift/module.modulemap   their C module, KindredFFI
# uniffi generates one component per crate that derives its traits: kindred-ffi, and kindred-core (its `uniffi`
# feature; see core/uniffi.toml). Generated sources are build outputs: never commit them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
release=0
if [[ "${1:-}" == "--release" ]]; then
    release=1
    shift
fi
# Cargo's output directory: CARGO_TARGET_DIR when set (a shared build cache), else the repository's target/.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="${1:-$target_dir/bindings}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cd "$root"
# The library alone, without the generator's `cli` feature. The generator reads the interface from the debug build's
# symbol table (the release library is stripped); the interface is the same in every profile, and the generated code
# checks the library's API checksums when it loads it. With --release, the library copied next to the sources is the
# one that ships (see build-release-library.sh).
cargo build -p kindred-ffi
lib="$target_dir/debug/libkindred_ffi.so"
shipped="$lib"
if ((release)); then
    shipped="$("$root/bindings/scripts/build-release-library.sh")"
fi
cargo build -p kindred-uniffi-bindgen
bindgen="$target_dir/debug/uniffi-bindgen"

rm -rf "$out/kotlin" "$out/swift" "$out/lib"
mkdir -p "$out/lib"
cp "$shipped" "$out/lib/"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" --no-format
# One C module for both components' headers (uniffi writes a map for each), linking the library; SwiftPM wants its map
# under this exact name.
grep -q '^    header "KindredFFI.h"$' "$out/swift/KindredFFI.modulemap" \
    || { echo "error: unexpected $out/swift/KindredFFI.modulemap" >&2; exit 1; }
sed -e 's/^    header "KindredFFI.h"$/&\n    header "KindredModelFFI.h"/' -e 's/^}$/    link "kindred_ffi"\n}/' \
    "$out/swift/KindredFFI.modulemap" > "$out/swift/module.modulemap"
rm "$out/swift/KindredFFI.modulemap" "$out/swift/KindredModelFFI.modulemap"
echo "bindings generated in $out"
