// Strict JSON reader (json.hpp): grammar, UTF-8, duplicates, limits, numbers, views, and
// the JSONTestSuite conformance corpus.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>

#include "test_support.hpp"

using jobwire::errc;
namespace json = jobwire::json;

namespace {
errc code_of(std::string_view text, const json::limits& lim = {}) { return json::validate(text, lim).code(); }
std::size_t offset_of(std::string_view text, const json::limits& lim = {}) {
  return json::validate(text, lim).error().offset;
}
}  // namespace

TEST_CASE("accepts every RFC 8259 value form") {
  for (const char* ok :
       {"{}", "[]", "0", "-0", "1.5e-3", "-12E+7", "true", "false", "null", "\"\"", " \t\r\n[ 1 , {\"a\" : [ ] } ] \n",
        "\"\\u00e9\\ud83d\\ude00\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""}) {
    INFO(ok);
    CHECK(code_of(ok) == errc::ok);
  }
}

TEST_CASE("rejects with a precise code and byte offset") {
  CHECK(code_of("") == errc::json_empty_input);
  CHECK(code_of("   ") == errc::json_empty_input);
  CHECK(code_of("[1,]") == errc::json_unexpected_token);
  CHECK(offset_of("[1,]") == 3);
  CHECK(code_of("{\"a\":1,}") == errc::json_unexpected_token);
  CHECK(code_of("[1 2]") == errc::json_unexpected_token);
  CHECK(code_of("{\"a\" 1}") == errc::json_unexpected_token);
  CHECK(code_of("{1:1}") == errc::json_unexpected_token);
  CHECK(code_of("[") == errc::json_unexpected_end);
  CHECK(code_of("{\"a\":") == errc::json_unexpected_end);
  CHECK(code_of("\"abc") == errc::json_unexpected_end);
  CHECK(code_of("{} {}") == errc::json_trailing_content);
  CHECK(offset_of("{} x") == 3);
  CHECK(code_of("01") == errc::json_invalid_number);
  CHECK(code_of("+1") == errc::json_unexpected_token);
  CHECK(code_of("1.") == errc::json_unexpected_end);
  CHECK(code_of("1.e5") == errc::json_invalid_number);
  CHECK(code_of("-") == errc::json_unexpected_end);
  CHECK(code_of("[-x]") == errc::json_invalid_number);
  CHECK(code_of("NaN") == errc::json_unexpected_token);
  CHECK(code_of("tru") == errc::json_unexpected_end);
  CHECK(code_of("nul1") == errc::json_unexpected_token);
  CHECK(code_of("\"a\tb\"") == errc::json_invalid_string);
  CHECK(code_of("\"\\x\"") == errc::json_invalid_escape);
  CHECK(code_of("\"\\u12G4\"") == errc::json_invalid_escape);
  CHECK(code_of("/* c */ 1") == errc::json_unexpected_token);
  CHECK(code_of("\xef\xbb\xbf{}") == errc::json_unexpected_token);  // BOM
}

TEST_CASE("validates UTF-8 and surrogate escapes") {
  CHECK(code_of("\"\xc3\"") == errc::json_invalid_utf8);              // truncated
  CHECK(code_of("\"\xc0\xaf\"") == errc::json_invalid_utf8);          // overlong
  CHECK(code_of("\"\xe0\x80\xaf\"") == errc::json_invalid_utf8);      // overlong 3-byte
  CHECK(code_of("\"\xed\xa0\x80\"") == errc::json_invalid_utf8);      // encoded surrogate
  CHECK(code_of("\"\xf4\x90\x80\x80\"") == errc::json_invalid_utf8);  // > U+10FFFF
  CHECK(code_of("\"\xff\"") == errc::json_invalid_utf8);
  CHECK(code_of("\"\x80\"") == errc::json_invalid_utf8);
  CHECK(code_of("\"\\ud800\"") == errc::json_invalid_surrogate);
  CHECK(code_of("\"\\udc00\"") == errc::json_invalid_surrogate);
  CHECK(code_of("\"\\ud800\\u0041\"") == errc::json_invalid_surrogate);
  CHECK(code_of("\"\\ud800x\"") == errc::json_invalid_surrogate);
  CHECK(code_of("\"\\ud83d\\ude00\"") == errc::ok);
  CHECK(code_of("\"\xf4\x8f\xbf\xbf\"") == errc::ok);
}

TEST_CASE("duplicate keys are rejected after unescaping, at the later key") {
  CHECK(code_of(R"({"a":1,"a":2})") == errc::json_duplicate_key);
  CHECK(offset_of(R"({"a":1,"a":2})") == 7);
  CHECK(code_of(R"({"a":1,"\u0061":2})") == errc::json_duplicate_key);
  CHECK(code_of(R"({"a":{"a":1},"b":{"a":2}})") == errc::ok);  // same key, different objects
  CHECK(code_of(R"([{"a":1},{"a":1}])") == errc::ok);
  // Opt-in leniency: RFC 8259 grammar only; find() returns the first occurrence.
  json::options lenient;
  lenient.leniency = jobwire::lenient::duplicate_keys;
  CHECK(code_of(R"({"a":1,"a":2})", lenient) == errc::ok);
  CHECK(*json::parse(R"({"a":1,"a":2})", lenient)->get_object()->find("a").get_int64() == 1);
  // Large objects take the sorted path; still detected, still linear-ish. The limits are
  // explicit (room for these sizes) so that the tiny-limits build runs the same checks.
  json::limits room;
  room.max_members = 600;
  room.max_bytes = 64 * 1024;
  std::string big = "{";
  for (int i = 0; i < 500; ++i) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  CHECK(code_of(big + "}", room) == errc::ok);
  std::string dup = big + ",\"k250\":1}";
  CHECK(code_of(dup, room) == errc::json_duplicate_key);
  CHECK(offset_of(dup, room) == big.size() + 1);
  // Under the build's default limits the same text is within them or refused as too many
  // entries (or too large) — never accepted with its duplicate.
  CHECK(code_of(dup) == jobwire_test::expected_unless_json_limit(dup, errc::json_duplicate_key));
  // Keys spread over the inline table and its overflow, nested.
  std::string nested = "{\"outer\":" + big + "}}";
  std::string nested_obj = "{";
  for (int i = 0; i < 100; ++i) nested_obj += (i ? ",\"o" : "\"o") + std::to_string(i) + "\":0";
  nested_obj += ",\"inner\":" + big + "},\"o5\":1}";
  CHECK(code_of(nested + "", room) == errc::ok);
  CHECK(code_of(nested_obj, room) == errc::json_duplicate_key);
}

TEST_CASE("duplicate detection across object sizes and key fingerprints") {
  // Each size exercises one path: pairwise over the inline table (<= 48 keys), a stack
  // sort (<= 64), and the heap sort beyond; the duplicate is spelled with an escape.
  // The limits are explicit so that the tiny-limits build runs every path too.
  json::limits room;
  room.max_members = 200;
  room.max_bytes = 64 * 1024;
  for (int n : {2, 16, 17, 47, 48, 49, 63, 64, 65, 129}) {
    INFO(n);
    std::string obj = "{";
    for (int i = 0; i < n; ++i) obj += (i ? ",\"key_" : "\"key_") + std::to_string(i) + "\":0";
    CHECK(code_of(obj + "}", room) == errc::ok);
    std::string mid = std::to_string(n / 2);
    std::string dup = obj + ",\"\\u006bey_" + mid + "\":1}";
    CHECK(code_of(dup, room) == errc::json_duplicate_key);
    CHECK(offset_of(dup, room) == obj.size() + 1);
    CHECK(code_of(dup) == jobwire_test::expected_unless_json_limit(dup, errc::json_duplicate_key));
  }
  // Keys that differ only where the fingerprint does not sample are still distinct.
  CHECK(code_of(R"({"abXdefg":1,"abYdefg":2,"abZdefg":3})") == errc::ok);
  CHECK(code_of(R"({"abXdefg":1,"abYdefg":2,"ab\u0058defg":3})") == errc::json_duplicate_key);
  CHECK(code_of(R"({"":1,"\u0000":2,"a":3})") == errc::ok);
  CHECK(code_of(R"({"":1,"a":2,"":3})") == errc::json_duplicate_key);
}

TEST_CASE("a top-level number ending at the end of the buffer is read in bounds") {
  // The buffer holds exactly the number: no terminator after it to stop a scan.
  for (const char* text : {"0", "-12", "3.5e7"}) {
    std::size_t n = std::strlen(text);
    std::unique_ptr<char[]> exact(new char[n]);
    std::memcpy(exact.get(), text, n);
    auto v = json::parse(std::string_view(exact.get(), n));
    REQUIRE(v);
    CHECK(v->raw() == text);
    CHECK(v->get_double());
  }
}

TEST_CASE("limits are enforced with their own codes") {
  json::limits lim;
  lim.max_depth = 3;
  CHECK(code_of("[[[1]]]", lim) == errc::ok);
  CHECK(code_of("[[[[1]]]]", lim) == errc::json_depth_exceeded);
  CHECK(offset_of("[[[[1]]]]", lim) == 3);
  lim = {};
  lim.max_bytes = 4;
  CHECK(code_of("[1,2]", lim) == errc::json_input_too_large);
  lim = {};
  lim.max_string_bytes = 3;
  CHECK(code_of("\"abc\"", lim) == errc::ok);
  CHECK(code_of("\"abcd\"", lim) == errc::json_string_too_long);
  lim = {};
  lim.max_members = 2;
  CHECK(code_of("[1,2]", lim) == errc::ok);
  CHECK(code_of("[1,2,3]", lim) == errc::json_too_many_members);
  CHECK(code_of("{\"a\":1,\"b\":2,\"c\":3}", lim) == errc::json_too_many_members);
  // The hard depth ceiling holds even when a caller asks for more.
  lim = {};
  lim.max_depth = 100000;
  std::string deep(json::hard_max_depth + 1, '[');
  deep += std::string(json::hard_max_depth + 1, ']');
  CHECK(code_of(deep, lim) == errc::json_depth_exceeded);
  std::string very_deep(100000, '[');
  lim = {};
  lim.max_bytes = very_deep.size();
  CHECK(code_of(very_deep, lim) == errc::json_depth_exceeded);
  CHECK(code_of(very_deep) == jobwire_test::expected_unless_json_limit(very_deep, errc::json_depth_exceeded));
}

// The compiled-in defaults (JOBWIRE_JSON_DEFAULT_*, very small in the tiny-limits build):
// a text exactly at each limit is accepted, one step past it is refused with the limit's
// code at the offending byte. Written in terms of the macros, so both builds run it.
TEST_CASE("default limits: exactly the limit is accepted, one more is refused") {
  const json::limits d;
  CHECK(d.max_bytes == JOBWIRE_JSON_DEFAULT_MAX_BYTES);
  CHECK(d.max_depth == JOBWIRE_JSON_DEFAULT_MAX_DEPTH);
  CHECK(d.max_string_bytes == JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES);
  CHECK(d.max_members == JOBWIRE_JSON_DEFAULT_MAX_MEMBERS);

  SECTION("input bytes") {
    const std::size_t n = JOBWIRE_JSON_DEFAULT_MAX_BYTES;
    // A string padded with spaces to exactly n bytes: legal JSON whatever n is (>= 2).
    std::string at = "\"\"" + std::string(n - 2, ' ');
    CHECK(code_of(at) == errc::ok);
    CHECK(code_of(at + " ") == errc::json_input_too_large);
    CHECK(offset_of(at + " ") == n);
    CHECK(jobwire_test::json_limit_error(at + " ") == errc::json_input_too_large);
  }
  SECTION("depth") {
    const std::size_t n = JOBWIRE_JSON_DEFAULT_MAX_DEPTH;
    const std::string at = std::string(n, '[') + std::string(n, ']');
    CHECK(code_of(at) == errc::ok);
    const std::string over = std::string(n + 1, '[') + std::string(n + 1, ']');
    CHECK(code_of(over) == errc::json_depth_exceeded);
    CHECK(offset_of(over) == n);  // the opening bracket one level too deep
    // Objects count the same as arrays.
    std::string obj_at, obj_over;
    for (std::size_t i = 0; i < n; ++i) obj_at += "{\"a\":";
    obj_at += "1" + std::string(n, '}');
    for (std::size_t i = 0; i <= n; ++i) obj_over += "{\"a\":";
    obj_over += "1" + std::string(n + 1, '}');
    CHECK(code_of(obj_at) == errc::ok);
    CHECK(code_of(obj_over) == errc::json_depth_exceeded);
    CHECK(offset_of(obj_over) == 5 * n);
  }
  SECTION("string bytes (raw, between the quotes)") {
    const std::size_t n = JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES;
    const std::string at = "[\"" + std::string(n, 'x') + "\"]";
    REQUIRE(at.size() + 4 <= JOBWIRE_JSON_DEFAULT_MAX_BYTES);  // the size limit stays out of the way
    {
      CHECK(code_of(at) == errc::ok);
      const std::string over = "[\"" + std::string(n + 1, 'x') + "\"]";
      CHECK(code_of(over) == errc::json_string_too_long);
      CHECK(offset_of(over) == 1);  // the opening quote
      // Escapes count as their raw bytes: n/2 "\\n" pairs fill exactly n bytes.
      std::string escaped = "\"";
      for (std::size_t i = 0; i + 2 <= n; i += 2) escaped += "\\n";
      if (n % 2) escaped += "y";
      escaped += "\"";
      CHECK(code_of(escaped) == errc::ok);
      CHECK(code_of(escaped.substr(0, escaped.size() - 1) + "z\"") == errc::json_string_too_long);
      // Keys are strings too.
      const std::string key_over = "{\"" + std::string(n + 1, 'k') + "\":1}";
      CHECK(code_of(key_over) == errc::json_string_too_long);
    }
  }
  SECTION("entries per array and object") {
    const std::size_t n = JOBWIRE_JSON_DEFAULT_MAX_MEMBERS;
    std::string arr = "[", obj = "{";
    for (std::size_t i = 0; i < n; ++i) {
      arr += i ? ",0" : "0";
      obj += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
    }
    REQUIRE(2 * arr.size() + 16 <= JOBWIRE_JSON_DEFAULT_MAX_BYTES);
    REQUIRE(obj.size() + 16 <= JOBWIRE_JSON_DEFAULT_MAX_BYTES);
    {
      CHECK(code_of(arr + "]") == errc::ok);
      CHECK(code_of(obj + "}") == errc::ok);
      CHECK(code_of(arr + ",0]") == errc::json_too_many_members);
      CHECK(offset_of(arr + ",0]") == arr.size() + 1);  // the entry past the limit
      CHECK(code_of(obj + ",\"x\":0}") == errc::json_too_many_members);
      CHECK(offset_of(obj + ",\"x\":0}") == obj.size() + 1);
      // The count is per container: n entries in each of two siblings is fine.
      CHECK(code_of("[" + arr + "]," + arr + "]]") == errc::ok);
    }
  }
}

TEST_CASE("numbers: integer range checks and exact doubles") {
  auto v = [](std::string_view t) { return *json::parse(t); };
  CHECK(*v("9223372036854775807").get_int64() == INT64_MAX);
  CHECK(*v("-9223372036854775808").get_int64() == INT64_MIN);
  CHECK(v("9223372036854775808").get_int64().code() == errc::json_number_out_of_range);
  CHECK(*v("18446744073709551615").get_uint64() == UINT64_MAX);
  CHECK(v("18446744073709551616").get_uint64().code() == errc::json_number_out_of_range);
  CHECK(v("-1").get_uint64().code() == errc::json_number_out_of_range);
  CHECK(*v("-0").get_uint64() == 0u);
  CHECK(v("1.0").get_int64().code() == errc::json_not_integer);
  CHECK(v("1e2").get_int64().code() == errc::json_not_integer);
  CHECK(v("\"1\"").get_int64().code() == errc::json_type_mismatch);
  CHECK(*v("0.1").get_double() == 0.1);
  CHECK(*v("2.2250738585072014e-308").get_double() == 2.2250738585072014e-308);
  CHECK(*v("1e2").get_double() == 100.0);
  CHECK(v("1e400").get_double().code() == errc::json_number_out_of_range);
  CHECK(v("true").get_double().code() == errc::json_type_mismatch);
}

TEST_CASE("views point into the input and navigate without copying") {
  const std::string text = R"( {"id":"G-1","n":[1,{"x":"a\"b"},true],"esc":"\u0041\n","empty":{},"z":null} )";
  auto root = json::parse(text);
  REQUIRE(root);
  auto obj = root->get_object();
  REQUIRE(obj);
  CHECK(obj->size() == 5);
  auto id = obj->find("id").get_string();
  REQUIRE(id);
  CHECK(!id->has_escapes());
  CHECK(id->raw().data() >= text.data());
  CHECK(id->raw().data() < text.data() + text.size());
  CHECK(id->equals("G-1"));
  CHECK(!obj->find("missing").exists());
  auto arr = obj->find("n").get_array();
  REQUIRE(arr);
  CHECK(arr->size() == 3);
  CHECK(*arr->at(0).get_int64() == 1);
  CHECK(arr->at(1).get_object()->find("x").get_string()->to_string() == "a\"b");
  CHECK(*arr->at(2).get_bool());
  CHECK(!arr->at(3).exists());
  auto esc = obj->find("esc").get_string();
  CHECK(esc->has_escapes());
  CHECK(esc->equals("A\n"));
  CHECK(!esc->equals("A"));
  CHECK(esc->decoded_size() == 2);
  char buf[1];
  CHECK(esc->decode_to(buf, sizeof buf) == 2);
  CHECK(buf[0] == 'A');
  CHECK(obj->find("empty").get_object()->empty());
  CHECK(obj->find("z").is_null());
  CHECK(obj->find("z").get_string().code() == errc::json_type_mismatch);
  CHECK(root->raw() == text.substr(1, text.size() - 2));
  CHECK(obj->find("n").raw() == R"([1,{"x":"a\"b"},true])");
}

