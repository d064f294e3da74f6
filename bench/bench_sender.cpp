// sender/<impl>/<case>: building one signed delivery attempt (PROTOCOL.md §9–§12) with a
// ~1 KiB `data` object.
//
//   jobwire  build_1k: delivery_sender::build_into into a reused delivery (validates data,
//            event id, envelope, headers, HMAC under the key prepared once);
//            retry_1k: delivery_sender::next_attempt (attempt digits, timestamp,
//            signature rewritten in place)
//   naive    build_1k: what a straightforward sender does per attempt: prepare the HMAC
//            key from the secret (one-shot jobwire::sign), concatenate the body with
//            std::to_string, collect headers as a vector of owned strings
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <jobwire/sender.hpp>

#include "alloc_counter.hpp"

namespace {

const std::string secret = "whsec_test_123";

std::string data_1k() {
  std::string d = R"({"id":"G-7f3a","object":"video","kind":"video","status":"completed",)"
                  R"("lifecycle_status":"completed","provider":"example","model":"video-1","progress":100,)"
                  R"("polling_url":"https://api.example.com/v1/videos/G-7f3a",)"
                  R"("content_url":"https://api.example.com/v1/videos/G-7f3a/content","diagnostics":")";
  while (d.size() < 1000) d += "abcdefghij";
  d += "\"}";
  return d;
}

jobwire::delivery_event make_event(const std::string& data) {
  jobwire::delivery_event ev;
  ev.job_id = "G-7f3a";
  ev.internal_id = "job_7f3a";
  ev.phase = jobwire::phase::completed;
  ev.data = data;
  ev.created_at = 1781166600;
  return ev;
}

void sender_jobwire_build(benchmark::State& state) {
  const std::string data = data_1k();
  const auto ev = make_event(data);
  auto snd = jobwire::delivery_sender::create(secret);
  if (!snd) return state.SkipWithError("sender");
  jobwire::delivery d;
  if (!snd->build_into(d, ev, 1781166600)) return state.SkipWithError("build");
  std::int64_t now = 1781166600;
  jobwire_bench::alloc_scope a(state);
  for (auto _ : state) {
    auto st = snd->build_into(d, ev, ++now);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(d.body().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

void sender_jobwire_retry(benchmark::State& state) {
  const std::string data = data_1k();
  const auto ev = make_event(data);
  auto snd = jobwire::delivery_sender::create(secret);
  if (!snd) return state.SkipWithError("sender");
  auto d = snd->build(ev, 1781166600);
  if (!d) return state.SkipWithError("build");
  std::int64_t now = 1781166600;
  unsigned attempt = 1;
  jobwire_bench::alloc_scope a(state);
  for (auto _ : state) {
    attempt = attempt % 4 + 1;
    auto st = snd->next_attempt(*d, attempt, ++now);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(d->body().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

void sender_naive_build(benchmark::State& state) {
  const std::string data = data_1k();
  std::int64_t now = 1781166600;
  jobwire_bench::alloc_scope a(state);
  for (auto _ : state) {
    ++now;
    const std::string key = "video.completed";
    const std::string event_id = "evt_video_job_7f3a_video_completed";
    std::string body = "{\"id\":\"" + event_id +
                       "\",\"type\":\"video.completed\",\"created_at\":" + std::to_string(1781166600) +
                       ",\"delivery\":{\"key\":\"" + key + "\",\"attempt\":" + std::to_string(1) +
                       ",\"max_attempts\":" + std::to_string(4) + "},\"data\":" + data + "}";
    const std::string ts = std::to_string(now);
    auto sig = jobwire::sign(secret, ts, body);
    std::vector<std::pair<std::string, std::string>> headers;
    headers.emplace_back("content-type", "application/json");
    headers.emplace_back("user-agent", "AI-Stats-Async-Webhook/1.0");
    headers.emplace_back("x-ai-stats-event-id", event_id);
    headers.emplace_back("x-ai-stats-event-type", "video.completed");
    headers.emplace_back("x-ai-stats-delivery-key", key);
    headers.emplace_back("x-ai-stats-attempt", std::to_string(1));
    headers.emplace_back("x-ai-stats-max-attempts", std::to_string(4));
    headers.emplace_back("x-ai-stats-timestamp", ts);
    headers.emplace_back("x-ai-stats-signature", sig ? sig->to_string() : std::string());
    benchmark::DoNotOptimize(headers.data());
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

}  // namespace

BENCHMARK(sender_jobwire_build)->Name("sender/jobwire/build_1k");
BENCHMARK(sender_jobwire_retry)->Name("sender/jobwire/retry_1k");
BENCHMARK(sender_naive_build)->Name("sender/naive/build_1k");
