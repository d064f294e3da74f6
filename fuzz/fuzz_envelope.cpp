// Fuzz target: the webhook envelope parser (payload.hpp, PROTOCOL.md §10).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_payload_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  jobwire::payload_options phaseo;  // strict statuses, phaseo's phase set (status_changed, §16.1)
  phaseo.prof = &jobwire::profiles::phaseo;
  for (const jobwire::payload_options& opt : {jobwire::payload_options{}, phaseo, jobwire_fuzz::lenient_options()}) {
    auto e = jobwire::parse_envelope(text, opt);
    if (!e) {
      jobwire_fuzz::check_error(e.error(), size);
      continue;
    }
    if (!jobwire::is_valid_event_id(e->id)) __builtin_trap();
    if (e->delivery.present &&
        (e->delivery.attempt < 1 || e->delivery.attempt > e->delivery.max_attempts || e->delivery.key.type != e->type))
      __builtin_trap();
    // §16.1: a status_changed envelope always has its status_change, which agrees with
    // the key's known current status unless it is the queue-retry form; other events never
    // expose one.
    const bool sc = e->type.phase == jobwire::phase::status_changed;
    if (sc != e->status_change.present) __builtin_trap();
    if (sc && e->delivery.present) {
      if (e->delivery.key.current.empty()) __builtin_trap();
      auto cur = jobwire::parse_raw_status(e->delivery.key.current.view());
      if (!e->status_change.queue_retry_form && cur && *cur != e->status_change.lifecycle) __builtin_trap();
      if (jobwire::format_delivery_key(e->delivery.key) != e->delivery.key_text) __builtin_trap();
    }
    jobwire_fuzz::walk(e->data);
  }
  return 0;
}
