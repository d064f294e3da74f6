// The current service's management and listing endpoints (endpoints.hpp, service_api.hpp;
// PROTOCOL.md §16.3, §16.8, §16.9): request builders, response views, the endpoint secret
// format, error bodies, cancel's 501 and the WebSocket details.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <jobwire/endpoints.hpp>
#include <jobwire/service_api.hpp>

using namespace jobwire;

namespace {
constexpr const char* ep = "3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab";

// A secret as the service makes one: whsec_ + base64url of 32 bytes, unpadded.
std::string make_secret(unsigned char seed) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[32];
  for (int i = 0; i < 32; ++i) bytes[i] = static_cast<unsigned char>(seed * 31 + i * 7);
  std::string out = "whsec_";
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}
}  // namespace

TEST_CASE("endpoint secrets: whsec_ and 43 base64url characters, 49 in all") {
  for (unsigned char seed = 0; seed < 50; ++seed) {
    const std::string s = make_secret(seed);
    INFO(s);
    REQUIRE(s.size() == endpoint_secret_length);
    CHECK(check_endpoint_secret(s) == errc::ok);
    CHECK(check_endpoint_secret(s.substr(0, 48)) == errc::invalid_endpoint_secret);
    CHECK(check_endpoint_secret(s + "A") == errc::invalid_endpoint_secret);
    CHECK(check_endpoint_secret(" " + s.substr(0, 48)) == errc::invalid_endpoint_secret);
    std::string padded = s.substr(0, 48) + "=";
    CHECK(check_endpoint_secret(padded) == errc::invalid_endpoint_secret);
    std::string plus = s;
    plus[10] = '+';  // base64, not base64url
    CHECK(check_endpoint_secret(plus) == errc::invalid_endpoint_secret);
    std::string prefix = s;
    prefix[0] = 'W';
    CHECK(check_endpoint_secret(prefix) == errc::invalid_endpoint_secret);
  }
  // The last character holds two padding bits, zero for 32 bytes: 'B' (value 1) cannot end one.
  std::string s = make_secret(1);
  s.back() = 'B';
  CHECK(check_endpoint_secret(s) == errc::invalid_endpoint_secret);
  s.back() = 'A';
  CHECK(check_endpoint_secret(s) == errc::ok);
  CHECK(check_endpoint_secret("") == errc::invalid_endpoint_secret);
  static_assert(check_endpoint_secret("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") == errc::ok, "constexpr");
  CHECK(error_name(errc::invalid_endpoint_secret) == "invalid_endpoint_secret");
}

