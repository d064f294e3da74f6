#!/usr/bin/env bash
# Runs tests/ct/ct_compare under valgrind memcheck (see ct_compare.cpp).
#   run_ct.sh BINARY jobwire      passes when memcheck reports nothing and the result is right
#   run_ct.sh BINARY branching    negative control: passes only when memcheck flags a
#                                 conditional jump on the undefined (secret) bytes
# Without valgrind: exit 77 (skipped) locally, but fail in CI (CI=true), where the check is
# required.
set -uo pipefail
bin=$1 mode=$2
if ! command -v valgrind >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "valgrind is required in CI for the constant-time test" >&2
    exit 1
  fi
  echo "valgrind not installed: constant-time test skipped" >&2
  exit 77
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --tool=memcheck --error-exitcode=42 --track-origins=yes --log-file="$log" "$bin" "$mode"
status=$?
case "$mode" in
  jobwire)
    if [[ $status -ne 0 ]]; then
      echo "constant-time check failed (status $status):" >&2
      cat "$log" >&2
      exit 1
    fi
    echo "memcheck: no secret-dependent branch in jobwire's comparison"
    ;;
  branching)
    if [[ $status -eq 42 ]] && grep -q 'depends on uninitialised value' "$log"; then
      echo "memcheck flagged the branching comparison, as it must"
      exit 0
    fi
    echo "negative control NOT detected (status $status); the method proves nothing:" >&2
    cat "$log" >&2
    exit 1
    ;;
esac
