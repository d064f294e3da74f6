// Signatures, freshness, delivery headers and whole-delivery verification
// (PROTOCOL.md §9, §15).
//
// Every expected signature below was computed independently of jobwire with OpenSSL's
// command-line tool when the tests were written, using exactly:
//
//   printf '%s' "$TIMESTAMP.$BODY" | openssl dgst -sha256 -hmac "$KEY" -r
//
// (for the non-UTF-8 body: printf '1781166600.\xff\xfe\x00\x80' | openssl dgst -sha256 -hmac whsec_test_123 -r;
//  for examples/sample/delivery.json: S=$(cat examples/sample/delivery.json);
//  printf '%s' "1781166600.$S" | openssl dgst -sha256 -hmac whsec_test_123 -r)
#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <jobwire/jobwire.hpp>

#include "test_support.hpp"

using namespace jobwire;
using namespace std::string_literals;

namespace {
const std::string key = "whsec_test_123";
const std::string ts = "1781166600";
// PROTOCOL.md §9 known vector.
const std::string body = R"({"id":"evt_123","type":"batch.completed","data":{"id":"batch_123","status":"completed"}})";
// KEY=whsec_test_123 TIMESTAMP=1781166600 BODY=<known vector body>
const std::string sig_known = "bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39";
// KEY=whsec_new_456, same timestamp and body
const std::string sig_new_key = "43aedab42d6a795b10f6b062a5681c9680e48e5b238bac5ac650e8d4470ff120";
// KEY=whsec_test_123 TIMESTAMP=1781166600 BODY='' (empty)
const std::string sig_empty_body = "1b4f4f01b64bf842f89c714f0ef78cd5ef656e252c33d2e34e1a9c8035455961";
// KEY=whsec_test_123 TIMESTAMP=1781166600 BODY=bytes ff fe 00 80 (not UTF-8, embedded NUL)
const std::string sig_non_utf8 = "9c1fab334f4058c8f70415e465f89e0e8c3ad821d1faa2bc689adf3da7c171ed";
// KEY=whsec_test_123 TIMESTAMP=1781166601 BODY=<known vector body>
const std::string sig_ts_plus_one = "c35cacf6c1026ae20932af8b523eaa82df98ed05396879564cb6a9de116a83f9";
// KEY=whsec_test_123 TIMESTAMP=1781166600 BODY=examples/sample/delivery.json
const std::string sig_sample = "28e0d3dde506761f02ca212c9624f14ba0324bf63081c29af3bd414f4d76f974";
// KEY=whsec_test_123 TIMESTAMP=1781166600000 (milliseconds) BODY=<known vector body>
const std::string sig_ms = "6f0d1aef5426c136015b4e207f7b8cae79e53164f8bd541f94a13adba0f61ab8";
// KEY=whsec_test_123 TIMESTAMP=2026-06-11T08:30:00Z BODY=<known vector body>
const std::string sig_iso = "bb03227ac13819eb9bc9ea7163a8e16f880e7b27f2bf630c25a2c7917ecb6d7e";

const std::string non_utf8_body("\xff\xfe\x00\x80", 4);

std::string sample_body() {
  std::string out;
  REQUIRE(jobwire_test::read_file(std::string(JOBWIRE_TEST_SOURCE_DIR) + "/examples/sample/delivery.json", out));
  return out;
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

verifier make_verifier(std::initializer_list<std::string_view> secrets) {
  auto v = verifier::create(secrets);
  REQUIRE(v);
  return std::move(*v);
}

using header_pairs = std::vector<std::pair<std::string, std::string>>;

header_pairs signed_headers(const std::string& t, const std::string& s, const std::string& prefix = "x-ai-stats-") {
  return {{prefix + "timestamp", t}, {prefix + "signature", s}, {"content-type", "application/json"}};
}

const std::int64_t now = 1781166600;
}  // namespace

TEST_CASE("signing reproduces the OpenSSL-computed vectors") {
  CHECK(sign(key, ts, body)->view() == sig_known);
  CHECK(sign("whsec_new_456", ts, body)->view() == sig_new_key);
  CHECK(sign(key, ts, "")->view() == sig_empty_body);
  CHECK(sign(key, ts, non_utf8_body)->view() == sig_non_utf8);
  CHECK(sign(key, "1781166601", body)->view() == sig_ts_plus_one);
  CHECK(sign(key, "1781166600000", body)->view() == sig_ms);
  const std::string sample = sample_body();
  CHECK(sign(key, ts, sample)->view() == sig_sample);
}

TEST_CASE("the key is the trimmed secret, whsec_ prefix included") {
  CHECK(sign("  whsec_test_123\n", ts, body)->view() == sig_known);
  CHECK(sign("test_123", ts, body)->view() != sig_known);
  CHECK(sign("", ts, body).code() == errc::empty_secret);
  CHECK(sign(" \t\r\n", ts, body).code() == errc::empty_secret);
  CHECK(verifier::create({"whsec_a", "  "}).code() == errc::empty_secret);
}

TEST_CASE("chunked updates equal the one-shot MAC") {
  auto k = hmac_key::create(key);
  REQUIRE(k);
  for (std::size_t split = 0; split <= body.size(); split += 7) {
    REQUIRE(k->begin_message(ts));
    REQUIRE(k->update(std::string_view(body).substr(0, split)));
    REQUIRE(k->update(std::string_view(body).substr(split)));
    mac_bytes m;
    REQUIRE(k->finish(m));
    CHECK(to_hex(m).view() == sig_known);
  }
  // Byte-at-a-time through the verifier, including the timestamp.
  auto v = make_verifier({key});
  REQUIRE(v.begin(ts));
  for (char c : body) REQUIRE(v.update(std::string_view(&c, 1)));
  auto r = v.finish(sig_known);
  REQUIRE(r);
  CHECK(*r == 0);
  // The prepared key is reusable: the second message does not inherit the first's state.
  CHECK(k->sign(ts, body)->view() == sig_known);
  CHECK(k->sign(ts, "")->view() == sig_empty_body);
}

TEST_CASE("verify accepts the right signature and rejects tampering") {
  auto v = make_verifier({key});
  CHECK(v.verify(ts, body, sig_known).has_value());
  std::string tampered = body;
  tampered[10] = 'X';
  CHECK(v.verify(ts, tampered, sig_known).code() == errc::signature_mismatch);
  CHECK(v.verify(ts, body + " ", sig_known).code() == errc::signature_mismatch);
  CHECK(v.verify("1781166601", body, sig_known).code() == errc::signature_mismatch);
  CHECK(v.verify("1781166601", body, sig_ts_plus_one).has_value());
  auto wrong = make_verifier({"whsec_test_124"});
  CHECK(wrong.verify(ts, body, sig_known).code() == errc::signature_mismatch);
  CHECK(v.verify(ts, "", sig_empty_body).has_value());
  CHECK(v.verify(ts, non_utf8_body, sig_non_utf8).has_value());
  CHECK(v.verify(ts, std::string("\xff\xfe\x00\x81", 4), sig_non_utf8).code() == errc::signature_mismatch);
}

TEST_CASE("signature text: either hex case, trimmed, exactly 64 digits") {
  auto v = make_verifier({key});
  CHECK(v.verify(ts, body, upper(sig_known)).has_value());
  CHECK(v.verify(ts, body, " \t" + sig_known + "\r\n").has_value());
  CHECK(v.verify(ts, body, sig_known.substr(0, 63)).code() == errc::malformed_signature);
  CHECK(v.verify(ts, body, sig_known + "0").code() == errc::malformed_signature);
  CHECK(v.verify(ts, body, "").code() == errc::malformed_signature);
  std::string bad = sig_known;
  bad[5] = 'g';
  CHECK(v.verify(ts, body, bad).code() == errc::malformed_signature);
  bad = sig_known;
  bad[30] = ' ';
  CHECK(v.verify(ts, body, bad).code() == errc::malformed_signature);
  CHECK(v.verify(ts, body, "sha256=" + sig_known).code() == errc::malformed_signature);
  mac_bytes m;
  auto st = decode_signature(sig_known.substr(0, 10) + "z" + sig_known.substr(11), m);
  CHECK(st.code() == errc::malformed_signature);
  CHECK(st.error().offset == 10);
}

TEST_CASE("rotation: any secret may match and its index is reported") {
  // Old and new: the two secrets a rotation needs, which every build allows (max_secrets
  // is at least 2 by a static_assert).
  auto two = make_verifier({key, "whsec_new_456"});
  CHECK(*two.verify(ts, body, sig_known) == 0);
  CHECK(*two.verify(ts, body, sig_new_key) == 1);
  CHECK(two.verify(ts, body, sign("whsec_other", ts, body)->view()).code() == errc::signature_mismatch);
  // Three secrets, unless the build's bound is smaller (the tiny-limits build allows 2):
  // then the verifier is refused, never built with a secret silently dropped.
  const std::vector<std::string_view> three{"whsec_old_000", key, "whsec_new_456"};
  auto made = verifier::create(three);
  if (max_secrets < three.size()) {
    CHECK(made.code() == errc::too_many_secrets);
    return;
  }
  REQUIRE(made);
  auto& v = *made;
  auto r = v.verify(ts, body, sig_known);
  REQUIRE(r);
  CHECK(*r == 1);
  r = v.verify(ts, body, sig_new_key);
  REQUIRE(r);
  CHECK(*r == 2);
  CHECK(v.verify(ts, body, sign("whsec_other", ts, body)->view()).code() == errc::signature_mismatch);
  // The same secret twice: the first index is reported.
  auto dup = make_verifier({key, key});
  CHECK(*dup.verify(ts, body, sig_known) == 0);
}

TEST_CASE("rotation: the selection examines every secret") {
  // select_matching_mac is the branch-free selection verify() uses; it must find a match
  // in any position and only the first of several.
  mac_bytes macs[max_secrets];
  for (std::size_t i = 0; i < max_secrets; ++i) macs[i].bytes[0] = static_cast<unsigned char>(i + 1);
  for (std::size_t i = 0; i < max_secrets; ++i) CHECK(detail::select_matching_mac(macs, max_secrets, macs[i]) == i);
  mac_bytes none;
  CHECK(detail::select_matching_mac(macs, max_secrets, none) == max_secrets);
  // A match in the middle and a later copy of it (3 and 6 by default; 0 and 1 with two).
  const std::size_t first = std::min<std::size_t>(3, max_secrets - 2);
  const std::size_t later = std::min<std::size_t>(6, max_secrets - 1);
  macs[later] = macs[first];
  CHECK(detail::select_matching_mac(macs, max_secrets, macs[first]) == first);
}

TEST_CASE("a moved-from verifier is empty, the moved-to one works") {
  auto a = make_verifier({key, "whsec_new_456"});
  verifier b = std::move(a);
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): the state is specified
  CHECK(a.verify(ts, body, sig_known).code() == errc::secret_required);
  CHECK(*b.verify(ts, body, sig_new_key) == 1);
  verifier c;
  c = std::move(b);
  CHECK(*c.verify(ts, body, sig_known) == 0);
}

