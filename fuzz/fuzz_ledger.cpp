// Fuzz target: the ledger's parsers (webhook delivery block, summary, attempt, ISO-8601
// timestamps) and the response-preview cutter. Invariants checked:
//  - whatever parses re-serialises to text that parses to the same value, and that text is
//    a fixed point of serialise∘parse (PROTOCOL.md §10 round trip);
//  - a parsed timestamp formats back to the exact input;
//  - a preview is valid UTF-8, within its character bound, never longer than 3 bytes per
//    input byte, and a prefix of the input when the input is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <jobwire/ledger.hpp>

namespace {
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = jobwire::detail::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  jobwire::ledger_parse_options opt;
  opt.max_attempts_listed = jobwire::ledger_history_limit;
  opt.json.max_depth = 32;

  if (auto block = jobwire::parse_webhook_delivery(text, opt)) {
    const std::string once = jobwire::serialize_webhook_delivery(*block);
    auto again = jobwire::parse_webhook_delivery(once, opt);
    if (!again || *again != *block) __builtin_trap();
    if (jobwire::serialize_webhook_delivery(*again) != once) __builtin_trap();
    // A ledger rebuilt from the listed attempts must summarise without crashing, and its
    // own serialisation must parse.
    jobwire::attempt_ledger ledger(block->attempts);
    if (!jobwire::parse_webhook_delivery(jobwire::serialize_webhook_delivery(ledger), opt)) __builtin_trap();
  } else if (block.error().has_offset() && block.error().offset > size) {
    __builtin_trap();
  }

  if (auto s = jobwire::parse_delivery_summary(text, opt)) {
    std::string out;
    jobwire::json::writer w(out);
    jobwire::write_delivery_summary(w, *s);
    auto back = jobwire::parse_delivery_summary(out, opt);
    if (!back || *back != *s) __builtin_trap();
  }
  if (auto r = jobwire::parse_attempt_record(text, opt)) {
    std::string out;
    jobwire::json::writer w(out);
    jobwire::write_attempt(w, *r);
    auto back = jobwire::parse_attempt_record(out, opt);
    if (!back || *back != *r) __builtin_trap();
  }

  if (auto t = jobwire::parse_iso8601_ms(text)) {
    if (jobwire::format_iso8601_ms(*t) != text) __builtin_trap();
  }

  const std::size_t max = size % 64;
  for (auto unit : {jobwire::preview_unit::code_points, jobwire::preview_unit::utf16_units}) {
    const std::string p = jobwire::cut_response_preview(text, max, unit);
    if (!valid_utf8(p) || jobwire::count_characters(p, unit) > max || p.size() > 3 * size) __builtin_trap();
    if (valid_utf8(text) && text.compare(0, p.size(), p) != 0) __builtin_trap();
  }
  return 0;
}
