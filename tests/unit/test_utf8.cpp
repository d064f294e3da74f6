// UTF-8 well-formedness (RFC 3629) shared by the JSON reader/writer, previews and URLs.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "jobwire/json.hpp"
#include "jobwire/json_writer.hpp"
#include "jobwire/utf8.hpp"

using jobwire::utf8_sequence_length;
using jobwire::utf8_valid;

namespace {
std::size_t len_of(std::string_view s) { return utf8_sequence_length(s.data(), s.size()); }
}  // namespace

TEST_CASE("utf8_sequence_length: well-formed sequences of each length") {
  CHECK(len_of("A") == 1);
  CHECK(len_of(std::string_view("\0", 1)) == 1);
  CHECK(len_of("\x7f") == 1);
  CHECK(len_of("\xc2\x80") == 2);          // U+0080, smallest 2-byte
  CHECK(len_of("\xdf\xbf") == 2);          // U+07FF
  CHECK(len_of("\xe0\xa0\x80") == 3);      // U+0800, smallest 3-byte
  CHECK(len_of("\xed\x9f\xbf") == 3);      // U+D7FF, just below the surrogates
  CHECK(len_of("\xee\x80\x80") == 3);      // U+E000, just above the surrogates
  CHECK(len_of("\xef\xbf\xbf") == 3);      // U+FFFF
  CHECK(len_of("\xf0\x90\x80\x80") == 4);  // U+10000
  CHECK(len_of("\xf4\x8f\xbf\xbf") == 4);  // U+10FFFF
  // Only the first sequence is measured.
  CHECK(len_of("\xc3\xa9xyz") == 2);
}

