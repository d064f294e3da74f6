// jobwire — the Standard Webhooks signature scheme (profiles `standard` and `openai`,
// PROTOCOL.md §17): signed content, the `webhook-signature` list, `v1` (HMAC-SHA256) and
// `v1a` (Ed25519) entries, the sender's side, key generation and a typed view of the
// recommended body shapes.
//
//   signed content = <webhook-id> "." <webhook-timestamp> "." <raw body bytes>
//   signature list = entries separated by ASCII whitespace, each `<version>,<base64>`
//
// Verification is `verify_webhook_signature` (used by verify.hpp's `authenticate_delivery`
// for these profiles). A `v1` entry matches when it equals the HMAC of any configured
// symmetric key (every key's MAC is computed once, and each entry is compared with all of
// them in constant time); a `v1a` entry matches when it verifies under any configured
// `whpk_` key. The outcome when nothing matched is decided by the shapes present (§17):
// `signature_mismatch` when some well-formed entry of a known version was there,
// `malformed_signature` otherwise, and `signature_scheme_mismatch` when the header is a
// service-profile signature (64 hex digits): the wrong profile chosen, not a forgery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "base64.hpp"
#include "ed25519.hpp"
#include "error.hpp"
#include "json.hpp"
#include "profile.hpp"
#include "result.hpp"
#include "signature.hpp"

// Resource limits (each bounds the work one unauthenticated request causes), overridable
// for the whole program like the other limits.
#ifndef JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURES
#  define JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURES 16u
#endif
#ifndef JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURE_HEADER_BYTES
#  define JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURE_HEADER_BYTES 2048u
#endif
#ifndef JOBWIRE_WEBHOOK_DEFAULT_MAX_ID_BYTES
#  define JOBWIRE_WEBHOOK_DEFAULT_MAX_ID_BYTES 256u
#endif

namespace jobwire {

/// Entries of one `webhook-signature` header (§17: "16 by default; more → limit_exceeded").
constexpr std::size_t max_webhook_signatures = JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURES;
/// Bytes of one `webhook-signature` header; longer is `limit_exceeded` before any parsing.
constexpr std::size_t max_webhook_signature_header_bytes = JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURE_HEADER_BYTES;
/// Bytes of a `webhook-id` (§17: any characters, a bounded length).
constexpr std::size_t max_webhook_id_bytes = JOBWIRE_WEBHOOK_DEFAULT_MAX_ID_BYTES;

/// Base64 characters of a `v1` value (32 bytes) and of a `v1a` value (64 bytes).
constexpr std::size_t webhook_v1_chars = base64::encoded_size(mac_size);
constexpr std::size_t webhook_v1a_chars = base64::encoded_size(ed25519_signature_size);
/// The longest entry `sign_webhook` writes (`v1a,` + 88), and the separator between entries.
constexpr std::size_t max_webhook_entry_chars = 4 + webhook_v1a_chars;

static_assert(max_webhook_signatures >= 2, "rotation needs two entries (JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURES)");
static_assert(max_webhook_signature_header_bytes >= 2 * (max_webhook_entry_chars + 1),
              "JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURE_HEADER_BYTES must admit two v1a entries");
static_assert(max_webhook_id_bytes >= 32, "JOBWIRE_WEBHOOK_DEFAULT_MAX_ID_BYTES must admit a Svix message id");

// --- message id and timestamp -----------------------------------------------------------

/// A `webhook-id`: 1..max_webhook_id_bytes bytes without `.` (§17: the signed content
/// separates its parts with `.`, so an id holding one could be split two ways). Any other
/// byte is allowed: ids are the sender's, and deduplication encodes them losslessly.
[[nodiscard]] constexpr void_result check_webhook_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_webhook_id_bytes) return errc::malformed_message_id;
  // find: memchr at run time (a byte loop cost 8 ns for a 29-byte Svix id).
  if (const std::size_t dot = id.find('.'); dot != std::string_view::npos)
    return error(errc::malformed_message_id, dot);
  return {};
}

// --- the signature list -----------------------------------------------------------------

enum class webhook_signature_version : std::uint8_t { v1, v1a, other };

