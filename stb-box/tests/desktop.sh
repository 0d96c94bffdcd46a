#!/usr/bin/env bash
# The app in a desktop window (`stb-app ui --window`, built with `--features desktop`): started under Xvfb, keys
# typed into its window with xdotool reach the UI model through Slint (the wizard moves on to Tibetan and to the
# satellite step), and it stops cleanly. Called by tests/run; needs the packages of stb-box/tests/setup.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
cargo build -q --locked -p stb-box --features desktop
app=${CARGO_TARGET_DIR:-$top/target}/debug/stb-box
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export app work
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    set -euo pipefail
    STB_DATA_DIR="$work" "$app" ui --window >"$work/log" 2>&1 &
    pid=$!
    wait_for() {
        for _ in $(seq 1 300); do
            grep -q "$1" "$work/log" && return 0
            kill -0 $pid 2>/dev/null || { echo "desktop: the app stopped:"; cat "$work/log"; exit 1; }
            sleep 0.1
        done
        echo "desktop: \"$1\" never came:"; cat "$work/log"; exit 1
    }
    wait_for "ui: ready"
    # The window exists before it is viewable, and focusing an unmapped window is an X error (BadMatch):
    # wait for a visible window, then retry the focus until the server accepts it.
    win=$(timeout 30 xdotool search --sync --onlyvisible --pid $pid | head -n1)
    [ -n "$win" ] || { echo "desktop: no window of the app"; exit 1; }
    focused=0
    for _ in $(seq 1 100); do
        if timeout 10 xdotool windowfocus --sync "$win" 2>/dev/null; then focused=1; break; fi
        sleep 0.1
    done
    [ $focused = 1 ] || { echo "desktop: the window never took the focus"; exit 1; }
    timeout 30 xdotool key --window "$win" Down
    wait_for "ui: key Down"
    timeout 30 xdotool key --window "$win" Return
    wait_for "ui: screen wizard-satellite"
    kill $pid
    wait $pid 2>/dev/null || true
'
grep -q "ui: key Ok" "$work/log"
echo "desktop: the window answered the keys (wizard-language -> wizard-satellite)"
