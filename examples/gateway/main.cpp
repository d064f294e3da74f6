// jobwire-gateway — a simulated video gateway on loopback: the sender's side of jobwire.
//
//   jobwire-gateway [--port N] [--time-scale S] [--dev-callbacks] [--policy strict|ai-stats]
//                   [--outbox PATH] [--outbox-workers N]
//
// --outbox PATH: deliveries go through a durable SQLite outbox (jobwire/outbox_delivery.hpp,
// stores/sqlite_outbox.hpp) and are sent by the worker of `jobwire outbox work`
// (tools/jobwire/outbox_worker.hpp), N threads, retries on the same compressed clock; the
// jobs' ledgers are fed from the worker's attempts. Without it, the in-process path below
// (send at once, the sweep for retries). In outbox mode a forced resend of a key (scenario
// `duplicate`) is refused by the outbox's idempotency (§16.7), as the service's is.
//
// POST /v1/videos                 create a job (202); its `webhook` subscription is validated
//                                 with jobwire (callback URL policy, event normalisation)
// GET  /v1/videos/{id}            the status object (PROTOCOL.md §5)
// GET  /v1/videos/{id}/content    the output bytes, once completed
// GET  /sim/stats                 per job: status, ledger summary, attempts, health (JSON)
// GET  /metrics                   Prometheus exposition of the sender counters (monitor.hpp)
// GET  /dashboard                 the operations page, sender's view, over /dashboard.json
//                                 (docs/DASHBOARD.md; times on the delivery clock)
//
// Time: the delivery clock runs S times faster than real time (default 600), so the
// service's retry schedule (60 s, 300 s, 900 s, swept every 5 minutes; §12) plays out in
// seconds, unchanged. Ledger times are on that clock. Signature timestamps use the real
// clock, because the receiver checks their freshness against its own.
//
// Scenarios (simulation only; request header `x-sim-scenario` on create):
//   normal, fail_generation, duplicate (re-sends the delivered video.completed),
//   tampered (sends a copy of video.completed with an altered body and the old signature),
//   stale_progress (a progress delivery after completion), conflicting_terminal
//   (video.failed after video.completed while the status endpoint says completed).
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include <jobwire/callback_url.hpp>
#include <jobwire/events.hpp>
#include <jobwire/job.hpp>
#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/ledger.hpp>
#include <jobwire/monitor.hpp>
#include <jobwire/retry.hpp>
#include <jobwire/sender.hpp>
#include <jobwire/subscription.hpp>

#include <jobwire/outbox_delivery.hpp>
#include <jobwire/stores/sqlite_outbox.hpp>

#include "dashboard_http.hpp"
#include "example_args.hpp"
#include "outbox_worker.hpp"

namespace {

using jobwire::lifecycle_status;

std::int64_t real_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// What the job looks like at one moment; a delivery carries one (possibly an old one).
struct snapshot {
  lifecycle_status lifecycle = lifecycle_status::pending;
  int progress = 0;
  std::string error;
};

struct injected_send {
  std::string what, delivery_key;
  int http_status = 0;
};

struct job {
  std::string id, internal_id, model, prompt, scenario;
  std::int64_t created_ms = 0;
  snapshot now;  // the truth the status endpoint serves
  std::optional<jobwire::webhook_subscription> webhook;
  std::optional<jobwire::delivery_sender> sender;       // the subscription's secret, prepared once
  std::map<std::string, jobwire::delivery> deliveries;  // delivery key → its latest built attempt
  jobwire::attempt_ledger ledger;
  std::vector<injected_send> injected;
  bool script_done = false;
  unsigned attempt_ids = 0;
  // Scenario `status_changed`: the job is sent as the current service sends it (profile
  // phaseo, PROTOCOL.md §16): x-phaseo-* headers and a status_changed delivery for every
  // change of its stored (raw) status.
  bool phaseo = false;
  std::string raw_status = "queued";
};

/// One attempt as cpp-httplib sends it: jobwire's headers and body, copied out of the lock.
struct outgoing {
  httplib::Headers headers;
  std::string content_type, body;

  explicit outgoing(const jobwire::delivery& d) : content_type(d.header("content-type")), body(d.body()) {
    for (const auto& [name, value] : d.headers())
      if (name != "content-type") headers.emplace(std::string(name), std::string(value));  // passed separately
  }
};

class gateway {
 public:
  gateway(double scale, jobwire::subscription_options sub_opt) : scale_(scale), t0_(real_ms()), sub_opt_(sub_opt) {}

