#!/usr/bin/env bash
# Installs the Debian packages jobwire needs that are missing (non-interactive).
#   tools/deps.sh [test] [bench] [examples] [browser]   (core is always included)
# Already-installed packages are left alone, so this is quick on a prepared machine.
set -euo pipefail

declare -A groups=(
  [core]="cmake ninja-build g++ pkg-config libssl-dev"
  [test]="clang clang-format libclang-rt-14-dev catch2 valgrind python3 libsqlite3-dev sqlite3 libhiredis-dev redis-server libpq-dev postgresql libbenchmark-dev libsimdjson-dev rapidjson-dev nlohmann-json3-dev libboost-url1.81-dev libcpp-httplib-dev"
  [bench]="libbenchmark-dev libsimdjson-dev rapidjson-dev nlohmann-json3-dev libboost-url1.81-dev libsqlite3-dev libcpp-httplib-dev libpq-dev"
  [examples]="libsqlite3-dev libcpp-httplib-dev"
  [browser]="chromium"
)

# shellcheck disable=SC2206
wanted=(${groups[core]})
for g in "$@"; do
  [[ -n "${groups[$g]:-}" ]] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
  # shellcheck disable=SC2206
  wanted+=(${groups[$g]})
done

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# De-duplicate.
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "deps.sh: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
