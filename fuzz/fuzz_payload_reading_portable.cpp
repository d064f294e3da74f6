// Fuzz target: fuzz_payload_reading with the portable string scan (JOBWIRE_JSON_SIMD=0,
// json.hpp), so that both scanning modes are fuzzed.
#define JOBWIRE_JSON_SIMD 0
#include "fuzz_payload_reading.cpp"

static_assert(JOBWIRE_JSON_SIMD == 0, "this build must use the portable string scan");
