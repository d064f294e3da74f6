// The one-pass payload reading (payload_fields.hpp, payload_parse) against the two-pass
// reading (validate the whole text, then read it): the same verdict, offset and fields for
// every fixture, seed corpus and a fixed set of mutations of them, under each option set
// (fuzz/reference/payload_digest.hpp; the fuzz target fuzz_payload_reading runs the same
// comparison on fuzzed input). test_payload_reading_portable runs this file with the
// portable string scan (JOBWIRE_JSON_SIMD=0).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../../fuzz/reference/payload_digest.hpp"
#include "member_order.hpp"

namespace {

std::vector<std::string> seed_texts() {
  namespace fs = std::filesystem;
  const std::string src = JOBWIRE_TEST_SOURCE_DIR;
  std::vector<std::string> out;
  for (const char* dir : {"/tests/data/payloads", "/fuzz/corpus/payload_reading", "/fuzz/corpus/json_diff"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(src + dir))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());  // a fixed order: the mutations below are reproducible
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      out.push_back(s.str());
    }
  }
  return out;
}

/// One to three edits of `t`: a truncation, a byte replaced by JSON punctuation or a
/// troublesome byte, a byte removed, a token inserted, or a member repeated.
std::string mutate(std::string t, std::mt19937& rng) {
  static const char* const tokens[] = {"{",    "}",    "[",    "]",   "\"",   ",",     ":",  "\\",
                                       " ",    "0",    "-",    "e",   ".",    "n",     "t",  "\x80",
                                       "\xc3", "\xff", "\x01", "\\u", "null", "\"x\"", "{}", "[]"};
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < edits && !t.empty(); ++i) {
    const std::size_t k = rng() % t.size();
    const std::string tok = tokens[rng() % (sizeof tokens / sizeof *tokens)];
    switch (rng() % 5) {
      case 0: t.resize(k); break;
      case 1: t[k] = tok[0]; break;
      case 2: t.erase(k, 1); break;
      case 3: t.insert(k, tok); break;
      default: {  // repeat the member that starts at the next quote
        const std::size_t q = t.find('"', k);
        const std::size_t e = q == std::string::npos ? q : t.find(',', q);
        if (e != std::string::npos) t.insert(e, "," + t.substr(q, e - q));
      }
    }
  }
  return t;
}

}  // namespace

TEST_CASE("payload reading: one pass and two passes agree on fixtures and seed corpora") {
  INFO("string scan: " << jobwire::json::scan_mode());
  const std::vector<std::string> seeds = seed_texts();
  REQUIRE(seeds.size() >= 100);
  for (const std::string& t : seeds) {
    const std::string diff = jobwire_reference::compare_readings(t);
    INFO(t.substr(0, 200));
    CHECK(diff.empty());
    if (!diff.empty()) FAIL(diff);
  }
}

TEST_CASE("payload reading: one pass and two passes agree on mutated payloads") {
  INFO("string scan: " << jobwire::json::scan_mode());
  const std::vector<std::string> seeds = seed_texts();
  std::mt19937 rng(20261206);
  std::size_t accepted = 0, compared = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string t = mutate(seeds[rng() % seeds.size()], rng);
    const std::string diff = jobwire_reference::compare_readings(t);
    if (!diff.empty()) FAIL("input: " << t << "\n" << diff);
    accepted += jobwire::parse_envelope(t).has_value() ? 1u : 0u;
    ++compared;
  }
  CHECK(compared == 6000);
  CHECK(accepted > 0);  // some mutations keep a valid envelope: the success path is compared too
}

TEST_CASE("payload reading: the verdict of an early field error is the text's JSON error") {
  // The envelope's `type` is wrong (a field error at offset 20) and the text is truncated
  // further on (a JSON error): read in one pass the field error comes first, but the
  // answer is the JSON error, as validating first gives.
  const std::string body = R"({"id":"evt_1","type":"nope","data":{"id":"j")";
  auto e = jobwire::parse_envelope(body);
  REQUIRE(!e);
  CHECK(e.error().code == jobwire::errc::json_unexpected_end);
  CHECK(jobwire::detail::parse_envelope(body, {}, jobwire::detail::reading::two_pass).error() == e.error());
  // Complete, the same body has only the field error.
  auto f = jobwire::parse_envelope(body + "}}");
  REQUIRE(!f);
  CHECK(f.error().code == jobwire::errc::unknown_event_type);
  // A repeated declared name is a JSON error (duplicate keys are refused in payloads).
  auto d = jobwire::parse_envelope(R"({"id":"evt_1","id":"evt_2"})");
  REQUIRE(!d);
  CHECK(d.error().code == jobwire::errc::json_duplicate_key);
  CHECK(d.error().offset == 14);
}

