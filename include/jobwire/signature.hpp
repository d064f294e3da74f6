// jobwire — webhook signatures: HMAC-SHA256 signing and constant-time verification
// (PROTOCOL.md §9).
//
//   key     = UTF-8 bytes of the trimmed secret, exactly as configured (a `whsec_` prefix is
//             part of the key; nothing is base64-decoded)
//   message = <timestamp header text> "." <raw body bytes>
//   output  = 64 lower-case hex characters
//
// The key is prepared once (an OpenSSL EVP_MAC context initialised with it) and every
// message re-initialises that context from the stored key, so no per-message key schedule
// is recomputed and jobwire itself allocates nothing per message. Contexts are mutated by
// each computation: use one `hmac_key` / `verifier` per thread.
//
// Verification decodes the presented signature to 32 bytes and compares it with every
// configured secret's MAC using CRYPTO_memcmp, without stopping at the first match, so
// the time taken does not reveal which secret matched or how many bytes agreed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "error.hpp"
#include "result.hpp"

namespace jobwire {

/// Size of an HMAC-SHA256 output in bytes, and of its hex form.
constexpr std::size_t mac_size = 32;
constexpr std::size_t signature_hex_size = 64;

// A resource limit (one HMAC per secret per delivery), so a build may override it with
// -DJOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS=N (whole program). The C API's
// JOBWIRE_MAX_SECRETS (jobwire_c.h) follows this macro.
#ifndef JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS
#define JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS 8u
#endif

/// Upper bound on secrets tried for one delivery (rotation keeps two or three alive; the
/// bound keeps the verification cost of one request predictable).
constexpr std::size_t max_secrets = JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS;
// Two, because rotating a secret (PROTOCOL.md §9) needs the old and the new one at once.
static_assert(max_secrets >= 2 && max_secrets <= 64, "JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS must be in 2..64");

/// Raw MAC bytes.
struct mac_bytes {
  unsigned char bytes[mac_size] = {};
};

/// A signature in its wire form: 64 lower-case hex characters (not NUL-terminated).
struct signature_hex {
  char chars[signature_hex_size] = {};
  std::string_view view() const noexcept { return {chars, signature_hex_size}; }
  std::string to_string() const { return std::string(view()); }
};

// --- small text helpers -------------------------------------------------------------

namespace detail {
constexpr bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace detail

/// Removes leading and trailing ASCII whitespace (the SDKs trim secrets and signatures).
constexpr std::string_view trim_ascii(std::string_view s) noexcept {
  while (!s.empty() && detail::is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && detail::is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Writes the lower-case hex form of a MAC.
inline signature_hex to_hex(const mac_bytes& m) noexcept {
  constexpr char digits[] = "0123456789abcdef";
  signature_hex out;
  for (std::size_t i = 0; i < mac_size; ++i) {
    out.chars[2 * i] = digits[m.bytes[i] >> 4];
    out.chars[2 * i + 1] = digits[m.bytes[i] & 0x0F];
  }
  return out;
}

/// Decodes a presented signature: ASCII whitespace around it is ignored, then exactly 64
/// hex digits of either case are required (PROTOCOL.md §9: the SDKs trim and compare
/// case-insensitively). Anything else is `malformed_signature`. The presented signature is
/// public (it travels in the request), so this decoder may branch on it.
inline status decode_signature(std::string_view text, mac_bytes& out) noexcept {
  // 0..15 for hex digits, 0xFF otherwise (built once at compile time).
  struct table {
    unsigned char v[256];
    constexpr table() : v() {
      for (int i = 0; i < 256; ++i) v[i] = 0xFF;
      for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<unsigned char>(i);
      for (int i = 0; i < 6; ++i) {
        v['a' + i] = static_cast<unsigned char>(10 + i);
        v['A' + i] = static_cast<unsigned char>(10 + i);
      }
    }
  };
  static constexpr table hex{};
  text = trim_ascii(text);
  if (text.size() != signature_hex_size) return errc::malformed_signature;
  // 8 hex digits at a time (SWAR, every step per byte with no carry between bytes, so the
  // result does not depend on byte order): check that each byte is 0-9, a-f or A-F, and
  // turn it into its nibble (low 4 bits, plus 9 for a letter).
#if defined(__SSE2__)
  // The same with SSE2 (every x86-64 CPU), 16 digits per step. Signed byte compares: a
  // byte >= 0x80 is negative and so outside both ranges.
  bool all_hex = true;
  for (std::size_t i = 0; i < signature_hex_size; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
    all_hex &= _mm_movemask_epi8(_mm_or_si128(digit, letter)) == 0xFFFF;
    // Nibbles (low 4 bits, plus 9 for a letter), then in each 16-bit lane the first
    // digit (low byte) becomes the high nibble of the output byte.
    const __m128i nib = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0F)), _mm_and_si128(letter, _mm_set1_epi8(9)));
    const __m128i pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib, _mm_set1_epi16(0x00FF)), 4), _mm_srli_epi16(nib, 8));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out.bytes + i / 2), _mm_packus_epi16(pairs, pairs));
  }
  if (!all_hex) {
#else
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  std::uint64_t valid = high;
  for (std::size_t i = 0; i < signature_hex_size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    const std::uint64_t h = w & ~high;  // bytes <= 0x7F (bytes >= 0x80 are rejected below)
    const std::uint64_t is_digit = (h + ones * (0x80 - '0')) & ~(h + ones * (0x80 - '9' - 1));
    const std::uint64_t l = h | (ones * 0x20);
    const std::uint64_t is_letter = (l + ones * (0x80 - 'a')) & ~(l + ones * (0x80 - 'f' - 1));
    valid &= (is_digit | is_letter) & ~w;
    const std::uint64_t nibbles = (w & (ones * 0x0F)) + ((w >> 6) & ones) * 9;
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // Pair the nibbles (byte 2k becomes n[2k] << 4 | n[2k+1]), then gather the even bytes.
    std::uint64_t t = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF00FF00FF00FFull;
    t = (t | (t >> 8)) & 0x0000FFFF0000FFFFull;
    t = (t | (t >> 16)) & 0x00000000FFFFFFFFull;
    const auto packed = static_cast<std::uint32_t>(t);
    std::memcpy(out.bytes + i / 2, &packed, 4);
#else
    unsigned char n[8];
    std::memcpy(n, &nibbles, 8);
    for (std::size_t k = 0; k < 4; ++k)
      out.bytes[i / 2 + k] = static_cast<unsigned char>((n[2 * k] << 4) | (n[2 * k + 1] & 0x0F));
#endif
  }
  if (valid != high) {
#endif
    // Rare path: report where the first non-hex character is.
    for (std::size_t i = 0; i < signature_hex_size; ++i)
      if (hex.v[static_cast<unsigned char>(text[i])] == 0xFF) return jobwire::error(errc::malformed_signature, i);
  }
  return {};
}

