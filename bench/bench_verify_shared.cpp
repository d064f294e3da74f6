// verify_shared/<impl>/<threads>: verifications per second when several threads verify at
// once (docs/ENGINEERING.md, area `verify_shared`; PROTOCOL.md §9).
//
//   shared     one `const verifier` used by every thread (signature.hpp: each message's hash
//              state is a copy on the calling thread's stack; no lock)
//   per_thread one verifier per thread, prepared by that thread
//
// Each iteration starts <threads> threads that each verify `batch` signed deliveries with
// `verify_delivery` (authentication, the envelope, header agreement: the receiver's call)
// and measures the wall time of the whole iteration. The counter
// `verifications_per_second` is the throughput over all threads (wall clock); equal rows
// for `shared` and `per_thread` mean sharing costs nothing. Two secrets are configured (a
// rotation), so every verification computes two MACs. The machine's core count bounds the
// scaling (docs/PERFORMANCE.md gives it).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <jobwire/signature.hpp>
#include <jobwire/verify.hpp>

namespace {

const std::string secret = "whsec_test_123";
const std::string timestamp = "1781166600";
constexpr std::int64_t now = 1781166600;
constexpr int batch = 2000;

// A ~1 KiB completed delivery with its metadata headers.
struct signed_delivery {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

signed_delivery make_delivery() {
  std::string prompt;
  while (prompt.size() < 700) prompt += "A slow dolly shot across a rain-soaked neon street at night, ";
  prompt.resize(700);
  signed_delivery d;
  d.body =
      "{\"id\":\"evt_video_vj_01J0Q7ZK3M9R_video_completed\",\"type\":\"video.completed\",\"created_at\":1781166600,"
      "\"delivery\":{\"key\":\"video.completed\",\"attempt\":1,\"max_attempts\":4},"
      "\"data\":{\"id\":\"vj_01J0Q7ZK3M9R\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100,"
      "\"prompt\":\"" +
      prompt + "\"}}";
  d.headers = {{"content-type", "application/json"},
               {"x-ai-stats-event-id", "evt_video_vj_01J0Q7ZK3M9R_video_completed"},
               {"x-ai-stats-event-type", "video.completed"},
               {"x-ai-stats-delivery-key", "video.completed"},
               {"x-ai-stats-attempt", "1"},
               {"x-ai-stats-max-attempts", "4"},
               {"x-ai-stats-timestamp", timestamp},
               {"x-ai-stats-signature", jobwire::sign(secret, timestamp, d.body)->to_string()}};
  return d;
}

int verify_batch(const jobwire::verifier& v, const signed_delivery& d) {
  int failures = 0;
  for (int i = 0; i < batch; ++i) {
    auto r = jobwire::verify_delivery(d.body, d.headers, v, now);
    if (!r) ++failures;
    benchmark::DoNotOptimize(r);
  }
  return failures;
}

template <bool Shared>
void verify_shared(benchmark::State& state) {
  const auto threads = static_cast<int>(state.range(0));
  const signed_delivery d = make_delivery();
  const jobwire::verifier shared = *jobwire::verifier::create({std::string_view("whsec_retired"), secret});
  std::atomic<int> failures{0};
  double wall_seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        if (Shared) {
          failures += verify_batch(shared, d);
        } else {
          const jobwire::verifier own = *jobwire::verifier::create({std::string_view("whsec_retired"), secret});
          failures += verify_batch(own, d);
        }
      });
    for (auto& th : pool) th.join();
    wall_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (failures.load() != 0) state.SkipWithError("verification failed");
  const double total = static_cast<double>(state.iterations()) * threads * batch;
  state.counters["verifications_per_second"] = wall_seconds > 0 ? total / wall_seconds : 0;
  state.counters["threads"] = threads;
}

}  // namespace

BENCHMARK(verify_shared<true>)->Name("verify_shared/shared")->Arg(1)->Arg(2)->Arg(4);
BENCHMARK(verify_shared<false>)->Name("verify_shared/per_thread")->Arg(1)->Arg(2)->Arg(4);
