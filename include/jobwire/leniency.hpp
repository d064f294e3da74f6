// jobwire — the opt-in leniencies, one flag set (docs/SECURITY.md, "Leniencies").
//
// jobwire is strict by default: every departure from the strict reading of the protocol
// is a named bit of `lenient`, set in the `leniency` field of an options struct, so that
// it stands out in review (`opt.leniency = lenient::unsigned_deliveries` cannot be
// mistaken for a limit or a mode) and `grep lenient::` finds every one in a code base.
// Each options struct reads only the bits that concern it and ignores the others; the
// table in docs/SECURITY.md says which struct reads which bit.
#pragma once

#include <cstdint>
#include <string_view>

namespace jobwire {

/// One opt-in leniency per bit (the flag set is the same type, as llhttp's lenient flags).
enum class lenient : std::uint32_t {
  none = 0,
  /// JSON (json::options, the CLI's parse-json): a repeated object name is accepted and
  /// `find` returns the first occurrence. Payload readers refuse duplicates whatever this
  /// says: two readers of one signed body could pick different values.
  duplicate_keys = 1u << 0,
  /// Status words (payload, verify, receiver; job.hpp's vocabulary functions): a word the
  /// service's normaliser does not know maps to queued / pending as the service maps it
  /// (PROTOCOL.md §3) instead of `unknown_status`.
  unknown_status = 1u << 1,
  /// Payloads (payload_options): `status` and `lifecycle_status` may contradict each
  /// other; `job_data::consistent` says so (a receiver refetches, §13.3).
  inconsistent_status = 1u << 2,
  /// Verification (verify, receiver): the official SDKs' timestamp forms, 13..15 digits of
  /// milliseconds and ISO-8601 date-times with a zone (§9).
  sdk_timestamps = 1u << 3,
  /// Verification (verify, receiver): a verifier without secrets accepts unsigned
  /// deliveries, where the profile allows them (never under phaseo, §15). Without it an
  /// empty verifier is a misconfiguration (`unsigned_not_allowed`).
  unsigned_deliveries = 1u << 4,
  /// Callback URLs (callback_url_options): exactly `localhost`, `127.0.0.1` and `[::1]`,
  /// without credentials, over http or https, for a sender under test (§8, §16.4).
  local_callback_urls = 1u << 5,
};

constexpr lenient operator|(lenient a, lenient b) noexcept {
  return static_cast<lenient>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr lenient operator&(lenient a, lenient b) noexcept {
  return static_cast<lenient>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr lenient operator~(lenient a) noexcept { return static_cast<lenient>(~static_cast<std::uint32_t>(a)); }
constexpr lenient& operator|=(lenient& a, lenient b) noexcept { return a = a | b; }
constexpr lenient& operator&=(lenient& a, lenient b) noexcept { return a = a & b; }

/// True when every bit of `flag` is set in `set`.
constexpr bool allows(lenient set, lenient flag) noexcept { return (set & flag) == flag && flag != lenient::none; }

/// Every leniency, in bit order (for tables, tests and diagnostics).
inline constexpr lenient all_leniencies[] = {lenient::duplicate_keys,      lenient::unknown_status,
                                             lenient::inconsistent_status, lenient::sdk_timestamps,
                                             lenient::unsigned_deliveries, lenient::local_callback_urls};

/// The snake_case name of one flag ("" for none or a combination).
constexpr std::string_view lenient_name(lenient flag) noexcept {
  switch (flag) {
    case lenient::duplicate_keys: return "duplicate_keys";
    case lenient::unknown_status: return "unknown_status";
    case lenient::inconsistent_status: return "inconsistent_status";
    case lenient::sdk_timestamps: return "sdk_timestamps";
    case lenient::unsigned_deliveries: return "unsigned_deliveries";
    case lenient::local_callback_urls: return "local_callback_urls";
    case lenient::none: break;
  }
  return "";
}

}  // namespace jobwire
