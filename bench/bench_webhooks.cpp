// Standard Webhooks verification (PROTOCOL.md §17), each beside its floor in this binary:
//
//   verify_v1/<impl>/<body bytes>
//     jobwire  jobwire::authenticate_delivery under profile `standard`: the three headers,
//              strict timestamp, freshness, the signature list, base64 decode, HMAC-SHA256
//              of `id.timestamp.body` under a prepared key, constant-time compare
//     jobwire_auto  the same with the profile detected (`auto`), as verify/jobwire runs
//     floor    the same floor as verify/floor (hmac_floor.hpp): EVP_MAC re-initialised per
//              message over the same bytes, CRYPTO_memcmp against an already-decoded MAC.
//              The base64 step must cost no more than the hex one does in verify/jobwire.
//   verify_v1a/<impl>/<body bytes>
//     jobwire  the same call with a `v1a` (Ed25519) entry and a `whpk_` key
//     openssl  raw EVP_DigestVerifyInit + EVP_DigestVerify over a prebuilt
//              `id.timestamp.body`, the key prepared once, one EVP_MD_CTX reused
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <jobwire/standard_webhooks.hpp>
#include <jobwire/verify.hpp>
#include <openssl/evp.h>

#include "alloc_counter.hpp"
#include "hmac_floor.hpp"

namespace {

const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string timestamp = "1614265330";
constexpr std::int64_t now = 1614265330;
// RFC 8032 §7.1 TEST 1 seed.
constexpr unsigned char seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

std::string make_body(std::size_t n) {
  std::string b = "{\"filler\":\"";
  while (b.size() + 2 < n) b.push_back(static_cast<char>('a' + b.size() % 26));
  b += "\"}";
  b.resize(n, ' ');
  return b;
}

using header_list = std::vector<std::pair<std::string, std::string>>;

header_list webhook_headers(const std::string& signature) {
  return {{"content-type", "application/json"},
          {"webhook-id", msg_id},
          {"webhook-timestamp", timestamp},
          {"webhook-signature", signature}};
}

void run_jobwire(benchmark::State& state, const std::string& body, const header_list& headers,
                 const jobwire::verifier& v, const jobwire::profile* prof = &jobwire::profiles::standard) {
  jobwire::verify_options opts;
  opts.prof = prof;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      auto r = jobwire::authenticate_delivery(body, headers, v, now, opts);
      if (!r) state.SkipWithError("verification failed");
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}

void verify_v1_jobwire(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  jobwire::webhook_signer signer;
  if (!signer.add_secret(secret)) return state.SkipWithError("secret");
  const header_list headers = webhook_headers(*signer.sign(msg_id, timestamp, body));
  const std::string_view s = secret;
  auto v = jobwire::verifier::create(&s, 1, nullptr, 0, jobwire::key_options{});
  if (!v) return state.SkipWithError("verifier");
  run_jobwire(state, body, headers, *v);
}

// The same with the profile detected from the headers (`auto`, §15), as verify/jobwire
// runs: the like-for-like comparison of the two signature schemes.
void verify_v1_jobwire_auto(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  jobwire::webhook_signer signer;
  if (!signer.add_secret(secret)) return state.SkipWithError("secret");
  const header_list headers = webhook_headers(*signer.sign(msg_id, timestamp, body));
  const std::string_view s = secret;
  auto v = jobwire::verifier::create(&s, 1, nullptr, 0, jobwire::key_options{});
  if (!v) return state.SkipWithError("verifier");
  run_jobwire(state, body, headers, *v, nullptr);
}

void verify_v1_floor(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  jobwire::webhook_signer signer;
  if (!signer.add_secret(secret)) return state.SkipWithError("secret");
  const std::string sig = *signer.sign(msg_id, timestamp, body);
  unsigned char expected[32];
  if (!jobwire::base64::decode(std::string_view(sig).substr(3), expected, sizeof expected))
    return state.SkipWithError("decode");
  unsigned char key[64];
  auto n = jobwire::base64::decode(std::string_view(secret).substr(6), key, sizeof key);
  if (!n) return state.SkipWithError("key");
  jobwire_bench::hmac_floor floor(std::string_view(reinterpret_cast<const char*>(key), *n));
  // The floor hashes `prefix "." body`: the prefix is `id.timestamp`, the same bytes.
  const std::string prefix = msg_id + "." + timestamp;
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      const bool ok = floor.verify(prefix, body, expected);
      if (!ok) state.SkipWithError("mismatch");
      benchmark::DoNotOptimize(ok);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void verify_v1a_jobwire(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  auto sk = jobwire::ed25519_private_key::create(seed, sizeof seed);
  if (!sk) return state.SkipWithError("key");
  auto pair = jobwire::format_keypair(*sk);
  jobwire::webhook_signer signer;
  if (!pair || !signer.add_signing_key(pair->signing_key)) return state.SkipWithError("signer");
  const header_list headers = webhook_headers(*signer.sign(msg_id, timestamp, body));
  const std::string_view pub = pair->public_key;
  auto v = jobwire::verifier::create(nullptr, 0, &pub, 1, jobwire::key_options{});
  if (!v) return state.SkipWithError("verifier");
  run_jobwire(state, body, headers, *v);
}

void verify_v1a_openssl(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  const std::string message = msg_id + "." + timestamp + "." + body;
  EVP_PKEY* sk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed);
  unsigned char pub[32];
  std::size_t pub_len = sizeof pub;
  EVP_PKEY_get_raw_public_key(sk, pub, &pub_len);
  unsigned char sig[64];
  std::size_t sig_len = sizeof sig;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, sk);
  EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  EVP_PKEY* pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub, sizeof pub);
  {
    jobwire_bench::alloc_scope allocs(state);
    for (auto _ : state) {
      const bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pk) == 1 &&
                      EVP_DigestVerify(ctx, sig, sig_len, reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size()) == 1;
      if (!ok) state.SkipWithError("mismatch");
      benchmark::DoNotOptimize(ok);
    }
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pk);
  EVP_PKEY_free(sk);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// signature_decode/<impl>/one: the decoding step alone, the hex of the service profiles
