// jobwire — error codes.
//
// One enum of codes for the whole library. Every value has a stable numeric id (the
// C API returns it negated), a stable snake_case name (the CLI prints it) and a
// one-line message. Messages never contain caller data, so a secret or an expected
// signature can never leak through an error (PROTOCOL.md §9, ENGINEERING.md).
//
// Numbering: each module owns a block of 100 ids. Ids are never reused or renumbered;
// new codes are appended inside their module's block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// X(name, id, message)
#define JOBWIRE_ERROR_CODES(X)                                                                                \
  /* 0..99: general */                                                                                        \
  X(ok, 0, "no error")                                                                                        \
  X(invalid_argument, 1, "an argument is outside its documented domain")                                      \
  X(buffer_too_small, 2, "the output buffer is too small; the required size was reported")                    \
  X(limit_exceeded, 3, "a configured limit was exceeded")                                                     \
  X(io_error, 4, "an input/output operation failed")                                                          \
  X(internal_error, 5, "an internal invariant failed")                                                        \
  X(out_of_memory, 6, "memory allocation failed")                                                             \
  X(crypto_error, 7, "the cryptographic backend reported an error")                                           \
  X(not_found, 8, "the requested item does not exist")                                                        \
                                                                                                              \
  /* 100..199: JSON reader (json.hpp) */                                                                      \
  X(json_empty_input, 100, "the input contains no JSON value")                                                \
  X(json_unexpected_token, 101, "unexpected character in JSON text")                                          \
  X(json_unexpected_end, 102, "the JSON text ends before the value is complete")                              \
  X(json_trailing_content, 103, "non-whitespace content follows the JSON value")                              \
  X(json_invalid_number, 104, "malformed JSON number")                                                        \
  X(json_invalid_string, 105, "unescaped control character in JSON string")                                   \
  X(json_invalid_escape, 106, "invalid escape sequence in JSON string")                                       \
  X(json_invalid_utf8, 107, "JSON text is not valid UTF-8")                                                   \
  X(json_invalid_surrogate, 108, "unpaired UTF-16 surrogate escape in JSON string")                           \
  X(json_depth_exceeded, 109, "JSON nesting is deeper than the configured limit")                             \
  X(json_input_too_large, 110, "JSON text is larger than the configured limit")                               \
  X(json_string_too_long, 111, "JSON string is longer than the configured limit")                             \
  X(json_too_many_members, 112, "JSON object or array has more entries than the configured limit")            \
  X(json_duplicate_key, 113, "JSON object has the same key twice")                                            \
  X(json_type_mismatch, 114, "JSON value has a different type than required")                                 \
  X(json_number_out_of_range, 115, "JSON number does not fit the requested type")                             \
  X(json_not_integer, 116, "JSON number is not an integer")                                                   \
                                                                                                              \
  /* 200..299: signatures and delivery headers (signature.hpp, headers.hpp) */                                \
  X(empty_secret, 200, "the webhook secret is empty after trimming")                                          \
  X(too_many_secrets, 201, "more secrets than the configured limit")                                          \
  X(missing_timestamp, 202, "the timestamp header is missing")                                                \
  X(missing_signature, 203, "the signature header is missing")                                                \
  X(malformed_timestamp, 204, "the timestamp header is not a valid timestamp")                                \
  X(timestamp_too_old, 205, "the timestamp is older than the tolerance allows")                               \
  X(timestamp_too_new, 206, "the timestamp is further in the future than the tolerance allows")               \
  X(malformed_signature, 207, "the signature header is not a well-formed signature of the profile")           \
  X(signature_mismatch, 208, "the signature does not match the body and timestamp")                           \
  X(ambiguous_header, 209, "a header appears more than once with different values")                           \
  X(header_body_mismatch, 210, "a delivery header disagrees with the delivery body")                          \
  X(malformed_header, 211, "a delivery metadata header has an invalid value")                                 \
  X(attempt_exceeds_max, 212, "the attempt number is greater than the maximum attempts")                      \
  X(secret_required, 213, "the profile requires signed deliveries but no secret is configured")               \
  X(body_too_large, 214, "the body is larger than the configured limit")                                      \
  X(invalid_key, 215, "the key is not valid for its format (prefix, base64 or length)")                       \
  X(key_format_mismatch, 216, "the key belongs to another signature scheme than the profile's")               \
  X(signature_scheme_mismatch, 217, "the signature header is of another signature scheme than the profile's") \
  X(missing_message_id, 218, "the message id header is missing")                                              \
  X(malformed_message_id, 219, "the message id header is empty, too long or contains a dot")                  \
                                                                                                              \
  /* 300..399: job payloads, lifecycle, requests (job.hpp, reconcile.hpp, poll.hpp) */                        \
  X(missing_field, 300, "a required field is missing")                                                        \
  X(invalid_field, 301, "a field has an invalid type or value")                                               \
  X(unknown_status, 302, "the status is not part of the protocol's vocabulary")                               \
  X(inconsistent_status, 303, "status and lifecycle_status contradict each other")                            \
  X(conflicting_job_id, 304, "id and video_id are both present and differ")                                   \
  X(invalid_job_id, 305, "the job id is empty or too long")                                                   \
  X(invalid_event_id, 306, "the event id is not 1..160 characters of [A-Za-z0-9_-]")                          \
  X(unknown_event_type, 307, "the event type is not a known kind.phase")                                      \
  X(unknown_message_type, 308, "the websocket message type is unknown")                                       \
  X(job_not_completed, 309, "the job is not completed, so it has no output to read")                          \
  X(invalid_ttl, 310, "ttl_seconds must be between 60 and 3600")                                              \
  X(invalid_disposition, 311, "disposition must be attachment or inline")                                     \
  X(invalid_interval, 312, "interval_ms must be between 1000 and 10000")                                      \
  X(invalid_index, 313, "the output index is out of range")                                                   \
  X(deadline_exceeded, 314, "the polling deadline has passed")                                                \
  X(poll_not_retryable, 315, "the status request failed with a status that retrying cannot fix")              \
  X(status_change_mismatch, 316, "status_change names another state than the delivery key")                   \
                                                                                                              \
  /* 400..499: events and subscriptions (events.hpp) */                                                       \
  X(no_valid_events, 400, "the event list contains no valid event for this kind")                             \
  X(invalid_event, 401, "the event name is not valid for this kind")                                          \
  X(unknown_kind, 402, "the job kind is not video or batch")                                                  \
  X(unknown_phase, 403, "the phase is not part of the profile's phase set")                                   \
  X(unknown_subscription_key, 404, "the webhook object has a key its profile does not define")                \
  X(invalid_events_type, 405, "events must be an array of strings")                                           \
  X(missing_url, 406, "the webhook object has no url")                                                        \
  X(no_progress_event, 407, "the progress value makes no progress bucket")                                    \
  X(invalid_delivery_key, 408, "the delivery key is not a valid delivery key")                                \
  X(invalid_progress, 409, "the progress value is not a finite number")                                       \
  X(event_not_string, 410, "an events entry is not a string")                                                 \
  X(empty_event, 411, "an events entry is empty after trimming")                                              \
  X(cross_kind_event, 412, "the event name belongs to the other job kind")                                    \
  X(duplicate_event, 413, "the event name repeats an earlier entry after normalisation")                      \
  X(invalid_secret, 414, "the webhook secret is not a string")                                                \
  X(invalid_webhook, 415, "the webhook subscription is not a JSON object")                                    \
  X(missing_endpoint_id, 430, "the subscription names no webhook endpoint (endpoint_id)")                     \
  X(invalid_endpoint_id, 431, "the webhook endpoint id is not a string holding a UUID")                       \
  X(url_not_allowed, 432, "a url is not allowed: the subscription names a webhook endpoint")                  \
  X(secret_not_allowed, 433, "a secret is not allowed: the webhook endpoint holds it")                        \
                                                                                                              \
  /* 500..599: callback URLs (callback_url.hpp) */                                                            \
  X(invalid_url, 500, "the URL cannot be parsed")                                                             \
  X(https_required, 501, "the callback URL must use https")                                                   \
  X(unsupported_scheme, 502, "the URL scheme is not http or https")                                           \
  X(loopback_host, 503, "the host is a loopback address or name")                                             \
  X(private_host, 504, "the host is a private-use address")                                                   \
  X(link_local_host, 505, "the host is a link-local address")                                                 \
  X(unspecified_host, 506, "the host is the unspecified (wildcard) address")                                  \
  X(non_global_host, 507, "the host is not a globally reachable address")                                     \
  X(userinfo_not_allowed, 508, "the URL carries a username or password")                                      \
  X(non_ascii_host, 509, "the host is not ASCII after percent-decoding")                                      \
  X(localhost_name, 510, "the host is a localhost name")                                                      \
  X(wildcard_host, 511, "the host contains a wildcard label")                                                 \
  X(invalid_port, 512, "the port is not a number from 0 to 65535")                                            \
  X(invalid_ipv4, 513, "the host is a malformed IPv4 address")                                                \
  X(invalid_ipv6, 514, "the host is a malformed IPv6 address")                                                \
  X(invalid_host, 515, "the host contains a forbidden code point")                                            \
  X(missing_host, 516, "the URL has an empty host")                                                           \
  X(invalid_url_type, 517, "the webhook url is not a string")                                                 \
  X(empty_url, 530, "the URL is empty after trimming")                                                        \
                                                                                                              \
  /* 600..699: deduplication and receiving (dedup.hpp, stores/, receiver.hpp) */                              \
  X(store_unavailable, 600, "the deduplication store cannot be reached")                                      \
  X(store_error, 601, "the deduplication store reported an error")                                            \
  X(claim_lost, 602, "the claim expired and was taken over by another holder")                                \
  X(handler_failed, 603, "the side-effect handler reported a failure")                                        \
  X(invalid_dedup_key, 604, "the deduplication key is empty or too long")                                     \
  X(store_full, 605, "the deduplication store is full of live entries")                                       \
  X(unsigned_not_allowed, 606, "no secret is configured and unsigned deliveries were not allowed")            \
  X(store_not_supported, 620, "this kind of store is not compiled into this build")                           \
                                                                                                              \
  /* 700..799: sending, retries, ledger (sender.hpp, ledger.hpp) */                                           \
  X(already_delivered, 700, "the delivery key was already delivered")                                         \
  X(already_queued, 701, "the delivery key is already queued for retry")                                      \
  X(already_failed, 702, "the delivery key already failed permanently")                                       \
  X(phase_not_subscribed, 703, "the subscription does not include this phase")                                \
  X(invalid_outcome, 704, "the attempt outcome is not recognised")                                            \
  X(invalid_timeout, 705, "the request timeout is outside 1..120 seconds")                                    \
  X(invalid_attempt, 706, "the attempt number is outside 1..max_attempts")                                    \
  X(invalid_retry_policy, 707, "a value of the retry policy (delay, jitter, cap) is outside its range")       \
  X(invalid_metric_name, 708, "a metric or label name is not valid in the exposition format")                 \
  X(invalid_retry_after, 720, "the Retry-After value is neither delay-seconds nor an HTTP-date")              \
                                                                                                              \
  /* 900..999: service API beyond jobs (endpoints.hpp, service_api.hpp) */                                    \
  X(invalid_endpoint_secret, 900, "the endpoint secret is not whsec_ and 43 base64url characters")            \
  X(invalid_endpoint_name, 901, "the endpoint name is not 1..120 characters after trimming")                  \
  X(invalid_list_limit, 902, "the list limit is outside the range the endpoint accepts")                      \
  X(cancellation_disabled, 903, "the service does not implement video cancellation (HTTP 501)")               \
  X(service_error, 904, "the service answered with an error body")

