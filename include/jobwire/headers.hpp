// jobwire — delivery headers over any host representation (PROTOCOL.md §9, §15).
//
// Hosts hold request headers in many shapes: a vector of (name, value) pairs, a std::map or
// multimap, a framework object with a lookup function. `find_header` reads all of them
// without allocating. Names compare ASCII case-insensitively (HTTP field names are
// case-insensitive). A header that appears more than once with different values is
// `ambiguous_header`: two components reading "the first" and "the last" value of the
// same request must never see different signatures, timestamps or delivery identities.
//
// The metadata headers (event id, event type, delivery key, attempt, max attempts) are
// parsed strictly; each is optional, because unsigned or older senders may omit some, and
// the ones present are checked against the body by `verify_delivery` (verify.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "events.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

/// ASCII case-insensitive equality (no locale; bytes >= 0x80 compare exactly).
constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// True when `name` equals `prefix` followed by `suffix`, ASCII case-insensitively.
constexpr bool header_name_is(std::string_view name, std::string_view prefix, std::string_view suffix) noexcept {
  return name.size() == prefix.size() + suffix.size() && iequals_ascii(name.substr(0, prefix.size()), prefix) &&
         iequals_ascii(name.substr(prefix.size()), suffix);
}

/// Header name suffixes after the profile prefix (PROTOCOL.md §9).
namespace header_suffix {
constexpr std::string_view event_id = "event-id";
constexpr std::string_view event_type = "event-type";
constexpr std::string_view delivery_key = "delivery-key";
constexpr std::string_view attempt = "attempt";
constexpr std::string_view max_attempts = "max-attempts";
constexpr std::string_view timestamp = "timestamp";
constexpr std::string_view signature = "signature";
/// Every delivery header a profile defines, in the order they are looked up.
inline constexpr std::string_view all[] = {timestamp,    signature, event_id,    event_type,
                                           delivery_key, attempt,   max_attempts};
}  // namespace header_suffix

namespace detail {
template <class T, class = void>
struct is_header_range : std::false_type {};
template <class T>
struct is_header_range<
    T, std::void_t<decltype(std::begin(std::declval<const T&>())), decltype(std::end(std::declval<const T&>()))>>
    : std::true_type {};

template <class F>
using header_lookup_result = decltype(std::declval<const F&>()(std::declval<std::string_view>()));

// True for lookup results that own their text and die at the end of the lookup
// expression (std::string or std::optional<std::string> returned by value): a view into
// them would dangle, so such callables are rejected at compile time.
template <class R>
struct is_owning_lookup_result : std::false_type {};
template <>
struct is_owning_lookup_result<std::string> : std::true_type {};
template <>
struct is_owning_lookup_result<std::optional<std::string>> : std::true_type {};

template <class T, class = void>
struct is_header_callable : std::false_type {};
template <class T>
struct is_header_callable<T, std::void_t<header_lookup_result<T>>> : std::true_type {};

// A lookup callable may return std::optional<string_view-like>, a pointer to a
// string-like value (nullptr when absent), or a string_view (empty data() when absent).
template <class R>
inline std::optional<std::string_view> to_optional_view(const R& r) noexcept {
  if constexpr (std::is_pointer<R>::value) {
    if (r == nullptr) return std::nullopt;
    return std::string_view(*r);
  } else if constexpr (std::is_convertible<const R&, std::string_view>::value) {
    std::string_view v(r);
    if (v.data() == nullptr) return std::nullopt;
    return v;
  } else {
    if (!r) return std::nullopt;
    return std::string_view(*r);
  }
}
}  // namespace detail

