// jobwire — verifying one incoming delivery (PROTOCOL.md §9, §15).
//
// `verify_delivery` is the single call a receiver makes before trusting a webhook:
//
//   0. profile: the one given, or detected from the header family present (§15, `auto`:
//      both families → `ambiguous_header`);
//   1. secrets: none configured is allowed only when the profile does not require a
//      secret (phaseo requires one: `secret_required`);
//   2. body size limit (`body_too_large`);
//   3. timestamp and signature headers: present, unambiguous;
//   4. timestamp syntax (strict seconds, or the SDK forms under `sdk_compat`) and
//      freshness (|now - ts| <= tolerance) — both cheap, so stale or garbled requests are
//      refused before any hashing;
//   5. signature: 64 hex digits, HMAC-SHA256 of `timestamp "." body` under every secret,
//      compared in constant time;
//   6. metadata headers, parsed strictly, attempt <= max attempts;
//   7. when the (now authenticated) body is a delivery envelope and metadata headers are
//      present, headers and body must agree (`header_body_mismatch`).
//
// The body must be the raw bytes as received: re-serialised or re-encoded JSON does not
// verify. Nothing here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "delivery_meta.hpp"
#include "error.hpp"
#include "freshness.hpp"
#include "headers.hpp"
#include "json.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "signature.hpp"

namespace jobwire {

// Default upper bound on a delivery body: a resource limit (it bounds the work an
// unauthenticated request causes), not a protocol fact, so a build may override it with
// -DJOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES=N (for the whole program: ODR).
#ifndef JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES
#define JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES (1024u * 1024u)
#endif

/// Default upper bound on a delivery body (a delivery with 10 attempts and diagnostics is
/// a few KiB; 1 MiB leaves ample room and bounds the work an unauthenticated request causes).
constexpr std::size_t default_max_body_bytes = JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES;
static_assert(default_max_body_bytes >= 2, "JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES must admit a body ({})");
// A body under the body limit is never refused by the JSON reader for its size alone, so
// an oversized delivery is always reported as `body_too_large`, before any parsing.
static_assert(default_max_body_bytes <= JOBWIRE_JSON_DEFAULT_MAX_BYTES,
              "JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES must not exceed JOBWIRE_JSON_DEFAULT_MAX_BYTES");

struct verify_options {
  /// Freshness window in seconds, or `tolerance_none` to skip the check.
  std::int64_t tolerance_seconds = default_tolerance_seconds;
  /// Leniency: accept the official SDKs' millisecond and ISO-8601 timestamp forms.
  bool sdk_compat = false;
  /// Header names (prefix) and whether unsigned deliveries are allowed. nullptr (the
  /// default) is `auto`: the profile is detected from the header family present
  /// (`select_profile`, PROTOCOL.md §15); `verified_delivery::prof` says which was used.
  const profile* prof = nullptr;
  /// Bodies larger than this are `body_too_large` before any work is done.
  std::size_t max_body_bytes = default_max_body_bytes;
  /// Step 7 (header/body agreement) parses the body. A caller that parses the envelope
  /// anyway (receiver.hpp) turns this off and compares `verified_delivery::headers` with
  /// its own parse, so the body is read once.
  bool check_body_agreement = true;
};

/// What a successful verification established.
struct verified_delivery {
  /// The profile the delivery was verified under (the one given, or the detected one).
  const profile* prof = &profiles::ai_stats;
  /// False only for an unsigned delivery accepted because no secret is configured and the
  /// profile allows that.
  bool signature_checked = false;
  /// Index (in the order given) of the secret whose signature matched.
  std::size_t matched_secret = 0;
  /// The timestamp header's exact text and its value (when signed).
  std::string_view timestamp_text;
  parsed_timestamp timestamp{};
  /// Metadata headers that were present (all strictly valid).
  delivery_headers headers;
  /// True when the body was a delivery envelope and every metadata header present was
  /// checked against it.
  bool body_checked = false;
};

namespace detail {
inline status check_agreement(const delivery_headers& h, const delivery_meta& m) noexcept {
  if (h.event_id && !m.event_id.equals(*h.event_id)) return errc::header_body_mismatch;
  if (h.type && *h.type != m.type) return errc::header_body_mismatch;
  if (h.key && *h.key != m.key) return errc::header_body_mismatch;
  if (h.attempt && *h.attempt != m.attempt) return errc::header_body_mismatch;
  if (h.max_attempts && *h.max_attempts != m.max_attempts) return errc::header_body_mismatch;
  return {};
}
}  // namespace detail

/// Verifies one delivery. `body` is the raw request body; `headers` any host header
/// representation accepted by `find_header`; `secrets` the receiver's verifier (one per
/// thread); `now_seconds` the host's clock. See the file comment for the order of checks.
template <class Headers>
[[nodiscard]] inline result<verified_delivery> verify_delivery(std::string_view body, const Headers& headers,
                                                               verifier& secrets, std::int64_t now_seconds,
                                                               const verify_options& opts = {}) noexcept {
  verified_delivery out;

  if (body.size() > opts.max_body_bytes) return errc::body_too_large;

  // §15: detection picks rules, never keys; the secrets given are the only ones tried, and
  // whatever family arrives a verifier holding a secret still requires a signature below.
  auto selected = select_profile(headers, opts.prof);
  if (!selected) return selected.error();
  const profile& prof = **selected;
  out.prof = &prof;

  // One pass over the headers collects everything read below.
  auto raw = collect_delivery_headers(headers, prof);
  if (!raw) return raw.error();

  if (secrets.empty()) {
    // PROTOCOL.md §15: under phaseo every delivery is signed, so a receiver without a
    // secret is misconfigured rather than "accepting unsigned".
    if (prof.secret_required) return errc::secret_required;
  } else {
    if (!raw->timestamp) return errc::missing_timestamp;
    if (!raw->signature) return errc::missing_signature;

    auto ts = parse_timestamp(*raw->timestamp, opts.sdk_compat);
    if (!ts) return ts.error();
    if (auto fresh = check_freshness(*ts, now_seconds, opts.tolerance_seconds); !fresh) return fresh.error();

    auto matched = secrets.verify(*raw->timestamp, body, *raw->signature);
    if (!matched) return matched.error();

    out.signature_checked = true;
    out.matched_secret = *matched;
    out.timestamp_text = *raw->timestamp;
    out.timestamp = *ts;
  }

  const bool has_metadata =
      raw->event_id || raw->event_type || raw->delivery_key || raw->attempt || raw->max_attempts;
  if (has_metadata) {
    auto meta = parse_delivery_headers(*raw, prof);
    if (!meta) return meta.error();
    out.headers = *meta;
    if (!opts.check_body_agreement) return out;

    // Only an authenticated body is parsed. A body that is not JSON, or JSON that is not a
    // delivery envelope, has no identity to compare; the payload reader judges it later.
    auto root = json::parse(body);
    if (root && root->is_object()) {
      auto obj = root->get_object();
      if (obj && is_delivery_envelope(*obj)) {
        auto m = parse_delivery_meta(*obj, prof, body.data());
        if (!m) return m.error();
        if (auto agree = detail::check_agreement(out.headers, *m); !agree) return agree.error();
        out.body_checked = true;
      }
    }
  }
  return out;
}

}  // namespace jobwire
