#!/usr/bin/env bash
# run.sh — the main job on a fresh Debian machine: install what is missing,
# build, run the default sweep, which writes results/<host>-<time>.json and
# prints a table, then write its report (plots, index.md, index.html) into
# results/report-<host>-<time>/. Arguments go to `mpbench sweep`
# (e.g. -w null -c 1). The exit status is the sweep's.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
build/harness/mpbench sweep "$@" | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# the sweep names its results file on its last "results: PATH" line
results=$(sed -n 's/^results: //p' "$log" | tail -n1)
if [ -n "$results" ] && [ -f "$results" ]; then
  mkdir -p results
  name=$(basename "$results" .json)
  build/harness/mpbench report "$results" -o "results/report-$name" ||
    echo "run: the report failed; the results are in $results" >&2
fi
exit "$rc"
