// jobwire — strict, zero-copy JSON reader (RFC 8259).
//
// Two steps. `json::parse` validates the whole text in one pass — grammar, UTF-8, escapes
// and surrogate pairs, duplicate keys, and the limits below — without allocating for any
// document whose open objects hold at most `detail::inline_keys` keys in total. It returns
// a `json::value`, a view of the first byte of the root value. Views navigate the
// already-validated text lazily: they never copy and never allocate, and they are only
// valid while the caller's buffer is.
//
// Strictness (PROTOCOL.md is JSON over HTTP; ENGINEERING.md "strict by default"): no
// comments, no trailing commas, no byte-order mark, no NaN/Infinity, no leading zeros or
// '+', no control characters in strings, no invalid UTF-8 or lone surrogate escapes, and
// no object with the same key twice (compared after unescaping) — a duplicated key would
// let two parsers see two different deliveries in the same signed bytes.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "byte_scan.hpp"
#include "error.hpp"
#include "leniency.hpp"
#include "result.hpp"
#include "utf8.hpp"

// Default limits of the JSON reader. Each is a resource limit (a policy guarding memory and
// CPU, not a fact of RFC 8259), so a build may override it with -D; jobwire's tiny-limits
// CI build (JOBWIRE_TINY_LIMITS, values in cmake/tiny_limits.cmake) sets all of them very
// small so that every limit path runs. Override them for a whole program, never per
// translation unit: the defaults are baked into inline functions (ODR).
#ifndef JOBWIRE_JSON_DEFAULT_MAX_BYTES
#  define JOBWIRE_JSON_DEFAULT_MAX_BYTES (8u * 1024u * 1024u)
#endif
#ifndef JOBWIRE_JSON_DEFAULT_MAX_DEPTH
#  define JOBWIRE_JSON_DEFAULT_MAX_DEPTH 64u
#endif
#ifndef JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES
#  define JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES (1024u * 1024u)
#endif
#ifndef JOBWIRE_JSON_DEFAULT_MAX_MEMBERS
#  define JOBWIRE_JSON_DEFAULT_MAX_MEMBERS 10000u
#endif

// How strings are scanned for the bytes that need a look (a quote, a backslash, a control
// or non-ASCII byte): 16 bytes at a time with SSE2 (the x86-64 baseline, so no run-time
// check is needed), or 8 bytes at a time in portable C++ (SWAR). Both give the same
// results, and the tests run in both; define JOBWIRE_JSON_SIMD=0 for the portable scan
// (byte_scan.hpp).

namespace jobwire {
namespace json {

/// The string scan this build uses: "sse2" or "portable" (see JOBWIRE_JSON_SIMD).
constexpr std::string_view scan_mode() noexcept { return JOBWIRE_JSON_SIMD ? "sse2" : "portable"; }

/// Upper bound for `limits::max_depth`; larger values are clamped to it. The validator
/// keeps one byte of state per open level on the stack.
constexpr std::size_t hard_max_depth = 256;

static_assert(JOBWIRE_JSON_DEFAULT_MAX_BYTES >= 2, "JOBWIRE_JSON_DEFAULT_MAX_BYTES must admit a JSON text ({})");
static_assert(JOBWIRE_JSON_DEFAULT_MAX_DEPTH >= 1 && JOBWIRE_JSON_DEFAULT_MAX_DEPTH <= hard_max_depth,
              "JOBWIRE_JSON_DEFAULT_MAX_DEPTH must be in 1..hard_max_depth");
static_assert(JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES >= 1, "JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES must be at least 1");
static_assert(JOBWIRE_JSON_DEFAULT_MAX_MEMBERS >= 1, "JOBWIRE_JSON_DEFAULT_MAX_MEMBERS must be at least 1");

/// Limits and leniencies for `parse`. Limit defaults are named constants; a caller may
/// lower them (or raise them, up to `hard_max_depth` for depth).
struct options {
  std::size_t max_bytes = JOBWIRE_JSON_DEFAULT_MAX_BYTES;                ///< whole input
  std::size_t max_depth = JOBWIRE_JSON_DEFAULT_MAX_DEPTH;                ///< nested arrays/objects
  std::size_t max_string_bytes = JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES;  ///< raw bytes of one string
  std::size_t max_members = JOBWIRE_JSON_DEFAULT_MAX_MEMBERS;            ///< entries of one array/object
  /// Opt-in leniencies (leniency.hpp); the reader reads `lenient::duplicate_keys` only.
  /// RFC 8259 only says names SHOULD be unique, so a text with a repeated key is
  /// well-formed JSON; jobwire rejects it by default because two readers may pick
  /// different values from the same signed bytes. With the flag, `object::find` returns
  /// the first occurrence.
  lenient leniency = lenient::none;
};
/// The same struct under the name most call sites use for it.
using limits = options;

enum class kind : std::uint8_t { null, boolean, number, string, array, object };

constexpr std::string_view kind_name(kind k) noexcept {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
  }
  return "unknown";
}

namespace detail {

constexpr std::size_t inline_keys = 128;

constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

JOBWIRE_JSON_HOT_INLINE const char* skip_ws(const char* p, const char* end) noexcept {
  // Every whitespace byte is <= ' ', and compact JSON (what senders write) has none
  // between tokens: one comparison settles the common case.
  while (p < end && static_cast<unsigned char>(*p) <= ' ' && is_ws(*p)) ++p;
  return p;
}

/// Whitespace skip over validated text: a validated container always ends with its
/// closing bracket, so the scan needs no end bound.
inline const char* skip_ws_validated(const char* p) noexcept {
  while (static_cast<unsigned char>(*p) <= ' ' && is_ws(*p)) ++p;
  return p;
}

using jobwire::detail::swar_high;
using jobwire::detail::swar_ones;
/// Per-byte flags of the bytes of `w` (8 bytes loaded with memcpy) equal to `c`: the SWAR
/// "has zero byte" test on `w ^ c`, which sets the high bit of each such byte. Exact for
/// the first flagged byte in memory order (see first_flagged_byte); the string scans of the
/// validator and of the payload readers use it to find the next quote or backslash.
constexpr std::uint64_t bytes_equal_to(std::uint64_t w, char c) noexcept {
  const std::uint64_t x = w ^ (swar_ones * static_cast<unsigned char>(c));
  return (x - swar_ones) & ~x & swar_high;
}

/// Index (0..7) in memory order of the first byte whose high bit is set in `mask`, a
/// word of per-byte flags computed with the SWAR "has zero byte" / "has byte less than"
/// tests on 8 bytes loaded with memcpy. Those tests are exact for the lowest-addressed
/// flagged byte on a little-endian machine (a borrow only runs towards higher bytes, so
/// only bytes *after* a real hit can be false positives). On a big-endian machine the
/// borrow runs the other way, so 0 is returned and the caller looks at the bytes one by
/// one, which is always correct. `mask` must be non-zero.
inline std::size_t first_flagged_byte(std::uint64_t mask) noexcept {
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  if defined(__GNUC__) || defined(__clang__)
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#  else
  std::size_t i = 0;
  while ((mask & 0x80u) == 0) {
    mask >>= 8;
    ++i;
  }
  return i;
#  endif
#else
  (void)mask;
  return 0;
#endif
}

/// The SWAR flags of the bytes of `w` that end a run of plain string bytes: '"', '\\',
/// below 0x20, and 0x80 and above (the classic "has zero byte"/"has byte less than" tests,
/// which are exact for the first flagged byte). `quote_or_backslash` only flags the two.
constexpr std::uint64_t string_stops(std::uint64_t w) noexcept {
  const std::uint64_t has_control = (w - swar_ones * 0x20) & ~w & swar_high;
  return bytes_equal_to(w, '"') | bytes_equal_to(w, '\\') | has_control | (w & swar_high);
}

/// The first byte at or after `p` that is a quote, a backslash, below 0x20 or above 0x7F,
/// scanning whole blocks only: when fewer than a block's bytes are left and none of
/// the scanned ones stops, returns where the scan stopped (fewer than 8 bytes before `end`),
/// and the caller looks at the rest byte by byte. With `Controls` false only quotes and
/// backslashes stop it (strings of validated text).
#if JOBWIRE_JSON_SIMD
/// The index of the lowest set bit of `m` (non-zero).
inline unsigned lowest_set_bit(unsigned m) noexcept {
#  if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctz(m));
#  else
  unsigned i = 0;
  while ((m & 1u) == 0) {
    m >>= 1;
    ++i;
  }
  return i;
#  endif
}
#endif

template <bool Controls>
JOBWIRE_JSON_HOT_INLINE const char* plain_run(const char* p, const char* end) noexcept {
#if JOBWIRE_JSON_SIMD
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash));
    // Signed: every byte from 0x80 up is negative, so "less than 0x20" flags it too.
    if (Controls) stop = _mm_or_si128(stop, _mm_cmplt_epi8(x, space));
    if (const int m = _mm_movemask_epi8(stop)) return p + lowest_set_bit(static_cast<unsigned>(m));
    p += 16;
  }
