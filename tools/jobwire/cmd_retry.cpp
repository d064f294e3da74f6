// jobwire retry --attempt N --outcome 2xx|4xx|5xx|timeout|network [--now N]   (docs/CLI.md)
//
// Prints the retry schedule's verdict on one attempt (PROTOCOL.md §12). Every decision —
// what the outcome word means, whether the attempt number is in range, the status and the
// due time — comes from jobwire/retry.hpp.
#include <cstdint>
#include <string>

#include <jobwire/json_writer.hpp>
#include <jobwire/retry.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

// "60,300,900" → policy delays; a malformed list is a usage error (the shape of the option),
// while a non-positive delay is the library's invalid_retry_policy.
void apply_delays(invocation& inv, jobwire::retry_policy& policy) {
  auto text = inv.raw("--delays");
  if (!text) return;
  std::size_t n = 0, start = 0;
  policy.retry_delay_seconds.fill(0);
  while (start <= text->size()) {
    std::size_t comma = text->find(',', start);
    std::string item = text->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty() || item.size() > 12 || item.find_first_not_of("-0123456789") != std::string::npos ||
        item.find('-', 1) != std::string::npos || item == "-")
      inv.usage_error("--delays needs a comma-separated list of integers, got '" + *text + "'");
    if (n >= policy.retry_delay_seconds.size()) inv.usage_error("--delays lists more delays than supported");
    policy.retry_delay_seconds[n++] = std::stoll(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

int run(invocation& inv) {
  const auto attempt_opt = inv.int_option("--attempt");
  if (!attempt_opt) inv.usage_error("missing required option --attempt");
  const std::int64_t attempt_arg = *attempt_opt;
  const std::string outcome_text = inv.required("--outcome");
  const std::int64_t now = inv.now();

  jobwire::retry_policy policy;
  if (auto m = inv.int_option("--max-attempts")) {
    // Out-of-range values map to 0, which the policy reports as invalid_attempt.
    policy.max_attempts = *m >= 0 && *m <= 1000 ? static_cast<unsigned>(*m) : 0u;
  }
  apply_delays(inv, policy);

  auto outcome = jobwire::parse_attempt_outcome(outcome_text);
  if (!outcome) return inv.reject(outcome.error(), "--outcome " + outcome_text);
  const unsigned attempt = attempt_arg >= 0 && attempt_arg <= 1000 ? static_cast<unsigned>(attempt_arg) : 0u;
  auto now_ms = jobwire::unix_seconds_to_ms(now);
  if (!now_ms) return inv.reject(now_ms.error(), "--now");
  auto decision = jobwire::decide_attempt(policy, attempt, *outcome, *now_ms);
  if (!decision) return inv.reject(decision.error());

  const std::string_view status = jobwire::attempt_status_name(decision->status);
  std::string line(status);
  std::string members;
  jobwire::json::writer w(members);
  // `members` is a list of object members, written inside a scratch object and unwrapped.
  w.begin_object()
      .field("status", status)
      .field("attempt", decision->attempt)
      .field("max_attempts", decision->max_attempts);
  if (decision->retry_scheduled()) {
    const std::int64_t next = decision->next_retry_at_ms / 1000;
    line += "\nnext_retry_at: " + std::to_string(next);
    w.field("next_attempt", decision->next_attempt).field("next_retry_at", next);
  } else {
    w.key("next_attempt").null().key("next_retry_at").null();
  }
  w.end_object();
  return inv.accept(line, std::string_view(members).substr(1, members.size() - 2));
}

const registrar reg{command_spec{
    "retry",
    "decide one delivery attempt: delivered, scheduled_retry (with next_retry_at) or failed_permanently",
    "jobwire retry --attempt N --outcome 2xx|4xx|5xx|timeout|network|STATUS [--now N]",
    "Applies the sender's retry schedule (PROTOCOL.md section 12; defaults 4 attempts,\n"
    "retries due 60 s, 300 s and 900 s after failed attempts 1, 2 and 3) to attempt N\n"
    "made at --now with the given outcome. Prints the attempt status; for a scheduled\n"
    "retry a second line 'next_retry_at: <unix seconds>'. The outcome is a class word\n"
    "(1xx..5xx), timeout, network, or a numeric HTTP status 100..599. Only 2xx is a success.\n"
    "Exit 1 with invalid_outcome for an unrecognised outcome, invalid_attempt for an attempt\n"
    "outside 1..max-attempts, invalid_retry_policy for a non-positive delay.",
    {{"--attempt", "N", "1-based attempt number that was just made", false},
     {"--outcome", "OUTCOME", "2xx|4xx|5xx|1xx|3xx|timeout|network or an HTTP status such as 503", false},
     {"--now", "UNIX_SECONDS", "time of the attempt (default: the system clock)", false},
     {"--max-attempts", "N", "policy: attempts before failed_permanently (default 4)", false},
     {"--delays", "S,S,...", "policy: seconds to wait after failed attempt 1, 2, ... (default 60,300,900)", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
