// Monitoring (monitor.hpp): health classification, counters, Prometheus exposition
// (PROTOCOL.md §14).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <jobwire/ledger.hpp>
#include <jobwire/monitor.hpp>

using namespace jobwire;

namespace {

// --- a strict checker for the Prometheus text format 0.0.4 ------------------------------------
//
// Parses every line by the exposition grammar and enforces what a scraper relies on:
//   comment lines: `# HELP name text` (text escapes only \\ and \n), `# TYPE name type`
//   (counter|gauge|histogram|summary|untyped), other `# ...` comments;
//   sample lines: name [ `{` label="value" (`,` label="value")* [`,`] `}` ] SP value [SP timestamp]
//   with metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* not
//   starting with `__`, label values escaping only \\ \" \n, values as Go's ParseFloat
//   accepts them (decimal/exponent, NaN, +Inf, -Inf), an optional integer timestamp;
//   at most one HELP and exactly one TYPE per family, TYPE before the family's first sample,
//   a family's samples contiguous, no duplicate series, no duplicate label in a sample,
//   every line ends with '\n', no empty lines. jobwire's own rules on top: every sample
//   belongs to a TYPEd family, names start with `jobwire_`, counters end in `_total` and are
//   never negative.
struct exposition {
  std::map<std::string, std::string> types;  // family → type
  std::map<std::string, std::string> help;   // family → unescaped help
  std::map<std::string, double> series;      // canonical series → value
  std::vector<std::string> errors;
};

bool metric_name_ok(const std::string& n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool a = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!(a || (i && c >= '0' && c <= '9'))) return false;
  }
  return true;
}
bool label_name_ok(const std::string& n) {
  if (n.empty() || n.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool a = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(a || (i && c >= '0' && c <= '9'))) return false;
  }
  return true;
}
bool parse_float(const std::string& t, double& out) {
  if (t == "NaN") {
    out = 0;
    return true;
  }
  if (t == "+Inf" || t == "-Inf") {
    out = t[0] == '+' ? 1e308 : -1e308;
    return true;
  }
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    std::size_t ed = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++ed;
    if (ed == 0) return false;
  }
  if (i != t.size()) return false;
  out = std::stod(t);
  return true;
}

