// jobwire — webhook signatures: HMAC-SHA256 signing and constant-time verification
// (PROTOCOL.md §9).
//
//   key     = UTF-8 bytes of the trimmed secret, exactly as configured (a `whsec_` prefix is
//             part of the key; nothing is base64-decoded)
//   message = <timestamp header text> "." <raw body bytes>
//   output  = 64 lower-case hex characters
//
// The key is prepared once (the SHA-256 states after the HMAC pads, see `hmac_key`) and
// every message starts from a copy of them on the caller's stack, so no per-message key
// schedule is recomputed, nothing is allocated per message, and a prepared key or
// `verifier` is never written by a computation: share one between any number of threads.
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
#  include <emmintrin.h>
#endif

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "base64.hpp"
#include "ed25519.hpp"
#include "error.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

/// Size of an HMAC-SHA256 output in bytes, and of its hex form.
constexpr std::size_t mac_size = 32;
constexpr std::size_t signature_hex_size = 64;

// A resource limit (one HMAC per secret per delivery), so a build may override it with
// -DJOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS=N (whole program). The C API's
// JOBWIRE_MAX_SECRETS (jobwire_c.h) follows this macro.
#ifndef JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS
#  define JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS 8u
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
inline void_result decode_signature(std::string_view text, mac_bytes& out) noexcept {
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
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i letter =
        _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
    all_hex &= _mm_movemask_epi8(_mm_or_si128(digit, letter)) == 0xFFFF;
    // Nibbles (low 4 bits, plus 9 for a letter), then in each 16-bit lane the first
    // digit (low byte) becomes the high nibble of the output byte.
    const __m128i nib = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0F)), _mm_and_si128(letter, _mm_set1_epi8(9)));
    const __m128i pairs =
        _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib, _mm_set1_epi16(0x00FF)), 4), _mm_srli_epi16(nib, 8));
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
#  if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // Pair the nibbles (byte 2k becomes n[2k] << 4 | n[2k+1]), then gather the even bytes.
    std::uint64_t t = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF00FF00FF00FFull;
    t = (t | (t >> 8)) & 0x0000FFFF0000FFFFull;
    t = (t | (t >> 16)) & 0x00000000FFFFFFFFull;
    const auto packed = static_cast<std::uint32_t>(t);
    std::memcpy(out.bytes + i / 2, &packed, 4);
#  else
    unsigned char n[8];
    std::memcpy(n, &nibbles, 8);
    for (std::size_t k = 0; k < 4; ++k)
      out.bytes[i / 2 + k] = static_cast<unsigned char>((n[2 * k] << 4) | (n[2 * k + 1] & 0x0F));
#  endif
  }
  if (valid != high) {
#endif
    // Rare path: report where the first non-hex character is.
    for (std::size_t i = 0; i < signature_hex_size; ++i)
      if (hex.v[static_cast<unsigned char>(text[i])] == 0xFF) return jobwire::error(errc::malformed_signature, i);
  }
  return {};
}

namespace detail {
/// All ones when the 32 bytes at `a` and `b` are equal, zero otherwise, without a branch
/// or a memory access that depends on them: the XOR of four 8-byte words ORed together,
/// turned into a mask arithmetically. Inline, where CRYPTO_memcmp is a call into libcrypto
/// that compares one byte at a time through volatile pointers (≈ 10 ns for 32 bytes here,
/// as much as decoding the signature; docs/PERFORMANCE.md). The empty asm statement makes
/// the accumulated difference opaque, so the compiler cannot turn the mask back into a
/// comparison and branch (tests/ct checks the compiled code under valgrind).
inline std::uint64_t mac_equal_mask(const unsigned char* a, const unsigned char* b) noexcept {
  static_assert(mac_size == 32, "mac_equal_mask compares four words");
  std::uint64_t diff = 0;
  for (std::size_t i = 0; i < mac_size; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    diff |= x ^ y;
  }
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(diff));
#endif
  // diff == 0 → (0 | 0) >> 63 = 0 → mask ~0; diff != 0 → the high bit of diff | -diff is set.
  return ((diff | (0 - diff)) >> 63) - 1;
}
}  // namespace detail

/// Constant-time equality of two MACs (no branch and no memory access on the bytes).
[[nodiscard]] inline bool mac_equal(const mac_bytes& a, const mac_bytes& b) noexcept {
  return detail::mac_equal_mask(a.bytes, b.bytes) != 0;
}

