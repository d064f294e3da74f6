// jobwire — the in-memory outbox store (PROTOCOL.md §12, §16.7, §17 "Sending").
//
// For tests and for a sender that lives in one process and may lose its outbox with it:
// everything here is gone when the process exits, so a host that must not lose a webhook
// across restarts uses the SQLite or PostgreSQL store (stores/sqlite_outbox.hpp,
// stores/postgres_outbox.hpp). The rules are those of outbox.hpp, identical in all three
// stores (one conformance suite checks them).
//
// Thread-safe: one mutex guards the whole store, so several worker threads share one
// object. Every operation holds it for its whole length, which makes lease (pick rows,
// set their leases) and record (write the verdict, apply the endpoint effect, fail the
// endpoint's other rows on a disable) atomic exactly as the SQL stores' transactions are.
//
// Bounded: at most `capacity` rows, terminal ones included — a delivered row is what
// makes a second enqueue of the same (job id, delivery key) a no-op (§16.7), so it is
// never forgotten silently. A new row past the capacity is refused with `store_full`;
// `purge` removes terminal rows the host no longer needs to deduplicate against.
//
// Built from vectors only (the umbrella header's compile-time budget has no room for the
// node containers): rows live in slots reused through a free list, the (job id, delivery
// key) index is an open-addressing hash table of twice the capacity, the due order is a
// sorted vector of (due time, row id) holding exactly the non-terminal rows, and the
// endpoints with any state are a vector sorted by URL. Enqueue and record cost one hash
// probe and one sorted insertion; lease walks the due order from its start.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outbox.hpp"

namespace jobwire {

// Default capacity of memory_outbox_store: a resource limit (memory), so a build may
// override it with -DJOBWIRE_OUTBOX_DEFAULT_MAX_ROWS=N (whole program: ODR).
#ifndef JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS
#  define JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS 65536u
#endif

constexpr std::size_t default_memory_outbox_capacity = JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS;
static_assert(default_memory_outbox_capacity >= 1 && default_memory_outbox_capacity <= 0x7fffffffu,
              "JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS must be in 1..2^31-1");

/// Configuration of memory_outbox_store.
struct memory_outbox_options {
  /// Most rows held at once (pending, scheduled and terminal). The endpoint table holds
  /// at most as many entries again.
  std::size_t capacity = default_memory_outbox_capacity;
};

/// The outbox in one process's memory; see the file comment.
class memory_outbox_store {
 public:
  /// A capacity of 0, or above 2^31 rows, makes every operation fail with
  /// `invalid_argument` (`create` reports it at once).
  explicit memory_outbox_store(const memory_outbox_options& opt = {}) {
    if (opt.capacity == 0 || opt.capacity > max_capacity) return;
    capacity_ = opt.capacity;
    std::size_t n = 2;
    while (n < 2 * capacity_) n <<= 1;
    index_.assign(n, empty_slot);
  }

  static result<memory_outbox_store> create(const memory_outbox_options& opt = {}) {
    memory_outbox_store s(opt);
    if (s.capacity_ == 0) return errc::invalid_argument;
    return s;
  }

  memory_outbox_store(const memory_outbox_store&) = delete;
  memory_outbox_store& operator=(const memory_outbox_store&) = delete;
  /// Movable (for the factory); not while other threads use the store.
  memory_outbox_store(memory_outbox_store&& o) noexcept { take(o); }
  memory_outbox_store& operator=(memory_outbox_store&& o) noexcept {
    if (this != &o) take(o);
    return *this;
  }

