// The verification floor every signature benchmark compares against (ENGINEERING.md,
// "Benchmark names"): OpenSSL EVP_MAC HMAC-SHA256 with the key prepared once, the context
// re-initialised per message, the same bytes hashed, CRYPTO_memcmp on the 32-byte MAC.
// One definition, so the verify and receiver comparisons measure the same floor.
#pragma once

#include <cstddef>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace jobwire_bench {

class hmac_floor {
 public:
  explicit hmac_floor(std::string_view secret) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ctx_ = EVP_MAC_CTX_new(mac_);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params);
  }
  ~hmac_floor() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  hmac_floor(const hmac_floor&) = delete;
  hmac_floor& operator=(const hmac_floor&) = delete;

  /// HMAC of `timestamp.body` compared in constant time with `expected` (32 bytes).
  bool verify(std::string_view timestamp, std::string_view body, const unsigned char* expected) {
    unsigned char out[32];
    std::size_t len = 0;
    EVP_MAC_init(ctx_, nullptr, 0, nullptr);
    EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(timestamp.data()), timestamp.size());
    EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>("."), 1);
    EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    EVP_MAC_final(ctx_, out, &len, sizeof out);
    return CRYPTO_memcmp(out, expected, sizeof out) == 0;
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace jobwire_bench
