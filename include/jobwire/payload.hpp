// jobwire — typed, validated, zero-copy views of job payloads (PROTOCOL.md §4, §5, §6, §10).
//
// Four documents: the create response (§4), the status object (§5), the webhook delivery
// envelope (§10) and websocket server messages (§6). Each parser validates the JSON text
// (json.hpp, strict), walks every member once, type-checks every field it knows and
// ignores every field it does not (the service adds fields over time). The views it
// returns point into the caller's buffer: nothing is copied, nothing allocates, and they
// are valid only while that buffer is.
//
// Errors carry a precise code and, where there is one, the byte offset of the offending
// value (a missing field reports the offset of the object that lacks it).
//
// Fields the service sends in more than one type are accepted in each: `created_at` and
// the other timestamps (Unix seconds or ISO-8601 string), `error` (string or
// `{message}`), `seconds` (number or string). `null` is accepted for every optional field
// and reads as absent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "attempt.hpp"  // attempt_status and the ledger bounds (§10, §12)
#include "error.hpp"
#include "events.hpp"
#include "job.hpp"
#include "json.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

/// Options shared by the payload parsers.
struct payload_options {
  /// Opt-in leniencies (leniency.hpp). Read here: `lenient::unknown_status` (unknown
  /// status words map to the service's queued/pending instead of `unknown_status`) and
  /// `lenient::inconsistent_status` (by default a payload whose `status` and
  /// `lifecycle_status` contradict each other is `inconsistent_status`; a receiver that
  /// wants to *act* on the contradiction — refetch, §13.3 — sets it and reads
  /// `job_data::consistent`). Duplicate keys are refused in payloads whatever is set.
  lenient leniency = lenient::none;
  /// Phase set used for event types and delivery keys (phaseo adds `status_changed`).
  const profile* prof = &profiles::ai_stats;
  /// Limits for the JSON reader (duplicate keys are always rejected in payloads).
  json::limits json{};
};

// `webhook.attempts` holds at most `ledger_public_limit` entries and a preview at most
// `response_preview_max_chars` characters (attempt.hpp: the sender's bounds, §10, §12);
// the resource limits of payload parsing are the JSON reader's (`json`).

// --- field holders ---------------------------------------------------------------------

/// An optional string field. Absent and `null` both read as `present == false`.
struct text_field {
  json::string value{};
  bool present = false;
  std::string_view raw() const noexcept { return value.raw(); }
};
struct number_field {
  double value = 0;
  bool present = false;
};
struct integer_field {
  std::int64_t value = 0;
  bool present = false;
};

/// A timestamp the service sends either as Unix seconds or as an ISO-8601 string.
struct time_field {
  enum class form : std::uint8_t { absent, number, string };
  form kind = form::absent;
  double seconds = 0;   ///< when kind == number
  json::string text{};  ///< when kind == string (not parsed: the format is the sender's)
  bool present() const noexcept { return kind != form::absent; }
};

/// `error`: a string, or an object whose `message` is the text (§5).
struct error_field {
  enum class form : std::uint8_t { absent, string, object };
  form kind = form::absent;
  json::string message{};  ///< the string itself, or the object's `message` (may be absent)
  bool has_message = false;
  json::value object{};  ///< the whole object, when kind == object
  bool present() const noexcept { return kind != form::absent; }
};

/// `output_access` (§5): which ways of reading the output exist. Default `both`.
enum class output_access : std::uint8_t { both, bytes, signed_url };
/// `progress_source` (§5).
enum class progress_source : std::uint8_t { none, provider, estimated };

constexpr std::string_view output_access_name(output_access a) noexcept {
  return a == output_access::bytes ? "bytes" : a == output_access::signed_url ? "signed_url" : "both";
}
constexpr std::string_view progress_source_name(progress_source s) noexcept {
  return s == progress_source::provider ? "provider" : s == progress_source::estimated ? "estimated" : "none";
}

namespace detail {

/// The closing quote of a validated string whose body starts at `p`, scanning 8 bytes at
/// a time for '"' or '\\' (bounded by `end`, the end of the input, so no read goes past
/// the caller's buffer). Sets `escaped` when a backslash was seen.
inline const char* fast_string_close(const char* p, const char* end, bool& escaped) noexcept {
  escaped = false;
  for (;;) {
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t hit = json::detail::bytes_equal_to(w, '"') | json::detail::bytes_equal_to(w, '\\');
      if (hit) {
        // The first flagged byte is exact (json::detail::first_flagged_byte).
        p += json::detail::first_flagged_byte(hit);
        break;
      }
      p += 8;
    }
    const char c = *p;
    if (c == '"') return p;
    if (c == '\\') {
      escaped = true;
      p += 2;
      continue;
    }
    ++p;
  }
}

/// Skips one validated value like `json::detail::skip_value`, with the fast string scan.
inline const char* fast_skip_value(const char* p, const char* end) noexcept {
  bool esc;
  switch (*p) {
    case '"': return fast_string_close(p + 1, end, esc) + 1;
    case '{':
    case '[': {
      std::size_t depth = 0;
      for (;;) {
        const char c = *p;
        if (c == '"') {
          p = fast_string_close(p + 1, end, esc) + 1;
          continue;
        }
        ++p;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return p;
        }
      }
    }
    default: return json::detail::skip_value(p);
  }
}

/// Walks payload objects and reports errors with byte offsets relative to `base`.
class payload_reader {
 public:
  payload_reader(const char* base, const char* end, const payload_options& opt) noexcept
      : base_(base), end_(end), opt_(opt) {}

  /// End of the input (bounds the word-at-a-time scans).
  const char* input_end() const noexcept { return end_; }
  /// The string value at `v` (a string), found with the fast scan.
  json::string string_at(json::value v) const noexcept {
    bool esc;
    const char* close = fast_string_close(v.data() + 1, end_, esc);
    last_string_ = v.data();
    last_string_end_ = close + 1;
    return json::detail::view_access::make_string(v.data() + 1, static_cast<std::size_t>(close - (v.data() + 1)), esc);
  }
  /// Where the string value starting at `v` ends, when string_at just read it (so the
  /// walker does not scan it a second time); nullptr otherwise.
  const char* known_end(const char* v) const noexcept { return v == last_string_ ? last_string_end_ : nullptr; }

  const payload_options& options() const noexcept { return opt_; }

  error at(errc c, json::value v) const noexcept { return error(c, offset(v.data())); }
  error at(errc c, const char* p) const noexcept { return error(c, offset(p)); }
  std::size_t offset(const char* p) const noexcept { return p ? static_cast<std::size_t>(p - base_) : 0; }

  static bool absent(json::value v) noexcept { return !v.exists() || v.is_null(); }