TEST_CASE("the number of secrets is bounded") {
  CHECK(max_secrets == JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS);
  std::vector<std::string> many(max_secrets, key);
  CHECK(verifier::create(many).has_value());
  // Every secret of a full verifier is tried: the last one matches too.
  many.back() = "whsec_new_456";
  auto full = verifier::create(many);
  REQUIRE(full);
  CHECK(full->size() == max_secrets);
  CHECK(*full->verify(ts, body, sig_new_key) == max_secrets - 1);
  many.push_back(key);
  CHECK(verifier::create(many).code() == errc::too_many_secrets);
  auto none = verifier::create(std::vector<std::string>{});
  REQUIRE(none);
  CHECK(none->verify(ts, body, sig_known).code() == errc::secret_required);
}

TEST_CASE("strict timestamps: 1 to 12 digits of seconds") {
  CHECK(parse_timestamp("1781166600")->seconds() == 1781166600);
  CHECK(parse_timestamp("0")->seconds() == 0);
  CHECK(parse_timestamp("999999999999")->seconds() == 999999999999);
  for (const char* bad : {"", "1781166600000", "-1781166600", "+1781166600", " 1781166600", "1781166600 ",
                          "1781166600.5", "1e9", "2026-06-11T08:30:00Z", "0x10", "１２"})
    CHECK(parse_timestamp(bad).code() == errc::malformed_timestamp);
}

