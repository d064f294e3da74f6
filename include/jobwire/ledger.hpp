// jobwire — the sender's attempt ledger and delivery summary (PROTOCOL.md §10, §12).
//
// The ledger is the one record of what was sent for one job: every attempt, oldest first,
// bounded at 50 (the oldest is dropped). Everything else — the state of each delivery key,
// the `webhook.delivery` summary, the retries that are due — is derived from it on demand,
// so no second copy of delivery state can drift from the history.
//
// Serialisation writes the `webhook.delivery` object and the `webhook.attempts` list (the
// last 10 attempts) as the service does: ISO-8601 UTC timestamps with milliseconds
// (`2026-06-11T08:30:00.000Z`), `null` for absent values. The parser reads them back
// strictly (a round trip is exact) and ignores unknown fields (PROTOCOL.md §10).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attempt.hpp"
#include "calendar.hpp"
#include "error.hpp"
#include "events.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "payload_fields.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "retry.hpp"
#include "unix_time.hpp"
#include "utf8.hpp"

namespace jobwire {

// --- limits (PROTOCOL.md §12) ---------------------------------------------------------------
// Protocol facts, not resource policy: §12 fixes the stored history (50), the public view
// (10) and the preview length (500 characters), and a ledger that differs shows the host
// something the service would not. They are therefore not overridable (not even by the
// tiny-limits build); the memory they bound is small and fixed per job.

constexpr std::size_t ledger_history_limit = 50;  ///< attempts kept per job
// ledger_public_limit and response_preview_max_chars: attempt.hpp (readers share them).

// --- ISO-8601 timestamps ------------------------------------------------------------------------

/// Timestamps the ledger can represent: 1970-01-01T00:00:00.000Z ..
/// 9999-12-31T23:59:59.999Z (the four-digit-year range of JavaScript's toISOString).
constexpr std::int64_t min_ledger_time_ms = min_time_ms;
constexpr std::int64_t max_ledger_time_ms = max_time_ms;

namespace detail {
inline void append_digits(std::string& out, std::int64_t v, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}
}  // namespace detail

/// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for Unix milliseconds `ms`. Values outside
/// [min_ledger_time_ms, max_ledger_time_ms] are clamped into it (the writer cannot fail;
/// `make_attempt_record` rejects such times before they reach a ledger).
inline void append_iso8601_ms(std::string& out, std::int64_t ms) {
  if (ms < min_ledger_time_ms) ms = min_ledger_time_ms;
  if (ms > max_ledger_time_ms) ms = max_ledger_time_ms;
  const std::int64_t days = ms / 86400000;
  std::int64_t rest = ms % 86400000;
  std::int64_t y = 0;
  unsigned mo = 0, d = 0;
  detail::civil_from_days(days, y, mo, d);
  detail::append_digits(out, y, 4);
  out += '-';
  detail::append_digits(out, mo, 2);
  out += '-';
  detail::append_digits(out, d, 2);
  out += 'T';
  detail::append_digits(out, rest / 3600000, 2);
  rest %= 3600000;
  out += ':';
  detail::append_digits(out, rest / 60000, 2);
  rest %= 60000;
  out += ':';
  detail::append_digits(out, rest / 1000, 2);
  out += '.';
  detail::append_digits(out, rest % 1000, 3);
  out += 'Z';
}
inline std::string format_iso8601_ms(std::int64_t ms) {
  std::string s;
  append_iso8601_ms(s, ms);
  return s;
}

/// Parses exactly the form `append_iso8601_ms` writes (and JavaScript's toISOString
/// produces): 24 characters, four-digit year, real calendar date, no leap second, `.mmm`,
/// `Z`. Anything else is `invalid_field` with the offset of the first offending character.
inline result<std::int64_t> parse_iso8601_ms(std::string_view s) noexcept {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i >= s.size()) return error(errc::invalid_field, s.size());
    const char c = s[i];
    const bool ok = shape[i] == 'd' ? (c >= '0' && c <= '9') : c == shape[i];
    if (!ok) return error(errc::invalid_field, i);
  }
  if (s.size() != shape.size()) return error(errc::invalid_field, shape.size());
  auto num = [&](std::size_t at, std::size_t n) {
    std::int64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  const std::int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), sec = num(17, 2),
                     ms = num(20, 3);
  if (y < 1970) return error(errc::invalid_field, 0);
  if (mo < 1 || mo > 12) return error(errc::invalid_field, 5);
  if (d < 1 || d > detail::days_in_month(y, static_cast<unsigned>(mo))) return error(errc::invalid_field, 8);
  if (h > 23) return error(errc::invalid_field, 11);
  if (mi > 59) return error(errc::invalid_field, 14);
  if (sec > 59) return error(errc::invalid_field, 17);
  const std::int64_t days = detail::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms;
}

// --- response previews (PROTOCOL.md §10, §12) ------------------------------------------------

/// How "500 characters" is counted.
///  - `code_points` (default, jobwire policy): Unicode scalar values. A character is never
///    split, so the preview is always valid UTF-8 and `jobwire` and any receiver agree on
///    what a character is.
///  - `utf16_units`: the seed-era service (`ai_stats`) runs on JavaScript, whose
///    `slice(0, 500)` counts UTF-16 code units; a character outside the BMP counts 2.
///    Unlike `slice`, jobwire stops before a surrogate pair that would not fit instead of
///    cutting it in half.
///  - `bytes`: the current service (`phaseo`, PROTOCOL.md §16) reads the first 500 *bytes*
///    of the response and decodes them as lossy UTF-8, so a character cut by the limit
///    becomes one U+FFFD. Pick it to reproduce that service's previews exactly.
/// With `code_points` and `utf16_units` the cut never splits a code point; for text inside
/// the BMP both agree.
enum class preview_unit : std::uint8_t { code_points, utf16_units, bytes };