  /// The delivery clock (Unix ms, running `scale` times faster than real time from start-up).
  std::int64_t sim_ms() const { return t0_ + static_cast<std::int64_t>(static_cast<double>(real_ms() - t0_) * scale_); }
  void sleep_real(int ms) const { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

  void create(const httplib::Request& req, httplib::Response& res);
  void status(const std::string& id, httplib::Response& res);
  void content(const std::string& id, httplib::Response& res);
  std::string stats_json();
  std::string metrics();
  std::string dashboard_json();
  void sweep_forever();
  void stop() {
    stopping_ = true;
    for (auto& t : threads_) t.join();
    if (outbox_worker_) {
      outbox_stop_ = true;
      outbox_worker_->wake();
      outbox_thread_.join();
    }
  }

  /// Outbox mode: deliveries are enqueued to the SQLite outbox at `path` and sent by
  /// `workers` threads of the outbox worker. Call before serving.
  bool use_outbox(const std::string& path, unsigned workers, bool dev_callbacks);
  bool outbox_mode() const { return static_cast<bool>(outbox_worker_); }

 private:
  void run_script(job* j);
  void set_state(job* j, snapshot s);
  void emit(job* j, jobwire::phase p, const snapshot& data, bool force = false, std::string_view previous_status = {},
            std::string_view status = {});
  void send_attempt(job* j, const std::string& key_text, unsigned attempt);
  void inject_tampered(job* j);
  /// Posts `out` to `url`; `cut` says whether the request was cut at its deadline.
  httplib::Result post(const std::string& url, const outgoing& out, bool& cut);
  jobwire::delivery_event event_of(const job& j, jobwire::phase p, const snapshot& data, std::string& data_json);
  void write_data(jobwire::json::writer& w, const job& j, const snapshot& s);
  void write_webhook(jobwire::json::writer& w, const job& j);
  std::string polling_path(const job& j) const { return "/v1/videos/" + j.id; }

  double scale_;
  std::int64_t t0_;
  jobwire::subscription_options sub_opt_;
  jobwire::retry_policy policy_ = jobwire::default_retry_policy;
  std::mutex m_;
  std::map<std::string, std::unique_ptr<job>> jobs_;
  std::vector<job*> order_;
  jobwire::sender_counters counters_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::mt19937_64 rng_{std::random_device{}()};

  // Outbox mode (use_outbox).
  void enqueue(job* j, const jobwire::delivery_event& ev);
  void on_outbox_attempt(const jobwire_outbox::attempt_event& e);
  std::shared_ptr<jobwire::sqlite_outbox_store> outbox_;  // enqueue and counts; the worker opens its own
  std::string outbox_path_;
  bool outbox_dev_ = false;
  jobwire_outbox::worker_metrics outbox_metrics_;
  std::unique_ptr<jobwire_outbox::worker<jobwire::sqlite_outbox_store>> outbox_worker_;
  std::thread outbox_thread_;
  std::atomic<bool> outbox_stop_{false};
  std::mutex outbox_m_;  // the outbox_ connection is used by request threads and /metrics
};

std::string lower_hex(std::uint64_t v, int digits) {
  static const char* hex = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = hex[v & 0xF];
  return s;
}

// --- HTTP endpoints --------------------------------------------------------------------------

void gateway::create(const httplib::Request& req, httplib::Response& res) {
  auto doc = jobwire::json::parse(req.body);
  auto obj = doc ? doc->get_object() : jobwire::result<jobwire::json::object>(jobwire::errc::invalid_field);
  auto fail = [&](int code, std::string_view reason) {
    std::string body;
    jobwire::json::writer(body)
        .begin_object()
        .key("error")
        .begin_object()
        .field("code", reason)
        .end_object()
        .end_object();
    res.status = code;
    res.set_content(body, "application/json");
  };
  if (!obj) return fail(400, doc ? "invalid_request" : jobwire::error_name(doc.code()));
  auto j = std::make_unique<job>();
  auto text = [&](const char* k) {
    auto v = obj->find(k);
    auto s = v.is_string() ? v.get_string() : jobwire::result<jobwire::json::string>(jobwire::errc::invalid_field);
    return s ? s->to_string() : std::string();
  };
  j->model = text("model");
  j->prompt = text("prompt");
  if (j->model.empty() || j->prompt.empty()) return fail(400, "missing_model_or_prompt");
  j->scenario = req.has_header("x-sim-scenario") ? req.get_header_value("x-sim-scenario") : "normal";
  j->phaseo = j->scenario == "status_changed";
  const jobwire::profile& prof = j->phaseo ? jobwire::profiles::phaseo : jobwire::profiles::ai_stats;
  jobwire::subscription_options sub_opt = sub_opt_;
  sub_opt.events.prof = &prof;  // the phase set: status_changed exists under phaseo only
  // PROTOCOL.md §7, §8: the subscription is validated by jobwire; a bad callback URL or
  // event list refuses the job with the reason code.
  auto hook = obj->find("webhook");
  if (hook.exists() && !hook.is_null()) {
    auto sub = jobwire::parse_webhook_subscription(hook, sub_opt, req.body.data());
    if (!sub) return fail(400, jobwire::error_name(sub.code()));
    auto sender = jobwire::delivery_sender::create(sub->secret, prof, jobwire::default_retry_policy);
    if (!sender) return fail(400, jobwire::error_name(sender.code()));
    j->sender = std::move(*sender);
    j->webhook = std::move(*sub);
    j->webhook->ignored.clear();  // views into the request body, which is about to go away
  }
  std::lock_guard<std::mutex> lock(m_);
  j->internal_id = "gen_" + lower_hex(rng_(), 12);
  j->id = "G-" + lower_hex(rng_(), 16);
  j->created_ms = sim_ms();
  job* raw = j.get();
  order_.push_back(raw);
  jobs_[j->id] = std::move(j);
  std::string body;
  jobwire::json::writer(body)
      .begin_object()
      .field("id", raw->id)
      .field("polling_url", polling_path(*raw))
      .field("status", "pending")
      .end_object();
  res.status = 202;
  res.set_content(body, "application/json");
  threads_.emplace_back([this, raw] { run_script(raw); });
}

void gateway::status(const std::string& id, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    res.status = 404;
    return;
  }
  const job& j = *it->second;
  const auto st = jobwire::to_job_status(j.now.lifecycle);
  std::string body;
  jobwire::json::writer w(body);
  w.begin_object().field("id", j.id).field("object", "video").field("status", jobwire::job_status_name(st));
  w.field("lifecycle_status", jobwire::lifecycle_status_name(j.now.lifecycle)).field("output_access", "bytes");
  w.field("progress", j.now.progress).field("progress_source", "provider").field("polling_url", polling_path(j));
  // §5 says 20 s; on the compressed clock that is 20/S real seconds.
  w.field("poll_after_seconds", 20.0 / scale_).field("created_at", j.created_ms / 1000);
  w.field("provider", "simulated").field("model", j.model);
  w.key("outputs").begin_array();
  if (j.now.lifecycle == lifecycle_status::completed)
    w.begin_object()
        .field("index", 0)
        .field("mime_type", "video/mp4")
        .field("bytes_available", true)
        .field("content_url", polling_path(j) + "/content")
        .end_object();
  w.end_array();
  if (!j.now.error.empty()) w.key("error").begin_object().field("message", j.now.error).end_object();
  if (j.webhook) write_webhook(w, j);
  w.end_object();
  res.set_content(body, "application/json");
}

void gateway::content(const std::string& id, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    res.status = 404;
    return;
  }
  if (it->second->now.lifecycle != lifecycle_status::completed) {
    res.status = 409;
    return;
  }
  // Stand-in output: a few bytes that identify the job, served as the video.
  res.set_content("simulated video for " + it->second->id + ": " + it->second->prompt + "\n", "video/mp4");
}

