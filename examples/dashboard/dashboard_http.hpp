// Mounting the dashboard on a cpp-httplib server: GET /dashboard (the page) and
// GET /dashboard.json (the document, made by the host's callback on every request).
// The Prometheus endpoint (/metrics) stays the host's: it already serves monitor.hpp's
// exposition; `health_metrics` (dashboard.hpp) adds the jobs-by-health gauge to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <httplib.h>

#include "dashboard.hpp"
#include "dashboard_page.hpp"

namespace jobwire_dashboard {

/// The host's wall clock in Unix milliseconds (the document's `generated_at`).
inline std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// `document` is called for each GET /dashboard.json and returns the document's text.
template <class Document>
void mount(httplib::Server& server, Document document) {
  auto no_store = [](httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
  };
  server.Get("/dashboard", [no_store](const httplib::Request&, httplib::Response& res) {
    no_store(res);
    res.set_header("Content-Security-Policy", std::string(page_content_security_policy));
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_content(page_html.data(), page_html.size(), std::string(html_content_type));
  });
  server.Get("/dashboard.json",
             [no_store, document = std::move(document)](const httplib::Request&, httplib::Response& res) {
               no_store(res);
               res.set_content(document(), std::string(json_content_type));
             });
}

}  // namespace jobwire_dashboard
