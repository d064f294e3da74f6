// The operations dashboard (examples/dashboard): the JSON document the page polls, the
// receiver's journal, and the page's source (PROTOCOL.md §14, docs/DASHBOARD.md).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <jobwire/json.hpp>

#include "dashboard.hpp"
#include "dashboard_page.hpp"
#include "sample_jobs.hpp"

using namespace jobwire_dashboard;
namespace json = jobwire::json;

namespace {

constexpr std::int64_t now_ms = 1780000000000;  // 2026-05-28T20:26:40.000Z

/// The document, parsed (the text must stay alive while the views are used).
struct parsed {
  std::string text;
  json::value root;
  json::object obj;

  explicit parsed(std::string t) : text(std::move(t)) {
    auto r = json::parse(text);
    REQUIRE(r);
    root = *r;
    REQUIRE(root.get_object());
    obj = *root.get_object();
  }
  json::object job(std::string_view id) const {
    for (json::value v : *obj.find("jobs").get_array()) {
      json::object o = *v.get_object();
      if (o.find("id").get_string()->to_string() == id) return o;
    }
    FAIL("no job " << id);
    return {};
  }
};

std::string str(json::value v) {
  REQUIRE(v.is_string());
  return v.get_string()->to_string();
}
std::uint64_t u64(json::value v) {
  auto n = v.get_uint64();
  REQUIRE(n);
  return *n;
}
std::uint64_t count(const json::object& job, std::string_view k) {
  return u64(job.find("deliveries").get_object()->find(k));
}

std::string sample_document(view kind = view::sender, const jobwire::receiver_counters* rc = nullptr) {
  const auto jobs = sample_jobs(now_ms);
  document_sources src;
  src.kind = kind;
  src.now_ms = now_ms;
  src.receiver = rc;
  return render_document(sample_rows(jobs), src);
}

}  // namespace

TEST_CASE("dashboard: the document names its format, version, view and time") {
  parsed d(sample_document());
  CHECK(str(d.obj.find("format")) == "jobwire.dashboard");
  CHECK(u64(d.obj.find("version")) == 1);
  CHECK(str(d.obj.find("view")) == "sender");
  CHECK(str(d.obj.find("generated_at")) == "2026-05-28T20:26:40.000Z");
  CHECK(d.obj.find("receiver").is_null());
  CHECK(d.obj.find("jobs").get_array()->size() == 5);
}

TEST_CASE("dashboard: a job carries the host's label, or null") {
  parsed d(sample_document());
  CHECK(str(d.job("job_ok").find("label")) == "welcome clip");
  CHECK(str(d.job(sample_hostile_id).find("label")) == sample_hostile_label);
  CHECK(d.job("job_delivery_exhausted").find("label").is_null());  // the host gave none
  // Markup in a label is escaped like every other string (§ Escaping of docs/DASHBOARD.md).
  CHECK(d.text.find("<i ") == std::string::npos);
}

TEST_CASE("dashboard: the document says which clock its times are on") {
  parsed wall(sample_document());
  const json::object wc = *wall.obj.find("clock").get_object();
  CHECK(str(wc.find("kind")) == "wall");
  CHECK(*wc.find("scale").get_double() == 1.0);
  CHECK_FALSE(wc.find("wall_time").exists());

  // A simulated clock 600 times real time: generated_at is on it, wall_time is not.
  const auto jobs = sample_jobs(now_ms);
  document_sources src;
  src.now_ms = now_ms;
  src.clock.scale = 600;
  src.clock.wall_now_ms = now_ms - 3600000;
  parsed sim(render_document(sample_rows(jobs), src));
  const json::object sc = *sim.obj.find("clock").get_object();
  CHECK(str(sc.find("kind")) == "simulated");
  CHECK(*sc.find("scale").get_double() == 600.0);
  CHECK(str(sc.find("wall_time")) == "2026-05-28T19:26:40.000Z");
  CHECK(str(sim.obj.find("generated_at")) == "2026-05-28T20:26:40.000Z");
}

