// jobwire — delivery timestamps and the freshness window (PROTOCOL.md §9).
//
// Strict by default: the timestamp header is Unix seconds written as 1 to 12 ASCII digits
// (no sign, no spaces, no fraction). The `lenient::sdk_timestamps` leniency accepts what the official
// SDK verifiers accept besides that: digits-only values of 13 or more digits are
// milliseconds, and non-numeric values are ISO-8601 date-times. Whatever the form, the
// signed text is always the header's exact text; parsing only decides freshness.
//
// The window is symmetric: |now - timestamp| <= tolerance passes, and the two ways of
// failing have distinct codes so a receiver can tell a replay from a skewed clock.
#pragma once

#include <cstdint>
#include <string_view>

#include "calendar.hpp"
#include "error.hpp"
#include "result.hpp"

namespace jobwire {

/// Default freshness tolerance in seconds (the SDKs' value).
constexpr std::int64_t default_tolerance_seconds = 300;
/// Tolerance value that disables the freshness check ("--tolerance none").
constexpr std::int64_t tolerance_none = -1;

/// Longest strict timestamp: 12 digits covers every second until the year 33658 and
/// keeps every arithmetic step far from overflow.
constexpr std::size_t max_timestamp_digits = 12;
/// Longest millisecond timestamp accepted under lenient::sdk_timestamps (same range in milliseconds).
constexpr std::size_t max_timestamp_ms_digits = 15;

enum class timestamp_form : std::uint8_t { seconds, milliseconds, iso8601 };

struct parsed_timestamp {
  std::int64_t ms = 0;  ///< milliseconds since the Unix epoch
  timestamp_form form = timestamp_form::seconds;
  /// Whole seconds (rounded towards negative infinity).
  constexpr std::int64_t seconds() const noexcept { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }
};

namespace detail {
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos]; -1 when any is not a digit.
constexpr int fixed_digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return -1;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

// ISO-8601 / RFC 3339 date-time as the SDKs send and parse it:
//   YYYY-MM-DD('T'|'t'|' ')HH:MM[:SS[.fraction]](Z|z|+HH:MM|-HH:MM|+HHMM|-HHMM)
// A zone designator is required: without one the SDKs fall back to the host's local
// time zone, which jobwire (sans-I/O, no clock, no zone database) cannot know.
inline result<std::int64_t> parse_sdk_iso8601_ms(std::string_view s) noexcept {
  const int year = fixed_digits(s, 0, 4);
  if (year < 0 || s.size() < 16 || s[4] != '-' || s[7] != '-') return errc::malformed_timestamp;
  const int month = fixed_digits(s, 5, 2);
  const int day = fixed_digits(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > static_cast<int>(days_in_month(year, static_cast<unsigned>(month))))
    return errc::malformed_timestamp;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return errc::malformed_timestamp;
  const int hour = fixed_digits(s, 11, 2);
  const int minute = fixed_digits(s, 14, 2);
  if (hour < 0 || hour > 23 || s[13] != ':' || minute < 0 || minute > 59) return errc::malformed_timestamp;
  std::size_t pos = 16;
  int second = 0;
  int millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    second = fixed_digits(s, pos + 1, 2);
    if (second < 0 || second > 59) return errc::malformed_timestamp;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::size_t digits = 0;
      while (pos < s.size() && is_digit(s[pos])) {
        // Milliseconds are the SDKs' resolution; further digits are truncated.
        if (digits < 3) millis = millis * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return errc::malformed_timestamp;
      for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
  }
  if (pos >= s.size()) return errc::malformed_timestamp;  // no zone designator
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    const int oh = fixed_digits(s, pos + 1, 2);
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    const int om = fixed_digits(s, mpos, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return errc::malformed_timestamp;
    offset_minutes = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return errc::malformed_timestamp;
  }
  if (pos != s.size()) return errc::malformed_timestamp;
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000 + millis;
}
}  // namespace detail

/// Parses the timestamp header's text. Strict: 1..12 digits of Unix seconds. With
/// `sdk_compat` (what `lenient::sdk_timestamps` sets in the options structs): also 13..15
/// digits of milliseconds, and ISO-8601 date-times with a zone.
/// Anything else is `malformed_timestamp`.
inline result<parsed_timestamp> parse_timestamp(std::string_view text, bool sdk_compat = false) noexcept {
  if (text.empty()) return errc::malformed_timestamp;
  // One pass: the digit check and the value together. The accumulator is unsigned so a
  // longer run of digits wraps harmlessly; its value is only used for at most 15 digits.
  std::uint64_t acc = 0;
  std::size_t i = 0;
  while (i < text.size() && detail::is_digit(text[i])) {
    acc = acc * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == text.size()) {
    const bool is_ms = text.size() > max_timestamp_digits;
    if (is_ms && (!sdk_compat || text.size() > max_timestamp_ms_digits)) return errc::malformed_timestamp;
    const auto v = static_cast<std::int64_t>(acc);  // at most 15 digits: exact
    if (is_ms) return parsed_timestamp{v, timestamp_form::milliseconds};
    return parsed_timestamp{v * 1000, timestamp_form::seconds};
  }
  if (!sdk_compat) return errc::malformed_timestamp;
  auto ms = detail::parse_sdk_iso8601_ms(text);
  if (!ms) return ms.error();
  return parsed_timestamp{*ms, timestamp_form::iso8601};
}

/// The freshness rule: passes when |now - timestamp| <= tolerance (both ends inclusive);
/// `timestamp_too_old` / `timestamp_too_new` otherwise. A tolerance of `tolerance_none`
/// skips the check; any other negative tolerance is `invalid_argument`.
/// `now_seconds` comes from the host: jobwire never reads a clock.
inline void_result check_freshness(const parsed_timestamp& ts, std::int64_t now_seconds,
                                   std::int64_t tolerance_seconds = default_tolerance_seconds) noexcept {
  if (tolerance_seconds == tolerance_none) return {};
  if (tolerance_seconds < 0) return errc::invalid_argument;
  // Compared in milliseconds so that millisecond and ISO forms keep their precision, as in
  // the SDKs; all operands are bounded (≤ 15 digits), so nothing overflows.
  constexpr std::int64_t bound = 1'000'000'000'000'000;  // 1e15 ms
  if (now_seconds > bound / 1000 || now_seconds < -bound / 1000 || tolerance_seconds > bound / 1000)
    return errc::invalid_argument;
  const std::int64_t diff = now_seconds * 1000 - ts.ms;
  const std::int64_t tol = tolerance_seconds * 1000;
  if (diff > tol) return errc::timestamp_too_old;
  if (diff < -tol) return errc::timestamp_too_new;
  return {};
}

}  // namespace jobwire
