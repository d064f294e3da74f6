#!/usr/bin/env bash
# jobwire check-url and check-subscription: contract (docs/CLI.md), policies
# (PROTOCOL.md §8) and the WPT hosts through --print-host.
source "$(dirname "$0")/lib.sh"

# check-url: serialised URL on success, reason code on rejection.
expect 0 'https://example\.com/hook' -- "$JW" check-url 'HTTPS://Example.COM:443/hook'
expect 0 'https://\[::ffff:808:808\]/' -- "$JW" check-url 'https://[::ffff:8.8.8.8]'
expect 0 'https://\[::ffff:808:808\]/' -- "$JW" check-url --policy ai-stats 'https://[::ffff:8.8.8.8]'
expect 1 'link_local_host: .*' -- "$JW" check-url 'https://0xA9FEA9FE/latest/meta-data'
expect 1 'link_local_host: .*' -- "$JW" check-url --policy ai-stats 'https://169.254.43518/'
expect 1 'loopback_host: .*' -- "$JW" check-url 'https://[::ffff:7f00:1]/'
expect 1 'loopback_host: .*' -- "$JW" check-url 'https://[64:ff9b::127.0.0.1]/'
expect 0 'https://\[64:ff9b::7f00:1\]/' -- "$JW" check-url --policy ai-stats 'https://[64:ff9b::127.0.0.1]/'
expect 1 'non_global_host: .*' -- "$JW" check-url 'https://100.64.0.1/'
expect 0 'https://100\.64\.0\.1/' -- "$JW" check-url --policy ai-stats 'https://100.64.0.1/'
expect 1 'https_required: .*' -- "$JW" check-url 'http://localhost:3000/cb'
expect 0 'http://localhost:3000/cb' -- "$JW" check-url --policy ai-stats 'http://localhost:3000/cb'
expect 1 'localhost_name: .*' -- "$JW" check-url --policy ai-stats 'https://localhost/'
expect 0 'http://localhost:3000/cb' -- "$JW" check-url --dev 'http://localhost:3000/cb'
expect 0 'https://127\.0\.0\.1/' -- "$JW" check-url --dev 'https://0x7f.1/'
expect 1 'loopback_host: .*' -- "$JW" check-url --dev 'https://127.0.0.2/'
expect 1 'localhost_name: .*' -- "$JW" check-url --dev 'https://localhost./'
expect 1 'localhost_name: .*' -- "$JW" check-url 'https://api.localhost/'
expect 1 'userinfo_not_allowed: .*' -- "$JW" check-url 'https://example.com@127.0.0.1/'
expect 1 'loopback_host: .*' -- "$JW" check-url --policy ai-stats 'https://example.com@127.0.0.1/'
expect 1 'non_ascii_host: .*' -- "$JW" check-url $'https://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/'
expect 1 'wildcard_host: .*' -- "$JW" check-url 'https://*.example.com/'
expect 1 'invalid_port: .*' -- "$JW" check-url 'https://example.com:65536/'
expect 1 'invalid_ipv4: .*' -- "$JW" check-url 'https://256.1.1.1/'
expect 1 'invalid_ipv6: .*' -- "$JW" check-url 'https://[::1/'
expect 1 'invalid_host: .*' -- "$JW" check-url 'https://exa%00mple.com/'
expect 1 'missing_host: .*' -- "$JW" check-url 'https://user@/'
expect 1 'unsupported_scheme: .*' -- "$JW" check-url 'ftp://example.com/'
expect 1 'invalid_url: .*' -- "$JW" check-url 'example.com/hook'
# --policy phaseo (§16.4): https only, the wider block list, the fragment dropped
expect 0 'https://example\.com/hook\?a=1' -- "$JW" check-url --policy phaseo 'https://Example.com/hook?a=1#frag'
expect 0 'https://example\.com/#frag' -- "$JW" check-url --policy ai-stats 'https://Example.com/#frag'
expect 1 'https_required: .*' -- "$JW" check-url --policy phaseo 'http://localhost:3000/cb'
expect 0 'http://localhost:3000/cb' -- "$JW" check-url --policy phaseo --dev 'http://localhost:3000/cb'
expect 1 'localhost_name: .*' -- "$JW" check-url --policy phaseo 'https://api.localhost/'
expect 0 'https://localhost\./' -- "$JW" check-url --policy phaseo 'https://localhost./'
expect 1 'non_global_host: .*' -- "$JW" check-url --policy phaseo 'https://192.0.0.9/'
expect 1 'non_global_host: .*' -- "$JW" check-url --policy phaseo 'https://198.19.1.1/'
expect 1 'non_global_host: .*' -- "$JW" check-url --policy phaseo 'https://224.0.0.1/'
expect 1 'non_global_host: .*' -- "$JW" check-url --policy phaseo 'https://[ff05::2]/'
expect 0 'https://198\.51\.100\.7/' -- "$JW" check-url --policy phaseo 'https://198.51.100.7/'
expect 1 'private_host: .* the service.s reason: webhook_url_private_network_not_allowed' -- "$JW" check-url --policy phaseo 'https://[64:ff9b::10.0.0.1]/'
expect 1 '\{"ok":false,"error":"https_required",.*"detail":"the service.s reason: webhook_url_must_use_https"\}' -- "$JW" check-url --json --policy phaseo 'http://example.com/'
expect 1 'invalid_port: .*webhook_url_invalid' -- "$JW" check-url --policy phaseo 'https://example.com:99999/'
expect 1 'loopback_host: .*' -- "$JW" check-url --policy phaseo 'https://[::127.0.0.1]/'
expect 0 'https://\[2002:7f00:1::\]/' -- "$JW" check-url --policy phaseo 'https://[2002:7f00:1::]/'
expect 0 'https://u:p@example\.com:8443/' -- "$JW" check-url --policy phaseo 'https://u:p@example.com:8443/'
expect 1 'empty_url: .*' -- "$JW" check-url --policy phaseo '   '
expect 1 'invalid_url: .*' -- "$JW" check-url --policy ai-stats '   '
expect 0 '\{"ok":true,"url":"https://example\.com/"\}' -- "$JW" check-url --json 'https://example.com'
expect 1 '\{"ok":false,"error":"private_host",.*\}' -- "$JW" check-url --json 'https://10.1.2.3/'
printf 'https://example.com/from-file' > "$TMPD/url.txt"
expect 0 'https://example\.com/from-file' -- "$JW" check-url "@$TMPD/url.txt"
expect 2 '' -- "$JW" check-url --policy lenient 'https://example.com/'
expect 2 '' -- "$JW" check-url
expect 0 'usage: jobwire check-url .*' -- "$JW" check-url --help

