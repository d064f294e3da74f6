// jobwire — event vocabulary: kinds, phases, event types, delivery keys, progress buckets
// and event ids (PROTOCOL.md §2, §7, §9, §11, §16.1).
//
// Everything here is a pure function over string_views and small values. Building and
// parsing are exact inverses: what `format_*` writes, `parse_*` reads back.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "byte_scan.hpp"
#include "error.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

/// Job kinds that carry webhooks (PROTOCOL.md §7).
enum class kind : std::uint8_t { video, batch };

constexpr std::string_view kind_name(kind k) noexcept { return k == kind::video ? "video" : "batch"; }

inline result<kind> parse_kind(std::string_view s) noexcept {
  if (s.size() != 5) return errc::unknown_kind;
  if (std::memcmp(s.data(), "video", 5) == 0) return kind::video;
  if (std::memcmp(s.data(), "batch", 5) == 0) return kind::batch;
  return errc::unknown_kind;
}

constexpr std::string_view phase_name(phase p) noexcept {
  switch (p) {
    case phase::created: return "created";
    case phase::progress: return "progress";
    case phase::completed: return "completed";
    case phase::failed: return "failed";
    case phase::cancelled: return "cancelled";
    case phase::expired: return "expired";
    case phase::status_changed: return "status_changed";
  }
  return "unknown";
}

/// Exact, case-sensitive phase name. Whether the phase exists under a profile is a separate
/// question (`profile::has_phase`).
inline result<phase> parse_phase(std::string_view s) noexcept {
  // Dispatched on the length (every delivery reads a phase in its type header, its key
  // header and twice in its body): at most two names share one.
  // Each comparison has a constant length, so it compiles to a few word compares.
  const char* p = s.data();
  switch (s.size()) {
    case 6:
      if (std::memcmp(p, "failed", 6) == 0) return phase::failed;
      break;
    case 7:
      if (std::memcmp(p, "created", 7) == 0) return phase::created;
      if (std::memcmp(p, "expired", 7) == 0) return phase::expired;
      break;
    case 8:
      if (std::memcmp(p, "progress", 8) == 0) return phase::progress;
      break;
    case 9:
      if (std::memcmp(p, "completed", 9) == 0) return phase::completed;
      if (std::memcmp(p, "cancelled", 9) == 0) return phase::cancelled;
      break;
    case 14:
      if (std::memcmp(p, "status_changed", 14) == 0) return phase::status_changed;
      break;
    default: break;
  }
  return errc::unknown_phase;
}

/// A kind-specific event type such as `video.completed`. Deliveries always carry the
/// kind-specific name, even for `job.*` subscriptions (PROTOCOL.md §9).
struct event_type {
  jobwire::kind kind = kind::video;
  jobwire::phase phase = phase::completed;

  friend constexpr bool operator==(event_type a, event_type b) noexcept {
    return a.kind == b.kind && a.phase == b.phase;
  }
  friend constexpr bool operator!=(event_type a, event_type b) noexcept { return !(a == b); }
};

/// Parses `<kind>.<phase>` exactly (lower-case, no whitespace): the wire form of the
/// `type` field and the event-type header. `job.*` names are subscription names, not event
/// types, and are rejected here (see the subscription normaliser for those).
inline result<event_type> parse_event_type(std::string_view s, const profile& prof = profiles::ai_stats) noexcept {
  // `<kind>.<phase>` split at the first dot. Both kinds are five letters, so a type whose
  // first dot is elsewhere has no kind (every failure here is `unknown_event_type`).
  static_assert(kind_name(kind::video).size() == 5 && kind_name(kind::batch).size() == 5, "kinds are five letters");
  constexpr std::size_t dot = 5;
  if (s.size() <= dot + 1 || s[dot] != '.') return errc::unknown_event_type;
  auto k = parse_kind(s.substr(0, dot));
  if (!k) return errc::unknown_event_type;
  auto p = parse_phase(s.substr(dot + 1));
  if (!p || !prof.has_phase(*p)) return errc::unknown_event_type;
  return event_type{*k, *p};
}

