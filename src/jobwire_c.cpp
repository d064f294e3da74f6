// jobwire — the C shim (include/jobwire_c.h) over the header-only core.
//
// Every entry point follows the same shape, so the contract in the header holds
// everywhere: check arguments (NULL pointers, enumeration values, flag bits) and reject
// them as invalid_argument before any work; call the core, which decides everything;
// report its error code negated; copy text results into the caller's buffer or report
// the size needed. The core never throws, but this file uses std::string and the
// standard library, which may; `guarded` is the firewall that keeps any exception from
// unwinding into C (ENGINEERING.md, "fmt": a C API in its own target with a firewall).
#include "jobwire_c.h"
#include "jobwire_c_boundary.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <jobwire/callback_url.hpp>
#include <jobwire/error.hpp>
#include <jobwire/events.hpp>
#include <jobwire/freshness.hpp>
#include <jobwire/json.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/payload_summary.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/signature.hpp>
#include <jobwire/standard_webhooks.hpp>
#include <jobwire/subscription.hpp>
#include <jobwire/verify.hpp>
#include <jobwire/version.hpp>

static_assert(JOBWIRE_C_VERSION_MAJOR == JOBWIRE_VERSION_MAJOR && JOBWIRE_C_VERSION_MINOR == JOBWIRE_VERSION_MINOR &&
                  JOBWIRE_C_VERSION_PATCH == JOBWIRE_VERSION_PATCH,
              "jobwire_c.h version macros must follow include/jobwire/version.hpp");

namespace {

using namespace jobwire_c_detail;

// Codes arrive as a negative status; their positive id is accepted too (header).
errc code_of_status(int status) noexcept {
  long id = status < 0 ? -static_cast<long>(status) : static_cast<long>(status);
  if (id > 0xFFFF || !jobwire::is_error_code(static_cast<int>(id))) return static_cast<errc>(0xFFFF);
  return static_cast<errc>(id);
}

// The request headers of jobwire_verify as a range of (name, value) pairs, read in place
// from the caller's parallel arrays: find_header accepts any such range, so nothing is
// copied or allocated.
class header_arrays {
 public:
  header_arrays(const char* const* names, const std::size_t* name_lens, const char* const* values,
                const std::size_t* value_lens, std::size_t count) noexcept
      : names_(names), name_lens_(name_lens), values_(values), value_lens_(value_lens), count_(count) {}

  // Arrays present when there are headers; each (pointer, length) valid.
  bool well_formed() const noexcept {
    if (count_ == 0) return true;
    if (names_ == nullptr || name_lens_ == nullptr || values_ == nullptr || value_lens_ == nullptr) return false;
    for (std::size_t i = 0; i < count_; ++i)
      if (bad_input(names_[i], name_lens_[i]) || bad_input(values_[i], value_lens_[i])) return false;
    return true;
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::pair<std::string_view, std::string_view>;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    iterator(const header_arrays* h, std::size_t i) noexcept : h_(h), i_(i) {}
    value_type operator*() const noexcept {
      return {view(h_->names_[i_], h_->name_lens_[i_]), view(h_->values_[i_], h_->value_lens_[i_])};
    }
    iterator& operator++() noexcept {
      ++i_;
      return *this;
    }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.i_ != b.i_; }

   private:
    const header_arrays* h_;
    std::size_t i_;
  };

  iterator begin() const noexcept { return {this, 0}; }
  iterator end() const noexcept { return {this, count_}; }

 private:
  const char* const* names_;
  const std::size_t* name_lens_;
  const char* const* values_;
  const std::size_t* value_lens_;
  std::size_t count_;
};

}  // namespace

// The opaque handle of the C API: the prepared keys. Verification never writes to them
// (signature.hpp), so one handle is shared by any number of threads without a lock.
struct jobwire_verifier {
  jobwire::verifier keys;
};

