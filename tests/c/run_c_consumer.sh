#!/usr/bin/env bash
# Installs jobwire into a scratch prefix and builds a C program against what was installed,
# three ways: pkg-config with the shared library, pkg-config --static jobwire-static with the
# archive (run without LD_LIBRARY_PATH),
# and CMake's find_package(jobwire) with the jobwire::c target.
#   run_c_consumer.sh BUILD_DIR WORK_DIR CC "EXTRA_FLAGS" "EXTRA_LINK_FLAGS"
# In a sanitizer build the installed library needs the sanitizer flags (EXTRA_FLAGS) and,
# with Clang, the C++ part of the sanitizer runtime (EXTRA_LINK_FLAGS).
set -euo pipefail
build=$1 work=$2 cc=$3
extra_arg=${4:-} link_arg=${5:-}
read -r -a extra <<<"${extra_arg//;/ }"
read -r -a extra_link <<<"${link_arg//;/ }"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/include/jobwire_c.h"
pc=$(find "$work/prefix" -name jobwire.pc -print -quit)
[[ -n "$pc" ]] || { echo "jobwire.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir=$(pkg-config --variable=libdir jobwire)
read -r -a cflags <<<"$(pkg-config --cflags jobwire)"
read -r -a libs <<<"$(pkg-config --libs jobwire)"

echo "== pkg-config, shared library"
"$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror "${extra[@]}" "${cflags[@]}" "$here/consumer/consumer.c" \
  -o "$work/consumer_shared" "${libs[@]}" "-Wl,-rpath,$libdir" "${extra_link[@]}"
"$work/consumer_shared"
# The program must really use the installed shared library.
deps=$(ldd "$work/consumer_shared")
grep -qF "$libdir/libjobwire_c.so" <<<"$deps" || { echo "not linked against $libdir: $deps"; exit 1; }

echo "== pkg-config --static jobwire-static, archive"
# The module jobwire-static names the archive by path; the program must run with neither
# LD_LIBRARY_PATH nor an rpath, and must not load libjobwire_c.so.
read -r -a static_libs <<<"$(pkg-config --static --libs jobwire-static)"
read -r -a static_cflags <<<"$(pkg-config --static --cflags jobwire-static)"
"$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror "${extra[@]}" "${static_cflags[@]}" "$here/consumer/consumer.c" \
  -o "$work/consumer_static" "${static_libs[@]}" "${extra_link[@]}"
env -u LD_LIBRARY_PATH "$work/consumer_static"
deps=$(env -u LD_LIBRARY_PATH ldd "$work/consumer_static")
if grep -q libjobwire_c <<<"$deps"; then echo "static consumer loads the shared library: $deps"; exit 1; fi
if readelf -d "$work/consumer_static" | grep -Eq 'RPATH|RUNPATH'; then echo "static consumer has an rpath"; exit 1; fi

echo "== CMake find_package(jobwire), jobwire::c"
cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_C_FLAGS="${extra[*]}" -DCMAKE_EXE_LINKER_FLAGS="${extra_link[*]}" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/cmake" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/cmake/consumer"
