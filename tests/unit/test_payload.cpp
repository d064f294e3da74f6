// Job ids, status vocabularies and payload views (job.hpp, payload.hpp) over fixtures
// written from PROTOCOL.md §3–§6, §10 (tests/data/payloads/).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <jobwire/job.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/payload_summary.hpp>

#include "test_support.hpp"

using namespace jobwire;

namespace {
// Views point into the caller's buffer, so fixtures live for the whole test run.
const std::string& fixture(const std::string& name) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  std::string out;
  std::string path = std::string(JOBWIRE_TEST_SOURCE_DIR) + "/tests/data/payloads/" + name;
  if (!jobwire_test::read_file(path, out)) FAIL("cannot read " << path);
  return cache.emplace(name, std::move(out)).first->second;
}
std::size_t offset_of(const std::string& text, const std::string& needle) {
  std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return at;
}
}  // namespace

TEST_CASE("ids: validation and distinct types") {
  CHECK(job_id_view::parse("G-123"));
  CHECK(job_id_view::parse("").code() == errc::invalid_job_id);
  CHECK(job_id_view::parse(std::string(256, 'a')));
  CHECK(job_id_view::parse(std::string(257, 'a')).code() == errc::invalid_job_id);
  CHECK(job_id_view::parse("G-1\x01").code() == errc::invalid_job_id);
  CHECK(job_id_view::parse("G-1\x7f").code() == errc::invalid_job_id);
  CHECK(native_id::parse("video_abc")->str() == "video_abc");
  job_id owned = *job_id::parse("G/odd id");
  job_id_view v = owned;  // an owned id views as the same kind of id
  CHECK(v.str() == "G/odd id");
  CHECK((!std::is_convertible<native_id_view, job_id_view>::value));
  CHECK((!std::is_convertible<job_id_view, native_id_view>::value));
  CHECK((!std::is_convertible<native_id, job_id_view>::value));
  CHECK((!std::is_constructible<job_id, native_id_view>::value));
  CHECK((!std::is_convertible<std::string_view, job_id_view>::value));
}

TEST_CASE("statuses: the table and normalisation of PROTOCOL.md section 3") {
  struct row {
    const char* word;
    job_status status;
    lifecycle_status lifecycle;
  };
  const row rows[] = {
      {"queued", job_status::queued, lifecycle_status::pending},
      {"pending", job_status::queued, lifecycle_status::pending},
      {"processing", job_status::processing, lifecycle_status::running},
      {"running", job_status::processing, lifecycle_status::running},
      {"in_progress", job_status::processing, lifecycle_status::running},
      {"completed", job_status::completed, lifecycle_status::completed},
      {"succeeded", job_status::completed, lifecycle_status::completed},
      {"success", job_status::completed, lifecycle_status::completed},
      {"failed", job_status::failed, lifecycle_status::failed},
      {"error", job_status::failed, lifecycle_status::failed},
      {"cancelled", job_status::cancelled, lifecycle_status::cancelled},
      {"canceled", job_status::cancelled, lifecycle_status::cancelled},
      {"expired", job_status::expired, lifecycle_status::expired},
      {"  CANCELED\t", job_status::cancelled, lifecycle_status::cancelled},
      {"In_Progress", job_status::processing, lifecycle_status::running},
  };
  for (const row& r : rows) {
    INFO(r.word);
    CHECK(*parse_job_status(r.word) == r.status);
    CHECK(*parse_lifecycle_status(r.word) == r.lifecycle);
    CHECK(to_lifecycle(r.status) == r.lifecycle);
  }
  for (const char* bad : {"", "   ", "archived", "complete", "cancel led", "queued!"}) {
    INFO(bad);
    CHECK(parse_job_status(bad).code() == errc::unknown_status);
    CHECK(*parse_job_status(bad, jobwire::lenient::unknown_status) == job_status::queued);
    CHECK(*parse_lifecycle_status(bad, jobwire::lenient::unknown_status) == lifecycle_status::pending);
  }
  CHECK(!is_terminal(job_status::queued));
  CHECK(!is_terminal(job_status::processing));
  for (job_status s : {job_status::completed, job_status::failed, job_status::cancelled, job_status::expired})
    CHECK(is_terminal(s));
  CHECK(job_status_name(job_status::processing) == "processing");
  CHECK(lifecycle_status_name(lifecycle_status::running) == "running");
  // The create vocabulary: pending | in_progress | completed | failed | cancelled.
  CHECK(*parse_create_status("in_progress") == create_status::in_progress);
  CHECK(*parse_create_status("processing") == create_status::in_progress);
  CHECK(*parse_create_status("queued") == create_status::pending);
  CHECK(parse_create_status("expired").code() == errc::unknown_status);
  CHECK(*parse_create_status("expired", jobwire::lenient::unknown_status) == create_status::pending);
  CHECK(create_status_name(create_status::in_progress) == "in_progress");
  CHECK(check_consistent(job_status::processing, lifecycle_status::running));
  CHECK(check_consistent(job_status::processing, lifecycle_status::pending).code() == errc::inconsistent_status);
}

