// jobwire — shared dedup store on Redis, through hiredis (PROTOCOL.md §13).
//
// Including this header is what pulls in hiredis (link hiredis, e.g. pkg-config
// `hiredis`). For a fleet of receivers that share one Redis. One Redis key per dedup key:
//
//   <prefix><dedup_key::encoded()>  =  "L" <32 hex token>   claimed; TTL = lease
//                                   =  "D" <32 hex token>   done;    TTL = retention
//
//   claim:   SET k L<token> NX PX <lease ms>      atomic: exactly one claimer wins
//            → on nil, GET k tells done ("D…") from in flight ("L…")
//   commit:  Lua: if GET k is L<token> (or already D<token>) → SET k D<token>,
//            PEXPIRE k <retention ms>; else 0 (claim_lost)
//   release: Lua: if GET k is L<token> → DEL k; else 0 (claim_lost)
// Scripts run by EVALSHA (loaded at connect) with an EVAL fallback when the server
// answers NOSCRIPT (restart, failover, SCRIPT FLUSH).
//
// Time: unlike the other stores, expiry is measured by the Redis server's clock (that is
// what PX/PEXPIRE do), so the `now` arguments are not used; every receiver sharing the
// server agrees on expiry whatever its own clock says. A lease that ends drops the claim
// at once, so a holder committing after its lease gets claim_lost even if nobody took
// the key over.
//
// A store object is not thread-safe (it owns one connection): one per thread. After
// fork(), connect again in the child.
#pragma once

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "../dedup.hpp"
#include "random_token.hpp"

