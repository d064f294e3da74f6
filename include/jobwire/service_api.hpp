// jobwire — the current service's other video endpoints (PROTOCOL.md §16.8, §16.9).
//
// requests.hpp builds the per-job requests of §6 and payload.hpp reads their answers. This
// header adds what the current service (profile `phaseo`) defines beyond them:
//  - the list `GET /v1/videos` (`limit`, `status`, `order`, `after`) and its page
//    `{object:"list", data, first_id, last_id, has_more}`;
//  - the models list `GET /v1/videos/models`;
//  - the error bodies of the video routes, and the cancel call's answer, which is always
//    501 `not_implemented_yet` / `video_cancellation_disabled` today: a typed error
//    (`cancellation_disabled`), never a crash or a retry loop;
//  - the WebSocket details of §16.9: the client's text frames, `close_on_terminal` as the
//    server reads it, and when the server closes.
// Views point into the caller's buffer, as in payload.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "job.hpp"
#include "json.hpp"
#include "payload.hpp"
#include "requests.hpp"
#include "result.hpp"
#include "subscription.hpp"  // trim_js_whitespace

namespace jobwire {

// --- the list (§16.8, VT:269-325) ----------------------------------------------------------

enum class list_order : std::uint8_t { desc, asc };

/// `limit` of `GET /v1/videos`: the service clamps to 0..100.
constexpr std::int64_t max_video_list_limit = 100;
/// jobwire always writes `limit`: the service reads an absent one as 0 and returns no
/// items (VS:237-241), so "no limit" is never what a caller means.
constexpr std::int64_t default_video_list_limit = 20;

struct video_list_options {
  std::int64_t limit = default_video_list_limit;  ///< 0..100, else `invalid_list_limit`
  /// Filter; written as one repeated `status` parameter each. The service drops values it
  /// does not know and treats "none left" as no filter. Note its vocabulary mismatch
  /// (§16.8): `status=queued` also matches stored `pending` jobs, which the list shows as
  /// `processing`.
  std::vector<job_status> statuses;
  list_order order = list_order::desc;  ///< by `created_at`
  /// Start after this job (exclusive); an unknown id is ignored by the service.
  job_id_view after{};
  bool has_after = false;
};

/// `GET /v1/videos?limit=N[&status=S...]&order=asc|desc[&after=ID]`.
inline result<http_request> list_videos_request(const video_list_options& o = {}) {
  if (o.limit < 0 || o.limit > max_video_list_limit) return errc::invalid_list_limit;
  http_request r{http_method::get, "/v1/videos", {}, {}};
  r.query = "limit=" + std::to_string(o.limit);
  for (job_status s : o.statuses) {
    r.query += "&status=";
    r.query += job_status_name(s);
  }
  r.query += o.order == list_order::asc ? "&order=asc" : "&order=desc";
  if (o.has_after) {
    r.query += "&after=";
    append_uri_component(r.query, o.after.str());
  }
  return r;
}

/// `GET /v1/videos/models` (active models only).
inline http_request list_models_request() { return {http_method::get, "/v1/videos/models", {}, {}}; }

/// One page of `GET /v1/videos`. Each entry is a video object, validated as a status
/// object (§5) when the page is parsed; `at(i)` reads it again as a view.
class video_list_view {
 public:
  text_field first_id, last_id;  ///< null on an empty page
  bool has_more = false;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  /// Entry `i` (< size()), read with the options the page was parsed with.
  result<status_view> at(std::size_t i) const noexcept { return parse_status_object(data_.at(i).raw(), opt_); }
  const json::array& json() const noexcept { return data_; }