  result<enqueue_result> enqueue(const outbox_item& item, unix_time now) {
    if (auto st = check_outbox_item(item); !st) return st.error();
    if (capacity_ == 0) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    const std::uint64_t h = pair_hash(item.job_id, item.delivery_key);
    std::lock_guard<std::mutex> lock(mu_);
    if (const row* found = find_pair(item.job_id, item.delivery_key, h)) return enqueue_result{false, found->state};
    if (used_ >= capacity_) return errc::store_full;
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    ++used_;
    row& r = slots_[slot];
    seq_ = seq_ >= 0x7fffffff ? 1 : seq_ + 1;
    r.id = (static_cast<std::int64_t>(seq_) << 32) | slot;
    r.hash = h;
    r.job_id.assign(item.job_id);
    r.delivery_key.assign(item.delivery_key);
    r.endpoint.assign(item.endpoint);
    r.payload.assign(item.payload);
    r.attempts = 0;
    r.enqueued_at_ms = t;
    r.due_at_ms = t;
    r.lease_expires_at_ms = 0;
    r.token = outbox_lease_token{};
    r.holder.clear();
    r.last_http_status = 0;
    r.last_error.clear();
    r.last_tried_at_ms = 0;
    r.finished_at_ms = 0;
    index_insert(slot, h);
    const endpoint_state* ep = find_endpoint(r.endpoint);
    if (ep != nullptr && ep->status.disabled) {
      // Nothing would ever lease it (outbox.hpp): it is failed at once, visibly.
      r.state = outbox_state::failed_permanently;
      r.last_error = "endpoint disabled";
      r.finished_at_ms = t;
    } else {
      r.state = outbox_state::pending;
      due_insert(r.due_at_ms, r.id);
    }
    return enqueue_result{true, r.state};
  }

  result<std::size_t> lease(std::string_view worker, unix_time now, std::chrono::milliseconds d, std::size_t max,
                            std::vector<outbox_lease>& out) {
    if (auto st = check_outbox_lease_request(worker, d, max); !st) return st.error();
    if (capacity_ == 0) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    // Oldest due first; due_ holds exactly the non-terminal rows, leased or not.
    for (auto it = due_.begin(); it != due_.end() && n < max && it->first <= t; ++it) {
      row& r = slots_[slot_of(it->second)];
      if (r.lease_expires_at_ms != 0 && r.lease_expires_at_ms > t) continue;  // live lease elsewhere
      unsigned streak = 0;
      if (const endpoint_state* ep = find_endpoint(r.endpoint)) {
        if (ep->status.disabled || ep->status.throttle_until_ms > t) continue;
        streak = ep->status.failure_streak;
      }
      outbox_lease l;
      l.taken_over = r.lease_expires_at_ms != 0;  // an earlier lease ran out unrecorded
      r.lease_expires_at_ms = lease_expiry(t, d);
      r.token = next_token();
      r.holder.assign(worker);
      l.row_id = r.id;
      l.job_id = r.job_id;
      l.delivery_key = r.delivery_key;
      l.endpoint = r.endpoint;
      l.payload = r.payload;
      l.state = r.state;
      l.attempt = r.attempts + 1;
      l.enqueued_at_ms = r.enqueued_at_ms;
      l.due_at_ms = r.due_at_ms;
      l.lease_expires_at_ms = r.lease_expires_at_ms;
      l.endpoint_failure_streak = streak;
      l.token = r.token;
      out.push_back(std::move(l));
      ++n;
    }
    return n;
  }

  void_result extend(const outbox_lease& l, unix_time now, std::chrono::milliseconds d) {
    if (d.count() < 1 || d > outbox_max_lease || capacity_ == 0) return errc::invalid_argument;
    std::lock_guard<std::mutex> lock(mu_);
    row* r = held(l);
    if (r == nullptr) return errc::claim_lost;
    r->lease_expires_at_ms = lease_expiry(to_unix_ms(now), d);
    return {};
  }

