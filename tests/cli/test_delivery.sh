#!/usr/bin/env bash
# jobwire delivery: contract (docs/CLI.md) and the sender/receiver round trip
# (PROTOCOL.md §9–§12): every delivery it prints verifies with `jobwire verify`, a
# tampered one does not.
source "$(dirname "$0")/lib.sh"

KEY=whsec_test_123
T=1781166600
DATA='{"id":"G-7f3a","object":"video","kind":"video","status":"completed","lifecycle_status":"completed"}'

d() { "$JW" delivery --secret "$KEY" --kind video --job-id G-7f3a --internal-id job_7f3a --now "$T" --data "${D_DATA:-$DATA}" "$@"; }

# split FILE: the printed request → $TMPD/body (bytes after the first empty line) and the
# array HDRS of --header arguments (the lines before it).
split() {
  HDRS=()
  local line
  while IFS= read -r line; do
    [[ -z $line ]] && break
    HDRS+=(--header "$line")
  done < "$1"
  sed '1,/^$/d' "$1" > "$TMPD/body"
}

# round_trip NAME VERIFY_ARGS... -- DELIVERY_ARGS...: builds, then verifies with `jobwire verify`.
round_trip() {
  local name=$1
  shift
  local vargs=()
  while [[ $1 != -- ]]; do vargs+=("$1"); shift; done
  shift
  d "$@" > "$TMPD/req" || { echo "FAIL: $name: delivery exited $?" >&2; failures=$((failures + 1)); return; }
  split "$TMPD/req"
  expect 0 'valid' -- "$JW" verify --body "@$TMPD/body" --now "$T" "${HDRS[@]}" "${vargs[@]}"
  # The identity printed is the envelope's (the metadata headers agreed with it).
  expect 0 '\{"ok":true,.*"event_id":"evt_[^"]*","event_type":"[^"]*",.*"job_id":"G-7f3a"\}' -- "$JW" verify --json --body "@$TMPD/body" --now "$T" "${HDRS[@]}" "${vargs[@]}"
}

for phase in created completed failed cancelled expired; do
  round_trip "$phase" --secret "$KEY" -- --phase "$phase"
done
for p in 0.4 3 4.5 5 44.4 47 94.9 95 99.6; do
  round_trip "progress $p" --secret "$KEY" -- --phase progress --progress "$p"
done
for a in 1 2 3 4; do
  round_trip "attempt $a" --secret "$KEY" -- --phase completed --attempt "$a"
done
round_trip "phaseo" --secret "$KEY" --profile phaseo -- --phase status_changed --profile phaseo --previous-status queued --status in_progress
# auto (the default of verify) detects phaseo from the x-phaseo-* headers
round_trip "phaseo, auto" --secret "$KEY" -- --phase status_changed --profile phaseo --status queued
round_trip "phaseo progress, auto" --secret "$KEY" -- --phase progress --progress 47 --profile phaseo
round_trip "rotation" --secret whsec_old --secret "$KEY" -- --phase failed
D_DATA='{"status":"completed"}' round_trip "data without id" --secret "$KEY" -- --phase completed

# The exact printed form: headers in order, empty line, body with nothing after it.
d --phase progress --progress 44.4 > "$TMPD/req"
split "$TMPD/req"
checks=$((checks + 1))
want_body='{"id":"evt_video_job_7f3a_video_progress_40","type":"video.progress","created_at":1781166600,"delivery":{"key":"video.progress:40","attempt":1,"max_attempts":4},"data":'"$DATA"'}'
if [[ $(head -n 9 "$TMPD/req" | cut -d: -f1 | tr '\n' ' ') != "content-type user-agent x-ai-stats-event-id x-ai-stats-event-type x-ai-stats-delivery-key x-ai-stats-attempt x-ai-stats-max-attempts x-ai-stats-timestamp x-ai-stats-signature " ]] ||
   [[ $(cat "$TMPD/body"; echo x) != "${want_body}x" ]]; then
  echo "FAIL: printed form" >&2; cat "$TMPD/req" >&2; failures=$((failures + 1))
