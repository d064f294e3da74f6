/* jobwire — plain C interface to the jobwire protocol core.
 *
 * A compiled shim (library `jobwire_c`, CMake targets `jobwire::c` and `jobwire::c_static`,
 * pkg-config module `jobwire`) over the header-only C++ core, for C programs and for
 * bindings in other languages (the Python package `jobwire` is built on it with ctypes).
 * docs/C_API.md is the reference; the rules below are the contract.
 *
 * STATUS CODES
 *   Every function that can fail returns an `int` status: 0 (JOBWIRE_OK) on success, or a
 *   negative value -(id) where id is the stable numeric id of a jobwire error code
 *   (include/jobwire/error.hpp; ids are never reused or renumbered). The constants
 *   JOBWIRE_E_* below name the codes that exist in this version; codes added later have
 *   no macro in older headers but are still reported by jobwire_error_name(),
 *   jobwire_error_message() and jobwire_status_from_name().
 *   No C++ exception ever crosses this interface: an unexpected failure inside is reported
 *   as JOBWIRE_E_INTERNAL_ERROR, an allocation failure as JOBWIRE_E_OUT_OF_MEMORY.
 *
 * INPUTS
 *   Text and bytes are passed as (pointer, length); nothing needs to be NUL-terminated
 *   and embedded NUL bytes are data. A pointer may be NULL only when its length is 0.
 *   Any other NULL pointer argument is JOBWIRE_E_INVALID_ARGUMENT, as is an enumeration
 *   value (kind, profile, policy, payload form) outside the documented constants or an
 *   unknown flag bit. Inputs are only read during the call; none is retained.
 *
 * OUTPUTS
 *   Text results are written to a caller-supplied buffer (out, out_cap) and their length
 *   to *out_len (never NULL). When the result needs more than out_cap bytes the function
 *   writes nothing to `out`, sets *out_len to the number of bytes needed and returns
 *   JOBWIRE_E_BUFFER_TOO_SMALL; calling it with out = NULL, out_cap = 0 is the way to ask
 *   for the size. On success, when out_cap > *out_len, a NUL byte is also written after
 *   the text (not counted in *out_len), so a buffer one byte larger gives a C string.
 *   On any other error *out_len is set to 0.
 *
 * OWNERSHIP AND LIFETIMES
 *   - Strings returned as `const char*` (jobwire_version, jobwire_error_name,
 *     jobwire_error_message) are static, NUL-terminated, and never freed by the caller.
 *   - Opaque handles (jobwire_verifier) are created by a *_create function, owned by the
 *     caller, and released with the matching *_destroy function exactly once; destroying
 *     NULL is a no-op. A handle copies what it needs (a verifier keeps prepared HMAC keys,
 *     not the caller's secret buffers) and frees it when destroyed.
 *
 * THREAD SAFETY
 *   All functions without a handle are reentrant and may be called from any thread.
 *   A jobwire_verifier may be shared between threads: jobwire_verify never modifies it
 *   (no lock, no allocation per call), so one verifier serves any number of threads at
 *   once. Only jobwire_verifier_destroy must not race with other calls on it.
 */
#ifndef JOBWIRE_C_H
#define JOBWIRE_C_H

#include <stddef.h>
#include <stdint.h>

/* JOBWIRE_C_API marks the exported functions; everything else in the library is hidden.
 * Define JOBWIRE_C_STATIC when linking the static library on Windows (the CMake target
 * jobwire::c_static does it for you). */
#if defined(_WIN32) && !defined(JOBWIRE_C_STATIC)
#  if defined(JOBWIRE_C_BUILDING)
#    define JOBWIRE_C_API __declspec(dllexport)
#  else
#    define JOBWIRE_C_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define JOBWIRE_C_API __attribute__((visibility("default")))
#else
#  define JOBWIRE_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Status codes: JOBWIRE_OK, or -(id) of a jobwire error code.
 * ------------------------------------------------------------------------------------- */
#define JOBWIRE_OK 0

/* 0..99: general (the C API itself reports these too) */
#define JOBWIRE_E_INVALID_ARGUMENT (-1)
#define JOBWIRE_E_BUFFER_TOO_SMALL (-2)
#define JOBWIRE_E_LIMIT_EXCEEDED   (-3)
#define JOBWIRE_E_IO_ERROR         (-4)
#define JOBWIRE_E_INTERNAL_ERROR   (-5)
#define JOBWIRE_E_OUT_OF_MEMORY    (-6)
#define JOBWIRE_E_CRYPTO_ERROR     (-7)
#define JOBWIRE_E_NOT_FOUND        (-8)

/* 100..199: JSON reader */
#define JOBWIRE_E_JSON_EMPTY_INPUT         (-100)
#define JOBWIRE_E_JSON_UNEXPECTED_TOKEN    (-101)
#define JOBWIRE_E_JSON_UNEXPECTED_END      (-102)
#define JOBWIRE_E_JSON_TRAILING_CONTENT    (-103)
#define JOBWIRE_E_JSON_INVALID_NUMBER      (-104)
#define JOBWIRE_E_JSON_INVALID_STRING      (-105)
#define JOBWIRE_E_JSON_INVALID_ESCAPE      (-106)
#define JOBWIRE_E_JSON_INVALID_UTF8        (-107)
#define JOBWIRE_E_JSON_INVALID_SURROGATE   (-108)
#define JOBWIRE_E_JSON_DEPTH_EXCEEDED      (-109)
#define JOBWIRE_E_JSON_INPUT_TOO_LARGE     (-110)
#define JOBWIRE_E_JSON_STRING_TOO_LONG     (-111)
#define JOBWIRE_E_JSON_TOO_MANY_MEMBERS    (-112)
#define JOBWIRE_E_JSON_DUPLICATE_KEY       (-113)
#define JOBWIRE_E_JSON_TYPE_MISMATCH       (-114)
#define JOBWIRE_E_JSON_NUMBER_OUT_OF_RANGE (-115)
#define JOBWIRE_E_JSON_NOT_INTEGER         (-116)

/* 200..299: signatures and delivery headers */
#define JOBWIRE_E_EMPTY_SECRET              (-200)
#define JOBWIRE_E_TOO_MANY_SECRETS          (-201)
#define JOBWIRE_E_MISSING_TIMESTAMP         (-202)
#define JOBWIRE_E_MISSING_SIGNATURE         (-203)
#define JOBWIRE_E_MALFORMED_TIMESTAMP       (-204)
#define JOBWIRE_E_TIMESTAMP_TOO_OLD         (-205)
#define JOBWIRE_E_TIMESTAMP_TOO_NEW         (-206)
#define JOBWIRE_E_MALFORMED_SIGNATURE       (-207)
#define JOBWIRE_E_SIGNATURE_MISMATCH        (-208)
#define JOBWIRE_E_AMBIGUOUS_HEADER          (-209)
#define JOBWIRE_E_HEADER_BODY_MISMATCH      (-210)
#define JOBWIRE_E_MALFORMED_HEADER          (-211)
#define JOBWIRE_E_ATTEMPT_EXCEEDS_MAX       (-212)
#define JOBWIRE_E_SECRET_REQUIRED           (-213)
#define JOBWIRE_E_BODY_TOO_LARGE            (-214)
#define JOBWIRE_E_INVALID_KEY               (-215)
#define JOBWIRE_E_KEY_FORMAT_MISMATCH       (-216)
#define JOBWIRE_E_SIGNATURE_SCHEME_MISMATCH (-217)
#define JOBWIRE_E_MISSING_MESSAGE_ID        (-218)
#define JOBWIRE_E_MALFORMED_MESSAGE_ID      (-219)

/* 300..399: job payloads, lifecycle, requests */
#define JOBWIRE_E_MISSING_FIELD          (-300)
#define JOBWIRE_E_INVALID_FIELD          (-301)
#define JOBWIRE_E_UNKNOWN_STATUS         (-302)
#define JOBWIRE_E_INCONSISTENT_STATUS    (-303)
#define JOBWIRE_E_CONFLICTING_JOB_ID     (-304)
#define JOBWIRE_E_INVALID_JOB_ID         (-305)
#define JOBWIRE_E_INVALID_EVENT_ID       (-306)
#define JOBWIRE_E_UNKNOWN_EVENT_TYPE     (-307)
#define JOBWIRE_E_UNKNOWN_MESSAGE_TYPE   (-308)
#define JOBWIRE_E_JOB_NOT_COMPLETED      (-309)
#define JOBWIRE_E_INVALID_TTL            (-310)
#define JOBWIRE_E_INVALID_DISPOSITION    (-311)
#define JOBWIRE_E_INVALID_INTERVAL       (-312)
#define JOBWIRE_E_INVALID_INDEX          (-313)
#define JOBWIRE_E_DEADLINE_EXCEEDED      (-314)
#define JOBWIRE_E_POLL_NOT_RETRYABLE     (-315)
#define JOBWIRE_E_STATUS_CHANGE_MISMATCH (-316)

/* 400..499: events and subscriptions */
#define JOBWIRE_E_NO_VALID_EVENTS          (-400)
#define JOBWIRE_E_INVALID_EVENT            (-401)
#define JOBWIRE_E_UNKNOWN_KIND             (-402)
#define JOBWIRE_E_UNKNOWN_PHASE            (-403)
#define JOBWIRE_E_UNKNOWN_SUBSCRIPTION_KEY (-404)
#define JOBWIRE_E_INVALID_EVENTS_TYPE      (-405)
#define JOBWIRE_E_MISSING_URL              (-406)
#define JOBWIRE_E_NO_PROGRESS_EVENT        (-407)
#define JOBWIRE_E_INVALID_DELIVERY_KEY     (-408)
#define JOBWIRE_E_INVALID_PROGRESS         (-409)
#define JOBWIRE_E_EVENT_NOT_STRING         (-410)
#define JOBWIRE_E_EMPTY_EVENT              (-411)
#define JOBWIRE_E_CROSS_KIND_EVENT         (-412)
#define JOBWIRE_E_DUPLICATE_EVENT          (-413)
#define JOBWIRE_E_INVALID_SECRET           (-414)
#define JOBWIRE_E_INVALID_WEBHOOK          (-415)
#define JOBWIRE_E_MISSING_ENDPOINT_ID      (-430)
#define JOBWIRE_E_INVALID_ENDPOINT_ID      (-431)
#define JOBWIRE_E_URL_NOT_ALLOWED          (-432)
#define JOBWIRE_E_SECRET_NOT_ALLOWED       (-433)

