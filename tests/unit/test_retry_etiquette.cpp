// The retry rules per profile (retry.hpp `decide_delivery`, outbox_retry.hpp): PROTOCOL.md
// §12 for the service profiles, §17 "Sending" for the Standard Webhooks profiles.
#include <catch2/catch.hpp>

#include <cstdint>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <jobwire/outbox_retry.hpp>
#include <jobwire/retry.hpp>

using namespace jobwire;

namespace {
// 2026-06-11T08:30:00Z.
constexpr std::int64_t T = 1781166600LL * 1000;
constexpr std::int64_t s(std::int64_t seconds) { return seconds * 1000; }
const retry_policy& std_policy = standard_webhooks_retry_policy;

attempt_observation report(unsigned attempt, attempt_outcome o, std::int64_t at = T,
                           std::optional<std::string_view> retry_after = std::nullopt, std::uint64_t random = 0) {
  attempt_observation r;
  r.attempt = attempt;
  r.outcome = o;
  r.tried_at_ms = at;
  r.retry_after = retry_after;
  r.random = random;
  return r;
}

std::string imf(std::int64_t unix_seconds) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm));
}

// The jitter bounds of a delay of `d` seconds under `pct` %, in ms.
std::int64_t lo(std::int64_t d, unsigned pct) { return d * 1000 - d * 10 * pct; }
std::int64_t hi(std::int64_t d, unsigned pct) { return d * 1000 + d * 10 * pct; }
}  // namespace

