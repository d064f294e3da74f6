// The one Unix-time type (unix_time.hpp): conversions, and every entry point that takes
// it — verification, the receiver, the retry schedule, the sender — decides exactly what
// its integer form decides for the same instant (seconds floored where the wire counts
// seconds).
#include <jobwire/dedup.hpp>
#include <jobwire/receiver.hpp>
#include <jobwire/retry.hpp>
#include <jobwire/sender.hpp>
#include <jobwire/unix_time.hpp>
#include <jobwire/verify.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

#include "receiver_support.hpp"

using namespace jobwire;
using receiver_test::t0;

static_assert(std::is_same<dedup_time, unix_time>::value, "the stores take the one time type");

TEST_CASE("unix_time: conversions") {
  CHECK(to_unix_ms(unix_time_from_ms(1781166600123)) == 1781166600123);
  CHECK(to_unix_ms(unix_time_from_seconds(1781166600)) == 1781166600000);
  CHECK(to_unix_seconds(unix_time_from_ms(1781166600999)) == 1781166600);
  // Floored, not truncated towards zero: -1 ms is in second -1.
  CHECK(to_unix_seconds(unix_time_from_ms(-1)) == -1);
  CHECK(to_unix_seconds(unix_time_from_ms(-1000)) == -1);
  CHECK(to_unix_seconds(unix_time_from_ms(-1001)) == -2);
  CHECK(to_unix_seconds(unix_time_from_ms(0)) == 0);
  // A host clock reading of finer precision is floored to the millisecond.
  using micro_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
  CHECK(to_unix_ms(to_unix_time(micro_point{std::chrono::microseconds{1781166600123999}})) == 1781166600123);
  CHECK(to_unix_ms(to_unix_time(micro_point{std::chrono::microseconds{-1}})) == -1);
}

TEST_CASE("unix_time: verification and the receiver decide freshness on the floored second") {
  const std::string_view k[] = {receiver_test::secret};
  const verifier v = *verifier::create(k, 1);
  receiver_test::delivery_spec spec;
  spec.job = "G-time";
  const receiver_test::delivery d = receiver_test::make_delivery(spec);  // signed at t0

  struct point {
    std::int64_t offset_ms;
    errc expected;
  };
  // Tolerance 300 s, both ends inclusive, on whole seconds of now.
  const point points[] = {
      {-301'000, errc::timestamp_too_new},
      {-300'001, errc::timestamp_too_new},
      {-300'000, errc::ok},
      {0, errc::ok},
      {300'000, errc::ok},
      {300'999, errc::ok},
      {301'000, errc::timestamp_too_old},
  };
  for (const point& p : points) {
    const unix_time now = unix_time_from_ms(t0 * 1000 + p.offset_ms);
    INFO("offset " << p.offset_ms << " ms");
    const auto by_time = verify_delivery(d.body, d.headers, v, now);
    const auto by_seconds = verify_delivery(d.body, d.headers, v, to_unix_seconds(now));
    CHECK(by_time.code() == p.expected);
    CHECK(by_seconds.code() == p.expected);
    CHECK(authenticate_delivery(d.body, d.headers, v, now).code() == p.expected);
    authenticated_delivery out;
    CHECK(authenticate_delivery(d.body, d.headers, v, now, out).code() == p.expected);

    memory_dedup_store store;
    const receipt r = receive_delivery(
        d.body, d.headers, v, store, now, [](std::string_view) { return std::optional<job_state>(); },
        [](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; });
    CHECK(r.error == p.expected);
  }
}

TEST_CASE("unix_time: the retry schedule and the sender take it too") {
  const retry_policy policy{};
  const unix_time tried = unix_time_from_ms(1781166600250);
  const auto by_time = decide_attempt(policy, 1, attempt_outcome::http(503), tried);
  const auto by_ms = decide_attempt(policy, 1, attempt_outcome::http(503), to_unix_ms(tried));
  REQUIRE(by_time);
  REQUIRE(by_ms);
  CHECK(by_time->status == attempt_status::scheduled_retry);
  CHECK(by_time->next_retry_at_ms == by_ms->next_retry_at_ms);
  CHECK(by_time->next_retry_at_ms == to_unix_ms(tried) + policy.delay_after(1) * 1000);
  CHECK(decide_attempt(policy, 1, attempt_outcome::http(200), unix_time_from_ms(-1)).code() == errc::invalid_argument);

  auto sender = delivery_sender::create("whsec_time", profiles::ai_stats);
  REQUIRE(sender);
  delivery_event ev;
  ev.kind = kind::video;
  ev.job_id = "G-time";
  ev.phase = phase::completed;
  ev.data = R"({"id":"G-time","object":"video","status":"completed"})";
  ev.created_at = t0;
  // 999 ms into the second: the timestamp header carries the floored second.
  auto at_time = sender->build(ev, unix_time_from_ms(t0 * 1000 + 999));
  auto at_seconds = sender->build(ev, t0);
  REQUIRE(at_time);
  REQUIRE(at_seconds);
  CHECK(at_time->body() == at_seconds->body());
  CHECK(at_time->header("timestamp") == std::to_string(t0));
  CHECK(at_time->header("signature") == at_seconds->header("signature"));
  REQUIRE(sender->next_attempt(*at_time, 2, unix_time_from_ms((t0 + 60) * 1000 + 1)));
  REQUIRE(sender->next_attempt(*at_seconds, 2, t0 + 60));
  CHECK(at_time->header("timestamp") == std::to_string(t0 + 60));
  CHECK(at_time->body() == at_seconds->body());
  CHECK(at_time->header("signature") == at_seconds->header("signature"));
}
