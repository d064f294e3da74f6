#!/usr/bin/env bash
# The main job: builds jobwire and runs it on a sample delivery.
# (Installs missing Debian packages first; see tools/deps.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh examples
cmake --preset release -DJOBWIRE_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j "$(nproc)" --target jobwire_cli | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
jw=build/release/bin/jobwire
echo "--- jobwire parse --as json examples/sample/delivery.json"
"$jw" parse --as json @examples/sample/delivery.json
