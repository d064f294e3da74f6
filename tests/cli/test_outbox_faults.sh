#!/usr/bin/env bash
# The outbox under faults (PROTOCOL.md §16.7; docs/CLI.md "Sending at scale"): three worker
# processes share one database (SQLite file, then PostgreSQL when the test server is
# there); one of them is killed with SIGKILL at random moments — while leasing, while a
# request is in flight, between the answer and the record — and started again. At the end
# every delivery is delivered (none lost) — also when the PostgreSQL server is restarted
# under the workers (tests/services.sh's JOBWIRE_TEST_PG_CTL) —, and the receiver saw each more than once only
# where a kill (or the database restart) fell between a send and its record: counted, and
# bounded by the requests the processes could have had in flight then (one per thread).
#
# PostgreSQL: JOBWIRE_TEST_PG_CONNINFO (tests/services.sh). Without it that half is skipped
# locally and fails under CI=true, as the store tests do.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/outbox_lib.sh"
outbox_require

KEY=whsec_fault_test
N=${JOBWIRE_OUTBOX_FAULT_ROWS:-120}
KILLS=6
THREADS=2
BATCH=2

# run_faults LABEL DBSPEC [RESTART_COMMAND]: the command (if any) restarts the database
# halfway through the kills, breaking every open connection.
run_faults() {
  local label=$1 db=$2 restart=${3:-}
  start_receiver "rx_$label" ai_stats "$KEY" '{}' 25
  local log="$TMPD/rx_$label.log" url="http://127.0.0.1:$RECEIVER_PORT/hook"
  local i
  for i in $(seq 1 "$N"); do
    "$JW" outbox --db "$db" enqueue --url "$url" --secret "$KEY" --kind video --job-id "F-$i" --internal-id "f$i" \
      --phase completed --data '{"status":"completed"}' --dev >/dev/null ||
      { echo "FAIL: $label: enqueue F-$i" >&2; failures=$((failures + 1)); return; }
  done
  local workers=() w
  start_worker() {
    "$JW" outbox --db "$db" work --workers $THREADS --batch $BATCH --lease-seconds 1 --time-scale 1000 \
      --max-seconds 120 >>"$TMPD/$label.workers.out" 2>>"$TMPD/$label.workers.err" &
    workers[$1]=$!
  }
  for w in 0 1 2; do start_worker $w; done
  local kills=0 restarted=0
  while ((kills < KILLS)); do
    sleep "0.$((RANDOM % 5 + 1))"
    w=$((RANDOM % 3))
    kill -KILL "${workers[$w]}" 2>/dev/null && kills=$((kills + 1))
    wait "${workers[$w]}" 2>/dev/null
    start_worker $w
    if [[ -n $restart ]] && ((kills == KILLS / 2)); then
      $restart down && sleep 0.5 && $restart up || { echo "FAIL: $label: restart" >&2; failures=$((failures + 1)); }
      restarted=1
    fi
  done
  # The survivors finish what is left, taking over the killed processes' expired leases.
  # A worker started a moment ago may still be the shell between its fork and its exec;
  # with an EXIT trap set (outbox_lib.sh) that shell catches SIGTERM and execs anyway, so
  # the signal would be lost and the worker would run to --max-seconds. Each is signalled
  # once it is jobwire (or gone).
  for w in 0 1 2; do
    for _ in $(seq 1 100); do
      [[ $(cat "/proc/${workers[$w]}/comm" 2>/dev/null) != bash ]] && break
      sleep 0.02
    done
  done
  for w in 0 1 2; do kill -TERM "${workers[$w]}" 2>/dev/null; done
  for w in 0 1 2; do wait "${workers[$w]}" 2>/dev/null; done
  "$JW" outbox --db "$db" work --workers $THREADS --until-idle --time-scale 1000 --max-seconds 120 \
    >"$TMPD/$label.final.out" 2>>"$TMPD/$label.workers.err"
  check_eq "$label: final run exit status" "$?" 0
  expect 0 "\\{\"pending\":0,\"scheduled_retry\":0,\"delivered\":$N,\"failed_permanently\":0,\"endpoints_disabled\":0\\}" -- \
    "$JW" outbox --db "$db" status
  # A kill can duplicate the request each of the process's threads had in flight. A
  # database restart can too: a verdict that cannot be recorded while the server is down
  # is lost once the row's lease runs out, so every thread of the three processes may have
  # one more.
  local bound=$((KILLS * THREADS + restarted * 3 * THREADS)) verdict
  verdict=$(python3 - "$log" "$N" "$bound" <<'EOF'
import collections, json, sys
log, n, bound = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = collections.Counter()
for line in open(log):
    e = json.loads(line)
    if not e["verified"]:
        print("unverified request", e); sys.exit(1)
    seen[(e["job_id"], e["key"])] += 1
missing = [f"F-{i}" for i in range(1, n + 1) if seen[(f"F-{i}", "video.completed")] == 0]
dups = sum(c - 1 for c in seen.values())
if missing:
    print("lost:", missing); sys.exit(1)
if len(seen) != n:
    print("unexpected deliveries", len(seen)); sys.exit(1)
if dups > bound:
    print(f"{dups} duplicates, more than the bound {bound}"); sys.exit(1)
print(f"ok {n} delivered, {dups} duplicates (bound {bound})")
EOF
  )
  checks=$((checks + 1))
  if [[ $verdict != ok* ]]; then
    echo "FAIL: $label: $verdict" >&2
    failures=$((failures + 1))
  else
    echo "$label: $verdict, $kills kills$( ((restarted)) && echo ", the database restarted once")"
  fi
}

