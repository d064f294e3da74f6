// json/<impl>/validate_8k: whole-document validation of an 8 KiB JSON text (RFC 8259
// grammar and UTF-8), the first thing a receiver does with a body. jobwire's reader also
// rejects duplicate keys and enforces its limits; the baselines do the least their
// library offers for "is this valid JSON": RapidJSON's SAX reader with a no-op handler
// and encoding validation, nlohmann's accept() (no DOM), simdjson's DOM parser (its
// validation is the tape build; the parser is reused, so it does not allocate). The
// payload-level comparison (parse + validate + extract) lives in bench_envelope.cpp.
#include <string>

#include <benchmark/benchmark.h>
#include <jobwire/json.hpp>
#include <nlohmann/json.hpp>
#include <rapidjson/reader.h>
#include <simdjson.h>

#include "alloc_counter.hpp"

namespace {
std::string make_document() {
  std::string s = "{\"items\":[";
  for (int i = 0; i < 64; ++i) {
    if (i) s += ',';
    s += "{\"id\":\"G-" + std::to_string(i) + "\",\"status\":\"processing\",\"progress\":" + std::to_string(i) +
         ",\"ratio\":0." + std::to_string(i) + ",\"ok\":true,\"note\":\"caf\\u00e9\"}";
  }
  s += "]}";
  return s;
}

// Every implementation must call the document valid, or the comparison is meaningless.
void require(bool ok, benchmark::State& state) {
  if (!ok) state.SkipWithError("the implementation rejected the benchmark document");
}

void json_jobwire(benchmark::State& state) {
  const std::string doc = make_document();
  require(jobwire::json::validate(doc).has_value(), state);
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    auto st = jobwire::json::validate(doc);
    benchmark::DoNotOptimize(st);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}

void json_rapidjson(benchmark::State& state) {
  const std::string doc = make_document();
  auto run = [&doc] {
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::StringStream in(doc.c_str());
    return !reader.Parse<rapidjson::kParseValidateEncodingFlag>(in, handler).IsError();
  };
  require(run(), state);
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) benchmark::DoNotOptimize(run());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}

void json_nlohmann(benchmark::State& state) {
  const std::string doc = make_document();
  require(nlohmann::json::accept(doc), state);
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::accept(doc));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}

void json_simdjson(benchmark::State& state) {
  const simdjson::padded_string doc(make_document());
  simdjson::dom::parser parser;
  require(parser.parse(doc).error() == simdjson::SUCCESS, state);
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse(doc).error());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
}  // namespace

BENCHMARK(json_jobwire)->Name("json/jobwire/validate_8k");
BENCHMARK(json_rapidjson)->Name("json/rapidjson/validate_8k");
BENCHMARK(json_nlohmann)->Name("json/nlohmann/validate_8k");
BENCHMARK(json_simdjson)->Name("json/simdjson/validate_8k");
