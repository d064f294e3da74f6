// The dedup store conformance suite: the same observable behaviour, checked against every
// store (in-memory, SQLite, Redis, PostgreSQL). PROTOCOL.md §2 (keys are per job) and §13
// (two-phase claim/commit/release with leases).
//
// A fixture F provides:
//   static std::unique_ptr<F> make();            nullptr when the store's service is not
//                                                configured (the test is then skipped)
//   store_type& store();                         the store under test
//   jobwire::dedup_time now();                   the time to pass to the store
//   void advance(std::chrono::milliseconds d);   let d pass (logical time, or a real sleep
//                                                for stores that expire keys by their own
//                                                clock, i.e. Redis)
//   std::chrono::milliseconds lease();           the lease the suite claims with
//   std::chrono::milliseconds retention();       the store's configured retention
// JW_DEDUP_CONFORMANCE(prefix, F) defines one Catch2 test case per property.
#pragma once

#include <catch2/catch.hpp>
#include <jobwire/dedup.hpp>
#include <jobwire/job.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "test_support.hpp"

// REQUIRE on a result, naming the error code when it fails.
#define JW_REQUIRE_OK(r)                                \
  do {                                                  \
    INFO("error: " << jobwire::error_name((r).code())); \
    REQUIRE(r);                                         \
  } while (0)

namespace dedup_conformance {

using namespace std::chrono_literals;
using jobwire::claim_state;
using jobwire::dedup_key;
using jobwire::errc;

/// A job id no other test (or concurrently running test binary) uses.
inline std::string unique_job_id(const char* tag) {
  static std::atomic<unsigned> counter{0};
  auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return "G-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(ticks % 1000000007) + "-" +
         std::to_string(counter++);
}

inline dedup_key pair_key(const std::string& job, const char* delivery = "video.completed") {
  auto k = dedup_key::for_delivery(job, delivery);
  JW_REQUIRE_OK(k);
  return *k;
}

/// Reads a service location from the environment. Unset: skipped locally (with a
/// message), a failure under CI, where tests/services.sh must have started the service.
inline const char* service_env(const char* name) {
  const char* v = std::getenv(name);
  if (v && *v) return v;
  if (jobwire_test::in_ci()) FAIL(std::string(name) + " is not set; under CI tests/services.sh must start the service");
  WARN(std::string("SKIPPED: ") + name + " is not set (source tests/services.sh and run services_start)");
  return nullptr;
}

template <class F>
void fresh_in_flight_done(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("basic"));
  auto c = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(c);
  CHECK(c->state == claim_state::fresh);
  auto again = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(again);
  CHECK(again->state == claim_state::in_flight);
  REQUIRE(s.commit(k, c->token, fx.now()));
  auto dup = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(dup);
  CHECK(dup->state == claim_state::done);
  // A retried commit (its first reply was lost) is idempotent.
  CHECK(s.commit(k, c->token, fx.now()));
  auto still = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(still);
  CHECK(still->state == claim_state::done);
}

template <class F>
void lease_expiry_takeover(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("lease"));
  auto first = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(first);
  REQUIRE(first->state == claim_state::fresh);
  fx.advance(fx.lease() + fx.lease() / 4);
  auto second = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(second);
  CHECK(second->state == claim_state::fresh);
  CHECK(second->token != first->token);
  auto third = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(third);
  CHECK(third->state == claim_state::in_flight);
}

template <class F>
void late_commit_from_dead_holder(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("late"));
  auto dead = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(dead);
  REQUIRE(dead->state == claim_state::fresh);
  fx.advance(fx.lease() + fx.lease() / 4);
  auto live = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(live);
  REQUIRE(live->state == claim_state::fresh);
  // The overtaken holder wakes up: neither its commit nor its release may touch the
  // new holder's claim.
  CHECK(s.commit(k, dead->token, fx.now()).code() == errc::claim_lost);
  CHECK(s.release(k, dead->token).code() == errc::claim_lost);
  auto during = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(during);
  CHECK(during->state == claim_state::in_flight);
  REQUIRE(s.commit(k, live->token, fx.now()));
  CHECK(s.commit(k, dead->token, fx.now()).code() == errc::claim_lost);
  auto after = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(after);
  CHECK(after->state == claim_state::done);
}

