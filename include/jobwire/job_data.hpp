// jobwire — the job object carried in `data` of a webhook delivery and of websocket
// messages (PROTOCOL.md §10, §16.6), as a zero-copy view.
#pragma once

#include "events.hpp"
#include "job.hpp"
#include "payload_fields.hpp"
#include "webhook_object.hpp"

namespace jobwire {

// --- webhook / websocket `data` (§10) ----------------------------------------------------

/// The plain fields of `data` (§10, §16.6): X(reader, name), see "declared fields".
#define JOBWIRE_JOB_DATA_FIELDS(X)     \
  X(text, object)                      \
  X(text, request_id)                  \
  X(text, session_id)                  \
  X(text, app_id)                      \
  X(percent, progress) /* 0..100 */    \
  X(text, provider)                    \
  X(text, model)                       \
  X(text, polling_url)                 \
  X(text, websocket_url)               \
  X(text, cancel_url)                  \
  X(text, content_url)                 \
  X(text, download_url)                \
  X(time, expires_at)                  \
  X(non_negative, duration_seconds)    \
  X(non_negative, duration_ms)         \
  X(non_negative, total_duration_ms)   \
  X(non_negative, latency_ms)          \
  X(non_negative, generation_ms)       \
  X(text, resolution)                  \
  X(text, quality)                     \
  X(any, billing)                      \
  X(time, created_at)                  \
  X(time, updated_at)                  \
  X(time, finalized_at)                \
  X(error, error)                      \
  X(any, upstream_error)               \
  X(any, provider_failure_diagnostics) \
  X(any, failure_sample)               \
  X(any, routing_diagnostics)

/// The job payload carried in `data` of a delivery and of websocket messages.
struct job_data {
  job_id_view id;
  jobwire::kind kind = kind::video;
  bool has_kind = false;
  job_status status = job_status::queued;
  lifecycle_status lifecycle = lifecycle_status::pending;
  bool has_status = false;            ///< `status` was present
  bool has_lifecycle_status = false;  ///< `lifecycle_status` was present
  bool consistent = true;             ///< false only under lenient::inconsistent_status
  native_id_view native_id;           ///< provider correlation only; never usable in a URL
  bool has_native_id = false;
  output_access access = output_access::both;
  bool has_output_access = false;
  JOBWIRE_JOB_DATA_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
  webhook_view webhook;

  bool is_terminal() const noexcept { return jobwire::is_terminal(lifecycle); }

  /// Reads `data` (an object); `status_required`: a delivery's `data` must carry a status
  /// (§10), a websocket message's need not.
  static jobwire::void_result read(const detail::payload_reader& r, json::value v, bool status_required, job_data& out,
                                   const char** end = nullptr) noexcept;
};

namespace detail {
using job_data_reading = job_reading<job_data>;

inline constexpr auto job_data_fields = [] {
  using Doc = job_data;
  using Ctx = job_data_reading;
  return make_field_table<Ctx>({
      JOBWIRE_JOB_DATA_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id", &job_id_rule<Ctx>},
      {"status", &status_rule<Ctx>},
      {"lifecycle_status", &lifecycle_rule<Ctx>},
      {"output_access", &output_access_rule<Ctx>},
      {"native_id", &native_id_rule<Ctx, &job_data::native_id, &job_data::has_native_id>},
      {"webhook", &webhook_rule<Ctx>},
      {"kind",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (!v.is_string()) return r.at(errc::invalid_field, v);
         auto kd = parse_kind(r.string_at(v).raw());
         if (!kd) return r.at(errc::unknown_kind, v);
         c.doc.kind = *kd;
         c.doc.has_kind = true;
         return {};
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result job_data::read(const detail::payload_reader& r, json::value v, bool status_required,
                                           job_data& out, const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::job_data_reading c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::job_data_fields, c, end); !st) return st;
  if (!c.id_seen) return r.at(errc::missing_field, v);
  return c.sp.resolve(r, v, status_required, out.status, out.lifecycle, out.has_status, out.has_lifecycle_status,
                      out.consistent);
}

}  // namespace jobwire
