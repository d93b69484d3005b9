#!/usr/bin/env bash
# bench.sh — mpbench as a CI gate: build this tree and its merge base, sweep
# the same fixed small plan with both on this runner, write the report
# (plots, index.md, index.html), compare and fail the job on a regression.
#
#   scripts/ci/bench.sh [OUTDIR]          default OUTDIR: ci-out
#
# The baseline is never a file recorded on another machine: it is measured
# here and now, by the merge base's own mpbench (built in a temporary git
# worktree by its own scripts/build.sh), right before this tree's. A gate
# that compared with a baseline from another machine would compare machines.
#
# Writes OUTDIR/base.json and OUTDIR/results.json (the merge base's and this
# tree's sweeps), OUTDIR/report/ (this tree's; upload it as an artifact),
# OUTDIR/compare.md (a Markdown table; appended to $GITHUB_STEP_SUMMARY when
# that is set), OUTDIR/compare.json, OUTDIR/baseline.txt (what the baseline
# was: commit or file, and why) and, after a regression, OUTDIR/confirm/
# (both measured again in the other order).
# Exit status: 0 no regression, 3 a point regressed beyond the threshold with
# significance (see results/README.md, "compare") in both passes (see
# MPB_CI_CONFIRM), 2 no usable baseline
# (no merge base, or a stored baseline from another machine), anything else
# an error.
#
# Environment:
#   MPB_CI_BASE_REF   the branch to take the merge base with
#                     [origin/$GITHUB_BASE_REF on a pull request, else
#                     origin/main, else main]; when the merge base is this
#                     very commit (a push to that branch), its parent
#   MPB_CI_BASELINE   a results file to compare with instead (no merge-base
#                     build); refused unless it was recorded on a machine with
#                     this runner's fingerprint (cpu_model, usable_cpus, kernel)
#   MPB_CI_THRESHOLD  regression threshold, percent [10]
#   MPB_CI_PLAN       the sweep options of the fixed plan (both sides run it)
#   MPB_CI_CONFIRM=0  gate on the first pass alone (by default a regression
#                     is measured again, this tree first, and gates only when
#                     it holds in both orders)
#   MPBENCH           an mpbench binary for this tree instead of building one
#   MPBENCH_BASE      an mpbench binary for the baseline instead of building
#                     the merge base
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

out=${1:-ci-out}
threshold=${MPB_CI_THRESHOLD:-10}
# The fixed plan: 4 runs at least, so that the rank test can reach p < 0.05.
# Tasks of ~10 ms: the pool's fixed costs stay small beside them.
plan=${MPB_CI_PLAN:-"-w sumsq -s 20M -t 8 -j 1,2 -m fork,spawn,thread -r 5 --max-runs 10 --seed 1"}
mkdir -p "$out"
out=$(cd "$out" && pwd)

say() { echo "bench: $*" >&2; }

tmp=$(mktemp -d)
worktree=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [ -n "$worktree" ]; then
    git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${MPBENCH:-}" ]; then
  scripts/setup.sh
  scripts/build.sh >&2
  MPBENCH=$root/build/harness/mpbench
fi

# ---- the baseline: a stored file of this machine, or the merge base ----
base_bin=""
base_json=""
if [ -n "${MPB_CI_BASELINE:-}" ]; then
  base_json=$MPB_CI_BASELINE
  [ -f "$base_json" ] || { say "MPB_CI_BASELINE: '$base_json' is not a file"; exit 2; }
  echo "baseline: the stored file $base_json (accepted only from a machine with this runner's fingerprint)" \
    >"$out/baseline.txt"
elif [ -n "${MPBENCH_BASE:-}" ]; then
  base_bin=$MPBENCH_BASE
  echo "baseline: the binary $base_bin, run on this runner with the same plan" >"$out/baseline.txt"