#endif
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t m = Controls ? string_stops(w) : (bytes_equal_to(w, '"') | bytes_equal_to(w, '\\'));
    if (m) return p + first_flagged_byte(m);
    p += 8;
  }
  return p;
}

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::uint32_t read_hex4(const char* p) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 4) | static_cast<std::uint32_t>(hex_value(p[i]));
  return v;
}

/// Length of the UTF-8 encoding of `cp`, writing it to `out` (room for 4 bytes).
inline std::size_t encode_utf8(std::uint32_t cp, char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

/// Decodes the escaped string body [p, end) (already validated) one UTF-8 byte chunk at a
/// time. Used for comparing, hashing and copying strings that contain escapes.
class unescaper {
 public:
  unescaper(const char* p, const char* end) noexcept : p_(p), end_(end) {}
  /// Next decoded byte; false at the end.
  bool next(char& out) noexcept {
    if (pending_pos_ < pending_len_) {
      out = pending_[pending_pos_++];
      return true;
    }
    if (p_ >= end_) return false;
    if (*p_ != '\\') {
      out = *p_++;
      return true;
    }
    char e = p_[1];
    p_ += 2;
    switch (e) {
      case 'b': out = '\b'; return true;
      case 'f': out = '\f'; return true;
      case 'n': out = '\n'; return true;
      case 'r': out = '\r'; return true;
      case 't': out = '\t'; return true;
      case 'u': {
        std::uint32_t cp = read_hex4(p_);
        p_ += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low surrogate escape follows
          std::uint32_t lo = read_hex4(p_ + 2);
          p_ += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        pending_len_ = encode_utf8(cp, pending_);
        pending_pos_ = 1;
        out = pending_[0];
        return true;
      }
      default: out = e; return true;  // '"', '\\', '/'
    }
  }

 private:
  const char* p_;
  const char* end_;
  char pending_[4] = {};
  std::size_t pending_len_ = 0;
  std::size_t pending_pos_ = 0;
};

/// The first byte at or after `p` (before `end`) that is not an ASCII digit, 8 bytes at a
/// time: a byte is flagged when it is 0x3A or more (adding 0x46 sets its high bit), below
/// 0x30 (subtracting 0x30 borrows) or non-ASCII. A carry or borrow only runs from a
/// flagged byte towards later ones, so the first flagged byte is exact.
inline const char* skip_digits(const char* p, const char* end) noexcept {
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t m = ((w + swar_ones * 0x46) | (w - swar_ones * 0x30) | w) & swar_high;
    if (m) {
      p += first_flagged_byte(m);  // 0 on a big-endian machine: the loop below decides
      break;
    }
    p += 8;
  }
  while (p < end && is_digit(*p)) ++p;
  return p;
}

/// A loop, not find_first_of: numbers are a few bytes, and the search is three library
/// calls.
inline bool has_fraction_or_exponent(std::string_view number) noexcept {
  for (char c : number)
    if (c == '.' || c == 'e' || c == 'E') return true;
  return false;
}

/// A validated number's text that is a short integer — an optional '-' and 1 to
/// `max_digits` digits, nothing else — as its magnitude and sign, without the library
/// conversion (what payloads mostly carry: attempts, percentages, timestamps). One loop
/// reads the digits and finds a fraction or an exponent (the first byte that is no digit).
JOBWIRE_JSON_HOT_INLINE bool short_integer(std::string_view text, std::size_t max_digits, std::uint64_t& magnitude,
                                           bool& negative) noexcept {
  negative = text[0] == '-';
  const std::size_t digits = text.size() - (negative ? 1 : 0);
  if (digits < 1 || digits > max_digits) return false;
  std::uint64_t v = 0;
  std::size_t i = negative ? 1 : 0;
  for (; i < text.size() && is_digit(text[i]); ++i) v = v * 10 + static_cast<std::uint64_t>(text[i] - '0');
  magnitude = v;
  return i == text.size();
}

/// The value of a validated number's text (`value::get_double`, and the payload readers,
/// which know where a number they just validated ends).
inline result<double> number_as_double(std::string_view text) noexcept {
  // Up to 15 digits are exact in a double (below 2^53).
  std::uint64_t v = 0;
  bool neg = false;
  if (short_integer(text, 15, v, neg)) return neg ? -static_cast<double>(v) : static_cast<double>(v);
  double out = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  if (r.ec == std::errc::result_out_of_range) return errc::json_number_out_of_range;
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return errc::json_invalid_number;
  return out;
}

/// number_as_integer beyond its inline short path: a fraction or an exponent, or a long
/// integer (the library conversion, with its range check).
template <class Int>
result<Int> number_as_integer_general(std::string_view text) noexcept {
  if (has_fraction_or_exponent(text)) return errc::json_not_integer;
  Int out = 0;
  const char* b = text.data();
  // from_chars for unsigned types rejects '-', which is what we want ("-0" aside).
  if (std::is_unsigned<Int>::value && text == "-0") return Int{0};
  auto r = std::from_chars(b, b + text.size(), out);
  if (r.ec == std::errc::result_out_of_range) return errc::json_number_out_of_range;
  if (r.ec != std::errc() || r.ptr != b + text.size()) return errc::json_number_out_of_range;
  return out;
}

/// The same as an integer: integer grammar (no fraction, no exponent) and in range.
template <class Int>
JOBWIRE_JSON_HOT_INLINE result<Int> number_as_integer(std::string_view text) noexcept {
  // Up to 18 digits fit any 64-bit integer; a negative one for an unsigned type is the
  // general path's to refuse ("-0" aside).
  std::uint64_t v = 0;
  bool neg = false;
  if (sizeof(Int) == 8 && short_integer(text, 18, v, neg) && (!neg || std::is_signed<Int>::value))
    return neg ? static_cast<Int>(-static_cast<std::int64_t>(v)) : static_cast<Int>(v);
  return number_as_integer_general<Int>(text);
}

/// Skips a validated string starting after its opening quote; returns the pointer to the
/// closing quote and sets `escaped` when a backslash was seen.
inline const char* skip_string_body(const char* p, bool& escaped) noexcept {
  escaped = false;
  for (;;) {
    char c = *p;
    if (c == '"') return p;
    if (c == '\\') {
      escaped = true;
      p += 2;
      continue;
    }
    ++p;
  }
}

/// Skips one validated value starting at `p` (no leading whitespace); returns the pointer
/// just past it.
inline const char* skip_value(const char* p) noexcept {
  switch (*p) {
    case '"': {
      bool esc;
      return skip_string_body(p + 1, esc) + 1;
    }
    case '{':
    case '[': {
      std::size_t depth = 0;
      for (;;) {
        char c = *p;
        if (c == '"') {
          bool esc;
          p = skip_string_body(p + 1, esc) + 1;
          continue;
        }
        ++p;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return p;
        }
      }
    }
    case 't': return p + 4;
    case 'f': return p + 5;
    case 'n': return p + 4;
    default: {  // number
      ++p;
      for (;;) {
        char c = *p;
        if (is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          ++p;
          continue;
        }
        return p;
      }
    }
  }
}

}  // namespace detail

class value;
class string;
class object;
class array;

