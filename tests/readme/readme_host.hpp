// What the README's embedding snippet assumes of its host: an HTTP request with a raw body
// and a header container, a response with a status, the application's database and a log
// function. Declarations only: the snippet is compiled, not run (tests/readme).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <jobwire/receiver.hpp>

namespace readme_host {
struct http_request {
  std::string body;
  std::multimap<std::string, std::string> headers;
};
struct http_response {
  int status = 0;
};
struct database {
  std::optional<jobwire::job_state> load_job(std::string_view job_id);
  jobwire::void_result schedule_refetch(std::string_view job_id);
  jobwire::void_result save_and_publish(std::string_view job_id, const jobwire::job_state& next,
                                        std::string_view dedup_key);
};
}  // namespace readme_host

void log(const char* format, ...);
