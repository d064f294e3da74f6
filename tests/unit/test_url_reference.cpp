// The WHATWG host-parsing reference model (fuzz/reference/whatwg_host.hpp) and the
// differential check against callback_url.hpp (fuzz/reference/url_diff.hpp):
//  1. the reference itself reproduces WPT's expected hostname, port or failure for every
//     in-scope http(s) case — what makes it a trustworthy reference;
//  2. its IPv4 and IPv6 parsers agree with inet_pton wherever inet_pton's grammar applies;
//  3. jobwire agrees with it on the WPT inputs, the fuzz_url_diff corpus and mutations of
//     both, through the same comparison the fuzz target uses.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <jobwire/callback_url.hpp>
#include <jobwire/json.hpp>

#include "reference/url_diff.hpp"
#include "reference/whatwg_host.hpp"
#include "test_support.hpp"
#include "wpt_url_support.hpp"

using namespace jobwire;

namespace {

using jobwire_test::str;
using jobwire_test::url_cleaned;
using jobwire_test::url_scheme_of;

struct wpt_case {
  std::string input, hostname, port;
  bool failure = false;
  bool selected = false;  // http(s), and the base cannot influence the result
};

// Loads urltestdata.json; false (after WARN, or FAIL under CI) when it is missing.
bool load_wpt(std::vector<wpt_case>& out) {
  std::string text;
  if (!jobwire_test::load_wpt_urltestdata(text)) return false;
  auto doc = json::parse(text, jobwire_test::data_json_limits());
  REQUIRE(doc);
  for (json::value c : *doc->get_array()) {
    if (!c.is_object()) continue;  // comments
    auto obj = *c.get_object();
    wpt_case w;
    w.input = str(obj.find("input"));
    w.failure = obj.find("failure").exists();
    w.hostname = str(obj.find("hostname"));
    w.port = str(obj.find("port"));
    // The same selection as test_callback_url's WPT test (docs/CALLBACK_URLS.md).
    const std::string clean = url_cleaned(w.input);
    const std::string scheme = url_scheme_of(clean);
    w.selected = scheme == "http" || scheme == "https";
    json::value base = obj.find("base");
    if (w.selected && base.exists() && !base.is_null()) {
      const std::string after = clean.substr(scheme.size() + 1);
      bool two_slashes =
          after.size() >= 2 && (after[0] == '/' || after[0] == '\\') && (after[1] == '/' || after[1] == '\\');
      if (url_scheme_of(str(base)) == scheme && !two_slashes) w.selected = false;
    }
    out.push_back(std::move(w));
  }
  return true;
}

std::vector<std::string> corpus_inputs() {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(JOBWIRE_TEST_SOURCE_DIR) / "fuzz/corpus/url_diff";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string text;
    REQUIRE(jobwire_test::read_file(f.string(), text));
    out.push_back(text);
  }
  return out;
}

