// One outbox row as a delivery (include/jobwire/outbox_delivery.hpp, PROTOCOL.md §12,
// §16.5, §17): the payload round-trips and refuses what it cannot read with the member
// named; every attempt built from a row verifies with the receivers' own verifiers, with
// a fresh timestamp and the same event id; the verdict keeps the service's schedule.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <jobwire/outbox_delivery.hpp>
#include <jobwire/standard_webhooks.hpp>
#include <jobwire/verify.hpp>

using namespace jobwire;

namespace {

constexpr std::int64_t now_s = 1781166600;
const std::string data = R"({"id":"G-1","object":"video","status":"completed","lifecycle_status":"completed"})";

outbox_message completed(const profile& prof = profiles::ai_stats, std::string secret = "whsec_test_123") {
  outbox_message m;
  m.prof = &prof;
  m.kind = kind::video;
  m.job_id = "G-1";
  m.internal_id = "gen_1";
  m.phase = phase::completed;
  m.data = data;
  m.created_at = now_s - 10;
  m.secret = std::move(secret);
  return m;
}

std::string payload_of(const outbox_message& m) {
  std::string p;
  write_outbox_payload(p, m);
  return p;
}

errc problem_code(std::string_view payload, std::string& member) {
  outbox_payload_problem pr;
  auto r = parse_outbox_payload(payload, &pr);
  REQUIRE_FALSE(r);
  CHECK(pr.error.code == r.code());
  member = std::string(pr.member);
  return r.code();
}

}  // namespace

TEST_CASE("outbox payload: write then parse gives the message back") {
  SECTION("a completed event, data kept byte for byte") {
    outbox_message m = completed();
    m.data = R"({ "id" : "G-1", "status":"completed",  "object":"video" })";
    auto back = parse_outbox_payload(payload_of(m));
    REQUIRE(back);
    CHECK(back->prof == &profiles::ai_stats);
    CHECK(back->job_id == "G-1");
    CHECK(back->internal_id == "gen_1");
    CHECK(back->phase == phase::completed);
    CHECK(back->data == m.data);
    CHECK(back->created_at == now_s - 10);
    CHECK(back->secret == "whsec_test_123");
    CHECK_FALSE(back->local_callbacks);
    CHECK(std::isnan(back->progress));
  }
  SECTION("a progress event under phaseo with local callbacks") {
    outbox_message m = completed(profiles::phaseo);
    m.phase = phase::progress;
    m.progress = 47.5;
    m.local_callbacks = true;
    m.data = R"({"id":"G-1","status":"in_progress","secret":"a \"quoted\" \u00e9"})";
    auto back = parse_outbox_payload(payload_of(m));
    REQUIRE(back);
    CHECK(back->prof == &profiles::phaseo);
    CHECK(back->progress == 47.5);
    CHECK(back->local_callbacks);
    CHECK(back->data == m.data);
  }
  SECTION("status_changed keeps both statuses, and an absent previous one stays absent") {
    outbox_message m = completed(profiles::phaseo);
    m.phase = phase::status_changed;
    m.previous_status = "queued";
    m.status = "in_progress";
    auto back = parse_outbox_payload(payload_of(m));
    REQUIRE(back);
    REQUIRE(back->previous_status);
    CHECK(*back->previous_status == "queued");
    CHECK(back->status == "in_progress");
    m.previous_status.reset();
    back = parse_outbox_payload(payload_of(m));
    REQUIRE(back);
    CHECK_FALSE(back->previous_status);
  }
  SECTION("a secret with characters JSON must escape") {
    outbox_message m = completed(profiles::ai_stats, "s\"e\\c\nret");
    auto back = parse_outbox_payload(payload_of(m));
    REQUIRE(back);
    CHECK(back->secret == "s\"e\\c\nret");
  }
}