/* 500..599: callback URLs */
#define JOBWIRE_E_INVALID_URL          (-500)
#define JOBWIRE_E_HTTPS_REQUIRED       (-501)
#define JOBWIRE_E_UNSUPPORTED_SCHEME   (-502)
#define JOBWIRE_E_LOOPBACK_HOST        (-503)
#define JOBWIRE_E_PRIVATE_HOST         (-504)
#define JOBWIRE_E_LINK_LOCAL_HOST      (-505)
#define JOBWIRE_E_UNSPECIFIED_HOST     (-506)
#define JOBWIRE_E_NON_GLOBAL_HOST      (-507)
#define JOBWIRE_E_USERINFO_NOT_ALLOWED (-508)
#define JOBWIRE_E_NON_ASCII_HOST       (-509)
#define JOBWIRE_E_LOCALHOST_NAME       (-510)
#define JOBWIRE_E_WILDCARD_HOST        (-511)
#define JOBWIRE_E_INVALID_PORT         (-512)
#define JOBWIRE_E_INVALID_IPV4         (-513)
#define JOBWIRE_E_INVALID_IPV6         (-514)
#define JOBWIRE_E_INVALID_HOST         (-515)
#define JOBWIRE_E_MISSING_HOST         (-516)
#define JOBWIRE_E_INVALID_URL_TYPE     (-517)
#define JOBWIRE_E_EMPTY_URL            (-530)

/* 600..699: deduplication and receiving */
#define JOBWIRE_E_STORE_UNAVAILABLE    (-600)
#define JOBWIRE_E_STORE_ERROR          (-601)
#define JOBWIRE_E_CLAIM_LOST           (-602)
#define JOBWIRE_E_HANDLER_FAILED       (-603)
#define JOBWIRE_E_INVALID_DEDUP_KEY    (-604)
#define JOBWIRE_E_STORE_FULL           (-605)
#define JOBWIRE_E_UNSIGNED_NOT_ALLOWED (-606)
#define JOBWIRE_E_STORE_NOT_SUPPORTED  (-620)

/* 700..799: sending, retries, ledger */
#define JOBWIRE_E_ALREADY_DELIVERED    (-700)
#define JOBWIRE_E_ALREADY_QUEUED       (-701)
#define JOBWIRE_E_ALREADY_FAILED       (-702)
#define JOBWIRE_E_PHASE_NOT_SUBSCRIBED (-703)
#define JOBWIRE_E_INVALID_OUTCOME      (-704)
#define JOBWIRE_E_INVALID_TIMEOUT      (-705)
#define JOBWIRE_E_INVALID_ATTEMPT      (-706)
#define JOBWIRE_E_INVALID_RETRY_POLICY (-707)
#define JOBWIRE_E_INVALID_METRIC_NAME  (-708)
#define JOBWIRE_E_INVALID_RETRY_AFTER  (-720)

/* 900..999: service API beyond jobs (webhook endpoints, lists, cancel) */
#define JOBWIRE_E_INVALID_ENDPOINT_SECRET (-900)
#define JOBWIRE_E_INVALID_ENDPOINT_NAME   (-901)
#define JOBWIRE_E_INVALID_LIST_LIMIT      (-902)
#define JOBWIRE_E_CANCELLATION_DISABLED   (-903)
#define JOBWIRE_E_SERVICE_ERROR           (-904)

/* The name the C API's documentation uses for an exception stopped at the boundary. */
#define JOBWIRE_E_INTERNAL JOBWIRE_E_INTERNAL_ERROR

/* Stable snake_case name of a status ("ok", "signature_mismatch", ...), the same string
 * the jobwire CLI prints. A negative status and its positive id give the same name.
 * Returns "unknown_error" for values that are not codes. Static string; never NULL. */
JOBWIRE_C_API const char* jobwire_error_name(int status);

/* One-line English message for a status. Contains no caller data. Static; never NULL. */
JOBWIRE_C_API const char* jobwire_error_message(int status);

/* The HTTP status a receiver replies with when it refuses a delivery with this status: the
 * reply class in the library's error table (PROTOCOL.md §13): 200 for JOBWIRE_OK, 401 for
 * an authentication failure (signature, timestamp), 400 for a malformed request, 503 for
 * a local failure (configuration, store, the host's own code) and for values that are not
 * codes. (A failure the receiver's host callbacks return is always 503.) */
JOBWIRE_C_API int jobwire_error_http_status(int status);

/* Looks a status up by its name: on success *out_status = -(id) (0 for "ok").
 * Returns JOBWIRE_E_NOT_FOUND for an unknown name. */
JOBWIRE_C_API int jobwire_status_from_name(const char* name, size_t name_len, int* out_status);

/* ---------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------- */
#define JOBWIRE_C_VERSION_MAJOR 0
#define JOBWIRE_C_VERSION_MINOR 1
#define JOBWIRE_C_VERSION_PATCH 0

/* The library's version, e.g. "0.1.0" (static string). Compare it with the macros above
 * to detect a header/library mismatch. */
JOBWIRE_C_API const char* jobwire_version(void);
/* The same as major * 10000 + minor * 100 + patch. */
JOBWIRE_C_API int jobwire_version_number(void);

/* ---------------------------------------------------------------------------------------
 * Constants. Each has a function twin for bindings that cannot read macros (FFI).
 * ------------------------------------------------------------------------------------- */

/* Length of a hex signature (PROTOCOL.md §9): 64 lower-case hex characters. */
#define JOBWIRE_SIGNATURE_HEX_LEN 64
JOBWIRE_C_API size_t jobwire_signature_hex_len(void);

/* Most secrets one verifier may hold (key rotation, PROTOCOL.md §9). Follows
 * JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS when the library was built with it overridden
 * (jobwire's tiny-limits test build); jobwire_max_secrets() reports the compiled value. */
#ifdef JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS
#  define JOBWIRE_MAX_SECRETS JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS
#else
#  define JOBWIRE_MAX_SECRETS 8
#endif
JOBWIRE_C_API size_t jobwire_max_secrets(void);

/* Default freshness window in seconds, and the value that disables the check. */
#define JOBWIRE_DEFAULT_TOLERANCE 300
#define JOBWIRE_TOLERANCE_NONE    (-1)
JOBWIRE_C_API int64_t jobwire_default_tolerance(void);
JOBWIRE_C_API int64_t jobwire_tolerance_none(void);

/* Longest event id (PROTOCOL.md §2). */
#define JOBWIRE_MAX_EVENT_ID_LEN 160
JOBWIRE_C_API size_t jobwire_max_event_id_len(void);

/* Reported instead of a byte offset when an error has none. */
#define JOBWIRE_NO_OFFSET SIZE_MAX
JOBWIRE_C_API size_t jobwire_no_offset(void);

/* Profiles (PROTOCOL.md §15): header prefix, user agent, phase set, secret requirement. */
#define JOBWIRE_PROFILE_AI_STATS 0
#define JOBWIRE_PROFILE_PHASEO   1
/* Receiving only (jobwire_verify, and jobwire_parse_payload for a webhook body): detect the
 * profile from the header family present (PROTOCOL.md §15; x-phaseo-* → phaseo,
 * x-ai-stats-* → ai_stats, both → JOBWIRE_E_AMBIGUOUS_HEADER, neither → ai_stats). A
 * webhook body parsed without headers is read with the widest phase set (phaseo's).
 * Functions that build or check something for a sender refuse it (INVALID_ARGUMENT). */
#define JOBWIRE_PROFILE_AUTO 2
/* Standard Webhooks (PROTOCOL.md §17; receiving: jobwire_verify, jobwire_detect_profile,
 * and jobwire_webhook_sign): webhook-* or svix-* headers, a v1 (HMAC) / v1a (Ed25519)
 * signature list over "id.timestamp.body", any body bytes. AUTO detects the family as
 * STANDARD. Under OPENAI a secret without the whsec_ prefix is its raw bytes. The job
 * functions (events, delivery keys, payloads) refuse both (INVALID_ARGUMENT). */
#define JOBWIRE_PROFILE_STANDARD 3
#define JOBWIRE_PROFILE_OPENAI   4

/* Job kinds (PROTOCOL.md §7). */
#define JOBWIRE_KIND_VIDEO 0
#define JOBWIRE_KIND_BATCH 1

/* Looks a profile up by name ("ai_stats", "ai-stats", "phaseo", "auto"); JOBWIRE_E_NOT_FOUND
 * if unknown. */
JOBWIRE_C_API int jobwire_profile_from_name(const char* name, size_t name_len, int* out_profile);

/* ---------------------------------------------------------------------------------------
 * JSON (RFC 8259, strict: see docs/JSON.md)
 * ------------------------------------------------------------------------------------- */

/* Flag for jobwire_json_validate: accept an object with the same key twice. RFC 8259
 * only says names SHOULD be unique; jobwire rejects repeats by default. */
#define JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS 0x1u

/* Checks that text is exactly one well-formed JSON text under the default limits.
 * Returns JOBWIRE_OK or the JSON error; *error_offset (may be NULL) receives the byte
 * offset where the error was detected, or JOBWIRE_NO_OFFSET. */
