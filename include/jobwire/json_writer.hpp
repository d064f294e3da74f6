// jobwire — a small JSON writer that appends to a std::string.
//
// Used wherever jobwire produces JSON (delivery bodies, ledgers, CLI summaries). Commas are
// placed automatically; strings are escaped per RFC 8259, and bytes that are not valid
// UTF-8 are replaced by U+FFFD so the output is always valid JSON (response previews and
// error messages are attacker-controlled text).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "utf8.hpp"

namespace jobwire {
namespace json {

/// Appends `s` to `out` as a quoted JSON string.
inline void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out += "\\u00";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Copy one well-formed UTF-8 sequence (RFC 3629), or write one U+FFFD for the maximal
    // subpart of an ill-formed one, as a TextDecoder would (utf8.hpp).
    const utf8_step step = next_utf8_step(s.data() + i, n - i);
    if (step.valid) out.append(s.data() + i, step.size);
    else out += "\xEF\xBF\xBD";
    i += step.size;
  }
  out.push_back('"');
}

/// Streaming writer. Nesting deeper than 64 levels is a programming error (not checked
/// beyond the bit stack's size; jobwire's own documents are shallow).
class writer {
 public:
  explicit writer(std::string& out) noexcept : out_(out) {}

  writer& begin_object() { return open('{'); }
  writer& end_object() { return close('}'); }
  writer& begin_array() { return open('['); }
  writer& end_array() { return close(']'); }

  writer& key(std::string_view k) {
    separate();
    append_quoted(out_, k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  writer& string(std::string_view v) {
    separate();
    append_quoted(out_, v);
    return *this;
  }
  writer& number(std::int64_t v) { return integer(v); }
  writer& number(std::uint64_t v) { return integer(v); }
  writer& number(int v) { return integer(static_cast<std::int64_t>(v)); }
  writer& number(unsigned v) { return integer(static_cast<std::uint64_t>(v)); }
  /// Shortest round-trip form; non-finite numbers are written as null (JSON has none).
  writer& number(double v) {
    separate();
    if (!std::isfinite(v)) {
      out_ += "null";
      return *this;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
    return *this;
  }
  writer& boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  writer& null() {
    separate();
    out_ += "null";
    return *this;
  }
  /// Inserts already-valid JSON text as one value.
  writer& raw(std::string_view json_text) {
    separate();
    out_ += json_text;
    return *this;
  }

  // Convenience: key + value.
  template <class T>
  writer& field(std::string_view k, const T& v) {
    key(k);
    return put(v);
  }

 private:
  writer& put(std::string_view v) { return string(v); }
  writer& put(const char* v) { return string(v); }
  writer& put(const std::string& v) { return string(v); }
  writer& put(bool v) { return boolean(v); }
  writer& put(double v) { return number(v); }
  template <class I>
  writer& put(I v) {
    static_assert(std::is_integral<I>::value, "unsupported field type");
    if (std::is_signed<I>::value) return number(static_cast<std::int64_t>(v));
    return number(static_cast<std::uint64_t>(v));
  }

  template <class I>
  writer& integer(I v) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
      if (has_items_ & bit) out_.push_back(',');
      has_items_ |= bit;
    }
  }
  writer& open(char c) {
    separate();
    out_.push_back(c);
    ++depth_;
    has_items_ &= ~(std::uint64_t{1} << (depth_ - 1));
    return *this;
  }
  writer& close(char c) {
    out_.push_back(c);
    if (depth_ > 0) --depth_;
    return *this;
  }

  std::string& out_;
  std::uint64_t has_items_ = 0;
  unsigned depth_ = 0;
  bool after_key_ = false;
};

}  // namespace json
}  // namespace jobwire
