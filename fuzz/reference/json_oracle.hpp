// Differential oracle for the strict JSON reader (include/jobwire/json.hpp).
//
// `jobwire_json_oracle::check(text)` computes jobwire's expected verdict *independently*,
// from two reference parsers, and compares it with what `json::parse` does:
//
//  1. nlohmann::json's SAX parser (strict mode) decides RFC 8259 well-formedness. The SAX
//     handler records every event with the byte offset of its token (a counting input
//     iterator tells how far the lexer has read), plus the facts jobwire's policies look
//     at: member counts per container, raw string lengths, nesting depth and repeated
//     decoded keys. From those facts and a set of `json::options`, `predict` names the
//     first policy violation in document order — the error jobwire must report, with its
//     offset. When nlohmann rejects the text, the grammar state at its last event and its
//     lexer message give jobwire's syntax error code.
//  2. simdjson's DOM parser must agree with nlohmann's verdict except for simdjson's own
//     documented differences (see `simdjson_expectation`), and with its values.
//  3. For every accepted document, jobwire's value tree is walked and compared event by
//     event with nlohmann's: types, decoded strings and keys, integer/double readings,
//     container sizes, member order, `object::find` and `array::at`, and value offsets.
//
// Every intentional difference is listed in docs/JSON.md, "Differential testing"; each
// rule below carries a comment saying why. Shared by fuzz/fuzz_json_diff.cpp and
// tests/unit/test_json_diff.cpp so both run exactly the same comparison.
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <jobwire/json.hpp>
#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace jobwire_json_oracle {

namespace json = jobwire::json;
using jobwire::errc;
using jobwire::lenient;

constexpr std::size_t unknown_offset = static_cast<std::size_t>(-1);

// ---------------------------------------------------------------------------------------
// Reading position of nlohmann's lexer.
// ---------------------------------------------------------------------------------------

/// How far nlohmann's lexer has read: `consumed` is one past the last byte it fetched from
/// the input, `eof` is set once it tried to read past the end. The lexer fetches no byte
/// beyond a token except the one after a number (which it puts back), so at each SAX
/// event the token's end is known exactly.
struct read_tracker {
  const char* base = nullptr;
  std::size_t consumed = 0;
  bool eof = false;
};

class tracking_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  tracking_iterator(const char* p, read_tracker* t) : p_(p), t_(t) {}
  reference operator*() const {
    t_->consumed = static_cast<std::size_t>(p_ - t_->base) + 1;
    return *p_;
  }
  tracking_iterator& operator++() {
    ++p_;
    return *this;
  }
  tracking_iterator operator++(int) {
    tracking_iterator old = *this;
    ++p_;
    return old;
  }
  // nlohmann's iterator adapter compares against the end before every fetch.
  friend bool operator==(const tracking_iterator& a, const tracking_iterator& b) {
    const bool at_end = a.p_ == b.p_;
    if (at_end) a.t_->eof = true;
    return at_end;
  }
  friend bool operator!=(const tracking_iterator& a, const tracking_iterator& b) { return !(a == b); }

 private:
  const char* p_;
  read_tracker* t_;
};

// ---------------------------------------------------------------------------------------
// What the reference saw.
// ---------------------------------------------------------------------------------------

/// One value-tree event, in document order.
struct event {
  enum kind_t : std::uint8_t { obj_begin, obj_end, arr_begin, arr_end, key, str, null, boolean, i64, u64, dbl };
  explicit event(kind_t k) : kind(k) {}
  kind_t kind;
  std::size_t offset = unknown_offset;  ///< first byte of the token (opening quote for strings)
  std::string s;                        ///< decoded key or string
  bool b = false;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  std::size_t children = 0;  ///< obj_begin/arr_begin: number of members
  bool overflowed = false;   ///< dbl: the number's magnitude exceeds double
};

/// A fact a jobwire limit or policy looks at, in the order jobwire examines them.
struct fact {
  enum kind_t : std::uint8_t { member, string_bytes, open, duplicate } kind;
  std::size_t n;       ///< member: 1-based index in its container; string_bytes: raw length; open: depth
  std::size_t offset;  ///< where jobwire reports the violation
};

/// A jobwire verdict.
struct outcome {
  bool accept = false;
  errc code = errc::ok;
  std::size_t offset = unknown_offset;
};

struct reference {
  std::string text;             ///< the input as given
  bool bom = false;             ///< starts with EF BB BF
  bool rfc_valid = false;       ///< nlohmann accepts (after the overflow rewrite below)
  std::vector<event> events;    ///< only meaningful when rfc_valid
  std::vector<fact> facts;      ///< policy facts up to the end or the syntax error
  bool pending_member = false;  ///< syntax error: jobwire counts one more member first
  fact pending{fact::member, 0, 0};
  outcome syntax;             ///< syntax error: jobwire's code when no policy fires first
  std::size_t max_depth = 0;  ///< deepest nesting seen
  bool overflow = false;      ///< a number overflows double (nlohmann 406, simdjson NUMBER_ERROR)
  bool bigint = false;        ///< an integer outside [INT64_MIN, UINT64_MAX]
  std::string failure;        ///< an internal oracle inconsistency (reported as a failure)
};

