// jobwire — the webhook-endpoints API of the current service (PROTOCOL.md §16.3).
//
// Under profile `phaseo` a job does not carry a callback URL and secret; it names a
// *webhook endpoint* (subscription.hpp, §16.2) that the workspace manages through
// `/v1/webhook-endpoints`. This header builds the six requests of that API (method, path
// with the id percent-encoded as one path segment, JSON body), reads its responses as
// zero-copy views (the endpoint object, the create / rotate response that carries the
// signing secret once, the list, the delete answer) and its 400/404 error bodies, and
// checks the endpoint secret's format.
//
// Secrets: the endpoint's signing secret is the HMAC key of every delivery (its UTF-8
// bytes, the `whsec_` prefix included, neither base64-decoded nor trimmed; §16.3). Rotation
// takes effect immediately with no overlap, so a receiver that rotates should keep the old
// secret next to the new one for its retry horizon (docs/ENDPOINTS.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callback_url.hpp"
#include "error.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "payload.hpp"
#include "requests.hpp"
#include "result.hpp"
#include "subscription.hpp"

namespace jobwire {

// --- the endpoint secret (§16.3, WE:237-241, 330-332) ------------------------------------

constexpr std::string_view endpoint_secret_prefix = "whsec_";
/// `whsec_` + 43 base64url characters (32 random bytes, unpadded).
constexpr std::size_t endpoint_secret_length = 49;

namespace endpoint_detail {
constexpr int base64url_value(char c) noexcept {
  return (c >= 'A' && c <= 'Z')   ? c - 'A'
         : (c >= 'a' && c <= 'z') ? c - 'a' + 26
         : (c >= '0' && c <= '9') ? c - '0' + 52
         : c == '-'               ? 62
         : c == '_'               ? 63
                                  : -1;
}
}  // namespace endpoint_detail

/// Checks the format of a signing secret the service generated: `whsec_` followed by 43
/// base64url characters, 49 characters in all, nothing trimmed. The last character
/// carries the two padding bits of the 32-byte value, which are zero in an encoding of 32
/// bytes, so it is one of `AEIMQUYcgkosw048`. `errc::ok` or `invalid_endpoint_secret`.
/// (The check says nothing about whether the secret is the endpoint's current one.)
[[nodiscard]] constexpr errc check_endpoint_secret(std::string_view s) noexcept {
  if (s.size() != endpoint_secret_length || s.substr(0, endpoint_secret_prefix.size()) != endpoint_secret_prefix)
    return errc::invalid_endpoint_secret;
  for (std::size_t i = endpoint_secret_prefix.size(); i < s.size(); ++i)
    if (endpoint_detail::base64url_value(s[i]) < 0) return errc::invalid_endpoint_secret;
  if ((endpoint_detail::base64url_value(s.back()) & 0x3) != 0) return errc::invalid_endpoint_secret;
  return errc::ok;
}

// --- the endpoint object (§16.3, WE:342-356) ---------------------------------------------

enum class endpoint_status : std::uint8_t { active, disabled, deleted };

constexpr std::string_view endpoint_status_name(endpoint_status s) noexcept {
  return s == endpoint_status::active ? "active" : s == endpoint_status::disabled ? "disabled" : "deleted";
}
inline bool parse_endpoint_status(std::string_view s, endpoint_status& out) noexcept {
  if (s == "active") out = endpoint_status::active;
  else if (s == "disabled") out = endpoint_status::disabled;
  else if (s == "deleted") out = endpoint_status::deleted;
  else return false;
  return true;
}

/// The plain members of an endpoint object: X(reader, name, "jsonKey").
#define JOBWIRE_ENDPOINT_FIELDS(X)                                                \
  X(text, workspace_id, "workspaceId")                                            \
  X(text, name, "name")                                                           \
  X(text, url, "url")                                                             \
  X(text, created_by, "createdBy")                                                \
  X(strings, events, "events") /* the stored list (lower-cased, de-duplicated) */ \
  X(time, created_at, "createdAt")                                                \
  X(time, updated_at, "updatedAt")                                                \
  X(time, deleted_at, "deletedAt")

/// A webhook endpoint as the API returns it (camelCase members). `id` and `status` are
/// required; every other member is type-checked when present; unknown members are
/// ignored. `signing_secret` is present only in the create and rotate-secret responses.
struct endpoint_view {
  text_field id;
  endpoint_status status = endpoint_status::active;
  bool has_secret = false;
  bool has_has_secret = false;
  text_field signing_secret;  ///< create / rotate-secret only; passes check_endpoint_secret
  JOBWIRE_ENDPOINT_FIELDS(JOBWIRE_DETAIL_KEYED_FIELD_MEMBER)

