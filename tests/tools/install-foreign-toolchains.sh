#!/usr/bin/env bash
# Install what Kindred's Kotlin and Swift binding tests need, on Debian 12 (bookworm) x86_64.
# Idempotent: every step first checks whether its result is already there and complete.
#
#   install-foreign-toolchains.sh [--check] [all|kotlin|swift]...
#
#   kotlin  JVM kotlinc + kotlin-stdlib/kotlinx-coroutines/kotlin-test(-junit5) jars from the npm
#           package kotlin-compiler, unpacked into $KINDRED_TOOLS_DIR/kotlin; Debian's libjna-java
#           (/usr/share/java/jna.jar) and junit5 (/usr/share/java/junit-platform-console-standalone.jar).
#   swift   A Debian 13 (trixie) chroot at $KINDRED_TOOLS_DIR/swift-chroot with swiftlang (Swift 6,
#           XCTest, Foundation) and libc6-dev. Run things in it with tests/tools/in-swift-chroot.sh.
#   all     both (the default).
#   --check report what is installed; change nothing; exit 1 if something requested is missing.
#
# Environment:
#   KINDRED_TOOLS_DIR     where the tools go (default /opt/kindred-tools)
#   KINDRED_DEBIAN_MIRROR Debian mirror for the chroot (default: the one this machine's apt uses)
#
# Writes $KINDRED_TOOLS_DIR/env.sh, which sets KINDRED_KOTLINC, KINDRED_KOTLIN_LIB, KINDRED_JNA_JAR,
# KINDRED_JUNIT_CONSOLE_JAR, KINDRED_JUNIT_API_JAR and KINDRED_SWIFT_CHROOT for test scripts to `source`.
# Needs root for apt-get and debootstrap (a run that finds everything installed does not).
set -Eeuo pipefail

KOTLIN_VERSION=2.4.20
KOTLIN_NPM_INTEGRITY='sha512-IF5IVM7LpPhA/ntHQQpaVt1yxpaaQovtEVYLyqWMuaLr0XelLPPm7/sM6HLhtcRjjjoSsK7I7lP2kzYJkMy73w=='
KOTLIN_REQUIRED_FILES=(bin/kotlinc lib/kotlin-compiler.jar lib/kotlin-stdlib.jar
    lib/kotlinx-coroutines-core-jvm.jar lib/kotlin-test.jar lib/kotlin-test-junit5.jar)
HOST_KOTLIN_PACKAGES=(libjna-java junit5)
JNA_JAR=/usr/share/java/jna.jar
JUNIT_CONSOLE_JAR=/usr/share/java/junit-platform-console-standalone.jar
JUNIT_API_JAR=/usr/share/java/junit-jupiter-api.jar     # kotlinc needs it to compile kotlin.test's @Test
SWIFT_SUITE=trixie
SWIFT_CHROOT_PACKAGES=(swiftlang libc6-dev)
# Changing anything in this stamp makes the next run rebuild the chroot.
SWIFT_STAMP="suite=$SWIFT_SUITE variant=minbase packages=${SWIFT_CHROOT_PACKAGES[*]}"
KOTLIN_STAMP="kotlin-compiler@$KOTLIN_VERSION $KOTLIN_NPM_INTEGRITY"

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
IN_CHROOT="$SCRIPT_DIR/in-swift-chroot.sh"
TOOLS_DIR=$(realpath -m -- "${KINDRED_TOOLS_DIR:-/opt/kindred-tools}")
KOTLIN_DIR="$TOOLS_DIR/kotlin"
CHROOT="$TOOLS_DIR/swift-chroot"
PARTIAL="$CHROOT.partial"          # the chroot is built here and renamed when complete
LOG_DIR="$TOOLS_DIR/logs"

T0=$SECONDS
log()  { printf '[install-foreign-toolchains] %s\n' "$*"; }
die()  { printf '[install-foreign-toolchains] ERROR: %s\n' "$*" >&2; exit 1; }
on_err() {
    local rc=$? line=$1 cmd=$2
    trap - ERR
    printf '[install-foreign-toolchains] ERROR: command failed (exit %s) at line %s: %s\n' "$rc" "$line" "$cmd" >&2
    exit "$rc"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

TMP_DIRS=()
cleanup_tmp() { local d; for d in "${TMP_DIRS[@]}"; do rm -rf --one-file-system -- "$d"; done; }
trap cleanup_tmp EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---- arguments -----------------------------------------------------------------------------------
CHECK_ONLY=0
WANT_KOTLIN=0
WANT_SWIFT=0
for a in "$@"; do
    case "$a" in
        --check) CHECK_ONLY=1 ;;
        all) WANT_KOTLIN=1; WANT_SWIFT=1 ;;
        kotlin) WANT_KOTLIN=1 ;;
        swift) WANT_SWIFT=1 ;;
        -h|--help) sed -n '2,/^set -Eeuo/{/^set -Eeuo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown argument '$a' (expected all, kotlin, swift, --check or --help)" ;;
    esac
