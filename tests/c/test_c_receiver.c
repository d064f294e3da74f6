/* Tests of the C receiver (jobwire_receiver_create / jobwire_receive, and
 * jobwire_receive_webhook for Standard Webhooks deliveries), in C: the whole
 * pipeline over every store compiled into the library — memory and SQLite always, Redis
 * and PostgreSQL when tests/services.sh exported their addresses — plus the argument
 * errors (NULL, zero lengths, receipt buffers that are too small) and callbacks that
 * fail. Signatures are computed here with OpenSSL's HMAC, independently of the library.
 * Built against the shared library (every store) and the static one (memory only: the
 * others must then be refused with JOBWIRE_E_STORE_NOT_SUPPORTED). */
#define _POSIX_C_SOURCE 200809L

#include "jobwire_c.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c_check.h"

static const char secret[] = "whsec_receiver_test_secret";
static long long now_s;
static char run_tag[64]; /* makes job ids unique per run (Redis and PostgreSQL persist) */

/* A signed delivery: body, and headers x-ai-stats-timestamp / x-ai-stats-signature. */
struct delivery {
  char body[1024];
  size_t body_len;
  char ts[32];
  char sig[65];
  jobwire_header headers[2];
};

static void hex(const unsigned char* in, size_t n, char* out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; ++i) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

/* Signs `timestamp "." body` with `key` (PROTOCOL.md §9). */
static void sign_delivery(struct delivery* d, const char* key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  char* msg = malloc(strlen(d->ts) + 1 + d->body_len);
  size_t n = 0;
  memcpy(msg, d->ts, strlen(d->ts));
  n += strlen(d->ts);
  msg[n++] = '.';
  memcpy(msg + n, d->body, d->body_len);
  n += d->body_len;
  HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char*)msg, n, mac, &mac_len);
  free(msg);
  hex(mac, mac_len, d->sig);
  d->headers[0].name = "x-ai-stats-timestamp";
  d->headers[0].name_len = strlen(d->headers[0].name);
  d->headers[0].value = d->ts;
  d->headers[0].value_len = strlen(d->ts);
  d->headers[1].name = "X-AI-Stats-Signature";
  d->headers[1].name_len = strlen(d->headers[1].name);
  d->headers[1].value = d->sig;
  d->headers[1].value_len = strlen(d->sig);
}

/* A delivery for job `job`: `data` members after the id, the delivery key after "video.",
 * and that key as it appears in the event id. */
static void make_delivery(struct delivery* d, const char* job, const char* data, const char* key, const char* key_sig) {
  char type[32];
  int n;
  snprintf(type, sizeof type, "%.*s", (int)strcspn(key, ":"), key); /* progress:50 -> progress */
  n = snprintf(d->body, sizeof d->body,
               "{\"id\":\"evt_video_%s_%s\",\"type\":\"video.%s\",\"created_at\":%lld,"
               "\"delivery\":{\"key\":\"video.%s\",\"attempt\":1,\"max_attempts\":4},"
               "\"data\":{\"id\":\"%s\",%s}}",
               job, key_sig, type, now_s, key, job, data);
  d->body_len = (size_t)n;
  snprintf(d->ts, sizeof d->ts, "%lld", now_s);
  sign_delivery(d, secret);
}

/* Host state: one job, what the callbacks saw, and whether they fail. */
struct host {
  pthread_mutex_t lock;
  int known;
  jobwire_job_state state;
  int handled;
  int load_fails;
  int handle_fails;
  int last_action;
  char last_job[300];
  char last_type[64];
  char last_key[600];
  int last_lifecycle;
};

static int host_load(void* user, const char* job_id, size_t job_id_len, jobwire_job_state* out, int* found) {
  struct host* h = user;
  (void)job_id;
  (void)job_id_len;
  if (h->load_fails) return -1;
  pthread_mutex_lock(&h->lock);
  if (h->known) {
    *out = h->state;
    *found = 1;
  }
  pthread_mutex_unlock(&h->lock);
  return 0;
}

static int host_handle(void* user, const jobwire_event* ev, const jobwire_decision* dec) {
  struct host* h = user;
  if (h->handle_fails) return 7;
  pthread_mutex_lock(&h->lock);
  ++h->handled;
  h->last_action = dec->action;
  if (dec->action == JOBWIRE_DECISION_APPLY) {
    h->known = 1;
    h->state = dec->next;
  }
  snprintf(h->last_job, sizeof h->last_job, "%.*s", (int)ev->job_id_len, ev->job_id);
  snprintf(h->last_type, sizeof h->last_type, "%.*s", (int)ev->type_len, ev->type);
  snprintf(h->last_key, sizeof h->last_key, "%.*s", (int)ev->dedup_key_len, ev->dedup_key);
  h->last_lifecycle = ev->lifecycle;
  pthread_mutex_unlock(&h->lock);
  return 0;
}

/* By default the host holds the job, pending (an unknown job reconciles to refetch). */
static void host_init(struct host* h) {
  memset(h, 0, sizeof *h);
  pthread_mutex_init(&h->lock, NULL);
  h->known = 1;
  h->state.lifecycle = JOBWIRE_LIFECYCLE_PENDING;
}

struct out_receipt {
  jobwire_receipt r;
  char job_id[JOBWIRE_RECEIPT_JOB_ID_MAX + 1];
  char key[JOBWIRE_RECEIPT_DEDUP_KEY_MAX + 1];
};

static int receive(jobwire_receiver* rx, const struct delivery* d, struct host* h, struct out_receipt* o) {
  jobwire_receive_settings settings;
  settings.load = host_load;
  settings.handle = host_handle;
  settings.user_data = h;
  memset(o, 0, sizeof *o);
  o->r.job_id = o->job_id;
  o->r.job_id_cap = sizeof o->job_id;
  o->r.dedup_key = o->key;
  o->r.dedup_key_cap = sizeof o->key;
  return jobwire_receive(rx, d->body, d->body_len, d->headers, 2, now_s * 1000, &settings, &o->r);
}

static void run_pipeline(jobwire_receiver* rx);

/* The pipeline over one store. */
static void pipeline(const char* spec) {
  jobwire_receiver* rx = NULL;
  const char* secrets[1] = {secret};
  size_t lens[1] = {sizeof secret - 1};
  jobwire_receiver_options opt;

  fprintf(stderr, "store %s\n", spec);
  jobwire_receiver_options_init(&opt);
  CHECK(opt.profile == JOBWIRE_PROFILE_AUTO && opt.tolerance == JOBWIRE_DEFAULT_TOLERANCE && opt.flags == 0);
  if (jobwire_receiver_store_supported(spec, strlen(spec)) == JOBWIRE_E_STORE_NOT_SUPPORTED) {
    CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, spec, strlen(spec), &opt, &rx),
                 JOBWIRE_E_STORE_NOT_SUPPORTED);
    CHECK(rx == NULL);
    return;
  }
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, spec, strlen(spec), &opt, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  run_pipeline(rx);
  jobwire_receiver_free(rx);
}

/* The pipeline's cases on one receiver. */
static void run_pipeline(jobwire_receiver* rx) {
  struct host h;
  struct delivery d, again, forged, bad;
  struct out_receipt o;
  char job[128], job2[128], job3[128];

  host_init(&h);
  snprintf(job, sizeof job, "J-%s-1", run_tag);
  snprintf(job2, sizeof job2, "J-%s-2", run_tag);
  snprintf(job3, sizeof job3, "J-%s-3", run_tag);

  /* process: a pending job's completed delivery is applied once */
  make_delivery(&d, job, "\"status\":\"completed\"", "completed", "video_completed");
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS);
  CHECK(o.r.http_status == 200);
  CHECK(o.r.status == JOBWIRE_OK);
  CHECK(strcmp(o.r.reason, "forward") == 0);
  CHECK(o.r.job_id_len == strlen(job) && strcmp(o.job_id, job) == 0);
  CHECK(o.r.dedup_key_len > 0 && strcmp(o.key, h.last_key) == 0);
  CHECK(strstr(o.key, job) != NULL && strstr(o.key, "video.completed") != NULL);
  CHECK(o.r.attempt == 1);
  CHECK(o.r.profile == JOBWIRE_PROFILE_AI_STATS);
  CHECK(h.handled == 1 && h.last_action == JOBWIRE_DECISION_APPLY);
  CHECK(strcmp(h.last_job, job) == 0 && strcmp(h.last_type, "video.completed") == 0);
  CHECK(h.last_lifecycle == JOBWIRE_LIFECYCLE_COMPLETED);
  CHECK(h.known && h.state.lifecycle == JOBWIRE_LIFECYCLE_COMPLETED);

  /* duplicate: the same delivery again, the handler does not run */
  again = d;
  sign_delivery(&again, secret);
  CHECK_STATUS(receive(rx, &again, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && o.r.http_status == 200);
  CHECK(strcmp(o.r.reason, "done") == 0);
  CHECK(h.handled == 1);

  /* an unknown job: refetch (200), the handler is asked to fetch, and the claim is
   * released, so a copy is reconciled again rather than taken for a duplicate */
  host_init(&h);
  h.known = 0;
  make_delivery(&d, job2, "\"status\":\"completed\"", "completed", "video_completed");
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REFETCH && o.r.http_status == 200);
  CHECK(strcmp(o.r.reason, "unknown_job") == 0);
  CHECK(h.handled == 1 && h.last_action == JOBWIRE_DECISION_REFETCH);
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REFETCH && h.handled == 2);

  /* forged: signed with another secret */
  make_delivery(&forged, job2, "\"status\":\"completed\"", "completed", "video_completed");
  sign_delivery(&forged, "whsec_someone_else");
  CHECK_STATUS(receive(rx, &forged, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 401);
  CHECK_STATUS(o.r.status, JOBWIRE_E_SIGNATURE_MISMATCH);
  CHECK(strcmp(o.r.reason, "signature_mismatch") == 0);
  CHECK(o.r.job_id_len == 0 && o.r.dedup_key_len == 0 && o.r.profile == -1);

  /* malformed: a signed body that is no envelope is 400 */
  memcpy(bad.body, "{\"id\":1}", 8);
  bad.body_len = 8;
  snprintf(bad.ts, sizeof bad.ts, "%lld", now_s);
  sign_delivery(&bad, secret);
  CHECK_STATUS(receive(rx, &bad, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 400);

  /* the handler fails: 503, the claim released, the retry processed */
  host_init(&h);
  make_delivery(&d, job2, "\"status\":\"in_progress\",\"progress\":50", "progress:50", "video_progress_50");
  h.handle_fails = 1;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_HANDLER_FAILED);
  CHECK(o.r.job_id_len == strlen(job2));
  h.handle_fails = 0;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200);
  CHECK(h.handled == 1 && h.state.lifecycle == JOBWIRE_LIFECYCLE_RUNNING);

  /* the loader fails: 503, then the retry is processed against the loaded state */
  host_init(&h);
  h.known = 1;
  h.state.lifecycle = JOBWIRE_LIFECYCLE_RUNNING;
  h.state.progress = 10;
  make_delivery(&d, job3, "\"status\":\"completed\"", "completed", "video_completed");
  h.load_fails = 1;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_HANDLER_FAILED);
  CHECK(h.handled == 0);
  h.load_fails = 0;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && strcmp(o.r.reason, "forward") == 0);
  /* an older state after it is acknowledged and dropped */
  make_delivery(&d, job3, "\"status\":\"in_progress\",\"progress\":50", "progress:50", "video_progress_50");
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_IGNORE_STALE && o.r.http_status == 200);
  CHECK(h.handled == 1);
}

