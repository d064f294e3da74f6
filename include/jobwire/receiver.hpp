// jobwire — the receiver pipeline: one transport-agnostic call per incoming webhook
// (PROTOCOL.md §2, §9, §13).
//
//   verify (authenticate → parse → agree) → claim → reconcile → handler → commit
//
//   1. verify  (verify.hpp `verify_delivery`: authenticate → parse → agree), the same
//      composed call `jobwire verify`, the C API and Python run, so what they call valid
//      is what this accepts. A bad signature or stale timestamp is 401, a malformed
//      header or envelope 400. Nothing is parsed before the body is authenticated (§13.1:
//      the envelope reader takes only an `authenticated_body`). The envelope is read with
//      `lenient::inconsistent_status`, so a payload whose two status fields contradict each
//      other reaches reconciliation and becomes `refetch` instead of a 400 (§13.3).
//   2. claim   the dedup key (dedup.hpp) in the caller's store: (job id, delivery key) when
//      the envelope carries a delivery key, the event id otherwise — never the delivery
//      key alone (§2). done → `duplicate` (200); a live lease elsewhere → `in_flight` (503).
//      Claiming before reading local state serialises concurrent copies of a delivery:
//      only the holder reconciles and runs the effect (§13.2).
//      Then the job lease (`dedup_key::for_job`, same store, same lease length): held from
//      the state load to the commit, it serialises every delivery of one job across
//      threads, processes and machines. Deliveries of one job carry different keys and
//      arrive concurrently and in any order (§16.7); without it, `progress:90` and
//      `completed` both load `running`, both reconcile to `apply`, and the later write
//      undoes the acknowledged terminal state for good (every later copy of `completed`
//      is a duplicate). Busy → the delivery's claim is released and the reply is
//      `in_flight` (503): the sender retries. The core never sleeps or reads a clock, so
//      it does not wait; a host may retry the call itself after a short pause. The lease
//      expires like any claim, so a holder that crashed frees the job after `lease`.
//   3. reconcile (reconcile.hpp) the payload against the locally held job state.
//   4. handler (given the envelope, the decision and the dedup key) runs for `apply` (persist `decision.next`, run the
//   side effect) and for
//      `refetch` (fetch the status object, or durably schedule that fetch). A failing
//      handler releases the claim and the reply is 503, so the sender's retry is processed.
//   5. commit  the key after `apply`, `no_change` and `ignore_stale`: the delivery was
//      handled and its copies are duplicates from now on. Then release the job lease.
//
// `refetch` releases the claim instead of committing it (after a successful handler,
// reply 200). The delivery's content was not applied — it disagreed with local state —
// so nothing marks it done: a copy arriving after the host refetched is reconciled again
// against the refreshed state, which is always safe (reconciliation is idempotent and
// applies nothing twice), whereas a committed key would turn that copy into a duplicate
// and a refetch the host lost (crash between reply and fetch) could never be triggered
// by the delivery again.
//
// Decisions and replies (§13): process, duplicate, no_change, ignore_stale, refetch → 200;
// reject → the reply class of the error code (error.hpp): 401 (signature or timestamp),
// 400 (malformed delivery), 503 (local failure, e.g. no secret configured without allowing
// unsigned deliveries); any failure a host callback returns (store, state loader,
// handler) → 503 whatever its code; in_flight → 503.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "counters.hpp"  // receiver counters (not monitor.hpp, which includes the sender)
#include "dedup.hpp"
#include "error.hpp"
#include "headers.hpp"
#include "payload.hpp"
#include "reconcile.hpp"
#include "result.hpp"
#include "signature.hpp"
#include "verify.hpp"

