#!/usr/bin/env bash
# Benchmark (not a test): time from the tune call to FE_HAS_LOCK and to the first complete PAT, stb-app side by
# side with dvbv5-zap (libdvbv5), in the same emulated box on the same vidtv adapter.
#
# vidtv carries its multiplex on two frequencies here, and every round alternates between them, so each tune is
# a real retune. Whole processes are timed (start, open, tune, wait, exit), N rounds each, with the guest clock.
#   benches/tune-to-pat.sh [ROUNDS]      (default 40)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-40}
guest=$(cat <<GUEST
set -e
cat > /tmp/ch.conf <<EOF2
[a]
	DELIVERY_SYSTEM = DVBS
	FREQUENCY = 11362000
	POLARIZATION = HORIZONTAL
	SYMBOL_RATE = 27500000
	INNER_FEC = AUTO
[b]
	DELIVERY_SYSTEM = DVBS
	FREQUENCY = 11462000
	POLARIZATION = HORIZONTAL
	SYMBOL_RATE = 27500000
	INNER_FEC = AUTO
EOF2
now() { cut -d' ' -f1 /proc/uptime; }
ms() { awk -v a="\$1" -v b="\$2" -v n="$rounds" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'; }
freq() { if [ \$((\$1 % 2)) = 0 ]; then echo 11362; else echo 11462; fi; }
name() { if [ \$((\$1 % 2)) = 0 ]; then echo a; else echo b; fi; }
run() { # \$1: label, \$2: command template with @F@ (MHz) or @N@ (channel name)
    i=0; t0=\$(now)
    while [ \$i -lt $rounds ]; do
        cmd=\$(echo "\$2" | sed "s/@F@/\$(freq \$i)/; s/@N@/\$(name \$i)/")
        sh -c "\$cmd" >/dev/null 2>&1 || { echo "FAILED: \$cmd" >&2; exit 1; }
        i=\$((i+1))
    done
    echo "\$1 \$(ms \$t0 \$(now))"
}
run stb-app-lock 'stb-app tune --freq @F@ --pol h --sr 27500 --lnb universal'
run dvbv5-zap-lock 'dvbv5-zap -c /tmp/ch.conf -l UNIVERSAL -x @N@'
run stb-app-pat 'stb-app tune --freq @F@ --pol h --sr 27500 --lnb universal --pat'
run dvbv5-zap-pat 'dvbv5-zap -c /tmp/ch.conf -l UNIVERSAL -x @N@ && stb-app sections --pid 0 --table 0'
echo internal \$(stb-app tune --freq 11462 --pol h --sr 27500 --pat --json)
GUEST
)
out=$("$top/images/run" --headless --no-build --vidtv vidtv_valid_dvb_s_freqs=11362000,11462000 -- sh -c "$guest")
echo "$out" | grep internal >&2 || true
declare -A t
while read -r k v; do t[$k]=$v; done < <(echo "$out" | grep -v '^internal')
printf '%-34s %10s %10s %8s\n' "per tune, mean of $rounds rounds" "stb-app" "dvbv5-zap" "ratio"
for what in lock pat; do
    a=${t[stb-app-$what]} b=${t[dvbv5-zap-$what]}
    printf '%-34s %8s ms %7s ms %8s\n' "tune call -> $( [ $what = lock ] && echo FE_HAS_LOCK || echo 'first PAT' )" "$a" "$b" \
        "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
done