namespace detail {
/// Index of the first candidate equal to `presented`, or `count` when none is. Every
/// candidate is compared and the index is selected with masks, so neither the comparison
/// nor the selection branches on MAC bytes (tests/ct checks this under valgrind).
inline std::size_t select_matching_mac(const mac_bytes* candidates, std::size_t count,
                                       const unsigned char* presented) noexcept {
  std::size_t found = count;
  std::size_t have = 0;  // all ones once a match was selected
  for (std::size_t i = 0; i < count; ++i) {
    const auto eq_mask = static_cast<std::size_t>(mac_equal_mask(candidates[i].bytes, presented));
    const std::size_t take = eq_mask & ~have;  // first match only
    found = (found & ~take) | (i & take);
    have |= eq_mask;
  }
  return found;
}
inline std::size_t select_matching_mac(const mac_bytes* candidates, std::size_t count,
                                       const mac_bytes& presented) noexcept {
  return select_matching_mac(candidates, count, presented.bytes);
}

/// Wipes computed MACs: each is the valid signature of the presented message, what a
/// forger wants. The empty asm statement tells the compiler the zeroed bytes are read, so
/// the memset is not removed as a dead store (inline, where OPENSSL_cleanse is a call into
/// libcrypto through a volatile function pointer).
inline void wipe_macs(mac_bytes* macs, std::size_t count) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  std::memset(static_cast<void*>(macs), 0, count * sizeof(mac_bytes));
  __asm__ __volatile__("" : : "r"(macs) : "memory");
#else
  for (std::size_t i = 0; i < count; ++i) {
    volatile unsigned char* p = macs[i].bytes;
    for (std::size_t k = 0; k < mac_size; ++k) p[k] = 0;
  }
#endif
}

/// Wipes key-derived bytes on the stack (hash states, the inner digest) the same way: an
/// inline memset the compiler must keep, where OPENSSL_cleanse is a call through a
/// volatile function pointer. Every MAC wipes three such buffers, so this is part of the
/// per-message cost at small bodies (docs/PERFORMANCE.md).
inline void wipe_bytes(void* p, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  OPENSSL_cleanse(p, n);
#endif
}
}  // namespace detail

// --- keyed HMAC-SHA256 ----------------------------------------------------------------
//
// A prepared key is the two SHA-256 states after absorbing `key ^ ipad` and `key ^ opad`
// (RFC 2104). A message starts from a copy of the inner state on the caller's stack, so
// computing a MAC never writes to the key: one key, and one `verifier`, serve any number
// of threads at once, without a lock and without a heap allocation per message.
//
// Why these states and not an OpenSSL 3 EVP_MAC context: measured on OpenSSL 3.0 for a
// 1 KiB message (docs/PERFORMANCE.md, "Sharing a verifier"), re-initialising one prepared
// EVP_MAC_CTX costs ~2.0 µs and two OpenSSL allocations but mutates the context (one per
// thread); EVP_MAC_CTX_dup per message makes it shareable at ~2.4 µs and eleven
// allocations; a stack copy of the SHA256_CTX states costs ~1.7 µs and no allocation.
// SHA256_Init/Update/Final are deprecated (not removed) in OpenSSL 3, so their uses are
// fenced from the deprecation warning here; a build of OpenSSL without the deprecated
// API (OPENSSL_NO_DEPRECATED_3_0) falls back to EVP_MAC_CTX_dup per message: still
// shareable and correct, with the allocations above.

#if defined(OPENSSL_NO_DEPRECATED_3_0)
#  define JOBWIRE_HMAC_STACK_STATES 0
#else
#  define JOBWIRE_HMAC_STACK_STATES 1
#endif

#if JOBWIRE_HMAC_STACK_STATES && (defined(__GNUC__) || defined(__clang__))
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

/// Key prefixes of the Standard Webhooks scheme (§17).
namespace key_prefix {
constexpr std::string_view secret = "whsec_";      ///< symmetric, base64
constexpr std::string_view public_key = "whpk_";   ///< Ed25519 public key, base64
constexpr std::string_view signing_key = "whsk_";  ///< Ed25519 private key, base64
}  // namespace key_prefix

