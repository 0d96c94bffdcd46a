#!/bin/sh
# Installs what the fuzz targets of smartcard/ and activation/ need: cargo-fuzz (from crates.io).
# The fuzz targets build with the stable toolchain and RUSTC_BOOTSTRAP=1.
set -eu
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