/// The first `max_chars` characters (or bytes, above) of a response body, as valid UTF-8.
/// A body is bytes from an untrusted server: each ill-formed part (the maximal subpart of an
/// ill-formed sequence, utf8.hpp) counts as one character and becomes one U+FFFD, as a
/// JavaScript TextDecoder would, so the preview can always be stored and serialised as a
/// JSON string.
inline std::string cut_response_preview(std::string_view body, std::size_t max_chars = response_preview_max_chars,
                                        preview_unit unit = preview_unit::code_points) {
  if (unit == preview_unit::bytes) {
    body = body.substr(0, max_chars);
    unit = preview_unit::code_points;
    max_chars = body.size();  // every character of the cut is at least one byte
  }
  std::string out;
  out.reserve(body.size() < max_chars * 4 ? body.size() : max_chars * 4);
  std::size_t used = 0, i = 0;
  while (i < body.size()) {
    const utf8_step step = next_utf8_step(body.data() + i, body.size() - i);
    const std::size_t cost = (unit == preview_unit::utf16_units && step.valid && step.size == 4) ? 2 : 1;
    if (used + cost > max_chars) break;
    used += cost;
    if (step.valid) out.append(body.data() + i, step.size);
    else out += "\xEF\xBF\xBD";
    i += step.size;
  }
  return out;
}

/// Number of characters of text `s`, counted in `unit` (each ill-formed part counts 1, as
/// in `cut_response_preview`; `bytes` counts bytes).
inline std::size_t count_characters(std::string_view s, preview_unit unit = preview_unit::code_points) noexcept {
  if (unit == preview_unit::bytes) return s.size();
  std::size_t n = 0, i = 0;
  while (i < s.size()) {
    const utf8_step step = next_utf8_step(s.data() + i, s.size() - i);
    n += (unit == preview_unit::utf16_units && step.valid && step.size == 4) ? 2 : 1;
    i += step.size;
  }
  return n;
}

// --- attempt records (PROTOCOL.md §10) -------------------------------------------------------------

/// One attempt as the ledger keeps it and `webhook.attempts` shows it. Times are Unix
/// milliseconds; `std::nullopt` is serialised as `null`.
struct attempt_record {
  std::string id;            ///< attempt id, chosen by the sender (opaque)
  std::string delivery_key;  ///< e.g. `video.progress:50`
  std::string event_type;    ///< e.g. `video.progress`
  attempt_status status = attempt_status::failed_permanently;
  unsigned attempt_number = 1;
  unsigned max_attempts = 4;
  std::int64_t tried_at_ms = 0;
  std::optional<std::int64_t> delivered_at_ms;       ///< delivered attempts only
  std::optional<std::int64_t> next_retry_at_ms;      ///< scheduled_retry attempts only
  std::optional<int> response_status;                ///< absent after a timeout or network error
  std::optional<std::string> error_message;          ///< failed attempts only
  std::optional<std::string> response_body_preview;  ///< ≤ 500 characters, valid UTF-8

  friend bool operator==(const attempt_record& a, const attempt_record& b) {
    return a.id == b.id && a.delivery_key == b.delivery_key && a.event_type == b.event_type && a.status == b.status &&
           a.attempt_number == b.attempt_number && a.max_attempts == b.max_attempts && a.tried_at_ms == b.tried_at_ms &&
           a.delivered_at_ms == b.delivered_at_ms && a.next_retry_at_ms == b.next_retry_at_ms &&
           a.response_status == b.response_status && a.error_message == b.error_message &&
           a.response_body_preview == b.response_body_preview;
  }
  friend bool operator!=(const attempt_record& a, const attempt_record& b) { return !(a == b); }
};

/// What the host observed for one attempt, to be turned into a record.
struct attempt_report {
  std::string_view id;
  std::string_view delivery_key;
  std::string_view event_type;
  attempt_outcome outcome{};
  std::int64_t tried_at_ms = 0;
  /// When the response arrived; `delivered_at` of a delivered attempt. Defaults to tried_at.
  std::optional<std::int64_t> responded_at_ms;
  /// The host's description of a failure (e.g. the resolver's message). When empty, a
  /// failed attempt gets a fixed text: `HTTP <status>`, `request timed out`, `network error`.
  std::string_view error_message;
  /// Raw response body bytes (any length, any bytes); cut to the preview.
  std::string_view response_body;
  preview_unit preview_counting = preview_unit::code_points;
};

/// Builds the record of attempt `decision.attempt` from the host's report.
/// Errors: `invalid_delivery_key` / `unknown_event_type` when the key or type do not parse
/// under `prof`, `invalid_field` when the key does not belong to the event type or a time is
/// outside the ledger's range, `missing_field` for an empty id, `invalid_outcome` when the
/// decision does not match the outcome (delivered needs a 2xx and vice versa).
inline result<attempt_record> make_attempt_record(const attempt_report& r, const retry_decision& decision,
                                                  const profile& prof = profiles::ai_stats) {
  if (r.id.empty()) return errc::missing_field;
  auto key = parse_delivery_key(r.delivery_key, prof);
  if (!key) return key.error();
  auto type = parse_event_type(r.event_type, prof);
  if (!type) return type.error();
  if (key->type != *type) return errc::invalid_field;
  const std::int64_t responded = r.responded_at_ms.value_or(r.tried_at_ms);
  for (std::int64_t t : {r.tried_at_ms, responded, decision.next_retry_at_ms})
    if (t < min_ledger_time_ms || t > max_ledger_time_ms) return errc::invalid_field;
  if (decision.attempt < 1 || decision.attempt > decision.max_attempts) return errc::invalid_attempt;
  // The decision must be the one for this outcome: a record saying "delivered" after a
  // timeout would corrupt every summary derived from it.
  if (!r.outcome.is_valid() || r.outcome.is_success() != (decision.status == attempt_status::delivered))
    return errc::invalid_outcome;

  attempt_record rec;
  rec.id = std::string(r.id);
  rec.delivery_key = std::string(r.delivery_key);
  rec.event_type = std::string(r.event_type);
  rec.status = decision.status;
  rec.attempt_number = decision.attempt;
  rec.max_attempts = decision.max_attempts;
  rec.tried_at_ms = r.tried_at_ms;
  if (decision.status == attempt_status::delivered) rec.delivered_at_ms = responded;
  if (decision.status == attempt_status::scheduled_retry) rec.next_retry_at_ms = decision.next_retry_at_ms;
  if (r.outcome.kind == outcome_kind::http_response) {
    rec.response_status = r.outcome.http_status;
    rec.response_body_preview = cut_response_preview(r.response_body, response_preview_max_chars, r.preview_counting);
  }
  if (decision.status != attempt_status::delivered) {
    if (!r.error_message.empty()) {
      // Error messages are server- or resolver-provided text: keep them valid UTF-8 and
      // bounded like previews.
      rec.error_message = cut_response_preview(r.error_message, response_preview_max_chars);
    } else if (r.outcome.kind == outcome_kind::http_response) {
      rec.error_message = "HTTP " + std::to_string(r.outcome.http_status);
    } else if (r.outcome.kind == outcome_kind::timeout) {
      rec.error_message = "request timed out";
    } else {
      rec.error_message = "network error";
    }
  }
  return rec;
}

