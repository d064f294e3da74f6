// jobwire — webhook subscriptions: the `webhook` object `{url, secret?, events?}` and the
// normalisation of its event list (PROTOCOL.md §7), with the callback URL checked by
// callback_url.hpp (§8); and, for the current service (profile `phaseo`, §16.2), the
// endpoint subscription `{endpoint_id, events?}` with its stored event list, the batch
// form `webhook_endpoint_id` and the effective-list rule at send time.
//
// The service drops invalid `events` entries silently. jobwire keeps the same result but
// reports every dropped entry with its reason (and offers a strict mode that rejects
// instead), so a caller can see why `["video.completd"]` never fires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
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
  errc reason =
      errc::invalid_event;  ///< event_not_string, empty_event, invalid_event, cross_kind_event, duplicate_event
  bool is_json = true;      ///< `value` is raw JSON text (else a plain string)
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
  if (c0 == 0xC2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c0 == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c0 == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8A || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
    return b(2) >= 0x80 ? 3 : 0;                             // U+2000..200A, 2028, 2029, 202F
  if (c0 == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c0 == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c0 == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
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

namespace subscription_detail {
// `[{"value":...,"reason":"..."},...]`: the dropped entries, each exactly as written.
inline void append_ignored(std::string& out, const std::vector<ignored_event>& ignored) {
  out += '[';
  bool first = true;
  for (const auto& ig : ignored) {
    if (!first) out += ',';
    first = false;
    out += "{\"value\":";
    if (ig.is_json) out += ig.value;  // the entry exactly as the caller wrote it
    else json::append_quoted(out, ig.value);
    out += ",\"reason\":";
    json::append_quoted(out, error_name(ig.reason));
    out += '}';
  }
  out += ']';
}
}  // namespace subscription_detail

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
  out += "],\"ignored\":";
  subscription_detail::append_ignored(out, sub.ignored);
  out += '}';
}

// --- endpoint subscriptions: profile phaseo (PROTOCOL.md §16.2) -----------------------------
//
// The current service subscribes a job to a *webhook endpoint* (endpoints.hpp) instead of
// an inline URL and secret. Its event list is normalised differently from the seed era:
// the list is stored as the caller's entries after normalisation (strings, so that an
// entry such as `job.completed.extra` is kept verbatim although it can never match),
// `[]` or an omitted list is stored as `[]` and means "inherit", and the list that
// decides what is sent is chosen at send time (`effective_events`).

/// What a job subscribes to when neither the request nor the endpoint names an event
/// (AN:36-42): the four terminal phases and `status_changed`.
inline constexpr std::string_view request_default_events[] = {"job.status_changed", "job.completed", "job.failed",
                                                              "job.cancelled", "job.expired"};
/// What an endpoint created or patched without events (or with `[]`) stores (WE:38-45).
/// Note the consequence the service's docs miss: a video job that inherits this list gets
/// neither `status_changed` nor `expired`.
inline constexpr std::string_view endpoint_default_events[] = {"video.completed", "video.failed", "video.cancelled",
                                                               "batch.completed", "batch.failed", "batch.cancelled"};

/// Normalises one stored `events` entry for a job of kind `k` (§16.2, AN:301-315): trim
/// (JavaScript `trim`), lower-case, `canceled` and a `.canceled` suffix become
/// `cancelled`, a bare phase becomes `job.<phase>`; otherwise the text before the first
/// `.` must be `job` or the kind and the text up to the second `.` (JavaScript's
/// `split(".", 2)`) a phase of the profile; the rest is kept verbatim. Errors:
/// `empty_event` (only whitespace), `cross_kind_event` (the other kind's prefix),
/// `invalid_event` (anything else). Lower-casing is ASCII only: a non-ASCII upper-case
/// letter in a verbatim tail keeps its case (the service lower-cases it; such an entry
/// never matches either way).
inline result<std::string> normalise_stored_event(std::string_view entry, kind k,
                                                  const profile& prof = profiles::phaseo) {
  std::string_view t = trim_js_whitespace(entry);
  if (t.empty()) return errc::empty_event;
  std::string name(t);
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  constexpr std::string_view canceled = ".canceled";
  if (name == "canceled") {
    name = "cancelled";
  } else if (name.size() > canceled.size() &&
             name.compare(name.size() - canceled.size(), canceled.size(), canceled) == 0) {
    name.replace(name.size() - canceled.size(), canceled.size(), ".cancelled");
  }
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos) {
    auto ph = parse_phase(name);
    if (!ph || !prof.has_phase(*ph)) return errc::invalid_event;
    return "job." + name;
  }
  const std::string_view prefix = std::string_view(name).substr(0, dot);
  const std::size_t dot2 = name.find('.', dot + 1);
  const std::string_view second =
      std::string_view(name).substr(dot + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot - 1);
  auto ph = parse_phase(second);
  if (!ph || !prof.has_phase(*ph)) return errc::invalid_event;
  if (prefix == "job" || prefix == kind_name(k)) return name;
  if (parse_kind(prefix)) return errc::cross_kind_event;
  return errc::invalid_event;
}

