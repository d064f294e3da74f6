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
# Each delivery line carries the receiver's decision next to the HTTP status.
expect 0 '1' -- bash -c "grep -Ec '#4 duplicate: video.completed attempt 1 -> HTTP 200 \(delivered\); receiver: duplicate' '$out'"
expect 0 '1' -- bash -c "grep -Ec '#6 stale_progress: video.progress:[0-9]+ attempt 1 -> HTTP 200 \(delivered\); receiver: ignore_stale' '$out'"
expect 0 '1' -- bash -c "grep -Ec '#7 conflicting_terminal: video.failed attempt 1 -> HTTP 200 \(delivered\); receiver: refetch \(terminal_conflict\)' '$out'"
expect 0 '[1-9]' -- bash -c "grep -Ec 'HTTP 503 \(scheduled_retry\); receiver: reject \(handler_failed\)' '$out'"
# The summary's "rejected" counts non-2xx answers, as the dashboards do: the job whose
# receiver fails once has one (its 503), the tampered job one (its 401).
expect 0 '1' -- bash -c "grep -Ec '^G-[0-9a-f]{16} +receiver_fails_once +completed +[0-9]+/[0-9]+ +7 +6 +1 +1 ' '$out'"
# The secret never appears in the process list: the receiver and the poller get a file.
"$JW" demo --timeout 50 --keep-open >"$TMPD/open.out" 2>&1 &
demo=$!
for _ in $(seq 200); do grep -q "dashboards stay up" "$TMPD/open.out" && break; sleep 0.1; done
args=$(ps -eo args | grep -E "^$bin/jobwire-(receiver|poller) " || true)
checks=$((checks + 1))
if [[ -z "$args" ]] || grep -q -- "--secret " <<<"$args" || grep -q whsec_ <<<"$args"; then
  echo "FAIL: receiver arguments missing or carrying the secret: $args" >&2
  failures=$((failures + 1))
fi
kill -INT "$demo"
wait "$demo" 2>/dev/null
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