  jobwire::void_result text(json::value v, text_field& out) const noexcept {
    if (absent(v)) return {};
    if (!v.is_string()) return at(errc::invalid_field, v);
    out.value = string_at(v);
    out.present = true;
    return {};
  }
  /// A string field holding an enum word; `parse(word, T&)` returns false on unknown.
  template <class T, class Parse>
  jobwire::void_result word(json::value v, T& out, bool& present, Parse parse) const noexcept {
    if (absent(v)) return {};
    if (!v.is_string()) return at(errc::invalid_field, v);
    json::string s = string_at(v);
    if (s.has_escapes() || !parse(s.raw(), out)) return at(errc::invalid_field, v);
    present = true;
    return {};
  }
  jobwire::void_result number(json::value v, number_field& out) const noexcept {
    if (absent(v)) return {};
    if (!v.is_number()) return at(errc::invalid_field, v);
    auto d = v.get_double();
    if (!d) return at(errc::invalid_field, v);
    out.value = *d;
    out.present = true;
    return {};
  }
  /// A non-negative finite number (durations, intervals).
  jobwire::void_result non_negative(json::value v, number_field& out) const noexcept {
    jobwire::void_result st = number(v, out);
    if (st && out.present && !(out.value >= 0)) return at(errc::invalid_field, v);
    return st;
  }
  /// A progress percentage: a number in 0..100.
  jobwire::void_result percent(json::value v, number_field& out, bool integer_only) const noexcept {
    jobwire::void_result st = number(v, out);
    if (!st || !out.present) return st;
    if (!(out.value >= 0 && out.value <= 100)) return at(errc::invalid_field, v);
    if (integer_only && !v.is_integer_text()) return at(errc::invalid_field, v);
    return {};
  }
  jobwire::void_result integer(json::value v, integer_field& out, std::int64_t min_value = 0) const noexcept {
    if (absent(v)) return {};
    if (!v.is_number()) return at(errc::invalid_field, v);
    auto i = v.get_int64();
    if (!i || *i < min_value) return at(errc::invalid_field, v);
    out.value = *i;
    out.present = true;
    return {};
  }
  jobwire::void_result boolean(json::value v, bool& out, bool& present) const noexcept {
    if (absent(v)) return {};
    if (!v.is_bool()) return at(errc::invalid_field, v);
    out = *v.get_bool();
    present = true;
    return {};
  }
  jobwire::void_result time(json::value v, time_field& out) const noexcept {
    if (absent(v)) return {};
    if (v.is_number()) {
      auto d = v.get_double();
      if (!d) return at(errc::invalid_field, v);
      out.kind = time_field::form::number;
      out.seconds = *d;
      return {};
    }
    if (v.is_string()) {
      out.kind = time_field::form::string;
      out.text = string_at(v);
      return {};
    }
    return at(errc::invalid_field, v);
  }
  /// Any JSON value the protocol leaves open (diagnostics, billing); `null` is absent.
  static void any(json::value v, json::value& out) noexcept {
    if (!absent(v)) out = v;
  }
  /// An object-or-null field kept as a view for the caller to read.
  jobwire::void_result object_value(json::value v, json::value& out) const noexcept {
    if (absent(v)) return {};
    if (!v.is_object()) return at(errc::invalid_field, v);
    out = v;
    return {};
  }
  jobwire::void_result error_value(json::value v, error_field& out) const noexcept {
    if (absent(v)) return {};
    if (v.is_string()) {
      out.kind = error_field::form::string;
      out.message = string_at(v);
      out.has_message = true;
      return {};
    }
    if (!v.is_object()) return at(errc::invalid_field, v);
    out.kind = error_field::form::object;
    out.object = v;
    json::value m = v.get_object()->find("message");
    if (absent(m)) return {};
    if (!m.is_string()) return at(errc::invalid_field, m);
    out.message = *m.get_string();
    out.has_message = true;
    return {};
  }
  /// An id field: a string of 1..256 bytes without control characters, written without
  /// JSON escapes (a view cannot unescape in place, and real ids never need escaping).
  template <class Id>
  jobwire::void_result id(json::value v, Id& out, errc if_not_string = errc::invalid_field) const noexcept {
    if (!v.is_string()) return at(if_not_string, v);
    json::string s = string_at(v);
    if (s.has_escapes()) return at(errc::invalid_job_id, v);
    auto parsed = Id::parse(s.raw());
    if (!parsed) return at(errc::invalid_job_id, v);
    out = *parsed;
    return {};
  }
  /// An array of strings (e.g. `events`); kept as a view with its size.
  jobwire::void_result string_array(json::value v, json::array& out, std::size_t& count) const noexcept {
    if (absent(v)) return {};
    if (!v.is_array()) return at(errc::invalid_field, v);
    out = *v.get_array();
    count = 0;
    for (json::value e : out) {
      if (!e.is_string()) return at(errc::invalid_field, e);
      ++count;
    }
    return {};
  }

 private:
  const char* base_;
  const char* end_;
  const payload_options& opt_;
  mutable const char* last_string_ = nullptr;
  mutable const char* last_string_end_ = nullptr;
};

/// Walks the members of a validated object once. Unlike `json::object` iteration, the
/// loop body may report where the current value ends (`set_value_end`) after reading a
/// nested container itself, so a payload is scanned once instead of once per nesting
/// level (iterating skips each value to find the next member).
class member_walk {
 public:
  member_walk(json::value obj, const payload_reader& r) noexcept : r_(r), limit_(r.input_end()) {
    const char* q = json::detail::skip_ws_validated(obj.data() + 1);
    if (*q == '}') {
      end_ = q + 1;
    } else {
      p_ = q;
      load();
    }
  }
  bool done() const noexcept { return p_ == nullptr; }
  const json::member& member() const noexcept { return m_; }
  void set_value_end(const char* e) noexcept { value_end_ = e; }
  void advance() noexcept {
    const char* e = value_end_ ? value_end_ : r_.known_end(m_.value.data());
    if (!e) e = fast_skip_value(m_.value.data(), limit_);
    value_end_ = nullptr;
    const char* q = json::detail::skip_ws_validated(e);
    if (*q == ',') {
      p_ = json::detail::skip_ws_validated(q + 1);
      load();
    } else {
      p_ = nullptr;
      end_ = q + 1;
    }
  }
  /// Just past the closing brace (valid once done()).
  const char* end() const noexcept { return end_; }

 private:
  void load() noexcept {
    bool esc;
    const char* close = fast_string_close(p_ + 1, limit_, esc);
    m_.key = json::detail::view_access::make_string(p_ + 1, static_cast<std::size_t>(close - (p_ + 1)), esc);
    const char* colon = json::detail::skip_ws_validated(close + 1);
    m_.value = json::detail::view_access::make_value(json::detail::skip_ws_validated(colon + 1));
  }
  const payload_reader& r_;
  const char* limit_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  const char* value_end_ = nullptr;
  json::member m_{};
};

/// The same for the elements of a validated array.
class element_walk {
 public:
  element_walk(json::value arr, const char* input_end) noexcept : limit_(input_end) {
    const char* q = json::detail::skip_ws_validated(arr.data() + 1);
    if (*q == ']') end_ = q + 1;
    else v_ = json::detail::view_access::make_value(q);
  }
  bool done() const noexcept { return !v_.exists(); }
  json::value value() const noexcept { return v_; }
  void set_value_end(const char* e) noexcept { value_end_ = e; }
  void advance() noexcept {
    const char* e = value_end_ ? value_end_ : fast_skip_value(v_.data(), limit_);
    value_end_ = nullptr;
    const char* q = json::detail::skip_ws_validated(e);
    if (*q == ',') {
      v_ = json::detail::view_access::make_value(json::detail::skip_ws_validated(q + 1));
    } else {
      v_ = json::value();
      end_ = q + 1;
    }
  }
  const char* end() const noexcept { return end_; }

 private:
  const char* limit_;
  json::value v_{};
  const char* end_ = nullptr;
  const char* value_end_ = nullptr;
};

/// The key of a member as plain text. Keys written with escapes are decoded into `buf`
/// (a key that decodes to a known field name must still match it); keys longer than the
/// buffer are not field names and come back empty.
inline std::string_view member_key(const json::member& m, char (&buf)[48]) noexcept {
  if (!m.key.has_escapes()) return m.key.raw();
  std::size_t n = m.key.decode_to(buf, sizeof buf);
  if (n > sizeof buf) return {};
  return {buf, n};
}

inline bool parse_output_access(std::string_view s, output_access& out) noexcept {
  if (s == "both") out = output_access::both;
  else if (s == "bytes") out = output_access::bytes;
  else if (s == "signed_url") out = output_access::signed_url;
  else return false;
  return true;
}
inline bool parse_progress_source(std::string_view s, progress_source& out) noexcept {
  if (s == "provider") out = progress_source::provider;
  else if (s == "estimated") out = progress_source::estimated;
  else if (s == "none") out = progress_source::none;
  else return false;
  return true;
}
inline bool parse_attempt_status_word(std::string_view s, attempt_status& out) noexcept {
  auto r = parse_attempt_status(s);
  if (!r) return false;
  out = *r;
  return true;
}

