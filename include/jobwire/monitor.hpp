// jobwire — monitoring: per-job health, sender counters, and a Prometheus text exposition
// of both sides' counters (PROTOCOL.md §14). The receiver's counters live below, in
// counters.hpp, so that the receiver does not include the sender's ledger and retry code.
//
// §14 asks that job status and delivery signals be kept together so an operator can tell a
// generation failure (the job itself failed) from a delivery failure (the job is fine, the
// webhook endpoint is not). `classify_job_health` makes that call; the counters and the
// exposition give the fleet view. Nothing here does I/O: the host serves the text (e.g. on
// `/metrics` with `prometheus_content_type`).
#pragma once

#include <atomic>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "counters.hpp"  // error index, counter primitives, receiver counters
#include "error.hpp"
#include "ledger.hpp"
#include "result.hpp"
#include "retry.hpp"

namespace jobwire {

// --- health classification (PROTOCOL.md §14) ------------------------------------------------

/// Health of one job, worst last. Precedence when several apply:
///   generation_failed > delivery_exhausted > delivery_failing > healthy.
/// A failed generation is the root cause an operator must see first (its deliveries, good or
/// bad, only report it); a key that gave up is worse than one still retrying, because
/// nothing will fix it without a forced resend.
enum class job_health : std::uint8_t { healthy, delivery_failing, delivery_exhausted, generation_failed };

constexpr std::size_t job_health_count = 4;

constexpr std::string_view job_health_name(job_health h) noexcept {
  switch (h) {
    case job_health::healthy: return "healthy";
    case job_health::delivery_failing: return "delivery_failing";
    case job_health::delivery_exhausted: return "delivery_exhausted";
    case job_health::generation_failed: return "generation_failed";
  }
  return "unknown";
}

/// How far the generation got, as far as health is concerned.
enum class generation_state : std::uint8_t { in_progress, completed, failed };

/// Maps a job status to a generation state. Accepts both vocabularies of PROTOCOL.md §3
/// (`status`: queued/processing/completed/failed/cancelled/expired, `lifecycle_status`:
/// pending/running/...). `failed`, `cancelled` and `expired` all mean no output will come,
/// so all three count as a failed generation. Anything else is `unknown_status` (strict,
/// as everywhere in jobwire; normalise first if you accept the service's variants).
inline result<generation_state> classify_job_status(std::string_view job_status) noexcept {
  const std::string_view s = job_status;
  if (s == "queued" || s == "processing" || s == "pending" || s == "running") return generation_state::in_progress;
  if (s == "completed") return generation_state::completed;
  if (s == "failed" || s == "cancelled" || s == "expired") return generation_state::failed;
  return errc::unknown_status;
}

/// The delivery side of a job's health, derived from its ledger or a parsed webhook block.
struct delivery_signals {
  std::size_t pending_retries = 0;  ///< keys queued for retry
  std::size_t exhausted_keys = 0;   ///< keys whose newest attempt failed permanently
  std::optional<attempt_status> last_attempt_status;
};

inline delivery_signals delivery_signals_of(const attempt_ledger& ledger) noexcept {
  delivery_signals s;
  s.pending_retries = ledger.keys_with_status(attempt_status::scheduled_retry);
  s.exhausted_keys = ledger.keys_with_status(attempt_status::failed_permanently);
  if (!ledger.empty()) s.last_attempt_status = ledger.history()[ledger.size() - 1].status;
  return s;
}

/// From what a receiver or dashboard sees (`webhook.delivery` plus the last 10 attempts).
/// The summary's pending_retries covers the whole history; exhausted keys are those whose
/// newest listed attempt failed permanently, or at least one if the last attempt did.
inline delivery_signals delivery_signals_of(const webhook_delivery_block& block) {
  attempt_ledger view(block.attempts);
  delivery_signals s;
  s.pending_retries = static_cast<std::size_t>(block.delivery.pending_retries);
  s.exhausted_keys = view.keys_with_status(attempt_status::failed_permanently);
  s.last_attempt_status = block.delivery.last_attempt_status;
  if (s.exhausted_keys == 0 && s.last_attempt_status == attempt_status::failed_permanently) s.exhausted_keys = 1;
  return s;
}

/// The classification with the precedence documented on `job_health`.
/// delivery_failing: a retry is pending, or the newest attempt was not delivered.
constexpr job_health classify_job_health(generation_state gen, const delivery_signals& d) noexcept {
  if (gen == generation_state::failed) return job_health::generation_failed;
  if (d.exhausted_keys > 0) return job_health::delivery_exhausted;
  if (d.pending_retries > 0 || (d.last_attempt_status && *d.last_attempt_status != attempt_status::delivered))
    return job_health::delivery_failing;
  return job_health::healthy;
}

inline result<job_health> classify_job_health(std::string_view job_status, const delivery_signals& d) noexcept {
  auto gen = classify_job_status(job_status);
  if (!gen) return gen.error();
  return classify_job_health(*gen, d);
}

// --- counters -----------------------------------------------------------------------------------

/// Outcome classes of attempts, the `outcome` label of `jobwire_sender_attempts_total`.
enum class outcome_class : std::uint8_t {
  informational,
  success,
  redirect,
  client_error,
  server_error,
  timeout,
  network_error
};
constexpr std::size_t outcome_class_count = 7;

constexpr std::string_view outcome_class_name(outcome_class c) noexcept {
  switch (c) {
    case outcome_class::informational: return "1xx";
    case outcome_class::success: return "2xx";
    case outcome_class::redirect: return "3xx";
    case outcome_class::client_error: return "4xx";
    case outcome_class::server_error: return "5xx";
    case outcome_class::timeout: return "timeout";
    case outcome_class::network_error: return "network_error";
  }
  return "unknown";
}

constexpr outcome_class classify_outcome(attempt_outcome o) noexcept {
  if (o.kind == outcome_kind::timeout) return outcome_class::timeout;
  if (o.kind == outcome_kind::network_error || !o.is_valid()) return outcome_class::network_error;
  return static_cast<outcome_class>(o.http_status / 100 - 1);
}

/// Sender-side counters. `Counter` is `std::uint64_t` (a plain struct, one thread or the
/// caller's lock) or `std::atomic<std::uint64_t>` (shared between threads; every update is
/// one relaxed atomic add). Use the aliases below; expose with `snapshot()`.
template <class Counter>
struct basic_sender_counters {
  Counter attempts_by_outcome[outcome_class_count]{};  ///< by `outcome_class`
  Counter attempts_by_status[3]{};                     ///< by `attempt_status`
  Counter retries_sent{};                              ///< attempts with attempt_number > 1
  Counter sends_refused[3]{};                          ///< already_delivered, already_queued, already_failed
  Counter forced_sends{};                              ///< sends started with force that the rule would have refused

