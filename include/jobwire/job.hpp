// jobwire — job identifiers and status vocabularies (PROTOCOL.md §2, §3, §4).
//
// Two id types that must never be confused: the gateway's job id (the only id that may
// appear in a gateway URL) and the provider's native id (correlation metadata only).
// They are distinct types with no conversion either way, so "poll with the native id"
// is a compile-time error rather than a 404 in production (PROTOCOL.md §2, jobwire policy).
//
// The service speaks three status vocabularies: the status endpoint's `status`, the
// `lifecycle_status` used for reconciliation, and the create response's own set. All three
// are parsed through one normaliser that reproduces the service's mapping (§3); the only
// policy difference is what happens to a word the service does not know.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "byte_scan.hpp"
#include "error.hpp"
#include "leniency.hpp"
#include "result.hpp"

namespace jobwire {

// --- identifiers (PROTOCOL.md §2) ------------------------------------------------------

/// Longest id accepted. Gateway ids are short (`G-...`); the bound keeps a hostile
/// payload from smuggling a megabyte into every URL and log line built from it. Fixed, not
/// overridable: it decides which ids are valid (§2), and every reader, store and peer must
/// agree on that, whatever build they come from.
constexpr std::size_t max_job_id_length = 256;

namespace detail {
/// An ASCII control character: below 0x20, or DEL.
constexpr bool is_control_byte(char c) noexcept {
  const unsigned char u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

/// Whether any byte of `s` is a control character, 8 bytes at a time ("has a byte less
/// than" and "has a zero byte" as predicates are exact) — ids are read from every payload.
inline bool has_control_byte(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t del = w ^ (swar_ones * 0x7F);
    if ((((w - swar_ones * 0x20) & ~w) | ((del - swar_ones) & ~del)) & swar_high) return true;
  }
  for (; i < s.size(); ++i)
    if (is_control_byte(s[i])) return true;
  return false;
}

/// Non-empty, at most `max_job_id_length` bytes, no ASCII control characters (they would
/// end up in URLs, log lines and header values built from the id).
constexpr bool is_valid_id_text(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_job_id_length) return false;
  if (!in_constant_evaluation()) return !has_control_byte(s);
  for (char c : s)
    if (is_control_byte(c)) return false;
  return true;
}

struct job_id_tag {};
struct native_id_tag {};
}  // namespace detail

/// A job id held by value, in a fixed buffer inside the object (at most
/// `max_job_id_length` bytes; no heap): for results that outlive the buffer the id was
/// read from, such as a receiver's receipt kept after the request body is gone. Reads as
/// a `std::string_view` into itself, valid as long as the object is.
class job_id_buffer {
 public:
  job_id_buffer() noexcept {}  // NOLINT: the bytes are written before they are read (below)
  // Copied by the bytes it holds, not by its capacity, and never cleared: a receipt holds
  // one, and clearing 256 bytes per delivery was a measurable part of a receive. The
  // bytes past `len_` are never read (every view stops there).
  job_id_buffer(const job_id_buffer& o) noexcept { copy_from(o); }
  job_id_buffer& operator=(const job_id_buffer& o) noexcept {
    if (this != &o) copy_from(o);
    return *this;
  }
  ~job_id_buffer() = default;
  /// Copies `s`. An id longer than `max_job_id_length` is no job id (§2): it is refused
  /// (false) and the buffer is left empty.
  bool assign(std::string_view s) noexcept {
    len_ = 0;
    if (s.size() > max_job_id_length) return false;
    for (std::size_t i = 0; i < s.size(); ++i) buf_[i] = s[i];
    len_ = s.size();
    return true;
  }
  std::string_view view() const noexcept { return {buf_, len_}; }
  operator std::string_view() const noexcept { return view(); }
  const char* data() const noexcept { return buf_; }
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }

  friend bool operator==(const job_id_buffer& a, const job_id_buffer& b) noexcept { return a.view() == b.view(); }
  friend bool operator!=(const job_id_buffer& a, const job_id_buffer& b) noexcept { return a.view() != b.view(); }
  friend bool operator==(const job_id_buffer& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator!=(const job_id_buffer& a, std::string_view b) noexcept { return a.view() != b; }
  friend bool operator==(std::string_view a, const job_id_buffer& b) noexcept { return a == b.view(); }
  friend bool operator!=(std::string_view a, const job_id_buffer& b) noexcept { return a != b.view(); }

 private:
  void copy_from(const job_id_buffer& o) noexcept {
    len_ = o.len_;
    std::memcpy(buf_, o.buf_, len_);
  }
  char buf_[max_job_id_length];
  std::size_t len_ = 0;
};