TEST_CASE("profiles choose their rules: §12 for the service, §17 for Standard Webhooks") {
  CHECK(&retry_policy_for(profiles::ai_stats) == &default_retry_policy);
  CHECK(&retry_policy_for(profiles::phaseo) == &default_retry_policy);
  CHECK(&retry_policy_for(profiles::standard) == &standard_webhooks_retry_policy);
  CHECK(&retry_policy_for(profiles::openai) == &standard_webhooks_retry_policy);
  CHECK(default_retry_policy.rules == retry_rules::service);
  CHECK(default_retry_policy.jitter_percent == 0);
  CHECK(default_retry_policy.disable_after_failures == 0);
  CHECK(default_retry_policy.validate());
  CHECK(std_policy.validate());
  CHECK(std_policy.rules == retry_rules::standard_webhooks);
  // The specification's example: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
  CHECK(std_policy.max_attempts == 10);
  const std::int64_t waits[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
  for (unsigned n = 1; n < 10; ++n) CHECK(std_policy.delay_after(n) == waits[n - 1]);
  CHECK(std_policy.delay_after(10) == 0);
  CHECK(std_policy.max_attempts <= retry_policy::max_supported_attempts);
}

TEST_CASE("service rules: decide_delivery is the §12 schedule exactly, whatever the response says") {
  std::int64_t at = T;
  for (unsigned n = 1; n <= 4; ++n) {
    for (attempt_outcome o : {attempt_outcome::http(410), attempt_outcome::http(429), attempt_outcome::http(503),
                              attempt_outcome::http(302), attempt_outcome::timed_out()}) {
      auto v = decide_delivery(default_retry_policy, report(n, o, at, std::string_view("3600"), 12345));
      REQUIRE(v);
      auto plain = decide_attempt(default_retry_policy, n, o, at);
      REQUIRE(plain);
      CHECK(v->status == plain->status);
      CHECK(v->next_retry_at_ms == plain->next_retry_at_ms);
      CHECK(v->next_attempt == plain->next_attempt);
      CHECK(v->effect == endpoint_effect::failure);
      CHECK(v->throttle_until_ms == 0);
      CHECK_FALSE(v->endpoint_disabled);
      CHECK(v->disable_after_failures == 0);
      CHECK(v->retry_after == retry_after_use::not_applied);
    }
    at += s(default_retry_policy.delay_after(n));
  }
  auto ok = decide_delivery(default_retry_policy, report(2, attempt_outcome::http(204)));
  REQUIRE(ok);
  CHECK(ok->status == attempt_status::delivered);
  CHECK(ok->effect == endpoint_effect::success);
  CHECK(ok->retry_after == retry_after_use::absent);
}

TEST_CASE("standard: 2xx delivers, any other response or failure is retried on the schedule") {
  auto ok = decide_delivery(std_policy, report(1, attempt_outcome::http(200)));
  REQUIRE(ok);
  CHECK(ok->status == attempt_status::delivered);
  CHECK(ok->effect == endpoint_effect::success);
  CHECK(ok->next_retry_at_ms == 0);

  // Redirects are failures (not followed), as are 1xx, 4xx, 5xx, timeouts and network errors.
  for (attempt_outcome o :
       {attempt_outcome::http(301), attempt_outcome::http(302), attempt_outcome::http(307), attempt_outcome::http(308),
        attempt_outcome::http(100), attempt_outcome::http(400), attempt_outcome::http(404), attempt_outcome::http(500),
        attempt_outcome::http(503), attempt_outcome::timed_out(), attempt_outcome::network_failure()}) {
    INFO(o.http_status);
    auto v = decide_delivery(std_policy, report(3, o, T, std::nullopt, 99));
    REQUIRE(v);
    CHECK(v->status == attempt_status::scheduled_retry);
    CHECK(v->effect == endpoint_effect::failure);
    CHECK(v->next_attempt == 4);
    CHECK(v->next_retry_at_ms >= T + lo(1800, 20));
    CHECK(v->next_retry_at_ms <= T + hi(1800, 20));
    CHECK_FALSE(v->endpoint_disabled);
    CHECK(v->http_status == (o.kind == outcome_kind::http_response ? o.http_status : 0));
  }
  // The last attempt fails permanently.
  auto last = decide_delivery(std_policy, report(10, attempt_outcome::http(500)));
  REQUIRE(last);
  CHECK(last->status == attempt_status::failed_permanently);
  CHECK(last->next_retry_at_ms == 0);
  CHECK(last->next_attempt == 0);
  CHECK(last->effect == endpoint_effect::failure);
}

TEST_CASE("standard: 410 Gone fails the delivery and disables the endpoint, at any attempt") {
  for (unsigned n : {1u, 5u, 10u}) {
    auto v = decide_delivery(std_policy, report(n, attempt_outcome::http(410), T, std::string_view("60")));
    REQUIRE(v);
    CHECK(v->status == attempt_status::failed_permanently);
    CHECK(v->effect == endpoint_effect::disable);
    CHECK(v->endpoint_disabled);
    CHECK(v->reason == disable_reason::gone);
    CHECK(v->next_retry_at_ms == 0);
    CHECK(v->retry_after == retry_after_use::not_applied);
  }
  // Other 4xx are not 410.
  auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(404)));
  CHECK(v->effect == endpoint_effect::failure);
  CHECK_FALSE(v->endpoint_disabled);
}

TEST_CASE("standard: 429, 502 and 504 throttle the endpoint, other statuses do not") {
  for (int code : {429, 502, 504}) {
    INFO(code);
    auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(code), T, std::nullopt, 7));
    REQUIRE(v);
    CHECK(v->status == attempt_status::scheduled_retry);
    CHECK(v->effect == endpoint_effect::throttle);
    // Without Retry-After: held for throttle_seconds, and the retry is not before that.
    CHECK(v->throttle_until_ms == T + s(std_policy.throttle_seconds));
    CHECK(v->next_retry_at_ms >= v->throttle_until_ms);
    // The throttle (60 s) is longer than the 5 s of the schedule: the retry comes after it,
    // by at most the jitter share of the wait.
    CHECK(v->next_retry_at_ms <= v->throttle_until_ms + s(std_policy.throttle_seconds) / 5);
    // On the last attempt the endpoint is still held.
    auto last = decide_delivery(std_policy, report(10, attempt_outcome::http(code)));
    REQUIRE(last);
    CHECK(last->status == attempt_status::failed_permanently);
    CHECK(last->effect == endpoint_effect::throttle);
    CHECK(last->throttle_until_ms == T + s(60));
  }
  for (int code : {500, 501, 503, 408, 425}) {
    auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(code)));
    REQUIRE(v);
    CHECK(v->effect == endpoint_effect::failure);
    CHECK(v->throttle_until_ms == 0);
  }
  // A schedule step longer than the throttle keeps the schedule.
  auto late = decide_delivery(std_policy, report(4, attempt_outcome::http(429), T, std::nullopt, 7));
  REQUIRE(late);
  CHECK(late->throttle_until_ms == T + s(60));
  CHECK(late->next_retry_at_ms >= T + lo(7200, 20));
  CHECK(late->next_retry_at_ms <= T + hi(7200, 20));
}

