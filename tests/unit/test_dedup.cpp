// Dedup keys, the store interface trait, retention arithmetic, and the in-memory store
// (dedup.hpp; PROTOCOL.md §2, §12, §13).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <jobwire/dedup.hpp>
#include <jobwire/job.hpp>

#include "dedup_conformance.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

TEST_CASE("dedup keys: the pair form is length-prefixed and injective") {
  auto a = dedup_key::for_delivery("a:b", "c");
  auto b = dedup_key::for_delivery("a", "b:c");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->encoded() == "job:3:a:b:c");
  CHECK(b->encoded() == "job:1:a:b:c");
  CHECK(*a != *b);
  CHECK(a->job_id() == "a:b");
  CHECK(a->delivery_key_text() == "c");
  CHECK(a->event_id().empty());
  CHECK(a->form() == dedup_key_form::job_delivery);

  auto g = dedup_key::for_delivery("G-abc", "video.completed");
  REQUIRE(g);
  CHECK(g->encoded() == "job:5:G-abc:video.completed");
  // Same delivery key, different jobs: different keys (§2).
  CHECK(*g != *dedup_key::for_delivery("G-abd", "video.completed"));
}

TEST_CASE("dedup keys: the typed delivery key gives the same encoding as its text") {
  auto dk = parse_delivery_key("video.progress:50");
  REQUIRE(dk);
  auto typed = dedup_key::for_delivery("G-1", *dk);
  auto text = dedup_key::for_delivery("G-1", "video.progress:50");
  REQUIRE(typed);
  REQUIRE(text);
  CHECK(*typed == *text);
  auto done = dedup_key::for_delivery("G-1", *parse_delivery_key("video.completed"));
  REQUIRE(done);
  CHECK(done->encoded() == "job:3:G-1:video.completed");
  delivery_key bad{*parse_event_type("video.progress"), 42};
  CHECK(dedup_key::for_delivery("G-1", bad).code() == errc::invalid_delivery_key);
}

TEST_CASE("dedup keys: the event id form cannot collide with the pair form") {
  auto e = dedup_key::for_event("evt_video_123_video_completed");
  REQUIRE(e);
  CHECK(e->encoded() == "evt:evt_video_123_video_completed");
  CHECK(e->form() == dedup_key_form::event_id);
  CHECK(e->event_id() == "evt_video_123_video_completed");
  CHECK(e->job_id().empty());
  // Whatever the job id, the pair form starts with "job:" and the event form with "evt:".
  auto p = dedup_key::for_delivery("evt", "evt_video_123_video_completed");
  REQUIRE(p);
  CHECK(*p != *e);
}

TEST_CASE("dedup keys: lengths and alphabets are validated") {
  CHECK(dedup_key::for_delivery("", "video.completed").code() == errc::invalid_dedup_key);
  CHECK(dedup_key::for_delivery("G-1", "").code() == errc::invalid_dedup_key);
  CHECK(dedup_key::for_delivery(std::string(max_dedup_job_id_length, 'j'), "video.completed"));
  CHECK(dedup_key::for_delivery(std::string(max_dedup_job_id_length + 1, 'j'), "video.completed").code() ==
        errc::invalid_dedup_key);
  CHECK(dedup_key::for_delivery("G-1", std::string(max_dedup_delivery_key_length, 'k')));
  CHECK(dedup_key::for_delivery("G-1", std::string(max_dedup_delivery_key_length + 1, 'k')).code() ==
        errc::invalid_dedup_key);
  CHECK(dedup_key::for_event("").code() == errc::invalid_event_id);
  CHECK(dedup_key::for_event(std::string(160, 'e')));
  CHECK(dedup_key::for_event(std::string(161, 'e')).code() == errc::invalid_event_id);
  CHECK(dedup_key::for_event("evt video").code() == errc::invalid_event_id);
  auto longest = dedup_key::for_delivery(std::string(max_dedup_job_id_length, 'j'),
                                         std::string(max_dedup_delivery_key_length, 'k'));
  REQUIRE(longest);
  CHECK(longest->encoded().size() == dedup_key::max_encoded_length);
}

TEST_CASE("dedup keys: parse accepts exactly the canonical encodings") {
  for (const char* s : {"job:3:a:b:c", "job:1:a:b:c", "evt:evt_1", "job:5:G-abc:video.completed"}) {
    INFO(s);
    auto k = dedup_key::parse(s);
    REQUIRE(k);
    CHECK(k->encoded() == s);
  }
  for (const char* s : {"", "jls:", "job:", "job:0::x", "job:03:abc:x", "job:3:abc", "job:3:abc:", "job:3:ab:",
                        "job:x:a:b", "evt:", "EVT:x", "job:4:abc:x", "job:1234:a:b", "xyz:abc"}) {
    INFO(s);
    CHECK_FALSE(dedup_key::parse(s));
  }
  CHECK(dedup_key::parse("evt:bad id").code() == errc::invalid_event_id);
}