template <class Tag>
class basic_id;

/// A validated id viewed in someone else's buffer (zero-copy; valid while the buffer is).
/// `Tag` makes job ids and native ids different types with no conversion between them.
template <class Tag>
class basic_id_view {
 public:
  constexpr basic_id_view() noexcept = default;

  /// Validates `s` as an id: `invalid_job_id` unless 1..256 bytes without control characters.
  static result<basic_id_view> parse(std::string_view s) noexcept {
    if (!detail::is_valid_id_text(s)) return errc::invalid_job_id;
    return basic_id_view(s);
  }

  constexpr std::string_view str() const noexcept { return s_; }
  constexpr bool empty() const noexcept { return s_.empty(); }
  constexpr std::size_t size() const noexcept { return s_.size(); }

  friend constexpr bool operator==(basic_id_view a, basic_id_view b) noexcept { return a.s_ == b.s_; }
  friend constexpr bool operator!=(basic_id_view a, basic_id_view b) noexcept { return a.s_ != b.s_; }

 private:
  explicit constexpr basic_id_view(std::string_view s) noexcept : s_(s) {}
  friend class basic_id<Tag>;
  std::string_view s_{};
};

/// An owned, validated id (for storing past the lifetime of the payload buffer).
template <class Tag>
class basic_id {
 public:
  basic_id() = default;
  explicit basic_id(basic_id_view<Tag> v) : s_(v.str()) {}

  static result<basic_id> parse(std::string_view s) {
    auto v = basic_id_view<Tag>::parse(s);
    if (!v) return v.error();
    return basic_id(*v);
  }

  const std::string& str() const noexcept { return s_; }
  bool empty() const noexcept { return s_.empty(); }
  /// Views of an owned id convert implicitly (same tag), so builders taking a view accept
  /// both forms — but only of the same kind of id.
  operator basic_id_view<Tag>() const noexcept { return basic_id_view<Tag>(std::string_view(s_)); }  // NOLINT
  basic_id_view<Tag> view() const noexcept { return *this; }

  friend bool operator==(const basic_id& a, const basic_id& b) noexcept { return a.s_ == b.s_; }
  friend bool operator!=(const basic_id& a, const basic_id& b) noexcept { return a.s_ != b.s_; }

 private:
  std::string s_;
};

/// The gateway-owned job id: the only id accepted by request builders (requests.hpp).
using job_id_view = basic_id_view<detail::job_id_tag>;
using job_id = basic_id<detail::job_id_tag>;
/// The provider's own id (`native_video_id` / `native_id`): correlation metadata only.
using native_id_view = basic_id_view<detail::native_id_tag>;
using native_id = basic_id<detail::native_id_tag>;

// --- status vocabularies (PROTOCOL.md §3) ----------------------------------------------

/// The status endpoint's `status`. (Named `job_status` because `jobwire::status` is the
/// library's result<void>.)
enum class job_status : std::uint8_t { queued, processing, completed, failed, cancelled, expired };
/// `lifecycle_status`, the vocabulary reconciliation orders (pending < running < terminal).
enum class lifecycle_status : std::uint8_t { pending, running, completed, failed, cancelled, expired };
/// The create response's vocabulary (§3 last paragraph): no `expired`.
enum class create_status : std::uint8_t { pending, in_progress, completed, failed, cancelled };

// A status word the service's normaliser does not know is `unknown_status` (jobwire
// policy), or — with `lenient::unknown_status` (leniency.hpp) — mapped to queued/pending
// exactly as the service does. The vocabulary functions below take the caller's flag set.