// The reply class of every code (PROTOCOL.md §13), a second column of the table above kept
// as its own list so that each code's class is stated, never defaulted: the switch in
// `error_reply_class` has no default, so a code added above without a line here is a
// compiler warning (-Wswitch, an error with JOBWIRE_WERROR).
//   authentication  401: the request is not authentic or not fresh; the sender's retry
//                   (fresh timestamp, same bytes) may pass
//   malformed       400: the request (its headers or body) is wrong; retrying it cannot help
//   local           503: the receiver's own configuration, store, state or code failed;
//                   the sender retries and the retry is processed once that is fixed
// X(name, class)
#define JOBWIRE_ERROR_REPLY_CLASSES(X)         \
  X(ok, ok)                                    \
  X(invalid_argument, local)                   \
  X(buffer_too_small, local)                   \
  X(limit_exceeded, local)                     \
  X(io_error, local)                           \
  X(internal_error, local)                     \
  X(out_of_memory, local)                      \
  X(crypto_error, local)                       \
  X(not_found, local)                          \
  X(json_empty_input, malformed)               \
  X(json_unexpected_token, malformed)          \
  X(json_unexpected_end, malformed)            \
  X(json_trailing_content, malformed)          \
  X(json_invalid_number, malformed)            \
  X(json_invalid_string, malformed)            \
  X(json_invalid_escape, malformed)            \
  X(json_invalid_utf8, malformed)              \
  X(json_invalid_surrogate, malformed)         \
  X(json_depth_exceeded, malformed)            \
  X(json_input_too_large, malformed)           \
  X(json_string_too_long, malformed)           \
  X(json_too_many_members, malformed)          \
  X(json_duplicate_key, malformed)             \
  X(json_type_mismatch, malformed)             \
  X(json_number_out_of_range, malformed)       \
  X(json_not_integer, malformed)               \
  X(empty_secret, local)                       \
  X(too_many_secrets, local)                   \
  X(missing_timestamp, authentication)         \
  X(missing_signature, authentication)         \
  X(malformed_timestamp, authentication)       \
  X(timestamp_too_old, authentication)         \
  X(timestamp_too_new, authentication)         \
  X(malformed_signature, authentication)       \
  X(signature_mismatch, authentication)        \
  X(ambiguous_header, malformed)               \
  X(header_body_mismatch, malformed)           \
  X(malformed_header, malformed)               \
  X(attempt_exceeds_max, malformed)            \
  X(secret_required, local)                    \
  X(body_too_large, malformed)                 \
  X(invalid_key, local)                        \
  X(key_format_mismatch, local)                \
  X(signature_scheme_mismatch, authentication) \
  X(missing_message_id, authentication)        \
  X(malformed_message_id, authentication)      \
  X(missing_field, malformed)                  \
  X(invalid_field, malformed)                  \
  X(unknown_status, malformed)                 \
  X(inconsistent_status, malformed)            \
  X(conflicting_job_id, malformed)             \
  X(invalid_job_id, malformed)                 \
  X(invalid_event_id, malformed)               \
  X(unknown_event_type, malformed)             \
  X(unknown_message_type, malformed)           \
  X(job_not_completed, local)                  \
  X(invalid_ttl, local)                        \
  X(invalid_disposition, local)                \
  X(invalid_interval, local)                   \
  X(invalid_index, local)                      \
  X(deadline_exceeded, local)                  \
  X(poll_not_retryable, local)                 \
  X(no_valid_events, malformed)                \
  X(invalid_event, malformed)                  \
  X(unknown_kind, malformed)                   \
  X(unknown_phase, malformed)                  \
  X(unknown_subscription_key, malformed)       \
  X(invalid_events_type, malformed)            \
  X(missing_url, malformed)                    \
  X(no_progress_event, malformed)              \
  X(invalid_delivery_key, malformed)           \
  X(invalid_progress, malformed)               \
  X(event_not_string, malformed)               \
  X(empty_event, malformed)                    \
  X(cross_kind_event, malformed)               \
  X(duplicate_event, malformed)                \
  X(invalid_secret, malformed)                 \
  X(invalid_webhook, malformed)                \
  X(invalid_url, malformed)                    \
  X(https_required, malformed)                 \
  X(unsupported_scheme, malformed)             \
  X(loopback_host, malformed)                  \
  X(private_host, malformed)                   \
  X(link_local_host, malformed)                \
  X(unspecified_host, malformed)               \
  X(non_global_host, malformed)                \
  X(userinfo_not_allowed, malformed)           \
  X(non_ascii_host, malformed)                 \
  X(localhost_name, malformed)                 \
  X(wildcard_host, malformed)                  \
  X(invalid_port, malformed)                   \
  X(invalid_ipv4, malformed)                   \
  X(invalid_ipv6, malformed)                   \
  X(invalid_host, malformed)                   \
  X(missing_host, malformed)                   \
  X(invalid_url_type, malformed)               \
  X(store_unavailable, local)                  \
  X(store_error, local)                        \
  X(claim_lost, local)                         \
  X(handler_failed, local)                     \
  X(invalid_dedup_key, malformed)              \
  X(store_full, local)                         \
  X(unsigned_not_allowed, local)               \
  X(already_delivered, local)                  \
  X(already_queued, local)                     \
  X(already_failed, local)                     \
  X(phase_not_subscribed, local)               \
  X(invalid_outcome, local)                    \
  X(invalid_timeout, local)                    \
  X(invalid_attempt, local)                    \
  X(invalid_retry_policy, local)               \
  X(status_change_mismatch, malformed)         \
  X(missing_endpoint_id, malformed)            \
  X(invalid_endpoint_id, malformed)            \
  X(url_not_allowed, malformed)                \
  X(secret_not_allowed, malformed)             \
  X(empty_url, malformed)                      \
  X(invalid_endpoint_secret, malformed)        \
  X(invalid_endpoint_name, malformed)          \
  X(invalid_list_limit, malformed)             \
  X(cancellation_disabled, malformed)          \
  X(service_error, malformed)                  \
  X(store_not_supported, local)                \
  X(invalid_metric_name, local)                \
  X(invalid_retry_after, malformed)

