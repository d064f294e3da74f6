// jobwire parse --as json|... JSON   (docs/CLI.md)
#include <string>

#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/profile.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

// Each payload kind the tool can validate. The JSON kind only checks RFC 8259
// well-formedness; payload kinds (create, status, webhook, ws) validate a job payload and
// print a normalised summary.
struct parse_kind {
  const char* name;
  int (*run)(invocation&, const std::string& text);
};

int parse_json(invocation& inv, const std::string& text) {
  // RFC 8259 well-formedness, as CLI.md defines --as json: repeated object names are
  // well-formed (the RFC says SHOULD be unique) unless --reject-duplicate-keys is given.
  // Payload kinds always reject them.
  jobwire::json::options opts;
  opts.allow_duplicate_keys = !inv.has("--reject-duplicate-keys");
  jobwire::status st = jobwire::json::validate(text, opts);
  if (!st) return inv.reject(st.error());
  return inv.accept("valid");
}

// --- payload summaries (documented in docs/PAYLOADS.md, "CLI summaries") -------------
// The summary is printed as one JSON object; in --json mode its members follow "ok":true.

// `key`: `value` when `present`, otherwise null (the summaries print every member).
template <class Number>
void number_or_null(jobwire::json::writer& w, std::string_view key, bool present, Number value) {
  w.key(key);
  if (present) w.number(value);
  else w.null();
}

void string_or_null(jobwire::json::writer& w, std::string_view key, bool present, std::string_view value) {
  w.key(key);
  if (present) w.string(value);
  else w.null();
}

void text_or_null(jobwire::json::writer& w, std::string_view key, const jobwire::text_field& f) {
  w.key(key);
  if (f.present) w.string(f.value.to_string());
  else w.null();
}

void time_or_null(jobwire::json::writer& w, std::string_view key, const jobwire::time_field& t) {
  w.key(key);
  if (t.kind == jobwire::time_field::form::number) w.number(t.seconds);
  else if (t.kind == jobwire::time_field::form::string) w.string(t.text.to_string());
  else w.null();
}

void error_or_null(jobwire::json::writer& w, const jobwire::error_field& e) {
  w.key("error");
  if (e.present() && e.has_message) w.string(e.message.to_string());
  else if (e.present()) w.string("");
  else w.null();
}

// Prints `summary` (a JSON object text) as the accepted line, or its members after "ok".
int print_summary(invocation& inv, const std::string& summary) {
  std::string members = summary.substr(1, summary.size() - 2);
  return inv.accept(summary, members);
}

void job_fields(jobwire::json::writer& w, const jobwire::job_data& d) {
  w.field("job_id", d.id.str());
  string_or_null(w, "status", d.has_status || d.has_lifecycle_status, jobwire::job_status_name(d.status));
  string_or_null(w, "lifecycle_status", d.has_status || d.has_lifecycle_status, jobwire::lifecycle_status_name(d.lifecycle));
  w.field("terminal", (d.has_status || d.has_lifecycle_status) && d.is_terminal());
  number_or_null(w, "progress", d.progress.present, d.progress.value);
  string_or_null(w, "native_id", d.has_native_id, d.native_id.str());
  error_or_null(w, d.error);
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
    auto opt_int = [&](std::string_view k, const jobwire::integer_field& f) {
      number_or_null(w, k, f.present, f.value);
    };
    opt_int("total_attempts", wh.delivery.total_attempts);
    opt_int("delivered_events", wh.delivery.delivered_events);
    opt_int("pending_retries", wh.delivery.pending_retries);
    string_or_null(w, "last_attempt_status", wh.delivery.has_last_attempt_status, jobwire::attempt_status_name(wh.delivery.last_attempt_status));
    opt_int("last_response_status", wh.delivery.last_response_status);
    w.end_object();
  } else {
    w.null();
  }
  w.key("attempts").begin_array();
  for (jobwire::webhook_attempt a : wh.attempts) {
    w.begin_object();
    text_or_null(w, "delivery_key", a.delivery_key);
    string_or_null(w, "status", a.has_status, jobwire::attempt_status_name(a.status));
    number_or_null(w, "response_status", a.response_status.present, a.response_status.value);
    w.end_object();
  }
  w.end_array().end_object();
}