/* Several threads deliver copies of one delivery through one receiver at once: the
 * handler runs exactly once; every other copy is a duplicate or in flight. */
struct race {
  jobwire_receiver* rx;
  const struct delivery* d;
  struct host* h;
  int processed, duplicate, in_flight, other;
  pthread_mutex_t lock;
};

static void* race_thread(void* arg) {
  struct race* r = arg;
  struct out_receipt o;
  int i;
  for (i = 0; i < 20; ++i) {
    if (receive(r->rx, r->d, r->h, &o) != JOBWIRE_OK) o.r.action = -1;
    pthread_mutex_lock(&r->lock);
    if (o.r.action == JOBWIRE_RECEIVED_PROCESS) ++r->processed;
    else if (o.r.action == JOBWIRE_RECEIVED_DUPLICATE) ++r->duplicate;
    else if (o.r.action == JOBWIRE_RECEIVED_IN_FLIGHT) ++r->in_flight;
    else ++r->other;
    pthread_mutex_unlock(&r->lock);
  }
  return NULL;
}

static void run_threads(jobwire_receiver* rx);

static void threads(const char* spec) {
  jobwire_receiver* rx = NULL;
  const char* secrets[1] = {secret};
  size_t lens[1] = {sizeof secret - 1};
  if (jobwire_receiver_create(secrets, lens, 1, spec, strlen(spec), NULL, &rx) != JOBWIRE_OK) return;
  run_threads(rx);
  jobwire_receiver_free(rx);
}

static void run_threads(jobwire_receiver* rx) {
  struct host h;
  struct delivery d;
  struct race r;
  pthread_t t[4];
  char job[128];
  int i;
  host_init(&h);
  snprintf(job, sizeof job, "J-%s-race", run_tag);
  make_delivery(&d, job, "\"status\":\"completed\"", "completed", "video_completed");
  memset(&r, 0, sizeof r);
  pthread_mutex_init(&r.lock, NULL);
  r.rx = rx;
  r.d = &d;
  r.h = &h;
  for (i = 0; i < 4; ++i) pthread_create(&t[i], NULL, race_thread, &r);
  for (i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  CHECK(r.processed == 1);
  CHECK(h.handled == 1);
  CHECK(r.other == 0);
  CHECK(r.processed + r.duplicate + r.in_flight == 80);
}

static void argument_errors(void) {
  jobwire_receiver* rx = NULL;
  const char* secrets[1] = {secret};
  size_t lens[1] = {sizeof secret - 1};
  jobwire_receiver_options opt;
  jobwire_receive_settings settings;
  jobwire_receipt receipt;
  struct delivery d;
  struct host h;
  char small[8];
  char job_buf[JOBWIRE_RECEIPT_JOB_ID_MAX];

  /* store specs */
  CHECK_STATUS(jobwire_receiver_store_supported(S("memory")), JOBWIRE_OK);
  CHECK_STATUS(jobwire_receiver_store_supported(S("nosuch:x")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(S("sqlite:")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(S("redis://")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(S("redis://h:0")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(S("redis://h:65536")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(S("redis://h:1/x")), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(NULL, 3), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_store_supported(NULL, 0), JOBWIRE_E_INVALID_ARGUMENT);

  /* create */
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), NULL, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create(NULL, NULL, 1, S("memory"), NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(rx == NULL);
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("bogus"), NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, NULL, 0, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_receiver_options_init(&opt);
  opt.profile = 9;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), &opt, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_receiver_options_init(&opt);
  opt.flags = 0x80u;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), &opt, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_receiver_options_init(&opt);
  opt.tolerance = -2;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), &opt, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_receiver_options_init(&opt);
  opt.lease_ms = -1;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), &opt, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  lens[0] = 0;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), NULL, &rx), JOBWIRE_E_EMPTY_SECRET);
  lens[0] = sizeof secret - 1;
  CHECK(rx == NULL);
  jobwire_receiver_free(NULL);
  jobwire_receiver_options_init(NULL);

  /* receive */
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), NULL, &rx), JOBWIRE_OK);
  host_init(&h);
  settings.load = host_load;
  settings.handle = host_handle;
  settings.user_data = &h;
  make_delivery(&d, "J-args", "\"status\":\"completed\"", "completed", "video_completed");
  memset(&receipt, 0, sizeof receipt);
  CHECK_STATUS(jobwire_receive(NULL, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, NULL, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive(rx, NULL, 5, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, NULL, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  d.headers[1].value = NULL;
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  d.headers[1].value = d.sig;
  receipt.job_id = small;
  receipt.job_id_cap = sizeof small;
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  receipt.job_id = job_buf;
  receipt.job_id_cap = sizeof job_buf;
  receipt.dedup_key = small;
  receipt.dedup_key_cap = sizeof small;
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  receipt.dedup_key = NULL;
  receipt.dedup_key_cap = 4;
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(h.handled == 0); /* refused arguments did nothing */
  /* no buffers wanted; the job id buffer exactly JOBWIRE_RECEIPT_JOB_ID_MAX (no room for NUL) */
  receipt.dedup_key_cap = 0;
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt), JOBWIRE_OK);
  CHECK(receipt.action == JOBWIRE_RECEIVED_PROCESS && receipt.job_id_len == 6 && memcmp(job_buf, "J-args", 6) == 0 &&
        receipt.dedup_key_len == 0);
  /* an empty body and no headers: a reject, not an argument error */
  CHECK_STATUS(jobwire_receive(rx, NULL, 0, NULL, 0, now_s * 1000, &settings, &receipt), JOBWIRE_OK);
  CHECK(receipt.action == JOBWIRE_RECEIVED_REJECT && receipt.http_status == 401);
  /* NULL callbacks: nothing known (refetch), nothing to run */
  settings.load = NULL;
  settings.handle = NULL;
  make_delivery(&d, "J-args2", "\"status\":\"completed\"", "completed", "video_completed");
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt), JOBWIRE_OK);
  CHECK(receipt.action == JOBWIRE_RECEIVED_REFETCH && receipt.http_status == 200);
  jobwire_receiver_free(rx);

  /* without secrets and without ALLOW_UNSIGNED every delivery is 503 */
  CHECK_STATUS(jobwire_receiver_create(NULL, NULL, 0, S("memory"), NULL, &rx), JOBWIRE_OK);
  CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 2, now_s * 1000, &settings, &receipt), JOBWIRE_OK);
  CHECK(receipt.action == JOBWIRE_RECEIVED_REJECT && receipt.http_status == 503);
  CHECK_STATUS(receipt.status, JOBWIRE_E_UNSIGNED_NOT_ALLOWED);
  jobwire_receiver_free(rx);
}

/* jobwire_build_delivery: arguments, the output-buffer protocol, refusals. (The built
 * delivery's signature and its reception are checked by the Python suite, which reads
 * the JSON result.) */
static void sender(void) {
  jobwire_delivery_spec spec;
  char out[2048];
  size_t len = 0, need = 0, off = 0;
  memset(&spec, 0, sizeof spec);
  spec.kind = JOBWIRE_KIND_VIDEO;
  spec.job_id = "gen_1";
  spec.job_id_len = 5;
  spec.internal_id = "42";
  spec.internal_id_len = 2;
  spec.phase = "completed";
  spec.phase_len = 9;
  spec.data = "{\"status\":\"completed\"}";
  spec.data_len = strlen(spec.data);
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, &len, &off),
      JOBWIRE_OK);
  CHECK(len > 0 && len < sizeof out && out[len] == '\0');
  CHECK(strstr(out, "\"event_id\":\"evt_video_42_video_completed\"") != NULL);
  CHECK(strstr(out, "\"x-ai-stats-signature\"") != NULL && strstr(out, "\"timestamp\":1781166600") != NULL);
  CHECK(off == JOBWIRE_NO_OFFSET);
  /* size query, then one byte short */
  CHECK_STATUS(jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, NULL, 0, &need, NULL),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(need == len);
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, len - 1, &need, NULL),
      JOBWIRE_E_BUFFER_TOO_SMALL);
  /* arguments */
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AUTO, &spec, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, NULL, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, NULL, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(
      jobwire_build_delivery(NULL, 3, JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_INVALID_ARGUMENT);
  /* refusals */
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 0, out, sizeof out, &len, NULL),
      JOBWIRE_E_INVALID_ATTEMPT);
  CHECK_STATUS(
      jobwire_build_delivery(NULL, 0, JOBWIRE_PROFILE_PHASEO, &spec, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_SECRET_REQUIRED);
  spec.data = "{\"status\":}";
  spec.data_len = strlen(spec.data);
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, &len, &off),
      JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK(off == 10 && len == 0);
  spec.data = "{}";
  spec.data_len = 2;
  spec.phase = "progress";
  spec.phase_len = 8;
  spec.progress = 100;
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_NO_PROGRESS_EVENT);
  spec.phase = "nope";
  spec.phase_len = 4;
  CHECK_STATUS(
      jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out, sizeof out, &len, NULL),
      JOBWIRE_E_UNKNOWN_PHASE);
}

