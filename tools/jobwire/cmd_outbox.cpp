// jobwire outbox --db sqlite:PATH|postgresql://CONNINFO enqueue|work|status   (docs/CLI.md)
//
// The sender's durable outbox (PROTOCOL.md §12, §16.7, §17 "Sending"):
//   enqueue  stores one delivery (idempotent per job and delivery key); the callback URL is
//            checked by the profile's URL policy and the delivery is built once, so a row
//            that cannot be sent is refused here rather than failed later;
//   work     sends due rows over HTTP from several threads (outbox_worker.hpp), several
//            processes sharing one database by leases;
//   status   prints the row counts as one JSON object.
// The payload format and the verdicts are the library's (jobwire/outbox_delivery.hpp).
#include <csignal>

#include "cli.hpp"

#if JOBWIRE_CLI_HAVE_OUTBOX

#  include <pthread.h>
#  include <signal.h>
#  include <unistd.h>

#  include <atomic>
#  include <chrono>
#  include <cmath>
#  include <cstdio>
#  include <ctime>
#  include <fstream>
#  include <limits>
#  include <memory>
#  include <optional>
#  include <string>
#  include <thread>
#  include <utility>

#  include <jobwire/callback_url.hpp>
#  include <jobwire/json.hpp>
#  include <jobwire/json_writer.hpp>
#  include <jobwire/outbox.hpp>
#  include <jobwire/outbox_delivery.hpp>
#  include <jobwire/profile.hpp>
#  include <jobwire/stores/sqlite_outbox.hpp>
#  if defined(JOBWIRE_CLI_HAVE_POSTGRES)
#    include <jobwire/stores/postgres_outbox.hpp>
#  endif

#  include "outbox_worker.hpp"

