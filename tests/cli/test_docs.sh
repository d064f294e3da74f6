#!/usr/bin/env bash
# Documentation that must not drift from the code: the error catalogue in docs/SECURITY.md
# lists every code of include/jobwire/error.hpp with its id and its reply (the HTTP status
# of its reply class), and so does the C header.
source "$(dirname "$0")/lib.sh"
declare -A reply_of=([ok]=200 [authentication]=401 [malformed]=400 [local]=503)
declare -A class_of=()
while read -r name cls; do class_of[$name]=$cls; done < <(
  sed -n 's/^ *X(\([a-z_0-9]*\), \(ok\|authentication\|malformed\|local\)).*/\1 \2/p' "$JOBWIRE_SOURCE_DIR/include/jobwire/error.hpp")
while read -r name id; do
  checks=$((checks + 1))
  reply=${reply_of[${class_of[$name]:-none}]:-none}
  if ! grep -q "^| $id | \`$name\` | $reply |" "$JOBWIRE_SOURCE_DIR/docs/SECURITY.md"; then
    echo "FAIL: docs/SECURITY.md does not list error $id $name with reply $reply (run tools/docs/error_table.py)" >&2
    failures=$((failures + 1))
  fi
done < <(sed -n 's/^ *X(\([a-z_0-9]*\), \([0-9]*\), .*/\1 \2/p' "$JOBWIRE_SOURCE_DIR/include/jobwire/error.hpp")
# The C header names every code as JOBWIRE_E_<NAME> (-id).
while read -r name id; do
  checks=$((checks + 1))
  macro="JOBWIRE_E_$(echo "$name" | tr '[:lower:]' '[:upper:]')"
  [[ $id -eq 0 ]] && continue
  if ! grep -Eq "^#define $macro +\(-$id\)" "$JOBWIRE_SOURCE_DIR/include/jobwire_c.h"; then
    echo "FAIL: include/jobwire_c.h lacks #define $macro (-$id)" >&2
    failures=$((failures + 1))
  fi
done < <(sed -n 's/^ *X(\([a-z_0-9]*\), \([0-9]*\), .*/\1 \2/p' "$JOBWIRE_SOURCE_DIR/include/jobwire/error.hpp")
[[ $checks -gt 50 ]] || { echo "FAIL: read only $checks codes" >&2; failures=$((failures + 1)); }
finish
