// jobwire — the C receiver (include/jobwire_c.h, "Receiver"): receive_delivery and, for
// Standard Webhooks deliveries (§17), receive_webhook (receiver.hpp) behind a C handle,
// with the dedup store chosen by a spec string or given by the host as callbacks
// (host_dedup_store below).
//
// Thread safety without a global lock: the verifier's HMAC contexts and every store that
// owns a connection (SQLite, Redis, PostgreSQL) serve one call at a time (signature.hpp,
// stores/*.hpp). A receiver therefore keeps a pool of "lanes" — one verifier and one
// store connection each — and a call takes a free lane for its duration (a mutex guards
// only the pop and the push), opening a new one when every lane is busy. The memory store
// is thread-safe and sharded: every lane uses the receiver's single memory store, since a
// per-lane memory store would not deduplicate across threads. Connections of one receiver
// share the same database, so the store's claims serialise concurrent copies of a
// delivery and the job lease serialises deliveries of one job (RECEIVING.md).
//
// Like jobwire_c.cpp, every entry point runs inside a firewall: no exception reaches C.
#include "jobwire_c.h"
#include "jobwire_c_boundary.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/crypto.h>

#include <jobwire/dedup.hpp>
#include <jobwire/error.hpp>
#include <jobwire/headers.hpp>
#include <jobwire/job.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/receiver.hpp>
#include <jobwire/reconcile.hpp>
#include <jobwire/signature.hpp>
#include <jobwire/standard_webhooks.hpp>

#if JOBWIRE_C_HAVE_SQLITE
#  include <jobwire/stores/sqlite.hpp>
#endif
#if JOBWIRE_C_HAVE_REDIS
#  include <jobwire/stores/redis.hpp>
#endif
#if JOBWIRE_C_HAVE_POSTGRES
#  include <jobwire/stores/postgres.hpp>
#endif

#ifndef JOBWIRE_C_HAVE_SQLITE
#  define JOBWIRE_C_HAVE_SQLITE 0
#endif
#ifndef JOBWIRE_C_HAVE_REDIS
#  define JOBWIRE_C_HAVE_REDIS 0
#endif
#ifndef JOBWIRE_C_HAVE_POSTGRES
#  define JOBWIRE_C_HAVE_POSTGRES 0
#endif

static_assert(JOBWIRE_RECEIPT_JOB_ID_MAX >= jobwire::max_job_id_length, "receipt job id buffer");
static_assert(JOBWIRE_RECEIPT_DEDUP_KEY_MAX >= jobwire::dedup_key::max_encoded_length, "receipt dedup key buffer");
static_assert(JOBWIRE_RECEIPT_MESSAGE_ID_MAX >= jobwire::max_webhook_id_bytes, "receipt message id buffer");
static_assert(JOBWIRE_LIFECYCLE_PENDING == static_cast<int>(jobwire::lifecycle_status::pending) &&
                  JOBWIRE_LIFECYCLE_RUNNING == static_cast<int>(jobwire::lifecycle_status::running) &&
                  JOBWIRE_LIFECYCLE_COMPLETED == static_cast<int>(jobwire::lifecycle_status::completed) &&
                  JOBWIRE_LIFECYCLE_FAILED == static_cast<int>(jobwire::lifecycle_status::failed) &&
                  JOBWIRE_LIFECYCLE_CANCELLED == static_cast<int>(jobwire::lifecycle_status::cancelled) &&
                  JOBWIRE_LIFECYCLE_EXPIRED == static_cast<int>(jobwire::lifecycle_status::expired),
              "lifecycle constants follow jobwire::lifecycle_status");
static_assert(JOBWIRE_DECISION_APPLY == static_cast<int>(jobwire::reconcile_action::apply) &&
                  JOBWIRE_DECISION_REFETCH == static_cast<int>(jobwire::reconcile_action::refetch),
              "decision constants follow jobwire::reconcile_action");
static_assert(JOBWIRE_RECEIVED_PROCESS == static_cast<int>(jobwire::receiver_decision::process) &&
                  JOBWIRE_RECEIVED_DUPLICATE == static_cast<int>(jobwire::receiver_decision::duplicate) &&
                  JOBWIRE_RECEIVED_IN_FLIGHT == static_cast<int>(jobwire::receiver_decision::in_flight) &&
                  JOBWIRE_RECEIVED_IGNORE_STALE == static_cast<int>(jobwire::receiver_decision::ignore_stale) &&
                  JOBWIRE_RECEIVED_NO_CHANGE == static_cast<int>(jobwire::receiver_decision::no_change) &&
                  JOBWIRE_RECEIVED_REFETCH == static_cast<int>(jobwire::receiver_decision::refetch) &&
                  JOBWIRE_RECEIVED_REJECT == static_cast<int>(jobwire::receiver_decision::reject),
              "receipt action constants follow jobwire::receiver_decision");

