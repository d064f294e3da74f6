// Fuzz target: the status object parser (payload.hpp, PROTOCOL.md §5) and the request
// builders and poll planner fed from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <jobwire/poll.hpp>
#include <jobwire/requests.hpp>

#include "fuzz_payload_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const jobwire::payload_options& opt : {jobwire::payload_options{}, jobwire_fuzz::lenient_options()}) {
    auto s = jobwire::parse_status_object(text, opt);
    if (!s) {
      jobwire_fuzz::check_error(s.error(), size);
      continue;
    }
    jobwire_fuzz::check_id(s->id.str());
    std::size_t n = 0;
    for (jobwire::output_view o : s->outputs) n += jobwire_fuzz::touch(o.content_url);
    if (s->error.has_message) n += s->error.message.to_string().size();
    double p = s->effective_progress();
    if (!(p >= 0 && p <= 100)) __builtin_trap();
    auto req = jobwire::content_request(*s, 0);
    if (req.has_value() != (s->status == jobwire::job_status::completed) && req.code() != jobwire::errc::invalid_index)
      __builtin_trap();
    // The encoded path never contains a raw '/', '?' or '#' from the id.
    std::string path = jobwire::status_request(s->id).path;
    if (path.find_first_of("?# ", 0) != std::string::npos || path.find('/', 11) != std::string::npos) __builtin_trap();
    auto plan = jobwire::plan_next_poll(jobwire::poll_observation::after(*s), [] { return 0.5; });
    if (!plan || plan->stop != s->is_terminal() || (!plan->stop && plan->delay_seconds < 1)) __builtin_trap();
    (void)n;
  }
  return 0;
}
