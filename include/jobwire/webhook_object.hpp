// jobwire — the `webhook` object of a job (PROTOCOL.md §10, §16.2): the subscription as the
// service holds it, its delivery summary and the public attempt ledger, as zero-copy views.
#pragma once

#include <cstddef>

#include "attempt.hpp"
#include "events.hpp"
#include "payload_fields.hpp"

namespace jobwire {

// --- webhook view (§10) ----------------------------------------------------------------

/// The plain fields of an entry of `webhook.attempts` (§10): X(reader, name).
#define JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(X) \
  X(count, response_status)               \
  X(time, tried_at)                       \
  X(time, delivered_at)                   \
  X(time, next_retry_at)                  \
  X(text, error_message)

/// One entry of `webhook.attempts`.
struct webhook_attempt {
  json::value id{};  ///< string or number (opaque)
  text_field delivery_key, event_type;
  attempt_status status = attempt_status::delivered;
  bool has_status = false;
  integer_field attempt_number, max_attempts;
  text_field response_body_preview;
  JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, webhook_attempt& out,
                                   const char** end = nullptr) noexcept;
  static webhook_attempt from_validated(json::value v) noexcept {
    payload_options opt;
    opt.prof = &profiles::phaseo;  // validated already; the widest phase set never refuses
    webhook_attempt a;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, a);
    return a;
  }
};

/// The plain fields of `webhook.delivery`, the delivery status summary: X(reader, name).
#define JOBWIRE_WEBHOOK_DELIVERY_FIELDS(X)              \
  X(count, total_attempts)                              \
  X(count, delivered_events)                            \
  X(count, pending_retries)                             \
  X(count, last_response_status)                        \
  X(strings, delivered_event_types) /* delivery keys */ \
  X(time, next_retry_at)                                \
  X(time, last_attempt_at)                              \
  X(time, last_delivered_at)                            \
  X(time, last_failure_at)                              \
  X(text, last_error_message)

/// `webhook.delivery`: the delivery status summary.
struct webhook_delivery_summary {
  bool present = false;
  attempt_status last_attempt_status = attempt_status::delivered;
  bool has_last_attempt_status = false;
  JOBWIRE_WEBHOOK_DELIVERY_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
};

/// The plain fields of `data.webhook` (§10, §16.2): X(reader, name). `url` is, under
/// phaseo, the legacy stored URL only (null for endpoints); `endpoint_id` names the webhook
/// endpoint the job subscribes through (absent or null for inline subscriptions of the
/// seed era); `events` is the stored list as the request gave it — under phaseo `[]`
/// means "inherit the endpoint's events" (§16.2), not the effective list.
#define JOBWIRE_WEBHOOK_FIELDS(X) \
  X(text, url)                    \
  X(text, endpoint_id)            \
  X(strings, events)

/// `data.webhook`: the subscription as the service holds it, with its delivery state.
struct webhook_view {
  bool present = false;
  bool has_secret = false;  ///< signing enabled (required when the webhook object is present)
  webhook_delivery_summary delivery;
  list_view<webhook_attempt> attempts;
  JOBWIRE_WEBHOOK_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, webhook_view& out,
                                   const char** end = nullptr) noexcept;
};

namespace detail {
/// A count field bounded by the protocol's attempt limit (§12): 1..max_delivery_attempts.
inline jobwire::void_result read_attempt_count(const payload_reader& r, json::value v, integer_field& out) noexcept {
  jobwire::void_result st = r.integer(v, out, 1);
  if (st && out.present && out.value > max_delivery_attempts) return r.at(errc::invalid_field, v);
  return st;
}

inline constexpr auto webhook_attempt_fields = [] {
  using Doc = webhook_attempt;
  using Ctx = plain_reading<webhook_attempt>;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, true, false, c.doc.id);
       }},
      {"delivery_key",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.delivery_key;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && (f.value.has_escapes() || !parse_delivery_key(f.raw(), *r.options().prof)))
           return r.at(errc::invalid_delivery_key, v);
         return st;
       }},
      {"event_type",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.event_type;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && (f.value.has_escapes() || !parse_event_type(f.raw(), *r.options().prof)))
           return r.at(errc::unknown_event_type, v);
         return st;
       }},
      {"status",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.status, c.doc.has_status, parse_attempt_status_word);
       }},
      {"attempt_number",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_attempt_count(r, w.member().value, c.doc.attempt_number);
       }},
      {"max_attempts",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_attempt_count(r, w.member().value, c.doc.max_attempts);
       }},
      {"response_body_preview",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.response_body_preview;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && more_chars_than(f.value, response_preview_max_chars))
           return r.at(errc::invalid_field, v);
         return st;
       }},
  });
}();

inline constexpr auto webhook_delivery_fields = [] {
  using Doc = webhook_delivery_summary;
  using Ctx = plain_reading<webhook_delivery_summary>;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_DELIVERY_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  //
      {"last_attempt_status",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.last_attempt_status, c.doc.has_last_attempt_status,
                       parse_attempt_status_word);
       }},
  });
}();

/// What reading `data.webhook` gathers beyond the document: whether `has_secret` came.
struct webhook_reading {
  webhook_view& doc;
  bool secret_seen = false;
};

inline constexpr auto webhook_fields = [] {
  using Doc = webhook_view;
  using Ctx = webhook_reading;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"has_secret",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (!v.is_bool()) return r.at(errc::invalid_field, v);
         return r.boolean(v, c.doc.has_secret, c.secret_seen);
       }},
      {"delivery",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_nested_object(r, w, webhook_delivery_fields, c.doc.delivery, c.doc.delivery.present);
       }},
      {"attempts",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_object_list(r, w, ledger_public_limit, c.doc.attempts);
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result webhook_attempt::read(const detail::payload_reader& r, json::value v, webhook_attempt& out,
                                                  const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::plain_reading<webhook_attempt> c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::webhook_attempt_fields, c, end); !st) return st;
  if (out.attempt_number.present && out.max_attempts.present && out.attempt_number.value > out.max_attempts.value)
    return r.at(errc::attempt_exceeds_max, v);
  return {};
}

inline jobwire::void_result webhook_view::read(const detail::payload_reader& r, json::value v, webhook_view& out,
                                               const char** end) noexcept {
  if (detail::payload_reader::absent(v)) return {};
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  out.present = true;
  detail::webhook_reading c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::webhook_fields, c, end); !st) return st;
  // "Whether signing is enabled" is one of the five things the payload promises (§10).
  if (!c.secret_seen) return r.at(errc::missing_field, v);
  return {};
}

namespace detail {
/// `webhook` of a job document (`data`, the status object): read in place.
template <class Ctx>
jobwire::void_result webhook_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  const char* e = nullptr;
  jobwire::void_result st = webhook_view::read(r, w.raw_value(), c.doc.webhook, &e);
  w.set_value_end(e);
  return st;
}
}  // namespace detail

}  // namespace jobwire