// The readers learn the order a sender writes members in and take a key that is the
// predicted name with one comparison (payload_fields.hpp, member_order). Only speed may
// depend on what was read before: each body reads the same after bodies in its own order
// (every prediction right) as after the same bodies with every object reversed (every
// prediction wrong), in both readings and under every option set.
TEST_CASE("payload reading: the member order learned from earlier bodies changes no reading") {
  const std::vector<std::string> seeds = seed_texts();
  std::size_t reversible = 0;
  for (const std::string& t : seeds) {
    const auto reversed = member_order_test::reversed_members(t);
    for (const jobwire::payload_options& opt : jobwire_reference::option_sets()) {
      for (auto mode : {jobwire::detail::reading::fused, jobwire::detail::reading::two_pass}) {
        (void)jobwire_reference::read_all(t, opt, mode);
        const std::string after_same = jobwire_reference::read_all(t, opt, mode);
        if (reversed) (void)jobwire_reference::read_all(*reversed, opt, mode);
        const std::string after_reversed = jobwire_reference::read_all(t, opt, mode);
        INFO(t.substr(0, 200));
        REQUIRE(after_same == after_reversed);
      }
    }
    reversible += reversed ? 1u : 0u;
  }
  CHECK(reversible >= 50);
}

TEST_CASE("payload reading: a key near the predicted name is read as written") {
  const std::string good =
      R"({"id":"evt_1","type":"video.completed","created_at":1781169243,"data":{"id":"job_1","status":"completed"}})";
  const auto same_both_ways = [](const std::string& body, const jobwire::payload_options& opt) {
    auto one = jobwire::detail::parse_envelope(body, opt, jobwire::detail::reading::fused);
    auto two = jobwire::detail::parse_envelope(body, opt, jobwire::detail::reading::two_pass);
    REQUIRE(one.has_value() == two.has_value());
    if (!one) CHECK(one.error() == two.error());
    return one;
  };
  const jobwire::payload_options opt;
  for (int i = 0; i < 3; ++i) REQUIRE(same_both_ways(good, opt));  // learned: id, type, created_at, data
  // A prefix and an extension of the predicted "type" are other keys (undeclared: skipped).
  for (const char* key : {"typ", "type_", "types", "Type"}) {
    std::string body = good;
    body.replace(body.find("\"type\""), 6, std::string("\"") + key + "\"");
    INFO(body);
    auto e = same_both_ways(body, opt);
    REQUIRE(!e);
    CHECK(e.error().code == jobwire::errc::missing_field);
  }
  // The predicted name escaped is that name: read by the lookup, and still a repeat of it.
  {
    std::string body = good;
    body.replace(body.find("\"type\""), 6, R"("t\u0079pe")");
    auto e = same_both_ways(body, opt);
    REQUIRE(e);
    CHECK(e->type_text == "video.completed");
    body.insert(body.find(",\"created_at\""), R"(,"type":"video.failed")");
    auto d = same_both_ways(body, opt);
    REQUIRE(!d);
    CHECK(d.error().code == jobwire::errc::json_duplicate_key);
  }
  // A repeated predicted key is a repeat, whichever way it is read.
  {
    std::string body = good;
    body.insert(body.find(",\"created_at\""), R"(,"type":"video.failed")");
    for (int i = 0; i < 2; ++i) {
      auto d = same_both_ways(body, opt);
      REQUIRE(!d);
      CHECK(d.error().code == jobwire::errc::json_duplicate_key);
    }
  }
  // A predicted name longer than the string limit is refused like any other string.
  {
    const std::string first =
        R"({"created_at":1781169243,"id":"evt_1","type":"video.completed","data":{"id":"job_1","status":"completed"}})";
    for (int i = 0; i < 3; ++i) REQUIRE(same_both_ways(first, opt));  // learned: created_at comes first
    jobwire::payload_options tight;
    tight.json.max_string_bytes = 9;
    auto e = same_both_ways(first, tight);
    REQUIRE(!e);
    CHECK(e.error().code == jobwire::errc::json_string_too_long);
    CHECK(e.error().offset == 1);  // the key "created_at", 10 bytes
  }
}
