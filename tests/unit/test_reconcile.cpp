// Reconciliation (reconcile.hpp, PROTOCOL.md §13.3): the full (held, incoming) table.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <jobwire/payload.hpp>
#include <jobwire/reconcile.hpp>

using namespace jobwire;

namespace {
constexpr lifecycle_status all_states[] = {lifecycle_status::pending,   lifecycle_status::running,
                                           lifecycle_status::completed, lifecycle_status::failed,
                                           lifecycle_status::cancelled, lifecycle_status::expired};

// The expected action for (held, incoming) when the incoming progress is not higher than
// the held one — written as the table of §13.3, independent of reconcile()'s code path.
reconcile_action expected(lifecycle_status held, lifecycle_status in) {
  using L = lifecycle_status;
  auto terminal = [](L s) { return s != L::pending && s != L::running; };
  if (terminal(held)) {
    if (!terminal(in)) return reconcile_action::ignore_stale;
    return in == held ? reconcile_action::no_change : reconcile_action::refetch;
  }
  if (held == L::pending) return in == L::pending ? reconcile_action::no_change : reconcile_action::apply;
  // held running
  if (in == L::pending) return reconcile_action::ignore_stale;
  if (in == L::running) return reconcile_action::no_change;
  return reconcile_action::apply;
}
}  // namespace

TEST_CASE("every (held, incoming) pair of lifecycle states, without new progress") {
  int pairs = 0;
  for (lifecycle_status h : all_states) {
    for (lifecycle_status in : all_states) {
      INFO(lifecycle_status_name(h) << " <- " << lifecycle_status_name(in));
      job_state held{h, 40};
      auto d = reconcile(held, job_update::of(in, 40));
      CHECK(d.action == expected(h, in));
      if (d.action == reconcile_action::apply) {
        CHECK(d.reason == reconcile_reason::forward);
        CHECK(d.next.lifecycle == in);
        CHECK(d.next.progress == 40);
      } else {
        CHECK(d.next == held);  // nothing but `apply` changes what is held
      }
      // The same pair without any progress in the payload decides the same way.
      CHECK(reconcile(held, job_update::of(in)).action == expected(h, in));
      ++pairs;
    }
  }
  CHECK(pairs == 36);
}

TEST_CASE("every pair with more progress than held") {
  for (lifecycle_status h : all_states) {
    for (lifecycle_status in : all_states) {
      INFO(lifecycle_status_name(h) << " <- " << lifecycle_status_name(in));
      job_state held{h, 20};
      auto d = reconcile(held, job_update::of(in, 60));
      reconcile_action want = expected(h, in);
      // Only "same non-terminal state" changes: more progress is news.
      if (h == in && !is_terminal(h)) want = reconcile_action::apply;
      CHECK(d.action == want);
      if (d.action == reconcile_action::apply) {
        CHECK(d.next.progress == 60);
        CHECK(d.next.lifecycle == in);
      }
      if (h == in && !is_terminal(h)) CHECK(d.reason == reconcile_reason::more_progress);
    }
  }
}

TEST_CASE("progress never moves backwards, terminal states are absorbing") {
  auto d = reconcile(job_state{lifecycle_status::running, 70}, job_update::of(lifecycle_status::completed, 50));
  CHECK(d.action == reconcile_action::apply);
  CHECK(d.next == job_state{lifecycle_status::completed, 70});
  auto same = reconcile(job_state{lifecycle_status::running, 70}, job_update::of(lifecycle_status::running, 30));
  CHECK(same.action == reconcile_action::no_change);
  CHECK(same.next.progress == 70);
  // Terminal held: even more progress changes nothing.
  auto t = reconcile(job_state{lifecycle_status::failed, 35}, job_update::of(lifecycle_status::failed, 90));
  CHECK(t.action == reconcile_action::no_change);
  CHECK(t.next == job_state{lifecycle_status::failed, 35});
  CHECK(t.reason == reconcile_reason::same_state);
  auto conflict = reconcile(job_state{lifecycle_status::failed, 35}, job_update::of(lifecycle_status::completed));
  CHECK(conflict.reason == reconcile_reason::terminal_conflict);
}