namespace detail {
// The views below (string, value, object, array) point into text that the validator
// accepted: their accessors skip over strings and values without bounds checks, which is
// safe only there. So only the readers of validated text make them — `parse`, the views'
// own accessors and iterators, the validator, and payload.hpp's walkers over a validated
// payload — through this one door; a caller cannot point a view at arbitrary bytes.
// Default-constructed views are "absent" (no text) and stay public.
struct view_access {
  static inline string make_string(const char* raw, std::size_t len, bool escaped) noexcept;
  static inline value make_value(const char* p) noexcept;
  static inline value make_root(const char* p, const char* end) noexcept;
  static inline object make_object(const char* open_brace) noexcept;
  static inline array make_array(const char* open_bracket) noexcept;
};
}  // namespace detail

/// A JSON string as it appears in the input: `raw()` is the text between the quotes,
/// escapes included. `has_escapes()` tells whether `raw()` equals the decoded string.
/// Made by the parser only (see detail::view_access); a default one is empty.
class string {
 public:
  constexpr string() noexcept = default;

  constexpr std::string_view raw() const noexcept { return {raw_, len_}; }
  constexpr bool has_escapes() const noexcept { return escaped_; }
  constexpr bool empty() const noexcept { return len_ == 0; }

  /// True when the decoded string equals `s` byte for byte. Allocation-free.
  bool equals(std::string_view s) const noexcept {
    if (!escaped_) return raw() == s;
    detail::unescaper u(raw_, raw_ + len_);
    std::size_t i = 0;
    char c;
    while (u.next(c)) {
      if (i >= s.size() || s[i] != c) return false;
      ++i;
    }
    return i == s.size();
  }
  bool operator==(std::string_view s) const noexcept { return equals(s); }
  bool operator!=(std::string_view s) const noexcept { return !equals(s); }
  bool operator==(const string& o) const noexcept {
    if (!escaped_ && !o.escaped_) return raw() == o.raw();
    detail::unescaper a(raw_, raw_ + len_), b(o.raw_, o.raw_ + o.len_);
    char ca = 0, cb = 0;  // set by next() whenever it returns true; GCC -O3 cannot see that
    for (;;) {
      bool ha = a.next(ca), hb = b.next(cb);
      if (ha != hb) return false;
      if (!ha) return true;
      if (ca != cb) return false;
    }
  }

  /// Number of bytes of the decoded string.
  std::size_t decoded_size() const noexcept {
    if (!escaped_) return len_;
    detail::unescaper u(raw_, raw_ + len_);
    std::size_t n = 0;
    char c;
    while (u.next(c)) ++n;
    return n;
  }

  /// Writes the decoded string to `out` (capacity `cap`); returns the decoded size. When
  /// the result is larger than `cap`, only `cap` bytes are written (check the return).
  std::size_t decode_to(char* out, std::size_t cap) const noexcept {
    detail::unescaper u(raw_, raw_ + len_);
    std::size_t n = 0;
    char c;
    while (u.next(c)) {
      if (n < cap) out[n] = c;
      ++n;
    }
    return n;
  }

  /// The decoded string, owned. Allocates; use `raw()`/`equals()` on hot paths.
  std::string to_string() const {
    if (!escaped_) return std::string(raw_, len_);
    std::string out;
    out.reserve(len_);
    detail::unescaper u(raw_, raw_ + len_);
    char c;
    while (u.next(c)) out.push_back(c);
    return out;
  }

 private:
  friend struct detail::view_access;
  constexpr string(const char* raw, std::size_t len, bool escaped) noexcept : raw_(raw), len_(len), escaped_(escaped) {}

  const char* raw_ = "";
  std::size_t len_ = 0;
  bool escaped_ = false;
};

/// A view of one validated JSON value. A default-constructed value is "absent": it is
/// what `object::find` returns for a missing key, and `exists()` is false. Any other value
/// is made by the parser only (see detail::view_access).
class value {
 public:
  constexpr value() noexcept = default;

  constexpr bool exists() const noexcept { return p_ != nullptr; }
  constexpr explicit operator bool() const noexcept { return exists(); }

  /// Type of an existing value (check `exists()` first).
  kind type() const noexcept {
    switch (*p_) {
      case '"': return kind::string;
      case '{': return kind::object;
      case '[': return kind::array;
      case 't':
      case 'f': return kind::boolean;
      case 'n': return kind::null;
      default: return kind::number;
    }
  }
  bool is(kind k) const noexcept { return exists() && type() == k; }
  // One byte tells each kind (the readers ask these for every field they read).
  bool is_null() const noexcept { return exists() && *p_ == 'n'; }
  bool is_string() const noexcept { return exists() && *p_ == '"'; }
  bool is_number() const noexcept { return exists() && (*p_ == '-' || detail::is_digit(*p_)); }
  bool is_bool() const noexcept { return exists() && (*p_ == 't' || *p_ == 'f'); }
  bool is_object() const noexcept { return exists() && *p_ == '{'; }
  bool is_array() const noexcept { return exists() && *p_ == '['; }

