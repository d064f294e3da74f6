// jobwire — durable dedup store on SQLite (the embedded default; PROTOCOL.md §13).
//
// Including this header is what pulls in sqlite3 (link SQLite::SQLite3). Survives
// process restarts, and several processes may share one database file:
//   - WAL journal, so readers never block the single writer and commits are cheap;
//   - a busy timeout, so a process waiting for the write lock waits instead of failing;
//   - the claim is ONE statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, SQLite
//     ≥ 3.35), so "read state, then write a lease" can never interleave between processes;
//   - commit and release are single UPDATE/DELETE statements that compare the claim token.
// Expiry uses the caller's `now` (Unix ms), like every jobwire store except Redis.
//
// Schema (table name configurable, default `jobwire_dedup`):
//   CREATE TABLE jobwire_dedup (
//     key BLOB PRIMARY KEY,        -- dedup_key::encoded()
//     state INTEGER NOT NULL,      -- 1 = claimed (lease), 2 = done
//     token BLOB NOT NULL,         -- 16-byte claim token
//     expires_at INTEGER NOT NULL  -- Unix ms: end of the lease, or end of retention
//   ) WITHOUT ROWID;
//   CREATE INDEX jobwire_dedup_expires ON jobwire_dedup(expires_at);
//
// A store object owns prepared statements and is not thread-safe: use one per thread
// (each with its own connection) — SQLite serialises writers across all of them. After
// fork(), open a new store in the child; never use a parent's connection.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "../dedup.hpp"
#include "random_token.hpp"
#include "sqlite_connection.hpp"

namespace jobwire {

struct sqlite_dedup_options {
  std::chrono::milliseconds retention = default_done_retention;
  /// Table name: [a-z_][a-z0-9_]*, at most 63 characters (`invalid_argument` otherwise).
  std::string table = "jobwire_dedup";
  /// How long a statement waits for another process's write lock before the operation
  /// fails with `store_unavailable`.
  std::chrono::milliseconds busy_timeout{5000};
  /// true: PRAGMA synchronous=FULL — a commit is on disk before it returns, so a 2xx
  /// reply is never sent for state a power cut could lose (§13). false: NORMAL — in WAL
  /// mode survives process crashes but not power loss; much faster.
  bool synchronous_full = true;
  /// claim() deletes up to `sweep_batch` expired rows at most once per `sweep_interval`
  /// (by the caller's clock); zero disables the automatic sweep (call sweep() yourself).
  std::chrono::milliseconds sweep_interval{60000};
  int sweep_batch = 1000;
};

class sqlite_dedup_store {
 public:
  /// Opens (creating if needed) the database at `path` and owns the connection.
  /// `store_unavailable` if the file cannot be opened; `invalid_argument` for bad options.
  static result<sqlite_dedup_store> open(const std::string& path, sqlite_dedup_options opt = {}) noexcept {
    if (auto st = check_options(opt); !st) return st.error();
    auto db = stores_detail::sqlite_open(path);
    if (!db) return db.error();
    sqlite_dedup_store s(*db, true, std::move(opt));
    if (auto st = s.prepare(); !st) return st.error();
    return s;
  }

  /// Uses a connection the caller opened and keeps open for the store's lifetime (e.g.
  /// one shared with the application's own tables). The store sets WAL mode and the busy
  /// timeout on it and never closes it.
  static result<sqlite_dedup_store> attach(sqlite3* db, sqlite_dedup_options opt = {}) noexcept {
    if (db == nullptr) return errc::invalid_argument;
    if (auto st = check_options(opt); !st) return st.error();
    sqlite_dedup_store s(db, false, std::move(opt));
    if (auto st = s.prepare(); !st) return st.error();
    return s;
  }

