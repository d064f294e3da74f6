// The PostgreSQL dedup store (stores/postgres.hpp) against a real server started by
// tests/services.sh (JOBWIRE_TEST_PG_CONNINFO): the conformance suite, N forked
// processes racing for one key, a SIGKILLed holder, a dropped connection and an
// unreachable server. Each test binary uses its own table, so concurrently running
// test binaries never see each other's rows.
#include <catch2/catch.hpp>

#include <jobwire/stores/postgres.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "dedup_conformance.hpp"
#include "dedup_process_checks.hpp"
#include "silent_server.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

// Fixed at start-up, so forked children use the parent's table.
const std::string table_name = "jobwire_dedup_t" + std::to_string(::getpid());

postgres_dedup_options test_options() {
  postgres_dedup_options o;
  o.retention = 1h;
  o.table = table_name;
  return o;
}

std::unique_ptr<postgres_dedup_store> connect_store() {
  const char* info = std::getenv("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return nullptr;
  auto s = postgres_dedup_store::connect(info, test_options());
  if (!s) return nullptr;
  return std::make_unique<postgres_dedup_store>(std::move(*s));
}

struct postgres_fixture {
  using store_type = postgres_dedup_store;
  std::unique_ptr<postgres_dedup_store> s;
  dedup_time t{std::chrono::seconds{1781166600}};

  static std::unique_ptr<postgres_fixture> make() {
    if (!dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return nullptr;
    auto f = std::make_unique<postgres_fixture>();
    f->s = connect_store();
    REQUIRE(f->s);
    return f;
  }
  postgres_dedup_store& store() { return *s; }
  dedup_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
  std::chrono::milliseconds lease() const { return 30s; }
  std::chrono::milliseconds retention() const { return s->retention(); }
};

long long scalar(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  long long v = std::atoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  return v;
}

}  // namespace

JW_DEDUP_CONFORMANCE("postgres", postgres_fixture)

TEST_CASE("postgres store: rows follow the documented schema") {
  auto fx = postgres_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("schema"), "video.completed");
  auto c = s.claim(k, fx->now(), 30s);
  REQUIRE(c);
  const std::string where = " FROM " + table_name + " WHERE key = '" + std::string(k.encoded()) + "'::bytea";
  CHECK(scalar(s.handle(), "SELECT state" + where) == 1);
  CHECK(scalar(s.handle(), "SELECT expires_at" + where) == to_unix_ms(fx->now() + 30s));
  CHECK(scalar(s.handle(), "SELECT length(token)" + where) == 16);
  REQUIRE(s.commit(k, c->token, fx->now()));
  CHECK(scalar(s.handle(), "SELECT state" + where) == 2);
  CHECK(scalar(s.handle(), "SELECT expires_at" + where) == to_unix_ms(fx->now() + 1h));
}

TEST_CASE("postgres store: sweep deletes expired rows only, in bounded batches") {
  const char* info = dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return;
  auto o = test_options();
  o.table = table_name + "_sweep";
  o.sweep_interval = 0ms;
  o.sweep_batch = 3;
  auto s = postgres_dedup_store::connect(info, o);
  REQUIRE(s);
  (void)s->sweep(dedup_time{std::chrono::hours{24 * 365 * 100}});  // empty the table
  const dedup_time t0{std::chrono::seconds{1000}};
  for (int i = 0; i < 5; ++i) {
    auto k = *dedup_key::for_delivery("G-" + std::to_string(i), "video.completed");
    auto c = s->claim(k, t0, 1min);
    REQUIRE(c);
    REQUIRE(c->fresh());
    if (i == 0) REQUIRE(s->commit(k, c->token, t0));
  }
  CHECK(*s->sweep(t0 + 30s) == 0);
  CHECK(*s->sweep(t0 + 2min) == 3);
  CHECK(*s->sweep(t0 + 2min) == 1);
  CHECK(*s->sweep(t0 + 2min) == 0);
  CHECK(s->claim(*dedup_key::for_delivery("G-0", "video.completed"), t0 + 2min, 1min)->state == claim_state::done);
  CHECK(*s->sweep(t0 + 61min) == 1);
}

TEST_CASE("postgres store: a dropped connection is store_unavailable, then reconnects") {
  auto fx = postgres_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  auto killer = connect_store();
  REQUIRE(killer);
  const long long pid = PQbackendPID(s.handle());
  CHECK(scalar(killer->handle(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")::int") == 1);
  auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("drop"), "video.completed");
  auto first = s.claim(k, fx->now(), 30s);
  REQUIRE_FALSE(first);
  CHECK(first.code() == errc::store_unavailable);
  auto again = s.claim(k, fx->now(), 30s);  // PQreset + statements prepared again
  REQUIRE(again);
  CHECK(again->state == claim_state::fresh);
  CHECK(s.commit(k, again->token, fx->now()));
}