TEST_CASE("standard: Retry-After in seconds is honoured, never earlier, capped") {
  // Longer than the schedule (5 s after attempt 1): the retry waits for it.
  auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(503), T, std::string_view("120"), 1));
  REQUIRE(v);
  CHECK(v->retry_after == retry_after_use::honoured);
  CHECK(v->retry_after_until_ms == T + s(120));
  CHECK(v->next_retry_at_ms >= T + s(120));
  CHECK(v->next_retry_at_ms <= T + s(120) + s(120) / 5);
  CHECK(v->effect == endpoint_effect::failure);  // 503 honours the time but does not throttle

  // With a throttle status, the endpoint is held exactly until the Retry-After time.
  auto t = decide_delivery(std_policy, report(1, attempt_outcome::http(429), T, std::string_view("10"), 1));
  REQUIRE(t);
  CHECK(t->throttle_until_ms == T + s(10));
  CHECK(t->next_retry_at_ms >= T + s(10));
  // Shorter than the schedule (2 h after attempt 5): the schedule wins.
  auto u = decide_delivery(std_policy, report(5, attempt_outcome::http(429), T, std::string_view("30"), 1));
  REQUIRE(u);
  CHECK(u->throttle_until_ms == T + s(30));
  CHECK(u->next_retry_at_ms >= T + lo(18000, 20));
  CHECK(u->next_retry_at_ms <= T + hi(18000, 20));
  // Huge: capped at max_retry_after_seconds (24 h), no year-9999 retry.
  auto h = decide_delivery(std_policy,
                           report(1, attempt_outcome::http(429), T, std::string_view("99999999999999999999999"), 1));
  REQUIRE(h);
  CHECK(h->retry_after == retry_after_use::capped);
  CHECK(h->retry_after_until_ms == T + s(std_policy.max_retry_after_seconds));
  CHECK(h->throttle_until_ms == T + s(std_policy.max_retry_after_seconds));
  CHECK(h->next_retry_at_ms >= T + s(86400));
  CHECK(h->next_retry_at_ms <= T + s(86400) + s(86400) / 5);
  // Retry-After 0: no extra wait.
  auto z = decide_delivery(std_policy, report(2, attempt_outcome::http(503), T, std::string_view("0"), 1));
  REQUIRE(z);
  CHECK(z->retry_after == retry_after_use::honoured);
  CHECK(z->next_retry_at_ms >= T + lo(300, 20));
  CHECK(z->next_retry_at_ms <= T + hi(300, 20));
}

