// The SQLite dedup store (stores/sqlite.hpp) against the conformance suite, plus what only
// a durable, multi-process store can show: state survives reopening the file, N forked
// processes claiming one key produce one winner, and a SIGKILLed holder is taken over.
#include <catch2/catch.hpp>

#include <jobwire/stores/sqlite.hpp>

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "dedup_conformance.hpp"
#include "dedup_process_checks.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

// A fresh database file in a private temporary directory, removed afterwards.
struct temp_db {
  std::string dir;
  std::string path;
  temp_db() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/jobwire-dedup-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    path = dir + "/dedup.sqlite";
  }
  ~temp_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    ::rmdir(dir.c_str());
  }
};

sqlite_dedup_options test_options() {
  sqlite_dedup_options o;
  o.retention = 1h;
  o.synchronous_full = false;  // keeps the suite fast; durability is FULL by default
  return o;
}

struct sqlite_fixture {
  using store_type = sqlite_dedup_store;
  temp_db db;
  std::unique_ptr<sqlite_dedup_store> s;
  dedup_time t{std::chrono::seconds{1781166600}};

  static std::unique_ptr<sqlite_fixture> make() {
    auto f = std::make_unique<sqlite_fixture>();
    auto opened = sqlite_dedup_store::open(f->db.path, test_options());
    REQUIRE(opened);
    f->s = std::make_unique<sqlite_dedup_store>(std::move(*opened));
    return f;
  }
  sqlite_dedup_store& store() { return *s; }
  dedup_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
  std::chrono::milliseconds lease() const { return 30s; }
  std::chrono::milliseconds retention() const { return s->retention(); }
};

}  // namespace

JW_DEDUP_CONFORMANCE("sqlite", sqlite_fixture)

TEST_CASE("sqlite store: claims and done keys survive closing and reopening the file") {
  temp_db db;
  const dedup_time now{std::chrono::seconds{1781166600}};
  auto done_key = *dedup_key::for_delivery("G-restart", "video.completed");
  auto held_key = *dedup_key::for_delivery("G-restart", "video.progress:50");
  claim_token held{};
  {
    auto s = sqlite_dedup_store::open(db.path, test_options());
    REQUIRE(s);
    auto c = s->claim(done_key, now, 30s);
    REQUIRE(c);
    REQUIRE(s->commit(done_key, c->token, now));
    auto h = s->claim(held_key, now, 30s);
    REQUIRE(h);
    REQUIRE(h->fresh());
    held = h->token;
  }
  auto s = sqlite_dedup_store::open(db.path, test_options());
  REQUIRE(s);
  CHECK(s->claim(done_key, now + 1s, 30s)->state == claim_state::done);
  CHECK(s->claim(held_key, now + 1s, 30s)->state == claim_state::in_flight);
  // The holder from before the restart can still finish its claim.
  CHECK(s->commit(held_key, held, now + 2s));
  CHECK(s->claim(held_key, now + 3s, 30s)->state == claim_state::done);
}

TEST_CASE("sqlite store: sweep deletes expired rows only, in bounded batches") {
  temp_db db;
  auto o = test_options();
  o.sweep_interval = 0ms;  // manual
  o.sweep_batch = 3;
  auto s = sqlite_dedup_store::open(db.path, o);
  REQUIRE(s);
  const dedup_time t0{std::chrono::seconds{1000}};
  for (int i = 0; i < 5; ++i) {
    auto k = *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed");
    auto c = s->claim(k, t0, 1min);
    REQUIRE(c);
    if (i == 0) REQUIRE(s->commit(k, c->token, t0));
  }
  CHECK(*s->sweep(t0 + 30s) == 0);
  CHECK(*s->sweep(t0 + 2min) == 3);  // 4 expired leases, batch of 3
  CHECK(*s->sweep(t0 + 2min) == 1);
  CHECK(*s->sweep(t0 + 2min) == 0);
  auto k0 = *dedup_key::for_delivery("G-0", "video.completed");
  CHECK(s->claim(k0, t0 + 2min, 1min)->state == claim_state::done);
  CHECK(*s->sweep(t0 + 61min) == 1);
}

