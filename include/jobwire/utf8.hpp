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

/// Length (1..4) of the well-formed UTF-8 sequence starting at `p`, or 0 when the bytes at
/// `p` do not start one (invalid lead byte, bad continuation byte, overlong, surrogate, above
/// U+10FFFF, or the sequence needs more than the `avail` bytes there are). `avail` must be
/// at least 1. Reads only `p[0..avail)`.
constexpr std::size_t utf8_sequence_length(const char* p, std::size_t avail) noexcept {
  const unsigned char c = static_cast<unsigned char>(p[0]);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  // The second byte's range is narrowed for the lead bytes that would otherwise admit an
  // overlong form (E0, F0), a surrogate (ED) or a code point above U+10FFFF (F4).
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;  // 80..C1 (continuation or overlong 2-byte lead), F5..FF
  }
  if (avail < len) return 0;
  const unsigned char c1 = static_cast<unsigned char>(p[1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    const unsigned char ck = static_cast<unsigned char>(p[k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return len;
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
  const std::size_t len = utf8_sequence_length(p, avail);
  if (len != 0) return {len, true};
  const unsigned char c = static_cast<unsigned char>(p[0]);
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return {1, false};  // not a lead byte at all
  }
  std::size_t k = 1;
  for (; k < need && k < avail; ++k) {
    const unsigned char ck = static_cast<unsigned char>(p[k]);
    if (k == 1 ? (ck < lo || ck > hi) : (ck < 0x80 || ck > 0xBF)) break;
  }
  return {k, false};
}

namespace detail {
/// Length of the valid UTF-8 sequence starting at s[i] (i < s.size()), or 0 when the byte
/// at i does not start one. Index-based form of `jobwire::utf8_sequence_length`.
constexpr std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  return jobwire::utf8_sequence_length(s.data() + i, s.size() - i);
}
}  // namespace detail

}  // namespace jobwire