TEST_CASE("standard: Retry-After as an HTTP-date in all three forms, in the past, in the future") {
  const std::int64_t t_s = T / 1000;
  // The same instant, 10 minutes on, in the three forms (computed by the C library for IMF).
  const std::string forms[] = {imf(t_s + 600), "Thursday, 11-Jun-26 08:40:00 GMT", "Thu Jun 11 08:40:00 2026"};
  for (const std::string& f : forms) {
    INFO(f);
    auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(429), T, std::string_view(f), 3));
    REQUIRE(v);
    CHECK(v->retry_after == retry_after_use::honoured);
    CHECK(v->retry_after_until_ms == T + s(600));
    CHECK(v->throttle_until_ms == T + s(600));
    CHECK(v->next_retry_at_ms >= T + s(600));
    CHECK(v->next_retry_at_ms <= T + s(600) + s(120));
  }
  // A date in the past asks for no wait: the schedule decides, the throttle ends at once.
  auto p = decide_delivery(
      std_policy, report(3, attempt_outcome::http(502), T, std::string_view("Sun, 06 Nov 1994 08:49:37 GMT"), 3));
  REQUIRE(p);
  CHECK(p->retry_after == retry_after_use::past);
  CHECK(p->throttle_until_ms == T);
  CHECK(p->next_retry_at_ms >= T + lo(1800, 20));
  CHECK(p->next_retry_at_ms <= T + hi(1800, 20));
  // The far future is capped like a huge delay.
  auto f = decide_delivery(
      std_policy, report(1, attempt_outcome::http(504), T, std::string_view("Fri, 31 Dec 9999 23:59:59 GMT"), 3));
  REQUIRE(f);
  CHECK(f->retry_after == retry_after_use::capped);
  CHECK(f->throttle_until_ms == T + s(86400));
}

TEST_CASE("standard: a malformed Retry-After is reported and ignored") {
  for (std::string_view bad : {std::string_view("soon"), std::string_view("-5"), std::string_view("1.5"),
                               std::string_view(""), std::string_view("Sun, 06 Nov 1994 08:49:37 UTC"),
                               std::string_view("Mon, 06 Nov 1994 08:49:37 GMT"), std::string_view("\x00\xff", 2)}) {
    auto v = decide_delivery(std_policy, report(1, attempt_outcome::http(429), T, bad, 5));
    REQUIRE(v);
    CHECK(v->retry_after == retry_after_use::invalid);
    CHECK(v->retry_after_error == errc::invalid_retry_after);
    CHECK(v->retry_after_until_ms == 0);
    // As if there were none: the default throttle.
    CHECK(v->throttle_until_ms == T + s(std_policy.throttle_seconds));
    CHECK(v->status == attempt_status::scheduled_retry);
  }
  // On a success the field is not read at all.
  auto ok = decide_delivery(std_policy, report(1, attempt_outcome::http(200), T, std::string_view("soon")));
  REQUIRE(ok);
  CHECK(ok->retry_after == retry_after_use::not_applied);
  CHECK(ok->retry_after_error == errc::ok);
}

TEST_CASE("jitter: within ± jitter_percent, never below the floor, spread over both sides") {
  for (unsigned n = 1; n < std_policy.max_attempts; ++n) {
    const std::int64_t d = std_policy.delay_after(n);
    std::int64_t min_seen = INT64_MAX, max_seen = 0;
    std::set<std::int64_t> distinct;
    for (std::uint64_t seed = 0; seed < 2000; ++seed) {
      auto v = decide_delivery(std_policy, report(n, attempt_outcome::http(500), T, std::nullopt, splitmix64(seed)));
      REQUIRE(v);
      const std::int64_t wait = v->next_retry_at_ms - T;
      REQUIRE(wait >= lo(d, std_policy.jitter_percent));
      REQUIRE(wait <= hi(d, std_policy.jitter_percent));
      REQUIRE(wait >= min_jittered_delay_ms);
      min_seen = std::min(min_seen, wait);
      max_seen = std::max(max_seen, wait);
      distinct.insert(wait);
    }
    // Both halves of the range are used (2000 uniform draws miss the outer tenths with
    // probability below 1e-90).
    CHECK(min_seen < d * 1000 - d * 8 * std_policy.jitter_percent);
    CHECK(max_seen > d * 1000 + d * 8 * std_policy.jitter_percent);
    CHECK(distinct.size() > 1000);
  }
  // The floor: 1 s with 50 % jitter never goes below 1000 ms.
  for (std::uint64_t r = 0; r < 3000; ++r) {
    const std::int64_t d = jittered_delay_ms(1, 50, splitmix64(r));
    CHECK(d >= min_jittered_delay_ms);
    CHECK(d <= 1500);
  }
  // No jitter: the delay exactly.
  CHECK(jittered_delay_ms(300, 0, 0xFFFFFFFFFFFFFFFFull) == 300000);
  // Extreme random values stay within the bounds.
  CHECK(jittered_delay_ms(100, 20, 0) == 80000);
  CHECK(jittered_delay_ms(100, 20, 40000) == 120000);
  CHECK(jittered_delay_ms(100, 20, 0xFFFFFFFFFFFFFFFFull) >= 80000);
  CHECK(jittered_delay_ms(100, 20, 0xFFFFFFFFFFFFFFFFull) <= 120000);
}

