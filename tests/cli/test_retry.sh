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
expect 0 'usage: jobwire retry .*' -- "$JW" retry --help
finish
