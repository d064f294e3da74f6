// The outbox worker: sends due outbox rows over HTTP (cpp-httplib) from several threads,
// records each attempt's verdict, and keeps its leases alive while it sends
// (PROTOCOL.md §12, §16.5, §16.7, §17 "Sending"; docs/CLI.md `jobwire outbox … work`).
//
// Host code, not library code: it owns threads, sockets and the clock. Every protocol
// decision comes from the headers — the payload, the request and the verdict from
// jobwire/outbox_delivery.hpp, the lease rules from the store (jobwire/outbox.hpp).
//
// Guarantees, and how:
//   - at least once: a row is recorded only after its attempt; a worker killed between
//     send and record leaves the row leased, its lease expires, another worker takes it
//     over (counted) and sends again — the one duplicate a crash can cause;
//   - no late overwrite: a record under a lease that was taken over fails `claim_lost`
//     and changes nothing;
//   - long sends: a keeper thread extends the lease of every row a thread holds, so a slow
//     receiver (up to the 120 s timeout of §12) never loses the row to another worker;
//   - store outages: every store failure is retried with a capped exponential backoff;
//     a verdict is re-recorded until it lands or the lease is lost (an outage longer
//     than the lease is the other way a row is sent twice: the keeper cannot renew it);
//   - the send-time URL rule (§16.4): the URL is checked again, the host resolved here and
//     every address checked, the request pinned to a checked address, no redirect followed;
//   - graceful stop (SIGINT/SIGTERM, --max-seconds, --until-idle): a send in flight
//     finishes and is recorded; rows leased but not yet sent are released.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include <jobwire/callback_url.hpp>
#include <jobwire/monitor.hpp>
#include <jobwire/outbox.hpp>
#include <jobwire/outbox_delivery.hpp>
#include <jobwire/unix_time.hpp>

namespace jobwire_outbox {

inline jobwire::unix_time wall_now() { return jobwire::to_unix_time(std::chrono::system_clock::now()); }

/// One attempt as the worker made and recorded it, for a host that keeps its own view of
/// the deliveries (the gateway example's per-job ledger). Views are valid during the call.
struct attempt_event {
  const jobwire::outbox_lease& lease;
  const jobwire::outbox_message& message;
  const jobwire::outbox_observation& observation;
  const jobwire::outbox_record& record;  ///< as recorded
  std::string_view error;                ///< empty for a 2xx
  std::string_view response_body;        ///< the first bytes of the response body
};

struct worker_options {
  unsigned threads = 1;
  /// Every delay the rules give (retry schedule, throttle) is divided by this (tests).
  double time_scale = 1;
  /// Stop once nothing is pending or scheduled (leased rows count: another worker may
  /// still fail them).
  bool until_idle = false;
  /// Stop after this long (0: no bound).
  std::chrono::milliseconds max_run{0};
  /// How long a lease lasts; the keeper renews rows in flight every third of it.
  std::chrono::milliseconds lease{60000};
  /// Rows leased at once per thread.
  std::size_t batch = 4;
  /// Sleep between polls when nothing is due.
  std::chrono::milliseconds idle_poll{50};
  /// The request timeout (§12: 1..120 s); 0: the profile's.
  std::int64_t request_timeout_seconds = 0;
  /// Names this process's leases in the store (diagnostics).
  std::string name = "jobwire-outbox";
  /// One line per attempt on stderr.
  bool verbose = false;
  /// Called after each attempt whose verdict the store accepted (from the sending thread).
  std::function<void(const attempt_event&)> on_attempt;
};

/// Counters of one `work` run (all threads), for the summary and the Prometheus text.
struct worker_metrics {
  std::atomic<std::uint64_t> attempts{0};           ///< requests sent (or refused by the URL check)
  std::atomic<std::uint64_t> delivered{0};          ///< rows that ended delivered
  std::atomic<std::uint64_t> retries_scheduled{0};  ///< attempts that scheduled a retry
  std::atomic<std::uint64_t> failed{0};             ///< rows that ended failed_permanently by a verdict
  std::atomic<std::uint64_t> unsendable{0};         ///< rows failed without a send (payload, build)
  std::atomic<std::uint64_t> endpoints_disabled{0};
  std::atomic<std::uint64_t> rows_failed_by_disable{0};
  std::atomic<std::uint64_t> lease_takeovers{0};
  std::atomic<std::uint64_t> claims_lost{0};  ///< verdicts refused: the lease had been taken over
  std::atomic<std::uint64_t> released{0};     ///< rows given back unsent at stop
  std::atomic<std::uint64_t> store_errors{0};
  std::atomic<std::uint64_t> by_outcome[jobwire::outcome_class_count]{};
  /// Wall time spent in the sending threads' store calls (lease, record) and in HTTP
  /// requests, in nanoseconds: where a delivery's time goes (bench/bench_outbox.cpp).
  std::atomic<std::uint64_t> store_ns{0};
  std::atomic<std::uint64_t> http_ns{0};
};

/// Adds the time since `since` to `into` (nanoseconds).
inline void add_elapsed(std::atomic<std::uint64_t>& into, std::chrono::steady_clock::time_point since) {
  into.fetch_add(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count()));
}

