// jobwire — normalised summaries of job payloads (PROTOCOL.md §4-§6, §10).
//
// One JSON object per payload with the fields a host acts on: ids, statuses, progress,
// the delivery identity of a webhook, the webhook's delivery summary. The summary is what
// `jobwire parse --as create|status|webhook|ws` prints and what the C API's
// `jobwire_parse_payload` returns, so both read it from this one place; its fields are
// documented in docs/PAYLOADS.md ("CLI summaries").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "error.hpp"
#include "json_writer.hpp"
#include "payload.hpp"
#include "result.hpp"

namespace jobwire {

/// The payloads a summary can be made of.
/// The enumerators name the payload; their names for humans are "create", "status",
/// "webhook" and "ws" (`payload_form_name`).
enum class payload_form : std::uint8_t { create_response, status_object, delivery, ws_message };

constexpr std::string_view payload_form_name(payload_form f) noexcept {
  switch (f) {
    case payload_form::create_response: return "create";
    case payload_form::status_object: return "status";
    case payload_form::delivery: return "webhook";
    case payload_form::ws_message: return "ws";
  }
  return "unknown";
}

/// "create", "status", "webhook" or "ws"; `invalid_argument` otherwise.
inline result<payload_form> parse_payload_form(std::string_view s) noexcept {
  for (payload_form f :
       {payload_form::create_response, payload_form::status_object, payload_form::delivery, payload_form::ws_message})
    if (s == payload_form_name(f)) return f;
  return errc::invalid_argument;
}

namespace detail {

// --- how a field reads in a summary ----------------------------------------------------
// One rule per field holder, so every document writes a field of a kind the same way:
// its value, or null when the payload did not carry it.

/// A value the parser derived (a normalised name, an id): `v` when `known`, else null.
template <class T>
void summary_value_if(json::writer& w, bool known, const T& v) {
  if (!known) w.null();
  else if constexpr (std::is_convertible_v<const T&, std::string_view>) w.string(v);
  else w.number(v);
}

inline void summary_value(json::writer& w, const text_field& f) {
  if (f.present) w.string(f.value.to_string());
  else w.null();
}
inline void summary_value(json::writer& w, const number_field& f) { summary_value_if(w, f.present, f.value); }
inline void summary_value(json::writer& w, const integer_field& f) { summary_value_if(w, f.present, f.value); }
/// A time as sent: Unix seconds, or the sender's text (§5; the format is not parsed).
inline void summary_value(json::writer& w, const time_field& t) {
  if (t.kind == time_field::form::number) w.number(t.seconds);
  else if (t.kind == time_field::form::string) w.string(t.text.to_string());
  else w.null();
}
/// `error`: its message; "" for an error object without one.
inline void summary_value(json::writer& w, const error_field& e) {
  if (e.present() && e.has_message) w.string(e.message.to_string());
  else if (e.present()) w.string("");
  else w.null();
}
inline void summary_value(json::writer& w, bool b) { w.boolean(b); }
/// A list reads as its length.
template <class T>
void summary_value(json::writer& w, const list_view<T>& l) {
  w.number(static_cast<std::uint64_t>(l.size()));
}
// --- declared summaries ----------------------------------------------------------------

/// One member of a summary: its key and how it is written from the document. `shown`,
/// when set, says whether the member is written at all (a member that is left out rather
/// than null). An empty key writes the members of a part of the document in place
/// (`members_of`), so one document's summary can include another's.
template <class Doc>
struct summary_member {
  std::string_view key;
  void (*write)(json::writer&, const Doc&);
  bool (*shown)(const Doc&) = nullptr;
};

template <class>
struct member_owner;
template <class C, class T>
struct member_owner<T C::*> {
  using type = C;
};
template <auto M>
using owner_of = typename member_owner<decltype(M)>::type;

/// Writes the members of `table` from `d`, in the table's order.
template <class Doc, std::size_t N>
void summary_members(json::writer& w, const summary_member<Doc> (&table)[N], const Doc& d) {
  for (const summary_member<Doc>& m : table) {
    if (m.shown && !m.shown(d)) continue;
    if (!m.key.empty()) w.key(m.key);
    m.write(w, d);
  }
}

/// The members of `table` from `d` as one object.
template <class Doc, std::size_t N>
void summary_object(json::writer& w, const summary_member<Doc> (&table)[N], const Doc& d) {
  w.begin_object();
  summary_members(w, table, d);
  w.end_object();
}

/// The member written from the field `M` by its holder's rule (summary_value).
template <auto M>
void held(json::writer& w, const owner_of<M>& d) {
  summary_value(w, d.*M);
}
/// The member written from the part `M` (which says whether it is `present`) as an object
/// of the members of `Table`, or null.
template <auto M, const auto& Table>
void nested(json::writer& w, const owner_of<M>& d) {
  if ((d.*M).present) summary_object(w, Table, d.*M);
  else w.null();
}
/// The members of `Table` written from the part `M`, in place (an empty key).
template <auto M, const auto& Table>
void members_of(json::writer& w, const owner_of<M>& d) {
  summary_members(w, Table, d.*M);
}

inline constexpr summary_member<webhook_attempt> attempt_summary[] = {
    {"delivery_key", &held<&webhook_attempt::delivery_key>},
    {"status", [](json::writer& w,
                  const webhook_attempt& a) { summary_value_if(w, a.has_status, attempt_status_name(a.status)); }},
    {"response_status", &held<&webhook_attempt::response_status>},
};

inline constexpr summary_member<webhook_delivery_summary> webhook_delivery_summary_members[] = {
    {"total_attempts", &held<&webhook_delivery_summary::total_attempts>},
    {"delivered_events", &held<&webhook_delivery_summary::delivered_events>},
    {"pending_retries", &held<&webhook_delivery_summary::pending_retries>},
    {"last_attempt_status",
     [](json::writer& w, const webhook_delivery_summary& s) {
       summary_value_if(w, s.has_last_attempt_status, attempt_status_name(s.last_attempt_status));
     }},
    {"last_response_status", &held<&webhook_delivery_summary::last_response_status>},
};

inline constexpr summary_member<webhook_view> webhook_summary[] = {
    {"has_secret", &held<&webhook_view::has_secret>},
    {"events", &held<&webhook_view::events>},
    {"delivery", &nested<&webhook_view::delivery, webhook_delivery_summary_members>},
    {"attempts",
     [](json::writer& w, const webhook_view& wh) {
       w.begin_array();
       for (webhook_attempt a : wh.attempts) summary_object(w, attempt_summary, a);
       w.end_array();
     }},
};

/// Whether the job's status is known (a WebSocket message's `data` may carry none).
inline bool status_known(const job_data& d) noexcept { return d.has_status || d.has_lifecycle_status; }

inline constexpr summary_member<job_data> job_summary[] = {
    {"job_id", [](json::writer& w, const job_data& d) { w.string(d.id.str()); }},
    {"status",
     [](json::writer& w, const job_data& d) { summary_value_if(w, status_known(d), job_status_name(d.status)); }},
    {"lifecycle_status",
     [](json::writer& w, const job_data& d) {
       summary_value_if(w, status_known(d), lifecycle_status_name(d.lifecycle));
     }},
    {"terminal", [](json::writer& w, const job_data& d) { w.boolean(status_known(d) && d.is_terminal()); }},
    {"progress", &held<&job_data::progress>},
    {"native_id", [](json::writer& w, const job_data& d) { summary_value_if(w, d.has_native_id, d.native_id.str()); }},
    {"error", &held<&job_data::error>},
    {"webhook", &nested<&job_data::webhook, webhook_summary>},
};

/// §16.1: the raw statuses as sent, and the lifecycle state the receiver reads.
inline constexpr summary_member<status_change_view> status_change_summary[] = {
    {"previous_status", &held<&status_change_view::previous_status>},
    {"status", [](json::writer& w, const status_change_view& s) { w.string(s.status.to_string()); }},
    {"lifecycle_status",
     [](json::writer& w, const status_change_view& s) { w.string(lifecycle_status_name(s.lifecycle)); }},
    {"queue_retry_form", &held<&status_change_view::queue_retry_form>},
};

inline constexpr summary_member<envelope_view> envelope_summary[] = {
    {"event_id", [](json::writer& w, const envelope_view& e) { w.string(e.id); }},
    {"type", [](json::writer& w, const envelope_view& e) { w.string(e.type_text); }},
    {"created_at", &held<&envelope_view::created_at>},
    {"delivery_key",
     [](json::writer& w, const envelope_view& e) { summary_value_if(w, e.delivery.present, e.delivery.key_text); }},
    {"attempt",
     [](json::writer& w, const envelope_view& e) { summary_value_if(w, e.delivery.present, e.delivery.attempt); }},
    {"max_attempts",
     [](json::writer& w, const envelope_view& e) { summary_value_if(w, e.delivery.present, e.delivery.max_attempts); }},
    {"", &members_of<&envelope_view::data, job_summary>},
    {"status_change", &nested<&envelope_view::status_change, status_change_summary>,
     [](const envelope_view& e) { return e.status_change.present; }},
};

inline constexpr summary_member<create_response> create_summary[] = {
    {"id", [](json::writer& w, const create_response& c) { w.string(c.id.str()); }},
    {"id_key", [](json::writer& w, const create_response& c) { w.string(c.id_from_video_id ? "video_id" : "id"); }},
    {"status", [](json::writer& w,
                  const create_response& c) { summary_value_if(w, c.has_status, create_status_name(c.status)); }},
    {"lifecycle_status",
     [](json::writer& w, const create_response& c) {
       summary_value_if(w, c.has_status, lifecycle_status_name(c.lifecycle()));
     }},
    {"polling_url", &held<&create_response::polling_url>},
};

inline constexpr summary_member<status_view> status_summary[] = {
    {"id", [](json::writer& w, const status_view& s) { w.string(s.id.str()); }},
    {"status", [](json::writer& w, const status_view& s) { w.string(job_status_name(s.status)); }},
    {"lifecycle_status", [](json::writer& w, const status_view& s) { w.string(lifecycle_status_name(s.lifecycle)); }},
    {"terminal", [](json::writer& w, const status_view& s) { w.boolean(s.is_terminal()); }},
    {"progress", [](json::writer& w, const status_view& s) { w.number(s.effective_progress()); }},
    {"output_access", [](json::writer& w, const status_view& s) { w.string(output_access_name(s.access)); }},
    {"poll_after_seconds", &held<&status_view::poll_after_seconds>},
    {"cancel_url", &held<&status_view::cancel_url>},
    {"native_video_id",
     [](json::writer& w, const status_view& s) {
       summary_value_if(w, s.has_native_video_id, s.native_video_id.str());
     }},
    {"created_at", &held<&status_view::created_at>},
    {"outputs", &held<&status_view::outputs>},
    {"error", &held<&status_view::error>},
};

inline constexpr summary_member<ws_message> ws_summary[] = {
    {"type", [](json::writer& w, const ws_message& m) { w.string(ws_message_type_name(m.type)); }},
    {"", &members_of<&ws_message::data, job_summary>, [](const ws_message& m) { return m.has_data; }},
};

/// The summary of a parsed payload: `kind` (the form's name), then the members of `table`.
/// On a parse error nothing is appended.
template <class Doc, std::size_t N>
void_result append_summary(std::string& out, payload_form form, const result<Doc>& doc,
                           const summary_member<Doc> (&table)[N]) {
  if (!doc) return doc.error();
  std::string s;
  json::writer w(s);
  w.begin_object().field("kind", payload_form_name(form));
  summary_members(w, table, *doc);
  w.end_object();
  out += s;
  return {};
}

}  // namespace detail

/// Validates `text` as a payload of the given form and appends its summary to `out` (one
/// JSON object: `kind`, then the members declared in the form's table above). On error
/// nothing is appended and the payload parser's error (with its byte offset) is returned.
inline void_result append_payload_summary(std::string& out, payload_form form, std::string_view text,
                                          const payload_options& opt = {}) {
  switch (form) {
    case payload_form::create_response:
      return detail::append_summary(out, form, parse_create_response(text, opt), detail::create_summary);
    case payload_form::status_object:
      return detail::append_summary(out, form, parse_status_object(text, opt), detail::status_summary);
    case payload_form::delivery:
      return detail::append_summary(out, form, parse_envelope(text, opt), detail::envelope_summary);
    case payload_form::ws_message:
      return detail::append_summary(out, form, parse_ws_message(text, opt), detail::ws_summary);
  }
  return errc::invalid_argument;
}

}  // namespace jobwire
