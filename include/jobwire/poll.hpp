// jobwire — poll planning: when to ask `GET /v1/videos/{id}` again (PROTOCOL.md §5, §6).
//
// Sans-I/O: the caller reports what happened (the last status object, or the HTTP status
// of a failed request and its Retry-After), the number of consecutive failures, the time,
// and a random source; the planner answers "stop", "wait N seconds" or an error. It never
// sleeps and never reads a clock.
//
// Rules, in order:
//   1. past the overall deadline                       → deadline_exceeded
//   2. a failed request (HTTP status not 2xx):
//        4xx other than 408/425/429 cannot be fixed by retrying → poll_not_retryable
//        Retry-After given                             → exactly that (the server knows)
//        otherwise capped exponential backoff with "equal jitter":
//        b = min(cap, base·2^(failures-1)); delay = b/2 + u·b/2 in [b/2, b], u from the caller
//   3. the last status is terminal                     → stop (nothing more will change)
//   4. otherwise the status object's `poll_after_seconds` (the service sends 20), or the
//      policy's default when absent, never below `min_interval_seconds`
//   and a delay that would overshoot the deadline is cut to land on it.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include "error.hpp"
#include "job.hpp"
#include "payload.hpp"
#include "result.hpp"

namespace jobwire {

struct poll_policy {
  double default_interval_seconds = 20;   ///< when the status object has no poll_after_seconds
  double min_interval_seconds = 1;        ///< floor for any planned delay (a hostile 0 cannot spin us)
  double backoff_base_seconds = 2;        ///< first backoff after a failure
  double backoff_cap_seconds = 300;       ///< backoff never grows beyond this
  double max_retry_after_seconds = 3600;  ///< a larger Retry-After is clamped to this
};

/// What the caller observed since the last plan.
struct poll_observation {
  /// The last successfully read status (absent before the first successful read).
  bool has_status = false;
  lifecycle_status lifecycle = lifecycle_status::pending;
  number_field poll_after_seconds;
  /// Consecutive failed requests including this one (0 when the last request succeeded).
  std::uint32_t failures = 0;
  /// HTTP status of the last request; 0 when none was made or it succeeded at the transport.
  int http_status = 0;
  /// Retry-After of the last response in seconds, when it sent one.
  std::optional<double> retry_after_seconds;
  /// Current time and overall deadline, in the caller's clock (seconds). No deadline when unset.
  double now = 0;
  std::optional<double> deadline;

  static poll_observation after(const status_view& s) noexcept {
    poll_observation o;
    o.has_status = true;
    o.lifecycle = s.lifecycle;
    o.poll_after_seconds = s.poll_after_seconds;
    return o;
  }
};

struct poll_plan {
  bool stop = false;         ///< the job is terminal: stop polling
  double delay_seconds = 0;  ///< otherwise wait this long before the next request
};

constexpr bool is_retryable_http_status(int code) noexcept {
  if (code >= 200 && code < 300) return true;
  if (code == 408 || code == 425 || code == 429) return true;
  return code >= 500 || code < 100;  // 5xx, or a transport failure reported as 0/<100
}

/// Plans the next poll. `random01` is called at most once and should return a value in [0, 1)
/// (values outside [0, 1] are clamped); pass a seeded generator for reproducible plans.
template <class Random>
result<poll_plan> plan_next_poll(const poll_observation& o, Random&& random01,
                                 const poll_policy& policy = {}) noexcept {
  if (o.deadline && o.now >= *o.deadline) return errc::deadline_exceeded;
  poll_plan plan;
  const bool failed = o.failures > 0 || (o.http_status != 0 && (o.http_status < 200 || o.http_status >= 300));
  if (failed) {
    if (!is_retryable_http_status(o.http_status)) return errc::poll_not_retryable;
    if (o.retry_after_seconds && *o.retry_after_seconds >= 0 && std::isfinite(*o.retry_after_seconds)) {
      plan.delay_seconds = std::fmin(*o.retry_after_seconds, policy.max_retry_after_seconds);
    } else {
      const std::uint32_t n = o.failures == 0 ? 1 : o.failures;
      // 2^(n-1) overflows nothing: the exponent is capped before the multiplication.
      const double growth = std::ldexp(1.0, static_cast<int>(n > 60 ? 60 : n - 1));
      const double b = std::fmin(policy.backoff_cap_seconds, policy.backoff_base_seconds * growth);
      double u = static_cast<double>(random01());
      if (!(u >= 0)) u = 0;
      if (u > 1) u = 1;
      plan.delay_seconds = b / 2 + u * b / 2;
    }
  } else {
    if (o.has_status && is_terminal(o.lifecycle)) {
      plan.stop = true;
      return plan;
    }
    plan.delay_seconds = o.poll_after_seconds.present ? o.poll_after_seconds.value : policy.default_interval_seconds;
  }
  if (plan.delay_seconds < policy.min_interval_seconds) plan.delay_seconds = policy.min_interval_seconds;
  if (o.deadline && o.now + plan.delay_seconds > *o.deadline) plan.delay_seconds = *o.deadline - o.now;
  return plan;
}

}  // namespace jobwire
