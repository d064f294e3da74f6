// jobwire — webhook subscriptions: the `webhook` object `{url, secret?, events?}` and the
// normalisation of its event list (PROTOCOL.md §7), with the callback URL checked by
// callback_url.hpp (§8).
//
// The service drops invalid `events` entries silently. jobwire keeps the same result but
// reports every dropped entry with its reason (and offers a strict mode that rejects
// instead), so a caller can see why `["video.completd"]` never fires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callback_url.hpp"
#include "error.hpp"
#include "events.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

/// One normalised subscription name: `job.<phase>` (any kind) or `<kind>.<phase>` for the
/// subscription's own kind.
struct subscription_event {
  bool any_kind = true;  ///< `job.<phase>` when true
  jobwire::phase phase = phase::completed;

  friend constexpr bool operator==(subscription_event a, subscription_event b) noexcept {
    return a.any_kind == b.any_kind && a.phase == b.phase;
  }
  friend constexpr bool operator!=(subscription_event a, subscription_event b) noexcept { return !(a == b); }
};

/// An entry the normaliser dropped: the entry as written (raw JSON text when it came from
/// JSON, else the caller's string), its index in the list, and why.
struct ignored_event {
  std::string_view value;
  std::size_t index = 0;
  errc reason = errc::invalid_event;  ///< event_not_string, empty_event, invalid_event, cross_kind_event, duplicate_event
  bool is_json = true;  ///< `value` is raw JSON text (else a plain string)
};

/// Longest event name the normaliser considers, after trimming; no valid name comes close
/// (`batch.status_changed` is 20), so longer entries are `invalid_event` without copying.
constexpr std::size_t max_event_name_length = 64;

