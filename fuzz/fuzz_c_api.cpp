// Fuzz target: the C API (include/jobwire_c.h), called exactly as a C program or a binding
// calls it. Besides the core's own invariants, it checks the C contract on every call:
// statuses are 0 or a negative code with a name; text results honour the output-buffer
// protocol (a size query reports the size, an exact buffer then succeeds with the same
// text, a buffer one byte short is refused and left untouched); what one function
// produces, its checking twin accepts.
//
// Input: byte 0 selects the operation, byte 1 carries small options (kind, profile,
// flags), the rest is split at NUL bytes into up to four fields. Every field is copied
// into an exact-size heap buffer so ASan sees reads past its end.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobwire_c.h"

namespace {

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool cond) {
  if (!cond) fail();
}

// A status is OK or a named negative code.
void check_status(int st) {
  check(st <= 0);
  check(std::strcmp(jobwire_error_name(st), "unknown_error") != 0);
}

struct field {
  std::unique_ptr<char[]> bytes;
  std::size_t size = 0;
  const char* data() const { return size == 0 ? nullptr : bytes.get(); }
};

field make_field(std::string_view s) {
  field f;
  f.size = s.size();
  if (!s.empty()) {
    f.bytes.reset(new char[s.size()]);
    std::memcpy(f.bytes.get(), s.data(), s.size());
  }
  return f;
}

// Runs a text-producing call three ways and checks the output-buffer protocol. Returns the
// status and the text on success.
template <class Call>
int call_text(Call&& call, std::string& text) {
  std::size_t needed = 12345;
  int st = call(nullptr, 0, &needed);
  check_status(st);
  if (st != JOBWIRE_E_BUFFER_TOO_SMALL) {
    // Only an empty result fits in no buffer; any other failure reports no length.
    if (st == JOBWIRE_OK) {
      check(needed == 0);
      text.clear();
    } else {
      check(needed == 0);
    }
    return st;
  }
  check(needed > 0);
  if (needed > 1) {
    std::vector<char> shorter(needed - 1, '#');
    std::size_t n = 0;
    check(call(shorter.data(), shorter.size(), &n) == JOBWIRE_E_BUFFER_TOO_SMALL);
    check(n == needed);
    for (char c : shorter) check(c == '#');
  }
  std::unique_ptr<char[]> exact(new char[needed]);
  std::size_t n = 0;
  st = call(exact.get(), needed, &n);
  check(st == JOBWIRE_OK);
  check(n == needed);
  text.assign(exact.get(), n);
  return st;
}

