// Retry schedule (retry.hpp): PROTOCOL.md §12.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <jobwire/retry.hpp>

using namespace jobwire;

namespace {
// 2026-06-11T08:30:00Z, which is also a five-minute boundary of the sweep.
constexpr std::int64_t T = 1781166600LL * 1000;
constexpr std::int64_t s(std::int64_t seconds) { return seconds * 1000; }
}  // namespace

TEST_CASE("a delivery that never succeeds: 60 s, 300 s, 900 s, then failed_permanently") {
  const retry_policy& p = default_retry_policy;

  // Attempt 1 seven seconds after the boundary; its retry is due 60 s later, but only the
  // next five-minute sweep sends it.
  auto d1 = decide_attempt(p, 1, attempt_outcome::http(503), T + s(7));
  REQUIRE(d1);
  CHECK(d1->status == attempt_status::scheduled_retry);
  CHECK(d1->attempt == 1);
  CHECK(d1->max_attempts == 4);
  CHECK(d1->next_attempt == 2);
  CHECK(d1->next_retry_at_ms == 1781166667000);
  CHECK(earliest_sweep_send_ms(d1->next_retry_at_ms) == 1781166900000);

  auto d2 = decide_attempt(p, 2, attempt_outcome::http(500), 1781166900000);
  REQUIRE(d2);
  CHECK(d2->status == attempt_status::scheduled_retry);
  CHECK(d2->next_attempt == 3);
  CHECK(d2->next_retry_at_ms == 1781167200000);
  CHECK(earliest_sweep_send_ms(d2->next_retry_at_ms) == 1781167200000);  // due exactly on a sweep

  auto d3 = decide_attempt(p, 3, attempt_outcome::network_failure(), 1781167200000);
  REQUIRE(d3);
  CHECK(d3->status == attempt_status::scheduled_retry);
  CHECK(d3->next_attempt == 4);
  CHECK(d3->next_retry_at_ms == 1781168100000);

  auto d4 = decide_attempt(p, 4, attempt_outcome::timed_out(), 1781168100000);
  REQUIRE(d4);
  CHECK(d4->status == attempt_status::failed_permanently);
  CHECK(d4->next_attempt == 0);
  CHECK_FALSE(d4->retry_scheduled());
  CHECK(d4->next_retry_at_ms == 0);
}

TEST_CASE("success on the third attempt stops the schedule") {
  auto d1 = decide_attempt(default_retry_policy, 1, attempt_outcome::timed_out(), T);
  REQUIRE(d1);
  CHECK(d1->next_retry_at_ms == T + s(60));
  auto d2 = decide_attempt(default_retry_policy, 2, attempt_outcome::http(429), T + s(300));
  REQUIRE(d2);
  CHECK(d2->next_retry_at_ms == T + s(600));
  auto d3 = decide_attempt(default_retry_policy, 3, attempt_outcome::http(204), T + s(600));
  REQUIRE(d3);
  CHECK(d3->status == attempt_status::delivered);
  CHECK(d3->attempt == 3);
  CHECK(d3->next_attempt == 0);
  CHECK(d3->next_retry_at_ms == 0);
}

TEST_CASE("only 2xx is a success, every other HTTP status is a failure") {
  for (int code : {200, 201, 202, 204, 299}) {
    INFO(code);
    CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(code), T)->status == attempt_status::delivered);
  }
  for (int code : {100, 101, 199, 300, 301, 302, 304, 307, 400, 401, 404, 410, 429, 500, 502, 503, 599}) {
    INFO(code);
    CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(code), T)->status ==
          attempt_status::scheduled_retry);
    CHECK(decide_attempt(default_retry_policy, 4, attempt_outcome::http(code), T)->status ==
          attempt_status::failed_permanently);
  }
  // Success on the very last attempt is still a delivery.
  CHECK(decide_attempt(default_retry_policy, 4, attempt_outcome::http(200), T)->status == attempt_status::delivered);
}