/// True when a stored list sends phase `p` of a job of kind `k`: matching is exact, the
/// entry must be `job.<p>` or `<k>.<p>` (AN:562-570), so a verbatim tail never matches.
inline bool stored_events_match(const std::vector<std::string>& events, kind k, phase p) {
  for (const std::string& e : events) {
    const std::size_t dot = e.find('.');
    if (dot == std::string::npos) continue;
    const std::string_view prefix = std::string_view(e).substr(0, dot);
    if ((prefix == "job" || prefix == kind_name(k)) && std::string_view(e).substr(dot + 1) == phase_name(p))
      return true;
  }
  return false;
}

namespace subscription_detail {
// Adds a normalised entry unless it is already there; false for a duplicate.
inline bool add_unique(std::vector<std::string>& list, std::string name) {
  for (const std::string& e : list)
    if (e == name) return false;
  list.push_back(std::move(name));
  return true;
}
}  // namespace subscription_detail

/// Normalises the `events` member of an endpoint subscription (§16.2): omitted → `[]`
/// (inherit); `null` or a non-array → `invalid_events_type`; an entry that is not a
/// string → `event_not_string` and an empty string → `empty_event`, always (the
/// service's schema rejects them, whatever the mode); an entry of whitespace only, an
/// unknown or other-kind name is dropped and reported (strict mode: rejected with its
/// index as the error offset); a repeat is dropped and reported; a non-empty list of
/// which nothing survives is `no_valid_events`. `[]` stays `[]`.
inline result<std::vector<std::string>> normalise_stored_events(json::value events, const events_options& opt,
                                                                std::vector<ignored_event>* ignored = nullptr) {
  std::vector<std::string> list;
  if (!events.exists()) return list;
  auto arr = events.get_array();
  if (!arr) return errc::invalid_events_type;  // includes null: the schema has no nullable
  std::size_t i = 0;
  for (json::value v : *arr) {
    if (!v.is_string()) return error(errc::event_not_string, i);
    const std::string text = v.get_string()->to_string();
    if (text.empty()) return error(errc::empty_event, i);
    auto e = normalise_stored_event(text, opt.kind, *opt.prof);
    errc reason =
        e ? (subscription_detail::add_unique(list, std::move(*e)) ? errc::ok : errc::duplicate_event) : e.code();
    if (reason != errc::ok) {
      if (opt.strict && reason != errc::duplicate_event) return error(reason, i);
      if (ignored) ignored->push_back({v.raw(), i, reason, true});
    }
    ++i;
  }
  if (i > 0 && list.empty()) return errc::no_valid_events;
  return list;
}

/// The same over plain strings (bindings, configuration): an empty string is
/// `empty_event`, an empty list is `[]`; `ignored[].value` are the caller's strings.
inline result<std::vector<std::string>> normalise_stored_events(const std::string_view* entries, std::size_t count,
                                                                const events_options& opt,
                                                                std::vector<ignored_event>* ignored = nullptr) {
  std::vector<std::string> list;
  for (std::size_t i = 0; i < count; ++i) {
    if (entries[i].empty()) return error(errc::empty_event, i);
    auto e = normalise_stored_event(entries[i], opt.kind, *opt.prof);
    errc reason =
        e ? (subscription_detail::add_unique(list, std::move(*e)) ? errc::ok : errc::duplicate_event) : e.code();
    if (reason != errc::ok) {
      if (opt.strict && reason != errc::duplicate_event) return error(reason, i);
      if (ignored) ignored->push_back({entries[i], i, reason, false});
    }
  }
  if (count > 0 && list.empty()) return errc::no_valid_events;
  return list;
}