exposition check_exposition(const std::string& text) {
  exposition ex;
  auto fail = [&](std::size_t line_no, const std::string& why) {
    ex.errors.push_back("line " + std::to_string(line_no) + ": " + why);
  };
  if (!text.empty() && text.back() != '\n') fail(0, "text does not end with a newline");
  std::set<std::string> families_with_samples;
  std::string current_family;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) {
      fail(line_no, "empty line");
      continue;
    }
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        const bool is_help = line[2] == 'H';
        std::string rest = line.substr(7);
        std::size_t sp = rest.find(' ');
        std::string name = rest.substr(0, sp);
        std::string arg = sp == std::string::npos ? "" : rest.substr(sp + 1);
        if (!metric_name_ok(name)) fail(line_no, "bad family name '" + name + "'");
        if (is_help) {
          if (ex.help.count(name)) fail(line_no, "second HELP for " + name);
          std::string un;
          for (std::size_t i = 0; i < arg.size(); ++i) {
            if (arg[i] != '\\') {
              un += arg[i];
              continue;
            }
            if (i + 1 >= arg.size()) fail(line_no, "dangling backslash in HELP");
            else if (arg[i + 1] == '\\') un += '\\';
            else if (arg[i + 1] == 'n') un += '\n';
            else fail(line_no, "bad escape in HELP");
            ++i;
          }
          ex.help[name] = un;
        } else {
          if (ex.types.count(name)) fail(line_no, "second TYPE for " + name);
          if (families_with_samples.count(name)) fail(line_no, "TYPE after samples of " + name);
          static const std::set<std::string> kinds = {"counter", "gauge", "histogram", "summary", "untyped"};
          if (!kinds.count(arg)) fail(line_no, "bad type '" + arg + "'");
          ex.types[name] = arg;
        }
      }
      continue;
    }
    // A sample.
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!metric_name_ok(name)) fail(line_no, "bad metric name '" + name + "'");
    std::map<std::string, std::string> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      for (;;) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) {
          fail(line_no, "label without '='");
          break;
        }
        std::string lname = line.substr(i, eq - i);
        if (!label_name_ok(lname)) fail(line_no, "bad label name '" + lname + "'");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          fail(line_no, "label value not quoted");
          break;
        }
        ++i;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= line.size()) break;
            char e = line[i++];
            if (e == '\\') value += '\\';
            else if (e == '"') value += '"';
            else if (e == 'n') value += '\n';
            else fail(line_no, "bad escape in label value");
          } else {
            value += c;
          }
        }
        if (!closed) {
          fail(line_no, "unterminated label value");
          break;
        }
        if (!labels.emplace(lname, value).second) fail(line_no, "label repeated: " + lname);
        if (i < line.size() && line[i] == ',') ++i;
        else if (i >= line.size() || line[i] != '}') {
          fail(line_no, "expected ',' or '}'");
          break;
        }
      }
    }
    if (i >= line.size() || line[i] != ' ') {
      fail(line_no, "missing space before value");
      continue;
    }
    std::string rest = line.substr(i + 1);
    std::string value_text = rest.substr(0, rest.find(' '));
    double value = 0;
    if (!parse_float(value_text, value)) fail(line_no, "bad value '" + value_text + "'");
    if (rest.find(' ') != std::string::npos) {
      std::string ts = rest.substr(rest.find(' ') + 1);
      std::size_t k = ts[0] == '-' ? 1 : 0;
      if (k == ts.size() || ts.find_first_not_of("0123456789", k) != std::string::npos)
        fail(line_no, "bad timestamp '" + ts + "'");
    }
    // Family bookkeeping (jobwire exposes only counters and gauges, sample name = family).
    if (!ex.types.count(name)) fail(line_no, "sample of untyped family " + name);
    if (name != current_family) {
      if (families_with_samples.count(name)) fail(line_no, "samples of " + name + " are not contiguous");
      current_family = name;
    }
    families_with_samples.insert(name);
    if (name.rfind("jobwire_", 0) != 0) fail(line_no, "name without jobwire_ prefix");
    if (ex.types[name] == "counter") {
      if (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0) fail(line_no, "counter without _total");
      if (value < 0) fail(line_no, "negative counter");
    }
    std::string key = name + "{";
    for (const auto& l : labels) key += l.first + "=" + l.second + ",";
    key += "}";
    if (!ex.series.emplace(key, value).second) fail(line_no, "duplicate series " + key);
  }
  for (const auto& t : ex.types)
    if (!ex.help.count(t.first)) ex.errors.push_back("family without HELP: " + t.first);
  return ex;
}

void require_valid(const exposition& ex) {
  for (const auto& e : ex.errors) FAIL_CHECK(e);
  CHECK(ex.errors.empty());
}

constexpr std::int64_t T = 1781166600LL * 1000;

attempt_record rec(const std::string& id, const std::string& key, unsigned attempt, attempt_outcome o,
                   std::int64_t at) {
  auto d = decide_attempt(default_retry_policy, attempt, o, at);
  REQUIRE(d);
  attempt_report r;
  r.id = id;
  r.delivery_key = key;
  const std::string type = key.substr(0, key.find(':'));
  r.event_type = type;
  r.outcome = o;
  r.tried_at_ms = at;
  auto x = make_attempt_record(r, *d);
  REQUIRE(x);
  return *x;
}

}  // namespace