namespace {

using namespace jobwire_c_detail;

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// --- store specs -----------------------------------------------------------------------

// `host`: the host's callbacks (jobwire_receiver_create_with_store), never named by a spec.
enum class store_kind : std::uint8_t { memory, sqlite, redis, postgres, host };

struct store_spec {
  store_kind kind = store_kind::memory;
  std::string target;  // sqlite: the path; postgres: the conninfo URI; redis: the host
  int port = 6379;
  long db = 0;
};

// "memory" | "sqlite:PATH" | "redis://HOST[:PORT][/DB]" | "postgresql://..." | "postgres://..."
// Anything else, or a spec with an empty part, is invalid_argument.
jobwire::void_result parse_store_spec(std::string_view s, store_spec& out) {
  if (s == "memory") {
    out.kind = store_kind::memory;
    return {};
  }
  if (starts_with(s, "sqlite:")) {
    out.kind = store_kind::sqlite;
    out.target.assign(s.substr(7));
    if (out.target.empty() || out.target.find('\0') != std::string::npos) return errc::invalid_argument;
    return {};
  }
  if (starts_with(s, "postgresql://") || starts_with(s, "postgres://")) {
    out.kind = store_kind::postgres;
    out.target.assign(s);  // libpq reads the URI itself
    if (out.target.find('\0') != std::string::npos) return errc::invalid_argument;
    return {};
  }
  if (starts_with(s, "redis://")) {
    out.kind = store_kind::redis;
    std::string_view rest = s.substr(8);
    std::string_view db;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      db = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
      if (db.empty()) return errc::invalid_argument;
    }
    std::string_view host = rest;
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      std::string_view port = rest.substr(colon + 1);
      if (port.empty() || port.size() > 5) return errc::invalid_argument;
      long p = 0;
      for (char c : port) {
        if (c < '0' || c > '9') return errc::invalid_argument;
        p = p * 10 + (c - '0');
      }
      if (p <= 0 || p > 65535) return errc::invalid_argument;
      out.port = static_cast<int>(p);
    }
    if (host.empty() || host.find('\0') != std::string_view::npos || host.find('@') != std::string_view::npos)
      return errc::invalid_argument;
    out.target.assign(host);
    if (!db.empty()) {
      if (db.size() > 5) return errc::invalid_argument;
      long n = 0;
      for (char c : db) {
        if (c < '0' || c > '9') return errc::invalid_argument;
        n = n * 10 + (c - '0');
      }
      out.db = n;
    }
    return {};
  }
  return errc::invalid_argument;
}

bool compiled_in(store_kind k) noexcept {
  switch (k) {
    case store_kind::memory: return true;
    case store_kind::sqlite: return JOBWIRE_C_HAVE_SQLITE != 0;
    case store_kind::redis: return JOBWIRE_C_HAVE_REDIS != 0;
    case store_kind::postgres: return JOBWIRE_C_HAVE_POSTGRES != 0;
    case store_kind::host: return true;
  }
  return false;
}

// The host's store (jobwire_store_callbacks) as a dedup store of dedup.hpp. It holds no
// state of its own, so every lane shares it; the host's store is responsible for its
// own thread safety (the header says the callbacks run concurrently). What a callback
// returns is mapped onto the store errors the receiver knows (store_unavailable,
// claim_lost, store_error), so that the receiver's replies (503 for a failing claim,
// with the delivery's claim released) are the same as for the built-in stores.
static_assert(JOBWIRE_CLAIM_FRESH == static_cast<int>(jobwire::claim_state::fresh) &&
                  JOBWIRE_CLAIM_DONE == static_cast<int>(jobwire::claim_state::done) &&
                  JOBWIRE_CLAIM_IN_FLIGHT == static_cast<int>(jobwire::claim_state::in_flight),
              "claim constants follow jobwire::claim_state");
static_assert(JOBWIRE_CLAIM_TOKEN_LEN == sizeof(jobwire::claim_token::bytes), "claim token size");

class host_dedup_store {
 public:
  explicit host_dedup_store(const jobwire_store_callbacks& cb) noexcept : cb_(cb) {}