/// The list that decides what is sent for a job of kind `k` (§16.2, AN:506-539): the
/// first non-empty of the request's stored list, the endpoint's events normalised for
/// this kind (entries that do not normalise are skipped, repeats removed), and
/// `request_default_events`.
inline std::vector<std::string> effective_events(kind k, const std::vector<std::string>& request_events,
                                                 const std::vector<std::string>& endpoint_events,
                                                 const profile& prof = profiles::phaseo) {
  if (!request_events.empty()) return request_events;
  std::vector<std::string> list;
  for (const std::string& entry : endpoint_events) {
    auto e = normalise_stored_event(entry, k, prof);
    if (e) subscription_detail::add_unique(list, std::move(*e));
  }
  if (!list.empty()) return list;
  return {std::begin(request_default_events), std::end(request_default_events)};
}

/// Longest webhook endpoint id: a UUID in its canonical text form.
constexpr std::size_t endpoint_id_length = 36;

/// True for a UUID in the canonical 8-4-4-4-12 hexadecimal form, either case. The
/// service stores endpoints under UUID keys and answers 400
/// `video_webhook_endpoint_not_found_or_inactive` for any other id, so jobwire refuses
/// the shape early; whether the endpoint exists and is active only the service knows.
constexpr bool is_uuid_text(std::string_view s) noexcept {
  if (s.size() != endpoint_id_length) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

/// Checks a webhook endpoint id as a subscription carries it: trimmed (JavaScript
/// `trim`), then a UUID. Blank → `invalid_endpoint_id` (the service's "Invalid video
/// webhook configuration"), other shapes → `invalid_endpoint_id` too.
inline result<std::string_view> check_endpoint_id(std::string_view id) noexcept {
  std::string_view t = trim_js_whitespace(id);
  if (t.empty() || !is_uuid_text(t)) return errc::invalid_endpoint_id;
  return t;
}

/// A validated endpoint subscription (§16.2).
struct endpoint_subscription {
  std::string endpoint_id;  ///< trimmed UUID
  jobwire::kind kind = kind::video;
  std::vector<std::string> events;     ///< the stored list: `[]` means inherit
  std::vector<ignored_event> ignored;  ///< views into the JSON text the subscription came from

  /// Deliveries through an endpoint are always signed with the endpoint's secret, so the
  /// public `webhook.has_secret` is true whenever `endpoint_id` is set (AN:385-467).
  bool has_secret() const noexcept { return !endpoint_id.empty(); }
  /// The list that decides what is sent, given the endpoint's stored events.
  std::vector<std::string> effective(const std::vector<std::string>& endpoint_events) const {
    return effective_events(kind, events, endpoint_events);
  }
  bool is_subscribed(phase p, const std::vector<std::string>& endpoint_events) const {
    return stored_events_match(effective(endpoint_events), kind, p);
  }
};

namespace subscription_detail {
inline std::size_t offset_in(const json::value& v, const char* text_begin) noexcept {
  return text_begin && v.exists() ? static_cast<std::size_t>(v.data() - text_begin) : error::no_offset;
}
inline result<std::string> endpoint_id_of(json::value v, const char* text_begin) {
  if (!v.exists() || v.is_null()) return errc::missing_endpoint_id;
  if (!v.is_string()) return error(errc::invalid_endpoint_id, offset_in(v, text_begin));
  const std::string raw = v.get_string()->to_string();
  auto id = check_endpoint_id(raw);
  if (!id) return error(id.code(), offset_in(v, text_begin));
  return std::string(*id);
}
}  // namespace subscription_detail

/// Options for the endpoint subscription parsers: kind, strictness, and the phaseo
/// phase set (the only profile that has endpoint subscriptions).
inline events_options endpoint_events_options(kind k = kind::video, bool strict = false) noexcept {
  events_options o;
  o.kind = k;
  o.prof = &profiles::phaseo;
  o.strict = strict;
  return o;
}

/// Parses the video or batch `webhook` object of the current service,
/// `{endpoint_id, events?}`, strictly (§16.2, SC:1654-1667): `url` → `url_not_allowed`,
/// `secret` → `secret_not_allowed` (the endpoint holds both), any other key →
/// `unknown_subscription_key`; `endpoint_id` missing or null → `missing_endpoint_id`, not
/// a string, blank after trimming or not a UUID → `invalid_endpoint_id`; `events` as
/// `normalise_stored_events`. `opt.kind` is the job's kind. Errors carry the byte offset
/// of the offending value when `text_begin` is given.
inline result<endpoint_subscription> parse_endpoint_subscription(json::value webhook, const events_options& opt,
                                                                 const char* text_begin = nullptr) {
  using subscription_detail::offset_in;
  auto obj = webhook.get_object();
  if (!obj) return error(errc::invalid_webhook, offset_in(webhook, text_begin));
  for (const auto& m : *obj) {
    const std::size_t at =
        text_begin ? static_cast<std::size_t>(m.key.raw().data() - 1 - text_begin) : error::no_offset;
    if (m.key.equals("url")) return error(errc::url_not_allowed, at);
    if (m.key.equals("secret")) return error(errc::secret_not_allowed, at);
    if (!(m.key.equals("endpoint_id") || m.key.equals("events"))) return error(errc::unknown_subscription_key, at);
  }
  endpoint_subscription sub;
  sub.kind = opt.kind;
  {
    auto id = subscription_detail::endpoint_id_of(obj->find("endpoint_id"), text_begin);
    if (!id)
      return id.code() == errc::missing_endpoint_id ? error(errc::missing_endpoint_id, offset_in(webhook, text_begin))
                                                    : id.error();
    sub.endpoint_id = std::move(*id);
  }
  json::value events = obj->find("events");
  auto list = normalise_stored_events(events, opt, &sub.ignored);
  if (!list) {
    std::size_t at = offset_in(events, text_begin);
    if (list.error().has_offset() && events.is_array())
      at = offset_in(events.get_array()->at(list.error().offset), text_begin);
    return error(list.code(), at);
  }
  sub.events = std::move(*list);
  return sub;
}

/// Parses the JSON text of an endpoint `webhook` object, then validates it as above.
inline result<endpoint_subscription> parse_endpoint_subscription(std::string_view text, const events_options& opt) {
  auto doc = json::parse(text);
  if (!doc) return doc.error();
  return parse_endpoint_subscription(*doc, opt, text.data());
}

/// The subscription of a batch request body (§16.2, SC:252-282): `webhook`
/// `{endpoint_id, events?}` (strict, as above) or the top-level `webhook_endpoint_id`;
/// `webhook` wins when both are present (a `null` `webhook` counts as absent). Neither →
/// `missing_endpoint_id` (the service's `batch_webhook_endpoint_required`). Other members
/// of the request are not looked at. The kind is always `batch`.
inline result<endpoint_subscription> parse_batch_subscription(json::value request, events_options opt,
                                                              const char* text_begin = nullptr) {
  using subscription_detail::offset_in;
  opt.kind = kind::batch;
  auto obj = request.get_object();
  if (!obj) return error(errc::invalid_webhook, offset_in(request, text_begin));
  json::value webhook = obj->find("webhook");
  if (webhook.exists() && !webhook.is_null()) return parse_endpoint_subscription(webhook, opt, text_begin);
  endpoint_subscription sub;
  sub.kind = kind::batch;
  auto id = subscription_detail::endpoint_id_of(obj->find("webhook_endpoint_id"), text_begin);
  if (!id)
    return id.code() == errc::missing_endpoint_id ? error(errc::missing_endpoint_id, offset_in(request, text_begin))
                                                  : id.error();
  sub.endpoint_id = std::move(*id);
  return sub;  // events [] : inherit the endpoint's list
}

/// Parses the JSON text of a batch request body, then reads its subscription as above.
inline result<endpoint_subscription> parse_batch_subscription(std::string_view text, const events_options& opt) {
  auto doc = json::parse(text);
  if (!doc) return doc.error();
  return parse_batch_subscription(*doc, opt, text.data());
}

/// Writes the summary of an endpoint subscription (docs/CLI.md `check-subscription`
/// under `--profile phaseo`): `{"endpoint_id":"...","url":null,"has_secret":true,
/// "events":[...stored...],"ignored":[...]}`; `effective`, when given, adds
/// `"effective_events":[...]`.
inline void append_endpoint_subscription_summary(std::string& out, const endpoint_subscription& sub,
                                                 const std::vector<std::string>* effective = nullptr) {
  auto list = [&](const std::vector<std::string>& l) {
    out += '[';
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (i) out += ',';
      json::append_quoted(out, l[i]);
    }
    out += ']';
  };
  out += "{\"endpoint_id\":";
  json::append_quoted(out, sub.endpoint_id);
  out += ",\"url\":null,\"has_secret\":";
  out += sub.has_secret() ? "true" : "false";
  out += ",\"events\":";
  list(sub.events);
  if (effective) {
    out += ",\"effective_events\":";
    list(*effective);
  }
  out += ",\"ignored\":";
  subscription_detail::append_ignored(out, sub.ignored);
  out += '}';
}

}  // namespace jobwire