/// The Prometheus text (format 0.0.4) of a run's counters and, when given, the outbox's
/// gauges at `counts`.
inline std::string prometheus_text(const worker_metrics& m, const jobwire::outbox_counts* counts) {
  using jobwire::metric_type;
  std::string out;
  jobwire::prometheus_writer w(out);
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& v) {
    w.family(name, help, metric_type::counter);
    w.sample(name, {}, v.load(std::memory_order_relaxed));
  };
  w.family("jobwire_outbox_attempts_total", "Delivery attempts made by this worker, by observed outcome.",
           metric_type::counter);
  for (std::size_t i = 0; i < jobwire::outcome_class_count; ++i)
    w.sample("jobwire_outbox_attempts_total",
             {"outcome", jobwire::outcome_class_name(static_cast<jobwire::outcome_class>(i))},
             m.by_outcome[i].load(std::memory_order_relaxed));
  counter("jobwire_outbox_sent_total", "Deliveries this worker delivered (2xx).", m.delivered);
  counter("jobwire_outbox_retried_total", "Attempts this worker recorded as scheduled for retry.", m.retries_scheduled);
  counter("jobwire_outbox_failed_total", "Deliveries this worker failed permanently (by the rules or unsendable).",
          m.failed);
  counter("jobwire_outbox_unsendable_total",
          "Rows failed without a request: unreadable payload or unbuildable delivery.", m.unsendable);
  counter("jobwire_outbox_endpoints_disabled_total", "Endpoints this worker's verdicts disabled (410, failure streak).",
          m.endpoints_disabled);
  counter("jobwire_outbox_lease_takeovers_total", "Rows leased after another worker's lease expired unrecorded.",
          m.lease_takeovers);
  counter("jobwire_outbox_claims_lost_total", "Verdicts refused because the lease had been taken over.", m.claims_lost);
  counter("jobwire_outbox_released_total", "Rows given back unsent at shutdown.", m.released);
  counter("jobwire_outbox_store_errors_total", "Store operations that failed and were retried.", m.store_errors);
  if (counts != nullptr) {
    w.family("jobwire_outbox_queue_depth", "Rows pending or scheduled for retry (leased or not).", metric_type::gauge);
    w.sample("jobwire_outbox_queue_depth", {}, counts->pending + counts->scheduled_retry);
    w.family("jobwire_outbox_rows", "Rows by state.", metric_type::gauge);
    w.sample("jobwire_outbox_rows", {"state", "pending"}, counts->pending);
    w.sample("jobwire_outbox_rows", {"state", "scheduled_retry"}, counts->scheduled_retry);
    w.sample("jobwire_outbox_rows", {"state", "delivered"}, counts->delivered);
    w.sample("jobwire_outbox_rows", {"state", "failed_permanently"}, counts->failed_permanently);
    w.family("jobwire_outbox_leased", "Rows under a live lease.", metric_type::gauge);
    w.sample("jobwire_outbox_leased", {}, counts->leased);
    w.family("jobwire_outbox_oldest_pending_age_seconds", "Age of the oldest due row nobody holds.",
             metric_type::gauge);
    w.sample("jobwire_outbox_oldest_pending_age_seconds", {},
             static_cast<std::uint64_t>(counts->oldest_due_age_ms > 0 ? counts->oldest_due_age_ms / 1000 : 0));
    w.family("jobwire_outbox_endpoints_disabled", "Endpoints disabled in the store.", metric_type::gauge);
    w.sample("jobwire_outbox_endpoints_disabled", {}, counts->endpoints_disabled);
  }
  return out;
}

