#!/usr/bin/env bash
# Benchmark (not a test): wall time of the ChinaSat 92.2°E preset scan of the emulated sky (8 transponders through
# the 10750 MHz LNB, two of them DVB-S2), stb-app side by side with dvbv5-scan, in the same emulated box on the same
# adapter, with the number of services each found. One warm-up run of each, then ROUNDS timed runs of each,
# alternating.
#
# dvbv5-scan gets every transponder with its exact parameters (it cannot learn them: Debian 12's libdvbv5 takes a
# DVB-S2 NIT entry's modulation from the S2 flag), through a universal-LNB stand-in at IF + 9750 MHz (its
# single-LO LNBs never switch to 18 V, so the left-hand transponders are otherwise out of its reach), without
# following the NIT (-F); stb-app starts from the satellite catalogue's list, as the box's wizard does.
#   benches/scan.sh [ROUNDS]      (default 3)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
guest=$(cat <<GUEST
: > /tmp/in.conf
tp() { printf "[\$1]\n\tDELIVERY_SYSTEM = \$2\n\tFREQUENCY = \$(( (\$1 - 1000) * 1000 ))\n\tPOLARIZATION = \$3\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = \$4\n\$5" >> /tmp/in.conf; }
tp 11840 DVBS RIGHT 3/4
tp 11880 DVBS2 RIGHT 3/4 "\tMODULATION = PSK/8\n\tROLLOFF = 20\n"
tp 11920 DVBS RIGHT 3/4
tp 11960 DVBS2 RIGHT 2/3 "\tMODULATION = QPSK\n\tROLLOFF = 25\n"
tp 12020 DVBS LEFT 3/4
tp 12060 DVBS LEFT 5/6
tp 12100 DVBS LEFT 3/4
tp 12140 DVBS LEFT 3/4
now() { cut -d' ' -f1 /proc/uptime; }
dvbv5() { dvbv5-scan -l UNIVERSAL -S 0 -F -o /tmp/out.conf /tmp/in.conf >/dev/null 2>&1; grep -c SERVICE_ID /tmp/out.conf; }
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
out=$("$top/images/run" --headless --no-build -- sh -c "$guest")
echo "$out" | awk -v rounds="$rounds" '
    { t[$1] += $3 - $2; n[$1] = $4 }
    END {
        printf "%-12s %14s %10s\n", "tool", "mean wall (s)", "services"
        for (k in t) printf "%-12s %14.2f %10s\n", k, t[k] / rounds, n[k]
        printf "ratio stb-app / dvbv5-scan: %.2f\n", t["stb-app"] / t["dvbv5-scan"]
        if (n["stb-app"] != n["dvbv5-scan"]) { print "benches/scan.sh: the two found different numbers of services"; exit 1 }
        printf "RESULT scan-preset ours=%.2f peer=%.2f unit=s peer_name=dvbv5-scan better=lower ratio=%.2f\n",
            t["stb-app"] / rounds, t["dvbv5-scan"] / rounds, t["stb-app"] / t["dvbv5-scan"]
    }'