TEST_CASE("create responses in both key styles") {
  std::string a = fixture("create_id.json");
  auto c = parse_create_response(a);
  REQUIRE(c);
  CHECK(c->id.str() == "G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e");
  CHECK(!c->id_from_video_id);
  CHECK(c->has_status);
  CHECK(c->status == create_status::pending);
  CHECK(c->polling_url.raw() == "/v1/videos/G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e");
  // Zero-copy: the id points into the caller's buffer.
  CHECK(c->id.str().data() >= a.data());
  CHECK(c->id.str().data() < a.data() + a.size());

  std::string b = fixture("create_video_id.json");
  auto d = parse_create_response(b);
  REQUIRE(d);
  CHECK(d->id == c->id);
  CHECK(d->id_from_video_id);
  CHECK(d->status == create_status::in_progress);
  CHECK(d->lifecycle() == lifecycle_status::running);

  auto both = parse_create_response(fixture("create_both.json"));
  REQUIRE(both);
  CHECK(both->id.str() == c->id.str());

  std::string conflict = R"({"id":"G-1","video_id":"G-2"})";
  auto e = parse_create_response(conflict);
  CHECK(e.code() == errc::conflicting_job_id);
  CHECK(e.error().offset == offset_of(conflict, "\"G-2\""));
}

TEST_CASE("status objects: one fixture per status") {
  struct row {
    const char* file;
    job_status status;
    lifecycle_status lifecycle;
    double progress;
  };
  const row rows[] = {
      {"status_queued.json", job_status::queued, lifecycle_status::pending, 0},
      {"status_processing.json", job_status::processing, lifecycle_status::running, 47},
      {"status_completed.json", job_status::completed, lifecycle_status::completed, 100},
      {"status_failed.json", job_status::failed, lifecycle_status::failed, 35},
      {"status_cancelled.json", job_status::cancelled, lifecycle_status::cancelled, 0},
      {"status_expired.json", job_status::expired, lifecycle_status::expired, 100},
  };
  for (const row& r : rows) {
    INFO(r.file);
    std::string text = fixture(r.file);
    auto s = parse_status_object(text);
    REQUIRE(s);
    CHECK(s->id.str() == "G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e");
    CHECK(s->status == r.status);
    CHECK(s->lifecycle == r.lifecycle);
    CHECK(s->has_lifecycle_status);
    CHECK(s->effective_progress() == r.progress);
    CHECK(s->is_terminal() == is_terminal(r.status));
    CHECK(s->poll_after_seconds.present);
    CHECK(s->poll_after_seconds.value == 20);
    CHECK(s->has_native_video_id);
    CHECK(s->native_video_id.str() == "video_68a1f0c2e4b8819190d2f0e1");
    CHECK(s->created_at.kind == time_field::form::number);
    CHECK(s->created_at.seconds == 1781169071);
    CHECK(s->seconds.is_string());
  }
  auto queued = parse_status_object(fixture("status_queued.json"));
  CHECK(queued->cancel_url.present);
  CHECK(queued->source == progress_source::none);
  CHECK(!queued->started_at.present());

  std::string text = fixture("status_completed.json");
  auto c = parse_status_object(text);
  REQUIRE(c);
  CHECK(c->access == output_access::both);
  CHECK(!c->cancel_url.present);  // null reads as absent
  CHECK(c->completed_at.kind == time_field::form::string);
  CHECK(c->completed_at.text.raw() == "2026-06-11T09:14:03.118Z");
  REQUIRE(c->asset.present);
  CHECK(c->asset.id.raw() == "ast_01J0Q8ZZ");
  CHECK(c->asset.bytes.value == 4183920);
  CHECK(c->asset.width.value == 1280);
  CHECK(c->asset.duration_seconds.value == 8.0);
  REQUIRE(c->outputs.size() == 2);
  std::vector<std::int64_t> idx;
  for (output_view o : c->outputs) idx.push_back(o.index.value);
  CHECK(idx == std::vector<std::int64_t>{0, 1});
  CHECK(c->outputs.at(0).mime_type.raw() == "video/mp4");
  CHECK(c->outputs.at(0).download_url.present);
  CHECK(!c->outputs.at(1).download_url.present);
  CHECK(c->usage.is_object());

  auto failed = parse_status_object(fixture("status_failed.json"));
  REQUIRE(failed);
  CHECK(failed->error.kind == error_field::form::object);
  CHECK(failed->error.message.raw() == "The prompt was rejected by the provider's safety system.");
  auto cancelled = parse_status_object(fixture("status_cancelled.json"));
  CHECK(cancelled->error.kind == error_field::form::string);
  CHECK(cancelled->error.message.raw() == "cancelled by user");
  CHECK(!cancelled->progress.present);
}

