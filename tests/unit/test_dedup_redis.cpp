// The Redis dedup store (stores/redis.hpp) against a real redis-server started by
// tests/services.sh (JOBWIRE_TEST_REDIS_HOST/PORT): the conformance suite, N forked
// processes racing for one key, a SIGKILLed holder, lost script caches and an
// unreachable server. Redis expires keys by its own clock, so this fixture lets time
// pass by sleeping, with short leases (1.5 s) and retention (3 s), margins wide enough for a loaded machine.
#include <catch2/catch.hpp>

#include <jobwire/stores/redis.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "dedup_conformance.hpp"
#include "dedup_process_checks.hpp"

using namespace jobwire;
using namespace std::chrono_literals;

namespace {

// Fixed at start-up, so forked children share the parent's namespace on the server.
const std::string key_prefix = "jobwire-test:" + std::to_string(::getpid()) + ":";

redis_dedup_options test_options() {
  redis_dedup_options o;
  o.retention = 3000ms;
  o.prefix = key_prefix;
  return o;
}

std::unique_ptr<redis_dedup_store> connect_store() {
  const char* host = std::getenv("JOBWIRE_TEST_REDIS_HOST");
  const char* port = std::getenv("JOBWIRE_TEST_REDIS_PORT");
  if (!host || !port) return nullptr;
  auto s = redis_dedup_store::connect(host, std::atoi(port), test_options());
  if (!s) return nullptr;
  return std::make_unique<redis_dedup_store>(std::move(*s));
}

struct redis_fixture {
  using store_type = redis_dedup_store;
  std::unique_ptr<redis_dedup_store> s;

  static std::unique_ptr<redis_fixture> make() {
    if (!dedup_conformance::service_env("JOBWIRE_TEST_REDIS_HOST") ||
        !dedup_conformance::service_env("JOBWIRE_TEST_REDIS_PORT"))
      return nullptr;
    auto f = std::make_unique<redis_fixture>();
    f->s = connect_store();
    REQUIRE(f->s);
    return f;
  }
  redis_dedup_store& store() { return *s; }
  // Passed through but unused: the server's clock decides.
  dedup_time now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
  void advance(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
  std::chrono::milliseconds lease() const { return 1500ms; }
  std::chrono::milliseconds retention() const { return s->retention(); }
};

}  // namespace

JW_DEDUP_CONFORMANCE("redis", redis_fixture)

TEST_CASE("redis store: keys carry the lease and retention as server-side TTLs") {
  auto fx = redis_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("ttl"), "video.completed");
  std::string rk = test_options().prefix + std::string(k.encoded());
  auto pttl = [&] {
    auto* r = static_cast<redisReply*>(redisCommand(s.handle(), "PTTL %b", rk.data(), rk.size()));
    REQUIRE(r);
    long long v = r->integer;
    freeReplyObject(r);
    return v;
  };
  auto c = s.claim(k, fx->now(), 60s);
  REQUIRE(c);
  REQUIRE(c->fresh());
  CHECK(pttl() > 55000);
  CHECK(pttl() <= 60000);
  REQUIRE(s.commit(k, c->token, fx->now()));
  CHECK(pttl() > 2000);
  CHECK(pttl() <= 3000);
}

TEST_CASE("redis store: commit and release fall back to EVAL after SCRIPT FLUSH") {
  auto fx = redis_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("flush"), "video.completed");
  auto k2 = *dedup_key::for_delivery(dedup_conformance::unique_job_id("flush2"), "video.completed");
  auto c = s.claim(k, fx->now(), 60s);
  auto c2 = s.claim(k2, fx->now(), 60s);
  REQUIRE(c);
  REQUIRE(c2);
  freeReplyObject(redisCommand(s.handle(), "SCRIPT FLUSH"));
  REQUIRE(s.commit(k, c->token, fx->now()));
  freeReplyObject(redisCommand(s.handle(), "SCRIPT FLUSH"));
  REQUIRE(s.release(k2, c2->token));
  CHECK(s.claim(k, fx->now(), 60s)->state == claim_state::done);
  CHECK(s.claim(k2, fx->now(), 60s)->state == claim_state::fresh);
}

TEST_CASE("redis store: an unreachable server is store_unavailable") {
  // A loopback port nothing listens on: bind one, note it, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  const int port = ntohs(a.sin_port);
  CHECK(redis_dedup_store::connect("127.0.0.1", port, test_options()).code() == errc::store_unavailable);
  CHECK(redis_dedup_store::connect("127.0.0.1", 0, test_options()).code() == errc::invalid_argument);
  auto o = test_options();
  o.retention = 0ms;
  CHECK(redis_dedup_store::connect("127.0.0.1", port, o).code() == errc::invalid_argument);
  CHECK(redis_dedup_store::attach(nullptr).code() == errc::invalid_argument);
}

TEST_CASE("redis store: a dropped connection is store_unavailable, then reconnects") {
  auto fx = redis_fixture::make();
  if (!fx) return;
  auto& s = fx->store();
  // Ask the server to close this very connection (only this one: other test binaries
  // may be using the same server at the same time).
  auto* id = static_cast<redisReply*>(redisCommand(s.handle(), "CLIENT ID"));
  REQUIRE(id);
  REQUIRE(id->type == REDIS_REPLY_INTEGER);
  const long long my_id = id->integer;
  freeReplyObject(id);
  freeReplyObject(redisCommand(s.handle(), "CLIENT KILL ID %lld SKIPME no", my_id));
  auto k = *dedup_key::for_delivery(dedup_conformance::unique_job_id("drop"), "video.completed");
  auto first = s.claim(k, fx->now(), 60s);
  if (!first) CHECK(first.code() == errc::store_unavailable);
  // The next call reconnects transparently.
  auto again = s.claim(k, fx->now(), 60s);
  REQUIRE(again);
  CHECK((again->state == claim_state::fresh || again->state == claim_state::in_flight));
}

TEST_CASE("redis store: N processes claiming one key -> exactly one fresh winner") {
  if (!dedup_conformance::service_env("JOBWIRE_TEST_REDIS_HOST")) return;
  dedup_process::concurrent_claims(
      [] { return connect_store(); },
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()), 8);
}

TEST_CASE("redis store: a SIGKILLed holder is taken over after its lease") {
  auto fx = redis_fixture::make();
  if (!fx) return;
  dedup_process::crash_takeover(*fx, [] { return connect_store(); });
}