/// Appends `<kind>.<phase>`.
inline void append_event_type(std::string& out, event_type t) {
  out += kind_name(t.kind);
  out += '.';
  out += phase_name(t.phase);
}
inline std::string format_event_type(event_type t) {
  std::string s;
  append_event_type(s, t);
  return s;
}

// --- progress buckets (PROTOCOL.md §11) -----------------------------------------------

/// No bucket: the value makes no progress event.
constexpr int no_bucket = -1;

/// The progress bucket of a progress value, or `no_bucket`.
/// bucket = round(round(p) / 10) * 10 clamped to 5..95, rounding half away from zero as
/// JavaScript's Math.round does for positive numbers; only finite 0 < p < 100 qualifies.
/// So 3→5, 4.5→10, 44.4→40, 47→50, 94.9→95, 96→95, and 0, 100, NaN → none.
inline int progress_bucket(double p) noexcept {
  if (!std::isfinite(p) || !(p > 0.0) || !(p < 100.0)) return no_bucket;
  double whole = std::round(p);  // half away from zero == Math.round for p > 0
  double b = std::round(whole / 10.0) * 10.0;
  if (b < 5.0) b = 5.0;
  if (b > 95.0) b = 95.0;
  return static_cast<int>(b);
}

/// True for the values `progress_bucket` can return (5, 10, 20, ..., 90, 95).
constexpr bool is_valid_bucket(int b) noexcept { return b == 5 || b == 95 || (b >= 10 && b <= 90 && b % 10 == 0); }

// --- delivery keys (PROTOCOL.md §2, §16.1) --------------------------------------------

/// Longest status part of a `status_changed` key (PROTOCOL.md §16.1). The service's raw
/// statuses are at most 11 characters (`in_progress`); 21 keeps the longest possible key,
/// `batch.status_changed:<21>:<21>`, at 64 bytes, the bound the dedup key format fixes.
constexpr std::size_t max_status_part_length = 21;

/// The part written for an empty or NULL status (PROTOCOL.md §16.1).
constexpr std::string_view unknown_status_part = "unknown";

/// One status part of a `status_changed` delivery key: a raw status, lower-cased only
/// (§16.1: not trimmed, not mapped, so `canceled` stays `canceled`). Held inline so that
/// `delivery_key` stays a small copyable value that never allocates.
struct status_part {
  char text[max_status_part_length] = {};
  std::uint8_t size = 0;

  constexpr std::string_view view() const noexcept { return std::string_view(text, size); }
  constexpr bool empty() const noexcept { return size == 0; }

  friend constexpr bool operator==(const status_part& a, const status_part& b) noexcept {
    if (a.size != b.size) return false;
    for (std::size_t i = 0; i < a.size; ++i)
      if (a.text[i] != b.text[i]) return false;
    return true;
  }
  friend constexpr bool operator!=(const status_part& a, const status_part& b) noexcept { return !(a == b); }
};

/// True for a character a key part may hold. jobwire policy (§16.1 says the parts are not
/// sanitised): the service's statuses are lower-case words with `_`, so a part is limited
/// to [a-z0-9_.-]; anything else (upper case, white space, `:`) cannot come from the
/// service's `lower(status)` of a stored status and makes the key invalid.
constexpr bool is_status_part_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/// Validates a key part as it appears in a received key: 1..21 of [a-z0-9_.-].
inline result<status_part> parse_status_part(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_status_part_length) return errc::invalid_delivery_key;
  status_part p;
  for (char c : s) {
    if (!is_status_part_char(c)) return errc::invalid_delivery_key;
    p.text[p.size++] = c;
  }
  return p;
}

/// The sender's side of §16.1: a raw status becomes a key part by lower-casing only; an
/// empty status (or none: NULL) becomes `unknown`. A status that still is no valid part
/// (white space, `:`, non-ASCII, longer than 21) is `invalid_delivery_key`.
inline result<status_part> status_part_of(std::string_view raw) noexcept {
  if (raw.empty()) raw = unknown_status_part;
  if (raw.size() > max_status_part_length) return errc::invalid_delivery_key;
  char buf[max_status_part_length];
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return parse_status_part(std::string_view(buf, raw.size()));
}

