// The operations dashboard of the example hosts (PROTOCOL.md §14): one JSON document per
// view, produced from jobwire's attempt ledger, delivery summary, health classification and
// receiver counters, plus the self-contained page that polls it (dashboard_page.hpp).
//
// §14 asks that job status, delivery success and retry counts, the last delivery HTTP
// status and the failure times and messages live together, so that an operator can tell a
// generation failure from a delivery failure. Nothing here decides anything of its own:
// health is `jobwire::classify_job_health`, the summary is `attempt_ledger::summary`, retry
// times come from `jobwire::decide_attempt`. This file only gathers and writes.
//
// Two views, one document format (docs/DASHBOARD.md):
//  - sender (the gateway): each job's own attempt ledger;
//  - receiver: `receiver_journal` rebuilds, per job, the ledger the sender must be keeping
//    from the answers the receiver gave to verified deliveries (same retry rule, §12), so
//    the receiver sees a delivery fail before the sender's next delivery could tell it.
//
// Every string in the document is written through jobwire's JSON writer; the page renders
// it with textContent only. Job ids, error messages and response previews come from the
// network and are treated as hostile text all the way.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <jobwire/error.hpp>
#include <jobwire/events.hpp>
#include <jobwire/json_writer.hpp>
#include <jobwire/ledger.hpp>
#include <jobwire/monitor.hpp>
#include <jobwire/outbox.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/retry.hpp>