TEST_CASE("dashboard: the receiver's journal keeps the first label, bounded, whole characters only") {
  receiver_journal journal;
  journal.set_label("job_a", "");  // no label: nothing tracked
  CHECK(journal.rows().empty());
  CHECK_FALSE(journal.has_label("job_a"));
  journal.set_label("job_a", "first");
  journal.set_label("job_a", "second");
  CHECK(journal.has_label("job_a"));
  // 199 ASCII bytes, then a 2-byte character across the bound: cut before it.
  journal.set_label("job_b", std::string(199, 'x') + "\xc3\xa9" + "tail");
  const auto rows = journal.rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].label == "first");
  CHECK(rows[1].label == std::string(199, 'x'));
  parsed d(journal.render(now_ms, nullptr));
  CHECK(str(d.job("job_b").find("label")) == std::string(199, 'x'));
}

TEST_CASE("dashboard: the receiver's journal records status_changed deliveries like any other (§16.1)") {
  receiver_journal journal;
  receipt_note n;
  n.job_id = "job_c";
  n.delivery_key = "video.status_changed:queued:in_progress";
  n.attempt = 1;
  n.http_status = 200;
  n.decision = jobwire::receiver_decision::process;
  n.at_ms = now_ms;
  journal.record(n);
  n.delivery_key = "video.completed";
  journal.record(n);
  parsed d(journal.render(now_ms, nullptr));
  CHECK(count(d.job("job_c"), "attempted") == 2);
  CHECK(count(d.job("job_c"), "delivered") == 2);
}

TEST_CASE("dashboard: each job is classified by jobwire's health rule (§14)") {
  parsed d(sample_document());
  CHECK(str(d.job("job_ok").find("health")) == "healthy");
  CHECK(str(d.job("job_generation_failed").find("health")) == "generation_failed");
  CHECK(str(d.job("job_delivery_failing").find("health")) == "delivery_failing");
  CHECK(str(d.job("job_delivery_exhausted").find("health")) == "delivery_exhausted");
  CHECK(str(d.job(sample_hostile_id).find("health")) == "delivery_failing");
  for (json::value v : *d.obj.find("jobs").get_array()) CHECK(v.get_object()->find("health_error").is_null());

  const json::object totals = *d.obj.find("totals").get_object();
  const json::object health = *totals.find("health").get_object();
  CHECK(u64(totals.find("jobs")) == 5);
  CHECK(u64(health.find("healthy")) == 1);
  CHECK(u64(health.find("generation_failed")) == 1);
  CHECK(u64(health.find("delivery_failing")) == 2);
  CHECK(u64(health.find("delivery_exhausted")) == 1);
  CHECK(u64(health.find("unclassified")) == 0);
}

TEST_CASE("dashboard: a generation failure shows the job's error, its deliveries fine") {
  parsed d(sample_document());
  const json::object j = d.job("job_generation_failed");
  CHECK(str(j.find("status")) == "failed");
  CHECK(*j.find("progress").get_double() == 31.0);
  CHECK(str(j.find("job_error")) == "the provider rejected the request");
  CHECK(count(j, "attempted") == 2);
  CHECK(count(j, "delivered") == 2);
  CHECK(count(j, "rejected") == 0);
  CHECK(*j.find("last_response_status").get_int64() == 200);
  CHECK(j.find("last_failure_at").is_null());
  CHECK(j.find("last_error_message").is_null());
  CHECK(j.find("next_retry_at").is_null());
}

