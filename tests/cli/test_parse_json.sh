#!/usr/bin/env bash
# jobwire parse --as json: contract (docs/CLI.md) and the JSONTestSuite verdicts.
source "$(dirname "$0")/lib.sh"

expect 0 'valid' -- "$JW" parse --as json '{"a":[1,2]}'
expect 0 'valid' -- "$JW" parse '[]'
expect 0 'valid' -- "$JW" parse --as json '{"a":1,"a":2}'
expect 1 'json_duplicate_key: .* \(at byte 7\)' -- "$JW" parse --as json --reject-duplicate-keys '{"a":1,"a":2}'
expect 1 'json_unexpected_end: .*' -- "$JW" parse --as json '['
expect 0 '\{"ok":true\}' -- "$JW" parse --as json --json '1'
expect 1 '\{"ok":false,"error":"json_trailing_content","message":"[^"]*","offset":2\}' -- "$JW" parse --as json --json '1 2'
printf '{"from":"stdin"}' > "$TMPD/in.json"
expect 0 'valid' -- bash -c "'$JW' parse --as json @- < '$TMPD/in.json'"
expect 0 'valid' -- "$JW" parse --as json "@$TMPD/in.json"
expect 3 '' -- "$JW" parse --as json "@$TMPD/does-not-exist"
expect 2 '' -- "$JW" parse --as nonsense '{}'
expect 2 '' -- "$JW" parse --bogus '{}'
expect 2 '' -- "$JW" parse
expect 2 '' -- "$JW" nonsense-command
expect 0 'usage: jobwire parse .*' -- "$JW" parse --help
expect 0 'jobwire [0-9]+\.[0-9]+\.[0-9]+' -- "$JW" --version
expect 0 'jobwire .*' -- "$JW" --help

suite="${JOBWIRE_JSON_TEST_SUITE:-$JOBWIRE_SHARED_DIR/data/JSONTestSuite/test_parsing}"
if [[ -d "$suite" ]]; then
  y=0 n=0
  for f in "$suite"/y_*.json; do
    expect 0 'valid' -- "$JW" parse --as json "@$f"
    y=$((y + 1))
  done
  for f in "$suite"/n_*.json; do
    expect 1 'json_[a-z_0-9]+: .*' -- "$JW" parse --as json "@$f"
    n=$((n + 1))
  done
  # docs/JSON.md lists the verdict for every i_ file; check each row against the reader.
  i=0
  while IFS='|' read -r _ file verdict _; do
    file=$(echo "$file" | tr -d ' `') verdict=$(echo "$verdict" | tr -d ' `')
    [[ "$file" == i_*.json ]] || continue
    if [[ "$verdict" == valid ]]; then
      expect 0 'valid' -- "$JW" parse --as json "@$suite/$file"
    else
      expect 1 "$verdict: .*" -- "$JW" parse --as json "@$suite/$file"
    fi
    i=$((i + 1))
  done < "$JOBWIRE_SOURCE_DIR/docs/JSON.md"
  echo "JSONTestSuite: $y y_ files accepted, $n n_ files rejected (expected 95 and 188), $i i_ verdicts as documented"
  [[ $i -eq $(ls "$suite"/i_*.json | wc -l) ]] || { echo "FAIL: docs/JSON.md lists $i i_ files" >&2; failures=$((failures + 1)); }
  [[ $y -eq 95 && $n -eq 188 ]] || failures=$((failures + 1))
elif [[ "${CI:-}" == "true" ]]; then
  echo "FAIL: JSONTestSuite not found at $suite (required in CI)" >&2
  failures=$((failures + 1))
else
  echo "note: JSONTestSuite not found at $suite; skipping the conformance part"
fi
finish
