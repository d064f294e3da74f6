// Eight threads verifying and receiving deliveries through ONE shared `const verifier` and
// ONE in-memory dedup store (signature.hpp, verify.hpp, receiver.hpp, dedup.hpp). Built
// with -fsanitize=thread (tests/tsan/CMakeLists.txt): any data race is a ThreadSanitizer
// report and a failed test. Beyond the sanitizer, the program checks the outcomes: every
// genuine delivery verifies, every tampered one is a signature mismatch, and each delivery
// that all threads race to receive has its side effect applied exactly once.
#include <jobwire/receiver.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../unit/receiver_support.hpp"

using namespace jobwire;
using namespace receiver_test;

namespace {
constexpr int threads = 8;
constexpr int shared_jobs = 64;  // every thread delivers these: contention on the same keys
constexpr int own_jobs = 32;     // and these, its own

struct host {
  std::mutex mu;
  std::map<std::string, job_state> jobs;
  std::map<std::string, int> effects;
  std::optional<job_state> load(std::string_view id) {
    std::lock_guard<std::mutex> l(mu);
    auto it = jobs.find(std::string(id));
    if (it == jobs.end()) return std::nullopt;
    return it->second;
  }
  void_result apply(const envelope_view& e, const reconcile_decision& d) {
    std::lock_guard<std::mutex> l(mu);
    jobs[std::string(e.data.id.str())] = d.next;
    ++effects[std::string(e.data.id.str())];
    return {};
  }
};
}  // namespace

int main() {
  // The first secret is a retired one: every verification computes both MACs.
  const verifier shared = *verifier::create({"whsec_retired_one", secret});
  memory_dedup_store store;
  atomic_receiver_counters counters;
  host h;

  std::vector<delivery> common;
  for (int j = 0; j < shared_jobs; ++j) {
    delivery_spec s;
    s.job = "S-" + std::to_string(j);
    common.push_back(make_delivery(s));
    h.jobs[s.job] = job_state{lifecycle_status::running, 0};
  }
  std::vector<std::vector<delivery>> own(threads);
  for (int t = 0; t < threads; ++t)
    for (int j = 0; j < own_jobs; ++j) {
      delivery_spec s;
      s.job = "T" + std::to_string(t) + "-" + std::to_string(j);
      own[static_cast<std::size_t>(t)].push_back(make_delivery(s));
      h.jobs[s.job] = job_state{lifecycle_status::running, 0};
    }

  std::atomic<int> failures{0};
  receiver_options opt;
  opt.counters = &counters;
  auto work = [&](int t) {
    auto load = [&](std::string_view id) { return h.load(id); };
    auto handler = [&](const envelope_view& e, const reconcile_decision& d, const dedup_key&) { return h.apply(e, d); };
    for (int round = 0; round < 2; ++round) {
      for (int j = 0; j < shared_jobs; ++j) {
        const delivery& d = common[static_cast<std::size_t>((j + t * 7) % shared_jobs)];
        if (!verify_delivery(d.body, d.headers, shared, t0)) ++failures;
        std::string tampered = d.body;
        tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 1);
        if (verify_delivery(tampered, d.headers, shared, t0).code() != errc::signature_mismatch) ++failures;
        const receipt r = receive_delivery(d.body, d.headers, shared, store, at(t0), load, handler, opt);
        if (r.http_status != 200 && r.action != receiver_decision::in_flight) ++failures;
      }
      for (const delivery& d : own[static_cast<std::size_t>(t)]) {
        const receipt r = receive_delivery(d.body, d.headers, shared, store, at(t0), load, handler, opt);
        const bool first = round == 0;
        if (first ? r.action != receiver_decision::process : r.action != receiver_decision::duplicate) ++failures;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();

  for (const auto& e : h.effects)
    if (e.second != 1) {
      std::fprintf(stderr, "job %s: %d side effects (want 1)\n", e.first.c_str(), e.second);
      ++failures;
    }
  if (h.effects.size() != static_cast<std::size_t>(shared_jobs + threads * own_jobs)) ++failures;
  if (counters.count(receiver_decision::process) != static_cast<std::uint64_t>(shared_jobs + threads * own_jobs))
    ++failures;
  std::printf("%d threads, one verifier, one store: %d failures\n", threads, failures.load());
  return failures.load() == 0 ? 0 : 1;
}
