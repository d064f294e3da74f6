// The delivery builder (include/jobwire/sender.hpp, PROTOCOL.md §9–§12): every built
// delivery must verify with the receiver's own verify_delivery, and every field must be
// what the protocol says.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <jobwire/payload.hpp>
#include <jobwire/sender.hpp>
#include <jobwire/verify.hpp>

using namespace jobwire;

namespace {

constexpr std::int64_t now = 1781166600;
const std::string secret = "whsec_test_123";
const std::string data = R"({"id":"G-abc","object":"video","status":"completed","lifecycle_status":"completed"})";

delivery_event event(phase p, double progress = std::numeric_limits<double>::quiet_NaN()) {
  delivery_event ev;
  ev.kind = kind::video;
  ev.job_id = "G-abc";
  ev.internal_id = "job_42";
  ev.phase = p;
  ev.progress = progress;
  ev.data = data;
  ev.created_at = now - 5;
  return ev;
}

delivery_sender make_sender(const profile& prof = profiles::ai_stats, std::string_view s = secret) {
  auto snd = delivery_sender::create(s, prof);
  REQUIRE(snd);
  return std::move(*snd);
}

result<verified_delivery> verify(const delivery& d, std::int64_t at = now, const profile& prof = profiles::ai_stats,
                                 std::string_view s = secret) {
  auto v = verifier::create({s});
  REQUIRE(v);
  verify_options opts;
  opts.prof = &prof;
  return verify_delivery(d.body(), d.headers(), *v, at, opts);
}

}  // namespace

TEST_CASE("a completed delivery has the envelope and every header of PROTOCOL.md §9/§10") {
  auto snd = make_sender();
  auto d = snd.build(event(phase::completed), now);
  REQUIRE(d);
  CHECK(d->body() ==
        std::string(R"({"id":"evt_video_job_42_video_completed","type":"video.completed","created_at":1781166595,)"
                    R"("delivery":{"key":"video.completed","attempt":1,"max_attempts":4},"data":)") +
            data + "}");
  auto h = d->headers();
  REQUIRE(h.size() == 9);
  CHECK(h[0] == header_field{"content-type", "application/json"});
  CHECK(h[1] == header_field{"user-agent", "AI-Stats-Async-Webhook/1.0"});
  CHECK(h[2] == header_field{"x-ai-stats-event-id", "evt_video_job_42_video_completed"});
  CHECK(h[3] == header_field{"x-ai-stats-event-type", "video.completed"});
  CHECK(h[4] == header_field{"x-ai-stats-delivery-key", "video.completed"});
  CHECK(h[5] == header_field{"x-ai-stats-attempt", "1"});
  CHECK(h[6] == header_field{"x-ai-stats-max-attempts", "4"});
  CHECK(h[7] == header_field{"x-ai-stats-timestamp", "1781166600"});
  CHECK(h[8].first == "x-ai-stats-signature");
  // The signature is the one-shot sign() of `timestamp.body` (PROTOCOL.md §9).
  auto expect = sign(secret, "1781166600", d->body());
  REQUIRE(expect);
  CHECK(h[8].second == expect->view());
  CHECK(d->header("signature") == expect->view());
  CHECK(d->header("content-type") == "application/json");

  auto v = verify(*d);
  REQUIRE(v);
  CHECK(v->signature_checked);
  CHECK(v->envelope.delivery.present);
  CHECK(v->headers.attempt == 1u);
}

TEST_CASE("a tampered delivery does not verify") {
  auto snd = make_sender();
  auto d = snd.build(event(phase::completed), now);
  REQUIRE(d);
  std::string body(d->body());
  auto pos = body.find("completed\",\"lifecycle_status");
  REQUIRE(pos != std::string::npos);
  body.replace(pos, 9, "failed___");
  auto v = verifier::create({std::string_view(secret)});
  REQUIRE(v);
  auto r = verify_delivery(body, d->headers(), *v, now);
  CHECK(r.code() == errc::signature_mismatch);
  // A wrong secret does not verify either.
  CHECK(verify(*d, now, profiles::ai_stats, "whsec_other").code() == errc::signature_mismatch);
  // Neither does a delivery outside the freshness window.
  CHECK(!verify(*d, now + 301));
}

