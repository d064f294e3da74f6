// Concurrency harness for the receiver (PROTOCOL.md §13, §16.7): deliveries of several
// phases of the same jobs (created, progress buckets, a terminal phase) arrive in random
// order, every one of them several times, at N receivers at once, whose handlers take a
// few milliseconds; some receivers are killed with SIGKILL mid-run and replaced (the
// sender retries what they never acknowledged). At the end it counts
//
//   - applied twice:        side-effect rows for one dedup key beyond the first;
//   - acknowledged-but-lost: a delivery answered 2xx whose state the final job state
//                           does not reflect (reconciling it against the final state
//                           would still apply something);
//   - terminal undone:      a terminal state written and later overwritten, or a job whose
//                           terminal delivery was acknowledged and which does not end in it.
//
// All three must be zero on every store: SQLite, Redis and PostgreSQL with forked
// processes (Redis and PostgreSQL when tests/services.sh started them), and the in-memory
// store with threads. The host's job state lives in a SQLite file (processes) or a map
// (threads); the handler writes the new state and its side-effect row in one transaction.
//
// Scale: JOBWIRE_TEST_RACE_KILLS (SIGKILLs per store, default 6) and
// JOBWIRE_TEST_RACE_JOBS (jobs per run, default 12).
#include <catch2/catch.hpp>

#include <jobwire/receiver.hpp>
#include <jobwire/stores/postgres.hpp>
#include <jobwire/stores/redis.hpp>
#include <jobwire/stores/sqlite.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dedup_conformance.hpp"
#include "receiver_support.hpp"

using namespace jobwire;
using namespace receiver_test;

namespace {

constexpr int n_workers = 6;
constexpr std::chrono::milliseconds handler_delay{4};
// Short, so that a lease held by a killed receiver comes back within the run.
constexpr std::chrono::milliseconds race_lease{1000};
constexpr std::chrono::seconds worker_deadline{40};

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::max(0, std::atoi(v));
}

dedup_time wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// --- the deliveries ------------------------------------------------------------------------

struct planned {
  delivery d;
  std::string job;
  std::string key;  // the delivery key text
  job_update update;
  bool terminal = false;
};

std::vector<planned> make_plan(const std::string& prefix, int jobs, std::int64_t signed_at) {
  std::vector<planned> plan;
  for (int j = 0; j < jobs; ++j) {
    const std::string job = prefix + "-" + std::to_string(j);
    const bool completes = j % 2 == 0;
    auto add = [&](const std::string& type, const std::string& key, const std::string& st, int progress, job_update u,
                   bool terminal) {
      delivery_spec s;
      s.job = job;
      s.type = type;
      s.key = key;
      s.status = st;
      s.progress = progress;
      s.timestamp = signed_at;
      plan.push_back(planned{make_delivery(s), job, key, u, terminal});
    };
    add("video.created", "video.created", "queued", -1, job_update::of(lifecycle_status::pending), false);
    for (int p : {20, 50, 90})
      add("video.progress", "video.progress:" + std::to_string(p), "processing", p,
          job_update::of(lifecycle_status::running, p), false);
    if (completes)
      add("video.completed", "video.completed", "completed", -1, job_update::of(lifecycle_status::completed), true);
    else add("video.failed", "video.failed", "failed", -1, job_update::of(lifecycle_status::failed), true);
  }
  return plan;
}

// --- the host's job state ------------------------------------------------------------------

struct effect_row {
  std::string job, key;
  job_state state;
};

/// Job state and side effects in a SQLite file shared by every receiver process.
class sqlite_host {
 public:
  explicit sqlite_host(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return;
    sqlite3_busy_timeout(db_, 20000);
    ok_ = exec(
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE IF NOT EXISTS jobs(job_id TEXT PRIMARY KEY, lifecycle INTEGER NOT NULL, "
        "progress REAL NOT NULL);"
        "CREATE TABLE IF NOT EXISTS effects(id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, "
        "dedup_key TEXT NOT NULL, lifecycle INTEGER NOT NULL, progress REAL NOT NULL);");
  }
  ~sqlite_host() { sqlite3_close(db_); }
  sqlite_host(const sqlite_host&) = delete;
  sqlite_host& operator=(const sqlite_host&) = delete;
  bool ok() const { return ok_; }

  // The host created every job it is shown: no row is "pending, 0".
  result<std::optional<job_state>> load(std::string_view job) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT lifecycle, progress FROM jobs WHERE job_id = ?1", -1, &st, nullptr) !=
        SQLITE_OK)
      return errc::store_error;
    sqlite3_bind_text(st, 1, job.data(), static_cast<int>(job.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st);
    std::optional<job_state> s = job_state{};
    if (rc == SQLITE_ROW)
      s = job_state{static_cast<lifecycle_status>(sqlite3_column_int(st, 0)), sqlite3_column_double(st, 1)};
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return errc::store_unavailable;
    return s;
  }