/// One entry of a `webhook-signature` list as written.
struct webhook_signature_entry {
  std::string_view version;  ///< the text before the first `,`
  std::string_view value;    ///< the text after it (base64 for known versions)
  webhook_signature_version kind = webhook_signature_version::other;
  /// A known version whose value is the base64 of the right number of bytes.
  bool well_formed = false;
  /// The decoded bytes (32 for `v1`, 64 for `v1a`) when well-formed; not initialised
  /// otherwise (a list is parsed into a stack array on every request: no memset of it).
  unsigned char bytes[ed25519_signature_size];
};

namespace detail {
constexpr bool is_list_space(char c) noexcept { return is_ascii_space(c); }

/// Reads the entry that starts at or after `pos` (leading whitespace skipped); false at
/// the end of the header.
inline bool next_webhook_entry(std::string_view header, std::size_t& pos, webhook_signature_entry& e) noexcept {
  while (pos < header.size() && is_list_space(header[pos])) ++pos;
  if (pos == header.size()) return false;
  const std::size_t start = pos;
  while (pos < header.size() && !is_list_space(header[pos])) ++pos;
  const std::string_view token = header.substr(start, pos - start);
  e.version = std::string_view();
  e.kind = webhook_signature_version::other;
  e.well_formed = false;
  const std::size_t comma = token.find(',');
  if (comma == std::string_view::npos) {
    e.value = token;
    return true;
  }
  e.version = token.substr(0, comma);
  e.value = token.substr(comma + 1);
  std::size_t want = 0;
  if (e.version == "v1") {
    e.kind = webhook_signature_version::v1;
    want = mac_size;
  } else if (e.version == "v1a") {
    e.kind = webhook_signature_version::v1a;
    want = ed25519_signature_size;
  } else {
    return true;
  }
  auto n = base64::decode(e.value, e.bytes, sizeof e.bytes, base64::padding::required);
  e.well_formed = n && *n == want;
  return true;
}

/// True when `header` is a service-profile signature (64 hex digits, §9) rather than a
/// Standard Webhooks list.
inline bool is_service_signature(std::string_view header) noexcept {
  mac_bytes ignored;
  return static_cast<bool>(decode_signature(header, ignored));
}
}  // namespace detail

/// True when `header` holds at least one entry of a known version (`v1,` or `v1a,`): what
/// a service-profile receiver sees when a Standard Webhooks delivery reaches it.
inline bool is_webhook_signature_list(std::string_view header) noexcept {
  if (header.size() > max_webhook_signature_header_bytes) return false;
  std::size_t pos = 0;
  webhook_signature_entry e;
  while (detail::next_webhook_entry(header, pos, e))
    if (e.kind != webhook_signature_version::other) return true;
  return false;
}

/// Reads every entry of `header` into `out` (room for `max_webhook_signatures`), each
/// decoded once, and returns how many there are. `limit_exceeded` for a header longer than
/// `max_webhook_signature_header_bytes` or with more entries than `max_webhook_signatures`.
inline result<std::size_t> parse_webhook_signatures(std::string_view header, webhook_signature_entry* out) noexcept {
  if (header.size() > max_webhook_signature_header_bytes) return errc::limit_exceeded;
  std::size_t count = 0;
  std::size_t pos = 0;
  webhook_signature_entry extra;
  while (detail::next_webhook_entry(header, pos, count < max_webhook_signatures ? out[count] : extra))
    if (++count > max_webhook_signatures) return error(errc::limit_exceeded, pos);
  return count;
}

/// Calls `f(entry)` for every entry of `header` and returns how many there were; the errors
/// of `parse_webhook_signatures`, before `f` sees any entry.
template <class F>
inline result<std::size_t> for_each_webhook_signature(std::string_view header, F&& f) noexcept {
  webhook_signature_entry entries[max_webhook_signatures];
  auto count = parse_webhook_signatures(header, entries);
  if (!count) return count;
  for (std::size_t i = 0; i < *count; ++i) f(static_cast<const webhook_signature_entry&>(entries[i]));
  return count;
}

// --- signed content ---------------------------------------------------------------------