// Deterministic mutations an attacker would try on top of each input.
std::vector<std::string> mutations(const std::vector<std::string>& inputs, int per_input) {
  static const char* const inserts[] = {"\t", "%2e", "@",   "\\", ":", "[",   "]",        "%", ".", "0x",
                                        "/",  "0",   "%30", "::", "1", "%3A", "\xC3\xA9", "X", "#", "?"};
  std::vector<std::string> out;
  std::uint32_t seed = 20240611;
  for (const std::string& base : inputs) {
    for (int m = 0; m < per_input; ++m) {
      seed = seed * 1664525u + 1013904223u;
      std::string s = base;
      std::size_t pos = s.empty() ? 0 : (seed >> 8) % (s.size() + 1);
      if ((seed >> 4) % 3 == 0 && !s.empty() && pos < s.size()) s.erase(pos, 1);
      else s.insert(pos, inserts[(seed >> 20) % (sizeof inserts / sizeof inserts[0])]);
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the reference reproduces WPT's hostname, port or failure for every in-scope http(s) case") {
  std::vector<wpt_case> cases;
  if (!load_wpt(cases)) return;
  int selected = 0, out_of_scope = 0, failures = 0, successes = 0, punycode = 0;
  for (const wpt_case& w : cases) {
    if (!w.selected) continue;
    ++selected;
    const whatwg_ref::url_result r = whatwg_ref::parse_url(w.input);
    INFO("input: " << url_diff::printable(w.input));
    if (r.status == whatwg_ref::url_status::out_of_scope) {
      // Only UTS #46 is out of scope here: the selection keeps http(s) with UTF-8 input.
      CHECK(r.why.find("non-ASCII") == 0);
      ++out_of_scope;
      std::printf("  out of scope (non-ASCII host): %s\n", url_diff::printable(w.input).c_str());
      continue;
    }
    if (w.failure) {
      CHECK(r.status == whatwg_ref::url_status::failure);
      if (r.status == whatwg_ref::url_status::failure) ++failures;
      continue;
    }
    REQUIRE(r.status == whatwg_ref::url_status::ok);
    const std::string port = r.port < 0 ? std::string() : std::to_string(r.port);
    CHECK(r.host.serialised == w.hostname);
    CHECK(port == w.port);
    if (r.host.serialised == w.hostname && port == w.port) ++successes;
    if (r.host.punycode_unverified) ++punycode;
  }
  std::printf(
      "reference vs WPT: %d http(s) cases selected, %d out of scope (non-ASCII hosts), "
      "%d expected failures reproduced, %d expected hostnames and ports reproduced "
      "(%d with unverified xn-- labels)\n",
      selected, out_of_scope, failures, successes, punycode);
  CHECK(selected == out_of_scope + failures + successes);
  CHECK(out_of_scope < 40);
  CHECK(selected > 300);
}

// inet_pton(AF_INET) accepts exactly four decimal parts 0-255 without leading zeros, which
// is the reference IPv4 parser restricted to text that re-serialises to itself.
// inet_pton(AF_INET6) and the WHATWG IPv6 parser have the same grammar (hex pieces of at
// most four digits, one "::" standing for at least one piece, a dotted-decimal IPv4 tail
// without leading zeros in the last 32 bits); glibc's implementation is checked to agree
// on every generated text. inet_pton's extensions are not exercised: it takes no zone
// ("%eth0"), which the URL grammar also refuses.
namespace {

std::vector<std::string> address_texts() {
  std::vector<std::string> out = {
      "",
      "0.0.0.0",
      "1.2.3.4",
      "255.255.255.255",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3",
      "1.2.3.4.",
      "0x1.2.3.4",
      "1.2.3.04",
      "::",
      "::1",
      "1::",
      "1:2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8",
      "1::8",
      "1:2:3:4:5:6:1.2.3.4",
      "::ffff:1.2.3.4",
      "::1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "::ffff:01.2.3.4",
      "::ffff:1.2.3",
      "12345::",
      "1:::2",
      ":1::",
      "1::2::3",
      "0000:0000:0000:0000:0000:0000:0000:0001",
      "::ffff:255.255.255.255",
      "::ffff:256.1.1.1",
      "fe80::1%eth0",
      "::1.2.3.4.5",
      "1:2:3:4:5:6:7:8:9",
      "::0:0:0:0:0:0:0",
      "::0:0:0:0:0:0",
      "ABCD:EF01::",
      "1.2.3.4:",
      ":",
      "1:2:3:4:5::1.2.3.4",
  };
  // Random strings over the alphabet both grammars are made of.
  const char alphabet[] = "0123456789abcdefABCDEF:::...xX";
  std::uint32_t seed = 7;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 1103515245u + 12345u;
    std::size_t len = (seed >> 16) % 24;
    std::string s;
    for (std::size_t k = 0; k < len; ++k) {
      seed = seed * 1103515245u + 12345u;
      s.push_back(alphabet[(seed >> 16) % (sizeof alphabet - 1)]);
    }
    out.push_back(s);
  }
  // Structured: random pieces joined with ':' and an optional IPv4 tail.
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 1103515245u + 12345u;
    std::size_t pieces = (seed >> 16) % 10;
    std::string s;
    for (std::size_t k = 0; k < pieces; ++k) {
      seed = seed * 1103515245u + 12345u;
      unsigned r = (seed >> 16);
      if (k) s += (r % 7 == 0) ? "::" : ":";
      if (r % 5 != 0) {
        char h[8];
        std::snprintf(h, sizeof h, "%x", (r >> 4) % (r % 3 == 0 ? 0x10000u : 0x100u));
        s += h;
      }
    }
    seed = seed * 1103515245u + 12345u;
    if ((seed >> 16) % 3 == 0) {
      unsigned r = seed >> 8;
      s += (s.empty() || s.back() == ':') ? "" : ":";
      s += std::to_string(r % 260) + "." + std::to_string((r >> 3) % 256) + "." + std::to_string((r >> 5) % 256) + "." +
           std::to_string((r >> 7) % 300);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("the reference IPv4 and IPv6 parsers agree with inet_pton where its grammar applies") {
  int v4_agree = 0, v6_agree = 0, v6_accepted = 0, v4_accepted = 0;
  std::vector<std::string> v6_differences;
  for (const std::string& text : address_texts()) {
    INFO("text: " << text);
    const std::u32string cps = url_diff::code_units(text);
    std::string failure;

    unsigned char b4[4];
    const bool pton4 = inet_pton(AF_INET, text.c_str(), b4) == 1;
    std::uint32_t r4 = 0;
    const bool ref4 = whatwg_ref::parse_ipv4(cps, r4, failure) && whatwg_ref::serialise_ipv4(r4) == text;
    CHECK(pton4 == ref4);
    if (pton4 && ref4) {
      CHECK(r4 == (std::uint32_t{b4[0]} << 24 | std::uint32_t{b4[1]} << 16 | std::uint32_t{b4[2]} << 8 | b4[3]));
      ++v4_accepted;
    }
    if (pton4 == ref4) ++v4_agree;

    unsigned char b6[16];
    const bool pton6 = inet_pton(AF_INET6, text.c_str(), b6) == 1;
    std::uint16_t r6[8];
    const bool ref6 = whatwg_ref::parse_ipv6(cps, r6, failure);
    if (pton6 != ref6) {
      v6_differences.push_back(text);
      continue;
    }
    ++v6_agree;
    if (!ref6) continue;
    ++v6_accepted;
    for (int i = 0; i < 8; ++i) CHECK(r6[i] == (b6[2 * i] << 8 | b6[2 * i + 1]));
  }
  std::printf("inet_pton: IPv4 %d agree (%d accepted); IPv6 %d agree (%d accepted), %zu differ\n", v4_agree,
              v4_accepted, v6_agree, v6_accepted, v6_differences.size());
  for (std::size_t i = 0; i < v6_differences.size() && i < 40; ++i)
    std::printf("  IPv6 differs: %s\n", v6_differences[i].c_str());
  CHECK(v6_differences.empty());
  CHECK(v4_accepted > 20);
  CHECK(v6_accepted > 1000);
}

TEST_CASE("jobwire agrees with the reference on WPT inputs, the fuzz corpus and their mutations") {
  std::vector<std::string> inputs;
  std::vector<wpt_case> cases;
  if (load_wpt(cases))
    for (const wpt_case& w : cases) inputs.push_back(w.input);
  const std::size_t wpt_count = inputs.size();
  const std::vector<std::string> corpus = corpus_inputs();
  REQUIRE(corpus.size() >= 20);

  url_diff::tally t;
  int disagreements = 0;
  auto run = [&](const std::string& d) {
    if (d.empty()) return;
    ++disagreements;
    UNSCOPED_INFO(d);
  };
  // WPT inputs as whole URLs and as address text; corpus files the way the fuzz target
  // reads them; then mutations of both.
  for (const std::string& in : inputs) {
    run(url_diff::diff_url(in, &t));
    run(url_diff::diff_address_text(in, &t));
  }
  for (const std::string& in : corpus) run(url_diff::diff_input(in, &t));
  std::vector<std::string> all = inputs;
  all.insert(all.end(), corpus.begin(), corpus.end());
  for (const std::string& in : mutations(all, 6)) run(url_diff::diff_input(in, &t));
  // The generated address texts straight into parse_ipv4/parse_ipv6/classify, and as
  // bracketed hosts.
  for (const std::string& text : address_texts()) {
    run(url_diff::diff_address_text(text, &t));
    run(url_diff::diff_url("https://[" + text + "]/", &t));
  }
  CHECK(disagreements == 0);

  std::printf(
      "differential: %zu WPT inputs, %zu corpus files; %zu URLs compared (%zu both accept: %zu domain, "
      "%zu ipv4, %zu ipv6; %zu both reject), %zu address texts (%zu IPv4, %zu IPv6 parsed, %zu "
      "classified)\n",
      wpt_count, corpus.size(), t.urls, t.both_accept, t.kinds[0], t.kinds[1], t.kinds[2], t.both_reject, t.texts,
      t.ipv4_parsed, t.ipv6_parsed, t.classified);
  for (int a = 0; a < static_cast<int>(url_diff::allowance::count); ++a)
    std::printf("  documented difference %s: %zu\n", url_diff::allowance_name(static_cast<url_diff::allowance>(a)),
                t.allowed[a]);
  // Every kind of host was exercised, and each allowance the data can reach was used.
  CHECK(t.kinds[0] > 100);
  CHECK(t.kinds[1] > 50);
  CHECK(t.kinds[2] > 1000);
  CHECK(t.allowed[static_cast<int>(url_diff::allowance::non_ascii_host)] > 0);
  CHECK(t.allowed[static_cast<int>(url_diff::allowance::unsupported_scheme)] > 0);
}
