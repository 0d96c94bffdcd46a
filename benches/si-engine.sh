#!/usr/bin/env bash
# Benchmark (not a test): the SI engine against the best existing crates on the same 23 MB stream, with criterion
# (`cargo bench -p ts-si`, ts-si/benches/demux.rs): every SI section parsed (ts-si against dvb-si 12), the box's use
# (ts-si's SiCollector against dvb-si's SiDemux), PAT+PMT only (ts-si against mpeg2ts-reader 0.18). Prints the
# median time of each and a RESULT line per pair (time ratio: below 1 we are faster).
#   benches/si-engine.sh [MEASUREMENT_SECONDS]     (default 3 per benchmark)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
cd "$top"
cargo bench -q --locked -p ts-si --bench demux -- --warm-up-time 1 --measurement-time "$secs" --noplot >/dev/null 2>&1
python3 - "${CARGO_TARGET_DIR:-$top/target}/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]
def median_ns(group, bench):
    with open(os.path.join(root, group, bench, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]
for key, group, ours, peer, peer_name in [
    ("si-every-section", "si_every_section", "ts-si", "dvb-si 12", "dvb-si"),
    ("si-box", "si_box", "ts-si SiCollector", "dvb-si 12 SiDemux", "dvb-si"),
    ("si-pat-pmt", "psi_pat_pmt", "ts-si", "mpeg2ts-reader 0.18", "mpeg2ts-reader"),
]:
    o, p = median_ns(group, ours) / 1e6, median_ns(group, peer) / 1e6
    print("%-18s ts-si %8.2f ms  %s %8.2f ms  ratio %.2f" % (key, o, peer_name, p, o / p))
    print("RESULT %s ours=%.2f peer=%.2f unit=ms peer_name=%s better=lower ratio=%.2f" % (key, o, p, peer_name, o / p))
PY
