// Four threads reading webhook bodies whose members come in two orders: the service's, and
// every object reversed. The payload readers learn the order a sender writes members in and
// share what they learned between threads (payload_fields.hpp, member_order: relaxed
// atomic bytes). Built with -fsanitize=thread (tests/tsan/CMakeLists.txt): a data race is a
// ThreadSanitizer report and a failed test. Beyond the sanitizer, every reading must equal
// the one made before any thread started, whatever the others were teaching the readers.
#include <jobwire/payload.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../fuzz/reference/payload_digest.hpp"
#include "../unit/member_order.hpp"

namespace {
std::string fixture(const char* name) {
  std::ifstream in(std::string(JOBWIRE_TEST_SOURCE_DIR) + "/tests/data/payloads/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

int main() {
  std::vector<std::string> bodies;
  for (const char* name : {"envelope_completed.json", "envelope_progress.json", "status_completed.json"}) {
    const std::string t = fixture(name);
    const auto r = member_order_test::reversed_members(t);
    if (t.empty() || !r) {
      std::fprintf(stderr, "cannot read or reverse %s\n", name);
      return 1;
    }
    bodies.push_back(t);
    bodies.push_back(*r);
  }
  const auto read = [](const std::string& t) {
    return jobwire_reference::read_all(t, jobwire::payload_options{}, jobwire::detail::reading::fused);
  };
  std::vector<std::string> expected;
  for (const std::string& t : bodies) expected.push_back(read(t));

  constexpr int threads = 4, rounds = 400;
  std::atomic<int> wrong{0}, reads{0};
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k)
    pool.emplace_back([&, k] {
      for (int i = 0; i < rounds; ++i) {
        // Each thread its own mix, so that orders alternate between threads as well.
        const std::size_t b = static_cast<std::size_t>(i * (k + 1) + k) % bodies.size();
        if (read(bodies[b]) != expected[b]) ++wrong;
        ++reads;
      }
    });
  for (auto& t : pool) t.join();
  std::printf("%d readings, %d different from the single-threaded one\n", reads.load(), wrong.load());
  return wrong.load() == 0 && reads.load() == threads * rounds ? 0 : 1;
}
