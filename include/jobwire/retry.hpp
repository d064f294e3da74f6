// jobwire — the sender's retry schedule (PROTOCOL.md §12) as a pure state machine.
//
// A sender makes attempt n of a delivery, observes an outcome (an HTTP status, a timeout
// or a network error) and asks `decide_attempt` what happened: `delivered`,
// `scheduled_retry` (with the time the next attempt becomes due) or `failed_permanently`.
// Nothing here reads a clock or sleeps: the caller passes the time of the attempt, in Unix
// milliseconds because the ledger's ISO-8601 timestamps carry milliseconds (PROTOCOL.md §10).
//
// Also here: the request-timeout rule (1..120 s), the sweep that actually sends due
// retries (every 5 minutes, so a retry arrives at or after `next_retry_at`), and the
// send/dedupe rule for a delivery key (already delivered, queued or failed → not sent
// again unless forced).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attempt.hpp"  // attempt_status (§10)
#include "error.hpp"
#include "events.hpp"  // max_delivery_attempts
#include "result.hpp"
#include "unix_time.hpp"

namespace jobwire {

// --- outcomes ----------------------------------------------------------------------------

enum class outcome_kind : std::uint8_t { http_response, timeout, network_error };

/// What the host observed for one attempt. Only an HTTP response carries a status.
struct attempt_outcome {
  outcome_kind kind = outcome_kind::network_error;
  int http_status = 0;  ///< 100..599 for http_response, 0 otherwise

  static constexpr attempt_outcome http(int code) noexcept { return {outcome_kind::http_response, code}; }
  static constexpr attempt_outcome timed_out() noexcept { return {outcome_kind::timeout, 0}; }
  static constexpr attempt_outcome network_failure() noexcept { return {outcome_kind::network_error, 0}; }

  /// PROTOCOL.md §12: only a 2xx response is a success. 1xx and 3xx are failures too: the
  /// sender does not follow redirects (§8), and a final 1xx is a broken server.
  constexpr bool is_success() const noexcept {
    return kind == outcome_kind::http_response && http_status >= 200 && http_status <= 299;
  }
  constexpr bool is_valid() const noexcept {
    return kind != outcome_kind::http_response || (http_status >= 100 && http_status <= 599);
  }
  friend constexpr bool operator==(attempt_outcome a, attempt_outcome b) noexcept {
    return a.kind == b.kind && a.http_status == b.http_status;
  }
  friend constexpr bool operator!=(attempt_outcome a, attempt_outcome b) noexcept { return !(a == b); }
};

/// Parses the outcome words of the CLI contract: `2xx`, `4xx`, `5xx` (a representative
/// status of the class: 200, 400, 500), `1xx` and `3xx` likewise, `timeout`, `network`
/// (also `network_error`), or a decimal HTTP status 100..599 such as `503`.
/// Anything else is `invalid_outcome`.
inline result<attempt_outcome> parse_attempt_outcome(std::string_view s) noexcept {
  if (s == "timeout") return attempt_outcome::timed_out();
  if (s == "network" || s == "network_error") return attempt_outcome::network_failure();
  if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x')
    return attempt_outcome::http((s[0] - '0') * 100);
  if (s.size() == 3) {
    int v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return errc::invalid_outcome;
      v = v * 10 + (c - '0');
    }
    attempt_outcome o = attempt_outcome::http(v);
    if (o.is_valid()) return o;
  }
  return errc::invalid_outcome;
}

// --- time -----------------------------------------------------------------------------------

/// Times the schedule and the ledger work with: Unix milliseconds from 1970-01-01T00:00:00.000Z
/// to 9999-12-31T23:59:59.999Z, the range of a four-digit-year ISO-8601 timestamp
/// (PROTOCOL.md §10). Bounding time also keeps `tried_at + delay` far from overflow.
constexpr std::int64_t min_time_ms = 0;
constexpr std::int64_t max_time_ms = 253402300799999;

/// Unix seconds (the `--now` of the CLI, the timestamp header) → milliseconds;
/// `invalid_argument` outside the range above.
inline result<std::int64_t> unix_seconds_to_ms(std::int64_t seconds) noexcept {
  if (seconds < min_time_ms / 1000 || seconds > max_time_ms / 1000) return errc::invalid_argument;
  return seconds * 1000;
}

// --- request timeout (PROTOCOL.md §12) ---------------------------------------------------

