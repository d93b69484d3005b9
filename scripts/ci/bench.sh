#!/usr/bin/env bash
# bench.sh — mpbench in any CI: build, sweep a fixed small plan, write the
# report (plots, index.md, index.html), compare with a baseline kept in the
# repository and fail the job on a regression.
#
#   scripts/ci/bench.sh [OUTDIR]          default OUTDIR: ci-out
#
# Writes OUTDIR/results.json, OUTDIR/report/ (upload it as an artifact),
# OUTDIR/compare.md (a Markdown table; appended to $GITHUB_STEP_SUMMARY when
# that is set) and OUTDIR/compare.json.
# Exit status: 0 no regression, 3 a point regressed beyond the threshold with
# significance (see results/README.md, "compare"), anything else an error.
#
# Environment:
#   MPB_CI_BASELINE          baseline results [results/samples/ci-baseline.json]
#   MPB_CI_THRESHOLD         regression threshold, percent [10]
#   MPB_CI_UPDATE_BASELINE=1 write the new results over the baseline instead of
#                            comparing (run it on the CI's own kind of machine:
#                            a baseline from another machine compares machines)
#   MPBENCH                  an mpbench binary to use instead of building one
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-ci-out}
baseline=${MPB_CI_BASELINE:-results/samples/ci-baseline.json}
threshold=${MPB_CI_THRESHOLD:-10}

if [ -z "${MPBENCH:-}" ]; then
  scripts/setup.sh
  scripts/build.sh
  MPBENCH=build/harness/mpbench
fi
mkdir -p "$out"

# The fixed plan. The baseline must come from the same plan: change both together.
"$MPBENCH" sweep -w sumsq -s 2M -t 4 -j 1,2 -m fork,spawn,thread -r 5 --max-runs 6 \
  --seed 1 --no-progress -o "$out/results.json" | tee "$out/sweep.txt"

"$MPBENCH" report "$out/results.json" -o "$out/report"

if [ "${MPB_CI_UPDATE_BASELINE:-0}" = 1 ]; then
  cp "$out/results.json" "$baseline"
  echo "bench: baseline $baseline updated; commit it"
  exit 0
fi

set +e
"$MPBENCH" compare "$baseline" "$out/results.json" --threshold "$threshold" >"$out/compare.md"
rc=$?
"$MPBENCH" compare "$baseline" "$out/results.json" --threshold "$threshold" --format json \
  >"$out/compare.json" 2>/dev/null
set -e
cat "$out/compare.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
case $rc in
  0) echo "bench: no regression against $baseline" ;;
  3) echo "bench: REGRESSION against $baseline (threshold $threshold%)" >&2 ;;
  *) echo "bench: compare failed (exit $rc)" >&2 ;;
esac
exit "$rc"