// ---------------------------------------------------------------------------------------
// Small text helpers (grammar facts from RFC 8259, not jobwire code).
// ---------------------------------------------------------------------------------------

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool is_number_char(char c) { return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }
inline std::size_t skip_ws(std::string_view t, std::size_t p) {
  while (p < t.size() && is_ws(t[p])) ++p;
  return p;
}
/// True when the backslashes immediately before `pos` are an odd run, i.e. the byte at
/// `pos` is escaped.
inline bool escaped_at(std::string_view t, std::size_t pos) {
  std::size_t run = 0;
  while (pos > run && t[pos - run - 1] == '\\') ++run;
  return run % 2 == 1;
}
/// Opening quote of the string whose closing quote is at `close`: the nearest earlier
/// unescaped quote (inside a valid string every quote is escaped).
inline std::size_t opening_quote(std::string_view t, std::size_t close) {
  std::size_t j = close;
  while (j > 0) {
    --j;
    if (t[j] == '"' && !escaped_at(t, j)) return j;
  }
  return unknown_offset;
}
inline std::uint32_t hex4(std::string_view t, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const char c = t[at + k];
    const std::uint32_t d =
        is_digit(c) ? static_cast<std::uint32_t>(c - '0') : static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
    v = (v << 4) | d;
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// nlohmann SAX handler.
// ---------------------------------------------------------------------------------------

class recorder {
 public:
  using number_integer_t = std::int64_t;
  using number_unsigned_t = std::uint64_t;
  using number_float_t = double;
  using string_t = std::string;
  using binary_t = nlohmann::json::binary_t;

  recorder(std::string_view text, read_tracker& t) : t_(text), tr_(t) {}

  bool null() { return literal(event::null, 4); }
  bool boolean(bool v) {
    if (!literal(event::boolean, v ? 4 : 5)) return false;
    ev_.back().b = v;
    return true;
  }
  bool number_integer(std::int64_t v) {
    event e{event::i64};
    e.i = v;
    return number(std::move(e));
  }
  bool number_unsigned(std::uint64_t v) {
    event e{event::u64};
    e.u = v;
    return number(std::move(e));
  }
  bool number_float(double v, const std::string&) {
    event e{event::dbl};
    e.d = v;
    return number(std::move(e));
  }
  bool string(std::string& s) {
    const std::size_t close = tr_.consumed - 1, open = opening_quote(t_, close);
    value_begins(open);
    facts_.push_back(fact{fact::string_bytes, close - open - 1, open});
    event e{event::str};
    e.offset = open;
    e.s = s;
    ev_.push_back(std::move(e));
    done_value(close + 1, false);
    return true;
  }
  bool binary(binary_t&) { return false; }  // not produced by the JSON input format
  bool start_object(std::size_t) { return begin(true); }
  bool start_array(std::size_t) { return begin(false); }
  bool end_object() { return end(); }
  bool end_array() { return end(); }
  bool key(std::string& s) {
    const std::size_t close = tr_.consumed - 1, open = opening_quote(t_, close);
    frame& f = stack_.back();
    // jobwire counts a member when it sees its first byte (the key's quote), before it
    // reads the key, then checks the key's length.
    facts_.push_back(fact{fact::member, ++f.members, open});
    facts_.push_back(fact{fact::string_bytes, close - open - 1, open});
    f.keys.emplace_back(s, open);
    event e{event::key};
    e.offset = open;
    e.s = s;
    ev_.push_back(std::move(e));
    state_ = after_key;
    last_end_ = close + 1;
    return true;
  }
  bool parse_error(std::size_t, const std::string& token, const nlohmann::detail::exception& ex) {
    if (ex.id == 406) {  // number overflow: see the rewrite in `analyse`
      overflow_end_ = tr_.eof ? t_.size() : tr_.consumed - 1;
      overflow_token_ = token.size();
      return false;
    }
    message_ = ex.what();
    return false;
  }

  enum state_t : std::uint8_t { at_start, after_open, after_key, after_value };
  struct frame {
    bool is_object;
    std::size_t members = 0;
    std::size_t event_index = 0;
    std::vector<std::pair<std::string, std::size_t>> keys;  // decoded key, quote offset
  };

  std::string_view t_;
  read_tracker& tr_;
  std::vector<event> ev_;
  std::vector<fact> facts_;
  std::vector<frame> stack_;
  state_t state_ = at_start;
  std::size_t last_end_ = 0;  ///< one past the last event's token
  bool last_was_number_ = false;
  std::size_t last_number_start_ = 0;
  std::size_t max_depth_ = 0;
  bool bigint_ = false;
  std::size_t overflow_end_ = unknown_offset, overflow_token_ = 0;
  std::string message_;

 private:
  /// Every value: in an array it is a member, counted at its first byte.
  void value_begins(std::size_t at) {
    if (!stack_.empty() && !stack_.back().is_object) facts_.push_back(fact{fact::member, ++stack_.back().members, at});
  }
  void done_value(std::size_t end, bool number) {
    state_ = after_value;
    last_end_ = end;
    last_was_number_ = number;
  }
  bool literal(event::kind_t k, std::size_t len) {
    const std::size_t end = tr_.consumed, start = end - len;
    value_begins(start);
    event e{k};
    e.offset = start;
    ev_.push_back(std::move(e));
    done_value(end, false);
    return true;
  }
  bool number(event e) {
    // The lexer read one byte past the number (and put it back) unless the text ended.
    const std::size_t end = tr_.eof ? t_.size() : tr_.consumed - 1;
    std::size_t start = end;
    while (start > 0 && is_number_char(t_[start - 1])) --start;
    value_begins(start);
    e.offset = start;
    if (e.kind == event::dbl) {
      // nlohmann reads integers outside int64/uint64 as doubles; simdjson rejects them.
      const std::string_view raw = t_.substr(start, end - start);
      if (raw.find_first_of(".eE") == std::string_view::npos) bigint_ = true;
    }
    ev_.push_back(std::move(e));
    last_number_start_ = start;
    done_value(end, true);
    return true;
  }
  bool begin(bool is_object) {
    const std::size_t at = tr_.consumed - 1;
    value_begins(at);
    facts_.push_back(fact{fact::open, stack_.size() + 1, at});
    max_depth_ = std::max(max_depth_, stack_.size() + 1);
    event e{is_object ? event::obj_begin : event::arr_begin};
    e.offset = at;
    ev_.push_back(std::move(e));
    frame f;
    f.is_object = is_object;
    f.event_index = ev_.size() - 1;
    stack_.push_back(std::move(f));
    state_ = after_open;
    last_end_ = at + 1;
    return true;
  }
  bool end() {
    frame& f = stack_.back();
    ev_[f.event_index].children = f.members;
    if (f.is_object) {
      // jobwire checks an object's keys when it closes and reports the first key (in
      // document order) that repeats an earlier one, compared after unescaping.
      std::unordered_set<std::string> seen;
      for (const auto& k : f.keys) {
        if (!seen.insert(k.first).second) {
          facts_.push_back(fact{fact::duplicate, 0, k.second});
          break;
        }
      }
    }
    ev_.push_back(event{f.is_object ? event::obj_end : event::arr_end});
    stack_.pop_back();
    done_value(tr_.consumed, false);
    return true;
  }
};

// ---------------------------------------------------------------------------------------
// Syntax errors: which code jobwire reports where nlohmann stops.
// ---------------------------------------------------------------------------------------

/// The part of nlohmann's message after "syntax error while parsing <context> - ", i.e.
/// the lexer's message or "unexpected <token>...". Token text comes later in the message,
/// so matching its beginning cannot be fooled by the input.
inline std::string_view nlohmann_reason(const std::string& what) {
  const std::size_t s = what.find("syntax error");
  if (s == std::string::npos) return {};
  const std::size_t d = what.find(" - ", s);
  if (d == std::string::npos) return {};
  return std::string_view(what).substr(d + 3);
}
inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// A string token (opening quote at `open`) in which nlohmann's lexer failed.
inline outcome string_error(const reference& r, const recorder& h) {
  const std::string_view t = r.text, why = nlohmann_reason(h.message_);
  const std::size_t size = t.size();
  if (starts_with(why, "invalid string: missing closing quote")) return {false, errc::json_unexpected_end, size};
  if (starts_with(why, "invalid string: control character"))
    return {false, errc::json_invalid_string, h.tr_.consumed - 1};
  const std::size_t f = h.tr_.eof ? size : h.tr_.consumed - 1;  // where nlohmann stopped
  if (starts_with(why, "invalid string: ill-formed UTF-8 byte")) {
    // nlohmann stops at the first byte outside the allowed range (or at the end); jobwire
    // reports the lead byte of the sequence that byte belongs to, or the byte itself when
    // it cannot continue one (a stray continuation or an invalid lead byte).
    std::size_t j = f;
    while (j > 0 && f - j < 3 && (static_cast<unsigned char>(t[j - 1]) & 0xC0) == 0x80) --j;
    if (j > 0) {
      const unsigned char lead = static_cast<unsigned char>(t[j - 1]);
      const std::size_t len = lead >= 0xC2 && lead <= 0xDF   ? 2
                              : lead >= 0xE0 && lead <= 0xEF ? 3
                              : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                             : 0;
      if (len > f - (j - 1)) return {false, errc::json_invalid_utf8, j - 1};
    }
    return {false, errc::json_invalid_utf8, f};
  }
  if (starts_with(why, "invalid string: forbidden character after backslash")) {
    // A backslash that ends the text is a truncation for jobwire.
    if (h.tr_.eof) return {false, errc::json_unexpected_end, size};
    return {false, errc::json_invalid_escape, h.tr_.consumed - 2};
  }
  if (starts_with(why, "invalid string: '\\u' must be followed by 4 hex digits")) {
    // Find the failing \u escape: the byte nlohmann stopped at, after 0..3 hex digits.
    std::size_t j = f;
    while (j > 0 && f - j < 3 && is_hex(t[j - 1])) --j;
    if (j < 2 || t[j - 1] != 'u' || t[j - 2] != '\\') return {false, errc::ok, unknown_offset};
    const std::size_t b = j - 2;
    // The low half of a pair: jobwire first requires the 12 bytes of the whole pair
    // (json_invalid_surrogate when they are not there), then checks the hex digits.
    if (b >= 6 && t[b - 6] == '\\' && t[b - 5] == 'u' && !escaped_at(t, b - 6) && is_hex(t[b - 4]) &&
        is_hex(t[b - 3]) && is_hex(t[b - 2]) && is_hex(t[b - 1])) {
      const std::uint32_t hi = hex4(t, b - 4);
      if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (size - (b - 6) < 12) return {false, errc::json_invalid_surrogate, b - 6};
        return {false, errc::json_invalid_escape, b};
      }
    }
    // A lone escape: jobwire requires its six bytes before looking at the digits.
    if (size - b < 6) return {false, errc::json_unexpected_end, size};
    return {false, errc::json_invalid_escape, b};
  }
  // Unpaired surrogate escapes: jobwire reports the backslash of the escape that starts
  // the bad pair.
  auto high_escape_at = [&](std::size_t b) {
    return b + 6 <= size && t[b] == '\\' && t[b + 1] == 'u' && !escaped_at(t, b) && is_hex(t[b + 2]) &&
           is_hex(t[b + 3]) && is_hex(t[b + 4]) && is_hex(t[b + 5]) && hex4(t, b + 2) >= 0xD800 &&
           hex4(t, b + 2) <= 0xDBFF;
  };
  if (starts_with(why, "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"))
    return {false, errc::json_invalid_surrogate, f - 5};  // nlohmann stopped at its 4th digit
  if (starts_with(why, "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF")) {
    // nlohmann stopped at the first byte that is not '\\' after the high escape, at a
    // byte that is not 'u' after its '\\', or at the 4th digit of a non-low escape.
    if (f >= 6 && high_escape_at(f - 6) && (f == size || t[f] != '\\'))
      return {false, errc::json_invalid_surrogate, f - 6};
    if (f >= 7 && high_escape_at(f - 7) && t[f - 1] == '\\') return {false, errc::json_invalid_surrogate, f - 7};
    if (f >= 11 && high_escape_at(f - 11) && t[f - 5] == '\\' && t[f - 4] == 'u')
      return {false, errc::json_invalid_surrogate, f - 11};
    return {false, errc::ok, unknown_offset};
  }
  return {false, errc::ok, unknown_offset};  // unclassified: reported as an oracle failure
}