namespace jobwire_dashboard {

/// The document's identity. `version` changes only when a member is removed or changes
/// meaning; new members may appear within a version (readers ignore unknown members).
constexpr std::string_view format_name = "jobwire.dashboard";
constexpr int format_version = 1;

constexpr std::string_view json_content_type = "application/json; charset=utf-8";
constexpr std::string_view html_content_type = "text/html; charset=utf-8";
/// Served with the page: nothing may load from anywhere, the page's own inline script and
/// style excepted, and it may fetch only from its own origin.
constexpr std::string_view page_content_security_policy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

enum class view : std::uint8_t { sender, receiver };

constexpr std::string_view view_name(view v) noexcept { return v == view::sender ? "sender" : "receiver"; }

/// A receiver's decisions for one job (monitor.hpp's vocabulary).
struct decision_counts {
  std::uint64_t n[jobwire::receiver_decision_count]{};
  std::uint64_t& operator[](jobwire::receiver_decision d) noexcept { return n[static_cast<std::size_t>(d)]; }
  std::uint64_t operator[](jobwire::receiver_decision d) const noexcept { return n[static_cast<std::size_t>(d)]; }
};

/// One job as a host knows it. Views: nothing is copied until `make_row`.
struct job_input {
  std::string_view id;
  /// What the host created the job for, in its own words (the demo: the scenario's name),
  /// so that an operator reads names, not only ids; empty when it has none.
  std::string_view label;
  /// The job's status in either vocabulary of PROTOCOL.md §3 (`failed`, `running`, ...).
  std::string_view status;
  std::optional<double> progress;  ///< 0..100, absent when unknown
  /// Why the generation failed (the job's own error), empty when none.
  std::string_view job_error;
  /// The job's delivery history; null when the job has no webhook (no deliveries).
  const jobwire::attempt_ledger* ledger = nullptr;
  /// The receiver's decisions for this job (receiver view), or null.
  const decision_counts* decisions = nullptr;
};

/// Delivery counts of one job, all from its retained history (≤ 50 attempts, §12):
///  - attempted: attempts made;
///  - delivered: attempts answered 2xx (`delivery_summary::delivered_events`);
///  - retried: attempts with attempt number above 1;
///  - rejected: attempts the endpoint answered with a non-2xx HTTP status (a timeout or a
///    network error got no answer, so it is neither delivered nor rejected);
///  - pending_retries: keys waiting for a retry; exhausted_keys: keys that gave up.
struct delivery_counts {
  std::uint64_t attempted = 0, delivered = 0, retried = 0, rejected = 0, pending_retries = 0, exhausted_keys = 0;
};

inline delivery_counts count_deliveries(const jobwire::attempt_ledger& ledger, const jobwire::delivery_summary& s) {
  delivery_counts c;
  c.attempted = s.total_attempts;
  c.delivered = s.delivered_events;
  c.pending_retries = s.pending_retries;
  c.exhausted_keys = ledger.keys_with_status(jobwire::attempt_status::failed_permanently);
  for (const jobwire::attempt_record& a : ledger.history()) {
    if (a.attempt_number > 1) ++c.retried;
    if (a.response_status && (*a.response_status < 200 || *a.response_status > 299)) ++c.rejected;
  }
  return c;
}

/// One row of the document: everything §14 wants side by side for one job.
struct job_row {
  std::string id, label, status;
  std::optional<double> progress;
  std::optional<std::string> job_error;
  /// The classification, or absent with `health_error` (`unknown_status`) when the status
  /// is not a word of §3: the row is still shown, as `unclassified`.
  std::optional<jobwire::job_health> health;
  jobwire::errc health_error = jobwire::errc::ok;
  bool has_webhook = false;
  delivery_counts counts;
  jobwire::delivery_summary summary;  ///< `webhook.delivery` of §10
  /// The response body preview of the newest attempt that was not delivered (the same
  /// attempt as `summary.last_error_message`).
  std::optional<std::string> last_failure_preview;
  std::optional<decision_counts> decisions;
};

inline job_row make_row(const job_input& in) {
  job_row r;
  r.id = std::string(in.id);
  r.label = std::string(in.label);
  r.status = std::string(in.status);
  r.progress = in.progress;
  if (!in.job_error.empty()) r.job_error = std::string(in.job_error);
  jobwire::delivery_signals signals;
  if (in.ledger != nullptr) {
    r.has_webhook = true;
    r.summary = in.ledger->summary();
    r.counts = count_deliveries(*in.ledger, r.summary);
    signals = jobwire::delivery_signals_of(*in.ledger);
    const jobwire::attempt_span h = in.ledger->history();
    for (std::size_t i = h.size; i-- > 0;)
      if (h[i].status != jobwire::attempt_status::delivered) {
        r.last_failure_preview = h[i].response_body_preview;
        break;
      }
  }
  auto health = jobwire::classify_job_health(in.status, signals);
  if (health) r.health = *health;
  else r.health_error = health.code();
  if (in.decisions != nullptr) r.decisions = *in.decisions;
  return r;
}

/// The health word of a row: one of the four of monitor.hpp, or `unclassified`.
inline std::string_view health_word(const job_row& r) noexcept {
  return r.health ? jobwire::job_health_name(*r.health) : std::string_view("unclassified");
}

/// The `jobwire_jobs{health}` gauge over the rows (unclassified rows are not counted).
inline jobwire::health_counts health_of(const std::vector<job_row>& rows) noexcept {
  jobwire::health_counts h;
  for (const job_row& r : rows)
    if (r.health) h.add(*r.health);
  return h;
}

/// The `jobwire_jobs{health}` family alone, to append to a host's existing exposition
/// (monitor.hpp's `append_prometheus_text`).
inline std::string health_metrics(const jobwire::health_counts& h) {
  jobwire::exposition_sources src;
  src.health = &h;
  std::string out;
  (void)jobwire::append_prometheus_text(out, src);  // no constant labels: cannot fail
  return out;
}

/// The clock every time of a document is on. A host that runs its clock faster than real
/// time (the demo's simulated gateway: its retry schedule of minutes plays out in seconds)
/// says so, and the page then labels its times as simulated and gives the real time apart,
/// so that "4 h ago" on the accelerated clock is never read as wall time.
struct clock_info {
  /// 1: the wall clock. Above 1: a simulated clock running `scale` times real time.
  double scale = 1;
  std::int64_t wall_now_ms = 0;  ///< the wall clock when the document was made (simulated only)
  bool simulated() const noexcept { return scale != 1; }
};

/// What goes around the rows.
struct document_sources {
  view kind = view::sender;
  std::int64_t now_ms = 0;  ///< `generated_at`, on `clock`
  clock_info clock;
  const jobwire::receiver_counters* receiver = nullptr;  ///< receiver view: its counters
  /// Deliveries rejected before they could be attributed to a job (failed verification or
  /// parsing: the body is not trusted, so its job id is not believed).
  std::uint64_t unattributed_rejections = 0;
  /// Deliveries of jobs not tracked because the host's bound on jobs was reached
  /// (receiver_journal).
  std::uint64_t untracked_deliveries = 0;
  /// Sender's view of a host sending through a durable outbox (outbox.hpp): its counts at
  /// `now` (the gateway's --outbox mode); null when the host has none.
  const jobwire::outbox_counts* outbox = nullptr;
};

namespace detail {
inline void write_time(jobwire::json::writer& w, std::string_view k, const std::optional<std::int64_t>& ms) {
  w.key(k);
  if (ms) w.string(jobwire::format_iso8601_ms(*ms));
  else w.null();
}
inline void write_opt_string(jobwire::json::writer& w, std::string_view k, const std::optional<std::string>& s) {
  w.key(k);
  if (s) w.string(*s);
  else w.null();
}
inline void write_decisions(jobwire::json::writer& w, const std::uint64_t* n) {
  w.begin_object();
  for (std::size_t i = 0; i < jobwire::receiver_decision_count; ++i)
    w.field(jobwire::receiver_decision_name(static_cast<jobwire::receiver_decision>(i)), n[i]);
  w.end_object();
}
}  // namespace detail

/// Writes one job object (docs/DASHBOARD.md, "jobs[]").
inline void write_row(jobwire::json::writer& w, const job_row& r) {
  w.begin_object();
  w.field("id", r.id);
  detail::write_opt_string(w, "label", r.label.empty() ? std::nullopt : std::optional<std::string>(r.label));
  w.field("status", r.status);
  w.key("progress");
  if (r.progress) w.number(*r.progress);
  else w.null();
  w.field("health", health_word(r));
  w.key("health_error");
  if (r.health) w.null();
  else w.string(jobwire::error_name(r.health_error));
  detail::write_opt_string(w, "job_error", r.job_error);
  w.field("webhook", r.has_webhook);
  w.key("deliveries").begin_object();
  w.field("attempted", r.counts.attempted).field("delivered", r.counts.delivered).field("retried", r.counts.retried);
  w.field("rejected", r.counts.rejected).field("pending_retries", r.counts.pending_retries);
  w.field("exhausted_keys", r.counts.exhausted_keys).end_object();
  w.key("last_response_status");
  if (r.summary.last_response_status) w.number(*r.summary.last_response_status);
  else w.null();
  w.key("last_attempt_status");
  if (r.summary.last_attempt_status) w.string(jobwire::attempt_status_name(*r.summary.last_attempt_status));
  else w.null();
  detail::write_time(w, "last_attempt_at", r.summary.last_attempt_at_ms);
  detail::write_time(w, "last_delivered_at", r.summary.last_delivered_at_ms);
  detail::write_time(w, "last_failure_at", r.summary.last_failure_at_ms);
  detail::write_opt_string(w, "last_error_message", r.summary.last_error_message);
  detail::write_opt_string(w, "last_failure_preview", r.last_failure_preview);
  detail::write_time(w, "next_retry_at", r.summary.next_retry_at_ms);
  w.key("decisions");
  if (r.decisions) detail::write_decisions(w, r.decisions->n);
  else w.null();
  w.end_object();
}

/// The document without the final escaping pass; see `write_document`.
inline void write_document_members(std::string& out, const std::vector<job_row>& rows, const document_sources& src) {
  jobwire::json::writer w(out);
  w.begin_object().field("format", format_name).field("version", format_version);
  w.field("view", view_name(src.kind));
  w.field("generated_at", jobwire::format_iso8601_ms(src.now_ms));
  w.key("clock").begin_object();
  if (src.clock.simulated()) {
    w.field("kind", "simulated").field("scale", src.clock.scale);
    w.field("wall_time", jobwire::format_iso8601_ms(src.clock.wall_now_ms));
  } else {
    w.field("kind", "wall").field("scale", 1);
  }
  w.end_object();

  std::uint64_t by_health[jobwire::job_health_count]{}, unclassified = 0;
  delivery_counts sum;
  for (const job_row& r : rows) {
    if (r.health) ++by_health[static_cast<std::size_t>(*r.health)];
    else ++unclassified;
    sum.attempted += r.counts.attempted;
    sum.delivered += r.counts.delivered;
    sum.retried += r.counts.retried;
    sum.rejected += r.counts.rejected;
    sum.pending_retries += r.counts.pending_retries;
    sum.exhausted_keys += r.counts.exhausted_keys;
  }
  w.key("totals").begin_object().field("jobs", rows.size()).key("health").begin_object();
  for (std::size_t i = 0; i < jobwire::job_health_count; ++i)
    w.field(jobwire::job_health_name(static_cast<jobwire::job_health>(i)), by_health[i]);
  w.field("unclassified", unclassified).end_object();
  w.field("attempted", sum.attempted).field("delivered", sum.delivered).field("retried", sum.retried);
  w.field("rejected", sum.rejected).field("pending_retries", sum.pending_retries);
  w.field("exhausted_keys", sum.exhausted_keys);
  w.field("unattributed_rejections", src.unattributed_rejections)
      .field("untracked_deliveries", src.untracked_deliveries);
  w.end_object();

  w.key("receiver");
  if (const jobwire::receiver_counters* rc = src.receiver) {
    w.begin_object().key("decisions");
    detail::write_decisions(w, rc->decisions);
    w.key("rejections").begin_object();
    for (std::size_t i = 0; i < jobwire::error_code_count; ++i)
      if (rc->rejections[i] != 0) w.field(jobwire::error_name(jobwire::error_at_index(i)), rc->rejections[i]);
    w.end_object().field("retries_seen", rc->retries_seen).end_object();
  } else {
    w.null();
  }

  w.key("outbox");
  if (const jobwire::outbox_counts* ob = src.outbox) {
    w.begin_object()
        .field("pending", ob->pending)
        .field("scheduled_retry", ob->scheduled_retry)
        .field("leased", ob->leased)
        .field("delivered", ob->delivered)
        .field("failed_permanently", ob->failed_permanently)
        .field("endpoints_disabled", ob->endpoints_disabled)
        .field("oldest_due_age_ms", ob->oldest_due_age_ms)
        .end_object();
  } else {
    w.null();
  }

  w.key("jobs").begin_array();
  for (const job_row& r : rows) write_row(w, r);
  w.end_array().end_object();
}

namespace detail {
/// Rewrites `<`, `>` and `&` from `from` on as \u003c, \u003e, \u0026. In text the JSON
/// writer produced they can only stand inside strings, so the document means the same;
/// but no byte sequence of it can ever be taken for markup, should anything (a
/// mis-sniffing client, a page embedding it) treat it as HTML.
inline void html_safe_json(std::string& out, std::size_t from) {
  std::size_t extra = 0;
  for (std::size_t i = from; i < out.size(); ++i) extra += (out[i] == '<' || out[i] == '>' || out[i] == '&') ? 5u : 0u;
  if (extra == 0) return;
  std::string tail;
  tail.reserve(out.size() - from + extra);
  for (std::size_t i = from; i < out.size(); ++i) {
    const char c = out[i];
    if (c == '<') tail += "\\u003c";
    else if (c == '>') tail += "\\u003e";
    else if (c == '&') tail += "\\u0026";
    else tail += c;
  }
  out.resize(from);
  out += tail;
}
}  // namespace detail

/// Appends the whole document (docs/DASHBOARD.md) for `rows`, in the order given.
inline void write_document(std::string& out, const std::vector<job_row>& rows, const document_sources& src) {
  const std::size_t start = out.size();
  write_document_members(out, rows, src);
  detail::html_safe_json(out, start);
}

inline std::string render_document(const std::vector<job_row>& rows, const document_sources& src) {
  std::string out;
  write_document(out, rows, src);
  return out;
}

// --- the receiver's view ----------------------------------------------------------------------

/// What the receiver answered to one delivery, as its host saw it.
struct receipt_note {
  /// `data.id` of a delivery that passed verification and parsing; empty otherwise (an
  /// unverified body's job id is not believed, so such a delivery is never attributed).
  std::string_view job_id;
  /// The delivery key (`video.progress:50`), empty when the delivery carried none.
  std::string_view delivery_key;
  unsigned attempt = 0;  ///< the attempt number it carried, 0 when unknown
  int http_status = 0;   ///< the reply
  jobwire::receiver_decision decision = jobwire::receiver_decision::reject;
  std::string_view reason;  ///< the receipt's stable reason code
  std::string_view reply_body;
  std::int64_t at_ms = 0;  ///< when it was answered (Unix ms)
};

/// The receiver's per-job record, and its dashboard document. Thread-safe.
///
/// For each verified delivery with a key, the answer is run through the sender's own rule
/// (`decide_attempt` under `policy`, PROTOCOL.md §12) and recorded as an attempt with
/// `make_attempt_record`: the ledger the sender keeps, as the receiver caused it. So a key
/// the receiver refused on its last attempt reads `failed_permanently` and the job
/// `delivery_exhausted`, on the receiver's clock. Retry times are those the schedule
/// promises from the moment of the answer; a sender running a compressed clock (the demo's
/// simulated gateway) retries sooner.
class receiver_journal {
 public:
  /// Deliveries for jobs beyond the first `max_jobs` are counted (`untracked_deliveries`)
  /// but not tracked, so memory stays bounded whatever the sender sends.
  explicit receiver_journal(jobwire::retry_policy policy, std::size_t max_jobs = 1000)
      : policy_(policy), max_jobs_(max_jobs) {}
  receiver_journal() : receiver_journal(jobwire::default_retry_policy) {}