/// Looks up one header by full name (any case).
///
/// `headers` may be
///   - a range whose elements are pairs/tuples (name, value) convertible to string_view:
///     std::vector<std::pair<std::string, std::string>>, std::map, std::multimap,
///     std::unordered_map, arrays of pairs of string_view ...; every element is examined,
///     so differently-cased duplicates are found too;
///   - a callable `f(std::string_view lower_case_name)` returning std::optional<sv-like>,
///     a pointer to a string (nullptr = absent) or a string_view (null data = absent). The
///     callable is trusted to do case-insensitive lookup and to resolve duplicates (a host
///     that joins repeated headers with "," produces a value the strict parsers reject).
///
/// Returns the value (first occurrence), std::nullopt when absent, or `ambiguous_header`
/// when the name occurs more than once with different values.
template <class Headers>
inline result<std::optional<std::string_view>> find_header(const Headers& headers, std::string_view prefix,
                                                           std::string_view suffix) noexcept {
  if constexpr (detail::is_header_callable<Headers>::value) {
    using lookup_result = detail::header_lookup_result<Headers>;
    static_assert(std::is_reference<lookup_result>::value ||
                      !detail::is_owning_lookup_result<std::remove_cv_t<lookup_result>>::value,
                  "a header lookup callable must return a view (string_view, optional<string_view>, "
                  "const std::string*, const std::string&), not an owning string by value");
    // The full name in lower case; prefix and suffix are lower-case constants.
    char name[64];
    if (prefix.size() + suffix.size() > sizeof name) return errc::invalid_argument;
    for (std::size_t i = 0; i < prefix.size(); ++i) name[i] = prefix[i];
    for (std::size_t i = 0; i < suffix.size(); ++i) name[prefix.size() + i] = suffix[i];
    const std::string_view full(name, prefix.size() + suffix.size());
    return detail::to_optional_view(headers(full));
  } else {
    static_assert(detail::is_header_range<Headers>::value,
                  "headers must be a range of (name, value) pairs or a lookup callable");
    std::optional<std::string_view> found;
    for (const auto& entry : headers) {
      const std::string_view name(std::get<0>(entry));
      if (!header_name_is(name, prefix, suffix)) continue;
      const std::string_view value(std::get<1>(entry));
      if (!found) found = value;
      else if (*found != value) return errc::ambiguous_header;
    }
    return found;
  }
}

/// Same, with the full header name (e.g. "x-ai-stats-signature").
template <class Headers>
inline result<std::optional<std::string_view>> find_header(const Headers& headers, std::string_view name) noexcept {
  return find_header(headers, std::string_view{}, name);
}

// --- delivery metadata headers ----------------------------------------------------------

/// The delivery metadata carried in headers; each field is set when its header was present
/// (and then valid). Views point into the host's header storage.
struct delivery_headers {
  std::optional<std::string_view> event_id;
  std::optional<jobwire::event_type> type;
  std::optional<jobwire::delivery_key> key;
  std::optional<std::uint32_t> attempt;
  std::optional<std::uint32_t> max_attempts;

  bool any() const noexcept { return event_id || type || key || attempt || max_attempts; }
};

/// Strict positive decimal: 1..max_delivery_attempts (events.hpp), no sign, no leading
/// zero, no spaces.
inline result<std::uint32_t> parse_attempt_number(std::string_view s) noexcept {
  // More digits than the bound has cannot be in range (and cannot overflow below).
  if (s.empty() || s.size() > 9 || s[0] == '0') return errc::malformed_header;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return errc::malformed_header;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v > max_delivery_attempts) return errc::malformed_header;
  return v;
}

/// The raw text of every header jobwire reads from a delivery, found in one pass.
struct raw_delivery_headers {
  std::optional<std::string_view> timestamp;
  std::optional<std::string_view> signature;
  std::optional<std::string_view> event_id;
  std::optional<std::string_view> event_type;
  std::optional<std::string_view> delivery_key;
  std::optional<std::string_view> attempt;
  std::optional<std::string_view> max_attempts;
};

namespace detail {
// ASCII case-insensitive comparison against a lower-case constant. Every request header
// name is compared with the profile prefix, so this compares 8 bytes at a time: A..Z are
// lowered with the SWAR range test below (per byte, no carry between bytes, bytes >= 0x80
// left alone), then the words are compared.
inline bool iequals_lower_word(const char* name, const char* lower) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  std::uint64_t w, l;
  std::memcpy(&w, name, 8);
  std::memcpy(&l, lower, 8);
  const std::uint64_t h = w & ~high;  // each byte <= 0x7F: the additions cannot carry out
  const std::uint64_t ge_a = h + ones * (0x80 - 'A');
  const std::uint64_t gt_z = h + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = ge_a & ~gt_z & ~w & high;
  return (w | (upper >> 2)) == l;
}
inline bool iequals_lower(std::string_view name, std::string_view lower) noexcept {
  if (name.size() != lower.size()) return false;
  const std::size_t n = name.size();
  if (n >= 8) {
    // Whole words, then the last 8 bytes (overlapping the previous word) for the rest.
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      if (!iequals_lower_word(name.data() + i, lower.data() + i)) return false;
    return iequals_lower_word(name.data() + n - 8, lower.data() + n - 8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c != lower[i]) return false;
  }
  return true;
}

