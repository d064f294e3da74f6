// jobwire — the durable outbox on SQLite (the embedded default; PROTOCOL.md §12, §16.7,
// §17 "Sending"; the rules are outbox.hpp's).
//
// Including this header is what pulls in sqlite3 (link SQLite::SQLite3). The outbox
// survives process restarts, and several worker processes may share one database file:
//   - WAL journal, so `counts` and other readers never block the one writer;
//   - every operation that writes is ONE transaction begun with BEGIN IMMEDIATE (the write
//     lock is taken first), so "pick the due rows, then lease them" and "check the token,
//     write the verdict, apply the endpoint effect, fail the endpoint's other rows" can
//     never interleave with another process;
//   - a busy timeout, and the whole transaction retried from the start while SQLite
//     reports the database busy, until the timeout has passed (then `store_unavailable`).
// Leases use the caller's `now` (Unix ms), so every process must read a clock that agrees
// to well within a lease.
//
// Schema (table name configurable, default `jobwire_outbox`; the endpoints table is
// `<table>_endpoints`):
//   CREATE TABLE jobwire_outbox (
//     id INTEGER PRIMARY KEY AUTOINCREMENT,  -- row_id; never reused, so a stale lease
//                                            -- cannot name a newer row
//     job_id TEXT NOT NULL, delivery_key TEXT NOT NULL,  -- UNIQUE together (§16.7)
//     endpoint TEXT NOT NULL, payload BLOB NOT NULL,
//     state INTEGER NOT NULL,        -- outbox_state: 0 pending, 1 scheduled_retry,
//                                    -- 2 delivered, 3 failed_permanently
//     attempts INTEGER NOT NULL,     -- attempts recorded
//     enqueued_at INTEGER NOT NULL, due_at INTEGER NOT NULL,   -- Unix ms
//     lease_token BLOB, lease_expires_at INTEGER, lease_holder TEXT,  -- NULL: not leased
//     last_status INTEGER, last_error TEXT, last_tried_at INTEGER, finished_at INTEGER);
//   CREATE INDEX jobwire_outbox_due ON jobwire_outbox(due_at, id) WHERE state < 2;
//   CREATE INDEX jobwire_outbox_endpoint ON jobwire_outbox(endpoint) WHERE state < 2;
//   CREATE INDEX jobwire_outbox_finished ON jobwire_outbox(finished_at) WHERE state >= 2;
//   CREATE TABLE jobwire_outbox_endpoints (url TEXT PRIMARY KEY,
//     failure_streak INTEGER NOT NULL, throttle_until INTEGER NOT NULL,
//     disabled INTEGER NOT NULL) WITHOUT ROWID;
// A lease is not a state: a leased row keeps its state and carries a token and an expiry.
// A row whose lease expired with nothing recorded is leasable again, as a takeover.
//
// A store object owns prepared statements and is not thread-safe: use one per thread
// (each with its own connection) — SQLite serialises the writers. After fork(), open a
// new store in the child; never use a parent's connection.
#pragma once

#include <openssl/rand.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "../outbox.hpp"
#include "random_token.hpp"
#include "sqlite_connection.hpp"

namespace jobwire {

struct sqlite_outbox_options {
  /// Table name: [a-z_][a-z0-9_]*, at most 53 characters so that `<table>_endpoints` is
  /// a plain identifier too (`invalid_argument` otherwise).
  std::string table = "jobwire_outbox";
  /// How long an operation waits for another process's write lock before it fails with
  /// `store_unavailable`.
  std::chrono::milliseconds busy_timeout{5000};
  /// true: PRAGMA synchronous=FULL — an enqueue is on disk before it returns, so the
  /// state change that caused it can be committed knowing the delivery will be sent.
  /// false: NORMAL — in WAL mode survives process crashes but not power loss; faster.
  bool synchronous_full = true;
};

class sqlite_outbox_store {
 public:
  /// Opens (creating if needed) the database at `path` and owns the connection.
  /// `store_unavailable` if the file cannot be opened; `invalid_argument` for bad options.
  static result<sqlite_outbox_store> open(const std::string& path, sqlite_outbox_options opt = {}) noexcept {
    if (auto st = check_options(opt); !st) return st.error();
    auto db = stores_detail::sqlite_open(path);
    if (!db) return db.error();
    sqlite_outbox_store s(*db, true, std::move(opt));
    if (auto st = s.prepare(); !st) return st.error();
    return s;
  }

