#!/usr/bin/env bash
# A throwaway S3-compatible server (SeaweedFS) on loopback, for the Kotlin and Swift relay tests: android/run-jvm-tests.sh
# and ios/run-linux-tests.sh start one when KINDRED_S3_ENDPOINT is not set, tests/run-all.sh starts one for both.
#
# Usage: tests/tools/s3-test-server.sh start DIR   starts `weed server` with its data, log (weed.log) and pid in DIR
#                                                  (made empty first), waits until it stores objects, and prints its
#                                                  endpoint, http://127.0.0.1:PORT, as the only line on stdout
#        tests/tools/s3-test-server.sh stop DIR    stops the server started in DIR with SIGINT, waits for it to exit
#                                                  (SIGKILL after 60 s), removes DIR; nothing to stop is no error
#
# The caller stops what it started (an EXIT trap), so no server outlives a run. The server takes anonymous requests
# (no identities configured): a test PUTs its own bucket, then objects. Flags, as tests/tools/install-seaweedfs.sh's
# header explains them: all eight ports explicit and free (so a derived gRPC port cannot collide), the Iceberg and
# Lance ports off, loopback only, no telemetry, one volume per bucket with as many volumes as the disk holds, no
# pre-stop wait (a stop still takes about 16 s: the filer's graceful gRPC stop). Its HTTP sockets go in DIR; the
# gRPC sockets it always puts in /tmp are removed by `stop`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { printf 's3-test-server: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[[ $# -eq 2 && ( "$1" == start || "$1" == stop ) ]] || die "usage: $0 start|stop DIR"
cmd=$1
dir=$2

# Whether process $1 still runs (a zombie no one reaped counts as ended).
running() {
    [[ -r "/proc/$1/stat" ]] || return 1
    local state
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "$state" != Z && "$state" != X ]]
}

if [[ "$cmd" == stop ]]; then
    [[ -f "$dir/pid" ]] || { rm -rf -- "$dir"; exit 0; }
    pid=$(cat "$dir/pid")
    if running "$pid"; then
        kill -INT "$pid" 2>/dev/null || true
        for _ in $(seq 1 600); do
            running "$pid" || break
            sleep 0.1
        done
        if running "$pid"; then
            say "the server (pid $pid) did not stop within 60 s of SIGINT: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    if [[ -f "$dir/ports" ]]; then
        read -r -a ports <"$dir/ports"
        for p in "${ports[@]}"; do rm -f -- /tmp/seaweedfs-*-grpc-"$p".sock; done
    fi
    rm -rf -- "$dir"
    exit 0
fi

weed="${KINDRED_WEED:-}"
[[ -n "$weed" ]] || weed="$("$root/tests/tools/install-seaweedfs.sh")"
[[ -x "$weed" ]] || die "no weed binary at $weed"
command -v curl >/dev/null || die "curl is needed to check that the server is up"
curl() { command curl --noproxy '*' "$@"; }
rm -rf -- "$dir"
mkdir -p "$dir/data"
dir="$(cd "$dir" && pwd)"
# Eight ports the kernel has just handed out (and freed): master, volume, filer and S3, each HTTP and gRPC.
ports="$(python3 -c 'import socket
s = [socket.socket() for _ in range(8)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')"
echo "$ports" >"$dir/ports"
read -r master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc <<<"$ports"

WEED_MASTER_VOLUME_GROWTH_COPY_1=1 "$weed" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$master" -master.port.grpc="$master_grpc" -master.telemetry=false -master.volumeSizeLimitMB=64 \
    -volume.port="$volume" -volume.port.grpc="$volume_grpc" -volume.max=0 -volume.preStopSeconds=0 \
    -filer -filer.port="$filer" -filer.port.grpc="$filer_grpc" -filer.localSocket="$dir/filer.sock" \
    -s3 -s3.port="$s3" -s3.port.grpc="$s3_grpc" -s3.port.iceberg=0 -s3.port.lance=0 -s3.localSocket="$dir/s3.sock" \
    </dev/null >"$dir/weed.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/pid"
endpoint="http://127.0.0.1:$s3"

# S3 answers a few seconds after the start, and takes writes only once the volume server has registered: wait for a
# bucket and an object to be stored (and removed again).
probe="$endpoint/kindred-ready-probe"
for _ in $(seq 1 240); do
    running "$pid" || { tail -n 20 "$dir/weed.log" >&2; die "weed server exited during start (log above: $dir/weed.log)"; }
    if curl -fsS -m 5 -o /dev/null -X PUT "$probe" 2>/dev/null || curl -fsS -m 5 -o /dev/null "$probe" 2>/dev/null; then
        if curl -fsS -m 5 -o /dev/null -X PUT --data-binary ready "$probe/ready" 2>/dev/null; then
            curl -fsS -m 5 -o /dev/null -X DELETE "$probe/ready" 2>/dev/null || true
            say "SeaweedFS S3 at $endpoint (pid $pid, log $dir/weed.log)"
            echo "$endpoint"
            exit 0
        fi
    fi
    sleep 0.25
done
say "the server did not store an object within 60 s; stopping it"
"$0" stop "$dir" || true
die "SeaweedFS did not come up"
