// Fuzz target: the delivery builder (PROTOCOL.md §9–§12) against the receiver's verifier.
// Input: `<phase>\n<progress>\n<internal id>\n<attempt>\n<data JSON>`; the progress line is
// read as a JSON number ("NaN" for NaN). Property: whatever the builder accepts
// authenticates with every metadata header, and `verify_delivery` (the receiver's call)
// accepts it unless the caller's `data` makes an envelope the one envelope reader refuses
// (then exactly with that reader's code), for every attempt; a retry equals a fresh build
// of that attempt; and a body with one byte changed never verifies.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <jobwire/sender.hpp>
#include <jobwire/verify.hpp>

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::int64_t now = 1781166600;

std::string_view next_line(std::string_view& in) {
  const std::size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return line;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view phase_text = next_line(in);
  const std::string_view progress_text = next_line(in);
  const std::string_view internal_id = next_line(in);
  const std::string_view attempt_text = next_line(in);

  auto ph = jobwire::parse_phase(phase_text);
  if (!ph) return 0;
  double progress = std::numeric_limits<double>::quiet_NaN();
  if (progress_text != "NaN") {
    auto v = jobwire::json::parse(progress_text);
    if (!v) return 0;
    auto d = v->get_double();
    if (!d) return 0;
    progress = *d;
  }
  unsigned attempt = attempt_text.size() == 1 ? static_cast<unsigned>(attempt_text[0] - '0') : 0u;

  static jobwire::delivery_sender sender = *jobwire::delivery_sender::create("whsec_test_123");
  static jobwire::verifier secrets = *jobwire::verifier::create({"whsec_test_123"});

  jobwire::delivery_event ev;
  ev.job_id = "G-7f3a";
  ev.internal_id = internal_id;
  ev.phase = *ph;
  ev.progress = progress;
  ev.data = in;
  ev.created_at = now;

  auto d = sender.build(ev, now, attempt);
  if (!d) {
    // Refusals are exactly the documented ones.
    const jobwire::errc c = d.code();
    // Besides the listed ones, a refusal of the built body by the receivers' envelope
    // reader: a payload (3xx) or JSON (1xx) error of valid JSON `data`.
    const int n = static_cast<int>(c);
    check(c == jobwire::errc::no_progress_event || c == jobwire::errc::unknown_phase ||
          c == jobwire::errc::invalid_attempt || c == jobwire::errc::json_type_mismatch ||
          c == jobwire::errc::conflicting_job_id || jobwire::json::parse(in).code() == c ||
          (jobwire::json::parse(in).has_value() && (n / 100 == 3 || n / 100 == 1)));
    return 0;
  }
  check(jobwire::is_valid_event_id(d->event_id()));
  check(d->header("event-id") == d->event_id());
  auto a = jobwire::authenticate_delivery(d->body(), d->headers(), secrets, now);
  check(a.has_value() && a->signature_checked && a->headers.event_id && a->headers.type && a->headers.key &&
        a->headers.attempt && a->headers.max_attempts);
  // What the sender builds, its receivers accept: it read the body back with their reader.
  auto v = jobwire::verify_delivery(d->body(), d->headers(), secrets, now);
  check(v.has_value() && v->signature_checked && v->envelope.id == d->event_id());

  if (attempt < sender.policy().max_attempts) {
    check(static_cast<bool>(sender.next_attempt(*d, attempt + 1, now + 60)));
    auto fresh = sender.build(ev, now + 60, attempt + 1);
    check(fresh.has_value() && fresh->body() == d->body() && fresh->header("signature") == d->header("signature"));
    auto v2 = jobwire::verify_delivery(d->body(), d->headers(), secrets, now + 60);
    check(v2.has_value() && v2->headers.attempt == attempt + 1);
  }

  std::string tampered(d->body());
  tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 1);
  check(!jobwire::verify_delivery(tampered, d->headers(), secrets, now + 60));
  return 0;
}
