// Fuzz target: the Standard Webhooks signature list (PROTOCOL.md §17). The input is a
// `webhook-signature` header value. Checked for every input:
//   - the list reader stays within its caps and every well-formed entry is canonical base64
//     (decoding then encoding gives the entry's text back);
//   - the verification path's scan (scan_webhook_signatures, with its fast path for
//     `v1,<44 characters>`) gives the list reader's verdicts: the same error and offset, the
//     same well-formed entries in order;
//   - the input as given never authenticates unless it holds the correct `v1` or `v1a`
//     entry for the fixed signed content (no forgery from parsing mistakes);
//   - with the correct `v1` entry appended it does authenticate, unless the list was
//     already at a cap (`limit_exceeded`).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <jobwire/standard_webhooks.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view ts = "1614265330";
constexpr std::string_view body = "{\"test\": 2432232314}";
// RFC 8032 §7.1 TEST 1 seed (the matching public key is derived through OpenSSL).
constexpr unsigned char seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

struct fixture {
  jobwire::verifier keys;
  std::string v1;  // the correct entries for (id, ts, body)
  std::string v1a;
  fixture() {
    auto sk = jobwire::ed25519_private_key::create(seed, sizeof seed);
    check(static_cast<bool>(sk));
    auto pair = jobwire::format_keypair(*sk);
    check(static_cast<bool>(pair));
    const std::string_view secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const std::string_view pub = pair->public_key;
    auto v = jobwire::verifier::create(&secret, 1, &pub, 1, jobwire::key_options{});
    check(static_cast<bool>(v));
    keys = std::move(*v);
    jobwire::webhook_signer s1, s2;
    check(static_cast<bool>(s1.add_secret(secret)));
    check(static_cast<bool>(s2.add_signing_key(pair->signing_key)));
    v1 = *s1.sign(id, ts, body);
    v1a = *s2.sign(id, ts, body);
  }
};

const fixture& fx() {
  static const fixture f;
  return f;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const fixture& f = fx();

  auto count = jobwire::for_each_webhook_signature(header, [&](const jobwire::webhook_signature_entry& e) {
    if (!e.well_formed) return;
    const std::size_t n =
        e.kind == jobwire::webhook_signature_version::v1 ? jobwire::mac_size : jobwire::ed25519_signature_size;
    check(jobwire::base64::encode(e.bytes, n) == e.value);
  });
  if (count) check(*count <= jobwire::max_webhook_signatures);
  else check(count.code() == jobwire::errc::limit_exceeded);

  jobwire::webhook_signature_entry entries[jobwire::max_webhook_signatures];
  auto parsed = jobwire::parse_webhook_signatures(header, entries);
  jobwire::detail::webhook_list_scan scan;
  auto scanned = jobwire::detail::scan_webhook_signatures(header, scan);
  check(static_cast<bool>(parsed) == static_cast<bool>(scanned));
  if (!parsed) {
    check(parsed.code() == scanned.code() && parsed.error().offset == scanned.error().offset);
  } else {
    check(scan.entries == *parsed);
    std::size_t v1s = 0, v1as = 0;
    for (std::size_t i = 0; i < *parsed; ++i) {
      const auto& e = entries[i];
      if (!e.well_formed) continue;
      if (e.kind == jobwire::webhook_signature_version::v1) {
        check(v1s < scan.v1_count && std::memcmp(scan.v1[v1s++], e.bytes, jobwire::mac_size) == 0);
      } else {
        check(v1as < scan.v1a_count && scan.v1a_at[v1as++] == static_cast<std::size_t>(e.value.data() - header.data()));
      }
    }
    check(v1s == scan.v1_count && v1as == scan.v1a_count);
  }

  const auto& p = jobwire::profiles::standard;
  auto r = jobwire::verify_webhook_signature(f.keys, p, id, ts, body, header);
  if (r) check(header.find(f.v1) != std::string_view::npos || header.find(f.v1a) != std::string_view::npos);

  const std::string with_valid = std::string(header) + " " + f.v1;
  auto good = jobwire::verify_webhook_signature(f.keys, p, id, ts, body, with_valid);
  check(static_cast<bool>(good) || good.code() == jobwire::errc::limit_exceeded);
  return 0;
}
