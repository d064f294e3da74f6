// The outbox store conformance suite: the same observable behaviour, checked against every
// store (in-memory, SQLite, PostgreSQL). outbox.hpp states the rules; PROTOCOL.md §16.7
// (idempotent enqueue, and the claim a crashed sender left behind, which here expires) and
// §17 "Sending" (410 disables an endpoint, 429/502/504 throttle it).
//
// A fixture F provides:
//   static std::unique_ptr<F> make();        nullptr when the store's service is not
//                                            configured (the test is then skipped)
//   store_type& store();                     the store under test (empty at make())
//   jobwire::unix_time now();                the time to pass to the store
//   void advance(std::chrono::milliseconds); let time pass (logical: every store takes
//                                            the caller's clock)
// JW_OUTBOX_CONFORMANCE(prefix, F) defines one Catch2 test case per property.
#pragma once

#include <catch2/catch.hpp>
#include <jobwire/outbox.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

// REQUIRE on a result, naming the error code when it fails; the expression is evaluated
// once (it is often the store call itself).
#define JW_OUTBOX_OK(expr)                                       \
  do {                                                           \
    auto&& jw_outbox_r_ = (expr);                                \
    INFO("error: " << jobwire::error_name(jw_outbox_r_.code())); \
    REQUIRE(jw_outbox_r_);                                       \
  } while (0)