/// Constant-time equality of two MACs (CRYPTO_memcmp: no branch on the bytes).
[[nodiscard]] inline bool mac_equal(const mac_bytes& a, const mac_bytes& b) noexcept {
  return CRYPTO_memcmp(a.bytes, b.bytes, mac_size) == 0;
}

namespace detail {
/// Index of the first candidate equal to `presented`, or `count` when none is. Every
/// candidate is compared and the index is selected with masks, so neither the comparison
/// nor the selection branches on MAC bytes (tests/ct checks this under valgrind).
inline std::size_t select_matching_mac(const mac_bytes* candidates, std::size_t count,
                                       const mac_bytes& presented) noexcept {
  std::size_t found = count;
  std::size_t have = 0;  // all ones once a match was selected
  for (std::size_t i = 0; i < count; ++i) {
    // CRYPTO_memcmp returns 0 or 1; turn "equal" into an all-ones mask without branching.
    const auto differs = static_cast<std::size_t>(CRYPTO_memcmp(candidates[i].bytes, presented.bytes, mac_size) != 0);
    const std::size_t eq_mask = differs - 1;     // equal → ~0, different → 0
    const std::size_t take = eq_mask & ~have;    // first match only
    found = (found & ~take) | (i & take);
    have |= eq_mask;
  }
  return found;
}
}  // namespace detail

