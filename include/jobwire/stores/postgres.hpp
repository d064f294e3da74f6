// jobwire — shared dedup store on PostgreSQL, through libpq (PROTOCOL.md §13).
//
// Including this header is what pulls in libpq (link PostgreSQL::PostgreSQL). For a
// fleet of receivers that share one database. Schema (table name configurable, default
// `jobwire_dedup`; created at connect unless `create_schema` is false):
//
//   CREATE TABLE jobwire_dedup (
//     key bytea PRIMARY KEY,        -- dedup_key::encoded()
//     state smallint NOT NULL,      -- 1 = claimed (lease), 2 = done
//     token bytea NOT NULL,         -- 16-byte claim token
//     expires_at bigint NOT NULL    -- Unix ms: end of the lease, or end of retention
//   );
//   CREATE INDEX jobwire_dedup_expires ON jobwire_dedup (expires_at);
//
// claim is one prepared INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING: the
// conflicting row is locked, a row whose lease or retention ended is taken over with the
// new token, a live row is returned unchanged — so concurrent claimers on any number of
// hosts serialise on the row and exactly one sees its own token come back. commit and
// release are prepared UPDATE/DELETE statements that match the claim token.
// Expiry uses the caller's `now` (Unix ms): receivers sharing the database need
// synchronised clocks (NTP); skew shortens or lengthens leases by that much.
//
// A store object is not thread-safe (it owns one connection): one per thread. After
// fork(), connect again in the child.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "../dedup.hpp"
#include "postgres_connection.hpp"
#include "random_token.hpp"

