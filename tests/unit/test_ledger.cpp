// Attempt ledger, delivery summary, previews and the webhook delivery block (ledger.hpp):
// PROTOCOL.md §10, §12.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <jobwire/json.hpp>
#include <jobwire/ledger.hpp>

#include "test_support.hpp"

using namespace jobwire;

namespace {
constexpr std::int64_t T = 1781166600LL * 1000;  // 2026-06-11T08:30:00.000Z
constexpr std::int64_t s(std::int64_t seconds) { return seconds * 1000; }

attempt_record make(const std::string& id, const std::string& key, unsigned attempt, attempt_outcome o,
                    std::int64_t tried, std::string_view body = {}, std::string_view err = {},
                    std::optional<std::int64_t> responded = std::nullopt) {
  auto d = decide_attempt(default_retry_policy, attempt, o, tried);
  REQUIRE(d);
  const std::string type = key.substr(0, key.find(':'));
  attempt_report r;
  r.id = id;
  r.delivery_key = key;
  r.event_type = type;
  r.outcome = o;
  r.tried_at_ms = tried;
  r.responded_at_ms = responded;
  r.response_body = body;
  r.error_message = err;
  auto rec = make_attempt_record(r, *d);
  REQUIRE(rec);
  return *rec;
}

// True when `text` is entirely valid UTF-8.
bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = detail::utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}
}  // namespace