TEST_CASE("status objects: either status field alone, and leniency") {
  auto only_lc = parse_status_object(R"({"id":"G-1","status":"Running"})");
  REQUIRE(only_lc);
  CHECK(only_lc->status == job_status::processing);
  CHECK(!only_lc->has_lifecycle_status);
  CHECK(only_lc->lifecycle == lifecycle_status::running);

  std::string unknown = R"({"id":"G-1","status":"rendering","lifecycle_status":"rendering"})";
  auto strict = parse_status_object(unknown);
  CHECK(strict.code() == errc::unknown_status);
  CHECK(strict.error().offset == offset_of(unknown, "\"rendering\""));
  payload_options lenient;
  lenient.leniency = jobwire::lenient::unknown_status;
  auto l = parse_status_object(unknown, lenient);
  REQUIRE(l);
  CHECK(l->status == job_status::queued);
  CHECK(l->lifecycle == lifecycle_status::pending);

  std::string contradict = R"({"id":"G-1","status":"completed","lifecycle_status":"failed"})";
  auto bad = parse_status_object(contradict);
  CHECK(bad.code() == errc::inconsistent_status);
  CHECK(bad.error().offset == offset_of(contradict, "\"failed\""));
  payload_options allow;
  allow.leniency = jobwire::lenient::inconsistent_status;
  auto kept = parse_status_object(contradict, allow);
  REQUIRE(kept);
  CHECK(!kept->consistent);

  // Unknown fields are ignored, whatever their type.
  CHECK(parse_status_object(R"({"id":"G-1","status":"queued","future_field":{"x":[1,2,{}]},"x":null})"));
  // Keys written with escapes still name their field.
  auto esc = parse_status_object(R"({"\u0069d":"G-9","st\u0061tus":"failed"})");
  REQUIRE(esc);
  CHECK(esc->id.str() == "G-9");
  CHECK(esc->status == job_status::failed);
  // An id written with escapes cannot be viewed in place: refused, not misread.
  CHECK(parse_status_object(R"({"id":"G\/1","status":"queued"})").code() == errc::invalid_job_id);
}

TEST_CASE("envelope: completed video with billing and diagnostics") {
  std::string text = fixture("envelope_completed.json");
  auto e = parse_envelope(text);
  REQUIRE(e);
  CHECK(e->id == "evt_video_vj_01J0Q7ZK3M9R_video_completed");
  CHECK(e->type == event_type{kind::video, phase::completed});
  CHECK(e->type_text == "video.completed");
  CHECK(e->created_at.value == 1781169243);
  REQUIRE(e->delivery.present);
  CHECK(e->delivery.key_text == "video.completed");
  CHECK(e->delivery.key == delivery_key{{kind::video, phase::completed}, no_bucket});
  CHECK(e->delivery.attempt == 1);
  CHECK(e->delivery.max_attempts == 4);
  const job_data& d = e->data;
  // The five things the cookbook names (§10).
  CHECK(d.id.str() == "G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e");
  CHECK(d.lifecycle == lifecycle_status::completed);
  CHECK(d.status == job_status::completed);
  CHECK(d.webhook.present);
  CHECK(d.webhook.has_secret);
  CHECK(d.webhook.delivery.present);
  CHECK(d.webhook.delivery.total_attempts.value == 5);
  CHECK(d.webhook.delivery.delivered_events.value == 4);
  CHECK(d.webhook.delivery.delivered_event_types.size() == 4);
  CHECK(d.webhook.delivery.last_attempt_status == attempt_status::delivered);
  CHECK(d.webhook.delivery.last_response_status.value == 200);
  CHECK(!d.webhook.delivery.next_retry_at.present());
  CHECK(d.webhook.events.size() == 5);
  REQUIRE(d.webhook.attempts.size() == 3);
  std::vector<attempt_status> statuses;
  for (webhook_attempt a : d.webhook.attempts) statuses.push_back(a.status);
  CHECK(statuses == std::vector<attempt_status>{attempt_status::delivered, attempt_status::delivered,
                                                attempt_status::scheduled_retry});
  webhook_attempt third = d.webhook.attempts.at(2);
  CHECK(third.delivery_key.raw() == "video.progress:50");
  CHECK(third.response_status.value == 503);
  CHECK(third.next_retry_at.text.raw() == "2026-06-11T09:11:44.002Z");
  // Everything else.
  CHECK(d.has_kind);
  CHECK(d.kind == kind::video);
  CHECK(d.has_native_id);
  CHECK(d.native_id.str() == "video_68a1f0c2e4b8819190d2f0e1");
  CHECK(d.progress.value == 100);
  CHECK(d.provider.raw() == "openai");
  CHECK(d.model.raw() == "sora-2");
  CHECK(d.content_url.raw() == "/v1/videos/G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e/content");
  CHECK(!d.cancel_url.present);
  CHECK(d.generation_ms.value == 168950);
  CHECK(d.access == output_access::both);
  CHECK(d.billing.is_object());
  CHECK(d.billing.get_object()->find("amount").get_double().value() == 0.8);
  CHECK(d.routing_diagnostics.is_object());
  CHECK(!d.upstream_error.exists());  // null reads as absent
  CHECK(d.created_at.kind == time_field::form::string);
  CHECK(d.is_terminal());
}

TEST_CASE("envelope: failed video with upstream_error") {
  auto e = parse_envelope(fixture("envelope_failed.json"));
  REQUIRE(e);
  CHECK(e->type.phase == phase::failed);
  CHECK(e->delivery.attempt == 2);
  CHECK(e->data.lifecycle == lifecycle_status::failed);
  REQUIRE(e->data.upstream_error.is_object());
  auto ue = *e->data.upstream_error.get_object();
  CHECK(ue.find("code").get_string()->raw() == "content_policy_violation");
  CHECK(e->data.provider_failure_diagnostics.is_object());
  CHECK(e->data.failure_sample.is_string());
  CHECK(e->data.error.kind == error_field::form::object);
  CHECK(e->data.error.has_message);
  CHECK(!e->data.content_url.present);
  CHECK(e->data.webhook.delivery.pending_retries.value == 1);
  CHECK(e->data.webhook.delivery.last_attempt_status == attempt_status::scheduled_retry);
}

