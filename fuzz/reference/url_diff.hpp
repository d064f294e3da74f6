// The differential check between jobwire's URL host parsing (callback_url.hpp) and the
// WHATWG reference model (whatwg_host.hpp). One place for the comparison rules, used by
// the fuzz target fuzz_url_diff and by tests/unit/test_url_reference.cpp, so the corpus,
// the WPT inputs and fuzzed inputs all go through the same judgement.
//
// Every difference jobwire is allowed to have is an `allowance` below, and each one is
// listed and justified in docs/CALLBACK_URLS.md ("Differential testing"). Anything else
// that differs is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <jobwire/callback_url.hpp>

#include "whatwg_host.hpp"

namespace url_diff {

/// The documented, intentional differences.
enum class allowance : int {
  non_ascii_host,       ///< jobwire refuses hosts that are not ASCII after decoding (no IDNA)
  not_utf8,             ///< jobwire refuses input that is not UTF-8 (`invalid_url`)
  unsupported_scheme,   ///< jobwire parses http and https only
  host_length,          ///< jobwire refuses hosts longer than 253 bytes after decoding
  path_segments,        ///< jobwire refuses paths with more than 256 segments
  punycode_unverified,  ///< an "xn--" label: neither side checks Punycode (the standard would)
  count
};

inline const char* allowance_name(allowance a) {
  switch (a) {
    case allowance::non_ascii_host: return "non_ascii_host";
    case allowance::not_utf8: return "not_utf8";
    case allowance::unsupported_scheme: return "unsupported_scheme";
    case allowance::host_length: return "host_length";
    case allowance::path_segments: return "path_segments";
    case allowance::punycode_unverified: return "punycode_unverified";
    case allowance::count: break;
  }
  return "?";
}

/// What a run of comparisons saw (for test output and sanity checks).
struct tally {
  std::size_t urls = 0, both_accept = 0, both_reject = 0;
  std::size_t kinds[3] = {0, 0, 0};  // accepted domain / ipv4 / ipv6
  std::size_t allowed[static_cast<int>(allowance::count)] = {};
  std::size_t texts = 0, ipv4_parsed = 0, ipv6_parsed = 0, classified = 0;
  void allow(allowance a) { ++allowed[static_cast<int>(a)]; }
};

/// `s` with non-printable bytes escaped, for messages.
inline std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

inline const char* jw_kind_name(jobwire::host_kind k) {
  switch (k) {
    case jobwire::host_kind::domain: return "domain";
    case jobwire::host_kind::ipv4: return "ipv4";
    case jobwire::host_kind::ipv6: return "ipv6";
  }
  return "?";
}

/// The jobwire error a reference failure must map to.
inline jobwire::errc expected_error(const std::string& why) {
  auto starts = [&](const char* p) { return why.rfind(p, 0) == 0; };
  if (why == "missing-scheme-non-relative-URL") return jobwire::errc::invalid_url;
  if (why == "host-missing") return jobwire::errc::missing_host;
  if (starts("port-")) return jobwire::errc::invalid_port;
  if (starts("IPv6-") || starts("IPv4-in-IPv6-")) return jobwire::errc::invalid_ipv6;
  if (starts("IPv4-")) return jobwire::errc::invalid_ipv4;
  return jobwire::errc::invalid_host;  // domain-invalid-code-point, domain-to-ASCII
}

/// jobwire's fixed host buffers: a host longer than this (before or after decoding) is
/// `invalid_host` whatever else is wrong with it.
constexpr std::size_t host_length_limit = jobwire::max_host_length;

/// Compares `parse_http_url(url)` with the reference's verdict, kind, host value,
/// serialised host, port and credentials. Returns an empty string when they agree or
/// differ only by an allowance; otherwise a description of the disagreement.
inline std::string diff_url(std::string_view url, tally* t = nullptr) {
  tally scratch;
  tally& tl = t ? *t : scratch;
  ++tl.urls;
  const whatwg_ref::url_result ref = whatwg_ref::parse_url(url);
  const auto got = jobwire::parse_http_url(url);
  const std::string got_code = got ? "ok" : std::string(jobwire::error_name(got.code()));
  auto mismatch = [&](const std::string& what) {
    return "url " + printable(url) + ": " + what + " (reference: " +
           (ref.status == whatwg_ref::url_status::ok
                ? std::string("ok ") + whatwg_ref::host_kind_name(ref.host.kind) + " " + printable(ref.host.serialised)
                : ref.why) +
           "; jobwire: " +
           (got ? std::string("ok ") + jw_kind_name(got->kind) + " " + printable(got->host()) : got_code) + ")";
  };
  auto expect_code = [&](jobwire::errc want, allowance a) -> std::string {
    if (got)
      return mismatch(std::string("jobwire accepts; documented difference ") + allowance_name(a) + " requires " +
                      std::string(jobwire::error_name(want)));
    if (got.code() != want)
      return mismatch(std::string("documented difference ") + allowance_name(a) + " requires " +
                      std::string(jobwire::error_name(want)));
    tl.allow(a);
    return {};
  };

  switch (ref.status) {
    case whatwg_ref::url_status::out_of_scope:
      if (ref.why == "scheme") return expect_code(jobwire::errc::unsupported_scheme, allowance::unsupported_scheme);
      if (ref.why == "not UTF-8") return expect_code(jobwire::errc::invalid_url, allowance::not_utf8);
      // A non-ASCII host: refused by policy, or as too long when it is.
      if (!got && got.code() == jobwire::errc::invalid_host && ref.raw_host_length > host_length_limit) {
        tl.allow(allowance::host_length);
        return {};
      }
      return expect_code(jobwire::errc::non_ascii_host, allowance::non_ascii_host);

    case whatwg_ref::url_status::failure: {
      if (got) return mismatch("jobwire accepts a URL the standard rejects");
      const jobwire::errc want = expected_error(ref.why);
      if (got.code() == want) {
        ++tl.both_reject;
        return {};
      }
      if (got.code() == jobwire::errc::invalid_host && ref.raw_host_length > host_length_limit) {
        tl.allow(allowance::host_length);
        return {};
      }
      return mismatch("both reject, but jobwire's code should be " + std::string(jobwire::error_name(want)));
    }

    case whatwg_ref::url_status::ok: break;
  }

  // The standard accepts. Allowances first: they make jobwire refuse.
  if (ref.host.kind != whatwg_ref::host_kind::ipv6 && ref.host.decoded_length > host_length_limit)
    return expect_code(jobwire::errc::invalid_host, allowance::host_length);
  if (ref.path_separators > jobwire::max_path_segments)
    return expect_code(jobwire::errc::invalid_url, allowance::path_segments);
  if (!got) return mismatch("jobwire rejects a URL the standard accepts");

  const char* want_kind = whatwg_ref::host_kind_name(ref.host.kind);
  if (std::string(want_kind) != jw_kind_name(got->kind)) return mismatch("host kind differs");
  if (got->host() != ref.host.serialised) return mismatch("serialised host differs");
  switch (got->kind) {
    case jobwire::host_kind::ipv4:
      if (got->ipv4.value != ref.host.ipv4) return mismatch("IPv4 value differs");
      break;
    case jobwire::host_kind::ipv6:
      for (int i = 0; i < 8; ++i)
        if (got->ipv6.pieces[i] != ref.host.ipv6[i]) return mismatch("IPv6 value differs");
      break;
    case jobwire::host_kind::domain: break;
  }
  if (got->port != ref.port)
    return mismatch("port differs: jobwire " + std::to_string(got->port) + ", reference " + std::to_string(ref.port));
  if (got->has_credentials() != ref.has_credentials)
    return mismatch(std::string("credentials differ: jobwire has_credentials ") +
                    (got->has_credentials() ? "true" : "false"));
  if (ref.host.punycode_unverified) tl.allow(allowance::punycode_unverified);
  ++tl.both_accept;
  ++tl.kinds[static_cast<int>(got->kind)];
  return {};
}

/// Bytes as code points one for one: the IPv4/IPv6 parsers only ever accept ASCII, so a
/// non-ASCII byte is simply a code point neither grammar allows.
inline std::u32string code_units(std::string_view s) {
  std::u32string out;
  for (char c : s) out.push_back(static_cast<unsigned char>(c));
  return out;
}

/// The text `classify(std::string_view)` must accept: an IPv4 address in its canonical
/// serialisation (parsing and re-serialising gives the same text: four decimal parts
/// without leading zeros), or an IPv6 address, bare or in brackets. Returns false when
/// the text is not one of those; sets `is_v6` and the value otherwise.
inline bool canonical_address_text(std::string_view text, bool& is_v6, std::uint32_t& v4, std::uint16_t (&v6)[8]) {
  std::string failure;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    is_v6 = true;
    return whatwg_ref::parse_ipv6(code_units(text.substr(1, text.size() - 2)), v6, failure);
  }
  if (text.find(':') != std::string_view::npos) {
    is_v6 = true;
    return whatwg_ref::parse_ipv6(code_units(text), v6, failure);
  }
  is_v6 = false;
  if (!whatwg_ref::parse_ipv4(code_units(text), v4, failure)) return false;
  return whatwg_ref::serialise_ipv4(v4) == text;
}

