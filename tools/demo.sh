#!/usr/bin/env bash
# The main job: builds jobwire and runs it on a sample delivery: sign it, verify it as a
# receiver would, and show that a tampered body is rejected. Exits non-zero if any
# outcome differs from the expected one.
# (Installs missing Debian packages first; see tools/deps.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh examples
cmake --preset release -DJOBWIRE_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j "$(nproc)" --target jobwire_cli | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
jw=build/release/bin/jobwire
sample=examples/sample/delivery.json
# A demonstration secret and a fixed clock, so that the run is reproducible.
secret=whsec_demo_secret
ts=1781166600

fail() { echo "demo: $*" >&2; exit 1; }

echo "--- jobwire parse --as json $sample"
"$jw" parse --as json "@$sample"

echo "--- jobwire sign --secret <demo secret> --timestamp $ts --body @$sample"
sig=$("$jw" sign --secret "$secret" --timestamp "$ts" --body "@$sample")
echo "$sig"
[[ $sig =~ ^[0-9a-f]{64}$ ]] || fail "sign did not print a 64-character hex signature"

headers=(--header "X-AI-Stats-Timestamp: $ts" --header "X-AI-Stats-Signature: $sig"
         --header "X-AI-Stats-Event-Id: evt_video_G-7f3a_video_completed"
         --header "X-AI-Stats-Event-Type: video.completed"
         --header "X-AI-Stats-Delivery-Key: video.completed"
         --header "X-AI-Stats-Attempt: 1" --header "X-AI-Stats-Max-Attempts: 4")

echo "--- jobwire verify (genuine delivery, 60 s after it was signed)"
set +e
out=$("$jw" verify --secret "$secret" --body "@$sample" "${headers[@]}" --now $((ts + 60)) --json)
status=$?
set -e
echo "$out"
[[ $status -eq 0 && $out == '{"ok":true,"valid":true,'* ]] || fail "the genuine delivery did not verify (exit $status)"

echo "--- jobwire verify (tampered body: progress 100 -> 99)"
tampered=$(mktemp)
trap 'rm -f "$tampered"' EXIT
sed 's/"progress":100/"progress":99/' "$sample" > "$tampered"
cmp -s "$sample" "$tampered" && fail "could not tamper with the sample"
set +e
out=$("$jw" verify --secret "$secret" --body "@$tampered" "${headers[@]}" --now $((ts + 60)))
status=$?
set -e
echo "$out"
[[ $status -eq 1 && ${out%%$'\n'*} == signature_mismatch* ]] ||
  fail "the tampered delivery was not rejected with signature_mismatch (exit $status)"
echo "--- demo passed: genuine delivery valid, tampered delivery rejected"