/// Counts UTF-8 code points of validated text (continuation bytes are not counted).
inline std::size_t count_chars(json::string s) noexcept {
  std::size_t n = 0;
  if (!s.has_escapes()) {
    for (char c : s.raw())
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
  }
  json::detail::unescaper u(s.raw().data(), s.raw().data() + s.raw().size());
  char c;
  while (u.next(c))
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace detail

namespace detail {
/// How a list entry is decoded from its (already validated) JSON value.
template <class T>
struct list_decode {
  static T from(json::value v) noexcept { return T::from_validated(v); }
};
template <>
struct list_decode<json::string> {
  static json::string from(json::value v) noexcept { return *v.get_string(); }
};
}  // namespace detail

/// A read-only list of typed entries over a validated JSON array. Entries were checked
/// when the payload was parsed; iterating decodes each one again from the view.
template <class T>
class list_view {
 public:
  list_view() noexcept = default;
  list_view(json::array a, std::size_t n) noexcept : arr_(a), size_(n), present_(true) {}

  bool present() const noexcept { return present_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const json::array& json() const noexcept { return arr_; }

  class iterator {
   public:
    iterator() noexcept = default;
    explicit iterator(json::array::iterator it) noexcept : it_(it) {}
    T operator*() const noexcept { return detail::list_decode<T>::from(*it_); }
    iterator& operator++() noexcept {
      ++it_;
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.it_ == b.it_; }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.it_ != b.it_; }

   private:
    json::array::iterator it_{};
  };
  iterator begin() const noexcept { return present_ ? iterator(arr_.begin()) : iterator(); }
  iterator end() const noexcept { return iterator(); }
  /// Entry `i` (< size()).
  T at(std::size_t i) const noexcept { return detail::list_decode<T>::from(arr_.at(i)); }

 private:
  json::array arr_{};
  std::size_t size_ = 0;
  bool present_ = false;
};

namespace detail {
inline jobwire::void_result read_string_list(const payload_reader& r, json::value v,
                                             list_view<json::string>& out) noexcept {
  if (payload_reader::absent(v)) return {};
  json::array arr;
  std::size_t n = 0;
  jobwire::void_result st = r.string_array(v, arr, n);
  if (st) out = list_view<json::string>(arr, n);
  return st;
}
}  // namespace detail

// --- declared fields ---------------------------------------------------------------------
//
// A document is declared once as a table of its fields: a name and the rule that reads the
// member's value into the document. The reader below walks an object's members once and
// looks each key up in the table; what a document promises beyond its fields (a required
// `id`, the `status`/`lifecycle_status` pair) is checked after the walk. Plain fields —
// those whose rule is only "a value of this type" — are listed with an X-macro
// (X(reader, name)) that declares the struct member and its table entry together, so a
// field the service adds (PROTOCOL.md §16.6) is one line.

namespace detail {

/// The plain field readers named in the X-macros: the member type each declares and how
/// a value is read into it. Every reader accepts `null` and absence as "not present".
namespace field_readers {
struct text {
  using field = text_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept { return r.text(v, f); }
};
struct time {
  using field = time_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept { return r.time(v, f); }
};
/// A non-negative finite number (durations, intervals).
struct non_negative {
  using field = number_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return r.non_negative(v, f);
  }
};
/// A number in 0..100 (progress).
struct percent {
  using field = number_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return r.percent(v, f, false);
  }
};
/// An integer ≥ 0 (counts, byte sizes, HTTP statuses).
struct count {
  using field = integer_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return r.integer(v, f, 0);
  }
};
/// Any JSON value the protocol leaves open (diagnostics, billing), kept as a view.
struct any {
  using field = json::value;
  static jobwire::void_result read(const payload_reader&, json::value v, field& f) noexcept {
    payload_reader::any(v, f);
    return {};
  }
};
/// An object (or null), kept as a view.
struct object {
  using field = json::value;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return r.object_value(v, f);
  }
};
/// `error`: a string, or an object with a `message` (§5).
struct error {
  using field = error_field;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return r.error_value(v, f);
  }
};
/// A list of strings, kept as a view with its size.
struct strings {
  using field = list_view<json::string>;
  static jobwire::void_result read(const payload_reader& r, json::value v, field& f) noexcept {
    return read_string_list(r, v, f);
  }
};
}  // namespace field_readers

/// One declared field: its name and the rule that reads the value of a member with that
/// name into the reading state `Ctx` (the document, plus what the document checks after
/// the walk). The rule gets the walk so that a nested container read by the rule can say
/// where it ends (scanned once, see member_walk).
template <class Ctx>
struct field_rule {
  std::string_view name;
  jobwire::void_result (*read)(const payload_reader&, member_walk&, Ctx&) noexcept;
};

/// The rule of a plain field `M` read by `Reader`.
template <class Ctx, class Reader, auto M>
jobwire::void_result plain_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  return Reader::read(r, w.member().value, c.doc.*M);
}

/// The rule of a member whose value is checked after the walk, together with its siblings
/// (a required field, or one checked against another): the value is kept in the reading
/// state under `M`.
template <class Ctx, json::value Ctx::*M>
jobwire::void_result capture_rule(const payload_reader&, member_walk& w, Ctx& c) noexcept {
  c.*M = w.member().value;
  return {};
}

/// A value of one of the JSON types a field accepts (null always: absent), kept as a view.
inline jobwire::void_result read_any_of(const payload_reader& r, json::value v, bool number, bool string, bool boolean,
                                        json::value& out) noexcept {
  if (!v.is_null() && !(number && v.is_number()) && !(string && v.is_string()) && !(boolean && v.is_bool()))
    return r.at(errc::invalid_field, v);
  payload_reader::any(v, out);
  return {};
}

/// The reading state of a document that checks nothing after the walk.
template <class Doc>
struct plain_reading {
  Doc& doc;
};

// Not constexpr: reached only when a table names a field twice (or with an empty name),
// which makes the table's constant evaluation — and so the build — fail.
inline void field_table_has_duplicate_name() noexcept {}
inline void field_table_has_empty_name() noexcept {}

/// Equality of `n` bytes with fixed-size word loads the compiler keeps inline (a memcmp
/// of run-time length is a library call per candidate name): whole words, then a last
/// word that overlaps the previous one; short names in two overlapping half or quarter
/// words.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  const auto eq = [](const char* x, const char* y, auto word) noexcept {
    decltype(word) u, v;
    std::memcpy(&u, x, sizeof u);
    std::memcpy(&v, y, sizeof v);
    return u == v;
  };
  if (n >= 8) {
    for (; n > 8; a += 8, b += 8, n -= 8)
      if (!eq(a, b, std::uint64_t{})) return false;
    return eq(a + n - 8, b + n - 8, std::uint64_t{});
  }
  if (n >= 4) return eq(a, b, std::uint32_t{}) && eq(a + n - 4, b + n - 4, std::uint32_t{});
  if (n >= 2) return eq(a, b, std::uint16_t{}) && eq(a + n - 2, b + n - 2, std::uint16_t{});
  return n == 0 || *a == *b;
}

/// A document's field table with a lookup index built at compile time: a key hashes by
/// its length and its first and last bytes into 128 buckets, with the multiplier
/// chosen (at compile time) so that the table's names land in distinct buckets where one
/// exists; buckets chain otherwise. A lookup is a hash and one comparison — what the
/// hand-written first-letter switches it replaces cost, for any number of fields.
template <class Ctx, std::size_t N>
struct field_table {
  static_assert(N > 0 && N < 255, "a field table holds 1..254 fields");
  static constexpr std::uint8_t none = 0xFF;
  static constexpr std::size_t buckets = 128;
  std::array<field_rule<Ctx>, N> rules{};
  std::array<std::uint8_t, buckets> head{};
  std::array<std::uint8_t, N> next{};
  unsigned mult = 1;

