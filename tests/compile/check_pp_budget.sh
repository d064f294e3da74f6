#!/usr/bin/env bash
# Size budget of the umbrella header: the non-blank lines of a TU that includes only
# <jobwire/jobwire.hpp>, preprocessed without line markers (-E -P). Compile time follows
# the amount of text the compiler must parse, and unlike a timing this count is exact and
# repeatable on a loaded machine, so it can gate CI. tools/compile_time.sh measures the
# time itself (docs/PERFORMANCE.md, "Compile time").
#   check_pp_budget.sh CXX BUDGET [compiler flags...]
# The same count for a baseline TU (<string>, <vector>, <algorithm>, <cstdint>) is printed
# for scale: when the standard library grows (a new compiler), both grow.
set -uo pipefail
cxx=$1 budget=$2; shift 2

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
count() {  # count SOURCE-TEXT -> non-blank preprocessed lines
  printf '%s\n' "$1" >"$tmp/tu.cpp"
  shift
  "$cxx" -std=c++17 "$@" -E -P "$tmp/tu.cpp" -o "$tmp/out" || return 1
  grep -c '[^[:space:]]' "$tmp/out"
}
umbrella=$(count '#include <jobwire/jobwire.hpp>' "$@") || { echo "FAIL: the umbrella does not preprocess"; exit 1; }
baseline=$(count $'#include <string>\n#include <vector>\n#include <algorithm>\n#include <cstdint>' "$@") || exit 1
ratio=$(awk -v a="$umbrella" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }')

echo "umbrella TU: $umbrella preprocessed lines (budget $budget); baseline TU: $baseline lines; ratio $ratio"
if ((umbrella > budget)); then
  echo "FAIL: <jobwire/jobwire.hpp> preprocesses to $umbrella lines, over the budget of $budget."
  echo "      A public header gained an include (or a large block of code). Prefer a lighter"
  echo "      header or move the code out of the umbrella; raise the budget in"
  echo "      tests/compile/CMakeLists.txt only for a growth that is worth its compile time."
  exit 1
fi