TEST_CASE("the strict checker itself rejects malformed expositions") {
  require_valid(
      check_exposition("# HELP jobwire_x_total A \\\\ b\\n.\n# TYPE jobwire_x_total counter\n"
                       "jobwire_x_total{a=\"q\\\"\\\\\\n\",b=\"\"} 1.5e3 1700000000\njobwire_x_total 0\n"));
  const char* bad[] = {
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total 1",      // no final newline
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\n\njobwire_x_total 1\n",  // empty line
      "# HELP jobwire_x_total h\njobwire_x_total 1\n# TYPE jobwire_x_total counter\n",    // TYPE after sample
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\n# TYPE jobwire_x_total counter\njobwire_x_total 1\n",
      "# HELP jobwire_x h\n# TYPE jobwire_x counter\njobwire_x 1\n",  // counter without _total
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total 1\njobwire_x_total 2\n",  // dup
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total{a=\"1\",a=\"2\"} 1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total{a=\"\\t\"} 1\n",  // bad escape
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total{a=\"x} 1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total{__a=\"x\"} 1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total{1a=\"x\"} 1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total 1,5\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total -1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total  1\n",
      "# HELP jobwire_x_total h\n# TYPE jobwire_x_total counter\njobwire_x_total 1 12a\n",
      ("# HELP jobwire_g h\n# TYPE jobwire_g gauge\njobwire_g 1\n# HELP jobwire_h h\n# TYPE jobwire_h gauge\n"
       "jobwire_h 1\njobwire_g{a=\"b\"} 2\n"),                            // not contiguous
      "jobwire_x_total 1\n",                                              // no TYPE
      "# HELP jobwire_g bad \\t\n# TYPE jobwire_g gauge\njobwire_g 1\n",  // bad HELP escape
      "# HELP jobwire_g h\n# TYPE jobwire_g histo\njobwire_g 1\n",        // bad type
      "# HELP other_g h\n# TYPE other_g gauge\nother_g 1\n",              // prefix
      "# HELP jobwire-g h\n# TYPE jobwire-g gauge\njobwire-g 1\n",        // bad name
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(check_exposition(text).errors.empty());
  }
}

TEST_CASE("health classification table and precedence") {
  struct row {
    const char* status;
    std::size_t pending, exhausted;
    std::optional<attempt_status> last;
    job_health want;
  };
  const auto D = attempt_status::delivered, R = attempt_status::scheduled_retry, F = attempt_status::failed_permanently;
  const row table[] = {
      {"completed", 0, 0, D, job_health::healthy},
      {"completed", 0, 0, std::nullopt, job_health::healthy},  // nothing sent yet
      {"processing", 0, 0, D, job_health::healthy},
      {"running", 0, 0, std::nullopt, job_health::healthy},
      {"queued", 0, 0, std::nullopt, job_health::healthy},
      {"pending", 0, 0, D, job_health::healthy},
      {"completed", 1, 0, R, job_health::delivery_failing},
      {"completed", 1, 0, D, job_health::delivery_failing},  // another key delivered since
      {"processing", 0, 0, R, job_health::delivery_failing},
      {"completed", 0, 1, F, job_health::delivery_exhausted},
      {"completed", 2, 1, R, job_health::delivery_exhausted},  // exhausted beats failing
      {"completed", 0, 1, D, job_health::delivery_exhausted},
      {"failed", 0, 0, D, job_health::generation_failed},
      {"failed", 0, 1, F, job_health::generation_failed},  // generation beats delivery
      {"failed", 3, 0, R, job_health::generation_failed},
      {"expired", 0, 0, std::nullopt, job_health::generation_failed},
      {"cancelled", 1, 0, R, job_health::generation_failed},
  };
  for (const auto& r : table) {
    INFO(r.status << " pending=" << r.pending << " exhausted=" << r.exhausted);
    delivery_signals d;
    d.pending_retries = r.pending;
    d.exhausted_keys = r.exhausted;
    d.last_attempt_status = r.last;
    auto h = classify_job_health(r.status, d);
    REQUIRE(h);
    CHECK(*h == r.want);
  }
  CHECK(classify_job_health("canceled", delivery_signals{}).code() == errc::unknown_status);
  CHECK(classify_job_health("Completed", delivery_signals{}).code() == errc::unknown_status);
  CHECK(classify_job_health("", delivery_signals{}).code() == errc::unknown_status);
  CHECK(job_health_name(job_health::delivery_exhausted) == "delivery_exhausted");
}

TEST_CASE("health from a ledger and from a parsed webhook block") {
  attempt_ledger L;
  L.append(rec("a1", "video.created", 1, attempt_outcome::http(200), T));
  CHECK(*classify_job_health("processing", delivery_signals_of(L)) == job_health::healthy);
  L.append(rec("a2", "video.completed", 1, attempt_outcome::http(500), T + 1000));
  auto sig = delivery_signals_of(L);
  CHECK(sig.pending_retries == 1);
  CHECK(*classify_job_health("completed", sig) == job_health::delivery_failing);
  for (unsigned n = 2; n <= 4; ++n)
    L.append(rec("a" + std::to_string(n + 1), "video.completed", n, attempt_outcome::timed_out(), T + n * 1000000));
  sig = delivery_signals_of(L);
  CHECK(sig.exhausted_keys == 1);
  CHECK(sig.pending_retries == 0);
  CHECK(*classify_job_health("completed", sig) == job_health::delivery_exhausted);
  CHECK(*classify_job_health("failed", sig) == job_health::generation_failed);

  // What a dashboard sees: the serialised block, parsed back.
  auto block = parse_webhook_delivery(serialize_webhook_delivery(L));
  REQUIRE(block);
  auto from_block = delivery_signals_of(*block);
  CHECK(from_block.exhausted_keys == 1);
  CHECK(*classify_job_health("completed", from_block) == job_health::delivery_exhausted);
  // A forced resend that succeeds heals the job.
  L.append(rec("a6", "video.completed", 1, attempt_outcome::http(200), T + 9000000));
  CHECK(*classify_job_health("completed", delivery_signals_of(L)) == job_health::healthy);
  block = parse_webhook_delivery(serialize_webhook_delivery(L));
  REQUIRE(block);
  CHECK(*classify_job_health("completed", delivery_signals_of(*block)) == job_health::healthy);
}

TEST_CASE("sender and receiver counters") {
  sender_counters c;
  auto count = [&](unsigned attempt, attempt_outcome o) {
    auto d = decide_attempt(default_retry_policy, attempt, o, T);
    REQUIRE(d);
    c.record_attempt(o, *d);
  };
  count(1, attempt_outcome::http(503));
  count(2, attempt_outcome::timed_out());
  count(3, attempt_outcome::network_failure());
  count(4, attempt_outcome::http(404));
  count(1, attempt_outcome::http(201));
  count(1, attempt_outcome::http(302));
  count(1, attempt_outcome::http(101));
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::server_error)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::client_error)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::success)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::redirect)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::informational)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::timeout)] == 1);
  CHECK(c.attempts_by_outcome[static_cast<int>(outcome_class::network_error)] == 1);
  CHECK(c.attempts_by_status[static_cast<int>(attempt_status::scheduled_retry)] == 5);
  CHECK(c.attempts_by_status[static_cast<int>(attempt_status::failed_permanently)] == 1);
  CHECK(c.attempts_by_status[static_cast<int>(attempt_status::delivered)] == 1);
  CHECK(c.retries_sent == 3);
  c.record_send_check(check_send(key_state::delivered), false);
  c.record_send_check(check_send(key_state::queued_for_retry), false);
  c.record_send_check(check_send(key_state::failed_permanently), true);
  c.record_send_check(check_send(key_state::never_sent), false);
  CHECK(c.sends_refused[0] == 1);
  CHECK(c.sends_refused[1] == 1);
  CHECK(c.sends_refused[2] == 0);
  CHECK(c.forced_sends == 1);

  receiver_counters r;
  r.record(receiver_decision::process, 1);
  r.record(receiver_decision::process, 2);
  r.record(receiver_decision::duplicate, 2);
  r.record(receiver_decision::reject, 1, errc::signature_mismatch);
  r.record(receiver_decision::reject, 3, errc::signature_mismatch);
  r.record(receiver_decision::reject, 0, errc::timestamp_too_old);
  r.record(receiver_decision::in_flight);
  CHECK(r.count(receiver_decision::process) == 2);
  CHECK(r.count(receiver_decision::reject) == 3);
  CHECK(r.rejected_for(errc::signature_mismatch) == 2);
  CHECK(r.rejected_for(errc::timestamp_too_old) == 1);
  CHECK(r.rejected_for(errc::malformed_signature) == 0);
  CHECK(r.retries_seen == 3);

  // Every code has a distinct dense index and maps back.
  for (std::size_t i = 0; i < error_code_count; ++i) CHECK(error_index(error_at_index(i)) == i);
  CHECK(error_index(errc::ok) == 0);
}

