// Callback URL validation (callback_url.hpp, PROTOCOL.md §8): WPT conformance of the
// host-deciding parser, the adversarial table under both policies, the re-parse
// property, and the address classifier.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <jobwire/callback_url.hpp>
#include <jobwire/json.hpp>

#include "test_support.hpp"
#include "wpt_url_support.hpp"

using namespace jobwire;

using jobwire_test::str;
using jobwire_test::url_cleaned;
using jobwire_test::url_scheme_of;

// Selection (documented in docs/CALLBACK_URLS.md): cases whose input, after the C0/space
// trim and tab/newline removal every WHATWG parser applies first, starts with `http:` or
// `https:` (ASCII case-insensitive), and whose base cannot influence the result: the base
// is null, or its scheme differs from the input's (the parser then never consults it), or
// the input has two slashes (`/` or `\`) after the scheme (the authority is then parsed
// afresh). With the same scheme and fewer slashes the input is relative to the base,
// which a callback URL never is.
TEST_CASE("WPT urltestdata: http(s) hosts and ports match the URL Standard") {
  std::string text;
  if (!jobwire_test::load_wpt_urltestdata(text)) return;
  auto doc = json::parse(text, jobwire_test::data_json_limits());
  REQUIRE(doc);
  auto cases = doc->get_array();
  REQUIRE(cases);

  int selected = 0, expected_failures = 0, failures_by_policy = 0, failures_matched = 0, successes_matched = 0,
      href_matched = 0;
  std::vector<std::string> policy_rejected;
  for (json::value c : *cases) {
    if (!c.is_object()) continue;  // comments
    auto obj = *c.get_object();
    const std::string input = str(obj.find("input"));
    const std::string clean = url_cleaned(input);
    const std::string scheme = url_scheme_of(clean);
    if (scheme != "http" && scheme != "https") continue;
    json::value base = obj.find("base");
    if (base.exists() && !base.is_null()) {
      const std::string after = clean.substr(scheme.size() + 1);
      bool two_slashes =
          after.size() >= 2 && (after[0] == '/' || after[0] == '\\') && (after[1] == '/' || after[1] == '\\');
      if (url_scheme_of(str(base)) == scheme && !two_slashes) continue;
    }
    ++selected;
    auto parsed = parse_http_url(input);
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
    if (parsed->serialise() == href) ++href_matched;
    else UNSCOPED_INFO("href differs: want " << href << " got " << parsed->serialise());
  }
  const int expected_successes = selected - expected_failures;
  std::printf(
      "WPT urltestdata: %d http(s) cases selected; %d/%d expected failures rejected (%d of "
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

// --- the adversarial table ---------------------------------------------------------------
//
// Written from PROTOCOL.md §8 and the WHATWG parsing rules: each row gives the verdict
// under strict, strict + local development, ai_stats, ai_stats + local development.
namespace {
constexpr errc OK = errc::ok;
constexpr errc LL = errc::link_local_host;
constexpr errc LB = errc::loopback_host;
constexpr errc PV = errc::private_host;
constexpr errc UN = errc::unspecified_host;
constexpr errc NG = errc::non_global_host;
constexpr errc HR = errc::https_required;
constexpr errc UI = errc::userinfo_not_allowed;
constexpr errc NA = errc::non_ascii_host;
constexpr errc LH = errc::localhost_name;
constexpr errc WC = errc::wildcard_host;
constexpr errc PORT = errc::invalid_port;
constexpr errc V4 = errc::invalid_ipv4;
constexpr errc V6 = errc::invalid_ipv6;
constexpr errc HOST = errc::invalid_host;
constexpr errc MISS = errc::missing_host;
constexpr errc URL = errc::invalid_url;
constexpr errc SCH = errc::unsupported_scheme;

struct row {
  const char* url;
  errc strict, strict_dev, ai, ai_dev;
};

const row table[] = {
    // the cloud metadata address in every number form
    {"https://169.254.169.254/latest/meta-data", LL, LL, LL, LL},
    {"https://2852039166/", LL, LL, LL, LL},
    {"https://0xA9FEA9FE/", LL, LL, LL, LL},
    {"https://0251.0376.0251.0376/", LL, LL, LL, LL},
    {"https://169.254.43518/", LL, LL, LL, LL},
    {"https://169.16689662/", LL, LL, LL, LL},
    {"https://0xa9.0xfe.0xa9.0xfe/", LL, LL, LL, LL},
    {"https://0xa9fe.0xa9fe/", V4, V4, V4, V4},
    {"https://169.254.169.254./", LL, LL, LL, LL},
    {"https://%31%36%39.254.169.254/", LL, LL, LL, LL},
    {"https://[::ffff:169.254.169.254]/", LL, LL, LL, LL},
    {"https://[::ffff:a9fe:a9fe]/", LL, LL, LL, LL},
    {"https://[fd00:ec2::254]/", PV, PV, PV, PV},
    {"https://[64:ff9b::169.254.169.254]/", LL, LL, OK, OK},
    {"https://[2002:a9fe:a9fe::]/", LL, LL, OK, OK},
    {"https://[::169.254.169.254]/", LL, LL, OK, OK},
    // loopback in every spelling; the dev flag takes exactly 127.0.0.1 as serialised
    {"https://127.0.0.1/", LB, OK, LB, OK},
    {"http://127.0.0.1/", HR, OK, OK, OK},
    {"https://127.1/", LB, OK, LB, OK},
    {"http://2130706433/", HR, OK, OK, OK},
    {"https://0x7f.1/", LB, OK, LB, OK},
    {"https://0177.0.0.1/", LB, OK, LB, OK},
    {"https://127.0.0.2/", LB, LB, LB, LB},
    {"http://127.0.0.2/", HR, HR, HR, HR},
    {"https://127.255.255.255/", LB, LB, LB, LB},
    {"https://[::1]/", LB, OK, LB, OK},
    {"http://[::1]:8080/", HR, OK, OK, OK},
    {"https://[0:0:0:0:0:0:0:1]/", LB, OK, LB, OK},
    {"https://[::ffff:127.0.0.1]/", LB, LB, LB, LB},
    {"https://[::ffff:7f00:1]/", LB, LB, LB, LB},
    {"https://[::127.0.0.1]/", LB, LB, OK, OK},
    {"https://[64:ff9b::7f00:1]/", LB, LB, OK, OK},
    {"https://[2002:7f00:1::]/", LB, LB, OK, OK},
    {"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", NG, NG, OK, OK},  // Teredo
    {"https://[64:ff9b:1::8.8.8.8]/", NG, NG, OK, OK},
    {"https://[64:ff9b::8.8.8.8]/", OK, OK, OK, OK},
    {"https://[2002:808:808::1]/", OK, OK, OK, OK},
    {"https://[::ffff:8.8.8.8]/", OK, OK, OK, OK},
    {"https://[::ffff:10.1.2.3]/", PV, PV, PV, PV},
    {"https://[::ffff:0.0.0.0]/", UN, UN, UN, UN},
    // localhost names
    {"https://localhost/", LH, OK, LH, OK},
    {"http://localhost/", HR, OK, OK, OK},
    {"https://LOCALHOST/", LH, OK, LH, OK},
    {"https://localhost./", LH, LH, OK, OK},
    {"http://localhost./", HR, HR, HR, HR},
    {"https://foo.localhost/", LH, LH, OK, OK},
    {"https://foo.LocalHost./", LH, LH, OK, OK},
    {"https://%6c%6f%63%61%6c%68%6f%73%74/", LH, OK, LH, OK},
    {"https://localhost:8443/", LH, OK, LH, OK},
    {"https://localhost.example.com/", OK, OK, OK, OK},
    {"https://notlocalhost/", OK, OK, OK, OK},
    // userinfo tricks: the last `@` ends the userinfo
    {"https://user:pass@example.com/", UI, UI, OK, OK},
    {"https://example.com@127.0.0.1/", UI, UI, LB, LB},
    {"https://127.0.0.1@example.com/", UI, UI, OK, OK},
    {"https://a@b@10.0.0.1/", UI, UI, PV, PV},
    {"https://@example.com/", OK, OK, OK, OK},
    {"https://:@example.com/", OK, OK, OK, OK},
    {"https://::@example.com/", UI, UI, OK, OK},
    {"https://user@/", MISS, MISS, MISS, MISS},
    {"https://example.com:pass@8.8.8.8/", UI, UI, OK, OK},
    {"http://user@localhost/", HR, HR, OK, OK},
    {"https://user@localhost/", UI, UI, LH, LH},
    // backslashes, missing and extra slashes, cleanup
    {R"(https:\\169.254.169.254\latest)", LL, LL, LL, LL},
    {"https:/10.0.0.1/", PV, PV, PV, PV},
    {"https:10.0.0.1", PV, PV, PV, PV},
    {"https:///8.8.8.8/", OK, OK, OK, OK},
    {R"(https:\/\/example.com)", OK, OK, OK, OK},
    {" https://example.com/ \n", OK, OK, OK, OK},
    {"https://exa\tmple.com/", OK, OK, OK, OK},
    {"ht\ntps://127.0.0.1", LB, OK, LB, OK},
    {"https://1\r27.0.0.1", LB, OK, LB, OK},
    {R"(https://example.com\@127.0.0.1/)", OK, OK, OK, OK},
    {R"(https://127.0.0.1\.example.com/)", LB, OK, LB, OK},
    {"https://example.com#@127.0.0.1", OK, OK, OK, OK},
    {"https://example.com?@127.0.0.1", OK, OK, OK, OK},
    // percent-encoding, full-width and other non-ASCII hosts
    {"https://%31%30.0.0.1/", PV, PV, PV, PV},
    {"https://%2531%2530.0.0.1/", HOST, HOST, HOST, HOST},
    {"https://\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x97.0.0.1/", NA, NA, NA, NA},  // full-width 127
    {"https://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/", NA, NA, NA, NA},
    {"https://\xE2\x93\x9B"
     "ocalhost/",
     NA, NA, NA, NA},  // circled l
    {"https://exam%00ple.com/", HOST, HOST, HOST, HOST},
    {"https://xn--nxasmq6b.com/", OK, OK, OK, OK},
    {"https://ex%2Fample.com/", HOST, HOST, HOST, HOST},
    {"https://%5B::1%5D/", HOST, HOST, HOST, HOST},
    {"https://exa mple.com/", HOST, HOST, HOST, HOST},
    // private, unspecified, link-local literals
    {"https://10.0.0.1/", PV, PV, PV, PV},
    {"https://172.16.0.1/", PV, PV, PV, PV},
    {"https://172.31.255.255/", PV, PV, PV, PV},
    {"https://172.32.0.5/", OK, OK, OK, OK},
    {"https://192.168.1.1/", PV, PV, PV, PV},
    {"https://0.0.0.0/", UN, UN, UN, UN},
    {"https://0/", UN, UN, UN, UN},
    {"https://0.1.2.3/", UN, UN, UN, UN},
    {"https://[::]/", UN, UN, UN, UN},
    {"https://[fc00::1]/", PV, PV, PV, PV},
    {"https://[fe80::1]/", LL, LL, LL, LL},
    {"https://[febf::1]/", LL, LL, LL, LL},
    // non-global ranges the service lets through and strict refuses
    {"https://[fec0::1]/", NG, NG, OK, OK},
    {"https://[ff02::1]/", NG, NG, OK, OK},
    {"https://100.64.0.1/", NG, NG, OK, OK},
    {"https://192.0.0.8/", NG, NG, OK, OK},
    {"https://192.0.0.9/", OK, OK, OK, OK},
    {"https://192.0.2.1/", NG, NG, OK, OK},
    {"https://198.18.0.1/", NG, NG, OK, OK},
    {"https://198.51.100.7/", NG, NG, OK, OK},
    {"https://203.0.113.9/", NG, NG, OK, OK},
    {"https://224.0.0.1/", NG, NG, OK, OK},
    {"https://240.0.0.1/", NG, NG, OK, OK},
    {"https://255.255.255.255/", NG, NG, OK, OK},
    {"https://4294967295/", NG, NG, OK, OK},
    {"https://[2001:db8::1]/", NG, NG, OK, OK},
    {"https://[3fff::1]/", NG, NG, OK, OK},
    {"https://[2001:2::1]/", NG, NG, OK, OK},
    {"https://[100::1]/", NG, NG, OK, OK},
    {"https://[2001:4860:4860::8888]/", OK, OK, OK, OK},
    {"https://[2001:20::1]/", OK, OK, OK, OK},
    {"https://8.8.8.8/", OK, OK, OK, OK},
    // wildcards
    {"https://*.example.com/", WC, WC, OK, OK},
    {"https://a.*/", WC, WC, OK, OK},
    // ports
    {"https://example.com:65535/", OK, OK, OK, OK},
    {"https://example.com:65536/", PORT, PORT, PORT, PORT},
    {"https://example.com:99999999999999999999/", PORT, PORT, PORT, PORT},
    {"https://example.com:-1/", PORT, PORT, PORT, PORT},
    {"https://example.com:8a/", PORT, PORT, PORT, PORT},
    {"https://example.com:0/", OK, OK, OK, OK},
    {"https://example.com:/", OK, OK, OK, OK},
    // malformed IPv4 / IPv6
    {"https://256.0.0.1/", V4, V4, V4, V4},
    {"https://1.2.3.4.5/", V4, V4, V4, V4},
    {"https://09.0.0.1/", V4, V4, V4, V4},
    {"https://1.2.3.09/", V4, V4, V4, V4},
    {"https://example.123/", V4, V4, V4, V4},
    {"https://example.0x/", V4, V4, V4, V4},
    {"https://1.2.3.4.example/", OK, OK, OK, OK},
    {"https://[::1/", V6, V6, V6, V6},
    {"https://[1:2:3:4:5:6:7:8:9]/", V6, V6, V6, V6},
    {"https://[::ffff:127.0.0.1.1]/", V6, V6, V6, V6},
    {"https://[::ffff:0177.0.0.1]/", V6, V6, V6, V6},
    {"https://[::%31]/", V6, V6, V6, V6},
    // schemes and structure
    {"http://example.com/", HR, HR, HR, HR},
    {"http://0.0.0.0/", HR, HR, HR, HR},
    {"ftp://example.com/", SCH, SCH, SCH, SCH},
    {"javascript:alert(1)", SCH, SCH, SCH, SCH},
    {"file:///etc/passwd", SCH, SCH, SCH, SCH},
    {"//example.com/", URL, URL, URL, URL},
    {"", URL, URL, URL, URL},
    {"https://", MISS, MISS, MISS, MISS},
    {"https://:443/", MISS, MISS, MISS, MISS},
};

errc verdict(const char* url, url_policy p, bool dev) {
  callback_url_options o;
  o.policy = p;
  if (dev) o.leniency = lenient::local_callback_urls;
  auto r = check_callback_url(url, o);
  return r ? errc::ok : r.code();
}
}  // namespace

TEST_CASE("adversarial callback URLs get the verdict the rules give, under each policy") {
  STATIC_REQUIRE(sizeof table / sizeof table[0] >= 80);
  for (const row& r : table) {
    INFO("url: " << r.url);
    CHECK(error_name(verdict(r.url, url_policy::strict, false)) == error_name(r.strict));
    CHECK(error_name(verdict(r.url, url_policy::strict, true)) == error_name(r.strict_dev));
    CHECK(error_name(verdict(r.url, url_policy::ai_stats, false)) == error_name(r.ai));
    CHECK(error_name(verdict(r.url, url_policy::ai_stats, true)) == error_name(r.ai_dev));
  }
  // The default options are strict without local development.
  for (const row& r : table) {
    auto d = check_callback_url(r.url);
    CHECK((d ? errc::ok : d.code()) == r.strict);
  }
}

TEST_CASE("accepted URLs are returned in WHATWG-serialised form") {
  struct ser {
    const char* in;
    const char* out;
  };
  const ser rows[] = {
      {"https://[::ffff:8.8.8.8]", "https://[::ffff:808:808]/"},
      {"HTTPS://EXAMPLE.COM:443/A/./b/../c?q=a b'#f g`", "https://example.com/A/c?q=a%20b%27#f%20g%60"},
      {"https://example.com/a-long-segment/../../..", "https://example.com/"},
      {R"(https:\\example.com\a\b)", "https://example.com/a/b"},
      {"https://example.com:8443", "https://example.com:8443/"},
      {"https://%65xample.com/%7e", "https://example.com/%7e"},
      {"https://example.com/a/%2e%2E/b/.%2e/c", "https://example.com/c"},
      {"https://[2606:4700:0:0:1:0:0:1]/", "https://[2606:4700::1:0:0:1]/"},
      {"https://[2001:4860:0:0:0:0:0:8888]/", "https://[2001:4860::8888]/"},
      {"https://0x08.0x08.0x08.0x08/", "https://8.8.8.8/"},
      {"https://ex\tample.com/p\na\rth", "https://example.com/path"},
      {"https://example.com/{}^|\"<>", "https://example.com/%7B%7D%5E|%22%3C%3E"},
  };
  for (const ser& s : rows) {
    INFO(s.in);
    auto r = check_callback_url(s.in);
    REQUIRE(r);
    CHECK(r->serialise() == s.out);
    char buf[256];
    auto n = r->serialise_to(buf, sizeof buf);
    REQUIRE(n);
    CHECK(std::string(buf, *n) == s.out);
    CHECK(r->serialise_to(buf, *n - 1).code() == errc::buffer_too_small);
  }
  auto with_creds = check_callback_url("https://a@b:c:d@example.com/", {url_policy::ai_stats, lenient::none});
  REQUIRE(with_creds);
  CHECK(with_creds->serialise() == "https://a%40b:c%3Ad@example.com/");
}

// The compiled-in path bound (JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS; 8 in the
// tiny-limits build) counts `/` and `\` separators of the raw path: exactly the bound is
// accepted and serialised in full, one more is `invalid_url` — also when dot segments
// would have removed some, since the bound sizes the serialiser's stack before that.
TEST_CASE("callback URLs: the path segment bound admits exactly its count") {
  CHECK(max_path_segments == JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS);
  std::string path_at, expected;
  for (std::size_t i = 0; i < max_path_segments; ++i) {
    path_at += (i % 2 ? "\\s" : "/s") + std::to_string(i);
    expected += "/s" + std::to_string(i);
  }
  // http_url views its input: the strings outlive the results.
  const std::string url_at = "https://example.com" + path_at;
  auto at = check_callback_url(url_at);
  REQUIRE(at);
  CHECK(at->serialise() == "https://example.com" + expected);
  CHECK(check_callback_url("https://example.com" + path_at + "/x").code() == errc::invalid_url);
  CHECK(check_callback_url("https://example.com" + path_at + "\\").code() == errc::invalid_url);
  // The query and fragment are not path: their slashes do not count.
  CHECK(check_callback_url("https://example.com" + path_at + "?a/b/c#d/e/f"));
  // Dot segments at the bound: every push is popped, the stack never overflows.
  std::string dots;
  for (std::size_t i = 0; i < max_path_segments; ++i) dots += i % 2 ? "/.." : "/a";
  const std::string url_dots = "https://example.com" + dots;
  auto popped = check_callback_url(url_dots);
  REQUIRE(popped);
  CHECK(popped->serialise() == (max_path_segments % 2 ? "https://example.com/a" : "https://example.com/"));
  CHECK(check_callback_url("https://example.com" + dots + "/..").code() == errc::invalid_url);
}

// Property: an accepted URL, re-parsed from its serialisation, gets the same verdict and
// the same serialisation. Run over the table, the WPT inputs and deterministic mutations.
TEST_CASE("accepted URLs re-parse to the same verdict and serialisation") {
  std::vector<std::string> inputs;
  for (const row& r : table) inputs.emplace_back(r.url);
  std::string text;
  if (jobwire_test::load_wpt_urltestdata(text)) {
    auto doc = json::parse(text, jobwire_test::data_json_limits());
    REQUIRE(doc);
    for (json::value c : *doc->get_array())
      if (c.is_object()) inputs.push_back(str(c.get_object()->find("input")));
  }
  // Mutations an attacker would try on top of each input.
  const std::size_t base_count = inputs.size();
  const char* inserts[] = {"\t", "%2e", "@", "\\", ":", "[", "]", "%", ".", "0x", "/"};
  std::uint32_t seed = 12345;
  for (std::size_t i = 0; i < base_count; ++i) {
    for (int m = 0; m < 4; ++m) {
      seed = seed * 1664525u + 1013904223u;
      std::string s = inputs[i];
      std::size_t pos = s.empty() ? 0 : (seed >> 8) % (s.size() + 1);
      s.insert(pos, inserts[(seed >> 20) % (sizeof inserts / sizeof inserts[0])]);
      inputs.push_back(s);
    }
  }
  int accepted = 0;
  for (const std::string& in : inputs) {
    for (url_policy p : {url_policy::strict, url_policy::ai_stats}) {
      for (bool dev : {false, true}) {
        callback_url_options o{p, dev ? lenient::local_callback_urls : lenient::none};
        auto first = check_callback_url(in, o);
        auto parsed = parse_http_url(in);
        if (parsed) {
          // Parsing alone is idempotent too: same host, port and serialisation.
          std::string s1 = parsed->serialise();
          auto again = parse_http_url(s1);
          INFO("input: " << in << " serialised: " << s1);
          REQUIRE(again);
          CHECK(again->serialise() == s1);
          CHECK(again->host() == parsed->host());
          CHECK(again->port == parsed->port);
        }
        if (!first) continue;
        ++accepted;
        std::string s1 = first->serialise();
        auto second = check_callback_url(s1, o);
        INFO("input: " << in << " serialised: " << s1);
        REQUIRE(second);
        CHECK(second->serialise() == s1);
      }
    }
  }
  CHECK(accepted > 200);
}

// Found by the differential fuzzer (fuzz_url_diff): only the first `:` of the userinfo
// separates username from password, so "::@host" has the password ":" — credentials the
// strict policy must refuse and the serialisation must keep (WHATWG href
// "https://:%3A@example.com/").
TEST_CASE("a userinfo of colons carries a password") {
  for (const char* in : {"https://::@example.com/", "https://:\t:@example.com/", "https://:::@example.com/"}) {
    INFO(in);
    auto u = parse_http_url(in);
    REQUIRE(u);
    CHECK(u->has_credentials());
    CHECK(u->host() == "example.com");
    CHECK(check_callback_url(in).code() == errc::userinfo_not_allowed);
  }
  CHECK(parse_http_url("https://::@example.com/")->serialise() == "https://:%3A@example.com/");
  CHECK(parse_http_url("https://:::@example.com/")->serialise() == "https://:%3A%3A@example.com/");
  // A lone `:` is only the separator: no username, no password.
  auto bare = parse_http_url("https://:@example.com/");
  REQUIRE(bare);
  CHECK_FALSE(bare->has_credentials());
  CHECK(bare->serialise() == "https://example.com/");
}

TEST_CASE("the classifier follows the IANA special-purpose registries") {
  struct c {
    const char* addr;
    address_class cls;
  };
  const c rows[] = {
      {"8.8.8.8", address_class::global},
      {"10.0.0.0", address_class::private_use},
      {"100.0.10.0", address_class::global},
      {"1.1.1.1", address_class::global},
      {"0.0.0.0", address_class::unspecified},
      {"127.0.0.53", address_class::loopback},
      {"10.255.0.1", address_class::private_use},
      {"172.20.1.1", address_class::private_use},
      {"192.168.0.1", address_class::private_use},
      {"169.254.169.254", address_class::link_local},
      {"100.100.100.200", address_class::non_global},
      {"192.0.0.10", address_class::global},
      {"192.0.0.170", address_class::non_global},
      {"192.88.99.1", address_class::non_global},
      {"198.19.255.255", address_class::non_global},
      {"198.20.0.1", address_class::global},
      {"239.255.255.250", address_class::non_global},
      {"255.255.255.255", address_class::non_global},
      {"::", address_class::unspecified},
      {"::1", address_class::loopback},
      {"[::1]", address_class::loopback},
      {"::ffff:192.168.0.1", address_class::private_use},
      {"::ffff:8.8.8.8", address_class::global},
      {"64:ff9b::a9fe:a9fe", address_class::link_local},
      {"64:ff9b:1::1", address_class::non_global},
      {"2002:0a00:0001::", address_class::private_use},
      {"2001::1", address_class::non_global},
      {"2001:1::1", address_class::global},
      {"2001:1::4", address_class::non_global},
      {"2001:3::1", address_class::global},
      {"2001:4:112::1", address_class::global},
      {"2001:db8:1::1", address_class::non_global},
      {"3fff:fff::1", address_class::non_global},
      {"4000::1", address_class::non_global},
      {"2a00:1450:4001::1", address_class::global},
      {"fd12:3456::1", address_class::private_use},
      {"fe80::1", address_class::link_local},
      {"fec0::1", address_class::non_global},
      {"ff0e::1", address_class::non_global},
      {"2606:4700:4700::1111", address_class::global},
  };
  for (const c& r : rows) {
    INFO(r.addr);
    auto got = classify(std::string_view(r.addr));
    REQUIRE(got);
    CHECK(address_class_name(*got) == address_class_name(r.cls));
  }
  // Resolver output is canonical; number forms are refused rather than guessed at.
  for (const char* bad : {"0x7f.0.0.1", "127.1", "2130706433", "1.2.3.4.5", "01.2.3.4x", "", "1..2.3", "::g"}) {
    INFO(bad);
    CHECK_FALSE(classify(std::string_view(bad)));
  }
  // Found by the differential fuzzer (fuzz_url_diff): leading zeros are a number form too
  // ("010.0.0.1" is 8.0.0.1 to inet_aton, 10.0.0.1 to other parsers), and brackets
  // enclose IPv6 only. inet_pton refuses both.
  for (const char* bad : {"010.0.0.1", "10.0.0.01", "1.2.00.4", "0177.0.0.1", "[1.2.3.4]", "[]", "[010.0.0.1]"}) {
    INFO(bad);
    CHECK_FALSE(classify(std::string_view(bad)));
  }
  CHECK(classify(ipv4_address{0x7F000001u}) == address_class::loopback);
  CHECK(address_class_error(address_class::private_use) == errc::private_host);
  CHECK(address_class_error(address_class::global) == errc::ok);
}

TEST_CASE("IPv4 and IPv6 parsers and serialisers") {
  auto v4 = parse_ipv4("0x7f.1");
  REQUIRE(v4);
  CHECK(v4->value == 0x7F000001u);
  CHECK(parse_ipv4("4294967296").code() == errc::invalid_ipv4);
  CHECK(parse_ipv4("1.256").value().value == 0x01000100u);
  CHECK(parse_ipv4("1.16777216").code() == errc::invalid_ipv4);
  char buf[max_address_text];
  auto v6 = parse_ipv6("1:0:0:2:0:0:0:3");
  REQUIRE(v6);
  CHECK(std::string(buf, format_ipv6(*v6, buf)) == "1:0:0:2::3");
  CHECK(std::string(buf, format_ipv6(*parse_ipv6("0:0:1:0:0:1:0:0"), buf)) == "::1:0:0:1:0:0");
  CHECK(std::string(buf, format_ipv6(*parse_ipv6("1:2:3:4:5:6:7:0"), buf)) == "1:2:3:4:5:6:7:0");
  CHECK(std::string(buf, format_ipv6(*parse_ipv6("::"), buf)) == "::");
  CHECK(parse_ipv6(":1").code() == errc::invalid_ipv6);
  CHECK(parse_ipv6("1::2::3").code() == errc::invalid_ipv6);
  CHECK(parse_ipv6("1:2:3:4:5:6:1.2.3.4"));
  CHECK(parse_ipv6("1:2:3:4:5:6:7:1.2.3.4").code() == errc::invalid_ipv6);
}

TEST_CASE("policy names") {
  CHECK(parse_url_policy("ai-stats").value() == url_policy::ai_stats);
  CHECK(parse_url_policy("strict").value() == url_policy::strict);
  CHECK(parse_url_policy("phaseo").value() == url_policy::phaseo);
  CHECK(url_policy_name(url_policy::phaseo) == "phaseo");
  CHECK_FALSE(parse_url_policy("lenient"));
  CHECK(callback_url_options{}.policy == url_policy::strict);
  CHECK(callback_url_options{}.leniency == lenient::none);
}

// --- policy phaseo: the current service's send-time rule (PROTOCOL.md §16.4) ------------------

namespace {
struct phaseo_row {
  const char* url;
  errc verdict;      // policy phaseo
  errc verdict_dev;  // policy phaseo with local development
};
constexpr errc P_OK = errc::ok, P_HR = errc::https_required, P_PV = errc::private_host, P_LB = errc::loopback_host,
               P_LL = errc::link_local_host, P_UN = errc::unspecified_host, P_NG = errc::non_global_host,
               P_LH = errc::localhost_name;

// Every rule of §16.4 with its edges: the block list (note 192.0/16 whole, >= 224,
// 100.64/10, 198.18/15, ff00::/8, embedded IPv4 in mapped / compatible / NAT64 forms,
// `*.localhost`) and the list of what is NOT blocked.
const phaseo_row phaseo_table[] = {
    // step 1: https only, no localhost exception (dev is jobwire's own opt-in)
    {"http://example.com/", P_HR, P_HR},
    {"http://localhost/", P_HR, P_OK},
    {"http://127.0.0.1:8080/hook", P_HR, P_OK},
    {"http://[::1]/", P_HR, P_OK},
    {"https://localhost/", P_LH, P_OK},
    {"https://user@localhost/", P_LH, P_LH},  // dev never admits credentials
    // names
    {"https://example.com/", P_OK, P_OK},
    {"https://a.localhost/", P_LH, P_LH},
    {"https://a.b.LOCALHOST/", P_LH, P_LH},
    {"https://localhost./", P_OK, P_OK},  // trailing dot passes the literal step (DNS rejects it)
    {"https://a.localhost./", P_OK, P_OK},
    {"https://notlocalhost/", P_OK, P_OK},
    {"https://localhost.example.com/", P_OK, P_OK},
    {"https://*.example.com/", P_OK, P_OK},  // no wildcard rule
    // IPv4 block list, edges on both sides
    {"https://0.0.0.0/", P_UN, P_UN},
    {"https://0.255.255.255/", P_UN, P_UN},
    {"https://1.0.0.0/", P_OK, P_OK},
    {"https://10.0.0.1/", P_PV, P_PV},
    {"https://9.255.255.255/", P_OK, P_OK},
    {"https://11.0.0.0/", P_OK, P_OK},
    {"https://100.63.255.255/", P_OK, P_OK},
    {"https://100.64.0.0/", P_NG, P_NG},
    {"https://100.127.255.255/", P_NG, P_NG},
    {"https://100.128.0.0/", P_OK, P_OK},
    {"https://127.0.0.1/", P_LB, P_OK},
    {"https://127.255.255.254/", P_LB, P_LB},
    {"https://169.254.169.254/", P_LL, P_LL},
    {"https://169.255.0.1/", P_OK, P_OK},
    {"https://172.15.255.255/", P_OK, P_OK},
    {"https://172.16.0.0/", P_PV, P_PV},
    {"https://172.31.255.255/", P_PV, P_PV},
    {"https://172.32.0.0/", P_OK, P_OK},
    {"https://191.255.255.255/", P_OK, P_OK},
    {"https://192.0.0.9/", P_NG, P_NG},  // global under strict, blocked here: the whole /16
    {"https://192.0.2.1/", P_NG, P_NG},
    {"https://192.0.128.1/", P_NG, P_NG},
    {"https://192.0.255.255/", P_NG, P_NG},
    {"https://192.1.0.0/", P_OK, P_OK},
    {"https://192.88.99.1/", P_OK, P_OK},
    {"https://192.167.255.255/", P_OK, P_OK},
    {"https://192.168.0.1/", P_PV, P_PV},
    {"https://192.169.0.0/", P_OK, P_OK},
    {"https://198.17.255.255/", P_OK, P_OK},
    {"https://198.18.0.0/", P_NG, P_NG},
    {"https://198.19.255.255/", P_NG, P_NG},
    {"https://198.20.0.0/", P_OK, P_OK},
    {"https://198.51.100.7/", P_OK, P_OK},  // TEST-NET-2 not blocked
    {"https://203.0.113.9/", P_OK, P_OK},   // TEST-NET-3 not blocked
    {"https://223.255.255.255/", P_OK, P_OK},
    {"https://224.0.0.0/", P_NG, P_NG},
    {"https://239.255.255.250/", P_NG, P_NG},
    {"https://240.0.0.1/", P_NG, P_NG},
    {"https://255.255.255.255/", P_NG, P_NG},
    {"https://4294967295/", P_NG, P_NG},
    {"https://0x7f.1/", P_LB, P_OK},      // WHATWG number forms reach the same address
    {"https://3232235521/", P_PV, P_PV},  // 192.168.0.1
    {"https://8.8.8.8/", P_OK, P_OK},
    // IPv6 block list
    {"https://[::]/", P_UN, P_UN},
    {"https://[::1]/", P_LB, P_OK},
    {"https://[::2]/", P_UN, P_UN},  // compatible ::0.0.0.2: embedded 0/8
    {"https://[fc00::1]/", P_PV, P_PV},
    {"https://[fdff:ffff::1]/", P_PV, P_PV},
    {"https://[fe80::1]/", P_LL, P_LL},
    {"https://[febf::1]/", P_LL, P_LL},
    {"https://[fec0::1]/", P_OK, P_OK},  // site-local: not blocked
    {"https://[ff00::1]/", P_NG, P_NG},
    {"https://[ff02::1]/", P_NG, P_NG},
    {"https://[feff::1]/", P_OK, P_OK},
    // embedded IPv4: mapped, compatible, NAT64 — blocked only when the IPv4 address is
    {"https://[::ffff:127.0.0.1]/", P_LB, P_LB},
    {"https://[::ffff:10.1.2.3]/", P_PV, P_PV},
    {"https://[::ffff:100.64.0.1]/", P_NG, P_NG},
    {"https://[::ffff:192.0.2.1]/", P_NG, P_NG},
    {"https://[::ffff:8.8.8.8]/", P_OK, P_OK},
    {"https://[::127.0.0.1]/", P_LB, P_LB},
    {"https://[::10.0.0.1]/", P_PV, P_PV},
    {"https://[::198.18.0.1]/", P_NG, P_NG},
    {"https://[::8.8.8.8]/", P_OK, P_OK},  // compatible with a public address passes
    {"https://[64:ff9b::169.254.169.254]/", P_LL, P_LL},
    {"https://[64:ff9b::7f00:1]/", P_LB, P_LB},
    {"https://[64:ff9b::e000:1]/", P_NG, P_NG},
    {"https://[64:ff9b::8.8.8.8]/", P_OK, P_OK},
    // NOT blocked (§16.4): documentation, 6to4, Teredo, 64:ff9b:1::/48, SIIT, userinfo, ports
    {"https://[2001:db8::1]/", P_OK, P_OK},
    {"https://[2002:7f00:1::]/", P_OK, P_OK},        // 6to4 carrying 127.0.0.1
    {"https://[2002:c0a8:101::1]/", P_OK, P_OK},     // 6to4 carrying 192.168.1.1
    {"https://[2001:0:4136:e378::1]/", P_OK, P_OK},  // Teredo
    {"https://[64:ff9b:1::a00:1]/", P_OK, P_OK},
    {"https://[::ffff:0:10.0.0.1]/", P_OK, P_OK},  // ::ffff:0:a.b.c.d (SIIT)
    {"https://user:pass@example.com/", P_OK, P_OK},
    {"https://example.com:1/", P_OK, P_OK},
    {"https://example.com:65535/", P_OK, P_OK},
    {"https://[2001:4860:4860::8888]/", P_OK, P_OK},
    // parse errors stay what they are
    {"https://256.0.0.1/", errc::invalid_ipv4, errc::invalid_ipv4},
    {"https://[::1/", errc::invalid_ipv6, errc::invalid_ipv6},
    {"https://[fe80::1%25eth0]/", errc::invalid_ipv6, errc::invalid_ipv6},  // a zone id never parses
    {"ftp://example.com/", errc::unsupported_scheme, errc::unsupported_scheme},
    {"https://", errc::missing_host, errc::missing_host},
    {"", errc::empty_url, errc::empty_url},
    {" \t\n ", errc::empty_url, errc::empty_url},
    {"\x01 ", errc::empty_url, errc::empty_url},
};
}  // namespace

TEST_CASE("policy phaseo: the send-time rule of §16.4, every range and its edges") {
  for (const phaseo_row& r : phaseo_table) {
    INFO("url: " << r.url);
    CHECK(error_name(verdict(r.url, url_policy::phaseo, false)) == error_name(r.verdict));
    CHECK(error_name(verdict(r.url, url_policy::phaseo, true)) == error_name(r.verdict_dev));
  }
}

TEST_CASE("policy phaseo: every literal verdict agrees with the resolved-address classifier") {
  for (const phaseo_row& r : phaseo_table) {
    auto u = parse_http_url(r.url);
    if (!u || u->kind == host_kind::domain) continue;
    INFO("url: " << r.url);
    callback_url_options o;
    o.policy = url_policy::phaseo;
    errc literal = evaluate_callback_url(*u, o);
    if (literal == errc::https_required) continue;
    errc resolved = u->kind == host_kind::ipv4 ? check_resolved_address(u->ipv4, url_policy::phaseo)
                                               : check_resolved_address(u->ipv6, url_policy::phaseo);
    CHECK(error_name(resolved) == error_name(literal));
    // Text (inet_ntop style, bracket-less) gives the same answer.
    std::string host(u->host());
    if (u->kind == host_kind::ipv6) host = host.substr(1, host.size() - 2);
    CHECK(error_name(check_resolved_address(host, url_policy::phaseo)) == error_name(literal));
  }
}

TEST_CASE("policy phaseo: the fragment is stripped, the rest serialised the WHATWG way") {
  callback_url_options o;
  o.policy = url_policy::phaseo;
  struct ser {
    const char* in;
    const char* out;
  } cases[] = {
      {"https://Example.COM/a/../b?x=1#frag", "https://example.com/b?x=1"},
      {"https://example.com#", "https://example.com/"},
      {"  https://example.com:443/p q#a#b", "https://example.com/p%20q"},
      {"https://user:pw@EXAMPLE.com:8443/#x", "https://user:pw@example.com:8443/"},
      {"https://[::ffff:8.8.8.8]/#", "https://[::ffff:808:808]/"},
  };
  for (const ser& c : cases) {
    INFO("url: " << c.in);
    auto r = check_callback_url(c.in, o);
    REQUIRE(r);
    CHECK(r->serialise() == c.out);
    CHECK(r->serialised_size() == std::string(c.out).size());
  }
  // The other policies keep the fragment, as the parse-time rule did (§8, §16.4).
  o.policy = url_policy::ai_stats;
  CHECK(check_callback_url("https://example.com/#frag", o)->serialise() == "https://example.com/#frag");
  o.policy = url_policy::strict;
  CHECK(check_callback_url("https://example.com/#frag", o)->serialise() == "https://example.com/#frag");
}

TEST_CASE("policy ai_stats is unchanged where phaseo differs") {
  // Each of these differs between the two service rules; ai_stats keeps the seed era's answer.
  struct diff {
    const char* url;
    errc ai, phaseo;
  } cases[] = {
      {"http://localhost/", errc::ok, errc::https_required},
      {"http://127.0.0.1/", errc::ok, errc::https_required},
      {"https://a.localhost/", errc::ok, errc::localhost_name},
      {"https://100.64.0.1/", errc::ok, errc::non_global_host},
      {"https://192.0.2.1/", errc::ok, errc::non_global_host},
      {"https://198.18.0.1/", errc::ok, errc::non_global_host},
      {"https://224.0.0.1/", errc::ok, errc::non_global_host},
      {"https://[ff02::1]/", errc::ok, errc::non_global_host},
      {"https://[::127.0.0.1]/", errc::ok, errc::loopback_host},
      {"https://[64:ff9b::a00:1]/", errc::ok, errc::private_host},
      {"", errc::invalid_url, errc::empty_url},
  };
  for (const diff& d : cases) {
    INFO("url: " << d.url);
    CHECK(error_name(verdict(d.url, url_policy::ai_stats, false)) == error_name(d.ai));
    CHECK(error_name(verdict(d.url, url_policy::phaseo, false)) == error_name(d.phaseo));
  }
}

TEST_CASE("resolved addresses: bytes, text and typed addresses under each policy") {
  const unsigned char v4_private[4] = {10, 1, 2, 3};
  const unsigned char v4_cgnat[4] = {100, 64, 0, 1};
  const unsigned char v4_public[4] = {93, 184, 216, 34};
  unsigned char v6_loop[16] = {};
  v6_loop[15] = 1;
  unsigned char v6_mapped_meta[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
  unsigned char v6_public[16] = {0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88};
  unsigned char v6_multicast[16] = {0xff, 0x02};
  v6_multicast[15] = 1;
  for (url_policy p : {url_policy::strict, url_policy::ai_stats, url_policy::phaseo}) {
    INFO("policy " << url_policy_name(p));
    CHECK(check_resolved_address(v4_private, 4, p) == errc::private_host);
    CHECK(check_resolved_address(v4_public, 4, p) == errc::ok);
    CHECK(check_resolved_address(v6_loop, 16, p) == errc::loopback_host);
    CHECK(check_resolved_address(v6_mapped_meta, 16, p) == errc::link_local_host);
    CHECK(check_resolved_address(v6_public, 16, p) == errc::ok);
    CHECK(check_resolved_address(v4_public, 5, p) == errc::invalid_argument);
    CHECK(check_resolved_address(nullptr, 4, p) == errc::invalid_argument);
    CHECK(check_resolved_address("10.1.2.3", p) == errc::private_host);
    CHECK(check_resolved_address("[::1]", p) == errc::loopback_host);
    CHECK(check_resolved_address("::ffff:169.254.169.254", p) == errc::link_local_host);
    // Text that names no single address fails closed, whatever the policy.
    CHECK(check_resolved_address("010.0.0.1", p) == errc::invalid_ipv4);
    CHECK(check_resolved_address("0x7f.1", p) == errc::invalid_ipv4);
    CHECK(check_resolved_address("127.1", p) == errc::invalid_ipv4);
    CHECK(check_resolved_address("fe80::1%eth0", p) == errc::invalid_ipv6);
    CHECK(check_resolved_address("1::2::3", p) == errc::invalid_ipv6);
    CHECK(check_resolved_address("", p) == errc::invalid_ipv4);
    CHECK(check_resolved_address("example.com", p) == errc::invalid_ipv4);
  }
  // Where the policies differ.
  CHECK(check_resolved_address(v4_cgnat, 4, url_policy::strict) == errc::non_global_host);
  CHECK(check_resolved_address(v4_cgnat, 4, url_policy::ai_stats) == errc::ok);
  CHECK(check_resolved_address(v4_cgnat, 4, url_policy::phaseo) == errc::non_global_host);
  CHECK(check_resolved_address(v6_multicast, 16, url_policy::ai_stats) == errc::ok);
  CHECK(check_resolved_address(v6_multicast, 16, url_policy::phaseo) == errc::non_global_host);
  CHECK(check_resolved_address("192.0.0.9", url_policy::strict) == errc::ok);
  CHECK(check_resolved_address("192.0.0.9", url_policy::phaseo) == errc::non_global_host);
  CHECK(check_resolved_address("198.51.100.1", url_policy::strict) == errc::non_global_host);
  CHECK(check_resolved_address("198.51.100.1", url_policy::phaseo) == errc::ok);
  CHECK(check_resolved_address("2002:a00:1::", url_policy::strict) == errc::private_host);
  CHECK(check_resolved_address("2002:a00:1::", url_policy::phaseo) == errc::ok);
  static_assert(check_resolved_address(ipv4_address{0x7F000001u}, url_policy::phaseo) == errc::loopback_host,
                "the classifier is usable in constant expressions");
}

TEST_CASE("service reasons of the send-time rule map from jobwire's codes") {
  CHECK(service_url_reason(errc::empty_url) == "webhook_url_required");
  CHECK(service_url_reason(errc::invalid_url) == "webhook_url_invalid");
  CHECK(service_url_reason(errc::invalid_port) == "webhook_url_invalid");
  CHECK(service_url_reason(errc::invalid_ipv6) == "webhook_url_invalid");
  CHECK(service_url_reason(errc::https_required) == "webhook_url_must_use_https");
  CHECK(service_url_reason(errc::unsupported_scheme) == "webhook_url_must_use_https");
  for (errc c : {errc::loopback_host, errc::private_host, errc::link_local_host, errc::unspecified_host,
                 errc::non_global_host, errc::localhost_name})
    CHECK(service_url_reason(c) == "webhook_url_private_network_not_allowed");
  CHECK(service_url_reason(errc::signature_mismatch).empty());
  // Every phaseo refusal in the table has a service reason.
  for (const phaseo_row& r : phaseo_table)
    if (r.verdict != errc::ok) CHECK_FALSE(service_url_reason(r.verdict).empty());
}

// A second, independent reading of §16.4's host check, written the way the service writes
// it: on the serialised host *string* (lower-cased, brackets removed), a dotted-quad test,
// and an IPv6 text parser of its own. Random addresses, biased towards every range edge,
// must get the same blocked / not-blocked answer from it and from policy phaseo.
namespace {
bool model_ipv4_blocked(unsigned a, unsigned b, unsigned c, unsigned d) {
  (void)c;
  (void)d;
  if (a == 0 || a == 10 || a == 127) return true;
  if (a == 100 && b >= 64 && b <= 127) return true;
  if (a == 169 && b == 254) return true;
  if (a == 172 && b >= 16 && b <= 31) return true;
  if (a == 192 && (b == 0 || b == 168)) return true;
  if (a == 198 && (b == 18 || b == 19)) return true;
  return a >= 224;
}

bool model_dotted(const std::string& h, unsigned (&o)[4]) {
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    std::size_t j = i;
    unsigned v = 0;
    while (j < h.size() && j - i < 3 && h[j] >= '0' && h[j] <= '9') v = v * 10 + static_cast<unsigned>(h[j++] - '0');
    if (j == i) return false;
    o[parts++] = v;
    if (parts == 4) return j == h.size() && v <= 255;
    if (j >= h.size() || h[j] != '.' || v > 255) return false;
    i = j + 1;
  }
  return false;
}

// Parses canonical IPv6 text (hex groups, at most one "::", no dotted tail: the WHATWG
// serialisation never writes one) into eight groups.
bool model_ipv6(const std::string& h, unsigned (&g)[8]) {
  auto groups = [](const std::string& s, std::vector<unsigned>& out) {
    if (s.empty()) return true;
    std::size_t i = 0;
    for (;;) {
      std::size_t j = s.find(':', i);
      std::string part = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (part.empty() || part.size() > 4) return false;
      out.push_back(static_cast<unsigned>(std::stoul(part, nullptr, 16)));
      if (j == std::string::npos) return true;
      i = j + 1;
    }
  };
  std::vector<unsigned> head, tail;
  std::size_t dc = h.find("::");
  if (dc == std::string::npos) {
    if (!groups(h, head) || head.size() != 8) return false;
  } else {
    if (!groups(h.substr(0, dc), head) || !groups(h.substr(dc + 2), tail) || head.size() + tail.size() > 7)
      return false;
  }
  for (unsigned& x : g) x = 0;
  for (std::size_t i = 0; i < head.size(); ++i) g[i] = head[i];
  for (std::size_t i = 0; i < tail.size(); ++i) g[8 - tail.size() + i] = tail[i];
  return true;
}

bool model_host_blocked(std::string host) {
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string suffix = ".localhost";
  if (host.empty() || host == "localhost" ||
      (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0))
    return true;
  unsigned o[4];
  if (model_dotted(host, o)) return model_ipv4_blocked(o[0], o[1], o[2], o[3]);
  if (host.find(':') == std::string::npos || host.find('%') != std::string::npos) return false;
  if (host.find("::") != host.rfind("::")) return false;
  unsigned g[8];
  if (!model_ipv6(host, g)) return false;
  const bool zero5 = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0;
  if (zero5 && g[5] == 0 && g[6] == 0 && (g[7] == 0 || g[7] == 1)) return true;  // :: and ::1
  if ((g[0] & 0xfe00) == 0xfc00 || (g[0] & 0xffc0) == 0xfe80 || (g[0] & 0xff00) == 0xff00) return true;
  const bool embeds = (zero5 && (g[5] == 0xffff || g[5] == 0)) ||
                      (g[0] == 0x64 && g[1] == 0xff9b && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0);
  if (embeds) return model_ipv4_blocked(g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff);
  return false;
}
}  // namespace

TEST_CASE("policy phaseo agrees with an independent string-level model of §16.4") {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  // First octets / first groups worth hitting often: every edge of the block list.
  const unsigned v4_firsts[] = {0,   1,   9,   10,  11,  99,  100, 101, 126, 127, 128, 168, 169, 170, 171,
                                172, 173, 191, 192, 193, 197, 198, 199, 203, 223, 224, 239, 240, 255};
  const unsigned v6_firsts[] = {0,      0x64,   0x2001, 0x2002, 0xfbff, 0xfc00, 0xfdff, 0xfe00,
                                0xfe7f, 0xfe80, 0xfebf, 0xfec0, 0xfeff, 0xff00, 0xffff};
  int checked = 0, blocked = 0;
  for (int i = 0; i < 40000; ++i) {
    const std::uint64_t r = next();
    char host[64];
    if (i % 2 == 0) {
      unsigned a = (r & 1) ? v4_firsts[(r >> 1) % (sizeof v4_firsts / sizeof v4_firsts[0])]
                           : static_cast<unsigned>((r >> 8) & 0xff);
      unsigned b = static_cast<unsigned>((r >> 16) & 0xff);
      if ((r >> 40) % 3 == 0)
        b = static_cast<unsigned>(((r >> 42) % 8) + ((r >> 45) & 1 ? 14 : 60));  // near 16..31, 64..127
      std::snprintf(host, sizeof host, "%u.%u.%u.%u", a, b, static_cast<unsigned>((r >> 24) & 0xff),
                    static_cast<unsigned>((r >> 32) & 0xff));
    } else {
      ipv6_address a6;
      const unsigned form = static_cast<unsigned>(r % 5);
      const std::uint64_t s = next();
      for (int k = 0; k < 8; ++k) a6.pieces[k] = static_cast<std::uint16_t>(s >> (8 * k));
      if (form == 0)
        a6.pieces[0] = static_cast<std::uint16_t>(v6_firsts[(r >> 8) % (sizeof v6_firsts / sizeof v6_firsts[0])]);
      if (form >= 1) {  // mapped, compatible, NAT64, SIIT: pieces 6-7 an IPv4 address with an edge first octet
        for (int k = 0; k < 6; ++k) a6.pieces[k] = 0;
        if (form == 1) a6.pieces[5] = 0xffff;
        if (form == 3) {
          a6.pieces[0] = 0x64;
          a6.pieces[1] = 0xff9b;
          if ((r >> 20) & 1) a6.pieces[2] = 1;  // 64:ff9b:1::/48 is not blocked
        }
        if (form == 4) a6.pieces[4] = 0xffff;  // ::ffff:0:a.b.c.d is not blocked
        a6.pieces[6] = static_cast<std::uint16_t>(
            (v4_firsts[(r >> 24) % (sizeof v4_firsts / sizeof v4_firsts[0])] << 8) | ((s >> 48) & 0xff));
      }
      host[0] = '[';
      std::size_t n = format_ipv6(a6, host + 1);
      host[n + 1] = ']';
      host[n + 2] = '\0';
    }
    const std::string url = std::string("https://") + host + "/hook";
    INFO("url: " << url);
    auto u = parse_http_url(url);
    REQUIRE(u);
    callback_url_options o;
    o.policy = url_policy::phaseo;
    const bool ours = evaluate_callback_url(*u, o) != errc::ok;
    const bool model = model_host_blocked(std::string(u->host()));
    CHECK(ours == model);
    ++checked;
    blocked += ours ? 1 : 0;
  }
  // The sample is not degenerate: both answers occur often.
  CHECK(blocked > checked / 10);
  CHECK(blocked < checked * 9 / 10);
  // Names, through the same model.
  for (const char* name : {"localhost", "a.localhost", "localhost.", "a.localhost.", "localhost.example", "example.com",
                           "xlocalhost", "a.b.c.localhost"}) {
    auto u = parse_http_url(std::string("https://") + name + "/");
    REQUIRE(u);
    callback_url_options o;
    o.policy = url_policy::phaseo;
    CHECK((evaluate_callback_url(*u, o) != errc::ok) == model_host_blocked(std::string(u->host())));
  }
}