TEST_CASE("dashboard: a failing delivery shows the last status, failure and the next retry (§12)") {
  parsed d(sample_document());
  const json::object j = d.job("job_delivery_failing");
  CHECK(count(j, "attempted") == 2);
  CHECK(count(j, "delivered") == 1);
  CHECK(count(j, "rejected") == 1);
  CHECK(count(j, "retried") == 0);
  CHECK(count(j, "pending_retries") == 1);
  CHECK(*j.find("last_response_status").get_int64() == 503);
  CHECK(str(j.find("last_attempt_status")) == "scheduled_retry");
  const std::int64_t tried = now_ms - 30000;
  CHECK(str(j.find("last_failure_at")) == jobwire::format_iso8601_ms(tried));
  CHECK(str(j.find("next_retry_at")) == jobwire::format_iso8601_ms(tried + 60000));  // 60 s after attempt 1
  CHECK(str(j.find("last_error_message")) == "HTTP 503");
  CHECK(str(j.find("last_failure_preview")) == R"({"error":"busy"})");
}

TEST_CASE("dashboard: an exhausted delivery counts every attempt and has no next retry") {
  parsed d(sample_document());
  const json::object j = d.job("job_delivery_exhausted");
  CHECK(count(j, "attempted") == 4);
  CHECK(count(j, "delivered") == 0);
  CHECK(count(j, "retried") == 3);
  CHECK(count(j, "rejected") == 4);
  CHECK(count(j, "pending_retries") == 0);
  CHECK(count(j, "exhausted_keys") == 1);
  CHECK(*j.find("last_response_status").get_int64() == 500);
  CHECK(str(j.find("last_attempt_status")) == "failed_permanently");
  CHECK(j.find("next_retry_at").is_null());
  CHECK(str(j.find("last_failure_preview")) == "internal error");

  const json::object totals = *d.obj.find("totals").get_object();
  CHECK(u64(totals.find("attempted")) == 2 + 2 + 2 + 4 + 1);
  CHECK(u64(totals.find("delivered")) == 2 + 2 + 1);
  CHECK(u64(totals.find("retried")) == 3);
  CHECK(u64(totals.find("rejected")) == 1 + 4 + 1);
  CHECK(u64(totals.find("pending_retries")) == 2);
  CHECK(u64(totals.find("exhausted_keys")) == 1);
}

TEST_CASE("dashboard: hostile text is valid, escaped JSON that decodes to exactly the original") {
  const std::string doc = sample_document();
  // No markup character survives in the bytes: <, > and & are \u escapes.
  CHECK(doc.find('<') == std::string::npos);
  CHECK(doc.find('>') == std::string::npos);
  CHECK(doc.find('&') == std::string::npos);
  CHECK(doc.find("\\u003cscript\\u003e") != std::string::npos);
  parsed d(doc);
  const json::object j = d.job(sample_hostile_id);
  CHECK(str(j.find("id")) == sample_hostile_id);
  CHECK(str(j.find("last_error_message")) == sample_hostile_message);
  CHECK(str(j.find("last_failure_preview")) == sample_hostile_preview);
  CHECK(*j.find("last_response_status").get_int64() == 400);
}

TEST_CASE("dashboard: the escaping pass leaves JSON escapes and other text intact") {
  jobwire::attempt_ledger ledger;
  auto decision =
      jobwire::decide_attempt(jobwire::default_retry_policy, 1, jobwire::attempt_outcome::http(500), now_ms);
  REQUIRE(decision);
  jobwire::attempt_report r;
  r.id = "a1";
  r.delivery_key = "video.completed";
  r.event_type = "video.completed";
  r.outcome = jobwire::attempt_outcome::http(500);
  r.tried_at_ms = now_ms;
  const std::string tricky = "back\\slash \"quote\" \\<tag> a&b \xC3\xA9 \xF0\x9F\x8E\xAC\nline";
  r.error_message = tricky;
  auto rec = jobwire::make_attempt_record(r, *decision);
  REQUIRE(rec);
  ledger.append(*rec);
  job_input in;
  in.id = "j";
  in.status = "completed";
  in.ledger = &ledger;
  document_sources src;
  src.now_ms = now_ms;
  parsed d(render_document({make_row(in)}, src));
  CHECK(str(d.job("j").find("last_error_message")) == tricky);
}

