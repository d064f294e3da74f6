// jobwire — reconciling an incoming job payload with locally held state (PROTOCOL.md §13.3).
//
// Deliveries arrive late, twice, and out of order (retries are swept every five minutes,
// §12), and the websocket and the poller race the webhook. The cookbook's rule is "if the
// payload and local state disagree, fetch the latest status"; jobwire makes that a total
// function over (held state, incoming state) so every receiver decides the same way:
//
//   held \ incoming   pending       running       terminal T'
//   none              refetch (unknown job)
//   pending           same: progress rule   apply          apply
//   running           ignore_stale  same: progress rule   apply
//   terminal T        ignore_stale  ignore_stale  T' == T: no_change, else refetch
//
// "progress rule": more progress than held → apply, otherwise no_change. A payload whose
// `status` and `lifecycle_status` contradict each other → refetch. Progress never moves
// backwards and terminal states are absorbing: `next` never loses either.
//
// A `status_changed` delivery (§16.1) is a hint, not a state: it moves a job forward
// between pending and running like any update, carries no progress, and when it names a
// terminal state the job does not hold (yet) the answer is refetch (`terminal_hint`),
// never apply — the terminal event, or the status object, makes a job terminal. Against
// a held terminal state it follows the table (same terminal: no_change; another: refetch;
// non-terminal: ignore_stale).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "job.hpp"
#include "payload.hpp"

namespace jobwire {

/// The state a receiver (or poller) keeps per job: small, copyable, storable.
struct job_state {
  lifecycle_status lifecycle = lifecycle_status::pending;
  double progress = 0;  ///< 0..100, never decreases

  friend bool operator==(const job_state& a, const job_state& b) noexcept {
    return a.lifecycle == b.lifecycle && a.progress == b.progress;
  }
  friend bool operator!=(const job_state& a, const job_state& b) noexcept { return !(a == b); }
};

/// What a payload says about a job, reduced to what reconciliation needs.
struct job_update {
  lifecycle_status lifecycle = lifecycle_status::pending;
  double progress = 0;
  bool has_progress = false;
  bool contradictory = false;  ///< status and lifecycle_status disagreed
  /// A transition hint (a `status_changed` delivery, §16.1), not a state report: a
  /// terminal hint never makes the job terminal (the terminal event, or a refetch, does).
  bool hint = false;

