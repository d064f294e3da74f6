#!/usr/bin/env bash
# Compiles and runs program.cpp from the single header alone: the committed
# single_include/jobwire/ (the single header and the separate store headers) is copied into
# a scratch directory, and the program is compiled there by each compiler given, with
# -Wall -Wextra -Werror and no include path into the repository, linking OpenSSL's
# libcrypto only (and SQLite for the store adapter, when its headers are installed).
#   run_program.sh SOURCE_DIR WORK_DIR CXX...
set -euo pipefail
src=$1 work=$2
shift 2
[[ $# -gt 0 ]] || { echo "no compiler given" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work/project"
cp -R "$src/single_include/jobwire" "$work/project/jobwire"
cp "$src/tests/single_include/program.cpp" "$work/project/program.cpp"
cd "$work/project"

sqlite_flags=()
if echo '#include <sqlite3.h>' | "$1" -x c++ -fsyntax-only - 2>/dev/null; then
  sqlite_flags=(-DJOBWIRE_SINGLE_SQLITE=1)
fi

ran=0
for cxx in "$@"; do
  if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "== $cxx: not installed, skipped"
    continue
  fi
  name=$(basename "$cxx")
  echo "== $name"
  # -nostdinc++ is not used: the standard library is the compiler's. What must not be
  # reachable is the repository's include/: the only -I is this directory.
  libs=(-lcrypto)
  [[ ${#sqlite_flags[@]} -gt 0 ]] && libs+=(-lsqlite3)
  "$cxx" -std=c++17 -Wall -Wextra -Werror -I. "${sqlite_flags[@]}" program.cpp -o "program_$name" "${libs[@]}"
  "./program_$name"
  ran=$((ran + 1))
done
[[ $ran -gt 0 ]] || { echo "none of the compilers is installed: $*" >&2; exit 1; }
