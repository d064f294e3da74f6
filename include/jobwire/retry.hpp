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
//
// Two sets of rules share the state machine (PROTOCOL.md §15: a profile is data). The
// service profiles (`ai_stats`, `phaseo`) keep §12 exactly: every non-2xx is the same
// failure on a fixed schedule. The Standard Webhooks profiles (`standard`, `openai`)
// follow the etiquette of §17 "Sending": a longer schedule with jitter, `Retry-After`
// honoured, 410 disables the endpoint, 429/502/504 throttle it, and a long failure streak
// disables it. `decide_delivery` applies either and returns everything an outbox worker
// records (outbox.hpp, `to_outbox_record` in outbox_retry.hpp); `decide_attempt` is the
// §12 decision alone, as before.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "attempt.hpp"  // attempt_status (§10)
#include "error.hpp"
#include "events.hpp"  // max_delivery_attempts
#include "profile.hpp"
#include "result.hpp"
#include "retry_after.hpp"
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

/// Which rules turn an outcome into a verdict (PROTOCOL.md §15: chosen by the profile).
enum class retry_rules : std::uint8_t {
  service,            ///< §12: every non-2xx is a failure; `Retry-After` is not read
  standard_webhooks,  ///< §17 "Sending": 410 disables, 429/502/504 throttle, `Retry-After` honoured
};

constexpr std::string_view retry_rules_name(retry_rules r) noexcept {
  return r == retry_rules::service ? "service" : "standard_webhooks";
}

/// When a failure streak may disable an endpoint (`retry_policy::disable_after_failures`).
enum class streak_check : std::uint8_t {
  /// Only when a delivery fails permanently: the endpoint is disabled when one delivery
  /// has run through its whole schedule and the endpoint's last N attempts all failed.
  /// A streak counts attempts, and a busy endpoint piles up failed attempts in seconds
  /// during a short outage; checking at a delivery's last attempt means an endpoint is
  /// disabled only after it has failed for as long as the schedule lasts (about 3 days for
  /// §17's), which is what senders promise ("disabled after failing for days").
  final_failure,
  /// At every failure: N consecutive failed attempts disable the endpoint, however fast
  /// they came (for hosts that bound the rate per endpoint themselves).
  every_failure,
};

/// Retry policy. The defaults are the service's (PROTOCOL.md §12): 4 attempts; after
/// failed attempt 1, 2, 3 the next is due 60 s, 300 s, 900 s later; 30 s request timeout;
/// no jitter, no endpoint ever disabled. `standard_webhooks_retry_policy` below is §17's.
struct retry_policy {
  /// Upper bound for `max_attempts`; the delay table is a fixed array so that a policy is a
  /// plain value (constexpr, copyable, no allocation).
  static constexpr unsigned max_supported_attempts = max_delivery_attempts;

  unsigned max_attempts = 4;
  /// `retry_delay_seconds[n - 1]` is the wait after failed attempt n; entries
  /// 0..max_attempts-2 are used and must be positive.
  std::array<std::int64_t, max_supported_attempts - 1> retry_delay_seconds{{60, 300, 900}};
  std::int64_t request_timeout_seconds = default_request_timeout_seconds;

  /// How outcomes are read (see `retry_rules`).
  retry_rules rules = retry_rules::service;
  /// Each delay is moved by up to ± this percentage (0..max_jitter_percent), uniformly, so
  /// that deliveries that failed together do not all come back in the same second. Never
  /// below `min_jittered_delay_ms`. 0: the delays exactly (§12).
  unsigned jitter_percent = 0;
  /// standard_webhooks: a `Retry-After` asking for a longer wait is honoured only up to this
  /// (0..max_retry_delay_seconds), so a receiver cannot park a delivery for years.
  std::int64_t max_retry_after_seconds = 24 * 3600;
  /// standard_webhooks: how long a 429/502/504 without a usable `Retry-After` holds the
  /// endpoint (1..max_retry_delay_seconds).
  std::int64_t throttle_seconds = 60;
  /// The endpoint is disabled when this many consecutive attempts to it have failed
  /// (checked as `disable_streak_check` says); 0: never by streak.
  unsigned disable_after_failures = 0;
  streak_check disable_streak_check = streak_check::final_failure;