/// True for the text of an Ed25519 key (`whpk_`, `whsk_`, §17). Given where a shared
/// secret belongs it is the wrong key pasted, whatever the profile: every path that takes
/// a secret's text refuses it (`key_format_mismatch`) rather than compute HMACs under it,
/// so signing and verifying give one verdict on the same configuration.
constexpr bool is_ed25519_key_text(std::string_view text) noexcept {
  return text.substr(0, key_prefix::public_key.size()) == key_prefix::public_key ||
         text.substr(0, key_prefix::signing_key.size()) == key_prefix::signing_key;
}

class hmac_key;

/// One message being MACed under a prepared key: `update()` any number of times, then
/// `finish()` once. A value on the caller's stack; the key must outlive it.
class hmac_message {
 public:
  hmac_message() noexcept = default;
#if JOBWIRE_HMAC_STACK_STATES
  hmac_message(const hmac_message&) = delete;
  hmac_message& operator=(const hmac_message&) = delete;
  hmac_message(hmac_message&& o) noexcept : ctx_(o.ctx_), outer_(std::exchange(o.outer_, nullptr)) {}
  hmac_message& operator=(hmac_message&& o) noexcept {
    ctx_ = o.ctx_;
    outer_ = std::exchange(o.outer_, nullptr);
    return *this;
  }
  // The inner state is key-derived: wiped when the message ends.
  ~hmac_message() { detail::wipe_bytes(&ctx_, sizeof ctx_); }

  /// Adds bytes to the message. Bodies may arrive in chunks; the result equals one call.
  void_result update(std::string_view bytes) noexcept {
    if (outer_ == nullptr) return errc::invalid_argument;
    if (bytes.empty()) return {};
    if (SHA256_Update(&ctx_, bytes.data(), bytes.size()) != 1) return errc::crypto_error;
    return {};
  }
  /// The MAC; the message is finished afterwards (a further call is `invalid_argument`).
  void_result finish(mac_bytes& out) noexcept {
    if (outer_ == nullptr) return errc::invalid_argument;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX outer = *outer_;
    outer_ = nullptr;
    const bool ok = SHA256_Final(inner, &ctx_) == 1 && SHA256_Update(&outer, inner, sizeof inner) == 1 &&
                    SHA256_Final(out.bytes, &outer) == 1;
    detail::wipe_bytes(inner, sizeof inner);
    detail::wipe_bytes(&outer, sizeof outer);
    if (!ok) return errc::crypto_error;
    return {};
  }

 private:
  friend class hmac_key;
  SHA256_CTX ctx_{};
  const SHA256_CTX* outer_ = nullptr;
#else
  hmac_message(const hmac_message&) = delete;
  hmac_message& operator=(const hmac_message&) = delete;
  hmac_message(hmac_message&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
  hmac_message& operator=(hmac_message&& o) noexcept {
    if (this != &o) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = std::exchange(o.ctx_, nullptr);
    }
    return *this;
  }
  ~hmac_message() { EVP_MAC_CTX_free(ctx_); }

  void_result update(std::string_view bytes) noexcept {
    if (ctx_ == nullptr) return errc::invalid_argument;
    if (bytes.empty()) return {};
    if (EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1)
      return errc::crypto_error;
    return {};
  }
  void_result finish(mac_bytes& out) noexcept {
    if (ctx_ == nullptr) return errc::invalid_argument;
    std::size_t len = 0;
    const bool ok = EVP_MAC_final(ctx_, out.bytes, &len, mac_size) == 1 && len == mac_size;
    EVP_MAC_CTX_free(std::exchange(ctx_, nullptr));
    if (!ok) return errc::crypto_error;
    return {};
  }

 private:
  friend class hmac_key;
  EVP_MAC_CTX* ctx_ = nullptr;
#endif
};