/// A delivery key: the event type, plus the bucket for progress events
/// (`video.progress:50`), plus the previous and current raw status for `status_changed`
/// events (`video.status_changed:queued:in_progress`, §16.1). Keys are per job: never
/// deduplicate on the key alone.
struct delivery_key {
  event_type type{};
  int bucket = no_bucket;  ///< set for progress events only
  status_part previous{};  ///< `status_changed` only
  status_part current{};   ///< `status_changed` only

  friend constexpr bool operator==(const delivery_key& a, const delivery_key& b) noexcept {
    return a.type == b.type && a.bucket == b.bucket && a.previous == b.previous && a.current == b.current;
  }
  friend constexpr bool operator!=(const delivery_key& a, const delivery_key& b) noexcept { return !(a == b); }
};

/// The key of a `status_changed` event (§16.1): `<kind>.status_changed:<prev>:<cur>`, each
/// part the raw status lower-cased, `unknown` for an empty one. `unknown_phase` when the
/// profile has no `status_changed` (ai_stats).
inline result<delivery_key> status_changed_key(kind k, std::string_view previous_raw, std::string_view current_raw,
                                               const profile& prof = profiles::phaseo) noexcept {
  if (!prof.has_phase(phase::status_changed)) return errc::unknown_phase;
  auto prev = status_part_of(previous_raw);
  if (!prev) return prev.error();
  auto cur = status_part_of(current_raw);
  if (!cur) return cur.error();
  return delivery_key{event_type{k, phase::status_changed}, no_bucket, *prev, *cur};
}

/// Parses a delivery key strictly: `<kind>.<phase>` for lifecycle events,
/// `<kind>.progress:<bucket>` (bucket without leading zeros) for progress events,
/// `<kind>.status_changed:<prev>:<cur>` (two parts of [a-z0-9_.-], 1..21 each) for status
/// changes (a phase of profile phaseo only, §16.1).
inline result<delivery_key> parse_delivery_key(std::string_view s, const profile& prof = profiles::ai_stats) noexcept {
  std::size_t colon = s.find(':');
  auto t = parse_event_type(s.substr(0, colon), prof);
  if (!t) return errc::invalid_delivery_key;
  if (t->phase == phase::status_changed) {
    if (colon == std::string_view::npos) return errc::invalid_delivery_key;
    const std::string_view parts = s.substr(colon + 1);
    const std::size_t second = parts.find(':');
    if (second == std::string_view::npos) return errc::invalid_delivery_key;
    auto prev = parse_status_part(parts.substr(0, second));
    if (!prev) return prev.error();
    auto cur = parse_status_part(parts.substr(second + 1));  // a third `:` is no part char
    if (!cur) return cur.error();
    return delivery_key{*t, no_bucket, *prev, *cur};
  }
  if (t->phase != phase::progress) {
    if (colon != std::string_view::npos) return errc::invalid_delivery_key;
    return delivery_key{*t, no_bucket};
  }
  if (colon == std::string_view::npos) return errc::invalid_delivery_key;
  std::string_view digits = s.substr(colon + 1);
  if (digits.empty() || digits.size() > 2 || digits[0] == '0') return errc::invalid_delivery_key;
  int b = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return errc::invalid_delivery_key;
    b = b * 10 + (c - '0');
  }
  if (!is_valid_bucket(b)) return errc::invalid_delivery_key;
  return delivery_key{*t, b};
}

inline void append_delivery_key(std::string& out, const delivery_key& k) {
  append_event_type(out, k.type);
  if (k.type.phase == phase::progress && k.bucket != no_bucket) {
    out += ':';
    out += std::to_string(k.bucket);
  } else if (k.type.phase == phase::status_changed && !k.current.empty()) {
    out += ':';
    out += k.previous.empty() ? unknown_status_part : k.previous.view();
    out += ':';
    out += k.current.view();
  }
}
inline std::string format_delivery_key(const delivery_key& k) {
  std::string s;
  append_delivery_key(s, k);
  return s;
}

