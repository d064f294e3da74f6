#!/usr/bin/env bash
# jobwire outbox (docs/CLI.md "Sending at scale"): enqueue is idempotent and checks what it
# stores; status prints the counts; work sends to a real loopback receiver that answers
# scripted statuses and verifies every signature itself (outbox_receiver.py), retries per
# the service's schedule (§12, run 1000x faster), never follows a redirect, fails a row
# whose payload cannot be read with the reason, and stops gracefully on SIGTERM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/outbox_lib.sh"
outbox_require

KEY=whsec_test_123
DATA='{"status":"completed","lifecycle_status":"completed","object":"video"}'

# enqueue DB URL JOB PHASE [extra options...]
enqueue() {
  local db=$1 url=$2 job=$3 phase=$4 data=()
  shift 4
  [[ " $* " == *" --data "* ]] || data=(--data "$DATA")
  "$JW" outbox --db "sqlite:$db" enqueue --url "$url" --secret "$KEY" --kind video --job-id "$job" \
    --internal-id "gen_$job" --phase "$phase" "${data[@]}" --dev "$@"
}
status_of() { "$JW" outbox --db "sqlite:$1" status; }
zero='\{"pending":0,"scheduled_retry":0,"delivered":0,"failed_permanently":0,"endpoints_disabled":0\}'

# --- enqueue and status -------------------------------------------------------------------------------
A="$TMPD/a.sqlite"
expect 0 "$zero" -- status_of "$A"
expect 0 'inserted video.completed pending' -- enqueue "$A" https://example.com/hook G-1 completed
# The same (job, delivery key) again: nothing changes (§16.7).
expect 0 'duplicate video.completed pending' -- enqueue "$A" https://example.com/hook G-1 completed
expect 0 'duplicate video.completed pending' -- enqueue "$A" https://example.com/other G-1 completed
expect 0 '\{"ok":true,"inserted":false,"state":"pending","job_id":"G-1","delivery_key":"video.completed","event_id":"evt_video_gen_G-1_video_completed","url":"https://example.com/hook"\}' -- \
  enqueue "$A" https://example.com/hook G-1 completed --json
# Another job, or another key of the job, is another delivery.
expect 0 'inserted video.completed pending' -- enqueue "$A" https://example.com/hook G-2 completed
expect 0 'inserted video.progress:50 pending' -- enqueue "$A" https://example.com/hook G-1 progress --progress 47 \
  --data '{"status":"in_progress","object":"video"}'
expect 0 '\{"pending":3,"scheduled_retry":0,"delivered":0,"failed_permanently":0,"endpoints_disabled":0\}' -- \
  status_of "$A"

# What could never be sent is refused at enqueue with its reason, and stores nothing.
expect 1 'https_required: .*' -- "$JW" outbox --db "sqlite:$A" enqueue --url http://127.0.0.1:9/h --secret "$KEY" \
  --kind video --job-id G-3 --internal-id g3 --phase completed --data "$DATA" --profile phaseo
expect 1 'private_host: .*' -- "$JW" outbox --db "sqlite:$A" enqueue --url https://10.1.2.3/h --secret "$KEY" \
  --kind video --job-id G-3 --internal-id g3 --phase completed --data "$DATA" --profile phaseo
expect 1 'secret_required: .*' -- "$JW" outbox --db "sqlite:$A" enqueue --url https://example.com/h --secret '' \
  --kind video --job-id G-3 --internal-id g3 --phase completed --data "$DATA" --profile phaseo
expect 1 'json_type_mismatch: .*' -- enqueue "$A" https://example.com/hook G-3 completed --data '[1]'
expect 1 'conflicting_job_id: .*' -- enqueue "$A" https://example.com/hook G-3 completed --data '{"id":"G-4","status":"completed"}'
expect 1 'no_progress_event: .*' -- enqueue "$A" https://example.com/hook G-3 progress --progress 100
expect 1 'unknown_phase: .*' -- enqueue "$A" https://example.com/hook G-3 finished
expect 2 '' -- "$JW" outbox --db "mysql://x" status
expect 2 '' -- "$JW" outbox --db "sqlite:$A" send
expect 2 '' -- "$JW" outbox --db "sqlite:$A" work --workers 0
expect 0 '\{"pending":3,"scheduled_retry":0,"delivered":0,"failed_permanently":0,"endpoints_disabled":0\}' -- \
  status_of "$A"

