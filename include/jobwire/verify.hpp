// jobwire — verifying one incoming delivery (PROTOCOL.md §9, §10, §13.1, §15).
//
// Two steps, kept apart and composed once:
//
//   authenticate_delivery   the request is authentic and fresh. Reads no JSON:
//     0. profile: the one given, or detected from the header family present (§15,
//        `auto`: both families → `ambiguous_header`);
//     1. secrets: none configured is accepted only when the caller allows unsigned
//        deliveries (`lenient::unsigned_deliveries`) and the profile does not require a secret
//        (phaseo does: `secret_required`);
//     2. body size limit (`body_too_large`);
//     3. timestamp and signature headers: present, unambiguous;
//     4. timestamp syntax (strict seconds, or the SDK forms under `lenient::sdk_timestamps`) and
//        freshness (|now - ts| <= tolerance) — both cheap, so stale or garbled requests are
//        refused before any hashing;
//     5. signature: 64 hex digits, HMAC-SHA256 of `timestamp "." body` under every secret,
//        compared in constant time;
//     6. metadata headers, parsed strictly, attempt <= max attempts.
//   On success it returns an `authenticated_body`: a type only this function can make.
//
//   verify_delivery         authenticate → parse the envelope → agree:
//     7. the body is parsed by the one envelope reader (payload.hpp `parse_envelope`), and
//        only from an `authenticated_body`, so "verify before parse" (§13.1) is enforced by
//        the compiler on this path;
//     8. the metadata headers present agree with the body (`check_agreement`).
//   This is what the receiver (receiver.hpp), `jobwire verify`, the C API and Python run,
//   so a delivery that verifies is one the receiver accepts up to deduplication and
//   reconciliation (a contradicting status pair verifies: the receiver refetches, §13.3).
//
// Bodies that are not delivery envelopes (e.g. a body that is any bytes) use
// `authenticate_delivery` alone.
//
// The Standard Webhooks profiles (`standard`, `openai`, §17) take the other signature
// path in steps 3–5 (`webhook-id`/`-timestamp`/`-signature`, the signed content
// `id.timestamp.body`, the signature list of standard_webhooks.hpp) and have no metadata
// headers and no envelope: their body is any bytes, so `verify_delivery` stops after
// authentication for them (the typed view is `parse_webhook_event`).
//
// The body must be the raw bytes as received: re-serialised or re-encoded JSON does not
// verify. Nothing here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "error.hpp"
#include "freshness.hpp"
#include "headers.hpp"
#include "job.hpp"
#include "json.hpp"
#include "payload.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "signature.hpp"
#include "standard_webhooks.hpp"
#include "unix_time.hpp"

namespace jobwire {

// Default upper bound on a delivery body: a resource limit (it bounds the work an
// unauthenticated request causes), not a protocol fact, so a build may override it with
// -DJOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES=N (for the whole program: ODR).
#ifndef JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES
#  define JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES (1024u * 1024u)
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
  /// Opt-in leniencies (leniency.hpp). Read here: `lenient::sdk_timestamps` (the official
  /// SDKs' millisecond and ISO-8601 timestamp forms), `lenient::unsigned_deliveries`
  /// (a verifier without secrets accepts unsigned deliveries where the profile allows it,
  /// never under phaseo, §15; without it an empty verifier is a misconfiguration,
  /// `unsigned_not_allowed`, never "accept everything") and `lenient::unknown_status`
  /// (unknown status words in the envelope mapped as the service does, job.hpp).
  lenient leniency = lenient::none;
  /// Header names (prefix), phase set, and whether unsigned deliveries can exist.
  /// nullptr (the default) is `auto`: the profile is detected from the header family
  /// present (`select_profile`, PROTOCOL.md §15); `authenticated_delivery::prof` says
  /// which was used.
  const profile* prof = nullptr;
  /// Bodies larger than this are `body_too_large` before any work is done.
  std::size_t max_body_bytes = default_max_body_bytes;
  /// Limits of the JSON reader that parses the authenticated envelope (duplicate keys are
  /// always refused in payloads, whatever this says).
  json::limits json{};
  /// Under `auto` (`prof == nullptr`), the profile a `webhook-*`/`svix-*` delivery is
  /// checked under: `standard` (the default) or `openai` (§15: "or `openai` when
  /// configured so"), whose secrets without `whsec_` are raw bytes.
  const profile* webhooks_profile = &profiles::standard;
};