namespace jobwire_cli {
namespace {

template <class Store>
using opener = std::function<std::shared_ptr<Store>(std::string& why)>;

double positive_number(invocation& inv, const char* option, double fallback, double lo, double hi) {
  auto r = inv.raw(option);
  if (!r) return fallback;
  char* end = nullptr;
  const double d = std::strtod(r->c_str(), &end);
  if (r->empty() || *end != '\0' || !std::isfinite(d) || d < lo || d > hi) {
    char range[64];
    std::snprintf(range, sizeof range, "%g to %g", lo, hi);
    inv.usage_error(std::string(option) + " needs a number from " + range + ", got '" + *r + "'");
  }
  return d;
}

// --- enqueue ---------------------------------------------------------------------------------------

template <class Store>
int enqueue(invocation& inv, const opener<Store>& open) {
  jobwire::outbox_message m;
  const std::string url_text = inv.required("--url");
  m.secret = inv.required("--secret");
  const std::string kind_text = inv.required("--kind");
  m.job_id = inv.required("--job-id");
  m.internal_id = inv.required("--internal-id");
  const std::string phase_text = inv.required("--phase");
  m.data = inv.required("--data");
  const std::int64_t now = inv.now();
  m.created_at = inv.int_option("--created-at").value_or(now);
  m.local_callbacks = inv.has("--dev");
  if (const jobwire::profile* p = inv.profile_option(true)) m.prof = p;

  auto kind = jobwire::parse_kind(kind_text);
  if (!kind) return inv.reject(kind.error(), "--kind " + kind_text);
  m.kind = *kind;
  auto phase = jobwire::parse_phase(phase_text);
  if (!phase) return inv.reject(phase.error(), "--phase " + phase_text);
  m.phase = *phase;
  if (auto p = inv.raw("--progress")) {
    auto v = jobwire::json::parse(*p);
    auto d = v && v->is_number() ? v->get_double() : jobwire::result<double>(jobwire::errc::invalid_progress);
    if (!d || !std::isfinite(*d)) return inv.reject(jobwire::errc::invalid_progress, "--progress " + *p);
    m.progress = *d;
  }
  if (m.phase == jobwire::phase::progress && std::isnan(m.progress))
    inv.usage_error("--phase progress needs --progress");
  if ((inv.has("--previous-status") || inv.has("--status")) && m.phase != jobwire::phase::status_changed)
    inv.usage_error("--previous-status and --status apply to --phase status_changed only");
  if (m.phase == jobwire::phase::status_changed) {
    if (!inv.has("--status")) inv.usage_error("--phase status_changed needs --status");
    m.status = *inv.raw("--status");
    if (auto p = inv.raw("--previous-status")) m.previous_status = *p;
  }

  // The URL as the profile's rule accepts it (PROTOCOL.md §8, §16.4), stored in its
  // serialised form: that is the URL every attempt posts to (and re-checks).
  auto url = jobwire::check_callback_url(url_text, jobwire::outbox_url_options(*m.prof, m.local_callbacks));
  if (!url) return inv.reject(url.error(), "--url");
  const std::string endpoint = url->serialise();
  // The delivery is built once now: a secret, data or phase that cannot make a delivery is
  // refused here with its reason instead of failing on every attempt.
  auto built = jobwire::build_outbox_request(m, jobwire::first_attempt_number, now);
  if (!built) return inv.reject(built.error());
  std::string payload;
  jobwire::write_outbox_payload(payload, m);
  // What the worker will read back must be readable (the payload nests `data` one level
  // deeper than the caller gave it).
  jobwire::outbox_payload_problem problem;
  if (!jobwire::parse_outbox_payload(payload, &problem))
    return inv.reject(problem.error,
                      "the row's payload would not read back (member " + std::string(problem.member) + ")");

  std::string why;
  std::shared_ptr<Store> store = open(why);
  if (!store) inv.io_error("cannot open the outbox: " + why);
  jobwire::outbox_item item{m.job_id, built->delivery_key, endpoint, payload};
  auto r = store->enqueue(item, jobwire::unix_time_from_seconds(now));
  if (!r) {
    if (r.code() == jobwire::errc::store_unavailable || r.code() == jobwire::errc::store_error)
      inv.io_error("the outbox refused the row: " + std::string(r.error().name()));
    return inv.reject(r.error());
  }
  std::string members;
  jobwire::json::writer w(members);
  w.begin_object()
      .field("inserted", r->inserted)
      .field("state", jobwire::outbox_state_name(r->state))
      .field("job_id", m.job_id)
      .field("delivery_key", built->delivery_key)
      .field("event_id", built->event_id)
      .field("url", endpoint)
      .end_object();
  std::string line = std::string(r->inserted ? "inserted " : "duplicate ") + built->delivery_key + " " +
                     std::string(jobwire::outbox_state_name(r->state));
  return inv.accept(line, std::string_view(members).substr(1, members.size() - 2));
}

// --- status ------------------------------------------------------------------------------------------

std::string status_json(const jobwire::outbox_counts& c) {
  std::string s;
  jobwire::json::writer(s)
      .begin_object()
      .field("pending", c.pending)
      .field("scheduled_retry", c.scheduled_retry)
      .field("delivered", c.delivered)
      .field("failed_permanently", c.failed_permanently)
      .field("endpoints_disabled", c.endpoints_disabled)
      .end_object();
  return s;
}

template <class Store>
int status(invocation& inv, const opener<Store>& open) {
  std::string why;
  std::shared_ptr<Store> store = open(why);
  if (!store) inv.io_error("cannot open the outbox: " + why);
  auto c = store->counts(jobwire::unix_time_from_seconds(inv.now()));
  if (!c) inv.io_error("cannot read the outbox: " + std::string(c.error().name()));
  // Exactly one JSON object, with or without --json (docs/CLI.md).
  inv.out() << status_json(*c) << '\n';
  return exit_ok;
}

// --- work ----------------------------------------------------------------------------------------------

bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return false;
    f << text;
    if (!f.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

template <class Store>
int work(invocation& inv, const opener<Store>& open) {
  jobwire_outbox::worker_options opt;
  const double workers = positive_number(inv, "--workers", 1, 1, 64);
  if (std::floor(workers) != workers) inv.usage_error("--workers needs a whole number");
  opt.threads = static_cast<unsigned>(workers);
  const double batch = positive_number(inv, "--batch", 4, 1, 1000);
  if (std::floor(batch) != batch) inv.usage_error("--batch needs a whole number");
  opt.time_scale = positive_number(inv, "--time-scale", 1, 1, 1e6);
  opt.until_idle = inv.has("--until-idle");
  opt.max_run =
      std::chrono::milliseconds(static_cast<std::int64_t>(positive_number(inv, "--max-seconds", 0, 0.001, 1e7) * 1000));
  opt.lease = std::chrono::milliseconds(
      static_cast<std::int64_t>(positive_number(inv, "--lease-seconds", 60, 0.01, 3600) * 1000));
  opt.batch = static_cast<std::size_t>(batch);
  if (auto t = inv.int_option("--request-timeout")) {
    auto v = jobwire::validate_request_timeout(*t);
    if (!v) return inv.reject(v.error(), "--request-timeout");
    opt.request_timeout_seconds = *v;
  }
  opt.verbose = inv.has("--verbose");
  char host[128] = "host";
  (void)::gethostname(host, sizeof host - 1);
  opt.name = std::string(host) + ":" + std::to_string(::getpid());
  const std::optional<std::string> metrics_path = inv.raw("--metrics-file");

  // SIGINT/SIGTERM go to this thread only (blocked before any other thread starts), which
  // turns them into a graceful stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A receiver that closes its connection while a request is written fails that attempt;
  // it must not end the worker. cpp-httplib sends plain sockets' data with MSG_NOSIGNAL, but
  // OpenSSL writes a TLS connection with write(2), which raises SIGPIPE (and so does a
  // connection cut at its deadline, request_deadline).
  std::signal(SIGPIPE, SIG_IGN);

  jobwire_outbox::worker_metrics metrics;
  int caught = 0;
  std::string why;
  std::shared_ptr<Store> observer = open(why);  // counts for the gauges and the idle check
  // The metrics file, without the store's gauges while the store cannot be opened.
  auto write_metrics = [&] {
    if (!metrics_path) return;
    jobwire::result<jobwire::outbox_counts> c = jobwire::errc::store_unavailable;
    if (observer) c = observer->counts(jobwire_outbox::wall_now());
    const std::string text = jobwire_outbox::prometheus_text(metrics, c ? &*c : nullptr);
    if (!write_file_atomically(*metrics_path, text))
      std::fprintf(stderr, "jobwire outbox work: cannot write %s\n", metrics_path->c_str());
  };
  // A store that cannot be opened at start (a database still starting, a volume not yet
  // mounted) is waited for, with the backoff the worker threads use when theirs goes away
  // (outbox_worker.hpp), each failure logged; SIGINT/SIGTERM end the wait, and
  // --max-seconds bounds it: the run's time includes the wait, and a store still closed
  // then is an I/O error.
  const auto begun = std::chrono::steady_clock::now();
  for (std::chrono::milliseconds backoff = jobwire_outbox::open_backoff; !observer;) {
    metrics.store_errors.fetch_add(1);
    if (opt.max_run.count() > 0 && std::chrono::steady_clock::now() - begun >= opt.max_run)
      inv.io_error("cannot open the outbox: " + why);
    std::fprintf(stderr, "jobwire outbox work: cannot open the store: %s; retrying\n", why.c_str());
    std::fflush(stderr);
    write_metrics();
    std::chrono::milliseconds nap = backoff;
    if (opt.max_run.count() > 0)
      nap = std::min(nap, opt.max_run - std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - begun));
    timespec wait{static_cast<time_t>(nap.count() / 1000), static_cast<long>(nap.count() % 1000) * 1000000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) {
      caught = sig;
      break;
    }
    backoff = jobwire_outbox::doubled(backoff);
    why.clear();
    observer = open(why);
  }
  if (opt.max_run.count() > 0) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begun);
    opt.max_run = std::max(opt.max_run - waited, std::chrono::milliseconds(1));
  }

