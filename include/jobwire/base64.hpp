// jobwire — base64 (RFC 4648 §4, the standard alphabet) for Standard Webhooks signatures
// and keys (PROTOCOL.md §17).
//
// The one base64 codec of the library: signature entries (`v1,<base64>`, `v1a,<base64>`)
// and keys (`whsec_`, `whpk_`, `whsk_`) are decoded here and nowhere else. Strict: the
// standard alphabet only (`+` `/`, never the URL-safe `-` `_`), no whitespace, no
// characters after the padding, and the unused low bits of the last character must be
// zero, so every byte string has exactly one accepted encoding. Padding is required for
// signatures (§17: "`=` padding present") and optional for keys (§17: "padding optional").
//
// Sans-I/O and allocation-free: the caller provides the output buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "error.hpp"
#include "result.hpp"

namespace jobwire {
namespace base64 {

enum class padding : std::uint8_t {
  required,  ///< the length is a multiple of 4, `=` fills the last group
  optional,  ///< the `=` of the last group may be left out (keys, §17)
};

/// Characters `encode` writes for `n` bytes (always padded).
constexpr std::size_t encoded_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }
/// An upper bound on the bytes `text_size` characters decode to.
constexpr std::size_t max_decoded_size(std::size_t text_size) noexcept { return (text_size + 3) / 4 * 3; }

namespace detail {
struct decode_table {
  unsigned char v[256];
  constexpr decode_table() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 0xFF;
    for (int i = 0; i < 26; ++i) {
      v['A' + i] = static_cast<unsigned char>(i);
      v['a' + i] = static_cast<unsigned char>(26 + i);
    }
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<unsigned char>(52 + i);
    v[static_cast<unsigned char>('+')] = 62;
    v[static_cast<unsigned char>('/')] = 63;
  }
};
inline constexpr decode_table table{};
inline constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace detail

/// Writes the padded encoding of `n` bytes to `out` (room for `encoded_size(n)` chars) and
/// returns the number of characters written.
inline std::size_t encode(const unsigned char* in, std::size_t n, char* out) noexcept {
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t w = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o++] = detail::alphabet[(w >> 18) & 63];
    out[o++] = detail::alphabet[(w >> 12) & 63];
    out[o++] = detail::alphabet[(w >> 6) & 63];
    out[o++] = detail::alphabet[w & 63];
  }
  if (i < n) {
    const bool two = i + 1 < n;
    const std::uint32_t w = (std::uint32_t{in[i]} << 16) | (two ? std::uint32_t{in[i + 1]} << 8 : 0u);
    out[o++] = detail::alphabet[(w >> 18) & 63];
    out[o++] = detail::alphabet[(w >> 12) & 63];
    out[o++] = two ? detail::alphabet[(w >> 6) & 63] : '=';
    out[o++] = '=';
  }
  return o;
}

/// The padded encoding as a string (sender side and tools; allocates).
inline std::string encode(const unsigned char* in, std::size_t n) {
  std::string s(encoded_size(n), '\0');
  s.resize(encode(in, n, &s[0]));
  return s;
}

/// Decodes `text` into `out` (capacity `cap`) and returns the number of bytes. Errors:
/// `invalid_argument` with the offset of the first character that is not allowed where it
/// stands (outside the alphabet, misplaced or missing padding, non-zero unused bits, a
/// length no encoding has); `buffer_too_small` when the bytes do not fit `cap`. On error
/// the contents of `out` are unspecified (a caller decoding a secret wipes it).
inline result<std::size_t> decode(std::string_view text, unsigned char* out, std::size_t cap,
                                  padding pad = padding::required) noexcept {
  // Strip the padding first: at most two `=`, only at the end, and only to fill a group.
  std::size_t len = text.size();
  std::size_t pads = 0;
  while (len > 0 && text[len - 1] == '=' && pads < 2) {
    --len;
    ++pads;
  }
  const std::size_t rem = len % 4;
  if (rem == 1) return jobwire::error(errc::invalid_argument, len - 1);
  if (pads != 0 && (rem == 0 || pads != 4 - rem)) return jobwire::error(errc::invalid_argument, len);
  if (pad == padding::required && rem != 0 && pads == 0) return jobwire::error(errc::invalid_argument, len);
  const std::size_t n = len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
  if (n > cap) return errc::buffer_too_small;
  std::size_t o = 0;
  std::size_t i = 0;
  // Whole groups: four lookups, one check per group (an invalid character maps to 0xFF,
  // whose high bit survives the OR), then the rare path finds the character to report.
  for (; i + 4 <= len; i += 4) {
    const unsigned char v0 = detail::table.v[static_cast<unsigned char>(text[i])];
    const unsigned char v1 = detail::table.v[static_cast<unsigned char>(text[i + 1])];
    const unsigned char v2 = detail::table.v[static_cast<unsigned char>(text[i + 2])];
    const unsigned char v3 = detail::table.v[static_cast<unsigned char>(text[i + 3])];
    if (((v0 | v1 | v2 | v3) & 0x80u) != 0) {
      for (std::size_t k = 0; k < 4; ++k)
        if (detail::table.v[static_cast<unsigned char>(text[i + k])] == 0xFF)
          return jobwire::error(errc::invalid_argument, i + k);
    }
    const std::uint32_t w = (std::uint32_t{v0} << 18) | (std::uint32_t{v1} << 12) | (std::uint32_t{v2} << 6) | v3;
    out[o] = static_cast<unsigned char>(w >> 16);
    out[o + 1] = static_cast<unsigned char>(w >> 8);
    out[o + 2] = static_cast<unsigned char>(w);
    o += 3;
  }
  if (rem != 0) {
    std::uint32_t w = 0;
    for (std::size_t k = 0; k < rem; ++k) {
      const unsigned char v = detail::table.v[static_cast<unsigned char>(text[i + k])];
      if (v == 0xFF) return jobwire::error(errc::invalid_argument, i + k);
      w |= std::uint32_t{v} << (18 - 6 * k);
    }
    // The bits of the last character beyond the last byte must be zero (canonical form).
    const std::uint32_t unused = rem == 2 ? 0xFFFFu : 0xFFu;
    if ((w & unused) != 0) return jobwire::error(errc::invalid_argument, i + rem - 1);
    out[o++] = static_cast<unsigned char>(w >> 16);
    if (rem == 3) out[o++] = static_cast<unsigned char>(w >> 8);
  }
  return o;
}