JOBWIRE_C_API int jobwire_json_validate(const char* text, size_t text_len, unsigned flags, size_t* error_offset);

/* ---------------------------------------------------------------------------------------
 * Events: progress buckets, delivery keys, event ids (PROTOCOL.md §2, §11)
 * ------------------------------------------------------------------------------------- */

/* The progress bucket of a progress value: round(round(p) / 10) * 10 clamped to 5..95,
 * for finite 0 < p < 100 only. Returns JOBWIRE_OK and *out_bucket, or
 * JOBWIRE_E_NO_PROGRESS_EVENT (0, 100, NaN, infinities and values outside (0, 100)). */
JOBWIRE_C_API int jobwire_progress_bucket(double progress, int* out_bucket);

/* Builds the delivery key of an event: "<kind>.<phase>" for lifecycle phases,
 * "<kind>.progress:<bucket>" for the progress phase, whose bucket comes from `progress`
 * (ignored for other phases). phase is a phase name ("completed", "progress", ...) that
 * must exist under the profile (JOBWIRE_E_UNKNOWN_PHASE otherwise; status_changed keys name
 * their transition, PROTOCOL.md §16.1, so that phase is JOBWIRE_E_INVALID_ARGUMENT here); a progress value
 * that makes no bucket is JOBWIRE_E_NO_PROGRESS_EVENT. Output as described above. */
JOBWIRE_C_API int jobwire_delivery_key(int kind, const char* phase, size_t phase_len, double progress, int profile,
                                       char* out, size_t out_cap, size_t* out_len);

/* Checks a delivery key strictly; JOBWIRE_OK or JOBWIRE_E_INVALID_DELIVERY_KEY.
 * *out_bucket (may be NULL) receives the bucket of a progress key, -1 otherwise. */
JOBWIRE_C_API int jobwire_delivery_key_check(const char* key, size_t key_len, int profile, int* out_bucket);

/* The sender's event id "evt_<kind>_<internal id>_<delivery key>" with every run of
 * characters outside [A-Za-z0-9_-] replaced by one '_', cut to 160 characters. The kind
 * is the delivery key's own, so the two cannot disagree; the key must be valid under the
 * profile (JOBWIRE_E_INVALID_DELIVERY_KEY). Output as above; at most
 * JOBWIRE_MAX_EVENT_ID_LEN bytes. */
JOBWIRE_C_API int jobwire_event_id(const char* internal_id, size_t internal_id_len, const char* delivery_key,
                                   size_t delivery_key_len, int profile, char* out, size_t out_cap, size_t* out_len);

/* Checks a received event id: 1 to 160 characters of [A-Za-z0-9_-]; JOBWIRE_OK or
 * JOBWIRE_E_INVALID_EVENT_ID. */
JOBWIRE_C_API int jobwire_event_id_check(const char* event_id, size_t event_id_len);

/* ---------------------------------------------------------------------------------------
 * Callback URLs (PROTOCOL.md §8)
 * ------------------------------------------------------------------------------------- */

/* Policies: strict (jobwire's default: only globally reachable hosts, no credentials),
 * ai_stats (the seed era's parse-time rule, §8) and phaseo (the current service's
 * send-time rule, §16.4: https only, a wider block list, the fragment dropped). */
#define JOBWIRE_POLICY_STRICT   0
#define JOBWIRE_POLICY_AI_STATS 1
#define JOBWIRE_POLICY_PHASEO   2

/* Looks a policy up by name ("strict", "ai_stats", "ai-stats", "phaseo");
 * JOBWIRE_E_NOT_FOUND if unknown. */
JOBWIRE_C_API int jobwire_policy_from_name(const char* name, size_t name_len, int* out_policy);

/* Flag for jobwire_check_callback_url: local development, accepting exactly localhost,
 * 127.0.0.1 and [::1] (no credentials) over http or https. */
#define JOBWIRE_URL_ALLOW_LOCAL_DEVELOPMENT 0x1u

/* Parses url the WHATWG way and checks it under the policy. On acceptance writes the
 * WHATWG serialisation (output rules above); otherwise returns the reason
 * (JOBWIRE_E_HTTPS_REQUIRED, JOBWIRE_E_PRIVATE_HOST, JOBWIRE_E_INVALID_URL, ...).
 * The check is literal: no name is resolved. */
JOBWIRE_C_API int jobwire_check_callback_url(const char* url, size_t url_len, int policy, unsigned flags, char* out,
                                             size_t out_cap, size_t* out_len);

/* Checks one address a resolver returned for the callback host, under a policy
 * (JOBWIRE_POLICY_*): JOBWIRE_OK to connect, else the reason (JOBWIRE_E_PRIVATE_HOST,
 * JOBWIRE_E_LOOPBACK_HOST, ...). `address` is 4 or 16 bytes in network byte order (as in
 * sin_addr / sin6_addr); another length is JOBWIRE_E_INVALID_ARGUMENT. jobwire does no
 * DNS: a sender calls this on every resolved address just before connecting, connects
 * only to an address it checked, and does not follow redirects. */
JOBWIRE_C_API int jobwire_check_resolved_address(const unsigned char* address, size_t address_len, int policy);

/* ---------------------------------------------------------------------------------------
 * Subscription event lists (PROTOCOL.md §7)
 * ------------------------------------------------------------------------------------- */

/* Flags for jobwire_normalize_events. STRICT refuses the whole list at the first entry
 * the service would silently drop; REPORT_IGNORED changes the output to the object
 * {"events":[...],"ignored":[{"index":N,"value":<raw JSON>,"reason":"<code>"}]}. */
#define JOBWIRE_EVENTS_STRICT         0x1u
#define JOBWIRE_EVENTS_REPORT_IGNORED 0x2u

/* Normalises the `events` member of a webhook subscription for a job kind.
 *   events_json   the JSON text of the member (an array of strings); length 0 means the
 *                 member is omitted. Omitted, null and [] give the default list.
 *   kind, profile JOBWIRE_KIND_*, JOBWIRE_PROFILE_* (phase set)
 * On success writes the normalised list as a JSON array of names (output rules above),
 * e.g. ["job.completed","video.progress"]. Refusals: JOBWIRE_E_NO_VALID_EVENTS (a
 * non-empty list where nothing survives), JOBWIRE_E_INVALID_EVENTS_TYPE (not an array),
 * a JSON error, or under STRICT the reason of the first invalid entry.
 * Under JOBWIRE_PROFILE_PHASEO the rules are the current service's (§16.2): the output is
 * the stored list, so omitted and [] give [] ("inherit" the endpoint's list) and a
 * verbatim tail such as "job.completed.extra" is kept; null is
 * JOBWIRE_E_INVALID_EVENTS_TYPE, and an entry that is not a string or is "" is refused
 * (JOBWIRE_E_EVENT_NOT_STRING, JOBWIRE_E_EMPTY_EVENT) whatever the flags.
 * *error_offset (may be NULL) receives the byte offset of a JSON error or, for a STRICT
 * refusal, the 0-based index of the entry; JOBWIRE_NO_OFFSET otherwise. */
JOBWIRE_C_API int jobwire_normalize_events(const char* events_json, size_t events_json_len, int kind, int profile,
                                           unsigned flags, char* out, size_t out_cap, size_t* out_len,
                                           size_t* error_offset);

/* Whether a job of `kind` whose subscription has the `events` member events_json is sent
 * the deliveries of phase `phase` ("completed", "progress", "status_changed", ...): the
 * sender's subscription check (PROTOCOL.md §7, §16.2). events_json is read as by
 * jobwire_normalize_events without STRICT (length 0: the member is omitted).
 *   JOBWIRE_PROFILE_AI_STATS  the normalised list (omitted, null and [] give the default
 *                             list) holds job.<phase> or <kind>.<phase>.
 *   JOBWIRE_PROFILE_PHASEO    the list that decides is the stored list, or when that is
 *                             empty ([] or omitted: "inherit") the request defaults
 *                             (job.status_changed and the terminal phases); it must hold
 *                             job.<phase> or <kind>.<phase> exactly (a verbatim tail never
 *                             matches). To take an endpoint's events into account, pass
 *                             the result of jobwire_effective_events.
 * On success *out_subscribed is 1 or 0. Refusals: JOBWIRE_E_UNKNOWN_PHASE (not a phase of
 * the profile), the errors of jobwire_normalize_events (*error_offset, may be NULL, as
 * there). */
JOBWIRE_C_API int jobwire_events_subscribed(const char* events_json, size_t events_json_len, int kind, int profile,
                                            const char* phase, size_t phase_len, int* out_subscribed,
                                            size_t* error_offset);

/* The effective-events rule of the current service (JOBWIRE_PROFILE_PHASEO, PROTOCOL.md
 * §16.2): the list that decides what is sent for a job of `kind` is the first non-empty of
 *   1. the request's stored list: request_events_json, the request's `events` member as
 *      sent (length 0: omitted), normalised as by jobwire_normalize_events under PHASEO;
 *   2. the endpoint's events for this kind: endpoint_events_json, a JSON array of strings
 *      as the endpoint stores them (length 0: none); entries that do not normalise for
 *      this kind are skipped, repeats removed;
 *   3. the request defaults ["job.status_changed","job.completed","job.failed",...].
 * Writes the list as a JSON array of names (output rules above). Refusals: the errors of
 * jobwire_normalize_events for the request's member; for the endpoint's events a JSON
 * error, JOBWIRE_E_INVALID_EVENTS_TYPE (not an array), JOBWIRE_E_EVENT_NOT_STRING.
 * *error_offset (may be NULL) as for jobwire_normalize_events, in the input that was
 * refused: *error_input (may be NULL) is 0 for the request's member, 1 for the endpoint's
 * events (and -1 on success). */