// --- event ids (PROTOCOL.md §2) -------------------------------------------------------

/// Longest event id: a protocol fact (§2 truncates ids to 160 characters), so fixed.
/// Upper bound on a delivery's attempt number and maximum attempts, wherever jobwire reads
/// or writes one: the metadata headers (§9), `delivery` of the body (§10), the public
/// attempt entries, the sender's retry policy and its ledger (§12). The service makes 4
/// attempts (§9, §12); jobwire's sender lets a policy configure up to this many, so a
/// jobwire receiver accepts every attempt count a conforming sender (the service, or
/// jobwire's own with its widest policy) can send, and nothing the retry schedule cannot
/// produce. One constant, so no two readers of the same delivery disagree about it.
constexpr std::uint32_t max_delivery_attempts = 16;

constexpr std::size_t max_event_id_length = 160;

constexpr bool is_event_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

namespace detail {
// is_event_id_char as a table: event ids are checked on every delivery (header and body),
// and one load per character beats the five range tests.
struct event_id_char_table {
  unsigned char v[256];
  constexpr event_id_char_table() : v() {
    for (int i = 0; i < 256; ++i) v[i] = is_event_id_char(static_cast<char>(i)) ? 1 : 0;
  }
};
inline constexpr event_id_char_table event_id_chars{};

constexpr bool event_id_chars_only_bytewise(std::string_view s) noexcept {
  unsigned ok = 1;
  for (char c : s) ok &= event_id_chars.v[static_cast<unsigned char>(c)];
  return ok != 0;
}

/// Whether every byte of `s` is one of [A-Za-z0-9_-]: with SSE2, 16 bytes at a time (a
/// last block overlapping the one before); shorter ids, and the portable build, by table.
/// An id is checked up to three times per delivery (header, body, deduplication key).
inline bool event_id_chars_only(std::string_view s) noexcept {
#if JOBWIRE_JSON_SIMD
  if (s.size() >= 16) {
    // Unsigned "x - lo < n" as a signed compare: subtract lo + 0x80, compare with n - 0x80.
    const auto in_range = [](__m128i x, int lo, int n) noexcept {
      return _mm_cmplt_epi8(_mm_sub_epi8(x, _mm_set1_epi8(static_cast<char>(lo + 0x80))),
                            _mm_set1_epi8(static_cast<char>(n - 0x80)));
    };
    const auto block_ok = [&](const char* p) noexcept {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i letter = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26);  // either case
      const __m128i punct = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
      return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(in_range(x, '0', 10), letter), punct)) == 0xFFFF;
    };
    std::size_t i = 0;
    for (; i + 16 <= s.size(); i += 16)
      if (!block_ok(s.data() + i)) return false;
    return i == s.size() || block_ok(s.data() + s.size() - 16);
  }
#endif
  return event_id_chars_only_bytewise(s);
}
}  // namespace detail

/// Receivers treat event ids as opaque: 1 to 160 characters of [A-Za-z0-9_-].
constexpr bool is_valid_event_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_event_id_length) return false;
  if (!detail::in_constant_evaluation()) return detail::event_id_chars_only(s);
  return detail::event_id_chars_only_bytewise(s);
}

/// The sender's event id: `evt_<kind>_<internal id>_<delivery key>` with every run of
/// characters outside [A-Za-z0-9_-] replaced by one `_`, cut to 160 characters. Stable
/// across retries of the same delivery.
inline std::string make_event_id(kind k, std::string_view internal_id, const delivery_key& key) {
  std::string raw = "evt_";
  raw += kind_name(k);
  raw += '_';
  raw += internal_id;
  raw += '_';
  append_delivery_key(raw, key);
  std::string out;
  out.reserve(raw.size());
  bool in_run = false;
  for (char c : raw) {
    if (is_event_id_char(c)) {
      out += c;
      in_run = false;
    } else if (!in_run) {
      out += '_';
      in_run = true;
    }
  }
  if (out.size() > max_event_id_length) out.resize(max_event_id_length);
  return out;
}

}  // namespace jobwire