inline std::optional<std::string_view>* raw_slot(raw_delivery_headers& r, std::string_view suffix) noexcept {
  // Dispatch on length first: each suffix length is unique except 7 ("attempt"), 8
  // ("event-id") and 9 ("timestamp" / "signature").
  switch (suffix.size()) {
    case 7: return iequals_lower(suffix, header_suffix::attempt) ? &r.attempt : nullptr;
    case 8: return iequals_lower(suffix, header_suffix::event_id) ? &r.event_id : nullptr;
    case 9:
      if (iequals_lower(suffix, header_suffix::timestamp)) return &r.timestamp;
      return iequals_lower(suffix, header_suffix::signature) ? &r.signature : nullptr;
    case 10: return iequals_lower(suffix, header_suffix::event_type) ? &r.event_type : nullptr;
    case 12:
      if (iequals_lower(suffix, header_suffix::delivery_key)) return &r.delivery_key;
      return iequals_lower(suffix, header_suffix::max_attempts) ? &r.max_attempts : nullptr;
    default: return nullptr;
  }
}
}  // namespace detail

/// Collects the delivery headers under `prof`'s prefix. Over a range this is one pass over
/// the headers; `ambiguous_header` when one of them occurs twice with different values.
template <class Headers>
inline result<raw_delivery_headers> collect_delivery_headers(const Headers& headers,
                                                             const profile& prof = profiles::ai_stats) noexcept {
  raw_delivery_headers out;
  const std::string_view prefix = prof.header_prefix;
  if constexpr (detail::is_header_callable<Headers>::value) {
    for (std::string_view suffix : header_suffix::all) {
      auto v = find_header(headers, prefix, suffix);
      if (!v) return v.error();
      *detail::raw_slot(out, suffix) = *v;
    }
  } else {
    static_assert(detail::is_header_range<Headers>::value,
                  "headers must be a range of (name, value) pairs or a lookup callable");
    for (const auto& entry : headers) {
      const std::string_view name(std::get<0>(entry));
      if (name.size() <= prefix.size() || !detail::iequals_lower(name.substr(0, prefix.size()), prefix)) continue;
      std::optional<std::string_view>* slot = detail::raw_slot(out, name.substr(prefix.size()));
      if (slot == nullptr) continue;
      const std::string_view value(std::get<1>(entry));
      if (!*slot) *slot = value;
      else if (**slot != value) return errc::ambiguous_header;
    }
  }
  return out;
}

// --- Standard Webhooks headers (PROTOCOL.md §17) ----------------------------------------

/// Header name suffixes of the Standard Webhooks profiles, after `webhook-` or `svix-`.
namespace webhook_header_suffix {
constexpr std::string_view id = "id";
constexpr std::string_view timestamp = "timestamp";
constexpr std::string_view signature = "signature";
inline constexpr std::string_view all[] = {id, timestamp, signature};
}  // namespace webhook_header_suffix

/// The three headers of a Standard Webhooks delivery, from whichever family carried them.
struct raw_webhook_headers {
  std::optional<std::string_view> id;
  std::optional<std::string_view> timestamp;
  std::optional<std::string_view> signature;
  /// True when the values came from the `alt_header_prefix` family (`svix-*`).
  bool alternate_family = false;
};