  static constexpr std::size_t hash(std::string_view k, unsigned mult) noexcept {
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(k[i]); };
    return (k.size() * mult + at(0) * (mult + 2u) + at(k.size() - 1) * 3u) & (buckets - 1);
  }
  const field_rule<Ctx>* find(std::string_view k) const noexcept {
    if (k.empty()) return nullptr;
    for (std::uint8_t i = head[hash(k, mult)]; i != none; i = next[i])
      if (rules[i].name.size() == k.size() && same_bytes(rules[i].name.data(), k.data(), k.size())) return &rules[i];
    return nullptr;
  }
};

/// The table of `rules` (a braced list: `make_field_table<Ctx>({...})`).
template <class Ctx, std::size_t N>
constexpr field_table<Ctx, N> make_field_table(const field_rule<Ctx> (&rules)[N]) {
  field_table<Ctx, N> t{};
  for (std::size_t i = 0; i < N; ++i) {
    if (rules[i].name.empty()) field_table_has_empty_name();
    for (std::size_t j = 0; j < i; ++j)
      if (rules[j].name == rules[i].name) field_table_has_duplicate_name();
    t.rules[i] = rules[i];
  }
  // The first multiplier without a collision, else the one with the fewest.
  std::size_t best_collisions = N + 1;
  for (unsigned m = 1; m < 64 && best_collisions > 0; ++m) {
    bool used[t.buckets] = {};
    std::size_t collisions = 0;
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t b = t.hash(rules[i].name, m);
      collisions += used[b] ? 1 : 0;
      used[b] = true;
    }
    if (collisions < best_collisions) {
      best_collisions = collisions;
      t.mult = m;
    }
  }
  for (auto& h : t.head) h = t.none;
  for (std::size_t i = N; i-- > 0;) {  // chains keep declaration order
    const std::size_t b = t.hash(t.rules[i].name, t.mult);
    t.next[i] = t.head[b];
    t.head[b] = static_cast<std::uint8_t>(i);
  }
  return t;
}

/// Walks the members of object `v` once, reading each declared one by its rule; undeclared
/// members are skipped (the service adds fields over time). `end`, when given, receives
/// the position just past the object.
template <class Ctx, std::size_t N>
jobwire::void_result read_fields(const payload_reader& r, json::value v, const field_table<Ctx, N>& table, Ctx& c,
                                 const char** end = nullptr) noexcept {
  char buf[48];
  member_walk w(v, r);
  for (; !w.done(); w.advance()) {
    if (const field_rule<Ctx>* f = table.find(member_key(w.member(), buf))) {
      if (jobwire::void_result st = f->read(r, w, c); !st) return st;
    }
  }
  if (end) *end = w.end();
  return {};
}

}  // namespace detail

// Declares the members of an X-macro field list (X(reader, name)).
#define JOBWIRE_DETAIL_FIELD_MEMBER(reader, name) ::jobwire::detail::field_readers::reader::field name;
// The table entry of an X-macro field, in a make_field_table list where `Doc` names the
// document and `Ctx` its reading state.
#define JOBWIRE_DETAIL_FIELD_RULE(reader, name) \
  ::jobwire::detail::field_rule<Ctx>{           \
      #name, &::jobwire::detail::plain_rule<Ctx, ::jobwire::detail::field_readers::reader, &Doc::name>},
// The same for a list whose JSON keys differ from the member names (X(reader, name, key),
// e.g. the camelCase members of the endpoints API).
#define JOBWIRE_DETAIL_KEYED_FIELD_MEMBER(reader, name, key) ::jobwire::detail::field_readers::reader::field name;
#define JOBWIRE_DETAIL_KEYED_FIELD_RULE(reader, name, key) \
  ::jobwire::detail::field_rule<Ctx>{                      \
      key, &::jobwire::detail::plain_rule<Ctx, ::jobwire::detail::field_readers::reader, &Doc::name>},

// --- webhook view (§10) ----------------------------------------------------------------

/// The plain fields of an entry of `webhook.attempts` (§10): X(reader, name).
#define JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(X) \
  X(count, response_status)               \
  X(time, tried_at)                       \
  X(time, delivered_at)                   \
  X(time, next_retry_at)                  \
  X(text, error_message)

/// One entry of `webhook.attempts`.
struct webhook_attempt {
  json::value id{};  ///< string or number (opaque)
  text_field delivery_key, event_type;
  attempt_status status = attempt_status::delivered;
  bool has_status = false;
  integer_field attempt_number, max_attempts;
  text_field response_body_preview;
  JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, webhook_attempt& out,
                                   const char** end = nullptr) noexcept;
  static webhook_attempt from_validated(json::value v) noexcept {
    payload_options opt;
    opt.prof = &profiles::phaseo;  // validated already; the widest phase set never refuses
    webhook_attempt a;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, a);
    return a;
  }
};

/// The plain fields of `webhook.delivery`, the delivery status summary: X(reader, name).
#define JOBWIRE_WEBHOOK_DELIVERY_FIELDS(X)              \
  X(count, total_attempts)                              \
  X(count, delivered_events)                            \
  X(count, pending_retries)                             \
  X(count, last_response_status)                        \
  X(strings, delivered_event_types) /* delivery keys */ \
  X(time, next_retry_at)                                \
  X(time, last_attempt_at)                              \
  X(time, last_delivered_at)                            \
  X(time, last_failure_at)                              \
  X(text, last_error_message)

/// `webhook.delivery`: the delivery status summary.
struct webhook_delivery_summary {
  bool present = false;
  attempt_status last_attempt_status = attempt_status::delivered;
  bool has_last_attempt_status = false;
  JOBWIRE_WEBHOOK_DELIVERY_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
};

/// The plain fields of `data.webhook` (§10, §16.2): X(reader, name). `url` is, under
/// phaseo, the legacy stored URL only (null for endpoints); `endpoint_id` names the webhook
/// endpoint the job subscribes through (absent or null for inline subscriptions of the
/// seed era); `events` is the stored list as the request gave it — under phaseo `[]`
/// means "inherit the endpoint's events" (§16.2), not the effective list.
#define JOBWIRE_WEBHOOK_FIELDS(X) \
  X(text, url)                    \
  X(text, endpoint_id)            \
  X(strings, events)

/// `data.webhook`: the subscription as the service holds it, with its delivery state.
struct webhook_view {
  bool present = false;
  bool has_secret = false;  ///< signing enabled (required when the webhook object is present)
  webhook_delivery_summary delivery;
  list_view<webhook_attempt> attempts;
  JOBWIRE_WEBHOOK_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, webhook_view& out,
                                   const char** end = nullptr) noexcept;
};

namespace detail {
/// A count field bounded by the protocol's attempt limit (§12): 1..max_delivery_attempts.
inline jobwire::void_result read_attempt_count(const payload_reader& r, json::value v, integer_field& out) noexcept {
  jobwire::void_result st = r.integer(v, out, 1);
  if (st && out.present && out.value > max_delivery_attempts) return r.at(errc::invalid_field, v);
  return st;
}

inline constexpr auto webhook_attempt_fields = [] {
  using Doc = webhook_attempt;
  using Ctx = plain_reading<webhook_attempt>;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, true, false, c.doc.id);
       }},
      {"delivery_key",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.delivery_key;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && (f.value.has_escapes() || !parse_delivery_key(f.raw(), *r.options().prof)))
           return r.at(errc::invalid_delivery_key, v);
         return st;
       }},
      {"event_type",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.event_type;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && (f.value.has_escapes() || !parse_event_type(f.raw(), *r.options().prof)))
           return r.at(errc::unknown_event_type, v);
         return st;
       }},
      {"status",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.status, c.doc.has_status, parse_attempt_status_word);
       }},
      {"attempt_number",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_attempt_count(r, w.member().value, c.doc.attempt_number);
       }},
      {"max_attempts",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_attempt_count(r, w.member().value, c.doc.max_attempts);
       }},
      {"response_body_preview",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.response_body_preview;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && count_chars(f.value) > response_preview_max_chars) return r.at(errc::invalid_field, v);
         return st;
       }},
  });
}();

