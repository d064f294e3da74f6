// jobwire — the C sender (include/jobwire_c.h, "Sender"): delivery_sender::build
// (sender.hpp) behind one call whose result is one JSON object, so that a binding reads
// the body, the headers and the identity fields from a single output buffer.
// Like jobwire_c.cpp, every entry point runs inside a firewall: no exception reaches C.
#include "jobwire_c.h"
#include "jobwire_c_boundary.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include <jobwire/error.hpp>
#include <jobwire/events.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/sender.hpp>

using namespace jobwire_c_detail;

extern "C" {

int jobwire_build_delivery(const char* secret, std::size_t secret_len, int profile, const jobwire_delivery_spec* spec,
                           std::int64_t now, unsigned attempt, char* out, std::size_t out_cap, std::size_t* out_len,
                           std::size_t* error_offset) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    const jobwire::profile* prof = profile_of(profile);
    if (prof == nullptr || spec == nullptr || bad_input(secret, secret_len) || bad_output(out, out_cap, out_len) ||
        bad_input(spec->job_id, spec->job_id_len) ||
        bad_input(spec->internal_id, spec->internal_id_len) || bad_input(spec->phase, spec->phase_len) ||
        bad_input(spec->status, spec->status_len) || bad_input(spec->data, spec->data_len) ||
        (spec->previous_status == nullptr && spec->previous_status_len != 0))
      return invalid_argument;
    jobwire::delivery_event ev;
    if (!kind_of(spec->kind, ev.kind)) return invalid_argument;
    auto ph = jobwire::parse_phase(view(spec->phase, spec->phase_len));
    if (!ph) return status_of(errc::unknown_phase);
    ev.phase = *ph;
    ev.job_id = view(spec->job_id, spec->job_id_len);
    ev.internal_id = view(spec->internal_id, spec->internal_id_len);
    ev.progress = spec->progress;
    ev.status = view(spec->status, spec->status_len);
    if (spec->previous_status != nullptr) ev.previous_status = view(spec->previous_status, spec->previous_status_len);
    ev.data = view(spec->data, spec->data_len);
    if (spec->has_created_at != 0) ev.created_at = spec->created_at;

    auto sender = jobwire::delivery_sender::create(view(secret, secret_len), *prof);
    if (!sender) return status_of(sender.code());
    auto built = sender->build(ev, now, attempt);
    if (!built) {
      if (error_offset != nullptr) *error_offset = built.error().offset;
      return status_of(built.code());
    }
    std::string text;
    jobwire::json::writer w(text);
    w.begin_object().field("body", built->body()).key("headers").begin_array();
    for (const jobwire::header_field& h : built->headers()) w.begin_array().string(h.first).string(h.second).end_array();
    w.end_array()
        .field("event_id", built->event_id())
        .field("delivery_key", built->delivery_key_text())
        .field("attempt", static_cast<std::uint64_t>(built->attempt()))
        .field("max_attempts", static_cast<std::uint64_t>(built->max_attempts()))
        .field("timestamp", static_cast<std::int64_t>(built->timestamp()))
        .end_object();
    return write_output(text, out, out_cap, out_len);
  });
}

}  // extern "C"