namespace detail {
/// `id "." timestamp "." body` in one contiguous buffer, for Ed25519 (which cannot hash a
/// message in pieces). Messages up to `inline_size` bytes live on the stack; longer ones
/// take one heap buffer, the only allocation of a `v1a` check besides OpenSSL's own.
class webhook_message {
 public:
  static constexpr std::size_t inline_size = 4096;
  webhook_message(std::string_view id, std::string_view ts, std::string_view body) noexcept {
    const std::size_t n = id.size() + ts.size() + body.size() + 2;
    char* p = small_;
    if (n > inline_size) {
      heap_.reset(new (std::nothrow) char[n]);
      if (!heap_) return;
      p = heap_.get();
    }
    std::memcpy(p, id.data(), id.size());
    p[id.size()] = '.';
    std::memcpy(p + id.size() + 1, ts.data(), ts.size());
    p[id.size() + 1 + ts.size()] = '.';
    if (!body.empty()) std::memcpy(p + id.size() + ts.size() + 2, body.data(), body.size());
    text_ = std::string_view(p, n);
  }
  bool ok() const noexcept { return text_.data() != nullptr; }
  std::string_view text() const noexcept { return text_; }

 private:
  char small_[inline_size];
  std::unique_ptr<char[]> heap_;
  std::string_view text_;
};
}  // namespace detail

/// HMAC-SHA256 of the signed content under a prepared key (streamed: no copy of the body).
inline result<mac_bytes> webhook_mac(const hmac_key& key, std::string_view id, std::string_view timestamp_text,
                                     std::string_view body) noexcept {
  hmac_message m = key.start();
  mac_bytes out;
  // `id.timestamp.` is short and bounded: one update for it (each update has a fixed cost
  // that matters for small bodies), then the body.
  char prefix[max_webhook_id_bytes + 2 + 16];
  if (id.size() <= max_webhook_id_bytes && timestamp_text.size() <= 16) {
    std::memcpy(prefix, id.data(), id.size());
    prefix[id.size()] = '.';
    std::memcpy(prefix + id.size() + 1, timestamp_text.data(), timestamp_text.size());
    prefix[id.size() + 1 + timestamp_text.size()] = '.';
    if (auto st = m.update(std::string_view(prefix, id.size() + timestamp_text.size() + 2)); !st) return st.error();
  } else {
    for (std::string_view part : {id, std::string_view("."), timestamp_text, std::string_view(".")})
      if (auto st = m.update(part); !st) return st.error();
  }
  if (auto st = m.update(body); !st) return st.error();
  if (auto st = m.finish(out); !st) return st.error();
  return out;
}

namespace detail {
/// What `verify_webhook_signature` needs from a signature list, read in one pass before
/// any hashing: the decoded `v1` values and where the well-formed `v1a` values are.
/// Nothing here is initialised up front (the arrays are filled to their counts), so a
/// list of one entry costs the work of one entry.
struct webhook_list_scan {
  std::size_t entries;
  std::size_t v1_count;
  std::size_t v1a_count;
  unsigned char v1[max_webhook_signatures][mac_size];  ///< decoded, in list order
  std::size_t v1a_at[max_webhook_signatures];          ///< offsets of the base64 values
};

/// Reads `header` into `scan`: the errors and the verdict on every entry of
/// `parse_webhook_signatures` (which the tests compare it with), without its per-entry
/// record. The common entry — `v1,` and 44 base64 characters, then whitespace or the end
/// — is recognised in place and decoded by `base64::decode_exact`; anything else goes
/// through the general entry reader.
inline void_result scan_webhook_signatures(std::string_view header, webhook_list_scan& scan) noexcept {
  if (header.size() > max_webhook_signature_header_bytes) return errc::limit_exceeded;
  scan.entries = scan.v1_count = scan.v1a_count = 0;
  const std::size_t n = header.size();
  std::size_t pos = 0;
  for (;;) {
    while (pos < n && is_list_space(header[pos])) ++pos;
    if (pos == n) return {};
    if (++scan.entries > max_webhook_signatures) {
      // The position parse_webhook_signatures reports: the end of the entry one past the cap.
      while (pos < n && !is_list_space(header[pos])) ++pos;
      return error(errc::limit_exceeded, pos);
    }
    constexpr std::size_t v1_token = 3 + webhook_v1_chars;  // `v1,` + value
    if (n - pos >= v1_token && header[pos] == 'v' && header[pos + 1] == '1' && header[pos + 2] == ',' &&
        (n - pos == v1_token || is_list_space(header[pos + v1_token])) &&
        base64::decode_exact<mac_size>(header.substr(pos + 3, webhook_v1_chars), scan.v1[scan.v1_count])) {
      ++scan.v1_count;
      pos += v1_token;
      continue;
    }
    webhook_signature_entry e;
    (void)next_webhook_entry(header, pos, e);  // true: a non-space character is at `pos`
    if (!e.well_formed) continue;
    if (e.kind == webhook_signature_version::v1) std::memcpy(scan.v1[scan.v1_count++], e.bytes, mac_size);
    else scan.v1a_at[scan.v1a_count++] = static_cast<std::size_t>(e.value.data() - header.data());
  }
}

}  // namespace detail

