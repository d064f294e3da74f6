// A text digest of every field a payload parser returns, and the comparison of the
// one-pass reading (what the parsers do) with the two-pass reading (validate the whole
// text, then read it): the differential fuzz target (fuzz_payload_reading) and its unit
// test (test_payload_reading) run it, in both string-scanning modes (json.hpp,
// JOBWIRE_JSON_SIMD). The plain fields are digested through the documents' own X-macro
// lists, so a field added to a table is compared without touching this file.
#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include <jobwire/endpoints.hpp>
#include <jobwire/payload.hpp>

namespace jobwire_reference {

struct digest {
  std::string out;

  void key(const char* name) {
    out += name;
    out += '=';
  }
  void text(std::string_view s) {
    out += '"';
    out.append(s.data(), s.size());
    out += "\" ";
  }
  void number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g ", v);
    out += buf;
  }
  void flag(bool b) { out += b ? "1 " : "0 "; }

  void put(const char* n, const jobwire::text_field& f) {
    key(n);
    if (f.present) text(f.value.to_string());
    else out += "- ";
  }
  void put(const char* n, const jobwire::number_field& f) {
    key(n);
    if (f.present) number(f.value);
    else out += "- ";
  }
  void put(const char* n, const jobwire::integer_field& f) {
    key(n);
    if (f.present) number(static_cast<double>(f.value));
    else out += "- ";
  }
  void put(const char* n, const jobwire::time_field& f) {
    key(n);
    if (f.kind == jobwire::time_field::form::number) number(f.seconds);
    else if (f.kind == jobwire::time_field::form::string) text(f.text.to_string());
    else out += "- ";
  }
  void put(const char* n, const jobwire::error_field& f) {
    key(n);
    out += std::to_string(static_cast<int>(f.kind)) + " ";
    if (f.has_message) text(f.message.to_string());
    if (f.object.exists()) text(f.object.raw());
  }
  void put(const char* n, const jobwire::json::value& v) {
    key(n);
    if (v.exists()) text(v.raw());
    else out += "- ";
  }
  void put(const char* n, const jobwire::list_view<jobwire::json::string>& l) {
    key(n);
    if (!l.present()) {
      out += "- ";
      return;
    }
    out += std::to_string(l.size()) + "[";
    for (jobwire::json::string s : l) text(s.to_string());
    out += "] ";
  }
};

#define JOBWIRE_REFERENCE_DIGEST(reader, name)            d.put(#name, x.name);
#define JOBWIRE_REFERENCE_DIGEST_KEYED(reader, name, key) d.put(#name, x.name);

// The plain fields of each document, from its X-macro list.
inline void put_fields(digest& d, const jobwire::webhook_view& x) { JOBWIRE_WEBHOOK_FIELDS(JOBWIRE_REFERENCE_DIGEST) }
inline void put_fields(digest& d, const jobwire::webhook_delivery_summary& x) {
  JOBWIRE_WEBHOOK_DELIVERY_FIELDS(JOBWIRE_REFERENCE_DIGEST)
}
inline void put_fields(digest& d, const jobwire::webhook_attempt& x) {
  JOBWIRE_WEBHOOK_ATTEMPT_FIELDS(JOBWIRE_REFERENCE_DIGEST)
}
inline void put_fields(digest& d, const jobwire::job_data& x) { JOBWIRE_JOB_DATA_FIELDS(JOBWIRE_REFERENCE_DIGEST) }
inline void put_fields(digest& d, const jobwire::asset_view& x) { JOBWIRE_ASSET_FIELDS(JOBWIRE_REFERENCE_DIGEST) }
inline void put_fields(digest& d, const jobwire::output_view& x) { JOBWIRE_OUTPUT_FIELDS(JOBWIRE_REFERENCE_DIGEST) }
inline void put_fields(digest& d, const jobwire::status_view& x) { JOBWIRE_STATUS_FIELDS(JOBWIRE_REFERENCE_DIGEST) }
inline void put_fields(digest& d, const jobwire::endpoint_view& x) {
  JOBWIRE_ENDPOINT_FIELDS(JOBWIRE_REFERENCE_DIGEST_KEYED)
}

inline void put_webhook(digest& d, const jobwire::webhook_view& x) {
  d.key("webhook");
  d.flag(x.present);
  if (!x.present) return;
  put_fields(d, x);
  d.flag(x.delivery.present);
  d.flag(x.delivery.has_last_attempt_status);
  d.number(static_cast<double>(x.delivery.last_attempt_status));
  put_fields(d, x.delivery);
  d.key("attempts");
  d.number(static_cast<double>(x.attempts.size()));
  for (jobwire::webhook_attempt a : x.attempts) {
    d.put("id", a.id);
    d.put("delivery_key", a.delivery_key);
    d.put("event_type", a.event_type);
    d.flag(a.has_status);
    d.number(static_cast<double>(a.status));
    d.put("attempt_number", a.attempt_number);
    d.put("max_attempts", a.max_attempts);
    d.put("response_body_preview", a.response_body_preview);
    put_fields(d, a);
  }
}

