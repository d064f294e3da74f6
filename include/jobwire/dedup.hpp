// jobwire — idempotent receiving: dedup keys, the two-phase claim/commit/release policy
// interface, and a bounded, sharded in-memory store (PROTOCOL.md §2, §13).
//
// Deliveries are retried and duplicated (PROTOCOL.md §12), so a receiver must make the
// *effect* of a delivery happen once. §13 asks to deduplicate before side effects and to
// reply 2xx only after durable state is updated. One "seen" flag cannot do both: set it
// before the effect and a crash loses the delivery; set it after and two concurrent
// copies both run the effect. Hence two phases (jobwire policy, §13):
//
//   claim(key, now, lease)  -> fresh (you own the key until now+lease; run the effect)
//                              done (processed before: reply 200, do nothing)
//                              in_flight (someone else holds a live lease: reply 503)
//   commit(key, token, now) -> the effect happened; keep the key as done for `retention`
//   release(key, token)     -> the effect failed; forget the claim so a retry processes
//
// A lease expires so a claim whose holder crashed becomes claimable again. Because a slow
// holder may outlive its lease and be overtaken, commit and release compare-and-set on
// the claim token the claim returned: a stale holder gets `claim_lost` and cannot
// overwrite the new holder's state.
//
// The core never reads a clock: `now` is passed in by the caller (Unix time in
// milliseconds as `dedup_time`). Stores are template parameters checked by
// `is_dedup_store<S>`; nothing here is virtual.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "error.hpp"
#include "events.hpp"
#include "job.hpp"
#include "result.hpp"
#include "unix_time.hpp"

namespace jobwire {

// --- time ------------------------------------------------------------------------------

/// A point in time handed to the stores: the API's one Unix-time type (unix_time.hpp;
/// `to_unix_ms` gives what the SQL stores persist). The name stays for the stores'
/// interface; it is the same type as everywhere else.
using dedup_time = unix_time;

constexpr dedup_time dedup_time_from_unix_ms(std::int64_t ms) noexcept { return unix_time_from_ms(ms); }

// --- lease and retention defaults (derived from the sender's schedule, PROTOCOL.md §12) --

/// Delays before attempts 2, 3 and 4: 60 s + 300 s + 900 s.
constexpr std::chrono::seconds sender_retry_delays_total{60 + 300 + 900};
/// Due retries are swept every 5 minutes, so each of the 3 retries may arrive up to one
/// sweep interval after it was due.
constexpr std::chrono::seconds sender_sweep_interval{300};
/// The sender waits at most 120 s (the top of its configurable 1..120 s request timeout)
/// for each of the 4 attempts before counting it as failed.
constexpr std::chrono::seconds sender_max_request_timeout{120};
/// Worst-case time from the first attempt's start to the last attempt's end:
/// 1260 s of retry delays + 3 × 300 s of sweep lag + 4 × 120 s of request time = 2640 s.
constexpr std::chrono::seconds sender_retry_horizon =
    sender_retry_delays_total + 3 * sender_sweep_interval + 4 * sender_max_request_timeout;
static_assert(sender_retry_horizon.count() == 2640, "PROTOCOL.md §12 arithmetic");

/// How long a done key is remembered by default: twice the retry horizon (88 minutes).
/// Anything shorter than the horizon lets a late retry of a processed delivery look
/// fresh; the factor 2 absorbs clock skew between sender and receiver and a sender that
/// falls behind on its sweep. Configurable per store.
constexpr std::chrono::milliseconds default_done_retention = 2 * sender_retry_horizon;
static_assert(default_done_retention >= sender_retry_horizon, "retention must cover the retry horizon");

/// Default lease for a claim: the sender's longest request timeout. A handler still
/// running when the sender has given up on the attempt gains nothing from holding the key
/// longer, and a crashed holder blocks the key for at most one retry interval (§12).
constexpr std::chrono::milliseconds default_claim_lease = sender_max_request_timeout;

/// Longest lease or retention a store accepts (about 100 years): keeps `now + duration`
/// far from int64 overflow whatever `now` a caller passes.
constexpr std::chrono::milliseconds max_dedup_duration{std::int64_t{100} * 366 * 24 * 3600 * 1000};

/// Leases and retentions must be positive and at most max_dedup_duration.
constexpr bool is_valid_dedup_duration(std::chrono::milliseconds d) noexcept {
  return d.count() > 0 && d <= max_dedup_duration;
}

/// `now + d` in Unix milliseconds, saturated at the largest int64 instead of overflowing
/// (undefined behaviour) for a `now` near the end of the range: a lease or retention that
/// ends "at the end of time" is still live, whereas a wrapped expiry would lie in the past
/// and make a held key look free. `d` is a valid dedup duration (positive).
constexpr std::int64_t dedup_expiry(std::int64_t now_ms, std::chrono::milliseconds d) noexcept {
  const std::int64_t add = d.count();
  constexpr std::int64_t top = (std::numeric_limits<std::int64_t>::max)();
  return add > 0 && now_ms > top - add ? top : now_ms + add;
}

// --- dedup keys (PROTOCOL.md §2) ----------------------------------------------------------

/// Longest job id a dedup key accepts (bytes): exactly the job id bound of job.hpp, so
/// every valid job can be deduplicated (§2: ids are 1..256 bytes). One constant, not a
/// copy: a smaller copy once made every delivery of a valid 256-byte job a 400. This and
/// the delivery key bound fix the encoded key format shared by every store (a key written
/// by one build must be read by another), so they are not overridable.
constexpr std::size_t max_dedup_job_id_length = max_job_id_length;
static_assert(max_dedup_job_id_length <= 999, "the encoded job id length has at most 3 decimal digits");
/// Longest delivery key a dedup key accepts (the longest possible key,
/// `batch.status_changed:<prev>:<cur>` with two 21-byte parts, is 64 bytes: events.hpp).
constexpr std::size_t max_dedup_delivery_key_length = 64;
/// Longest `webhook-id` kept as written in a dedup key; longer ones are kept by SHA-256.
constexpr std::size_t max_dedup_webhook_id_length = 256;
static_assert(max_dedup_delivery_key_length >= 21 + 2 * max_status_part_length + 1,
              "every status_changed key must fit a dedup key");

namespace detail {
/// A word-at-a-time multiplicative hash over a key's encoding with a 64-bit finaliser, so
/// the in-memory store's shard (high bits) and bucket (low bits) are independent. Keys
/// only reach a store after the delivery's signature was verified (§13 step 1), so an
/// outsider cannot choose colliding keys. Not persisted: byte order does not matter.
inline std::uint64_t dedup_hash(std::string_view s) noexcept {
  constexpr std::uint64_t mul = 0x9e3779b97f4a7c15ull;
  std::uint64_t h = static_cast<std::uint64_t>(s.size()) * mul;
  std::uint64_t tail = 0;
  if (s.size() >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * mul;
      h ^= h >> 29;
    }
    // The last 8 bytes (overlapping the previous word): a fixed-size load instead of a
    // variable-length copy. The length is already mixed in, so this stays a function of
    // the bytes and the length only.
    if (i != s.size()) std::memcpy(&tail, s.data() + s.size() - 8, 8);
  } else {
    for (std::size_t i = 0; i < s.size(); ++i)
      tail |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  }
  h = (h ^ tail) * mul;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}
}  // namespace detail