TEST_CASE("dedup keys: every valid job id is accepted (one bound with job.hpp)") {
  // Regression: the dedup bound was a separate 255 while job ids may have 256 bytes, so
  // every delivery of a valid job with a 256-byte id was rejected.
  static_assert(max_dedup_job_id_length == max_job_id_length, "one bound for job ids");
  const std::string longest_job(max_job_id_length, 'j');
  REQUIRE(job_id_view::parse(longest_job));
  auto k = dedup_key::for_delivery(longest_job, "video.completed");
  REQUIRE(k);
  CHECK(k->job_id() == longest_job);
  auto back = dedup_key::parse(k->encoded());
  REQUIRE(back);
  CHECK(*back == *k);
  CHECK(dedup_key::for_job(longest_job));
  CHECK(dedup_key::for_job(longest_job + "j").code() == errc::invalid_dedup_key);
  CHECK_FALSE(job_id_view::parse(longest_job + "j"));
}

TEST_CASE("dedup keys: the job lease form names a job and collides with no delivery key") {
  auto l = dedup_key::for_job("G-1");
  REQUIRE(l);
  CHECK(l->encoded() == "jls:G-1");
  CHECK(l->form() == dedup_key_form::job_lease);
  CHECK(l->job_id() == "G-1");
  CHECK(l->delivery_key_text().empty());
  CHECK(l->event_id().empty());
  CHECK(*l != *dedup_key::for_delivery("G-1", "video.completed"));
  CHECK(*l != *dedup_key::for_event("jls_G-1"));
  CHECK(dedup_key::for_job("").code() == errc::invalid_dedup_key);
  auto back = dedup_key::parse("jls:G-1");
  REQUIRE(back);
  CHECK(*back == *l);
  CHECK(back->form() == dedup_key_form::job_lease);
  CHECK(dedup_key::parse("jls:").code() == errc::invalid_dedup_key);
  // A job id containing ':' stays one job id.
  auto odd = dedup_key::parse("jls:a:b");
  REQUIRE(odd);
  CHECK(odd->job_id() == "a:b");
}

TEST_CASE("memory store: now + lease saturates instead of overflowing near the end of time") {
  // Regression: `now + lease` overflowed (undefined behaviour) and the wrapped expiry lay
  // in the past, so a second claim of a held key came back fresh as well.
  memory_dedup_store s;
  const auto k = *dedup_key::for_delivery("G-end", "video.completed");
  const dedup_time end = dedup_time_from_unix_ms((std::numeric_limits<std::int64_t>::max)() - 10);
  auto a = s.claim(k, end, 60s);
  REQUIRE(a);
  CHECK(a->state == claim_state::fresh);
  auto b = s.claim(k, end, 60s);
  REQUIRE(b);
  CHECK(b->state == claim_state::in_flight);
  REQUIRE(s.commit(k, a->token, end));
  auto c = s.claim(k, end, 60s);
  REQUIRE(c);
  CHECK(c->state == claim_state::done);
  CHECK(dedup_expiry((std::numeric_limits<std::int64_t>::max)() - 10, 60s) ==
        (std::numeric_limits<std::int64_t>::max)());
  CHECK(dedup_expiry(1000, 60s) == 61000);
  CHECK(dedup_expiry(-61000, 60s) == -1000);
}

TEST_CASE("retention covers the sender's whole retry horizon (PROTOCOL.md section 12)") {
  // 60 + 300 + 900 s of delays, 3 sweeps of lag, 4 attempts at the longest timeout.
  CHECK(sender_retry_horizon == 2640s);
  CHECK(default_done_retention >= sender_retry_horizon);
  CHECK(default_done_retention == 88min);
  CHECK(default_claim_lease == 120s);
  CHECK(to_unix_ms(dedup_time{std::chrono::seconds{1781166600}}) == 1781166600000);
  CHECK(dedup_time_from_unix_ms(5) == dedup_time{5ms});
}