TEST_CASE("envelope: progress event") {
  auto e = parse_envelope(fixture("envelope_progress.json"));
  REQUIRE(e);
  CHECK(e->type.phase == phase::progress);
  CHECK(e->delivery.key.bucket == 50);
  CHECK(e->data.progress.value == 47);
  CHECK(e->data.status == job_status::processing);
  CHECK(e->data.lifecycle == lifecycle_status::running);
  CHECK(e->data.webhook.attempts.present());
  CHECK(e->data.webhook.attempts.empty());
  CHECK(!e->data.is_terminal());
}

TEST_CASE("envelope: minimal bodies and profiles") {
  // The signing vector's body (§9) has no delivery or created_at: still an envelope.
  auto b =
      parse_envelope(R"({"id":"evt_123","type":"batch.completed","data":{"id":"batch_123","status":"completed"}})");
  REQUIRE(b);
  CHECK(b->type.kind == kind::batch);
  CHECK(!b->delivery.present);
  CHECK(!b->created_at.present);
  std::string sc = R"({"id":"evt_1","type":"video.status_changed","data":{"id":"G-1","status":"processing"},)"
                   R"("status_change":{"previous_status":"queued","status":"in_progress"}})";
  CHECK(parse_envelope(sc).code() == errc::unknown_event_type);
  payload_options ph;
  ph.prof = &profiles::phaseo;
  CHECK(parse_envelope(sc, ph));
  // Fractional progress is a valid progress value in data (§11 buckets 44.4 → 40).
  auto f =
      parse_envelope(R"({"id":"e","type":"video.progress","data":{"id":"G-1","status":"processing","progress":44.4}})");
  REQUIRE(f);
  CHECK(f->data.progress.value == Approx(44.4));
}

TEST_CASE("envelope: error offsets point at the offending value") {
  std::string t = R"({"id":"evt_1","type":"video.completed","data":{"id":"G-1","status":"completed","progress":"x"}})";
  auto r = parse_envelope(t);
  CHECK(r.code() == errc::invalid_field);
  CHECK(r.error().offset == offset_of(t, "\"x\""));
  std::string m = R"({"id":"evt_1","type":"video.completed","data":{"status":"completed"}})";
  auto missing = parse_envelope(m);
  CHECK(missing.code() == errc::missing_field);
  CHECK(missing.error().offset == offset_of(m, "{\"status\""));
  std::string trunc = R"({"id":"evt_1","type":"video.completed","data":{"id":"G-1")";
  CHECK(parse_envelope(trunc).error() == error(errc::json_unexpected_end, trunc.size()));
}

TEST_CASE("envelope: delivery is checked against the type wherever it stands, with the text's errors first") {
  // `delivery` is walked in place and checked after the walk, when the type is known: the
  // same verdicts whether it comes before or after `type`, in one pass or in two.
  const std::string data = R"("data":{"id":"G-1","status":"processing","progress":50})";
  const std::string before = R"({"delivery":{"key":"video.progress:50","attempt":2,"max_attempts":4},)"
                             R"("id":"evt_1","type":"video.progress",)" +
                             data + "}";
  auto b = parse_envelope(before);
  REQUIRE(b);
  CHECK(b->delivery.present);
  CHECK(b->delivery.key_text == "video.progress:50");
  CHECK(b->delivery.attempt == 2);
  CHECK(b->delivery.max_attempts == 4);
  // A key of another event type, placed before the type that it contradicts.
  const std::string other = R"({"delivery":{"key":"video.completed","attempt":1,"max_attempts":4},)"
                            R"("id":"evt_1","type":"video.progress",)" +
                            data + "}";
  CHECK(parse_envelope(other).error() == error(errc::invalid_delivery_key, other.find("\"video.completed\"")));
  // Its members' checks, in their order, at their values.
  const std::string late = R"({"id":"evt_1","type":"video.progress",)" + data +
                           R"(,"delivery":{"attempt":5,"max_attempts":4,"key":"video.progress:50"}})";
  CHECK(parse_envelope(late).error() == error(errc::attempt_exceeds_max, late.find("5,")));
  const std::string no_key =
      R"({"id":"evt_1","type":"video.progress",)" + data + R"(,"delivery":{"attempt":1,"max_attempts":4}})";
  CHECK(parse_envelope(no_key).error() == error(errc::missing_field, no_key.find("{\"attempt\"")));
  // Not an object: kept as it is and refused after the walk.
  const std::string text = R"({"id":"evt_1","type":"video.progress","delivery":"x",)" + data + "}";
  CHECK(parse_envelope(text).error() == error(errc::invalid_field, text.find("\"x\"")));
  // A JSON error inside `delivery` is the answer, even though a field after it is wrong too,
  // and a repeated name inside it is one.
  const std::string broken = R"({"id":"evt_1","type":"video.progress","delivery":{"key":"video.progress:50",)"
                             R"("attempt":01,"max_attempts":4},)" +
                             data + "}";
  CHECK(parse_envelope(broken).code() == errc::json_invalid_number);
  const std::string twice = R"({"id":"evt_1","type":"video.progress","delivery":{"key":"video.progress:50",)"
                            R"("attempt":1,"attempt":1,"max_attempts":4},)" +
                            data + "}";
  CHECK(parse_envelope(twice).error() == error(errc::json_duplicate_key, twice.find("\"attempt\":1,\"max")));
  const std::string two_deliveries = before.substr(0, before.size() - 1) + R"(,"delivery":{}})";
  CHECK(parse_envelope(two_deliveries).code() == errc::json_duplicate_key);
  for (const std::string* t : {&before, &other, &late, &no_key, &text, &broken, &twice, &two_deliveries}) {
    auto one = jobwire::detail::parse_envelope(*t, {}, jobwire::detail::reading::fused);
    auto two = jobwire::detail::parse_envelope(*t, {}, jobwire::detail::reading::two_pass);
    CHECK(one.error() == two.error());
  }
}

