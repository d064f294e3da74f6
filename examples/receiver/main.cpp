// jobwire-receiver — a webhook receiver: cpp-httplib in front, jobwire deciding, SQLite
// keeping dedup records, job state and the side-effect journal (docs/INTEGRATION.md).
//
//   jobwire-receiver --db PATH --secret S --gateway URL [--port N] [--test-hooks]
//
// POST /webhooks/video   a delivery (raw body + headers go to jobwire untouched)
// GET  /stats            what was decided, as JSON (receiver_stats.hpp)
// GET  /metrics          the same counters in the Prometheus text format
//
// --test-hooks lets the callback URL's query make the side effect fail, to show retries:
// `?fail_first=<delivery key>` fails attempt 1 of that key, `?fail_always=<key>` every attempt.
#include <chrono>
#include <mutex>
#include <string>

#include <httplib.h>

#include <jobwire/dedup.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/reconcile.hpp>
#include <jobwire/requests.hpp>
#include <jobwire/stores/sqlite.hpp>
#include <jobwire/verify.hpp>

#include "app_store.hpp"
#include "example_args.hpp"
#include "receiver_stats.hpp"

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct receiver {
  jobwire::verifier secrets;
  example::app_store db;
  jobwire::sqlite_dedup_store dedup;  // attached to db's connection: one transaction for all
  httplib::Client gateway;
  bool test_hooks = false;
  example::receiver_stats stats;
  std::mutex lock;  // one SQLite connection, used by one request at a time
};

/// The decision for one delivery, as the HTTP reply carries it.
struct reply {
  jobwire::receiver_decision action = jobwire::receiver_decision::reject;
  int http_status = 500;
  jobwire::errc reason = jobwire::errc::ok;
  std::string detail, job_id, delivery_key, event_id;
  unsigned attempt = 0;
};

/// PIPELINE: the one place that hands a delivery to jobwire.
reply handle(receiver& r, const httplib::Request& req);

}  // namespace

int main(int argc, char** argv) {
  example::block_stop_signals();
  example::args a(argc, argv, {"--db", "--secret", "--gateway", "--port"}, {"--test-hooks"});
  std::string why;
  auto db = example::app_store::open(a.required("--db"), why);
  if (!db) return std::fprintf(stderr, "receiver: %s\n", why.c_str()), 3;
  auto dedup = jobwire::sqlite_dedup_store::attach(db->handle());
  auto secrets = jobwire::verifier::create({std::string_view(a.required("--secret"))});
  if (!dedup || !secrets) return std::fprintf(stderr, "receiver: store or secret rejected\n"), 3;
  receiver r{std::move(*secrets), std::move(*db), std::move(*dedup), httplib::Client(a.required("--gateway")),
             a.has("--test-hooks"), {}, {}};
  r.gateway.set_connection_timeout(std::chrono::seconds(5));

  httplib::Server server;
  server.Post("/webhooks/video", [&r](const httplib::Request& req, httplib::Response& res) {
    reply d = handle(r, req);
    std::string body;
    jobwire::json::writer w(body);
    w.begin_object().field("action", jobwire::receiver_decision_name(d.action)).field("http_status", d.http_status)
        .field("reason", d.reason == jobwire::errc::ok ? d.detail : std::string(jobwire::error_name(d.reason)))
        .field("job_id", d.job_id).field("delivery_key", d.delivery_key).end_object();
    res.status = d.http_status;
    res.set_content(body, "application/json");
    r.stats.record(d.action, d.reason,
                   {d.job_id, d.delivery_key, d.event_id, std::string(jobwire::receiver_decision_name(d.action)),
                    d.reason == jobwire::errc::ok ? d.detail : std::string(jobwire::error_name(d.reason)), d.attempt,
                    d.http_status});
  });
  server.Get("/stats", [&r](const httplib::Request&, httplib::Response& res) {
    res.set_content(r.stats.to_json(), "application/json");
  });
  server.Get("/metrics", [&r](const httplib::Request&, httplib::Response& res) {
    res.set_content(r.stats.prometheus(), std::string(jobwire::prometheus_content_type));
  });
  return example::serve_loopback(server, static_cast<int>(a.number("--port", 0)), "receiver");
}