JOBWIRE_C_API int jobwire_effective_events(const char* request_events_json, size_t request_events_json_len,
                                           const char* endpoint_events_json, size_t endpoint_events_json_len, int kind,
                                           char* out, size_t out_cap, size_t* out_len, size_t* error_offset,
                                           int* error_input);

/* ---------------------------------------------------------------------------------------
 * Signatures and verification (PROTOCOL.md §9, §15)
 * ------------------------------------------------------------------------------------- */

/* Computes the signature of one delivery: lower-case hex HMAC-SHA256, keyed with the
 * trimmed secret's bytes, over `timestamp "." body`. The body is hashed exactly as given.
 * Writes JOBWIRE_SIGNATURE_HEX_LEN characters (output rules above).
 * JOBWIRE_E_EMPTY_SECRET when the secret is empty after trimming. */
JOBWIRE_C_API int jobwire_sign(const char* secret, size_t secret_len, const char* timestamp, size_t timestamp_len,
                               const char* body, size_t body_len, char* out, size_t out_cap, size_t* out_len);

/* A prepared verifier: the HMAC keys of up to JOBWIRE_MAX_SECRETS secrets (several during
 * a rotation), set up once and reused for every delivery. Opaque; see OWNERSHIP. */
typedef struct jobwire_verifier jobwire_verifier;

/* Creates a verifier from `count` secrets: secrets[i] points to secret_lens[i] bytes
 * (trimmed of ASCII white space; an empty one is JOBWIRE_E_EMPTY_SECRET). More than
 * JOBWIRE_MAX_SECRETS is JOBWIRE_E_TOO_MANY_SECRETS. count may be 0: such a verifier
 * accepts unsigned deliveries under a profile that allows them (ai_stats) and refuses
 * every delivery under one that requires a secret (phaseo: JOBWIRE_E_SECRET_REQUIRED).
 * The secrets are copied into the keys; the caller's buffers may be freed afterwards.
 * On success *out receives the handle, to be released with jobwire_verifier_destroy;
 * on failure *out is set to NULL. */
JOBWIRE_C_API int jobwire_verifier_create(const char* const* secrets, const size_t* secret_lens, size_t count,
                                          jobwire_verifier** out);

/* Which signature schemes jobwire_verifier_create_keys prepares keys for (PROTOCOL.md
 * §15: a secret is a key of every scheme it is valid for). 0 means both. */
#define JOBWIRE_SCHEME_SERVICE  1u /* ai_stats, phaseo: the secret's raw bytes */
#define JOBWIRE_SCHEME_WEBHOOKS 2u /* standard, openai: whsec_<base64>, whpk_ public keys */
/* How a Standard Webhooks secret without the whsec_ prefix is read (PROTOCOL.md §17). */
#define JOBWIRE_KEY_FORMAT_PROFILE 0 /* base64 under STANDARD, raw bytes under OPENAI */
#define JOBWIRE_KEY_FORMAT_BASE64  1
#define JOBWIRE_KEY_FORMAT_RAW     2

/* Like jobwire_verifier_create, with Ed25519 public keys (whpk_<base64>, at most
 * JOBWIRE_MAX_SECRETS; they verify v1a entries) and the schemes and key format above.
 * Every key is checked here, once: JOBWIRE_E_INVALID_KEY for a key that is not valid for
 * its format (a whsec_ key that is not the base64 of 24..64 bytes when only the webhooks
 * scheme is enabled, a whpk_ key that is not the base64 of 32 bytes),
 * JOBWIRE_E_KEY_FORMAT_MISMATCH for a key of the wrong kind (whpk_/whsk_ given as a
 * secret, a public key without the webhooks scheme). In jobwire_verify's out_matched_secret
 * public keys are numbered after the secrets. */
JOBWIRE_C_API int jobwire_verifier_create_keys(const char* const* secrets, const size_t* secret_lens, size_t count,
                                               const char* const* public_keys, const size_t* public_key_lens,
                                               size_t public_key_count, unsigned schemes, int key_format,
                                               jobwire_verifier** out);

/* Writes the webhook-signature header value of a Standard Webhooks delivery (PROTOCOL.md
 * §17): one "v1,<base64>" entry per secret (read under `profile`, STANDARD or OPENAI,
 * and `key_format`), then one "v1a,<base64>" entry per whsk_ signing key, separated by one
 * space, over "id.timestamp.body". Output as every *_out function (out, out_cap, out_len;
 * not NUL-terminated). JOBWIRE_E_MALFORMED_MESSAGE_ID / _MALFORMED_TIMESTAMP for an id or
 * timestamp a receiver would refuse. */
JOBWIRE_C_API int jobwire_webhook_sign(const char* const* secrets, const size_t* secret_lens, size_t count,
                                       const char* const* signing_keys, const size_t* signing_key_lens,
                                       size_t signing_key_count, int profile, int key_format, const char* id,
                                       size_t id_len, const char* timestamp, size_t timestamp_len, const char* body,
                                       size_t body_len, char* out, size_t out_cap, size_t* out_len);

/* Generates a Standard Webhooks key from OpenSSL's random generator (PROTOCOL.md §17):
 * with asymmetric == 0 a "whsec_<base64>" secret (32 bytes); otherwise an Ed25519 pair
 * written as "whsk_<base64>\nwhpk_<base64>" (the signing key, seed and public key, then
 * the public key). Output as every *_out function; the caller wipes the buffer after use. */
JOBWIRE_C_API int jobwire_webhook_keygen(int asymmetric, char* out, size_t out_cap, size_t* out_len);

/* Releases a verifier and frees its keys (OpenSSL clears HMAC key material when freeing
 * a context). NULL is a no-op. */
JOBWIRE_C_API void jobwire_verifier_destroy(jobwire_verifier* verifier);

/* Flag for jobwire_verify: accept the official SDKs' timestamp forms (13+ digit
 * milliseconds, ISO-8601) besides strict decimal seconds. */
#define JOBWIRE_VERIFY_SDK_COMPAT 0x1u
/* Flag for jobwire_verify: authenticate only (steps 1-5 below) and do not read the body,
 * for bodies that are not delivery envelopes. */
#define JOBWIRE_VERIFY_AUTHENTICATE_ONLY 0x2u

/* Verifies one delivery exactly as the C++ receiver does (jobwire::verify_delivery), in
 * this order: (1) a verifier without secrets accepts unsigned deliveries only under a
 * profile that allows them (phaseo: JOBWIRE_E_SECRET_REQUIRED); (2) body size (1 MiB);
 * (3) timestamp and signature headers present and unambiguous, timestamp syntax and
 * freshness; (4) the signature under every secret (constant time); (5) the delivery
 * metadata headers, strictly; (6) the body as a delivery envelope, read by the same
 * reader as jobwire_parse_payload(JOBWIRE_PAYLOAD_WEBHOOK) except that a status pair that
 * contradicts itself is accepted (the receiver refetches); (7) agreement between the
 * metadata headers present and the envelope. JOBWIRE_OK means the receiver would accept
 * the delivery.
 *
 *   body, body_len     the raw request body, exactly as received
 *   header_names[i], header_name_lens[i], header_values[i], header_value_lens[i]
 *                      the request headers as parallel arrays of header_count entries;
 *                      names match ASCII case-insensitively; a header repeated with
 *                      different values is JOBWIRE_E_AMBIGUOUS_HEADER. The arrays may be
 *                      NULL only when header_count is 0.
 *   now                the host's clock, Unix seconds (jobwire never reads a clock)
 *   tolerance          freshness window in seconds (|now - timestamp| <= tolerance), or
 *                      JOBWIRE_TOLERANCE_NONE to skip the check; other negative values
 *                      are JOBWIRE_E_INVALID_ARGUMENT
 *   flags              0, JOBWIRE_VERIFY_SDK_COMPAT, JOBWIRE_VERIFY_AUTHENTICATE_ONLY
 *   profile            JOBWIRE_PROFILE_AI_STATS, JOBWIRE_PROFILE_PHASEO (header prefix),
 *                      JOBWIRE_PROFILE_STANDARD, JOBWIRE_PROFILE_OPENAI (§17: the body is
 *                      any bytes, so only authentication applies), or
 *                      JOBWIRE_PROFILE_AUTO (detected from the headers; jobwire_detect_profile
 *                      tells which). Detection never weakens a verifier: one holding a
 *                      secret requires a signature whatever headers arrive.
 *   out_matched_secret may be NULL; receives the index of the secret that matched, or
 *                      SIZE_MAX for an unsigned delivery accepted by a verifier without
 *                      secrets
 *
 * Returns JOBWIRE_OK when the delivery is authentic, fresh and consistent, or the reason
 * (JOBWIRE_E_SIGNATURE_MISMATCH, JOBWIRE_E_TIMESTAMP_TOO_OLD, JOBWIRE_E_MISSING_FIELD,
 * JOBWIRE_E_HEADER_BODY_MISMATCH, ...). */
JOBWIRE_C_API int jobwire_verify(const jobwire_verifier* verifier, const char* body, size_t body_len,
                                 const char* const* header_names, const size_t* header_name_lens,
                                 const char* const* header_values, const size_t* header_value_lens, size_t header_count,
                                 int64_t now, int64_t tolerance, unsigned flags, int profile,
                                 size_t* out_matched_secret);

/* The profile JOBWIRE_PROFILE_AUTO selects for these headers (same arrays as
 * jobwire_verify): *out_profile receives JOBWIRE_PROFILE_PHASEO, JOBWIRE_PROFILE_AI_STATS or
 * JOBWIRE_PROFILE_STANDARD (webhook-* or svix-*) for the header family present, or JOBWIRE_PROFILE_AI_STATS when
 * neither is (the fallback; the function then returns JOBWIRE_E_NOT_FOUND). Both families → JOBWIRE_E_AMBIGUOUS_HEADER.
 */
