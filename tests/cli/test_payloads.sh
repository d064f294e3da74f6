#!/usr/bin/env bash
# jobwire parse --as create|status|webhook|ws, poll-plan, content-request (docs/CLI.md)
# over the payload fixtures (tests/data/payloads/).
source "$(dirname "$0")/lib.sh"
D="$JOBWIRE_SOURCE_DIR/tests/data/payloads"
JOB='G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e'

# --- parse: valid fixtures print a normalised summary ---------------------------------
expect 0 "\\{\"kind\":\"create\",\"id\":\"$JOB\",\"id_key\":\"id\",\"status\":\"pending\",\"lifecycle_status\":\"pending\".*" -- "$JW" parse --as create "@$D/create_id.json"
expect 0 "\\{\"kind\":\"create\",\"id\":\"$JOB\",\"id_key\":\"video_id\",\"status\":\"in_progress\",\"lifecycle_status\":\"running\".*" -- "$JW" parse --as create "@$D/create_video_id.json"
expect 0 '\{"kind":"create",.*' -- "$JW" parse --as create "@$D/create_both.json"
for s in queued:pending:false processing:running:false completed:completed:true failed:failed:true cancelled:cancelled:true expired:expired:true; do
  IFS=: read -r st lc term <<<"$s"
  expect 0 "\\{\"kind\":\"status\",\"id\":\"$JOB\",\"status\":\"$st\",\"lifecycle_status\":\"$lc\",\"terminal\":$term,.*" -- "$JW" parse --as status "@$D/status_$st.json"
done
expect 0 '.*"progress":47,.*' -- "$JW" parse --as status "@$D/status_processing.json"
expect 0 '.*"outputs":2,"error":null\}' -- "$JW" parse --as status "@$D/status_completed.json"
expect 0 '.*"error":"cancelled by user"\}' -- "$JW" parse --as status "@$D/status_cancelled.json"
expect 0 '\{"kind":"webhook","event_id":"evt_video_vj_01J0Q7ZK3M9R_video_completed","type":"video.completed","created_at":1781169243,"delivery_key":"video.completed","attempt":1,"max_attempts":4,"job_id":"'"$JOB"'","status":"completed","lifecycle_status":"completed","terminal":true,"progress":100,.*"has_secret":true.*' -- "$JW" parse --as webhook "@$D/envelope_completed.json"
expect 0 '.*"type":"video.failed",.*"attempt":2,.*"status":"failed".*"error":"The prompt was rejected.*' -- "$JW" parse --as webhook "@$D/envelope_failed.json"
expect 0 '.*"delivery_key":"video.progress:50",.*"lifecycle_status":"running","terminal":false,"progress":47,.*' -- "$JW" parse --as webhook "@$D/envelope_progress.json"
expect 0 '\{"kind":"ws","type":"job.snapshot",.*"lifecycle_status":"running".*' -- "$JW" parse --as ws "@$D/ws_snapshot.json"
expect 0 '\{"kind":"ws","type":"job.updated",.*' -- "$JW" parse --as ws "@$D/ws_updated.json"
expect 0 '\{"kind":"ws","type":"job.deleted","job_id":"'"$JOB"'","status":null,.*' -- "$JW" parse --as ws "@$D/ws_deleted.json"
expect 0 '\{"kind":"ws","type":"pong"\}' -- "$JW" parse --as ws "@$D/ws_pong.json"
expect 0 '\{"ok":true,"kind":"ws","type":"pong"\}' -- "$JW" parse --as ws --json "@$D/ws_pong.json"
expect 0 '\{"kind":"webhook",.*' -- bash -c "'$JW' parse --as webhook @- < '$D/envelope_completed.json'"

