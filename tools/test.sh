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
# Tests that race real processes and servers get one retry (ctest --repeat until-pass:2);
# a test that needed it is named here so that it is seen and fixed, not hidden.
report_flaky() {
  grep -E '\*\*\*(Failed|Timeout|Exception)' "$1" | sed 's/^/  FLAKY (passed on retry): /' || true
}
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
  if ctest --preset "$p" -j "$jobs" --repeat until-pass:2 >"build/$p/ctest.log" 2>&1; then
    record "$p" passed
    report_flaky "build/$p/ctest.log"
    grep -E "tests passed|\(Skipped\)" "build/$p/ctest.log"
  else
    record "$p" "tests failed"
    grep -E 'Failed|\*\*\*|tests passed' "build/$p/ctest.log" | tail -n 40
    # Show the failing tests' output.
    ctest --preset "$p" --rerun-failed --output-on-failure 2>&1 | tail -n 200
  fi
}

mkdir -p build
run_stage ci-clang
run_stage ci-asan

if [[ "$skip" == *" fuzz "* ]]; then
  record fuzz skipped
else
  echo "=== fuzz: build"
  if build fuzz; then
    echo "=== fuzz: replay corpora and fuzz ${JOBWIRE_FUZZ_SECONDS:-10}s per target"
    if fuzz/run.sh build/fuzz "${JOBWIRE_FUZZ_SECONDS:-10}"; then record fuzz passed; else record fuzz failed; fi
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
  # Summarised like the other stages (the full log is build/ci-gcc/ctest.log); the last line
  # printed is ctest's own "N% tests passed, M tests failed out of T", which CI reads.
  log=build/ci-gcc/ctest.log
  if ctest --preset ci-gcc -j "$jobs" --repeat until-pass:2 >"$log" 2>&1; then
    report_flaky "$log"
    grep -E "\(Skipped\)" "$log" || true
    grep -E "^Total Test time" "$log" || true
  else
    status=1
    grep -E 'Failed|\*\*\*' "$log" | grep -v "tests passed" | tail -n 40
    ctest --preset ci-gcc --rerun-failed --output-on-failure 2>&1 | tail -n 200
  fi
  summary=$(grep -E "^[0-9]+% tests passed" "$log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    tail -n 40 "$log"
    summary="0% tests passed, ctest did not finish (see $log)"
    status=1
  fi
  echo "$summary"
else
  status=1
fi
exit $status