namespace detail {
inline std::optional<std::string_view>* webhook_slot(raw_webhook_headers& r, std::string_view suffix) noexcept {
  switch (suffix.size()) {
    case 2: return iequals_lower(suffix, webhook_header_suffix::id) ? &r.id : nullptr;
    case 9:
      if (iequals_lower(suffix, webhook_header_suffix::timestamp)) return &r.timestamp;
      return iequals_lower(suffix, webhook_header_suffix::signature) ? &r.signature : nullptr;
    default: return nullptr;
  }
}

// The three headers under one prefix; `ambiguous_header` for one repeated with different
// values.
template <class Headers>
inline result<raw_webhook_headers> collect_webhook_family(const Headers& headers, std::string_view prefix) noexcept {
  raw_webhook_headers out;
  if constexpr (is_header_callable<Headers>::value) {
    for (std::string_view suffix : webhook_header_suffix::all) {
      auto v = find_header(headers, prefix, suffix);
      if (!v) return v.error();
      *webhook_slot(out, suffix) = *v;
    }
  } else {
    static_assert(is_header_range<Headers>::value,
                  "headers must be a range of (name, value) pairs or a lookup callable");
    for (const auto& entry : headers) {
      const std::string_view name(std::get<0>(entry));
      if (name.size() <= prefix.size() || !iequals_lower(name.substr(0, prefix.size()), prefix)) continue;
      std::optional<std::string_view>* slot = webhook_slot(out, name.substr(prefix.size()));
      if (slot == nullptr) continue;
      const std::string_view value(std::get<1>(entry));
      if (!*slot) *slot = value;
      else if (**slot != value) return errc::ambiguous_header;
    }
  }
  return out;
}

inline bool any_webhook_header(const raw_webhook_headers& r) noexcept { return r.id || r.timestamp || r.signature; }
}  // namespace detail

/// Collects `webhook-id`, `webhook-timestamp` and `webhook-signature`, or the same under
/// the profile's second family (`svix-*`) (§17: "accept either family, never a mix"). When
/// both families are present they must carry the same headers with the same values (Svix
/// sends both); anything else — different values, or some headers in one family and the
/// rest in the other — is `ambiguous_header`, since two readers could then sign-check two
/// different messages.
namespace detail {
// The families' rule (§17, above): either family alone, or both carrying the same values.
inline result<raw_webhook_headers> merge_webhook_families(const raw_webhook_headers& primary,
                                                          raw_webhook_headers& alternate) noexcept {
  if (!any_webhook_header(alternate)) return primary;
  if (!any_webhook_header(primary)) {
    alternate.alternate_family = true;
    return alternate;
  }
  if (primary.id != alternate.id || primary.timestamp != alternate.timestamp ||
      primary.signature != alternate.signature)
    return errc::ambiguous_header;
  return primary;
}

// The family of a header name under `prof` and the rest of the name after its prefix:
// &a for the profile's prefix, &b for the second family's, nullptr for neither.
inline raw_webhook_headers* webhook_family_of(std::string_view name, const profile& prof, raw_webhook_headers& a,
                                              raw_webhook_headers& b, std::string_view& rest) noexcept {
  const std::string_view p = prof.header_prefix, q = prof.alt_header_prefix;
  if (name.size() > p.size() && iequals_lower(name.substr(0, p.size()), p)) {
    rest = name.substr(p.size());
    return &a;
  }
  if (!q.empty() && name.size() > q.size() && iequals_lower(name.substr(0, q.size()), q)) {
    rest = name.substr(q.size());
    return &b;
  }
  return nullptr;
}
}  // namespace detail

/// Collects `webhook-id`, `webhook-timestamp` and `webhook-signature`, or the same under
/// the profile's second family (`svix-*`) (§17: "accept either family, never a mix"). When
/// both families are present they must carry the same headers with the same values (Svix
/// sends both); anything else — different values, or some headers in one family and the
/// rest in the other — is `ambiguous_header`, since two readers could then sign-check two
/// different messages.
template <class Headers>
inline result<raw_webhook_headers> collect_webhook_headers(const Headers& headers,
                                                           const profile& prof = profiles::standard) noexcept {
  if constexpr (detail::is_header_callable<Headers>::value) {
    auto primary = detail::collect_webhook_family(headers, prof.header_prefix);
    if (!primary) return primary.error();
    if (prof.alt_header_prefix.empty()) return primary;
    auto alternate = detail::collect_webhook_family(headers, prof.alt_header_prefix);
    if (!alternate) return alternate.error();
    return detail::merge_webhook_families(*primary, *alternate);
  } else {
    // One pass over a range for both families, each header's value kept by view (the
    // result is built once at the end: copying these optionals per step was measurable).
    raw_webhook_headers a, b;
    for (const auto& entry : headers) {
      std::string_view rest;
      raw_webhook_headers* family = detail::webhook_family_of(std::string_view(std::get<0>(entry)), prof, a, b, rest);
      if (family == nullptr) continue;
      std::optional<std::string_view>* slot = detail::webhook_slot(*family, rest);
      if (slot == nullptr) continue;
      const std::string_view value(std::get<1>(entry));
      if (!*slot) *slot = value;
      else if (**slot != value) return errc::ambiguous_header;
    }
    return detail::merge_webhook_families(a, b);
  }
}

