// jobwire-receiver — a webhook receiver: cpp-httplib in front, jobwire deciding, one SQLite
// file for jobwire's dedup records, the job state and the side-effect journal
// (docs/INTEGRATION.md).
//
//   jobwire-receiver --db PATH (--secret-file PATH | --secret S) --gateway URL [--port N] [--test-hooks]
//   (or the secret in the environment variable JOBWIRE_SECRET: out of `ps`)
//
// POST /webhooks/video   a delivery (raw body and headers go to jobwire untouched)
// GET  /stats            what was decided, as JSON (receiver_stats.hpp)
// GET  /metrics          the same counters in the Prometheus text format, and jobs by health
// GET  /dashboard        the operations page over /dashboard.json (docs/DASHBOARD.md)
//
// --test-hooks lets the callback URL's query make the side effect fail, to show retries:
// `?fail_first=<delivery key>` fails attempt 1 of that key, `?fail_always=<key>` every attempt.
#include <chrono>
#include <mutex>
#include <string>

#include <httplib.h>

#include <jobwire/receiver.hpp>
#include <jobwire/requests.hpp>
#include <jobwire/stores/sqlite.hpp>

#include "app_store.hpp"
#include "dashboard_http.hpp"
#include "example_args.hpp"
#include "receiver_stats.hpp"

