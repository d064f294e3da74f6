// The in-memory outbox store (outbox_memory.hpp) against the conformance suite, plus what
// only it has: one object shared by threads, a bounded capacity and purge.
#include <catch2/catch.hpp>

#include <jobwire/outbox_memory.hpp>

#include <memory>
#include <string>

#include "outbox_conformance.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

struct memory_fixture {
  using store_type = memory_outbox_store;
  memory_outbox_store s;
  unix_time t = unix_time_from_seconds(1781166600);

  static std::unique_ptr<memory_fixture> make() { return std::make_unique<memory_fixture>(); }
  memory_outbox_store& store() { return s; }
  unix_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
};

}  // namespace

JW_OUTBOX_CONFORMANCE("memory outbox", memory_fixture)

TEST_CASE("memory outbox: threads sharing one store never lease a row twice") {
  memory_outbox_store s(memory_outbox_options{1000});
  outbox_conformance::concurrent_leases([&] { return &s; }, unix_time_from_seconds(1781166600), 4, 400);
}

TEST_CASE("memory outbox: capacity counts every row, one past it is store_full, purge makes room") {
  const unix_time t = unix_time_from_seconds(1781166600);
  CHECK(memory_outbox_store::create(memory_outbox_options{0}).code() == errc::invalid_argument);
  auto made = memory_outbox_store::create(memory_outbox_options{3});
  REQUIRE(made);
  memory_outbox_store& s = *made;
  CHECK(s.capacity() == 3);
  const std::string url = "https://cap.example/hook";
  for (int i = 0; i < 3; ++i) REQUIRE(s.enqueue(outbox_conformance::item("J", "k" + std::to_string(i), url), t));
  CHECK(s.enqueue(outbox_conformance::item("J", "k3", url), t).code() == errc::store_full);
  // A duplicate of a stored pair is still answered at the limit.
  auto dup = s.enqueue(outbox_conformance::item("J", "k0", url), t);
  REQUIRE(dup);
  CHECK_FALSE(dup->inserted);
  CHECK(s.size() == 3);

  auto ls = outbox_conformance::lease(s, t, 2);
  REQUIRE(ls.size() == 2);
  REQUIRE(s.record(ls[0], outbox_conformance::delivered(to_unix_ms(t)), t));
  REQUIRE(s.record(ls[1], outbox_conformance::delivered(to_unix_ms(t)), t + 5s));
  // Only terminal rows that ended before the cut are purged, at most `max` per call.
  auto p = s.purge(t + 1s, 10);
  REQUIRE(p);
  CHECK(*p == 1);
  CHECK(s.size() == 2);
  auto again = s.enqueue(outbox_conformance::item("J", "k0", url), t + 6s);  // purged: new again
  REQUIRE(again);
  CHECK(again->inserted);
  CHECK(s.enqueue(outbox_conformance::item("J", "k3", url), t).code() == errc::store_full);
  p = s.purge(t + 1h, 10);
  REQUIRE(p);
  CHECK(*p == 1);  // k1; k0 (again) and k2 are pending
  CHECK(s.size() == 2);

  // Unusable options: every operation says so (create reports it at once).
  memory_outbox_store unusable(memory_outbox_options{0});
  CHECK(unusable.capacity() == 0);
  CHECK(unusable.enqueue(outbox_conformance::item("J", "k", url), t).code() == errc::invalid_argument);
  std::vector<outbox_lease> out;
  CHECK(unusable.lease("w", t, 1s, 1, out).code() == errc::invalid_argument);
  CHECK(unusable.extend(ls[0], t, 1s).code() == errc::invalid_argument);
  CHECK(unusable.record(ls[0], outbox_conformance::delivered(to_unix_ms(t)), t).code() == errc::invalid_argument);
  CHECK(unusable.release(ls[0]).code() == errc::invalid_argument);
  CHECK(unusable.counts(t).code() == errc::invalid_argument);
  CHECK(unusable.endpoint(url).code() == errc::invalid_argument);
  CHECK(unusable.enable_endpoint(url).code() == errc::invalid_argument);
  CHECK(unusable.purge(t, 1).code() == errc::invalid_argument);
}

TEST_CASE("memory outbox: rows purged and enqueued again many times keep the pair index exact") {
  const unix_time t = unix_time_from_seconds(1781166600);
  auto made = memory_outbox_store::create(memory_outbox_options{8});
  REQUIRE(made);
  memory_outbox_store& s = *made;
  const std::string url = "https://churn.example/hook";
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    for (int i = 0; i < 8; ++i) {
      auto e = s.enqueue(outbox_conformance::item("J" + std::to_string(round), "k" + std::to_string(i), url), t);
      REQUIRE(e);
      CHECK(e->inserted);
    }
    // Every pair of this round is found again, none of the purged rounds is.
    for (int i = 0; i < 8; ++i) {
      auto dup = s.enqueue(outbox_conformance::item("J" + std::to_string(round), "k" + std::to_string(i), url), t);
      REQUIRE(dup);
      CHECK_FALSE(dup->inserted);
    }
    auto ls = outbox_conformance::lease(s, t, 100);
    REQUIRE(ls.size() == 8);
    for (const auto& l : ls) REQUIRE(s.record(l, outbox_conformance::delivered(to_unix_ms(t)), t));
    auto p = s.purge(t + 1s, 100);
    REQUIRE(p);
    CHECK(*p == 8);
    CHECK(s.size() == 0);
  }
  auto back = s.enqueue(outbox_conformance::item("J0", "k0", url), t);
  REQUIRE(back);
  CHECK(back->inserted);
}

TEST_CASE("memory outbox: the default capacity is JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS rows") {
  const unix_time t = unix_time_from_seconds(1781166600);
  memory_outbox_store s;
  CHECK(s.capacity() == default_memory_outbox_capacity);
  const std::string url = "https://full.example/hook";
  for (std::size_t i = 0; i < default_memory_outbox_capacity; ++i) {
    auto e = s.enqueue(outbox_conformance::item("J", std::to_string(i), url), t);
    if (!e) FAIL("row " << i << ": " << error_name(e.code()));
  }
  CHECK(s.enqueue(outbox_conformance::item("J", "one-past", url), t).code() == errc::store_full);
  CHECK(s.counts(t)->pending == default_memory_outbox_capacity);
}