namespace outbox_conformance {

using namespace std::chrono_literals;
using jobwire::endpoint_effect;
using jobwire::errc;
using jobwire::outbox_item;
using jobwire::outbox_lease;
using jobwire::outbox_record;
using jobwire::outbox_state;

/// A name no other test (or concurrently running test binary sharing a database) uses.
inline std::string unique(const char* tag) {
  static std::atomic<unsigned> counter{0};
  auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(ticks % 1000000007) + "-" +
         std::to_string(counter++);
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

inline outbox_item item(const std::string& job, const std::string& key, const std::string& url,
                        const std::string& payload = "{}") {
  return outbox_item{job, key, url, payload};
}

inline outbox_record delivered(std::int64_t t) {
  outbox_record r;
  r.state = outbox_state::delivered;
  r.tried_at_ms = t;
  r.http_status = 200;
  r.effect = endpoint_effect::success;
  return r;
}

inline outbox_record retry_at(std::int64_t t, std::int64_t next, endpoint_effect e = endpoint_effect::failure,
                              unsigned disable_after = 0) {
  outbox_record r;
  r.state = outbox_state::scheduled_retry;
  r.tried_at_ms = t;
  r.next_attempt_at_ms = next;
  r.http_status = 500;
  r.error = "HTTP 500";
  r.effect = e;
  r.disable_after_failures = disable_after;
  return r;
}

template <class S>
std::vector<outbox_lease> lease(S& s, jobwire::unix_time now, std::size_t max = 100, std::chrono::milliseconds d = 30s,
                                const char* worker = "w1") {
  std::vector<outbox_lease> out;
  auto n = s.lease(worker, now, d, max, out);
  JW_OUTBOX_OK(n);
  REQUIRE(*n == out.size());
  return out;
}

/// The state of a stored pair, read the one way the interface allows: a second enqueue
/// changes nothing and reports the state.
template <class S>
outbox_state state_of(S& s, const std::string& job, const std::string& key, jobwire::unix_time now) {
  auto e = s.enqueue(item(job, key, "https://probe.invalid/"), now);
  JW_OUTBOX_OK(e);
  REQUIRE_FALSE(e->inserted);
  return e->state;
}

inline std::int64_t ms(jobwire::unix_time t) { return jobwire::to_unix_ms(t); }

/// A second enqueue of the same (job id, delivery key) changes nothing, whatever else it
/// carries; the same key under another job, or another key of the same job, is new.
template <class F>
void enqueue_idempotent(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("J"), url = unique("https://a.example/") + "/hook";
  auto a = s.enqueue(item(job, "video.completed", url, "first"), fx.now());
  JW_OUTBOX_OK(a);
  CHECK(a->inserted);
  CHECK(a->state == outbox_state::pending);
  auto b = s.enqueue(item(job, "video.completed", url + "/other", "second"), fx.now());
  JW_OUTBOX_OK(b);
  CHECK_FALSE(b->inserted);
  CHECK(b->state == outbox_state::pending);
  auto c = s.enqueue(item(job + "x", "video.completed", url), fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->inserted);
  auto d = s.enqueue(item(job, "video.progress:50", url), fx.now());
  JW_OUTBOX_OK(d);
  CHECK(d->inserted);
  auto counts = s.counts(fx.now());
  JW_OUTBOX_OK(counts);
  CHECK(counts->pending == 3);
  // The first payload and endpoint are the ones kept.
  auto got = lease(s, fx.now());
  REQUIRE(got.size() == 3);
  CHECK(got[0].payload == "first");
  CHECK(got[0].endpoint == url);
  // A delivered row stays deduplicated.
  REQUIRE(s.record(got[0], delivered(ms(fx.now())), fx.now()));
  auto again = s.enqueue(item(job, "video.completed", url), fx.now());
  JW_OUTBOX_OK(again);
  CHECK_FALSE(again->inserted);
  CHECK(again->state == outbox_state::delivered);
}

/// Every bound of outbox.hpp: at the limit accepted, one past refused with
/// invalid_argument, and nothing stored by a refused call.
template <class F>
void bounds(F& fx) {
  using jobwire::outbox_max_id_bytes;
  using jobwire::outbox_max_payload_bytes;
  using jobwire::outbox_max_url_bytes;
  auto& s = fx.store();
  const std::string url = "https://b.example/hook";
  const std::string id_max(outbox_max_id_bytes, 'j'), id_over(outbox_max_id_bytes + 1, 'j');
  const std::string url_max = url + std::string(outbox_max_url_bytes - url.size(), 'u');
  const std::string url_over = url_max + "u";
  std::string payload_max(outbox_max_payload_bytes, 'p');
  payload_max[0] = '\0';  // opaque bytes, NUL included
  payload_max[1] = '\xff';
  const std::string payload_over(outbox_max_payload_bytes + 1, 'p');

  CHECK(s.enqueue(item(id_max, id_max, url_max, payload_max), fx.now())->inserted);
  CHECK(s.enqueue(item(id_over, "k", url), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", id_over, url), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", "k", url_over), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", "k", url, payload_over), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("", "k", url), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", "", url), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", "k", ""), fx.now()).code() == errc::invalid_argument);
  CHECK(s.enqueue(item("j", "k", url, ""), fx.now())->inserted);  // an empty payload is fine
  auto counts = s.counts(fx.now());
  JW_OUTBOX_OK(counts);
  CHECK(counts->pending == 2);

  std::vector<outbox_lease> out;
  const std::string worker_max(outbox_max_id_bytes, 'w'), worker_over(outbox_max_id_bytes + 1, 'w');
  using jobwire::outbox_max_lease;
  using jobwire::outbox_max_lease_batch;
  CHECK(s.lease("", fx.now(), 30s, 10, out).code() == errc::invalid_argument);
  CHECK(s.lease(worker_over, fx.now(), 30s, 10, out).code() == errc::invalid_argument);
  CHECK(s.lease("w", fx.now(), 0ms, 10, out).code() == errc::invalid_argument);
  CHECK(s.lease("w", fx.now(), outbox_max_lease + 1ms, 10, out).code() == errc::invalid_argument);
  CHECK(s.lease("w", fx.now(), 30s, 0, out).code() == errc::invalid_argument);
  CHECK(s.lease("w", fx.now(), 30s, outbox_max_lease_batch + 1, out).code() == errc::invalid_argument);
  CHECK(out.empty());
  auto n = s.lease(worker_max, fx.now(), outbox_max_lease, outbox_max_lease_batch, out);
  JW_OUTBOX_OK(n);
  REQUIRE(*n == 2);
  const outbox_lease& big = out[0].job_id == id_max ? out[0] : out[1];
  CHECK(big.delivery_key == id_max);
  CHECK(big.endpoint == url_max);
  CHECK(big.payload == payload_max);  // byte for byte
  CHECK(big.lease_expires_at_ms == ms(fx.now()) + outbox_max_lease.count());

  CHECK(s.extend(big, fx.now(), 0ms).code() == errc::invalid_argument);
  CHECK(s.extend(big, fx.now(), outbox_max_lease + 1ms).code() == errc::invalid_argument);
  CHECK(s.extend(big, fx.now(), outbox_max_lease));

  const std::int64_t t = ms(fx.now());
  outbox_record bad = delivered(t);
  bad.state = outbox_state::pending;
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad = retry_at(t, 0);
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad = retry_at(t, t - 1);
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad = delivered(t);
  bad.next_attempt_at_ms = t + 1000;
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad = delivered(t);
  bad.effect = endpoint_effect::throttle;
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad = delivered(t);
  bad.http_status = 99;
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  bad.http_status = 600;
  CHECK(s.record(big, bad, fx.now()).code() == errc::invalid_argument);
  // A long error text is cut, not refused (outbox_error_text); one that is not UTF-8 or
  // holds a NUL is kept too (whatever the response said).
  outbox_record long_error = delivered(t);
  const std::string text(jobwire::outbox_max_error_bytes + 100, 'e');
  long_error.error = text;
  JW_OUTBOX_OK(s.record(big, long_error, fx.now()));
  const outbox_lease& small = out[0].job_id == id_max ? out[1] : out[0];
  outbox_record odd_error = retry_at(t, t + 1);
  const std::string odd("HTTP 500: \xff\xfe\0tail\xe2\x82", 19);
  odd_error.error = odd;
  JW_OUTBOX_OK(s.record(small, odd_error, fx.now()));
  // A worker name is any bytes, like the ids.
  std::vector<outbox_lease> odd_worker;
  const std::string worker_bytes("w\xff\0", 3);
  fx.advance(1ms);
  JW_OUTBOX_OK(s.lease(worker_bytes, fx.now(), 30s, 10, odd_worker));
  REQUIRE(odd_worker.size() == 1);
  CHECK(odd_worker[0].attempt == 2);
  CHECK(s.endpoint("").code() == errc::invalid_argument);
  CHECK(s.endpoint(url_over).code() == errc::invalid_argument);
  CHECK(s.enable_endpoint(url_over).code() == errc::invalid_argument);
}

/// Leases hand out due rows oldest-due first, at most `max` per call, never a row under
/// another live lease, never a row due later; a retried row comes back at its time with
/// the next attempt number.
template <class F>
void lease_order_and_batches(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("order"), url = "https://c.example/hook";
  const auto t0 = fx.now();
  // Enqueued newest first: due times decide the order, not insertion.
  for (int i = 4; i >= 0; --i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), t0 - i * 1s));
  auto first = lease(s, t0, 2, 30s, "w1");
  REQUIRE(first.size() == 2);
  CHECK(first[0].delivery_key == "k4");
  CHECK(first[1].delivery_key == "k3");
  for (const auto& l : first) {
    CHECK(l.state == outbox_state::pending);
    CHECK(l.attempt == 1);
    CHECK_FALSE(l.taken_over);
    CHECK(l.lease_expires_at_ms == ms(t0) + 30000);
    CHECK(l.job_id == job);
  }
  CHECK(first[0].due_at_ms == ms(t0) - 4000);
  CHECK(first[0].enqueued_at_ms == ms(t0) - 4000);
  CHECK(first[0].token != first[1].token);
  CHECK(first[0].row_id != first[1].row_id);
  auto second = lease(s, t0, 2, 30s, "w2");
  REQUIRE(second.size() == 2);
  CHECK(second[0].delivery_key == "k2");
  CHECK(second[1].delivery_key == "k1");
  auto third = lease(s, t0, 2, 30s, "w3");
  REQUIRE(third.size() == 1);
  CHECK(third[0].delivery_key == "k0");
  CHECK(lease(s, t0, 100, 30s, "w4").empty());

