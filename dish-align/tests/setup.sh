#!/usr/bin/env bash
# Installs what dish-align's tests and benchmarks need on a fresh Debian 12 machine.
# Run once before `cargo test -p dish-align` (the PROJ cross-check fails without pyproj).
set -euo pipefail

PY="${PYTHON:-python3}"
# Independent geodesy for tests/pyproj_check.py (pinned; wheels bundle PROJ 9.x).
"$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "pyproj==3.7.1"
# Peer for the time-to-first-fix benchmark (benches/peer_first_fix.py).
"$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "pyserial==3.5" "pynmea2==1.19.0"

# A Chinese font so PNG pointing cards can be rendered in Chinese (SVG cards need none).
# Not needed by the tests themselves, so a failure here is only a warning.
if command -v apt-get >/dev/null 2>&1 && ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
            || echo "warning: could not install fonts-wqy-microhei (Chinese PNG cards fall back to English)" >&2
    fi
fi
"$PY" -c "import pyproj; print('pyproj', pyproj.__version__, 'PROJ', pyproj.proj_version_str)"
