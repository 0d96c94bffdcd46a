#!/bin/sh
# What stb-app's tests need on a fresh Debian 12 host: the pinned fonts of the screens (the box image ships the same
# Debian packages) and fontconfig's development files for Slint's build.
set -e
need="fonts-noto-cjk fonts-tibetan-machine libfontconfig-dev pkg-config"
missing=""
for p in $need; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
