// jobwire — the delivery identity inside a delivery body (PROTOCOL.md §10).
//
// A delivery body is `{"id", "type", "created_at", "delivery": {"key", "attempt",
// "max_attempts"}, "data"}`. `parse_delivery_meta` extracts just the identity fields that
// the delivery headers repeat, so that verification can check that headers and body agree
// (PROTOCOL.md §9) and the payload reader can reuse the same strict extraction.
#pragma once

#include <cstdint>
#include <string_view>

#include "error.hpp"
#include "events.hpp"
#include "headers.hpp"
#include "json.hpp"
#include "profile.hpp"
#include "result.hpp"

namespace jobwire {

struct delivery_meta {
  json::string event_id;  ///< `id` as it appears in the body (compare with `equals`)
  jobwire::event_type type{};
  jobwire::delivery_key key{};
  std::uint32_t attempt = 0;
  std::uint32_t max_attempts = 0;
};

/// True when `root` looks like a delivery envelope: an object with `id`, `type` and
/// `delivery` members. Other JSON bodies (or non-JSON bodies) carry no delivery identity.
inline bool is_delivery_envelope(const json::object& root) noexcept {
  return root.find("id").exists() && root.find("type").exists() && root.find("delivery").exists();
}

namespace detail {
// Decodes a short JSON string into `buf` (event types and keys are at most a few dozen
// ASCII bytes); `invalid_field` when it is longer than the buffer.
template <std::size_t N>
inline result<std::string_view> short_string(const json::value& v, char (&buf)[N], std::size_t offset_base,
                                             const char* base) noexcept {
  auto s = v.get_string();
  if (!s) return jobwire::error(errc::invalid_field, static_cast<std::size_t>(v.data() - base) + offset_base);
  const std::size_t n = s->decode_to(buf, N);
  if (n > N) return jobwire::error(errc::invalid_field, static_cast<std::size_t>(v.data() - base) + offset_base);
  return std::string_view(buf, n);
}

inline result<std::uint32_t> attempt_field(const json::value& v, const char* base) noexcept {
  const auto off = static_cast<std::size_t>(v.data() - base);
  auto n = v.get_uint64();
  if (!n || *n < 1 || *n > max_attempt_value) return jobwire::error(errc::invalid_field, off);
  return static_cast<std::uint32_t>(*n);
}
}  // namespace detail

/// Extracts and strictly validates `id`, `type`, `delivery.key`, `delivery.attempt` and
/// `delivery.max_attempts` from a delivery envelope. `missing_field` / `invalid_field` (with
/// the byte offset of the offending value relative to `base`, the start of the parsed
/// text, when given) for a missing or malformed field; `attempt_exceeds_max` when
/// attempt > max_attempts.
inline result<delivery_meta> parse_delivery_meta(const json::object& root, const profile& prof = profiles::ai_stats,
                                                 const char* base = nullptr) noexcept {
  const char* b = base != nullptr ? base : root.raw().data();
  delivery_meta out;

  const json::value id = root.find("id");
  if (!id.exists()) return errc::missing_field;
  auto ids = id.get_string();
  if (!ids) return jobwire::error(errc::invalid_field, static_cast<std::size_t>(id.data() - b));
  {
    char buf[max_event_id_length + 1];
    const std::size_t n = ids->decode_to(buf, sizeof buf);
    if (n > max_event_id_length || !is_valid_event_id(std::string_view(buf, n)))
      return jobwire::error(errc::invalid_event_id, static_cast<std::size_t>(id.data() - b));
  }
  out.event_id = *ids;

  const json::value type = root.find("type");
  if (!type.exists()) return errc::missing_field;
  char type_buf[48];
  auto type_text = detail::short_string(type, type_buf, 0, b);
  if (!type_text) return type_text.error();
  auto t = parse_event_type(*type_text, prof);
  if (!t) return jobwire::error(errc::unknown_event_type, static_cast<std::size_t>(type.data() - b));
  out.type = *t;

  const json::value delivery = root.find("delivery");
  if (!delivery.exists()) return errc::missing_field;
  auto dobj = delivery.get_object();
  if (!dobj) return jobwire::error(errc::invalid_field, static_cast<std::size_t>(delivery.data() - b));

  const json::value key = dobj->find("key");
  if (!key.exists()) return errc::missing_field;
  char key_buf[64];  // the longest key (status_changed, §16.1) is 64 bytes
  auto key_text = detail::short_string(key, key_buf, 0, b);
  if (!key_text) return key_text.error();
  auto k = parse_delivery_key(*key_text, prof);
  if (!k) return jobwire::error(errc::invalid_delivery_key, static_cast<std::size_t>(key.data() - b));
  out.key = *k;

  const json::value attempt = dobj->find("attempt");
  if (!attempt.exists()) return errc::missing_field;
  auto a = detail::attempt_field(attempt, b);
  if (!a) return a.error();
  out.attempt = *a;

  const json::value max = dobj->find("max_attempts");
  if (!max.exists()) return errc::missing_field;
  auto m = detail::attempt_field(max, b);
  if (!m) return m.error();
  out.max_attempts = *m;

  if (out.attempt > out.max_attempts) return errc::attempt_exceeds_max;
  return out;
}

}  // namespace jobwire
