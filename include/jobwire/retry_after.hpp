// jobwire — the `Retry-After` response field (RFC 9110 §10.2.3) and the HTTP-date it may
// carry (RFC 9110 §5.6.7), read by a sender that honours a receiver's request to wait
// (PROTOCOL.md §17 "Sending").
//
// A receiver that answers 429 or 503 may say when to come back, either as a number of
// seconds or as a date. The field comes from a server the sender does not control, so
// this parser is strict and total: it never throws, never reads past the text, never
// overflows (a delay of a thousand digits saturates), and anything that is not exactly
// one of the grammar's forms is `invalid_retry_after` — which the retry rules (retry.hpp)
// report and otherwise ignore, so a hostile header can neither crash a sender nor move a
// retry to the year 9999 (the rules also cap what they honour).
//
// Forms (RFC 9110 §5.6.7: a recipient parses all three, a sender sends only the first):
//   delay-seconds   `120`                              (1*DIGIT)
//   IMF-fixdate     `Sun, 06 Nov 1994 08:49:37 GMT`
//   rfc850-date     `Sunday, 06-Nov-94 08:49:37 GMT`   (obsolete: two-digit year)
//   asctime-date    `Sun Nov  6 08:49:37 1994`         (obsolete: no zone, GMT implied)
// Day and month names are case-sensitive (the grammar spells them as case-sensitive
// strings), a day of the week that disagrees with the date is malformed (the text is
// inconsistent, and nothing says which half is wrong), the second may be 60 (a leap
// second: Unix time has none, so 23:59:60 reads as the next day's 00:00:00). Optional
// whitespace (spaces, tabs) around the field value is removed, as for any field value
// (RFC 9110 §5.5); inside it, the separators are exactly those of the grammar.
#pragma once

#include <cstdint>
#include <string_view>

#include "calendar.hpp"
#include "error.hpp"
#include "result.hpp"