/* The prepared sender (jobwire_sender_*) end to end: attempt 1 is built, agrees with the
 * one-shot jobwire_build_delivery, is signed as OpenSSL computes it and is processed by a
 * receiver; the retry schedule turns a 503 into attempt 2, which the sender rewrites in
 * place (new attempt number, timestamp and signature; same event) and the receiver
 * answers as a duplicate. Then the argument errors. */
static void sender_handles(void) {
  jobwire_sender* s = NULL;
  jobwire_sender* other = NULL;
  jobwire_delivery* d = NULL;
  jobwire_delivery* none = (jobwire_delivery*)&none; /* must be reset to NULL on failure */
  jobwire_delivery_spec spec;
  jobwire_header headers[JOBWIRE_DELIVERY_MAX_HEADERS];
  jobwire_retry_decision decision;
  jobwire_retry_policy policy;
  jobwire_receiver* rx = NULL;
  struct host h;
  struct out_receipt o;
  struct delivery check;
  jobwire_receive_settings settings;
  char job[96], json_handle[4096], json_once[4096], event_id[200], first_sig[65];
  const char* body = NULL;
  size_t body_len = 0, count = 0, len = 0, len_once = 0, need = 0, off = 0, i;
  const int64_t six_delays[5] = {10, 20, 30, 40, 50};

  snprintf(job, sizeof job, "gen_sender_%s", run_tag);
  memset(&spec, 0, sizeof spec);
  spec.kind = JOBWIRE_KIND_VIDEO;
  spec.job_id = job;
  spec.job_id_len = strlen(job);
  spec.internal_id = run_tag;
  spec.internal_id_len = strlen(run_tag);
  spec.phase = "completed";
  spec.phase_len = 9;
  spec.data = "{\"object\":\"video\",\"status\":\"completed\"}";
  spec.data_len = strlen(spec.data);
  spec.has_created_at = 1;
  spec.created_at = now_s;

  CHECK_STATUS(jobwire_sender_create(S(secret), JOBWIRE_PROFILE_AI_STATS, NULL, &s), JOBWIRE_OK);
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 1, &d, &off), JOBWIRE_OK);
  CHECK(d != NULL && off == JOBWIRE_NO_OFFSET);
  if (s == NULL || d == NULL) return;

  /* the handle and the one-shot call build the same attempt */
  CHECK_STATUS(jobwire_delivery_json(d, json_handle, sizeof json_handle, &len), JOBWIRE_OK);
  CHECK_STATUS(jobwire_build_delivery(S(secret), JOBWIRE_PROFILE_AI_STATS, &spec, now_s, 1, json_once, sizeof json_once,
                                      &len_once, NULL),
               JOBWIRE_OK);
  CHECK(len == len_once && memcmp(json_handle, json_once, len) == 0);
  CHECK_STATUS(jobwire_delivery_json(d, NULL, 0, &need), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(need == len);
  CHECK_STATUS(jobwire_delivery_json(d, json_handle, len - 1, &need), JOBWIRE_E_BUFFER_TOO_SMALL);

  /* its parts: the signature is HMAC-SHA256 of "<timestamp>.<body>" */
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, headers, JOBWIRE_DELIVERY_MAX_HEADERS, &count), JOBWIRE_OK);
  CHECK(count == JOBWIRE_DELIVERY_MAX_HEADERS && body != NULL && body_len < sizeof check.body);
  memcpy(check.body, body, body_len);
  check.body_len = body_len;
  snprintf(check.ts, sizeof check.ts, "%lld", now_s);
  sign_delivery(&check, secret);
  event_id[0] = first_sig[0] = '\0';
  for (i = 0; i < count; ++i) {
    if (headers[i].name_len == 20 && memcmp(headers[i].name, "x-ai-stats-signature", 20) == 0) {
      CHECK(headers[i].value_len == 64 && memcmp(headers[i].value, check.sig, 64) == 0);
      snprintf(first_sig, sizeof first_sig, "%.*s", (int)headers[i].value_len, headers[i].value);
    }
    if (headers[i].name_len == 20 && memcmp(headers[i].name, "x-ai-stats-timestamp", 20) == 0)
      CHECK(headers[i].value_len == strlen(check.ts) && memcmp(headers[i].value, check.ts, headers[i].value_len) == 0);
    if (headers[i].name_len == 19 && memcmp(headers[i].name, "x-ai-stats-event-id", 19) == 0)
      snprintf(event_id, sizeof event_id, "%.*s", (int)headers[i].value_len, headers[i].value);
  }
  CHECK(first_sig[0] != '\0' && event_id[0] != '\0');

  /* received: processed once */
  CHECK_STATUS(jobwire_receiver_create(&(const char*){secret}, &(size_t){sizeof secret - 1}, 1, S("memory"), NULL, &rx),
               JOBWIRE_OK);
  if (rx == NULL) {
    jobwire_delivery_free(d);
    jobwire_sender_free(s);
    return;
  }
  host_init(&h);
  settings.load = host_load;
  settings.handle = host_handle;
  settings.user_data = &h;
  memset(&o, 0, sizeof o);
  o.r.job_id = o.job_id;
  o.r.job_id_cap = sizeof o.job_id;
  o.r.dedup_key = o.key;
  o.r.dedup_key_cap = sizeof o.key;
  CHECK_STATUS(jobwire_receive(rx, body, body_len, headers, count, now_s * 1000, &settings, &o.r), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200 && h.handled == 1);
  CHECK(strcmp(o.job_id, job) == 0 && o.r.attempt == 1);

  /* the host saw a 503 (say, its reply was lost): the schedule makes it attempt 2, 60 s on */
  CHECK_STATUS(jobwire_decide_attempt(NULL, 1, JOBWIRE_OUTCOME_HTTP_RESPONSE, 503, now_s * 1000, &decision),
               JOBWIRE_OK);
  CHECK(decision.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY && decision.next_attempt == 2);
  CHECK(decision.next_retry_at_ms == (now_s + 60) * 1000);
  CHECK_STATUS(jobwire_sender_next_attempt(s, d, decision.next_attempt, decision.next_retry_at_ms / 1000), JOBWIRE_OK);
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, headers, JOBWIRE_DELIVERY_MAX_HEADERS, &count), JOBWIRE_OK);
  CHECK(body_len < sizeof check.body);
  memcpy(check.body, body, body_len);
  check.body_len = body_len;
  check.body[body_len] = '\0';
  CHECK(strstr(check.body, "\"attempt\":2") != NULL && strstr(check.body, event_id) != NULL);
  snprintf(check.ts, sizeof check.ts, "%lld", now_s + 60);
  sign_delivery(&check, secret);
  for (i = 0; i < count; ++i) {
    if (headers[i].name_len == 20 && memcmp(headers[i].name, "x-ai-stats-signature", 20) == 0) {
      CHECK(headers[i].value_len == 64 && memcmp(headers[i].value, check.sig, 64) == 0);
      CHECK(memcmp(headers[i].value, first_sig, 64) != 0);
    }
    if (headers[i].name_len == 18 && memcmp(headers[i].name, "x-ai-stats-attempt", 18) == 0)
      CHECK(headers[i].value_len == 1 && headers[i].value[0] == '2');
    if (headers[i].name_len == 19 && memcmp(headers[i].name, "x-ai-stats-event-id", 19) == 0)
      CHECK(headers[i].value_len == strlen(event_id) && memcmp(headers[i].value, event_id, headers[i].value_len) == 0);
  }
  CHECK_STATUS(jobwire_receive(rx, body, body_len, headers, count, (now_s + 60) * 1000, &settings, &o.r), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && o.r.http_status == 200 && h.handled == 1 && o.r.attempt == 2);
  jobwire_receiver_free(rx);

  /* next_attempt refusals leave the delivery as it was */
  CHECK_STATUS(jobwire_sender_next_attempt(s, d, 5, now_s), JOBWIRE_E_INVALID_ATTEMPT);
  CHECK_STATUS(jobwire_sender_next_attempt(s, d, 0, now_s), JOBWIRE_E_INVALID_ATTEMPT);
  CHECK_STATUS(jobwire_sender_next_attempt(s, d, 3, -1), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_next_attempt(NULL, d, 3, now_s), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_next_attempt(s, NULL, 3, now_s), JOBWIRE_E_INVALID_ARGUMENT);
  jobwire_retry_policy_init(&policy);
  policy.max_attempts = 6;
  policy.retry_delay_seconds = six_delays;
  policy.retry_delay_count = 5;
  CHECK_STATUS(jobwire_sender_create(S(secret), JOBWIRE_PROFILE_AI_STATS, &policy, &other), JOBWIRE_OK);
  CHECK_STATUS(jobwire_sender_next_attempt(other, d, 3, now_s), JOBWIRE_E_INVALID_ARGUMENT); /* built for 4 attempts */
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, headers, JOBWIRE_DELIVERY_MAX_HEADERS, &count), JOBWIRE_OK);
  CHECK(count == JOBWIRE_DELIVERY_MAX_HEADERS && strstr(check.body, "\"attempt\":2") != NULL);

  /* parts: too few header slots, NULL arguments */
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, headers, 3, &count), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(count == JOBWIRE_DELIVERY_MAX_HEADERS && body != NULL && body_len > 0);
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, NULL, 0, &count), JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, NULL, 2, &count), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_parts(NULL, &body, &body_len, headers, 9, &count), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(body == NULL && body_len == 0 && count == 0);
  CHECK_STATUS(jobwire_delivery_parts(d, NULL, &body_len, headers, 9, &count), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_parts(d, &body, NULL, headers, 9, &count), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_parts(d, &body, &body_len, headers, 9, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_json(NULL, json_handle, sizeof json_handle, &len), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_delivery_json(d, json_handle, sizeof json_handle, NULL), JOBWIRE_E_INVALID_ARGUMENT);

  /* build refusals: *out is NULL afterwards */
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 0, &none, NULL), JOBWIRE_E_INVALID_ATTEMPT);
  CHECK(none == NULL);
  CHECK_STATUS(jobwire_sender_build(other, &spec, now_s, 6, &none, NULL), JOBWIRE_OK); /* six attempts there */
  jobwire_delivery_free(none);
  none = NULL;
  spec.data = "{\"status\":}";
  spec.data_len = strlen(spec.data);
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 1, &none, &off), JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK(off == 10 && none == NULL);
  spec.data = "{}";
  spec.data_len = 2;
  spec.phase = "status_changed"; /* not an ai_stats phase */
  spec.phase_len = 14;
  spec.status = "running";
  spec.status_len = 7;
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 1, &none, NULL), JOBWIRE_E_UNKNOWN_PHASE);
  CHECK_STATUS(jobwire_sender_build(s, NULL, now_s, 1, &none, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_build(NULL, &spec, now_s, 1, &none, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 1, NULL, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  spec.job_id = NULL; /* NULL with a length */
  CHECK_STATUS(jobwire_sender_build(s, &spec, now_s, 1, &none, NULL), JOBWIRE_E_INVALID_ARGUMENT);

  /* create refusals: *out is NULL afterwards */
  jobwire_sender_free(other);
  other = (jobwire_sender*)&other;
  jobwire_sender_free(NULL);
  CHECK_STATUS(jobwire_sender_create(NULL, 0, JOBWIRE_PROFILE_PHASEO, NULL, &other), JOBWIRE_E_SECRET_REQUIRED);
  CHECK(other == NULL);
  CHECK_STATUS(jobwire_sender_create(S(secret), JOBWIRE_PROFILE_AUTO, NULL, &other), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_create(NULL, 4, JOBWIRE_PROFILE_AI_STATS, NULL, &other), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_sender_create(S(secret), JOBWIRE_PROFILE_AI_STATS, NULL, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  policy.retry_delay_count = 4;
  CHECK_STATUS(jobwire_sender_create(S(secret), JOBWIRE_PROFILE_AI_STATS, &policy, &other),
               JOBWIRE_E_INVALID_RETRY_POLICY);
  CHECK(other == NULL);

  jobwire_delivery_free(d);
  jobwire_delivery_free(NULL);
  jobwire_sender_free(s);
}

/* A host store for jobwire_receiver_create_with_store, written the way a C host would:
 * a table of keys under a mutex, with the claim/commit/release rules of dedup.hpp, and
 * failures to inject. */
#define CB_STORE_MAX 64
struct cb_entry {
  char key[JOBWIRE_RECEIPT_DEDUP_KEY_MAX];
  size_t key_len;
  int done;
  unsigned char token[JOBWIRE_CLAIM_TOKEN_LEN];
  long long expiry_ms;
};
struct cb_store {
  pthread_mutex_t lock;
  struct cb_entry e[CB_STORE_MAX];
  int n;
  unsigned counter;
  int claims, commits, releases, lost;
  int fail_claim_at;    /* the claim call (1-based, counted from the last reset) that fails */
  int fail_claim_with;  /* what it returns */
  int fail_commit_with; /* nonzero: every commit returns this */
  int claim_state;      /* >= 0: every claim reports this state (and succeeds) */
};

static void cb_reset(struct cb_store* c) {
  c->claims = c->commits = c->releases = c->lost = 0;
  c->fail_claim_at = c->fail_claim_with = c->fail_commit_with = 0;
  c->claim_state = -1;
}

static struct cb_entry* cb_find(struct cb_store* c, const char* key, size_t len) {
  int i;
  for (i = 0; i < c->n; ++i)
    if (c->e[i].key_len == len && memcmp(c->e[i].key, key, len) == 0) return &c->e[i];
  return NULL;
}

/* Live claims (not done, not expired at `now_ms`) whose key starts with `prefix`. */
static int cb_live(struct cb_store* c, const char* prefix, long long now_ms) {
  int i, n = 0;
  for (i = 0; i < c->n; ++i)
    if (!c->e[i].done && c->e[i].expiry_ms > now_ms && strncmp(c->e[i].key, prefix, strlen(prefix)) == 0) ++n;
  return n;
}

static int cb_claim(void* user, const char* key, size_t key_len, int64_t now_ms, int64_t lease_ms, int* state,
                    unsigned char* token) {
  struct cb_store* c = user;
  struct cb_entry* e;
  int rc = 0;
  pthread_mutex_lock(&c->lock);
  ++c->claims;
  if (c->fail_claim_at == c->claims) {
    rc = c->fail_claim_with;
  } else if (c->claim_state >= 0) {
    *state = c->claim_state;
  } else if (key_len > sizeof e->key) {
    rc = -1;
  } else {
    e = cb_find(c, key, key_len);
    if (e != NULL && e->expiry_ms > now_ms) {
      *state = e->done ? JOBWIRE_CLAIM_DONE : JOBWIRE_CLAIM_IN_FLIGHT;
    } else {
      if (e == NULL && c->n < CB_STORE_MAX) e = &c->e[c->n++];
      if (e == NULL) {
        rc = -1;
      } else {
        memcpy(e->key, key, key_len);
        e->key_len = key_len;
        e->done = 0;
        ++c->counter;
        memset(e->token, 0, sizeof e->token);
        memcpy(e->token, &c->counter, sizeof c->counter);
        e->expiry_ms = now_ms + lease_ms;
        memcpy(token, e->token, JOBWIRE_CLAIM_TOKEN_LEN);
        *state = JOBWIRE_CLAIM_FRESH;
      }
    }
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}

static int cb_commit(void* user, const char* key, size_t key_len, const unsigned char* token, int64_t now_ms) {
  struct cb_store* c = user;
  struct cb_entry* e;
  int rc = 0;
  pthread_mutex_lock(&c->lock);
  ++c->commits;
  e = cb_find(c, key, key_len);
  if (c->fail_commit_with != 0) {
    rc = c->fail_commit_with;
  } else if (e == NULL || memcmp(e->token, token, JOBWIRE_CLAIM_TOKEN_LEN) != 0) {
    ++c->lost;
    rc = JOBWIRE_E_CLAIM_LOST;
  } else {
    e->done = 1;
    e->expiry_ms = now_ms + 88LL * 60 * 1000;
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}

static int cb_release(void* user, const char* key, size_t key_len, const unsigned char* token) {
  struct cb_store* c = user;
  struct cb_entry* e;
  int rc = 0;
  pthread_mutex_lock(&c->lock);
  ++c->releases;
  e = cb_find(c, key, key_len);
  if (e == NULL || e->done || memcmp(e->token, token, JOBWIRE_CLAIM_TOKEN_LEN) != 0) {
    ++c->lost;
    rc = JOBWIRE_E_CLAIM_LOST;
  } else {
    *e = c->e[--c->n]; /* forget it */
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}

/* The receiver over the host's store: the whole pipeline and the race as for the
 * built-in stores, then callbacks that fail: 503 with the delivery's claim released, and
 * the retry processed. */
static void callback_store(void) {
  static struct cb_store store; /* large: not on the stack */
  jobwire_store_callbacks cb;
  jobwire_receiver* rx = NULL;
  const char* secrets[1] = {secret};
  size_t lens[1] = {sizeof secret - 1};
  struct host h;
  struct delivery d;
  struct out_receipt o;
  char job[128];

  fprintf(stderr, "store: host callbacks\n");
  memset(&store, 0, sizeof store);
  pthread_mutex_init(&store.lock, NULL);
  cb_reset(&store);
  cb.claim = cb_claim;
  cb.commit = cb_commit;
  cb.release = cb_release;
  cb.user_data = &store;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, &cb, NULL, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  run_pipeline(rx);
  CHECK(store.claims > 0 && store.commits > 0 && store.releases > 0);
  CHECK(store.lost == 0);
  CHECK(cb_live(&store, "", now_s * 1000) == 0); /* every lease released or committed */
  run_threads(rx);
  CHECK(cb_live(&store, "", now_s * 1000) == 0);

  /* the delivery's claim fails (store unreachable): 503, nothing held, nothing run */
  host_init(&h);
  snprintf(job, sizeof job, "J-%s-cb", run_tag);
  make_delivery(&d, job, "\"status\":\"completed\"", "completed", "video_completed");
  cb_reset(&store);
  store.fail_claim_at = 1;
  store.fail_claim_with = JOBWIRE_E_STORE_UNAVAILABLE;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_STORE_UNAVAILABLE);
  CHECK(h.handled == 0 && store.claims == 1 && store.releases == 0);
  CHECK(cb_live(&store, "", now_s * 1000) == 0);

  /* the job lease's claim fails with a code of the host's own: 503 store_error, and the
   * delivery's claim, already held, is released (so the retry is not in flight) */
  cb_reset(&store);
  store.fail_claim_at = 2;
  store.fail_claim_with = 42;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_STORE_ERROR);
  CHECK(h.handled == 0 && store.claims == 2 && store.releases == 1 && store.lost == 0);
  CHECK(cb_live(&store, "job:", now_s * 1000) == 0);

  /* a claim that reports a state the interface does not have: 503 store_error */
  cb_reset(&store);
  store.claim_state = 9;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_STORE_ERROR);
  CHECK(h.handled == 0);

  /* the handler fails: 503, both claims released through the callbacks */
  cb_reset(&store);
  h.handle_fails = 1;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK_STATUS(o.r.status, JOBWIRE_E_HANDLER_FAILED);
  CHECK(store.claims == 2 && store.releases == 2 && store.commits == 0 && store.lost == 0);
  CHECK(cb_live(&store, "", now_s * 1000) == 0);
  h.handle_fails = 0;

  /* the store is healthy again: the retry is processed, then its copy is a duplicate */
  cb_reset(&store);
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200 && o.r.status == JOBWIRE_OK);
  CHECK(h.handled == 1 && store.claims == 2 && store.commits == 1 && store.releases == 1);
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && h.handled == 1);

  /* the commit fails after the effect: still 200 (the effect is durable), the failure in
   * receipt.status, the job lease released */
  host_init(&h);
  snprintf(job, sizeof job, "J-%s-cb2", run_tag);
  make_delivery(&d, job, "\"status\":\"completed\"", "completed", "video_completed");
  cb_reset(&store);
  store.fail_commit_with = JOBWIRE_E_STORE_UNAVAILABLE;
  CHECK_STATUS(receive(rx, &d, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200);
  CHECK_STATUS(o.r.status, JOBWIRE_E_STORE_UNAVAILABLE);
  CHECK(h.handled == 1 && cb_live(&store, "jls:", now_s * 1000) == 0);
  jobwire_receiver_free(rx);

  /* arguments: the store and each of its callbacks are required */
  rx = (jobwire_receiver*)&rx;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, NULL, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(rx == NULL);
  cb.release = NULL;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, &cb, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  cb.release = cb_release;
  cb.commit = NULL;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, &cb, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  cb.commit = cb_commit;
  cb.claim = NULL;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, &cb, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  cb.claim = cb_claim;
  CHECK_STATUS(jobwire_receiver_create_with_store(secrets, lens, 1, &cb, NULL, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create_with_store(NULL, lens, 1, &cb, NULL, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  pthread_mutex_destroy(&store.lock);
}

/* ---------------------------------------------------------------------------------------
 * Standard Webhooks deliveries (PROTOCOL.md §17) through jobwire_receive_webhook. The
 * v1 signatures are computed here with OpenSSL's HMAC over "id.timestamp.body" with the
 * key's base64-decoded bytes, the v1a ones with OpenSSL's Ed25519, independently of the
 * library; the published reference vector is checked verbatim.
 * ------------------------------------------------------------------------------------- */

/* The reference library's published vector (PROTOCOL.md §17, "Known vector"). */
static const char wh_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char wh_vector_id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const char wh_vector_ts[] = "1614265330";
static const char wh_vector_body[] = "{\"test\": 2432232314}";
static const char wh_vector_sig[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/* A Standard Webhooks delivery: body and the three webhook-* headers. */
struct wh_delivery {
  char id[JOBWIRE_RECEIPT_MESSAGE_ID_MAX + 1];
  char ts[32];
  char body[256];
  size_t body_len;
  char sig[256];
  jobwire_header headers[3];
};

static void wh_headers(struct wh_delivery* d) {
  d->headers[0].name = "webhook-id";
  d->headers[0].value = d->id;
  d->headers[1].name = "Webhook-Timestamp";
  d->headers[1].value = d->ts;
  d->headers[2].name = "webhook-signature";
  d->headers[2].value = d->sig;
  d->headers[0].name_len = strlen(d->headers[0].name);
  d->headers[1].name_len = strlen(d->headers[1].name);
  d->headers[2].name_len = strlen(d->headers[2].name);
  d->headers[0].value_len = strlen(d->id);
  d->headers[1].value_len = strlen(d->ts);
  d->headers[2].value_len = strlen(d->sig);
}

/* "id.timestamp.body": the signed content (§17). Returns its length; *out is malloc'd. */
static size_t wh_content(const struct wh_delivery* d, unsigned char** out) {
  size_t n = strlen(d->id) + 1 + strlen(d->ts) + 1 + d->body_len, at = 0;
  *out = malloc(n + 1);
  memcpy(*out, d->id, strlen(d->id));
  at += strlen(d->id);
  (*out)[at++] = '.';
  memcpy(*out + at, d->ts, strlen(d->ts));
  at += strlen(d->ts);
  (*out)[at++] = '.';
  memcpy(*out + at, d->body, d->body_len);
  return n;
}

/* A v1 delivery signed with wh_secret (the base64 after whsec_ decoded: 24 bytes). */
static void wh_make(struct wh_delivery* d, const char* id, long long ts, const char* body) {
  unsigned char key[64], mac[EVP_MAX_MD_SIZE], *content = NULL;
  unsigned int mac_len = 0;
  const char* b64 = wh_secret + 6;
  int key_len = EVP_DecodeBlock(key, (const unsigned char*)b64, (int)strlen(b64));
  size_t n;
  while (key_len > 0 && b64[strlen(b64) - 1] == '=') --key_len; /* no padding in this key */
  snprintf(d->id, sizeof d->id, "%s", id);
  snprintf(d->ts, sizeof d->ts, "%lld", ts);
  d->body_len = (size_t)snprintf(d->body, sizeof d->body, "%s", body);
  n = wh_content(d, &content);
  HMAC(EVP_sha256(), key, key_len, content, n, mac, &mac_len);
  free(content);
  memcpy(d->sig, "v1,", 3);
  EVP_EncodeBlock((unsigned char*)d->sig + 3, mac, (int)mac_len);
  wh_headers(d);
}

struct wh_host {
  pthread_mutex_t lock;
  int handled;
  int fail; /* nonzero: the handler fails */
  int slow; /* nonzero: the handler sleeps a little (widens the race window) */
  char last_id[JOBWIRE_RECEIPT_MESSAGE_ID_MAX + 1];
  char last_body[256];
  int last_profile;
  size_t last_matched;
  int last_has_key;
  int last_event_status; /* jobwire_parse_webhook_event on the message's body */
  char last_type[64];
  char last_data_id[64];
};

static void wh_host_init(struct wh_host* h) {
  memset(h, 0, sizeof *h);
  pthread_mutex_init(&h->lock, NULL);
}

static int wh_handle(void* user, const jobwire_webhook_message* m) {
  struct wh_host* h = user;
  int fail;
  if (h->slow) {
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
  }
  pthread_mutex_lock(&h->lock);
  fail = h->fail;
  if (!fail) {
    ++h->handled;
    snprintf(h->last_id, sizeof h->last_id, "%.*s", (int)m->id_len, m->id);
    snprintf(h->last_body, sizeof h->last_body, "%.*s", (int)m->body_len, m->body);
    h->last_profile = m->profile;
    h->last_matched = m->matched_key;
    h->last_has_key = m->dedup_key_len > 0 && m->timestamp_len > 0;
    {
      /* the typed view of the body, read in the handler as a host does */
      jobwire_webhook_event ev;
      ev.size = sizeof ev;
      h->last_event_status = jobwire_parse_webhook_event(m->body, m->body_len, &ev, NULL);
      snprintf(h->last_type, sizeof h->last_type, "%.*s", (int)ev.type_len, ev.type ? ev.type : "");
      snprintf(h->last_data_id, sizeof h->last_data_id, "%.*s", (int)ev.data_id_len, ev.data_id ? ev.data_id : "");
    }
  }
  pthread_mutex_unlock(&h->lock);
  return fail ? 1 : 0;
}

struct wh_out {
  jobwire_webhook_receipt r;
  char id[JOBWIRE_RECEIPT_MESSAGE_ID_MAX + 1];
  char key[JOBWIRE_RECEIPT_DEDUP_KEY_MAX + 1];
};

static int wh_receive(jobwire_receiver* rx, const struct wh_delivery* d, long long now_ms, struct wh_host* h,
                      struct wh_out* o) {
  memset(o, 0, sizeof *o);
  o->r.message_id = o->id;
  o->r.message_id_cap = sizeof o->id;
  o->r.dedup_key = o->key;
  o->r.dedup_key_cap = sizeof o->key;
  return jobwire_receive_webhook(rx, d->body, d->body_len, d->headers, 3, now_ms, wh_handle, h, &o->r);
}

static int wh_create(const char* spec, const jobwire_store_callbacks* cb, int profile, jobwire_receiver** rx) {
  const char* secrets[1] = {wh_secret};
  size_t lens[1] = {sizeof wh_secret - 1};
  jobwire_receiver_options opt;
  jobwire_receiver_options_init(&opt);
  opt.profile = profile;
  return jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, JOBWIRE_KEY_FORMAT_PROFILE, spec,
                                      spec ? strlen(spec) : 0, cb, &opt, rx);
}

/* The published vector through a fresh store: processed once, then a duplicate; forged
 * copies are 401 and never reach the handler. */
static void wh_vector(const char* spec, const jobwire_store_callbacks* cb) {
  jobwire_receiver* rx = NULL;
  struct wh_delivery d, forged;
  struct wh_host h;
  struct wh_out o;
  const long long now_ms = 1614265330LL * 1000;

  CHECK_STATUS(wh_create(spec, cb, JOBWIRE_PROFILE_AUTO, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  wh_host_init(&h);
  snprintf(d.id, sizeof d.id, "%s", wh_vector_id);
  snprintf(d.ts, sizeof d.ts, "%s", wh_vector_ts);
  d.body_len = (size_t)snprintf(d.body, sizeof d.body, "%s", wh_vector_body);
  snprintf(d.sig, sizeof d.sig, "%s", wh_vector_sig);
  wh_headers(&d);

  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200 && o.r.status == JOBWIRE_OK);
  CHECK(strcmp(o.r.reason, "processed") == 0);
  CHECK(o.r.message_id_len == strlen(wh_vector_id) && strcmp(o.id, wh_vector_id) == 0);
  CHECK(o.r.dedup_key_len > 0 && o.r.profile == JOBWIRE_PROFILE_STANDARD);
  CHECK(h.handled == 1 && strcmp(h.last_id, wh_vector_id) == 0 && strcmp(h.last_body, wh_vector_body) == 0);
  CHECK(h.last_profile == JOBWIRE_PROFILE_STANDARD && h.last_matched == 0 && h.last_has_key);

  /* a retry of the processed message */
  CHECK_STATUS(wh_receive(rx, &d, now_ms + 5000, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && o.r.http_status == 200 && strcmp(o.r.reason, "done") == 0);
  CHECK(strcmp(o.id, wh_vector_id) == 0);
  CHECK(h.handled == 1);

  /* forged: a changed body, then a changed id with the same signature */
  forged = d;
  forged.body[2] = 'T';
  wh_headers(&forged);
  CHECK_STATUS(wh_receive(rx, &forged, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 401);
  CHECK(o.r.status == JOBWIRE_E_SIGNATURE_MISMATCH && strcmp(o.r.reason, "signature_mismatch") == 0);
  CHECK(o.r.message_id_len == 0 && o.r.dedup_key_len == 0);
  forged = d;
  forged.id[4] = 'q';
  wh_headers(&forged);
  CHECK_STATUS(wh_receive(rx, &forged, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 401);
  /* stale: the vector an hour later */
  CHECK_STATUS(wh_receive(rx, &d, now_ms + 3600 * 1000LL, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 401 && o.r.status == JOBWIRE_E_TIMESTAMP_TOO_OLD);
  CHECK(h.handled == 1);
  jobwire_receiver_free(rx);
}

/* The pipeline over one store with ids unique to this run (Redis and PostgreSQL persist). */
static void wh_pipeline(const char* spec, const jobwire_store_callbacks* cb) {
  jobwire_receiver* rx = NULL;
  struct wh_delivery d;
  struct delivery svc;
  struct wh_host h;
  struct wh_out o;
  struct out_receipt so;
  struct host sh;
  char id[128], job[128];
  const long long now_ms = now_s * 1000;

  fprintf(stderr, "webhooks: store %s\n", spec ? spec : "host callbacks");
  if (spec != NULL && jobwire_receiver_store_supported(spec, strlen(spec)) == JOBWIRE_E_STORE_NOT_SUPPORTED) {
    CHECK_STATUS(wh_create(spec, cb, JOBWIRE_PROFILE_AUTO, &rx), JOBWIRE_E_STORE_NOT_SUPPORTED);
    CHECK(rx == NULL);
    return;
  }
  CHECK_STATUS(wh_create(spec, cb, JOBWIRE_PROFILE_AUTO, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  wh_host_init(&h);
  host_init(&sh);

  /* handler failure: 503, the claim released; the retry is processed, then a duplicate */
  snprintf(id, sizeof id, "msg_%s_fail", run_tag);
  wh_make(&d, id, now_s, "{\"type\":\"video.completed\",\"data\":{\"id\":\"video_1\"}}");
  h.fail = 1;
  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 503);
  CHECK(o.r.status == JOBWIRE_E_HANDLER_FAILED && strcmp(o.r.reason, "handler_failed") == 0);
  CHECK(strcmp(o.id, id) == 0 && o.r.dedup_key_len > 0);
  h.fail = 0;
  CHECK_STATUS(wh_receive(rx, &d, now_ms + 1000, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.http_status == 200 && h.handled == 1);
  /* the handler read the event: type and data.id */
  CHECK(h.last_event_status == JOBWIRE_OK && strcmp(h.last_type, "video.completed") == 0);
  CHECK(strcmp(h.last_data_id, "video_1") == 0);
  CHECK_STATUS(wh_receive(rx, &d, now_ms + 2000, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && h.handled == 1);

  /* an empty body is a message too (any bytes, §17) */
  snprintf(id, sizeof id, "msg_%s_empty", run_tag);
  wh_make(&d, id, now_s, "");
  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && h.handled == 2 && h.last_body[0] == '\0');
  /* no JSON: the message is handled all the same, its event view says why there is none */
  CHECK(h.last_event_status == JOBWIRE_E_JSON_EMPTY_INPUT && h.last_type[0] == '\0');

  /* a service delivery at the webhook entry point: signature_scheme_mismatch (401) */
  snprintf(job, sizeof job, "J-%s-wh", run_tag);
  make_delivery(&svc, job, "\"status\":\"completed\"", "completed", "video_completed");
  sign_delivery(&svc, wh_secret);
  CHECK_STATUS(jobwire_receive_webhook(rx, svc.body, svc.body_len, svc.headers, 2, now_ms, wh_handle, &h, &o.r),
               JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.status == JOBWIRE_E_SIGNATURE_SCHEME_MISMATCH);
  CHECK(o.r.http_status == jobwire_error_http_status(JOBWIRE_E_SIGNATURE_SCHEME_MISMATCH) && o.r.http_status == 401);
  CHECK(o.r.profile == JOBWIRE_PROFILE_AI_STATS && h.handled == 2);
  /* ... and a webhook delivery at the service entry point: 503 webhook_delivery_misrouted, nothing
   * claimed or acknowledged */
  snprintf(id, sizeof id, "msg_%s_svc", run_tag);
  wh_make(&d, id, now_s, "{\"type\":\"video.completed\"}");
  {
    jobwire_receive_settings settings;
    settings.load = host_load;
    settings.handle = host_handle;
    settings.user_data = &sh;
    memset(&so, 0, sizeof so);
    CHECK_STATUS(jobwire_receive(rx, d.body, d.body_len, d.headers, 3, now_ms, &settings, &so.r), JOBWIRE_OK);
    CHECK(so.r.action == JOBWIRE_RECEIVED_REJECT && so.r.http_status == 503);
    CHECK(so.r.status == JOBWIRE_E_WEBHOOK_DELIVERY_MISROUTED && so.r.profile == JOBWIRE_PROFILE_STANDARD);
    CHECK(strcmp(so.r.reason, "webhook_delivery_misrouted") == 0);
    CHECK(so.r.http_status == jobwire_error_http_status(JOBWIRE_E_WEBHOOK_DELIVERY_MISROUTED));
    CHECK(sh.handled == 0);
  }
  /* the message was not claimed by that: the webhook entry point processes it */
  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && h.handled == 3);
  jobwire_receiver_free(rx);

  /* a receiver configured for a service profile refuses the webhook family */
  rx = NULL;
  CHECK_STATUS(wh_create(spec, cb, JOBWIRE_PROFILE_AI_STATS, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  snprintf(id, sizeof id, "msg_%s_named", run_tag);
  wh_make(&d, id, now_s, "{}");
  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status >= 400 && o.r.http_status < 500);
  CHECK(h.handled == 3);
  jobwire_receiver_free(rx);
  /* under OPENAI, named */
  rx = NULL;
  CHECK_STATUS(wh_create(spec, cb, JOBWIRE_PROFILE_OPENAI, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  CHECK_STATUS(wh_receive(rx, &d, now_ms, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.profile == JOBWIRE_PROFILE_OPENAI);
  CHECK(h.handled == 4 && h.last_profile == JOBWIRE_PROFILE_OPENAI);
  jobwire_receiver_free(rx);
}

/* Ed25519 (v1a): a key pair made with OpenSSL, the signature by OpenSSL, the receiver
 * holding only the whpk_ public key. */
static void wh_ed25519(void) {
  EVP_PKEY* pkey = NULL;
  EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
  EVP_MD_CTX* mctx = EVP_MD_CTX_new();
  unsigned char pub[32], sig[64], *content = NULL;
  size_t pub_len = sizeof pub, sig_len = sizeof sig, n;
  char pk[64] = "whpk_";
  const char* pks[1] = {pk};
  size_t pk_lens[1];
  const char* secrets[1] = {wh_secret};
  size_t secret_lens[1] = {sizeof wh_secret - 1};
  jobwire_receiver* rx = NULL;
  jobwire_receiver_options opt;
  struct wh_delivery d;
  struct wh_host h;
  struct wh_out o;
  char id[128];

  fprintf(stderr, "webhooks: v1a\n");
  CHECK(kctx != NULL && mctx != NULL && EVP_PKEY_keygen_init(kctx) == 1 && EVP_PKEY_keygen(kctx, &pkey) == 1);
  CHECK(EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) == 1 && pub_len == 32);
  EVP_EncodeBlock((unsigned char*)pk + 5, pub, 32);
  pk_lens[0] = strlen(pk);

  snprintf(id, sizeof id, "msg_%s_v1a", run_tag);
  snprintf(d.id, sizeof d.id, "%s", id);
  snprintf(d.ts, sizeof d.ts, "%lld", now_s);
  d.body_len = (size_t)snprintf(d.body, sizeof d.body, "{\"type\":\"video.completed\"}");
  n = wh_content(&d, &content);
  CHECK(EVP_DigestSignInit(mctx, NULL, NULL, NULL, pkey) == 1);
  CHECK(EVP_DigestSign(mctx, sig, &sig_len, content, n) == 1 && sig_len == 64);
  free(content);
  memcpy(d.sig, "v1a,", 4);
  EVP_EncodeBlock((unsigned char*)d.sig + 4, sig, 64);
  wh_headers(&d);

  jobwire_receiver_options_init(&opt);
  opt.profile = JOBWIRE_PROFILE_STANDARD;
  wh_host_init(&h);
  /* a secret and the public key: the public key is numbered after the secret */
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, secret_lens, 1, pks, pk_lens, 1, JOBWIRE_SCHEME_WEBHOOKS,
                                            JOBWIRE_KEY_FORMAT_PROFILE, S("memory"), NULL, &opt, &rx),
               JOBWIRE_OK);
  if (rx != NULL) {
    CHECK_STATUS(wh_receive(rx, &d, now_s * 1000, &h, &o), JOBWIRE_OK);
    CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && h.handled == 1 && h.last_matched == 1);
    CHECK_STATUS(wh_receive(rx, &d, now_s * 1000, &h, &o), JOBWIRE_OK);
    CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && h.handled == 1);
    jobwire_receiver_free(rx);
  }
  /* the public key alone; a forged copy is 401 */
  rx = NULL;
  CHECK_STATUS(jobwire_receiver_create_keys(NULL, NULL, 0, pks, pk_lens, 1, JOBWIRE_SCHEME_WEBHOOKS,
                                            JOBWIRE_KEY_FORMAT_PROFILE, S("memory"), NULL, &opt, &rx),
               JOBWIRE_OK);
  if (rx != NULL) {
    struct wh_delivery forged = d;
    forged.body[3] = 'T';
    wh_headers(&forged);
    CHECK_STATUS(wh_receive(rx, &forged, now_s * 1000, &h, &o), JOBWIRE_OK);
    CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status == 401 && h.handled == 1);
    CHECK_STATUS(wh_receive(rx, &d, now_s * 1000, &h, &o), JOBWIRE_OK);
    CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && h.handled == 2 && h.last_matched == 0);
    jobwire_receiver_free(rx);
  }
  EVP_MD_CTX_free(mctx);
  EVP_PKEY_CTX_free(kctx);
  EVP_PKEY_free(pkey);
}

/* Argument errors of jobwire_receiver_create_keys and jobwire_receive_webhook: nothing
 * is done, and the receipt is not written. */
static void wh_argument_errors(void) {
  jobwire_receiver* rx = (jobwire_receiver*)&checks; /* must be reset to NULL on failure */
  const char* secrets[1] = {wh_secret};
  size_t lens[1] = {sizeof wh_secret - 1};
  const char* bad_pub[1] = {"whpk_AAAA"};
  size_t bad_pub_len[1] = {9};
  const char* pub_as_secret[1] = {"whpk_bm90IGEga2V5IGF0IGFsbCBidXQgMzIgYnl0ZXMhISE="};
  size_t pub_as_secret_len[1];
  jobwire_store_callbacks cb;
  jobwire_receiver_options opt;
  struct wh_delivery d;
  struct wh_host h;
  struct wh_out o;
  char small[JOBWIRE_RECEIPT_MESSAGE_ID_MAX - 1];
  char id[128];

  fprintf(stderr, "webhooks: argument errors\n");
  pub_as_secret_len[0] = strlen(pub_as_secret[0]);
  memset(&cb, 0, sizeof cb);
  jobwire_receiver_options_init(&opt);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, S("memory"), NULL, NULL, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 7, S("memory"), NULL, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(rx == NULL);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 8u, 0, S("memory"), NULL, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 1, 0, 0, S("memory"), NULL, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT); /* public keys NULL with a count */
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, NULL, 3, NULL, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT); /* no store at all */
  cb.claim = cb_claim;
  cb.commit = cb_commit;
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, NULL, 0, &cb, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT); /* release missing */
  cb.release = cb_release;
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, S("memory"), &cb, NULL, &rx),
               JOBWIRE_E_INVALID_ARGUMENT); /* two stores */
  CHECK(rx == NULL);
  CHECK_STATUS(
      jobwire_receiver_create_keys(secrets, lens, 1, bad_pub, bad_pub_len, 1, 0, 0, S("memory"), NULL, NULL, &rx),
      JOBWIRE_E_INVALID_KEY);
  CHECK_STATUS(jobwire_receiver_create_keys(pub_as_secret, pub_as_secret_len, 1, NULL, NULL, 0, JOBWIRE_SCHEME_WEBHOOKS,
                                            0, S("memory"), NULL, NULL, &rx),
               JOBWIRE_E_KEY_FORMAT_MISMATCH);
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, bad_pub, bad_pub_len, 1, JOBWIRE_SCHEME_SERVICE, 0,
                                            S("memory"), NULL, NULL, &rx),
               JOBWIRE_E_KEY_FORMAT_MISMATCH);
  CHECK(rx == NULL);
  opt.profile = 99;
  CHECK_STATUS(jobwire_receiver_create_keys(secrets, lens, 1, NULL, NULL, 0, 0, 0, S("memory"), NULL, &opt, &rx),
               JOBWIRE_E_INVALID_ARGUMENT);
  /* the older create functions keep their profiles */
  opt.profile = JOBWIRE_PROFILE_STANDARD;
  CHECK_STATUS(jobwire_receiver_create(secrets, lens, 1, S("memory"), &opt, &rx), JOBWIRE_E_INVALID_ARGUMENT);
  CHECK(rx == NULL);

  CHECK_STATUS(wh_create("memory", NULL, JOBWIRE_PROFILE_AUTO, &rx), JOBWIRE_OK);
  if (rx == NULL) return;
  wh_host_init(&h);
  snprintf(id, sizeof id, "msg_%s_args", run_tag);
  wh_make(&d, id, now_s, "{}");
  memset(&o, 0, sizeof o);
  CHECK_STATUS(jobwire_receive_webhook(NULL, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, NULL),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive_webhook(rx, NULL, 3, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_INVALID_ARGUMENT);
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, NULL, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_INVALID_ARGUMENT);
  d.headers[1].value = NULL;
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_INVALID_ARGUMENT);
  wh_headers(&d);
  o.r.message_id_cap = 5; /* NULL buffer with a capacity */
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_INVALID_ARGUMENT);
  o.r.message_id = small;
  o.r.message_id_cap = sizeof small;
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  o.r.message_id = NULL;
  o.r.message_id_cap = 0;
  o.r.dedup_key = o.key;
  o.r.dedup_key_cap = JOBWIRE_RECEIPT_DEDUP_KEY_MAX - 1;
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, wh_handle, &h, &o.r),
               JOBWIRE_E_BUFFER_TOO_SMALL);
  CHECK(h.handled == 0);
  /* no buffers wanted, no handler: deduplication only */
  o.r.dedup_key = NULL;
  o.r.dedup_key_cap = 0;
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, d.headers, 3, now_s * 1000, NULL, NULL, &o.r),
               JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_PROCESS && o.r.message_id_len == 0 && o.r.dedup_key_len == 0);
  CHECK_STATUS(wh_receive(rx, &d, now_s * 1000, &h, &o), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_DUPLICATE && h.handled == 0);
  /* no headers at all: a delivery of no profile, refused before any claim */
  CHECK_STATUS(jobwire_receive_webhook(rx, d.body, d.body_len, NULL, 0, now_s * 1000, wh_handle, &h, &o.r), JOBWIRE_OK);
  CHECK(o.r.action == JOBWIRE_RECEIVED_REJECT && o.r.http_status >= 400 && o.r.dedup_key_len == 0);
  jobwire_receiver_free(rx);
}