namespace jobwire {

/// Every error jobwire reports. The numeric value is stable (see the note above).
enum class errc : std::uint16_t {
#define JOBWIRE_X_ENUM(name, id, msg) name = id,
  JOBWIRE_ERROR_CODES(JOBWIRE_X_ENUM)
#undef JOBWIRE_X_ENUM
};

/// Stable snake_case name, e.g. "signature_mismatch". Never empty; "unknown_error" for
/// values that are not codes.
constexpr std::string_view error_name(errc code) noexcept {
  switch (code) {
#define JOBWIRE_X_NAME(name, id, msg) \
  case errc::name: return #name;
    JOBWIRE_ERROR_CODES(JOBWIRE_X_NAME)
#undef JOBWIRE_X_NAME
  }
  return "unknown_error";
}

/// One-line human message. Contains no caller-supplied data.
constexpr std::string_view error_message(errc code) noexcept {
  switch (code) {
#define JOBWIRE_X_MSG(name, id, msg) \
  case errc::name: return msg;
    JOBWIRE_ERROR_CODES(JOBWIRE_X_MSG)
#undef JOBWIRE_X_MSG
  }
  return "unknown error code";
}

/// Looks a code up by its stable name (used by the CLI and bindings); false if unknown.
constexpr bool error_from_name(std::string_view name, errc& out) noexcept {
#define JOBWIRE_X_FIND(n, id, msg) \
  if (name == #n) {                \
    out = errc::n;                 \
    return true;                   \
  }
  JOBWIRE_ERROR_CODES(JOBWIRE_X_FIND)
#undef JOBWIRE_X_FIND
  return false;
}

/// True when `value` is the numeric id of some code.
constexpr bool is_error_code(int value) noexcept {
#define JOBWIRE_X_IS(n, id, msg) \
  if (value == id) return true;
  JOBWIRE_ERROR_CODES(JOBWIRE_X_IS)
#undef JOBWIRE_X_IS
  return false;
}

/// How a receiver replies to a delivery refused with a code (PROTOCOL.md §13; the table
/// `JOBWIRE_ERROR_REPLY_CLASSES` above says why each code is in its class).
enum class reply_class : std::uint8_t {
  ok,              ///< no error: 200
  authentication,  ///< 401: not authentic or not fresh
  malformed,       ///< 400: the request is wrong; a retry cannot help
  local,           ///< 503: the receiver failed; the sender retries
};

constexpr std::string_view reply_class_name(reply_class c) noexcept {
  switch (c) {
    case reply_class::ok: return "ok";
    case reply_class::authentication: return "authentication";
    case reply_class::malformed: return "malformed";
    case reply_class::local: return "local";
  }
  return "local";
}

/// The reply class of `code`. Values that are not codes are `local` (the receiver cannot
/// say what went wrong, so the sender should retry).
constexpr reply_class error_reply_class(errc code) noexcept {
  switch (code) {
#define JOBWIRE_X_CLASS(name, cls) \
  case errc::name: return reply_class::cls;
    JOBWIRE_ERROR_REPLY_CLASSES(JOBWIRE_X_CLASS)
#undef JOBWIRE_X_CLASS
  }
  return reply_class::local;
}

/// The HTTP status of a reply class: 200, 401, 400, 503.
constexpr int http_status_of(reply_class c) noexcept {
  switch (c) {
    case reply_class::ok: return 200;
    case reply_class::authentication: return 401;
    case reply_class::malformed: return 400;
    case reply_class::local: return 503;
  }
  return 503;
}

/// The HTTP status a receiver replies with when it refuses a delivery with `code`.
constexpr int http_status_of(errc code) noexcept { return http_status_of(error_reply_class(code)); }

/// An error: a code plus, for parse errors, the byte offset in the input where it was
/// detected (`no_offset` otherwise).
struct error {
  static constexpr std::size_t no_offset = static_cast<std::size_t>(-1);

  errc code = errc::ok;
  std::size_t offset = no_offset;

  constexpr error() noexcept = default;
  constexpr error(errc c, std::size_t off = no_offset) noexcept : code(c), offset(off) {}  // NOLINT

  constexpr std::string_view name() const noexcept { return error_name(code); }
  constexpr std::string_view message() const noexcept { return error_message(code); }
  constexpr bool has_offset() const noexcept { return offset != no_offset; }
  constexpr explicit operator bool() const noexcept { return code != errc::ok; }

  friend constexpr bool operator==(const error& a, const error& b) noexcept {
    return a.code == b.code && a.offset == b.offset;
  }
  friend constexpr bool operator!=(const error& a, const error& b) noexcept { return !(a == b); }
};

}  // namespace jobwire