extern "C" {

// Entry points that only return a constant or a static string (names, messages, version,
// constant twins) and jobwire_verifier_destroy cannot throw, so they need no firewall;
// every other entry point runs inside `guarded`.

// --- status codes ----------------------------------------------------------------------

// error_name/error_message return views of string literals, so .data() is a static,
// NUL-terminated string ("unknown_error" / "unknown error code" for non-codes).
const char* jobwire_error_name(int status) { return jobwire::error_name(code_of_status(status)).data(); }

const char* jobwire_error_message(int status) { return jobwire::error_message(code_of_status(status)).data(); }

int jobwire_error_http_status(int status) { return jobwire::http_status_of(code_of_status(status)); }

int jobwire_status_from_name(const char* name, std::size_t name_len, int* out_status) {
  return guarded([&] {
    if (bad_input(name, name_len) || out_status == nullptr) return invalid_argument;
    errc code{};
    if (!jobwire::error_from_name(view(name, name_len), code)) return status_of(errc::not_found);
    *out_status = status_of(code);
    return JOBWIRE_OK;
  });
}

// --- version and constants -------------------------------------------------------------

const char* jobwire_version(void) { return jobwire::version(); }
int jobwire_version_number(void) {
  return JOBWIRE_VERSION_MAJOR * 10000 + JOBWIRE_VERSION_MINOR * 100 + JOBWIRE_VERSION_PATCH;
}

std::size_t jobwire_max_event_id_len(void) { return jobwire::max_event_id_length; }
std::size_t jobwire_no_offset(void) { return jobwire::error::no_offset; }
static_assert(JOBWIRE_MAX_EVENT_ID_LEN == jobwire::max_event_id_length, "event id length");
static_assert(JOBWIRE_NO_OFFSET == jobwire::error::no_offset, "no-offset marker");
static_assert(JOBWIRE_PAYLOAD_CREATE == static_cast<int>(jobwire::payload_form::create_response) &&
                  JOBWIRE_PAYLOAD_STATUS == static_cast<int>(jobwire::payload_form::status_object) &&
                  JOBWIRE_PAYLOAD_WEBHOOK == static_cast<int>(jobwire::payload_form::delivery) &&
                  JOBWIRE_PAYLOAD_WS == static_cast<int>(jobwire::payload_form::ws_message),
              "payload form constants follow jobwire::payload_form");

int jobwire_profile_from_name(const char* name, std::size_t name_len, int* out_profile) {
  return guarded([&] {
    if (bad_input(name, name_len) || out_profile == nullptr) return invalid_argument;
    if (view(name, name_len) == "auto") {
      *out_profile = JOBWIRE_PROFILE_AUTO;
      return JOBWIRE_OK;
    }
    const jobwire::profile* p = jobwire::find_profile(view(name, name_len));
    if (p == nullptr) return status_of(errc::not_found);
    *out_profile = profile_code(*p);
    return JOBWIRE_OK;
  });
}

// --- JSON --------------------------------------------------------------------------------

int jobwire_json_validate(const char* text, std::size_t text_len, unsigned flags, std::size_t* error_offset) {
  return guarded([&] {
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    if (bad_input(text, text_len) || (flags & ~JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS) != 0u) return invalid_argument;
    jobwire::json::options opts;
    if ((flags & JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS) != 0u) opts.leniency |= jobwire::lenient::duplicate_keys;
    jobwire::void_result st = jobwire::json::validate(view(text, text_len), opts);
    if (st) return JOBWIRE_OK;
    if (error_offset != nullptr) *error_offset = st.error().offset;
    return status_of(st.error());
  });
}

// --- events ------------------------------------------------------------------------------

int jobwire_progress_bucket(double progress, int* out_bucket) {
  return guarded([&] {
    if (out_bucket == nullptr) return invalid_argument;
    const int b = jobwire::progress_bucket(progress);
    if (b == jobwire::no_bucket) return status_of(errc::no_progress_event);
    *out_bucket = b;
    return JOBWIRE_OK;
  });
}

int jobwire_delivery_key(int kind, const char* phase, std::size_t phase_len, double progress, int profile, char* out,
                         std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    jobwire::kind k{};
    const jobwire::profile* prof = profile_of(profile);
    if (!kind_of(kind, k) || prof == nullptr || bad_input(phase, phase_len) || bad_output(out, out_cap, out_len))
      return invalid_argument;
    auto ph = jobwire::parse_phase(view(phase, phase_len));
    if (!ph || !prof->has_phase(*ph)) return status_of(errc::unknown_phase);
    // §16.1: a status_changed key names its transition; the phase alone makes none.
    if (*ph == jobwire::phase::status_changed) return invalid_argument;
    jobwire::delivery_key key{jobwire::event_type{k, *ph}, jobwire::no_bucket};
    if (*ph == jobwire::phase::progress) {
      // PROTOCOL.md §11: only a value that makes a bucket produces a progress event.
      key.bucket = jobwire::progress_bucket(progress);
      if (key.bucket == jobwire::no_bucket) return status_of(errc::no_progress_event);
    }
    return write_output(jobwire::format_delivery_key(key), out, out_cap, out_len);
  });
}

