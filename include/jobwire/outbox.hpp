// jobwire — the sender's durable outbox: the store interface (PROTOCOL.md §12, §16.7, §17
// "Sending").
//
// A sender that must not lose a webhook writes each delivery to an outbox in the same
// breath as the state change that caused it, and workers send from the outbox. The
// current service does this (§16.7) with one known weakness: a row left claimed by a
// crashed sender is never listed again. Here every claim is a *lease* with an expiry, so
// a killed worker's rows come back once its lease runs out, and the lease token makes a
// late writer's record fail instead of overwriting a newer one.
//
// What the store keeps, per row: the job id and delivery key (the idempotency key: a
// second enqueue of the same pair changes nothing, §16.7), the endpoint URL, an opaque
// payload (what the worker needs to build the request; the store never reads it), the
// number of attempts recorded, the state and the time the row is next due. Per endpoint:
// the consecutive-failure streak, a throttle time and a disabled flag (§17: 410 disables
// an endpoint at once, a long failure streak disables it, 429/502/504 throttle it).
//
// Nothing here sends, sleeps or reads a clock: the worker leases rows, sends, asks the
// retry rules (retry.hpp) what the outcome means, and records the verdict. Stores are
// template parameters checked by `is_outbox_store<S>` (nothing virtual), as the dedup
// stores are (dedup.hpp). Implementations: memory (tests, one process), SQLite (the
// embedded default) and PostgreSQL (many workers on many machines).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.hpp"
#include "job.hpp"
#include "result.hpp"
#include "retry.hpp"  // endpoint_effect
#include "unix_time.hpp"

