// Standard Webhooks (PROTOCOL.md §17): base64, Ed25519, keys, the signature list, the
// `standard` and `openai` profiles through `authenticate_delivery` / `verify_delivery`,
// the sender's side and the typed body view.
//
// Expected values come from outside jobwire: the specification's published vector (the
// reference libraries' `test_sign_function`), RFC 4648 §10 and RFC 8032 §7.1, and HMACs
// computed here with OpenSSL's one-shot HMAC() over the signed content (not jobwire's
// prepared-key code path).
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <jobwire/jobwire.hpp>
#include <jobwire/receiver.hpp>

using namespace jobwire;
using headers_t = std::vector<std::pair<std::string, std::string>>;

namespace {
// The specification's published vector (PROTOCOL.md §17).
const std::string ref_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string ref_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string ref_ts = "1614265330";
const std::int64_t ref_now = 1614265330;
const std::string ref_body = R"({"test": 2432232314})";
const std::string ref_sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return out;
}
const unsigned char* u8(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// `v1,<base64 HMAC-SHA256(key, id.ts.body)>` with OpenSSL's one-shot HMAC.
std::string openssl_v1(const std::string& key, const std::string& id, const std::string& ts, const std::string& body) {
  const std::string msg = id + "." + ts + "." + body;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(msg), msg.size(), mac, &len);
  return "v1," + base64::encode(mac, len);
}

std::string b64decode(const std::string& s) {
  std::string out(s.size(), '\0');
  auto n = base64::decode(s, reinterpret_cast<unsigned char*>(&out[0]), out.size(), base64::padding::optional);
  REQUIRE(n);
  out.resize(*n);
  return out;
}

verifier make(std::vector<std::string_view> secrets, std::vector<std::string_view> pks = {}, key_options o = {}) {
  auto v = verifier::create(secrets.data(), secrets.size(), pks.data(), pks.size(), o);
  REQUIRE(v);
  return std::move(*v);
}

headers_t hdrs(const std::string& id, const std::string& ts, const std::string& sig,
               const std::string& prefix = "webhook-") {
  return {{prefix + "id", id}, {prefix + "timestamp", ts}, {prefix + "signature", sig}};
}

errc auth_code(const std::string& body, const headers_t& h, const verifier& v, std::int64_t now,
               const profile* prof = &profiles::standard) {
  verify_options o;
  o.prof = prof;
  auto r = authenticate_delivery(body, h, v, now, o);
  return r ? errc::ok : r.code();
}

// RFC 8032 §7.1, TEST 1-3 (secret key = seed, public key, message, signature; hex).
struct rfc8032_case {
  const char* seed;
  const char* pub;
  const char* msg;
  const char* sig;
};
const rfc8032_case rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246"
     "55141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb"
     "00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc"
     "027beceea1ec40a"},
};
}  // namespace

TEST_CASE("base64: RFC 4648 §10 vectors, both ways", "[base64]") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : vectors) {
    CHECK(base64::encode(u8(plain), plain.size()) == enc);
    unsigned char out[8];
    auto n = base64::decode(enc, out, sizeof out);
    REQUIRE(n);
    CHECK(std::string(reinterpret_cast<char*>(out), *n) == plain);
  }
}

TEST_CASE("base64: strict decoding", "[base64]") {
  unsigned char out[16];
  auto code = [&](std::string_view s, base64::padding p = base64::padding::required) {
    auto r = base64::decode(s, out, sizeof out, p);
    return r ? errc::ok : r.code();
  };
  CHECK(code("Zm8") == errc::invalid_argument);               // padding required
  CHECK(code("Zm8", base64::padding::optional) == errc::ok);  // keys: optional
  CHECK(code("Zg", base64::padding::optional) == errc::ok);
  CHECK(code("Zm9v=") == errc::invalid_argument);  // padding after a full group
  CHECK(code("Zg=") == errc::invalid_argument);    // one `=` where two belong
  CHECK(code("Z===") == errc::invalid_argument);
  CHECK(code("Zh==") == errc::invalid_argument);  // non-zero unused bits
  CHECK(code("Zm9=") == errc::invalid_argument);
  CHECK(code("-_8=") == errc::invalid_argument);  // URL-safe alphabet
  CHECK(code("+/8=") == errc::ok);
  CHECK(code("Zm 9v") == errc::invalid_argument);  // no whitespace
  CHECK(code("Zm=9v") == errc::invalid_argument);
  auto r = base64::decode("Zm9vYmFy", out, 5);
  CHECK(r.code() == errc::buffer_too_small);
  auto bad = base64::decode("Zm9v*mFy", out, sizeof out);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().offset == 4);
}

