// dedup/<impl>/claim_commit: one fresh claim plus its commit per iteration (the work a
// receiver does for every new delivery, PROTOCOL.md §13).
//   memory         memory_dedup_store (sharded, bounded, preallocated)
//   unordered_map  the baseline: one std::unordered_map<std::string, entry> behind one
//                  mutex doing the same logical work (lookup, expiry check, lease with a
//                  token, token-checked commit), unbounded and never evicting
//   sqlite         sqlite_dedup_store on a temporary file with its defaults (WAL,
//                  synchronous=FULL: every commit is durable)
// Keys cycle through a fixed set while the clock advances 1 ms per operation with a 1 s
// retention, so every claim is fresh (new key or expired entry taken over) and the
// stores stay at a steady size. Keys are built before the loop for every store: a
// dedup_key carries the hash computed when it was built (once per delivery in a
// receiver), while the baseline hashes its std::string in each call, as
// std::unordered_map does.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <benchmark/benchmark.h>
#include <jobwire/dedup.hpp>
#include <jobwire/stores/sqlite.hpp>

#include "alloc_counter.hpp"

namespace {
using namespace std::chrono_literals;
using jobwire::dedup_key;
using jobwire::dedup_time;

constexpr std::size_t key_count = 1 << 16;

const std::vector<dedup_key>& keys() {
  static const std::vector<dedup_key> k = [] {
    std::vector<dedup_key> v;
    v.reserve(key_count);
    for (std::size_t i = 0; i < key_count; ++i)
      v.push_back(*dedup_key::for_delivery("G-" + std::to_string(1000000 + i) + "-bench", "video.completed"));
    return v;
  }();
  return k;
}

void dedup_memory(benchmark::State& state) {
  // Sized with headroom, as a deployment would be: the steady state holds about 1000
  // live entries, but keys do not spread perfectly evenly over the 16 shards.
  jobwire::memory_dedup_store store{jobwire::memory_dedup_options{2 * key_count, 16, 1s}};
  const auto& k = keys();
  dedup_time now{std::chrono::seconds{1781166600}};
  std::size_t i = 0;
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    const dedup_key& key = k[i++ & (key_count - 1)];
    auto c = store.claim(key, now, 30s);
    if (!c || !c->fresh()) state.SkipWithError("claim was not fresh");
    auto st = store.commit(key, c->token, now);
    benchmark::DoNotOptimize(st);
    now += 1ms;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The baseline: what a receiver writes without a dedup library.
class map_store {
 public:
  struct entry {
    bool done = false;
    std::uint64_t token = 0;
    std::int64_t expires_ms = 0;
  };
  bool claim(const std::string& key, std::int64_t now_ms, std::int64_t lease_ms, std::uint64_t& token) {
    std::lock_guard<std::mutex> lock(mu_);
    entry& e = map_[key];
    if (e.token != 0 && e.expires_ms > now_ms) return false;
    e.done = false;
    e.token = token = ++counter_;
    e.expires_ms = now_ms + lease_ms;
    return true;
  }
  bool commit(const std::string& key, std::uint64_t token, std::int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end() || it->second.token != token) return false;
    it->second.done = true;
    it->second.expires_ms = now_ms + retention_ms_;
    return true;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, entry> map_;
  std::uint64_t counter_ = 0;
  std::int64_t retention_ms_ = 1000;
};

void dedup_unordered_map(benchmark::State& state) {
  map_store store;
  std::vector<std::string> k;
  k.reserve(key_count);
  for (const auto& key : keys()) k.emplace_back(key.encoded());
  std::int64_t now = 1781166600000;
  std::size_t i = 0;
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    const std::string& key = k[i++ & (key_count - 1)];
    std::uint64_t token = 0;
    if (!store.claim(key, now, 30000, token)) state.SkipWithError("claim was not fresh");
    bool ok = store.commit(key, token, now);
    benchmark::DoNotOptimize(ok);
    ++now;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void dedup_sqlite(benchmark::State& state) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/jobwire-bench-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = dir + "/dedup.sqlite";
  {
    jobwire::sqlite_dedup_options opt;
    opt.retention = 1s;
    auto opened = jobwire::sqlite_dedup_store::open(path, opt);
    if (!opened) {
      state.SkipWithError("cannot open the database");
      return;
    }
    auto& store = *opened;
    const auto& k = keys();
    dedup_time now{std::chrono::seconds{1781166600}};
    std::size_t i = 0;
    jobwire_bench::alloc_scope allocs(state);
    // The cost is mostly fsync, which CPU time (what items_per_second uses) does not
    // see: wall_items_per_second is the rate a receiver actually gets.
    const auto wall_start = std::chrono::steady_clock::now();
    for (auto _ : state) {
      const dedup_key& key = k[i++ & (key_count - 1)];
      auto c = store.claim(key, now, 30s);
      if (!c || !c->fresh()) state.SkipWithError("claim was not fresh");
      auto st = store.commit(key, c->token, now);
      benchmark::DoNotOptimize(st);
      now += 1ms;
    }
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["wall_items_per_second"] = static_cast<double>(state.iterations()) / wall.count();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
  ::rmdir(dir.c_str());
}
}  // namespace

BENCHMARK(dedup_memory)->Name("dedup/memory/claim_commit");
BENCHMARK(dedup_unordered_map)->Name("dedup/unordered_map/claim_commit");
BENCHMARK(dedup_sqlite)->Name("dedup/sqlite/claim_commit");
