// Fuzz target: delivery header parsing (PROTOCOL.md §9). The input is a header block,
// one `Name: value` per line; every jobwire parser that reads headers runs over it:
// lookup with duplicate detection (both profiles), metadata headers, timestamps (strict
// and sdk_compat), freshness, signature decoding, and the verifier's one-pass scan, which
// must give the verdict of detection and collection (`select_profile`,
// `collect_delivery_headers`) for every profile choice. Properties are checked, not just
// crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include <jobwire/freshness.hpp>
#include <jobwire/headers.hpp>
#include <jobwire/signature.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

void exercise_value(std::string_view v) {
  auto strict = jobwire::parse_timestamp(v, false);
  auto compat = jobwire::parse_timestamp(v, true);
  if (strict) {
    // Strict success: 1..12 digits, and sdk_compat agrees on the value.
    check(!v.empty() && v.size() <= jobwire::max_timestamp_digits);
    for (char c : v) check(c >= '0' && c <= '9');
    check(compat && compat->ms == strict->ms);
  } else {
    check(strict.code() == jobwire::errc::malformed_timestamp);
  }
  if (compat) {
    for (std::int64_t now : {std::int64_t{0}, std::int64_t{1781166600}, compat->seconds()}) {
      auto st = jobwire::check_freshness(*compat, now, 300);
      check(st || st.code() == jobwire::errc::timestamp_too_old || st.code() == jobwire::errc::timestamp_too_new ||
            st.code() == jobwire::errc::invalid_argument);
    }
    check(jobwire::check_freshness(*compat, 1781166600, jobwire::tolerance_none).has_value());
  }
  jobwire::mac_bytes m;
  auto st = jobwire::decode_signature(v, m);
  if (st) {
    // Decoding succeeded: re-encoding gives the trimmed text, lower-cased.
    const std::string_view t = jobwire::trim_ascii(v);
    const auto hex = jobwire::to_hex(m);
    check(t.size() == jobwire::signature_hex_size);
    for (std::size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      check(hex.chars[i] == c);
    }
  } else {
    check(st.code() == jobwire::errc::malformed_signature);
  }
  (void)jobwire::parse_attempt_number(v);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::size_t pos = 0;
  while (pos < in.size() && headers.size() < 64) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    std::string_view line = in.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      exercise_value(line);
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.emplace_back(line.substr(0, colon), value);
    exercise_value(value);
  }
  for (const jobwire::profile* prof : {&jobwire::profiles::ai_stats, &jobwire::profiles::phaseo}) {
    for (std::string_view suffix : {jobwire::header_suffix::timestamp, jobwire::header_suffix::signature}) {
      auto h = jobwire::find_header(headers, prof->header_prefix, suffix);
      check(h || h.code() == jobwire::errc::ambiguous_header);
    }
    auto meta = jobwire::parse_delivery_headers(headers, *prof);
    if (meta) {
      if (meta->attempt && meta->max_attempts) check(*meta->attempt <= *meta->max_attempts);
      if (meta->event_id) check(jobwire::is_valid_event_id(*meta->event_id));
    } else {
      const auto c = meta.code();
      check(c == jobwire::errc::malformed_header || c == jobwire::errc::ambiguous_header ||
            c == jobwire::errc::attempt_exceeds_max);
    }
  }
  // The one-pass scan (headers.hpp) is detection and collection fused: the same profile,
  // the same headers, the same errors, for `auto` and for every named profile.
  for (const jobwire::profile* chosen : {static_cast<const jobwire::profile*>(nullptr), &jobwire::profiles::ai_stats,
                                         &jobwire::profiles::phaseo, &jobwire::profiles::standard}) {
    jobwire::delivery_header_scan scan;
    const auto scanned = jobwire::scan_delivery_headers(headers, chosen, scan);
    const auto selected = jobwire::select_profile(headers, chosen);
    check(scanned.has_value() == selected.has_value());
    if (!selected) {
      check(scanned.code() == selected.code());
      continue;
    }
    check(scan.prof == *selected);
    if (scan.prof->scheme == jobwire::signature_scheme::webhooks) continue;
    const auto raw = jobwire::collect_delivery_headers(headers, *scan.prof);
    check(scan.deferred == raw.code());
    if (!raw) continue;
    check(scan.raw.timestamp == raw->timestamp && scan.raw.signature == raw->signature &&
          scan.raw.event_id == raw->event_id && scan.raw.event_type == raw->event_type &&
          scan.raw.delivery_key == raw->delivery_key && scan.raw.attempt == raw->attempt &&
          scan.raw.max_attempts == raw->max_attempts);
  }
  return 0;
}
