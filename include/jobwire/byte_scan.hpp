// jobwire — how this build scans bytes: 16 at a time with SSE2, or 8 at a time portably.
//
// The JSON reader's string scan, and the checks that run on every delivery (event ids),
// look at many bytes for the few that matter. SSE2 is the x86-64 baseline, so it needs no
// run-time check; elsewhere, or with JOBWIRE_JSON_SIMD=0, the portable word-at-a-time
// (SWAR) code runs. Both give the same results, and the tests run in both modes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#ifndef JOBWIRE_JSON_SIMD
#  if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#    define JOBWIRE_JSON_SIMD 1
#  else
#    define JOBWIRE_JSON_SIMD 0
#  endif
#endif
#if JOBWIRE_JSON_SIMD
#  include <emmintrin.h>
#endif

// The JSON validator's per-token functions, and the byte checks they use, are inlined into
// its main loop: they run for every string and scalar, and a call costs more than most of
// their bodies.
#if defined(__GNUC__) || defined(__clang__)
#  define JOBWIRE_JSON_HOT_INLINE __attribute__((always_inline)) inline
#else
#  define JOBWIRE_JSON_HOT_INLINE inline
#endif

// Whether the compiler can tell constant evaluation from run time. A check that is also
// `constexpr` keeps its plain loop for constant evaluation and takes the block or word
// scan (intrinsics, memcpy) at run time; where the compiler cannot tell, the plain loop
// always runs.
#if defined(__has_builtin)
#  if __has_builtin(__builtin_is_constant_evaluated)
#    define JOBWIRE_DETAIL_KNOWS_CONSTANT_EVALUATION 1
#  endif
#endif

namespace jobwire {
namespace detail {

/// True while a `constexpr` check is evaluated as a constant (or when that cannot be told).
constexpr bool in_constant_evaluation() noexcept {
#ifdef JOBWIRE_DETAIL_KNOWS_CONSTANT_EVALUATION
  return __builtin_is_constant_evaluated();
#else
  return true;
#endif
}

/// The constants of the word-at-a-time (SWAR) tests: one in every byte, the high bit of
/// every byte.
constexpr std::uint64_t swar_ones = 0x0101010101010101ull, swar_high = 0x8080808080808080ull;

/// Equality of `n` bytes with fixed-size word loads the compiler keeps inline (a memcmp
/// of run-time length is a library call per comparison): whole words, then a last
/// word that overlaps the previous one; short names in two overlapping half or quarter
/// words.
JOBWIRE_JSON_HOT_INLINE bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  const auto eq = [](const char* x, const char* y, auto word) noexcept {
    decltype(word) u, v;
    std::memcpy(&u, x, sizeof u);
    std::memcpy(&v, y, sizeof v);
    return u == v;
  };
  if (n >= 8) {
    for (; n > 8; a += 8, b += 8, n -= 8)
      if (!eq(a, b, std::uint64_t{})) return false;
    return eq(a + n - 8, b + n - 8, std::uint64_t{});
  }
  if (n >= 4) return eq(a, b, std::uint32_t{}) && eq(a + n - 4, b + n - 4, std::uint32_t{});
  if (n >= 2) return eq(a, b, std::uint16_t{}) && eq(a + n - 2, b + n - 2, std::uint16_t{});
  return n == 0 || *a == *b;
}

}  // namespace detail
}  // namespace jobwire
