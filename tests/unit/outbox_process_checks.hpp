// Multi-process checks for the shared outbox stores (SQLite, PostgreSQL): several forked
// workers drain one outbox while some are SIGKILLed at random points — before a "send",
// between the send and its record — and the outbox still ends with every row delivered,
// none lost, and a row sent twice only where a kill (or a lease that ran out) fell between
// its send and its record. This is the §16.7 weakness ("a row left claimed by a crashed
// sender is never sent") shown gone. Each child opens its own store: connections are
// never shared across fork().
#pragma once

#include <catch2/catch.hpp>
#include <jobwire/outbox.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "outbox_conformance.hpp"

namespace outbox_process {

using namespace std::chrono_literals;

inline jobwire::unix_time wall_now() { return jobwire::to_unix_time(std::chrono::system_clock::now()); }

/// A private temporary directory, removed (with its files) afterwards.
struct temp_dir {
  std::string path;
  std::vector<std::string> files;
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/jobwire-outbox-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  std::string file(const std::string& name) {
    files.push_back(path + "/" + name);
    return files.back();
  }
  ~temp_dir() {
    for (const auto& f : files) ::unlink(f.c_str());
    ::rmdir(path.c_str());
  }
};

// One line per event, written with one write(2) on an O_APPEND descriptor, so a SIGKILL
// leaves every line before it complete: B (leased, about to send), S (sent), R (recorded),
// L (record refused: the lease was lost), T (the lease was a takeover).
inline void log_line(int fd, char what, std::int64_t row) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%c %lld\n", what, static_cast<long long>(row));
  if (n > 0) (void)!::write(fd, buf, static_cast<std::size_t>(n));
}

enum class kill_point { none, before_send, after_send };

/// A worker: leases batches until the outbox has nothing left that is not terminal, or
/// the deadline. With `die_at` > 0 it SIGKILLs itself at its die_at-th row, at `point`.
template <class Store>
void work(Store& s, int fd, const char* name, std::chrono::milliseconds lease, std::size_t batch, int die_at,
          kill_point point) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  int handled = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<jobwire::outbox_lease> got;
    auto n = s.lease(name, wall_now(), lease, batch, got);
    if (!n) {
      std::this_thread::sleep_for(5ms);  // busy database: back off, as a worker does
      continue;
    }
    if (*n == 0) {
      auto c = s.counts(wall_now());
      if (c && c->pending == 0 && c->scheduled_retry == 0) return;
      std::this_thread::sleep_for(20ms);  // rows of a dead worker: wait for its lease to end
      continue;
    }
    for (const auto& l : got) {
      ++handled;
      if (l.taken_over) log_line(fd, 'T', l.row_id);
      log_line(fd, 'B', l.row_id);
      if (die_at == handled && point == kill_point::before_send) ::raise(SIGKILL);
      std::this_thread::sleep_for(1ms);  // the request
      log_line(fd, 'S', l.row_id);
      if (die_at == handled && point == kill_point::after_send) ::raise(SIGKILL);
      auto r = s.record(l, outbox_conformance::delivered(jobwire::to_unix_ms(wall_now())), wall_now());
      log_line(fd, r ? 'R' : 'L', l.row_id);
    }
  }
}

struct worker_log {
  std::map<std::int64_t, int> sent, recorded, lost, taken_over;
  std::set<std::int64_t> in_window;  // sent, not recorded: where the worker died
};

inline worker_log read_log(const std::string& path) {
  worker_log w;
  std::ifstream in(path);
  char what;
  long long row;
  while (in >> what >> row) {
    if (what == 'S') ++w.sent[row];
    if (what == 'R') ++w.recorded[row];
    if (what == 'L') ++w.lost[row];
    if (what == 'T') ++w.taken_over[row];
  }
  for (const auto& kv : w.sent)
    if (w.recorded[kv.first] + w.lost[kv.first] < kv.second) w.in_window.insert(kv.first);
  return w;
}

