// jobwire — the C sender (include/jobwire_c.h, "Sender", "Retry schedule"):
// delivery_sender::build (sender.hpp) behind one call whose result is one JSON object, so
// that a binding reads the body, the headers and the identity fields from a single output
// buffer; the prepared sender and its deliveries as handles (build, next_attempt); and
// decide_attempt and decide_delivery (retry.hpp), the retry rules per profile.
// Like jobwire_c.cpp, every entry point runs inside a firewall: no exception reaches C.
#include "jobwire_c.h"
#include "jobwire_c_boundary.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <jobwire/error.hpp>
#include <jobwire/events.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/retry.hpp>
#include <jobwire/sender.hpp>

using namespace jobwire_c_detail;

// The handles of include/jobwire_c.h.
struct jobwire_sender {
  jobwire::delivery_sender sender;
};
struct jobwire_delivery {
  jobwire::delivery delivery;
};

namespace {

static_assert(JOBWIRE_OUTCOME_HTTP_RESPONSE == static_cast<int>(jobwire::outcome_kind::http_response) &&
                  JOBWIRE_OUTCOME_TIMEOUT == static_cast<int>(jobwire::outcome_kind::timeout) &&
                  JOBWIRE_OUTCOME_NETWORK_ERROR == static_cast<int>(jobwire::outcome_kind::network_error),
              "jobwire_c.h outcome values follow retry.hpp's outcome_kind");
static_assert(JOBWIRE_ATTEMPT_DELIVERED == static_cast<int>(jobwire::attempt_status::delivered) &&
                  JOBWIRE_ATTEMPT_SCHEDULED_RETRY == static_cast<int>(jobwire::attempt_status::scheduled_retry) &&
                  JOBWIRE_ATTEMPT_FAILED_PERMANENTLY == static_cast<int>(jobwire::attempt_status::failed_permanently),
              "jobwire_c.h attempt values follow retry.hpp's attempt_status");

// The C policy as retry.hpp's, then validated there. Strict: the delays must be exactly
// the ones the policy uses (max_attempts - 1), so that a list one too short or too long is
// a configuration error here and not a silently different schedule.
int policy_of(const jobwire_retry_policy* c, jobwire::retry_policy& out) noexcept {
  out = jobwire::default_retry_policy;
  if (c == nullptr) return JOBWIRE_OK;
  if (bad_input(c->retry_delay_seconds, c->retry_delay_count)) return invalid_argument;
  out.max_attempts = c->max_attempts;
  out.request_timeout_seconds = c->request_timeout_seconds;
  if (c->retry_delay_seconds != nullptr) {  // given, even empty: exactly the delays the policy uses
    if (c->max_attempts < 1 || c->max_attempts > jobwire::retry_policy::max_supported_attempts)
      return status_of(errc::invalid_attempt);
    if (c->retry_delay_count != c->max_attempts - 1u) return status_of(errc::invalid_retry_policy);
    out.retry_delay_seconds.fill(0);
    for (std::size_t i = 0; i < c->retry_delay_count; ++i) out.retry_delay_seconds[i] = c->retry_delay_seconds[i];
  }
  if (jobwire::void_result st = out.validate(); !st) return status_of(st.error());
  return JOBWIRE_OK;
}

bool outcome_of(int kind, int http_status, jobwire::attempt_outcome& out) noexcept {
  switch (kind) {
    case JOBWIRE_OUTCOME_HTTP_RESPONSE: out = jobwire::attempt_outcome::http(http_status); return true;
    case JOBWIRE_OUTCOME_TIMEOUT: out = jobwire::attempt_outcome::timed_out(); return true;
    case JOBWIRE_OUTCOME_NETWORK_ERROR: out = jobwire::attempt_outcome::network_failure(); return true;
    default: return false;
  }
}

// One built attempt as the JSON object of jobwire_build_delivery / jobwire_delivery_json.
std::string delivery_json(const jobwire::delivery& d) {
  std::string text;
  jobwire::json::writer w(text);
  w.begin_object().field("body", d.body()).key("headers").begin_array();
  for (const jobwire::header_field& h : d.headers()) w.begin_array().string(h.first).string(h.second).end_array();
  w.end_array()
      .field("event_id", d.event_id())
      .field("delivery_key", d.delivery_key_text())
      .field("attempt", static_cast<std::uint64_t>(d.attempt()))
      .field("max_attempts", static_cast<std::uint64_t>(d.max_attempts()))
      .field("timestamp", static_cast<std::int64_t>(d.timestamp()))
      .end_object();
  return text;
}

// The event of a C spec; invalid_argument for NULL pointers with lengths or an unknown
// kind, unknown_phase for a phase name that is none.
int event_of(const jobwire_delivery_spec* spec, jobwire::delivery_event& ev) noexcept {
  if (spec == nullptr || bad_input(spec->job_id, spec->job_id_len) ||
      bad_input(spec->internal_id, spec->internal_id_len) || bad_input(spec->phase, spec->phase_len) ||
      bad_input(spec->status, spec->status_len) || bad_input(spec->data, spec->data_len) ||
      (spec->previous_status == nullptr && spec->previous_status_len != 0))
    return invalid_argument;
  if (!kind_of(spec->kind, ev.kind)) return invalid_argument;
  auto ph = jobwire::parse_phase(view(spec->phase, spec->phase_len));
  if (!ph) return status_of(errc::unknown_phase);
  ev.phase = *ph;
  ev.job_id = view(spec->job_id, spec->job_id_len);
  ev.internal_id = view(spec->internal_id, spec->internal_id_len);
  ev.progress = spec->progress;
  ev.status = view(spec->status, spec->status_len);
  if (spec->previous_status != nullptr) ev.previous_status = view(spec->previous_status, spec->previous_status_len);
  ev.data = view(spec->data, spec->data_len);
  if (spec->has_created_at != 0) ev.created_at = spec->created_at;
  return JOBWIRE_OK;
}

}  // namespace

