// Fuzz target: the strict JSON reader. Validates, then walks every value through the
// view API (the walk trusts validation, so any validator gap shows up as a crash).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>

namespace {
std::size_t walk(jobwire::json::value v, int depth) {
  using jobwire::json::kind;
  std::size_t n = 1;
  switch (v.type()) {
    case kind::object:
      for (const auto& m : *v.get_object()) {
        n += m.key.decoded_size();
        n += walk(m.value, depth + 1);
      }
      break;
    case kind::array:
      for (const auto& e : *v.get_array()) n += walk(e, depth + 1);
      break;
    case kind::string: n += v.get_string()->to_string().size(); break;
    case kind::number: {
      (void)v.get_double();
      (void)v.get_int64();
      (void)v.get_uint64();
      break;
    }
    case kind::boolean: (void)v.get_bool(); break;
    case kind::null: break;
  }
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  jobwire::json::limits lim;
  lim.max_depth = 32;
  auto doc = jobwire::json::parse(text, lim);
  if (doc) {
    walk(*doc, 0);
    // The raw text of the root is the whole input minus surrounding whitespace.
    std::string_view raw = doc->raw();
    if (raw.empty()) __builtin_trap();
    // Re-validating the root's raw text must succeed.
    if (!jobwire::json::validate(raw, lim)) __builtin_trap();
  } else if (doc.error().offset > size) {
    __builtin_trap();
  }
  // The writer must always produce valid JSON from arbitrary bytes.
  std::string out;
  jobwire::json::writer w(out);
  w.begin_array().string(text).end_array();
  jobwire::json::options unlimited;  // escaping can grow the text past the default limits
  unlimited.max_bytes = unlimited.max_string_bytes = static_cast<std::size_t>(-1);
  if (!jobwire::json::validate(out, unlimited)) __builtin_trap();
  return 0;
}