inline void put_job(digest& d, const jobwire::job_data& x) {
  d.key("id");
  d.text(x.id.str());
  d.flag(x.has_kind);
  d.number(static_cast<double>(x.kind));
  d.number(static_cast<double>(x.status));
  d.number(static_cast<double>(x.lifecycle));
  d.flag(x.has_status);
  d.flag(x.has_lifecycle_status);
  d.flag(x.consistent);
  d.flag(x.has_native_id);
  if (x.has_native_id) d.text(x.native_id.str());
  d.flag(x.has_output_access);
  d.number(static_cast<double>(x.access));
  put_fields(d, x);
  put_webhook(d, x.webhook);
}

/// The verdict and the fields of `text` read by each parser with `mode`.
inline std::string read_all(std::string_view text, const jobwire::payload_options& opt, jobwire::detail::reading mode) {
  digest d;
  const auto verdict = [&](const char* what, const jobwire::error& e) {
    d.out += what;
    d.out += ": " + std::string(e.name()) + "@" + std::to_string(e.offset) + "\n";
  };
  if (auto e = jobwire::detail::parse_envelope(text, opt, mode); !e) {
    verdict("envelope", e.error());
  } else {
    const auto& x = *e;
    d.out += "envelope: ";
    d.text(x.id);
    d.text(x.type_text);
    d.put("created_at", x.created_at);
    d.flag(x.delivery.present);
    d.text(x.delivery.key_text);
    d.number(x.delivery.attempt);
    d.number(x.delivery.max_attempts);
    put_job(d, x.data);
    d.flag(x.status_change.present);
    d.put("previous_status", x.status_change.previous_status);
    d.text(x.status_change.status.to_string());
    d.flag(x.status_change.queue_retry_form);
    d.out += "\n";
  }
  if (auto s = jobwire::detail::parse_status_object(text, opt, mode); !s) {
    verdict("status", s.error());
  } else {
    const auto& x = *s;
    d.out += "status: ";
    d.text(x.id.str());
    d.number(static_cast<double>(x.status));
    d.number(static_cast<double>(x.lifecycle));
    d.flag(x.has_lifecycle_status);
    d.flag(x.consistent);
    d.flag(x.has_output_access);
    d.flag(x.has_progress_source);
    d.flag(x.has_native_video_id);
    if (x.has_native_video_id) d.text(x.native_video_id.str());
    d.flag(x.asset.present);
    put_fields(d, x.asset);
    d.key("outputs");
    d.number(static_cast<double>(x.outputs.size()));
    for (jobwire::output_view o : x.outputs) {
      d.put("bytes_available", o.bytes_available);
      put_fields(d, o);
    }
    put_webhook(d, x.webhook);
    put_fields(d, x);
    d.out += "\n";
  }
  if (auto c = jobwire::detail::parse_create_response(text, opt, mode); !c) {
    verdict("create", c.error());
  } else {
    d.out += "create: ";
    d.text(c->id.str());
    d.flag(c->id_from_video_id);
    d.put("polling_url", c->polling_url);
    d.flag(c->has_status);
    d.number(static_cast<double>(c->status));
    d.out += "\n";
  }
  if (auto m = jobwire::detail::parse_ws_message(text, opt, mode); !m) {
    verdict("ws", m.error());
  } else {
    d.out += "ws: ";
    d.number(static_cast<double>(m->type));
    d.flag(m->has_data);
    if (m->has_data) put_job(d, m->data);
    d.out += "\n";
  }
  if (auto e = jobwire::detail::parse_endpoint(text, false, opt, mode); !e) {
    verdict("endpoint", e.error());
  } else {
    const auto& x = *e;
    d.out += "endpoint: ";
    d.put("id", x.id);
    d.number(static_cast<double>(x.status));
    d.flag(x.has_secret);
    d.flag(x.has_has_secret);
    d.put("signing_secret", x.signing_secret);
    put_fields(d, x);
    d.out += "\n";
  }
  return d.out;
}

/// The option sets the comparison runs: strict (phase set phaseo), lenient, and limits
/// small enough that the fixtures meet them (depth, members, string length).
inline const std::array<jobwire::payload_options, 3>& option_sets() {
  static const std::array<jobwire::payload_options, 3> sets = [] {
    jobwire::payload_options strict;
    strict.prof = &jobwire::profiles::phaseo;
    jobwire::payload_options lenient = strict;
    lenient.leniency = jobwire::lenient::unknown_status | jobwire::lenient::inconsistent_status;
    jobwire::payload_options small = strict;
    small.json.max_depth = 4;
    small.json.max_members = 6;
    small.json.max_string_bytes = 40;
    return std::array<jobwire::payload_options, 3>{strict, lenient, small};
  }();
  return sets;
}

/// Empty when both readings of `text` agree under every option set; else what differs.
inline std::string compare_readings(std::string_view text) {
  for (const jobwire::payload_options& opt : option_sets()) {
    std::string one = read_all(text, opt, jobwire::detail::reading::fused);
    std::string two = read_all(text, opt, jobwire::detail::reading::two_pass);
    if (one != two) return "one pass:\n" + one + "two passes:\n" + two;
  }
  return {};
}

}  // namespace jobwire_reference