  jobwire_outbox::worker<Store> w(open, opt, metrics);
  std::atomic<bool> stop{caught != 0}, finished{caught != 0};
  bool idle = false;
  std::thread runner;
  if (!finished)
    runner = std::thread([&] {
      idle = w.run(stop);
      finished = true;
    });
  auto last_metrics = std::chrono::steady_clock::now();
  while (!finished) {
    timespec wait{0, 100 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) {
      caught = sig;
      stop = true;
      w.wake();
    }
    if (std::chrono::steady_clock::now() - last_metrics >= std::chrono::seconds(1)) {
      write_metrics();
      last_metrics = std::chrono::steady_clock::now();
    }
  }
  if (runner.joinable()) runner.join();
  write_metrics();

  std::string summary;
  jobwire::json::writer j(summary);
  j.begin_object()
      .field("idle", idle)
      .field("attempts", metrics.attempts.load())
      .field("delivered", metrics.delivered.load())
      .field("retried", metrics.retries_scheduled.load())
      .field("failed", metrics.failed.load())
      .field("unsendable", metrics.unsendable.load())
      .field("endpoints_disabled", metrics.endpoints_disabled.load())
      .field("lease_takeovers", metrics.lease_takeovers.load())
      .field("claims_lost", metrics.claims_lost.load())
      .field("released", metrics.released.load())
      .field("store_errors", metrics.store_errors.load())
      .end_object();
  inv.out() << summary << '\n';
  return caught != 0 ? 128 + caught : exit_ok;
}

