#!/usr/bin/env bash
# Style check: every C and C++ source the repository tracks is formatted as .clang-format
# says (the generated single header excepted: tools/amalgamate.py writes it from the
# formatted headers). Formatting differs between clang-format releases, so the check runs
# with the release the style was applied with (Debian 12's clang-format 14, which
# tools/deps.sh installs) and is skipped (exit 77) with any other.
#   check_format.sh SOURCE_DIR [FILE...]   (files relative to SOURCE_DIR; default: all tracked)
set -uo pipefail
src=$1
shift
cf=$(command -v clang-format-14 || command -v clang-format || true)
[[ -n "$cf" ]] || { echo "SKIP: clang-format is not installed (tools/deps.sh test installs it)"; exit 77; }
version=$("$cf" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[[ "$version" == 14 ]] || { echo "SKIP: clang-format $version; the style is checked with release 14"; exit 77; }
cd "$src" || exit 2
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.hpp' '*.cpp' '*.h' '*.c' | grep -v -e '^single_include/' -e '^tests/compile/fixture/unformatted.cpp$')
fi
((${#files[@]})) || { echo "FAIL: no sources found under $src"; exit 1; }
bad=0
for f in "${files[@]}"; do
  if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "FAIL: $f is not formatted (run: clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
echo "${#files[@]} files checked, $bad not formatted"
((bad == 0))