  static constexpr std::int64_t max_retry_delay_seconds = 30LL * 24 * 3600;
  static constexpr unsigned max_jitter_percent = 50;

  /// `invalid_attempt` when max_attempts is 0 or above `max_supported_attempts`,
  /// `invalid_retry_policy` when a used delay is not positive (or absurdly large: more
  /// than 30 days, which would also overflow millisecond arithmetic for no purpose), or the
  /// jitter, the Retry-After cap or the throttle time is outside its range,
  /// `invalid_timeout` when the request timeout is outside 1..120 s.
  void_result validate() const noexcept {
    if (max_attempts < 1 || max_attempts > max_supported_attempts) return errc::invalid_attempt;
    for (unsigned n = 1; n < max_attempts; ++n) {
      std::int64_t d = retry_delay_seconds[n - 1];
      if (d <= 0 || d > max_retry_delay_seconds) return errc::invalid_retry_policy;
    }
    if (jitter_percent > max_jitter_percent) return errc::invalid_retry_policy;
    if (max_retry_after_seconds < 0 || max_retry_after_seconds > max_retry_delay_seconds)
      return errc::invalid_retry_policy;
    if (throttle_seconds < 1 || throttle_seconds > max_retry_delay_seconds) return errc::invalid_retry_policy;
    if (rules != retry_rules::service && rules != retry_rules::standard_webhooks) return errc::invalid_retry_policy;
    if (disable_streak_check != streak_check::final_failure && disable_streak_check != streak_check::every_failure)
      return errc::invalid_retry_policy;
    if (!validate_request_timeout(request_timeout_seconds)) return errc::invalid_timeout;
    return {};
  }

  /// Delay after failed attempt n (1 ≤ n < max_attempts); 0 outside that range.
  constexpr std::int64_t delay_after(unsigned attempt) const noexcept {
    return attempt >= 1 && attempt < max_attempts ? retry_delay_seconds[attempt - 1] : 0;
  }
};

/// The service's policy, by name. `inline` (C++17): one object program-wide, so the
/// reference `retry_policy_for` returns names the same policy in every translation unit.
inline constexpr retry_policy default_retry_policy{};

/// The Standard Webhooks etiquette (PROTOCOL.md §17 "Sending"), the specification's example
/// schedule: attempt 1 immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
/// 24 h after each failure — 10 attempts over about 3 days and 4 hours. Delays ±20 %
/// (never below 1 s); a `Retry-After` honoured up to 24 h; a throttle without one holds the
/// endpoint 60 s; the endpoint is disabled when a delivery fails permanently while the
/// endpoint's last 10 attempts all failed (a dead endpoint: one full schedule, about 3 days).
inline constexpr retry_policy standard_webhooks_retry_policy{
    10,
    {{5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600}},
    default_request_timeout_seconds,
    retry_rules::standard_webhooks,
    20,
    24 * 3600,
    60,
    10,
    streak_check::final_failure};

/// The policy a profile's deliveries use by default: §17's for the Standard Webhooks
/// profiles, §12's for the service profiles.
constexpr const retry_policy& retry_policy_for(const profile& p) noexcept {
  return p.scheme == signature_scheme::webhooks ? standard_webhooks_retry_policy : default_retry_policy;
}

// --- jitter -----------------------------------------------------------------------------------

/// A jittered delay is never shorter than this.
constexpr std::int64_t min_jittered_delay_ms = 1000;

/// SplitMix64: turns a seed (the CLI's `--seed`, a row id, a counter) into well-mixed random
/// bits for the jitter. Not for secrets: the jitter only spreads load.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// `delay_seconds` (1 s .. max_retry_delay_seconds) moved by a uniform offset within
/// ±`jitter_percent` % (whole milliseconds), chosen by `random`; at least
/// min_jittered_delay_ms. With jitter 0 the delay exactly.
constexpr std::int64_t jittered_delay_ms(std::int64_t delay_seconds, unsigned jitter_percent,
                                         std::uint64_t random) noexcept {
  const std::int64_t base = delay_seconds * 1000;
  const std::int64_t span = base / 100 * jitter_percent + base % 100 * jitter_percent / 100;
  if (span <= 0) return base < min_jittered_delay_ms ? min_jittered_delay_ms : base;
  // The bias of `%` over 64 random bits is below 2^-30 for any span a policy allows.
  const std::int64_t offset = static_cast<std::int64_t>(random % (2 * static_cast<std::uint64_t>(span) + 1)) - span;
  const std::int64_t d = base + offset;
  return d < min_jittered_delay_ms ? min_jittered_delay_ms : d;
}

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
/// This is the schedule alone — the policy's delays exactly, whatever its rules and jitter
/// say; `decide_delivery` below applies the whole policy.
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

