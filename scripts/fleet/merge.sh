#!/usr/bin/env bash
# merge.sh — the fleet's one report: every machine's results file in one
# `mpbench report` (plots, index.md, index.html in OUTDIR) and all their
# points in one Markdown table (OUTDIR/fleet.md, also appended to
# $GITHUB_STEP_SUMMARY when that is set).
#
#   scripts/fleet/merge.sh OUTDIR RESULTS.json|DIR...
#
# A DIR stands for the *.json files in it (sorted). Environment: MPBENCH (the
# binary; default build/harness/mpbench of this tree, built when missing).
# Exit status: 2 when no results file is found, else mpbench report's.
set -euo pipefail
# shellcheck source=scripts/fleet/common.sh
. "$(dirname "$0")/common.sh"
fleet_args 2 "scripts/fleet/merge.sh OUTDIR RESULTS.json|DIR..." "$@"
out=$1
shift
files=()
for a in "$@"; do
  if [ -d "$a" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$a" -maxdepth 1 -name '*.json' | sort)
  elif [ -f "$a" ]; then
    files+=("$a")
  else
    echo "merge.sh: '$a' is neither a results file nor a directory" >&2
    exit 2
  fi
done
if [ ${#files[@]} -eq 0 ]; then
  echo "merge.sh: no results file in $* (accepted: RESULTS.json files or directories of them)" >&2
  exit 2
fi
fleet_mpbench
mkdir -p "$out"
echo "fleet: merging ${#files[@]} results files into $out" >&2
"$MPBENCH" report "${files[@]}" -o "$out" >&2
"$MPBENCH" report "${files[@]}" --format md >"$out/fleet.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  { echo "### mpbench fleet: ${#files[@]} machines"; echo; cat "$out/fleet.md"; } >>"$GITHUB_STEP_SUMMARY"
fi
echo "fleet: $out/index.html, $out/index.md, $out/fleet.md"