  /// Uses a connection the caller opened and keeps open for the store's lifetime — e.g.
  /// the application's own, so that a state change and its enqueue commit together (call
  /// enqueue inside the application's transaction: the store then begins none of its
  /// own). The store sets WAL mode and the busy timeout on it and never closes it.
  static result<sqlite_outbox_store> attach(sqlite3* db, sqlite_outbox_options opt = {}) noexcept {
    if (db == nullptr) return errc::invalid_argument;
    if (auto st = check_options(opt); !st) return st.error();
    sqlite_outbox_store s(db, false, std::move(opt));
    if (auto st = s.prepare(); !st) return st.error();
    return s;
  }

  sqlite_outbox_store(sqlite_outbox_store&& o) noexcept { take(o); }
  sqlite_outbox_store& operator=(sqlite_outbox_store&& o) noexcept {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  sqlite_outbox_store(const sqlite_outbox_store&) = delete;
  sqlite_outbox_store& operator=(const sqlite_outbox_store&) = delete;
  ~sqlite_outbox_store() { close(); }

  result<enqueue_result> enqueue(const outbox_item& item, unix_time now) noexcept {
    if (auto st = check_outbox_item(item); !st) return st.error();
    const std::int64_t t = to_unix_ms(now);
    enqueue_result out;
    const int rc = transaction([&]() noexcept {
      sqlite3_stmt* ins = st_[s_enqueue];
      bind_text(ins, 1, item.job_id);
      bind_text(ins, 2, item.delivery_key);
      bind_text(ins, 3, item.endpoint);
      sqlite3_bind_blob(ins, 4, item.payload.data(), static_cast<int>(item.payload.size()), SQLITE_STATIC);
      sqlite3_bind_int64(ins, 5, t);
      int r = step_done(ins);
      if (r != SQLITE_OK) return r;
      sqlite3_stmt* q = st_[s_state_of];
      bind_text(q, 1, item.job_id);
      bind_text(q, 2, item.delivery_key);
      out.inserted = sqlite3_changes(db_) == 1;  // read before the SELECT (it does not change it)
      r = sqlite3_step(q);
      if (r == SQLITE_ROW) out.state = static_cast<outbox_state>(sqlite3_column_int(q, 0));
      sqlite3_reset(q);
      return r == SQLITE_ROW ? SQLITE_OK : (r == SQLITE_DONE ? SQLITE_ERROR : r);
    });
    if (rc != SQLITE_OK) return map_error(rc);
    return out;
  }

  result<std::size_t> lease(std::string_view worker, unix_time now, std::chrono::milliseconds d, std::size_t max,
                            std::vector<outbox_lease>& out) noexcept {
    if (auto st = check_outbox_lease_request(worker, d, max); !st) return st.error();
    const std::int64_t t = to_unix_ms(now);
    const std::int64_t expires = lease_expiry(t, d);
    const std::size_t before = out.size();
    const int rc = transaction([&]() noexcept {
      out.resize(before);  // a retried transaction starts over
      sqlite3_stmt* q = st_[s_due];
      sqlite3_bind_int64(q, 1, t);
      sqlite3_bind_int64(q, 2, static_cast<std::int64_t>(max));
      int r;
      while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        outbox_lease l;
        l.row_id = sqlite3_column_int64(q, 0);
        l.job_id = column_text(q, 1);
        l.delivery_key = column_text(q, 2);
        l.endpoint = column_text(q, 3);
        l.payload = column_text(q, 4);
        l.state = static_cast<outbox_state>(sqlite3_column_int(q, 5));
        l.attempt = static_cast<unsigned>(sqlite3_column_int64(q, 6)) + 1;
        l.enqueued_at_ms = sqlite3_column_int64(q, 7);
        l.due_at_ms = sqlite3_column_int64(q, 8);
        l.taken_over = sqlite3_column_int(q, 9) != 0;
        l.endpoint_failure_streak = static_cast<unsigned>(sqlite3_column_int64(q, 10));
        l.lease_expires_at_ms = expires;
        out.push_back(std::move(l));
      }
      sqlite3_reset(q);
      if (r != SQLITE_DONE) return r;
      sqlite3_stmt* u = st_[s_set_lease];
      for (std::size_t i = before; i < out.size(); ++i) {
        if (RAND_bytes(out[i].token.bytes.data(), static_cast<int>(out[i].token.bytes.size())) != 1) return -2;
        sqlite3_bind_blob(u, 1, out[i].token.bytes.data(), 16, SQLITE_STATIC);
        sqlite3_bind_int64(u, 2, expires);
        bind_text(u, 3, worker);
        sqlite3_bind_int64(u, 4, out[i].row_id);
        if ((r = step_done(u)) != SQLITE_OK) return r;
      }
      return SQLITE_OK;
    });
    if (rc != SQLITE_OK) {
      out.resize(before);
      return rc == -2 ? jobwire::error(errc::crypto_error) : map_error(rc);
    }
    return out.size() - before;
  }