/// Which form a key has: the two §2 forms of a delivery's identity, and the per-job lease
/// that serialises reconciliation of one job (receiver.hpp, docs/RECEIVING.md).
enum class dedup_key_form : std::uint8_t { job_delivery, event_id, job_lease, webhook_message };

/// The identity a delivery is deduplicated on: the pair (job id, delivery key) or the
/// event id — never the delivery key alone, because every job has a `video.completed`
/// key (PROTOCOL.md §2). There is deliberately no constructor from a delivery key: the
/// only ways to build one are the factories below.
///
/// Stable byte encoding (what stores persist; also the display form):
///   job id form:   "job:" <decimal byte length of job id> ":" <job id> ":" <delivery key>
///   event id form: "evt:" <event id>
///   job lease:     "jls:" <job id>
///   webhook id:    "whm:" <webhook-id>            (Standard Webhooks, PROTOCOL.md §17: ids of
///                                                  printable ASCII, no space, 1..256 bytes)
///                  "whh:" <64 hex of SHA-256(id)>  (any other id: the stores keep text keys,
///                                                  and §17 never rejects an id for its bytes)
/// The job lease key is not a delivery's identity: it names a job, and the receiver
/// claims it around load → reconcile → handler so that deliveries of one job with
/// different keys never reconcile against the same state at once. It is only ever
/// claimed and released, never committed.
/// The prefixes keep the two forms apart, and the length prefix makes the pair form
/// injective even when a job id contains ':' — ("a:b", "c") and ("a", "b:c") encode to
/// "job:3:a:b:c" and "job:1:a:b:c". The decimal has no leading zeros, so every key has
/// exactly one encoding. The key is a fixed-size value: building one never allocates.
class dedup_key {
 public:
  static constexpr std::size_t max_encoded_length =
      4 + 3 + 1 + max_dedup_job_id_length + 1 + max_dedup_delivery_key_length;
  static_assert(4 + max_dedup_webhook_id_length <= max_encoded_length, "a webhook id fits a key");

