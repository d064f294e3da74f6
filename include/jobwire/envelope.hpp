// jobwire — the webhook delivery body (PROTOCOL.md §10, §16.1): the envelope every surface
// reads with this one reader (verify, receive, the CLI, C and Python).
#pragma once

#include <cstdint>
#include <string_view>

#include "events.hpp"
#include "job.hpp"
#include "job_data.hpp"
#include "payload_fields.hpp"

namespace jobwire {

// --- webhook envelope (§10) --------------------------------------------------------------

/// `delivery` of an envelope: the delivery key and attempt metadata.
struct delivery_info {
  bool present = false;
  std::string_view key_text;  ///< exactly as sent (delivery keys need no escapes)
  delivery_key key{};
  std::uint32_t attempt = 0;       ///< 1-based
  std::uint32_t max_attempts = 0;  ///< 4 for the service (§9)
};

/// The top-level `status_change` member of a `status_changed` delivery (PROTOCOL.md
/// §16.1): `{"previous_status": string|null, "status": string}`, raw statuses.
struct status_change_view {
  bool present = false;
  /// `previous_status`; absent or null (`present == false`) when the sender did not know it.
  text_field previous_status;
  json::string status{};  ///< `status` as sent (a raw status, or a lifecycle word, below)
  /// The lifecycle state `status` names (job.hpp `parse_raw_status`).
  lifecycle_status lifecycle = lifecycle_status::pending;
  /// The queue-retry form (§16.1): no previous status and a lifecycle word as `status` —
  /// the job's lifecycle when the retry was sent, not the transition's target, so it is
  /// not compared with the key.
  bool queue_retry_form = false;
};

/// A parsed delivery body. `id` and `type` are required (the event id and event type are
/// what a receiver deduplicates and dispatches on), as is `data` with its job id and
/// status; `created_at` and `delivery` are type-checked when present. A `status_changed`
/// delivery (profile phaseo) also requires `status_change`; other events ignore it.
struct envelope_view {
  std::string_view id;         ///< event id, 1..160 of [A-Za-z0-9_-]
  std::string_view type_text;  ///< e.g. "video.completed"
  event_type type{};
  integer_field created_at;  ///< Unix seconds
  delivery_info delivery;
  job_data data;
  status_change_view status_change;  ///< `status_changed` deliveries only (§16.1)
};

namespace detail {
/// The members of `delivery` (§10), checked together after the walk.
struct delivery_reading {
  json::value key, attempt, max_attempts;
};
inline constexpr auto delivery_fields = make_field_table<delivery_reading>({
    {"key", &capture_rule<delivery_reading, &delivery_reading::key>},
    {"attempt", &capture_rule<delivery_reading, &delivery_reading::attempt>},
    {"max_attempts", &capture_rule<delivery_reading, &delivery_reading::max_attempts>},
});

/// Checks `delivery` (`v`, its members gathered in `c` by the envelope's walk) once the
/// event type is known.
inline jobwire::void_result read_delivery(const payload_reader& r, json::value v, const delivery_reading& c,
                                          const event_type& type, delivery_info& d) noexcept {
  if (payload_reader::absent(v)) return {};
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  d.present = true;
  const json::value key = c.key, attempt = c.attempt, max_attempts = c.max_attempts;
  if (!key.exists() || !attempt.exists() || !max_attempts.exists()) return r.at(errc::missing_field, v);
  if (!key.is_string()) return r.at(errc::invalid_field, key);
  json::string ks = r.string_at(key);
  auto parsed = parse_delivery_key(ks.raw(), *r.options().prof);
  if (ks.has_escapes() || !parsed) return r.at(errc::invalid_delivery_key, key);
  // The key names the event it deduplicates; a key of another event type is a forged or
  // corrupted body (§2: lifecycle key == event type; progress key == type + bucket).
  if (parsed->type != type) return r.at(errc::invalid_delivery_key, key);
  d.key_text = ks.raw();
  d.key = *parsed;
  integer_field a, mx;
  jobwire::void_result st = r.integer(attempt, a, 1);
  if (!st || !a.present || a.value > max_delivery_attempts) return r.at(errc::invalid_field, attempt);
  st = r.integer(max_attempts, mx, 1);
  if (!st || !mx.present || mx.value > max_delivery_attempts) return r.at(errc::invalid_field, max_attempts);
  if (a.value > mx.value) return r.at(errc::attempt_exceeds_max, attempt);
  d.attempt = static_cast<std::uint32_t>(a.value);
  d.max_attempts = static_cast<std::uint32_t>(mx.value);
  return {};
}

/// The members of `status_change` (§16.1), checked together after the walk.
struct status_change_reading {
  json::value previous_status, status;
};
inline constexpr auto status_change_fields = make_field_table<status_change_reading>({
    {"previous_status", &capture_rule<status_change_reading, &status_change_reading::previous_status>},
    {"status", &capture_rule<status_change_reading, &status_change_reading::status>},
});

// `status_change` of a `status_changed` delivery (§16.1). Required for that phase: the
// service always writes it, and it is what the receiver reconciles on. `previous_status`
// absent reads as null. When the envelope carries a key, the object must name the same
// lifecycle states as the key's parts (`status_change_mismatch`), except in the
// queue-retry form, and except for a part that names no known status (`unknown`, written
// for an empty status): there is nothing to compare.
// `c` holds its members, gathered by the envelope's walk.
inline jobwire::void_result read_status_change(const payload_reader& r, json::value v, const status_change_reading& c,
                                               const json::value& doc, const delivery_info& d,
                                               status_change_view& out) noexcept {
  if (!v.exists()) return r.at(errc::missing_field, doc);
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  const json::value prev = c.previous_status, cur = c.status;
  if (!cur.exists()) return r.at(errc::missing_field, v);
  if (!cur.is_string()) return r.at(errc::invalid_field, cur);
  jobwire::void_result st = r.text(prev, out.previous_status);
  if (!st) return st;
  out.status = r.string_at(cur);
  auto life = parse_raw_status(out.status.raw(), r.options().leniency);
  if (out.status.has_escapes() || !life) return r.at(errc::unknown_status, cur);
  out.lifecycle = *life;
  out.queue_retry_form = !out.previous_status.present && is_lifecycle_word(out.status.raw());
  if (out.previous_status.present) {
    auto p = parse_raw_status(out.previous_status.raw(), r.options().leniency);
    if (out.previous_status.value.has_escapes() || !p) return r.at(errc::unknown_status, prev);
  }
  if (d.present && !out.queue_retry_form) {
    // Parts are compared in strict mode: a part the vocabulary does not know is no claim.
    auto key_cur = parse_raw_status(d.key.current.view());
    if (key_cur && *key_cur != out.lifecycle) return r.at(errc::status_change_mismatch, cur);
    if (out.previous_status.present) {
      auto key_prev = parse_raw_status(d.key.previous.view());
      auto p = parse_raw_status(out.previous_status.raw(), r.options().leniency);
      if (key_prev && p && *key_prev != *p) return r.at(errc::status_change_mismatch, prev);
    }
  }
  out.present = true;
  return {};
}
}  // namespace detail

namespace detail {
/// The top-level members of a delivery body (§10), checked together after the walk; `data`
/// is read in place, so the (large) data object is walked once, not skipped and re-read,
/// and its error (if any) is reported after the top-level fields' errors.
struct envelope_reading {
  envelope_view& doc;
  json::value id{}, type{}, created_at{}, delivery{}, data{}, status_change{};
  delivery_reading delivery_members{};  // `delivery` and `status_change` are walked in place
  status_change_reading status_change_members{};
  jobwire::void_result data_status{};
};
inline constexpr auto envelope_fields = make_field_table<envelope_reading>({
    {"id", &capture_rule<envelope_reading, &envelope_reading::id>},
    {"type", &capture_rule<envelope_reading, &envelope_reading::type>},
    {"created_at", &capture_rule<envelope_reading, &envelope_reading::created_at>},
    {"delivery", &gather_rule<envelope_reading, &envelope_reading::delivery, delivery_reading,
                              &envelope_reading::delivery_members, delivery_fields>},
    {"status_change", &gather_rule<envelope_reading, &envelope_reading::status_change, status_change_reading,
                                   &envelope_reading::status_change_members, status_change_fields>},
    {"data",
     [](const payload_reader& r, member_walk& w, envelope_reading& c) noexcept -> jobwire::void_result {
       c.data = w.raw_value();
       const char* data_end = nullptr;
       c.data_status = job_data::read(r, c.data, true, c.doc.data, &data_end);
       w.set_value_end(data_end);
       return {};
     }},
});
}  // namespace detail

namespace detail {
/// Reads a delivery body into `e` (see parse_envelope).
inline jobwire::void_result read_envelope(std::string_view body, const payload_options& opt, reading mode,
                                          envelope_view& e) noexcept {
  payload_parse r(body, opt, mode);
  auto doc = r.root();
  if (!doc) return doc.error();
  envelope_reading c{e};
  // Its rules only gather (the data's verdict waits in `data_status`): an error here is the
  // text's.
  if (jobwire::void_result st = r.read_root(*doc, envelope_fields, c); !st) return st.error();
  const json::value id = c.id, type = c.type, created_at = c.created_at, delivery = c.delivery, data = c.data,
                    status_change = c.status_change;
  const jobwire::void_result& data_status = c.data_status;
  if (!id.exists() || !type.exists() || !data.exists()) return r.at(errc::missing_field, *doc);
  if (!id.is_string()) return r.at(errc::invalid_field, id);
  json::string ids = r.string_at(id);
  if (ids.has_escapes() || !is_valid_event_id(ids.raw())) return r.at(errc::invalid_event_id, id);
  e.id = ids.raw();
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  json::string ts = r.string_at(type);
  auto et = parse_event_type(ts.raw(), *opt.prof);
  if (ts.has_escapes() || !et) return r.at(errc::unknown_event_type, type);
  e.type = *et;
  e.type_text = ts.raw();
  jobwire::void_result st = r.integer(created_at, e.created_at, 0);
  if (!st) return st.error();
  st = read_delivery(r, delivery, c.delivery_members, e.type, e.delivery);
  if (!st) return st.error();
  if (!data_status) return data_status.error();
  // `data.kind`, when sent, names the same kind as the event type.
  if (e.data.has_kind && e.data.kind != e.type.kind) return r.at(errc::invalid_field, data);
  if (e.type.phase == phase::status_changed) {
    st = read_status_change(r, status_change, c.status_change_members, *doc, e.delivery, e.status_change);
    if (!st) return st.error();
  }
  return {};
}
/// parse_envelope with the reading chosen (the public one reads in one pass; the tests compare
/// it with the two-pass reading). The document is filled in the result's place.
inline result<envelope_view> parse_envelope(std::string_view body, const payload_options& opt, reading mode) noexcept {
  return build_in_place<envelope_view>([&](envelope_view& e) noexcept { return read_envelope(body, opt, mode, e); });
}
}  // namespace detail

/// Parses and validates a webhook delivery body (§10).
inline result<envelope_view> parse_envelope(std::string_view body, const payload_options& opt = {}) noexcept {
  return detail::parse_envelope(body, opt, detail::reading::fused);
}

}  // namespace jobwire