extern "C" {

int jobwire_build_delivery(const char* secret, std::size_t secret_len, int profile, const jobwire_delivery_spec* spec,
                           std::int64_t now, unsigned attempt, char* out, std::size_t out_cap, std::size_t* out_len,
                           std::size_t* error_offset) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    const jobwire::profile* prof = profile_of(profile);
    if (prof == nullptr || spec == nullptr || bad_input(secret, secret_len) || bad_output(out, out_cap, out_len))
      return invalid_argument;
    jobwire::delivery_event ev;
    if (int st = event_of(spec, ev); st != JOBWIRE_OK) return st;

    auto sender = jobwire::delivery_sender::create(view(secret, secret_len), *prof);
    if (!sender) return status_of(sender.code());
    auto built = sender->build(ev, now, attempt);
    if (!built) {
      if (error_offset != nullptr) *error_offset = built.error().offset;
      return status_of(built.code());
    }
    return write_output(delivery_json(*built), out, out_cap, out_len);
  });
}

// --- retry schedule --------------------------------------------------------------------------

void jobwire_retry_policy_init(jobwire_retry_policy* policy) {
  if (policy == nullptr) return;
  policy->max_attempts = jobwire::default_retry_policy.max_attempts;
  policy->retry_delay_seconds = nullptr;
  policy->retry_delay_count = 0;
  policy->request_timeout_seconds = jobwire::default_retry_policy.request_timeout_seconds;
}

int jobwire_decide_attempt(const jobwire_retry_policy* policy, unsigned attempt, int outcome, int http_status,
                           std::int64_t tried_at_ms, jobwire_retry_decision* out) {
  return guarded([&] {
    if (out == nullptr) return invalid_argument;
    *out = jobwire_retry_decision{};
    out->status_name = "";
    jobwire::retry_policy p;
    if (int st = policy_of(policy, p); st != JOBWIRE_OK) return st;
    jobwire::attempt_outcome o;
    if (!outcome_of(outcome, http_status, o)) return invalid_argument;
    auto d = jobwire::decide_attempt(p, attempt, o, tried_at_ms);
    if (!d) return status_of(d.code());
    out->status = static_cast<int>(d->status);
    out->status_name = jobwire::attempt_status_name(d->status).data();
    out->attempt = d->attempt;
    out->max_attempts = d->max_attempts;
    out->next_attempt = d->next_attempt;
    out->next_retry_at_ms = d->next_retry_at_ms;
    return JOBWIRE_OK;
  });
}

