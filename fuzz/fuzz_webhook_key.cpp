// Fuzz target: Standard Webhooks key parsing (PROTOCOL.md §17) and the strict base64 it
// rests on. The input is a key text. Checked for every input:
//   - base64: a decoding re-encodes to the input (padding added where it was optional);
//   - base64::decode_exact (the verification path's fixed-length decoder) accepts the
//     input's first 44 / 88 bytes exactly when decode makes 32 / 64 bytes of them, and the
//     same bytes;
//   - `whpk_` keys: a parsed key's 32 bytes re-encode to the key's base64;
//   - `whsk_` keys: a parsed key formats to a pair whose public key parses back to the
//     same bytes;
//   - secrets under every profile and key format either prepare or fail with a
//     configuration error, and the verifier reaches the same verdict once per key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <jobwire/standard_webhooks.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool config_error(jobwire::errc c) {
  return c == jobwire::errc::invalid_key || c == jobwire::errc::key_format_mismatch || c == jobwire::errc::empty_secret;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  unsigned char raw[512];
  for (auto pad : {jobwire::base64::padding::required, jobwire::base64::padding::optional}) {
    auto n = jobwire::base64::decode(text, raw, sizeof raw, pad);
    if (!n) continue;
    std::string again = jobwire::base64::encode(raw, *n);
    std::string padded(text);
    while (padded.size() % 4 != 0) padded += '=';
    check(again == padded);
  }

  // Signature-sized prefixes (a v1 value, a v1a value) through both decoders.
  auto exact_agrees = [&](auto size_tag) {
    constexpr std::size_t n = decltype(size_tag)::value;
    const std::size_t chars = jobwire::base64::encoded_size(n);
    if (text.size() < chars) return;
    const std::string_view head = text.substr(0, chars);
    unsigned char a[n + 3], b[n];
    auto general = jobwire::base64::decode(head, a, sizeof a, jobwire::base64::padding::required);
    const bool exact = jobwire::base64::decode_exact<n>(head, b);
    check(exact == (general && *general == n));
    if (exact) check(std::memcmp(a, b, n) == 0);
  };
  exact_agrees(std::integral_constant<std::size_t, jobwire::mac_size>{});
  exact_agrees(std::integral_constant<std::size_t, jobwire::ed25519_signature_size>{});

  if (auto pk = jobwire::parse_public_key(text)) {
    const std::string b64 = jobwire::base64::encode(pk->bytes(), jobwire::ed25519_public_key_size);
    const std::string_view t = jobwire::trim_ascii(text).substr(jobwire::key_prefix::public_key.size());
    check(b64.compare(0, t.size(), t) == 0);
  } else {
    check(config_error(pk.code()));
  }

  if (auto sk = jobwire::parse_signing_key(text)) {
    auto pair = jobwire::format_keypair(*sk);
    check(static_cast<bool>(pair));
    auto pk = jobwire::parse_public_key(pair->public_key);
    check(pk && std::memcmp(pk->bytes(), sk->public_bytes(), jobwire::ed25519_public_key_size) == 0);
    auto back = jobwire::parse_signing_key(pair->signing_key);
    check(back && std::memcmp(back->public_bytes(), sk->public_bytes(), jobwire::ed25519_public_key_size) == 0);
  } else {
    check(config_error(sk.code()));
  }

  for (const jobwire::profile* p : {&jobwire::profiles::standard, &jobwire::profiles::openai})
    for (auto f : {jobwire::key_format::by_profile, jobwire::key_format::base64, jobwire::key_format::raw}) {
      auto k = jobwire::prepare_webhook_secret(text, *p, f);
      if (!k) check(config_error(k.code()));
    }
  jobwire::key_options webhooks_only;
  webhooks_only.service_scheme = false;
  for (const jobwire::key_options& o : {jobwire::key_options{}, webhooks_only}) {
    auto v = jobwire::verifier::create(&text, 1, nullptr, 0, o);
    if (!v) check(config_error(v.code()));
    auto w = jobwire::verifier::create(nullptr, 0, &text, 1, o);
    if (!w) check(config_error(w.code()));
  }
  return 0;
}