  jobwire::result<jobwire::claim_result> claim(const jobwire::dedup_key& k, jobwire::dedup_time now,
                                               std::chrono::milliseconds lease) noexcept {
    if (!jobwire::is_valid_dedup_duration(lease)) return errc::invalid_argument;
    const std::string_view key = k.encoded();
    int state = -1;
    jobwire::claim_result out;
    const int st = cb_.claim(cb_.user_data, key.data(), key.size(), jobwire::to_unix_ms(now), lease.count(), &state,
                             out.token.bytes.data());
    if (st != 0) return failure(st, false);
    switch (state) {
      case JOBWIRE_CLAIM_FRESH: out.state = jobwire::claim_state::fresh; break;
      case JOBWIRE_CLAIM_DONE: out.state = jobwire::claim_state::done; break;
      case JOBWIRE_CLAIM_IN_FLIGHT: out.state = jobwire::claim_state::in_flight; break;
      default: return errc::store_error;  // a state the interface does not have
    }
    return out;
  }
  jobwire::void_result commit(const jobwire::dedup_key& k, const jobwire::claim_token& t,
                              jobwire::dedup_time now) noexcept {
    const std::string_view key = k.encoded();
    const int st = cb_.commit(cb_.user_data, key.data(), key.size(), t.bytes.data(), jobwire::to_unix_ms(now));
    if (st != 0) return failure(st, true);
    return {};
  }
  jobwire::void_result release(const jobwire::dedup_key& k, const jobwire::claim_token& t) noexcept {
    const std::string_view key = k.encoded();
    const int st = cb_.release(cb_.user_data, key.data(), key.size(), t.bytes.data());
    if (st != 0) return failure(st, true);
    return {};
  }

 private:
  static jobwire::error failure(int st, bool may_lose_claim) noexcept {
    if (st == JOBWIRE_E_STORE_UNAVAILABLE) return errc::store_unavailable;
    if (may_lose_claim && st == JOBWIRE_E_CLAIM_LOST) return errc::claim_lost;
    return errc::store_error;
  }
  jobwire_store_callbacks cb_;
};
static_assert(jobwire::is_dedup_store_v<host_dedup_store>, "host_dedup_store is a dedup store");

#if JOBWIRE_C_HAVE_REDIS
// A Redis connection on database `db`: the store may reconnect its context after an I/O
// error, and a reconnected context is back on database 0. So this wrapper, which owns the
// context, reconnects and re-selects before every call that finds the context broken;
// the store then sees a healthy context and never reconnects it itself.
class redis_lane_store {
 public:
  static jobwire::result<std::unique_ptr<redis_lane_store>> connect(const store_spec& spec) {
    timeval tv{2, 0};
    redisContext* c = redisConnectWithTimeout(spec.target.c_str(), spec.port, tv);
    if (c == nullptr) return errc::store_unavailable;
    std::unique_ptr<redis_lane_store> s(new redis_lane_store(c, spec.db));
    if (c->err != 0) return errc::store_unavailable;
    if (auto sel = s->select(); !sel) return sel.error();
    auto st = jobwire::redis_dedup_store::attach(c);
    if (!st) return st.error();
    s->store_.emplace(std::move(*st));
    return s;
  }
  redis_lane_store(const redis_lane_store&) = delete;
  redis_lane_store& operator=(const redis_lane_store&) = delete;
  ~redis_lane_store() {
    store_.reset();
    redisFree(ctx_);
  }

  jobwire::result<jobwire::claim_result> claim(const jobwire::dedup_key& k, jobwire::dedup_time now,
                                               std::chrono::milliseconds lease) noexcept {
    if (auto st = heal(); !st) return st.error();
    return store_->claim(k, now, lease);
  }
  jobwire::void_result commit(const jobwire::dedup_key& k, const jobwire::claim_token& t,
                              jobwire::dedup_time now) noexcept {
    if (auto st = heal(); !st) return st;
    return store_->commit(k, t, now);
  }
  jobwire::void_result release(const jobwire::dedup_key& k, const jobwire::claim_token& t) noexcept {
    if (auto st = heal(); !st) return st;
    return store_->release(k, t);
  }

 private:
  redis_lane_store(redisContext* c, long db) noexcept : ctx_(c), db_(db) {}
  jobwire::void_result select() noexcept {
    if (db_ == 0) return {};
    void* r = redisCommand(ctx_, "SELECT %ld", db_);
    if (r == nullptr) return errc::store_unavailable;
    const bool ok = static_cast<redisReply*>(r)->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    return ok ? jobwire::void_result{} : jobwire::void_result{errc::store_error};
  }
  jobwire::void_result heal() noexcept {
    if (ctx_->err == 0) return {};
    if (redisReconnect(ctx_) != REDIS_OK) return errc::store_unavailable;
    return select();
  }
  redisContext* ctx_;
  long db_;
  std::optional<jobwire::redis_dedup_store> store_;
};
#endif

// One verifier and one store connection: what one call uses exclusively.
struct lane {
  jobwire::verifier keys;
#if JOBWIRE_C_HAVE_SQLITE
  std::optional<jobwire::sqlite_dedup_store> sqlite;
#endif
#if JOBWIRE_C_HAVE_REDIS
  std::unique_ptr<redis_lane_store> redis;
#endif
#if JOBWIRE_C_HAVE_POSTGRES
  std::optional<jobwire::postgres_dedup_store> postgres;
#endif
};

}  // namespace

