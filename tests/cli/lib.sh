# Shared helpers for CLI tests (sourced, not run). Environment from ctest:
# JOBWIRE_CLI, JOBWIRE_SHARED_DIR, JOBWIRE_SOURCE_DIR, JOBWIRE_BUILD_DIR.
set -uo pipefail
: "${JOBWIRE_CLI:?JOBWIRE_CLI not set}"
JW="$JOBWIRE_CLI"
failures=0
checks=0
TMPD="$(mktemp -d)"
trap 'rm -rf "$TMPD"' EXIT

# expect STATUS STDOUT_FIRST_LINE_PATTERN -- command...
#   runs the command, checks the exit status and that stdout's first line matches the
#   extended regex (anchored).
expect() {
  local want_status=$1 pattern=$2
  shift 3
  local out status
  out="$("$@" 2>"$TMPD/stderr")"
  status=$?
  checks=$((checks + 1))
  local first="${out%%$'\n'*}"
  if [[ $status -ne $want_status ]] || ! [[ "$first" =~ ^($pattern)$ ]]; then
    echo "FAIL: $* -> status $status (want $want_status), first line '$first' (want /$pattern/)" >&2
    sed 's/^/  stderr: /' "$TMPD/stderr" >&2
    failures=$((failures + 1))
  fi
}

finish() {
  echo "$checks checks, $failures failures"
  [[ $failures -eq 0 ]]
}