// --- the job script ----------------------------------------------------------------------------

void gateway::run_script(job* j) {
  // Real time: a job takes about a second and a half. Progress values give buckets
  // 10, 30, 50, 70, 80 (PROTOCOL.md §11); 47 → 50 shows the rounding.
  const bool fails = j->scenario == "fail_generation";
  const int steps[] = {12, 31, 47, 68, 83};
  sleep_real(300);
  for (int p : steps) {
    if (fails && p > 40) break;
    set_state(j, {lifecycle_status::running, p, {}});
    sleep_real(150);
  }
  if (fails) {
    set_state(j, {lifecycle_status::failed, 31, "the provider rejected the request (simulated)"});
  } else {
    set_state(j, {lifecycle_status::completed, 100, {}});
    const snapshot done{lifecycle_status::completed, 100, {}};
    if (j->scenario == "duplicate") emit(j, jobwire::phase::completed, done, /*force=*/true);
    if (j->scenario == "tampered") inject_tampered(j);
    // A late delivery from before completion: the bucket 90 was never sent.
    if (j->scenario == "stale_progress") emit(j, jobwire::phase::progress, {lifecycle_status::running, 90, {}});
    // A report of a different terminal state than the one the status endpoint holds.
    if (j->scenario == "conflicting_terminal")
      emit(j, jobwire::phase::failed, {lifecycle_status::failed, 83, "conflicting report (simulated)"});
  }
  std::lock_guard<std::mutex> lock(m_);
  j->script_done = true;
}

