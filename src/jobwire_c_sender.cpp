// jobwire — the C sender (include/jobwire_c.h, "Sender", "Retry schedule"):
// delivery_sender::build (sender.hpp) behind one call whose result is one JSON object, so
// that a binding reads the body, the headers and the identity fields from a single output
// buffer; the prepared sender and its deliveries as handles (build, next_attempt); and
// decide_attempt (retry.hpp).
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
