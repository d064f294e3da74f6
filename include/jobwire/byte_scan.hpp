// jobwire — how this build scans bytes: 16 at a time with SSE2, or 8 at a time portably.
//
// The JSON reader's string scan, and the checks that run on every delivery (event ids),
// look at many bytes for the few that matter. SSE2 is the x86-64 baseline, so it needs no
// run-time check; elsewhere, or with JOBWIRE_JSON_SIMD=0, the portable word-at-a-time
// (SWAR) code runs. Both give the same results, and the tests run in both modes.
#pragma once

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
