// The shared delivery vectors (tests/data/vectors/deliveries.json) through every C++
// surface: the composed call (verify_delivery), the receiver (receive_delivery, or
// receive_webhook for the Standard Webhooks rows, with the in-memory store) and the C API (jobwire_verify). The same
// file is run by the Python suite (bindings/python/tests/test_vectors.py) and the CLI (tests/cli/test_vectors.sh): one
// request, one verdict, whichever surface is asked (PROTOCOL.md §9, §10, §13).
#include <catch2/catch.hpp>

#include <jobwire/receiver.hpp>
#include <jobwire_c.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

using namespace jobwire;

namespace {

struct vector_case {
  std::string name;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // the request's, signature included
  std::vector<std::string> secrets;
  const profile* prof = &profiles::ai_stats;
  std::int64_t now = 0;
  bool allow_unsigned = false;
  std::string verdict, reason;
  int http_status = 0;
};

std::string text(json::value v) {
  auto s = v.get_string();
  REQUIRE(s);
  return s->to_string();
}

// `v.find(name)` in the vector, else in the defaults.
json::value field(const json::object& v, const json::object& defaults, std::string_view name) {
  json::value f = v.find(name);
  return f.exists() ? f : defaults.find(name);
}

std::vector<vector_case> load_vectors(std::string& storage) {
  REQUIRE(
      jobwire_test::read_file(std::string(JOBWIRE_TEST_SOURCE_DIR) + "/tests/data/vectors/deliveries.json", storage));
  auto doc = json::parse(storage, jobwire_test::data_json_limits());
  REQUIRE(doc);
  const json::object root = *doc->get_object();
  const json::object defaults = *root.find("defaults").get_object();
  std::vector<vector_case> out;
  for (json::value item : *root.find("vectors").get_array()) {
    const json::object v = *item.get_object();
    vector_case c;
    c.name = text(v.find("name"));
    c.body = text(v.find("body"));
    const std::string profile_name = text(field(v, defaults, "profile"));
    c.prof = find_profile(profile_name);
    REQUIRE(c.prof != nullptr);
    for (json::value s : *field(v, defaults, "secrets").get_array()) c.secrets.push_back(text(s));
    c.now = *field(v, defaults, "now").get_int64();
    c.allow_unsigned = *field(v, defaults, "allow_unsigned").get_bool();
    for (json::value h : *v.find("headers").get_array()) {
      const json::array pair = *h.get_array();
      c.headers.emplace_back(text(pair.at(0)), text(pair.at(1)));
    }
    // The timestamp and signature headers, the signature computed here (HMAC-SHA256).
    const std::string prefix =
        v.find("header_prefix").exists() ? text(v.find("header_prefix")) : std::string(c.prof->header_prefix);
    const json::value ts = field(v, defaults, "timestamp");
    if (!ts.is_null()) c.headers.emplace_back(prefix + "timestamp", text(ts));
    const json::value literal = v.find("signature");
    const json::value sign_with = field(v, defaults, "sign_with");
    if (literal.exists()) {
      c.headers.emplace_back(prefix + "signature", text(literal));
    } else if (!sign_with.is_null()) {
      const std::string signed_ts = v.find("signed_timestamp").exists() ? text(v.find("signed_timestamp")) : text(ts);
      const std::string signed_body = v.find("signed_body").exists() ? text(v.find("signed_body")) : c.body;
      auto sig = sign(text(sign_with), signed_ts, signed_body);
      REQUIRE(sig);
      c.headers.emplace_back(prefix + "signature", sig->to_string());
    }
    // A build with tiny resource limits (cmake/tiny_limits.cmake) meets a limit first where a
    // vector says so (`expect_tiny`): the same bytes, refused earlier and as precisely.
#if defined(JOBWIRE_TINY_LIMITS)
    const json::object expect =
        *(v.find("expect_tiny").exists() ? v.find("expect_tiny") : v.find("expect")).get_object();
#else
    const json::object expect = *v.find("expect").get_object();
#endif
    c.verdict = text(expect.find("verdict"));
    c.reason = text(expect.find("reason"));
    c.http_status = static_cast<int>(*expect.find("http_status").get_int64());
    out.push_back(std::move(c));
  }
  return out;
}

// The C API's verdict: jobwire_verify over the same request. A verifier created without
// secrets is the C API's way of allowing unsigned deliveries.
std::string c_api_reason(const vector_case& c) {
  std::vector<const char*> secret_ptrs;
  std::vector<std::size_t> secret_lens;
  for (const auto& s : c.secrets) {
    secret_ptrs.push_back(s.data());
    secret_lens.push_back(s.size());
  }
  jobwire_verifier* v = nullptr;
  REQUIRE(jobwire_verifier_create(secret_ptrs.data(), secret_lens.data(), secret_ptrs.size(), &v) == JOBWIRE_OK);
  std::vector<const char*> names, values;
  std::vector<std::size_t> name_lens, value_lens;
  for (const auto& h : c.headers) {
    names.push_back(h.first.data());
    name_lens.push_back(h.first.size());
    values.push_back(h.second.data());
    value_lens.push_back(h.second.size());
  }
  const int profile = c.prof == &profiles::phaseo     ? JOBWIRE_PROFILE_PHASEO
                      : c.prof == &profiles::standard ? JOBWIRE_PROFILE_STANDARD
                      : c.prof == &profiles::openai   ? JOBWIRE_PROFILE_OPENAI
                                                      : JOBWIRE_PROFILE_AI_STATS;
  const int st = jobwire_verify(v, c.body.data(), c.body.size(), names.data(), name_lens.data(), values.data(),
                                value_lens.data(), names.size(), c.now, JOBWIRE_DEFAULT_TOLERANCE, 0, profile, nullptr);
  jobwire_verifier_destroy(v);
  CHECK(jobwire_error_http_status(st) == (st == JOBWIRE_OK ? 200 : c.http_status));
  return jobwire_error_name(st);
}

}  // namespace

