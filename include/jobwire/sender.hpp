// jobwire — the delivery builder: one outgoing webhook attempt as data the host sends
// (PROTOCOL.md §9–§12).
//
// A sender prepares its secret once (`delivery_sender::create`), decides whether an event
// is delivered at all (`check_dispatch`: subscription §7, progress bucket §11, and the
// send rule of §12), then builds a `delivery`: the event type (always kind-specific, §9),
// the delivery key and event id (§2), the envelope body (§10) and every header of §9 in the
// profile's names (§15). A retry of the same delivery keeps the body except for the
// attempt number and gets a fresh timestamp and signature (§12): `next_attempt` rewrites
// those fields in place, reusing the prepared key and the delivery's buffers, so a retry
// allocates nothing once the buffers have reached their size.
//
// Nothing here performs I/O or reads a clock: the host passes `now` and transmits
// `headers()` and `body()` itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "error.hpp"
#include "events.hpp"
#include "headers.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "ledger.hpp"
#include "payload.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "retry.hpp"
#include "signature.hpp"
#include "subscription.hpp"
#include "verify.hpp"
#include "unix_time.hpp"

namespace jobwire {

/// One job event to deliver. Views only; they must outlive the `build` call (the built
/// delivery copies what it needs).
struct delivery_event {
  jobwire::kind kind = kind::video;
  /// The gateway's job id (PROTOCOL.md §2). When `data` has an `id` member it must equal
  /// this; when it has none, `"id":"<job id>"` is prepended to `data` so that receivers
  /// always find the job identifier (§10).
  std::string_view job_id;
  /// The sender's internal id of the job: the stable part of the event id (§2).
  std::string_view internal_id;
  jobwire::phase phase = phase::completed;
  /// Progress percentage; used (and required to make a bucket) for `phase::progress` only.
  double progress = std::numeric_limits<double>::quiet_NaN();
  /// `phase::status_changed` only (profile phaseo, PROTOCOL.md §16.1): the raw statuses of
  /// the transition, as stored. They make the key `<kind>.status_changed:<prev>:<cur>`
  /// (lower-cased; `unknown` for an empty or absent one) and the envelope's
  /// `status_change` object (`previous_status` null when absent or empty). `status` is
  /// required.
  std::optional<std::string_view> previous_status;
  std::string_view status;
  /// The `data` object as JSON text; validated with the jobwire JSON reader and otherwise
  /// inserted byte for byte.
  std::string_view data;
  /// `created_at` of the envelope (Unix seconds): when the event happened. It belongs to
  /// the event, so it stays the same across retries (`next_attempt` keeps it); the
  /// timestamp header does not. When absent, the `now` of the build is used.
  std::optional<std::int64_t> created_at;
};

/// One header as transmitted. `first`/`second` make it a (name, value) pair for
/// `find_header` / `verify_delivery`.
using header_field = std::pair<std::string_view, std::string_view>;

/// Header names and values of one attempt, in transmission order (PROTOCOL.md §9):
/// content-type, user-agent, event-id, event-type, delivery-key, attempt, max-attempts,
/// then timestamp and signature when signed. Views into the owning `delivery`.
struct header_list {
  static constexpr std::size_t capacity = 9;
  std::array<header_field, capacity> items{};
  std::size_t count = 0;

  const header_field* begin() const noexcept { return items.data(); }
  const header_field* end() const noexcept { return items.data() + count; }
  std::size_t size() const noexcept { return count; }
  const header_field& operator[](std::size_t i) const noexcept { return items[i]; }
};

/// The result of building: everything the host transmits for one attempt, plus the
/// identity fields it records in its ledger. Owns its text; copyable and movable.
class delivery {
 public:
  std::string_view body() const noexcept { return body_; }
  header_list headers() const noexcept {
    header_list h;
    h.count = header_count_;
    for (std::size_t i = 0; i < header_count_; ++i) {
      const slot& s = slots_[i];
      h.items[i] = {std::string_view(head_).substr(s.name_at, s.name_len),
                    std::string_view(head_).substr(s.value_at, s.value_len)};
    }
    return h;
  }
  /// The value of the header named `prefix + suffix` (e.g. "signature"), or of the full
  /// name ("content-type"); empty when absent.
  std::string_view header(std::string_view name) const noexcept {
    for (const header_field& f : headers()) {
      if (f.first == name) return f.second;
      if (f.first.size() > name.size() && f.first.substr(f.first.size() - name.size()) == name &&
          f.first.substr(0, f.first.size() - name.size()) == prefix_)
        return f.second;
    }
    return {};
  }