TEST_CASE("jitter: the same random bits give the same verdict, different ones differ") {
  auto a = decide_delivery(std_policy, report(6, attempt_outcome::timed_out(), T, std::nullopt, splitmix64(42)));
  auto b = decide_delivery(std_policy, report(6, attempt_outcome::timed_out(), T, std::nullopt, splitmix64(42)));
  auto c = decide_delivery(std_policy, report(6, attempt_outcome::timed_out(), T, std::nullopt, splitmix64(43)));
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(a->next_retry_at_ms == b->next_retry_at_ms);
  CHECK(a->next_retry_at_ms != c->next_retry_at_ms);
  // splitmix64 is the published SplitMix64 (first output for seed 0, state advanced once).
  CHECK(splitmix64(0) == 0xE220A8397B1DCDAFull);
}

TEST_CASE("a retry is never before the Retry-After time nor the throttle, over many seeds") {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    const std::uint64_t r = splitmix64(seed);
    const unsigned n = 1 + static_cast<unsigned>(r % 9);
    const std::int64_t ra = static_cast<std::int64_t>((r >> 8) % 200000);
    const std::string text = std::to_string(ra);
    auto v = decide_delivery(std_policy, report(n, attempt_outcome::http(429), T, std::string_view(text), r));
    REQUIRE(v);
    const std::int64_t want_ra = T + s(std::min<std::int64_t>(ra, std_policy.max_retry_after_seconds));
    CHECK(v->throttle_until_ms == want_ra);
    CHECK(v->next_retry_at_ms >= want_ra);
    CHECK(v->next_retry_at_ms >= T + lo(std_policy.delay_after(n), std_policy.jitter_percent));
  }
}

TEST_CASE("the failure streak: checked on a permanent failure by default, on every failure if asked") {
  // Default (final_failure): intermediate failures carry no limit, the last one carries 10.
  auto mid = decide_delivery(std_policy, report(3, attempt_outcome::http(500)));
  REQUIRE(mid);
  CHECK(mid->disable_after_failures == 0);
  CHECK_FALSE(mid->endpoint_disabled);
  attempt_observation last = report(10, attempt_outcome::http(500));
  last.endpoint_failure_streak = 8;  // this failure makes 9: below 10
  auto v = decide_delivery(std_policy, last);
  REQUIRE(v);
  CHECK(v->disable_after_failures == std_policy.disable_after_failures);
  CHECK_FALSE(v->endpoint_disabled);
  last.endpoint_failure_streak = 9;  // this failure makes 10
  v = decide_delivery(std_policy, last);
  REQUIRE(v);
  CHECK(v->endpoint_disabled);
  CHECK(v->reason == disable_reason::failure_streak);
  CHECK(v->effect == endpoint_effect::failure);
  CHECK(v->status == attempt_status::failed_permanently);
  // A throttled last attempt counts as a failure too.
  last.outcome = attempt_outcome::http(429);
  v = decide_delivery(std_policy, last);
  REQUIRE(v);
  CHECK(v->effect == endpoint_effect::throttle);
  CHECK(v->disable_after_failures == 10);
  CHECK(v->endpoint_disabled);
  // A success never disables.
  last.outcome = attempt_outcome::http(200);
  last.endpoint_failure_streak = 1000;
  v = decide_delivery(std_policy, last);
  REQUIRE(v);
  CHECK_FALSE(v->endpoint_disabled);
  CHECK(v->disable_after_failures == 0);

  // every_failure: each failure carries the limit.
  retry_policy p = std_policy;
  p.disable_streak_check = streak_check::every_failure;
  p.disable_after_failures = 3;
  attempt_observation r = report(1, attempt_outcome::network_failure());
  r.endpoint_failure_streak = 1;
  v = decide_delivery(p, r);
  REQUIRE(v);
  CHECK(v->disable_after_failures == 3);
  CHECK_FALSE(v->endpoint_disabled);
  r.endpoint_failure_streak = 2;
  v = decide_delivery(p, r);
  REQUIRE(v);
  CHECK(v->endpoint_disabled);
  CHECK(v->status == attempt_status::scheduled_retry);  // the store fails the row with the endpoint
  // 0: never by streak.
  p.disable_after_failures = 0;
  r.endpoint_failure_streak = 4000000000u;
  v = decide_delivery(p, r);
  REQUIRE(v);
  CHECK(v->disable_after_failures == 0);
  CHECK_FALSE(v->endpoint_disabled);
  // A limit of 1 with a zero streak disables at the first failure (no unsigned wrap).
  p.disable_after_failures = 1;
  r.endpoint_failure_streak = 0;
  v = decide_delivery(p, r);
  REQUIRE(v);
  CHECK(v->endpoint_disabled);
}

