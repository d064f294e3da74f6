// jobwire — building gateway requests for a job (PROTOCOL.md §2, §6).
//
// Every builder takes a `job_id_view` and nothing else as the job: a `native_id` does not
// convert, so a request for the provider's id cannot be written (tested by a compile-fail
// test). The id is percent-encoded as one path segment with encodeURIComponent semantics
// (§2), so an id containing `/`, `?` or `#` stays one segment and cannot redirect the
// request to another endpoint.
//
// A request is method + path + query (+ a JSON body where the endpoint takes one),
// relative to a base URL the caller configures; `url(base)` joins them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "error.hpp"
#include "job.hpp"
#include "json_writer.hpp"
#include "payload.hpp"
#include "result.hpp"

namespace jobwire {

enum class http_method : std::uint8_t { get, post, delete_, patch };

constexpr std::string_view http_method_name(http_method m) noexcept {
  switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::delete_: return "DELETE";
    case http_method::patch: return "PATCH";  // webhook endpoints (§16.3)
  }
  return "GET";
}

struct http_request {
  http_method method = http_method::get;
  std::string path;   ///< starts with '/', segments percent-encoded
  std::string query;  ///< without '?', empty when none
  std::string body;   ///< JSON, empty when the endpoint takes none

  /// Path plus `?query` when there is one.
  std::string target() const {
    std::string t = path;
    if (!query.empty()) {
      t += '?';
      t += query;
    }
    return t;
  }
  /// `base` (e.g. `https://api.example.com`, a trailing '/' is ignored) + target().
  std::string url(std::string_view base) const {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    std::string u(base);
    u += target();
    return u;
  }
};

/// Appends `s` percent-encoded as encodeURIComponent does: everything except
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )` becomes `%XX` (upper-case hex) per UTF-8 byte.
inline void append_uri_component(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool keep = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
                      u == '_' || u == '.' || u == '!' || u == '~' || u == '*' || u == '\'' || u == '(' || u == ')';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
}

namespace detail {
inline std::string video_path(job_id_view id, std::string_view suffix) {
  std::string p = "/v1/videos/";
  append_uri_component(p, id.str());
  p += suffix;
  return p;
}
}  // namespace detail

/// `GET /v1/videos/{id}`.
inline http_request status_request(job_id_view id) { return {http_method::get, detail::video_path(id, ""), {}, {}}; }

/// `POST /v1/videos/{id}/cancel`.
inline http_request cancel_request(job_id_view id) {
  return {http_method::post, detail::video_path(id, "/cancel"), {}, {}};
}

/// `DELETE /v1/videos/{id}`.
inline http_request delete_request(job_id_view id) {
  return {http_method::delete_, detail::video_path(id, ""), {}, {}};
}

/// `GET /v1/videos/{id}/content[?index=N]`: `?index` only for N > 0 (§6). Content exists
/// only once the job is completed (jobwire policy: `job_not_completed` otherwise);
/// a negative index is `invalid_index`.
inline result<http_request> content_request(job_id_view id, job_status current, std::int64_t index = 0) {
  if (current != job_status::completed) return errc::job_not_completed;
  if (index < 0) return errc::invalid_index;
  http_request r{http_method::get, detail::video_path(id, "/content"), {}, {}};
  if (index > 0) r.query = "index=" + std::to_string(index);
  return r;
}

/// As above, from a status object; when it lists `outputs`, the index must be one of them.
inline result<http_request> content_request(const status_view& s, std::int64_t index = 0) {
  if (s.status != job_status::completed) return errc::job_not_completed;
  if (index < 0) return errc::invalid_index;
  if (s.outputs.present() && s.outputs.size() > 0 && static_cast<std::uint64_t>(index) >= s.outputs.size())
    return errc::invalid_index;
  return content_request(s.id, s.status, index);
}

enum class disposition : std::uint8_t { attachment, inline_ };

constexpr std::string_view disposition_name(disposition d) noexcept {
  return d == disposition::attachment ? "attachment" : "inline";
}
inline result<disposition> parse_disposition(std::string_view s) noexcept {
  if (s == "attachment") return disposition::attachment;
  if (s == "inline") return disposition::inline_;
  return errc::invalid_disposition;
}

constexpr std::int64_t min_link_ttl_seconds = 60;
constexpr std::int64_t max_link_ttl_seconds = 3600;
constexpr std::int64_t default_link_ttl_seconds = 900;

struct download_link_options {
  std::int64_t ttl_seconds = default_link_ttl_seconds;  ///< 60..3600
  jobwire::disposition disposition = disposition::attachment;
  std::int64_t index = 0;  ///< >= 0
};

/// `POST /v1/videos/{id}/download_url` with body
/// `{"ttl_seconds":N,"disposition":"attachment|inline","index":N}` (§6).
inline result<http_request> download_url_request(job_id_view id, const download_link_options& o = {}) {
  if (o.ttl_seconds < min_link_ttl_seconds || o.ttl_seconds > max_link_ttl_seconds) return errc::invalid_ttl;
  if (o.index < 0) return errc::invalid_index;
  http_request r{http_method::post, detail::video_path(id, "/download_url"), {}, {}};
  json::writer w(r.body);
  w.begin_object()
      .field("ttl_seconds", o.ttl_seconds)
      .field("disposition", disposition_name(o.disposition))
      .field("index", o.index)
      .end_object();
  return r;
}

constexpr std::int64_t min_ws_interval_ms = 1000;
constexpr std::int64_t max_ws_interval_ms = 10000;
constexpr std::int64_t default_ws_interval_ms = 2500;

struct websocket_options {
  std::int64_t interval_ms = default_ws_interval_ms;  ///< 1000..10000
  bool close_on_terminal = true;
};

/// `GET /v1/async/video/{id}/ws?interval_ms=N&close_on_terminal=true|false` (§6). Both
/// parameters are always written so the request does not depend on server defaults.
/// Use `websocket_url(base)` for the ws:// / wss:// form.
inline result<http_request> websocket_request(job_id_view id, const websocket_options& o = {}) {
  if (o.interval_ms < min_ws_interval_ms || o.interval_ms > max_ws_interval_ms) return errc::invalid_interval;
  http_request r{http_method::get, "/v1/async/video/", {}, {}};
  append_uri_component(r.path, id.str());
  r.path += "/ws";
  r.query = "interval_ms=" + std::to_string(o.interval_ms);
  r.query += o.close_on_terminal ? "&close_on_terminal=true" : "&close_on_terminal=false";
  return r;
}

/// The websocket URL for an http(s) base: `https://` becomes `wss://`, `http://` `ws://`.
inline std::string websocket_url(const http_request& ws, std::string_view base) {
  std::string u = ws.url(base);
  if (u.compare(0, 8, "https://") == 0) return "wss://" + u.substr(8);
  if (u.compare(0, 7, "http://") == 0) return "ws://" + u.substr(7);
  return u;
}

}  // namespace jobwire
