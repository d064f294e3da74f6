/* Tests of the C API (include/jobwire_c.h), written in C and compiled as C: the header
 * must be valid C, and every function is called the way a C program calls it, including
 * the error paths (NULL arguments, out-of-range enumerations, unknown flags, buffers that
 * are too small). Built twice, against the shared and the static library, and run under
 * ASan+UBSan in sanitizer builds. */
#define _POSIX_C_SOURCE 200809L /* pthreads in strict C99 */

#include "jobwire_c.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_check.h"

/* Text equality of an output (buf, len) with a C string. */
static int out_is(const char* buf, size_t len, const char* want) {
  return len == strlen(want) && memcmp(buf, want, len) == 0;
}

/* ----------------------------------------------------------------------------------- */

struct named_code {
  int status;
  const char* name;
};

/* Every status macro of the header with the name the library must report for it. */
static const struct named_code all_codes[] = {
    {JOBWIRE_OK, "ok"},
    {JOBWIRE_E_INVALID_ARGUMENT, "invalid_argument"},
    {JOBWIRE_E_BUFFER_TOO_SMALL, "buffer_too_small"},
    {JOBWIRE_E_LIMIT_EXCEEDED, "limit_exceeded"},
    {JOBWIRE_E_IO_ERROR, "io_error"},
    {JOBWIRE_E_INTERNAL_ERROR, "internal_error"},
    {JOBWIRE_E_OUT_OF_MEMORY, "out_of_memory"},
    {JOBWIRE_E_CRYPTO_ERROR, "crypto_error"},
    {JOBWIRE_E_NOT_FOUND, "not_found"},
    {JOBWIRE_E_JSON_EMPTY_INPUT, "json_empty_input"},
    {JOBWIRE_E_JSON_UNEXPECTED_TOKEN, "json_unexpected_token"},
    {JOBWIRE_E_JSON_UNEXPECTED_END, "json_unexpected_end"},
    {JOBWIRE_E_JSON_TRAILING_CONTENT, "json_trailing_content"},
    {JOBWIRE_E_JSON_INVALID_NUMBER, "json_invalid_number"},
    {JOBWIRE_E_JSON_INVALID_STRING, "json_invalid_string"},
    {JOBWIRE_E_JSON_INVALID_ESCAPE, "json_invalid_escape"},
    {JOBWIRE_E_JSON_INVALID_UTF8, "json_invalid_utf8"},
    {JOBWIRE_E_JSON_INVALID_SURROGATE, "json_invalid_surrogate"},
    {JOBWIRE_E_JSON_DEPTH_EXCEEDED, "json_depth_exceeded"},
    {JOBWIRE_E_JSON_INPUT_TOO_LARGE, "json_input_too_large"},
    {JOBWIRE_E_JSON_STRING_TOO_LONG, "json_string_too_long"},
    {JOBWIRE_E_JSON_TOO_MANY_MEMBERS, "json_too_many_members"},
    {JOBWIRE_E_JSON_DUPLICATE_KEY, "json_duplicate_key"},
    {JOBWIRE_E_JSON_TYPE_MISMATCH, "json_type_mismatch"},
    {JOBWIRE_E_JSON_NUMBER_OUT_OF_RANGE, "json_number_out_of_range"},
    {JOBWIRE_E_JSON_NOT_INTEGER, "json_not_integer"},
    {JOBWIRE_E_EMPTY_SECRET, "empty_secret"},
    {JOBWIRE_E_TOO_MANY_SECRETS, "too_many_secrets"},
    {JOBWIRE_E_MISSING_TIMESTAMP, "missing_timestamp"},
    {JOBWIRE_E_MISSING_SIGNATURE, "missing_signature"},
    {JOBWIRE_E_MALFORMED_TIMESTAMP, "malformed_timestamp"},
    {JOBWIRE_E_TIMESTAMP_TOO_OLD, "timestamp_too_old"},
    {JOBWIRE_E_TIMESTAMP_TOO_NEW, "timestamp_too_new"},
    {JOBWIRE_E_MALFORMED_SIGNATURE, "malformed_signature"},
    {JOBWIRE_E_SIGNATURE_MISMATCH, "signature_mismatch"},
    {JOBWIRE_E_AMBIGUOUS_HEADER, "ambiguous_header"},
    {JOBWIRE_E_HEADER_BODY_MISMATCH, "header_body_mismatch"},
    {JOBWIRE_E_MALFORMED_HEADER, "malformed_header"},
    {JOBWIRE_E_ATTEMPT_EXCEEDS_MAX, "attempt_exceeds_max"},
    {JOBWIRE_E_SECRET_REQUIRED, "secret_required"},
    {JOBWIRE_E_BODY_TOO_LARGE, "body_too_large"},
    {JOBWIRE_E_MISSING_FIELD, "missing_field"},
    {JOBWIRE_E_INVALID_FIELD, "invalid_field"},
    {JOBWIRE_E_UNKNOWN_STATUS, "unknown_status"},
    {JOBWIRE_E_INCONSISTENT_STATUS, "inconsistent_status"},
    {JOBWIRE_E_CONFLICTING_JOB_ID, "conflicting_job_id"},
    {JOBWIRE_E_INVALID_JOB_ID, "invalid_job_id"},
    {JOBWIRE_E_INVALID_EVENT_ID, "invalid_event_id"},
    {JOBWIRE_E_UNKNOWN_EVENT_TYPE, "unknown_event_type"},
    {JOBWIRE_E_UNKNOWN_MESSAGE_TYPE, "unknown_message_type"},
    {JOBWIRE_E_JOB_NOT_COMPLETED, "job_not_completed"},
    {JOBWIRE_E_INVALID_TTL, "invalid_ttl"},
    {JOBWIRE_E_INVALID_DISPOSITION, "invalid_disposition"},
    {JOBWIRE_E_INVALID_INTERVAL, "invalid_interval"},
    {JOBWIRE_E_INVALID_INDEX, "invalid_index"},
    {JOBWIRE_E_DEADLINE_EXCEEDED, "deadline_exceeded"},
    {JOBWIRE_E_POLL_NOT_RETRYABLE, "poll_not_retryable"},
    {JOBWIRE_E_STATUS_CHANGE_MISMATCH, "status_change_mismatch"},
    {JOBWIRE_E_NO_VALID_EVENTS, "no_valid_events"},
    {JOBWIRE_E_INVALID_EVENT, "invalid_event"},
    {JOBWIRE_E_UNKNOWN_KIND, "unknown_kind"},
    {JOBWIRE_E_UNKNOWN_PHASE, "unknown_phase"},
    {JOBWIRE_E_UNKNOWN_SUBSCRIPTION_KEY, "unknown_subscription_key"},
    {JOBWIRE_E_INVALID_EVENTS_TYPE, "invalid_events_type"},
    {JOBWIRE_E_MISSING_URL, "missing_url"},
    {JOBWIRE_E_NO_PROGRESS_EVENT, "no_progress_event"},
    {JOBWIRE_E_INVALID_DELIVERY_KEY, "invalid_delivery_key"},
    {JOBWIRE_E_INVALID_PROGRESS, "invalid_progress"},
    {JOBWIRE_E_EVENT_NOT_STRING, "event_not_string"},
    {JOBWIRE_E_EMPTY_EVENT, "empty_event"},
    {JOBWIRE_E_CROSS_KIND_EVENT, "cross_kind_event"},
    {JOBWIRE_E_DUPLICATE_EVENT, "duplicate_event"},
    {JOBWIRE_E_INVALID_SECRET, "invalid_secret"},
    {JOBWIRE_E_INVALID_WEBHOOK, "invalid_webhook"},
    {JOBWIRE_E_MISSING_ENDPOINT_ID, "missing_endpoint_id"},
    {JOBWIRE_E_INVALID_ENDPOINT_ID, "invalid_endpoint_id"},
    {JOBWIRE_E_URL_NOT_ALLOWED, "url_not_allowed"},
    {JOBWIRE_E_SECRET_NOT_ALLOWED, "secret_not_allowed"},
    {JOBWIRE_E_INVALID_URL, "invalid_url"},
    {JOBWIRE_E_HTTPS_REQUIRED, "https_required"},
    {JOBWIRE_E_UNSUPPORTED_SCHEME, "unsupported_scheme"},
    {JOBWIRE_E_LOOPBACK_HOST, "loopback_host"},
    {JOBWIRE_E_PRIVATE_HOST, "private_host"},
    {JOBWIRE_E_LINK_LOCAL_HOST, "link_local_host"},
    {JOBWIRE_E_UNSPECIFIED_HOST, "unspecified_host"},
    {JOBWIRE_E_NON_GLOBAL_HOST, "non_global_host"},
    {JOBWIRE_E_USERINFO_NOT_ALLOWED, "userinfo_not_allowed"},
    {JOBWIRE_E_NON_ASCII_HOST, "non_ascii_host"},
    {JOBWIRE_E_LOCALHOST_NAME, "localhost_name"},
    {JOBWIRE_E_WILDCARD_HOST, "wildcard_host"},
    {JOBWIRE_E_INVALID_PORT, "invalid_port"},
    {JOBWIRE_E_INVALID_IPV4, "invalid_ipv4"},
    {JOBWIRE_E_INVALID_IPV6, "invalid_ipv6"},
    {JOBWIRE_E_INVALID_HOST, "invalid_host"},
    {JOBWIRE_E_MISSING_HOST, "missing_host"},
    {JOBWIRE_E_INVALID_URL_TYPE, "invalid_url_type"},
    {JOBWIRE_E_EMPTY_URL, "empty_url"},
    {JOBWIRE_E_STORE_UNAVAILABLE, "store_unavailable"},
    {JOBWIRE_E_STORE_ERROR, "store_error"},
    {JOBWIRE_E_CLAIM_LOST, "claim_lost"},
    {JOBWIRE_E_HANDLER_FAILED, "handler_failed"},
    {JOBWIRE_E_INVALID_DEDUP_KEY, "invalid_dedup_key"},
    {JOBWIRE_E_STORE_FULL, "store_full"},
    {JOBWIRE_E_UNSIGNED_NOT_ALLOWED, "unsigned_not_allowed"},
    {JOBWIRE_E_STORE_NOT_SUPPORTED, "store_not_supported"},
    {JOBWIRE_E_ALREADY_DELIVERED, "already_delivered"},
    {JOBWIRE_E_ALREADY_QUEUED, "already_queued"},
    {JOBWIRE_E_ALREADY_FAILED, "already_failed"},
    {JOBWIRE_E_PHASE_NOT_SUBSCRIBED, "phase_not_subscribed"},
    {JOBWIRE_E_INVALID_OUTCOME, "invalid_outcome"},
    {JOBWIRE_E_INVALID_TIMEOUT, "invalid_timeout"},
    {JOBWIRE_E_INVALID_ATTEMPT, "invalid_attempt"},
    {JOBWIRE_E_INVALID_RETRY_POLICY, "invalid_retry_policy"},
    {JOBWIRE_E_INVALID_METRIC_NAME, "invalid_metric_name"},
    {JOBWIRE_E_INVALID_RETRY_AFTER, "invalid_retry_after"},
    {JOBWIRE_E_INVALID_ENDPOINT_SECRET, "invalid_endpoint_secret"},
    {JOBWIRE_E_INVALID_ENDPOINT_NAME, "invalid_endpoint_name"},
    {JOBWIRE_E_INVALID_LIST_LIMIT, "invalid_list_limit"},
    {JOBWIRE_E_CANCELLATION_DISABLED, "cancellation_disabled"},
    {JOBWIRE_E_SERVICE_ERROR, "service_error"},
};