TEST_CASE("sdk_compat timestamps: milliseconds and ISO-8601") {
  auto ms = parse_timestamp("1781166600000", true);
  REQUIRE(ms);
  CHECK(ms->form == timestamp_form::milliseconds);
  CHECK(ms->seconds() == 1781166600);
  CHECK(parse_timestamp("1781166600123", true)->ms == 1781166600123);
  CHECK(parse_timestamp("1781166600", true)->form == timestamp_form::seconds);
  CHECK(parse_timestamp("1234567890123456", true).code() == errc::malformed_timestamp);
  auto iso = parse_timestamp("2026-06-11T08:30:00Z", true);
  REQUIRE(iso);
  CHECK(iso->form == timestamp_form::iso8601);
  CHECK(iso->seconds() == 1781166600);
  CHECK(parse_timestamp("2026-06-11T08:30:00.250Z", true)->ms == 1781166600250);
  CHECK(parse_timestamp("2026-06-11T10:30:00+02:00", true)->seconds() == 1781166600);
  CHECK(parse_timestamp("2026-06-11T03:00:00-0530", true)->seconds() == 1781166600);
  CHECK(parse_timestamp("2026-06-11 08:30Z", true)->seconds() == 1781166600);
  CHECK(parse_timestamp("2024-02-29T00:00:00Z", true).has_value());
  for (const char* bad : {"2026-06-11T08:30:00", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-11T24:00:00Z",
                          "2026-06-11T08:30:00+25:00", "2026-06-11", "yesterday", "2026-06-11T08:30:00.Z",
                          "2026-06-11T08:30:00Zjunk", "-1781166600"})
    CHECK(parse_timestamp(bad, true).code() == errc::malformed_timestamp);
}

TEST_CASE("freshness window edges are inclusive and symmetric") {
  const auto t = *parse_timestamp("1781166600");
  CHECK(check_freshness(t, now + 300).has_value());
  CHECK(check_freshness(t, now - 300).has_value());
  CHECK(check_freshness(t, now + 301).code() == errc::timestamp_too_old);
  CHECK(check_freshness(t, now - 301).code() == errc::timestamp_too_new);
  CHECK(check_freshness(t, now + 10, 10).has_value());
  CHECK(check_freshness(t, now + 11, 10).code() == errc::timestamp_too_old);
  CHECK(check_freshness(t, now, 0).has_value());
  CHECK(check_freshness(t, now + 1, 0).code() == errc::timestamp_too_old);
  CHECK(check_freshness(t, now + 100000000, tolerance_none).has_value());
  CHECK(check_freshness(t, now, -5).code() == errc::invalid_argument);
  // Millisecond precision is kept: 300.001 s is outside the window.
  const auto ms = *parse_timestamp("1781166599999", true);
  CHECK(check_freshness(ms, now + 299).has_value());
  CHECK(check_freshness(ms, now + 300).code() == errc::timestamp_too_old);
}

TEST_CASE("header lookup: case-insensitive over pairs, maps and callables") {
  header_pairs pairs{{"X-AI-Stats-Signature", "abc"}, {"content-type", "application/json"}};
  CHECK(**find_header(pairs, "x-ai-stats-", "signature") == "abc");
  CHECK(!*find_header(pairs, "x-ai-stats-", "timestamp"));
  CHECK(!*find_header(pairs, "x-phaseo-", "signature"));
  std::map<std::string, std::string> m{{"x-Ai-sTaTs-timestamp", "1"}};
  CHECK(**find_header(m, "x-ai-stats-", "timestamp") == "1");
  std::unordered_map<std::string, std::string> um{{"X-AI-STATS-TIMESTAMP", "2"}};
  CHECK(**find_header(um, "x-ai-stats-timestamp") == "2");
  std::pair<std::string_view, std::string_view> arr[] = {{"x-ai-stats-attempt", "1"}};
  CHECK(**find_header(arr, "x-ai-stats-", "attempt") == "1");

  std::string asked;
  auto fn = [&](std::string_view name) -> std::optional<std::string_view> {
    asked = std::string(name);
    if (name == "x-ai-stats-signature") return std::string_view("sig");
    return std::nullopt;
  };
  CHECK(**find_header(fn, "x-ai-stats-", "signature") == "sig");
  CHECK(asked == "x-ai-stats-signature");
  CHECK(!*find_header(fn, "x-ai-stats-", "timestamp"));
  const std::string stored = "ptr";
  auto ptr_fn = [&](std::string_view name) -> const std::string* {
    return name == "x-ai-stats-timestamp" ? &stored : nullptr;
  };
  CHECK(**find_header(ptr_fn, "x-ai-stats-", "timestamp") == "ptr");
  CHECK(!*find_header(ptr_fn, "x-ai-stats-", "signature"));
}