  void_result extend(const outbox_lease& l, unix_time now, std::chrono::milliseconds d) noexcept {
    if (d.count() < 1 || d > outbox_max_lease) return errc::invalid_argument;
    sqlite3_stmt* u = st_[s_extend];
    sqlite3_bind_int64(u, 1, lease_expiry(to_unix_ms(now), d));
    sqlite3_bind_int64(u, 2, l.row_id);
    sqlite3_bind_blob(u, 3, l.token.bytes.data(), 16, SQLITE_STATIC);
    return run_changes(u);
  }

  result<outbox_record_result> record(const outbox_lease& l, const outbox_record& rec, unix_time now) noexcept {
    if (auto st = check_outbox_record(rec); !st) return st.error();
    if (l.attempt < 1) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    const std::string_view error = outbox_error_text(rec.error);
    outbox_record_result res;
    const int rc = transaction([&]() noexcept {
      res = outbox_record_result{};
      // Held? (the token, and a row not yet terminal)
      sqlite3_stmt* h = st_[s_held];
      sqlite3_bind_int64(h, 1, l.row_id);
      sqlite3_bind_blob(h, 2, l.token.bytes.data(), 16, SQLITE_STATIC);
      int r = sqlite3_step(h);
      std::string endpoint;
      if (r == SQLITE_ROW) endpoint = column_text(h, 0);
      sqlite3_reset(h);
      if (r == SQLITE_DONE) return not_held;
      if (r != SQLITE_ROW) return r;
      // The endpoint's state, changed by this attempt.
      outbox_endpoint_status ep;
      if ((r = read_endpoint(endpoint, ep)) != SQLITE_OK) return r;
      const bool disable = apply_endpoint_effect(ep, rec);
      if (rec.effect != endpoint_effect::none) {
        sqlite3_stmt* w = st_[s_write_endpoint];
        bind_text(w, 1, endpoint);
        sqlite3_bind_int64(w, 2, ep.failure_streak);
        sqlite3_bind_int64(w, 3, ep.throttle_until_ms);
        sqlite3_bind_int(w, 4, ep.disabled ? 1 : 0);
        if ((r = step_done(w)) != SQLITE_OK) return r;
      }
      res.endpoint_failure_streak = ep.failure_streak;
      // The row: scheduled again, or finished (a retry on an endpoint this attempt
      // disables would never be leased, so it ends failed with the endpoint's rows).
      const bool again = rec.state == outbox_state::scheduled_retry && !disable;
      const outbox_state final_state =
          rec.state == outbox_state::scheduled_retry ? outbox_state::failed_permanently : rec.state;
      sqlite3_stmt* u = st_[s_record_row];
      sqlite3_bind_int(u, 1, static_cast<int>(again ? outbox_state::scheduled_retry : final_state));
      sqlite3_bind_int64(u, 2, l.attempt);
      if (again) {
        sqlite3_bind_int64(u, 3, rec.next_attempt_at_ms);
        sqlite3_bind_null(u, 4);
      } else {
        sqlite3_bind_null(u, 3);
        sqlite3_bind_int64(u, 4, t);
      }
      sqlite3_bind_int(u, 5, rec.http_status);
      bind_text(u, 6, error);
      sqlite3_bind_int64(u, 7, rec.tried_at_ms);
      sqlite3_bind_int64(u, 8, l.row_id);
      if ((r = step_done(u)) != SQLITE_OK) return r;
      if (disable) {
        sqlite3_stmt* f = st_[s_fail_endpoint];
        sqlite3_bind_int64(f, 1, t);
        bind_text(f, 2, endpoint);
        if ((r = step_done(f)) != SQLITE_OK) return r;
        res.endpoint_disabled_now = true;
        res.rows_failed_by_disable = static_cast<std::size_t>(sqlite3_changes(db_));
      }
      return SQLITE_OK;
    });
    if (rc == not_held) return errc::claim_lost;
    if (rc != SQLITE_OK) return map_error(rc);
    return res;
  }