  // k3 is delivered; k4 fails and is due again in 60 s.
  JW_OUTBOX_OK(s.record(first[1], delivered(ms(t0)), t0));
  auto rr = s.record(first[0], retry_at(ms(t0), ms(t0) + 60000), t0);
  JW_OUTBOX_OK(rr);
  CHECK(rr->endpoint_failure_streak == 1);
  // Not due before its time, even though its lease ended.
  fx.advance(59999ms);
  auto early = lease(s, fx.now(), 100, 30s, "w5");
  CHECK(std::none_of(early.begin(), early.end(), [](const outbox_lease& l) { return l.delivery_key == "k4"; }));
  // The others' leases ran out at t0+30s: they come back as takeovers.
  CHECK(early.size() == 3);
  for (const auto& l : early) CHECK(l.taken_over);
  fx.advance(1ms);
  auto due = lease(s, fx.now(), 100, 30s, "w6");
  REQUIRE(due.size() == 1);
  CHECK(due[0].delivery_key == "k4");
  CHECK(due[0].state == outbox_state::scheduled_retry);
  CHECK(due[0].attempt == 2);
  CHECK(due[0].due_at_ms == ms(t0) + 60000);
  CHECK(due[0].endpoint_failure_streak == 1);
  CHECK_FALSE(due[0].taken_over);
}