/// Checks a `webhook-signature` header against the signed content under every key of
/// `keys` that is valid for `prof` (§17). Returns the index of the matching key (secrets
/// first, then public keys numbered after them). Errors: `limit_exceeded` (see
/// `for_each_webhook_signature`), `key_format_mismatch` when the verifier holds no key of
/// this scheme, `signature_scheme_mismatch` for a service-profile signature,
/// `signature_mismatch` / `malformed_signature` by the rule of the file comment.
///
/// A `v1` entry is compared as bytes: its text (public) is decoded, and the computed MAC
/// (secret) is compared with it by `select_matching_mac` in constant time. The reference
/// libraries compare text instead (they encode the MAC and compare strings); that would
/// put the secret MAC through an alphabet lookup, a memory access indexed by secret bytes,
/// and it is no cheaper (docs/PERFORMANCE.md). The verdicts agree except on a value whose
/// last character has non-zero unused bits (a non-canonical encoding of some MAC): text
/// comparison finds no match, here the entry is not well-formed (`base64.hpp`), so such a
/// list alone is `malformed_signature`, beside a well-formed entry `signature_mismatch`;
/// it never authenticates in either.
[[nodiscard]] inline result<std::size_t> verify_webhook_signature(const verifier& keys, const profile& prof,
                                                                  std::string_view id, std::string_view timestamp_text,
                                                                  std::string_view body,
                                                                  std::string_view header) noexcept {
  // The keys of this scheme (decided once when the verifier was made, §17).
  const hmac_key* secrets[max_secrets];
  std::size_t secret_index[max_secrets];
  std::size_t nsecrets = 0;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (const hmac_key* k = keys.webhook_secret(i, prof)) {
      secret_index[nsecrets] = i;
      secrets[nsecrets++] = k;
    }
  if (nsecrets == 0 && keys.public_key_count() == 0) return errc::key_format_mismatch;

  // The list, read and decoded once; its shapes decide before any hashing (a garbled
  // header costs no work on the body).
  detail::webhook_list_scan scan;
  if (auto st = detail::scan_webhook_signatures(header, scan); !st) return st.error();
  if (scan.v1_count == 0 && scan.v1a_count == 0)
    return detail::is_service_signature(header) ? errc::signature_scheme_mismatch : errc::malformed_signature;

  // `v1`: one MAC per key, every entry compared with every MAC (constant time per
  // comparison; the entries and the key count are public).
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t found = none;
  if (scan.v1_count != 0 && nsecrets != 0) {
    mac_bytes macs[max_secrets];
    for (std::size_t k = 0; k < nsecrets; ++k) {
      auto m = webhook_mac(*secrets[k], id, timestamp_text, body);
      if (!m) {
        detail::wipe_macs(macs, k);
        return m.error();
      }
      macs[k] = *m;
    }
    for (std::size_t e = 0; e < scan.v1_count; ++e) {
      const std::size_t idx = detail::select_matching_mac(macs, nsecrets, scan.v1[e]);
      if (idx != nsecrets && found == none) found = secret_index[idx];
    }
    detail::wipe_macs(macs, nsecrets);
    if (found != none) return found;
  }

  // `v1a`: every entry under every public key until one verifies.
  if (scan.v1a_count != 0 && keys.public_key_count() != 0) {
    detail::webhook_message message(id, timestamp_text, body);
    if (!message.ok()) return errc::out_of_memory;
    for (std::size_t e = 0; e < scan.v1a_count; ++e) {
      unsigned char sig[ed25519_signature_size];
      if (!base64::decode_exact<ed25519_signature_size>(header.substr(scan.v1a_at[e], webhook_v1a_chars), sig))
        return errc::invalid_argument;  // unreachable: the scan decoded this value
      for (std::size_t k = 0; k < keys.public_key_count(); ++k) {
        auto ok = keys.public_key(k).verify(message.text(), sig);
        if (!ok) return ok.error();
        if (*ok) return keys.size() + k;
      }
    }
  }
  return errc::signature_mismatch;
}

