#!/usr/bin/env bash
# Renders the clinician's summary page in headless Chromium and checks the screenshot: the page people print must
# really render, offline, as one page with its chart. Makes a profile with two weeks of check-ins and instrument
# results through the CLI, runs `kindred export`, and screenshots the page at A4 proportions.
#
# Usage: tests/tools/render-summary.sh [OUT_DIR]   (installs chromium with apt when missing; needs root for that)
#   OUT_DIR defaults to target/summary-render; it keeps the page, the CSV and summary.png to look at.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/target/summary-render}"
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
    echo "installing chromium (apt)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium > "$out/apt.log" 2>&1 \
        || { apt-get update > "$out/apt-update.log" 2>&1 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends chromium > "$out/apt.log" 2>&1; }
    browser="$(command -v chromium)"
fi

cd "$root"
cargo build -q -p kindred-cli
printf '%s\n' 'a passphrase for the page test' > "$out/passphrase"
kindred=("$root/target/debug/kindred" --data-dir "$out/profile" --passphrase-file "$out/passphrase")
"${kindred[@]}" init --name "Amara <test>" > /dev/null
day=$((24 * 3600 * 1000))
for i in $(seq 0 13); do
    mood=$(( (i % 5) + 1 ))
    activity=$([[ $((i % 2)) -eq 0 ]] && echo walk || echo rest)
    day=$(date -d "-$((13 - i)) days" +%Y-%m-%d)
    "${kindred[@]}" checkin --mood "$mood" --sleep "$((5 + i % 4))" --activity "$activity" --medication yes \
        --note "day $i <script>alert(1)</script>" --at "$day" > /dev/null
done
"${kindred[@]}" instrument take phq9 --answers 2,2,2,2,2,1,1,1,0 > /dev/null
"${kindred[@]}" instrument take gad7 --answers 1,2,1,1,0,0,1 > /dev/null
"${kindred[@]}" instrument take who5 --answers 3,3,2,2,3 > /dev/null
"${kindred[@]}" export "$out" --days 30 --notes --associations > /dev/null

# No network for the browser: the page must not need it (its own policy forbids it too).
"$browser" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --no-first-run --proxy-server=127.0.0.1:9 --window-size=1240,1754 \
    --screenshot="$out/summary.png" "file://$out/kindred-summary.html" > "$out/chromium.log" 2>&1

python3 - "$out/summary.png" "$out/kindred-summary.html" <<'PY'
import struct, sys, zlib
png, page = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1240, 1754), (width, height)
# Decode the image (8-bit RGB or RGBA, as Chromium writes it) and count the pixels that are not white: a page that
# failed to render is blank.
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
raw = zlib.decompress(idat)
channels = 4 if data[25] == 6 else 3
stride = width * channels + 1
inked, previous = 0, bytearray(width * channels)
for y in range(height):
    line = bytearray(raw[y * stride + 1:(y + 1) * stride])
    kind = raw[y * stride]
    for i in range(len(line)):
        a = line[i - channels] if i >= channels else 0
        b = previous[i]
        c = previous[i - channels] if i >= channels else 0
        if kind == 1: line[i] = (line[i] + a) & 255
        elif kind == 2: line[i] = (line[i] + b) & 255
        elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    inked += sum(1 for x in range(0, len(line), channels) if sum(line[x:x + 3]) < 600)
    previous = line
share = inked / (width * height)
assert share > 0.01, f"the page rendered almost blank ({share:.4f} of pixels inked)"
assert "<script" not in page and "&lt;script&gt;" in page, "the notes are escaped"
assert page.count("<circle") >= 14 + 3, "a mark for each of the 14 days and each instrument result"
print(f"summary.png: {width}x{height}, {share:.1%} of pixels inked; page {len(page)} bytes, no script")
PY
echo "rendered: $out/summary.png"
