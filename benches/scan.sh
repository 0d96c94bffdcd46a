#!/usr/bin/env bash
# Benchmark (not a test): wall time of the ChinaSat 92.2°E preset scan (8 transponders through the 10750 MHz LNB),
# stb-app side by side with dvbv5-scan, in the same emulated box on the same vidtv adapter, with the number of
# services each found. One warm-up run of each, then ROUNDS timed runs of each, alternating.
#   benches/scan.sh [ROUNDS]      (default 3)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
freqs=vidtv_valid_dvb_s_freqs=10840000,10880000,10920000,10960000,11020000,11060000,11100000,11140000
guest=$(cat <<GUEST
: > /tmp/in.conf
for f in 11840 11880 11920 11960; do printf "[R\$f]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = \${f}000\n\tPOLARIZATION = RIGHT\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = AUTO\n" >> /tmp/in.conf; done
for f in 12020 12060 12100 12140; do printf "[L\$f]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = \${f}000\n\tPOLARIZATION = LEFT\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = AUTO\n" >> /tmp/in.conf; done
now() { cut -d' ' -f1 /proc/uptime; }
dvbv5() { dvbv5-scan -l L10750 -S 0 -o /tmp/out.conf /tmp/in.conf >/dev/null 2>&1; grep -c SERVICE_ID /tmp/out.conf; }
ours() { stb-app scan --satellite 92.2E --mode preset --db /tmp/ch.db --json 2>/dev/null | grep -o '"services":[0-9]*' | tail -1 | cut -d: -f2; }
dvbv5 >/dev/null; rm -f /tmp/ch.db*; ours >/dev/null
i=0
while [ \$i -lt $rounds ]; do
    a=\$(now); n=\$(dvbv5); b=\$(now); echo "dvbv5-scan \$a \$b \$n"
    rm -f /tmp/ch.db*  # every timed scan starts from an empty channel list, as dvbv5-scan starts from nothing
    a=\$(now); n=\$(ours); b=\$(now); echo "stb-app \$a \$b \$n"
    i=\$((i+1))
done
GUEST
)
out=$("$top/images/run" --headless --no-build --vidtv "$freqs" -- sh -c "$guest")
echo "$out" | awk -v rounds="$rounds" '
    { t[$1] += $3 - $2; n[$1] = $4 }
    END {
        printf "%-12s %14s %10s\n", "tool", "mean wall (s)", "services"
        for (k in t) printf "%-12s %14.2f %10s\n", k, t[k] / rounds, n[k]
        printf "ratio stb-app / dvbv5-scan: %.2f\n", t["stb-app"] / t["dvbv5-scan"]
    }'
