// Shared checks for the payload fuzz targets: every view a parser returns is walked
// completely (lists decoded again, strings unescaped), and errors must carry an offset
// inside the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <jobwire/payload.hpp>
#include <jobwire/reconcile.hpp>

namespace jobwire_fuzz {

inline void check_error(const jobwire::error& e, std::size_t size) {
  if (e.code == jobwire::errc::ok) __builtin_trap();
  if (e.has_offset() && e.offset > size) __builtin_trap();
}

inline std::size_t touch(const jobwire::text_field& f) { return f.present ? f.value.to_string().size() : 0; }

inline void check_id(std::string_view id) {
  if (id.empty() || id.size() > jobwire::max_job_id_length) __builtin_trap();
}

inline std::size_t walk(const jobwire::job_data& d) {
  check_id(d.id.str());
  std::size_t n = touch(d.polling_url) + touch(d.content_url) + touch(d.download_url) + touch(d.model);
  if (d.has_native_id) check_id(d.native_id.str());
  if (d.progress.present && !(d.progress.value >= 0 && d.progress.value <= 100)) __builtin_trap();
  if (d.has_status && d.consistent && jobwire::to_lifecycle(d.status) != d.lifecycle) __builtin_trap();
  if (d.error.has_message) n += d.error.message.to_string().size();
  if (d.webhook.present) {
    if (d.webhook.attempts.size() > jobwire::ledger_public_limit) __builtin_trap();
    std::size_t count = 0;
    for (jobwire::webhook_attempt a : d.webhook.attempts) {
      n += touch(a.delivery_key) + touch(a.error_message) + touch(a.response_body_preview);
      ++count;
    }
    if (count != d.webhook.attempts.size()) __builtin_trap();
    for (jobwire::json::string e : d.webhook.events) n += e.to_string().size();
    for (jobwire::json::string e : d.webhook.delivery.delivered_event_types) n += e.decoded_size();
  }
  auto decision =
      jobwire::reconcile(jobwire::job_state{jobwire::lifecycle_status::running, 50}, jobwire::update_from(d));
  if (decision.next.progress < 50 && decision.action != jobwire::reconcile_action::refetch) __builtin_trap();
  return n;
}

/// Options variants every target runs: strict, and lenient with contradictions allowed.
inline jobwire::payload_options lenient_options() {
  jobwire::payload_options o;
  o.leniency = jobwire::lenient::unknown_status | jobwire::lenient::inconsistent_status;
  o.prof = &jobwire::profiles::phaseo;
  return o;
}

}  // namespace jobwire_fuzz
