#!/usr/bin/env bash
# slurm-submit.sh — run one plan on every machine type of a Slurm cluster and
# merge the results into one report: one job array per partition
# (slurm-array.sh; as many tasks as the partition has nodes, each node
# exclusive), then a merge job (merge.sh) that starts when all of them have
# ended (afterany: a failed task leaves its machine out, not the report).
#
#   scripts/fleet/slurm-submit.sh [-p PART,...] [-n TASKS] [--wait] OUTDIR [SWEEP OPTIONS...]
#
#   -p PART,...  partitions [every partition `sinfo` lists]
#   -n TASKS     array tasks per partition [the partition's node count]
#   --wait       return when the merge job has ended, with its exit status
#
# Writes OUTDIR/results/*.json (one per array task), OUTDIR/report/ (the
# merged report: index.html, index.md, fleet.md) and OUTDIR/slurm-*.out (the
# jobs' logs); prints the job ids. The nodes must see OUTDIR and this tree
# (a shared file system) and be able to run $MPBENCH (default
# build/harness/mpbench of this tree: build it for each architecture, or
# point MPBENCH at one that runs everywhere). SBATCH_EXTRA adds sbatch
# options to every job (e.g. "--account=A --time=01:00:00").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/fleet/common.sh
. "$here/common.sh"

usage() {
  echo "usage: scripts/fleet/slurm-submit.sh [-p PART,...] [-n TASKS] [--wait] OUTDIR [SWEEP OPTIONS...]" >&2
  exit 2
}
parts=""
ntasks=""
wait=()
while [ $# -gt 0 ]; do
  case $1 in
    -p) [ $# -ge 2 ] || usage; parts=$2; shift 2 ;;
    -n) [ $# -ge 2 ] || usage; ntasks=$2; shift 2 ;;
    --wait) wait=(--wait); shift ;;
    -h|--help) usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
case $ntasks in
  ""|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;;
  *) echo "slurm-submit.sh: -n '$ntasks' is not accepted (accepted: 1 to 999)" >&2; exit 2 ;;
esac
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
fleet_mpbench
export MPB_FLEET_DIR=$here
# shellcheck disable=SC2206  # SBATCH_EXTRA is a list of words
extra=(${SBATCH_EXTRA:-})

if [ -z "$parts" ]; then
  parts=$(sinfo -h -o '%R' | awk '!seen[$0]++' | paste -sd, -)   # each once, in sinfo's order
  [ -n "$parts" ] || { echo "slurm-submit.sh: sinfo lists no partition" >&2; exit 2; }
fi
ids=()
IFS=, read -r -a plist <<<"$parts"
for p in "${plist[@]}"; do
  n=$ntasks
  if [ -z "$n" ]; then
    n=$(sinfo -h -p "$p" -o '%D' | awk '{s += $1} END {print s + 0}')
    [ "$n" -gt 0 ] || { echo "slurm-submit.sh: partition '$p' has no node" >&2; exit 2; }
  fi
  id=$(sbatch --parsable "${extra[@]}" --partition="$p" --array="0-$((n - 1))" \
    --output="$out/slurm-%A_%a.out" --export=ALL "$here/slurm-array.sh" "$out" "$@")
  id=${id%%;*}
  echo "fleet: partition $p: job array $id ($n tasks)"
  ids+=("$id")
done
deps=$(IFS=:; echo "${ids[*]}")
mid=$(sbatch --parsable "${extra[@]}" --dependency="afterany:$deps" --job-name=mpbench-merge \
  --output="$out/slurm-merge-%j.out" --export=ALL "${wait[@]}" \
  --wrap="\"$here/merge.sh\" \"$out/report\" \"$out/results\"")
mid=${mid%%;*}
echo "fleet: merge job $mid (after $deps): $out/report"