TEST_CASE("dashboard: a status outside §3 is shown unclassified, with the reason") {
  job_input in;
  in.id = "j1";
  in.status = "Succeeded";
  const job_row row = make_row(in);
  CHECK_FALSE(row.health);
  CHECK(row.health_error == jobwire::errc::unknown_status);
  CHECK(health_of({row}).jobs[0] == 0);
  document_sources src;
  src.now_ms = now_ms;
  parsed d(render_document({row}, src));
  const json::object j = d.job("j1");
  CHECK(str(j.find("health")) == "unclassified");
  CHECK(str(j.find("health_error")) == "unknown_status");
  CHECK(u64(d.obj.find("totals").get_object()->find("health").get_object()->find("unclassified")) == 1);
}

TEST_CASE("dashboard: a job without a webhook has no deliveries and is judged on its generation alone") {
  job_input ok, failed;
  ok.id = "quiet";
  ok.status = "running";
  ok.progress = 12.5;
  failed.id = "quiet_failed";
  failed.status = "expired";
  document_sources src;
  src.now_ms = now_ms;
  parsed d(render_document({make_row(ok), make_row(failed)}, src));
  const json::object a = d.job("quiet");
  CHECK(a.find("webhook").get_bool().value() == false);
  CHECK(str(a.find("health")) == "healthy");
  CHECK(*a.find("progress").get_double() == 12.5);
  CHECK(count(a, "attempted") == 0);
  CHECK(a.find("last_response_status").is_null());
  CHECK(a.find("decisions").is_null());
  CHECK(str(d.job("quiet_failed").find("health")) == "generation_failed");
  CHECK(d.job("quiet_failed").find("progress").is_null());
}

TEST_CASE("dashboard: a sender's outbox counts sit beside the rows, null without an outbox") {
  CHECK(parsed(sample_document()).obj.find("outbox").is_null());
  const auto jobs = sample_jobs(now_ms);
  jobwire::outbox_counts c;
  c.pending = 3;
  c.scheduled_retry = 2;
  c.leased = 1;
  c.delivered = 40;
  c.failed_permanently = 4;
  c.endpoints_disabled = 1;
  c.oldest_due_age_ms = 1500;
  document_sources src;
  src.now_ms = now_ms;
  src.outbox = &c;
  parsed d(render_document(sample_rows(jobs), src));
  const json::object o = *d.obj.find("outbox").get_object();
  CHECK(u64(o.find("pending")) == 3);
  CHECK(u64(o.find("scheduled_retry")) == 2);
  CHECK(u64(o.find("leased")) == 1);
  CHECK(u64(o.find("delivered")) == 40);
  CHECK(u64(o.find("failed_permanently")) == 4);
  CHECK(u64(o.find("endpoints_disabled")) == 1);
  CHECK(u64(o.find("oldest_due_age_ms")) == 1500);
}

TEST_CASE("dashboard: the receiver's counters sit beside the rows") {
  jobwire::receiver_counters rc;
  rc.record(jobwire::receiver_decision::process, 1);
  rc.record(jobwire::receiver_decision::duplicate, 1);
  rc.record(jobwire::receiver_decision::reject, 2, jobwire::errc::signature_mismatch);
  parsed d(sample_document(view::receiver, &rc));
  CHECK(str(d.obj.find("view")) == "receiver");
  const json::object r = *d.obj.find("receiver").get_object();
  const json::object dec = *r.find("decisions").get_object();
  CHECK(u64(dec.find("process")) == 1);
  CHECK(u64(dec.find("duplicate")) == 1);
  CHECK(u64(dec.find("reject")) == 1);
  CHECK(u64(dec.find("refetch")) == 0);
  CHECK(u64(r.find("rejections").get_object()->find("signature_mismatch")) == 1);
  CHECK(u64(r.find("retries_seen")) == 1);
}

// --- the receiver's journal ------------------------------------------------------------------