// (64 digits, SSE2) against the base64 of a `v1` entry (44 characters): `base64` is the
// general decoder (keys), `base64_exact` the fixed-length one verification uses. Then the
// whole `webhook-signature` list of one entry: `webhook_list` is the general entry reader
// (parse_webhook_signatures, one record per entry), `webhook_scan` the one pass
// verify_webhook_signature makes (split, version, decode).
void decode_hex(benchmark::State& state) {
  const std::string sig = "bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39";
  jobwire::mac_bytes m;
  for (auto _ : state) {
    auto r = jobwire::decode_signature(sig, m);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(m);
  }
}
void decode_base64(benchmark::State& state) {
  const std::string sig = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  unsigned char out[32];
  for (auto _ : state) {
    auto r = jobwire::base64::decode(sig, out, sizeof out);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out);
  }
}
void decode_base64_exact(benchmark::State& state) {
  const std::string sig = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  unsigned char out[32];
  for (auto _ : state) {
    const bool r = jobwire::base64::decode_exact<32>(sig, out);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out);
  }
}
void decode_scan(benchmark::State& state) {
  const std::string sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  jobwire::detail::webhook_list_scan scan;
  for (auto _ : state) {
    auto r = jobwire::detail::scan_webhook_signatures(sig, scan);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(scan);
  }
}
void decode_list(benchmark::State& state) {
  const std::string sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  jobwire::webhook_signature_entry entries[jobwire::max_webhook_signatures];
  for (auto _ : state) {
    auto r = jobwire::parse_webhook_signatures(sig, entries);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(entries);
  }
}

}  // namespace

BENCHMARK(decode_hex)->Name("signature_decode/hex/one");
BENCHMARK(decode_base64)->Name("signature_decode/base64/one");
BENCHMARK(decode_base64_exact)->Name("signature_decode/base64_exact/one");
BENCHMARK(decode_list)->Name("signature_decode/webhook_list/one");
BENCHMARK(decode_scan)->Name("signature_decode/webhook_scan/one");
BENCHMARK(verify_v1_jobwire)->Name("verify_v1/jobwire")->Arg(64)->Arg(1024);
BENCHMARK(verify_v1_jobwire_auto)->Name("verify_v1/jobwire_auto")->Arg(64)->Arg(1024);
BENCHMARK(verify_v1_floor)->Name("verify_v1/floor")->Arg(64)->Arg(1024);
BENCHMARK(verify_v1a_jobwire)->Name("verify_v1a/jobwire")->Arg(64)->Arg(1024);
BENCHMARK(verify_v1a_openssl)->Name("verify_v1a/openssl")->Arg(64)->Arg(1024);