/// The raw body of a request that `authenticate_delivery` authenticated. Only that
/// function makes one, and parsing a delivery requires one (`parse_envelope` below), so a
/// body cannot reach the envelope reader on this path without its signature checked
/// (§13.1). A view: valid while the caller's body is. (The empty one a fresh
/// `authenticated_delivery` holds is no body: it parses as no JSON at all.)
class authenticated_body {
 public:
  std::string_view bytes() const noexcept { return bytes_; }

 private:
  friend struct authenticated_delivery;
  friend struct detail_authenticated_body_access;
  authenticated_body() noexcept = default;
  explicit authenticated_body(std::string_view b) noexcept : bytes_(b) {}
  std::string_view bytes_;
};

/// What authentication established. Views point into the caller's body and headers.
struct authenticated_delivery {
  /// The profile the delivery was checked under (the one given, or the detected one).
  const profile* prof = &profiles::ai_stats;
  /// False only for an unsigned delivery accepted because no secret is configured,
  /// `lenient::unsigned_deliveries` is set and the profile allows that.
  bool signature_checked = false;
  /// Index (in the order given) of the secret whose signature matched; for a `v1a`
  /// signature (§17), the verifier's secret count plus the index of the public key.
  std::size_t matched_secret = 0;
  /// The `webhook-id` of a Standard Webhooks delivery (§17), its idempotency key; empty
  /// under the service profiles.
  std::string_view message_id;
  /// The timestamp header's exact text and its value (when signed).
  std::string_view timestamp_text;
  parsed_timestamp timestamp{};
  /// Metadata headers that were present (all strictly valid). Headers are not signed:
  /// only their agreement with the body makes them trustworthy.
  delivery_headers headers;
  /// The body, authenticated.
  authenticated_body body;
};

/// What verification established: authentication plus the parsed envelope.
struct verified_delivery : authenticated_delivery {
  /// The delivery body, read by the one envelope reader. Views point into the body.
  envelope_view envelope;
};

// The only maker of `authenticated_body` (and of the empty one a default
// `authenticated_delivery` holds). Not for callers.
struct detail_authenticated_body_access {
  static authenticated_body make(std::string_view b) noexcept { return authenticated_body(b); }
};