// --- profile detection (PROTOCOL.md §15) -----------------------------------------------

/// The profiles a receiver can tell apart by their header family (§15). Detection picks
/// rules (header names, phase set, whether a secret is required), never keys. The
/// Standard Webhooks family (`webhook-*` or `svix-*`) is detected as `standard`; `openai`
/// shares it and is chosen by naming it.
inline constexpr const profile* detectable_profiles[] = {&profiles::phaseo, &profiles::ai_stats, &profiles::standard};

namespace detail {
// True when one of the delivery headers of `prof` (timestamp, signature, event id, event
// type, delivery key, attempt, max attempts) is present. A header of the family that
// jobwire does not read (`x-phaseo-other`) does not count: the family is what a sender of
// that profile writes (§9, §16.5).
template <class Headers>
inline bool has_header_family(const Headers& headers, const profile& prof) noexcept {
  if (prof.scheme == signature_scheme::webhooks) {
    // Either family (§17); an ambiguous one is present too.
    if constexpr (is_header_callable<Headers>::value) {
      for (std::string_view prefix : {prof.header_prefix, prof.alt_header_prefix}) {
        if (prefix.empty()) continue;
        auto found = collect_webhook_family(headers, prefix);
        if (!found || any_webhook_header(*found)) return true;
      }
      return false;
    } else {
      // Over a range: the first header of either family decides (one pass, no record).
      raw_webhook_headers a, b;
      for (const auto& entry : headers) {
        std::string_view rest;
        raw_webhook_headers* family = webhook_family_of(std::string_view(std::get<0>(entry)), prof, a, b, rest);
        if (family != nullptr && webhook_slot(*family, rest) != nullptr) return true;
      }
      return false;
    }
  }
  const std::string_view prefix = prof.header_prefix;
  if constexpr (is_header_callable<Headers>::value) {
    for (std::string_view suffix : header_suffix::all) {
      auto v = find_header(headers, prefix, suffix);
      if (!v || *v) return true;  // present (an ambiguous one is present too)
    }
    return false;
  } else {
    raw_delivery_headers scratch;
    for (const auto& entry : headers) {
      const std::string_view name(std::get<0>(entry));
      if (name.size() <= prefix.size() || !iequals_lower(name.substr(0, prefix.size()), prefix)) continue;
      if (raw_slot(scratch, name.substr(prefix.size())) != nullptr) return true;
    }
    return false;
  }
}
}  // namespace detail

/// The profile whose header family the request carries (§15, jobwire policy `auto`):
/// `x-phaseo-*` → phaseo, `x-ai-stats-*` → ai_stats, `webhook-*`/`svix-*` → standard; nullptr when neither is present
/// (the caller picks its fallback); `ambiguous_header` when both are — two families in one request means two readers
/// could pick two different sets of rules.
template <class Headers>
[[nodiscard]] inline result<const profile*> detect_profile(const Headers& headers) noexcept {
  const profile* found = nullptr;
  for (const profile* p : detectable_profiles) {
    if (!detail::has_header_family(headers, *p)) continue;
    if (found != nullptr) return errc::ambiguous_header;
    found = p;
  }
  return found;
}

/// The profile to verify a request under: `chosen` when the caller named one, otherwise
/// the detected one, otherwise ai_stats (the seed's profile: its rejection then names the
/// `x-ai-stats-*` header it looked for, and unsigned deliveries keep the rules they always
/// had).
template <class Headers>
[[nodiscard]] inline result<const profile*> select_profile(const Headers& headers, const profile* chosen) noexcept {
  if (chosen != nullptr) return chosen;
  auto found = detect_profile(headers);
  if (!found) return found.error();
  return *found != nullptr ? *found : &profiles::ai_stats;
}

// --- one pass: the profile and its delivery headers (PROTOCOL.md §9, §15) ---------------