  /// The value's exact text in the input.
  std::string_view raw() const noexcept {
    if (!p_) return {};
    if (end_ && type() == kind::number) {
      const char* q = p_ + 1;
      while (q < end_ && (detail::is_digit(*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-')) ++q;
      return {p_, static_cast<std::size_t>(q - p_)};
    }
    return {p_, static_cast<std::size_t>(detail::skip_value(p_) - p_)};
  }
  /// Byte pointer of the value's first character (for error offsets).
  constexpr const char* data() const noexcept { return p_; }

  result<bool> get_bool() const noexcept {
    if (!is_bool()) return errc::json_type_mismatch;
    return *p_ == 't';
  }

  result<string> get_string() const noexcept {
    if (!is_string()) return errc::json_type_mismatch;
    bool esc;
    const char* close = detail::skip_string_body(p_ + 1, esc);
    return detail::view_access::make_string(p_ + 1, static_cast<std::size_t>(close - (p_ + 1)), esc);
  }

  /// Integer read: the number must use integer grammar (no fraction, no exponent) and fit.
  result<std::int64_t> get_int64() const noexcept { return get_integer<std::int64_t>(); }
  result<std::uint64_t> get_uint64() const noexcept { return get_integer<std::uint64_t>(); }

  /// Exact, locale-independent conversion (std::from_chars). Out of range → error.
  result<double> get_double() const noexcept {
    if (!is_number()) return errc::json_type_mismatch;
    return detail::number_as_double(raw());
  }

  /// True when the number is written with integer grammar.
  bool is_integer_text() const noexcept {
    if (!is_number()) return false;
    return !detail::has_fraction_or_exponent(raw());
  }

  inline result<object> get_object() const noexcept;
  inline result<array> get_array() const noexcept;

 private:
  template <class Int>
  result<Int> get_integer() const noexcept {
    if (!is_number()) return errc::json_type_mismatch;
    return detail::number_as_integer<Int>(raw());
  }

  friend struct detail::view_access;
  explicit constexpr value(const char* p) noexcept : p_(p) {}
  /// A root value: `end` bounds the scan of a top-level number, which (unlike anything
  /// inside a container) may end exactly at the end of the caller's buffer.
  constexpr value(const char* p, const char* end) noexcept : p_(p), end_(end) {}

  const char* p_ = nullptr;
  const char* end_ = nullptr;  ///< set for root values only (see the two-argument constructor)
};

/// One member of an object.
struct member {
  json::string key;
  json::value value;
};

/// A validated JSON object. Iteration yields members in document order.
class object {
 public:
  constexpr object() noexcept = default;

  class iterator {
   public:
    constexpr iterator() noexcept = default;
    explicit iterator(const char* member_start) noexcept : p_(member_start) { load(); }
    const member& operator*() const noexcept { return m_; }
    const member* operator->() const noexcept { return &m_; }
    iterator& operator++() noexcept {
      const char* q = detail::skip_ws_validated(detail::skip_value(m_.value.data()));
      if (*q == ',') {
        p_ = detail::skip_ws_validated(q + 1);
        load();
      } else {
        p_ = nullptr;
      }
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.p_ != b.p_; }

   private:
    void load() noexcept {
      if (!p_) return;
      bool esc;
      const char* close = detail::skip_string_body(p_ + 1, esc);
      m_.key = detail::view_access::make_string(p_ + 1, static_cast<std::size_t>(close - (p_ + 1)), esc);
      const char* colon = detail::skip_ws_validated(close + 1);
      m_.value = detail::view_access::make_value(detail::skip_ws_validated(colon + 1));
    }
    const char* p_ = nullptr;
    member m_{};
  };

  iterator begin() const noexcept {
    const char* q = detail::skip_ws_validated(p_ + 1);
    return *q == '}' ? iterator() : iterator(q);
  }
  iterator end() const noexcept { return iterator(); }
  bool empty() const noexcept { return begin() == end(); }
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
  }

  /// The value of `key` (compared after unescaping), or an absent value. Keys are unique
  /// in validated text, so the first match is the only one.
  json::value find(std::string_view key) const noexcept {
    for (const member& m : *this)
      if (m.key.equals(key)) return m.value;
    return json::value();
  }
  json::value operator[](std::string_view key) const noexcept { return find(key); }

  std::string_view raw() const noexcept { return detail::view_access::make_value(p_).raw(); }

 private:
  friend struct detail::view_access;
  explicit constexpr object(const char* open_brace) noexcept : p_(open_brace) {}
  const char* p_ = nullptr;
};

/// A validated JSON array.
class array {
 public:
  constexpr array() noexcept = default;

  class iterator {
   public:
    constexpr iterator() noexcept = default;
    explicit iterator(const char* p) noexcept : v_(detail::view_access::make_value(p)) {}
    const json::value& operator*() const noexcept { return v_; }
    const json::value* operator->() const noexcept { return &v_; }
    iterator& operator++() noexcept {
      const char* q = detail::skip_ws_validated(detail::skip_value(v_.data()));
      v_ = (*q == ',') ? detail::view_access::make_value(detail::skip_ws_validated(q + 1)) : json::value();
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.v_.data() == b.v_.data(); }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

   private:
    json::value v_{};
  };

  iterator begin() const noexcept {
    const char* q = detail::skip_ws_validated(p_ + 1);
    return *q == ']' ? iterator() : iterator(q);
  }
  iterator end() const noexcept { return iterator(); }
  bool empty() const noexcept { return begin() == end(); }
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
  }
  /// The element at `index`, or an absent value.
  json::value at(std::size_t index) const noexcept {
    std::size_t i = 0;
    for (auto it = begin(); it != end(); ++it, ++i)
      if (i == index) return *it;
    return json::value();
  }

  std::string_view raw() const noexcept { return detail::view_access::make_value(p_).raw(); }

 private:
  friend struct detail::view_access;
  explicit constexpr array(const char* open_bracket) noexcept : p_(open_bracket) {}
  const char* p_ = nullptr;
};

inline result<object> value::get_object() const noexcept {
  if (!is_object()) return errc::json_type_mismatch;
  return detail::view_access::make_object(p_);
}
inline result<array> value::get_array() const noexcept {
  if (!is_array()) return errc::json_type_mismatch;
  return detail::view_access::make_array(p_);
}

inline string detail::view_access::make_string(const char* raw, std::size_t len, bool escaped) noexcept {
  return string(raw, len, escaped);
}
inline value detail::view_access::make_value(const char* p) noexcept { return value(p); }
inline value detail::view_access::make_root(const char* p, const char* end) noexcept { return value(p, end); }
inline object detail::view_access::make_object(const char* open_brace) noexcept { return object(open_brace); }
inline array detail::view_access::make_array(const char* open_bracket) noexcept { return array(open_bracket); }

namespace detail {

/// True when `name` is a string's text that needs no escape and no other look: printable
/// ASCII without '"' and '\\' (every declared payload field name; payload_fields.hpp checks
/// its tables with it at compile time).
constexpr bool plain_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name)
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  return true;
}

/// A plain name (plain_name) laid out for comparing keys with it: the name, its closing
/// quote and zeros, so that a key is compared in one or two 16-byte blocks (a name of 32
/// bytes or more is compared word by word).
struct key_image {
  static constexpr std::size_t room = 32;
  char bytes[room] = {};
  std::string_view name{};
  constexpr key_image() noexcept = default;
  constexpr explicit key_image(std::string_view plain) noexcept : name(plain) {
    if (plain.size() + 1 > room) return;
    for (std::size_t i = 0; i < plain.size(); ++i) bytes[i] = plain[i];
    bytes[plain.size()] = '"';
  }
};

/// Whether the string whose opening quote is at `p` (before `end`) is the plain name of
/// `k` (null: no name): its bytes, then the closing quote. Exact without a scan: no byte of
/// a plain name is a backslash, so the quote after it is not escaped and closes the string.
JOBWIRE_JSON_HOT_INLINE bool matches_plain(const char* p, const char* end, const key_image* k) noexcept {
  if (!k) return false;
  const std::size_t n = k->name.size(), avail = static_cast<std::size_t>(end - p);
  if (n == 0 || avail < n + 2) return false;
#if JOBWIRE_JSON_SIMD
  if (n + 1 <= key_image::room && avail > key_image::room) {
    const auto equal = [](const char* a, const char* b) noexcept {
      return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(a)), _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)))));
    };
    const unsigned first = equal(p + 1, k->bytes);
    if (n + 1 <= 16) {
      const unsigned want = (1u << (n + 1)) - 1;
      return (first & want) == want;
    }
    const unsigned want = (1u << (n + 1 - 16)) - 1;
    return first == 0xFFFFu && (equal(p + 17, k->bytes + 16) & want) == want;
  }
#endif
  return p[n + 1] == '"' && jobwire::detail::same_bytes(p + 1, k->name.data(), n);
}

/// The single-pass validator behind `parse`.
class validator {
 public:
  validator(std::string_view text, const limits& lim) noexcept
      : begin_(text.data()),
        end_(text.data() + text.size()),
        lim_(lim),
        max_string_bytes_(lim.max_string_bytes),
        max_members_(lim.max_members),
        hw_(text.data()) {
    max_depth_ = std::min(lim.max_depth, hard_max_depth);
  }

  void_result run() noexcept {
    if (static_cast<std::size_t>(end_ - begin_) > lim_.max_bytes)
      return error(errc::json_input_too_large, lim_.max_bytes);
    const char* p = skip_ws(begin_, end_);
    if (p == end_) return error(errc::json_empty_input, static_cast<std::size_t>(p - begin_));
    void_result st = parse_document(p);
    if (!st) return st;
    p = skip_ws(p, end_);
    if (p != end_) return fail(errc::json_trailing_content, p);
    return {};
  }

  const char* root() const noexcept { return root_; }

  // --- the fused reading ---------------------------------------------------------------
  //
  // A reader that walks a document's declared fields (member_walk and element_walk below,
  // in their validating form) validates the text as it goes with these calls, so a payload
  // is scanned once: the walk validates the structure of the objects and arrays it reads
  // (their depth, member counts and duplicate names included) and hands every other value
  // to `any_value`, which is the same grammar as `run`. Nothing is given up: a text the
  // walk accepts is one `run` accepts. `validated_to` is how far the text has been
  // validated, so a walk over a value before it knows the value is already checked.