  sqlite_dedup_store(sqlite_dedup_store&& o) noexcept { take(o); }
  sqlite_dedup_store& operator=(sqlite_dedup_store&& o) noexcept {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  sqlite_dedup_store(const sqlite_dedup_store&) = delete;
  sqlite_dedup_store& operator=(const sqlite_dedup_store&) = delete;
  ~sqlite_dedup_store() { close(); }

  result<claim_result> claim(const dedup_key& key, dedup_time now, std::chrono::milliseconds lease) noexcept {
    if (!is_valid_dedup_duration(lease)) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    if (opt_.sweep_interval.count() > 0 && (!swept_ || t >= dedup_expiry(last_sweep_ms_, opt_.sweep_interval))) {
      swept_ = true;
      last_sweep_ms_ = t;
      (void)sweep(now);  // best effort: a busy database only delays the sweep
    }
    auto token = stores_detail::random_claim_token();
    if (!token) return token.error();
    sqlite3_stmt* st = claim_;
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, key.encoded().data(), static_cast<int>(key.encoded().size()), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, token->bytes.data(), static_cast<int>(token->bytes.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, dedup_expiry(t, lease));
    sqlite3_bind_int64(st, 4, t);
    claim_result out;
    const int rc = retry_busy([&]() noexcept {
      sqlite3_reset(st);  // bindings survive a reset
      int r = sqlite3_step(st);
      if (r != SQLITE_ROW) return r;
      const int state = sqlite3_column_int(st, 0);
      const void* got = sqlite3_column_blob(st, 1);
      const int got_len = sqlite3_column_bytes(st, 1);
      if (got_len == 16 && std::memcmp(got, token->bytes.data(), 16) == 0) {
        out.state = claim_state::fresh;
        out.token = *token;
      } else {
        out.state = state == state_done ? claim_state::done : claim_state::in_flight;
        out.token = claim_token{};
      }
      r = sqlite3_step(st);  // runs the statement to completion so the write commits
      return r == SQLITE_DONE ? SQLITE_OK : r;
    });
    sqlite3_reset(st);
    if (rc != SQLITE_OK) return map_error(rc);
    return out;
  }

  void_result commit(const dedup_key& key, const claim_token& token, dedup_time now) noexcept {
    sqlite3_stmt* st = commit_;
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, key.encoded().data(), static_cast<int>(key.encoded().size()), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, token.bytes.data(), static_cast<int>(token.bytes.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, dedup_expiry(to_unix_ms(now), opt_.retention));
    return run_changes(st);
  }

  void_result release(const dedup_key& key, const claim_token& token) noexcept {
    sqlite3_stmt* st = release_;
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, key.encoded().data(), static_cast<int>(key.encoded().size()), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, token.bytes.data(), static_cast<int>(token.bytes.size()), SQLITE_STATIC);
    return run_changes(st);
  }

  /// Deletes up to `sweep_batch` rows whose lease or retention ended at or before `now`;
  /// returns how many. Safe to run from any process at any time.
  result<std::size_t> sweep(dedup_time now) noexcept {
    sqlite3_stmt* st = sweep_;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, to_unix_ms(now));
    sqlite3_bind_int(st, 2, opt_.sweep_batch);
    const int rc = retry_busy([&]() noexcept {
      sqlite3_reset(st);
      return sqlite3_step(st);
    });
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return map_error(rc);
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }

  std::chrono::milliseconds retention() const noexcept { return opt_.retention; }
  /// The connection (owned or attached).
  sqlite3* handle() const noexcept { return db_; }

 private:
  static constexpr int state_claimed = 1;
  static constexpr int state_done = 2;

  sqlite_dedup_store(sqlite3* db, bool owns, sqlite_dedup_options opt) noexcept
      : db_(db), owns_(owns), opt_(std::move(opt)) {}

  static void_result check_options(const sqlite_dedup_options& o) noexcept {
    if (!is_valid_dedup_duration(o.retention) || !stores_detail::is_plain_identifier(o.table) ||
        o.busy_timeout.count() < 0 || o.busy_timeout.count() > 0x7fffffff || o.sweep_interval.count() < 0 ||
        o.sweep_batch <= 0)
      return errc::invalid_argument;
    return {};
  }

  static jobwire::error map_error(int rc) noexcept { return stores_detail::sqlite_failure(rc); }

  // A statement or transaction SQLite reports busy is retried from the start until the busy
  // timeout has passed (sqlite_connection.hpp).
  template <class Step>
  int retry_busy(Step&& step) noexcept {
    return stores_detail::sqlite_retry_busy(opt_.busy_timeout, std::forward<Step>(step));
  }