namespace subscription_detail {
// JavaScript's String.prototype.trim (the service trims with it): ASCII whitespace and
// line terminators plus the Unicode White_Space/BOM code points, here in UTF-8.
inline std::size_t js_space_prefix(std::string_view s) noexcept {
  if (s.empty()) return 0;
  auto b = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  unsigned c0 = b(0);
  if (c0 == ' ' || (c0 >= 0x09 && c0 <= 0x0D)) return 1;
  if (c0 == 0xC2 && b(1) == 0xA0) return 2;                                   // U+00A0
  if (c0 == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;                   // U+1680
  if (c0 == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8A || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
    return b(2) >= 0x80 ? 3 : 0;                                              // U+2000..200A, 2028, 2029, 202F
  if (c0 == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;                   // U+205F
  if (c0 == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;                   // U+3000
  if (c0 == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;                   // U+FEFF
  return 0;
}
inline std::size_t js_space_suffix(std::string_view s) noexcept {
  for (std::size_t len = 1; len <= 3 && len <= s.size(); ++len) {
    std::string_view tail = s.substr(s.size() - len);
    if (js_space_prefix(tail) == len) return len;
  }
  return 0;
}
}  // namespace subscription_detail

/// Trims the way the service does (JavaScript `trim()`).
inline std::string_view trim_js_whitespace(std::string_view s) noexcept {
  for (std::size_t n; (n = subscription_detail::js_space_prefix(s)) != 0;) s.remove_prefix(n);
  for (std::size_t n; (n = subscription_detail::js_space_suffix(s)) != 0;) s.remove_suffix(n);
  return s;
}

/// Normalises one `events` entry for a job of kind `k` (PROTOCOL.md §7): trim, lower-case,
/// `canceled`→`cancelled` (bare or as a `.canceled` suffix), a bare phase becomes
/// `job.<phase>`; the result must be `job.<phase>` or `<k>.<phase>` with a phase of the
/// profile. Errors: `empty_event`, `cross_kind_event` (the other kind's valid name),
/// `invalid_event` (anything else).
inline result<subscription_event> normalise_event_name(std::string_view entry, kind k,
                                                       const profile& prof = profiles::ai_stats) noexcept {
  std::string_view t = trim_js_whitespace(entry);
  if (t.empty()) return errc::empty_event;
  if (t.size() > max_event_name_length) return errc::invalid_event;
  char buf[max_event_name_length + 1];  // + the extra `l` of cancelled
  std::size_t n = 0;
  for (char c : t) {
    if (static_cast<unsigned char>(c) >= 0x80) return errc::invalid_event;  // no valid name is non-ASCII
    buf[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view name(buf, n);
  std::size_t dot = name.find('.');
  std::string_view prefix = dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot);
  std::string_view ph_text = dot == std::string_view::npos ? name : name.substr(dot + 1);
  if (ph_text == "canceled") ph_text = "cancelled";
  auto ph = parse_phase(ph_text);
  if (!ph || !prof.has_phase(*ph)) return errc::invalid_event;
  if (dot == std::string_view::npos || prefix == "job") return subscription_event{true, *ph};
  auto pk = parse_kind(prefix);
  if (!pk) return errc::invalid_event;
  if (*pk != k) return errc::cross_kind_event;
  return subscription_event{false, *ph};
}

/// A normalised event list for one job kind: order of first occurrence, no duplicates.
/// At most `capacity` entries exist (every `job.*` and `<kind>.*` name once), so the list
/// is a fixed array and never allocates.
class event_list {
 public:
  static constexpr std::size_t capacity = 2 * phase_count;

  constexpr event_list() noexcept = default;
  explicit constexpr event_list(jobwire::kind k) noexcept : kind_(k) {}

  /// `["job.completed","job.failed","job.cancelled","job.expired"]`: the list when
  /// `events` is omitted, null or `[]` (PROTOCOL.md §7).
  static constexpr event_list defaults(jobwire::kind k) noexcept {
    event_list l(k);
    l.add({true, phase::completed});
    l.add({true, phase::failed});
    l.add({true, phase::cancelled});
    l.add({true, phase::expired});
    l.defaulted_ = true;
    return l;
  }

  constexpr jobwire::kind kind() const noexcept { return kind_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const subscription_event* begin() const noexcept { return items_; }
  constexpr const subscription_event* end() const noexcept { return items_ + size_; }
  constexpr subscription_event operator[](std::size_t i) const noexcept { return items_[i]; }
  /// True when the list is the default (events omitted, null or empty).
  constexpr bool is_default() const noexcept { return defaulted_; }

  constexpr bool contains(subscription_event e) const noexcept {
    return ((e.any_kind ? job_phases_ : kind_phases_) & phase_bit(e.phase)) != 0;
  }
  /// Adds `e` unless present; false when it was a duplicate.
  constexpr bool add(subscription_event e) noexcept {
    if (contains(e)) return false;
    items_[size_++] = e;
    (e.any_kind ? job_phases_ : kind_phases_) |= phase_bit(e.phase);
    return true;
  }

  /// A delivery for phase `p` of a job of kind `k` is sent when the list contains
  /// `job.<p>` or `<k>.<p>` (PROTOCOL.md §7).
  constexpr bool is_subscribed(jobwire::kind k, phase p) const noexcept {
    return (job_phases_ & phase_bit(p)) != 0 || (k == kind_ && (kind_phases_ & phase_bit(p)) != 0);
  }
  constexpr bool is_subscribed(phase p) const noexcept { return is_subscribed(kind_, p); }

  /// Appends the name of entry `e` (`job.completed`, `video.progress`).
  void append_name(std::string& out, subscription_event e) const {
    out += e.any_kind ? std::string_view("job") : kind_name(kind_);
    out += '.';
    out += phase_name(e.phase);
  }
  std::string name(subscription_event e) const {
    std::string s;
    append_name(s, e);
    return s;
  }

 private:
  subscription_event items_[capacity] = {};
  std::size_t size_ = 0;
  phase_set job_phases_ = 0, kind_phases_ = 0;
  jobwire::kind kind_ = kind::video;
  bool defaulted_ = false;
};

/// How to normalise an event list.
struct events_options {
  jobwire::kind kind = kind::video;
  const profile* prof = &profiles::ai_stats;
  /// jobwire policy (PROTOCOL.md §7): reject the whole list at the first entry that the
  /// service would drop as invalid (not a string, empty, unknown, other kind). Duplicates
  /// are valid names said twice; they are still only reported.
  bool strict = false;
};

/// Normalises a list of entries given as strings (bindings, the sender's configuration).
/// `ignored`, when non-null, receives every dropped entry. An empty list gives the
/// defaults; a non-empty list where nothing survives is `no_valid_events`.
inline result<event_list> normalise_events(const std::string_view* entries, std::size_t count,
                                           const events_options& opt = {},
                                           std::vector<ignored_event>* ignored = nullptr) {
  if (count == 0) return event_list::defaults(opt.kind);
  event_list list(opt.kind);
  for (std::size_t i = 0; i < count; ++i) {
    auto e = normalise_event_name(entries[i], opt.kind, *opt.prof);
    errc reason = e ? (list.add(*e) ? errc::ok : errc::duplicate_event) : e.code();
    if (reason == errc::ok) continue;
    if (opt.strict && reason != errc::duplicate_event) return error(reason, i);
    if (ignored) ignored->push_back({entries[i], i, reason, false});
  }
  if (list.empty()) return errc::no_valid_events;
  return list;
}

/// Normalises the JSON `events` member: absent or null → defaults; an array → each entry
/// as above (non-strings are `event_not_string`); anything else → `invalid_events_type`.
/// `ignored[].value` is the entry's raw JSON text. On strict rejection the error's offset
/// is the index of the offending entry.
inline result<event_list> normalise_events(json::value events, const events_options& opt = {},
                                           std::vector<ignored_event>* ignored = nullptr) {
  if (!events.exists() || events.is_null()) return event_list::defaults(opt.kind);
  auto arr = events.get_array();
  if (!arr) return errc::invalid_events_type;
  event_list list(opt.kind);
  std::size_t i = 0;
  bool any = false;
  for (json::value v : *arr) {
    any = true;
    errc reason = errc::ok;
    if (!v.is_string()) {
      reason = errc::event_not_string;
    } else {
      json::string js = *v.get_string();
      char buf[max_event_name_length * 4 + 8];
      std::size_t need = js.has_escapes() ? js.decoded_size() : js.raw().size();
      if (need > sizeof buf) {
        reason = errc::invalid_event;  // far longer than any name, even with spaces to trim
      } else {
        std::size_t n = js.decode_to(buf, sizeof buf);
        auto e = normalise_event_name(std::string_view(buf, n), opt.kind, *opt.prof);
        reason = e ? (list.add(*e) ? errc::ok : errc::duplicate_event) : e.code();
      }
    }
    if (reason != errc::ok) {
      if (opt.strict && reason != errc::duplicate_event) return error(reason, i);
      if (ignored) ignored->push_back({v.raw(), i, reason, true});
    }
    ++i;
  }
  if (!any) return event_list::defaults(opt.kind);
  if (list.empty()) return errc::no_valid_events;
  return list;
}

// --- the webhook object ----------------------------------------------------------------

struct subscription_options {
  events_options events{};
  callback_url_options url{};
};

/// A validated `webhook` subscription.
struct webhook_subscription {
  std::string url;     ///< WHATWG-serialised callback URL
  std::string secret;  ///< trimmed; empty means unsigned deliveries
  event_list events;
  std::vector<ignored_event> ignored;  ///< views into the JSON text the subscription came from

  bool has_secret() const noexcept { return !secret.empty(); }
  bool is_subscribed(kind k, phase p) const noexcept { return events.is_subscribed(k, p); }
};

/// Parses and validates the `webhook` object (PROTOCOL.md §7, §8): keys other than
/// `url`, `secret`, `events` → `unknown_subscription_key`; `url` missing or null →
/// `missing_url`, not a string → `invalid_url_type`, then the callback URL policy;
/// `secret` not a string → `invalid_secret` (it is trimmed; empty means unsigned, which a
/// profile requiring secrets refuses with `secret_required`); `events` as
/// `normalise_events`. Errors carry the byte offset of the offending value when the
/// object came from `text` (see the overload below).
inline result<webhook_subscription> parse_webhook_subscription(json::value webhook,
                                                               const subscription_options& opt = {},
                                                               const char* text_begin = nullptr) {
  auto off = [&](const json::value& v) {
    return text_begin && v.exists() ? static_cast<std::size_t>(v.data() - text_begin) : error::no_offset;
  };
  auto obj = webhook.get_object();
  if (!obj) return error(errc::invalid_webhook, off(webhook));
  for (const auto& m : *obj) {
    if (!(m.key.equals("url") || m.key.equals("secret") || m.key.equals("events"))) {
      std::size_t at = text_begin ? static_cast<std::size_t>(m.key.raw().data() - 1 - text_begin) : error::no_offset;
      return error(errc::unknown_subscription_key, at);
    }
  }
  json::value url = obj->find("url");
  json::value secret = obj->find("secret");
  json::value events = obj->find("events");
  if (!url.exists() || url.is_null()) return error(errc::missing_url, off(webhook));
  if (!url.is_string()) return error(errc::invalid_url_type, off(url));
  if (secret.exists() && !secret.is_string()) return error(errc::invalid_secret, off(secret));
  if (events.exists() && !events.is_null() && !events.is_array()) return error(errc::invalid_events_type, off(events));

  webhook_subscription sub;
  {
    std::string url_text = url.get_string()->to_string();
    auto checked = check_callback_url(url_text, opt.url);
    if (!checked) return error(checked.code(), off(url));
    sub.url = checked->serialise();
  }
  if (secret.exists()) {
    std::string raw = secret.get_string()->to_string();
    sub.secret = std::string(trim_js_whitespace(raw));
  }
  if (sub.secret.empty() && opt.events.prof->secret_required) return error(errc::secret_required, off(webhook));
  auto list = normalise_events(events, opt.events, &sub.ignored);
  if (!list) {
    // Strict mode reports the entry index; translate it to the entry's byte offset.
    std::size_t at = off(events);
    if (list.error().has_offset() && events.is_array()) at = off(events.get_array()->at(list.error().offset));
    return error(list.code(), at);
  }
  sub.events = *list;
  return sub;
}

/// Parses the JSON text of a `webhook` object, then validates it as above. `ignored`
/// views point into `text`.
inline result<webhook_subscription> parse_webhook_subscription(std::string_view text,
                                                               const subscription_options& opt = {}) {
  auto doc = json::parse(text);
  if (!doc) return doc.error();
  return parse_webhook_subscription(*doc, opt, text.data());
}

/// Writes the summary `{"url":...,"has_secret":...,"events":[...],"ignored":[{"value":...,"reason":"..."}]}`
/// (docs/CLI.md `check-subscription`). The secret itself is never written.
inline void append_subscription_summary(std::string& out, const webhook_subscription& sub) {
  out += "{\"url\":";
  json::append_quoted(out, sub.url);
  out += ",\"has_secret\":";
  out += sub.has_secret() ? "true" : "false";
  out += ",\"events\":[";
  bool first = true;
  for (subscription_event e : sub.events) {
    if (!first) out += ',';
    first = false;
    json::append_quoted(out, sub.events.name(e));
  }
  out += "],\"ignored\":[";
  first = true;
  for (const auto& ig : sub.ignored) {
    if (!first) out += ',';
    first = false;
    out += "{\"value\":";
    if (ig.is_json)
      out += ig.value;  // the entry exactly as the caller wrote it
    else
      json::append_quoted(out, ig.value);
    out += ",\"reason\":";
    json::append_quoted(out, error_name(ig.reason));
    out += '}';
  }
  out += "]}";
}

}  // namespace jobwire
