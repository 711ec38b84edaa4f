#!/usr/bin/env bash
# Builds ios/KindredFFI.xcframework (iOS devices, iOS simulator, macOS) from the Rust core and generates the Swift
# bindings, for developers on a Mac with Xcode. Afterwards `ios/Package.swift` uses the XCFramework as its
# `KindredFFI` binary target, so the package builds in Xcode or with `swift build` for any of those platforms.
#
#   ios/build-xcframework.sh [--debug]
#
# What it does:
#   1. installs the missing Rust targets with rustup: aarch64-apple-ios, aarch64-apple-ios-sim, x86_64-apple-ios,
#      aarch64-apple-darwin, x86_64-apple-darwin;
#   2. builds kindred-ffi as a static library for each (release profile; --debug for a quicker, larger build), with
#      IPHONEOS_DEPLOYMENT_TARGET / MACOSX_DEPLOYMENT_TARGET matching Package.swift's platforms (the one library,
#      relay mailbox included: the layer's Sources/Kindred/Relay.swift calls its `relaySync`);
#   3. joins the simulator slices (arm64 + x86_64) and the macOS slices (arm64 + x86_64) with lipo;
#   4. generates the Swift bindings with this workspace's uniffi-bindgen (same uniffi version as the library),
#      in library mode from the macOS static library;
#   5. runs `xcodebuild -create-xcframework` with the headers and module map under Headers/KindredFFI/ (namespaced, so
#      they cannot collide with another XCFramework's module.modulemap in Xcode's shared include directory);
#   6. copies the generated KindredCore.swift and KindredModel.swift (the core's records, enums and ids: a uniffi
#      component of their own, compiled into the same module) into Sources/KindredCore/ (ignored by git);
#   7. zips the XCFramework (ios/KindredFFI.xcframework.zip) and prints its SwiftPM checksum, for publishing it as
#      `.binaryTarget(name: "KindredFFI", url: ..., checksum: ...)`.
#
# Needs: macOS, Xcode (xcodebuild, lipo, ditto, swift), rustup and cargo. Intermediate files go to
# target/ios/xcframework/. It cannot run on Linux; there, ios/run-linux-tests.sh tests the same Swift code.
set -Eeuo pipefail

IOS_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$IOS_DIR/.." && pwd)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"   # Cargo's output directory (a shared cache when set)
WORK="$TARGET_DIR/ios/xcframework"
XCFRAMEWORK="$IOS_DIR/KindredFFI.xcframework"
ZIP="$IOS_DIR/KindredFFI.xcframework.zip"
LIB=libkindred_ffi.a
# Keep in step with `platforms:` in Package.swift.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

log() { printf '[build-xcframework] %s\n' "$*"; }
die() { printf '[build-xcframework] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

PROFILE=release
CARGO_PROFILE=(--release)
case "${1:-}" in
    "") ;;
    --debug) PROFILE=debug; CARGO_PROFILE=() ;;
    -h|--help) sed -n '2,/^set -Eeuo/{/^set -Eeuo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (usage: $0 [--debug])" ;;
esac

[ "$(uname -s)" = Darwin ] || die "this needs macOS with Xcode; on Linux run ios/run-linux-tests.sh instead"
for tool in xcodebuild lipo ditto swift cargo rustup; do
    command -v "$tool" >/dev/null || die "'$tool' not found (install Xcode, its command line tools, and rustup)"
done
T0=$SECONDS

# ---- 1. Rust targets ------------------------------------------------------------------------------------------------
IOS=aarch64-apple-ios
SIM=(aarch64-apple-ios-sim x86_64-apple-ios)
MAC=(aarch64-apple-darwin x86_64-apple-darwin)
TARGETS=("$IOS" "${SIM[@]}" "${MAC[@]}")
installed=$(rustup target list --installed)
missing=()
for t in "${TARGETS[@]}"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "adding Rust targets: ${missing[*]}"
    rustup target add "${missing[@]}"
fi

