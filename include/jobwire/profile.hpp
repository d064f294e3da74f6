// jobwire — service profiles (PROTOCOL.md §15).
//
// The service was renamed from AI Stats to Phaseo; the wire protocol stayed the same except
// for the header prefix, the user agent, a seventh phase and a required secret. A profile is
// data, not a code path: everything that differs between the two lives in this struct.
// The Standard Webhooks profiles (`standard`, `openai`, §17) sign differently; their
// `scheme` names the one other code path (§15: "the signature scheme is the one place
// where two code paths are expected").
#pragma once

#include <cstdint>
#include <string_view>

namespace jobwire {

/// Phases of a job's life that can produce a webhook event (PROTOCOL.md §7).
/// `status_changed` exists in the phaseo profile only.
enum class phase : std::uint8_t { created, progress, completed, failed, cancelled, expired, status_changed };

constexpr std::size_t phase_count = 7;

/// Bit set of phases (bit i = phase i).
using phase_set = std::uint8_t;
constexpr phase_set phase_bit(phase p) noexcept { return static_cast<phase_set>(1u << static_cast<unsigned>(p)); }

/// How a profile signs its deliveries (PROTOCOL.md §15).
enum class signature_scheme : std::uint8_t {
  service_hex,  ///< §9: lower-case hex HMAC-SHA256 of `timestamp.body`, raw-bytes secrets
  webhooks,     ///< §17: `webhook-signature` list (`v1` HMAC, `v1a` Ed25519) of `id.timestamp.body`
};

struct profile {
  std::string_view name;           ///< "ai_stats", "phaseo", "standard" or "openai"
  std::string_view header_prefix;  ///< lower-case, e.g. "x-ai-stats-"
  std::string_view user_agent;     ///< sent by the sender on every delivery
  phase_set phases;                ///< phases that exist under this profile
  bool secret_required;            ///< unsigned deliveries are not allowed
  bool follows_redirects;          ///< informational: the sender follows redirects
  signature_scheme scheme;         ///< which of the two signing code paths applies
  /// The second header family a sender of this profile may use instead of the first
  /// (`svix-` for the Standard Webhooks profiles, §17); empty when there is none.
  std::string_view alt_header_prefix;
  /// §17: a symmetric key without the `whsec_` prefix is base64 (`standard`, as the
  /// reference libraries and Svix read it) or raw UTF-8 bytes (`openai`, as OpenAI's SDK
  /// reads it). Meaningless for the service profiles, whose keys are always raw bytes.
  bool prefixless_key_is_base64;

  constexpr bool has_phase(phase p) const noexcept { return (phases & phase_bit(p)) != 0; }
};

namespace profiles {
inline constexpr phase_set six_phases =
    static_cast<phase_set>(phase_bit(phase::created) | phase_bit(phase::progress) | phase_bit(phase::completed) |
                           phase_bit(phase::failed) | phase_bit(phase::cancelled) | phase_bit(phase::expired));

// `inline` (C++17): one object program-wide, so a `const profile*` names a profile by its
// address in every translation unit (a plain namespace-scope constexpr has internal
// linkage: one copy, and one address, per translation unit).
/// The seed-era profile (PROTOCOL.md §9, §15).
inline constexpr profile ai_stats{"ai_stats", "x-ai-stats-", "AI-Stats-Async-Webhook/1.0",  six_phases,
                                  false,      false,         signature_scheme::service_hex, {},
                                  false};
/// After the rename (PROTOCOL.md §15).
inline constexpr profile phaseo{"phaseo",
                                "x-phaseo-",
                                "Phaseo-Async-Webhook/1.0",
                                static_cast<phase_set>(six_phases | phase_bit(phase::status_changed)),
                                true,
                                false,
                                signature_scheme::service_hex,
                                {},
                                false};
/// Standard Webhooks (PROTOCOL.md §17): `webhook-*` (or `svix-*`) headers, any body, no
/// job phases of its own. Always signed; the sender's user agent is its own.
inline constexpr profile standard{"standard", "webhook-", "", 0, true, false, signature_scheme::webhooks,
                                  "svix-",    true};
/// OpenAI's webhooks: Standard Webhooks whose prefix-less secrets are raw bytes (§17).
inline constexpr profile openai{"openai", "webhook-", "", 0, true, false, signature_scheme::webhooks, "svix-", false};
}  // namespace profiles

/// Looks a profile up by name; accepts "ai_stats"/"ai-stats", "phaseo", "standard" and
/// "openai". nullptr if unknown.
constexpr const profile* find_profile(std::string_view name) noexcept {
  if (name == "ai_stats" || name == "ai-stats") return &profiles::ai_stats;
  if (name == "phaseo") return &profiles::phaseo;
  if (name == "standard") return &profiles::standard;
  if (name == "openai") return &profiles::openai;
  return nullptr;
}

}  // namespace jobwire
