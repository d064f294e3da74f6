# fuzz_json_diff compares the JSON reader with nlohmann::json (SAX, strict) and simdjson
# (DOM); both are Debian packages (tools/deps.sh, groups test and bench).
find_package(simdjson REQUIRED)
find_package(nlohmann_json REQUIRED)
target_link_libraries(${JW_FUZZ_TARGET} PRIVATE simdjson::simdjson nlohmann_json::nlohmann_json)