int jobwire_delivery_key_check(const char* key, std::size_t key_len, int profile, int* out_bucket) {
  return guarded([&] {
    const jobwire::profile* prof = profile_of(profile);
    if (prof == nullptr || bad_input(key, key_len)) return invalid_argument;
    auto parsed = jobwire::parse_delivery_key(view(key, key_len), *prof);
    if (!parsed) return status_of(parsed.error());
    if (out_bucket != nullptr) *out_bucket = parsed->bucket;
    return JOBWIRE_OK;
  });
}

int jobwire_event_id(const char* internal_id, std::size_t internal_id_len, const char* delivery_key,
                     std::size_t delivery_key_len, int profile, char* out, std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    const jobwire::profile* prof = profile_of(profile);
    if (prof == nullptr || bad_input(internal_id, internal_id_len) || bad_input(delivery_key, delivery_key_len) ||
        bad_output(out, out_cap, out_len))
      return invalid_argument;
    auto key = jobwire::parse_delivery_key(view(delivery_key, delivery_key_len), *prof);
    if (!key) return status_of(key.error());
    const std::string id = jobwire::make_event_id(key->type.kind, view(internal_id, internal_id_len), *key);
    return write_output(id, out, out_cap, out_len);
  });
}

int jobwire_event_id_check(const char* event_id, std::size_t event_id_len) {
  return guarded([&] {
    if (bad_input(event_id, event_id_len)) return invalid_argument;
    return jobwire::is_valid_event_id(view(event_id, event_id_len)) ? JOBWIRE_OK : status_of(errc::invalid_event_id);
  });
}

// --- callback URLs -------------------------------------------------------------------------

int jobwire_policy_from_name(const char* name, std::size_t name_len, int* out_policy) {
  return guarded([&] {
    if (bad_input(name, name_len) || out_policy == nullptr) return invalid_argument;
    auto p = jobwire::parse_url_policy(view(name, name_len));
    if (!p) return status_of(errc::not_found);
    *out_policy = *p == jobwire::url_policy::strict     ? JOBWIRE_POLICY_STRICT
                  : *p == jobwire::url_policy::ai_stats ? JOBWIRE_POLICY_AI_STATS
                                                        : JOBWIRE_POLICY_PHASEO;
    return JOBWIRE_OK;
  });
}

namespace {
bool policy_of(int policy, jobwire::url_policy& out) noexcept {
  switch (policy) {
    case JOBWIRE_POLICY_STRICT: out = jobwire::url_policy::strict; return true;
    case JOBWIRE_POLICY_AI_STATS: out = jobwire::url_policy::ai_stats; return true;
    case JOBWIRE_POLICY_PHASEO: out = jobwire::url_policy::phaseo; return true;
    default: return false;
  }
}
}  // namespace

int jobwire_check_callback_url(const char* url, std::size_t url_len, int policy, unsigned flags, char* out,
                               std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    jobwire::callback_url_options opts;
    if (bad_input(url, url_len) || bad_output(out, out_cap, out_len) || !policy_of(policy, opts.policy) ||
        (flags & ~JOBWIRE_URL_ALLOW_LOCAL_DEVELOPMENT) != 0u)
      return invalid_argument;
    if ((flags & JOBWIRE_URL_ALLOW_LOCAL_DEVELOPMENT) != 0u) opts.leniency |= jobwire::lenient::local_callback_urls;
    auto u = jobwire::check_callback_url(view(url, url_len), opts);
    if (!u) return status_of(u.error());
    // The parsed URL serialises itself into the caller's buffer: no intermediate copy.
    const std::size_t need = u->serialised_size();
    *out_len = need;
    if (out_cap < need) return status_of(errc::buffer_too_small);
    auto written = u->serialise_to(out, out_cap);
    if (!written) {
      *out_len = 0;
      return status_of(written.error());
    }
    *out_len = *written;
    if (out_cap > *written) out[*written] = '\0';
    return JOBWIRE_OK;
  });
}

