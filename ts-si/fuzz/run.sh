#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions (default 10 million), one after the other
# (the build machine has two cores), with the seed corpus in corpus/<target>/.
# New inputs go to a scratch corpus so the committed one stays small.
# Usage: fuzz/run.sh [RUNS] [MAX_SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-10000000}
MAX=${2:-3600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-ts-si-fuzz}
# Largest input worth trying per target: a DVB string is at most 255 bytes, a section
# 4099, a descriptor loop 4095; streams get 64 packets.
declare -A MAXLEN=([text]=256 [descriptors]=4095 [tables]=4099 [ts_packet]=752 [section_reassembly]=12032)
for t in ${TARGETS:-text descriptors tables ts_packet section_reassembly}; do
    mkdir -p "${SCRATCH:-/tmp/ts-si-fuzz}/$t"
    echo "== $t"
    # The engine has no unsafe code: run without ASan (-s none) for throughput;
    # debug assertions (overflow checks) stay on.
    cargo fuzz run -O -s none "$t" "${SCRATCH:-/tmp/ts-si-fuzz}/$t" "corpus/$t" -- \
        -runs="$RUNS" -max_total_time="$MAX" -max_len="${MAXLEN[$t]}" -print_final_stats=1 2>&1 |
        grep -E "^(stat::|Done|==|.*ERROR|.*panicked|SUMMARY)" || true
done
