// The receiver pipeline end to end with signed deliveries and the in-memory store
// (PROTOCOL.md §2, §13): replies, reasons, dedup, reconciliation, handler failure, threads.
#include <catch2/catch.hpp>

#include <jobwire/receiver.hpp>

#include <atomic>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "receiver_support.hpp"

using namespace jobwire;
using namespace receiver_test;

namespace {

// A host: the job states it holds, and a count of side effects per job.
struct host {
  std::mutex mu;
  std::map<std::string, job_state> jobs;
  std::map<std::string, int> effects;
  std::atomic<int> refetches{0};
  bool fail_next = false;

  std::optional<job_state> load(std::string_view id) {
    std::lock_guard<std::mutex> l(mu);
    auto it = jobs.find(std::string(id));
    if (it == jobs.end()) return std::nullopt;
    return it->second;
  }
  void_result handle(const envelope_view& e, const reconcile_decision& d) {
    std::lock_guard<std::mutex> l(mu);
    if (fail_next) {
      fail_next = false;
      return errc::handler_failed;
    }
    if (d.action == reconcile_action::refetch) {
      ++refetches;
      return {};
    }
    jobs[std::string(e.data.id.str())] = d.next;
    ++effects[std::string(e.data.id.str())];
    return {};
  }
};

// Room for every key a test uses in any shard, whatever default capacity the build
// compiled in (the tiny-limits build holds 2 per shard): besides the deliveries' keys,
// each delivery holds its job's lease in the store while it is handled.
memory_dedup_options roomy_store() {
  memory_dedup_options o;
  o.capacity = 16 * 16;
  return o;
}

struct fixture {
  host h;
  memory_dedup_store store{roomy_store()};
  verifier v = *verifier::create({secret});
  atomic_receiver_counters counters;
  receiver_options opt;
  fixture() { opt.counters = &counters; }

  // No copy of the delivery is kept: a receipt owns what it holds (its job id outlives
  // the temporary delivery most tests pass, which ASan builds check on every test).
  receipt deliver(const delivery& d, std::int64_t now = t0) {
    return receive_delivery(
        d.body, d.headers, v, store, at(now), [&](std::string_view id) { return h.load(id); },
        [&](const envelope_view& e, const reconcile_decision& dec, const dedup_key&) { return h.handle(e, dec); }, opt);
  }
};

delivery running(const std::string& job, int progress, unsigned attempt = 1) {
  delivery_spec s;
  s.job = job;
  s.type = "video.progress";
  s.key = "video.progress:" + std::to_string(progress);
  s.status = "processing";
  s.progress = progress;
  s.attempt = attempt;
  return make_delivery(s);
}

delivery terminal(const std::string& job, const std::string& phase, unsigned attempt = 1) {
  delivery_spec s;
  s.job = job;
  s.type = "video." + phase;
  s.status = phase;
  s.attempt = attempt;
  return make_delivery(s);
}

}  // namespace

TEST_CASE("receiver: the receipt's job id outlives the request body", "[receiver]") {
  fixture f;
  // The longest job id there is, far beyond any small-string buffer, so the body is on
  // the heap and freeing it is visible to AddressSanitizer.
  delivery_spec s;
  s.job = "G-" + std::string(max_job_id_length - 2, 'j');
  s.event_id = "evt_longest_job_id";
  auto body = std::make_unique<std::string>(make_delivery(s).body);
  const header_list headers = make_delivery(s).headers;
  receipt r = receive_delivery(
      *body, headers, f.v, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); },
      [&](const envelope_view& e, const reconcile_decision& dec, const dedup_key&) { return f.h.handle(e, dec); },
      f.opt);
  REQUIRE(r.action == receiver_decision::refetch);  // unknown job
  REQUIRE(r.job_id.size() == max_job_id_length);
  // Overwrite, then free, the bytes the id was read from: a view would now read 'X's
  // (or, under ASan, freed memory).
  std::fill(body->begin(), body->end(), 'X');
  body.reset();
  CHECK(r.job_id == s.job);
  CHECK(std::string(r.job_id.view()) == s.job);
  const receipt copy = r;  // a copy owns its own bytes too
  r.job_id.assign("G-other");
  CHECK(copy.job_id == s.job);
  receipt assigned;
  assigned = r;  // copied by the bytes it holds
  CHECK(assigned.job_id == "G-other");
  assigned = copy;
  CHECK(assigned.job_id == s.job);
  CHECK(r.key->job_id() == s.job);  // the dedup key owns its bytes as well

  // The buffer refuses what is no job id, and stays empty.
  job_id_buffer b;
  CHECK(b.empty());
  CHECK_FALSE(b.assign(std::string(max_job_id_length + 1, 'j')));
  CHECK(b.empty());
  CHECK(b.assign("G-1"));
  CHECK((b == "G-1" && "G-1" == b && b != "G-2"));
}

TEST_CASE("receiver: the body and JSON limits are the receiver's to set", "[receiver]") {
  // receiver_options::verify carries the body limit and the JSON limits of the envelope
  // reader (the payload parser reads with them), so a receiver can lower every one.
  const delivery d = terminal("G-limits", "completed");  // 2 levels, 5 members at the root
  struct case_ {
    const char* what;
    void (*lower)(verify_options&);
    errc code;
  };
  const case_ cases[] = {
      {"body bytes", [](verify_options& o) { o.max_body_bytes = 64; }, errc::body_too_large},
      {"json bytes", [](verify_options& o) { o.json.max_bytes = 64; }, errc::json_input_too_large},
      {"json depth", [](verify_options& o) { o.json.max_depth = 1; }, errc::json_depth_exceeded},
      {"json members", [](verify_options& o) { o.json.max_members = 3; }, errc::json_too_many_members},
      {"json string", [](verify_options& o) { o.json.max_string_bytes = 4; }, errc::json_string_too_long},
  };
  fixture f;
  for (const case_& c : cases) {
    INFO(c.what);
    f.opt.verify = verify_options{};
    c.lower(f.opt.verify);
    const receipt r = f.deliver(d);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.error == c.code);
    CHECK(r.http_status == http_status_of(c.code));
    CHECK_FALSE(r.claim);  // refused before anything was claimed
  }
  // Under the defaults the same delivery is processed: the limits alone refused it.
  f.opt.verify = verify_options{};
  CHECK(f.deliver(d).action == receiver_decision::refetch);
  CHECK(f.h.refetches == 1);
}