  const char* text_end() const noexcept { return end_; }
  const char* validated_to() const noexcept { return hw_; }
  error fail_at(errc c, const char* at) const noexcept { return fail(c, at); }
  JOBWIRE_JSON_HOT_INLINE const char* ws(const char* p) const noexcept { return skip_ws(p, end_); }
  std::size_t max_members() const noexcept { return max_members_; }
  /// The string at `p` (its opening quote); advances `p` past it. A key is kept for the
  /// duplicate check of the object it belongs to (`close_object`).
  JOBWIRE_JSON_HOT_INLINE void_result string_value(const char*& p, bool is_key, bool& escaped) noexcept {
    void_result st = parse_string(p, is_key, &escaped);
    if (st) hw_ = p;
    return st;
  }
  /// The string at `p` (its opening quote) when it is the plain name of `name` (null: none),
  /// advancing `p` past it; else false, `p` unchanged. No byte of a plain name needs a look, so those bytes are a valid
  /// string — the verdict of `string_value` — for the cost of one comparison instead of a scan (a reader expecting a
  /// declared key).
  JOBWIRE_JSON_HOT_INLINE bool plain_string(const char*& p, const key_image* name) noexcept {
    if (!matches_plain(p, end_, name) || name->name.size() > max_string_bytes_) return false;
    p += name->name.size() + 2;
    hw_ = p;
    return true;
  }
  /// The colon after a key at `p`, and the value after it: `p` is left at the value. Compact
  /// JSON (what senders write) has both right there and is checked first; whitespace is
  /// skipped otherwise. The one reading of a member's separator for both readers.
  JOBWIRE_JSON_HOT_INLINE void_result colon(const char*& p) noexcept {
    if (end_ - p >= 2 && *p == ':' && static_cast<unsigned char>(p[1]) > ' ') {
      ++p;
      return {};
    }
    p = skip_ws(p, end_);
    if (p >= end_) return fail(errc::json_unexpected_end, end_);
    if (*p != ':') return fail(errc::json_unexpected_token, p);
    p = skip_ws(p + 1, end_);
    if (p >= end_) return fail(errc::json_unexpected_end, end_);
    return {};
  }
  /// Any value at `p` (p < text_end()), nested in the containers entered so far.
  void_result any_value(const char*& p) noexcept {
    void_result st = parse_document(p);
    if (st) hw_ = p;
    return st;
  }
  /// A number, `true`, `false` or `null` at `p` (p < text_end()).
  JOBWIRE_JSON_HOT_INLINE void_result scalar(const char*& p) noexcept {
    void_result st = parse_scalar(p);
    if (st) hw_ = p;
    return st;
  }
  /// Records the key `raw` (validated, `len` bytes between its quotes) for the duplicate
  /// check of the object it belongs to (`close_object`).
  void_result record_key(const char* raw, std::size_t len, bool escaped) noexcept {
    if (!push_key(key_entry{raw, static_cast<std::uint32_t>(len), key_hash(raw, len, escaped), escaped}))
      return fail(errc::out_of_memory, raw - 1);
    return {};
  }
  /// Enters the container whose bracket is at `at` (depth limit).
  void_result enter(const char* at) noexcept {
    if (depth_base_ >= max_depth_) return fail(errc::json_depth_exceeded, at);
    ++depth_base_;
    return {};
  }
  void leave() noexcept { --depth_base_; }
  /// The keys of the object being read start here.
  std::size_t key_mark() const noexcept { return key_count(); }
  /// The object whose keys start at `mark` closed at `end` (just past its brace): its names
  /// must be distinct.
  void_result close_object(std::size_t mark, const char* end) noexcept {
    void_result st = check_duplicates(mark);
    truncate_keys(mark);
    if (st) hw_ = std::max(hw_, end);
    return st;
  }
  /// The array closed at `end` (just past its bracket).
  void close_array(const char* end) noexcept { hw_ = std::max(hw_, end); }
  /// A walk that stopped early forgets the keys it recorded.
  void drop_keys(std::size_t mark) noexcept { truncate_keys(mark); }

 private:
  struct key_entry {
    const char* raw;
    std::uint32_t len;
    std::uint32_t hash;
    bool escaped;
  };

  error fail(errc c, const char* at) const noexcept { return error(c, static_cast<std::size_t>(at - begin_)); }

