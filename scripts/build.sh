#!/usr/bin/env bash
# build.sh — configure (once) and build mpbench in build/ (release, the build
# you measure with). Extra arguments go to `meson setup` on first configure.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release "$@" >/dev/null
fi
ninja -C build >/dev/null
echo "build: build/harness/mpbench"