TEST_CASE("progress buckets through the sender (PROTOCOL.md §11)") {
  struct row {
    double p;
    int bucket;  // no_bucket: no event
  };
  const row table[] = {{0, no_bucket},
                       {100, no_bucket},
                       {4.5, 10},
                       {5, 10},
                       {44.4, 40},
                       {94.9, 95},
                       {95, 95},
                       {99.6, 95},
                       {3, 5},
                       {0.4, 5},
                       {47, 50},
                       {96, 95},
                       {-1, no_bucket},
                       {std::numeric_limits<double>::quiet_NaN(), no_bucket},
                       {std::numeric_limits<double>::infinity(), no_bucket}};
  auto snd = make_sender();
  for (const row& r : table) {
    CAPTURE(r.p);
    auto d = snd.build(event(phase::progress, r.p), now);
    if (r.bucket == no_bucket) {
      CHECK(d.code() == errc::no_progress_event);
      continue;
    }
    REQUIRE(d);
    const std::string key = "video.progress:" + std::to_string(r.bucket);
    CHECK(d->delivery_key_text() == key);
    CHECK(d->header("delivery-key") == key);
    CHECK(d->header("event-type") == "video.progress");
    CHECK(d->type() == event_type{kind::video, phase::progress});
    CHECK(d->key().bucket == r.bucket);
    CHECK(d->event_id() == "evt_video_job_42_video_progress_" + std::to_string(r.bucket));
    CHECK(d->body().find("\"key\":\"" + key + "\"") != std::string_view::npos);
    CHECK(verify(*d));
  }
}

TEST_CASE("event ids are sanitised and cut to 160 characters in built deliveries (PROTOCOL.md §2)") {
  auto snd = make_sender();
  auto ev = event(phase::progress, 50);
  ev.internal_id = "job 42/äb..c";
  auto d = snd.build(ev, now);
  REQUIRE(d);
  CHECK(d->event_id() == "evt_video_job_42_b_c_video_progress_50");
  CHECK(d->header("event-id") == d->event_id());
  CHECK(verify(*d));

  const std::string long_id(300, 'x');
  ev.internal_id = long_id;
  d = snd.build(ev, now);
  REQUIRE(d);
  CHECK(d->event_id().size() == max_event_id_length);
  CHECK(d->event_id() == ("evt_video_" + long_id).substr(0, 160));
  CHECK(is_valid_event_id(d->event_id()));
  CHECK(d->body().substr(0, 7 + 160 + 1) == "{\"id\":\"" + std::string(d->event_id()) + "\"");
  CHECK(verify(*d));
}

TEST_CASE("each retry has a fresh timestamp and signature with the same event id and key (PROTOCOL.md §12)") {
  auto snd = make_sender();
  auto first = snd.build(event(phase::failed), now);
  REQUIRE(first);
  delivery d = *first;
  const std::int64_t times[] = {now, now + 60, now + 360, now + 1260};
  std::vector<std::string> signatures;
  for (unsigned attempt = 1; attempt <= 4; ++attempt) {
    CAPTURE(attempt);
    if (attempt > 1) REQUIRE(snd.next_attempt(d, attempt, times[attempt - 1]));
    CHECK(d.attempt() == attempt);
    CHECK(d.event_id() == first->event_id());
    CHECK(d.delivery_key_text() == "video.failed");
    CHECK(d.header("attempt") == std::to_string(attempt));
    CHECK(d.header("timestamp") == std::to_string(times[attempt - 1]));
    CHECK(d.created_at() == first->created_at());
    // The body equals a fresh build of the same attempt: only the attempt changed.
    auto rebuilt = snd.build(event(phase::failed), times[attempt - 1], attempt);
    REQUIRE(rebuilt);
    CHECK(rebuilt->body() == d.body());
    CHECK(rebuilt->header("signature") == d.header("signature"));
    auto v = verify(d, times[attempt - 1]);
    REQUIRE(v);
    CHECK(v->headers.attempt == attempt);
    CHECK(v->envelope.delivery.present);
    signatures.emplace_back(d.header("signature"));
  }
  for (std::size_t i = 1; i < signatures.size(); ++i) CHECK(signatures[i] != signatures[i - 1]);
  // Beyond the policy's attempts there is no attempt to build.
  CHECK(snd.next_attempt(d, 5, now + 2000).code() == errc::invalid_attempt);
  CHECK(snd.build(event(phase::failed), now, 0).code() == errc::invalid_attempt);
  CHECK(d.attempt() == 4);
}