void gateway::set_state(job* j, snapshot s) {
  jobwire::phase p = jobwire::phase::progress;
  if (s.lifecycle == lifecycle_status::completed) p = jobwire::phase::completed;
  if (s.lifecycle == lifecycle_status::failed) p = jobwire::phase::failed;
  // The stored (raw) status the current service keeps: queued, in_progress, then terminal.
  const std::string raw = s.lifecycle == lifecycle_status::pending ? "queued"
                          : s.lifecycle == lifecycle_status::running
                              ? "in_progress"
                              : std::string(jobwire::lifecycle_status_name(s.lifecycle));
  std::string previous;
  {
    std::lock_guard<std::mutex> lock(m_);
    j->now = s;
    if (j->phaseo && raw != j->raw_status) previous = std::exchange(j->raw_status, raw);
  }
  // §16.1: a change of the stored status is a status_changed delivery, sent before the
  // terminal event of a terminal change (the receiver must not take it as terminal).
  if (!previous.empty()) emit(j, jobwire::phase::status_changed, s, false, previous, raw);
  emit(j, p, s);
}

/// The event for phase `p` carrying `data` (the job as it was when the event happened).
jobwire::delivery_event gateway::event_of(const job& j, jobwire::phase p, const snapshot& data,
                                          std::string& data_json) {
  jobwire::json::writer w(data_json);
  write_data(w, j, data);
  jobwire::delivery_event ev;
  ev.kind = jobwire::kind::video;
  ev.job_id = j.id;
  ev.internal_id = j.internal_id;
  ev.phase = p;
  ev.progress = data.progress;
  ev.data = data_json;
  ev.created_at = sim_ms() / 1000;
  return ev;
}

/// Dispatches the event for phase `p` when jobwire says it starts (§7 subscription, §11
/// bucket, §12 send rule: a key already delivered, queued or failed is not sent again
/// unless forced), then sends attempt 1.
void gateway::emit(job* j, jobwire::phase p, const snapshot& data, bool force, std::string_view previous_status,
                   std::string_view status) {
  std::string key_text;
  {
    std::lock_guard<std::mutex> lock(m_);
    if (!j->webhook || !j->sender) return;
    std::string data_json;
    jobwire::delivery_event ev = event_of(*j, p, data, data_json);
    if (p == jobwire::phase::status_changed) {
      ev.previous_status = previous_status;
      ev.status = status;
    }
    auto key = j->sender->check_subscribed(j->webhook->events, ev);
    if (!key) return;  // not subscribed, or a progress value without a bucket
    const jobwire::void_result unforced = j->sender->check_dispatch(j->webhook->events, ev, j->ledger);
    counters_.record_send_check(unforced, force);
    if (!unforced && !force) return;
    auto built = j->sender->build(ev, real_ms() / 1000, jobwire::first_attempt_number);
    if (!built) {
      std::fprintf(stderr, "gateway: %s: delivery not built: %s\n", j->id.c_str(),
                   std::string(jobwire::error_name(built.code())).c_str());
      return;
    }
    key_text = std::string(built->delivery_key_text());
    if (outbox_mode()) {
      enqueue(j, ev);
      return;
    }
    j->deliveries.insert_or_assign(key_text, std::move(*built));
  }
  send_attempt(j, key_text, jobwire::first_attempt_number);
}

// --- outbox mode ----------------------------------------------------------------------------------

bool gateway::use_outbox(const std::string& path, unsigned workers, bool dev_callbacks) {
  auto open = [path](std::string& why) -> std::shared_ptr<jobwire::sqlite_outbox_store> {
    auto st = jobwire::sqlite_outbox_store::open(path);
    if (!st) {
      why = std::string(jobwire::error_name(st.code()));
      return nullptr;
    }
    return std::make_shared<jobwire::sqlite_outbox_store>(std::move(*st));
  };
  std::string why;
  outbox_ = open(why);
  if (!outbox_) {
    std::fprintf(stderr, "gateway: cannot open the outbox %s: %s\n", path.c_str(), why.c_str());
    return false;
  }
  outbox_path_ = path;
  outbox_dev_ = dev_callbacks;
  jobwire_outbox::worker_options opt;
  opt.threads = workers;
  opt.time_scale = scale_;  // the service's schedule on the delivery clock, as the sweep runs it
  opt.lease = std::chrono::seconds(30);
  opt.name = "jobwire-gateway";
  opt.on_attempt = [this](const jobwire_outbox::attempt_event& e) { on_outbox_attempt(e); };
  outbox_worker_ = std::make_unique<jobwire_outbox::worker<jobwire::sqlite_outbox_store>>(open, opt, outbox_metrics_);
  outbox_thread_ = std::thread([this] { outbox_worker_->run(outbox_stop_); });
  return true;
}

