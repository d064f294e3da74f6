// Webhook subscriptions (subscription.hpp, PROTOCOL.md §7): event list normalisation, the
// webhook object, is_subscribed, and the summary the CLI prints.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <jobwire/subscription.hpp>

using namespace jobwire;

namespace {
std::vector<std::string> names(const event_list& l) {
  std::vector<std::string> out;
  for (subscription_event e : l) out.push_back(l.name(e));
  return out;
}
using strings = std::vector<std::string>;

result<event_list> from_json(const std::string& text, events_options opt = {},
                             std::vector<ignored_event>* ignored = nullptr) {
  static std::string keep;  // ignored views point into the text
  keep = text;
  auto doc = json::parse(keep);
  REQUIRE(doc);
  return normalise_events(*doc, opt, ignored);
}
}  // namespace

TEST_CASE("each events entry is normalised per PROTOCOL.md section 7") {
  struct row {
    const char* in;
    kind k;
    errc want;
    const char* name;
  };
  const row rows[] = {
      {"job.completed", kind::video, errc::ok, "job.completed"},
      {"  Video.Completed\t", kind::video, errc::ok, "video.completed"},
      {"\xC2\xA0job.failed\xE3\x80\x80", kind::video, errc::ok, "job.failed"},  // JS trim: NBSP, ideographic space
      {"\xEF\xBB\xBFprogress", kind::video, errc::ok, "job.progress"},          // BOM is trimmed too
      {"completed", kind::batch, errc::ok, "job.completed"},
      {"CANCELED", kind::video, errc::ok, "job.cancelled"},
      {"canceled", kind::video, errc::ok, "job.cancelled"},
      {"video.canceled", kind::video, errc::ok, "video.cancelled"},
      {"job.Canceled", kind::video, errc::ok, "job.cancelled"},
      {"batch.expired", kind::batch, errc::ok, "batch.expired"},
      {"batch.completed", kind::video, errc::cross_kind_event, nullptr},
      {"video.created", kind::batch, errc::cross_kind_event, nullptr},
      {"", kind::video, errc::empty_event, nullptr},
      {"  \n ", kind::video, errc::empty_event, nullptr},
      {"video.completd", kind::video, errc::invalid_event, nullptr},
      {"audio.completed", kind::video, errc::invalid_event, nullptr},
      {"job.", kind::video, errc::invalid_event, nullptr},
      {".completed", kind::video, errc::invalid_event, nullptr},
      {"job.completed.extra", kind::video, errc::invalid_event, nullptr},
      {"job.status_changed", kind::video, errc::invalid_event, nullptr},  // not in ai_stats
      {"video.cancel", kind::video, errc::invalid_event, nullptr},
      {"job.c\xC3\xB6mpleted", kind::video, errc::invalid_event, nullptr},
      {"job . completed", kind::video, errc::invalid_event, nullptr},
      {"job.canceledd", kind::video, errc::invalid_event, nullptr},
  };
  for (const row& r : rows) {
    INFO(r.in);
    auto e = normalise_event_name(r.in, r.k);
    if (r.want == errc::ok) {
      REQUIRE(e);
      CHECK(event_list(r.k).name(*e) == r.name);
    } else {
      CHECK(e.code() == r.want);
    }
  }
  auto sc = normalise_event_name("status_changed", kind::video, profiles::phaseo);
  REQUIRE(sc);
  CHECK(event_list(kind::video).name(*sc) == "job.status_changed");
}

TEST_CASE("omitted, null and empty events give the default list") {
  const strings defaults{"job.completed", "job.failed", "job.cancelled", "job.expired"};
  auto absent = normalise_events(json::value{});
  REQUIRE(absent);
  CHECK(names(*absent) == defaults);
  CHECK(absent->is_default());
  CHECK(names(*from_json("null")) == defaults);
  CHECK(names(*from_json("[]")) == defaults);
  CHECK(names(*normalise_events(nullptr, 0)) == defaults);
  CHECK(from_json("\"job.completed\"").code() == errc::invalid_events_type);
  CHECK(from_json("{}").code() == errc::invalid_events_type);
}