inline constexpr auto webhook_delivery_fields = [] {
  using Doc = webhook_delivery_summary;
  using Ctx = plain_reading<webhook_delivery_summary>;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_DELIVERY_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  //
      {"last_attempt_status",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.last_attempt_status, c.doc.has_last_attempt_status,
                       parse_attempt_status_word);
       }},
  });
}();

/// What reading `data.webhook` gathers beyond the document: whether `has_secret` came.
struct webhook_reading {
  webhook_view& doc;
  bool secret_seen = false;
};

inline constexpr auto webhook_fields = [] {
  using Doc = webhook_view;
  using Ctx = webhook_reading;
  return make_field_table<Ctx>({
      JOBWIRE_WEBHOOK_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"has_secret",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (!v.is_bool()) return r.at(errc::invalid_field, v);
         return r.boolean(v, c.doc.has_secret, c.secret_seen);
       }},
      {"delivery",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         if (!v.is_object()) return r.at(errc::invalid_field, v);
         c.doc.delivery.present = true;
         plain_reading<webhook_delivery_summary> d{c.doc.delivery};
         const char* e = nullptr;
         jobwire::void_result st = read_fields(r, v, webhook_delivery_fields, d, &e);
         w.set_value_end(e);
         return st;
       }},
      {"attempts",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         if (!v.is_array()) return r.at(errc::invalid_field, v);
         std::size_t n = 0;
         element_walk ew(v, r.input_end());
         for (; !ew.done(); ew.advance()) {
           if (++n > ledger_public_limit) return r.at(errc::invalid_field, ew.value());
           webhook_attempt a;
           const char* e = nullptr;
           if (jobwire::void_result st = webhook_attempt::read(r, ew.value(), a, &e); !st) return st;
           ew.set_value_end(e);
         }
         w.set_value_end(ew.end());
         c.doc.attempts = list_view<webhook_attempt>(*v.get_array(), n);
         return {};
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result webhook_attempt::read(const detail::payload_reader& r, json::value v, webhook_attempt& out,
                                                  const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::plain_reading<webhook_attempt> c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::webhook_attempt_fields, c, end); !st) return st;
  if (out.attempt_number.present && out.max_attempts.present && out.attempt_number.value > out.max_attempts.value)
    return r.at(errc::attempt_exceeds_max, v);
  return {};
}

inline jobwire::void_result webhook_view::read(const detail::payload_reader& r, json::value v, webhook_view& out,
                                               const char** end) noexcept {
  if (detail::payload_reader::absent(v)) return {};
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  out.present = true;
  detail::webhook_reading c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::webhook_fields, c, end); !st) return st;
  // "Whether signing is enabled" is one of the five things the payload promises (§10).
  if (!c.secret_seen) return r.at(errc::missing_field, v);
  return {};
}

// --- statuses inside payloads ----------------------------------------------------------

namespace detail {
/// Reads `status` and `lifecycle_status` of one payload object and checks them together.
struct status_pair {
  json::value status_value{}, lifecycle_value{};

  jobwire::void_result resolve(const payload_reader& r, json::value object, bool status_required, job_status& st_out,
                               lifecycle_status& lc_out, bool& has_status, bool& has_lifecycle,
                               bool& consistent) const noexcept {
    has_status = has_lifecycle = false;
    consistent = true;
    if (!status_value.exists()) {
      if (status_required) return r.at(errc::missing_field, object);
    } else {
      if (!status_value.is_string()) return r.at(errc::invalid_field, status_value);
      auto s = parse_job_status(r.string_at(status_value).raw(), r.options().leniency);
      if (!s) return r.at(s.code(), status_value);
      st_out = *s;
      has_status = true;
    }
    if (lifecycle_value.exists() && !lifecycle_value.is_null()) {
      if (!lifecycle_value.is_string()) return r.at(errc::invalid_field, lifecycle_value);
      auto l = parse_lifecycle_status(r.string_at(lifecycle_value).raw(), r.options().leniency);
      if (!l) return r.at(l.code(), lifecycle_value);
      lc_out = *l;
      has_lifecycle = true;
    }
    if (has_status && !has_lifecycle) lc_out = to_lifecycle(st_out);
    if (has_lifecycle && !has_status) st_out = to_job_status(lc_out);
    if (has_status && has_lifecycle && !check_consistent(st_out, lc_out)) {
      consistent = false;
      if (!allows(r.options().leniency, lenient::inconsistent_status))
        return r.at(errc::inconsistent_status, lifecycle_value);
    }
    return {};
  }
  // Status words never need escapes; an escaped one is compared in its raw form, which
  // cannot match a vocabulary word, so it is reported as unknown (or lenient-mapped).
};
}  // namespace detail

// --- webhook / websocket `data` (§10) ----------------------------------------------------

/// The plain fields of `data` (§10, §16.6): X(reader, name), see "declared fields".
#define JOBWIRE_JOB_DATA_FIELDS(X)     \
  X(text, object)                      \
  X(text, request_id)                  \
  X(text, session_id)                  \
  X(text, app_id)                      \
  X(percent, progress) /* 0..100 */    \
  X(text, provider)                    \
  X(text, model)                       \
  X(text, polling_url)                 \
  X(text, websocket_url)               \
  X(text, cancel_url)                  \
  X(text, content_url)                 \
  X(text, download_url)                \
  X(time, expires_at)                  \
  X(non_negative, duration_seconds)    \
  X(non_negative, duration_ms)         \
  X(non_negative, total_duration_ms)   \
  X(non_negative, latency_ms)          \
  X(non_negative, generation_ms)       \
  X(text, resolution)                  \
  X(text, quality)                     \
  X(any, billing)                      \
  X(time, created_at)                  \
  X(time, updated_at)                  \
  X(time, finalized_at)                \
  X(error, error)                      \
  X(any, upstream_error)               \
  X(any, provider_failure_diagnostics) \
  X(any, failure_sample)               \
  X(any, routing_diagnostics)

/// The job payload carried in `data` of a delivery and of websocket messages.
struct job_data {
  job_id_view id;
  jobwire::kind kind = kind::video;
  bool has_kind = false;
  job_status status = job_status::queued;
  lifecycle_status lifecycle = lifecycle_status::pending;
  bool has_status = false;            ///< `status` was present
  bool has_lifecycle_status = false;  ///< `lifecycle_status` was present
  bool consistent = true;             ///< false only under lenient::inconsistent_status
  native_id_view native_id;           ///< provider correlation only; never usable in a URL
  bool has_native_id = false;
  output_access access = output_access::both;
  bool has_output_access = false;
  JOBWIRE_JOB_DATA_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
  webhook_view webhook;

  bool is_terminal() const noexcept { return jobwire::is_terminal(lifecycle); }

  /// Reads `data` (an object); `status_required`: a delivery's `data` must carry a status
  /// (§10), a websocket message's need not.
  static jobwire::void_result read(const detail::payload_reader& r, json::value v, bool status_required, job_data& out,
                                   const char** end = nullptr) noexcept;
};