int jobwire_check_resolved_address(const unsigned char* address, std::size_t address_len, int policy) {
  return guarded([&] {
    jobwire::url_policy p{};
    if (address == nullptr || (address_len != 4 && address_len != 16) || !policy_of(policy, p)) return invalid_argument;
    return status_of(jobwire::check_resolved_address(address, address_len, p));
  });
}

// --- subscription event lists ----------------------------------------------------------------

int jobwire_normalize_events(const char* events_json, std::size_t events_json_len, int kind, int profile,
                             unsigned flags, char* out, std::size_t out_cap, std::size_t* out_len,
                             std::size_t* error_offset) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    jobwire::events_options opts;
    opts.prof = profile_of(profile);
    if (!kind_of(kind, opts.kind) || opts.prof == nullptr || bad_input(events_json, events_json_len) ||
        bad_output(out, out_cap, out_len) || (flags & ~(JOBWIRE_EVENTS_STRICT | JOBWIRE_EVENTS_REPORT_IGNORED)) != 0u)
      return invalid_argument;
    opts.strict = (flags & JOBWIRE_EVENTS_STRICT) != 0u;
    const bool report = (flags & JOBWIRE_EVENTS_REPORT_IGNORED) != 0u;

    // An absent member (length 0) is a default json::value, which reads as "omitted".
    jobwire::json::value member;
    if (events_json_len != 0) {
      auto doc = jobwire::json::parse(view(events_json, events_json_len));
      if (!doc) {
        if (error_offset != nullptr) *error_offset = doc.error().offset;
        return status_of(doc.error());
      }
      member = *doc;
    }
    std::vector<jobwire::ignored_event> ignored;
    std::vector<std::string> names;
    if (opts.prof->name == jobwire::profiles::phaseo.name) {
      // The current service's stored list (PROTOCOL.md §16.2): [] or omitted = inherit,
      // null rejected, non-strings and "" rejected, verbatim tails kept.
      auto list = jobwire::normalise_stored_events(member, opts, report ? &ignored : nullptr);
      if (!list) {
        if (error_offset != nullptr) *error_offset = list.error().offset;  // the entry's index
        return status_of(list.error());
      }
      names = std::move(*list);
    } else {
      auto list = jobwire::normalise_events(member, opts, report ? &ignored : nullptr);
      if (!list) {
        if (error_offset != nullptr) *error_offset = list.error().offset;  // strict: the entry's index
        return status_of(list.error());
      }
      for (jobwire::subscription_event e : *list) names.push_back(list->name(e));
    }

    std::string text;
    jobwire::json::writer w(text);
    if (report) w.begin_object().key("events");
    w.begin_array();
    for (const std::string& name : names) w.string(name);
    w.end_array();
    if (report) {
      w.key("ignored").begin_array();
      for (const jobwire::ignored_event& ig : ignored) {
        w.begin_object().field("index", static_cast<std::uint64_t>(ig.index)).key("value");
        if (ig.is_json) w.raw(ig.value);
        else w.string(ig.value);
        w.field("reason", jobwire::error_name(ig.reason)).end_object();
      }
      w.end_array().end_object();
    }
    return write_output(text, out, out_cap, out_len);
  });
}

}  // extern "C"

namespace {

// The `events` member as given over the C boundary: length 0 is an omitted member (a
// default json::value); otherwise the JSON text, whose parse error is reported with its
// offset.
jobwire::result<jobwire::json::value> events_member(const char* text, std::size_t len) noexcept {
  if (len == 0) return jobwire::json::value{};
  auto doc = jobwire::json::parse(view(text, len));
  if (!doc) return doc.error();
  return *doc;
}

int report(const jobwire::error& e, std::size_t* error_offset) noexcept {
  if (error_offset != nullptr) *error_offset = e.offset;
  return status_of(e);
}

}  // namespace

