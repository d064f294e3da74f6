// The same JSON text with the members of every object in reverse order (test support for
// the member order the payload readers learn, payload_fields.hpp member_order): a body a
// sender could equally have written, on which every prediction of that order misses.
#pragma once

#include <jobwire/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace member_order_test {

inline void write_reversed(jobwire::json::value v, std::string& out) {
  using jobwire::json::kind;
  if (v.type() == kind::object) {
    std::vector<jobwire::json::member> members;
    for (const auto& m : *v.get_object()) members.push_back(m);
    out += '{';
    for (auto it = members.rbegin(); it != members.rend(); ++it) {
      if (it != members.rbegin()) out += ',';
      out += '"';
      out += it->key.raw();  // as written, escapes included
      out += "\":";
      write_reversed(it->value, out);
    }
    out += '}';
  } else if (v.type() == kind::array) {
    out += '[';
    bool first = true;
    for (const auto& e : *v.get_array()) {
      if (!first) out += ',';
      first = false;
      write_reversed(e, out);
    }
    out += ']';
  } else {
    out += v.raw();
  }
}

/// `text` with every object's members reversed; nothing when it is not valid JSON.
inline std::optional<std::string> reversed_members(std::string_view text) {
  auto doc = jobwire::json::parse(text);
  if (!doc) return std::nullopt;
  std::string out;
  write_reversed(*doc, out);
  return out;
}

}  // namespace member_order_test
