// envelope/<impl>/<case>: parse + validate a webhook delivery body and extract what a
// receiver needs (PROTOCOL.md §10, §13): event id, event type, delivery key, attempt and
// max_attempts, job id, status and lifecycle_status (normalised, checked for agreement),
// progress, and whether signing is enabled. Every implementation does the same
// extraction and the same checks on those fields, from the same bytes, in one binary.
//
// What differs by design: jobwire validates the whole text (RFC 8259, UTF-8, duplicate
// keys) and type-checks every known field of the envelope; RapidJSON and nlohmann build a
// full DOM (syntax and UTF-8 validated, duplicates not detected); simdjson on-demand
// validates only what it touches (and UTF-8 of the whole input).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>
#include <jobwire/payload.hpp>
#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <simdjson.h>

#include "alloc_counter.hpp"

namespace {

struct receiver_fields {
  std::string_view event_id, type, delivery_key, job_id;
  std::uint32_t attempt = 0, max_attempts = 0;
  jobwire::job_status status = jobwire::job_status::queued;
  jobwire::lifecycle_status lifecycle = jobwire::lifecycle_status::pending;
  double progress = 0;
  bool has_secret = false;
};

std::string read_fixture(const char* name) {
  std::string path = std::string(JW_PAYLOAD_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `grown:N` is the progress envelope grown to about N bytes by a `data.pricing_breakdown`
// object (a §16.6 member the extraction does not read, so every reader still validates or
// skips it): how the cost of a body grows with its size. Anything else is a fixture.
std::string load(const char* spec) {
  constexpr std::string_view grown = "grown:";
  const std::string_view s(spec);
  if (s.substr(0, grown.size()) != grown) return read_fixture(spec);
  const std::size_t target = std::strtoull(spec + grown.size(), nullptr, 10);
  std::string body = read_fixture("envelope_progress.json");
  const std::size_t at = body.find("\"data\":{");
  if (at == std::string::npos) std::abort();
  std::string lines = "\"pricing_breakdown\":{\"currency\":\"USD\",\"lines\":[";
  for (std::size_t i = 0; body.size() + lines.size() < target; ++i) {
    if (i) lines += ',';
    lines += "{\"sku\":\"video-seconds-" + std::to_string(100000 + i) +
             "\",\"unit_price\":\"0.0123\",\"quantity\":" + std::to_string(i % 97) +
             ",\"note\":\"per-second rate of the 1080p tier\",\"discounted\":false}";
  }
  lines += "]},";
  body.insert(at + 8, lines);
  return body;
}

// The same status checks for every baseline: known words, and agreement (§3).
bool check_statuses(std::string_view status, std::string_view lifecycle, receiver_fields& f) {
  auto s = jobwire::parse_job_status(status);
  auto l = jobwire::parse_lifecycle_status(lifecycle);
  if (!s || !l || jobwire::to_lifecycle(*s) != *l) return false;
  f.status = *s;
  f.lifecycle = *l;
  return true;
}

// --- jobwire ---------------------------------------------------------------------------
bool extract_jobwire(const std::string& body, receiver_fields& f) {
  auto e = jobwire::parse_envelope(body);
  if (!e || !e->delivery.present) return false;
  f.event_id = e->id;
  f.type = e->type_text;
  f.delivery_key = e->delivery.key_text;
  f.attempt = e->delivery.attempt;
  f.max_attempts = e->delivery.max_attempts;
  f.job_id = e->data.id.str();
  f.status = e->data.status;
  f.lifecycle = e->data.lifecycle;
  f.progress = e->data.progress.value;
  f.has_secret = e->data.webhook.has_secret;
  return true;
}

// --- simdjson on-demand -----------------------------------------------------------------
struct simd_state {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded;
};

bool extract_simdjson(simd_state& st, receiver_fields& f) {
  using namespace simdjson;
  ondemand::document doc;
  if (st.parser.iterate(st.padded).get(doc)) return false;
  ondemand::object root;
  if (doc.get_object().get(root)) return false;
  std::string_view status, lifecycle;
  // Fields in document order (on-demand is a forward-only reader).
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "id") {
      if (field.value().get_string().get(f.event_id) || !jobwire::is_valid_event_id(f.event_id)) return false;
    } else if (key == "type") {
      if (field.value().get_string().get(f.type) || !jobwire::parse_event_type(f.type)) return false;
    } else if (key == "delivery") {
      ondemand::object d;
      if (field.value().get_object().get(d)) return false;
      for (auto m : d) {
        std::string_view k;
        if (m.unescaped_key().get(k)) return false;
        if (k == "key") {
          if (m.value().get_string().get(f.delivery_key) || !jobwire::parse_delivery_key(f.delivery_key)) return false;
        } else if (k == "attempt" || k == "max_attempts") {
          uint64_t v;
          if (m.value().get_uint64().get(v) || v < 1 || v > 0xFFFF) return false;
          (k == "attempt" ? f.attempt : f.max_attempts) = static_cast<std::uint32_t>(v);
        }
      }
    } else if (key == "data") {
      ondemand::object d;
      if (field.value().get_object().get(d)) return false;
      for (auto m : d) {
        std::string_view k;
        if (m.unescaped_key().get(k)) return false;
        if (k == "id") {
          if (m.value().get_string().get(f.job_id) || !jobwire::job_id_view::parse(f.job_id)) return false;
        } else if (k == "status") {
          if (m.value().get_string().get(status)) return false;
        } else if (k == "lifecycle_status") {
          if (m.value().get_string().get(lifecycle)) return false;
        } else if (k == "progress") {
          if (m.value().get_double().get(f.progress) || f.progress < 0 || f.progress > 100) return false;
        } else if (k == "webhook") {
          ondemand::object w;
          if (m.value().get_object().get(w)) return false;
          if (w["has_secret"].get_bool().get(f.has_secret)) return false;
        }
      }
    }
  }
  if (f.attempt > f.max_attempts) return false;
  return check_statuses(status, lifecycle, f);
}

// --- RapidJSON -------------------------------------------------------------------------
bool extract_rapidjson(rapidjson::Document& doc, const std::string& body, receiver_fields& f) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto str = [](const rapidjson::Value& o, const char* k, std::string_view& out) {
    auto it = o.FindMember(k);
    if (it == o.MemberEnd() || !it->value.IsString()) return false;
    out = std::string_view(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  if (!str(doc, "id", f.event_id) || !jobwire::is_valid_event_id(f.event_id)) return false;
  if (!str(doc, "type", f.type) || !jobwire::parse_event_type(f.type)) return false;
  auto d = doc.FindMember("delivery");
  if (d == doc.MemberEnd() || !d->value.IsObject()) return false;
  if (!str(d->value, "key", f.delivery_key) || !jobwire::parse_delivery_key(f.delivery_key)) return false;
  auto a = d->value.FindMember("attempt"), mx = d->value.FindMember("max_attempts");
  if (a == d->value.MemberEnd() || !a->value.IsUint() || mx == d->value.MemberEnd() || !mx->value.IsUint())
    return false;
  f.attempt = a->value.GetUint();
  f.max_attempts = mx->value.GetUint();
  if (f.attempt < 1 || f.attempt > f.max_attempts) return false;
  auto data = doc.FindMember("data");
  if (data == doc.MemberEnd() || !data->value.IsObject()) return false;
  const rapidjson::Value& dv = data->value;
  if (!str(dv, "id", f.job_id) || !jobwire::job_id_view::parse(f.job_id)) return false;
  std::string_view status, lifecycle;
  if (!str(dv, "status", status) || !str(dv, "lifecycle_status", lifecycle)) return false;
  auto p = dv.FindMember("progress");
  if (p != dv.MemberEnd()) {
    if (!p->value.IsNumber()) return false;
    f.progress = p->value.GetDouble();
    if (f.progress < 0 || f.progress > 100) return false;
  }
  auto w = dv.FindMember("webhook");
  if (w != dv.MemberEnd()) {
    if (!w->value.IsObject()) return false;
    auto hs = w->value.FindMember("has_secret");
    if (hs == w->value.MemberEnd() || !hs->value.IsBool()) return false;
    f.has_secret = hs->value.GetBool();
  }
  return check_statuses(status, lifecycle, f);
}

// --- nlohmann::json --------------------------------------------------------------------
bool extract_nlohmann(const std::string& body, receiver_fields& f, nlohmann::json& doc) {
  doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  auto str = [](const nlohmann::json& o, const char* k, std::string_view& out) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_string()) return false;
    const auto& s = it->get_ref<const std::string&>();
    out = s;
    return true;
  };
  if (!str(doc, "id", f.event_id) || !jobwire::is_valid_event_id(f.event_id)) return false;
  if (!str(doc, "type", f.type) || !jobwire::parse_event_type(f.type)) return false;
  auto d = doc.find("delivery");
  if (d == doc.end() || !d->is_object()) return false;
  if (!str(*d, "key", f.delivery_key) || !jobwire::parse_delivery_key(f.delivery_key)) return false;
  auto a = d->find("attempt"), mx = d->find("max_attempts");
  if (a == d->end() || !a->is_number_unsigned() || mx == d->end() || !mx->is_number_unsigned()) return false;
  f.attempt = a->get<std::uint32_t>();
  f.max_attempts = mx->get<std::uint32_t>();
  if (f.attempt < 1 || f.attempt > f.max_attempts) return false;
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) return false;
  if (!str(*data, "id", f.job_id) || !jobwire::job_id_view::parse(f.job_id)) return false;
  std::string_view status, lifecycle;
  if (!str(*data, "status", status) || !str(*data, "lifecycle_status", lifecycle)) return false;
  auto p = data->find("progress");
  if (p != data->end()) {
    if (!p->is_number()) return false;
    f.progress = p->get<double>();
    if (f.progress < 0 || f.progress > 100) return false;
  }
  auto w = data->find("webhook");
  if (w != data->end()) {
    if (!w->is_object()) return false;
    auto hs = w->find("has_secret");
    if (hs == w->end() || !hs->is_boolean()) return false;
    f.has_secret = hs->get<bool>();
  }
  return check_statuses(status, lifecycle, f);
}

