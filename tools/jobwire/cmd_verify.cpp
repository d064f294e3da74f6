// jobwire verify --secret S [--secret S2 ...] [--public-key whpk_...] --body B --header 'Name: value' ...
//                [--now N] [--tolerance SECONDS|none] [--sdk-compat] [--authenticate-only]
//                [--profile P]
// (docs/CLI.md, PROTOCOL.md §9, §10, §17). Every decision is made by jobwire::verify_delivery,
// the call the receiver makes, so `valid` means the receiver would accept the delivery;
// --authenticate-only runs jobwire::authenticate_delivery alone, for bodies that are not
// delivery envelopes.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <jobwire/events.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/verify.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

// --key-format: how a Standard Webhooks secret without the whsec_ prefix is read (§17).
jobwire::key_format key_format_option(invocation& inv) {
  const std::optional<std::string> f = inv.raw("--key-format");
  if (!f || *f == "profile") return jobwire::key_format::by_profile;
  if (*f == "base64") return jobwire::key_format::base64;
  if (*f == "raw") return jobwire::key_format::raw;
  inv.usage_error("--key-format must be profile, base64 or raw");
}

// verification_detail, plus for a signature_mismatch under a service profile whose secret
// is shaped like a Standard Webhooks key (§17): the likely mistake, said as such.
std::string mismatch_detail(jobwire::errc code, const jobwire::profile* configured,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::vector<std::string>& secrets) {
  std::string detail = verification_detail(code, configured, headers);
  if (code != jobwire::errc::signature_mismatch) return detail;
  const jobwire::profile* used = configured;
  if (used == nullptr) {
    auto detected = jobwire::detect_profile(headers);
    used = detected && *detected != nullptr ? *detected : &jobwire::profiles::ai_stats;
  }
  if (used->scheme != jobwire::signature_scheme::service_hex) return detail;
  for (const std::string& s : secrets)
    if (jobwire::looks_like_webhook_secret(s))
      return "a secret is shaped like a Standard Webhooks key (whsec_<base64>), used here as raw bytes (profile " +
             std::string(used->name) + "); a Standard Webhooks sender writes webhook-* headers: try --profile standard";
  return detail;
}

int run(invocation& inv) {
  if (!inv.has("--secret") && !inv.has("--public-key")) inv.usage_error("missing required option --secret");
  const std::vector<std::string> secrets = inv.values("--secret");
  const std::vector<std::string> public_keys = inv.values("--public-key");
  int bad_request = 0;
  std::optional<delivery_input> in = read_delivery(inv, true, bad_request);
  if (!in) return bad_request;
  const std::string& body = in->body;
  const std::vector<std::pair<std::string, std::string>>& headers = in->headers;

  jobwire::verify_options opts;
  opts.prof = inv.receiving_profile_option(true);  // nullptr: auto (PROTOCOL.md §15)
  if (auto t = inv.raw("--tolerance")) {
    if (*t == "none") opts.tolerance_seconds = jobwire::tolerance_none;
    else if (auto n = inv.int_option("--tolerance"); n && *n >= 0) opts.tolerance_seconds = *n;
    else inv.usage_error("--tolerance must be a number of seconds or 'none'");
  }
  if (inv.has("--sdk-compat")) opts.leniency |= jobwire::lenient::sdk_timestamps;

  // Keys are prepared for the schemes the profile can use: both under auto (§15: a secret
  // valid for no scheme is the only configuration error), one when --profile names it, so
  // a key the named profile cannot use is refused here, before any request is read.
  jobwire::key_options key_opts;
  key_opts.prefixless = key_format_option(inv);
  if (opts.prof != nullptr) {
    key_opts.service_scheme = opts.prof->scheme == jobwire::signature_scheme::service_hex;
    key_opts.webhooks_scheme = !key_opts.service_scheme;
    // The named profile's rule for secrets without whsec_ (§17), so that one it cannot
    // read fails here as a configuration error.
    if (key_opts.webhooks_scheme && key_opts.prefixless == jobwire::key_format::by_profile)
      key_opts.prefixless =
          opts.prof->prefixless_key_is_base64 ? jobwire::key_format::base64 : jobwire::key_format::raw;
  }
  std::vector<std::string_view> secret_views(secrets.begin(), secrets.end());
  std::vector<std::string_view> public_views(public_keys.begin(), public_keys.end());
  auto v = jobwire::verifier::create(secret_views.data(), secret_views.size(), public_views.data(), public_views.size(),
                                     key_opts);
  if (!v) return inv.reject(v.error(), verification_detail(v.code(), opts.prof, headers));

  // The secret and the signature are never printed; only which secret matched.
  std::string s;
  jobwire::json::writer w(s);
  auto authenticated = [&](const jobwire::authenticated_delivery& a) {
    w.begin_object();
    w.field("valid", true).field("profile", a.prof->name).field("signature_checked", a.signature_checked);
    if (a.signature_checked) {
      w.field("matched_secret", static_cast<std::uint64_t>(a.matched_secret))
          .field("timestamp", a.timestamp.seconds())
          .field("timestamp_text", a.timestamp_text);
    }
  };
  // Standard Webhooks (§17): the body is any bytes; its JSON fields are reported when it
  // has the recommended shape or OpenAI's.
  auto webhook_fields = [&](const jobwire::authenticated_delivery& a) {
    w.field("message_id", a.message_id);
    auto view = jobwire::parse_webhook_event(a.body.bytes());
    if (!view) return;
    if (!view->type.empty()) w.field("event_type", view->type);
    if (!view->data_id.empty()) w.field("data_id", view->data_id);
  };
  if (inv.has("--authenticate-only")) {
    auto r = jobwire::authenticate_delivery(body, headers, *v, inv.now(), opts);
    if (!r) return inv.reject(r.error(), mismatch_detail(r.code(), opts.prof, headers, secrets));
    authenticated(*r);
    if (r->prof->scheme == jobwire::signature_scheme::webhooks) webhook_fields(*r);
    const jobwire::delivery_headers& h = r->headers;
    if (h.event_id) w.field("event_id", *h.event_id);
    if (h.type) w.field("event_type", jobwire::format_event_type(*h.type));
    if (h.key) w.field("delivery_key", jobwire::format_delivery_key(*h.key));
    if (h.attempt) w.field("attempt", *h.attempt);
    if (h.max_attempts) w.field("max_attempts", *h.max_attempts);
  } else {
    auto r = jobwire::verify_delivery(body, headers, *v, inv.now(), opts);
    if (!r) return inv.reject(r.error(), mismatch_detail(r.code(), opts.prof, headers, secrets));
    authenticated(*r);
    if (r->prof->scheme == jobwire::signature_scheme::webhooks) {
      webhook_fields(*r);
      w.end_object();
      return inv.accept("valid", std::string_view(s).substr(1, s.size() - 2));
    }
    // The identity as the (authenticated) body states it; the headers present agreed.
    const jobwire::envelope_view& e = r->envelope;
    w.field("event_id", e.id).field("event_type", e.type_text);
    if (e.delivery.present) {
      w.field("delivery_key", e.delivery.key_text)
          .field("attempt", e.delivery.attempt)
          .field("max_attempts", e.delivery.max_attempts);
    }
    w.field("job_id", e.data.id.str());
  }
  w.end_object();
  return inv.accept("valid", std::string_view(s).substr(1, s.size() - 2));
}

