// jobwire — the status object of `GET /v1/videos/{id}` (PROTOCOL.md §5, §16.6, §16.8), as a
// zero-copy view.
#pragma once

#include <cstddef>
#include <string_view>

#include "job.hpp"
#include "payload_fields.hpp"
#include "webhook_object.hpp"

namespace jobwire {

// --- status object (§5) ------------------------------------------------------------------

/// `asset` of the status object: X(reader, name).
#define JOBWIRE_ASSET_FIELDS(X) \
  X(text, id)                   \
  X(text, mime_type)            \
  X(text, sha256)               \
  X(count, bytes)               \
  X(count, width)               \
  X(count, height)              \
  X(non_negative, duration_seconds)

/// `asset` of the status object.
struct asset_view {
  bool present = false;
  JOBWIRE_ASSET_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
};

/// One entry of `outputs[]`: X(reader, name).
#define JOBWIRE_OUTPUT_FIELDS(X) \
  X(count, index)                \
  X(text, mime_type)             \
  X(text, content_url)           \
  X(text, download_url)          \
  X(time, expires_at)

/// One entry of `outputs[]`.
struct output_view {
  json::value bytes_available{};  ///< boolean or byte count, as the service sends it
  JOBWIRE_OUTPUT_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, output_view& o,
                                   const char** end = nullptr) noexcept;
  static output_view from_validated(json::value v) noexcept {
    output_view o;
    payload_options opt;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, o);
    return o;
  }
};

/// The plain fields of the status object of `GET /v1/videos/{id}` (§5, §16.6, §16.8):
/// X(reader, name).
#define JOBWIRE_STATUS_FIELDS(X)                                 \
  X(text, object)                                                \
  X(text, polling_url)                                           \
  X(text, websocket_url)                                         \
  X(text, cancel_url)                                            \
  X(text, generation_id)                                         \
  X(non_negative, poll_after_seconds) /* the service sends 20 */ \
  X(time, created_at)                                            \
  X(time, started_at)                                            \
  X(time, completed_at)                                          \
  X(text, provider)                                              \
  X(text, model)                                                 \
  X(text, size)                                                  \
  X(any, audio)                                                  \
  X(object, usage)                                               \
  X(error, error)                                                \
  X(any, billing)                                                \
  X(time, next_webhook_retry_at)                                 \
  X(time, last_webhook_progress_at)                              \
  X(time, last_webhook_dispatched_at)                            \
  X(percent, last_webhook_progress)

/// The status object of `GET /v1/videos/{id}` (§5).
struct status_view {
  job_id_view id;
  job_status status = job_status::queued;
  lifecycle_status lifecycle = lifecycle_status::pending;
  bool has_lifecycle_status = false;
  bool consistent = true;
  output_access access = output_access::both;  ///< default when absent
  bool has_output_access = false;
  number_field progress;  ///< integer 0..100 when present
  progress_source source = progress_source::none;
  bool has_progress_source = false;
  native_id_view native_video_id;  ///< provider correlation only; never usable in a URL
  bool has_native_video_id = false;
  json::value seconds{};  ///< number or string
  asset_view asset;
  list_view<output_view> outputs;
  webhook_view webhook;
  JOBWIRE_STATUS_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  bool is_terminal() const noexcept { return jobwire::is_terminal(lifecycle); }
  /// Progress as the service defines its default (§5): 100 when completed and unknown,
  /// else 0.
  double effective_progress() const noexcept {
    if (progress.present) return progress.value;
    return status == job_status::completed ? 100.0 : 0.0;
  }
};

namespace detail {
inline constexpr auto asset_fields = [] {
  using Doc = asset_view;
  using Ctx = plain_reading<asset_view>;
  return make_field_table<Ctx>({JOBWIRE_ASSET_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)});
}();

inline constexpr auto output_fields = [] {
  using Doc = output_view;
  using Ctx = plain_reading<output_view>;
  return make_field_table<Ctx>({
      JOBWIRE_OUTPUT_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  //
      {"bytes_available",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, false, true, c.doc.bytes_available);
       }},
  });
}();

using status_reading = job_reading<status_view>;

inline constexpr auto status_fields = [] {
  using Doc = status_view;
  using Ctx = status_reading;
  return make_field_table<Ctx>({
      JOBWIRE_STATUS_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id", &job_id_rule<Ctx>},
      {"status", &status_rule<Ctx>},
      {"lifecycle_status", &lifecycle_rule<Ctx>},
      {"output_access", &output_access_rule<Ctx>},
      {"progress",  // the status object's progress is an integer (§5)
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.percent(w.member().value, c.doc.progress, true);
       }},
      {"progress_source",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.source, c.doc.has_progress_source, parse_progress_source);
       }},
      {"native_video_id", &native_id_rule<Ctx, &status_view::native_video_id, &status_view::has_native_video_id>},
      {"seconds",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, true, false, c.doc.seconds);
       }},
      {"asset",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_nested_object(r, w, asset_fields, c.doc.asset, c.doc.asset.present);
       }},
      {"outputs",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_object_list(r, w, static_cast<std::size_t>(-1), c.doc.outputs);
       }},
      {"webhook", &webhook_rule<Ctx>},
  });
}();
}  // namespace detail

inline jobwire::void_result output_view::read(const detail::payload_reader& r, json::value v, output_view& o,
                                              const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::plain_reading<output_view> c{o};
  return detail::read_fields(r, v, detail::output_fields, c, end);
}

namespace detail {
/// Reads a status object into `s` (see parse_status_object).
inline jobwire::void_result read_status_object(std::string_view body, const payload_options& opt, reading mode,
                                               status_view& s) noexcept {
  payload_parse r(body, opt, mode);
  auto doc = r.root();
  if (!doc) return doc.error();
  status_reading c{s};
  if (jobwire::void_result st = r.read_root(*doc, status_fields, c); !st) return st.error();
  if (!c.id_seen) return r.at(errc::missing_field, *doc);
  bool has_status = false;
  if (jobwire::void_result st =
          c.sp.resolve(r, *doc, true, s.status, s.lifecycle, has_status, s.has_lifecycle_status, s.consistent);
      !st)
    return st.error();
  return {};
}
/// parse_status_object with the reading chosen (the public one reads in one pass; the tests compare
/// it with the two-pass reading). The document is filled in the result's place.
inline result<status_view> parse_status_object(std::string_view body, const payload_options& opt,
                                               reading mode) noexcept {
  return build_in_place<status_view>([&](status_view& s) noexcept { return read_status_object(body, opt, mode, s); });
}
}  // namespace detail

/// Parses and validates a status object. `id` and `status` are required (§5).
inline result<status_view> parse_status_object(std::string_view body, const payload_options& opt = {}) noexcept {
  return detail::parse_status_object(body, opt, detail::reading::fused);
}

}  // namespace jobwire