static void test_status_codes(void) {
  size_t i;
  int st = 1;
  for (i = 0; i < sizeof all_codes / sizeof all_codes[0]; ++i) {
    const struct named_code* c = &all_codes[i];
    const char* msg = jobwire_error_message(c->status);
    CHECK(strcmp(jobwire_error_name(c->status), c->name) == 0);
    /* the positive id names the same code */
    CHECK(strcmp(jobwire_error_name(-c->status), c->name) == 0);
    CHECK(msg != NULL && msg[0] != '\0' && strcmp(msg, "unknown error code") != 0);
    st = 1;
    CHECK_STATUS(jobwire_status_from_name(c->name, strlen(c->name), &st), JOBWIRE_OK);
    CHECK(st == c->status);
    CHECK(c->status <= 0);
  }
  CHECK(JOBWIRE_E_INTERNAL == JOBWIRE_E_INTERNAL_ERROR);
  CHECK(strcmp(jobwire_error_name(JOBWIRE_E_INTERNAL), "internal_error") == 0);

  /* every code has a reply class; a few of each */
  for (i = 0; i < sizeof all_codes / sizeof all_codes[0]; ++i) {
    const int http = jobwire_error_http_status(all_codes[i].status);
    CHECK(http == 200 || http == 400 || http == 401 || http == 503);
    CHECK((http == 200) == (all_codes[i].status == JOBWIRE_OK));
    CHECK(jobwire_error_http_status(-all_codes[i].status) == http);
  }
  CHECK(jobwire_error_http_status(JOBWIRE_E_SIGNATURE_MISMATCH) == 401);
  CHECK(jobwire_error_http_status(JOBWIRE_E_TIMESTAMP_TOO_OLD) == 401);
  CHECK(jobwire_error_http_status(JOBWIRE_E_HEADER_BODY_MISMATCH) == 400);
  CHECK(jobwire_error_http_status(JOBWIRE_E_JSON_DUPLICATE_KEY) == 400);
  CHECK(jobwire_error_http_status(JOBWIRE_E_SECRET_REQUIRED) == 503);
  CHECK(jobwire_error_http_status(JOBWIRE_E_NOT_FOUND) == 503);
  CHECK(jobwire_error_http_status(-99999) == 503);

  /* values that are not codes */
  CHECK(strcmp(jobwire_error_name(-99999), "unknown_error") == 0);
  CHECK(strcmp(jobwire_error_name(INT_MIN), "unknown_error") == 0);
  CHECK(strcmp(jobwire_error_name(INT_MAX), "unknown_error") == 0);
  CHECK(strcmp(jobwire_error_message(-99999), "unknown error code") == 0);

  /* names are exact: no case folding, no prefix matches, embedded NUL is data */
  CHECK_STATUS(jobwire_status_from_name(S("Signature_Mismatch"), &st), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_status_from_name(S("signature_mismatch\0"), &st), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_status_from_name(NULL, 0, &st), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_status_from_name(NULL, 3, &st), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_status_from_name(S("ok"), NULL), JOBWIRE_E_INVALID_ARGUMENT);
}

static void test_version_and_constants(void) {
  char want[32];
  int p = -1;
  snprintf(want, sizeof want, "%d.%d.%d", JOBWIRE_C_VERSION_MAJOR, JOBWIRE_C_VERSION_MINOR, JOBWIRE_C_VERSION_PATCH);
  CHECK(strcmp(jobwire_version(), want) == 0);
  CHECK(jobwire_version_number() ==
        JOBWIRE_C_VERSION_MAJOR * 10000 + JOBWIRE_C_VERSION_MINOR * 100 + JOBWIRE_C_VERSION_PATCH);
  CHECK(jobwire_max_event_id_len() == JOBWIRE_MAX_EVENT_ID_LEN);
  CHECK(jobwire_max_event_id_len() == 160);
  CHECK(jobwire_no_offset() == JOBWIRE_NO_OFFSET);

  CHECK_STATUS(jobwire_profile_from_name(S("ai_stats"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_PROFILE_AI_STATS);
  CHECK_STATUS(jobwire_profile_from_name(S("ai-stats"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_PROFILE_AI_STATS);
  CHECK_STATUS(jobwire_profile_from_name(S("phaseo"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_PROFILE_PHASEO);
  CHECK_STATUS(jobwire_profile_from_name(S("Phaseo"), &p), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_profile_from_name(NULL, 1, &p), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_profile_from_name(S("phaseo"), NULL), JOBWIRE_E_INVALID_ARGUMENT);
}

static void test_json_validate(void) {
  size_t off = 0;
  CHECK_STATUS(jobwire_json_validate(S("{\"a\":[1,2.5e3,true,null,\"\\u00e9\"]}"), 0, &off), JOBWIRE_OK);
  CHECK(off == JOBWIRE_NO_OFFSET);
  /* a repeated key: rejected by default, with the offset of the second key */
  CHECK_STATUS(jobwire_json_validate(S("{\"a\":1,\"a\":2}"), 0, &off), JOBWIRE_E_JSON_DUPLICATE_KEY);
  CHECK(off == 7);
  CHECK_STATUS(jobwire_json_validate(S("{\"a\":1,\"a\":2}"), JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS, &off), JOBWIRE_OK);
  CHECK_STATUS(jobwire_json_validate(S("[1,2,]"), 0, &off), JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK(off == 5);
  CHECK_STATUS(jobwire_json_validate(S("[1] x"), 0, &off), JOBWIRE_E_JSON_TRAILING_CONTENT);
  CHECK(off == 4);
  /* embedded NUL is a byte of the input, not its end */
  CHECK_STATUS(jobwire_json_validate(S("[1]\0"), 0, &off), JOBWIRE_E_JSON_TRAILING_CONTENT);
  CHECK_STATUS(jobwire_json_validate(S("\"\xff\""), 0, &off), JOBWIRE_E_JSON_INVALID_UTF8);
  CHECK_STATUS(jobwire_json_validate(NULL, 0, 0, &off), JOBWIRE_E_JSON_EMPTY_INPUT);
  CHECK_STATUS(jobwire_json_validate(S("[]"), 0, NULL), JOBWIRE_OK);
  CHECK_STATUS(jobwire_json_validate(S("[1,]"), 0, NULL), JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  /* invalid arguments */
  CHECK_STATUS(jobwire_json_validate(NULL, 2, 0, &off), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_json_validate(S("[]"), 0x2u, &off), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(off == JOBWIRE_NO_OFFSET);
}

static void test_progress_bucket(void) {
  int b = 0;
  CHECK_STATUS(jobwire_progress_bucket(3.0, &b), JOBWIRE_OK);
  CHECK(b == 5);
  CHECK_STATUS(jobwire_progress_bucket(47.0, &b), JOBWIRE_OK);
  CHECK(b == 50);
  CHECK_STATUS(jobwire_progress_bucket(44.4, &b), JOBWIRE_OK);
  CHECK(b == 40);
  CHECK_STATUS(jobwire_progress_bucket(4.5, &b), JOBWIRE_OK); /* Math.round(4.5) = 5 -> 10 */
  CHECK(b == 10);
  CHECK_STATUS(jobwire_progress_bucket(96.0, &b), JOBWIRE_OK);
  CHECK(b == 95);
  CHECK_STATUS(jobwire_progress_bucket(0.2, &b), JOBWIRE_OK);
  CHECK(b == 5);
  b = 77;
  CHECK_STATUS(jobwire_progress_bucket(0.0, &b), JOBWIRE_E_NO_PROGRESS_EVENT);
  CHECK_STATUS(jobwire_progress_bucket(100.0, &b), JOBWIRE_E_NO_PROGRESS_EVENT);
  CHECK_STATUS(jobwire_progress_bucket(-3.0, &b), JOBWIRE_E_NO_PROGRESS_EVENT);
  CHECK_STATUS(jobwire_progress_bucket(NAN, &b), JOBWIRE_E_NO_PROGRESS_EVENT);
  CHECK_STATUS(jobwire_progress_bucket(INFINITY, &b), JOBWIRE_E_NO_PROGRESS_EVENT);
  CHECK(b == 77); /* untouched on failure */
  CHECK_STATUS(jobwire_progress_bucket(50.0, NULL), JOBWIRE_E_INVALID_ARGUMENT);
}

static void test_delivery_keys(void) {
  char buf[64];
  size_t len = 99;
  int bucket = 0;

  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("completed"), 0.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
      JOBWIRE_OK);
  CHECK(out_is(buf, len, "video.completed"));
  CHECK(buf[len] == '\0');
  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("progress"), 47.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
      JOBWIRE_OK);
  CHECK(out_is(buf, len, "video.progress:50"));
  /* §16.1: a status_changed key names its transition; the phase alone makes none */
  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_BATCH, S("status_changed"), 0.0, JOBWIRE_PROFILE_PHASEO, buf, sizeof buf, &len),
      JOBWIRE_E_INVALID_ARGUMENT);

  /* size query, exact fit (no NUL written), one byte short */
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("progress"), 47.0, JOBWIRE_PROFILE_AI_STATS, NULL, 0, &len),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == strlen("video.progress:50"));
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("progress"), 47.0, JOBWIRE_PROFILE_AI_STATS, buf, 17, &len),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "video.progress:50") && buf[17] == '#');
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("progress"), 47.0, JOBWIRE_PROFILE_AI_STATS, buf, 16, &len),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == 17 && buf[0] == '#');

  /* protocol errors */
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("status_changed"), 0.0, JOBWIRE_PROFILE_AI_STATS, buf,
                                    sizeof buf, &len),
               JOBWIRE_E_UNKNOWN_PHASE);
  CHECK(len == 0);
  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("Completed"), 0.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
      JOBWIRE_E_UNKNOWN_PHASE);
  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("progress"), 100.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
      JOBWIRE_E_NO_PROGRESS_EVENT);
  /* invalid arguments */
  CHECK_STATUS(jobwire_delivery_key(7, S("completed"), 0.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("completed"), 0.0, 9, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, NULL, 4, 0.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("completed"), 0.0, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_key(JOBWIRE_KIND_VIDEO, S("completed"), 0.0, JOBWIRE_PROFILE_AI_STATS, NULL, 8, &len),
               JOBWIRE_E_INVALID_ARGUMENT);

  /* checking keys */
  CHECK_STATUS(jobwire_delivery_key_check(S("video.progress:50"), JOBWIRE_PROFILE_AI_STATS, &bucket), JOBWIRE_OK);
  CHECK(bucket == 50);
  CHECK_STATUS(jobwire_delivery_key_check(S("batch.failed"), JOBWIRE_PROFILE_AI_STATS, &bucket), JOBWIRE_OK);
  CHECK(bucket == -1);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.progress:50"), JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.progress:05"), JOBWIRE_PROFILE_AI_STATS, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.progress:55"), JOBWIRE_PROFILE_AI_STATS, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(S("job.completed"), JOBWIRE_PROFILE_AI_STATS, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.status_changed"), JOBWIRE_PROFILE_AI_STATS, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  /* §16.1: a status_changed key names the transition, raw statuses lower-cased */
  CHECK_STATUS(
      jobwire_delivery_key_check(S("video.status_changed:queued:in_progress"), JOBWIRE_PROFILE_AI_STATS, &bucket),
      JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(
      jobwire_delivery_key_check(S("video.status_changed:queued:in_progress"), JOBWIRE_PROFILE_PHASEO, &bucket),
      JOBWIRE_OK);
  CHECK(bucket == -1);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.status_changed"), JOBWIRE_PROFILE_PHASEO, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.status_changed:Queued:running"), JOBWIRE_PROFILE_PHASEO, &bucket),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(NULL, 0, JOBWIRE_PROFILE_AI_STATS, &bucket), JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK_STATUS(jobwire_delivery_key_check(NULL, 5, JOBWIRE_PROFILE_AI_STATS, &bucket), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_key_check(S("video.completed"), -1, &bucket), JOBWIRE_E_INVALID_ARGUMENT);
}

