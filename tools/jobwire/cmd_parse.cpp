// jobwire parse --as json|... JSON   (docs/CLI.md)
#include <optional>
#include <string>

#include <jobwire/headers.hpp>
#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/payload_summary.hpp>
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
  if (!inv.has("--reject-duplicate-keys")) opts.leniency |= jobwire::lenient::duplicate_keys;
  jobwire::void_result st = jobwire::json::validate(text, opts);
  if (!st) return inv.reject(st.error());
  return inv.accept("valid");
}

// --- payload summaries -------------------------------------------------------------
// The summary (include/jobwire/payload_summary.hpp, fields in docs/PAYLOADS.md) is printed
// as one JSON object; in --json mode its members follow "ok":true.

// Validates `text` as a payload of `form` and prints its summary as the accepted line (or
// its members after "ok"); a refused payload prints the parser's code.
int print_summary(invocation& inv, jobwire::payload_form form, const std::string& text,
                  const jobwire::payload_options& opt) {
  std::string summary;
  jobwire::void_result st = jobwire::append_payload_summary(summary, form, text, opt);
  if (!st) return inv.reject(st.error());
  std::string members = summary.substr(1, summary.size() - 2);
  return inv.accept(summary, members);
}

int parse_create(invocation& inv, const std::string& text) {
  return print_summary(inv, jobwire::payload_form::create_response, text, inv.payload_options());
}
int parse_status(invocation& inv, const std::string& text) {
  return print_summary(inv, jobwire::payload_form::status_object, text, inv.payload_options());
}
int parse_webhook(invocation& inv, const std::string& text) {
  // A received delivery body: `--profile auto` (the default) reads it with the widest phase
  // set, phaseo's — with no headers to detect from, the event type itself says which
  // profile sent it (`status_changed` exists only under phaseo; PROTOCOL.md §15, §16.1).
  jobwire::payload_options opt;
  if (inv.has("--lenient")) opt.leniency |= jobwire::lenient::unknown_status;
  const jobwire::profile* prof = inv.receiving_profile_option(false);
  opt.prof = prof != nullptr ? prof : &jobwire::profiles::phaseo;
  return print_summary(inv, jobwire::payload_form::delivery, text, opt);
}
int parse_ws(invocation& inv, const std::string& text) {
  return print_summary(inv, jobwire::payload_form::ws_message, text, inv.payload_options());
}

const parse_kind kinds[] = {
    {"json", parse_json},       {"create", parse_create}, {"status", parse_status},
    {"webhook", parse_webhook}, {"ws", parse_ws},
};

int run(invocation& inv) {
  std::string as = inv.raw("--as").value_or("json");
  if (inv.has("--request")) {
    // A captured or `jobwire delivery` request (docs/CLI.md): its body is the delivery; its
    // header family, when present, names the profile whose phase set reads it (§15).
    if (as != "webhook") inv.usage_error("--request needs --as webhook");
    if (!inv.positional().empty()) inv.usage_error("--request replaces the JSON argument");
    int bad_request = 0;
    std::optional<delivery_input> in = read_delivery(inv, false, bad_request);
    if (!in) return bad_request;
    jobwire::payload_options opt;
    if (inv.has("--lenient")) opt.leniency |= jobwire::lenient::unknown_status;
    const jobwire::profile* prof = inv.receiving_profile_option();
    if (prof == nullptr) {
      auto detected = jobwire::detect_profile(in->headers);
      if (!detected) return inv.reject(detected.error(), verification_detail(detected.code(), nullptr, in->headers));
      prof = *detected != nullptr ? *detected : &jobwire::profiles::phaseo;
      // Standard Webhooks bodies are any bytes, not delivery envelopes (PROTOCOL.md §17).
      if (prof->scheme == jobwire::signature_scheme::webhooks)
        inv.usage_error(
            "the request carries webhook-* headers (profile standard): its body is not a delivery "
            "envelope; use jobwire verify");
    }
    opt.prof = prof;
    return print_summary(inv, jobwire::payload_form::delivery, in->body, opt);
  }
  if (inv.positional().empty()) inv.usage_error("missing argument");
  const std::string text = inv.resolve(inv.positional().at(0));
  for (const auto& k : kinds)
    if (as == k.name) return k.run(inv, text);
  std::string names;
  for (const auto& k : kinds) names += std::string(names.empty() ? "" : "|") + k.name;
  inv.usage_error("--as must be one of " + names);
}

const registrar reg{
    command_spec{"parse",
                 "validate a JSON text or a job payload and print a normalised summary",
                 "jobwire parse --as json|create|status|webhook|ws JSON\n"
                 "       jobwire parse --as webhook --request @FILE",
                 "Validates JSON (a literal, @FILE or @-). --as json checks that the input is exactly\n"
                 "one well-formed JSON text (RFC 8259: UTF-8, no trailing content, no extensions) and\n"
                 "prints "
                 "'valid'; on rejection the first line is the error code with the byte offset.\n"
                 "--as create|status|webhook|ws validates a create response, a status object, a\n"
                 "webhook delivery body or a websocket message (PROTOCOL.md §4-§6, §10) and prints a\n"
                 "normalised summary as one JSON object (fields: docs/PAYLOADS.md). --as webhook\n"
                 "--request @FILE reads the body from a whole raw HTTP request instead (what 'jobwire\n"
                 "delivery' prints); its header family picks the profile unless --profile names one.",
                 {{"--as", "KIND", "json, create, status, webhook or ws (default json)", false},
                  {"--reject-duplicate-keys", "", "with --as json: also reject repeated object names", false},
                  opt_lenient,
                  {"--profile", "NAME",
                   "ai-stats or phaseo: the phase set for event types (default ai-stats; for --as webhook auto: the "
                   "widest set, phaseo's)",
                   false},
                  {"--request", "@FILE", "with --as webhook: a whole raw HTTP request instead of JSON", false}},
                 0,
                 1,
                 "JSON: the text itself, @FILE, or @- for standard input",
                 run}};

}  // namespace
}  // namespace jobwire_cli
