# Baselines for envelope/<impl>/<case>: simdjson (on-demand), RapidJSON, nlohmann::json.
find_package(simdjson REQUIRED)
find_package(nlohmann_json REQUIRED)
find_path(JW_RAPIDJSON_INCLUDE rapidjson/document.h REQUIRED)
target_link_libraries(${JW_BENCH_TARGET} PRIVATE simdjson::simdjson nlohmann_json::nlohmann_json)
target_include_directories(${JW_BENCH_TARGET} SYSTEM PRIVATE "${JW_RAPIDJSON_INCLUDE}")
target_compile_definitions(${JW_BENCH_TARGET} PRIVATE
  JW_PAYLOAD_DIR="${PROJECT_SOURCE_DIR}/tests/data/payloads")
