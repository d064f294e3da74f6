// Fuzz target: the current service's management and listing API (endpoints.hpp,
// service_api.hpp; PROTOCOL.md §16.3, §16.8, §16.9). The first byte picks the parser, the
// rest is its input:
//   0 endpoint object   1 create/rotate response   2 endpoint list   3 delete answer
//   4 management error  5 video list page          6 models list     7 video-route error
//   8 cancel answer (next two bytes: the HTTP status - 100, modulo 500)     9 request builders (id, name, url, events)
//   10 close_on_terminal and the secret check
// Invariants: errors carry offsets inside the input; an accepted signing secret passes
// check_endpoint_secret; every list entry re-reads; a built request's path keeps the id in
// one segment and its body is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <jobwire/endpoints.hpp>
#include <jobwire/service_api.hpp>

#include "fuzz_payload_common.hpp"

namespace {
void check(bool ok) {
  if (!ok) __builtin_trap();
}

template <class R>
bool ok_or_checked(const R& r, std::size_t size) {
  if (!r) jobwire_fuzz::check_error(r.error(), size);
  return static_cast<bool>(r);
}

void fuzz_builders(std::string_view in) {
  // Split the input into up to four NUL-separated fields: id, name, url, events (";").
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= in.size() && parts.size() < 4; ++i) {
    if (i == in.size() || in[i] == '\0') {
      parts.push_back(in.substr(start, i - start));
      start = i + 1;
    }
  }
  while (parts.size() < 4) parts.emplace_back();
  jobwire::endpoint_fields f;
  f.has_name = !parts[1].empty();
  f.name = parts[1];
  f.has_url = true;
  f.url = parts[2];
  f.has_events = !parts[3].empty();
  for (std::size_t b = 0, e; b <= parts[3].size(); b = e + 1) {
    e = parts[3].find(';', b);
    if (e == std::string_view::npos) e = parts[3].size();
    f.events.push_back(parts[3].substr(b, e - b));
  }
  for (auto r : {jobwire::create_endpoint_request(f), jobwire::update_endpoint_request(parts[0], f)}) {
    if (!r) continue;
    check(jobwire::json::validate(r->body).has_value());
    check(r->path.rfind("/v1/webhook-endpoints", 0) == 0);
  }
  for (auto r : {jobwire::get_endpoint_request(parts[0]), jobwire::delete_endpoint_request(parts[0]),
                 jobwire::rotate_endpoint_secret_request(parts[0])}) {
    if (!r) continue;
    // The id is one segment: exactly three `/` before it, none inside it.
    const std::string& p = r->path;
    std::size_t slashes = 0;
    for (char c : p) slashes += c == '/';
    check(slashes == 3 || (slashes == 4 && p.size() > 14 && p.compare(p.size() - 14, 14, "/rotate-secret") == 0));
    check(p.find('?') == std::string::npos && p.find('#') == std::string::npos);
  }
  (void)jobwire::endpoint_stored_events(f.events);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0] % 11;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t n = text.size();
  switch (selector) {
    case 0:
    case 1: {
      auto e = jobwire::parse_endpoint(text, selector == 1);
      if (ok_or_checked(e, n)) {
        check(!e->id.raw().empty());
        if (e->signing_secret.present)
          check(jobwire::check_endpoint_secret(e->signing_secret.raw()) == jobwire::errc::ok);
        if (selector == 1) check(e->signing_secret.present);
        for (jobwire::json::string s : e->events) (void)s.to_string();
      }
      break;
    }
    case 2: {
      auto l = jobwire::parse_endpoint_list(text);
      if (ok_or_checked(l, n))
        for (jobwire::endpoint_view v : l->data) check(!v.id.raw().empty());
      break;
    }
    case 3: {
      auto d = jobwire::parse_endpoint_deleted(text);
      if (ok_or_checked(d, n)) check(!d->id.raw().empty());
      break;
    }
    case 4: {
      auto e = jobwire::parse_api_error(text);
      if (ok_or_checked(e, n) && e->reason.present) check(e->details.is_object());
      break;
    }
    case 5: {
      for (const jobwire::payload_options& opt : {jobwire::payload_options{}, jobwire_fuzz::lenient_options()}) {
        auto l = jobwire::video_list_view::parse(text, opt);
        if (!ok_or_checked(l, n)) continue;
        for (std::size_t i = 0; i < l->size(); ++i) check(l->at(i).has_value());
        if (!l->empty()) check(l->last_id.present);
      }
      break;
    }
    case 6: {
      auto m = jobwire::parse_model_list(text);
      if (ok_or_checked(m, n))
        for (jobwire::model_view v : m->data) check(v.model.present);
      break;
    }
    case 7: {
      auto e = jobwire::parse_video_error(text);
      (void)ok_or_checked(e, n);
      break;
    }
    case 8: {
      if (text.size() < 2) break;
      const int status = 100 + ((static_cast<unsigned char>(text[0]) << 8) | static_cast<unsigned char>(text[1])) % 500;
      auto st = jobwire::check_cancel_response(status, text.substr(2));
      if (status >= 200 && status <= 299) check(static_cast<bool>(st));
      else check(st.code() == jobwire::errc::cancellation_disabled || st.code() == jobwire::errc::service_error);
      if (st.code() == jobwire::errc::cancellation_disabled) check(status == 501);
      break;
    }
    case 9: fuzz_builders(text); break;
    case 10: {
      const bool closes = jobwire::parse_close_on_terminal(text);
      std::string_view t = jobwire::trim_js_whitespace(text);
      if (t.size() > 5) check(closes);
      if (jobwire::check_endpoint_secret(text) == jobwire::errc::ok) {
        check(text.size() == jobwire::endpoint_secret_length);
        check(text.rfind("whsec_", 0) == 0);
      }
      auto id = jobwire::check_endpoint_id(text);
      if (id) check(jobwire::is_uuid_text(*id));
      break;
    }
    default: break;
  }
  return 0;
}