TEST_CASE("receiver: a valid delivery is processed once and acknowledged", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 10};
  auto r = f.deliver(terminal("G-1", "completed"));
  CHECK(r.action == receiver_decision::process);
  CHECK(r.http_status == 200);
  CHECK(r.reason() == "forward");
  CHECK(r.job_id == "G-1");
  REQUIRE(r.key);
  CHECK(r.key->encoded() == "job:3:G-1:video.completed");
  CHECK(f.h.effects["G-1"] == 1);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);
  CHECK(f.h.jobs["G-1"].progress == 10);  // progress never moves backwards
  CHECK(f.counters.count(receiver_decision::process) == 1);
}

TEST_CASE("receiver: a duplicate is acknowledged and the handler does not run again", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  REQUIRE(f.deliver(terminal("G-1", "completed")).action == receiver_decision::process);
  // The sender's retry (attempt 2, same event) after a lost reply.
  auto r = f.deliver(terminal("G-1", "completed", 2), t0 + 60);
  CHECK(r.action == receiver_decision::duplicate);
  CHECK(r.http_status == 200);
  CHECK(r.reason() == "done");
  CHECK(r.attempt == 2);
  CHECK(f.h.effects["G-1"] == 1);
  CHECK(f.counters.count(receiver_decision::duplicate) == 1);
  CHECK(f.counters.snapshot().retries_seen == 1);
}

TEST_CASE("receiver: authentication failures are 401 and run nothing", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  SECTION("tampered body") {
    delivery d = terminal("G-1", "completed");
    d.body.replace(d.body.find("\"completed\"}"), 11, "\"failed\"   ");
    auto r = f.deliver(d);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.http_status == 401);
    CHECK(r.error == errc::signature_mismatch);
    CHECK(f.counters.rejected_for(errc::signature_mismatch) == 1);
  }
  SECTION("wrong secret") {
    delivery_spec s;
    s.job = "G-1";
    s.signing_secret = "whsec_someone_else";
    auto r = f.deliver(make_delivery(s));
    CHECK(r.http_status == 401);
    CHECK(r.error == errc::signature_mismatch);
  }
  SECTION("stale timestamp") {
    delivery_spec s;
    s.job = "G-1";
    s.timestamp = t0 - 301;
    auto r = f.deliver(make_delivery(s));
    CHECK(r.http_status == 401);
    CHECK(r.error == errc::timestamp_too_old);
    CHECK(r.reason() == "timestamp_too_old");
  }
  SECTION("missing signature") {
    delivery d = terminal("G-1", "completed");
    d.headers.erase(d.headers.begin() + 2);
    auto r = f.deliver(d);
    CHECK(r.http_status == 401);
    CHECK(r.error == errc::missing_signature);
  }
  CHECK(f.h.effects["G-1"] == 0);
  CHECK_FALSE(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);
}

TEST_CASE("receiver: a malformed delivery is 400", "[receiver]") {
  fixture f;
  SECTION("not JSON, but correctly signed") {
    delivery d;
    d.body = "{\"id\":";
    d.headers = {{"x-ai-stats-timestamp", std::to_string(t0)},
                 {"x-ai-stats-signature", sign(secret, std::to_string(t0), d.body)->to_string()}};
    auto r = f.deliver(d);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.http_status == 400);
    CHECK(r.error == errc::json_unexpected_end);
    CHECK_FALSE(r.key);
  }
  SECTION("signed envelope without data") {
    delivery d;
    d.body = R"({"id":"evt_1","type":"video.completed"})";
    d.headers = {{"x-ai-stats-timestamp", std::to_string(t0)},
                 {"x-ai-stats-signature", sign(secret, std::to_string(t0), d.body)->to_string()}};
    auto r = f.deliver(d);
    CHECK(r.http_status == 400);
    CHECK(r.error == errc::missing_field);
  }
  SECTION("header disagrees with the body") {
    delivery d = terminal("G-1", "completed");
    d.headers.back().second = "3";  // attempt header 3, body says 1
    auto r = f.deliver(d);
    CHECK(r.http_status == 400);
    CHECK(r.error == errc::header_body_mismatch);
  }
  CHECK(f.store.size() == 0);
}