  /// (job id, delivery key). Both must be non-empty and within the length limits
  /// (`invalid_dedup_key`); their bytes are otherwise not interpreted.
  static result<dedup_key> for_delivery(std::string_view job, std::string_view delivery_key_text) noexcept {
    if (job.empty() || job.size() > max_dedup_job_id_length) return errc::invalid_dedup_key;
    if (delivery_key_text.empty() || delivery_key_text.size() > max_dedup_delivery_key_length)
      return errc::invalid_dedup_key;
    dedup_key k;
    k.form_ = dedup_key_form::job_delivery;
    k.append("job:");
    char digits[4];
    std::size_t nd = format_decimal(job.size(), digits);
    k.append(std::string_view(digits, nd));
    k.append(":");
    k.part_a_ = k.len_;
    k.append(job);
    k.append(":");
    k.part_b_ = k.len_;
    k.append(delivery_key_text);
    k.hash_ = detail::dedup_hash(k.encoded());
    return k;
  }

  /// (job id, parsed delivery key from events.hpp).
  static result<dedup_key> for_delivery(std::string_view job, const delivery_key& key) noexcept {
    char buf[max_dedup_delivery_key_length];
    std::size_t n = 0;
    auto put = [&](std::string_view s) {
      for (char c : s)
        if (n < sizeof buf) buf[n++] = c;
    };
    put(kind_name(key.type.kind));
    put(".");
    put(phase_name(key.type.phase));
    if (key.type.phase == phase::progress && key.bucket != no_bucket) {
      if (!is_valid_bucket(key.bucket)) return errc::invalid_delivery_key;
      char digits[4];
      put(":");
      put(std::string_view(digits, format_decimal(static_cast<std::size_t>(key.bucket), digits)));
    } else if (key.type.phase == phase::status_changed) {
      // §16.1: `<kind>.status_changed:<prev>:<cur>`; a key without its parts names no
      // transition and cannot be deduplicated on.
      if (key.current.empty()) return errc::invalid_delivery_key;
      put(":");
      put(key.previous.empty() ? unknown_status_part : key.previous.view());
      put(":");
      put(key.current.view());
    }
    return for_delivery(job, std::string_view(buf, n));
  }

  /// The lease key of a job (`invalid_dedup_key` unless the id has 1..max_job_id_length
  /// bytes; the bytes are otherwise not interpreted).
  static result<dedup_key> for_job(std::string_view job) noexcept {
    if (job.empty() || job.size() > max_dedup_job_id_length) return errc::invalid_dedup_key;
    dedup_key k;
    k.form_ = dedup_key_form::job_lease;
    k.append("jls:");
    k.part_a_ = k.len_;
    k.append(job);
    k.part_b_ = static_cast<std::uint16_t>(k.len_ + 1u);  // job_id() ends one before part_b_
    k.hash_ = detail::dedup_hash(k.encoded());
    return k;
  }

  /// The event id form. Event ids are opaque to receivers but have a fixed alphabet
  /// (§2: 1 to 160 characters of [A-Za-z0-9_-]); anything else is `invalid_event_id`.
  static result<dedup_key> for_event(std::string_view event_id) noexcept {
    if (!is_valid_event_id(event_id)) return errc::invalid_event_id;
    dedup_key k;
    k.form_ = dedup_key_form::event_id;
    k.append("evt:");
    k.part_a_ = k.len_;
    k.append(event_id);
    k.part_b_ = k.len_;
    k.hash_ = detail::dedup_hash(k.encoded());
    return k;
  }

