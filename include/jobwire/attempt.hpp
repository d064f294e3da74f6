// jobwire — the status of one delivery attempt (PROTOCOL.md §10, §12): the vocabulary the
// sender writes into its ledger and a receiver reads in `webhook.attempts` and
// `webhook.delivery`. Wire vocabulary only, so that the payload reader (and with it the
// receiver) does not include the sender's retry schedule (retry.hpp) to name it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "error.hpp"
#include "result.hpp"

namespace jobwire {

// Protocol facts of the attempt ledger (§10, §12), one constant each, shared by the sender
// that writes the ledger (ledger.hpp) and the readers of `webhook.attempts` (payload.hpp):
// how many attempts the public view shows, and how long a response preview is (500
// characters; counted as ledger.hpp's `preview_unit` says, at most 500 code points
// whatever the unit).
constexpr std::size_t ledger_public_limit = 10;          ///< attempts shown in `webhook.attempts`
constexpr std::size_t response_preview_max_chars = 500;  ///< `response_body_preview` length

/// What one attempt turned into; the wire names are the `status` of a ledger attempt.
enum class attempt_status : std::uint8_t { delivered, scheduled_retry, failed_permanently };

constexpr std::string_view attempt_status_name(attempt_status s) noexcept {
  switch (s) {
    case attempt_status::delivered: return "delivered";
    case attempt_status::scheduled_retry: return "scheduled_retry";
    case attempt_status::failed_permanently: return "failed_permanently";
  }
  return "unknown";
}

/// Exact wire name → status; `invalid_field` otherwise (the name appears only inside
/// ledger documents, where an unknown status is a malformed field).
inline result<attempt_status> parse_attempt_status(std::string_view s) noexcept {
  if (s == "delivered") return attempt_status::delivered;
  if (s == "scheduled_retry") return attempt_status::scheduled_retry;
  if (s == "failed_permanently") return attempt_status::failed_permanently;
  return errc::invalid_field;
}

}  // namespace jobwire