namespace {

reply finish(reply& out, jobwire::receiver_decision action, int http_status, jobwire::errc reason = jobwire::errc::ok,
             std::string detail = {}) {
  out.action = action;
  out.http_status = http_status;
  out.reason = reason;
  out.detail = std::move(detail);
  return out;
}

bool hook_fails(const receiver& r, const httplib::Request& req, const reply& d) {
  if (!r.test_hooks) return false;
  if (req.get_param_value("fail_always") == d.delivery_key) return true;
  return req.get_param_value("fail_first") == d.delivery_key && d.attempt == 1;
}

reply handle(receiver& r, const httplib::Request& req) {
  using jobwire::receiver_decision;
  using jobwire::reconcile_action;
  reply out;
  const std::int64_t t = now_ms();
  std::lock_guard<std::mutex> guard(r.lock);
  // §13.1: verify the exact raw bytes before any JSON is parsed.
  auto verified = jobwire::verify_delivery(req.body, req.headers, r.secrets, t / 1000);
  if (!verified) return finish(out, receiver_decision::reject, 401, verified.code());
  jobwire::payload_options po;
  po.allow_inconsistent_status = true;  // a contradiction is reconciliation's to judge (§13.3)
  auto env = jobwire::parse_envelope(req.body, po);
  if (!env) return finish(out, receiver_decision::reject, 400, env.code());
  out.job_id = std::string(env->data.id.str());
  out.delivery_key = env->delivery.present ? std::string(env->delivery.key_text) : std::string(env->type_text);
  out.event_id = std::string(env->id);
  out.attempt = env->delivery.attempt;
  // §13.2: claim (job id, delivery key) before any side effect.
  auto key = jobwire::dedup_key::for_delivery(out.job_id, out.delivery_key);
  if (!key) return finish(out, receiver_decision::reject, 400, key.code());
  const jobwire::dedup_time now{std::chrono::milliseconds(t)};
  auto claim = r.dedup.claim(*key, now, jobwire::default_claim_lease);
  if (!claim) return finish(out, receiver_decision::in_flight, 503, claim.code());
  if (claim->state == jobwire::claim_state::done) return finish(out, receiver_decision::duplicate, 200);
  if (claim->state == jobwire::claim_state::in_flight) return finish(out, receiver_decision::in_flight, 503);
  auto give_up = [&](jobwire::errc why) {  // release so the sender's retry is processed
    (void)r.dedup.release(*key, claim->token);
    return finish(out, receiver_decision::in_flight, 503, why);
  };
  // §13.3: reconcile against the state held for the job; refetch the status when they disagree.
  const auto held = r.db.load(out.job_id);
  auto decision = jobwire::reconcile(held, jobwire::update_from(env->data));
  receiver_decision action = receiver_decision::process;
  if (decision.action == reconcile_action::refetch) {
    action = receiver_decision::refetch;
    example::refetch_record rec{out.job_id, std::string(jobwire::reconcile_reason_name(decision.reason)), {}, 0};
    auto fetched = r.gateway.Get(jobwire::status_request(env->data.id).target());
    rec.http_status = fetched ? fetched->status : 0;
    auto status = fetched && fetched->status == 200 ? jobwire::parse_status_object(fetched->body, po)
                                                    : jobwire::result<jobwire::status_view>(jobwire::errc::store_unavailable);
    if (status) rec.status = std::string(jobwire::job_status_name(status->status));
    r.stats.refetch(rec);
    if (!status) return give_up(status.code());
    decision.next = jobwire::state_from(*status, held);
    decision.action = held && decision.next == *held ? reconcile_action::no_change : reconcile_action::apply;
  } else if (decision.action != reconcile_action::apply) {
    action = decision.action == reconcile_action::no_change ? receiver_decision::no_change : receiver_decision::ignore_stale;
  }
  const bool apply = decision.action == reconcile_action::apply;
  if (apply && hook_fails(r, req, out)) {
    r.stats.side_effect(out.job_id, out.delivery_key, false);
    return give_up(jobwire::errc::handler_failed);
  }
  // Side effect, new job state and dedup commit in one transaction, then 2xx (§13.2).
  bool ok = r.db.begin();
  if (ok && apply)
    ok = r.db.record_side_effect(out.job_id, out.delivery_key, out.event_id, decision.next, out.attempt, t) &&
         r.db.save(out.job_id, decision.next, t);
  ok = ok && r.dedup.commit(*key, claim->token, now) && r.db.commit();
  if (!ok) {
    r.db.rollback();
    return give_up(jobwire::errc::store_unavailable);
  }
  if (apply) r.stats.side_effect(out.job_id, out.delivery_key, true);
  return finish(out, action, 200, jobwire::errc::ok, std::string(jobwire::reconcile_reason_name(decision.reason)));
}

}  // namespace
