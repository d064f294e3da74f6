// Reference model of the WHATWG URL Standard's host parsing, for differential testing of
// callback_url.hpp (test-only; not a public header, not installed).
//
// Written as a straight transliteration of the standard's step-by-step algorithms
// (https://url.spec.whatwg.org/#host-parsing and the basic URL parser states a special
// URL with no base goes through up to its port), deliberately unlike jobwire's parser:
// code points are kept in std::u32string, strings are split into lists the way the spec
// splits them, numbers are kept as digit strings until they are compared, and every
// step carries the spec's step number. Clarity over speed; it allocates freely.
//
// Scope. The reference decides everything the standard decides for ASCII hosts of the
// special schemes http and https. It declares out of scope, instead of guessing:
//  - a host that is not ASCII after percent-decoding: the standard runs UTS #46
//    (IDNA) on it, which this model does not implement;
//  - an input that is not UTF-8 (the standard parses scalar values, not bytes);
//  - any scheme other than http and https.
// ASCII labels starting with "xn--" are parsed along the ASCII path (lower-cased) and
// flagged `punycode_unverified`: the standard would also Punycode-decode and validate
// them, which this model does not do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace whatwg_ref {

enum class host_kind { domain, ipv4, ipv6, out_of_scope };

inline const char* host_kind_name(host_kind k) {
  switch (k) {
    case host_kind::domain: return "domain";
    case host_kind::ipv4: return "ipv4";
    case host_kind::ipv6: return "ipv6";
    case host_kind::out_of_scope: return "out_of_scope";
  }
  return "?";
}