fi
# The signature header equals `jobwire sign` over timestamp.body.
sig=$(grep '^x-ai-stats-signature: ' "$TMPD/req" | cut -d' ' -f2)
expect 0 "$sig" -- "$JW" sign --secret "$KEY" --timestamp "$T" --body "@$TMPD/body"

# Tampered: one byte of the body, the attempt header, the timestamp, or the wrong secret.
sed 's/"lifecycle_status":"completed"/"lifecycle_status":"failed"/' "$TMPD/body" > "$TMPD/tampered"
expect 1 'signature_mismatch(: .*)?' -- "$JW" verify --secret "$KEY" --body "@$TMPD/tampered" --now "$T" "${HDRS[@]}"
swap=()
for h in "${HDRS[@]}"; do
  case $h in
    x-ai-stats-attempt:*) swap+=("x-ai-stats-attempt: 2") ;;
    *) swap+=("$h") ;;
  esac
done
expect 1 'header_body_mismatch(: .*)?' -- "$JW" verify --secret "$KEY" --body "@$TMPD/body" --now "$T" "${swap[@]}"
expect 1 'signature_mismatch(: .*)?' -- "$JW" verify --secret whsec_other --body "@$TMPD/body" --now "$T" "${HDRS[@]}"
expect 1 'timestamp_too_old(: .*)?' -- "$JW" verify --secret "$KEY" --body "@$TMPD/body" --now $((T + 301)) "${HDRS[@]}"

# Retries: same event id and key, fresh timestamp and signature.
d --phase failed --attempt 1 > "$TMPD/a1"
"$JW" delivery --secret "$KEY" --kind video --job-id G-7f3a --internal-id job_7f3a --now $((T + 60)) --data "$DATA" \
  --phase failed --attempt 2 --created-at "$T" > "$TMPD/a2"
checks=$((checks + 1))
g() { grep "^x-ai-stats-$1: " "$2" | cut -d' ' -f2; }
if [[ $(g event-id "$TMPD/a1") != "$(g event-id "$TMPD/a2")" || $(g delivery-key "$TMPD/a1") != "$(g delivery-key "$TMPD/a2")" ||
      $(g timestamp "$TMPD/a2") != $((T + 60)) || $(g signature "$TMPD/a1") == "$(g signature "$TMPD/a2")" ||
      $(g attempt "$TMPD/a2") != 2 ]]; then
  echo "FAIL: retry headers" >&2; failures=$((failures + 1))
fi

# No bucket → no delivery (PROTOCOL.md §11).
for p in 0 100 NaN -5 250; do
  expect 1 'no_progress_event(: .*)?' -- d --phase progress --progress "$p"
done
expect 1 'no_progress_event(: .*)?' -- d --phase progress
expect 1 'invalid_progress(: .*)?' -- d --phase progress --progress fifty
expect 1 '\{"ok":false,"error":"no_progress_event",.*\}' -- d --json --phase progress --progress 100

# Event ids: sanitised and cut to 160 characters (PROTOCOL.md §2).
"$JW" delivery --secret "$KEY" --kind video --job-id G-1 --internal-id 'job 7/ä..x' --phase completed --now "$T" --data '{"status":"completed"}' > "$TMPD/req"
expect 0 'x-ai-stats-event-id: evt_video_job_7_x_video_completed' -- grep '^x-ai-stats-event-id' "$TMPD/req"
long=$(printf 'y%.0s' {1..300})
"$JW" delivery --secret "$KEY" --kind video --job-id G-1 --internal-id "$long" --phase completed --now "$T" --data '{"status":"completed"}' > "$TMPD/req"
expect 0 "x-ai-stats-event-id: evt_video_y{150}" -- grep '^x-ai-stats-event-id' "$TMPD/req"

