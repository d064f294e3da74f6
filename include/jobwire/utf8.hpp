// jobwire — UTF-8 well-formedness (RFC 3629), the one definition every module uses.
//
// The JSON validator, the JSON writer's U+FFFD replacement, response previews and callback
// URLs all need the same answer to "is this a well-formed UTF-8 sequence?": no overlong
// forms, no encoded surrogates (U+D800..U+DFFF), nothing above U+10FFFF. Keeping one
// definition means a byte string the reader accepts is exactly one the writer copies
// unchanged and the preview cutter counts as characters (PROTOCOL.md §10, §12).
#pragma once

#include <cstddef>
#include <string_view>

namespace jobwire {

namespace detail {
/// What a lead byte asks of the bytes after it: the sequence length (0: not a lead byte)
/// and the allowed range of the second byte, narrowed for the lead bytes that would
/// otherwise admit an overlong form (E0, F0), a surrogate (ED) or a code point above
/// U+10FFFF (F4). Later bytes are always 80..BF.
struct utf8_lead {
  std::size_t len;
  unsigned char lo, hi;
};
constexpr utf8_lead lead_of(unsigned char c) noexcept {
  if (c < 0x80) return {1, 0x80, 0xBF};
  if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
  if (c >= 0xE0 && c <= 0xEF)
    return {3, static_cast<unsigned char>(c == 0xE0 ? 0xA0 : 0x80),
            static_cast<unsigned char>(c == 0xED ? 0x9F : 0xBF)};
  if (c >= 0xF0 && c <= 0xF4)
    return {4, static_cast<unsigned char>(c == 0xF0 ? 0x90 : 0x80),
            static_cast<unsigned char>(c == 0xF4 ? 0x8F : 0xBF)};
  return {0, 0, 0};  // 80..C1 (continuation or overlong 2-byte lead), F5..FF
}
/// How many of the bytes after a lead byte continue its sequence, checked in order and
/// stopping at the first that does not (at most `lead.len - 1`, at most `avail - 1`).
constexpr std::size_t utf8_continuation(const char* p, std::size_t avail, utf8_lead lead) noexcept {
  std::size_t k = 1;
  for (; k < lead.len && k < avail; ++k) {
    const unsigned char ck = static_cast<unsigned char>(p[k]);
    if (k == 1 ? (ck < lead.lo || ck > lead.hi) : (ck < 0x80 || ck > 0xBF)) break;
  }
  return k;
}
}  // namespace detail

/// Length (1..4) of the well-formed UTF-8 sequence starting at `p`, or 0 when the bytes at
/// `p` do not start one (invalid lead byte, bad continuation byte, overlong, surrogate, above
/// U+10FFFF, or the sequence needs more than the `avail` bytes there are). `avail` must be
/// at least 1. Reads only `p[0..avail)`.
constexpr std::size_t utf8_sequence_length(const char* p, std::size_t avail) noexcept {
  const detail::utf8_lead lead = detail::lead_of(static_cast<unsigned char>(p[0]));
  if (lead.len <= 1) return lead.len;
  return detail::utf8_continuation(p, avail, lead) == lead.len ? lead.len : 0;
}

/// True when all of `s` is well-formed UTF-8.
constexpr bool utf8_valid(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t len = utf8_sequence_length(s.data() + i, s.size() - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

/// One step of a lossy UTF-8 decode (WHATWG Encoding "UTF-8 decode", which is what a
/// JavaScript `TextDecoder` and Rust's `String::from_utf8_lossy` do): `size` bytes starting
/// at `p`, which are one well-formed sequence (`valid`) or the *maximal subpart* of an
/// ill-formed one — the longest prefix of a well-formed sequence, at least one byte — that
/// the decoder replaces by a single U+FFFD. So `E2 82 41` decodes to U+FFFD, `A`, and a
/// sequence cut short by the end of the input costs one U+FFFD, not one per byte.
struct utf8_step {
  std::size_t size;
  bool valid;
};
constexpr utf8_step next_utf8_step(const char* p, std::size_t avail) noexcept {
  const detail::utf8_lead lead = detail::lead_of(static_cast<unsigned char>(p[0]));
  if (lead.len == 0) return {1, false};  // not a lead byte at all
  if (lead.len == 1) return {1, true};
  const std::size_t k = detail::utf8_continuation(p, avail, lead);
  return {k, k == lead.len};
}

namespace detail {
/// Length of the valid UTF-8 sequence starting at s[i] (i < s.size()), or 0 when the byte
/// at i does not start one. Index-based form of `jobwire::utf8_sequence_length`.
constexpr std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  return jobwire::utf8_sequence_length(s.data() + i, s.size() - i);
}
}  // namespace detail

}  // namespace jobwire
