// Fuzz target: fuzz_json_diff with the portable string scan (JOBWIRE_JSON_SIMD=0,
// json.hpp), so that both scanning modes are compared with the reference parsers.
#define JOBWIRE_JSON_SIMD 0
#include "fuzz_json_diff.cpp"

static_assert(JOBWIRE_JSON_SIMD == 0, "this build must use the portable string scan");