/// What `scan_delivery_headers` found: the profile to verify under and, for a service
/// profile, its delivery headers.
struct delivery_header_scan {
  /// The profile given, or the detected one (`select_profile`).
  const profile* prof = &profiles::ai_stats;
  /// The delivery headers under `prof`'s prefix (service profiles only; a Standard
  /// Webhooks profile reads its own three headers, `collect_webhook_headers`).
  raw_delivery_headers raw;
  /// `collect_delivery_headers`'s error for `prof` (`ambiguous_header`: one of its headers
  /// repeated with different values), kept so the caller reports it where it reads the
  /// headers, after the checks that come first (verify.hpp); `ok` otherwise.
  errc deferred = errc::ok;
};

namespace detail {
// ASCII lower case of one byte (bytes >= 0x80 unchanged).
constexpr char lower_ascii(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// A lower-case constant of 8 or more bytes, compared ASCII case-insensitively with two
// overlapping 8-byte loads (the first and the last 8 bytes). A byte b equals the constant's
// byte c in any case exactly when (b | m) == c, with m = 0x20 where c is a letter and 0
// elsewhere: only 'X' and 'x' become 'x', and a non-letter must match exactly — what
// `iequals_lower` decides, in four operations per word instead of its range tests.
struct icase_constant {
  std::uint64_t head = 0, head_mask = 0, tail = 0, tail_mask = 0;
  std::size_t size = 0;
};
// The 8 bytes of `s` at `at` as one word in the order memcpy loads them (or their
// case masks).
constexpr std::uint64_t constant_word(std::string_view s, std::size_t at, bool mask) noexcept {
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const char c = s[at + i];
    const unsigned v = mask ? (c >= 'a' && c <= 'z' ? 0x20u : 0u) : static_cast<unsigned char>(c);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w |= static_cast<std::uint64_t>(v) << (8 * (7 - i));
#else
    w |= static_cast<std::uint64_t>(v) << (8 * i);
#endif
  }
  return w;
}
constexpr icase_constant make_icase_constant(std::string_view s) noexcept {
  icase_constant c;
  if (s.size() < 8) return c;  // size 0: never used (callers check `size >= 8`)
  c.head = constant_word(s, 0, false);
  c.head_mask = constant_word(s, 0, true);
  c.tail = constant_word(s, s.size() - 8, false);
  c.tail_mask = constant_word(s, s.size() - 8, true);
  c.size = s.size();
  return c;
}
// True when the `c.size` bytes at `p` equal `c`, ASCII case-insensitively.
inline bool icase_equal(const char* p, const icase_constant& c) noexcept {
  std::uint64_t a, b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + c.size - 8, 8);
  return ((a | c.head_mask) == c.head) & ((b | c.tail_mask) == c.tail);
}

// The service profiles' prefixes and the delivery header suffixes as such constants.
inline constexpr icase_constant ai_stats_prefix = make_icase_constant(profiles::ai_stats.header_prefix);
inline constexpr icase_constant phaseo_prefix = make_icase_constant(profiles::phaseo.header_prefix);
inline constexpr icase_constant suffix_event_id = make_icase_constant(header_suffix::event_id);
inline constexpr icase_constant suffix_timestamp = make_icase_constant(header_suffix::timestamp);
inline constexpr icase_constant suffix_signature = make_icase_constant(header_suffix::signature);
inline constexpr icase_constant suffix_event_type = make_icase_constant(header_suffix::event_type);
inline constexpr icase_constant suffix_delivery_key = make_icase_constant(header_suffix::delivery_key);
inline constexpr icase_constant suffix_max_attempts = make_icase_constant(header_suffix::max_attempts);
// The one suffix under 8 bytes, with the `-` that ends both service prefixes before it.
inline constexpr icase_constant dash_attempt = make_icase_constant("-attempt");
static_assert(ai_stats_prefix.size >= 8 && phaseo_prefix.size >= 8, "the service prefixes are compared as two words");
static_assert(profiles::ai_stats.header_prefix.back() == '-' && profiles::phaseo.header_prefix.back() == '-' &&
                  header_suffix::attempt.size() == 7,
              "`attempt` is compared with the prefix's last byte");

