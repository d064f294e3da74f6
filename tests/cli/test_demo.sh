#!/usr/bin/env bash
# `jobwire demo` end to end: the three example programs on loopback, every expectation of
# the scenario checked by the demo itself from observed behaviour (exit 0 only if all held).
# Also checks that an interrupted demo leaves no process and no temporary directory behind.
source "$(dirname "$0")/lib.sh"

bin="$(dirname "$JW")"
if [[ ! -x "$bin/jobwire-gateway" || ! -x "$bin/jobwire-receiver" || ! -x "$bin/jobwire-poller" ]]; then
  echo "examples not built (JOBWIRE_BUILD_EXAMPLES=OFF or cpp-httplib missing): skipped"
  exit 77  # reported by ctest as skipped, not passed
fi

# A full run: the last line reports every expectation held.
out="$TMPD/demo.out"
"$JW" demo --timeout 50 >"$out" 2>&1
status=$?
checks=$((checks + 1))
if [[ $status -ne 0 ]] || ! tail -1 "$out" | grep -Eq '^([0-9]+) of \1 expectations held'; then
  echo "FAIL: jobwire demo exited $status" >&2
  sed 's/^/  demo: /' "$out" >&2
  failures=$((failures + 1))
fi
# The summary table lists the nine jobs with their classifications.
expect 0 '9' -- bash -c "grep -Ec '^G-[0-9a-f]{16} ' '$out'"
# The current service's job: a status_changed delivery received (x-phaseo-* headers,
# detected by the receiver's default profile auto; PROTOCOL.md §15, §16.1).
expect 0 '1' -- bash -c "grep -Ec '^G-[0-9a-f]{16} +status_changed +completed .* healthy *$' '$out'"
expect 0 '[1-9]' -- bash -c "grep -Ec 'status_changed: video.status_changed:queued:in_progress attempt 1 -> HTTP 200' '$out'"
expect 0 '1' -- bash -c "grep -Ec ' generation_failed *$' '$out'"
expect 0 '1' -- bash -c "grep -Ec ' delivery_exhausted *$' '$out'"

# Without its development flag the gateway refuses a loopback callback URL (PROTOCOL.md §8):
# the subscription is validated before a job exists.
"$bin/jobwire-gateway" >"$TMPD/gw.out" 2>/dev/null &
gw=$!
for _ in $(seq 50); do grep -q listening "$TMPD/gw.out" && break; sleep 0.1; done
gw_url=$(sed -n 's/^listening //p' "$TMPD/gw.out")
expect 1 'poller: create refused: HTTP 400 \{"error":\{"code":"[a-z_]+"\}\}' -- \
  bash -c "'$bin/jobwire-poller' --gateway '$gw_url' --callback http://127.0.0.1:9/hook --secret s --job normal 2>&1"
kill "$gw"
wait "$gw" 2>/dev/null

# Interrupted half-way: exit 130, children stopped, temporary directory removed.
"$JW" demo >"$TMPD/int.out" 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
status=$?
dir=$(grep -o '/tmp/jobwire-demo\.[A-Za-z0-9]*' "$TMPD/int.out" | head -1)
checks=$((checks + 1))
if [[ $status -ne 130 || -z "$dir" || -e "$dir" ]]; then
  echo "FAIL: interrupted demo: status $status, temp dir '$dir' $( [[ -e "$dir" ]] && echo exists)" >&2
  failures=$((failures + 1))
fi
# No child outlives the demo (they ran with the demo's temp dir on their command line).
sleep 0.3
expect 1 '' -- pgrep -f "${dir:-/nonexistent-dir}"

finish