  /// 8 bytes as a little-endian word (the byte order the escaped path below builds).
  static std::uint64_t load_le64(const char* p) noexcept {
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
#else
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < 8; ++i) w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    return w;
#endif
  }
  /// A cheap fingerprint of a key's *decoded* bytes (its length, first and last 8 bytes),
  /// so equal keys always match whatever their escaping. It only decides which pairs get
  /// an exact comparison, so collisions cost a compare, never a wrong answer.
  std::uint32_t key_hash(const char* raw, std::size_t len, bool escaped) const noexcept {
    std::uint64_t head = 0, tail = 0;
    std::size_t n = len;
    if (!escaped) {
      if (n >= 8) {
        head = load_le64(raw);
        tail = load_le64(raw + n - 8);
      } else if (end_ - raw >= 8) {
        // A short key with 8 bytes of input from its start: one load, the bytes past the
        // key masked off (the same value as the byte loop below).
        head = load_le64(raw) & ((std::uint64_t{1} << (8 * n)) - 1);
        tail = head;
      } else {
        for (std::size_t i = 0; i < n; ++i) head |= std::uint64_t{static_cast<unsigned char>(raw[i])} << (8 * i);
        tail = head;
      }
    } else {
      // Rare: decode once, keeping the first 8 bytes and the last 8 (in a ring).
      unsigned char first[8] = {}, last[8] = {};
      n = 0;
      unescaper u(raw, raw + len);
      char c;
      while (u.next(c)) {
        if (n < 8) first[n] = static_cast<unsigned char>(c);
        last[n % 8] = static_cast<unsigned char>(c);
        ++n;
      }
      if (n >= 8) {
        for (std::size_t i = 0; i < 8; ++i) {
          head |= std::uint64_t{first[i]} << (8 * i);
          tail |= std::uint64_t{last[(n - 8 + i) % 8]} << (8 * i);
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) head |= std::uint64_t{first[i]} << (8 * i);
        tail = head;
      }
    }
    const std::uint64_t x = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ n;
    return static_cast<std::uint32_t>(x >> 32);
  }

  // --- key table (duplicate detection) ---------------------------------------------
  std::size_t key_count() const noexcept { return inline_used_ + overflow_.size(); }
  key_entry& key_at(std::size_t i) noexcept { return i < inline_keys ? inline_[i] : overflow_[i - inline_keys]; }
  bool push_key(const key_entry& k) noexcept {
    if (inline_used_ < inline_keys) {
      inline_[inline_used_++] = k;
      return true;
    }
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    try {
      overflow_.push_back(k);
    } catch (...) {
      return false;
    }
#else
    overflow_.push_back(k);
#endif
    return true;
  }
  void truncate_keys(std::size_t n) noexcept {
    if (n <= inline_keys) {
      overflow_.clear();
      inline_used_ = n;
    } else {
      overflow_.resize(n - inline_keys);
    }
  }
  static bool same_key(const key_entry& a, const key_entry& b) noexcept {
    return view_access::make_string(a.raw, a.len, a.escaped) == view_access::make_string(b.raw, b.len, b.escaped);
  }
  /// Checks the keys [from, key_count()) of the object being closed for duplicates.
  /// Small objects: pairwise; larger ones: sorted by hash (O(m log m)), so a hostile
  /// object with many keys cannot make validation quadratic.
  void_result check_duplicates(std::size_t from) noexcept {
    std::size_t n = key_count() - from;
    if (n < 2) return {};
    // Pairwise up to 48 keys (at most 1128 integer compares, cheaper than sorting a
    // typical payload object); sorted by hash beyond that.
    if (n <= 48) {
      if (from + n <= inline_keys) {
        // Contiguous in the inline table: a tight loop over hashes.
        // A 64-bit filter over the fingerprints: a key whose bit is not yet set cannot
        // equal an earlier key, so only keys whose bit collides are compared pairwise
        // (most objects then cost one pass instead of n²/2 compares).
        const key_entry* k = inline_ + from;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint32_t h = k[i].hash;
          const std::uint64_t bit = std::uint64_t{1} << ((h * 0x9E3779B1u) >> 26);
          if ((seen & bit) == 0) {
            seen |= bit;
            continue;
          }
          for (std::size_t j = 0; j < i; ++j)
            if (k[j].hash == h && same_key(k[i], k[j])) return fail(errc::json_duplicate_key, k[i].raw - 1);
        }
        return {};
      }
      for (std::size_t i = from + 1; i < from + n; ++i)
        for (std::size_t j = from; j < i; ++j)
          if (key_at(i).hash == key_at(j).hash && same_key(key_at(i), key_at(j)))
            return fail(errc::json_duplicate_key, key_at(i).raw - 1);
      return {};
    }
    // Sort the range by (hash, position). The range may straddle inline/overflow storage,
    // so sort through an index-based insertion into contiguous overflow first.
    if (n <= 64) {
      // Typical payload objects (a few dozen keys): sort a copy on the stack, no allocation.
      key_entry tmp[64];
      for (std::size_t i = 0; i < n; ++i) tmp[i] = key_at(from + i);
      return check_sorted(tmp, tmp + n);
    }
    if (from < inline_keys) {
      // Move the whole range to the overflow vector's tail region for sorting.
      std::vector<key_entry> tmp;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
      try {
        tmp.reserve(n);
      } catch (...) {
        return fail(errc::out_of_memory, begin_);
      }
#else
      tmp.reserve(n);
#endif
      for (std::size_t i = from; i < from + n; ++i) tmp.push_back(key_at(i));
      return check_sorted(tmp.data(), tmp.data() + tmp.size());
    }
    key_entry* b = overflow_.data() + (from - inline_keys);
    return check_sorted(b, b + n);
  }
  void_result check_sorted(key_entry* b, key_entry* e) noexcept {
    std::sort(b, e, [](const key_entry& x, const key_entry& y) {
      return x.hash != y.hash ? x.hash < y.hash : x.raw < y.raw;
    });
    const char* first_dup = nullptr;
    for (key_entry* i = b; i != e; ++i) {
      for (key_entry* j = i + 1; j != e && j->hash == i->hash; ++j) {
        if (same_key(*i, *j)) {
          const char* later = std::max(i->raw, j->raw);
          if (!first_dup || later < first_dup) first_dup = later;
        }
      }
    }
    if (first_dup) return fail(errc::json_duplicate_key, first_dup - 1);
    return {};
  }

  // --- scalars -------------------------------------------------------------------------
  /// Validates a string starting at the opening quote; advances `p` past the closing
  /// quote. When `key` is set, records it for duplicate detection.
  JOBWIRE_JSON_HOT_INLINE void_result parse_string(const char*& p, bool is_key, bool* escaped_out = nullptr) noexcept {
    const char* open = p;
    const char* q = p + 1;
    bool escaped = false;
    for (;;) {
      // Whole blocks of plain ASCII at a time; the scan stops at the first byte that needs
      // a look (or near the end), which the byte-wise checks below take.
      q = plain_run<true>(q, end_);
      if (q >= end_) return fail(errc::json_unexpected_end, end_);
      unsigned char c = static_cast<unsigned char>(*q);
      if (c == '"') break;
      if (c < 0x20) return fail(errc::json_invalid_string, q);
      if (c == '\\') {
        escaped = true;
        if (q + 1 >= end_) return fail(errc::json_unexpected_end, end_);
        char e = q[1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't': {
            q += 2;
            continue;
          }
          case 'u': {
            if (end_ - q < 6) return fail(errc::json_unexpected_end, end_);
            for (int i = 2; i < 6; ++i)
              if (hex_value(q[i]) < 0) return fail(errc::json_invalid_escape, q);
            std::uint32_t cp = read_hex4(q + 2);
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(errc::json_invalid_surrogate, q);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (end_ - q < 12 || q[6] != '\\' || q[7] != 'u') return fail(errc::json_invalid_surrogate, q);
              for (int i = 8; i < 12; ++i)
                if (hex_value(q[i]) < 0) return fail(errc::json_invalid_escape, q + 6);
              std::uint32_t lo = read_hex4(q + 8);
              if (lo < 0xDC00 || lo > 0xDFFF) return fail(errc::json_invalid_surrogate, q);
              q += 12;
            } else {
              q += 6;
            }
            continue;
          }
          default: return fail(errc::json_invalid_escape, q);
        }
      }
      if (c < 0x80) {
        ++q;
        continue;
      }
      // Multi-byte UTF-8 (RFC 3629): no overlongs, no surrogates, at most U+10FFFF.
      const std::size_t n = jobwire::utf8_sequence_length(q, static_cast<std::size_t>(end_ - q));
      if (n == 0) return fail(errc::json_invalid_utf8, q);
      q += n;
    }
    std::size_t len = static_cast<std::size_t>(q - (open + 1));
    if (len > max_string_bytes_) return fail(errc::json_string_too_long, open);
    if (escaped_out) *escaped_out = escaped;
    if (is_key) {
      if (len > 0xFFFFFFFFu) return fail(errc::json_string_too_long, open);
      const std::uint32_t h = key_hash(open + 1, len, escaped);
      if (!push_key(key_entry{open + 1, static_cast<std::uint32_t>(len), h, escaped}))
        return fail(errc::out_of_memory, open);
    }
    p = q + 1;
    return {};
  }

  JOBWIRE_JSON_HOT_INLINE void_result parse_number(const char*& p) noexcept {
    const char* q = p;
    if (q < end_ && *q == '-') ++q;
    if (q >= end_) return fail(errc::json_unexpected_end, end_);
    if (*q == '0') {
      ++q;
    } else if (*q >= '1' && *q <= '9') {
      q = skip_digits(q + 1, end_);
    } else {
      return fail(errc::json_invalid_number, p);
    }
    if (q < end_ && *q == '.') {
      ++q;
      if (q >= end_) return fail(errc::json_unexpected_end, end_);
      if (!is_digit(*q)) return fail(errc::json_invalid_number, p);
      q = skip_digits(q + 1, end_);
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (q >= end_) return fail(errc::json_unexpected_end, end_);
      if (!is_digit(*q)) return fail(errc::json_invalid_number, p);
      while (q < end_ && is_digit(*q)) ++q;
    }
    // A number must end at a delimiter; "01" or "1x" is caught by the caller's grammar.
    if (q < end_ && is_digit(*q)) return fail(errc::json_invalid_number, p);
    p = q;
    return {};
  }

  void_result parse_literal(const char*& p, std::string_view lit) noexcept {
    // Whole, with room for it: one comparison of 4 (or 4 + 1) bytes; otherwise byte by
    // byte, which finds where a misspelt or cut literal goes wrong.
    if (static_cast<std::size_t>(end_ - p) >= lit.size() && std::memcmp(p, lit.data(), 4) == 0 &&
        (lit.size() == 4 || p[4] == lit[4])) {
      p += lit.size();
      return {};
    }
    for (std::size_t i = 0; i < lit.size(); ++i) {
      if (p + i >= end_) return fail(errc::json_unexpected_end, end_);
      if (p[i] != lit[i]) return fail(errc::json_unexpected_token, p + i);
    }
    p += lit.size();
    return {};
  }

  /// Scalar at p (not a container); advances p.
  JOBWIRE_JSON_HOT_INLINE void_result parse_scalar(const char*& p) noexcept {
    switch (*p) {
      case '"': return parse_string(p, false);
      case 't': return parse_literal(p, "true");
      case 'f': return parse_literal(p, "false");
      case 'n': return parse_literal(p, "null");
      default:
        if (*p == '-' || is_digit(*p)) return parse_number(p);
        return fail(errc::json_unexpected_token, p);
    }
  }

  // --- containers (iterative: depth is bounded by limits, not by the C++ stack) --------
  void_result parse_document(const char*& p) noexcept {
    root_ = p;
    if (*p != '{' && *p != '[') return parse_scalar(p);

    struct frame {
      bool is_object;
      std::size_t members;
      std::size_t key_base;
    };
    frame stack[hard_max_depth];
    std::size_t depth = 0;

    auto open = [&](const char* at) -> void_result {
      if (depth_base_ + depth >= max_depth_) return fail(errc::json_depth_exceeded, at);
      stack[depth++] = frame{*at == '{', 0, key_count()};
      return {};
    };

    void_result st = open(p);
    if (!st) return st;
    ++p;
    const bool check_keys = !allows(lim_.leniency, lenient::duplicate_keys);
    bool expect_value_or_close = true;  // right after '[' / '{'
    frame* fp;                          // the container being read: stack[depth - 1]
    for (;;) {
      fp = &stack[depth - 1];
      p = skip_ws(p, end_);
      if (p >= end_) return fail(errc::json_unexpected_end, end_);
      // Close directly after opening (empty container).
      if (expect_value_or_close && *p == (fp->is_object ? '}' : ']')) {
        ++p;
        goto closed;
      }
    next_member:
      if (++fp->members > max_members_) return fail(errc::json_too_many_members, p);
      if (fp->is_object) {
        if (*p != '"') return fail(errc::json_unexpected_token, p);
        st = parse_string(p, check_keys);
        if (!st) return st;
        st = colon(p);
        if (!st) return st;
      }
      if (*p == '{' || *p == '[') {
        st = open(p);
        if (!st) return st;
        ++p;
        expect_value_or_close = true;
        continue;
      }
      st = parse_scalar(p);
      if (!st) return st;
    after_value:
      expect_value_or_close = false;
      {
        frame& cur = stack[depth - 1];
        p = skip_ws(p, end_);
        if (p >= end_) return fail(errc::json_unexpected_end, end_);
        if (*p == ',') {
          ++p;
          // Compact: the next key or value right after the comma.
          if (p != end_ && static_cast<unsigned char>(*p) > ' ' && *p != (cur.is_object ? '}' : ']')) {
            fp = &cur;
            goto next_member;
          }
          continue;
        }
        if (*p != (cur.is_object ? '}' : ']')) return fail(errc::json_unexpected_token, p);
        ++p;
      }
    closed : {
      frame& done = stack[depth - 1];
      if (done.is_object) {
        if (check_keys) {
          st = check_duplicates(done.key_base);
          if (!st) return st;
        }
        truncate_keys(done.key_base);
      }
      --depth;
      if (depth == 0) return {};
      goto after_value;
    }
    }
  }

  const char* begin_;
  const char* end_;
  const limits& lim_;
  // The limits every string and member is checked against, held here: one load, not two.
  std::size_t max_string_bytes_, max_members_;
  std::size_t max_depth_;
  const char* root_ = nullptr;
  const char* hw_;              // validated up to here (the fused reading)
  std::size_t depth_base_ = 0;  // containers entered by the fused reading
  key_entry inline_[inline_keys];
  std::size_t inline_used_ = 0;
  std::vector<key_entry> overflow_;
};