run_faults sqlite "sqlite:$TMPD/faults.sqlite"

if [[ -n ${JOBWIRE_TEST_PG_CONNINFO:-} ]]; then
  # The test server's keyword conninfo as the URI the command takes, in a schema of its own.
  pg_uri=$(python3 - "$JOBWIRE_TEST_PG_CONNINFO" <<'EOF'
import sys
kv = dict(p.split("=", 1) for p in sys.argv[1].split())
print(f"postgresql://{kv.get('user','postgres')}@{kv.get('host','127.0.0.1')}:{kv.get('port','5432')}/{kv.get('dbname','postgres')}")
EOF
  )
  psql "$JOBWIRE_TEST_PG_CONNINFO" -qc "DROP TABLE IF EXISTS jobwire_outbox, jobwire_outbox_endpoints" >/dev/null 2>&1
  # tests/services.sh gives a command that stops and starts the server (same port, data).
  run_faults postgres "$pg_uri" "${JOBWIRE_TEST_PG_CTL:-}"
  if [[ -n ${JOBWIRE_TEST_PG_CTL:-} ]]; then
    # A worker started while the server is down (a fleet started before its database)
    # waits for it, logging each failed connection, and then sends what is due.
    start_receiver rx_wait ai_stats "$KEY" '{}'
    for i in 1 2 3; do
      "$JW" outbox --db "$pg_uri" enqueue --url "http://127.0.0.1:$RECEIVER_PORT/hook" --secret "$KEY" --kind video \
        --job-id "W-$i" --internal-id "w$i" --phase completed --data '{"status":"completed"}' --dev >/dev/null ||
        { echo "FAIL: enqueue W-$i" >&2; failures=$((failures + 1)); }
    done
    "$JOBWIRE_TEST_PG_CTL" down
    "$JW" outbox --db "$pg_uri" work --until-idle --time-scale 1000 --max-seconds 60 >"$TMPD/wait.out" 2>"$TMPD/wait.err" &
    waiting=$!
    sleep 2
    check_true "the worker is still waiting for the server" kill -0 "$waiting"
    "$JOBWIRE_TEST_PG_CTL" up
    wait "$waiting"
    check_eq "the waiting worker's exit status" "$?" 0
    check_true "it logged the closed store ($(head -c 300 "$TMPD/wait.err"))" grep -q 'cannot open the store: ' "$TMPD/wait.err"
    check_true "it delivered the three rows once the server was up ($(cat "$TMPD/wait.out"))" \
      grep -q '"idle":true,"attempts":3,"delivered":3' "$TMPD/wait.out"
    check_eq "requests the receiver got" "$(grep -c '"verified": true' "$TMPD/rx_wait.log")" 3
  fi
elif [[ ${CI:-} == true ]]; then
  echo "FAIL: CI=true but JOBWIRE_TEST_PG_CONNINFO is unset (source tests/services.sh && services_start)" >&2
  failures=$((failures + 1))
else
  echo "PostgreSQL half skipped: JOBWIRE_TEST_PG_CONNINFO is unset"
fi

finish
