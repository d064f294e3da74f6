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
/// `data` is read in place (scanned once) before `type` may be known, so with its status
/// optional; whether the type requires one is checked after the walk, and the data's error
/// (if any) is reported after the type's.
struct ws_reading {
  job_data& data_doc;
  json::value type{}, data{};
  jobwire::void_result data_status{};
};
inline constexpr auto ws_fields = make_field_table<ws_reading>({
    {"type", &capture_rule<ws_reading, &ws_reading::type>},
    {"data",
     [](const payload_reader& r, member_walk& w, ws_reading& c) noexcept -> jobwire::void_result {
       c.data = w.raw_value();
       const char* data_end = nullptr;
       c.data_status = job_data::read(r, c.data, false, c.data_doc, &data_end);
       w.set_value_end(data_end);
       return {};
     }},
});
}  // namespace detail

namespace detail {
/// parse_ws_message with the reading chosen (the public one reads in one pass; the tests compare
/// it with the two-pass reading).
inline result<ws_message> parse_ws_message(std::string_view text, const payload_options& opt, reading mode) noexcept {
  payload_parse r(text, opt, mode);
  auto doc = r.root();
  if (!doc) return doc.error();
  ws_message msg;
  ws_reading c{msg.data};
  // Its rules only gather: an error here is the text's.
  if (jobwire::void_result st = r.read_root(*doc, ws_fields, c); !st) return st.error();
  const json::value type = c.type, data = c.data;
  if (!type.exists()) return r.at(errc::missing_field, *doc);
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  json::string ts = r.string_at(type);
  if (ts == "job.snapshot") msg.type = ws_message_type::snapshot;
  else if (ts == "job.updated") msg.type = ws_message_type::updated;
  else if (ts == "job.deleted") msg.type = ws_message_type::deleted;
  else if (ts == "pong") msg.type = ws_message_type::pong;
  else return r.at(errc::unknown_message_type, type);
  if (msg.type == ws_message_type::pong) {
    msg.data = job_data{};  // a pong's data, if any, is not read
    return msg;
  }
  if (!data.exists()) return r.at(errc::missing_field, *doc);
  jobwire::void_result st = c.data_status;
  if (msg.type != ws_message_type::deleted && (!st || !msg.data.has_status)) {
    // The status is required here: read the data (validated by now) again as required,
    // so that the verdict is the one of reading it knowing the type.
    msg.data = job_data{};
    st = job_data::read(r, data, true, msg.data);
  }
  if (!st) return st.error();
  msg.has_data = true;
  return msg;
}
}  // namespace detail

inline result<ws_message> parse_ws_message(std::string_view text, const payload_options& opt = {}) noexcept {
  return detail::parse_ws_message(text, opt, detail::reading::fused);
}

}  // namespace jobwire
