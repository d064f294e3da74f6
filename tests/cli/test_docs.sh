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
# No Markdown file links outside the repository: the protocol and CLI reference a reader
# needs live in docs/ (a clone has no ../shared). A relative link must resolve to a path
# inside the repository root that exists; absolute file links and ../shared are refused.
while IFS= read -r bad; do
  checks=$((checks + 1))
  echo "FAIL: link leaves the repository or is dangling: $bad" >&2
  failures=$((failures + 1))
done < <(python3 - "$JOBWIRE_SOURCE_DIR" <<'PY'
import os, re, subprocess, sys
root = os.path.realpath(sys.argv[1])
files = subprocess.run(["git", "-C", root, "ls-files", "*.md"], capture_output=True,
                       text=True).stdout.split()
if not files:  # not a git checkout: walk the tree, skipping build trees
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if x not in (".git", "build") and not x.startswith("build")]
        files += [os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(".md")]
link = re.compile(r"\[[^\]]*\]\(([^)\s]+)[^)]*\)|^\[[^\]]+\]:\s*(\S+)", re.M)
for f in files:
    text = open(os.path.join(root, f), encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks are not links
    for m in link.finditer(text):
        target = m.group(1) or m.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # URLs with a scheme (https:, mailto:) and in-page anchors
        path = target.split("#", 1)[0]
        if "shared/" in path or path.startswith("/"):
            print(f"{f}: {target}")
            continue
        full = os.path.realpath(os.path.join(root, os.path.dirname(f), path))
        if not (full == root or full.startswith(root + os.sep)) or not os.path.exists(full):
            print(f"{f}: {target}")
    for m in re.finditer(r"\.\./shared/docs", text):
        print(f"{f}: mentions ../shared/docs (write it into docs/ instead)")
PY
)
# The leniency table in docs/SECURITY.md has a row for every flag of leniency.hpp, and
# names no flag that does not exist.
flags=$(sed -n 's/^  \([a-z_]*\) = 1u << [0-9]*,$/\1/p' "$JOBWIRE_SOURCE_DIR/include/jobwire/leniency.hpp")
[[ $(wc -w <<<"$flags") -ge 6 ]] || { echo "FAIL: read only $(wc -w <<<"$flags") leniency flags" >&2; failures=$((failures + 1)); }
for flag in $flags; do
  checks=$((checks + 1))
  if ! grep -q "^| \`lenient::$flag\` |" "$JOBWIRE_SOURCE_DIR/docs/SECURITY.md"; then
    echo "FAIL: docs/SECURITY.md's leniency table lacks lenient::$flag" >&2
    failures=$((failures + 1))
  fi
done
while read -r documented; do
  checks=$((checks + 1))
  if ! grep -qx "$documented" <<<"$flags"; then
    echo "FAIL: docs/SECURITY.md documents lenient::$documented, which leniency.hpp does not define" >&2
    failures=$((failures + 1))
  fi
done < <(sed -n 's/^| `lenient::\([a-z_]*\)` |.*/\1/p' "$JOBWIRE_SOURCE_DIR/docs/SECURITY.md")
[[ $checks -gt 50 ]] || { echo "FAIL: read only $checks codes" >&2; failures=$((failures + 1)); }
finish