  // The new state and its side effect, one transaction.
  void_result write(std::string_view job, std::string_view key, const job_state& next) {
    if (!exec("BEGIN IMMEDIATE")) return errc::store_unavailable;
    bool ok =
        step(
            "INSERT INTO jobs(job_id, lifecycle, progress) VALUES(?1, ?2, ?3) ON CONFLICT(job_id) DO UPDATE "
            "SET lifecycle = excluded.lifecycle, progress = excluded.progress",
            job, {}, next) &&
        step("INSERT INTO effects(job_id, dedup_key, lifecycle, progress) VALUES(?1, ?4, ?2, ?3)", job, key, next);
    if (!ok) {
      exec("ROLLBACK");
      return errc::store_error;
    }
    return exec("COMMIT") ? void_result{} : void_result{errc::store_unavailable};
  }

  std::map<std::string, job_state> final_states() {
    std::map<std::string, job_state> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT job_id, lifecycle, progress FROM jobs", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
          job_state{static_cast<lifecycle_status>(sqlite3_column_int(st, 1)), sqlite3_column_double(st, 2)};
    sqlite3_finalize(st);
    return out;
  }
  std::vector<effect_row> effects() {
    std::vector<effect_row> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT job_id, dedup_key, lifecycle, progress FROM effects ORDER BY id", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.push_back(effect_row{
          reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
          reinterpret_cast<const char*>(sqlite3_column_text(st, 1)),
          job_state{static_cast<lifecycle_status>(sqlite3_column_int(st, 2)), sqlite3_column_double(st, 3)}});
    sqlite3_finalize(st);
    return out;
  }

 private:
  bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
  bool step(const char* sql, std::string_view job, std::string_view key, const job_state& s) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) return false;
    sqlite3_bind_text(st, 1, job.data(), static_cast<int>(job.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, static_cast<int>(s.lifecycle));
    sqlite3_bind_double(st, 3, s.progress);
    if (!key.empty()) sqlite3_bind_text(st, 4, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
  }
  sqlite3* db_ = nullptr;
  bool ok_ = false;
};

/// The same for threads of one process.
class memory_host {
 public:
  result<std::optional<job_state>> load(std::string_view job) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = jobs_.find(std::string(job));
    return std::optional<job_state>(it == jobs_.end() ? job_state{} : it->second);
  }
  void_result write(std::string_view job, std::string_view key, const job_state& next) {
    std::lock_guard<std::mutex> l(mu_);
    jobs_[std::string(job)] = next;
    effects_.push_back(effect_row{std::string(job), std::string(key), next});
    return {};
  }
  std::map<std::string, job_state> final_states() {
    std::lock_guard<std::mutex> l(mu_);
    return jobs_;
  }
  std::vector<effect_row> effects() {
    std::lock_guard<std::mutex> l(mu_);
    return effects_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, job_state> jobs_;
  std::vector<effect_row> effects_;
};

// --- one receiver ---------------------------------------------------------------------------

/// Sends every planned delivery (in its own random order) through receive_delivery until
/// it is acknowledged, retrying 503s like the sender would. Each 2xx is reported through
/// `ack(index)`. Returns 'K' when all were acknowledged, 'R' on an unexpected rejection,
/// 'T' when the deadline passed.
template <class Store, class Host, class Ack>
char run_receiver(Store& store, Host& host, const std::vector<planned>& plan, unsigned seed, Ack ack) {
  verifier v = *verifier::create({secret});
  receiver_options opt;
  opt.lease = race_lease;
  std::mt19937 rng(seed);
  std::deque<std::size_t> todo;
  for (std::size_t i = 0; i < plan.size(); ++i) todo.push_back(i);
  std::shuffle(todo.begin(), todo.end(), rng);
  const auto deadline = std::chrono::steady_clock::now() + worker_deadline;
  while (!todo.empty()) {
    if (std::chrono::steady_clock::now() > deadline) return 'T';
    const std::size_t i = todo.front();
    todo.pop_front();
    const planned& p = plan[i];
    receipt r = receive_delivery(
        p.d.body, p.d.headers, v, store, wall_now(), [&](std::string_view job) { return host.load(job); },
        [&](const envelope_view& e, const reconcile_decision& d, const dedup_key& key) -> void_result {
          std::this_thread::sleep_for(handler_delay);  // widen the window between load and write
          return host.write(e.data.id.str(), key.encoded(), d.next);
        },
        opt);
    if (r.acknowledged()) {
      ack(i);
    } else if (r.http_status == 503) {
      todo.push_back(i);  // the sender retries
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 5));
    } else {
      return 'R';
    }
  }
  return 'K';
}

