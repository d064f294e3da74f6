// Receiver benchmarks (docs/ENGINEERING.md table, area `receiver`), case `2k`: one ~2 KiB
// signed `video.progress` delivery with metadata headers.
//
//   receiver/jobwire/2k  the full receive_delivery call with the in-memory store: verify
//                        (HMAC + metadata headers + header/body agreement), envelope
//                        parse, claim, reconcile, handler, commit. Each iteration is a
//                        *processed* delivery, not a duplicate: the store's retention is
//                        1 ms and `now` advances by one second per iteration, so the key
//                        done by the previous iteration has expired and the claim is
//                        fresh (the freshness window is disabled because `now` moves
//                        away from the signed timestamp; that check is two comparisons).
//   receiver/parts/2k    the sum of its parts: the OpenSSL EVP_MAC floor HMAC (key
//                        prepared once, re-initialised per message, CRYPTO_memcmp) plus
//                        jobwire's envelope parse of the same body.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <jobwire/payload.hpp>
#include <jobwire/receiver.hpp>
#include <jobwire/signature.hpp>

#include "alloc_counter.hpp"
#include "hmac_floor.hpp"

namespace {

const std::string secret = "whsec_test_123";
const std::string timestamp = "1781166600";
constexpr std::int64_t t0 = 1781166600;

// A progress delivery padded with the optional `data` fields a real one carries (prompt,
// URLs, provider) to about 2 KiB.
std::string make_body() {
  std::string prompt;
  while (prompt.size() < 1200) prompt += "A slow dolly shot across a rain-soaked neon street at night, ";
  prompt.resize(1200);
  return "{\"id\":\"evt_video_vj_01J0Q7ZK3M9R_video_progress_50\",\"type\":\"video.progress\",\"created_at\":"
         "1781166600,"
         "\"delivery\":{\"key\":\"video.progress:50\",\"attempt\":1,\"max_attempts\":4},"
         "\"data\":{\"id\":\"vj_01J0Q7ZK3M9R\",\"object\":\"video\",\"kind\":\"video\",\"status\":\"processing\","
         "\"lifecycle_status\":\"running\",\"progress\":50,\"provider\":\"example-provider\",\"model\":\"video-gen-2\","
         "\"request_id\":\"req_01J0Q7ZK3M9R8X5V\",\"prompt\":\"" +
         prompt +
         "\",\"polling_url\":\"https://api.example.com/v1/videos/vj_01J0Q7ZK3M9R\","
         "\"websocket_url\":\"wss://api.example.com/v1/videos/vj_01J0Q7ZK3M9R/ws\","
         "\"cancel_url\":\"https://api.example.com/v1/videos/vj_01J0Q7ZK3M9R/cancel\"}}";
}

void receiver_jobwire(benchmark::State& state) {
  const std::string body = make_body();
  const std::vector<std::pair<std::string, std::string>> headers{
      {"content-type", "application/json"},
      {"user-agent", "AI-Stats-Async-Webhook/1.0"},
      {"x-ai-stats-timestamp", timestamp},
      {"x-ai-stats-signature", jobwire::sign(secret, timestamp, body)->to_string()},
      {"x-ai-stats-event-id", "evt_video_vj_01J0Q7ZK3M9R_video_progress_50"},
      {"x-ai-stats-event-type", "video.progress"},
      {"x-ai-stats-delivery-key", "video.progress:50"},
      {"x-ai-stats-attempt", "1"}};
  auto v = jobwire::verifier::create({secret});
  jobwire::memory_dedup_options so;
  so.retention = std::chrono::milliseconds{1};
  jobwire::memory_dedup_store store(so);
  jobwire::receiver_options opt;
  opt.verify.tolerance_seconds = jobwire::tolerance_none;
  const jobwire::job_state held{jobwire::lifecycle_status::running, 20};
  jobwire::job_state stored{};
  std::int64_t now_s = t0;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      auto r = jobwire::receive_delivery(
          body, headers, *v, store, jobwire::dedup_time{std::chrono::seconds{now_s++}},
          [&](std::string_view) { return std::optional<jobwire::job_state>(held); },
          [&](const jobwire::envelope_view&, const jobwire::reconcile_decision& d, const jobwire::dedup_key&) {
            stored = d.next;
            return jobwire::void_result{};
          },
          opt);
      if (r.action != jobwire::receiver_decision::process) state.SkipWithError("not processed");
      benchmark::DoNotOptimize(r);
    }
  }
  benchmark::DoNotOptimize(stored);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void receiver_parts(benchmark::State& state) {
  const std::string body = make_body();
  jobwire::mac_bytes expected;
  if (!jobwire::decode_signature(jobwire::sign(secret, timestamp, body)->view(), expected)) {
    state.SkipWithError("signature");
    return;
  }
  jobwire_bench::hmac_floor floor(secret);
  jobwire::payload_options popt;
  popt.leniency |= jobwire::lenient::inconsistent_status;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      if (!floor.verify(timestamp, body, expected.bytes)) state.SkipWithError("mismatch");
      auto e = jobwire::parse_envelope(body, popt);
      if (!e) state.SkipWithError("parse");
      benchmark::DoNotOptimize(e);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

}  // namespace

BENCHMARK(receiver_jobwire)->Name("receiver/jobwire/2k");
BENCHMARK(receiver_parts)->Name("receiver/parts/2k");