TEST_CASE("websocket messages") {
  auto s = parse_ws_message(fixture("ws_snapshot.json"));
  REQUIRE(s);
  CHECK(s->type == ws_message_type::snapshot);
  CHECK(s->has_data);
  CHECK(s->data.lifecycle == lifecycle_status::running);
  auto u = parse_ws_message(fixture("ws_updated.json"));
  REQUIRE(u);
  CHECK(u->type == ws_message_type::updated);
  CHECK(u->data.webhook.attempts.size() == 3);
  auto d = parse_ws_message(fixture("ws_deleted.json"));
  REQUIRE(d);
  CHECK(d->type == ws_message_type::deleted);
  CHECK(d->data.id.str() == "G-7f3c9a2e-41b8-4d0a-9e55-0c1d2b3a4f5e");
  CHECK(!d->data.has_status);
  auto p = parse_ws_message(fixture("ws_pong.json"));
  REQUIRE(p);
  CHECK(p->type == ws_message_type::pong);
  CHECK(!p->has_data);
  CHECK(ws_message_type_name(ws_message_type::deleted) == "job.deleted");
}

TEST_CASE("malformed fixtures each fail with their expected code") {
  std::istringstream manifest(fixture("malformed/cases.tsv"));
  std::string line;
  int n = 0;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string parser, file, code;
    std::getline(fields, parser, '\t');
    std::getline(fields, file, '\t');
    std::getline(fields, code, '\t');
    INFO(parser << " " << file << " want " << code);
    std::string text = fixture("malformed/" + file);
    jobwire::error got;
    if (parser == "webhook") got = parse_envelope(text).error();
    else if (parser == "status") got = parse_status_object(text).error();
    else if (parser == "create") got = parse_create_response(text).error();
    else if (parser == "ws") got = parse_ws_message(text).error();
    else FAIL("unknown parser " << parser);
    // A fixture over the build's JSON limits (only in the tiny-limits build: the
    // 500-character preview) meets the limit first.
    const errc limit = jobwire_test::json_limit_error(text);
    if (limit != errc::ok) CHECK(got.code == limit);
    else CHECK(got.name() == code);
    CHECK(got.offset <= text.size());
    ++n;
  }
  CHECK(n >= 50);
}

TEST_CASE("absent lists iterate as empty") {
  // The webhook object without events/attempts/delivery: every list is safe to iterate.
  std::string body =
      R"({"id":"e","type":"video.completed","data":{"id":"G-1","status":"completed","webhook":{"has_secret":false}}})";
  auto e = parse_envelope(body);
  REQUIRE(e);
  const webhook_view& w = e->data.webhook;
  CHECK(w.present);
  CHECK(!w.has_secret);
  std::size_t n = 0;
  for (json::string s : w.events) n += s.raw().size();
  for (json::string s : w.delivery.delivered_event_types) n += s.raw().size();
  for (webhook_attempt a : w.attempts) n += a.delivery_key.raw().size();
  CHECK(n == 0);
  CHECK(!w.events.present());
  CHECK(w.events.empty());
  std::string st = R"({"id":"G-1","status":"completed"})";
  auto s = parse_status_object(st);
  for (output_view o : s->outputs) n += static_cast<std::size_t>(o.index.value);
  CHECK(n == 0);
  // Present lists decode their strings.
  std::string withev =
      R"({"id":"e","type":"video.completed","data":{"id":"G-1","status":"completed","webhook":{"has_secret":true,"events":["job.completed","video.f\u0061iled"]}}})";
  auto e2 = parse_envelope(withev);
  REQUIRE(e2);
  REQUIRE(e2->data.webhook.events.size() == 2);
  CHECK(e2->data.webhook.events.at(1) == "video.failed");
}

TEST_CASE("phaseo: the public webhook object names its endpoint (PROTOCOL.md §16.2)") {
  // Status response: endpoint_id set, url null, events [] (inherit), has_secret true.
  std::string st =
      R"({"id":"G-1","status":"queued","webhook":{"endpoint_id":"3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab","url":null,"events":[],"has_secret":true}})";
  auto s = parse_status_object(st);
  REQUIRE(s);
  CHECK(s->webhook.endpoint_id.present);
  CHECK(s->webhook.endpoint_id.raw() == "3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab");
  CHECK_FALSE(s->webhook.url.present);
  CHECK(s->webhook.events.present());
  CHECK(s->webhook.events.empty());
  CHECK(s->webhook.has_secret);
  // A legacy inline subscription has endpoint_id null.
  std::string legacy =
      R"({"id":"G-1","status":"queued","webhook":{"endpoint_id":null,"url":"https://e.example/","has_secret":true}})";
  auto l = parse_status_object(legacy);
  REQUIRE(l);
  CHECK_FALSE(l->webhook.endpoint_id.present);
  CHECK(l->webhook.url.present);
  // endpoint_id is a string or null.
  std::string bad = R"({"id":"G-1","status":"queued","webhook":{"endpoint_id":5,"has_secret":true}})";
  CHECK(parse_status_object(bad).code() == errc::invalid_field);
}