/// Writes the event to the outbox (called with m_ held): the job's secret, profile and the
/// event as built, idempotent on (job id, delivery key).
void gateway::enqueue(job* j, const jobwire::delivery_event& ev) {
  jobwire::outbox_message msg;
  msg.prof = &j->sender->prof();
  msg.kind = ev.kind;
  msg.job_id = std::string(ev.job_id);
  msg.internal_id = std::string(ev.internal_id);
  msg.phase = ev.phase;
  msg.progress = ev.progress;
  if (ev.previous_status) msg.previous_status = std::string(*ev.previous_status);
  msg.status = std::string(ev.status);
  msg.data = std::string(ev.data);
  msg.created_at = ev.created_at.value_or(real_ms() / 1000);
  msg.secret = j->webhook->secret;
  msg.local_callbacks = outbox_dev_;
  auto key = jobwire::outbox_delivery_key(msg);
  if (!key) return;
  std::string payload;
  jobwire::write_outbox_payload(payload, msg);
  std::lock_guard<std::mutex> lock(outbox_m_);
  auto r = outbox_->enqueue({msg.job_id, *key, j->webhook->url, payload}, jobwire_outbox::wall_now());
  if (!r)
    std::fprintf(stderr, "gateway: %s: not enqueued: %s\n", j->id.c_str(),
                 std::string(jobwire::error_name(r.code())).c_str());
}

/// The worker's attempt, into the job's ledger on the delivery clock (the status object,
/// /sim/stats and the dashboard read the ledger as in the in-process mode).
void gateway::on_outbox_attempt(const jobwire_outbox::attempt_event& e) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = jobs_.find(e.lease.job_id);
  if (it == jobs_.end()) return;
  job* j = it->second.get();
  const std::int64_t real = real_ms(), sim = sim_ms();
  auto to_sim = [&](std::int64_t real_at) {
    return sim + static_cast<std::int64_t>(static_cast<double>(real_at - real) * scale_);
  };
  jobwire::retry_decision d;
  d.attempt = e.lease.attempt;
  d.max_attempts = jobwire::outbox_retry_policy(*e.message.prof).max_attempts;
  switch (e.record.state) {
    case jobwire::outbox_state::delivered: d.status = jobwire::attempt_status::delivered; break;
    case jobwire::outbox_state::scheduled_retry:
      d.status = jobwire::attempt_status::scheduled_retry;
      d.next_attempt = e.lease.attempt + 1;
      d.next_retry_at_ms = to_sim(e.record.next_attempt_at_ms);
      break;
    default: d.status = jobwire::attempt_status::failed_permanently; break;
  }
  counters_.record_attempt(e.observation.outcome, d);
  const std::string attempt_id = "att_" + j->internal_id + "_" + std::to_string(++j->attempt_ids);
  const std::string type = e.lease.delivery_key.substr(0, e.lease.delivery_key.find(':'));
  jobwire::attempt_report report;
  report.id = attempt_id;
  report.delivery_key = e.lease.delivery_key;
  report.event_type = type;
  report.outcome = e.observation.outcome;
  report.tried_at_ms = to_sim(e.record.tried_at_ms);
  report.responded_at_ms = sim;
  report.error_message = e.error;
  report.response_body = e.response_body;
  if (j->phaseo) report.preview_counting = jobwire::preview_unit::bytes;
  if (auto rec = jobwire::make_attempt_record(report, d, j->sender->prof())) j->ledger.append(std::move(*rec));
}