TEST_CASE("unknown jobs and contradicting payloads are refetched") {
  for (lifecycle_status in : all_states) {
    auto d = reconcile(std::nullopt, job_update::of(in, 10));
    CHECK(d.action == reconcile_action::refetch);
    CHECK(d.reason == reconcile_reason::unknown_job);
  }
  auto c = reconcile(job_state{lifecycle_status::running, 10}, job_update::contradiction());
  CHECK(c.action == reconcile_action::refetch);
  CHECK(c.reason == reconcile_reason::contradictory_status);
  CHECK(reconcile_action_name(c.action) == "refetch");
  CHECK(reconcile_reason_name(c.reason) == "contradictory_status");
}

TEST_CASE("updates built from parsed payloads") {
  payload_options opt;
  opt.leniency = lenient::inconsistent_status;
  std::string body =
      R"({"id":"evt_1","type":"video.progress","data":{"id":"G-1","status":"processing","lifecycle_status":"running","progress":47}})";
  auto e = parse_envelope(body, opt);
  REQUIRE(e);
  job_update u = update_from(e->data);
  CHECK(u.lifecycle == lifecycle_status::running);
  CHECK(u.has_progress);
  CHECK(u.progress == 47);
  CHECK(!u.contradictory);
  auto d = reconcile(job_state{lifecycle_status::running, 20}, u);
  CHECK(d.action == reconcile_action::apply);
  CHECK(d.next.progress == 47);

  std::string bad =
      R"({"id":"evt_1","type":"video.completed","data":{"id":"G-1","status":"completed","lifecycle_status":"running"}})";
  auto e2 = parse_envelope(bad, opt);
  REQUIRE(e2);
  CHECK(reconcile(job_state{lifecycle_status::running, 20}, update_from(e2->data)).action == reconcile_action::refetch);

  std::string st = R"({"id":"G-1","status":"completed"})";
  auto s = parse_status_object(st);
  REQUIRE(s);
  CHECK(state_from(*s) == job_state{lifecycle_status::completed, 100});
  std::string run = R"({"id":"G-1","status":"processing","progress":10})";
  auto r = parse_status_object(run);
  REQUIRE(r);
  CHECK(state_from(*r, job_state{lifecycle_status::running, 30}).progress == 30);
  CHECK(update_from(*r).progress == 10);
}

TEST_CASE("a status_changed hint moves forward only and is never terminal (PROTOCOL.md §16.1)") {
  using L = lifecycle_status;
  auto hint = [](L l) {
    job_update u = job_update::of(l);
    u.hint = true;
    return u;
  };
  for (L held : all_states) {
    for (L in : all_states) {
      INFO(lifecycle_status_name(held) << " <- hint " << lifecycle_status_name(in));
      const reconcile_decision d = reconcile(job_state{held, 30}, hint(in));
      const bool held_terminal = is_terminal(held), in_terminal = is_terminal(in);
      if (!held_terminal && in_terminal) {
        CHECK(d.action == reconcile_action::refetch);
        CHECK(d.reason == reconcile_reason::terminal_hint);
      } else {
        CHECK(d.action == expected(held, in));  // the ordinary table otherwise
      }
      // Never terminal by a hint, never less progress, terminal never undone.
      if (d.action == reconcile_action::apply) CHECK_FALSE(is_terminal(d.next.lifecycle));
      CHECK(d.next.progress == 30);
      if (held_terminal) CHECK(d.next.lifecycle == held);
    }
  }
  CHECK(reconcile_reason_name(reconcile_reason::terminal_hint) == "terminal_hint");
  CHECK(reconcile(std::nullopt, hint(L::running)).reason == reconcile_reason::unknown_job);
}

TEST_CASE("updates from status_changed envelopes read status_change and not data") {
  payload_options o;
  o.prof = &profiles::phaseo;
  auto e = parse_envelope(
      R"({"id":"e","type":"video.status_changed","delivery":{"key":"video.status_changed:in_progress:completed","attempt":1,"max_attempts":4},)"
      R"("data":{"id":"G-1","status":"completed","progress":100},"status_change":{"previous_status":"in_progress","status":"completed"}})",
      o);
  REQUIRE(e);
  job_update u = update_from(*e);
  CHECK(u.hint);
  CHECK(u.lifecycle == lifecycle_status::completed);
  CHECK_FALSE(u.has_progress);  // data.progress of a status change is 0/100 by rule, not progress
  auto c = parse_envelope(
      R"({"id":"e","type":"video.completed","data":{"id":"G-1","status":"completed","progress":100}})", o);
  REQUIRE(c);
  CHECK_FALSE(update_from(*c).hint);
  CHECK(update_from(*c).has_progress);
}
