#!/usr/bin/env bash
#SBATCH --job-name=mpbench-fleet
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --exclusive
#SBATCH --time=00:30:00
# slurm-array.sh — one task of a Slurm job array: the fleet's plan
# (plan.sh) on the node this task got, labelled PARTITION/NODE, into
# OUTDIR/results/JOB_TASK-PARTITION_NODE.json. --exclusive keeps other jobs
# (and the array's other tasks) off the node while it measures.
#
#   sbatch --array=0-3 --partition=P scripts/fleet/slurm-array.sh OUTDIR [SWEEP OPTIONS...]
#
# slurm-submit.sh submits it once per partition, with as many tasks as the
# partition has nodes, and a merge job after them. Slurm runs a copy of this
# script from its spool directory: the fleet scripts are found through
# $MPB_FLEET_DIR (slurm-submit.sh exports it), else $SLURM_SUBMIT_DIR/scripts/fleet.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: sbatch --array=0-N scripts/fleet/slurm-array.sh OUTDIR [SWEEP OPTIONS...]" >&2
  exit 2
fi
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  echo "slurm-array.sh: not a job array task (submit it with sbatch --array=0-N)" >&2
  exit 2
fi
out=$1
shift
fleet=${MPB_FLEET_DIR:-${SLURM_SUBMIT_DIR:-.}/scripts/fleet}
node=${SLURMD_NODENAME:-$(hostname)}
label="${SLURM_JOB_PARTITION:-default}/$node"
name="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}_${SLURM_ARRAY_TASK_ID}"
# plan.sh names the file after the label: a directory per task keeps two
# tasks that land on the same node apart
"$fleet/plan.sh" "$out/tasks/$name" "$label" "$@"
mkdir -p "$out/results"
for f in "$out/tasks/$name"/*.json; do
  mv "$f" "$out/results/${name}-$(basename "$f")"
done
rmdir "$out/tasks/$name"
rmdir "$out/tasks" 2>/dev/null || true   # the last task out removes it