  void_result release(const outbox_lease& l) noexcept {
    sqlite3_stmt* u = st_[s_release];
    sqlite3_bind_int64(u, 1, l.row_id);
    sqlite3_bind_blob(u, 2, l.token.bytes.data(), 16, SQLITE_STATIC);
    return run_changes(u);
  }

  /// One statement, so one read snapshot: the numbers agree with each other.
  result<outbox_counts> counts(unix_time now) noexcept {
    const std::int64_t t = to_unix_ms(now);
    sqlite3_stmt* q = st_[s_counts];
    sqlite3_bind_int64(q, 1, t);
    outbox_counts c;
    const int rc = retry_busy([&]() noexcept {
      sqlite3_reset(q);
      const int r = sqlite3_step(q);
      if (r != SQLITE_ROW) return r;
      c.pending = static_cast<std::uint64_t>(sqlite3_column_int64(q, 0));
      c.scheduled_retry = static_cast<std::uint64_t>(sqlite3_column_int64(q, 1));
      c.delivered = static_cast<std::uint64_t>(sqlite3_column_int64(q, 2));
      c.failed_permanently = static_cast<std::uint64_t>(sqlite3_column_int64(q, 3));
      c.leased = static_cast<std::uint64_t>(sqlite3_column_int64(q, 4));
      c.oldest_due_age_ms = sqlite3_column_type(q, 5) == SQLITE_NULL ? 0 : t - sqlite3_column_int64(q, 5);
      c.endpoints_disabled = static_cast<std::uint64_t>(sqlite3_column_int64(q, 6));
      return SQLITE_OK;
    });
    sqlite3_reset(q);
    if (rc != SQLITE_OK) return map_error(rc);
    return c;
  }

  result<outbox_endpoint_status> endpoint(std::string_view url) noexcept {
    if (url.empty() || url.size() > outbox_max_url_bytes) return errc::invalid_argument;
    outbox_endpoint_status ep;
    const int rc = retry_busy([&]() noexcept {
      ep = outbox_endpoint_status{};
      return read_endpoint(url, ep);
    });
    if (rc != SQLITE_OK) return map_error(rc);
    return ep;
  }

  void_result enable_endpoint(std::string_view url) noexcept {
    if (url.empty() || url.size() > outbox_max_url_bytes) return errc::invalid_argument;
    sqlite3_stmt* d = st_[s_enable];
    bind_text(d, 1, url);
    const int rc = retry_busy([&]() noexcept { return step_done(d); });
    return rc == SQLITE_OK ? void_result{} : void_result{map_error(rc)};
  }