// --- keyed HMAC-SHA256 ----------------------------------------------------------------

/// One secret, prepared once. Move-only; owns an OpenSSL MAC context holding the key.
/// Use: `begin()`, any number of `update()`, `finish()`; or `mac()` / `sign()` in one call.
class hmac_key {
 public:
  hmac_key() noexcept = default;
  hmac_key(const hmac_key&) = delete;
  hmac_key& operator=(const hmac_key&) = delete;
  hmac_key(hmac_key&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
  hmac_key& operator=(hmac_key&& o) noexcept {
    if (this != &o) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = std::exchange(o.ctx_, nullptr);
    }
    return *this;
  }
  ~hmac_key() { EVP_MAC_CTX_free(ctx_); }

  /// Prepares `secret` (trimmed of ASCII whitespace; `empty_secret` when nothing is left).
  static result<hmac_key> create(std::string_view secret) noexcept {
    secret = trim_ascii(secret);
    if (secret.empty()) return errc::empty_secret;
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return errc::crypto_error;
    hmac_key k;
    k.ctx_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (k.ctx_ == nullptr) return errc::crypto_error;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(k.ctx_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) != 1)
      return errc::crypto_error;
    return k;
  }

  bool valid() const noexcept { return ctx_ != nullptr; }

  /// Starts a new message with the prepared key (no key argument: OpenSSL reuses the
  /// stored inner/outer pads).
  status begin() noexcept {
    if (ctx_ == nullptr) return errc::invalid_argument;
    if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1) return errc::crypto_error;
    return {};
  }
  /// Adds bytes to the message. Bodies may arrive in chunks; the result equals one call.
  status update(std::string_view bytes) noexcept {
    if (ctx_ == nullptr) return errc::invalid_argument;
    if (bytes.empty()) return {};
    if (EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1)
      return errc::crypto_error;
    return {};
  }
  status finish(mac_bytes& out) noexcept {
    if (ctx_ == nullptr) return errc::invalid_argument;
    std::size_t len = 0;
    if (EVP_MAC_final(ctx_, out.bytes, &len, mac_size) != 1 || len != mac_size) return errc::crypto_error;
    return {};
  }

  /// Starts the signed message: the timestamp header's exact text and the `.` separator.
  status begin_message(std::string_view timestamp_text) noexcept {
    if (auto st = begin(); !st) return st;
    if (auto st = update(timestamp_text); !st) return st;
    return update(std::string_view(".", 1));
  }

  /// MAC of `timestamp "." body`.
  result<mac_bytes> mac(std::string_view timestamp_text, std::string_view body) noexcept {
    mac_bytes m;
    if (auto st = begin_message(timestamp_text); !st) return st.error();
    if (auto st = update(body); !st) return st.error();
    if (auto st = finish(m); !st) return st.error();
    return m;
  }

  /// The wire signature (64 lower-case hex) of `timestamp "." body`.
  result<signature_hex> sign(std::string_view timestamp_text, std::string_view body) noexcept {
    auto m = mac(timestamp_text, body);
    if (!m) return m.error();
    return to_hex(*m);
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

/// One-shot signing with a secret that is prepared for this call only (sender tools, the
/// CLI). Hot paths keep an `hmac_key`.
inline result<signature_hex> sign(std::string_view secret, std::string_view timestamp_text,
                                  std::string_view body) noexcept {
  auto k = hmac_key::create(secret);
  if (!k) return k.error();
  return k->sign(timestamp_text, body);
}

// --- verification with one or several secrets ------------------------------------------

/// The secrets a receiver accepts (rotation: old and new secret side by side), each
/// prepared once. A verifier with no secrets verifies nothing; `verify_delivery` treats it
/// as "unsigned deliveries" and the profile decides whether that is allowed.
/// Not thread-safe (the MAC contexts are reused): keep one per thread.
class verifier {
 public:
  verifier() noexcept = default;
  // A moved-from verifier is empty (no secrets), never a verifier with dead contexts.
  verifier(verifier&& o) noexcept : count_(std::exchange(o.count_, 0)) {
    for (std::size_t i = 0; i < count_; ++i) keys_[i] = std::move(o.keys_[i]);
  }
  verifier& operator=(verifier&& o) noexcept {
    if (this != &o) {
      for (std::size_t i = 0; i < max_secrets; ++i) keys_[i] = std::move(o.keys_[i]);
      count_ = std::exchange(o.count_, 0);
    }
    return *this;
  }

  /// Prepares every secret. `too_many_secrets` above `max_secrets`; `empty_secret` when
  /// any secret is empty after trimming (a blank entry is a configuration mistake, not a
  /// secret to skip).
  static result<verifier> create(const std::string_view* secrets, std::size_t count) noexcept {
    if (count > max_secrets) return errc::too_many_secrets;
    verifier v;
    for (std::size_t i = 0; i < count; ++i) {
      auto k = hmac_key::create(secrets[i]);
      if (!k) return k.error();
      v.keys_[i] = std::move(*k);
      v.count_ = i + 1;
    }
    return v;
  }
  /// Any range of things convertible to std::string_view (vector<string>, initializer list).
  template <class Range>
  static result<verifier> create(const Range& secrets) noexcept {
    std::string_view views[max_secrets];
    std::size_t n = 0;
    for (const auto& s : secrets) {
      if (n == max_secrets) return errc::too_many_secrets;
      views[n++] = std::string_view(s);
    }
    return create(views, n);
  }
  static result<verifier> create(std::initializer_list<std::string_view> secrets) noexcept {
    return create(secrets.begin(), secrets.size());
  }

  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }

  /// Incremental verification: `begin(timestamp)`, `update(chunk)`..., `finish(signature)`.
  status begin(std::string_view timestamp_text) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].begin_message(timestamp_text); !st) return st;
    return {};
  }
  status update(std::string_view chunk) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].update(chunk); !st) return st;
    return {};
  }
  /// Index of the matching secret, or `malformed_signature` / `signature_mismatch`.
  /// Every secret's MAC is computed and compared before the outcome is known.
  [[nodiscard]] result<std::size_t> finish(std::string_view signature_text) noexcept {
    if (count_ == 0) return errc::secret_required;
    mac_bytes presented;
    const status decoded = decode_signature(signature_text, presented);
    auto idx = finish_decoded(presented);
    if (!decoded) return decoded.error();
    return idx;
  }

  /// One-shot: index of the secret whose MAC of `timestamp "." body` equals the signature.
  [[nodiscard]] result<std::size_t> verify(std::string_view timestamp_text, std::string_view body,
                                           std::string_view signature_text) noexcept {
    if (count_ == 0) return errc::secret_required;
    // The signature is decoded first so a malformed one costs no hashing of the body.
    mac_bytes presented;
    if (auto st = decode_signature(signature_text, presented); !st) return st.error();
    if (auto st = begin(timestamp_text); !st) return st.error();
    if (auto st = update(body); !st) return st.error();
    return finish_decoded(presented);
  }

 private:
  result<std::size_t> finish_decoded(const mac_bytes& presented) noexcept {
    mac_bytes macs[max_secrets];
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].finish(macs[i]); !st) return st.error();
    const std::size_t idx = detail::select_matching_mac(macs, count_, presented);
    // A computed MAC is the valid signature of the presented message, which is what a
    // forger wants; wipe it from the stack. The empty asm statement tells the compiler the
    // zeroed bytes are read, so the memset is not removed as a dead store (volatile byte
    // stores elsewhere: cheaper than OPENSSL_cleanse either way).
#if defined(__GNUC__) || defined(__clang__)
    for (std::size_t i = 0; i < count_; ++i) std::memset(macs[i].bytes, 0, mac_size);
    __asm__ __volatile__("" : : "r"(macs) : "memory");
#else
    for (std::size_t i = 0; i < count_; ++i) {
      volatile unsigned char* p = macs[i].bytes;
      for (std::size_t k = 0; k < mac_size; ++k) p[k] = 0;
    }
#endif
    if (idx == count_) return errc::signature_mismatch;
    return idx;
  }

  hmac_key keys_[max_secrets];
  std::size_t count_ = 0;
};

}  // namespace jobwire
