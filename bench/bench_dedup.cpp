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
//
// dedup/<impl>/claim_commit_live/N: the same operation with N entries live in the store
// (N = 10^3 .. 10^6), how the cost grows with the key count.
//   memory  the steady state: 1 ms per operation and an N ms retention keep N entries done
//           and unexpired, over a cycle of 2N keys (filled before timing starts)
//   sqlite  N done rows written before timing starts (one transaction, the documented
//           schema), then fresh keys; synchronous=NORMAL, so the rows show the B-tree's
//           growth instead of the disk's flush
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

// A SQLite file in a fresh temporary directory, removed with its WAL files at scope exit;
// `path` is empty when the directory could not be made.
struct temp_database {
  std::string dir, path;
  temp_database() {
    const char* base = std::getenv("TMPDIR");
    dir = std::string(base && *base ? base : "/tmp") + "/jobwire-bench-XXXXXX";
    if (::mkdtemp(dir.data()) != nullptr) path = dir + "/dedup.sqlite";
  }
  ~temp_database() {
    if (path.empty()) return;
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    ::rmdir(dir.c_str());
  }
  temp_database(const temp_database&) = delete;
  temp_database& operator=(const temp_database&) = delete;
};

void dedup_sqlite(benchmark::State& state) {
  const temp_database tmp;
  if (tmp.path.empty()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string& path = tmp.path;
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
}

// Keys "G-<n>-scale" for the scaling rows, built once for the largest run.
const std::vector<dedup_key>& scale_keys(std::size_t n) {
  static std::vector<dedup_key> k;
  while (k.size() < n)
    k.push_back(*dedup_key::for_delivery("G-" + std::to_string(10000000 + k.size()) + "-scale", "video.completed"));
  return k;
}

void dedup_memory_live(benchmark::State& state) {
  const auto live = static_cast<std::size_t>(state.range(0));
  const auto& k = scale_keys(2 * live);
  // Headroom over the N live entries: keys spread unevenly over the shards.
  jobwire::memory_dedup_options opt{2 * live + 4096, 16, std::chrono::milliseconds(live)};
  jobwire::memory_dedup_store store{opt};
  dedup_time now{std::chrono::seconds{1781166600}};
  std::size_t i = 0;
  auto step = [&]() -> bool {
    const dedup_key& key = k[i++ % (2 * live)];
    auto c = store.claim(key, now, 30s);
    if (!c || !c->fresh()) return false;
    now += 1ms;
    return static_cast<bool>(store.commit(key, c->token, now));
  };
  for (std::size_t n = 0; n < 2 * live; ++n)
    if (!step()) {
      state.SkipWithError("filling the store failed");
      return;
    }
  for (auto _ : state)
    if (!step()) state.SkipWithError("claim was not fresh");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void dedup_sqlite_live(benchmark::State& state) {
  const auto live = static_cast<std::size_t>(state.range(0));
  const temp_database tmp;
  if (tmp.path.empty()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string& path = tmp.path;
  {
    jobwire::sqlite_dedup_options opt;
    opt.retention = 24h;
    opt.synchronous_full = false;
    auto opened = jobwire::sqlite_dedup_store::open(path, opt);
    if (!opened) {
      state.SkipWithError("cannot open the database");
      return;
    }
    auto& store = *opened;
    const std::int64_t t0 = 1781166600000;
    {  // N done rows, as the store writes them (sqlite.hpp's schema), in one transaction
      sqlite3* db = nullptr;
      sqlite3_open(path.c_str(), &db);
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      sqlite3_stmt* ins = nullptr;
      sqlite3_prepare_v2(db, "INSERT INTO jobwire_dedup(key, state, token, expires_at) VALUES (?1, 2, ?2, ?3)", -1,
                         &ins, nullptr);
      const unsigned char token[16] = {1};
      const auto& k = scale_keys(live + (1u << 16));
      for (std::size_t n = 0; n < live; ++n) {
        sqlite3_reset(ins);
        sqlite3_bind_blob(ins, 1, k[n].encoded().data(), static_cast<int>(k[n].encoded().size()), SQLITE_STATIC);
        sqlite3_bind_blob(ins, 2, token, sizeof token, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, t0 + 24 * 3600 * 1000LL);
        if (sqlite3_step(ins) != SQLITE_DONE) {
          state.SkipWithError("filling the database failed");
          break;
        }
      }
      sqlite3_finalize(ins);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(db);
    }
    const auto& k = scale_keys(live + (1u << 16));
    dedup_time now{std::chrono::milliseconds{t0}};
    std::size_t i = 0;
    const auto wall_start = std::chrono::steady_clock::now();
    for (auto _ : state) {
      const dedup_key& key = k[live + (i++ & 0xFFFF)];
      auto c = store.claim(key, now, 30s);
      if (!c) state.SkipWithError("claim failed");
      else if (c->fresh()) (void)store.commit(key, c->token, now);
      now += 1ms;
    }
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["wall_items_per_second"] = static_cast<double>(state.iterations()) / wall.count();
  }
}
}  // namespace

BENCHMARK(dedup_memory)->Name("dedup/memory/claim_commit");
BENCHMARK(dedup_unordered_map)->Name("dedup/unordered_map/claim_commit");
BENCHMARK(dedup_sqlite)->Name("dedup/sqlite/claim_commit");
BENCHMARK(dedup_memory_live)->Name("dedup/memory/claim_commit_live")->RangeMultiplier(10)->Range(1000, 1000000);
// At most 65536 fresh keys per run (then a key is claimed again and found done).
BENCHMARK(dedup_sqlite_live)
    ->Name("dedup/sqlite/claim_commit_live")
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Iterations(20000);