TEST_CASE("utf8_sequence_length: ill-formed sequences give 0") {
  CHECK(len_of("\x80") == 0);  // lone continuation byte
  CHECK(len_of("\xbf") == 0);
  CHECK(len_of("\xc0\xaf") == 0);  // overlong 2-byte lead
  CHECK(len_of("\xc1\xbf") == 0);
  CHECK(len_of("\xe0\x80\xaf") == 0);  // overlong 3-byte
  CHECK(len_of("\xe0\x9f\xbf") == 0);
  CHECK(len_of("\xed\xa0\x80") == 0);      // encoded surrogate U+D800
  CHECK(len_of("\xed\xbf\xbf") == 0);      // U+DFFF
  CHECK(len_of("\xf0\x8f\xbf\xbf") == 0);  // overlong 4-byte
  CHECK(len_of("\xf4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(len_of("\xf5\x80\x80\x80") == 0);
  CHECK(len_of("\xff") == 0);
  CHECK(len_of("\xc3\x28") == 0);          // second byte not a continuation
  CHECK(len_of("\xe2\x82\x28") == 0);      // third byte not a continuation
  CHECK(len_of("\xf0\x90\x80\x28") == 0);  // fourth byte not a continuation
}

TEST_CASE("utf8_sequence_length: never reads past avail") {
  // The full sequence is in memory but only part of it is available: it is truncated.
  const char euro[] = "\xe2\x82\xac";
  CHECK(utf8_sequence_length(euro, 3) == 3);
  CHECK(utf8_sequence_length(euro, 2) == 0);
  CHECK(utf8_sequence_length(euro, 1) == 0);
  const char four[] = "\xf0\x9f\x98\x80";
  CHECK(utf8_sequence_length(four, 4) == 4);
  CHECK(utf8_sequence_length(four, 3) == 0);
  CHECK(jobwire::detail::utf8_sequence_length(std::string_view(four, 4), 0) == 4);
  CHECK(jobwire::detail::utf8_sequence_length(std::string_view(four, 4), 1) == 0);
}

TEST_CASE("utf8_valid over whole strings") {
  CHECK(utf8_valid(""));
  CHECK(utf8_valid("plain ascii"));
  CHECK(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(utf8_valid("caf\xc3"));               // truncated at the end
  CHECK_FALSE(utf8_valid("a\xed\xa0\x80z"));        // surrogate in the middle
  CHECK_FALSE(utf8_valid("\xf8\x88\x80\x80\x80"));  // 5-byte form
  static_assert(jobwire::utf8_valid("\xc3\xa9"), "usable in constant expressions");
  static_assert(!jobwire::utf8_valid("\xc3"), "usable in constant expressions");
}

TEST_CASE("reader, writer and validator agree on every 1- and 2-byte input") {
  // What json::parse accepts inside a string is exactly what append_quoted copies unchanged.
  for (unsigned a = 0x80; a < 0x100; ++a) {
    for (unsigned b = 0; b < 0x100; ++b) {
      std::string s{static_cast<char>(a), static_cast<char>(b)};
      // Control bytes and quote/backslash are JSON-level matters, not UTF-8 ones; skip them.
      if (b < 0x20 || b == '"' || b == '\\' || b == 0x7f) continue;
      const bool valid = utf8_valid(s);
      const std::string raw = "\"" + s + "\"";
      std::string doc;
      jobwire::json::append_quoted(doc, s);
      const bool copied = doc == raw;
      const auto parsed = jobwire::json::parse(raw);
      INFO("bytes " << a << " " << b);
      CHECK(valid == parsed.has_value());
      CHECK(valid == copied);
    }
  }
}

namespace {
// An independent definition, by arithmetic on the decoded value rather than by lead-byte
// ranges: a sequence of n bytes is well formed when its lead byte announces n, its other
// bytes are continuation bytes, and the value it encodes needs exactly n bytes, is not a
// surrogate and is at most U+10FFFF (RFC 3629 §3, §4).
std::size_t reference_length(const unsigned char* p, std::size_t avail) {
  const unsigned c = p[0];
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || n > avail) return 0;
  unsigned long v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (p[k] & 0x3F);
  }
  const unsigned long min_for_n[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < min_for_n[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  return n;
}
// The maximal subpart (Unicode §3.9): the longest prefix of the bytes that some
// well-formed sequence starts with, found by trying every completion of the prefix.
std::size_t reference_subpart(const unsigned char* p, std::size_t avail) {
  std::size_t best = 1;
  for (std::size_t k = 2; k <= 4 && k <= avail; ++k) {
    bool some = false;
    unsigned char buf[4] = {};
    for (std::size_t i = 0; i < k; ++i) buf[i] = p[i];
    // Complete the prefix with continuation bytes in every position left. Which of 80..BF
    // are allowed changes only at 8F/90 and 9F/A0, so one byte of each of those ranges
    // stands for all of them.
    static const unsigned char reps[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
    const std::size_t free_bytes = 4 - k;
    const unsigned long combos = free_bytes == 0 ? 1ul : free_bytes == 1 ? 6ul : free_bytes == 2 ? 36ul : 216ul;
    for (unsigned long c = 0; c < combos && !some; ++c) {
      unsigned long r = c;
      for (std::size_t i = k; i < 4; ++i, r /= 6) buf[i] = reps[r % 6];
      for (std::size_t n = k; n <= 4 && !some; ++n) some = reference_length(buf, n) == n;
    }
    if (!some) break;
    best = k;
  }
  return best;
}
}  // namespace

TEST_CASE("utf8_sequence_length and next_utf8_step agree with an arithmetic definition on every prefix") {
  // Every lead byte with every second byte, and for the 3- and 4-byte leads a third and a
  // fourth byte from each class (below, at the edges of and inside the sub-ranges of
  // 80..BF, above): what the code decides depends on nothing finer.
  const unsigned later[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
  std::size_t checked = 0;
  for (unsigned a = 0; a < 0x100; ++a) {
    for (unsigned b = 0; b < 0x100; ++b) {
      const bool deep = a >= 0xE0 && a <= 0xF4;
      for (unsigned c : later) {
        for (unsigned d : later) {
          const unsigned char bytes[4] = {static_cast<unsigned char>(a), static_cast<unsigned char>(b),
                                          static_cast<unsigned char>(c), static_cast<unsigned char>(d)};
          for (std::size_t avail = 1; avail <= (deep ? 4u : 2u); ++avail) {
            const char* p = reinterpret_cast<const char*>(bytes);
            const std::size_t want = reference_length(bytes, avail);
            const jobwire::utf8_step step = jobwire::next_utf8_step(p, avail);
            const bool ok = utf8_sequence_length(p, avail) == want && step.valid == (want != 0) &&
                            step.size == (want != 0 ? want : reference_subpart(bytes, avail));
            if (!ok) {
              INFO("bytes " << a << " " << b << " " << c << " " << d << " avail " << avail);
              CHECK(utf8_sequence_length(p, avail) == want);
              CHECK(step.size == (want != 0 ? want : reference_subpart(bytes, avail)));
            }
            ++checked;
          }
          if (!deep) break;
        }
        if (!deep) break;
      }
    }
  }
  CHECK(checked > 1000000);
}