  static job_update of(lifecycle_status l) noexcept { return job_update{l, 0, false, false}; }
  static job_update of(lifecycle_status l, double p) noexcept { return job_update{l, p, true, false}; }
  static job_update contradiction() noexcept { return job_update{lifecycle_status::pending, 0, false, true}; }
};

/// The update carried by webhook/websocket `data` (parse it with
/// `lenient::inconsistent_status` to let a contradiction reach reconciliation).
inline job_update update_from(const job_data& d) noexcept {
  job_update u{d.lifecycle, d.progress.value, d.progress.present, !d.consistent};
  return u;
}
/// The update a delivery carries. For every event but `status_changed` that is its `data`.
/// A `status_changed` delivery (profile phaseo, §16.1) is a transition hint instead: its
/// target is `status_change.status` mapped to the lifecycle (raw statuses: `queued` and
/// `pending` → pending, `in_progress`/`processing`/`running` → running, `canceled` →
/// cancelled), and it carries no progress — its `data.progress` is 0 or 100 by rule, never
/// the provider's, so it must not raise (or lower) the progress held. `data` is the job
/// as it was when the delivery was sent, possibly later than the transition, so it is not
/// what reconciliation reads here.
inline job_update update_from(const envelope_view& e) noexcept {
  if (e.type.phase == phase::status_changed && e.status_change.present) {
    job_update u = job_update::of(e.status_change.lifecycle);
    u.hint = true;
    return u;
  }
  return update_from(e.data);
}
/// The update carried by a status object.
inline job_update update_from(const status_view& s) noexcept {
  job_update u{s.lifecycle, s.progress.value, s.progress.present, !s.consistent};
  return u;
}

enum class reconcile_action : std::uint8_t {
  apply,         ///< store `next` and run side effects
  no_change,     ///< nothing new; acknowledge
  ignore_stale,  ///< older than what is held; acknowledge and drop
  refetch,       ///< local state and payload disagree: GET the status object
};

enum class reconcile_reason : std::uint8_t {
  forward,               ///< lifecycle moved forward
  more_progress,         ///< same non-terminal state, more progress
  same_state,            ///< same state, no new progress
  older_state,           ///< incoming state is behind the held one
  unknown_job,           ///< nothing is held for this job
  terminal_conflict,     ///< a different terminal state than the held one
  contradictory_status,  ///< the payload's two status fields disagree
  terminal_hint          ///< a status change names a terminal state the job does not hold yet
};

constexpr std::string_view reconcile_action_name(reconcile_action a) noexcept {
  switch (a) {
    case reconcile_action::apply: return "apply";
    case reconcile_action::no_change: return "no_change";
    case reconcile_action::ignore_stale: return "ignore_stale";
    case reconcile_action::refetch: return "refetch";
  }
  return "unknown";
}
constexpr std::string_view reconcile_reason_name(reconcile_reason r) noexcept {
  switch (r) {
    case reconcile_reason::forward: return "forward";
    case reconcile_reason::more_progress: return "more_progress";
    case reconcile_reason::same_state: return "same_state";
    case reconcile_reason::older_state: return "older_state";
    case reconcile_reason::unknown_job: return "unknown_job";
    case reconcile_reason::terminal_conflict: return "terminal_conflict";
    case reconcile_reason::contradictory_status: return "contradictory_status";
    case reconcile_reason::terminal_hint: return "terminal_hint";
  }
  return "unknown";
}

struct reconcile_decision {
  reconcile_action action = reconcile_action::no_change;
  reconcile_reason reason = reconcile_reason::same_state;
  /// The state to hold afterwards: the merged state for `apply`, the held state otherwise
  /// (for `refetch` with nothing held, the default state — do not store it).
  job_state next{};
};

/// Decides what to do with `incoming` given what is held (`nullopt`: nothing held).
inline reconcile_decision reconcile(const std::optional<job_state>& held, const job_update& incoming) noexcept {
  reconcile_decision d;
  if (held) d.next = *held;
  if (incoming.contradictory) {
    d.action = reconcile_action::refetch;
    d.reason = reconcile_reason::contradictory_status;
    return d;
  }
  if (!held) {
    d.action = reconcile_action::refetch;
    d.reason = reconcile_reason::unknown_job;
    return d;
  }
  const job_state& h = *held;
  const int hr = lifecycle_rank(h.lifecycle), ir = lifecycle_rank(incoming.lifecycle);
  if (is_terminal(h.lifecycle)) {
    if (!is_terminal(incoming.lifecycle)) {
      d.action = reconcile_action::ignore_stale;
      d.reason = reconcile_reason::older_state;
    } else if (incoming.lifecycle == h.lifecycle) {
      d.action = reconcile_action::no_change;
      d.reason = reconcile_reason::same_state;
    } else {
      d.action = reconcile_action::refetch;
      d.reason = reconcile_reason::terminal_conflict;
    }
    return d;
  }
  if (incoming.hint && is_terminal(incoming.lifecycle)) {
    // §16.1: a status change is never terminal by itself. Its terminal event comes
    // separately, in either order, and only when subscribed; so the job stays as held
    // and the status object — authoritative — is fetched.
    d.action = reconcile_action::refetch;
    d.reason = reconcile_reason::terminal_hint;
    return d;
  }
  if (ir < hr) {
    d.action = reconcile_action::ignore_stale;
    d.reason = reconcile_reason::older_state;
    return d;
  }
  // Progress is monotonic: a forward move with a lower (or no) progress keeps the held value.
  const double p = incoming.has_progress && incoming.progress > h.progress ? incoming.progress : h.progress;
  if (ir > hr) {
    d.action = reconcile_action::apply;
    d.reason = reconcile_reason::forward;
    d.next = job_state{incoming.lifecycle, p};
    return d;
  }
  if (incoming.has_progress && incoming.progress > h.progress) {
    d.action = reconcile_action::apply;
    d.reason = reconcile_reason::more_progress;
    d.next = job_state{h.lifecycle, p};
    return d;
  }
  d.action = reconcile_action::no_change;
  d.reason = reconcile_reason::same_state;
  return d;
}

/// The state to hold after a refetch returned `s` (a fresh status object is authoritative,
/// but progress still never moves backwards while the job is in the same state).
inline job_state state_from(const status_view& s, const std::optional<job_state>& held = std::nullopt) noexcept {
  job_state st{s.lifecycle, s.effective_progress()};
  if (held && held->lifecycle == st.lifecycle && held->progress > st.progress) st.progress = held->progress;
  return st;
}

}  // namespace jobwire
