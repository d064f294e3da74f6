// jobwire demo — the whole protocol on loopback, checked from what actually happened.
//
// Starts the three example programs found next to this executable (jobwire-gateway,
// jobwire-receiver, jobwire-poller) on free loopback ports, runs a scripted scenario, prints
// what happens while it happens, and ends with a summary table. The verdict comes from
// observations only: the HTTP statuses the gateway's attempt ledger and the poller saw, the
// rows the receiver wrote to its SQLite database (side-effect journal, job state, jobwire's
// dedup records), and the receiver's decision counters. Every child runs in its own process
// group and is stopped, and the temporary directory removed, on success, failure, SIGINT
// and SIGTERM.
#include <string>

#include "cli.hpp"

#if JOBWIRE_CLI_HAVE_DEMO

#  include <fcntl.h>
#  include <poll.h>
#  include <signal.h>
#  include <sys/prctl.h>
#  include <sys/wait.h>
#  include <unistd.h>

#  include <sqlite3.h>

#  include <httplib.h>

#  include <chrono>
#  include <cstdio>
#  include <cstdlib>
#  include <filesystem>
#  include <fstream>
#  include <map>
#  include <ostream>
#  include <random>
#  include <set>
#  include <sstream>
#  include <thread>
#  include <vector>

#  include <jobwire/json.hpp>