// --- the verdict ----------------------------------------------------------------------------

struct verdict {
  int applied_twice = 0;
  int acknowledged_lost = 0;
  int terminal_undone = 0;
  int never_acknowledged = 0;
  std::string detail;
};

verdict judge(const std::vector<planned>& plan, const std::set<std::size_t>& acked,
              const std::map<std::string, job_state>& final_states, const std::vector<effect_row>& effects) {
  verdict v;
  std::ostringstream why;
  std::map<std::string, int> per_key;
  for (const auto& e : effects)
    if (++per_key[e.key] == 2) {
      ++v.applied_twice;
      why << "applied twice: " << e.key << "\n";
    } else if (per_key[e.key] > 2) {
      ++v.applied_twice;
    }
  std::map<std::string, bool> terminal_written;
  std::set<std::string> undone;
  for (const auto& e : effects) {
    if (terminal_written[e.job] && !is_terminal(e.state.lifecycle)) undone.insert(e.job);
    if (is_terminal(e.state.lifecycle)) terminal_written[e.job] = true;
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const planned& p = plan[i];
    if (acked.count(i) == 0) {
      ++v.never_acknowledged;
      continue;
    }
    auto it = final_states.find(p.job);
    const std::optional<job_state> held =
        it == final_states.end() ? std::optional<job_state>(job_state{}) : std::optional<job_state>(it->second);
    const reconcile_decision d = reconcile(held, p.update);
    if (d.action == reconcile_action::apply) {
      ++v.acknowledged_lost;
      why << "acknowledged but lost: " << p.job << " " << p.key << " (final " << lifecycle_status_name(held->lifecycle)
          << " " << held->progress << ")\n";
    }
    if (p.terminal && (!held || held->lifecycle != p.update.lifecycle)) undone.insert(p.job);
  }
  v.terminal_undone = static_cast<int>(undone.size());
  for (const auto& j : undone) why << "terminal undone: " << j << "\n";
  v.detail = why.str();
  return v;
}

void check(const verdict& v, const char* store) {
  INFO(store << ":\n" << v.detail);
  CHECK(v.never_acknowledged == 0);
  CHECK(v.applied_twice == 0);
  CHECK(v.acknowledged_lost == 0);
  CHECK(v.terminal_undone == 0);
}

// --- processes ------------------------------------------------------------------------------