// --- retry rules per profile (PROTOCOL.md §12, §17 "Sending") -------------------------------

namespace {

static_assert(JOBWIRE_RETRY_RULES_SERVICE == static_cast<int>(jobwire::retry_rules::service) &&
                  JOBWIRE_RETRY_RULES_STANDARD_WEBHOOKS == static_cast<int>(jobwire::retry_rules::standard_webhooks),
              "jobwire_c.h retry rules follow retry.hpp");
static_assert(JOBWIRE_STREAK_FINAL_FAILURE == static_cast<int>(jobwire::streak_check::final_failure) &&
                  JOBWIRE_STREAK_EVERY_FAILURE == static_cast<int>(jobwire::streak_check::every_failure),
              "jobwire_c.h streak checks follow retry.hpp");
static_assert(JOBWIRE_ENDPOINT_NONE == static_cast<int>(jobwire::endpoint_effect::none) &&
                  JOBWIRE_ENDPOINT_SUCCESS == static_cast<int>(jobwire::endpoint_effect::success) &&
                  JOBWIRE_ENDPOINT_FAILURE == static_cast<int>(jobwire::endpoint_effect::failure) &&
                  JOBWIRE_ENDPOINT_THROTTLE == static_cast<int>(jobwire::endpoint_effect::throttle) &&
                  JOBWIRE_ENDPOINT_DISABLE == static_cast<int>(jobwire::endpoint_effect::disable),
              "jobwire_c.h endpoint effects follow retry.hpp");
static_assert(JOBWIRE_DISABLE_NONE == static_cast<int>(jobwire::disable_reason::none) &&
                  JOBWIRE_DISABLE_GONE == static_cast<int>(jobwire::disable_reason::gone) &&
                  JOBWIRE_DISABLE_FAILURE_STREAK == static_cast<int>(jobwire::disable_reason::failure_streak),
              "jobwire_c.h disable reasons follow retry.hpp");
static_assert(JOBWIRE_RETRY_AFTER_ABSENT == static_cast<int>(jobwire::retry_after_use::absent) &&
                  JOBWIRE_RETRY_AFTER_NOT_APPLIED == static_cast<int>(jobwire::retry_after_use::not_applied) &&
                  JOBWIRE_RETRY_AFTER_HONOURED == static_cast<int>(jobwire::retry_after_use::honoured) &&
                  JOBWIRE_RETRY_AFTER_CAPPED == static_cast<int>(jobwire::retry_after_use::capped) &&
                  JOBWIRE_RETRY_AFTER_PAST == static_cast<int>(jobwire::retry_after_use::past) &&
                  JOBWIRE_RETRY_AFTER_INVALID == static_cast<int>(jobwire::retry_after_use::invalid),
              "jobwire_c.h Retry-After uses follow retry.hpp");

// §17's delays, for the policy jobwire_retry_policy_for_profile hands out (static: the
// caller's policy points at it).
constexpr std::size_t standard_delay_count = jobwire::standard_webhooks_retry_policy.max_attempts - 1;
const std::int64_t standard_delays[standard_delay_count] = {
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[0],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[1],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[2],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[3],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[4],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[5],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[6],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[7],
    jobwire::standard_webhooks_retry_policy.retry_delay_seconds[8]};
static_assert(standard_delay_count == 9, "the table above lists every delay of §17's schedule");

// The C etiquette into a policy (its schedule already set); validated with the rest.
int etiquette_of(const jobwire_retry_etiquette* e, jobwire::retry_policy& p) noexcept {
  if (e == nullptr) return JOBWIRE_OK;  // the schedule's own rules (the service's, no jitter)
  if (e->rules != JOBWIRE_RETRY_RULES_SERVICE && e->rules != JOBWIRE_RETRY_RULES_STANDARD_WEBHOOKS)
    return status_of(errc::invalid_retry_policy);
  if (e->disable_streak_check != JOBWIRE_STREAK_FINAL_FAILURE &&
      e->disable_streak_check != JOBWIRE_STREAK_EVERY_FAILURE)
    return status_of(errc::invalid_retry_policy);
  p.rules = static_cast<jobwire::retry_rules>(e->rules);
  p.jitter_percent = e->jitter_percent;
  p.max_retry_after_seconds = e->max_retry_after_seconds;
  p.throttle_seconds = e->throttle_seconds;
  p.disable_after_failures = e->disable_after_failures;
  p.disable_streak_check = static_cast<jobwire::streak_check>(e->disable_streak_check);
  if (jobwire::void_result st = p.validate(); !st) return status_of(st.error());
  return JOBWIRE_OK;
}

}  // namespace

