// A sample of jobs, one per health class plus one carrying hostile text, built the way a
// sender builds them: attempts decided by `jobwire::decide_attempt` (PROTOCOL.md §12) and
// recorded with `jobwire::make_attempt_record` into real attempt ledgers. The unit tests
// check the dashboard document made from it; dashboard_sample.cpp writes it out with the
// page so a browser can render it without the demo running.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dashboard.hpp"

namespace jobwire_dashboard {

/// Hostile text a receiver could answer with, or a job id could carry: it must show up
/// as these characters, never as markup.
constexpr std::string_view sample_hostile_message =
    "<script>document.body.setAttribute('data-pwned','script')</script>";
constexpr std::string_view sample_hostile_preview =
    "</pre><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"><b>bold?</b>";
constexpr std::string_view sample_hostile_id =
    "job_<img src=x onerror=\"document.body.setAttribute('data-pwned','id')\">";

/// A label carrying markup too: the host's name for a job is text like any other.
constexpr std::string_view sample_hostile_label =
    "<i onmouseover=\"document.body.setAttribute('data-pwned','label')\">x</i>";

struct sample_job {
  std::string id, label, status, job_error;
  double progress = 0;
  jobwire::attempt_ledger ledger;
};

namespace detail {
/// Appends attempt `attempt` of `key` answered with `http_status` at `at_ms`.
inline void sample_attempt(sample_job& j, std::string_view key, unsigned attempt, int http_status, std::int64_t at_ms,
                           std::string_view error_message = {}, std::string_view body = {}) {
  auto k = jobwire::parse_delivery_key(key);
  const std::string type = k ? jobwire::format_event_type(k->type) : std::string();
  auto decision = jobwire::decide_attempt(jobwire::default_retry_policy, attempt,
                                          jobwire::attempt_outcome::http(http_status), at_ms);
  if (!decision) return;
  const std::string id = "att_" + std::to_string(j.ledger.size() + 1);
  jobwire::attempt_report r;
  r.id = id;
  r.delivery_key = key;
  r.event_type = type;
  r.outcome = jobwire::attempt_outcome::http(http_status);
  r.tried_at_ms = at_ms;
  r.error_message = error_message;
  r.response_body = body;
  if (auto rec = jobwire::make_attempt_record(r, *decision)) j.ledger.append(std::move(*rec));
}
}  // namespace detail

/// Five jobs, attempts made in the minutes before `now_ms`:
///  - job_ok: completed, progress and completion delivered first time (healthy);
///  - job_generation_failed: failed, its video.failed delivered (generation_failed);
///  - job_delivery_failing: running, video.progress:70 answered 503, retry pending;
///  - job_delivery_exhausted: completed, video.completed answered 500 four times;
///  - sample_hostile_id: running, a retry pending after an answer whose error message and
///    body are markup.
inline std::vector<sample_job> sample_jobs(std::int64_t now_ms) {
  const std::int64_t m = 60000;
  std::vector<sample_job> v(5);
  v[0].id = "job_ok";
  v[0].label = "welcome clip";
  v[0].status = "completed";
  v[0].progress = 100;
  detail::sample_attempt(v[0], "video.progress:50", 1, 200, now_ms - 9 * m);
  detail::sample_attempt(v[0], "video.completed", 1, 204, now_ms - 8 * m);

  v[1].id = "job_generation_failed";
  v[1].label = "product teaser";
  v[1].status = "failed";
  v[1].progress = 31;
  v[1].job_error = "the provider rejected the request";
  detail::sample_attempt(v[1], "video.progress:30", 1, 200, now_ms - 7 * m);
  detail::sample_attempt(v[1], "video.failed", 1, 200, now_ms - 6 * m);

  v[2].id = "job_delivery_failing";
  v[2].label = "weekly_recap_for_subscribers";  // one long word: must not break inside
  v[2].status = "running";
  v[2].progress = 68;
  detail::sample_attempt(v[2], "video.progress:50", 1, 200, now_ms - 3 * m);
  detail::sample_attempt(v[2], "video.progress:70", 1, 503, now_ms - m / 2, {}, R"({"error":"busy"})");

  v[3].id = "job_delivery_exhausted";
  v[3].status = "completed";
  v[3].progress = 100;
  const std::int64_t t0 = now_ms - 30 * m;  // 1, then +60 s, +300 s, +900 s (§12)
  detail::sample_attempt(v[3], "video.completed", 1, 500, t0);
  detail::sample_attempt(v[3], "video.completed", 2, 500, t0 + m);
  detail::sample_attempt(v[3], "video.completed", 3, 500, t0 + 6 * m);
  detail::sample_attempt(v[3], "video.completed", 4, 500, t0 + 21 * m, {}, "internal error");

  v[4].id = std::string(sample_hostile_id);
  v[4].label = std::string(sample_hostile_label);
  v[4].status = "processing";
  v[4].progress = 47.5;
  detail::sample_attempt(v[4], "video.progress:50", 1, 400, now_ms - m / 4, sample_hostile_message,
                         sample_hostile_preview);
  return v;
}

inline std::vector<job_row> sample_rows(const std::vector<sample_job>& jobs) {
  std::vector<job_row> rows;
  for (const sample_job& j : jobs) {
    job_input in;
    in.id = j.id;
    in.label = j.label;
    in.status = j.status;
    in.progress = j.progress;
    in.job_error = j.job_error;
    in.ledger = &j.ledger;
    rows.push_back(make_row(in));
  }
  return rows;
}

}  // namespace jobwire_dashboard