// decode_exact (the verification path's decoder) accepts exactly what decode accepts with
// a result of N bytes: every encoding of some byte strings, then each one with every
// position replaced by characters of each class (another letter, a digit, `+`, `/`, `=`,
// the URL-safe `-` `_`, space, a byte >= 0x80), one character short and long.
template <std::size_t N>
void check_decode_exact_agrees() {
  const char replacements[] = {'A', 'B', 'Q', 'z', '0', '9', '+', '/', '=', '-', '_', ' ', ',', '\x80', '\xff'};
  std::vector<std::string> inputs;
  for (unsigned seed = 0; seed < 8; ++seed) {
    unsigned char raw[N];
    for (std::size_t i = 0; i < N; ++i) raw[i] = static_cast<unsigned char>(seed * 73 + i * 29 + (seed == 1 ? 255 : 0));
    const std::string enc = base64::encode(raw, N);
    inputs.push_back(enc);
    inputs.push_back(enc.substr(1));
    inputs.push_back(enc + "=");
    for (std::size_t pos = 0; pos < enc.size(); ++pos)
      for (char r : replacements) {
        std::string m = enc;
        m[pos] = r;
        inputs.push_back(m);
      }
  }
  std::size_t accepted = 0;
  for (const std::string& in : inputs) {
    unsigned char a[N + 3], b[N];
    auto n = base64::decode(in, a, sizeof a, base64::padding::required);
    const bool want = n && *n == N;
    const bool got = base64::decode_exact<N>(in, b);
    INFO(in);
    REQUIRE(got == want);
    if (got) {
      ++accepted;
      CHECK(std::memcmp(a, b, N) == 0);
    }
  }
  // Both verdicts occur (the mutations include valid re-encodings and refusals).
  CHECK(accepted > 8);
  CHECK(accepted < inputs.size());
}

TEST_CASE("base64: decode_exact agrees with decode for v1 and v1a values", "[base64]") {
  check_decode_exact_agrees<mac_size>();
  check_decode_exact_agrees<ed25519_signature_size>();
  unsigned char out[mac_size];
  // The non-canonical twin of a valid value (unused bits set in the last character).
  const std::string canonical = ref_sig.substr(3);
  std::string twin = canonical;
  twin[42] = static_cast<char>(twin[42] + 1);
  CHECK(base64::decode_exact<mac_size>(canonical, out));
  CHECK_FALSE(base64::decode_exact<mac_size>(twin, out));
}

TEST_CASE("ed25519: RFC 8032 §7.1 test vectors through OpenSSL", "[ed25519]") {
  for (const auto& c : rfc8032) {
    const std::string seed = unhex(c.seed), pub = unhex(c.pub), msg = unhex(c.msg), sig = unhex(c.sig);
    auto sk = ed25519_private_key::create(u8(seed), seed.size());
    REQUIRE(sk);
    CHECK(std::memcmp(sk->public_bytes(), pub.data(), 32) == 0);
    unsigned char out[64];
    REQUIRE(sk->sign(msg, out));
    CHECK(std::string(reinterpret_cast<char*>(out), 64) == sig);
    auto pk = ed25519_public_key::create(u8(pub), pub.size());
    REQUIRE(pk);
    auto ok = pk->verify(msg, u8(sig));
    REQUIRE(ok);
    CHECK(*ok);
    std::string tampered = sig;
    tampered[5] = static_cast<char>(tampered[5] ^ 1);
    auto bad = pk->verify(msg, u8(tampered));
    REQUIRE(bad);
    CHECK_FALSE(*bad);
    auto other = pk->verify(msg + "x", u8(sig));
    REQUIRE(other);
    CHECK_FALSE(*other);
    // The 64-byte seed‖public form, whose public half must match.
    const std::string both = seed + pub;
    CHECK(ed25519_private_key::create(u8(both), both.size()));
    std::string wrong = both;
    wrong[40] = static_cast<char>(wrong[40] ^ 1);
    CHECK(ed25519_private_key::create(u8(wrong), wrong.size()).code() == errc::invalid_key);
  }
  const std::string short_key(31, 'a');
  CHECK(ed25519_public_key::create(u8(short_key), short_key.size()).code() == errc::invalid_key);
}