extern "C" {

int jobwire_events_subscribed(const char* events_json, std::size_t events_json_len, int kind, int profile,
                              const char* phase, std::size_t phase_len, int* out_subscribed,
                              std::size_t* error_offset) {
  return guarded([&] {
    if (out_subscribed != nullptr) *out_subscribed = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    jobwire::events_options opts;
    opts.prof = profile_of(profile);
    if (!kind_of(kind, opts.kind) || opts.prof == nullptr || bad_input(events_json, events_json_len) ||
        bad_input(phase, phase_len) || out_subscribed == nullptr)
      return invalid_argument;
    // The phase first: a question about a phase the profile does not have has no answer
    // (the sender refuses such an event with unknown_phase, sender.hpp check_subscribed).
    auto ph = jobwire::parse_phase(view(phase, phase_len));
    if (!ph || !opts.prof->has_phase(*ph)) return status_of(errc::unknown_phase);
    auto member = events_member(events_json, events_json_len);
    if (!member) return report(member.error(), error_offset);
    if (opts.prof->name == jobwire::profiles::phaseo.name) {
      // §16.2: the stored list, or the request defaults when it inherits (no endpoint
      // events here: jobwire_effective_events resolves those).
      auto stored = jobwire::normalise_stored_events(*member, opts);
      if (!stored) return report(stored.error(), error_offset);
      const std::vector<std::string> deciding = jobwire::effective_events(opts.kind, *stored, {}, *opts.prof);
      *out_subscribed = jobwire::stored_events_match(deciding, opts.kind, *ph) ? 1 : 0;
      return JOBWIRE_OK;
    }
    auto list = jobwire::normalise_events(*member, opts);
    if (!list) return report(list.error(), error_offset);
    *out_subscribed = list->is_subscribed(opts.kind, *ph) ? 1 : 0;
    return JOBWIRE_OK;
  });
}

int jobwire_effective_events(const char* request_events_json, std::size_t request_events_json_len,
                             const char* endpoint_events_json, std::size_t endpoint_events_json_len, int kind,
                             char* out, std::size_t out_cap, std::size_t* out_len, std::size_t* error_offset,
                             int* error_input) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    if (error_input != nullptr) *error_input = -1;
    jobwire::kind k = jobwire::kind::video;
    if (!kind_of(kind, k) || bad_input(request_events_json, request_events_json_len) ||
        bad_input(endpoint_events_json, endpoint_events_json_len) || bad_output(out, out_cap, out_len))
      return invalid_argument;
    const jobwire::events_options opts = jobwire::endpoint_events_options(k);
    auto fail = [&](const jobwire::error& e, int input) {
      if (error_input != nullptr) *error_input = input;
      return report(e, error_offset);
    };
    auto request = events_member(request_events_json, request_events_json_len);
    if (!request) return fail(request.error(), 0);
    auto stored = jobwire::normalise_stored_events(*request, opts);
    if (!stored) return fail(stored.error(), 0);

    // The endpoint's events as GET /v1/webhook-endpoints/{id} shows them: an array of
    // strings (the same rule as `jobwire check-subscription --endpoint-events`).
    std::vector<std::string> endpoint;
    if (endpoint_events_json_len != 0) {
      auto doc = jobwire::json::parse(view(endpoint_events_json, endpoint_events_json_len));
      if (!doc) return fail(doc.error(), 1);
      auto arr = doc->get_array();
      if (!arr) return fail(jobwire::error(errc::invalid_events_type), 1);
      std::size_t index = 0;  // an entry is named by its index, as normalize_events does
      for (jobwire::json::value v : *arr) {
        auto str = v.get_string();
        if (!str) return fail(jobwire::error(errc::event_not_string, index), 1);
        endpoint.push_back(str->to_string());
        ++index;
      }
    }
    const std::vector<std::string> effective = jobwire::effective_events(k, *stored, endpoint, *opts.prof);
    std::string text;
    jobwire::json::writer w(text);
    w.begin_array();
    for (const std::string& name : effective) w.string(name);
    w.end_array();
    return write_output(text, out, out_cap, out_len);
  });
}

