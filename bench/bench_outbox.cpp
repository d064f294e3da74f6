// outbox/<store>/<workers>: deliveries per second through the outbox — lease, build and
// sign, HTTP POST to a loopback receiver, record — with 1, 2 and 4 sending threads of the
// CLI's worker (tools/jobwire/outbox_worker.hpp), on SQLite and on PostgreSQL
// (JOBWIRE_TEST_PG_CONNINFO; skipped without a server). Each iteration enqueues
// `deliveries_per_iteration` rows (not timed) and times the worker sending all of them.
// Counters: `deliveries_per_second`; `store_us_per_delivery` and `http_us_per_delivery`,
// the time the sending threads spent in store calls (lease, record) and in the HTTP
// request, per delivery, summed over the threads — where a delivery's time goes.
#if JOBWIRE_BENCH_HAVE_OUTBOX

#  include <benchmark/benchmark.h>

#  include <stdlib.h>
#  include <unistd.h>

#  include <atomic>
#  include <chrono>
#  include <cstdlib>
#  include <memory>
#  include <string>
#  include <thread>

#  include <httplib.h>

#  include <jobwire/outbox.hpp>
#  include <jobwire/outbox_delivery.hpp>
#  include <jobwire/stores/sqlite_outbox.hpp>
#  if JOBWIRE_BENCH_HAVE_POSTGRES
#    include <jobwire/stores/postgres_outbox.hpp>
#  endif

#  include "outbox_worker.hpp"

namespace {

constexpr int deliveries_per_iteration = 200;

/// A loopback receiver answering 200 to every POST, on a port of its own.
class loopback_receiver {
 public:
  loopback_receiver() {
    server_.Post("/hook", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"ok\":true}", "application/json");
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~loopback_receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

loopback_receiver& receiver() {
  static loopback_receiver r;
  return r;
}

template <class Store>
void enqueue_batch(Store& store, const std::string& url, int first, benchmark::State& state) {
  jobwire::outbox_message m;
  m.prof = &jobwire::profiles::ai_stats;
  m.phase = jobwire::phase::completed;
  m.data = R"({"object":"video","status":"completed","lifecycle_status":"completed"})";
  m.secret = "whsec_bench_outbox";
  m.local_callbacks = true;
  m.created_at = 1781166600;
  std::string payload;
  const auto now = jobwire_outbox::wall_now();
  for (int i = 0; i < deliveries_per_iteration; ++i) {
    m.job_id = "B-" + std::to_string(::getpid()) + "-" + std::to_string(first + i);  // unique across runs
    m.internal_id = "b" + std::to_string(first + i);
    jobwire::write_outbox_payload(payload, m);
    auto r = store.enqueue({m.job_id, "video.completed", url, payload}, now);
    if (!r || !r->inserted) state.SkipWithError("enqueue failed");
  }
}

template <class Store>
void run_outbox(benchmark::State& state, const typename jobwire_outbox::worker<Store>::opener& open) {
  const std::string url = receiver().url();
  std::string why;
  std::shared_ptr<Store> setup = open(why);
  if (!setup) {
    state.SkipWithError(("cannot open the store: " + why).c_str());
    return;
  }
  jobwire_outbox::worker_options opt;
  opt.threads = static_cast<unsigned>(state.range(0));
  opt.until_idle = true;
  opt.idle_poll = std::chrono::milliseconds(1);
  opt.batch = 4;
  opt.name = "bench";
  static int next_job = 0;
  std::uint64_t store_ns = 0, http_ns = 0, delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    enqueue_batch(*setup, url, next_job, state);
    next_job += deliveries_per_iteration;
    state.ResumeTiming();
    jobwire_outbox::worker_metrics metrics;
    jobwire_outbox::worker<Store> w(open, opt, metrics);
    std::atomic<bool> stop{false};
    w.run(stop);
    store_ns += metrics.store_ns.load();
    http_ns += metrics.http_ns.load();
    delivered += metrics.delivered.load();
  }
  if (delivered != static_cast<std::uint64_t>(state.iterations()) * deliveries_per_iteration)
    state.SkipWithError("not every delivery was delivered");
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.counters["deliveries_per_second"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  const double per = delivered > 0 ? static_cast<double>(delivered) : 1;
  state.counters["store_us_per_delivery"] = static_cast<double>(store_ns) / 1000.0 / per;
  state.counters["http_us_per_delivery"] = static_cast<double>(http_ns) / 1000.0 / per;
}

void outbox_sqlite(benchmark::State& state) {
  char dir[] = "/tmp/jobwire-bench-outbox.XXXXXX";
  if (::mkdtemp(dir) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = std::string(dir) + "/outbox.sqlite";
  jobwire_outbox::worker<jobwire::sqlite_outbox_store>::opener open =
      [path](std::string& why) -> std::shared_ptr<jobwire::sqlite_outbox_store> {
    auto s = jobwire::sqlite_outbox_store::open(path);
    if (!s) {
      why = std::string(jobwire::error_name(s.code()));
      return nullptr;
    }
    return std::make_shared<jobwire::sqlite_outbox_store>(std::move(*s));
  };
  run_outbox<jobwire::sqlite_outbox_store>(state, open);
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
  ::rmdir(dir);
}

void outbox_postgres(benchmark::State& state) {
#  if JOBWIRE_BENCH_HAVE_POSTGRES
  const char* conninfo = std::getenv("JOBWIRE_TEST_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    state.SkipWithError("no PostgreSQL server: set JOBWIRE_TEST_PG_CONNINFO (tests/services.sh)");
    return;
  }
  const std::string info = conninfo;
  jobwire::postgres_outbox_options po;
  po.table = "jobwire_bench_outbox";
  jobwire_outbox::worker<jobwire::postgres_outbox_store>::opener open =
      [info, po](std::string& why) -> std::shared_ptr<jobwire::postgres_outbox_store> {
    auto s = jobwire::postgres_outbox_store::connect(info, po);
    if (!s) {
      why = std::string(jobwire::error_name(s.code()));
      return nullptr;
    }
    return std::make_shared<jobwire::postgres_outbox_store>(std::move(*s));
  };
  run_outbox<jobwire::postgres_outbox_store>(state, open);
#  else
  state.SkipWithError("built without libpq");
#  endif
}

}  // namespace

BENCHMARK(outbox_sqlite)->Name("outbox/sqlite")->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(outbox_postgres)
    ->Name("outbox/postgres")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

#endif  // JOBWIRE_BENCH_HAVE_OUTBOX
