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

  switch (op % 11) {
    case 0: {  // JSON validation: offsets stay inside the input
      field all = make_field(whole);
      std::size_t off = 0;
      const int st = jobwire_json_validate(all.data(), all.size, opt & JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS, &off);
      check_status(st);
      if (st == JOBWIRE_OK) check(off == JOBWIRE_NO_OFFSET);
      else check(off == JOBWIRE_NO_OFFSET || off <= all.size);
      // Allowing duplicates never turns a valid text invalid.
      if (st == JOBWIRE_OK) check(jobwire_json_validate(all.data(), all.size, JOBWIRE_JSON_ALLOW_DUPLICATE_KEYS, nullptr) == JOBWIRE_OK);
      break;
    }
    case 1: {  // progress buckets agree with the progress delivery key
      const double p = as_double(whole);
      int bucket = -7;
      const int st = jobwire_progress_bucket(p, &bucket);
      check_status(st);
      const int key_st = call_text(
          [&](char* out, std::size_t cap, std::size_t* n) {
            return jobwire_delivery_key(kind, "progress", 8, p, profile, out, cap, n);
          },
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
        check(st == JOBWIRE_E_EMPTY_SECRET);
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
      const int vst = jobwire_verify(v, body.data(), body.size, names, name_lens, values, value_lens, 2, 0,
                                     JOBWIRE_TOLERANCE_NONE,
                                     (opt & JOBWIRE_VERIFY_SDK_COMPAT) | JOBWIRE_VERIFY_AUTHENTICATE_ONLY,
                                     JOBWIRE_PROFILE_AI_STATS, &matched);
      check_status(vst);
      // A timestamp of 1..12 digits is strict seconds: that delivery must verify.
      std::string_view ts(b.data() == nullptr ? "" : b.bytes.get(), b.size);
      const bool digits = !ts.empty() && ts.size() <= 12 && ts.find_first_not_of("0123456789") == std::string_view::npos;
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
                    return jobwire_normalize_events(text.data(), text.size(), kind, profile, JOBWIRE_EVENTS_STRICT,
                                                    out, cap, n, nullptr);
                  },
                  second) == JOBWIRE_OK);
        check(second == text);
      }
      break;
    }
    case 10: {  // payload summaries: one JSON object whose kind is the form asked for
      static const char* const kinds[] = {"{\"kind\":\"create\"", "{\"kind\":\"status\"",
                                          "{\"kind\":\"webhook\"", "{\"kind\":\"ws\""};
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