  /// The Standard Webhooks form (§17): the `webhook-id`, which stays the same across a
  /// message's retries. Any non-empty id makes a key: printable ASCII ids up to
  /// `max_dedup_webhook_id_length` bytes are kept as they are, any other id by its SHA-256.
  static result<dedup_key> for_webhook(std::string_view id) noexcept {
    if (id.empty()) return errc::invalid_dedup_key;
    dedup_key k;
    k.form_ = dedup_key_form::webhook_message;
    if (is_plain_webhook_id(id)) {
      k.append("whm:");
      k.part_a_ = k.len_;
      k.append(id);
    } else {
      unsigned char digest[32];
      unsigned int n = 0;
      if (EVP_Digest(id.data(), id.size(), digest, &n, EVP_sha256(), nullptr) != 1 || n != sizeof digest)
        return errc::crypto_error;
      char hex[64];
      constexpr char digits[] = "0123456789abcdef";
      for (std::size_t i = 0; i < sizeof digest; ++i) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0F];
      }
      k.append("whh:");
      k.part_a_ = k.len_;
      k.append(std::string_view(hex, sizeof hex));
    }
    k.part_b_ = k.len_;
    k.hash_ = detail::dedup_hash(k.encoded());
    return k;
  }

  /// Reads an encoding back (e.g. a key listed from a store). Only the exact canonical
  /// encoding of a valid key is accepted (`invalid_dedup_key` otherwise, or
  /// `invalid_event_id` for a bad event id), so parse(encode(k)) == k and
  /// encode(parse(s)) == s.
  static result<dedup_key> parse(std::string_view encoded) noexcept {
    if (encoded.size() > max_encoded_length || encoded.size() < 4) return errc::invalid_dedup_key;
    std::string_view tag = encoded.substr(0, 4);
    std::string_view rest = encoded.substr(4);
    if (tag == "evt:") return for_event(rest);
    if (tag == "jls:") return for_job(rest);
    if (tag == "whm:") {
      if (!is_plain_webhook_id(rest)) return errc::invalid_dedup_key;
      return for_webhook(rest);
    }
    if (tag == "whh:") {
      // Exactly the digest form: 64 lower-case hex digits.
      if (rest.size() != 64) return errc::invalid_dedup_key;
      for (char c : rest)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return errc::invalid_dedup_key;
      dedup_key k;
      k.form_ = dedup_key_form::webhook_message;
      k.append("whh:");
      k.part_a_ = k.len_;
      k.append(rest);
      k.part_b_ = k.len_;
      k.hash_ = detail::dedup_hash(k.encoded());
      return k;
    }
    if (tag != "job:") return errc::invalid_dedup_key;
    std::size_t i = 0, len = 0;
    while (i < rest.size() && i < 4 && rest[i] >= '0' && rest[i] <= '9') {
      len = len * 10 + static_cast<std::size_t>(rest[i] - '0');
      ++i;
    }
    if (i == 0 || i > 3 || (i > 1 && rest[0] == '0')) return errc::invalid_dedup_key;
    if (i >= rest.size() || rest[i] != ':') return errc::invalid_dedup_key;
    rest = rest.substr(i + 1);
    if (len == 0 || len > max_dedup_job_id_length || rest.size() < len + 2 || rest[len] != ':')
      return errc::invalid_dedup_key;
    return for_delivery(rest.substr(0, len), rest.substr(len + 1));
  }

  /// The stable byte encoding (see the class comment).
  std::string_view encoded() const noexcept { return std::string_view(buf_, len_); }
  dedup_key_form form() const noexcept { return form_; }
  /// Empty for the event id form.
  std::string_view job_id() const noexcept {
    return form_ == dedup_key_form::job_delivery || form_ == dedup_key_form::job_lease
               ? std::string_view(buf_ + part_a_, part_b_ - 1u - part_a_)
               : std::string_view();
  }
  /// Empty for the event id and job lease forms.
  std::string_view delivery_key_text() const noexcept {
    return form_ == dedup_key_form::job_delivery ? std::string_view(buf_ + part_b_, len_ - part_b_)
                                                 : std::string_view();
  }
  /// Empty for the (job id, delivery key) and job lease forms.
  std::string_view event_id() const noexcept {
    return form_ == dedup_key_form::event_id ? std::string_view(buf_ + part_a_, len_ - part_a_) : std::string_view();
  }

  /// The webhook form's id as encoded (the id itself, or its SHA-256 in hex); empty for
  /// the other forms.
  std::string_view webhook_id() const noexcept {
    return form_ == dedup_key_form::webhook_message ? std::string_view(buf_ + part_a_, len_ - part_a_)
                                                    : std::string_view();
  }

  /// `detail::dedup_hash(encoded())`, computed once when the key is built: a receiver
  /// hands the same key to claim and then to commit or release.
  std::uint64_t hash() const noexcept { return hash_; }

  friend bool operator==(const dedup_key& a, const dedup_key& b) noexcept { return a.encoded() == b.encoded(); }
  friend bool operator!=(const dedup_key& a, const dedup_key& b) noexcept { return !(a == b); }

  // A key is copied by the bytes it holds, not by its capacity: every delivery builds two
  // keys and the receiver returns one in its receipt, so clearing and copying the whole
  // buffer (~330 bytes each time) was a measurable part of a receive. The bytes past the
  // end are never read (every view stops at `len_`).
  dedup_key(const dedup_key& o) noexcept { copy_from(o); }
  dedup_key& operator=(const dedup_key& o) noexcept {
    if (this != &o) copy_from(o);
    return *this;
  }
  ~dedup_key() = default;

 private:
  dedup_key() noexcept {}  // NOLINT: the buffer is written before it is read (see above)

  void copy_from(const dedup_key& o) noexcept {
    hash_ = o.hash_;
    len_ = o.len_;
    part_a_ = o.part_a_;
    part_b_ = o.part_b_;
    form_ = o.form_;
    std::memcpy(buf_, o.buf_, len_);
  }

  static std::size_t format_decimal(std::size_t v, char (&out)[4]) noexcept {
    char tmp[4];
    std::size_t n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 && n < 4);
    for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    return n;
  }
  // Kept as written in the key: bytes 0x21..0x7E (what text stores hold without escaping;
  // a '.' is no concern here, the signed-content rule refused it already).
  static bool is_plain_webhook_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > max_dedup_webhook_id_length) return false;
    for (char c : id)
      if (c < 0x21 || c > 0x7E) return false;
    return true;
  }
  void append(std::string_view s) noexcept {
    std::memcpy(buf_ + len_, s.data(), s.size());
    len_ = static_cast<std::uint16_t>(len_ + s.size());
  }

  // The hash and the length first: a lookup then reads one cache line for short keys.
  std::uint64_t hash_ = 0;
  std::uint16_t len_ = 0;
  std::uint16_t part_a_ = 0;  // start of the job id / event id
  std::uint16_t part_b_ = 0;  // start of the delivery key / end of the event id
  dedup_key_form form_ = dedup_key_form::event_id;
  char buf_[max_encoded_length];  // the first `len_` bytes are the key
};