// --- status_changed (PROTOCOL.md §16.1) -----------------------------------------------------

namespace {
std::string status_changed_body(const std::string& key, const std::string& status_change,
                                const std::string& data_status = "processing") {
  return R"({"id":"evt_video_G1_sc","type":"video.status_changed","created_at":1781166600,"delivery":{"key":")" + key +
         R"(","attempt":1,"max_attempts":4},"data":{"id":"G-1","status":")" + data_status + R"(","progress":0})" +
         (status_change.empty() ? std::string() : ",\"status_change\":" + status_change) + "}";
}
payload_options phaseo_opts() {
  payload_options o;
  o.prof = &profiles::phaseo;
  return o;
}
}  // namespace

TEST_CASE("envelope: status_change is read for status_changed deliveries (§16.1)") {
  // Views point into the body: it must outlive the envelope.
  const std::string body = status_changed_body("video.status_changed:queued:in_progress",
                                               R"({"previous_status":"queued","status":"in_progress"})");
  auto e = parse_envelope(body, phaseo_opts());
  REQUIRE(e);
  REQUIRE(e->status_change.present);
  CHECK(e->status_change.previous_status.present);
  CHECK(e->status_change.previous_status.raw() == "queued");
  CHECK(e->status_change.status.raw() == "in_progress");
  CHECK(e->status_change.lifecycle == lifecycle_status::running);
  CHECK_FALSE(e->status_change.queue_retry_form);
  CHECK(e->delivery.key.current.view() == "in_progress");

  // The queue-retry form: previous_status null, the job's lifecycle word as status. It
  // names the job's state when the retry was sent, so it is not compared with the key.
  for (const char* word : {"running", "completed", "pending"}) {
    INFO(word);
    auto r = parse_envelope(status_changed_body("video.status_changed:queued:in_progress",
                                                std::string(R"({"previous_status":null,"status":")") + word + "\"}"),
                            phaseo_opts());
    REQUIRE(r);
    CHECK(r->status_change.queue_retry_form);
    CHECK_FALSE(r->status_change.previous_status.present);
    CHECK(r->status_change.lifecycle == parse_lifecycle_status(word).value());
  }
  // An absent previous_status reads as null.
  auto absent = parse_envelope(status_changed_body("video.status_changed:unknown:queued", R"({"status":"queued"})"),
                               phaseo_opts());
  REQUIRE(absent);
  CHECK_FALSE(absent->status_change.queue_retry_form);  // `queued` is a raw status, not a lifecycle word
  // Raw synonyms of the same state agree: canceled / cancelled, processing / in_progress, pending / queued.
  CHECK(parse_envelope(status_changed_body("video.status_changed:in_progress:canceled",
                                           R"({"previous_status":"processing","status":"cancelled"})"),
                       phaseo_opts()));
  CHECK(parse_envelope(status_changed_body("video.status_changed:pending:running",
                                           R"({"previous_status":"queued","status":"In_Progress"})"),
                       phaseo_opts()));
  // Without a delivery object there is no key to compare with.
  auto nokey = parse_envelope(
      R"({"id":"e1","type":"video.status_changed","data":{"id":"G-1","status":"queued"},"status_change":{"previous_status":null,"status":"queued"}})",
      phaseo_opts());
  REQUIRE(nokey);
  CHECK(nokey->status_change.lifecycle == lifecycle_status::pending);
  // Other events ignore the member (unknown fields are ignored, §10).
  auto other = parse_envelope(
      R"({"id":"e2","type":"video.completed","data":{"id":"G-1","status":"completed"},"status_change":7})",
      phaseo_opts());
  REQUIRE(other);
  CHECK_FALSE(other->status_change.present);
}

