// json/jobwire/<case>: strict validation throughput of the JSON reader on its own. The
// payload-level comparison against simdjson/RapidJSON/nlohmann lives in the envelope
// benchmarks.
#include <string>

#include <benchmark/benchmark.h>
#include <jobwire/json.hpp>

#include "alloc_counter.hpp"

namespace {
std::string make_document() {
  std::string s = "{\"items\":[";
  for (int i = 0; i < 64; ++i) {
    if (i) s += ',';
    s += "{\"id\":\"G-" + std::to_string(i) + "\",\"status\":\"processing\",\"progress\":" +
         std::to_string(i) + ",\"ratio\":0." + std::to_string(i) + ",\"ok\":true,\"note\":\"caf\\u00e9\"}";
  }
  s += "]}";
  return s;
}

void json_validate(benchmark::State& state) {
  const std::string doc = make_document();
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    auto st = jobwire::json::validate(doc);
    benchmark::DoNotOptimize(st);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
}  // namespace

BENCHMARK(json_validate)->Name("json/jobwire/validate_8k");