namespace detail {
/// What reading `data` gathers beyond the document: the status pair and whether `id` came.
struct job_data_reading {
  job_data& doc;
  status_pair sp{};
  bool id_seen = false;
};

inline constexpr auto job_data_fields = [] {
  using Doc = job_data;
  using Ctx = job_data_reading;
  return make_field_table<Ctx>({
      JOBWIRE_JOB_DATA_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.id_seen = true;
         return r.id(w.member().value, c.doc.id);
       }},
      {"kind",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (!v.is_string()) return r.at(errc::invalid_field, v);
         auto kd = parse_kind(r.string_at(v).raw());
         if (!kd) return r.at(errc::unknown_kind, v);
         c.doc.kind = *kd;
         c.doc.has_kind = true;
         return {};
       }},
      {"status",
       [](const payload_reader&, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.sp.status_value = w.member().value;
         return {};
       }},
      {"lifecycle_status",
       [](const payload_reader&, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.sp.lifecycle_value = w.member().value;
         return {};
       }},
      {"native_id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         jobwire::void_result st = r.id(v, c.doc.native_id);
         c.doc.has_native_id = static_cast<bool>(st);
         return st;
       }},
      {"output_access",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.access, c.doc.has_output_access, parse_output_access);
       }},
      {"webhook",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         const char* e = nullptr;
         jobwire::void_result st = webhook_view::read(r, w.member().value, c.doc.webhook, &e);
         w.set_value_end(e);
         return st;
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result job_data::read(const detail::payload_reader& r, json::value v, bool status_required,
                                           job_data& out, const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::job_data_reading c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::job_data_fields, c, end); !st) return st;
  if (!c.id_seen) return r.at(errc::missing_field, v);
  return c.sp.resolve(r, v, status_required, out.status, out.lifecycle, out.has_status, out.has_lifecycle_status,
                      out.consistent);
}

namespace detail {
/// The top-level JSON object of a payload body. Every payload parser reads with duplicate
/// names rejected whatever `opt.json` says (a repeated name would let two readers of the
/// same body see different values), then requires an object; the error offsets are those of
/// `r` (relative to the start of `text`).
inline result<json::value> parse_payload_object(std::string_view text, const payload_reader& r) noexcept {
  json::limits lim = r.options().json;
  lim.leniency &= ~lenient::duplicate_keys;
  auto doc = json::parse(text, lim);
  if (!doc) return doc.error();
  if (!doc->is_object()) return r.at(errc::invalid_field, *doc);
  return *doc;
}
}  // namespace detail

// --- webhook envelope (§10) --------------------------------------------------------------

/// `delivery` of an envelope: the delivery key and attempt metadata.
struct delivery_info {
  bool present = false;
  std::string_view key_text;  ///< exactly as sent (delivery keys need no escapes)
  delivery_key key{};
  std::uint32_t attempt = 0;       ///< 1-based
  std::uint32_t max_attempts = 0;  ///< 4 for the service (§9)
};

/// The top-level `status_change` member of a `status_changed` delivery (PROTOCOL.md
/// §16.1): `{"previous_status": string|null, "status": string}`, raw statuses.
struct status_change_view {
  bool present = false;
  /// `previous_status`; absent or null (`present == false`) when the sender did not know it.
  text_field previous_status;
  json::string status{};  ///< `status` as sent (a raw status, or a lifecycle word, below)
  /// The lifecycle state `status` names (job.hpp `parse_raw_status`).
  lifecycle_status lifecycle = lifecycle_status::pending;
  /// The queue-retry form (§16.1): no previous status and a lifecycle word as `status` —
  /// the job's lifecycle when the retry was sent, not the transition's target, so it is
  /// not compared with the key.
  bool queue_retry_form = false;
};

/// A parsed delivery body. `id` and `type` are required (the event id and event type are
/// what a receiver deduplicates and dispatches on), as is `data` with its job id and
/// status; `created_at` and `delivery` are type-checked when present. A `status_changed`
/// delivery (profile phaseo) also requires `status_change`; other events ignore it.
struct envelope_view {
  std::string_view id;         ///< event id, 1..160 of [A-Za-z0-9_-]
  std::string_view type_text;  ///< e.g. "video.completed"
  event_type type{};
  integer_field created_at;  ///< Unix seconds
  delivery_info delivery;
  job_data data;
  status_change_view status_change;  ///< `status_changed` deliveries only (§16.1)
};

namespace detail {
/// The members of `delivery` (§10), checked together after the walk.
struct delivery_reading {
  json::value key, attempt, max_attempts;
};
inline constexpr auto delivery_fields = make_field_table<delivery_reading>({
    {"key", &capture_rule<delivery_reading, &delivery_reading::key>},
    {"attempt", &capture_rule<delivery_reading, &delivery_reading::attempt>},
    {"max_attempts", &capture_rule<delivery_reading, &delivery_reading::max_attempts>},
});

inline jobwire::void_result read_delivery(const payload_reader& r, json::value v, const event_type& type,
                                          delivery_info& d) noexcept {
  if (payload_reader::absent(v)) return {};
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  d.present = true;
  delivery_reading c;
  if (jobwire::void_result st = read_fields(r, v, delivery_fields, c); !st) return st;
  const json::value key = c.key, attempt = c.attempt, max_attempts = c.max_attempts;
  if (!key.exists() || !attempt.exists() || !max_attempts.exists()) return r.at(errc::missing_field, v);
  if (!key.is_string()) return r.at(errc::invalid_field, key);
  json::string ks = *key.get_string();
  auto parsed = parse_delivery_key(ks.raw(), *r.options().prof);
  if (ks.has_escapes() || !parsed) return r.at(errc::invalid_delivery_key, key);
  // The key names the event it deduplicates; a key of another event type is a forged or
  // corrupted body (§2: lifecycle key == event type; progress key == type + bucket).
  if (parsed->type != type) return r.at(errc::invalid_delivery_key, key);
  d.key_text = ks.raw();
  d.key = *parsed;
  integer_field a, mx;
  jobwire::void_result st = r.integer(attempt, a, 1);
  if (!st || !a.present || a.value > max_delivery_attempts) return r.at(errc::invalid_field, attempt);
  st = r.integer(max_attempts, mx, 1);
  if (!st || !mx.present || mx.value > max_delivery_attempts) return r.at(errc::invalid_field, max_attempts);
  if (a.value > mx.value) return r.at(errc::attempt_exceeds_max, attempt);
  d.attempt = static_cast<std::uint32_t>(a.value);
  d.max_attempts = static_cast<std::uint32_t>(mx.value);
  return {};
}

/// The members of `status_change` (§16.1), checked together after the walk.
struct status_change_reading {
  json::value previous_status, status;
};
inline constexpr auto status_change_fields = make_field_table<status_change_reading>({
    {"previous_status", &capture_rule<status_change_reading, &status_change_reading::previous_status>},
    {"status", &capture_rule<status_change_reading, &status_change_reading::status>},
});

// `status_change` of a `status_changed` delivery (§16.1). Required for that phase: the
// service always writes it, and it is what the receiver reconciles on. `previous_status`
// absent reads as null. When the envelope carries a key, the object must name the same
// lifecycle states as the key's parts (`status_change_mismatch`), except in the
// queue-retry form, and except for a part that names no known status (`unknown`, written
// for an empty status): there is nothing to compare.
inline jobwire::void_result read_status_change(const payload_reader& r, json::value v, const json::value& doc,
                                               const delivery_info& d, status_change_view& out) noexcept {
  if (!v.exists()) return r.at(errc::missing_field, doc);
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  status_change_reading c;
  if (jobwire::void_result st = read_fields(r, v, status_change_fields, c); !st) return st;
  const json::value prev = c.previous_status, cur = c.status;
  if (!cur.exists()) return r.at(errc::missing_field, v);
  if (!cur.is_string()) return r.at(errc::invalid_field, cur);
  jobwire::void_result st = r.text(prev, out.previous_status);
  if (!st) return st;
  out.status = r.string_at(cur);
  auto life = parse_raw_status(out.status.raw(), r.options().leniency);
  if (out.status.has_escapes() || !life) return r.at(errc::unknown_status, cur);
  out.lifecycle = *life;
  out.queue_retry_form = !out.previous_status.present && is_lifecycle_word(out.status.raw());
  if (out.previous_status.present) {
    auto p = parse_raw_status(out.previous_status.raw(), r.options().leniency);
    if (out.previous_status.value.has_escapes() || !p) return r.at(errc::unknown_status, prev);
  }
  if (d.present && !out.queue_retry_form) {
    // Parts are compared in strict mode: a part the vocabulary does not know is no claim.
    auto key_cur = parse_raw_status(d.key.current.view());
    if (key_cur && *key_cur != out.lifecycle) return r.at(errc::status_change_mismatch, cur);
    if (out.previous_status.present) {
      auto key_prev = parse_raw_status(d.key.previous.view());
      auto p = parse_raw_status(out.previous_status.raw(), r.options().leniency);
      if (key_prev && p && *key_prev != *p) return r.at(errc::status_change_mismatch, prev);
    }
  }
  out.present = true;
  return {};
}
}  // namespace detail