// The build's limits (JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES, JOBWIRE_JSON_DEFAULT_MAX_DEPTH;
// tiny in the tiny-limits build) decide at the receiver too: a correctly signed delivery at
// the limit is processed, one past it is a 400 that claims nothing.
TEST_CASE("receiver: the default body and nesting limits hold end to end", "[receiver]") {
  const std::string ts = std::to_string(t0);
  auto resigned = [&](delivery d, std::string body) {
    d.body = std::move(body);
    for (auto& h : d.headers)
      if (h.first == "X-AI-Stats-Signature") h.second = sign(secret, ts, d.body)->to_string();
    return d;
  };
  const delivery base = terminal("G-1", "completed");
  SECTION("body size") {
    fixture f;
    f.h.jobs["G-1"] = job_state{lifecycle_status::running, 10};
    REQUIRE(base.body.size() <= default_max_body_bytes);
    // Trailing whitespace is part of a JSON text: the padded body is the same delivery.
    const std::string at_limit = base.body + std::string(default_max_body_bytes - base.body.size(), ' ');
    auto over = f.deliver(resigned(base, at_limit + " "));
    CHECK(over.action == receiver_decision::reject);
    CHECK(over.error == errc::body_too_large);
    CHECK(over.http_status == 400);
    CHECK(f.store.size() == 0);
    CHECK(f.h.effects["G-1"] == 0);
    auto ok = f.deliver(resigned(base, at_limit));
    CHECK(ok.action == receiver_decision::process);
    CHECK(f.h.effects["G-1"] == 1);
  }
  SECTION("nesting depth") {
    fixture f;
    f.h.jobs["G-1"] = job_state{lifecycle_status::running, 10};
    // An extra member the envelope reader ignores, nested so that the whole body is exactly
    // at the depth limit (the envelope object is level 1), then one level deeper.
    auto nested = [&](std::size_t levels) {
      std::string b = base.body;
      b.insert(b.size() - 1, ",\"extra\":" + std::string(levels, '[') + std::string(levels, ']'));
      return b;
    };
    const std::size_t d = JOBWIRE_JSON_DEFAULT_MAX_DEPTH;
    const std::string over_body = nested(d);
    REQUIRE(over_body.size() <= default_max_body_bytes);
    auto over = f.deliver(resigned(base, over_body));
    CHECK(over.action == receiver_decision::reject);
    CHECK(over.error == errc::json_depth_exceeded);
    CHECK(over.http_status == 400);
    CHECK(f.store.size() == 0);
    auto ok = f.deliver(resigned(base, nested(d - 1)));
    CHECK(ok.action == receiver_decision::process);
    CHECK(f.h.effects["G-1"] == 1);
  }
}

TEST_CASE("receiver: out of order — progress after completed is ignored as stale, and committed", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 40};
  REQUIRE(f.deliver(terminal("G-1", "completed")).action == receiver_decision::process);
  auto r = f.deliver(running("G-1", 50));
  CHECK(r.action == receiver_decision::ignore_stale);
  CHECK(r.http_status == 200);
  CHECK(r.reason() == "older_state");
  CHECK(f.h.effects["G-1"] == 1);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);
  // The stale delivery was handled: its retry is a duplicate.
  CHECK(f.deliver(running("G-1", 50, 2)).action == receiver_decision::duplicate);
}

TEST_CASE("receiver: same state without new progress is no_change", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 50};
  auto r = f.deliver(running("G-1", 50));
  CHECK(r.action == receiver_decision::no_change);
  CHECK(r.http_status == 200);
  CHECK(r.reason() == "same_state");
  CHECK(f.h.effects["G-1"] == 0);
  CHECK(f.deliver(running("G-1", 80)).action == receiver_decision::process);
  CHECK(f.h.jobs["G-1"].progress == 80);
}

TEST_CASE("receiver: a conflicting terminal state is refetch, the claim is released", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::failed, 0};
  auto r = f.deliver(terminal("G-1", "completed"));
  CHECK(r.action == receiver_decision::refetch);
  CHECK(r.http_status == 200);
  CHECK(r.reason() == "terminal_conflict");
  CHECK(f.h.refetches == 1);
  CHECK(f.h.effects["G-1"] == 0);
  // Released, not committed: once the refetch stored the authoritative state, a copy of
  // the delivery reconciles against it instead of being dropped as a duplicate.
  f.h.jobs["G-1"] = job_state{lifecycle_status::completed, 100};
  auto again = f.deliver(terminal("G-1", "completed", 2));
  CHECK(again.action == receiver_decision::no_change);
}

TEST_CASE("receiver: an unknown job and contradicting statuses are refetch", "[receiver]") {
  fixture f;
  auto unknown = f.deliver(terminal("G-unknown", "completed"));
  CHECK(unknown.action == receiver_decision::refetch);
  CHECK(unknown.reason() == "unknown_job");

  f.h.jobs["G-2"] = job_state{lifecycle_status::running, 0};
  delivery_spec s;
  s.job = "G-2";
  s.status = "completed";
  s.lifecycle = "failed";
  auto r = f.deliver(make_delivery(s));
  CHECK(r.action == receiver_decision::refetch);
  CHECK(r.reason() == "contradictory_status");
  CHECK(f.h.refetches == 2);
}

TEST_CASE("receiver: a failing handler releases the claim (503) and the retry is processed", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  f.h.fail_next = true;
  auto r = f.deliver(terminal("G-1", "completed"));
  CHECK(r.action == receiver_decision::reject);
  CHECK(r.http_status == 503);
  CHECK(r.error == errc::handler_failed);
  CHECK(f.h.effects["G-1"] == 0);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::running);

  auto retry = f.deliver(terminal("G-1", "completed", 2), t0 + 60);
  CHECK(retry.action == receiver_decision::process);
  CHECK(retry.http_status == 200);
  CHECK(f.h.effects["G-1"] == 1);
  CHECK(f.counters.rejected_for(errc::handler_failed) == 1);
  CHECK(f.counters.snapshot().retries_seen == 1);
}

TEST_CASE("receiver: a state loader failure is 503 and releases the claim", "[receiver]") {
  fixture f;
  delivery d = terminal("G-1", "completed");
  bool fail = true;
  auto load = [&](std::string_view) -> result<std::optional<job_state>> {
    if (fail) return errc::io_error;
    return std::optional<job_state>(job_state{lifecycle_status::running, 0});
  };
  auto handler = [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; };
  auto r = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
  CHECK(r.http_status == 503);
  CHECK(r.error == errc::io_error);
  fail = false;
  auto retry = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
  CHECK(retry.action == receiver_decision::process);
}