TEST_CASE("an attempt number that gains a digit rewrites the body consistently") {
  retry_policy policy;
  policy.max_attempts = 12;
  for (unsigned n = 1; n < 12; ++n) policy.retry_delay_seconds[n - 1] = 60;
  auto snd = delivery_sender::create(secret, profiles::ai_stats, policy);
  REQUIRE(snd);
  auto d = snd->build(event(phase::completed), now);
  REQUIRE(d);
  REQUIRE(snd->next_attempt(*d, 11, now));
  CHECK(d->body().find("\"attempt\":11,\"max_attempts\":12}") != std::string_view::npos);
  CHECK(d->header("max-attempts") == "12");
  REQUIRE(verify(*d));
  REQUIRE(snd->next_attempt(*d, 2, now));
  auto again = snd->build(event(phase::completed), now, 2);
  REQUIRE(again);
  CHECK(again->body() == d->body());
  CHECK(verify(*d));
}

TEST_CASE("job.* subscriptions still yield kind-specific event types (PROTOCOL.md §9)") {
  auto list = normalise_events(json::parse(R"(["job.completed","progress"])").value());
  REQUIRE(list);
  auto snd = make_sender();
  attempt_ledger ledger;
  REQUIRE(snd.check_dispatch(*list, event(phase::completed), ledger));
  auto key = snd.check_subscribed(*list, event(phase::progress, 12));
  REQUIRE(key);
  CHECK(format_delivery_key(*key) == "video.progress:10");
  auto d = snd.build(event(phase::completed), now);
  REQUIRE(d);
  CHECK(d->header("event-type") == "video.completed");
  CHECK(d->body().find("\"type\":\"video.completed\"") != std::string_view::npos);
  CHECK(d->body().find("job.") == std::string_view::npos);
}

TEST_CASE("a phase outside the subscription is not delivered (PROTOCOL.md §7)") {
  auto snd = make_sender();
  attempt_ledger ledger;
  const event_list defaults = event_list::defaults(kind::video);
  CHECK(snd.check_dispatch(defaults, event(phase::progress, 50), ledger).code() == errc::phase_not_subscribed);
  CHECK(snd.check_dispatch(defaults, event(phase::created), ledger).code() == errc::phase_not_subscribed);
  CHECK(snd.check_dispatch(defaults, event(phase::expired), ledger));
  // Cross-kind: a batch.completed entry does not subscribe a video job.
  auto batch =
      normalise_events(json::parse(R"(["batch.completed","video.failed"])").value(), events_options{kind::batch});
  REQUIRE(batch);
  CHECK(snd.check_dispatch(*batch, event(phase::completed), ledger).code() == errc::phase_not_subscribed);
  // Subscribed to progress, but the value makes no bucket.
  auto prog = normalise_events(json::parse(R"(["video.progress"])").value());
  REQUIRE(prog);
  CHECK(snd.check_dispatch(*prog, event(phase::progress, 100), ledger).code() == errc::no_progress_event);
  CHECK(snd.check_dispatch(*prog, event(phase::progress, 30), ledger));
  // status_changed does not exist under ai_stats.
  CHECK(snd.check_dispatch(*prog, event(phase::status_changed), ledger).code() == errc::unknown_phase);
  CHECK(snd.build(event(phase::status_changed), now).code() == errc::unknown_phase);
}

