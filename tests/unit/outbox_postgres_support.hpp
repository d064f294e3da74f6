// What the PostgreSQL outbox tests share: a table of their own per fixture (dropped
// afterwards, so each conformance case starts from an empty outbox and concurrently
// running test binaries never see each other's rows) and connections to the server
// tests/services.sh started (JOBWIRE_TEST_PG_CONNINFO).
#pragma once

#include <catch2/catch.hpp>
#include <jobwire/stores/postgres_outbox.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "outbox_conformance.hpp"

namespace outbox_pg {

inline std::string fresh_table() {
  static std::atomic<unsigned> n{0};
  return "jwo_t" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

inline std::unique_ptr<jobwire::postgres_outbox_store> connect(const std::string& table) {
  const char* info = std::getenv("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return nullptr;
  jobwire::postgres_outbox_options o;
  o.table = table;
  auto s = jobwire::postgres_outbox_store::connect(info, o);
  if (!s) return nullptr;
  return std::make_unique<jobwire::postgres_outbox_store>(std::move(*s));
}

inline void drop(const std::string& table) {
  const char* info = std::getenv("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return;
  PGconn* c = PQconnectdb(info);
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, ("DROP TABLE IF EXISTS " + table + ", " + table + "_endpoints").c_str());
    PQclear(r);
  }
  PQfinish(c);
}

/// An outbox table of its own, dropped at the end (in the process that made it).
struct table_guard {
  std::string name = fresh_table();
  pid_t owner = ::getpid();
  ~table_guard() {
    if (::getpid() == owner) drop(name);
  }
};

struct fixture {
  using store_type = jobwire::postgres_outbox_store;
  table_guard table;
  std::unique_ptr<jobwire::postgres_outbox_store> s;
  jobwire::unix_time t = jobwire::unix_time_from_seconds(1781166600);

  static std::unique_ptr<fixture> make() {
    if (!outbox_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO")) return nullptr;
    auto f = std::make_unique<fixture>();
    f->s = connect(f->table.name);
    REQUIRE(f->s);
    return f;
  }
  jobwire::postgres_outbox_store& store() { return *s; }
  jobwire::unix_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
};

}  // namespace outbox_pg
