# test_json_diff runs fuzz/reference/json_oracle.hpp, which compares the JSON reader with nlohmann::json
# (SAX, strict) and simdjson (DOM); both are Debian packages (tools/deps.sh, group test).
find_package(simdjson REQUIRED)
find_package(nlohmann_json REQUIRED)
target_link_libraries(${JW_TEST_TARGET} PRIVATE simdjson::simdjson nlohmann_json::nlohmann_json)