  bool usable() const noexcept { return status == endpoint_status::active && has_secret; }

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, endpoint_view& out,
                                   const char** end = nullptr) noexcept;
  static endpoint_view from_validated(json::value v) noexcept {
    payload_options opt;
    endpoint_view e;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, e);
    return e;
  }
};

namespace detail {
/// What reading an endpoint object gathers beyond the document: whether `status` came.
struct endpoint_reading {
  endpoint_view& doc;
  bool status_seen = false;
};

inline constexpr auto endpoint_fields = [] {
  using Doc = endpoint_view;
  using Ctx = endpoint_reading;
  return make_field_table<Ctx>({
      JOBWIRE_ENDPOINT_FIELDS(JOBWIRE_DETAIL_KEYED_FIELD_RULE)  // the plain fields, then those with rules of their own
      {"id",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.text(w.member().value, c.doc.id);
       }},
      {"status",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.word(w.member().value, c.doc.status, c.status_seen, parse_endpoint_status);
       }},
      {"hasSecret",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         return r.boolean(w.member().value, c.doc.has_secret, c.doc.has_has_secret);
       }},
      {"signing_secret",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         text_field& f = c.doc.signing_secret;
         jobwire::void_result st = r.text(v, f);
         if (st && f.present && (f.value.has_escapes() || check_endpoint_secret(f.raw()) != errc::ok))
           return r.at(errc::invalid_endpoint_secret, v);
         return st;
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result endpoint_view::read(const detail::payload_reader& r, json::value v, endpoint_view& out,
                                                const char** end) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::endpoint_reading c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::endpoint_fields, c, end); !st) return st;
  if (!out.id.present || out.id.raw().empty() || !c.status_seen) return r.at(errc::missing_field, v);
  return {};
}

namespace detail {
/// parse_endpoint with the reading chosen (see parse_envelope).
inline result<endpoint_view> parse_endpoint(std::string_view body, bool require_secret, const payload_options& opt,
                                            reading mode) noexcept {
  payload_parse r(body, opt, mode);
  auto doc = r.root();
  if (!doc) return doc.error();
  endpoint_view e;
  const char* end = nullptr;
  jobwire::void_result st = endpoint_view::read(r, *doc, e, &end);
  st = r.finish(st, end);
  if (!st) return st.error();
  if (require_secret && !e.signing_secret.present) return r.at(errc::missing_field, *doc);
  return e;
}
}  // namespace detail

/// Parses an endpoint object (`GET`, `PATCH` responses). `require_secret`: the create
/// (201) and rotate-secret responses carry `signing_secret`; missing there is
/// `missing_field`.
inline result<endpoint_view> parse_endpoint(std::string_view body, bool require_secret = false,
                                            const payload_options& opt = {}) noexcept {
  return detail::parse_endpoint(body, require_secret, opt, detail::reading::fused);
}

/// `GET /v1/webhook-endpoints`: `{object:"list", data:[endpoint...]}`, newest first, no
/// `has_more` (page with `offset`; a page shorter than `limit` is the last).
struct endpoint_list_view {
  list_view<endpoint_view> data;
};

inline result<endpoint_list_view> parse_endpoint_list(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_parse r(body, opt);
  auto list = detail::read_list_document(r);
  if (!list) return list.error();
  const json::value data = list->data;
  std::size_t n = 0;
  for (json::value v : *data.get_array()) {
    endpoint_view e;
    jobwire::void_result st = endpoint_view::read(r, v, e);
    if (!st) return st.error();
    ++n;
  }
  endpoint_list_view l;
  l.data = list_view<endpoint_view>(*data.get_array(), n);
  return l;
}

/// `DELETE /v1/webhook-endpoints/{id}`: `{id, object:"webhook_endpoint", deleted:true}`
/// (a soft delete; deleting again is a 404).
struct endpoint_deleted_view {
  json::string id{};
};

inline result<endpoint_deleted_view> parse_endpoint_deleted(std::string_view body,
                                                            const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  json::object obj = *doc->get_object();
  json::value id = obj.find("id"), object = obj.find("object"), deleted = obj.find("deleted");
  if (!id.exists() || !object.exists() || !deleted.exists()) return r.at(errc::missing_field, *doc);
  if (!id.is_string() || id.get_string()->raw().empty()) return r.at(errc::invalid_field, id);
  if (!object.is_string() || !object.get_string()->equals("webhook_endpoint")) return r.at(errc::invalid_field, object);
  if (!deleted.is_bool() || !*deleted.get_bool()) return r.at(errc::invalid_field, deleted);
  return endpoint_deleted_view{*id.get_string()};
}