// --- the cursor over validated text -------------------------------------------------------
//
// Readers of a document the validator accepted (payload_fields.hpp) walk it with these:
// no grammar checks are repeated, strings are scanned 8 bytes at a time, and a nested
// container read by the walker's caller is not skipped a second time.

/// The closing quote of a validated string whose body starts at `p`, scanning 8 bytes at
/// a time for '"' or '\\' (bounded by `end`, the end of the input, so no read goes past
/// the caller's buffer). Sets `escaped` when a backslash was seen.
inline const char* fast_string_close(const char* p, const char* end, bool& escaped) noexcept {
  escaped = false;
  for (;;) {
    p = plain_run<false>(p, end);
    const char c = *p;
    if (c == '"') return p;
    if (c == '\\') {
      escaped = true;
      p += 2;
      continue;
    }
    ++p;
  }
}

/// Skips one validated value like `skip_value`, with the fast string scan.
inline const char* fast_skip_value(const char* p, const char* end) noexcept {
  bool esc;
  switch (*p) {
    case '"': return fast_string_close(p + 1, end, esc) + 1;
    case '{':
    case '[': {
      std::size_t depth = 0;
      for (;;) {
        const char c = *p;
        if (c == '"') {
          p = fast_string_close(p + 1, end, esc) + 1;
          continue;
        }
        ++p;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return p;
        }
      }
    }
    default: return skip_value(p);
  }
}

/// Where the string value last read ends, so that neither a walk nor the reader scans it
/// a second time (see member_walk). Kept by the reader that reads values during a walk.
struct scan_memo {
  const char* start = nullptr;
  const char* end = nullptr;
  bool escaped = false;
  void set(const char* s, const char* e, bool esc) noexcept {
    start = s;
    end = e;
    escaped = esc;
  }
  /// The end of the value starting at `v` when it is the string last read; else nullptr.
  const char* end_of(const char* v) const noexcept { return v == start ? end : nullptr; }
};

/// What the two walks below share. A walk runs in one of two forms:
/// - over validated text (`validator` null): no grammar check is repeated and strings are
///   found with the fast scan;
/// - validating (the fused reading): the walk checks the grammar of the container it
///   walks as it goes, with the validator's rules and limits, and validates each value
///   before its reader sees it — a scalar at once, a container when the reader asks for
///   it (`member()`/`value()`), unless the reader walks it itself (`raw_value()` and
///   `set_value_end`), or else when the walk moves past it. A walk that meets an error
///   stops (`done()`), keeps the error (`status()`), and from then on hands out only an
///   absent value.
class walk_base {
 public:
  walk_base(const walk_base&) = delete;
  walk_base& operator=(const walk_base&) = delete;

  bool done() const noexcept { return p_ == nullptr; }
  /// Just past the closing bracket (valid once done() without an error).
  const char* end() const noexcept { return end_; }
  /// The error that stopped a validating walk, or success.
  const void_result& status() const noexcept { return status_; }
  /// A reader that walked the current value itself says where it ends (validated).
  void set_value_end(const char* e) noexcept {
    if (!e) return;
    value_end_ = e;
    pending_ = false;
  }

 protected:
  walk_base(const char* input_end, scan_memo* memo, validator* v) noexcept : v_(v), memo_(memo), limit_(input_end) {}
  ~walk_base() {
    if (v_ && entered_) {
      if (is_object_) v_->drop_keys(key_mark_);
      v_->leave();
    }
  }

  /// Validating: enters the container at `open` and returns its first token (or nullptr
  /// after an error).
  const char* enter(const char* open, bool is_object) noexcept {
    is_object_ = is_object;
    if (!track(v_->enter(open))) return nullptr;
    entered_ = true;
    if (is_object) key_mark_ = v_->key_mark();
    return token(open + 1);
  }
  /// Validating: the next token after whitespace, or nullptr at the end of the input.
  JOBWIRE_JSON_HOT_INLINE const char* token(const char* p) noexcept {
    p = v_->ws(p);
    if (p >= v_->text_end()) {
      track(v_->fail_at(errc::json_unexpected_end, v_->text_end()));
      return nullptr;
    }
    return p;
  }
  bool track(void_result st) noexcept {
    if (st) return true;
    status_ = st;
    p_ = nullptr;
    return false;
  }
  /// Validating: the value starting at `p`. A scalar is validated now; a container waits.
  JOBWIRE_JSON_HOT_INLINE bool load_value(const char* p) noexcept {
    if (++members_ > v_->max_members()) return track(v_->fail_at(errc::json_too_many_members, p));
    value_ = view_access::make_value(p);
    value_end_ = nullptr;
    pending_ = *p == '{' || *p == '[';
    if (pending_) return true;
    const char* q = p;
    if (*p == '"') {
      bool esc = false;
      if (!track(v_->string_value(q, false, esc))) return false;
      if (memo_) memo_->set(p, q, esc);
    } else if (!track(v_->scalar(q))) {
      return false;
    } else if (memo_) {
      memo_->set(p, q, false);  // a number's reader takes its text from here
    }
    // A container's value is always followed by ',' or its bracket; checking that one
    // byte follows now lets the reader scan a number to its end within the input.
    if (q >= v_->text_end()) return track(v_->fail_at(errc::json_unexpected_end, q));
    value_end_ = q;
    return true;
  }
  /// Validating: the current value, validated now if it is a container nobody read.
  JOBWIRE_JSON_HOT_INLINE json::value checked_value() noexcept {
    if (pending_) {
      const char* q = value_.data();
      pending_ = false;
      if (!track(v_->any_value(q))) return value_ = json::value();
      value_end_ = q;
      pending_ = false;
    }
    return value_;
  }
  /// Where the current value ends.
  JOBWIRE_JSON_HOT_INLINE const char* current_end() noexcept {
    if (v_) {
      checked_value();
      return done() ? nullptr : value_end_;
    }
    const char* e = value_end_ ? value_end_ : memo_ ? memo_->end_of(value_.data()) : nullptr;
    return e ? e : fast_skip_value(value_.data(), limit_);
  }
  /// Past the current value: ',' (returns the next token) or the closing bracket (returns
  /// nullptr, done).
  JOBWIRE_JSON_HOT_INLINE const char* next(char close) noexcept {
    if (done()) return nullptr;  // stopped by an error while its reader read
    const char* e = current_end();
    if (!e) return nullptr;
    value_end_ = nullptr;
    if (!v_) {
      const char* q = skip_ws_validated(e);
      if (*q == ',') return skip_ws_validated(q + 1);
      finish(q + 1);
      return nullptr;
    }
    // Compact JSON: the separator or the bracket right after the value, and the next
    // token right after a comma; whitespace is skipped otherwise.
    const char* const end = v_->text_end();
    const char* q = e;
    if (q >= end || (*q != ',' && *q != close)) {
      if (!(q = token(e))) return nullptr;
    }
    if (*q == ',') {
      ++q;
      if (q != end && static_cast<unsigned char>(*q) > ' ') return q;
      return token(q);
    }
    if (*q != close) {
      track(v_->fail_at(errc::json_unexpected_token, q));
      return nullptr;
    }
    finish(q + 1);
    return nullptr;
  }
  void finish(const char* end) noexcept {
    p_ = nullptr;
    end_ = end;
    if (!v_ || !entered_) return;
    entered_ = false;
    v_->leave();
    if (is_object_) track(v_->close_object(key_mark_, end));
    else v_->close_array(end);
  }