TEST_CASE("bad attempts and outcomes are precise errors") {
  CHECK(decide_attempt(default_retry_policy, 0, attempt_outcome::http(200), T).code() == errc::invalid_attempt);
  CHECK(decide_attempt(default_retry_policy, 5, attempt_outcome::http(200), T).code() == errc::invalid_attempt);
  CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(99), T).code() == errc::invalid_outcome);
  CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(600), T).code() == errc::invalid_outcome);
  // Times are bounded to the ISO-8601 four-digit-year range, so tried_at + delay cannot overflow.
  CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(500), -1).code() == errc::invalid_argument);
  CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(500), max_time_ms + 1).code() ==
        errc::invalid_argument);
  CHECK(decide_attempt(default_retry_policy, 1, attempt_outcome::http(500), max_time_ms)->next_retry_at_ms ==
        max_time_ms + 60000);
  CHECK(*unix_seconds_to_ms(1781166600) == T);
  CHECK(*unix_seconds_to_ms(0) == 0);
  CHECK(unix_seconds_to_ms(-1).code() == errc::invalid_argument);
  CHECK(unix_seconds_to_ms(max_time_ms / 1000 + 1).code() == errc::invalid_argument);
  CHECK(unix_seconds_to_ms(999999999999999999).code() == errc::invalid_argument);
}

TEST_CASE("outcome words and numeric statuses") {
  CHECK(*parse_attempt_outcome("2xx") == attempt_outcome::http(200));
  CHECK(*parse_attempt_outcome("4xx") == attempt_outcome::http(400));
  CHECK(*parse_attempt_outcome("5xx") == attempt_outcome::http(500));
  CHECK(*parse_attempt_outcome("1xx") == attempt_outcome::http(100));
  CHECK(*parse_attempt_outcome("3xx") == attempt_outcome::http(300));
  CHECK(*parse_attempt_outcome("timeout") == attempt_outcome::timed_out());
  CHECK(*parse_attempt_outcome("network") == attempt_outcome::network_failure());
  CHECK(*parse_attempt_outcome("network_error") == attempt_outcome::network_failure());
  CHECK(*parse_attempt_outcome("503") == attempt_outcome::http(503));
  CHECK(*parse_attempt_outcome("100") == attempt_outcome::http(100));
  CHECK(*parse_attempt_outcome("599") == attempt_outcome::http(599));
  for (const char* bad : {"", "6xx", "0xx", "2XX", "2x", "099", "600", "99", "2000", "abc", "Timeout", "timeout ",
                          " 200", "+20", "-20", "1e2", "net"}) {
    INFO(bad);
    CHECK(parse_attempt_outcome(bad).code() == errc::invalid_outcome);
  }
}

TEST_CASE("the policy is configurable and validated") {
  retry_policy p;
  CHECK(p.validate());
  CHECK(p.max_attempts == 4);
  CHECK(p.delay_after(1) == 60);
  CHECK(p.delay_after(2) == 300);
  CHECK(p.delay_after(3) == 900);
  CHECK(p.delay_after(4) == 0);
  CHECK(p.request_timeout_seconds == 30);

  p.max_attempts = 5;  // a fifth attempt needs a fourth delay
  CHECK(p.validate().code() == errc::invalid_retry_policy);
  CHECK(decide_attempt(p, 1, attempt_outcome::http(500), T).code() == errc::invalid_retry_policy);
  p.retry_delay_seconds[3] = 3600;
  REQUIRE(p.validate());
  CHECK(decide_attempt(p, 4, attempt_outcome::http(500), T)->next_retry_at_ms == T + s(3600));
  CHECK(decide_attempt(p, 5, attempt_outcome::http(500), T)->status == attempt_status::failed_permanently);

  retry_policy one;
  one.max_attempts = 1;  // no retries at all: no delay is needed
  one.retry_delay_seconds.fill(0);
  REQUIRE(one.validate());
  CHECK(decide_attempt(one, 1, attempt_outcome::http(500), T)->status == attempt_status::failed_permanently);

  retry_policy bad;
  bad.max_attempts = 0;
  CHECK(bad.validate().code() == errc::invalid_attempt);
  bad.max_attempts = retry_policy::max_supported_attempts + 1;
  CHECK(bad.validate().code() == errc::invalid_attempt);
  bad = retry_policy{};
  bad.retry_delay_seconds[1] = -5;
  CHECK(bad.validate().code() == errc::invalid_retry_policy);
  bad = retry_policy{};
  bad.request_timeout_seconds = 0;
  CHECK(bad.validate().code() == errc::invalid_timeout);
  CHECK(decide_attempt(bad, 1, attempt_outcome::http(200), T).code() == errc::invalid_timeout);
}

