#!/usr/bin/env bash
# Benchmark (not a test) of zapping and playing on the emulated box, against issue 12's targets: the box boots with
# its card, is installed with the remote and activates itself over the air; the remote then zaps between channels
# of one transponder and of different ones, and the screens' log says how long after each zap the first sound and
# picture came; the player's CPU and peak memory are read while it plays SD and HD. See tests/src/bin/zap-bench.rs.
#   benches/zap.sh [ROUNDS]      (default 2; 9 zaps a round)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
images/build >/dev/null
cargo run -q -p box-tests --bin zap-bench -- "${1:-2}"
