#!/usr/bin/env bash
# Fails when the shared C library exports a symbol outside the C API: hidden visibility
# and the version script must keep C++ internals (and OpenSSL or libstdc++ pieces) out of
# the dynamic symbol table, so two libraries built on different jobwire versions can be
# loaded into one process.
#   check_exports.sh NM LIBRARY
set -euo pipefail
nm=$1 lib=$2
exported=$("$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u)
if [[ -z "$exported" ]]; then
  echo "no exported symbols found in $lib"; exit 1
fi
stray=$(grep -v '^jobwire_' <<<"$exported" || true)
if [[ -n "$stray" ]]; then
  echo "symbols outside the C API exported from $lib:"; echo "$stray"; exit 1
fi
# Every function declared in the header is exported.
header="$(dirname "$0")/../../include/jobwire_c.h"
missing=0
while read -r fn; do
  grep -qx "$fn" <<<"$exported" || { echo "declared but not exported: $fn"; missing=1; }
done < <(grep -o '^JOBWIRE_C_API [^(]*(' "$header" | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u)
[[ $missing -eq 0 ]] || exit 1
echo "exports: $(wc -l <<<"$exported") jobwire_ symbols, all declared functions present"