TEST_CASE("the atomic variants count correctly from several threads") {
  atomic_sender_counters s;
  atomic_receiver_counters r;
  auto d = decide_attempt(default_retry_policy, 2, attempt_outcome::http(500), T);
  REQUIRE(d);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        s.record_attempt(attempt_outcome::http(500), *d);
        r.record(receiver_decision::reject, 2, errc::signature_mismatch);
      }
    });
  for (auto& t : threads) t.join();
  sender_counters snap = s.snapshot();
  CHECK(snap.attempts_by_outcome[static_cast<int>(outcome_class::server_error)] == 40000);
  CHECK(snap.retries_sent == 40000);
  receiver_counters rs = r.snapshot();
  CHECK(rs.count(receiver_decision::reject) == 40000);
  CHECK(rs.rejected_for(errc::signature_mismatch) == 40000);
  CHECK(rs.retries_seen == 40000);
}

TEST_CASE("the Prometheus exposition passes the strict format check and carries the counts") {
  sender_counters s;
  auto d = decide_attempt(default_retry_policy, 1, attempt_outcome::http(503), T);
  REQUIRE(d);
  s.record_attempt(attempt_outcome::http(503), *d);
  s.record_send_check(check_send(key_state::delivered), false);
  receiver_counters r;
  r.record(receiver_decision::process, 2);
  r.record(receiver_decision::reject, 1, errc::signature_mismatch);
  health_counts h;
  h.add(job_health::healthy, 7);
  h.add(job_health::delivery_exhausted);

  // A constant label whose value needs every escape the format has.
  const metric_label consts[] = {{"service", "gate\"way\\eu\nwest"}, {"profile", "ai_stats"}};
  exposition_sources src;
  src.sender = &s;
  src.receiver = &r;
  src.health = &h;
  src.const_labels = consts;
  src.const_label_count = 2;
  std::string text;
  REQUIRE(append_prometheus_text(text, src));
  INFO(text);
  exposition ex = check_exposition(text);
  require_valid(ex);
  CHECK(text.find(R"(service="gate\"way\\eu\nwest")") != std::string::npos);

  // Series keys list labels sorted by name.
  const std::string cp = "profile=ai_stats,", cs = "service=gate\"way\\eu\nwest,", c = cp + cs;
  CHECK(ex.types.at("jobwire_sender_attempts_total") == "counter");
  CHECK(ex.types.at("jobwire_jobs") == "gauge");
  CHECK(ex.series.at("jobwire_sender_attempts_total{outcome=5xx," + c + "}") == 1);
  CHECK(ex.series.at("jobwire_sender_attempts_total{outcome=2xx," + c + "}") == 0);
  CHECK(ex.series.at("jobwire_sender_attempt_results_total{" + c + "status=scheduled_retry,}") == 1);
  CHECK(ex.series.at("jobwire_sender_sends_refused_total{" + cp + "reason=already_delivered," + cs + "}") == 1);
  CHECK(ex.series.at("jobwire_sender_retries_sent_total{" + c + "}") == 0);
  CHECK(ex.series.at("jobwire_receiver_deliveries_total{action=process," + c + "}") == 1);
  CHECK(ex.series.at("jobwire_receiver_deliveries_total{action=reject," + c + "}") == 1);
  CHECK(ex.series.at("jobwire_receiver_rejections_total{" + cp + "reason=signature_mismatch," + cs + "}") == 1);
  CHECK(ex.series.count("jobwire_receiver_rejections_total{" + cp + "reason=timestamp_too_old," + cs + "}") == 0);
  CHECK(ex.series.at("jobwire_receiver_retries_seen_total{" + c + "}") == 1);
  CHECK(ex.series.at("jobwire_jobs{health=healthy," + c + "}") == 7);
  CHECK(ex.series.at("jobwire_jobs{health=delivery_exhausted," + c + "}") == 1);
  CHECK(ex.types.size() == 9);

  // Without constant labels, and with only some sources.
  std::string plain;
  exposition_sources only_receiver;
  only_receiver.receiver = &r;
  REQUIRE(append_prometheus_text(plain, only_receiver));
  exposition ex2 = check_exposition(plain);
  require_valid(ex2);
  CHECK(ex2.series.at("jobwire_receiver_retries_seen_total{}") == 1);
  CHECK(ex2.types.count("jobwire_sender_attempts_total") == 0);
  std::string empty;
  REQUIRE(append_prometheus_text(empty, exposition_sources{}));
  CHECK(empty.empty());

  // Bad constant labels are refused and nothing is written.
  for (metric_label bad : {metric_label{"__name", "x"}, metric_label{"1x", "x"}, metric_label{"", "x"},
                           metric_label{"reason", "x"}, metric_label{"a-b", "x"}}) {
    INFO(bad.name);
    std::string out;
    exposition_sources b = src;
    b.const_labels = &bad;
    b.const_label_count = 1;
    CHECK(append_prometheus_text(out, b).code() == errc::invalid_metric_name);
    CHECK(out.empty());
  }
  const metric_label twice[] = {{"a", "1"}, {"a", "2"}};
  exposition_sources b = src;
  b.const_labels = twice;
  b.const_label_count = 2;
  std::string out;
  CHECK(append_prometheus_text(out, b).code() == errc::invalid_metric_name);
  CHECK(prometheus_content_type == "text/plain; version=0.0.4; charset=utf-8");
}