// --- the delivery summary (PROTOCOL.md §10) -------------------------------------------------------

/// `webhook.delivery`, field for field. Derived from the retained history (see
/// `attempt_ledger::summary` for the exact definition of each field).
struct delivery_summary {
  std::uint64_t total_attempts = 0;
  std::uint64_t delivered_events = 0;
  std::vector<std::string> delivered_event_types;  ///< delivery keys, first delivery first
  std::uint64_t pending_retries = 0;
  std::optional<std::int64_t> next_retry_at_ms;
  std::optional<std::int64_t> last_attempt_at_ms;
  std::optional<attempt_status> last_attempt_status;
  std::optional<int> last_response_status;
  std::optional<std::int64_t> last_delivered_at_ms;
  std::optional<std::int64_t> last_failure_at_ms;
  std::optional<std::string> last_error_message;

  friend bool operator==(const delivery_summary& a, const delivery_summary& b) {
    return a.total_attempts == b.total_attempts && a.delivered_events == b.delivered_events &&
           a.delivered_event_types == b.delivered_event_types && a.pending_retries == b.pending_retries &&
           a.next_retry_at_ms == b.next_retry_at_ms && a.last_attempt_at_ms == b.last_attempt_at_ms &&
           a.last_attempt_status == b.last_attempt_status && a.last_response_status == b.last_response_status &&
           a.last_delivered_at_ms == b.last_delivered_at_ms && a.last_failure_at_ms == b.last_failure_at_ms &&
           a.last_error_message == b.last_error_message;
  }
  friend bool operator!=(const delivery_summary& a, const delivery_summary& b) { return !(a == b); }
};

/// A retry the sweep should send now.
struct due_retry {
  std::string delivery_key;
  std::string event_type;
  unsigned attempt_number = 0;  ///< the attempt to send (previous + 1)
  std::int64_t due_at_ms = 0;
};

/// A contiguous, read-only run of records (oldest first).
struct attempt_span {
  const attempt_record* data = nullptr;
  std::size_t size = 0;
  const attempt_record* begin() const noexcept { return data; }
  const attempt_record* end() const noexcept { return data + size; }
  bool empty() const noexcept { return size == 0; }
  const attempt_record& operator[](std::size_t i) const noexcept { return data[i]; }
};

/// The attempt history of one job.
class attempt_ledger {
 public:
  attempt_ledger() = default;
  /// Rebuilds a ledger from records in chronological order (e.g. a stored history or a
  /// parsed `webhook.attempts` list); only the newest 50 are kept.
  explicit attempt_ledger(std::vector<attempt_record> records) : history_(std::move(records)) { trim(); }

  /// Appends one attempt; when the history exceeds 50, the oldest attempt is dropped.
  void append(attempt_record r) {
    history_.push_back(std::move(r));
    trim();
  }

  /// All retained attempts, oldest first (at most `ledger_history_limit`).
  attempt_span history() const noexcept { return {history_.data(), history_.size()}; }
  /// The public view: the last `ledger_public_limit` attempts, oldest first, as the
  /// service shows them in `webhook.attempts`.
  attempt_span public_view() const noexcept {
    const std::size_t n = history_.size() < ledger_public_limit ? history_.size() : ledger_public_limit;
    return {history_.data() + (history_.size() - n), n};
  }
  std::size_t size() const noexcept { return history_.size(); }
  bool empty() const noexcept { return history_.empty(); }

  /// The newest attempt for `delivery_key`, or nullptr.
  const attempt_record* latest_for(std::string_view delivery_key) const noexcept {
    for (std::size_t i = history_.size(); i-- > 0;)
      if (history_[i].delivery_key == delivery_key) return &history_[i];
    return nullptr;
  }

  /// A key's state is the outcome of its newest attempt. A key whose attempts have all
  /// aged out of the 50-entry history reads as `never_sent`: the history is the only state.
  key_state state_of(std::string_view delivery_key) const noexcept {
    const attempt_record* r = latest_for(delivery_key);
    return r ? key_state_after(r->status) : key_state::never_sent;
  }

  /// The send/dedupe rule of PROTOCOL.md §12 for a new send of `delivery_key`.
  [[nodiscard]] void_result check_send(std::string_view delivery_key, bool force = false) const noexcept {
    return jobwire::check_send(state_of(delivery_key), force);
  }

  /// Number of distinct keys whose newest attempt has `s`.
  std::size_t keys_with_status(attempt_status s) const noexcept {
    std::size_t n = 0;
    for_each_key_latest([&](const attempt_record& r) { n += r.status == s; });
    return n;
  }

