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

inline void summary_text(json::writer& w, std::string_view key, const text_field& f) {
  w.key(key);
  if (f.present) w.string(f.value.to_string());
  else w.null();
}

inline void summary_time(json::writer& w, std::string_view key, const time_field& t) {
  w.key(key);
  if (t.kind == time_field::form::number) w.number(t.seconds);
  else if (t.kind == time_field::form::string) w.string(t.text.to_string());
  else w.null();
}

inline void summary_error(json::writer& w, const error_field& e) {
  w.key("error");
  if (e.present() && e.has_message) w.string(e.message.to_string());
  else if (e.present()) w.string("");
  else w.null();
}

inline void summary_job(json::writer& w, const job_data& d) {
  w.field("job_id", d.id.str());
  const bool known = d.has_status || d.has_lifecycle_status;
  w.key("status");
  if (known) w.string(job_status_name(d.status));
  else w.null();
  w.key("lifecycle_status");
  if (known) w.string(lifecycle_status_name(d.lifecycle));
  else w.null();
  w.field("terminal", known && d.is_terminal());
  w.key("progress");
  if (d.progress.present) w.number(d.progress.value);
  else w.null();
  w.key("native_id");
  if (d.has_native_id) w.string(d.native_id.str());
  else w.null();
  summary_error(w, d.error);
  w.key("webhook");
  if (!d.webhook.present) {
    w.null();
    return;
  }
  const auto& wh = d.webhook;
  w.begin_object().field("has_secret", wh.has_secret).field("events", static_cast<std::uint64_t>(wh.events.size()));
  w.key("delivery");
  if (wh.delivery.present) {
    w.begin_object();
    auto opt_int = [&](std::string_view k, const integer_field& f) {
      w.key(k);
      if (f.present) w.number(f.value);
      else w.null();
    };
    opt_int("total_attempts", wh.delivery.total_attempts);
    opt_int("delivered_events", wh.delivery.delivered_events);
    opt_int("pending_retries", wh.delivery.pending_retries);
    w.key("last_attempt_status");
    if (wh.delivery.has_last_attempt_status) w.string(attempt_status_name(wh.delivery.last_attempt_status));
    else w.null();
    opt_int("last_response_status", wh.delivery.last_response_status);
    w.end_object();
  } else {
    w.null();
  }
  w.key("attempts").begin_array();
  for (webhook_attempt a : wh.attempts) {
    w.begin_object();
    summary_text(w, "delivery_key", a.delivery_key);
    w.key("status");
    if (a.has_status) w.string(attempt_status_name(a.status));
    else w.null();
    w.key("response_status");
    if (a.response_status.present) w.number(a.response_status.value);
    else w.null();
    w.end_object();
  }
  w.end_array().end_object();
}

}  // namespace detail

/// Validates `text` as a payload of the given form and appends its summary to `out` (one
/// JSON object). On error nothing is appended and the payload parser's error (with its
/// byte offset) is returned.
inline void_result append_payload_summary(std::string& out, payload_form form, std::string_view text,
                                          const payload_options& opt = {}) {
  std::string s;
  json::writer w(s);
  switch (form) {
    case payload_form::create_response: {
      auto c = parse_create_response(text, opt);
      if (!c) return c.error();
      w.begin_object().field("kind", "create").field("id", c->id.str());
      w.field("id_key", c->id_from_video_id ? "video_id" : "id");
      w.key("status");
      if (c->has_status) w.string(create_status_name(c->status));
      else w.null();
      w.key("lifecycle_status");
      if (c->has_status) w.string(lifecycle_status_name(c->lifecycle()));
      else w.null();
      detail::summary_text(w, "polling_url", c->polling_url);
      w.end_object();
      break;
    }
    case payload_form::status_object: {
      auto st = parse_status_object(text, opt);
      if (!st) return st.error();
      w.begin_object().field("kind", "status").field("id", st->id.str());
      w.field("status", job_status_name(st->status));
      w.field("lifecycle_status", lifecycle_status_name(st->lifecycle));
      w.field("terminal", st->is_terminal());
      w.field("progress", st->effective_progress());
      w.field("output_access", output_access_name(st->access));
      w.key("poll_after_seconds");
      if (st->poll_after_seconds.present) w.number(st->poll_after_seconds.value);
      else w.null();
      detail::summary_text(w, "cancel_url", st->cancel_url);
      w.key("native_video_id");
      if (st->has_native_video_id) w.string(st->native_video_id.str());
      else w.null();
      detail::summary_time(w, "created_at", st->created_at);
      w.field("outputs", static_cast<std::uint64_t>(st->outputs.size()));
      detail::summary_error(w, st->error);
      w.end_object();
      break;
    }
    case payload_form::delivery: {
      auto e = parse_envelope(text, opt);
      if (!e) return e.error();
      w.begin_object().field("kind", "webhook").field("event_id", e->id).field("type", e->type_text);
      w.key("created_at");
      if (e->created_at.present) w.number(e->created_at.value);
      else w.null();
      w.key("delivery_key");
      if (e->delivery.present) w.string(e->delivery.key_text);
      else w.null();
      w.key("attempt");
      if (e->delivery.present) w.number(e->delivery.attempt);
      else w.null();
      w.key("max_attempts");
      if (e->delivery.present) w.number(e->delivery.max_attempts);
      else w.null();
      detail::summary_job(w, e->data);
      if (e->status_change.present) {
        // §16.1: the raw statuses as sent, and the lifecycle state the receiver reads.
        w.key("status_change").begin_object();
        detail::summary_text(w, "previous_status", e->status_change.previous_status);
        w.key("status");
        w.string(e->status_change.status.to_string());
        w.field("lifecycle_status", lifecycle_status_name(e->status_change.lifecycle));
        w.field("queue_retry_form", e->status_change.queue_retry_form);
        w.end_object();
      }
      w.end_object();
      break;
    }
    case payload_form::ws_message: {
      auto m = parse_ws_message(text, opt);
      if (!m) return m.error();
      w.begin_object().field("kind", "ws").field("type", ws_message_type_name(m->type));
      if (m->has_data) detail::summary_job(w, m->data);
      w.end_object();
      break;
    }
  }
  out += s;
  return {};
}

}  // namespace jobwire