static_assert(!std::is_default_constructible<dedup_key>::value, "a dedup key always names a job or an event");
static_assert(!std::is_constructible<dedup_key, std::string_view>::value, "never the delivery key alone (§2)");
static_assert(!std::is_constructible<dedup_key, delivery_key>::value, "never the delivery key alone (§2)");

// --- claim tokens and results ----------------------------------------------------------------

/// Identifies one claim. Stores make tokens unique among all claims of a key (the
/// in-memory store counts; the shared stores use 128 random bits), so a holder whose
/// lease was taken over can be told apart from the new holder.
struct claim_token {
  std::array<std::uint8_t, 16> bytes{};

  /// 32 lower-case hex characters (how the Redis store writes it).
  void to_hex(char (&out)[32]) const noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 15];
    }
  }
  friend bool operator==(const claim_token& a, const claim_token& b) noexcept { return a.bytes == b.bytes; }
  friend bool operator!=(const claim_token& a, const claim_token& b) noexcept { return !(a == b); }
};

/// What a claim found.
enum class claim_state : std::uint8_t {
  fresh,      ///< the caller now holds the key: run the effect, then commit or release
  done,       ///< processed before, within retention: a duplicate (reply 200, §13)
  in_flight,  ///< another holder's lease is live: reply 503 so the sender retries (§13)
};

constexpr std::string_view claim_state_name(claim_state s) noexcept {
  switch (s) {
    case claim_state::fresh: return "fresh";
    case claim_state::done: return "done";
    case claim_state::in_flight: return "in_flight";
  }
  return "unknown";
}

struct claim_result {
  claim_state state = claim_state::in_flight;
  claim_token token{};  ///< meaningful only when state == fresh

  bool fresh() const noexcept { return state == claim_state::fresh; }
};

// --- the store interface ---------------------------------------------------------------------

/// A dedup store S is any type for which these expressions are valid (s an lvalue S,
/// k a const dedup_key&, t a const claim_token&, now a dedup_time, lease a
/// std::chrono::milliseconds):
///
///   s.claim(k, now, lease) -> result<claim_result>
///       Atomically: if k is absent, or its lease expired (expiry <= now), or it was done
///       longer than the retention ago → record a lease until now+lease with a new token,
///       return fresh + token. Done within retention → done. Live lease → in_flight.
///   s.commit(k, t, now) -> status
///       If k is still claimed with token t, mark it done until now+retention.
///       Committing again with the same token is idempotent (a retried commit whose
///       reply was lost). Otherwise `claim_lost`, and nothing changes. After the lease
///       ran out and before anyone took the key over, the outcome depends on the store:
///       the in-memory and SQL stores keep the claim until it is taken over, swept or
///       evicted (commit succeeds); Redis drops it at expiry (claim_lost). Either way a
///       holder that finishes after its lease must treat claim_lost as "maybe duplicated".
///   s.release(k, t) -> status
///       If k is claimed with token t, remove the claim so the next claim is fresh.
///       Otherwise `claim_lost`, and nothing changes.
///
/// All three return `store_unavailable` when the backing service cannot be reached (a
/// transient condition: reply 503) and `store_error` for other backend failures; a
/// lease that is not positive or exceeds `max_dedup_duration` is `invalid_argument`. Retention is part of the store's
/// configuration (`default_done_retention` unless set).
template <class S, class = void>
struct is_dedup_store : std::false_type {};

template <class S>
struct is_dedup_store<
    S, std::void_t<decltype(std::declval<S&>().claim(std::declval<const dedup_key&>(), std::declval<dedup_time>(),
                                                     std::declval<std::chrono::milliseconds>())),
                   decltype(std::declval<S&>().commit(std::declval<const dedup_key&>(),
                                                      std::declval<const claim_token&>(), std::declval<dedup_time>())),
                   decltype(std::declval<S&>().release(std::declval<const dedup_key&>(),
                                                       std::declval<const claim_token&>()))>>
    : std::integral_constant<
          bool,
          std::is_same<decltype(std::declval<S&>().claim(std::declval<const dedup_key&>(), std::declval<dedup_time>(),
                                                         std::declval<std::chrono::milliseconds>())),
                       result<claim_result>>::value &&
              std::is_same<decltype(std::declval<S&>().commit(std::declval<const dedup_key&>(),
                                                              std::declval<const claim_token&>(),
                                                              std::declval<dedup_time>())),
                           void_result>::value &&
              std::is_same<decltype(std::declval<S&>().release(std::declval<const dedup_key&>(),
                                                               std::declval<const claim_token&>())),
                           void_result>::value> {};

