// jobwire — service profiles (PROTOCOL.md §15).
//
// The service was renamed from AI Stats to Phaseo; the wire protocol stayed the same except
// for the header prefix, the user agent, a seventh phase and a required secret. A profile is
// data, not a code path: everything that differs between the two lives in this struct.
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

struct profile {
  std::string_view name;           ///< "ai_stats" or "phaseo"
  std::string_view header_prefix;  ///< lower-case, e.g. "x-ai-stats-"
  std::string_view user_agent;     ///< sent by the sender on every delivery
  phase_set phases;                ///< phases that exist under this profile
  bool secret_required;            ///< unsigned deliveries are not allowed
  bool follows_redirects;          ///< informational: the sender follows redirects

  constexpr bool has_phase(phase p) const noexcept { return (phases & phase_bit(p)) != 0; }
};

namespace profiles {
inline constexpr phase_set six_phases = static_cast<phase_set>(
    phase_bit(phase::created) | phase_bit(phase::progress) | phase_bit(phase::completed) |
    phase_bit(phase::failed) | phase_bit(phase::cancelled) | phase_bit(phase::expired));

// `inline` (C++17): one object program-wide, so a `const profile*` names a profile by its
// address in every translation unit (a plain namespace-scope constexpr has internal
// linkage: one copy, and one address, per translation unit).
/// The seed-era profile (PROTOCOL.md §9, §15).
inline constexpr profile ai_stats{"ai_stats", "x-ai-stats-", "AI-Stats-Async-Webhook/1.0", six_phases, false, false};
/// After the rename (PROTOCOL.md §15).
inline constexpr profile phaseo{"phaseo", "x-phaseo-", "Phaseo-Async-Webhook/1.0",
                         static_cast<phase_set>(six_phases | phase_bit(phase::status_changed)), true, false};
}  // namespace profiles

/// Looks a profile up by name; accepts "ai_stats"/"ai-stats" and "phaseo". nullptr if unknown.
constexpr const profile* find_profile(std::string_view name) noexcept {
  if (name == "ai_stats" || name == "ai-stats") return &profiles::ai_stats;
  if (name == "phaseo") return &profiles::phaseo;
  return nullptr;
}

}  // namespace jobwire