TEST_CASE("writer escapes, replaces invalid UTF-8 and always produces valid JSON") {
  std::string out;
  json::writer w(out);
  w.begin_object()
      .field("s", std::string_view("a\"b\\c\n\x01\x7f"))
      .field("bad", std::string_view("x\xff\xc3y"))
      .field("n", -5)
      .field("u", std::uint64_t{18446744073709551615ull})
      .field("d", 0.1)
      .field("b", true)
      .key("arr")
      .begin_array()
      .number(1)
      .null()
      .begin_object()
      .end_object()
      .end_array()
      .end_object();
  CHECK(out ==
        "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u007f\",\"bad\":\"x\xef\xbf\xbd\xef\xbf\xbdy\",\"n\":-5,"
        "\"u\":18446744073709551615,\"d\":0.1,\"b\":true,\"arr\":[1,null,{}]}");
  CHECK(json::validate(out));
}

TEST_CASE("JSONTestSuite: y_ accepted, n_ rejected, i_ recorded") {
  namespace fs = std::filesystem;
  const std::string dir = jobwire_test::json_test_suite_dir();
  if (!jobwire_test::conformance_data_present(dir, "JSONTestSuite (set JOBWIRE_JSON_TEST_SUITE)")) return;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  int y = 0, n = 0, i = 0;
  for (const auto& f : files) {
    std::string text;
    REQUIRE(jobwire_test::read_file(f.string(), text));
    std::string name = f.filename().string();
    // The suite tests RFC 8259 well-formedness, under which repeated names are allowed
    // (y_object_duplicated_key*); the strict default is checked separately below.
    json::options rfc;
    rfc.leniency = jobwire::lenient::duplicate_keys;
    auto st = json::validate(text, rfc);
    INFO(name << " -> " << st.error().name());
    if (name.rfind("y_object_duplicated_key", 0) == 0) CHECK(json::validate(text).code() == errc::json_duplicate_key);
    if (name[0] == 'y') {
      CHECK(st);
      ++y;
    } else if (name[0] == 'n') {
      CHECK(!st);
      ++n;
    } else {
      ++i;
    }
  }
  CHECK(y == 95);
  CHECK(n == 188);
  CHECK(i == 35);
}