void verify_same(const receiver_fields& a, const receiver_fields& b, benchmark::State& state) {
  if (a.event_id != b.event_id || a.type != b.type || a.delivery_key != b.delivery_key || a.job_id != b.job_id ||
      a.attempt != b.attempt || a.max_attempts != b.max_attempts || a.status != b.status ||
      a.lifecycle != b.lifecycle || a.progress != b.progress || a.has_secret != b.has_secret)
    state.SkipWithError("implementation extracted different fields than jobwire");
}

receiver_fields reference(const std::string& body) {
  receiver_fields f;
  if (!extract_jobwire(body, f)) std::abort();
  return f;
}

void set_bytes(benchmark::State& state, const std::string& body) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
}

void bm_jobwire(benchmark::State& state, const char* file) {
  const std::string body = load(file);
  const receiver_fields ref = reference(body);
  receiver_fields f;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      bool ok = extract_jobwire(body, f);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(f);
    }
  }
  verify_same(ref, f, state);
  set_bytes(state, body);
}

void bm_simdjson(benchmark::State& state, const char* file) {
  const std::string body = load(file);
  const receiver_fields ref = reference(body);
  simd_state st;
  st.padded = simdjson::padded_string(body);
  receiver_fields f;
  if (!extract_simdjson(st, f)) state.SkipWithError("simdjson extraction failed");
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      bool ok = extract_simdjson(st, f);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(f);
    }
  }
  verify_same(ref, f, state);
  set_bytes(state, body);
}