TEST_CASE("duplicate headers: same value tolerated, different values ambiguous") {
  header_pairs same{{"x-ai-stats-signature", "abc"}, {"X-AI-STATS-SIGNATURE", "abc"}};
  CHECK(**find_header(same, "x-ai-stats-", "signature") == "abc");
  header_pairs differ{{"X-Ai-Stats-Signature", "abc"}, {"x-ai-stats-signature", "abd"}};
  CHECK(find_header(differ, "x-ai-stats-", "signature").code() == errc::ambiguous_header);
  std::multimap<std::string, std::string> mm{{"x-ai-stats-timestamp", "1"}, {"x-ai-stats-timestamp", "2"}};
  CHECK(find_header(mm, "x-ai-stats-", "timestamp").code() == errc::ambiguous_header);
}

TEST_CASE("metadata headers are parsed strictly") {
  header_pairs h{{"X-AI-Stats-Event-Id", "evt_video_G-7f3a_video_progress_50"},
                 {"x-ai-stats-event-type", "video.progress"},
                 {"X-Ai-Stats-Delivery-Key", "video.progress:50"},
                 {"x-ai-stats-attempt", "2"},
                 {"X-AI-STATS-MAX-ATTEMPTS", "4"}};
  auto d = parse_delivery_headers(h);
  REQUIRE(d);
  CHECK(*d->event_id == "evt_video_G-7f3a_video_progress_50");
  CHECK(d->type->phase == phase::progress);
  CHECK(d->key->bucket == 50);
  CHECK(*d->attempt == 2);
  CHECK(*d->max_attempts == 4);
  auto with = [&](std::string name, std::string value) {
    header_pairs c = h;
    for (auto& p : c)
      if (iequals_ascii(p.first, name)) p.second = value;
    return parse_delivery_headers(c).code();
  };
  CHECK(with("x-ai-stats-event-id", "evt bad") == errc::malformed_header);
  CHECK(with("x-ai-stats-event-id", "") == errc::malformed_header);
  CHECK(with("x-ai-stats-event-type", "video.exploded") == errc::malformed_header);
  CHECK(with("x-ai-stats-event-type", "Video.progress") == errc::malformed_header);
  CHECK(with("x-ai-stats-event-type", "video.status_changed") == errc::malformed_header);
  CHECK(with("x-ai-stats-delivery-key", "video.progress:55") == errc::malformed_header);
  CHECK(with("x-ai-stats-attempt", "02") == errc::malformed_header);
  CHECK(with("x-ai-stats-attempt", "0") == errc::malformed_header);
  CHECK(with("x-ai-stats-attempt", "+2") == errc::malformed_header);
  CHECK(with("x-ai-stats-attempt", " 2") == errc::malformed_header);
  CHECK(with("x-ai-stats-max-attempts", "4x") == errc::malformed_header);
  CHECK(with("x-ai-stats-attempt", "5") == errc::attempt_exceeds_max);
  header_pairs dup = h;
  dup.emplace_back("x-ai-stats-attempt", "3");
  CHECK(parse_delivery_headers(dup).code() == errc::ambiguous_header);
  // phaseo: its own prefix and its seventh phase.
  header_pairs ph{{"x-phaseo-event-type", "video.status_changed"}, {"x-ai-stats-event-type", "bogus"}};
  auto p = parse_delivery_headers(ph, profiles::phaseo);
  REQUIRE(p);
  CHECK(p->type->phase == phase::status_changed);
  CHECK(parse_delivery_headers(header_pairs{}).value().any() == false);
}

// --- whole deliveries -------------------------------------------------------------------

namespace {
struct sample_delivery {
  std::string body = sample_body();
  header_pairs headers(const std::string& prefix = "x-ai-stats-") const {
    return {{"Content-Type", "application/json"},
            {prefix + "event-id", "evt_video_G-7f3a_video_completed"},
            {prefix + "event-type", "video.completed"},
            {prefix + "delivery-key", "video.completed"},
            {prefix + "attempt", "1"},
            {prefix + "max-attempts", "4"},
            {prefix + "timestamp", ts},
            {prefix + "signature", sig_sample}};
  }
};

header_pairs set_header(header_pairs h, const std::string& name, const std::string& value) {
  for (auto& p : h)
    if (iequals_ascii(p.first, name)) p.second = value;
  return h;
}

header_pairs drop_header(header_pairs h, const std::string& name) {
  header_pairs out;
  for (auto& p : h)
    if (!iequals_ascii(p.first, name)) out.push_back(p);
  return out;
}
}  // namespace

