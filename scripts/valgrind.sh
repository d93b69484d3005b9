#!/usr/bin/env bash
# valgrind.sh — the unit tests and the bounded fuzz runs under valgrind
# memcheck: any invalid access, use of uninitialised memory or definite /
# indirect leak fails the run (issue 9). Its own build dir, no sanitizer
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
args=(--buildtype=debugoptimized -Dwerror=true)
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
# Every unit test and fuzz target runs here. (ceiling and results were left
# out until valgrind found why: without pidfd_open, which valgrind does not
# know, the ceiling waited for its children in fork order, an hour on a test
# whose sleeping siblings must be killed; and a ceiling child exited with a
# leak, i.e. status 99 under --error-exitcode, which failed the point.)
skip=" "
# tests that check scheduling-dependent counts (transport's wake-ups) relax
# those checks, and only those, when they see this
export MPB_VALGRIND=1
tests=()
for t in $(meson test -C "$dir" --list --suite unit --suite fuzz 2>/dev/null | grep ' / ' | sed 's/.* \/ //'); do
  case "$skip" in *" $t "*) ;; *) tests+=("$t") ;; esac
done
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 10 \
  --wrapper "$wrapper" "${tests[@]}"