  /// Deletes up to `max` terminal rows that ended before `before` (their (job id,
  /// delivery key) pairs can then be enqueued again); returns how many.
  result<std::size_t> purge(unix_time before, std::size_t max) noexcept {
    sqlite3_stmt* d = st_[s_purge];
    sqlite3_bind_int64(d, 1, to_unix_ms(before));
    sqlite3_bind_int64(d, 2, static_cast<std::int64_t>(max > 0x7fffffff ? 0x7fffffff : max));
    std::size_t n = 0;
    const int rc = retry_busy([&]() noexcept {
      const int r = step_done(d);
      if (r == SQLITE_OK) n = static_cast<std::size_t>(sqlite3_changes(db_));
      return r;
    });
    if (rc != SQLITE_OK) return map_error(rc);
    return n;
  }

  /// The connection (owned or attached).
  sqlite3* handle() const noexcept { return db_; }

 private:
  static constexpr int not_held = -1;  // a transaction body's "the token does not hold the row"

  enum stmt_index : std::size_t {
    s_enqueue,
    s_state_of,
    s_due,
    s_set_lease,
    s_extend,
    s_held,
    s_read_endpoint,
    s_write_endpoint,
    s_record_row,
    s_fail_endpoint,
    s_release,
    s_counts,
    s_enable,
    s_purge,
    s_begin,
    s_commit,
    s_rollback,
    s_count_
  };

  sqlite_outbox_store(sqlite3* db, bool owns, sqlite_outbox_options opt) noexcept
      : db_(db), owns_(owns), opt_(std::move(opt)) {}

  static void_result check_options(const sqlite_outbox_options& o) noexcept {
    if (!stores_detail::is_plain_identifier(o.table) || o.table.size() > 53 || o.busy_timeout.count() < 0 ||
        o.busy_timeout.count() > 0x7fffffff)
      return errc::invalid_argument;
    return {};
  }

  static jobwire::error map_error(int rc) noexcept { return stores_detail::sqlite_failure(rc); }

  static std::int64_t lease_expiry(std::int64_t t, std::chrono::milliseconds d) noexcept {
    const std::int64_t limit = (std::numeric_limits<std::int64_t>::max)() - d.count();
    return t > limit ? (std::numeric_limits<std::int64_t>::max)() : t + d.count();
  }

  static void bind_text(sqlite3_stmt* st, int i, std::string_view s) noexcept {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  static std::string column_text(sqlite3_stmt* st, int i) {
    const void* p = sqlite3_column_blob(st, i);
    const int n = sqlite3_column_bytes(st, i);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
  }

  // Runs a statement that returns no rows to completion; resets it either way.
  static int step_done(sqlite3_stmt* st) noexcept {
    const int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? SQLITE_OK : r;
  }

  int read_endpoint(std::string_view url, outbox_endpoint_status& ep) noexcept {
    sqlite3_stmt* q = st_[s_read_endpoint];
    bind_text(q, 1, url);
    const int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
      ep.failure_streak = static_cast<unsigned>(sqlite3_column_int64(q, 0));
      ep.throttle_until_ms = sqlite3_column_int64(q, 1);
      ep.disabled = sqlite3_column_int(q, 2) != 0;
    }
    sqlite3_reset(q);
    return r == SQLITE_ROW || r == SQLITE_DONE ? SQLITE_OK : r;
  }

  // A statement or transaction SQLite reports busy is retried from the start until the busy
  // timeout has passed (sqlite_connection.hpp).
  template <class Step>
  int retry_busy(Step&& step) noexcept {
    return stores_detail::sqlite_retry_busy(opt_.busy_timeout, std::forward<Step>(step));
  }

