#!/usr/bin/env bash
# The Debian package (cmake/packaging.cmake), from the build under test: `cpack -G DEB`,
# its control fields and file list (dpkg-deb --info / --contents), its dependencies
# satisfied on this machine, then its content extracted (dpkg-deb -x, which installs
# nothing) into a scratch root and used from there: a C++ program through
# find_package(jobwire), a C program through pkg-config (shared and static) and through
# find_package (jobwire::c), and the packaged `jobwire` tool.
#   run_deb.sh SOURCE_DIR BUILD_DIR WORK_DIR VERSION CXX CC TOOL_BUILT(0|1)
# Exit status 77 (skipped) when dpkg-deb is not installed (not a Debian system).
set -euo pipefail
src=$1 build=$2 work=$3 version=$4 cxx=$5 cc=$6 tool=$7
for t in dpkg-deb dpkg-shlibdeps cpack pkg-config; do
  command -v "$t" >/dev/null || { echo "skipped: $t is not installed"; exit 77; }
done
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
arch=$(dpkg --print-architecture)
deb="$work/cpack/jobwire_${version}_${arch}.deb"
[[ -f "$deb" ]] || { ls -l "$work/cpack"; fail "no package named $(basename "$deb")"; }

echo "== dpkg-deb --info"
dpkg-deb --info "$deb" >"$work/info.txt"
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == jobwire ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), the project's is $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: $(field Architecture)"
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^\>@]+@[^\>]+\>$ ]] || fail "Maintainer is not 'Name <address>': $(field Maintainer)"
[[ -n $(field Description) ]] || fail "no Description"
depends=$(field Depends)
echo "Depends: $depends"
# Computed by dpkg-shlibdeps from the library and the tool, plus the declared libssl-dev.
dep_names=$(sed -E 's/ *\([^)]*\)//g; s/ *\| */\n/g; s/, */\n/g' <<<"$depends")
for dep in libc6 libstdc++6 libssl3 libssl-dev; do
  grep -qxF "$dep" <<<"$dep_names" || fail "Depends lacks $dep"
done
# Every dependency is satisfied on this machine (what `dpkg -i` would check): each
# comma-separated group needs one installed alternative of a sufficient version.
IFS=',' read -r -a groups <<<"$depends"
for group in "${groups[@]}"; do
  ok=0
  IFS='|' read -r -a alts <<<"$group"
  for alt in "${alts[@]}"; do
    read -r name op ver <<<"$(sed -E 's/^ *([^ (]+) *(\(([<>=]+) *([^)]+)\))? *$/\1 \3 \4/' <<<"$alt")"
    name=${name%%:*}
    installed=$(dpkg-query -W -f='${Status} ${Version}\n' "$name" 2>/dev/null | awk '$3 == "installed" {print $4; exit}')
    [[ -n $installed ]] || continue
    if [[ -z ${op:-} ]] || dpkg --compare-versions "$installed" "$op" "$ver"; then ok=1; break; fi
  done
  [[ $ok == 1 ]] || fail "dependency not satisfied here: $group"
done
# libjobwire_c's shlibs (packages built against it depend on this one) and the ldconfig
# run by postinst for the shared library.
mkdir "$work/control"
dpkg-deb --control "$deb" "$work/control"
[[ -f "$work/control/shlibs" ]] || fail "no shlibs control file"
grep -q "^libjobwire_c " "$work/control/shlibs" || fail "shlibs does not name libjobwire_c"
grep -q "ldconfig" "$work/control/postinst" 2>/dev/null || fail "postinst does not run ldconfig"

# As root, dpkg itself says whether it would install the package (--dry-run writes
# nothing); skipped when another process holds dpkg's lock.
if [[ $(id -u) == 0 ]]; then
  if dpkg --dry-run -i "$deb" >"$work/dry-run.log" 2>&1; then
    echo "dpkg --dry-run -i: would install"
  elif grep -q 'lock' "$work/dry-run.log"; then
    echo "dpkg --dry-run -i: skipped, dpkg's lock is held"
  else
    cat "$work/dry-run.log"; fail "dpkg --dry-run -i"
  fi
fi

echo "== dpkg-deb --contents"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents.txt"
has() { grep -Eq "$1" "$work/contents.txt" || fail "the package has no $1"; }
has '^/usr/include/jobwire/jobwire\.hpp$'
has '^/usr/include/jobwire/receiver\.hpp$'
has '^/usr/include/jobwire/stores/sqlite\.hpp$'
has '^/usr/include/jobwire_c\.h$'
has '^/usr/lib/([^/]+/)?cmake/jobwire/jobwireConfig\.cmake$'
has '^/usr/lib/([^/]+/)?cmake/jobwire/jobwireConfigVersion\.cmake$'
has '^/usr/lib/([^/]+/)?cmake/jobwire/jobwireTargets\.cmake$'
has '^/usr/lib/([^/]+/)?pkgconfig/jobwire\.pc$'
has '^/usr/lib/([^/]+/)?pkgconfig/jobwire-static\.pc$'
has '^/usr/lib/([^/]+/)?libjobwire_c\.so$'
has '^/usr/lib/([^/]+/)?libjobwire_c\.so\.[0-9]+\.[0-9]+$'
has '^/usr/lib/([^/]+/)?libjobwire_c\.a$'
if [[ $tool == 1 ]]; then has '^/usr/bin/jobwire$'; fi
# The example programs are the demo's, not part of the package.
if grep -Eq '/bin/jobwire-' "$work/contents.txt"; then fail "example programs packaged: $(grep /bin/jobwire- "$work/contents.txt")"; fi
if grep -Eq '^/usr/local/' "$work/contents.txt"; then fail "files under /usr/local"; fi