  result<outbox_record_result> record(const outbox_lease& l, const outbox_record& rec, unix_time now) {
    if (auto st = check_outbox_record(rec); !st) return st.error();
    if (l.attempt < 1 || capacity_ == 0) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    std::lock_guard<std::mutex> lock(mu_);
    row* r = held(l);
    if (r == nullptr) return errc::claim_lost;
    outbox_record_result res;
    endpoint_state* ep = find_endpoint(r->endpoint);
    bool disable = false;
    if (rec.effect != endpoint_effect::none) {
      if (ep == nullptr) {
        if (endpoints_.size() >= capacity_) return errc::store_full;
        ep = add_endpoint(r->endpoint);
      }
      disable = apply_endpoint_effect(ep->status, rec);
    }
    if (ep != nullptr) res.endpoint_failure_streak = ep->status.failure_streak;
    r->attempts = l.attempt;
    r->last_http_status = rec.http_status;
    r->last_error.assign(outbox_error_text(rec.error));
    r->last_tried_at_ms = rec.tried_at_ms;
    end_lease(*r);
    if (rec.state == outbox_state::scheduled_retry && !disable) {
      due_erase(r->due_at_ms, r->id);
      r->state = outbox_state::scheduled_retry;
      r->due_at_ms = rec.next_attempt_at_ms;
      due_insert(r->due_at_ms, r->id);
    } else {
      // A row scheduled again on an endpoint this very record disables would never be
      // leased: it ends failed like the endpoint's other rows.
      finish(*r, rec.state == outbox_state::scheduled_retry ? outbox_state::failed_permanently : rec.state, t);
    }
    if (disable) {
      res.endpoint_disabled_now = true;
      res.rows_failed_by_disable = fail_endpoint_rows(r->endpoint, t);
    }
    if (ep != nullptr && !ep->status.disabled && ep->status.failure_streak == 0 && ep->status.throttle_until_ms == 0)
      remove_endpoint(r->endpoint);  // all zero is what an unknown endpoint reads as
    return res;
  }

  void_result release(const outbox_lease& l) {
    if (capacity_ == 0) return errc::invalid_argument;
    std::lock_guard<std::mutex> lock(mu_);
    row* r = held(l);
    if (r == nullptr) return errc::claim_lost;
    end_lease(*r);
    return {};
  }

  result<outbox_counts> counts(unix_time now) const {
    if (capacity_ == 0) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(now);
    std::lock_guard<std::mutex> lock(mu_);
    outbox_counts c;
    for (const row& r : slots_) {
      if (r.id == 0) continue;
      switch (r.state) {
        case outbox_state::pending: ++c.pending; break;
        case outbox_state::scheduled_retry: ++c.scheduled_retry; break;
        case outbox_state::delivered: ++c.delivered; break;
        case outbox_state::failed_permanently: ++c.failed_permanently; break;
      }
    }
    bool aged = false;
    for (const auto& d : due_) {
      const row& r = slots_[slot_of(d.second)];
      if (r.lease_expires_at_ms > t) {
        ++c.leased;
      } else if (d.first <= t && !aged) {
        c.oldest_due_age_ms = t - d.first;  // due_ is in due order: the first one is the oldest
        aged = true;
      }
    }
    for (const endpoint_state& e : endpoints_)
      if (e.status.disabled) ++c.endpoints_disabled;
    return c;
  }

  result<outbox_endpoint_status> endpoint(std::string_view url) const {
    if (url.empty() || url.size() > outbox_max_url_bytes || capacity_ == 0) return errc::invalid_argument;
    std::lock_guard<std::mutex> lock(mu_);
    const endpoint_state* e = find_endpoint(url);
    return e == nullptr ? outbox_endpoint_status{} : e->status;
  }

  void_result enable_endpoint(std::string_view url) {
    if (url.empty() || url.size() > outbox_max_url_bytes || capacity_ == 0) return errc::invalid_argument;
    std::lock_guard<std::mutex> lock(mu_);
    remove_endpoint(url);
    return {};
  }

  /// Removes up to `max` terminal rows that ended before `before` (their (job id,
  /// delivery key) pairs can then be enqueued again); returns how many.
  result<std::size_t> purge(unix_time before, std::size_t max) {
    if (capacity_ == 0) return errc::invalid_argument;
    const std::int64_t t = to_unix_ms(before);
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    for (std::size_t i = 0; i < slots_.size() && n < max; ++i) {
      row& r = slots_[i];
      if (r.id == 0 || !is_terminal(r.state) || r.finished_at_ms >= t) continue;
      index_erase(static_cast<std::uint32_t>(i), r.hash);
      r.id = 0;
      r.payload = std::string();  // give the memory back, not just the length
      free_.push_back(static_cast<std::uint32_t>(i));
      --used_;
      ++n;
    }
    return n;
  }

  /// Rows held (of every state).
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return used_;
  }
  /// The configured capacity (0 when the options were unusable).
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  static constexpr std::size_t max_capacity = 0x7fffffffu;  // slots are 32-bit, ids (seq << 32 | slot)
  static constexpr std::uint32_t empty_slot = 0;            // index_ entries: slot + 1, or these two
  static constexpr std::uint32_t deleted_slot = 0xffffffffu;

