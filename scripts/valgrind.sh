#!/usr/bin/env bash
# valgrind.sh — the unit tests, the bounded fuzz runs and the integration
# tests under valgrind memcheck: any invalid access, use of uninitialised
# memory or definite / indirect leak fails the run. Its own build
# dir, no sanitizer
# (valgrind and ASan do not mix). Forked workers are checked too; their
# reports are silenced (--child-silent-after-fork) because a worker that a
# test kills on purpose exits with its heap in use, which is not a leak.
# Installs valgrind when missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi
dir=${MPB_VALGRIND_DIR:-build-valgrind}
args=(--buildtype=debugoptimized -Dwerror=true -Dfault_injection=true)
if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" "${args[@]}" >/dev/null
else
  meson setup "$dir" "${args[@]}" >/dev/null
fi
ninja -C "$dir"
wrapper="valgrind --quiet --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--child-silent-after-fork=yes --track-origins=no \
--suppressions=$PWD/scripts/valgrind.supp"
# Every unit test and fuzz target runs here. Tests that check
# scheduling-dependent counts (transport's wake-ups) relax those checks, and
# only those, when they see MPB_VALGRIND.
export MPB_VALGRIND=1
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 10 \
  --wrapper "$wrapper" --suite unit --suite fuzz

# The integration tests (tests/integration/) under the same memcheck:
# mpbtest.py prepends $MPB_WRAPPER to every mpbench it starts, and points
# $MPBENCH_WORKER at a script that execs the wrapper on mpbench-worker, so
# that spawned workers are checked too: nothing else runs mpbench-worker
# under valgrind (--trace-children=yes would follow every exec instead: the
# cmd workload's sh, python3 and sleep, gnuplot, the /bin/true of `info`'s
# floors; slow, and not our code). The harness's own report fails the exit
# status each test checks; a forked or spawned worker that ends with an
# error or a leak exits 99, which the harness reports as a failed worker.
#   --run-libc-freeres=no: glibc's freeres, which valgrind runs at every
#     exit, flushes stdio (_IO_cleanup); a forked child that calls _exit()
#     would write its copy of the parent's unflushed stdout again (`info`
#     printed its output 200 times). Without it libc's own memory stays
#     "still reachable", which is not an error here.
#   MPBENCH_NO_PIDFD=1: valgrind does not know pidfd_open and warns at every
#     call (tests count stderr lines); mpbench takes the same fallback.
# Left out: integration_faults, whose seed search reads the harness's CPU
# time and whose tests time its exit to the second (the wrapper swamps
# both; it skips itself under MPB_WRAPPER); test_reliability runs the same
# faults here. Inside the others, one test skips itself, saying why
# (mpbtest.skip_if_wrapped): the perf stat cross-check of test_counters;
# test_cli's --parent-rss sweep caps its runs (mpbtest.MAX_RUNS_IF_WRAPPED:
# adaptive sampling would take 30 noisy runs a point). Hang bounds are
# stretched by MPB_WRAPPER_SLOWDOWN.
# The integration tests are is_parallel: false (native, some time things),
# so `meson test --num-processes 2` would run them one at a time: two lanes
# of meson test run side by side instead, balanced by their time here.
export MPB_WRAPPER="$wrapper --vgdb=no --run-libc-freeres=no"
export MPB_WRAPPER_SLOWDOWN=10
export MPBENCH_NO_PIDFD=1
# Measured on the shared 2-core machine: cli 184 s, reliability 73, transport
# 39, report 36, cmd 30, workloads 15 | tune 194, counters 186; the step took
# 380 s (the unit and fuzz step before it ~3 min, the whole script 9.5 min).
# integration_compare (added later, one small sweep and compares) goes with lane a;
# integration_ci_gate and integration_fleet test shell scripts (the mpbench
# they start is not wrapped) and are left out.
lane_a=(integration_cli integration_reliability integration_transport integration_report
  integration_cmd integration_workloads integration_compare integration_mpi)
lane_b=(integration_tune integration_counters)
t0=$SECONDS
rc=0
meson test -C "$dir" --no-rebuild --print-errorlogs --timeout-multiplier 3 \
  --logbase valgrind-integration-a "${lane_a[@]}" &
pid_a=$!
meson test -C "$dir" --no-rebuild --print-errorlogs --timeout-multiplier 3 \
  --logbase valgrind-integration-b "${lane_b[@]}" || rc=1
wait "$pid_a" || rc=1
echo "valgrind: integration tests took $((SECONDS - t0)) s"
exit "$rc"