// simdjson picks its stage-1 kernel at run time: the widest this CPU has (icelake: AVX-512,
// haswell: AVX2, westmere: SSE4.2 with PCLMUL). `envelope/simdjson/*` runs that kernel,
// named in the run's context (`simdjson_kernel`); `envelope/simdjson_westmere/*` runs the
// SSE4.2 one, the nearest to jobwire's SSE2 baseline, so that the report can say how much
// of the ratio is the kernel's width. The kernel is switched for the benchmark only.
const bool simdjson_kernel_named = [] {
  benchmark::AddCustomContext("simdjson_kernel", simdjson::get_active_implementation()->name());
  return true;
}();

void bm_simdjson_kernel(benchmark::State& state, const char* file, const char* kernel) {
  const simdjson::implementation* impl = simdjson::get_available_implementations()[kernel];
  if (impl == nullptr || !impl->supported_by_runtime_system()) {
    state.SkipWithError("this simdjson kernel does not run on this machine");
    return;
  }
  const simdjson::implementation* active = simdjson::get_active_implementation();
  simdjson::get_active_implementation() = impl;
  bm_simdjson(state, file);
  simdjson::get_active_implementation() = active;
}

void bm_rapidjson(benchmark::State& state, const char* file) {
  const std::string body = load(file);
  const receiver_fields ref = reference(body);
  receiver_fields f;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      rapidjson::Document doc;  // a fresh document per message, as a receiver would
      bool ok = extract_rapidjson(doc, body, f);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(f);
    }
  }
  rapidjson::Document doc;
  if (!extract_rapidjson(doc, body, f)) state.SkipWithError("rapidjson extraction failed");
  verify_same(ref, f, state);
  set_bytes(state, body);
}