constexpr std::string_view job_status_name(job_status s) noexcept {
  switch (s) {
    case job_status::queued: return "queued";
    case job_status::processing: return "processing";
    case job_status::completed: return "completed";
    case job_status::failed: return "failed";
    case job_status::cancelled: return "cancelled";
    case job_status::expired: return "expired";
  }
  return "unknown";
}
constexpr std::string_view lifecycle_status_name(lifecycle_status s) noexcept {
  switch (s) {
    case lifecycle_status::pending: return "pending";
    case lifecycle_status::running: return "running";
    case lifecycle_status::completed: return "completed";
    case lifecycle_status::failed: return "failed";
    case lifecycle_status::cancelled: return "cancelled";
    case lifecycle_status::expired: return "expired";
  }
  return "unknown";
}
constexpr std::string_view create_status_name(create_status s) noexcept {
  switch (s) {
    case create_status::pending: return "pending";
    case create_status::in_progress: return "in_progress";
    case create_status::completed: return "completed";
    case create_status::failed: return "failed";
    case create_status::cancelled: return "cancelled";
  }
  return "unknown";
}

/// The table of §3: both vocabularies name the same six states in the same order.
constexpr lifecycle_status to_lifecycle(job_status s) noexcept { return static_cast<lifecycle_status>(s); }
constexpr job_status to_job_status(lifecycle_status s) noexcept { return static_cast<job_status>(s); }
constexpr lifecycle_status to_lifecycle(create_status s) noexcept {
  switch (s) {
    case create_status::pending: return lifecycle_status::pending;
    case create_status::in_progress: return lifecycle_status::running;
    case create_status::completed: return lifecycle_status::completed;
    case create_status::failed: return lifecycle_status::failed;
    case create_status::cancelled: return lifecycle_status::cancelled;
  }
  return lifecycle_status::pending;
}

constexpr bool is_terminal(lifecycle_status s) noexcept {
  return s == lifecycle_status::completed || s == lifecycle_status::failed || s == lifecycle_status::cancelled ||
         s == lifecycle_status::expired;
}
constexpr bool is_terminal(job_status s) noexcept { return is_terminal(to_lifecycle(s)); }
constexpr bool is_terminal(create_status s) noexcept { return is_terminal(to_lifecycle(s)); }

/// Rank in the reconciliation order of §3/§13.3: pending 0 < running 1 < any terminal 2.
constexpr int lifecycle_rank(lifecycle_status s) noexcept {
  return s == lifecycle_status::pending ? 0 : s == lifecycle_status::running ? 1 : 2;
}

namespace detail {
constexpr bool is_status_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr bool iequals(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != lower[i]) return false;
  return true;
}
constexpr std::string_view trim_status(std::string_view s) noexcept {
  while (!s.empty() && is_status_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_status_space(s.back())) s.remove_suffix(1);
  return s;
}

/// The service's normaliser (§3): case-insensitive, trimmed, synonyms folded. Returns false
/// for a word it does not know (the caller applies its leniency).
constexpr bool normalise_status(std::string_view raw, lifecycle_status& out) noexcept {
  std::string_view s = trim_status(raw);
  struct synonym {
    std::string_view word;
    lifecycle_status state;
  };
  constexpr synonym table[] = {
      {"queued", lifecycle_status::pending},      {"pending", lifecycle_status::pending},
      {"processing", lifecycle_status::running},  {"running", lifecycle_status::running},
      {"in_progress", lifecycle_status::running}, {"completed", lifecycle_status::completed},
      {"succeeded", lifecycle_status::completed}, {"success", lifecycle_status::completed},
      {"failed", lifecycle_status::failed},       {"error", lifecycle_status::failed},
      {"cancelled", lifecycle_status::cancelled}, {"canceled", lifecycle_status::cancelled},
      {"expired", lifecycle_status::expired},
  };
  for (const synonym& e : table) {
    if (iequals(s, e.word)) {
      out = e.state;
      return true;
    }
  }
  return false;
}
}  // namespace detail