TEST_CASE("standard: the published vector is what the computation gives", "[standard][vector]") {
  // Independently of jobwire's HMAC path.
  CHECK(openssl_v1(b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ref_id, ref_ts, ref_body) == ref_sig);
  webhook_signer signer;
  REQUIRE(signer.add_secret(ref_secret));
  auto sig = signer.sign(ref_id, ref_ts, ref_body);
  REQUIRE(sig);
  CHECK(*sig == ref_sig);
  // The secret without its prefix is the same key under `standard` (base64).
  webhook_signer bare;
  REQUIRE(bare.add_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  CHECK(*bare.sign(ref_id, ref_ts, ref_body) == ref_sig);
}

// The reference libraries' verification scenarios (standard-webhooks, python/tests).
TEST_CASE("standard: reference library scenarios", "[standard][reference]") {
  const verifier v = make({ref_secret});
  const verifier bare = make({"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
  SECTION("valid, unbranded (webhook-*) and branded (svix-*)") {
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), v, ref_now) == errc::ok);
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig, "svix-"), v, ref_now) == errc::ok);
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig, "Webhook-"), v, ref_now) == errc::ok);
  }
  SECTION("secret with and without the whsec_ prefix") {
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), bare, ref_now) == errc::ok);
  }
  SECTION("missing headers") {
    headers_t h = hdrs(ref_id, ref_ts, ref_sig);
    CHECK(auth_code(ref_body, {h[1], h[2]}, v, ref_now) == errc::missing_message_id);
    CHECK(auth_code(ref_body, {h[0], h[2]}, v, ref_now) == errc::missing_timestamp);
    CHECK(auth_code(ref_body, {h[0], h[1]}, v, ref_now) == errc::missing_signature);
  }
  SECTION("invalid signature") {
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), v, ref_now) ==
          errc::signature_mismatch);
    CHECK(auth_code(ref_body + " ", hdrs(ref_id, ref_ts, ref_sig), v, ref_now) == errc::signature_mismatch);
    CHECK(auth_code(ref_body, hdrs("msg_other", ref_ts, ref_sig), v, ref_now) == errc::signature_mismatch);
  }
  SECTION("partial and empty signatures") {
    for (const char* s :
         {"", "v1,", "v1", "v1,g0hM9SsE", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE="})
      CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, s), v, ref_now) == errc::malformed_signature);
  }
  SECTION("old and new timestamps") {
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), v, ref_now + 301) == errc::timestamp_too_old);
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), v, ref_now - 301) == errc::timestamp_too_new);
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), v, ref_now + 300) == errc::ok);
    CHECK(auth_code(ref_body, hdrs(ref_id, "invalid", ref_sig), v, ref_now) == errc::malformed_timestamp);
    CHECK(auth_code(ref_body, hdrs(ref_id, "1614265330.5", ref_sig), v, ref_now) == errc::malformed_timestamp);
  }
  SECTION("several signatures, unknown versions skipped, any whitespace between") {
    const std::string multi =
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + ref_sig +
        " v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    // Four entries: within the default cap, past the tiny build's (limit tests below).
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, multi), v, ref_now) ==
          (max_webhook_signatures >= 4 ? errc::ok : errc::limit_exceeded));
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, "  v9,abc\t" + ref_sig + "\n "), v, ref_now) == errc::ok);
    // A malformed entry beside a well-formed wrong one is a mismatch, not malformed.
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, "v1,xx v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), v,
                    ref_now) == errc::signature_mismatch);
  }
  SECTION("an id with a dot is malformed; any other character is an id") {
    CHECK(auth_code(ref_body, hdrs("msg.1", ref_ts, ref_sig), v, ref_now) == errc::malformed_message_id);
    CHECK(auth_code(ref_body, hdrs("", ref_ts, ref_sig), v, ref_now) == errc::malformed_message_id);
    const std::string odd_id = "evt id/é:+=%";
    CHECK(auth_code(
              ref_body,
              hdrs(odd_id, ref_ts, openssl_v1(b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), odd_id, ref_ts, ref_body)),
              v, ref_now) == errc::ok);
  }
}

TEST_CASE("openai: a secret without the prefix is its raw bytes", "[openai]") {
  const std::string raw_secret = "my-openai-webhook-secret";  // not base64: only openai reads it
  const std::string sig = openssl_v1(raw_secret, ref_id, ref_ts, ref_body);
  const verifier v = make({raw_secret});
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, sig), v, ref_now, &profiles::openai) == errc::ok);
  // Under `standard` the same text is no key (not base64): the wrong profile, said so.
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, sig), v, ref_now, &profiles::standard) == errc::key_format_mismatch);

  // A prefix-less secret that is also valid base64: each profile reads it its own way.
  const std::string both = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const verifier vb = make({both});
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, openssl_v1(both, ref_id, ref_ts, ref_body)), vb, ref_now,
                  &profiles::openai) == errc::ok);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), vb, ref_now, &profiles::openai) == errc::signature_mismatch);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), vb, ref_now, &profiles::standard) == errc::ok);
  // With the prefix, openai decodes too (its SDK strips `whsec_` and base64-decodes).
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), make({ref_secret}), ref_now, &profiles::openai) == errc::ok);

  // Under auto, the Standard Webhooks family is checked as `openai` when configured so.
  {
    verify_options o;
    o.webhooks_profile = &profiles::openai;
    const headers_t h = hdrs(ref_id, ref_ts, sig);
    auto r = authenticate_delivery(ref_body, h, v, ref_now, o);
    REQUIRE(r);
    CHECK(r->prof == &profiles::openai);
    CHECK(authenticate_delivery(ref_body, h, v, ref_now).code() == errc::key_format_mismatch);  // standard
  }

  // The explicit key-format option overrides the profile's rule.
  key_options as_raw;
  as_raw.prefixless = key_format::raw;
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, openssl_v1(both, ref_id, ref_ts, ref_body)), make({both}, {}, as_raw),
                  ref_now, &profiles::standard) == errc::ok);
  key_options as_b64;
  as_b64.prefixless = key_format::base64;
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, ref_sig), make({both}, {}, as_b64), ref_now, &profiles::openai) ==
        errc::ok);
}

