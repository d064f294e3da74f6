// jobwire — how payload documents are read (PROTOCOL.md §4, §5, §6, §10): the options
// every payload parser takes, the field holders of the views, the reader that type-checks
// a value and reports errors at its byte offset, and the declared field tables — each
// document is a table of its fields, read by one walker over the validated text
// (json.hpp's cursor). One header per document builds on this one: create_response.hpp,
// status_object.hpp, webhook_object.hpp, job_data.hpp, envelope.hpp, ws_message.hpp.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "attempt.hpp"  // attempt_status and the ledger bounds (§10, §12)
#include "error.hpp"
#include "job.hpp"
#include "json.hpp"
#include "leniency.hpp"
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

using json::detail::element_walk;
using json::detail::member_walk;

/// Walks payload objects and reports errors with byte offsets relative to `base`.
class payload_reader {
 public:
  payload_reader(const char* base, const char* end, const payload_options& opt) noexcept
      : base_(base), end_(end), opt_(opt) {}

  /// End of the input (bounds the word-at-a-time scans).
  const char* input_end() const noexcept { return end_; }
  /// The string value at `v` (a string): the one the walk just validated or read, else
  /// found with the fast scan.
  JOBWIRE_JSON_HOT_INLINE json::string string_at(json::value v) const noexcept {
    // Inline: nearly every string a rule reads is the one the walk just validated.
    if (memo_.start == v.data())
      return json::detail::view_access::make_string(
          v.data() + 1, static_cast<std::size_t>(memo_.end - 1 - (v.data() + 1)), memo_.escaped);
    return scanned_string_at(v);
  }
  /// The text of the number `v`: where the walk that just validated it saw it end, else
  /// found by a scan.
  std::string_view number_text(json::value v) const noexcept {
    if (memo_.start == v.data()) return {v.data(), static_cast<std::size_t>(memo_.end - v.data())};
    return v.raw();
  }
  /// A walk over the members of object `v`, sharing this reader's memo: validating when
  /// the reader validates as it reads (payload_parse) and `v` lies past what it has
  /// validated so far, else over validated text.
  /// `expect`: the name the first key most likely is (member_walk::advance).
  json::detail::member_walk members(json::value v, const json::detail::key_image* expect = nullptr) const noexcept {
    if (validating(v)) return json::detail::member_walk(v, *val_, &memo_, expect);
    return json::detail::member_walk(v, end_, &memo_, expect);
  }
  /// The same over the elements of array `v`.
  json::detail::element_walk elements(json::value v) const noexcept {
    if (validating(v)) return json::detail::element_walk(v, *val_, &memo_);
    return json::detail::element_walk(v, end_);
  }

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
    auto d = json::detail::number_as_double(number_text(v));
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
    if (integer_only && json::detail::has_fraction_or_exponent(number_text(v))) return at(errc::invalid_field, v);
    return {};
  }
  jobwire::void_result integer(json::value v, integer_field& out, std::int64_t min_value = 0) const noexcept {
    if (absent(v)) return {};
    if (!v.is_number()) return at(errc::invalid_field, v);
    auto i = json::detail::number_as_integer<std::int64_t>(number_text(v));
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
      auto d = json::detail::number_as_double(number_text(v));
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

 protected:
  bool validating(json::value v) const noexcept { return val_ && v.data() >= val_->validated_to(); }
  /// string_at of a string that is not the one last read: found with the fast scan.
  json::string scanned_string_at(json::value v) const noexcept {
    bool esc;
    const char* close = json::detail::fast_string_close(v.data() + 1, end_, esc);
    memo_.set(v.data(), close + 1, esc);
    return json::detail::view_access::make_string(v.data() + 1, static_cast<std::size_t>(close - (v.data() + 1)), esc);
  }

  const char* base_;
  const char* end_;
  const payload_options& opt_;
  mutable json::detail::scan_memo memo_;
  json::detail::validator* val_ = nullptr;  // set by payload_parse
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

/// Whether validated text has more than `max` code points. A text of at most `max` bytes
/// as written cannot (a character is at least one byte, and an escape decodes to fewer
/// bytes than it is written with), so only longer ones are counted.
inline bool more_chars_than(json::string s, std::size_t max) noexcept {
  return s.raw().size() > max && count_chars(s) > max;
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
/// A list of strings (e.g. `events`) read in place: one walk over its elements validates
/// and counts them; kept as a view with its size.
inline jobwire::void_result read_string_list(const payload_reader& r, json::detail::member_walk& w,
                                             list_view<json::string>& out) noexcept {
  const json::value v = w.raw_value();
  if (payload_reader::absent(v)) return {};
  if (!v.is_array()) return r.at(errc::invalid_field, v);
  std::size_t n = 0;
  json::detail::element_walk ew = r.elements(v);
  for (; !ew.done(); ew.advance()) {
    const json::value e = ew.value();
    if (!ew.status()) break;
    if (!e.is_string()) return r.at(errc::invalid_field, e);
    ++n;
  }
  if (!ew.status()) return ew.status();
  w.set_value_end(ew.end());
  out = list_view<json::string>(*v.get_array(), n);
  return {};
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
  static jobwire::void_result read(const payload_reader& r, member_walk& w, field& f) noexcept {
    return read_string_list(r, w, f);
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
  // A reader of a container reads it in place from the walk (one pass); the others get
  // the value, validated.
  if constexpr (std::is_invocable_v<decltype(&Reader::read), const payload_reader&, member_walk&,
                                    typename Reader::field&>)
    return Reader::read(r, w, c.doc.*M);
  else return Reader::read(r, w.member().value, c.doc.*M);
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
inline void field_table_name_needs_escaping() noexcept {}

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
  std::array<json::detail::key_image, N> images{};  ///< the names laid out for the walk's key comparison
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
    // Keys equal to a declared name are taken with one comparison (member_order below).
    if (!json::detail::plain_name(rules[i].name)) field_table_name_needs_escaping();
    for (std::size_t j = 0; j < i; ++j)
      if (rules[j].name == rules[i].name) field_table_has_duplicate_name();
    t.rules[i] = rules[i];
    t.images[i] = json::detail::key_image(rules[i].name);
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

/// The order a sender writes an object's declared members in, as read so far: for each
/// declared field (and for the object's start, slot N), the field that came right after
/// it. A sender writes its members in one order, so the next key is nearly always the one
/// this predicts, and the walk takes it with one comparison — no scan of the key and no
/// table lookup (member_walk::advance). Only speed depends on it: a key that is not the
/// predicted one is read and looked up as usual, with the same verdict. One per table type
/// (two tables of one type would share it, and only predict less well); shared by every
/// thread through relaxed atomic bytes, written only when a prediction missed.
template <std::size_t N>
struct member_order {
  std::atomic<std::uint8_t> after[N + 1];
  std::size_t predict(std::size_t slot) const noexcept { return after[slot].load(std::memory_order_relaxed); }
  void learn(std::size_t slot, std::size_t next) noexcept {
    if (predict(slot) != next) after[slot].store(static_cast<std::uint8_t>(next), std::memory_order_relaxed);
  }
};
template <class Ctx, std::size_t N>
inline member_order<N> learned_member_order{};  // zero-initialised: no run-time initialisation

/// Walks the members of object `v` once, reading each declared one by its rule; undeclared
/// members are skipped (the service adds fields over time). `end`, when given, receives
/// the position just past the object.
template <class Ctx, std::size_t N>
jobwire::void_result read_fields(const payload_reader& r, json::value v, const field_table<Ctx, N>& table, Ctx& c,
                                 const char** end = nullptr) noexcept {
  constexpr std::size_t none = member_walk::none;
  member_order<N>& order = learned_member_order<Ctx, N>;
  const auto image_of = [&](std::size_t i) noexcept { return i < N ? &table.images[i] : nullptr; };
  std::size_t prev = N;  // the declared field read last (N: the object's start; none: an undeclared one)
  std::size_t expected = order.predict(N);
  char buf[48];
  json::detail::member_walk w = r.members(v, image_of(expected));
  for (; !w.done(); w.advance(image_of(expected))) {
    std::size_t i = expected;
    if (!w.key_is_expected()) {
      const field_rule<Ctx>* f = table.find(member_key(w.raw_member(), buf));
      i = f ? static_cast<std::size_t>(f - table.rules.data()) : none;
      if (prev != none && i != none) order.learn(prev, i);
    }
    // A declared name is checked for repeats by its index (json.hpp, note_key).
    if (!w.note_key(i)) break;
    prev = i;
    expected = i != none ? order.predict(i) : none;
    if (i != none) {
      if (jobwire::void_result st = table.rules[i].read(r, w, c); !st) return st;
    }
  }
  if (!w.status()) return w.status();
  if (end) *end = w.end();
  return {};
}

/// The rule of a member whose value is an object of members gathered by their own table
/// (`Table`, over the reading state `Sub`) and checked after the walk, like a captured
/// value (capture_rule): the object is walked in place into `c.*S` — one pass, not
/// validated as a whole and walked again — and kept under `V`. Any other value is only
/// kept, for the check after the walk to report.
template <class Ctx, json::value Ctx::*V, class Sub, Sub Ctx::*S, const auto& Table>
jobwire::void_result gather_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  const json::value v = w.raw_value();
  if (!v.is_object()) {
    c.*V = w.member().value;
    return {};
  }
  c.*V = v;
  const char* end = nullptr;
  if (jobwire::void_result st = read_fields(r, v, Table, c.*S, &end); !st) return st;
  w.set_value_end(end);
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

namespace detail {
// Rules shared by the documents that carry a job: `data` and the status object. Their
// reading state (`Ctx`) has the document (`doc`), the status pair (`sp`) and `id_seen`.

/// The reading state of a job document: the document, the status pair and whether `id` came
/// (both checked after the walk).
template <class Doc>
struct job_reading {
  Doc& doc;
  status_pair sp{};
  bool id_seen = false;
};

/// `id`: the job id, required (checked after the walk through `id_seen`).
template <class Ctx>
jobwire::void_result job_id_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  c.id_seen = true;
  return r.id(w.member().value, c.doc.id);
}
/// `status` and `lifecycle_status`: kept for the pair's check after the walk.
template <class Ctx>
jobwire::void_result status_rule(const payload_reader&, member_walk& w, Ctx& c) noexcept {
  c.sp.status_value = w.member().value;
  return {};
}
template <class Ctx>
jobwire::void_result lifecycle_rule(const payload_reader&, member_walk& w, Ctx& c) noexcept {
  c.sp.lifecycle_value = w.member().value;
  return {};
}
/// `output_access` (§5).
template <class Ctx>
jobwire::void_result output_access_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  return r.word(w.member().value, c.doc.access, c.doc.has_output_access, parse_output_access);
}
/// The provider's native id under member `Id`, with its presence flag `Has`: correlation
/// only, never usable in a URL (§2).
template <class Ctx, auto Id, auto Has>
jobwire::void_result native_id_rule(const payload_reader& r, member_walk& w, Ctx& c) noexcept {
  json::value v = w.member().value;
  if (payload_reader::absent(v)) return {};
  jobwire::void_result st = r.id(v, c.doc.*Id);
  c.doc.*Has = static_cast<bool>(st);
  return st;
}

/// A nested object of plain fields declared by `table`, read in place (`present` set when
/// it is there and not null); the walk learns where it ends.
template <class Doc, std::size_t N>
jobwire::void_result read_nested_object(const payload_reader& r, member_walk& w,
                                        const field_table<plain_reading<Doc>, N>& table, Doc& doc,
                                        bool& present) noexcept {
  json::value v = w.raw_value();
  if (payload_reader::absent(v)) return {};
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  present = true;
  plain_reading<Doc> c{doc};
  const char* e = nullptr;
  jobwire::void_result st = read_fields(r, v, table, c, &e);
  w.set_value_end(e);
  return st;
}

/// An array of objects, each read by `T::read(r, value, T&, const char** end)`, at most
/// `max` of them (`invalid_field` at the first one past), kept as a list view; the walk
/// learns where the array ends, so it is scanned once.
template <class T>
jobwire::void_result read_object_list(const payload_reader& r, member_walk& w, std::size_t max,
                                      list_view<T>& out) noexcept {
  json::value v = w.raw_value();
  if (payload_reader::absent(v)) return {};
  if (!v.is_array()) return r.at(errc::invalid_field, v);
  std::size_t n = 0;
  element_walk ew = r.elements(v);
  for (; !ew.done(); ew.advance()) {
    if (++n > max) return r.at(errc::invalid_field, ew.raw_value());
    T item;
    const char* e = nullptr;
    if (jobwire::void_result st = T::read(r, ew.raw_value(), item, &e); !st) return st;
    ew.set_value_end(e);
  }
  if (!ew.status()) return ew.status();
  w.set_value_end(ew.end());
  out = list_view<T>(*v.get_array(), n);
  return {};
}
}  // namespace detail

namespace detail {
/// How a payload body is read: in one pass (`fused`, what the parsers do), or validated
/// whole first and then read over validated text (`two_pass`, the reference the tests and
/// the differential fuzz target compare the one-pass reading with).
enum class reading : std::uint8_t { fused, two_pass };

/// The reader of a whole payload body in one pass (the fused reading, json.hpp): the
/// document's declared tables are read while the text is validated, so the body is
/// scanned once, with every check of `json::parse` kept. Duplicate names are rejected
/// whatever `opt.json` says (a repeated name would let two readers of the same body see
/// different values).
///
///     detail::payload_parse r(body, opt);
///     auto root = r.root();                                    // an object, not yet read
///     void_result st = r.read_root(*root, table, c);          // read_fields, then finish
///
/// The verdict is the one of validating first and reading after: when reading fails
/// before the whole text was validated, `finish` validates it, and a JSON error there is
/// the answer (it is found first in the two-pass order).
class payload_parse : public payload_reader {
 public:
  payload_parse(std::string_view text, const payload_options& opt, reading mode = reading::fused) noexcept
      : payload_reader(text.data(), text.data() + text.size(), opt),
        text_(text),
        lim_(without_duplicates(opt.json)),
        validator_(text, lim_),
        mode_(mode) {
    if (mode == reading::fused) val_ = &validator_;
  }
  payload_parse(const payload_parse&) = delete;
  payload_parse& operator=(const payload_parse&) = delete;

  /// The top-level object, to be read by a walk (validated as it is walked). A body that
  /// is not an object is validated whole: its JSON error, else `invalid_field`.
  result<json::value> root() noexcept {
    if (text_.size() > lim_.max_bytes) return jobwire::error(errc::json_input_too_large, lim_.max_bytes);
    const char* p = validator_.ws(text_.data());
    if (mode_ == reading::two_pass || p == end_ || *p != '{') {
      auto doc = json::parse(text_, lim_);
      if (!doc) return doc.error();
      if (!doc->is_object()) return at(errc::invalid_field, *doc);
      return *doc;  // two-pass: validated whole, read over validated text
    }
    return json::detail::view_access::make_value(p);
  }
  /// Reads the root object `root` by `table` into `c` and finishes (below).
  template <class Ctx, std::size_t N>
  jobwire::void_result read_root(json::value root, const field_table<Ctx, N>& table, Ctx& c) noexcept {
    const char* end = nullptr;
    jobwire::void_result st = read_fields(*this, root, table, c, &end);
    return finish(st, end);
  }
  /// The result of reading the root object, which ended at `end` when `st` succeeded:
  /// checks that only whitespace follows; on an error, see above.
  jobwire::void_result finish(jobwire::void_result st, const char* end) const noexcept {
    if (mode_ == reading::two_pass) return st;
    if (st) {
      const char* p = validator_.ws(end);
      if (p == end_) return st;
      st = at(errc::json_trailing_content, p);
    }
    if (jobwire::void_result whole = json::validate(text_, lim_); !whole) return whole;
    return st;
  }

 private:
  static json::limits without_duplicates(json::limits lim) noexcept {
    lim.leniency &= ~lenient::duplicate_keys;
    return lim;
  }
  std::string_view text_;
  json::limits lim_;
  json::detail::validator validator_;
  reading mode_;
};

/// The members of a list document of the management and video APIs (§16.3, §16.8):
/// `{"object":"list","data":[...]}`, with the page cursors of `GET /v1/videos`. Declared
/// once for the three lists (videos, models, endpoints); captured by the walk and checked
/// after it, in the order below. `doc` is the list object itself.
struct list_reading {
  json::value doc, object, data, first_id, last_id, has_more;
};
inline constexpr auto list_fields = make_field_table<list_reading>({
    {"object", &capture_rule<list_reading, &list_reading::object>},
    {"data", &capture_rule<list_reading, &list_reading::data>},
    {"first_id", &capture_rule<list_reading, &list_reading::first_id>},
    {"last_id", &capture_rule<list_reading, &list_reading::last_id>},
    {"has_more", &capture_rule<list_reading, &list_reading::has_more>},
});

/// Reads a list document in one pass and checks its frame: `object` is "list" and `data`
/// an array (its entries are the caller's to read, from validated text).
inline result<list_reading> read_list_document(payload_parse& r) noexcept {
  auto doc = r.root();
  if (!doc) return doc.error();
  list_reading c;
  c.doc = *doc;
  if (jobwire::void_result st = r.read_root(*doc, list_fields, c); !st) return st.error();
  if (!c.object.exists() || !c.data.exists()) return r.at(errc::missing_field, *doc);
  if (!c.object.is_string() || !c.object.get_string()->equals("list")) return r.at(errc::invalid_field, c.object);
  if (!c.data.is_array()) return r.at(errc::invalid_field, c.data);
  return c;
}

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

}  // namespace jobwire
