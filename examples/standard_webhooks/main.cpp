// A complete Standard Webhooks receiver (PROTOCOL.md §17, docs/STANDARD_WEBHOOKS.md):
// POST /webhooks on 127.0.0.1:8081, for any sender that signs the Standard Webhooks way —
// OpenAI (video.completed / video.failed), Replicate, Svix-based senders.
//   JOBWIRE_PROFILE=openai JOBWIRE_SECRET=whsec_... ./jobwire-standard-webhooks-receiver
//   JOBWIRE_PROFILE=standard JOBWIRE_SECRET=whsec_... [JOBWIRE_PUBLIC_KEY=whpk_...] ...
// One verifier (secrets and Ed25519 public keys, checked once here) and one in-memory dedup
// store keyed by webhook-id, shared by all of cpp-httplib's worker threads without a lock.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <jobwire/jobwire.hpp>

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one line per request, also into a pipe or file
  const char* secret = std::getenv("JOBWIRE_SECRET");
  const char* public_key = std::getenv("JOBWIRE_PUBLIC_KEY");
  const char* profile_name = std::getenv("JOBWIRE_PROFILE");
  const jobwire::profile* prof = jobwire::find_profile(profile_name ? profile_name : "standard");
  if (prof == nullptr || prof->scheme != jobwire::signature_scheme::webhooks)
    return std::fprintf(stderr, "JOBWIRE_PROFILE must be standard or openai\n"), 2;

  // The keys, for this profile's scheme only: a key it cannot use fails now, not per request.
  std::vector<std::string_view> secrets, public_keys;
  if (secret != nullptr) secrets.emplace_back(secret);
  if (public_key != nullptr) public_keys.emplace_back(public_key);
  jobwire::key_options keys;
  keys.service_scheme = false;
  keys.prefixless = prof->prefixless_key_is_base64 ? jobwire::key_format::base64 : jobwire::key_format::raw;
  auto verifier =
      jobwire::verifier::create(secrets.data(), secrets.size(), public_keys.data(), public_keys.size(), keys);
  if (!verifier || verifier->empty()) {
    std::fprintf(stderr, "set JOBWIRE_SECRET and/or JOBWIRE_PUBLIC_KEY (%s)\n",
                 verifier ? "no key" : verifier.error().name().data());
    return 2;
  }
  jobwire::memory_dedup_store store;
  jobwire::receiver_options opt;
  opt.verify.prof = prof;
  std::mutex log_lock;

  httplib::Server server;
  server.Post("/webhooks", [&](const httplib::Request& req, httplib::Response& res) {
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const jobwire::receipt r = jobwire::receive_webhook(
        req.body, req.headers, *verifier, store, now,
        [&](const jobwire::authenticated_delivery& d, const jobwire::dedup_key&) -> jobwire::void_result {
          // The body is authenticated; JSON is optional. OpenAI: {"type":"video.completed",
          // "data":{"id":"video_..."}} names the video to fetch (GET /v1/videos/{id}).
          auto event = jobwire::parse_webhook_event(d.body.bytes());
          std::lock_guard<std::mutex> l(log_lock);
          if (event)
            std::printf("event %.*s type=%.*s data.id=%.*s\n", static_cast<int>(d.message_id.size()),
                        d.message_id.data(), static_cast<int>(event->type.size()), event->type.data(),
                        static_cast<int>(event->data_id.size()), event->data_id.data());
          else
            std::printf("event %.*s (%zu bytes, not JSON)\n", static_cast<int>(d.message_id.size()),
                        d.message_id.data(), d.body.bytes().size());
          return {};  // an error here: 503, the claim is released and the retry is processed
        },
        opt);
    std::printf("%d %s %s\n", r.http_status, jobwire::receiver_decision_name(r.action).data(), r.reason().data());
    res.status = r.http_status;
  });
  server.listen("127.0.0.1", 8081);
}