namespace jobwire {

struct postgres_dedup_options {
  std::chrono::milliseconds retention = default_done_retention;
  /// Table name: [a-z_][a-z0-9_]*, at most 63 characters (`invalid_argument` otherwise).
  std::string table = "jobwire_dedup";
  /// Create the table and index if missing (serialised by an advisory lock, so many
  /// receivers starting at once do not race on the DDL).
  bool create_schema = true;
  /// claim() deletes up to `sweep_batch` expired rows at most once per `sweep_interval`
  /// (by the caller's clock); zero disables the automatic sweep (call sweep() yourself).
  std::chrono::milliseconds sweep_interval{60000};
  int sweep_batch = 1000;
  /// The longest wait for a connection, and for a reconnection after the server went
  /// away, when the connection string sets no `connect_timeout` (whole seconds, at least
  /// 2; zero: no limit, libpq's default; negative: `invalid_argument`).
  std::chrono::seconds connect_timeout = stores_detail::default_pg_connect_timeout;
};

class postgres_dedup_store {
 public:
  /// Connects with a libpq connection string or URI (e.g. "host=db port=5432 dbname=app
  /// user=receiver") and owns the connection. `store_unavailable` when the server cannot
  /// be reached within the connection wait (`connect_timeout`: the string's, else the
  /// option's).
  static result<postgres_dedup_store> connect(const std::string& conninfo, postgres_dedup_options opt = {}) noexcept {
    if (auto st = check_options(opt); !st) return st.error();
    auto connected = stores_detail::pg_connect(conninfo, opt.connect_timeout);
    if (!connected) return connected.error();
    PGconn* c = *connected;
    postgres_dedup_store s(c, true, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  /// Uses a connection the caller owns and keeps open for the store's lifetime. The store
  /// prepares its statements on it and may PQreset it after the connection broke.
  static result<postgres_dedup_store> attach(PGconn* c, postgres_dedup_options opt = {}) noexcept {
    if (c == nullptr) return errc::invalid_argument;
    if (auto st = check_options(opt); !st) return st.error();
    if (PQstatus(c) != CONNECTION_OK) return errc::store_unavailable;
    postgres_dedup_store s(c, false, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  postgres_dedup_store(postgres_dedup_store&& o) noexcept { take(o); }
  postgres_dedup_store& operator=(postgres_dedup_store&& o) noexcept {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  postgres_dedup_store(const postgres_dedup_store&) = delete;
  postgres_dedup_store& operator=(const postgres_dedup_store&) = delete;
  ~postgres_dedup_store() { close(); }

  result<claim_result> claim(const dedup_key& key, dedup_time now, std::chrono::milliseconds lease) noexcept {
    if (!is_valid_dedup_duration(lease)) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st.error();
    const std::int64_t t = to_unix_ms(now);
    if (opt_.sweep_interval.count() > 0 && (!swept_ || t >= dedup_expiry(last_sweep_ms_, opt_.sweep_interval))) {
      swept_ = true;
      last_sweep_ms_ = t;
      (void)sweep(now);  // best effort
    }
    auto token = stores_detail::random_claim_token();
    if (!token) return token.error();
    char expires[8], now_be[8];
    stores_detail::put_int8(dedup_expiry(t, lease), expires);
    stores_detail::put_int8(t, now_be);
    const char* values[] = {key.encoded().data(), reinterpret_cast<const char*>(token->bytes.data()), expires, now_be};
    const int lengths[] = {static_cast<int>(key.encoded().size()), 16, 8, 8};
    const int formats[] = {1, 1, 1, 1};
    pg_result r(exec_prepared(claim_name_, 4, values, lengths, formats));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
    if (PQntuples(r.r) != 1 || PQgetlength(r.r, 0, 0) != 2) return errc::store_error;
    const unsigned char* sp = reinterpret_cast<const unsigned char*>(PQgetvalue(r.r, 0, 0));
    const int state = (sp[0] << 8) | sp[1];
    if (PQgetlength(r.r, 0, 1) == 16 && std::memcmp(PQgetvalue(r.r, 0, 1), token->bytes.data(), 16) == 0)
      return claim_result{claim_state::fresh, *token};
    return claim_result{state == 2 ? claim_state::done : claim_state::in_flight, {}};
  }

  void_result commit(const dedup_key& key, const claim_token& token, dedup_time now) noexcept {
    if (auto st = ensure_connected(); !st) return st;
    char expires[8];
    stores_detail::put_int8(dedup_expiry(to_unix_ms(now), opt_.retention), expires);
    const char* values[] = {key.encoded().data(), reinterpret_cast<const char*>(token.bytes.data()), expires};
    const int lengths[] = {static_cast<int>(key.encoded().size()), 16, 8};
    const int formats[] = {1, 1, 1};
    pg_result r(exec_prepared(commit_name_, 3, values, lengths, formats));
    return one_row_changed(r.r);
  }

  void_result release(const dedup_key& key, const claim_token& token) noexcept {
    if (auto st = ensure_connected(); !st) return st;
    const char* values[] = {key.encoded().data(), reinterpret_cast<const char*>(token.bytes.data())};
    const int lengths[] = {static_cast<int>(key.encoded().size()), 16};
    const int formats[] = {1, 1};
    pg_result r(exec_prepared(release_name_, 2, values, lengths, formats));
    return one_row_changed(r.r);
  }

  /// Deletes up to `sweep_batch` rows whose lease or retention ended at or before `now`;
  /// returns how many.
  result<std::size_t> sweep(dedup_time now) noexcept {
    if (auto st = ensure_connected(); !st) return st.error();
    char now_be[8], batch[8];
    stores_detail::put_int8(to_unix_ms(now), now_be);
    stores_detail::put_int8(opt_.sweep_batch, batch);
    const char* values[] = {now_be, batch};
    const int lengths[] = {8, 8};
    const int formats[] = {1, 1};
    pg_result r(exec_prepared(sweep_name_, 2, values, lengths, formats));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
    return static_cast<std::size_t>(std::strtoull(PQcmdTuples(r.r), nullptr, 10));
  }

  std::chrono::milliseconds retention() const noexcept { return opt_.retention; }
  PGconn* handle() const noexcept { return conn_; }

 private:
  postgres_dedup_store(PGconn* c, bool owns, postgres_dedup_options opt) noexcept
      : conn_(c), owns_(owns), opt_(std::move(opt)) {
    claim_name_ = "jobwire_dedup_claim_" + opt_.table;
    commit_name_ = "jobwire_dedup_commit_" + opt_.table;
    release_name_ = "jobwire_dedup_release_" + opt_.table;
    sweep_name_ = "jobwire_dedup_sweep_" + opt_.table;
  }

  static void_result check_options(const postgres_dedup_options& o) noexcept {
    if (!is_valid_dedup_duration(o.retention) || !stores_detail::is_plain_identifier(o.table) ||
        o.table.size() > 40 /* statement names add a prefix; identifiers stop at 63 */ ||
        o.sweep_interval.count() < 0 || o.sweep_batch <= 0 ||
        !stores_detail::is_valid_pg_connect_timeout(o.connect_timeout))
      return errc::invalid_argument;
    return {};
  }

  // Runs one of the store's prepared statements (binary parameters and results). A pooler
  // or the application may drop them (`DEALLOCATE ALL`, `DISCARD ALL`, a pooler handing
  // out another server session): the server then answers SQLSTATE 26000 ("prepared
  // statement does not exist") to every call, for ever. Prepare them again and retry
  // once; the statement did not run, so the retry cannot apply anything twice.
  PGresult* exec_prepared(const std::string& name, int n, const char* const* values, const int* lengths,
                          const int* formats) noexcept {
    PGresult* r = PQexecPrepared(conn_, name.c_str(), n, values, lengths, formats, 1);
    const char* code = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    if (code == nullptr || std::strcmp(code, "26000") != 0) return r;
    // Preparing again failed: report the original error (store_error, or
    // store_unavailable when the connection broke meanwhile).
    if (auto st = prepare_statements(); !st) return r;
    PQclear(r);
    return PQexecPrepared(conn_, name.c_str(), n, values, lengths, formats, 1);
  }

  using pg_result = stores_detail::pg_result;
  jobwire::error failure(const PGresult* r) const noexcept { return stores_detail::pg_failure(conn_, r); }
  void_result one_row_changed(const PGresult* r) const noexcept { return stores_detail::pg_one_row_changed(conn_, r); }
  void_result exec(const std::string& sql) noexcept { return stores_detail::pg_exec(conn_, sql.c_str()); }
  void_result prepare_one(const std::string& name, const std::string& sql, int n, const Oid* types) noexcept {
    return stores_detail::pg_prepare(conn_, name, sql, n, types);
  }

  void_result setup() noexcept {
    const std::string& t = opt_.table;
    if (opt_.create_schema) {
      // An advisory lock keyed on the table name serialises concurrent creators:
      // CREATE TABLE IF NOT EXISTS alone can still fail on a catalog unique index when
      // two sessions run it at the same moment.
      // SET LOCAL keeps the "already exists, skipping" notices off the client's stderr
      // for this transaction only.
      if (auto st = exec("BEGIN; SET LOCAL client_min_messages = warning;"
                         "SELECT pg_advisory_xact_lock(hashtext('jobwire_dedup_schema:" +
                         t +
                         "'));"
                         "CREATE TABLE IF NOT EXISTS " +
                         t +
                         " (key bytea PRIMARY KEY, state smallint NOT NULL, token bytea NOT NULL,"
                         " expires_at bigint NOT NULL);"
                         "CREATE INDEX IF NOT EXISTS " +
                         t + "_expires ON " + t + " (expires_at); COMMIT;");
          !st) {
        (void)exec("ROLLBACK");
        return st;
      }
    }
    return prepare_statements();
  }

  void_result prepare_statements() noexcept {
    const std::string& t = opt_.table;
    constexpr Oid bytea = 17, int8 = 20;
    const Oid claim_types[] = {bytea, bytea, int8, int8};
    const std::string expired = "d.expires_at <= $4";
    if (auto st = prepare_one(claim_name_,
                              "INSERT INTO " + t + " AS d (key, state, token, expires_at) VALUES ($1, 1, $2, $3)" +
                                  " ON CONFLICT (key) DO UPDATE SET" + " state = CASE WHEN " + expired +
                                  " THEN 1 ELSE d.state END," + " token = CASE WHEN " + expired +
                                  " THEN EXCLUDED.token ELSE d.token END," + " expires_at = CASE WHEN " + expired +
                                  " THEN EXCLUDED.expires_at ELSE d.expires_at END" + " RETURNING d.state, d.token",
                              4, claim_types);
        !st)
      return st;
    const Oid commit_types[] = {bytea, bytea, int8};
    if (auto st =
            prepare_one(commit_name_, "UPDATE " + t + " SET state = 2, expires_at = $3 WHERE key = $1 AND token = $2",
                        3, commit_types);
        !st)
      return st;
    const Oid release_types[] = {bytea, bytea};
    if (auto st = prepare_one(release_name_, "DELETE FROM " + t + " WHERE key = $1 AND token = $2 AND state = 1", 2,
                              release_types);
        !st)
      return st;
    const Oid sweep_types[] = {int8, int8};
    // The outer condition is re-checked on the row's latest version, so a row taken
    // over between the subquery and the delete is kept.
    return prepare_one(sweep_name_,
                       "DELETE FROM " + t + " WHERE ctid IN (SELECT ctid FROM " + t +
                           " WHERE expires_at <= $1 LIMIT $2) AND expires_at <= $1",
                       2, sweep_types);
  }

  void_result ensure_connected() noexcept {
    return stores_detail::pg_reconnect(conn_, [this]() noexcept { return setup(); });
  }

  void take(postgres_dedup_store& o) noexcept {
    conn_ = std::exchange(o.conn_, nullptr);
    owns_ = o.owns_;
    opt_ = std::move(o.opt_);
    claim_name_ = std::move(o.claim_name_);
    commit_name_ = std::move(o.commit_name_);
    release_name_ = std::move(o.release_name_);
    sweep_name_ = std::move(o.sweep_name_);
    last_sweep_ms_ = o.last_sweep_ms_;
    swept_ = o.swept_;
  }
  void close() noexcept {
    if (owns_ && conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  PGconn* conn_ = nullptr;
  bool owns_ = false;
  postgres_dedup_options opt_;
  std::string claim_name_, commit_name_, release_name_, sweep_name_;
  std::int64_t last_sweep_ms_ = 0;
  bool swept_ = false;
};

static_assert(is_dedup_store_v<postgres_dedup_store>, "the PostgreSQL store implements the policy interface");

}  // namespace jobwire