// --- the etiquette (PROTOCOL.md §12, §17 "Sending") -------------------------------------------

/// What an attempt does to its endpoint (PROTOCOL.md §17 "Sending"); the outbox stores
/// apply it (outbox.hpp).
enum class endpoint_effect : std::uint8_t {
  none,      ///< nothing (an attempt that was never sent, e.g. the build failed)
  success,   ///< a 2xx: the failure streak restarts at 0
  failure,   ///< any other failure: the streak grows by one
  throttle,  ///< 429/502/504: a failure that also holds the endpoint until `throttle_until_ms`
  disable,   ///< 410 Gone: the endpoint is disabled now
};

constexpr std::string_view endpoint_effect_name(endpoint_effect e) noexcept {
  switch (e) {
    case endpoint_effect::none: return "none";
    case endpoint_effect::success: return "success";
    case endpoint_effect::failure: return "failure";
    case endpoint_effect::throttle: return "throttle";
    case endpoint_effect::disable: return "disable";
  }
  return "unknown";
}

/// Why an attempt disables its endpoint.
enum class disable_reason : std::uint8_t {
  none,
  gone,            ///< the endpoint answered 410 Gone
  failure_streak,  ///< `disable_after_failures` consecutive failures
};

constexpr std::string_view disable_reason_name(disable_reason r) noexcept {
  switch (r) {
    case disable_reason::none: return "none";
    case disable_reason::gone: return "gone";
    case disable_reason::failure_streak: return "failure_streak";
  }
  return "unknown";
}

/// What became of a response's `Retry-After` field.
enum class retry_after_use : std::uint8_t {
  absent,       ///< the response had none
  not_applied,  ///< the rules do not read it (service rules, a success, a 410)
  honoured,     ///< read; the next attempt (and a throttle) is not before it
  capped,       ///< read, asked for more than `max_retry_after_seconds`: that cap was used
  past,         ///< an HTTP-date before the attempt: nothing to wait for
  invalid,      ///< malformed (`retry_after_error`): ignored for scheduling, reported
};

constexpr std::string_view retry_after_use_name(retry_after_use u) noexcept {
  switch (u) {
    case retry_after_use::absent: return "absent";
    case retry_after_use::not_applied: return "not_applied";
    case retry_after_use::honoured: return "honoured";
    case retry_after_use::capped: return "capped";
    case retry_after_use::past: return "past";
    case retry_after_use::invalid: return "invalid";
  }
  return "unknown";
}

/// 429 Too Many Requests, 502 Bad Gateway, 504 Gateway Timeout: the endpoint (or what is
/// in front of it) is overloaded, so the sender holds all its deliveries a while (§17).
constexpr bool is_throttle_status(int http_status) noexcept {
  return http_status == 429 || http_status == 502 || http_status == 504;
}

/// One attempt as the worker observed it. Views must stay valid for the call only.
struct attempt_observation {
  unsigned attempt = 0;  ///< 1-based, as leased (outbox_lease::attempt)
  attempt_outcome outcome;
  std::int64_t tried_at_ms = 0;  ///< when the attempt was made (Unix ms); Retry-After dates count from here
  /// The response's `Retry-After` field value, when it had one (a field that appears twice
  /// is a list the host joins with ", ", which is malformed here, as RFC 9110 §5.3 implies).
  std::optional<std::string_view> retry_after;
  /// Uniform random bits for the jitter: from the host's generator, or `splitmix64(seed)`
  /// for reproducible schedules. Not used when the policy has no jitter.
  std::uint64_t random = 0;
  /// The endpoint's failure streak before this attempt (outbox_lease::endpoint_failure_streak),
  /// used only to say in the verdict whether this attempt disables the endpoint; the store
  /// applies the streak itself, atomically, and its answer (outbox_record_result) is the one
  /// that counts when several workers race.
  unsigned endpoint_failure_streak = 0;
};