int parse_create(invocation& inv, const std::string& text) {
  auto c = jobwire::parse_create_response(text, inv.payload_options());
  if (!c) return inv.reject(c.error());
  std::string s;
  jobwire::json::writer w(s);
  w.begin_object().field("kind", "create").field("id", c->id.str());
  w.field("id_key", c->id_from_video_id ? "video_id" : "id");
  string_or_null(w, "status", c->has_status, jobwire::create_status_name(c->status));
  string_or_null(w, "lifecycle_status", c->has_status, jobwire::lifecycle_status_name(c->lifecycle()));
  text_or_null(w, "polling_url", c->polling_url);
  w.end_object();
  return print_summary(inv, s);
}

int parse_status(invocation& inv, const std::string& text) {
  auto st = jobwire::parse_status_object(text, inv.payload_options());
  if (!st) return inv.reject(st.error());
  std::string s;
  jobwire::json::writer w(s);
  w.begin_object().field("kind", "status").field("id", st->id.str());
  w.field("status", jobwire::job_status_name(st->status));
  w.field("lifecycle_status", jobwire::lifecycle_status_name(st->lifecycle));
  w.field("terminal", st->is_terminal());
  w.field("progress", st->effective_progress());
  w.field("output_access", jobwire::output_access_name(st->access));
  number_or_null(w, "poll_after_seconds", st->poll_after_seconds.present, st->poll_after_seconds.value);
  text_or_null(w, "cancel_url", st->cancel_url);
  string_or_null(w, "native_video_id", st->has_native_video_id, st->native_video_id.str());
  time_or_null(w, "created_at", st->created_at);
  w.field("outputs", static_cast<std::uint64_t>(st->outputs.size()));
  error_or_null(w, st->error);
  w.end_object();
  return print_summary(inv, s);
}

int parse_webhook(invocation& inv, const std::string& text) {
  auto e = jobwire::parse_envelope(text, inv.payload_options());
  if (!e) return inv.reject(e.error());
  std::string s;
  jobwire::json::writer w(s);
  w.begin_object().field("kind", "webhook").field("event_id", e->id).field("type", e->type_text);
  number_or_null(w, "created_at", e->created_at.present, e->created_at.value);
  string_or_null(w, "delivery_key", e->delivery.present, e->delivery.key_text);
  number_or_null(w, "attempt", e->delivery.present, e->delivery.attempt);
  number_or_null(w, "max_attempts", e->delivery.present, e->delivery.max_attempts);
  job_fields(w, e->data);
  w.end_object();
  return print_summary(inv, s);
}

int parse_ws(invocation& inv, const std::string& text) {
  auto m = jobwire::parse_ws_message(text, inv.payload_options());
  if (!m) return inv.reject(m.error());
  std::string s;
  jobwire::json::writer w(s);
  w.begin_object().field("kind", "ws").field("type", jobwire::ws_message_type_name(m->type));
  if (m->has_data) job_fields(w, m->data);
  w.end_object();
  return print_summary(inv, s);
}

const parse_kind kinds[] = {
    {"json", parse_json}, {"create", parse_create}, {"status", parse_status},
    {"webhook", parse_webhook}, {"ws", parse_ws},
};

int run(invocation& inv) {
  std::string as = inv.raw("--as").value_or("json");
  const std::string text = inv.resolve(inv.positional().at(0));
  for (const auto& k : kinds)
    if (as == k.name) return k.run(inv, text);
  std::string names;
  for (const auto& k : kinds) names += std::string(names.empty() ? "" : "|") + k.name;
  inv.usage_error("--as must be one of " + names);
}

const registrar reg{command_spec{
    "parse",
    "validate a JSON text or a job payload and print a normalised summary",
    "jobwire parse --as json|create|status|webhook|ws JSON",
    "Validates JSON (a literal, @FILE or @-). --as json checks that the input is exactly\n"
    "one well-formed JSON text (RFC 8259: UTF-8, no trailing content, no extensions) and\n"
    "prints "
    "'valid'; on rejection the first line is the error code with the byte offset.\n"
    "--as create|status|webhook|ws validates a create response, a status object, a\n"
    "webhook delivery body or a websocket message (PROTOCOL.md §4-§6, §10) and prints a\n"
    "normalised summary as one JSON object (fields: docs/PAYLOADS.md).",
    {{"--as", "KIND", "json, create, status, webhook or ws (default json)", false},
     {"--reject-duplicate-keys", "", "with --as json: also reject repeated object names", false},
     {"--lenient", "", "map unknown status words to queued/pending as the service does", false},
     {"--profile", "NAME", "ai-stats (default) or phaseo: the phase set for event types", false}},
    1,
    1,
    "JSON: the text itself, @FILE, or @- for standard input",
    run}};

}  // namespace
}  // namespace jobwire_cli
