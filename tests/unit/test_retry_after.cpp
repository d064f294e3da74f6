// Retry-After and HTTP-date (retry_after.hpp): RFC 9110 §10.2.3, §5.6.7; PROTOCOL.md §17.
#include <catch2/catch.hpp>

#include <cstdint>
#include <ctime>
#include <random>
#include <string>

#include <jobwire/retry_after.hpp>

using namespace jobwire;

namespace {
// RFC 9110's example instant, Sun, 06 Nov 1994 08:49:37 GMT.
constexpr std::int64_t rfc_example = 784111777;
// 2026-06-11T08:30:00Z.
constexpr std::int64_t now_s = 1781166600;

// The three forms written by the C library (an oracle independent of the parser).
std::string format(std::int64_t t, const char* fmt) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}
std::string imf(std::int64_t t) { return format(t, "%a, %d %b %Y %H:%M:%S GMT"); }
std::string rfc850(std::int64_t t) { return format(t, "%A, %d-%b-%y %H:%M:%S GMT"); }
std::string asctime_form(std::int64_t t) {
  std::string s = format(t, "%a %b %d %H:%M:%S %Y");
  if (s[8] == '0') s[8] = ' ';  // asctime pads the day with a space
  return s;
}
}  // namespace

TEST_CASE("HTTP-date: the three forms of RFC 9110's example") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now_s).value() == rfc_example);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now_s).value() == rfc_example);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994", now_s).value() == rfc_example);
  // Optional whitespace around the value.
  CHECK(parse_http_date(" \tSun, 06 Nov 1994 08:49:37 GMT \t", now_s).value() == rfc_example);
  // asctime's day may also be two digits.
  CHECK(parse_http_date("Sun Nov 06 08:49:37 1994", now_s).value() == rfc_example);
}

TEST_CASE("HTTP-date: agrees with the C library over many instants, in every form") {
  std::mt19937_64 rng(20261206);
  // 1970 .. 2069. rfc850's two-digit year read in 2026 names 1977 .. 2076, so only those
  // years round-trip in that form.
  std::uniform_int_distribution<std::int64_t> dist(0, 3155760000LL - 1);
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t t = dist(rng);
    INFO(imf(t) << " / " << rfc850(t) << " / " << asctime_form(t));
    CHECK(parse_http_date(imf(t), now_s).value() == t);
    CHECK(parse_http_date(asctime_form(t), now_s).value() == t);
    const std::string year = format(t, "%Y");
    if (year >= "1977" && year <= "2076") CHECK(parse_http_date(rfc850(t), now_s).value() == t);
  }
  // Leap days and the ends of months.
  CHECK(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT", now_s).value() == 1709251199);
  CHECK(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT", now_s).value() == 253402300799);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT", now_s).value() == 0);
  CHECK(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT", now_s).value() == -1);
}