TEST_CASE("outbox payload: what cannot be read is refused with the member named") {
  std::string member;
  const std::string good = payload_of(completed());
  auto without = [&](std::string_view name) {
    std::string p = good;
    const std::string key = "\"" + std::string(name) + "\":";
    const std::size_t at = p.find(key);
    REQUIRE(at != std::string::npos);
    // Remove `"name":value,` — every required member but the last is followed by a comma.
    std::size_t end = at + key.size();
    auto v = json::parse(p);
    REQUIRE(v);
    auto obj = v->get_object();
    REQUIRE(obj);
    end += obj->find(name).raw().size();
    if (p[end] == ',') ++end;
    else if (p[at - 1] == ',') {
      p.erase(at - 1, end - at + 1);
      return p;
    }
    p.erase(at, end - at);
    return p;
  };
  for (const char* name : {"v", "profile", "kind", "job_id", "internal_id", "phase", "created_at", "data", "secret"}) {
    INFO(name);
    CHECK(problem_code(without(name), member) == errc::missing_field);
    CHECK(member == name);
  }
  CHECK(problem_code("", member) == errc::json_empty_input);
  CHECK(problem_code("{\"v\":1,", member) == errc::json_unexpected_end);
  CHECK(problem_code("[1]", member) == errc::json_type_mismatch);
  CHECK(member.empty());

  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string p = good;
    const std::size_t at = p.find(from);
    REQUIRE(at != std::string::npos);
    p.replace(at, from.size(), to);
    return p;
  };
  CHECK(problem_code(replaced("\"v\":1", "\"v\":2"), member) == errc::invalid_field);
  CHECK(member == "v");
  CHECK(problem_code(replaced("\"v\":1", "\"v\":\"1\""), member) == errc::json_type_mismatch);
  CHECK(problem_code(replaced("\"profile\":\"ai_stats\"", "\"profile\":\"acme\""), member) == errc::invalid_field);
  CHECK(member == "profile");
  CHECK(problem_code(replaced("\"kind\":\"video\"", "\"kind\":\"audio\""), member) == errc::unknown_kind);
  CHECK(member == "kind");
  CHECK(problem_code(replaced("\"phase\":\"completed\"", "\"phase\":\"done\""), member) == errc::unknown_phase);
  // status_changed exists under phaseo only (§16.1).
  CHECK(problem_code(replaced("\"phase\":\"completed\"", "\"phase\":\"status_changed\""), member) ==
        errc::unknown_phase);
  CHECK(problem_code(replaced("\"data\":{", "\"data\":[{"), member) == errc::json_unexpected_token);
  CHECK(problem_code(replaced("\"data\":{\"id\":\"G-1\",", "\"data\":\"x\",\"d\":{"), member) ==
        errc::json_type_mismatch);
  CHECK(member == "data");
  CHECK(problem_code(replaced("\"v\":1", "\"v\":1,\"extra\":true"), member) == errc::invalid_field);
  CHECK(member == "extra");
  CHECK(problem_code(replaced("\"v\":1", "\"v\":1,\"v\":1"), member) == errc::json_duplicate_key);
  // A progress member on a completed event, a progress event without one.
  CHECK(problem_code(replaced("\"v\":1", "\"v\":1,\"progress\":5"), member) == errc::invalid_field);
  CHECK(member == "progress");
  CHECK(problem_code(replaced("\"phase\":\"completed\"", "\"phase\":\"progress\""), member) == errc::missing_field);
  CHECK(member == "progress");
  CHECK(problem_code(replaced("\"v\":1", "\"v\":1,\"status\":\"queued\""), member) == errc::invalid_field);
  CHECK(member == "status");
  CHECK(problem_code(replaced("\"created_at\":" + std::to_string(now_s - 10), "\"created_at\":-1"), member) ==
        errc::invalid_field);
  CHECK(member == "created_at");
}