namespace {
receipt_note note(std::string_view job, std::string_view key, unsigned attempt, int http, jobwire::receiver_decision d,
                  std::string_view reason, std::int64_t at) {
  receipt_note n;
  n.job_id = job;
  n.delivery_key = key;
  n.attempt = attempt;
  n.http_status = http;
  n.decision = d;
  n.reason = reason;
  n.at_ms = at;
  return n;
}
using rd = jobwire::receiver_decision;
}  // namespace

TEST_CASE("dashboard: the receiver's journal follows a delivery from failing to exhausted") {
  receiver_journal j;
  j.record(note("job_a", "video.progress:10", 1, 200, rd::process, "applied", now_ms));
  j.set_state("job_a", "running", 12);
  j.record(note("job_a", "video.completed", 1, 503, rd::reject, "handler_failed", now_ms + 1000));
  {
    parsed d(j.render(now_ms + 2000, nullptr));
    const json::object a = d.job("job_a");
    CHECK(str(a.find("health")) == "delivery_failing");
    CHECK(str(a.find("status")) == "running");
    CHECK(*a.find("last_response_status").get_int64() == 503);
    CHECK(str(a.find("last_error_message")) == "answered HTTP 503 (handler_failed)");
    // When the sender must retry by the §12 schedule: 60 s after the refused attempt 1.
    CHECK(str(a.find("next_retry_at")) == jobwire::format_iso8601_ms(now_ms + 1000 + 60000));
    CHECK(str(a.find("last_failure_at")) == jobwire::format_iso8601_ms(now_ms + 1000));
  }
  for (unsigned attempt = 2; attempt <= 4; ++attempt)
    j.record(note("job_a", "video.completed", attempt, 503, rd::reject, "handler_failed", now_ms + attempt * 1000));
  parsed d(j.render(now_ms + 5000, nullptr));
  const json::object a = d.job("job_a");
  CHECK(str(a.find("health")) == "delivery_exhausted");
  CHECK(count(a, "attempted") == 5);
  CHECK(count(a, "delivered") == 1);
  CHECK(count(a, "retried") == 3);
  CHECK(count(a, "rejected") == 4);
  CHECK(count(a, "exhausted_keys") == 1);
  CHECK(a.find("next_retry_at").is_null());
  CHECK(str(a.find("last_attempt_status")) == "failed_permanently");
  const json::object dec = *a.find("decisions").get_object();
  CHECK(u64(dec.find("process")) == 1);
  CHECK(u64(dec.find("reject")) == 4);
  CHECK(j.health().jobs[static_cast<std::size_t>(jobwire::job_health::delivery_exhausted)] == 1);
}

TEST_CASE("dashboard: a retry the receiver accepts makes the job healthy again") {
  receiver_journal j;
  j.record(note("job_b", "video.completed", 1, 503, rd::reject, "handler_failed", now_ms));
  j.record(note("job_b", "video.completed", 2, 200, rd::process, "applied", now_ms + 60000));
  j.record(note("job_b", "video.completed", 1, 200, rd::duplicate, "done", now_ms + 61000));
  j.set_state("job_b", "completed", 100);
  parsed d(j.render(now_ms + 62000, nullptr));
  const json::object b = d.job("job_b");
  CHECK(str(b.find("health")) == "healthy");
  CHECK(count(b, "delivered") == 2);
  CHECK(count(b, "retried") == 1);
  CHECK(count(b, "rejected") == 1);
  CHECK(u64(b.find("decisions").get_object()->find("duplicate")) == 1);
}

TEST_CASE("dashboard: the journal classifies a failed generation and never believes unverified ids") {
  receiver_journal j;
  j.record(note("job_c", "video.failed", 1, 200, rd::process, "applied", now_ms));
  j.set_state("job_c", "failed", 31);
  // A delivery that failed verification: the host passes no job id.
  j.record(note("", "", 1, 401, rd::reject, "signature_mismatch", now_ms));
  parsed d(j.render(now_ms, nullptr));
  CHECK(d.obj.find("jobs").get_array()->size() == 1);
  CHECK(str(d.job("job_c").find("health")) == "generation_failed");
  CHECK(u64(d.obj.find("totals").get_object()->find("unattributed_rejections")) == 1);
}

