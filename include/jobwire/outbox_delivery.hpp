// jobwire — one outbox row as a delivery: the payload the row carries, the request each
// attempt sends, and the verdict on the attempt's outcome (PROTOCOL.md §12, §16.5, §16.7,
// §17 "Sending").
//
// The outbox store (outbox.hpp) keeps an opaque payload per row. This header gives it its
// one format, so that any host enqueues rows any worker can send:
//
//   {"v":1,"profile":"phaseo","kind":"video","job_id":"G-1","internal_id":"gen_1",
//    "phase":"progress","progress":47,"previous_status":"queued","status":"in_progress",
//    "created_at":1781166600,"data":{...},"secret":"whsec_...","local_callbacks":false}
//
// `v` (1), `profile`, `kind`, `job_id`, `internal_id`, `phase`, `created_at`, `data` and
// `secret` are required; `progress` only for progress events, `previous_status`/`status`
// only for `status_changed` (§16.1), `local_callbacks` (the `--dev` leniency of the URL
// policy, callback_url.hpp) is optional. `data` is the job's data object, kept byte for
// byte: the signed body carries exactly these bytes on every attempt. An unknown member is
// refused (a payload written by a newer writer must not be half-understood).
//
// The secret is in the row. That is how the service keeps its endpoint configs (its
// database holds each endpoint's signing secret, §16.3): whoever can read the outbox can
// sign deliveries, so the outbox database is guarded as the secrets are (docs/SECURITY.md).
//
// Nothing here performs I/O or reads a clock: the worker passes the time, sends the
// request itself and hands the outcome to `outbox_verdict`.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callback_url.hpp"
#include "error.hpp"
#include "events.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "leniency.hpp"
#include "outbox.hpp"
#include "outbox_retry.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "retry.hpp"
#include "sender.hpp"
#include "standard_webhooks.hpp"
#include "unix_time.hpp"

namespace jobwire {

/// The payload format's version (the `v` member).
constexpr std::int64_t outbox_payload_version = 1;

/// One delivery as an outbox row carries it: everything needed to rebuild every attempt.
struct outbox_message {
  const profile* prof = &profiles::ai_stats;
  jobwire::kind kind = kind::video;
  std::string job_id;
  std::string internal_id;
  jobwire::phase phase = phase::completed;
  double progress = std::numeric_limits<double>::quiet_NaN();  ///< progress events only
  std::optional<std::string> previous_status;                  ///< status_changed only
  std::string status;                                          ///< status_changed only
  std::string data;                                            ///< the data object's JSON text
  std::int64_t created_at = 0;                                 ///< the event's time (Unix s), kept across retries
  std::string secret;
  bool local_callbacks = false;  ///< `lenient::local_callback_urls` for the send-time URL check

