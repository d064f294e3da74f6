// jobwire — the create response of `POST /v1/videos` (PROTOCOL.md §4), as a zero-copy view.
#pragma once

#include <string_view>

#include "job.hpp"
#include "payload_fields.hpp"

namespace jobwire {

// --- create response (§4) ----------------------------------------------------------------

/// The body of `POST /v1/videos` (HTTP 202).
struct create_response {
  job_id_view id;
  bool id_from_video_id = false;  ///< the id came from the cookbook's `video_id` key only
  text_field polling_url;
  create_status status = create_status::pending;
  bool has_status = false;

  lifecycle_status lifecycle() const noexcept { return to_lifecycle(status); }
};

namespace detail {
/// The members of a create response (§4); the two id keys are checked together after the
/// walk.
struct create_reading {
  create_response& doc;
  json::value id{}, video_id{};
};
inline constexpr auto create_fields = make_field_table<create_reading>({
    {"id", &capture_rule<create_reading, &create_reading::id>},
    {"video_id", &capture_rule<create_reading, &create_reading::video_id>},
    {"polling_url",
     [](const payload_reader& r, member_walk& w, create_reading& c) noexcept -> jobwire::void_result {
       return r.text(w.member().value, c.doc.polling_url);
     }},
    {"status",
     [](const payload_reader& r, member_walk& w, create_reading& c) noexcept -> jobwire::void_result {
       json::value v = w.member().value;
       if (payload_reader::absent(v)) return {};
       if (!v.is_string()) return r.at(errc::invalid_field, v);
       auto st = parse_create_status(r.string_at(v).raw(), r.options().leniency);
       if (!st) return r.at(st.code(), v);
       c.doc.status = *st;
       c.doc.has_status = true;
       return {};
     }},
});
}  // namespace detail

namespace detail {
/// parse_create_response with the reading chosen (the public one reads in one pass; the tests compare
/// it with the two-pass reading).
inline result<create_response> parse_create_response(std::string_view body, const payload_options& opt,
                                                     reading mode) noexcept {
  payload_parse r(body, opt, mode);
  auto doc = r.root();
  if (!doc) return doc.error();
  create_response c;
  create_reading cr{c};
  if (jobwire::void_result st = r.read_root(*doc, create_fields, cr); !st) return st.error();
  const json::value id = cr.id, video_id = cr.video_id;
  if (!id.exists() && !video_id.exists()) return r.at(errc::missing_field, *doc);
  job_id_view a, b;
  if (id.exists()) {
    jobwire::void_result st = r.id(id, a);
    if (!st) return st.error();
  }
  if (video_id.exists()) {
    jobwire::void_result st = r.id(video_id, b);
    if (!st) return st.error();
  }
  if (id.exists() && video_id.exists() && a != b) return r.at(errc::conflicting_job_id, video_id);
  c.id = id.exists() ? a : b;
  c.id_from_video_id = !id.exists();
  return c;
}
}  // namespace detail

/// Accepts `id` (the gateway) or `video_id` (the cookbook); both present and different →
/// `conflicting_job_id`; neither → `missing_field`.
inline result<create_response> parse_create_response(std::string_view body, const payload_options& opt = {}) noexcept {
  return detail::parse_create_response(body, opt, detail::reading::fused);
}

}  // namespace jobwire