namespace {
struct not_a_store {
  void_result claim(const dedup_key&, dedup_time, std::chrono::milliseconds) { return {}; }  // wrong return type
  void_result commit(const dedup_key&, const claim_token&, dedup_time) { return {}; }
  void_result release(const dedup_key&, const claim_token&) { return {}; }
};
struct missing_release {
  result<claim_result> claim(const dedup_key&, dedup_time, std::chrono::milliseconds) { return claim_result{}; }
  void_result commit(const dedup_key&, const claim_token&, dedup_time) { return {}; }
};
}  // namespace

TEST_CASE("is_dedup_store checks the required expressions") {
  STATIC_REQUIRE(is_dedup_store_v<memory_dedup_store>);
  STATIC_REQUIRE_FALSE(is_dedup_store_v<not_a_store>);
  STATIC_REQUIRE_FALSE(is_dedup_store_v<missing_release>);
  STATIC_REQUIRE_FALSE(is_dedup_store_v<int>);
  STATIC_REQUIRE(require_dedup_store<memory_dedup_store>());
}

// --- in-memory store ----------------------------------------------------------------------

namespace {
struct memory_fixture {
  using store_type = memory_dedup_store;
  memory_dedup_store s{memory_dedup_options{1024, 8, 1h}};
  dedup_time t{std::chrono::seconds{1781166600}};

  static std::unique_ptr<memory_fixture> make() { return std::make_unique<memory_fixture>(); }
  memory_dedup_store& store() { return s; }
  dedup_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
  std::chrono::milliseconds lease() const { return 30s; }
  std::chrono::milliseconds retention() const { return s.retention(); }
};
}  // namespace

JW_DEDUP_CONFORMANCE("memory", memory_fixture)

TEST_CASE("memory store: invalid options are reported, not guessed") {
  memory_dedup_store zero{memory_dedup_options{0, 1, 1h}};
  CHECK(zero.config_status().code() == errc::invalid_argument);
  auto k = *dedup_key::for_event("evt_1");
  CHECK(zero.claim(k, dedup_time{}, 1s).code() == errc::invalid_argument);
  memory_dedup_store shards{memory_dedup_options{4, 8, 1h}};
  CHECK(shards.config_status().code() == errc::invalid_argument);
  memory_dedup_store retention{memory_dedup_options{4, 1, 0ms}};
  CHECK(retention.config_status().code() == errc::invalid_argument);
  memory_dedup_store ok{memory_dedup_options{4, 1, 1h}};
  CHECK(ok.config_status());
}

TEST_CASE("memory store: the factory refuses unusable options and the store it makes works") {
  CHECK(memory_dedup_store::create(memory_dedup_options{0, 1, 1h}).code() == errc::invalid_argument);
  CHECK(memory_dedup_store::create(memory_dedup_options{4, 8, 1h}).code() == errc::invalid_argument);
  CHECK(memory_dedup_store::create(memory_dedup_options{4, 1, 0ms}).code() == errc::invalid_argument);
  auto made = memory_dedup_store::create(memory_dedup_options{4, 1, 1h});
  REQUIRE(made);
  memory_dedup_store store = std::move(*made);  // moved before use
  const auto k = *dedup_key::for_event("evt_1");
  const dedup_time t{std::chrono::seconds{1000}};
  auto c = store.claim(k, t, 30s);
  REQUIRE(c);
  CHECK(c->state == claim_state::fresh);
  REQUIRE(store.commit(k, c->token, t));
  CHECK(store.claim(k, t, 30s)->state == claim_state::done);
  CHECK(memory_dedup_store::create()->config_status());
}