TEST_CASE("ISO-8601 timestamps with milliseconds, as the service writes them") {
  CHECK(format_iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601_ms(T) == "2026-06-11T08:30:00.000Z");
  CHECK(format_iso8601_ms(T + 7) == "2026-06-11T08:30:00.007Z");
  CHECK(format_iso8601_ms(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(format_iso8601_ms(max_ledger_time_ms) == "9999-12-31T23:59:59.999Z");
  CHECK(format_iso8601_ms(-5) == "1970-01-01T00:00:00.000Z");  // clamped

  CHECK(*parse_iso8601_ms("2026-06-11T08:30:00.000Z") == T);
  CHECK(*parse_iso8601_ms("2024-02-29T12:00:00.000Z") == 1709208000000);
  CHECK(*parse_iso8601_ms("9999-12-31T23:59:59.999Z") == max_ledger_time_ms);
  struct bad_case {
    const char* text;
    std::size_t offset;
  };
  const bad_case bad[] = {{"2026-02-29T00:00:00.000Z", 8},       {"2026-13-01T00:00:00.000Z", 5},
                          {"2026-00-01T00:00:00.000Z", 5},       {"2026-06-31T00:00:00.000Z", 8},
                          {"2026-06-11T24:00:00.000Z", 11},      {"2026-06-11T08:60:00.000Z", 14},
                          {"2026-06-11T08:30:60.000Z", 17},      {"2026-06-11T08:30:00Z", 19},
                          {"2026-06-11T08:30:00.000+00:00", 23}, {"2026-06-11 08:30:00.000Z", 10},
                          {"2026-06-11T08:30:00.000z", 23},      {"2026-06-11T08:30:00.000Z ", 24},
                          {"1969-12-31T23:59:59.999Z", 0},       {"", 0},
                          {"+2026-06-11T08:30:00.000Z", 0}};
  for (const auto& b : bad) {
    INFO(b.text);
    auto r = parse_iso8601_ms(b.text);
    CHECK(r.code() == errc::invalid_field);
    CHECK(r.error().offset == b.offset);
  }
  for (std::int64_t ms = 0; ms < max_ledger_time_ms; ms += 9876543210987) {
    INFO(ms);
    CHECK(*parse_iso8601_ms(format_iso8601_ms(ms)) == ms);
  }
}

TEST_CASE("ill-formed UTF-8 is replaced as the Unicode Standard's Table 3-8 example shows") {
  // Unicode 15, §3.9 "U+FFFD Substitution of Maximal Subparts", Table 3-8: the bytes
  // 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 decode to
  // 0061 FFFD FFFD FFFD 0062 FFFD 0063 FFFD FFFD 0064 (also what TextDecoder gives).
  const std::string in = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  const std::string r = "\xEF\xBF\xBD";
  const std::string expected = "a" + r + r + r + "b" + r + "c" + r + r + "d";
  CHECK(cut_response_preview(in) == expected);
  CHECK(count_characters(in) == 10);
  // The JSON writer replaces the same way, so a preview and its serialisation agree.
  std::string quoted;
  json::append_quoted(quoted, in);
  CHECK(quoted == "\"" + expected + "\"");
}

TEST_CASE("previews counted in bytes reproduce the current service's 500-byte lossy cut") {
  // PROTOCOL.md §16: the first 500 bytes, decoded as lossy UTF-8.
  const std::string euro = "\xE2\x82\xAC";
  const std::string fffd = "\xEF\xBF\xBD";
  // 499 ASCII bytes then a 3-byte character: the cut keeps its first byte, which decodes
  // to one U+FFFD (a code-point count would keep the whole character).
  const std::string body = std::string(499, 'a') + euro + "tail";
  CHECK(cut_response_preview(body, 500, preview_unit::bytes) == std::string(499, 'a') + fffd);
  CHECK(cut_response_preview(body) == std::string(499, 'a') + euro);
  // 498 + 3: two bytes of the character survive, still one U+FFFD.
  CHECK(cut_response_preview(std::string(498, 'a') + euro, 500, preview_unit::bytes) == std::string(498, 'a') + fffd);
  // A character that ends exactly at byte 500 is kept whole.
  CHECK(cut_response_preview(std::string(497, 'a') + euro + "z", 500, preview_unit::bytes) ==
        std::string(497, 'a') + euro);
  // 600 × "é" (1200 bytes) → 250 characters, not 500.
  std::string e600;
  for (int i = 0; i < 600; ++i) e600 += "\xC3\xA9";
  CHECK(count_characters(cut_response_preview(e600, 500, preview_unit::bytes)) == 250);
  CHECK(cut_response_preview("", 500, preview_unit::bytes).empty());
  // The ledger applies the unit its report names.
  auto d = decide_attempt(default_retry_policy, 1, attempt_outcome::http(500), 1700000000000);
  REQUIRE(d);
  attempt_report r;
  r.id = "att_1";
  r.delivery_key = "video.completed";
  r.event_type = "video.completed";
  r.outcome = attempt_outcome::http(500);
  r.tried_at_ms = 1700000000000;
  r.response_body = body;
  r.preview_counting = preview_unit::bytes;
  auto rec = make_attempt_record(r, *d, profiles::phaseo);
  REQUIRE(rec);
  CHECK(rec->response_body_preview == std::string(499, 'a') + fffd);
}

TEST_CASE("response previews are cut to 500 characters on a code point boundary") {
  const std::string ascii499(499, 'a');
  // A 3-byte character as the 500th character is kept whole; the rest is cut.
  CHECK(cut_response_preview(ascii499 + "\xE2\x82\xAC" + "xyz") == ascii499 + "\xE2\x82\xAC");
  // A 2-byte character as the 501st is dropped whole, not split.
  CHECK(cut_response_preview(std::string(500, 'b') + "\xC3\xA9") == std::string(500, 'b'));
  // 4-byte characters: one character each by code points...
  const std::string emoji = "\xF0\x9F\x98\x80";
  CHECK(cut_response_preview(ascii499 + emoji + emoji) == ascii499 + emoji);
  // ...two UTF-16 units each when counting as JavaScript does, so the pair that would
  // straddle the 500th unit is left out instead of being halved.
  CHECK(cut_response_preview(ascii499 + emoji, 500, preview_unit::utf16_units) == ascii499);
  CHECK(cut_response_preview(std::string(498, 'a') + emoji + "z", 500, preview_unit::utf16_units) ==
        std::string(498, 'a') + emoji);
  // All multi-byte: 500 × "é" is 1000 bytes and exactly the limit.
  std::string e600;
  for (int i = 0; i < 600; ++i) e600 += "\xC3\xA9";
  CHECK(cut_response_preview(e600).size() == 1000);
  CHECK(count_characters(cut_response_preview(e600)) == 500);
  // Short bodies are unchanged; the empty body stays empty.
  CHECK(cut_response_preview("{\"ok\":true}") == "{\"ok\":true}");
  CHECK(cut_response_preview("").empty());
  // Ill-formed parts count one character each and become one U+FFFD each: the maximal
  // subpart rule a TextDecoder follows (a truncated sequence is one part).
  CHECK(cut_response_preview("a\xFF"
                             "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(cut_response_preview("\xE2\x82") == "\xEF\xBF\xBD");  // truncated sequence
  CHECK(cut_response_preview("\xE2\x82"
                             "A") ==
        "\xEF\xBF\xBD"
        "A");
  CHECK(cut_response_preview("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  CHECK(cut_response_preview(std::string(600, '\xFF')).size() == 1500);

  // Every limit over a mixed text: valid UTF-8, within the limit, a prefix of the input.
  const std::string mixed = "h\xC3\xA9llo \xE2\x82\xAC" + emoji + "\xE4\xB8\xAD\xE6\x96\x87" + emoji + "!";
  for (std::size_t max = 0; max <= 16; ++max) {
    for (preview_unit u : {preview_unit::code_points, preview_unit::utf16_units}) {
      INFO(max);
      std::string p = cut_response_preview(mixed, max, u);
      CHECK(valid_utf8(p));
      CHECK(count_characters(p, u) <= max);
      CHECK(mixed.compare(0, p.size(), p) == 0);
    }
  }
}

TEST_CASE("attempt records are built from the decision and the host's report") {
  attempt_record ok = make("a1", "video.created", 1, attempt_outcome::http(200), T + s(1), "thanks", "", T + 1250);
  CHECK(ok.status == attempt_status::delivered);
  CHECK(ok.delivered_at_ms == T + 1250);
  CHECK_FALSE(ok.next_retry_at_ms);
  CHECK(ok.response_status == 200);
  CHECK(ok.response_body_preview == "thanks");
  CHECK_FALSE(ok.error_message);

  attempt_record busy = make("a2", "video.progress:50", 1, attempt_outcome::http(503), T + s(10), "busy");
  CHECK(busy.status == attempt_status::scheduled_retry);
  CHECK(busy.next_retry_at_ms == T + s(70));
  CHECK(busy.error_message == "HTTP 503");
  CHECK(busy.event_type == "video.progress");
  CHECK_FALSE(busy.delivered_at_ms);

  attempt_record slow = make("a3", "video.completed", 1, attempt_outcome::timed_out(), T + s(20));
  CHECK(slow.error_message == "request timed out");
  CHECK_FALSE(slow.response_status);
  CHECK_FALSE(slow.response_body_preview);
  attempt_record down = make("a4", "video.completed", 2, attempt_outcome::network_failure(), T + s(20));
  CHECK(down.error_message == "network error");
  attempt_record refused =
      make("a5", "video.completed", 2, attempt_outcome::network_failure(), T, {}, "connect: connection refused");
  CHECK(refused.error_message == "connect: connection refused");

  auto d = decide_attempt(default_retry_policy, 1, attempt_outcome::http(200), T);
  REQUIRE(d);
  attempt_report r;
  r.id = "x";
  r.delivery_key = "video.completed";
  r.event_type = "video.completed";
  r.tried_at_ms = T;
  CHECK(make_attempt_record(r, *d).code() == errc::invalid_outcome);  // network error but "delivered"
  r.outcome = attempt_outcome::http(200);
  REQUIRE(make_attempt_record(r, *d));
  r.event_type = "video.failed";
  CHECK(make_attempt_record(r, *d).code() == errc::invalid_field);  // key of another type
  r.event_type = "video.completed";
  r.delivery_key = "video.progress:51";
  CHECK(make_attempt_record(r, *d).code() == errc::invalid_delivery_key);
  r.delivery_key = "video.completed";
  r.event_type = "job.completed";  // subscription name, not an event type (PROTOCOL.md §9)
  CHECK(make_attempt_record(r, *d).code() == errc::unknown_event_type);
  r.event_type = "video.completed";
  r.id = "";
  CHECK(make_attempt_record(r, *d).code() == errc::missing_field);
  r.id = "x";
  r.tried_at_ms = -1;
  CHECK(make_attempt_record(r, *d).code() == errc::invalid_field);
  r.tried_at_ms = T;
  CHECK(make_attempt_record(r, *d));
  // A preview longer than 500 characters is cut when recorded.
  const std::string big(2000, 'z');
  r.response_body = big;
  CHECK(make_attempt_record(r, *d)->response_body_preview->size() == 500);
}

TEST_CASE("the delivery summary over a scripted history") {
  attempt_ledger L;
  CHECK(L.summary() == delivery_summary{});
  CHECK(L.check_send("video.created"));

  L.append(make("a1", "video.created", 1, attempt_outcome::http(200), T + s(1), "ok", "", T + 1250));
  L.append(make("a2", "video.progress:50", 1, attempt_outcome::http(503), T + s(10), "busy"));
  CHECK(L.check_send("video.progress:50").code() == errc::already_queued);
  L.append(make("a3", "video.completed", 1, attempt_outcome::timed_out(), T + s(20)));
  L.append(make("a4", "video.progress:50", 2, attempt_outcome::http(200), T + s(300), "", "", T + 300500));
  L.append(make("a5", "video.completed", 2, attempt_outcome::network_failure(), T + s(300), {}, "connection refused"));

  delivery_summary sm = L.summary();
  CHECK(sm.total_attempts == 5);
  CHECK(sm.delivered_events == 2);
  CHECK(sm.delivered_event_types == std::vector<std::string>{"video.created", "video.progress:50"});
  CHECK(sm.pending_retries == 1);
  CHECK(sm.next_retry_at_ms == T + s(600));
  CHECK(sm.last_attempt_at_ms == T + s(300));
  CHECK(sm.last_attempt_status == attempt_status::scheduled_retry);
  CHECK_FALSE(sm.last_response_status);  // the last attempt got no HTTP response
  CHECK(sm.last_delivered_at_ms == T + 300500);
  CHECK(sm.last_failure_at_ms == T + s(300));
  CHECK(sm.last_error_message == "connection refused");

  CHECK(L.state_of("video.created") == key_state::delivered);
  CHECK(L.state_of("video.progress:50") == key_state::delivered);
  CHECK(L.state_of("video.completed") == key_state::queued_for_retry);
  CHECK(L.state_of("video.progress:90") == key_state::never_sent);

  // The sweep: nothing due before T+600 s, then the completed key's third attempt.
  CHECK(L.due_retries(T + s(599)).empty());
  // The same with the API's time type, to the millisecond.
  CHECK(L.due_retries(unix_time_from_ms(T + s(600) - 1)).empty());
  CHECK(L.due_retries(unix_time_from_ms(T + s(600))).size() == 1);
  auto due = L.due_retries(T + s(600));
  REQUIRE(due.size() == 1);
  CHECK(due[0].delivery_key == "video.completed");
  CHECK(due[0].event_type == "video.completed");
  CHECK(due[0].attempt_number == 3);
  CHECK(due[0].due_at_ms == T + s(600));

  L.append(make("a6", "video.completed", 3, attempt_outcome::http(500), T + s(600), "oops"));
  L.append(make("a7", "video.completed", 4, attempt_outcome::http(502), T + s(1500), "bad gateway"));
  sm = L.summary();
  CHECK(sm.total_attempts == 7);
  CHECK(sm.delivered_events == 2);
  CHECK(sm.pending_retries == 0);
  CHECK_FALSE(sm.next_retry_at_ms);
  CHECK(sm.last_attempt_status == attempt_status::failed_permanently);
  CHECK(sm.last_response_status == 502);
  CHECK(sm.last_failure_at_ms == T + s(1500));
  CHECK(sm.last_error_message == "HTTP 502");
  CHECK(L.due_retries(T + s(100000)).empty());

  // Forced resend of the exhausted key: a fresh delivery, attempt 1 again.
  CHECK(L.check_send("video.completed").code() == errc::already_failed);
  CHECK(L.check_send("video.created").code() == errc::already_delivered);
  REQUIRE(L.check_send("video.completed", /*force=*/true));
  L.append(make("a8", "video.completed", first_attempt_number, attempt_outcome::http(200), T + s(2000), "", "",
                T + s(2001)));
  sm = L.summary();
  CHECK(sm.total_attempts == 8);
  CHECK(sm.delivered_events == 3);
  CHECK(sm.delivered_event_types == std::vector<std::string>{"video.created", "video.progress:50", "video.completed"});
  CHECK(sm.last_attempt_status == attempt_status::delivered);
  CHECK(sm.last_response_status == 200);
  CHECK(sm.last_delivered_at_ms == T + s(2001));
  CHECK(sm.last_failure_at_ms == T + s(1500));  // the last failure stays visible
  CHECK(sm.last_error_message == "HTTP 502");
  CHECK(L.state_of("video.completed") == key_state::delivered);
  // A forced resend of a delivered key counts as a delivered event again, not a new type.
  L.append(make("a9", "video.created", 1, attempt_outcome::http(200), T + s(2100), "", "", T + s(2100)));
  CHECK(L.summary().delivered_events == 4);
  CHECK(L.summary().delivered_event_types.size() == 3);
}

TEST_CASE("history keeps 50 attempts, the public view shows the last 10") {
  attempt_ledger L;
  for (int i = 1; i <= 60; ++i)
    L.append(make("a" + std::to_string(i), "video.progress:" + std::to_string(i % 2 ? 10 : 20), 1,
                  attempt_outcome::http(i == 60 ? 200 : 500), T + s(i)));
  CHECK(L.size() == 50);
  CHECK(L.history()[0].id == "a11");  // a1..a10 dropped, oldest first
  CHECK(L.history()[49].id == "a60");
  auto view = L.public_view();
  REQUIRE(view.size == 10);
  CHECK(view[0].id == "a51");
  CHECK(view[9].id == "a60");
  CHECK(L.summary().total_attempts == 50);

  attempt_ledger small;
  small.append(make("only", "video.created", 1, attempt_outcome::http(200), T));
  CHECK(small.public_view().size == 1);
  CHECK(attempt_ledger{}.public_view().empty());

  std::vector<attempt_record> many;
  for (int i = 0; i < 55; ++i)
    many.push_back(make("m" + std::to_string(i), "video.created", 1, attempt_outcome::http(500), T));
  CHECK(attempt_ledger(many).size() == 50);
  CHECK(attempt_ledger(many).history()[0].id == "m5");
}

TEST_CASE("serialised as the service does: field order, ISO times, nulls") {
  attempt_ledger L;
  L.append(make("a7", "video.completed", 4, attempt_outcome::http(502), T + s(1500), "bad gateway"));
  std::string out;
  json::writer w(out);
  write_attempt(w, L.history()[0]);
  CHECK(
      out ==
      R"({"id":"a7","delivery_key":"video.completed","event_type":"video.completed","status":"failed_permanently",)"
      R"("attempt_number":4,"max_attempts":4,"tried_at":"2026-06-11T08:55:00.000Z","delivered_at":null,)"
      R"("next_retry_at":null,"response_status":502,"error_message":"HTTP 502","response_body_preview":"bad gateway"})");
  out.clear();
  json::writer w2(out);
  write_delivery_summary(w2, L.summary());
  CHECK(
      out ==
      R"({"total_attempts":1,"delivered_events":0,"delivered_event_types":[],"pending_retries":0,)"
      R"("next_retry_at":null,"last_attempt_at":"2026-06-11T08:55:00.000Z","last_attempt_status":"failed_permanently",)"
      R"("last_response_status":502,"last_delivered_at":null,"last_failure_at":"2026-06-11T08:55:00.000Z",)"
      R"("last_error_message":"HTTP 502"})");
}

TEST_CASE("round trip: serialise, parse, equal") {
  attempt_ledger L;
  L.append(make("a1", "video.created", 1, attempt_outcome::http(200), T + 1, "{\"ok\":true}", "", T + 999));
  L.append(make("a2", "video.progress:5", 1, attempt_outcome::http(418), T + s(2),
                "quote \" backslash \\ newline \n tab \t \x01 caf\xC3\xA9 \xF0\x9F\x98\x80 bad\xFF"));
  L.append(make("a3", "video.completed", 1, attempt_outcome::timed_out(), T + s(3), {}, "tim\xC3\xA9 \"out\""));
  for (int i = 0; i < 12; ++i)
    L.append(make("b" + std::to_string(i), "video.progress:95", 1 + static_cast<unsigned>(i % 4),
                  attempt_outcome::http(i % 3 ? 500 : 200), T + s(10 + i)));
  const std::string text = serialize_webhook_delivery(L);
  REQUIRE(json::validate(text));
  auto parsed = parse_webhook_delivery(text);
  REQUIRE(parsed);
  CHECK(parsed->delivery == L.summary());
  REQUIRE(parsed->attempts.size() == 10);
  auto view = L.public_view();
  for (std::size_t i = 0; i < 10; ++i) CHECK(parsed->attempts[i] == view[i]);
  // And once more from the parsed form: the text is a fixed point.
  CHECK(serialize_webhook_delivery(*parsed) == text);

  // The small one with escapes, read as a standalone attempt.
  std::string one;
  json::writer w1(one);
  write_attempt(w1, L.history()[1]);
  auto rec = parse_attempt_record(one);
  REQUIRE(rec);
  CHECK(*rec == L.history()[1]);
  CHECK(rec->response_body_preview->find("\xEF\xBF\xBD") != std::string::npos);  // the 0xFF byte
  std::string sm;
  json::writer w3(sm);
  write_delivery_summary(w3, L.summary());
  CHECK(*parse_delivery_summary(sm) == L.summary());
}

TEST_CASE("parsing the webhook block: unknown fields ignored, nulls or absence for optional values") {
  const std::string text = R"({
    "url": "https://example.com/hook", "events": ["job.completed"], "has_secret": true,
    "delivery": {"total_attempts": 1, "delivered_events": 1, "delivered_event_types": ["video.completed"],
                 "pending_retries": 0, "last_attempt_at": "2026-06-11T08:30:00.000Z",
                 "last_attempt_status": "delivered", "extra": {"nested": [1, 2]}},
    "attempts": [{"id": "att_1", "delivery_key": "video.completed", "event_type": "video.completed",
                  "status": "delivered", "attempt_number": 1, "max_attempts": 4,
                  "tried_at": "2026-06-11T08:30:00.000Z", "delivered_at": "2026-06-11T08:30:00.250Z",
                  "next_retry_at": null, "response_status": 200, "future_field": "x"}]
  })";
  auto b = parse_webhook_delivery(text);
  REQUIRE(b);
  CHECK(b->delivery.total_attempts == 1);
  CHECK(b->delivery.last_attempt_status == attempt_status::delivered);
  CHECK_FALSE(b->delivery.next_retry_at_ms);
  CHECK_FALSE(b->delivery.last_error_message);
  REQUIRE(b->attempts.size() == 1);
  CHECK(b->attempts[0].delivered_at_ms == T + 250);
  CHECK_FALSE(b->attempts[0].error_message);
  CHECK_FALSE(b->attempts[0].response_body_preview);
}

TEST_CASE("parsing rejects malformed blocks with precise codes and offsets") {
  const std::string good_attempt =
      R"({"id":"a","delivery_key":"video.completed","event_type":"video.completed","status":"delivered",)"
      R"("attempt_number":1,"max_attempts":4,"tried_at":"2026-06-11T08:30:00.000Z"})";
  REQUIRE(parse_attempt_record(good_attempt));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = good_attempt;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK(parse_attempt_record(with(R"("id":"a",)", "")).code() == errc::missing_field);
  CHECK(parse_attempt_record(with(R"("id":"a")", R"("id":"")")).code() == errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("id":"a")", R"("id":7)")).code() == errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("status":"delivered")", R"("status":"sent")")).code() == errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("attempt_number":1)", R"("attempt_number":5)")).code() ==
        errc::attempt_exceeds_max);
  CHECK(parse_attempt_record(with(R"("attempt_number":1)", R"("attempt_number":0)")).code() == errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("attempt_number":1)", R"("attempt_number":1.0)")).code() == errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("event_type":"video.completed")", R"("event_type":"video.failed")")).code() ==
        errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("delivery_key":"video.completed")", R"("delivery_key":"video.progress:7")"))
            .code() == errc::invalid_delivery_key);
  CHECK(parse_attempt_record(with(R"("event_type":"video.completed")", R"("event_type":"job.completed")")).code() ==
        errc::unknown_event_type);
  CHECK(parse_attempt_record(with(R"("max_attempts":4)", R"("max_attempts":4,"response_status":700)")).code() ==
        errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("max_attempts":4)", R"("max_attempts":4,"response_status":"200")")).code() ==
        errc::invalid_field);
  CHECK(parse_attempt_record(with(R"("id":"a")", R"("id":"a","id":"b")")).code() == errc::json_duplicate_key);
  CHECK(parse_attempt_record("[]").code() == errc::invalid_field);
  CHECK(parse_attempt_record("{").code() == errc::json_unexpected_end);
  // The preview cap (§12: 500 characters). With the JSON reader's string limit raised to
  // fit, in every build; under the build's defaults a 500-character string may itself be
  // over the reader's string limit (tiny-limits build), which then refuses it first.
  const std::string preview_over =
      with(R"("max_attempts":4)", R"("max_attempts":4,"response_body_preview":")" + std::string(501, 'p') + "\"");
  const std::string preview_at =
      with(R"("max_attempts":4)", R"("max_attempts":4,"response_body_preview":")" + std::string(500, 'p') + "\"");
  ledger_parse_options roomy;
  roomy.json.max_string_bytes = 4 * response_preview_max_chars;
  CHECK(parse_attempt_record(preview_over, roomy).code() == errc::invalid_field);
  CHECK(parse_attempt_record(preview_at, roomy));
  CHECK(parse_attempt_record(preview_over).code() ==
        jobwire_test::expected_unless_json_limit(preview_over, errc::invalid_field));
  CHECK(parse_attempt_record(preview_at).code() == jobwire_test::expected_unless_json_limit(preview_at, errc::ok));

  // A bad timestamp: the offset points at the offending character inside the string.
  const std::string bad_time = with("2026-06-11T08", "2026-16-11T08");
  auto r = parse_attempt_record(bad_time);
  CHECK(r.code() == errc::invalid_field);
  CHECK(r.error().offset == bad_time.find("16-11"));
  // An escaped timestamp is not the service's form.
  CHECK(parse_attempt_record(with("2026-06-11T08", "2026-06-11\\u005408")).code() == errc::invalid_field);

  // The block: both members required; at most 10 attempts unless the caller raises it.
  const std::string summary =
      R"({"total_attempts":11,"delivered_events":0,"delivered_event_types":[],"pending_retries":0})";
  CHECK(parse_webhook_delivery(R"({"attempts":[]})").code() == errc::missing_field);
  CHECK(parse_webhook_delivery(R"({"delivery":)" + summary + "}").code() == errc::missing_field);
  CHECK(parse_webhook_delivery(R"({"delivery":)" + summary + R"(,"attempts":{}})").code() == errc::invalid_field);
  std::string eleven = R"({"delivery":)" + summary + R"(,"attempts":[)";
  for (int i = 0; i < 11; ++i) eleven += (i ? "," : "") + good_attempt;
  eleven += "]}";
  CHECK(parse_webhook_delivery(eleven).code() == errc::limit_exceeded);
  ledger_parse_options full;
  full.max_attempts_listed = ledger_history_limit;
  CHECK(parse_webhook_delivery(eleven, full)->attempts.size() == 11);

  CHECK(parse_delivery_summary(R"({"delivered_events":0,"delivered_event_types":[],"pending_retries":0})").code() ==
        errc::missing_field);
  CHECK(parse_delivery_summary(
            R"({"total_attempts":-1,"delivered_events":0,"delivered_event_types":[],"pending_retries":0})")
            .code() == errc::invalid_field);
  CHECK(parse_delivery_summary(
            R"({"total_attempts":1,"delivered_events":0,"delivered_event_types":["video.nope"],"pending_retries":0})")
            .code() == errc::invalid_delivery_key);
  CHECK(parse_delivery_summary(R"({"total_attempts":1,"delivered_events":0,"delivered_event_types":[],)"
                               R"("pending_retries":0,"last_attempt_status":"ok"})")
            .code() == errc::invalid_field);
}

