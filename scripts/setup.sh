#!/usr/bin/env bash
# setup.sh — install the Debian packages mpbench needs to build, test and plot,
# only those that are missing. Uses sudo when not root. Says what it installs.
#   scripts/setup.sh [PACKAGE...]   also the extra packages named (fuzz.sh: clang)
set -euo pipefail

packages=(
  gcc pkg-config meson ninja-build   # toolchain and build
  libjansson-dev                      # results JSON
  libpfm4-dev                         # perf event names -> perf_event_attr
  libcmocka-dev                       # unit tests
  libopenmpi-dev openmpi-bin          # the mpi start method (meson -Dmpi=auto builds it when found)
  python3                             # integration tests
  gnuplot-nox                         # plots (mpbench report)
  slurmctld slurmd slurm-client munge # a single-node Slurm for the fleet scripts' test
)

packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  case "$p" in \#*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