TEST_CASE("postgres store: statements dropped by DEALLOCATE ALL or DISCARD ALL are prepared again") {
  // Regression: after a pooler (or the application) dropped the session's prepared
  // statements, every call failed with store_error for ever (SQLSTATE 26000).
  auto fx = postgres_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  for (const char* drop : {"DEALLOCATE ALL", "DISCARD ALL"}) {
    INFO(drop);
    PGresult* r = PQexec(s.handle(), drop);
    REQUIRE(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);
    auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("dealloc"), "video.completed");
    auto c = s.claim(k, fx->now(), 30s);
    JW_REQUIRE_OK(c);
    CHECK(c->state == claim_state::fresh);
    // Each of the other statements meets the dropped state too.
    r = PQexec(s.handle(), drop);
    PQclear(r);
    CHECK(s.commit(k, c->token, fx->now()));
    r = PQexec(s.handle(), drop);
    PQclear(r);
    auto dup = s.claim(k, fx->now(), 30s);
    JW_REQUIRE_OK(dup);
    CHECK(dup->state == claim_state::done);
    auto k2 = *dedup_key::for_delivery(dedup_conformance::unique_job_id("dealloc2"), "video.completed");
    auto c2 = s.claim(k2, fx->now(), 30s);
    JW_REQUIRE_OK(c2);
    r = PQexec(s.handle(), drop);
    PQclear(r);
    CHECK(s.release(k2, c2->token));
    r = PQexec(s.handle(), drop);
    PQclear(r);
    CHECK(s.sweep(fx->now()));
  }
}

TEST_CASE("postgres store: unreachable servers and bad options are reported") {
  CHECK(postgres_dedup_store::connect("host=127.0.0.1 port=1 connect_timeout=2", test_options()).code() ==
        errc::store_unavailable);
  auto o = test_options();
  o.table = "Robert'); DROP TABLE students;--";
  CHECK(postgres_dedup_store::connect("host=127.0.0.1 port=1", o).code() == errc::invalid_argument);
  CHECK(postgres_dedup_store::attach(nullptr).code() == errc::invalid_argument);
}

TEST_CASE("postgres store: a server that never answers is store_unavailable once the connection wait ends") {
  using namespace std::chrono_literals;
  silent_server server;
  REQUIRE(server.port != 0);
  const auto connect_for = [&](const std::string& conninfo, std::chrono::seconds option) {
    auto o = test_options();
    o.connect_timeout = option;
    const auto t0 = std::chrono::steady_clock::now();
    const errc code = postgres_dedup_store::connect(conninfo, o).code();
    return std::make_pair(code, std::chrono::steady_clock::now() - t0);
  };
  // The option bounds the wait when the connection string sets none (libpq alone waits
  // for ever).
  auto [code, waited] = connect_for(server.conninfo(), 2s);
  CHECK(code == errc::store_unavailable);
  CHECK(waited >= 1500ms);
  CHECK(waited < 10s);
  // The connection string's own connect_timeout wins over the option.
  std::tie(code, waited) = connect_for(server.conninfo() + " connect_timeout=2", 600s);
  CHECK(code == errc::store_unavailable);
  CHECK(waited < 10s);
  // A negative wait is not an option.
  CHECK(connect_for(server.conninfo(), -1s).first == errc::invalid_argument);
}

TEST_CASE("postgres store: two stores (two tables) can share one attached connection") {
  const char* info = dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return;
  PGconn* c = PQconnectdb(info);
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  {
    auto a = postgres_dedup_store::attach(c, test_options());
    auto o = test_options();
    o.table = table_name + "_b";
    auto b = postgres_dedup_store::attach(c, o);
    auto a2 = postgres_dedup_store::attach(c, test_options());  // statements already prepared
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(a2);
    auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("shared"), "video.completed");
    auto ca = a->claim(k, dedup_time{std::chrono::seconds{1781166600}}, 30s);
    auto cb = b->claim(k, dedup_time{std::chrono::seconds{1781166600}}, 30s);
    REQUIRE(ca);
    REQUIRE(cb);
    CHECK(ca->fresh());
    CHECK(cb->fresh());  // separate tables, separate namespaces
    CHECK(a2->claim(k, dedup_time{std::chrono::seconds{1781166600}}, 30s)->state == claim_state::in_flight);
  }
  CHECK(PQstatus(c) == CONNECTION_OK);  // attached connections are not closed
  PQfinish(c);
}

TEST_CASE("postgres store: N processes claiming one key -> exactly one fresh winner") {
  if (!dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return;
  { REQUIRE(connect_store()); }  // create the table once
  dedup_process::concurrent_claims([] { return connect_store(); }, dedup_time{std::chrono::seconds{1781166600}}, 8);
}

TEST_CASE("postgres store: a SIGKILLed holder is taken over after its lease") {
  auto fx = postgres_fixture::make();
  if (!fx) return;
  dedup_process::crash_takeover(*fx, [] { return connect_store(); });
}