// PROTOCOL.md §13: a failure a host callback returns is local (503) whatever its code —
// also codes whose own class is 400 or 401 — and the claim is released, so the same
// delivery is processed as soon as the host recovers. One test per callback.
namespace {
const errc host_codes[] = {errc::not_found,          errc::limit_exceeded, errc::invalid_field,
                           errc::signature_mismatch, errc::handler_failed, errc::io_error};

// The in-memory store, with a claim that fails on demand.
struct failing_store {
  memory_dedup_store inner;
  std::optional<errc> fail_claim;
  result<claim_result> claim(const dedup_key& k, dedup_time now, std::chrono::milliseconds lease) {
    if (fail_claim) return *fail_claim;
    return inner.claim(k, now, lease);
  }
  void_result commit(const dedup_key& k, const claim_token& t, dedup_time now) { return inner.commit(k, t, now); }
  void_result release(const dedup_key& k, const claim_token& t) { return inner.release(k, t); }
};
}  // namespace

TEST_CASE("receiver: any state loader error is 503 and releases the claim", "[receiver]") {
  for (errc code : host_codes) {
    CAPTURE(error_name(code));
    fixture f;
    const delivery d = terminal("G-1", "completed");
    std::optional<errc> fail = code;
    auto load = [&](std::string_view) -> result<std::optional<job_state>> {
      if (fail) return *fail;
      return std::optional<job_state>(job_state{lifecycle_status::running, 0});
    };
    auto handler = [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; };
    auto r = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.http_status == 503);
    CHECK(r.error == code);
    fail.reset();
    // Released: the same delivery at the same instant is processed, not in_flight.
    auto again = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
    CHECK(again.action == receiver_decision::process);
  }
}

TEST_CASE("receiver: any handler error is 503 and releases the claim", "[receiver]") {
  for (errc code : host_codes) {
    CAPTURE(error_name(code));
    fixture f;
    const delivery d = terminal("G-1", "completed");
    auto load = [&](std::string_view) { return std::optional<job_state>(job_state{lifecycle_status::running, 0}); };
    std::optional<errc> fail = code;
    int effects = 0;
    auto handler = [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result {
      if (fail) return *fail;
      ++effects;
      return {};
    };
    auto r = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.http_status == 503);
    CHECK(r.error == code);
    CHECK(r.reason() == error_name(code));
    fail.reset();
    auto again = receive_delivery(d.body, d.headers, f.v, f.store, at(t0), load, handler);
    CHECK(again.action == receiver_decision::process);
    CHECK(effects == 1);
  }
}

TEST_CASE("receiver: any store claim error is 503 and nothing runs", "[receiver]") {
  for (errc code : host_codes) {
    CAPTURE(error_name(code));
    fixture f;
    failing_store store;
    store.fail_claim = code;
    const delivery d = terminal("G-1", "completed");
    int loads = 0, effects = 0;
    auto load = [&](std::string_view) {
      ++loads;
      return std::optional<job_state>(job_state{lifecycle_status::running, 0});
    };
    auto handler = [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result {
      ++effects;
      return {};
    };
    auto r = receive_delivery(d.body, d.headers, f.v, store, at(t0), load, handler);
    CHECK(r.action == receiver_decision::reject);
    CHECK(r.http_status == 503);
    CHECK(r.error == code);
    CHECK(loads == 0);
    CHECK(effects == 0);
    store.fail_claim.reset();
    auto again = receive_delivery(d.body, d.headers, f.v, store, at(t0), load, handler);
    CHECK(again.action == receiver_decision::process);
    CHECK(effects == 1);
  }
}

TEST_CASE("receiver: a delivery refused on its own is replied with its code's reply class", "[receiver]") {
  // The same codes as above, decided about the request instead of by a host: 400 / 401.
  CHECK(http_status_of(errc::invalid_field) == 400);
  CHECK(http_status_of(errc::signature_mismatch) == 401);
  CHECK(http_status_of(errc::not_found) == 503);
  fixture f;
  delivery d = terminal("G-1", "completed");
  for (auto& h : d.headers)
    if (h.first == "X-AI-Stats-Attempt") h.second = "2";  // the body says attempt 1
  auto r = f.deliver(d);
  CHECK(r.error == errc::header_body_mismatch);
  CHECK(r.http_status == 400);
}

TEST_CASE("receiver: a copy arriving while the first is being handled is in_flight (503)", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  delivery d = terminal("G-1", "completed");
  receipt inner;
  auto r = receive_delivery(
      d.body, d.headers, f.v, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); },
      [&](const envelope_view& e, const reconcile_decision& dec, const dedup_key&) {
        verifier v2 = *verifier::create({secret});
        inner = receive_delivery(
            d.body, d.headers, v2, f.store, at(t0), [&](std::string_view) { return std::optional<job_state>(); },
            [](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; });
        return f.h.handle(e, dec);
      });
  CHECK(r.action == receiver_decision::process);
  CHECK(inner.action == receiver_decision::in_flight);
  CHECK(inner.http_status == 503);
  CHECK(inner.reason() == "in_flight");
}

