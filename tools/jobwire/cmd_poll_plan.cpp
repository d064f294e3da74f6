// jobwire poll-plan --status JSON [--attempt N] [--http-status N] [--retry-after S]   (docs/CLI.md)
#include <random>
#include <string>

#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/poll.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

std::string format_seconds(double v) {
  std::string s;
  jobwire::json::writer w(s);
  w.number(v);
  return s;
}

int run(invocation& inv) {
  const std::string text = inv.required("--status");
  auto st = jobwire::parse_status_object(text, inv.payload_options());
  if (!st) return inv.reject(st.error(), "--status");

  jobwire::poll_observation o = jobwire::poll_observation::after(*st);
  if (auto h = inv.int_option("--http-status")) {
    if (*h < 0 || *h > 999) inv.usage_error("--http-status must be an HTTP status code");
    o.http_status = static_cast<int>(*h);
  }
  const bool failed = o.http_status != 0 && (o.http_status < 200 || o.http_status >= 300);
  if (auto a = inv.int_option("--attempt")) {
    if (*a < 0 || *a > 1000000) inv.usage_error("--attempt must be 0..1000000");
    o.failures = static_cast<std::uint32_t>(*a);
  } else if (failed) {
    o.failures = 1;
  }
  if (auto ra = inv.int_option("--retry-after")) {
    if (*ra < 0) inv.usage_error("--retry-after must be non-negative seconds");
    o.retry_after_seconds = static_cast<double>(*ra);
  }
  if (auto d = inv.int_option("--deadline")) {
    o.deadline = static_cast<double>(*d);
    o.now = static_cast<double>(inv.now());
  }
  // The jitter source: --random U (0..1) for reproducible plans, otherwise random_device.
  double fixed = -1;
  if (auto r = inv.raw("--random")) {
    try {
      std::size_t used = 0;
      fixed = std::stod(*r, &used);
      if (used != r->size() || !(fixed >= 0 && fixed <= 1)) throw std::invalid_argument("range");
    } catch (const std::exception&) {
      inv.usage_error("--random must be a number from 0 to 1");
    }
  }
  std::random_device rd;
  auto random01 = [&]() -> double {
    if (fixed >= 0) return fixed;
    return std::uniform_real_distribution<double>(0.0, 1.0)(rd);
  };
  auto plan = jobwire::plan_next_poll(o, random01);
  if (!plan) return inv.reject(plan.error());
  if (plan->stop) return inv.accept("stop", "\"stop\":true");
  std::string secs = format_seconds(plan->delay_seconds);
  return inv.accept(secs, "\"stop\":false,\"delay_seconds\":" + secs);
}

const registrar reg{
    command_spec{"poll-plan",
                 "print the next poll delay for a job, or stop when it is terminal",
                 "jobwire poll-plan --status JSON [--attempt N] [--http-status N] [--retry-after S] [--now N "
                 "--deadline N] [--random U]",
                 "Plans the next GET /v1/videos/{id} from the last status object (its\n"
                 "poll_after_seconds), the number of consecutive failed requests (--attempt, default 1\n"
                 "when --http-status is an error, else 0), the HTTP status of the last request and its\n"
                 "Retry-After. Prints the delay in seconds, or 'stop' when the job is terminal.\n"
                 "Failures back off exponentially (2 s doubling, capped at 300 s) with jitter; --random U\n"
                 "fixes the jitter sample for reproducible output. Errors: deadline_exceeded,\n"
                 "poll_not_retryable (4xx other than 408/425/429).",
                 {{"--status", "JSON", "the last status object (literal, @FILE or @-)", false},
                  {"--attempt", "N", "consecutive failed requests, including the last one", false},
                  {"--http-status", "N", "HTTP status of the last request", false},
                  {"--retry-after", "S", "Retry-After of the last response, in seconds", false},
                  {"--now", "UNIX_SECONDS", "replace the clock (with --deadline)", false},
                  {"--deadline", "UNIX_SECONDS", "stop planning at this time (deadline_exceeded)", false},
                  {"--random", "U", "jitter sample in [0,1] instead of a random one", false},
                  opt_lenient,
                  opt_json},
                 0,
                 0,
                 "",
                 run}};

}  // namespace
}  // namespace jobwire_cli
