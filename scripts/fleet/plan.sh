#!/usr/bin/env bash
# plan.sh — one machine's part of a fleet run: the fleet's plan swept once on
# this machine, labelled, into DIR/LABEL.json (LABEL with every character
# other than letters, digits, '.', '_' and '-' turned into '_').
#
#   scripts/fleet/plan.sh DIR LABEL [SWEEP OPTIONS...]
#
# The sweep options default to $MPB_FLEET_PLAN, else a small plan that every
# machine runs in about a minute. The label (a runner type, a partition and
# node) goes to `mpbench sweep --label` when this mpbench has that option, so
# that `mpbench report` draws one series per label; the file name keeps it in
# any case. Environment: MPBENCH (the binary; default build/harness/mpbench
# of this tree, built when missing). Exit status: mpbench sweep's.
set -euo pipefail
# shellcheck source=scripts/fleet/common.sh
. "$(dirname "$0")/common.sh"
fleet_args 2 "scripts/fleet/plan.sh DIR LABEL [SWEEP OPTIONS...]" "$@"
dir=$1
label=$2
shift 2
if [ -z "$label" ]; then
  echo "plan.sh: LABEL is empty (accepted: any text naming the machine)" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  # shellcheck disable=SC2086  # the plan is a list of words
  set -- ${MPB_FLEET_PLAN:-"-w sumsq -s 20M -t 16 -j 1,2,4 -m fork,spawn -r 5 --max-runs 10 --seed 1"}
fi
fleet_mpbench

file=$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '_')
mkdir -p "$dir"
labelopt=()
if "$MPBENCH" sweep --help 2>/dev/null | grep -q -- '--label'; then
  labelopt=(--label "$label")
fi
echo "fleet: $label: mpbench sweep $* -> $dir/$file.json" >&2
exec "$MPBENCH" sweep "$@" "${labelopt[@]}" --no-progress -o "$dir/$file.json"
