// Fuzz target: the outbox row payload (jobwire/outbox_delivery.hpp, PROTOCOL.md §12,
// §16.7). The input is a payload as a worker leases it from the store, written by any host.
// Checked for every input:
//   - a refusal names its error in the problem too, and is one of the reader's codes (JSON
//     errors, json_type_mismatch, invalid_field, missing_field, unknown_kind, unknown_phase);
//   - an accepted payload writes back to a payload that reads to the same message (every
//     member, `data` byte for byte);
//   - the delivery built from it (attempt 1) carries the delivery key the worker compares
//     with the row's, or fails with an error, never a crash.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <jobwire/outbox_delivery.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool reader_error(jobwire::errc c) {
  const int id = static_cast<int>(c);
  return (id >= 100 && id < 200) || c == jobwire::errc::invalid_field || c == jobwire::errc::missing_field ||
         c == jobwire::errc::unknown_kind || c == jobwire::errc::unknown_phase;
}
bool same(const jobwire::outbox_message& a, const jobwire::outbox_message& b) {
  const bool progress = std::isnan(a.progress) ? std::isnan(b.progress) : a.progress == b.progress;
  return a.prof == b.prof && a.kind == b.kind && a.job_id == b.job_id && a.internal_id == b.internal_id &&
         a.phase == b.phase && progress && a.previous_status == b.previous_status && a.status == b.status &&
         a.data == b.data && a.created_at == b.created_at && a.secret == b.secret &&
         a.local_callbacks == b.local_callbacks;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  jobwire::outbox_payload_problem problem;
  auto m = jobwire::parse_outbox_payload(text, &problem);
  if (!m) {
    check(problem.error.code == m.code());
    check(reader_error(m.code()));
    return 0;
  }
  std::string again;
  jobwire::write_outbox_payload(again, *m);
  auto back = jobwire::parse_outbox_payload(again);
  check(static_cast<bool>(back));
  check(same(*m, *back));

  auto req = jobwire::build_outbox_request(*m, 1, m->created_at);
  if (req) {
    auto key = jobwire::outbox_delivery_key(*m);
    check(static_cast<bool>(key));
    check(*key == req->delivery_key);
    check(!req->headers.empty() && req->headers.front().first == "content-type");
  }
  return 0;
}