/* Several threads deliver copies of one message at once through one SQLite file — each
 * with its own receiver, or all through one shared receiver (its pool of lanes: one
 * connection per concurrent call): the handler runs exactly once. */
struct wh_race {
  const char* spec;
  jobwire_receiver* shared; /* NULL: each thread creates its own receiver */
  const struct wh_delivery* d;
  struct wh_host* h;
  int processed, duplicate, in_flight, other;
  pthread_mutex_t lock;
};

static void* wh_race_thread(void* arg) {
  struct wh_race* r = arg;
  struct wh_out o;
  jobwire_receiver* rx = r->shared;
  int i;
  if (rx == NULL && wh_create(r->spec, NULL, JOBWIRE_PROFILE_AUTO, &rx) != JOBWIRE_OK) {
    pthread_mutex_lock(&r->lock);
    r->other += 10;
    pthread_mutex_unlock(&r->lock);
    return NULL;
  }
  for (i = 0; i < 10; ++i) {
    if (wh_receive(rx, r->d, now_s * 1000, r->h, &o) != JOBWIRE_OK) o.r.action = -1;
    pthread_mutex_lock(&r->lock);
    if (o.r.action == JOBWIRE_RECEIVED_PROCESS) ++r->processed;
    else if (o.r.action == JOBWIRE_RECEIVED_DUPLICATE) ++r->duplicate;
    else if (o.r.action == JOBWIRE_RECEIVED_IN_FLIGHT) ++r->in_flight;
    else ++r->other;
    pthread_mutex_unlock(&r->lock);
  }
  if (r->shared == NULL) jobwire_receiver_free(rx);
  return NULL;
}