template <class F>
void release_then_reclaim(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("release"));
  auto a = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(a);
  REQUIRE(a->state == claim_state::fresh);
  REQUIRE(s.release(k, a->token));
  CHECK(s.release(k, a->token).code() == errc::claim_lost);  // already released
  auto b = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(b);
  CHECK(b->state == claim_state::fresh);
  CHECK(b->token != a->token);
  CHECK(s.commit(k, a->token, fx.now()).code() == errc::claim_lost);
  REQUIRE(s.commit(k, b->token, fx.now()));
  // A committed key cannot be released back into play.
  CHECK(s.release(k, b->token).code() == errc::claim_lost);
  auto c = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(c);
  CHECK(c->state == claim_state::done);
}

template <class F>
void retention_expiry(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("retention"));
  auto a = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(a);
  REQUIRE(s.commit(k, a->token, fx.now()));
  fx.advance(fx.retention() / 2);
  auto within = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(within);
  CHECK(within->state == claim_state::done);
  fx.advance(fx.retention() / 2 + fx.retention() / 4);
  auto past = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(past);
  CHECK(past->state == claim_state::fresh);
}

template <class F>
void same_delivery_key_distinct_jobs(F& fx) {
  auto& s = fx.store();
  dedup_key a = pair_key(unique_job_id("jobA"));
  dedup_key b = pair_key(unique_job_id("jobB"));
  auto ca = s.claim(a, fx.now(), fx.lease());
  auto cb = s.claim(b, fx.now(), fx.lease());
  JW_REQUIRE_OK(ca);
  JW_REQUIRE_OK(cb);
  CHECK(ca->state == claim_state::fresh);
  CHECK(cb->state == claim_state::fresh);
  REQUIRE(s.commit(a, ca->token, fx.now()));
  auto cb2 = s.claim(b, fx.now(), fx.lease());
  JW_REQUIRE_OK(cb2);
  CHECK(cb2->state == claim_state::in_flight);  // job B is unaffected by job A's commit
  // Tokens are per key: A's token does nothing to B.
  CHECK(s.commit(b, ca->token, fx.now()).code() == errc::claim_lost);
  REQUIRE(s.commit(b, cb->token, fx.now()));
  auto ca2 = s.claim(a, fx.now(), fx.lease());
  JW_REQUIRE_OK(ca2);
  CHECK(ca2->state == claim_state::done);
}

template <class F>
void event_id_keys_independent(F& fx) {
  auto& s = fx.store();
  std::string job = unique_job_id("evt");
  dedup_key by_pair = pair_key(job, "video.progress:50");
  std::string evt = "evt_video_" + job + "_video_progress_50";
  for (char& ch : evt)
    if (!jobwire::is_event_id_char(ch)) ch = '_';
  auto by_event = dedup_key::for_event(evt);
  JW_REQUIRE_OK(by_event);
  auto a = s.claim(by_pair, fx.now(), fx.lease());
  auto b = s.claim(*by_event, fx.now(), fx.lease());
  JW_REQUIRE_OK(a);
  JW_REQUIRE_OK(b);
  CHECK(a->state == claim_state::fresh);
  CHECK(b->state == claim_state::fresh);
  REQUIRE(s.commit(*by_event, b->token, fx.now()));
  auto a2 = s.claim(by_pair, fx.now(), fx.lease());
  JW_REQUIRE_OK(a2);
  CHECK(a2->state == claim_state::in_flight);
  // A job id shaped like an event id encoding still names a different key.
  dedup_key tricky = pair_key("evt", evt.c_str());
  auto t = s.claim(tricky, fx.now(), fx.lease());
  JW_REQUIRE_OK(t);
  CHECK(t->state == claim_state::fresh);
}