# --- sending to a scripted receiver ------------------------------------------------------------------
script='{"/ok":[200],"/flaky":[500,200],"/redirect":[[302,{"Location":"/elsewhere"}]],"/gone":[410],
         "/busy":[[429,{"Retry-After":"1"}],200],"/down":[503]}'
start_receiver r1 ai_stats "$KEY" "$script"
B="$TMPD/b.sqlite"
base="http://127.0.0.1:$RECEIVER_PORT"
for p in ok flaky redirect gone busy down; do
  expect 0 'inserted video.completed pending' -- enqueue "$B" "$base/$p" "J-$p" completed
done
"$JW" outbox --db "sqlite:$B" work --workers 2 --until-idle --time-scale 1000 --max-seconds 60 \
  >"$TMPD/work1.out" 2>"$TMPD/work1.err"
check_eq "work exit status" "$?" 0
summary=$(cat "$TMPD/work1.out")
check_true "work ended idle ($summary)" grep -q '"idle":true' <<<"$summary"
check_true "17 attempts ($summary)" grep -q '"attempts":17,"delivered":3,' <<<"$summary"
expect 0 '\{"pending":0,"scheduled_retry":0,"delivered":3,"failed_permanently":3,"endpoints_disabled":0\}' -- \
  status_of "$B"
# The service profiles keep §12 exactly: 4 attempts for any failure (410 and 429 included).
log="$TMPD/r1.log"
check_eq "requests to /ok" "$(requests "$log" /ok)" 1
check_eq "requests to /flaky" "$(requests "$log" /flaky)" 2
check_eq "requests to /busy" "$(requests "$log" /busy)" 2
check_eq "requests to /redirect" "$(requests "$log" /redirect)" 4
check_eq "requests to /gone" "$(requests "$log" /gone)" 4
check_eq "requests to /down" "$(requests "$log" /down)" 4
check_eq "redirects followed" "$(requests "$log" /elsewhere)" 0
# Every request verified at the receiver; per delivery: attempts 1..n in order, one event
# id, the attempt header agreeing with the body, timestamps never going back.
check_true "every request verified, attempts in order, one event id per delivery" python3 - "$log" <<'EOF'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["verified"], e
    assert e["headers"]["x-ai-stats-attempt"] == str(e["attempt"]), e
    assert e["headers"]["user-agent"] == "AI-Stats-Async-Webhook/1.0", e
    prev = seen.setdefault(e["path"], [])
    if prev:
        assert e["attempt"] == prev[-1]["attempt"] + 1, (prev[-1], e)
        assert e["event_id"] == prev[-1]["event_id"], e
        assert e["ts"] >= prev[-1]["ts"], e
    else:
        assert e["attempt"] == 1, e
    prev.append(e)
EOF
row() { sqlite3 "$B" "SELECT $2 FROM jobwire_outbox WHERE job_id = '$1'"; }
check_eq "the redirect's error" "$(row J-redirect "last_status || ' ' || last_error")" "302 Webhook redirects are not allowed"
check_eq "the 503's error" "$(row J-down "last_status || ' ' || last_error || ' ' || attempts")" "503 Webhook returned HTTP 503 4"
check_eq "the flaky delivery" "$(row J-flaky "state || ' ' || attempts || ' ' || last_status")" "2 2 200"

# A row whose payload cannot be read (written by another host) fails with the reason; the
# worker carries on with the others.
now_ms=$(($(date +%s) * 1000))
sqlite3 "$B" "INSERT INTO jobwire_outbox (job_id, delivery_key, endpoint, payload, state, attempts, enqueued_at, due_at)
  VALUES ('J-bad', 'video.completed', '$base/ok', '{\"v\":1,\"kind\":\"video\"}', 0, 0, $now_ms, $now_ms),
         ('J-bad2', 'video.completed', '$base/ok', 'not json', 0, 0, $now_ms, $now_ms)"
expect 0 'inserted video.completed pending' -- enqueue "$B" "$base/ok" J-after completed
"$JW" outbox --db "sqlite:$B" work --until-idle --time-scale 1000 --max-seconds 30 >"$TMPD/work2.out" 2>"$TMPD/work2.err"
check_eq "work exit status with bad rows" "$?" 0
check_eq "the bad payload's row" "$(row J-bad "state || ' ' || attempts || ' ' || last_error")" \
  "3 1 outbox payload: missing_field (member profile): a required field is missing"
check_true "the unreadable payload's row names the JSON error" grep -q '^3 1 outbox payload: json_unexpected_token' \
  <<<"$(row J-bad2 "state || ' ' || attempts || ' ' || last_error")"