TEST_CASE("decide_delivery rejects bad input with precise codes") {
  CHECK(decide_delivery(std_policy, report(0, attempt_outcome::http(500))).code() == errc::invalid_attempt);
  CHECK(decide_delivery(std_policy, report(11, attempt_outcome::http(500))).code() == errc::invalid_attempt);
  CHECK(decide_delivery(std_policy, report(1, attempt_outcome::http(600))).code() == errc::invalid_outcome);
  CHECK(decide_delivery(std_policy, report(1, attempt_outcome::http(500), -1)).code() == errc::invalid_argument);
  CHECK(decide_delivery(std_policy, report(1, attempt_outcome::http(500), max_time_ms + 1)).code() ==
        errc::invalid_argument);
  retry_policy p = std_policy;
  p.jitter_percent = retry_policy::max_jitter_percent + 1;
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  CHECK(decide_delivery(p, report(1, attempt_outcome::http(500))).code() == errc::invalid_retry_policy);
  p = std_policy;
  p.max_retry_after_seconds = -1;
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  p.max_retry_after_seconds = retry_policy::max_retry_delay_seconds + 1;
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  p = std_policy;
  p.throttle_seconds = 0;
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  p = std_policy;
  p.retry_delay_seconds[8] = 0;
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  p = std_policy;
  p.max_attempts = retry_policy::max_supported_attempts + 1;
  CHECK(p.validate().code() == errc::invalid_attempt);
  // The extremes of time and policy do not overflow.
  p = std_policy;
  for (unsigned n = 1; n < p.max_attempts; ++n) p.retry_delay_seconds[n - 1] = retry_policy::max_retry_delay_seconds;
  p.jitter_percent = retry_policy::max_jitter_percent;
  p.max_retry_after_seconds = retry_policy::max_retry_delay_seconds;
  auto v = decide_delivery(
      p, report(1, attempt_outcome::http(429), max_time_ms, std::string_view("999999999999"), 0xFFFFFFFFFFFFFFFFull));
  REQUIRE(v);
  CHECK(v->next_retry_at_ms > max_time_ms);
  CHECK(v->next_retry_at_ms <= max_time_ms + s(retry_policy::max_retry_delay_seconds) * 3 / 2);
}