TEST_CASE("envelope: status_change that names another state than the key is status_change_mismatch") {
  const std::string key = "video.status_changed:queued:in_progress";
  const std::string wrong = status_changed_body(key, R"({"previous_status":"queued","status":"failed"})");
  auto r = parse_envelope(wrong, phaseo_opts());
  CHECK(r.code() == errc::status_change_mismatch);
  CHECK(r.error().offset == wrong.find("\"failed\""));
  CHECK(
      parse_envelope(status_changed_body(key, R"({"previous_status":"running","status":"in_progress"})"), phaseo_opts())
          .code() == errc::status_change_mismatch);
  // A raw (non-lifecycle) status with previous_status null is compared: not the retry form.
  CHECK(
      parse_envelope(status_changed_body(key, R"({"previous_status":null,"status":"queued"})"), phaseo_opts()).code() ==
      errc::status_change_mismatch);
  // Malformed objects.
  CHECK(parse_envelope(status_changed_body(key, ""), phaseo_opts()).code() == errc::missing_field);
  CHECK(parse_envelope(status_changed_body(key, "null"), phaseo_opts()).code() == errc::invalid_field);
  CHECK(parse_envelope(status_changed_body(key, R"({"previous_status":"queued"})"), phaseo_opts()).code() ==
        errc::missing_field);
  CHECK(parse_envelope(status_changed_body(key, R"({"status":7})"), phaseo_opts()).code() == errc::invalid_field);
  CHECK(parse_envelope(status_changed_body(key, R"({"previous_status":1,"status":"in_progress"})"), phaseo_opts())
            .code() == errc::invalid_field);
  CHECK(parse_envelope(status_changed_body(key, R"({"status":"rendering"})"), phaseo_opts()).code() ==
        errc::unknown_status);
  payload_options lenient = phaseo_opts();
  lenient.leniency = jobwire::lenient::unknown_status;
  // Lenient: an unknown word is pending (the service's fallback), which the key's in_progress contradicts.
  CHECK(parse_envelope(status_changed_body(key, R"({"status":"rendering"})"), lenient).code() ==
        errc::status_change_mismatch);
  // The key itself is validated (raw parts, lower case).
  CHECK(parse_envelope(status_changed_body("video.status_changed:Queued:in_progress",
                                           R"({"previous_status":"queued","status":"in_progress"})"),
                       phaseo_opts())
            .code() == errc::invalid_delivery_key);
  CHECK(parse_envelope(status_changed_body("video.status_changed", R"({"status":"in_progress"})"), phaseo_opts())
            .code() == errc::invalid_delivery_key);
}

TEST_CASE("raw statuses map to the lifecycle (§16.1 receiver rule)") {
  CHECK(parse_raw_status("queued").value() == lifecycle_status::pending);
  CHECK(parse_raw_status("pending").value() == lifecycle_status::pending);
  CHECK(parse_raw_status("in_progress").value() == lifecycle_status::running);
  CHECK(parse_raw_status("processing").value() == lifecycle_status::running);
  CHECK(parse_raw_status("running").value() == lifecycle_status::running);
  CHECK(parse_raw_status("canceled").value() == lifecycle_status::cancelled);
  CHECK(parse_raw_status("CANCELLED").value() == lifecycle_status::cancelled);
  CHECK(parse_raw_status("expired").value() == lifecycle_status::expired);
  // Not raw statuses: the public synonyms, padded words, `unknown`.
  for (const char* bad : {"succeeded", "success", "error", " queued", "unknown", ""}) {
    INFO(bad);
    CHECK(parse_raw_status(bad).code() == errc::unknown_status);
  }
  CHECK(parse_raw_status("rendering", jobwire::lenient::unknown_status).value() == lifecycle_status::pending);
  CHECK(is_lifecycle_word("running"));
  CHECK_FALSE(is_lifecycle_word("in_progress"));
  CHECK_FALSE(is_lifecycle_word("Running"));
}

namespace {
// Every declared name is found, and no one-byte variation of it is (unless that variation
// is itself a declared name): the table's hash and comparison decide exactly.
template <class Table>
void check_field_table(const Table& t) {
  for (const auto& rule : t.rules) {
    const std::string name(rule.name);
    CHECK(t.find(name) == &rule);
    for (std::size_t i = 0; i < name.size(); ++i) {
      for (char c : {'_', 'a', 'z', 'A', '0', '\x7f'}) {
        std::string v = name;
        if (v[i] == c) continue;
        v[i] = c;
        const auto* f = t.find(v);
        CHECK((f == nullptr || f->name == v));
      }
    }
    CHECK(t.find(name + "_") == nullptr);
    CHECK(t.find(name.substr(0, name.size() - 1)) == nullptr);
  }
  CHECK(t.find("") == nullptr);
}
}  // namespace

TEST_CASE("declared fields: each table finds exactly its names") {
  check_field_table(detail::job_data_fields);
  check_field_table(detail::status_fields);
  check_field_table(detail::asset_fields);
  check_field_table(detail::output_fields);
}

TEST_CASE("declared fields: the word-wise comparison agrees with memcmp at every length") {
  std::string a(64, 'x');
  for (std::size_t n = 0; n <= 40; ++n) {
    CHECK(detail::same_bytes(a.data(), a.data() + 1, n));  // equal bytes, unaligned
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = 'y';
      CHECK(detail::same_bytes(a.data(), b.data(), n) == (std::memcmp(a.data(), b.data(), n) == 0));
      CHECK(!detail::same_bytes(a.data(), b.data(), n));
    }
  }
}

TEST_CASE("declared fields: a key written with escapes still names its field") {
  auto e = parse_envelope(
      R"({"id":"e","type":"video.completed","data":{"\u0069d":"G-1","st\u0061tus":"completed","mod\u0065l":"m"}})");
  REQUIRE(e);
  CHECK(e->data.id.str() == "G-1");
  CHECK(e->data.status == job_status::completed);
  CHECK(e->data.model.raw() == "m");
}