TEST_CASE("a top-level number is read within the input's bounds") {
  // The buffer holds exactly the digits: no terminator follows (found by fuzzing).
  const std::string digits = "12345";
  std::string_view view(digits.data(), 3);
  auto v = json::parse(view);
  REQUIRE(v);
  CHECK(v->raw() == "123");
  CHECK(*v->get_int64() == 123);
  auto d = json::parse(std::string_view(digits.data(), 1));
  CHECK(*d->get_double() == 1.0);
}

TEST_CASE("string scan: every stopping byte is found at every position of a block") {
  // The scan (json.hpp plain_run) reads whole blocks (16 bytes with SSE2, 8 portable) and
  // stops at the first quote, backslash, control or non-ASCII byte; this file runs in both
  // modes (test_json_portable). A byte-by-byte reference decides each case.
  INFO("string scan: " << json::scan_mode());
  const unsigned char stops[] = {'"', '\\', 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF};
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t pos = 0; pos <= len; ++pos) {
      for (unsigned char stop : stops) {
        std::string s(len, 'a');
        if (pos < len) s[pos] = static_cast<char>(stop);
        const char* b = s.data();
        const char* e = b + s.size();
        // Reference: the first byte that needs a look with controls, or only quote/backslash.
        auto first = [&](bool controls) {
          for (const char* p = b; p < e; ++p) {
            const unsigned char c = static_cast<unsigned char>(*p);
            if (c == '"' || c == '\\' || (controls && (c < 0x20 || c >= 0x80))) return p;
          }
          return e;
        };
        const char* got = json::detail::plain_run<true>(b, e);
        const char* want = first(true);
        INFO("len " << len << " pos " << pos << " byte " << int(stop));
        // The scan stops exactly at the first stopping byte, or before it with fewer than 8
        // bytes left (the caller looks at those one by one), never past it.
        CHECK(got <= want);
        CHECK((got == want || e - got < 8));
        const char* got2 = json::detail::plain_run<false>(b, e);
        const char* want2 = first(false);
        CHECK(got2 <= want2);
        CHECK((got2 == want2 || e - got2 < 8));
      }
    }
  }
}

