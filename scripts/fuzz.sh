#!/usr/bin/env bash
# fuzz.sh — coverage-guided fuzzing of every target in tests/fuzz/ with
# libFuzzer: each explores for a bounded time from a fresh random seed (printed,
# so a run can be repeated), under ASan + UBSan, starting from a scratch copy
# of its committed corpus (the repository is never written). A crash, a leak,
# undefined behaviour or a timeout fails the script and leaves the input that
# did it under build-fuzz/artifacts/, with the command that replays it.
#   MPB_FUZZ_SECONDS=N   time per target (default 60)
#   MPB_FUZZ_SEED=N      a fixed seed instead of a fresh one
# The whole core library is compiled with -fsanitize=fuzzer-no-link, so the
# fuzzer gets coverage feedback from every module an input reaches (not only
# the target's own file). `meson test --suite fuzz` separately replays the
# corpora with a fixed seed, as a regression test, in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
# libFuzzer and the sanitizer runtimes come with libclang-rt-dev
scripts/setup.sh clang libclang-rt-dev >/dev/null

secs=${MPB_FUZZ_SECONDS:-60}
dir=build-fuzz
args=(-Dfuzz=true -Dfault_injection=true -Db_sanitize=address,undefined -Db_lundef=false
      -Dc_args=-fsanitize=fuzzer-no-link --buildtype=debugoptimized)
if [ -f "$dir/build.ninja" ]; then
  CC=clang meson setup --reconfigure "$dir" "${args[@]}" >/dev/null
else
  CC=clang meson setup "$dir" "${args[@]}" >/dev/null
fi
targets=$(sed -n "s/^ *\['\([a-z_]*\)', '[0-9]*'\],$/\1/p" tests/fuzz/meson.build)
ninja -C "$dir" $(for t in $targets; do printf 'tests/fuzz/fuzz_%s ' "$t"; done) >/dev/null

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
art="$dir/artifacts"
mkdir -p "$art"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for t in $targets; do
  seed=${MPB_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
  cp -r "tests/fuzz/corpus/$t" "$work/$t"
  log="$work/$t.log"
  if "$dir/tests/fuzz/fuzz_$t" -seed="$seed" -max_total_time="$secs" -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$art/$t-" -print_final_stats=1 \
       "$work/$t" >"$log" 2>&1; then
    stats=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
    echo "fuzz $t: ok, seed $seed, ${stats:-?} inputs in ${secs} s, $cov"
  else
    failed=1
    echo "fuzz $t: FAILED with seed $seed; the log's end:"
    tail -n 40 "$log"
    echo "replay: $dir/tests/fuzz/fuzz_$t $art/$t-*"
  fi
done
[ "$failed" = 0 ] && echo "fuzz: $(echo $targets | wc -w) passed, 0 failed" \
  || echo "fuzz: some targets failed"
exit "$failed"