TEST_CASE("memory store: when full, expired entries are evicted and live ones never") {
  memory_dedup_store s{memory_dedup_options{4, 1, 10min}};
  dedup_time t0{std::chrono::seconds{1000}};
  auto key = [](int i) { return *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed"); };
  std::vector<claim_token> tok;
  for (int i = 0; i < 4; ++i) {
    auto c = s.claim(key(i), t0, 1min);
    REQUIRE(c);
    REQUIRE(c->fresh());
    tok.push_back(c->token);
  }
  REQUIRE(s.commit(key(0), tok[0], t0));  // done until t0 + 10 min
  REQUIRE(s.commit(key(1), tok[1], t0));
  // Everything is live: a new key is refused, and no existing entry was dropped.
  CHECK(s.claim(key(4), t0 + 30s, 1min).code() == errc::store_full);
  CHECK(s.size() == 4);
  CHECK(s.claim(key(0), t0 + 30s, 1min)->state == claim_state::done);
  CHECK(s.claim(key(2), t0 + 30s, 1min)->state == claim_state::in_flight);
  // After the leases of keys 2 and 3 ran out, new keys take their slots; the done keys
  // (still within retention) stay.
  auto c4 = s.claim(key(4), t0 + 2min, 1min);
  REQUIRE(c4);
  CHECK(c4->fresh());
  auto c5 = s.claim(key(5), t0 + 2min, 1min);
  REQUIRE(c5);
  CHECK(c5->fresh());
  CHECK(s.claim(key(6), t0 + 2min, 1min).code() == errc::store_full);
  CHECK(s.claim(key(0), t0 + 2min, 1min)->state == claim_state::done);
  CHECK(s.claim(key(1), t0 + 2min, 1min)->state == claim_state::done);
  // The evicted crashed claims are gone: their holders' commits are lost.
  CHECK(s.commit(key(2), tok[2], t0 + 2min).code() == errc::claim_lost);
  // Past retention, done entries make room too.
  auto c6 = s.claim(key(6), t0 + 11min, 1min);
  REQUIRE(c6);
  CHECK(c6->fresh());
  CHECK(s.size() == 4);
}

// Keys spread unevenly over shards: a store of small capacity split 16 ways had shards of
// two entries, and the third key hashed to one was `store_full` with the store nearly empty
// (seen as a receiver answering 503 store_full for one job of four, in the tiny-limits
// build). Small capacities therefore get fewer, larger shards.
TEST_CASE("memory store: a small capacity is not split into shards that fill by chance") {
  dedup_time t0{std::chrono::seconds{1000}};
  auto key = [](std::size_t i) { return *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed"); };
  for (std::size_t cap : {std::size_t{16}, std::size_t{32}, std::size_t{63}, std::size_t{64}, std::size_t{127},
                          std::size_t{128}, std::size_t{1024}, std::size_t{65536}}) {
    INFO("capacity " << cap);
    memory_dedup_options o;
    o.capacity = cap;
    memory_dedup_store s{o};
    REQUIRE(s.config_status());
    const std::size_t want = cap / memory_dedup_min_shard_entries;
    CHECK(s.shard_count() == (want == 0 ? 1 : (want < o.shards ? want : o.shards)));
    // Half the capacity (at most 512 keys) always fits, whatever the keys hash to.
    const std::size_t n = cap / 2 < 512 ? cap / 2 : 512;
    for (std::size_t i = 0; i < n; ++i) {
      auto c = s.claim(key(i), t0, 1min);
      if (!c || !c->fresh()) FAIL("claim " << i << " of " << n << " refused at capacity " << cap);
    }
  }
  // The requested count is kept when every shard gets enough room.
  memory_dedup_options big;
  big.capacity = 16 * memory_dedup_min_shard_entries;
  CHECK(memory_dedup_store{big}.shard_count() == 16);
  big.shards = 4;
  CHECK(memory_dedup_store{big}.shard_count() == 4);
}

// The compiled-in default capacity (JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES; 32 in the tiny-limits
// build): exactly that many live keys fit, one more is `store_full`.
TEST_CASE("memory store: the default capacity holds exactly its many live keys") {
  CHECK(memory_dedup_options{}.capacity == JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES);
  CHECK(memory_dedup_options{}.shards == default_memory_dedup_shards);
  dedup_time t0{std::chrono::seconds{1000}};
  auto key = [](std::size_t i) { return *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed"); };
  // One shard: the whole capacity is one pool, so the bound is exact.
  memory_dedup_options one_shard;
  one_shard.shards = 1;
  memory_dedup_store s{one_shard};
  REQUIRE(s.config_status());
  const std::size_t cap = default_memory_dedup_capacity;
  for (std::size_t i = 0; i < cap; ++i) {
    auto c = s.claim(key(i), t0, 1min);
    if (!c || !c->fresh()) FAIL("claim " << i << " of " << cap << " refused");
  }
  CHECK(s.size() == cap);
  CHECK(s.claim(key(cap), t0, 1min).code() == errc::store_full);
  CHECK(s.claim(key(0), t0, 1min)->state == claim_state::in_flight);  // nothing was dropped
  // With the default shards the keys spread by hash: the store fills at most
  // shards x ceil(capacity / shards) keys and then refuses with the same code.
  memory_dedup_store sharded;
  REQUIRE(sharded.config_status());
  const std::size_t per = (cap + default_memory_dedup_shards - 1) / default_memory_dedup_shards;
  std::size_t held = 0, i = 0;
  for (; i <= default_memory_dedup_shards * per; ++i) {
    auto c = sharded.claim(key(i), t0, 1min);
    if (!c) {
      CHECK(c.code() == errc::store_full);
      break;
    }
    ++held;
  }
  CHECK(i <= default_memory_dedup_shards * per);  // it did fill up
  CHECK(held == sharded.size());
  CHECK(held <= default_memory_dedup_shards * per);
}

TEST_CASE("memory store: sweep drops exactly the expired entries") {
  memory_dedup_store s{memory_dedup_options{64, 4, 10min}};
  dedup_time t0{std::chrono::seconds{1000}};
  for (int i = 0; i < 10; ++i) {
    auto k = *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed");
    auto c = s.claim(k, t0, 1min);
    REQUIRE(c);
    if (i < 4) REQUIRE(s.commit(k, c->token, t0));
  }
  CHECK(s.size() == 10);
  CHECK(s.sweep(t0 + 30s) == 0);
  CHECK(s.sweep(t0 + 2min) == 6);  // the six leases
  CHECK(s.size() == 4);
  CHECK(s.sweep(t0 + 10min) == 4);  // retention ends exactly at commit + 10 min
  CHECK(s.size() == 0);
}

TEST_CASE("memory store: expiry order survives mixed lease lengths") {
  memory_dedup_store s{memory_dedup_options{2, 1, 10min}};
  dedup_time t0{std::chrono::seconds{1000}};
  auto a = *dedup_key::for_event("evt_a");
  auto b = *dedup_key::for_event("evt_b");
  auto c = *dedup_key::for_event("evt_c");
  REQUIRE(s.claim(a, t0, 5min)->fresh());
  REQUIRE(s.claim(b, t0, 1min)->fresh());  // expires before a although claimed after it
  auto got = s.claim(c, t0 + 2min, 1min);
  REQUIRE(got);
  CHECK(got->fresh());  // b's slot was reused
  CHECK(s.claim(a, t0 + 2min, 1min)->state == claim_state::in_flight);
}

TEST_CASE("memory store: N threads claiming one key -> exactly one fresh winner") {
  memory_dedup_store s{memory_dedup_options{4096, 16, 1h}};
  const dedup_time now{std::chrono::seconds{1781166600}};
  constexpr int threads = 8;
  constexpr int rounds = 200;
  std::atomic<int> effects{0}, errors{0}, other_jobs{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      for (int r = 0; r < rounds; ++r) {
        auto shared = *dedup_key::for_delivery("G-shared-" + std::to_string(r), "video.completed");
        auto c = s.claim(shared, now, 30s);
        if (!c) {
          errors.fetch_add(1);
          continue;
        }
        if (c->fresh()) {
          effects.fetch_add(1);
          if (!s.commit(shared, c->token, now)) errors.fetch_add(1);
        }
        // Every thread's own job has a `video.completed` key too: always fresh.
        auto own = *dedup_key::for_delivery("G-own-" + std::to_string(t) + "-" + std::to_string(r), "video.completed");
        auto o = s.claim(own, now, 30s);
        if (o && o->fresh()) other_jobs.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  CHECK(errors.load() == 0);
  CHECK(effects.load() == rounds);  // one effect per shared key, whatever the interleaving
  CHECK(other_jobs.load() == threads * rounds);
}

TEST_CASE("memory store: long keys (stored out of line) behave like short ones") {
  memory_dedup_store s{memory_dedup_options{8, 1, 10min}};
  const dedup_time t0{std::chrono::seconds{1000}};
  const std::string long_job(max_dedup_job_id_length, 'j');
  auto a = *dedup_key::for_delivery(long_job, "video.completed");
  auto b = *dedup_key::for_delivery(long_job, "video.progress:50");  // differs only at the end
  auto shortk = *dedup_key::for_delivery("G-1", "video.completed");
  REQUIRE(a.encoded().size() > 64);
  auto ca = s.claim(a, t0, 1min);
  auto cb = s.claim(b, t0, 1min);
  auto cs = s.claim(shortk, t0, 1min);
  REQUIRE(ca);
  REQUIRE(cb);
  REQUIRE(cs);
  CHECK(ca->fresh());
  CHECK(cb->fresh());
  CHECK(cs->fresh());
  REQUIRE(s.commit(a, ca->token, t0));
  CHECK(s.claim(a, t0, 1min)->state == claim_state::done);
  CHECK(s.claim(b, t0, 1min)->state == claim_state::in_flight);
  REQUIRE(s.release(b, cb->token));
  CHECK(s.claim(b, t0, 1min)->state == claim_state::fresh);
  CHECK(s.claim(shortk, t0, 1min)->state == claim_state::in_flight);
}
