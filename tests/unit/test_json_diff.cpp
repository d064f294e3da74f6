// Differential test of the strict JSON reader against nlohmann::json and simdjson, over
// JSONTestSuite, the fuzz_json_diff and fuzz_json seed corpora, and hand-written cases.
// The comparison itself lives in fuzz/reference/json_oracle.hpp (shared with fuzz_json_diff), so
// every ctest run checks the same rules the fuzzer does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "../../fuzz/reference/json_oracle.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace oracle = jobwire_json_oracle;
using jobwire::errc;

namespace {
std::vector<fs::path> files_in(const std::string& dir, bool json_only) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && (!json_only || e.path().extension() == ".json")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}
std::size_t check_all(const std::vector<fs::path>& files) {
  std::size_t n = 0;
  for (const auto& f : files) {
    std::string text;
    REQUIRE(jobwire_test::read_file(f.string(), text));
    INFO(f.filename().string());
    CHECK(oracle::check(text) == "");
    ++n;
  }
  return n;
}
}  // namespace

TEST_CASE("json diff: JSONTestSuite agrees with nlohmann and simdjson") {
  const std::string dir = jobwire_test::json_test_suite_dir();
  if (!jobwire_test::conformance_data_present(dir, "JSONTestSuite (set JOBWIRE_JSON_TEST_SUITE)")) return;
  CHECK(check_all(files_in(dir, true)) == 318);
}

TEST_CASE("json diff: seed corpora agree with nlohmann and simdjson") {
  const std::string src = JOBWIRE_TEST_SOURCE_DIR;
  CHECK(check_all(files_in(src + "/fuzz/corpus/json_diff", false)) >= 10);
  CHECK(check_all(files_in(src + "/fuzz/corpus/json", false)) >= 10);
}

TEST_CASE("json diff: the oracle predicts each limit and policy with its offset") {
  // The predictions are derived from nlohmann's events; these pin a few of them to the
  // values a reader of docs/JSON.md would expect, so an oracle bug cannot hide behind a
  // matching jobwire bug.
  const oracle::reference r = oracle::analyse(R"({"a":[1,"xyz",{"b":1,"b":2}]})");
  REQUIRE(r.failure.empty());
  REQUIRE(r.rfc_valid);
  jobwire::json::options o;
  auto p = oracle::predict(r, o);
  CHECK((p.code == errc::json_duplicate_key && p.offset == 21));
  o.leniency = jobwire::lenient::duplicate_keys;
  CHECK(oracle::predict(r, o).accept);
  o.max_depth = 2;
  p = oracle::predict(r, o);
  CHECK((p.code == errc::json_depth_exceeded && p.offset == 14));
  o.max_depth = 64;
  o.max_string_bytes = 2;
  p = oracle::predict(r, o);
  CHECK((p.code == errc::json_string_too_long && p.offset == 8));
  o.max_string_bytes = 100;
  o.max_members = 2;
  p = oracle::predict(r, o);
  CHECK((p.code == errc::json_too_many_members && p.offset == 14));
  o.max_bytes = 10;
  p = oracle::predict(r, o);
  CHECK((p.code == errc::json_input_too_large && p.offset == 10));
}

TEST_CASE("json diff: hostile and edge-case texts") {
  const std::string cases[] = {"",
                               " ",
                               "\xEF\xBB\xBF{}",
                               "\xEF\xBB",
                               "01",
                               "[01]",
                               "-01",
                               "[-0]",
                               "-0.0",
                               "1e400",
                               "[1e400,-1e999,1]",
                               "1e-400",
                               "4e-320",
                               "18446744073709551616",
                               "-9223372036854775809",
                               "[18446744073709551615,-9223372036854775808]",
                               "\"\\uD800\"",
                               "\"\\uDC00\"",
                               "\"\\uD800\\u0041\"",
                               "\"\\uD800\\u00",
                               "\"\\uD800\\uzz00\"",
                               "\"\\u12",
                               "\"\\u12x4\"",
                               "\"\\",
                               "\"\\x\"",
                               "\"a\x01\"",
                               "\"\xC0\x80\"",
                               "\"\xED\xA0\x80\"",
                               "\"\xF4\x90\x80\x80\"",
                               "\"\xE2\x82",
                               "[1,]",
                               "[1 2]",
                               "{\"a\" 1}",
                               "{\"a\":}",
                               "{,}",
                               "{\"a\":1,}",
                               "[tru",
                               "[trux]",
                               "nul",
                               "[\"a\"\"b\"]",
                               "{\"a\\u0062\":1,\"ab\":2}",
                               "{\"\":1,\"\":2}",
                               "[[[[[[[[[[]]]]]]]]]]",
                               "1 2",
                               "{} x",
                               "[\"\\/\\b\\f\\n\\r\\t\"]",
                               "{\"a\":{\"a\":1},\"b\":{\"a\":1}}",
                               std::string(300, '['),
                               std::string("123\0x", 5),
                               std::string("[1\0]", 4)};
  for (const std::string& c : cases) {
    INFO(c);
    CHECK(oracle::check(c) == "");
  }
  const std::string with_nul("[\"a\0b\"]", 7);
  CHECK(oracle::check(with_nul) == "");
  std::string deep(1100, '[');
  deep += std::string(1100, ']');
  CHECK(oracle::check(deep) == "");
}
