#!/usr/bin/env bash
# The main command: the whole protocol working on loopback in well under a minute.
#   tools/demo.sh [jobwire demo options, e.g. --verbose]
# Installs the Debian packages the demo needs (tools/deps.sh examples; a no-op when they
# are present), builds the release preset without tests, and runs `jobwire demo`: a
# simulated gateway, a webhook receiver and a polling client, with a summary table at the
# end. Exit status is the demo's: 0 only if every expectation held.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh examples
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { cmake --preset release -DJOBWIRE_BUILD_TESTS=OFF -DJOBWIRE_BUILD_EXAMPLES=ON &&
       cmake --build --preset release -j "$(nproc)" \
         --target jobwire_cli jobwire-gateway jobwire-receiver jobwire-poller; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "demo.sh: the build failed (output above)" >&2
  exit 3
fi
exec build/release/bin/jobwire demo "$@"
