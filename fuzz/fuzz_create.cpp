// Fuzz target: the create response parser (payload.hpp, PROTOCOL.md §4).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_payload_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const jobwire::payload_options& opt : {jobwire::payload_options{}, jobwire_fuzz::lenient_options()}) {
    auto c = jobwire::parse_create_response(text, opt);
    if (!c) {
      jobwire_fuzz::check_error(c.error(), size);
      continue;
    }
    jobwire_fuzz::check_id(c->id.str());
    // The view points into the input.
    if (c->id.str().data() < text.data() || c->id.str().data() + c->id.size() > text.data() + size) __builtin_trap();
    (void)jobwire_fuzz::touch(c->polling_url);
  }
  return 0;
}
