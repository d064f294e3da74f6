// The error table (error.hpp): names, messages and the reply class of every code
// (PROTOCOL.md §13).
#include <catch2/catch.hpp>

#include <jobwire/error.hpp>

#include <string_view>
#include <vector>

using namespace jobwire;

namespace {
std::vector<errc> all_codes() {
  std::vector<errc> out;
#define JOBWIRE_X_LIST(name, id, msg) out.push_back(errc::name);
  JOBWIRE_ERROR_CODES(JOBWIRE_X_LIST)
#undef JOBWIRE_X_LIST
  return out;
}
}  // namespace

TEST_CASE("every code has a name, a message and a reply class") {
  const auto codes = all_codes();
  REQUIRE(codes.size() > 100);
  for (errc c : codes) {
    CAPTURE(error_name(c));
    errc back{};
    CHECK(error_from_name(error_name(c), back));
    CHECK(back == c);
    CHECK(!error_message(c).empty());
    const reply_class cls = error_reply_class(c);
    CHECK((cls == reply_class::ok) == (c == errc::ok));
    const int http = http_status_of(c);
    CHECK(http == http_status_of(cls));
    CHECK((http == 200 || http == 400 || http == 401 || http == 503));
  }
}

TEST_CASE("reply classes: authentication 401, malformed 400, local 503") {
  // Not authentic or not fresh: the sender's retry carries a fresh timestamp.
  for (errc c : {errc::missing_timestamp, errc::missing_signature, errc::malformed_timestamp, errc::timestamp_too_old,
                 errc::timestamp_too_new, errc::malformed_signature, errc::signature_mismatch}) {
    CAPTURE(error_name(c));
    CHECK(error_reply_class(c) == reply_class::authentication);
    CHECK(http_status_of(c) == 401);
  }
  // The request itself is wrong.
  for (errc c : {errc::json_duplicate_key, errc::header_body_mismatch, errc::malformed_header,
                 errc::attempt_exceeds_max, errc::body_too_large, errc::missing_field, errc::invalid_event_id,
                 errc::invalid_delivery_key, errc::ambiguous_header, errc::invalid_dedup_key}) {
    CAPTURE(error_name(c));
    CHECK(error_reply_class(c) == reply_class::malformed);
    CHECK(http_status_of(c) == 400);
  }
  // The receiver's configuration, store or code.
  for (errc c : {errc::secret_required, errc::unsigned_not_allowed, errc::store_unavailable, errc::store_error,
                 errc::store_full, errc::claim_lost, errc::handler_failed, errc::not_found, errc::limit_exceeded,
                 errc::internal_error, errc::out_of_memory, errc::crypto_error, errc::io_error}) {
    CAPTURE(error_name(c));
    CHECK(error_reply_class(c) == reply_class::local);
    CHECK(http_status_of(c) == 503);
  }
  CHECK(http_status_of(errc::ok) == 200);
  // A value that is no code: the receiver cannot say what failed, so the sender retries.
  CHECK(http_status_of(static_cast<errc>(9999)) == 503);
  CHECK(reply_class_name(reply_class::malformed) == "malformed");
}