/// One secret, prepared once. Move-only. Computing a MAC (`mac`, `sign`, `start`) does not
/// modify the key, so a `const hmac_key` is shared by any number of threads. The
/// incremental members `begin`/`update`/`finish` keep one message inside the key for
/// callers that stream a single message at a time; they are not for sharing.
class hmac_key {
 public:
  hmac_key() noexcept = default;
  hmac_key(const hmac_key&) = delete;
  hmac_key& operator=(const hmac_key&) = delete;
#if JOBWIRE_HMAC_STACK_STATES
  hmac_key(hmac_key&& o) noexcept : inner_(o.inner_), outer_(o.outer_), valid_(std::exchange(o.valid_, false)) {
    o.wipe();
  }
  hmac_key& operator=(hmac_key&& o) noexcept {
    if (this != &o) {
      inner_ = o.inner_;
      outer_ = o.outer_;
      valid_ = std::exchange(o.valid_, false);
      current_ = hmac_message();
      o.wipe();
    }
    return *this;
  }
  ~hmac_key() { wipe(); }
#else
  hmac_key(hmac_key&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
  hmac_key& operator=(hmac_key&& o) noexcept {
    if (this != &o) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = std::exchange(o.ctx_, nullptr);
      current_ = hmac_message();
    }
    return *this;
  }
  ~hmac_key() { EVP_MAC_CTX_free(ctx_); }
#endif

  /// Prepares `secret` (trimmed of ASCII whitespace; `empty_secret` when nothing is left,
  /// `key_format_mismatch` for the text of an Ed25519 key, `is_ed25519_key_text`).
  static result<hmac_key> create(std::string_view secret) noexcept {
    secret = trim_ascii(secret);
    if (secret.empty()) return errc::empty_secret;
    if (is_ed25519_key_text(secret)) return errc::key_format_mismatch;
    return create_from_bytes(secret);
  }

  /// Prepares key bytes exactly as given, without trimming: a decoded key (§17 `whsec_`)
  /// may begin or end with any byte. `empty_secret` for no bytes.
  static result<hmac_key> create_from_bytes(std::string_view secret) noexcept {
    if (secret.empty()) return errc::empty_secret;
    hmac_key k;
#if JOBWIRE_HMAC_STACK_STATES
    // RFC 2104: a key longer than the block is hashed first, then zero-padded to 64 bytes.
    unsigned char block[SHA256_CBLOCK] = {};
    bool ok = true;
    if (secret.size() > sizeof block) {
      SHA256_CTX c;
      ok = SHA256_Init(&c) == 1 && SHA256_Update(&c, secret.data(), secret.size()) == 1 && SHA256_Final(block, &c) == 1;
      OPENSSL_cleanse(&c, sizeof c);
    } else if (!secret.empty()) {  // an empty view may have no data pointer for memcpy
      std::memcpy(block, secret.data(), secret.size());
    }
    unsigned char pad[SHA256_CBLOCK];
    for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
    ok = ok && SHA256_Init(&k.inner_) == 1 && SHA256_Update(&k.inner_, pad, sizeof pad) == 1;
    for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
    ok = ok && SHA256_Init(&k.outer_) == 1 && SHA256_Update(&k.outer_, pad, sizeof pad) == 1;
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    if (!ok) return errc::crypto_error;
    k.valid_ = true;
#else
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return errc::crypto_error;
    k.ctx_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (k.ctx_ == nullptr) return errc::crypto_error;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(k.ctx_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) != 1)
      return errc::crypto_error;
#endif
    return k;
  }

  bool valid() const noexcept {
#if JOBWIRE_HMAC_STACK_STATES
    return valid_;
#else
    return ctx_ != nullptr;
#endif
  }

  /// Starts a message on the caller's side (thread-safe on a shared key). Check
  /// `update`'s and `finish`'s results: an invalid key gives `invalid_argument` there.
  hmac_message start() const noexcept {
    hmac_message m;
#if JOBWIRE_HMAC_STACK_STATES
    if (!valid_) return m;
    m.ctx_ = inner_;
    m.outer_ = &outer_;
#else
    if (ctx_ != nullptr) m.ctx_ = EVP_MAC_CTX_dup(ctx_);  // allocates (see above)
#endif
    return m;
  }
  /// Starts the signed message: the timestamp header's exact text and the `.` separator.
  hmac_message start(std::string_view timestamp_text) const noexcept {
    hmac_message m = start();
    if (m.update(timestamp_text)) (void)m.update(std::string_view(".", 1));
    return m;
  }

  /// MAC of `timestamp "." body`.
  result<mac_bytes> mac(std::string_view timestamp_text, std::string_view body) const noexcept {
    if (!valid()) return errc::invalid_argument;
    hmac_message m = start();
    mac_bytes out;
    // A timestamp header is short: it and the `.` go in as one update (one call into the
    // hash fewer per message; the timestamp is public, so the copy needs no wiping).
    char head[64];
    if (timestamp_text.size() < sizeof head) {
      // An empty view may have no data pointer, and memcpy must not be handed null.
      if (!timestamp_text.empty()) std::memcpy(head, timestamp_text.data(), timestamp_text.size());
      head[timestamp_text.size()] = '.';
      if (auto st = m.update(std::string_view(head, timestamp_text.size() + 1)); !st) return st.error();
    } else {
      if (auto st = m.update(timestamp_text); !st) return st.error();
      if (auto st = m.update(std::string_view(".", 1)); !st) return st.error();
    }
    if (auto st = m.update(body); !st) return st.error();
    if (auto st = m.finish(out); !st) return st.error();
    return out;
  }

  /// The wire signature (64 lower-case hex) of `timestamp "." body`.
  result<signature_hex> sign(std::string_view timestamp_text, std::string_view body) const noexcept {
    auto m = mac(timestamp_text, body);
    if (!m) return m.error();
    return to_hex(*m);
  }

  /// Incremental use with the message kept in the key (one message at a time; not for a
  /// key shared between threads — use `start()` there): `begin()` or `begin_message(ts)`,
  /// any number of `update()`, `finish()`.
  void_result begin() noexcept {
    if (!valid()) return errc::invalid_argument;
    current_ = start();
    return {};
  }
  void_result begin_message(std::string_view timestamp_text) noexcept {
    if (auto st = begin(); !st) return st;
    if (auto st = update(timestamp_text); !st) return st;
    return update(std::string_view(".", 1));
  }
  void_result update(std::string_view bytes) noexcept { return current_.update(bytes); }
  void_result finish(mac_bytes& out) noexcept { return current_.finish(out); }

 private:
#if JOBWIRE_HMAC_STACK_STATES
  void wipe() noexcept {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
  }
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
  bool valid_ = false;
#else
  EVP_MAC_CTX* ctx_ = nullptr;
#endif
  hmac_message current_;
};

#if JOBWIRE_HMAC_STACK_STATES && (defined(__GNUC__) || defined(__clang__))
#  pragma GCC diagnostic pop
#endif

/// One-shot signing with a secret that is prepared for this call only (sender tools, the
/// CLI). Hot paths keep an `hmac_key`.
inline result<signature_hex> sign(std::string_view secret, std::string_view timestamp_text,
                                  std::string_view body) noexcept {
  auto k = hmac_key::create(secret);
  if (!k) return k.error();
  return k->sign(timestamp_text, body);
}

// --- Standard Webhooks keys (PROTOCOL.md §17) -------------------------------------------

// Decoded symmetric key sizes (§17: "the spec asks for 24–64 bytes"): below, a key is too
// weak to be one a sender generated; above, it is no key any sender generates.
constexpr std::size_t min_webhook_secret_bytes = 24;
constexpr std::size_t max_webhook_secret_bytes = 64;

/// How a symmetric key without the `whsec_` prefix is read under the Standard Webhooks
/// profiles (§17: "make the rule an explicit key-format option as well").
enum class key_format : std::uint8_t {
  by_profile,  ///< `standard`: base64; `openai`: raw UTF-8 bytes (profile::prefixless_key_is_base64)
  base64,      ///< always base64-decoded
  raw,         ///< always its bytes as they are
};

/// Which signature schemes a verifier prepares its keys for (§15: a secret is prepared for
/// every scheme it is valid for; configuration fails only for a secret valid for none).
struct key_options {
  bool service_scheme = true;   ///< ai_stats, phaseo: the trimmed secret's raw bytes
  bool webhooks_scheme = true;  ///< standard, openai: `whsec_` base64 and `whpk_` keys
  key_format prefixless = key_format::by_profile;
};

namespace detail {
constexpr bool starts_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
/// Decodes the base64 of a key (padding optional, §17) into `out`; `invalid_key` when it
/// is not base64 or not `min..max` bytes.
inline result<std::size_t> decode_key_bytes(std::string_view b64, unsigned char* out, std::size_t cap, std::size_t min,
                                            std::size_t max) noexcept {
  auto n = base64::decode(b64, out, cap, base64::padding::optional);
  if (!n || *n < min || *n > max) {
    OPENSSL_cleanse(out, cap);
    return errc::invalid_key;
  }
  return *n;
}
}  // namespace detail