TEST_CASE("receiver: another delivery of a job being handled is in_flight and cannot undo it", "[receiver]") {
  // The race of docs/RECEIVING.md "One job at a time": `completed` and `progress:90` carry
  // different dedup keys, so only the job lease keeps the second from reconciling against
  // the state the first is about to replace.
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 50};
  const delivery late = running("G-1", 90);
  const delivery other_job = running("G-2", 90);
  f.h.jobs["G-2"] = job_state{lifecycle_status::running, 50};
  receipt inner, inner_other;
  int inner_handler_calls = 0;
  const delivery completed = terminal("G-1", "completed");
  auto r = receive_delivery(
      completed.body, completed.headers, f.v, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); },
      [&](const envelope_view& e, const reconcile_decision& dec, const dedup_key&) {
        verifier v2 = *verifier::create({secret});
        auto count = [&](const envelope_view& e2, const reconcile_decision& d2, const dedup_key&) -> void_result {
          ++inner_handler_calls;
          return f.h.handle(e2, d2);
        };
        inner = receive_delivery(
            late.body, late.headers, v2, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); }, count);
        inner_other = receive_delivery(
            other_job.body, other_job.headers, v2, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); },
            count);
        return f.h.handle(e, dec);
      });
  CHECK(r.action == receiver_decision::process);
  CHECK(inner.action == receiver_decision::in_flight);
  CHECK(inner.http_status == 503);
  CHECK(inner.reason() == "in_flight");
  CHECK(inner_other.action == receiver_decision::process);  // the lease is per job
  CHECK(inner_handler_calls == 1);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);

  // The sender's retry of progress:90 is reconciled against the terminal state: stale.
  auto retry = f.deliver(running("G-1", 90, 2), t0 + 60);
  CHECK(retry.action == receiver_decision::ignore_stale);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);
  CHECK(f.h.effects["G-1"] == 1);
}

TEST_CASE("receiver: a job lease held elsewhere makes the delivery in_flight and leaves its key free", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  const auto lease = *dedup_key::for_job("G-1");
  auto held = f.store.claim(lease, at(t0), std::chrono::seconds{30});
  REQUIRE(held);
  REQUIRE(held->state == claim_state::fresh);
  auto busy = f.deliver(terminal("G-1", "completed"));
  CHECK(busy.action == receiver_decision::in_flight);
  CHECK(busy.http_status == 503);
  CHECK(f.h.effects["G-1"] == 0);
  // A crashed holder: its lease expires and the retry goes through.
  auto retry = f.deliver(terminal("G-1", "completed", 2), t0 + 31);
  CHECK(retry.action == receiver_decision::process);
  CHECK(f.h.effects["G-1"] == 1);
  CHECK(f.store.release(lease, held->token).code() == errc::claim_lost);
}

TEST_CASE("receiver: the job lease is released on every path", "[receiver]") {
  fixture f;
  auto lease_is_free = [&](std::int64_t now) {
    auto c = f.store.claim(*dedup_key::for_job("G-1"), at(now), std::chrono::seconds{30});
    REQUIRE(c);
    const bool fresh = c->state == claim_state::fresh;
    if (fresh) REQUIRE(f.store.release(*dedup_key::for_job("G-1"), c->token));
    return fresh;
  };
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  CHECK(f.deliver(running("G-1", 50)).action == receiver_decision::process);
  CHECK(lease_is_free(t0));
  CHECK(f.deliver(running("G-1", 20)).action == receiver_decision::no_change);
  CHECK(lease_is_free(t0));
  f.h.fail_next = true;
  CHECK(f.deliver(terminal("G-1", "completed")).error == errc::handler_failed);
  CHECK(lease_is_free(t0));
  CHECK(f.deliver(terminal("G-1", "completed", 2)).action == receiver_decision::process);
  CHECK(lease_is_free(t0));
  CHECK(f.deliver(running("G-1", 90)).action == receiver_decision::ignore_stale);
  CHECK(lease_is_free(t0));
  CHECK(f.deliver(terminal("G-1", "failed")).action == receiver_decision::refetch);
  CHECK(lease_is_free(t0));
  delivery d = terminal("G-1", "cancelled");
  auto failing_load = [](std::string_view) -> result<std::optional<job_state>> { return errc::io_error; };
  auto never = [](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; };
  CHECK(receive_delivery(d.body, d.headers, f.v, f.store, at(t0), failing_load, never).error == errc::io_error);
  CHECK(lease_is_free(t0));
}

TEST_CASE("receiver: with_job_lease keeps another writer (a poller) out while a delivery is handled", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 50};
  f.h.jobs["G-2"] = job_state{lifecycle_status::running, 50};
  // A poller that read a status object saying `running 60` and writes it if it is news.
  int poller_writes = 0;
  auto poll_write = [&](const char* job) {
    return [&f, &poller_writes, job]() -> void_result {
      const reconcile_decision d = reconcile(f.h.load(job), job_update::of(lifecycle_status::running, 60));
      if (d.action == reconcile_action::apply) {
        std::lock_guard<std::mutex> l(f.h.mu);
        f.h.jobs[job] = d.next;
        ++poller_writes;
      }
      return {};
    };
  };
  result<job_lease_outcome> during = errc::internal_error, other = errc::internal_error;
  const delivery completed = terminal("G-1", "completed");
  auto r = receive_delivery(
      completed.body, completed.headers, f.v, f.store, at(t0), [&](std::string_view id) { return f.h.load(id); },
      [&](const envelope_view& e, const reconcile_decision& dec, const dedup_key&) {
        during = with_job_lease(f.store, "G-1", at(t0), poll_write("G-1"));
        other = with_job_lease(f.store, "G-2", at(t0), poll_write("G-2"));
        return f.h.handle(e, dec);
      });
  CHECK(r.action == receiver_decision::process);
  REQUIRE(during);
  CHECK(*during == job_lease_outcome::busy);  // the poller's write would have undone `completed`
  REQUIRE(other);
  CHECK(*other == job_lease_outcome::ran);
  CHECK(poller_writes == 1);
  // Retried after the delivery: it now reconciles against `completed` and writes nothing.
  auto later = with_job_lease(f.store, "G-1", at(t0), poll_write("G-1"));
  REQUIRE(later);
  CHECK(*later == job_lease_outcome::ran);
  CHECK(poller_writes == 1);
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::completed);
  // fn's error is returned and the lease is released.
  auto failed = with_job_lease(f.store, "G-1", at(t0), []() -> void_result { return errc::io_error; });
  CHECK(failed.code() == errc::io_error);
  auto again = with_job_lease(f.store, "G-1", at(t0), []() -> void_result { return {}; });
  REQUIRE(again);
  CHECK(*again == job_lease_outcome::ran);
  CHECK(with_job_lease(f.store, "", at(t0), []() -> void_result { return {}; }).code() == errc::invalid_dedup_key);
}

