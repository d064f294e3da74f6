// jobwire receive --secret S --header ... --body B --db PATH [--now N] [--fail-side-effect]
//                 [--handler-delay-ms N]
// (docs/CLI.md, docs/RECEIVING.md, PROTOCOL.md §13). The whole receiver pipeline runs in
// jobwire::receive_delivery; this file only provides the host's parts, all in the SQLite
// file at PATH:
//   - the dedup store (stores/sqlite.hpp, table jobwire_dedup);
//   - job state: table receive_jobs(job_id, lifecycle, progress);
//   - the side effect: one row in receive_side_effects per processed delivery, written in
//     the same transaction as the new job state (durable before the 2xx, §13.2);
//   - refetch: one row in receive_refetches (the fetch is durably scheduled; this
//     command makes no network calls);
//   - Standard Webhooks deliveries (PROTOCOL.md §17) run jobwire::receive_webhook: dedup
//     on the webhook-id, no job state; the side effect is one row in
//     receive_webhook_messages (message id, dedup key, event type and data.id when the
//     body is JSON of the usual shapes).
// Several `receive` processes may run on one PATH at once: receive_delivery holds the
// job's lease (dedup_key::for_job, in jobwire_dedup) from the state load to the commit,
// so two deliveries of one job never reconcile against the same loaded state; the
// second answers in_flight (503) and its retry reconciles against the first one's state.
#include <sqlite3.h>

#include <chrono>
#include <ostream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/receiver.hpp>
#include <jobwire/stores/sqlite.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

constexpr const char* schema =
    "CREATE TABLE IF NOT EXISTS receive_jobs(job_id TEXT PRIMARY KEY, lifecycle TEXT NOT NULL, "
    "progress REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS receive_side_effects(id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, "
    "dedup_key TEXT NOT NULL, event_type TEXT NOT NULL, lifecycle TEXT NOT NULL, progress REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS receive_refetches(id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, "
    "reason TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS receive_webhook_messages(id INTEGER PRIMARY KEY, message_id BLOB NOT NULL, "
    "dedup_key TEXT NOT NULL, event_type TEXT, data_id TEXT);";

struct db_handle {
  sqlite3* db = nullptr;
  ~db_handle() {
    if (db != nullptr) sqlite3_close(db);
  }
};

struct statement {
  sqlite3_stmt* st = nullptr;
  statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &st, nullptr); }
  ~statement() { sqlite3_finalize(st); }
  void text(int i, std::string_view v) {
    sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void real(int i, double v) { sqlite3_bind_double(st, i, v); }
};

// The job state this host holds. The command stands for the host that created every job
// it is shown, so a job without a row is held as just created (pending, progress 0); the
// library itself answers `refetch` (unknown_job) for a job the host never held.
jobwire::result<std::optional<jobwire::job_state>> load_job(sqlite3* db, std::string_view job_id) {
  statement q(db, "SELECT lifecycle, progress FROM receive_jobs WHERE job_id = ?1");
  if (q.st == nullptr) return jobwire::errc::store_error;
  q.text(1, job_id);
  const int rc = sqlite3_step(q.st);
  if (rc == SQLITE_DONE) return std::optional<jobwire::job_state>(jobwire::job_state{});
  if (rc != SQLITE_ROW) return rc == SQLITE_BUSY ? jobwire::errc::store_unavailable : jobwire::errc::store_error;
  const unsigned char* text = sqlite3_column_text(q.st, 0);
  auto l = jobwire::parse_lifecycle_status(text == nullptr ? "" : reinterpret_cast<const char*>(text));
  if (!l) return jobwire::errc::store_error;
  return std::optional<jobwire::job_state>(jobwire::job_state{*l, sqlite3_column_double(q.st, 1)});
}

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