static void test_event_ids(void) {
  char buf[256];
  char long_id[300];
  size_t len = 0;
  size_t i;

  /* PROTOCOL.md §2: evt_<kind>_<internal id>_<key>, runs outside [A-Za-z0-9_-] -> '_' */
  CHECK_STATUS(jobwire_event_id(S("job_123"), S("video.progress:50"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "evt_video_job_123_video_progress_50"));
  CHECK_STATUS(jobwire_event_id(S("a b..c"), S("batch.completed"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "evt_batch_a_b_c_batch_completed"));
  CHECK_STATUS(jobwire_event_id_check(buf, len), JOBWIRE_OK);

  /* a long internal id is cut to 160 characters */
  memset(long_id, 'x', sizeof long_id);
  CHECK_STATUS(
      jobwire_event_id(long_id, sizeof long_id, S("video.completed"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
      JOBWIRE_OK);
  CHECK(len == JOBWIRE_MAX_EVENT_ID_LEN && memcmp(buf, "evt_video_xxx", 13) == 0);
  for (i = 10; i < len; ++i) CHECK(buf[i] == 'x');
  CHECK_STATUS(jobwire_event_id_check(buf, len), JOBWIRE_OK);
  CHECK_STATUS(
      jobwire_event_id(long_id, sizeof long_id, S("video.completed"), JOBWIRE_PROFILE_AI_STATS, buf, 100, &len),
      JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == JOBWIRE_MAX_EVENT_ID_LEN);

  CHECK_STATUS(jobwire_event_id(S("job_1"), S("video.progress"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_DELIVERY_KEY);
  CHECK(len == 0);
  CHECK_STATUS(jobwire_event_id(NULL, 2, S("video.completed"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_event_id(S("j"), NULL, 2, JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_event_id(S("j"), S("video.completed"), 2, buf, sizeof buf, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_event_id(S("j"), S("video.completed"), JOBWIRE_PROFILE_AI_STATS, buf, sizeof buf, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);

  /* received ids are opaque: 1..160 of [A-Za-z0-9_-] */
  CHECK_STATUS(jobwire_event_id_check(S("evt_123")), JOBWIRE_OK);
  CHECK_STATUS(jobwire_event_id_check(S("evt.123")), JOBWIRE_E_INVALID_EVENT_ID);
  CHECK_STATUS(jobwire_event_id_check(NULL, 0), JOBWIRE_E_INVALID_EVENT_ID);
  CHECK_STATUS(jobwire_event_id_check(long_id, 161), JOBWIRE_E_INVALID_EVENT_ID);
  CHECK_STATUS(jobwire_event_id_check(long_id, 160), JOBWIRE_OK);
  CHECK_STATUS(jobwire_event_id_check(NULL, 1), JOBWIRE_E_INVALID_ARGUMENT);
}

/* ----------------------------------------------------------------------------------- */
/* Signatures: checked against PROTOCOL.md §9's vector (computed with openssl dgst) and
 * against OpenSSL's one-shot HMAC(), a different code path from the library's keyed
 * EVP_MAC contexts. */

static void hex_of(const unsigned char* mac, size_t n, char* out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; ++i) {
    out[2 * i] = digits[mac[i] >> 4];
    out[2 * i + 1] = digits[mac[i] & 0x0F];
  }
  out[2 * n] = '\0';
}

/* Reference signature of `ts "." body` under `secret` (already trimmed). */
static void reference_signature(const char* secret, const char* ts, const unsigned char* body, size_t body_len,
                                char out[65]) {
  unsigned char msg[512];
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  size_t ts_len = strlen(ts);
  memcpy(msg, ts, ts_len);
  msg[ts_len] = '.';
  memcpy(msg + ts_len + 1, body, body_len);
  HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, ts_len + 1 + body_len, mac, &mac_len);
  hex_of(mac, mac_len, out);
}

static const char known_body[] =
    "{\"id\":\"evt_123\",\"type\":\"batch.completed\",\"data\":{\"id\":\"batch_123\",\"status\":\"completed\"}}";
static const unsigned char binary_body[] = {0xff, 0x00, 0xfe, 'x', 0xc3, 0x28, '\n'};

static void test_sign(void) {
  char sig[80];
  char want[65];
  size_t len = 0;

  CHECK(jobwire_signature_hex_len() == JOBWIRE_SIGNATURE_HEX_LEN && JOBWIRE_SIGNATURE_HEX_LEN == 64);
  CHECK(jobwire_max_secrets() == JOBWIRE_MAX_SECRETS);
  CHECK(jobwire_default_tolerance() == JOBWIRE_DEFAULT_TOLERANCE && JOBWIRE_DEFAULT_TOLERANCE == 300);
  CHECK(jobwire_tolerance_none() == JOBWIRE_TOLERANCE_NONE);

  CHECK_STATUS(jobwire_sign(S("whsec_test_123"), S("1781166600"), S(known_body), sig, sizeof sig, &len), JOBWIRE_OK);
  CHECK(out_is(sig, len, "bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39"));
  /* the secret is trimmed; the whsec_ prefix is part of the key */
  CHECK_STATUS(jobwire_sign(S(" whsec_test_123\r\n"), S("1781166600"), S(known_body), sig, sizeof sig, &len),
               JOBWIRE_OK);
  CHECK(out_is(sig, len, "bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39"));
  CHECK_STATUS(jobwire_sign(S("test_123"), S("1781166600"), S(known_body), sig, sizeof sig, &len), JOBWIRE_OK);
  CHECK(!out_is(sig, len, "bc1c64b881737db0ddc76196f3633752666322fad1f394126029119d6e19ea39"));

  /* raw bytes: invalid UTF-8 and an embedded NUL are hashed as they are */
  reference_signature("k", "1700000000", binary_body, sizeof binary_body, want);
  CHECK_STATUS(
      jobwire_sign(S("k"), S("1700000000"), (const char*)binary_body, sizeof binary_body, sig, sizeof sig, &len),
      JOBWIRE_OK);
  CHECK(out_is(sig, len, want));
  reference_signature("k", "1700000000", (const unsigned char*)"", 0, want);
  CHECK_STATUS(jobwire_sign(S("k"), S("1700000000"), NULL, 0, sig, sizeof sig, &len), JOBWIRE_OK);
  CHECK(out_is(sig, len, want));

  /* output buffer protocol */
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), S("b"), NULL, 0, &len), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == 64);
  memset(sig, '#', sizeof sig);
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), S("b"), sig, 63, &len), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == 64 && sig[0] == '#');
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), S("b"), sig, 64, &len), JOBWIRE_OK);
  CHECK(len == 64 && sig[64] == '#');

  /* errors */
  CHECK_STATUS(jobwire_sign(S(" \t "), S("1"), S("b"), sig, sizeof sig, &len), JOBWIRE_E_EMPTY_SECRET);
  CHECK(len == 0);
  CHECK_STATUS(jobwire_sign(NULL, 0, S("1"), S("b"), sig, sizeof sig, &len), JOBWIRE_E_EMPTY_SECRET);
  CHECK_STATUS(jobwire_sign(NULL, 3, S("1"), S("b"), sig, sizeof sig, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sign(S("k"), NULL, 1, S("b"), sig, sizeof sig, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), NULL, 1, sig, sizeof sig, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), S("b"), sig, sizeof sig, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sign(S("k"), S("1"), S("b"), NULL, 64, &len), JOBWIRE_E_INVALID_ARGUMENT);
}

/* ----------------------------------------------------------------------------------- */
/* Verification */

#define TS  "1781166600"
#define NOW ((int64_t)1781166600)

struct headers {
  const char* names[8];
  size_t name_lens[8];
  const char* values[8];
  size_t value_lens[8];
  size_t count;
};

static void add_header(struct headers* h, const char* name, const char* value) {
  h->names[h->count] = name;
  h->name_lens[h->count] = strlen(name);
  h->values[h->count] = value;
  h->value_lens[h->count] = strlen(value);
  ++h->count;
}

static int verify_with(jobwire_verifier* v, const char* body, size_t body_len, const struct headers* h, int64_t now,
                       int64_t tolerance, unsigned flags, int profile, size_t* matched) {
  return jobwire_verify(v, body, body_len, h->names, h->name_lens, h->values, h->value_lens, h->count, now, tolerance,
                        flags, profile, matched);
}

static jobwire_verifier* make_verifier(const char* const* secrets, size_t count) {
  size_t lens[JOBWIRE_MAX_SECRETS + 1];
  size_t i;
  jobwire_verifier* v = NULL;
  for (i = 0; i < count; ++i) lens[i] = strlen(secrets[i]);
  CHECK_STATUS(jobwire_verifier_create(secrets, lens, count, &v), JOBWIRE_OK);
  CHECK(v != NULL);
  return v;
}