// --- signatures and verification -----------------------------------------------------------

std::size_t jobwire_signature_hex_len(void) { return jobwire::signature_hex_size; }
std::size_t jobwire_max_secrets(void) { return jobwire::max_secrets; }
std::int64_t jobwire_default_tolerance(void) { return jobwire::default_tolerance_seconds; }
std::int64_t jobwire_tolerance_none(void) { return jobwire::tolerance_none; }
static_assert(JOBWIRE_SIGNATURE_HEX_LEN == jobwire::signature_hex_size, "signature length");
static_assert(JOBWIRE_MAX_SECRETS == jobwire::max_secrets, "secret count");
static_assert(JOBWIRE_DEFAULT_TOLERANCE == jobwire::default_tolerance_seconds, "default tolerance");
static_assert(JOBWIRE_TOLERANCE_NONE == jobwire::tolerance_none, "tolerance none");

int jobwire_sign(const char* secret, std::size_t secret_len, const char* timestamp, std::size_t timestamp_len,
                 const char* body, std::size_t body_len, char* out, std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (bad_input(secret, secret_len) || bad_input(timestamp, timestamp_len) || bad_input(body, body_len) ||
        bad_output(out, out_cap, out_len))
      return invalid_argument;
    auto sig = jobwire::sign(view(secret, secret_len), view(timestamp, timestamp_len), view(body, body_len));
    if (!sig) return status_of(sig.error());
    return write_output(sig->view(), out, out_cap, out_len);
  });
}

int jobwire_verifier_create(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                            jobwire_verifier** out) {
  return guarded([&] {
    if (out == nullptr) return invalid_argument;
    *out = nullptr;
    if (count > 0 && (secrets == nullptr || secret_lens == nullptr)) return invalid_argument;
    if (count > jobwire::max_secrets) return status_of(errc::too_many_secrets);
    std::string_view views[jobwire::max_secrets];
    for (std::size_t i = 0; i < count; ++i) {
      if (bad_input(secrets[i], secret_lens[i])) return invalid_argument;
      views[i] = view(secrets[i], secret_lens[i]);
    }
    auto keys = jobwire::verifier::create(views, count);
    if (!keys) return status_of(keys.error());
    std::unique_ptr<jobwire_verifier> handle(new jobwire_verifier);
    handle->keys = std::move(*keys);
    *out = handle.release();
    return JOBWIRE_OK;
  });
}

namespace {
// (pointer, length) arrays of up to max_secrets keys into views; false for a bad entry.
bool key_views(const char* const* texts, const std::size_t* lens, std::size_t count,
               std::string_view (&views)[jobwire::max_secrets]) noexcept {
  if (count > 0 && (texts == nullptr || lens == nullptr)) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (bad_input(texts[i], lens[i])) return false;
    views[i] = view(texts[i], lens[i]);
  }
  return true;
}
}  // namespace

int jobwire_verifier_create_keys(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                                 const char* const* public_keys, const std::size_t* public_key_lens,
                                 std::size_t public_key_count, unsigned schemes, int key_format,
                                 jobwire_verifier** out) {
  return guarded([&] {
    if (out == nullptr) return invalid_argument;
    *out = nullptr;
    jobwire::key_options opts;
    if ((schemes & ~(JOBWIRE_SCHEME_SERVICE | JOBWIRE_SCHEME_WEBHOOKS)) != 0u ||
        !key_format_of(key_format, opts.prefixless))
      return invalid_argument;
    if (schemes != 0u) {
      opts.service_scheme = (schemes & JOBWIRE_SCHEME_SERVICE) != 0u;
      opts.webhooks_scheme = (schemes & JOBWIRE_SCHEME_WEBHOOKS) != 0u;
    }
    if (count > jobwire::max_secrets || public_key_count > jobwire::max_secrets)
      return status_of(errc::too_many_secrets);
    std::string_view secret_views[jobwire::max_secrets];
    std::string_view public_views[jobwire::max_secrets];
    if (!key_views(secrets, secret_lens, count, secret_views) ||
        !key_views(public_keys, public_key_lens, public_key_count, public_views))
      return invalid_argument;
    auto keys = jobwire::verifier::create(secret_views, count, public_views, public_key_count, opts);
    if (!keys) return status_of(keys.error());
    std::unique_ptr<jobwire_verifier> handle(new jobwire_verifier);
    handle->keys = std::move(*keys);
    *out = handle.release();
    return JOBWIRE_OK;
  });
}