  /// Retries due at `now_ms` (keys whose newest attempt is a scheduled retry with
  /// next_retry_at ≤ now), earliest first. The sweep sends these; they bypass `check_send`.
  std::vector<due_retry> due_retries(std::int64_t now_ms) const {
    std::vector<due_retry> out;
    for_each_key_latest([&](const attempt_record& r) {
      if (r.status == attempt_status::scheduled_retry && r.next_retry_at_ms && *r.next_retry_at_ms <= now_ms)
        out.push_back({r.delivery_key, r.event_type, r.attempt_number + 1, *r.next_retry_at_ms});
    });
    for (std::size_t i = 1; i < out.size(); ++i)  // insertion sort: at most 50 entries, stable
      for (std::size_t j = i; j > 0 && out[j].due_at_ms < out[j - 1].due_at_ms; --j) std::swap(out[j], out[j - 1]);
    return out;
  }
  /// The same with the time as `unix_time` (unix_time.hpp), the API's one time type.
  std::vector<due_retry> due_retries(unix_time now) const { return due_retries(to_unix_ms(now)); }

  /// The `webhook.delivery` summary, derived from the retained history:
  ///  - total_attempts: attempts retained (≤ 50);
  ///  - delivered_events: delivered attempts (a forced resend that is delivered again counts
  ///    again); delivered_event_types: the distinct keys with a delivered attempt, in order
  ///    of their first delivery;
  ///  - pending_retries: keys whose newest attempt is `scheduled_retry`; next_retry_at: the
  ///    earliest of their next_retry_at;
  ///  - last_attempt_at / last_attempt_status / last_response_status: the newest attempt's
  ///    tried_at, status and response_status (null after a timeout or network error — the
  ///    last attempt got no HTTP status);
  ///  - last_delivered_at: the newest delivered_at;
  ///  - last_failure_at / last_error_message: tried_at and error_message of the newest
  ///    attempt that was not delivered.
  delivery_summary summary() const {
    delivery_summary s;
    s.total_attempts = history_.size();
    for (const attempt_record& r : history_) {
      if (r.status == attempt_status::delivered) {
        ++s.delivered_events;
        bool seen = false;
        for (const std::string& k : s.delivered_event_types) seen = seen || k == r.delivery_key;
        if (!seen) s.delivered_event_types.push_back(r.delivery_key);
        if (r.delivered_at_ms && (!s.last_delivered_at_ms || *r.delivered_at_ms > *s.last_delivered_at_ms))
          s.last_delivered_at_ms = r.delivered_at_ms;
      } else {
        s.last_failure_at_ms = r.tried_at_ms;
        s.last_error_message = r.error_message;
      }
    }
    for_each_key_latest([&](const attempt_record& r) {
      if (r.status != attempt_status::scheduled_retry) return;
      ++s.pending_retries;
      if (r.next_retry_at_ms && (!s.next_retry_at_ms || *r.next_retry_at_ms < *s.next_retry_at_ms))
        s.next_retry_at_ms = r.next_retry_at_ms;
    });
    if (!history_.empty()) {
      const attempt_record& last = history_.back();
      s.last_attempt_at_ms = last.tried_at_ms;
      s.last_attempt_status = last.status;
      s.last_response_status = last.response_status;
    }
    return s;
  }

 private:
  void trim() {
    if (history_.size() > ledger_history_limit)
      history_.erase(history_.begin(),
                     history_.begin() + static_cast<std::ptrdiff_t>(history_.size() - ledger_history_limit));
  }
  // Calls f(record) once per distinct key with the key's newest record, in order of the
  // keys' first appearance. O(n²) over at most 50 records: no allocation, no hashing.
  template <class F>
  void for_each_key_latest(F&& f) const {
    for (std::size_t i = 0; i < history_.size(); ++i) {
      bool first = true;
      for (std::size_t j = 0; j < i && first; ++j) first = history_[j].delivery_key != history_[i].delivery_key;
      if (!first) continue;
      const attempt_record* latest = latest_for(history_[i].delivery_key);
      f(*latest);
    }
  }

  std::vector<attempt_record> history_;
};

// --- serialisation (PROTOCOL.md §10) --------------------------------------------------------------

namespace detail {
inline void write_time(json::writer& w, const std::optional<std::int64_t>& ms) {
  if (!ms) {
    w.null();
    return;
  }
  std::string s;
  append_iso8601_ms(s, *ms);
  w.string(s);
}
template <class T>
void write_opt_int(json::writer& w, const std::optional<T>& v) {
  if (v) w.number(static_cast<std::int64_t>(*v));
  else w.null();
}
inline void write_opt_string(json::writer& w, const std::optional<std::string>& v) {
  if (v) w.string(*v);
  else w.null();
}
}  // namespace detail

/// Writes one attempt object (all twelve fields, nulls for absent values).
inline void write_attempt(json::writer& w, const attempt_record& r) {
  w.begin_object();
  w.field("id", r.id).field("delivery_key", r.delivery_key).field("event_type", r.event_type);
  w.field("status", attempt_status_name(r.status));
  w.field("attempt_number", r.attempt_number).field("max_attempts", r.max_attempts);
  w.key("tried_at");
  detail::write_time(w, r.tried_at_ms);
  w.key("delivered_at");
  detail::write_time(w, r.delivered_at_ms);
  w.key("next_retry_at");
  detail::write_time(w, r.next_retry_at_ms);
  w.key("response_status");
  detail::write_opt_int(w, r.response_status);
  w.key("error_message");
  detail::write_opt_string(w, r.error_message);
  w.key("response_body_preview");
  detail::write_opt_string(w, r.response_body_preview);
  w.end_object();
}

/// Writes the `webhook.delivery` object.
inline void write_delivery_summary(json::writer& w, const delivery_summary& s) {
  w.begin_object();
  w.field("total_attempts", s.total_attempts).field("delivered_events", s.delivered_events);
  w.key("delivered_event_types").begin_array();
  for (const std::string& k : s.delivered_event_types) w.string(k);
  w.end_array();
  w.field("pending_retries", s.pending_retries);
  w.key("next_retry_at");
  detail::write_time(w, s.next_retry_at_ms);
  w.key("last_attempt_at");
  detail::write_time(w, s.last_attempt_at_ms);
  w.key("last_attempt_status");
  if (s.last_attempt_status) w.string(attempt_status_name(*s.last_attempt_status));
  else w.null();
  w.key("last_response_status");
  detail::write_opt_int(w, s.last_response_status);
  w.key("last_delivered_at");
  detail::write_time(w, s.last_delivered_at_ms);
  w.key("last_failure_at");
  detail::write_time(w, s.last_failure_at_ms);
  w.key("last_error_message");
  detail::write_opt_string(w, s.last_error_message);
  w.end_object();
}