struct jobwire_receiver {
  std::vector<std::string> secrets;      // to prepare the verifier of each new lane
  std::vector<std::string> public_keys;  // whpk_ keys (v1a, §17), likewise
  jobwire::key_options key_opts;         // the schemes and key format they are read with
  store_spec spec;
  jobwire::receiver_options options;
  std::unique_ptr<jobwire::memory_dedup_store> memory;  // spec "memory": shared by all lanes
  std::unique_ptr<host_dedup_store> host;               // the host's callbacks: shared by all lanes

  std::mutex pool_lock;  // guards `idle` only
  std::vector<std::unique_ptr<lane>> idle;

  ~jobwire_receiver() {
    // The secrets are kept only to prepare the verifier of each new lane; wipe them.
    for (std::string& s : secrets)
      if (!s.empty()) OPENSSL_cleanse(&s[0], s.size());
  }

  jobwire::result<std::unique_ptr<lane>> open_lane() {
    std::unique_ptr<lane> l(new lane);
    std::vector<std::string_view> views(secrets.begin(), secrets.end());
    std::vector<std::string_view> public_views(public_keys.begin(), public_keys.end());
    auto keys =
        jobwire::verifier::create(views.data(), views.size(), public_views.data(), public_views.size(), key_opts);
    if (!keys) return keys.error();
    l->keys = std::move(*keys);
    switch (spec.kind) {
      case store_kind::memory: break;
      case store_kind::host: break;
      case store_kind::sqlite: {
#if JOBWIRE_C_HAVE_SQLITE
        auto s = jobwire::sqlite_dedup_store::open(spec.target);
        if (!s) return s.error();
        l->sqlite.emplace(std::move(*s));
        break;
#else
        return errc::store_not_supported;
#endif
      }
      case store_kind::redis: {
#if JOBWIRE_C_HAVE_REDIS
        auto s = redis_lane_store::connect(spec);
        if (!s) return s.error();
        l->redis = std::move(*s);
        break;
#else
        return errc::store_not_supported;
#endif
      }
      case store_kind::postgres: {
#if JOBWIRE_C_HAVE_POSTGRES
        auto s = jobwire::postgres_dedup_store::connect(spec.target);
        if (!s) return s.error();
        l->postgres.emplace(std::move(*s));
        break;
#else
        return errc::store_not_supported;
#endif
      }
    }
    return l;
  }

  // A free lane, or a new one when all are busy (the pool grows to the peak concurrency).
  jobwire::result<std::unique_ptr<lane>> take_lane() {
    {
      std::lock_guard<std::mutex> hold(pool_lock);
      if (!idle.empty()) {
        std::unique_ptr<lane> l = std::move(idle.back());
        idle.pop_back();
        return l;
      }
    }
    return open_lane();
  }

  void give_back(std::unique_ptr<lane> l) {
    std::lock_guard<std::mutex> hold(pool_lock);
    idle.push_back(std::move(l));
  }

  // Runs `f(store)` with the lane's store (or the shared memory store).
  template <class F>
  auto with_store([[maybe_unused]] lane& l, F&& f) {
    switch (spec.kind) {
#if JOBWIRE_C_HAVE_SQLITE
      case store_kind::sqlite: return f(*l.sqlite);
#endif
#if JOBWIRE_C_HAVE_REDIS
      case store_kind::redis: return f(*l.redis);
#endif
#if JOBWIRE_C_HAVE_POSTGRES
      case store_kind::postgres: return f(*l.postgres);
#endif
      case store_kind::host: return f(*host);
      default: return f(*memory);
    }
  }
};

namespace {

// The receipt's profile: -1 before one was chosen.
int receipt_profile(const jobwire::profile* p) noexcept { return p == nullptr ? -1 : profile_code(*p); }

void copy_out(std::string_view text, char* out, std::size_t cap, std::size_t* out_len) noexcept {
  *out_len = 0;
  if (out == nullptr || cap < text.size()) return;  // sizes were checked before the call
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  if (cap > text.size()) out[text.size()] = '\0';
  *out_len = text.size();
}

}  // namespace

extern "C" {

void jobwire_receiver_options_init(jobwire_receiver_options* options) {
  if (options == nullptr) return;
  options->profile = JOBWIRE_PROFILE_AUTO;
  options->tolerance = JOBWIRE_DEFAULT_TOLERANCE;
  options->flags = 0;
  options->lease_ms = 0;
}

int jobwire_receiver_store_supported(const char* store_spec_text, std::size_t store_spec_len) {
  return guarded([&] {
    if (bad_input(store_spec_text, store_spec_len)) return invalid_argument;
    store_spec spec;
    if (auto st = parse_store_spec(view(store_spec_text, store_spec_len), spec); !st) return status_of(st.code());
    return compiled_in(spec.kind) ? JOBWIRE_OK : status_of(errc::store_not_supported);
  });
}

}  // extern "C"