// Persists the new state and records the side effect atomically (apply), or records the
// scheduled fetch (refetch).
jobwire::void_result handle(sqlite3* db, const jobwire::envelope_view& e, const jobwire::reconcile_decision& d,
                            std::string_view dedup_key) {
  if (!exec(db, "BEGIN IMMEDIATE")) return jobwire::errc::store_unavailable;
  bool ok = true;
  const std::string_view job = e.data.id.str();
  if (d.action == jobwire::reconcile_action::refetch) {
    statement ins(db, "INSERT INTO receive_refetches(job_id, reason) VALUES(?1, ?2)");
    ins.text(1, job);
    ins.text(2, jobwire::reconcile_reason_name(d.reason));
    ok = ins.st != nullptr && sqlite3_step(ins.st) == SQLITE_DONE;
  } else {
    const std::string_view lifecycle = jobwire::lifecycle_status_name(d.next.lifecycle);
    statement up(db,
                 "INSERT INTO receive_jobs(job_id, lifecycle, progress) VALUES(?1, ?2, ?3) "
                 "ON CONFLICT(job_id) DO UPDATE SET lifecycle = excluded.lifecycle, progress = excluded.progress");
    up.text(1, job);
    up.text(2, lifecycle);
    up.real(3, d.next.progress);
    ok = up.st != nullptr && sqlite3_step(up.st) == SQLITE_DONE;
    if (ok) {
      statement fx(db,
                   "INSERT INTO receive_side_effects(job_id, dedup_key, event_type, lifecycle, progress) "
                   "VALUES(?1, ?2, ?3, ?4, ?5)");
      fx.text(1, job);
      fx.text(2, dedup_key);
      fx.text(3, e.type_text);
      fx.text(4, lifecycle);
      fx.real(5, d.next.progress);
      ok = fx.st != nullptr && sqlite3_step(fx.st) == SQLITE_DONE;
    }
  }
  if (!ok) {
    exec(db, "ROLLBACK");
    return jobwire::errc::store_error;
  }
  return exec(db, "COMMIT") ? jobwire::void_result{} : jobwire::void_result{jobwire::errc::store_unavailable};
}