  std::string_view event_id() const noexcept { return std::string_view(body_).substr(event_id_at, event_id_len_); }
  std::string_view delivery_key_text() const noexcept { return std::string_view(body_).substr(key_at_, key_len_); }
  jobwire::event_type type() const noexcept { return key_.type; }
  jobwire::delivery_key key() const noexcept { return key_; }
  unsigned attempt() const noexcept { return attempt_; }
  unsigned max_attempts() const noexcept { return max_attempts_; }
  bool is_signed() const noexcept { return signed_; }
  /// The timestamp header's value as a number (Unix seconds); meaningful when signed.
  std::int64_t timestamp() const noexcept { return timestamp_; }
  std::int64_t created_at() const noexcept { return created_at_; }

 private:
  friend class delivery_sender;
  struct slot {
    std::size_t name_at = 0, name_len = 0, value_at = 0, value_len = 0;
  };
  // `{"id":"` is the envelope's fixed opening, so the event id starts here.
  static constexpr std::size_t event_id_at = 7;

  std::string body_;
  std::string head_;  // header names and values, back to back; `slots_` index it
  std::array<slot, header_list::capacity> slots_{};
  std::size_t header_count_ = 0;
  std::string_view prefix_;  // the profile's prefix (static storage)
  std::size_t event_id_len_ = 0;
  std::size_t key_at_ = 0, key_len_ = 0;
  std::size_t attempt_at_ = 0, attempt_len_ = 0;  // the digits of `"attempt":N` in the body
  jobwire::delivery_key key_{};
  unsigned attempt_ = 0, max_attempts_ = 0;
  std::int64_t timestamp_ = 0, created_at_ = 0;
  bool signed_ = false;
};

namespace detail {
/// Decimal text of v into buf (at least 20 chars); returns the view. No allocation.
inline std::string_view format_decimal(char* buf, std::size_t cap, std::int64_t v) noexcept {
  std::size_t i = cap;
  const bool neg = v < 0;
  std::uint64_t u = neg ? 0u - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0 && i > 1);
  if (neg) buf[--i] = '-';
  return {buf + i, cap - i};
}
}  // namespace detail

/// The delivery key of an event: the kind-specific type, plus the progress bucket for
/// progress events (PROTOCOL.md §2, §11). `no_progress_event` when a progress value makes
/// no bucket (0, 100, NaN, ...); `unknown_phase` when the profile has no such phase;
/// `invalid_argument` for `status_changed`, whose key needs the two statuses
/// (`status_changed_key`, or the `delivery_event` overload below).
inline result<delivery_key> delivery_key_for(kind k, phase p, double progress,
                                             const profile& prof = profiles::ai_stats) noexcept {
  if (!prof.has_phase(p)) return errc::unknown_phase;
  if (p == phase::status_changed) return errc::invalid_argument;
  delivery_key key{event_type{k, p}, no_bucket};
  if (p == phase::progress) {
    key.bucket = progress_bucket(progress);
    if (key.bucket == no_bucket) return errc::no_progress_event;
  }
  return key;
}

/// The delivery key of `ev` under `prof`: as above, and for `status_changed` the key of
/// §16.1 from `ev.previous_status` and `ev.status` (`missing_field` when `status` is empty,
/// `invalid_delivery_key` for a status that is no valid key part).
inline result<delivery_key> delivery_key_for(const delivery_event& ev,
                                             const profile& prof = profiles::ai_stats) noexcept {
  if (ev.phase != phase::status_changed) return delivery_key_for(ev.kind, ev.phase, ev.progress, prof);
  if (!prof.has_phase(phase::status_changed)) return errc::unknown_phase;
  if (ev.status.empty()) return errc::missing_field;
  return status_changed_key(ev.kind, ev.previous_status.value_or(std::string_view{}), ev.status, prof);
}

namespace detail {
// `data.progress` as the current service writes it for video jobs (PROTOCOL.md §16.6,
// profile phaseo only): the bucket in a progress delivery; 0 in every other delivery, or
// 100 when the job is completed (`status` or `lifecycle_status` says so). A negative
// value: leave `data` as given (ai_stats, batch jobs).
inline int phaseo_data_progress(const profile& prof, const delivery_key& key, const json::object& data) noexcept {
  if (prof.name != profiles::phaseo.name) return -1;
  if (key.type.kind != kind::video) return -1;  // batch progress comes from request counts
  if (key.type.phase == phase::progress) return key.bucket;
  for (std::string_view field : {std::string_view("status"), std::string_view("lifecycle_status")}) {
    auto v = data.find(field).get_string();
    if (v && v->equals("completed")) return 100;
  }
  return 0;
}
}  // namespace detail