# ---- 2. static libraries --------------------------------------------------------------------------------------------
cd "$ROOT"
for t in "${TARGETS[@]}"; do
    log "building kindred-ffi ($PROFILE) for $t"
    # Only the static library: the crate's cdylib is not needed for Apple platforms, and building one crate type
    # alone keeps the release profile's fat LTO (cargo drops it when the rlib is built in the same go).
    # (The ${a[@]+"${a[@]}"} form: macOS's bash 3.2 calls an empty array, CARGO_PROFILE with --debug, unbound under
    # `set -u`.)
    cargo rustc -p kindred-ffi --lib --crate-type staticlib --target "$t" ${CARGO_PROFILE[@]+"${CARGO_PROFILE[@]}"}
    [ -f "$TARGET_DIR/$t/$PROFILE/$LIB" ] || die "$TARGET_DIR/$t/$PROFILE/$LIB was not produced"
done

# ---- 3. fat libraries per platform ----------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK/ios" "$WORK/ios-simulator" "$WORK/macos" "$WORK/swift" "$WORK/headers/KindredFFI"
cp "$TARGET_DIR/$IOS/$PROFILE/$LIB" "$WORK/ios/$LIB"
lipo -create "$TARGET_DIR/${SIM[0]}/$PROFILE/$LIB" "$TARGET_DIR/${SIM[1]}/$PROFILE/$LIB" -output "$WORK/ios-simulator/$LIB"
lipo -create "$TARGET_DIR/${MAC[0]}/$PROFILE/$LIB" "$TARGET_DIR/${MAC[1]}/$PROFILE/$LIB" -output "$WORK/macos/$LIB"
for slice in ios ios-simulator macos; do log "$slice: $(lipo -info "$WORK/$slice/$LIB" | sed 's/.*: //')"; done

# ---- 4. Swift bindings ----------------------------------------------------------------------------------------------
log "generating the Swift bindings (workspace uniffi-bindgen, library mode)"
cargo build -p kindred-uniffi-bindgen
"$TARGET_DIR/debug/uniffi-bindgen" generate --library "$TARGET_DIR/${MAC[0]}/$PROFILE/$LIB" --language swift \
    --out-dir "$WORK/swift" --no-format
for f in KindredCore.swift KindredModel.swift KindredFFI.h KindredModelFFI.h KindredFFI.modulemap; do
    [ -f "$WORK/swift/$f" ] || die "uniffi-bindgen did not write $f"
done
cp "$WORK/swift/KindredFFI.h" "$WORK/swift/KindredModelFFI.h" "$WORK/headers/KindredFFI/"
# One C module for both components' headers (uniffi writes a map for each). The static library is linked by the
# XCFramework itself, so the module map needs no `link` line.
grep -q '^    header "KindredFFI.h"$' "$WORK/swift/KindredFFI.modulemap" || die "unexpected KindredFFI.modulemap"
sed 's/^    header "KindredFFI.h"$/&\n    header "KindredModelFFI.h"/' "$WORK/swift/KindredFFI.modulemap" \
    > "$WORK/headers/KindredFFI/module.modulemap"

# ---- 5. XCFramework -------------------------------------------------------------------------------------------------
log "creating $(basename "$XCFRAMEWORK")"
rm -rf "$XCFRAMEWORK" "$ZIP"
xcodebuild -create-xcframework \
    -library "$WORK/ios/$LIB" -headers "$WORK/headers" \
    -library "$WORK/ios-simulator/$LIB" -headers "$WORK/headers" \
    -library "$WORK/macos/$LIB" -headers "$WORK/headers" \
    -output "$XCFRAMEWORK"

# ---- 6. generated Swift into the package ----------------------------------------------------------------------------
cp "$WORK/swift/KindredCore.swift" "$WORK/swift/KindredModel.swift" "$IOS_DIR/Sources/KindredCore/"

# ---- 7. zip and checksum --------------------------------------------------------------------------------------------
(cd "$IOS_DIR" && ditto -c -k --sequesterRsrc --keepParent "$(basename "$XCFRAMEWORK")" "$(basename "$ZIP")")
checksum=$(cd "$IOS_DIR" && swift package compute-checksum "$(basename "$ZIP")")
log "done in $((SECONDS - T0)) s"
log "XCFramework: ${XCFRAMEWORK#"$ROOT"/} (Package.swift picks it up automatically)"
log "zip:         ${ZIP#"$ROOT"/} ($(du -h "$ZIP" | cut -f1))"
log "SwiftPM checksum: $checksum"
printf '%s\n' "$checksum"
