#!/usr/bin/env bash
# jobwire receive: the receiver pipeline against one SQLite file (docs/CLI.md,
# docs/RECEIVING.md, PROTOCOL.md §13). Side effects are counted in the file itself with
# the sqlite3 command-line tool.
source "$(dirname "$0")/lib.sh"

KEY=whsec_receive_test
T=1781166600
DB="$TMPD/receiver.sqlite"

# envelope JOB TYPE KEY STATUS ATTEMPT [PROGRESS]
envelope() {
  local id="evt_${1}_${3//[.:]/_}" progress=""
  [[ -n ${6:-} ]] && progress=",\"progress\":$6"
  printf '{"id":"%s","type":"%s","created_at":%s,"delivery":{"key":"%s","attempt":%s,"max_attempts":4},"data":{"id":"%s","object":"video","status":"%s"%s}}' \
    "$id" "$2" "$T" "$3" "$5" "$1" "$4" "$progress"
}

# receive BODY [extra options...]: signs BODY at $T and runs the pipeline at $T + 5.
receive() {
  local body=$1
  shift
  local sig
  sig="$("$JW" sign --secret "$KEY" --timestamp "$T" --body "$body")"
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "$body" \
    --header "X-AI-Stats-Timestamp: $T" --header "X-AI-Stats-Signature: $sig" "$@"
}

effects() { sqlite3 "$DB" "SELECT count(*) FROM receive_side_effects WHERE job_id = '$1'"; }
check_count() { # WHAT GOT WANT
  checks=$((checks + 1))
  if [[ $2 != "$3" ]]; then
    echo "FAIL: $1: got '$2', want '$3'" >&2
    failures=$((failures + 1))
  fi
}

COMPLETED_A="$(envelope G-a video.completed video.completed completed 1)"
COMPLETED_A2="$(envelope G-a video.completed video.completed completed 2)"
ds='"dedup_key":"job:3:G-a:video.completed"'

# The side effect fails after the claim: 503, nothing recorded, the claim released.
expect 0 '\{"action":"reject","http_status":503,"reason":"handler_failed","job_id":"G-a",'"$ds"',"profile":"ai_stats"\}' -- \
  receive "$COMPLETED_A" --fail-side-effect
check_count "side effects after a failed handler" "$(effects G-a)" 0
check_count "claims left after a failed handler" "$(sqlite3 "$DB" "SELECT count(*) FROM jobwire_dedup")" 0

# The sender's retry (attempt 2) is processed.
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-a",'"$ds"',"profile":"ai_stats"\}' -- \
  receive "$COMPLETED_A2"
check_count "side effects after the retry" "$(effects G-a)" 1
check_count "job state after the retry" "$(sqlite3 "$DB" "SELECT lifecycle FROM receive_jobs WHERE job_id = 'G-a'")" completed

# A duplicate (the first attempt arriving late) is acknowledged and does nothing.
expect 0 '\{"action":"duplicate","http_status":200,"reason":"done","job_id":"G-a",'"$ds"',"profile":"ai_stats"\}' -- \
  receive "$COMPLETED_A"
check_count "side effects after a duplicate" "$(effects G-a)" 1

# The same delivery key for another job is another delivery (PROTOCOL.md §2).
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-b","dedup_key":"job:3:G-b:video.completed","profile":"ai_stats"\}' -- \
  receive "$(envelope G-b video.completed video.completed completed 1)"
check_count "side effects for the second job" "$(effects G-b)" 1

# Out of order: progress after completed is stale (acknowledged, no effect).
expect 0 '\{"action":"ignore_stale","http_status":200,"reason":"older_state","job_id":"G-a","dedup_key":"job:3:G-a:video.progress:50","profile":"ai_stats"\}' -- \
  receive "$(envelope G-a video.progress video.progress:50 processing 1 50)"
check_count "side effects after a stale delivery" "$(effects G-a)" 1

# Another terminal state than the one held: refetch, scheduled durably.
expect 0 '\{"action":"refetch","http_status":200,"reason":"terminal_conflict","job_id":"G-a","dedup_key":"job:3:G-a:video.failed","profile":"ai_stats"\}' -- \
  receive "$(envelope G-a video.failed video.failed failed 1)"
check_count "refetches scheduled" "$(sqlite3 "$DB" "SELECT count(*) FROM receive_refetches WHERE job_id = 'G-a'")" 1
check_count "job state kept on refetch" "$(sqlite3 "$DB" "SELECT lifecycle FROM receive_jobs WHERE job_id = 'G-a'")" completed

# Progress, more progress, a late lower progress (no change) and a duplicate.
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-c",.*\}' -- \
  receive "$(envelope G-c video.progress video.progress:20 processing 1 20)"
expect 0 '\{"action":"process","http_status":200,"reason":"more_progress","job_id":"G-c",.*\}' -- \
  receive "$(envelope G-c video.progress video.progress:50 processing 1 50)"
