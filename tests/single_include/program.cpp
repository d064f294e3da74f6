// A program built from the single header alone (single_include/jobwire/jobwire.hpp, copied
// next to this file by run_program.sh, with no access to include/): a sender builds and
// signs a delivery, a verifier checks it and refuses a forged copy, and the receiver
// pipeline processes it once over the in-memory store and answers the copy as a
// duplicate. With JOBWIRE_SINGLE_SQLITE the same delivery also goes through the SQLite
// store adapter (jobwire/stores/sqlite.hpp, the separate header that uses the single one).
#include "jobwire/jobwire.hpp"
#ifdef JOBWIRE_SINGLE_SQLITE
#  include "jobwire/stores/sqlite.hpp"
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

constexpr std::int64_t now_seconds = 1781166600;
constexpr std::string_view secret = "whsec_single_header_secret";

template <class Store>
void receive_twice(Store& store, const jobwire::delivery& d, const jobwire::verifier& secrets, const char* name) {
  int side_effects = 0;
  const jobwire::dedup_time now{std::chrono::seconds{now_seconds}};
  // The host knows the job (created, not finished): the completed event applies.
  auto load = [](std::string_view) { return std::optional<jobwire::job_state>{jobwire::job_state{}}; };
  auto handle = [&](const jobwire::envelope_view&, const jobwire::reconcile_decision&,
                    const jobwire::dedup_key&) -> jobwire::void_result {
    ++side_effects;
    return {};
  };
  const jobwire::header_list headers = d.headers();
  jobwire::receipt first = jobwire::receive_delivery(d.body(), headers, secrets, store, now, load, handle);
  jobwire::receipt again = jobwire::receive_delivery(d.body(), headers, secrets, store, now, load, handle);
  std::printf("%s store: %s %d, then %s %d; side effects: %d\n", name,
              jobwire::receiver_decision_name(first.action).data(), first.http_status,
              jobwire::receiver_decision_name(again.action).data(), again.http_status, side_effects);
  check(first.action == jobwire::receiver_decision::process && first.http_status == 200, "first delivery processed");
  check(first.job_id == "G-single-1", "receipt names the job");
  check(again.action == jobwire::receiver_decision::duplicate && again.http_status == 200, "copy is a duplicate");
  check(side_effects == 1, "one side effect");
}

}  // namespace

int main() {
  auto sender = jobwire::delivery_sender::create(secret);
  check(sender.has_value(), "sender created");
  if (!sender) return 1;
  jobwire::delivery_event ev;
  ev.kind = jobwire::kind::video;
  ev.job_id = "G-single-1";
  ev.internal_id = "job_42";
  ev.phase = jobwire::phase::completed;
  ev.data = R"({"object":"video","status":"completed"})";
  auto built = sender->build(ev, now_seconds);
  check(built.has_value(), "delivery built");
  if (!built) return 1;
  check(built->is_signed() && !built->header("signature").empty(), "delivery signed");

  auto secrets = jobwire::verifier::create({secret});
  check(secrets.has_value(), "verifier created");
  if (!secrets) return 1;
  const jobwire::header_list headers = built->headers();
  auto verified = jobwire::verify_delivery(built->body(), headers, *secrets, now_seconds);
  check(verified.has_value(), "signed delivery verifies");
  if (verified) check(verified->envelope.data.id.str() == "G-single-1", "verified envelope names the job");

  // The same bytes with one character of the body changed: the signature no longer matches.
  std::string forged(built->body());
  forged[forged.find("completed\"}")] = 'C';
  auto refused = jobwire::verify_delivery(forged, headers, *secrets, now_seconds);
  check(!refused && refused.code() == jobwire::errc::signature_mismatch, "forged body refused as signature_mismatch");
  if (!refused) std::printf("forged: %s\n", jobwire::error_name(refused.code()).data());

  jobwire::memory_dedup_store memory;
  receive_twice(memory, *built, *secrets, "memory");
#ifdef JOBWIRE_SINGLE_SQLITE
  auto sqlite = jobwire::sqlite_dedup_store::open(":memory:");
  check(sqlite.has_value(), "sqlite store opened");
  if (sqlite) receive_twice(*sqlite, *built, *secrets, "sqlite");
#endif

  std::printf("jobwire %s single header: %s\n", jobwire::version(), failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
