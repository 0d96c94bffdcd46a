#!/usr/bin/env bash
# Benchmark (not a test): instructions executed by the PAT+PMT-only demux of ts-si and of mpeg2ts-reader 0.18 on the
# same 23 MB stream (ts-si/benches/shared/psi_work.rs, the work `cargo bench -p ts-si` times as psi_pat_pmt),
# counted by valgrind's callgrind inside each side's function. Unlike a time, the count is the same whatever else
# the machine is doing, so the ratio is repeatable on a shared 2-core machine where criterion's spread is wide.
# Fewer instructions is not the same as less time (both loops mostly wait for each packet's cache line); the
# timed comparison is in ts-si/README.md.
#   benches/psi-instructions.sh [ROUNDS]     (default 3 passes over the stream per side)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
command -v valgrind >/dev/null || { echo "psi-instructions: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cd "$top"
# The bench profile (release settings) with symbols kept, so callgrind can find each side's function.
cargo build -q --locked --profile bench --config 'profile.bench.strip=false' -p ts-si --example psi_loop
bin=${CARGO_TARGET_DIR:-$top/target}/release/examples/psi_loop
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
    valgrind --tool=callgrind --callgrind-out-file="$out/$1" --toggle-collect="psi_loop::psi_work::$1" \
        "$bin" "$rounds" >"$out/$1.log" 2>&1
    awk '/^(summary|totals):/ {print $2; exit}' "$out/$1"
}
ours=$(count ours_psi)
peer=$(count mpeg2ts_reader_psi)
packets=$(grep -o '^[0-9]* packets' "$out/ours_psi.log" | cut -d' ' -f1)
awk -v o="$ours" -v p="$peer" -v n="$packets" -v r="$rounds" 'BEGIN {
    printf "PAT+PMT only, %d packets x %d passes, instructions per packet:\n", n, r
    printf "  ts-si           %6.1f\n", o / (n * r)
    printf "  mpeg2ts-reader  %6.1f\n", p / (n * r)
    printf "  ratio (mpeg2ts-reader / ts-si) %.2f\n", p / o
    printf "RESULT psi-instructions ours=%.1f peer=%.1f unit=instructions/packet peer_name=mpeg2ts-reader better=lower ratio=%.2f\n", o / (n * r), p / (n * r), o / p
}'