httplib::Result gateway::post(const std::string& url, const outgoing& out, bool& cut) {
  // Callback URLs were validated at subscription time (§8); redirects are not followed.
  const std::size_t path_at = url.find('/', url.find("//") + 2);
  // The timeout bounds the whole request (§12, §16.5), not each read: a receiver that
  // answers a byte at a time would otherwise hold this thread (outbox_worker.hpp,
  // request_deadline). A request cut there is a timeout.
  thread_local jobwire_outbox::request_deadline deadline;
  jobwire_outbox::request_deadline::connection conn(deadline);
  httplib::Client client(url.substr(0, path_at));
  client.set_follow_location(false);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(policy_.request_timeout_seconds));
  client.set_socket_options([&conn](int sock) { conn.adopt(sock); });
  jobwire_outbox::request_deadline::armed watch(
      deadline, conn, std::chrono::steady_clock::now() + std::chrono::seconds(policy_.request_timeout_seconds));
  auto res =
      client.Post(path_at == std::string::npos ? "/" : url.substr(path_at), out.headers, out.body, out.content_type);
  cut = watch.cut();
  return res;
}

/// Sends attempt `attempt` of the delivery built for `key_text` (a retry gets a fresh
/// timestamp and signature, same event id and body otherwise; §12), then records the
/// outcome in the ledger; a scheduled retry is left for the sweep.
void gateway::send_attempt(job* j, const std::string& key_text, unsigned attempt) {
  std::optional<outgoing> out;
  std::string url, type;
  {
    std::lock_guard<std::mutex> lock(m_);
    auto it = j->deliveries.find(key_text);
    if (it == j->deliveries.end()) return;
    if (attempt != it->second.attempt() && !j->sender->next_attempt(it->second, attempt, real_ms() / 1000)) return;
    out.emplace(it->second);
    type = jobwire::format_event_type(it->second.type());
    url = j->webhook->url;
  }
  const std::int64_t tried = sim_ms();
  bool cut = false;
  auto res = post(url, *out, cut);
  // cpp-httplib reports a read timeout as a read error; both count as failures (§12), as
  // does a request cut at its deadline.
  const jobwire::attempt_outcome outcome =
      res ? jobwire::attempt_outcome::http(res->status)
          : (cut || res.error() == httplib::Error::Read ? jobwire::attempt_outcome::timed_out()
                                                        : jobwire::attempt_outcome::network_failure());
  std::lock_guard<std::mutex> lock(m_);
  auto decision = jobwire::decide_attempt(policy_, attempt, outcome, tried);
  if (!decision) return;
  counters_.record_attempt(outcome, *decision);
  const std::string attempt_id = "att_" + j->internal_id + "_" + std::to_string(++j->attempt_ids);
  jobwire::attempt_report report;
  report.id = attempt_id;
  report.delivery_key = key_text;
  report.event_type = type;
  report.outcome = outcome;
  report.tried_at_ms = tried;
  report.responded_at_ms = sim_ms();
  report.response_body = res ? std::string_view(res->body) : std::string_view();
  // A job sent as the current service sends it keeps that service's previews: the first
  // 500 bytes, decoded lossily (PROTOCOL.md §16); the seed-era jobs keep jobwire's count.
  if (j->phaseo) report.preview_counting = jobwire::preview_unit::bytes;
  if (auto rec = jobwire::make_attempt_record(report, *decision, j->sender->prof())) j->ledger.append(std::move(*rec));
}

/// An attacker's (or a body-rewriting proxy's) copy of the completed delivery: headers
/// and signature valid for the original bytes, one value in the body changed.
void gateway::inject_tampered(job* j) {
  std::optional<outgoing> out;
  std::string url;
  {
    std::lock_guard<std::mutex> lock(m_);
    if (!j->webhook || !j->sender) return;
    std::string data_json;
    auto built = j->sender->build(
        event_of(*j, jobwire::phase::completed, {lifecycle_status::completed, 100, {}}, data_json), real_ms() / 1000);
    if (!built) return;
    out.emplace(*built);
    url = j->webhook->url;
  }
  const std::size_t at = out->body.find("\"progress\":100");
  if (at != std::string::npos) out->body.replace(at, 14, "\"progress\":99 ");
  bool cut = false;
  auto res = post(url, *out, cut);
  std::lock_guard<std::mutex> lock(m_);
  j->injected.push_back({"tampered", "video.completed", res ? res->status : 0});
}

// --- retries: the sweep (§12) ------------------------------------------------------------------

