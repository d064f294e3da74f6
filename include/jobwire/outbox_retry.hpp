// jobwire — a retry verdict (retry.hpp) as the record an outbox store writes (outbox.hpp).
//
// The worker's loop is: lease a row, send it, `decide_delivery`, `to_outbox_record`,
// `store.record`. The conversion is its own header because it is the one place where the
// retry rules and the store interface meet: neither of the two includes the other's
// vocabulary beyond `endpoint_effect`.
#pragma once

#include <string_view>

#include "attempt.hpp"
#include "outbox.hpp"
#include "retry.hpp"

namespace jobwire {

/// The row state a verdict leads to (a 410's "endpoint disabled" is failed_permanently
/// plus the effect `disable`).
constexpr outbox_state outbox_state_after(attempt_status s) noexcept {
  switch (s) {
    case attempt_status::delivered: return outbox_state::delivered;
    case attempt_status::scheduled_retry: return outbox_state::scheduled_retry;
    case attempt_status::failed_permanently: return outbox_state::failed_permanently;
  }
  return outbox_state::failed_permanently;
}

/// The record for `store.record(lease, record, now)`: state, next attempt time, the
/// attempt's time and HTTP status, the endpoint effect with its throttle time and the
/// streak limit, and `error` (what went wrong, for the operator; cut to
/// outbox_max_error_bytes; the view must outlive the record). A verdict from
/// `decide_delivery` always passes `check_outbox_record`.
inline outbox_record to_outbox_record(const attempt_verdict& v, std::string_view error = {}) noexcept {
  outbox_record r;
  r.state = outbox_state_after(v.status);
  r.next_attempt_at_ms = v.retry_scheduled() ? v.next_retry_at_ms : 0;
  r.tried_at_ms = v.tried_at_ms;
  r.http_status = v.http_status;
  r.error = outbox_error_text(error);
  r.effect = v.effect;
  r.throttle_until_ms = v.effect == endpoint_effect::throttle ? v.throttle_until_ms : 0;
  r.disable_after_failures = v.disable_after_failures;
  return r;
}

}  // namespace jobwire
