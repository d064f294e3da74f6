// jobwire — what the two PostgreSQL stores (postgres.hpp, postgres_outbox.hpp) share of
// libpq: opening a connection with a bounded wait, reading a failure as transient or not,
// binary parameters and results, and the statements every store runs the same way.
//
// Including this header is what pulls in libpq (link PostgreSQL::PostgreSQL).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "../result.hpp"

namespace jobwire {
namespace stores_detail {

/// What a PostgreSQL store waits at most for a connection (and a reconnection, PQreset)
/// when the connection string names no `connect_timeout`: libpq's own default is to wait
/// for ever, so a receiver or a worker started while the database's address drops packets
/// would hang at start instead of reporting `store_unavailable`.
constexpr std::chrono::seconds default_pg_connect_timeout{10};

/// A store option for that wait: zero keeps libpq's default (no limit), a negative value is
/// refused. libpq counts whole seconds and waits at least 2.
constexpr bool is_valid_pg_connect_timeout(std::chrono::seconds s) noexcept { return s.count() >= 0; }

/// Opens a connection from a libpq connection string or URI, with `timeout` as the
/// connection wait unless the string sets its own (it is given to libpq before the string,
/// whose keywords win): the connection, or `store_unavailable` when none could be made.
inline result<PGconn*> pg_connect(const std::string& conninfo, std::chrono::seconds timeout) noexcept {
  const std::string wait = std::to_string(timeout.count());
  const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {wait.c_str(), conninfo.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (c == nullptr) return errc::store_unavailable;
  if (PQstatus(c) != CONNECTION_OK) {
    PQfinish(c);
    return errc::store_unavailable;
  }
  return c;
}

/// A result freed at scope exit.
struct pg_result {
  PGresult* r;
  explicit pg_result(PGresult* p) noexcept : r(p) {}
  pg_result(const pg_result&) = delete;
  pg_result& operator=(const pg_result&) = delete;
  ~pg_result() { PQclear(r); }
};

/// What a failed statement on `c` means for the caller. Transient conditions (connection
/// lost, server shutting down or overloaded, serialisation and deadlock aborts) are
/// `store_unavailable`: the receiver answers 503, the worker backs off, and the next call
/// finds the store again. Everything else is `store_error`.
inline jobwire::error pg_failure(PGconn* c, const PGresult* r) noexcept {
  if (PQstatus(c) != CONNECTION_OK) return errc::store_unavailable;
  const char* code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (code == nullptr) return errc::store_unavailable;
  std::string_view s(code);
  if (s.substr(0, 2) == "08" || s.substr(0, 2) == "53" || s.substr(0, 3) == "57P" || s == "40001" || s == "40P01")
    return errc::store_unavailable;
  return errc::store_error;
}

/// A statement (or several) without results.
inline void_result pg_exec(PGconn* c, const char* sql) noexcept {
  pg_result r(PQexec(c, sql));
  const ExecStatusType st = PQresultStatus(r.r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return {};
  return pg_failure(c, r.r);
}

/// An UPDATE or DELETE that matches a claim or lease token: `claim_lost` unless exactly one
/// row changed.
inline void_result pg_one_row_changed(PGconn* c, const PGresult* r) noexcept {
  if (PQresultStatus(r) != PGRES_COMMAND_OK) return pg_failure(c, r);
  return std::strcmp(PQcmdTuples(const_cast<PGresult*>(r)), "1") == 0 ? void_result{} : void_result{errc::claim_lost};
}

/// Prepares statement `name`; one another store on the same (attached) connection prepared
/// already (SQLSTATE 42P05) is the same statement.
inline void_result pg_prepare(PGconn* c, const std::string& name, const std::string& sql, int n,
                              const Oid* types) noexcept {
  pg_result r(PQprepare(c, name.c_str(), sql.c_str(), n, types));
  if (PQresultStatus(r.r) == PGRES_COMMAND_OK) return {};
  const char* code = PQresultErrorField(r.r, PG_DIAG_SQLSTATE);
  if (code != nullptr && std::strcmp(code, "42P05") == 0) return {};
  return pg_failure(c, r.r);
}

/// After the connection broke, PQreset reconnects (with the same bounded wait); prepared
/// statements are per session, so `prepare` runs again.
template <class Prepare>
void_result pg_reconnect(PGconn* c, Prepare&& prepare) noexcept {
  if (c == nullptr) return errc::store_unavailable;
  if (PQstatus(c) == CONNECTION_OK) return {};
  PQreset(c);
  if (PQstatus(c) != CONNECTION_OK) return errc::store_unavailable;
  return prepare();
}

// Binary parameters and results are big-endian.
template <std::size_t N>
void pg_put(std::uint64_t v, char (&out)[N]) noexcept {
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<char>(static_cast<unsigned char>(v >> (8 * (N - 1 - i))));
}
inline void put_int8(std::int64_t v, char (&out)[8]) noexcept { pg_put(static_cast<std::uint64_t>(v), out); }
inline void put_int4(std::int32_t v, char (&out)[4]) noexcept { pg_put(static_cast<std::uint32_t>(v), out); }
inline void put_int2(std::int16_t v, char (&out)[2]) noexcept { pg_put(static_cast<std::uint16_t>(v), out); }
/// A binary column of `n` bytes; 0 when it is NULL or of another size.
inline std::uint64_t get_be(const PGresult* r, int row, int col, int n) noexcept {
  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != n) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col));
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
inline std::int64_t get_int8(const PGresult* r, int row, int col) noexcept {
  return static_cast<std::int64_t>(get_be(r, row, col, 8));
}
inline std::int32_t get_int4(const PGresult* r, int row, int col) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(get_be(r, row, col, 4)));
}
inline std::int16_t get_int2(const PGresult* r, int row, int col) noexcept {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(get_be(r, row, col, 2)));
}
inline bool get_bool(const PGresult* r, int row, int col) noexcept { return get_be(r, row, col, 1) != 0; }

}  // namespace stores_detail
}  // namespace jobwire
