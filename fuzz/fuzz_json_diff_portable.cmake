include("${CMAKE_CURRENT_LIST_DIR}/fuzz_json_diff.cmake")
