#!/usr/bin/env bash
# jobwire retry: the sender's retry schedule (docs/CLI.md, PROTOCOL.md section 12).
source "$(dirname "$0")/lib.sh"

# expect_out STATUS 'exact whole stdout' -- command...: checks every line, not only the first.
expect_out() {
  local want_status=$1 want=$2
  shift 3
  local out status
  out="$("$@" 2>"$TMPD/stderr")"
  status=$?
  checks=$((checks + 1))
  if [[ $status -ne $want_status || "$out" != "$want" ]]; then
    echo "FAIL: $* -> status $status (want $want_status), stdout:" >&2
    printf '%s\n' "$out" | sed 's/^/  got:  /' >&2
    printf '%s\n' "$want" | sed 's/^/  want: /' >&2
    failures=$((failures + 1))
  fi
}

T=1781166607   # 2026-06-11T08:30:07Z

# The full schedule: 60 s, 300 s, 900 s after failed attempts 1, 2, 3; then failed_permanently.
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --attempt 1 --outcome 5xx --now $T
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781167200' -- "$JW" retry --attempt 2 --outcome timeout --now 1781166900
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781168100' -- "$JW" retry --attempt 3 --outcome network --now 1781167200
expect_out 0 'failed_permanently' -- "$JW" retry --attempt 4 --outcome 4xx --now 1781168100
# Success ends it at any attempt.
expect_out 0 'delivered' -- "$JW" retry --attempt 3 --outcome 2xx --now $T
expect_out 0 'delivered' -- "$JW" retry --attempt 4 --outcome 204 --now $T
# Numeric statuses: only 2xx succeeds; 1xx and 3xx are failures like 4xx/5xx.
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --attempt 1 --outcome 503 --now $T
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --attempt 1 --outcome 302 --now $T
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --attempt 1 --outcome 3xx --now $T
expect_out 0 'delivered' -- "$JW" retry --attempt 1 --outcome 299 --now $T

# --json: exactly one object; next_* are null unless a retry is scheduled.
expect_out 0 '{"ok":true,"status":"scheduled_retry","attempt":1,"max_attempts":4,"next_attempt":2,"next_retry_at":1781166667}' \
  -- "$JW" retry --attempt 1 --outcome 500 --now $T --json
expect_out 0 '{"ok":true,"status":"failed_permanently","attempt":4,"max_attempts":4,"next_attempt":null,"next_retry_at":null}' \
  -- "$JW" retry --attempt 4 --outcome timeout --now $T --json
expect_out 0 '{"ok":true,"status":"delivered","attempt":2,"max_attempts":4,"next_attempt":null,"next_retry_at":null}' \
  -- "$JW" retry --attempt 2 --outcome 2xx --now $T --json

# A configured policy.
expect_out 0 $'scheduled_retry\nnext_retry_at: 1781170207' -- "$JW" retry --attempt 4 --outcome 5xx --max-attempts 5 --delays 60,300,900,3600 --now $T
expect_out 0 'failed_permanently' -- "$JW" retry --attempt 5 --outcome 5xx --max-attempts 5 --delays 60,300,900,3600 --now $T
expect_out 0 'failed_permanently' -- "$JW" retry --attempt 1 --outcome 5xx --max-attempts 1 --now $T
expect 1 'invalid_retry_policy: .*' -- "$JW" retry --attempt 1 --outcome 5xx --max-attempts 5 --now $T
expect 1 'invalid_retry_policy: .*' -- "$JW" retry --attempt 1 --outcome 5xx --delays 0,300,900 --now $T

# Without --now the system clock is used: the due time is 60 s after "now".
before=$(date +%s)
out="$("$JW" retry --attempt 1 --outcome 5xx)"
after=$(date +%s)
due="${out##*next_retry_at: }"
checks=$((checks + 1))
if ! [[ "$due" =~ ^[0-9]+$ ]] || (( due < before + 60 || due > after + 60 )); then
  echo "FAIL: clock-based next_retry_at '$due' not within [$((before + 60)), $((after + 60))]" >&2
  failures=$((failures + 1))
fi

