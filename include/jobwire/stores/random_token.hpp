// jobwire — claim tokens for the shared dedup stores (SQLite, Redis, PostgreSQL).
//
// Several processes (or hosts) claim the same keys, so a token must be unique without
// coordination: 128 bits from OpenSSL's CSPRNG, which reseeds itself after fork(), so
// forked receivers never repeat a parent's tokens.
#pragma once

#include <openssl/rand.h>

#include "../dedup.hpp"

namespace jobwire {
namespace stores_detail {

inline result<claim_token> random_claim_token() noexcept {
  claim_token t;
  if (RAND_bytes(t.bytes.data(), static_cast<int>(t.bytes.size())) != 1) return errc::crypto_error;
  return t;
}

/// SQL identifiers the stores interpolate (table names): [a-z_][a-z0-9_]{0,62}, so they
/// never need quoting and cannot inject SQL.
inline bool is_plain_identifier(std::string_view s) noexcept {
  if (s.empty() || s.size() > 63) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace stores_detail
}  // namespace jobwire