namespace {

// The keys of a receiver beyond its secrets (jobwire_receiver_create_keys): Standard
// Webhooks public keys and the key options. The older create functions give none and the
// default options (both schemes, prefix-less keys per profile), and accept only the
// service profiles or AUTO, as they always did.
struct receiver_keys {
  const char* const* public_keys = nullptr;
  const std::size_t* public_key_lens = nullptr;
  std::size_t public_key_count = 0;
  jobwire::key_options opts{};
  bool webhook_profiles = false;  // options->profile may name STANDARD or OPENAI
};

// What the create functions share: the options, the keys, the store (a spec's, or the
// host's when `host` is given) and the first lane.
int create_receiver(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                    const receiver_keys& extra, std::string_view store_spec_text, const jobwire_store_callbacks* host,
                    const jobwire_receiver_options* options, jobwire_receiver** out) {
  if (out == nullptr) return invalid_argument;
  *out = nullptr;
  if (count > 0 && (secrets == nullptr || secret_lens == nullptr)) return invalid_argument;
  if (extra.public_key_count > 0 && (extra.public_keys == nullptr || extra.public_key_lens == nullptr))
    return invalid_argument;
  jobwire_receiver_options opt;
  jobwire_receiver_options_init(&opt);
  if (options != nullptr) opt = *options;
  // nullptr for AUTO: detected per request (§15)
  const jobwire::profile* prof = extra.webhook_profiles ? verify_profile_of(opt.profile) : profile_of(opt.profile);
  if (prof == nullptr && opt.profile != JOBWIRE_PROFILE_AUTO) return invalid_argument;
  if ((opt.tolerance < 0 && opt.tolerance != jobwire::tolerance_none) ||
      (opt.flags &
       ~(JOBWIRE_RECEIVER_SDK_COMPAT | JOBWIRE_RECEIVER_ALLOW_UNSIGNED | JOBWIRE_RECEIVER_LENIENT_STATUS)) != 0u ||
      opt.lease_ms < 0)
    return invalid_argument;
  if (opt.lease_ms != 0 && !jobwire::is_valid_dedup_duration(std::chrono::milliseconds(opt.lease_ms)))
    return invalid_argument;
  if (count > jobwire::max_secrets || extra.public_key_count > jobwire::max_secrets)
    return status_of(errc::too_many_secrets);

  std::unique_ptr<jobwire_receiver> r(new jobwire_receiver);
  if (host != nullptr) {
    r->spec.kind = store_kind::host;
    r->host.reset(new host_dedup_store(*host));
  } else {
    if (auto st = parse_store_spec(store_spec_text, r->spec); !st) return status_of(st.code());
    if (!compiled_in(r->spec.kind)) return status_of(errc::store_not_supported);
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (bad_input(secrets[i], secret_lens[i])) return invalid_argument;
    r->secrets.emplace_back(view(secrets[i], secret_lens[i]));
  }
  for (std::size_t i = 0; i < extra.public_key_count; ++i) {
    if (bad_input(extra.public_keys[i], extra.public_key_lens[i])) return invalid_argument;
    r->public_keys.emplace_back(view(extra.public_keys[i], extra.public_key_lens[i]));
  }
  r->key_opts = extra.opts;
  r->options.verify.tolerance_seconds = opt.tolerance;
  r->options.verify.prof = prof;
  // The C flags keep their names; each is one bit of the receiver's leniency set.
  using jobwire::lenient;
  if ((opt.flags & JOBWIRE_RECEIVER_SDK_COMPAT) != 0u) r->options.leniency |= lenient::sdk_timestamps;
  if ((opt.flags & JOBWIRE_RECEIVER_ALLOW_UNSIGNED) != 0u) r->options.leniency |= lenient::unsigned_deliveries;
  if ((opt.flags & JOBWIRE_RECEIVER_LENIENT_STATUS) != 0u) r->options.leniency |= lenient::unknown_status;
  if (opt.lease_ms != 0) r->options.lease = std::chrono::milliseconds(opt.lease_ms);
  if (r->spec.kind == store_kind::memory) {
    r->memory.reset(new jobwire::memory_dedup_store());
    if (auto cfg = r->memory->config_status(); !cfg) return status_of(cfg.code());
  }
  // The first lane now: bad secrets and an unreachable store are reported here, not at
  // the first delivery.
  auto first = r->open_lane();
  if (!first) return status_of(first.code());
  r->idle.push_back(std::move(*first));
  *out = r.release();
  return JOBWIRE_OK;
}

}  // namespace