TEST_CASE("receiver: a job with the longest valid id (256 bytes) is received", "[receiver]") {
  // Regression: dedup keys accepted at most 255 bytes, so every delivery of such a job was 400.
  fixture f;
  const std::string job(max_job_id_length, 'G');
  f.h.jobs[job] = job_state{lifecycle_status::running, 0};
  delivery_spec s;
  s.job = job;
  s.event_id = "evt_longest_job_completed";  // event ids stop at 160 characters (§2)
  auto r = f.deliver(make_delivery(s));
  CHECK(r.reason() == "forward");
  CHECK(r.action == receiver_decision::process);
  CHECK(r.http_status == 200);
  REQUIRE(r.key);
  CHECK(r.key->job_id() == job);
  s.attempt = 2;
  CHECK(f.deliver(make_delivery(s), t0 + 60).action == receiver_decision::duplicate);
}

TEST_CASE("receiver: the dedup key is per job, or the event id without a delivery object", "[receiver]") {
  fixture f;
  f.h.jobs["G-1"] = job_state{lifecycle_status::running, 0};
  f.h.jobs["G-2"] = job_state{lifecycle_status::running, 0};
  // Every job has a video.completed delivery key: both are processed (§2).
  CHECK(f.deliver(terminal("G-1", "completed")).action == receiver_decision::process);
  CHECK(f.deliver(terminal("G-2", "completed")).action == receiver_decision::process);

  f.h.jobs["G-3"] = job_state{lifecycle_status::running, 0};
  delivery_spec s;
  s.job = "G-3";
  s.with_delivery = false;
  auto r = f.deliver(make_delivery(s));
  CHECK(r.action == receiver_decision::process);
  REQUIRE(r.key);
  CHECK(r.key->form() == dedup_key_form::event_id);
  CHECK(f.deliver(make_delivery(s)).action == receiver_decision::duplicate);
}

TEST_CASE("receiver: unsigned deliveries only when explicitly allowed, never under phaseo", "[receiver]") {
  memory_dedup_store store{roomy_store()};
  verifier none;
  delivery d = terminal("G-1", "completed");
  d.headers.erase(d.headers.begin() + 1, d.headers.begin() + 3);  // no timestamp or signature
  auto load = [](std::string_view) { return std::optional<job_state>(job_state{lifecycle_status::running, 0}); };
  int effects = 0;
  auto handler = [&](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result {
    ++effects;
    return {};
  };
  receiver_options opt;
  auto refused = receive_delivery(d.body, d.headers, none, store, at(t0), load, handler, opt);
  CHECK(refused.error == errc::unsigned_not_allowed);
  CHECK(refused.http_status == 503);

  opt.leniency = lenient::unsigned_deliveries;
  opt.verify.prof = &profiles::phaseo;
  auto phaseo = receive_delivery(d.body, d.headers, none, store, at(t0), load, handler, opt);
  CHECK(phaseo.error == errc::secret_required);
  CHECK(phaseo.http_status == 503);
  CHECK(effects == 0);

  opt.verify.prof = &profiles::ai_stats;
  auto accepted = receive_delivery(d.body, d.headers, none, store, at(t0), load, handler, opt);
  CHECK(accepted.action == receiver_decision::process);
  CHECK(effects == 1);
}

TEST_CASE("receiver: N threads delivering the same event run the side effect exactly once", "[receiver][concurrency]") {
  host h;
  h.jobs["G-race"] = job_state{lifecycle_status::running, 0};
  for (int i = 0; i < 8; ++i) h.jobs["G-own-" + std::to_string(i)] = job_state{lifecycle_status::running, 0};
  // The race is the subject, not the store's capacity: room for the 9 keys in any shard,
  // whatever default the build compiled in (the tiny-limits build holds 2 per shard).
  memory_dedup_options room;
  room.capacity = 16 * 16;
  memory_dedup_store store{room};
  atomic_receiver_counters counters;
  receiver_options opt;
  opt.counters = &counters;
  const delivery shared = terminal("G-race", "completed");
  constexpr int n = 8;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  std::vector<receipt> own(n), same(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      verifier v = *verifier::create({secret});
      const delivery mine = terminal("G-own-" + std::to_string(i), "completed");
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      auto load = [&](std::string_view id) { return h.load(id); };
      auto handler = [&](const envelope_view& e, const reconcile_decision& d, const dedup_key&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // widen the race window
        return h.handle(e, d);
      };
      same[static_cast<std::size_t>(i)] =
          receive_delivery(shared.body, shared.headers, v, store, at(t0), load, handler, opt);
      own[static_cast<std::size_t>(i)] =
          receive_delivery(mine.body, mine.headers, v, store, at(t0), load, handler, opt);
    });
  }
  for (auto& t : threads) t.join();
  int processed = 0;
  for (const auto& r : same) {
    if (r.action == receiver_decision::process) ++processed;
    else CHECK((r.action == receiver_decision::duplicate || r.action == receiver_decision::in_flight));
  }
  CHECK(processed == 1);
  CHECK(h.effects["G-race"] == 1);
  for (int i = 0; i < n; ++i) {
    CHECK(own[static_cast<std::size_t>(i)].action == receiver_decision::process);
    CHECK(h.effects["G-own-" + std::to_string(i)] == 1);
  }
  CHECK(counters.count(receiver_decision::process) == static_cast<std::uint64_t>(n + 1));
}

