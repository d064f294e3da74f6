#!/usr/bin/env bash
# OSS-Fuzz build script: builds every fuzz target with the engine OSS-Fuzz provides and
# writes binaries, seed corpora and dictionaries to $OUT. Also usable locally:
#   CXX=clang++ CXXFLAGS="-fsanitize=address,fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#   OUT=/tmp/out fuzz/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/.." && pwd)"
: "${CXX:=clang++}" "${CXXFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=$src/build/oss-fuzz}"
mkdir -p "$OUT"
for f in "$here"/fuzz_*.cpp; do
  target=$(basename "$f" .cpp)
  name=${target#fuzz_}
  extra=()
  # Targets that wrap the compiled C shim build its sources in (fuzz_<name>.cmake links
  # jobwire::c_static for them); the CLI request reader's target builds the CLI's reader.
  case "$name" in
    c_api | c_receiver | verdict) extra+=("$src"/src/jobwire_c*.cpp) ;;
    cli_request) extra+=("$src/tools/jobwire/cli.cpp" -I"$src/tools/jobwire") ;;
  esac
  libs=(-lcrypto)
  # The differential JSON target links its reference parsers (nlohmann::json is header-only).
  [[ "$name" == json_diff ]] && libs+=(-lsimdjson)
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -std=c++17 -I"$src/include" "$f" "${extra[@]}" $LIB_FUZZING_ENGINE \
    "${libs[@]}" -o "$OUT/$target"
  if [[ -d "$here/corpus/$name" ]]; then
    (cd "$here/corpus/$name" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
  [[ -f "$here/dict/$name.dict" ]] && cp "$here/dict/$name.dict" "$OUT/$target.dict"
done
echo "built $(find "$OUT" -maxdepth 1 -name "fuzz_*" -type f -executable | wc -l) targets into $OUT"