/// The verdict on one attempt: the row's status and due time, and the endpoint's effect.
/// Every field an outbox record needs (see to_outbox_record in outbox_retry.hpp).
struct attempt_verdict {
  attempt_status status = attempt_status::failed_permanently;
  unsigned attempt = 0;               ///< the attempt that was decided (1-based)
  unsigned max_attempts = 0;          ///< from the policy
  unsigned next_attempt = 0;          ///< attempt + 1 for a scheduled retry, else 0
  std::int64_t tried_at_ms = 0;       ///< as reported
  std::int64_t next_retry_at_ms = 0;  ///< scheduled_retry only: when the next attempt is due
  int http_status = 0;                ///< the response's status; 0 for a timeout or network error
  endpoint_effect effect = endpoint_effect::none;
  /// effect throttle only: no delivery to the endpoint before this time (Unix ms, > 0).
  std::int64_t throttle_until_ms = 0;
  /// For the store (outbox_record::disable_after_failures): the endpoint is disabled when
  /// its streak, after this attempt, reaches this many; 0 for this attempt: not by streak.
  unsigned disable_after_failures = 0;
  /// This attempt disables the endpoint: a 410, or (as far as the reported streak tells) the
  /// streak reached its limit. The event a host alerts on; `disable_reason` says which.
  bool endpoint_disabled = false;
  disable_reason reason = disable_reason::none;
  /// What became of the response's Retry-After; for honoured, capped and past the time
  /// it asked for (after the cap), in Unix ms; `retry_after_error` for invalid.
  retry_after_use retry_after = retry_after_use::absent;
  std::int64_t retry_after_until_ms = 0;
  errc retry_after_error = errc::ok;

  constexpr bool retry_scheduled() const noexcept { return status == attempt_status::scheduled_retry; }
  /// The §12 decision's view of the same verdict.
  constexpr retry_decision as_retry_decision() const noexcept {
    return retry_decision{status, attempt, max_attempts, next_attempt, next_retry_at_ms};
  }
};