# Rejections (exit 1, the library's reason code first).
expect 1 'invalid_outcome: .*' -- "$JW" retry --attempt 1 --outcome 6xx --now $T
expect 1 'invalid_outcome: .*' -- "$JW" retry --attempt 1 --outcome 600 --now $T
expect 1 'invalid_outcome: .*' -- "$JW" retry --attempt 1 --outcome 99 --now $T
expect 1 'invalid_outcome: .*' -- "$JW" retry --attempt 1 --outcome ok --now $T
expect 1 'invalid_outcome: .*' -- "$JW" retry --attempt 1 --outcome '' --now $T
expect 1 '\{"ok":false,"error":"invalid_outcome",.*\}' -- "$JW" retry --attempt 1 --outcome TIMEOUT --now $T --json
expect 1 'invalid_attempt: .*' -- "$JW" retry --attempt 0 --outcome 2xx --now $T
expect 1 'invalid_attempt: .*' -- "$JW" retry --attempt 5 --outcome 2xx --now $T
expect 1 'invalid_attempt: .*' -- "$JW" retry --attempt -1 --outcome 2xx --now $T
expect 1 'invalid_argument: .*' -- "$JW" retry --attempt 1 --outcome 2xx --now -5
expect 1 'invalid_argument: .*' -- "$JW" retry --attempt 1 --outcome 2xx --now 999999999999999999

# Usage errors (exit 2): missing or malformed options.
expect 2 '' -- "$JW" retry --outcome 2xx
expect 2 '' -- "$JW" retry --attempt 1
expect 2 '' -- "$JW" retry --attempt one --outcome 2xx
expect 2 '' -- "$JW" retry --attempt 1 --outcome 2xx --now soon
expect 2 '' -- "$JW" retry --attempt 1 --outcome 2xx --delays 60,,900
expect 2 '' -- "$JW" retry --attempt 1 --outcome 2xx --bogus
expect 2 '' -- "$JW" retry --attempt 1 --outcome 2xx extra
# --- The Standard Webhooks etiquette (--profile standard|openai, PROTOCOL.md section 17) ---

# The service profiles keep section 12: the same output as without --profile.
for prof in ai-stats ai_stats phaseo; do
  expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --profile $prof --attempt 1 --outcome 5xx --now $T
  expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --profile $prof --attempt 1 --outcome 410 --now $T
  expect_out 0 $'scheduled_retry\nnext_retry_at: 1781166667' -- "$JW" retry --profile $prof --attempt 1 --outcome 429 --now $T
  expect_out 0 'failed_permanently' -- "$JW" retry --profile $prof --attempt 4 --outcome 410 --now $T
done
# ... and the etiquette's options are usage errors there.
expect 2 '' -- "$JW" retry --profile phaseo --attempt 1 --outcome 429 --retry-after 30 --now $T
expect 2 '' -- "$JW" retry --attempt 1 --outcome 429 --seed 1 --now $T
expect 2 '' -- "$JW" retry --attempt 1 --outcome 500 --failure-streak 3 --now $T
expect 2 '' -- "$JW" retry --profile nosuch --attempt 1 --outcome 500 --now $T

# in_range LOW HIGH -- command...: stdout's next_retry_at within [LOW, HIGH]; prints it.
in_range() {
  local lo=$1 hi=$2
  shift 3
  local out due
  out="$("$@" 2>"$TMPD/stderr")"
  due=$(sed -n 's/^next_retry_at: //p' <<<"$out")
  checks=$((checks + 1))
  if ! [[ "$due" =~ ^[0-9]+$ ]] || ((due < lo || due > hi)); then
    echo "FAIL: $* -> next_retry_at '$due' not within [$lo, $hi]; stdout:" >&2
    printf '%s\n' "$out" | sed 's/^/  got:  /' >&2
    failures=$((failures + 1))
  fi
  printf '%s\n' "$due"
}

for prof in standard openai; do
  expect_out 0 'delivered' -- "$JW" retry --profile $prof --attempt 1 --outcome 2xx --now $T --seed 1
  # 410: the delivery fails and the endpoint is disabled, whatever attempt it was.
  expect_out 0 $'endpoint_disabled\nreason: gone' -- "$JW" retry --profile $prof --attempt 1 --outcome 410 --now $T
  expect_out 0 $'endpoint_disabled\nreason: gone' -- "$JW" retry --profile $prof --attempt 10 --outcome 410 --now $T
  # The schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after failed attempts 1..9, +-20 %.
  n=1
  for d in 5 300 1800 7200 18000 36000 50400 72000 86400; do
    in_range $((T + d * 8 / 10)) $((T + d * 12 / 10)) -- "$JW" retry --profile $prof --attempt $n --outcome 5xx --now $T --seed $n >/dev/null
    n=$((n + 1))
  done
  expect_out 0 'failed_permanently' -- "$JW" retry --profile $prof --attempt 10 --outcome 5xx --now $T --seed 1
  expect 1 'invalid_attempt: .*' -- "$JW" retry --profile $prof --attempt 11 --outcome 5xx --now $T