/// True for a secret shaped like a Standard Webhooks key: `whsec_` and the standard base64
/// of 24..64 bytes (§17). The service profiles take any secret as raw bytes, so this is
/// not an error there; it lets a host explain a `signature_mismatch` under a service
/// profile ("the secret looks like a Standard Webhooks key"), pasting the wrong secret
/// being the most common mistake.
inline bool looks_like_webhook_secret(std::string_view secret) noexcept {
  secret = trim_ascii(secret);
  if (!detail::starts_with(secret, key_prefix::secret)) return false;
  unsigned char raw[max_webhook_secret_bytes + 3];
  const bool ok = static_cast<bool>(detail::decode_key_bytes(secret.substr(key_prefix::secret.size()), raw, sizeof raw,
                                                             min_webhook_secret_bytes, max_webhook_secret_bytes));
  OPENSSL_cleanse(raw, sizeof raw);
  return ok;
}

/// Reads a `whpk_` public key (§17). `key_format_mismatch` for a key of another kind
/// (`whsec_`, `whsk_`: a secret pasted where the public key belongs); `invalid_key` for a
/// `whpk_` key that is not the base64 of 32 bytes.
inline result<ed25519_public_key> parse_public_key(std::string_view text) noexcept {
  text = trim_ascii(text);
  if (detail::starts_with(text, key_prefix::secret) || detail::starts_with(text, key_prefix::signing_key))
    return errc::key_format_mismatch;
  if (!detail::starts_with(text, key_prefix::public_key)) return errc::invalid_key;
  unsigned char raw[ed25519_public_key_size + 3];
  auto n = detail::decode_key_bytes(text.substr(key_prefix::public_key.size()), raw, sizeof raw,
                                    ed25519_public_key_size, ed25519_public_key_size);
  if (!n) return n.error();
  return ed25519_public_key::create(raw, *n);
}

/// Reads a `whsk_` signing key (§17): the 32-byte seed or the 64-byte seed‖public key.
/// `key_format_mismatch` for a key of another kind, `invalid_key` for a bad `whsk_` key.
inline result<ed25519_private_key> parse_signing_key(std::string_view text) noexcept {
  text = trim_ascii(text);
  if (detail::starts_with(text, key_prefix::secret) || detail::starts_with(text, key_prefix::public_key))
    return errc::key_format_mismatch;
  if (!detail::starts_with(text, key_prefix::signing_key)) return errc::invalid_key;
  unsigned char raw[ed25519_keypair_size + 3];
  auto n = detail::decode_key_bytes(text.substr(key_prefix::signing_key.size()), raw, sizeof raw, ed25519_seed_size,
                                    ed25519_keypair_size);
  if (!n) return n.error();
  if (*n != ed25519_seed_size && *n != ed25519_keypair_size) {
    OPENSSL_cleanse(raw, sizeof raw);
    return errc::invalid_key;
  }
  auto k = ed25519_private_key::create(raw, *n);
  OPENSSL_cleanse(raw, sizeof raw);
  return k;
}

/// Prepares a symmetric Standard Webhooks key (§17): `whsec_<base64>` is always decoded; a
/// key without the prefix is decoded or taken as raw bytes per `format` (`by_profile`
/// follows `prof`). `invalid_key` for an undecodable key or one outside 24..64 bytes,
/// `key_format_mismatch` for a `whpk_`/`whsk_` key, `empty_secret` for an empty one.
inline result<hmac_key> prepare_webhook_secret(std::string_view text, const profile& prof,
                                               key_format format = key_format::by_profile) noexcept {
  text = trim_ascii(text);
  if (text.empty()) return errc::empty_secret;
  if (is_ed25519_key_text(text)) return errc::key_format_mismatch;
  const bool prefixed = detail::starts_with(text, key_prefix::secret);
  const bool decode =
      prefixed || format == key_format::base64 || (format == key_format::by_profile && prof.prefixless_key_is_base64);
  if (!decode) return hmac_key::create(text);
  if (prefixed) text.remove_prefix(key_prefix::secret.size());
  unsigned char raw[max_webhook_secret_bytes + 3];
  auto n = detail::decode_key_bytes(text, raw, sizeof raw, min_webhook_secret_bytes, max_webhook_secret_bytes);
  if (!n) return n.error();
  auto k = hmac_key::create_from_bytes(std::string_view(reinterpret_cast<const char*>(raw), *n));
  OPENSSL_cleanse(raw, sizeof raw);
  return k;
}