/// A sender for one secret, profile and retry policy. Prepare once and reuse for every
/// delivery and every attempt: the secret's HMAC key is set up once. Move-only.
class delivery_sender {
 public:
  delivery_sender() = default;

  /// `secret` is trimmed; empty means unsigned deliveries, which a profile requiring a
  /// secret (phaseo) refuses with `secret_required` (PROTOCOL.md §7, §15). The policy is
  /// validated (`retry_policy::validate` errors).
  static result<delivery_sender> create(std::string_view secret, const profile& prof = profiles::ai_stats,
                                        const retry_policy& policy = default_retry_policy) noexcept {
    if (void_result st = policy.validate(); !st) return st.error();
    delivery_sender s;
    s.prof_ = &prof;
    s.policy_ = policy;
    if (trim_ascii(secret).empty()) {
      if (prof.secret_required) return errc::secret_required;
      return s;
    }
    auto key = hmac_key::create(secret);
    if (!key) return key.error();
    s.key_ = std::move(*key);
    return s;
  }

  const profile& prof() const noexcept { return *prof_; }
  const retry_policy& policy() const noexcept { return policy_; }
  bool signs() const noexcept { return key_.valid(); }

  /// Whether a new delivery of `ev` starts at all (dispatch, not the sweep's retries):
  /// `unknown_phase` when the profile lacks the phase; `phase_not_subscribed` unless the
  /// list contains `job.<phase>` or `<kind>.<phase>` (§7); `no_progress_event` when a
  /// progress value makes no bucket (§11); `already_delivered` / `already_queued` /
  /// `already_failed` from the ledger unless `force` (§12).
  [[nodiscard]] void_result check_dispatch(const event_list& subscription, const delivery_event& ev,
                                           const attempt_ledger& ledger, bool force = false) const {
    auto key = check_subscribed(subscription, ev);
    if (!key) return key.error();
    std::string key_text;
    append_delivery_key(key_text, *key);
    return ledger.check_send(key_text, force);
  }

  /// The subscription and bucket checks of `check_dispatch` alone; returns the key.
  result<delivery_key> check_subscribed(const event_list& subscription, const delivery_event& ev) const noexcept {
    if (!prof_->has_phase(ev.phase)) return errc::unknown_phase;
    if (!subscription.is_subscribed(ev.kind, ev.phase)) return errc::phase_not_subscribed;
    return delivery_key_for(ev, *prof_);
  }

  /// Builds attempt `attempt` (1-based, ≤ the policy's max_attempts) of `ev` at
  /// `now_seconds` (the timestamp header). Errors: `no_progress_event`, `unknown_phase`,
  /// `invalid_job_id` (empty job id), `invalid_attempt`, `invalid_argument` (now or
  /// created_at outside the representable time range), the JSON reader's errors for `data`
  /// (offsets into `data`), `json_type_mismatch` when `data` is not an object,
  /// `conflicting_job_id` when `data.id` differs from the job id, and any error of the
  /// receivers' envelope reader on the built body (e.g. `missing_field` for a `data`
  /// without `status`, `unknown_status`), without an offset.
  result<delivery> build(const delivery_event& ev, std::int64_t now_seconds, unsigned attempt = first_attempt_number) {
    delivery d;
    if (void_result st = build_into(d, ev, now_seconds, attempt); !st) return st.error();
    return d;
  }
  /// The same with the time as `unix_time` (unix_time.hpp): the header carries its whole
  /// seconds (floored).
  result<delivery> build(const delivery_event& ev, unix_time now, unsigned attempt = first_attempt_number) {
    return build(ev, to_unix_seconds(now), attempt);
  }

