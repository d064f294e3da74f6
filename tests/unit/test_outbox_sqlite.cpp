// The SQLite outbox store (stores/sqlite_outbox.hpp) against the conformance suite, plus
// what only a durable, shared store can show: rows and leases survive reopening the
// file, threads with one store each never lease a row twice, forked workers killed at
// random points lose nothing, and an enqueue joins the application's own transaction.
#include <catch2/catch.hpp>

#include <jobwire/stores/sqlite_outbox.hpp>

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "outbox_conformance.hpp"
#include "outbox_process_checks.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

// A fresh database file in a private temporary directory, removed afterwards.
struct temp_db {
  outbox_process::temp_dir dir;
  std::string path = dir.file("outbox.sqlite");
  temp_db() {
    dir.file("outbox.sqlite-wal");
    dir.file("outbox.sqlite-shm");
  }
};

sqlite_outbox_options test_options() {
  sqlite_outbox_options o;
  o.synchronous_full = false;  // keeps the suite fast; durability is FULL by default
  return o;
}

std::unique_ptr<sqlite_outbox_store> open_store(const std::string& path) {
  auto s = sqlite_outbox_store::open(path, test_options());
  if (!s) return nullptr;
  return std::make_unique<sqlite_outbox_store>(std::move(*s));
}

struct sqlite_fixture {
  using store_type = sqlite_outbox_store;
  temp_db db;
  std::unique_ptr<sqlite_outbox_store> s;
  unix_time t = unix_time_from_seconds(1781166600);

  static std::unique_ptr<sqlite_fixture> make() {
    auto f = std::make_unique<sqlite_fixture>();
    f->s = open_store(f->db.path);
    REQUIRE(f->s);
    return f;
  }
  sqlite_outbox_store& store() { return *s; }
  unix_time now() const { return t; }
  void advance(std::chrono::milliseconds d) { t += d; }
};

}  // namespace

JW_OUTBOX_CONFORMANCE("sqlite outbox", sqlite_fixture)

TEST_CASE("sqlite outbox: options are checked") {
  temp_db db;
  sqlite_outbox_options o;
  o.table = "Bad-Name";
  CHECK(sqlite_outbox_store::open(db.path, o).code() == errc::invalid_argument);
  o.table = std::string(54, 'a');  // <table>_endpoints would be longer than 63
  CHECK(sqlite_outbox_store::open(db.path, o).code() == errc::invalid_argument);
  o.table = std::string(53, 'a');
  CHECK(sqlite_outbox_store::open(db.path, o));
  o.busy_timeout = -1ms;
  CHECK(sqlite_outbox_store::open(db.path, o).code() == errc::invalid_argument);
  CHECK(sqlite_outbox_store::attach(nullptr).code() == errc::invalid_argument);
  CHECK(sqlite_outbox_store::open(db.dir.path + "/missing/dir/x.sqlite").code() == errc::store_unavailable);
}

TEST_CASE("sqlite outbox: rows, leases and endpoint state survive closing and reopening the file") {
  temp_db db;
  const unix_time t = unix_time_from_seconds(1781166600);
  outbox_lease held;
  {
    auto s = open_store(db.path);
    REQUIRE(s);
    REQUIRE(s->enqueue(outbox_conformance::item("J", "a", "https://x.example/"), t));
    REQUIRE(s->enqueue(outbox_conformance::item("J", "b", "https://y.example/"), t));
    auto ls = outbox_conformance::lease(*s, t, 1);
    REQUIRE(ls.size() == 1);
    held = ls[0];
    outbox_record gone = outbox_conformance::delivered(to_unix_ms(t));
    gone.state = outbox_state::failed_permanently;
    gone.effect = endpoint_effect::disable;
    auto other = outbox_conformance::lease(*s, t, 1);
    REQUIRE(other.size() == 1);
    REQUIRE(s->record(other[0], gone, t));
  }
  auto s = open_store(db.path);
  REQUIRE(s);
  CHECK(s->endpoint("https://y.example/")->disabled);
  // The holder from before the restart still holds its row and can finish it.
  CHECK(outbox_conformance::lease(*s, t + 1s).empty());
  REQUIRE(s->record(held, outbox_conformance::delivered(to_unix_ms(t)), t + 2s));
  auto c = s->counts(t + 2s);
  REQUIRE(c);
  CHECK(c->delivered == 1);
  CHECK(c->failed_permanently == 1);
  CHECK(c->endpoints_disabled == 1);
}

TEST_CASE("sqlite outbox: an enqueue inside the application's transaction commits or rolls back with it") {
  temp_db db;
  sqlite3* app = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &app) == SQLITE_OK);
  {
    auto s = sqlite_outbox_store::attach(app, test_options());
    REQUIRE(s);
    const unix_time t = unix_time_from_seconds(1781166600);
    REQUIRE(sqlite3_exec(app, "CREATE TABLE jobs (id TEXT, status TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(app, "BEGIN; INSERT INTO jobs VALUES ('J1', 'completed')", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(s->enqueue(outbox_conformance::item("J1", "video.completed", "https://z.example/"), t));
    REQUIRE(sqlite3_exec(app, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
    CHECK(s->counts(t)->pending == 0);  // the state change did not happen: neither did the delivery
    REQUIRE(sqlite3_exec(app, "BEGIN; INSERT INTO jobs VALUES ('J1', 'completed')", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(s->enqueue(outbox_conformance::item("J1", "video.completed", "https://z.example/"), t));
    REQUIRE(sqlite3_exec(app, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    CHECK(s->counts(t)->pending == 1);
  }
  sqlite3_close(app);
}

TEST_CASE("sqlite outbox: threads with a store each never lease a row twice") {
  temp_db db;
  outbox_conformance::concurrent_leases([&] { return open_store(db.path); }, unix_time_from_seconds(1781166600), 4,
                                        300);
}

TEST_CASE("sqlite outbox: forked workers killed at random points lose no row and duplicate only in the kill window") {
  temp_db db;
  auto admin = open_store(db.path);
  REQUIRE(admin);
  outbox_process::killed_workers(
      *admin, [&] { return open_store(db.path); }, 200, 4);
}
