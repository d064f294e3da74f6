// Four threads working ONE in-memory outbox store (outbox_memory.hpp): each enqueues its
// own rows and a set all threads race to enqueue, leases batches, records verdicts (some
// failures that come back as retries, some 410s that disable an endpoint and fail its
// rows), and reads counts and endpoint states meanwhile. Built with -fsanitize=thread
// (tests/tsan/CMakeLists.txt): any data race is a ThreadSanitizer report and a failed test.
// Beyond the sanitizer the program checks the outcome: every row ends terminal, a row is
// never leased by two threads while a lease is live, and the counts add up.
#include <jobwire/outbox_memory.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace jobwire;

namespace {
constexpr int threads = 4;
constexpr int shared_rows = 64;  // every thread enqueues these: contention on the same pairs
constexpr int own_rows = 64;     // and these, its own
}  // namespace

int main() {
  memory_outbox_store store(memory_outbox_options{4096});
  const unix_time t0 = unix_time_from_seconds(1781166600);
  std::atomic<int> failures{0};
  std::mutex mu;
  std::map<std::int64_t, int> holders;  // row id -> threads holding a live lease on it now
  std::map<std::int64_t, int> inserted_by;
  std::vector<std::thread> ts;
  for (int w = 0; w < threads; ++w) {
    ts.emplace_back([&, w] {
      const std::string name = "w" + std::to_string(w);
      for (int i = 0; i < shared_rows; ++i) {
        auto e = store.enqueue(outbox_item{"shared", std::to_string(i), "https://a.example/", "{}"}, t0);
        if (!e) ++failures;
      }
      for (int i = 0; i < own_rows; ++i) {
        const std::string url = i % 16 == 0 ? "https://gone.example/" : "https://b.example/";
        if (!store.enqueue(outbox_item{name, std::to_string(i), url, "{}"}, t0)) ++failures;
      }
      unix_time now = t0;
      for (int round = 0; round < 200; ++round) {
        std::vector<outbox_lease> got;
        auto n = store.lease(name, now, std::chrono::seconds(60), 8, got);
        if (!n) {
          ++failures;
          return;
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          for (const auto& l : got)
            if (++holders[l.row_id] != 1) {
              std::fprintf(stderr, "row %lld leased twice\n", static_cast<long long>(l.row_id));
              ++failures;
            }
        }
        for (const auto& l : got) {
          outbox_record r;
          r.tried_at_ms = to_unix_ms(now);
          if (l.endpoint == "https://gone.example/") {
            r.state = outbox_state::failed_permanently;
            r.http_status = 410;
            r.effect = endpoint_effect::disable;
          } else if (l.attempt == 1 && l.row_id % 3 == 0) {
            r.state = outbox_state::scheduled_retry;
            r.next_attempt_at_ms = to_unix_ms(now) + 1;
            r.http_status = 500;
            r.effect = endpoint_effect::failure;
          } else {
            r.state = outbox_state::delivered;
            r.http_status = 200;
            r.effect = endpoint_effect::success;
          }
          {
            std::lock_guard<std::mutex> lock(mu);  // the lease ends with the record
            --holders[l.row_id];
          }
          auto rec = store.record(l, r, now);
          if (!rec && rec.code() != errc::claim_lost) ++failures;  // claim_lost: failed by a disable
        }
        (void)store.counts(now);
        (void)store.endpoint("https://b.example/");
        now += std::chrono::milliseconds(2);
      }
    });
  }
  for (auto& th : ts) th.join();
  auto c = store.counts(t0 + std::chrono::hours(1));
  if (!c) return 1;
  const std::uint64_t rows = shared_rows + threads * own_rows;
  if (c->pending != 0 || c->scheduled_retry != 0 || c->leased != 0 || c->delivered + c->failed_permanently != rows) {
    std::fprintf(stderr, "counts: %llu pending, %llu scheduled, %llu delivered, %llu failed (want %llu terminal)\n",
                 static_cast<unsigned long long>(c->pending), static_cast<unsigned long long>(c->scheduled_retry),
                 static_cast<unsigned long long>(c->delivered), static_cast<unsigned long long>(c->failed_permanently),
                 static_cast<unsigned long long>(rows));
    ++failures;
  }
  if (c->endpoints_disabled != 1) ++failures;
  return failures.load() == 0 ? 0 : 1;
}
