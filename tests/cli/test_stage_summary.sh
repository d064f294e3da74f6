#!/usr/bin/env bash
# tools/test.sh summarises every stage the same way (tools/test_summary.sh): under the
# stage's "===" lines only failures, flaky and skipped tests, then one count line — ctest's
# own for a test stage (the last line of the whole output, which CI reads), "N of T fuzz
# targets passed" for the fuzz stage. Checked here with a stand-in ctest and, for the fuzz
# stage, the real fuzz/run.sh over stand-in fuzz targets.
source "$(dirname "$0")/lib.sh"
SRC="$JOBWIRE_SOURCE_DIR"
cd "$TMPD" || exit 1
mkdir -p build/p
jobs=2
# shellcheck source=../../tools/test_summary.sh
source "$SRC/tools/test_summary.sh"

# A ctest stand-in: MODE selects the log it writes; --rerun-failed prints the failures' output.
ctest() {
  if [[ "$*" == *--rerun-failed* ]]; then echo "the failing test's own output"; return 8; fi
  case $MODE in
    pass)
      printf '%s\n' "1/3 Test #1: a ....   Passed    0.1 sec" "2/3 Test #2: b ....***Failed    0.1 sec" \
        "2/3 Test #2: b ....   Passed    0.1 sec" "3/3 Test #3: c ....***Skipped   0.0 sec" "" \
        "100% tests passed, 0 tests failed out of 3" "" "Total Test time (real) =   0.30 sec" "" \
        "The following tests did not run:" "	  3 - c (Skipped)"
      return 0 ;;
    fail)
      printf '%s\n' "1/2 Test #1: a ....   Passed    0.1 sec" "2/2 Test #2: b ....***Failed    0.1 sec" "" \
        "50% tests passed, 1 tests failed out of 2" "" "Total Test time (real) =   0.20 sec" "" \
        "The following tests FAILED:" "	  2 - b (Failed)"
      return 8 ;;
    crash) echo "ctest: cannot find the preset"; return 1 ;;
  esac
}

# check NAME WANT_STATUS WANT_LAST_LINE_REGEX WANT_LINES [GREP_PATTERN...]: runs $cmd.
check() {
  local name=$1 want_status=$2 last=$3 nlines=$4
  shift 4
  checks=$((checks + 1))
  local got_last got_lines
  got_last=$(tail -n 1 "$TMPD/out")
  got_lines=$(wc -l <"$TMPD/out")
  local ok=1
  [[ $status -eq $want_status && "$got_last" =~ ^($last)$ && $got_lines -eq $nlines ]] || ok=0
  for pat in "$@"; do grep -qE -- "$pat" "$TMPD/out" || ok=0; done
  if [[ $ok -eq 0 ]]; then
    echo "FAIL: $name: status $status (want $want_status), $got_lines lines (want $nlines), last '$got_last'" >&2
    sed 's/^/  out: /' "$TMPD/out" >&2
    failures=$((failures + 1))
  fi
}

MODE=pass run_ctest p >"$TMPD/out"; status=$?
check "passing stage" 0 '100% tests passed, 0 tests failed out of 3' 3 \
  '^  FLAKY \(passed on retry\): 2/3 Test #2: b' '3 - c \(Skipped\)'
[[ -s build/p/ctest.log ]] || { echo "FAIL: the full log is not kept" >&2; failures=$((failures + 1)); }

MODE=fail run_ctest p >"$TMPD/out"; status=$?
check "failing stage: the failure, its output, the count last" 1 '50% tests passed, 1 tests failed out of 2' 4 \
  '2 - b \(Failed\)' "the failing test's own output"
grep -q FLAKY "$TMPD/out" && { echo "FAIL: a failed test reported as flaky" >&2; failures=$((failures + 1)); }

MODE=crash run_ctest p >"$TMPD/out"; status=$?
check "ctest that did not finish" 1 '0% tests passed, ctest did not finish \(see build/p/ctest\.log\)' 3 \
  'cannot find the preset'

# The fuzz stage, through the real fuzz/run.sh: stand-in targets that pass or crash.
mkdir -p fb/fuzz
for t in alpha beta gamma; do
  printf '#!/bin/sh\necho "Done 42 runs in 1 second(s)" >&2\n' >"fb/fuzz/fuzz_$t"
  chmod +x "fb/fuzz/fuzz_$t"
done
"$SRC/fuzz/run.sh" fb 1 >fuzz.log 2>&1
summarise_fuzz fuzz.log 1 $? >"$TMPD/out"; status=$?
check "fuzz stage, all targets pass: one count line" 0 \
  '3 of 3 fuzz targets passed \(corpus replayed, then fuzzed 1s each; log: fuzz\.log\)' 1

# beta replays its corpus, then crashes while fuzzing.
printf '#!/bin/sh\ncase "$1" in -runs=0) exit 0;; esac\necho "==1==ERROR: deadly signal" >&2\nexit 1\n' >fb/fuzz/fuzz_beta
"$SRC/fuzz/run.sh" fb 1 >fuzz.log 2>&1
summarise_fuzz fuzz.log 1 $? >"$TMPD/out"; status=$?
check "fuzz stage, a crashing target: its failure and log tail, then the count" 1 \
  '2 of 3 fuzz targets passed \(corpus replayed, then fuzzed 1s each; log: fuzz\.log\)' 3 \
  '^  beta: FAILED$' 'deadly signal'

: >empty.log
summarise_fuzz empty.log 1 0 >"$TMPD/out"; status=$?
check "fuzz stage without any target fails" 1 '0 of 0 fuzz targets passed .*' 1

finish