  /// Parses a page; an entry that is no valid status object fails the page, with the
  /// entry's error offset counted from the start of `body`.
  static result<video_list_view> parse(std::string_view body, const payload_options& opt = {}) noexcept {
    detail::payload_parse r(body, opt);
    auto list = detail::read_list_document(r);
    if (!list) return list.error();
    const json::value data = list->data;
    video_list_view l;
    l.opt_ = opt;
    jobwire::void_result st = r.text(list->first_id, l.first_id);
    if (st) st = r.text(list->last_id, l.last_id);
    if (!st) return st.error();
    json::value more = list->has_more;
    if (!more.exists()) return r.at(errc::missing_field, list->doc);
    if (!more.is_bool()) return r.at(errc::invalid_field, more);
    l.has_more = *more.get_bool();
    for (json::value v : *data.get_array()) {
      auto entry = parse_status_object(v.raw(), opt);
      if (!entry) {
        const error& e = entry.error();
        const std::size_t base = r.offset(v.data());
        return error(e.code, e.has_offset() ? base + e.offset : base);
      }
      ++l.size_;
    }
    l.data_ = *data.get_array();
    // The cursor for the next page is the last entry's id (§16.8: `after`).
    if (l.size_ > 0 && !l.last_id.present) return r.at(errc::missing_field, list->doc);
    return l;
  }

 private:
  json::array data_{};
  std::size_t size_ = 0;
  payload_options opt_{};
};

/// The plain members of a model of `GET /v1/videos/models`: X(reader, name).
#define JOBWIRE_MODEL_FIELDS(X)       \
  X(text, model)                      \
  X(text, name)                       \
  X(text, status)                     \
  X(strings, input_types)             \
  X(strings, output_types)            \
  X(strings, supported_params)        \
  X(strings, supported_parameters)    \
  X(any, supported_params_detail)     \
  X(any, supported_parameters_detail) \
  X(any, pricing)

/// One model of `GET /v1/videos/models` (VT:327-365). `supported_parameters[_detail]`
/// duplicate `supported_params[_detail]`; both spellings are kept as sent.
struct model_view {
  json::array providers{};  ///< `[{id, the same four}]`
  std::size_t provider_count = 0;
  JOBWIRE_MODEL_FIELDS(JOBWIRE_DETAIL_FIELD_MEMBER)