/// A lease that ran out with nothing recorded (a killed worker) makes the row leasable
/// again, marked taken_over, under a new token; the old holder's extend, record and
/// release are then claim_lost and change nothing. Before anyone takes it over, the late
/// holder may still record.
template <class F>
void expiry_and_takeover(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("takeover"), url = "https://d.example/hook";
  JW_OUTBOX_OK(s.enqueue(item(job, "a", url), fx.now()));
  JW_OUTBOX_OK(s.enqueue(item(job, "b", url), fx.now() + 1ms));
  fx.advance(1ms);
  auto dead = lease(s, fx.now(), 100, 10s, "dead");
  REQUIRE(dead.size() == 2);
  fx.advance(9999ms);
  CHECK(lease(s, fx.now(), 100, 10s, "live").empty());  // still live at expiry − 1 ms
  fx.advance(1ms);
  // Row "b": its holder was only slow — nobody took it over, so its record still counts.
  auto late = s.record(dead[1], delivered(ms(fx.now())), fx.now());
  JW_OUTBOX_OK(late);
  auto taken = lease(s, fx.now(), 100, 10s, "live");
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].row_id == dead[0].row_id);
  CHECK(taken[0].taken_over);
  CHECK(taken[0].attempt == 1);  // nothing was recorded: the same attempt again
  CHECK(taken[0].token != dead[0].token);
  CHECK(s.extend(dead[0], fx.now(), 10s).code() == errc::claim_lost);
  CHECK(s.record(dead[0], delivered(ms(fx.now())), fx.now()).code() == errc::claim_lost);
  CHECK(s.release(dead[0]).code() == errc::claim_lost);
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->leased == 1);
  CHECK(c->pending == 1);
  CHECK(c->delivered == 1);
  JW_OUTBOX_OK(s.record(taken[0], delivered(ms(fx.now())), fx.now()));
  CHECK(s.record(taken[0], delivered(ms(fx.now())), fx.now()).code() == errc::claim_lost);  // the lease ended
  CHECK(state_of(s, job, "a", fx.now()) == outbox_state::delivered);
}

/// extend moves the expiry; release gives the row back at once, unattempted, and ends the
/// token; a token never handed out is claim_lost.
template <class F>
void extend_and_release(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("extend"), url = "https://e.example/hook";
  JW_OUTBOX_OK(s.enqueue(item(job, "a", url), fx.now()));
  auto l = lease(s, fx.now(), 1, 10s);
  REQUIRE(l.size() == 1);
  fx.advance(5s);
  REQUIRE(s.extend(l[0], fx.now(), 10s));
  fx.advance(9s);  // past the first expiry, before the extended one
  CHECK(lease(s, fx.now(), 10, 10s, "other").empty());
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->leased == 1);
  CHECK(c->oldest_due_age_ms == 0);  // the only due row is leased

  outbox_lease forged = l[0];
  forged.token = jobwire::outbox_lease_token{};
  CHECK(s.record(forged, delivered(ms(fx.now())), fx.now()).code() == errc::claim_lost);
  forged.token.bytes[0] ^= 0x5a;
  CHECK(s.release(forged).code() == errc::claim_lost);
  CHECK(s.extend(forged, fx.now(), 1s).code() == errc::claim_lost);
  outbox_lease missing = l[0];
  missing.row_id = l[0].row_id + 1000000;
  CHECK(s.release(missing).code() == errc::claim_lost);

  REQUIRE(s.release(l[0]));
  CHECK(s.release(l[0]).code() == errc::claim_lost);
  CHECK(s.record(l[0], delivered(ms(fx.now())), fx.now()).code() == errc::claim_lost);
  auto again = lease(s, fx.now(), 10, 10s, "other");
  REQUIRE(again.size() == 1);
  CHECK_FALSE(again[0].taken_over);  // given back, not abandoned
  CHECK(again[0].attempt == 1);
  CHECK(again[0].state == outbox_state::pending);
  CHECK(again[0].token != l[0].token);
}

