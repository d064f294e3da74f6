// jobwire — websocket server messages (PROTOCOL.md §6, §16.9), as zero-copy views.
#pragma once

#include <cstdint>
#include <string_view>

#include "job_data.hpp"
#include "payload_fields.hpp"

namespace jobwire {

// --- websocket messages (§6) -------------------------------------------------------------

enum class ws_message_type : std::uint8_t { snapshot, updated, deleted, pong };

constexpr std::string_view ws_message_type_name(ws_message_type t) noexcept {
  switch (t) {
    case ws_message_type::snapshot: return "job.snapshot";
    case ws_message_type::updated: return "job.updated";
    case ws_message_type::deleted: return "job.deleted";
    case ws_message_type::pong: return "pong";
  }
  return "unknown";
}

/// A websocket server message `{type, data}`. Snapshots and updates carry the full `data`
/// shape (id and status required); a deletion needs only the id; `pong` has no data.
struct ws_message {
  ws_message_type type = ws_message_type::pong;
  bool has_data = false;
  job_data data;
};

namespace detail {
/// The members of a websocket message (§6), checked together after the walk.
struct ws_reading {
  json::value type, data;
};
inline constexpr auto ws_fields = make_field_table<ws_reading>({
    {"type", &capture_rule<ws_reading, &ws_reading::type>},
    {"data", &capture_rule<ws_reading, &ws_reading::data>},
});
}  // namespace detail

inline result<ws_message> parse_ws_message(std::string_view text, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(text.data(), text.data() + text.size(), opt);
  auto doc = detail::parse_payload_object(text, r);
  if (!doc) return doc.error();
  detail::ws_reading c;
  (void)detail::read_fields(r, *doc, detail::ws_fields, c);  // its rules only gather
  const json::value type = c.type, data = c.data;
  if (!type.exists()) return r.at(errc::missing_field, *doc);
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  json::string ts = *type.get_string();
  ws_message msg;
  if (ts == "job.snapshot") msg.type = ws_message_type::snapshot;
  else if (ts == "job.updated") msg.type = ws_message_type::updated;
  else if (ts == "job.deleted") msg.type = ws_message_type::deleted;
  else if (ts == "pong") msg.type = ws_message_type::pong;
  else return r.at(errc::unknown_message_type, type);
  if (msg.type == ws_message_type::pong) return msg;
  if (!data.exists()) return r.at(errc::missing_field, *doc);
  jobwire::void_result st = job_data::read(r, data, msg.type != ws_message_type::deleted, msg.data);
  if (!st) return st.error();
  msg.has_data = true;
  return msg;
}

}  // namespace jobwire
