// test_json_diff (the JSON reader against nlohmann and simdjson) with the portable string
// scan (JOBWIRE_JSON_SIMD=0, json.hpp).
#define JOBWIRE_JSON_SIMD 0
#include "test_json_diff.cpp"

static_assert(JOBWIRE_JSON_SIMD == 0, "this build must use the portable string scan");
