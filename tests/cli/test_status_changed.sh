#!/usr/bin/env bash
# The current service's `status_changed` deliveries (PROTOCOL.md §16.1) and profile
# detection (§15), end to end through the CLI: deliveries written here as the service
# sends them (x-phaseo-* headers, `status_change` after `data`), signed with an HMAC
# computed by Python's hmac module (independent of jobwire), are verified with no
# --profile and processed by `jobwire receive`; a copy is a duplicate.
source "$(dirname "$0")/lib.sh"

KEY=whsec_phaseo_test
T=1781166600
DB="$TMPD/receiver.sqlite"

hmac_hex() { # TIMESTAMP BODY_FILE
  python3 -c 'import hashlib, hmac, sys
body = open(sys.argv[3], "rb").read()
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode() + b"." + body, hashlib.sha256).hexdigest())' "$KEY" "$1" "$2"
}

# phaseo_delivery NAME JOB PREV CUR STATUS_CHANGE_JSON ATTEMPT [DATA_STATUS DATA_LIFECYCLE]
# Writes $TMPD/NAME.body and the array of --header arguments into $TMPD/NAME.headers.
phaseo_delivery() {
  local name=$1 job=$2 prev=$3 cur=$4 sc=$5 attempt=$6 dstatus=${7:-processing} dlife=${8:-running}
  local key="video.status_changed:$prev:$cur"
  local id="evt_video_${job//-/_}_video_status_changed_${prev}_${cur}"
  printf '{"id":"%s","type":"video.status_changed","created_at":%s,"delivery":{"key":"%s","attempt":%s,"max_attempts":4},"data":{"id":"%s","object":"video","kind":"video","status":"%s","lifecycle_status":"%s","progress":0,"webhook":{"endpoint_id":"6b2f0c1e-8a8e-4c1e-9a55-0d2f8e1b7c3a","url":null,"events":[],"has_secret":true}},"status_change":%s}' \
    "$id" "$T" "$key" "$attempt" "$job" "$dstatus" "$dlife" "$sc" > "$TMPD/$name.body"
  local sig
  sig=$(hmac_hex "$T" "$TMPD/$name.body")
  printf '%s\n' "Content-Type: application/json" "User-Agent: Phaseo-Async-Webhook/1.0" \
    "x-phaseo-event-id: $id" "x-phaseo-event-type: video.status_changed" "x-phaseo-delivery-key: $key" \
    "x-phaseo-attempt: $attempt" "x-phaseo-max-attempts: 4" "x-phaseo-timestamp: $T" \
    "x-phaseo-signature: $sig" > "$TMPD/$name.headers"
}
hdrs() { # NAME → --header arguments in HDRS
  HDRS=()
  local line
  while IFS= read -r line; do HDRS+=(--header "$line"); done < "$TMPD/$1.headers"
}
verify() { hdrs "$1"; local n=$1; shift; "$JW" verify --secret "$KEY" --body "@$TMPD/$n.body" --now $((T + 5)) "${HDRS[@]}" "$@"; }
receive() { hdrs "$1"; local n=$1; shift; "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "@$TMPD/$n.body" "${HDRS[@]}" "$@"; }
held() { sqlite3 "$DB" "SELECT lifecycle FROM receive_jobs WHERE job_id = '$1'"; }
check_eq() { # WHAT GOT WANT
  checks=$((checks + 1))
  if [[ $2 != "$3" ]]; then echo "FAIL: $1: got '$2', want '$3'" >&2; failures=$((failures + 1)); fi
}

# --- a transition as the outbox sends it: queued → in_progress ---------------------------
phaseo_delivery start G-1 queued in_progress '{"previous_status":"queued","status":"in_progress"}' 1
expect 0 'valid' -- verify start
expect 0 '\{"ok":true,"valid":true,"profile":"phaseo",.*"delivery_key":"video.status_changed:queued:in_progress",.*"job_id":"G-1"\}' -- \
  verify start --json
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-1","dedup_key":"job:3:G-1:video.status_changed:queued:in_progress","profile":"phaseo"\}' -- \
  receive start
check_eq "state after the status change" "$(held G-1)" running
# A copy (the sender's retry after a lost 2xx) is a duplicate: acknowledged, nothing applied.
expect 0 '\{"action":"duplicate","http_status":200,"reason":"done","job_id":"G-1",.*\}' -- receive start
check_eq "side effects after the copy" "$(sqlite3 "$DB" "SELECT count(*) FROM receive_side_effects WHERE job_id = 'G-1'")" 1

# --- the queue-retry form: previous_status null, a lifecycle word as status ---------------
phaseo_delivery retry G-2 queued in_progress '{"previous_status":null,"status":"running"}' 2
expect 0 'valid' -- verify retry
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-2",.*"profile":"phaseo"\}' -- receive retry
check_eq "state after the queue-retry form" "$(held G-2)" running
expect 0 '\{"action":"duplicate",.*\}' -- receive retry

# --- an empty previous status is `unknown` in the key, null in the object ----------------
phaseo_delivery first G-3 unknown queued '{"previous_status":null,"status":"queued"}' 1 queued pending
expect 0 '\{"action":"no_change","http_status":200,"reason":"same_state","job_id":"G-3",.*\}' -- receive first

# --- a status change to a terminal state is a hint, never terminal ------------------------
# The job data may already be terminal when it is sent (§16.1); the job stays as held and
# the status object is fetched; the terminal event itself makes the job completed.
phaseo_delivery done G-1 in_progress completed '{"previous_status":"in_progress","status":"completed"}' 1 completed completed
expect 0 '\{"action":"refetch","http_status":200,"reason":"terminal_hint","job_id":"G-1",.*\}' -- receive done
check_eq "state after a terminal hint" "$(held G-1)" running
check_eq "refetch scheduled" "$(sqlite3 "$DB" "SELECT reason FROM receive_refetches WHERE job_id = 'G-1'")" terminal_hint
cbody='{"id":"evt_video_G_1_video_completed","type":"video.completed","created_at":1781166600,"delivery":{"key":"video.completed","attempt":1,"max_attempts":4},"data":{"id":"G-1","object":"video","status":"completed","lifecycle_status":"completed","progress":100}}'
printf '%s' "$cbody" > "$TMPD/completed.body"
csig=$(hmac_hex "$T" "$TMPD/completed.body")
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-1",.*"profile":"phaseo"\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "@$TMPD/completed.body" \
  --header "x-phaseo-timestamp: $T" --header "x-phaseo-signature: $csig" --header "x-phaseo-event-type: video.completed"
check_eq "state after the terminal event" "$(held G-1)" completed
# The same hint arriving again after the terminal event: the job stays completed.
phaseo_delivery late G-1 in_progress completed '{"previous_status":"in_progress","status":"completed"}' 2 completed completed
expect 0 '\{"action":"no_change","http_status":200,"reason":"same_state","job_id":"G-1",.*\}' -- receive late
phaseo_delivery stale G-1 queued in_progress '{"previous_status":"queued","status":"in_progress"}' 3
expect 0 '\{"action":"duplicate",.*\}' -- receive stale
phaseo_delivery stale2 G-1 pending in_progress '{"previous_status":"pending","status":"in_progress"}' 1
expect 0 '\{"action":"ignore_stale","http_status":200,"reason":"older_state","job_id":"G-1",.*\}' -- receive stale2
check_eq "terminal never undone" "$(held G-1)" completed

# --- disagreement: status_change names another state than the key ------------------------
phaseo_delivery wrong G-4 queued in_progress '{"previous_status":"queued","status":"failed"}' 1
expect 1 'status_change_mismatch(: .*)?' -- verify wrong   # one verdict: verify reads the envelope as the receiver does
expect 0 'valid' -- verify wrong --authenticate-only   # authentic; the contradiction is the body's
expect 0 '\{"action":"reject","http_status":400,"reason":"status_change_mismatch","job_id":"",.*\}' -- receive wrong
phaseo_delivery wrongprev G-4 queued in_progress '{"previous_status":"completed","status":"in_progress"}' 1
expect 0 '\{"action":"reject","http_status":400,"reason":"status_change_mismatch",.*\}' -- receive wrongprev
# ... but a raw synonym of the same state agrees (processing is running, like in_progress).
phaseo_delivery legacy G-4 queued in_progress '{"previous_status":"pending","status":"processing"}' 1
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-4",.*\}' -- receive legacy
phaseo_delivery nosc G-5 queued in_progress 'null' 1
expect 0 '\{"action":"reject","http_status":400,"reason":"invalid_field",.*\}' -- receive nosc
phaseo_delivery nosc2 G-5 queued in_progress '{"previous_status":"queued"}' 1
expect 0 '\{"action":"reject","http_status":400,"reason":"missing_field",.*\}' -- receive nosc2

# --- ai_stats unchanged: status_changed is no event there --------------------------------
hdrs start
ai=()
for h in "${HDRS[@]}"; do ai+=("${h//x-phaseo-/x-ai-stats-}"); done
expect 1 'malformed_header(: .*)?' -- "$JW" verify --secret "$KEY" --body "@$TMPD/start.body" --now $((T + 5)) "${ai[@]}"
expect 0 '\{"action":"reject","http_status":400,"reason":"malformed_header",.*\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "@$TMPD/start.body" "${ai[@]}"
expect 1 'unknown_event_type(: .*)?' -- "$JW" parse --as webhook --profile ai-stats "@$TMPD/start.body"

# --- profile detection (§15) ---------------------------------------------------------------
# Explicit profiles still work; the wrong one names the header it looked for and the
# profile whose headers are present.
expect 0 'valid' -- verify start --profile phaseo
expect 0 'valid' -- verify start --profile auto
expect 1 'missing_timestamp: .* expected header x-ai-stats-timestamp \(profile ai_stats\); the request carries x-phaseo-\* headers \(profile phaseo\).*' -- \
  verify start --profile ai-stats
# No family at all: auto falls back to ai_stats and says so.
expect 1 'missing_timestamp: .* expected header x-ai-stats-timestamp \(profile ai_stats, detected\); the request carries no x-phaseo-\* or x-ai-stats-\* delivery header' -- \
  "$JW" verify --secret "$KEY" --body "@$TMPD/start.body" --now $((T + 5))
# Detection never weakens: phaseo headers without a signature are refused by a keyed receiver.
expect 1 'missing_signature: .* expected header x-phaseo-signature \(profile phaseo, detected\)' -- \
  "$JW" verify --secret "$KEY" --body "@$TMPD/start.body" --now $((T + 5)) --header "x-phaseo-timestamp: $T"
# Both header families in one request: ambiguous, whichever family is correctly signed.
both=("${HDRS[@]}" --header "x-ai-stats-attempt: 1")
expect 1 'ambiguous_header: .* the request carries the headers of two profiles: x-phaseo-\* \(phaseo\) and x-ai-stats-\* \(ai_stats\).*' -- \
  "$JW" verify --secret "$KEY" --body "@$TMPD/start.body" --now $((T + 5)) "${both[@]}"
expect 0 '\{"action":"reject","http_status":400,"reason":"ambiguous_header",.*\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now $((T + 5)) --body "@$TMPD/start.body" "${both[@]}"
# A named profile reads its own family only.
expect 0 'valid' -- "$JW" verify --secret "$KEY" --body "@$TMPD/start.body" --now $((T + 5)) "${both[@]}" --profile phaseo
expect 2 '' -- verify start --profile acme

# --- the sender side builds the same deliveries (§16.1, §16.6) -----------------------------
sd() { "$JW" delivery --profile phaseo --secret "$KEY" --kind video --job-id G-9 --internal-id G9 --now "$T" "$@"; }
sd --phase status_changed --previous-status Queued --status IN_PROGRESS --data '{"status":"processing","progress":37}' > "$TMPD/s.req"
expect 0 'x-phaseo-delivery-key: video.status_changed:queued:in_progress' -- grep '^x-phaseo-delivery-key' "$TMPD/s.req"
expect 0 'x-phaseo-event-id: evt_video_G9_video_status_changed_queued_in_progress' -- grep '^x-phaseo-event-id' "$TMPD/s.req"
expect 0 '.*"data":\{"id":"G-9","status":"processing","progress":0\},"status_change":\{"previous_status":"Queued","status":"IN_PROGRESS"\}\}' -- \
  sed '1,/^$/d' "$TMPD/s.req"
sd --phase status_changed --status canceled --data '{"status":"cancelled"}' > "$TMPD/s.req"
expect 0 'x-phaseo-delivery-key: video.status_changed:unknown:canceled' -- grep '^x-phaseo-delivery-key' "$TMPD/s.req"
expect 0 '.*"data":\{"id":"G-9","progress":0,"status":"cancelled"\},"status_change":\{"previous_status":null,"status":"canceled"\}\}' -- \
  sed '1,/^$/d' "$TMPD/s.req"
sd --phase status_changed --previous-status in_progress --status completed --data '{"status":"completed"}' > "$TMPD/s.req"
expect 0 '.*"data":\{"id":"G-9","progress":100,"status":"completed"\},.*' -- sed '1,/^$/d' "$TMPD/s.req"
sd --phase progress --progress 47 --data '{"status":"processing","progress":47}' > "$TMPD/s.req"
expect 0 '.*"delivery":\{"key":"video.progress:50",.*"data":\{"id":"G-9","status":"processing","progress":50\}\}' -- sed '1,/^$/d' "$TMPD/s.req"
# The ai-stats profile keeps the caller's data as given.
"$JW" delivery --secret "$KEY" --kind video --job-id G-9 --internal-id G9 --now "$T" --phase progress --progress 47 \
  --data '{"status":"processing","progress":47}' > "$TMPD/s.req"
expect 0 '.*"data":\{"id":"G-9","status":"processing","progress":47\}\}' -- sed '1,/^$/d' "$TMPD/s.req"
expect 1 'invalid_delivery_key: .*' -- sd --phase status_changed --status 'in progress' --data '{}'
expect 1 'unknown_phase(: .*)?' -- "$JW" delivery --secret "$KEY" --kind video --job-id G-9 --internal-id G9 --phase status_changed --status queued --data '{}'
expect 2 '' -- sd --phase status_changed --data '{}'
expect 2 '' -- sd --phase completed --status completed --data '{}'
expect 1 'secret_required(: .*)?' -- "$JW" delivery --profile phaseo --secret '' --kind video --job-id G-9 --internal-id G9 --phase status_changed --status queued --data '{}'
# What the sender builds, the receiver processes, detected with no --profile.
rm -f "$DB"
sd --phase status_changed --previous-status queued --status in_progress --data '{"status":"processing"}' > "$TMPD/s.req"
SH=()
while IFS= read -r line; do [[ -z $line ]] && break; SH+=(--header "$line"); done < "$TMPD/s.req"
sed '1,/^$/d' "$TMPD/s.req" > "$TMPD/s.body"
expect 0 '\{"action":"process","http_status":200,"reason":"forward","job_id":"G-9",.*"profile":"phaseo"\}' -- \
  "$JW" receive --secret "$KEY" --db "$DB" --now "$T" --body "@$TMPD/s.body" "${SH[@]}"
expect 0 '\{"action":"duplicate",.*\}' -- "$JW" receive --secret "$KEY" --db "$DB" --now "$T" --body "@$TMPD/s.body" "${SH[@]}"

finish