namespace detail {
/// Steps 0–5 of the file comment into `out`; `scanned` keeps what the one pass over the
/// headers found, the metadata headers' text among it (step 6 is the caller's:
/// `authenticate_delivery` runs it next, `verify_delivery` and the receiver together with
/// the body's fields, `finish_delivery`). A Standard Webhooks delivery, which has no
/// step 6, is complete here (its body set); a service delivery's body is set once step 6
/// passed.
template <class Headers>
[[nodiscard]] inline void_result authenticate_signed(std::string_view body, const Headers& headers,
                                                     const verifier& secrets, std::int64_t now_seconds,
                                                     authenticated_delivery& out, delivery_header_scan& scanned,
                                                     const verify_options& opts) noexcept {
  static_cast<authenticated_delivery&>(out) = authenticated_delivery();

  // §15: detection picks rules, never keys; the secrets given are the only ones tried, and
  // whatever family arrives a verifier holding a secret still requires a signature below.
  // One pass over the headers selects the profile and collects everything read below
  // (headers.hpp `scan_delivery_headers`: detection and collection would read each header
  // four times); its verdict on a repeated header waits for step 3.
  if (auto st = scan_delivery_headers(headers, opts.prof, scanned); !st) return st;
  const profile* selected = scanned.prof;
  if (opts.prof == nullptr && selected == &profiles::standard && opts.webhooks_profile != nullptr &&
      opts.webhooks_profile->scheme == signature_scheme::webhooks)
    selected = opts.webhooks_profile;
  const profile& prof = *selected;
  out.prof = &prof;

  // A verifier without keys is a configuration fact, decided before the request is read.
  if (secrets.empty()) {
    if (!allows(opts.leniency, lenient::unsigned_deliveries)) return errc::unsigned_not_allowed;
    // PROTOCOL.md §15: under phaseo every delivery is signed, so a receiver without a
    // secret is misconfigured rather than "accepting unsigned".
    if (prof.secret_required) return errc::secret_required;
  }

  if (body.size() > opts.max_body_bytes) return errc::body_too_large;

  if (prof.scheme == signature_scheme::webhooks) {
    // §17: the three headers of either family; every delivery is signed (the profile
    // requires a secret, checked above).
    auto wh = collect_webhook_headers(headers, prof);
    if (!wh) return wh.error();
    if (!wh->id) return errc::missing_message_id;
    if (!wh->timestamp) return errc::missing_timestamp;
    if (!wh->signature) return errc::missing_signature;
    if (auto st = check_webhook_id(*wh->id); !st) return st;
    // Strict seconds only (§17: "the strict rule of §9 applies"); `sdk_compat` is the
    // service SDKs' leniency and does not apply to this scheme.
    auto ts = parse_timestamp(*wh->timestamp, false);
    if (!ts) return ts.error();
    if (auto fresh = check_freshness(*ts, now_seconds, opts.tolerance_seconds); !fresh) return fresh.error();
    auto matched = verify_webhook_signature(secrets, prof, *wh->id, *wh->timestamp, body, *wh->signature);
    if (!matched) return matched.error();
    out.signature_checked = true;
    out.matched_secret = *matched;
    out.timestamp_text = *wh->timestamp;
    out.timestamp = *ts;
    out.message_id = *wh->id;
    out.body = detail_authenticated_body_access::make(body);
    return {};
  }

  if (scanned.deferred != errc::ok) return scanned.deferred;
  const raw_delivery_headers* raw = &scanned.raw;

  if (!secrets.empty()) {
    if (!raw->timestamp) return errc::missing_timestamp;
    if (!raw->signature) return errc::missing_signature;

    auto ts = parse_timestamp(*raw->timestamp, allows(opts.leniency, lenient::sdk_timestamps));
    if (!ts) return ts.error();
    if (auto fresh = check_freshness(*ts, now_seconds, opts.tolerance_seconds); !fresh) return fresh.error();

    auto matched = secrets.verify(*raw->timestamp, body, *raw->signature);
    if (!matched) {
      // §17: a Standard Webhooks list checked under a service profile is the wrong profile
      // chosen, said as such rather than as a garbled signature.
      if (matched.code() == errc::malformed_signature && is_webhook_signature_list(*raw->signature))
        return errc::signature_scheme_mismatch;
      return matched.error();
    }

    out.signature_checked = true;
    out.matched_secret = *matched;
    out.timestamp_text = *raw->timestamp;
    out.timestamp = *ts;
  }

  return {};
}
}  // namespace detail

/// Step 1–6 of the file comment into `out`, filled as far as it got: on failure the
/// metadata headers read so far stay readable (a receiver counts the attempt of a
/// rejected retry). `[[nodiscard]]`: ignoring it would trust an unverified request.
template <class Headers>
[[nodiscard]] inline void_result authenticate_delivery(std::string_view body, const Headers& headers,
                                                       const verifier& secrets, std::int64_t now_seconds,
                                                       authenticated_delivery& out,
                                                       const verify_options& opts = {}) noexcept {
  delivery_header_scan scanned;
  if (auto st = detail::authenticate_signed(body, headers, secrets, now_seconds, out, scanned, opts); !st) return st;
  if (out.prof->scheme == signature_scheme::webhooks) return {};
  auto meta = parse_delivery_headers(scanned.raw, *out.prof);
  if (!meta) return meta.error();
  out.headers = *meta;
  out.body = detail_authenticated_body_access::make(body);
  return {};
}

/// Authenticates a delivery without reading its body: for bodies that are not delivery
/// envelopes. A delivery envelope is checked with `verify_delivery`.
template <class Headers>
[[nodiscard]] inline result<authenticated_delivery> authenticate_delivery(std::string_view body, const Headers& headers,
                                                                          const verifier& secrets,
                                                                          std::int64_t now_seconds,
                                                                          const verify_options& opts = {}) noexcept {
  authenticated_delivery out;
  if (auto st = authenticate_delivery(body, headers, secrets, now_seconds, out, opts); !st) return st.error();
  return out;
}

