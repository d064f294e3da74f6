#!/usr/bin/env bash
# Documentation that must not drift from the code: the error catalogue in docs/SECURITY.md
# lists every code of include/jobwire/error.hpp with its id, and so does the C header.
source "$(dirname "$0")/lib.sh"
while read -r name id; do
  checks=$((checks + 1))
  if ! grep -q "^| $id | \`$name\` |" "$JOBWIRE_SOURCE_DIR/docs/SECURITY.md"; then
    echo "FAIL: docs/SECURITY.md does not list error $id $name (run tools/docs/error_table.py)" >&2
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
