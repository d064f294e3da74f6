#!/usr/bin/env bash
# Builds and runs a consumer project against jobwire.
#   run_consumer.sh find_package|add_subdirectory SOURCE_DIR BUILD_DIR WORK_DIR CXX
set -euo pipefail
mode=$1 src=$2 build=$3 work=$4 cxx=$5
rm -rf "$work"
mkdir -p "$work"
here="$(cd "$(dirname "$0")" && pwd)"
case "$mode" in
  find_package)
    cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
    test -f "$work/prefix/include/jobwire/jobwire.hpp"
    cmake -S "$here/find_package" -B "$work/build" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log"
    ;;
  add_subdirectory)
    cmake -S "$here/add_subdirectory" -B "$work/build" -DCMAKE_CXX_COMPILER="$cxx" \
      -DJOBWIRE_SOURCE_DIR="$src" >"$work/configure.log"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/build/consumer"