TEST_CASE("keys: checked once, when the verifier is created", "[standard][keys]") {
  key_options webhooks_only;
  webhooks_only.service_scheme = false;
  auto code = [](std::vector<std::string_view> s, std::vector<std::string_view> p, key_options o) {
    auto v = verifier::create(s.data(), s.size(), p.data(), p.size(), o);
    return v ? errc::ok : v.code();
  };
  // Sizes of a decoded symmetric key: 24..64 bytes, each tested at the limit and one past.
  auto secret_of = [](std::size_t n) {
    std::string raw(n, '\x5a');
    return "whsec_" + base64::encode(u8(raw), raw.size());
  };
  CHECK(code({secret_of(min_webhook_secret_bytes)}, {}, webhooks_only) == errc::ok);
  CHECK(code({secret_of(max_webhook_secret_bytes)}, {}, webhooks_only) == errc::ok);
  CHECK(code({secret_of(min_webhook_secret_bytes - 1)}, {}, webhooks_only) == errc::invalid_key);
  CHECK(code({secret_of(max_webhook_secret_bytes + 1)}, {}, webhooks_only) == errc::invalid_key);
  CHECK(code({"whsec_not*base64"}, {}, webhooks_only) == errc::invalid_key);
  // §15: with the service scheme enabled too, such a secret is a raw key for it.
  CHECK(code({"whsec_not*base64"}, {}, key_options{}) == errc::ok);
  CHECK(code({"  "}, {}, key_options{}) == errc::empty_secret);
  // Keys of the wrong kind.
  auto pub = [](std::size_t n) {
    std::string raw(n, '\x11');
    return "whpk_" + base64::encode(u8(raw), raw.size());
  };
  CHECK(code({}, {pub(ed25519_public_key_size)}, key_options{}) == errc::ok);
  CHECK(code({}, {pub(ed25519_public_key_size - 1)}, key_options{}) == errc::invalid_key);
  CHECK(code({}, {pub(ed25519_public_key_size + 1)}, key_options{}) == errc::invalid_key);
  CHECK(code({pub(32)}, {}, key_options{}) == errc::key_format_mismatch);
  CHECK(code({}, {ref_secret}, key_options{}) == errc::key_format_mismatch);
  key_options service_only;
  service_only.webhooks_scheme = false;
  CHECK(code({}, {pub(32)}, service_only) == errc::key_format_mismatch);
  CHECK(code({" " + pub(32)}, {}, service_only) == errc::key_format_mismatch);
  // Signing refuses the same secret the verifier refuses: one verdict on one configuration
  // (the service profiles' HMAC signer and sender included).
  CHECK(sign(pub(32), "1614265330", "{}").code() == errc::key_format_mismatch);
  CHECK(sign(" whsk_abc", "1614265330", "{}").code() == errc::key_format_mismatch);
  CHECK(delivery_sender::create(pub(32)).code() == errc::key_format_mismatch);
  CHECK(sign("whpk", "1614265330", "{}"));  // not a prefix: an ordinary secret
  // Signing keys: 32-byte seed or 64-byte seed‖public.
  const std::string seed = unhex(rfc8032[0].seed), pk = unhex(rfc8032[0].pub);
  CHECK(parse_signing_key("whsk_" + base64::encode(u8(seed), 32)));
  CHECK(parse_signing_key("whsk_" + base64::encode(u8(seed + pk), 64)));
  CHECK(parse_signing_key("whsk_" + base64::encode(u8(seed), 31)).code() == errc::invalid_key);
  CHECK(parse_signing_key("whsk_" + base64::encode(u8(seed + pk), 63)).code() == errc::invalid_key);
  CHECK(parse_signing_key(ref_secret).code() == errc::key_format_mismatch);
  CHECK(code({}, {"whsk_" + base64::encode(u8(seed), 32)}, key_options{}) == errc::key_format_mismatch);
  // The shape of a Standard Webhooks secret (a hint for service-profile mismatches).
  CHECK(looks_like_webhook_secret(ref_secret));
  CHECK(looks_like_webhook_secret(secret_of(max_webhook_secret_bytes)));
  CHECK_FALSE(looks_like_webhook_secret(secret_of(min_webhook_secret_bytes - 1)));
  CHECK_FALSE(looks_like_webhook_secret("whsec_test_123"));
  CHECK_FALSE(looks_like_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  // Limits on the number of keys.
  std::vector<std::string> many(max_secrets + 1, ref_secret);
  std::vector<std::string_view> views(many.begin(), many.end());
  CHECK(code(std::vector<std::string_view>(views.begin(), views.end() - 1), {}, key_options{}) == errc::ok);
  CHECK(code(views, {}, key_options{}) == errc::too_many_secrets);
}

TEST_CASE("v1a: Ed25519 entries, and both kinds of key in one verifier", "[standard][v1a]") {
  auto pair = generate_webhook_keypair();
  REQUIRE(pair);
  webhook_signer signer;
  REQUIRE(signer.add_signing_key(pair->signing_key));
  auto sig = signer.sign(ref_id, ref_ts, ref_body);
  REQUIRE(sig);
  CHECK(sig->rfind("v1a,", 0) == 0);
  CHECK(sig->size() == 4 + webhook_v1a_chars);

  const verifier mixed = make({ref_secret}, {pair->public_key});
  verify_options o;
  o.prof = &profiles::standard;
  auto r = authenticate_delivery(ref_body, hdrs(ref_id, ref_ts, *sig), mixed, ref_now, o);
  REQUIRE(r);
  CHECK(r->matched_secret == 1);                       // public keys are numbered after the secrets
  const headers_t h1 = hdrs(ref_id, ref_ts, ref_sig);  // the result's views point into it
  auto r1 = authenticate_delivery(ref_body, h1, mixed, ref_now, o);
  REQUIRE(r1);
  CHECK(r1->matched_secret == 0);
  CHECK(r1->message_id == ref_id);
  // A sender moving from HMAC to Ed25519 sends both entries; either key accepts.
  webhook_signer both;
  REQUIRE(both.add_secret(ref_secret));
  REQUIRE(both.add_signing_key(pair->signing_key));
  auto s2 = both.sign(ref_id, ref_ts, ref_body);
  REQUIRE(s2);
  CHECK(s2->substr(0, ref_sig.size() + 1) == ref_sig + " ");
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, *s2), make({}, {pair->public_key}), ref_now) == errc::ok);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, *s2), make({ref_secret}), ref_now) == errc::ok);
  // Another public key, a tampered body: a mismatch.
  auto other = generate_webhook_keypair();
  REQUIRE(other);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, *sig), make({}, {other->public_key}), ref_now) ==
        errc::signature_mismatch);
  CHECK(auth_code(ref_body + "x", hdrs(ref_id, ref_ts, *sig), make({}, {pair->public_key}), ref_now) ==
        errc::signature_mismatch);
  // Bodies longer than the stack buffer of the signed content.
  const std::string big(10000, 'b');
  auto sb = signer.sign(ref_id, ref_ts, big);
  REQUIRE(sb);
  verify_options big_opts;
  big_opts.prof = &profiles::standard;
  big_opts.max_body_bytes = big.size();  // above the tiny build's default body limit too
  const headers_t hb = hdrs(ref_id, ref_ts, *sb);
  CHECK(authenticate_delivery(big, hb, make({}, {pair->public_key}), ref_now, big_opts));
}