JOBWIRE_C_API int jobwire_detect_profile(const char* const* header_names, const size_t* header_name_lens,
                                         const char* const* header_values, const size_t* header_value_lens,
                                         size_t header_count, int* out_profile);

/* ---------------------------------------------------------------------------------------
 * Job payloads (PROTOCOL.md §4-§6, §10)
 * ------------------------------------------------------------------------------------- */

/* Payload forms: a create response, a status object, a webhook delivery body, a
 * websocket message. */
#define JOBWIRE_PAYLOAD_CREATE  0
#define JOBWIRE_PAYLOAD_STATUS  1
#define JOBWIRE_PAYLOAD_WEBHOOK 2
#define JOBWIRE_PAYLOAD_WS      3

/* Looks a form up by name ("create", "status", "webhook", "ws"); JOBWIRE_E_NOT_FOUND if
 * unknown. */
JOBWIRE_C_API int jobwire_payload_form_from_name(const char* name, size_t name_len, int* out_form);

/* Flag for jobwire_parse_payload: map unknown status words to queued/pending as the
 * service does, instead of JOBWIRE_E_UNKNOWN_STATUS. */
#define JOBWIRE_PAYLOAD_LENIENT_STATUS 0x1u

/* Validates a payload of the given form and writes its normalised summary, one JSON
 * object — the same text `jobwire parse --as <form>` prints (fields: docs/PAYLOADS.md).
 * Refusals are the payload parser's codes (JOBWIRE_E_MISSING_FIELD,
 * JOBWIRE_E_UNKNOWN_STATUS, JOBWIRE_E_CONFLICTING_JOB_ID, a JSON error, ...);
 * *error_offset (may be NULL) receives the byte offset of the problem, or
 * JOBWIRE_NO_OFFSET. */
JOBWIRE_C_API int jobwire_parse_payload(int form, const char* text, size_t text_len, int profile, unsigned flags,
                                        char* out, size_t out_cap, size_t* out_len, size_t* error_offset);

/* ---------------------------------------------------------------------------------------
 * Receiver: the whole pipeline of one incoming delivery (PROTOCOL.md §2, §9, §13):
 * verify -> parse -> claim (dedup store) -> job lease -> load state -> reconcile ->
 * handler -> commit. docs/C_API.md, "Receiving", is the reference.
 * ------------------------------------------------------------------------------------- */

/* An opaque receiver: the secrets, the options and the dedup store. One receiver may be
 * shared by any number of threads calling jobwire_receive at once (see jobwire_receive). */
typedef struct jobwire_receiver jobwire_receiver;

/* Lifecycle states (PROTOCOL.md §3) of a job state or an event. */
#define JOBWIRE_LIFECYCLE_PENDING   0
#define JOBWIRE_LIFECYCLE_RUNNING   1
#define JOBWIRE_LIFECYCLE_COMPLETED 2
#define JOBWIRE_LIFECYCLE_FAILED    3
#define JOBWIRE_LIFECYCLE_CANCELLED 4
#define JOBWIRE_LIFECYCLE_EXPIRED   5

/* Flags of jobwire_receiver_options. SDK_COMPAT: accept the official SDKs' timestamp
 * forms. ALLOW_UNSIGNED: a receiver created without secrets accepts unsigned deliveries
 * under a profile that allows them (without it such a receiver answers every delivery
 * with 503, unsigned_not_allowed). LENIENT_STATUS: unknown status words map to
 * queued/pending as the service does instead of unknown_status (400). */
#define JOBWIRE_RECEIVER_SDK_COMPAT     0x1u
#define JOBWIRE_RECEIVER_ALLOW_UNSIGNED 0x2u
#define JOBWIRE_RECEIVER_LENIENT_STATUS 0x4u

typedef struct jobwire_receiver_options {
  int profile;       /* JOBWIRE_PROFILE_AI_STATS, _PHASEO or _AUTO (default AUTO); also _STANDARD or
                        _OPENAI with jobwire_receiver_create_keys */
  int64_t tolerance; /* freshness window in seconds, or JOBWIRE_TOLERANCE_NONE (default 300) */
  unsigned flags;    /* JOBWIRE_RECEIVER_* (default 0) */
  int64_t lease_ms;  /* how long a claim is held while the handler runs; 1 .. 30 days in ms
                        (default 0 = jobwire's default, the sender's longest request timeout) */
} jobwire_receiver_options;

/* Fills *options with the defaults above. */
JOBWIRE_C_API void jobwire_receiver_options_init(jobwire_receiver_options* options);

/* Tells whether a store spec names a store compiled into this library: JOBWIRE_OK,
 * JOBWIRE_E_STORE_NOT_SUPPORTED, or JOBWIRE_E_INVALID_ARGUMENT for a spec of no known
 * form. Specs: "memory" (this process only), "sqlite:PATH", "redis://HOST[:PORT][/DB]",
 * "postgresql://..." or "postgres://..." (a libpq connection URI). */
JOBWIRE_C_API int jobwire_receiver_store_supported(const char* store_spec, size_t store_spec_len);

/* Creates a receiver. secrets/secret_lens/count as for jobwire_verifier_create (count may
 * be 0, see JOBWIRE_RECEIVER_ALLOW_UNSIGNED); store_spec as above (the store is opened
 * or connected here, so an unreachable one is JOBWIRE_E_STORE_UNAVAILABLE now);
 * options may be NULL for the defaults. On success *out receives the handle, to be
 * released with jobwire_receiver_free; on failure *out is NULL. */
JOBWIRE_C_API int jobwire_receiver_create(const char* const* secrets, const size_t* secret_lens, size_t count,
                                          const char* store_spec, size_t store_spec_len,
                                          const jobwire_receiver_options* options, jobwire_receiver** out);

/* A dedup store the host provides, as callbacks (the store interface of dedup.hpp): for a
 * database or cache the library has no client for. `key` is the stable encoding of a
 * dedup key (at most JOBWIRE_RECEIPT_DEDUP_KEY_MAX bytes, not NUL-terminated), opaque to
 * the store; besides the deliveries' keys the receiver also claims and releases a per-job
 * lease key ("jls:<job id>") through the same callbacks. Times are Unix milliseconds.
 *   claim    atomically: when `key` is absent, its lease expired (expiry <= now_ms) or it
 *            was done longer than the store's retention ago, record a lease until
 *            now_ms + lease_ms under a new token (JOBWIRE_CLAIM_TOKEN_LEN bytes written to
 *            `token`, unique among the claims of the key) and set *out_state to
 *            JOBWIRE_CLAIM_FRESH; done within retention: JOBWIRE_CLAIM_DONE; a live lease:
 *            JOBWIRE_CLAIM_IN_FLIGHT.
 *   commit   when `key` is still claimed with `token`, mark it done (keep it for the
 *            retention, e.g. 88 minutes: PROTOCOL.md §12's retry horizon twice); again with
 *            the same token is a success; otherwise JOBWIRE_E_CLAIM_LOST, changing nothing.
 *   release  when `key` is claimed with `token`, forget the claim; otherwise
 *            JOBWIRE_E_CLAIM_LOST, changing nothing.
 * Each returns 0 on success, JOBWIRE_E_STORE_UNAVAILABLE (cannot reach the store now) or
 * JOBWIRE_E_CLAIM_LOST (commit, release) as above; any other value is taken as
 * JOBWIRE_E_STORE_ERROR. A failing claim is answered 503 (the delivery's own claim, when
 * it held one, is released first: the sender's retry is processed); a failing commit after
 * the handler succeeded is still 200 with receipt.status set (the effect is durable; a
 * copy is reconciled again and applies nothing). The callbacks may run on several threads
 * at once (one per concurrent jobwire_receive) and must not unwind. */
#define JOBWIRE_CLAIM_FRESH     0
#define JOBWIRE_CLAIM_DONE      1
#define JOBWIRE_CLAIM_IN_FLIGHT 2
#define JOBWIRE_CLAIM_TOKEN_LEN 16

typedef int (*jobwire_store_claim_cb)(void* user_data, const char* key, size_t key_len, int64_t now_ms,
                                      int64_t lease_ms, int* out_state, unsigned char* token);
typedef int (*jobwire_store_commit_cb)(void* user_data, const char* key, size_t key_len, const unsigned char* token,
                                       int64_t now_ms);
typedef int (*jobwire_store_release_cb)(void* user_data, const char* key, size_t key_len, const unsigned char* token);

typedef struct jobwire_store_callbacks {
  jobwire_store_claim_cb claim;     /* required */
  jobwire_store_commit_cb commit;   /* required */
  jobwire_store_release_cb release; /* required */
  void* user_data;
} jobwire_store_callbacks;

/* As jobwire_receiver_create, with the host's store instead of a store spec. *store is
 * copied; its user_data must outlive the receiver. JOBWIRE_E_INVALID_ARGUMENT when store
 * or one of its three callbacks is NULL. */
JOBWIRE_C_API int jobwire_receiver_create_with_store(const char* const* secrets, const size_t* secret_lens,
                                                     size_t count, const jobwire_store_callbacks* store,
                                                     const jobwire_receiver_options* options, jobwire_receiver** out);

/* Releases a receiver, its store connections and its keys. NULL is a no-op. No call may
 * be running on it. */
JOBWIRE_C_API void jobwire_receiver_free(jobwire_receiver* receiver);

/* One request header. */
typedef struct jobwire_header {
  const char* name;
  size_t name_len;
  const char* value;
  size_t value_len;
} jobwire_header;

