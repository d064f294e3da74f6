// jobwire-poller — the client of PROTOCOL.md §1: creates jobs, stores their ids, polls each
// with jobwire's poll planner until it is terminal, and reads the output only when the job
// completed (jobwire's request builders refuse anything else).
//
//   jobwire-poller --gateway URL --callback URL (--secret-file PATH | --secret S) [--db PATH]
//                  [--events LIST] [--deadline SECONDS] [--min-interval SECONDS]
//                  --job SCENARIO[,QUERY] ...
//
// Each --job creates one job; SCENARIO goes to the simulated gateway (x-sim-scenario) and
// QUERY, when given, is appended to the callback URL (the example receiver's test hooks).
// --db stores each job id, labelled with its scenario, in the application database the
// receiver shares (app_store.hpp).
// Progress is printed as one JSON object per line; exit 0 when every job reached a
// terminal state and every completed job's content was read.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/poll.hpp>
#include <jobwire/requests.hpp>

#include "app_store.hpp"
#include "example_args.hpp"

namespace {

std::mutex out_lock;
void emit_line(const std::string& json) {
  std::lock_guard<std::mutex> lock(out_lock);
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
}

double real_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(steady_clock::now().time_since_epoch()).count();
}

struct settings {
  std::string gateway;
  jobwire::poll_policy policy;
  double deadline_seconds = 60;
};

/// Polls one job until terminal; returns true when it ended as it should be read.
bool follow(const settings& cfg, const std::string& job_id_text) {
  auto id = jobwire::job_id::parse(job_id_text);
  if (!id) return false;
  httplib::Client client(cfg.gateway);
  client.set_connection_timeout(std::chrono::seconds(2));
  std::mt19937 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double deadline = real_seconds() + cfg.deadline_seconds;
  jobwire::poll_observation obs;
  for (unsigned polls = 1;; ++polls) {
    auto res = client.Get(jobwire::status_request(*id).target());
    std::optional<jobwire::status_view> st;
    if (res && res->status == 200) {
      // The phase set of the current service (phaseo): its status objects list
      // `status_changed` delivery keys in `webhook.attempts` (PROTOCOL.md §16.1).
      jobwire::payload_options opt;
      opt.prof = &jobwire::profiles::phaseo;
      auto parsed = jobwire::parse_status_object(res->body, opt);
      if (!parsed) {
        std::fprintf(stderr, "poller: %s: status object rejected: %s\n", job_id_text.c_str(),
                     std::string(jobwire::error_name(parsed.code())).c_str());
        return false;
      }
      st = *parsed;
      obs = jobwire::poll_observation::after(*st);
    } else {
      obs.failures += 1;
      obs.http_status = res ? res->status : 0;
    }
    obs.now = real_seconds();
    obs.deadline = deadline;
    auto plan = jobwire::plan_next_poll(
        obs, [&] { return unit(rng); }, cfg.policy);
    std::string line;
    jobwire::json::writer w(line);
    if (!plan) {
      w.begin_object()
          .field("event", "error")
          .field("job_id", job_id_text)
          .field("reason", jobwire::error_name(plan.code()))
          .end_object();
      emit_line(line);
      return false;
    }
    if (!plan->stop) {
      w.begin_object().field("event", "status").field("job_id", job_id_text);
      if (st) w.field("status", jobwire::job_status_name(st->status)).field("progress", st->effective_progress());
      w.field("next_poll_seconds", plan->delay_seconds).end_object();
      emit_line(line);
      std::this_thread::sleep_for(std::chrono::duration<double>(plan->delay_seconds));
      continue;
    }
    // Terminal. §6: content only for a completed job — the builder decides, not this loop.
    w.begin_object()
        .field("event", "done")
        .field("job_id", job_id_text)
        .field("status", jobwire::job_status_name(st->status))
        .field("polls", polls);
    bool ok = true;
    auto content = jobwire::content_request(*st);
    if (content) {
      auto body = client.Get(content->target());
      ok = body && body->status == 200 && !body->body.empty();
      w.field("content_bytes", body ? body->body.size() : 0).field("content_http_status", body ? body->status : 0);
    } else {
      w.field("content", jobwire::error_name(content.code()));
      ok = content.code() == jobwire::errc::job_not_completed;
    }
    w.end_object();
    emit_line(line);
    return ok;
  }
}

}  // namespace

int main(int argc, char** argv) {
  example::args a(argc, argv,
                  {"--gateway", "--callback", "--secret", "--secret-file", "--db", "--events", "--deadline",
                   "--min-interval", "--job"},
                  {});
  settings cfg;
  cfg.gateway = a.required("--gateway");
  cfg.deadline_seconds = a.number("--deadline", 60);
  cfg.policy.min_interval_seconds = a.number("--min-interval", 0.2);
  const std::string callback = a.required("--callback"), secret = a.secret();
  const std::string events = a.get("--events", "video.progress,job.completed,job.failed");
  std::optional<example::app_store> db;
  if (a.has("--db")) {
    std::string why;
    db = example::app_store::open(a.get("--db"), why);
    if (!db) return std::fprintf(stderr, "poller: %s\n", why.c_str()), 3;
  }
  httplib::Client client(cfg.gateway);
  std::vector<std::thread> followers;
  std::vector<int> results;
  const auto jobs = a.all("--job");
  results.resize(jobs.size(), 0);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string scenario = jobs[i].substr(0, jobs[i].find(','));
    const std::string query = jobs[i].find(',') == std::string::npos ? "" : jobs[i].substr(jobs[i].find(',') + 1);
    std::string body;
    jobwire::json::writer w(body);
    w.begin_object()
        .field("model", "sim-video-1")
        .field("prompt", "demo clip " + std::to_string(i + 1) + ": " + scenario)
        .field("seconds", 4)
        .key("webhook")
        .begin_object()
        .field("url", query.empty() ? callback : callback + "?" + query)
        .field("secret", secret)
        .key("events")
        .begin_array();
    for (std::size_t at = 0; at <= events.size();) {
      std::size_t comma = events.find(',', at);
      if (comma == std::string::npos) comma = events.size();
      w.string(std::string_view(events).substr(at, comma - at));
      at = comma + 1;
    }
    // The `status_changed` scenario stands for the current service (PROTOCOL.md §16.1),
    // where status changes are subscribable.
    if (scenario == "status_changed") w.string("job.status_changed");
    w.end_array().end_object().end_object();
    auto res = client.Post("/v1/videos", {{"x-sim-scenario", scenario}}, body, "application/json");
    if (!res || res->status != 202) {
      std::fprintf(stderr, "poller: create refused: HTTP %d %s\n", res ? res->status : 0, res ? res->body.c_str() : "");
      return 1;
    }
    auto created = jobwire::parse_create_response(res->body);
    if (!created) return std::fprintf(stderr, "poller: create response rejected\n"), 1;
    const std::string id(created->id.str());
    if (db && !(db->register_job(id, static_cast<std::int64_t>(real_seconds() * 1000)) && db->label_job(id, scenario)))
      return 3;  // "store the job id", with what it is for (the dashboards show it)
    std::string line;
    jobwire::json::writer(line)
        .begin_object()
        .field("event", "created")
        .field("index", i + 1)
        .field("job_id", id)
        .field("scenario", scenario)
        .end_object();
    emit_line(line);
    followers.emplace_back([&cfg, &results, i, id] { results[i] = follow(cfg, id) ? 1 : 0; });
  }
  for (auto& t : followers) t.join();
  for (int r : results)
    if (r != 1) return 1;
  return 0;
}