namespace detail {
/// The top-level members of a delivery body (§10), checked together after the walk; `data`
/// is read in place, so the (large) data object is walked once, not skipped and re-read,
/// and its error (if any) is reported after the top-level fields' errors.
struct envelope_reading {
  envelope_view& doc;
  json::value id{}, type{}, created_at{}, delivery{}, data{}, status_change{};
  jobwire::void_result data_status{};
};
inline constexpr auto envelope_fields = make_field_table<envelope_reading>({
    {"id", &capture_rule<envelope_reading, &envelope_reading::id>},
    {"type", &capture_rule<envelope_reading, &envelope_reading::type>},
    {"created_at", &capture_rule<envelope_reading, &envelope_reading::created_at>},
    {"delivery", &capture_rule<envelope_reading, &envelope_reading::delivery>},
    {"status_change", &capture_rule<envelope_reading, &envelope_reading::status_change>},
    {"data",
     [](const payload_reader& r, member_walk& w, envelope_reading& c) noexcept -> jobwire::void_result {
       c.data = w.member().value;
       const char* data_end = nullptr;
       c.data_status = job_data::read(r, c.data, true, c.doc.data, &data_end);
       w.set_value_end(data_end);
       return {};
     }},
});
}  // namespace detail

/// Parses and validates a webhook delivery body (§10).
inline result<envelope_view> parse_envelope(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  envelope_view e;
  detail::envelope_reading c{e};
  (void)detail::read_fields(r, *doc, detail::envelope_fields, c);  // its rules only gather
  const json::value id = c.id, type = c.type, created_at = c.created_at, delivery = c.delivery, data = c.data,
                    status_change = c.status_change;
  const jobwire::void_result& data_status = c.data_status;
  if (!id.exists() || !type.exists() || !data.exists()) return r.at(errc::missing_field, *doc);
  if (!id.is_string()) return r.at(errc::invalid_field, id);
  json::string ids = *id.get_string();
  if (ids.has_escapes() || !is_valid_event_id(ids.raw())) return r.at(errc::invalid_event_id, id);
  e.id = ids.raw();
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  json::string ts = *type.get_string();
  auto et = parse_event_type(ts.raw(), *opt.prof);
  if (ts.has_escapes() || !et) return r.at(errc::unknown_event_type, type);
  e.type = *et;
  e.type_text = ts.raw();
  jobwire::void_result st = r.integer(created_at, e.created_at, 0);
  if (!st) return st.error();
  st = detail::read_delivery(r, delivery, e.type, e.delivery);
  if (!st) return st.error();
  if (!data_status) return data_status.error();
  // `data.kind`, when sent, names the same kind as the event type.
  if (e.data.has_kind && e.data.kind != e.type.kind) return r.at(errc::invalid_field, data);
  if (e.type.phase == phase::status_changed) {
    st = detail::read_status_change(r, status_change, *doc, e.delivery, e.status_change);
    if (!st) return st.error();
  }
  return e;
}

// --- websocket messages (§6) -------------------------------------------------------------

enum class ws_message_type : std::uint8_t { snapshot, updated, deleted, pong };

constexpr std::string_view ws_message_type_name(ws_message_type t) noexcept {
  switch (t) {
    case ws_message_type::snapshot: return "job.snapshot";
    case ws_message_type::updated: return "job.updated";
    case ws_message_type::deleted: return "job.deleted";
    case ws_message_type::pong: return "pong";
  }
  return "unknown";
}

/// A websocket server message `{type, data}`. Snapshots and updates carry the full `data`
/// shape (id and status required); a deletion needs only the id; `pong` has no data.
struct ws_message {
  ws_message_type type = ws_message_type::pong;
  bool has_data = false;
  job_data data;
};

namespace detail {
/// The members of a websocket message (§6), checked together after the walk.
struct ws_reading {
  json::value type, data;
};
inline constexpr auto ws_fields = make_field_table<ws_reading>({
    {"type", &capture_rule<ws_reading, &ws_reading::type>},
    {"data", &capture_rule<ws_reading, &ws_reading::data>},
});
}  // namespace detail

inline result<ws_message> parse_ws_message(std::string_view text, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(text.data(), text.data() + text.size(), opt);
  auto doc = detail::parse_payload_object(text, r);
  if (!doc) return doc.error();
  detail::ws_reading c;
  (void)detail::read_fields(r, *doc, detail::ws_fields, c);  // its rules only gather
  const json::value type = c.type, data = c.data;
  if (!type.exists()) return r.at(errc::missing_field, *doc);
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  json::string ts = *type.get_string();
  ws_message msg;
  if (ts == "job.snapshot") msg.type = ws_message_type::snapshot;
  else if (ts == "job.updated") msg.type = ws_message_type::updated;
  else if (ts == "job.deleted") msg.type = ws_message_type::deleted;
  else if (ts == "pong") msg.type = ws_message_type::pong;
  else return r.at(errc::unknown_message_type, type);
  if (msg.type == ws_message_type::pong) return msg;
  if (!data.exists()) return r.at(errc::missing_field, *doc);
  jobwire::void_result st = job_data::read(r, data, msg.type != ws_message_type::deleted, msg.data);
  if (!st) return st.error();
  msg.has_data = true;
  return msg;
}

// --- create response (§4) ----------------------------------------------------------------

/// The body of `POST /v1/videos` (HTTP 202).
struct create_response {
  job_id_view id;
  bool id_from_video_id = false;  ///< the id came from the cookbook's `video_id` key only
  text_field polling_url;
  create_status status = create_status::pending;
  bool has_status = false;

  lifecycle_status lifecycle() const noexcept { return to_lifecycle(status); }
};

namespace detail {
/// The members of a create response (§4); the two id keys are checked together after the
/// walk.
struct create_reading {
  create_response& doc;
  json::value id{}, video_id{};
};
inline constexpr auto create_fields = make_field_table<create_reading>({
    {"id", &capture_rule<create_reading, &create_reading::id>},
    {"video_id", &capture_rule<create_reading, &create_reading::video_id>},
    {"polling_url",
     [](const payload_reader& r, member_walk& w, create_reading& c) noexcept -> jobwire::void_result {
       return r.text(w.member().value, c.doc.polling_url);
     }},
    {"status",
     [](const payload_reader& r, member_walk& w, create_reading& c) noexcept -> jobwire::void_result {
       json::value v = w.member().value;
       if (payload_reader::absent(v)) return {};
       if (!v.is_string()) return r.at(errc::invalid_field, v);
       auto st = parse_create_status(r.string_at(v).raw(), r.options().leniency);
       if (!st) return r.at(st.code(), v);
       c.doc.status = *st;
       c.doc.has_status = true;
       return {};
     }},
});
}  // namespace detail