namespace jobwire {

// Every job id the envelope reader accepts makes a dedup key, so a delivery
// `verify_delivery` calls valid is not refused by the receiver for its key.
static_assert(max_dedup_job_id_length >= max_job_id_length, "dedup keys must hold every valid job id");

struct receiver_options {
  /// Freshness window, profile (header prefix, phase set, whether a secret is required;
  /// nullptr = `auto`, detected per request, §15) and the limits: `verify.max_body_bytes`
  /// (checked before any work) and `verify.json`, the JSON limits the envelope is parsed
  /// with (bytes, depth, string bytes, members; payload parsing has no other resource
  /// limit). The profile also drives envelope parsing. Its `leniency` is replaced by the
  /// field below.
  verify_options verify{};
  /// Opt-in leniencies (leniency.hpp), the receiver's only set. Read here:
  /// `lenient::sdk_timestamps`; `lenient::unsigned_deliveries` (unsigned deliveries are
  /// accepted only when it is set AND the verifier holds no secret AND the profile allows
  /// it, never under phaseo, §15; without it an empty verifier is a misconfiguration:
  /// `unsigned_not_allowed`, 503, so nothing is lost while the receiver is fixed);
  /// `lenient::unknown_status` (unknown status words mapped as the service does instead
  /// of `unknown_status`, 400).
  lenient leniency = lenient::none;
  /// How long a claim is held while the handler runs (dedup.hpp: the sender's longest
  /// request timeout by default).
  std::chrono::milliseconds lease = default_claim_lease;
  /// Optional statistics (monitor.hpp): decisions, rejections by reason, retries seen.
  atomic_receiver_counters* counters = nullptr;
};

/// What `receive_delivery` decided. It holds no view into the request: the job id is
/// copied into the receipt (a fixed buffer, no heap), the key is a `dedup_key` (which owns
/// its bytes) and names are static, so a receipt may be kept, queued or logged after the
/// body and headers are gone.
struct receipt {
  receiver_decision action = receiver_decision::reject;
  /// The reply to send (PROTOCOL.md §13).
  int http_status = 500;
  /// Why: for `reject`, the error; `ok` otherwise, except when the final commit (for
  /// `process`, `no_change`, `ignore_stale`) or release (for `refetch`) failed: the reply
  /// is still 200 (what the delivery asked for is done and durable in the host's state), a
  /// copy of the delivery may be reconciled again, which applies nothing.
  errc error = errc::ok;
  /// The reconciliation, when it ran (process, no_change, ignore_stale, refetch).
  std::optional<reconcile_decision> reconciled;
  /// The claim's outcome, when a claim was made; `in_flight` also when the job's lease
  /// was held by another delivery of the job (this delivery's claim was then released).
  std::optional<claim_state> claim;
  /// `data.id` of the envelope, copied (empty before parsing succeeded).
  job_id_buffer job_id;
  /// The key deduplicated on (absent before it could be built).
  std::optional<dedup_key> key;
  /// The attempt number the delivery carried (body, else header; 0 when unknown).
  std::uint32_t attempt = 0;
  /// The profile the delivery was verified and parsed under: the one configured, or the
  /// one detected from the headers (`auto`, §15); nullptr before verification succeeded.
  const profile* prof = nullptr;
  /// The `webhook-id` of a Standard Webhooks delivery (`receive_webhook`, §17); a view
  /// into the caller's headers, empty otherwise.
  std::string_view message_id;

