#!/usr/bin/env bash
# The shared delivery vectors (tests/data/vectors/deliveries.json) through the command
# line: `jobwire verify` and `jobwire receive` reach the verdict the vector names, the
# same one the C++ calls, the C API and Python reach (tests/unit/test_vectors.cpp,
# bindings/python/tests/test_vectors.py). Signatures are computed here with Python's hmac.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "FAIL: python3 is required to read the vectors" >&2; exit 1; }

# One directory per vector: the body, the arguments (NUL-separated) and the expectation.
python3 - "$JOBWIRE_SOURCE_DIR/tests/data/vectors/deliveries.json" "$TMPD/v" <<'PY' || exit 1
import hashlib, hmac, json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
os.makedirs(out)
n = 0
for i, raw in enumerate(doc["vectors"]):
    v = {**doc["defaults"], **raw}
    if not v["secrets"]:
        continue  # the CLI takes at least one --secret; unsigned vectors run in C++ and C
    prefix = v.get("header_prefix", "x-phaseo-" if v["profile"] == "phaseo" else "x-ai-stats-")
    headers = [f"{name}: {value}" for name, value in v["headers"]]
    if v["timestamp"] is not None:
        headers.append(f"{prefix}timestamp: {v['timestamp']}")
    if "signature" in v:
        headers.append(f"{prefix}signature: {v['signature']}")
    elif v["sign_with"] is not None:
        msg = v.get("signed_timestamp", v["timestamp"]).encode() + b"." + v.get("signed_body", v["body"]).encode()
        headers.append(f"{prefix}signature: " + hmac.new(v["sign_with"].encode(), msg, hashlib.sha256).hexdigest())
    d = os.path.join(out, f"{i:03d}")
    os.makedirs(d)
    with open(os.path.join(d, "body"), "wb") as f:
        f.write(v["body"].encode("utf-8"))
    args = ["--now", str(v["now"]), "--profile", v["profile"].replace("_", "-")]
    for s in v["secrets"]:
        args += ["--secret", s]
    for h in headers:
        args += ["--header", h]
    with open(os.path.join(d, "args"), "wb") as f:
        f.write(b"\0".join(a.encode("utf-8") for a in args) + b"\0")
    e = v["expect"]
    with open(os.path.join(d, "expect"), "w") as f:
        f.write(f"{e['verdict']} {e['reason']} {e['http_status']}\n{v['name']}\n")
    n += 1
if n < 30:
    sys.exit(f"only {n} vectors read")
PY

for d in "$TMPD"/v/*/; do
  before=$failures
  args=()
  while IFS= read -r -d '' a; do args+=("$a"); done < "$d/args"
  { read -r verdict reason http; read -r name; } < "$d/expect"
  if [[ $verdict == valid ]]; then
    expect 0 'valid' -- "$JW" verify --body "@$d/body" "${args[@]}"
    # Accepted: applied or refetched, depending on the state `receive` holds (200 either way).
    expect 0 '\{"action":"(process|refetch)","http_status":200,.*\}' -- \
      "$JW" receive --db "$d/db.sqlite" --body "@$d/body" "${args[@]}"
  else
    expect 1 "$reason(: .*)?" -- "$JW" verify --body "@$d/body" "${args[@]}"
    expect 0 "\\{\"action\":\"reject\",\"http_status\":$http,\"reason\":\"$reason\",.*\\}" -- \
      "$JW" receive --db "$d/db.sqlite" --body "@$d/body" "${args[@]}"
  fi
  [[ $failures -eq $before ]] || echo "  (vector: $name)" >&2
done
[[ $checks -gt 60 ]] || { echo "FAIL: only $checks checks ran" >&2; failures=$((failures + 1)); }
finish