/// Decides one attempt under the policy's rules (see the top of this file).
///
/// Service rules (§12): 2xx → delivered, effect success; anything else → a retry after the
/// policy's delay (jittered if the policy says so) while attempts remain, else
/// failed_permanently; effect failure. Retry-After is not read.
///
/// Standard Webhooks rules (§17 "Sending"), in this order:
///   2xx → delivered (effect success).
///   410 Gone → failed_permanently, effect disable: the endpoint is disabled now.
///   Any other response (1xx, 3xx — redirects are not followed —, 4xx, 5xx), a timeout or a
///   network error is a failure: a retry after the jittered delay while attempts remain,
///   else failed_permanently.
///   429, 502, 504 → effect throttle: the endpoint is held until the Retry-After time, or
///   `throttle_seconds` after the attempt when there is no usable Retry-After.
///   Retry-After (seconds or HTTP-date, capped at `max_retry_after_seconds`) on any failure:
///   the retry is never before it (nor before a throttle): when it is later than the
///   jittered schedule, the retry is due at that time plus up to jitter_percent % of the wait
///   more (never less), so deliveries told the same time do not return in the same instant.
///   A malformed Retry-After is reported (`retry_after_use::invalid`) and ignored.
///   The failure streak: `disable_after_failures` goes to the store with a failure (every
///   failure, or only a permanent one: `disable_streak_check`).
///
/// Errors: the policy's own (see `retry_policy::validate`), `invalid_attempt` when the
/// attempt is outside 1..max_attempts, `invalid_outcome` for an HTTP status outside
/// 100..599, `invalid_argument` for a time outside [min_time_ms, max_time_ms]. Never an
/// error for a Retry-After: a hostile or broken field cannot stop a verdict.
inline result<attempt_verdict> decide_delivery(const retry_policy& policy, const attempt_observation& obs) noexcept {
  if (void_result st = policy.validate(); !st) return st.error();
  if (obs.attempt < 1 || obs.attempt > policy.max_attempts) return errc::invalid_attempt;
  if (!obs.outcome.is_valid()) return errc::invalid_outcome;
  if (obs.tried_at_ms < min_time_ms || obs.tried_at_ms > max_time_ms) return errc::invalid_argument;
  const std::int64_t t = obs.tried_at_ms;
  const bool etiquette = policy.rules == retry_rules::standard_webhooks;
  const int code = obs.outcome.kind == outcome_kind::http_response ? obs.outcome.http_status : 0;

  attempt_verdict v;
  v.attempt = obs.attempt;
  v.max_attempts = policy.max_attempts;
  v.tried_at_ms = t;
  v.http_status = code;
  if (obs.retry_after) v.retry_after = retry_after_use::not_applied;

  if (obs.outcome.is_success()) {
    v.status = attempt_status::delivered;
    v.effect = endpoint_effect::success;
    return v;
  }
  if (etiquette && code == 410) {
    v.status = attempt_status::failed_permanently;
    v.effect = endpoint_effect::disable;
    v.endpoint_disabled = true;
    v.reason = disable_reason::gone;
    return v;
  }

  // The earliest time the endpoint's own words allow: its Retry-After, capped.
  std::int64_t not_before = t;
  bool have_retry_after = false;
  if (etiquette && obs.retry_after) {
    auto ra = parse_retry_after(*obs.retry_after, t);
    if (!ra) {
      v.retry_after = retry_after_use::invalid;
      v.retry_after_error = ra.code();
    } else {
      have_retry_after = true;
      std::int64_t wait = ra->wait_ms;
      v.retry_after = ra->in_past ? retry_after_use::past : retry_after_use::honoured;
      if (wait > policy.max_retry_after_seconds * 1000) {
        wait = policy.max_retry_after_seconds * 1000;
        v.retry_after = retry_after_use::capped;
      }
      not_before = t + wait;
      v.retry_after_until_ms = not_before;
    }
  }

  v.effect = endpoint_effect::failure;
  if (etiquette && is_throttle_status(code)) {
    v.effect = endpoint_effect::throttle;
    // > 0 always (the store's record check reads 0 as "no throttle"): only an attempt at
    // the epoch itself with Retry-After 0 would give 0.
    const std::int64_t until = have_retry_after ? not_before : t + policy.throttle_seconds * 1000;
    v.throttle_until_ms = until > 0 ? until : 1;
    if (v.throttle_until_ms > not_before) not_before = v.throttle_until_ms;
  }

  if (obs.attempt < policy.max_attempts) {
    v.status = attempt_status::scheduled_retry;
    v.next_attempt = obs.attempt + 1;
    const std::int64_t scheduled =
        t + jittered_delay_ms(policy.delay_after(obs.attempt), policy.jitter_percent, obs.random);
    if (not_before > scheduled) {
      // Later than the schedule: the endpoint's time, plus a spread that only ever adds.
      const std::int64_t wait = not_before - t;
      const std::int64_t spread = wait / 100 * policy.jitter_percent + wait % 100 * policy.jitter_percent / 100;
      const std::uint64_t bits = splitmix64(obs.random);
      v.next_retry_at_ms =
          not_before + (spread > 0 ? static_cast<std::int64_t>(bits % (static_cast<std::uint64_t>(spread) + 1)) : 0);
    } else {
      v.next_retry_at_ms = scheduled;
    }
  } else {
    v.status = attempt_status::failed_permanently;
  }

  const bool streak_counts =
      policy.disable_streak_check == streak_check::every_failure || v.status == attempt_status::failed_permanently;
  if (streak_counts && policy.disable_after_failures > 0) {
    v.disable_after_failures = policy.disable_after_failures;
    if (obs.endpoint_failure_streak >= policy.disable_after_failures - 1) {
      v.endpoint_disabled = true;
      v.reason = disable_reason::failure_streak;
    }
  }
  return v;
}

/// The same with the time as `unix_time`.
inline result<attempt_verdict> decide_delivery(const retry_policy& policy, unsigned attempt, attempt_outcome outcome,
                                               unix_time tried_at,
                                               std::optional<std::string_view> retry_after = std::nullopt,
                                               std::uint64_t random = 0) noexcept {
  attempt_observation r;
  r.attempt = attempt;
  r.outcome = outcome;
  r.tried_at_ms = to_unix_ms(tried_at);
  r.retry_after = retry_after;
  r.random = random;
  return decide_delivery(policy, r);
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