static void test_verify(void) {
  static const char* const rotation[] = {"whsec_old", "whsec_test_123"};
  char good[65];
  char upper[65];
  char other[65];
  char ms_sig[65];
  size_t i;
  size_t matched = 99;
  struct headers h;
  jobwire_verifier* v = make_verifier(rotation, 2);
  jobwire_verifier* none = NULL;
  jobwire_verifier* bad = (jobwire_verifier*)&h; /* must stay untouched on failure */

  reference_signature("whsec_test_123", TS, (const unsigned char*)known_body, strlen(known_body), good);
  reference_signature("whsec_other", TS, (const unsigned char*)known_body, strlen(known_body), other);
  for (i = 0; i < 64; ++i) upper[i] = (char)((good[i] >= 'a' && good[i] <= 'f') ? good[i] - 'a' + 'A' : good[i]);
  upper[64] = '\0';

  /* valid: header names in any case; the second secret of the rotation matches */
  memset(&h, 0, sizeof h);
  add_header(&h, "Content-Type", "application/json");
  add_header(&h, "X-AI-Stats-Timestamp", TS);
  add_header(&h, "x-Ai-sTaTs-SIGNATURE", good);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, JOBWIRE_DEFAULT_TOLERANCE, 0, JOBWIRE_PROFILE_AI_STATS, &matched),
               JOBWIRE_OK);
  CHECK(matched == 1);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  /* upper-case hex compares as hex */
  h.values[2] = upper;
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  h.values[2] = good;

  /* freshness: |now - ts| <= tolerance, both ends inclusive; "none" skips it */
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW + 300, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW + 301, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_TIMESTAMP_TOO_OLD);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW - 301, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_TIMESTAMP_TOO_NEW);
  CHECK_STATUS(
      verify_with(v, S(known_body), &h, NOW + 86400, JOBWIRE_TOLERANCE_NONE, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
      JOBWIRE_OK);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, -2, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);

  /* a different body, secret or signature */
  CHECK_STATUS(verify_with(v, known_body, strlen(known_body) - 1, &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_SIGNATURE_MISMATCH);
  h.values[2] = other;
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_SIGNATURE_MISMATCH);
  h.values[2] = "abc";
  h.value_lens[2] = 3;
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MALFORMED_SIGNATURE);
  h.values[2] = good;
  h.value_lens[2] = 64;

  /* a header repeated with another value is ambiguous, with the same value it is not */
  add_header(&h, "X-AI-STATS-SIGNATURE", other);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_AMBIGUOUS_HEADER);
  h.values[3] = good;
  h.value_lens[3] = 64;
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  h.count = 3;

  /* missing and malformed timestamps; the SDKs' millisecond form under sdk_compat */
  h.count = 1;
  add_header(&h, "x-ai-stats-signature", good);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MISSING_TIMESTAMP);
  h.count = 1;
  add_header(&h, "x-ai-stats-timestamp", TS);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MISSING_SIGNATURE);
  reference_signature("whsec_test_123", TS "000", (const unsigned char*)known_body, strlen(known_body), ms_sig);
  h.count = 1;
  add_header(&h, "x-ai-stats-timestamp", TS "000");
  add_header(&h, "x-ai-stats-signature", ms_sig);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MALFORMED_TIMESTAMP);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, JOBWIRE_VERIFY_SDK_COMPAT, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_OK);

  /* profiles choose the header prefix */
  h.count = 0;
  add_header(&h, "X-Phaseo-Timestamp", TS);
  add_header(&h, "X-Phaseo-Signature", good);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_PHASEO, NULL), JOBWIRE_OK);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MISSING_TIMESTAMP);

  /* a non-UTF-8 body authenticates on its bytes; it is no delivery the receiver accepts */
  reference_signature("whsec_test_123", TS, binary_body, sizeof binary_body, ms_sig);
  h.count = 0;
  add_header(&h, "x-ai-stats-timestamp", TS);
  add_header(&h, "x-ai-stats-signature", ms_sig);
  CHECK_STATUS(verify_with(v, (const char*)binary_body, sizeof binary_body, &h, NOW, 300,
                           JOBWIRE_VERIFY_AUTHENTICATE_ONLY, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_OK);
  CHECK_STATUS(
      verify_with(v, (const char*)binary_body, sizeof binary_body, &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
      JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK_STATUS(verify_with(v, (const char*)binary_body, sizeof binary_body - 1, &h, NOW, 300,
                           JOBWIRE_VERIFY_AUTHENTICATE_ONLY, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_SIGNATURE_MISMATCH);

  /* no secrets: unsigned deliveries pass where the profile allows them */
  CHECK_STATUS(jobwire_verifier_create(NULL, NULL, 0, &none), JOBWIRE_OK);
  h.count = 0;
  matched = 5;
  CHECK_STATUS(verify_with(none, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, &matched), JOBWIRE_OK);
  CHECK(matched == JOBWIRE_NO_OFFSET);
  CHECK_STATUS(verify_with(none, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_PHASEO, NULL),
               JOBWIRE_E_SECRET_REQUIRED);
  jobwire_verifier_destroy(none);

  /* invalid arguments */
  h.count = 0;
  add_header(&h, "x-ai-stats-timestamp", TS);
  add_header(&h, "x-ai-stats-signature", good);
  CHECK_STATUS(verify_with(NULL, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(verify_with(v, NULL, 3, &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0x4u, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, 5, NULL), JOBWIRE_E_INVALID_ARGUMENT); /* no profile */
  /* PROTOCOL.md §15: AUTO detects the profile from the header family present */
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AUTO, NULL), JOBWIRE_OK);
  {
    int prof = -1;
    CHECK_STATUS(jobwire_detect_profile(h.names, h.name_lens, h.values, h.value_lens, h.count, &prof), JOBWIRE_OK);
    CHECK(prof == JOBWIRE_PROFILE_AI_STATS);
    CHECK_STATUS(jobwire_detect_profile(NULL, NULL, NULL, NULL, 0, &prof), JOBWIRE_E_NOT_FOUND);
    CHECK(prof == JOBWIRE_PROFILE_AI_STATS);
    CHECK_STATUS(jobwire_detect_profile(h.names, h.name_lens, h.values, h.value_lens, h.count, NULL),
                 JOBWIRE_E_INVALID_ARGUMENT);
    CHECK_STATUS(jobwire_profile_from_name(S("auto"), &prof), JOBWIRE_OK);
    CHECK(prof == JOBWIRE_PROFILE_AUTO);
    struct headers both = h; /* two header families in one request */
    add_header(&both, "X-Phaseo-Attempt", "1");
    CHECK_STATUS(jobwire_detect_profile(both.names, both.name_lens, both.values, both.value_lens, both.count, &prof),
                 JOBWIRE_E_AMBIGUOUS_HEADER);
    CHECK_STATUS(verify_with(v, S(known_body), &both, NOW, 300, 0, JOBWIRE_PROFILE_AUTO, NULL),
                 JOBWIRE_E_AMBIGUOUS_HEADER);
    CHECK_STATUS(verify_with(v, S(known_body), &both, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL), JOBWIRE_OK);
  }
  CHECK_STATUS(jobwire_verify(v, S(known_body), NULL, h.name_lens, h.values, h.value_lens, 2, NOW, 300, 0,
                              JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_verify(v, S(known_body), h.names, h.name_lens, h.values, NULL, 2, NOW, 300, 0,
                              JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  h.names[1] = NULL;
  CHECK_STATUS(verify_with(v, S(known_body), &h, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  /* no headers at all: NULL arrays with count 0 */
  CHECK_STATUS(jobwire_verify(v, S(known_body), NULL, NULL, NULL, NULL, 0, NOW, 300, 0, JOBWIRE_PROFILE_AI_STATS, NULL),
               JOBWIRE_E_MISSING_TIMESTAMP);
  jobwire_verifier_destroy(v);
  jobwire_verifier_destroy(NULL);

  /* creating verifiers */
  {
    /* JOBWIRE_MAX_SECRETS secrets are accepted, one more is refused (8 by default; the
     * tiny-limits build compiles a smaller bound, which the macro follows). */
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
    const char* nine[JOBWIRE_MAX_SECRETS + 1];
    static const char* const with_empty[] = {"a", "  "};
    size_t lens[JOBWIRE_MAX_SECRETS + 1];
    size_t empty_lens[2] = {1, 2};
    size_t k;
    jobwire_verifier* eight = NULL;
    for (k = 0; k <= JOBWIRE_MAX_SECRETS; ++k) {
      nine[k] = letters + k % 26;
      lens[k] = 1;
    }
    CHECK_STATUS(jobwire_verifier_create(nine, lens, JOBWIRE_MAX_SECRETS + 1, &bad), JOBWIRE_E_TOO_MANY_SECRETS);
    CHECK(bad == NULL);
    CHECK_STATUS(jobwire_verifier_create(nine, lens, JOBWIRE_MAX_SECRETS, &eight), JOBWIRE_OK);
    jobwire_verifier_destroy(eight);
    CHECK_STATUS(jobwire_verifier_create(with_empty, empty_lens, 2, &bad), JOBWIRE_E_EMPTY_SECRET);
    CHECK_STATUS(jobwire_verifier_create(NULL, lens, 1, &bad), JOBWIRE_E_INVALID_ARGUMENT);
    CHECK_STATUS(jobwire_verifier_create(nine, NULL, 1, &bad), JOBWIRE_E_INVALID_ARGUMENT);
    CHECK_STATUS(jobwire_verifier_create(nine, lens, 1, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  }
}

/* ----------------------------------------------------------------------------------- */
/* One verifier shared by several threads, without a lock: each call must see its own
 * message (the verifier is const; each message's hash state lives on the calling thread's
 * stack). Shared mutable state would make valid deliveries fail or invalid ones pass. */

#define THREADS 4
#define ROUNDS  2000

struct thread_job {
  jobwire_verifier* verifier;
  int index;
  int failures;
};

static void* verify_many(void* arg) {
  struct thread_job* job = (struct thread_job*)arg;
  char body[160];
  char sig[65];
  size_t len = 0;
  int round;
  const char* names[] = {"x-ai-stats-timestamp", "x-ai-stats-signature"};
  const size_t name_lens[] = {20, 20};
  const char* values[2];
  size_t value_lens[2];
  for (round = 0; round < ROUNDS; ++round) {
    int n = snprintf(body, sizeof body,
                     "{\"id\":\"evt_%d_%d\",\"type\":\"video.completed\",\"data\":{\"id\":\"job_%d\","
                     "\"status\":\"completed\"}}",
                     job->index, round, round);
    if (jobwire_sign(S("whsec_shared"), S(TS), body, (size_t)n, sig, sizeof sig, &len) != JOBWIRE_OK) {
      ++job->failures;
      continue;
    }
    values[0] = TS;
    value_lens[0] = strlen(TS);
    values[1] = sig;
    value_lens[1] = len;
    if (jobwire_verify(job->verifier, body, (size_t)n, names, name_lens, values, value_lens, 2, NOW, 300, 0,
                       JOBWIRE_PROFILE_AI_STATS, NULL) != JOBWIRE_OK)
      ++job->failures;
    /* the same signature over another body must fail */
    if (jobwire_verify(job->verifier, body, (size_t)n - 1, names, name_lens, values, value_lens, 2, NOW, 300, 0,
                       JOBWIRE_PROFILE_AI_STATS, NULL) != JOBWIRE_E_SIGNATURE_MISMATCH)
      ++job->failures;
  }
  return NULL;
}

/* Standard Webhooks (PROTOCOL.md §17): the specification's published vector through
 * jobwire_webhook_sign and jobwire_verify, keys checked at creation, public keys. */
static void test_standard_webhooks(void) {
  static const char* const secret[] = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
  static const char vector_sig[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  static const char id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static const char ts[] = "1614265330";
  static const char body[] = "{\"test\": 2432232314}";
  /* RFC 8032 §7.1 TEST 1: seed and public key, base64 */
  static const char* const signing[] = {"whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="};
  static const char* const pub[] = {"whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  static const char* const wrong_kind[] = {"whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  static const char* const bad_b64[] = {"whsec_not*base64"};
  size_t secret_len[1], signing_len[1], pub_len[1], wrong_len[1], bad_len[1];
  char out[256];
  size_t out_len = 0;
  size_t matched = 99;
  struct headers h;
  jobwire_verifier* v = NULL;
  secret_len[0] = strlen(secret[0]);
  signing_len[0] = strlen(signing[0]);
  pub_len[0] = strlen(pub[0]);
  wrong_len[0] = strlen(wrong_kind[0]);
  bad_len[0] = strlen(bad_b64[0]);

  CHECK_STATUS(
      jobwire_webhook_sign(secret, secret_len, 1, NULL, NULL, 0, JOBWIRE_PROFILE_STANDARD, JOBWIRE_KEY_FORMAT_PROFILE,
                           id, strlen(id), ts, strlen(ts), body, strlen(body), out, sizeof out, &out_len),
      JOBWIRE_OK);
  CHECK(out_len == strlen(vector_sig) && memcmp(out, vector_sig, out_len) == 0);
  CHECK_STATUS(
      jobwire_webhook_sign(secret, secret_len, 1, NULL, NULL, 0, JOBWIRE_PROFILE_AI_STATS, JOBWIRE_KEY_FORMAT_PROFILE,
                           id, strlen(id), ts, strlen(ts), body, strlen(body), out, sizeof out, &out_len),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_webhook_sign(secret, secret_len, 1, NULL, NULL, 0, JOBWIRE_PROFILE_STANDARD, JOBWIRE_KEY_FORMAT_PROFILE,
                           "a.b", 3, ts, strlen(ts), body, strlen(body), out, sizeof out, &out_len),
      JOBWIRE_E_MALFORMED_MESSAGE_ID);

  CHECK_STATUS(jobwire_verifier_create_keys(secret, secret_len, 1, pub, pub_len, 1, 0, JOBWIRE_KEY_FORMAT_PROFILE, &v),
               JOBWIRE_OK);
  memset(&h, 0, sizeof h);
  add_header(&h, "webhook-id", id);
  add_header(&h, "webhook-timestamp", ts);
  add_header(&h, "webhook-signature", vector_sig);
  CHECK_STATUS(verify_with(v, body, strlen(body), &h, 1614265330, 300, 0, JOBWIRE_PROFILE_STANDARD, &matched),
               JOBWIRE_OK);
  CHECK(matched == 0);
  CHECK_STATUS(verify_with(v, body, strlen(body), &h, 1614265330, 300, 0, JOBWIRE_PROFILE_AUTO, &matched), JOBWIRE_OK);
  CHECK_STATUS(verify_with(v, body, strlen(body), &h, 1614265330 + 301, 300, 0, JOBWIRE_PROFILE_STANDARD, NULL),
               JOBWIRE_E_TIMESTAMP_TOO_OLD);
  {
    int prof = -1;
    CHECK_STATUS(jobwire_detect_profile(h.names, h.name_lens, h.values, h.value_lens, h.count, &prof), JOBWIRE_OK);
    CHECK(prof == JOBWIRE_PROFILE_STANDARD);
  }

  /* v1a: signed with the seed, verified with the public key (numbered after the secret) */
  CHECK_STATUS(
      jobwire_webhook_sign(NULL, NULL, 0, signing, signing_len, 1, JOBWIRE_PROFILE_STANDARD, JOBWIRE_KEY_FORMAT_PROFILE,
                           id, strlen(id), ts, strlen(ts), body, strlen(body), out, sizeof out - 1, &out_len),
      JOBWIRE_OK);
  out[out_len] = '\0';
  CHECK(out_len == 4 + 88 && memcmp(out, "v1a,", 4) == 0);
  memset(&h, 0, sizeof h);
  add_header(&h, "webhook-id", id);
  add_header(&h, "webhook-timestamp", ts);
  add_header(&h, "webhook-signature", out);
  CHECK_STATUS(verify_with(v, body, strlen(body), &h, 1614265330, 300, 0, JOBWIRE_PROFILE_STANDARD, &matched),
               JOBWIRE_OK);
  CHECK(matched == 1);
  CHECK_STATUS(verify_with(v, "x", 1, &h, 1614265330, 300, 0, JOBWIRE_PROFILE_STANDARD, NULL),
               JOBWIRE_E_SIGNATURE_MISMATCH);
  jobwire_verifier_destroy(v);

  /* keys are checked once, at creation */
  v = NULL;
  CHECK_STATUS(jobwire_verifier_create_keys(wrong_kind, wrong_len, 1, NULL, NULL, 0, 0, JOBWIRE_KEY_FORMAT_PROFILE, &v),
               JOBWIRE_E_KEY_FORMAT_MISMATCH);
  CHECK_STATUS(jobwire_verifier_create_keys(bad_b64, bad_len, 1, NULL, NULL, 0, JOBWIRE_SCHEME_WEBHOOKS,
                                            JOBWIRE_KEY_FORMAT_PROFILE, &v),
               JOBWIRE_E_INVALID_KEY);
  CHECK_STATUS(jobwire_verifier_create_keys(NULL, NULL, 0, pub, pub_len, 1, JOBWIRE_SCHEME_SERVICE,
                                            JOBWIRE_KEY_FORMAT_PROFILE, &v),
               JOBWIRE_E_KEY_FORMAT_MISMATCH);
  CHECK_STATUS(jobwire_verifier_create_keys(secret, secret_len, 1, NULL, NULL, 0, 4u, JOBWIRE_KEY_FORMAT_PROFILE, &v),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_verifier_create_keys(secret, secret_len, 1, NULL, NULL, 0, 0, 7, &v),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(v == NULL);

  /* key generation: a whsec_ secret that signs, then a whsk_/whpk_ pair that verifies */
  {
    char key[256];
    size_t key_len = 0;
    const char* keys[1];
    size_t key_lens[1];
    char* nl;
    CHECK_STATUS(jobwire_webhook_keygen(0, key, sizeof key - 1, &key_len), JOBWIRE_OK);
    key[key_len] = '\0';
    CHECK(key_len == 6 + 44 && memcmp(key, "whsec_", 6) == 0);
    keys[0] = key;
    key_lens[0] = key_len;
    CHECK_STATUS(jobwire_verifier_create_keys(keys, key_lens, 1, NULL, NULL, 0, JOBWIRE_SCHEME_WEBHOOKS,
                                              JOBWIRE_KEY_FORMAT_PROFILE, &v),
                 JOBWIRE_OK);
    jobwire_verifier_destroy(v);
    v = NULL;
    CHECK_STATUS(jobwire_webhook_keygen(1, key, sizeof key - 1, &key_len), JOBWIRE_OK);
    key[key_len] = '\0';
    nl = strchr(key, '\n');
    CHECK(nl != NULL && memcmp(key, "whsk_", 5) == 0 && memcmp(nl + 1, "whpk_", 5) == 0);
    if (nl != NULL) {
      keys[0] = nl + 1;
      key_lens[0] = strlen(nl + 1);
      CHECK_STATUS(jobwire_verifier_create_keys(NULL, NULL, 0, keys, key_lens, 1, 0, JOBWIRE_KEY_FORMAT_PROFILE, &v),
                   JOBWIRE_OK);
      jobwire_verifier_destroy(v);
      v = NULL;
    }
    CHECK_STATUS(jobwire_webhook_keygen(0, key, 10, &key_len), JOBWIRE_E_BUFFER_TOO_SMALL);
  }
}

static void test_shared_verifier(void) {
  static const char* const secrets[] = {"whsec_other", "whsec_shared"};
  jobwire_verifier* v = make_verifier(secrets, 2);
  pthread_t threads[THREADS];
  struct thread_job jobs[THREADS];
  int i;
  for (i = 0; i < THREADS; ++i) {
    jobs[i].verifier = v;
    jobs[i].index = i;
    jobs[i].failures = 0;
    CHECK(pthread_create(&threads[i], NULL, verify_many, &jobs[i]) == 0);
  }
  for (i = 0; i < THREADS; ++i) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(jobs[i].failures == 0);
  }
  jobwire_verifier_destroy(v);
}

/* ----------------------------------------------------------------------------------- */
/* Callback URLs (PROTOCOL.md §8) */

static int check_url(const char* url, int policy, unsigned flags, char* buf, size_t cap, size_t* len) {
  return jobwire_check_callback_url(url, strlen(url), policy, flags, buf, cap, len);
}

static void test_callback_urls(void) {
  char buf[256];
  size_t len = 0;
  int p = -1;

  CHECK_STATUS(check_url("https://example.com/hook?a=1", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len), JOBWIRE_OK);
  CHECK(out_is(buf, len, "https://example.com/hook?a=1"));
  /* WHATWG serialisation: scheme and host lower-cased, default port dropped, `\` is `/` */
  CHECK_STATUS(check_url("  HTTPS://Example.COM:443\\a\\b ", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "https://example.com/a/b"));
  CHECK_STATUS(check_url("https://[::ffff:8.8.8.8]/", JOBWIRE_POLICY_AI_STATS, 0, buf, sizeof buf, &len), JOBWIRE_OK);
  CHECK(out_is(buf, len, "https://[::ffff:808:808]/"));

  /* refusals */
  CHECK_STATUS(check_url("http://example.com/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_HTTPS_REQUIRED);
  CHECK(len == 0);
  CHECK_STATUS(check_url("https://10.1.2.3/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len), JOBWIRE_E_PRIVATE_HOST);
  CHECK_STATUS(check_url("https://0x7f.1/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len), JOBWIRE_E_LOOPBACK_HOST);
  CHECK_STATUS(check_url("https://user:pw@example.com/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_USERINFO_NOT_ALLOWED);
  CHECK_STATUS(check_url("ftp://example.com/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_UNSUPPORTED_SCHEME);
  /* the policies differ on shared address space (100.64/10) */
  CHECK_STATUS(check_url("https://100.64.0.1/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_NON_GLOBAL_HOST);
  CHECK_STATUS(check_url("https://100.64.0.1/", JOBWIRE_POLICY_AI_STATS, 0, buf, sizeof buf, &len), JOBWIRE_OK);

  /* local development: only the exact names, and only with the flag (strict) */
  CHECK_STATUS(check_url("http://localhost:3000/cb", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_HTTPS_REQUIRED);
  CHECK_STATUS(check_url("http://localhost:3000/cb", JOBWIRE_POLICY_STRICT, JOBWIRE_URL_ALLOW_LOCAL_DEVELOPMENT, buf,
                         sizeof buf, &len),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "http://localhost:3000/cb"));
  CHECK_STATUS(check_url("http://127.0.0.1/", JOBWIRE_POLICY_AI_STATS, 0, buf, sizeof buf, &len), JOBWIRE_OK);

  /* output buffer protocol, embedded NUL */
  CHECK_STATUS(check_url("https://example.com/", JOBWIRE_POLICY_STRICT, 0, NULL, 0, &len), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == strlen("https://example.com/"));
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(check_url("https://example.com/", JOBWIRE_POLICY_STRICT, 0, buf, len - 1, &len),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(buf[0] == '#');
  CHECK_STATUS(
      jobwire_check_callback_url(S("https://example.com/\0x"), JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
      jobwire_check_callback_url(S("https://example.com/\0x"), JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len));

  /* policies by name, invalid arguments */
  CHECK_STATUS(jobwire_policy_from_name(S("strict"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_POLICY_STRICT);
  CHECK_STATUS(jobwire_policy_from_name(S("ai-stats"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_POLICY_AI_STATS);
  CHECK_STATUS(jobwire_policy_from_name(S("ai_stats"), &p), JOBWIRE_OK);
  CHECK_STATUS(jobwire_policy_from_name(S("lenient"), &p), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_policy_from_name(S("strict"), NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(check_url("https://example.com/", 3, 0, buf, sizeof buf, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(check_url("https://example.com/", -1, 0, buf, sizeof buf, &len), JOBWIRE_E_INVALID_ARGUMENT);

  /* policy phaseo: the send-time rule (§16.4): https only, wider block list, no fragment */
  CHECK_STATUS(jobwire_policy_from_name(S("phaseo"), &p), JOBWIRE_OK);
  CHECK(p == JOBWIRE_POLICY_PHASEO);
  CHECK_STATUS(check_url("https://Example.com/a#frag", JOBWIRE_POLICY_PHASEO, 0, buf, sizeof buf, &len), JOBWIRE_OK);
  CHECK(out_is(buf, len, "https://example.com/a"));
  CHECK_STATUS(check_url("http://127.0.0.1/", JOBWIRE_POLICY_PHASEO, 0, buf, sizeof buf, &len),
               JOBWIRE_E_HTTPS_REQUIRED);
  CHECK_STATUS(check_url("https://100.64.0.1/", JOBWIRE_POLICY_PHASEO, 0, buf, sizeof buf, &len),
               JOBWIRE_E_NON_GLOBAL_HOST);
  CHECK_STATUS(check_url("https://100.64.0.1/", JOBWIRE_POLICY_AI_STATS, 0, buf, sizeof buf, &len), JOBWIRE_OK);
  CHECK_STATUS(check_url("https://api.localhost/", JOBWIRE_POLICY_PHASEO, 0, buf, sizeof buf, &len),
               JOBWIRE_E_LOCALHOST_NAME);
  CHECK_STATUS(check_url(" ", JOBWIRE_POLICY_PHASEO, 0, buf, sizeof buf, &len), JOBWIRE_E_EMPTY_URL);

  /* resolved addresses */
  {
    const unsigned char meta[4] = {169, 254, 169, 254}, cgnat[4] = {100, 64, 0, 1}, pub[4] = {93, 184, 216, 34};
    unsigned char nat64[16] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1};
    CHECK_STATUS(jobwire_check_resolved_address(meta, 4, JOBWIRE_POLICY_PHASEO), JOBWIRE_E_LINK_LOCAL_HOST);
    CHECK_STATUS(jobwire_check_resolved_address(cgnat, 4, JOBWIRE_POLICY_PHASEO), JOBWIRE_E_NON_GLOBAL_HOST);
    CHECK_STATUS(jobwire_check_resolved_address(cgnat, 4, JOBWIRE_POLICY_AI_STATS), JOBWIRE_OK);
    CHECK_STATUS(jobwire_check_resolved_address(pub, 4, JOBWIRE_POLICY_STRICT), JOBWIRE_OK);
    CHECK_STATUS(jobwire_check_resolved_address(nat64, 16, JOBWIRE_POLICY_PHASEO), JOBWIRE_E_PRIVATE_HOST);
    CHECK_STATUS(jobwire_check_resolved_address(nat64, 16, JOBWIRE_POLICY_AI_STATS), JOBWIRE_OK);
    CHECK_STATUS(jobwire_check_resolved_address(pub, 5, JOBWIRE_POLICY_STRICT), JOBWIRE_E_INVALID_ARGUMENT);
    CHECK_STATUS(jobwire_check_resolved_address(NULL, 4, JOBWIRE_POLICY_STRICT), JOBWIRE_E_INVALID_ARGUMENT);
    CHECK_STATUS(jobwire_check_resolved_address(pub, 4, 7), JOBWIRE_E_INVALID_ARGUMENT);
  }
  CHECK_STATUS(check_url("https://example.com/", JOBWIRE_POLICY_STRICT, 0x2u, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_check_callback_url(NULL, 4, JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, &len),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(check_url("https://example.com/", JOBWIRE_POLICY_STRICT, 0, buf, sizeof buf, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
}

/* ----------------------------------------------------------------------------------- */
/* Subscription event lists (PROTOCOL.md §7) */

static int normalize(const char* json, int kind, int profile, unsigned flags, char* buf, size_t cap, size_t* len,
                     size_t* off) {
  return jobwire_normalize_events(json, json == NULL ? 0 : strlen(json), kind, profile, flags, buf, cap, len, off);
}

static void test_events(void) {
  char buf[512];
  size_t len = 0;
  size_t off = 0;
  const char* defaults = "[\"job.completed\",\"job.failed\",\"job.cancelled\",\"job.expired\"]";
  const char* mixed = "[\" Video.Completed \",\"canceled\",\"batch.failed\",3,\"progress\",\"video.completed\"]";

  /* omitted, null and [] give the defaults */
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, defaults));
  CHECK_STATUS(normalize("null", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, defaults));
  CHECK_STATUS(normalize(" [ ] ", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, defaults));

  /* trim, lower-case, canceled → cancelled, bare phase → job.<phase>, cross-kind,
   * non-strings and duplicates dropped */
  CHECK_STATUS(normalize(mixed, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"video.completed\",\"job.cancelled\",\"job.progress\"]"));
  CHECK(off == JOBWIRE_NO_OFFSET);
  CHECK_STATUS(normalize(mixed, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, JOBWIRE_EVENTS_REPORT_IGNORED, buf,
                         sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len,
               "{\"events\":[\"video.completed\",\"job.cancelled\",\"job.progress\"],\"ignored\":["
               "{\"index\":2,\"value\":\"batch.failed\",\"reason\":\"cross_kind_event\"},"
               "{\"index\":3,\"value\":3,\"reason\":\"event_not_string\"},"
               "{\"index\":5,\"value\":\"video.completed\",\"reason\":\"duplicate_event\"}]}"));
  /* strict: the first entry the service would drop refuses the list; off is its index */
  CHECK_STATUS(normalize(mixed, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, JOBWIRE_EVENTS_STRICT, buf, sizeof buf,
                         &len, &off),
               JOBWIRE_E_CROSS_KIND_EVENT);
  CHECK(off == 2 && len == 0);

  /* kinds and profiles */
  CHECK_STATUS(normalize("[\"batch.completed\",\"video.failed\"]", JOBWIRE_KIND_BATCH, JOBWIRE_PROFILE_AI_STATS, 0, buf,
                         sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"batch.completed\"]"));
  CHECK_STATUS(
      normalize("[\"status_changed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"job.status_changed\"]"));
  CHECK_STATUS(
      normalize("[\"status_changed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_NO_VALID_EVENTS);

  /* refusals */
  CHECK_STATUS(normalize("[\"nope\", 1]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_NO_VALID_EVENTS);
  CHECK_STATUS(
      normalize("{\"events\":[]}", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK_STATUS(
      normalize("\"job.completed\"", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK_STATUS(
      normalize("[\"job.completed\",", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_JSON_UNEXPECTED_END);
  CHECK(off == strlen("[\"job.completed\","));

  /* output buffer protocol */
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, NULL, 0, &len, NULL),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == strlen(defaults));
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, len - 1, &len, NULL),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(buf[0] == '#');
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, len, &len, NULL), JOBWIRE_OK);
  CHECK(out_is(buf, len, defaults) && buf[len] == '#');

  /* profile phaseo: the stored list of §16.2 ([] = inherit, verbatim tails, null refused) */
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off), JOBWIRE_OK);
  CHECK(out_is(buf, len, "[]"));
  CHECK_STATUS(normalize("[]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off), JOBWIRE_OK);
  CHECK(out_is(buf, len, "[]"));
  CHECK_STATUS(normalize("null", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK_STATUS(normalize("[\"Status_Changed\",\"job.completed.extra\",\" \",\"canceled\"]", JOBWIRE_KIND_VIDEO,
                         JOBWIRE_PROFILE_PHASEO, JOBWIRE_EVENTS_REPORT_IGNORED, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(
      out_is(buf, len,
             "{\"events\":[\"job.status_changed\",\"job.completed.extra\",\"job.cancelled\"],\"ignored\":[{\"index\":2,"
             "\"value\":\" \",\"reason\":\"empty_event\"}]}"));
  CHECK_STATUS(
      normalize("[\"completed\",\"\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_EMPTY_EVENT);
  CHECK(off == 1);
  CHECK_STATUS(normalize("[true]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_EVENT_NOT_STRING);
  CHECK_STATUS(
      normalize("[\"batch.completed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_NO_VALID_EVENTS);

  /* invalid arguments */
  CHECK_STATUS(normalize(NULL, 2, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, 3, 0, buf, sizeof buf, &len, &off), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0x4u, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_normalize_events(NULL, 2, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(normalize(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, NULL, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
}

/* ----------------------------------------------------------------------------------- */
/* Job payload summaries (PROTOCOL.md §4-§6, §10): the summary `jobwire parse` prints. */

static int parse_payload(int form, const char* text, int profile, unsigned flags, char* buf, size_t cap, size_t* len,
                         size_t* off) {
  return jobwire_parse_payload(form, text, strlen(text), profile, flags, buf, cap, len, off);
}

static int starts_with(const char* buf, size_t len, const char* prefix) {
  return len >= strlen(prefix) && memcmp(buf, prefix, strlen(prefix)) == 0;
}

static int contains(const char* buf, size_t len, const char* needle) {
  const size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i)
    if (memcmp(buf + i, needle, n) == 0) return 1;
  return 0;
}

static void test_payloads(void) {
  char buf[2048];
  size_t len = 0;
  size_t off = 0;
  int form = -1;
  const char* envelope =
      "{\"id\":\"evt_video_j1_video_status_changed_queued_in_progress\",\"type\":\"video.status_changed\","
      "\"created_at\":1781166600,"
      "\"delivery\":{\"key\":\"video.status_changed:queued:in_progress\",\"attempt\":1,\"max_attempts\":4},"
      "\"data\":{\"id\":\"G-1\",\"status\":\"processing\",\"progress\":0},"
      "\"status_change\":{\"previous_status\":\"queued\",\"status\":\"in_progress\"}}";

  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_STATUS, "{\"id\":\"G-1\",\"status\":\"processing\",\"progress\":47}",
                             JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(starts_with(buf, len,
                    "{\"kind\":\"status\",\"id\":\"G-1\",\"status\":\"processing\",\"lifecycle_status\":\"running\","
                    "\"terminal\":false,\"progress\":47,"));
  CHECK(off == JOBWIRE_NO_OFFSET);
  CHECK_STATUS(jobwire_json_validate(buf, len, 0, NULL), JOBWIRE_OK);

  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_CREATE, "{\"video_id\":\"G-1\",\"status\":\"in_progress\"}",
                             JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(starts_with(buf, len,
                    "{\"kind\":\"create\",\"id\":\"G-1\",\"id_key\":\"video_id\",\"status\":\"in_progress\","
                    "\"lifecycle_status\":\"running\""));
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_WS, "{\"type\":\"pong\"}", JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf,
                             &len, &off),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "{\"kind\":\"ws\",\"type\":\"pong\"}"));

  /* the phase set comes from the profile */
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_WEBHOOK, envelope, JOBWIRE_PROFILE_PHASEO, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(starts_with(buf, len,
                    "{\"kind\":\"webhook\",\"event_id\":\"evt_video_j1_video_status_changed_queued_in_progress\","
                    "\"type\":\"video.status_changed\",\"created_at\":1781166600,"
                    "\"delivery_key\":\"video.status_changed:queued:in_progress\",\"attempt\":1,\"max_attempts\":4,"
                    "\"job_id\":\"G-1\""));
  CHECK(contains(buf, len,
                 "\"status_change\":{\"previous_status\":\"queued\",\"status\":\"in_progress\","
                 "\"lifecycle_status\":\"running\",\"queue_retry_form\":false}"));
  CHECK(parse_payload(JOBWIRE_PAYLOAD_WEBHOOK, envelope, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off) < 0);

  /* refusals with the offset of the problem; leniency is opt-in */
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_STATUS, "{\"id\":\"G-1\",\"status\":\"rendering\"}",
                             JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_UNKNOWN_STATUS);
  CHECK(off == 21 && len == 0);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_STATUS, "{\"id\":\"G-1\",\"status\":\"rendering\"}",
                             JOBWIRE_PROFILE_AI_STATS, JOBWIRE_PAYLOAD_LENIENT_STATUS, buf, sizeof buf, &len, &off),
               JOBWIRE_OK);
  CHECK(starts_with(buf, len,
                    "{\"kind\":\"status\",\"id\":\"G-1\",\"status\":\"queued\",\"lifecycle_status\":\"pending\""));
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_CREATE, "{\"id\":\"G-1\",\"video_id\":\"G-2\"}", JOBWIRE_PROFILE_AI_STATS,
                             0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_CONFLICTING_JOB_ID);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_STATUS, "{\"status\":\"queued\"}", JOBWIRE_PROFILE_AI_STATS, 0, buf,
                             sizeof buf, &len, &off),
               JOBWIRE_E_MISSING_FIELD);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_STATUS, "{\"id\":\"G-1\",\"id\":\"G-2\",\"status\":\"queued\"}",
                             JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_JSON_DUPLICATE_KEY);
  CHECK(off != JOBWIRE_NO_OFFSET);
  CHECK_STATUS(
      jobwire_parse_payload(JOBWIRE_PAYLOAD_WS, NULL, 0, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, NULL),
      JOBWIRE_E_JSON_EMPTY_INPUT);

  /* output buffer protocol */
  CHECK_STATUS(
      parse_payload(JOBWIRE_PAYLOAD_WS, "{\"type\":\"pong\"}", JOBWIRE_PROFILE_AI_STATS, 0, NULL, 0, &len, NULL),
      JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(len == strlen("{\"kind\":\"ws\",\"type\":\"pong\"}"));
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(
      parse_payload(JOBWIRE_PAYLOAD_WS, "{\"type\":\"pong\"}", JOBWIRE_PROFILE_AI_STATS, 0, buf, len - 1, &len, NULL),
      JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(buf[0] == '#');

  /* forms by name, invalid arguments */
  CHECK_STATUS(jobwire_payload_form_from_name(S("webhook"), &form), JOBWIRE_OK);
  CHECK(form == JOBWIRE_PAYLOAD_WEBHOOK);
  CHECK_STATUS(jobwire_payload_form_from_name(S("create"), &form), JOBWIRE_OK);
  CHECK(form == JOBWIRE_PAYLOAD_CREATE);
  CHECK_STATUS(jobwire_payload_form_from_name(S("json"), &form), JOBWIRE_E_NOT_FOUND);
  CHECK_STATUS(jobwire_payload_form_from_name(S("ws"), NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(parse_payload(4, "{}", JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(parse_payload(-1, "{}", JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_WS, "{}", 5, 0, buf, sizeof buf, &len, &off), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_WS, "{}", JOBWIRE_PROFILE_AI_STATS, 0x2u, buf, sizeof buf, &len, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_parse_payload(JOBWIRE_PAYLOAD_WS, NULL, 1, JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, &len, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(parse_payload(JOBWIRE_PAYLOAD_WS, "{}", JOBWIRE_PROFILE_AI_STATS, 0, buf, sizeof buf, NULL, &off),
               JOBWIRE_E_INVALID_ARGUMENT);
}

/* jobwire_events_subscribed and jobwire_effective_events (PROTOCOL.md §7, §16.2). */
static int subscribed(const char* events, int kind, int profile, const char* phase, int* out) {
  return jobwire_events_subscribed(events, events ? strlen(events) : 0, kind, profile, phase, strlen(phase), out, NULL);
}

static void test_subscriptions(void) {
  int yes = -1;
  size_t off = 0, len = 0, need = 0;
  int input = 7;
  char buf[512];
  const char* request_defaults =
      "[\"job.status_changed\",\"job.completed\",\"job.failed\",\"job.cancelled\",\"job.expired\"]";

  /* ai_stats: omitted, null and [] subscribe to the defaults (the terminal phases) */
  CHECK_STATUS(subscribed(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "completed", &yes), JOBWIRE_OK);
  CHECK(yes == 1);
  CHECK_STATUS(subscribed("[]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "progress", &yes), JOBWIRE_OK);
  CHECK(yes == 0);
  CHECK_STATUS(subscribed("null", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "expired", &yes), JOBWIRE_OK);
  CHECK(yes == 1);
  /* job.<phase> for any kind, <kind>.<phase> for its own kind only, after normalisation */
  CHECK_STATUS(subscribed("[\" Progress \"]", JOBWIRE_KIND_BATCH, JOBWIRE_PROFILE_AI_STATS, "progress", &yes),
               JOBWIRE_OK);
  CHECK(yes == 1);
  CHECK_STATUS(subscribed("[\"video.completed\",\"batch.failed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS,
                          "completed", &yes),
               JOBWIRE_OK);
  CHECK(yes == 1);
  CHECK_STATUS(subscribed("[\"video.completed\",\"batch.failed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS,
                          "failed", &yes),
               JOBWIRE_OK);
  CHECK(yes == 0);
  CHECK_STATUS(subscribed("[\"canceled\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "cancelled", &yes),
               JOBWIRE_OK);
  CHECK(yes == 1);
  /* a phase the profile does not have; a list of nothing valid; JSON errors with offsets */
  yes = -1;
  CHECK_STATUS(subscribed("[\"job.completed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "status_changed", &yes),
               JOBWIRE_E_UNKNOWN_PHASE);
  CHECK(yes == 0);
  CHECK_STATUS(subscribed("[\"job.completed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "finished", &yes),
               JOBWIRE_E_UNKNOWN_PHASE);
  CHECK_STATUS(subscribed("[\"nope\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "completed", &yes),
               JOBWIRE_E_NO_VALID_EVENTS);
  CHECK_STATUS(jobwire_events_subscribed(S("[\"job.completed\",]"), JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS,
                                         S("completed"), &yes, &off),
               JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK(off == strlen("[\"job.completed\",")); /* the "]" where a value was due */
  CHECK_STATUS(subscribed("{}", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, "completed", &yes),
               JOBWIRE_E_INVALID_EVENTS_TYPE);

  /* phaseo: the stored list decides, exactly; [] inherits, which without an endpoint is
   * the request defaults (status_changed and the terminal phases, not progress) */
  CHECK_STATUS(subscribed("[\"status_changed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "status_changed", &yes),
               JOBWIRE_OK);
  CHECK(yes == 1);
  CHECK_STATUS(subscribed("[\"status_changed\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "completed", &yes),
               JOBWIRE_OK);
  CHECK(yes == 0);
  CHECK_STATUS(subscribed("[]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "status_changed", &yes), JOBWIRE_OK);
  CHECK(yes == 1);
  CHECK_STATUS(subscribed(NULL, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "progress", &yes), JOBWIRE_OK);
  CHECK(yes == 0);
  /* a verbatim tail is stored but never matches */
  CHECK_STATUS(subscribed("[\"job.completed.extra\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "completed", &yes),
               JOBWIRE_OK);
  CHECK(yes == 0);
  CHECK_STATUS(subscribed("null", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "completed", &yes),
               JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK_STATUS(subscribed("[\"\"]", JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, "completed", &yes),
               JOBWIRE_E_EMPTY_EVENT);

  /* arguments: NULL with a length, bad enumerations, no output */
  CHECK_STATUS(
      jobwire_events_subscribed(NULL, 2, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, S("completed"), &yes, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_events_subscribed(S("[]"), JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, NULL, 9, &yes, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_events_subscribed(S("[]"), JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, NULL, 0, &yes, NULL),
               JOBWIRE_E_UNKNOWN_PHASE); /* an empty phase is no phase */
  CHECK_STATUS(jobwire_events_subscribed(S("[]"), 9, JOBWIRE_PROFILE_AI_STATS, S("completed"), &yes, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_events_subscribed(S("[]"), JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AUTO, S("completed"), &yes, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_events_subscribed(S("[]"), JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_AI_STATS, S("completed"), NULL, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);

  /* effective events: the request's list when it has one ... */
  CHECK_STATUS(jobwire_effective_events(S("[\"Completed\",\"video.failed\"]"), S("[\"video.progress\"]"),
                                        JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, &off, &input),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"job.completed\",\"video.failed\"]"));
  CHECK(input == -1 && off == JOBWIRE_NO_OFFSET);
  /* ... else the endpoint's, normalised for the kind (other kinds and repeats dropped) ... */
  CHECK_STATUS(
      jobwire_effective_events(S("[]"), S("[\"video.completed\",\"batch.failed\",\"VIDEO.Completed\",\"progress\"]"),
                               JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, &off, &input),
      JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"video.completed\",\"job.progress\"]"));
  CHECK_STATUS(jobwire_effective_events(NULL, 0, S("[\"video.completed\",\"batch.failed\"]"), JOBWIRE_KIND_BATCH, buf,
                                        sizeof buf, &len, NULL, NULL),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, "[\"batch.failed\"]"));
  /* ... else the request defaults: no endpoint events, or none for this kind */
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, NULL, NULL),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, request_defaults));
  CHECK_STATUS(jobwire_effective_events(S("[]"), S("[\"batch.completed\"]"), JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len,
                                        NULL, NULL),
               JOBWIRE_OK);
  CHECK(out_is(buf, len, request_defaults));
  /* the result feeds jobwire_events_subscribed */
  CHECK_STATUS(jobwire_effective_events(S("[]"), S("[\"video.progress\"]"), JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len,
                                        NULL, NULL),
               JOBWIRE_OK);
  CHECK_STATUS(
      jobwire_events_subscribed(buf, len, JOBWIRE_KIND_VIDEO, JOBWIRE_PROFILE_PHASEO, S("progress"), &yes, NULL),
      JOBWIRE_OK);
  CHECK(yes == 1);
  /* output buffer protocol: size query, one byte short, exact fit */
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, NULL, 0, &need, NULL, NULL),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(need == strlen(request_defaults));
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, buf, need - 1, &len, NULL, NULL),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, buf, need, &len, NULL, NULL), JOBWIRE_OK);
  CHECK(len == need && memcmp(buf, request_defaults, len) == 0);
  /* refusals name the input: 0 the request's member, 1 the endpoint's events */
  CHECK_STATUS(jobwire_effective_events(S("null"), NULL, 0, JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, &off, &input),
               JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK(input == 0 && len == 0);
  CHECK_STATUS(
      jobwire_effective_events(S("[\"a\",7]"), NULL, 0, JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, &off, &input),
      JOBWIRE_E_EVENT_NOT_STRING);
  CHECK(input == 0 && off == 1);
  CHECK_STATUS(jobwire_effective_events(S("[]"), S("[\"video.completed\",7]"), JOBWIRE_KIND_VIDEO, buf, sizeof buf,
                                        &len, &off, &input),
               JOBWIRE_E_EVENT_NOT_STRING);
  CHECK(input == 1 && off == 1);
  CHECK_STATUS(
      jobwire_effective_events(S("[]"), S("{\"events\":[]}"), JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, &off, &input),
      JOBWIRE_E_INVALID_EVENTS_TYPE);
  CHECK(input == 1);
  CHECK_STATUS(jobwire_effective_events(S("[]"), S("[\"video.completed\""), JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len,
                                        &off, &input),
               JOBWIRE_E_JSON_UNEXPECTED_END);
  CHECK(input == 1 && off == strlen("[\"video.completed\"")); /* the end of the text */
  /* arguments */
  CHECK_STATUS(jobwire_effective_events(NULL, 1, NULL, 0, JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 1, JOBWIRE_KIND_VIDEO, buf, sizeof buf, &len, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, 5, buf, sizeof buf, &len, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, buf, sizeof buf, NULL, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_effective_events(NULL, 0, NULL, 0, JOBWIRE_KIND_VIDEO, NULL, 4, &len, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
}

/* jobwire_decide_attempt (PROTOCOL.md §12): the service's schedule is 4 attempts with
 * 60 s, 300 s, 900 s between them; only a 2xx response is delivered. */
static void test_retry_schedule(void) {
  const long long t = 1781166600000LL; /* Unix ms */
  const long long service_delays[3] = {60, 300, 900};
  jobwire_retry_decision d;
  jobwire_retry_policy policy;
  int64_t delays[5] = {1, 2, 3, 4, 5};
  unsigned a;

  /* every failed attempt but the last is retried after the service's delay */
  for (a = 1; a <= 3; ++a) {
    CHECK_STATUS(jobwire_decide_attempt(NULL, a, JOBWIRE_OUTCOME_HTTP_RESPONSE, 503, t, &d), JOBWIRE_OK);
    CHECK(d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY && strcmp(d.status_name, "scheduled_retry") == 0);
    CHECK(d.attempt == a && d.max_attempts == 4 && d.next_attempt == a + 1);
    CHECK(d.next_retry_at_ms == t + service_delays[a - 1] * 1000);
  }
  CHECK_STATUS(jobwire_decide_attempt(NULL, 4, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_FAILED_PERMANENTLY && strcmp(d.status_name, "failed_permanently") == 0);
  CHECK(d.next_attempt == 0 && d.next_retry_at_ms == 0);
  /* 2xx is delivered at any attempt; 1xx, 3xx, 4xx, timeouts and network errors are not */
  CHECK_STATUS(jobwire_decide_attempt(NULL, 4, JOBWIRE_OUTCOME_HTTP_RESPONSE, 204, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_DELIVERED && strcmp(d.status_name, "delivered") == 0 && d.next_attempt == 0);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 302, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 100, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 2, JOBWIRE_OUTCOME_HTTP_RESPONSE, 410, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY && d.next_retry_at_ms == t + 300000);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 3, JOBWIRE_OUTCOME_NETWORK_ERROR, 200, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY); /* the status is not read for a network error */

  /* a policy of the host's: 6 attempts, its own delays */
  jobwire_retry_policy_init(&policy);
  CHECK(policy.max_attempts == 4 && policy.retry_delay_seconds == NULL && policy.retry_delay_count == 0 &&
        policy.request_timeout_seconds == 30);
  policy.max_attempts = 6;
  policy.retry_delay_seconds = delays;
  policy.retry_delay_count = 5;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 5, JOBWIRE_OUTCOME_HTTP_RESPONSE, 500, t, &d), JOBWIRE_OK);
  CHECK(d.max_attempts == 6 && d.next_attempt == 6 && d.next_retry_at_ms == t + 5000);
  CHECK_STATUS(jobwire_decide_attempt(&policy, 6, JOBWIRE_OUTCOME_HTTP_RESPONSE, 500, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_FAILED_PERMANENTLY);
  /* strict policies: the delays must be exactly max_attempts - 1 positive values */
  policy.retry_delay_count = 4;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_RETRY_POLICY);
  CHECK(d.status == 0 && d.attempt == 0 && d.next_retry_at_ms == 0);
  policy.retry_delay_count = 5;
  delays[2] = 0;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_RETRY_POLICY);
  delays[2] = 3;
  policy.max_attempts = 17;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_ATTEMPT);
  jobwire_retry_policy_init(&policy);
  policy.max_attempts = 6; /* the service's three delays do not fit six attempts */
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_RETRY_POLICY);
  jobwire_retry_policy_init(&policy);
  policy.request_timeout_seconds = 121;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_TIMEOUT);
  jobwire_retry_policy_init(&policy);
  policy.max_attempts = 3; /* the service's first two delays */
  CHECK_STATUS(jobwire_decide_attempt(&policy, 2, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_OK);
  CHECK(d.next_attempt == 3 && d.next_retry_at_ms == t + 300000);
  policy.retry_delay_seconds = delays; /* an empty list given is not the default */
  policy.retry_delay_count = 0;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_RETRY_POLICY);
  policy.max_attempts = 1;
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_OK);
  CHECK(d.status == JOBWIRE_ATTEMPT_FAILED_PERMANENTLY);
  jobwire_retry_policy_init(&policy);
  policy.retry_delay_count = 3; /* a count without its array */
  CHECK_STATUS(jobwire_decide_attempt(&policy, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_ARGUMENT);

  /* refusals and arguments */
  CHECK_STATUS(jobwire_decide_attempt(NULL, 0, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_ATTEMPT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 5, JOBWIRE_OUTCOME_TIMEOUT, 0, t, &d), JOBWIRE_E_INVALID_ATTEMPT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 99, t, &d), JOBWIRE_E_INVALID_OUTCOME);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 600, t, &d), JOBWIRE_E_INVALID_OUTCOME);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, 3, 0, t, &d), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, -1, 0, t, &d), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, -1, &d), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, 253402300800000LL, &d),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_retry_policy_init(NULL); /* a no-op */
}

/* jobwire_decide_delivery (PROTOCOL.md §12, §17 "Sending"): the retry rules of each profile. */
static void observe(jobwire_attempt_observation* o, unsigned attempt, int outcome, int http_status, long long t,
                    const char* retry_after) {
  memset(o, 0, sizeof *o);
  o->attempt = attempt;
  o->outcome = outcome;
  o->http_status = http_status;
  o->tried_at_ms = t;
  o->retry_after = retry_after;
  o->retry_after_len = retry_after != NULL ? strlen(retry_after) : 0;
  o->random = jobwire_splitmix64(7);
}

static void test_retry_etiquette(void) {
  const long long t = 1781166600000LL; /* 2026-06-11T08:30:00Z, Unix ms */
  const long long waits[9] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
  jobwire_retry_policy policy, service;
  jobwire_retry_etiquette etiquette, service_rules;
  jobwire_attempt_observation o;
  jobwire_attempt_verdict v;
  jobwire_retry_decision d;
  unsigned a;

  /* the profiles' rules */
  CHECK_STATUS(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_PHASEO, &service, &service_rules), JOBWIRE_OK);
  CHECK(service.max_attempts == 4 && service.retry_delay_seconds == NULL && service.retry_delay_count == 0);
  CHECK(service_rules.rules == JOBWIRE_RETRY_RULES_SERVICE && service_rules.jitter_percent == 0 &&
        service_rules.disable_after_failures == 0);
  CHECK_STATUS(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_STANDARD, &policy, &etiquette), JOBWIRE_OK);
  CHECK(policy.max_attempts == 10 && policy.retry_delay_count == 9 && policy.request_timeout_seconds == 30);
  for (a = 0; a < 9; ++a) CHECK(policy.retry_delay_seconds[a] == waits[a]);
  CHECK(etiquette.rules == JOBWIRE_RETRY_RULES_STANDARD_WEBHOOKS && etiquette.jitter_percent == 20 &&
        etiquette.max_retry_after_seconds == 86400 && etiquette.throttle_seconds == 60 &&
        etiquette.disable_after_failures == 10 && etiquette.disable_streak_check == JOBWIRE_STREAK_FINAL_FAILURE);
  CHECK_STATUS(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_OPENAI, NULL, NULL), JOBWIRE_OK);
  CHECK_STATUS(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_AUTO, &policy, &etiquette), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_STANDARD, &policy, &etiquette), JOBWIRE_OK);

  /* the service's rules: jobwire_decide_attempt's verdict, a 410 or 429 is a plain failure */
  for (a = 1; a <= 4; ++a) {
    observe(&o, a, JOBWIRE_OUTCOME_HTTP_RESPONSE, 410, t, "120");
    CHECK_STATUS(jobwire_decide_delivery(&service, &service_rules, &o, &v), JOBWIRE_OK);
    CHECK_STATUS(jobwire_decide_attempt(NULL, a, JOBWIRE_OUTCOME_HTTP_RESPONSE, 410, t, &d), JOBWIRE_OK);
    CHECK(v.status == d.status && v.next_retry_at_ms == d.next_retry_at_ms && v.next_attempt == d.next_attempt);
    CHECK(v.effect == JOBWIRE_ENDPOINT_FAILURE && strcmp(v.effect_name, "failure") == 0 && !v.endpoint_disabled);
    CHECK(v.retry_after == JOBWIRE_RETRY_AFTER_NOT_APPLIED);
    CHECK_STATUS(jobwire_decide_delivery(NULL, NULL, &o, &v), JOBWIRE_OK); /* the same by default */
    CHECK(v.status == d.status && v.next_retry_at_ms == d.next_retry_at_ms);
  }

  /* Standard Webhooks: the schedule with jitter within +-20 % */
  for (a = 1; a <= 9; ++a) {
    observe(&o, a, JOBWIRE_OUTCOME_TIMEOUT, 0, t, NULL);
    CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
    CHECK(v.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY && v.next_attempt == a + 1 && v.max_attempts == 10);
    CHECK(v.next_retry_at_ms >= t + waits[a - 1] * 800 && v.next_retry_at_ms <= t + waits[a - 1] * 1200);
    CHECK(v.http_status == 0 && v.tried_at_ms == t && v.retry_after == JOBWIRE_RETRY_AFTER_ABSENT);
  }
  observe(&o, 10, JOBWIRE_OUTCOME_NETWORK_ERROR, 0, t, NULL);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.status == JOBWIRE_ATTEMPT_FAILED_PERMANENTLY && v.disable_after_failures == 10 && !v.endpoint_disabled);
  o.endpoint_failure_streak = 9;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.endpoint_disabled == 1 && v.disable_reason == JOBWIRE_DISABLE_FAILURE_STREAK &&
        strcmp(v.disable_reason_name, "failure_streak") == 0);
  /* 2xx, 410, 302 */
  observe(&o, 2, JOBWIRE_OUTCOME_HTTP_RESPONSE, 204, t, NULL);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.status == JOBWIRE_ATTEMPT_DELIVERED && strcmp(v.status_name, "delivered") == 0 &&
        v.effect == JOBWIRE_ENDPOINT_SUCCESS);
  observe(&o, 2, JOBWIRE_OUTCOME_HTTP_RESPONSE, 410, t, NULL);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.status == JOBWIRE_ATTEMPT_FAILED_PERMANENTLY && v.effect == JOBWIRE_ENDPOINT_DISABLE &&
        strcmp(v.effect_name, "disable") == 0 && v.endpoint_disabled == 1 && v.disable_reason == JOBWIRE_DISABLE_GONE);
  observe(&o, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 302, t, NULL);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY && v.effect == JOBWIRE_ENDPOINT_FAILURE);
  /* 429 with Retry-After as an HTTP-date: throttled until then, never retried before */
  observe(&o, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 429, t, "Thu, 11 Jun 2026 08:40:00 GMT");
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.effect == JOBWIRE_ENDPOINT_THROTTLE && v.throttle_until_ms == t + 600000);
  CHECK(v.retry_after == JOBWIRE_RETRY_AFTER_HONOURED && strcmp(v.retry_after_name, "honoured") == 0 &&
        v.retry_after_until_ms == t + 600000 && v.retry_after_error == JOBWIRE_OK);
  CHECK(v.next_retry_at_ms >= t + 600000 && v.next_retry_at_ms <= t + 720000);
  /* 502 without: 60 s; a malformed field is reported, not an error; a huge one is capped */
  observe(&o, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 502, t, "tomorrow");
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.throttle_until_ms == t + 60000 && v.retry_after == JOBWIRE_RETRY_AFTER_INVALID &&
        v.retry_after_error == JOBWIRE_E_INVALID_RETRY_AFTER);
  observe(&o, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 504, t, "99999999999999999999");
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.throttle_until_ms == t + 86400000LL && v.retry_after == JOBWIRE_RETRY_AFTER_CAPPED);
  /* an empty field is present and malformed; NULL with a length is an argument error */
  observe(&o, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 503, t, "");
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  CHECK(v.retry_after == JOBWIRE_RETRY_AFTER_INVALID);
  o.retry_after = NULL;
  o.retry_after_len = 3;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(v.status == 0 && v.next_retry_at_ms == 0 && strcmp(v.status_name, "") == 0);
  /* the same random bits, the same verdict */
  observe(&o, 5, JOBWIRE_OUTCOME_HTTP_RESPONSE, 500, t, NULL);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
  {
    long long first = v.next_retry_at_ms;
    CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
    CHECK(v.next_retry_at_ms == first);
    o.random = jobwire_splitmix64(8);
    CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
    CHECK(v.next_retry_at_ms != first);
  }
  CHECK(jobwire_splitmix64(0) == 0xE220A8397B1DCDAFULL);

  /* refusals */
  observe(&o, 1, JOBWIRE_OUTCOME_TIMEOUT, 0, t, NULL);
  etiquette.jitter_percent = 51;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_RETRY_POLICY);
  etiquette.jitter_percent = 20;
  etiquette.rules = 2;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_RETRY_POLICY);
  etiquette.rules = JOBWIRE_RETRY_RULES_STANDARD_WEBHOOKS;
  etiquette.throttle_seconds = 0;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_RETRY_POLICY);
  etiquette.throttle_seconds = 60;
  etiquette.disable_streak_check = 7;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_RETRY_POLICY);
  etiquette.disable_streak_check = JOBWIRE_STREAK_FINAL_FAILURE;
  o.attempt = 11;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_E_INVALID_ATTEMPT);
  o.attempt = 1;
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, NULL, &v), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_decide_delivery(&policy, &etiquette, &o, &v), JOBWIRE_OK);
}

int main(void) {
  test_status_codes();
  test_version_and_constants();
  test_json_validate();
  test_progress_bucket();
  test_delivery_keys();
  test_event_ids();
  test_sign();
  test_verify();
  test_standard_webhooks();
  test_shared_verifier();
  test_callback_urls();
  test_events();
  test_payloads();
  test_subscriptions();
  test_retry_schedule();
  test_retry_etiquette();
  printf("c_api: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