int jobwire_retry_policy_for_profile(int profile, jobwire_retry_policy* policy, jobwire_retry_etiquette* etiquette) {
  return guarded([&] {
    const jobwire::profile* prof = verify_profile_of(profile);  // the four profiles, not AUTO
    if (prof == nullptr) return invalid_argument;
    const jobwire::retry_policy& p = jobwire::retry_policy_for(*prof);
    if (policy != nullptr) {
      jobwire_retry_policy_init(policy);
      if (&p != &jobwire::default_retry_policy) {
        policy->max_attempts = p.max_attempts;
        policy->retry_delay_seconds = standard_delays;
        policy->retry_delay_count = standard_delay_count;
        policy->request_timeout_seconds = p.request_timeout_seconds;
      }
    }
    if (etiquette != nullptr) {
      etiquette->rules = static_cast<int>(p.rules);
      etiquette->jitter_percent = p.jitter_percent;
      etiquette->max_retry_after_seconds = p.max_retry_after_seconds;
      etiquette->throttle_seconds = p.throttle_seconds;
      etiquette->disable_after_failures = p.disable_after_failures;
      etiquette->disable_streak_check = static_cast<int>(p.disable_streak_check);
    }
    return JOBWIRE_OK;
  });
}

std::uint64_t jobwire_splitmix64(std::uint64_t x) { return jobwire::splitmix64(x); }

int jobwire_decide_delivery(const jobwire_retry_policy* policy, const jobwire_retry_etiquette* etiquette,
                            const jobwire_attempt_observation* observation, jobwire_attempt_verdict* out) {
  return guarded([&] {
    if (out == nullptr) return invalid_argument;
    *out = jobwire_attempt_verdict{};
    out->status_name = out->effect_name = out->disable_reason_name = out->retry_after_name = "";
    if (observation == nullptr || bad_input(observation->retry_after, observation->retry_after_len))
      return invalid_argument;
    jobwire::retry_policy p;
    if (int st = policy_of(policy, p); st != JOBWIRE_OK) return st;
    if (int st = etiquette_of(etiquette, p); st != JOBWIRE_OK) return st;
    jobwire::attempt_observation obs;
    if (!outcome_of(observation->outcome, observation->http_status, obs.outcome)) return invalid_argument;
    obs.attempt = observation->attempt;
    obs.tried_at_ms = observation->tried_at_ms;
    if (observation->retry_after != nullptr)
      obs.retry_after = view(observation->retry_after, observation->retry_after_len);
    obs.random = observation->random;
    obs.endpoint_failure_streak = observation->endpoint_failure_streak;
    auto v = jobwire::decide_delivery(p, obs);
    if (!v) return status_of(v.code());
    out->status = static_cast<int>(v->status);
    out->status_name = jobwire::attempt_status_name(v->status).data();
    out->attempt = v->attempt;
    out->max_attempts = v->max_attempts;
    out->next_attempt = v->next_attempt;
    out->tried_at_ms = v->tried_at_ms;
    out->next_retry_at_ms = v->next_retry_at_ms;
    out->http_status = v->http_status;
    out->effect = static_cast<int>(v->effect);
    out->effect_name = jobwire::endpoint_effect_name(v->effect).data();
    out->throttle_until_ms = v->throttle_until_ms;
    out->disable_after_failures = v->disable_after_failures;
    out->endpoint_disabled = v->endpoint_disabled ? 1 : 0;
    out->disable_reason = static_cast<int>(v->reason);
    out->disable_reason_name = jobwire::disable_reason_name(v->reason).data();
    out->retry_after = static_cast<int>(v->retry_after);
    out->retry_after_name = jobwire::retry_after_use_name(v->retry_after).data();
    out->retry_after_until_ms = v->retry_after_until_ms;
    out->retry_after_error = v->retry_after_error == errc::ok ? JOBWIRE_OK : status_of(v->retry_after_error);
    return JOBWIRE_OK;
  });
}

