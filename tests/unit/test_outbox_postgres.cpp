// The PostgreSQL outbox store (stores/postgres_outbox.hpp) against a real server started
// by tests/services.sh (JOBWIRE_TEST_PG_CONNINFO): the conformance suite, the schema as
// documented, an enqueue inside the application's transaction, threads with a connection
// each, forked workers killed at random points, a dropped connection and an unreachable
// server. (The server restart is test_outbox_postgres_restart.)
#include <catch2/catch.hpp>

#include <jobwire/stores/postgres_outbox.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "outbox_conformance.hpp"
#include "outbox_postgres_support.hpp"
#include "outbox_process_checks.hpp"
#include "silent_server.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

std::string text_of(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  INFO(sql << ": " << PQresultErrorMessage(r));
  REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  REQUIRE(PQntuples(r) == 1);
  std::string v = PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0);
  PQclear(r);
  return v;
}

}  // namespace

JW_OUTBOX_CONFORMANCE("postgres outbox", outbox_pg::fixture)

TEST_CASE("postgres outbox: options are checked") {
  CHECK(postgres_outbox_store::connect("host=127.0.0.1", postgres_outbox_options{"Bad", true}).code() ==
        errc::invalid_argument);
  CHECK(postgres_outbox_store::connect("host=127.0.0.1", postgres_outbox_options{std::string(41, 'a'), true}).code() ==
        errc::invalid_argument);
  CHECK(postgres_outbox_store::attach(nullptr).code() == errc::invalid_argument);
}

TEST_CASE("postgres outbox: an unreachable server is store_unavailable") {
  // Port 1 on loopback: nothing listens there.
  auto s = postgres_outbox_store::connect("host=127.0.0.1 port=1 connect_timeout=2");
  CHECK(s.code() == errc::store_unavailable);
}

TEST_CASE("postgres outbox: a server that never answers is store_unavailable once the connection wait ends") {
  using namespace std::chrono_literals;
  silent_server server;
  REQUIRE(server.port != 0);
  postgres_outbox_options o;
  o.connect_timeout = 2s;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(postgres_outbox_store::connect(server.conninfo(), o).code() == errc::store_unavailable);
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 1500ms);
  CHECK(waited < 10s);
  o.connect_timeout = -1s;
  CHECK(postgres_outbox_store::connect(server.conninfo(), o).code() == errc::invalid_argument);
}

TEST_CASE("postgres outbox: rows and endpoints follow the documented schema") {
  auto fx = outbox_pg::fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  const std::string t = fx->table.name;
  REQUIRE(s.enqueue(outbox_conformance::item("J-1", "video.completed", "https://s.example/h", "P"), fx->now()));
  auto ls = outbox_conformance::lease(s, fx->now(), 1, 30s, "worker-7");
  REQUIRE(ls.size() == 1);
  PGconn* c = s.handle();
  const std::string where = " FROM " + t + " WHERE id = " + std::to_string(ls[0].row_id);
  CHECK(text_of(c,
                "SELECT convert_from(job_id, 'UTF8') || '|' || convert_from(delivery_key, 'UTF8') || '|' ||"
                " convert_from(endpoint, 'UTF8') || '|' || convert_from(payload, 'UTF8')" +
                    where) == "J-1|video.completed|https://s.example/h|P");
  CHECK(text_of(c, "SELECT state" + where) == "0");
  CHECK(text_of(c, "SELECT convert_from(lease_holder, 'UTF8')" + where) == "worker-7");
  CHECK(text_of(c, "SELECT octet_length(lease_token)" + where) == "16");
  CHECK(text_of(c, "SELECT lease_expires_at - due_at" + where) == "30000");
  outbox_record r = outbox_conformance::retry_at(to_unix_ms(fx->now()), to_unix_ms(fx->now()) + 60000);
  REQUIRE(s.record(ls[0], r, fx->now()));
  CHECK(text_of(c, "SELECT state || ' ' || attempts || ' ' || last_status || ' ' || last_error" + where) ==
        "1 1 500 HTTP 500");
  CHECK(text_of(c, "SELECT lease_token IS NULL AND lease_expires_at IS NULL" + where) == "t");
  // An error text that is not UTF-8 is kept, each bad byte (and a NUL) as U+FFFD.
  auto again = outbox_conformance::lease(s, fx->now() + 60s, 1);
  REQUIRE(again.size() == 1);
  outbox_record odd = outbox_conformance::retry_at(to_unix_ms(fx->now()), to_unix_ms(fx->now()) + 120000);
  const std::string text(
      "a\xff"
      "b\0c",
      5);
  odd.error = text;
  REQUIRE(s.record(again[0], odd, fx->now() + 60s));
  CHECK(text_of(c, "SELECT last_error" + where) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c");
  CHECK(text_of(c, "SELECT failure_streak || ' ' || disabled FROM " + t +
                       "_endpoints WHERE url = convert_to('https://s.example/h', 'UTF8')") ==
        "2 false");  // two failures
}

TEST_CASE("postgres outbox: an enqueue inside the application's transaction commits or rolls back with it") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  outbox_pg::table_guard table;
  PGconn* app = PQconnectdb(std::getenv("JOBWIRE_TEST_PG_CONNINFO"));
  REQUIRE(PQstatus(app) == CONNECTION_OK);
  {
    postgres_outbox_options o;
    o.table = table.name;
    auto s = postgres_outbox_store::attach(app, o);
    REQUIRE(s);
    const unix_time t = unix_time_from_seconds(1781166600);
    PQclear(PQexec(app, "BEGIN"));
    REQUIRE(s->enqueue(outbox_conformance::item("J1", "video.completed", "https://z.example/"), t));
    CHECK(PQtransactionStatus(app) == PQTRANS_INTRANS);  // still the application's transaction
    PQclear(PQexec(app, "ROLLBACK"));
    CHECK(s->counts(t)->pending == 0);
    PQclear(PQexec(app, "BEGIN"));
    REQUIRE(s->enqueue(outbox_conformance::item("J1", "video.completed", "https://z.example/"), t));
    // A failed operation inside it is undone alone (a savepoint), and the transaction goes on.
    CHECK(s->enqueue(outbox_conformance::item("J1", "", "https://z.example/"), t).code() == errc::invalid_argument);
    PQclear(PQexec(app, "COMMIT"));
    CHECK(s->counts(t)->pending == 1);
  }
  PQfinish(app);
}

