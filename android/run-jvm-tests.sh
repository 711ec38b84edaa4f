#!/usr/bin/env bash
# Runs the Kotlin layer's JUnit 5 tests (android/src/test/kotlin) on the desktop JVM, against the host build of the
# kindred-ffi library through JNA: the same generated Kotlin that Android uses, without Gradle or the Android SDK.
#
# Usage: android/run-jvm-tests.sh          (from anywhere; safe to run again, recompiles only what changed)
#
# Environment:
#   KINDRED_BINDINGS_DIR   an already generated bindings directory (with kotlin/ and lib/, as written by
#                          bindings/scripts/generate-bindings.sh); skips building and generating. Unset: this script
#                          generates its own, in target/android-jvm-tests/bindings
#   KINDRED_S3_ENDPOINT    an S3 endpoint taking anonymous requests (http://127.0.0.1:PORT) for the relay tests
#                          (RelayTest), which make buckets of their own there; without it, this script starts a
#                          SeaweedFS server on loopback for the run (tests/tools/s3-test-server.sh, installing SeaweedFS
#                          on first use) and stops it with SIGINT when it ends, however it ends
#   KINDRED_TOOLS_DIR      where tests/tools/install-foreign-toolchains.sh put kotlinc etc. (default /opt/kindred-tools)
#
# Output goes to target/android-jvm-tests/. The last line is "N passed, N failed"; the exit status is non-zero if any
# test failed, none ran, or the README's "Use from Android" sample differs from android/src/test/kotlin/org/kindred/
# ReadmeSample.kt (that file is compiled and run here, which proves the README sample works).
set -euo pipefail
started=$SECONDS
android="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$android/.." && pwd)"
out="$root/target/android-jvm-tests"
mkdir -p "$out"

step() { printf '\n=== %s ===\n' "$*"; }
die() { echo "error: $*" >&2; exit 1; }

step "README sample"
sample="$android/src/test/kotlin/org/kindred/ReadmeSample.kt"
readme="$root/README.md"
awk '/\/\/ readme-sample:start/ { on = 1; next } /\/\/ readme-sample:end/ { on = 0 } on' "$sample" > "$out/sample.kt"
awk '/^## Use from Android[[:space:]]*$/ { sec = 1; next }
     sec && /^## / { exit }
     sec && !code && /^```kotlin[[:space:]]*$/ { code = 1; next }
     sec && code && /^```/ { exit }
     sec && code' "$readme" > "$out/readme-sample.kt"
[[ -s "$out/sample.kt" ]] || die "no code between '// readme-sample:start' and '// readme-sample:end' in $sample"
[[ -s "$out/readme-sample.kt" ]] || die "README.md has no \`\`\`kotlin block in a '## Use from Android' section"
if ! diff -u "$out/readme-sample.kt" "$out/sample.kt" > "$out/readme-sample.diff"; then
    cat "$out/readme-sample.diff" >&2
    die "the kotlin block in README.md ('## Use from Android') differs from the marked region of ${sample#"$root"/}; copy it over (diff above: README -> sample)"
fi
echo "README.md's kotlin block equals the marked region of ${sample#"$root"/}"

step "Toolchain"
tools_env="${KINDRED_TOOLS_DIR:-/opt/kindred-tools}/env.sh"
if [[ ! -f "$tools_env" ]]; then
    "$root/tests/tools/install-foreign-toolchains.sh" kotlin
fi
# shellcheck source=/dev/null
. "$tools_env"
for var in KINDRED_KOTLINC KINDRED_KOTLIN_LIB KINDRED_JNA_JAR KINDRED_JUNIT_CONSOLE_JAR KINDRED_JUNIT_API_JAR; do
    [[ -e "${!var:-}" ]] || die "$var (${!var:-unset}) does not exist; run tests/tools/install-foreign-toolchains.sh kotlin"
done
command -v java > /dev/null || die "java not found; run tests/tools/install-foreign-toolchains.sh kotlin"
echo "kotlinc: $KINDRED_KOTLINC"

step "Bindings"
if [[ -n "${KINDRED_BINDINGS_DIR:-}" ]]; then
    bindings="$(cd "$KINDRED_BINDINGS_DIR" && pwd)"
    echo "using $bindings (KINDRED_BINDINGS_DIR)"
else
    # Our own output directory, so that another suite regenerating target/bindings cannot pull files from under us.
    bindings="$out/bindings"
    "$root/bindings/scripts/generate-bindings.sh" "$bindings"
