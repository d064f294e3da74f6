#!/usr/bin/env bash
# Standard Webhooks through the CLI (docs/CLI.md: sign --profile standard|openai, keygen,
# verify --public-key; PROTOCOL.md §17). The `v1` expectations are the specification's
# published vector and HMACs from OpenSSL's command-line tool; the `v1a` ones are
# interoperability in both directions with `openssl pkeyutl` (an independent Ed25519).
source "$(dirname "$0")/lib.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
ID=msg_p5jXN8AQM9LWM0D4loKWxJek
T=1614265330
BODY='{"test": 2432232314}'
SIG='v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='   # the published vector
WRONG='v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='
H=(--header "webhook-id: $ID" --header "webhook-timestamp: $T")
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# The published vector, recomputed with OpenSSL's tool (key = base64-decoded secret).
KEYHEX=$(printf '%s' "${SECRET#whsec_}" | base64 -d | xxd -p | tr -d '\n')
v1_openssl() { # KEYHEX ID TS BODY
  printf '%s' "$2.$3.$4" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" -binary | base64 -w0
}
checks=$((checks + 1))
if [[ "v1,$(v1_openssl "$KEYHEX" "$ID" "$T" "$BODY")" != "$SIG" ]]; then
  echo "FAIL: openssl does not reproduce the published vector" >&2
  failures=$((failures + 1))
fi

# --- sign ------------------------------------------------------------------------------
expect 0 "$(re "$SIG")" -- "$JW" sign --profile standard --secret "$SECRET" --id "$ID" --timestamp "$T" --body "$BODY"
expect 0 "$(re "$SIG")" -- "$JW" sign --profile standard --secret "${SECRET#whsec_}" --id "$ID" --timestamp "$T" --body "$BODY"
expect 0 "$(re "$SIG $SIG")" -- "$JW" sign --profile standard --secret "$SECRET" --secret "$SECRET" --id "$ID" --timestamp "$T" --body "$BODY"
expect 1 "malformed_message_id: .*" -- "$JW" sign --profile standard --secret "$SECRET" --id "a.b" --timestamp "$T" --body "$BODY"
expect 1 "invalid_key: .*" -- "$JW" sign --profile standard --secret "whsec_not*base64" --id "$ID" --timestamp "$T" --body "$BODY"
expect 2 ".*" -- "$JW" sign --profile standard --secret "$SECRET" --timestamp "$T" --body "$BODY"
expect 2 ".*" -- "$JW" sign --secret "$SECRET" --id "$ID" --timestamp "$T" --body "$BODY"
# OpenAI: a secret without the prefix is its raw UTF-8 bytes.
RAW=my-openai-webhook-secret
RAWHEX=$(printf '%s' "$RAW" | xxd -p | tr -d '\n')
OAI="v1,$(v1_openssl "$RAWHEX" "$ID" "$T" "$BODY")"
expect 0 "$(re "$OAI")" -- "$JW" sign --profile openai --secret "$RAW" --id "$ID" --timestamp "$T" --body "$BODY"
expect 0 "$(re "$OAI")" -- "$JW" sign --profile standard --key-format raw --secret "$RAW" --id "$ID" --timestamp "$T" --body "$BODY"

