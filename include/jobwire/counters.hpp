// jobwire — the statistics both sides share (PROTOCOL.md §14): a dense index of the error
// codes, counters that are plain or atomic, and the receiver's decisions and counters.
//
// This sits below the sender (ledger.hpp, retry.hpp, monitor.hpp) and the receiver
// (receiver.hpp): the receiver records into these counters without pulling in the
// sender's code; monitor.hpp adds the sender's counters, job health and the exposition.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "error.hpp"

namespace jobwire {

/// Dense index of every error code (0..error_code_count-1), so that per-reason counters
/// are a plain array.
constexpr std::size_t error_code_count = 0
#define JOBWIRE_X_COUNT(n, id, msg) +1
    JOBWIRE_ERROR_CODES(JOBWIRE_X_COUNT)
#undef JOBWIRE_X_COUNT
    ;

constexpr std::size_t error_index(errc c) noexcept {
  std::size_t i = 0;
#define JOBWIRE_X_INDEX(n, id, msg) \
  if (c == errc::n) return i;       \
  ++i;
  JOBWIRE_ERROR_CODES(JOBWIRE_X_INDEX)
#undef JOBWIRE_X_INDEX
  return error_code_count;
}

constexpr errc error_at_index(std::size_t index) noexcept {
  std::size_t i = 0;
#define JOBWIRE_X_AT(n, id, msg)  \
  if (i == index) return errc::n; \
  ++i;
  JOBWIRE_ERROR_CODES(JOBWIRE_X_AT)
#undef JOBWIRE_X_AT
  return errc::internal_error;
}

namespace detail {
inline void counter_add(std::uint64_t& c, std::uint64_t n) noexcept { c += n; }
// Relaxed: counters are independent statistics; no other memory is published through them.
inline void counter_add(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
  c.fetch_add(n, std::memory_order_relaxed);
}
inline std::uint64_t counter_load(const std::uint64_t& c) noexcept { return c; }
inline std::uint64_t counter_load(const std::atomic<std::uint64_t>& c) noexcept {
  return c.load(std::memory_order_relaxed);
}
}  // namespace detail

/// What a receiver decided for one delivery; the vocabulary of `jobwire receive`
/// (docs/CLI.md) and the `action` label of `jobwire_receiver_deliveries_total`.
enum class receiver_decision : std::uint8_t { process, duplicate, in_flight, ignore_stale, no_change, refetch, reject };
constexpr std::size_t receiver_decision_count = 7;

constexpr std::string_view receiver_decision_name(receiver_decision d) noexcept {
  switch (d) {
    case receiver_decision::process: return "process";
    case receiver_decision::duplicate: return "duplicate";
    case receiver_decision::in_flight: return "in_flight";
    case receiver_decision::ignore_stale: return "ignore_stale";
    case receiver_decision::no_change: return "no_change";
    case receiver_decision::refetch: return "refetch";
    case receiver_decision::reject: return "reject";
  }
  return "unknown";
}

/// Receiver-side counters (same `Counter` choice as the sender's).
template <class Counter>
struct basic_receiver_counters {
  Counter decisions[receiver_decision_count]{};  ///< by `receiver_decision` (process = accepted)
  Counter rejections[error_code_count]{};        ///< by reason code, index `error_index(code)`
  Counter retries_seen{};                        ///< deliveries whose attempt header was > 1

  /// One delivery: its decision, the attempt number it carried (0 when unknown) and, for a
  /// rejection, the reason.
  void record(receiver_decision d, unsigned attempt = 0, errc reason = errc::ok) noexcept {
    detail::counter_add(decisions[static_cast<std::size_t>(d)], 1);
    if (attempt > 1) detail::counter_add(retries_seen, 1);
    if (d == receiver_decision::reject && reason != errc::ok) {
      const std::size_t i = error_index(reason);
      if (i < error_code_count) detail::counter_add(rejections[i], 1);
    }
  }

  std::uint64_t count(receiver_decision d) const noexcept {
    return detail::counter_load(decisions[static_cast<std::size_t>(d)]);
  }
  std::uint64_t rejected_for(errc reason) const noexcept {
    const std::size_t i = error_index(reason);
    return i < error_code_count ? detail::counter_load(rejections[i]) : 0;
  }

  basic_receiver_counters<std::uint64_t> snapshot() const noexcept {
    basic_receiver_counters<std::uint64_t> s;
    for (std::size_t i = 0; i < receiver_decision_count; ++i) s.decisions[i] = detail::counter_load(decisions[i]);
    for (std::size_t i = 0; i < error_code_count; ++i) s.rejections[i] = detail::counter_load(rejections[i]);
    s.retries_seen = detail::counter_load(retries_seen);
    return s;
  }
};
using receiver_counters = basic_receiver_counters<std::uint64_t>;
using atomic_receiver_counters = basic_receiver_counters<std::atomic<std::uint64_t>>;

}  // namespace jobwire