/// Accepts `id` (the gateway) or `video_id` (the cookbook); both present and different →
/// `conflicting_job_id`; neither → `missing_field`.
inline result<create_response> parse_create_response(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  create_response c;
  detail::create_reading cr{c};
  if (jobwire::void_result st = detail::read_fields(r, *doc, detail::create_fields, cr); !st) return st.error();
  const json::value id = cr.id, video_id = cr.video_id;
  if (!id.exists() && !video_id.exists()) return r.at(errc::missing_field, *doc);
  job_id_view a, b;
  if (id.exists()) {
    jobwire::void_result st = r.id(id, a);
    if (!st) return st.error();
  }
  if (video_id.exists()) {
    jobwire::void_result st = r.id(video_id, b);
    if (!st) return st.error();
  }
  if (id.exists() && video_id.exists() && a != b) return r.at(errc::conflicting_job_id, video_id);
  c.id = id.exists() ? a : b;
  c.id_from_video_id = !id.exists();
  return c;
}

// --- status object (§5) ------------------------------------------------------------------

/// `asset` of the status object: X(reader, name).
#define JOBWIRE_ASSET_FIELDS(X) \
  X(text, id)                   \
  X(text, mime_type)            \
  X(text, sha256)               \
  X(count, bytes)               \
  X(count, width)               \
  X(count, height)              \
  X(non_negative, duration_seconds)

/// `asset` of the status object.
struct asset_view {
  bool present = false;
  JOBWIRE_ASSET_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)
};

/// One entry of `outputs[]`: X(reader, name).
#define JOBWIRE_OUTPUT_FIELDS(X) \
  X(count, index)                \
  X(text, mime_type)             \
  X(text, content_url)           \
  X(text, download_url)          \
  X(time, expires_at)

/// One entry of `outputs[]`.
struct output_view {
  json::value bytes_available{};  ///< boolean or byte count, as the service sends it
  JOBWIRE_OUTPUT_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, output_view& o) noexcept;
  static output_view from_validated(json::value v) noexcept {
    output_view o;
    payload_options opt;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, o);
    return o;
  }
};

/// The plain fields of the status object of `GET /v1/videos/{id}` (§5, §16.6, §16.8):
/// X(reader, name).
#define JOBWIRE_STATUS_FIELDS(X)                                 \
  X(text, object)                                                \
  X(text, polling_url)                                           \
  X(text, websocket_url)                                         \
  X(text, cancel_url)                                            \
  X(text, generation_id)                                         \
  X(non_negative, poll_after_seconds) /* the service sends 20 */ \
  X(time, created_at)                                            \
  X(time, started_at)                                            \
  X(time, completed_at)                                          \
  X(text, provider)                                              \
  X(text, model)                                                 \
  X(text, size)                                                  \
  X(any, audio)                                                  \
  X(object, usage)                                               \
  X(error, error)                                                \
  X(any, billing)                                                \
  X(time, next_webhook_retry_at)                                 \
  X(time, last_webhook_progress_at)                              \
  X(time, last_webhook_dispatched_at)                            \
  X(percent, last_webhook_progress)

/// The status object of `GET /v1/videos/{id}` (§5).
struct status_view {
  job_id_view id;
  job_status status = job_status::queued;
  lifecycle_status lifecycle = lifecycle_status::pending;
  bool has_lifecycle_status = false;
  bool consistent = true;
  output_access access = output_access::both;  ///< default when absent
  bool has_output_access = false;
  number_field progress;  ///< integer 0..100 when present
  progress_source source = progress_source::none;
  bool has_progress_source = false;
  native_id_view native_video_id;  ///< provider correlation only; never usable in a URL
  bool has_native_video_id = false;
  json::value seconds{};  ///< number or string
  asset_view asset;
  list_view<output_view> outputs;
  webhook_view webhook;
  JOBWIRE_STATUS_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  bool is_terminal() const noexcept { return jobwire::is_terminal(lifecycle); }
  /// Progress as the service defines its default (§5): 100 when completed and unknown,
  /// else 0.
  double effective_progress() const noexcept {
    if (progress.present) return progress.value;
    return status == job_status::completed ? 100.0 : 0.0;
  }
};

namespace detail {
inline constexpr auto asset_fields = [] {
  using Doc = asset_view;
  using Ctx = plain_reading<asset_view>;
  return make_field_table<Ctx>({JOBWIRE_ASSET_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)});
}();

inline constexpr auto output_fields = [] {
  using Doc = output_view;
  using Ctx = plain_reading<output_view>;
  return make_field_table<Ctx>({
      JOBWIRE_OUTPUT_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  //
      {"bytes_available",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, false, true, c.doc.bytes_available);
       }},
  });
}();

/// What reading a status object gathers beyond the document.
struct status_reading {
  status_view& doc;
  status_pair sp{};
  bool id_seen = false;
};

inline constexpr auto status_fields = [] {
  using Doc = status_view;
  using Ctx = status_reading;
  return make_field_table<Ctx>({
      JOBWIRE_STATUS_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.id_seen = true;
         return r.id(w.member().value, c.doc.id);
       }},
      {"status",
       [](const payload_reader&, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.sp.status_value = w.member().value;
         return {};
       }},
      {"lifecycle_status",
       [](const payload_reader&, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         c.sp.lifecycle_value = w.member().value;
         return {};
       }},
      {"output_access",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.access, c.doc.has_output_access, parse_output_access);
       }},
      {"progress",  // the status object's progress is an integer (§5)
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.percent(w.member().value, c.doc.progress, true);
       }},
      {"progress_source",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.source, c.doc.has_progress_source, parse_progress_source);
       }},
      {"native_video_id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         jobwire::void_result st = r.id(v, c.doc.native_video_id);
         c.doc.has_native_video_id = static_cast<bool>(st);
         return st;
       }},
      {"seconds",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return read_any_of(r, w.member().value, true, true, false, c.doc.seconds);
       }},
      {"asset",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         if (!v.is_object()) return r.at(errc::invalid_field, v);
         c.doc.asset.present = true;
         plain_reading<asset_view> a{c.doc.asset};
         const char* e = nullptr;
         jobwire::void_result st = read_fields(r, v, asset_fields, a, &e);
         w.set_value_end(e);
         return st;
       }},
      {"outputs",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         if (!v.is_array()) return r.at(errc::invalid_field, v);
         std::size_t n = 0;
         element_walk ew(v, r.input_end());
         for (; !ew.done(); ew.advance()) {
           json::value e = ew.value();
           if (!e.is_object()) return r.at(errc::invalid_field, e);
           output_view o;
           plain_reading<output_view> oc{o};
           const char* oe = nullptr;
           if (jobwire::void_result st = read_fields(r, e, output_fields, oc, &oe); !st) return st;
           ew.set_value_end(oe);
           ++n;
         }
         w.set_value_end(ew.end());
         c.doc.outputs = list_view<output_view>(*v.get_array(), n);
         return {};
       }},
      {"webhook",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         const char* e = nullptr;
         jobwire::void_result st = webhook_view::read(r, w.member().value, c.doc.webhook, &e);
         w.set_value_end(e);
         return st;
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result output_view::read(const detail::payload_reader& r, json::value v, output_view& o) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::plain_reading<output_view> c{o};
  return detail::read_fields(r, v, detail::output_fields, c);
}

/// Parses and validates a status object. `id` and `status` are required (§5).
inline result<status_view> parse_status_object(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  status_view s;
  detail::status_reading c{s};
  if (jobwire::void_result st = detail::read_fields(r, *doc, detail::status_fields, c); !st) return st.error();
  if (!c.id_seen) return r.at(errc::missing_field, *doc);
  bool has_status = false;
  if (jobwire::void_result st =
          c.sp.resolve(r, *doc, true, s.status, s.lifecycle, has_status, s.has_lifecycle_status, s.consistent);
      !st)
    return st.error();
  return s;
}

}  // namespace jobwire
