// jobwire — the shared outbox on PostgreSQL, through libpq (PROTOCOL.md §12, §16.7, §17
// "Sending"; the rules are outbox.hpp's).
//
// Including this header is what pulls in libpq (link PostgreSQL::PostgreSQL). For many
// worker processes on many machines sharing one database. Schema (table name
// configurable, default `jobwire_outbox`; the endpoints table is `<table>_endpoints`;
// created at connect unless `create_schema` is false):
//
//   CREATE TABLE jobwire_outbox (
//     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- row_id, never reused
//     job_id bytea NOT NULL, delivery_key bytea NOT NULL,  -- UNIQUE together (§16.7)
//     endpoint bytea NOT NULL, payload bytea NOT NULL,     -- exact bytes, as given
//     state smallint NOT NULL,        -- outbox_state: 0 pending, 1 scheduled_retry,
//                                     -- 2 delivered, 3 failed_permanently
//     attempts integer NOT NULL,      -- attempts recorded
//     enqueued_at bigint NOT NULL, due_at bigint NOT NULL,         -- Unix ms
//     lease_token bytea, lease_expires_at bigint, lease_holder bytea,  -- NULL: not leased
//     last_status integer, last_error text, last_tried_at bigint, finished_at bigint,
//                                     -- last_error: UTF-8, any invalid byte or NUL as U+FFFD
//     UNIQUE (job_id, delivery_key));
//   CREATE INDEX ... (due_at, id) WHERE state < 2;       -- the due order
//   CREATE INDEX ... (endpoint) WHERE state < 2;         -- an endpoint's open rows
//   CREATE INDEX ... (finished_at) WHERE state >= 2;     -- purge
//   CREATE TABLE jobwire_outbox_endpoints (url bytea PRIMARY KEY,
//     failure_streak integer NOT NULL, throttle_until bigint NOT NULL,
//     disabled boolean NOT NULL);
//
// How the workers stay apart:
//   - lease is ONE statement, `UPDATE ... FROM (SELECT ... ORDER BY due_at, id LIMIT n
//     FOR UPDATE SKIP LOCKED)`: rows another worker is leasing at this instant are
//     skipped, never waited for, and a row whose lease is live is not due; each leased
//     row gets a fresh random token (gen_random_uuid, PostgreSQL ≥ 13) and an expiry, so
//     a killed worker's rows are leasable again once it passes — as takeovers.
//   - record is one transaction that locks the endpoint's row first (created with
//     INSERT ... ON CONFLICT DO NOTHING for a new endpoint), then the outbox row, checks
//     the token, writes the verdict, applies the endpoint effect and, on a disable, fails
//     the endpoint's other open rows. The lock order (endpoint, then rows) is the same
//     everywhere, so two records never deadlock; enqueue takes the endpoint row FOR SHARE,
//     so a row enqueued while its endpoint is being disabled is either failed by the
//     disable or sees the endpoint disabled and is stored failed — never left pending on
//     a disabled endpoint.
// Leases use the caller's `now` (Unix ms): workers sharing the database need clocks that
// agree to well within a lease (NTP).
//
// The connection: when the server goes away (restart, failover, network), operations
// fail with `store_unavailable`, and the next one reconnects (PQreset) and prepares its
// statements again, so a worker that backs off and retries carries on by itself. A
// transaction cut by the connection loss did not commit: nothing is half-applied.
//
// A store object is not thread-safe (it owns one connection): one per thread. After
// fork(), connect again in the child.
#pragma once

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../outbox.hpp"
#include "../utf8.hpp"
#include "postgres_connection.hpp"
#include "random_token.hpp"