TEST_CASE("verify_delivery: the sample delivery verifies and reports what it checked") {
  sample_delivery s;
  auto v = make_verifier({"whsec_old", key});
  const header_pairs h = s.headers();  // the result's views point into the headers
  auto r = verify_delivery(s.body, h, v, now);
  REQUIRE(r);
  CHECK(r->signature_checked);
  CHECK(r->matched_secret == 1);
  CHECK(r->timestamp_text == ts);
  CHECK(r->timestamp.seconds() == now);
  CHECK(*r->headers.attempt == 1);
  CHECK(*r->headers.event_id == "evt_video_G-7f3a_video_completed");
  // The envelope, read from the authenticated body.
  CHECK(r->envelope.id == "evt_video_G-7f3a_video_completed");
  CHECK(r->envelope.delivery.present);
  CHECK(r->envelope.delivery.attempt == 1);
  CHECK(r->body.bytes() == s.body);
}

// The compiled-in default body bound (JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES; 4 KiB in the
// tiny-limits build): a correctly signed delivery of exactly that size verifies, one byte
// more is `body_too_large` before the signature is even looked at.
TEST_CASE("verify_delivery: the default body limit admits exactly its size") {
  CHECK(verify_options{}.max_body_bytes == default_max_body_bytes);
  CHECK(default_max_body_bytes == JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES);
  sample_delivery s;
  REQUIRE(s.body.size() <= default_max_body_bytes);
  auto v = make_verifier({key});
  auto signed_headers_for = [&](const std::string& b) {
    auto sig = sign(key, ts, b);
    REQUIRE(sig);
    return set_header(s.headers(), "x-ai-stats-signature", std::string(sig->view()));
  };
  // Trailing whitespace is part of a JSON text, so the padded body still parses.
  std::string at = s.body + std::string(default_max_body_bytes - s.body.size(), ' ');
  const header_pairs h_at = signed_headers_for(at);
  auto r = verify_delivery(at, h_at, v, now);
  CHECK(r.code() == errc::ok);
  std::string over = at + " ";
  const header_pairs h_over = signed_headers_for(over);
  CHECK(verify_delivery(over, h_over, v, now).code() == errc::body_too_large);
  // The bound is the caller's to lower or raise.
  verify_options raised;
  raised.max_body_bytes = over.size();
  CHECK(verify_delivery(over, h_over, v, now, raised).code() ==
        jobwire_test::expected_unless_json_limit(over, errc::ok));
}

TEST_CASE("verify_delivery: each failure has its own code") {
  sample_delivery s;
  auto v = make_verifier({key});
  const auto h = s.headers();
  auto code = [&](const header_pairs& hs, const std::string& b = "", std::int64_t at = now, verify_options o = {}) {
    return verify_delivery(b.empty() ? s.body : b, hs, v, at, o).code();
  };
  CHECK(code(drop_header(h, "x-ai-stats-timestamp")) == errc::missing_timestamp);
  CHECK(code(drop_header(h, "x-ai-stats-signature")) == errc::missing_signature);
  CHECK(code(set_header(h, "x-ai-stats-timestamp", "1781166600000")) == errc::malformed_timestamp);
  CHECK(code(set_header(h, "x-ai-stats-signature", sig_sample.substr(1))) == errc::malformed_signature);
  CHECK(code(set_header(h, "x-ai-stats-signature", sig_known)) == errc::signature_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-timestamp", "1781166601"), "", now) == errc::signature_mismatch);
  std::string tampered = s.body;
  tampered.replace(tampered.find("\"progress\":100"), 14, "\"progress\":99 ");
  CHECK(code(h, tampered) == errc::signature_mismatch);
  CHECK(code(h, "", now + 301) == errc::timestamp_too_old);
  CHECK(code(h, "", now - 301) == errc::timestamp_too_new);
  CHECK(code(h, "", now + 300) == errc::ok);
  CHECK(code(h, "", now - 300) == errc::ok);
  verify_options none;
  none.tolerance_seconds = tolerance_none;
  CHECK(code(h, "", now + 86400 * 365, none) == errc::ok);
  verify_options small;
  small.max_body_bytes = 16;
  CHECK(code(h, "", now, small) == errc::body_too_large);
  // Duplicates in varied casing.
  header_pairs dup = h;
  dup.emplace_back("X-AI-STATS-SIGNATURE", sig_known);
  CHECK(code(dup) == errc::ambiguous_header);
  dup = h;
  dup.emplace_back("X-Ai-Stats-Timestamp", "1781166601");
  CHECK(code(dup) == errc::ambiguous_header);
  dup = h;
  dup.emplace_back("X-AI-Stats-Signature", sig_sample);  // same value repeated
  CHECK(code(dup) == errc::ok);
}

TEST_CASE("verify_delivery: headers must agree with the envelope") {
  sample_delivery s;
  auto v = make_verifier({key});
  const auto h = s.headers();
  auto code = [&](const header_pairs& hs) { return verify_delivery(s.body, hs, v, now).code(); };
  CHECK(code(set_header(h, "x-ai-stats-event-id", "evt_other")) == errc::header_body_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-event-type", "video.failed")) == errc::header_body_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-delivery-key", "video.progress:50")) == errc::header_body_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-attempt", "2")) == errc::header_body_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-max-attempts", "5")) == errc::header_body_mismatch);
  CHECK(code(set_header(h, "x-ai-stats-attempt", "5")) == errc::attempt_exceeds_max);
  CHECK(code(set_header(h, "x-ai-stats-attempt", "one")) == errc::malformed_header);
  // Only the headers present are compared.
  auto r = verify_delivery(s.body, drop_header(drop_header(h, "x-ai-stats-attempt"), "x-ai-stats-event-id"), v, now);
  REQUIRE(r);
  CHECK(!r->headers.attempt);
  // No metadata headers: nothing to compare, the envelope is still read.
  header_pairs bare{{"x-ai-stats-timestamp", ts}, {"x-ai-stats-signature", sig_sample}};
  r = verify_delivery(s.body, bare, v, now);
  REQUIRE(r);
  CHECK(!r->headers.any());
  CHECK(r->envelope.data.id.str() == "G-7f3a");
  // The §9 known vector has no `delivery`: the event id and type are still compared, the
  // delivery headers have no body field to disagree with (the body decides, §9).
  r = verify_delivery(body, signed_headers(ts, sig_known), v, now);
  REQUIRE(r);
  CHECK(!r->envelope.delivery.present);
  header_pairs meta_only = signed_headers(ts, sig_known);
  meta_only.emplace_back("x-ai-stats-attempt", "1");
  CHECK(verify_delivery(body, meta_only, v, now).has_value());
  meta_only.emplace_back("x-ai-stats-event-id", "evt_124");
  CHECK(verify_delivery(body, meta_only, v, now).code() == errc::header_body_mismatch);
  // Bodies that are not envelopes fail verification as the receiver would refuse them;
  // authentication alone hashes them as raw bytes.
  CHECK(verify_delivery(non_utf8_body, signed_headers(ts, sig_non_utf8), v, now).code() == errc::json_unexpected_token);
  CHECK(verify_delivery("", signed_headers(ts, sig_empty_body), v, now).code() == errc::json_empty_input);
  auto a = authenticate_delivery(non_utf8_body, signed_headers(ts, sig_non_utf8), v, now);
  REQUIRE(a);
  CHECK(a->body.bytes() == non_utf8_body);
  CHECK(authenticate_delivery("", signed_headers(ts, sig_empty_body), v, now).has_value());
  CHECK(authenticate_delivery("", signed_headers(ts, sig_non_utf8), v, now).code() == errc::signature_mismatch);
}