TEST_CASE("shared delivery vectors: one verdict from the composed call, the receiver and the C API") {
  std::string storage;
  const auto vectors = load_vectors(storage);
  REQUIRE(vectors.size() > 30);
  for (const vector_case& c : vectors) {
    CAPTURE(c.name);
    REQUIRE((c.verdict == "valid") == (c.reason == "ok"));
    auto secrets = verifier::create(c.secrets);
    REQUIRE(secrets);

    // The composed call.
    verify_options vopt;
    vopt.prof = c.prof;
    if (c.allow_unsigned) vopt.leniency |= lenient::unsigned_deliveries;
    auto verified = verify_delivery(c.body, c.headers, *secrets, c.now, vopt);
    CHECK(error_name(verified.code()) == c.reason);
    if (!verified) CHECK(http_status_of(verified.code()) == c.http_status);

    // The receiver: an empty store and no local state, so a valid delivery is refetched.
    memory_dedup_store store;
    receiver_options ropt;
    ropt.verify.prof = c.prof;
    if (c.allow_unsigned) ropt.leniency |= lenient::unsigned_deliveries;
    int handled = 0;
    // Standard Webhooks deliveries (§17) have their own pipeline: no job state, processed.
    const receipt r = c.prof->scheme == signature_scheme::webhooks
                          ? receive_webhook(
                                c.body, c.headers, *secrets, store, dedup_time{std::chrono::seconds{c.now}},
                                [&](const authenticated_delivery&, const dedup_key&) -> void_result {
                                  ++handled;
                                  return {};
                                },
                                ropt)
                          : receive_delivery(
                                c.body, c.headers, *secrets, store, dedup_time{std::chrono::seconds{c.now}},
                                [](std::string_view) { return std::optional<job_state>(); },
                                [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result {
                                  ++handled;
                                  return {};
                                },
                                ropt);
    CHECK(r.http_status == c.http_status);
    CHECK(error_name(r.error) == c.reason);
    CHECK(r.acknowledged() == (c.verdict == "valid"));
    CHECK(handled == (c.verdict == "valid" ? 1 : 0));

    // The C API (the same call Python makes). Its verifier without secrets allows unsigned.
    if (c.secrets.empty()) REQUIRE(c.allow_unsigned);
    CHECK(c_api_reason(c) == c.reason);
  }
}