/// Runs `n_workers` receiver processes (each opens its own store and host database after
/// fork) over the plan; kills `kills` of them with SIGKILL at random moments and starts a
/// replacement for each. Returns the exit reports of the processes that finished.
template <class Open>
std::string run_processes(Open open_store, const std::string& host_path, const std::string& ack_path,
                          const std::vector<planned>& plan, int kills, unsigned seed) {
  auto spawn = [&](unsigned child_seed) -> pid_t {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    int code = 'U';
    {
      auto store = open_store();
      sqlite_host host(host_path);
      const int fd = ::open(ack_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
      if (!store) code = 'S';
      else if (!host.ok()) code = 'H';
      else if (fd < 0) code = 'A';
      else {
        code = run_receiver(*store, host, plan, child_seed, [&](std::size_t i) {
          const std::string line = std::to_string(i) + "\n";
          (void)!::write(fd, line.data(), line.size());  // one short O_APPEND write: atomic
        });
      }
    }
    ::_exit(code);
  };
  std::mt19937 rng(seed);
  std::vector<pid_t> live;
  for (int i = 0; i < n_workers; ++i) live.push_back(spawn(seed * 131u + static_cast<unsigned>(i)));
  std::string reports;
  int killed = 0;
  auto next_kill = std::chrono::steady_clock::now() + std::chrono::milliseconds(10 + rng() % 60);
  while (!live.empty()) {
    if (killed < kills && std::chrono::steady_clock::now() >= next_kill) {
      const std::size_t victim = rng() % live.size();
      ::kill(live[victim], SIGKILL);
      ++killed;
      next_kill = std::chrono::steady_clock::now() + std::chrono::milliseconds(10 + rng() % 60);
    }
    for (std::size_t i = 0; i < live.size();) {
      int st = 0;
      const pid_t r = ::waitpid(live[i], &st, WNOHANG);
      if (r == 0) {
        ++i;
        continue;
      }
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      if (WIFSIGNALED(st)) {
        reports += 'x';
        live.push_back(spawn(static_cast<unsigned>(rng())));  // the sender retries what it lost
      } else {
        reports += static_cast<char>(WIFEXITED(st) ? WEXITSTATUS(st) : '?');
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return reports;
}

std::set<std::size_t> read_acks(const std::string& path) {
  std::set<std::size_t> acked;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) acked.insert(static_cast<std::size_t>(std::stoul(line)));
  return acked;
}

template <class Open>
void process_race(const char* name, Open open_store) {
  char dir_tmpl[] = "/tmp/jobwire_race_XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
  const std::string dir = dir_tmpl;
  const std::string host_path = dir + "/host.sqlite", ack_path = dir + "/acks";
  {
    sqlite_host init(host_path);  // create the schema once, before the processes race
    REQUIRE(init.ok());
  }
  const auto plan = make_plan(
      dedup_conformance::unique_job_id("race"), env_int("JOBWIRE_TEST_RACE_JOBS", 12),
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  INFO(name << ": seed " << seed);
  const std::string reports =
      run_processes(open_store, host_path, ack_path, plan, env_int("JOBWIRE_TEST_RACE_KILLS", 6), seed);
  INFO("exit reports (K done, x killed): " << reports);
  CHECK(reports.find_first_not_of("Kx") == std::string::npos);
  sqlite_host host(host_path);
  REQUIRE(host.ok());
  const verdict v = judge(plan, read_acks(ack_path), host.final_states(), host.effects());
  check(v, name);
  for (const char* f : {"/host.sqlite", "/host.sqlite-wal", "/host.sqlite-shm", "/acks", "/dedup.sqlite",
                        "/dedup.sqlite-wal", "/dedup.sqlite-shm"})
    std::remove((dir + f).c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

TEST_CASE("receiver race: SQLite store, processes with SIGKILLs lose and repeat nothing", "[receiver][race][sqlite]") {
  char dir_tmpl[] = "/tmp/jobwire_race_dedup_XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
  const std::string path = std::string(dir_tmpl) + "/dedup.sqlite";
  process_race("sqlite", [&]() -> std::unique_ptr<sqlite_dedup_store> {
    auto s = sqlite_dedup_store::open(path);
    if (!s) return nullptr;
    return std::make_unique<sqlite_dedup_store>(std::move(*s));
  });
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  ::rmdir(dir_tmpl);
}

TEST_CASE("receiver race: Redis store, processes with SIGKILLs lose and repeat nothing", "[receiver][race][redis]") {
  const char* host = dedup_conformance::service_env("JOBWIRE_TEST_REDIS_HOST");
  const char* port = dedup_conformance::service_env("JOBWIRE_TEST_REDIS_PORT");
  if (!host || !port) return;
  process_race("redis", [&]() -> std::unique_ptr<redis_dedup_store> {
    redis_dedup_options o;
    o.prefix = "jobwire:test:race:";
    auto s = redis_dedup_store::connect(host, std::atoi(port), o);
    if (!s) return nullptr;
    return std::make_unique<redis_dedup_store>(std::move(*s));
  });
}

TEST_CASE("receiver race: PostgreSQL store, processes with SIGKILLs lose and repeat nothing",
          "[receiver][race][postgres]") {
  const char* info = dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return;
  process_race("postgres", [&]() -> std::unique_ptr<postgres_dedup_store> {
    postgres_dedup_options o;
    o.table = "jobwire_test_race";
    auto s = postgres_dedup_store::connect(info, o);
    if (!s) return nullptr;
    return std::make_unique<postgres_dedup_store>(std::move(*s));
  });
}

TEST_CASE("receiver race: in-memory store, threads lose and repeat nothing", "[receiver][race][memory]") {
  // Room for every key of the run (the tiny-limits build's default holds 2 per shard).
  memory_dedup_options room;
  room.capacity = 16 * 1024;
  memory_dedup_store store{room};
  memory_host host;
  const auto plan = make_plan(
      dedup_conformance::unique_job_id("race-mem"), env_int("JOBWIRE_TEST_RACE_JOBS", 12),
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  INFO("seed " << seed);
  std::mutex mu;
  std::set<std::size_t> acked;
  std::vector<char> reports(n_workers, '?');
  std::vector<std::thread> threads;
  for (int i = 0; i < n_workers; ++i)
    threads.emplace_back([&, i] {
      reports[static_cast<std::size_t>(i)] =
          run_receiver(store, host, plan, seed + static_cast<unsigned>(i), [&](std::size_t k) {
            std::lock_guard<std::mutex> l(mu);
            acked.insert(k);
          });
    });
  for (auto& t : threads) t.join();
  CHECK(std::string(reports.begin(), reports.end()) == std::string(n_workers, 'K'));
  check(judge(plan, acked, host.final_states(), host.effects()), "memory");
}