int jobwire_webhook_sign(const char* const* secrets, const std::size_t* secret_lens, std::size_t count,
                         const char* const* signing_keys, const std::size_t* signing_key_lens,
                         std::size_t signing_key_count, int profile, int key_format, const char* id, std::size_t id_len,
                         const char* timestamp, std::size_t timestamp_len, const char* body, std::size_t body_len,
                         char* out, std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    const jobwire::profile* prof = verify_profile_of(profile);
    jobwire::key_format format{};
    if (prof == nullptr || prof->scheme != jobwire::signature_scheme::webhooks || !key_format_of(key_format, format) ||
        bad_input(id, id_len) || bad_input(timestamp, timestamp_len) || bad_input(body, body_len) ||
        bad_output(out, out_cap, out_len))
      return invalid_argument;
    if (count > jobwire::max_secrets || signing_key_count > jobwire::max_secrets)
      return status_of(errc::too_many_secrets);
    std::string_view secret_views[jobwire::max_secrets];
    std::string_view signing_views[jobwire::max_secrets];
    if (!key_views(secrets, secret_lens, count, secret_views) ||
        !key_views(signing_keys, signing_key_lens, signing_key_count, signing_views))
      return invalid_argument;
    jobwire::webhook_signer signer;
    for (std::size_t i = 0; i < count; ++i)
      if (auto st = signer.add_secret(secret_views[i], *prof, format); !st) return status_of(st.error());
    for (std::size_t i = 0; i < signing_key_count; ++i)
      if (auto st = signer.add_signing_key(signing_views[i]); !st) return status_of(st.error());
    auto sig = signer.sign(view(id, id_len), view(timestamp, timestamp_len), view(body, body_len));
    if (!sig) return status_of(sig.error());
    return write_output(*sig, out, out_cap, out_len);
  });
}

int jobwire_webhook_keygen(int asymmetric, char* out, std::size_t out_cap, std::size_t* out_len) {
  return guarded([&] {
    if (bad_output(out, out_cap, out_len)) return invalid_argument;
    std::string text;
    if (asymmetric != 0) {
      auto pair = jobwire::generate_webhook_keypair();
      if (!pair) return status_of(pair.error());
      text = pair->signing_key + "\n" + pair->public_key;
      OPENSSL_cleanse(&pair->signing_key[0], pair->signing_key.size());
    } else {
      auto secret = jobwire::generate_webhook_secret();
      if (!secret) return status_of(secret.error());
      text = std::move(*secret);
    }
    const int st = write_output(text, out, out_cap, out_len);
    OPENSSL_cleanse(&text[0], text.size());
    return st;
  });
}

void jobwire_verifier_destroy(jobwire_verifier* verifier) { delete verifier; }

