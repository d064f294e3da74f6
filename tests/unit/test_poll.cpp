// Poll planning (poll.hpp).
#include <catch2/catch.hpp>

#include <string>

#include <jobwire/payload.hpp>
#include <jobwire/poll.hpp>

using namespace jobwire;

namespace {
struct fixed_random {
  double u;
  int* calls;
  double operator()() const {
    ++*calls;
    return u;
  }
};
double no_random() {
  FAIL("the random source must not be used here");
  return 0;
}
}  // namespace

TEST_CASE("a running job is polled after poll_after_seconds") {
  std::string body = R"({"id":"G-1","status":"processing","poll_after_seconds":20})";
  auto s = parse_status_object(body);
  REQUIRE(s);
  auto p = plan_next_poll(poll_observation::after(*s), no_random);
  REQUIRE(p);
  CHECK(!p->stop);
  CHECK(p->delay_seconds == 20);

  std::string faster = R"({"id":"G-1","status":"queued","poll_after_seconds":5})";
  CHECK(plan_next_poll(poll_observation::after(*parse_status_object(faster)), no_random)->delay_seconds == 5);
  // Absent: the policy default (the service's 20 s); 0 is raised to the floor.
  std::string none = R"({"id":"G-1","status":"queued"})";
  poll_policy policy;
  policy.default_interval_seconds = 15;
  CHECK(plan_next_poll(poll_observation::after(*parse_status_object(none)), no_random, policy)->delay_seconds == 15);
  std::string zero = R"({"id":"G-1","status":"queued","poll_after_seconds":0})";
  CHECK(plan_next_poll(poll_observation::after(*parse_status_object(zero)), no_random)->delay_seconds == 1);
}

TEST_CASE("terminal statuses stop polling") {
  for (const char* st : {"completed", "failed", "cancelled", "expired"}) {
    std::string body = std::string(R"({"id":"G-1","poll_after_seconds":20,"status":")") + st + "\"}";
    auto s = parse_status_object(body);
    REQUIRE(s);
    auto p = plan_next_poll(poll_observation::after(*s), no_random);
    REQUIRE(p);
    CHECK(p->stop);
  }
}

TEST_CASE("failures back off exponentially with jitter, capped") {
  int calls = 0;
  poll_observation o;
  o.http_status = 503;
  // u = 0: the lower half of the window, b/2; u -> 1: just under b.
  const double expect_low[] = {1, 2, 4, 8, 16, 32, 64, 128, 150, 150, 150};
  for (std::uint32_t n = 1; n <= 11; ++n) {
    o.failures = n;
    INFO("failures " << n);
    CHECK(plan_next_poll(o, fixed_random{0.0, &calls})->delay_seconds == expect_low[n - 1]);
    double hi = plan_next_poll(o, fixed_random{0.999999, &calls})->delay_seconds;
    CHECK(hi == Approx(expect_low[n - 1] * 2).epsilon(1e-5));
    CHECK(hi < expect_low[n - 1] * 2);
  }
  CHECK(calls == 22);
  // Out-of-range random values are clamped into [0, 1]: the delay stays in [b/2, b].
  o.failures = 3;
  CHECK(plan_next_poll(o, fixed_random{-5, &calls})->delay_seconds == 4);
  CHECK(plan_next_poll(o, fixed_random{7, &calls})->delay_seconds == 8);
  // A huge failure count does not overflow.
  o.failures = 4000000000u;
  CHECK(plan_next_poll(o, fixed_random{0.5, &calls})->delay_seconds == 225);
  // Transport failure (no HTTP status) backs off too.
  poll_observation net;
  net.failures = 1;
  CHECK(plan_next_poll(net, fixed_random{0, &calls})->delay_seconds == 1);
}

TEST_CASE("Retry-After is honoured, unfixable statuses stop with an error") {
  poll_observation o;
  o.failures = 1;
  o.http_status = 429;
  o.retry_after_seconds = 42;
  CHECK(plan_next_poll(o, no_random)->delay_seconds == 42);
  o.retry_after_seconds = 1e9;
  CHECK(plan_next_poll(o, no_random)->delay_seconds == 3600);
  for (int code : {400, 401, 403, 404, 410, 422}) {
    poll_observation e;
    e.failures = 1;
    e.http_status = code;
    INFO(code);
    CHECK(plan_next_poll(e, no_random).code() == errc::poll_not_retryable);
  }
  int calls = 0;
  for (int code : {408, 425, 429, 500, 502, 503, 504}) {
    poll_observation e;
    e.failures = 2;
    e.http_status = code;
    CHECK(plan_next_poll(e, fixed_random{0, &calls}));
  }
}

TEST_CASE("the overall deadline is honoured") {
  std::string body = R"({"id":"G-1","status":"processing","poll_after_seconds":20})";
  auto s = parse_status_object(body);
  REQUIRE(s);
  poll_observation o = poll_observation::after(*s);
  o.now = 1000;
  o.deadline = 1030;
  CHECK(plan_next_poll(o, no_random)->delay_seconds == 20);
  o.now = 1025;
  CHECK(plan_next_poll(o, no_random)->delay_seconds == 5);  // cut to land on the deadline
  o.now = 1030;
  CHECK(plan_next_poll(o, no_random).code() == errc::deadline_exceeded);
  o.now = 5000;
  CHECK(plan_next_poll(o, no_random).code() == errc::deadline_exceeded);
}
