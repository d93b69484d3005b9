# shellcheck shell=bash
# common.sh — sourced by the fleet scripts: the checks and the binary they share.
#   fleet_args MIN USAGE "$@"   exit 2 with USAGE unless there are MIN arguments
#   fleet_mpbench               MPBENCH, default build/harness/mpbench of this
#                               tree (built when missing), exported
fleet_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

fleet_args() {
  local min=$1 usage=$2
  shift 2
  if [ $# -lt "$min" ]; then
    echo "usage: $usage" >&2
    exit 2
  fi
}

fleet_mpbench() {
  if [ -z "${MPBENCH:-}" ]; then
    MPBENCH=$fleet_root/build/harness/mpbench
    [ -x "$MPBENCH" ] || "$fleet_root/scripts/build.sh" >&2
  fi
  export MPBENCH
}
