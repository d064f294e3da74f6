// jobwire check-subscription [--kind video|batch] [--strict] [--policy ...] [--dev] JSON   (docs/CLI.md)
#include <string>

#include <jobwire/subscription.hpp>

#include "cli.hpp"

namespace jobwire_cli {

jobwire::callback_url_options url_options_from(invocation& inv);  // cmd_check_url.cpp

namespace {

int run(invocation& inv) {
  const std::string text = inv.resolve(inv.positional().at(0));
  jobwire::subscription_options opt;
  opt.url = url_options_from(inv);
  if (auto k = inv.raw("--kind")) {
    auto parsed = jobwire::parse_kind(*k);
    if (!parsed) inv.usage_error("--kind must be video or batch");
    opt.events.kind = *parsed;
  }
  if (const jobwire::profile* prof = inv.profile_option()) opt.events.prof = prof;
  opt.events.strict = inv.has("--strict");
  auto sub = jobwire::parse_webhook_subscription(text, opt);
  if (!sub) return inv.reject(sub.error());
  std::string summary;
  jobwire::append_subscription_summary(summary, *sub);
  // The summary object is the output in both modes; --json adds the "ok" member.
  return inv.accept(summary, summary.substr(1, summary.size() - 2));
}

const registrar reg{command_spec{
    "check-subscription",
    "validate a webhook subscription object and print it normalised",
    "jobwire check-subscription [--kind video|batch] [--strict] [--policy strict|ai-stats] [--dev] JSON",
    "JSON is the webhook object {url, secret?, events?} (PROTOCOL.md section 7). Prints\n"
    "{\"url\":...,\"has_secret\":...,\"events\":[...],\"ignored\":[{\"value\":...,\"reason\":...}]}\n"
    "with the serialised URL and the normalised events; every dropped entry is listed with\n"
    "its reason. --strict rejects the subscription at the first invalid entry instead.",
    {{"--kind", "KIND", "job kind the subscription is for: video (default) or batch", false},
     {"--strict", "", "reject any invalid events entry instead of dropping it", false},
     {"--policy", "NAME", "callback URL policy: strict (default) or ai-stats", false},
     {"--dev", "", "local development: accept exactly localhost, 127.0.0.1, [::1]", false},
     {"--profile", "NAME", "ai-stats (default) or phaseo (phase set, secret required)", false}},
    1,
    1,
    "JSON: the text itself, @FILE, or @- for standard input",
    run}};

}  // namespace
}  // namespace jobwire_cli