TEST_CASE("a key already delivered, queued or failed is sent again only when forced (PROTOCOL.md §12)") {
  auto snd = make_sender();
  const event_list defaults = event_list::defaults(kind::video);
  auto ev = event(phase::completed);
  auto d = snd.build(ev, now);
  REQUIRE(d);

  auto record = [&](attempt_outcome outcome, unsigned attempt, std::int64_t at_ms) {
    attempt_report rep;
    rep.id = "att";
    rep.delivery_key = d->delivery_key_text();
    rep.event_type = "video.completed";
    rep.outcome = outcome;
    rep.tried_at_ms = at_ms;
    auto decision = decide_attempt(snd.policy(), attempt, outcome, at_ms);
    REQUIRE(decision);
    auto rec = make_attempt_record(rep, *decision);
    REQUIRE(rec);
    return *rec;
  };

  attempt_ledger ledger;
  CHECK(snd.check_dispatch(defaults, ev, ledger));
  ledger.append(record(attempt_outcome::http(500), 1, now * 1000));
  CHECK(snd.check_dispatch(defaults, ev, ledger).code() == errc::already_queued);
  ledger.append(record(attempt_outcome::http(200), 2, now * 1000 + 60000));
  CHECK(snd.check_dispatch(defaults, ev, ledger).code() == errc::already_delivered);
  // Another key of the same job is unaffected.
  CHECK(snd.check_dispatch(defaults, event(phase::failed), ledger));

  // Forced: a fresh delivery of the same key — same event id, attempt 1, new signature.
  REQUIRE(snd.check_dispatch(defaults, ev, ledger, true));
  auto resend = snd.build(ev, now + 7200);
  REQUIRE(resend);
  CHECK(resend->event_id() == d->event_id());
  CHECK(resend->attempt() == first_attempt_number);
  CHECK(resend->header("signature") != d->header("signature"));
  CHECK(verify(*resend, now + 7200));

  attempt_ledger failed;
  for (unsigned a = 1; a <= 4; ++a) failed.append(record(attempt_outcome::timed_out(), a, now * 1000 + a));
  CHECK(snd.check_dispatch(defaults, ev, failed).code() == errc::already_failed);
  CHECK(snd.check_dispatch(defaults, ev, failed, true));
  // Not subscribed stays not subscribed, forced or not.
  CHECK(snd.check_dispatch(event_list::defaults(kind::video), event(phase::created), failed, true).code() ==
        errc::phase_not_subscribed);
}

TEST_CASE("phaseo deliveries use its header names and require a secret (PROTOCOL.md §15)") {
  CHECK(delivery_sender::create("", profiles::phaseo).code() == errc::secret_required);
  CHECK(delivery_sender::create("  \t", profiles::phaseo).code() == errc::secret_required);
  auto snd = make_sender(profiles::phaseo);
  delivery_event ev = event(phase::status_changed);
  ev.previous_status = "in_progress";
  ev.status = "completed";
  auto d = snd.build(ev, now);
  REQUIRE(d);
  auto h = d->headers();
  REQUIRE(h.size() == 9);
  CHECK(h[1] == header_field{"user-agent", "Phaseo-Async-Webhook/1.0"});
  for (std::size_t i = 2; i < h.size(); ++i) CHECK(h[i].first.substr(0, 9) == "x-phaseo-");
  CHECK(d->header("x-phaseo-event-type") == "video.status_changed");
  CHECK(d->header("event-type") == "video.status_changed");
  auto v = verify(*d, now, profiles::phaseo);
  REQUIRE(v);
  CHECK(v->envelope.delivery.present);
  // An ai_stats receiver finds no signature under its own names.
  CHECK(verify(*d, now, profiles::ai_stats).code() == errc::missing_timestamp);
}

TEST_CASE("without a secret, ai_stats deliveries are unsigned and carry no timestamp") {
  auto snd = make_sender(profiles::ai_stats, "   ");
  CHECK_FALSE(snd.signs());
  auto d = snd.build(event(phase::completed), now);
  REQUIRE(d);
  CHECK_FALSE(d->is_signed());
  CHECK(d->headers().size() == 7);
  CHECK(d->header("timestamp").empty());
  CHECK(d->header("signature").empty());
  auto none = verifier::create(static_cast<const std::string_view*>(nullptr), 0);
  REQUIRE(none);
  verify_options unsigned_ok;
  unsigned_ok.leniency = lenient::unsigned_deliveries;
  auto v = verify_delivery(d->body(), d->headers(), *none, now, unsigned_ok);
  REQUIRE(v);
  CHECK_FALSE(v->signature_checked);
  CHECK(v->envelope.delivery.present);
}