// --- dispatch --------------------------------------------------------------------------------------------

template <class Store>
int dispatch(invocation& inv, const std::string& sub, const opener<Store>& open) {
  if (sub == "enqueue") return enqueue<Store>(inv, open);
  if (sub == "status") return status<Store>(inv, open);
  return work<Store>(inv, open);
}

int run(invocation& inv) {
  const std::string sub = inv.positional().at(0);
  if (sub != "enqueue" && sub != "work" && sub != "status")
    inv.usage_error("the outbox command is enqueue, work or status, not '" + sub + "'");
  const std::string db = inv.required("--db");
  if (db.rfind("sqlite:", 0) == 0) {
    const std::string path = db.substr(7);
    if (path.empty()) inv.usage_error("--db sqlite:PATH needs a path");
    opener<jobwire::sqlite_outbox_store> open =
        [path](std::string& why) -> std::shared_ptr<jobwire::sqlite_outbox_store> {
      auto s = jobwire::sqlite_outbox_store::open(path);
      if (!s) {
        why = std::string(s.error().name()) + " (" + path + ")";
        return nullptr;
      }
      return std::make_shared<jobwire::sqlite_outbox_store>(std::move(*s));
    };
    return dispatch(inv, sub, open);
  }
  if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
#  if defined(JOBWIRE_CLI_HAVE_POSTGRES)
    opener<jobwire::postgres_outbox_store> open =
        [db](std::string& why) -> std::shared_ptr<jobwire::postgres_outbox_store> {
      auto s = jobwire::postgres_outbox_store::connect(db);
      if (!s) {
        why = std::string(s.error().name());
        return nullptr;
      }
      return std::make_shared<jobwire::postgres_outbox_store>(std::move(*s));
    };
    return dispatch(inv, sub, open);
#  else
    return inv.reject(jobwire::errc::store_not_supported, "this build has no PostgreSQL (libpq)");
#  endif
  }
  inv.usage_error("--db must be sqlite:PATH or postgresql://CONNINFO");
}