namespace jobwire {

struct postgres_outbox_options {
  /// Table name: [a-z_][a-z0-9_]*, at most 40 characters (`invalid_argument` otherwise):
  /// the endpoints table and the statement names add to it, and identifiers stop at 63.
  std::string table = "jobwire_outbox";
  /// Create the tables and indexes if missing (serialised by an advisory lock, so many
  /// workers starting at once do not race on the DDL).
  bool create_schema = true;
  /// The longest wait for a connection, and for a reconnection after the server went
  /// away, when the connection string sets no `connect_timeout` (whole seconds, at least
  /// 2; zero: no limit, libpq's default; negative: `invalid_argument`).
  std::chrono::seconds connect_timeout = stores_detail::default_pg_connect_timeout;
};

class postgres_outbox_store {
 public:
  /// Connects with a libpq connection string or URI (e.g. "host=db port=5432 dbname=app
  /// user=sender") and owns the connection. `store_unavailable` when the server cannot be
  /// reached within the connection wait (`connect_timeout`: the string's, else the
  /// option's).
  static result<postgres_outbox_store> connect(const std::string& conninfo, postgres_outbox_options opt = {}) noexcept {
    if (auto st = check_options(opt); !st) return st.error();
    auto connected = stores_detail::pg_connect(conninfo, opt.connect_timeout);
    if (!connected) return connected.error();
    PGconn* c = *connected;
    // The server's notices (schema "already exists", "terminating connection" at a
    // restart) are not the application's output: the store reports through its results.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    postgres_outbox_store s(c, true, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  /// Uses a connection the caller owns and keeps open for the store's lifetime — e.g. the
  /// application's own, so that a state change and its enqueue commit together (call
  /// enqueue inside the application's transaction: the store then runs under a savepoint
  /// instead of beginning a transaction). The store prepares its statements on it and
  /// may PQreset it after the connection broke.
  static result<postgres_outbox_store> attach(PGconn* c, postgres_outbox_options opt = {}) noexcept {
    if (c == nullptr) return errc::invalid_argument;
    if (auto st = check_options(opt); !st) return st.error();
    if (PQstatus(c) != CONNECTION_OK) return errc::store_unavailable;
    postgres_outbox_store s(c, false, std::move(opt));
    if (auto st = s.setup(); !st) return st.error();
    return s;
  }

  postgres_outbox_store(postgres_outbox_store&& o) noexcept { take(o); }
  postgres_outbox_store& operator=(postgres_outbox_store&& o) noexcept {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  postgres_outbox_store(const postgres_outbox_store&) = delete;
  postgres_outbox_store& operator=(const postgres_outbox_store&) = delete;
  ~postgres_outbox_store() { close(); }

  result<enqueue_result> enqueue(const outbox_item& item, unix_time now) noexcept {
    if (auto st = check_outbox_item(item); !st) return st.error();
    if (auto st = ensure_connected(); !st) return st.error();
    char t[8];
    stores_detail::put_int8(to_unix_ms(now), t);
    enqueue_result out;
    auto st = transaction([&]() noexcept -> void_result {
      // The endpoint's row, FOR SHARE (see the file comment); created when new.
      bool disabled = false;
      for (int pass = 0; pass < 2; ++pass) {
        const char* v[] = {bytes_of(item.endpoint)};
        const int l[] = {static_cast<int>(item.endpoint.size())};
        pg_result r(run(q_share_endpoint, 1, v, l));
        if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
        if (PQntuples(r.r) == 1) {
          disabled = stores_detail::get_bool(r.r, 0, 0);
          break;
        }
        if (pass == 1) return errc::store_error;  // inserted, yet not there
        pg_result ins(run(q_new_endpoint, 1, v, l));
        if (PQresultStatus(ins.r) != PGRES_COMMAND_OK) return failure(ins.r);
      }
      const char disabled_b = disabled ? 1 : 0;
      const char* v[] = {bytes_of(item.job_id),
                         bytes_of(item.delivery_key),
                         bytes_of(item.endpoint),
                         bytes_of(item.payload),
                         t,
                         &disabled_b};
      const int l[] = {static_cast<int>(item.job_id.size()),
                       static_cast<int>(item.delivery_key.size()),
                       static_cast<int>(item.endpoint.size()),
                       static_cast<int>(item.payload.size()),
                       8,
                       1};
      pg_result r(run(q_enqueue, 6, v, l));
      if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
      if (PQntuples(r.r) == 1) {
        out.inserted = true;
        out.state = static_cast<outbox_state>(stores_detail::get_int2(r.r, 0, 0));
        return {};
      }
      pg_result q(run(q_state_of, 2, v, l));
      if (PQresultStatus(q.r) != PGRES_TUPLES_OK) return failure(q.r);
      if (PQntuples(q.r) != 1) return errc::store_error;
      out.inserted = false;
      out.state = static_cast<outbox_state>(stores_detail::get_int2(q.r, 0, 0));
      return {};
    });
    if (!st) return st.error();
    return out;
  }

  result<std::size_t> lease(std::string_view worker, unix_time now, std::chrono::milliseconds d, std::size_t max,
                            std::vector<outbox_lease>& out) noexcept {
    if (auto st = check_outbox_lease_request(worker, d, max); !st) return st.error();
    if (auto st = ensure_connected(); !st) return st.error();
    const std::int64_t expires = lease_expiry(to_unix_ms(now), d);
    char t[8], e[8], n[8];
    stores_detail::put_int8(to_unix_ms(now), t);
    stores_detail::put_int8(expires, e);
    stores_detail::put_int8(static_cast<std::int64_t>(max), n);
    const char* v[] = {t, e, bytes_of(worker), n};
    const int l[] = {8, 8, static_cast<int>(worker.size()), 8};
    pg_result r(run(q_lease, 4, v, l));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
    const int rows = PQntuples(r.r);
    const std::size_t before = out.size();
    for (int i = 0; i < rows; ++i) {
      outbox_lease x;
      x.row_id = stores_detail::get_int8(r.r, i, 0);
      x.job_id = get_bytes(r.r, i, 1);
      x.delivery_key = get_bytes(r.r, i, 2);
      x.endpoint = get_bytes(r.r, i, 3);
      x.payload = get_bytes(r.r, i, 4);
      x.state = static_cast<outbox_state>(stores_detail::get_int2(r.r, i, 5));
      x.attempt = static_cast<unsigned>(stores_detail::get_int4(r.r, i, 6)) + 1;
      x.enqueued_at_ms = stores_detail::get_int8(r.r, i, 7);
      x.due_at_ms = stores_detail::get_int8(r.r, i, 8);
      x.taken_over = stores_detail::get_bool(r.r, i, 9);
      x.endpoint_failure_streak = static_cast<unsigned>(stores_detail::get_int4(r.r, i, 10));
      if (PQgetlength(r.r, i, 11) != 16) return errc::store_error;
      std::memcpy(x.token.bytes.data(), PQgetvalue(r.r, i, 11), 16);
      x.lease_expires_at_ms = expires;
      out.push_back(std::move(x));
    }
    // RETURNING has no order: hand the rows out oldest due first, as they were chosen.
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
              [](const outbox_lease& a, const outbox_lease& b) {
                return a.due_at_ms != b.due_at_ms ? a.due_at_ms < b.due_at_ms : a.row_id < b.row_id;
              });
    return static_cast<std::size_t>(rows);
  }

  void_result extend(const outbox_lease& l, unix_time now, std::chrono::milliseconds d) noexcept {
    if (d.count() < 1 || d > outbox_max_lease) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st;
    char e[8], id[8];
    stores_detail::put_int8(lease_expiry(to_unix_ms(now), d), e);
    stores_detail::put_int8(l.row_id, id);
    const char* v[] = {e, id, reinterpret_cast<const char*>(l.token.bytes.data())};
    const int len[] = {8, 8, 16};
    pg_result r(run(q_extend, 3, v, len));
    return one_row_changed(r.r);
  }

  result<outbox_record_result> record(const outbox_lease& l, const outbox_record& rec, unix_time now) noexcept {
    if (auto st = check_outbox_record(rec); !st) return st.error();
    if (l.attempt < 1) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st.error();
    const std::string error_text = pg_text(outbox_error_text(rec.error));
    const std::string_view error = outbox_error_text(error_text);
    char id[8], t[8];
    stores_detail::put_int8(l.row_id, id);
    stores_detail::put_int8(to_unix_ms(now), t);
    outbox_record_result res;
    auto st = transaction([&]() noexcept -> void_result {
      res = outbox_record_result{};
      // The row's endpoint (it never changes), to lock the endpoint before the row.
      const char* idv[] = {id};
      const int idl[] = {8};
      std::string endpoint;
      {
        pg_result r(run(q_endpoint_of, 1, idv, idl));
        if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
        if (PQntuples(r.r) != 1) return errc::claim_lost;  // purged
        endpoint = get_bytes(r.r, 0, 0);
      }
      const char* ev[] = {bytes_of(endpoint)};
      const int el[] = {static_cast<int>(endpoint.size())};
      outbox_endpoint_status ep;
      if (rec.effect != endpoint_effect::none) {
        pg_result ins(run(q_new_endpoint, 1, ev, el));
        if (PQresultStatus(ins.r) != PGRES_COMMAND_OK) return failure(ins.r);
      }
      {
        pg_result r(run(rec.effect != endpoint_effect::none ? q_lock_endpoint : q_read_endpoint, 1, ev, el));
        if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
        if (PQntuples(r.r) == 1) {
          ep.failure_streak = static_cast<unsigned>(stores_detail::get_int4(r.r, 0, 0));
          ep.throttle_until_ms = stores_detail::get_int8(r.r, 0, 1);
          ep.disabled = stores_detail::get_bool(r.r, 0, 2);
        }
      }
      // Held? (locks the row)
      {
        const char* v[] = {id, reinterpret_cast<const char*>(l.token.bytes.data())};
        const int len[] = {8, 16};
        pg_result r(run(q_lock_held, 2, v, len));
        if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
        if (PQntuples(r.r) != 1) return errc::claim_lost;
      }
      const bool disable = apply_endpoint_effect(ep, rec);
      if (rec.effect != endpoint_effect::none) {
        char streak[4], until[8];
        stores_detail::put_int4(static_cast<std::int32_t>(std::min<unsigned>(ep.failure_streak, 0x7fffffff)), streak);
        stores_detail::put_int8(ep.throttle_until_ms, until);
        const char dis = ep.disabled ? 1 : 0;
        const char* v[] = {bytes_of(endpoint), streak, until, &dis};
        const int len[] = {static_cast<int>(endpoint.size()), 4, 8, 1};
        pg_result r(run(q_write_endpoint, 4, v, len));
        if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
      }
      res.endpoint_failure_streak = ep.failure_streak;
      // Scheduled again, or finished (a retry on an endpoint this attempt disables would
      // never be leased, so it ends failed with the endpoint's other rows).
      const bool again = rec.state == outbox_state::scheduled_retry && !disable;
      const outbox_state final_state =
          again ? outbox_state::scheduled_retry
                : (rec.state == outbox_state::scheduled_retry ? outbox_state::failed_permanently : rec.state);
      char state[2], attempts[4], due[8], finished[8], http_status[4], tried[8];
      stores_detail::put_int2(static_cast<std::int16_t>(final_state), state);
      stores_detail::put_int4(static_cast<std::int32_t>(std::min<unsigned>(l.attempt, 0x7fffffff)), attempts);
      stores_detail::put_int8(rec.next_attempt_at_ms, due);
      stores_detail::put_int8(to_unix_ms(now), finished);
      stores_detail::put_int4(rec.http_status, http_status);
      stores_detail::put_int8(rec.tried_at_ms, tried);
      {
        const char* v[] = {id,          state,           attempts, again ? due : nullptr, again ? nullptr : finished,
                           http_status, bytes_of(error), tried};
        const int len[] = {8, 2, 4, 8, 8, 4, static_cast<int>(error.size()), 8};
        pg_result r(run(q_record_row, 8, v, len));
        if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
      }
      if (disable) {
        const char* v[] = {bytes_of(endpoint), t};
        const int len[] = {static_cast<int>(endpoint.size()), 8};
        pg_result r(run(q_fail_endpoint, 2, v, len));
        if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
        res.endpoint_disabled_now = true;
        res.rows_failed_by_disable = static_cast<std::size_t>(std::strtoull(PQcmdTuples(r.r), nullptr, 10));
      }
      return {};
    });
    if (!st) return st.error();
    return res;
  }

  void_result release(const outbox_lease& l) noexcept {
    if (auto st = ensure_connected(); !st) return st;
    char id[8];
    stores_detail::put_int8(l.row_id, id);
    const char* v[] = {id, reinterpret_cast<const char*>(l.token.bytes.data())};
    const int len[] = {8, 16};
    pg_result r(run(q_release, 2, v, len));
    return one_row_changed(r.r);
  }

  /// One statement, so one snapshot: the numbers agree with each other.
  result<outbox_counts> counts(unix_time now) noexcept {
    if (auto st = ensure_connected(); !st) return st.error();
    char t[8];
    stores_detail::put_int8(to_unix_ms(now), t);
    const char* v[] = {t};
    const int len[] = {8};
    pg_result r(run(q_counts, 1, v, len));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
    if (PQntuples(r.r) != 1) return errc::store_error;
    outbox_counts c;
    c.pending = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 0));
    c.scheduled_retry = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 1));
    c.delivered = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 2));
    c.failed_permanently = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 3));
    c.leased = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 4));
    c.oldest_due_age_ms = PQgetisnull(r.r, 0, 5) ? 0 : to_unix_ms(now) - stores_detail::get_int8(r.r, 0, 5);
    c.endpoints_disabled = static_cast<std::uint64_t>(stores_detail::get_int8(r.r, 0, 6));
    return c;
  }

  result<outbox_endpoint_status> endpoint(std::string_view url) noexcept {
    if (url.empty() || url.size() > outbox_max_url_bytes) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st.error();
    const char* v[] = {bytes_of(url)};
    const int len[] = {static_cast<int>(url.size())};
    pg_result r(run(q_read_endpoint, 1, v, len));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return failure(r.r);
    outbox_endpoint_status ep;
    if (PQntuples(r.r) == 1) {
      ep.failure_streak = static_cast<unsigned>(stores_detail::get_int4(r.r, 0, 0));
      ep.throttle_until_ms = stores_detail::get_int8(r.r, 0, 1);
      ep.disabled = stores_detail::get_bool(r.r, 0, 2);
    }
    return ep;
  }

  void_result enable_endpoint(std::string_view url) noexcept {
    if (url.empty() || url.size() > outbox_max_url_bytes) return errc::invalid_argument;
    if (auto st = ensure_connected(); !st) return st;
    const char* v[] = {bytes_of(url)};
    const int len[] = {static_cast<int>(url.size())};
    pg_result r(run(q_enable, 1, v, len));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
    return {};
  }

  /// Deletes up to `max` terminal rows that ended before `before` (their (job id,
  /// delivery key) pairs can then be enqueued again); returns how many.
  result<std::size_t> purge(unix_time before, std::size_t max) noexcept {
    if (auto st = ensure_connected(); !st) return st.error();
    char t[8], n[8];
    stores_detail::put_int8(to_unix_ms(before), t);
    stores_detail::put_int8(static_cast<std::int64_t>(std::min<std::size_t>(max, 0x7fffffff)), n);
    const char* v[] = {t, n};
    const int len[] = {8, 8};
    pg_result r(run(q_purge, 2, v, len));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(r.r);
    return static_cast<std::size_t>(std::strtoull(PQcmdTuples(r.r), nullptr, 10));
  }

  PGconn* handle() const noexcept { return conn_; }

 private:
  using pg_result = stores_detail::pg_result;

  enum query : int {
    q_share_endpoint,
    q_new_endpoint,
    q_enqueue,
    q_state_of,
    q_lease,
    q_extend,
    q_endpoint_of,
    q_lock_endpoint,
    q_read_endpoint,
    q_lock_held,
    q_write_endpoint,
    q_record_row,
    q_fail_endpoint,
    q_release,
    q_counts,
    q_enable,
    q_purge,
    q_count_
  };

  postgres_outbox_store(PGconn* c, bool owns, postgres_outbox_options opt) noexcept
      : conn_(c), owns_(owns), opt_(std::move(opt)) {}

  static void_result check_options(const postgres_outbox_options& o) noexcept {
    if (!stores_detail::is_plain_identifier(o.table) || o.table.size() > 40 ||
        !stores_detail::is_valid_pg_connect_timeout(o.connect_timeout))
      return errc::invalid_argument;
    return {};
  }

  static std::int64_t lease_expiry(std::int64_t t, std::chrono::milliseconds d) noexcept {
    const std::int64_t limit = (std::numeric_limits<std::int64_t>::max)() - d.count();
    return t > limit ? (std::numeric_limits<std::int64_t>::max)() : t + d.count();
  }

  // A text column holds UTF-8 without NUL; an error text may carry anything a response
  // did. Each byte that does not begin a well-formed sequence, and each NUL, becomes
  // U+FFFD, so the record is kept rather than refused.
  static std::string pg_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t n = s[i] == '\0' ? 0 : utf8_sequence_length(s.data() + i, s.size() - i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
    }
    return out;
  }

  // libpq reads a null parameter pointer as SQL NULL: an empty value needs a real one.
  static const char* bytes_of(std::string_view s) noexcept { return s.data() != nullptr ? s.data() : ""; }
  static std::string get_bytes(const PGresult* r, int row, int col) {
    return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
  }

  jobwire::error failure(const PGresult* r) const noexcept { return stores_detail::pg_failure(conn_, r); }
  void_result one_row_changed(const PGresult* r) const noexcept { return stores_detail::pg_one_row_changed(conn_, r); }
  void_result exec(const char* sql) noexcept { return stores_detail::pg_exec(conn_, sql); }

  // BEGIN; body; COMMIT — or, inside the caller's transaction on an attached connection,
  // a savepoint. Any failure rolls back (the body's error is the one reported).
  // A statement found missing (SQLSTATE 26000, see run) aborts the transaction before
  // anything is applied: the statements are prepared again and the whole transaction runs
  // once more.
  template <class Body>
  void_result transaction(Body&& body) noexcept {
    const bool outer = PQtransactionStatus(conn_) == PQTRANS_INTRANS;
    for (int pass = 0;; ++pass) {
      statement_missing_ = false;
      if (auto st = exec(outer ? "SAVEPOINT jobwire_outbox" : "BEGIN"); !st) return st;
      void_result st = body();
      if (st) st = exec(outer ? "RELEASE SAVEPOINT jobwire_outbox" : "COMMIT");
      if (st) return st;
      if (PQstatus(conn_) != CONNECTION_OK) return st;
      (void)exec(outer ? "ROLLBACK TO SAVEPOINT jobwire_outbox; RELEASE SAVEPOINT jobwire_outbox" : "ROLLBACK");
      if (!statement_missing_ || pass > 0) return st;
      if (auto prepared = prepare_statements(); !prepared) return prepared;
    }
  }

  // Runs one of the store's prepared statements (binary parameters and results). A pooler
  // or the application may drop them (`DEALLOCATE ALL`, `DISCARD ALL`): the server then
  // answers SQLSTATE 26000. Prepare them again and retry once; the statement did not run,
  // so the retry cannot apply anything twice. (Inside a transaction the error aborted it:
  // transaction() rolls back, prepares and runs the whole transaction again.)
  PGresult* run(query q, int n, const char* const* values, const int* lengths) noexcept {
    static constexpr int formats[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    PGresult* r = PQexecPrepared(conn_, names_[q].c_str(), n, values, lengths, formats, 1);
    const char* code = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    if (code == nullptr || std::strcmp(code, "26000") != 0) return r;
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {  // the transaction is aborted: transaction() retries
      statement_missing_ = true;
      return r;
    }
    if (auto st = prepare_statements(); !st) return r;
    PQclear(r);
    return PQexecPrepared(conn_, names_[q].c_str(), n, values, lengths, formats, 1);
  }

  void_result prepare_one(query q, const std::string& sql, int n, const Oid* types) noexcept {
    return stores_detail::pg_prepare(conn_, names_[q], sql, n, types);
  }

  void_result setup() noexcept {
    static const char* const ops[q_count_] = {"shep",   "newep", "enq",  "stof",   "lease", "ext",
                                              "epof",   "lkep",  "rdep", "lkhd",   "wrep",  "rec",
                                              "failep", "rel",   "cnt",  "enable", "purge"};
    for (int i = 0; i < q_count_; ++i) names_[i] = std::string("jwo_") + ops[i] + "_" + opt_.table;
    if (opt_.create_schema) {
      const std::string& t = opt_.table;
      const std::string e = t + "_endpoints";
      // An advisory lock keyed on the table name serialises concurrent creators;
      // SET LOCAL keeps the "already exists, skipping" notices off the client's stderr.
      const std::string ddl =
          "BEGIN; SET LOCAL client_min_messages = warning;"
          "SELECT pg_advisory_xact_lock(hashtext('jobwire_outbox_schema:" +
          t + "'));" + "CREATE TABLE IF NOT EXISTS " + t +
          " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, job_id bytea NOT NULL, delivery_key bytea NOT NULL,"
          " endpoint bytea NOT NULL, payload bytea NOT NULL, state smallint NOT NULL, attempts integer NOT NULL,"
          " enqueued_at bigint NOT NULL, due_at bigint NOT NULL, lease_token bytea, lease_expires_at bigint,"
          " lease_holder bytea, last_status integer, last_error text, last_tried_at bigint, finished_at bigint,"
          " UNIQUE (job_id, delivery_key));" +
          "CREATE INDEX IF NOT EXISTS " + t + "_due ON " + t + " (due_at, id) WHERE state < 2;" +
          "CREATE INDEX IF NOT EXISTS " + t + "_endpoint ON " + t + " (endpoint) WHERE state < 2;" +
          "CREATE INDEX IF NOT EXISTS " + t + "_finished ON " + t + " (finished_at) WHERE state >= 2;" +
          "CREATE TABLE IF NOT EXISTS " + e +
          " (url bytea PRIMARY KEY, failure_streak integer NOT NULL, throttle_until bigint NOT NULL,"
          " disabled boolean NOT NULL); COMMIT;";
      if (auto st = exec(ddl.c_str()); !st) {
        if (PQstatus(conn_) == CONNECTION_OK) (void)exec("ROLLBACK");
        return st;
      }
    }
    return prepare_statements();
  }

  void_result prepare_statements() noexcept {
    const std::string& t = opt_.table;
    const std::string e = t + "_endpoints";
    constexpr Oid bytea = 17, int8 = 20, int2 = 21, int4 = 23, text = 25, boolean = 16;
    struct stmt {
      query q;
      std::string sql;
      std::vector<Oid> types;
    };
    const stmt stmts[] = {
        {q_share_endpoint, "SELECT disabled FROM " + e + " WHERE url = $1 FOR SHARE", {bytea}},
        {q_new_endpoint,
         "INSERT INTO " + e +
             " (url, failure_streak, throttle_until, disabled) VALUES ($1, 0, 0, false) ON CONFLICT (url) DO NOTHING",
         {bytea}},
        // $6: the endpoint is disabled — the row is stored failed (nothing would lease it).
        {q_enqueue,
         "INSERT INTO " + t +
             " (job_id, delivery_key, endpoint, payload, state, attempts, enqueued_at, due_at, last_error,"
             " finished_at) VALUES ($1, $2, $3, $4, CASE WHEN $6 THEN 3 ELSE 0 END, 0, $5, $5,"
             " CASE WHEN $6 THEN 'endpoint disabled' END, CASE WHEN $6 THEN $5 END)"
             " ON CONFLICT (job_id, delivery_key) DO NOTHING RETURNING state",
         {bytea, bytea, bytea, bytea, int8, boolean}},
        {q_state_of, "SELECT state FROM " + t + " WHERE job_id = $1 AND delivery_key = $2", {bytea, bytea}},
        {q_lease,
         "UPDATE " + t +
             " r SET lease_token = uuid_send(gen_random_uuid()), lease_expires_at = $2, lease_holder = $3"
             " FROM (SELECT c.id, c.lease_expires_at IS NOT NULL AS taken, coalesce(x.failure_streak, 0) AS streak"
             " FROM " +
             t + " c LEFT JOIN " + e +
             " x ON x.url = c.endpoint WHERE c.state < 2 AND c.due_at <= $1"
             " AND (c.lease_expires_at IS NULL OR c.lease_expires_at <= $1)"
             " AND (x.url IS NULL OR (NOT x.disabled AND x.throttle_until <= $1))"
             " ORDER BY c.due_at, c.id LIMIT $4 FOR UPDATE OF c SKIP LOCKED) s WHERE r.id = s.id"
             " RETURNING r.id, r.job_id, r.delivery_key, r.endpoint, r.payload, r.state, r.attempts, r.enqueued_at,"
             " r.due_at, s.taken, s.streak, r.lease_token",
         {int8, int8, bytea, int8}},
        {q_extend,
         "UPDATE " + t + " SET lease_expires_at = $1 WHERE id = $2 AND lease_token = $3 AND state < 2",
         {int8, int8, bytea}},
        {q_endpoint_of, "SELECT endpoint FROM " + t + " WHERE id = $1", {int8}},
        {q_lock_endpoint,
         "SELECT failure_streak, throttle_until, disabled FROM " + e + " WHERE url = $1 FOR UPDATE",
         {bytea}},
        {q_read_endpoint, "SELECT failure_streak, throttle_until, disabled FROM " + e + " WHERE url = $1", {bytea}},
        {q_lock_held,
         "SELECT 1 FROM " + t + " WHERE id = $1 AND lease_token = $2 AND state < 2 FOR UPDATE",
         {int8, bytea}},
        {q_write_endpoint,
         "UPDATE " + e + " SET failure_streak = $2, throttle_until = $3, disabled = $4 WHERE url = $1",
         {bytea, int4, int8, boolean}},
        {q_record_row,
         "UPDATE " + t +
             " SET state = $2, attempts = $3, due_at = coalesce($4, due_at), finished_at = $5, last_status = $6,"
             " last_error = $7, last_tried_at = $8, lease_token = NULL, lease_expires_at = NULL, lease_holder = NULL"
             " WHERE id = $1",
         {int8, int2, int4, int8, int8, int4, text, int8}},
        {q_fail_endpoint,
         "UPDATE " + t +
             " SET state = 3, finished_at = $2, last_error = 'endpoint disabled', lease_token = NULL,"
             " lease_expires_at = NULL, lease_holder = NULL WHERE endpoint = $1 AND state < 2",
         {bytea, int8}},
        {q_release,
         "UPDATE " + t +
             " SET lease_token = NULL, lease_expires_at = NULL, lease_holder = NULL"
             " WHERE id = $1 AND lease_token = $2 AND state < 2",
         {int8, bytea}},
        {q_counts,
         "SELECT count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 1),"
         " count(*) FILTER (WHERE state = 2), count(*) FILTER (WHERE state = 3),"
         " count(*) FILTER (WHERE state < 2 AND lease_expires_at > $1),"
         " min(due_at) FILTER (WHERE state < 2 AND due_at <= $1"
         " AND (lease_expires_at IS NULL OR lease_expires_at <= $1)),"
         " (SELECT count(*) FROM " +
             e + " WHERE disabled) FROM " + t,
         {int8}},
        {q_enable,
         "UPDATE " + e + " SET failure_streak = 0, throttle_until = 0, disabled = false WHERE url = $1",
         {bytea}},
        {q_purge,
         "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t +
             " WHERE state >= 2 AND finished_at < $1 LIMIT $2) AND state >= 2",
         {int8, int8}},
    };
    for (const stmt& s : stmts)
      if (auto st = prepare_one(s.q, s.sql, static_cast<int>(s.types.size()), s.types.data()); !st) return st;
    return {};
  }

  void_result ensure_connected() noexcept {
    return stores_detail::pg_reconnect(conn_, [this]() noexcept { return setup(); });
  }

  void take(postgres_outbox_store& o) noexcept {
    conn_ = std::exchange(o.conn_, nullptr);
    owns_ = o.owns_;
    opt_ = std::move(o.opt_);
    for (int i = 0; i < q_count_; ++i) names_[i] = std::move(o.names_[i]);
  }
  void close() noexcept {
    if (owns_ && conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  PGconn* conn_ = nullptr;
  bool owns_ = false;
  postgres_outbox_options opt_;
  std::string names_[q_count_];
  bool statement_missing_ = false;
};

static_assert(is_outbox_store_v<postgres_outbox_store>, "the PostgreSQL store implements the outbox interface");

}  // namespace jobwire