TEST_CASE("verify_delivery: metadata headers judged with the body keep the step order (§9)") {
  // verify_delivery reads the body before it settles the metadata headers (a header
  // equal to the body's field needs no second parse); the verdicts stay those of the
  // steps in order: a malformed header is malformed_header even when the body is bad
  // too, a valid header that differs is header_body_mismatch, and a step-6 failure leaves
  // no body and no envelope in the result.
  sample_delivery s;
  auto v = make_verifier({key});
  const auto h = s.headers();
  const std::string not_json = "not json";
  const auto bad_body_sig = sign(key, ts, not_json)->to_string();
  const auto bad_body = set_header(h, "x-ai-stats-signature", bad_body_sig);
  CHECK(verify_delivery(not_json, bad_body, v, now).code() == errc::json_unexpected_token);
  CHECK(verify_delivery(not_json, set_header(bad_body, "x-ai-stats-event-type", "video.nope"), v, now).code() ==
        errc::malformed_header);
  CHECK(verify_delivery(not_json, set_header(bad_body, "x-ai-stats-attempt", "5"), v, now).code() ==
        errc::attempt_exceeds_max);
  // A malformed key, type or id header differs from the body's text: still malformed.
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-delivery-key", "video.completed:"), v, now).code() ==
        errc::malformed_header);
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-event-type", "Video.completed"), v, now).code() ==
        errc::malformed_header);
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-event-id", "evt video"), v, now).code() ==
        errc::malformed_header);
  // Equal text, then a count that exceeds: the counts are still read strictly.
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-max-attempts", "0"), v, now).code() ==
        errc::malformed_header);
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-attempt", "01"), v, now).code() == errc::malformed_header);
  // A failed step 6 is a failed authentication: no body, no envelope, no headers.
  verified_delivery out;
  CHECK(verify_delivery(s.body, set_header(h, "x-ai-stats-event-type", "video.nope"), v, now, out).code() ==
        errc::malformed_header);
  CHECK(out.body.bytes().data() == nullptr);
  CHECK(!out.headers.any());
  CHECK(out.envelope.id.empty());
  // A mismatch keeps both sides readable, and the headers are the ones parsed from the
  // header text (views into the headers, typed values equal to the body's).
  REQUIRE(verify_delivery(s.body, h, v, now, out));
  CHECK(out.headers.event_id->data() == h[1].second.data());
  CHECK(*out.headers.type == out.envelope.type);
  CHECK(*out.headers.key == out.envelope.delivery.key);
  CHECK(*out.headers.max_attempts == 4);
  const header_pairs other = set_header(h, "x-ai-stats-event-id", "evt_other");  // outlives the views
  CHECK(verify_delivery(s.body, other, v, now, out).code() == errc::header_body_mismatch);
  CHECK(*out.headers.event_id == "evt_other");
  CHECK(out.envelope.id == "evt_video_G-7f3a_video_completed");
  CHECK(out.body.bytes() == s.body);
}

TEST_CASE("verify_delivery over a lookup callable") {
  sample_delivery s;
  auto v = make_verifier({key});
  const auto h = s.headers();
  // A host whose framework offers case-insensitive lookup returning string_view (null
  // data = absent).
  auto lookup = [&](std::string_view name) -> std::string_view {
    for (const auto& p : h)
      if (iequals_ascii(p.first, name)) return p.second;
    return {};
  };
  auto r = verify_delivery(s.body, lookup, v, now);
  REQUIRE(r);
  CHECK(*r->headers.max_attempts == 4);
  auto no_sig = [&](std::string_view name) -> std::string_view {
    return name == "x-ai-stats-signature" ? std::string_view() : lookup(name);
  };
  CHECK(verify_delivery(s.body, no_sig, v, now).code() == errc::missing_signature);
}

