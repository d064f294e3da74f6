// jobwire check-subscription [--kind video|batch] [--strict] [--policy ...] [--dev]
//                            [--profile ai-stats|phaseo] [--batch-request] [--endpoint-events JSON] JSON
// (docs/CLI.md)
#include <string>
#include <vector>

#include <jobwire/subscription.hpp>

#include "cli.hpp"

namespace jobwire_cli {

jobwire::callback_url_options url_options_from(invocation& inv);  // cmd_check_url.cpp

namespace {

// Profile phaseo (PROTOCOL.md §16.2): the webhook object names an endpoint; there is no URL
// to check, and the stored event list is printed as the service stores it.
int run_endpoint(invocation& inv, const std::string& text, jobwire::kind k, bool strict) {
  if (inv.raw("--policy") || inv.has("--dev"))
    inv.usage_error("--policy and --dev check a URL; under --profile phaseo the subscription names an endpoint");
  const jobwire::events_options opt = jobwire::endpoint_events_options(k, strict);
  auto sub = inv.has("--batch-request") ? jobwire::parse_batch_subscription(text, opt)
                                        : jobwire::parse_endpoint_subscription(text, opt);
  if (!sub) return inv.reject(sub.error());
  std::string summary;
  if (auto endpoint_json = inv.raw("--endpoint-events")) {
    // The endpoint's stored events, as GET /v1/webhook-endpoints/{id} shows them.
    const std::string endpoint_text = inv.resolve(std::string(*endpoint_json));
    auto doc = jobwire::json::parse(endpoint_text);
    if (!doc) return inv.reject(doc.error(), "--endpoint-events");
    auto arr = doc->get_array();
    if (!arr) return inv.reject(jobwire::errc::invalid_events_type, "--endpoint-events");
    std::vector<std::string> endpoint_events;
    for (jobwire::json::value v : *arr) {
      if (!v.is_string()) return inv.reject(jobwire::errc::event_not_string, "--endpoint-events");
      endpoint_events.push_back(v.get_string()->to_string());
    }
    const std::vector<std::string> effective = sub->effective(endpoint_events);
    jobwire::append_endpoint_subscription_summary(summary, *sub, &effective);
  } else {
    jobwire::append_endpoint_subscription_summary(summary, *sub);
  }
  return inv.accept(summary, summary.substr(1, summary.size() - 2));
}

int run(invocation& inv) {
  const std::string text = inv.resolve(inv.positional().at(0));
  jobwire::kind k = jobwire::kind::video;
  if (auto kind_text = inv.raw("--kind")) {
    auto parsed = jobwire::parse_kind(*kind_text);
    if (!parsed) inv.usage_error("--kind must be video or batch");
    k = *parsed;
  }
  const jobwire::profile* prof = inv.profile_option();
  // Compared by name: a constexpr profile has one address per translation unit.
  if (prof && prof->name == jobwire::profiles::phaseo.name) return run_endpoint(inv, text, k, inv.has("--strict"));
  if (inv.has("--batch-request") || inv.raw("--endpoint-events"))
    inv.usage_error("--batch-request and --endpoint-events need --profile phaseo");
  jobwire::subscription_options opt;
  opt.url = url_options_from(inv);
  opt.events.kind = k;
  if (prof) opt.events.prof = prof;
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
    "jobwire check-subscription [--kind video|batch] [--strict] [--policy strict|ai-stats|phaseo] [--dev]\n"
    "       [--profile ai-stats|phaseo] [--batch-request] [--endpoint-events JSON] JSON",
    "JSON is the webhook object {url, secret?, events?} (PROTOCOL.md section 7). Prints\n"
    "{\"url\":...,\"has_secret\":...,\"events\":[...],\"ignored\":[{\"value\":...,\"reason\":...}]}\n"
    "with the serialised URL and the normalised events; every dropped entry is listed with\n"
    "its reason. --strict rejects the subscription at the first invalid entry instead.\n"
    "With --profile phaseo (section 16.2) JSON is {endpoint_id, events?} (url and secret are\n"
    "refused: the endpoint holds them) and the output is\n"
    "{\"endpoint_id\":...,\"url\":null,\"has_secret\":true,\"events\":[...stored, [] = "
    "inherit...],\"ignored\":[...]};\n"
    "--batch-request reads JSON as a batch request body (webhook or webhook_endpoint_id) and\n"
    "--endpoint-events adds \"effective_events\": the list that decides what is sent, given\n"
    "the endpoint's events.",
    {{"--kind", "KIND", "job kind the subscription is for: video (default) or batch", false},
     {"--strict", "", "reject any invalid events entry instead of dropping it", false},
     {"--policy", "NAME", "callback URL policy: strict (default), ai-stats or phaseo", false},
     {"--dev", "", "local development: accept exactly localhost, 127.0.0.1, [::1]", false},
     {"--profile", "NAME", "ai-stats (default) or phaseo (endpoint subscriptions, section 16.2)", false},
     {"--batch-request", "", "phaseo: JSON is a batch request body (webhook or webhook_endpoint_id)", false},
     {"--endpoint-events", "JSON", "phaseo: the endpoint's events; prints effective_events", false}},
    1,
    1,
    "JSON: the text itself, @FILE, or @- for standard input",
    run}};

}  // namespace
}  // namespace jobwire_cli