// --- round trip with the delivery builder (sender.hpp) ---------------------------------

#include <jobwire/sender.hpp>

TEST_CASE("receiver: deliveries built by the sender pass the pipeline, tampered ones do not", "[receiver][sender]") {
  for (const profile* prof : {&profiles::ai_stats, &profiles::phaseo}) {
    CAPTURE(prof->name);
    fixture f;
    f.opt.verify.prof = prof;
    f.h.jobs["vj_rt_1"] = job_state{lifecycle_status::running, 0};
    auto snd = delivery_sender::create(secret, *prof);
    REQUIRE(snd);

    delivery_event progress_ev;
    progress_ev.job_id = "vj_rt_1";
    progress_ev.internal_id = "int_rt_1";
    progress_ev.phase = phase::progress;
    progress_ev.progress = 50;
    progress_ev.data = R"({"object":"video","status":"processing","progress":50})";
    auto p = snd->build(progress_ev, t0);
    REQUIRE(p);
    const std::string p_body(p->body());
    const auto p_headers = p->headers();
    auto rp = receive_delivery(
        p_body, p_headers, f.v, f.store, at(t0 + 1), [&](std::string_view id) { return f.h.load(id); },
        [&](const envelope_view& e, const reconcile_decision& d, const dedup_key&) { return f.h.handle(e, d); }, f.opt);
    CHECK(rp.action == receiver_decision::process);
    CHECK(rp.reason() == "more_progress");
    CHECK(f.h.jobs["vj_rt_1"].progress == 50);

    delivery_event done_ev = progress_ev;
    done_ev.phase = phase::completed;
    done_ev.progress = std::numeric_limits<double>::quiet_NaN();
    done_ev.data = R"({"object":"video","status":"completed"})";
    auto d = snd->build(done_ev, t0);
    REQUIRE(d);
    auto receive_built = [&](const jobwire::delivery& built, std::int64_t now) {
      const std::string body(built.body());
      return f.deliver(receiver_test::delivery{body,
                                               [&] {
                                                 receiver_test::header_list hl;
                                                 for (const auto& h : built.headers())
                                                   hl.emplace_back(std::string(h.first), std::string(h.second));
                                                 return hl;
                                               }()},
                       now);
    };
    auto r = receive_built(*d, t0 + 1);
    CHECK(r.action == receiver_decision::process);
    CHECK(r.http_status == 200);
    REQUIRE(r.key);
    CHECK(r.key->job_id() == "vj_rt_1");
    CHECK(r.key->delivery_key_text() == "video.completed");
    CHECK(f.h.jobs["vj_rt_1"].lifecycle == lifecycle_status::completed);

    // The sender's retry: attempt 2, fresh timestamp and signature → a duplicate.
    REQUIRE(snd->next_attempt(*d, 2, t0 + 61));
    auto retry = receive_built(*d, t0 + 62);
    CHECK(retry.action == receiver_decision::duplicate);
    CHECK(retry.attempt == 2);
    CHECK(f.h.effects["vj_rt_1"] == 2);  // progress and completed, once each

    // Tampered: one byte of the body changed after signing.
    receiver_test::delivery t;
    t.body = std::string(d->body());
    t.body[t.body.find("completed\"}")] = 'C';
    for (const auto& h : d->headers()) t.headers.emplace_back(std::string(h.first), std::string(h.second));
    auto tampered = f.deliver(t, t0 + 62);
    CHECK(tampered.action == receiver_decision::reject);
    CHECK(tampered.http_status == 401);
    CHECK(tampered.error == errc::signature_mismatch);
    CHECK(f.h.effects["vj_rt_1"] == 2);
  }
}

// --- the current service: status_changed and profile detection (PROTOCOL.md §15, §16.1) ----

namespace {

// A status_changed delivery as the service sends it (x-phaseo-* headers, `status_change`
// after `data`), signed like every delivery: HMAC-SHA256 of "timestamp.body".
receiver_test::delivery status_changed(const std::string& job, const std::string& prev, const std::string& cur,
                                       const std::string& status_change, unsigned attempt = 1,
                                       const std::string& data_status = "processing") {
  const std::string key = "video.status_changed:" + prev + ":" + cur;
  const std::string id = event_id_for(job, key);
  const std::string body = "{\"id\":\"" + id +
                           "\",\"type\":\"video.status_changed\",\"created_at\":" + std::to_string(t0) +
                           ",\"delivery\":{\"key\":\"" + key + "\",\"attempt\":" + std::to_string(attempt) +
                           ",\"max_attempts\":4},\"data\":{\"id\":\"" + job + "\",\"object\":\"video\",\"status\":\"" +
                           data_status + "\",\"progress\":0},\"status_change\":" + status_change + "}";
  const std::string ts = std::to_string(t0);
  receiver_test::delivery d;
  d.body = body;
  d.headers = {{"Content-Type", "application/json"},
               {"User-Agent", "Phaseo-Async-Webhook/1.0"},
               {"x-phaseo-event-id", id},
               {"x-phaseo-event-type", "video.status_changed"},
               {"x-phaseo-delivery-key", key},
               {"x-phaseo-attempt", std::to_string(attempt)},
               {"x-phaseo-max-attempts", "4"},
               {"x-phaseo-timestamp", ts},
               {"x-phaseo-signature", sign(secret, ts, body)->to_string()}};
  return d;
}

}  // namespace