  /// One decided attempt.
  void record_attempt(attempt_outcome o, const retry_decision& d) noexcept {
    detail::counter_add(attempts_by_outcome[static_cast<std::size_t>(classify_outcome(o))], 1);
    detail::counter_add(attempts_by_status[static_cast<std::size_t>(d.status)], 1);
    if (d.attempt > 1) detail::counter_add(retries_sent, 1);
  }
  /// The verdict of the send/dedupe rule for a new send (call with the unforced verdict and
  /// whether the host forced it anyway).
  void record_send_check(void_result unforced_verdict, bool forced) noexcept {
    if (unforced_verdict) return;
    if (forced) {
      detail::counter_add(forced_sends, 1);
      return;
    }
    switch (unforced_verdict.code()) {
      case errc::already_delivered: detail::counter_add(sends_refused[0], 1); break;
      case errc::already_queued: detail::counter_add(sends_refused[1], 1); break;
      case errc::already_failed: detail::counter_add(sends_refused[2], 1); break;
      default: break;
    }
  }

  basic_sender_counters<std::uint64_t> snapshot() const noexcept {
    basic_sender_counters<std::uint64_t> s;
    for (std::size_t i = 0; i < outcome_class_count; ++i)
      s.attempts_by_outcome[i] = detail::counter_load(attempts_by_outcome[i]);
    for (std::size_t i = 0; i < 3; ++i) s.attempts_by_status[i] = detail::counter_load(attempts_by_status[i]);
    s.retries_sent = detail::counter_load(retries_sent);
    for (std::size_t i = 0; i < 3; ++i) s.sends_refused[i] = detail::counter_load(sends_refused[i]);
    s.forced_sends = detail::counter_load(forced_sends);
    return s;
  }
};
using sender_counters = basic_sender_counters<std::uint64_t>;
using atomic_sender_counters = basic_sender_counters<std::atomic<std::uint64_t>>;

/// Jobs per health class, a gauge the host recomputes (e.g. over the jobs it tracks).
struct health_counts {
  std::uint64_t jobs[job_health_count]{};
  void add(job_health h, std::uint64_t n = 1) noexcept { jobs[static_cast<std::size_t>(h)] += n; }
};

// --- Prometheus text exposition (format version 0.0.4) --------------------------------------------

/// The Content-Type the host serves the exposition with.
constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// A label pair. Names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with `__`
/// (reserved); values are any UTF-8 text and are escaped on output.
struct metric_label {
  std::string_view name;
  std::string_view value;
};

constexpr bool is_valid_metric_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}
constexpr bool is_valid_label_name(std::string_view s) noexcept {
  if (s.empty() || (s.size() >= 2 && s[0] == '_' && s[1] == '_')) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

enum class metric_type : std::uint8_t { counter, gauge };

/// A minimal, validating writer for the text format: one `# HELP` and one `# TYPE` line per
/// family, then its samples. Escaping per the format: in HELP text `\` and newline; in label
/// values `\`, `"` and newline. Constant labels (e.g. `service="..."`) go on every sample.
class prometheus_writer {
 public:
  prometheus_writer(std::string& out, const metric_label* const_labels = nullptr,
                    std::size_t const_label_count = 0) noexcept
      : out_(out), const_labels_(const_labels), const_count_(const_label_count) {}

  /// Checks the constant labels once (`invalid_metric_name` for a bad or repeated name).
  void_result validate_const_labels(std::initializer_list<std::string_view> reserved = {}) const noexcept {
    for (std::size_t i = 0; i < const_count_; ++i) {
      if (!is_valid_label_name(const_labels_[i].name)) return errc::invalid_metric_name;
      for (std::size_t j = 0; j < i; ++j)
        if (const_labels_[j].name == const_labels_[i].name) return errc::invalid_metric_name;
      for (std::string_view r : reserved)
        if (r == const_labels_[i].name) return errc::invalid_metric_name;
    }
    return {};
  }

  void family(std::string_view name, std::string_view help, metric_type type) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (char c : help) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += type == metric_type::counter ? " counter\n" : " gauge\n";
  }

  /// One sample line; `label` may be empty (name and value) for a sample without its own label.
  void sample(std::string_view name, metric_label label, std::uint64_t value) {
    out_ += name;
    const bool any = const_count_ > 0 || !label.name.empty();
    if (any) {
      out_ += '{';
      bool first = true;
      for (std::size_t i = 0; i < const_count_; ++i) {
        put_label(const_labels_[i], first);
        first = false;
      }
      if (!label.name.empty()) put_label(label, first);
      out_ += '}';
    }
    out_ += ' ';
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
    out_ += '\n';
  }

 private:
  void put_label(const metric_label& l, bool first) {
    if (!first) out_ += ',';
    out_ += l.name;
    out_ += "=\"";
    for (char c : l.value) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '"') out_ += "\\\"";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += '"';
  }

  std::string& out_;
  const metric_label* const_labels_;
  std::size_t const_count_;
};