/// A value starts at `p` (p < size) and nlohmann failed in it.
inline outcome value_error(const reference& r, const recorder& h, std::size_t p) {
  const std::string_view t = r.text;
  const char c = t[p];
  if (c == '"') return string_error(r, h);
  if (c == 't' || c == 'f' || c == 'n') {
    // Literals are matched byte by byte: the first wrong byte is an unexpected token,
    // running out of text is a truncation.
    const std::string_view lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
    for (std::size_t i = 0; i < lit.size(); ++i) {
      if (p + i >= t.size()) return {false, errc::json_unexpected_end, t.size()};
      if (t[p + i] != lit[i]) return {false, errc::json_unexpected_token, p + i};
    }
    return {false, errc::ok, unknown_offset};  // a whole literal would have been an event
  }
  if (c == '-' || is_digit(c)) {
    // nlohmann stops in a number either at a byte that cannot continue it (jobwire:
    // json_invalid_number at the number's start) or at the end (json_unexpected_end).
    if (h.tr_.eof) return {false, errc::json_unexpected_end, t.size()};
    return {false, errc::json_invalid_number, p};
  }
  // Anything else cannot start a value (']' after a comma, '}', ':', ',', a BOM, other
  // bytes): jobwire's scalar dispatch rejects its first byte.
  return {false, errc::json_unexpected_token, p};
}