TEST_CASE("the sender refuses a body its receivers would refuse: it reads it back with their reader") {
  // PROTOCOL.md §10: `data` carries the job's status; a delivery without one is answered
  // 400 by every receiver and retried until exhausted, so it is not built at all.
  for (const profile* prof : {&profiles::ai_stats, &profiles::phaseo}) {
    auto snd = make_sender(*prof);
    auto ev = event(phase::completed);
    ev.data = R"({"id":"G-abc"})";
    auto r = snd.build(ev, now);
    CHECK(r.code() == errc::missing_field);
    CHECK(r.error().offset == error::no_offset);  // the built body is not the caller's
    ev.data = R"({"status":"rendering"})";
    CHECK(snd.build(ev, now).code() == errc::unknown_status);
    ev.data = R"({"status":7})";
    CHECK(snd.build(ev, now).code() == errc::invalid_field);
    // A refused build into a used delivery leaves nothing sendable behind.
    ev.data = R"({"status":"completed"})";
    auto d = snd.build(ev, now);
    REQUIRE(d);
    ev.data = R"({})";
    CHECK(snd.build_into(*d, ev, now).code() == errc::missing_field);
    CHECK(d->body().empty());
    CHECK(d->headers().size() == 0);
    // Every build that succeeds verifies and parses as its receivers will.
    ev.data = R"({"id":"G-abc","status":"completed"})";
    auto ok = snd.build(ev, now);
    REQUIRE(ok);
    CHECK(verify(*ok, now, *prof));
  }
}

TEST_CASE("data is validated JSON, an object, and agrees with the job id") {
  auto snd = make_sender();
  auto ev = event(phase::completed);
  ev.data = R"({"id":"G-abc",})";
  auto r = snd.build(ev, now);
  CHECK(r.code() == errc::json_unexpected_token);
  CHECK(r.error().offset == 14);
  ev.data = "[1,2]";
  CHECK(snd.build(ev, now).code() == errc::json_type_mismatch);
  ev.data = R"({"id":"G-other"})";
  r = snd.build(ev, now);
  CHECK(r.code() == errc::conflicting_job_id);
  CHECK(r.error().offset == 6);
  ev.data = R"({"id":7})";
  CHECK(snd.build(ev, now).code() == errc::conflicting_job_id);
  ev.data = R"({"a":1,"a":2})";
  CHECK(snd.build(ev, now).code() == errc::json_duplicate_key);
  ev.job_id = "";
  ev.data = "{}";
  CHECK(snd.build(ev, now).code() == errc::invalid_job_id);
  ev.job_id = "G-abc";
  ev.data = R"({"status":"completed"})";
  CHECK(snd.build(ev, -1).code() == errc::invalid_argument);
  ev.created_at = -5;
  CHECK(snd.build(ev, now).code() == errc::invalid_argument);
  // Without created_at the build's `now` is used, and retries keep it.
  ev.created_at.reset();
  auto fresh = snd.build(ev, now + 10);
  REQUIRE(fresh);
  CHECK(fresh->created_at() == now + 10);
  CHECK(fresh->body().find("\"created_at\":1781166610,") != std::string_view::npos);
  REQUIRE(snd.next_attempt(*fresh, 2, now + 70));
  CHECK(fresh->created_at() == now + 10);
  CHECK(fresh->body().find("\"created_at\":1781166610,") != std::string_view::npos);

  // Text is kept byte for byte (escapes, spacing, key order); a missing id is prepended.
  ev.data = " {\"note\" : \"caf\\u00e9\\n\", \"status\":\"queued\"} ";
  auto d = snd.build(ev, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data": {"id":"G-abc","note" : "caf\u00e9\n", "status":"queued"} })") !=
        std::string_view::npos);
  REQUIRE(verify(*d));
  ev.data = R"({"status":"completed"})";
  d = snd.build(ev, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data":{"id":"G-abc","status":"completed"}})") != std::string_view::npos);
  auto root = json::parse(d->body());
  REQUIRE(root);
  // A `data` without a status is refused by every receiver (§10), so it is not built
  // (the test case above has the rest of that rule).
  ev.data = "{}";
  CHECK(snd.build(ev, now).code() == errc::missing_field);
}