template <class F>
void unknown_tokens_and_keys(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("unknown"));
  jobwire::claim_token forged{};
  forged.bytes[0] = 0x5a;
  CHECK(s.commit(k, forged, fx.now()).code() == errc::claim_lost);
  CHECK(s.release(k, forged).code() == errc::claim_lost);
  auto a = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(a);
  CHECK(a->state == claim_state::fresh);  // the failed commit did not create the key
  CHECK(s.commit(k, forged, fx.now()).code() == errc::claim_lost);
  auto b = s.claim(k, fx.now(), fx.lease());
  JW_REQUIRE_OK(b);
  CHECK(b->state == claim_state::in_flight);
  CHECK(s.claim(k, fx.now(), std::chrono::milliseconds{0}).code() == errc::invalid_argument);
  CHECK(s.claim(k, fx.now(), std::chrono::milliseconds{-5}).code() == errc::invalid_argument);
}

/// A `now` near the end of the int64 range: `now + lease` and `now + retention` saturate
/// instead of overflowing, so a held key stays held and a done key stays done (a wrapped
/// expiry would lie in the past and make both look free). Stores that expire by their own
/// clock (Redis) ignore `now` and must behave the same.
template <class F>
void end_of_time(F& fx) {
  auto& s = fx.store();
  dedup_key k = pair_key(unique_job_id("end"));
  const jobwire::dedup_time end = jobwire::dedup_time_from_unix_ms((std::numeric_limits<std::int64_t>::max)() - 10);
  auto a = s.claim(k, end, fx.lease());
  JW_REQUIRE_OK(a);
  CHECK(a->state == claim_state::fresh);
  auto b = s.claim(k, end, fx.lease());
  JW_REQUIRE_OK(b);
  CHECK(b->state == claim_state::in_flight);
  REQUIRE(s.commit(k, a->token, end));
  auto c = s.claim(k, end, fx.lease());
  JW_REQUIRE_OK(c);
  CHECK(c->state == claim_state::done);
}

/// The job lease key (`dedup_key::for_job`, receiver.hpp) is stored like any key and is
/// independent of the job's delivery keys; a 256-byte job id (the longest valid one)
/// works in both forms.
template <class F>
void job_lease_keys(F& fx) {
  auto& s = fx.store();
  const std::string job = unique_job_id("lease");
  const std::string longest = job + std::string(jobwire::max_job_id_length - job.size(), 'x');
  for (const std::string& j : {job, longest}) {
    INFO(j.size());
    auto lease = dedup_key::for_job(j);
    JW_REQUIRE_OK(lease);
    dedup_key delivery = pair_key(j);
    auto a = s.claim(*lease, fx.now(), fx.lease());
    JW_REQUIRE_OK(a);
    CHECK(a->state == claim_state::fresh);
    auto d = s.claim(delivery, fx.now(), fx.lease());
    JW_REQUIRE_OK(d);
    CHECK(d->state == claim_state::fresh);
    auto busy = s.claim(*lease, fx.now(), fx.lease());
    JW_REQUIRE_OK(busy);
    CHECK(busy->state == claim_state::in_flight);
    REQUIRE(s.release(*lease, a->token));
    auto again = s.claim(*lease, fx.now(), fx.lease());
    JW_REQUIRE_OK(again);
    CHECK(again->state == claim_state::fresh);
    REQUIRE(s.release(*lease, again->token));
  }
}

}  // namespace dedup_conformance

#define JW_DEDUP_CONFORMANCE_CASE(prefix, F, fn) \
  TEST_CASE(prefix ": " #fn, "[conformance]") {  \
    auto fx = F::make();                         \
    if (!fx) return;                             \
    dedup_conformance::fn(*fx);                  \
  }

#define JW_DEDUP_CONFORMANCE(prefix, F)                                 \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, fresh_in_flight_done)            \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, lease_expiry_takeover)           \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, late_commit_from_dead_holder)    \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, release_then_reclaim)            \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, retention_expiry)                \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, same_delivery_key_distinct_jobs) \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, event_id_keys_independent)       \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, unknown_tokens_and_keys)         \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, end_of_time)                     \
  JW_DEDUP_CONFORMANCE_CASE(prefix, F, job_lease_keys)