done

# Redirects, other 4xx, timeouts and network errors are failures on the schedule.
for o in 3xx 301 308 4xx 404 timeout network; do
  in_range $((T + 1440)) $((T + 2160)) -- "$JW" retry --profile standard --attempt 3 --outcome $o --now $T --seed 9 >/dev/null
done

# --seed makes the jitter reproducible; different seeds spread the retries.
a=$("$JW" retry --profile standard --attempt 6 --outcome 503 --now $T --seed 42)
b=$("$JW" retry --profile standard --attempt 6 --outcome 503 --now $T --seed 42)
checks=$((checks + 1))
[[ "$a" == "$b" ]] || { echo "FAIL: --seed 42 gave '$a' then '$b'" >&2; failures=$((failures + 1)); }
declare -A seen=()
for seed in $(seq 1 20); do
  due=$(in_range $((T + 28800)) $((T + 43200)) -- "$JW" retry --profile standard --attempt 6 --outcome 503 --now $T --seed $seed)
  seen[$due]=1
done
checks=$((checks + 1))
((${#seen[@]} >= 15)) || { echo "FAIL: 20 seeds gave only ${#seen[@]} distinct retry times" >&2; failures=$((failures + 1)); }
# Without --seed the jitter is random but in range.
in_range $((T + 240)) $((T + 360)) -- "$JW" retry --profile standard --attempt 2 --outcome 500 --now $T >/dev/null

# 429, 502, 504 throttle the endpoint: 60 s without Retry-After, and the retry is not before it.
for o in 429 502 504; do
  out=$("$JW" retry --profile standard --attempt 1 --outcome $o --now $T --seed 3)
  checks=$((checks + 1))
  due=$(sed -n 's/^next_retry_at: //p' <<<"$out")
  if [[ "$(sed -n 1p <<<"$out")" != scheduled_retry || "$(sed -n 's/^throttled_until: //p' <<<"$out")" != $((T + 60)) ]] ||
    ((due < T + 60 || due > T + 72)); then
    echo "FAIL: --outcome $o: $out" >&2
    failures=$((failures + 1))
  fi
done
# A throttle on the last attempt still holds the endpoint.
expect_out 0 $'failed_permanently\nthrottled_until: '$((T + 60)) -- "$JW" retry --profile standard --attempt 10 --outcome 429 --now $T
# 500 and 503 do not throttle.
out=$("$JW" retry --profile standard --attempt 1 --outcome 503 --now $T --seed 3)
checks=$((checks + 1))
[[ "$out" != *throttled_until* ]] || { echo "FAIL: 503 throttled: $out" >&2; failures=$((failures + 1)); }

# Retry-After in seconds: never earlier; the throttle ends exactly then.
in_range $((T + 120)) $((T + 144)) -- "$JW" retry --profile standard --attempt 1 --outcome 429 --retry-after 120 --now $T --seed 5 >/dev/null
in_range $((T + 120)) $((T + 144)) -- "$JW" retry --profile standard --attempt 1 --outcome 503 --retry-after 120 --now $T --seed 5 >/dev/null
# Retry-After as an HTTP-date, in the three forms RFC 9110 has recipients accept (T + 600 s).
for d in 'Thu, 11 Jun 2026 08:40:07 GMT' 'Thursday, 11-Jun-26 08:40:07 GMT' 'Thu Jun 11 08:40:07 2026'; do
  out=$("$JW" retry --profile standard --attempt 1 --outcome 429 --retry-after "$d" --now $T --seed 5)
  checks=$((checks + 1))
  due=$(sed -n 's/^next_retry_at: //p' <<<"$out")
  if [[ "$(sed -n 's/^throttled_until: //p' <<<"$out")" != $((T + 600)) || "$out" != *$'\nretry_after: honoured'* ]] ||
    ((due < T + 600 || due > T + 720)); then
    echo "FAIL: --retry-after '$d': $out" >&2
    failures=$((failures + 1))
  fi
done
# A date in the past: no wait beyond the schedule.
out=$("$JW" retry --profile standard --attempt 2 --outcome 502 --retry-after 'Sun, 06 Nov 1994 08:49:37 GMT' --now $T --seed 5)
checks=$((checks + 1))
[[ "$out" == *$'\nthrottled_until: '$T$'\nretry_after: past' ]] || { echo "FAIL: past date: $out" >&2; failures=$((failures + 1)); }
# Huge: capped at 24 h (never the year 9999).
for ra in 999999999999999999999999 'Fri, 31 Dec 9999 23:59:59 GMT'; do
  out=$("$JW" retry --profile standard --attempt 1 --outcome 429 --retry-after "$ra" --now $T --seed 5)
  checks=$((checks + 1))
  due=$(sed -n 's/^next_retry_at: //p' <<<"$out")
  if [[ "$out" != *$'\nthrottled_until: '$((T + 86400))$'\nretry_after: capped' ]] || ((due < T + 86400 || due > T + 86400 + 17280)); then
    echo "FAIL: --retry-after '$ra': $out" >&2
    failures=$((failures + 1))
  fi
done
# Malformed: reported, ignored, not fatal (exit 0, the default throttle).
for ra in soon -5 1.5 'Mon, 06 Nov 1994 08:49:37 GMT' ''; do
  out=$("$JW" retry --profile standard --attempt 1 --outcome 429 --retry-after "$ra" --now $T --seed 5)
  status=$?
  checks=$((checks + 1))
  if ((status != 0)) || [[ "$out" != *$'\nthrottled_until: '$((T + 60))$'\nretry_after: invalid (invalid_retry_after: '* ]]; then
    echo "FAIL: malformed --retry-after '$ra' -> $status: $out" >&2
    failures=$((failures + 1))
  fi
done

# The failure streak: a permanent failure that makes 10 consecutive failures disables the endpoint.
expect_out 0 'failed_permanently' -- "$JW" retry --profile standard --attempt 10 --outcome 500 --failure-streak 8 --now $T
expect_out 0 $'endpoint_disabled\nreason: failure_streak' -- "$JW" retry --profile standard --attempt 10 --outcome 500 --failure-streak 9 --now $T
expect_out 0 $'endpoint_disabled\nreason: failure_streak\nthrottled_until: '$((T + 60)) -- "$JW" retry --profile standard --attempt 10 --outcome 504 --failure-streak 500 --now $T
# ... only at the end of a delivery's schedule (a short outage of a busy endpoint disables nothing).
in_range $((T + 4)) $((T + 6)) -- "$JW" retry --profile standard --attempt 1 --outcome 500 --failure-streak 5000 --now $T >/dev/null
expect 2 '' -- "$JW" retry --profile standard --attempt 1 --outcome 500 --failure-streak -1 --now $T

# --json: one object with the endpoint's fate.
expect_out 0 '{"ok":true,"status":"endpoint_disabled","row_status":"failed_permanently","attempt":2,"max_attempts":10,"profile":"standard","next_attempt":null,"next_retry_at":null,"effect":"disable","throttled_until":null,"endpoint_disabled":true,"disable_reason":"gone","disable_after_failures":0,"retry_after":"absent","retry_after_error":null}' \
  -- "$JW" retry --profile standard --attempt 2 --outcome 410 --now $T --json
expect_out 0 '{"ok":true,"status":"failed_permanently","row_status":"failed_permanently","attempt":10,"max_attempts":10,"profile":"openai","next_attempt":null,"next_retry_at":null,"effect":"throttle","throttled_until":'$((T + 60))',"endpoint_disabled":false,"disable_reason":null,"disable_after_failures":10,"retry_after":"invalid","retry_after_error":"invalid_retry_after"}' \
  -- "$JW" retry --profile openai --attempt 10 --outcome 429 --retry-after soon --now $T --json
out=$("$JW" retry --profile standard --attempt 1 --outcome 429 --retry-after 30 --now $T --seed 1 --json)
checks=$((checks + 1))
[[ "$out" =~ ^\{\"ok\":true,\"status\":\"scheduled_retry\",.*\"next_attempt\":2,\"next_retry_at\":17811666(3[7-9]|4[0-3]),\"effect\":\"throttle\",\"throttled_until\":1781166637,.*\"retry_after\":\"honoured\",\"retry_after_error\":null\}$ ]] ||
  { echo "FAIL: --json throttle: $out" >&2; failures=$((failures + 1)); }
# Errors are still errors.
expect 1 'invalid_outcome: .*' -- "$JW" retry --profile standard --attempt 1 --outcome 6xx --now $T
expect 1 'invalid_argument: .*' -- "$JW" retry --profile standard --attempt 1 --outcome 2xx --now -5
expect 2 '' -- "$JW" retry --profile standard --attempt 1 --outcome 500 --seed x --now $T

expect 0 'usage: jobwire retry .*' -- "$JW" retry --help
finish
