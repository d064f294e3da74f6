// Callback URL validation (callback_url.hpp, PROTOCOL.md §8): WPT conformance of the
// host-deciding parser, the adversarial table under both policies, the re-parse
// property, and the address classifier.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <jobwire/callback_url.hpp>
#include <jobwire/json.hpp>

#include "test_support.hpp"

using namespace jobwire;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// The text the WHATWG parser actually reads: leading/trailing C0 control or space
// trimmed, tab/newline removed.
std::string cleaned(const std::string& in) {
  std::size_t b = 0, e = in.size();
  while (b < e && static_cast<unsigned char>(in[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(in[e - 1]) <= 0x20) --e;
  std::string out;
  for (std::size_t i = b; i < e; ++i)
    if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r') out += in[i];
  return out;
}

std::string scheme_of(const std::string& s) {
  std::size_t colon = s.find(':');
  return colon == std::string::npos ? std::string() : lower(s.substr(0, colon));
}

std::string str(const json::value& v) {
  auto s = v.get_string();
  return s ? s->to_string() : std::string();
}

}  // namespace

// Selection (documented in docs/CALLBACK_URLS.md): cases whose input, after the C0/space
// trim and tab/newline removal every WHATWG parser applies first, starts with `http:` or
// `https:` (ASCII case-insensitive), and whose base cannot influence the result: the base
// is null, or its scheme differs from the input's (the parser then never consults it), or
// the input has two slashes (`/` or `\`) after the scheme (the authority is then parsed
// afresh). With the same scheme and fewer slashes the input is relative to the base,
// which a callback URL never is.
TEST_CASE("WPT urltestdata: http(s) hosts and ports match the URL Standard") {
  const std::string path = jobwire_test::shared_dir() + "/data/wpt-url/urltestdata.json";
  std::string text;
  if (!jobwire_test::read_file(path, text)) {
    if (jobwire_test::in_ci()) FAIL("WPT urltestdata.json not found at " << path << " (required in CI)");
    WARN("WPT urltestdata.json not found at " << path << "; skipping the conformance test");
    return;
  }
  auto doc = json::parse(text);
  REQUIRE(doc);
  auto cases = doc->get_array();
  REQUIRE(cases);

  int selected = 0, expected_failures = 0, failures_by_policy = 0, failures_matched = 0, successes_matched = 0, href_matched = 0;
  std::vector<std::string> policy_rejected;
  for (json::value c : *cases) {
    if (!c.is_object()) continue;  // comments
    auto obj = *c.get_object();
    const std::string input = str(obj.find("input"));
    const std::string clean = cleaned(input);
    const std::string scheme = scheme_of(clean);
    if (scheme != "http" && scheme != "https") continue;
    json::value base = obj.find("base");
    if (base.exists() && !base.is_null()) {
      const std::string after = clean.substr(scheme.size() + 1);
      bool two_slashes = after.size() >= 2 && (after[0] == '/' || after[0] == '\\') &&
                         (after[1] == '/' || after[1] == '\\');
      if (scheme_of(str(base)) == scheme && !two_slashes) continue;
    }
    ++selected;
    auto parsed = parse_url(input);
    INFO("input: " << input);
    if (obj.find("failure").exists()) {
      ++expected_failures;
      CHECK_FALSE(parsed);
      if (!parsed) ++failures_matched;
      if (!parsed && parsed.code() == errc::non_ascii_host) ++failures_by_policy;
      continue;
    }
    if (!parsed && parsed.code() == errc::non_ascii_host) {
      policy_rejected.push_back(input);
      continue;
    }
    REQUIRE(parsed);
    const std::string want_host = str(obj.find("hostname"));
    const std::string want_port = str(obj.find("port"));
    const std::string got_port = parsed->port < 0 ? std::string() : std::to_string(parsed->port);
    CHECK(std::string(parsed->host()) == want_host);
    CHECK(got_port == want_port);
    if (std::string(parsed->host()) == want_host && got_port == want_port) ++successes_matched;
    const std::string href = str(obj.find("href"));
    if (parsed->serialise() == href)
      ++href_matched;
    else
      UNSCOPED_INFO("href differs: want " << href << " got " << parsed->serialise());
  }
  const int expected_successes = selected - expected_failures;
  std::printf("WPT urltestdata: %d http(s) cases selected; %d/%d expected failures rejected (%d of "
              "them with non_ascii_host); "
              "%d/%d expected successes with identical hostname and port, %d rejected by the "
              "non-ASCII host policy; %d/%d identical href\n",
              selected, failures_matched, expected_failures, failures_by_policy, successes_matched, expected_successes,
              static_cast<int>(policy_rejected.size()), href_matched, successes_matched);
  for (const auto& s : policy_rejected) std::printf("  non_ascii_host by policy: %s\n", s.c_str());
  CHECK(failures_matched == expected_failures);
  CHECK(successes_matched + static_cast<int>(policy_rejected.size()) == expected_successes);
  CHECK(selected > 300);
}