template <class S>
constexpr bool is_dedup_store_v = is_dedup_store<S>::value;

/// `static_assert(jobwire::require_dedup_store<S>())` in code templated on a store gives
/// one readable diagnostic instead of a cascade.
template <class S>
constexpr bool require_dedup_store() noexcept {
  static_assert(is_dedup_store_v<S>,
                "S is not a dedup store: it needs claim(const dedup_key&, dedup_time, std::chrono::milliseconds) "
                "-> result<claim_result>, commit(const dedup_key&, const claim_token&, dedup_time) -> void_result and "
                "release(const dedup_key&, const claim_token&) -> void_result (see dedup.hpp)");
  return true;
}

// --- in-memory store ----------------------------------------------------------------------------

// Default capacity of memory_dedup_store: a resource limit (memory), so a build may
// override it with -DJOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES=N (whole program: ODR).
#ifndef JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES
#  define JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES 65536u
#endif

/// Default `memory_dedup_options::capacity` and `shards`.
constexpr std::size_t default_memory_dedup_capacity = JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES;
constexpr std::size_t default_memory_dedup_shards = 16;
// The store refuses shards > capacity and capacities above 2^31-1 (32-bit slot indices),
// so the default options must stay constructible.
static_assert(default_memory_dedup_capacity >= default_memory_dedup_shards &&
                  default_memory_dedup_capacity <= 0x7fffffffu,
              "JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES must be in 16..2^31-1");

/// The smallest shard `memory_dedup_store` makes when it has more than one (see
/// `memory_dedup_options::shards`): at 64 entries a shard fills by chance only when the
/// store is nearly full.
constexpr std::size_t memory_dedup_min_shard_entries = 64;

/// Configuration of memory_dedup_store.
struct memory_dedup_options {
  /// Most keys held at once (leases + done), split evenly over the shards. Memory is
  /// 112 bytes per entry plus 4 per hash bucket, allocated and initialised at
  /// construction, plus a 328-byte-per-entry overflow slab for keys longer than 64
  /// bytes, reserved but only touched by such keys.
  std::size_t capacity = default_memory_dedup_capacity;
  /// Independent shards, each with its own mutex: threads contend only on a shared shard.
  /// At most this many: a store uses fewer when its capacity would give a shard fewer than
  /// `memory_dedup_min_shard_entries` entries, because keys spread unevenly over shards and
  /// a small shard fills up (`store_full`) while the store is still mostly empty.
  std::size_t shards = default_memory_dedup_shards;
  std::chrono::milliseconds retention = default_done_retention;
};