  /// True for the 2xx replies.
  bool acknowledged() const noexcept { return http_status >= 200 && http_status < 300; }
  /// A stable snake_case reason: the error name when `error` is set, the reconcile reason
  /// when reconciliation ran, `processed` for a Standard Webhooks delivery handled
  /// (`receive_webhook`), `done` / `in_flight` for a claim that found the key taken.
  std::string_view reason() const noexcept {
    if (error != errc::ok) return error_name(error);
    if (reconciled) return reconcile_reason_name(reconciled->reason);
    // receive_webhook (§17) has no reconciliation: a fresh claim that was handled.
    if (claim && *claim == claim_state::fresh) return "processed";
    if (claim) return claim_state_name(*claim);
    return "ok";
  }
};

namespace detail {

// The helpers below fill the receipt in place; every exit of the pipelines then returns
// the one named receipt, so it is built where the caller receives it (returning the
// helper's reference would copy the ~700-byte receipt on every delivery).

inline result<std::optional<job_state>> wrap_loaded(std::optional<job_state> s) noexcept { return s; }
inline result<std::optional<job_state>> wrap_loaded(result<std::optional<job_state>> s) noexcept { return s; }

inline receipt& finish_receipt(receipt& r, const receiver_options& opt) noexcept {
  if (opt.counters != nullptr)
    opt.counters->record(r.action, r.attempt, r.action == receiver_decision::reject ? r.error : errc::ok);
  return r;
}

inline receipt& reject_receipt(receipt& r, errc e, const receiver_options& opt) noexcept {
  r.action = receiver_decision::reject;
  r.error = e;
  // The reply class of the code (error.hpp's table, PROTOCOL.md §13).
  r.http_status = http_status_of(e);
  return finish_receipt(r, opt);
}

// A failure returned by the host — the store, the state loader, the handler — is local
// whatever its code: the delivery itself may be fine, so the reply is 503 and the sender's
// retry is processed once the host recovers (§13). A handler that returns `not_found`
// or `limit_exceeded` must not turn a good delivery into a permanent 400.
inline receipt& host_failure_receipt(receipt& r, errc e, const receiver_options& opt) noexcept {
  reject_receipt(r, e, opt);
  r.http_status = http_status_of(reply_class::local);
  return r;
}

inline receipt& decide(receipt& r, receiver_decision d, int http, const receiver_options& opt) noexcept {
  r.action = d;
  r.http_status = http;
  return finish_receipt(r, opt);
}

}  // namespace detail

/// Handles one delivery end to end.
///
/// - `body`: the raw request body, byte for byte (re-serialised JSON does not verify).
/// - `headers`: any representation `find_header` accepts (headers.hpp).
/// - `secrets`: the verifier, shared by every thread (an empty one only with `lenient::unsigned_deliveries`).
/// - `store`: a dedup store (`is_dedup_store`: memory, SQLite, Redis, PostgreSQL).
/// - `now`: the host's clock (unix_time.hpp; its whole seconds decide freshness).
/// - `load(std::string_view job_id)` → `std::optional<job_state>` or
///   `result<std::optional<job_state>>`: the locally held state (`nullopt`: not known;
///   an error: 503). Called only while the claim and the job's lease are held: nothing
///   else run through this pipeline on the same store writes the job's state until the
///   handler returned. Other writers of job state (a poller) run their
///   read-modify-write inside `with_job_lease` (below) on the same store.
/// - `handler(const envelope_view&, const reconcile_decision&, const dedup_key&)` →
///   `status`: called for
///   `apply` (persist `decision.next` durably and run the side effect) and `refetch`
///   (fetch the status object or durably schedule the fetch). Any error → the claim is
///   released and the reply is 503 with the handler's code (so the retry is processed).
///   It must finish within `opt.lease`: after that the job lease may pass to another
///   delivery (reported afterwards as `claim_lost` in `receipt::error`).
/// An authentic Standard Webhooks delivery (§17) is `webhook_delivery_misrouted` (503,
/// nothing claimed): it belongs to `receive_webhook` (below).
template <class Headers, class Store, class Load, class Handler>
[[nodiscard]] inline receipt receive_delivery(std::string_view body, const Headers& headers, const verifier& secrets,
                                              Store& store, unix_time now, Load&& load, Handler&& handler,
                                              const receiver_options& opt = {}) noexcept {
  static_assert(require_dedup_store<Store>(), "see dedup.hpp");
  receipt r;

  // 1. verify (§9, §10, §13.1): authenticate, parse the envelope, headers agree with it —
  // `verify_delivery`'s steps (verify.hpp), with the envelope read where it stays (not
  // copied into a `verified_delivery`).
  verify_options vopt = opt.verify;
  vopt.leniency = opt.leniency;
  authenticated_delivery auth;
  delivery_header_scan scanned;
  const void_result signed_ok =
      detail::authenticate_signed(body, headers, secrets, to_unix_seconds(now), auth, scanned, vopt);
  if (!signed_ok) {
    detail::reject_receipt(r, signed_ok.code(), opt);
    return r;
  }
  // §17: a Standard Webhooks body is no delivery envelope; such deliveries go through
  // `receive_webhook`. The delivery is authentic and well-formed: reaching here is the
  // host's wiring, so `webhook_delivery_misrouted`, a local error (503). Nothing is
  // claimed or acknowledged, and the sender retries on its schedule (over days for
  // Standard Webhooks senders), so the delivery is processed once the host routes it. A
  // 4xx would blame the request (400 is "retrying cannot help"; 410 disables the
  // endpoint), and a 2xx would drop the event unhandled.
  if (auth.prof->scheme == signature_scheme::webhooks) {
    r.prof = auth.prof;
    {
      detail::reject_receipt(r, errc::webhook_delivery_misrouted, opt);
      return r;
    }
  }
  const result<envelope_view> read =
      parse_envelope(detail_authenticated_body_access::make(body), delivery_payload_options(vopt, *auth.prof));
  bool metadata_ok = false;
  const void_result checked = detail::finish_delivery(body, scanned.raw, read, auth, metadata_ok);
  if (auth.headers.attempt) r.attempt = *auth.headers.attempt;
  // The profile given, or the one detected (§15), once authentication passed (a rejected
  // envelope still reports the profile it was read under).
  if (metadata_ok) r.prof = auth.prof;
  if (!checked) {
    detail::reject_receipt(r, checked.code(), opt);
    return r;
  }
  const envelope_view* env = &*read;
  const std::string_view job = env->data.id.str();
  (void)r.job_id.assign(job);  // the envelope reader accepts no longer id (§2)
  if (env->delivery.present) r.attempt = env->delivery.attempt;

  // 2. claim (§2: per job, never the delivery key alone)
  auto key =
      env->delivery.present ? dedup_key::for_delivery(job, env->delivery.key_text) : dedup_key::for_event(env->id);
  if (!key) {
    detail::reject_receipt(r, key.code(), opt);
    return r;
  }
  const auto job_key = dedup_key::for_job(job);
  if (!job_key) {
    detail::reject_receipt(r, job_key.code(), opt);
    return r;
  }
  r.key = *key;
  auto claimed = store.claim(*key, now, opt.lease);
  if (!claimed) {
    detail::host_failure_receipt(r, claimed.code(), opt);
    return r;
  }
  r.claim = claimed->state;
  if (claimed->state == claim_state::done) {
    detail::decide(r, receiver_decision::duplicate, 200, opt);
    return r;
  }
  if (claimed->state == claim_state::in_flight) {
    detail::decide(r, receiver_decision::in_flight, 503, opt);
    return r;
  }
  const claim_token token = claimed->token;

  // 2b. lease the job (§13.3, §16.7; see the file comment): deliveries of one job with
  // different keys arrive concurrently, and reconciling two of them against the same
  // loaded state lets the later write undo the earlier one. Busy → in_flight, 503.
  auto leased = store.claim(*job_key, now, opt.lease);
  if (!leased || leased->state != claim_state::fresh) {
    (void)store.release(*key, token);
    if (!leased) {
      detail::host_failure_receipt(r, leased.code(), opt);
      return r;
    }
    r.claim = claim_state::in_flight;
    {
      detail::decide(r, receiver_decision::in_flight, 503, opt);
      return r;
    }
  }
  const claim_token job_token = leased->token;
  // Releases the job lease on every path from here on. A lease that was taken over (the
  // handler outlived `opt.lease`) is reported as claim_lost unless an error is set.
  auto unlease = [&]() noexcept {
    if (auto rel = store.release(*job_key, job_token); !rel && r.error == errc::ok) r.error = rel.code();
  };

  // 3. reconcile (§13.3) against the state held while the claim and the job lease are ours
  result<std::optional<job_state>> held = detail::wrap_loaded(load(job));
  if (!held) {
    (void)store.release(*key, token);
    (void)store.release(*job_key, job_token);
    {
      detail::host_failure_receipt(r, held.code(), opt);
      return r;
    }
  }
  // `update_from(envelope)`: a status_changed delivery is a transition hint (§16.1).
  const reconcile_decision d = reconcile(*held, update_from(*env));
  r.reconciled = d;

  // 4. handler: the side effect (apply) or the refetch
  if (d.action == reconcile_action::apply || d.action == reconcile_action::refetch) {
    void_result done = handler(static_cast<const envelope_view&>(*env), d, static_cast<const dedup_key&>(*key));
    if (!done) {
      // Forget the claim so the sender's retry is processed (§13.2 jobwire policy).
      (void)store.release(*key, token);
      (void)store.release(*job_key, job_token);
      {
        detail::host_failure_receipt(r, done.code(), opt);
        return r;
      }
    }
  }

  // 5. commit (or, for refetch, release: see the file comment), then free the job
  if (d.action == reconcile_action::refetch) {
    if (auto rel = store.release(*key, token); !rel) r.error = rel.code();
    unlease();
    {
      detail::decide(r, receiver_decision::refetch, 200, opt);
      return r;
    }
  }
  if (auto c = store.commit(*key, token, now); !c) r.error = c.code();
  unlease();
  switch (d.action) {
    case reconcile_action::apply: {
      detail::decide(r, receiver_decision::process, 200, opt);
      return r;
    }
    case reconcile_action::ignore_stale: {
      detail::decide(r, receiver_decision::ignore_stale, 200, opt);
      return r;
    }
    default: {
      detail::decide(r, receiver_decision::no_change, 200, opt);
      return r;
    }
  }
}

/// Handles one Standard Webhooks delivery (profiles `standard`, `openai`, §17) end to end:
///
///   authenticate → claim the `webhook-id` → handler → commit
///
/// - `body`: any bytes (JSON is optional; `parse_webhook_event` reads the usual shapes).
/// - `headers`, `secrets`, `store`, `now`: as for `receive_delivery`; `opt.verify.prof`
///   names `standard` or `openai`, or is nullptr (auto: the `webhook-*`/`svix-*` family is
///   detected as `standard`). A request of a service profile (`x-phaseo-*`, `x-ai-stats-*`)
///   is `signature_scheme_mismatch`: this entry point serves one scheme.
/// - `handler(const authenticated_delivery&, const dedup_key&)` → `void_result`: the side
///   effect. There is no lifecycle reconciliation here (§17): the sender's events are not
///   this protocol's job statuses. A host that maps an event to one of its jobs (OpenAI's
///   `video.completed` names the video in `data.id`) does so in the handler, where it may
///   refetch the job and reconcile the status object it gets (reconcile.hpp). Any error →
///   the claim is released and the reply is 503, so the retry is processed.
/// Duplicates (the same `webhook-id` committed before) are `duplicate`, 200, without
/// calling the handler; a copy being handled elsewhere is `in_flight`, 503.
template <class Headers, class Store, class Handler>
[[nodiscard]] inline receipt receive_webhook(std::string_view body, const Headers& headers, const verifier& secrets,
                                             Store& store, dedup_time now, Handler&& handler,
                                             const receiver_options& opt = {}) noexcept {
  static_assert(require_dedup_store<Store>(), "see dedup.hpp");
  receipt r;

  // 1. authenticate (§17: signature list, freshness; any body bytes)
  verify_options vopt = opt.verify;
  vopt.leniency = opt.leniency;
  authenticated_delivery auth;
  const void_result checked = authenticate_delivery(body, headers, secrets, now, auth, vopt);
  if (!checked) {
    detail::reject_receipt(r, checked.code(), opt);
    return r;
  }
  r.prof = auth.prof;
  if (auth.prof->scheme != signature_scheme::webhooks) {
    detail::reject_receipt(r, errc::signature_scheme_mismatch, opt);
    return r;
  }
  r.message_id = auth.message_id;

  // 2. claim the webhook-id (§17: the idempotency key, the same on every retry)
  auto key = dedup_key::for_webhook(auth.message_id);
  if (!key) {
    detail::reject_receipt(r, key.code(), opt);
    return r;
  }
  r.key = *key;
  auto claimed = store.claim(*key, now, opt.lease);
  if (!claimed) {
    detail::host_failure_receipt(r, claimed.code(), opt);
    return r;
  }
  r.claim = claimed->state;
  if (claimed->state == claim_state::done) {
    detail::decide(r, receiver_decision::duplicate, 200, opt);
    return r;
  }
  if (claimed->state == claim_state::in_flight) {
    detail::decide(r, receiver_decision::in_flight, 503, opt);
    return r;
  }
  const claim_token token = claimed->token;

  // 3. handler
  void_result done = handler(static_cast<const authenticated_delivery&>(auth), static_cast<const dedup_key&>(*key));
  if (!done) {
    (void)store.release(*key, token);
    {
      detail::host_failure_receipt(r, done.code(), opt);
      return r;
    }
  }

  // 4. commit (a failed commit after a successful effect is still 200, as in receive_delivery)
  if (auto c = store.commit(*key, token, now); !c) r.error = c.code();
  {
    detail::decide(r, receiver_decision::process, 200, opt);
    return r;
  }
}

/// What `with_job_lease` did.
enum class job_lease_outcome : std::uint8_t {
  ran,   ///< the lease was taken, `fn` ran and succeeded, the lease was released
  busy,  ///< another holder (a delivery being handled) has the job: nothing ran, try later
};

/// Runs `fn()` → `status` while holding the lease of job `job` in `store`: the lease that
/// receive_delivery holds from the state load to the commit. For the other writers of
/// job state — a poller that loads, reconciles a status object (§13.3) and writes — so
/// that they never interleave with a delivery of the same job (docs/RECEIVING.md, "One job
/// at a time"). `fn` must finish within `lease`. Errors: the store's, `fn`'s (the lease
/// is released either way), or `claim_lost` when `fn` outlived the lease and another
/// holder took the job meanwhile.
template <class Store, class Fn>
[[nodiscard]] inline result<job_lease_outcome> with_job_lease(
    Store& store, std::string_view job, unix_time now, Fn&& fn,
    std::chrono::milliseconds lease = default_claim_lease) noexcept {
  static_assert(require_dedup_store<Store>(), "see dedup.hpp");
  const auto job_key = dedup_key::for_job(job);
  if (!job_key) return job_key.error();
  auto leased = store.claim(*job_key, now, lease);
  if (!leased) return leased.error();
  if (leased->state != claim_state::fresh) return job_lease_outcome::busy;
  const void_result ran = fn();
  const void_result released = store.release(*job_key, leased->token);
  if (!ran) return ran.error();
  if (!released) return released.error();
  return job_lease_outcome::ran;
}

}  // namespace jobwire