// --- sending (§17) ----------------------------------------------------------------------

/// The keys a sender signs with: symmetric secrets (`v1` entries) and Ed25519 signing keys
/// (`v1a` entries), one entry per key in the order added (rotation: the current and the
/// previous key). Move-only; `sign` is const and thread-safe.
class webhook_signer {
 public:
  /// Adds a symmetric key read per `prof` and `format` (`prepare_webhook_secret`).
  void_result add_secret(std::string_view secret, const profile& prof = profiles::standard,
                         key_format format = key_format::by_profile) noexcept {
    if (nsecrets_ + nsigning_ == max_webhook_signatures || nsecrets_ == max_secrets) return errc::too_many_secrets;
    auto k = prepare_webhook_secret(secret, prof, format);
    if (!k) return k.error();
    secrets_[nsecrets_] = std::move(*k);
    order_[nsecrets_ + nsigning_] = static_cast<unsigned char>(nsecrets_);
    ++nsecrets_;
    return {};
  }
  /// Adds a `whsk_` signing key (`parse_signing_key`).
  void_result add_signing_key(std::string_view text) noexcept {
    if (nsecrets_ + nsigning_ == max_webhook_signatures || nsigning_ == max_secrets) return errc::too_many_secrets;
    auto k = parse_signing_key(text);
    if (!k) return k.error();
    signing_[nsigning_] = std::move(*k);
    order_[nsecrets_ + nsigning_] = static_cast<unsigned char>(0x80u | nsigning_);
    ++nsigning_;
    return {};
  }

  std::size_t size() const noexcept { return nsecrets_ + nsigning_; }

  /// The `webhook-signature` header value for the signed content: the entries in the order
  /// the keys were added, separated by one space. `invalid_argument` with no key; the id is
  /// checked as a receiver would (`check_webhook_id`), the timestamp must be digits.
  result<std::string> sign(std::string_view id, std::string_view timestamp_text, std::string_view body) const {
    if (size() == 0) return errc::invalid_argument;
    if (auto st = check_webhook_id(id); !st) return st.error();
    if (timestamp_text.empty() || timestamp_text.size() > 12) return errc::malformed_timestamp;
    for (char c : timestamp_text)
      if (c < '0' || c > '9') return errc::malformed_timestamp;
    std::string out;
    out.reserve(size() * (max_webhook_entry_chars + 1));
    std::unique_ptr<detail::webhook_message> message;
    for (std::size_t i = 0; i < size(); ++i) {
      if (i != 0) out += ' ';
      const unsigned idx = order_[i] & 0x7Fu;
      if ((order_[i] & 0x80u) == 0) {
        auto m = webhook_mac(secrets_[idx], id, timestamp_text, body);
        if (!m) return m.error();
        out += "v1,";
        out += base64::encode(m->bytes, mac_size);
      } else {
        if (!message) {
          message.reset(new (std::nothrow) detail::webhook_message(id, timestamp_text, body));
          if (!message || !message->ok()) return errc::out_of_memory;
        }
        unsigned char sig[ed25519_signature_size];
        if (auto st = signing_[idx].sign(message->text(), sig); !st) return st.error();
        out += "v1a,";
        out += base64::encode(sig, sizeof sig);
      }
    }
    return out;
  }

 private:
  hmac_key secrets_[max_secrets];
  ed25519_private_key signing_[max_secrets];
  unsigned char order_[max_webhook_signatures] = {};
  std::size_t nsecrets_ = 0;
  std::size_t nsigning_ = 0;
};

/// The three headers of an outgoing delivery (names lower-case, §17).
struct webhook_request_headers {
  std::string id;
  std::string timestamp;
  std::string signature;
};

/// Builds the headers of one delivery attempt: `webhook-id` (the same on every retry, it is
/// the receiver's idempotency key), `webhook-timestamp` (the attempt's time) and
/// `webhook-signature`.
inline result<webhook_request_headers> build_webhook_headers(const webhook_signer& signer, std::string_view id,
                                                             std::int64_t now_seconds, std::string_view body) {
  if (now_seconds < 0) return errc::invalid_argument;
  webhook_request_headers h;
  h.id = std::string(id);
  h.timestamp = std::to_string(now_seconds);
  auto sig = signer.sign(id, h.timestamp, body);
  if (!sig) return sig.error();
  h.signature = std::move(*sig);
  return h;
}