// --- verification with one or several secrets ------------------------------------------

/// The secrets a receiver accepts (rotation: old and new secret side by side), each
/// prepared once. A verifier with no secrets verifies nothing; `verify_delivery` treats it
/// as "unsigned deliveries" and the profile decides whether that is allowed.
/// `verify` is const and thread-safe: share one verifier between all threads (the
/// incremental `begin`/`update`/`finish` are the exception: one message at a time).
class verifier {
 public:
  verifier() noexcept = default;
  // A moved-from verifier is empty (no keys), never a verifier with dead contexts.
  verifier(verifier&& o) noexcept { *this = std::move(o); }
  verifier& operator=(verifier&& o) noexcept {
    if (this != &o) {
      for (std::size_t i = 0; i < max_secrets; ++i) {
        keys_[i] = std::move(o.keys_[i]);
        decoded_[i] = std::move(o.decoded_[i]);
        prefixed_[i] = o.prefixed_[i];
        public_keys_[i] = std::move(o.public_keys_[i]);
      }
      count_ = std::exchange(o.count_, 0);
      public_count_ = std::exchange(o.public_count_, 0);
      options_ = o.options_;
    }
    return *this;
  }

  /// Prepares every secret. `too_many_secrets` above `max_secrets`; `empty_secret` when
  /// any secret is empty after trimming (a blank entry is a configuration mistake, not a
  /// secret to skip).
  static result<verifier> create(const std::string_view* secrets, std::size_t count) noexcept {
    return create(secrets, count, nullptr, 0, key_options{});
  }

