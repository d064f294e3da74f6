#!/usr/bin/env bash
# Include hygiene of the public headers: no public header may pull in, directly or
# transitively, a standard header from FORBIDDEN below. Each header is preprocessed on its
# own (a one-line TU that includes it the way a user does), with -H listing every header
# opened; a forbidden one fails the check with the chain that brought it in.
#   check_includes.sh CXX [compiler flags...] -- HEADER...
# HEADER is relative to the include directory (jobwire/json.hpp, jobwire_c.h).
# Preprocessing only: the result depends on the headers and the standard library, not on
# timing or build type, and the whole check takes about a second.
set -uo pipefail

# Why these and not others:
#  - iostream: std::ios_base::Init, a static initialiser, in every TU that includes it
#    (libstdc++ before GCC 13) — an embedder's program pays start-up work for a header
#    that never prints anything;
#  - istream, ostream, ios: the stream class templates and their locale machinery, the
#    bulk of <iostream>'s compile cost without the static object;
#  - sstream, fstream, iomanip: built on istream/ostream (so the same cost again), plus
#    string/file buffers and manipulators; the core formats with <charconv> into
#    caller-supplied buffers instead;
#  - locale: facets, codecvt, time and money parsing — heavy templates the core has no
#    use for (it is locale-independent by design: the protocol's text is fixed);
#  - regex: the heaviest standard header (it includes <locale>, <sstream> and much more)
#    and slow to instantiate; the parsers are hand-written.
# Not forbidden: <streambuf> and <iosfwd>, which <iterator> and <string> pull in on
# libstdc++ and which have neither a static initialiser nor the stream templates.
FORBIDDEN=(iostream istream ostream ios sstream fstream iomanip locale regex)

cxx=$1; shift
flags=()
while (($#)) && [[ $1 != -- ]]; do flags+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
(($#)) || { echo "check_includes.sh: no headers given" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pattern=$(IFS='|'; echo "${FORBIDDEN[*]}")

check_one() {  # check_one HEADER DIR: result lines to stdout, status 1 on a finding
  local h=$1 dir=$2 report
  printf '#include <%s>\n' "$h" >"$dir/tu.cpp"
  if ! "$cxx" -std=c++17 "${flags[@]}" -E -H -o /dev/null "$dir/tu.cpp" 2>"$dir/trace"; then
    echo "FAIL $h: does not preprocess on its own:"
    grep -v '^\.' "$dir/trace" | head -n 20
    return 1
  fi
  # -H prints one line per opened header, "." repeated once per nesting level, then the
  # path. Keep the current path at each depth so a hit can be reported with its chain.
  report=$(awk -v pat="^(${pattern})$" -v top="$h" '
    function shown(p) {  # standard headers as <name>, others as their path
      if (sub(/.*\/include\/c\+\+\/[0-9.]+\//, "", p)) return "<" p ">"
      return p
    }
    /^\.+ / {
      depth = length($1); path = $2
      chain[depth] = path
      n = split(path, parts, "/"); base = parts[n]
      hit[depth] = (base ~ pat)
      if (!hit[depth] || (base in seen)) next
      seen[base] = 1
      # A forbidden header opened by another forbidden one is a consequence, not a
      # separate finding: report only the outermost.
      for (i = 1; i < depth; i++) if (hit[i]) next
      via = top
      for (i = 2; i < depth; i++) via = via " > " shown(chain[i])
      printf "FAIL %s pulls in <%s>: %s > %s\n", top, base, via, shown(path)
    }' "$dir/trace")
  [[ -z $report ]] || { echo "$report"; return 1; }
}

# Headers are independent: check them concurrently, report in the order given.
parallel=$(nproc 2>/dev/null || echo 2)
i=0
for h in "$@"; do
  i=$((i + 1))
  mkdir -p "$tmp/$i"
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n; done
  ( check_one "$h" "$tmp/$i" >"$tmp/$i/out"; echo $? >"$tmp/$i/status" ) &
done
wait
failures=0
for ((k = 1; k <= i; k++)); do
  cat "$tmp/$k/out"
  [[ $(cat "$tmp/$k/status") == 0 ]] || failures=$((failures + 1))
done
checked=$i
echo "check_includes: $checked header(s) checked, $failures failing; forbidden: ${FORBIDDEN[*]}"
((failures == 0))
