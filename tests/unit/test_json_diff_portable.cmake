include("${CMAKE_CURRENT_LIST_DIR}/test_json_diff.cmake")