  void_result exec(const std::string& sql) noexcept { return stores_detail::sqlite_exec(db_, sql, opt_.busy_timeout); }

  void_result prepare_one(const std::string& sql, sqlite3_stmt** out) noexcept {
    return stores_detail::sqlite_prepare(db_, sql, out);
  }

  void_result prepare() noexcept {
    if (auto st = stores_detail::sqlite_configure(db_, opt_.busy_timeout, opt_.synchronous_full); !st) return st;
    const std::string& t = opt_.table;
    if (auto st = exec("CREATE TABLE IF NOT EXISTS " + t +
                       " (key BLOB PRIMARY KEY, state INTEGER NOT NULL, token BLOB NOT NULL,"
                       " expires_at INTEGER NOT NULL) WITHOUT ROWID;"
                       "CREATE INDEX IF NOT EXISTS " +
                       t + "_expires ON " + t + "(expires_at);");
        !st)
      return st;
    // One statement: insert a lease, or take over a row whose lease/retention ended,
    // or leave a live row untouched — and report the row as it now is. The token tells
    // the caller which case happened. (All SET expressions see the old row.)
    const std::string expired = t + ".expires_at <= ?4";
    if (auto st =
            prepare_one("INSERT INTO " + t + " (key, state, token, expires_at) VALUES (?1, 1, ?2, ?3)" +
                            " ON CONFLICT(key) DO UPDATE SET" + " state = CASE WHEN " + expired + " THEN 1 ELSE " + t +
                            ".state END," + " token = CASE WHEN " + expired + " THEN excluded.token ELSE " + t +
                            ".token END," + " expires_at = CASE WHEN " + expired + " THEN excluded.expires_at ELSE " +
                            t + ".expires_at END" + " RETURNING state, token",
                        &claim_);
        !st)
      return st;
    if (auto st =
            prepare_one("UPDATE " + t + " SET state = 2, expires_at = ?3 WHERE key = ?1 AND token = ?2", &commit_);
        !st)
      return st;
    if (auto st = prepare_one("DELETE FROM " + t + " WHERE key = ?1 AND token = ?2 AND state = 1", &release_); !st)
      return st;
    return prepare_one("DELETE FROM " + t + " WHERE key IN (SELECT key FROM " + t + " WHERE expires_at <= ?1 LIMIT ?2)",
                       &sweep_);
  }

  // For commit/release: exactly one row changed means the token still held the key.
  void_result run_changes(sqlite3_stmt* st) noexcept {
    const int rc = retry_busy([&]() noexcept {
      sqlite3_reset(st);
      return sqlite3_step(st);
    });
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return map_error(rc);
    return sqlite3_changes(db_) == 1 ? void_result{} : void_result{errc::claim_lost};
  }

  void take(sqlite_dedup_store& o) noexcept {
    db_ = std::exchange(o.db_, nullptr);
    owns_ = o.owns_;
    opt_ = std::move(o.opt_);
    claim_ = std::exchange(o.claim_, nullptr);
    commit_ = std::exchange(o.commit_, nullptr);
    release_ = std::exchange(o.release_, nullptr);
    sweep_ = std::exchange(o.sweep_, nullptr);
    last_sweep_ms_ = o.last_sweep_ms_;
    swept_ = o.swept_;
  }

  void close() noexcept {
    for (sqlite3_stmt** st : {&claim_, &commit_, &release_, &sweep_}) {
      sqlite3_finalize(*st);
      *st = nullptr;
    }
    if (owns_ && db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  sqlite3* db_ = nullptr;
  bool owns_ = false;
  sqlite_dedup_options opt_;
  sqlite3_stmt* claim_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* release_ = nullptr;
  sqlite3_stmt* sweep_ = nullptr;
  std::int64_t last_sweep_ms_ = 0;
  bool swept_ = false;
};

static_assert(is_dedup_store_v<sqlite_dedup_store>, "the SQLite store implements the policy interface");

}  // namespace jobwire