# Subscriptions (§7): job.* still yields video.*; an unsubscribed phase is refused.
expect 0 'content-type: application/json' -- d --phase completed --events '["job.completed"]'
d --phase completed --events '["job.completed"]' > "$TMPD/req"
expect 0 'x-ai-stats-event-type: video.completed' -- grep '^x-ai-stats-event-type' "$TMPD/req"
expect 1 'phase_not_subscribed(: .*)?' -- d --phase progress --progress 50 --events '["job.completed"]'
expect 1 'phase_not_subscribed(: .*)?' -- d --phase created --events '[]'
expect 1 'no_valid_events(: .*)?' -- d --phase completed --events '["batch.completed"]'

# Profiles (§15): phaseo needs a secret; ai-stats without one sends unsigned.
expect 1 'secret_required(: .*)?' -- "$JW" delivery --profile phaseo --secret '' --kind video --job-id G-1 --internal-id j --phase completed --data '{"status":"completed"}'
"$JW" delivery --profile phaseo --secret "$KEY" --kind video --job-id G-1 --internal-id j --phase completed --now "$T" --data '{"status":"completed"}' > "$TMPD/req"
expect 0 'user-agent: Phaseo-Async-Webhook/1.0' -- grep '^user-agent' "$TMPD/req"
expect 0 '9' -- bash -c "grep -c -e '^x-phaseo-' -e '^content-type' -e '^user-agent' '$TMPD/req'"
"$JW" delivery --secret '' --kind video --job-id G-1 --internal-id j --phase completed --now "$T" --data '{"status":"completed"}' > "$TMPD/req"
split "$TMPD/req"
expect 0 '7' -- bash -c "sed '/^$/q' '$TMPD/req' | grep -c ': '"
expect 1 '' -- grep -q -e timestamp -e signature "$TMPD/req"

# Errors.
expect 1 'unknown_phase(: .*)?' -- d --phase status_changed
expect 1 'unknown_phase(: .*)?' -- d --phase done
expect 1 'unknown_kind(: .*)?' -- "$JW" delivery --secret "$KEY" --kind image --job-id G --internal-id j --phase completed --data '{"status":"completed"}'
expect 1 'invalid_attempt(: .*)?' -- d --phase completed --attempt 5
expect 1 'invalid_attempt(: .*)?' -- d --phase completed --attempt 0
dd() { local data=$1; shift; "$JW" delivery --secret "$KEY" --kind video --job-id G-7f3a --internal-id job_7f3a --now "$T" --data "$data" "$@"; }
expect 1 'json_type_mismatch(: .*)?' -- dd '[]' --phase completed
expect 1 'json_unexpected_end(: .*)?' -- dd '{"id":' --phase completed
expect 1 'conflicting_job_id(: .*)?' -- dd '{"id":"G-other"}' --phase completed
# A data object without a status is refused: every receiver would answer it 400 (§10).
expect 1 'missing_field: .*' -- "$JW" delivery --secret "$KEY" --kind video --job-id G-1 --internal-id j --phase completed --data '{"id":"G-1"}'
expect 2 '' -- "$JW" delivery --secret "$KEY" --kind video --phase completed --data '{"status":"completed"}'
expect 2 '' -- d --phase completed --profile nope
expect 0 'usage: jobwire delivery .*' -- "$JW" delivery --help
# The secret never appears in any output.
out=$(d --phase completed --json 2>&1; d --phase completed 2>&1)
checks=$((checks + 1))
[[ $out != *"$KEY"* ]] || { echo "FAIL: secret printed by delivery" >&2; failures=$((failures + 1)); }

# --json carries the same request.
d --json --phase completed > "$TMPD/json"
expect 0 '\{"ok":true,"event_id":"evt_video_job_7f3a_video_completed","event_type":"video.completed","delivery_key":"video.completed","attempt":1,"max_attempts":4,"signed":true,"headers":\{"content-type":"application/json",.*\},"body":".*"\}' -- cat "$TMPD/json"

finish