namespace {

struct receiver {
  jobwire::verifier secrets;
  example::app_store db;
  jobwire::sqlite_dedup_store dedup;  // on db's connection: one file, one writer
  httplib::Client gateway;
  bool test_hooks = false;
  example::receiver_stats stats;
  jobwire_dashboard::receiver_journal journal;  // per job: what we answered, as the sender's ledger
  jobwire::receiver_options options;
  std::mutex lock;  // one SQLite connection and one verifier, used by one request at a time
};

bool hook_fails(const receiver& r, const httplib::Request& req, std::string_view key, unsigned attempt) {
  if (!r.test_hooks) return false;
  if (req.get_param_value("fail_always") == key) return true;
  return req.get_param_value("fail_first") == key && attempt == 1;
}

/// The handler jobwire calls for `apply` (store the new state, run the side effect) and
/// for `refetch` (read the status object, hold what it says; PROTOCOL.md §13.3).
jobwire::void_result on_delivery(receiver& r, const httplib::Request& req, const jobwire::envelope_view& e,
                                 const jobwire::reconcile_decision& d, const jobwire::dedup_key& key,
                                 std::int64_t now_ms) {
  const std::string job(e.data.id.str()), key_text(key.delivery_key_text());
  jobwire::job_state next = d.next;
  if (d.action == jobwire::reconcile_action::refetch) {
    auto fetched = r.gateway.Get(jobwire::status_request(e.data.id).target());
    example::refetch_record rec{
        job, std::string(jobwire::reconcile_reason_name(d.reason)), {}, fetched ? fetched->status : 0};
    // The widest phase set (phaseo's): a job of the current service lists status_changed
    // delivery keys in its status object's `webhook.attempts` (PROTOCOL.md §16.1).
    jobwire::payload_options popt;
    popt.prof = &jobwire::profiles::phaseo;
    auto status = fetched && fetched->status == 200 ? jobwire::parse_status_object(fetched->body, popt)
                                                    : jobwire::result<jobwire::status_view>(jobwire::errc::io_error);
    rec.status = status ? jobwire::job_status_name(status->status) : jobwire::error_name(status.code());
    r.stats.refetch(rec);
    if (!status) return jobwire::errc::io_error;  // 503: the sender retries, we refetch again
    const auto held = r.db.load(job);
    next = jobwire::state_from(*status, held);
    if (held && next == *held) return {};  // the status endpoint confirms what we hold
  }
  if (hook_fails(r, req, key_text, e.delivery.attempt)) {
    r.stats.side_effect(job, key_text, false);
    return jobwire::errc::handler_failed;
  }
  // The side effect and the new state in one transaction, durable before the 2xx (§13.2).
  // jobwire commits the dedup key afterwards; if we die in between, the sender's retry
  // reconciles against this state (no_change), so nothing runs twice.
  if (!r.db.begin()) return jobwire::errc::store_unavailable;
  if (!r.db.record_side_effect(job, key_text, e.id, next, e.delivery.attempt, now_ms) ||
      !r.db.save(job, next, now_ms) || !r.db.commit()) {
    r.db.rollback();
    return jobwire::errc::store_error;
  }
  r.stats.side_effect(job, key_text, true);
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  example::block_stop_signals();
  example::args a(argc, argv, {"--db", "--secret", "--secret-file", "--gateway", "--port"}, {"--test-hooks"});
  std::string why;
  auto db = example::app_store::open(a.required("--db"), why);
  if (!db) return std::fprintf(stderr, "receiver: %s\n", why.c_str()), 3;
  auto dedup = jobwire::sqlite_dedup_store::attach(db->handle());
  const std::string secret = a.secret();
  auto secrets = jobwire::verifier::create({std::string_view(secret)});
  if (!dedup || !secrets) return std::fprintf(stderr, "receiver: store or secret rejected\n"), 3;
  receiver r{std::move(*secrets),
             std::move(*db),
             std::move(*dedup),
             httplib::Client(a.required("--gateway")),
             a.has("--test-hooks"),
             {},
             {},
             {},
             {}};
  r.options.counters = r.stats.counters();
  r.gateway.set_connection_timeout(std::chrono::seconds(5));

  httplib::Server server;
  server.Post("/webhooks/video", [&r](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> guard(r.lock);
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const std::int64_t now_ms = now.time_since_epoch().count();
    // The whole protocol decision: verify, parse, claim, reconcile, handler, commit. The
    // pipeline also holds the job's lease (in r.dedup) from `load` to the commit, so this
    // receiver stays correct when several instances share the database file (RECEIVING.md
    // "One job at a time"); the poller only ever inserts jobs that are absent.
    const jobwire::receipt rc = jobwire::receive_delivery(
        req.body, req.headers, r.secrets, r.dedup, now, [&r](std::string_view job) { return r.db.load(job); },
        [&](const jobwire::envelope_view& e, const jobwire::reconcile_decision& d, const jobwire::dedup_key& key) {
          return on_delivery(r, req, e, d, key, now_ms);
        },
        r.options);
    const std::string key = rc.key ? std::string(rc.key->delivery_key_text()) : std::string();
    std::string body;
    jobwire::json::writer(body)
        .begin_object()
        .field("action", jobwire::receiver_decision_name(rc.action))
        .field("http_status", rc.http_status)
        .field("reason", rc.reason())
        .field("job_id", rc.job_id.view())
        .field("delivery_key", key)
        .end_object();
    res.status = rc.http_status;
    res.set_content(body, "application/json");
    r.stats.record({std::string(rc.job_id.view()), key, std::string(jobwire::receiver_decision_name(rc.action)),
                    std::string(rc.reason()), rc.attempt, rc.http_status});
    // rc.job_id is empty unless the delivery was verified and parsed: never attribute on faith.
    r.journal.record({rc.job_id.view(), key, rc.attempt, rc.http_status, rc.action, rc.reason(), body, now_ms});
    if (auto held = rc.job_id.empty() ? std::nullopt : r.db.load(rc.job_id))
      r.journal.set_state(rc.job_id, jobwire::lifecycle_status_name(held->lifecycle), held->progress);
    // The name the client stored with the job id (app_store.hpp), for the dashboard; only
    // for a verified delivery, and looked up once per job.
    if (!rc.job_id.empty() && !r.journal.has_label(rc.job_id)) r.journal.set_label(rc.job_id, r.db.label(rc.job_id));
  });
  server.Get("/stats", [&r](const httplib::Request&, httplib::Response& res) {
    res.set_content(r.stats.to_json(), "application/json");
  });
  server.Get("/metrics", [&r](const httplib::Request&, httplib::Response& res) {
    res.set_content(r.stats.prometheus() + jobwire_dashboard::health_metrics(r.journal.health()),
                    std::string(jobwire::prometheus_content_type));
  });
  jobwire_dashboard::mount(server, [&r] {
    const auto snapshot = r.stats.counters()->snapshot();
    return r.journal.render(jobwire_dashboard::unix_now_ms(), &snapshot);
  });
  return example::serve_loopback(server, static_cast<int>(a.number("--port", 0)), "receiver");
}
