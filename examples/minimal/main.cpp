// The smallest complete webhook receiver: POST /webhooks/video on 127.0.0.1:8080.
//   JOBWIRE_SECRET=whsec_... JOBWIRE_API=http://gateway:port ./jobwire-minimal-receiver
// One verifier and one in-memory dedup store, shared by all of cpp-httplib's worker
// threads (neither needs a lock); job states in a map. The full example is ../receiver/.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <jobwire/jobwire.hpp>

int main() {
  const char* secret = std::getenv("JOBWIRE_SECRET");
  const char* api = std::getenv("JOBWIRE_API");
  auto secrets = jobwire::verifier::create({std::string_view(secret ? secret : "")});
  if (!secrets || !api) return std::fprintf(stderr, "set JOBWIRE_SECRET and JOBWIRE_API\n"), 2;
  jobwire::memory_dedup_store store;
  std::mutex lock;  // for the map below
  std::map<std::string, jobwire::job_state, std::less<>> jobs;
  auto held = [&](std::string_view id) -> std::optional<jobwire::job_state> {
    std::lock_guard<std::mutex> l(lock);
    auto it = jobs.find(id);
    return it == jobs.end() ? std::nullopt : std::optional<jobwire::job_state>(it->second);
  };

  httplib::Server server;
  server.Post("/webhooks/video", [&](const httplib::Request& req, httplib::Response& res) {
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const jobwire::receipt r = jobwire::receive_delivery(
        req.body, req.headers, *secrets, store, now, held,
        [&](const jobwire::envelope_view& e, const jobwire::reconcile_decision& d,
            const jobwire::dedup_key&) -> jobwire::void_result {
          jobwire::job_state next = d.next;
          if (d.action == jobwire::reconcile_action::refetch) {  // ask the service (§13.3)
            auto got = httplib::Client(api).Get(jobwire::status_request(e.data.id).target());
            auto s = got && got->status == 200 ? jobwire::parse_status_object(got->body)
                                               : jobwire::result<jobwire::status_view>(jobwire::errc::io_error);
            if (!s) return s.error();  // 503: the sender retries
            next = jobwire::state_from(*s, held(e.data.id.str()));
          }
          std::lock_guard<std::mutex> l(lock);
          jobs[std::string(e.data.id.str())] = next;  // your side effect goes with this
          return {};
        });
    std::printf("%d %s %s\n", r.http_status, jobwire::receiver_decision_name(r.action).data(), r.reason().data());
    res.status = r.http_status;
  });
  server.listen("127.0.0.1", 8080);
}