  // BEGIN IMMEDIATE; body; COMMIT — rolled back on any failure and retried while busy.
  // Inside a transaction the caller opened on an attached connection, the body runs in
  // that transaction (under a savepoint, so a failure undoes only this operation).
  template <class Body>
  int transaction(Body&& body) noexcept {
    return retry_busy([&]() noexcept {
      const bool outer = sqlite3_get_autocommit(db_) == 0;
      int r =
          outer ? sqlite3_exec(db_, "SAVEPOINT jobwire_outbox", nullptr, nullptr, nullptr) : step_done(st_[s_begin]);
      if (r != SQLITE_OK) return r;
      r = body();
      if (r == SQLITE_OK) {
        r = outer ? sqlite3_exec(db_, "RELEASE jobwire_outbox", nullptr, nullptr, nullptr) : step_done(st_[s_commit]);
        if (r == SQLITE_OK) return r;
      }
      if (outer) {
        (void)sqlite3_exec(db_, "ROLLBACK TO jobwire_outbox; RELEASE jobwire_outbox", nullptr, nullptr, nullptr);
      } else if (sqlite3_get_autocommit(db_) == 0) {
        (void)step_done(st_[s_rollback]);
      }
      return r;
    });
  }

  void_result exec(const std::string& sql) noexcept { return stores_detail::sqlite_exec(db_, sql, opt_.busy_timeout); }

  void_result prepare_one(const std::string& sql, stmt_index i) noexcept {
    return stores_detail::sqlite_prepare(db_, sql, &st_[i]);
  }