TEST_CASE("outbox request: every attempt verifies, with a fresh timestamp and the same event id (§12, §16.5)") {
  for (const profile* prof : {&profiles::ai_stats, &profiles::phaseo}) {
    INFO(prof->name);
    const outbox_message m = completed(*prof);
    auto first = build_outbox_request(m, 1, now_s);
    auto third = build_outbox_request(m, 3, now_s + 1200);
    REQUIRE(first);
    REQUIRE(third);
    CHECK(first->delivery_key == "video.completed");
    CHECK(*outbox_delivery_key(m) == first->delivery_key);
    CHECK(first->event_id == third->event_id);
    CHECK(first->headers.front().first == "content-type");
    auto v = verifier::create({m.secret});
    REQUIRE(v);
    verify_options opts;
    opts.prof = prof;
    for (const auto* r : {&*first, &*third}) {
      const std::int64_t at = r == &*first ? now_s : now_s + 1200;
      auto ok = verify_delivery(r->body, r->headers, *v, at, opts);
      REQUIRE(ok);
      CHECK(ok->envelope.delivery.attempt == (r == &*first ? 1u : 3u));
    }
    // The timestamp is the attempt's, not the first one's: the first attempt's request is
    // stale twenty minutes later.
    CHECK(verify_delivery(first->body, first->headers, *v, now_s + 1200, opts).code() == errc::timestamp_too_old);
  }
}

TEST_CASE("outbox request: standard sends the envelope with webhook-* headers, id constant across attempts (§17)") {
  const std::string key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const outbox_message m = completed(profiles::standard, key);
  auto a1 = build_outbox_request(m, 1, now_s);
  auto a2 = build_outbox_request(m, 2, now_s + 60);
  REQUIRE(a1);
  REQUIRE(a2);
  auto header = [](const outbox_request& r, std::string_view name) {
    for (const auto& h : r.headers)
      if (h.first == name) return h.second;
    return std::string();
  };
  CHECK(header(*a1, "webhook-id") == a1->event_id);
  CHECK(header(*a2, "webhook-id") == a1->event_id);
  CHECK(header(*a2, "webhook-timestamp") == std::to_string(now_s + 60));
  auto v = verifier::create({key});
  REQUIRE(v);
  for (const auto* r : {&*a1, &*a2}) {
    auto idx = verify_webhook_signature(*v, profiles::standard, header(*r, "webhook-id"),
                                        header(*r, "webhook-timestamp"), r->body, header(*r, "webhook-signature"));
    CHECK(idx);
  }
  // A secret that is no Standard Webhooks key is refused when the request is built.
  CHECK_FALSE(build_outbox_request(completed(profiles::standard, "whsec_!!"), 1, now_s));
}

TEST_CASE("outbox request: what cannot become a delivery is an error, never a request") {
  outbox_message m = completed(profiles::phaseo, "");
  CHECK(build_outbox_request(m, 1, now_s).code() == errc::secret_required);
  m = completed();
  CHECK(build_outbox_request(m, 5, now_s).code() == errc::invalid_attempt);
  m.data = R"({"id":"G-2","status":"completed"})";
  CHECK(build_outbox_request(m, 1, now_s).code() == errc::conflicting_job_id);
  m = completed();
  m.phase = phase::progress;
  m.progress = 100;
  CHECK(build_outbox_request(m, 1, now_s).code() == errc::no_progress_event);
}

TEST_CASE("outbox verdict: the service profiles keep §12 (60/300/900 s, 4 attempts)") {
  const unix_time t = unix_time_from_seconds(now_s);
  outbox_observation fail;
  fail.outcome = attempt_outcome::http(500);
  const std::int64_t delays[] = {60, 300, 900};
  for (const profile* prof : {&profiles::ai_stats, &profiles::phaseo}) {
    for (unsigned attempt = 1; attempt <= 3; ++attempt) {
      auto r = outbox_verdict(*prof, attempt, fail, t, 0);
      REQUIRE(r);
      CHECK(r->state == outbox_state::scheduled_retry);
      CHECK(r->next_attempt_at_ms == now_s * 1000 + delays[attempt - 1] * 1000);
      CHECK(r->effect == endpoint_effect::failure);
      CHECK(r->http_status == 500);
      CHECK(check_outbox_record(*r));
    }
    auto last = outbox_verdict(*prof, 4, fail, t, 0);
    REQUIRE(last);
    CHECK(last->state == outbox_state::failed_permanently);
    CHECK(check_outbox_record(*last));
    outbox_observation ok;
    ok.outcome = attempt_outcome::http(204);
    auto d = outbox_verdict(*prof, 2, ok, t, 0);
    REQUIRE(d);
    CHECK(d->state == outbox_state::delivered);
    CHECK(d->effect == endpoint_effect::success);
    outbox_observation timeout;
    timeout.outcome = attempt_outcome::timed_out();
    auto to = outbox_verdict(*prof, 1, timeout, t, 0);
    REQUIRE(to);
    CHECK(to->http_status == 0);
    CHECK(to->state == outbox_state::scheduled_retry);
  }
  CHECK(outbox_verdict(profiles::ai_stats, 5, fail, t, 0).code() == errc::invalid_attempt);
  const outbox_record u = outbox_unsendable(t);
  CHECK(u.state == outbox_state::failed_permanently);
  CHECK(u.effect == endpoint_effect::none);
  CHECK(check_outbox_record(u));
}