int jobwire_verify(const jobwire_verifier* verifier, const char* body, std::size_t body_len,
                   const char* const* header_names, const std::size_t* header_name_lens,
                   const char* const* header_values, const std::size_t* header_value_lens, std::size_t header_count,
                   std::int64_t now, std::int64_t tolerance, unsigned flags, int profile,
                   std::size_t* out_matched_secret) {
  return guarded([&] {
    // JOBWIRE_PROFILE_AUTO: nullptr, detected per request by verify_delivery (§15).
    const jobwire::profile* prof = verify_profile_of(profile);
    if (verifier == nullptr || (prof == nullptr && profile != JOBWIRE_PROFILE_AUTO) || bad_input(body, body_len) ||
        (flags & ~(JOBWIRE_VERIFY_SDK_COMPAT | JOBWIRE_VERIFY_AUTHENTICATE_ONLY)) != 0u ||
        (tolerance < 0 && tolerance != jobwire::tolerance_none))
      return invalid_argument;
    const header_arrays headers{header_names, header_name_lens, header_values, header_value_lens, header_count};
    if (!headers.well_formed()) return invalid_argument;
    jobwire::verify_options opts;
    opts.tolerance_seconds = tolerance;
    if ((flags & JOBWIRE_VERIFY_SDK_COMPAT) != 0u) opts.leniency |= jobwire::lenient::sdk_timestamps;
    opts.prof = prof;
    // A verifier created without secrets is the caller's explicit choice of unsigned
    // deliveries (header), still refused under a profile that requires a secret.
    if (verifier->keys.empty()) opts.leniency |= jobwire::lenient::unsigned_deliveries;
    // The receiver's composed call (verify.hpp), or authentication alone when asked.
    jobwire::verified_delivery verified;
    const jobwire::void_result st =
        (flags & JOBWIRE_VERIFY_AUTHENTICATE_ONLY) != 0u
            ? jobwire::authenticate_delivery(view(body, body_len), headers, verifier->keys, now, verified, opts)
            : jobwire::verify_delivery(view(body, body_len), headers, verifier->keys, now, verified, opts);
    if (!st) return status_of(st.error());
    if (out_matched_secret != nullptr)
      *out_matched_secret = verified.signature_checked ? verified.matched_secret : jobwire::error::no_offset;
    return JOBWIRE_OK;
  });
}

int jobwire_detect_profile(const char* const* header_names, const std::size_t* header_name_lens,
                           const char* const* header_values, const std::size_t* header_value_lens,
                           std::size_t header_count, int* out_profile) {
  return guarded([&] {
    const header_arrays headers{header_names, header_name_lens, header_values, header_value_lens, header_count};
    if (out_profile == nullptr || !headers.well_formed()) return invalid_argument;
    auto found = jobwire::detect_profile(headers);
    if (!found) return status_of(found.error());
    // No delivery header family among the headers: nothing to name (§15).
    if (*found == nullptr) return status_of(errc::not_found);
    *out_profile = profile_code(**found);
    return JOBWIRE_OK;
  });
}

// --- job payloads ------------------------------------------------------------------------------

int jobwire_payload_form_from_name(const char* name, std::size_t name_len, int* out_form) {
  return guarded([&] {
    if (bad_input(name, name_len) || out_form == nullptr) return invalid_argument;
    auto f = jobwire::parse_payload_form(view(name, name_len));
    if (!f) return status_of(errc::not_found);
    *out_form = static_cast<int>(*f);
    return JOBWIRE_OK;
  });
}

int jobwire_parse_payload(int form, const char* text, std::size_t text_len, int profile, unsigned flags, char* out,
                          std::size_t out_cap, std::size_t* out_len, std::size_t* error_offset) {
  return guarded([&] {
    if (out_len != nullptr) *out_len = 0;
    if (error_offset != nullptr) *error_offset = jobwire::error::no_offset;
    jobwire::payload_options opts;
    opts.prof = profile_of(profile);
    // A webhook body under AUTO: no headers to detect from, so the widest phase set (§15).
    if (profile == JOBWIRE_PROFILE_AUTO && form == JOBWIRE_PAYLOAD_WEBHOOK) opts.prof = &jobwire::profiles::phaseo;
    if (form < JOBWIRE_PAYLOAD_CREATE || form > JOBWIRE_PAYLOAD_WS || opts.prof == nullptr ||
        bad_input(text, text_len) || bad_output(out, out_cap, out_len) ||
        (flags & ~JOBWIRE_PAYLOAD_LENIENT_STATUS) != 0u)
      return invalid_argument;
    if ((flags & JOBWIRE_PAYLOAD_LENIENT_STATUS) != 0u) opts.leniency |= jobwire::lenient::unknown_status;
    std::string summary;
    jobwire::void_result st =
        jobwire::append_payload_summary(summary, static_cast<jobwire::payload_form>(form), view(text, text_len), opts);
    if (!st) {
      if (error_offset != nullptr) *error_offset = st.error().offset;
      return status_of(st.error());
    }
    return write_output(summary, out, out_cap, out_len);
  });
}

}  // extern "C"