/// What one HTTP attempt gave.
struct http_result {
  jobwire::attempt_outcome outcome = jobwire::attempt_outcome::network_failure();
  bool has_retry_after = false;
  std::string retry_after;
  std::string body;    ///< the response body's first bytes (for a host's attempt history)
  std::string detail;  ///< network errors: what failed
  /// The host resolved to an address the policy refuses (or did not resolve): nothing was
  /// sent, and `detail` is the service's wording of the refusal (§16.4).
  bool url_rejected = false;
};

/// Resolves `host` and checks every address it gets under `policy` (callback_url.hpp,
/// `check_resolved_address`): empty and `pinned` set to the first address when all pass,
/// else the reason. The request then connects to `pinned` only, so a second lookup by the
/// HTTP library cannot swap in an address nobody checked (DNS rebinding).
inline std::string resolve_checked(const std::string& host, jobwire::url_policy policy, std::string& pinned) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0 || list == nullptr)
    return "webhook_url_dns_resolution_failed";
  std::string why;
  pinned.clear();
  for (addrinfo* a = list; a != nullptr && why.empty(); a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    if (::inet_ntop(a->ai_family, raw, text, sizeof text) == nullptr) continue;
    const jobwire::errc verdict = jobwire::check_resolved_address(text, policy);
    if (verdict != jobwire::errc::ok) why = std::string(jobwire::error_name(verdict)) + " (" + text + ")";
    else if (pinned.empty()) pinned = text;
  }
  ::freeaddrinfo(list);
  if (why.empty() && pinned.empty()) why = "webhook_url_dns_resolution_failed";
  return why;
}

/// The store-outage backoff (file comment): the wait after `d` is twice `d`, at most `cap`.
/// Opening a store starts at `open_backoff`, leasing at `lease_backoff`; recording a
/// verdict, which holds a lease meanwhile, caps at 2 s.
constexpr std::chrono::milliseconds open_backoff{100}, lease_backoff{50}, backoff_cap{5000};
inline std::chrono::milliseconds doubled(std::chrono::milliseconds d,
                                         std::chrono::milliseconds cap = backoff_cap) noexcept {
  return std::min(d * 2, cap);
}

/// Cuts a request at its deadline at whatever stage it is in (§16.5: the timeout bounds the
/// whole attempt). cpp-httplib's timeouts are per read, and its progress callback runs only
/// while a body is read: a receiver that answers — or does its TLS handshake — a byte at a
/// time, each within the read timeout, would hold the sending thread for as long as it
/// likes. cpp-httplib's own `stop()` cannot help during the handshake: it waits for a lock
/// the handshake holds. So each connection's socket is duplicated when cpp-httplib opens it
/// (its socket-options hook, `adopt`), and past the deadline a watcher thread shuts that
/// socket down (`shutdown(2)` acts on the socket, whichever descriptor names it): the
/// blocked read, write or handshake step returns at once and the request fails. The
/// watcher fires again every 100 ms until the request has returned, for a connection opened
/// after the first firing. The duplicate is closed only under the watcher's lock, so the
/// watcher never shuts down a descriptor number the process has since reused.
class request_deadline {
 public:
  using clock = std::chrono::steady_clock;

  /// One connection's duplicated socket. Keep it beside the client whose socket-options
  /// hook calls `adopt`; it closes the duplicate (under the watcher's lock) when it goes,
  /// which must be before its `request_deadline` goes.
  class connection {
   public:
    explicit connection(request_deadline& d) noexcept : d_(d) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { d_.adopt(*this, -1); }
    /// The hook: `sock` is the client's new connection.
    void adopt(int sock) { d_.adopt(*this, sock); }

   private:
    friend class request_deadline;
    request_deadline& d_;
    int fd_ = -1;
  };

  request_deadline() = default;
  request_deadline(const request_deadline&) = delete;
  request_deadline& operator=(const request_deadline&) = delete;
  ~request_deadline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  /// Arms for one request over `c`'s client; disarms when it goes out of scope, also when
  /// the request throws.
  class armed {
   public:
    armed(request_deadline& d, connection& c, clock::time_point deadline) : d_(d) { d_.arm(c, deadline); }
    armed(const armed&) = delete;
    armed& operator=(const armed&) = delete;
    ~armed() { (void)d_.disarm(); }
    /// Stops watching; true when the request was cut.
    bool cut() { return d_.disarm(); }

