// jobwire delivery --secret S --kind video --job-id ID --internal-id ID --phase P
//                  [--progress N] [--attempt N] [--now N] --data JSON   (docs/CLI.md)
//
// Prints one outgoing delivery attempt exactly as a sender transmits it (PROTOCOL.md §9,
// §10). Every decision — event type, delivery key and bucket, event id, envelope, headers,
// signature, whether the phase is subscribed — comes from jobwire/sender.hpp.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <jobwire/events.hpp>
#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/retry.hpp>
#include <jobwire/sender.hpp>
#include <jobwire/standard_webhooks.hpp>
#include <jobwire/subscription.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

// Range-checked narrowing for attempt numbers: out-of-range values become 0, which the
// library reports as invalid_attempt.
unsigned attempt_number(std::int64_t v) { return v >= 0 && v <= 1000 ? static_cast<unsigned>(v) : 0u; }

int run(invocation& inv) {
  const std::string secret = inv.required("--secret");
  const std::string kind_text = inv.required("--kind");
  const std::string job_id = inv.required("--job-id");
  const std::string internal_id = inv.required("--internal-id");
  const std::string phase_text = inv.required("--phase");
  const std::string data = inv.required("--data");
  const std::int64_t now = inv.now();

  const jobwire::profile* prof = inv.profile_option(true);
  if (prof == nullptr) prof = &jobwire::profiles::ai_stats;
  // Standard Webhooks (PROTOCOL.md §17): the job's delivery body as the service profiles
  // build it, carried with the webhook-* headers and signed the §17 way.
  const jobwire::profile* webhooks = nullptr;
  if (prof->scheme == jobwire::signature_scheme::webhooks) {
    webhooks = prof;
    prof = &jobwire::profiles::ai_stats;
  } else if (inv.has("--id")) {
    inv.usage_error("--id applies to --profile standard|openai");
  }
  jobwire::webhook_signer signer;
  if (webhooks != nullptr)
    if (auto st = signer.add_secret(secret, *webhooks); !st) return inv.reject(st.error());
  jobwire::retry_policy policy;
  if (auto m = inv.int_option("--max-attempts")) policy.max_attempts = attempt_number(*m);

  auto kind = jobwire::parse_kind(kind_text);
  if (!kind) return inv.reject(kind.error(), "--kind " + kind_text);
  auto phase = jobwire::parse_phase(phase_text);
  if (!phase) return inv.reject(phase.error(), "--phase " + phase_text);

  // The progress value is read as a JSON number by the library's reader; "NaN" is accepted
  // as the value a producer computing 0/0 would report, and yields no bucket (§11).
  double progress = std::numeric_limits<double>::quiet_NaN();
  std::string progress_text;
  if (auto p = inv.raw("--progress")) {
    progress_text = *p;
    if (progress_text != "NaN" && progress_text != "nan") {
      auto v = jobwire::json::parse(progress_text);
      if (!v || !v->is_number()) return inv.reject(jobwire::errc::invalid_progress, "--progress " + progress_text);
      auto d = v->get_double();
      if (!d) return inv.reject(jobwire::errc::invalid_progress, "--progress " + progress_text);
      progress = *d;
    }
  }

  auto sender = jobwire::delivery_sender::create(secret, *prof, policy);
  if (!sender) return inv.reject(sender.error());

  jobwire::delivery_event ev;
  ev.kind = *kind;
  ev.job_id = job_id;
  ev.internal_id = internal_id;
  ev.phase = *phase;
  ev.progress = progress;
  ev.data = data;
  // §16.1: the raw statuses of a status_changed transition.
  const std::optional<std::string> previous_status = inv.raw("--previous-status");
  const std::optional<std::string> status = inv.raw("--status");
  if ((previous_status || status) && ev.phase != jobwire::phase::status_changed)
    inv.usage_error("--previous-status and --status apply to --phase status_changed only");
  if (ev.phase == jobwire::phase::status_changed && prof->has_phase(ev.phase) && !status)
    inv.usage_error("--phase status_changed needs --status (and, when known, --previous-status)");
  if (previous_status) ev.previous_status = *previous_status;
  if (status) ev.status = *status;
  ev.created_at = now;
  if (auto c = inv.int_option("--created-at")) ev.created_at = *c;

  // Optional subscription check (§7): the `events` list of the webhook object.
  if (auto events_text = inv.value_if("--events")) {
    auto doc = jobwire::json::parse(*events_text);
    if (!doc) return inv.reject(doc.error(), "--events");
    jobwire::events_options eo;
    eo.kind = *kind;
    eo.prof = prof;
    auto list = jobwire::normalise_events(*doc, eo);
    if (!list) return inv.reject(list.error(), "--events");
    auto key = sender->check_subscribed(*list, ev);
    if (!key) return inv.reject(key.error());
  }

  const unsigned attempt = attempt_number(inv.int_option("--attempt").value_or(1));
  auto d = sender->build(ev, now, attempt);
  if (!d) {
    if (d.code() == jobwire::errc::no_progress_event)
      return inv.reject(d.error(), "--progress " + (progress_text.empty() ? std::string("missing") : progress_text));
    if (d.code() == jobwire::errc::invalid_delivery_key && ev.phase == jobwire::phase::status_changed)
      return inv.reject(d.error(), "a status must be at most 21 of [a-z0-9_.-] after lower-casing");
    return inv.reject(d.error());
  }

  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : d->headers()) headers.emplace_back(std::string(h.first), std::string(h.second));
  if (webhooks != nullptr) {
    // The message id stays the same on every retry of the message (§17: the receiver's
    // idempotency key): --id, or the event id, which the attempt number does not change.
    const std::string id = inv.value_if("--id").value_or(std::string(d->event_id()));
    auto h = jobwire::build_webhook_headers(signer, id, now, d->body());
    if (!h) return inv.reject(h.error());
    headers = {{"content-type", "application/json"},
               {"webhook-id", h->id},
               {"webhook-timestamp", h->timestamp},
               {"webhook-signature", h->signature}};
  }

  if (inv.json()) {
    std::string members;
    jobwire::json::writer w(members);
    w.begin_object()
        .field("event_id", d->event_id())
        .field("event_type", jobwire::format_event_type(d->type()))
        .field("delivery_key", d->delivery_key_text())
        .field("attempt", d->attempt())
        .field("max_attempts", d->max_attempts())
        .field("signed", d->is_signed());
    w.key("headers").begin_object();
    for (const auto& h : headers) w.field(h.first, h.second);
    w.end_object();
    w.field("body", d->body()).end_object();
    return inv.accept({}, std::string_view(members).substr(1, members.size() - 2));
  }
  // Text: the request as transmitted. The body is written byte for byte with nothing
  // after it (no newline), so that `sed '1,/^$/d'` recovers exactly the signed bytes.
  std::string out;
  for (const auto& h : headers) {
    out += h.first;
    out += ": ";
    out += h.second;
    out += '\n';
  }
  out += '\n';
  out += d->body();
  inv.out() << out;
  return exit_ok;
}