TEST_CASE("request timeout: 1..120 s strictly, clamping as an opt-in") {
  CHECK(*validate_request_timeout(1) == 1);
  CHECK(*validate_request_timeout(30) == 30);
  CHECK(*validate_request_timeout(120) == 120);
  for (std::int64_t bad : {0LL, -1LL, 121LL, 3600LL}) {
    INFO(bad);
    CHECK(validate_request_timeout(bad).code() == errc::invalid_timeout);
  }
  CHECK(clamp_request_timeout(0) == 1);
  CHECK(clamp_request_timeout(-30) == 1);
  CHECK(clamp_request_timeout(45) == 45);
  CHECK(clamp_request_timeout(500) == 120);
}

TEST_CASE("the sweep sends a due retry at the first five-minute tick at or after it") {
  CHECK(retry_sweep_interval_seconds == 300);
  CHECK(earliest_sweep_send_ms(T) == T);
  CHECK(earliest_sweep_send_ms(T + 1) == T + s(300));
  CHECK(earliest_sweep_send_ms(T + s(299)) == T + s(300));
  CHECK(earliest_sweep_send_ms(T + s(300)) == T + s(300));
  // A sweep anchored at the service's start (not wall-clock aligned).
  const std::int64_t anchor = T + s(17);
  CHECK(earliest_sweep_send_ms(T + s(60), anchor) == anchor + s(300));
  CHECK(earliest_sweep_send_ms(T, anchor) == anchor);  // already due at start-up
  CHECK(earliest_sweep_send_ms(T + s(61), T, 60) == T + s(120));
  // Never earlier than due, never a full interval late.
  for (std::int64_t due = T; due < T + s(1000); due += 777) {
    const std::int64_t at = earliest_sweep_send_ms(due);
    CHECK(at >= due);
    CHECK(at - due < s(300));
    CHECK(at % s(300) == 0);
  }
}

TEST_CASE("a key already delivered, queued or failed is not sent again unless forced") {
  CHECK(check_send(key_state::never_sent));
  CHECK(check_send(key_state::delivered).code() == errc::already_delivered);
  CHECK(check_send(key_state::queued_for_retry).code() == errc::already_queued);
  CHECK(check_send(key_state::failed_permanently).code() == errc::already_failed);
  for (key_state k :
       {key_state::never_sent, key_state::delivered, key_state::queued_for_retry, key_state::failed_permanently}) {
    INFO(key_state_name(k));
    CHECK(check_send(k, /*force=*/true));
  }
  CHECK(key_state_after(attempt_status::delivered) == key_state::delivered);
  CHECK(key_state_after(attempt_status::scheduled_retry) == key_state::queued_for_retry);
  CHECK(key_state_after(attempt_status::failed_permanently) == key_state::failed_permanently);
  CHECK(first_attempt_number == 1);
}

TEST_CASE("attempt status names round-trip") {
  for (attempt_status st :
       {attempt_status::delivered, attempt_status::scheduled_retry, attempt_status::failed_permanently})
    CHECK(*parse_attempt_status(attempt_status_name(st)) == st);
  CHECK(parse_attempt_status("Delivered").code() == errc::invalid_field);
  CHECK(parse_attempt_status("pending").code() == errc::invalid_field);
}
