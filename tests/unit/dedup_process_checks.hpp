// Multi-process checks for the shared dedup stores (SQLite, Redis, PostgreSQL):
// N forked processes claim at once, and a holder killed with SIGKILL is taken over after
// its lease (PROTOCOL.md §13). Each child opens its own store: connections are never
// shared across fork().
#pragma once

#include <catch2/catch.hpp>
#include <jobwire/dedup.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "dedup_conformance.hpp"

namespace dedup_process {

using jobwire::claim_state;
using jobwire::dedup_key;
using jobwire::errc;

inline bool write_all(int fd, const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd, c, n);
    if (w <= 0) return false;
    c += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

inline bool read_all(int fd, void* p, std::size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::read(fd, c, n);
    if (r <= 0) return false;
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

/// Forks `n` children that all start `body(i)` together (they block on a pipe the
/// parent closes once every child exists); each child's one-character report goes back
/// through a second pipe. Returns the reports, one per child.
template <class Body>
std::string run_children(int n, Body body) {
  int go[2], out[2];
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(out) == 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(go[1]);
      ::close(out[0]);
      char c;
      (void)::read(go[0], &c, 1);  // returns 0 when the parent closes the write end
      char report = body(i);
      (void)write_all(out[1], &report, 1);
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  ::close(go[0]);
  ::close(out[1]);
  ::close(go[1]);  // start
  std::string reports;
  char c;
  while (::read(out[0], &c, 1) == 1) reports += c;
  ::close(out[0]);
  for (pid_t p : pids) {
    int st = 0;
    ::waitpid(p, &st, 0);
    CHECK(WIFEXITED(st));
  }
  return reports;
}

/// N processes claim the same key at the same moment: exactly one gets fresh and runs
/// the effect; the others see in_flight or done. Each process also claims
/// (its own job, the same delivery key): all of those are fresh.
/// `open_store()` runs in the child and returns a store (or a pointer-like to one).
template <class Open>
void concurrent_claims(Open open_store, jobwire::dedup_time now, int n) {
  const std::string shared_job = dedup_conformance::unique_job_id("race");
  const std::string own_prefix = dedup_conformance::unique_job_id("own");
  std::string reports = run_children(n, [&](int i) -> char {
    auto store = open_store();
    if (!store) return 'U';
    auto k = *dedup_key::for_delivery(shared_job, "video.completed");
    auto c = store->claim(k, now, std::chrono::seconds{60});
    if (!c) return 'E';
    char r = 'X';
    if (c->state == claim_state::fresh) {
      if (!store->commit(k, c->token, now)) return 'C';
      r = 'F';
    } else {
      r = c->state == claim_state::done ? 'D' : 'I';
    }
    auto own = *dedup_key::for_delivery(own_prefix + "-" + std::to_string(i), "video.completed");
    auto o = store->claim(own, now, std::chrono::seconds{60});
    if (!o || o->state != claim_state::fresh) return 'O';
    return r;
  });
  INFO("reports: " << reports);
  REQUIRE(reports.size() == static_cast<std::size_t>(n));
  CHECK(std::count(reports.begin(), reports.end(), 'F') == 1);
  CHECK(std::count(reports.begin(), reports.end(), 'D') + std::count(reports.begin(), reports.end(), 'I') == n - 1);
}

/// A child claims a key, reports its token, and is killed with SIGKILL mid-"effect".
/// Until the lease ends the key is in flight; afterwards another holder takes it over,
/// and a late commit or release with the dead holder's token is claim_lost and leaves
/// the new holder's claim intact. `Fx` supplies now()/advance()/lease() as in the
/// conformance suite; `open_store()` runs in the child.
template <class Fx, class Open>
void crash_takeover(Fx& fx, Open open_store) {
  auto& s = fx.store();
  const auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("crash"), "video.completed");
  const auto now = fx.now();
  const auto lease = fx.lease();
  int p[2];
  REQUIRE(::pipe(p) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(p[0]);
    auto store = open_store();
    jobwire::claim_token t{};
    if (store) {
      auto c = store->claim(k, now, lease);
      if (c && c->state == claim_state::fresh) t = c->token;
    }
    (void)write_all(p[1], t.bytes.data(), t.bytes.size());
    for (;;) ::pause();  // "running the side effect" until killed
  }
  ::close(p[1]);
  jobwire::claim_token dead{};
  bool got = read_all(p[0], dead.bytes.data(), dead.bytes.size());
  ::close(p[0]);
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  REQUIRE(got);
  REQUIRE(dead != jobwire::claim_token{});  // the child did claim
  CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));

  auto during = s.claim(k, fx.now(), lease);
  REQUIRE(during);
  CHECK(during->state == claim_state::in_flight);
  fx.advance(lease + lease / 4);
  auto taken = s.claim(k, fx.now(), lease);
  REQUIRE(taken);
  REQUIRE(taken->state == claim_state::fresh);
  CHECK(taken->token != dead);
  CHECK(s.commit(k, dead, fx.now()).code() == errc::claim_lost);
  CHECK(s.release(k, dead).code() == errc::claim_lost);
  auto still = s.claim(k, fx.now(), lease);
  REQUIRE(still);
  CHECK(still->state == claim_state::in_flight);
  REQUIRE(s.commit(k, taken->token, fx.now()));
  auto done = s.claim(k, fx.now(), lease);
  REQUIRE(done);
  CHECK(done->state == claim_state::done);
}

}  // namespace dedup_process