TEST_CASE("build_into reuses a delivery for another event") {
  auto snd = make_sender();
  delivery d;
  REQUIRE(snd.build_into(d, event(phase::progress, 61), now));
  CHECK(d.delivery_key_text() == "video.progress:60");
  REQUIRE(snd.build_into(d, event(phase::cancelled), now + 1));
  CHECK(d.delivery_key_text() == "video.cancelled");
  CHECK(d.event_id() == "evt_video_job_42_video_cancelled");
  CHECK(d.headers().size() == 9);
  CHECK(verify(d, now + 1));
  // A copy is independent of the original's buffers.
  delivery copy = d;
  REQUIRE(snd.next_attempt(d, 2, now + 61));
  CHECK(copy.attempt() == 1);
  CHECK(copy.header("attempt") == "1");
  CHECK(verify(copy, now + 1));
  CHECK(verify(d, now + 61));

  // Only a delivery built under the same profile and policy can be retried.
  delivery empty;
  CHECK(snd.next_attempt(empty, 2, now).code() == errc::invalid_argument);
  auto other = make_sender(profiles::phaseo);
  CHECK(other.next_attempt(d, 3, now).code() == errc::invalid_argument);
  CHECK(d.attempt() == 2);
  CHECK(verify(d, now + 61));
}

// --- the current service (PROTOCOL.md §16.1, §16.5, §16.6) ------------------------------------

TEST_CASE("status_changed deliveries: key and event id and status_change object and data.progress (§16.1)") {
  auto snd = make_sender(profiles::phaseo);
  delivery_event ev = event(phase::status_changed);
  ev.data = R"({"id":"G-abc","status":"processing","lifecycle_status":"running","progress":37})";
  ev.previous_status = "Queued";
  ev.status = "in_progress";
  auto d = snd.build(ev, now);
  REQUIRE(d);
  CHECK(d->delivery_key_text() == "video.status_changed:queued:in_progress");
  CHECK(d->event_id() == "evt_video_job_42_video_status_changed_queued_in_progress");
  CHECK(
      d->body() ==
      std::string(R"({"id":"evt_video_job_42_video_status_changed_queued_in_progress","type":"video.status_changed",)"
                  R"("created_at":1781166595,"delivery":{"key":"video.status_changed:queued:in_progress","attempt":1,)"
                  R"("max_attempts":4},"data":{"id":"G-abc","status":"processing","lifecycle_status":"running",)"
                  R"("progress":0},"status_change":{"previous_status":"Queued","status":"in_progress"}})"));
  CHECK(d->header("x-phaseo-delivery-key") == "video.status_changed:queued:in_progress");
  CHECK(d->header("x-phaseo-event-type") == "video.status_changed");
  auto v = verify(*d, now, profiles::phaseo);
  REQUIRE(v);
  CHECK(v->envelope.status_change.present);  // the composed call read the envelope
  // The receiver's parser reads it back, in agreement with the key.
  payload_options po;
  po.prof = &profiles::phaseo;
  auto e = parse_envelope(d->body(), po);
  REQUIRE(e);
  CHECK(e->status_change.lifecycle == lifecycle_status::running);
  // Retries keep everything but the attempt, timestamp and signature.
  CHECK(snd.next_attempt(*d, 2, now + 60));
  CHECK(d->body().find(R"("status_change":{"previous_status":"Queued","status":"in_progress"})") != std::string::npos);
  CHECK(verify(*d, now + 60, profiles::phaseo));

  // Unknown previous status: `unknown` in the key, null in the object; completed → 100.
  delivery_event first = event(phase::status_changed);
  first.status = "completed";
  auto f = snd.build(first, now);
  REQUIRE(f);
  CHECK(f->delivery_key_text() == "video.status_changed:unknown:completed");
  CHECK(
      f->body().find(
          R"("data":{"progress":100,"id":"G-abc","object":"video","status":"completed","lifecycle_status":"completed"})") !=
      std::string::npos);
  CHECK(f->body().find(R"("status_change":{"previous_status":null,"status":"completed"}})") != std::string::npos);
  first.previous_status = std::string_view{};  // empty is unknown too
  CHECK(snd.build(first, now)->delivery_key_text() == "video.status_changed:unknown:completed");
  // canceled is kept as it is.
  first.status = "canceled";
  CHECK(snd.build(first, now)->delivery_key_text() == "video.status_changed:unknown:canceled");

  // Refusals.
  delivery_event bad = event(phase::status_changed);
  CHECK(snd.build(bad, now).code() == errc::missing_field);  // no status
  bad.status = "in progress";
  CHECK(snd.build(bad, now).code() == errc::invalid_delivery_key);
  bad.status = "queued";
  CHECK(make_sender(profiles::ai_stats).build(bad, now).code() == errc::unknown_phase);
  CHECK(delivery_key_for(kind::video, phase::status_changed, 0, profiles::phaseo).code() == errc::invalid_argument);
  // Subscription and send checks use the full key.
  events_options eo;
  eo.prof = &profiles::phaseo;
  auto list_doc = json::parse(R"(["job.status_changed"])");
  REQUIRE(list_doc);
  auto list = normalise_events(*list_doc, eo);
  REQUIRE(list);
  auto k = snd.check_subscribed(*list, ev);
  REQUIRE(k);
  CHECK(format_delivery_key(*k) == "video.status_changed:queued:in_progress");
}