# --print-host: the parsed host, no policy.
expect 0 '127\.0\.0\.1' -- "$JW" check-url --print-host 'http://0x7f.0.0.1:8080/'
expect 0 '\[::ffff:808:808\]' -- "$JW" check-url --print-host 'https://[::ffff:8.8.8.8]'
expect 0 'localhost' -- "$JW" check-url --print-host 'https://LocalHost/'
expect 0 '\{"ok":true,"host":"10\.0\.0\.1","port":8080\}' -- "$JW" check-url --print-host --json 'http://10.0.0.1:8080'
expect 1 'invalid_ipv4: .*' -- "$JW" check-url --print-host 'http://1.2.3.4.5/'

# check-subscription: the summary object exactly as CLI.md shows it.
expect 0 '\{"url":"https://example\.com/hook","has_secret":true,"events":\["job\.completed","video\.cancelled"\],"ignored":\[\{"value":1,"reason":"event_not_string"\},\{"value":"batch\.failed","reason":"cross_kind_event"\},\{"value":"","reason":"empty_event"\},\{"value":"job\.completed","reason":"duplicate_event"\}\]\}' \
  -- "$JW" check-subscription '{"url":"https://example.com/hook","secret":" s ","events":["Completed","video.canceled",1,"batch.failed","","job.completed"]}'
expect 0 '\{"url":"https://example\.com/","has_secret":false,"events":\["job\.completed","job\.failed","job\.cancelled","job\.expired"\],"ignored":\[\]\}' \
  -- "$JW" check-subscription '{"url":"https://example.com"}'