void bm_nlohmann(benchmark::State& state, const char* file) {
  const std::string body = load(file);
  const receiver_fields ref = reference(body);
  receiver_fields f;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      nlohmann::json doc;
      bool ok = extract_nlohmann(body, f, doc);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(f);
    }
  }
  nlohmann::json doc;
  if (!extract_nlohmann(body, f, doc)) state.SkipWithError("nlohmann extraction failed");
  verify_same(ref, f, state);
  set_bytes(state, body);
}

}  // namespace

BENCHMARK_CAPTURE(bm_jobwire, completed, "envelope_completed.json")->Name("envelope/jobwire/completed_3k");
BENCHMARK_CAPTURE(bm_simdjson, completed, "envelope_completed.json")->Name("envelope/simdjson/completed_3k");
BENCHMARK_CAPTURE(bm_simdjson_kernel, completed, "envelope_completed.json", "westmere")
    ->Name("envelope/simdjson_westmere/completed_3k");
BENCHMARK_CAPTURE(bm_rapidjson, completed, "envelope_completed.json")->Name("envelope/rapidjson/completed_3k");
BENCHMARK_CAPTURE(bm_nlohmann, completed, "envelope_completed.json")->Name("envelope/nlohmann/completed_3k");
BENCHMARK_CAPTURE(bm_jobwire, progress, "envelope_progress.json")->Name("envelope/jobwire/progress_1k");
BENCHMARK_CAPTURE(bm_simdjson, progress, "envelope_progress.json")->Name("envelope/simdjson/progress_1k");
BENCHMARK_CAPTURE(bm_simdjson_kernel, progress, "envelope_progress.json", "westmere")
    ->Name("envelope/simdjson_westmere/progress_1k");
BENCHMARK_CAPTURE(bm_rapidjson, progress, "envelope_progress.json")->Name("envelope/rapidjson/progress_1k");
BENCHMARK_CAPTURE(bm_nlohmann, progress, "envelope_progress.json")->Name("envelope/nlohmann/progress_1k");
// How the cost grows with the body (docs/PERFORMANCE.md, "envelope"): ns per byte at
// 1 KiB (progress_1k above), 16 KiB and 1 MiB.
BENCHMARK_CAPTURE(bm_jobwire, grown_16k, "grown:16384")->Name("envelope/jobwire/grown_16k");
BENCHMARK_CAPTURE(bm_simdjson, grown_16k, "grown:16384")->Name("envelope/simdjson/grown_16k");
BENCHMARK_CAPTURE(bm_jobwire, grown_1m, "grown:1048576")->Name("envelope/jobwire/grown_1m");
BENCHMARK_CAPTURE(bm_simdjson, grown_1m, "grown:1048576")->Name("envelope/simdjson/grown_1m");
