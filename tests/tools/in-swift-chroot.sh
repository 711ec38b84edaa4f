#!/usr/bin/env bash
# Run a command inside Kindred's Debian 13 Swift chroot with a host directory bind-mounted into it.
#
#   in-swift-chroot.sh [options] <host-dir> -- <command> [args...]
#       Bind-mounts <host-dir> at /work inside the chroot (see --mount-point), mounts /proc, runs
#       <command> with /work as its working directory, and unmounts everything again on exit
#       (normal exit, failure, Ctrl-C or SIGTERM). The command's exit status is passed through.
#   in-swift-chroot.sh [options] --no-bind -- <command> [args...]
#       Same, without a bind mount; the command runs in / inside the chroot.
#   in-swift-chroot.sh [options] --cleanup
#       Only remove mounts a previous (killed) run may have left under the chroot.
#
# Options:
#   --chroot DIR         chroot to use (default: $KINDRED_SWIFT_CHROOT, else
#                        ${KINDRED_TOOLS_DIR:-/opt/kindred-tools}/swift-chroot)
#   --mount-point PATH   where <host-dir> appears inside the chroot (default: /work)
#   --allow-incomplete   do not require the "installation complete" marker (used by the installer)
#
# Must run as root (mount, chroot). When `unshare` works, the mounts are made in a private mount
# namespace, so they are invisible to the rest of the system and vanish with the command even if
# this script is killed with SIGKILL; otherwise they are made in the host namespace and removed
# by an EXIT trap. Either way, mounts left behind under the chroot by an earlier run are removed
# first. Set KINDRED_CHROOT_NO_UNSHARE=1 to force the host-namespace mode.
#
# Only PATH, HOME, LANG, TERM and CI reach the command; pass anything else with `env VAR=value`:
#   in-swift-chroot.sh "$PWD" -- env SWIFT_DETERMINISTIC_HASHING=1 swift test --disable-swift-testing
set -Eeuo pipefail

PROG=in-swift-chroot
log() { printf '[%s] %s\n' "$PROG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$PROG" "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -Eeuo/{/^set -Eeuo/d;s/^# \{0,1\}//;p}' "$0"; }

ORIG_ARGS=("$@")
CHROOT="${KINDRED_SWIFT_CHROOT:-${KINDRED_TOOLS_DIR:-/opt/kindred-tools}/swift-chroot}"
MOUNT_POINT=/work
HOST_DIR=
NO_BIND=0
CLEANUP_ONLY=0
ALLOW_INCOMPLETE=0

while [ $# -gt 0 ]; do
    case "$1" in
        --chroot) [ $# -ge 2 ] || die "--chroot needs a directory"; CHROOT=$2; shift 2 ;;
        --chroot=*) CHROOT=${1#*=}; shift ;;
        --mount-point) [ $# -ge 2 ] || die "--mount-point needs a path"; MOUNT_POINT=$2; shift 2 ;;
        --mount-point=*) MOUNT_POINT=${1#*=}; shift ;;
        --no-bind) NO_BIND=1; shift ;;
        --cleanup) CLEANUP_ONLY=1; shift ;;
        --allow-incomplete) ALLOW_INCOMPLETE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *)  [ -z "$HOST_DIR" ] || die "more than one host directory given ('$HOST_DIR', '$1'); forgot '--'?"
            HOST_DIR=$1; shift ;;
    esac
done
CMD=("$@")

[ "$(id -u)" -eq 0 ] || die "must run as root (it mounts and chroots)"
CHROOT=$(realpath -m -- "$CHROOT")
[ "$CHROOT" != / ] || die "refusing to use / as the chroot"
LOCK_FILE="$CHROOT.lock"