   private:
    request_deadline& d_;
  };

 private:
  // `c` now duplicates `sock` (none for -1); the previous duplicate is closed.
  void adopt(connection& c, int sock) {
    std::lock_guard<std::mutex> lock(mu_);
    if (c.fd_ >= 0) ::close(c.fd_);
    c.fd_ = sock >= 0 ? ::fcntl(sock, F_DUPFD_CLOEXEC, 0) : -1;
  }
  void arm(connection& c, clock::time_point deadline) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    watched_ = &c;
    deadline_ = deadline;
    fired_ = false;
    cv_.notify_one();
  }
  bool disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    watched_ = nullptr;
    return fired_;
  }

  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!quit_) {
      if (watched_ == nullptr) {
        cv_.wait(lock);
      } else if (clock::now() >= deadline_) {
        if (watched_->fd_ >= 0) ::shutdown(watched_->fd_, SHUT_RDWR);
        fired_ = true;
        deadline_ = clock::now() + std::chrono::milliseconds(100);
      } else {
        cv_.wait_until(lock, deadline_);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  connection* watched_ = nullptr;
  clock::time_point deadline_{};
  bool fired_ = false;
  bool quit_ = false;
  std::thread thread_;
};

/// One thread's HTTP side: a keep-alive client per origin (a worker sending many rows to
/// one receiver reuses its connection), redirects never followed (§16.5: a 3xx is a
/// failure), https through OpenSSL when cpp-httplib was built with it.
class http_sender {
 public:
  /// The most of an answer's body kept (the ledger's preview reads the first 500 bytes).
  static constexpr std::size_t max_kept_body_bytes = 4096;

  /// Posts `req` to `url`, already parsed and accepted as `parsed` under `opt`.
  http_result post(const std::string& url, const jobwire::http_url& parsed, const jobwire::callback_url_options& opt,
                   const jobwire::outbox_request& req, std::int64_t timeout_seconds) {
    http_result r;
    // A host name is resolved here and every address checked (§16.4 step 4, SECURITY.md
    // "Check resolved addresses"); the development leniency only lets the URL's own
    // localhost through, never a name that resolves to loopback.
    std::string pinned;
    const std::string host(parsed.host());
    const bool local_ok = jobwire::allows(opt.leniency, jobwire::lenient::local_callback_urls) &&
                          jobwire::url_detail::is_exact_local_host(parsed.host());
    if (parsed.kind == jobwire::host_kind::domain && !local_ok) {
      const std::string why = resolve_checked(host, opt.policy, pinned);
      if (!why.empty()) {
        r.url_rejected = true;
        r.detail = "Webhook URL rejected: " + why;
        return r;
      }
    }
    // The URL passed the policy (callback_url.hpp) and is in WHATWG serialisation:
    // scheme://host[:port]/path[?query][#fragment]. The fragment never goes on the wire.
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) {
      r.detail = "not an absolute http(s) URL";
      return r;
    }
    std::string target_url = url.substr(0, url.find('#'));
    const std::size_t path_at = target_url.find_first_of("/?", scheme_end + 3);
    const std::string origin = target_url.substr(0, path_at);
    std::string target = path_at == std::string::npos ? "/" : target_url.substr(path_at);
    if (target[0] == '?') target.insert(0, "/");
    client_entry* entry = entry_for(origin, timeout_seconds);
    httplib::Client* client = entry->client.get();
    if (client == nullptr || !client->is_valid()) {
      r.detail = "no HTTP client for " + origin + " (https needs cpp-httplib with OpenSSL)";
      return r;
    }
    std::map<std::string, std::string> pin;
    if (!pinned.empty()) pin.emplace(host, pinned);
    client->set_hostname_addr_map(std::move(pin));
    httplib::Headers headers;
    std::string content_type = "application/json";
    for (const auto& h : req.headers) {
      if (h.first == "content-type") content_type = h.second;  // passed separately to Post
      else headers.emplace(h.first, h.second);
    }
    // The timeout bounds the whole attempt, reading the answer included (§16.5): a
    // receiver that trickles its headers or its body a byte at a time never trips the
    // per-read timeout, so the request runs under a deadline (request_deadline; the body's
    // progress callback ends a body read at the same deadline), and only the body's first
    // kilobytes are kept (the preview needs 500 characters; a huge answer must not grow
    // the worker's memory).
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + std::chrono::seconds(timeout_seconds);
    httplib::Request hreq;
    hreq.method = "POST";
    hreq.path = target;
    hreq.headers = std::move(headers);
    hreq.set_header("Content-Type", content_type);
    hreq.body = req.body;
    std::string kept;
    hreq.content_receiver = [&kept](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
      if (kept.size() < max_kept_body_bytes) kept.append(data, std::min(n, max_kept_body_bytes - kept.size()));
      return true;
    };
    hreq.progress = [deadline](std::uint64_t, std::uint64_t) { return std::chrono::steady_clock::now() < deadline; };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    request_deadline::armed watch(deadline_, entry->conn, deadline);
    const bool answered = client->send(hreq, res, err);
    const bool cut = watch.cut();
    if (answered) {
      r.outcome = jobwire::attempt_outcome::http(res.status);
      r.body = std::move(kept);
      // Several Retry-After fields are one list (RFC 9110 §5.3), which the rules read as
      // malformed rather than pick one.
      const std::size_t n = res.get_header_value_count("Retry-After");
      for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) r.retry_after += ", ";
        r.retry_after += res.get_header_value("Retry-After", i);
      }
      r.has_retry_after = n != 0;
      return r;
    }
    // cpp-httplib reports a read timeout as a read error; the elapsed time tells the two
    // apart (§16.5: a timeout has its own error text). A body read past the deadline is
    // cancelled by the progress callback: a timeout too.
    const auto elapsed = std::chrono::steady_clock::now() - started;
    if (cut || err == httplib::Error::Canceled) r.outcome = jobwire::attempt_outcome::timed_out();
    else if (err == httplib::Error::Read && elapsed >= std::chrono::seconds(timeout_seconds) * 9 / 10)
      r.outcome = jobwire::attempt_outcome::timed_out();
    else if (err == httplib::Error::ConnectionTimeout) r.outcome = jobwire::attempt_outcome::timed_out();
    r.detail = httplib::to_string(err);
    clients_.erase(origin);  // a broken connection is not reused
    return r;
  }

 private:
  // A client and its connection's duplicated socket (request_deadline); the client goes
  // first (members are destroyed in reverse order), then the duplicate.
  struct client_entry {
    explicit client_entry(request_deadline& d) : conn(d) {}
    request_deadline::connection conn;
    std::unique_ptr<httplib::Client> client;
  };

  client_entry* entry_for(const std::string& origin, std::int64_t timeout_seconds) {
    auto it = clients_.find(origin);
    if (it == clients_.end()) {
      if (clients_.size() >= 64) clients_.clear();  // bounded: a worker may meet many origins
      auto e = std::make_unique<client_entry>(deadline_);
      e->client = std::make_unique<httplib::Client>(origin);
      httplib::Client& c = *e->client;
      c.set_follow_location(false);
      c.set_keep_alive(true);
      // Headers and body go out in two writes; without TCP_NODELAY the body waits for the
      // receiver's delayed ACK (~40 ms per request on Linux).
      c.set_tcp_nodelay(true);
      c.set_socket_options([at = &e->conn](int sock) { at->adopt(sock); });
      it = clients_.emplace(origin, std::move(e)).first;
    }
    httplib::Client& c = *it->second->client;
    const auto t = std::chrono::seconds(timeout_seconds);
    c.set_connection_timeout(t);
    c.set_read_timeout(t);
    c.set_write_timeout(t);
    return it->second.get();
  }

  request_deadline deadline_;  // declared first: outlives the clients' connections
  std::map<std::string, std::unique_ptr<client_entry>> clients_;
};