double as_double(std::string_view s) {
  double d = 0;
  std::memcpy(&d, s.data(), s.size() < sizeof d ? s.size() : sizeof d);
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned op = data[0];
  const unsigned opt = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::vector<field> fields;
  const std::string_view whole = rest;
  for (int i = 0; i < 4; ++i) {
    std::size_t nul = rest.find('\0');
    fields.push_back(make_field(rest.substr(0, nul)));
    if (nul == std::string_view::npos) {
      rest = {};
    } else {
      rest.remove_prefix(nul + 1);
    }
  }
  const field& a = fields[0];
  const field& b = fields[1];
  const int kind = static_cast<int>(opt & 1u);
  const int profile = static_cast<int>((opt >> 1) & 1u);
  std::string text;

  switch (op % 13) {
    case 0: {  // JSON validation: offsets stay inside the input
      field all = make_field(whole);
      std::size_t off = 0;
      const int st = jobwire_json_validate(all.data(), all.size, opt & JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS, &off);
      check_status(st);
      if (st == JOBWIRE_OK) check(off == JOBWIRE_NO_OFFSET);
      else check(off == JOBWIRE_NO_OFFSET || off <= all.size);
      // Allowing duplicates never turns a valid text invalid.
      if (st == JOBWIRE_OK)
        check(jobwire_json_validate(all.data(), all.size, JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS, nullptr) == JOBWIRE_OK);
      break;
    }
    case 1: {  // progress buckets agree with the progress delivery key
      const double p = as_double(whole);
      int bucket = -7;
      const int st = jobwire_progress_bucket(p, &bucket);
      check_status(st);
      const int key_st =
          call_text([&](char* out, std::size_t cap,
                        std::size_t* n) { return jobwire_delivery_key(kind, "progress", 8, p, profile, out, cap, n); },
                    text);
      if (st == JOBWIRE_OK) {
        check(bucket == 5 || bucket == 95 || (bucket >= 10 && bucket <= 90 && bucket % 10 == 0));
        check(std::isfinite(p) && p > 0 && p < 100);
        check(key_st == JOBWIRE_OK);
        int parsed = 0;
        check(jobwire_delivery_key_check(text.data(), text.size(), profile, &parsed) == JOBWIRE_OK);
        check(parsed == bucket);
      } else {
        check(st == JOBWIRE_E_NO_PROGRESS_EVENT && bucket == -7);
        check(key_st == JOBWIRE_E_NO_PROGRESS_EVENT);
      }
      break;
    }
    case 2: {  // building a key from an arbitrary phase name; what is built checks
      const double p = as_double(std::string_view(b.data() == nullptr ? "" : b.bytes.get(), b.size));
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_delivery_key(kind, a.data(), a.size, p, profile, out, cap, n);
          },
          text);
      if (st == JOBWIRE_OK) check(jobwire_delivery_key_check(text.data(), text.size(), profile, nullptr) == JOBWIRE_OK);
      break;
    }
    case 3: {  // checking arbitrary keys
      int bucket = 0;
      const int st = jobwire_delivery_key_check(a.data(), a.size, profile, &bucket);
      check_status(st);
      if (st == JOBWIRE_OK) check(bucket == -1 || (bucket >= 5 && bucket <= 95));
      break;
    }
    case 4: {  // event ids: bounded, and accepted by the receiver-side check
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_event_id(a.data(), a.size, b.data(), b.size, profile, out, cap, n);
          },
          text);
      if (st == JOBWIRE_OK) {
        check(text.size() <= JOBWIRE_MAX_EVENT_ID_LEN);
        check(jobwire_event_id_check(text.data(), text.size()) == JOBWIRE_OK);
      }
      check_status(jobwire_event_id_check(a.data(), a.size));
      break;
    }
    case 6: {  // sign, then verify what was signed: always authentic; fresh under "none"
      const field& body = fields[2];
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_sign(a.data(), a.size, b.data(), b.size, body.data(), body.size, out, cap, n);
          },
          text);
      if (st != JOBWIRE_OK) {
        // An empty secret, or an Ed25519 key's text given as one (§17); the verifier
        // refuses the same secret the same way.
        check(st == JOBWIRE_E_EMPTY_SECRET || st == JOBWIRE_E_KEY_FORMAT_MISMATCH);
        jobwire_verifier* refused = nullptr;
        const char* secrets[] = {a.data()};
        const std::size_t lens[] = {a.size};
        check(jobwire_verifier_create(secrets, lens, 1, &refused) == st && refused == nullptr);
        break;
      }
      check(text.size() == JOBWIRE_SIGNATURE_HEX_LEN);
      jobwire_verifier* v = nullptr;
      const char* secrets[] = {a.data()};
      const std::size_t lens[] = {a.size};
      check(jobwire_verifier_create(secrets, lens, 1, &v) == JOBWIRE_OK);
      const char* names[] = {"X-AI-Stats-Timestamp", "x-ai-stats-signature"};
      const std::size_t name_lens[] = {20, 20};
      const char* values[] = {b.data(), text.data()};
      const std::size_t value_lens[] = {b.size, text.size()};
      std::size_t matched = 9;
      // The body is any bytes, not an envelope: authentication alone.
      const int vst = jobwire_verify(
          v, body.data(), body.size, names, name_lens, values, value_lens, 2, 0, JOBWIRE_TOLERANCE_NONE,
          (opt & JOBWIRE_VERIFY_SDK_COMPAT) | JOBWIRE_VERIFY_AUTHENTICATE_ONLY, JOBWIRE_PROFILE_AI_STATS, &matched);
      check_status(vst);
      // A timestamp of 1..12 digits is strict seconds: that delivery must verify.
      std::string_view ts(b.data() == nullptr ? "" : b.bytes.get(), b.size);
      const bool digits =
          !ts.empty() && ts.size() <= 12 && ts.find_first_not_of("0123456789") == std::string_view::npos;
      if (digits) check(vst == JOBWIRE_OK && matched == 0);
      else check(vst == JOBWIRE_OK || vst == JOBWIRE_E_MALFORMED_TIMESTAMP);
      jobwire_verifier_destroy(v);
      break;
    }
    case 7: {  // verify arbitrary headers ("name: value" lines in field b) and body
      std::string_view hb(b.data() == nullptr ? "" : b.bytes.get(), b.size);
      std::vector<const char*> names, values;
      std::vector<std::size_t> name_lens, value_lens;
      while (!hb.empty() && names.size() < 16) {
        std::size_t nl = hb.find('\n');
        std::string_view line = hb.substr(0, nl);
        hb = nl == std::string_view::npos ? std::string_view{} : hb.substr(nl + 1);
        std::size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        names.push_back(name.data());
        name_lens.push_back(name.size());
        values.push_back(value.data());
        value_lens.push_back(value.size());
      }
      const char* secrets[] = {"whsec_test_123", "k"};
      const std::size_t lens[] = {14, 1};
      jobwire_verifier* v = nullptr;
      check(jobwire_verifier_create(secrets, lens, (opt & 4u) != 0u ? 0 : 2, &v) == JOBWIRE_OK);
      const std::int64_t now = static_cast<std::int64_t>(opt) * 1000;
      const int vst = jobwire_verify(v, a.data(), a.size, names.empty() ? nullptr : names.data(), name_lens.data(),
                                     values.empty() ? nullptr : values.data(), value_lens.data(), names.size(), now,
                                     (opt & 8u) != 0u ? JOBWIRE_TOLERANCE_NONE : 300, opt & JOBWIRE_VERIFY_SDK_COMPAT,
                                     profile, nullptr);
      check_status(vst);
      jobwire_verifier_destroy(v);
      break;
    }
    case 8: {  // callback URLs: an accepted URL's serialisation is accepted as itself
      const int policy = static_cast<int>((opt >> 2) & 1u);
      const unsigned flags = (opt >> 3) & JOBWIRE_URL_ALLOW_LOCAL_DEVELOPMENT;
      field all = make_field(whole);
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_check_callback_url(all.data(), all.size, policy, flags, out, cap, n);
          },
          text);
      if (st == JOBWIRE_OK) {
        field again = make_field(text);
        std::string second;
        check(call_text(
                  [&](char* out, std::size_t cap, std::size_t* n) {
                    return jobwire_check_callback_url(again.data(), again.size, policy, flags, out, cap, n);
                  },
                  second) == JOBWIRE_OK);
        check(second == text);
      }
      break;
    }
    case 9: {  // event lists: the output is JSON, and normalising it again changes nothing
      const unsigned flags = (opt >> 2) & (JOBWIRE_EVENTS_STRICT | JOBWIRE_EVENTS_REPORT_IGNORED);
      field all = make_field(whole);
      std::size_t off = 0;
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_normalize_events(all.data(), all.size, kind, profile, flags, out, cap, n, &off);
          },
          text);
      if (st != JOBWIRE_OK) {
        check(off == JOBWIRE_NO_OFFSET || off <= all.size);
        break;
      }
      check(off == JOBWIRE_NO_OFFSET);
      check(jobwire_json_validate(text.data(), text.size(), 0, nullptr) == JOBWIRE_OK);
      if ((flags & JOBWIRE_EVENTS_REPORT_IGNORED) == 0u) {
        std::string second;
        check(call_text(
                  [&](char* out, std::size_t cap, std::size_t* n) {
                    return jobwire_normalize_events(text.data(), text.size(), kind, profile, JOBWIRE_EVENTS_STRICT, out,
                                                    cap, n, nullptr);
                  },
                  second) == JOBWIRE_OK);
        check(second == text);
      }
      break;
    }
    case 10: {  // payload summaries: one JSON object whose kind is the form asked for
      static const char* const kinds[] = {"{\"kind\":\"create\"", "{\"kind\":\"status\"", "{\"kind\":\"webhook\"",
                                          "{\"kind\":\"ws\""};
      const int form = static_cast<int>((opt >> 2) & 3u);
      field all = make_field(whole);
      std::size_t off = 0;
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_parse_payload(form, all.data(), all.size, profile, (opt >> 4) & 1u, out, cap, n, &off);
          },
          text);
      if (st != JOBWIRE_OK) {
        check(off == JOBWIRE_NO_OFFSET || off <= all.size);
        break;
      }
      check(jobwire_json_validate(text.data(), text.size(), 0, nullptr) == JOBWIRE_OK);
      check(text.rfind(kinds[form], 0) == 0);
      break;
    }
    case 11: {  // subscriptions: the effective list is a list of names that decides alone
      // Field a: the request's events member; field b: the endpoint's events; field c:
      // a phase name.
      const field& c = fields[2];
      std::size_t off = 0;
      int input = 7;
      const int st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_effective_events(a.data(), a.size, b.data(), b.size, kind, out, cap, n, &off, &input);
          },
          text);
      if (st != JOBWIRE_OK) {
        check(input == 0 || input == 1);
        check(off == JOBWIRE_NO_OFFSET || off <= (input == 0 ? a.size : b.size));
      } else {
        check(input == -1 && off == JOBWIRE_NO_OFFSET);
        check(jobwire_json_validate(text.data(), text.size(), 0, nullptr) == JOBWIRE_OK);
        check(text.size() > 2);  // never empty: the request defaults are the last resort
        // The effective list decides by itself: given as the request's list, it is kept.
        std::string again;
        check(call_text(
                  [&](char* out, std::size_t cap, std::size_t* n) {
                    return jobwire_effective_events(text.data(), text.size(), nullptr, 0, kind, out, cap, n, nullptr,
                                                    nullptr);
                  },
                  again) == JOBWIRE_OK);
        check(again == text);
        // With no endpoint events, the request's member alone decides the same way.
        if (b.size == 0) {
          int via_effective = -1, direct = -1;
          const int s1 = jobwire_events_subscribed(text.data(), text.size(), kind, JOBWIRE_PROFILE_PHASEO, c.data(),
                                                   c.size, &via_effective, nullptr);
          const int s2 = jobwire_events_subscribed(a.data(), a.size, kind, JOBWIRE_PROFILE_PHASEO, c.data(), c.size,
                                                   &direct, nullptr);
          check_status(s1);
          check(s1 == s2);
          if (s1 == JOBWIRE_OK) check(via_effective == direct && (direct == 0 || direct == 1));
        }
      }
      // ai_stats: subscribed iff the normalised list names job.<phase> or <kind>.<phase>.
      int yes = -1;
      std::size_t sub_off = 0;
      const int sub =
          jobwire_events_subscribed(a.data(), a.size, kind, JOBWIRE_PROFILE_AI_STATS, c.data(), c.size, &yes, &sub_off);
      check_status(sub);
      if (sub == JOBWIRE_OK) {
        std::string list;
        check(call_text(
                  [&](char* out, std::size_t cap, std::size_t* n) {
                    return jobwire_normalize_events(a.data(), a.size, kind, JOBWIRE_PROFILE_AI_STATS, 0, out, cap, n,
                                                    nullptr);
                  },
                  list) == JOBWIRE_OK);
        const std::string ph(c.data() == nullptr ? "" : std::string(c.data(), c.size));
        const bool named = list.find("\"job." + ph + "\"") != std::string::npos ||
                           list.find(std::string(kind == JOBWIRE_KIND_VIDEO ? "\"video." : "\"batch.") + ph + "\"") !=
                               std::string::npos;
        check((yes == 1) == named);
      } else {
        check(yes == 0);
      }
      break;
    }
    case 12: {  // retry schedule, then the sender's next attempt of what it decided
      // Bytes of field a: attempt, outcome kind, HTTP status (2 bytes), max attempts.
      auto byte = [&](std::size_t i) -> unsigned { return i < a.size ? static_cast<unsigned char>(a.data()[i]) : 0u; };
      const unsigned attempt = byte(0) % 20u;
      const int outcome = static_cast<int>(byte(1) % 4u);  // 3 is no outcome
      const int http = static_cast<int>((byte(2) << 8u) | byte(3)) % 700;
      jobwire_retry_policy policy;
      jobwire_retry_policy_init(&policy);
      std::int64_t delays[16];
      for (std::size_t i = 0; i < 16; ++i) delays[i] = static_cast<std::int64_t>(byte(5 + i) % 200u) + 1;
      if (byte(4) != 0) {
        policy.max_attempts = byte(4) % 18u;
        policy.retry_delay_seconds = delays;
        policy.retry_delay_count = policy.max_attempts == 0 ? 0 : policy.max_attempts - 1u;
      }
      const std::int64_t tried_at_ms = 1781166600000LL;
      jobwire_retry_decision d;
      const int st = jobwire_decide_attempt(&policy, attempt, outcome, http, tried_at_ms, &d);
      check_status(st);
      {
        // The whole-policy decision under the service's rules is the schedule's, exactly;
        // field b as a Retry-After changes nothing there.
        jobwire_attempt_observation o{};
        o.attempt = attempt;
        o.outcome = outcome;
        o.http_status = http;
        o.tried_at_ms = tried_at_ms;
        o.retry_after = b.data();
        o.retry_after_len = b.size;
        o.random = jobwire_splitmix64(byte(21));
        jobwire_attempt_verdict v;
        check(jobwire_decide_delivery(&policy, nullptr, &o, &v) == st);
        check(v.status == d.status && v.next_retry_at_ms == d.next_retry_at_ms && v.next_attempt == d.next_attempt);
        if (st == JOBWIRE_OK) check(v.effect == (v.status == JOBWIRE_ATTEMPT_DELIVERED ? 1 : 2));
        // The Standard Webhooks rules: never an error for the field, never a retry before
        // it or the throttle, a throttle exactly for 429/502/504, a disable exactly for 410.
        jobwire_retry_policy sp;
        jobwire_retry_etiquette se;
        check(jobwire_retry_policy_for_profile(JOBWIRE_PROFILE_STANDARD, &sp, &se) == JOBWIRE_OK);
        o.attempt = 1 + attempt % sp.max_attempts;
        const int sst = jobwire_decide_delivery(&sp, &se, &o, &v);
        check_status(sst);
        if (sst == JOBWIRE_OK) {
          check((v.retry_after == JOBWIRE_RETRY_AFTER_INVALID) ==
                (v.retry_after_error == JOBWIRE_E_INVALID_RETRY_AFTER));
          const bool response = outcome == JOBWIRE_OUTCOME_HTTP_RESPONSE;
          const bool ok = response && http >= 200 && http <= 299;
          check((v.effect == JOBWIRE_ENDPOINT_DISABLE) == (response && http == 410));
          check((v.effect == JOBWIRE_ENDPOINT_THROTTLE) == (response && (http == 429 || http == 502 || http == 504)));
          check((v.effect == JOBWIRE_ENDPOINT_SUCCESS) == ok);
          if (v.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY)
            check(v.next_retry_at_ms >= v.throttle_until_ms && v.next_retry_at_ms >= v.retry_after_until_ms &&
                  v.next_retry_at_ms > tried_at_ms);
          check(v.throttle_until_ms <= tried_at_ms + se.max_retry_after_seconds * 1000);
        } else {
          check(sst == JOBWIRE_E_INVALID_OUTCOME || sst == JOBWIRE_E_INVALID_ARGUMENT);
        }
      }
      if (st != JOBWIRE_OK) {
        check(d.attempt == 0 && d.next_attempt == 0);
        break;
      }
      const bool delivered = outcome == JOBWIRE_OUTCOME_HTTP_RESPONSE && http >= 200 && http <= 299;
      check((d.status == JOBWIRE_ATTEMPT_DELIVERED) == delivered);
      check(d.attempt == attempt && attempt >= 1 && attempt <= d.max_attempts);
      if (d.status == JOBWIRE_ATTEMPT_SCHEDULED_RETRY) {
        check(d.next_attempt == attempt + 1 && d.next_attempt <= d.max_attempts);
        const std::int64_t delay = policy.retry_delay_seconds == nullptr ? (attempt == 1   ? 60
                                                                            : attempt == 2 ? 300
                                                                                           : 900)
                                                                         : delays[attempt - 1];
        check(d.next_retry_at_ms == tried_at_ms + delay * 1000);
      } else {
        check(d.next_attempt == 0 && d.next_retry_at_ms == 0);
        check(delivered || attempt == d.max_attempts);
        break;
      }
      // The sender of this policy builds attempt `attempt` of an event whose data is field
      // b, then turns it into the decided next attempt.
      jobwire_sender* sender = nullptr;
      check(jobwire_sender_create("whsec_fuzz", 10, profile, &policy, &sender) == JOBWIRE_OK);
      jobwire_delivery_spec spec{};
      spec.kind = kind;
      spec.job_id = "gen_fuzz";
      spec.job_id_len = 8;
      spec.internal_id = "1";
      spec.internal_id_len = 1;
      spec.phase = "failed";
      spec.phase_len = 6;
      spec.data = b.data();
      spec.data_len = b.size;
      jobwire_delivery* delivery = nullptr;
      const int built = jobwire_sender_build(sender, &spec, 1781166600, attempt, &delivery, nullptr);
      check_status(built);
      check((built == JOBWIRE_OK) == (delivery != nullptr));
      if (built == JOBWIRE_OK) {
        check(jobwire_sender_next_attempt(sender, delivery, d.next_attempt, d.next_retry_at_ms / 1000) == JOBWIRE_OK);
        const char* body = nullptr;
        std::size_t body_len = 0, count = 0;
        jobwire_header headers[JOBWIRE_DELIVERY_MAX_HEADERS];
        check(jobwire_delivery_parts(delivery, &body, &body_len, headers, JOBWIRE_DELIVERY_MAX_HEADERS, &count) ==
              JOBWIRE_OK);
        const std::string want = "\"attempt\":" + std::to_string(d.next_attempt) + ",";
        check(std::string_view(body, body_len).find(want) != std::string_view::npos);
        check(count == JOBWIRE_DELIVERY_MAX_HEADERS);
        check(call_text([&](char* out, std::size_t cap,
                            std::size_t* n) { return jobwire_delivery_json(delivery, out, cap, n); },
                        text) == JOBWIRE_OK);
        check(jobwire_json_validate(text.data(), text.size(), 0, nullptr) == JOBWIRE_OK);
      }
      jobwire_delivery_free(delivery);
      jobwire_sender_free(sender);
      break;
    }
    default: {  // status names round-trip; any int has a name string
      int st = 1;
      const int found = jobwire_status_from_name(a.data(), a.size, &st);
      check(found == JOBWIRE_OK || found == JOBWIRE_E_NOT_FOUND);
      if (found == JOBWIRE_OK) {
        check(std::string_view(jobwire_error_name(st)) == std::string_view(a.data(), a.size));
      }
      int any = 0;
      std::memcpy(&any, whole.data(), whole.size() < sizeof any ? whole.size() : sizeof any);
      check(jobwire_error_name(any) != nullptr && jobwire_error_message(any) != nullptr);
      break;
    }
  }
  return 0;
}
