// Fuzz target: differential test of jobwire's URL host parsing against the WHATWG URL
// Standard reference model (fuzz/reference/whatwg_host.hpp). For each input it compares
// (fuzz/reference/url_diff.hpp):
//  - parse_http_url("https://" + input + "/") with the reference: verdict, host kind,
//    IPv4/IPv6 value, serialised host, port and credentials;
//  - the same for the input itself when it starts with a scheme;
//  - parse_ipv4, parse_ipv6, format_ipv4, format_ipv6 and classify(text) on the input.
// Any disagreement that is not a documented difference (docs/CALLBACK_URLS.md,
// "Differential testing") is printed and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reference/url_diff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string d = url_diff::diff_input(input);
  if (!d.empty()) {
    std::fprintf(stderr, "fuzz_url_diff: %s\n", d.c_str());
    std::abort();
  }
  return 0;
}