// --- error bodies of the management API (§16.3) ------------------------------------------

/// `{"error":{"type":"validation_error"|"not_found"|..., "message":..., "details":...}}`.
/// For a URL the send-time rule refused, `details.reason` holds the rule's reason
/// (`webhook_url_private_network_not_allowed`, ...; see service_url_reason).
struct api_error_view {
  json::string type{};
  text_field message;
  json::value details{};  ///< any JSON value; absent or null reads as absent
  text_field reason;      ///< `details.reason`, when it is a string

  bool is_validation_error() const noexcept { return type.equals("validation_error"); }
  bool is_not_found() const noexcept { return type.equals("not_found"); }
};

inline result<api_error_view> parse_api_error(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  json::value err = doc->get_object()->find("error");
  if (!err.exists()) return r.at(errc::missing_field, *doc);
  if (!err.is_object()) return r.at(errc::invalid_field, err);
  json::object eo = *err.get_object();
  json::value type = eo.find("type");
  if (!type.exists()) return r.at(errc::missing_field, err);
  if (!type.is_string()) return r.at(errc::invalid_field, type);
  api_error_view e;
  e.type = *type.get_string();
  jobwire::void_result st = r.text(eo.find("message"), e.message);
  if (!st) return st.error();
  // `details` is open (a validation library's report, or `{reason}` for a URL): kept as
  // it is; only a string `details.reason` is read out.
  json::value details = eo.find("details");
  detail::payload_reader::any(details, e.details);
  if (details.is_object()) {
    json::value reason = details.get_object()->find("reason");
    if (reason.is_string()) (void)r.text(reason, e.reason);
  }
  return e;
}

// --- requests (§16.3, WR) ----------------------------------------------------------------

/// Longest endpoint name, after trimming (WR:190-222).
constexpr std::size_t max_endpoint_name_length = 120;
/// The name the service gives an endpoint created without one.
constexpr std::string_view default_endpoint_name = "Async webhooks";
/// `limit` of the endpoint list: 1..100 (the service reads absent, 0 and NaN as 100).
constexpr std::int64_t max_endpoint_list_limit = 100;

/// The members of a create or update request. A member is sent only when its `has_` flag
/// is set. Views: the strings must outlive the call that builds the request.
struct endpoint_fields {
  bool has_name = false;
  std::string_view name;  ///< trimmed; 1..120 UTF-16 code units, as the service's schema counts
  bool has_url = false;
  std::string_view url;  ///< checked with the send-time rule (policy phaseo) and sent serialised
  bool has_events = false;
  std::vector<std::string_view> events;  ///< each trimmed and non-empty; [] stores the default list
  bool has_status = false;
  endpoint_status status = endpoint_status::active;  ///< update only: active or disabled
};

namespace endpoint_detail {
// The length JavaScript's `String.length` gives (UTF-16 code units) of valid UTF-8.
inline std::size_t utf16_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

inline std::string endpoints_path(std::string_view id, std::string_view suffix) {
  std::string p = "/v1/webhook-endpoints/";
  append_uri_component(p, id);
  p += suffix;
  return p;
}

inline result<std::string> endpoint_path(std::string_view id, std::string_view suffix) {
  auto checked = check_endpoint_id(id);
  if (!checked) return checked.error();
  return endpoints_path(*checked, suffix);
}

inline void_result write_fields(std::string& body, const endpoint_fields& f, bool is_update,
                                const callback_url_options& url_opt) {
  json::writer w(body);
  w.begin_object();
  if (f.has_name) {
    std::string_view name = trim_js_whitespace(f.name);
    if (name.empty() || !utf8_valid(name) || utf16_length(name) > max_endpoint_name_length)
      return errc::invalid_endpoint_name;
    w.field("name", name);
  }
  if (f.has_url) {
    auto u = check_callback_url(f.url, url_opt);
    if (!u) return u.error();
    w.field("url", u->serialise());
  }
  if (f.has_events) {
    w.key("events").begin_array();
    for (std::string_view e : f.events) {
      std::string_view t = trim_js_whitespace(e);
      if (t.empty()) return errc::empty_event;
      w.string(t);
    }
    w.end_array();
  }
  if (f.has_status) {
    // Only an update sets the status, and never to `deleted` (that is DELETE).
    if (!is_update || f.status == endpoint_status::deleted) return errc::invalid_field;
    w.field("status", endpoint_status_name(f.status));
  }
  w.end_object();
  return {};
}

inline callback_url_options phaseo_url_options() noexcept {
  callback_url_options o;
  o.policy = url_policy::phaseo;
  return o;
}
}  // namespace endpoint_detail