namespace {
/// The caller's header array as (name, value) views, for both receive calls; false when an
/// entry is a NULL pointer with a nonzero length.
bool read_headers(const jobwire_header* headers, std::size_t count,
                  std::vector<std::pair<std::string_view, std::string_view>>& out) {
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (bad_input(headers[i].name, headers[i].name_len) || bad_input(headers[i].value, headers[i].value_len))
      return false;
    out.emplace_back(view(headers[i].name, headers[i].name_len), view(headers[i].value, headers[i].value_len));
  }
  return true;
}
}  // namespace

extern "C" {

int jobwire_receiver_create(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                            const char* store_spec_text, std::size_t store_spec_len,
                            const jobwire_receiver_options* options, jobwire_receiver** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    if (bad_input(store_spec_text, store_spec_len)) return invalid_argument;
    return create_receiver(secrets, secret_lens, count, receiver_keys{}, view(store_spec_text, store_spec_len), nullptr,
                           options, out);
  });
}

int jobwire_receiver_create_with_store(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                                       const jobwire_store_callbacks* store, const jobwire_receiver_options* options,
                                       jobwire_receiver** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    if (store == nullptr || store->claim == nullptr || store->commit == nullptr || store->release == nullptr)
      return invalid_argument;
    return create_receiver(secrets, secret_lens, count, receiver_keys{}, {}, store, options, out);
  });
}

int jobwire_receiver_create_keys(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                                 const char* const* public_keys, const std::size_t* public_key_lens,
                                 std::size_t public_key_count, unsigned schemes, int key_format,
                                 const char* store_spec_text, std::size_t store_spec_len,
                                 const jobwire_store_callbacks* store, const jobwire_receiver_options* options,
                                 jobwire_receiver** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    receiver_keys extra;
    extra.public_keys = public_keys;
    extra.public_key_lens = public_key_lens;
    extra.public_key_count = public_key_count;
    extra.webhook_profiles = true;
    // The same rules as jobwire_verifier_create_keys: 0 = both schemes (§15).
    if ((schemes & ~(JOBWIRE_SCHEME_SERVICE | JOBWIRE_SCHEME_WEBHOOKS)) != 0u ||
        !key_format_of(key_format, extra.opts.prefixless))
      return invalid_argument;
    if (schemes != 0u) {
      extra.opts.service_scheme = (schemes & JOBWIRE_SCHEME_SERVICE) != 0u;
      extra.opts.webhooks_scheme = (schemes & JOBWIRE_SCHEME_WEBHOOKS) != 0u;
    }
    if (bad_input(store_spec_text, store_spec_len)) return invalid_argument;
    // Exactly one store: a spec or the host's callbacks.
    if (store != nullptr) {
      if (store_spec_len != 0 || store->claim == nullptr || store->commit == nullptr || store->release == nullptr)
        return invalid_argument;
      return create_receiver(secrets, secret_lens, count, extra, {}, store, options, out);
    }
    return create_receiver(secrets, secret_lens, count, extra, view(store_spec_text, store_spec_len), nullptr, options,
                           out);
  });
}

void jobwire_receiver_free(jobwire_receiver* receiver) { delete receiver; }