  /// As `build`, into an existing delivery whose buffers are reused.
  void_result build_into(delivery& d, const delivery_event& ev, std::int64_t now_seconds,
                         unsigned attempt = first_attempt_number) {
    if (prof_ == nullptr) return errc::invalid_argument;
    auto key = delivery_key_for(ev, *prof_);
    if (!key) return key.error();
    if (ev.job_id.empty()) return errc::invalid_job_id;
    if (attempt < 1 || attempt > policy_.max_attempts) return errc::invalid_attempt;
    const std::int64_t created_at = ev.created_at.value_or(now_seconds);
    if (!unix_seconds_to_ms(now_seconds) || !unix_seconds_to_ms(created_at)) return errc::invalid_argument;

    // `data` is validated by the JSON reader and must be an object (§10); its text is
    // then copied verbatim, so the signed bytes are exactly the caller's.
    auto doc = json::parse(ev.data);
    if (!doc) return doc.error();
    auto obj = doc->get_object();
    if (!obj) return error(errc::json_type_mismatch, 0);
    json::value id = obj->find("id");
    if (id.exists()) {
      auto s = id.get_string();
      if (!s || !s->equals(ev.job_id))
        return error(errc::conflicting_job_id, static_cast<std::size_t>(id.data() - ev.data.data()));
    }

    d.key_ = *key;
    d.attempt_ = attempt;
    d.max_attempts_ = policy_.max_attempts;
    d.created_at_ = created_at;
    d.prefix_ = prof_->header_prefix;

    std::string& b = d.body_;
    b.clear();
    b += "{\"id\":\"";
    const std::string eid = make_event_id(ev.kind, ev.internal_id, *key);
    b += eid;  // [A-Za-z0-9_-] only: no escaping needed (§2)
    d.event_id_len_ = eid.size();
    b += "\",\"type\":\"";
    append_event_type(b, key->type);
    b += "\",\"created_at\":";
    char num[24];
    b += detail::format_decimal(num, sizeof num, created_at);
    b += ",\"delivery\":{\"key\":\"";
    d.key_at_ = b.size();
    append_delivery_key(b, *key);  // `<kind>.<phase>[:bucket|:prev:cur]`: no escaping needed
    d.key_len_ = b.size() - d.key_at_;
    b += "\",\"attempt\":";
    d.attempt_at_ = b.size();
    const std::string_view att = detail::format_decimal(num, sizeof num, attempt);
    b += att;
    d.attempt_len_ = att.size();
    b += ",\"max_attempts\":";
    b += detail::format_decimal(num, sizeof num, policy_.max_attempts);
    b += "},\"data\":";
    // Under phaseo `data.progress` is set by rule (§16.6): its value is replaced, or the
    // member is added first. Everything else of `data` is copied byte for byte.
    const std::size_t open = static_cast<std::size_t>(doc->data() - ev.data.data());
    std::string_view data_text = ev.data;
    std::string rewritten;
    bool empty_object = obj->begin() == obj->end();
    if (const int forced = detail::phaseo_data_progress(*prof_, *key, *obj); forced >= 0) {
      char pnum[8];
      const std::string_view ptext = detail::format_decimal(pnum, sizeof pnum, forced);
      json::value pv = obj->find("progress");
      if (pv.exists()) {
        const std::size_t at = static_cast<std::size_t>(pv.data() - ev.data.data());
        rewritten.reserve(ev.data.size() + ptext.size());
        rewritten.append(ev.data.substr(0, at)).append(ptext).append(ev.data.substr(at + pv.raw().size()));
      } else {
        rewritten.append(ev.data.substr(0, open + 1)).append("\"progress\":").append(ptext);
        if (!empty_object) rewritten += ',';
        rewritten.append(ev.data.substr(open + 1));
        empty_object = false;
      }
      data_text = rewritten;
    }
    if (!id.exists()) {
      // Prepend the job id (§10: `data.id` is the job identifier receivers read).
      b += data_text.substr(0, open + 1);
      b += "\"id\":";
      json::append_quoted(b, ev.job_id);
      if (!empty_object) b += ',';
      b += data_text.substr(open + 1);
    } else {
      b += data_text;
    }
    if (key->type.phase == phase::status_changed) {
      // §16.1: the top-level `status_change` after `data`, the raw statuses as given
      // (`previous_status` null when unknown).
      b += ",\"status_change\":{\"previous_status\":";
      if (ev.previous_status && !ev.previous_status->empty()) json::append_quoted(b, *ev.previous_status);
      else b += "null";
      b += ",\"status\":";
      json::append_quoted(b, ev.status);
      b += '}';
    }
    b += '}';
    // The body must be one this profile's receivers accept, so it is read back by the one
    // envelope reader they use, with the options `verify_delivery` gives it (verify.hpp,
    // PROTOCOL.md §10): a `data` without a status, or with a status outside the
    // vocabulary, is refused here rather than answered 400 by every receiver and retried
    // until exhausted.
    if (auto env = parse_envelope(b, delivery_payload_options(verify_options{}, *prof_)); !env) {
      b.clear();
      d.head_.clear();
      d.header_count_ = 0;
      return env.error().code;
    }
    return sign_attempt(d, now_seconds);
  }