# --- parse: every malformed fixture is refused with its expected code ----------------
while IFS=$'\t' read -r parser file code; do
  [[ -z "$parser" || "$parser" == \#* ]] && continue
  expect 1 "$code: .*" -- "$JW" parse --as "$parser" "@$D/malformed/$file"
  expect 1 "\\{\"ok\":false,\"error\":\"$code\",.*" -- "$JW" parse --as "$parser" --json "@$D/malformed/$file"
done < "$D/malformed/cases.tsv"

# --- leniency and profiles ------------------------------------------------------------
expect 1 'unknown_status: .* \(at byte 21\)' -- "$JW" parse --as status '{"id":"G-1","status":"rendering"}'
expect 0 '\{"kind":"status","id":"G-1","status":"queued","lifecycle_status":"pending",.*' -- "$JW" parse --as status --lenient '{"id":"G-1","status":"rendering"}'
expect 0 '.*"status":"cancelled".*' -- "$JW" parse --as status '{"id":"G-1","status":" Canceled "}'
# status_changed (PROTOCOL.md §16.1) exists under phaseo only; --as webhook defaults to auto,
# which without headers reads the widest phase set. status_change is required for it.
sc='{"id":"evt_1","type":"video.status_changed","data":{"id":"G-1","status":"processing"},"status_change":{"previous_status":"queued","status":"in_progress"}}'
expect 1 'unknown_event_type: .*' -- "$JW" parse --as webhook --profile ai-stats "$sc"
expect 0 '\{"kind":"webhook",.*"status_change":\{"previous_status":"queued","status":"in_progress","lifecycle_status":"running","queue_retry_form":false\}\}' -- "$JW" parse --as webhook --profile phaseo "$sc"
expect 0 '\{"kind":"webhook",.*"lifecycle_status":"running".*' -- "$JW" parse --as webhook "$sc"
expect 0 '\{"kind":"webhook",.*' -- "$JW" parse --as webhook --profile auto "$sc"
expect 1 'missing_field: .*' -- "$JW" parse --as webhook '{"id":"evt_1","type":"video.status_changed","data":{"id":"G-1","status":"processing"}}'
# the queue-retry form: previous_status null, a lifecycle word as status
expect 0 '.*"status_change":\{"previous_status":null,"status":"running","lifecycle_status":"running","queue_retry_form":true\}\}' -- \
  "$JW" parse --as webhook '{"id":"evt_1","type":"video.status_changed","delivery":{"key":"video.status_changed:queued:in_progress","attempt":2,"max_attempts":4},"data":{"id":"G-1","status":"processing"},"status_change":{"previous_status":null,"status":"running"}}'
# the object names another state than the key: refused
expect 1 'status_change_mismatch: .*' -- \
  "$JW" parse --as webhook '{"id":"evt_1","type":"video.status_changed","delivery":{"key":"video.status_changed:queued:in_progress","attempt":1,"max_attempts":4},"data":{"id":"G-1","status":"processing"},"status_change":{"previous_status":"queued","status":"completed"}}'
expect 2 '' -- "$JW" parse --as webhook --profile nonsense "$sc"

# --- poll-plan --------------------------------------------------------------------------
expect 0 '20' -- "$JW" poll-plan --status "@$D/status_processing.json"
expect 0 '20' -- "$JW" poll-plan --status "@$D/status_queued.json"
for st in completed failed cancelled expired; do
  expect 0 'stop' -- "$JW" poll-plan --status "@$D/status_$st.json"
done
expect 0 '\{"ok":true,"stop":true\}' -- "$JW" poll-plan --json --status "@$D/status_completed.json"
expect 0 '\{"ok":true,"stop":false,"delay_seconds":20\}' -- "$JW" poll-plan --json --status "@$D/status_processing.json"
expect 0 '5' -- "$JW" poll-plan --status '{"id":"G-1","status":"queued","poll_after_seconds":5}'
expect 0 '1' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 503 --random 0
expect 0 '4' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 503 --attempt 3 --random 0
expect 0 '8' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 503 --attempt 3 --random 1
expect 0 '150' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 502 --attempt 30 --random 0
expect 0 '(1(\.[0-9]+)?|[2-9](\.[0-9]+)?)' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 500
expect 0 '7' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 429 --retry-after 7
expect 1 'poll_not_retryable: .*' -- "$JW" poll-plan --status "@$D/status_processing.json" --http-status 404
expect 0 '10' -- "$JW" poll-plan --status "@$D/status_processing.json" --now 1000 --deadline 1010
expect 1 'deadline_exceeded: .*' -- "$JW" poll-plan --status "@$D/status_processing.json" --now 1010 --deadline 1010
expect 1 'unknown_status: .*' -- "$JW" poll-plan --status '{"id":"G-1","status":"rendering"}'
expect 0 '20' -- "$JW" poll-plan --lenient --status '{"id":"G-1","status":"rendering"}'
expect 1 'missing_field: .*' -- "$JW" poll-plan --status '{"status":"queued"}'
expect 2 '' -- "$JW" poll-plan
expect 2 '' -- "$JW" poll-plan --status "@$D/status_processing.json" --random 2
expect 3 '' -- "$JW" poll-plan --status "@$TMPD/missing.json"

# --- content-request ------------------------------------------------------------------
expect 0 "GET /v1/videos/$JOB/content" -- "$JW" content-request --status "@$D/status_completed.json"
expect 0 "GET https://api.example.com/v1/videos/$JOB/content" -- "$JW" content-request --status "@$D/status_completed.json" --base https://api.example.com/
expect 0 "GET /v1/videos/$JOB/content" -- "$JW" content-request --status "@$D/status_completed.json" --index 0
expect 0 "GET /v1/videos/$JOB/content\\?index=1" -- "$JW" content-request --status "@$D/status_completed.json" --index 1
expect 1 'invalid_index: .*' -- "$JW" content-request --status "@$D/status_completed.json" --index 2
expect 1 'invalid_index: .*' -- "$JW" content-request --status "@$D/status_completed.json" --index -1
expect 0 'GET /v1/videos/G%2F1%20x/content' -- "$JW" content-request --status '{"id":"G/1 x","status":"succeeded"}'
for st in queued processing failed cancelled expired; do
  expect 1 'job_not_completed: .*' -- "$JW" content-request --status "@$D/status_$st.json"
done
expect 0 "\\{\"ok\":true,\"method\":\"GET\",\"url\":\"/v1/videos/$JOB/content\"\\}" -- "$JW" content-request --json --status "@$D/status_completed.json"
expect 0 "POST /v1/videos/$JOB/download_url" -- "$JW" content-request --download-link --status "@$D/status_completed.json"
out="$("$JW" content-request --download-link --ttl 60 --disposition inline --index 1 --status "@$D/status_completed.json")"
checks=$((checks + 1))
[[ "$(sed -n 2p <<<"$out")" == '{"ttl_seconds":60,"disposition":"inline","index":1}' ]] || { echo "FAIL: download link body: $out" >&2; failures=$((failures + 1)); }
expect 1 'invalid_ttl: .*' -- "$JW" content-request --download-link --ttl 3601 --status "@$D/status_completed.json"
expect 1 'invalid_disposition: .*' -- "$JW" content-request --download-link --disposition Inline --status "@$D/status_completed.json"
expect 1 'job_not_completed: .*' -- "$JW" content-request --download-link --status "@$D/status_processing.json"
expect 2 '' -- "$JW" content-request
expect 0 'usage: jobwire content-request .*' -- "$JW" content-request --help
finish