// The verification path reads the list with scan_webhook_signatures (a fast path for the
// common `v1,<44 chars>` entry); its verdicts must be parse_webhook_signatures' on every
// header: the error and its offset, and the well-formed entries in order.
TEST_CASE("standard: the list scan agrees with the entry reader", "[standard]") {
  const std::string v1 = ref_sig;
  const std::string value = ref_sig.substr(3);
  const std::string v1a = "v1a," + base64::encode(u8(std::string(64, 'k')), 64);
  std::string twin = value;  // non-canonical last character
  twin[42] = static_cast<char>(twin[42] + 1);
  std::vector<std::string> headers = {"",
                                      " ",
                                      v1,
                                      " \t" + v1 + "\r\n",
                                      v1 + " " + v1a,
                                      v1a + " " + v1,
                                      v1 + "x",
                                      v1 + ",",
                                      "v1," + twin,
                                      "v1," + value.substr(0, 43),
                                      "v1," + value + "=",
                                      "v2," + value,
                                      "V1," + value,
                                      "v1" + value,
                                      "v1,," + value,
                                      "v1a," + value,
                                      v1a.substr(1),
                                      "x " + v1 + " y",
                                      v1 + "\v" + v1,
                                      v1 + "\x01" + v1,
                                      "v1," + value.substr(0, 20) + " " + value.substr(20)};
  std::string many;
  for (std::size_t i = 0; i <= max_webhook_signatures; ++i) {
    many += (i % 2 ? v1 : "short") + std::string(" ");
    headers.push_back(many);
  }
  headers.push_back(std::string(max_webhook_signature_header_bytes + 1, ' '));
  for (const std::string& h : headers) {
    INFO(h);
    webhook_signature_entry entries[max_webhook_signatures];
    auto parsed = parse_webhook_signatures(h, entries);
    detail::webhook_list_scan scan;
    auto scanned = detail::scan_webhook_signatures(h, scan);
    REQUIRE(static_cast<bool>(parsed) == static_cast<bool>(scanned));
    if (!parsed) {
      CHECK(parsed.code() == scanned.code());
      CHECK(parsed.error().offset == scanned.error().offset);
      continue;
    }
    CHECK(scan.entries == *parsed);
    std::size_t v1s = 0, v1as = 0;
    for (std::size_t i = 0; i < *parsed; ++i) {
      if (!entries[i].well_formed) continue;
      if (entries[i].kind == webhook_signature_version::v1) {
        REQUIRE(v1s < scan.v1_count);
        CHECK(std::memcmp(scan.v1[v1s++], entries[i].bytes, mac_size) == 0);
      } else {
        REQUIRE(v1as < scan.v1a_count);
        CHECK(scan.v1a_at[v1as++] == static_cast<std::size_t>(entries[i].value.data() - h.data()));
      }
    }
    CHECK(v1s == scan.v1_count);
    CHECK(v1as == scan.v1a_count);
  }
}

