// Fuzz target: the one-pass payload reading (payload_fields.hpp, payload_parse) gives the
// verdict and the fields of the two-pass reading (validate the whole text, then read it)
// for every payload parser, option set and input (reference/payload_digest.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "reference/payload_digest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string diff = jobwire_reference::compare_readings(text);
  if (!diff.empty()) {
    std::fprintf(stderr, "%s", diff.c_str());
    __builtin_trap();
  }
  return 0;
}
