// jobwire — what every translation unit of the C shim shares at the C boundary
// (include/jobwire_c.h): status codes, the exception firewall, (pointer, length) inputs,
// caller-supplied output buffers and the enumeration values. Internal: not installed.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <string_view>

#include <jobwire/error.hpp>
#include <jobwire/events.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/signature.hpp>

#include "jobwire_c.h"

namespace jobwire_c_detail {

using jobwire::errc;

constexpr int status_of(errc c) noexcept { return -static_cast<int>(c); }
constexpr int status_of(const jobwire::error& e) noexcept { return status_of(e.code); }

constexpr int invalid_argument = status_of(errc::invalid_argument);

// The firewall: runs `f` (which returns a status) and turns any exception into a status.
template <class F>
int guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return status_of(errc::out_of_memory);
  } catch (...) {
    return status_of(errc::internal_error);
  }
}

// (pointer, length) inputs: NULL is allowed only together with length 0.
constexpr bool bad_input(const void* p, std::size_t n) noexcept { return p == nullptr && n != 0; }

inline std::string_view view(const char* p, std::size_t n) noexcept {
  return n == 0 ? std::string_view{} : std::string_view(p, n);
}

// (out, out_cap, out_len) outputs: out_len is required; out may be NULL only to ask for
// the size (out_cap 0).
constexpr bool bad_output(const char* out, std::size_t cap, const std::size_t* out_len) noexcept {
  return out_len == nullptr || (out == nullptr && cap != 0);
}

// Copies a text result, or reports the size needed (header: OUTPUTS).
inline int write_output(std::string_view text, char* out, std::size_t cap, std::size_t* out_len) noexcept {
  *out_len = text.size();
  if (cap < text.size()) return status_of(errc::buffer_too_small);
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  if (cap > text.size()) out[text.size()] = '\0';
  return JOBWIRE_OK;
}

// JOBWIRE_PROFILE_AI_STATS / _PHASEO; nullptr for anything else (JOBWIRE_PROFILE_AUTO
// included: callers that accept it test for it first).
inline const jobwire::profile* profile_of(int p) noexcept {
  switch (p) {
    case JOBWIRE_PROFILE_AI_STATS: return &jobwire::profiles::ai_stats;
    case JOBWIRE_PROFILE_PHASEO: return &jobwire::profiles::phaseo;
    default: return nullptr;
  }
}

// The profiles a received delivery may be verified under: the service profiles and the
// Standard Webhooks ones (PROTOCOL.md §17), which only verification and signing take.
inline const jobwire::profile* verify_profile_of(int p) noexcept {
  switch (p) {
    case JOBWIRE_PROFILE_STANDARD: return &jobwire::profiles::standard;
    case JOBWIRE_PROFILE_OPENAI: return &jobwire::profiles::openai;
    default: return profile_of(p);
  }
}

// The C value of a profile (profiles are one object program-wide: profile.hpp).
inline int profile_code(const jobwire::profile& p) noexcept {
  if (&p == &jobwire::profiles::standard) return JOBWIRE_PROFILE_STANDARD;
  if (&p == &jobwire::profiles::openai) return JOBWIRE_PROFILE_OPENAI;
  return &p == &jobwire::profiles::phaseo ? JOBWIRE_PROFILE_PHASEO : JOBWIRE_PROFILE_AI_STATS;
}

// JOBWIRE_KEY_FORMAT_* (how a prefix-less Standard Webhooks secret is read, §17).
inline bool key_format_of(int f, jobwire::key_format& out) noexcept {
  switch (f) {
    case JOBWIRE_KEY_FORMAT_PROFILE: out = jobwire::key_format::by_profile; return true;
    case JOBWIRE_KEY_FORMAT_BASE64: out = jobwire::key_format::base64; return true;
    case JOBWIRE_KEY_FORMAT_RAW: out = jobwire::key_format::raw; return true;
    default: return false;
  }
}

inline bool kind_of(int k, jobwire::kind& out) noexcept {
  switch (k) {
    case JOBWIRE_KIND_VIDEO: out = jobwire::kind::video; return true;
    case JOBWIRE_KIND_BATCH: out = jobwire::kind::batch; return true;
    default: return false;
  }
}

}  // namespace jobwire_c_detail