expect 0 '\{"url":"https://b\.example/","has_secret":false,"events":\["batch\.completed"\],"ignored":\[\{"value":"video\.completed","reason":"cross_kind_event"\}\]\}' \
  -- "$JW" check-subscription --kind batch '{"url":"https://b.example","events":["batch.completed","video.completed"]}'
expect 1 'cross_kind_event: .*' -- "$JW" check-subscription --kind batch --strict '{"url":"https://b.example","events":["batch.completed","video.completed"]}'
expect 1 'no_valid_events: .*' -- "$JW" check-subscription '{"url":"https://example.com","events":["nope"]}'
expect 1 'unknown_subscription_key: .*' -- "$JW" check-subscription '{"url":"https://example.com","headers":{}}'
expect 1 'invalid_events_type: .*' -- "$JW" check-subscription '{"url":"https://example.com","events":"job.completed"}'
expect 1 'missing_url: .*' -- "$JW" check-subscription '{"events":[]}'
expect 1 'https_required: .*' -- "$JW" check-subscription '{"url":"http://localhost:3000/cb"}'
expect 0 '\{"url":"http://localhost:3000/cb",.*' -- "$JW" check-subscription --policy ai-stats '{"url":"http://localhost:3000/cb"}'
expect 0 '\{"url":"http://localhost:3000/cb",.*' -- "$JW" check-subscription --dev '{"url":"http://localhost:3000/cb"}'
# --profile phaseo (§16.2): {endpoint_id, events?}; an inline url or secret gets its own error.
EP=3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab
expect 1 'url_not_allowed: .*' -- "$JW" check-subscription --profile phaseo '{"url":"https://example.com"}'
expect 1 'url_not_allowed: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"url\":\"https://example.com\"}"
expect 1 'secret_not_allowed: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"secret\":\"s\"}"
expect 1 'unknown_subscription_key: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"headers\":{}}"
expect 1 'missing_endpoint_id: .*' -- "$JW" check-subscription --profile phaseo '{"events":["completed"]}'
expect 1 'invalid_endpoint_id: .*' -- "$JW" check-subscription --profile phaseo '{"endpoint_id":"   "}'
expect 1 'invalid_endpoint_id: .*' -- "$JW" check-subscription --profile phaseo '{"endpoint_id":"ep_123"}'
expect 1 'invalid_events_type: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"events\":null}"
expect 1 'empty_event: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"events\":[\"\"]}"
expect 1 'event_not_string: .*' -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"events\":[1]}"
expect 0 "\\{\"endpoint_id\":\"$EP\",\"url\":null,\"has_secret\":true,\"events\":\\[\\],\"ignored\":\\[\\]\\}" \
  -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\" $EP \",\"events\":[]}"
expect 0 "\\{\"endpoint_id\":\"$EP\",\"url\":null,\"has_secret\":true,\"events\":\\[\"job\\.status_changed\",\"job\\.completed\\.extra\",\"video\\.cancelled\"\\],\"ignored\":\\[\\{\"value\":\" \",\"reason\":\"empty_event\"\\},\\{\"value\":\"batch\\.failed\",\"reason\":\"cross_kind_event\"\\}\\]\\}" \
  -- "$JW" check-subscription --profile phaseo "{\"endpoint_id\":\"$EP\",\"events\":[\"Status_Changed\",\" \",\"job.completed.extra\",\"batch.failed\",\"video.canceled\"]}"
# the effective list: request list, else the endpoint's for this kind, else the request default
expect 0 '.*"events":\[\],"effective_events":\["video\.completed","video\.failed","video\.cancelled"\],.*' \
  -- "$JW" check-subscription --profile phaseo --endpoint-events '["video.completed","video.failed","video.cancelled","batch.completed","batch.failed","batch.cancelled"]' "{\"endpoint_id\":\"$EP\"}"
expect 0 '.*"effective_events":\["job\.status_changed","job\.completed","job\.failed","job\.cancelled","job\.expired"\],.*' \
  -- "$JW" check-subscription --profile phaseo --endpoint-events '["batch.completed"]' "{\"endpoint_id\":\"$EP\"}"
