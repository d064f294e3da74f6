// jobwire check-url URL [--policy strict|ai-stats|phaseo] [--dev] [--print-host]   (docs/CLI.md)
#include <string>

#include <jobwire/callback_url.hpp>
#include <jobwire/json_writer.hpp>

#include "cli.hpp"

namespace jobwire_cli {

/// --policy and --dev, shared with check-subscription.
jobwire::callback_url_options url_options_from(invocation& inv) {
  jobwire::callback_url_options opt;
  if (auto p = inv.raw("--policy")) {
    auto parsed = jobwire::parse_url_policy(*p);
    if (!parsed) inv.usage_error("--policy must be strict, ai-stats or phaseo");
    opt.policy = *parsed;
  }
  if (inv.has("--dev")) opt.leniency |= jobwire::lenient::local_callback_urls;
  return opt;
}

namespace {

int run(invocation& inv) {
  const std::string input = inv.resolve(inv.positional().at(0));
  const jobwire::callback_url_options opt = url_options_from(inv);
  if (inv.has("--print-host")) {
    // Conformance aid: the host as the WHATWG parser serialises it, no policy applied.
    auto parsed = jobwire::parse_http_url(input);
    if (!parsed) return inv.reject(parsed.error());
    std::string host(parsed->host());
    std::string members = "\"host\":";
    jobwire::json::append_quoted(members, host);
    members += ",\"port\":";
    members += parsed->port < 0 ? std::string("null") : std::to_string(parsed->port);
    return inv.accept(host, members);
  }
  auto checked = jobwire::check_callback_url(input, opt);
  if (!checked) {
    // Under the send-time rule, also name the reason as the service reports it (§16.4).
    std::string detail;
    if (opt.policy == jobwire::url_policy::phaseo) {
      const std::string_view reason = jobwire::service_url_reason(checked.code());
      if (!reason.empty()) detail = "the service's reason: " + std::string(reason);
    }
    return inv.reject(checked.error(), detail);
  }
  std::string url = checked->serialise();
  std::string members = "\"url\":";
  jobwire::json::append_quoted(members, url);
  return inv.accept(url, members);
}

const registrar reg{
    command_spec{"check-url",
                 "check a webhook callback URL against a policy and print its WHATWG serialisation",
                 "jobwire check-url URL [--policy strict|ai-stats|phaseo] [--dev] [--print-host]",
                 "Parses URL the way the WHATWG URL Standard does for http/https and checks it against\n"
                 "the callback URL policy (PROTOCOL.md section 8; phaseo: the current service's\n"
                 "send-time rule, section 16.4, which drops the fragment). Prints the serialised URL when\n"
                 "accepted, the reason code when rejected. --print-host prints the parsed host instead\n"
                 "for any URL that parses (no policy applied).",
                 {{"--policy", "NAME", "strict (default), ai-stats or phaseo", false},
                  {"--dev", "", "local development: accept exactly localhost, 127.0.0.1, [::1]", false},
                  {"--print-host", "", "print the serialised host of any parsable URL; no policy", false}},
                 1,
                 1,
                 "URL: the URL itself, @FILE, or @- for standard input",
                 run}};

}  // namespace
}  // namespace jobwire_cli
