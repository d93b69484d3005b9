#!/usr/bin/env bash
# counters_ab.sh — what counting costs: the same sweep with the default
# counters (A) and with --counters none (B), interleaved A B B A ... so that a
# drift of the machine's load falls on both sides, then per point the median
# over rounds of each side's median wall time and their ratio A/B (1.00: the
# counters cost nothing visible).
#
#   scripts/bench/counters_ab.sh [-n ROUNDS] [-o DIR] [SWEEP OPTIONS...]
#
#   -n ROUNDS  rounds of one A and one B sweep each [5]
#   -o DIR     where the results files go [a temporary directory, removed]
#   SWEEP OPTIONS  as for `mpbench sweep` [-w sumsq -s 5M -t 4 -j 2 -m fork]
#
# Environment: MPBENCH, the binary to measure [build/harness/mpbench]. Measure
# a release build (scripts/build.sh), never a debug or sanitizer one. Each
# sweep runs with --no-ceiling (the ceiling is the same on both sides) and
# --seed 1; the load average is printed with the result, since on a shared
# machine it says how much the figures mean.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=5
out=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) rounds=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    *) break ;;
  esac
done
case "$rounds" in
  '' | *[!0-9]* | 0) echo "counters_ab: -n $rounds: expected a positive integer" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || set -- -w sumsq -s 5M -t 4 -j 2 -m fork
mpbench=${MPBENCH:-build/harness/mpbench}
[ -x "$mpbench" ] || { echo "counters_ab: no mpbench at $mpbench (scripts/build.sh)" >&2; exit 2; }
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  # A B in odd rounds, B A in even ones
  if ((r % 2)); then order="on none"; else order="none on"; fi
  for side in $order; do
    if [ "$side" = on ]; then c=default; else c=none; fi
    "$mpbench" sweep "$@" --counters "$c" --no-ceiling --seed 1 -q \
      -o "$out/$side-$r.json"
  done
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
walls = {}  # point label -> side -> [median wall per round]
for side in ("on", "none"):
    for r in range(1, rounds + 1):
        doc = json.load(open("%s/%s-%d.json" % (out, side, r)))
        for p in doc["points"]:
            if p.get("error"):
                continue
            label = "%s %s x%s %s j%s" % (p["workload"], p["size"], p["tasks"], p["method"],
                                          p["workers"])
            walls.setdefault(label, {"on": [], "none": []})[side].append(
                p["summary"]["wall_ns"]["median"])
print("%-36s %12s %12s %8s %16s" % ("point", "on (ms)", "none (ms)", "on/none",
                                      "per-round ratios"))
for label, w in walls.items():
    if not w["on"] or not w["none"]:
        continue
    on, none = statistics.median(w["on"]), statistics.median(w["none"])
    per = [a / b for a, b in zip(w["on"], w["none"])]
    print("%-36s %12.3f %12.3f %8.3f %16s" % (label, on / 1e6, none / 1e6, on / none,
                                              "median %.3f" % statistics.median(per)))
PY
