#!/usr/bin/env bash
# Layering of the public headers (docs/ARCHITECTURE.md, "Layers"): a header must not pull
# in, directly or transitively, the headers of a layer above or beside it. The receiver
# verifies, deduplicates and reconciles; it has no business with the sender's attempt
# ledger, retry schedule or the monitoring that sits on them, and including them would tie
# every receiver's build to the sender's code.
#   check_layers.sh CXX [compiler flags...] -- RULE...
# RULE is HEADER:FORBIDDEN[,FORBIDDEN...], paths relative to the include directory, e.g.
# jobwire/receiver.hpp:jobwire/ledger.hpp,jobwire/retry.hpp. Each HEADER is preprocessed
# on its own with -H (every header opened, one line each, "." per nesting level); a
# forbidden one fails the check with the chain of includes that brought it in.
set -uo pipefail

cxx=$1; shift
flags=()
while (($#)) && [[ $1 != -- ]]; do flags+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
(($#)) || { echo "check_layers.sh: no rules given" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

failures=0
for rule in "$@"; do
  header=${rule%%:*}
  forbidden=${rule#*:}
  [[ $header != "$rule" && -n $forbidden ]] || { echo "check_layers.sh: bad rule '$rule'" >&2; exit 2; }
  printf '#include <%s>\n' "$header" >"$tmp/tu.cpp"
  if ! "$cxx" -std=c++17 "${flags[@]}" -E -H -o /dev/null "$tmp/tu.cpp" 2>"$tmp/trace"; then
    echo "FAIL $header: does not preprocess on its own:"
    grep -v '^\.' "$tmp/trace" | head -n 20
    failures=$((failures + 1))
    continue
  fi
  report=$(awk -v top="$header" -v forbidden="$forbidden" '
    BEGIN { n = split(forbidden, f, ","); for (i = 1; i <= n; i++) bad[f[i]] = 1 }
    function rel(p) {  # the path from the include directory on: jobwire/x.hpp
      if (match(p, /jobwire\/[^ ]*$/)) return substr(p, RSTART)
      return p
    }
    /^\.+ / {
      depth = length($1); path = rel($2)
      chain[depth] = path
      if (!(path in bad) || (path in seen)) next
      seen[path] = 1
      via = top
      for (i = 2; i < depth; i++) via = via " > " chain[i]
      printf "FAIL %s pulls in %s: %s > %s\n", top, path, via, path
    }' "$tmp/trace")
  if [[ -n $report ]]; then
    echo "$report"
    failures=$((failures + 1))
  else
    echo "ok   $header pulls in none of: ${forbidden//,/ }"
  fi
done
echo "check_layers: $# rule(s) checked, $failures failing"
((failures == 0))