/// The failure streak grows with each failure (and throttle), restarts at 0 on success,
/// and is untouched by `none`; the record reports the streak after the attempt.
template <class F>
void streak_grows_and_resets(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("streak"), url = unique("https://f.example/") + "/hook";
  auto st = s.endpoint(url);
  JW_OUTBOX_OK(st);
  CHECK(st->failure_streak == 0);
  CHECK_FALSE(st->disabled);
  CHECK(st->throttle_until_ms == 0);
  for (int i = 0; i < 4; ++i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), fx.now()));
  auto ls = lease(s, fx.now());
  REQUIRE(ls.size() == 4);
  const std::int64_t t = ms(fx.now());
  auto r1 = s.record(ls[0], retry_at(t, t + 1000, endpoint_effect::failure, 5), fx.now());
  JW_OUTBOX_OK(r1);
  CHECK(r1->endpoint_failure_streak == 1);
  CHECK_FALSE(r1->endpoint_disabled_now);
  auto r2 = s.record(ls[1], retry_at(t, t + 1000, endpoint_effect::failure, 5), fx.now());
  JW_OUTBOX_OK(r2);
  CHECK(r2->endpoint_failure_streak == 2);
  outbox_record unsent = retry_at(t, t + 1000, endpoint_effect::none);
  unsent.http_status = 0;
  auto r3 = s.record(ls[2], unsent, fx.now());
  JW_OUTBOX_OK(r3);
  CHECK(r3->endpoint_failure_streak == 2);
  CHECK(s.endpoint(url)->failure_streak == 2);
  auto r4 = s.record(ls[3], delivered(t), fx.now());
  JW_OUTBOX_OK(r4);
  CHECK(r4->endpoint_failure_streak == 0);
  CHECK(s.endpoint(url)->failure_streak == 0);
  CHECK_FALSE(s.endpoint(url)->disabled);
}

/// A failure that brings the streak to `disable_after_failures` disables the endpoint:
/// reported once (endpoint_disabled_now), every other non-terminal row of the endpoint —
/// leased by another worker or not — is failed in the same step, and the attempt's own
/// row ends failed too (a retry on a disabled endpoint would never be leased). Rows of
/// other endpoints are untouched.
template <class F>
void disable_at_streak_limit(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("limit"), url = unique("https://g.example/") + "/hook",
                    other = unique("https://h.example/") + "/hook";
  for (int i = 0; i < 3; ++i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), fx.now()));
  JW_OUTBOX_OK(s.enqueue(item(job, "elsewhere", other), fx.now()));
  auto mine = lease(s, fx.now(), 1, 30s, "w1");
  auto theirs = lease(s, fx.now(), 1, 30s, "w2");
  REQUIRE(mine.size() == 1);
  REQUIRE(theirs.size() == 1);
  const std::int64_t t = ms(fx.now());
  auto r1 = s.record(mine[0], retry_at(t, t + 1, endpoint_effect::failure, 2), fx.now());
  JW_OUTBOX_OK(r1);
  CHECK_FALSE(r1->endpoint_disabled_now);
  fx.advance(1ms);
  // The retry, k2 and the other endpoint's row are due; w2 still holds k1.
  auto again = lease(s, fx.now(), 10, 30s, "w1");
  REQUIRE(again.size() == 3);
  auto retry =
      std::find_if(again.begin(), again.end(), [&](const outbox_lease& l) { return l.row_id == mine[0].row_id; });
  REQUIRE(retry != again.end());
  CHECK(retry->endpoint_failure_streak == 1);
  CHECK(retry->attempt == 2);
  auto r2 = s.record(*retry, retry_at(ms(fx.now()), ms(fx.now()) + 1000, endpoint_effect::failure, 2), fx.now());
  JW_OUTBOX_OK(r2);
  CHECK(r2->endpoint_failure_streak == 2);
  CHECK(r2->endpoint_disabled_now);
  CHECK(r2->rows_failed_by_disable == 2);  // k1 (w2's lease) and k2 (w1's)
  CHECK(s.endpoint(url)->disabled);
  CHECK(state_of(s, job, "k0", fx.now()) == outbox_state::failed_permanently);
  CHECK(state_of(s, job, "k1", fx.now()) == outbox_state::failed_permanently);
  CHECK(state_of(s, job, "k2", fx.now()) == outbox_state::failed_permanently);
  CHECK(state_of(s, job, "elsewhere", fx.now()) == outbox_state::pending);
  // The other worker's lease went with its row.
  REQUIRE(theirs[0].endpoint == url);
  CHECK(s.record(theirs[0], delivered(ms(fx.now())), fx.now()).code() == errc::claim_lost);
  CHECK(s.release(theirs[0]).code() == errc::claim_lost);
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->endpoints_disabled == 1);
  CHECK(c->failed_permanently == 3);
  CHECK(c->scheduled_retry == 0);
  CHECK(c->pending == 1);
}

