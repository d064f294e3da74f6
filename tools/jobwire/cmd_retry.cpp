// jobwire retry [--profile P] --attempt N --outcome 2xx|4xx|5xx|timeout|network [--now N]   (docs/CLI.md)
//
// Prints the retry schedule's verdict on one attempt (PROTOCOL.md §12; with --profile
// standard or openai, the Standard Webhooks etiquette of §17 "Sending"). Every decision —
// what the outcome word means, whether the attempt number is in range, the status, the due
// time, the jitter, Retry-After, the throttle and the endpoint's fate — comes from
// jobwire/retry.hpp.
#include <cstdint>
#include <optional>
#include <random>
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

// The §17 etiquette (decide_delivery): the service's output plus the endpoint's fate.
int run_etiquette(invocation& inv, const jobwire::profile& prof, jobwire::retry_policy policy, unsigned attempt,
                  jobwire::attempt_outcome outcome, std::int64_t now_ms) {
  jobwire::attempt_observation obs;
  obs.attempt = attempt;
  obs.outcome = outcome;
  obs.tried_at_ms = now_ms;
  const std::optional<std::string> retry_after = inv.raw("--retry-after");
  if (retry_after) obs.retry_after = std::string_view(*retry_after);
  if (auto seed = inv.int_option("--seed")) {
    obs.random = jobwire::splitmix64(static_cast<std::uint64_t>(*seed));
  } else {
    std::random_device rd;
    obs.random = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }
  if (auto streak = inv.int_option("--failure-streak")) {
    if (*streak < 0 || *streak > 4294967295LL) inv.usage_error("--failure-streak must be 0..4294967295");
    obs.endpoint_failure_streak = static_cast<unsigned>(*streak);
  }
  auto v = jobwire::decide_delivery(policy, obs);
  if (!v) return inv.reject(v.error());

  const std::string_view row_status = jobwire::attempt_status_name(v->status);
  const std::string_view status = v->endpoint_disabled ? std::string_view("endpoint_disabled") : row_status;
  std::string line(status);
  std::string members;
  jobwire::json::writer w(members);
  w.begin_object()
      .field("status", status)
      .field("row_status", row_status)
      .field("attempt", v->attempt)
      .field("max_attempts", v->max_attempts)
      .field("profile", prof.name);
  if (v->endpoint_disabled) line += "\nreason: " + std::string(jobwire::disable_reason_name(v->reason));
  if (v->retry_scheduled() && !v->endpoint_disabled) {
    const std::int64_t next = v->next_retry_at_ms / 1000;
    line += "\nnext_retry_at: " + std::to_string(next);
    w.field("next_attempt", v->next_attempt).field("next_retry_at", next);
  } else {
    w.key("next_attempt").null().key("next_retry_at").null();
  }
  w.field("effect", jobwire::endpoint_effect_name(v->effect));
  if (v->effect == jobwire::endpoint_effect::throttle) {
    // The throttle holds every delivery to the endpoint, not only this one.
    const std::int64_t until = (v->throttle_until_ms + 999) / 1000;
    line += "\nthrottled_until: " + std::to_string(until);
    w.field("throttled_until", until);
  } else {
    w.key("throttled_until").null();
  }
  w.field("endpoint_disabled", v->endpoint_disabled);
  if (v->endpoint_disabled) w.field("disable_reason", jobwire::disable_reason_name(v->reason));
  else w.key("disable_reason").null();
  w.field("disable_after_failures", v->disable_after_failures);
  w.field("retry_after", jobwire::retry_after_use_name(v->retry_after));
  if (v->retry_after == jobwire::retry_after_use::invalid) {
    // Reported, never fatal: the verdict above ignored it.
    const jobwire::error e(v->retry_after_error);
    line += "\nretry_after: invalid (" + std::string(e.name()) + ": " + std::string(e.message()) + ")";
    w.field("retry_after_error", e.name());
  } else {
    if (retry_after && v->retry_after != jobwire::retry_after_use::not_applied)
      line += "\nretry_after: " + std::string(jobwire::retry_after_use_name(v->retry_after));
    w.key("retry_after_error").null();
  }
  w.end_object();
  return inv.accept(line, std::string_view(members).substr(1, members.size() - 2));
}