TEST_CASE("standard: the signature list limits, at the limit and one past", "[standard][limits]") {
  const verifier v = make({ref_secret});
  const std::string wrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
  std::string list;
  for (std::size_t i = 0; i + 1 < max_webhook_signatures; ++i) list += wrong + " ";
  // Entries: the cap with the valid entry last is accepted, one more is refused.
  const std::string at_cap = list + ref_sig;
  if (at_cap.size() <= max_webhook_signature_header_bytes) {
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, at_cap), v, ref_now) == errc::ok);
    CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, wrong + " " + at_cap), v, ref_now) == errc::limit_exceeded);
  }
  // Short unknown entries count too.
  std::string unknown;
  for (std::size_t i = 0; i < max_webhook_signatures; ++i) unknown += "x ";
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, unknown), v, ref_now) == errc::malformed_signature);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, unknown + "x"), v, ref_now) == errc::limit_exceeded);
  // Header bytes: padded with spaces to the limit, then one more.
  std::string padded = ref_sig;
  padded.resize(max_webhook_signature_header_bytes, ' ');
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, padded), v, ref_now) == errc::ok);
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, padded + " "), v, ref_now) == errc::limit_exceeded);
  // Message id bytes.
  const std::string id_at(max_webhook_id_bytes, 'i');
  const std::string key = b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  CHECK(auth_code(ref_body, hdrs(id_at, ref_ts, openssl_v1(key, id_at, ref_ts, ref_body)), v, ref_now) == errc::ok);
  const std::string id_past(max_webhook_id_bytes + 1, 'i');
  CHECK(auth_code(ref_body, hdrs(id_past, ref_ts, openssl_v1(key, id_past, ref_ts, ref_body)), v, ref_now) ==
        errc::malformed_message_id);
}

TEST_CASE("profiles: one scheme's delivery under the other's profile says so", "[standard][mismatch]") {
  // A service delivery (64 hex) checked under `standard`.
  const verifier v = make({ref_secret});
  CHECK(auth_code(ref_body, hdrs(ref_id, ref_ts, std::string(64, 'a')), v, ref_now) == errc::signature_scheme_mismatch);
  // A Standard Webhooks list checked under `ai_stats`.
  const headers_t service = {{"x-ai-stats-timestamp", ref_ts}, {"x-ai-stats-signature", ref_sig}};
  CHECK(auth_code(ref_body, service, v, ref_now, &profiles::ai_stats) == errc::signature_scheme_mismatch);
  // A verifier holding only a public key, used for a service profile.
  auto pair = generate_webhook_keypair();
  REQUIRE(pair);
  const headers_t hex = {{"x-ai-stats-timestamp", ref_ts}, {"x-ai-stats-signature", std::string(64, 'a')}};
  CHECK(auth_code(ref_body, hex, make({}, {pair->public_key}), ref_now, &profiles::ai_stats) ==
        errc::key_format_mismatch);
}

TEST_CASE("detection: webhook-* and svix-* are the standard family, never a mix", "[standard][detect]") {
  auto detect = [](const headers_t& h) { return detect_profile(h); };
  auto d = detect(hdrs(ref_id, ref_ts, ref_sig));
  REQUIRE(d);
  CHECK(*d == &profiles::standard);
  d = detect(hdrs(ref_id, ref_ts, ref_sig, "svix-"));
  REQUIRE(d);
  CHECK(*d == &profiles::standard);
  d = detect({{"webhook-id", ref_id}});
  REQUIRE(d);
  CHECK(*d == &profiles::standard);
  headers_t two = hdrs(ref_id, ref_ts, ref_sig);
  two.emplace_back("x-phaseo-signature", std::string(64, 'a'));
  CHECK(detect(two).code() == errc::ambiguous_header);

  const verifier v = make({ref_secret});
  // Auto: the detected profile is used (no profile named).
  auto r = authenticate_delivery(ref_body, hdrs(ref_id, ref_ts, ref_sig), v, ref_now);
  REQUIRE(r);
  CHECK(r->prof == &profiles::standard);
  // Both families with the same values (Svix sends both): accepted.
  headers_t dual = hdrs(ref_id, ref_ts, ref_sig);
  for (auto& h : hdrs(ref_id, ref_ts, ref_sig, "svix-")) dual.push_back(h);
  CHECK(auth_code(ref_body, dual, v, ref_now) == errc::ok);
  // Different values, or a mix of the two families: ambiguous.
  headers_t differ = dual;
  differ[5].second = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
  CHECK(auth_code(ref_body, differ, v, ref_now) == errc::ambiguous_header);
  const headers_t mix = {{"webhook-id", ref_id}, {"svix-timestamp", ref_ts}, {"svix-signature", ref_sig}};
  CHECK(auth_code(ref_body, mix, v, ref_now) == errc::ambiguous_header);
  // A header lookup callable works as well as a range.
  const std::map<std::string, std::string> m = {
      {"webhook-id", ref_id}, {"webhook-timestamp", ref_ts}, {"webhook-signature", ref_sig}};
  auto lookup = [&](std::string_view name) -> const std::string* {
    auto it = m.find(std::string(name));
    return it == m.end() ? nullptr : &it->second;
  };
  verify_options o;
  auto rc = authenticate_delivery(ref_body, lookup, v, ref_now, o);
  CHECK(rc);
  // A verifier with no key never accepts an unsigned Standard Webhooks delivery.
  verify_options lax;
  lax.leniency = lenient::unsigned_deliveries;
  lax.prof = &profiles::standard;
  CHECK(authenticate_delivery(ref_body, headers_t{}, verifier{}, ref_now, lax).code() == errc::secret_required);
}