else
  git rev-parse --git-dir >/dev/null 2>&1 ||
    { say "not a git checkout: no merge base to build (set MPB_CI_BASELINE or MPBENCH_BASE)"; exit 2; }
  ref=${MPB_CI_BASE_REF:-}
  if [ -z "$ref" ]; then
    for r in ${GITHUB_BASE_REF:+origin/$GITHUB_BASE_REF} origin/main main; do
      if git rev-parse --verify -q "$r^{commit}" >/dev/null; then ref=$r; break; fi
    done
  fi
  [ -n "$ref" ] || { say "no branch to take the merge base with (set MPB_CI_BASE_REF)"; exit 2; }
  mb=$(git merge-base HEAD "$ref") ||
    { say "no merge base of HEAD and $ref (a shallow clone? fetch with fetch-depth: 0)"; exit 2; }
  why="the merge base of HEAD and $ref"
  if [ "$mb" = "$(git rev-parse HEAD)" ]; then
    mb=$(git rev-parse --verify -q "HEAD^") ||
      { say "HEAD is $ref itself and has no parent: nothing to compare with"; exit 2; }
    why="the parent of HEAD (HEAD is on $ref)"
  fi
  echo "baseline: commit $mb, $why, built and run on this runner with the same plan" \
    >"$out/baseline.txt"
  worktree=$tmp/base
  git worktree add --detach "$worktree" "$mb" >/dev/null 2>&1 ||
    { say "cannot check out $mb into a temporary worktree"; exit 2; }
  say "building the baseline: $(cat "$out/baseline.txt")"
  (cd "$worktree" && scripts/build.sh >&2)
  base_bin=$worktree/build/harness/mpbench
fi
cat "$out/baseline.txt"

# ---- both sweeps, back to back on this runner: the baseline first ----
if [ -n "$base_bin" ]; then
  base_json=$out/base.json
  # shellcheck disable=SC2086  # the plan is a list of words
  if ! "$base_bin" sweep $plan --no-progress -o "$base_json" >"$out/sweep-base.txt"; then
    say "the baseline's mpbench could not run the plan (see $out/sweep-base.txt; an option it predates?)"
    exit 2
  fi
fi
# shellcheck disable=SC2086
"$MPBENCH" sweep $plan --no-progress -o "$out/results.json" | tee "$out/sweep.txt"

"$MPBENCH" report "$out/results.json" -o "$out/report"

# compare BASE NEW DIR: compare.md, compare.err, compare.json in DIR; the status
compare() {
  local rc=0
  "$MPBENCH" compare "$1" "$2" --threshold "$threshold" >"$3/compare.md" 2>"$3/compare.err" ||
    rc=$?
  "$MPBENCH" compare "$1" "$2" --threshold "$threshold" --format json >"$3/compare.json" \
    2>/dev/null || true
  return "$rc"
}

rc=0
compare "$base_json" "$out/results.json" "$out" || rc=$?
cat "$out/compare.err" >&2
if grep -q "the machines differ" "$out/compare.err"; then
  # only a stored file can come from elsewhere: both sweeps above ran here
  say "REFUSED: the baseline $base_json was recorded on another machine; a gate against it would compare machines"
  exit 2
fi
note="_$(cat "$out/baseline.txt")_"
# A regression must hold when measured again in the other order: sweeps run
# back to back on a shared runner drift (other jobs, clock frequency), and
# the second of the two pays for it. Only a regression both passes show
# fails the job.
if [ "$rc" = 3 ] && [ "${MPB_CI_CONFIRM:-1}" = 1 ]; then
  say "a point regressed in the first pass: measuring again, this tree first"
  mkdir -p "$out/confirm"
  # shellcheck disable=SC2086
  "$MPBENCH" sweep $plan --no-progress -o "$out/confirm/results.json" >"$out/confirm/sweep.txt"
  base2=$base_json
  if [ -n "$base_bin" ]; then
    base2=$out/confirm/base.json
    # shellcheck disable=SC2086
    "$base_bin" sweep $plan --no-progress -o "$base2" >"$out/confirm/sweep-base.txt"
  fi
  rc=0
  compare "$base2" "$out/confirm/results.json" "$out/confirm" || rc=$?
  case $rc in
    3) note="$note
_Measured again in the other order (this tree first): the regression held (confirm/compare.md)._" ;;
    0) note="$note
_Measured again in the other order (this tree first): no point regressed (confirm/compare.md), so the regression above is taken for drift between the two sweeps, not for the code; the job passes._" ;;
  esac
fi
{ echo; echo "$note"; } >>"$out/compare.md"
cat "$out/compare.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
case $rc in
  0) echo "bench: no regression against the baseline" ;;
  3) say "REGRESSION against the baseline (threshold $threshold%), in both orders" ;;
  *) say "compare failed (exit $rc)" ;;
esac
exit "$rc"
