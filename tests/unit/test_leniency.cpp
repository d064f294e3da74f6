// The opt-in leniencies (leniency.hpp, docs/SECURITY.md "Leniencies"): each flag relaxes
// exactly its one behaviour, wherever the flag set is given, and nothing is lenient by
// default.
#include <jobwire/callback_url.hpp>
#include <jobwire/dedup.hpp>
#include <jobwire/job.hpp>
#include <jobwire/json.hpp>
#include <jobwire/leniency.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/receiver.hpp>
#include <jobwire/verify.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "receiver_support.hpp"

using namespace jobwire;
using receiver_test::t0;

namespace {

// One delivery per verification-level leniency, each refused under the strict defaults
// for that one reason.
struct deliveries {
  receiver_test::delivery ms_timestamp;    // signed over a 13-digit millisecond timestamp
  receiver_test::delivery unsigned_one;    // no signature header at all
  receiver_test::delivery unknown_status;  // data.status "rendering", correctly signed

  deliveries() {
    receiver_test::delivery_spec s;
    s.job = "G-ms";
    ms_timestamp = receiver_test::make_delivery(s);
    const std::string ts_ms = std::to_string(t0) + "000";
    for (auto& h : ms_timestamp.headers) {
      if (h.first == "X-AI-Stats-Timestamp") h.second = ts_ms;
      if (h.first == "X-AI-Stats-Signature")
        h.second = sign(receiver_test::secret, ts_ms, ms_timestamp.body)->to_string();
    }
    s.job = "G-unsigned";
    unsigned_one = receiver_test::make_delivery(s);
    receiver_test::header_list kept;
    for (auto& h : unsigned_one.headers)
      if (h.first != "X-AI-Stats-Signature" && h.first != "X-AI-Stats-Timestamp") kept.push_back(h);
    unsigned_one.headers = kept;
    s.job = "G-unknown";
    s.status = "rendering";
    unknown_status = receiver_test::make_delivery(s);
  }
};

verifier keyed() {
  const std::string_view k[] = {receiver_test::secret};
  return *verifier::create(k, 1);
}

struct probe {
  lenient flag;
  const char* what;
  std::function<bool(lenient)> accepted;
};

// Every behaviour a leniency relaxes, each given the whole flag set under test.
std::vector<probe> probes() {
  static const deliveries d;
  static const verifier with_key = keyed();
  static const verifier without_key;
  auto verified = [](const receiver_test::delivery& del, const verifier& v, lenient set) {
    verify_options o;
    o.leniency = set;
    return verify_delivery(del.body, del.headers, v, t0, o).has_value();
  };
  return {
      {lenient::duplicate_keys, "json: a repeated name",
       [](lenient set) {
         json::options o;
         o.leniency = set;
         return json::validate(R"({"a":1,"a":2})", o).has_value();
       }},
      {lenient::unknown_status, "vocabulary: an unknown status word",
       [](lenient set) { return parse_job_status("rendering", set).has_value(); }},
      {lenient::unknown_status, "payload: an unknown status word",
       [](lenient set) {
         payload_options o;
         o.leniency = set;
         return parse_status_object(R"({"id":"G-1","status":"rendering"})", o).has_value();
       }},
      {lenient::inconsistent_status, "payload: status and lifecycle_status contradict",
       [](lenient set) {
         payload_options o;
         o.leniency = set;
         return parse_status_object(R"({"id":"G-1","status":"completed","lifecycle_status":"failed"})", o).has_value();
       }},
      {lenient::sdk_timestamps, "verify: a millisecond timestamp",
       [=](lenient set) { return verified(d.ms_timestamp, with_key, set); }},
      {lenient::unsigned_deliveries, "verify: an unsigned delivery, no secret configured",
       [=](lenient set) { return verified(d.unsigned_one, without_key, set); }},
      {lenient::unknown_status, "verify: an unknown status word in the envelope",
       [=](lenient set) { return verified(d.unknown_status, with_key, set); }},
      {lenient::local_callback_urls, "callback URL: http://localhost",
       [](lenient set) {
         callback_url_options o;
         o.leniency = set;
         return check_callback_url("http://localhost:3000/hook", o).has_value();
       }},
  };
}

lenient all_set() {
  lenient all = lenient::none;
  for (lenient f : all_leniencies) all |= f;
  return all;
}

}  // namespace