TEST_CASE("receiver: a status_changed delivery is processed under auto and a copy is a duplicate", "[receiver]") {
  fixture f;  // default options: profile auto
  REQUIRE(f.opt.verify.prof == nullptr);
  f.h.jobs["G-1"] = job_state{lifecycle_status::pending, 0};
  auto r = f.deliver(
      status_changed("G-1", "queued", "in_progress", R"({"previous_status":"queued","status":"in_progress"})"));
  CHECK(r.action == receiver_decision::process);
  CHECK(r.http_status == 200);
  REQUIRE(r.prof != nullptr);
  CHECK(r.prof->name == "phaseo");
  CHECK(r.key->encoded() == "job:3:G-1:video.status_changed:queued:in_progress");
  CHECK(f.h.jobs["G-1"].lifecycle == lifecycle_status::running);
  auto copy = f.deliver(
      status_changed("G-1", "queued", "in_progress", R"({"previous_status":"queued","status":"in_progress"})", 2));
  CHECK(copy.action == receiver_decision::duplicate);
  CHECK(copy.http_status == 200);
  CHECK(f.h.effects["G-1"] == 1);
}

TEST_CASE("receiver: the queue-retry form (previous_status null with a lifecycle word) is processed", "[receiver]") {
  fixture f;
  f.h.jobs["G-2"] = job_state{lifecycle_status::pending, 0};
  auto r =
      f.deliver(status_changed("G-2", "queued", "in_progress", R"({"previous_status":null,"status":"running"})", 2));
  CHECK(r.action == receiver_decision::process);
  CHECK(f.h.jobs["G-2"].lifecycle == lifecycle_status::running);
}

TEST_CASE("receiver: a status change is a hint - forward only and never terminal and progress kept", "[receiver]") {
  fixture f;
  f.h.jobs["G-3"] = job_state{lifecycle_status::running, 40};
  // Target terminal: the job is not made terminal; the host refetches. The data is
  // already `completed` (send-time snapshot) and says so — it is not what is read.
  auto t = f.deliver(status_changed("G-3", "in_progress", "completed",
                                    R"({"previous_status":"in_progress","status":"completed"})", 1, "completed"));
  CHECK(t.action == receiver_decision::refetch);
  CHECK(t.reason() == "terminal_hint");
  CHECK(f.h.jobs["G-3"] == job_state{lifecycle_status::running, 40});
  CHECK(f.h.refetches == 1);
  // Backwards (a late queued→pending change while running): stale.
  auto back =
      f.deliver(status_changed("G-3", "queued", "pending", R"({"previous_status":"queued","status":"pending"})"));
  CHECK(back.action == receiver_decision::ignore_stale);
  // Same state: its data.progress (0) never lowers the progress held.
  auto same = f.deliver(
      status_changed("G-3", "pending", "in_progress", R"({"previous_status":"pending","status":"in_progress"})"));
  CHECK(same.action == receiver_decision::no_change);
  CHECK(f.h.jobs["G-3"].progress == 40);
  // Held terminal: never undone.
  f.h.jobs["G-3"] = job_state{lifecycle_status::completed, 100};
  auto after = f.deliver(status_changed("G-3", "unknown", "queued", R"({"previous_status":null,"status":"queued"})"));
  CHECK(after.action == receiver_decision::ignore_stale);
  auto same_terminal = f.deliver(status_changed("G-3", "in_progress", "completed",
                                                R"({"previous_status":"in_progress","status":"completed"})", 2));
  CHECK(same_terminal.action == receiver_decision::no_change);
  CHECK(f.h.jobs["G-3"].lifecycle == lifecycle_status::completed);
}

TEST_CASE("receiver: status_change naming another state than the key is 400", "[receiver]") {
  fixture f;
  f.h.jobs["G-4"] = job_state{lifecycle_status::pending, 0};
  auto r =
      f.deliver(status_changed("G-4", "queued", "in_progress", R"({"previous_status":"queued","status":"failed"})"));
  CHECK(r.action == receiver_decision::reject);
  CHECK(r.error == errc::status_change_mismatch);
  CHECK(r.http_status == 400);
  CHECK(f.h.effects["G-4"] == 0);
}

TEST_CASE("receiver: profile detection picks rules and never weakens and refuses two families", "[receiver]") {
  fixture f;
  f.h.jobs["G-5"] = job_state{lifecycle_status::pending, 0};
  // ai_stats deliveries are detected too, and keep their rules.
  auto ai = f.deliver(terminal("G-5", "completed"));
  CHECK(ai.action == receiver_decision::process);
  REQUIRE(ai.prof != nullptr);
  CHECK(ai.prof->name == "ai_stats");
  // status_changed with x-ai-stats-* headers: not an event of that profile.
  receiver_test::delivery d =
      status_changed("G-6", "queued", "in_progress", R"({"previous_status":"queued","status":"in_progress"})");
  receiver_test::delivery as_ai = d;
  for (auto& h : as_ai.headers)
    if (h.first.rfind("x-phaseo-", 0) == 0) h.first = "x-ai-stats-" + h.first.substr(9);
  CHECK(f.deliver(as_ai).error == errc::malformed_header);
  // Both header families: ambiguous, even though the phaseo set is correctly signed.
  receiver_test::delivery both = d;
  both.headers.emplace_back("X-AI-Stats-Attempt", "1");
  auto amb = f.deliver(both);
  CHECK(amb.error == errc::ambiguous_header);
  CHECK(amb.http_status == 400);
  // A named profile reads only its own family.
  f.h.jobs["G-6"] = job_state{lifecycle_status::pending, 0};
  f.opt.verify.prof = &profiles::phaseo;
  CHECK(f.deliver(both).action == receiver_decision::process);
  // Never weakened: a keyed receiver refuses phaseo headers without a signature.
  f.opt.verify.prof = nullptr;
  receiver_test::delivery unsigned_d = d;
  unsigned_d.headers.pop_back();
  unsigned_d.headers.pop_back();
  CHECK(f.deliver(unsigned_d).error == errc::missing_timestamp);
}