/// The payload options the envelope of a received delivery is read with: the receiver's
/// (§13.3: a payload whose two status fields contradict each other is accepted and reads
/// `consistent == false`, so the receiver refetches instead of refusing it), under the
/// profile the delivery was authenticated with (given or detected).
inline payload_options delivery_payload_options(const verify_options& opts, const profile& prof) noexcept {
  payload_options p;
  p.leniency = (opts.leniency & lenient::unknown_status) | lenient::inconsistent_status;
  p.prof = &prof;
  p.json = opts.json;
  return p;
}

/// Reads the envelope of an authenticated delivery (payload.hpp's reader, the only one).
[[nodiscard]] inline result<envelope_view> parse_envelope(const authenticated_body& body,
                                                          const payload_options& opt) noexcept {
  return parse_envelope(body.bytes(), opt);
}

/// Header↔body agreement (§9): every metadata header present equals the body's field.
/// Headers are not signed, so the body decides; a header the body has no field for
/// (`delivery-key`, `attempt`, `max-attempts` when the body carries no `delivery`) has
/// nothing to disagree with and is ignored, the event id and type always do.
[[nodiscard]] inline void_result check_agreement(const delivery_headers& h, const envelope_view& e) noexcept {
  if (h.event_id && *h.event_id != e.id) return errc::header_body_mismatch;
  if (h.type && *h.type != e.type) return errc::header_body_mismatch;
  if (e.delivery.present) {
    if (h.key && *h.key != e.delivery.key) return errc::header_body_mismatch;
    if (h.attempt && *h.attempt != e.delivery.attempt) return errc::header_body_mismatch;
    if (h.max_attempts && *h.max_attempts != e.delivery.max_attempts) return errc::header_body_mismatch;
  }
  return {};
}

namespace detail {
/// Step 6, once step 7 ran, and step 8, for a service delivery `authenticate_signed`
/// accepted: `env` is the envelope reader's result for its body. The verdict is the one
/// of the steps in order — step 6's error first (as authentication's: `metadata_ok` stays
/// false and `out` gets no headers and no body), then the envelope's, then step 8's —
/// and `out.headers`/`out.body` are set once step 6 passed.
///
/// Every metadata header is a second copy of a body field, so the body read first
/// settles most of step 6: a header whose text equals the text the envelope reader
/// accepted for that field (the event id, the type, the delivery key: each checked there
/// by the same parser under the same profile, without escapes) is valid and agrees, and
/// is not parsed again. Any other header takes the strict parse
/// (`parse_delivery_headers`) and then the agreement check, so a malformed header is
/// still `malformed_header` and a valid one that differs `header_body_mismatch`.
inline void_result finish_delivery(std::string_view body, const raw_delivery_headers& raw,
                                   const result<envelope_view>& env, authenticated_delivery& out,
                                   bool& metadata_ok) noexcept {
  metadata_ok = false;
  if (env) {
    const envelope_view& e = *env;
    if ((!raw.event_id || *raw.event_id == e.id) && (!raw.event_type || *raw.event_type == e.type_text) &&
        (!raw.delivery_key || (e.delivery.present && *raw.delivery_key == e.delivery.key_text))) {
      delivery_headers h;
      if (raw.event_id) h.event_id = *raw.event_id;
      if (raw.event_type) h.type = e.type;
      if (raw.delivery_key) h.key = e.delivery.key;
      // The counts as `parse_delivery_headers` reads them, in its order.
      if (void_result st = detail::read_attempt_counts(raw, h); !st) return st.error();
      metadata_ok = true;
      out.headers = h;
      out.body = detail_authenticated_body_access::make(body);
      // `check_agreement` with the texts found equal above: only the counts can differ.
      if (e.delivery.present && ((h.attempt && *h.attempt != e.delivery.attempt) ||
                                 (h.max_attempts && *h.max_attempts != e.delivery.max_attempts)))
        return errc::header_body_mismatch;
      return {};
    }
  }
  auto meta = parse_delivery_headers(raw, *out.prof);
  if (!meta) return meta.error();
  metadata_ok = true;
  out.headers = *meta;
  out.body = detail_authenticated_body_access::make(body);
  if (!env) return env.error();
  return check_agreement(out.headers, *env);
}
}  // namespace detail

