// What the example receiver observed, served as JSON on GET /stats.
//
// Format (stable; `jobwire demo` reads it and an operations page can poll it):
//   {"decisions":{"process":N,"duplicate":N,"in_flight":N,"ignore_stale":N,
//                 "no_change":N,"refetch":N,"reject":N},
//    "rejections":{"<error code>":N,...},   "retries_seen":N,
//    "side_effects":[{"job_id":"...","delivery_key":"...","executed":N,"failed":N}],
//    "deliveries":[{"job_id":"...","delivery_key":"...","attempt":N,
//                   "action":"...","http_status":N,"reason":"..."}],     (newest 1000)
//    "refetches":[{"job_id":"...","reason":"...","http_status":N,"status":"..."}]}
// The counters are jobwire's receiver counters (monitor.hpp), filled by receive_delivery
// itself (receiver_options::counters); the Prometheus exposition is served from them. Every string is written through
// the JSON writer: job ids and reasons come from the network.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <jobwire/json_writer.hpp>
#include <jobwire/monitor.hpp>

namespace example {

struct delivery_record {
  std::string job_id, delivery_key, action, reason;
  unsigned attempt = 0;
  int http_status = 0;
};

struct refetch_record {
  std::string job_id, reason, status;
  int http_status = 0;
};

class receiver_stats {
 public:
  /// For receiver_options::counters (atomic: safe to update outside our lock).
  jobwire::atomic_receiver_counters* counters() { return &counters_; }

  void record(delivery_record r) {
    std::lock_guard<std::mutex> lock(m_);
    deliveries_.push_back(std::move(r));
    if (deliveries_.size() > max_records) deliveries_.pop_front();
  }
  void side_effect(const std::string& job_id, const std::string& key, bool ok) {
    std::lock_guard<std::mutex> lock(m_);
    auto& c = effects_[{job_id, key}];
    (ok ? c.first : c.second) += 1;
  }
  void refetch(refetch_record r) {
    std::lock_guard<std::mutex> lock(m_);
    refetches_.push_back(std::move(r));
    if (refetches_.size() > max_records) refetches_.pop_front();
  }

  /// The Prometheus text exposition of the receiver counters (monitor.hpp).
  std::string prometheus() const {
    std::lock_guard<std::mutex> lock(m_);
    const jobwire::receiver_counters snapshot = counters_.snapshot();
    jobwire::exposition_sources src;
    src.receiver = &snapshot;
    std::string out;
    (void)jobwire::append_prometheus_text(out, src);
    return out;
  }

  std::string to_json() const {
    std::lock_guard<std::mutex> lock(m_);
    std::string out;
    jobwire::json::writer w(out);
    const jobwire::receiver_counters counts = counters_.snapshot();
    w.begin_object().key("decisions").begin_object();
    for (std::size_t i = 0; i < jobwire::receiver_decision_count; ++i) {
      auto d = static_cast<jobwire::receiver_decision>(i);
      w.field(jobwire::receiver_decision_name(d), counts.count(d));
    }
    w.end_object().key("rejections").begin_object();
    for (std::size_t i = 0; i < jobwire::error_code_count; ++i) {
      jobwire::errc c = jobwire::error_at_index(i);
      if (std::uint64_t n = counts.rejected_for(c)) w.field(jobwire::error_name(c), n);
    }
    w.end_object().field("retries_seen", counts.retries_seen);
    w.key("side_effects").begin_array();
    for (const auto& [k, c] : effects_)
      w.begin_object()
          .field("job_id", k.first)
          .field("delivery_key", k.second)
          .field("executed", c.first)
          .field("failed", c.second)
          .end_object();
    w.end_array().key("deliveries").begin_array();
    for (const auto& r : deliveries_)
      w.begin_object()
          .field("job_id", r.job_id)
          .field("delivery_key", r.delivery_key)
          .field("attempt", r.attempt)
          .field("action", r.action)
          .field("http_status", r.http_status)
          .field("reason", r.reason)
          .end_object();
    w.end_array().key("refetches").begin_array();
    for (const auto& r : refetches_)
      w.begin_object()
          .field("job_id", r.job_id)
          .field("reason", r.reason)
          .field("http_status", r.http_status)
          .field("status", r.status)
          .end_object();
    w.end_array().end_object();
    return out;
  }

 private:
  static constexpr std::size_t max_records = 1000;
  mutable std::mutex m_;
  jobwire::atomic_receiver_counters counters_;
  std::deque<delivery_record> deliveries_;
  std::deque<refetch_record> refetches_;
  std::map<std::pair<std::string, std::string>, std::pair<std::uint64_t, std::uint64_t>> effects_;
};

}  // namespace example