  /// Records one answered delivery.
  void record(const receipt_note& n) {
    std::lock_guard<std::mutex> lock(m_);
    if (n.job_id.empty()) {
      if (n.decision == jobwire::receiver_decision::reject) ++unattributed_rejections_;
      return;
    }
    job* j = find_or_add(n.job_id);
    if (j == nullptr) {
      ++untracked_deliveries_;
      return;
    }
    ++j->decisions[n.decision];
    if (n.delivery_key.empty() || n.attempt == 0) return;
    auto key = jobwire::parse_delivery_key(n.delivery_key, key_profile);
    if (!key) return;
    auto decision = jobwire::decide_attempt(policy_, n.attempt, jobwire::attempt_outcome::http(n.http_status), n.at_ms);
    if (!decision) return;  // an attempt number the policy does not have: counted above only
    const std::string type = jobwire::format_event_type(key->type);
    const std::string id = "rcv_" + std::to_string(++attempt_ids_);
    std::string message;
    if (n.http_status < 200 || n.http_status > 299) {
      message = "answered HTTP " + std::to_string(n.http_status);
      if (!n.reason.empty()) message += " (" + std::string(n.reason) + ")";
    }
    jobwire::attempt_report report;
    report.id = id;
    report.delivery_key = n.delivery_key;
    report.event_type = type;
    report.outcome = jobwire::attempt_outcome::http(n.http_status);
    report.tried_at_ms = n.at_ms;
    report.error_message = message;
    report.response_body = n.reply_body;
    if (auto rec = jobwire::make_attempt_record(report, *decision, key_profile)) j->ledger.append(std::move(*rec));
  }