/// Verifies one delivery: authenticate → parse → agree (file comment), into `out`, filled
/// as far as it got (the metadata headers once authentication passed; the envelope once
/// it was read, also when the headers disagree with it).
template <class Headers>
[[nodiscard]] inline void_result verify_delivery(std::string_view body, const Headers& headers, const verifier& secrets,
                                                 std::int64_t now_seconds, verified_delivery& out,
                                                 const verify_options& opts = {}) noexcept {
  // The envelope is cleared only where it is not read (it is ~1.5 KB: clearing it first
  // and then copying the read one over it was measurable per delivery).
  delivery_header_scan scanned;
  if (auto st = detail::authenticate_signed(body, headers, secrets, now_seconds, out, scanned, opts); !st) {
    out.envelope = envelope_view{};
    return st;
  }
  // §17: the body of a Standard Webhooks delivery is any bytes, with no envelope to agree.
  if (out.prof->scheme == signature_scheme::webhooks) {
    out.envelope = envelope_view{};
    return {};
  }
  // §13.1: the body is read once its signature was checked (the metadata headers, which
  // are not signed, are judged with it: `finish_delivery`).
  const result<envelope_view> env =
      parse_envelope(detail_authenticated_body_access::make(body), delivery_payload_options(opts, *out.prof));
  bool metadata_ok = false;
  const void_result verdict = detail::finish_delivery(body, scanned.raw, env, out, metadata_ok);
  if (metadata_ok && env) out.envelope = *env;
  else out.envelope = envelope_view{};
  return verdict;
}

/// Verifies one delivery (see the overload above). `body` is the raw request body;
/// `headers` any host header representation accepted by `find_header`; `secrets` the
/// receiver's verifier (shared by any number of threads); `now_seconds` the host's clock.
template <class Headers>
[[nodiscard]] inline result<verified_delivery> verify_delivery(std::string_view body, const Headers& headers,
                                                               const verifier& secrets, std::int64_t now_seconds,
                                                               const verify_options& opts = {}) noexcept {
  verified_delivery out;
  if (auto st = verify_delivery(body, headers, secrets, now_seconds, out, opts); !st) return st.error();
  return out;
}

// The same four calls with the host's clock as `unix_time` (unix_time.hpp), the type the
// receiver, the dedup stores and the sender take: freshness is decided on its whole
// seconds (floored), exactly as with `to_unix_seconds(now)`.
template <class Headers>
[[nodiscard]] inline void_result authenticate_delivery(std::string_view body, const Headers& headers,
                                                       const verifier& secrets, unix_time now,
                                                       authenticated_delivery& out,
                                                       const verify_options& opts = {}) noexcept {
  return authenticate_delivery(body, headers, secrets, to_unix_seconds(now), out, opts);
}
template <class Headers>
[[nodiscard]] inline result<authenticated_delivery> authenticate_delivery(std::string_view body, const Headers& headers,
                                                                          const verifier& secrets, unix_time now,
                                                                          const verify_options& opts = {}) noexcept {
  return authenticate_delivery(body, headers, secrets, to_unix_seconds(now), opts);
}
template <class Headers>
[[nodiscard]] inline void_result verify_delivery(std::string_view body, const Headers& headers, const verifier& secrets,
                                                 unix_time now, verified_delivery& out,
                                                 const verify_options& opts = {}) noexcept {
  return verify_delivery(body, headers, secrets, to_unix_seconds(now), out, opts);
}
template <class Headers>
[[nodiscard]] inline result<verified_delivery> verify_delivery(std::string_view body, const Headers& headers,
                                                               const verifier& secrets, unix_time now,
                                                               const verify_options& opts = {}) noexcept {
  return verify_delivery(body, headers, secrets, to_unix_seconds(now), opts);
}

}  // namespace jobwire