// `raw_slot` with the constants above (the same dispatch on the length), for the suffix
// after one of the two service prefixes (the byte before it is that prefix's `-`).
inline std::optional<std::string_view>* raw_slot_fast(raw_delivery_headers& r, const char* p, std::size_t n) noexcept {
  switch (n) {
    case 7: return icase_equal(p - 1, dash_attempt) ? &r.attempt : nullptr;
    case 8: return icase_equal(p, suffix_event_id) ? &r.event_id : nullptr;
    case 9:
      if (icase_equal(p, suffix_timestamp)) return &r.timestamp;
      return icase_equal(p, suffix_signature) ? &r.signature : nullptr;
    case 10: return icase_equal(p, suffix_event_type) ? &r.event_type : nullptr;
    case 12:
      if (icase_equal(p, suffix_delivery_key)) return &r.delivery_key;
      return icase_equal(p, suffix_max_attempts) ? &r.max_attempts : nullptr;
    default: return nullptr;
  }
}

// The slot of `name` among the delivery headers of the service profile `prof` (the one
// `collect_delivery_headers` fills), or nullptr when it is none of them.
inline std::optional<std::string_view>* service_slot(std::string_view name, const profile& prof,
                                                     raw_delivery_headers& raw) noexcept {
  const icase_constant* known = &prof == &profiles::ai_stats ? &ai_stats_prefix
                                : &prof == &profiles::phaseo ? &phaseo_prefix
                                                             : nullptr;
  if (known != nullptr) {
    if (name.size() <= known->size || !icase_equal(name.data(), *known)) return nullptr;
    return raw_slot_fast(raw, name.data() + known->size, name.size() - known->size);
  }
  const std::string_view prefix = prof.header_prefix;
  if (name.size() <= prefix.size() || !iequals_lower(name.substr(0, prefix.size()), prefix)) return nullptr;
  return raw_slot(raw, name.substr(prefix.size()));
}

// True when `name` is one of the Standard Webhooks headers of `prof` (either family).
inline bool is_webhook_family_header(std::string_view name, const profile& prof) noexcept {
  raw_webhook_headers a, b;
  std::string_view rest;
  raw_webhook_headers* family = webhook_family_of(name, prof, a, b, rest);
  return family != nullptr && webhook_slot(*family, rest) != nullptr;
}

// The detectable families by the first byte of their prefixes (the dispatch below).
static_assert(detectable_profiles[0] == &profiles::phaseo && detectable_profiles[1] == &profiles::ai_stats &&
                  detectable_profiles[2] == &profiles::standard && std::size(detectable_profiles) == 3,
              "scan_delivery_headers dispatches on these three families");
static_assert(profiles::phaseo.header_prefix[0] == 'x' && profiles::ai_stats.header_prefix[0] == 'x' &&
                  profiles::standard.header_prefix[0] == 'w' && profiles::standard.alt_header_prefix[0] == 's',
              "scan_delivery_headers dispatches on the first byte of the prefixes");
}  // namespace detail