  /// The host's name for a job (job_input::label); the first non-empty one stays.
  void set_label(std::string_view job_id, std::string_view label) {
    std::lock_guard<std::mutex> lock(m_);
    job* j = label.empty() ? nullptr : find_or_add(job_id);
    if (j == nullptr || !j->label.empty()) return;
    std::size_t n = std::min(label.size(), max_label_bytes);
    // Cut before a UTF-8 continuation byte, never inside a character.
    while (n < label.size() && n > 0 && (static_cast<unsigned char>(label[n]) & 0xC0) == 0x80) --n;
    j->label = std::string(label.substr(0, n));
  }

  /// Whether the job already has a label (so a host looks it up once).
  bool has_label(std::string_view job_id) const {
    std::lock_guard<std::mutex> lock(m_);
    auto it = jobs_.find(job_id);
    return it != jobs_.end() && !it->second.label.empty();
  }

  /// The job state the host holds after a delivery (its store is the truth, §13.3).
  void set_state(std::string_view job_id, std::string_view status, std::optional<double> progress) {
    std::lock_guard<std::mutex> lock(m_);
    job* j = find_or_add(job_id);
    if (j == nullptr) return;
    j->status = std::string(status);
    j->progress = progress;
  }

  std::vector<job_row> rows() const {
    std::lock_guard<std::mutex> lock(m_);
    return rows_locked();
  }

