// Fuzz target: the callback URL parser and both policies. Checks the invariants a sender
// relies on, aborting on any violation:
//  - serialised_size() equals what serialise_to() writes;
//  - an accepted URL re-parses from its serialisation to the same host, port,
//    serialisation and verdict (the property test, under random input);
//  - strict never accepts a host that classify() calls non-global or a localhost name;
//  - phaseo (send-time rule) accepts only https, never keeps a fragment, and accepts a
//    literal address only when the resolved-address classifier accepts it too;
//  - the resolved-address classifier gives the same verdict on text and on bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <jobwire/callback_url.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = jobwire::parse_http_url(input);
  if (parsed) {
    std::string s = parsed->serialise();
    check(s.size() == parsed->serialised_size());
    auto again = jobwire::parse_http_url(s);
    check(again.has_value());
    check(again->host() == parsed->host());
    check(again->port == parsed->port);
    check(again->serialise() == s);
    if (parsed->kind == jobwire::host_kind::ipv4) check(again->ipv4 == parsed->ipv4);
    if (parsed->kind == jobwire::host_kind::ipv6) check(again->ipv6 == parsed->ipv6);
  }
  for (auto policy : {jobwire::url_policy::strict, jobwire::url_policy::ai_stats, jobwire::url_policy::phaseo}) {
    // The input read as a resolved address: text and packed bytes must agree.
    if (size == 4 || size == 16) {
      jobwire::errc by_bytes = jobwire::check_resolved_address(data, size, policy);
      check(by_bytes != jobwire::errc::invalid_argument);
    }
    jobwire::errc by_text = jobwire::check_resolved_address(input, policy);
    if (by_text != jobwire::errc::invalid_ipv4 && by_text != jobwire::errc::invalid_ipv6) {
      auto v6 = jobwire::parse_ipv6(input);
      if (v6) {
        unsigned char b[16];
        for (int i = 0; i < 8; ++i) {
          b[2 * i] = static_cast<unsigned char>(v6->pieces[i] >> 8);
          b[2 * i + 1] = static_cast<unsigned char>(v6->pieces[i] & 0xFF);
        }
        check(jobwire::check_resolved_address(b, 16, policy) == by_text);
      }
    }
    for (bool dev : {false, true}) {
      jobwire::callback_url_options opt{policy, dev ? jobwire::lenient::local_callback_urls : jobwire::lenient::none};
      auto r = jobwire::check_callback_url(input, opt);
      check(r.has_value() == (parsed.has_value() && jobwire::evaluate_callback_url(*parsed, opt) == jobwire::errc::ok));
      if (!r) continue;
      std::string s = r->serialise();
      auto second = jobwire::check_callback_url(s, opt);
      check(second.has_value());
      check(second->serialise() == s);
      if (policy == jobwire::url_policy::strict && !dev) {
        check(r->scheme == jobwire::url_scheme::https);
        check(!r->has_credentials());
        if (r->kind == jobwire::host_kind::ipv4) check(jobwire::classify(r->ipv4) == jobwire::address_class::global);
        if (r->kind == jobwire::host_kind::ipv6) check(jobwire::classify(r->ipv6) == jobwire::address_class::global);
        if (r->kind == jobwire::host_kind::domain) {
          check(!jobwire::is_localhost_name(r->host()));
          check(r->host().find('*') == std::string_view::npos);
        }
      }
      if (policy == jobwire::url_policy::phaseo) {
        check(!r->has_fragment);
        if (!dev) {
          check(r->scheme == jobwire::url_scheme::https);
          if (r->kind == jobwire::host_kind::ipv4)
            check(jobwire::check_resolved_address(r->ipv4, policy) == jobwire::errc::ok);
          if (r->kind == jobwire::host_kind::ipv6)
            check(jobwire::check_resolved_address(r->ipv6, policy) == jobwire::errc::ok);
        }
      }
    }
  }
  return 0;
}
