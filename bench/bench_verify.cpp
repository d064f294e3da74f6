// verify/<impl>/<body bytes>: verifying one signed delivery (PROTOCOL.md §9).
//
//   jobwire  jobwire::authenticate_delivery (verify_delivery's authentication, which reads
//            no JSON; the body here is no envelope): header lookup, strict timestamp,
//            freshness, hex decode, HMAC-SHA256 under a prepared key, constant-time compare
//   floor    the least any correct verifier does: OpenSSL EVP_MAC with the key prepared
//            once and re-initialised per message, the same bytes, CRYPTO_memcmp against
//            an already-decoded signature
//   naive    one-shot HMAC() over a concatenated string, hex encoding, string compare
//
// Heap allocations: `allocs_per_op` counts operator new (C++ code: jobwire itself);
// `openssl_allocs_per_op` counts OpenSSL's internal mallocs, observed through
// CRYPTO_set_mem_functions (-1 when the hook could not be installed).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <jobwire/verify.hpp>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "alloc_counter.hpp"
#include "hmac_floor.hpp"

namespace {

std::atomic<std::int64_t> g_ossl_allocs{0};

void* counting_malloc(std::size_t n, const char*, int) {
  g_ossl_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* counting_realloc(void* p, std::size_t n, const char*, int) {
  g_ossl_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void counting_free(void* p, const char*, int) { std::free(p); }

// Installed during static initialisation, before any OpenSSL allocation in this binary.
const bool g_ossl_hook = CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) == 1;

class ossl_alloc_scope {
 public:
  explicit ossl_alloc_scope(benchmark::State& s) : state_(s), start_(g_ossl_allocs.load()) {}
  ~ossl_alloc_scope() {
    const auto iters = state_.iterations() ? state_.iterations() : 1;
    state_.counters["openssl_allocs_per_op"] =
        g_ossl_hook ? static_cast<double>(g_ossl_allocs.load() - start_) / static_cast<double>(iters) : -1.0;
  }

 private:
  benchmark::State& state_;
  std::int64_t start_;
};

const std::string secret = "whsec_test_123";
const std::string timestamp = "1781166600";
constexpr std::int64_t now = 1781166600;

std::string make_body(std::size_t n) {
  std::string b = "{\"filler\":\"";
  while (b.size() + 2 < n) b.push_back(static_cast<char>('a' + b.size() % 26));
  b += "\"}";
  b.resize(n, ' ');
  return b;
}

std::string signature_of(const std::string& body) { return jobwire::sign(secret, timestamp, body)->to_string(); }

void verify_jobwire(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  const std::vector<std::pair<std::string, std::string>> headers{{"content-type", "application/json"},
                                                                 {"x-ai-stats-timestamp", timestamp},
                                                                 {"x-ai-stats-signature", signature_of(body)}};
  auto v = jobwire::verifier::create({secret});
  if (!v) {
    state.SkipWithError("verifier");
    return;
  }
  {
    jobwire_bench::alloc_scope allocs(state);
    ossl_alloc_scope ossl(state);
    for (auto _ : state) {
      auto r = jobwire::authenticate_delivery(body, headers, *v, now);
      if (!r) state.SkipWithError("verification failed");
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void verify_floor(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  jobwire::mac_bytes expected;
  if (!jobwire::decode_signature(signature_of(body), expected)) {
    state.SkipWithError("decode");
    return;
  }
  jobwire_bench::hmac_floor floor(secret);
  {
    jobwire_bench::alloc_scope allocs(state);
    ossl_alloc_scope ossl(state);
    for (auto _ : state) {
      const bool ok = floor.verify(timestamp, body, expected.bytes);
      if (!ok) state.SkipWithError("mismatch");
      benchmark::DoNotOptimize(ok);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void verify_naive(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  const std::string presented = signature_of(body);
  {
    jobwire_bench::alloc_scope allocs(state);
    ossl_alloc_scope ossl(state);
    for (auto _ : state) {
      const std::string message = timestamp + "." + body;
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
      std::string hex;
      for (unsigned int i = 0; i < len; ++i) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", out[i]);
        hex += b;
      }
      const bool ok = hex == presented;
      if (!ok) state.SkipWithError("mismatch");
      benchmark::DoNotOptimize(ok);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// hmac/<impl>/<body bytes>: the MAC of `timestamp "." body` alone, the per-message cost
// under verification (issue "verification fixed costs", docs/PERFORMANCE.md):
//   jobwire  hmac_key::mac: the SHA-256 states after the key block, prepared once, copied
//            onto the stack per message (thread-safe: the key is never written)
//   evp      OpenSSL EVP_MAC HMAC-SHA256, the key prepared once and the context
//            re-initialised per message (one context per thread), no comparison
void hmac_jobwire(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  auto key = jobwire::hmac_key::create(secret);
  if (!key) return state.SkipWithError("key");
  {
    jobwire_bench::alloc_scope allocs(state);
    ossl_alloc_scope ossl(state);
    for (auto _ : state) {
      auto m = key->mac(timestamp, body);
      if (!m) state.SkipWithError("mac");
      benchmark::DoNotOptimize(m);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void hmac_evp(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params);
  {
    jobwire_bench::alloc_scope allocs(state);
    ossl_alloc_scope ossl(state);
    for (auto _ : state) {
      unsigned char out[32];
      std::size_t len = 0;
      const bool ok =
          EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
          EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(timestamp.data()), timestamp.size()) == 1 &&
          EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>("."), 1) == 1 &&
          EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
          EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
      if (!ok) state.SkipWithError("mac");
      benchmark::DoNotOptimize(out);
    }
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(hmac_jobwire)->Name("hmac/jobwire")->Arg(64)->Arg(1024);
BENCHMARK(hmac_evp)->Name("hmac/evp")->Arg(64)->Arg(1024);
BENCHMARK(verify_jobwire)->Name("verify/jobwire")->Arg(64)->Arg(1024)->Arg(16384)->Arg(1048576);
BENCHMARK(verify_floor)->Name("verify/floor")->Arg(64)->Arg(1024)->Arg(16384)->Arg(1048576);
BENCHMARK(verify_naive)->Name("verify/naive")->Arg(64)->Arg(1024)->Arg(16384)->Arg(1048576);