  static jobwire::void_result read(const detail::payload_reader& r, json::value v, model_view& out) noexcept;
  static model_view from_validated(json::value v) noexcept {
    payload_options opt;
    model_view mv;
    (void)read(detail::payload_reader(v.data(), v.data() + v.raw().size(), opt), v, mv);
    return mv;
  }
};

namespace detail {
inline constexpr auto model_fields = [] {
  using Doc = model_view;
  using Ctx = plain_reading<model_view>;
  return make_field_table<Ctx>({
      JOBWIRE_MODEL_FIELDS(JOBWIRE_DETAIL_FIELD_RULE)  // the plain fields, then the providers
      {"providers",
       [](const payload_reader& r, member_walk& w, Ctx& c) noexcept -> jobwire::void_result {
         json::value v = w.member().value;
         if (payload_reader::absent(v)) return {};
         if (!v.is_array()) return r.at(errc::invalid_field, v);
         c.doc.providers = *v.get_array();
         c.doc.provider_count = 0;
         for (json::value p : c.doc.providers) {
           if (!p.is_object()) return r.at(errc::invalid_field, p);
           json::value id = p.get_object()->find("id");
           if (!id.exists()) return r.at(errc::missing_field, p);
           if (!id.is_string()) return r.at(errc::invalid_field, id);
           ++c.doc.provider_count;
         }
         return {};
       }},
  });
}();
}  // namespace detail

inline jobwire::void_result model_view::read(const detail::payload_reader& r, json::value v, model_view& out) noexcept {
  if (!v.is_object()) return r.at(errc::invalid_field, v);
  detail::plain_reading<model_view> c{out};
  if (jobwire::void_result st = detail::read_fields(r, v, detail::model_fields, c); !st) return st;
  if (!out.model.present) return r.at(errc::missing_field, v);
  return {};
}

/// `{object:"list", data:[model...]}`.
struct model_list_view {
  list_view<model_view> data;
};

inline result<model_list_view> parse_model_list(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_parse r(body, opt);
  auto list = detail::read_list_document(r);
  if (!list) return list.error();
  const json::value data = list->data;
  std::size_t n = 0;
  for (json::value v : *data.get_array()) {
    model_view m;
    jobwire::void_result st = model_view::read(r, v, m);
    if (!st) return st.error();
    ++n;
  }
  model_list_view l;
  l.data = list_view<model_view>(*data.get_array(), n);
  return l;
}

// --- errors of the video routes, and cancel (§16.8) ---------------------------------------

/// An error body of a video route: `{"error":"<code>","reason":"<why>",...}` (the cancel
/// 501, the disabled-feature 501) or `{"error":{"code"|"type":...,"message":...}}`
/// (426, 404 ...). `code` is the string `error` or the object's `code` (else `type`).
struct video_error_view {
  json::string code{};
  text_field reason, message;
};

inline result<video_error_view> parse_video_error(std::string_view body, const payload_options& opt = {}) noexcept {
  detail::payload_reader r(body.data(), body.data() + body.size(), opt);
  auto doc = detail::parse_payload_object(body, r);
  if (!doc) return doc.error();
  json::object obj = *doc->get_object();
  json::value err = obj.find("error");
  if (!err.exists()) return r.at(errc::missing_field, *doc);
  video_error_view e;
  jobwire::void_result st;
  if (err.is_string()) {
    e.code = *err.get_string();
    st = r.text(obj.find("reason"), e.reason);
    if (st) st = r.text(obj.find("message"), e.message);
  } else if (err.is_object()) {
    json::object eo = *err.get_object();
    json::value code = eo.find("code");
    if (!code.exists()) code = eo.find("type");
    if (!code.exists()) return r.at(errc::missing_field, err);
    if (!code.is_string()) return r.at(errc::invalid_field, code);
    e.code = *code.get_string();
    st = r.text(eo.find("message"), e.message);
    if (st) st = r.text(eo.find("reason"), e.reason);
  } else {
    return r.at(errc::invalid_field, err);
  }
  if (!st) return st.error();
  return e;
}

/// What the answer to `POST /v1/videos/{id}/cancel` means. A 2xx is `ok`. The current
/// service answers every cancel with 501 `{"error":"not_implemented_yet","reason":
/// "video_cancellation_disabled"}` (VT:247-249, 459-465): that is `cancellation_disabled`
/// — final, do not retry; the job runs on (delete it once it is completed or failed).
/// Every other answer is `service_error` (read the body with parse_video_error).
/// Note: webhook `data.cancel_url` may still be set for some providers (§16.8); it leads
/// to the same 501.
[[nodiscard]] inline void_result check_cancel_response(int http_status, std::string_view body) noexcept {
  if (http_status >= 200 && http_status <= 299) return {};
  if (http_status == 501) {
    auto e = parse_video_error(body);
    if (e && e->code.equals("not_implemented_yet") && e->reason.present &&
        e->reason.value.equals("video_cancellation_disabled"))
      return errc::cancellation_disabled;
  }
  return errc::service_error;
}

// --- WebSocket (§16.9, AJ) -----------------------------------------------------------------

/// Client text frames the server understands, matched exactly (AJ:149-158): `ping` is
/// answered `{"type":"pong"}` (no `data`), `refresh` with `job.updated` only if the
/// snapshot changed. Any other text is ignored.
constexpr std::string_view ws_ping_frame = "ping";
constexpr std::string_view ws_refresh_frame = "refresh";

/// `close_on_terminal` as the server reads the query value (AJ:27-38): false only for
/// `0`, `false`, `no` or `off` after trimming and lower-casing; anything else, including
/// an absent or empty value, is true.
inline bool parse_close_on_terminal(std::string_view value) noexcept {
  std::string_view t = trim_js_whitespace(value);
  if (t.size() > 5) return true;
  char buf[5];
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view low(buf, t.size());
  return !(low == "0" || low == "false" || low == "no" || low == "off");
}

/// True when the server closes the socket after a snapshot in status `s` (AJ:142-144):
/// with `close_on_terminal`, on completed, failed or cancelled — but not on expired, so a
/// client that waits for the close must also stop on `expired` itself.
constexpr bool ws_server_closes_on(job_status s, bool close_on_terminal) noexcept {
  return close_on_terminal && (s == job_status::completed || s == job_status::failed || s == job_status::cancelled);
}

}  // namespace jobwire
