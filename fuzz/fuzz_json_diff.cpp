// Fuzz target: differential test of the strict JSON reader against nlohmann::json and
// simdjson. Every input goes through fuzz/reference/json_oracle.hpp, which predicts jobwire's exact
// verdict (error code and offset) under several option sets from the
// reference parsers, and compares accepted trees value by value. Any disagreement that is
// not one of the intentional differences listed in docs/JSON.md ("Differential testing")
// aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reference/json_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string diff = jobwire_json_oracle::check(text);
  if (!diff.empty()) {
    std::fprintf(stderr, "fuzz_json_diff: %s\n", diff.c_str());
    std::abort();
  }
  return 0;
}
