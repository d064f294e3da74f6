// jobwire-dashboard-sample DIR — writes DIR/dashboard.html (the page, byte for byte as the
// hosts serve it) and DIR/dashboard.json (the document for sample_jobs.hpp, stamped now).
// Serve DIR over HTTP to look at the page without the demo; the browser test does exactly
// that to check the rendering of every health class and of hostile text.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "dashboard.hpp"
#include "dashboard_page.hpp"
#include "sample_jobs.hpp"

namespace {
bool write(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f.flush());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: jobwire-dashboard-sample DIR\n");
    return 2;
  }
  using namespace std::chrono;
  const std::int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const auto jobs = jobwire_dashboard::sample_jobs(now);
  jobwire_dashboard::document_sources src;
  src.kind = jobwire_dashboard::view::sender;
  src.now_ms = now;
  const std::string dir = argv[1];
  if (!write(dir + "/dashboard.html", jobwire_dashboard::page_html) ||
      !write(dir + "/dashboard.json", jobwire_dashboard::render_document(jobwire_dashboard::sample_rows(jobs), src))) {
    std::fprintf(stderr, "jobwire-dashboard-sample: cannot write into %s\n", dir.c_str());
    return 3;
  }
  return 0;
}
