#!/usr/bin/env bash
# `--request @FILE` (docs/CLI.md): the delivery as one raw HTTP request, exactly what
# `jobwire delivery` prints, read back by verify, receive and parse --as webhook; and the
# diagnostics that say what a rejection expected (PROTOCOL.md §9, §15).
source "$(dirname "$0")/lib.sh"
NOW=1781166600
KEY='whsec_request_test'
DATA='{"status":"completed","lifecycle_status":"completed"}'

for prof in ai-stats phaseo; do
  "$JW" delivery --profile "$prof" --secret "$KEY" --kind video --job-id G-req-1 --internal-id 7 \
    --phase completed --now $NOW --data "$DATA" >"$TMPD/req-$prof"
  # delivery → verify: the signature the sender computed is checked over the same bytes.
  expect 0 'valid' -- "$JW" verify --secret "$KEY" --request "@$TMPD/req-$prof" --now $NOW
  want=$([[ $prof == phaseo ]] && echo phaseo || echo ai_stats)
  expect 0 ".*\"profile\":\"$want\".*" -- "$JW" verify --json --secret "$KEY" --request "@$TMPD/req-$prof" --now $NOW
  # A wrong secret still fails: the request is read, not trusted.
  expect 1 'signature_mismatch(: .*)?' -- "$JW" verify --secret other --request "@$TMPD/req-$prof" --now $NOW
  # delivery → receive: processed once, then a duplicate.
  expect 0 '\{"action":"process","http_status":200,.*' -- \
    "$JW" receive --secret "$KEY" --request "@$TMPD/req-$prof" --now $NOW --db "$TMPD/db-$prof"
  expect 0 '\{"action":"duplicate","http_status":200,.*' -- \
    "$JW" receive --secret "$KEY" --request "@$TMPD/req-$prof" --now $NOW --db "$TMPD/db-$prof"
  # delivery → parse --as webhook: the body is the envelope.
  expect 0 '\{"kind":"webhook","event_id":"evt_video_7_video_completed",.*"job_id":"G-req-1".*' -- \
    "$JW" parse --as webhook --request "@$TMPD/req-$prof"
done

# Standard input, and a captured request: a request line and CRLF line ends. The body is
# kept byte for byte (here it ends without a newline, and a body byte changed is detected).
expect 0 'valid' -- sh -c "\"$JW\" verify --secret '$KEY' --request @- --now $NOW < '$TMPD/req-ai-stats'"
{
  printf 'POST /hooks/jobwire HTTP/1.1\r\n'
  sed -n '1,/^$/p' "$TMPD/req-ai-stats" | sed 's/$/\r/'
  sed '1,/^$/d' "$TMPD/req-ai-stats"
} >"$TMPD/captured"
expect 0 'valid' -- "$JW" verify --secret "$KEY" --request "@$TMPD/captured" --now $NOW
printf ' ' >>"$TMPD/captured"
expect 1 'signature_mismatch(: .*)?' -- "$JW" verify --secret "$KEY" --request "@$TMPD/captured" --now $NOW
# The body starts after the first empty line, even when it contains empty lines itself.
checks=$((checks + 1))
body="$(sed '1,/^$/d' "$TMPD/req-ai-stats")"
if [[ "$body" != \{\"id\":\"evt_video_7_video_completed\"* ]]; then
  echo "FAIL: delivery output has no body after the empty line: $body" >&2
  failures=$((failures + 1))
fi

# Malformed requests: precise code, exit 1; mixing --request with --body is a usage error.
printf 'not a header line\n\n{}' >"$TMPD/bad1"
expect 1 'malformed_header: .*--request: line 1 is neither a request line.*' -- \
  "$JW" verify --secret "$KEY" --request "@$TMPD/bad1"
printf 'x-ai-stats-timestamp: 1\n{}\n\n' >"$TMPD/bad2"
expect 1 "malformed_header: .*header line '\\{\\}' is not 'Name: value'.*" -- \
  "$JW" verify --secret "$KEY" --request "@$TMPD/bad2"
printf 'x-ai-stats-timestamp: 1' >"$TMPD/bad3"
expect 1 'malformed_header: .*no empty line ending its headers.*' -- \
  "$JW" receive --secret "$KEY" --request "@$TMPD/bad3" --db "$TMPD/db-bad"
expect 2 '' -- "$JW" verify --secret "$KEY" --request "@$TMPD/req-ai-stats" --body '{}'
expect 2 '' -- "$JW" parse --as status --request "@$TMPD/req-ai-stats"

# Diagnostics. A millisecond timestamp (what the SDKs accept) suggests --sdk-compat; with it
# the same request authenticates (its body `{}` is no delivery envelope).
ms=$((NOW * 1000))
sig=$(printf '%s.%s' "$ms" '{}' | openssl dgst -sha256 -hmac "$KEY" | sed 's/.*= //')
expect 1 "malformed_timestamp: .*header x-ai-stats-timestamp is '$ms', 13 digits: milliseconds.*try --sdk-compat" -- \
  "$JW" verify --secret "$KEY" --header "x-ai-stats-timestamp: $ms" --header "x-ai-stats-signature: $sig" \
  --body '{}' --now $NOW
expect 0 'valid' -- "$JW" verify --authenticate-only --sdk-compat --secret "$KEY" --header "x-ai-stats-timestamp: $ms" \
  --header "x-ai-stats-signature: $sig" --body '{}' --now $NOW
expect 1 "malformed_timestamp: .*header x-phaseo-timestamp is '2026-06-11T08:30:00Z', not Unix seconds.*--sdk-compat" -- \
  "$JW" verify --secret "$KEY" --header "x-phaseo-timestamp: 2026-06-11T08:30:00Z" \
  --header "x-phaseo-signature: $sig" --body '{}' --now $NOW
expect 1 'malformed_timestamp: .*header x-ai-stats-timestamp must be decimal Unix seconds.*' -- \
  "$JW" verify --secret "$KEY" --header "x-ai-stats-timestamp: +$NOW" --header "x-ai-stats-signature: $sig" \
  --body '{}' --now $NOW
# ambiguous_header names the header repeated with different values.
expect 1 'ambiguous_header: .*header x-ai-stats-signature is repeated with different values' -- \
  "$JW" verify --secret "$KEY" --header "x-ai-stats-timestamp: $NOW" --header "x-ai-stats-signature: $sig" \
  --header "x-ai-stats-signature: ${sig/a/b}" --body '{}' --now $NOW
# A missing header names the header the profile looks for and the family that is present.
expect 1 'missing_timestamp: .*expected header x-ai-stats-timestamp \(profile ai_stats\); the request carries x-phaseo-\* headers \(profile phaseo\).*' -- \
  "$JW" verify --profile ai-stats --secret "$KEY" --request "@$TMPD/req-phaseo" --now $NOW
finish