/// `workers` processes drain `rows` rows through stores from `open()` (run in each child;
/// returns a pointer-like, null on failure). Child 0 kills itself at a random row and
/// point (seeded; the seed is reported), child 1 is SIGKILLed by the parent after a random
/// delay; the others run to the end. `admin` is the parent's own store on the same outbox.
template <class Store, class Open>
void killed_workers(Store& admin, Open open, int rows, int workers) {
  REQUIRE(workers >= 3);
  const std::string job = outbox_conformance::unique("proc");
  const auto t0 = wall_now();
  for (int i = 0; i < rows; ++i)
    JW_OUTBOX_OK(
        admin.enqueue(outbox_conformance::item(job, "k" + std::to_string(i), "https://proc.example/hook"), t0));
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  const int die_at = 1 + static_cast<int>(rng() % 12);
  const kill_point point = rng() % 2 ? kill_point::after_send : kill_point::before_send;
  const auto parent_kill_after = std::chrono::milliseconds(30 + rng() % 200);
  INFO("child 0 dies at its row " << die_at << (point == kill_point::after_send ? " after" : " before")
                                  << " sending; child 1 is killed after " << parent_kill_after.count() << " ms");
  temp_dir dir;
  std::vector<std::string> logs;
  for (int i = 0; i < workers; ++i) logs.push_back(dir.file("worker-" + std::to_string(i) + ".log"));
  std::vector<pid_t> pids;
  for (int i = 0; i < workers; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int fd = ::open(logs[static_cast<std::size_t>(i)].c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      auto s = open();
      if (fd < 0 || !s) ::_exit(3);
      const std::string name = "worker-" + std::to_string(i);
      // Short leases, so a dead worker's rows come back within the test's time.
      work(*s, fd, name.c_str(), 700ms, 4, i == 0 ? die_at : 0, i == 0 ? point : kill_point::none);
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  std::this_thread::sleep_for(parent_kill_after);
  ::kill(pids[1], SIGKILL);
  int killed = 0;
  std::set<int> killed_children;
  for (int i = 0; i < workers; ++i) {
    int st = 0;
    REQUIRE(::waitpid(pids[static_cast<std::size_t>(i)], &st, 0) == pids[static_cast<std::size_t>(i)]);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
      ++killed;
      killed_children.insert(i);
    } else {
      INFO("child " << i);
      CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
    }
  }
  CHECK(killed_children.count(0) == 1);  // it reached its row: the kill fell where planned
  // Child 1 may have finished its share before the parent's kill: then only one died.

  // Nothing lost: every row ends terminal, delivered.
  auto c = admin.counts(wall_now());
  JW_OUTBOX_OK(c);
  CHECK(c->pending == 0);
  CHECK(c->scheduled_retry == 0);
  CHECK(c->delivered == static_cast<std::uint64_t>(rows));
  CHECK(c->failed_permanently == 0);
  CHECK(c->leased == 0);

  std::map<std::int64_t, int> sends, window, lost, takeovers;
  for (int i = 0; i < workers; ++i) {
    worker_log w = read_log(logs[static_cast<std::size_t>(i)]);
    for (const auto& kv : w.sent) sends[kv.first] += kv.second;
    for (const auto& kv : w.lost) lost[kv.first] += kv.second;
    for (const auto& kv : w.taken_over) takeovers[kv.first] += kv.second;
    if (killed_children.count(i))
      for (std::int64_t r : w.in_window) ++window[r];
    else CHECK(w.in_window.empty());  // a worker that lived recorded (or lost) every send
  }
  CHECK(sends.size() == static_cast<std::size_t>(rows));  // every row was sent
  int duplicates = 0, allowed = 0;
  for (const auto& kv : sends) {
    const int extra = kv.second - 1;
    const int bound = window[kv.first] + lost[kv.first];
    INFO("row " << kv.first << " sent " << kv.second << " times; kill window " << window[kv.first] << ", lost "
                << lost[kv.first]);
    CHECK(extra <= bound);
    duplicates += extra;
    allowed += bound;
  }
  int window_total = 0;
  for (const auto& kv : window) window_total += kv.second;
  // Each dead worker held at most one batch, and only the row it was on can have been
  // sent unrecorded (a worker sends its batch one row at a time).
  CHECK(window_total <= killed);
  int takeover_total = 0;
  for (const auto& kv : takeovers) takeover_total += kv.second;
  // The rows the dead workers held came back as takeovers, including every sent one.
  CHECK(takeover_total >= window_total);
  WARN("outbox workers: " << rows << " rows, " << killed << " killed, " << duplicates << " duplicate sends (bound "
                          << allowed << "), " << takeover_total << " takeovers");
}

}  // namespace outbox_process