TEST_CASE("string scan: strings accepted and refused the same way at every alignment") {
  for (std::size_t pad = 0; pad < 20; ++pad) {
    const std::string p(pad, 'x');
    CHECK(json::parse("\"" + p + "\"").has_value());
    CHECK(json::parse("\"" + p + "\\n" + p + "\"").has_value());
    CHECK(json::parse("\"" + p + "\xc3\xa9" + p + "\"").has_value());
    CHECK(json::parse("\"" + p + "\x01" + p + "\"").error().code == errc::json_invalid_string);
    CHECK(json::parse("\"" + p + "\xc3" + p + "\"").error().code == errc::json_invalid_utf8);
    CHECK(json::parse("\"" + p + "\xc3").error().code == errc::json_invalid_utf8);
    CHECK(json::parse("\"" + p).error().code == errc::json_unexpected_end);
    auto bad = json::parse("\"" + p + "\x7f\x1f\"");
    CHECK((bad.error().code == errc::json_invalid_string && bad.error().offset == pad + 2));
  }
}

TEST_CASE("number scan: the digit run ends at the first non-digit at every position") {
  const unsigned char others[] = {'/', ':', '.', 'e', 'E', '+', '-', ',', '}', ' ', 0x00, 0x7F, 0x80, 0xB9, 0xBA, 0xFF};
  for (std::size_t len = 0; len <= 24; ++len) {
    for (std::size_t pos = 0; pos <= len; ++pos) {
      for (unsigned char other : others) {
        std::string s;
        for (std::size_t i = 0; i < len; ++i) s += static_cast<char>('0' + (i * 7) % 10);
        if (pos < len) s[pos] = static_cast<char>(other);
        INFO("len " << len << " pos " << pos << " byte " << int(other));
        CHECK(json::detail::skip_digits(s.data(), s.data() + s.size()) == s.data() + pos);
      }
    }
  }
  // Through the parser: long numbers at every alignment.
  for (std::size_t pad = 0; pad < 12; ++pad) {
    const std::string digits = "1" + std::string(pad, '0') + "23456789";
    auto v = json::parse("[" + digits + "," + digits + ".5e3]");
    REQUIRE(v);
    CHECK(json::parse("[" + digits + "x]").error().code == errc::json_unexpected_token);
    CHECK(json::parse("[0" + digits + "]").error().code == errc::json_invalid_number);
  }
}