int run(invocation& inv) {
  if (!inv.has("--secret") && !inv.has("--public-key")) inv.usage_error("missing required option --secret");
  const std::vector<std::string> secrets = inv.values("--secret");
  const std::vector<std::string> public_keys = inv.values("--public-key");
  int bad_request = 0;
  std::optional<delivery_input> in = read_delivery(inv, true, bad_request);
  if (!in) return bad_request;
  const std::string& body = in->body;
  const std::string path = inv.required("--db");
  const bool fail_side_effect = inv.has("--fail-side-effect");
  // The side effect's duration, between the state load and the write: widens the window
  // in which a concurrent delivery of the same job could interleave (concurrency tests).
  std::chrono::milliseconds handler_delay{0};
  if (auto d = inv.int_option("--handler-delay-ms")) {
    if (*d < 0 || *d > 600000) inv.usage_error("--handler-delay-ms must be 0..600000");
    handler_delay = std::chrono::milliseconds{*d};
  }

  const std::vector<std::pair<std::string, std::string>>& headers = in->headers;

  jobwire::receiver_options opt;
  opt.verify.prof = inv.receiving_profile_option(true);  // nullptr: auto (PROTOCOL.md §15)
  // Standard Webhooks (§17) when named, or when auto detects its header family (an
  // ambiguous request goes down the service path, whose verification refuses it).
  bool webhooks = opt.verify.prof != nullptr && opt.verify.prof->scheme == jobwire::signature_scheme::webhooks;
  if (opt.verify.prof == nullptr) {
    auto detected = jobwire::detect_profile(headers);
    webhooks = detected && *detected != nullptr && (*detected)->scheme == jobwire::signature_scheme::webhooks;
  }

  jobwire::key_options key_opts;
  if (opt.verify.prof != nullptr) {
    key_opts.service_scheme = !webhooks;
    key_opts.webhooks_scheme = webhooks;
  }
  std::vector<std::string_view> secret_views(secrets.begin(), secrets.end());
  std::vector<std::string_view> public_views(public_keys.begin(), public_keys.end());
  auto v = jobwire::verifier::create(secret_views.data(), secret_views.size(), public_views.data(), public_views.size(),
                                     key_opts);
  if (!v) return inv.reject(v.error(), verification_detail(v.code(), opt.verify.prof, headers));

  db_handle h;
  if (sqlite3_open_v2(path.c_str(), &h.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    inv.io_error("cannot open the database " + path);
  auto store = jobwire::sqlite_dedup_store::attach(h.db);
  if (!store) inv.io_error("cannot prepare the dedup store in " + path);
  if (!exec(h.db, schema)) inv.io_error("cannot create the receiver tables in " + path);

  const jobwire::dedup_time now{std::chrono::seconds{inv.now()}};
  jobwire::receipt r =
      webhooks
          ? jobwire::receive_webhook(
                body, headers, *v, *store, now,
                [&](const jobwire::authenticated_delivery& a, const jobwire::dedup_key& key) -> jobwire::void_result {
                  if (fail_side_effect) return jobwire::errc::handler_failed;
                  if (handler_delay.count() > 0) std::this_thread::sleep_for(handler_delay);
                  statement fx(h.db,
                               "INSERT INTO receive_webhook_messages(message_id, dedup_key, event_type, data_id) "
                               "VALUES(?1, ?2, ?3, ?4)");
                  if (fx.st == nullptr) return jobwire::errc::store_error;
                  sqlite3_bind_blob(fx.st, 1, a.message_id.data(), static_cast<int>(a.message_id.size()),
                                    SQLITE_TRANSIENT);
                  fx.text(2, key.encoded());
                  if (auto e = jobwire::parse_webhook_event(a.body.bytes())) {
                    if (!e->type.empty()) fx.text(3, e->type);
                    if (!e->data_id.empty()) fx.text(4, e->data_id);
                  }
                  return sqlite3_step(fx.st) == SQLITE_DONE ? jobwire::void_result{}
                                                            : jobwire::void_result{jobwire::errc::store_error};
                },
                opt)
          : jobwire::receive_delivery(
                body, headers, *v, *store, now, [&](std::string_view job_id) { return load_job(h.db, job_id); },
                [&](const jobwire::envelope_view& e, const jobwire::reconcile_decision& d,
                    const jobwire::dedup_key& key) -> jobwire::void_result {
                  if (fail_side_effect) return jobwire::errc::handler_failed;
                  if (handler_delay.count() > 0) std::this_thread::sleep_for(handler_delay);
                  return handle(h.db, e, d, key.encoded());
                },
                opt);

  std::string s;
  jobwire::json::writer w(s);
  w.begin_object();
  w.field("action", jobwire::receiver_decision_name(r.action))
      .field("http_status", static_cast<std::int64_t>(r.http_status))
      .field("reason", r.reason())
      .field("job_id", r.job_id.view())
      .field("dedup_key", r.key ? r.key->encoded() : std::string_view{});
  if (r.prof != nullptr) w.field("profile", r.prof->name);
  if (!r.message_id.empty()) w.field("message_id", r.message_id);
  if (r.action == jobwire::receiver_decision::reject) {
    const std::string detail = verification_detail(r.error, opt.verify.prof, headers);
    if (!detail.empty()) w.field("detail", detail);
  }
  w.end_object();
  // The decision object is the output in both modes (with --json too: a bare
  // {"ok":true} would hide a rejected delivery behind exit status 0).
  inv.out() << s << '\n';
  return exit_ok;
}

const registrar reg{
    command_spec{"receive",
                 "run the receiver pipeline on one delivery against a SQLite file",
                 "jobwire receive --secret S [--secret S2 ...] [--public-key whpk_...] (--header 'Name: value' ... "
                 "--body B | --request @FILE) --db PATH [--now N] "
                 "[--fail-side-effect] [--handler-delay-ms N] [--profile auto|ai-stats|phaseo|standard|openai]",
                 "Runs one delivery through the receiver: verify the signature and timestamp, parse the\n"
                 "envelope, claim the dedup key (job id + delivery key, or the event id) in the SQLite\n"
                 "file PATH, reconcile with the job state held there, record the side effect, commit.\n"
                 "Prints one JSON object: action, http_status (the reply to send), reason, job_id,\n"
                 "dedup_key. --fail-side-effect makes the side effect fail after the claim: the claim\n"
                 "is released and the reply is 503, so a retry is processed. --handler-delay-ms N makes\n"
                 "the side effect take N ms (concurrency tests: receivers running at once on one PATH\n"
                 "serialise the deliveries of one job through its lease; a busy job is in_flight, 503).\n"
                 "--json prints the same object. Exit 0 whenever a reply was decided (including\n"
                 "rejections). Standard Webhooks deliveries (webhook-*/svix-* headers, --profile\n"
                 "standard|openai) are deduplicated on their webhook-id and recorded without job state\n"
                 "(the object then also has message_id).",
                 {{"--secret", "S", "a webhook secret; repeat for rotation (tried in order)", true},
                  {"--public-key", "whpk_...", "a Standard Webhooks Ed25519 public key (v1a); repeatable", true},
                  {"--header", "'Name: value'", "a request header (names are case-insensitive)", true},
                  {"--body", "B", "the raw request body (@FILE reads it byte for byte)", false},
                  {"--request", "@FILE",
                   "the whole raw HTTP request (as 'jobwire delivery' prints it) instead of --header/--body", false},
                  {"--db", "PATH", "SQLite file holding dedup keys, job state and side effects", false},
                  {"--now", "UNIX_SECONDS", "the current time (default: the system clock)", false},
                  {"--fail-side-effect", "", "make the side effect fail after the claim", false},
                  {"--handler-delay-ms", "N", "make the side effect take N ms (0..600000)", false},
                  {"--profile", "auto|ai-stats|phaseo|standard|openai",
                   "header names, phases and secret policy; auto (default) detects them from the headers", false}},
                 0,
                 0,
                 "",
                 run}};

}  // namespace
}  // namespace jobwire_cli
