#!/usr/bin/env bash
# Benchmark (not a test): time from starting the tuning process to FE_HAS_LOCK and to the first complete PAT,
# stb-app side by side with the LinuxTV tools (libdvbv5), in the same emulated box on the same vidtv adapter.
#
# vidtv carries its own multiplex on two frequencies here, and every round alternates between them, so each tune is
# a real retune. Whole processes are timed with the guest's monotonic clock (start, open, tune, wait, exit), and each
# round runs
# ours and the peer one after the other:
#   lock: `stb-app tune` against `dvbv5-zap -x` (exits once locked);
#   PAT:  `stb-app tune --pat` against one `dvbv5-scan` process, timed at the moment its log says the PAT came
#         (libdvbv5's "received table 0x00"): one peer process, no program of ours in its time.
# Prints the medians with the spread of the per-round ratios and, per measure, a RESULT line (benches/all.sh
# collects those).
#   benches/tune-to-pat.sh [ROUNDS]      (default 20)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-20}
guest=$(cat <<GUEST
set -e
conf() { printf "[\$1]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = \$2\n\tPOLARIZATION = HORIZONTAL\n\tSYMBOL_RATE = 27500000\n\tINNER_FEC = AUTO\n"; }
{ conf a 11362000; conf b 11462000; } > /tmp/ch.conf
conf a 11362000 > /tmp/a.conf
conf b 11462000 > /tmp/b.conf
# The guest's monotonic clock in ns (/proc/uptime counts in 10 ms steps; busybox date has no %N).
now() { awk '/^now at/ { print \$3; exit }' /proc/timer_list; }
ms() { awk -v a="\$1" -v b="\$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
timed() { a=\$(now); sh -c "\$1" >/dev/null 2>&1 || { echo "FAILED: \$1" >&2; exit 1; }; ms \$a \$(now); }
pat_peer() { # one dvbv5-scan process, timed when its log says the PAT came
    a=\$(now)
    t=\$(dvbv5-scan -v -F -l UNIVERSAL -o /tmp/o.conf /tmp/\$1.conf 2>&1 |
        awk '/received table 0x00/ {
            while ((getline u < "/proc/timer_list") > 0) if (u ~ /^now at/) { split(u, x, " "); print x[3]; exit }
        }')
    [ -n "\$t" ] || { echo "FAILED: no PAT from dvbv5-scan" >&2; exit 1; }
    ms \$a \$t
}
i=0
while [ \$i -lt $rounds ]; do
    if [ \$((i % 2)) = 0 ]; then f=11362; n=a; else f=11462; n=b; fi
    echo "round \$i \$(timed "stb-app tune --freq \$f --pol h --sr 27500 --lnb universal") \
\$(timed "dvbv5-zap -c /tmp/ch.conf -l UNIVERSAL -x \$n") \
\$(timed "stb-app tune --freq \$f --pol h --sr 27500 --lnb universal --pat") \$(pat_peer \$n)"
    i=\$((i+1))
done
echo internal \$(stb-app tune --freq 11462 --pol h --sr 27500 --lnb universal --pat --json)
GUEST
)
out=$("$top/images/run" --headless --no-build --vidtv vidtv_valid_dvb_s_freqs=11362000,11462000 -- sh -c "$guest")
echo "$out" | grep internal >&2 || true
echo "$out" | grep '^round' | python3 -c '
import statistics, sys
rows = [list(map(float, l.split()[2:])) for l in sys.stdin]
print("per tune, %d rounds (ms)            stb-app  median   peer  median   ratio of medians  per-round ratio min/median/max" % len(rows))
for name, peer, a, b in [("tune call -> FE_HAS_LOCK", "dvbv5-zap", 0, 1), ("tune call -> first PAT", "dvbv5-scan", 2, 3)]:
    ours = [r[a] for r in rows]; theirs = [r[b] for r in rows]
    ratios = sorted(o / t for o, t in zip(ours, theirs))
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print("%-34s %8.1f     %-10s %7.1f   %5.2f             %.2f / %.2f / %.2f" % (name, mo, peer, mt, mo / mt, ratios[0], statistics.median(ratios), ratios[-1]))
    key = "tune-lock" if a == 0 else "tune-pat"
    print("RESULT %s ours=%.1f peer=%.1f unit=ms peer_name=%s better=lower ratio=%.2f" % (key, mo, mt, peer, mo / mt))
'