static void wh_threads(const char* spec) {
  struct wh_delivery d;
  struct wh_host h;
  struct wh_race r;
  pthread_t t[4];
  char id[128];
  int i, variant;
  if (jobwire_receiver_store_supported(spec, strlen(spec)) != JOBWIRE_OK) return;
  for (variant = 0; variant < 2; ++variant) {
    jobwire_receiver* shared = NULL;
    fprintf(stderr, "webhooks: threads on %s (%s)\n", spec, variant ? "one receiver" : "a receiver each");
    if (variant) {
      CHECK_STATUS(wh_create(spec, NULL, JOBWIRE_PROFILE_AUTO, &shared), JOBWIRE_OK);
      if (shared == NULL) return;
    }
    wh_host_init(&h);
    h.slow = 1;
    snprintf(id, sizeof id, "msg_%s_race%d", run_tag, variant);
    wh_make(&d, id, now_s, "{\"type\":\"video.completed\"}");
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    r.spec = spec;
    r.shared = shared;
    r.d = &d;
    r.h = &h;
    for (i = 0; i < 4; ++i) pthread_create(&t[i], NULL, wh_race_thread, &r);
    for (i = 0; i < 4; ++i) pthread_join(t[i], NULL);
    CHECK(r.processed == 1);
    CHECK(h.handled == 1);
    CHECK(r.other == 0);
    CHECK(r.processed + r.duplicate + r.in_flight == 40);
    pthread_mutex_destroy(&r.lock);
    jobwire_receiver_free(shared);
  }
}

