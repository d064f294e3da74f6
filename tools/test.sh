#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. installs missing Debian packages (tools/deps.sh);
#   2. Clang build (warnings as errors) + tests;
#   3. Clang ASan+UBSan build + tests;
#   4. libFuzzer build; every target replays its corpus and fuzzes briefly (fuzz/run.sh);
#   5. tiny-limits build (GCC, Debug, warnings as errors; JOBWIRE_TINY_LIMITS compiles every
#      overridable resource limit very small, cmake/tiny_limits.cmake) + the unit tests,
#      fuzz replays and C API tests, so every limit path runs; the CLI, examples and
#      benchmarks are not built, nor the header-hygiene TUs, and tests that read no limit
#      (store adapters, compile-fail and consumer builds, constant-time, pip) are left to
#      the other stages (the ci-tiny test preset's filter);
#   6. GCC build (warnings as errors, benchmarks and examples built) + tests — last, so
#      the output ends with ctest's summary.
# Services the tests need (Redis, PostgreSQL) are started by tests/services.sh and stopped
# on exit. Environment: JOBWIRE_JOBS (parallelism, default nproc), JOBWIRE_FUZZ_SECONDS
# (per target, default 10), JOBWIRE_SKIP="clang asan fuzz tiny" to skip stages locally.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBWIRE_JOBS:-$(nproc)}
skip=" ${JOBWIRE_SKIP:-} "

tools/deps.sh test examples browser || { echo "test.sh: dependency installation failed" >&2; exit 1; }

if [[ -f tests/services.sh ]]; then
  # shellcheck source=/dev/null
  source tests/services.sh
  services_start || { echo "test.sh: could not start test services" >&2; exit 1; }
  trap services_stop EXIT
fi

declare -a stage_names=() stage_results=()
# The stages' summaries (run_ctest, summarise_fuzz, report_flaky): one shape for all.
# shellcheck source=tools/test_summary.sh
source tools/test_summary.sh
record() { stage_names+=("$1"); stage_results+=("$2"); }

build() {  # build PRESET
  cmake --preset "$1" >"build/$1.configure.log" 2>&1 || { cat "build/$1.configure.log"; return 1; }
  cmake --build --preset "$1" -j "$jobs" 2>&1 | tail -n 40 | grep -Ev '^\[[0-9]+/[0-9]+\]' ; return "${PIPESTATUS[0]}"
}

run_stage() {  # run_stage PRESET  (build + ctest, output summarised)
  local p=$1
  if [[ "$skip" == *" ${p#ci-} "* ]]; then record "$p" skipped; return; fi
  echo "=== $p: build"
  if ! build "$p"; then record "$p" "build failed"; return; fi
  echo "=== $p: test"
  if run_ctest "$p"; then record "$p" passed; else record "$p" "tests failed"; fi
}

mkdir -p build
run_stage ci-clang
run_stage ci-asan

if [[ "$skip" == *" fuzz "* ]]; then
  record fuzz skipped
else
  echo "=== fuzz: build"
  if build fuzz; then
    secs=${JOBWIRE_FUZZ_SECONDS:-10}
    echo "=== fuzz: test (replay every corpus, then fuzz ${secs}s per target)"
    fuzz/run.sh build/fuzz "$secs" >build/fuzz/run.log 2>&1
    if summarise_fuzz build/fuzz/run.log "$secs" $?; then record fuzz passed; else record fuzz failed; fi
  else
    record fuzz "build failed"
  fi
fi

run_stage ci-tiny

echo "=== ci-gcc: build"
final_ok=1
if build ci-gcc; then
  :
else
  record ci-gcc "build failed"
  final_ok=0
fi

echo
echo "=== stages so far"
status=0
for i in "${!stage_names[@]}"; do
  printf '  %-10s %s\n' "${stage_names[$i]}" "${stage_results[$i]}"
  [[ "${stage_results[$i]}" == passed || "${stage_results[$i]}" == skipped ]] || status=1
done
echo "=== ci-gcc: test (final stage)"
if [[ $final_ok -eq 1 ]]; then
  # Summarised like the other stages (run_ctest); its last line, ctest's count, ends the output.
  run_ctest ci-gcc || status=1
else
  status=1
fi
exit $status
