#!/bin/sh
# Every fuzz target of smartcard for RUNS executions (default 10 million), one at a time; see scripts/fuzz-run.sh.
# Needs cargo-fuzz: sh smartcard/fuzz/setup.sh.
here=$(cd "$(dirname "$0")" && pwd)
exec sh "$here/../../scripts/fuzz-run.sh" "$here" 512