namespace jobwire_cli {
namespace {

volatile sig_atomic_t g_signal = 0;
extern "C" void on_stop_signal(int sig) { g_signal = sig; }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// --- child processes ------------------------------------------------------------------------

struct child {
  std::string name;
  pid_t pid = -1;
  int out_fd = -1;
  std::string pending;  // stdout bytes not yet forming a full line
  bool exited = false;
  int exit_status = -1;
  std::string stderr_path;
};

/// Starts `path args...` in its own process group with stdout on a pipe and stderr in a file.
bool spawn(child& c, const std::string& path, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // a demo killed with SIGKILL still takes its children down
    dup2(fds[1], 1);
    int err = open(c.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err >= 0) dup2(err, 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent: no window where the group does not exist yet
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  c.pid = pid;
  c.out_fd = fds[0];
  return true;
}

/// Complete stdout lines available now; notes the exit once the pipe is closed.
std::vector<std::string> read_lines(child& c) {
  std::vector<std::string> lines;
  if (c.out_fd < 0) return lines;
  char buf[4096];
  for (;;) {
    ssize_t n = read(c.out_fd, buf, sizeof buf);
    if (n > 0) {
      c.pending.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      close(c.out_fd);
      c.out_fd = -1;
    }
    break;
  }
  for (std::size_t nl; (nl = c.pending.find('\n')) != std::string::npos;) {
    lines.push_back(c.pending.substr(0, nl));
    c.pending.erase(0, nl + 1);
  }
  if (!c.exited && c.pid > 0) {
    int st = 0;
    if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
      c.exited = true;
      c.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    }
  }
  return lines;
}

/// The `listening http://127.0.0.1:PORT` line a server prints once bound.
std::string wait_for_url(child& c, double timeout_s) {
  auto t0 = std::chrono::steady_clock::now();
  while (seconds_since(t0) < timeout_s && g_signal == 0) {
    for (const auto& line : read_lines(c))
      if (line.rfind("listening ", 0) == 0) return line.substr(10);
    if (c.exited) return {};
    pollfd p{c.out_fd, POLLIN, 0};
    poll(&p, 1, 50);
  }
  return {};
}

void stop_child(child& c) {
  if (c.pid <= 0) return;
  if (!c.exited) {
    killpg(c.pid, SIGTERM);
    for (int i = 0; i < 100 && !c.exited; ++i) {
      int st = 0;
      if (waitpid(c.pid, &st, WNOHANG) == c.pid) c.exited = true;
      else std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!c.exited) {
      killpg(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
      c.exited = true;
    }
  }
  killpg(c.pid, SIGKILL);  // anything the child left behind in its group
  if (c.out_fd >= 0) close(c.out_fd);
  c.out_fd = -1;
}

/// Owns the children and the temporary directory; the destructor is the single cleanup
/// path for every way out (return, failure, signal).
struct session {
  std::filesystem::path dir;
  bool keep = false;
  std::vector<child*> children;
  ~session() {
    for (child* c : children) stop_child(*c);
    if (!dir.empty() && !keep) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
};

// --- reading what the programs report ----------------------------------------------------------

std::string str(jobwire::json::value v) {
  auto s = v.get_string();
  return s ? s->to_string() : std::string();
}
std::int64_t num(jobwire::json::value v) {
  if (auto i = v.get_int64()) return *i;
  if (auto d = v.get_double()) return static_cast<std::int64_t>(*d);
  return -1;
}

struct attempt_seen {
  std::string key, status;
  std::int64_t number = 0, http = 0;
};
struct gateway_job {
  std::string id, scenario, status, health;
  bool settled = false;
  std::int64_t progress = 0, attempted = 0, delivered = 0, retried = 0, rejected = 0;
  std::vector<attempt_seen> history;
  std::vector<attempt_seen> injected;  // key, status = what
};

bool read_gateway(const std::string& text, std::vector<gateway_job>& out) {
  auto doc = jobwire::json::parse(text);
  if (!doc) return false;
  auto jobs = doc->get_object();
  if (!jobs) return false;
  auto arr = jobs->find("jobs").get_array();
  if (!arr) return false;
  out.clear();
  for (jobwire::json::value v : *arr) {
    auto o = v.get_object();
    if (!o) return false;
    gateway_job j;
    j.id = str(o->find("id"));
    j.scenario = str(o->find("scenario"));
    j.status = str(o->find("status"));
    j.health = str(o->find("health"));
    j.settled = o->find("settled").get_bool().has_value() && *o->find("settled").get_bool();
    j.progress = num(o->find("progress"));
    j.attempted = num(o->find("attempted"));
    j.delivered = num(o->find("delivered"));
    j.retried = num(o->find("retried"));
    j.rejected = num(o->find("rejected"));
    if (auto h = o->find("history").get_array())
      for (jobwire::json::value a : *h)
        if (auto ao = a.get_object())
          j.history.push_back({str(ao->find("delivery_key")), str(ao->find("status")), num(ao->find("attempt_number")),
                               ao->find("response_status").is_null() ? 0 : num(ao->find("response_status"))});
    if (auto h = o->find("injected").get_array())
      for (jobwire::json::value a : *h)
        if (auto ao = a.get_object())
          j.injected.push_back({str(ao->find("delivery_key")), str(ao->find("what")), 1, num(ao->find("http_status"))});
    out.push_back(std::move(j));
  }
  return true;
}

struct receiver_view {
  std::map<std::string, std::int64_t> decisions, rejections;
  struct delivery {
    std::string job, key, action, reason;
    std::int64_t http = 0, attempt = 0;
  };
  std::vector<delivery> deliveries;
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> effects;  // executed, failed
  struct refetch {
    std::string job, reason, status;
    std::int64_t http = 0;
  };
  std::vector<refetch> refetches;
};

bool read_receiver(const std::string& text, receiver_view& r) {
  auto doc = jobwire::json::parse(text);
  if (!doc) return false;
  auto o = doc->get_object();
  if (!o) return false;
  for (const char* group : {"decisions", "rejections"})
    if (auto g = o->find(group).get_object())
      for (const auto& m : *g) (group[0] == 'd' ? r.decisions : r.rejections)[m.key.to_string()] = num(m.value);
  if (auto a = o->find("deliveries").get_array())
    for (jobwire::json::value v : *a)
      if (auto d = v.get_object())
        r.deliveries.push_back({str(d->find("job_id")), str(d->find("delivery_key")), str(d->find("action")),
                                str(d->find("reason")), num(d->find("http_status")), num(d->find("attempt"))});
  if (auto a = o->find("side_effects").get_array())
    for (jobwire::json::value v : *a)
      if (auto d = v.get_object())
        r.effects[{str(d->find("job_id")), str(d->find("delivery_key"))}] = {num(d->find("executed")),
                                                                             num(d->find("failed"))};
  if (auto a = o->find("refetches").get_array())
    for (jobwire::json::value v : *a)
      if (auto d = v.get_object())
        r.refetches.push_back(
            {str(d->find("job_id")), str(d->find("reason")), str(d->find("status")), num(d->find("http_status"))});
  return true;
}

/// One view's operations dashboard (docs/DASHBOARD.md), as far as the demo checks it.
struct dashboard_view {
  struct row {
    std::string label;
    std::int64_t attempted = -1, delivered = -1, retried = -1, rejected = -1;
  };
  std::map<std::string, row> jobs;
  std::string view, clock_kind;
  double clock_scale = 0;
  std::int64_t unattributed_rejections = -1;
};

bool read_dashboard(const std::string& text, dashboard_view& d) {
  auto doc = jobwire::json::parse(text);
  if (!doc) return false;
  auto o = doc->get_object();
  if (!o || str(o->find("format")) != "jobwire.dashboard") return false;
  d.view = str(o->find("view"));
  if (auto c = o->find("clock").get_object()) {
    d.clock_kind = str(c->find("kind"));
    if (auto sc = c->find("scale").get_double()) d.clock_scale = *sc;
  }
  if (auto t = o->find("totals").get_object()) d.unattributed_rejections = num(t->find("unattributed_rejections"));
  auto jobs = o->find("jobs").get_array();
  if (!jobs) return false;
  for (jobwire::json::value v : *jobs) {
    auto j = v.get_object();
    if (!j) return false;
    dashboard_view::row r;
    r.label = str(j->find("label"));
    if (auto c = j->find("deliveries").get_object()) {
      r.attempted = num(c->find("attempted"));
      r.delivered = num(c->find("delivered"));
      r.retried = num(c->find("retried"));
      r.rejected = num(c->find("rejected"));
    }
    d.jobs[str(j->find("id"))] = r;
  }
  return true;
}

/// What the receiver made durable, read straight from its SQLite file.
struct database_view {
  std::map<std::pair<std::string, std::string>, std::int64_t> effect_rows;  // (job, key) → rows
  std::map<std::string, std::pair<std::string, double>> jobs;               // job → (lifecycle, progress)
  std::set<std::string> done_keys;                                          // jobwire_dedup rows in state done
  std::string error;
};

database_view read_database(const std::string& path) {
  database_view v;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    v.error = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return v;
  }
  auto each = [&](const char* sql, auto&& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      v.error = sqlite3_errmsg(db);
      return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
  };
  auto text = [](sqlite3_stmt* st, int i) {
    const void* p = sqlite3_column_blob(st, i);
    return std::string(static_cast<const char*>(p), p ? static_cast<std::size_t>(sqlite3_column_bytes(st, i)) : 0);
  };
  each("SELECT job_id, delivery_key, COUNT(*) FROM app_side_effects GROUP BY job_id, delivery_key",
       [&](sqlite3_stmt* st) {
         v.effect_rows[{text(st, 0), text(st, 1)}] = sqlite3_column_int64(st, 2);
       });
  each("SELECT job_id, lifecycle, progress FROM app_jobs", [&](sqlite3_stmt* st) {
    v.jobs[text(st, 0)] = {text(st, 1), sqlite3_column_double(st, 2)};
  });
  // State 2 = done (stores/sqlite.hpp); the key is dedup_key::encoded(): job:<len>:<id>:<key>.
  each("SELECT key FROM jobwire_dedup WHERE state = 2", [&](sqlite3_stmt* st) { v.done_keys.insert(text(st, 0)); });
  sqlite3_close(db);
  return v;
}

std::string dedup_encoding(const std::string& job, const std::string& key) {
  return "job:" + std::to_string(job.size()) + ":" + job + ":" + key;
}

// --- the scenario ------------------------------------------------------------------------------

struct planned_job {
  const char* scenario;
  const char* callback_query;  // the receiver's test hook for this job, or ""
  const char* what;            // one line for the table
};

const planned_job plan[] = {
    {"normal", "", "progress and completion, each processed once"},
    {"fail_generation", "", "the generation fails: video.failed"},
    {"receiver_fails_once", "fail_first=video.completed", "receiver fails attempt 1; the retry is processed"},
    {"duplicate", "", "video.completed delivered twice; the second is suppressed"},
    {"tampered", "", "a copy with an altered body is rejected (401)"},
    {"stale_progress", "", "progress arriving after completion is ignored as stale"},
    {"conflicting_terminal", "", "video.failed after completion: refetch via the status endpoint"},
    {"endpoint_down", "fail_always=video.completed", "the receiver never accepts video.completed: retries exhausted"},
    {"status_changed", "", "the current service (x-phaseo-*): status_changed hints, detected by profile auto"},
};

struct poller_result {
  std::string status, content;
  std::int64_t bytes = -1, content_http = 0;
};

struct check {
  std::string job, text;
  bool ok;
};

int run(invocation& inv) {
  auto& out = inv.out();
  const double scale = static_cast<double>(inv.int_option("--time-scale").value_or(600));
  const double timeout_s = static_cast<double>(inv.int_option("--timeout").value_or(45));
  if (scale < 1 || timeout_s < 1) inv.usage_error("--time-scale and --timeout must be positive");

  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) inv.io_error("cannot locate the jobwire executable");
  const std::filesystem::path bin = std::filesystem::path(std::string(self, static_cast<std::size_t>(n))).parent_path();
  for (const char* p : {"jobwire-gateway", "jobwire-receiver", "jobwire-poller"})
    if (access((bin / p).c_str(), X_OK) != 0)
      inv.io_error(std::string(p) + " not found next to jobwire (" + bin.string() + "); build the examples");

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  struct restore_signals {
    struct sigaction i, t;
    ~restore_signals() {
      sigaction(SIGINT, &i, nullptr);
      sigaction(SIGTERM, &t, nullptr);
    }
  } restore{old_int, old_term};

  session s;
  s.keep = inv.has("--keep-temp");
  char tmpl[] = "/tmp/jobwire-demo.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) inv.io_error("cannot create a temporary directory");
  s.dir = tmpl;
  const std::string db_path = (s.dir / "app.db").string();
  std::random_device rd;
  std::string secret = "whsec_demo_";
  for (int i = 0; i < 4; ++i) {
    char b[9];
    std::snprintf(b, sizeof b, "%08x", rd());
    secret += b;
  }

  // The secret goes to the receiver and the poller in a file only they can read, never as an
  // argument: every argument is visible to other users in `ps`.
  const std::string secret_path = (s.dir / "secret").string();
  {
    std::ofstream sf(secret_path, std::ios::binary | std::ios::trunc);
    sf << secret;
    if (!sf) inv.io_error("cannot write " + secret_path);
  }
  std::filesystem::permissions(secret_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);

  child gateway, receiver, poller;
  gateway.name = "gateway";
  receiver.name = "receiver";
  poller.name = "poller";
  for (child* c : {&gateway, &receiver, &poller}) c->stderr_path = (s.dir / (c->name + ".log")).string();
  s.children = {&gateway, &receiver, &poller};
  auto interrupted = [&] {
    out << "\ninterrupted (signal " << g_signal << "): stopping processes and removing " << s.dir.string() << "\n";
    return 130;
  };
  auto fail_start = [&](child& c) {
    out << "could not start " << c.name << "; its log:\n";
    std::ifstream log(c.stderr_path);
    out << log.rdbuf() << "\n";
    return exit_io;
  };

  const auto t0 = std::chrono::steady_clock::now();
  out << "jobwire demo: a simulated gateway, a webhook receiver and a polling client on loopback\n";
  if (!spawn(gateway, (bin / "jobwire-gateway").string(),
             {"--dev-callbacks", "--time-scale", std::to_string(static_cast<long>(scale))}))
    return fail_start(gateway);
  const std::string gateway_url = wait_for_url(gateway, 10);
  if (g_signal) return interrupted();
  if (gateway_url.empty()) return fail_start(gateway);
  if (!spawn(receiver, (bin / "jobwire-receiver").string(),
             {"--db", db_path, "--secret-file", secret_path, "--gateway", gateway_url, "--test-hooks"}))
    return fail_start(receiver);
  const std::string receiver_url = wait_for_url(receiver, 10);
  if (g_signal) return interrupted();
  if (receiver_url.empty()) return fail_start(receiver);
  out << "  gateway   " << gateway_url << "  (retry schedule 60s/300s/900s, sweep 300s, clock x" << scale << ")\n"
      << "  receiver  " << receiver_url << "/webhooks/video  (SQLite " << db_path << ")\n"
      << "dashboard (receiver): " << receiver_url << "/dashboard  (JSON /dashboard.json, Prometheus /metrics)\n"
      << "dashboard (gateway): " << gateway_url
      << "/dashboard  (the sender's view; its times are on the simulated clock)\n";

  std::vector<std::string> poller_args = {"--gateway",     gateway_url,
                                          "--callback",    receiver_url + "/webhooks/video",
                                          "--secret-file", secret_path,
                                          "--db",          db_path,
                                          "--deadline",    std::to_string(static_cast<long>(timeout_s))};
  for (const auto& p : plan) {
    poller_args.push_back("--job");
    poller_args.push_back(std::string(p.scenario) + (p.callback_query[0] ? std::string(",") + p.callback_query : ""));
  }
  if (!spawn(poller, (bin / "jobwire-poller").string(), poller_args)) return fail_start(poller);
  out << "  poller    " << std::size(plan) << " jobs\n\n";
  out.flush();

  // --- live progress ---------------------------------------------------------------------------
  httplib::Client gw(gateway_url), rc(receiver_url);
  gw.set_connection_timeout(std::chrono::seconds(2));
  rc.set_connection_timeout(std::chrono::seconds(2));
  std::map<std::string, std::string> label;  // job id → "#n scenario"
  std::map<std::string, poller_result> polled;
  std::map<std::string, std::size_t> shown_attempts, shown_injected;
  std::map<std::pair<std::string, std::string>, std::size_t> used_decisions;  // (job, key#attempt) → lines printed
  std::vector<gateway_job> jobs;
  bool settled = false;
  auto stamp = [&] {
    char b[16];
    std::snprintf(b, sizeof b, "%6.2fs", seconds_since(t0));
    return std::string(b);
  };
  while (!settled) {
    if (g_signal) return interrupted();
    if (seconds_since(t0) > timeout_s) break;
    for (const auto& line : read_lines(poller)) {
      auto doc = jobwire::json::parse(line);
      auto o = doc ? doc->get_object() : jobwire::result<jobwire::json::object>(jobwire::errc::invalid_field);
      if (!o) continue;
      const std::string ev = str(o->find("event")), id = str(o->find("job_id"));
      if (ev == "created") {
        label[id] = "#" + std::to_string(num(o->find("index"))) + " " + str(o->find("scenario"));
        out << stamp() << "  created   " << id << "  " << label[id] << "\n";
      } else if (ev == "done") {
        poller_result& r = polled[id];
        r.status = str(o->find("status"));
        r.bytes = o->find("content_bytes").exists() ? num(o->find("content_bytes")) : -1;
        r.content_http = o->find("content_http_status").exists() ? num(o->find("content_http_status")) : 0;
        r.content = str(o->find("content"));
        out << stamp() << "  polled    " << id << "  " << r.status << " after " << num(o->find("polls")) << " polls, "
            << (r.bytes >= 0 ? "content read (" + std::to_string(r.bytes) + " bytes)"
                             : "content not read: " + r.content)
            << "\n";
      } else if (ev == "error") {
        out << stamp() << "  poller    " << id << "  " << str(o->find("reason")) << "\n";
      }
    }
    auto res = gw.Get("/sim/stats");
    // The receiver's decisions, read after the gateway's attempts: the receiver records a
    // decision before it replies, so every attempt the gateway reports is already there.
    // Each printed line takes the next decision recorded for its (job, key, attempt).
    receiver_view live;
    if (auto rl = rc.Get("/stats"); !(rl && rl->status == 200 && read_receiver(rl->body, live))) live = {};
    auto decision_of = [&](const std::string& job, const std::string& key, std::int64_t attempt) -> std::string {
      std::size_t& next = used_decisions[{job, key + "#" + std::to_string(attempt)}];
      std::size_t seen = 0;
      for (const auto& d : live.deliveries) {
        if (d.job != job || d.key != key || d.attempt != attempt) continue;
        if (seen++ < next) continue;
        ++next;
        return "; receiver: " + d.action + (d.reason.empty() ? "" : " (" + d.reason + ")");
      }
      return {};
    };
    // A forged copy fails verification, so the receiver never attributes it to a job (its
    // job id is not believed): its decision is the next unattributed one with the HTTP
    // status the gateway saw.
    auto unattributed_decision = [&](std::int64_t http) -> std::string {
      std::size_t& next = used_decisions[{std::string(), "#" + std::to_string(http)}];
      std::size_t seen = 0;
      for (const auto& d : live.deliveries) {
        if (!d.job.empty() || d.http != http) continue;
        if (seen++ < next) continue;
        ++next;
        return "; receiver: " + d.action + (d.reason.empty() ? "" : " (" + d.reason + ")") +
               ", not attributed to a job";
      }
      return {};
    };
    if (res && res->status == 200 && read_gateway(res->body, jobs)) {
      bool all = jobs.size() == std::size(plan) && poller.exited;
      for (const auto& j : jobs) {
        const std::string who = label.count(j.id) ? label[j.id] : j.scenario;
        for (std::size_t i = shown_attempts[j.id]; i < j.history.size(); ++i) {
          const auto& a = j.history[i];
          out << stamp() << "  delivery  " << j.id << "  " << who << ": " << a.key << " attempt " << a.number << " -> "
              << (a.http ? "HTTP " + std::to_string(a.http) : std::string("no response")) << " (" << a.status << ")"
              << (a.http ? decision_of(j.id, a.key, a.number) : std::string()) << "\n";
        }
        shown_attempts[j.id] = j.history.size();
        for (std::size_t i = shown_injected[j.id]; i < j.injected.size(); ++i) {
          std::string decision = decision_of(j.id, j.injected[i].key, j.injected[i].number);
          if (decision.empty()) decision = unattributed_decision(j.injected[i].http);
          out << stamp() << "  injected  " << j.id << "  " << who << ": " << j.injected[i].status << " copy of "
              << j.injected[i].key << " -> HTTP " << j.injected[i].http << decision << "\n";
        }
        shown_injected[j.id] = j.injected.size();
        all = all && j.settled;
      }
      settled = all;
    }
    out.flush();
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  for (const auto& line : read_lines(poller)) (void)line;
  const double elapsed = seconds_since(t0);

  // --- verdict from observations ---------------------------------------------------------------
  std::vector<check> checks;
  auto expect = [&](const std::string& job, bool ok, const std::string& text) { checks.push_back({job, text, ok}); };
  expect("", settled,
         "every job reached a terminal state and every delivery settled within " +
             std::to_string(static_cast<long>(timeout_s)) + "s");
  expect("", poller.exited && poller.exit_status == 0,
         "the poller exited 0 (every job terminal, completed content read)");
  receiver_view rv;
  auto rres = rc.Get("/stats");
  expect("", rres && rres->status == 200 && read_receiver(rres->body, rv), "the receiver's statistics were read");
  const database_view db = read_database(db_path);
  // Both dashboards, read as an operator's browser would: the summary below must say what
  // they say (one vocabulary: attempted, delivered, retried, rejected).
  dashboard_view gdash, rdash;
  auto gd = gw.Get("/dashboard.json");
  auto rdoc = rc.Get("/dashboard.json");
  expect("", gd && gd->status == 200 && read_dashboard(gd->body, gdash) && gdash.view == "sender",
         "the gateway's dashboard document was read");
  expect("", rdoc && rdoc->status == 200 && read_dashboard(rdoc->body, rdash) && rdash.view == "receiver",
         "the receiver's dashboard document was read");
  // --time-scale 1 runs the gateway on the wall clock, and its document says so.
  const bool simulated = scale != 1;
  expect("",
         (simulated ? gdash.clock_kind == "simulated" && gdash.clock_scale == scale : gdash.clock_kind == "wall") &&
             rdash.clock_kind == "wall",
         simulated ? "the gateway's dashboard says its clock is simulated (x" +
                         std::to_string(static_cast<long>(scale)) + "), the receiver's that it is the wall clock"
                   : "both dashboards say their clock is the wall clock");
  expect("", db.error.empty(), "the receiver's SQLite database was read" + (db.error.empty() ? "" : ": " + db.error));
  std::int64_t tampered_sent = 0;

  for (const auto& j : jobs) {
    const std::string who = label.count(j.id) ? label[j.id] : j.id;
    const std::string& sc = j.scenario;
    const bool fails = sc == "fail_generation";
    const std::string want_status = fails ? "failed" : "completed";
    expect(who, j.status == want_status, "gateway status is " + want_status + " (got " + j.status + ")");
    const poller_result pr = polled.count(j.id) ? polled[j.id] : poller_result{};
    expect(who, pr.status == want_status, "the poller saw " + want_status + " (got " + pr.status + ")");
    if (fails)
      expect(who, pr.bytes < 0 && pr.content == "job_not_completed", "content was not requested for a failed job");
    else expect(who, pr.content_http == 200 && pr.bytes > 0, "content was read once completed");

    // Delivery keys and the side effects they caused.
    std::set<std::string> no_effect;  // keys whose delivery must not run a side effect
    if (sc == "stale_progress") no_effect.insert("video.progress:90");
    if (sc == "conflicting_terminal") no_effect.insert("video.failed");
    if (sc == "endpoint_down") no_effect.insert("video.completed");
    // status_changed (PROTOCOL.md §16.1): the change to completed arrives first and is a
    // hint, answered with a refetch (which finds and stores completed); the terminal event
    // then changes nothing.
    const std::string hint_key = "video.status_changed:in_progress:completed";
    if (sc == "status_changed") no_effect.insert("video.completed");
    std::set<std::string> keys;
    for (const auto& a : j.history) keys.insert(a.key);
    bool exactly_once = !keys.empty();
    std::string detail;
    for (const auto& k : keys) {
      const auto it = db.effect_rows.find({j.id, k});
      const std::int64_t rows = it == db.effect_rows.end() ? 0 : it->second;
      const std::int64_t want = no_effect.count(k) ? 0 : 1;
      const bool done = db.done_keys.count(dedup_encoding(j.id, k)) != 0;
      // A handled delivery's key is committed in the dedup store, ignored ones included.
      // Not done: a key whose handler always failed (released every time), and a refetch,
      // whose claim jobwire releases because the payload itself was not applied.
      const bool want_done = !(sc == "endpoint_down" && k == "video.completed") &&
                             !(sc == "conflicting_terminal" && k == "video.failed") &&
                             !(sc == "status_changed" && k == hint_key);
      if (rows != want || done != want_done) {
        exactly_once = false;
        detail += " " + k + ":" + std::to_string(rows) + (done ? "/done" : "/not-done");
      }
    }
    expect(who, exactly_once,
           "one side-effect row and a done dedup record per processed delivery key, none for ignored keys" +
               (detail.empty() ? "" : " (off:" + detail + ")"));
    for (const auto& [key, rows] : db.effect_rows)
      if (key.first == j.id && !keys.count(key.second))
        expect(who, false, "side effect for a key the gateway never sent: " + key.second);

    for (const auto* dash : {&gdash, &rdash}) {
      const auto row = dash->jobs.find(j.id);
      const bool same = row != dash->jobs.end() && row->second.label == sc && row->second.attempted == j.attempted &&
                        row->second.delivered == j.delivered && row->second.retried == j.retried &&
                        row->second.rejected == j.rejected;
      expect(who, same,
             std::string(dash == &gdash ? "the gateway's" : "the receiver's") + " dashboard names the job " + sc +
                 " and counts its deliveries as the summary does" +
                 (row == dash->jobs.end() ? " (no row)"
                  : same                  ? ""
                         : " (got " + row->second.label + " " + std::to_string(row->second.attempted) + "/" +
                               std::to_string(row->second.delivered) + "/" + std::to_string(row->second.retried) + "/" +
                               std::to_string(row->second.rejected) + ")"));
    }

    const std::string want_held = sc == "endpoint_down" ? "running" : want_status;
    const auto held = db.jobs.find(j.id);
    expect(who, held != db.jobs.end() && held->second.first == want_held,
           "the receiver's stored job state is " + want_held +
               (held == db.jobs.end() ? " (no row)" : " (got " + held->second.first + ")"));
    const std::string want_health = fails                   ? "generation_failed"
                                    : sc == "endpoint_down" ? "delivery_exhausted"
                                                            : "healthy";
    expect(who, j.health == want_health, "monitoring classifies it " + want_health + " (got " + j.health + ")");

    auto attempts_of = [&](const std::string& key) {
      std::vector<attempt_seen> v;
      for (const auto& a : j.history)
        if (a.key == key) v.push_back(a);
      return v;
    };
    auto decided = [&](const std::string& key, const std::string& action, std::int64_t http) {
      for (const auto& d : rv.deliveries)
        if (d.job == j.id && d.key == key && d.action == action && d.http == http) return true;
      return false;
    };
    const auto effects = rv.effects.count({j.id, "video.completed"}) ? rv.effects[{j.id, "video.completed"}]
                                                                     : std::pair<std::int64_t, std::int64_t>{0, 0};
    if (sc == "status_changed") {
      bool refetched = false;
      for (const auto& r : rv.refetches)
        refetched =
            refetched || (r.job == j.id && r.reason == "terminal_hint" && r.http == 200 && r.status == "completed");
      expect(who,
             decided("video.status_changed:queued:in_progress", "process", 200) && decided(hint_key, "refetch", 200) &&
                 refetched && decided("video.completed", "no_change", 200),
             "status_changed queued->in_progress processed; in_progress->completed only a hint (refetch: "
             "terminal_hint); video.completed then no_change");
    }
    if (sc == "normal" || sc == "fail_generation" || sc == "status_changed")
      expect(who, j.retried == 0 && j.delivered == static_cast<std::int64_t>(keys.size()),
             "every delivery accepted on its first attempt");
    if (sc == "receiver_fails_once") {
      auto a = attempts_of("video.completed");
      expect(who,
             a.size() == 2 && a[0].http == 503 && a[0].status == "scheduled_retry" && a[1].number == 2 &&
                 a[1].http == 200 && a[1].status == "delivered",
             "video.completed: attempt 1 answered 503 and scheduled a retry, attempt 2 delivered");
      expect(who, effects.first == 1 && effects.second == 1, "the side effect failed once, then ran exactly once");
    }
    if (sc == "duplicate") {
      auto a = attempts_of("video.completed");
      std::size_t delivered = 0;
      for (const auto& x : a) delivered += x.status == "delivered";
      expect(who, delivered == 2 && decided("video.completed", "duplicate", 200),
             "video.completed sent twice; the second was answered 200 as a duplicate");
    }
    if (sc == "tampered") {
      bool seen = false;
      for (const auto& i : j.injected) {
        seen = seen || (i.status == "tampered" && i.http == 401);
        tampered_sent += i.status == "tampered";
      }
      expect(who, seen && j.rejected == 0,
             "the tampered copy was rejected with 401; every attempt of the sender itself was accepted");
    }
    if (sc == "stale_progress")
      expect(who, decided("video.progress:90", "ignore_stale", 200), "late video.progress:90 answered 200 as stale");
    if (sc == "conflicting_terminal") {
      bool refetched = false;
      for (const auto& r : rv.refetches)
        refetched =
            refetched || (r.job == j.id && r.reason == "terminal_conflict" && r.http == 200 && r.status == "completed");
      expect(who, refetched && decided("video.failed", "refetch", 200),
             "video.failed after completion: the status endpoint was fetched (completed) and kept");
    }
    if (sc == "endpoint_down") {
      auto a = attempts_of("video.completed");
      expect(who, a.size() == 4 && a.back().status == "failed_permanently" && effects.first == 0 && effects.second == 4,
             "video.completed: 4 attempts, all refused, failed permanently; no side effect");
    }
  }
  expect("", jobs.size() == std::size(plan), "the gateway reports every job");
  // Refusals: 401 for the tampered copy only; 503 (handler_failed) for each failed side effect.
  std::int64_t failed_effects = 0;
  for (const auto& [k, c] : rv.effects) failed_effects += c.second;
  const std::int64_t rejected = rv.decisions.count("reject") ? rv.decisions["reject"] : -1;
  const std::int64_t mismatched = rv.rejections.count("signature_mismatch") ? rv.rejections["signature_mismatch"] : 0;
  const std::int64_t handler = rv.rejections.count("handler_failed") ? rv.rejections["handler_failed"] : 0;
  std::int64_t unauthenticated = 0;
  for (const auto& d : rv.deliveries) unauthenticated += d.http == 401;
  expect("", tampered_sent == 1 && mismatched == 1 && unauthenticated == 1,
         "the receiver answered 401 (signature_mismatch) to exactly the tampered delivery");
  expect("", rdash.unattributed_rejections == tampered_sent && gdash.unattributed_rejections == 0,
         "the receiver's dashboard counts the tampered copy as its one unattributed rejection");
  expect("", handler == failed_effects && failed_effects == 5 && rejected == mismatched + handler,
         "every other refusal was a failed side effect answered 503 (handler_failed): " + std::to_string(handler));

  // --- summary ---------------------------------------------------------------------------------
  out << "\n";
  char row[512];
  std::snprintf(row, sizeof row, "%-24s %-20s %-10s %-8s %9s %9s %7s %8s %6s  %-18s\n", "job", "scenario", "status",
                "effects", "attempted", "delivered", "retried", "rejected", "forged", "monitoring");
  out << row;
  for (const auto& j : jobs) {
    std::int64_t rows = 0, keys = 0;
    for (const auto& [k, c] : db.effect_rows)
      if (k.first == j.id) rows += c, keys += 1;
    std::snprintf(row, sizeof row, "%-24s %-20s %-10s %-8s %9lld %9lld %7lld %8lld %6zu  %-18s\n", j.id.c_str(),
                  j.scenario.c_str(), j.status.c_str(), (std::to_string(rows) + "/" + std::to_string(keys)).c_str(),
                  static_cast<long long>(j.attempted), static_cast<long long>(j.delivered),
                  static_cast<long long>(j.retried), static_cast<long long>(j.rejected), j.injected.size(),
                  j.health.c_str());
    out << row;
  }
  out << "(effects: side-effect rows in SQLite / delivery keys they cover. attempted, delivered, retried,\n"
         " rejected: the sender's own attempts, counted as on both dashboards; rejected = answered with a\n"
         " non-2xx HTTP status. forged: copies with an altered body the simulation sent besides; the receiver\n"
         " refused them before it could attribute them to a job, and its dashboard counts them as\n"
         " unattributed rejections. monitoring: the health class both dashboards show. receiver decisions:";
  for (const auto& [k, v] : rv.decisions) out << " " << k << "=" << v;
  out << ")\n\n";
  std::size_t failed = 0;
  for (const auto& c : checks) {
    if (!c.ok) ++failed;
    if (!c.ok || inv.has("--verbose"))
      out << (c.ok ? "  ok    " : "  FAIL  ") << (c.job.empty() ? "" : c.job + ": ") << c.text << "\n";
  }
  char tail[160];
  std::snprintf(tail, sizeof tail, "%zu of %zu expectations held in %.1fs", checks.size() - failed, checks.size(),
                elapsed);
  out << tail << (failed ? "" : " — all protocol behaviours observed") << "\n";
  if (failed) {
    for (child* c : s.children) {
      std::ifstream log(c->stderr_path);
      std::stringstream ss;
      ss << log.rdbuf();
      if (!ss.str().empty()) out << "--- " << c->name << " log:\n" << ss.str();
    }
  }
  if (s.keep) out << "kept " << s.dir.string() << " (database app.db, one log per program)\n";
  if (inv.has("--keep-open") && g_signal == 0) {
    // The scenario is over; the gateway and the receiver keep serving their dashboards.
    out << "dashboards stay up until Ctrl-C:\n"
        << "  receiver  " << receiver_url << "/dashboard\n"
        << "  gateway   " << gateway_url << "/dashboard  (simulated clock, x" << scale << ")\n";
    out.flush();
    while (g_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    out << "stopping processes\n";
  }
  return failed ? exit_rejected : exit_ok;
}

}  // namespace

const registrar demo_reg{
    command_spec{"demo",
                 "run the end-to-end scenario on loopback (gateway, receiver, poller)",
                 "jobwire demo [--time-scale N] [--timeout SECONDS] [--keep-temp] [--keep-open] [--verbose]",
                 "Starts jobwire-gateway, jobwire-receiver and jobwire-poller (found next to this\n"
                 "executable) on free loopback ports and runs nine jobs: normal, a failing generation,\n"
                 "a receiver failing the first attempt of a delivery, a duplicate, a tampered delivery,\n"
                 "progress after completion, a conflicting terminal state, an endpoint that never accepts\n"
                 "and a job sent as the current service sends it (x-phaseo-*, status_changed). Prints each\n"
                 "delivery as it happens, with the receiver's decision next to the HTTP status, then a\n"
                 "summary table; exits 0 only if every expectation held, judged from HTTP statuses, SQLite\n"
                 "rows, receiver counters and both dashboards' documents. The receiver and the gateway\n"
                 "serve the operations dashboard (docs/DASHBOARD.md) at the printed, labelled URLs while\n"
                 "the demo runs (the gateway's times are on its simulated clock); --keep-open keeps them up\n"
                 "after the summary, until Ctrl-C. The webhook secret reaches the receiver and the poller\n"
                 "in a file only the user can read, never as an argument.",
                 {{"--time-scale", "N", "the gateway's delivery clock runs N times real time (default 600)", false},
                  {"--timeout", "SECONDS", "give up after this long (default 45)", false},
                  {"--keep-temp", "", "keep the temporary directory (database, logs)", false},
                  {"--keep-open", "", "after the summary, keep the dashboards up until Ctrl-C", false},
                  {"--verbose", "", "list every expectation, not only failed ones", false}},
                 0,
                 0,
                 "",
                 run}};

}  // namespace jobwire_cli

#else  // !JOBWIRE_CLI_HAVE_DEMO

namespace jobwire_cli {
namespace {
int run_unavailable(invocation& inv) {
  inv.io_error("this jobwire was built without cpp-httplib or SQLite3; run tools/deps.sh examples and rebuild");
}
const registrar demo_reg{command_spec{"demo",
                                      "run the end-to-end scenario on loopback (unavailable in this build)",
                                      "jobwire demo",
                                      "Needs cpp-httplib and SQLite3 at build time.",
                                      {},
                                      0,
                                      0,
                                      "",
                                      run_unavailable}};
}  // namespace
}  // namespace jobwire_cli

#endif