TEST_CASE("leniency: the flag set's operators and names") {
  CHECK(json::options{}.leniency == lenient::none);
  CHECK(payload_options{}.leniency == lenient::none);
  CHECK(verify_options{}.leniency == lenient::none);
  CHECK(receiver_options{}.leniency == lenient::none);
  CHECK(callback_url_options{}.leniency == lenient::none);

  lenient s = lenient::duplicate_keys | lenient::sdk_timestamps;
  CHECK(allows(s, lenient::duplicate_keys));
  CHECK(allows(s, lenient::sdk_timestamps));
  CHECK_FALSE(allows(s, lenient::unknown_status));
  CHECK(allows(s, lenient::duplicate_keys | lenient::sdk_timestamps));
  CHECK_FALSE(allows(s, lenient::duplicate_keys | lenient::unknown_status));  // every bit asked for
  CHECK_FALSE(allows(s, lenient::none));                                      // "none" is never a permission
  s &= ~lenient::duplicate_keys;
  CHECK(s == lenient::sdk_timestamps);

  std::set<std::string_view> names;
  std::uint32_t bits = 0;
  for (lenient f : all_leniencies) {
    const auto v = static_cast<std::uint32_t>(f);
    INFO(lenient_name(f));
    CHECK(v != 0);
    CHECK((v & (v - 1)) == 0);  // one bit each
    CHECK((bits & v) == 0);     // distinct
    bits |= v;
    CHECK_FALSE(lenient_name(f).empty());
    CHECK(names.insert(lenient_name(f)).second);
  }
  CHECK(lenient_name(lenient::none).empty());
  CHECK(lenient_name(lenient::duplicate_keys | lenient::unknown_status).empty());
}

TEST_CASE("leniency: each flag relaxes exactly its own behaviour") {
  const std::vector<probe> ps = probes();
  // Every flag has at least one behaviour it relaxes.
  for (lenient f : all_leniencies) {
    bool covered = false;
    for (const probe& p : ps) covered = covered || p.flag == f;
    INFO(lenient_name(f));
    CHECK(covered);
  }
  std::vector<lenient> sets = {lenient::none, all_set()};
  for (lenient f : all_leniencies) {
    sets.push_back(f);
    sets.push_back(all_set() & ~f);  // everything but this one
  }
  for (lenient set : sets) {
    for (const probe& p : ps) {
      INFO("set " << static_cast<std::uint32_t>(set) << ", probe " << p.what);
      CHECK(p.accepted(set) == allows(set, p.flag));
    }
  }
}

TEST_CASE("leniency: payloads refuse duplicate keys whatever the flags say") {
  payload_options o;
  o.leniency = all_set();
  o.json.leniency = all_set();
  const std::string body = R"({"id":"G-1","status":"queued","id":"G-2"})";
  CHECK(parse_status_object(body, o).code() == errc::json_duplicate_key);
  // The same text is valid JSON for the reader under the flag.
  CHECK(json::validate(body, o.json));
}

TEST_CASE("leniency: the receiver reads its own set, not verify.leniency") {
  static const deliveries d;
  const verifier with_key = keyed();
  const verifier without_key;
  // Room for every key whatever capacity the build compiled in (tiny limits: 2 a shard).
  memory_dedup_options room;
  room.capacity = 16 * 16;
  memory_dedup_store store{room};
  auto load = [](std::string_view) { return std::optional<job_state>(); };
  auto handler = [](const envelope_view&, const reconcile_decision&, const dedup_key&) -> void_result { return {}; };
  struct case_ {
    lenient flag;
    const receiver_test::delivery* del;
    const verifier* v;
    errc strict;
  };
  const case_ cases[] = {
      {lenient::sdk_timestamps, &d.ms_timestamp, &with_key, errc::malformed_timestamp},
      {lenient::unsigned_deliveries, &d.unsigned_one, &without_key, errc::unsigned_not_allowed},
      {lenient::unknown_status, &d.unknown_status, &with_key, errc::unknown_status},
  };
  for (const case_& c : cases) {
    INFO(lenient_name(c.flag));
    receiver_options opt;
    opt.verify.leniency = all_set();  // replaced by opt.leniency
    const receipt refused =
        receive_delivery(c.del->body, c.del->headers, *c.v, store, receiver_test::at(t0), load, handler, opt);
    CHECK(refused.error == c.strict);
    CHECK(refused.action == receiver_decision::reject);
    opt.leniency = all_set() & ~c.flag;
    CHECK(receive_delivery(c.del->body, c.del->headers, *c.v, store, receiver_test::at(t0), load, handler, opt).error ==
          c.strict);
    opt.leniency = c.flag;
    const receipt taken =
        receive_delivery(c.del->body, c.del->headers, *c.v, store, receiver_test::at(t0), load, handler, opt);
    CHECK(taken.error == errc::ok);
    CHECK(taken.acknowledged());
  }
}