/// Writes the members `"delivery":{...},"attempts":[...]` into an object the caller has
/// opened (the `webhook` object of a delivery's `data`, next to url/events/has_secret).
inline void write_webhook_delivery_members(json::writer& w, const delivery_summary& summary, attempt_span attempts) {
  w.key("delivery");
  write_delivery_summary(w, summary);
  w.key("attempts").begin_array();
  for (const attempt_record& r : attempts) write_attempt(w, r);
  w.end_array();
}
/// The same from a ledger: its derived summary and its public view (last 10 attempts).
inline void write_webhook_delivery_members(json::writer& w, const attempt_ledger& ledger) {
  write_webhook_delivery_members(w, ledger.summary(), ledger.public_view());
}

/// `{"delivery":{...},"attempts":[...]}` as one JSON text.
inline std::string serialize_webhook_delivery(const attempt_ledger& ledger) {
  std::string out;
  json::writer w(out);
  w.begin_object();
  write_webhook_delivery_members(w, ledger);
  w.end_object();
  return out;
}

// --- parsing --------------------------------------------------------------------------------------

/// The two ledger-derived members of a `webhook` object.
struct webhook_delivery_block {
  delivery_summary delivery;
  std::vector<attempt_record> attempts;  ///< in document order (oldest first when written by jobwire)

  friend bool operator==(const webhook_delivery_block& a, const webhook_delivery_block& b) {
    return a.delivery == b.delivery && a.attempts == b.attempts;
  }
  friend bool operator!=(const webhook_delivery_block& a, const webhook_delivery_block& b) { return !(a == b); }
};

/// Writes a parsed (or hand-built) block back out, attempts in their stored order.
inline std::string serialize_webhook_delivery(const webhook_delivery_block& block) {
  std::string out;
  json::writer w(out);
  w.begin_object();
  write_webhook_delivery_members(w, block.delivery, attempt_span{block.attempts.data(), block.attempts.size()});
  w.end_object();
  return out;
}

/// What the parser accepts. The public view holds at most 10 attempts; a longer list is
/// refused unless the caller raises the bound (e.g. to 50 to read a full stored history).
struct ledger_parse_options {
  const profile* prof = &profiles::ai_stats;
  std::size_t max_attempts_listed = ledger_public_limit;
  json::options json{};
};

// --- reading (PROTOCOL.md §10) --------------------------------------------------------------
//
// Each ledger document is declared once as a list of its fields, X(reader, member, key):
// the reader, the member of the owned document it fills, and the JSON name (an
// identifier, spelled as in the document). The list gives the document's field table
// (read by `read_fields`, so a name declared twice fails the build) and the order of its
// checks. The walk keeps each declared member's value (nested lists and objects are read
// in place, so the body is scanned once: `payload_parse`); the checks then run in the
// declared order, so the verdict for a document with several faults is the one of its
// first declared field, whatever the order of the members in the text — a sender that
// writes its members in another order gets the same error as one that follows §10.

namespace detail {

/// What every reading of one ledger text shares: the caller's options, and whether an
/// allocation failed inside a walk (the rules of a walk cannot throw; the parse function
/// throws `std::bad_alloc` again once the walk has stopped, as an owning reader does).
struct ledger_shared {
  const ledger_parse_options& opt;
  bool out_of_memory = false;
};

/// The state of one declared member after the walk: its value (the first occurrence when
/// the caller allows repeated names, as `json::object::find` picks) and, for a value read in
/// place, the verdict of that reading, reported when the member's turn comes.
struct ledger_slot {
  json::value value{};
  jobwire::void_result deferred{};
};

/// Runs `f` (which allocates) inside a rule of a walk, which is noexcept: a failed
/// allocation stops the walk and is thrown again by the parse function.
template <class F>
jobwire::void_result ledger_allocating(const payload_reader& r, json::value v, ledger_shared& sh, F&& f) noexcept {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    return f();
  } catch (const std::bad_alloc&) {
    sh.out_of_memory = true;
    return r.at(errc::out_of_memory, v);
  }
#else
  (void)r;
  (void)v;
  (void)sh;
  return f();
#endif
}