TEST_CASE("mixed lists keep valid entries in order, without duplicates, and report the rest") {
  std::vector<ignored_event> ignored;
  auto l = from_json(R"([" Completed ","video.canceled",1,"batch.failed","","job.completed","nope",null,"progress","canceled",{"a":1}])",
                     {}, &ignored);
  REQUIRE(l);
  CHECK(names(*l) == strings{"job.completed", "video.cancelled", "job.progress", "job.cancelled"});
  CHECK_FALSE(l->is_default());
  REQUIRE(ignored.size() == 7);
  struct want {
    const char* value;
    std::size_t index;
    errc reason;
  };
  const want w[] = {{"1", 2, errc::event_not_string},        {"\"batch.failed\"", 3, errc::cross_kind_event},
                    {"\"\"", 4, errc::empty_event},           {"\"job.completed\"", 5, errc::duplicate_event},
                    {"\"nope\"", 6, errc::invalid_event},     {"null", 7, errc::event_not_string},
                    {"{\"a\":1}", 10, errc::event_not_string}};
  for (std::size_t i = 0; i < ignored.size(); ++i) {
    INFO(i);
    CHECK(ignored[i].value == w[i].value);
    CHECK(ignored[i].index == w[i].index);
    CHECK(ignored[i].reason == w[i].reason);
  }
  // Escapes in entries are decoded before normalisation.
  CHECK(names(*from_json(R"(["job.\u0066ailed"])")) == strings{"job.failed"});
}

TEST_CASE("a non-empty list with no valid entry rejects the subscription") {
  CHECK(from_json(R"(["nope"])").code() == errc::no_valid_events);
  CHECK(from_json(R"([1, "", "batch.completed"])").code() == errc::no_valid_events);
  const std::string_view only_bad[] = {"video.completed"};
  events_options batch;
  batch.kind = kind::batch;
  CHECK(normalise_events(only_bad, 1, batch).code() == errc::no_valid_events);
}

TEST_CASE("strict mode rejects at the first invalid entry; duplicates are not invalid") {
  events_options strict;
  strict.strict = true;
  auto bad = from_json(R"(["completed","video.completd","nope"])", strict);
  REQUIRE_FALSE(bad);
  CHECK(bad.code() == errc::invalid_event);
  CHECK(bad.error().offset == 1);
  CHECK(from_json(R"(["completed", 7])", strict).code() == errc::event_not_string);
  CHECK(from_json(R"(["completed","batch.failed"])", strict).code() == errc::cross_kind_event);
  std::vector<ignored_event> ignored;
  auto dup = from_json(R"(["completed","job.completed"])", strict, &ignored);
  REQUIRE(dup);
  CHECK(names(*dup) == strings{"job.completed"});
  REQUIRE(ignored.size() == 1);
  CHECK(ignored[0].reason == errc::duplicate_event);
}

TEST_CASE("is_subscribed: job.P or K.P for the job's own kind") {
  auto l = from_json(R"(["video.progress","job.completed"])");
  REQUIRE(l);
  CHECK(l->is_subscribed(kind::video, phase::progress));
  CHECK(l->is_subscribed(kind::video, phase::completed));
  CHECK(l->is_subscribed(kind::batch, phase::completed));
  CHECK_FALSE(l->is_subscribed(kind::batch, phase::progress));
  CHECK_FALSE(l->is_subscribed(kind::video, phase::failed));
  CHECK(l->is_subscribed(phase::progress));
  auto d = event_list::defaults(kind::batch);
  for (phase p : {phase::completed, phase::failed, phase::cancelled, phase::expired}) CHECK(d.is_subscribed(p));
  for (phase p : {phase::created, phase::progress, phase::status_changed}) CHECK_FALSE(d.is_subscribed(p));
  // The list is bounded: every name of one kind fits, nothing allocates.
  event_list full(kind::video);
  for (unsigned i = 0; i < phase_count; ++i) {
    CHECK(full.add({true, static_cast<phase>(i)}));
    CHECK(full.add({false, static_cast<phase>(i)}));
  }
  CHECK(full.size() == event_list::capacity);
  CHECK_FALSE(full.add({true, phase::created}));
}