/// What to expose; any source may be absent.
struct exposition_sources {
  const sender_counters* sender = nullptr;
  const receiver_counters* receiver = nullptr;
  const health_counts* health = nullptr;
  const metric_label* const_labels = nullptr;  ///< added to every sample
  std::size_t const_label_count = 0;
};

/// Appends the exposition of `src` to `out`. Families (all `jobwire_` prefixed):
///   jobwire_sender_attempts_total{outcome}          counter  1xx 2xx 3xx 4xx 5xx timeout network_error
///   jobwire_sender_attempt_results_total{status}    counter  delivered scheduled_retry failed_permanently
///   jobwire_sender_retries_sent_total               counter  attempts with attempt number > 1
///   jobwire_sender_sends_refused_total{reason}      counter  already_delivered already_queued already_failed
///   jobwire_sender_forced_sends_total               counter
///   jobwire_receiver_deliveries_total{action}       counter  process duplicate in_flight ignore_stale no_change
///   refetch reject jobwire_receiver_rejections_total{reason}       counter  one series per error code seen (none
///   before the first) jobwire_receiver_retries_seen_total             counter  deliveries with attempt > 1
///   jobwire_jobs{health}                            gauge    healthy delivery_failing delivery_exhausted
///   generation_failed
/// `invalid_metric_name` (and nothing appended) when a constant label name is invalid,
/// repeated, or collides with a label the families use.
inline void_result append_prometheus_text(std::string& out, const exposition_sources& src) {
  prometheus_writer w(out, src.const_labels, src.const_label_count);
  if (void_result st = w.validate_const_labels({"outcome", "status", "reason", "action", "health"}); !st) return st;
  if (const sender_counters* s = src.sender) {
    w.family("jobwire_sender_attempts_total", "Webhook delivery attempts by observed outcome.", metric_type::counter);
    for (std::size_t i = 0; i < outcome_class_count; ++i)
      w.sample("jobwire_sender_attempts_total", {"outcome", outcome_class_name(static_cast<outcome_class>(i))},
               s->attempts_by_outcome[i]);
    w.family("jobwire_sender_attempt_results_total", "Webhook delivery attempts by resulting attempt status.",
             metric_type::counter);
    for (std::size_t i = 0; i < 3; ++i)
      w.sample("jobwire_sender_attempt_results_total", {"status", attempt_status_name(static_cast<attempt_status>(i))},
               s->attempts_by_status[i]);
    w.family("jobwire_sender_retries_sent_total", "Webhook retry attempts sent (attempt number above 1).",
             metric_type::counter);
    w.sample("jobwire_sender_retries_sent_total", {}, s->retries_sent);
    w.family("jobwire_sender_sends_refused_total",
             "New sends refused because the delivery key was already delivered, queued or failed.",
             metric_type::counter);
    constexpr errc refused[] = {errc::already_delivered, errc::already_queued, errc::already_failed};
    for (std::size_t i = 0; i < 3; ++i)
      w.sample("jobwire_sender_sends_refused_total", {"reason", error_name(refused[i])}, s->sends_refused[i]);
    w.family("jobwire_sender_forced_sends_total", "Sends forced past the already-sent rule.", metric_type::counter);
    w.sample("jobwire_sender_forced_sends_total", {}, s->forced_sends);
  }
  if (const receiver_counters* r = src.receiver) {
    w.family("jobwire_receiver_deliveries_total", "Webhook deliveries received, by decision.", metric_type::counter);
    for (std::size_t i = 0; i < receiver_decision_count; ++i)
      w.sample("jobwire_receiver_deliveries_total",
               {"action", receiver_decision_name(static_cast<receiver_decision>(i))}, r->decisions[i]);
    w.family("jobwire_receiver_rejections_total", "Rejected webhook deliveries, by reason code.", metric_type::counter);
    for (std::size_t i = 0; i < error_code_count; ++i)
      if (r->rejections[i] != 0)
        w.sample("jobwire_receiver_rejections_total", {"reason", error_name(error_at_index(i))}, r->rejections[i]);
    w.family("jobwire_receiver_retries_seen_total", "Deliveries received with an attempt number above 1.",
             metric_type::counter);
    w.sample("jobwire_receiver_retries_seen_total", {}, r->retries_seen);
  }
  if (const health_counts* h = src.health) {
    w.family("jobwire_jobs", "Jobs by health: generation failure versus delivery failure.", metric_type::gauge);
    for (std::size_t i = 0; i < job_health_count; ++i)
      w.sample("jobwire_jobs", {"health", job_health_name(static_cast<job_health>(i))}, h->jobs[i]);
  }
  return {};
}

}  // namespace jobwire