namespace jobwire {

// --- bounds -----------------------------------------------------------------------------------

/// A job id and a delivery key are those of the protocol (§2, §11): the bound *is* the
/// job id's, one constant (job.hpp), so every job id the parser accepts can be enqueued.
constexpr std::size_t outbox_max_id_bytes = max_job_id_length;
/// An endpoint URL: as callback_url.hpp bounds it.
constexpr std::size_t outbox_max_url_bytes = 2048;
/// The opaque payload: a delivery body plus what the worker needs to rebuild it.
constexpr std::size_t outbox_max_payload_bytes = 1024 * 1024;
/// The last error text kept per row (a longer one is cut at a UTF-8 boundary).
constexpr std::size_t outbox_max_error_bytes = 512;
/// The most rows one `lease` call hands out.
constexpr std::size_t outbox_max_lease_batch = 1000;
/// Leases are 1 ms .. 1 hour: long enough for a 120 s request (§12), short enough that a
/// killed worker's rows return the same hour.
constexpr std::chrono::milliseconds outbox_max_lease{3600 * 1000};

// --- states -------------------------------------------------------------------------------------

/// Where a row stands. `pending`: never attempted, due now. `scheduled_retry`: attempted,
/// due at `due_at`. The two terminal states are those of the ledger (§10, §12). A lease is
/// not a state: a leased row keeps its state, and its lease simply hides it from other
/// workers until the lease expires.
enum class outbox_state : std::uint8_t { pending, scheduled_retry, delivered, failed_permanently };

constexpr std::string_view outbox_state_name(outbox_state s) noexcept {
  switch (s) {
    case outbox_state::pending: return "pending";
    case outbox_state::scheduled_retry: return "scheduled_retry";
    case outbox_state::delivered: return "delivered";
    case outbox_state::failed_permanently: return "failed_permanently";
  }
  return "unknown";
}

constexpr bool is_terminal(outbox_state s) noexcept {
  return s == outbox_state::delivered || s == outbox_state::failed_permanently;
}

// --- enqueue --------------------------------------------------------------------------------------

/// One delivery to store. All views must stay valid for the call only.
struct outbox_item {
  std::string_view job_id;        ///< 1..outbox_max_id_bytes
  std::string_view delivery_key;  ///< 1..outbox_max_id_bytes
  std::string_view endpoint;      ///< 1..outbox_max_url_bytes (the host checked it, callback_url.hpp)
  std::string_view payload;       ///< 0..outbox_max_payload_bytes, opaque to the store
};

/// `inserted` false: the (job id, delivery key) pair was already in the outbox, in `state`;
/// nothing was changed (§16.7 "a duplicate insert does nothing").
struct enqueue_result {
  bool inserted = false;
  outbox_state state = outbox_state::pending;
};

// --- leases ---------------------------------------------------------------------------------------

/// 16 random bytes naming one lease of one row; a record or extend with another token is
/// refused (`claim_lost`).
struct outbox_lease_token {
  std::array<unsigned char, 16> bytes{};
  friend bool operator==(const outbox_lease_token& a, const outbox_lease_token& b) noexcept {
    return a.bytes == b.bytes;
  }
  friend bool operator!=(const outbox_lease_token& a, const outbox_lease_token& b) noexcept { return !(a == b); }
};

/// A row handed to one worker until `lease_expires_at_ms`. Owns its strings (the worker
/// sends long after the store's buffers are gone).
struct outbox_lease {
  std::int64_t row_id = 0;  ///< the store's id of the row (stable, unique per store)
  std::string job_id;
  std::string delivery_key;
  std::string endpoint;
  std::string payload;
  outbox_state state = outbox_state::pending;  ///< pending or scheduled_retry
  unsigned attempt = 1;                        ///< the attempt to make: attempts recorded + 1
  std::int64_t enqueued_at_ms = 0;
  std::int64_t due_at_ms = 0;  ///< when the row became due (its age is now − due_at)
  std::int64_t lease_expires_at_ms = 0;
  /// The row was leased before and that lease expired with nothing recorded: a worker died
  /// (or stalled) holding it, possibly after sending. Counted as a lease takeover.
  bool taken_over = false;
  /// The endpoint's consecutive-failure streak when the row was leased (informative; the
  /// store applies the streak rule atomically in `record`).
  unsigned endpoint_failure_streak = 0;
  outbox_lease_token token;
};

// --- recording an attempt ---------------------------------------------------------------------

// `endpoint_effect` (none, success, failure, throttle, disable) is the retry rules' word
// for what an attempt does to its endpoint: retry.hpp.

/// The verdict on one leased row, as the retry rules (retry.hpp) gave it.
struct outbox_record {
  outbox_state state = outbox_state::failed_permanently;  ///< scheduled_retry, delivered or failed_permanently
  std::int64_t next_attempt_at_ms = 0;                    ///< scheduled_retry only: when the row is due again
  std::int64_t tried_at_ms = 0;                           ///< when the attempt was made
  int http_status = 0;                                    ///< 0: no response (timeout, network error)
  std::string_view error;                                 ///< empty on success; cut to outbox_max_error_bytes
  endpoint_effect effect = endpoint_effect::none;
  std::int64_t throttle_until_ms = 0;  ///< throttle only: no row of the endpoint is leased before this
  /// failure/throttle: the endpoint is disabled when its streak, after this attempt, reaches
  /// this many consecutive failures (0: never by streak).
  unsigned disable_after_failures = 0;
};

/// What `record` did beyond the row.
struct outbox_record_result {
  unsigned endpoint_failure_streak = 0;  ///< after this attempt
  /// This record disabled the endpoint (410, or the streak reached its limit): the event a
  /// host alerts on. Every other pending or scheduled row of the endpoint was failed
  /// permanently in the same transaction, `rows_failed_by_disable` of them.
  bool endpoint_disabled_now = false;
  std::size_t rows_failed_by_disable = 0;
};

// --- reporting ---------------------------------------------------------------------------------

/// The outbox at `now` (the CLI's `outbox status`, the worker's gauges).
struct outbox_counts {
  std::uint64_t pending = 0;          ///< never attempted (leased or not)
  std::uint64_t scheduled_retry = 0;  ///< attempted, waiting for their next attempt (leased or not)
  std::uint64_t leased = 0;           ///< of the two above, those under a live lease
  std::uint64_t delivered = 0;
  std::uint64_t failed_permanently = 0;
  std::uint64_t endpoints_disabled = 0;
  /// The age of the oldest row that is due and not leased (now − due_at), 0 when none: the
  /// "oldest pending age" an operator alerts on.
  std::int64_t oldest_due_age_ms = 0;
};

/// One endpoint as the store sees it.
struct outbox_endpoint_status {
  unsigned failure_streak = 0;
  std::int64_t throttle_until_ms = 0;
  bool disabled = false;
};

// --- the interface --------------------------------------------------------------------------------

/// A type S is an outbox store when, for s an S&, item a const outbox_item&, l a const
/// outbox_lease&, r a const outbox_record&, now a unix_time, d a std::chrono::milliseconds,
/// out a std::vector<outbox_lease>& and url a std::string_view:
///
///   s.enqueue(item, now) -> result<enqueue_result>
///       Stores the item as `pending`, due now, unless its (job id, delivery key) pair is
///       already there. `invalid_argument` for an item outside the bounds above.
///       An item for a disabled endpoint is stored as `failed_permanently` at once
///       (`inserted` true, `state` failed_permanently): nothing will send it.
///   s.lease(worker, now, d, max, out) -> result<std::size_t>
///       Appends to `out` up to `max` rows (1..outbox_max_lease_batch) that are due
///       (pending or scheduled_retry with due_at ≤ now), not under a live lease, and whose
///       endpoint is neither disabled nor throttled past `now`; oldest due first. Each is
///       leased to the caller until now + d (1 ms..outbox_max_lease) under a fresh token.
///       Returns how many were appended. Rows under a live lease of another worker are
///       skipped, never waited for (FOR UPDATE SKIP LOCKED on PostgreSQL).
///       `worker` (1..outbox_max_id_bytes) names the holder for diagnostics.
///   s.extend(l, now, d) -> void_result
///       Moves the lease's expiry to now + d if the row is still leased under l.token;
///       otherwise `claim_lost`.
///   s.record(l, r, now) -> result<outbox_record_result>
///       Writes the verdict if the row is still leased under l.token (an expired lease that
///       nobody took over still counts as held); otherwise `claim_lost` and nothing changes.
///       The row's attempt count becomes l.attempt; the lease ends. The endpoint effect is
///       applied in the same transaction (apply_endpoint_effect). When it disables the
///       endpoint, the endpoint's other pending and scheduled rows (leased or not) are failed
///       permanently, and so is this row if the verdict was scheduled_retry: nothing would
///       lease a retry on a disabled endpoint. `invalid_argument` for a state or time that
///       does not fit (scheduled_retry without a next attempt time, pending as a verdict, …).
///   s.release(l) -> void_result
///       Gives the row back unattempted (graceful shutdown before sending); `claim_lost`
///       if no longer held.
///   s.counts(now) -> result<outbox_counts>
///   s.endpoint(url) -> result<outbox_endpoint_status>   (an unknown endpoint: all zero)
///   s.enable_endpoint(url) -> void_result
///       Clears the disabled flag, the streak and the throttle. Rows failed by the disable
///       stay failed; the host enqueues anew (a new delivery key, or after deleting the row).
///
/// All return `store_unavailable` when the database cannot be reached (transient: the
/// worker backs off and tries again) and `store_error` for other backend failures.
/// Beyond the trait, every jobwire store also has `purge(before, max) -> result<size_t>`
/// (removes terminal rows that ended before `before`) — see docs/OUTBOX.md.
template <class S, class = void>
struct is_outbox_store : std::false_type {};

template <class S>
struct is_outbox_store<
    S, std::void_t<decltype(std::declval<S&>().enqueue(std::declval<const outbox_item&>(), std::declval<unix_time>())),
                   decltype(std::declval<S&>().lease(std::declval<std::string_view>(), std::declval<unix_time>(),
                                                     std::declval<std::chrono::milliseconds>(),
                                                     std::declval<std::size_t>(),
                                                     std::declval<std::vector<outbox_lease>&>())),
                   decltype(std::declval<S&>().extend(std::declval<const outbox_lease&>(), std::declval<unix_time>(),
                                                      std::declval<std::chrono::milliseconds>())),
                   decltype(std::declval<S&>().record(std::declval<const outbox_lease&>(),
                                                      std::declval<const outbox_record&>(), std::declval<unix_time>())),
                   decltype(std::declval<S&>().release(std::declval<const outbox_lease&>())),
                   decltype(std::declval<S&>().counts(std::declval<unix_time>())),
                   decltype(std::declval<S&>().endpoint(std::declval<std::string_view>())),
                   decltype(std::declval<S&>().enable_endpoint(std::declval<std::string_view>()))>>
    : std::integral_constant<
          bool, std::is_same<decltype(std::declval<S&>().enqueue(std::declval<const outbox_item&>(),
                                                                 std::declval<unix_time>())),
                             result<enqueue_result>>::value &&
                    std::is_same<decltype(std::declval<S&>().lease(
                                     std::declval<std::string_view>(), std::declval<unix_time>(),
                                     std::declval<std::chrono::milliseconds>(), std::declval<std::size_t>(),
                                     std::declval<std::vector<outbox_lease>&>())),
                                 result<std::size_t>>::value &&
                    std::is_same<decltype(std::declval<S&>().record(std::declval<const outbox_lease&>(),
                                                                    std::declval<const outbox_record&>(),
                                                                    std::declval<unix_time>())),
                                 result<outbox_record_result>>::value &&
                    std::is_same<decltype(std::declval<S&>().counts(std::declval<unix_time>())),
                                 result<outbox_counts>>::value> {};

template <class S>
constexpr bool is_outbox_store_v = is_outbox_store<S>::value;

/// `static_assert(jobwire::require_outbox_store<S>())` in code templated on a store.
template <class S>
constexpr bool require_outbox_store() noexcept {
  static_assert(is_outbox_store_v<S>,
                "S is not an outbox store: it needs enqueue, lease, extend, record, release, counts, endpoint and "
                "enable_endpoint with the signatures listed in outbox.hpp");
  return true;
}

// --- shared checks (one rule per bound, used by every implementation) ------------------------------

/// The bounds of an item; `invalid_argument` when one is outside.
[[nodiscard]] inline void_result check_outbox_item(const outbox_item& item) noexcept {
  if (item.job_id.empty() || item.job_id.size() > outbox_max_id_bytes) return errc::invalid_argument;
  if (item.delivery_key.empty() || item.delivery_key.size() > outbox_max_id_bytes) return errc::invalid_argument;
  if (item.endpoint.empty() || item.endpoint.size() > outbox_max_url_bytes) return errc::invalid_argument;
  if (item.payload.size() > outbox_max_payload_bytes) return errc::invalid_argument;
  return {};
}

/// A lease request's bounds.
[[nodiscard]] inline void_result check_outbox_lease_request(std::string_view worker, std::chrono::milliseconds d,
                                                            std::size_t max) noexcept {
  if (worker.empty() || worker.size() > outbox_max_id_bytes) return errc::invalid_argument;
  if (d.count() < 1 || d > outbox_max_lease) return errc::invalid_argument;
  if (max < 1 || max > outbox_max_lease_batch) return errc::invalid_argument;
  return {};
}

/// A verdict's consistency: a terminal or scheduled state (never `pending`), a next attempt
/// time exactly for scheduled_retry (and not before the attempt), a throttle time exactly
/// for `throttle`, an HTTP status 0 or 100..599.
[[nodiscard]] inline void_result check_outbox_record(const outbox_record& r) noexcept {
  if (r.state == outbox_state::pending) return errc::invalid_argument;
  if ((r.state == outbox_state::scheduled_retry) != (r.next_attempt_at_ms > 0)) return errc::invalid_argument;
  if (r.state == outbox_state::scheduled_retry && r.next_attempt_at_ms < r.tried_at_ms) return errc::invalid_argument;
  if ((r.effect == endpoint_effect::throttle) != (r.throttle_until_ms > 0)) return errc::invalid_argument;
  if (r.http_status != 0 && (r.http_status < 100 || r.http_status > 599)) return errc::invalid_argument;
  if (r.tried_at_ms < 0) return errc::invalid_argument;
  return {};
}

/// The endpoint rule of §17 "Sending", in one place: what attempt `r` does to the state
/// `ep` of its endpoint (every store applies it inside the transaction that records the
/// attempt). success restarts the streak; failure and throttle add one to it (a throttle
/// also holds the endpoint until the later of the two throttle times, never shortening
/// a hold); disable, or a streak reaching `r.disable_after_failures`, disables it.
/// Returns true when this attempt disables an endpoint that was not disabled before: the
/// store then fails the endpoint's other non-terminal rows.
inline bool apply_endpoint_effect(outbox_endpoint_status& ep, const outbox_record& r) noexcept {
  bool disable = false;
  switch (r.effect) {
    case endpoint_effect::none: return false;
    case endpoint_effect::success: ep.failure_streak = 0; return false;
    case endpoint_effect::throttle:
      if (r.throttle_until_ms > ep.throttle_until_ms) ep.throttle_until_ms = r.throttle_until_ms;
      [[fallthrough]];
    case endpoint_effect::failure:
      if (ep.failure_streak < 0xffffffffu) ++ep.failure_streak;
      disable = r.disable_after_failures > 0 && ep.failure_streak >= r.disable_after_failures;
      break;
    case endpoint_effect::disable: disable = true; break;
  }
  if (!disable || ep.disabled) return false;
  ep.disabled = true;
  return true;
}

/// `error` cut to outbox_max_error_bytes without splitting a UTF-8 sequence.
inline std::string_view outbox_error_text(std::string_view error) noexcept {
  if (error.size() <= outbox_max_error_bytes) return error;
  std::size_t n = outbox_max_error_bytes;
  while (n > 0 && (static_cast<unsigned char>(error[n]) & 0xC0u) == 0x80u) --n;  // back off continuation bytes
  return error.substr(0, n);
}

}  // namespace jobwire
