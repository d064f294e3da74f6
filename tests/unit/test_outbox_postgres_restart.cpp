// The PostgreSQL outbox store across a server restart (PROTOCOL.md §16.7: nothing may be
// lost). tests/services.sh provides JOBWIRE_TEST_PG_CTL, a script that stops (`down`) and
// starts (`up`) the test server on the same port and data. While the server is down every
// operation is store_unavailable; once it is back the stores reconnect by themselves, the
// leases taken before the restart still hold, and workers that back off and retry drain
// the outbox with every row delivered. Runs alone (RUN_SERIAL): it stops the shared server.
#include <catch2/catch.hpp>

#include <jobwire/stores/postgres_outbox.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "outbox_conformance.hpp"
#include "outbox_postgres_support.hpp"
#include "outbox_process_checks.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

void server(const char* ctl, const char* what) {
  const std::string cmd = std::string(ctl) + " " + what;
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// The server is started again whatever the test's outcome, so that no later test finds
// it down.
struct server_back_up {
  const char* ctl;
  ~server_back_up() { (void)std::system((std::string(ctl) + " up >/dev/null 2>&1").c_str()); }
};

}  // namespace

TEST_CASE("postgres outbox: store_unavailable while the server is down, everything works again after it restarts") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  const char* ctl = outbox_conformance::service_env("JOBWIRE_TEST_PG_CTL");
  if (!ctl) return;
  outbox_pg::table_guard table;
  auto s = outbox_pg::connect(table.name);
  REQUIRE(s);
  const unix_time t = unix_time_from_seconds(1781166600);
  const std::string url = "https://restart.example/hook";
  for (int i = 0; i < 10; ++i) JW_OUTBOX_OK(s->enqueue(outbox_conformance::item("J", "k" + std::to_string(i), url), t));
  auto held = outbox_conformance::lease(*s, t, 3);
  REQUIRE(held.size() == 3);
  auto idle = outbox_pg::connect(table.name);  // a second worker that is idle during the restart
  REQUIRE(idle);

  {
    server_back_up guard{ctl};
    server(ctl, "down");
    CHECK(s->enqueue(outbox_conformance::item("J", "during", url), t).code() == errc::store_unavailable);
    std::vector<outbox_lease> out;
    CHECK(s->lease("w", t, 30s, 10, out).code() == errc::store_unavailable);
    CHECK(out.empty());
    CHECK(s->record(held[0], outbox_conformance::delivered(to_unix_ms(t)), t).code() == errc::store_unavailable);
    CHECK(s->extend(held[1], t, 30s).code() == errc::store_unavailable);
    CHECK(s->release(held[2]).code() == errc::store_unavailable);
    CHECK(s->counts(t).code() == errc::store_unavailable);
    CHECK(s->endpoint(url).code() == errc::store_unavailable);
    server(ctl, "up");
  }

  // The store that saw the outage reconnects on its next call.
  JW_OUTBOX_OK(s->enqueue(outbox_conformance::item("J", "during", url), t));
  JW_OUTBOX_OK(s->record(held[0], outbox_conformance::delivered(to_unix_ms(t)), t));
  JW_OUTBOX_OK(s->extend(held[1], t, 30s));
  JW_OUTBOX_OK(s->release(held[2]));
  // The idle one learns of the restart from its first call, which is store_unavailable
  // (the statement may or may not have reached the server: it is not retried blindly);
  // the next works.
  auto first = idle->counts(t);
  if (!first) CHECK(first.code() == errc::store_unavailable);
  JW_OUTBOX_OK(idle->counts(t));
  auto c = s->counts(t);
  JW_OUTBOX_OK(c);
  CHECK(c->pending == 10);  // 9 left of the first 10, and "during"
  CHECK(c->delivered == 1);
  CHECK(c->leased == 1);
}

TEST_CASE("postgres outbox: workers draining the outbox through a server restart lose nothing") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  const char* ctl = outbox_conformance::service_env("JOBWIRE_TEST_PG_CTL");
  if (!ctl) return;
  outbox_pg::table_guard table;
  constexpr int rows = 300, workers = 3;
  {
    auto s = outbox_pg::connect(table.name);
    REQUIRE(s);
    for (int i = 0; i < rows; ++i)
      JW_OUTBOX_OK(s->enqueue(outbox_conformance::item("J", "k" + std::to_string(i), "https://drain.example/"),
                              outbox_process::wall_now()));
  }
  std::atomic<int> unavailable{0}, other_errors{0}, delivered{0};
  std::vector<std::thread> ts;
  for (int w = 0; w < workers; ++w) {
    ts.emplace_back([&, w] {
      auto s = outbox_pg::connect(table.name);
      if (!s) {
        ++other_errors;
        return;
      }
      const std::string name = "w" + std::to_string(w);
      const auto deadline = std::chrono::steady_clock::now() + 20s;
      auto note = [&](const jobwire::error& e) { ++(e.code == errc::store_unavailable ? unavailable : other_errors); };
      while (std::chrono::steady_clock::now() < deadline) {
        std::vector<outbox_lease> got;
        auto n = s->lease(name, outbox_process::wall_now(), 1s, 5, got);
        if (!n) {
          note(n.error());
          std::this_thread::sleep_for(20ms);  // back off, as a worker does
          continue;
        }
        if (*n == 0) {
          auto c = s->counts(outbox_process::wall_now());
          if (!c) {
            note(c.error());
            continue;
          }
          if (c->pending + c->scheduled_retry == 0) return;
          std::this_thread::sleep_for(20ms);
          continue;
        }
        for (const auto& l : got) {
          std::this_thread::sleep_for(3ms);  // the request: slow enough that the restart falls mid-run
          auto r = s->record(l, outbox_conformance::delivered(to_unix_ms(outbox_process::wall_now())),
                             outbox_process::wall_now());
          if (r) {
            ++delivered;
          } else if (r.code() != errc::claim_lost) {
            note(r.error());  // the lease stays in the database and ends: the row comes back
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(150ms);
  {
    server_back_up guard{ctl};
    server(ctl, "down");
    std::this_thread::sleep_for(300ms);
    server(ctl, "up");
  }
  for (auto& th : ts) th.join();
  CHECK(other_errors == 0);
  CHECK(unavailable > 0);  // the workers did see the outage
  auto s = outbox_pg::connect(table.name);
  REQUIRE(s);
  auto c = s->counts(outbox_process::wall_now());
  JW_OUTBOX_OK(c);
  CHECK(c->delivered == static_cast<std::uint64_t>(rows));
  CHECK(c->pending + c->scheduled_retry == 0);
  // A record whose reply the restart cut may have committed: delivered counts rows, so
  // the workers' own tally can only be short of it, never above.
  CHECK(delivered <= rows);
}