  /// The event as the delivery builder takes it; views into this message.
  delivery_event event() const {
    delivery_event ev;
    ev.kind = kind;
    ev.job_id = job_id;
    ev.internal_id = internal_id;
    ev.phase = phase;
    ev.progress = progress;
    if (previous_status) ev.previous_status = std::string_view(*previous_status);
    ev.status = status;
    ev.data = data;
    ev.created_at = created_at;
    return ev;
  }
};

/// The retry policy a profile's deliveries are built and decided with (the max-attempts
/// header and `delivery.max_attempts` come from it): §12 for the service profiles, §17's
/// etiquette for `standard`/`openai` (retry.hpp, `retry_policy_for`).
inline const retry_policy& outbox_retry_policy(const profile& prof) noexcept { return retry_policy_for(prof); }

/// The URL policy a profile's callback URLs are checked with, at enqueue and before every
/// attempt (§16.4 step 5): the current service's send-time rule for `phaseo`, the seed
/// era's for `ai_stats`, jobwire's strict rule for the Standard Webhooks profiles.
inline callback_url_options outbox_url_options(const profile& prof, bool local_callbacks) noexcept {
  callback_url_options opt;
  opt.policy = prof.name == profiles::phaseo.name     ? url_policy::phaseo
               : prof.name == profiles::ai_stats.name ? url_policy::ai_stats
                                                      : url_policy::strict;
  if (local_callbacks) opt.leniency |= lenient::local_callback_urls;
  return opt;
}

// --- the payload ---------------------------------------------------------------------------------

/// Writes the payload of `m` (the format above) to `out`, replacing its content.
inline void write_outbox_payload(std::string& out, const outbox_message& m) {
  out.clear();
  json::writer w(out);
  w.begin_object()
      .field("v", outbox_payload_version)
      .field("profile", m.prof->name)
      .field("kind", kind_name(m.kind))
      .field("job_id", m.job_id)
      .field("internal_id", m.internal_id)
      .field("phase", phase_name(m.phase));
  if (m.phase == phase::progress) w.field("progress", m.progress);
  if (m.phase == phase::status_changed) {
    if (m.previous_status) w.field("previous_status", *m.previous_status);
    w.field("status", m.status);
  }
  w.field("created_at", m.created_at).key("data").raw(m.data).field("secret", m.secret);
  if (m.local_callbacks) w.field("local_callbacks", true);
  w.end_object();
}

/// Why a payload was refused: the error and the member concerned (empty for the payload as
/// a whole). The member name is static text or a view into the payload.
struct outbox_payload_problem {
  jobwire::error error{errc::ok};
  std::string_view member;
};

/// Reads a payload written by `write_outbox_payload`. Errors (in `problem`, with the member
/// name): the JSON reader's for malformed text, `json_type_mismatch` for a payload that is
/// no object or a member of the wrong type, `invalid_field` for an unknown member, a wrong
/// version or a value outside its domain (a progress that is no finite number, a
/// status_changed member on another phase), `missing_field`, `unknown_kind`,
/// `unknown_phase` (also a phase the profile does not have). The delivery itself is checked
/// when it is built (`build_outbox_request`).
inline result<outbox_message> parse_outbox_payload(std::string_view payload,
                                                   outbox_payload_problem* problem = nullptr) {
  auto fail = [&](errc code, std::string_view member) -> result<outbox_message> {
    if (problem != nullptr) *problem = {jobwire::error(code), member};
    return code;
  };
  auto doc = json::parse(payload);
  if (!doc) {
    if (problem != nullptr) *problem = {doc.error(), {}};
    return doc.error();
  }
  auto obj = doc->get_object();
  if (!obj) return fail(errc::json_type_mismatch, {});
  outbox_message m;
  bool have_v = false, have_profile = false, have_kind = false, have_job = false, have_internal = false;
  bool have_phase = false, have_created = false, have_data = false, have_secret = false, have_progress = false;
  bool have_status = false;
  std::string_view kind_text, phase_text;
  std::string kind_buf, phase_buf, profile_buf;
  for (const json::member& mem : *obj) {
    const json::string& key = mem.key;
    const json::value& v = mem.value;
    auto text = [&](std::string& into) -> bool {
      auto s = v.get_string();
      if (!s) return false;
      into = s->to_string();
      return true;
    };
    if (key == "v") {
      auto n = v.get_int64();
      if (!n) return fail(errc::json_type_mismatch, "v");
      if (*n != outbox_payload_version) return fail(errc::invalid_field, "v");
      have_v = true;
    } else if (key == "profile") {
      if (!text(profile_buf)) return fail(errc::json_type_mismatch, "profile");
      const profile* p = find_profile(profile_buf);
      if (p == nullptr) return fail(errc::invalid_field, "profile");
      m.prof = p;
      have_profile = true;
    } else if (key == "kind") {
      if (!text(kind_buf)) return fail(errc::json_type_mismatch, "kind");
      kind_text = kind_buf;
      have_kind = true;
    } else if (key == "job_id") {
      if (!text(m.job_id)) return fail(errc::json_type_mismatch, "job_id");
      have_job = true;
    } else if (key == "internal_id") {
      if (!text(m.internal_id)) return fail(errc::json_type_mismatch, "internal_id");
      have_internal = true;
    } else if (key == "phase") {
      if (!text(phase_buf)) return fail(errc::json_type_mismatch, "phase");
      phase_text = phase_buf;
      have_phase = true;
    } else if (key == "progress") {
      auto d = v.get_double();
      if (!d) return fail(errc::json_type_mismatch, "progress");
      if (!std::isfinite(*d)) return fail(errc::invalid_field, "progress");
      m.progress = *d;
      have_progress = true;
    } else if (key == "previous_status") {
      std::string s;
      if (!text(s)) return fail(errc::json_type_mismatch, "previous_status");
      m.previous_status = std::move(s);
    } else if (key == "status") {
      if (!text(m.status)) return fail(errc::json_type_mismatch, "status");
      have_status = true;
    } else if (key == "created_at") {
      auto n = v.get_int64();
      if (!n) return fail(errc::json_type_mismatch, "created_at");
      if (!unix_seconds_to_ms(*n)) return fail(errc::invalid_field, "created_at");
      m.created_at = *n;
      have_created = true;
    } else if (key == "data") {
      if (!v.is_object()) return fail(errc::json_type_mismatch, "data");
      m.data = std::string(v.raw());
      have_data = true;
    } else if (key == "secret") {
      if (!text(m.secret)) return fail(errc::json_type_mismatch, "secret");
      have_secret = true;
    } else if (key == "local_callbacks") {
      auto b = v.get_bool();
      if (!b) return fail(errc::json_type_mismatch, "local_callbacks");
      m.local_callbacks = *b;
    } else {
      return fail(errc::invalid_field, key.raw());
    }
  }
  if (!have_v) return fail(errc::missing_field, "v");
  if (!have_profile) return fail(errc::missing_field, "profile");
  if (!have_kind) return fail(errc::missing_field, "kind");
  if (!have_job) return fail(errc::missing_field, "job_id");
  if (!have_internal) return fail(errc::missing_field, "internal_id");
  if (!have_phase) return fail(errc::missing_field, "phase");
  if (!have_created) return fail(errc::missing_field, "created_at");
  if (!have_data) return fail(errc::missing_field, "data");
  if (!have_secret) return fail(errc::missing_field, "secret");
  auto k = parse_kind(kind_text);
  if (!k) return fail(k.code(), "kind");
  m.kind = *k;
  auto p = parse_phase(phase_text);
  if (!p) return fail(p.code(), "phase");
  m.phase = *p;
  // The body is built by the service profiles' builder for every profile (the Standard
  // Webhooks profiles carry the same envelope, §17), so the phase set is theirs.
  const profile& body_prof = m.prof->scheme == signature_scheme::webhooks ? profiles::ai_stats : *m.prof;
  if (!body_prof.has_phase(m.phase)) return fail(errc::unknown_phase, "phase");
  if (m.phase == phase::progress && !have_progress) return fail(errc::missing_field, "progress");
  if (m.phase != phase::progress && have_progress) return fail(errc::invalid_field, "progress");
  if (m.phase == phase::status_changed && !have_status) return fail(errc::missing_field, "status");
  if (m.phase != phase::status_changed && (have_status || m.previous_status))
    return fail(errc::invalid_field, have_status ? "status" : "previous_status");
  return m;
}

// --- the request -------------------------------------------------------------------------------

/// One attempt as the worker transmits it: the headers in order (content-type first), the
/// body, and the identity the row must agree with.
struct outbox_request {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string delivery_key;
  std::string event_id;
  unsigned max_attempts = 0;
};

/// Builds attempt `attempt` of `m` at `now_seconds` (the timestamp header): a fresh
/// timestamp and signature on every attempt, the same event id, key and body otherwise
/// (§12, §16.5). The service profiles send their §9 headers; `standard`/`openai` send the
/// same envelope with `webhook-id` (the event id, the same on every retry),
/// `webhook-timestamp` and a `v1` `webhook-signature` (§17). Errors: those of
/// `delivery_sender::create`/`build` (`secret_required`, `invalid_attempt`, the data
/// checks, ...) and of `webhook_signer::add_secret` (`invalid_key`, ...).
inline result<outbox_request> build_outbox_request(const outbox_message& m, unsigned attempt,
                                                   std::int64_t now_seconds) {
  const profile& prof = *m.prof;
  const bool webhooks = prof.scheme == signature_scheme::webhooks;
  const profile& body_prof = webhooks ? profiles::ai_stats : prof;
  const retry_policy& policy = outbox_retry_policy(prof);
  // The Standard Webhooks profiles always sign; their key is prepared by the signer below,
  // so the body builder gets no secret of its own.
  auto sender = delivery_sender::create(webhooks ? std::string_view() : std::string_view(m.secret), body_prof, policy);
  if (!sender) return sender.error();
  auto d = sender->build(m.event(), now_seconds, attempt);
  if (!d) return d.error();
  outbox_request r;
  r.body = std::string(d->body());
  r.delivery_key = std::string(d->delivery_key_text());
  r.event_id = std::string(d->event_id());
  r.max_attempts = d->max_attempts();
  if (!webhooks) {
    for (const auto& h : d->headers()) r.headers.emplace_back(std::string(h.first), std::string(h.second));
    return r;
  }
  webhook_signer signer;
  if (void_result st = signer.add_secret(m.secret, prof); !st) return st.error();
  auto h = build_webhook_headers(signer, r.event_id, now_seconds, r.body);
  if (!h) return h.error();
  r.headers = {{"content-type", "application/json"},
               {"webhook-id", std::move(h->id)},
               {"webhook-timestamp", std::move(h->timestamp)},
               {"webhook-signature", std::move(h->signature)}};
  return r;
}

/// The delivery key of `m` (what the row's delivery key must be): as the builder computes
/// it (§2, §11, §16.1).
inline result<std::string> outbox_delivery_key(const outbox_message& m) {
  const profile& body_prof = m.prof->scheme == signature_scheme::webhooks ? profiles::ai_stats : *m.prof;
  auto key = delivery_key_for(m.event(), body_prof);
  if (!key) return key.error();
  std::string text;
  append_delivery_key(text, *key);
  return text;
}

// --- the verdict -----------------------------------------------------------------------------------

/// What the worker observed for one attempt.
struct outbox_observation {
  attempt_outcome outcome;
  std::optional<std::string_view> retry_after;  ///< the response's Retry-After, when it had one
  std::int64_t timeout_ms = 0;                  ///< the request timeout that applied (for the error text)
  /// The endpoint's failure streak when the row was leased (outbox_lease); the store applies
  /// the streak itself, this only tells the verdict whether it expects a disable.
  unsigned endpoint_failure_streak = 0;
};

/// The error text of a failed attempt, as the current service words it (§16.5):
/// `Webhook redirects are not allowed` (3xx), `Webhook returned HTTP <n>`,
/// `Webhook request timed out after <ms>ms`; a network error is
/// `Webhook request failed: <detail>`. Empty for a 2xx.
inline std::string outbox_attempt_error(const outbox_observation& o, std::string_view network_detail = {}) {
  const attempt_outcome& a = o.outcome;
  if (a.is_success()) return {};
  if (a.kind == outcome_kind::timeout) return "Webhook request timed out after " + std::to_string(o.timeout_ms) + "ms";
  if (a.kind == outcome_kind::network_error)
    return "Webhook request failed: " + std::string(network_detail.empty() ? "network error" : network_detail);
  if (a.http_status >= 300 && a.http_status <= 399) return "Webhook redirects are not allowed";
  return "Webhook returned HTTP " + std::to_string(a.http_status);
}

/// The verdict on attempt `attempt` of a delivery under `prof`, made at `now`, as the row's
/// record (outbox.hpp): its state, when it is due again, and what it does to the endpoint.
/// `random` (any 64-bit value) drives the schedule's jitter where the profile has one. The
/// record's `error` is left empty: the worker sets it (`outbox_attempt_error`) in a buffer
/// it owns. Errors: those of `decide_delivery`.
///
/// The rules are the profile's (retry.hpp, `decide_delivery`): the service profiles keep
/// §12 exactly (4 attempts, 60/300/900 s, no endpoint ever disabled by the sender);
/// `standard`/`openai` follow §17 — 410 disables the endpoint, 429/502/504 throttle it,
/// Retry-After is honoured, delays are jittered, a long failure streak disables it.
inline result<outbox_record> outbox_verdict(const profile& prof, unsigned attempt, const outbox_observation& o,
                                            unix_time now, std::uint64_t random) noexcept {
  attempt_observation report;
  report.attempt = attempt;
  report.outcome = o.outcome;
  report.tried_at_ms = to_unix_ms(now);
  report.retry_after = o.retry_after;
  report.random = random;
  report.endpoint_failure_streak = o.endpoint_failure_streak;
  auto v = decide_delivery(outbox_retry_policy(prof), report);
  if (!v) return v.error();
  return to_outbox_record(*v);
}

/// A verdict for an attempt that could not be made at all (the payload is unreadable, the
/// delivery cannot be built, the row disagrees with its payload): failed permanently at
/// `now`, no HTTP status, no effect on the endpoint — nothing was sent.
inline outbox_record outbox_unsendable(unix_time now) noexcept {
  outbox_record r;
  r.state = outbox_state::failed_permanently;
  r.tried_at_ms = to_unix_ms(now);
  r.effect = endpoint_effect::none;
  return r;
}

}  // namespace jobwire
