// test_json (the JSON reader's tests and JSONTestSuite) with the portable string scan
// (JOBWIRE_JSON_SIMD=0, json.hpp), so that both scanning modes are held to them.
#define JOBWIRE_JSON_SIMD 0
#include "test_json.cpp"

static_assert(JOBWIRE_JSON_SIMD == 0, "this build must use the portable string scan");