TEST_CASE("endpoint requests: method, path with the id as one segment, JSON body") {
  endpoint_fields f;
  f.has_url = true;
  f.url = "https://Hooks.Example.com/in#frag";
  f.has_name = true;
  f.name = "  Production  ";
  f.has_events = true;
  f.events = {" video.completed ", "batch.failed"};
  auto c = create_endpoint_request(f);
  REQUIRE(c);
  CHECK(http_method_name(c->method) == "POST");
  CHECK(c->target() == "/v1/webhook-endpoints");
  CHECK(c->body ==
        R"({"name":"Production","url":"https://hooks.example.com/in","events":["video.completed","batch.failed"]})");

  auto l = list_endpoints_request(50, 100, true);
  REQUIRE(l);
  CHECK(l->target() == "/v1/webhook-endpoints?limit=50&offset=100&include_deleted=true");
  CHECK(list_endpoints_request()->target() == "/v1/webhook-endpoints?limit=100");
  CHECK(list_endpoints_request(0).code() == errc::invalid_list_limit);
  CHECK(list_endpoints_request(101).code() == errc::invalid_list_limit);
  CHECK(list_endpoints_request(1, -1).code() == errc::invalid_argument);

  auto g = get_endpoint_request(std::string(" ") + ep + " ");
  REQUIRE(g);
  CHECK(http_method_name(g->method) == "GET");
  CHECK(g->target() == std::string("/v1/webhook-endpoints/") + ep);
  CHECK(http_method_name(delete_endpoint_request(ep)->method) == "DELETE");
  CHECK(delete_endpoint_request(ep)->target() == std::string("/v1/webhook-endpoints/") + ep);
  auto rot = rotate_endpoint_secret_request(ep);
  REQUIRE(rot);
  CHECK(http_method_name(rot->method) == "POST");
  CHECK(rot->target() == std::string("/v1/webhook-endpoints/") + ep + "/rotate-secret");
  CHECK(rot->body.empty());

  endpoint_fields u;
  u.has_status = true;
  u.status = endpoint_status::disabled;
  auto p = update_endpoint_request(ep, u);
  REQUIRE(p);
  CHECK(http_method_name(p->method) == "PATCH");
  CHECK(p->body == R"({"status":"disabled"})");
  CHECK(p->url("https://api.example.com/") == std::string("https://api.example.com/v1/webhook-endpoints/") + ep);

  // An id that could leave its path segment never reaches a path.
  for (const char* bad : {"", "  ", "../../v1/videos", "3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab/rotate-secret",
                          "3f2b8c1e-9a4d-4c7e-b5f1-0123456789ab?x=1", "not-a-uuid"}) {
    INFO(bad);
    CHECK(get_endpoint_request(bad).code() == errc::invalid_endpoint_id);
    CHECK(update_endpoint_request(bad, u).code() == errc::invalid_endpoint_id);
    CHECK(delete_endpoint_request(bad).code() == errc::invalid_endpoint_id);
    CHECK(rotate_endpoint_secret_request(bad).code() == errc::invalid_endpoint_id);
  }
}

TEST_CASE("endpoint requests validate what the service's schema validates") {
  endpoint_fields f;
  CHECK(create_endpoint_request(f).code() == errc::missing_url);
  f.has_url = true;
  f.url = "http://localhost:3000/hook";
  CHECK(create_endpoint_request(f).code() == errc::https_required);  // the send-time rule, §16.4
  callback_url_options dev;
  dev.policy = url_policy::phaseo;
  dev.leniency = lenient::local_callback_urls;
  CHECK(create_endpoint_request(f, dev));
  f.url = "https://10.0.0.8/hook";
  auto bad_url = create_endpoint_request(f);
  CHECK(bad_url.code() == errc::private_host);
  CHECK(service_url_reason(bad_url.code()) == "webhook_url_private_network_not_allowed");
  f.url = "https://example.com/";
  f.has_name = true;
  f.name = " \t ";
  CHECK(create_endpoint_request(f).code() == errc::invalid_endpoint_name);
  const std::string long_name(121, 'n');
  f.name = long_name;
  CHECK(create_endpoint_request(f).code() == errc::invalid_endpoint_name);
  const std::string max_name(120, 'n');
  f.name = max_name;
  CHECK(create_endpoint_request(f));
  // 60 astral characters are 120 UTF-16 code units (the schema's count); 61 are too many.
  std::string astral;
  for (int i = 0; i < 60; ++i) astral += "\xF0\x9F\x8E\xAC";
  f.name = astral;
  CHECK(create_endpoint_request(f));
  astral += "\xF0\x9F\x8E\xAC";
  f.name = astral;
  CHECK(create_endpoint_request(f).code() == errc::invalid_endpoint_name);
  f.has_name = false;
  f.has_events = true;
  f.events = {"video.completed", "  "};
  CHECK(create_endpoint_request(f).code() == errc::empty_event);
  f.events = {};
  auto empty_events = create_endpoint_request(f);
  REQUIRE(empty_events);
  CHECK(empty_events->body == R"({"url":"https://example.com/","events":[]})");
  // Creating sets no status; an update never sets `deleted`.
  endpoint_fields s;
  s.has_url = true;
  s.url = "https://example.com/";
  s.has_status = true;
  CHECK(create_endpoint_request(s).code() == errc::invalid_field);
  s.has_url = false;
  s.status = endpoint_status::deleted;
  CHECK(update_endpoint_request(ep, s).code() == errc::invalid_field);
}

TEST_CASE("the events an endpoint stores: lower-cased, de-duplicated, default when none") {
  CHECK(endpoint_stored_events({"Video.Completed", "video.completed", " batch.FAILED ", "anything.else"}) ==
        std::vector<std::string>{"video.completed", "batch.failed", "anything.else"});
  const std::vector<std::string> defaults{"video.completed", "video.failed", "video.cancelled",
                                          "batch.completed", "batch.failed", "batch.cancelled"};
  CHECK(endpoint_stored_events({}) == defaults);
  CHECK(endpoint_stored_events({" "}) == defaults);
}

TEST_CASE("the endpoint object, the create and rotate responses, the list, the delete answer") {
  const std::string secret = make_secret(7);
  const std::string obj =
      std::string(R"({"id":")") + ep +
      R"(","workspaceId":"ws_1","name":"Async webhooks","url":"https://hooks.example.com/in","status":"active","events":["video.completed","batch.completed"],"hasSecret":true,"createdBy":"user_1","createdAt":"2026-08-22T10:00:00.000Z","updatedAt":"2026-08-22T10:00:00.000Z","deletedAt":null,"extra":{"ignored":true}})";
  auto e = parse_endpoint(obj);
  REQUIRE(e);
  CHECK(e->id.raw() == ep);
  CHECK(e->workspace_id.raw() == "ws_1");
  CHECK(e->status == endpoint_status::active);
  CHECK(e->has_secret);
  CHECK(e->usable());
  CHECK(e->events.size() == 2);
  CHECK(e->events.at(1) == "batch.completed");
  CHECK(e->created_at.present());
  CHECK_FALSE(e->deleted_at.present());
  CHECK_FALSE(e->signing_secret.present);
  CHECK(parse_endpoint(obj, true).code() == errc::missing_field);  // a create response carries the secret

  std::string created = obj;
  created.insert(created.size() - 1, R"(,"signing_secret":")" + secret + "\"");
  auto c = parse_endpoint(created, true);
  REQUIRE(c);
  CHECK(c->signing_secret.raw() == secret);
  std::string bad_secret = obj;
  bad_secret.insert(bad_secret.size() - 1, R"(,"signing_secret":"whsec_short")");
  CHECK(parse_endpoint(bad_secret, true).code() == errc::invalid_endpoint_secret);

  for (const char* st : {"disabled", "deleted"}) {
    std::string o = obj;
    o.replace(o.find("\"active\""), 8, std::string("\"") + st + "\"");
    auto v = parse_endpoint(o);
    REQUIRE(v);
    CHECK(endpoint_status_name(v->status) == st);
    CHECK_FALSE(v->usable());
  }
  std::string unknown_status = obj;
  unknown_status.replace(unknown_status.find("\"active\""), 8, "\"paused\"");
  CHECK(parse_endpoint(unknown_status).code() == errc::invalid_field);
  CHECK(parse_endpoint(R"({"status":"active"})").code() == errc::missing_field);
  CHECK(parse_endpoint(std::string(R"({"id":")") + ep + "\"}").code() == errc::missing_field);
  CHECK(parse_endpoint(std::string(R"({"id":")") + ep + R"(","status":"active","hasSecret":"yes"})").code() ==
        errc::invalid_field);
  CHECK(parse_endpoint(std::string(R"({"id":")") + ep + R"(","status":"active","events":[1]})").code() ==
        errc::invalid_field);

  const std::string list = R"({"object":"list","data":[)" + obj + "," + obj + "]}";
  auto l = parse_endpoint_list(list);
  REQUIRE(l);
  CHECK(l->data.size() == 2);
  for (endpoint_view v : l->data) CHECK(v.id.raw() == ep);
  CHECK(parse_endpoint_list(R"({"object":"list","data":[]})")->data.empty());
  CHECK(parse_endpoint_list(R"({"object":"page","data":[]})").code() == errc::invalid_field);
  CHECK(parse_endpoint_list(R"({"data":[]})").code() == errc::missing_field);
  CHECK(parse_endpoint_list(R"({"object":"list","data":[{"id":"x"}]})").code() == errc::missing_field);

  const std::string deleted = std::string(R"({"id":")") + ep + R"(","object":"webhook_endpoint","deleted":true})";
  auto d = parse_endpoint_deleted(deleted);  // views into `deleted`
  REQUIRE(d);
  CHECK(d->id.raw() == ep);
  CHECK(parse_endpoint_deleted(R"({"id":"x","object":"webhook_endpoint","deleted":false})").code() ==
        errc::invalid_field);
  CHECK(parse_endpoint_deleted(R"({"id":"x","object":"video","deleted":true})").code() == errc::invalid_field);
  CHECK(parse_endpoint_deleted(R"({"id":"x","deleted":true})").code() == errc::missing_field);
}

TEST_CASE("error bodies of the management API: 400 with details.reason, 404") {
  auto v = parse_api_error(
      R"({"error":{"type":"validation_error","message":"Invalid webhook URL","details":{"reason":"webhook_url_private_network_not_allowed"}}})");
  REQUIRE(v);
  CHECK(v->is_validation_error());
  CHECK(v->reason.raw() == service_url_reason(errc::private_host));
  auto nf = parse_api_error(R"({"error":{"type":"not_found","message":"Webhook endpoint not found."}})");
  REQUIRE(nf);
  CHECK(nf->is_not_found());
  CHECK(nf->message.raw() == "Webhook endpoint not found.");
  CHECK_FALSE(nf->reason.present);
  CHECK(parse_api_error(R"({"error":"x"})").code() == errc::invalid_field);
  CHECK(parse_api_error(R"({"message":"x"})").code() == errc::missing_field);
  CHECK(parse_api_error(R"({"error":{"message":"x"}})").code() == errc::missing_field);
  // details is open: a list of issues is kept, and only a string reason is read out.
  auto issues = parse_api_error(R"({"error":{"type":"validation_error","details":[{"path":["url"]}]}})");
  REQUIRE(issues);
  CHECK(issues->details.is_array());
  CHECK_FALSE(issues->reason.present);
  auto odd = parse_api_error(R"({"error":{"type":"validation_error","details":{"reason":7}}})");
  REQUIRE(odd);
  CHECK_FALSE(odd->reason.present);
  CHECK(parse_api_error(R"({"error":{"type":"validation_error","message":5}})").code() == errc::invalid_field);
}

// --- §16.8: list, models, cancel ---------------------------------------------------------------

TEST_CASE("the video list request: limit 0..100 always written, status repeated, order, after") {
  CHECK(list_videos_request()->target() == "/v1/videos?limit=20&order=desc");
  video_list_options o;
  o.limit = 0;
  o.statuses = {job_status::queued, job_status::completed};
  o.order = list_order::asc;
  o.after = *job_id_view::parse("vid/1 2");
  o.has_after = true;
  auto r = list_videos_request(o);
  REQUIRE(r);
  CHECK(r->target() == "/v1/videos?limit=0&status=queued&status=completed&order=asc&after=vid%2F1%202");
  o.limit = 100;
  CHECK(list_videos_request(o));
  o.limit = 101;
  CHECK(list_videos_request(o).code() == errc::invalid_list_limit);
  o.limit = -1;
  CHECK(list_videos_request(o).code() == errc::invalid_list_limit);
  CHECK(list_models_request().target() == "/v1/videos/models");
}

TEST_CASE("the video list page: data, first_id, last_id, has_more") {
  const std::string page =
      R"({"object":"list","data":[{"id":"vid_2","object":"video","status":"processing","progress":0},{"id":"vid_1","object":"video","status":"in_progress"}],"first_id":"vid_2","last_id":"vid_1","has_more":true})";
  auto l = video_list_view::parse(page);
  REQUIRE(l);
  CHECK(l->size() == 2);
  CHECK(l->has_more);
  CHECK(l->first_id.raw() == "vid_2");
  CHECK(l->last_id.raw() == "vid_1");
  auto first = l->at(0);
  REQUIRE(first);
  CHECK(first->id.str() == "vid_2");
  CHECK(l->at(1)->lifecycle == lifecycle_status::running);
  auto empty = video_list_view::parse(R"({"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false})");
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK_FALSE(empty->has_more);
  CHECK(video_list_view::parse(R"({"object":"list","data":[]})").code() == errc::missing_field);
  CHECK(video_list_view::parse(R"({"object":"list","data":[],"has_more":"no"})").code() == errc::invalid_field);
  CHECK(video_list_view::parse(R"({"object":"list","data":[{"id":"v"}],"has_more":false})").code() ==
        errc::missing_field);
  // An invalid entry fails the page, with its offset counted from the page's start.
  const std::string bad = R"({"object":"list","data":[{"id":"v","status":"bogus"}],"last_id":"v","has_more":false})";
  auto b = video_list_view::parse(bad);
  CHECK(b.code() == errc::unknown_status);
  CHECK(b.error().offset == bad.find("\"bogus\""));
}

TEST_CASE("the models list") {
  const std::string body =
      R"({"object":"list","data":[{"model":"sora-2","name":"Sora 2","status":"active","input_types":["text","image"],"output_types":["video"],"supported_params":["seconds","size"],"supported_params_detail":{"seconds":{"type":"integer"}},"supported_parameters":["seconds","size"],"supported_parameters_detail":{"seconds":{"type":"integer"}},"providers":[{"id":"openai","input_types":["text"]}],"pricing":{"per_second":0.1}}]})";
  auto m = parse_model_list(body);
  REQUIRE(m);
  REQUIRE(m->data.size() == 1);
  model_view v = m->data.at(0);
  CHECK(v.model.raw() == "sora-2");
  CHECK(v.input_types.size() == 2);
  CHECK(v.supported_parameters.size() == 2);
  CHECK(v.provider_count == 1);
  CHECK(v.pricing.is_object());
  CHECK(parse_model_list(R"({"object":"list","data":[{"name":"x"}]})").code() == errc::missing_field);
  CHECK(parse_model_list(R"({"object":"list","data":[{"model":"m","providers":[{}]}]})").code() == errc::missing_field);
  CHECK(parse_model_list(R"({"object":"list","data":[{"model":"m","input_types":"text"}]})").code() ==
        errc::invalid_field);
}

TEST_CASE("cancel: the 501 of the current service is a typed error") {
  const std::string disabled =
      R"({"error":"not_implemented_yet","reason":"video_cancellation_disabled","message":"Video cancellation is not available."})";
  auto st = check_cancel_response(501, disabled);
  CHECK(st.code() == errc::cancellation_disabled);
  CHECK(error_name(st.code()) == "cancellation_disabled");
  auto e = parse_video_error(disabled);
  REQUIRE(e);
  CHECK(e->code.equals("not_implemented_yet"));
  CHECK(e->reason.raw() == "video_cancellation_disabled");
  CHECK(check_cancel_response(200, "{}"));
  CHECK(check_cancel_response(202, ""));
  // A 501 for another reason (the video API switched off) or any other failure: service_error.
  CHECK(check_cancel_response(501, R"({"error":"not_implemented_yet","reason":"video_api_disabled"})").code() ==
        errc::service_error);
  CHECK(check_cancel_response(501, "not json").code() == errc::service_error);
  CHECK(check_cancel_response(404, R"({"error":{"code":"video_deleted","message":"gone"}})").code() ==
        errc::service_error);
  auto obj = parse_video_error(
      R"({"error":{"code":"websocket_upgrade_required","message":"Use WebSocket upgrade for async job updates."}})");
  REQUIRE(obj);
  CHECK(obj->code.equals("websocket_upgrade_required"));
  CHECK(parse_video_error(R"({"error":7})").code() == errc::invalid_field);
  CHECK(parse_video_error(R"({})").code() == errc::missing_field);
}

// --- §16.9: WebSocket ---------------------------------------------------------------------------

TEST_CASE("websocket: close_on_terminal is false only for 0, false, no, off") {
  for (const char* f : {"0", "false", "FALSE", " no ", "Off", "\toff\n", "fAlSe"}) {
    INFO(f);
    CHECK_FALSE(parse_close_on_terminal(f));
  }
  for (const char* t : {"", "1", "true", "yes", "on", "nope", "00", "f", "false!", "offf", "disabled"}) {
    INFO(t);
    CHECK(parse_close_on_terminal(t));
  }
  CHECK(ws_server_closes_on(job_status::completed, true));
  CHECK(ws_server_closes_on(job_status::failed, true));
  CHECK(ws_server_closes_on(job_status::cancelled, true));
  CHECK_FALSE(ws_server_closes_on(job_status::expired, true));  // the server keeps streaming
  CHECK_FALSE(ws_server_closes_on(job_status::processing, true));
  CHECK_FALSE(ws_server_closes_on(job_status::completed, false));
  // The request builder writes the flag in a form the server reads back the same way.
  websocket_options wo;
  wo.close_on_terminal = false;
  auto r = websocket_request(*job_id_view::parse("vid_1"), wo);
  REQUIRE(r);
  CHECK(r->query.find("close_on_terminal=false") != std::string::npos);
  CHECK_FALSE(parse_close_on_terminal("false"));
}

TEST_CASE("websocket: ping gets pong without data, job.deleted carries {id, kind}") {
  CHECK(ws_ping_frame == "ping");
  CHECK(ws_refresh_frame == "refresh");
  auto pong = parse_ws_message(R"({"type":"pong"})");
  REQUIRE(pong);
  CHECK(pong->type == ws_message_type::pong);
  CHECK_FALSE(pong->has_data);
  auto del = parse_ws_message(R"({"type":"job.deleted","data":{"id":"vid_1","kind":"video"}})");
  REQUIRE(del);
  CHECK(del->type == ws_message_type::deleted);
  CHECK(del->data.id.str() == "vid_1");
  CHECK(del->data.has_kind);
  CHECK(del->data.kind == kind::video);
  CHECK(parse_ws_message(R"({"type":"job.deleted","data":{"kind":"video"}})").code() == errc::missing_field);
  CHECK(parse_ws_message(R"({"type":"job.deleted","data":{"id":"vid_1","kind":"audio"}})").code() ==
        errc::unknown_kind);
}