check_eq "the row after them" "$(row J-after state)" 2
check_eq "requests to /ok after the bad rows" "$(requests "$log" /ok)" 2
check_true "the worker said why" grep -q 'J-bad .*failed permanently: outbox payload' "$TMPD/work2.err"

# Standard Webhooks (§17 "Sending"): a 410 disables the endpoint at once — its other rows
# fail with it and a new row for it is stored failed —, a 429 throttles it until its
# Retry-After, webhook-* signatures verify at the receiver.
SKEY=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
start_receiver r3 standard "$SKEY" '{"/s-gone":[410],"/s-busy":[[429,{"Retry-After":"2"}],200],"/s-flaky":[500,200],"/s-dead":[500]}'
E="$TMPD/e.sqlite"
senqueue() {
  "$JW" outbox --db "sqlite:$E" enqueue --url "http://127.0.0.1:$RECEIVER_PORT/$1" --secret "$SKEY" --kind video \
    --job-id "$2" --internal-id "i$2" --phase completed --data "$DATA" --profile standard --dev
}
for row in "s-gone W-1" "s-gone W-2" "s-busy W-3" "s-flaky W-4"; do
  expect 0 'inserted video.completed pending' -- senqueue $row
done
"$JW" outbox --db "sqlite:$E" work --workers 1 --batch 1 --until-idle --time-scale 1000 --max-seconds 60 \
  >"$TMPD/work5.out" 2>"$TMPD/work5.err"
check_true "one endpoint disabled ($(cat "$TMPD/work5.out"))" grep -q '"endpoints_disabled":1' "$TMPD/work5.out"
check_true "the disable is logged for the operator" grep -q "endpoint http://127.0.0.1:$RECEIVER_PORT/s-gone disabled (410 Gone); 1 other rows failed with it" "$TMPD/work5.err"
expect 0 '\{"pending":0,"scheduled_retry":0,"delivered":2,"failed_permanently":2,"endpoints_disabled":1\}' -- \
  status_of "$E"
check_eq "requests to /s-gone (disabled at the first 410)" "$(requests "$TMPD/r3.log" /s-gone)" 1
check_eq "requests to /s-busy" "$(requests "$TMPD/r3.log" /s-busy)" 2
check_eq "requests to /s-flaky" "$(requests "$TMPD/r3.log" /s-flaky)" 2
check_true "every standard request verified, one webhook-id per delivery" python3 - "$TMPD/r3.log" <<'EOF2'
import json, sys
ids = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["verified"], e
    assert e["headers"]["webhook-id"] == e["event_id"], e
    assert ids.setdefault(e["path"], e["headers"]["webhook-id"]) == e["headers"]["webhook-id"], e
EOF2
expect 0 'inserted video.completed failed_permanently' -- senqueue s-gone W-5
# A dead endpoint (always 500) under the etiquette: the delivery runs through its ten
# attempts (about three days, here 100000x faster) and, its last ten attempts all failed,
# the endpoint is disabled by the failure streak.
E2="$TMPD/e2.sqlite"
expect 0 'inserted video.completed pending' -- "$JW" outbox --db "sqlite:$E2" enqueue \
  --url "http://127.0.0.1:$RECEIVER_PORT/s-dead" --secret "$SKEY" --kind video --job-id D-1 --internal-id d1 \
  --phase completed --data "$DATA" --profile standard --dev
"$JW" outbox --db "sqlite:$E2" work --until-idle --time-scale 100000 --max-seconds 60 >"$TMPD/work9.out" 2>"$TMPD/work9.err"
expect 0 '\{"pending":0,"scheduled_retry":0,"delivered":0,"failed_permanently":1,"endpoints_disabled":1\}' -- \
  "$JW" outbox --db "sqlite:$E2" status
check_eq "requests to the dead endpoint" "$(requests "$TMPD/r3.log" /s-dead)" 10
check_true "the streak disable is logged" grep -q "/s-dead disabled (failure streak of 10)" "$TMPD/work9.err"

# A host name is resolved before each request and every address checked by the policy
# (§16.4 step 4): `localhost.` passes the literal rule, and resolves to loopback or to
# nothing — either way the attempt fails as the service's does, nothing is sent.
D="$TMPD/d.sqlite"
expect 0 'inserted video.completed pending' -- "$JW" outbox --db "sqlite:$D" enqueue --url "https://localhost.:$RECEIVER_PORT/rebind" \
  --secret "$KEY" --kind video --job-id R-1 --internal-id r1 --phase completed --data "$DATA" --profile phaseo
