// jobwire — what the two SQLite stores (sqlite.hpp, sqlite_outbox.hpp) share of SQLite:
// opening the file, the connection's settings, reading a failure as transient or not, and
// retrying a statement SQLite reports busy.
//
// Including this header is what pulls in SQLite (link SQLite::SQLite3).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>

#include "../error.hpp"
#include "../result.hpp"

namespace jobwire {
namespace stores_detail {

/// What a failed SQLite call means for the caller: another process holding the lock, or a
/// file that cannot be opened now (a volume not yet mounted), is `store_unavailable` — the
/// receiver answers 503, the worker backs off; everything else is `store_error`.
inline jobwire::error sqlite_failure(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN: return errc::store_unavailable;
    default: return errc::store_error;
  }
}

/// Opens (creating if needed) the database at `path`: the connection, or
/// `store_unavailable` when the file cannot be opened.
inline result<sqlite3*> sqlite_open(const std::string& path) noexcept {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return errc::store_unavailable;
  }
  return db;
}

/// Runs `step` (an SQLite call returning a result code) again while SQLite reports the
/// database busy or locked, until `busy_timeout` has passed. SQLite does not call its busy
/// handler in every contended case: a statement that reads before it writes in WAL mode
/// fails with SQLITE_BUSY_SNAPSHOT when another process committed in between, and
/// concurrent first opens race on the journal-mode change. The remedy SQLite documents is
/// to retry the statement (or transaction) from the start.
template <class Step>
int sqlite_retry_busy(std::chrono::milliseconds busy_timeout, Step&& step) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  for (;;) {
    const int rc = step();
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

/// Statements without results (retried while busy).
inline void_result sqlite_exec(sqlite3* db, const std::string& sql, std::chrono::milliseconds busy_timeout) noexcept {
  const int rc = sqlite_retry_busy(busy_timeout,
                                   [&]() noexcept { return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); });
  return rc == SQLITE_OK ? void_result{} : void_result{sqlite_failure(rc)};
}

/// A statement prepared for the connection's lifetime.
inline void_result sqlite_prepare(sqlite3* db, const std::string& sql, sqlite3_stmt** out) noexcept {
  const int rc =
      sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT, out, nullptr);
  return rc == SQLITE_OK ? void_result{} : void_result{sqlite_failure(rc)};
}

/// The settings every store puts on its connection (owned or attached): the busy timeout;
/// WAL, so that several processes share the file with one writer at a time (the mode is
/// persistent in the file, so setting it again is cheap); and the durability of a commit.
inline void_result sqlite_configure(sqlite3* db, std::chrono::milliseconds busy_timeout,
                                    bool synchronous_full) noexcept {
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  if (auto st = sqlite_exec(db, "PRAGMA journal_mode=WAL", busy_timeout); !st) return st;
  return sqlite_exec(db, synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", busy_timeout);
}

}  // namespace stores_detail
}  // namespace jobwire
