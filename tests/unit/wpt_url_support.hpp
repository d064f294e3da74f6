// Reading the WPT URL conformance table (../shared/data/wpt-url/urltestdata.json) the way
// the URL Standard reads its inputs; shared by the callback URL tests and the tests of
// the WHATWG host-parsing reference (fuzz/reference/).
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include <jobwire/json.hpp>

#include "test_support.hpp"

namespace jobwire_test {

/// A string member's decoded text, or "" for anything else (absent, null, not a string).
inline std::string str(const jobwire::json::value& v) {
  auto s = v.get_string();
  return s ? s->to_string() : std::string();
}

inline std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// The text the WHATWG parser actually reads: leading/trailing C0 control or space
/// trimmed, tab/newline removed.
inline std::string url_cleaned(const std::string& in) {
  std::size_t b = 0, e = in.size();
  while (b < e && static_cast<unsigned char>(in[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(in[e - 1]) <= 0x20) --e;
  std::string out;
  for (std::size_t i = b; i < e; ++i)
    if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r') out += in[i];
  return out;
}

/// The lower-cased text before the first ':', or "" when there is none.
inline std::string url_scheme_of(const std::string& s) {
  std::size_t colon = s.find(':');
  return colon == std::string::npos ? std::string() : ascii_lower(s.substr(0, colon));
}

/// urltestdata.json into `text`; false when it is missing (a warning locally, a failure
/// under CI, where the data is required).
inline bool load_wpt_urltestdata(std::string& text) {
  const std::string path = shared_dir() + "/data/wpt-url/urltestdata.json";
  if (!conformance_data_present(path, "WPT urltestdata.json")) return false;
  REQUIRE(read_file(path, text));
  return true;
}

}  // namespace jobwire_test
