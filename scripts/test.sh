#!/usr/bin/env bash
# test.sh — the test command: install what is missing, build with warnings as
# errors and run every unit and integration test.
#   MPB_SANITIZE=1 scripts/test.sh   the same under AddressSanitizer + UBSan
#                                     (a separate build dir; never measure it)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

dir=build-test
args=(--buildtype=debugoptimized -Dwerror=true -Dfault_injection=true)
if [ "${MPB_SANITIZE:-0}" = 1 ]; then
  dir=build-asan
  args=(--buildtype=debug -Dwerror=true -Dfault_injection=true -Db_sanitize=address,undefined
        -Db_lundef=false)
  # fail on the first UB report; leaks are errors
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  # integration tests stretch their time bounds by this (mpbtest.bound)
  export MPB_TEST_SLOWDOWN=3
fi

if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" "${args[@]}" >/dev/null
else
  meson setup "$dir" "${args[@]}" >/dev/null
fi
ninja -C "$dir"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
meson test -C "$dir" --print-errorlogs --num-processes 2 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# one plain closing line that any CI can read
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
bad=0
for k in Fail Timeout Unexpected; do
  n=$(sed -n "s/^$k[a-zA-Z ]*: *\([0-9]*\).*/\1/p" "$log" | tail -n1)
  bad=$((bad + ${n:-0}))
done
# The build without MPI (meson -Dmpi=disabled) must build warning-clean and
# pass the unit tests and the integration tests that see the method's
# absence (test_mpi checks `list` says it is not built and -m mpi exits 2).
if [ "${MPB_SANITIZE:-0}" != 1 ]; then
  nompi=build-nompi
  if [ -f "$nompi/build.ninja" ]; then
    meson setup --reconfigure "$nompi" "${args[@]}" -Dmpi=disabled >/dev/null
  else
    meson setup "$nompi" "${args[@]}" -Dmpi=disabled >/dev/null
  fi
  ninja -C "$nompi"
  if ! meson test -C "$nompi" --print-errorlogs --num-processes 2 --suite unit \
      >"$log" 2>&1 ||
     ! meson test -C "$nompi" --no-rebuild --print-errorlogs integration_mpi \
      integration_layering integration_inputs >>"$log" 2>&1; then
    cat "$log"
    echo "tests without MPI (-Dmpi=disabled): failed"
    bad=$((bad + 1))
    rc=1
  fi
fi
echo "tests: ${ok:-0} passed, $bad failed"
exit "$rc"