done
if [ "$WANT_KOTLIN" = 0 ] && [ "$WANT_SWIFT" = 0 ]; then WANT_KOTLIN=1; WANT_SWIFT=1; fi

# ---- helpers -------------------------------------------------------------------------------------
need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root; re-run as root (e.g. with sudo)"
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

APT_UPDATED=0
apt_install() {                      # installs the given host packages that are missing
    local missing=() p
    for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -gt 0 ] || return 0
    need_root "installing ${missing[*]}"
    mkdir -p -- "$LOG_DIR"
    if [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update (log: $LOG_DIR/host-apt.log)"
        run_logged "$LOG_DIR/host-apt.log" apt-get update || die "apt-get update failed"
        APT_UPDATED=1
    fi
    log "apt-get install ${missing[*]} (log: $LOG_DIR/host-apt.log)"
    run_logged "$LOG_DIR/host-apt.log" -a env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}" \
        || die "apt-get install ${missing[*]} failed"
}

java_major() {
    command -v java >/dev/null 2>&1 || { echo 0; return; }
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

# The Debian mirror this machine's apt uses for its own release (one-line and deb822 formats).
host_debian_mirror() {
    local codename f
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    {
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            awk -v s="$codename" '$1 == "deb" {
                    i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
                    if ($(i + 1) == s) print $i }' "$f"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            awk -v s="$codename" 'BEGIN { RS = ""; FS = "\n" }
                {
                    types = ""; uris = ""; suites = ""; enabled = "yes"
                    for (i = 1; i <= NF; i++) {
                        if ($i ~ /^#/) continue
                        split($i, kv, ":"); k = tolower(kv[1]); v = substr($i, length(kv[1]) + 2)
                        if (k == "types") types = v; else if (k == "uris") uris = v
                        else if (k == "suites") suites = v; else if (k == "enabled") enabled = tolower(v)
                    }
                    if (enabled ~ /no/ || (" " types " ") !~ /[ \t]deb[ \t]/) next
                    if ((" " suites " ") !~ ("[ \t]" s "[ \t]")) next
                    n = split(uris, u, /[ \t]+/); for (j = 1; j <= n; j++) if (u[j] != "") { print u[j]; break }
                }' "$f"
        done
    } | sed 's#/*$##' | grep -E '^https?://' | head -n1
}

has_mounts_under() {                  # is anything mounted at or below $1 (in this namespace)?
    findmnt -rn -o TARGET 2>/dev/null | while IFS= read -r t; do printf '%b\n' "$t"; done \
        | awk -v d="$1" '$0 == d || index($0, d "/") == 1 { found = 1 } END { exit !found }'
}

# Remove a directory tree that may contain a chroot, never following mounts out of it.
safe_remove_tree() {
    local d=$1
    if [ -z "$d" ] || [ "$d" = / ] || [ "$d" = "$TOOLS_DIR" ]; then die "refusing to remove '$d'"; fi
    [ -e "$d" ] || return 0
    "$IN_CHROOT" --chroot "$d" --cleanup
    ! has_mounts_under "$d" || die "mounts remain under $d; not removing it"
    rm -rf --one-file-system -- "$d"
}

run_logged() {                        # run_logged <logfile> [-a] <cmd...>: output to a log (-a: append), tail on failure
    local logfile=$1; shift
    if [ "${1:-}" = -a ]; then shift; else : >"$logfile"; fi
    if ! "$@" >>"$logfile" 2>&1; then
        printf '%s\n' "----- last lines of $logfile -----" >&2
        tail -n 40 "$logfile" >&2
        printf '%s\n' "-----" >&2
        return 1
    fi
}

elapsed() { printf '%ds' "$((SECONDS - $1))"; }

# ---- Kotlin --------------------------------------------------------------------------------------
host_packages_ok() {
    local p
    for p in "${HOST_KOTLIN_PACKAGES[@]}"; do pkg_installed "$p" || return 1; done
    [ -f "$JNA_JAR" ] && [ -f "$JUNIT_CONSOLE_JAR" ] && [ -f "$JUNIT_API_JAR" ] && [ "$(java_major)" -ge 17 ]
}

kotlin_ok() {
    local f
    [ -f "$KOTLIN_DIR/.kindred-installed" ] && [ "$(cat "$KOTLIN_DIR/.kindred-installed")" = "$KOTLIN_STAMP" ] || return 1
    for f in "${KOTLIN_REQUIRED_FILES[@]}"; do [ -s "$KOTLIN_DIR/$f" ] || return 1; done
    [ -x "$KOTLIN_DIR/bin/kotlinc" ]
}

install_host_packages() {
    local t=$SECONDS
    if host_packages_ok; then
        log "host packages: java $(java_major), ${HOST_KOTLIN_PACKAGES[*]} already installed"
        return 0
    fi
    if [ "$(java_major)" -lt 17 ]; then
        log "host packages: no Java 17+ found; installing openjdk-17-jre-headless"
        apt_install openjdk-17-jre-headless
        [ "$(java_major)" -ge 17 ] || die "java 17+ still not on PATH after installing openjdk-17-jre-headless"
    fi
    log "host packages: installing ${HOST_KOTLIN_PACKAGES[*]}"
    apt_install "${HOST_KOTLIN_PACKAGES[@]}"
    [ -f "$JNA_JAR" ] || die "$JNA_JAR missing although libjna-java is installed"
    [ -f "$JUNIT_CONSOLE_JAR" ] || die "$JUNIT_CONSOLE_JAR missing although junit5 is installed"
    log "host packages: done ($(elapsed "$t"))"
}

install_kotlin() {
    local t=$SECONDS tmp tarball got f
    if kotlin_ok; then
        log "kotlin: kotlin-compiler $KOTLIN_VERSION already installed in $KOTLIN_DIR"
        return 0
    fi
    log "kotlin: installing kotlin-compiler $KOTLIN_VERSION from npm into $KOTLIN_DIR"
    [ -w "$TOOLS_DIR" ] || need_root "writing to $TOOLS_DIR"
    command -v npm >/dev/null 2>&1 || apt_install npm
    tmp=$(mktemp -d "$TOOLS_DIR/.kotlin-download.XXXXXX"); TMP_DIRS+=("$tmp")
    log "kotlin: npm pack kotlin-compiler@$KOTLIN_VERSION (about 90 MB)"
    # A private npm cache: nothing is left in ~/.npm, and the download cannot come from a stale cache.
    (cd "$tmp" && npm pack --silent --cache "$tmp/npm-cache" "kotlin-compiler@$KOTLIN_VERSION" >/dev/null) \
        || die "npm pack kotlin-compiler@$KOTLIN_VERSION failed (is the npm registry reachable?)"
    tarball="$tmp/kotlin-compiler-$KOTLIN_VERSION.tgz"
    [ -f "$tarball" ] || die "npm pack did not produce $tarball"
    got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    [ "$got" = "$KOTLIN_NPM_INTEGRITY" ] || die "kotlin-compiler tarball integrity mismatch: got $got"
    log "kotlin: unpacking"
    tar -xzf "$tarball" --no-same-owner -C "$tmp"
    for f in "${KOTLIN_REQUIRED_FILES[@]}"; do
        [ -s "$tmp/package/$f" ] || die "kotlin-compiler package lacks $f"
    done
    chmod -R a+rX,go-w "$tmp/package"
    log "kotlin: smoke test (kotlinc -version, takes a few seconds)"
    "$tmp/package/bin/kotlinc" -version >"$tmp/version.txt" 2>&1 \
        || { cat "$tmp/version.txt" >&2; die "the unpacked kotlinc does not run"; }
    grep -q "$KOTLIN_VERSION" "$tmp/version.txt" \
        || { cat "$tmp/version.txt" >&2; die "kotlinc reports an unexpected version"; }
    rm -rf --one-file-system -- "$KOTLIN_DIR"
    mv -- "$tmp/package" "$KOTLIN_DIR"
    printf '%s\n' "$KOTLIN_STAMP" >"$KOTLIN_DIR/.kindred-installed"   # written last: marks completion
    log "kotlin: done, $(head -n1 "$tmp/version.txt") ($(elapsed "$t"))"
}

# ---- Swift ---------------------------------------------------------------------------------------
chroot_executable() {                  # chroot_executable <chroot> <path>: -x, resolving links inside it
    local root=$1 p=$2 link _
    for _ in 1 2 3 4 5 6 7 8; do
        [ -L "$root$p" ] || { [ -f "$root$p" ] && [ -x "$root$p" ]; return; }
        link=$(readlink -- "$root$p")
        case "$link" in /*) p=$link ;; *) p="$(dirname -- "$p")/$link" ;; esac
    done
    return 1
}

chroot_complete() {                    # chroot_complete <dir>
    [ -f "$1/.kindred/complete" ] && [ "$(cat "$1/.kindred/complete")" = "$SWIFT_STAMP" ] \
        && chroot_executable "$1" /usr/bin/swift && chroot_executable "$1" /usr/bin/swift-build \
        && chroot_executable "$1" /bin/sh && [ -d "$1/proc" ]
}

install_swift() {
    local t=$SECONDS mirror s
    if chroot_complete "$CHROOT"; then
        if has_mounts_under "$CHROOT"; then
            need_root "removing stale mounts under $CHROOT"
            "$IN_CHROOT" --chroot "$CHROOT" --cleanup
        fi
        log "swift: chroot already complete at $CHROOT"
        return 0
    fi
    need_root "building the Swift chroot"
    # A chroot dir without a valid completion marker is treated as unfinished work.
    if [ -e "$CHROOT" ]; then
        if [ -e "$PARTIAL" ]; then
            log "swift: removing invalid/incomplete chroot $CHROOT"
            safe_remove_tree "$CHROOT"
        else
            log "swift: $CHROOT is incomplete or outdated; resuming it as $PARTIAL"
            "$IN_CHROOT" --chroot "$CHROOT" --cleanup
            mv -- "$CHROOT" "$PARTIAL"
        fi
    fi
    mkdir -p -- "$LOG_DIR"

    # Stage 1: debootstrap (cannot be resumed: an unfinished one is removed and redone).
    s="$PARTIAL/.kindred/debootstrap-done"
    if [ -f "$s" ] && [ "$(cat "$s")" = "$SWIFT_SUITE" ]; then
        log "swift: stage 1/3 (debootstrap $SWIFT_SUITE) already done"
    else
        if [ -e "$PARTIAL" ]; then
            log "swift: removing unfinished debootstrap in $PARTIAL"
            safe_remove_tree "$PARTIAL"
        fi
        apt_install debootstrap
        [ -e "/usr/share/debootstrap/scripts/$SWIFT_SUITE" ] \
            || die "this debootstrap does not know '$SWIFT_SUITE'; upgrade the debootstrap package"
        mirror=${KINDRED_DEBIAN_MIRROR:-$(host_debian_mirror || true)}
        if [ -z "$mirror" ]; then
            mirror=http://deb.debian.org/debian
            log "swift: found no Debian mirror in /etc/apt/sources.list*, using $mirror"
        fi
        case "$mirror" in
            *snapshot.debian.org*) log "swift: WARNING: $mirror is a snapshot archive; it may lack a current $SWIFT_SUITE (set KINDRED_DEBIAN_MIRROR)" ;;
        esac
        log "swift: stage 1/3: debootstrap --variant=minbase $SWIFT_SUITE from $mirror (about 30 s; log: $LOG_DIR/debootstrap.log)"
        t1=$SECONDS
        run_logged "$LOG_DIR/debootstrap.log" \
            debootstrap --variant=minbase --include=ca-certificates "$SWIFT_SUITE" "$PARTIAL" "$mirror" \
            || { "$IN_CHROOT" --chroot "$PARTIAL" --cleanup || true; die "debootstrap failed (see $LOG_DIR/debootstrap.log)"; }
        "$IN_CHROOT" --chroot "$PARTIAL" --cleanup    # debootstrap may leave /proc or /sys mounted
        mkdir -p -- "$PARTIAL/.kindred"
        printf '%s\n' "$SWIFT_SUITE" >"$s"
        log "swift: stage 1/3 done ($(elapsed "$t1"))"
    fi

    # Stage 2: packages (resumable: dpkg --configure -a / apt-get -f install finish an interrupted run).
    s="$PARTIAL/.kindred/packages-done"
    if [ -f "$s" ] && [ "$(cat "$s")" = "${SWIFT_CHROOT_PACKAGES[*]}" ]; then
        log "swift: stage 2/3 (${SWIFT_CHROOT_PACKAGES[*]}) already done"
    else
        log "swift: stage 2/3: apt-get install ${SWIFT_CHROOT_PACKAGES[*]} in the chroot (about 450 MB download; log: $LOG_DIR/chroot-apt.log)"
        t1=$SECONDS
        # DNS for apt inside the chroot: this machine's resolver configuration
        if [ -f /etc/resolv.conf ]; then
            rm -f -- "$PARTIAL/etc/resolv.conf"; cp -L /etc/resolv.conf "$PARTIAL/etc/resolv.conf"
        fi
        run_logged "$LOG_DIR/chroot-apt.log" \
            "$IN_CHROOT" --chroot "$PARTIAL" --allow-incomplete --no-bind -- \
            env DEBIAN_FRONTEND=noninteractive /bin/sh -ec "
                dpkg --configure -a
                apt-get -y -f install
                apt-get update
                apt-get install -y --no-install-recommends ${SWIFT_CHROOT_PACKAGES[*]}
                apt-get clean" \
            || die "installing ${SWIFT_CHROOT_PACKAGES[*]} in the chroot failed (see $LOG_DIR/chroot-apt.log); re-run to resume"
        printf '%s\n' "${SWIFT_CHROOT_PACKAGES[*]}" >"$s"
        log "swift: stage 2/3 done ($(elapsed "$t1"))"
    fi

    # Stage 3: smoke test, completion marker, rename into place.
    log "swift: stage 3/3: smoke test (swift --version in the chroot)"
    "$IN_CHROOT" --chroot "$PARTIAL" --allow-incomplete --no-bind -- swift --version >"$LOG_DIR/swift-version.txt" 2>&1 \
        || { cat "$LOG_DIR/swift-version.txt" >&2; die "swift does not run in the chroot"; }
    log "swift: $(grep -m1 -i 'swift version' "$LOG_DIR/swift-version.txt" || head -n1 "$LOG_DIR/swift-version.txt")"
    printf '%s\n' "$SWIFT_STAMP" >"$PARTIAL/.kindred/complete"
    chroot_complete "$PARTIAL" || die "chroot at $PARTIAL fails its completeness check after installation"
    "$IN_CHROOT" --chroot "$PARTIAL" --cleanup
    mv -- "$PARTIAL" "$CHROOT"
    rm -f -- "$PARTIAL.lock"
    log "swift: done, chroot at $CHROOT, $(du -sh --one-file-system "$CHROOT" | cut -f1) ($(elapsed "$t"))"
}

write_env_file() {                     # rewritten only when its content changes
    local f="$TOOLS_DIR/env.sh" tmp content
    content=$(cat <<EOF
# Written by tests/tools/install-foreign-toolchains.sh; source it from test scripts.
export KINDRED_TOOLS_DIR='$TOOLS_DIR'
export KINDRED_KOTLIN_HOME='$KOTLIN_DIR'
export KINDRED_KOTLINC='$KOTLIN_DIR/bin/kotlinc'
export KINDRED_KOTLIN_LIB='$KOTLIN_DIR/lib'
export KINDRED_JNA_JAR='$JNA_JAR'
export KINDRED_JUNIT_CONSOLE_JAR='$JUNIT_CONSOLE_JAR'
export KINDRED_JUNIT_API_JAR='$JUNIT_API_JAR'
export KINDRED_SWIFT_CHROOT='$CHROOT'
EOF
)
    if [ -f "$f" ] && [ "$(cat -- "$f")" = "$content" ]; then return 0; fi
    tmp=$(mktemp "$TOOLS_DIR/.env.sh.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod 644 "$tmp"; mv -- "$tmp" "$f"
    log "wrote $f"
}

# ---- main ----------------------------------------------------------------------------------------
if [ "$CHECK_ONLY" = 1 ]; then
    ok=0
    if [ "$WANT_KOTLIN" = 1 ]; then
        if host_packages_ok; then log "check: host packages OK"; else log "check: host packages MISSING (java 17+, ${HOST_KOTLIN_PACKAGES[*]})"; ok=1; fi
        if kotlin_ok; then log "check: kotlin OK ($KOTLIN_DIR)"; else log "check: kotlin MISSING ($KOTLIN_DIR)"; ok=1; fi
    fi
    if [ "$WANT_SWIFT" = 1 ]; then
        if chroot_complete "$CHROOT"; then log "check: swift chroot OK ($CHROOT)"; else log "check: swift chroot MISSING ($CHROOT)"; ok=1; fi
    fi
    exit "$ok"
fi

[ -x "$IN_CHROOT" ] || die "$IN_CHROOT is missing or not executable"
mkdir -p -- "$TOOLS_DIR" 2>/dev/null || need_root "creating $TOOLS_DIR"
if [ -w "$TOOLS_DIR" ]; then
    exec 8>>"$TOOLS_DIR/.install.lock"
    if ! flock -n 8; then
        log "another install run holds $TOOLS_DIR/.install.lock; waiting for it"
        flock 8
    fi
fi
log "tools dir: $TOOLS_DIR"

if [ "$WANT_KOTLIN" = 1 ]; then
    install_host_packages
    install_kotlin
fi
if [ "$WANT_SWIFT" = 1 ]; then
    install_swift
fi
if [ -w "$TOOLS_DIR" ]; then write_env_file; fi
log "all requested toolchains are ready ($(elapsed "$T0") total); source $TOOLS_DIR/env.sh for their paths"