namespace {
// An object of `members` ("name":value texts) in the given order.
std::string object_of(const std::vector<std::string>& members) {
  std::string t = "{";
  for (const std::string& m : members) t += (t.size() > 1 ? "," : "") + m;
  return t + "}";
}
}  // namespace

TEST_CASE("a faulty ledger text gets the verdict of its first declared field, whatever its member order") {
  // The checks run in the declared order of the fields (§10's order), after the members are
  // read: a sender that writes them in another order gets the same error at the same offset.
  std::vector<std::string> attempt = {R"("id":"a")",
                                      R"("delivery_key":"video.completed")",
                                      R"("event_type":"video.completed")",
                                      R"("status":"sent")",
                                      R"("attempt_number":1)",
                                      R"("max_attempts":4)",
                                      R"("tried_at":"2026")",
                                      R"("response_status":700)"};
  const std::string forward = object_of(attempt);
  std::vector<std::string> reversed_members(attempt.rbegin(), attempt.rend());
  const std::string reversed = object_of(reversed_members);
  for (const std::string& text : {forward, reversed}) {
    auto r = parse_attempt_record(text);
    CHECK(r.code() == errc::invalid_field);
    CHECK(r.error().offset == text.find(R"("sent")"));  // status, not tried_at or response_status
  }
  // attempt_number is checked against max_attempts even when it comes first.
  const std::string over = object_of({R"("attempt_number":5)", R"("id":"a")", R"("delivery_key":"video.completed")",
                                      R"("event_type":"video.completed")", R"("status":"delivered")",
                                      R"("max_attempts":4)", R"("tried_at":"2026-06-11T08:30:00.000Z")"});
  auto o = parse_attempt_record(over);
  CHECK(o.code() == errc::attempt_exceeds_max);
  CHECK(o.error().offset == over.find('5'));

  // The block: `delivery` is checked before `attempts`, even when the list comes first.
  const std::string bad_attempt = object_of({R"("id":"")"});
  const std::string no_counters = R"({"delivered_event_types":[]})";
  const std::string summary =
      R"({"total_attempts":1,"delivered_events":0,"delivered_event_types":[],"pending_retries":0})";
  const std::string both_bad = R"({"attempts":[)" + bad_attempt + R"(],"delivery":)" + no_counters + "}";
  auto b = parse_webhook_delivery(both_bad);
  CHECK(b.code() == errc::missing_field);
  CHECK(b.error().offset == both_bad.find(no_counters));
  const std::string empty_id = object_of({R"("id":"")", R"("delivery_key":"video.completed")"});
  const std::string id_bad = R"({"attempts":[)" + empty_id + R"(],"delivery":)" + summary + "}";
  auto e = parse_webhook_delivery(id_bad);
  CHECK(e.code() == errc::invalid_field);
  CHECK(e.error().offset == id_bad.find(R"("")"));
  // A missing `delivery` is reported at the block, before any fault of the list.
  auto m = parse_webhook_delivery(R"({"attempts":[)" + bad_attempt + "]}");
  CHECK(m.code() == errc::missing_field);
  CHECK(m.error().offset == 0);
  // A JSON error anywhere comes before every field's verdict (the text is one JSON value
  // first), also when it follows the faulty member.
  const std::string json_bad = R"({"delivery":)" + no_counters + R"(,"attempts":[],"x":tru})";
  auto j = parse_webhook_delivery(json_bad);
  auto reader = json::parse(json_bad);
  REQUIRE_FALSE(reader);
  CHECK(j.error() == reader.error());
}

