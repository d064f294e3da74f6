// jobwire — the one Unix-time type of the API (PROTOCOL.md §9, §10, §12).
//
// The host passes "now" (jobwire never reads a clock), and the sides of the protocol count
// time differently on the wire: the timestamp header in seconds, the ledger's ISO-8601
// times and the retry schedule in milliseconds, the dedup stores' leases in milliseconds.
// `unix_time` is what the API takes for all of them — a `std::chrono` time point of
// whole milliseconds on the system clock (Unix epoch, UTC, no leap seconds) — so a host
// reads its clock once and hands the same value to verification, the receiver, the
// stores and the sender; each converts to the unit its wire form needs, here, once.
// Seconds are taken by flooring (a request at 12.999 s is at 12 s, as the header's
// integer seconds say).
#pragma once

#include <chrono>
#include <cstdint>

namespace jobwire {

/// Unix time in milliseconds.
using unix_time = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// From Unix milliseconds.
constexpr unix_time unix_time_from_ms(std::int64_t ms) noexcept { return unix_time{std::chrono::milliseconds{ms}}; }
/// From Unix seconds (|seconds| ≤ 9e15, far beyond any date the protocol can carry).
constexpr unix_time unix_time_from_seconds(std::int64_t seconds) noexcept {
  return unix_time{std::chrono::milliseconds{seconds * 1000}};
}
/// From a host clock reading of any precision (floored to the millisecond), e.g.
/// `to_unix_time(std::chrono::system_clock::now())`.
template <class Duration>
constexpr unix_time to_unix_time(std::chrono::time_point<std::chrono::system_clock, Duration> t) noexcept {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

/// Unix milliseconds of `t` (the ledger, the retry schedule, the SQL stores).
constexpr std::int64_t to_unix_ms(unix_time t) noexcept { return t.time_since_epoch().count(); }
/// Unix seconds of `t`, floored (the timestamp header, freshness).
constexpr std::int64_t to_unix_seconds(unix_time t) noexcept {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

}  // namespace jobwire