  /// Turns `d` into attempt `attempt` at `now_seconds`: same event id, key, created_at and
  /// data; the attempt number in body and header, the timestamp and the signature are
  /// rewritten (PROTOCOL.md §12). Errors: `invalid_attempt`; `invalid_argument` for a time
  /// out of range, an empty `d`, or a `d` built under another policy or profile.
  void_result next_attempt(delivery& d, unsigned attempt, std::int64_t now_seconds) {
    if (attempt < 1 || attempt > policy_.max_attempts) return errc::invalid_attempt;
    // A delivery built under another policy or profile would get headers that contradict
    // its body; refuse rather than produce a delivery receivers reject.
    if (d.body_.empty() || d.max_attempts_ != policy_.max_attempts || d.prefix_ != prof_->header_prefix)
      return errc::invalid_argument;
    if (!unix_seconds_to_ms(now_seconds)) return errc::invalid_argument;
    char num[24];
    const std::string_view att = detail::format_decimal(num, sizeof num, attempt);
    d.body_.replace(d.attempt_at_, d.attempt_len_, att.data(), att.size());
    d.attempt_len_ = att.size();
    d.attempt_ = attempt;
    return sign_attempt(d, now_seconds);
  }
  /// The same with the time as `unix_time` (the header carries its whole seconds).
  void_result next_attempt(delivery& d, unsigned attempt, unix_time now) {
    return next_attempt(d, attempt, to_unix_seconds(now));
  }

 private:
  // Writes every header of §9 for the current attempt into `d.head_` (its capacity is
  // reused across attempts) and signs `timestamp.body` with the prepared key.
  void_result sign_attempt(delivery& d, std::int64_t now_seconds) {
    char ts_buf[24], att_buf[24], max_buf[24];
    const std::string_view ts = detail::format_decimal(ts_buf, sizeof ts_buf, now_seconds);
    signature_hex sig{};
    if (key_.valid()) {
      auto s = key_.sign(ts, d.body_);
      if (!s) {
        // No headers rather than stale ones: a half-updated attempt must not be sendable.
        d.head_.clear();
        d.header_count_ = 0;
        return s.error();
      }
      sig = *s;
    }
    std::string& h = d.head_;
    h.clear();
    d.header_count_ = 0;
    const std::string_view prefix = prof_->header_prefix;
    auto add = [&](std::string_view name_prefix, std::string_view name, std::string_view value) {
      delivery::slot& s = d.slots_[d.header_count_++];
      s.name_at = h.size();
      h += name_prefix;
      h += name;
      s.name_len = h.size() - s.name_at;
      s.value_at = h.size();
      h += value;
      s.value_len = h.size() - s.value_at;
    };
    add({}, "content-type", "application/json");
    add({}, "user-agent", prof_->user_agent);
    add(prefix, header_suffix::event_id, d.event_id());
    add(prefix, header_suffix::event_type, std::string_view(d.body_).substr(d.key_at_, type_length(d)));
    add(prefix, header_suffix::delivery_key, d.delivery_key_text());
    add(prefix, header_suffix::attempt, detail::format_decimal(att_buf, sizeof att_buf, d.attempt_));
    add(prefix, header_suffix::max_attempts, detail::format_decimal(max_buf, sizeof max_buf, d.max_attempts_));
    d.signed_ = key_.valid();
    d.timestamp_ = now_seconds;
    if (d.signed_) {
      add(prefix, header_suffix::timestamp, ts);
      add(prefix, header_suffix::signature, sig.view());
    }
    return {};
  }

  // The event type is the delivery key without its `:bucket` suffix (§2).
  static std::size_t type_length(const delivery& d) noexcept {
    const std::string_view k = d.delivery_key_text();
    const std::size_t colon = k.find(':');
    return colon == std::string_view::npos ? k.size() : colon;
  }

  const profile* prof_ = &profiles::ai_stats;
  retry_policy policy_{};
  hmac_key key_;
};

}  // namespace jobwire
