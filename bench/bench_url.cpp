// url/<impl>/corpus1000: validating 1,000 realistic callback URLs (PROTOCOL.md §8).
//   jobwire:   check_callback_url (WHATWG parse of scheme/userinfo/host/port, IPv4/IPv6
//              number forms, percent-decoded host, strict policy and IANA classification)
//   boost_url: boost::urls::parse_uri (RFC 3986 syntax only: no host normalisation, no
//              policy) over the same corpus
// The corpus is generated deterministically: about 85% well-formed public https
// callbacks, the rest the hostile forms a validator must refuse.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/url/src.hpp>  // header-only Boost.URL: compiled into this TU only
#include <jobwire/callback_url.hpp>

#include "alloc_counter.hpp"

namespace {

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> urls = [] {
    std::vector<std::string> out;
    std::uint32_t seed = 0x6a6f6277u;
    auto next = [&] {
      seed = seed * 1664525u + 1013904223u;
      return seed >> 8;
    };
    const char* hosts[] = {"hooks.example.com",  "api.acme-video.io",      "webhooks.studio.example.net",
                           "cb.render-farm.dev", "events.customer-42.app", "ingest.media.example.org"};
    const char* paths[] = {"/webhooks/video", "/v1/callbacks/jobs", "/api/hooks/ai-stats", "/notify",
                           "/integrations/phaseo/events"};
    const char* hostile[] = {"https://169.254.169.254/latest/meta-data/",
                             "https://0xA9FEA9FE/",
                             "https://2130706433/admin",
                             "https://127.1:8080/",
                             "https://[::ffff:127.0.0.1]/",
                             "https://[64:ff9b::a9fe:a9fe]/",
                             "https://user:pw@hooks.example.com/",
                             "https://example.com@10.0.0.1/",
                             "http://hooks.example.com/webhooks",
                             "https://localhost./cb",
                             "https:\\\\192.168.0.10\\cb",
                             "https://%31%30.0.0.1/",
                             "https://foo.localhost/",
                             "https://[fd00:ec2::254]/",
                             "https://example.com:99999/"};
    for (int i = 0; i < 1000; ++i) {
      std::uint32_t r = next();
      if (r % 100 < 15) {
        out.emplace_back(hostile[next() % (sizeof hostile / sizeof hostile[0])]);
        continue;
      }
      std::string u = "https://";
      switch (r % 10) {
        case 0: u += "203." + std::to_string(next() % 200 + 1) + ".7." + std::to_string(next() % 250 + 1); break;
        case 1: u += "[2606:4700:" + std::to_string(next() % 9000 + 1000) + "::1111]"; break;
        default: u += hosts[next() % (sizeof hosts / sizeof hosts[0])]; break;
      }
      if (r % 7 == 0) u += ":" + std::to_string(8000 + next() % 1000);
      u += paths[next() % (sizeof paths / sizeof paths[0])];
      u += "/" + std::to_string(next());
      if (r % 3 == 0) u += "?token=" + std::to_string(next()) + "&kind=video";
      out.push_back(u);
    }
    return out;
  }();
  return urls;
}

void url_jobwire(benchmark::State& state) {
  const auto& urls = corpus();
  std::size_t accepted = 0;
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    for (const std::string& u : urls) {
      auto r = jobwire::check_callback_url(u);
      accepted += r.has_value();
      benchmark::DoNotOptimize(r);
    }
  }
  state.counters["accepted"] = static_cast<double>(accepted) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(urls.size()));
}

void url_boost(benchmark::State& state) {
  const auto& urls = corpus();
  std::size_t accepted = 0;
  jobwire_bench::alloc_scope allocs(state);
  for (auto _ : state) {
    for (const std::string& u : urls) {
      auto r = boost::urls::parse_uri(u);
      accepted += r.has_value();
      benchmark::DoNotOptimize(r);
    }
  }
  state.counters["accepted"] = static_cast<double>(accepted) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(urls.size()));
}

}  // namespace

BENCHMARK(url_jobwire)->Name("url/jobwire/corpus1000");
BENCHMARK(url_boost)->Name("url/boost_url/corpus1000");
