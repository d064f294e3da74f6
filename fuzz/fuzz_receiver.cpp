// Fuzz target: the whole receiver pipeline (PROTOCOL.md §13) with the in-memory store.
// Input: one control byte, then the body bytes. The control byte picks
//   bit 0   sign the body correctly (else a fixed forged signature is sent),
//   bit 1   send the metadata headers read from the body's own event id and type,
//   bits 2-4 the job state held locally (none, pending, running 50, each terminal state),
//   bit 5   the handler fails on the first call,
//   bit 6   the headers are the phaseo family (x-phaseo-*), detected by the default `auto`
//           profile (PROTOCOL.md §15); otherwise x-ai-stats-*.
// The delivery is received twice. Invariants: replies are 200/400/401/503 and match the
// decision; the handler runs only after a verified parse and at most once per claim; a
// forged signature is never processed; after a processed delivery the copy is a duplicate;
// after a failing handler the copy is processed again (the claim was released); a
// status_changed delivery never makes a job terminal (§16.1).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <jobwire/receiver.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::int64_t now = 1781166600;
constexpr const char* secret = "whsec_test_123";

std::optional<jobwire::job_state> held_state(unsigned pick) {
  using jobwire::lifecycle_status;
  switch (pick) {
    case 0: return std::nullopt;
    case 1: return jobwire::job_state{lifecycle_status::pending, 0};
    case 2: return jobwire::job_state{lifecycle_status::running, 50};
    case 3: return jobwire::job_state{lifecycle_status::completed, 100};
    case 4: return jobwire::job_state{lifecycle_status::failed, 10};
    case 5: return jobwire::job_state{lifecycle_status::cancelled, 0};
    default: return jobwire::job_state{lifecycle_status::expired, 0};
  }
}

bool reply_matches(const jobwire::receipt& r) {
  using jobwire::receiver_decision;
  switch (r.action) {
    case receiver_decision::reject:
      return (r.http_status == 400 || r.http_status == 401 || r.http_status == 503) && r.error != jobwire::errc::ok;
    case receiver_decision::in_flight: return r.http_status == 503;
    default: return r.http_status == 200;
  }
}

// The event id and type as written in the body, for the metadata headers (a cheap scan:
// a wrong guess only exercises header/body disagreement).
std::string field_text(std::string_view body, std::string_view name) {
  std::string pat = "\"" + std::string(name) + "\":\"";
  auto p = body.find(pat);
  if (p == std::string_view::npos) return {};
  p += pat.size();
  auto e = body.find('"', p);
  if (e == std::string_view::npos || e - p > 200) return {};
  return std::string(body.substr(p, e - p));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned control = data[0];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool signed_ok = (control & 1u) != 0;
  const std::string ts = std::to_string(now);
  const std::string prefix = (control & 64u) != 0 ? "x-phaseo-" : "x-ai-stats-";

  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back(prefix + "timestamp", ts);
  if (signed_ok) {
    auto sig = jobwire::sign(secret, ts, body);
    check(sig.has_value());
    headers.emplace_back(prefix + "signature", sig->to_string());
  } else {
    headers.emplace_back(prefix + "signature", std::string(64, 'a'));
  }
  if ((control & 2u) != 0) {
    headers.emplace_back(prefix + "event-id", field_text(body, "id"));
    headers.emplace_back(prefix + "event-type", field_text(body, "type"));
  }

  static jobwire::verifier v = *jobwire::verifier::create({secret});
  // A small store: the default one (65,536 entries) costs more to build than the input.
  jobwire::memory_dedup_options so;
  so.capacity = 64;
  so.shards = 2;
  jobwire::memory_dedup_store store(so);
  const std::optional<jobwire::job_state> held = held_state((control >> 2) & 7u);
  bool fail_first = (control & 32u) != 0;
  int handler_calls = 0;
  auto load = [&](std::string_view) { return held; };
  auto handler = [&](const jobwire::envelope_view& e, const jobwire::reconcile_decision& d,
                     const jobwire::dedup_key& key) -> jobwire::void_result {
    ++handler_calls;
    check(d.action == jobwire::reconcile_action::apply || d.action == jobwire::reconcile_action::refetch);
    check(!e.id.empty() && !key.encoded().empty());
    if (e.type.phase == jobwire::phase::status_changed) {
      check(e.status_change.present);
      if (d.action == jobwire::reconcile_action::apply) check(!jobwire::is_terminal(d.next.lifecycle));
    }
    if (fail_first) {
      fail_first = false;
      return jobwire::errc::handler_failed;
    }
    return {};
  };
  const jobwire::dedup_time t{std::chrono::seconds{now}};

  const jobwire::receipt first = jobwire::receive_delivery(body, headers, v, store, t, load, handler);
  check(reply_matches(first));
  if (!signed_ok) check(first.action == jobwire::receiver_decision::reject && first.http_status == 401);
  if (first.action == jobwire::receiver_decision::reject && first.error != jobwire::errc::handler_failed)
    check(handler_calls == 0);
  check(handler_calls <= 1);

  const int calls_before = handler_calls;
  const jobwire::receipt second = jobwire::receive_delivery(body, headers, v, store, t, load, handler);
  check(reply_matches(second));
  switch (first.action) {
    case jobwire::receiver_decision::process:
    case jobwire::receiver_decision::no_change:
    case jobwire::receiver_decision::ignore_stale:
      check(second.action == jobwire::receiver_decision::duplicate && handler_calls == calls_before);
      break;
    case jobwire::receiver_decision::refetch:
      check(second.action == jobwire::receiver_decision::refetch);  // released, same held state
      break;
    case jobwire::receiver_decision::reject:
      if (first.error == jobwire::errc::handler_failed) check(second.action != jobwire::receiver_decision::reject);
      else check(second.action == jobwire::receiver_decision::reject && second.error == first.error);
      break;
    default: check(false);
  }
  return 0;
}