/// The readers of ledger fields: values the ledger owns (std::string, std::optional), read
/// from the slot a walk filled. `walk` is the rule the field table holds (by default: keep
/// the value); `check` reads the kept value into the document, or says what is wrong with
/// it: `missing_field` at the enclosing object (`parent`) for an absent required member,
/// else the member's own error at its value.
namespace ledger_fields {

/// Keeps the member's value for the checks after the walk.
struct kept {
  template <class Ctx, ledger_slot Ctx::*S, auto M>
  static jobwire::void_result walk(const payload_reader&, member_walk& w, Ctx& c) noexcept {
    if (!(c.*S).value.exists()) (c.*S).value = w.member().value;
    return {};
  }
};

/// A required string.
struct text : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&,
                                    std::string& out) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    if (!s.value.is_string()) return r.at(errc::invalid_field, s.value);
    out = s.value.get_string()->to_string();
    return {};
  }
};
/// An optional string (absent and null: no value).
struct optional_text : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value, Ctx&,
                                    std::optional<std::string>& out) {
    out.reset();
    if (payload_reader::absent(s.value)) return {};
    if (!s.value.is_string()) return r.at(errc::invalid_field, s.value);
    out = s.value.get_string()->to_string();
    return {};
  }
};
/// The attempt id: a required, non-empty string (opaque otherwise).
struct attempt_id : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    std::string& out) {
    if (jobwire::void_result st = text::check(r, s, parent, c, out); !st) return st;
    if (out.empty()) return r.at(errc::invalid_field, s.value);
    return {};
  }
};
/// A delivery key that parses under the caller's profile (§12).
struct delivery_key : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    std::string& out) {
    if (jobwire::void_result st = text::check(r, s, parent, c, out); !st) return st;
    if (!parse_delivery_key(out, *c.sh.opt.prof)) return r.at(errc::invalid_delivery_key, s.value);
    return {};
  }
};
/// The event type of an attempt: known under the profile, and the type of the attempt's
/// delivery key (declared, and so checked, before it).
struct key_event_type : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    std::string& out) {
    if (jobwire::void_result st = text::check(r, s, parent, c, out); !st) return st;
    auto type = parse_event_type(out, *c.sh.opt.prof);
    if (!type) return r.at(errc::unknown_event_type, s.value);
    if (parse_delivery_key(c.doc.delivery_key, *c.sh.opt.prof)->type != *type)
      return r.at(errc::invalid_field, s.value);
    return {};
  }
};
/// A required attempt status word (escapes decoded).
struct status_word : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&,
                                    attempt_status& out) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    if (!s.value.is_string()) return r.at(errc::invalid_field, s.value);
    auto st = parse_attempt_status(s.value.get_string()->to_string());
    if (!st) return r.at(errc::invalid_field, s.value);
    out = *st;
    return {};
  }
};
/// An optional attempt status word.
struct optional_status_word : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    std::optional<attempt_status>& out) {
    out.reset();
    if (payload_reader::absent(s.value)) return {};
    attempt_status a{};
    if (jobwire::void_result st = status_word::check(r, s, parent, c, a); !st) return st;
    out = a;
    return {};
  }
};
/// A required whole number in [Lo, Hi].
template <std::uint64_t Lo, std::uint64_t Hi>
struct bounded_count : kept {
  template <class Ctx, class U>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&, U& out) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    auto n = s.value.get_uint64();
    if (!n || *n < Lo || *n > Hi) return r.at(errc::invalid_field, s.value);
    out = static_cast<U>(*n);
    return {};
  }
};
/// Counters of the summary: up to 2^53, exact in every JSON reader.
using counter = bounded_count<0, std::uint64_t{1} << 53>;
/// `max_attempts`: 1 .. the retry policy's bound.
using attempt_bound = bounded_count<1, retry_policy::max_supported_attempts>;
/// `attempt_number`: like `max_attempts`, and not above it (declared after it).
struct attempt_number : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    unsigned& out) {
    if (jobwire::void_result st = attempt_bound::check(r, s, parent, c, out); !st) return st;
    if (out > c.doc.max_attempts) return r.at(errc::attempt_exceeds_max, s.value);
    return {};
  }
};
/// An optional HTTP status (100..599).
struct optional_http_status : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value, Ctx&,
                                    std::optional<int>& out) {
    out.reset();
    if (payload_reader::absent(s.value)) return {};
    auto n = s.value.get_int64();
    if (!n || *n < 100 || *n > 599) return r.at(errc::invalid_field, s.value);
    out = static_cast<int>(*n);
    return {};
  }
};
/// A timestamp in the one form the ledger writes (`parse_iso8601_ms`); an error inside it
/// points at the offending character.
struct iso_time : kept {
  static jobwire::void_result read(const payload_reader& r, json::value v, std::int64_t& out) noexcept {
    if (!v.is_string()) return r.at(errc::invalid_field, v);
    json::string s = *v.get_string();
    if (s.has_escapes()) return r.at(errc::invalid_field, v);  // the timestamp grammar has no escapes
    auto t = parse_iso8601_ms(s.raw());
    if (!t) return jobwire::error(errc::invalid_field, r.offset(s.raw().data()) + t.error().offset);
    out = *t;
    return {};
  }
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&,
                                    std::int64_t& out) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    return read(r, s.value, out);
  }
};
struct optional_iso_time : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value, Ctx&,
                                    std::optional<std::int64_t>& out) {
    out.reset();
    if (payload_reader::absent(s.value)) return {};
    std::int64_t t = 0;
    if (jobwire::void_result st = iso_time::read(r, s.value, t); !st) return st;
    out = t;
    return {};
  }
};
/// A response preview: an optional string of at most 500 characters (§12).
struct preview_text : kept {
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx& c,
                                    std::optional<std::string>& out) {
    if (jobwire::void_result st = optional_text::check(r, s, parent, c, out); !st) return st;
    if (out && count_characters(*out) > response_preview_max_chars) return r.at(errc::invalid_field, s.value);
    return {};
  }
};
/// A required list of delivery keys, read in place: the first entry that is not a string
/// or not a key under the profile is the member's verdict.
struct delivery_keys {
  template <class Ctx, ledger_slot Ctx::*S, auto M>
  static jobwire::void_result walk(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
    ledger_slot& s = c.*S;
    if (s.value.exists()) return {};  // a repeated name (allowed by the caller): the first counts
    s.value = w.raw_value();
    if (!s.value.is_array()) return {};
    element_walk ew = r.elements(s.value);
    for (; !ew.done(); ew.advance()) {
      if (!s.deferred) continue;  // past the first fault the walk only validates
      const json::value e = ew.value();
      if (!e.exists()) break;  // the walk stopped at a JSON error
      if (!e.is_string()) {
        s.deferred = r.at(errc::invalid_field, e);
        continue;
      }
      jobwire::void_result st = ledger_allocating(r, e, c.sh, [&]() -> jobwire::void_result {
        std::string k = e.get_string()->to_string();
        if (!parse_delivery_key(k, *c.sh.opt.prof)) return r.at(errc::invalid_delivery_key, e);
        (c.doc.*M).push_back(std::move(k));
        return {};
      });
      if (c.sh.out_of_memory) return st;
      s.deferred = st;
    }
    if (!ew.status()) return ew.status();
    w.set_value_end(ew.end());
    return {};
  }
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&,
                                    std::vector<std::string>&) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    if (!s.value.is_array()) return r.at(errc::invalid_field, s.value);
    return s.deferred;
  }
};

}  // namespace ledger_fields