void gateway::sweep_forever() {
  if (outbox_mode()) return;  // the outbox worker sends the retries
  const std::int64_t interval_real_ms =
      static_cast<std::int64_t>(static_cast<double>(jobwire::retry_sweep_interval_seconds * 1000) / scale_);
  std::int64_t next = real_ms() + interval_real_ms;
  while (!stopping_) {
    if (real_ms() < next) {
      sleep_real(10);
      continue;
    }
    next += interval_real_ms;
    std::vector<std::pair<job*, jobwire::due_retry>> due;
    {
      std::lock_guard<std::mutex> lock(m_);
      const std::int64_t now = sim_ms();
      for (job* j : order_)
        for (auto& d : j->ledger.due_retries(now)) due.emplace_back(j, d);
    }
    for (auto& [j, d] : due) send_attempt(j, d.delivery_key, d.attempt_number);
  }
}

// --- the job payload ----------------------------------------------------------------------------

void gateway::write_data(jobwire::json::writer& w, const job& j, const snapshot& s) {
  w.begin_object().field("id", j.id).field("object", "video").field("kind", "video");
  w.field("status", jobwire::job_status_name(jobwire::to_job_status(s.lifecycle)));
  w.field("lifecycle_status", jobwire::lifecycle_status_name(s.lifecycle)).field("progress", s.progress);
  w.field("provider", "simulated").field("model", j.model).field("polling_url", polling_path(j));
  if (s.lifecycle == lifecycle_status::completed) w.field("content_url", polling_path(j) + "/content");
  if (!s.error.empty()) w.field("error", s.error);
  write_webhook(w, j);
  w.end_object();
}

void gateway::write_webhook(jobwire::json::writer& w, const job& j) {
  w.key("webhook").begin_object().field("url", j.webhook->url).key("events").begin_array();
  for (auto e : j.webhook->events) w.string(j.webhook->events.name(e));
  w.end_array().field("has_secret", j.webhook->has_secret());
  jobwire::write_webhook_delivery_members(w, j.ledger);
  w.end_object();
}

// --- observation --------------------------------------------------------------------------------