/// 410 disables the endpoint at once, whatever the streak; only the first disable is
/// reported. An item enqueued for a disabled endpoint is stored failed at once;
/// enable_endpoint clears the flag, streak and throttle, and new rows flow again while the
/// failed ones stay failed.
template <class F>
void gone_disables_and_enable(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("gone"), url = unique("https://i.example/") + "/hook";
  for (int i = 0; i < 4; ++i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), fx.now() + i * 1ms));
  fx.advance(3ms);
  auto ls = lease(s, fx.now(), 2);
  REQUIRE(ls.size() == 2);
  CHECK(ls[0].delivery_key == "k0");
  outbox_record gone;
  gone.state = outbox_state::failed_permanently;
  gone.tried_at_ms = ms(fx.now());
  gone.http_status = 410;
  gone.error = "HTTP 410";
  gone.effect = endpoint_effect::disable;
  auto r = s.record(ls[0], gone, fx.now());
  JW_OUTBOX_OK(r);
  CHECK(r->endpoint_disabled_now);
  CHECK(r->rows_failed_by_disable == 3);
  CHECK(r->endpoint_failure_streak == 0);
  CHECK(s.record(ls[1], gone, fx.now()).code() == errc::claim_lost);  // failed by the disable
  CHECK(lease(s, fx.now()).empty());
  auto st = s.endpoint(url);
  JW_OUTBOX_OK(st);
  CHECK(st->disabled);

  auto late = s.enqueue(item(job, "k4", url), fx.now());
  JW_OUTBOX_OK(late);
  CHECK(late->inserted);
  CHECK(late->state == outbox_state::failed_permanently);
  CHECK(lease(s, fx.now()).empty());
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->failed_permanently == 5);
  CHECK(c->endpoints_disabled == 1);
  CHECK(c->pending == 0);

  REQUIRE(s.enable_endpoint(url));
  st = s.endpoint(url);
  JW_OUTBOX_OK(st);
  CHECK_FALSE(st->disabled);
  CHECK(st->failure_streak == 0);
  CHECK(st->throttle_until_ms == 0);
  CHECK(s.counts(fx.now())->endpoints_disabled == 0);
  CHECK(state_of(s, job, "k3", fx.now()) == outbox_state::failed_permanently);
  auto fresh = s.enqueue(item(job, "k5", url), fx.now());
  JW_OUTBOX_OK(fresh);
  CHECK(fresh->state == outbox_state::pending);
  auto l = lease(s, fx.now());
  REQUIRE(l.size() == 1);
  CHECK(l[0].delivery_key == "k5");
  REQUIRE(s.enable_endpoint(unique("https://never.example/")));  // unknown: nothing to clear
}