"$JW" outbox --db "sqlite:$D" work --until-idle --time-scale 1000 --max-seconds 30 >/dev/null 2>&1
check_true "a host resolving to nothing allowed is refused after resolution" grep -Eq \
  '^3 4 Webhook URL rejected: (loopback_host \(127\.0\.0\.1\)|webhook_url_dns_resolution_failed)$' \
  <<<"$(sqlite3 "$D" "SELECT state || ' ' || attempts || ' ' || last_error FROM jobwire_outbox")"

# --- graceful stop ---------------------------------------------------------------------------------------
# A slow receiver (1.5 s per request): SIGTERM while the first request is in flight. The
# request finishes and is recorded; the rows leased with it and not sent are released at
# once (no lease to wait out); a second run sends them, nothing twice.
start_receiver r2 ai_stats "$KEY" '{}' 1500
C="$TMPD/c.sqlite"
for j in 1 2 3; do
  expect 0 'inserted video.completed pending' -- enqueue "$C" "http://127.0.0.1:$RECEIVER_PORT/slow" "S-$j" completed
done
"$JW" outbox --db "sqlite:$C" work --workers 1 --batch 4 --lease-seconds 600 >"$TMPD/work3.out" 2>"$TMPD/work3.err" &
wpid=$!
sleep 0.7
kill -TERM "$wpid"
wait "$wpid"
check_eq "exit status after SIGTERM" "$?" 143
check_true "two rows released ($(cat "$TMPD/work3.out"))" grep -q '"delivered":1,.*"released":2' "$TMPD/work3.out"
expect 0 '\{"pending":2,"scheduled_retry":0,"delivered":1,"failed_permanently":0,"endpoints_disabled":0\}' -- \
  status_of "$C"
"$JW" outbox --db "sqlite:$C" work --until-idle --max-seconds 30 >"$TMPD/work4.out" 2>&1
check_true "no takeover after a graceful stop" grep -q '"lease_takeovers":0' "$TMPD/work4.out"
check_eq "requests to /slow" "$(requests "$TMPD/r2.log" /slow)" 3
expect 0 '\{"pending":0,"scheduled_retry":0,"delivered":3,"failed_permanently":0,"endpoints_disabled":0\}' -- \
  status_of "$C"

# The request timeout (§12, §16.5): the slow receiver takes 1.5 s, the timeout is 1 s; each
# attempt fails with the service's wording and the schedule runs out.
T="$TMPD/t.sqlite"
expect 0 'inserted video.completed pending' -- enqueue "$T" "http://127.0.0.1:$RECEIVER_PORT/timeout" T-1 completed
"$JW" outbox --db "sqlite:$T" work --until-idle --time-scale 1000 --request-timeout 1 --max-seconds 60 >"$TMPD/work6.out" 2>&1
check_eq "the timed-out row" "$(sqlite3 "$T" "SELECT state || ' ' || attempts || ' ' || ifnull(last_status, 'null') || ' ' || last_error FROM jobwire_outbox")" \
  "3 4 0 Webhook request timed out after 1000ms"
check_true "four timeouts counted ($(cat "$TMPD/work6.out"))" grep -q '"attempts":4,"delivered":0,"retried":3,"failed":1' "$TMPD/work6.out"

# The timeout covers reading the answer too (§16.5): a receiver that answers a byte every
# 100 ms (4 s in all) never trips a per-read timeout; each attempt still ends at the 1 s
# deadline as a timeout, not as a delivery after 4 s. `expect_cut NAME URL WHAT` sends one
# row to such an endpoint; `cut_at_deadline PATH PSEUDO-HEADER WHAT` starts the receiver:
# X-Trickle-Ms sends the status at once and then the body slowly; X-Drip-Headers-Ms sends
# the status line and then a header slowly, where no body callback runs yet.
expect_cut() {
  local db="$TMPD/cut_$1.sqlite" started=$SECONDS
  expect 0 'inserted video.completed pending' -- enqueue "$db" "$2" "CUT-$1" completed
  "$JW" outbox --db "sqlite:$db" work --until-idle --time-scale 1000 --request-timeout 1 --max-seconds 60 \
    >"$TMPD/cut_$1.out" 2>&1
  check_eq "the row whose $3 came slowly" \
    "$(sqlite3 "$db" "SELECT state || ' ' || attempts || ' ' || ifnull(last_status, 'null') || ' ' || last_error FROM jobwire_outbox")" \
    "3 4 0 Webhook request timed out after 1000ms"
  check_true "four attempts cut at their deadline while reading the $3 ($((SECONDS - started)) s)" \
    test $((SECONDS - started)) -lt 12
}
cut_at_deadline() {
  start_receiver "r_$1" ai_stats "$KEY" "{\"/$1\":[[200,{\"$2\":\"100\"}]]}"
  expect_cut "$1" "http://127.0.0.1:$RECEIVER_PORT/$1" "$3"
}
cut_at_deadline trickle X-Trickle-Ms body
cut_at_deadline drip X-Drip-Headers-Ms headers