  /// Prepares secrets and `whpk_` public keys for the schemes `opts` enables (PROTOCOL.md
  /// §15, §17). Each secret becomes a key of every scheme it is valid for: its raw bytes
  /// for the service profiles; for the Standard Webhooks profiles the base64-decoded bytes
  /// of `whsec_<base64>`, and for a secret without prefix its decoded or raw bytes as
  /// `opts.prefixless` says. Every check happens here, once: a secret valid for no enabled
  /// scheme is `invalid_key` (or `key_format_mismatch` for a `whpk_`/`whsk_` key given as a
  /// secret); a public key is checked by `parse_public_key`, and public keys need the
  /// Standard Webhooks scheme (`key_format_mismatch` without it). Public keys are numbered
  /// after the secrets in `matched_secret` indexes. At most `max_secrets` of each.
  static result<verifier> create(const std::string_view* secrets, std::size_t count,
                                 const std::string_view* public_keys, std::size_t public_count,
                                 const key_options& opts) noexcept {
    if (count > max_secrets || public_count > max_secrets) return errc::too_many_secrets;
    if (!opts.service_scheme && !opts.webhooks_scheme) return errc::invalid_argument;
    if (public_count != 0 && !opts.webhooks_scheme) return errc::key_format_mismatch;
    verifier v;
    v.options_ = opts;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view text = trim_ascii(secrets[i]);
      if (text.empty()) return errc::empty_secret;
      auto raw = hmac_key::create(text);  // refuses an Ed25519 key's text (§17)
      if (!raw) return raw.error();
      v.keys_[i] = std::move(*raw);
      const bool prefixed = detail::starts_with(text, key_prefix::secret);
      v.prefixed_[i] = prefixed;
      bool webhooks_valid = false;
      if (opts.webhooks_scheme) {
        if (prefixed || opts.prefixless != key_format::raw) {
          // Base64 is tried for prefix-less secrets under `by_profile` too (`standard`
          // decodes them); failing, such a secret is still a raw key for `openai`.
          auto decoded = prepare_webhook_secret(text, profiles::standard, key_format::base64);
          if (decoded) {
            v.decoded_[i] = std::move(*decoded);
            webhooks_valid = true;
          } else if (decoded.code() != errc::invalid_key) {
            return decoded.error();
          }
        }
        if (!prefixed && opts.prefixless != key_format::base64) webhooks_valid = true;
      }
      if (!opts.service_scheme && !webhooks_valid) return errc::invalid_key;
      v.count_ = i + 1;
    }
    for (std::size_t i = 0; i < public_count; ++i) {
      auto k = parse_public_key(public_keys[i]);
      if (!k) return k.error();
      v.public_keys_[i] = std::move(*k);
      v.public_count_ = i + 1;
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

  /// Secrets held (public keys not counted).
  std::size_t size() const noexcept { return count_; }
  /// `whpk_` public keys held.
  std::size_t public_key_count() const noexcept { return public_count_; }
  /// True when the verifier holds no key of any kind (§15: only then can an unsigned
  /// delivery be accepted).
  bool empty() const noexcept { return count_ == 0 && public_count_ == 0; }
  const key_options& options() const noexcept { return options_; }

  /// The HMAC key secret `i` is under a Standard Webhooks profile (§17), or nullptr when
  /// that secret is no key of the scheme (not base64, say, under `standard`).
  const hmac_key* webhook_secret(std::size_t i, const profile& prof) const noexcept {
    if (i >= count_ || !options_.webhooks_scheme) return nullptr;
    const bool decode = prefixed_[i] || options_.prefixless == key_format::base64 ||
                        (options_.prefixless == key_format::by_profile && prof.prefixless_key_is_base64);
    const hmac_key& k = decode ? decoded_[i] : keys_[i];
    return k.valid() ? &k : nullptr;
  }
  /// Public key `i` (i < public_key_count()).
  const ed25519_public_key& public_key(std::size_t i) const noexcept { return public_keys_[i]; }

  /// One-shot: index of the secret whose MAC of `timestamp "." body` equals the signature.
  /// Const and allocation-free: any number of threads may verify with one verifier at once
  /// (each message's hash state lives on the calling thread's stack).
  [[nodiscard]] result<std::size_t> verify(std::string_view timestamp_text, std::string_view body,
                                           std::string_view signature_text) const noexcept {
    // Keys for the Standard Webhooks scheme only: the wrong kind of key for this profile
    // (§17), not a missing one.
    if (public_count_ != 0 && count_ == 0) return errc::key_format_mismatch;
    if (count_ != 0 && !options_.service_scheme) return errc::key_format_mismatch;
    if (count_ == 0) return errc::secret_required;
    // The signature is decoded first so a malformed one costs no hashing of the body.
    mac_bytes presented;
    if (auto st = decode_signature(signature_text, presented); !st) return st.error();
    mac_bytes macs[max_secrets];
    for (std::size_t i = 0; i < count_; ++i) {
      auto m = keys_[i].mac(timestamp_text, body);
      if (!m) return m.error();
      macs[i] = *m;
    }
    return select(macs, presented);
  }

  /// Incremental verification of one message kept in the verifier (not for a verifier
  /// shared between threads): `begin(timestamp)`, `update(chunk)`..., `finish(signature)`.
  void_result begin(std::string_view timestamp_text) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].begin_message(timestamp_text); !st) return st;
    return {};
  }
  void_result update(std::string_view chunk) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].update(chunk); !st) return st;
    return {};
  }
  /// Index of the matching secret, or `malformed_signature` / `signature_mismatch`.
  /// Every secret's MAC is computed and compared before the outcome is known.
  [[nodiscard]] result<std::size_t> finish(std::string_view signature_text) noexcept {
    if (public_count_ != 0 && count_ == 0) return errc::key_format_mismatch;  // as `verify`
    if (count_ != 0 && !options_.service_scheme) return errc::key_format_mismatch;
    if (count_ == 0) return errc::secret_required;
    mac_bytes presented;
    const void_result decoded = decode_signature(signature_text, presented);
    mac_bytes macs[max_secrets];
    for (std::size_t i = 0; i < count_; ++i)
      if (auto st = keys_[i].finish(macs[i]); !st) return st.error();
    auto idx = select(macs, presented);
    if (!decoded) return decoded.error();
    return idx;
  }

 private:
  result<std::size_t> select(mac_bytes (&macs)[max_secrets], const mac_bytes& presented) const noexcept {
    const std::size_t idx = detail::select_matching_mac(macs, count_, presented);
    detail::wipe_macs(macs, count_);
    if (idx == count_) return errc::signature_mismatch;
    return idx;
  }

  hmac_key keys_[max_secrets];       // raw bytes (service profiles; `openai` prefix-less)
  hmac_key decoded_[max_secrets];    // base64-decoded (§17), invalid when not decodable
  bool prefixed_[max_secrets] = {};  // the secret was written `whsec_…`
  ed25519_public_key public_keys_[max_secrets];
  std::size_t count_ = 0;
  std::size_t public_count_ = 0;
  key_options options_{};
};

}  // namespace jobwire