/* The job state the host holds (PROTOCOL.md §13.3). progress is 0..100. */
typedef struct jobwire_job_state {
  int lifecycle; /* JOBWIRE_LIFECYCLE_* */
  double progress;
} jobwire_job_state;

/* The delivery being handled, as given to the handle callback. Every pointer is valid
 * only during the callback; texts are not NUL-terminated. */
typedef struct jobwire_event {
  const char* id; /* the event id */
  size_t id_len;
  const char* type; /* e.g. "video.completed" */
  size_t type_len;
  const char* job_id; /* data.id */
  size_t job_id_len;
  const char* status; /* data.status, normalised ("queued", "in_progress", ...) */
  size_t status_len;
  int lifecycle; /* data.lifecycle_status (JOBWIRE_LIFECYCLE_*) */
  double progress;
  int has_progress;         /* 1 when data.progress was present */
  const char* delivery_key; /* delivery.key, or empty (no delivery member) */
  size_t delivery_key_len;
  uint32_t attempt;      /* 0 when unknown */
  int profile;           /* the profile it was verified under: JOBWIRE_PROFILE_AI_STATS or _PHASEO */
  const char* dedup_key; /* the key deduplicated on (its stable encoding) */
  size_t dedup_key_len;
} jobwire_event;

/* Reconciliation actions that reach the handler. */
#define JOBWIRE_DECISION_APPLY   0 /* persist `next` and run the side effect */
#define JOBWIRE_DECISION_REFETCH 3 /* fetch the status object (or durably schedule it) */

typedef struct jobwire_decision {
  int action;             /* JOBWIRE_DECISION_* */
  const char* reason;     /* static snake_case reason ("forward", "more_progress", "unknown_job", ...) */
  jobwire_job_state next; /* the state to hold afterwards (apply) */
} jobwire_decision;

/* Host callbacks, in the manner of llhttp's settings: one const struct, shared freely.
 *   load    reads the state the host holds for a job: set *out_found = 1 and fill
 *           *out_state, or leave *out_found = 0 (job not known). May be NULL (nothing is
 *           ever known: every delivery reconciles as for an unknown job).
 *   handle  runs for APPLY and REFETCH. May be NULL (nothing to do).
 * Both return 0 on success; any other value is a failure: the delivery's claim is
 * released and the receipt says reject / 503 / handler_failed, so the sender's retry is
 * processed. Both run while the delivery's claim and the job's lease are held, and must
 * return within the lease. They must not unwind (no C++ exception, no longjmp). */
typedef int (*jobwire_load_cb)(void* user_data, const char* job_id, size_t job_id_len, jobwire_job_state* out_state,
                               int* out_found);
typedef int (*jobwire_handle_cb)(void* user_data, const jobwire_event* event, const jobwire_decision* decision);

typedef struct jobwire_receive_settings {
  jobwire_load_cb load;
  jobwire_handle_cb handle;
  void* user_data;
} jobwire_receive_settings;

/* Receiver decisions (receipt.action). */
#define JOBWIRE_RECEIVED_PROCESS      0
#define JOBWIRE_RECEIVED_DUPLICATE    1
#define JOBWIRE_RECEIVED_IN_FLIGHT    2
#define JOBWIRE_RECEIVED_IGNORE_STALE 3
#define JOBWIRE_RECEIVED_NO_CHANGE    4
#define JOBWIRE_RECEIVED_REFETCH      5
#define JOBWIRE_RECEIVED_REJECT       6

/* Buffer sizes that always suffice for the receipt's job id and dedup key. */
#define JOBWIRE_RECEIPT_JOB_ID_MAX    256
#define JOBWIRE_RECEIPT_DEDUP_KEY_MAX 512

/* What jobwire_receive decided. The caller sets the buffers (job_id, job_id_cap,
 * dedup_key, dedup_key_cap) before the call: NULL with cap 0 means "not wanted"; a
 * buffer smaller than JOBWIRE_RECEIPT_*_MAX is refused before anything is done. */
typedef struct jobwire_receipt {
  int action;         /* JOBWIRE_RECEIVED_* */
  int http_status;    /* the reply to send */
  int status;         /* JOBWIRE_OK, or the code of reason for a reject (and for an
                         acknowledged delivery -- process, refetch, ignore_stale,
                         no_change -- whose final commit or release failed) */
  const char* reason; /* static snake_case reason: an error name, a reconcile reason,
                         "done"/"in_flight" for a claim found taken */
  char* job_id;       /* data.id (empty before parsing succeeded) */
  size_t job_id_cap;
  size_t job_id_len;
  char* dedup_key; /* the key deduplicated on (empty before it was built) */
  size_t dedup_key_cap;
  size_t dedup_key_len;
  uint32_t attempt; /* the attempt the delivery carried, 0 when unknown */
  int profile;      /* the profile verified under, or -1 before verification succeeded */
} jobwire_receipt;

/* Handles one delivery end to end and fills *receipt (the HTTP reply to send is
 * receipt->http_status). Returns JOBWIRE_OK when a receipt was produced -- a rejected
 * delivery is a receipt too -- or an argument error (JOBWIRE_E_INVALID_ARGUMENT: NULL
 * receiver, settings or receipt, a NULL pointer with a non-zero length; or
 * JOBWIRE_E_BUFFER_TOO_SMALL for a receipt buffer below its *_MAX), in which case
 * nothing was done. now_ms is the host's clock in Unix milliseconds.
 * Thread safety: any number of threads may call this on one receiver at once. Each call
 * takes a (verifier, store connection) pair from a pool inside the receiver, creating
 * one when none is free, so calls do not wait for each other; the memory store is one
 * sharded store shared by all of them. */
JOBWIRE_C_API int jobwire_receive(jobwire_receiver* receiver, const char* body, size_t body_len,
                                  const jobwire_header* headers, size_t header_count, int64_t now_ms,
                                  const jobwire_receive_settings* settings, jobwire_receipt* receipt);

/* ---------------------------------------------------------------------------------------
 * Receiving Standard Webhooks deliveries (PROTOCOL.md §17: profiles standard and openai)
 * with the same receiver: authenticate -> claim the webhook-id (dedup store) -> handler ->
 * commit. No lifecycle reconciliation: the sender's events are not job statuses.
 *
 * A delivery of each family has its own entry point. jobwire_receive given an authentic
 * webhook-* delivery answers 503 with reason invalid_argument (nothing is acknowledged
 * unhandled; the sender retries once the host routes it to jobwire_receive_webhook), and
 * jobwire_receive_webhook given an authentic service delivery (x-ai-stats-*, x-phaseo-*)
 * answers 401 signature_scheme_mismatch, as the C++ receiver does.
 * ------------------------------------------------------------------------------------- */

/* As jobwire_receiver_create / _create_with_store, with the keys of jobwire_verifier_create_keys:
 * secrets (whsec_..., or prefix-less read per key_format), Ed25519 public keys (whpk_...,
 * for v1a signatures), the schemes the keys are prepared for (JOBWIRE_SCHEME_*, 0 = both)
 * and key_format (JOBWIRE_KEY_FORMAT_*). The store is either a spec (store_spec, as for
 * jobwire_receiver_create) or the host's callbacks (store non-NULL; then store_spec must be
 * NULL with length 0). options->profile may also be JOBWIRE_PROFILE_STANDARD or
 * JOBWIRE_PROFILE_OPENAI here. Every key is checked now (JOBWIRE_E_INVALID_KEY,
 * JOBWIRE_E_KEY_FORMAT_MISMATCH). The receiver serves jobwire_receive and
 * jobwire_receive_webhook alike. */
JOBWIRE_C_API int jobwire_receiver_create_keys(const char* const* secrets, const size_t* secret_lens, size_t count,
                                               const char* const* public_keys, const size_t* public_key_lens,
                                               size_t public_key_count, unsigned schemes, int key_format,
                                               const char* store_spec, size_t store_spec_len,
                                               const jobwire_store_callbacks* store,
                                               const jobwire_receiver_options* options, jobwire_receiver** out);

/* The message being handled, as given to the webhook handler. Every pointer is valid only
 * during the callback; texts are not NUL-terminated. */
typedef struct jobwire_webhook_message {
  const char* id; /* the webhook-id (the idempotency key) */
  size_t id_len;
  const char* timestamp; /* the webhook-timestamp header's text */
  size_t timestamp_len;
  const char* body; /* the authenticated body, any bytes (JSON is optional) */
  size_t body_len;
  int profile;           /* JOBWIRE_PROFILE_STANDARD or _OPENAI: the profile verified under */
  size_t matched_key;    /* the key that matched: a secret's index, or the number of
                            secrets plus a public key's index (v1a) */
  const char* dedup_key; /* the key deduplicated on (its stable encoding) */
  size_t dedup_key_len;
} jobwire_webhook_message;

/* Runs the side effect of one message. Returns 0 on success; any other value releases the
 * claim and the receipt says reject / 503 / handler_failed, so the sender's retry is
 * processed. Runs while the message's claim is held and must return within the lease; it
 * must not unwind. */
typedef int (*jobwire_webhook_cb)(void* user_data, const jobwire_webhook_message* message);

/* Buffer size that always suffices for the receipt's message id (a webhook-id). */
#define JOBWIRE_RECEIPT_MESSAGE_ID_MAX 256

/* What jobwire_receive_webhook decided. The caller sets the buffers (message_id,
 * message_id_cap, dedup_key, dedup_key_cap) before the call: NULL with cap 0 means "not
 * wanted"; a buffer smaller than JOBWIRE_RECEIPT_MESSAGE_ID_MAX / _DEDUP_KEY_MAX is refused
 * before anything is done. */