const registrar reg{command_spec{
    "verify",
    "verify one signed delivery: signature, freshness, header/body agreement",
    "jobwire verify --secret S [--secret S2 ...] [--public-key whpk_... ...] (--body B --header 'Name: value' ... | "
    "--request @FILE) [--now N] [--tolerance SECONDS|none] [--sdk-compat] [--authenticate-only] "
    "[--profile auto|ai-stats|phaseo|standard|openai] [--key-format profile|base64|raw]",
    "Verifies one delivery exactly as the receiver does: the timestamp and signature\n"
    "headers, the HMAC-SHA256 of 'timestamp.body' under each secret (rotation; the matching\n"
    "index is reported with --json), the freshness window, the metadata headers, then the\n"
    "delivery envelope (read as the receiver reads it) and that the headers present agree\n"
    "with it: 'valid' means `jobwire receive` would not refuse the delivery. With\n"
    "--authenticate-only the body is not read (for bodies that are not delivery\n"
    "envelopes). Prints 'valid' on success; on rejection the first line is the reason\n"
    "code. Secrets are never printed. The profile is detected from the header family\n"
    "present unless --profile names one (--json prints the one used); headers of two\n"
    "profiles in one request are ambiguous_header.\n"
    "Standard Webhooks deliveries (webhook-* or svix-* headers; --profile standard or\n"
    "openai) carry a signature list over 'id.timestamp.body': v1 entries are checked\n"
    "with the secrets (whsec_<base64>; without the prefix base64 under standard, raw\n"
    "bytes under openai, or as --key-format says), v1a entries with the --public-key\n"
    "whpk_ keys (Ed25519). Their body is any bytes; --json adds message_id.",
    {{"--secret", "S", "a webhook secret; repeat for rotation (tried in order)", true},
     {"--public-key", "whpk_...", "a Standard Webhooks Ed25519 public key (v1a); repeatable", true},
     {"--key-format", "profile|base64|raw", "how a Standard Webhooks secret without whsec_ is read (default: profile)",
      false},
     {"--body", "B", "the raw request body (@FILE reads it byte for byte)", false},
     {"--header", "'Name: value'", "a request header (names are case-insensitive)", true},
     {"--request", "@FILE", "the whole raw HTTP request (as 'jobwire delivery' prints it) instead of --header/--body",
      false},
     {"--now", "UNIX_SECONDS", "the current time (default: the system clock)", false},
     {"--tolerance", "SECONDS|none", "freshness window (default 300); none skips the check", false},
     {"--sdk-compat", "", "also accept the SDKs' millisecond and ISO-8601 timestamps", false},
     {"--authenticate-only", "", "signature, freshness and headers only; the body is not read", false},
     {"--profile", "auto|ai-stats|phaseo|standard|openai",
      "header names, phases and secret policy; auto (default) detects them from the headers", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
