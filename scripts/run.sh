#!/usr/bin/env bash
# run.sh — the main job on a fresh Debian machine: install what is missing,
# build, and run the default sweep, which writes results/<host>-<time>.json
# and prints a table. Arguments go to `mpbench sweep` (e.g. -w null -c 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/harness/mpbench sweep "$@"