  void_result prepare() noexcept {
    if (auto st = stores_detail::sqlite_configure(db_, opt_.busy_timeout, opt_.synchronous_full); !st) return st;
    const std::string& t = opt_.table;
    const std::string e = t + "_endpoints";
    if (auto st = exec("CREATE TABLE IF NOT EXISTS " + t +
                       " (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, delivery_key TEXT NOT NULL,"
                       " endpoint TEXT NOT NULL, payload BLOB NOT NULL, state INTEGER NOT NULL,"
                       " attempts INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
                       " lease_token BLOB, lease_expires_at INTEGER, lease_holder TEXT, last_status INTEGER,"
                       " last_error TEXT, last_tried_at INTEGER, finished_at INTEGER,"
                       " UNIQUE (job_id, delivery_key));"
                       "CREATE INDEX IF NOT EXISTS " +
                       t + "_due ON " + t + " (due_at, id) WHERE state < 2;" + "CREATE INDEX IF NOT EXISTS " + t +
                       "_endpoint ON " + t + " (endpoint) WHERE state < 2;" + "CREATE INDEX IF NOT EXISTS " + t +
                       "_finished ON " + t + " (finished_at) WHERE state >= 2;" + "CREATE TABLE IF NOT EXISTS " + e +
                       " (url TEXT PRIMARY KEY, failure_streak INTEGER NOT NULL, throttle_until INTEGER NOT NULL,"
                       " disabled INTEGER NOT NULL) WITHOUT ROWID;");
        !st)
      return st;
    // A new row is failed at once when its endpoint is disabled (nothing would lease it).
    const std::string disabled = "EXISTS (SELECT 1 FROM " + e + " WHERE url = ?3 AND disabled = 1)";
    const std::pair<stmt_index, std::string> sql[] = {
        {s_enqueue, "INSERT INTO " + t +
                        " (job_id, delivery_key, endpoint, payload, state, attempts, enqueued_at, due_at, last_error,"
                        " finished_at) VALUES (?1, ?2, ?3, ?4, CASE WHEN " +
                        disabled + " THEN 3 ELSE 0 END, 0, ?5, ?5, CASE WHEN " + disabled +
                        " THEN 'endpoint disabled' END, CASE WHEN " + disabled +
                        " THEN ?5 END) ON CONFLICT (job_id, delivery_key) DO NOTHING"},
        {s_state_of, "SELECT state FROM " + t + " WHERE job_id = ?1 AND delivery_key = ?2"},
        // Due, not under a live lease, endpoint neither disabled nor throttled; oldest due first.
        {s_due,
         "SELECT r.id, r.job_id, r.delivery_key, r.endpoint, r.payload, r.state, r.attempts, r.enqueued_at,"
         " r.due_at, r.lease_expires_at IS NOT NULL, coalesce(e.failure_streak, 0) FROM " +
             t + " r LEFT JOIN " + e +
             " e ON e.url = r.endpoint WHERE r.state < 2 AND r.due_at <= ?1"
             " AND (r.lease_expires_at IS NULL OR r.lease_expires_at <= ?1)"
             " AND (e.url IS NULL OR (e.disabled = 0 AND e.throttle_until <= ?1))"
             " ORDER BY r.due_at, r.id LIMIT ?2"},
        {s_set_lease, "UPDATE " + t + " SET lease_token = ?1, lease_expires_at = ?2, lease_holder = ?3 WHERE id = ?4"},
        {s_extend, "UPDATE " + t + " SET lease_expires_at = ?1 WHERE id = ?2 AND lease_token = ?3 AND state < 2"},
        {s_held, "SELECT endpoint FROM " + t + " WHERE id = ?1 AND lease_token = ?2 AND state < 2"},
        {s_read_endpoint, "SELECT failure_streak, throttle_until, disabled FROM " + e + " WHERE url = ?1"},
        {s_write_endpoint, "INSERT INTO " + e +
                               " (url, failure_streak, throttle_until, disabled) VALUES (?1, ?2, ?3, ?4)"
                               " ON CONFLICT (url) DO UPDATE SET failure_streak = excluded.failure_streak,"
                               " throttle_until = excluded.throttle_until, disabled = excluded.disabled"},
        {s_record_row, "UPDATE " + t +
                           " SET state = ?1, attempts = ?2, due_at = coalesce(?3, due_at), finished_at = ?4,"
                           " last_status = ?5, last_error = ?6, last_tried_at = ?7, lease_token = NULL,"
                           " lease_expires_at = NULL, lease_holder = NULL WHERE id = ?8"},
        {s_fail_endpoint, "UPDATE " + t +
                              " SET state = 3, finished_at = ?1, last_error = 'endpoint disabled', lease_token = NULL,"
                              " lease_expires_at = NULL, lease_holder = NULL WHERE endpoint = ?2 AND state < 2"},
        {s_release, "UPDATE " + t +
                        " SET lease_token = NULL, lease_expires_at = NULL, lease_holder = NULL"
                        " WHERE id = ?1 AND lease_token = ?2 AND state < 2"},
        {s_counts,
         "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 1), 0), coalesce(sum(state = 2), 0),"
         " coalesce(sum(state = 3), 0), coalesce(sum(state < 2 AND lease_expires_at > ?1), 0),"
         " min(CASE WHEN state < 2 AND due_at <= ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?1)"
         " THEN due_at END), (SELECT count(*) FROM " +
             e + " WHERE disabled = 1) FROM " + t},
        {s_enable, "DELETE FROM " + e + " WHERE url = ?1"},
        {s_purge,
         "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t + " WHERE state >= 2 AND finished_at < ?1 LIMIT ?2)"},
        {s_begin, "BEGIN IMMEDIATE"},
        {s_commit, "COMMIT"},
        {s_rollback, "ROLLBACK"},
    };
    for (const auto& s : sql)
      if (auto st = prepare_one(s.second, s.first); !st) return st;
    return {};
  }

  // For extend/release: exactly one row changed means the token still held the row.
  void_result run_changes(sqlite3_stmt* st) noexcept {
    const int rc = retry_busy([&]() noexcept { return step_done(st); });
    if (rc != SQLITE_OK) return map_error(rc);
    return sqlite3_changes(db_) == 1 ? void_result{} : void_result{errc::claim_lost};
  }

  void take(sqlite_outbox_store& o) noexcept {
    db_ = std::exchange(o.db_, nullptr);
    owns_ = o.owns_;
    opt_ = std::move(o.opt_);
    for (std::size_t i = 0; i < st_.size(); ++i) st_[i] = std::exchange(o.st_[i], nullptr);
  }

  void close() noexcept {
    for (sqlite3_stmt*& st : st_) {
      sqlite3_finalize(st);
      st = nullptr;
    }
    if (owns_ && db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  sqlite3* db_ = nullptr;
  bool owns_ = false;
  sqlite_outbox_options opt_;
  std::array<sqlite3_stmt*, s_count_> st_{};
};

static_assert(is_outbox_store_v<sqlite_outbox_store>, "the SQLite store implements the outbox interface");

}  // namespace jobwire