TEST_CASE("with repeated names allowed by the caller, the first occurrence of a ledger member counts") {
  ledger_parse_options dup;
  dup.json.leniency = lenient::duplicate_keys;
  const std::string head = R"({"id":"a","delivery_key":"video.completed","event_type":"video.completed",)"
                           R"("attempt_number":1,"max_attempts":4,"tried_at":"2026-06-11T08:30:00.000Z",)";
  const std::string first_good = head + R"("status":"delivered","status":"sent"})";
  CHECK(parse_attempt_record(first_good).code() == errc::json_duplicate_key);  // refused by default
  auto a = parse_attempt_record(first_good, dup);
  REQUIRE(a);
  CHECK(a->status == attempt_status::delivered);
  const std::string first_bad = head + R"("status":"sent","status":"delivered"})";
  auto f = parse_attempt_record(first_bad, dup);
  CHECK(f.code() == errc::invalid_field);
  CHECK(f.error().offset == first_bad.find(R"("sent")"));

  const std::string summary =
      R"({"total_attempts":0,"delivered_events":0,"delivered_event_types":[],"pending_retries":0})";
  const std::string lists = R"({"delivery":)" + summary + R"(,"attempts":[],"attempts":[{}]})";
  auto b = parse_webhook_delivery(lists, dup);
  REQUIRE(b);
  CHECK(b->attempts.empty());
  const std::string keys = R"({"total_attempts":0,"delivered_events":1,"delivered_event_types":["video.completed"],)"
                           R"("delivered_event_types":["nope"],"pending_retries":0})";
  auto s = parse_delivery_summary(keys, dup);
  REQUIRE(s);
  CHECK(s->delivered_event_types == std::vector<std::string>{"video.completed"});
}