constexpr std::int64_t default_request_timeout_seconds = 30;
constexpr std::int64_t min_request_timeout_seconds = 1;
constexpr std::int64_t max_request_timeout_seconds = 120;

/// Strict (default): a configured timeout outside 1..120 s is a configuration error.
inline result<std::int64_t> validate_request_timeout(std::int64_t seconds) noexcept {
  if (seconds < min_request_timeout_seconds || seconds > max_request_timeout_seconds) return errc::invalid_timeout;
  return seconds;
}

/// Opt-in leniency: clamp into 1..120 s as a tolerant configuration loader would.
constexpr std::int64_t clamp_request_timeout(std::int64_t seconds) noexcept {
  return seconds < min_request_timeout_seconds   ? min_request_timeout_seconds
         : seconds > max_request_timeout_seconds ? max_request_timeout_seconds
                                                 : seconds;
}

// --- the policy ---------------------------------------------------------------------------

/// Retry policy. The defaults are the service's (PROTOCOL.md §12): 4 attempts; after
/// failed attempt 1, 2, 3 the next is due 60 s, 300 s, 900 s later; 30 s request timeout.
struct retry_policy {
  /// Upper bound for `max_attempts`; the delay table is a fixed array so that a policy is a
  /// plain value (constexpr, copyable, no allocation).
  static constexpr unsigned max_supported_attempts = max_delivery_attempts;

  unsigned max_attempts = 4;
  /// `retry_delay_seconds[n - 1]` is the wait after failed attempt n; entries
  /// 0..max_attempts-2 are used and must be positive.
  std::array<std::int64_t, max_supported_attempts - 1> retry_delay_seconds{{60, 300, 900}};
  std::int64_t request_timeout_seconds = default_request_timeout_seconds;

  /// `invalid_attempt` when max_attempts is 0 or above `max_supported_attempts`,
  /// `invalid_retry_policy` when a used delay is not positive (or absurdly large: more
  /// than 30 days, which would also overflow millisecond arithmetic for no purpose),
  /// `invalid_timeout` when the request timeout is outside 1..120 s.
  void_result validate() const noexcept {
    if (max_attempts < 1 || max_attempts > max_supported_attempts) return errc::invalid_attempt;
    for (unsigned n = 1; n < max_attempts; ++n) {
      std::int64_t d = retry_delay_seconds[n - 1];
      if (d <= 0 || d > max_retry_delay_seconds) return errc::invalid_retry_policy;
    }
    if (!validate_request_timeout(request_timeout_seconds)) return errc::invalid_timeout;
    return {};
  }

  /// Delay after failed attempt n (1 ≤ n < max_attempts); 0 outside that range.
  constexpr std::int64_t delay_after(unsigned attempt) const noexcept {
    return attempt >= 1 && attempt < max_attempts ? retry_delay_seconds[attempt - 1] : 0;
  }

  static constexpr std::int64_t max_retry_delay_seconds = 30LL * 24 * 3600;
};

/// The service's policy, by name.
constexpr retry_policy default_retry_policy{};

// --- the decision ---------------------------------------------------------------------------

/// The verdict on one attempt.
struct retry_decision {
  attempt_status status = attempt_status::failed_permanently;
  unsigned attempt = 0;               ///< the attempt that was decided (1-based)
  unsigned max_attempts = 0;          ///< from the policy, as sent in the max-attempts header
  unsigned next_attempt = 0;          ///< attempt + 1 for a scheduled retry, else 0
  std::int64_t next_retry_at_ms = 0;  ///< when the next attempt is due; scheduled_retry only

  constexpr bool retry_scheduled() const noexcept { return status == attempt_status::scheduled_retry; }
};