namespace jobwire {

/// A delay-seconds value above this reads as this (about 31700 years): far beyond any cap a
/// sender applies, small enough that adding it to a time in milliseconds cannot overflow.
constexpr std::int64_t retry_after_saturation_seconds = 1'000'000'000'000LL;

namespace detail {

constexpr bool http_date_digits(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

/// Day names as RFC 9110 spells them, Sunday first (the weekday of Unix day d is (d + 4) % 7).
constexpr std::string_view http_day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view http_day_names_long[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                     "Thursday", "Friday", "Saturday"};
constexpr std::string_view http_month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr int http_day_index(std::string_view name, const std::string_view (&names)[7]) noexcept {
  for (int i = 0; i < 7; ++i)
    if (names[i] == name) return i;
  return -1;
}

/// `Nov` at `at` → 11; 0 when no month name is there.
constexpr unsigned http_month_at(std::string_view s, std::size_t at) noexcept {
  if (at + 3 > s.size()) return 0;
  for (unsigned i = 0; i < 12; ++i)
    if (s.substr(at, 3) == http_month_names[i]) return i + 1;
  return 0;
}

/// `HH:MM:SS` at `at` → seconds of the day (00:00:00 .. 23:59:60); -1 when malformed.
constexpr std::int64_t http_time_of_day_at(std::string_view s, std::size_t at) noexcept {
  int h = 0, m = 0, sec = 0;
  if (at + 8 > s.size() || s[at + 2] != ':' || s[at + 5] != ':') return -1;
  if (!http_date_digits(s, at, 2, h) || !http_date_digits(s, at + 3, 2, m) || !http_date_digits(s, at + 6, 2, sec))
    return -1;
  if (h > 23 || m > 59 || sec > 60) return -1;
  return h * 3600LL + m * 60LL + sec;
}

/// Unix seconds of a validated calendar date and time, checking the named weekday.
inline result<std::int64_t> http_date_seconds(std::int64_t year, unsigned month, int day, int weekday,
                                              std::int64_t time_of_day) noexcept {
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month))
    return errc::invalid_retry_after;
  const std::int64_t days = days_from_civil(year, month, static_cast<unsigned>(day));
  const std::int64_t actual_weekday = ((days + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  if (actual_weekday != weekday) return errc::invalid_retry_after;
  return days * 86400 + time_of_day;
}

}  // namespace detail

/// Parses an HTTP-date in any of its three forms (see the top of this file) into Unix
/// seconds. `now_seconds` (Unix seconds) resolves the two-digit year of an rfc850-date:
/// RFC 9110 §5.6.7 reads a year that appears more than 50 years in the future as the most
/// recent past year with the same last two digits. Surrounding spaces and tabs are allowed.
/// Anything else is `invalid_retry_after`.
inline result<std::int64_t> parse_http_date(std::string_view text, std::int64_t now_seconds) noexcept {
  using namespace detail;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  int day = 0, year = 0;
  if (text.size() == 29 && text[3] == ',') {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    const int wd = http_day_index(text.substr(0, 3), http_day_names);
    const unsigned month = http_month_at(text, 8);
    const std::int64_t tod = http_time_of_day_at(text, 17);
    if (wd < 0 || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[25] != ' ' ||
        text.substr(26) != "GMT" || !http_date_digits(text, 5, 2, day) || month == 0 ||
        !http_date_digits(text, 12, 4, year) || tod < 0)
      return errc::invalid_retry_after;
    return http_date_seconds(year, month, day, wd, tod);
  }
  if (text.size() == 24 && text[3] == ' ') {
    // asctime-date: Sun Nov  6 08:49:37 1994 (the day is two digits or a space and a digit)
    const int wd = http_day_index(text.substr(0, 3), http_day_names);
    const unsigned month = http_month_at(text, 4);
    const std::int64_t tod = http_time_of_day_at(text, 11);
    const bool day_ok = text[8] == ' ' ? http_date_digits(text, 9, 1, day) : http_date_digits(text, 8, 2, day);
    if (wd < 0 || month == 0 || text[7] != ' ' || !day_ok || text[10] != ' ' || tod < 0 || text[19] != ' ' ||
        !http_date_digits(text, 20, 4, year))
      return errc::invalid_retry_after;
    return http_date_seconds(year, month, day, wd, tod);
  }
  // rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT (a full day name, then 24 fixed characters)
  const std::size_t comma = text.find(',');
  if (comma == std::string_view::npos || text.size() != comma + 24) return errc::invalid_retry_after;
  const int wd = http_day_index(text.substr(0, comma), http_day_names_long);
  const std::size_t at = comma + 2;  // the day
  const unsigned month = http_month_at(text, at + 3);
  const std::int64_t tod = http_time_of_day_at(text, at + 10);
  int yy = 0;
  if (wd < 0 || text[comma + 1] != ' ' || !http_date_digits(text, at, 2, day) || text[at + 2] != '-' || month == 0 ||
      text[at + 6] != '-' || !http_date_digits(text, at + 7, 2, yy) || text[at + 9] != ' ' || tod < 0 ||
      text[at + 18] != ' ' || text.substr(at + 19) != "GMT")
    return errc::invalid_retry_after;
  // The two-digit year: this century's, unless that is more than 50 years ahead of now.
  std::int64_t now_year = 0;
  unsigned now_month = 0, now_day = 0;
  civil_from_days(now_seconds >= 0 ? now_seconds / 86400 : -((-now_seconds + 86399) / 86400), now_year, now_month,
                  now_day);
  std::int64_t full_year = now_year - ((now_year % 100) + 100) % 100 + yy;
  if (full_year > now_year + 50) full_year -= 100;
  return http_date_seconds(full_year, month, day, wd, tod);
}

/// Which form a Retry-After value had.
enum class retry_after_form : std::uint8_t { delay_seconds, http_date };

/// A parsed Retry-After, resolved against the time of the response.
struct retry_after {
  retry_after_form form = retry_after_form::delay_seconds;
  /// How long to wait from the response, in milliseconds: the delay-seconds (saturated at
  /// retry_after_saturation_seconds), or the date minus now — 0 for a date in the past
  /// (RFC 9110: come back now).
  std::int64_t wait_ms = 0;
  /// http_date only: the date as Unix seconds (may be before now).
  std::int64_t date_seconds = 0;
  /// http_date only: the date was before the response (`wait_ms` is then 0).
  bool in_past = false;
};

/// Parses a Retry-After field value received at `now_ms` (Unix milliseconds). Errors:
/// `invalid_retry_after` for anything but delay-seconds or an HTTP-date (an empty value,
/// a sign, a fraction, `Retry-After: soon`, a date with a wrong weekday, …).
inline result<retry_after> parse_retry_after(std::string_view field, std::int64_t now_ms) noexcept {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.empty()) return errc::invalid_retry_after;
  retry_after r;
  if (field.front() >= '0' && field.front() <= '9') {
    std::int64_t seconds = 0;
    for (char c : field) {
      if (c < '0' || c > '9') return errc::invalid_retry_after;
      seconds =
          seconds >= retry_after_saturation_seconds / 10 ? retry_after_saturation_seconds : seconds * 10 + (c - '0');
    }
    if (seconds > retry_after_saturation_seconds) seconds = retry_after_saturation_seconds;
    r.form = retry_after_form::delay_seconds;
    r.wait_ms = seconds * 1000;
    return r;
  }
  // A time this far from 1970 is no clock reading; clamping it keeps every sum below in
  // range (the dates themselves are years 0000..9999, or near `now` for rfc850-date).
  constexpr std::int64_t bound_ms = retry_after_saturation_seconds * 1000;
  now_ms = now_ms < -bound_ms ? -bound_ms : now_ms > bound_ms ? bound_ms : now_ms;
  const std::int64_t now_seconds = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
  auto date = parse_http_date(field, now_seconds);
  if (!date) return date.error();
  r.form = retry_after_form::http_date;
  r.date_seconds = *date;
  const std::int64_t date_ms = *date * 1000;
  r.in_past = date_ms < now_ms;
  r.wait_ms = date_ms > now_ms ? date_ms - now_ms : 0;
  if (r.wait_ms > bound_ms) r.wait_ms = bound_ms;
  return r;
}

}  // namespace jobwire