// --- key generation ---------------------------------------------------------------------

/// Bytes of a generated symmetric secret (within §17's 24..64).
constexpr std::size_t generated_webhook_secret_bytes = 32;

/// A new `whsec_<base64>` secret from OpenSSL's random generator.
inline result<std::string> generate_webhook_secret() {
  unsigned char raw[generated_webhook_secret_bytes];
  if (RAND_bytes(raw, sizeof raw) != 1) return errc::crypto_error;
  std::string s(key_prefix::secret);
  s += base64::encode(raw, sizeof raw);
  OPENSSL_cleanse(raw, sizeof raw);
  return s;
}

/// A new Ed25519 key pair as text.
struct webhook_keypair {
  std::string signing_key;  ///< `whsk_` + base64(seed ‖ public key), 64 bytes
  std::string public_key;   ///< `whpk_` + base64(public key), 32 bytes
};

/// The text forms of a signing key (seed ‖ public, the 64-byte form §17 accepts).
inline result<webhook_keypair> format_keypair(const ed25519_private_key& key) {
  unsigned char both[ed25519_keypair_size];
  if (auto st = key.seed(both); !st) return st.error();
  std::memcpy(both + ed25519_seed_size, key.public_bytes(), ed25519_public_key_size);
  webhook_keypair out;
  out.signing_key = std::string(key_prefix::signing_key) + base64::encode(both, sizeof both);
  out.public_key = std::string(key_prefix::public_key) + base64::encode(key.public_bytes(), ed25519_public_key_size);
  OPENSSL_cleanse(both, sizeof both);
  return out;
}

/// A new Ed25519 key pair from OpenSSL's random generator.
inline result<webhook_keypair> generate_webhook_keypair() {
  auto key = ed25519_private_key::generate();
  if (!key) return key.error();
  return format_keypair(*key);
}

// --- typed view of the body (§17) --------------------------------------------------------

/// What a Standard Webhooks body says, when it is JSON: the recommended shape
/// `{type, timestamp, data}` and OpenAI's `{id, object: "event", created_at, type,
/// data: {id}}`. Every field is optional (the body is any bytes); views point into it.
struct webhook_event_view {
  std::string_view type;        ///< `type` (unescaped text when it has no escapes)
  std::string_view id;          ///< OpenAI: the event id (`id`)
  std::string_view object;      ///< OpenAI: `object` ("event")
  std::string_view timestamp;   ///< recommended shape: `timestamp` (an ISO-8601 string)
  std::int64_t created_at = 0;  ///< OpenAI: `created_at` (Unix seconds)
  bool has_created_at = false;
  json::value data;          ///< `data`, any JSON value
  std::string_view data_id;  ///< `data.id` when `data` is an object with a string id
};

/// Reads the typed view from a JSON object body. Errors are the JSON reader's for a body
/// that is not JSON, `json_type_mismatch` when the top level is not an object or a field
/// has another type than the shapes give it. Strings with escapes are returned raw.
inline result<webhook_event_view> parse_webhook_event(std::string_view body, const json::limits& lim = {}) noexcept {
  auto root = json::parse(body, lim);
  if (!root) return root.error();
  auto obj = root->get_object();
  if (!obj) return obj.error();
  webhook_event_view v;
  auto text = [](json::value val, std::string_view& out) -> void_result {
    if (!val) return {};
    auto s = val.get_string();
    if (!s) return s.error();
    out = s->raw();
    return {};
  };
  if (auto st = text(obj->find("type"), v.type); !st) return st.error();
  if (auto st = text(obj->find("id"), v.id); !st) return st.error();
  if (auto st = text(obj->find("object"), v.object); !st) return st.error();
  if (auto st = text(obj->find("timestamp"), v.timestamp); !st) return st.error();
  if (json::value c = obj->find("created_at")) {
    auto n = c.get_int64();
    if (!n) return n.error();
    v.created_at = *n;
    v.has_created_at = true;
  }
  v.data = obj->find("data");
  if (v.data.is_object()) {
    auto d = v.data.get_object();
    if (d) {
      json::value id = d->find("id");
      if (id.is_string()) v.data_id = id.get_string()->raw();
    }
  }
  return v;
}

}  // namespace jobwire