# batch requests: webhook wins over webhook_endpoint_id
expect 0 "\\{\"endpoint_id\":\"11111111-2222-3333-4444-555555555555\",\"url\":null,.*" \
  -- "$JW" check-subscription --profile phaseo --kind batch --batch-request '{"requests":[],"webhook_endpoint_id":"11111111-2222-3333-4444-555555555555"}'
expect 0 "\\{\"endpoint_id\":\"$EP\",.*\"events\":\\[\"batch\\.completed\"\\].*" \
  -- "$JW" check-subscription --profile phaseo --batch-request "{\"webhook_endpoint_id\":\"11111111-2222-3333-4444-555555555555\",\"webhook\":{\"endpoint_id\":\"$EP\",\"events\":[\"batch.completed\"]}}"
expect 1 'missing_endpoint_id: .*' -- "$JW" check-subscription --profile phaseo --batch-request '{"requests":[]}'
expect 0 '\{"ok":true,"endpoint_id":.*' -- "$JW" check-subscription --profile phaseo --json "{\"endpoint_id\":\"$EP\"}"
expect 2 '' -- "$JW" check-subscription --profile phaseo --policy strict "{\"endpoint_id\":\"$EP\"}"
expect 2 '' -- "$JW" check-subscription --batch-request '{"url":"https://example.com"}'
# ai-stats keeps the seed-era rules: null events are the default list, endpoint_id is unknown
expect 0 '.*"events":\["job\.completed","job\.failed","job\.cancelled","job\.expired"\].*' -- "$JW" check-subscription '{"url":"https://example.com","events":null}'
expect 1 'unknown_subscription_key: .*' -- "$JW" check-subscription "{\"endpoint_id\":\"$EP\"}"
expect 0 '\{"ok":true,"url":"https://example\.com/","has_secret":false,.*\}' -- "$JW" check-subscription --json '{"url":"https://example.com"}'
expect 2 '' -- "$JW" check-subscription --kind audio '{"url":"https://example.com"}'

# WPT: every http(s) case with a null base goes through --print-host; hosts must match
# (non-ASCII hosts are rejected by policy with non_ascii_host).
wpt="$JOBWIRE_SHARED_DIR/data/wpt-url/urltestdata.json"
if [[ -f "$wpt" ]] && command -v python3 >/dev/null; then
  python3 - "$wpt" > "$TMPD/wpt.tsv" <<'PY'
import json, re, sys
for c in json.load(open(sys.argv[1], encoding="utf-8")):
    if not isinstance(c, dict) or c.get("base") is not None: continue
    i = c["input"]
    if not re.match(r"(?i)^[\x00-\x20]*https?:", i) or "\x00" in i: continue
    want = "FAIL" if c.get("failure") else c["hostname"]
    print(i.encode("utf-8").hex() + "\t" + want.encode("utf-8").hex())
PY
  n=0 bad=0
  while IFS=$'\t' read -r hexin hexwant; do
    input="$(printf '%s' "$hexin" | xxd -r -p)"
    want="$(printf '%s' "$hexwant" | xxd -r -p)"
    got="$("$JW" check-url --print-host -- "$input" 2>/dev/null)"; status=$?
    n=$((n + 1))
    if [[ "$want" == FAIL ]]; then
      [[ $status -eq 1 ]] || { echo "WPT: expected failure for $input, got '$got'" >&2; bad=$((bad + 1)); }
    elif [[ $status -eq 1 && "$got" == non_ascii_host* ]]; then
      :
    elif [[ $status -ne 0 || "$got" != "$want" ]]; then
      echo "WPT: $input -> '$got' (want '$want')" >&2; bad=$((bad + 1))
    fi
  done < "$TMPD/wpt.tsv"
  echo "WPT --print-host: $n cases, $bad mismatches"
  checks=$((checks + 1)); [[ $bad -eq 0 && $n -gt 200 ]] || failures=$((failures + 1))
elif [[ "${CI:-}" == "true" ]]; then
  echo "FAIL: WPT urltestdata.json not found at $wpt (required in CI)" >&2
  failures=$((failures + 1))
else
  echo "note: WPT data not found at $wpt; skipping the --print-host loop"
fi
finish
