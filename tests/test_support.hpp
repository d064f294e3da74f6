// Helpers shared by the unit tests.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <jobwire/error.hpp>
#include <jobwire/json.hpp>

namespace jobwire_test {

/// `../shared` beside the repository (overridable with JOBWIRE_SHARED_DIR).
inline std::string shared_dir() {
  if (const char* v = std::getenv("JOBWIRE_SHARED_DIR")) return v;
  return std::string(JOBWIRE_TEST_SOURCE_DIR) + "/../shared";
}

inline bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

/// True under CI (the CI runner sets CI=true): data that is optional locally is required.
inline bool in_ci() {
  const char* v = std::getenv("CI");
  return v && std::string(v) == "true";
}

/// Whether third-party conformance data (a file or directory under ../shared/data) is at
/// `path`. Missing data skips the calling test with a warning locally and fails it under
/// CI, where the data is required.
inline bool conformance_data_present(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return true;
  if (in_ci()) FAIL(what << " not found at " << path << " (required in CI)");
  WARN(what << " not found at " << path << "; skipping");
  return false;
}

/// JSONTestSuite's test_parsing directory (JOBWIRE_JSON_TEST_SUITE overrides).
inline std::string json_test_suite_dir() {
  if (const char* v = std::getenv("JOBWIRE_JSON_TEST_SUITE")) return v;
  return shared_dir() + "/data/JSONTestSuite/test_parsing";
}

/// JSON limits wide enough for the conformance data the tests load as input tables (the
/// WPT URL table is 230 KB with a thousand entries), whatever limits the build compiled
/// in. Only for reading test data; tests of the library's own behaviour use its defaults.
inline jobwire::json::limits data_json_limits() {
  jobwire::json::limits l;
  l.max_bytes = std::size_t{64} << 20;
  l.max_depth = jobwire::json::hard_max_depth;
  l.max_string_bytes = std::size_t{16} << 20;
  l.max_members = std::size_t{1} << 20;
  return l;
}

/// The limit error the JSON reader owes `text` under `lim` (the build's defaults unless
/// given), or errc::ok if the text is within every limit. Found by a scan of its own (size,
/// then in document order: entries per array/object counted at each entry's start, nesting
/// depth at each opening bracket, raw string bytes between the quotes), not by the reader
/// under test. Meant for well-formed fixtures whose realistic size may exceed the tiny
/// build's limits: such a fixture must then fail with the limit's code instead.
inline jobwire::errc json_limit_error(std::string_view text, const jobwire::json::limits& lim = {}) {
  using jobwire::errc;
  if (text.size() > lim.max_bytes) return errc::json_input_too_large;
  const std::size_t max_depth =
      lim.max_depth < jobwire::json::hard_max_depth ? lim.max_depth : jobwire::json::hard_max_depth;
  struct frame {
    std::size_t members;
    bool pending;  // an entry may start here (after the bracket or a comma)
  };
  std::vector<frame> stack;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') continue;
    if (c == ',') {
      if (!stack.empty()) stack.back().pending = true;
      continue;
    }
    if (c == ']' || c == '}') {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (!stack.empty() && stack.back().pending) {
      stack.back().pending = false;
      if (++stack.back().members > lim.max_members) return errc::json_too_many_members;
    }
    if (c == '[' || c == '{') {
      if (stack.size() >= max_depth) return errc::json_depth_exceeded;
      stack.push_back(frame{0, true});
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? std::size_t{2} : std::size_t{1};
      if (j - i - 1 > lim.max_string_bytes) return errc::json_string_too_long;
      i = j;
    }
  }
  return errc::ok;
}

/// The code a fixture is expected to fail with: `code`, unless the fixture exceeds the
/// build's JSON limits (only in the tiny-limits build), when it is the limit's code.
inline jobwire::errc expected_unless_json_limit(std::string_view text, jobwire::errc code) {
  const jobwire::errc limit = json_limit_error(text);
  return limit == jobwire::errc::ok ? code : limit;
}

}  // namespace jobwire_test
