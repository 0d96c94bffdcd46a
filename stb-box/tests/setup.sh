#!/bin/sh
# What stb-box's tests need on a fresh Debian 12 host: the pinned fonts of the screens (the box image ships the same
# Debian packages), fontconfig's development files for Slint's build, and for the desktop-window test an X server
# without a screen (Xvfb), xdotool to type into the window, and the X libraries winit opens at run time.
set -e
need="fonts-noto-cjk fonts-tibetan-machine libfontconfig-dev pkg-config xvfb xauth xdotool libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1"
missing=""
for p in $need; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