TEST_CASE("dashboard: the journal is bounded and skips attempts its policy does not have") {
  receiver_journal j(jobwire::default_retry_policy, 2);
  j.record(note("j1", "video.completed", 1, 200, rd::process, "applied", now_ms));
  j.record(note("j2", "video.completed", 5, 200, rd::process, "applied", now_ms));  // attempt 5 of 4
  j.record(note("j3", "video.completed", 1, 200, rd::process, "applied", now_ms));
  j.record(note("j2", "not a key", 1, 200, rd::process, "applied", now_ms));
  parsed d(j.render(now_ms, nullptr));
  CHECK(d.obj.find("jobs").get_array()->size() == 2);
  CHECK(u64(d.obj.find("totals").get_object()->find("untracked_deliveries")) == 1);
  const json::object j2 = d.job("j2");
  CHECK(count(j2, "attempted") == 0);
  CHECK(u64(j2.find("decisions").get_object()->find("process")) == 2);
  CHECK(count(d.job("j1"), "delivered") == 1);
}

// --- the page --------------------------------------------------------------------------------

TEST_CASE("dashboard: the page is one self-contained document") {
  const std::string_view page = page_html;
  REQUIRE(page.substr(0, 15) == "<!DOCTYPE html>");
  CHECK(page.find("</html>") != std::string_view::npos);
  // Nothing external: no URL scheme, no linked or sourced asset.
  for (std::string_view bad : {"http:", "https:", "//cdn", "<link", " src=", "@import", "url("})
    CHECK(page.find(bad) == std::string_view::npos);
  CHECK(page.find("\"dashboard.json\"") != std::string_view::npos);
}

TEST_CASE("dashboard: the page never parses data as markup") {
  const std::string_view page = page_html;
  for (std::string_view bad : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                               "new Function", "DOMParser", "createContextualFragment", "srcdoc"})
    CHECK(page.find(bad) == std::string_view::npos);
  CHECK(page.find("textContent") != std::string_view::npos);
  // One script element: the page's own.
  std::size_t scripts = 0;
  for (std::size_t at = page.find("<script"); at != std::string_view::npos; at = page.find("<script", at + 1))
    ++scripts;
  CHECK(scripts == 1);
}

TEST_CASE("dashboard: the page labels health in words and marks rows for tests and tools") {
  const std::string_view page = page_html;
  for (std::string_view label : {"Healthy", "Delivery failing", "Delivery exhausted", "Generation failed"})
    CHECK(page.find(label) != std::string_view::npos);
  for (std::string_view hook :
       {"data-job-id", "data-health", "data-field", "data-total", "scope=\"col\"", "<caption>", "aria-live"})
    CHECK(page.find(hook) != std::string_view::npos);
  CHECK(page.find("Content-Security-Policy") != std::string_view::npos);
}

TEST_CASE("dashboard: the health gauge for a host's /metrics is monitor.hpp's jobwire_jobs family") {
  const auto jobs = sample_jobs(now_ms);
  const std::string text = health_metrics(health_of(sample_rows(jobs)));
  CHECK(text.rfind("# HELP jobwire_jobs ", 0) == 0);
  CHECK(text.find("# TYPE jobwire_jobs gauge\n") != std::string::npos);
  CHECK(text.find("jobwire_jobs{health=\"healthy\"} 1\n") != std::string::npos);
  CHECK(text.find("jobwire_jobs{health=\"delivery_failing\"} 2\n") != std::string::npos);
  CHECK(text.find("jobwire_jobs{health=\"delivery_exhausted\"} 1\n") != std::string::npos);
  CHECK(text.find("jobwire_jobs{health=\"generation_failed\"} 1\n") != std::string::npos);
  CHECK(text.find("jobwire_sender") == std::string::npos);
}
