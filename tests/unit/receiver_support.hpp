// Signed deliveries for the receiver tests: envelopes written as JSON text and signed with
// signature.hpp exactly as the sender does (PROTOCOL.md §9, §10).
#pragma once

#include <jobwire/receiver.hpp>
#include <jobwire/signature.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace receiver_test {

constexpr const char* secret = "whsec_receiver_test_secret";
constexpr std::int64_t t0 = 1781166600;  // a fixed "now" in Unix seconds

using header_list = std::vector<std::pair<std::string, std::string>>;

struct delivery {
  std::string body;
  header_list headers;
};

struct delivery_spec {
  std::string job = "G-job-1";
  std::string type = "video.completed";
  std::string key;  ///< defaults to `type`
  std::string status = "completed";
  std::string lifecycle;  ///< lifecycle_status member, omitted when empty
  double progress = -1;   ///< omitted when negative
  unsigned attempt = 1;
  std::int64_t timestamp = t0;
  std::string signing_secret = secret;
  bool with_delivery = true;  ///< false: no `delivery` object (event-id dedup)
  std::string event_id;       ///< defaults to one derived from job and key
};

inline std::string event_id_for(const std::string& job, const std::string& key) {
  std::string id = "evt_" + job + "_" + key;
  for (char& c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) c = '_';
  return id;
}

inline delivery make_delivery(const delivery_spec& s) {
  const std::string key = s.key.empty() ? s.type : s.key;
  const std::string id = s.event_id.empty() ? event_id_for(s.job, key) : s.event_id;
  std::string body = "{\"id\":\"" + id + "\",\"type\":\"" + s.type + "\",\"created_at\":" + std::to_string(s.timestamp);
  if (s.with_delivery)
    body += ",\"delivery\":{\"key\":\"" + key + "\",\"attempt\":" + std::to_string(s.attempt) + ",\"max_attempts\":4}";
  body += ",\"data\":{\"id\":\"" + s.job + "\",\"object\":\"video\",\"status\":\"" + s.status + "\"";
  if (!s.lifecycle.empty()) body += ",\"lifecycle_status\":\"" + s.lifecycle + "\"";
  if (s.progress >= 0) body += ",\"progress\":" + std::to_string(static_cast<int>(s.progress));
  body += "}}";
  const std::string ts = std::to_string(s.timestamp);
  auto sig = jobwire::sign(s.signing_secret, ts, body);
  delivery d;
  d.body = body;
  d.headers = {{"Content-Type", "application/json"},
               {"X-AI-Stats-Timestamp", ts},
               {"X-AI-Stats-Signature", sig ? sig->to_string() : std::string("unsigned")},
               {"X-AI-Stats-Event-Id", id},
               {"X-AI-Stats-Event-Type", s.type}};
  if (s.with_delivery) {
    d.headers.emplace_back("X-AI-Stats-Delivery-Key", key);
    d.headers.emplace_back("X-AI-Stats-Attempt", std::to_string(s.attempt));
  }
  return d;
}

inline jobwire::dedup_time at(std::int64_t unix_seconds) {
  return jobwire::dedup_time{std::chrono::seconds{unix_seconds}};
}

}  // namespace receiver_test