const registrar reg{command_spec{
    "outbox",
    "a durable sending outbox: enqueue deliveries, send them with retries, count them",
    "jobwire outbox --db sqlite:PATH|postgresql://CONNINFO enqueue|work|status [options]",
    "enqueue --url U --secret S --kind video --job-id ID --internal-id ID --phase P [--progress N]\n"
    "        [--previous-status S --status S] --data JSON [--created-at N] [--profile P] [--dev] [--now N]\n"
    "  stores one delivery (PROTOCOL.md 12, 16.7); idempotent on (job id, delivery key): a second\n"
    "  enqueue prints 'duplicate KEY STATE' and changes nothing. The URL is checked by the\n"
    "  profile's URL policy (ai-stats: the seed era's rule, phaseo: the send-time rule of 16.4,\n"
    "  standard/openai: strict); --dev accepts exactly localhost, 127.0.0.1 and [::1]. The\n"
    "  delivery is built once, so a row that could never be sent is refused with its reason.\n"
    "  The row keeps the secret (docs/SECURITY.md: guard the database as the secrets).\n"
    "work [--workers N] [--until-idle] [--time-scale X] [--max-seconds S] [--lease-seconds S]\n"
    "     [--batch N] [--request-timeout S] [--metrics-file PATH] [--verbose]\n"
    "  sends due rows over HTTP (redirects not followed, https where the build allows) with N\n"
    "  threads; several processes may work on one database. Each attempt gets a fresh\n"
    "  timestamp and signature; the profile's rules decide retry, failure, throttle and\n"
    "  disable. --time-scale X divides every delay of the rules by X (tests). --until-idle\n"
    "  stops when nothing is pending or scheduled. SIGINT/SIGTERM: sends in flight finish and\n"
    "  are recorded, leased rows not yet sent are released. Prints one JSON summary line.\n"
    "  --metrics-file writes the Prometheus text every second and at exit (docs/CLI.md).\n"
    "status\n"
    "  prints {\"pending\":N,\"scheduled_retry\":N,\"delivered\":N,\"failed_permanently\":N,\n"
    "  \"endpoints_disabled\":N}.",
    {{"--db", "SPEC", "sqlite:PATH or postgresql://CONNINFO", false},
     {"--url", "U", "enqueue: the callback URL", false},
     {"--secret", "S", "enqueue: the endpoint's signing secret", false},
     {"--kind", "video|batch", "enqueue: the job kind", false},
     {"--job-id", "ID", "enqueue: the gateway job id", false},
     {"--internal-id", "ID", "enqueue: the sender's internal job id (part of the event id)", false},
     {"--phase", "P", "enqueue: the phase of the event", false},
     {"--progress", "N", "enqueue: progress percentage, for --phase progress", false},
     {"--previous-status", "S", "enqueue: status_changed: the raw status before", false},
     {"--status", "S", "enqueue: status_changed: the raw status after", false},
     {"--data", "JSON", "enqueue: the job's data object", false},
     {"--created-at", "N", "enqueue: the event's time, Unix seconds (default: now)", false},
     {"--profile", "P", "enqueue: ai-stats (default), phaseo, standard or openai", false},
     {"--dev", "", "enqueue: local development, loopback callback URLs allowed", false},
     {"--now", "N", "enqueue, status: the current time, Unix seconds", false},
     {"--workers", "N", "work: sending threads (1..64, default 1)", false},
     {"--until-idle", "", "work: stop when nothing is pending or scheduled", false},
     {"--time-scale", "X", "work: divide every delay of the rules by X (default 1)", false},
     {"--max-seconds", "S", "work: stop after S seconds", false},
     {"--lease-seconds", "S", "work: how long a leased row is held (default 60)", false},
     {"--batch", "N", "work: rows leased at once per thread (default 4)", false},
     {"--request-timeout", "S", "work: request timeout, 1..120 s (default: the profile's)", false},
     {"--metrics-file", "PATH", "work: write the Prometheus text here every second and at exit", false},
     {"--verbose", "", "work: one line per attempt on stderr", false}},
    1,
    1,
    "enqueue, work or status",
    run}};

}  // namespace
}  // namespace jobwire_cli

#else  // !JOBWIRE_CLI_HAVE_OUTBOX

namespace jobwire_cli {
namespace {
int run_unavailable(invocation& inv) {
  inv.io_error("this jobwire was built without cpp-httplib or SQLite3; run tools/deps.sh examples and rebuild");
}
const registrar outbox_reg{command_spec{"outbox",
                                        "a durable sending outbox (unavailable in this build)",
                                        "jobwire outbox --db SPEC enqueue|work|status [options]",
                                        "Needs cpp-httplib and SQLite3 at build time.",
                                        {{"--db", "SPEC", "sqlite:PATH or postgresql://CONNINFO", false}},
                                        0,
                                        16,
                                        {},
                                        run_unavailable}};
}  // namespace
}  // namespace jobwire_cli

#endif