echo "== dpkg-deb -x"
root="$work/root"
dpkg-deb -x "$deb" "$root"
# No text file installed (headers, CMake package, pkg-config modules) may name the build
# or source tree: the package must work wherever it is unpacked. (Binaries of a Debug
# build name their sources in their debug information; that is not looked at.)
if grep -rlIF -e "$build" -e "$src" "$root" >"$work/paths.txt"; then
  cat "$work/paths.txt"; fail "packaged files name the build or source directory"
fi
pc=$(find "$root" -name jobwire.pc -print -quit)
libdir=$(dirname "$(dirname "$pc")")

echo "== C++ consumer, find_package(jobwire) in the extracted tree"
cmake -S "$src/tests/consumer/find_package" -B "$work/cxx" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF >"$work/cxx.configure.log" ||
  { cat "$work/cxx.configure.log"; fail "configure (C++ consumer)"; }
grep -q "jobwire_DIR:PATH=$root/usr/" "$work/cxx/CMakeCache.txt" || fail "find_package did not find the extracted package"
cmake --build "$work/cxx" >"$work/cxx.build.log" 2>&1 || { cat "$work/cxx.build.log"; fail "build (C++ consumer)"; }
"$work/cxx/consumer"

echo "== C consumer, pkg-config jobwire (shared library)"
export PKG_CONFIG_PATH="$(dirname "$pc")"
read -r -a cflags <<<"$(pkg-config --cflags jobwire)"
read -r -a libs <<<"$(pkg-config --libs jobwire)"
[[ $(pkg-config --modversion jobwire) == "$version" ]] || fail "jobwire.pc version $(pkg-config --modversion jobwire)"
"$cc" -std=c99 -Wall -Wextra -Werror "${cflags[@]}" "$src/tests/c/consumer/consumer.c" -o "$work/c_shared" \
  "${libs[@]}" "-Wl,-rpath,$libdir"
"$work/c_shared"
grep -qF "$libdir/libjobwire_c.so" <<<"$(ldd "$work/c_shared")" || fail "the C consumer does not load the packaged library"

echo "== C consumer, pkg-config --static jobwire-static"
read -r -a scflags <<<"$(pkg-config --static --cflags jobwire-static)"
read -r -a slibs <<<"$(pkg-config --static --libs jobwire-static)"
"$cc" -std=c99 -Wall -Wextra -Werror "${scflags[@]}" "$src/tests/c/consumer/consumer.c" -o "$work/c_static" "${slibs[@]}"
env -u LD_LIBRARY_PATH "$work/c_static"
if ldd "$work/c_static" | grep -q libjobwire_c; then fail "the static consumer loads libjobwire_c.so"; fi

echo "== C consumer, find_package(jobwire) and jobwire::c"
cmake -S "$src/tests/c/consumer" -B "$work/c_cmake" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF >"$work/c_cmake.configure.log" ||
  { cat "$work/c_cmake.configure.log"; fail "configure (C consumer)"; }
cmake --build "$work/c_cmake" >"$work/c_cmake.build.log" 2>&1 || { cat "$work/c_cmake.build.log"; fail "build (C consumer)"; }
"$work/c_cmake/consumer"

if [[ $tool == 1 ]]; then
  echo "== the packaged jobwire tool"
  jw="$root/usr/bin/jobwire"
  [[ $("$jw" --version) == "jobwire $version" ]] || fail "jobwire --version: $("$jw" --version)"
  # A signature from the packaged tool equals OpenSSL's HMAC-SHA256 of "<timestamp>.<body>"
  # (PROTOCOL.md §9's vector when OpenSSL's command-line tool is not installed).
  body='{"id":"evt_123","type":"batch.completed","data":{"id":"batch_123","status":"completed"}}'
  got=$("$jw" sign --secret whsec_test_123 --timestamp 1781166600 --body "$body")
  if command -v openssl >/dev/null; then
    want=$(printf '%s' "1781166600.$body" | openssl dgst -sha256 -hmac whsec_test_123 -r | cut -d' ' -f1)
  else
    want=bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39
  fi
  [[ $got == "$want" ]] || fail "jobwire sign: $got, expected $want"
  echo "jobwire sign agrees with HMAC-SHA256 computed independently"
fi
echo "package ok: $(basename "$deb")"