// --- the prepared sender and its deliveries ---------------------------------------------------

int jobwire_sender_create(const char* secret, std::size_t secret_len, int profile, const jobwire_retry_policy* policy,
                          jobwire_sender** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    const jobwire::profile* prof = profile_of(profile);
    if (out == nullptr || prof == nullptr || bad_input(secret, secret_len)) return invalid_argument;
    jobwire::retry_policy p;
    if (int st = policy_of(policy, p); st != JOBWIRE_OK) return st;
    auto sender = jobwire::delivery_sender::create(view(secret, secret_len), *prof, p);
    if (!sender) return status_of(sender.code());
    *out = new jobwire_sender{std::move(*sender)};
    return JOBWIRE_OK;
  });
}

void jobwire_sender_free(jobwire_sender* sender) { delete sender; }

int jobwire_sender_build(jobwire_sender* sender, const jobwire_delivery_spec* spec, std::int64_t now, unsigned attempt,
                         jobwire_delivery** out, std::size_t* error_offset) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    if (sender == nullptr || out == nullptr) return invalid_argument;
    jobwire::delivery_event ev;
    if (int st = event_of(spec, ev); st != JOBWIRE_OK) return st;
    auto built = sender->sender.build(ev, now, attempt);
    if (!built) {
      if (error_offset != nullptr) *error_offset = built.error().offset;
      return status_of(built.code());
    }
    *out = new jobwire_delivery{std::move(*built)};
    return JOBWIRE_OK;
  });
}

int jobwire_sender_next_attempt(jobwire_sender* sender, jobwire_delivery* delivery, unsigned attempt,
                                std::int64_t now) {
  return guarded([&] {
    if (sender == nullptr || delivery == nullptr) return invalid_argument;
    jobwire::void_result st = sender->sender.next_attempt(delivery->delivery, attempt, now);
    return st ? JOBWIRE_OK : status_of(st.error());
  });
}

int jobwire_delivery_json(const jobwire_delivery* delivery, char* out, std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (delivery == nullptr || bad_output(out, out_cap, out_len)) return invalid_argument;
    // A delivery whose last next_attempt failed has no headers: nothing sendable to write.
    if (delivery->delivery.headers().size() == 0) return invalid_argument;
    return write_output(delivery_json(delivery->delivery), out, out_cap, out_len);
  });
}

static_assert(JOBWIRE_DELIVERY_MAX_HEADERS == jobwire::header_list::capacity, "jobwire_c.h header count");

int jobwire_delivery_parts(const jobwire_delivery* delivery, const char** body, std::size_t* body_len,
                           jobwire_header* headers, std::size_t headers_cap, std::size_t* header_count) {
  return guarded([&] {
    if (body != nullptr) *body = nullptr;
    if (body_len != nullptr) *body_len = 0;
    if (header_count != nullptr) *header_count = 0;
    if (delivery == nullptr || body == nullptr || body_len == nullptr || header_count == nullptr ||
        (headers == nullptr && headers_cap != 0))
      return invalid_argument;
    const jobwire::header_list list = delivery->delivery.headers();
    if (list.size() == 0) return invalid_argument;  // the last next_attempt failed
    *body = delivery->delivery.body().data();
    *body_len = delivery->delivery.body().size();
    *header_count = list.size();
    if (headers_cap < list.size()) return status_of(errc::buffer_too_small);
    for (std::size_t i = 0; i < list.size(); ++i)
      headers[i] =
          jobwire_header{list[i].first.data(), list[i].first.size(), list[i].second.data(), list[i].second.size()};
    return JOBWIRE_OK;
  });
}

void jobwire_delivery_free(jobwire_delivery* delivery) { delete delivery; }

}  // extern "C"
