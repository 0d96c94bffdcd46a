#!/usr/bin/env bash
# Every benchmark of the project, RUNS times each (alternating with its peer inside each script), summarised in
# one table: for each measure our figure and the peer's (or the target's), medians over the runs, and the spread
# (min / median / max) of the ratio ours / peer over the runs, with the date, the commit and the machine's load.
# The table replaces the one between the markers in docs/benchmarks.md and in README.md, so every published
# figure comes from one run of this script.
#   benches/all.sh [RUNS]        (default 3)
#   benches/all.sh --print RAW   summarise RESULT lines saved earlier, without measuring
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
if [ "${1:-}" = --print ]; then
    cp "$2" "$raw"
    write=0
else
    runs=${1:-3}
    write=1
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    images/build >/dev/null
    for r in $(seq 1 "$runs"); do
        for b in "tune-to-pat.sh 10" "scan.sh 1" "ui.sh 50" "psi-instructions.sh 1" "si-engine.sh 2" "zap.sh 1" "play-peer.sh 1"; do
            echo "benches/all.sh: run $r of $runs: benches/$b" >&2
            # shellcheck disable=SC2086
            benches/$b 2>&1 | tee /dev/stderr | grep '^RESULT' >>"$raw" ||
                { echo "benches/all.sh: benches/$b failed" >&2; exit 1; }
        done
    done
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
    {
        echo "META date=$(date -u +%Y-%m-%dT%H:%MZ)"
        echo "META commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
        echo "META machine=$(nproc)-cores"
        echo "META load=${load_before// /,}..${load_after// /,}"
        echo "META runs=$runs"
    } >>"$raw"
    cp "$raw" "$top/build/benches-all.raw"
fi
table=$(python3 - "$raw" <<'PY'
import statistics, sys
meta, results = {}, {}
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[0] == "META":
        k, v = parts[1].split("=", 1)
        meta[k] = v
    elif parts[0] == "RESULT":
        kv = dict(p.split("=", 1) for p in parts[2:])
        results.setdefault(parts[1], []).append(kv)
names = {
    "tune-lock": "whole `stb-app tune` process → FE_HAS_LOCK (vidtv's own multiplex)",
    "tune-pat": "whole `stb-app tune --pat` process → first complete PAT",
    "scan-preset": "ChinaSat preset scan of the emulated sky (8 transponders, 15 services)",
    "ui-full-frame": "full 1280x720 frame, worst screen (host, software renderer)",
    "ui-first-frame": "first frame after user space starts (emulated box)",
    "ui-peak-memory": "peak resident memory of the running UI (emulated box)",
    "psi-instructions": "PAT+PMT only, instructions per packet (callgrind)",
    "si-every-section": "every SI section of a 23 MB stream parsed",
    "si-box": "the box's SI use (new sections only), 23 MB",
    "si-pat-pmt": "PAT+PMT only, 23 MB",
    "zap-same-sound": "zap on the same transponder → first sound (emulated box, the screens' log)",
    "zap-same-picture": "zap on the same transponder → first picture (emulated box)",
    "zap-cross-sound": "zap to another transponder → first sound (emulated box)",
    "zap-cross-picture": "zap to another transponder → first picture (emulated box)",
    "play-sd-memory": "peak resident memory of the player, SD MPEG-2 (emulated box)",
    "play-hd-memory": "peak resident memory of the player, HD H.264 1080 (emulated box)",
    "play-sd-cpu": "CPU of the player, SD MPEG-2 (emulated box, cores)",
    "play-hd-cpu": "CPU of the player, HD H.264 1080 (emulated box, cores)",
    "peer-sd-start-to-sound": "`stb-app play` → first sound, SD, against dvbv5-zap + gst-launch (emulated box)",
    "peer-hd-start-to-sound": "`stb-app play` → first sound, HD, against dvbv5-zap + gst-launch (emulated box)",
    "peer-sd-memory": "peak resident memory playing SD, against gst-launch (emulated box)",
    "peer-hd-memory": "peak resident memory playing HD, against gst-launch (emulated box)",
}
print("Measured by `benches/all.sh` on %s, commit %s, %s, load %s (1, 5, 15 min, before..after), %s runs of each."
      % (meta.get("date", "?"), meta.get("commit", "?"), meta.get("machine", "?").replace("-", " "),
         meta.get("load", "?").replace(",", " "), meta.get("runs", "?")))
print()
print("| measure | ours (median) | peer or target (median) | ratio ours / peer: min / median / max |")
print("|---|---|---|---|")
for key in names:
    rs = results.get(key)
    if not rs:
        continue
    ours = statistics.median(float(r["ours"]) for r in rs)
    peer = statistics.median(float(r["peer"]) for r in rs)
    ratios = sorted(float(r["ratio"]) for r in rs)
    unit = rs[0]["unit"]
    print("| %s | %g %s | %s %g %s | %.2f / **%.2f** / %.2f |" % (
        names[key], ours, unit, rs[0]["peer_name"], peer, unit, ratios[0], statistics.median(ratios), ratios[-1]))
PY
)
echo "$table"
if [ $write = 1 ]; then
    for f in docs/benchmarks.md README.md; do
        python3 - "$f" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- benches/all.sh: begin -->", "<!-- benches/all.sh: end -->"
a, b = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:a] + "\n" + table + "\n" + text[b:])
PY
    done
    echo "benches/all.sh: the table is in docs/benchmarks.md and README.md (raw results: build/benches-all.raw)" >&2
fi