/// Compares jobwire's parse_ipv4, parse_ipv6, format_ipv4, format_ipv6 and
/// classify(std::string_view) on `text` with the reference parsers and serialisers.
inline std::string diff_address_text(std::string_view text, tally* t = nullptr) {
  tally scratch;
  tally& tl = t ? *t : scratch;
  ++tl.texts;
  const std::string shown = printable(text);
  std::string failure;
  char buf[jobwire::max_address_text];

  // The WHATWG IPv4 parser, on any text.
  std::uint32_t r4 = 0;
  const bool ref4 = whatwg_ref::parse_ipv4(code_units(text), r4, failure);
  const auto jw4 = jobwire::parse_ipv4(text);
  if (ref4 != jw4.has_value())
    return "parse_ipv4(" + shown + "): verdict differs (reference " + (ref4 ? "ok" : failure) + ")";
  if (ref4) {
    ++tl.ipv4_parsed;
    if (jw4->value != r4) return "parse_ipv4(" + shown + "): value differs";
    if (std::string(buf, jobwire::format_ipv4(*jw4, buf)) != whatwg_ref::serialise_ipv4(r4))
      return "format_ipv4(parse_ipv4(" + shown + ")) differs";
  }

  // The WHATWG IPv6 parser, on any text.
  std::uint16_t r6[8] = {};
  const bool ref6 = whatwg_ref::parse_ipv6(code_units(text), r6, failure);
  const auto jw6 = jobwire::parse_ipv6(text);
  if (ref6 != jw6.has_value())
    return "parse_ipv6(" + shown + "): verdict differs (reference " + (ref6 ? "ok" : failure) + ")";
  if (ref6) {
    ++tl.ipv6_parsed;
    for (int i = 0; i < 8; ++i)
      if (jw6->pieces[i] != r6[i]) return "parse_ipv6(" + shown + "): value differs";
    if (std::string(buf, jobwire::format_ipv6(*jw6, buf)) != whatwg_ref::serialise_ipv6(r6))
      return "format_ipv6(parse_ipv6(" + shown + ")) differs";
  }

  // classify(text): canonical resolver output only, classified by the parsed value.
  bool is_v6 = false;
  std::uint32_t c4 = 0;
  std::uint16_t c6[8] = {};
  const bool canonical = canonical_address_text(text, is_v6, c4, c6);
  const auto cls = jobwire::classify(text);
  if (canonical != cls.has_value())
    return "classify(" + shown + "): " + (canonical ? "refuses canonical address text" : "accepts non-canonical text");
  if (canonical) {
    ++tl.classified;
    jobwire::address_class want;
    if (is_v6) {
      jobwire::ipv6_address a;
      for (int i = 0; i < 8; ++i) a.pieces[i] = c6[i];
      want = jobwire::classify(a);
    } else {
      want = jobwire::classify(jobwire::ipv4_address{c4});
    }
    if (*cls != want) return "classify(" + shown + "): class differs from the class of the parsed value";
  }
  return {};
}

/// True when `s` starts with a URL scheme: ASCII alpha, then alphanumerics, `+`, `-`,
/// `.`, then `:`.
inline bool starts_with_scheme(std::string_view s) {
  if (s.empty() || !whatwg_ref::infra::is_ascii_alpha(static_cast<unsigned char>(s[0]))) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char32_t c = static_cast<unsigned char>(s[i]);
    if (c == U':') return true;
    if (!(whatwg_ref::infra::is_ascii_alphanumeric(c) || c == U'+' || c == U'-' || c == U'.')) return false;
  }
  return false;
}

/// Everything the fuzz target checks for one input: the input as an https authority
/// ("https://" + input + "/"), the input as a whole URL when it starts with a scheme,
/// and the input as address text for the direct parsers. Empty when all agree.
inline std::string diff_input(std::string_view input, tally* t = nullptr) {
  std::string url = "https://";
  url.append(input.data(), input.size());
  url += "/";
  std::string d = diff_url(url, t);
  if (d.empty() && starts_with_scheme(input)) d = diff_url(input, t);
  if (d.empty()) d = diff_address_text(input, t);
  return d;
}

}  // namespace url_diff