TEST_CASE("to_outbox_record: every verdict becomes a record the stores accept") {
  struct row {
    unsigned attempt;
    attempt_outcome outcome;
    std::optional<std::string_view> retry_after;
  };
  const row rows[] = {
      {1, attempt_outcome::http(200), std::nullopt},
      {1, attempt_outcome::http(500), std::nullopt},
      {10, attempt_outcome::http(500), std::nullopt},
      {2, attempt_outcome::http(410), std::nullopt},
      {3, attempt_outcome::http(429), std::nullopt},
      {3, attempt_outcome::http(502), std::string_view("30")},
      {10, attempt_outcome::http(504), std::nullopt},
      {4, attempt_outcome::timed_out(), std::nullopt},
      {4, attempt_outcome::http(302), std::nullopt},
      {5, attempt_outcome::network_failure(), std::string_view("x")},
      {1, attempt_outcome::http(429), std::string_view("Sun, 06 Nov 1994 08:49:37 GMT")},
  };
  for (const row& rw : rows) {
    INFO(rw.attempt << " " << rw.outcome.http_status);
    auto v = decide_delivery(std_policy, report(rw.attempt, rw.outcome, T, rw.retry_after, 77));
    REQUIRE(v);
    const outbox_record r = to_outbox_record(*v, "HTTP 500");
    CHECK(check_outbox_record(r));
    CHECK(r.tried_at_ms == T);
    CHECK(r.effect == v->effect);
    CHECK(r.http_status == v->http_status);
    CHECK(r.disable_after_failures == v->disable_after_failures);
    CHECK(r.error == "HTTP 500");
    switch (v->status) {
      case attempt_status::delivered: CHECK(r.state == outbox_state::delivered); break;
      case attempt_status::scheduled_retry:
        CHECK(r.state == outbox_state::scheduled_retry);
        CHECK(r.next_attempt_at_ms == v->next_retry_at_ms);
        break;
      case attempt_status::failed_permanently:
        CHECK(r.state == outbox_state::failed_permanently);
        CHECK(r.next_attempt_at_ms == 0);
        break;
    }
    CHECK(r.throttle_until_ms == (v->effect == endpoint_effect::throttle ? v->throttle_until_ms : 0));
  }
  // A 410 is a failed row with the effect that disables the endpoint.
  auto gone = decide_delivery(std_policy, report(1, attempt_outcome::http(410)));
  const outbox_record g = to_outbox_record(*gone);
  CHECK(g.state == outbox_state::failed_permanently);
  CHECK(g.effect == endpoint_effect::disable);
  // A long error text is cut to the store's bound.
  const std::string long_error(outbox_max_error_bytes + 100, 'e');
  CHECK(to_outbox_record(*gone, long_error).error.size() == outbox_max_error_bytes);
}

TEST_CASE("decide_delivery with unix_time, and its §12 view") {
  auto v = decide_delivery(std_policy, 2, attempt_outcome::http(429), unix_time_from_ms(T), std::string_view("90"),
                           splitmix64(1));
  REQUIRE(v);
  CHECK(v->tried_at_ms == T);
  CHECK(v->throttle_until_ms == T + s(90));
  CHECK(v->retry_after == retry_after_use::honoured);
  const retry_decision d = v->as_retry_decision();
  CHECK(d.status == attempt_status::scheduled_retry);
  CHECK(d.attempt == 2);
  CHECK(d.max_attempts == 10);
  CHECK(d.next_attempt == 3);
  CHECK(d.next_retry_at_ms == v->next_retry_at_ms);
  CHECK(d.next_retry_at_ms >= T + lo(300, 20));
  // Without Retry-After and random bits: the defaults.
  auto w = decide_delivery(default_retry_policy, 1, attempt_outcome::timed_out(), unix_time_from_ms(T));
  REQUIRE(w);
  CHECK(w->next_retry_at_ms == T + s(60));
  CHECK(w->retry_after == retry_after_use::absent);
}

TEST_CASE("names of the new vocabulary") {
  CHECK(endpoint_effect_name(endpoint_effect::throttle) == "throttle");
  CHECK(endpoint_effect_name(endpoint_effect::disable) == "disable");
  CHECK(disable_reason_name(disable_reason::gone) == "gone");
  CHECK(disable_reason_name(disable_reason::failure_streak) == "failure_streak");
  CHECK(retry_after_use_name(retry_after_use::capped) == "capped");
  CHECK(retry_after_use_name(retry_after_use::invalid) == "invalid");
  CHECK(retry_rules_name(retry_rules::standard_webhooks) == "standard_webhooks");
  CHECK(error_name(errc::invalid_retry_after) == "invalid_retry_after");
  CHECK(error_reply_class(errc::invalid_retry_after) == reply_class::malformed);
}