TEST_CASE("HTTP-date: rfc850's two-digit year is never more than 50 years ahead") {
  // now = 2026: 76 → 2076 (50 years ahead: allowed), 77 → 1977.
  // 2077-01-01 written "Friday, 01-Jan-77": read as 1977, whose 1 January was a Saturday.
  CHECK(parse_http_date(rfc850(3376684800), now_s).code() == errc::invalid_retry_after);
  const std::int64_t y2076 = 3345062400;  // 2076-01-01T00:00:00Z
  CHECK(parse_http_date(rfc850(y2076), now_s).value() == y2076);
  CHECK(parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", now_s).value() == 220924800);  // 1977
  CHECK(parse_http_date("Friday, 01-Jan-77 00:00:00 GMT", now_s).code() == errc::invalid_retry_after);
  // The same text read in 1994 is 1977 too, and "26" read in 1994 is 1926.
  CHECK(parse_http_date("Friday, 01-Jan-26 00:00:00 GMT", rfc_example).value() == -1388534400);
  CHECK(parse_http_date("Thursday, 01-Jan-26 00:00:00 GMT", now_s).value() == 1767225600);
}

TEST_CASE("HTTP-date: the second may be 60 (a leap second)") {
  CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", now_s).value() == 1483228800);
  CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:61 GMT", now_s).code() == errc::invalid_retry_after);
}

TEST_CASE("HTTP-date: everything outside the grammar is invalid_retry_after") {
  const char* bad[] = {
      "",
      "GMT",
      "sun, 06 Nov 1994 08:49:37 GMT",      // day names are case-sensitive
      "Sun, 06 nov 1994 08:49:37 GMT",      // month names too
      "Sun, 06 Nov 1994 08:49:37 gmt",      //
      "Sun, 06 Nov 1994 08:49:37 UTC",      // only GMT
      "Mon, 06 Nov 1994 08:49:37 GMT",      // wrong weekday
      "Sun, 6 Nov 1994 08:49:37 GMT",       // day is two digits
      "Sun,  06 Nov 1994 08:49:37 GMT",     // one space only
      "Sun, 06 Nov 94 08:49:37 GMT",        // four-digit year
      "Sun, 06 Nov 1994 8:49:37 GMT",       //
      "Sun, 06 Nov 1994 24:00:00 GMT",      // hour 00..23
      "Sun, 06 Nov 1994 08:60:37 GMT",      // minute 00..59
      "Sun, 06 Nov 1994 08:49 GMT",         //
      "Thu, 31 Nov 1994 08:49:37 GMT",      // no such day
      "Tue, 29 Feb 2022 08:49:37 GMT",      // not a leap year
      "Sun, 00 Nov 1994 08:49:37 GMT",      //
      "Sun, 06 Nov 1994 08:49:37 GMT+1",    //
      "Sun, 06 Nov 1994 08:49:37 +0000",    //
      "Sun, 06 Nov 1994T08:49:37 GMT",      //
      "1994-11-06T08:49:37Z",               // ISO 8601 is not an HTTP-date
      "Sun, 06-Nov-94 08:49:37 GMT",        // rfc850 needs the full day name
      "Sunday, 06-Nov-1994 08:49:37 GMT",   //
      "Sunday, 06 Nov 94 08:49:37 GMT",     //
      "Sonntag, 06-Nov-94 08:49:37 GMT",    //
      "Sun Nov 6 08:49:37 1994",            // asctime pads with a space
      "Sun Nov  6 08:49:37 1994 GMT",       //
      "Sun Nov  6 08:49:37 94",             //
      "Sun, 06 Nov 1994 08:49:37 GMT, x",   // a list (the field appeared twice)
      "Sun,\t06 Nov 1994 08:49:37 GMT",     //
      "Sun, 06 Nov 1994 08:49:37 GMT\r\n",  //
      "Sun, 06 Nov -994 08:49:37 GMT",      //
  };
  for (const char* s : bad) {
    INFO("'" << s << "'");
    CHECK(parse_http_date(s, now_s).code() == errc::invalid_retry_after);
  }
}

TEST_CASE("Retry-After: delay-seconds") {
  const std::int64_t now_ms = now_s * 1000 + 250;
  auto r = parse_retry_after("120", now_ms);
  REQUIRE(r);
  CHECK(r->form == retry_after_form::delay_seconds);
  CHECK(r->wait_ms == 120000);
  CHECK_FALSE(r->in_past);
  CHECK(parse_retry_after("0", now_ms)->wait_ms == 0);
  CHECK(parse_retry_after("  007\t", now_ms)->wait_ms == 7000);
  // A huge value saturates instead of overflowing.
  CHECK(parse_retry_after("99999999999999999999999999999999999999", now_ms)->wait_ms ==
        retry_after_saturation_seconds * 1000);
  CHECK(parse_retry_after(std::string(10000, '9'), now_ms)->wait_ms == retry_after_saturation_seconds * 1000);
  CHECK(parse_retry_after(std::to_string(retry_after_saturation_seconds - 1), now_ms)->wait_ms ==
        (retry_after_saturation_seconds - 1) * 1000);
  for (const char* s : {"", "  ", "-1", "+5", "1.5", "1e3", "12 s", "0x10", "120,", "soon", "１２"}) {
    INFO("'" << s << "'");
    CHECK(parse_retry_after(s, now_ms).code() == errc::invalid_retry_after);
  }
}

TEST_CASE("Retry-After: an HTTP-date counts from the time of the response") {
  const std::int64_t now_ms = now_s * 1000 + 250;
  auto r = parse_retry_after(imf(now_s + 90), now_ms);
  REQUIRE(r);
  CHECK(r->form == retry_after_form::http_date);
  CHECK(r->date_seconds == now_s + 90);
  CHECK(r->wait_ms == 89750);
  CHECK_FALSE(r->in_past);
  // In the past: nothing to wait for.
  auto p = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now_ms);
  REQUIRE(p);
  CHECK(p->in_past);
  CHECK(p->wait_ms == 0);
  CHECK(p->date_seconds == rfc_example);
  // The far future is far, but never overflows.
  auto f = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now_ms);
  REQUIRE(f);
  CHECK(f->wait_ms == 253402300799000 - now_ms);
  // Any clock reading, however absurd, gives a bounded wait.
  CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", INT64_MIN)->wait_ms <=
        retry_after_saturation_seconds * 1000);
  CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", INT64_MAX)->in_past);
}