/* Every webhook case over the memory store, a fresh SQLite file and the host's store. */
/* jobwire_parse_webhook_event: both body shapes of §17, what is absent, errors, and the
 * size versioning of jobwire_webhook_event. */
static int view_is(const char* p, size_t n, const char* want) {
  return p != NULL && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void wh_event_view(void) {
  static const char openai[] =
      "{\"id\":\"evt_685343a1381c819085d44c354e1b330e\",\"object\":\"event\",\"created_at\":1750287018,"
      "\"type\":\"video.completed\",\"data\":{\"id\":\"video_68f10\",\"size\":2}}";
  static const char recommended[] =
      "{\"type\":\"invoice.paid\",\"timestamp\":\"2022-11-03T20:26:10.344522Z\",\"data\":[1,2]}";
  jobwire_webhook_event ev;
  size_t off = 0;

  memset(&ev, 0x5a, sizeof ev);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(openai, strlen(openai), &ev, &off), JOBWIRE_OK);
  CHECK(ev.size == sizeof ev && off == JOBWIRE_NO_OFFSET);
  CHECK(view_is(ev.type, ev.type_len, "video.completed"));
  CHECK(view_is(ev.id, ev.id_len, "evt_685343a1381c819085d44c354e1b330e"));
  CHECK(view_is(ev.object, ev.object_len, "event"));
  CHECK(ev.has_created_at == 1 && ev.created_at == 1750287018);
  CHECK(view_is(ev.data_id, ev.data_id_len, "video_68f10"));
  CHECK(view_is(ev.data, ev.data_len, "{\"id\":\"video_68f10\",\"size\":2}"));
  /* views point into the body */
  CHECK(ev.type > openai && ev.type < openai + sizeof openai);
  CHECK(ev.timestamp == NULL && ev.timestamp_len == 0);

  memset(&ev, 0x5a, sizeof ev);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(recommended, strlen(recommended), &ev, NULL), JOBWIRE_OK);
  CHECK(view_is(ev.type, ev.type_len, "invoice.paid"));
  CHECK(view_is(ev.timestamp, ev.timestamp_len, "2022-11-03T20:26:10.344522Z"));
  CHECK(view_is(ev.data, ev.data_len, "[1,2]"));
  CHECK(ev.data_id == NULL && ev.id == NULL && ev.object == NULL && ev.has_created_at == 0);

  /* an empty object: every field absent; escapes stay as written */
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event("{}", 2, &ev, NULL), JOBWIRE_OK);
  CHECK(ev.type == NULL && ev.data == NULL && ev.data_id == NULL && ev.has_created_at == 0);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"type\":\"a\\u002eb\",\"data\":{\"id\":7}}"), &ev, NULL), JOBWIRE_OK);
  CHECK(view_is(ev.type, ev.type_len, "a\\u002eb") && ev.data_id == NULL &&
        view_is(ev.data, ev.data_len, "{\"id\":7}"));

  /* errors: not JSON (with the offset), not an object, a field of another type */
  memset(&ev, 0x5a, sizeof ev);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"type\":"), &ev, &off), JOBWIRE_E_JSON_UNEXPECTED_END);
  CHECK(off == 8 && ev.type == NULL && ev.data == NULL && ev.size == sizeof ev);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("<html>"), &ev, &off), JOBWIRE_E_JSON_UNEXPECTED_TOKEN);
  CHECK(off == 0);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("[1]"), &ev, NULL), JOBWIRE_E_JSON_TYPE_MISMATCH);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"type\":1}"), &ev, NULL), JOBWIRE_E_JSON_TYPE_MISMATCH);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"created_at\":\"1750287018\"}"), &ev, NULL),
               JOBWIRE_E_JSON_TYPE_MISMATCH);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"created_at\":1.5}"), &ev, NULL), JOBWIRE_E_JSON_NOT_INTEGER);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(S("{\"type\":\"a\",\"type\":\"b\"}"), &ev, NULL),
               JOBWIRE_E_JSON_DUPLICATE_KEY);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(NULL, 0, &ev, &off), JOBWIRE_E_JSON_EMPTY_INPUT);

  /* arguments */
  CHECK_STATUS(jobwire_parse_webhook_event(openai, strlen(openai), NULL, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  ev.size = sizeof ev;
  CHECK_STATUS(jobwire_parse_webhook_event(NULL, 3, &ev, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  ev.size = 0;
  CHECK_STATUS(jobwire_parse_webhook_event(openai, strlen(openai), &ev, NULL), JOBWIRE_E_INVALID_ARGUMENT);
  ev.size = sizeof ev - 1;
  CHECK_STATUS(jobwire_parse_webhook_event(openai, strlen(openai), &ev, NULL), JOBWIRE_E_INVALID_ARGUMENT);

  /* a caller built against a later header (a larger struct): this library writes its own
   * fields and says so in size, and nothing past them */
  {
    struct {
      jobwire_webhook_event ev;
      unsigned char later[32];
    } big;
    size_t i;
    int untouched = 1;
    memset(&big, 0x5a, sizeof big);
    big.ev.size = sizeof big;
    CHECK_STATUS(jobwire_parse_webhook_event(openai, strlen(openai), &big.ev, NULL), JOBWIRE_OK);
    CHECK(big.ev.size == sizeof big.ev && view_is(big.ev.type, big.ev.type_len, "video.completed"));
    for (i = 0; i < sizeof big.later; ++i) untouched &= big.later[i] == 0x5a;
    CHECK(untouched);
  }
}

static void webhooks(void) {
  static struct cb_store store;
  jobwire_store_callbacks cb;
  char path[256], spec[300];
  const char* tmp = getenv("TMPDIR");

  wh_argument_errors();
  wh_event_view();
  wh_ed25519();
  wh_vector("memory", NULL);
  wh_pipeline("memory", NULL);
  snprintf(path, sizeof path, "%s/jobwire_c_webhooks_%s.sqlite", tmp ? tmp : "/tmp", run_tag);
  snprintf(spec, sizeof spec, "sqlite:%s", path);
  if (jobwire_receiver_store_supported(spec, strlen(spec)) == JOBWIRE_OK) {
    wh_vector(spec, NULL);
    wh_pipeline(spec, NULL);
    wh_threads(spec);
  }
  remove(path);
  snprintf(spec, sizeof spec, "%s-wal", path);
  remove(spec);
  snprintf(spec, sizeof spec, "%s-shm", path);
  remove(spec);

  memset(&store, 0, sizeof store);
  pthread_mutex_init(&store.lock, NULL);
  cb_reset(&store);
  cb.claim = cb_claim;
  cb.commit = cb_commit;
  cb.release = cb_release;
  cb.user_data = &store;
  wh_vector(NULL, &cb);
  wh_pipeline(NULL, &cb);
  CHECK(store.claims > 0 && store.commits > 0 && store.releases > 0);
  pthread_mutex_destroy(&store.lock);
}

/* libpq key=value conninfo (tests/services.sh) → a postgresql:// URI. */
static int pg_uri(const char* conninfo, char* out, size_t cap) {
  char host[128] = "127.0.0.1", port[128] = "5432", user[128] = "postgres", db[128] = "postgres";
  const char* p = conninfo;
  while (*p) {
    char k[32], v[128];
    if (sscanf(p, "%31[^=]=%127s", k, v) != 2) break;
    if (strcmp(k, "host") == 0) snprintf(host, sizeof host, "%s", v);
    else if (strcmp(k, "port") == 0) snprintf(port, sizeof port, "%s", v);
    else if (strcmp(k, "user") == 0) snprintf(user, sizeof user, "%s", v);
    else if (strcmp(k, "dbname") == 0) snprintf(db, sizeof db, "%s", v);
    p = strchr(p, ' ');
    if (p == NULL) break;
    while (*p == ' ') ++p;
  }
  return snprintf(out, cap, "postgresql://%s@%s:%s/%s?connect_timeout=5", user, host, port, db) < (int)cap;
}

int main(void) {
  char path[256], spec[512];
  const char* tmp = getenv("TMPDIR");
  const char* rh = getenv("JOBWIRE_TEST_REDIS_HOST");
  const char* rp = getenv("JOBWIRE_TEST_REDIS_PORT");
  const char* pg = getenv("JOBWIRE_TEST_PG_CONNINFO");
  const char* ci = getenv("CI");
  const int in_ci = ci != NULL && strcmp(ci, "true") == 0;

  now_s = (long long)time(NULL);
  snprintf(run_tag, sizeof run_tag, "%ld-%lld", (long)getpid(), now_s);

  argument_errors();
  sender();
  sender_handles();
  callback_store();
  webhooks();
  pipeline("memory");
  threads("memory");

  snprintf(path, sizeof path, "%s/jobwire_c_receiver_%s.sqlite", tmp ? tmp : "/tmp", run_tag);
  snprintf(spec, sizeof spec, "sqlite:%s", path);
  pipeline(spec);
  threads(spec);
  remove(path);
  snprintf(spec, sizeof spec, "%s-wal", path);
  remove(spec);
  snprintf(spec, sizeof spec, "%s-shm", path);
  remove(spec);

  if (rh != NULL && rp != NULL) {
    snprintf(spec, sizeof spec, "redis://%s:%s/1", rh, rp);
    pipeline(spec);
    threads(spec);
    wh_pipeline(spec, NULL);
  } else {
    fprintf(stderr, "redis: JOBWIRE_TEST_REDIS_HOST/PORT not set, skipped\n");
    CHECK(!in_ci); /* CI starts the servers (tests/services.sh): a skip there is a failure */
  }
  if (pg != NULL && pg_uri(pg, spec, sizeof spec)) {
    pipeline(spec);
    threads(spec);
    wh_pipeline(spec, NULL);
  } else {
    fprintf(stderr, "postgresql: JOBWIRE_TEST_PG_CONNINFO not set, skipped\n");
    CHECK(!in_ci);
  }

  fprintf(stderr, "%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