TEST_CASE("standard: verify_delivery authenticates any body bytes", "[standard]") {
  const verifier v = make({ref_secret});
  const std::string body("\xff\x00not json", 10);
  const std::string sig = openssl_v1(b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ref_id, ref_ts, body);
  auto r = verify_delivery(body, hdrs(ref_id, ref_ts, sig), v, ref_now);
  REQUIRE(r);
  CHECK(r->prof == &profiles::standard);
  CHECK(r->body.bytes() == body);
  verify_options o;
  o.max_body_bytes = body.size() - 1;
  CHECK(verify_delivery(body, hdrs(ref_id, ref_ts, sig), v, ref_now, o).code() == errc::body_too_large);
}

TEST_CASE("sender: headers, one entry per key in order, rotation", "[standard][sender]") {
  webhook_signer s;
  REQUIRE(s.add_secret(ref_secret));
  const std::string second = "whsec_" + base64::encode(u8(std::string(32, 'k')), 32);
  REQUIRE(s.add_secret(second));
  auto h = build_webhook_headers(s, ref_id, ref_now, ref_body);
  REQUIRE(h);
  CHECK(h->id == ref_id);
  CHECK(h->timestamp == ref_ts);
  CHECK(h->signature == ref_sig + " " + openssl_v1(std::string(32, 'k'), ref_id, ref_ts, ref_body));
  // The receiver holding only the second key accepts the delivery.
  CHECK(auth_code(ref_body, hdrs(h->id, h->timestamp, h->signature), make({second}), ref_now) == errc::ok);
  CHECK(s.sign("a.b", ref_ts, ref_body).code() == errc::malformed_message_id);
  CHECK(s.sign(ref_id, "12a", ref_body).code() == errc::malformed_timestamp);
  CHECK(webhook_signer{}.sign(ref_id, ref_ts, ref_body).code() == errc::invalid_argument);
  // Key generation: a whsec_ secret of 32 random bytes; two keys differ.
  auto k1 = generate_webhook_secret(), k2 = generate_webhook_secret();
  REQUIRE(k1);
  REQUIRE(k2);
  CHECK(k1->rfind("whsec_", 0) == 0);
  CHECK(*k1 != *k2);
  CHECK(b64decode(k1->substr(6)).size() == generated_webhook_secret_bytes);
  CHECK(make({*k1}).size() == 1);
}

TEST_CASE("typed view: the recommended shape and OpenAI's event", "[standard][body]") {
  auto rec = parse_webhook_event(
      R"({"type":"invoice.paid","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"inv_1","n":2}})");
  REQUIRE(rec);
  CHECK(rec->type == "invoice.paid");
  CHECK(rec->timestamp == "2022-11-03T20:26:10.344522Z");
  CHECK(rec->data.is_object());
  CHECK(rec->data_id == "inv_1");
  auto oai = parse_webhook_event(
      R"({"id":"evt_abc","object":"event","created_at":1750287078,"type":"video.completed","data":{"id":"video_123"}})");
  REQUIRE(oai);
  CHECK(oai->type == "video.completed");
  CHECK(oai->object == "event");
  CHECK(oai->id == "evt_abc");
  CHECK(oai->has_created_at);
  CHECK(oai->created_at == 1750287078);
  CHECK(oai->data_id == "video_123");
  CHECK(parse_webhook_event("[1]").code() == errc::json_type_mismatch);
  CHECK(parse_webhook_event(R"({"type":3})").code() == errc::json_type_mismatch);
  CHECK_FALSE(parse_webhook_event("not json"));
}

TEST_CASE("dedup: the webhook-id, kept as written or by SHA-256, never refused", "[standard][dedup]") {
  auto plain = dedup_key::for_webhook(ref_id);
  REQUIRE(plain);
  CHECK(plain->encoded() == "whm:" + ref_id);
  CHECK(plain->form() == dedup_key_form::webhook_message);
  CHECK(plain->webhook_id() == ref_id);
  CHECK(plain->job_id().empty());
  auto back = dedup_key::parse(plain->encoded());
  REQUIRE(back);
  CHECK(*back == *plain);
  // Ids with spaces, non-ASCII, NUL or over the length: by digest (SHA-256 of the id bytes,
  // here the digest of "a b" as `printf 'a b' | openssl dgst -sha256` prints it).
  auto spaced = dedup_key::for_webhook("a b");
  REQUIRE(spaced);
  CHECK(spaced->encoded() == "whh:c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65");
  CHECK(dedup_key::parse(spaced->encoded()));
  for (std::string id : {std::string("\xc3\xa9v\xc3\xa9nement"), std::string("a\0b", 3),
                         std::string(max_dedup_webhook_id_length + 1, 'x')})
    CHECK(dedup_key::for_webhook(id)->encoded().substr(0, 4) == "whh:");
  CHECK(dedup_key::for_webhook(std::string(max_dedup_webhook_id_length, 'x'))->encoded().substr(0, 4) == "whm:");
  CHECK(*dedup_key::for_webhook("a b") != *dedup_key::for_webhook("a  b"));
  CHECK(dedup_key::for_webhook("").code() == errc::invalid_dedup_key);
  CHECK(dedup_key::parse("whm:a b").code() == errc::invalid_dedup_key);
  CHECK(dedup_key::parse("whh:C8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65").code() ==
        errc::invalid_dedup_key);
}

