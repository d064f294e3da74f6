# shellcheck shell=bash
# The summary every stage of tools/test.sh prints (sourced by it, and by
# tests/cli/test_stage_summary.sh). Every stage is summarised the same way: under its
# "=== stage: step" lines, only what needs reading (failures with their output, tests that
# passed only on retry, skipped tests), then one count line; the full logs stay under
# build/. A ctest stage's count line is ctest's own "N% tests passed, M tests failed out of
# T" (the final stage's is the last line tools/test.sh prints); the fuzz stage's is "N of T
# fuzz targets passed (...)".
# Needs: $jobs (ctest parallelism) for run_ctest.

# Tests that race real processes and servers get one retry (ctest --repeat until-pass:2);
# a test that needed it is named here so that it is seen and fixed, not hidden.
report_flaky() {
  grep -E '\*\*\*(Failed|Timeout|Exception)' "$1" | sed 's/^/  FLAKY (passed on retry): /' || true
}

run_ctest() {  # run_ctest PRESET: runs the preset's tests into build/PRESET/ctest.log, summarised
  local p=$1 log="build/$1/ctest.log" ok=1
  ctest --preset "$p" -j "${jobs:?}" --repeat until-pass:2 >"$log" 2>&1 || ok=0
  if [[ $ok -eq 0 ]]; then
    grep -E '\*\*\*(Failed|Timeout|Exception)|\(Failed\)|\(Timeout\)|\(Not Run\)' "$log" | tail -n 40
    # The failing tests' output.
    ctest --preset "$p" --rerun-failed --output-on-failure 2>&1 | tail -n 200
  else
    report_flaky "$log"
  fi
  grep -E '\(Skipped\)' "$log" || true
  local summary
  summary=$(grep -E "^[0-9]+% tests passed" "$log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    tail -n 40 "$log"
    summary="0% tests passed, ctest did not finish (see $log)"
    ok=0
  fi
  echo "$summary"
  [[ $ok -eq 1 ]]
}

summarise_fuzz() {  # summarise_fuzz LOG SECONDS RUN_STATUS: fuzz/run.sh's output, summarised
  # fuzz/run.sh prints one line per target: "  NAME: ok (Done N runs)", or a failure line
  # followed by the tail of that target's log. Failures are shown in full; the ok lines
  # become one count. No target at all is a failure too (an empty fuzz build).
  local log=$1 secs=$2 run_status=$3 targets passed
  targets=$(grep -cE '^  [A-Za-z0-9_]+: ' "$log")
  passed=$(grep -cE '^  [A-Za-z0-9_]+: ok ' "$log")
  grep -vE '^  [A-Za-z0-9_]+: ok ' "$log" | tail -n 200
  echo "$passed of $targets fuzz targets passed (corpus replayed, then fuzzed ${secs}s each; log: $log)"
  [[ $run_status -eq 0 && $targets -gt 0 && $passed -eq $targets ]]
}
