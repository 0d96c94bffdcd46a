#!/bin/sh
# Runs every fuzz target of this crate for RUNS executions (default 10 million), one at a time.
# Full libFuzzer output goes to fuzz/logs/<target>.log; a summary line per target is printed.
# Needs cargo-fuzz: sh smartcard/fuzz/setup.sh.
set -u
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-card}
export RUSTC_BOOTSTRAP=1
mkdir -p logs
status=0
for t in $(cargo fuzz list); do
    mkdir -p "corpus/$t"
    if cargo fuzz run -O "$t" "corpus/$t" -- -runs="$RUNS" -max_len=512 -print_final_stats=1 >"logs/$t.log" 2>&1; then
        echo "$t: ok, $(grep -E '^stat::number_of_executed_units' "logs/$t.log" | tail -1), $(grep -E '^Done' "logs/$t.log" | tail -1)"
    else
        echo "$t: FAILED, see fuzz/logs/$t.log"
        status=1
    fi
done
exit $status
