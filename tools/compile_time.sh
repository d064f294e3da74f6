#!/usr/bin/env bash
# Compile time of a TU that includes the umbrella header, next to two reference TUs:
#   baseline  #include <string>, <vector>, <algorithm>, <cstdint>  (what almost any TU has)
#   iostream  #include <iostream>
#   jobwire   #include <jobwire/jobwire.hpp>
# each with an empty main, compiled to an object file (-c) by g++ and clang++ at -O0 and
# -O2 (-std=c++17). Wall time, median of N runs after one warm-up run (hyperfine when
# installed, otherwise a loop timed with `date +%s%N`). Prints a markdown table and
# rewrites the part of docs/PERFORMANCE.md between <!-- compile:begin --> and
# <!-- compile:end -->.
#   tools/compile_time.sh [-n RUNS] [--print-only]
# On a shared machine absolute times move with the load; the ratio to the baseline TU,
# measured in the same minute with the same compiler and flags, is the figure to compare.
# The exact, load-independent size budget is the "compile:" ctest (tests/compile/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

runs=7
write_docs=1
while (($#)); do
  case $1 in
    -n) runs=$2; shift 2 ;;
    --print-only) write_docs=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "compile_time.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "compile_time.sh: -n needs a positive count" >&2; exit 2; }

doc=docs/PERFORMANCE.md
begin='<!-- compile:begin -->'
end='<!-- compile:end -->'
if ((write_docs)) && ! { grep -qxF "$begin" "$doc" && grep -qxF "$end" "$doc"; }; then
  echo "compile_time.sh: $doc lacks the $begin / $end markers" >&2
  exit 1
fi

compilers=()
for c in g++ clang++; do
  command -v "$c" >/dev/null && compilers+=("$c")
done
((${#compilers[@]})) || { echo "compile_time.sh: neither g++ nor clang++ found" >&2; exit 1; }

# The headers the library needs: its own and OpenSSL's (libcrypto).
cflags=(-std=c++17 "-I$root/include")
if command -v pkg-config >/dev/null && pkg-config --exists openssl; then
  # shellcheck disable=SC2207
  cflags+=($(pkg-config --cflags-only-I openssl))
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tus=(baseline iostream jobwire)
printf '#include <string>\n#include <vector>\n#include <algorithm>\n#include <cstdint>\nint main() { return 0; }\n' >"$tmp/baseline.cpp"
printf '#include <iostream>\nint main() { return 0; }\n' >"$tmp/iostream.cpp"
printf '#include <jobwire/jobwire.hpp>\nint main() { return 0; }\n' >"$tmp/jobwire.cpp"

# measure COMPILER OPT: sets ms["COMPILER OPT TU"] to the median wall time in ms of each
# TU. The TUs are timed in rounds (baseline, iostream, jobwire, baseline, ...), so a change
# of load during the measurement hits all three alike and the ratios stay meaningful.
declare -A ms=()
median() { sort -n | awk '{ v[NR] = $1 } END {
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
measure() {
  local c=$1 o=$2 tu r t0 t1 k
  local -a cmds=()
  for tu in "${tus[@]}"; do
    cmds+=("$(printf '%q ' "$c" "${cflags[@]}" "$o" -c "$tmp/$tu.cpp" -o "$tmp/$tu.o")")
  done
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$tmp/h.json" -- "${cmds[@]}" >/dev/null
    k=0
    for tu in "${tus[@]}"; do
      ms["$c $o $tu"]=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000))' "$tmp/h.json" "$k")
      k=$((k + 1))
    done
    return
  fi
  for tu in "${tus[@]}"; do  # warm-up: page cache, and each command is checked once
    "$c" "${cflags[@]}" "$o" -c "$tmp/$tu.cpp" -o "$tmp/$tu.o"
    : >"$tmp/$tu.times"
  done
  for ((r = 0; r < runs; r++)); do
    for tu in "${tus[@]}"; do
      t0=$(date +%s%N)
      "$c" "${cflags[@]}" "$o" -c "$tmp/$tu.cpp" -o "$tmp/$tu.o"
      t1=$(date +%s%N)
      echo $(((t1 - t0) / 1000000)) >>"$tmp/$tu.times"
    done
  done
  for tu in "${tus[@]}"; do ms["$c $o $tu"]=$(median <"$tmp/$tu.times"); done
}

columns=()
for c in "${compilers[@]}"; do
  for o in -O0 -O2; do
    columns+=("$c $o")
    measure "$c" "$o"
    for tu in "${tus[@]}"; do echo "compile_time.sh: $c $o $tu: ${ms["$c $o $tu"]} ms" >&2; done
  done
done

lines() {  # preprocessed non-blank lines (as the ctest budget counts them; +1 for main)
  "${compilers[0]}" "${cflags[@]}" -E -P "$tmp/$1.cpp" | grep -c '[^[:space:]]'
}

table() {
  local header="| TU | preprocessed lines" sep="|---|---:" c tu row b
  for c in "${columns[@]}"; do header+=" | \`$c\`"; sep+="|---:"; done
  echo "$header |"
  echo "$sep|"
  for tu in "${tus[@]}"; do
    case $tu in
      baseline) row="| baseline (\`<string>\`, \`<vector>\`, \`<algorithm>\`, \`<cstdint>\`)" ;;
      iostream) row="| \`<iostream>\`" ;;
      jobwire) row="| \`<jobwire/jobwire.hpp>\`" ;;
    esac
    row+=" | $(lines "$tu")"
    for c in "${columns[@]}"; do
      b=${ms["$c baseline"]}
      row+=" | ${ms["$c $tu"]} ms ($(awk -v a="${ms["$c $tu"]}" -v b="$b" 'BEGIN { printf "%.2f", a / b }')×)"
    done
    echo "$row |"
  done
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
versions=""
for c in "${compilers[@]}"; do
  versions+="${versions:+, }$("$c" --version | head -n 1)"
done
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
section=$(
  echo "Measured by \`tools/compile_time.sh\` on $(date -u +%Y-%m-%d): $cpu, $(nproc) cores"
  echo "shared with other work (load average $load when the run ended, so absolute times"
  echo "are inflated and vary run to run; the ratio to the baseline TU, measured with the same"
  echo "compiler and flags in the same minute, is the meaningful figure). $versions;"
  echo "\`-std=c++17 -c\`, wall time, median of $runs runs after a warm-up run; each TU is an"
  echo "empty \`main\` after its includes, timed in interleaved rounds; preprocessed lines as"
  echo "counted by the ctest budget, plus the line of \`main\`"
  echo "(\`${compilers[0]} -E -P\`, non-blank)."
  echo
  table
)
echo "$section"

if ((write_docs)); then
  python3 - "$doc" "$begin" "$end" "$section" <<'PY'
import sys
path, begin, end, body = sys.argv[1:5]
text = open(path, encoding="utf-8").read()
head, rest = text.split(begin + "\n", 1)
_, tail = rest.split(end + "\n", 1)
open(path, "w", encoding="utf-8").write(head + begin + "\n" + body + "\n" + end + "\n" + tail)
PY
  echo "compile_time.sh: updated $doc" >&2
fi
