#!/usr/bin/env bash
# Runs every libFuzzer binary of a fuzz build: first a replay of its seed corpus, then
# fuzzing for a bounded time. New interesting inputs go to a scratch corpus, not to the
# repository; a crash fails the run and leaves its reproducer in the scratch directory.
#   fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}
secs=${2:-10}
scratch="$build/fuzz-scratch"
mkdir -p "$scratch"
failed=0
for bin in "$build"/fuzz/fuzz_*; do
  [[ -x "$bin" ]] || continue
  target=$(basename "$bin")
  name=${target#fuzz_}
  corpus="$here/corpus/$name"
  dict=()
  [[ -f "$here/dict/$name.dict" ]] && dict=(-dict="$here/dict/$name.dict")
  mkdir -p "$scratch/$name"
  if ! "$bin" -runs=0 "${dict[@]}" "$corpus" >"$scratch/$name.replay.log" 2>&1; then
    echo "  $name: corpus replay FAILED"; tail -n 30 "$scratch/$name.replay.log"; failed=1; continue
  fi
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/$name-" \
       "${dict[@]}" "$scratch/$name" "$corpus" >"$scratch/$name.log" 2>&1; then
    echo "  $name: ok ($(grep -Eo 'Done [0-9]+ runs' "$scratch/$name.log" | tail -n1))"
  else
    echo "  $name: FAILED"; tail -n 40 "$scratch/$name.log"; failed=1
  fi
done
exit $failed