  struct row {
    std::int64_t id = 0;  // 0: a free slot
    std::uint64_t hash = 0;
    std::string job_id, delivery_key, endpoint, payload;
    outbox_state state = outbox_state::pending;
    unsigned attempts = 0;
    std::int64_t enqueued_at_ms = 0;
    std::int64_t due_at_ms = 0;
    std::int64_t lease_expires_at_ms = 0;  // 0: not leased (a lease stays until record/release/takeover)
    outbox_lease_token token{};
    std::string holder;
    int last_http_status = 0;
    std::string last_error;
    std::int64_t last_tried_at_ms = 0;
    std::int64_t finished_at_ms = 0;
  };
  struct endpoint_state {
    std::string url;
    outbox_endpoint_status status;
  };

  static std::uint32_t slot_of(std::int64_t id) noexcept { return static_cast<std::uint32_t>(id & 0xffffffff); }

  // FNV-1a over the job id's length, the job id and the delivery key: the length keeps
  // ("ab", "c") and ("a", "bc") apart.
  static std::uint64_t pair_hash(std::string_view job, std::string_view key) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](unsigned char c) { h = (h ^ c) * 0x100000001b3ull; };
    mix(static_cast<unsigned char>(job.size() >> 8));
    mix(static_cast<unsigned char>(job.size() & 0xff));
    for (char c : job) mix(static_cast<unsigned char>(c));
    for (char c : key) mix(static_cast<unsigned char>(c));
    return h ^ (h >> 32);
  }

  const row* find_pair(std::string_view job, std::string_view key, std::uint64_t h) const noexcept {
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t e = index_[i];
      if (e == empty_slot) return nullptr;
      if (e == deleted_slot) continue;
      const row& r = slots_[e - 1];
      if (r.hash == h && r.job_id == job && r.delivery_key == key) return &r;
    }
  }

  void index_insert(std::uint32_t slot, std::uint64_t h) {
    // The table is at least twice the capacity, so it never fills with live rows; once
    // deleted markers (left by purge) take it past 3/4, it is rebuilt from the rows.
    if ((used_ + deleted_) * 4 > index_.size() * 3) rebuild_index();
    const std::size_t mask = index_.size() - 1;
    std::size_t i = h & mask;
    while (index_[i] != empty_slot && index_[i] != deleted_slot) i = (i + 1) & mask;
    if (index_[i] == deleted_slot) --deleted_;
    index_[i] = slot + 1;
  }

  void index_erase(std::uint32_t slot, std::uint64_t h) noexcept {
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = h & mask; index_[i] != empty_slot; i = (i + 1) & mask) {
      if (index_[i] == slot + 1) {
        index_[i] = deleted_slot;
        ++deleted_;
        return;
      }
    }
  }

  void rebuild_index() noexcept {
    std::fill(index_.begin(), index_.end(), empty_slot);
    deleted_ = 0;
    const std::size_t mask = index_.size() - 1;
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].id == 0) continue;
      std::size_t i = slots_[s].hash & mask;
      while (index_[i] != empty_slot) i = (i + 1) & mask;
      index_[i] = static_cast<std::uint32_t>(s + 1);
    }
  }

  void due_insert(std::int64_t due, std::int64_t id) {
    const std::pair<std::int64_t, std::int64_t> k{due, id};
    due_.insert(std::lower_bound(due_.begin(), due_.end(), k), k);
  }
  void due_erase(std::int64_t due, std::int64_t id) noexcept {
    const std::pair<std::int64_t, std::int64_t> k{due, id};
    auto it = std::lower_bound(due_.begin(), due_.end(), k);
    if (it != due_.end() && *it == k) due_.erase(it);
  }

  std::vector<endpoint_state>::iterator endpoint_pos(std::string_view url) noexcept {
    return std::lower_bound(endpoints_.begin(), endpoints_.end(), url,
                            [](const endpoint_state& e, std::string_view u) { return std::string_view(e.url) < u; });
  }
  endpoint_state* find_endpoint(std::string_view url) noexcept {
    auto it = endpoint_pos(url);
    return it != endpoints_.end() && it->url == url ? &*it : nullptr;
  }
  const endpoint_state* find_endpoint(std::string_view url) const noexcept {
    return const_cast<memory_outbox_store*>(this)->find_endpoint(url);
  }
  endpoint_state* add_endpoint(std::string_view url) {
    endpoint_state e;
    e.url.assign(url);
    return &*endpoints_.insert(endpoint_pos(url), std::move(e));
  }
  void remove_endpoint(std::string_view url) noexcept {
    auto it = endpoint_pos(url);
    if (it != endpoints_.end() && it->url == url) endpoints_.erase(it);
  }

  static std::int64_t lease_expiry(std::int64_t t, std::chrono::milliseconds d) noexcept {
    const std::int64_t limit = (std::numeric_limits<std::int64_t>::max)() - d.count();
    return t > limit ? (std::numeric_limits<std::int64_t>::max)() : t + d.count();
  }

  // Tokens only need to be unique within this store's lifetime (nothing persists them).
  outbox_lease_token next_token() noexcept {
    const std::uint64_t n = ++token_counter_;
    outbox_lease_token tok;
    std::memcpy(tok.bytes.data(), &n, sizeof n);
    tok.bytes[15] = 1;  // never the all-zero token of a default-constructed lease
    return tok;
  }

  // The row still leased under l's token: leased now, or leased before with an expired
  // lease nobody took over (outbox.hpp: that still counts as held).
  row* held(const outbox_lease& l) noexcept {
    if (l.row_id <= 0) return nullptr;
    const std::uint32_t slot = slot_of(l.row_id);
    if (slot >= slots_.size()) return nullptr;
    row& r = slots_[slot];
    if (r.id != l.row_id || r.lease_expires_at_ms == 0 || is_terminal(r.state) || r.token != l.token) return nullptr;
    return &r;
  }

  static void end_lease(row& r) noexcept {
    r.lease_expires_at_ms = 0;
    r.token = outbox_lease_token{};
    r.holder.clear();
  }

  void finish(row& r, outbox_state s, std::int64_t t) noexcept {
    due_erase(r.due_at_ms, r.id);
    r.state = s;
    r.finished_at_ms = t;
  }

  // Fails every non-terminal row of `url` (leased ones too: their holders' records then
  // find the lease gone and get claim_lost).
  std::size_t fail_endpoint_rows(const std::string& url, std::int64_t t) {
    std::size_t n = 0;
    auto keep = due_.begin();
    for (auto it = due_.begin(); it != due_.end(); ++it) {
      row& r = slots_[slot_of(it->second)];
      if (r.endpoint == url) {
        r.state = outbox_state::failed_permanently;
        r.finished_at_ms = t;
        r.last_error = "endpoint disabled";
        end_lease(r);
        ++n;
      } else {
        *keep++ = *it;
      }
    }
    due_.erase(keep, due_.end());
    return n;
  }

  void take(memory_outbox_store& o) noexcept {
    capacity_ = std::exchange(o.capacity_, 0);
    slots_ = std::move(o.slots_);
    free_ = std::move(o.free_);
    index_ = std::move(o.index_);
    due_ = std::move(o.due_);
    endpoints_ = std::move(o.endpoints_);
    used_ = o.used_;
    deleted_ = o.deleted_;
    seq_ = o.seq_;
    token_counter_ = o.token_counter_;
  }

  mutable std::mutex mu_;
  std::size_t capacity_ = 0;
  std::vector<row> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> index_;                        // (job id, delivery key) → slot + 1
  std::vector<std::pair<std::int64_t, std::int64_t>> due_;  // (due_at, id) of the non-terminal rows, sorted
  std::vector<endpoint_state> endpoints_;                   // endpoints with any state, sorted by URL
  std::size_t used_ = 0;
  std::size_t deleted_ = 0;
  std::int64_t seq_ = 0;
  std::uint64_t token_counter_ = 0;
};

static_assert(is_outbox_store_v<memory_outbox_store>, "the in-memory store implements the outbox interface");

}  // namespace jobwire