# --- verify ----------------------------------------------------------------------------
expect 0 "valid" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now "$T"
expect 0 "valid" -- "$JW" verify --secret "$SECRET" --body "$BODY" --header "svix-id: $ID" --header "svix-timestamp: $T" --header "svix-signature: $SIG" --now "$T"
expect 0 '\{"ok":true,"valid":true,"profile":"standard","signature_checked":true,"matched_secret":0,.*"message_id":"msg_p5jXN8AQM9LWM0D4loKWxJek".*' -- "$JW" verify --json --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now "$T"
expect 1 "signature_mismatch.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $WRONG" --now "$T"
expect 0 "valid" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $WRONG v2,x $SIG" --now "$T"
expect 1 "malformed_signature.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: v1,abc" --now "$T"
expect 1 "timestamp_too_old.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now $((T + 301))
expect 1 "timestamp_too_new.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now $((T - 301))
expect 1 "missing_message_id.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" --header "webhook-timestamp: $T" --header "webhook-signature: $SIG" --now "$T"
expect 1 "ambiguous_header.*" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --header "svix-signature: $WRONG" --header "svix-id: $ID" --header "svix-timestamp: $T" --now "$T"
# The wrong scheme for the profile, and the wrong key for the profile: said as such.
expect 1 "signature_scheme_mismatch: .*--profile standard.*" -- "$JW" verify --profile ai-stats --secret "$SECRET" --body "$BODY" --header "x-ai-stats-timestamp: $T" --header "x-ai-stats-signature: $SIG" --now "$T"
# A Standard Webhooks secret used with a service profile: the mismatch says what is likely.
expect 1 "signature_mismatch: .*shaped like a Standard Webhooks key.*" -- "$JW" verify --profile ai-stats --secret "$SECRET" --body "$BODY" --header "x-ai-stats-timestamp: $T" --header "x-ai-stats-signature: $(printf 'a%.0s' {1..64})" --now "$T"
expect 1 "signature_mismatch: the signature does not match the body and timestamp" -- "$JW" verify --profile ai-stats --secret whsec_test_123 --body "$BODY" --header "x-ai-stats-timestamp: $T" --header "x-ai-stats-signature: $(printf 'a%.0s' {1..64})" --now "$T"
expect 1 "signature_scheme_mismatch: .*" -- "$JW" verify --profile standard --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $(printf 'a%.0s' {1..64})" --now "$T"
expect 1 "invalid_key.*" -- "$JW" verify --profile standard --secret "whsec_not*base64" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now "$T"
expect 1 "key_format_mismatch.*" -- "$JW" verify --secret "whpk_$(printf '%32s' | base64 -w0)" --body "$BODY" "${H[@]}" --header "webhook-signature: $SIG" --now "$T"
expect 0 "valid" -- "$JW" verify --profile openai --secret "$RAW" --body "$BODY" "${H[@]}" --header "webhook-signature: $OAI" --now "$T"
# Detected (auto): the secret is prepared for every scheme; under standard it is no key.
expect 1 "key_format_mismatch.*" -- "$JW" verify --secret "$RAW" --body "$BODY" "${H[@]}" --header "webhook-signature: $OAI" --now "$T"
expect 1 "invalid_key.*" -- "$JW" verify --profile standard --secret "$RAW" --body "$BODY" "${H[@]}" --header "webhook-signature: $OAI" --now "$T"

# --- keygen ----------------------------------------------------------------------------
expect 0 "whsec_[A-Za-z0-9+/]{43}=" -- "$JW" keygen
expect 0 "whsk_[A-Za-z0-9+/]{86}==" -- "$JW" keygen --profile standard --asymmetric
NEWSECRET=$("$JW" keygen)
S2=$("$JW" sign --profile standard --secret "$NEWSECRET" --id "$ID" --timestamp "$T" --body "$BODY")
expect 0 "valid" -- "$JW" verify --secret "$NEWSECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $S2" --now "$T"

# --- v1a: Ed25519 interoperability with openssl pkeyutl, both ways ----------------------
PAIR=$("$JW" keygen --asymmetric)
WHSK=$(sed -n 1p <<<"$PAIR")
WHPK=$(sed -n 2p <<<"$PAIR")
printf '%s' "$ID.$T.$BODY" > "$TMPD/msg"
# jobwire signs, openssl verifies (the public key as DER SubjectPublicKeyInfo).
V1A=$("$JW" sign --profile standard --signing-key "$WHSK" --id "$ID" --timestamp "$T" --body "$BODY")
printf '%s' "${V1A#v1a,}" | base64 -d > "$TMPD/sig.bin"
{ printf '302a300506032b6570032100' | xxd -r -p; printf '%s' "${WHPK#whpk_}" | base64 -d; } > "$TMPD/pub.der"
checks=$((checks + 1))
if ! openssl pkeyutl -verify -pubin -inkey "$TMPD/pub.der" -keyform DER -rawin -in "$TMPD/msg" -sigfile "$TMPD/sig.bin" >/dev/null 2>&1; then
  echo "FAIL: openssl pkeyutl does not verify jobwire's v1a signature" >&2
  failures=$((failures + 1))
