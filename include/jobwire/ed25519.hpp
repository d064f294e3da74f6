// jobwire — Ed25519 signatures through OpenSSL (RFC 8032; Standard Webhooks `v1a`,
// PROTOCOL.md §17).
//
// No curve arithmetic lives here: keys are OpenSSL EVP_PKEYs made from their raw bytes
// (EVP_PKEY_new_raw_public_key / _private_key) and every signature goes through
// EVP_DigestSign / EVP_DigestVerify, OpenSSL's one-shot Ed25519 (pure Ed25519 cannot hash
// a message in pieces: RFC 8032 §5.1.6 reads the message twice).
//
// A key is prepared once and never written afterwards: a `const` key serves any number of
// threads (OpenSSL 3 keys are read-only after creation; each call makes its own
// EVP_MD_CTX). OpenSSL allocates that context per call — the one allocation of a `v1a`
// verification that jobwire cannot avoid.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "error.hpp"
#include "result.hpp"

namespace jobwire {

constexpr std::size_t ed25519_public_key_size = 32;
constexpr std::size_t ed25519_seed_size = 32;
/// The seed followed by the public key (libsodium's secret-key layout).
constexpr std::size_t ed25519_keypair_size = 64;
constexpr std::size_t ed25519_signature_size = 64;

namespace detail {
struct evp_md_ctx {
  EVP_MD_CTX* p = EVP_MD_CTX_new();
  evp_md_ctx() noexcept = default;
  evp_md_ctx(const evp_md_ctx&) = delete;
  evp_md_ctx& operator=(const evp_md_ctx&) = delete;
  ~evp_md_ctx() { EVP_MD_CTX_free(p); }
};

class evp_key {
 public:
  evp_key() noexcept = default;
  explicit evp_key(EVP_PKEY* p) noexcept : p_(p) {}
  evp_key(const evp_key&) = delete;
  evp_key& operator=(const evp_key&) = delete;
  evp_key(evp_key&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  evp_key& operator=(evp_key&& o) noexcept {
    if (this != &o) {
      EVP_PKEY_free(p_);
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  ~evp_key() { EVP_PKEY_free(p_); }
  EVP_PKEY* get() const noexcept { return p_; }

 private:
  EVP_PKEY* p_ = nullptr;
};
}  // namespace detail

/// An Ed25519 public key (verifying). Move-only; a const one is shareable between threads.
class ed25519_public_key {
 public:
  ed25519_public_key() noexcept = default;

  /// From the 32 raw bytes (RFC 8032 §5.1.5). `invalid_key` for another length or bytes
  /// OpenSSL refuses.
  static result<ed25519_public_key> create(const unsigned char* bytes, std::size_t size) noexcept {
    if (size != ed25519_public_key_size) return errc::invalid_key;
    ed25519_public_key k;
    k.key_ = detail::evp_key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, size));
    if (k.key_.get() == nullptr) return errc::invalid_key;
    std::memcpy(k.raw_, bytes, size);
    return k;
  }

  bool valid() const noexcept { return key_.get() != nullptr; }
  const unsigned char* bytes() const noexcept { return raw_; }

  /// True when `signature` (64 bytes) is this key's signature of `message`; false for any
  /// other signature (including a non-canonical one, which OpenSSL rejects). An error only
  /// when the backend itself fails.
  [[nodiscard]] result<bool> verify(std::string_view message, const unsigned char* signature) const noexcept {
    if (!valid()) return errc::invalid_argument;
    detail::evp_md_ctx ctx;
    if (ctx.p == nullptr) return errc::out_of_memory;
    if (EVP_DigestVerifyInit(ctx.p, nullptr, nullptr, nullptr, key_.get()) != 1) return errc::crypto_error;
    const int rc = EVP_DigestVerify(ctx.p, signature, ed25519_signature_size,
                                    reinterpret_cast<const unsigned char*>(message.data()), message.size());
    // 1: valid; 0: not this key's signature of this message. OpenSSL reports a malformed
    // signature (an R or S out of range) as an error: it is a failed signature all the same,
    // and the entry it queued must not surface in the host's next OpenSSL call.
    if (rc < 0) ERR_clear_error();
    return rc == 1;
  }

 private:
  detail::evp_key key_;
  unsigned char raw_[ed25519_public_key_size] = {};
};

/// An Ed25519 private key (signing). Move-only. Keeps no copy of the seed outside OpenSSL.
class ed25519_private_key {
 public:
  ed25519_private_key() noexcept = default;

  /// From the 32-byte seed, or the 64-byte seed‖public key whose public half must be the
  /// one the seed derives (RFC 8032 §5.1.5); `invalid_key` otherwise.
  static result<ed25519_private_key> create(const unsigned char* bytes, std::size_t size) noexcept {
    if (size != ed25519_seed_size && size != ed25519_keypair_size) return errc::invalid_key;
    ed25519_private_key k;
    k.key_ = detail::evp_key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes, ed25519_seed_size));
    if (k.key_.get() == nullptr) return errc::invalid_key;
    std::size_t n = ed25519_public_key_size;
    if (EVP_PKEY_get_raw_public_key(k.key_.get(), k.public_, &n) != 1 || n != ed25519_public_key_size)
      return errc::crypto_error;
    if (size == ed25519_keypair_size &&
        CRYPTO_memcmp(k.public_, bytes + ed25519_seed_size, ed25519_public_key_size) != 0)
      return errc::invalid_key;
    return k;
  }

  /// A new key from OpenSSL's random generator.
  static result<ed25519_private_key> generate() noexcept {
    unsigned char seed[ed25519_seed_size];
    if (RAND_bytes(seed, sizeof seed) != 1) return errc::crypto_error;
    auto k = create(seed, sizeof seed);
    OPENSSL_cleanse(seed, sizeof seed);
    return k;
  }

  bool valid() const noexcept { return key_.get() != nullptr; }
  /// The matching public key's 32 bytes.
  const unsigned char* public_bytes() const noexcept { return public_; }

  /// Writes the 32-byte seed to `out` (for storing the key; the caller wipes it).
  void_result seed(unsigned char* out) const noexcept {
    if (!valid()) return errc::invalid_argument;
    std::size_t n = ed25519_seed_size;
    if (EVP_PKEY_get_raw_private_key(key_.get(), out, &n) != 1 || n != ed25519_seed_size) return errc::crypto_error;
    return {};
  }

  /// Writes the 64-byte signature of `message` to `out`.
  void_result sign(std::string_view message, unsigned char* out) const noexcept {
    if (!valid()) return errc::invalid_argument;
    detail::evp_md_ctx ctx;
    if (ctx.p == nullptr) return errc::out_of_memory;
    std::size_t n = ed25519_signature_size;
    if (EVP_DigestSignInit(ctx.p, nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.p, out, &n, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
        n != ed25519_signature_size)
      return errc::crypto_error;
    return {};
  }

 private:
  detail::evp_key key_;
  unsigned char public_[ed25519_public_key_size] = {};
};

}  // namespace jobwire