# ---- mounts under the chroot -------------------------------------------------------------------
# Targets of all mounts at or below $CHROOT, most recently mounted first (so nested ones go first).
mounts_under_chroot() {
    findmnt -rn -o TARGET 2>/dev/null | tac | while IFS= read -r t; do
        t=$(printf '%b' "$t")            # findmnt -r escapes blanks as \x20
        case "$t" in "$CHROOT"|"$CHROOT"/*) printf '%s\n' "$t" ;; esac
    done
}

unmount_all_under_chroot() {        # $1: "stale" to report what was found
    local i t found=0
    for i in 1 2 3 4 5 6 7 8; do
        mapfile -t targets < <(mounts_under_chroot)
        [ ${#targets[@]} -gt 0 ] || break
        for t in "${targets[@]}"; do
            found=1
            [ "${1:-}" != stale ] || log "removing mount left behind by an earlier run: $t"
            umount -- "$t" 2>/dev/null || umount -l -- "$t" 2>/dev/null || true
        done
    done
    if [ -n "$(mounts_under_chroot)" ]; then
        log "could not unmount: $(mounts_under_chroot | tr '\n' ' ')"
        return 1
    fi
    [ "$found" = 0 ] || [ "${1:-}" != stale ] || log "stale mounts removed"
    return 0
}

take_lock() {                        # $1: -x or -s
    if ! flock -n "$1" 9; then
        log "waiting for another in-swift-chroot run on $CHROOT to finish..."
        flock "$1" 9
    fi
}

# ---- first stage (host mount namespace): lock, clean stale mounts, maybe enter a private namespace
# Locking: a run in a private namespace holds a shared lock (such runs can share the chroot, and
# none of their mounts is visible here); a run in the host namespace and any removal of stale
# mounts hold an exclusive lock. So a mount seen here while we hold any lock is a stale one.
USE_NS=0
if [ -z "${_KINDRED_CHROOT_INNER:-}" ]; then
    [ -d "$CHROOT" ] || die "no chroot at $CHROOT; run tests/tools/install-foreign-toolchains.sh swift first"
    if [ "$CLEANUP_ONLY" = 0 ] && [ "${KINDRED_CHROOT_NO_UNSHARE:-0}" != 1 ] \
        && unshare --mount --propagation private true 2>/dev/null; then
        USE_NS=1
    fi
    exec 9>>"$LOCK_FILE"
    if [ "$USE_NS" = 1 ]; then
        take_lock -s
        if [ -n "$(mounts_under_chroot)" ]; then
            flock -u 9; take_lock -x
            unmount_all_under_chroot stale || die "mounts under $CHROOT could not be removed; check 'findmnt | grep $CHROOT'"
            flock -s 9
        fi
    else
        take_lock -x
        unmount_all_under_chroot stale || die "mounts under $CHROOT could not be removed; check 'findmnt | grep $CHROOT'"
    fi
    if [ "$CLEANUP_ONLY" = 1 ]; then
        if [ -n "$HOST_DIR" ] || [ ${#CMD[@]} -gt 0 ]; then die "--cleanup takes no host directory or command"; fi
        exit 0
    fi
fi

[ ${#CMD[@]} -gt 0 ] || die "no command given (usage: $0 <host-dir> -- <command> [args...])"
if [ "$NO_BIND" = 1 ]; then
    [ -z "$HOST_DIR" ] || die "--no-bind and a host directory ('$HOST_DIR') exclude each other"
    WORKDIR=/
else
    [ -n "$HOST_DIR" ] || die "no host directory given (or use --no-bind)"
    [ -d "$HOST_DIR" ] || die "host directory '$HOST_DIR' does not exist"
    HOST_DIR=$(realpath -- "$HOST_DIR")
    case "$MOUNT_POINT" in
        /*) ;; *) die "--mount-point must be an absolute path inside the chroot" ;;
    esac
    case "/$MOUNT_POINT/" in
        */../*|*/./*) die "--mount-point must not contain '.' or '..' components" ;;
    esac
    MOUNT_POINT=$(realpath -m -- "$MOUNT_POINT")
    [ "$MOUNT_POINT" != / ] || die "--mount-point must not be /"
    case "$MOUNT_POINT" in
        /proc|/proc/*|/dev|/dev/*|/sys|/sys/*|/usr|/usr/*|/bin|/lib|/lib64|/sbin|/etc|/etc/*)
            die "--mount-point $MOUNT_POINT would hide part of the chroot's system" ;;
    esac
    WORKDIR=$MOUNT_POINT
fi
[ -x "$CHROOT/bin/sh" ] || die "$CHROOT does not look like a chroot (no /bin/sh)"
if [ "$ALLOW_INCOMPLETE" = 0 ] && [ ! -f "$CHROOT/.kindred/complete" ]; then
    die "$CHROOT is not a completely installed Swift chroot; run tests/tools/install-foreign-toolchains.sh swift"
fi

if [ "$USE_NS" = 1 ]; then
    # Private mount namespace: our mounts never show up outside and die with the namespace.
    export _KINDRED_CHROOT_INNER=ns
    exec unshare --mount --propagation private -- "$0" "${ORIG_ARGS[@]}"
fi
MODE=${_KINDRED_CHROOT_INNER:-host}   # host: mounts in the host namespace, exclusive lock held
unset _KINDRED_CHROOT_INNER

# ---- second stage: mount, run, unmount ---------------------------------------------------------
MOUNTED=()
# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
    local rc=$? i m
    trap - EXIT INT TERM HUP
    for ((i=${#MOUNTED[@]}-1; i>=0; i--)); do
        m=${MOUNTED[i]}
        if mountpoint -q -- "$m"; then
            umount -- "$m" 2>/dev/null || umount -l -- "$m" || log "WARNING: could not unmount $m"
        fi
    done
    if [ "$MODE" = host ] && [ -n "$(mounts_under_chroot)" ]; then
        log "WARNING: mounts remain under $CHROOT: $(mounts_under_chroot | tr '\n' ' ')"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p -- "$CHROOT/proc"
mount -t proc proc "$CHROOT/proc"
MOUNTED+=("$CHROOT/proc")
if [ "$NO_BIND" = 0 ]; then
    mkdir -p -- "$CHROOT$MOUNT_POINT"
    mount --bind -- "$HOST_DIR" "$CHROOT$MOUNT_POINT"
    MOUNTED+=("$CHROOT$MOUNT_POINT")
fi

set +e
# shellcheck disable=SC2016  # $1 and $@ are expanded by the shell inside the chroot
chroot "$CHROOT" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" ${CI:+CI="$CI"} \
    /bin/sh -c 'cd "$1" || exit 125; shift; exec "$@"' in-swift-chroot "$WORKDIR" "${CMD[@]}"
rc=$?
set -e
exit "$rc"