/// Outcome of the host parser. `ok == false` is the standard's "failure" (with the name
/// of the validation error that caused it), unless kind is out_of_scope.
struct host_result {
  bool ok = false;
  host_kind kind = host_kind::domain;
  std::string failure;     // validation error name when !ok
  std::string serialised;  // host serializer output ("[...]" for IPv6)
  std::uint32_t ipv4 = 0;
  std::uint16_t ipv6[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  bool punycode_unverified = false;  // an "xn--" label went down the ASCII path
  std::size_t decoded_length = 0;    // bytes after percent-decoding (domains)
};

// --- infra: code points ---------------------------------------------------------------

namespace infra {

/// UTF-8 decode; false if `bytes` is not well-formed UTF-8 (overlongs, surrogates and
/// values above U+10FFFF are ill-formed).
inline bool utf8_decode(std::string_view bytes, std::u32string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < bytes.size()) {
    const unsigned b0 = static_cast<unsigned char>(bytes[i]);
    std::size_t need;
    char32_t cp;
    char32_t min;
    if (b0 < 0x80) {
      out.push_back(static_cast<char32_t>(b0));
      ++i;
      continue;
    } else if ((b0 & 0xE0u) == 0xC0u) {
      need = 1, cp = b0 & 0x1Fu, min = 0x80;
    } else if ((b0 & 0xF0u) == 0xE0u) {
      need = 2, cp = b0 & 0x0Fu, min = 0x800;
    } else if ((b0 & 0xF8u) == 0xF0u) {
      need = 3, cp = b0 & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (i + need >= bytes.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= need; ++k) {
      const unsigned b = static_cast<unsigned char>(bytes[i + k]);
      if ((b & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    out.push_back(cp);
    i += need + 1;
  }
  return true;
}

inline void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline std::string utf8_encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) utf8_append(out, c);
  return out;
}

inline bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
inline bool is_ascii_upper_hex(char32_t c) { return c >= U'A' && c <= U'F'; }
inline bool is_ascii_lower_hex(char32_t c) { return c >= U'a' && c <= U'f'; }
inline bool is_ascii_hex_digit(char32_t c) {
  return is_ascii_digit(c) || is_ascii_upper_hex(c) || is_ascii_lower_hex(c);
}
inline bool is_ascii_alpha(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }
inline bool is_ascii_alphanumeric(char32_t c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
inline bool is_c0_control(char32_t c) { return c <= 0x1F; }
inline bool is_c0_control_or_space(char32_t c) { return is_c0_control(c) || c == U' '; }
inline bool is_ascii_tab_or_newline(char32_t c) { return c == U'\t' || c == U'\n' || c == U'\r'; }
inline char32_t ascii_lower(char32_t c) { return (c >= U'A' && c <= U'Z') ? c + (U'a' - U'A') : c; }

inline std::u32string ascii_lowercase(std::u32string s) {
  for (char32_t& c : s) c = ascii_lower(c);
  return s;
}

/// "strictly split a string on a particular delimiter".
inline std::vector<std::u32string> strictly_split(const std::u32string& input, char32_t delimiter) {
  std::vector<std::u32string> tokens;
  std::u32string token;
  for (char32_t c : input) {
    if (c == delimiter) {
      tokens.push_back(token);
      token.clear();
    } else {
      token.push_back(c);
    }
  }
  tokens.push_back(token);
  return tokens;
}

inline bool starts_with_ascii_ci(const std::u32string& s, std::u32string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (ascii_lower(s[i]) != ascii_lower(prefix[i])) return false;
  return true;
}

inline int hex_value(char32_t c) {
  if (is_ascii_digit(c)) return static_cast<int>(c - U'0');
  if (is_ascii_lower_hex(c)) return static_cast<int>(c - U'a') + 10;
  return static_cast<int>(c - U'A') + 10;
}

/// A non-negative integer of any size, as decimal digits without leading zeros ("0" for
/// zero): the IPv4 number parser's "mathematical integer".
struct big {
  std::string digits = "0";
  void mul_add(unsigned radix, unsigned add) {
    unsigned carry = add;
    for (std::size_t i = digits.size(); i-- > 0;) {
      unsigned d = static_cast<unsigned>(digits[i] - '0') * radix + carry;
      digits[i] = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    while (carry) {
      digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
      carry /= 10;
    }
    std::size_t nz = digits.find_first_not_of('0');
    digits = nz == std::string::npos ? "0" : digits.substr(nz);
  }
  /// this < other
  bool less_than(const big& other) const {
    if (digits.size() != other.digits.size()) return digits.size() < other.digits.size();
    return digits < other.digits;
  }
  static big of(std::uint64_t v) {
    big b;
    b.digits = std::to_string(v);
    return b;
  }
  /// Only called once the value is known to be below 2^32.
  std::uint64_t to_u64() const { return std::stoull(digits); }
};

}  // namespace infra

// --- IPv4 ----------------------------------------------------------------------------

/// "IPv4 number parser": the number, or failure. `validation_error` reports the
/// non-failure validation error (hex/octal forms).
inline bool parse_ipv4_number(std::u32string input, infra::big& number, bool& validation_error) {
  // 1. If input is the empty string, then return failure.
  if (input.empty()) return false;
  // 2. Let validationError be false. 3. Let R be 10.
  validation_error = false;
  unsigned R = 10;
  // 4. If input contains at least two code points and the first two code points are
  //    either "0X" or "0x", then: validationError = true; remove the first two code
  //    points; set R to 16.
  if (input.size() >= 2 && input[0] == U'0' && (input[1] == U'X' || input[1] == U'x')) {
    validation_error = true;
    input.erase(0, 2);
    R = 16;
  }
  // 5. Otherwise, if input contains at least two code points and the first code point is
  //    U+0030 (0), then: validationError = true; remove the first code point; R = 8.
  else if (input.size() >= 2 && input[0] == U'0') {
    validation_error = true;
    input.erase(0, 1);
    R = 8;
  }
  // 6. If input is the empty string, then return (0, true).
  if (input.empty()) {
    number = infra::big{};
    return true;
  }
  // 7. If input contains a code point that is not a radix-R digit, then return failure.
  for (char32_t c : input) {
    bool digit = R == 10 ? infra::is_ascii_digit(c) : R == 16 ? infra::is_ascii_hex_digit(c) : (c >= U'0' && c <= U'7');
    if (!digit) return false;
  }
  // 8. Let output be the mathematical integer value that is represented by input in
  //    radix-R notation, using ASCII hex digits for digits with values 0 through 15.
  infra::big output;
  for (char32_t c : input) output.mul_add(R, static_cast<unsigned>(infra::hex_value(c)));
  // 9. Return (output, validationError).
  number = output;
  return true;
}

/// "ends in a number checker".
inline bool ends_in_a_number(const std::u32string& input) {
  // 1. Let parts be the result of strictly splitting input on U+002E (.).
  std::vector<std::u32string> parts = infra::strictly_split(input, U'.');
  // 2. If the last item in parts is the empty string, then: if parts's size is 1, return
  //    false; remove the last item from parts.
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  // 3. Let last be the last item in parts.
  const std::u32string last = parts.back();
  // 4. If last is non-empty and contains only ASCII digits, then return true.
  if (!last.empty()) {
    bool only_digits = true;
    for (char32_t c : last)
      if (!infra::is_ascii_digit(c)) only_digits = false;
    if (only_digits) return true;
  }
  // 5. If parsing last as an IPv4 number does not return failure, then return true.
  infra::big ignored;
  bool ignored_error = false;
  if (parse_ipv4_number(last, ignored, ignored_error)) return true;
  // 6. Return false.
  return false;
}

/// "IPv4 parser": the address, or failure (with its validation error name).
inline bool parse_ipv4(const std::u32string& input, std::uint32_t& address, std::string& failure) {
  // 1. Let parts be the result of strictly splitting input on U+002E (.).
  std::vector<std::u32string> parts = infra::strictly_split(input, U'.');
  // 2. If the last item in parts is the empty string, then: IPv4-empty-part validation
  //    error; if parts's size is greater than 1, then remove the last item from parts.
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  // 3. If parts's size is greater than 4, IPv4-too-many-parts validation error, return
  //    failure.
  if (parts.size() > 4) {
    failure = "IPv4-too-many-parts";
    return false;
  }
  // 4. Let numbers be an empty list.
  std::vector<infra::big> numbers;
  // 5. For each part of parts: let result be the result of parsing part; if result is
  //    failure, IPv4-non-numeric-part validation error, return failure; append.
  for (const std::u32string& part : parts) {
    infra::big n;
    bool validation_error = false;
    if (!parse_ipv4_number(part, n, validation_error)) {
      failure = "IPv4-non-numeric-part";
      return false;
    }
    numbers.push_back(n);
  }
  const infra::big b256 = infra::big::of(256);
  // 6. If any item in numbers is greater than 255, IPv4-out-of-range-part validation
  //    error (not a failure by itself).
  // 7. If any but the last item in numbers is greater than 255, then return failure.
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i) {
    if (!numbers[i].less_than(b256)) {
      failure = "IPv4-out-of-range-part";
      return false;
    }
  }
  // 8. If the last item in numbers is greater than or equal to 256^(5 − numbers's size),
  //    then IPv4-out-of-range-part validation error, return failure.
  std::uint64_t limit = 1;
  for (std::size_t k = 0; k < 5 - numbers.size(); ++k) limit *= 256;
  if (!numbers.back().less_than(infra::big::of(limit))) {
    failure = "IPv4-out-of-range-part";
    return false;
  }
  // 9. Let ipv4 be the last item in numbers. 10. Remove the last item from numbers.
  std::uint64_t ipv4 = numbers.back().to_u64();
  numbers.pop_back();
  // 11. Let counter be 0. 12. For each n of numbers: increment ipv4 by n × 256^(3 −
  //     counter); increment counter by 1.
  std::size_t counter = 0;
  for (const infra::big& n : numbers) {
    std::uint64_t factor = 1;
    for (std::size_t k = 0; k < 3 - counter; ++k) factor *= 256;
    ipv4 += n.to_u64() * factor;
    ++counter;
  }
  // 13. Return ipv4.
  address = static_cast<std::uint32_t>(ipv4);
  return true;
}

/// "IPv4 serializer".
inline std::string serialise_ipv4(std::uint32_t address) {
  // 1. Let output be the empty string. 2. Let n be the value of address.
  std::string output;
  std::uint32_t n = address;
  // 3. For each i in the range 1 to 4, inclusive: prepend n % 256, serialized; unless i
  //    is 4, prepend U+002E (.); set n to floor(n / 256).
  for (int i = 1; i <= 4; ++i) {
    output.insert(0, std::to_string(n % 256));
    if (i != 4) output.insert(0, ".");
    n /= 256;
  }
  return output;
}

// --- IPv6 ----------------------------------------------------------------------------

/// "IPv6 parser" over the text between the brackets.
inline bool parse_ipv6(const std::u32string& input, std::uint16_t (&result)[8], std::string& failure) {
  // 1. Let address be a new IPv6 address whose IPv6 pieces are all 0.
  unsigned address[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  // 2. Let pieceIndex be 0. 3. Let compress be null. 4. Let pointer be a pointer for input.
  std::size_t pieceIndex = 0;
  bool compress_set = false;
  std::size_t compress = 0;
  std::size_t pointer = 0;
  const char32_t EOF_ = 0xFFFFFFFF;
  auto c_at = [&](std::size_t p) -> char32_t { return p < input.size() ? input[p] : EOF_; };
  auto fail = [&](const char* name) {
    failure = name;
    return false;
  };
  // 5. If c is U+003A (:), then: if remaining does not start with U+003A (:),
  //    IPv6-invalid-compression validation error, return failure; increase pointer by 2;
  //    increase pieceIndex by 1 and then set compress to pieceIndex.
  if (c_at(pointer) == U':') {
    if (c_at(pointer + 1) != U':') return fail("IPv6-invalid-compression");
    pointer += 2;
    ++pieceIndex;
    compress = pieceIndex;
    compress_set = true;
  }
  // 6. While c is not the EOF code point:
  while (c_at(pointer) != EOF_) {
    // 6.1. If pieceIndex is 8, IPv6-too-many-pieces validation error, return failure.
    if (pieceIndex == 8) return fail("IPv6-too-many-pieces");
    // 6.2. If c is U+003A (:), then: if compress is non-null, IPv6-multiple-compression
    //      validation error, return failure; increase pointer and pieceIndex by 1, set
    //      compress to pieceIndex, and then continue.
    if (c_at(pointer) == U':') {
      if (compress_set) return fail("IPv6-multiple-compression");
      ++pointer;
      ++pieceIndex;
      compress = pieceIndex;
      compress_set = true;
      continue;
    }
    // 6.3. Let value and length be 0.
    unsigned value = 0;
    std::size_t length = 0;
    // 6.4. While length is less than 4 and c is an ASCII hex digit, set value to value ×
    //      0x10 + c interpreted as hexadecimal number, and increase pointer and length by 1.
    while (length < 4 && infra::is_ascii_hex_digit(c_at(pointer))) {
      value = value * 0x10 + static_cast<unsigned>(infra::hex_value(c_at(pointer)));
      ++pointer;
      ++length;
    }
    // 6.5. If c is U+002E (.), then:
    if (c_at(pointer) == U'.') {
      // 6.5.1. If length is 0, IPv4-in-IPv6-invalid-code-point, return failure.
      if (length == 0) return fail("IPv4-in-IPv6-invalid-code-point");
      // 6.5.2. Decrease pointer by length.
      pointer -= length;
      // 6.5.3. If pieceIndex is greater than 6, IPv4-in-IPv6-too-many-pieces, failure.
      if (pieceIndex > 6) return fail("IPv4-in-IPv6-too-many-pieces");
      // 6.5.4. Let numbersSeen be 0.
      int numbersSeen = 0;
      // 6.5.5. While c is not the EOF code point:
      while (c_at(pointer) != EOF_) {
        // 6.5.5.1. Let ipv4Piece be null.
        bool piece_null = true;
        unsigned ipv4Piece = 0;
        // 6.5.5.2. If numbersSeen is greater than 0, then: if c is a U+002E (.) and
        //          numbersSeen is less than 4, then increase pointer by 1; otherwise,
        //          IPv4-in-IPv6-invalid-code-point validation error, return failure.
        if (numbersSeen > 0) {
          if (c_at(pointer) == U'.' && numbersSeen < 4) ++pointer;
          else return fail("IPv4-in-IPv6-invalid-code-point");
        }
        // 6.5.5.3. If c is not an ASCII digit, IPv4-in-IPv6-invalid-code-point, failure.
        if (!infra::is_ascii_digit(c_at(pointer))) return fail("IPv4-in-IPv6-invalid-code-point");
        // 6.5.5.4. While c is an ASCII digit:
        while (infra::is_ascii_digit(c_at(pointer))) {
          // 1. Let number be c interpreted as decimal number.
          unsigned number = static_cast<unsigned>(c_at(pointer) - U'0');
          // 2. If ipv4Piece is null, then set ipv4Piece to number. Otherwise, if
          //    ipv4Piece is 0, IPv4-in-IPv6-invalid-code-point, failure. Otherwise, set
          //    ipv4Piece to ipv4Piece × 10 + number.
          if (piece_null) {
            ipv4Piece = number;
            piece_null = false;
          } else if (ipv4Piece == 0) {
            return fail("IPv4-in-IPv6-invalid-code-point");
          } else {
            ipv4Piece = ipv4Piece * 10 + number;
          }
          // 3. If ipv4Piece is greater than 255, IPv4-in-IPv6-out-of-range-part, failure.
          if (ipv4Piece > 255) return fail("IPv4-in-IPv6-out-of-range-part");
          // 4. Increase pointer by 1.
          ++pointer;
        }
        // 6.5.5.5. Set address[pieceIndex] to address[pieceIndex] × 0x100 + ipv4Piece.
        address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;
        // 6.5.5.6. Increase numbersSeen by 1.
        ++numbersSeen;
        // 6.5.5.7. If numbersSeen is 2 or 4, then increase pieceIndex by 1.
        if (numbersSeen == 2 || numbersSeen == 4) ++pieceIndex;
      }
      // 6.5.6. If numbersSeen is not 4, IPv4-in-IPv6-too-few-parts, return failure.
      if (numbersSeen != 4) return fail("IPv4-in-IPv6-too-few-parts");
      // 6.5.7. Break.
      break;
    }
    // 6.6. Otherwise, if c is U+003A (:): increase pointer by 1; if c is the EOF code
    //      point, IPv6-invalid-code-point validation error, return failure.
    else if (c_at(pointer) == U':') {
      ++pointer;
      if (c_at(pointer) == EOF_) return fail("IPv6-invalid-code-point");
    }
    // 6.7. Otherwise, if c is not the EOF code point, IPv6-invalid-code-point, failure.
    else if (c_at(pointer) != EOF_) {
      return fail("IPv6-invalid-code-point");
    }
    // 6.8. Set address[pieceIndex] to value. 6.9. Increase pieceIndex by 1.
    address[pieceIndex] = value;
    ++pieceIndex;
  }
  // 7. If compress is non-null, then: let swaps be pieceIndex − compress; set pieceIndex
  //    to 7; while pieceIndex is not 0 and swaps is greater than 0, swap address[pieceIndex]
  //    with address[compress + swaps − 1], and then decrease both pieceIndex and swaps by 1.
  if (compress_set) {
    std::size_t swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex != 0 && swaps > 0) {
      unsigned t = address[pieceIndex];
      address[pieceIndex] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      --pieceIndex;
      --swaps;
    }
  }
  // 8. Otherwise, if compress is null and pieceIndex is not 8, IPv6-too-few-pieces
  //    validation error, return failure.
  else if (pieceIndex != 8) {
    return fail("IPv6-too-few-pieces");
  }
  // 9. Return address.
  for (int i = 0; i < 8; ++i) result[i] = static_cast<std::uint16_t>(address[i]);
  return true;
}

/// "IPv6 serializer" (without the brackets the host serializer adds).
inline std::string serialise_ipv6(const std::uint16_t (&address)[8]) {
  // 1. Let output be the empty string.
  std::string output;
  // 2. Let compress be an index to the first IPv6 piece in the first longest sequences
  //    of address's IPv6 pieces that are 0. 3. If there is no sequence of address's IPv6
  //    pieces that are 0 that is longer than 1, then set compress to null.
  int compress = -1;
  int longest = 1;
  for (int start = 0; start < 8; ++start) {
    int run = 0;
    while (start + run < 8 && address[start + run] == 0) ++run;
    if (run > longest) {
      longest = run;
      compress = start;
    }
  }
  // 4. Let ignore0 be false.
  bool ignore0 = false;
  // 5. For each pieceIndex in the range 0 to 7, inclusive:
  for (int pieceIndex = 0; pieceIndex <= 7; ++pieceIndex) {
    // 5.1. If ignore0 is true and address[pieceIndex] is 0, then continue.
    if (ignore0 && address[pieceIndex] == 0) continue;
    // 5.2. Otherwise, if ignore0 is true, set ignore0 to false.
    ignore0 = false;
    // 5.3. If compress is pieceIndex, then: let separator be "::" if pieceIndex is 0, and
    //      U+003A (:) otherwise; append separator; set ignore0 to true and continue.
    if (compress == pieceIndex) {
      output += pieceIndex == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    // 5.4. Append address[pieceIndex], represented as the shortest possible lowercase
    //      hexadecimal number, to output.
    static const char* const digits = "0123456789abcdef";
    std::string hex;
    unsigned v = address[pieceIndex];
    do {
      hex.insert(hex.begin(), digits[v % 16]);
      v /= 16;
    } while (v != 0);
    output += hex;
    // 5.5. If pieceIndex is not 7, then append U+003A (:) to output.
    if (pieceIndex != 7) output += ":";
  }
  // 6. Return output.
  return output;
}

// --- host parsing ----------------------------------------------------------------------

/// "forbidden host code point".
inline bool is_forbidden_host_code_point(char32_t c) {
  switch (c) {
    case 0x00:
    case 0x09:
    case 0x0A:
    case 0x0D:
    case 0x20:
    case U'#':
    case U'/':
    case U':':
    case U'<':
    case U'>':
    case U'?':
    case U'@':
    case U'[':
    case U'\\':
    case U']':
    case U'^':
    case U'|': return true;
    default: return false;
  }
}

/// "forbidden domain code point": a forbidden host code point, a C0 control, U+0025 (%)
/// or U+007F DELETE.
inline bool is_forbidden_domain_code_point(char32_t c) {
  return is_forbidden_host_code_point(c) || infra::is_c0_control(c) || c == U'%' || c == 0x7F;
}

/// "percent-decode" a byte sequence.
inline std::string percent_decode(const std::string& input) {
  // 1. Let output be an empty byte sequence. 2. For each byte byte in input:
  std::string output;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char32_t b = static_cast<unsigned char>(input[i]);
    // 2.1. If byte is not 0x25 (%), then append byte to output.
    // 2.2. Otherwise, if byte is 0x25 (%) and the next two bytes after byte in input are
    //      not in the ranges 0x30 (0) to 0x39 (9), 0x41 (A) to 0x46 (F), and 0x61 (a) to
    //      0x66 (f), all inclusive, append byte to output.
    if (b != U'%' || i + 2 >= input.size() || !infra::is_ascii_hex_digit(static_cast<unsigned char>(input[i + 1])) ||
        !infra::is_ascii_hex_digit(static_cast<unsigned char>(input[i + 2]))) {
      output.push_back(input[i]);
      continue;
    }
    // 2.3. Otherwise: let bytePoint be the two bytes after byte in input, decoded, and
    //      then interpreted as hexadecimal number; append a byte whose value is bytePoint
    //      to output; skip the next two bytes in input.
    const int hi = infra::hex_value(static_cast<unsigned char>(input[i + 1]));
    const int lo = infra::hex_value(static_cast<unsigned char>(input[i + 2]));
    output.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  // 3. Return output.
  return output;
}

/// "host parser" with isOpaque false (http and https are special). `input` is the host
/// buffer the URL parser collected, as UTF-8.
inline host_result parse_host(std::string_view input_utf8) {
  host_result r;
  std::u32string input;
  if (!infra::utf8_decode(input_utf8, input)) {
    r.kind = host_kind::out_of_scope;
    r.failure = "not UTF-8";
    return r;
  }
  // 1. If input starts with U+005B ([), then: if input does not end with U+005D (]),
  //    IPv6-unclosed validation error, return failure; return the result of IPv6 parsing
  //    input with its leading U+005B ([) and trailing U+005D (]) removed.
  if (!input.empty() && input.front() == U'[') {
    r.kind = host_kind::ipv6;
    if (input.back() != U']' || input.size() < 2) {
      r.failure = "IPv6-unclosed";
      return r;
    }
    if (!parse_ipv6(input.substr(1, input.size() - 2), r.ipv6, r.failure)) return r;
    r.ok = true;
    r.serialised = "[" + serialise_ipv6(r.ipv6) + "]";
    return r;
  }
  // 2. If isOpaque is true, then return the result of opaque-host parsing input.
  //    (Never: http and https are special.)
  // 3. Assert: input is not the empty string.
  // 4. Let domain be the result of running UTF-8 decode without BOM on the
  //    percent-decoding of input.
  const std::string decoded = percent_decode(std::string(input_utf8));
  r.decoded_length = decoded.size();
  std::u32string domain;
  bool ascii = true;
  for (char b : decoded)
    if (static_cast<unsigned char>(b) >= 0x80) ascii = false;
  // 5. Let asciiDomain be the result of running domain to ASCII with domain and false.
  //    Domain to ASCII step 1: "If beStrict is false, domain is an ASCII string, and
  //    strictly splitting domain on U+002E (.) does not produce any item that starts with
  //    an ASCII case-insensitive match for "xn--", this step is equivalent to ASCII
  //    lowercasing domain." Anything else needs UTS #46: out of scope, except ASCII
  //    "xn--" labels, which are lower-cased and flagged.
  if (!ascii) {
    r.kind = host_kind::out_of_scope;
    r.failure = "non-ASCII domain (UTS #46 not modelled)";
    return r;
  }
  for (char b : decoded) domain.push_back(static_cast<unsigned char>(b));
  for (const std::u32string& label : infra::strictly_split(domain, U'.'))
    if (infra::starts_with_ascii_ci(label, U"xn--")) r.punycode_unverified = true;
  const std::u32string asciiDomain = infra::ascii_lowercase(domain);
  //    Domain to ASCII step 3: if result is the empty string, domain-to-ASCII validation
  //    error, return failure.
  if (asciiDomain.empty()) {
    r.failure = "domain-to-ASCII";
    return r;
  }
  // 6. If asciiDomain contains a forbidden domain code point, domain-invalid-code-point
  //    validation error, return failure.
  for (char32_t c : asciiDomain) {
    if (is_forbidden_domain_code_point(c)) {
      r.failure = "domain-invalid-code-point";
      return r;
    }
  }
  // 7. If asciiDomain ends in a number, then return the result of IPv4 parsing asciiDomain.
  if (ends_in_a_number(asciiDomain)) {
    r.kind = host_kind::ipv4;
    if (!parse_ipv4(asciiDomain, r.ipv4, r.failure)) return r;
    r.ok = true;
    r.serialised = serialise_ipv4(r.ipv4);
    return r;
  }
  // 8. Return asciiDomain.
  r.kind = host_kind::domain;
  r.ok = true;
  r.serialised = infra::utf8_encode(asciiDomain);
  return r;
}

// --- the basic URL parser, for a special URL with no base, up to the port ---------------

enum class url_status { ok, failure, out_of_scope };

struct url_result {
  url_status status = url_status::failure;
  std::string why;  // the validation error (failure) or the reason (out of scope)
  std::string scheme;
  bool has_credentials = false;  // username or password non-empty
  host_result host;
  int port = -1;  // -1: null (absent or the scheme's default)
  /// `/` and `\` in the path (everything after the authority up to `?` or `#`): each
  /// starts a path segment in a special URL.
  std::size_t path_separators = 0;
  bool host_parsed = false;         // the host parser ran (host has a verdict)
  std::size_t raw_host_length = 0;  // bytes of the host buffer handed to the host parser
};

/// Runs the basic URL parser on `input` (no base, no state override) through the scheme,
/// authority, host and port states. Stops at the path: what follows cannot change the
/// scheme, credentials, host or port.
inline url_result parse_url(std::string_view input_utf8) {
  url_result r;
  std::u32string input;
  if (!infra::utf8_decode(input_utf8, input)) {
    r.status = url_status::out_of_scope;
    r.why = "not UTF-8";
    return r;
  }
  // 1.2. If input contains any leading or trailing C0 control or space, invalid-URL-unit
  //      validation error. 1.3. Remove any leading and trailing C0 control or space.
  while (!input.empty() && infra::is_c0_control_or_space(input.front())) input.erase(0, 1);
  while (!input.empty() && infra::is_c0_control_or_space(input.back())) input.pop_back();
  // 2. If input contains any ASCII tab or newline, invalid-URL-unit validation error.
  // 3. Remove all ASCII tab or newline from input.
  std::u32string cleaned;
  for (char32_t c : input)
    if (!infra::is_ascii_tab_or_newline(c)) cleaned.push_back(c);
  input = cleaned;

  enum class state {
    scheme_start,
    scheme,
    special_authority_slashes,
    special_authority_ignore_slashes,
    authority,
    host,
    port,
    path_start
  };
  // 4. Let state be scheme start state. 5. (encoding) 6. Let buffer be the empty string.
  // 7. atSignSeen, insideBrackets, passwordTokenSeen be false. 8. Let pointer be 0.
  state st = state::scheme_start;
  std::u32string buffer;
  bool atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;
  std::u32string username, password;
  const char32_t EOF_ = 0xFFFFFFFF;
  std::size_t pointer = 0;
  auto fail = [&](const char* why) {
    r.status = url_status::failure;
    r.why = why;
    return r;
  };
  // 9. Keep running the following state machine by switching on state. If after a run
  //    pointer points to the EOF code point, go to the next step. Otherwise, increase
  //    pointer by 1 and continue with the state machine.
  for (;; ++pointer) {
    const char32_t c = pointer < input.size() ? input[pointer] : EOF_;
    auto remaining_starts_with = [&](char32_t x) { return pointer + 1 < input.size() && input[pointer + 1] == x; };
    switch (st) {
      case state::scheme_start:
        // 1. If c is an ASCII alpha, append c, lowercased, to buffer, and set state to
        //    scheme state. 3. Otherwise, return failure (no state override).
        if (c != EOF_ && infra::is_ascii_alpha(c)) {
          buffer.push_back(infra::ascii_lower(c));
          st = state::scheme;
        } else {
          // (No scheme state with a null base: missing-scheme-non-relative-URL, failure.)
          return fail("missing-scheme-non-relative-URL");
        }
        break;
      case state::scheme:
        // 1. If c is an ASCII alphanumeric, U+002B (+), U+002D (-), or U+002E (.), append
        //    c, lowercased, to buffer.
        if (c != EOF_ && (infra::is_ascii_alphanumeric(c) || c == U'+' || c == U'-' || c == U'.')) {
          buffer.push_back(infra::ascii_lower(c));
        }
        // 2. Otherwise, if c is U+003A (:), then: set url's scheme to buffer ...
        else if (c == U':') {
          r.scheme = infra::utf8_encode(buffer);
          if (r.scheme != "http" && r.scheme != "https") {
            // Other schemes (special or not) follow other paths: out of scope.
            r.status = url_status::out_of_scope;
            r.why = "scheme";
            return r;
          }
          buffer.clear();
          // ... Otherwise, if url is special, set state to special authority slashes state
          // (base is null, so "special relative or authority" never applies).
          st = state::special_authority_slashes;
        }
        // 3. Otherwise, set buffer to the empty string, state to no scheme state, and
        //    start over. No scheme state, base null: failure.
        else {
          return fail("missing-scheme-non-relative-URL");
        }
        break;
      case state::special_authority_slashes:
        // 1. If c is U+002F (/) and remaining starts with U+002F (/), then set state to
        //    special authority ignore slashes state and increase pointer by 1.
        // 2. Otherwise, special-scheme-missing-following-solidus validation error, set
        //    state to special authority ignore slashes state and decrease pointer by 1.
        if (c == U'/' && remaining_starts_with(U'/')) {
          st = state::special_authority_ignore_slashes;
          ++pointer;
        } else {
          st = state::special_authority_ignore_slashes;
          --pointer;
        }
        break;
      case state::special_authority_ignore_slashes:
        // 1. If c is neither U+002F (/) nor U+005C (\), then set state to authority state
        //    and decrease pointer by 1. 2. Otherwise, validation error.
        if (c != U'/' && c != U'\\') {
          st = state::authority;
          --pointer;
        }
        break;
      case state::authority:
        // 1. If c is U+0040 (@), then:
        if (c == U'@') {
          // 1.2. If atSignSeen is true, then prepend "%40" to buffer.
          if (atSignSeen) buffer.insert(0, U"%40");
          // 1.3. Set atSignSeen to true.
          atSignSeen = true;
          // 1.4. For each codePoint in buffer: if codePoint is U+003A (:) and
          //      passwordTokenSeen is false, set passwordTokenSeen to true and continue;
          //      otherwise append it (percent-encoded) to password if passwordTokenSeen,
          //      else to username. (Only emptiness matters here.)
          for (char32_t cp : buffer) {
            if (cp == U':' && !passwordTokenSeen) {
              passwordTokenSeen = true;
              continue;
            }
            (passwordTokenSeen ? password : username).push_back(cp);
          }
          // 1.5. Set buffer to the empty string.
          buffer.clear();
        }
        // 2. Otherwise, if c is the EOF code point, U+002F (/), U+003F (?), or U+0023 (#),
        //    or url is special and c is U+005C (\), then: if atSignSeen is true and buffer
        //    is the empty string, host-missing validation error, return failure; decrease
        //    pointer by buffer's code point length + 1, set buffer to the empty string,
        //    and set state to host state.
        else if (c == EOF_ || c == U'/' || c == U'?' || c == U'#' || c == U'\\') {
          if (atSignSeen && buffer.empty()) return fail("host-missing");
          pointer -= buffer.size() + 1;
          buffer.clear();
          st = state::host;
        }
        // 3. Otherwise, append c to buffer.
        else {
          buffer.push_back(c);
        }
        break;
      case state::host:
        // 2. Otherwise, if c is U+003A (:) and insideBrackets is false, then: if buffer is
        //    the empty string, host-missing validation error, return failure; let host be
        //    the result of host parsing buffer with url is not special (false); if host is
        //    failure, return failure; set url's host to host, buffer to the empty string,
        //    and state to port state.
        // 3. Otherwise, if c is the EOF code point, U+002F (/), U+003F (?), or U+0023 (#),
        //    or url is special and c is U+005C (\): if url is special and buffer is the
        //    empty string, host-missing validation error, return failure; host-parse
        //    buffer; if failure, return failure; set url's host, buffer to the empty
        //    string, state to path start state.
        if ((c == U':' && !insideBrackets) || c == EOF_ || c == U'/' || c == U'?' || c == U'#' || c == U'\\') {
          if (buffer.empty()) return fail("host-missing");
          const std::string host_text = infra::utf8_encode(buffer);
          r.raw_host_length = host_text.size();
          r.host = parse_host(host_text);
          r.host_parsed = true;
          if (r.host.kind == host_kind::out_of_scope) {
            r.status = url_status::out_of_scope;
            r.why = r.host.failure;
            return r;
          }
          if (!r.host.ok) return fail(r.host.failure.c_str());
          buffer.clear();
          if (c == U':') {
            st = state::port;
          } else {
            st = state::path_start;
            --pointer;
          }
        }
        // 4. Otherwise: if c is U+005B ([), set insideBrackets to true; if c is U+005D
        //    (]), set insideBrackets to false; append c to buffer.
        else {
          if (c == U'[') insideBrackets = true;
          if (c == U']') insideBrackets = false;
          buffer.push_back(c);
        }
        break;
      case state::port:
        // 1. If c is an ASCII digit, append c to buffer.
        if (c != EOF_ && infra::is_ascii_digit(c)) {
          buffer.push_back(c);
        }
        // 2. Otherwise, if one of: c is the EOF code point, U+002F (/), U+003F (?), or
        //    U+0023 (#); url is special and c is U+005C (\) — then: if buffer is not the
        //    empty string: let port be the mathematical integer value that is represented
        //    by buffer in radix-10 using ASCII digits for digits with values 0 through 9;
        //    if port is greater than 2^16 − 1, port-out-of-range validation error, return
        //    failure; set url's port to null, if port is url's scheme's default port;
        //    otherwise, to port. Set buffer to the empty string. Set state to path start
        //    state and decrease pointer by 1.
        else if (c == EOF_ || c == U'/' || c == U'?' || c == U'#' || c == U'\\') {
          if (!buffer.empty()) {
            infra::big port;
            for (char32_t d : buffer) port.mul_add(10, static_cast<unsigned>(d - U'0'));
            if (infra::big::of(65535).less_than(port)) return fail("port-out-of-range");
            const int p = static_cast<int>(port.to_u64());
            const int default_port = r.scheme == "https" ? 443 : 80;
            r.port = p == default_port ? -1 : p;
          }
          buffer.clear();
          st = state::path_start;
          --pointer;
        }
        // 3. Otherwise, port-invalid validation error, return failure.
        else {
          return fail("port-invalid");
        }
        break;
      case state::path_start: {
        // The rest is the path, query and fragment: nothing there changes the host. Count
        // the path's segment separators (`/` and `\` up to `?` or `#`).
        for (std::size_t k = pointer; k < input.size() && input[k] != U'?' && input[k] != U'#'; ++k)
          if (input[k] == U'/' || input[k] == U'\\') ++r.path_separators;
        r.has_credentials = !username.empty() || !password.empty();
        r.status = url_status::ok;
        return r;
      }
    }
  }
}

}  // namespace whatwg_ref