typedef struct jobwire_webhook_receipt {
  int action;         /* JOBWIRE_RECEIVED_PROCESS, _DUPLICATE, _IN_FLIGHT or _REJECT */
  int http_status;    /* the reply to send */
  int status;         /* JOBWIRE_OK, or the code of reason for a reject (and for a
                         processed message whose final commit failed) */
  const char* reason; /* static snake_case reason: "processed", "done", "in_flight", or an
                         error name */
  char* message_id;   /* the webhook-id (empty before authentication succeeded) */
  size_t message_id_cap;
  size_t message_id_len;
  char* dedup_key; /* the key deduplicated on (empty before it was built) */
  size_t dedup_key_cap;
  size_t dedup_key_len;
  int profile; /* the profile verified under, or -1 before authentication succeeded */
} jobwire_webhook_receipt;

/* Handles one Standard Webhooks delivery end to end and fills *receipt (reply with
 * receipt->http_status): authenticate (signature list, freshness; a receiver whose profile
 * is AUTO detects the webhook-* / svix-* family as STANDARD), claim the webhook-id, run
 * `handle` (may be NULL: nothing to do beyond deduplication), commit. A retry of a
 * processed message is DUPLICATE (200) and the handler does not run again; a copy being
 * handled elsewhere is IN_FLIGHT (503). Returns JOBWIRE_OK when a receipt was produced, or
 * an argument error as jobwire_receive does (then nothing was done). Thread safety as for
 * jobwire_receive. */
JOBWIRE_C_API int jobwire_receive_webhook(jobwire_receiver* receiver, const char* body, size_t body_len,
                                          const jobwire_header* headers, size_t header_count, int64_t now_ms,
                                          jobwire_webhook_cb handle, void* user_data, jobwire_webhook_receipt* receipt);

/* ---------------------------------------------------------------------------------------
 * Sender: building one signed delivery (PROTOCOL.md §2, §9-§11, §16.1)
 * ------------------------------------------------------------------------------------- */

/* One job event to deliver. Texts are (pointer, length); data is the `data` object as JSON
 * text (validated, then inserted byte for byte; "id" is added when absent and must equal
 * job_id when present). */
typedef struct jobwire_delivery_spec {
  int kind;           /* JOBWIRE_KIND_* */
  const char* job_id; /* the gateway's job id */
  size_t job_id_len;
  const char* internal_id; /* the sender's internal id: the stable part of the event id */
  size_t internal_id_len;
  const char* phase; /* "queued", "in_progress", "completed", "failed", "progress", ... */
  size_t phase_len;
  double progress;    /* the progress phase only: the value that makes the bucket */
  const char* status; /* the status_changed phase only (profile phaseo): the raw status */
  size_t status_len;
  const char* previous_status; /* status_changed only; NULL when unknown */
  size_t previous_status_len;
  const char* data;
  size_t data_len;
  int has_created_at; /* 0: created_at is the build's `now` */
  int64_t created_at; /* Unix seconds; kept the same across the retries of one event */
} jobwire_delivery_spec;

/* Builds attempt `attempt` (1-based, at most the profile's max attempts) of one delivery
 * at `now` (Unix seconds; the timestamp header), signed with `secret` (trimmed; empty
 * means unsigned, which JOBWIRE_PROFILE_PHASEO refuses with JOBWIRE_E_SECRET_REQUIRED).
 * profile is JOBWIRE_PROFILE_AI_STATS or _PHASEO (AUTO is JOBWIRE_E_INVALID_ARGUMENT).
 * Writes one JSON object (output rules above):
 *   {"body":"<the body, as a JSON string>","headers":[["name","value"],...],
 *    "event_id":"...","delivery_key":"...","attempt":N,"max_attempts":N,"timestamp":N}
 * The body's bytes are the UTF-8 encoding of the "body" string; the headers are in
 * transmission order. Errors: JOBWIRE_E_UNKNOWN_PHASE, JOBWIRE_E_NO_PROGRESS_EVENT,
 * JOBWIRE_E_INVALID_JOB_ID, JOBWIRE_E_INVALID_ATTEMPT, JOBWIRE_E_CONFLICTING_JOB_ID,
 * JOBWIRE_E_JSON_TYPE_MISMATCH (data not an object), the JSON reader's errors for data
 * (*error_offset, may be NULL: the byte offset in data, else JOBWIRE_NO_OFFSET). */
JOBWIRE_C_API int jobwire_build_delivery(const char* secret, size_t secret_len, int profile,
                                         const jobwire_delivery_spec* spec, int64_t now, unsigned attempt, char* out,
                                         size_t out_cap, size_t* out_len, size_t* error_offset);

/* ---------------------------------------------------------------------------------------
 * Retry schedule (PROTOCOL.md §12)
 * ------------------------------------------------------------------------------------- */

/* A retry policy. The service's: 4 attempts; after failed attempt 1, 2, 3 the next is due
 * 60 s, 300 s, 900 s later; 30 s request timeout. */
typedef struct jobwire_retry_policy {
  unsigned max_attempts; /* 1 .. 16 */
  /* The wait in seconds after failed attempt 1, 2, ...: exactly max_attempts - 1 positive
   * values of at most 30 days (an array of 0 values fits max_attempts 1 only). NULL with
   * count 0 means the service's delays (60, 300, 900), which fit max_attempts 1 to 4. The
   * array is read during the call only. */
  const int64_t* retry_delay_seconds;
  size_t retry_delay_count;
  int64_t request_timeout_seconds; /* 1 .. 120 */
} jobwire_retry_policy;

/* Fills *policy with the service's policy (delays: NULL, 0). */
JOBWIRE_C_API void jobwire_retry_policy_init(jobwire_retry_policy* policy);

/* What the host observed for one attempt. */
#define JOBWIRE_OUTCOME_HTTP_RESPONSE 0 /* with its status 100..599 */
#define JOBWIRE_OUTCOME_TIMEOUT       1
#define JOBWIRE_OUTCOME_NETWORK_ERROR 2

/* What an attempt turned into (the `status` of a ledger attempt). */
#define JOBWIRE_ATTEMPT_DELIVERED          0
#define JOBWIRE_ATTEMPT_SCHEDULED_RETRY    1
#define JOBWIRE_ATTEMPT_FAILED_PERMANENTLY 2

typedef struct jobwire_retry_decision {
  int status;               /* JOBWIRE_ATTEMPT_* */
  const char* status_name;  /* static: "delivered", "scheduled_retry", "failed_permanently" */
  unsigned attempt;         /* the attempt decided */
  unsigned max_attempts;    /* the policy's, as sent in the max-attempts header */
  unsigned next_attempt;    /* attempt + 1 for a scheduled retry, else 0 */
  int64_t next_retry_at_ms; /* when the next attempt is due (Unix ms); scheduled retry only, else 0 */
} jobwire_retry_decision;

/* Decides attempt `attempt` (1-based) made at tried_at_ms (Unix milliseconds) with the
 * outcome (JOBWIRE_OUTCOME_*; http_status is read for HTTP_RESPONSE only): a 2xx response
 * is delivered; any other outcome is a retry due at tried_at + the delay after this
 * attempt while attempt < max_attempts, else failed permanently. policy NULL is the
 * service's. Errors: JOBWIRE_E_INVALID_ARGUMENT (out NULL, an outcome that is none of
 * the above, a time before 1970 or after 9999), JOBWIRE_E_INVALID_ATTEMPT (attempt
 * outside 1..max_attempts, or max_attempts outside 1..16), JOBWIRE_E_INVALID_RETRY_POLICY
 * (delays: not max_attempts - 1 of them, one not positive or above 30 days),
 * JOBWIRE_E_INVALID_TIMEOUT, JOBWIRE_E_INVALID_OUTCOME (an HTTP status outside
 * 100..599). *out is zeroed on error. */
JOBWIRE_C_API int jobwire_decide_attempt(const jobwire_retry_policy* policy, unsigned attempt, int outcome,
                                         int http_status, int64_t tried_at_ms, jobwire_retry_decision* out);

/* ---------------------------------------------------------------------------------------
 * Retry rules per profile (PROTOCOL.md §12, §17 "Sending"): the Standard Webhooks etiquette
 * ------------------------------------------------------------------------------------- */

/* Which rules read an outcome. */
#define JOBWIRE_RETRY_RULES_SERVICE           0 /* §12: every non-2xx is a failure */
#define JOBWIRE_RETRY_RULES_STANDARD_WEBHOOKS 1 /* §17: 410 disables, 429/502/504 throttle, Retry-After */

/* When the failure streak may disable an endpoint. */
#define JOBWIRE_STREAK_FINAL_FAILURE 0 /* when a delivery fails permanently (the default) */
#define JOBWIRE_STREAK_EVERY_FAILURE 1 /* at every failure */

/* The rules beside the schedule (jobwire_retry_policy). */
typedef struct jobwire_retry_etiquette {
  int rules;                       /* JOBWIRE_RETRY_RULES_* */
  unsigned jitter_percent;         /* 0 .. 50: each wait moved by up to +- this % (never below 1 s) */
  int64_t max_retry_after_seconds; /* 0 .. 30 days: a longer Retry-After is cut to this */
  int64_t throttle_seconds;        /* 1 .. 30 days: a throttle without a usable Retry-After */
  unsigned disable_after_failures; /* the endpoint is disabled at this streak; 0: never */
  int disable_streak_check;        /* JOBWIRE_STREAK_* */
} jobwire_retry_etiquette;

/* Fills *policy and *etiquette (either may be NULL) with a profile's retry rules:
 * JOBWIRE_PROFILE_AI_STATS and JOBWIRE_PROFILE_PHASEO the service's (§12: as
 * jobwire_retry_policy_init, no jitter, no streak), JOBWIRE_PROFILE_STANDARD and
 * JOBWIRE_PROFILE_OPENAI §17's: 10 attempts, waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
 * 20 h, 24 h (policy->retry_delay_seconds then points at a static array of the library),
 * jitter 20 %, Retry-After up to 24 h, throttle 60 s, disabled at a streak of 10 when a
 * delivery fails permanently. Errors: JOBWIRE_E_INVALID_ARGUMENT for another profile. */