TEST_CASE("verify_delivery: sdk_compat timestamp forms sign their exact text") {
  auto v = make_verifier({key});
  verify_options compat;
  compat.leniency = lenient::sdk_timestamps;
  CHECK(verify_delivery(body, signed_headers("1781166600000", sig_ms), v, now, compat).has_value());
  CHECK(verify_delivery(body, signed_headers("1781166600000", sig_ms), v, now).code() == errc::malformed_timestamp);
  CHECK(verify_delivery(body, signed_headers("2026-06-11T08:30:00Z", sig_iso), v, now, compat).has_value());
  CHECK(verify_delivery(body, signed_headers("2026-06-11T08:30:00Z", sig_iso), v, now + 301, compat).code() ==
        errc::timestamp_too_old);
  // The signed text is the header's text, not a normalised number.
  CHECK(verify_delivery(body, signed_headers("1781166600000", sig_known), v, now, compat).code() ==
        errc::signature_mismatch);
}

TEST_CASE("verify_delivery: profiles select the prefix, phaseo requires a secret") {
  sample_delivery s;
  auto v = make_verifier({key});
  verify_options phaseo;
  phaseo.prof = &profiles::phaseo;
  CHECK(verify_delivery(s.body, s.headers("x-phaseo-"), v, now, phaseo).has_value());
  CHECK(verify_delivery(s.body, s.headers("X-Phaseo-"), v, now, phaseo).has_value());
  CHECK(verify_delivery(s.body, s.headers("x-ai-stats-"), v, now, phaseo).code() == errc::missing_timestamp);
  verify_options ai_stats;
  ai_stats.prof = &profiles::ai_stats;
  CHECK(verify_delivery(s.body, s.headers("x-phaseo-"), v, now, ai_stats).code() == errc::missing_timestamp);
  // The default is auto (§15): the phaseo family is detected.
  auto detected = verify_delivery(s.body, s.headers("x-phaseo-"), v, now);
  REQUIRE(detected);
  CHECK(detected->prof->name == "phaseo");
  verifier none;
  // A verifier without secrets is refused unless unsigned deliveries are allowed, and
  // phaseo refuses it even then.
  CHECK(verify_delivery(s.body, s.headers("x-phaseo-"), none, now, phaseo).code() == errc::unsigned_not_allowed);
  phaseo.leniency = lenient::unsigned_deliveries;
  CHECK(verify_delivery(s.body, s.headers("x-phaseo-"), none, now, phaseo).code() == errc::secret_required);
  CHECK(verify_delivery(s.body, s.headers(), none, now).code() == errc::unsigned_not_allowed);
  // ai_stats allows unsigned deliveries when asked and no secret is configured; the
  // envelope and the metadata are still checked.
  verify_options unsigned_ok;
  unsigned_ok.leniency = lenient::unsigned_deliveries;
  auto r = verify_delivery(s.body, drop_header(s.headers(), "x-ai-stats-signature"), none, now, unsigned_ok);
  REQUIRE(r);
  CHECK(!r->signature_checked);
  CHECK(verify_delivery(s.body, set_header(s.headers(), "x-ai-stats-attempt", "3"), none, now, unsigned_ok).code() ==
        errc::header_body_mismatch);
  // A verifier with a secret never accepts an unsigned delivery, allowed or not.
  CHECK(verify_delivery(s.body, drop_header(s.headers(), "x-ai-stats-signature"), v, now, unsigned_ok).code() ==
        errc::missing_signature);
}

TEST_CASE("profile detection: the header family picks the rules (PROTOCOL.md §15)") {
  sample_delivery s;
  auto v = make_verifier({key});
  CHECK(detect_profile(s.headers("x-phaseo-")).value() == &profiles::phaseo);
  CHECK(detect_profile(s.headers("X-AI-Stats-")).value() == &profiles::ai_stats);
  CHECK(detect_profile(header_pairs{{"content-type", "application/json"}}).value() == nullptr);
  // Only the delivery headers count: an unrelated header with the prefix is no family.
  CHECK(detect_profile(header_pairs{{"x-phaseo-trace", "1"}}).value() == nullptr);
  CHECK(detect_profile(header_pairs{{"X-Phaseo-Max-Attempts", "4"}}).value() == &profiles::phaseo);
  // Two families: ambiguous, for detection and for an auto verification.
  header_pairs both = s.headers("x-phaseo-");
  both.emplace_back("x-ai-stats-event-id", "evt_1");
  CHECK(detect_profile(both).code() == errc::ambiguous_header);
  CHECK(verify_delivery(s.body, both, v, now).code() == errc::ambiguous_header);
  verify_options phaseo;
  phaseo.prof = &profiles::phaseo;
  CHECK(verify_delivery(s.body, both, v, now, phaseo).has_value());  // a named profile reads its own family
  // A callable lookup is detected the same way.
  header_pairs ph = s.headers("x-phaseo-");
  auto lookup = [&](std::string_view name) -> std::optional<std::string_view> {
    for (const auto& h : ph)
      if (h.first == name) return std::string_view(h.second);
    return std::nullopt;
  };
  CHECK(detect_profile(lookup).value() == &profiles::phaseo);
  auto via_lookup = verify_delivery(s.body, lookup, v, now);
  REQUIRE(via_lookup);
  CHECK(via_lookup->prof == &profiles::phaseo);
  // No family: ai_stats, whose rules (and error) apply.
  CHECK(select_profile(header_pairs{}, nullptr).value() == &profiles::ai_stats);
  CHECK(select_profile(header_pairs{}, &profiles::phaseo).value() == &profiles::phaseo);
  CHECK(verify_delivery(s.body, header_pairs{}, v, now).code() == errc::missing_timestamp);
  // Never weakens: with a key, a phaseo delivery without signature is refused.
  CHECK(verify_delivery(s.body, drop_header(ph, "x-phaseo-signature"), v, now).code() == errc::missing_signature);
  // Without keys, the detected profile's secret rule applies: phaseo never accepts unsigned.
  verifier none;
  verify_options unsigned_ok;
  unsigned_ok.leniency = lenient::unsigned_deliveries;
  CHECK(verify_delivery(s.body, drop_header(ph, "x-phaseo-signature"), none, now, unsigned_ok).code() ==
        errc::secret_required);
  CHECK(verify_delivery(s.body, drop_header(ph, "x-phaseo-signature"), none, now).code() == errc::unsigned_not_allowed);
}