int jobwire_receive(jobwire_receiver* receiver, const char* body, std::size_t body_len, const jobwire_header* headers,
                    std::size_t header_count, std::int64_t now_ms, const jobwire_receive_settings* settings,
                    jobwire_receipt* receipt) {
  return guarded([&] {
    if (receiver == nullptr || settings == nullptr || receipt == nullptr || bad_input(body, body_len) ||
        bad_input(headers, header_count))
      return invalid_argument;
    if ((receipt->job_id == nullptr && receipt->job_id_cap != 0) ||
        (receipt->dedup_key == nullptr && receipt->dedup_key_cap != 0))
      return invalid_argument;
    if ((receipt->job_id != nullptr && receipt->job_id_cap < JOBWIRE_RECEIPT_JOB_ID_MAX) ||
        (receipt->dedup_key != nullptr && receipt->dedup_key_cap < JOBWIRE_RECEIPT_DEDUP_KEY_MAX))
      return status_of(errc::buffer_too_small);
    std::vector<std::pair<std::string_view, std::string_view>> hs;
    if (!read_headers(headers, header_count, hs)) return invalid_argument;

    auto taken = receiver->take_lane();
    if (!taken) {
      // No lane could be opened (the store is unreachable now): a local failure, 503.
      receipt->action = JOBWIRE_RECEIVED_REJECT;
      receipt->status = status_of(taken.code());
      receipt->http_status = jobwire::http_status_of(jobwire::reply_class::local);
      receipt->reason = jobwire::error_name(taken.code()).data();
      receipt->job_id_len = 0;
      receipt->dedup_key_len = 0;
      receipt->attempt = 0;
      receipt->profile = -1;
      return JOBWIRE_OK;
    }
    std::unique_ptr<lane> l = std::move(*taken);
    const jobwire::dedup_time now{std::chrono::milliseconds(now_ms)};

    // The callbacks' failure is the host's: any nonzero return is handler_failed, which
    // the receiver answers with 503 after releasing the claim (receiver.hpp step 5).
    auto load = [&](std::string_view job_id) -> jobwire::result<std::optional<jobwire::job_state>> {
      if (settings->load == nullptr) return std::optional<jobwire::job_state>{};
      jobwire_job_state st{JOBWIRE_LIFECYCLE_PENDING, 0.0};
      int found = 0;
      if (settings->load(settings->user_data, job_id.data(), job_id.size(), &st, &found) != 0)
        return errc::handler_failed;
      if (found == 0) return std::optional<jobwire::job_state>{};
      // A state outside the lifecycle or progress ranges is the host's failure too: a
      // guess would reconcile against something the host never held.
      if (st.lifecycle < JOBWIRE_LIFECYCLE_PENDING || st.lifecycle > JOBWIRE_LIFECYCLE_EXPIRED ||
          !(st.progress >= 0.0 && st.progress <= 100.0))
        return errc::handler_failed;
      return std::optional<jobwire::job_state>{
          jobwire::job_state{static_cast<jobwire::lifecycle_status>(st.lifecycle), st.progress}};
    };
    const jobwire::profile* verified_under = receiver->options.verify.prof;
    auto handle = [&](const jobwire::envelope_view& env, const jobwire::reconcile_decision& d,
                      const jobwire::dedup_key& key) -> jobwire::void_result {
      if (settings->handle == nullptr) return {};
      const std::string_view job_id = env.data.id.str();
      const std::string_view status = jobwire::job_status_name(env.data.status);
      const std::string_view encoded = key.encoded();
      jobwire_event ev{};
      ev.id = env.id.data();
      ev.id_len = env.id.size();
      ev.type = env.type_text.data();
      ev.type_len = env.type_text.size();
      ev.job_id = job_id.data();
      ev.job_id_len = job_id.size();
      ev.status = status.data();
      ev.status_len = status.size();
      ev.lifecycle = static_cast<int>(env.data.lifecycle);
      ev.progress = env.data.progress.value;
      ev.has_progress = env.data.progress.present ? 1 : 0;
      ev.delivery_key = env.delivery.present ? env.delivery.key_text.data() : "";
      ev.delivery_key_len = env.delivery.present ? env.delivery.key_text.size() : 0;
      ev.attempt = env.delivery.present ? env.delivery.attempt : 0;
      ev.profile = receipt_profile(verified_under);
      ev.dedup_key = encoded.data();
      ev.dedup_key_len = encoded.size();
      jobwire_decision dec{};
      dec.action = static_cast<int>(d.action);
      dec.reason = jobwire::reconcile_reason_name(d.reason).data();
      dec.next.lifecycle = static_cast<int>(d.next.lifecycle);
      dec.next.progress = d.next.progress;
      if (settings->handle(settings->user_data, &ev, &dec) != 0) return errc::handler_failed;
      return {};
    };
    // The handler sees the envelope, not the profile it was verified under: under AUTO that
    // profile is selected here by the rule verification applies (select_profile, §15).
    if (verified_under == nullptr) {
      auto selected = jobwire::select_profile(hs, nullptr);
      if (selected) verified_under = *selected;
    }
    const jobwire::receipt r = receiver->with_store(*l, [&](auto& store) {
      return jobwire::receive_delivery(view(body, body_len), hs, l->keys, store, now, load, handle, receiver->options);
    });
    receiver->give_back(std::move(l));

    receipt->action = static_cast<int>(r.action);
    receipt->http_status = r.http_status;
    receipt->status = r.error == errc::ok ? JOBWIRE_OK : status_of(r.error);
    receipt->reason = r.reason().data();
    receipt->attempt = r.attempt;
    receipt->profile = receipt_profile(r.prof);
    copy_out(r.job_id, receipt->job_id, receipt->job_id_cap, &receipt->job_id_len);
    copy_out(r.key ? r.key->encoded() : std::string_view{}, receipt->dedup_key, receipt->dedup_key_cap,
             &receipt->dedup_key_len);
    return JOBWIRE_OK;
  });
}

// The size of jobwire_webhook_event as first published (through object_len): the least a
// caller may pass. Fixed: later versions append fields after it.
static constexpr std::size_t webhook_event_first_size =
    offsetof(jobwire_webhook_event, object_len) + sizeof(std::size_t);

