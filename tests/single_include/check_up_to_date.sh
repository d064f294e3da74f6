#!/usr/bin/env bash
# The committed single header is what tools/amalgamate.py generates from the headers as
# they are now: regenerate into a scratch directory and compare. On a difference, run
#   python3 tools/amalgamate.py
# and commit single_include/.
#   check_up_to_date.sh PYTHON SOURCE_DIR WORK_DIR
set -euo pipefail
python=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
"$python" "$src/tools/amalgamate.py" --source-dir "$src" --output-dir "$work/single_include"
if ! diff -ru "$src/single_include" "$work/single_include" >"$work/diff.txt"; then
  head -n 60 "$work/diff.txt"
  echo "single_include/ is out of date: run python3 tools/amalgamate.py and commit single_include/" >&2
  exit 1
fi
echo "single_include/ is up to date ($(wc -l <"$src/single_include/jobwire/jobwire.hpp") lines)"
