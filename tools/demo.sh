#!/usr/bin/env bash
# The main command: the whole protocol working on loopback.
#   tools/demo.sh [jobwire demo options, e.g. --verbose]
# Installs the Debian packages the demo needs (tools/deps.sh examples; a no-op when they
# are present), builds the release preset without tests, and runs `jobwire demo`: a
# simulated gateway, a webhook receiver and a polling client, with a summary table at the
# end. Exit status is the demo's: 0 only if every expectation held.
#
# The build is the preset's whole default target (tool, examples, C API), not only what the
# demo runs, so that `cmake --install build/release --prefix …` works afterwards. It says
# what it is doing: the first build takes a minute or two, later runs only relink what
# changed.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "demo.sh: $*" >&2; }
say "checking the Debian packages the demo needs (tools/deps.sh examples)"
tools/deps.sh examples
log=$(mktemp)
trap 'rm -f "$log"' EXIT
say "configuring build/release (cmake --preset release, tests off, examples on)"
if ! cmake --preset release -DJOBWIRE_BUILD_TESTS=OFF -DJOBWIRE_BUILD_EXAMPLES=ON >"$log" 2>&1; then
  cat "$log" >&2
  say "configuring failed (output above)"
  exit 3
fi
say "building jobwire, the example gateway, receiver and poller, and the C API (first run: 1-3 min, longer on a busy machine)"
start=$SECONDS
# Ninja's "[k/N] Building CXX object …/name.cpp.o" lines become one short line per compiled
# file, so a long first build visibly progresses; the full output is kept for a failure.
set +e
cmake --build --preset release -j "$(nproc)" 2>&1 | tee "$log" |
  sed -un 's|^\[\([0-9]*\)/\([0-9]*\)\] Building C\(XX\)\{0,1\} object .*/CMakeFiles/\([^/]*\)\.dir/\(.*/\)\{0,1\}\([^/]*\)\.o$|  [\1/\2] compiling \4: \6|p' >&2
build_status=${PIPESTATUS[0]}
set -e
if [[ $build_status -ne 0 ]]; then
  cat "$log" >&2
  say "the build failed (output above)"
  exit 3
fi
say "built in $((SECONDS - start)) s; starting the demo"
exec build/release/bin/jobwire demo "$@"