int run(invocation& inv) {
  const jobwire::profile* prof = inv.profile_option(/*webhooks=*/true);
  const bool etiquette = prof != nullptr && prof->scheme == jobwire::signature_scheme::webhooks;
  if (!etiquette) {
    for (const char* opt : {"--retry-after", "--seed", "--failure-streak"})
      if (inv.has(opt))
        inv.usage_error(std::string(opt) + " applies to the standard and openai profiles only (PROTOCOL.md §17)");
  }
  const auto attempt_opt = inv.int_option("--attempt");
  if (!attempt_opt) inv.usage_error("missing required option --attempt");
  const std::int64_t attempt_arg = *attempt_opt;
  const std::string outcome_text = inv.required("--outcome");
  const std::int64_t now = inv.now();

  jobwire::retry_policy policy = prof != nullptr ? jobwire::retry_policy_for(*prof) : jobwire::default_retry_policy;
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
  if (etiquette) return run_etiquette(inv, *prof, policy, attempt, *outcome, *now_ms);
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
    "decide one delivery attempt: delivered, scheduled_retry (with next_retry_at), failed_permanently or "
    "endpoint_disabled",
    "jobwire retry [--profile ai-stats|phaseo|standard|openai] --attempt N --outcome "
    "2xx|3xx|4xx|410|429|5xx|502|504|timeout|network|STATUS [--retry-after S|HTTP-DATE] [--now N] [--seed N]",
    "Applies the sender's retry schedule (PROTOCOL.md section 12; defaults 4 attempts,\n"
    "retries due 60 s, 300 s and 900 s after failed attempts 1, 2 and 3) to attempt N\n"
    "made at --now with the given outcome. Prints the attempt status; for a scheduled\n"
    "retry a second line 'next_retry_at: <unix seconds>'. The outcome is a class word\n"
    "(1xx..5xx), timeout, network, or a numeric HTTP status 100..599. Only 2xx is a success.\n"
    "The service profiles (ai-stats, phaseo; also the default) keep this schedule exactly.\n"
    "\n"
    "--profile standard|openai applies the Standard Webhooks etiquette (section 17,\n"
    "'Sending'): 10 attempts (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,\n"
    "20 h, 24 h) with +-20 % jitter (--seed makes it reproducible); 410 prints\n"
    "'endpoint_disabled' (the delivery fails and the endpoint is disabled); 429, 502 and 504\n"
    "add 'throttled_until: <unix seconds>' (every delivery to the endpoint waits); a\n"
    "Retry-After (seconds or HTTP-date, honoured up to 24 h) is never retried before, and\n"
    "a line 'retry_after: honoured|capped|past|invalid (...)' says what became of it (an\n"
    "invalid one is ignored, not fatal). With --failure-streak, a permanent failure that\n"
    "brings the endpoint's streak of failed attempts to 10 prints 'endpoint_disabled'.\n"
    "\n"
    "Exit 1 with invalid_outcome for an unrecognised outcome, invalid_attempt for an attempt\n"
    "outside 1..max-attempts, invalid_retry_policy for a non-positive delay.",
    {{"--profile", "NAME", "ai-stats or phaseo (section 12, the default), standard or openai (section 17)", false},
     {"--attempt", "N", "1-based attempt number that was just made", false},
     {"--outcome", "OUTCOME", "2xx|4xx|5xx|1xx|3xx|timeout|network or an HTTP status such as 503", false},
     {"--now", "UNIX_SECONDS", "time of the attempt (default: the system clock)", false},
     {"--retry-after", "S|HTTP-DATE", "standard/openai: the response's Retry-After field value", false},
     {"--seed", "N", "standard/openai: seed of the jitter (default: a random one)", false},
     {"--failure-streak", "N", "standard/openai: the endpoint's consecutive failures before this attempt", false},
     {"--max-attempts", "N", "policy: attempts before failed_permanently (default 4; standard 10)", false},
     {"--delays", "S,S,...", "policy: seconds to wait after failed attempt 1, 2, ... (default 60,300,900)", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