TEST_CASE("sqlite store: the automatic sweep runs from claim at most once per interval") {
  temp_db db;
  auto o = test_options();
  o.sweep_interval = 10min;
  auto s = sqlite_dedup_store::open(db.path, o);
  REQUIRE(s);
  const dedup_time t0{std::chrono::seconds{1000}};
  auto a = *dedup_key::for_event("evt_a");
  auto b = *dedup_key::for_event("evt_b");
  REQUIRE(s->claim(a, t0, 1min)->fresh());  // first claim sweeps (nothing to do)
  // Raw count through the handle: is a's expired lease row still present?
  auto rows = [&] {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(s->handle(), "SELECT count(*) FROM jobwire_dedup", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
  };
  REQUIRE(s->claim(b, t0 + 5min, 1min)->fresh());  // within the interval: no sweep
  CHECK(rows() == 2);
  auto c = *dedup_key::for_event("evt_c");
  REQUIRE(s->claim(c, t0 + 11min, 1min)->fresh());  // sweeps a and b first
  CHECK(rows() == 1);
}

TEST_CASE("sqlite store: bad options and unreachable files are reported") {
  auto o = test_options();
  o.table = "bad-name; DROP TABLE x";
  CHECK(sqlite_dedup_store::open(":memory:", o).code() == errc::invalid_argument);
  o = test_options();
  o.retention = 0ms;
  CHECK(sqlite_dedup_store::open(":memory:", o).code() == errc::invalid_argument);
  CHECK(sqlite_dedup_store::open("/nonexistent-dir-jobwire/x/y.sqlite", test_options()).code() ==
        errc::store_unavailable);
  CHECK(sqlite_dedup_store::attach(nullptr).code() == errc::invalid_argument);
}

TEST_CASE("sqlite store: attach uses a caller's connection without closing it") {
  temp_db db;
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &raw) == SQLITE_OK);
  {
    auto o = test_options();
    o.table = "receiver_dedup";
    auto s = sqlite_dedup_store::attach(raw, o);
    REQUIRE(s);
    REQUIRE(s->claim(*dedup_key::for_event("evt_attached"), dedup_time{}, 1s)->fresh());
  }
  // Still usable after the store is gone, and the table is the configured one.
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT count(*) FROM receiver_dedup", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 1);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_CASE("sqlite store: N processes claiming one key -> exactly one fresh winner") {
  temp_db db;
  { REQUIRE(sqlite_dedup_store::open(db.path, test_options())); }  // create the schema once
  const std::string path = db.path;
  dedup_process::concurrent_claims(
      [&]() -> std::unique_ptr<sqlite_dedup_store> {
        auto s = sqlite_dedup_store::open(path, test_options());
        if (!s) return nullptr;
        return std::make_unique<sqlite_dedup_store>(std::move(*s));
      },
      dedup_time{std::chrono::seconds{1781166600}}, 8);
}

TEST_CASE("sqlite store: a SIGKILLed holder is taken over after its lease") {
  auto fx = sqlite_fixture::make();
  const std::string path = fx->db.path;
  dedup_process::crash_takeover(*fx, [&]() -> std::unique_ptr<sqlite_dedup_store> {
    auto s = sqlite_dedup_store::open(path, test_options());
    if (!s) return nullptr;
    return std::make_unique<sqlite_dedup_store>(std::move(*s));
  });
}

TEST_CASE("sqlite store: a write lock held past the busy timeout is store_unavailable") {
  temp_db db;
  auto o = test_options();
  o.busy_timeout = 50ms;
  auto s = sqlite_dedup_store::open(db.path, o);
  REQUIRE(s);
  const auto k = *dedup_key::for_event("evt_locked");
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(s->claim(k, dedup_time{std::chrono::seconds{1000}}, 1min).code() == errc::store_unavailable);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  auto c = s->claim(k, dedup_time{std::chrono::seconds{1000}}, 1min);  // the store recovers
  REQUIRE(c);
  CHECK(c->fresh());
}