/// nlohmann rejected the text: from the grammar state at its last event, derive what
/// jobwire reports (unless a policy fact fires first, see `predict`).
inline void derive_syntax_error(reference& r, recorder& h) {
  const std::string_view t = r.text;
  const std::size_t size = t.size();
  auto member_at = [&](std::size_t p) {
    // jobwire counts a member at its first byte, before parsing it: with a full container
    // that is json_too_many_members even when the member is malformed.
    r.pending_member = true;
    r.pending = fact{fact::member, h.stack_.back().members + 1, p};
  };
  std::size_t p = 0;
  switch (h.state_) {
    case recorder::at_start:
      p = skip_ws(t, 0);
      if (p == size) {
        r.syntax = {false, errc::json_empty_input, p};
        return;
      }
      r.syntax = value_error(r, h, p);
      return;
    case recorder::after_key:
      p = skip_ws(t, h.last_end_);
      if (p == size) {
        r.syntax = {false, errc::json_unexpected_end, size};
        return;
      }
      if (t[p] != ':') {
        r.syntax = {false, errc::json_unexpected_token, p};
        return;
      }
      p = skip_ws(t, p + 1);
      if (p == size) {
        r.syntax = {false, errc::json_unexpected_end, size};
        return;
      }
      r.syntax = value_error(r, h, p);
      return;
    case recorder::after_open:
    case recorder::after_value: {
      const bool open = h.state_ == recorder::after_open;
      p = h.last_end_;
      // jobwire's number grammar refuses a digit right after a complete number ("01",
      // "-01"); nlohmann ends the number at "0" and rejects the next token instead.
      if (!open && h.last_was_number_ && p < size && is_digit(t[p])) {
        r.syntax = {false, errc::json_invalid_number, h.last_number_start_};
        return;
      }
      p = skip_ws(t, p);
      if (h.stack_.empty()) {  // after the root value: anything but whitespace
        r.syntax = {false, p < size ? errc::json_trailing_content : errc::ok, p};
        return;
      }
      const bool obj = h.stack_.back().is_object;
      if (p == size) {
        r.syntax = {false, errc::json_unexpected_end, size};
        return;
      }
      if (!open) {
        if (t[p] != ',') {
          // A matching close would have been an event.
          r.syntax = {false, t[p] == (obj ? '}' : ']') ? errc::ok : errc::json_unexpected_token, p};
          return;
        }
        p = skip_ws(t, p + 1);
        if (p == size) {
          r.syntax = {false, errc::json_unexpected_end, size};
          return;
        }
      } else if (t[p] == (obj ? '}' : ']')) {
        r.syntax = {false, errc::ok, p};  // an empty container would have been an event
        return;
      }
      member_at(p);
      if (obj) {
        r.syntax = t[p] == '"' ? string_error(r, h) : outcome{false, errc::json_unexpected_token, p};
        return;
      }
      r.syntax = value_error(r, h, p);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reference analysis.
// ---------------------------------------------------------------------------------------

inline reference analyse(std::string_view input) {
  reference r;
  r.text.assign(input.data(), input.size());
  r.bom = input.size() >= 3 && input.substr(0, 3) == "\xEF\xBB\xBF";
  // nlohmann refuses numbers whose magnitude overflows double (out_of_range 406); jobwire
  // accepts them (RFC 8259 §6 allows any grammar-valid number; `get_double` reports
  // json_number_out_of_range). To keep checking the rest of the document, each such
  // number is replaced by "0e00…" of the same length — same offsets, same structure —
  // and remembered, and nlohmann parses again.
  std::string work = r.text;
  std::set<std::size_t> overflowed;
  for (;;) {
    read_tracker tr;
    tr.base = work.data();
    recorder h(work, tr);
    const bool ok = nlohmann::json::sax_parse(tracking_iterator(work.data(), &tr),
                                              tracking_iterator(work.data() + work.size(), &tr), &h,
                                              nlohmann::json::input_format_t::json, /*strict=*/true);
    if (!ok && h.overflow_end_ != unknown_offset) {
      const std::size_t end = h.overflow_end_;
      std::size_t start = end;
      while (start > 0 && is_number_char(work[start - 1])) --start;
      if (end - start < 3 || end - start != h.overflow_token_) {
        r.failure = "oracle: cannot locate the overflowing number";
        return r;
      }
      work[start] = '0';
      work[start + 1] = 'e';
      for (std::size_t k = start + 2; k < end; ++k) work[k] = '0';
      overflowed.insert(start);
      r.overflow = true;
      continue;
    }
    if (ok && skip_ws(r.text, h.last_end_) != r.text.size()) {
      // nlohmann's lexer takes a NUL byte where a token may start for the end of input
      // (it stops reading there), so "1\0x" passes its strict mode. RFC 8259 has no such
      // rule: whatever follows the root value is trailing content for jobwire.
      r.facts = std::move(h.facts_);
      r.syntax = {false, errc::json_trailing_content, skip_ws(r.text, h.last_end_)};
      return r;
    }
    r.rfc_valid = ok;
    r.facts = std::move(h.facts_);
    r.max_depth = h.max_depth_;
    r.bigint = h.bigint_;
    if (ok) {
      r.events = std::move(h.ev_);
      for (event& e : r.events)
        if (e.offset != unknown_offset && overflowed.count(e.offset)) {
          e.kind = event::dbl;
          e.overflowed = true;
        }
    } else {
      // Derive the syntax error against the original text (only overflowing numbers
      // differ, and they lie before nlohmann's stopping point).
      derive_syntax_error(r, h);
      if (r.syntax.code == errc::ok) r.failure = "oracle: unclassified nlohmann rejection: " + h.message_;
    }
    return r;
  }
}

/// jobwire's verdict for `text` under `o`, from the reference facts alone.
inline outcome predict(const reference& r, const json::options& o) {
  const std::size_t size = r.text.size();
  // Size is checked before anything else; the error's offset is the limit itself.
  if (size > o.max_bytes) return {false, errc::json_input_too_large, o.max_bytes};
  // nlohmann skips a UTF-8 byte-order mark; RFC 8259 §8.1 says parsers MAY ignore one but
  // jobwire refuses it: it is not JSON text and signed bytes must mean one thing.
  if (r.bom) return {false, errc::json_unexpected_token, 0};
  const std::size_t max_depth = std::min(o.max_depth, json::hard_max_depth);
  auto fires = [&](const fact& f) -> outcome {
    switch (f.kind) {
      case fact::member:
        if (f.n > o.max_members) return {false, errc::json_too_many_members, f.offset};
        break;
      case fact::string_bytes:
        if (f.n > o.max_string_bytes) return {false, errc::json_string_too_long, f.offset};
        break;
      case fact::open:
        if (f.n > max_depth) return {false, errc::json_depth_exceeded, f.offset};
        break;
      case fact::duplicate:
        if (!allows(o.leniency, lenient::duplicate_keys)) return {false, errc::json_duplicate_key, f.offset};
        break;
    }
    return {true, errc::ok, unknown_offset};
  };
  for (const fact& f : r.facts) {
    outcome x = fires(f);
    if (!x.accept) return x;
  }
  if (r.rfc_valid) return {true, errc::ok, unknown_offset};
  if (r.pending_member) {
    outcome x = fires(r.pending);
    if (!x.accept) return x;
  }
  return r.syntax;
}

// ---------------------------------------------------------------------------------------
// Comparisons.
// ---------------------------------------------------------------------------------------

inline std::string describe(const outcome& o) {
  if (o.accept) return "accept";
  std::string s(jobwire::error_name(o.code));
  if (o.offset != unknown_offset) s += "@" + std::to_string(o.offset);
  return s;
}

inline bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// True when the number text has a non-zero digit before its exponent.
inline bool nonzero_mantissa(std::string_view raw) {
  for (char c : raw) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') return true;
  }
  return false;
}

class tree_checker {
 public:
  /// `base` is the first byte of the text jobwire parsed (offsets are relative to it).
  tree_checker(const reference& r, const char* base, std::string& err) : r_(r), base_(base), err_(err) {}

  bool run(json::value root) {
    if (!value(root)) return false;
    if (i_ != r_.events.size()) return fail("jobwire tree ended before the reference events");
    return true;
  }

 private:
  bool fail(std::string m) {
    if (err_.empty()) err_ = m + " (event " + std::to_string(i_) + ")";
    return false;
  }
  const event* next() { return i_ < r_.events.size() ? &r_.events[i_++] : nullptr; }
  std::size_t off(const char* p) const { return static_cast<std::size_t>(p - base_); }

  bool number(const event& e, json::value v) {
    const std::string_view raw = v.raw();
    const bool integer_text = raw.find_first_of(".eE") == std::string_view::npos;
    if (v.is_integer_text() != integer_text) return fail("is_integer_text disagrees with the number text");
    auto i = v.get_int64();
    auto u = v.get_uint64();
    auto d = v.get_double();
    switch (e.kind) {
      case event::i64:  // nlohmann: integer text, negative (or "-0")
        if (!i || *i != e.i) return fail("get_int64 differs from nlohmann");
        if (e.i == 0 ? (!u || *u != 0) : u.code() != errc::json_number_out_of_range)
          return fail("get_uint64 of a negative integer");
        break;
      case event::u64:  // nlohmann: integer text, non-negative
        if (!u || *u != e.u) return fail("get_uint64 differs from nlohmann");
        if (e.u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          if (!i || static_cast<std::uint64_t>(*i) != e.u) return fail("get_int64 differs from nlohmann");
        } else if (i.code() != errc::json_number_out_of_range) {
          return fail("get_int64 of an integer above INT64_MAX");
        }
        break;
      case event::dbl: {
        // Integer text that nlohmann read as a double does not fit 64 bits; fraction or
        // exponent text is not an integer for jobwire whatever its value.
        const errc want = integer_text ? errc::json_number_out_of_range : errc::json_not_integer;
        if (i.code() != want || u.code() != want) return fail("integer read of a non-integer or huge number");
        if (e.overflowed) {
          if (d.code() != errc::json_number_out_of_range) return fail("get_double of an overflowing number");
        } else if (e.d == 0 && nonzero_mantissa(raw)) {
          // Underflow to zero: strtod (nlohmann) returns 0, std::from_chars (jobwire)
          // reports ERANGE, which jobwire names json_number_out_of_range.
          if (d.code() != errc::json_number_out_of_range) return fail("get_double of an underflowing number");
        } else if (!d || !same_double(*d, e.d)) {
          return fail("get_double differs from nlohmann");
        }
        return true;
      }
      default: return fail("number vs non-number");
    }
    // Integers: the double reading must be the correctly rounded value; compare where the
    // integer is exactly representable.
    const double exact = e.kind == event::i64 ? static_cast<double>(e.i) : static_cast<double>(e.u);
    const bool representable = e.kind == event::i64
                                   ? (e.i >= -(std::int64_t{1} << 53) && e.i <= (std::int64_t{1} << 53))
                                   : e.u <= (std::uint64_t{1} << 53);
    if (representable && (!d || *d != exact)) return fail("get_double of an integer");
    return true;
  }

  bool string_matches(const json::string& s, const std::string& want) {
    if (s.to_string() != want || !s.equals(want) || s.decoded_size() != want.size())
      return fail("decoded string differs from nlohmann");
    if (!s.has_escapes() && s.raw() != want) return fail("unescaped string raw() differs");
    return true;
  }

  bool value(json::value v) {
    const event* e = next();
    if (!e) return fail("jobwire has more values than the reference");
    if (!v.exists()) return fail("absent value in a validated tree");
    if (off(v.data()) != e->offset)
      return fail("value offset " + std::to_string(off(v.data())) + " != " + std::to_string(e->offset));
    switch (v.type()) {
      case json::kind::null:
        if (e->kind != event::null) return fail("null vs other");
        return true;
      case json::kind::boolean:
        if (e->kind != event::boolean || !v.get_bool() || *v.get_bool() != e->b) return fail("boolean differs");
        return true;
      case json::kind::number: return number(*e, v);
      case json::kind::string: {
        if (e->kind != event::str) return fail("string vs other");
        return string_matches(*v.get_string(), e->s);
      }
      case json::kind::array: {
        if (e->kind != event::arr_begin) return fail("array vs other");
        const json::array a = *v.get_array();
        if (a.size() != e->children) return fail("array size differs");
        std::size_t k = 0;
        for (json::value el : a) {
          if (a.size() <= 64 && a.at(k).data() != el.data()) return fail("array::at differs from iteration");
          if (!value(el)) return false;
          ++k;
        }
        if (a.at(k).exists()) return fail("array::at past the end exists");
        const event* close = next();
        if (!close || close->kind != event::arr_end) return fail("array end differs");
        return true;
      }
      case json::kind::object: {
        if (e->kind != event::obj_begin) return fail("object vs other");
        const json::object o = *v.get_object();
        if (o.size() != e->children) return fail("object size differs");
        std::vector<std::pair<std::string, const char*>> seen;  // first occurrence of each key
        for (const json::member& m : o) {
          const event* k = next();
          if (!k || k->kind != event::key) return fail("key expected");
          if (off(m.key.raw().data()) != k->offset + 1) return fail("key offset differs");
          if (!string_matches(m.key, k->s)) return false;
          if (e->children <= 64) {
            // find() returns the first member with an equal decoded key (with duplicate
            // keys allowed the later ones are shadowed).
            const char* first = m.value.data();
            for (const auto& s : seen)
              if (s.first == k->s) {
                first = s.second;
                break;
              }
            if (first == m.value.data()) seen.emplace_back(k->s, first);
            if (o.find(k->s).data() != first) return fail("object::find returns the wrong member");
          }
          if (!value(m.value)) return false;
        }
        const event* close = next();
        if (!close || close->kind != event::obj_end) return fail("object end differs");
        return true;
      }
    }
    return fail("unknown kind");
  }

  const reference& r_;
  const char* base_;
  std::string& err_;
  std::size_t i_ = 0;
};

/// simdjson DOM vs the reference events (values only; simdjson exposes no offsets).
class simdjson_checker {
 public:
  simdjson_checker(const reference& r, std::string& err) : r_(r), err_(err) {}
  bool run(simdjson::dom::element root) {
    if (!value(root)) return false;
    if (i_ != r_.events.size()) return fail("simdjson tree ended early");
    return true;
  }

 private:
  bool fail(std::string m) {
    if (err_.empty()) err_ = "simdjson: " + m + " (event " + std::to_string(i_) + ")";
    return false;
  }
  const event* next() { return i_ < r_.events.size() ? &r_.events[i_++] : nullptr; }

  bool value(simdjson::dom::element v) {
    using T = simdjson::dom::element_type;
    const event* e = next();
    if (!e) return fail("more values than the reference");
    switch (v.type()) {
      case T::NULL_VALUE: return e->kind == event::null || fail("null vs other");
      case T::BOOL: return (e->kind == event::boolean && bool(v) == e->b) || fail("bool differs");
      case T::STRING: return (e->kind == event::str && std::string_view(v) == e->s) || fail("string differs");
      case T::INT64: {
        // simdjson: integers that fit int64 (any sign); nlohmann: negative -> int64,
        // non-negative -> uint64.
        const std::int64_t x = std::int64_t(v);
        if (e->kind == event::i64) return e->i == x || fail("int64 differs");
        if (e->kind == event::u64) return (x >= 0 && static_cast<std::uint64_t>(x) == e->u) || fail("int64 differs");
        return fail("int64 vs other");
      }
      case T::UINT64: return (e->kind == event::u64 && std::uint64_t(v) == e->u) || fail("uint64 differs");
      case T::DOUBLE: return (e->kind == event::dbl && same_double(double(v), e->d)) || fail("double differs");
      case T::ARRAY: {
        if (e->kind != event::arr_begin) return fail("array vs other");
        std::size_t n = 0;
        for (simdjson::dom::element el : simdjson::dom::array(v)) {
          if (!value(el)) return false;
          ++n;
        }
        if (n != e->children) return fail("array size differs");
        const event* c = next();
        return (c && c->kind == event::arr_end) || fail("array end");
      }
      case T::OBJECT: {
        if (e->kind != event::obj_begin) return fail("object vs other");
        std::size_t n = 0;
        for (simdjson::dom::key_value_pair kv : simdjson::dom::object(v)) {
          const event* k = next();
          if (!k || k->kind != event::key || k->s != kv.key) return fail("key differs");
          if (!value(kv.value)) return false;
          ++n;
        }
        if (n != e->children) return fail("object size differs");
        const event* c = next();
        return (c && c->kind == event::obj_end) || fail("object end");
      }
    }
    return fail("unknown type");
  }

  const reference& r_;
  std::string& err_;
  std::size_t i_ = 0;
};

/// simdjson 3's DOM parser accepts exactly the RFC 8259 texts nlohmann accepts, except:
///  - a UTF-8 byte-order mark (nlohmann skips it; simdjson: TAPE_ERROR);
///  - integers outside [INT64_MIN, UINT64_MAX] (nlohmann reads them as doubles; simdjson:
///    NUMBER_ERROR) — and numbers overflowing double, which both refuse;
///  - nesting deeper than simdjson's default max depth of 1024 (DEPTH_ERROR).
/// Returns the set of error codes simdjson may report, empty when it must accept.
inline std::vector<simdjson::error_code> simdjson_expectation(const reference& r) {
  std::vector<simdjson::error_code> allowed;
  if (!r.rfc_valid) return {simdjson::UNINITIALIZED};  // marker: any error
  if (r.bom) allowed.push_back(simdjson::TAPE_ERROR);
  if (r.overflow || r.bigint) allowed.push_back(simdjson::NUMBER_ERROR);
  if (r.max_depth > simdjson::DEFAULT_MAX_DEPTH) allowed.push_back(simdjson::DEPTH_ERROR);
  return allowed;
}

/// The option sets jobwire is run under: the defaults, the duplicate-key leniency, a
/// depth above the hard ceiling (clamped to 256), and small limits chosen from the
/// input's bytes so every limit path is compared.
inline std::vector<json::options> option_sets(std::string_view text) {
  std::vector<json::options> out;
  out.emplace_back();
  json::options dup;
  dup.leniency = lenient::duplicate_keys;
  out.push_back(dup);
  json::options deep;
  deep.max_depth = 100000;
  deep.leniency = lenient::duplicate_keys;
  out.push_back(deep);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  for (int k = 0; k < 2; ++k) {
    json::options small;
    small.max_depth = static_cast<std::size_t>(h % 7);
    small.max_members = static_cast<std::size_t>((h >> 8) % 9);
    small.max_string_bytes = static_cast<std::size_t>((h >> 16) % 25);
    const std::size_t slack = static_cast<std::size_t>((h >> 24) % 8);
    small.max_bytes = text.size() >= 4 ? text.size() - 4 + slack : slack;
    if (((h >> 32) & 1) != 0) small.leniency = lenient::duplicate_keys;
    out.push_back(small);
    h = h * 6364136223846793005ull + 1442695040888963407ull;
  }
  return out;
}

/// Runs every comparison; returns an empty string when all agree, otherwise what differs.
inline std::string check(std::string_view text) {
  const reference r = analyse(text);
  if (!r.failure.empty()) return r.failure;

  // jobwire vs its predicted verdict, under each option set.
  for (const json::options& o : option_sets(text)) {
    const outcome want = predict(r, o);
    auto got = json::parse(text, o);
    const std::string where = " [max_bytes=" + std::to_string(o.max_bytes) + " depth=" + std::to_string(o.max_depth) +
                              " string=" + std::to_string(o.max_string_bytes) +
                              " members=" + std::to_string(o.max_members) +
                              " dup=" + (allows(o.leniency, lenient::duplicate_keys) ? "1" : "0") + "]";
    if (want.accept) {
      if (!got)
        return "jobwire rejects (" + std::string(got.error().name()) + "@" + std::to_string(got.error().offset) +
               "), expected accept" + where;
      std::string err;
      if (!tree_checker(r, text.data(), err).run(*got)) return "jobwire tree: " + err + where;
      continue;
    }
    outcome have{bool(got), got ? errc::ok : got.error().code, got ? unknown_offset : got.error().offset};
    if (have.accept || have.code != want.code || have.offset != want.offset)
      return "jobwire " + describe(have) + ", expected " + describe(want) + where;
  }

  // simdjson vs nlohmann.
  simdjson::dom::parser parser;
  // simdjson copies the input into a padded buffer with memcpy, which must not be given
  // a null pointer (the empty input may come as one).
  auto doc = parser.parse(text.empty() ? "" : text.data(), text.size());
  const auto allowed = simdjson_expectation(r);
  const bool any_error = !allowed.empty() && allowed.front() == simdjson::UNINITIALIZED;
  if (allowed.empty()) {
    if (doc.error())
      return std::string("simdjson rejects an RFC 8259 text nlohmann accepts: ") + simdjson::error_message(doc.error());
    std::string err;
    if (!simdjson_checker(r, err).run(doc.value_unsafe())) return err;
  } else if (!doc.error()) {
    return any_error ? "simdjson accepts a text nlohmann rejects" : "simdjson accepts a text it is known to refuse";
  } else if (!any_error && std::find(allowed.begin(), allowed.end(), doc.error()) == allowed.end()) {
    return std::string("simdjson rejects with an unexpected error: ") + simdjson::error_message(doc.error());
  }
  return {};
}

}  // namespace jobwire_json_oracle
