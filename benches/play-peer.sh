#!/usr/bin/env bash
# Benchmark (not a test) of the player against its peer in the same emulated box (issue 12): `stb-app play` and
# `dvbv5-zap -P -r` + `gst-launch-1.0` on the same services from the box's exported dvbv5 channel file, the time from
# the command to the first sound and the peak resident memory, SD and HD. See tests/src/bin/play-peer-bench.rs.
#   benches/play-peer.sh [ROUNDS]      (default 2)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
images/build >/dev/null
cargo run -q -p box-tests --bin play-peer-bench -- "${1:-2}"