/// The worker over a store type S (jobwire::is_outbox_store). `open` gives each thread its
/// own store (a connection is not shared between threads); it returns nullptr and sets
/// `why` when the store cannot be opened now (retried with backoff).
template <class Store>
class worker {
  static_assert(jobwire::require_outbox_store<Store>());

 public:
  /// A store for one thread; a thread-safe store (the memory store) may hand every thread
  /// the same object.
  using opener = std::function<std::shared_ptr<Store>(std::string& why)>;

  worker(opener open, worker_options opt, worker_metrics& metrics)
      : open_(std::move(open)), opt_(std::move(opt)), metrics_(metrics) {}

  /// Wakes sleeping threads (after setting the stop flag from a signal thread).
  void wake() { cv_.notify_all(); }

  /// Runs until `stop` is set, the run's bound passes, or (--until-idle) the outbox is
  /// idle. Returns true when it ended idle.
  bool run(std::atomic<bool>& stop) {
    stop_ = &stop;
    started_ = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < opt_.threads; ++i) threads.emplace_back([this, i] { thread_main(i); });
    std::thread keeper([this] { keeper_main(); });
    for (auto& t : threads) t.join();
    {
      std::lock_guard<std::mutex> lock(m_);
      done_ = true;
    }
    cv_.notify_all();
    keeper.join();
    return idle_.load();
  }

 private:
  bool stopping() const {
    if (stop_->load() || idle_.load()) return true;
    return opt_.max_run.count() > 0 && std::chrono::steady_clock::now() - started_ >= opt_.max_run;
  }

  void log(const std::string& line) const {
    std::fprintf(stderr, "jobwire outbox work: %s\n", line.c_str());
    std::fflush(stderr);
  }

  /// Sleeps up to `d`, waking early on stop.
  void nap(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait_for(lock, d, [this] { return done_ || stopping(); });
  }

  std::shared_ptr<Store> open_with_backoff() {
    std::chrono::milliseconds backoff = open_backoff;
    while (!stopping()) {
      std::string why;
      if (auto s = open_(why)) return s;
      metrics_.store_errors.fetch_add(1);
      log("cannot open the store: " + why + "; retrying");
      nap(backoff);
      backoff = doubled(backoff);
    }
    return nullptr;
  }

  void thread_main(unsigned index) {
    std::shared_ptr<Store> store = open_with_backoff();
    if (!store) return;
    http_sender http;
    std::mt19937_64 rng(std::random_device{}() ^ (static_cast<std::uint64_t>(index) << 32));
    std::vector<jobwire::outbox_lease> leases;
    const std::string name = opt_.name + "/" + std::to_string(index);
    std::chrono::milliseconds backoff = lease_backoff;
    while (!stopping()) {
      leases.clear();
      const auto lease_started = std::chrono::steady_clock::now();
      auto n = store->lease(name, wall_now(), opt_.lease, opt_.batch, leases);
      if (n && *n > 0) add_elapsed(metrics_.store_ns, lease_started);  // idle polls are no delivery's cost
      if (!n) {
        metrics_.store_errors.fetch_add(1);
        log(std::string("lease failed: ") + std::string(jobwire::error_name(n.code())) + "; backing off");
        nap(backoff);
        backoff = doubled(backoff);
        continue;
      }
      backoff = lease_backoff;
      if (*n == 0) {
        if (opt_.until_idle) {
          auto c = store->counts(wall_now());
          if (c && c->pending == 0 && c->scheduled_retry == 0) {
            idle_.store(true);
            cv_.notify_all();
            break;
          }
        }
        nap(opt_.idle_poll);
        continue;
      }
      // Every row held is renewed by the keeper until it is recorded or released, so rows
      // waiting their turn in the batch keep their lease as well as the one in flight.
      for (const auto& l : leases) fly(l);
      for (std::size_t i = 0; i < leases.size(); ++i) {
        if (stopping()) {
          // Graceful stop: what was leased and not sent goes back at once, rather than
          // waiting out its lease.
          for (std::size_t k = i; k < leases.size(); ++k) {
            land(leases[k]);
            if (store->release(leases[k])) metrics_.released.fetch_add(1);
          }
          break;
        }
        process(*store, http, rng, leases[i]);
        land(leases[i]);
      }
    }
  }

  /// Renews the lease of every row in flight every third of the lease, on its own store.
  void keeper_main() {
    std::shared_ptr<Store> store;
    const auto period = std::max(opt_.lease / 3, std::chrono::milliseconds(1));
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait_for(lock, period, [this] { return done_; });
        if (done_) return;
      }
      std::vector<jobwire::outbox_lease> due;
      {
        std::lock_guard<std::mutex> lock(flight_m_);
        const auto now = std::chrono::steady_clock::now();
        for (auto& f : in_flight_)
          if (now - f.second.since >= period) {
            due.push_back(f.second.lease);
            f.second.since = now;
          }
      }
      if (due.empty()) continue;
      if (!store) {
        std::string why;
        store = open_(why);
        if (!store) continue;
      }
      for (const auto& l : due)
        if (auto st = store->extend(l, wall_now(), opt_.lease); !st && st.code() != jobwire::errc::claim_lost)
          metrics_.store_errors.fetch_add(1);
    }
  }

  struct flight {
    jobwire::outbox_lease lease;
    std::chrono::steady_clock::time_point since;
  };

  void fly(const jobwire::outbox_lease& l) {
    std::lock_guard<std::mutex> lock(flight_m_);
    in_flight_[l.row_id] = flight{l, std::chrono::steady_clock::now()};
  }
  void land(const jobwire::outbox_lease& l) {
    std::lock_guard<std::mutex> lock(flight_m_);
    in_flight_.erase(l.row_id);
  }

  /// Records `r` for `l`, retrying store failures with backoff until it lands, the lease
  /// is lost, or (after stop) a bounded number of tries: then the lease simply expires and
  /// the row is sent again by whoever takes it over.
  bool record(Store& store, const jobwire::outbox_lease& l, jobwire::outbox_record r, const std::string& error) {
    r.error = jobwire::outbox_error_text(error);
    std::chrono::milliseconds backoff{50};
    for (int tries = 0;; ++tries) {
      const auto started = std::chrono::steady_clock::now();
      auto res = store.record(l, r, wall_now());
      add_elapsed(metrics_.store_ns, started);
      if (res) {
        count_verdict(r, *res);
        // The event an operator alerts on (§17): always logged, whatever --verbose says.
        if (res->endpoint_disabled_now)
          log("endpoint " + l.endpoint + " disabled (" +
              (r.effect == jobwire::endpoint_effect::disable
                   ? std::string("410 Gone")
                   : "failure streak of " + std::to_string(res->endpoint_failure_streak)) +
              "); " + std::to_string(res->rows_failed_by_disable) + " other rows failed with it");
        return true;
      }
      if (res.code() == jobwire::errc::claim_lost) {
        metrics_.claims_lost.fetch_add(1);
        log("row " + std::to_string(l.row_id) + ": lease lost before the verdict was recorded");
        return false;
      }
      metrics_.store_errors.fetch_add(1);
      if (res.code() == jobwire::errc::invalid_argument) {
        log("row " + std::to_string(l.row_id) + ": the store refused the verdict (invalid_argument)");
        return false;
      }
      if (stopping() && tries >= 20) {
        log("row " + std::to_string(l.row_id) + ": verdict not recorded before stop; the lease will expire");
        return false;
      }
      std::this_thread::sleep_for(backoff);
      backoff = doubled(backoff, std::chrono::milliseconds(2000));
    }
  }

  void count_verdict(const jobwire::outbox_record& r, const jobwire::outbox_record_result& res) {
    switch (r.state) {
      case jobwire::outbox_state::delivered: metrics_.delivered.fetch_add(1); break;
      case jobwire::outbox_state::scheduled_retry: metrics_.retries_scheduled.fetch_add(1); break;
      case jobwire::outbox_state::failed_permanently: metrics_.failed.fetch_add(1); break;
      case jobwire::outbox_state::pending: break;
    }
    if (res.endpoint_disabled_now) {
      metrics_.endpoints_disabled.fetch_add(1);
      metrics_.rows_failed_by_disable.fetch_add(res.rows_failed_by_disable);
    }
  }

  /// Fails a row that cannot be sent at all, with the reason.
  void unsendable(Store& store, const jobwire::outbox_lease& l, const std::string& why) {
    metrics_.unsendable.fetch_add(1);
    log("row " + std::to_string(l.row_id) + " (" + l.job_id + " " + l.delivery_key + ") failed permanently: " + why);
    (void)record(store, l, jobwire::outbox_unsendable(wall_now()), why);
  }

  /// Divides the delays of a verdict by the time scale (tests run the schedule faster).
  void scale(jobwire::outbox_record& r) const {
    if (opt_.time_scale == 1) return;
    auto shrink = [&](std::int64_t at) {
      const double d = static_cast<double>(at - r.tried_at_ms) / opt_.time_scale;
      return r.tried_at_ms + std::max<std::int64_t>(1, static_cast<std::int64_t>(d));
    };
    if (r.state == jobwire::outbox_state::scheduled_retry) r.next_attempt_at_ms = shrink(r.next_attempt_at_ms);
    if (r.effect == jobwire::endpoint_effect::throttle) r.throttle_until_ms = shrink(r.throttle_until_ms);
  }

  void process(Store& store, http_sender& http, std::mt19937_64& rng, const jobwire::outbox_lease& l) {
    if (l.taken_over) metrics_.lease_takeovers.fetch_add(1);
    // The payload is read and checked before anything is sent: a row another host wrote
    // badly fails with the precise reason and never stops the worker.
    jobwire::outbox_payload_problem problem;
    auto m = jobwire::parse_outbox_payload(l.payload, &problem);
    if (!m) {
      std::string why = "outbox payload: " + std::string(problem.error.name());
      if (!problem.member.empty()) why += " (member " + std::string(problem.member) + ")";
      why += ": " + std::string(problem.error.message());
      if (problem.error.has_offset()) why += " at byte " + std::to_string(problem.error.offset);
      return unsendable(store, l, why);
    }
    if (m->job_id != l.job_id) return unsendable(store, l, "outbox payload: job_id differs from the row's job id");
    auto key = jobwire::outbox_delivery_key(*m);
    if (!key)
      return unsendable(store, l, "outbox payload: no delivery key: " + std::string(jobwire::error_name(key.code())));
    if (*key != l.delivery_key)
      return unsendable(store, l, "outbox payload: its delivery key " + *key + " differs from the row's");
    const jobwire::profile& prof = *m->prof;
    const std::int64_t timeout_s = opt_.request_timeout_seconds > 0
                                       ? opt_.request_timeout_seconds
                                       : jobwire::outbox_retry_policy(prof).request_timeout_seconds;

    const jobwire::unix_time tried = wall_now();
    jobwire::outbox_observation obs;
    obs.timeout_ms = timeout_s * 1000;
    obs.endpoint_failure_streak = l.endpoint_failure_streak;
    std::string error, response_body;
    http_result res;  // outlives the verdict: obs.retry_after views its Retry-After
    // §16.4 step 5: the URL rule runs again just before each request; a URL the rule now
    // refuses is a failed (retried) attempt, not a send.
    const jobwire::callback_url_options url_opt = jobwire::outbox_url_options(prof, m->local_callbacks);
    auto url = jobwire::check_callback_url(l.endpoint, url_opt);
    if (!url) {
      obs.outcome = jobwire::attempt_outcome::network_failure();
      error = "Webhook URL rejected: " + std::string(jobwire::error_name(url.code()));
    } else {
      auto req = jobwire::build_outbox_request(*m, l.attempt, jobwire::to_unix_seconds(tried));
      if (!req)
        return unsendable(store, l,
                          "the delivery cannot be built: " + std::string(req.error().name()) + ": " +
                              std::string(req.error().message()));
      const auto sent = std::chrono::steady_clock::now();
      res = http.post(l.endpoint, *url, url_opt, *req, timeout_s);
      add_elapsed(metrics_.http_ns, sent);
      obs.outcome = res.outcome;
      if (res.has_retry_after) obs.retry_after = std::string_view(res.retry_after);
      error = res.url_rejected ? res.detail : jobwire::outbox_attempt_error(obs, res.detail);
      response_body = std::move(res.body);
    }
    metrics_.attempts.fetch_add(1);
    metrics_.by_outcome[static_cast<std::size_t>(jobwire::classify_outcome(obs.outcome))].fetch_add(1);
    auto verdict = jobwire::outbox_verdict(prof, l.attempt, obs, tried, rng());
    if (!verdict) {
      return unsendable(store, l, "no verdict: " + std::string(jobwire::error_name(verdict.code())));
    }
    scale(*verdict);
    if (opt_.verbose)
      log("row " + std::to_string(l.row_id) + " " + l.job_id + " " + l.delivery_key + " attempt " +
          std::to_string(l.attempt) + ": " +
          (error.empty() ? "HTTP " + std::to_string(obs.outcome.http_status) : error) + " -> " +
          std::string(jobwire::outbox_state_name(verdict->state)));
    if (record(store, l, *verdict, error) && opt_.on_attempt) {
      verdict->error = error;
      opt_.on_attempt(attempt_event{l, *m, obs, *verdict, error, response_body});
    }
  }

  opener open_;
  worker_options opt_;
  worker_metrics& metrics_;
  std::atomic<bool>* stop_ = nullptr;
  std::atomic<bool> idle_{false};
  std::chrono::steady_clock::time_point started_;
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::mutex flight_m_;
  std::map<std::int64_t, flight> in_flight_;
};

}  // namespace jobwire_outbox
