// Fuzz target: the websocket message parser (payload.hpp, PROTOCOL.md §6).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_payload_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const jobwire::payload_options& opt : {jobwire::payload_options{}, jobwire_fuzz::lenient_options()}) {
    auto m = jobwire::parse_ws_message(text, opt);
    if (!m) {
      jobwire_fuzz::check_error(m.error(), size);
      continue;
    }
    if (m->type == jobwire::ws_message_type::pong) {
      if (m->has_data) __builtin_trap();
      continue;
    }
    if (!m->has_data) __builtin_trap();
    jobwire_fuzz::walk(m->data);
  }
  return 0;
}
