// Command-line flags and server start-up shared by the example programs (host plumbing,
// no protocol logic). Flags are `--name value` or `--name` (switches); an unknown flag or
// a missing value stops the program with exit status 2.
#pragma once

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace example {

class args {
 public:
  /// `valued`: flags that take a value; `switches`: flags that do not.
  args(int argc, char** argv, std::set<std::string> valued, std::set<std::string> switches) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (switches.count(a)) {
        values_[a].push_back("1");
      } else if (valued.count(a) && i + 1 < argc) {
        values_[a].push_back(argv[++i]);
      } else {
        std::fprintf(stderr, "%s: unknown flag or missing value: %s\n", argv[0], a.c_str());
        std::exit(2);
      }
    }
  }
  bool has(const std::string& f) const { return values_.count(f) != 0; }
  std::string get(const std::string& f, const std::string& fallback = {}) const {
    auto it = values_.find(f);
    return it == values_.end() ? fallback : it->second.back();
  }
  std::string required(const std::string& f) const {
    if (!has(f)) {
      std::fprintf(stderr, "missing required flag %s\n", f.c_str());
      std::exit(2);
    }
    return get(f);
  }
  /// The webhook secret: `--secret-file PATH` (the file's content, one trailing newline
  /// removed), else the environment variable JOBWIRE_SECRET, else `--secret S`. The first
  /// two keep the secret out of the process list (`ps` shows every argument).
  std::string secret() const {
    if (has("--secret-file")) {
      const std::string path = get("--secret-file");
      std::FILE* f = std::fopen(path.c_str(), "rb");
      if (f == nullptr) {
        std::fprintf(stderr, "cannot open --secret-file %s\n", path.c_str());
        std::exit(3);
      }
      std::string s;
      char buf[256];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
      std::fclose(f);
      if (!s.empty() && s.back() == '\n') s.pop_back();
      if (!s.empty() && s.back() == '\r') s.pop_back();
      return s;
    }
    if (const char* env = std::getenv("JOBWIRE_SECRET"); env != nullptr && !has("--secret")) return env;
    return required("--secret");
  }
  std::vector<std::string> all(const std::string& f) const {
    auto it = values_.find(f);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  double number(const std::string& f, double fallback) const {
    if (!has(f)) return fallback;
    const std::string v = get(f);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') {
      std::fprintf(stderr, "flag %s: not a number: %s\n", f.c_str(), v.c_str());
      std::exit(2);
    }
    return d;
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

/// Call first in main, before any thread starts: SIGTERM/SIGINT are then delivered only to
/// the thread `serve_loopback` starts for them (sigwait), which stops the server outside
/// signal-handler context. SIGPIPE is ignored: a peer that closes a connection while it is
/// written to must fail that write, not end the process (cpp-httplib sends plain sockets'
/// data with MSG_NOSIGNAL, but OpenSSL writes a TLS connection with write(2)).
inline void block_stop_signals() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

/// Binds 127.0.0.1:`port` (0 picks a free port), prints `listening http://127.0.0.1:PORT`
/// on stdout (the demo reads that line to learn the port, so no port is chosen in advance
/// and raced for), and serves until SIGTERM/SIGINT.
inline int serve_loopback(httplib::Server& server, int port, const char* name) {
  int bound = port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "%s: cannot bind 127.0.0.1:%d\n", name, port);
    return 3;
  }
  std::thread([&server] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
  }).detach();
  std::printf("listening http://127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 3;
}

}  // namespace example