JOBWIRE_C_API int jobwire_retry_policy_for_profile(int profile, jobwire_retry_policy* policy,
                                                   jobwire_retry_etiquette* etiquette);

/* SplitMix64 of x: reproducible random bits for the jitter from a seed (not for secrets). */
JOBWIRE_C_API uint64_t jobwire_splitmix64(uint64_t x);

/* One attempt as the host observed it. */
typedef struct jobwire_attempt_observation {
  unsigned attempt;    /* 1-based */
  int outcome;         /* JOBWIRE_OUTCOME_* */
  int http_status;     /* read for JOBWIRE_OUTCOME_HTTP_RESPONSE only */
  int64_t tried_at_ms; /* Unix ms; a Retry-After date counts from here */
  /* The response's Retry-After field value (not NUL-terminated), read during the call only;
   * NULL when the response had none. */
  const char* retry_after;
  size_t retry_after_len;
  uint64_t random;                  /* random bits for the jitter (jobwire_splitmix64(seed)) */
  unsigned endpoint_failure_streak; /* the endpoint's streak before this attempt (informative) */
} jobwire_attempt_observation;

/* What an attempt does to its endpoint (the outbox stores apply it). */
#define JOBWIRE_ENDPOINT_NONE     0
#define JOBWIRE_ENDPOINT_SUCCESS  1 /* 2xx: the streak restarts */
#define JOBWIRE_ENDPOINT_FAILURE  2 /* the streak grows */
#define JOBWIRE_ENDPOINT_THROTTLE 3 /* 429/502/504: held until throttle_until_ms */
#define JOBWIRE_ENDPOINT_DISABLE  4 /* 410: disabled now */

/* Why an attempt disables its endpoint. */
#define JOBWIRE_DISABLE_NONE           0
#define JOBWIRE_DISABLE_GONE           1
#define JOBWIRE_DISABLE_FAILURE_STREAK 2

/* What became of the Retry-After field. */
#define JOBWIRE_RETRY_AFTER_ABSENT      0
#define JOBWIRE_RETRY_AFTER_NOT_APPLIED 1 /* not read: service rules, a success, a 410 */
#define JOBWIRE_RETRY_AFTER_HONOURED    2
#define JOBWIRE_RETRY_AFTER_CAPPED      3 /* cut to max_retry_after_seconds */
#define JOBWIRE_RETRY_AFTER_PAST        4 /* a date before the attempt */
#define JOBWIRE_RETRY_AFTER_INVALID     5 /* malformed: ignored, retry_after_error says so */

typedef struct jobwire_attempt_verdict {
  int status;                      /* JOBWIRE_ATTEMPT_* of the delivery */
  const char* status_name;         /* static */
  unsigned attempt;                /* the attempt decided */
  unsigned max_attempts;           /* the policy's */
  unsigned next_attempt;           /* attempt + 1 for a scheduled retry, else 0 */
  int64_t tried_at_ms;             /* as observed */
  int64_t next_retry_at_ms;        /* scheduled retry only, else 0 */
  int http_status;                 /* 0 for a timeout or network error */
  int effect;                      /* JOBWIRE_ENDPOINT_* */
  const char* effect_name;         /* static: "none", "success", "failure", "throttle", "disable" */
  int64_t throttle_until_ms;       /* JOBWIRE_ENDPOINT_THROTTLE only, else 0 */
  unsigned disable_after_failures; /* for the store: disable at this streak; 0: not by this attempt */
  int endpoint_disabled;           /* 1: this attempt disables the endpoint (the event to alert on) */
  int disable_reason;              /* JOBWIRE_DISABLE_* */
  const char* disable_reason_name; /* static: "none", "gone", "failure_streak" */
  int retry_after;                 /* JOBWIRE_RETRY_AFTER_* */
  const char* retry_after_name;    /* static: "absent", "not_applied", "honoured", "capped", "past", "invalid" */
  int64_t retry_after_until_ms;    /* honoured, capped, past: the time it asked for (capped), else 0 */
  int retry_after_error;           /* JOBWIRE_E_INVALID_RETRY_AFTER when invalid, else JOBWIRE_OK */
} jobwire_attempt_verdict;

/* Decides one attempt with the whole policy: the schedule of *policy (NULL: the service's)
 * and the rules of *etiquette (NULL: the service's rules, no jitter, no streak). Under the
 * service rules the delivery's verdict is jobwire_decide_attempt's; under the Standard
 * Webhooks rules 410 fails the delivery and disables the endpoint, 429/502/504 throttle it,
 * a Retry-After (seconds or HTTP-date) is never retried before (up to the cap), a malformed
 * one is reported in the verdict and ignored (never an error), and the failure streak's
 * limit goes to the store with the failures it applies to. Errors: as
 * jobwire_decide_attempt (observation or out NULL, retry_after_len without retry_after:
 * JOBWIRE_E_INVALID_ARGUMENT), and JOBWIRE_E_INVALID_RETRY_POLICY for an etiquette value
 * outside its range. *out is zeroed on error (names: ""). */
JOBWIRE_C_API int jobwire_decide_delivery(const jobwire_retry_policy* policy, const jobwire_retry_etiquette* etiquette,
                                          const jobwire_attempt_observation* observation, jobwire_attempt_verdict* out);

/* ---------------------------------------------------------------------------------------
 * Sender: a prepared sender and its deliveries, attempt after attempt (PROTOCOL.md §9-§12)
 * ------------------------------------------------------------------------------------- */

/* A sender for one secret, profile and retry policy: the secret's key is prepared once
 * for every delivery and attempt. A delivery holds one built attempt (body and headers)
 * and becomes the next attempt in place. Neither is locked: use each from one thread at a
 * time (one sender per thread, or a lock). */
typedef struct jobwire_sender jobwire_sender;
typedef struct jobwire_delivery jobwire_delivery;

/* Creates a sender. secret as for jobwire_build_delivery (trimmed; empty means unsigned
 * deliveries, refused under JOBWIRE_PROFILE_PHASEO with JOBWIRE_E_SECRET_REQUIRED);
 * profile JOBWIRE_PROFILE_AI_STATS or _PHASEO; policy NULL for the service's, else
 * checked as by jobwire_decide_attempt. *out receives the handle (NULL on failure),
 * released with jobwire_sender_free. */
JOBWIRE_C_API int jobwire_sender_create(const char* secret, size_t secret_len, int profile,
                                        const jobwire_retry_policy* policy, jobwire_sender** out);

/* Releases a sender and its key. NULL is a no-op. Its deliveries stay valid. */
JOBWIRE_C_API void jobwire_sender_free(jobwire_sender* sender);

/* Builds attempt `attempt` (1 .. the policy's max_attempts) of the event *spec at `now`
 * (Unix seconds: the timestamp header). Errors as jobwire_build_delivery (*error_offset,
 * may be NULL, as there). *out receives the delivery (NULL on failure), released with
 * jobwire_delivery_free. */
JOBWIRE_C_API int jobwire_sender_build(jobwire_sender* sender, const jobwire_delivery_spec* spec, int64_t now,
                                       unsigned attempt, jobwire_delivery** out, size_t* error_offset);

/* Turns *delivery into attempt `attempt` at `now` (PROTOCOL.md §12): the event id, key,
 * created_at and data stay; the attempt number (body and header), the timestamp and the
 * signature are rewritten. Usually attempt = jobwire_retry_decision.next_attempt, sent
 * when next_retry_at_ms is due. Errors: JOBWIRE_E_INVALID_ATTEMPT (outside 1 ..
 * max_attempts), JOBWIRE_E_INVALID_ARGUMENT (NULL, a time out of range, or a delivery
 * built by a sender of another profile or max_attempts); the delivery is then unchanged.
 * After a signing failure (JOBWIRE_E_CRYPTO_ERROR) it has no headers: build it again. */
JOBWIRE_C_API int jobwire_sender_next_attempt(jobwire_sender* sender, jobwire_delivery* delivery, unsigned attempt,
                                              int64_t now);

/* Writes the delivery as jobwire_build_delivery does (the same JSON object: body, headers,
 * event_id, delivery_key, attempt, max_attempts, timestamp; output rules above). */
JOBWIRE_C_API int jobwire_delivery_json(const jobwire_delivery* delivery, char* out, size_t out_cap, size_t* out_len);

/* Most headers one attempt has (PROTOCOL.md §9: content-type, user-agent, event-id,
 * event-type, delivery-key, attempt, max-attempts, timestamp, signature). */
#define JOBWIRE_DELIVERY_MAX_HEADERS 9

/* The delivery as a C sender transmits it, without copying: *body / *body_len the body's
 * bytes, headers[0 .. *header_count) the headers in transmission order (the struct that
 * jobwire_receive takes). The views stay valid until the delivery's next
 * jobwire_sender_next_attempt or jobwire_delivery_free. headers_cap below the count is
 * JOBWIRE_E_BUFFER_TOO_SMALL with *header_count set to the count and the body still
 * given (JOBWIRE_DELIVERY_MAX_HEADERS always suffices; headers may be NULL only with
 * headers_cap 0). A delivery whose last next_attempt failed has no headers:
 * JOBWIRE_E_INVALID_ARGUMENT. */
JOBWIRE_C_API int jobwire_delivery_parts(const jobwire_delivery* delivery, const char** body, size_t* body_len,
                                         jobwire_header* headers, size_t headers_cap, size_t* header_count);

/* Releases a delivery. NULL is a no-op. */
JOBWIRE_C_API void jobwire_delivery_free(jobwire_delivery* delivery);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JOBWIRE_C_H */