namespace jobwire {

struct redis_dedup_options {
  std::chrono::milliseconds retention = default_done_retention;
  /// Prepended to every Redis key (namespaces several receivers or tests on one server).
  std::string prefix = "jobwire:dedup:";
  std::chrono::milliseconds connect_timeout{2000};
  /// Per-command socket timeout; an expired one is store_unavailable.
  std::chrono::milliseconds command_timeout{2000};
};

class redis_dedup_store {
 public:
  /// Connects to host:port and owns the connection. `store_unavailable` when the server
  /// cannot be reached or does not answer.
  static result<redis_dedup_store> connect(const std::string& host, int port, redis_dedup_options opt = {}) noexcept {
    if (auto st = check_options(opt); !st) return st.error();
    if (port <= 0 || port > 65535) return errc::invalid_argument;
    timeval tv = to_timeval(opt.connect_timeout);
    redisContext* c = redisConnectWithTimeout(host.c_str(), port, tv);
    if (c == nullptr) return errc::store_unavailable;
    if (c->err != 0) {
      redisFree(c);
      return errc::store_unavailable;
    }
    redis_dedup_store s(c, true, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  /// Uses a connected context the caller owns and keeps alive for the store's lifetime.
  /// The store sets its command timeout and may reconnect it after an I/O error.
  static result<redis_dedup_store> attach(redisContext* c, redis_dedup_options opt = {}) noexcept {
    if (c == nullptr) return errc::invalid_argument;
    if (auto st = check_options(opt); !st) return st.error();
    redis_dedup_store s(c, false, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  redis_dedup_store(redis_dedup_store&& o) noexcept { take(o); }
  redis_dedup_store& operator=(redis_dedup_store&& o) noexcept {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  redis_dedup_store(const redis_dedup_store&) = delete;
  redis_dedup_store& operator=(const redis_dedup_store&) = delete;
  ~redis_dedup_store() { close(); }

  result<claim_result> claim(const dedup_key& key, dedup_time /*now: Redis's clock decides*/,
                             std::chrono::milliseconds lease) noexcept {
    if (!is_valid_dedup_duration(lease)) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st.error();
    auto token = stores_detail::random_claim_token();
    if (!token) return token.error();
    std::string k = redis_key(key);
    char value[33];
    encode_value('L', *token, value);
    std::string px = std::to_string(lease.count());
    // The key can vanish between a failed SET NX and the GET (its lease or retention
    // just ended); then the SET is simply tried again.
    for (int round = 0; round < 4; ++round) {
      const char* argv[] = {"SET", k.data(), value, "NX", "PX", px.c_str()};
      const std::size_t lens[] = {3, k.size(), 33, 2, 2, px.size()};
      reply r(command(6, argv, lens));
      if (!r) return errc::store_unavailable;
      if (r->type == REDIS_REPLY_STATUS) return claim_result{claim_state::fresh, *token};
      if (r->type != REDIS_REPLY_NIL) return errc::store_error;
      const char* gargv[] = {"GET", k.data()};
      const std::size_t glens[] = {3, k.size()};
      reply g(command(2, gargv, glens));
      if (!g) return errc::store_unavailable;
      if (g->type == REDIS_REPLY_NIL) continue;
      if (g->type != REDIS_REPLY_STRING || g->len < 1) return errc::store_error;
      if (g->str[0] == 'D') return claim_result{claim_state::done, {}};
      if (g->str[0] == 'L') return claim_result{claim_state::in_flight, {}};
      return errc::store_error;
    }
    return errc::store_unavailable;
  }

  void_result commit(const dedup_key& key, const claim_token& token, dedup_time /*now*/) noexcept {
    if (auto st = ensure_connected(); !st) return st;
    std::string k = redis_key(key);
    char lease_value[33], done_value[33];
    encode_value('L', token, lease_value);
    encode_value('D', token, done_value);
    std::string ms = std::to_string(opt_.retention.count());
    const char* args[] = {lease_value, done_value, ms.c_str()};
    const std::size_t lens[] = {33, 33, ms.size()};
    return run_script(commit_script, commit_sha_, k, 3, args, lens);
  }

  void_result release(const dedup_key& key, const claim_token& token) noexcept {
    if (auto st = ensure_connected(); !st) return st;
    std::string k = redis_key(key);
    char lease_value[33];
    encode_value('L', token, lease_value);
    const char* args[] = {lease_value};
    const std::size_t lens[] = {33};
    return run_script(release_script, release_sha_, k, 1, args, lens);
  }

  std::chrono::milliseconds retention() const noexcept { return opt_.retention; }
  redisContext* handle() const noexcept { return ctx_; }

  static constexpr const char* commit_script =
      "local v = redis.call('GET', KEYS[1])\n"
      "if v == ARGV[1] or v == ARGV[2] then\n"
      "  redis.call('SET', KEYS[1], ARGV[2])\n"
      "  redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
      "  return 1\n"
      "end\n"
      "return 0\n";
  static constexpr const char* release_script =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
      "  redis.call('DEL', KEYS[1])\n"
      "  return 1\n"
      "end\n"
      "return 0\n";

 private:
  // Owns one hiredis reply.
  struct reply {
    redisReply* r;
    explicit reply(void* p) noexcept : r(static_cast<redisReply*>(p)) {}
    reply(const reply&) = delete;
    reply& operator=(const reply&) = delete;
    ~reply() {
      if (r != nullptr) freeReplyObject(r);
    }
    explicit operator bool() const noexcept { return r != nullptr; }
    redisReply* operator->() const noexcept { return r; }
  };

  redis_dedup_store(redisContext* c, bool owns, redis_dedup_options opt) noexcept
      : ctx_(c), owns_(owns), opt_(std::move(opt)) {}

  static void_result check_options(const redis_dedup_options& o) noexcept {
    if (!is_valid_dedup_duration(o.retention) || o.connect_timeout.count() <= 0 || o.command_timeout.count() <= 0)
      return errc::invalid_argument;
    return {};
  }

  static timeval to_timeval(std::chrono::milliseconds d) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
    return tv;
  }

  static void encode_value(char tag, const claim_token& t, char (&out)[33]) noexcept {
    out[0] = tag;
    char hex[32];
    t.to_hex(hex);
    std::memcpy(out + 1, hex, 32);
  }

  std::string redis_key(const dedup_key& key) const {
    std::string k;
    k.reserve(opt_.prefix.size() + key.encoded().size());
    k += opt_.prefix;
    k += key.encoded();
    return k;
  }

  void* command(int argc, const char** argv, const std::size_t* lens) noexcept {
    return redisCommandArgv(ctx_, argc, argv, lens);
  }

  void_result setup() noexcept {
    if (redisSetTimeout(ctx_, to_timeval(opt_.command_timeout)) != REDIS_OK) return errc::store_unavailable;
    if (auto st = load(commit_script, commit_sha_); !st) return st;
    return load(release_script, release_sha_);
  }

  void_result load(const char* script, std::string& sha) noexcept {
    const char* argv[] = {"SCRIPT", "LOAD", script};
    const std::size_t lens[] = {6, 4, std::strlen(script)};
    reply r(command(3, argv, lens));
    if (!r) return errc::store_unavailable;
    if (r->type != REDIS_REPLY_STRING) return errc::store_error;
    sha.assign(r->str, r->len);
    return {};
  }

  // A context whose connection failed stays unusable until reconnected; try once per call.
  void_result ensure_connected() noexcept {
    if (ctx_ == nullptr) return errc::store_unavailable;
    if (ctx_->err == 0) return {};
    if (redisReconnect(ctx_) != REDIS_OK) return errc::store_unavailable;
    return setup();
  }

  void_result run_script(const char* script, const std::string& sha, const std::string& key, int nargs,
                         const char* const* args, const std::size_t* arg_lens) noexcept {
    const char* argv[8];
    std::size_t lens[8];
    argv[0] = "EVALSHA";
    lens[0] = 7;
    argv[1] = sha.c_str();
    lens[1] = sha.size();
    argv[2] = "1";
    lens[2] = 1;
    argv[3] = key.data();
    lens[3] = key.size();
    for (int i = 0; i < nargs; ++i) {
      argv[4 + i] = args[i];
      lens[4 + i] = arg_lens[i];
    }
    const int argc = 4 + nargs;
    reply r(command(argc, argv, lens));
    if (!r) return errc::store_unavailable;
    if (r->type == REDIS_REPLY_ERROR && r->len >= 8 && std::memcmp(r->str, "NOSCRIPT", 8) == 0) {
      // The server lost its script cache: EVAL sends the body (and caches it again).
      argv[0] = "EVAL";
      lens[0] = 4;
      argv[1] = script;
      lens[1] = std::strlen(script);
      reply e(command(argc, argv, lens));
      if (!e) return errc::store_unavailable;
      return script_outcome(e.r);
    }
    return script_outcome(r.r);
  }

  static void_result script_outcome(const redisReply* r) noexcept {
    if (r->type != REDIS_REPLY_INTEGER) return errc::store_error;
    return r->integer == 1 ? void_result{} : void_result{errc::claim_lost};
  }

  void take(redis_dedup_store& o) noexcept {
    ctx_ = std::exchange(o.ctx_, nullptr);
    owns_ = o.owns_;
    opt_ = std::move(o.opt_);
    commit_sha_ = std::move(o.commit_sha_);
    release_sha_ = std::move(o.release_sha_);
  }
  void close() noexcept {
    if (owns_ && ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
  }

  redisContext* ctx_ = nullptr;
  bool owns_ = false;
  redis_dedup_options opt_;
  std::string commit_sha_;
  std::string release_sha_;
};

static_assert(is_dedup_store_v<redis_dedup_store>, "the Redis store implements the policy interface");

}  // namespace jobwire