  validator* v_;
  scan_memo* memo_;
  const char* limit_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  const char* value_end_ = nullptr;
  json::value value_{};
  void_result status_{};
  std::size_t key_mark_ = 0;
  std::size_t members_ = 0;
  bool pending_ = false;
  bool entered_ = false;
  bool is_object_ = false;
};

/// Walks the members of an object once. Unlike `object` iteration, the loop body may
/// report where the current value ends (`set_value_end`) after reading a nested container
/// itself, so a payload is scanned once instead of once per nesting level (iterating
/// skips each value to find the next member). See walk_base for the two forms.
class member_walk : public walk_base {
 public:
  /// Over the validated object `obj`. `expect`, when given, is the name
  /// (key_image) the first key most likely is (see advance).
  member_walk(json::value obj, const char* input_end, scan_memo* memo = nullptr,
              const key_image* expect = nullptr) noexcept
      : walk_base(input_end, memo, nullptr) {
    const char* q = skip_ws_validated(obj.data() + 1);
    if (*q == '}') {
      end_ = q + 1;
    } else {
      p_ = q;
      load(expect);
    }
  }
  /// Validating the object whose opening brace is at `obj` (the fused reading).
  member_walk(json::value obj, validator& v, scan_memo* memo, const key_image* expect = nullptr) noexcept
      : walk_base(v.text_end(), memo, &v) {
    const char* q = enter(obj.data(), true);
    if (!q) return;
    if (*q == '}') {
      finish(q + 1);
      return;
    }
    p_ = q;
    load(expect);
  }
  /// The current member; its value validated (see walk_base).
  JOBWIRE_JSON_HOT_INLINE const json::member& member() noexcept {
    if (v_) m_.value = checked_value();
    return m_;
  }
  /// The current member's value as it starts, for a reader that walks it itself and then
  /// reports its end (`set_value_end`); not yet validated in the validating form.
  json::value raw_value() const noexcept { return m_.value; }
  /// The current member with its value as it starts (its key is validated, but not yet
  /// checked against the object's other names: see note_key).
  const json::member& raw_member() const noexcept { return m_; }
  /// Checks the current key against the object's other names (the validating form; once
  /// per member, before its value is read). A reader that looked the key up in a table of
  /// at most 64 names passes its index there, `declared` (a key equal to a declared name
  /// after decoding is that name): a bit per name tells a repeat at once, and only the
  /// other keys are kept for the object's duplicate check at its close.
  JOBWIRE_JSON_HOT_INLINE bool note_key(std::size_t declared = none) noexcept {
    if (!v_ || key_noted_) return !done();
    key_noted_ = true;
    if (declared < 64) {
      const std::uint64_t bit = std::uint64_t{1} << declared;
      if (declared_seen_ & bit) return track(v_->fail_at(errc::json_duplicate_key, m_.key.raw().data() - 1));
      declared_seen_ |= bit;
      return true;
    }
    return track(v_->record_key(m_.key.raw().data(), m_.key.raw().size(), m_.key.has_escapes()));
  }
  static constexpr std::size_t none = ~std::size_t{0};
  /// Moves to the next member. `expect`, when given, is the name (key_image) its key most
  /// likely is: a key that is those bytes is taken with one comparison instead of a
  /// scan, and `key_is_expected()` tells the reader so (a table reader then needs no
  /// lookup either). Any other key is read as usual; the verdict is the same either way.
  JOBWIRE_JSON_HOT_INLINE void advance(const key_image* expect = nullptr) noexcept {
    if (v_ && !key_noted_ && !done() && !note_key()) return;
    p_ = next('}');
    if (p_) load(expect);
  }
  /// Whether the current key is the name the walk was told to expect.
  bool key_is_expected() const noexcept { return key_expected_; }

 private:
  JOBWIRE_JSON_HOT_INLINE void load(const key_image* expect) noexcept {
    key_expected_ = false;
    if (!v_) {
      bool esc = false;
      const char* close;
      if (matches_plain(p_, limit_, expect)) {
        close = p_ + 1 + expect->name.size();
        key_expected_ = true;
      } else {
        close = fast_string_close(p_ + 1, limit_, esc);
      }
      m_.key = view_access::make_string(p_ + 1, static_cast<std::size_t>(close - (p_ + 1)), esc);
      const char* colon = skip_ws_validated(close + 1);
      m_.value = value_ = view_access::make_value(skip_ws_validated(colon + 1));
      return;
    }
    const char* q = p_;
    if (*q != '"') {
      track(v_->fail_at(errc::json_unexpected_token, q));
      return;
    }
    bool esc = false;
    if (v_->plain_string(q, expect)) key_expected_ = true;
    else if (!track(v_->string_value(q, false, esc))) return;
    m_.key = view_access::make_string(p_ + 1, static_cast<std::size_t>(q - 1 - (p_ + 1)), esc);
    key_noted_ = false;
    if (!track(v_->colon(q))) return;
    if (load_value(q)) m_.value = value_;
  }
  json::member m_{};
  std::uint64_t declared_seen_ = 0;
  bool key_noted_ = true;
  bool key_expected_ = false;
};

/// The same for the elements of an array.
class element_walk : public walk_base {
 public:
  /// Over the validated array `arr`.
  element_walk(json::value arr, const char* input_end) noexcept : walk_base(input_end, nullptr, nullptr) {
    const char* q = skip_ws_validated(arr.data() + 1);
    if (*q == ']') {
      end_ = q + 1;
    } else {
      p_ = q;
      value_ = view_access::make_value(q);
    }
  }
  /// Validating the array whose opening bracket is at `arr` (the fused reading).
  element_walk(json::value arr, validator& v, scan_memo* memo) noexcept : walk_base(v.text_end(), memo, &v) {
    const char* q = enter(arr.data(), false);
    if (!q) return;
    if (*q == ']') {
      finish(q + 1);
      return;
    }
    p_ = q;
    load_value(q);
  }
  /// The current element, validated (see walk_base).
  json::value value() noexcept { return v_ ? checked_value() : value_; }
  /// The current element as it starts, for a reader that walks it itself (see member_walk).
  json::value raw_value() const noexcept { return value_; }
  void advance() noexcept {
    p_ = next(']');
    if (p_) {
      if (v_) load_value(p_);
      else value_ = view_access::make_value(p_);
    }
  }
};

}  // namespace detail

/// Validates `text` as exactly one JSON value (RFC 8259) under `lim` and returns a view of
/// its root. On failure the error carries the byte offset where the problem was found.
inline result<value> parse(std::string_view text, const limits& lim = limits{}) noexcept {
  detail::validator v(text, lim);
  void_result st = v.run();
  if (!st) return st.error();
  return detail::view_access::make_root(v.root(), text.data() + text.size());
}

/// Validates without returning a view.
inline void_result validate(std::string_view text, const limits& lim = limits{}) noexcept {
  detail::validator v(text, lim);
  return v.run();
}

}  // namespace json
}  // namespace jobwire