# The same during a TLS handshake, where cpp-httplib holds a lock its own stop() waits
# for: an https endpoint whose server answers the ClientHello with a handshake record a
# byte every 100 ms (4.5 s in all). (A cut connection also makes OpenSSL's next write raise
# SIGPIPE, which the worker ignores.)
rm -f "$TMPD/tls.port"
python3 - "$TMPD/tls.port" <<'PY' &
import os, socket, sys, threading, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
def drip(conn):
    try:
        conn.recv(4096)  # the ClientHello
        for b in b"\x16\x03\x03\x00\x28" + b"\x02" * 40:
            conn.sendall(bytes([b]))
            time.sleep(0.1)
    except OSError:
        pass  # the sender gave up
    conn.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=drip, args=(c,), daemon=True).start()
PY
outbox_pids+=($!)
for i in $(seq 1 100); do [[ -s "$TMPD/tls.port" ]] && break; sleep 0.05; done
expect_cut tls "https://127.0.0.1:$(cat "$TMPD/tls.port")/hook" "TLS handshake"

# --max-seconds bounds a run that is not idle: a retry due in a minute (no --time-scale)
# keeps the outbox busy, and the run ends after a second, not idle.
M="$TMPD/m.sqlite"
expect 0 'inserted video.completed pending' -- enqueue "$M" "$base/down" M-1 completed
start=$(date +%s)
"$JW" outbox --db "sqlite:$M" work --until-idle --max-seconds 1 >"$TMPD/work7.out" 2>&1
check_eq "exit status at --max-seconds" "$?" 0
check_true "the bounded run took about a second" test $(($(date +%s) - start)) -le 5
check_true "the bounded run ended not idle ($(cat "$TMPD/work7.out"))" grep -q '"idle":false,"attempts":1,' "$TMPD/work7.out"
expect 0 '\{"pending":0,"scheduled_retry":1,"delivered":0,"failed_permanently":0,"endpoints_disabled":0\}' -- status_of "$M"

# Long sends keep their lease: a 1.2 s request under a 0.3 s lease, two processes of two
# threads on the file. The keeper renews the rows each process holds, so nobody takes a
# row over while its request is in flight: each row is sent once.
start_receiver r4 ai_stats "$KEY" '{}' 1200
L="$TMPD/l.sqlite"
for j in 1 2 3; do
  expect 0 'inserted video.completed pending' -- enqueue "$L" "http://127.0.0.1:$RECEIVER_PORT/long" "L-$j" completed
done
for p in 1 2; do
  "$JW" outbox --db "sqlite:$L" work --workers 2 --batch 2 --lease-seconds 0.3 --until-idle --max-seconds 60 \
    >"$TMPD/work8.$p.out" 2>&1 &
  wp[$p]=$!
done
wait "${wp[1]}" "${wp[2]}"
check_eq "requests of the long sends" "$(requests "$TMPD/r4.log" /long)" 3
check_true "no takeover, no lost lease ($(cat "$TMPD"/work8.*.out | tr '\n' ' '))" \
  test "$(cat "$TMPD"/work8.1.out "$TMPD"/work8.2.out | grep -c '"lease_takeovers":0,"claims_lost":0')" = 2
expect 0 '\{"pending":0,"scheduled_retry":0,"delivered":3,"failed_permanently":0,"endpoints_disabled":0\}' -- status_of "$L"

# --- metrics ---------------------------------------------------------------------------------------------
"$JW" outbox --db "sqlite:$B" work --until-idle --max-seconds 10 --metrics-file "$TMPD/metrics.prom" >/dev/null 2>&1
check_true "the metrics file has the queue depth" grep -q '^jobwire_outbox_queue_depth 0$' "$TMPD/metrics.prom"
check_true "the metrics file has the row gauges" grep -q '^jobwire_outbox_rows{state="delivered"} 4$' "$TMPD/metrics.prom"
check_true "the metrics file has the lease takeovers" grep -q '^jobwire_outbox_lease_takeovers_total 0$' "$TMPD/metrics.prom"

finish