// The slot of an X-macro field in a reading state, its table entry (`Ctx` the reading
// state, `Doc` the document), and its check (in a chain `true X(...)...`, stopping at the
// first fault; `r`, `parent`, `c` and `st` in scope).
#define JOBWIRE_DETAIL_LEDGER_SLOT(reader, member, key) ::jobwire::detail::ledger_slot key;
#define JOBWIRE_DETAIL_LEDGER_RULE(reader, member, key) \
  ::jobwire::detail::field_rule<Ctx>{#key,              \
                                     &::jobwire::detail::ledger_fields::reader::walk<Ctx, &Ctx::key, &Doc::member>},
#define JOBWIRE_DETAIL_LEDGER_CHECK(reader, member, key) \
  &&(st = ::jobwire::detail::ledger_fields::reader::check(r, c.key, parent, c, c.doc.member))

/// One attempt (§10), in the order its fields are checked.
#define JOBWIRE_LEDGER_ATTEMPT_FIELDS(X)                    \
  X(attempt_id, id, id)                                     \
  X(delivery_key, delivery_key, delivery_key)               \
  X(key_event_type, event_type, event_type)                 \
  X(status_word, status, status)                            \
  X(attempt_bound, max_attempts, max_attempts)              \
  X(attempt_number, attempt_number, attempt_number)         \
  X(iso_time, tried_at_ms, tried_at)                        \
  X(optional_iso_time, delivered_at_ms, delivered_at)       \
  X(optional_iso_time, next_retry_at_ms, next_retry_at)     \
  X(optional_http_status, response_status, response_status) \
  X(optional_text, error_message, error_message)            \
  X(preview_text, response_body_preview, response_body_preview)

/// The `webhook.delivery` summary (§10), in the order its fields are checked.
#define JOBWIRE_LEDGER_SUMMARY_FIELDS(X)                              \
  X(counter, total_attempts, total_attempts)                          \
  X(counter, delivered_events, delivered_events)                      \
  X(delivery_keys, delivered_event_types, delivered_event_types)      \
  X(counter, pending_retries, pending_retries)                        \
  X(optional_iso_time, next_retry_at_ms, next_retry_at)               \
  X(optional_iso_time, last_attempt_at_ms, last_attempt_at)           \
  X(optional_status_word, last_attempt_status, last_attempt_status)   \
  X(optional_http_status, last_response_status, last_response_status) \
  X(optional_iso_time, last_delivered_at_ms, last_delivered_at)       \
  X(optional_iso_time, last_failure_at_ms, last_failure_at)           \
  X(optional_text, last_error_message, last_error_message)

/// Declares the reading of one ledger document `Doc` from its X-macro list `FIELDS`: the
/// reading state `Name` (a slot per field), its table `Table` and `check_fields`, which
/// runs the fields' checks in the list's order.
#define JOBWIRE_DETAIL_LEDGER_DOCUMENT(Name, Doc_, Table, FIELDS)                                  \
  struct Name {                                                                                    \
    Name(Doc_& d, ledger_shared& s) noexcept : doc(d), sh(s) {}                                    \
    Doc_& doc;                                                                                     \
    ledger_shared& sh;                                                                             \
    FIELDS(JOBWIRE_DETAIL_LEDGER_SLOT)                                                             \
  };                                                                                               \
  inline constexpr auto Table = [] {                                                               \
    using Doc = Doc_;                                                                              \
    using Ctx = Name;                                                                              \
    return make_field_table<Ctx>({FIELDS(JOBWIRE_DETAIL_LEDGER_RULE)});                            \
  }();                                                                                             \
  inline jobwire::void_result check_fields(const payload_reader& r, json::value parent, Name& c) { \
    jobwire::void_result st;                                                                       \
    (void)(true FIELDS(JOBWIRE_DETAIL_LEDGER_CHECK));                                              \
    return st;                                                                                     \
  }

JOBWIRE_DETAIL_LEDGER_DOCUMENT(attempt_reading, attempt_record, ledger_attempt_fields, JOBWIRE_LEDGER_ATTEMPT_FIELDS)
JOBWIRE_DETAIL_LEDGER_DOCUMENT(summary_reading, delivery_summary, ledger_summary_fields, JOBWIRE_LEDGER_SUMMARY_FIELDS)

