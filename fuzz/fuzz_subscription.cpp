// Fuzz target: the webhook subscription parser (JSON object, event list normalisation,
// callback URL). Invariants: an accepted subscription has 1..capacity events without
// duplicates, a summary that is valid JSON without the secret's text, and a URL that
// passes the URL check again. The endpoint form of profile phaseo (§16.2): an accepted
// subscription has a UUID endpoint id, a stored list without repeats whose every entry
// normalises to itself, a summary that is valid JSON, and an effective list that is never
// empty; the batch form agrees with the object form on the same `webhook`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <jobwire/subscription.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int variant = 0; variant < 4; ++variant) {
    jobwire::subscription_options opt;
    opt.events.kind = (variant & 1) ? jobwire::kind::batch : jobwire::kind::video;
    opt.events.strict = (variant & 2) != 0;
    opt.url.policy = (variant & 1) ? jobwire::url_policy::ai_stats : jobwire::url_policy::strict;
    auto sub = jobwire::parse_webhook_subscription(text, opt);
    if (!sub) continue;
    check(!sub->events.empty() && sub->events.size() <= jobwire::event_list::capacity);
    for (std::size_t i = 0; i < sub->events.size(); ++i)
      for (std::size_t j = i + 1; j < sub->events.size(); ++j) check(sub->events[i] != sub->events[j]);
    if (opt.events.strict)
      for (const auto& ig : sub->ignored) check(ig.reason == jobwire::errc::duplicate_event);
    std::string summary;
    jobwire::append_subscription_summary(summary, *sub);
    check(jobwire::json::validate(summary).has_value());
    check(jobwire::check_callback_url(sub->url, opt.url).has_value());
  }
  for (int variant = 0; variant < 4; ++variant) {
    const auto k = (variant & 1) ? jobwire::kind::batch : jobwire::kind::video;
    const auto opt = jobwire::endpoint_events_options(k, (variant & 2) != 0);
    auto sub = jobwire::parse_endpoint_subscription(text, opt);
    if (sub) {
      check(jobwire::is_uuid_text(sub->endpoint_id) && sub->has_secret());
      for (std::size_t i = 0; i < sub->events.size(); ++i) {
        auto again = jobwire::normalise_stored_event(sub->events[i], k);
        check(again.has_value() && *again == sub->events[i]);
        for (std::size_t j = i + 1; j < sub->events.size(); ++j) check(sub->events[i] != sub->events[j]);
      }
      check(!sub->effective({}).empty());
      check(!sub->effective(sub->events).empty());
      std::string summary;
      jobwire::append_endpoint_subscription_summary(summary, *sub);
      check(jobwire::json::validate(summary).has_value());
      // The same object as a batch request's `webhook` member gives the same answer.
      if (k == jobwire::kind::batch) {
        std::string wrapped = "{\"webhook\":" + std::string(text) + "}";
        auto batch = jobwire::parse_batch_subscription(wrapped, opt);
        check(batch.has_value() && batch->endpoint_id == sub->endpoint_id && batch->events == sub->events);
      }
    }
    auto batch = jobwire::parse_batch_subscription(text, opt);
    if (batch) check(batch->kind == jobwire::kind::batch && jobwire::is_uuid_text(batch->endpoint_id));
  }
  return 0;
}
