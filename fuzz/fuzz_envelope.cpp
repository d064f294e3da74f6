// Fuzz target: the webhook envelope parser (payload.hpp, PROTOCOL.md §10).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_payload_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const jobwire::payload_options& opt : {jobwire::payload_options{}, jobwire_fuzz::lenient_options()}) {
    auto e = jobwire::parse_envelope(text, opt);
    if (!e) {
      jobwire_fuzz::check_error(e.error(), size);
      continue;
    }
    if (!jobwire::is_valid_event_id(e->id)) __builtin_trap();
    if (e->delivery.present &&
        (e->delivery.attempt < 1 || e->delivery.attempt > e->delivery.max_attempts || e->delivery.key.type != e->type))
      __builtin_trap();
    jobwire_fuzz::walk(e->data);
  }
  return 0;
}