fi
# The seed of whsk_ derives the public key of whpk_ in OpenSSL too (PKCS#8 DER of the seed).
{ printf '302e020100300506032b657004220420' | xxd -r -p; printf '%s' "${WHSK#whsk_}" | base64 -d | head -c 32; } > "$TMPD/key.der"
checks=$((checks + 1))
if [[ "$(openssl pkey -inform DER -in "$TMPD/key.der" -pubout -outform DER | tail -c 32 | base64 -w0)" != "${WHPK#whpk_}" ]]; then
  echo "FAIL: openssl derives another public key from jobwire's whsk_ seed" >&2
  failures=$((failures + 1))
fi
expect 0 "valid" -- "$JW" verify --public-key "$WHPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $V1A" --now "$T"
# openssl signs, jobwire verifies (a key made by openssl genpkey).
openssl genpkey -algorithm ed25519 -outform DER -out "$TMPD/ossl.der" 2>/dev/null
OPK="whpk_$(openssl pkey -inform DER -in "$TMPD/ossl.der" -pubout -outform DER | tail -c 32 | base64 -w0)"
OSIG="v1a,$(openssl pkeyutl -sign -inkey "$TMPD/ossl.der" -keyform DER -rawin -in "$TMPD/msg" | base64 -w0)"
expect 0 "valid" -- "$JW" verify --public-key "$OPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $OSIG" --now "$T"
expect 0 '\{"ok":true,"valid":true,"profile":"standard","signature_checked":true,"matched_secret":1,.*' -- "$JW" verify --json --secret "$SECRET" --public-key "$OPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $WRONG $OSIG" --now "$T"
expect 1 "signature_mismatch.*" -- "$JW" verify --public-key "$WHPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $OSIG" --now "$T"
expect 1 "signature_mismatch.*" -- "$JW" verify --public-key "$OPK" --body "$BODY x" "${H[@]}" --header "webhook-signature: $OSIG" --now "$T"
expect 0 '\{"action":"process","http_status":200,"reason":"processed",.*' -- \
  "$JW" receive --public-key "$OPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $OSIG" --now "$T" --db "$TMPD/v1a.sqlite"
# A sender moving to Ed25519 signs with both; each receiver's key accepts.
BOTH=$("$JW" sign --profile standard --secret "$SECRET" --signing-key "$WHSK" --id "$ID" --timestamp "$T" --body "$BODY")
expect 0 "valid" -- "$JW" verify --secret "$SECRET" --body "$BODY" "${H[@]}" --header "webhook-signature: $BOTH" --now "$T"
expect 0 "valid" -- "$JW" verify --public-key "$WHPK" --body "$BODY" "${H[@]}" --header "webhook-signature: $BOTH" --now "$T"

# --- delivery --profile standard: a job delivery with webhook-* headers, round-tripped -----
"$JW" delivery --profile standard --secret "$SECRET" --kind video --job-id G-1 --internal-id 1 \
  --phase completed --data '{"status":"completed"}' --now "$T" > "$TMPD/req"
expect 0 "webhook-id: evt_video_1_video_completed" -- sed -n 2p "$TMPD/req"
expect 0 "valid" -- "$JW" verify --secret "$SECRET" --request "@$TMPD/req" --now "$T"
expect 0 '\{"action":"process","http_status":200,"reason":"processed","job_id":"","dedup_key":"whm:evt_video_1_video_completed",.*' -- \
  "$JW" receive --secret "$SECRET" --request "@$TMPD/req" --now "$T" --db "$TMPD/db.sqlite"
expect 0 '\{"action":"duplicate","http_status":200,"reason":"done",.*' -- \
  "$JW" receive --secret "$SECRET" --request "@$TMPD/req" --now "$((T + 60))" --db "$TMPD/db.sqlite"
expect 0 '\{"action":"reject","http_status":401,"reason":"signature_mismatch",.*' -- \
  "$JW" receive --secret "whsec_$(printf '%32s' | tr ' ' 'k' | base64 -w0)" --request "@$TMPD/req" --now "$T" --db "$TMPD/db.sqlite"
expect 1 "malformed_message_id.*" -- "$JW" delivery --profile standard --secret "$SECRET" --kind video --job-id G-1 \
  --internal-id 1 --phase completed --data '{"status":"completed"}' --id a.b --now "$T"
expect 2 ".*" -- "$JW" delivery --secret "$SECRET" --kind video --job-id G-1 --internal-id 1 --phase completed --data '{"status":"completed"}' --id x

finish
