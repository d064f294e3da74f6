// Differential fuzz target: one request, one verdict (PROTOCOL.md §9, §10, §13). The same
// bytes go to the composed call (verify_delivery), the receiver (receive_delivery with the
// in-memory store) and the C API (jobwire_verify); any disagreement — valid here and
// refused there, two reasons, a reply class that differs — aborts.
//
// Input: one flags byte, then `Name: value` header lines, an empty line, the body.
// Flags: bit 0 adds the correct signature of the body (so inputs get past authentication
// and reach the envelope reader), bit 1 adds the timestamp header, bit 2 selects phaseo,
// bit 3 configures a second (rotated) secret first.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_request_input.hpp"

#include <jobwire/receiver.hpp>
#include <jobwire_c.h>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::int64_t now = 1781166600;
const std::string secret = "whsec_verdict_fuzz";
const std::string ts = "1781166600";

int c_api_verdict(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body, bool rotated,
                  const jobwire::profile& prof) {
  const char* secrets[] = {"whsec_retired", secret.c_str()};
  const std::size_t lens[] = {13, secret.size()};
  jobwire_verifier* v = nullptr;
  check(jobwire_verifier_create(rotated ? secrets : secrets + 1, rotated ? lens : lens + 1, rotated ? 2 : 1, &v) ==
        JOBWIRE_OK);
  std::vector<const char*> names, values;
  std::vector<std::size_t> name_lens, value_lens;
  for (const auto& h : headers) {
    names.push_back(h.first.data());
    name_lens.push_back(h.first.size());
    values.push_back(h.second.data());
    value_lens.push_back(h.second.size());
  }
  const int st =
      jobwire_verify(v, body.data(), body.size(), names.data(), name_lens.data(), values.data(), value_lens.data(),
                     names.size(), now, JOBWIRE_DEFAULT_TOLERANCE, 0,
                     &prof == &jobwire::profiles::phaseo ? JOBWIRE_PROFILE_PHASEO : JOBWIRE_PROFILE_AI_STATS, nullptr);
  jobwire_verifier_destroy(v);
  return st;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned flags = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  jobwire_fuzz::request_input req = jobwire_fuzz::read_request(in, 32);
  const std::string_view body = req.body;
  const jobwire::profile& prof = (flags & 4u) != 0u ? jobwire::profiles::phaseo : jobwire::profiles::ai_stats;
  const bool rotated = (flags & 8u) != 0u;

  std::vector<std::pair<std::string, std::string>>& headers = req.headers;
  const std::string prefix(prof.header_prefix);
  if ((flags & 2u) != 0u) headers.emplace_back(prefix + "timestamp", ts);
  if ((flags & 1u) != 0u) headers.emplace_back(prefix + "signature", jobwire::sign(secret, ts, body)->to_string());

  static const jobwire::verifier one = *jobwire::verifier::create({secret});
  static const jobwire::verifier two = *jobwire::verifier::create({std::string("whsec_retired"), secret});
  const jobwire::verifier& secrets = rotated ? two : one;

  // 1. The composed call.
  jobwire::verify_options vopt;
  vopt.prof = &prof;
  auto verified = jobwire::verify_delivery(body, headers, secrets, now, vopt);
  const jobwire::errc code = verified.code();

  // 2. The receiver: same verdict, the code's reply class, the handler only when valid.
  // A small store per input: each request meets an empty one (and constructing the
  // default-sized store would dominate the run).
  jobwire::memory_dedup_options small;
  small.capacity = 16;
  small.shards = 1;
  jobwire::memory_dedup_store store(small);
  jobwire::receiver_options ropt;
  ropt.verify.prof = &prof;
  int handled = 0;
  const jobwire::receipt r = jobwire::receive_delivery(
      body, headers, secrets, store, jobwire::dedup_time{std::chrono::seconds{now}},
      [](std::string_view) { return std::optional<jobwire::job_state>(); },
      [&](const jobwire::envelope_view&, const jobwire::reconcile_decision&,
          const jobwire::dedup_key&) -> jobwire::void_result {
        ++handled;
        return {};
      },
      ropt);
  if (verified) {
    // Valid: acknowledged (refetched: no local state), the handler ran once.
    check(r.acknowledged() && r.error == jobwire::errc::ok);
    check(handled == 1);
  } else {
    check(r.error == code);
    check(r.http_status == jobwire::http_status_of(code));
    check(handled == 0);
  }

  // 3. The C API (the call Python makes).
  const int st = c_api_verdict(headers, body, rotated, prof);
  check(st == (verified ? JOBWIRE_OK : -static_cast<int>(code)));
  check(jobwire_error_http_status(st) == (verified ? 200 : jobwire::http_status_of(code)));
  return 0;
}