TEST_CASE("outbox attempt errors are worded as the service words them (§16.5)") {
  outbox_observation o;
  o.outcome = attempt_outcome::http(302);
  CHECK(outbox_attempt_error(o) == "Webhook redirects are not allowed");
  o.outcome = attempt_outcome::http(503);
  CHECK(outbox_attempt_error(o) == "Webhook returned HTTP 503");
  o.outcome = attempt_outcome::timed_out();
  o.timeout_ms = 30000;
  CHECK(outbox_attempt_error(o) == "Webhook request timed out after 30000ms");
  o.outcome = attempt_outcome::network_failure();
  CHECK(outbox_attempt_error(o, "Connection") == "Webhook request failed: Connection");
  o.outcome = attempt_outcome::http(200);
  CHECK(outbox_attempt_error(o).empty());
}

TEST_CASE("outbox URL options follow the profile") {
  CHECK(outbox_url_options(profiles::phaseo, false).policy == url_policy::phaseo);
  CHECK(outbox_url_options(profiles::ai_stats, false).policy == url_policy::ai_stats);
  CHECK(outbox_url_options(profiles::standard, false).policy == url_policy::strict);
  CHECK_FALSE(check_callback_url("http://127.0.0.1:8080/hook", outbox_url_options(profiles::phaseo, false)));
  CHECK(check_callback_url("http://127.0.0.1:8080/hook", outbox_url_options(profiles::phaseo, true)));
}

TEST_CASE("outbox verdict: standard follows the etiquette of §17 (410 disables, 429 throttles, Retry-After)") {
  const unix_time t = unix_time_from_seconds(now_s);
  const std::int64_t t_ms = now_s * 1000;
  outbox_observation o;
  o.outcome = attempt_outcome::http(410);
  auto gone = outbox_verdict(profiles::standard, 1, o, t, 7);
  REQUIRE(gone);
  CHECK(gone->state == outbox_state::failed_permanently);
  CHECK(gone->effect == endpoint_effect::disable);
  CHECK(check_outbox_record(*gone));

  o.outcome = attempt_outcome::http(429);
  o.retry_after = std::string_view("120");
  auto busy = outbox_verdict(profiles::standard, 1, o, t, 7);
  REQUIRE(busy);
  CHECK(busy->state == outbox_state::scheduled_retry);
  CHECK(busy->effect == endpoint_effect::throttle);
  CHECK(busy->throttle_until_ms == t_ms + 120000);
  CHECK(busy->next_attempt_at_ms >= t_ms + 120000);
  CHECK(check_outbox_record(*busy));

  // The service profiles read no Retry-After and never throttle or disable (§12).
  auto service = outbox_verdict(profiles::phaseo, 1, o, t, 7);
  REQUIRE(service);
  CHECK(service->effect == endpoint_effect::failure);
  CHECK(service->next_attempt_at_ms == t_ms + 60000);
  o.outcome = attempt_outcome::http(410);
  o.retry_after.reset();
  CHECK(outbox_verdict(profiles::ai_stats, 1, o, t, 7)->effect == endpoint_effect::failure);

  // The request carries the etiquette's attempt budget.
  auto r = build_outbox_request(completed(profiles::standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 10, now_s);
  REQUIRE(r);
  CHECK(r->max_attempts == standard_webhooks_retry_policy.max_attempts);
}
