// Counts heap allocations made by the process (global operator new replaced in
// alloc_counter.cpp). Benchmarks report allocations per operation in the user counter
// `allocs_per_op` (ENGINEERING.md).
#pragma once

#include <atomic>
#include <cstdint>

#include <benchmark/benchmark.h>

namespace jobwire_bench {

std::uint64_t allocation_count() noexcept;

/// Measures allocations across a benchmark's timed loop:
///   alloc_scope a(state);  for (auto _ : state) {...}  // destructor sets the counter
class alloc_scope {
 public:
  explicit alloc_scope(benchmark::State& state) : state_(state), start_(allocation_count()) {}
  ~alloc_scope() {
    const std::uint64_t n = allocation_count() - start_;
    const auto iters = state_.iterations() ? state_.iterations() : 1;
    state_.counters["allocs_per_op"] = static_cast<double>(n) / static_cast<double>(iters);
  }
  alloc_scope(const alloc_scope&) = delete;
  alloc_scope& operator=(const alloc_scope&) = delete;

 private:
  benchmark::State& state_;
  std::uint64_t start_;
};

}  // namespace jobwire_bench