/// A throttle (429/502/504) hides every row of the endpoint until its time — other
/// endpoints' rows flow meanwhile — and counts as a failure for the streak (disabling at
/// the limit like any failure). A later, shorter throttle does not shorten it.
template <class F>
void throttle_holds_endpoint(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("throttle"), url = unique("https://j.example/") + "/hook",
                    other = unique("https://k.example/") + "/hook";
  JW_OUTBOX_OK(s.enqueue(item(job, "a", url), fx.now()));
  JW_OUTBOX_OK(s.enqueue(item(job, "b", url), fx.now()));
  auto l = lease(s, fx.now(), 1);
  REQUIRE(l.size() == 1);
  const std::int64_t t = ms(fx.now());
  outbox_record thr = retry_at(t, t + 5000, endpoint_effect::throttle);
  thr.http_status = 429;
  thr.throttle_until_ms = t + 60000;
  auto r = s.record(l[0], thr, fx.now());
  JW_OUTBOX_OK(r);
  CHECK(r->endpoint_failure_streak == 1);
  auto st = s.endpoint(url);
  JW_OUTBOX_OK(st);
  CHECK(st->throttle_until_ms == t + 60000);
  CHECK_FALSE(st->disabled);
  JW_OUTBOX_OK(s.enqueue(item(job, "c", other), fx.now()));
  auto during = lease(s, fx.now(), 100);
  REQUIRE(during.size() == 1);
  CHECK(during[0].endpoint == other);
  // Due but held back: they count in the oldest due age.
  fx.advance(10s);
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->oldest_due_age_ms == 10000);
  JW_OUTBOX_OK(s.record(during[0], delivered(ms(fx.now())), fx.now()));
  fx.advance(50s - 1ms);
  CHECK(lease(s, fx.now(), 100).empty());
  fx.advance(1ms);
  auto after = lease(s, fx.now(), 100);
  REQUIRE(after.size() == 2);
  CHECK(after[0].delivery_key == "b");  // due since the start
  CHECK(after[1].delivery_key == "a");  // due again at t+5 s
  outbox_record longer = retry_at(ms(fx.now()), ms(fx.now()) + 1000, endpoint_effect::throttle, 3);
  longer.throttle_until_ms = ms(fx.now()) + 30000;
  auto r2 = s.record(after[0], longer, fx.now());
  JW_OUTBOX_OK(r2);
  CHECK(r2->endpoint_failure_streak == 2);
  CHECK_FALSE(r2->endpoint_disabled_now);
  outbox_record shorter = longer;
  shorter.throttle_until_ms = ms(fx.now()) + 1;
  auto r3 = s.record(after[1], shorter, fx.now());
  JW_OUTBOX_OK(r3);
  CHECK(r3->endpoint_failure_streak == 3);
  CHECK(r3->endpoint_disabled_now);        // a throttle is a failure for the streak
  CHECK(r3->rows_failed_by_disable == 1);  // "b", scheduled again by the throttle before
  st = s.endpoint(url);
  JW_OUTBOX_OK(st);
  CHECK(st->disabled);
  CHECK(st->throttle_until_ms == ms(fx.now()) + 30000);  // not shortened
}

/// counts: every state, the leased subset, the disabled endpoints and the age of the
/// oldest due, unleased row (future rows and leased rows do not count in the age).
template <class F>
void counts_report(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("counts"), url = unique("https://l.example/") + "/hook";
  auto empty = s.counts(fx.now());
  JW_OUTBOX_OK(empty);
  CHECK(empty->pending == 0);
  CHECK(empty->scheduled_retry == 0);
  CHECK(empty->leased == 0);
  CHECK(empty->delivered == 0);
  CHECK(empty->failed_permanently == 0);
  CHECK(empty->endpoints_disabled == 0);
  CHECK(empty->oldest_due_age_ms == 0);
  const auto t0 = fx.now();
  for (int i = 0; i < 6; ++i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), t0 + i * 1s));
  fx.advance(10s);
  auto c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->pending == 6);
  CHECK(c->oldest_due_age_ms == 10000);
  auto ls = lease(s, fx.now(), 4);  // k0..k3
  REQUIRE(ls.size() == 4);
  const std::int64_t t = ms(fx.now());
  JW_OUTBOX_OK(s.record(ls[0], delivered(t), fx.now()));
  outbox_record failed = delivered(t);
  failed.state = outbox_state::failed_permanently;
  failed.http_status = 400;
  failed.effect = endpoint_effect::failure;
  JW_OUTBOX_OK(s.record(ls[1], failed, fx.now()));
  JW_OUTBOX_OK(s.record(ls[2], retry_at(t, t + 60000), fx.now()));
  c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->pending == 3);  // k3 (leased), k4, k5
  CHECK(c->scheduled_retry == 1);
  CHECK(c->leased == 1);
  CHECK(c->delivered == 1);
  CHECK(c->failed_permanently == 1);
  CHECK(c->endpoints_disabled == 0);
  CHECK(c->oldest_due_age_ms == 6000);  // k4, due at t0+4s; k3 is leased, k2 not due yet
  fx.advance(31s);                      // k3's lease ran out: it counts again
  c = s.counts(fx.now());
  JW_OUTBOX_OK(c);
  CHECK(c->leased == 0);
  CHECK(c->oldest_due_age_ms == 41000 - 3000);
}