TEST_CASE("receive_webhook: authenticate, claim the webhook-id, handler, commit", "[standard][receiver]") {
  const verifier v = make({ref_secret});
  memory_dedup_store store;
  const dedup_time now{std::chrono::seconds{ref_now}};
  const headers_t h = hdrs(ref_id, ref_ts, ref_sig);
  int calls = 0;
  auto handler = [&](const authenticated_delivery& a, const dedup_key& k) -> void_result {
    ++calls;
    CHECK(*dedup_key::for_webhook(a.message_id) == k);
    auto view = parse_webhook_event(a.body.bytes());
    CHECK(view);
    return {};
  };
  receipt r = receive_webhook(ref_body, h, v, store, now, handler);
  CHECK(r.action == receiver_decision::process);
  CHECK(r.http_status == 200);
  CHECK(r.message_id == ref_id);
  CHECK(r.prof == &profiles::standard);
  CHECK(calls == 1);
  // A retry of the same message (new timestamp, same id) is a duplicate: 200, no effect.
  const std::string ts2 = std::to_string(ref_now + 60);
  const headers_t retry =
      hdrs(ref_id, ts2, openssl_v1(b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ref_id, ts2, ref_body));
  r = receive_webhook(ref_body, retry, v, store, now + std::chrono::seconds{60}, handler);
  CHECK(r.action == receiver_decision::duplicate);
  CHECK(r.http_status == 200);
  CHECK(calls == 1);
  // A failing handler releases the claim (503), and the retry is processed.
  const std::string other_id = "msg with spaces";
  const std::string sig = openssl_v1(b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), other_id, ref_ts, ref_body);
  const headers_t oh = hdrs(other_id, ref_ts, sig);
  r = receive_webhook(ref_body, oh, v, store, now, [](const authenticated_delivery&, const dedup_key&) -> void_result {
    return errc::handler_failed;
  });
  CHECK(r.http_status == 503);
  CHECK(r.error == errc::handler_failed);
  r = receive_webhook(ref_body, oh, v, store, now, handler);
  CHECK(r.action == receiver_decision::process);
  CHECK(calls == 2);
  // Forgeries are 401 and run nothing; a service delivery is the other scheme.
  r = receive_webhook(ref_body + " ", h, v, store, now, handler);
  CHECK(r.http_status == 401);
  CHECK(r.error == errc::signature_mismatch);
  const headers_t service = {{"x-ai-stats-timestamp", ref_ts}, {"x-ai-stats-signature", std::string(64, 'a')}};
  r = receive_webhook(ref_body, service, make({"whsec_test_123"}), store, now, handler);
  CHECK(r.http_status == 401);
  CHECK(calls == 2);
  // receive_delivery refuses a Standard Webhooks delivery without claiming or acknowledging
  // it: the host's wiring (a local error), not the delivery's.
  const headers_t fresh =
      hdrs("msg_misrouted", ref_ts, openssl_v1(b64decode(ref_secret.substr(6)), "msg_misrouted", ref_ts, ref_body));
  bool loaded = false, handled = false;
  r = receive_delivery(
      ref_body, fresh, v, store, now,
      [&](std::string_view) {
        loaded = true;
        return std::optional<job_state>();
      },
      [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result {
        handled = true;
        return {};
      });
  CHECK(r.action == receiver_decision::reject);
  CHECK(r.error == errc::webhook_delivery_misrouted);
  CHECK(r.reason() == "webhook_delivery_misrouted");
  CHECK(r.http_status == 503);
  CHECK(error_reply_class(errc::webhook_delivery_misrouted) == reply_class::local);
  CHECK(r.prof == &profiles::standard);
  CHECK_FALSE(r.claim.has_value());
  CHECK_FALSE(r.key.has_value());
  CHECK_FALSE(loaded);
  CHECK_FALSE(handled);
  // Nothing was claimed: the webhook entry point then processes the same message.
  r = receive_webhook(ref_body, fresh, v, store, now, handler);
  CHECK(r.action == receiver_decision::process);
  // A delivery that does not authenticate is refused for that, whichever entry point.
  r = receive_delivery(
      ref_body + " ", fresh, v, store, now, [](std::string_view) { return std::optional<job_state>(); },
      [](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; });
  CHECK(r.error == errc::signature_mismatch);
}