TEST_CASE("envelope: data.finalized_at (PROTOCOL.md §16.6) is read as a timestamp") {
  // The views point into the body: each body lives as long as its view.
  const std::string head =
      R"({"id":"e","type":"video.completed","data":{"id":"G-1","status":"completed","finalized_at":)";
  const std::string iso_body = head + R"("2026-08-22T10:00:00.000Z"}})";
  auto iso = parse_envelope(iso_body);
  REQUIRE(iso);
  CHECK(iso->data.finalized_at.kind == time_field::form::string);
  CHECK(iso->data.finalized_at.text.raw() == "2026-08-22T10:00:00.000Z");
  const std::string null_body = head + "null}}";
  auto absent = parse_envelope(null_body);
  REQUIRE(absent);
  CHECK(!absent->data.finalized_at.present());
  const std::string bad = head + R"({"at":1}}})";
  auto wrong = parse_envelope(bad);
  CHECK(wrong.code() == errc::invalid_field);
  CHECK(wrong.error().offset == offset_of(bad, R"({"at")"));
}

TEST_CASE("job ids: a control byte or DEL is refused at every position, other bytes are not") {
  // The run-time check reads 8 bytes at a time (job.hpp has_control_byte); a byte-by-byte
  // reference decides each case.
  const unsigned char bytes[] = {0x00, 0x01, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xC3, 0xFF};
  for (std::size_t len = 1; len <= 24; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      for (unsigned char b : bytes) {
        std::string id(len, 'a');
        id[pos] = static_cast<char>(b);
        const bool want = !(b < 0x20 || b == 0x7F);
        INFO("len " << len << " pos " << pos << " byte " << int(b));
        CHECK(jobwire::job_id_view::parse(id).has_value() == want);
        CHECK(jobwire::detail::has_control_byte(id) == !want);
      }
    }
  }
  static_assert(jobwire::detail::is_valid_id_text("G-7f3a"), "the constant-evaluated path");
  static_assert(!jobwire::detail::is_valid_id_text("G\x7f"), "the constant-evaluated path");
}

TEST_CASE("summaries: a member is one line of a declared table, written by its field's rule") {
  // The summary of a document (payload_summary.hpp) is a table of members; a member that
  // reads a field is written by the rule of the field's holder, the same in every
  // document: the value, or null when the payload did not carry it.
  using detail::held;
  using detail::summary_member;
  static constexpr summary_member<status_view> table[] = {
      {"model", &held<&status_view::model>},
      {"created_at", &held<&status_view::created_at>},
      {"outputs", &held<&status_view::outputs>},
      {"error", &held<&status_view::error>},
      {"poll_after_seconds", &held<&status_view::poll_after_seconds>},
  };
  const auto summary_of = [&](const std::string& text) {
    auto st = parse_status_object(text);
    REQUIRE(st);
    std::string s;
    json::writer w(s);
    w.begin_object();
    detail::summary_members(w, table, *st);
    w.end_object();
    return s;
  };
  const std::string& base = fixture("status_processing.json");
  CHECK(summary_of(base) ==
        R"({"model":"sora-2","created_at":1781169071,"outputs":0,"error":null,"poll_after_seconds":20})");

  // Each form a field takes: a time as text, an error as a string or an object with or
  // without its message, an absent number.
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    const std::size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  CHECK(summary_of(with("\"created_at\": 1781169071", "\"created_at\": \"2026-06-11T09:11:11Z\"")) ==
        R"({"model":"sora-2","created_at":"2026-06-11T09:11:11Z","outputs":0,"error":null,"poll_after_seconds":20})");
  CHECK(summary_of(with("\"poll_after_seconds\": 20", "\"poll_after_seconds\": null")) ==
        R"({"model":"sora-2","created_at":1781169071,"outputs":0,"error":null,"poll_after_seconds":null})");
  const auto with_error = [&](const std::string& error) {
    return with("\"model\": \"sora-2\"", "\"model\": \"sora-2\", \"error\": " + error);
  };
  CHECK(summary_of(with_error("{\"code\": \"x\"}")).find(R"("error":"")") != std::string::npos);
  CHECK(summary_of(with_error("{\"message\": \"m\"}")).find(R"("error":"m")") != std::string::npos);
  CHECK(summary_of(with_error("\"boom\"")).find(R"("error":"boom")") != std::string::npos);
}

TEST_CASE("summaries: every fixture's summary is strict JSON led by its kind") {
  // A table that named a member twice would write a repeated key, which jobwire itself
  // refuses (json.hpp); every summary of every fixture is read back strictly.
  namespace fs = std::filesystem;
  std::size_t made = 0;
  for (const auto& e : fs::directory_iterator(std::string(JOBWIRE_TEST_SOURCE_DIR) + "/tests/data/payloads")) {
    if (!e.is_regular_file()) continue;
    const std::string& text = fixture(e.path().filename().string());
    for (payload_form form : {payload_form::create_response, payload_form::status_object, payload_form::delivery,
                              payload_form::ws_message}) {
      payload_options opt;
      opt.prof = &profiles::phaseo;
      std::string out = "unchanged";
      const void_result st = append_payload_summary(out, form, text, opt);
      if (!st) {
        CHECK(out == "unchanged");  // nothing appended on error
        continue;
      }
      ++made;
      const std::string summary = out.substr(std::strlen("unchanged"));
      INFO(e.path().filename().string() << " as " << payload_form_name(form) << ": " << summary);
      CHECK(json::validate(summary));
      CHECK(summary.rfind("{\"kind\":\"" + std::string(payload_form_name(form)) + "\",", 0) == 0);
    }
  }
  CHECK(made >= 20);
}