/// `POST /v1/webhook-endpoints` with `{name?, url, events?}`. `url` is required
/// (`missing_url`) and must pass the send-time rule (§16.4; pass other options for local
/// development); a bad name is `invalid_endpoint_name`, a blank event `empty_event`.
inline result<http_request> create_endpoint_request(
    const endpoint_fields& f, const callback_url_options& url_opt = endpoint_detail::phaseo_url_options()) {
  if (!f.has_url) return errc::missing_url;
  http_request r{http_method::post, "/v1/webhook-endpoints", {}, {}};
  void_result st = endpoint_detail::write_fields(r.body, f, false, url_opt);
  if (!st) return st.error();
  return r;
}

/// `GET /v1/webhook-endpoints?limit=N[&offset=M][&include_deleted=true]`; `limit` 1..100
/// (`invalid_list_limit`), `offset` ≥ 0 (`invalid_argument`).
inline result<http_request> list_endpoints_request(std::int64_t limit = max_endpoint_list_limit,
                                                   std::int64_t offset = 0, bool include_deleted = false) {
  if (limit < 1 || limit > max_endpoint_list_limit) return errc::invalid_list_limit;
  if (offset < 0) return errc::invalid_argument;
  http_request r{http_method::get, "/v1/webhook-endpoints", {}, {}};
  r.query = "limit=" + std::to_string(limit);
  if (offset > 0) r.query += "&offset=" + std::to_string(offset);
  if (include_deleted) r.query += "&include_deleted=true";
  return r;
}

/// `GET /v1/webhook-endpoints/{id}`; the id is trimmed and must be a UUID
/// (`invalid_endpoint_id`), then percent-encoded as one path segment.
inline result<http_request> get_endpoint_request(std::string_view id) {
  auto p = endpoint_detail::endpoint_path(id, "");
  if (!p) return p.error();
  return http_request{http_method::get, std::move(*p), {}, {}};
}

/// `PATCH /v1/webhook-endpoints/{id}` with the members set in `f` (`status`: active or
/// disabled; a new `url` is checked again).
inline result<http_request> update_endpoint_request(
    std::string_view id, const endpoint_fields& f,
    const callback_url_options& url_opt = endpoint_detail::phaseo_url_options()) {
  auto p = endpoint_detail::endpoint_path(id, "");
  if (!p) return p.error();
  http_request r{http_method::patch, std::move(*p), {}, {}};
  void_result st = endpoint_detail::write_fields(r.body, f, true, url_opt);
  if (!st) return st.error();
  return r;
}

/// `DELETE /v1/webhook-endpoints/{id}`.
inline result<http_request> delete_endpoint_request(std::string_view id) {
  auto p = endpoint_detail::endpoint_path(id, "");
  if (!p) return p.error();
  return http_request{http_method::delete_, std::move(*p), {}, {}};
}

/// `POST /v1/webhook-endpoints/{id}/rotate-secret` (works on a disabled endpoint too).
/// The new secret applies to every later send at once, retries of older events included.
inline result<http_request> rotate_endpoint_secret_request(std::string_view id) {
  auto p = endpoint_detail::endpoint_path(id, "/rotate-secret");
  if (!p) return p.error();
  return http_request{http_method::post, std::move(*p), {}, {}};
}

/// The list an endpoint stores for the events it was created or patched with (§16.2,
/// WE:38-45, 334-340): lower-cased (ASCII) and de-duplicated, otherwise unvalidated; no
/// events or `[]` stores `endpoint_default_events`.
inline std::vector<std::string> endpoint_stored_events(const std::vector<std::string_view>& events) {
  std::vector<std::string> out;
  for (std::string_view e : events) {
    std::string s(trim_js_whitespace(e));
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (s.empty()) continue;
    bool seen = false;
    for (const std::string& o : out) seen = seen || o == s;
    if (!seen) out.push_back(std::move(s));
  }
  if (out.empty()) out.assign(std::begin(endpoint_default_events), std::end(endpoint_default_events));
  return out;
}

}  // namespace jobwire
