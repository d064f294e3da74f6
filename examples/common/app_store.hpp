// The example application's own tables, next to jobwire's dedup table in one SQLite file.
//
// This is what "your application" keeps: the jobs it created (the client stores the job
// id when it creates a job, PROTOCOL.md §1) with the state reconciliation holds for each
// (jobwire::job_state, §13.3), and a journal of the side effects it ran for deliveries.
// A side effect and the new job state are written in ONE transaction, before the 2xx
// (§13.2). jobwire commits the dedup key right after; should the process die in between,
// the retry reconciles against the state written here (no_change), so no side effect
// runs twice.
//
//   app_jobs(job_id TEXT PRIMARY KEY, lifecycle TEXT, progress REAL, updated_at_ms INTEGER)
//   app_side_effects(job_id TEXT, delivery_key TEXT, event_id TEXT, lifecycle TEXT,
//                    progress REAL, attempt INTEGER, at_ms INTEGER)
//   app_job_labels(job_id TEXT PRIMARY KEY, label TEXT)   what the client created the job
//                    for (the demo: its scenario), so an operator sees names, not only ids
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <jobwire/job.hpp>
#include <jobwire/reconcile.hpp>

namespace example {

class app_store {
 public:
  /// Opens (creating) the database. WAL and a busy timeout let the receiver and the
  /// poller (two processes) share the file.
  static std::optional<app_store> open(const std::string& path, std::string& why) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      why = db ? sqlite3_errmsg(db) : "cannot open";
      sqlite3_close(db);
      return std::nullopt;
    }
    app_store s(db);
    sqlite3_busy_timeout(db, 5000);
    if (!s.exec("PRAGMA journal_mode=WAL") ||
        !s.exec("CREATE TABLE IF NOT EXISTS app_jobs(job_id TEXT PRIMARY KEY, lifecycle TEXT NOT NULL,"
                " progress REAL NOT NULL, updated_at_ms INTEGER NOT NULL)") ||
        !s.exec("CREATE TABLE IF NOT EXISTS app_side_effects(job_id TEXT NOT NULL, delivery_key TEXT NOT NULL,"
                " event_id TEXT NOT NULL, lifecycle TEXT NOT NULL, progress REAL NOT NULL,"
                " attempt INTEGER NOT NULL, at_ms INTEGER NOT NULL)") ||
        !s.exec("CREATE TABLE IF NOT EXISTS app_job_labels(job_id TEXT PRIMARY KEY, label TEXT NOT NULL)")) {
      why = sqlite3_errmsg(db);
      return std::nullopt;
    }
    return s;
  }

  app_store(app_store&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  app_store& operator=(app_store&& o) noexcept {
    if (this != &o) {
      sqlite3_close(db_);
      db_ = o.db_;
      o.db_ = nullptr;
    }
    return *this;
  }
  app_store(const app_store&) = delete;
  ~app_store() { sqlite3_close(db_); }

  sqlite3* handle() const { return db_; }
  bool begin() { return exec("BEGIN IMMEDIATE"); }
  bool commit() { return exec("COMMIT"); }
  void rollback() { (void)exec("ROLLBACK"); }

  /// The client's "store the job id" (§1): a job we created and hold as pending.
  bool register_job(std::string_view job_id, std::int64_t now_ms) {
    return upsert("INSERT OR IGNORE INTO app_jobs VALUES(?1, ?2, ?3, ?4)", job_id, jobwire::job_state{}, now_ms);
  }

  /// What the client created the job for, kept beside its id (the first label stays).
  bool label_job(std::string_view job_id, std::string_view label) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO app_job_labels VALUES(?1, ?2)", -1, &st, nullptr) != SQLITE_OK)
      return false;
    bind_text(st, 1, job_id);
    bind_text(st, 2, label);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
  }

  /// The job's label, or empty when the client gave none.
  std::string label(std::string_view job_id) {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, "SELECT label FROM app_job_labels WHERE job_id = ?1", -1, &st, nullptr) != SQLITE_OK)
      return out;
    bind_text(st, 1, job_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
      const void* p = sqlite3_column_blob(st, 0);
      if (p != nullptr) out.assign(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
    }
    sqlite3_finalize(st);
    return out;
  }

  /// The state held for a job, or nullopt when the job is unknown here.
  std::optional<jobwire::job_state> load(std::string_view job_id) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT lifecycle, progress FROM app_jobs WHERE job_id = ?1", -1, &st, nullptr);
    bind_text(st, 1, job_id);
    std::optional<jobwire::job_state> out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      auto text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      auto l = jobwire::parse_lifecycle_status(text ? text : "");
      if (l) out = jobwire::job_state{*l, sqlite3_column_double(st, 1)};
    }
    sqlite3_finalize(st);
    return out;
  }

  bool save(std::string_view job_id, const jobwire::job_state& s, std::int64_t now_ms) {
    return upsert(
        "INSERT INTO app_jobs VALUES(?1, ?2, ?3, ?4) ON CONFLICT(job_id) DO UPDATE SET"
        " lifecycle = ?2, progress = ?3, updated_at_ms = ?4",
        job_id, s, now_ms);
  }

  /// The example's side effect: one journal row per delivery whose update was applied.
  bool record_side_effect(std::string_view job_id, std::string_view key, std::string_view event_id,
                          const jobwire::job_state& s, unsigned attempt, std::int64_t now_ms) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "INSERT INTO app_side_effects VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, nullptr);
    bind_text(st, 1, job_id);
    bind_text(st, 2, key);
    bind_text(st, 3, event_id);
    bind_text(st, 4, jobwire::lifecycle_status_name(s.lifecycle));
    sqlite3_bind_double(st, 5, s.progress);
    sqlite3_bind_int64(st, 6, attempt);
    sqlite3_bind_int64(st, 7, now_ms);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
  }

 private:
  explicit app_store(sqlite3* db) : db_(db) {}
  static void bind_text(sqlite3_stmt* st, int i, std::string_view v) {
    sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
  bool upsert(const char* sql, std::string_view job_id, const jobwire::job_state& s, std::int64_t now_ms) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) return false;
    bind_text(st, 1, job_id);
    bind_text(st, 2, jobwire::lifecycle_status_name(s.lifecycle));
    sqlite3_bind_double(st, 3, s.progress);
    sqlite3_bind_int64(st, 4, now_ms);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
  }

  sqlite3* db_ = nullptr;
};

}  // namespace example
