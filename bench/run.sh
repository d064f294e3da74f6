#!/usr/bin/env bash
# Builds jobwire_bench (Release), runs every benchmark once with repetitions, and
# regenerates the summary table of docs/PERFORMANCE.md from that one run.
#   bench/run.sh [REPETITIONS]    (default 10; run on a quiet machine)
# Repetitions are randomly interleaved across benchmarks, so a slow phase of a shared
# machine (frequency, other tenants) lands on subjects and baselines alike instead of
# on whichever benchmark happened to run during it; ratios are of medians.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-10}
tools/deps.sh bench
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DJOBWIRE_BUILD_BENCHMARKS=ON \
  -DJOBWIRE_BUILD_TESTS=OFF -DJOBWIRE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/bench -j "$(nproc)" --target jobwire_bench
build/bench/bin/jobwire_bench --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
  --benchmark_min_warmup_time=0.1 --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out=build/bench/run.json --benchmark_out_format=json >/dev/null
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build/bench/CMakeCache.txt)
python3 bench/report.py build/bench/run.json --compiler "$("${compiler:-c++}" --version | head -n1)" \
  --openssl "$(openssl version 2>/dev/null | cut -d' ' -f1-2)"