/// Parses any status word (either vocabulary, any case, surrounding whitespace, synonyms)
/// into the lifecycle state it denotes. Unknown → `unknown_status`, or `pending` under
/// `lenient::unknown_status` (the service's fallback).
inline result<lifecycle_status> parse_lifecycle_status(std::string_view s, lenient leniency = lenient::none) noexcept {
  lifecycle_status out = lifecycle_status::pending;
  if (detail::normalise_status(s, out)) return out;
  if (allows(leniency, lenient::unknown_status)) return lifecycle_status::pending;
  return errc::unknown_status;
}

/// As `parse_lifecycle_status`, in the status endpoint's vocabulary.
inline result<job_status> parse_job_status(std::string_view s, lenient leniency = lenient::none) noexcept {
  auto l = parse_lifecycle_status(s, leniency);
  if (!l) return l.error();
  return to_job_status(*l);
}

/// The create response's vocabulary. `expired` has no create-response spelling (a job
/// cannot expire before it was created), so it is refused unless `lenient::unknown_status`
/// maps it, like every other unknown word, to `pending`.
inline result<create_status> parse_create_status(std::string_view s, lenient leniency = lenient::none) noexcept {
  auto l = parse_lifecycle_status(s, leniency);
  if (!l) return l.error();
  switch (*l) {
    case lifecycle_status::pending: return create_status::pending;
    case lifecycle_status::running: return create_status::in_progress;
    case lifecycle_status::completed: return create_status::completed;
    case lifecycle_status::failed: return create_status::failed;
    case lifecycle_status::cancelled: return create_status::cancelled;
    case lifecycle_status::expired: break;
  }
  if (allows(leniency, lenient::unknown_status)) return create_status::pending;
  return errc::unknown_status;
}

/// The lifecycle state of a *raw* status, the stored vocabulary the current service puts
/// into `status_changed` keys and `status_change` objects (PROTOCOL.md §16, §16.1):
/// `queued`/`pending` → pending; `in_progress`/`processing`/`running` → running;
/// `completed`, `failed`, `cancelled` (and the legacy `canceled`), `expired`. Exact words,
/// ASCII case-insensitive (the key lower-cases them; the object carries them as stored), no
/// trimming and none of the public synonyms (`succeeded`, `error`): those are not raw
/// statuses. Anything else is `unknown_status`, or pending under `lenient::unknown_status`
/// (the service's fallback for words it does not know, §3).
inline result<lifecycle_status> parse_raw_status(std::string_view s, lenient leniency = lenient::none) noexcept {
  struct raw_word {
    std::string_view word;
    lifecycle_status state;
  };
  constexpr raw_word table[] = {
      {"queued", lifecycle_status::pending},      {"pending", lifecycle_status::pending},
      {"in_progress", lifecycle_status::running}, {"processing", lifecycle_status::running},
      {"running", lifecycle_status::running},     {"completed", lifecycle_status::completed},
      {"failed", lifecycle_status::failed},       {"cancelled", lifecycle_status::cancelled},
      {"canceled", lifecycle_status::cancelled},  {"expired", lifecycle_status::expired},
  };
  for (const raw_word& e : table)
    if (detail::iequals(s, e.word)) return e.state;
  if (allows(leniency, lenient::unknown_status)) return lifecycle_status::pending;
  return errc::unknown_status;
}

/// True when `s` is exactly (lower-case) one of the six lifecycle words of §3
/// (`pending`, `running`, `completed`, `failed`, `cancelled`, `expired`).
constexpr bool is_lifecycle_word(std::string_view s) noexcept {
  for (std::size_t i = 0; i < 6; ++i)
    if (s == lifecycle_status_name(static_cast<lifecycle_status>(i))) return true;
  return false;
}

/// `inconsistent_status` when `status` and `lifecycle_status` name different rows of §3.
constexpr jobwire::void_result check_consistent(job_status s, lifecycle_status l) noexcept {
  if (to_lifecycle(s) != l) return errc::inconsistent_status;
  return {};
}

}  // namespace jobwire