TEST_CASE("postgres outbox: a dropped connection is store_unavailable once, then the store reconnects") {
  auto fx = outbox_pg::fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  REQUIRE(s.enqueue(outbox_conformance::item("J", "a", "https://r.example/"), fx->now()));
  auto ls = outbox_conformance::lease(s, fx->now(), 1);
  REQUIRE(ls.size() == 1);
  {
    auto killer = outbox_pg::connect(fx->table.name);
    REQUIRE(killer);
    const std::string pid = std::to_string(PQbackendPID(s.handle()));
    PGresult* r = PQexec(killer->handle(), ("SELECT pg_terminate_backend(" + pid + ")").c_str());
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
  }
  // The first call finds the connection gone; the lease survives in the database.
  auto first = s.record(ls[0], outbox_conformance::delivered(to_unix_ms(fx->now())), fx->now());
  CHECK(first.code() == errc::store_unavailable);
  JW_OUTBOX_OK(s.record(ls[0], outbox_conformance::delivered(to_unix_ms(fx->now())), fx->now()));
  CHECK(s.counts(fx->now())->delivered == 1);
}

TEST_CASE("postgres outbox: statements dropped from the session (DEALLOCATE ALL) are prepared again") {
  auto fx = outbox_pg::fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  auto deallocate = [&] { PQclear(PQexec(s.handle(), "DEALLOCATE ALL")); };
  deallocate();
  JW_OUTBOX_OK(s.enqueue(outbox_conformance::item("J", "a", "https://dealloc.example/"), fx->now()));  // a transaction
  deallocate();
  auto ls = outbox_conformance::lease(s, fx->now());  // one statement
  REQUIRE(ls.size() == 1);
  deallocate();
  JW_OUTBOX_OK(s.record(ls[0], outbox_conformance::delivered(to_unix_ms(fx->now())), fx->now()));
  deallocate();
  auto c = s.counts(fx->now());
  JW_OUTBOX_OK(c);
  CHECK(c->delivered == 1);
  CHECK(PQtransactionStatus(s.handle()) == PQTRANS_IDLE);
}

TEST_CASE("postgres outbox: threads with a connection each never lease a row twice") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  outbox_pg::table_guard table;
  outbox_conformance::concurrent_leases([&] { return outbox_pg::connect(table.name); },
                                        unix_time_from_seconds(1781166600), 4, 300);
}

TEST_CASE("postgres outbox: concurrent disables and enqueues never leave a row pending on a disabled endpoint") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  outbox_pg::table_guard table;
  const unix_time t = unix_time_from_seconds(1781166600);
  constexpr int endpoints = 20;
  auto admin = outbox_pg::connect(table.name);
  REQUIRE(admin);
  // One row per endpoint to be answered 410, while another connection keeps enqueueing
  // to the same endpoints: each new row must be failed by the disable or stored failed.
  for (int e = 0; e < endpoints; ++e)
    REQUIRE(admin->enqueue(outbox_conformance::item("first", std::to_string(e), "https://d" + std::to_string(e)), t));
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::thread producer([&] {
    auto s = outbox_pg::connect(table.name);
    if (!s) {
      ++errors;
      return;
    }
    for (int i = 0; !stop; ++i)
      if (!s->enqueue(
              outbox_conformance::item("more-" + std::to_string(i), "k", "https://d" + std::to_string(i % endpoints)),
              t))
        ++errors;
  });
  auto ls = outbox_conformance::lease(*admin, t, endpoints);
  for (const auto& l : ls) {
    REQUIRE(l.job_id == "first");
    outbox_record gone = outbox_conformance::delivered(to_unix_ms(t));
    gone.state = outbox_state::failed_permanently;
    gone.http_status = 410;
    gone.effect = endpoint_effect::disable;
    JW_OUTBOX_OK(admin->record(l, gone, t));
  }
  stop = true;
  producer.join();
  CHECK(errors == 0);
  for (int e = 0; e < endpoints; ++e) CHECK(admin->endpoint("https://d" + std::to_string(e))->disabled);
  auto c = admin->counts(t);
  JW_OUTBOX_OK(c);
  REQUIRE(ls.size() == static_cast<std::size_t>(endpoints));  // the "first" rows, enqueued before any other
  CHECK(c->pending + c->scheduled_retry == 0);
  CHECK(c->failed_permanently == c->pending + c->scheduled_retry + c->failed_permanently);
}

TEST_CASE("postgres outbox: forked workers killed at random points lose no row and duplicate only in the kill window") {
  if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  outbox_pg::table_guard table;
  auto admin = outbox_pg::connect(table.name);
  REQUIRE(admin);
  outbox_process::killed_workers(
      *admin, [&] { return outbox_pg::connect(table.name); }, 200, 4);
}