expect 0 '\{"action":"no_change","http_status":200,"reason":"same_state","job_id":"G-c",.*\}' -- \
  receive "$(envelope G-c video.progress video.progress:10 processing 1 10)"
expect 0 '\{"action":"duplicate","http_status":200,"reason":"done","job_id":"G-c",.*\}' -- \
  receive "$(envelope G-c video.progress video.progress:20 processing 2 20)"
check_count "progress held" "$(sqlite3 "$DB" "SELECT progress FROM receive_jobs WHERE job_id = 'G-c'")" 50.0

# Authentication failures: 401, nothing claimed or recorded.
BODY_D="$(envelope G-d video.completed video.completed completed 1)"
SIG_D="$("$JW" sign --secret "$KEY" --timestamp "$T" --body "$BODY_D")"
expect 0 '\{"action":"reject","http_status":401,"reason":"signature_mismatch","job_id":"","dedup_key":""\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "${BODY_D/completed\"\}/failed\"\}}" \
  --header "X-AI-Stats-Timestamp: $T" --header "X-AI-Stats-Signature: $SIG_D"
expect 0 '\{"action":"reject","http_status":401,"reason":"timestamp_too_old","job_id":"","dedup_key":""\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 301)) --body "$BODY_D" \
  --header "X-AI-Stats-Timestamp: $T" --header "X-AI-Stats-Signature: $SIG_D"
check_count "side effects after rejected deliveries" "$(effects G-d)" 0

# Malformed (but authentic) delivery: 400.
expect 0 '\{"action":"reject","http_status":400,"reason":"missing_field","job_id":"","dedup_key":"","profile":"ai_stats"\}' -- \
  receive '{"id":"evt_1","type":"video.completed"}'

# --json prints the decision object too, never a bare {"ok":true}: a forged delivery is a
# 401 decision, and the output says so.
expect 0 '\{"action":"reject","http_status":401,"reason":"signature_mismatch","job_id":"","dedup_key":""\}' -- \
  "$JW" receive --json --secret "$KEY" --db "$DB" --now $((T + 5)) --body "${BODY_D/completed\"\}/failed\"\}}" \
  --header "X-AI-Stats-Timestamp: $T" --header "X-AI-Stats-Signature: $SIG_D"
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-d","dedup_key":"job:3:G-d:video.completed","profile":"ai_stats"\}' -- \
  receive "$BODY_D" --json
check_count "--json prints one line" "$(receive "$BODY_D" --json | wc -l | tr -d ' ')" 1

# Two receivers, one job, different phases at once (PROTOCOL.md §16.7): progress:90 is
# slow (--handler-delay-ms), completed arrives meanwhile. Whatever the interleaving, the
# acknowledged terminal state must survive: completed waits for the job (in_flight, 503,
# retried like the sender would) instead of being overwritten by the slower delivery.
PROGRESS_E="$(envelope G-e video.progress video.progress:90 processing 1 90)"
COMPLETED_E="$(envelope G-e video.completed video.completed completed 1)"
# until_acknowledged BODY [options...]: delivers like the sender (503 → retry shortly);
# prints the last decision.
until_acknowledged() {
  local out="" attempt
  for attempt in $(seq 1 50); do
    out="$(receive "$@")"
    [[ $out == *'"action":"in_flight","http_status":503'* ]] || break
    sleep 0.1
  done
  printf '%s\n' "$out"
}
receive "$(envelope G-e video.progress video.progress:20 processing 1 20)" >/dev/null
until_acknowledged "$PROGRESS_E" --handler-delay-ms 700 >"$TMPD/slow.out" &
slow=$!
sleep 0.25
completed_out="$(until_acknowledged "$COMPLETED_E")"
wait "$slow"
check_count "completed acknowledged" "${completed_out:0:40}" '{"action":"process","http_status":200,"r'
check_count "terminal state kept" "$(sqlite3 "$DB" "SELECT lifecycle FROM receive_jobs WHERE job_id = 'G-e'")" completed
check_count "slow progress acknowledged" "$(grep -c '"http_status":200' "$TMPD/slow.out")" 1

# Usage errors.
expect 2 '.*' -- "$JW" receive --secret "$KEY" --db "$DB" --body "$BODY_D" --handler-delay-ms -1
expect 2 '.*' -- "$JW" receive --secret "$KEY" --db "$DB" --body "$BODY_D" --handler-delay-ms soon
expect 2 '.*' -- "$JW" receive --secret "$KEY" --body "$BODY_D"
expect 3 '.*' -- "$JW" receive --secret "$KEY" --db "$TMPD/missing/dir/x.sqlite" --body "$BODY_D" \
  --header "X-AI-Stats-Timestamp: $T" --header "X-AI-Stats-Signature: $SIG_D"

finish