TEST_CASE("one-pass header scan: the verdicts of detection and collection (PROTOCOL.md §9, §15)") {
  // Every sequence of up to three headers drawn from names of every family, in several
  // cases, near misses of the prefixes and suffixes, and two values (so repeats agree or
  // conflict): the scan must select the profile `select_profile` selects, or fail as it
  // does, and hold what `collect_delivery_headers` collects under that profile, or defer
  // its error.
  const std::vector<std::string> names = {"content-type",
                                          "x-ai-stats-timestamp",
                                          "X-AI-Stats-Signature",
                                          "x-ai-stats-attempt",
                                          "X-AI-STATS-MAX-ATTEMPTS",
                                          "x-ai-stats-attempts",
                                          "x-ai-stats-",
                                          "x-ai-statsXtimestamp",
                                          "x-phaseo-event-id",
                                          "X-Phaseo-Delivery-Key",
                                          "x-phaseo-event-type",
                                          "x-phaseo-trace",
                                          "webhook-id",
                                          "SVIX-Timestamp",
                                          "webhook-other",
                                          "svix-",
                                          "x",
                                          "x-ai-stats-Event-Id\x80",
                                          "x-ai-st\xc3\xa1ts-timestamp"};
  const profile custom{"custom", "", "", profiles::six_phases, false, false, signature_scheme::service_hex, {}, false};
  const std::vector<const profile*> choices = {
      nullptr, &profiles::ai_stats, &profiles::phaseo, &profiles::standard, &profiles::openai, &custom};
  std::size_t checked = 0, differing = 0;
  std::string first_difference;
  // Plain comparisons (not one assertion each): the loops below make ~160k cases.
  auto same_verdict = [&](const header_pairs& h, const profile* chosen) {
    delivery_header_scan scan;
    const void_result scanned = scan_delivery_headers(h, chosen, scan);
    const auto selected = select_profile(h, chosen);
    if (scanned.has_value() != selected.has_value()) return false;
    if (!selected) return scanned.code() == selected.code();
    if (scan.prof != *selected) return false;
    if (scan.prof->scheme == signature_scheme::webhooks) return true;
    const auto raw = collect_delivery_headers(h, *scan.prof);
    if (scan.deferred != raw.code()) return false;
    if (!raw) return true;
    ++checked;
    return scan.raw.timestamp == raw->timestamp && scan.raw.signature == raw->signature &&
           scan.raw.event_id == raw->event_id && scan.raw.event_type == raw->event_type &&
           scan.raw.delivery_key == raw->delivery_key && scan.raw.attempt == raw->attempt &&
           scan.raw.max_attempts == raw->max_attempts;
  };
  auto check_headers = [&](const header_pairs& h) {
    for (const profile* chosen : choices) {
      if (same_verdict(h, chosen)) continue;
      if (differing++ == 0) {
        first_difference = chosen != nullptr ? std::string(chosen->name) : "auto";
        for (const auto& [n, v] : h) first_difference += " | " + n + ": " + v;
      }
    }
  };
  const std::vector<std::string> values = {"1", "2"};
  for (const auto& a : names)
    for (const auto& b : names)
      for (const auto& c : names)
        for (const auto& va : values)
          for (const auto& vb : values) check_headers(header_pairs{{a, va}, {b, vb}, {c, "1"}});
  // The verdicts that matter, spelled out: two families, a conflict deferred, a near miss.
  delivery_header_scan scan;
  CHECK(scan_delivery_headers(header_pairs{{"x-phaseo-attempt", "1"}, {"webhook-id", "m"}}, nullptr, scan).code() ==
        errc::ambiguous_header);
  REQUIRE(scan_delivery_headers(header_pairs{{"X-AI-Stats-Attempt", "1"}, {"x-ai-stats-attempt", "2"}}, nullptr, scan));
  CHECK(scan.prof == &profiles::ai_stats);
  CHECK(scan.deferred == errc::ambiguous_header);
  // The scan keeps views of the header values: the headers must outlive it.
  const header_pairs near_miss{{"x-ai-stats-attempts", "1"}, {"x-phaseo-Timestamp", "5"}};
  REQUIRE(scan_delivery_headers(near_miss, nullptr, scan));
  CHECK(scan.prof == &profiles::phaseo);
  CHECK(scan.raw.timestamp == std::optional<std::string_view>("5"));
  INFO("first difference: " << first_difference);
  CHECK(differing == 0);
  CHECK(checked > 10000);
}

TEST_CASE("error messages never contain secrets or signatures") {
  for (errc c : {errc::empty_secret, errc::signature_mismatch, errc::malformed_signature, errc::secret_required}) {
    const std::string_view msg = error_message(c);
    CHECK(msg.find("whsec") == std::string_view::npos);
    CHECK(msg.find(sig_known.substr(0, 8)) == std::string_view::npos);
  }
}
