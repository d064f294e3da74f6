// jobwire verify --secret S [--secret S2 ...] --body B --header 'Name: value' ...
//                [--now N] [--tolerance SECONDS|none] [--sdk-compat] [--authenticate-only]
//                [--profile P]
// (docs/CLI.md, PROTOCOL.md §9, §10). Every decision is made by jobwire::verify_delivery,
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

int run(invocation& inv) {
  if (!inv.has("--secret")) inv.usage_error("missing required option --secret");
  const std::vector<std::string> secrets = inv.values("--secret");
  int bad_request = 0;
  std::optional<delivery_input> in = read_delivery(inv, true, bad_request);
  if (!in) return bad_request;
  const std::string& body = in->body;
  const std::vector<std::pair<std::string, std::string>>& headers = in->headers;

  jobwire::verify_options opts;
  opts.prof = inv.receiving_profile_option();  // nullptr: auto (PROTOCOL.md §15)
  if (auto t = inv.raw("--tolerance")) {
    if (*t == "none")
      opts.tolerance_seconds = jobwire::tolerance_none;
    else if (auto n = inv.int_option("--tolerance"); n && *n >= 0)
      opts.tolerance_seconds = *n;
    else
      inv.usage_error("--tolerance must be a number of seconds or 'none'");
  }
  if (inv.has("--sdk-compat")) opts.leniency |= jobwire::lenient::sdk_timestamps;

  auto v = jobwire::verifier::create(secrets);
  if (!v) return inv.reject(v.error());

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
  if (inv.has("--authenticate-only")) {
    auto r = jobwire::authenticate_delivery(body, headers, *v, inv.now(), opts);
    if (!r) return inv.reject(r.error(), verification_detail(r.code(), opts.prof, headers));
    authenticated(*r);
    const jobwire::delivery_headers& h = r->headers;
    if (h.event_id) w.field("event_id", *h.event_id);
    if (h.type) w.field("event_type", jobwire::format_event_type(*h.type));
    if (h.key) w.field("delivery_key", jobwire::format_delivery_key(*h.key));
    if (h.attempt) w.field("attempt", *h.attempt);
    if (h.max_attempts) w.field("max_attempts", *h.max_attempts);
  } else {
    auto r = jobwire::verify_delivery(body, headers, *v, inv.now(), opts);
    if (!r) return inv.reject(r.error(), verification_detail(r.code(), opts.prof, headers));
    authenticated(*r);
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
    "jobwire verify --secret S [--secret S2 ...] (--body B --header 'Name: value' ... | --request @FILE) [--now N] "
    "[--tolerance SECONDS|none] [--sdk-compat] [--authenticate-only] [--profile auto|ai-stats|phaseo]",
    "Verifies one delivery exactly as the receiver does: the timestamp and signature\n"
    "headers, the HMAC-SHA256 of 'timestamp.body' under each secret (rotation; the matching\n"
    "index is reported with --json), the freshness window, the metadata headers, then the\n"
    "delivery envelope (read as the receiver reads it) and that the headers present agree\n"
    "with it: 'valid' means `jobwire receive` would not refuse the delivery. With\n"
    "--authenticate-only the body is not read (for bodies that are not delivery\n"
    "envelopes). Prints 'valid' on success; on rejection the first line is the reason\n"
    "code. Secrets are never printed. The profile is detected from the header family\n"
    "present unless --profile names one (--json prints the one used); headers of two\n"
    "profiles in one request are ambiguous_header.",
    {{"--secret", "S", "a webhook secret; repeat for rotation (tried in order)", true},
     {"--body", "B", "the raw request body (@FILE reads it byte for byte)", false},
     {"--header", "'Name: value'", "a request header (names are case-insensitive)", true},
     {"--request", "@FILE", "the whole raw HTTP request (as 'jobwire delivery' prints it) instead of --header/--body", false},
     {"--now", "UNIX_SECONDS", "the current time (default: the system clock)", false},
     {"--tolerance", "SECONDS|none", "freshness window (default 300); none skips the check", false},
     {"--sdk-compat", "", "also accept the SDKs' millisecond and ISO-8601 timestamps", false},
     {"--authenticate-only", "", "signature, freshness and headers only; the body is not read", false},
     {"--profile", "auto|ai-stats|phaseo",
      "header names, phases and secret policy; auto (default) detects them from the headers", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