std::string gateway::stats_json() {
  std::lock_guard<std::mutex> lock(m_);
  std::string out;
  jobwire::json::writer w(out);
  w.begin_object().field("time_scale", scale_).key("jobs").begin_array();
  for (const job* j : order_) {
    const auto summary = j->ledger.summary();
    const auto health = jobwire::classify_job_health(jobwire::lifecycle_status_name(j->now.lifecycle),
                                                     jobwire::delivery_signals_of(j->ledger));
    std::size_t retried = 0, rejected = 0;
    for (const auto& a : j->ledger.history()) {
      if (a.attempt_number > 1) ++retried;
      // One vocabulary with the dashboards (examples/dashboard/dashboard.hpp): rejected =
      // answered with a non-2xx HTTP status; no response at all is neither.
      if (a.response_status && (*a.response_status < 200 || *a.response_status > 299)) ++rejected;
    }
    // The counts are the sender's ledger's, as on the dashboards; the simulation's injected
    // copies (a tampered body) are not attempts of the sender and are listed apart.
    w.begin_object().field("id", j->id).field("scenario", j->scenario).field("prompt", j->prompt);
    w.field("status", jobwire::job_status_name(jobwire::to_job_status(j->now.lifecycle)))
        .field("progress", j->now.progress);
    w.field("settled", j->script_done && summary.pending_retries == 0);
    w.field("health", health ? jobwire::job_health_name(*health) : jobwire::error_name(health.code()));
    w.field("attempted", j->ledger.size()).field("delivered", summary.delivered_events);
    w.field("retried", retried).field("rejected", rejected);
    w.key("injected").begin_array();
    for (const auto& i : j->injected)
      w.begin_object()
          .field("what", i.what)
          .field("delivery_key", i.delivery_key)
          .field("http_status", i.http_status)
          .end_object();
    w.end_array();
    if (j->webhook) {
      w.key("webhook").begin_object();
      jobwire::write_webhook_delivery_members(w, j->ledger);
      w.end_object();
      // The full retained history (the public view above shows only the last 10).
      w.key("history").begin_array();
      for (const auto& a : j->ledger.history()) jobwire::write_attempt(w, a);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  if (outbox_mode()) {
    std::lock_guard<std::mutex> olock(outbox_m_);
    if (auto c = outbox_->counts(jobwire_outbox::wall_now()))
      w.key("outbox")
          .begin_object()
          .field("pending", c->pending)
          .field("scheduled_retry", c->scheduled_retry)
          .field("delivered", c->delivered)
          .field("failed_permanently", c->failed_permanently)
          .field("endpoints_disabled", c->endpoints_disabled)
          .end_object();
  }
  w.end_object();
  return out;
}

/// The dashboard's document (sender's view): each job's status and its own ledger.
std::string gateway::dashboard_json() {
  std::lock_guard<std::mutex> lock(m_);
  std::vector<jobwire_dashboard::job_row> rows;
  for (const job* j : order_) {
    jobwire_dashboard::job_input in;
    in.id = j->id;
    in.label = j->scenario;
    in.status = jobwire::lifecycle_status_name(j->now.lifecycle);
    in.progress = j->now.progress;
    in.job_error = j->now.error;
    in.ledger = j->webhook ? &j->ledger : nullptr;
    rows.push_back(jobwire_dashboard::make_row(in));
  }
  jobwire_dashboard::document_sources src;
  src.kind = jobwire_dashboard::view::sender;
  // The ledger's clock, so "in 30 s" reads right against its times; the document says it is
  // simulated (and how fast), so the page does not show simulated hours as wall time.
  src.now_ms = sim_ms();
  src.clock.scale = scale_;
  src.clock.wall_now_ms = real_ms();
  std::optional<jobwire::outbox_counts> counts;
  if (outbox_mode()) {
    std::lock_guard<std::mutex> olock(outbox_m_);
    if (auto c = outbox_->counts(jobwire_outbox::wall_now())) counts = *c;
  }
  if (counts) src.outbox = &*counts;
  return jobwire_dashboard::render_document(rows, src);
}

std::string gateway::metrics() {
  std::lock_guard<std::mutex> lock(m_);
  jobwire::health_counts health;
  for (const job* j : order_) {
    auto h = jobwire::classify_job_health(jobwire::lifecycle_status_name(j->now.lifecycle),
                                          jobwire::delivery_signals_of(j->ledger));
    if (h) health.add(*h);
  }
  jobwire::exposition_sources src;
  src.sender = &counters_;
  src.health = &health;
  std::string out;
  (void)jobwire::append_prometheus_text(out, src);
  if (outbox_mode()) {
    std::lock_guard<std::mutex> olock(outbox_m_);
    auto c = outbox_->counts(jobwire_outbox::wall_now());
    out += jobwire_outbox::prometheus_text(outbox_metrics_, c ? &*c : nullptr);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  example::block_stop_signals();
  example::args a(argc, argv, {"--port", "--time-scale", "--policy", "--outbox", "--outbox-workers"},
                  {"--dev-callbacks"});
  jobwire::subscription_options opt;
  auto policy = jobwire::parse_url_policy(a.get("--policy", "strict"));
  if (!policy) return std::fprintf(stderr, "gateway: unknown policy\n"), 2;
  opt.url.policy = *policy;
  // PROTOCOL.md §8: http://127.0.0.1 callbacks only with the explicit development flag.
  if (a.has("--dev-callbacks")) opt.url.leniency |= jobwire::lenient::local_callback_urls;
  const double scale = a.number("--time-scale", 600);
  if (!(scale >= 1 && scale <= 100000)) return std::fprintf(stderr, "gateway: --time-scale must be 1..100000\n"), 2;
  gateway g(scale, opt);
  if (a.has("--outbox")) {
    const double workers = a.number("--outbox-workers", 2);
    if (!(workers >= 1 && workers <= 64)) return std::fprintf(stderr, "gateway: --outbox-workers must be 1..64\n"), 2;
    if (!g.use_outbox(a.get("--outbox"), static_cast<unsigned>(workers), a.has("--dev-callbacks"))) return 3;
  }
  std::thread sweeper([&g] { g.sweep_forever(); });

  httplib::Server server;
  server.Post("/v1/videos", [&g](const httplib::Request& req, httplib::Response& res) { g.create(req, res); });
  server.Get(R"(/v1/videos/([^/]+))",
             [&g](const httplib::Request& req, httplib::Response& res) { g.status(req.matches[1], res); });
  server.Get(R"(/v1/videos/([^/]+)/content)",
             [&g](const httplib::Request& req, httplib::Response& res) { g.content(req.matches[1], res); });
  server.Get("/sim/stats", [&g](const httplib::Request&, httplib::Response& res) {
    res.set_content(g.stats_json(), "application/json");
  });
  server.Get("/metrics", [&g](const httplib::Request&, httplib::Response& res) {
    res.set_content(g.metrics(), std::string(jobwire::prometheus_content_type));
  });
  jobwire_dashboard::mount(server, [&g] { return g.dashboard_json(); });
  const int rc = example::serve_loopback(server, static_cast<int>(a.number("--port", 0)), "gateway");
  g.stop();
  sweeper.join();
  return rc;
}
