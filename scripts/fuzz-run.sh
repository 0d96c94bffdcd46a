#!/bin/sh
# Runs every cargo-fuzz target of one crate for RUNS executions (default 10 million), one at a time, each from its
# kept corpus. Full libFuzzer output goes to <crate>/fuzz/logs/<target>.log; a summary line per target is printed.
#   scripts/fuzz-run.sh CRATE_FUZZ_DIR MAX_LEN
# Needs cargo-fuzz (cargo install cargo-fuzz) and a stable toolchain (RUSTC_BOOTSTRAP=1 is set here).
set -u
[ $# -eq 2 ] || { echo "usage: scripts/fuzz-run.sh CRATE_FUZZ_DIR MAX_LEN" >&2; exit 2; }
cd "$1" || exit 2
max_len=$2
RUNS=${RUNS:-10000000}
export RUSTC_BOOTSTRAP=1
mkdir -p logs
status=0
for t in $(cargo fuzz list); do
    mkdir -p "corpus/$t"
    if cargo fuzz run -O "$t" "corpus/$t" -- -runs="$RUNS" -max_len="$max_len" -print_final_stats=1 >"logs/$t.log" 2>&1; then
        echo "$t: ok, $(grep -E '^stat::number_of_executed_units' "logs/$t.log" | tail -1), $(grep -E '^Done' "logs/$t.log" | tail -1)"
    else
        echo "$t: FAILED, see $1/logs/$t.log"
        status=1
    fi
done
exit $status