fi
generated="$bindings/kotlin/org/kindred/core/kindred.kt"
lib_dir="$bindings/lib"
[[ -f "$generated" ]] || die "no generated Kotlin at $generated"
shopt -s nullglob
libs=("$lib_dir"/libkindred_ffi.so "$lib_dir"/libkindred_ffi.dylib)
shopt -u nullglob
[[ ${#libs[@]} -gt 0 ]] || die "no libkindred_ffi.so in $lib_dir"
kotlin_gen_dir="$bindings/kotlin"
source_dirs=("$kotlin_gen_dir" "$android/src/main/kotlin" "$android/src/test/kotlin")
step "Compile (one kotlinc call: generated bindings, android/src/main/kotlin, android/src/test/kotlin)"
L="$KINDRED_KOTLIN_LIB"
runtime_cp="$L/kotlin-stdlib.jar:$L/kotlinx-coroutines-core-jvm.jar:$L/kotlin-test.jar:$L/kotlin-test-junit5.jar:$KINDRED_JNA_JAR"
mapfile -t sources < <(find "${source_dirs[@]}" -name '*.kt' -type f | LC_ALL=C sort)
classes="$out/classes"
# Recompile only when a source, the compiler or the classpath changed (kotlinc needs 10-17 s and ~640 MB).
stamp="$({ printf '%s\n' "$KINDRED_KOTLINC" "$runtime_cp" "$KINDRED_JUNIT_API_JAR"; sha256sum "${sources[@]}"; } | sha256sum | cut -d' ' -f1)"
if [[ -d "$classes" && -f "$classes.stamp" && "$(cat "$classes.stamp")" == "$stamp" ]]; then
    echo "up to date (${#sources[@]} sources unchanged)"
else
    rm -rf "$classes.tmp" "$classes.stamp"
    compile_started=$SECONDS
    set +e
    (cd "$root" && "$KINDRED_KOTLINC" -jvm-target 17 -cp "$runtime_cp:$KINDRED_JUNIT_API_JAR" -d "$classes.tmp" \
        "${sources[@]}") > "$out/kotlinc.log" 2>&1
    kotlinc_status=$?
    set -e
    # Show the diagnostics for our sources, not the generated file's (all of them are in kotlinc.log). kotlinc names
    # files under the working directory by their relative path.
    awk -v gen="$kotlin_gen_dir/" -v rel="${kotlin_gen_dir#"$root"/}/" '
        /^[^ ].*: (error|warning|info): / { skip = (index($0, gen) == 1 || index($0, rel) == 1) }
        !skip' "$out/kotlinc.log"
    [[ $kotlinc_status -eq 0 ]] || die "kotlinc failed (exit $kotlinc_status); full log: $out/kotlinc.log"
    rm -rf "$classes"
    mv "$classes.tmp" "$classes"
    echo "$stamp" > "$classes.stamp"
    echo "compiled ${#sources[@]} sources in $((SECONDS - compile_started)) s"
fi

step "S3 server for the relay tests"
if [[ -n "${KINDRED_S3_ENDPOINT:-}" ]]; then
    s3_endpoint="$KINDRED_S3_ENDPOINT"
    echo "using $s3_endpoint (KINDRED_S3_ENDPOINT)"
else
    # Ours alone, stopped (SIGINT, waited for) however this script ends.
    s3_dir="$out/s3-server"
    trap '"$root/tests/tools/s3-test-server.sh" stop "$s3_dir"' EXIT
    s3_endpoint="$("$root/tests/tools/s3-test-server.sh" start "$s3_dir")"
fi

step "Test (JUnit 5 console launcher, JNA library path $lib_dir)"
set +e
java -Djna.library.path="$lib_dir" -Dkindred.exampleDirectory="$root/core/src/crisis/example-directory.bin" \
    -Dkindred.s3Endpoint="$s3_endpoint" -jar "$KINDRED_JUNIT_CONSOLE_JAR" \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --config=junit.jupiter.execution.timeout.default=60s \
    --class-path "$classes:$runtime_cp" --scan-class-path "$classes" --fail-if-no-tests \
    2>&1 | tee "$out/junit.log"
junit_status=${PIPESTATUS[0]}
set -e
count() { sed -n "s/^\[ *\([0-9][0-9]*\) tests $1 *\]\$/\1/p" "$out/junit.log" | tail -n 1; }
passed="$(count successful)"
failed="$(count failed)"
aborted="$(count aborted)"
passed="${passed:-0}"
failed=$(( ${failed:-0} + ${aborted:-0} ))
echo "took $((SECONDS - started)) s; logs in ${out#"$root"/}/"
echo "$passed passed, $failed failed"
if [[ $junit_status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
    exit 1
fi