/// A bounded, sharded, thread-safe dedup store for one process. Every operation is O(1)
/// expected: a hash lookup in one shard plus list splicing, no allocation after
/// construction. When a shard is full, a new claim first evicts entries that no longer
/// matter (expired leases, done entries past retention — oldest expiry first, found at
/// the heads of two expiry-ordered lists); if every entry is still live the claim fails
/// with `store_full` rather than forgetting a live entry, because forgetting a done key
/// would let a duplicate through.
///
/// Tokens are (shard, per-shard counter): unique for the store's lifetime, which is all
/// the in-memory state has.
class memory_dedup_store {
 public:
  explicit memory_dedup_store(const memory_dedup_options& opt = {}) : retention_(opt.retention) {
    if (opt.capacity == 0 || opt.shards == 0 || opt.shards > opt.capacity || !is_valid_dedup_duration(opt.retention) ||
        opt.capacity > 0x7fffffffu) {
      config_error_ = errc::invalid_argument;
      return;
    }
    const std::size_t roomy = opt.capacity / memory_dedup_min_shard_entries;
    shard_count_ = opt.shards < roomy ? opt.shards : (roomy == 0 ? 1 : roomy);
    std::size_t per = (opt.capacity + shard_count_ - 1) / shard_count_;
    shards_.reset(new shard[shard_count_]);
    for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].init(per);
  }

  /// The factory, like the durable stores' `open`/`attach`: `invalid_argument` when the
  /// options are unusable (capacity or shards 0, more shards than capacity, a retention
  /// outside the dedup duration range), so a misconfiguration is an error at startup
  /// rather than a store whose every operation fails.
  static result<memory_dedup_store> create(const memory_dedup_options& opt = {}) {
    memory_dedup_store s(opt);
    if (s.config_error_) return s.config_error_;
    return s;
  }

  memory_dedup_store(const memory_dedup_store&) = delete;
  memory_dedup_store& operator=(const memory_dedup_store&) = delete;
  /// Movable (for the factory); not while other threads use the store.
  memory_dedup_store(memory_dedup_store&&) noexcept = default;
  memory_dedup_store& operator=(memory_dedup_store&&) noexcept = default;

  /// `invalid_argument` when the options were unusable (then every operation fails so).
  void_result config_status() const noexcept { return config_error_; }
  /// The shards in use (`memory_dedup_options::shards`, or fewer for a small capacity).
  std::size_t shard_count() const noexcept { return shard_count_; }

  result<claim_result> claim(const dedup_key& key, dedup_time now, std::chrono::milliseconds lease) noexcept {
    if (config_error_) return config_error_;
    if (!is_valid_dedup_duration(lease)) return errc::invalid_argument;
    const std::uint64_t h = key.hash();
    shard& sh = shard_for(h);
    std::int64_t t = to_unix_ms(now);
    std::lock_guard<std::mutex> lock(sh.mu);
    std::uint32_t i = sh.find(key, h);
    if (i != npos) {
      entry& e = sh.entries[i];
      if (e.expires_ms > t) return claim_result{e.is_done ? claim_state::done : claim_state::in_flight, {}};
      // Expired lease (crashed holder) or done past retention: take it over in place.
      sh.unlink_expiry(i);
    } else {
      i = sh.allocate(t);
      if (i == npos) return errc::store_full;
      sh.store_key(i, key.encoded());
      sh.entries[i].hash = h;
      sh.link_hash(i);
    }
    entry& e = sh.entries[i];
    e.is_done = false;
    e.token = sh.next_token(static_cast<std::uint64_t>(&sh - shards_.get()));
    e.expires_ms = dedup_expiry(t, lease);
    sh.link_expiry(i, sh.leases);
    return claim_result{claim_state::fresh, e.token};
  }

  void_result commit(const dedup_key& key, const claim_token& token, dedup_time now) noexcept {
    if (config_error_) return config_error_;
    const std::uint64_t h = key.hash();
    shard& sh = shard_for(h);
    std::lock_guard<std::mutex> lock(sh.mu);
    std::uint32_t i = sh.find(key, h);
    if (i == npos || sh.entries[i].token != token) return errc::claim_lost;
    entry& e = sh.entries[i];
    sh.unlink_expiry(i);
    e.is_done = true;
    e.expires_ms = dedup_expiry(to_unix_ms(now), retention_);
    sh.link_expiry(i, sh.done);
    return {};
  }

  void_result release(const dedup_key& key, const claim_token& token) noexcept {
    if (config_error_) return config_error_;
    const std::uint64_t h = key.hash();
    shard& sh = shard_for(h);
    std::lock_guard<std::mutex> lock(sh.mu);
    std::uint32_t i = sh.find(key, h);
    if (i == npos || sh.entries[i].is_done || sh.entries[i].token != token) return errc::claim_lost;
    sh.remove(i);
    return {};
  }

  /// Drops every expired entry now (eviction also happens on demand when a shard is full);
  /// returns how many were dropped. Cost is proportional to the number dropped.
  std::size_t sweep(dedup_time now) noexcept {
    std::size_t n = 0;
    std::int64_t t = to_unix_ms(now);
    for (std::size_t s = 0; s < shard_count_; ++s) {
      shard& sh = shards_[s];
      std::lock_guard<std::mutex> lock(sh.mu);
      while (sh.evict_one(t)) ++n;
    }
    return n;
  }

  /// Entries currently held (live or not yet evicted).
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (std::size_t s = 0; s < shard_count_; ++s) {
      std::lock_guard<std::mutex> lock(shards_[s].mu);
      n += shards_[s].used;
    }
    return n;
  }
  std::chrono::milliseconds retention() const noexcept { return retention_; }

 private:
  static constexpr std::uint32_t npos = 0xffffffffu;

  // Keys up to this many bytes (nearly all real ones: "job:" + length + a gateway job id
  // + a delivery key) are stored inside the entry, so a lookup touches two adjacent
  // cache lines; longer keys go to a per-shard overflow slab that is reserved at
  // construction but only touched for such keys.
  static constexpr std::size_t inline_key_bytes = 64;

  struct entry {
    std::uint64_t hash = 0;
    claim_token token{};
    std::int64_t expires_ms = 0;
    std::uint32_t chain = npos;  // next entry in the same hash bucket, or the free list
    std::uint32_t prev = npos;   // expiry list links
    std::uint32_t next = npos;
    bool is_done = false;
    std::uint16_t key_len = 0;
    char key_inline[inline_key_bytes];
  };

  struct expiry_list {
    std::uint32_t head = npos, tail = npos;
  };

  // Over-aligned so two shards never share a cache line.
  struct alignas(64) shard {
    mutable std::mutex mu;
    std::vector<entry> entries;
    std::unique_ptr<char[]> overflow;  // capacity × max_encoded_length, left uninitialised
    std::vector<std::uint32_t> buckets;
    std::size_t bucket_mask = 0;
    std::size_t used = 0;
    std::uint32_t free_head = npos;
    expiry_list leases, done;
    std::uint64_t token_counter = 0;

    void init(std::size_t cap) {
      entries.resize(cap);
      overflow.reset(new char[cap * dedup_key::max_encoded_length]);
      std::size_t nb = 1;
      while (nb < cap) nb <<= 1;
      buckets.assign(nb, npos);
      bucket_mask = nb - 1;
      for (std::size_t i = 0; i < cap; ++i) entries[i].chain = i + 1 < cap ? static_cast<std::uint32_t>(i + 1) : npos;
      free_head = 0;
    }
    std::uint32_t find(const dedup_key& key, std::uint64_t h) const noexcept {
      for (std::uint32_t i = buckets[h & bucket_mask]; i != npos; i = entries[i].chain)
        if (entries[i].hash == h && key_equals(i, key.encoded())) return i;
      return npos;
    }
    const char* key_bytes(std::uint32_t i) const noexcept {
      return entries[i].key_len <= inline_key_bytes ? entries[i].key_inline
                                                    : overflow.get() + std::size_t{i} * dedup_key::max_encoded_length;
    }
    bool key_equals(std::uint32_t i, std::string_view k) const noexcept {
      return entries[i].key_len == k.size() && std::memcmp(key_bytes(i), k.data(), k.size()) == 0;
    }
    void store_key(std::uint32_t i, std::string_view k) noexcept {
      entries[i].key_len = static_cast<std::uint16_t>(k.size());
      std::memcpy(const_cast<char*>(key_bytes(i)), k.data(), k.size());
    }
    void link_hash(std::uint32_t i) noexcept {
      std::uint32_t& b = buckets[entries[i].hash & bucket_mask];
      entries[i].chain = b;
      b = i;
    }
    void unlink_hash(std::uint32_t i) noexcept {
      std::uint32_t* p = &buckets[entries[i].hash & bucket_mask];
      while (*p != i) p = &entries[*p].chain;
      *p = entries[i].chain;
    }
    expiry_list& list_of(std::uint32_t i) noexcept { return entries[i].is_done ? done : leases; }
    // Kept sorted by expiry. With one lease length and one retention and a
    // non-decreasing `now`, the new entry belongs at the tail, so this is O(1); the walk
    // only happens for out-of-order times or mixed lease lengths.
    void link_expiry(std::uint32_t i, expiry_list& l) noexcept {
      std::uint32_t after = l.tail;
      while (after != npos && entries[after].expires_ms > entries[i].expires_ms) after = entries[after].prev;
      entries[i].prev = after;
      entries[i].next = after == npos ? l.head : entries[after].next;
      if (entries[i].next != npos) entries[entries[i].next].prev = i;
      else l.tail = i;
      if (after != npos) entries[after].next = i;
      else l.head = i;
    }
    void unlink_expiry(std::uint32_t i) noexcept {
      expiry_list& l = list_of(i);
      entry& e = entries[i];
      if (e.prev != npos) entries[e.prev].next = e.next;
      else l.head = e.next;
      if (e.next != npos) entries[e.next].prev = e.prev;
      else l.tail = e.prev;
      e.prev = e.next = npos;
    }
    void remove(std::uint32_t i) noexcept {
      unlink_expiry(i);
      unlink_hash(i);
      entries[i].chain = free_head;
      free_head = i;
      --used;
    }
    // Evicts the earlier-expiring of the two list heads if it has expired.
    bool evict_one(std::int64_t now_ms) noexcept {
      std::uint32_t a = leases.head, b = done.head;
      std::uint32_t pick = npos;
      if (a != npos && entries[a].expires_ms <= now_ms) pick = a;
      if (b != npos && entries[b].expires_ms <= now_ms &&
          (pick == npos || entries[b].expires_ms < entries[a].expires_ms))
        pick = b;
      if (pick == npos) return false;
      remove(pick);
      return true;
    }
    // Tokens: (shard index, per-shard counter), unique for the store's lifetime and
    // counted under the shard's lock (no shared atomic).
    claim_token next_token(std::uint64_t shard_index) noexcept {
      const std::uint64_t n = ++token_counter;
      // Only uniqueness matters (tokens of this store are never persisted or compared
      // with another store's), so the two words are copied in native byte order.
      claim_token t;
      std::memcpy(t.bytes.data(), &shard_index, 8);
      std::memcpy(t.bytes.data() + 8, &n, 8);
      return t;
    }
    std::uint32_t allocate(std::int64_t now_ms) noexcept {
      if (free_head == npos && !evict_one(now_ms)) return npos;
      std::uint32_t i = free_head;
      free_head = entries[i].chain;
      ++used;
      return i;
    }
  };

  shard& shard_for(std::uint64_t h) noexcept { return shards_[(h >> 40) % shard_count_]; }

  std::unique_ptr<shard[]> shards_;
  std::size_t shard_count_ = 0;
  std::chrono::milliseconds retention_;
  jobwire::error config_error_{};
};

static_assert(is_dedup_store_v<memory_dedup_store>, "the in-memory store implements the policy interface");

}  // namespace jobwire