  /// The document, with the receiver's counters (monitor.hpp) beside the rows; one
  /// consistent snapshot of the journal.
  std::string render(std::int64_t now_ms, const jobwire::receiver_counters* counters) const {
    document_sources src;
    src.kind = view::receiver;
    src.now_ms = now_ms;
    src.receiver = counters;
    std::lock_guard<std::mutex> lock(m_);
    src.unattributed_rejections = unattributed_rejections_;
    src.untracked_deliveries = untracked_deliveries_;
    return render_document(rows_locked(), src);
  }

  jobwire::health_counts health() const { return health_of(rows()); }

 private:
  std::vector<job_row> rows_locked() const {
    std::vector<job_row> out;
    out.reserve(order_.size());
    for (const std::string& id : order_) {
      const job& j = jobs_.at(id);
      job_input in;
      in.id = id;
      in.label = j.label;
      in.status = j.status;
      in.progress = j.progress;
      in.ledger = &j.ledger;
      in.decisions = &j.decisions;
      out.push_back(make_row(in));
    }
    return out;
  }

  struct job {
    // Before the host reports a state, a job it has only heard of is `pending` (§3).
    std::string status = "pending";
    std::string label;
    std::optional<double> progress;
    jobwire::attempt_ledger ledger;
    decision_counts decisions;
  };

  job* find_or_add(std::string_view id) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) return &it->second;
    if (jobs_.size() >= max_jobs_) return nullptr;
    order_.emplace_back(id);
    return &jobs_.emplace(std::string(id), job{}).first->second;
  }

  static constexpr std::size_t max_label_bytes = 200;  // a name, not a document
  // The widest set of delivery keys (phaseo's adds status_changed, PROTOCOL.md §16.1): a
  // receiver that accepts the current service's deliveries records them like any other.
  static constexpr const jobwire::profile& key_profile = jobwire::profiles::phaseo;
  jobwire::retry_policy policy_;
  std::size_t max_jobs_;
  mutable std::mutex m_;
  std::map<std::string, job, std::less<>> jobs_;
  std::vector<std::string> order_;  // first seen first
  std::uint64_t unattributed_rejections_ = 0, untracked_deliveries_ = 0, attempt_ids_ = 0;
};

}  // namespace jobwire_dashboard