const registrar reg{command_spec{
    "delivery",
    "print one outgoing webhook delivery attempt: headers, an empty line, the body",
    "jobwire delivery --secret S --kind video --job-id ID --internal-id ID --phase P [--progress N] "
    "[--previous-status S --status S] [--attempt N] [--now N] --data JSON [--created-at N] "
    "[--max-attempts N] [--events JSON] [--profile ai-stats|phaseo|standard|openai] [--id MSG_ID]",
    "Builds attempt N of the delivery of phase P of a job (PROTOCOL.md sections 9-12) and prints\n"
    "it as a sender transmits it: one 'name: value' line per header, an empty line, then the\n"
    "body with nothing after it. The event type is always <kind>.<phase>; the delivery key adds\n"
    "the progress bucket for progress events; the event id is evt_<kind>_<internal id>_<key>,\n"
    "sanitised and cut to 160 characters. With a non-empty secret the timestamp header is --now\n"
    "and the signature is HMAC-SHA256 of 'timestamp.body'; an empty secret ('') makes an\n"
    "unsigned delivery, which the phaseo profile refuses (secret_required). --data is the\n"
    "job's data object as JSON, inserted byte for byte ('id' is prepended when missing and\n"
    "must equal --job-id when present). --events checks the phase against a subscription's\n"
    "events list first (phase_not_subscribed).\n"
    "Exit 1 with no_progress_event when P is progress and the value makes no bucket.\n"
    "--phase status_changed (--profile phaseo, PROTOCOL.md 16.1) takes the raw statuses of the\n"
    "transition: the key is <kind>.status_changed:<prev>:<cur> (lower-cased, 'unknown' for an\n"
    "absent previous status) and the body gets 'status_change'. Under phaseo, video\n"
    "data.progress is set by rule: the bucket in progress deliveries, else 0 (100 when the\n"
    "job is completed).\n"
    "--profile standard|openai (PROTOCOL.md 17): the same body with the webhook-id (--id, or\n"
    "the event id), webhook-timestamp and webhook-signature (v1) headers; the secret is a\n"
    "whsec_ key (without the prefix: base64 under standard, raw bytes under openai).",
    {{"--secret", "S", "the webhook secret; '' for an unsigned delivery (never printed)", false},
     {"--kind", "video|batch", "the job kind", false},
     {"--job-id", "ID", "the gateway job id (data.id)", false},
     {"--internal-id", "ID", "the sender's internal job id (part of the event id)", false},
     {"--phase", "P", "created|progress|completed|failed|cancelled|expired (phaseo: status_changed)", false},
     {"--progress", "N", "progress percentage, for --phase progress", false},
     {"--previous-status", "S", "status_changed: the raw status before the change (default: unknown)", false},
     {"--status", "S", "status_changed: the raw status after the change", false},
     {"--attempt", "N", "1-based attempt number (default 1)", false},
     {"--now", "UNIX_SECONDS", "the attempt's timestamp (default: the system clock)", false},
     {"--created-at", "UNIX_SECONDS", "the event's created_at (default: --now)", false},
     {"--max-attempts", "N", "policy: attempts per delivery (default 4)", false},
     {"--data", "JSON", "the data object (job payload) as JSON text", false},
     {"--events", "JSON", "the subscription's events list; the phase must be subscribed", false},
     {"--profile", "ai-stats|phaseo|standard|openai", "header prefix, user agent and secret policy (default ai-stats)",
      false},
     {"--id", "MSG_ID", "standard, openai: the webhook-id (default: the event id)", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