TEST_CASE("under phaseo video data.progress is set by rule and ai_stats keeps the caller's data (§16.6)") {
  auto ph = make_sender(profiles::phaseo);
  delivery_event p = event(phase::progress, 47);
  p.data = R"({"id":"G-abc","status":"processing","progress":47})";
  auto d = ph.build(p, now);
  REQUIRE(d);
  CHECK(d->delivery_key_text() == "video.progress:50");
  CHECK(d->body().find(R"("data":{"id":"G-abc","status":"processing","progress":50}})") != std::string::npos);
  CHECK(verify(*d, now, profiles::phaseo));
  p.data = R"({"status":"processing"})";  // absent: added; the job id is still prepended
  d = ph.build(p, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data":{"id":"G-abc","progress":50,"status":"processing"}})") != std::string::npos);
  p.data = R"({})";  // the progress is still added first, but receivers need a status
  CHECK(ph.build(p, now).code() == errc::missing_field);
  p.data = R"({"status":"processing"})";
  d = ph.build(p, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data":{"id":"G-abc","progress":50,"status":"processing"}})") != std::string::npos);
  delivery_event c = event(phase::failed);
  c.data = R"({"id":"G-abc","status":"failed","progress":63.5})";
  d = ph.build(c, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data":{"id":"G-abc","status":"failed","progress":0}})") != std::string::npos);
  // Batch jobs keep their request-count progress.
  delivery_event b = event(phase::progress, 47);
  b.kind = kind::batch;
  b.data = R"({"id":"G-abc","status":"processing","progress":47})";
  d = ph.build(b, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("progress":47})") != std::string::npos);
  // ai_stats: byte for byte.
  auto ai = make_sender(profiles::ai_stats);
  p.data = R"({"id":"G-abc","status":"processing","progress":47})";
  d = ai.build(p, now);
  REQUIRE(d);
  CHECK(d->body().find(R"("data":{"id":"G-abc","status":"processing","progress":47}})") != std::string::npos);
}

TEST_CASE("a 3xx reply is a failed attempt retried on the schedule (§16.5: redirects are not followed)") {
  for (int code : {301, 302, 303, 307, 308}) {
    INFO(code);
    CHECK_FALSE(attempt_outcome::http(code).is_success());
    auto a = decide_attempt(default_retry_policy, 1, attempt_outcome::http(code), now * 1000);
    REQUIRE(a);
    CHECK(a->status == attempt_status::scheduled_retry);
    auto last = decide_attempt(default_retry_policy, 4, attempt_outcome::http(code), now * 1000);
    REQUIRE(last);
    CHECK(last->status == attempt_status::failed_permanently);
  }
}