/// Decides attempt `attempt` (1-based) made at `tried_at_ms` (Unix ms) with `outcome`.
/// 2xx → delivered. Any other outcome → scheduled_retry due at tried_at + delay(attempt)
/// while attempt < max_attempts, else failed_permanently (PROTOCOL.md §12).
/// Errors: the policy's own (see `retry_policy::validate`), `invalid_attempt` when attempt
/// is outside 1..max_attempts, `invalid_outcome` for an HTTP status outside 100..599,
/// `invalid_argument` for a time outside [min_time_ms, max_time_ms]. A retry may fall due
/// after max_time_ms (the ledger then refuses to record it); no arithmetic overflows.
inline result<retry_decision> decide_attempt(const retry_policy& policy, unsigned attempt, attempt_outcome outcome,
                                             std::int64_t tried_at_ms) noexcept {
  if (void_result st = policy.validate(); !st) return st.error();
  if (attempt < 1 || attempt > policy.max_attempts) return errc::invalid_attempt;
  if (!outcome.is_valid()) return errc::invalid_outcome;
  if (tried_at_ms < min_time_ms || tried_at_ms > max_time_ms) return errc::invalid_argument;
  retry_decision d;
  d.attempt = attempt;
  d.max_attempts = policy.max_attempts;
  if (outcome.is_success()) {
    d.status = attempt_status::delivered;
  } else if (attempt < policy.max_attempts) {
    d.status = attempt_status::scheduled_retry;
    d.next_attempt = attempt + 1;
    d.next_retry_at_ms = tried_at_ms + policy.delay_after(attempt) * 1000;
  } else {
    d.status = attempt_status::failed_permanently;
  }
  return d;
}
/// The same with the time as `unix_time` (unix_time.hpp), the API's one time type.
inline result<retry_decision> decide_attempt(const retry_policy& policy, unsigned attempt, attempt_outcome outcome,
                                             unix_time tried_at) noexcept {
  return decide_attempt(policy, attempt, outcome, to_unix_ms(tried_at));
}

// --- the sweep (PROTOCOL.md §12) --------------------------------------------------------------

/// The service does not send a retry at `next_retry_at` exactly: a periodic sweep picks up
/// due retries every 5 minutes. Receivers and tests must therefore expect a retry at or
/// after `next_retry_at`, up to one interval late.
constexpr std::int64_t retry_sweep_interval_seconds = 300;

/// The earliest time a sweep running at `anchor_ms + k × interval` (k ≥ 0 integer) sends a
/// retry due at `next_retry_at_ms`: the first sweep at or after the due time. With the
/// default anchor 0 the sweeps fall on wall-clock multiples of five minutes, as a
/// cron-style `*/5` schedule does. A due time before the anchor gives the anchor.
/// Defined for times within [min_time_ms, max_time_ms + 30 days] and intervals up to a day.
constexpr std::int64_t earliest_sweep_send_ms(std::int64_t next_retry_at_ms, std::int64_t anchor_ms = 0,
                                              std::int64_t interval_seconds = retry_sweep_interval_seconds) noexcept {
  const std::int64_t interval_ms = interval_seconds > 0 ? interval_seconds * 1000 : 1;
  if (next_retry_at_ms <= anchor_ms) return anchor_ms;
  const std::int64_t since = next_retry_at_ms - anchor_ms;
  const std::int64_t k = (since + interval_ms - 1) / interval_ms;  // ceiling, since > 0
  return anchor_ms + k * interval_ms;
}

// --- the send/dedupe rule (PROTOCOL.md §12) -----------------------------------------------------

/// Where one delivery key of one job stands, as derived from its latest attempt.
enum class key_state : std::uint8_t { never_sent, delivered, queued_for_retry, failed_permanently };

constexpr std::string_view key_state_name(key_state s) noexcept {
  switch (s) {
    case key_state::never_sent: return "never_sent";
    case key_state::delivered: return "delivered";
    case key_state::queued_for_retry: return "queued_for_retry";
    case key_state::failed_permanently: return "failed_permanently";
  }
  return "unknown";
}

constexpr key_state key_state_after(attempt_status s) noexcept {
  switch (s) {
    case attempt_status::delivered: return key_state::delivered;
    case attempt_status::scheduled_retry: return key_state::queued_for_retry;
    case attempt_status::failed_permanently: return key_state::failed_permanently;
  }
  return key_state::never_sent;
}

/// Whether a *new* send of a key may start (the dispatch of an event, not the sweep sending
/// a due retry): a key already delivered, queued for retry or failed permanently is not sent
/// again unless `force` is set. A forced send starts a fresh delivery of the same key: same
/// event id and key, attempt 1 (see `first_attempt_number`).
[[nodiscard]] constexpr void_result check_send(key_state state, bool force = false) noexcept {
  if (force) return {};
  switch (state) {
    case key_state::never_sent: return {};
    case key_state::delivered: return errc::already_delivered;
    case key_state::queued_for_retry: return errc::already_queued;
    case key_state::failed_permanently: return errc::already_failed;
  }
  return errc::internal_error;
}

/// Attempt numbers restart at 1 for every delivery started by `check_send` (forced or not);
/// only the sweep increments them.
constexpr unsigned first_attempt_number = 1;

}  // namespace jobwire