int jobwire_parse_webhook_event(const char* body, std::size_t body_len, jobwire_webhook_event* out,
                                std::size_t* error_offset) {
  return guarded([&] {
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    if (out == nullptr || bad_input(body, body_len) || out->size < webhook_event_first_size) return invalid_argument;
    // Filled whole here, then copied up to the caller's size: a caller built against an
    // older header gets the fields it knows and nothing past its struct.
    jobwire_webhook_event ev{};
    const std::size_t written = out->size < sizeof ev ? out->size : sizeof ev;
    ev.size = written;
    auto view_of = [](std::string_view text, const char*& p, std::size_t& n) {
      p = text.data();  // nullptr for a field that is absent
      n = text.size();
    };
    auto parsed = jobwire::parse_webhook_event(view(body, body_len));
    int st = JOBWIRE_OK;
    if (parsed) {
      view_of(parsed->type, ev.type, ev.type_len);
      view_of(parsed->timestamp, ev.timestamp, ev.timestamp_len);
      ev.created_at = parsed->created_at;
      ev.has_created_at = parsed->has_created_at ? 1 : 0;
      view_of(parsed->data.raw(), ev.data, ev.data_len);
      view_of(parsed->data_id, ev.data_id, ev.data_id_len);
      view_of(parsed->id, ev.id, ev.id_len);
      view_of(parsed->object, ev.object, ev.object_len);
    } else {
      if (error_offset != nullptr) *error_offset = parsed.error().offset;
      st = status_of(parsed.error());
    }
    std::memcpy(static_cast<void*>(out), &ev, written);
    return st;
  });
}

int jobwire_receive_webhook(jobwire_receiver* receiver, const char* body, std::size_t body_len,
                            const jobwire_header* headers, std::size_t header_count, std::int64_t now_ms,
                            jobwire_webhook_cb handle, void* user_data, jobwire_webhook_receipt* receipt) {
  return guarded([&] {
    if (receiver == nullptr || receipt == nullptr || bad_input(body, body_len) || bad_input(headers, header_count))
      return invalid_argument;
    if ((receipt->message_id == nullptr && receipt->message_id_cap != 0) ||
        (receipt->dedup_key == nullptr && receipt->dedup_key_cap != 0))
      return invalid_argument;
    if ((receipt->message_id != nullptr && receipt->message_id_cap < JOBWIRE_RECEIPT_MESSAGE_ID_MAX) ||
        (receipt->dedup_key != nullptr && receipt->dedup_key_cap < JOBWIRE_RECEIPT_DEDUP_KEY_MAX))
      return status_of(errc::buffer_too_small);
    std::vector<std::pair<std::string_view, std::string_view>> hs;
    if (!read_headers(headers, header_count, hs)) return invalid_argument;

    auto taken = receiver->take_lane();
    if (!taken) {
      // No lane could be opened (the store is unreachable now): a local failure, 503.
      receipt->action = JOBWIRE_RECEIVED_REJECT;
      receipt->status = status_of(taken.code());
      receipt->http_status = jobwire::http_status_of(jobwire::reply_class::local);
      receipt->reason = jobwire::error_name(taken.code()).data();
      receipt->message_id_len = 0;
      receipt->dedup_key_len = 0;
      receipt->profile = -1;
      return JOBWIRE_OK;
    }
    std::unique_ptr<lane> l = std::move(*taken);
    const jobwire::dedup_time now{std::chrono::milliseconds(now_ms)};

    // The callback's failure is the host's: any nonzero return is handler_failed, which
    // the receiver answers with 503 after releasing the claim (receiver.hpp).
    auto run = [&](const jobwire::authenticated_delivery& d, const jobwire::dedup_key& key) -> jobwire::void_result {
      if (handle == nullptr) return {};
      const std::string_view b = d.body.bytes();
      const std::string_view encoded = key.encoded();
      jobwire_webhook_message m{};
      m.id = d.message_id.data();
      m.id_len = d.message_id.size();
      m.timestamp = d.timestamp_text.data();
      m.timestamp_len = d.timestamp_text.size();
      m.body = b.empty() ? "" : b.data();
      m.body_len = b.size();
      m.profile = receipt_profile(d.prof);
      m.matched_key = d.matched_secret;
      m.dedup_key = encoded.data();
      m.dedup_key_len = encoded.size();
      if (handle(user_data, &m) != 0) return errc::handler_failed;
      return {};
    };
    const jobwire::receipt r = receiver->with_store(*l, [&](auto& store) {
      return jobwire::receive_webhook(view(body, body_len), hs, l->keys, store, now, run, receiver->options);
    });
    receiver->give_back(std::move(l));

    receipt->action = static_cast<int>(r.action);
    receipt->http_status = r.http_status;
    receipt->status = r.error == errc::ok ? JOBWIRE_OK : status_of(r.error);
    receipt->reason = r.reason().data();
    receipt->profile = receipt_profile(r.prof);
    // r.message_id views the caller's headers, which are still alive here.
    copy_out(r.message_id, receipt->message_id, receipt->message_id_cap, &receipt->message_id_len);
    copy_out(r.key ? r.key->encoded() : std::string_view{}, receipt->dedup_key, receipt->dedup_key_cap,
             &receipt->dedup_key_len);
    return JOBWIRE_OK;
  });
}

}  // extern "C"
