#!/usr/bin/env bash
# The gateway example sending through the outbox (jobwire-gateway --outbox PATH): a job's
# deliveries are enqueued to SQLite and sent by the outbox worker to a loopback receiver
# that verifies them; the outbox counts them, the job's ledger (status object) and
# /metrics and the dashboard's sender view show them; a receiver failing once gets the retry on the compressed clock.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/outbox_lib.sh"
outbox_require
GW="$JOBWIRE_BUILD_DIR/bin/jobwire-gateway"
[[ -x $GW ]] || { echo "skipped: no $GW (the examples need cpp-httplib and SQLite3)"; exit 77; }

KEY=whsec_gateway_outbox
start_receiver rx ai_stats "$KEY" '{"/hook?fail=once":[503,200]}'
DB="$TMPD/gateway.sqlite"
"$GW" --port 0 --time-scale 600 --dev-callbacks --outbox "$DB" --outbox-workers 2 >"$TMPD/gw.out" 2>"$TMPD/gw.err" &
outbox_pids+=($!)
for _ in $(seq 1 100); do
  grep -q '^listening ' "$TMPD/gw.out" 2>/dev/null && break
  sleep 0.05
done
GW_URL=$(sed -n 's/^listening //p' "$TMPD/gw.out")
[[ -n $GW_URL ]] || { echo "FAIL: the gateway did not start: $(cat "$TMPD/gw.err")" >&2; exit 1; }

# create PATH_AND_QUERY: creates a job whose webhook posts there; prints the job id.
create() {
  python3 - "$GW_URL" "http://127.0.0.1:$RECEIVER_PORT$1" "$KEY" <<'EOF'
import json, sys, urllib.request
body = {"model": "sim-video-1", "prompt": "outbox clip", "seconds": 4,
        "webhook": {"url": sys.argv[2], "secret": sys.argv[3], "events": ["video.progress", "job.completed"]}}
req = urllib.request.Request(sys.argv[1] + "/v1/videos", data=json.dumps(body).encode(),
                             headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["id"])
EOF
}
J1=$(create /hook)
J2=$(create '/hook?fail=once')
check_true "jobs created" test -n "$J1" -a -n "$J2"

# Each job: five progress buckets (10 30 50 70 80) and completed = 6 deliveries; J2's
# first request is answered 503 and retried (60 s on a clock 600x faster).
want='\{"pending":0,"scheduled_retry":0,"delivered":12,"failed_permanently":0,"endpoints_disabled":0\}'
for _ in $(seq 1 150); do
  [[ $("$JW" outbox --db "sqlite:$DB" status) =~ ^$want$ ]] && break
  sleep 0.1
done
expect 0 "$want" -- "$JW" outbox --db "sqlite:$DB" status
check_true "every request verified, twelve deliveries and one retry at the receiver" python3 - "$TMPD/rx.log" "$J1" "$J2" <<'EOF'
import json, sys
log, j1, j2 = sys.argv[1:]
entries = [json.loads(l) for l in open(log)]
assert all(e["verified"] for e in entries), entries
keys = {(e["job_id"], e["key"]) for e in entries if e["answered"] == 200}
want = {"video.progress:10", "video.progress:30", "video.progress:50", "video.progress:70", "video.progress:80",
        "video.completed"}
assert keys == {(j, k) for j in (j1, j2) for k in want}, keys
failed = [e for e in entries if e["answered"] == 503]
assert len(failed) == 1 and failed[0]["job_id"] == j2 and failed[0]["attempt"] == 1, failed
retry = [e for e in entries if e["job_id"] == j2 and e["key"] == failed[0]["key"] and e["attempt"] == 2]
assert len(retry) == 1 and retry[0]["answered"] == 200, retry
EOF
# The job's ledger, fed by the worker: the status object's webhook delivery summary.
check_true "the ledger of the retried job" python3 - "$GW_URL" "$J2" <<'EOF'
import json, sys, urllib.request
st = json.load(urllib.request.urlopen(sys.argv[1] + "/v1/videos/" + sys.argv[2]))
d = st["webhook"]["delivery"]
assert d["delivered_events"] == 6 and d["total_attempts"] == 7 and d["pending_retries"] == 0, d
EOF
check_true "/metrics carries the outbox" python3 - "$GW_URL" <<'EOF'
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1] + "/metrics").read().decode()
assert "jobwire_outbox_sent_total 12" in text and "jobwire_outbox_retried_total 1" in text, text
assert 'jobwire_outbox_rows{state="delivered"} 12' in text, text
EOF
check_true "the dashboard's sender view carries the outbox counts" python3 - "$GW_URL" <<'EOF'
import json, sys, urllib.request
doc = json.load(urllib.request.urlopen(sys.argv[1] + "/dashboard.json"))
o = doc["outbox"]
assert doc["view"] == "sender" and o["delivered"] == 12 and o["pending"] == 0 and o["failed_permanently"] == 0, o
assert doc["totals"]["delivered"] == 12 and doc["totals"]["retried"] == 1, doc["totals"]
EOF

finish