TEST_CASE("the webhook object") {
  auto sub = parse_webhook_subscription(
      R"({"url":"HTTPS://Example.COM:443/hook","secret":"  whsec_1 \n","events":["Completed","video.canceled","x"]})");
  REQUIRE(sub);
  CHECK(sub->url == "https://example.com/hook");
  CHECK(sub->secret == "whsec_1");
  CHECK(sub->has_secret());
  CHECK(names(sub->events) == strings{"job.completed", "video.cancelled"});
  CHECK(sub->is_subscribed(kind::video, phase::cancelled));
  REQUIRE(sub->ignored.size() == 1);

  auto minimal = parse_webhook_subscription(R"({"url":"https://example.com/"})");
  REQUIRE(minimal);
  CHECK_FALSE(minimal->has_secret());
  CHECK(minimal->events.is_default());
  auto blank_secret = parse_webhook_subscription(R"({"url":"https://example.com/","secret":"   "})");
  REQUIRE(blank_secret);
  CHECK_FALSE(blank_secret->has_secret());

  struct bad {
    const char* json;
    errc code;
  };
  const bad rows[] = {
      {R"({"url":"https://example.com/","extra":1})", errc::unknown_subscription_key},
      {R"({"url":"https://example.com/","Events":[]})", errc::unknown_subscription_key},
      {R"({"secret":"s"})", errc::missing_url},
      {R"({"url":null})", errc::missing_url},
      {R"({"url":42})", errc::invalid_url_type},
      {R"({"url":"https://example.com/","secret":5})", errc::invalid_secret},
      {R"({"url":"https://example.com/","events":"job.completed"})", errc::invalid_events_type},
      {R"({"url":"https://example.com/","events":{}})", errc::invalid_events_type},
      {R"({"url":"https://example.com/","events":["nope"]})", errc::no_valid_events},
      {R"({"url":"http://example.com/"})", errc::https_required},
      {R"({"url":"https://169.254.169.254/"})", errc::link_local_host},
      {R"({"url":"https://u:p@example.com/"})", errc::userinfo_not_allowed},
      {R"({"url":"https://example.com/","url":"https://evil.example/"})", errc::json_duplicate_key},
      {R"(["https://example.com/"])", errc::invalid_webhook},
      {R"({"url":"https://example.com/")", errc::json_unexpected_end},
  };
  for (const bad& b : rows) {
    INFO(b.json);
    CHECK(parse_webhook_subscription(b.json).code() == b.code);
  }
  // Offsets point at the offending part of the text.
  auto unknown = parse_webhook_subscription(R"({"url":"https://example.com/","extra":1})");
  CHECK(unknown.error().offset == 30);
  auto private_url = parse_webhook_subscription(R"({"events":[],"url":"https://10.0.0.1/"})");
  CHECK(private_url.error().offset == 19);

  // Policy and kind options reach the URL check and the normaliser.
  subscription_options opt;
  opt.url.policy = url_policy::ai_stats;
  opt.events.kind = kind::batch;
  auto ai = parse_webhook_subscription(R"({"url":"http://localhost:3000/cb","events":["batch.completed"]})", opt);
  REQUIRE(ai);
  CHECK(ai->url == "http://localhost:3000/cb");
  CHECK(names(ai->events) == strings{"batch.completed"});
  opt.events.strict = true;
  CHECK(parse_webhook_subscription(R"({"url":"https://e.example/","events":["video.completed"]})", opt).code() ==
        errc::cross_kind_event);

  // The phaseo profile requires a secret and knows status_changed.
  subscription_options ph;
  ph.events.prof = &profiles::phaseo;
  CHECK(parse_webhook_subscription(R"({"url":"https://example.com/"})", ph).code() == errc::secret_required);
  auto phs = parse_webhook_subscription(R"({"url":"https://example.com/","secret":"s","events":["status_changed"]})", ph);
  REQUIRE(phs);
  CHECK(names(phs->events) == strings{"job.status_changed"});
}

TEST_CASE("the summary never contains the secret") {
  const std::string text =
      R"({"url":"https://example.com/h","secret":"topsecret","events":["completed",7,"batch.failed"]})";
  auto sub = parse_webhook_subscription(text);
  REQUIRE(sub);
  std::string out;
  append_subscription_summary(out, *sub);
  CHECK(out ==
        R"({"url":"https://example.com/h","has_secret":true,"events":["job.completed"],"ignored":[{"value":7,"reason":"event_not_string"},{"value":"batch.failed","reason":"cross_kind_event"}]})");
  CHECK(out.find("topsecret") == std::string::npos);
  CHECK(json::validate(out));
}
