// Fuzz target: one whole verification (PROTOCOL.md §9). Input: a header block
// (`Name: value` lines), an empty line, then the body bytes. Each input is verified twice
// with a rotation of two secrets: as given (a forged signature must never pass), and with
// the signature header replaced by the correct one for the body and timestamp text, so the
// fuzzer also reaches freshness, metadata and header/body agreement on authenticated
// bodies. Each verdict is also compared with the steps run one by one (authenticate, read
// the envelope, agree), which verify_delivery fuses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_request_input.hpp"

#include <jobwire/verify.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

jobwire::verifier& secrets() {
  static jobwire::verifier v = *jobwire::verifier::create({"whsec_old_secret", "whsec_test_123"});
  return v;
}

constexpr std::int64_t now = 1781166600;

// verify_delivery judges the metadata headers together with the body it read
// (verify.hpp `finish_delivery`); its verdict and headers must be those of the steps run
// one after the other: authenticate (strict headers), read the envelope, agree.
template <class Headers>
void check_against_steps(std::string_view body, const Headers& headers, const jobwire::verify_options& opts,
                         const jobwire::result<jobwire::verified_delivery>& r) {
  jobwire::authenticated_delivery a;
  const auto authed = jobwire::authenticate_delivery(body, headers, secrets(), now, a, opts);
  jobwire::errc expected = authed.code();
  if (authed && a.prof->scheme != jobwire::signature_scheme::webhooks) {
    const auto env = jobwire::parse_envelope(a.body, jobwire::delivery_payload_options(opts, *a.prof));
    expected = env ? jobwire::check_agreement(a.headers, *env).code() : env.code();
  }
  check(r.code() == expected);
  if (!r) return;
  check(r->headers.event_id == a.headers.event_id && r->headers.type == a.headers.type &&
        r->headers.key == a.headers.key && r->headers.attempt == a.headers.attempt &&
        r->headers.max_attempts == a.headers.max_attempts && r->body.bytes().data() == a.body.bytes().data());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  jobwire_fuzz::request_input req = jobwire_fuzz::read_request(in, 64);
  const std::string_view body = req.body;

  std::vector<std::pair<std::string, std::string>>& headers = req.headers;

  for (const jobwire::profile* prof : {&jobwire::profiles::ai_stats, &jobwire::profiles::phaseo}) {
    jobwire::verify_options opts;
    opts.prof = prof;
    if (!body.empty() && (body[0] & 1)) opts.leniency |= jobwire::lenient::sdk_timestamps;
    opts.tolerance_seconds = jobwire::tolerance_none;

    auto r = jobwire::verify_delivery(body, headers, secrets(), now, opts);
    check_against_steps(body, headers, opts, r);
    if (r) {
      // Accepted as given: the signature header must really be the MAC under the
      // reported secret.
      check(r->signature_checked && r->matched_secret < secrets().size());
      auto sig = jobwire::find_header(headers, prof->header_prefix, jobwire::header_suffix::signature);
      check(sig && *sig);
      const char* keys[] = {"whsec_old_secret", "whsec_test_123"};
      auto expect = jobwire::sign(keys[r->matched_secret], r->timestamp_text, body);
      jobwire::mac_bytes presented;
      check(jobwire::decode_signature(**sig, presented).has_value());
      check(jobwire::to_hex(presented).view() == expect->view());
    }

    // Re-sign with the second secret over the given timestamp text.
    auto ts = jobwire::find_header(headers, prof->header_prefix, jobwire::header_suffix::timestamp);
    if (!ts || !*ts) continue;
    const std::string ts_text(**ts);
    auto good = jobwire::sign("whsec_test_123", ts_text, body);
    check(good.has_value());
    std::vector<std::pair<std::string, std::string>> signed_headers;
    for (const auto& h : headers)
      if (!jobwire::header_name_is(h.first, prof->header_prefix, jobwire::header_suffix::signature))
        signed_headers.push_back(h);
    signed_headers.emplace_back(std::string(prof->header_prefix) + "signature", good->to_string());
    auto r2 = jobwire::verify_delivery(body, signed_headers, secrets(), now, opts);
    check_against_steps(body, signed_headers, opts, r2);
    // A correct signature is never reported as a mismatch.
    check(r2.code() != jobwire::errc::signature_mismatch);
    if (r2) check(r2->matched_secret == 1);
  }

  // Profile auto (PROTOCOL.md §15): the same verdict as the detected profile named
  // explicitly (ai_stats when no family is present); two families → ambiguous_header.
  {
    jobwire::verify_options automatic;
    if (!body.empty() && (body[0] & 1)) automatic.leniency |= jobwire::lenient::sdk_timestamps;
    automatic.tolerance_seconds = jobwire::tolerance_none;
    auto detected = jobwire::detect_profile(headers);
    auto r = jobwire::verify_delivery(body, headers, secrets(), now, automatic);
    if (body.size() <= automatic.max_body_bytes) {
      if (!detected) {
        check(r.code() == jobwire::errc::ambiguous_header);
      } else {
        jobwire::verify_options named = automatic;
        named.prof = *detected != nullptr ? *detected : &jobwire::profiles::ai_stats;
        auto r_named = jobwire::verify_delivery(body, headers, secrets(), now, named);
        check(r.has_value() == r_named.has_value());
        if (!r) check(r.code() == r_named.code());
        else check(r->prof == named.prof && r->signature_checked);  // keys held: never unsigned
      }
    }
  }
  return 0;
}
