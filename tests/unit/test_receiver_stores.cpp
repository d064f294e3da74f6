// N processes (fork) deliver the same signed event at once through receive_delivery with a
// shared dedup store — SQLite always; Redis and PostgreSQL when tests/services.sh started
// them (skipped locally when unset, a failure under CI=true) — and the side effect runs
// exactly once; different jobs with the same delivery key are all processed
// (PROTOCOL.md §2, §13).
#include <catch2/catch.hpp>

#include <jobwire/receiver.hpp>
#include <jobwire/stores/postgres.hpp>
#include <jobwire/stores/redis.hpp>
#include <jobwire/stores/sqlite.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "dedup_conformance.hpp"
#include "dedup_process_checks.hpp"
#include "receiver_support.hpp"

using namespace jobwire;
using namespace receiver_test;

namespace {

constexpr int n_processes = 6;

// Runs in each child: the shared delivery, then one of its own job with the same delivery
// key. The side effect appends "<job id>\n" to `effects_path` (O_APPEND writes of a
// short line are atomic between processes).
template <class Store>
char deliver_in_child(Store& store, const std::string& effects_path, const delivery& shared, const delivery& own) {
  verifier v = *verifier::create({secret});
  auto load = [](std::string_view) { return std::optional<job_state>(job_state{lifecycle_status::running, 0}); };
  auto handler = [&](const envelope_view& e, const reconcile_decision&, const dedup_key&) -> void_result {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // keep the claim while the others arrive
    const int fd = ::open(effects_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) return errc::io_error;
    const std::string line = std::string(e.data.id.str()) + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    return ok ? void_result{} : void_result{errc::io_error};
  };
  auto r = receive_delivery(shared.body, shared.headers, v, store, at(t0), load, handler);
  auto o = receive_delivery(own.body, own.headers, v, store, at(t0), load, handler);
  if (o.action != receiver_decision::process) return 'O';
  switch (r.action) {
    case receiver_decision::process: return 'P';
    case receiver_decision::duplicate: return 'D';
    case receiver_decision::in_flight: return 'I';
    default: return 'X';
  }
}

template <class Open>
void race(Open open_store) {
  const std::string shared_job = dedup_conformance::unique_job_id("rcv-race");
  const std::string own_prefix = dedup_conformance::unique_job_id("rcv-own");
  char tmpl[] = "/tmp/jobwire_rcv_effects_XXXXXX";
  const int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  ::close(fd);
  const std::string effects_path = tmpl;

  delivery_spec s;
  s.job = shared_job;
  const delivery shared = make_delivery(s);
  std::string reports = dedup_process::run_children(n_processes, [&](int i) -> char {
    auto store = open_store();
    if (!store) return 'U';
    delivery_spec mine;
    mine.job = own_prefix + "-" + std::to_string(i);
    return deliver_in_child(*store, effects_path, shared, make_delivery(mine));
  });
  REQUIRE(reports.size() == static_cast<std::size_t>(n_processes));
  CHECK(std::count(reports.begin(), reports.end(), 'P') == 1);
  CHECK(reports.find_first_not_of("PDI") == std::string::npos);

  std::map<std::string, int> effects;
  std::ifstream in(effects_path);
  for (std::string line; std::getline(in, line);) ++effects[line];
  std::remove(effects_path.c_str());
  CHECK(effects[shared_job] == 1);
  for (int i = 0; i < n_processes; ++i) CHECK(effects[own_prefix + "-" + std::to_string(i)] == 1);
  CHECK(effects.size() == static_cast<std::size_t>(n_processes + 1));
}

}  // namespace

TEST_CASE("receiver processes: SQLite, the side effect runs exactly once", "[receiver][sqlite]") {
  char dir_tmpl[] = "/tmp/jobwire_rcv_sqlite_XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
  const std::string path = std::string(dir_tmpl) + "/dedup.sqlite";
  race([&]() -> std::unique_ptr<sqlite_dedup_store> {
    auto s = sqlite_dedup_store::open(path);
    if (!s) return nullptr;
    return std::make_unique<sqlite_dedup_store>(std::move(*s));
  });
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  ::rmdir(dir_tmpl);
}

TEST_CASE("receiver processes: Redis, the side effect runs exactly once", "[receiver][redis]") {
  const char* host = dedup_conformance::service_env("JOBWIRE_TEST_REDIS_HOST");
  const char* port = dedup_conformance::service_env("JOBWIRE_TEST_REDIS_PORT");
  if (!host || !port) return;
  race([&]() -> std::unique_ptr<redis_dedup_store> {
    redis_dedup_options o;
    o.prefix = "jobwire:test:receiver:";
    auto s = redis_dedup_store::connect(host, std::atoi(port), o);
    if (!s) return nullptr;
    return std::make_unique<redis_dedup_store>(std::move(*s));
  });
}

TEST_CASE("receiver processes: PostgreSQL, the side effect runs exactly once", "[receiver][postgres]") {
  const char* info = dedup_conformance::service_env("JOBWIRE_TEST_PG_CONNINFO");
  if (!info) return;
  race([&]() -> std::unique_ptr<postgres_dedup_store> {
    postgres_dedup_options o;
    o.table = "jobwire_test_receiver";
    auto s = postgres_dedup_store::connect(info, o);
    if (!s) return nullptr;
    return std::make_unique<postgres_dedup_store>(std::move(*s));
  });
}