/// purge (every store has it, outside the trait): only terminal rows that ended before the
/// cut, at most `max` per call; a purged pair can be enqueued again; open rows stay.
template <class F>
void purge_terminal(F& fx) {
  auto& s = fx.store();
  const std::string job = unique("purge"), url = "https://p.example/hook";
  for (int i = 0; i < 4; ++i) JW_OUTBOX_OK(s.enqueue(item(job, "k" + std::to_string(i), url), fx.now()));
  auto ls = lease(s, fx.now(), 3);
  REQUIRE(ls.size() == 3);
  const auto t0 = fx.now();
  JW_OUTBOX_OK(s.record(ls[0], delivered(ms(t0)), t0));
  outbox_record failed = delivered(ms(t0));
  failed.state = outbox_state::failed_permanently;
  failed.effect = endpoint_effect::none;
  JW_OUTBOX_OK(s.record(ls[1], failed, t0 + 1s));
  JW_OUTBOX_OK(s.record(ls[2], retry_at(ms(t0), ms(t0) + 1000), t0));
  auto none = s.purge(t0, 10);  // ended at t0, not before it
  JW_OUTBOX_OK(none);
  CHECK(*none == 0);
  auto one = s.purge(t0 + 1h, 1);
  JW_OUTBOX_OK(one);
  CHECK(*one == 1);
  auto rest = s.purge(t0 + 1h, 10);
  JW_OUTBOX_OK(rest);
  CHECK(*rest == 1);
  auto c = s.counts(t0 + 2s);
  JW_OUTBOX_OK(c);
  CHECK(c->delivered == 0);
  CHECK(c->failed_permanently == 0);
  CHECK(c->pending == 1);
  CHECK(c->scheduled_retry == 1);
  auto again = s.enqueue(item(job, "k0", url), t0 + 2s);
  JW_OUTBOX_OK(again);
  CHECK(again->inserted);
  CHECK(again->state == outbox_state::pending);
}

/// Threads leasing at once: no row is handed to two of them while a lease is live, and
/// every row is handed out. `open()` gives each thread its store (the same object for a
/// thread-safe store, a new connection for the SQL ones); it returns a pointer-like.
template <class Open>
void concurrent_leases(Open open, jobwire::unix_time now, int threads, int rows) {
  const std::string job = unique("threads"), url = "https://m.example/hook";
  {
    auto s = open();
    REQUIRE(s);
    for (int i = 0; i < rows; ++i) JW_OUTBOX_OK(s->enqueue(item(job, "k" + std::to_string(i), url), now));
  }
  std::vector<std::vector<std::int64_t>> got(static_cast<std::size_t>(threads));
  std::atomic<int> errors{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) {
    ts.emplace_back([&, i] {
      auto s = open();
      if (!s) {
        ++errors;
        return;
      }
      for (;;) {
        std::vector<outbox_lease> out;
        auto n = s->lease("t" + std::to_string(i), now, 60s, 7, out);
        if (!n) {
          ++errors;
          return;
        }
        if (*n == 0) return;
        for (const auto& l : out) {
          if (l.job_id != job) continue;  // a row of another test sharing the database
          got[static_cast<std::size_t>(i)].push_back(l.row_id);
          if (!s->record(l, delivered(jobwire::to_unix_ms(now)), now)) ++errors;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(errors == 0);
  std::vector<std::int64_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // none twice
  CHECK(all.size() == static_cast<std::size_t>(rows));
}

}  // namespace outbox_conformance

#define JW_OUTBOX_CONFORMANCE_CASE(prefix, F, fn)      \
  TEST_CASE(prefix ": " #fn, "[outbox-conformance]") { \
    auto fx = F::make();                               \
    if (!fx) return;                                   \
    outbox_conformance::fn(*fx);                       \
  }

#define JW_OUTBOX_CONFORMANCE(prefix, F)                          \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, enqueue_idempotent)       \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, bounds)                   \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, lease_order_and_batches)  \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, expiry_and_takeover)      \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, extend_and_release)       \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, streak_grows_and_resets)  \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, disable_at_streak_limit)  \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, gone_disables_and_enable) \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, throttle_holds_endpoint)  \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, counts_report)            \
  JW_OUTBOX_CONFORMANCE_CASE(prefix, F, purge_terminal)
