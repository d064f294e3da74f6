// Fuzz target: the Retry-After field and HTTP-date parser (retry_after.hpp, RFC 9110
// §10.2.3, §5.6.7) and the Standard Webhooks retry verdict built on it (retry.hpp
// `decide_delivery`, PROTOCOL.md §17 "Sending").
//
// Input: the first byte picks the attempt (1..10) and the HTTP status of the response
// from a short list; the next 8 bytes are the jitter's random bits; the rest is the
// Retry-After field value. Checked on every input:
//  - the parser never fails with another code than invalid_retry_after, its wait is never
//    negative nor beyond the saturation, and an IMF-fixdate it accepts re-formats to
//    exactly the (trimmed) input: the strict form has one spelling per instant;
//  - the verdict is always given (a hostile field never stops it), never schedules the
//    retry before the Retry-After time, the throttle or the jittered schedule's floor,
//    never holds the endpoint longer than the cap, and always becomes a record the outbox
//    stores accept.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <jobwire/outbox_retry.hpp>
#include <jobwire/retry.hpp>
#include <jobwire/retry_after.hpp>

namespace {

std::string imf_fixdate(std::int64_t unix_seconds) {
  const std::int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
  const std::int64_t tod = unix_seconds - days * 86400;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  jobwire::detail::civil_from_days(days, y, m, d);
  const int wd = static_cast<int>(((days + 4) % 7 + 7) % 7);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT",
                std::string(jobwire::detail::http_day_names[wd]).c_str(), d,
                std::string(jobwire::detail::http_month_names[m - 1]).c_str(), static_cast<long long>(y),
                static_cast<long long>(tod / 3600), static_cast<long long>(tod / 60 % 60),
                static_cast<long long>(tod % 60));
  return buf;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  constexpr int statuses[] = {429, 502, 504, 503, 500, 410, 302, 200};
  const unsigned attempt = 1 + data[0] % 10;
  const int status = statuses[(data[0] / 10) % 8];
  std::uint64_t random = 0;
  for (std::size_t i = 1; i < 9; ++i) random = random << 8 | data[i];
  const std::string_view field(reinterpret_cast<const char*>(data) + 9, size - 9);
  constexpr std::int64_t now_ms = 1781166600LL * 1000;  // 2026-06-11T08:30:00Z

  auto ra = jobwire::parse_retry_after(field, now_ms);
  if (!ra) {
    if (ra.code() != jobwire::errc::invalid_retry_after) __builtin_trap();
  } else {
    if (ra->wait_ms < 0 || ra->wait_ms > jobwire::retry_after_saturation_seconds * 1000) __builtin_trap();
    if (ra->form == jobwire::retry_after_form::http_date) {
      if (ra->in_past != (ra->date_seconds * 1000 < now_ms)) __builtin_trap();
      const std::string_view t = trimmed(field);
      if (t.size() == 29 && t[3] == ',' && imf_fixdate(ra->date_seconds) != t && t.substr(23, 2) != "60")
        __builtin_trap();
    }
  }
  // Any clock reading: never a crash, never an overflow (UBSan watches).
  for (std::int64_t now : {INT64_MIN, std::int64_t{-1}, std::int64_t{0}, INT64_MAX}) {
    auto r = jobwire::parse_retry_after(field, now);
    if (r && (r->wait_ms < 0 || r->wait_ms > jobwire::retry_after_saturation_seconds * 1000)) __builtin_trap();
  }

  const jobwire::retry_policy& p = jobwire::standard_webhooks_retry_policy;
  jobwire::attempt_observation obs;
  obs.attempt = attempt;
  obs.outcome = jobwire::attempt_outcome::http(status);
  obs.tried_at_ms = now_ms;
  obs.retry_after = field;
  obs.random = random;
  auto v = jobwire::decide_delivery(p, obs);
  if (!v) __builtin_trap();
  const std::int64_t cap_ms = p.max_retry_after_seconds * 1000;
  if (v->retry_after_until_ms != 0 && (v->retry_after_until_ms < now_ms || v->retry_after_until_ms > now_ms + cap_ms))
    __builtin_trap();
  if (v->throttle_until_ms != 0 &&
      (v->throttle_until_ms < now_ms || v->throttle_until_ms > now_ms + std::max(cap_ms, p.throttle_seconds * 1000)))
    __builtin_trap();
  if (v->retry_scheduled()) {
    const std::int64_t d = p.delay_after(attempt) * 1000;
    if (v->next_retry_at_ms < now_ms + d - d * p.jitter_percent / 100) __builtin_trap();
    if (v->next_retry_at_ms < v->retry_after_until_ms || v->next_retry_at_ms < v->throttle_until_ms) __builtin_trap();
  }
  if ((v->retry_after == jobwire::retry_after_use::invalid) != (v->retry_after_error != jobwire::errc::ok))
    __builtin_trap();
  if (!jobwire::check_outbox_record(jobwire::to_outbox_record(*v))) __builtin_trap();
  return 0;
}
