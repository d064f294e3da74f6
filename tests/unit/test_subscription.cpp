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
  auto l = from_json(
      R"([" Completed ","video.canceled",1,"batch.failed","","job.completed","nope",null,"progress","canceled",{"a":1}])",
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
  const want w[] = {{"1", 2, errc::event_not_string},         {"\"batch.failed\"", 3, errc::cross_kind_event},
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

TEST_CASE("strict mode rejects at the first invalid entry, duplicates are not invalid") {
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
  auto phs =
      parse_webhook_subscription(R"({"url":"https://example.com/","secret":"s","events":["status_changed"]})", ph);
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
  CHECK(
      out ==
      R"({"url":"https://example.com/h","has_secret":true,"events":["job.completed"],"ignored":[{"value":7,"reason":"event_not_string"},{"value":"batch.failed","reason":"cross_kind_event"}]})");
  CHECK(out.find("topsecret") == std::string::npos);
  CHECK(json::validate(out));
}

// --- endpoint subscriptions, profile phaseo (PROTOCOL.md §16.2) -------------------------------

namespace {
constexpr const char* uuid = "3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab";

std::string hook(const std::string& members) {
  return std::string("{\"endpoint_id\":\"") + uuid + "\"" + members + "}";
}

result<endpoint_subscription> endpoint_sub(const std::string& text, kind k = kind::video, bool strict = false) {
  static std::string keep;
  keep = text;
  return parse_endpoint_subscription(keep, endpoint_events_options(k, strict));
}
}  // namespace

TEST_CASE("phaseo: the webhook object is {endpoint_id, events?} and nothing else") {
  auto ok = endpoint_sub(hook(""));
  REQUIRE(ok);
  CHECK(ok->endpoint_id == uuid);
  CHECK(ok->events.empty());  // omitted: stored [] = inherit
  CHECK(ok->has_secret());    // always signed through the endpoint
  // An inline URL or secret gets its own precise error, at the key's offset.
  const std::string with_url = hook(R"(,"url":"https://example.com/hook")");
  auto u = endpoint_sub(with_url);
  CHECK(u.code() == errc::url_not_allowed);
  CHECK(u.error().offset == with_url.find("\"url\""));
  CHECK(endpoint_sub(hook(R"(,"secret":"whsec_x")")).code() == errc::secret_not_allowed);
  CHECK(endpoint_sub(R"({"url":"https://example.com/","secret":"s"})").code() == errc::url_not_allowed);
  CHECK(endpoint_sub(hook(R"(,"Events":[])")).code() == errc::unknown_subscription_key);
  CHECK(endpoint_sub(hook(R"(,"endpointId":"x")")).code() == errc::unknown_subscription_key);
  CHECK(endpoint_sub(R"([])").code() == errc::invalid_webhook);
  CHECK(endpoint_sub(R"({"endpoint_id":"a","endpoint_id":"b"})").code() == errc::json_duplicate_key);
}

TEST_CASE("phaseo: endpoint_id is trimmed, must not be blank and must be a UUID") {
  CHECK(endpoint_sub(R"({})").code() == errc::missing_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":null})").code() == errc::missing_endpoint_id);
  CHECK(endpoint_sub(R"({"events":["completed"]})").code() == errc::missing_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":7})").code() == errc::invalid_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":""})").code() == errc::invalid_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":" \t\u00a0 "})").code() == errc::invalid_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":"not-a-uuid"})").code() == errc::invalid_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":"3f2b8c1e9a4d4c7eb5f10123456789ab"})").code() == errc::invalid_endpoint_id);
  CHECK(endpoint_sub(R"({"endpoint_id":"3f2b8c1e-9a4d-4c7e-b5f1-0123456789ag"})").code() == errc::invalid_endpoint_id);
  auto trimmed = endpoint_sub(R"({"endpoint_id":"  3F2B8C1E-9A4D-4C7E-B5F1-0123456789AB\n"})");
  REQUIRE(trimmed);
  CHECK(trimmed->endpoint_id == "3F2B8C1E-9A4D-4C7E-B5F1-0123456789AB");
  CHECK(is_uuid_text(uuid));
  CHECK_FALSE(is_uuid_text(std::string(uuid) + "0"));
}

TEST_CASE("phaseo: events null, non-strings and empty strings are rejected, whitespace is dropped") {
  CHECK(endpoint_sub(hook(R"(,"events":null)")).code() == errc::invalid_events_type);
  CHECK(endpoint_sub(hook(R"(,"events":"job.completed")")).code() == errc::invalid_events_type);
  CHECK(endpoint_sub(hook(R"(,"events":{})")).code() == errc::invalid_events_type);
  const std::string non_string = hook(R"(,"events":["completed",7])");
  auto ns = endpoint_sub(non_string);
  CHECK(ns.code() == errc::event_not_string);
  CHECK(ns.error().offset == non_string.rfind('7'));
  CHECK(endpoint_sub(hook(R"(,"events":[""])")).code() == errc::empty_event);
  CHECK(endpoint_sub(hook(R"(,"events":["completed",""])")).code() == errc::empty_event);
  // Whitespace passes the schema, then is dropped (and reported).
  auto ws = endpoint_sub(hook(R"(,"events":["  ","completed"])"));
  REQUIRE(ws);
  CHECK(ws->events == strings{"job.completed"});
  REQUIRE(ws->ignored.size() == 1);
  CHECK(ws->ignored[0].reason == errc::empty_event);
  // ...but a list of nothing else is a non-empty list that became empty.
  CHECK(endpoint_sub(hook(R"(,"events":[" "])")).code() == errc::no_valid_events);
  CHECK(endpoint_sub(hook(R"(,"events":[" "])"), kind::video, true).code() == errc::empty_event);
  // [] is stored as [] (inherit), not the default list.
  auto empty = endpoint_sub(hook(R"(,"events":[])"));
  REQUIRE(empty);
  CHECK(empty->events.empty());
}

TEST_CASE("phaseo: each entry is normalised per §16.2 and stored as a string") {
  struct row {
    const char* entry;
    kind k;
    const char* stored;  // nullptr: dropped
    errc reason;
  } rows[] = {
      {"completed", kind::video, "job.completed", errc::ok},
      {" Video.Completed ", kind::video, "video.completed", errc::ok},
      {"status_changed", kind::video, "job.status_changed", errc::ok},
      {"video.status_changed", kind::video, "video.status_changed", errc::ok},
      {"job.status_changed", kind::batch, "job.status_changed", errc::ok},
      {"batch.status_changed", kind::batch, "batch.status_changed", errc::ok},  // subscribable, never sent
      {"canceled", kind::video, "job.cancelled", errc::ok},
      {"CANCELED", kind::video, "job.cancelled", errc::ok},
      {"video.canceled", kind::video, "video.cancelled", errc::ok},
      {"job.canceled", kind::batch, "job.cancelled", errc::ok},
      {"job.completed.extra", kind::video, "job.completed.extra", errc::ok},  // verbatim tail
      {"video.failed.Whatever.Else", kind::video, "video.failed.whatever.else", errc::ok},
      {"job.progress.", kind::video, "job.progress.", errc::ok},
      {"job.canceled.extra", kind::video, nullptr, errc::invalid_event},  // the suffix rule needs the end
      {"batch.completed", kind::video, nullptr, errc::cross_kind_event},
      {"video.completed.x", kind::batch, nullptr, errc::cross_kind_event},
      {"job.completd", kind::video, nullptr, errc::invalid_event},
      {"jobs.completed", kind::video, nullptr, errc::invalid_event},
      {"completed.job", kind::video, nullptr, errc::invalid_event},
      {".completed", kind::video, nullptr, errc::invalid_event},
      {"job.", kind::video, nullptr, errc::invalid_event},
      {"job", kind::video, nullptr, errc::invalid_event},
      {"video.completed\xC3\xA9", kind::video, nullptr, errc::invalid_event},
      {"\xE2\x80\x83", kind::video, nullptr, errc::empty_event},  // U+2003 only
  };
  for (const row& r : rows) {
    INFO("entry: " << r.entry);
    auto e = normalise_stored_event(r.entry, r.k);
    if (r.stored) {
      REQUIRE(e);
      CHECK(*e == r.stored);
    } else {
      CHECK(e.code() == r.reason);
    }
  }
  // Duplicates after normalisation are removed, keeping the first.
  auto d = endpoint_sub(
      hook(R"(,"events":["completed","job.completed","Job.Completed ","failed","job.completed.x","job.completed.x"])"));
  REQUIRE(d);
  CHECK(d->events == strings{"job.completed", "job.failed", "job.completed.x"});
  REQUIRE(d->ignored.size() == 3);
  for (const auto& ig : d->ignored) CHECK(ig.reason == errc::duplicate_event);
  // Strict mode rejects at the first dropped entry (not at a duplicate).
  CHECK(endpoint_sub(hook(R"(,"events":["completed","completed"])"), kind::video, true));
  CHECK(endpoint_sub(hook(R"(,"events":["completed","batch.failed"])"), kind::video, true).code() ==
        errc::cross_kind_event);
  // Mixed lists keep the valid entries; the service drops the rest silently.
  auto mixed = endpoint_sub(hook(R"(,"events":["batch.failed","nope","expired"])"));
  REQUIRE(mixed);
  CHECK(mixed->events == strings{"job.expired"});
  CHECK(mixed->ignored.size() == 2);
  CHECK(endpoint_sub(hook(R"(,"events":["batch.failed","nope"])")).code() == errc::no_valid_events);
}

TEST_CASE("phaseo: matching is exact, so a verbatim tail is stored but never matches") {
  const strings stored{"job.completed.extra", "video.progress", "job.status_changed"};
  CHECK_FALSE(stored_events_match(stored, kind::video, phase::completed));
  CHECK(stored_events_match(stored, kind::video, phase::progress));
  CHECK_FALSE(stored_events_match(stored, kind::batch, phase::progress));
  CHECK(stored_events_match(stored, kind::video, phase::status_changed));
  CHECK(stored_events_match(stored, kind::batch, phase::status_changed));
  CHECK_FALSE(stored_events_match({}, kind::video, phase::completed));
}

TEST_CASE("phaseo: the effective list at send time") {
  const strings none;
  const strings endpoint_default(std::begin(endpoint_default_events), std::end(endpoint_default_events));
  const strings request_default(std::begin(request_default_events), std::end(request_default_events));
  CHECK(request_default ==
        strings{"job.status_changed", "job.completed", "job.failed", "job.cancelled", "job.expired"});
  CHECK(endpoint_default == strings{"video.completed", "video.failed", "video.cancelled", "batch.completed",
                                    "batch.failed", "batch.cancelled"});
  // 1. the request's list wins, as stored (a verbatim tail included)
  CHECK(effective_events(kind::video, {"job.completed.extra"}, endpoint_default) == strings{"job.completed.extra"});
  // 2. the endpoint's list, normalised for the kind: the other kind's names fall away
  CHECK(effective_events(kind::video, none, endpoint_default) ==
        strings{"video.completed", "video.failed", "video.cancelled"});
  CHECK(effective_events(kind::batch, none, endpoint_default) ==
        strings{"batch.completed", "batch.failed", "batch.cancelled"});
  CHECK(effective_events(kind::video, none, {"Canceled", " progress", "job.cancelled", "x"}) ==
        strings{"job.cancelled", "job.progress"});
  // 3. the request default, when the endpoint's list has nothing for the kind
  CHECK(effective_events(kind::video, none, {"batch.completed"}) == request_default);
  CHECK(effective_events(kind::video, none, none) == request_default);
  // The docs conflict of §16.2: a video job on a default endpoint gets neither
  // status_changed nor expired.
  auto sub = endpoint_sub(hook(""));
  REQUIRE(sub);
  CHECK(sub->is_subscribed(phase::completed, endpoint_default));
  CHECK_FALSE(sub->is_subscribed(phase::status_changed, endpoint_default));
  CHECK_FALSE(sub->is_subscribed(phase::expired, endpoint_default));
  CHECK(sub->is_subscribed(phase::status_changed, none));
  CHECK(sub->is_subscribed(phase::expired, none));
  CHECK_FALSE(sub->is_subscribed(phase::progress, none));
}

TEST_CASE("phaseo: batch requests name the endpoint by webhook or webhook_endpoint_id") {
  const auto opt = endpoint_events_options(kind::video);  // the kind is forced to batch
  const std::string other = "11111111-2222-3333-4444-555555555555";
  auto top = parse_batch_subscription(R"({"requests":[],"webhook_endpoint_id":" )" + other + R"( "})", opt);
  REQUIRE(top);
  CHECK(top->endpoint_id == other);
  CHECK(top->kind == kind::batch);
  CHECK(top->events.empty());
  // webhook wins when both are present
  auto both = parse_batch_subscription(
      R"({"webhook_endpoint_id":")" + other + R"(","webhook":)" + hook(R"(,"events":["batch.completed"])") + "}", opt);
  REQUIRE(both);
  CHECK(both->endpoint_id == uuid);
  CHECK(both->events == strings{"batch.completed"});
  // the webhook object is strict here too
  CHECK(parse_batch_subscription(R"({"webhook":{"url":"https://example.com/"}})", opt).code() == errc::url_not_allowed);
  CHECK(parse_batch_subscription(R"({"webhook":)" + hook(R"(,"events":["video.completed"])") + "}", opt).code() ==
        errc::no_valid_events);
  // a null webhook counts as absent
  auto null_hook = parse_batch_subscription(R"({"webhook":null,"webhook_endpoint_id":")" + other + R"("})", opt);
  REQUIRE(null_hook);
  CHECK(null_hook->endpoint_id == other);
  CHECK(parse_batch_subscription(R"({"requests":[]})", opt).code() == errc::missing_endpoint_id);
  CHECK(parse_batch_subscription(R"({"webhook_endpoint_id":""})", opt).code() == errc::invalid_endpoint_id);
  CHECK(parse_batch_subscription(R"({"webhook_endpoint_id":5})", opt).code() == errc::invalid_endpoint_id);
  CHECK(parse_batch_subscription(R"("x")", opt).code() == errc::invalid_webhook);
}

TEST_CASE("phaseo: the endpoint subscription summary") {
  const std::string text = hook(R"(,"events":["completed",7.5e0])");
  CHECK(endpoint_sub(text).code() == errc::event_not_string);
  auto sub = endpoint_sub(hook(R"(,"events":["completed","batch.failed","job.completed.extra"])"));
  REQUIRE(sub);
  std::string out;
  append_endpoint_subscription_summary(out, *sub);
  CHECK(
      out ==
      std::string(R"({"endpoint_id":")") + uuid +
          R"(","url":null,"has_secret":true,"events":["job.completed","job.completed.extra"],"ignored":[{"value":"batch.failed","reason":"cross_kind_event"}]})");
  CHECK(json::validate(out));
  std::string with_effective;
  const strings eff = sub->effective({});
  append_endpoint_subscription_summary(with_effective, *sub, &eff);
  CHECK(with_effective.find(R"("effective_events":["job.completed","job.completed.extra"])") != std::string::npos);
}

TEST_CASE("phaseo: plain-string event lists follow the same rules") {
  const std::string_view entries[] = {"Completed", " ", "batch.failed", "completed"};
  std::vector<ignored_event> ignored;
  auto l = normalise_stored_events(entries, 4, endpoint_events_options(kind::video), &ignored);
  REQUIRE(l);
  CHECK(*l == strings{"job.completed"});
  CHECK(ignored.size() == 3);
  const std::string_view empty_entry[] = {"completed", ""};
  CHECK(normalise_stored_events(empty_entry, 2, endpoint_events_options(kind::video)).code() == errc::empty_event);
  auto none = normalise_stored_events(entries, 0, endpoint_events_options(kind::video));
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("ai_stats keeps the seed-era rules where phaseo differs") {
  // null and [] are the default list, a url is required, events entries that are not
  // strings are dropped, not rejected.
  auto n = parse_webhook_subscription(R"({"url":"https://example.com/","events":null})");
  REQUIRE(n);
  CHECK(n->events.is_default());
  auto e = parse_webhook_subscription(R"({"url":"https://example.com/","events":[]})");
  REQUIRE(e);
  CHECK(names(e->events) == strings{"job.completed", "job.failed", "job.cancelled", "job.expired"});
  CHECK(parse_webhook_subscription(R"({"endpoint_id":"3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab"})").code() ==
        errc::unknown_subscription_key);
  auto ns = parse_webhook_subscription(R"({"url":"https://example.com/","events":["completed",7,""]})");
  REQUIRE(ns);
  CHECK(ns->ignored.size() == 2);
  CHECK_FALSE(ns->has_secret());
  CHECK(normalise_event_name("job.completed.extra", kind::video).code() == errc::invalid_event);
}