namespace detail {
// The decode table four times, each value already shifted to its place in a 24-bit group
// (`t[k][c]` = value(c) << (18 - 6k)), and 0x80000000 for a character outside the
// alphabet: a group is four loads ORed together, and the high bit of the OR of every
// group says whether any character was invalid. 4 KiB, built at compile time.
struct shifted_decode_table {
  std::uint32_t t[4][256];
  constexpr shifted_decode_table() : t() {
    for (int k = 0; k < 4; ++k)
      for (int c = 0; c < 256; ++c)
        t[k][c] = table.v[c] == 0xFF ? 0x80000000u : std::uint32_t{table.v[c]} << (18 - 6 * k);
  }
};
inline constexpr shifted_decode_table shifted{};
}  // namespace detail

/// Decodes the padded encoding of exactly `N` bytes (`encoded_size(N)` characters) into
/// `out`: the fixed shapes of signature values (a `v1` MAC, a `v1a` signature, §17). It
/// accepts exactly what `decode(text, out, N, padding::required)` accepts with a result of
/// `N` bytes, and returns false for anything else (the caller's error says which entry).
///
/// Why a second entry point: on the verification hot path the length is known, so the
/// loop has a constant trip count, there is no padding to search for, each group is four
/// lookups in pre-shifted tables ORed together, and validity is checked once at the end
/// instead of per group (docs/PERFORMANCE.md: 9 ns for a `v1` value where `decode` takes
/// 19). The presented signature is public, so lookups indexed by it leak nothing. On false
/// the contents of `out` are unspecified.
template <std::size_t N>
[[nodiscard]] inline bool decode_exact(std::string_view text, unsigned char* out) noexcept {
  static_assert(N > 0, "decode_exact needs a length");
  constexpr std::size_t groups = N / 3;
  constexpr std::size_t tail = N % 3;  // bytes of the last, padded group (0, 1 or 2)
  constexpr std::uint32_t invalid = 0x80000000u;
  if (text.size() != encoded_size(N)) return false;
  const auto* c = reinterpret_cast<const unsigned char*>(text.data());
  const auto& t = detail::shifted.t;
  std::uint32_t bad = 0;
  for (std::size_t g = 0; g < groups; ++g, c += 4, out += 3) {
    const std::uint32_t w = t[0][c[0]] | t[1][c[1]] | t[2][c[2]] | t[3][c[3]];
    bad |= w;
    out[0] = static_cast<unsigned char>(w >> 16);
    out[1] = static_cast<unsigned char>(w >> 8);
    out[2] = static_cast<unsigned char>(w);
  }
  if constexpr (tail == 1) {
    // Two characters and `==`; the low 4 bits of the second (bits 12..15) are unused and
    // must be zero (canonical form).
    const std::uint32_t w = t[0][c[0]] | t[1][c[1]];
    bad |= w | ((w & 0xF000u) != 0 ? invalid : 0u) | (c[2] != '=' || c[3] != '=' ? invalid : 0u);
    out[0] = static_cast<unsigned char>(w >> 16);
  } else if constexpr (tail == 2) {
    // Three characters and `=`; the low 2 bits of the third (bits 6..7) must be zero.
    const std::uint32_t w = t[0][c[0]] | t[1][c[1]] | t[2][c[2]];
    bad |= w | ((w & 0xC0u) != 0 ? invalid : 0u) | (c[3] != '=' ? invalid : 0u);
    out[0] = static_cast<unsigned char>(w >> 16);
    out[1] = static_cast<unsigned char>(w >> 8);
  }
  return (bad & invalid) == 0;
}

}  // namespace base64
}  // namespace jobwire
