#!/usr/bin/env bash
# tools/amalgamate.py on copies of the headers, changed the ways a header change can go:
# the spellings of a core include give the same single header, and every header it cannot
# place once is refused with a message naming it (rather than a single header that is
# wrong or still needs include/).
#   check_script.sh PYTHON SOURCE_DIR WORK_DIR
set -euo pipefail
python=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

fresh() {  # a copy of the repository's headers and the script in $work/$1
  rm -rf "$work/$1"
  mkdir -p "$work/$1/include" "$work/$1/tools"
  cp -R "$src/include/jobwire" "$work/$1/include/jobwire"
  cp "$src/tools/amalgamate.py" "$work/$1/tools/"
}
run() {  # run NAME: amalgamates copy NAME into $work/NAME/out; the status is the script's
  "$python" "$work/$1/tools/amalgamate.py" --source-dir "$work/$1" --output-dir "$work/$1/out" 2>"$work/$1/stderr"
}
refused() {  # refused NAME MESSAGE
  if run "$1"; then fail "$1: accepted"; fi
  grep -qF "$2" "$work/$1/stderr" || fail "$1: expected '$2', got: $(cat "$work/$1/stderr")"
  [[ ! -e "$work/$1/out" ]] || fail "$1: wrote output although it refused"
  echo "refused ($1): $(cat "$work/$1/stderr")"
}

# The copy as it is (whether the committed single header is current is the other test's).
fresh same
run same || fail "the headers as they are: $(cat "$work/same/stderr")"

# <jobwire/x.hpp> and "jobwire/x.hpp" are the same core header as "x.hpp".
fresh spellings
sed -i 's|^#include "version.hpp"|#include <jobwire/version.hpp>|' "$work/spellings/include/jobwire/jobwire.hpp"
sed -i 's|^#include "error.hpp"|#include "jobwire/error.hpp"|' "$work/spellings/include/jobwire/result.hpp"
run spellings || fail "spellings: $(cat "$work/spellings/stderr")"
cmp -s "$work/spellings/out/jobwire/jobwire.hpp" "$work/same/out/jobwire/jobwire.hpp" ||
  fail "spellings of one include give another single header"
echo "same output for <jobwire/x.hpp>, \"jobwire/x.hpp\" and \"x.hpp\""

fresh missing
printf '#pragma once\n#include "nothere.hpp"\n' >"$work/missing/include/jobwire/zz.hpp"
echo '#include "zz.hpp"' >>"$work/missing/include/jobwire/jobwire.hpp"
refused missing 'jobwire/zz.hpp: #include "nothere.hpp" names no file'

fresh orphan
printf '#pragma once\nnamespace jobwire { inline int orphan() { return 1; } }\n' >"$work/orphan/include/jobwire/orphan.hpp"
refused orphan "core headers not reached from jobwire.hpp: orphan.hpp"

fresh cycle
printf '#pragma once\n#include "zb.hpp"\n' >"$work/cycle/include/jobwire/za.hpp"
printf '#pragma once\n#include "za.hpp"\n' >"$work/cycle/include/jobwire/zb.hpp"
echo '#include "za.hpp"' >>"$work/cycle/include/jobwire/jobwire.hpp"
refused cycle "include cycle: jobwire/jobwire.hpp -> jobwire/za.hpp -> jobwire/zb.hpp -> jobwire/za.hpp"

fresh conditional
printf '#pragma once\n#if defined(JW_X)\n#include "error.hpp"\n#endif\n' >"$work/conditional/include/jobwire/zc.hpp"
echo '#include "zc.hpp"' >>"$work/conditional/include/jobwire/jobwire.hpp"
refused conditional 'jobwire/zc.hpp: a conditional #include "error.hpp" cannot be inlined once'

fresh store
printf '#pragma once\n#include "stores/sqlite.hpp"\n' >"$work/store/include/jobwire/zd.hpp"
echo '#include "zd.hpp"' >>"$work/store/include/jobwire/jobwire.hpp"
refused store "is not a core header"
echo "amalgamate.py: ok"