namespace ledger_fields {
/// A nested object of one ledger document (`Reading` its reading state), read in place:
/// walked by the document's table, then checked; the checks' verdict is the member's.
template <class Reading, const auto& Table>
struct nested_object {
  template <class Ctx, ledger_slot Ctx::*S, auto M>
  static jobwire::void_result walk(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
    ledger_slot& s = c.*S;
    if (s.value.exists()) return {};  // a repeated name (allowed by the caller): the first counts
    s.value = w.raw_value();
    if (!s.value.is_object()) return {};
    Reading inner{c.doc.*M, c.sh};
    const char* end = nullptr;
    if (jobwire::void_result st = read_fields(r, s.value, Table, inner, &end); !st) return st;
    w.set_value_end(end);
    s.deferred = ledger_allocating(r, s.value, c.sh, [&] { return check_fields(r, s.value, inner); });
    return c.sh.out_of_memory ? s.deferred : jobwire::void_result{};
  }
  template <class Ctx, class Doc>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&, Doc&) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    if (!s.value.is_object()) return r.at(errc::invalid_field, s.value);
    return s.deferred;
  }
};
/// A required list of attempts, each read in place, at most `max_attempts_listed` of them
/// (`limit_exceeded` at the first one past); the first faulty entry is the member's verdict.
struct attempt_list {
  template <class Ctx, ledger_slot Ctx::*S, auto M>
  static jobwire::void_result walk(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
    ledger_slot& s = c.*S;
    if (s.value.exists()) return {};  // a repeated name (allowed by the caller): the first counts
    s.value = w.raw_value();
    if (!s.value.is_array()) return {};
    std::vector<attempt_record>& out = c.doc.*M;
    element_walk ew = r.elements(s.value);
    for (; !ew.done(); ew.advance()) {
      if (!s.deferred) continue;  // past the first fault the walk only validates
      const json::value e = ew.raw_value();
      if (out.size() >= c.sh.opt.max_attempts_listed) {
        s.deferred = r.at(errc::limit_exceeded, e);
        continue;
      }
      if (!e.is_object()) {
        s.deferred = r.at(errc::invalid_field, e);
        continue;
      }
      const char* end = nullptr;
      jobwire::void_result walked;
      jobwire::void_result st = ledger_allocating(r, e, c.sh, [&]() -> jobwire::void_result {
        attempt_record rec;
        attempt_reading inner{rec, c.sh};
        walked = read_fields(r, e, ledger_attempt_fields, inner, &end);
        if (!walked) return {};
        if (jobwire::void_result verdict = check_fields(r, e, inner); !verdict) return verdict;
        out.push_back(std::move(rec));
        return {};
      });
      if (c.sh.out_of_memory) return st;
      if (!walked) return walked;
      ew.set_value_end(end);
      s.deferred = st;
    }
    if (!ew.status()) return ew.status();
    w.set_value_end(ew.end());
    return {};
  }
  template <class Ctx>
  static jobwire::void_result check(const payload_reader& r, const ledger_slot& s, json::value parent, Ctx&,
                                    std::vector<attempt_record>&) {
    if (!s.value.exists()) return r.at(errc::missing_field, parent);
    if (!s.value.is_array()) return r.at(errc::invalid_field, s.value);
    return s.deferred;
  }
};
using summary_object = nested_object<summary_reading, ledger_summary_fields>;
}  // namespace ledger_fields

/// The `delivery` and `attempts` members of a `webhook` object (§10), in the order they
/// are checked.
#define JOBWIRE_LEDGER_BLOCK_FIELDS(X)  \
  X(summary_object, delivery, delivery) \
  X(attempt_list, attempts, attempts)

JOBWIRE_DETAIL_LEDGER_DOCUMENT(block_reading, webhook_delivery_block, ledger_block_fields, JOBWIRE_LEDGER_BLOCK_FIELDS)

/// Reads a whole ledger text whose root object is declared by `table` (reading state
/// `Reading`). JSON errors come first, as if the text were validated before it is read: in
/// one pass (`payload_parse`) when repeated names are refused, which is the default; the
/// caller who allows them (`lenient::duplicate_keys`) gets a validation, then a walk over the
/// validated text, where the first occurrence of a name counts.
template <class Reading, class Doc, std::size_t N>
result<Doc> read_ledger_text(std::string_view text, const ledger_parse_options& opt,
                             const field_table<Reading, N>& table) {
  Doc doc;
  ledger_shared sh{opt};
  Reading c{doc, sh};
  payload_options po;
  po.prof = opt.prof;
  po.json = opt.json;
  const auto checked = [&](const payload_reader& r, json::value root, jobwire::void_result walked) -> result<Doc> {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    if (sh.out_of_memory) throw std::bad_alloc();
#endif
    if (!walked) return walked.error();
    if (jobwire::void_result st = check_fields(r, root, c); !st) return st.error();
    return doc;
  };
  if (allows(opt.json.leniency, lenient::duplicate_keys)) {
    auto root = json::parse(text, opt.json);
    if (!root) return root.error();
    payload_reader r(text.data(), text.data() + text.size(), po);
    if (!root->is_object()) return r.at(errc::invalid_field, *root);
    return checked(r, *root, read_fields(r, *root, table, c));
  }
  payload_parse r(text, po);
  auto root = r.root();
  if (!root) return root.error();
  const char* end = nullptr;
  jobwire::void_result walked = read_fields(r, *root, table, c, &end);
  if (sh.out_of_memory) return checked(r, *root, walked);
  return checked(r, *root, r.finish(walked, end));
}
}  // namespace detail

/// Parses an object holding `delivery` and `attempts` — the `webhook` object of a delivery
/// body or a status response, or the output of `serialize_webhook_delivery`. Unknown
/// members are ignored. Required: in `delivery`, the four counters and
/// `delivered_event_types`; in each attempt, id, delivery_key, event_type, status,
/// attempt_number, max_attempts and tried_at. Optional members may be null or absent.
/// Errors carry the byte offset of the offending value: JSON errors from the reader,
/// `missing_field`, `invalid_field`, `invalid_delivery_key`, `unknown_event_type`,
/// `attempt_exceeds_max`, `limit_exceeded` (more attempts than `max_attempts_listed`).
/// When a text has several faults, a JSON error is reported first, then the fault of the
/// first field in the declared order (delivery before attempts; within an object, the
/// order of JOBWIRE_LEDGER_ATTEMPT_FIELDS / JOBWIRE_LEDGER_SUMMARY_FIELDS), whatever the
/// order of the members in the text.
inline result<webhook_delivery_block> parse_webhook_delivery(std::string_view text,
                                                             const ledger_parse_options& opt = {}) {
  return detail::read_ledger_text<detail::block_reading, webhook_delivery_block>(text, opt,
                                                                                 detail::ledger_block_fields);
}

/// Parses one `webhook.delivery` object on its own.
inline result<delivery_summary> parse_delivery_summary(std::string_view text, const ledger_parse_options& opt = {}) {
  return detail::read_ledger_text<detail::summary_reading, delivery_summary>(text, opt, detail::ledger_summary_fields);
}

/// Parses one attempt object on its own.
inline result<attempt_record> parse_attempt_record(std::string_view text, const ledger_parse_options& opt = {}) {
  return detail::read_ledger_text<detail::attempt_reading, attempt_record>(text, opt, detail::ledger_attempt_fields);
}

}  // namespace jobwire