/// `select_profile(headers, chosen)` and, for the service profile selected,
/// `collect_delivery_headers` of it, in one pass over a range of headers (a lookup
/// callable is asked as those two ask it): the verifier's hot path reads every request
/// header once, where detection and collection read each four times. The verdicts are
/// theirs: two families present is `ambiguous_header` (returned), a header of the
/// selected family repeated with different values is `out.deferred` (see above). Under
/// `auto` a name is dispatched on its first byte, so a header of no family
/// (`content-type`, `user-agent`) costs one comparison.
template <class Headers>
[[nodiscard]] inline void_result scan_delivery_headers(const Headers& headers, const profile* chosen,
                                                       delivery_header_scan& out) noexcept {
  out = delivery_header_scan();
  if constexpr (detail::is_header_callable<Headers>::value) {
    auto selected = select_profile(headers, chosen);
    if (!selected) return selected.error();
    out.prof = *selected;
    if (out.prof->scheme != signature_scheme::webhooks) {
      auto raw = collect_delivery_headers(headers, *out.prof);
      if (raw) out.raw = *raw;
      else out.deferred = raw.code();
    }
    return {};
  } else {
    static_assert(detail::is_header_range<Headers>::value,
                  "headers must be a range of (name, value) pairs or a lookup callable");
    // `chosen`, or the family seen first (auto); a second family is `ambiguous_header`,
    // as `detect_profile` says (whichever family comes first, the verdict is the same).
    const profile* family = chosen;
    const bool service_chosen = chosen != nullptr && chosen->scheme != signature_scheme::webhooks;
    for (const auto& entry : headers) {
      const std::string_view name(std::get<0>(entry));
      if (name.empty()) continue;
      std::optional<std::string_view>* slot = nullptr;
      if (chosen != nullptr) {
        if (!service_chosen) break;  // a Standard Webhooks profile reads its own headers
        slot = detail::service_slot(name, *chosen, out.raw);
        if (slot == nullptr) continue;
      } else {
        const profile* found = nullptr;
        switch (detail::lower_ascii(name[0])) {
          case 'x': {
            // `service_slot` for the two service prefixes, written out for the hot path.
            const detail::icase_constant& ai = detail::ai_stats_prefix;
            const detail::icase_constant& ph = detail::phaseo_prefix;
            if (name.size() > ai.size && detail::icase_equal(name.data(), ai)) {
              slot = detail::raw_slot_fast(out.raw, name.data() + ai.size, name.size() - ai.size);
              if (slot != nullptr) found = &profiles::ai_stats;
            } else if (name.size() > ph.size && detail::icase_equal(name.data(), ph)) {
              slot = detail::raw_slot_fast(out.raw, name.data() + ph.size, name.size() - ph.size);
              if (slot != nullptr) found = &profiles::phaseo;
            }
            break;
          }
          case 'w':
          case 's':
            if (detail::is_webhook_family_header(name, profiles::standard)) found = &profiles::standard;
            break;
          default: break;
        }
        if (found == nullptr) continue;
        if (family == nullptr) family = found;
        else if (family != found) return errc::ambiguous_header;
        if (slot == nullptr) continue;  // a Standard Webhooks header: read by its own path
      }
      const std::string_view value(std::get<1>(entry));
      if (!*slot) *slot = value;
      else if (**slot != value) out.deferred = errc::ambiguous_header;
    }
    out.prof = family != nullptr ? family : &profiles::ai_stats;
    return {};
  }
}

namespace detail {
/// The attempt and max-attempts headers of `raw` into `out`, checked together (one reading
/// for parse_delivery_headers and verify.hpp's header/body agreement).
inline void_result read_attempt_counts(const raw_delivery_headers& raw, delivery_headers& out) noexcept {
  if (raw.attempt) {
    auto a = parse_attempt_number(*raw.attempt);
    if (!a) return a.error();
    out.attempt = *a;
  }
  if (raw.max_attempts) {
    auto m = parse_attempt_number(*raw.max_attempts);
    if (!m) return m.error();
    out.max_attempts = *m;
  }
  if (out.attempt && out.max_attempts && *out.attempt > *out.max_attempts) return errc::attempt_exceeds_max;
  return {};
}
}  // namespace detail

/// Strictly parses collected metadata headers: `malformed_header` for an invalid value,
/// `attempt_exceeds_max` when both counts are present and attempt > max attempts.
inline result<delivery_headers> parse_delivery_headers(const raw_delivery_headers& raw,
                                                       const profile& prof = profiles::ai_stats) noexcept {
  delivery_headers out;
  if (raw.event_id) {
    if (!is_valid_event_id(*raw.event_id)) return errc::malformed_header;
    out.event_id = *raw.event_id;
  }
  if (raw.event_type) {
    auto t = parse_event_type(*raw.event_type, prof);
    if (!t) return errc::malformed_header;
    out.type = *t;
  }
  if (raw.delivery_key) {
    auto k = parse_delivery_key(*raw.delivery_key, prof);
    if (!k) return errc::malformed_header;
    out.key = *k;
  }
  if (void_result st = detail::read_attempt_counts(raw, out); !st) return st.error();
  return out;
}

/// Reads and strictly parses the metadata headers under `prof`'s prefix (see
/// `collect_delivery_headers` and the overload above for the errors).
template <class Headers>
inline result<delivery_headers> parse_delivery_headers(const Headers& headers,
                                                       const profile& prof = profiles::ai_stats) noexcept {
  auto raw = collect_delivery_headers(headers, prof);
  if (!raw) return raw.error();
  return parse_delivery_headers(*raw, prof);
}

}  // namespace jobwire
