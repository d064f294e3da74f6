// Request builders (requests.hpp, PROTOCOL.md §2, §6).
#include <catch2/catch.hpp>

#include <string>

#include <jobwire/payload.hpp>
#include <jobwire/requests.hpp>

using namespace jobwire;

namespace {
job_id_view id(std::string_view s) { return *job_id_view::parse(s); }
}  // namespace

TEST_CASE("ids are percent-encoded as one path segment (encodeURIComponent)") {
  std::string out;
  append_uri_component(out, "AZaz09-_.!~*'()");
  CHECK(out == "AZaz09-_.!~*'()");
  out.clear();
  append_uri_component(out, "a/b?c#d e%f&g=h+i:j@k,l;m$n");
  CHECK(out == "a%2Fb%3Fc%23d%20e%25f%26g%3Dh%2Bi%3Aj%40k%2Cl%3Bm%24n");
  out.clear();
  append_uri_component(out, "caf\xC3\xA9");
  CHECK(out == "caf%C3%A9");
  CHECK(status_request(id("G-../../admin")).path == "/v1/videos/G-..%2F..%2Fadmin");
}

TEST_CASE("status, cancel and delete requests") {
  auto s = status_request(id("G-1"));
  CHECK(http_method_name(s.method) == "GET");
  CHECK(s.target() == "/v1/videos/G-1");
  CHECK(s.body.empty());
  CHECK(s.url("https://api.example.com/") == "https://api.example.com/v1/videos/G-1");
  auto c = cancel_request(id("G-1"));
  CHECK(http_method_name(c.method) == "POST");
  CHECK(c.target() == "/v1/videos/G-1/cancel");
  auto d = delete_request(id("G 1"));
  CHECK(http_method_name(d.method) == "DELETE");
  CHECK(d.target() == "/v1/videos/G%201");
  // An owned id is accepted too.
  job_id owned = *job_id::parse("G-2");
  CHECK(status_request(owned).path == "/v1/videos/G-2");
}

TEST_CASE("content requests: index only when > 0, only for completed jobs") {
  auto r = content_request(id("G-1"), job_status::completed);
  REQUIRE(r);
  CHECK(r->target() == "/v1/videos/G-1/content");
  CHECK(content_request(id("G-1"), job_status::completed, 0)->query.empty());
  CHECK(content_request(id("G-1"), job_status::completed, 2)->target() == "/v1/videos/G-1/content?index=2");
  CHECK(content_request(id("G-1"), job_status::completed, -1).code() == errc::invalid_index);
  for (job_status s :
       {job_status::queued, job_status::processing, job_status::failed, job_status::cancelled, job_status::expired})
    CHECK(content_request(id("G-1"), s).code() == errc::job_not_completed);

  std::string done = R"({"id":"G-9","status":"completed","outputs":[{"index":0},{"index":1}]})";
  auto sv = parse_status_object(done);
  REQUIRE(sv);
  CHECK(content_request(*sv, 1)->target() == "/v1/videos/G-9/content?index=1");
  CHECK(content_request(*sv, 2).code() == errc::invalid_index);
  std::string running = R"({"id":"G-9","status":"processing"})";
  CHECK(content_request(*parse_status_object(running)).code() == errc::job_not_completed);
}

TEST_CASE("signed download link requests") {
  auto r = download_url_request(id("G-1"));
  REQUIRE(r);
  CHECK(http_method_name(r->method) == "POST");
  CHECK(r->target() == "/v1/videos/G-1/download_url");
  CHECK(r->body == R"({"ttl_seconds":900,"disposition":"attachment","index":0})");
  download_link_options o;
  o.ttl_seconds = 60;
  o.disposition = *parse_disposition("inline");
  o.index = 1;
  CHECK(download_url_request(id("G-1"), o)->body == R"({"ttl_seconds":60,"disposition":"inline","index":1})");
  o.ttl_seconds = 3600;
  CHECK(download_url_request(id("G-1"), o));
  for (std::int64_t bad : {0, 59, 3601, -1}) {
    o.ttl_seconds = bad;
    CHECK(download_url_request(id("G-1"), o).code() == errc::invalid_ttl);
  }
  o.ttl_seconds = 900;
  o.index = -2;
  CHECK(download_url_request(id("G-1"), o).code() == errc::invalid_index);
  CHECK(parse_disposition("Inline").code() == errc::invalid_disposition);
  CHECK(parse_disposition("").code() == errc::invalid_disposition);
}

TEST_CASE("websocket requests") {
  auto r = websocket_request(id("G-1"));
  REQUIRE(r);
  CHECK(r->target() == "/v1/async/video/G-1/ws?interval_ms=2500&close_on_terminal=true");
  CHECK(websocket_url(*r, "https://api.example.com") ==
        "wss://api.example.com/v1/async/video/G-1/ws?interval_ms=2500&close_on_terminal=true");
  CHECK(websocket_url(*r, "http://127.0.0.1:8080/").rfind("ws://127.0.0.1:8080/v1/async/video/G-1/ws?", 0) == 0);
  websocket_options o;
  o.interval_ms = 1000;
  o.close_on_terminal = false;
  CHECK(websocket_request(id("G/1"), o)->target() ==
        "/v1/async/video/G%2F1/ws?interval_ms=1000&close_on_terminal=false");
  o.interval_ms = 10000;
  CHECK(websocket_request(id("G-1"), o));
  for (std::int64_t bad : {999, 10001, 0}) {
    o.interval_ms = bad;
    CHECK(websocket_request(id("G-1"), o).code() == errc::invalid_interval);
  }
}
